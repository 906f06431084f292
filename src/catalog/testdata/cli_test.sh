#!/usr/bin/env bash
# tongban catalog import/export end to end: counts, the round trip, a refused file that lists
# every error, exits 2 and imports nothing, and open drafts overwritten only with --replace-drafts. Usage: cli_test.sh TONGBAN FIXTURE
set -euo pipefail
tongban=$1
fixture=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tongban" catalog import "$fixture" --db sqlite:a.db --publish --effective 2025-01-01 >out.txt 2>err.txt ||
  fail "import exited $?: $(cat err.txt)"
grep -q 'published             3' out.txt || fail "no published count: $(cat out.txt)"
grep -q 'implementation_items  3 new' out.txt || fail "no item count: $(cat out.txt)"

"$tongban" catalog export --db sqlite:a.db >a.yaml 2>err.txt || fail "export: $(cat err.txt)"
grep -q 'kind: licensing' a.yaml || fail "export lacks English ids"
"$tongban" catalog import a.yaml --db sqlite:b.db >/dev/null 2>err.txt || fail "reimport: $(cat err.txt)"
"$tongban" catalog export --db sqlite:b.db --out b.yaml 2>err.txt || fail "export --out: $(cat err.txt)"
cmp -s a.yaml b.yaml || fail "export → import → export differs: $(diff a.yaml b.yaml | head)"

# b.db holds three drafts: a file with other content for one of them is refused (exit 1) ...
sed -e 's/visits: 1/visits: 2/' "$fixture" >edited.yaml
set +e
"$tongban" catalog import edited.yaml --db sqlite:b.db >out.txt 2>err.txt
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "overwriting a draft exited $rc, not 1"
grep -q '^  implementation_items/1: 11431128MB1234570F000120031000001 has an unpublished version 1 (draft' err.txt ||
  fail "$(cat err.txt)"
"$tongban" catalog export --db sqlite:b.db --out b2.yaml 2>/dev/null
cmp -s a.yaml b2.yaml || fail "a refused import changed something"
# ... and replaces it when forced.
"$tongban" catalog import edited.yaml --db sqlite:b.db --replace-drafts >out.txt 2>err.txt ||
  fail "--replace-drafts: $(cat err.txt)"
grep -q '1 drafts updated' out.txt || fail "$(cat out.txt)"

sed -e 's/online_depth: 2/online_depth: 9/' -e 's/certificate: "ZM-431128-001"/certificate: "ZM-X"/' \
  "$fixture" >bad.yaml
set +e
"$tongban" catalog import bad.yaml --db sqlite:c.db >out.txt 2>err.txt
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "invalid file exited $rc, not 2"
grep -q '^  implementation_items/2/online_depth: must be 1, 2, 3 or 4$' err.txt || fail "$(cat err.txt)"
grep -q '^  implementation_items/1/scenarios/0/materials/0/certificate: ' err.txt || fail "$(cat err.txt)"
[ "$("$tongban" catalog export --db sqlite:c.db 2>/dev/null)" = "{}" ] || fail "an invalid file imported something"
echo ok
