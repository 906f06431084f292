#!/bin/sh
# `tongban bpmn check|run` as a modeler runs them: output and exit codes.
# Usage: bpmn_command_test.sh TONGBAN TESTDATA
set -u
bin=$1
data=$2
fail=0
expect() {  # expect NAME WANT_EXIT WANT_OUTPUT -- command...
  name=$1 want_exit=$2 want=$3
  shift 4
  got=$("$@" 2>&1)
  code=$?
  if [ "$code" != "$want_exit" ]; then
    echo "FAIL $name: exit $code, want $want_exit: $got"
    fail=1
  fi
  case "$got" in
    *"$want"*) ;;
    *) echo "FAIL $name: output lacks '$want': $got"; fail=1 ;;
  esac
}
expect check-valid 0 "warning: review: candidate group" -- "$bin" bpmn check "$data/approval.bpmn"
expect check-refused 1 "error: js: a JavaScript script task" -- "$bin" bpmn check "$data/refused.bpmn"
expect check-invalid 1 "error: dead_end: the gateway has no outgoing flow" -- \
  "$bin" bpmn check "$data/invalid.bpmn"
expect check-missing 1 "cannot read" -- "$bin" bpmn check "$data/no-such.bpmn"
expect run-approved 0 "start
review
decide
fork
notify
archive
join
done" -- "$bin" bpmn run "$data/approval.bpmn" --outputs '{"review": {"approved": true}}'
expect run-rejected 0 "decide
rejected" -- "$bin" bpmn run "$data/approval.bpmn" --outputs '{"review": {"approved": false}}'
expect run-message 2 "start" -- "$bin" bpmn run "$data/message.bpmn"
expect run-incident 1 "incident: dept_approval:" -- \
  "$bin" bpmn run "$data/multi.bpmn" --vars '{"departments": 3}'
expect run-refused 1 "error: js:" -- "$bin" bpmn run "$data/refused.bpmn"
expect run-bad-vars 1 "--vars must be a JSON object" -- \
  "$bin" bpmn run "$data/approval.bpmn" --vars '[1]'
exit $fail
