#!/bin/sh
# Runs `tongban feel match` as a user would over a small CSV register: the counts, per county
# and against a baseline, the bad rows with their line numbers, exit codes.
# Usage: feel_match_test.sh TONGBAN
tongban=$1
failed=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/persons.csv" <<'CSV'
id,age,region,income,birth,receiving
1,30,431128001001,9000.50,1990-05-01,false
2,45,431128002003,11000,1975-01-31,false
3,17,431127000001,11500.25,2008-03-01,false
4,70,431127000002,13000,1950-12-31,true
5,15,431128001001,5000,2011-07-07,false
6,33,,11999.99,1991-01-01,false
7,52,431122100000,12000,1970-01-01,false
CSV
cp "$dir/persons.csv" "$dir/bad.csv"
cat >> "$dir/bad.csv" <<'CSV'
8,abc,431128001001,1,1990-01-01,false
9,40,431128001001,1
10,40,431128001001,1.005,1990-01-01,false
CSV
# expect EXIT_CODE EXPECTED_STDOUT (time line left out) ARGS...
expect() {
  code=$1 want=$2
  shift 2
  got=$("$tongban" feel match "$@" 2>"$dir/stderr" | grep -v '^time: ')
  rc=$("$tongban" feel match "$@" >/dev/null 2>&1; echo $?)
  if [ "$rc" != "$code" ] || [ "$got" != "$want" ]; then
    echo "FAIL: tongban feel match $*: exit $rc, output:"
    echo "$got"
    echo "--- wanted exit $code:"
    echo "$want"
    cat "$dir/stderr"
    failed=1
  fi
}
tab=$(printf '\t')
expect 0 "rows: 7
rule: column-wise
matches: 4" --csv "$dir/persons.csv" --rule 'age >= 16 and income < 12000'

expect 0 "rows: 7
rule: column-wise
baseline rule: column-wise
matches: 5
baseline: 1
entering: 4
leaving: 0
region[:6]${tab}matches${tab}baseline${tab}entering${tab}leaving
431122${tab}1${tab}0${tab}1${tab}0
431127${tab}1${tab}0${tab}1${tab}0
431128${tab}2${tab}1${tab}1${tab}0
null${tab}1${tab}0${tab}1${tab}0" --csv "$dir/persons.csv" --rule 'income <= 12000 and age >= 16 and not(receiving)' \
  --baseline 'income < 10000 and age >= 16 and not(receiving)' --group-by region:6 \
  --columns income:number\(2\)

# Exact decimals and dates: 9000.50 < 9000.505, and births in 1970..1975.
expect 0 "rows: 7
rule: column-wise
matches: 4
region[:4]${tab}matches
4311${tab}4" --csv "$dir/persons.csv" --rule 'income < 9000.505 or birth in [date("1970-01-01")..@"1975-12-31"]' \
  --group-by region:4 --threads 1

# A rule the engine does not vectorise still counts right, and says why.
got=$("$tongban" feel match --csv "$dir/persons.csv" --rule 'string length(region) = 12 and age > 40' \
  --columns region:string | grep -E '^(rule|matches)')
case "$got" in
  "rule: per record: "*"string length(region)"*"
matches: 3") ;;
  *) echo "FAIL: fallback rule: '$got'"; failed=1 ;;
esac

# Bad rows: listed on stderr with their line numbers, left out of the counts, exit 2.
expect 2 "rows: 7 (3 bad rows left out)
rule: column-wise
matches: 4" --csv "$dir/bad.csv" --rule 'age >= 16 and income < 12000' \
  --columns age:number,income:number\(2\)
for want in "bad.csv:9: column \`age\`: \`abc\` is not a number" "bad.csv:10: 4 fields, the header has 6" \
  "bad.csv:11: column \`income\`"; do
  grep -qF "$want" "$dir/stderr" || { echo "FAIL: stderr lacks '$want':"; cat "$dir/stderr"; failed=1; }
done

# Bad options and rules.
expect 1 "" --csv "$dir/persons.csv" --rule 'agee > 1'
expect 1 "" --csv "$dir/persons.csv" --rule 'age > 1' --baseline 'age >'
expect 2 "" --csv "$dir/persons.csv" --rule 'age > 1' --group-by region
expect 2 "" --csv "$dir/persons.csv" --rule 'age > 1' --group-by age:2 --columns age:number
expect 2 "" --csv "$dir/persons.csv" --rule 'age > 1' --columns age:int
expect 2 "" --csv "$dir/persons.csv" --rule 'age > 1' --columns nope:string
expect 2 "" --csv "$dir/missing.csv" --rule 'age > 1'
"$tongban" feel match --csv "$dir/persons.csv" --rule 'age > 1' --columns age:int 2>&1 |
  grep -qF 'age:int' || { echo "FAIL: --columns error does not name the item"; failed=1; }
exit $failed
