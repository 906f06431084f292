#!/usr/bin/env bash
# The in-memory BPMN benchmark next to bpmn-engine in the same run: one JSON line per
# measurement, then the ratio of each tongban line to bpmn-engine's instances per CPU second.
# Usage: bench/bpmn_side_by_side.sh [BUILD_DIR=build-rel] [N=200000] [repetitions=5]
# (the build: cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DTONGBAN_BENCH=ON
#  -DTONGBAN_TESTS=OFF && cmake --build build-rel -j2 --target bpmn_bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-rel}; n=${2:-200000}; reps=${3:-5}
# run_peers.sh's first argument is its population size; 1,000,000 is the one already cached.
# The peer reports wall-clock time; on a loaded machine that undercounts it, so its CPU time is
# taken too (user + system of the whole run: node start-up and 50 warm-up instances included,
# a slight undercount of the peer), and the ratio uses the CPU figure.
cpu_file=$(mktemp)
TIMEFORMAT='%U %S'
{ time "$root/../shared/bench/run_peers.sh" 1000000 bpmn >"$cpu_file.out"; } 2>"$cpu_file"
peer=$(grep '"bpmn-engine"' "$cpu_file.out")
peer_cpu=$(tail -1 "$cpu_file" | awk '{ print $1 + $2 }')
rm -f "$cpu_file" "$cpu_file.out"
rows=$(echo "$peer" | sed 's/.*"rows": *\([0-9]*\).*/\1/')
peer_rate=$(awk -v r="$rows" -v c="$peer_cpu" 'BEGIN { printf "%.1f", (r + 50) / c }')
ours=$("$root/$build/bench/bpmn_bench" "$n" "$reps")
echo "$peer"
echo "{\"peer\": \"bpmn-engine\", \"what\": \"instances per CPU second\", \"rows\": $rows, \"seconds\": $peer_cpu, \"per_s\": $peer_rate}"
echo "$ours"
echo "$ours" | while read -r line; do
  rate=$(echo "$line" | sed 's/.*"per_s": *\([0-9.]*\).*/\1/')
  what=$(echo "$line" | sed 's/.*"what": "\([^"]*\)".*/\1/')
  awk -v a="$rate" -v b="$peer_rate" -v w="$what" \
    'BEGIN { printf "{\"ratio\": \"tongban %s / bpmn-engine\", \"x\": %.0f}\n", w, a / b }'
done
