#!/bin/sh
# Licence issue and verify per core next to `openssl speed sm2` in the same run (issue 7).
# Usage: bench/licence_side_by_side.sh BUILD_DIR [SECONDS]
#   BUILD_DIR configured with -DCMAKE_BUILD_TYPE=Release -DTONGBAN_BENCH=ON; builds licence_bench.
set -eu
build=${1:?usage: $0 BUILD_DIR [SECONDS]}
seconds=${2:-3}
cmake --build "$build" -j2 --target licence_bench >/dev/null
echo "== openssl speed sm2 (one core, ${seconds} s each)"
openssl version
openssl speed -seconds "$seconds" sm2 2>/dev/null | tail -3
echo "== tongban licence_bench (one thread; items_per_second = operations per CPU second)"
"$build/bench/licence_bench" --benchmark_min_time="${seconds}" \
  --benchmark_counters_tabular=true 2>&1 | grep -v "Library was built as DEBUG"
