#!/usr/bin/env bash
# Incident grouping in time: two OOM kills in the same memory cgroup about 3 s apart form ONE
# incident (2 kills, in time order) under the default --incident-gap of 30 s, and TWO incidents
# under --incident-gap 1.
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-group-$$
ow_cgroup_create "$cg_name" 64
cg=$OW_CG_DIR

# kill_one N: a leaker fills the cgroup and is OOM-killed; sets OW_LAST_PID to its pid.
kill_one() {
	ow_spawn "$cg" --name "leak$1" --grow-mib-s 1000
	ow_wait_dead "$OW_LAST_PID" 10 || fail "leaker $1 was not OOM-killed within 10 s"
}

# Two kills 3 s apart with the recorder running (extra recorder options as arguments); sets
# p1 and p2, and checks the cgroup's own counter grew by exactly 2.
two_kills() {
	local before after
	before=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"
	ow_record_start "$@"
	kill_one 1
	p1=$OW_LAST_PID
	sleep 3
	kill_one 2
	p2=$OW_LAST_PID
	ow_wait_recorded_kills 2 10 || fail "fewer than 2 kills recorded: $(cat "$OW_TMP/record.log")"
	ow_record_stop
	after=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"
	assert_eq "kernel kills in the cgroup" 2 $((after - before))
}

# 1. Default gap (30 s): one incident, both kills, in order, more than 1 s apart.
OW_DB=$OW_TMP/default-gap.db
two_kills
"$OW" list --db "$OW_DB" --json >"$OW_TMP/list1.json" || fail "list failed"
assert_eq "incidents with the default gap" 1 "$(jqf "$OW_TMP/list1.json" 'length')"
assert_eq "kills in the incident" 2 "$(jqf "$OW_TMP/list1.json" '.[0].kills')"
assert_eq "victims in the list" "$p1 $p2" "$(jqf "$OW_TMP/list1.json" '.[0].victims | join(" ")')"
"$OW" show --db "$OW_DB" --json last >"$OW_TMP/show1.json" || fail "show --json last failed"
j=$OW_TMP/show1.json
assert_eq "domain cgroup" "/$cg_name" "$(jqf "$j" '.domain.cgroup')"
assert_eq "kill order" "$p1 $p2" "$(jqf "$j" '[.kills[].victim.pid] | join(" ")')"
assert_jq "kills in time order, over 1 s apart" \
	'.kills | length == 2 and .[1].time_ns - .[0].time_ns > 1000000000' "$j"
assert_jq "kills within the 30 s gap" '.kills[1].time_ns - .kills[0].time_ns < 30000000000' "$j"
assert_jq "incident spans its kills" \
	'.start_time_ns <= .kills[0].time_ns and .end_time_ns >= .kills[1].time_ns' "$j"

# 2. --incident-gap 1: the same two kills 3 s apart are two incidents of one kill each.
OW_DB=$OW_TMP/gap1.db
two_kills --incident-gap 1
"$OW" list --db "$OW_DB" --json >"$OW_TMP/list2.json" || fail "list failed"
assert_eq "incidents with --incident-gap 1" 2 "$(jqf "$OW_TMP/list2.json" 'length')"
assert_eq "one kill each, in time order" "$p1 $p2" \
	"$(jqf "$OW_TMP/list2.json" 'sort_by(.start_time_ns) | map(.victims | join(",")) | join(" ")')"
assert_jq "both in the cgroup" \
	"length == 2 and all(.domain_cgroup == \"/$cg_name\" and .kills == 1)" "$OW_TMP/list2.json"
assert_jq "the second starts over 1 s after the first ends" \
	'sort_by(.start_time_ns) | .[1].start_time_ns - .[0].end_time_ns > 1000000000' "$OW_TMP/list2.json"
