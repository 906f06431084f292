#!/bin/sh
# Runs `tongban feel` as a user would: stdout, exit codes. Usage: feel_command_test.sh TONGBAN
tongban=$1
failed=0
expect() {  # expect EXIT_CODE EXPECTED_STDOUT ARGS...
  code=$1 want=$2
  shift 2
  got=$("$tongban" feel "$@" 2>/dev/null)
  rc=$?
  if [ "$rc" != "$code" ] || [ "$got" != "$want" ]; then
    echo "FAIL: tongban feel $*: exit $rc, output '$got' (wanted exit $code, '$want')"
    failed=1
  fi
}
expect 0 "0.3" eval "0.1 + 0.2"
expect 0 "true" eval "age >= 16 and disability_level in [1, 2]" --context '{"age": 30, "disability_level": 2}'
expect 0 "false" eval "年龄 >= 60" --context '{"年龄": 59}'
expect 0 "0.30000000000000000001" eval "x + 0.1" --context '{"x": 0.20000000000000000001}'
expect 0 "null" eval "1 / 0"
expect 0 '"2026-02-15"' eval '@"2026-02-15"'
expect 0 '"P1DT2H30M"' eval '@"P1DT2H30M"'
expect 0 '[2,4,6]' eval 'for i in [1, 2, 3] return i * 2'
expect 0 '{"a":1,"b c":2}' eval '{a: 1, "b c": 2}'
expect 0 '"2025-01-26"' eval 'add working days(@"2025-01-24", 1)'
expect 0 "true" eval '[18..60]' --unary-tests --input 30
expect 1 "" eval "1 +"
expect 1 "" eval "agee > 1" --context '{"age": 1}'
expect 1 "" eval "1" --context '{"a": }'
expect 1 "" eval "1" --context '[1]'
expect 0 "ok" check "age > 1" --context '{"age": 1}'
expect 1 "1:1: unknown name 'agee' — did you mean 'age'?" check "agee > 1" --context '{"age": 1}'
# Warnings go to stderr, the value alone to stdout.
err=$("$tongban" feel eval '1 + "a"' 2>&1 >/dev/null)
case "$err" in
  *"cannot add number and string"*) ;;
  *) echo "FAIL: no warning on stderr for 1 + \"a\": '$err'"; failed=1 ;;
esac
exit $failed
