# shellcheck shell=bash
# MariaDB in the lab: an image built offline from Debian's mariadb-server (like the postgres one, see
# images.sh) and a small seeded database on science.
#   hindsight-lab/mariadb:10.11 — debootstrap bookworm minbase + mariadb-server, trimmed, with
#                                 lab/mariadb/docker-entrypoint.sh; loaded on science only
#   science: compose project "lab-maria", container maria-db-1 (volume lab-maria_data), database
#            inventory seeded (MARIA_ROWS); root password in MARIADB_ROOT_PASSWORD like the official
#            image, so Hindsight's credential path (MYSQL_PWD) is the one exercised.

MARIADB_IMAGE=hindsight-lab/mariadb:10.11
# Bump when the rootfs recipe below changes (forces a rebuild of the cached tarball).
MARIADB_RECIPE=2
MARIADB_BASE="$LAB_CACHE/mariadb-rootfs.tar.zst"   # debootstrap output, trimmed (slow to make)
MARIADB_TAR="$LAB_CACHE/mariadb-image.tar"          # base + entrypoint, what gets loaded
MARIA_ROOT_PASSWORD=lab-maria-root
# Row counts of the seeded database (also written to lab.json for the tests).
declare -A MARIA_ROWS=([warehouses]=4 [items]=60 [stock_moves]=500)

build_mariadb_rootfs() {
  local stamp="$MARIADB_BASE.recipe"
  [[ -s $MARIADB_BASE && $(cat "$stamp" 2>/dev/null) == "$MARIADB_RECIPE" ]] && return 0
  local work="$LAB_CACHE/build/mariadb" started=$SECONDS
  log "building mariadb rootfs with debootstrap (once per machine, a few minutes)"
  debootstrap_into "$work" mariadb-server,mariadb-client debootstrap-mariadb.log
  # Trim as for postgres, plus the offline table tools (aria_*, myisam*, binlog, slap… ~60 MB; the
  # server, mariadb, mariadb-dump, mariadb-admin and mariadb-install-db's helpers stay); the data
  # directory the package scripts initialised goes too (the entrypoint makes one per volume).
  (
    cd "$work" || exit 1
    rm -rf usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian \
      usr/share/i18n var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb \
      var/cache/debconf/*-old var/log/* tmp/* var/lib/mysql/* \
      usr/bin/aria_* usr/bin/myisam* usr/bin/mariadb-binlog usr/bin/mariadb-slap usr/bin/mariadb-import \
      usr/bin/mariadb-show usr/bin/mariadb-conv usr/bin/mariadb-plugin usr/bin/innochecksum usr/bin/perror \
      usr/bin/resolve_stack_dump usr/bin/mariadb-waitpid usr/bin/replace
    # The mysql* compatibility links of the tools just removed.
    find usr/bin -xtype l -delete
    mkdir -p var/lib/mysql run/mysqld
    chroot . chown mysql:mysql /var/lib/mysql /run/mysqld
  )
  tar --numeric-owner -C "$work" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . |
    zstd -q -T0 -3 -o "$MARIADB_BASE.tmp" -f
  mv -f "$MARIADB_BASE.tmp" "$MARIADB_BASE"
  echo "$MARIADB_RECIPE" >"$stamp"
  rm -rf "$work"
  log "mariadb rootfs cached: $MARIADB_BASE ($(du -h "$MARIADB_BASE" | cut -f1), $((SECONDS - started)) s)"
}

# build_mariadb_image — cached rootfs → staged image archive; sets MARIADB_ID.
build_mariadb_image() {
  build_mariadb_rootfs
  local entry="$LAB_DIR/mariadb/docker-entrypoint.sh" config
  assemble_image_tar "$MARIADB_BASE" "$MARIADB_TAR" "$entry" "$(image_rev "$MARIADB_RECIPE" "$MARIADB_BASE" "$entry")"
  config='{"Env":["PATH='"$STD_PATH"'","LANG=C.UTF-8"],"Entrypoint":["/usr/local/bin/docker-entrypoint.sh"],'
  config+='"Cmd":["mariadbd"],"Volumes":{"/var/lib/mysql":{}},"ExposedPorts":{"3306/tcp":{}},'
  config+='"Labels":{"org.hindsight.lab.image":"mariadb","org.hindsight.lab.source":"debootstrap bookworm minbase + mariadb-server"}}'
  MARIADB_ID=$(make_image_archive mariadb "$MARIADB_IMAGE" "$MARIADB_TAR" "$config")
}

# Uses the Sequence engine (seq_1_to_N), compiled into MariaDB.
INVENTORY_SEED_SQL="
CREATE TABLE warehouses (
  id INT PRIMARY KEY,
  name VARCHAR(80) NOT NULL,
  city VARCHAR(80) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE items (
  id INT PRIMARY KEY,
  sku VARCHAR(20) NOT NULL UNIQUE,
  label VARCHAR(120) NOT NULL,
  weight_g INT NOT NULL
) ENGINE=InnoDB;
CREATE TABLE stock_moves (
  id INT PRIMARY KEY AUTO_INCREMENT,
  item_id INT NOT NULL,
  warehouse_id INT NOT NULL,
  quantity INT NOT NULL,
  moved_at DATETIME NOT NULL,
  note VARCHAR(200),
  FOREIGN KEY (item_id) REFERENCES items (id),
  FOREIGN KEY (warehouse_id) REFERENCES warehouses (id)
) ENGINE=InnoDB;
INSERT INTO warehouses VALUES (1, 'Nord', 'Zürich'), (2, 'Süd', 'Lyon'), (3, 'Ost', 'Kraków'), (4, 'West', 'São Paulo');
INSERT INTO items SELECT seq, CONCAT('ITM-', LPAD(seq, 4, '0')), CONCAT('Item ', seq), 100 + seq * 37 FROM seq_1_to_60;
INSERT INTO stock_moves (item_id, warehouse_id, quantity, moved_at, note)
SELECT 1 + (seq * 7) % 60, 1 + seq % 4, CAST(seq % 9 AS SIGNED) - 4, '2026-09-01 08:00:00' + INTERVAL seq HOUR,
       IF(seq % 25 = 0, 'recount, \"damaged\"; ü', NULL)
FROM seq_1_to_500;
"

# Over TCP: only the final server listens there (the entrypoint's init-time server is socket-only).
maria_ready() { dk "$1" exec "$2" mariadb --protocol=tcp -h 127.0.0.1 -uroot "-p$MARIA_ROOT_PASSWORD" -e 'SELECT 1'; }

# ensure_inventory_db MACHINE CONTAINER — wait for the server; seed when the database has no tables.
ensure_inventory_db() {
  local m=$1 c=$2 has
  wait_until 90 "$m mariadb" maria_ready "$m" "$c" || die "$m: mariadb in $c does not accept connections"
  has=$(dk "$m" exec "$c" mariadb -N -e "select count(*) from information_schema.tables where table_schema = 'inventory'")
  [[ $has == 0 ]] || return 0
  # DDL commits on its own in MariaDB: a seed that fails half-way empties the database again, so the
  # next run seeds it whole.
  if ! dk "$m" exec -i "$c" mariadb --default-character-set=utf8mb4 inventory <<<"$INVENTORY_SEED_SQL"; then
    dk "$m" exec "$c" mariadb -e 'DROP DATABASE inventory; CREATE DATABASE inventory CHARACTER SET utf8mb4' || true
    die "$m: seeding inventory in $c failed"
  fi
  log "$m: seeded database inventory in $c"
}

# maria_stack MACHINE — image, the lab-maria project (one container) and its data.
maria_stack() {
  local m=$1
  load_image "$m" mariadb "$MARIADB_IMAGE" "$MARIADB_ID"
  ensure_network "$m" lab-maria
  ensure_volume "$m" lab-maria_data lab-maria data
  mapfile -t RUN_ARGS < <(compose_labels lab-maria db)
  RUN_ARGS+=(--hostname maria-db --network lab-maria_default --network-alias db --restart unless-stopped
    -e MARIADB_DATABASE=inventory -e "MARIADB_ROOT_PASSWORD=$MARIA_ROOT_PASSWORD" -v lab-maria_data:/var/lib/mysql)
  RUN_CMD=()
  ensure_container "$m" maria-db-1 "$MARIADB_IMAGE" >/dev/null
  ensure_inventory_db "$m" maria-db-1
}
