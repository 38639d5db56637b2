# shellcheck shell=bash
# What runs on the lab machines. Idempotent: a container whose spec (run arguments + image id,
# hashed into the label org.hindsight.lab.spec) is unchanged is left alone and only started if
# stopped; data is seeded only into empty volumes / a database without tables, so data a test
# changed stays until `lab/up.sh --reset`.
#
# production: compose project "shop" (network shop_default)
#   shop-db-1   hindsight-lab/postgres:15, volume shop_pgdata, database shop (seeded, see SHOP_ROWS)
#   shop-app-1  busybox, volume shop_files at /srv/files, logs a heartbeat every 2 s
# uat:        the same project with an empty shop database and other files; lone container uat-web
# science:    container notebook with volume science_data; project lab-maria (mariadb.sh)

COMPOSE_VERSION=2.24.5                  # what the compose labels claim to have been made by
LAB_LABEL=org.hindsight.lab             # on everything the lab creates (for --reset)
# Row counts of the seeded production database (also written to lab.json for the tests).
declare -A SHOP_ROWS=([customers]=50 [products]=20 [orders]=200 [audit.events]=12)

# compose_labels PROJECT SERVICE [DEPENDS_ON] — the labels docker compose v2 puts on a container.
compose_labels() {
  local p=$1 s=$2 dep=${3:-}
  printf '%s\n' --label "com.docker.compose.project=$p" --label "com.docker.compose.service=$s" \
    --label "com.docker.compose.container-number=1" --label "com.docker.compose.oneoff=False" \
    --label "com.docker.compose.project.working_dir=/srv/$p" \
    --label "com.docker.compose.project.config_files=/srv/$p/compose.yaml" \
    --label "com.docker.compose.version=$COMPOSE_VERSION"
  [[ -z $dep ]] || printf '%s\n' --label "com.docker.compose.depends_on=$dep:service_started:false"
}

ensure_network() { # MACHINE PROJECT
  local m=$1 p=$2
  dk "$m" network inspect "${p}_default" >/dev/null 2>&1 && return 0
  dk "$m" network create --label "$LAB_LABEL=1" --label "com.docker.compose.project=$p" \
    --label com.docker.compose.network=default --label "com.docker.compose.version=$COMPOSE_VERSION" \
    "${p}_default" >/dev/null
}

ensure_volume() { # MACHINE NAME [PROJECT VOLUME-KEY]
  local m=$1 v=$2 p=${3:-} key=${4:-}
  dk "$m" volume inspect "$v" >/dev/null 2>&1 && return 0
  local labels=(--label "$LAB_LABEL=1")
  [[ -z $p ]] || labels+=(--label "com.docker.compose.project=$p" --label "com.docker.compose.volume=$key"
    --label "com.docker.compose.version=$COMPOSE_VERSION")
  dk "$m" volume create "${labels[@]}" "$v" >/dev/null
}

# ensure_container MACHINE NAME IMAGE — run arguments in RUN_ARGS, command in RUN_CMD (arrays).
# Prints "created" or "kept".
ensure_container() {
  local m=$1 name=$2 image=$3 image_id spec current
  image_id=$(dk "$m" image inspect -f '{{.Id}}' "$image")
  spec=$(printf '%s\0' "${RUN_ARGS[@]}" "$image_id" "${RUN_CMD[@]}" | sha256sum | cut -c1-16)
  current=$(dk "$m" container inspect -f "{{index .Config.Labels \"$LAB_LABEL.spec\"}}" "$name" 2>/dev/null || true)
  if [[ $current == "$spec" ]]; then
    [[ $(dk "$m" container inspect -f '{{.State.Running}}' "$name") == true ]] || dk "$m" start "$name" >/dev/null
    echo kept
    return 0
  fi
  if [[ -n $current ]] || dk "$m" container inspect "$name" >/dev/null 2>&1; then
    log "$m: $name differs from the lab spec; recreating it (volumes are kept)" >&2
    dk "$m" rm -f "$name" >/dev/null
  fi
  dk "$m" run -d --name "$name" --label "$LAB_LABEL=1" --label "$LAB_LABEL.spec=$spec" \
    "${RUN_ARGS[@]}" "$image" "${RUN_CMD[@]}" >/dev/null
  echo created
}

# A busybox service that logs a timestamped line every 2 s (stderr every 10th), and stops at once
# on SIGTERM (a shell as PID 1 would otherwise ignore it and make `docker stop` wait 10 s).
heartbeat_cmd() { # NAME DIR
  RUN_CMD=(sh -c "trap 'echo \"$1: stopping\"; exit 0' TERM INT
echo \"$1: starting; data in $2\"
i=0
while :; do
  i=\$((i + 1))
  echo \"\$(date -u +%Y-%m-%dT%H:%M:%SZ) $1 heartbeat \$i (\$(ls -A $2 2>/dev/null | wc -l) entries in $2)\"
  [ \$((i % 10)) -ne 0 ] || echo \"\$(date -u +%Y-%m-%dT%H:%M:%SZ) $1 warning: nothing to do for 20 s\" >&2
  sleep 2 & wait \$!
done")
}

# --- content ------------------------------------------------------------------------------------

# fill_volume MACHINE CONTAINER DIR GENERATOR — when DIR (a volume mount) is empty, build the files
# with GENERATOR into a temp dir on the host and copy them in through the engine's archive API.
fill_volume() {
  local m=$1 c=$2 dir=$3 gen=$4 tmp
  dk "$m" exec "$c" sh -c "[ -z \"\$(ls -A '$dir')\" ]" || return 0
  tmp=$(mktemp -d)
  chmod 755 "$tmp"   # becomes the mode of the volume's root
  (cd "$tmp" && "$gen") || { rm -rf "$tmp"; return 1; }
  tar --numeric-owner --sort=name -C "$tmp" -cf - . | dk "$m" cp -a - "$c:$dir"
  rm -rf "$tmp"
  log "$m: filled $dir of $c"
}

files_production() {
  mkdir -p config uploads/2026/10 uploads/2026/11 uploads/images docs cache private data
  printf 'Shop file store (production)\nUploaded invoices live in uploads/<year>/<month>.\n' >README.txt
  printf '[app]\nenv = production\ndb_host = db\ndb_name = shop\n\n[mail]\nfrom = shop@example.test\n' >config/app.ini
  local i
  for i in 1 2 3; do printf 'Invoice 2026-10-%04d\nTotal: %d.00 EUR\n' "$i" $((i * 42)) >"uploads/2026/10/invoice-$i.txt"; done
  for i in 1 2 3 4 5; do printf 'Invoice 2026-11-%04d\nTotal: %d.50 EUR\n' "$i" $((i * 17)) >"uploads/2026/11/invoice-$i.txt"; done
  printf '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="7"/></svg>\n' >uploads/images/logo.svg
  printf 'Curriculum vitae — Zoë Müller\nÉcole polytechnique, 2019–2024\n' >"docs/résumé 2026.txt"
  printf 'Meeting notes with spaces in the name.\n' >"docs/meeting notes (final).txt"
  seq 1 20000 | awk '{ printf "row-%06d,%d\n", $1, ($1 * 7919) % 1000 }' >data/numbers.csv
  printf 'api_key=lab-not-a-secret\n' >private/secret.txt
  chmod 600 private/secret.txt
  chmod 700 private
  chown -R 1000:1000 private uploads
  ln -s uploads/2026/11 latest                            # relative symlink to a directory
  ln -s /srv/files/uploads/images/logo.svg current-logo   # absolute symlink
  ln -s does-not-exist.txt dangling-link                  # dangling symlink (real volumes have them)
}

files_uat() {
  mkdir -p config uploads/2025/01 old
  printf 'Shop file store (uat) — stale copy from last spring\n' >README.txt
  printf '[app]\nenv = uat\ndb_host = db\ndb_name = shop\n' >config/app.ini
  printf 'Invoice 2025-01-0001\nTotal: 9.99 EUR\n' >uploads/2025/01/invoice-1.txt
  printf 'this file only exists on uat\n' >old/obsolete.txt
}

files_science() {
  mkdir -p notebooks datasets
  printf '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n' >notebooks/analysis.ipynb
  seq 1 500 | awk '{ printf "sample-%d,%.3f\n", $1, (($1 * 7919) % 1000) / 1000 }' >datasets/measurements.csv
  printf 'Science scratch space\n' >README.md
}

SHOP_SEED_SQL=$(cat <<'EOF'
BEGIN;
CREATE TABLE customers (
  id serial PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  city text,
  created_at timestamptz NOT NULL
);
CREATE TABLE products (
  id serial PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);
CREATE TABLE orders (
  id serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  product_id integer NOT NULL REFERENCES products (id),
  quantity integer NOT NULL CHECK (quantity > 0),
  ordered_at timestamptz NOT NULL,
  note text
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE SCHEMA audit;
CREATE TABLE audit.events (id bigserial PRIMARY KEY, at timestamptz NOT NULL, kind text NOT NULL, payload jsonb);

INSERT INTO customers (name, email, city, created_at)
SELECT 'Customer ' || i, 'customer' || i || '@example.test',
       (ARRAY['Zürich', 'Lyon', 'São Paulo', 'Kraków', 'Oslo'])[1 + i % 5],
       timestamptz '2026-01-01 09:00:00+00' + i * interval '1 day'
FROM generate_series(1, 50) AS i;
INSERT INTO products (sku, name, price_cents)
SELECT 'SKU-' || lpad(i::text, 4, '0'), 'Product ' || i, 199 + i * 150
FROM generate_series(1, 20) AS i;
INSERT INTO orders (customer_id, product_id, quantity, ordered_at, note)
SELECT 1 + (i * 7) % 50, 1 + (i * 3) % 20, 1 + i % 5,
       timestamptz '2026-06-01 00:00:00+00' + i * interval '3 hours',
       CASE WHEN i % 10 = 0 THEN 'gift wrap, "fragile"; ü' END
FROM generate_series(1, 200) AS i;
INSERT INTO audit.events (at, kind, payload)
SELECT timestamptz '2026-11-01 00:00:00+00' + i * interval '1 hour', 'login',
       jsonb_build_object('customer', i, 'ok', i % 3 <> 0)
FROM generate_series(1, 12) AS i;
CREATE VIEW order_totals AS
SELECT o.id, c.email, p.sku, o.quantity * p.price_cents AS total_cents
FROM orders o JOIN customers c ON c.id = o.customer_id JOIN products p ON p.id = o.product_id;
COMMIT;
EOF
)

pg_ready() { dk "$1" exec "$2" pg_isready -q -h 127.0.0.1 -U postgres; }
psql_in() { local m=$1 c=$2; shift 2; dk "$m" exec -i "$c" psql -X -q -v ON_ERROR_STOP=1 -U postgres "$@"; }

# ensure_shop_db MACHINE SEED(yes|no)
ensure_shop_db() {
  local m=$1 seed=$2
  # Only the final server listens on 127.0.0.1 (the entrypoint's init-time server is socket-only).
  wait_until 90 "$m postgres" pg_ready "$m" shop-db-1 || die "$m: postgres in shop-db-1 does not accept connections"
  [[ $seed == yes ]] || return 0
  local has
  has=$(psql_in "$m" shop-db-1 -d shop -tAc "select to_regclass('public.orders') is not null")
  [[ $has == t ]] && return 0
  psql_in "$m" shop-db-1 -d shop <<<"$SHOP_SEED_SQL"
  log "$m: seeded database shop"
}

# --- machines -----------------------------------------------------------------------------------

shop_stack() { # MACHINE SEED FILES-GENERATOR
  local m=$1 seed=$2 gen=$3 state
  ensure_network "$m" shop
  ensure_volume "$m" shop_pgdata shop pgdata
  ensure_volume "$m" shop_files shop files
  mapfile -t RUN_ARGS < <(compose_labels shop db)
  RUN_ARGS+=(--hostname db --network shop_default --network-alias db --restart unless-stopped
    -e POSTGRES_DB=shop -v shop_pgdata:/var/lib/postgresql/data)
  RUN_CMD=()
  state=$(ensure_container "$m" shop-db-1 "$POSTGRES_IMAGE")
  mapfile -t RUN_ARGS < <(compose_labels shop app db)
  RUN_ARGS+=(--hostname app --network shop_default --network-alias app --restart unless-stopped
    -v shop_files:/srv/files -w /srv/files)
  heartbeat_cmd shop-app /srv/files
  ensure_container "$m" shop-app-1 "$BUSYBOX_IMAGE" >/dev/null
  fill_volume "$m" shop-app-1 /srv/files "$gen"
  ensure_shop_db "$m" "$seed"
  [[ $state == kept ]] || log "$m: shop-db-1 up"
}

setup_production() {
  shop_stack production yes files_production
}

setup_uat() {
  shop_stack uat no files_uat
  RUN_ARGS=(--hostname uat-web --restart unless-stopped)
  heartbeat_cmd uat-web /tmp
  ensure_container uat uat-web "$BUSYBOX_IMAGE" >/dev/null
}

setup_science() {
  ensure_volume science science_data
  RUN_ARGS=(--hostname notebook --restart unless-stopped -v science_data:/data -w /data)
  heartbeat_cmd notebook /data
  ensure_container science notebook "$BUSYBOX_IMAGE" >/dev/null
  fill_volume science notebook /data files_science
  maria_stack science   # mariadb.sh
}

# reset_machine MACHINE — remove what the lab created there (containers, volumes, networks), so
# the next setup starts from the initial data. Used by `lab/up.sh --reset`.
reset_machine() {
  local m=$1 ids
  log "$m: reset (removing the lab's containers, volumes and networks)"
  ids=$(dk "$m" ps -aq --filter "label=$LAB_LABEL")
  [[ -z $ids ]] || dk "$m" rm -f $ids >/dev/null
  ids=$(dk "$m" volume ls -q --filter "label=$LAB_LABEL")
  [[ -z $ids ]] || dk "$m" volume rm -f $ids >/dev/null
  ids=$(dk "$m" network ls -q --filter "label=$LAB_LABEL")
  [[ -z $ids ]] || dk "$m" network rm $ids >/dev/null
}
