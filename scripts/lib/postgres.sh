# A private PostgreSQL 15 for the tests: its own data directory and socket in a temporary
# folder, a free loopback port, trust authentication, stopped by pg_stop.
# initdb and pg_ctl refuse to run as root, so as root they run as the postgres user.
# shellcheck shell=bash

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_start() {
  PG_DIR=$(mktemp -d /tmp/tongban-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DIR"
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    port_free "$port" && break
  done
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
  # Durability settings are off: these servers hold throw-away test data only. PG_DURABLE=1
  # keeps PostgreSQL's defaults (the benchmarks measure acknowledged, durable commits).
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && durability=""
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 $durability -c max_connections=200" \
    start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
  export TONGBAN_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  export PG_PORT=$port
  log "PostgreSQL 15 on 127.0.0.1:$port ($PG_DIR)"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
