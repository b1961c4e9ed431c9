#!/usr/bin/env bash
# The seed story in a 256 MiB memory cgroup: a victim at oom_score_adj 1000 holding 1 MiB, a
# bystander at 800 holding 40 MiB, and a hogger at 0 (this host cannot lower adj below 0)
# growing until memory runs out. The kernel kills the victim, then the bystander, then the
# hogger. oomwitness must record the chain in one incident and name the hogger.
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-story-$$
ow_cgroup_create "$cg_name" 256
cg=$OW_CG_DIR
ow_record_start

ow_spawn "$cg" --name victim --adj 1000 --hold-mib 1 --ready-file "$OW_TMP/victim.ready"
victim=$OW_LAST_PID
ow_spawn "$cg" --name bystander --adj 800 --hold-mib 40 --ready-file "$OW_TMP/bystander.ready"
bystander=$OW_LAST_PID
ow_wait_file "$OW_TMP/victim.ready" 10 && ow_wait_file "$OW_TMP/bystander.ready" 10 ||
	fail "victim and bystander did not start"
ow_spawn "$cg" --name hogger --adj 0 --grow-mib-s 64
hogger=$OW_LAST_PID

ow_wait_dead "$hogger" 60 || fail "the hogger was not OOM-killed within 60 s"
ow_wait_recorded_kills 3 10 || fail "the recorder committed fewer than 3 kills: $(cat "$OW_TMP/record.log")"
ow_record_stop
# The cgroup's own counter: an OOM elsewhere on the machine during the test does not count.
cg_kills=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"

"$OW" show --db "$OW_DB" --json last >"$OW_TMP/show.json" || fail "show --json last failed"
"$OW" show --db "$OW_DB" last >"$OW_TMP/show.txt" || fail "show last failed"
"$OW" list --db "$OW_DB" --json >"$OW_TMP/list.json" || fail "list --json failed"
j=$OW_TMP/show.json

# One incident, the whole chain in order, and nothing the kernel did left out.
assert_eq "incidents" 1 "$(jqf "$OW_TMP/list.json" 'length')"
assert_eq "kills recorded vs the cgroup's oom_kill counter" "$cg_kills" "$(jqf "$j" '.kills | length')"
assert_eq "kill chain" "$victim $bystander $hogger" "$(jqf "$j" '[.kills[].victim.pid] | join(" ")')"
assert_eq "domain kind" memcg "$(jqf "$j" '.domain.kind')"
assert_eq "domain cgroup" "/$cg_name" "$(jqf "$j" '.domain.cgroup')"
assert_eq "domain limit" $((256 << 20)) "$(jqf "$j" '.domain.limit_bytes')"
assert_eq "lost events" 0 "$(jqf "$j" '.lost_events')"

# Kill 1: the kernel's choice, explained.
k=.kills[0]
assert_eq "killer" kernel "$(jqf "$j" "$k.killer.kind")"
assert_eq "victim comm" victim "$(jqf "$j" "$k.victim.comm")"
assert_eq "victim adj" 1000 "$(jqf "$j" "$k.victim.oom_score_adj")"
assert_jq "victim cmdline kept" "$k.victim.cmdline | test(\"memhog --name victim\")" "$j"
assert_eq "trigger" "$hogger hogger" "$(jqf "$j" "$k.trigger.pid, $k.trigger.comm" | paste -sd' ')"
assert_eq "recomputed ranking puts the victim first" "$victim" "$(jqf "$j" "$k.candidates[0].pid")"
assert_jq "victim chosen by adj" "$k.candidates[0].adj_points > $k.candidates[0].memory_points" "$j"
# (length first: all() of an empty list is true; the three roles were all alive at kill 1)
assert_jq "every candidate in the cgroup" \
	"[$k.candidates[].cgroup] | length >= 3 and all(. == \"/$cg_name\")" "$j"
assert_jq "hogger held most of the limit" \
	"[$k.candidates[] | select(.pid == $hogger) | .rss_bytes] | .[0] > 150 * 1048576" "$j"
assert_jq "trigger kernel stack captured" "$k.trigger.kernel_stack | any(test(\"oom_kill_process\"))" "$j"

# The verdict: the hogger, with reasons; the victim innocent.
assert_eq "culprit kind" process "$(jqf "$j" '.culprit.kind')"
assert_eq "culprit" "$hogger hogger" "$(jqf "$j" '.culprit.pid, .culprit.comm' | paste -sd' ')"
assert_jq "culprit share" '.culprit.share > 0.6' "$j"
assert_jq "culprit reasons" '.culprit.reasons | length >= 2' "$j"
assert_jq "victim is innocent" "[.innocent_victims[]] | index($victim) != null" "$j"
assert_eq "list culprit" "$hogger" "$(jqf "$OW_TMP/list.json" '.[0].culprit.pid')"
assert_eq "list victims" "$victim $bystander $hogger" "$(jqf "$OW_TMP/list.json" '.[0].victims | join(" ")')"

# The text report says it at a glance, within 100 columns.
grep -q "VERDICT: hogger (pid $hogger)" "$OW_TMP/show.txt" || fail "text report does not name the hogger"
width=$(LC_ALL=C.UTF-8 wc -L <"$OW_TMP/show.txt")
[ "$width" -le 100 ] || fail "text report is $width columns wide, over 100"
# The database holds command lines: nobody else may read it.
assert_eq "database mode" 600 "$(stat -c %a "$OW_DB")"
