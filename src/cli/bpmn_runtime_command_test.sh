#!/bin/sh
# `tongban bpmn deploy|start|tasks|complete|incidents|retry` on a fresh SQLite database, as an
# operator runs them: refusals naming the element, versions, the inbox, 受审分离, incidents.
# Usage: bpmn_runtime_command_test.sh TONGBAN
tongban=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="sqlite:$dir/t.db"
failed=0
fail() { echo "FAIL: $*"; failed=1; }
run() {  # run ARGS...: sets rc, out, err
  "$tongban" bpmn "$@" --db "$db" --log-level warn >"$dir/out" 2>"$dir/err"
  rc=$?
  out=$(cat "$dir/out")
  err=$(cat "$dir/err")
}
model() {  # model FILE GROUP: acceptance by the window clerks, approval by GROUP or the clerks
  cat >"$1" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="case" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:exclusiveGateway id="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="accept">
      <bpmn:conditionExpression>=ok = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:userTask id="accept">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="window_clerk"/>
        <zeebe:taskHeaders><zeebe:header key="tongban.step" value="acceptance"/></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="accept" targetRef="approve"/>
    <bpmn:userTask id="approve">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="$2,window_clerk"/>
        <zeebe:taskHeaders><zeebe:header key="tongban.step" value="approval"/></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
XML
}
model "$dir/bad.bpmn" nobody_here
model "$dir/case.bpmn" approver

run deploy "$dir/bad.bpmn"
[ "$rc" = 2 ] || fail "deploy with an unknown group: exit $rc"
echo "$err" | grep -q "approve: candidate group 'nobody_here'" || fail "unknown group not named: $err"
run deploy "$dir/case.bpmn"
[ "$rc" = 0 ] && [ "$out" = "case 1" ] || fail "deploy: exit $rc, '$out' $err"
run deploy "$dir/case.bpmn"
[ "$rc" = 0 ] && [ "$out" = "case 1 (unchanged)" ] || fail "deploy again: exit $rc, '$out'"

echo "clerk-pass-1" | "$tongban" people add-staff --db "$db" --log-level warn --username clerk \
  --name 窗口 --region 431128 --role window_clerk >/dev/null || fail "add-staff clerk"
echo "approver-pass-1" | "$tongban" people add-staff --db "$db" --log-level warn \
  --username boss --name 审批 --region 431128 --role approver >/dev/null || fail "add-staff boss"

run start case --vars '{"ok": true}'
instance=${out% *}
[ "$rc" = 0 ] && [ "${out#* }" = running ] || fail "start: exit $rc, '$out' $err"
run tasks --group window_clerk
task=$(echo "$out" | cut -f1)
[ "$rc" = 0 ] && [ "$task" = "$instance/$(echo "$task" | cut -d/ -f2)" ] || fail "tasks: '$out'"
echo "$out" | grep -q "	accept	open	-" || fail "tasks: accept not open: '$out'"
run tasks
[ "$rc" = 2 ] || fail "tasks without --group/--assignee: exit $rc"
run complete "$task" --as boss
[ "$rc" = 1 ] && echo "$err" | grep -q "may not complete" || fail "boss completed acceptance: $rc $err"
run complete "$task" --as clerk --vars '{"accepted": true}'
[ "$rc" = 0 ] && [ "$out" = "$instance running" ] || fail "clerk accepts: exit $rc, '$out' $err"
run tasks --group approver
approve=$(echo "$out" | cut -f1)
run complete "$approve" --as clerk
[ "$rc" = 1 ] && echo "$err" | grep -q "acceptance and approval are separate" ||
  fail "受审分离 not enforced: exit $rc $err"
run complete "$approve" --as boss --vars '{"approved": true}'
[ "$rc" = 0 ] && [ "$out" = "$instance completed" ] || fail "boss approves: exit $rc, '$out' $err"
run complete "$approve" --as boss
[ "$rc" = 1 ] || fail "completed twice: exit $rc"

run start case
broken=${out% *}
[ "$rc" = 0 ] && [ "${out#* }" = incident ] || fail "start without ok: '$out' $err"
run incidents
incident=$(echo "$out" | cut -f1)
echo "$out" | grep -q "	$broken	check	" || fail "incidents: '$out'"
run retry "$incident" --vars '{"ok": true}'
[ "$rc" = 0 ] || fail "retry: exit $rc $err"
run incidents
[ -z "$out" ] || fail "incident still open: '$out'"
run tasks --group window_clerk
echo "$out" | grep -q "^$broken/" || fail "retried instance has no acceptance task: '$out'"

[ "$failed" = 0 ] && echo "bpmn runtime commands: ok"
exit "$failed"
