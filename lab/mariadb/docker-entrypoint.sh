#!/bin/sh
# Entrypoint of the lab's hindsight-lab/mariadb:10.11 image (Debian's mariadb-server, imported
# offline). Behaves like a trimmed-down official mariadb image: initialise the data directory when it
# is empty, create MARIADB_DATABASE, give root MARIADB_ROOT_PASSWORD (root on the local socket is
# also let in by unix_socket, so `docker exec maria-db-1 mariadb` works), then run mariadbd.
set -eu

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

# `docker run IMAGE mariadb ...` and friends: run the command instead of the server.
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && [ "$1" != mariadbd ]; then
  exec "$@"
fi
[ "${1:-}" = mariadbd ] && shift

mkdir -p "$DATADIR" /run/mysqld
chown mysql:mysql "$DATADIR" /run/mysqld

sql_string() { printf "'%s'" "$(printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")"; }

if [ ! -d "$DATADIR/mysql" ]; then
  echo "docker-entrypoint: initialising a new data directory in $DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
    --auth-root-authentication-method=socket >/dev/null
  # A server on the socket only, for the first statements (like the official image).
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
  pid=$!
  i=0
  until mariadb-admin --socket="$SOCKET" ping >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 300 ] || { echo "docker-entrypoint: server did not start" >&2; exit 1; }
    sleep 0.1
  done
  {
    if [ -n "${MARIADB_ROOT_PASSWORD:-}" ]; then
      pw=$(sql_string "$MARIADB_ROOT_PASSWORD")
      echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD($pw);"
      echo "CREATE USER 'root'@'%' IDENTIFIED BY $pw; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    fi
    if [ -n "${MARIADB_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\` CHARACTER SET utf8mb4;"
    fi
  } | mariadb --socket="$SOCKET" -uroot
  mariadb-admin --socket="$SOCKET" -uroot shutdown
  wait "$pid" || true
  echo "docker-entrypoint: data directory ready"
fi

exec mariadbd --user=mysql --datadir="$DATADIR" --socket="$SOCKET" --bind-address=0.0.0.0 "$@"
