#!/usr/bin/env bash
# tongban catalog search and guide end to end over the demo catalog: everyday phrasing, no hit,
# the question, the checklist, a refused and an invalid answer. Usage: search_cli_test.sh TONGBAN DEMO
set -euo pipefail
tongban=$1
demo=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
db=sqlite:demo.db
food=11431128MB170582X2000141005000001
subsidy=11431128MB17048517050103021000001

"$tongban" catalog import "$demo" --db $db --publish --effective 2025-01-01 >/dev/null 2>err.txt ||
  fail "import: $(cat err.txt)"
"$tongban" catalog search "我要开餐馆" --db $db >out.txt 2>err.txt || fail "search: $(cat err.txt)"
head -1 out.txt | grep -q "食品经营许可" || fail "我要开餐馆: $(cat out.txt)"
grep -q "terms: 开餐 餐馆; 2 matters" err.txt || fail "$(cat err.txt)"
"$tongban" catalog search "宇宙飞船" --db $db >out.txt 2>/dev/null || fail "no hit must exit 0"
[ ! -s out.txt ] || fail "宇宙飞船 found $(cat out.txt)"

"$tongban" catalog guide $food --db $db >out.txt 2>err.txt || fail "guide: $(cat err.txt)"
grep -q "^  first  第一次开店" out.txt || fail "no question: $(cat out.txt)"
"$tongban" catalog guide $food --answers '{"purpose": "expiring"}' --db $db >out.txt 2>err.txt ||
  fail "guide: $(cat err.txt)"
grep -q "办理情形：延续" out.txt || fail "$(cat out.txt)"
grep -q "食品经营许可证  \[必要\] 来源：调用（电子证照：食品经营许可证）" out.txt || fail "$(cat out.txt)"

set +e
"$tongban" catalog guide $subsidy --answers '{"purpose": "apply", "has_card": "no"}' --db $db \
  >/dev/null 2>err.txt
rc=$?
"$tongban" catalog guide $food --answers '{"purpose": "party"}' --db $db >/dev/null 2>err2.txt
rc2=$?
set -e
[ "$rc" -eq 1 ] || fail "no scenario exited $rc, not 1"
grep -q "no scenario" err.txt || fail "$(cat err.txt)"
[ "$rc2" -eq 2 ] || fail "a bad answer exited $rc2, not 2"
grep -q "answers/purpose: 'party' is not one of first, change, expiring, closing" err2.txt ||
  fail "$(cat err2.txt)"
echo "search_cli_test: ok"
