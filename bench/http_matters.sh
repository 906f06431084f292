#!/usr/bin/env bash
# wrk against GET /api/v1/matters on the demo, beside GET /api/v1/health (the trivial JSON
# endpoint: the server's own ceiling) in the same run. Prints the median of RUNS runs of each.
# Usage: bench/http_matters.sh [RUNS=5] [SECONDS=10] [CONNECTIONS=32]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-5}
SECS=${2:-10}
CONNS=${3:-32}
BIN=${TONGBAN_BINARY:-$ROOT/build/tongban}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
[ -x "$BIN" ] || { echo "build first: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 40000))
"$BIN" serve --demo --db "sqlite:$work/bench.db" --listen "127.0.0.1:$port" --log-level warn \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() {  # measure PATH -> prints "rps p50_ms p99_ms" medians over RUNS
  local path=$1 rps=() p50=() p99=()
  for _ in $(seq 1 "$RUNS"); do
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$port$path")
    rps+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
    p50+=("$(echo "$out" | awk '$1=="50%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}')")
    p99+=("$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}')")
  done
  echo "$(printf '%s\n' "${rps[@]}" | median) $(printf '%s\n' "${p50[@]}" | median) $(printf '%s\n' "${p99[@]}" | median) [$(printf '%s ' "${rps[@]}")]"
}

health=$(measure /api/v1/health)
matters=$(measure "/api/v1/matters?limit=20")
filtered=$(measure "/api/v1/matters?limit=20&region=431128&list=nearby")
echo "| endpoint | requests/s (median) | p50 ms | p99 ms | runs (requests/s) |"
echo "|---|---|---|---|---|"
row() { read -r rps p50 p99 runs <<<"$2"; echo "| $1 | $rps | $p50 | $p99 | $runs |"; }
row "GET /api/v1/health" "$health"
row "GET /api/v1/matters?limit=20" "$matters"
row "GET /api/v1/matters?limit=20&region=431128&list=nearby" "$filtered"
h=${health%% *}
m=${matters%% *}
awk -v h="$h" -v m="$m" 'BEGIN {printf "matters / health: %.2f\n", m / h}'
