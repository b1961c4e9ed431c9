#!/usr/bin/env bash
# A single leaker in a 128 MiB memory cgroup, beside an idle small process: the leaker is both
# the victim and the culprit, and the verdict must say it was not an innocent victim.
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-leaker-$$
ow_cgroup_create "$cg_name" 128
cg=$OW_CG_DIR
ow_record_start
ow_spawn "$cg" --name idle --hold-mib 4 --ready-file "$OW_TMP/idle.ready"
idle=$OW_LAST_PID
ow_wait_file "$OW_TMP/idle.ready" 10 || fail "idle process did not start"
ow_spawn "$cg" --name leaker --grow-mib-s 64
leaker=$OW_LAST_PID
ow_wait_dead "$leaker" 60 || fail "the leaker was not OOM-killed within 60 s"
ow_wait_recorded_kills 1 10 || fail "no kill recorded"
kill -0 "$idle" || fail "the idle process was killed too"
ow_record_stop

"$OW" show --db "$OW_DB" --json last >"$OW_TMP/show.json" || fail "show --json failed"
j=$OW_TMP/show.json
assert_eq "kills" 1 "$(jqf "$j" '.kills | length')"
assert_eq "victim" "$leaker" "$(jqf "$j" '.kills[0].victim.pid')"
assert_eq "trigger is the leaker" "$leaker" "$(jqf "$j" '.kills[0].trigger.pid')"
assert_eq "culprit is the victim" "$leaker" "$(jqf "$j" '.culprit.pid')"
assert_jq "culprit was killed" '.culprit.was_killed' "$j"
assert_jq "not innocent" '.culprit.reasons | any(test("not an innocent victim"))' "$j"
assert_eq "no innocent victims" 0 "$(jqf "$j" '.innocent_victims | length')"
assert_jq "idle process is a candidate" "[.kills[0].candidates[].pid] | index($idle) != null" "$j"
