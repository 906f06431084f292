#!/bin/sh
# Runs `tongban demand` as an operator would: enter a hotline demand (and refuse an unknown
# class naming the field), dispatch it, sign for it and close it as the department, record the
# callback, print it with its steps, sweep, and the statistics. Usage: demand_command_test.sh TONGBAN
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
out=$("$tongban" demand submit --class gossip --region 431128 --title T --text X \
  --caller-name 张先生 --db "$db" 2>&1)
check "unknown class exit" 2 $?
case "$out" in *class*) ;; *) echo "FAIL: the error names no class: $out"; failed=1 ;; esac
out=$("$tongban" demand submit --class help --region 431128 --title 用电报装 \
  --text 企业用电报装时间太长 --caller-name 张先生 --db "$db" 2>/dev/null)
check "submit" 0 $?
id=$(echo "$out" | head -n 1 | cut -f 1)
check "submitted state" received "$(echo "$out" | head -n 1 | cut -f 3)"
"$tongban" demand dispatch "$id" --to 431128-rsj --db "$db" >/dev/null 2>&1
check "dispatch" 0 $?
"$tongban" demand sign "$id" --department 431128-scjgj --db "$db" >/dev/null 2>&1
check "sign for another department refused" 1 $?
"$tongban" demand sign "$id" --department 431128-rsj --db "$db" >/dev/null 2>&1
check "sign" 0 $?
"$tongban" demand close "$id" --department 431128-rsj --db "$db" >/dev/null 2>&1
check "close without an answer refused" 2 $?
"$tongban" demand close "$id" --department 431128-rsj --answer 已协调 --db "$db" >/dev/null 2>&1
check "close" 0 $?
"$tongban" demand callback "$id" --db "$db" >/dev/null 2>&1
check "callback" 0 $?
show=$("$tongban" demand show "$id" --db "$db" 2>/dev/null)
check "finished" finished "$(echo "$show" | head -n 1 | cut -f 3)"
check "steps" 5 "$(echo "$show" | grep -c '^step ')"
sweep=$("$tongban" demand sweep --db "$db" 2>/dev/null)
check "sweep" "late to sign 0, reminded 0, supervised 0, callbacks overdue 0" "$sweep"
today=$(TZ=Asia/Shanghai date +%F)
stats=$("$tongban" demand stats --region 431128 --from "$today" --to "$today" --db "$db" 2>/dev/null)
check "stats" "431128-rsj	1	1	1	1	1" "$(echo "$stats" | grep 431128-rsj)"
exit $failed
