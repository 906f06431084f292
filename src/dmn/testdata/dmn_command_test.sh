#!/bin/sh
# Runs `tongban dmn` as a user would: stdout, exit codes. Usage: dmn_command_test.sh TONGBAN DIR
tongban=$1
dir=$2
failed=0
expect() {  # expect EXIT_CODE EXPECTED_STDOUT ARGS...
  code=$1 want=$2
  shift 2
  got=$("$tongban" dmn "$@" 2>/dev/null)
  rc=$?
  if [ "$rc" != "$code" ] || [ "$got" != "$want" ]; then
    echo "FAIL: tongban dmn $*: exit $rc, output '$got' (wanted exit $code, '$want')"
    failed=1
  fi
}
expect 0 "300" eval "$dir/subsidy.yaml" --decision 补贴金额 --context '{"年龄": 70, "残疾等级": 1}'
expect 0 "100" eval "$dir/subsidy.yaml" --decision 补贴金额 --context '{"年龄": 70, "残疾等级": 3}'
expect 0 "null" eval "$dir/subsidy.yaml" --decision 补贴金额 --context '{"年龄": 20, "残疾等级": 3}'
expect 0 "null" eval "$dir/subsidy.yaml" --decision 补贴金额 --context '{"年龄": 200, "残疾等级": 1}'
expect 0 "500" eval "$dir/subsidy.dmn" --decision 补贴金额 \
  --context '{"出生日期": "1930-05-01", "申请日期": "2026-02-15", "残疾等级": 2}'
expect 0 "95" eval "$dir/subsidy.dmn" --decision 年龄 \
  --context '{"出生日期": "1930-05-01", "申请日期": "2026-02-15"}'
expect 0 "100" eval "$dir/subsidy.dmn" --decision amount \
  --context '{"出生日期": "1940-05-01", "申请日期": "2026-02-15", "残疾等级": 4}'
expect 1 "" eval "$dir/subsidy.dmn" --decision 没有 --context '{}'
expect 1 "" eval "$dir/subsidy.dmn" --decision 年龄 --context '[1'
expect 1 "" eval "$dir/missing.dmn" --decision 年龄
expect 0 "" check "$dir/subsidy.dmn"
exit $failed
