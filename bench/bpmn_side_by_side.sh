#!/usr/bin/env bash
# The in-memory BPMN benchmark next to bpmn-engine in the same run: one JSON line per
# measurement, then the ratio of each tongban line to bpmn-engine's instances/s.
# Usage: bench/bpmn_side_by_side.sh [BUILD_DIR=build-rel] [N=200000] [repetitions=5]
# (the build: cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DTONGBAN_BENCH=ON
#  -DTONGBAN_TESTS=OFF && cmake --build build-rel -j2 --target bpmn_bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-rel}; n=${2:-200000}; reps=${3:-5}
# run_peers.sh's first argument is its population size; 1,000,000 is the one already cached.
peer=$("$root/../shared/bench/run_peers.sh" 1000000 bpmn | grep '"bpmn-engine"')
ours=$("$root/$build/bench/bpmn_bench" "$n" "$reps")
echo "$peer"
echo "$ours"
peer_rate=$(echo "$peer" | sed 's/.*"per_s": *\([0-9.]*\).*/\1/')
echo "$ours" | while read -r line; do
  rate=$(echo "$line" | sed 's/.*"per_s": *\([0-9.]*\).*/\1/')
  what=$(echo "$line" | sed 's/.*"what": "\([^"]*\)".*/\1/')
  awk -v a="$rate" -v b="$peer_rate" -v w="$what" \
    'BEGIN { printf "{\"ratio\": \"tongban %s / bpmn-engine\", \"x\": %.0f}\n", w, a / b }'
done
