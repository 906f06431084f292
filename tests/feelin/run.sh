#!/bin/sh
# The ctest entry feelin_differential: feel_differential writes the corpus with tongban's results,
# then one node process evaluates it with feelin and compares (diff.mjs).
#   run.sh FEEL_DIFFERENTIAL_BINARY OUT_DIR
# feelin comes from OUT_DIR/../feelin-node (scripts/test runs `npm ci` there, see install_feelin
# in scripts/lib/common.sh). Without node or those packages the test is skipped (exit 77), unless
# TONGBAN_REQUIRE_FEELIN=1, which makes it fail; a node older than 20 is always a skip.
set -eu
bin=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
modules=${TONGBAN_FEELIN_MODULES:-$(dirname "$out")/feelin-node}

skip() {
  echo "feelin_differential: $1" >&2
  if [ "${TONGBAN_REQUIRE_FEELIN:-0}" = 1 ]; then exit 1; fi
  echo "skipped; to run it: mkdir -p $modules && cp $here/package*.json $modules && (cd $modules && npm ci --prefer-offline)" >&2
  exit 77
}
command -v node >/dev/null 2>&1 || skip "node is not installed"
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then  # Debian 12's node is 18: a skip, even when required
  echo "feelin_differential: node $major is too old for feelin 8.2.0 (needs >= 20.12); skipped" >&2
  exit 77
fi
[ -f "$modules/node_modules/feelin/package.json" ] || skip "feelin is not installed in $modules"

mkdir -p "$out"
"$bin" --seed "${FEELIN_SEED:-20261126}" --count "${FEELIN_COUNT:-12000}" --out "$out/corpus.jsonl"
exec node "$here/diff.mjs" "$out/corpus.jsonl" "$out" "$modules"
