#!/bin/bash
# Submit + accept over HTTP on PostgreSQL (issue 6): a private PostgreSQL 15 with its durability
# on (fsync, synchronous_commit and full_page_writes at their defaults, unlike the tests'),
# `tongban serve --demo` on a fresh database in it, then case_submit_bench. Prints the bench's
# JSON line per round and the CPU PostgreSQL's processes spent per pair in that round.
# Usage: bench/case_submit_pg.sh BUILD_DIR [ROUNDS] [SECONDS] [THREADS]
#   BUILD_DIR configured with -DCMAKE_BUILD_TYPE=Release -DTONGBAN_BENCH=ON.
# PostgreSQL's CPU is the sum of utime + stime over the postgres user's processes, read from
# /proc before and after a round: the server's connections live as long as the server, so a
# process that starts and ends inside a round (autovacuum's workers) is the only one missed.
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [ROUNDS] [SECONDS] [THREADS]}" && pwd)
rounds=${2:-3}
seconds=${3:-6}
threads=${4:-16}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/common.sh
. "$root/scripts/lib/common.sh"
# shellcheck source=../scripts/lib/postgres.sh
. "$root/scripts/lib/postgres.sh"
cmake --build "$build" -j2 --target tongban case_submit_bench >/dev/null

PG_DURABLE=1 pg_start
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  pg_stop
}
trap cleanup EXIT

pg_cpu_ticks() {
  local total=0 ticks
  for pid in $(pgrep -u postgres postgres); do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}

psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE submit_bench"
port=$((20000 + RANDOM % 40000))
# On PostgreSQL the server keeps its signing keys and material files in its working directory:
# the data directory's parent, removed with it, never the checkout.
cd "$PG_DIR"
TONGBAN_THREADS=$threads "$build/tongban" serve --demo \
  --db "postgresql://postgres@127.0.0.1:$PG_PORT/submit_bench" \
  --listen "127.0.0.1:$port" --log-level warn &
server=$!
for _ in $(seq 1 240); do
  curl -sf "127.0.0.1:$port/api/v1/health" >/dev/null && break
  sleep 0.5
done
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$rounds"); do
  before=$(pg_cpu_ticks)
  line=$("$build/bench/case_submit_bench" "$port" --threads "$threads" --seconds "$seconds" \
    --accept --server-pid "$server" | tail -1)
  after=$(pg_cpu_ticks)
  cases=$(echo "$line" | sed -n 's/.*"cases":\([0-9]*\).*/\1/p')
  echo "round $round: $line"
  awk -v t=$((after - before)) -v hz="$hz" -v n="$cases" \
    'BEGIN { printf "round %d: postgresql_cpu_ms_per_case %.3f\n", '"$round"', (n > 0 ? t * 1000 / hz / n : 0) }'
done
