#!/bin/sh
# Runs `tongban policy` and `tongban match` as an operator would over a generated register of
# Xintian: publish the shipped policies, refuse a bad rule, import a grant roll (a bad line
# reported), match (dry run, then stored), export the results, notify, record a consent, print
# the funnel and the payment roll. Usage: policy_command_test.sh TONGBAN
tongban=$1
failed=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="sqlite:$dir/db"
check() {  # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected [$2], got [$3]"
    failed=1
  fi
}
"$tongban" register generate --count 3000 --seed 2026 --county 431128 --out "$dir/p.csv" || exit 1
"$tongban" register import persons "$dir/p.csv" --db "$db" >/dev/null 2>&1 || exit 1
"$tongban" policy publish --builtin --db "$db" >/dev/null 2>&1
check "publish builtin" 0 $?
cat > "$dir/bad.yaml" <<'YAML'
name: disability_living_subsidy
version: 2
title: 困难残疾人生活补贴
matter: "11431128MB17048517050103021000001"
legal_basis: 国发〔2015〕52号
eligibility: salary < 3
amount: "8000"
cycle: monthly
region: "431128"
valid_from: 2026-01-01
mode: consent_required
YAML
"$tongban" policy publish "$dir/bad.yaml" --db "$db" >/dev/null 2>"$dir/err"
check "a rule over an unknown field is refused" 2 $?
grep -q "eligibility" "$dir/err"
check "the refusal names the rule" 0 $?
check "policy list" 3 "$("$tongban" policy list --db "$db" 2>/dev/null | wc -l | tr -d ' ')"

"$tongban" match disability_living_subsidy --dry-run --date 2026-11-26 --db "$db" \
  --out "$dir/dry.csv" >"$dir/dry.txt" 2>/dev/null
check "dry run" 0 $?
listed=$(($(wc -l < "$dir/dry.csv") - 1))
check "the dry run's listed persons are its eligible-not-receiving count" \
  "$listed" "$(awk -F'\t' '$1 == "total" { print $4 }' "$dir/dry.txt")"
[ "$listed" -ge 3 ] || { echo "FAIL: too few eligible ($listed) to test with"; exit 1; }
# Two of them already receive; one line of the roll is bad.
{
  echo "person_id,amount_fen,start_date"
  sed -n '2,3p' "$dir/dry.csv" | cut -d, -f1 | sed 's/$/,10000,2026-01-01/'
  echo "nobody,10000,2026-01-01"
} > "$dir/roll.csv"
"$tongban" policy grants disability_living_subsidy "$dir/roll.csv" --db "$db" >"$dir/out" 2>"$dir/err"
check "grants with a bad line exit 1" 1 $?
check "the bad line is named" "line 4: person_id: not in the person register" "$(cat "$dir/err")"

"$tongban" match disability_living_subsidy --date 2026-11-26 --db "$db" >"$dir/run.txt" \
  2>"$dir/progress.txt"
check "match" 0 $?
# Not a terminal: plain progress lines, from the load to done over the 3000 persons.
check "progress starts with the load" "progress 0% load -- persons/s eta --" \
  "$(head -n 1 "$dir/progress.txt")"
tail -n 1 "$dir/progress.txt" | grep -Eq '^progress 100% done 3000/3000 persons [0-9]+ persons/s eta 0 s$'
check "progress ends at done" 0 $?
grep -q "$(printf '\r')" "$dir/progress.txt"
check "no bar redrawn when not on a terminal" 1 $?
run=$(sed -n 's/^run \([0-9a-f-]*\):.*/\1/p' "$dir/run.txt")
check "eligible-not-receiving after the roll" $((listed - 2)) \
  "$(awk -F'\t' '$1 == "total" { print $4 }' "$dir/run.txt")"
"$tongban" policy results "$run" --db "$db" --kind eligible_not_receiving --out "$dir/res.csv" \
  2>/dev/null
check "results exported" $((listed - 1)) "$(wc -l < "$dir/res.csv" | tr -d ' ')"
"$tongban" policy notify "$run" --db "$db" 2>/dev/null | grep -q "^notified $((listed - 2)) "
check "notify" 0 $?
"$tongban" policy notify "$run" --db "$db" 2>/dev/null | grep -q "^notified 0 "
check "never twice" 0 $?
person=$(sed -n '2p' "$dir/res.csv" | cut -d, -f1)
"$tongban" policy consent "$run" "$person" --evidence "入户走访，本人签字" --db "$db" >/dev/null 2>&1
check "consent" 0 $?
check "funnel" "total	3000	$listed	$((listed - 2))	$((listed - 2))	1	1" \
  "$("$tongban" policy funnel "$run" --db "$db" 2>/dev/null | grep '^total')"
"$tongban" policy roll disability_living_subsidy 2026-12 --db "$db" --out "$dir/roll.xlsx" \
  2>/dev/null
check "xlsx roll" "PK" "$(head -c 2 "$dir/roll.xlsx")"
check "csv roll" 4 "$("$tongban" policy roll disability_living_subsidy 2026-12 --db "$db" \
  2>/dev/null | wc -l | tr -d ' ')"
[ $failed -eq 0 ] && echo "policy_command_test: ok"
exit $failed
