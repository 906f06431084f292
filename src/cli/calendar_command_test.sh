#!/bin/sh
# Runs `tongban calendar` as a user would: output and exit codes. Usage: calendar_command_test.sh TONGBAN
tongban=$1
failed=0
expect() {  # expect EXIT_CODE EXPECTED_STDOUT ARGS...
  code=$1 want=$2
  shift 2
  got=$("$tongban" calendar "$@" 2>/dev/null)
  rc=$?
  if [ "$rc" != "$code" ] || [ "$got" != "$want" ]; then
    echo "FAIL: tongban calendar $*: exit $rc, output '$got' (wanted exit $code, '$want')"
    failed=1
  fi
}
expect 0 "2025-01-26" add-working-days 2025-01-24 1
expect 0 "2025-01-24" add-working-days 2025-01-24 0
expect 0 "2024-10-08" add-working-days 2024-09-30 1
expect 0 "2027-01-01 (provisional)" add-working-days 2026-12-31 1
expect 0 "7" working-days 2025-01-24 2025-02-10
expect 0 "-7" working-days 2025-02-10 2025-01-24
expect 0 "0" working-days 2025-01-24 2025-01-24
expect 0 "25 (provisional)" working-days 2026-12-01 2027-01-05
expect 2 "" add-working-days 2025-01-24 -1
expect 2 "" add-working-days 2025-02-30 1
expect 2 "" add-working-days 2025-01-24 one
expect 2 "" working-days 2025-01-24 2025-1-1
exit $failed
