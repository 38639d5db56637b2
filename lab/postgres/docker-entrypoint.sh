#!/bin/sh
# Entrypoint of the lab's hindsight-lab/postgres:15 image (Debian's postgresql-15, imported offline).
# Behaves like a trimmed-down official postgres image: initialise $PGDATA when it is empty, then run
# postgres in the foreground as the postgres user. Lab only: local socket and loopback use trust auth;
# other addresses need a password (scram), set with POSTGRES_PASSWORD.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# `docker run IMAGE psql ...` and friends: run the command instead of the server.
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && [ "$1" != postgres ]; then
  exec "$@"
fi
[ "${1:-}" = postgres ] && shift

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
chmod 2775 /run/postgresql

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "docker-entrypoint: initialising a new cluster in $PGDATA"
  pwfile=
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp); printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"; chown postgres "$pwfile"
  fi
  as_postgres initdb --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=trust ${pwfile:+--pwfile="$pwfile"} >/dev/null
  [ -z "$pwfile" ] || rm -f "$pwfile"
  cat >>"$PGDATA/pg_hba.conf" <<'EOF'

# hindsight-lab: initdb trusted the socket and loopback above; other addresses need a password
host    all             all             all                     scram-sha-256
EOF
  cat >>"$PGDATA/postgresql.conf" <<'EOF'

# hindsight-lab
listen_addresses = '*'
unix_socket_directories = '/run/postgresql'
jit = off
EOF
  # Create POSTGRES_DB like the official image does (a throw-away server on the socket only).
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    as_postgres createdb -U postgres "$POSTGRES_DB"
    as_postgres pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "docker-entrypoint: cluster ready"
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups postgres "$@"
