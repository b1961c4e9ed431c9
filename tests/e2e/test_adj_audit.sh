#!/usr/bin/env bash
# Issue 4, point 2: the oom_score_adj audit. In a 128 MiB memory cgroup, "adjvictim" (4 MiB,
# born at adj 0) has its oom_score_adj written by another process, a bash script named
# "adjsetter" (`echo 500 >/proc/PID/oom_score_adj`, then 1000: this host cannot go below 0),
# then forks "adjchild", which inherits 1000. A "hogger" at adj 0 grows until the OOM kills
# all three. Each PROC object carries oom_score_adj_changes:
#   adjvictim: {old 0, new 500, by adjsetter}, {old 500, new 1000, by adjsetter}
#   adjchild:  {new 1000, by_pid adjvictim, inherited true}
#   hogger:    []
# and the text says "oom_score_adj set to 500 by pid N (adjsetter) at HH:MM:SS" and
# "oom_score_adj 1000 inherited from pid N (adjvictim) at fork, HH:MM:SS".
# Seen by hand (tracefs oom:oom_score_adj_update): two events from the adjsetter, 16 us apart;
# the kernel then killed adjchild first (8.2 MiB anon: its parent's 4 MiB still shared
# copy-on-write, plus its own 4), adjvictim 72 ms later, the hogger (128 MiB) 91 ms after.
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-adj-$$
ow_cgroup_create "$cg_name" 128
cg=$OW_CG_DIR
ow_record_start

ow_spawn "$cg" --name adjvictim --hold-mib 4 --wait-file "$OW_TMP/go" --children 1 --child-mib 4 \
	--child-name adjchild --pids-file "$OW_TMP/pids" --ready-file "$OW_TMP/victim.ready"
victim=$OW_LAST_PID
ow_wait_comm "$victim" adjvictim 10 || fail "adjvictim did not start"
ow_script adjsetter 'echo 500 >"/proc/$1/oom_score_adj" && echo 1000 >"/proc/$1/oom_score_adj"'
"$OW_SCRIPT" "$victim" &
setter=$!
wait "$setter" || fail "adjsetter could not write /proc/$victim/oom_score_adj"
assert_eq "adjvictim's adj after adjsetter" 1000 "$(cat "/proc/$victim/oom_score_adj")"
touch "$OW_TMP/go" # now adjvictim forks its child
ow_wait_file "$OW_TMP/victim.ready" 10 || fail "adjchild was not forked"
child=$(head -n1 "$OW_TMP/pids")
assert_eq "adjchild's comm" adjchild "$(cat "/proc/$child/comm")"
assert_eq "adjchild's inherited adj" 1000 "$(cat "/proc/$child/oom_score_adj")"

ow_spawn "$cg" --name hogger --grow-mib-s 64
hogger=$OW_LAST_PID
ow_wait_dead "$hogger" 30 || fail "the hogger was not OOM-killed within 30 s"
ow_wait_recorded_kills 3 10 || fail "fewer than 3 kills recorded: $(cat "$OW_TMP/record.log")"
ow_record_stop
cg_kills=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"

j=$OW_TMP/show.json
"$OW" show --db "$OW_DB" --json last >"$j" || fail "show --json last failed"
"$OW" show --db "$OW_DB" --color=never last >"$OW_TMP/show.txt" || fail "show last failed"
assert_eq "kills recorded vs the cgroup's oom_kill counter" "$cg_kills" "$(jqf "$j" '.kills | length')"
assert_eq "victims" "$(printf '%s\n' "$victim" "$child" "$hogger" | sort -n | paste -sd' ')" \
	"$(jqf "$j" '[.kills[].victim.pid] | sort | map(tostring) | join(" ")')"

# adjvictim, as the victim of its kill: two writes by the adjsetter, the first from 0.
v="(.kills[] | select(.victim.pid == $victim) | .victim.oom_score_adj_changes)"
assert_eq "adjvictim: changes" 2 "$(jqf "$j" "$v | length")"
assert_eq "adjvictim: change 1 {old, new, by_pid, by_comm, inherited}" \
	"0 500 $setter adjsetter false" \
	"$(jqf "$j" "${v}[0] | .old, .new, .by_pid, .by_comm, .inherited" | paste -sd' ')"
assert_eq "adjvictim: change 2 {old, new, by_pid, by_comm, inherited}" \
	"500 1000 $setter adjsetter false" \
	"$(jqf "$j" "${v}[1] | .old, .new, .by_pid, .by_comm, .inherited" | paste -sd' ')"
assert_jq "adjvictim: change times in order" "$OW_JQ_DEFS $v | (.[0].time | ms) <= (.[1].time | ms)" "$j"

# adjchild: born with 1000 from its parent.
c="(.kills[] | select(.victim.pid == $child) | .victim.oom_score_adj_changes)"
assert_eq "adjchild: changes" 1 "$(jqf "$j" "$c | length")"
assert_eq "adjchild: inherited change {new, by_pid, by_comm, inherited}" \
	"1000 $victim adjvictim true" \
	"$(jqf "$j" "${c}[0] | .new, .by_pid, .by_comm, .inherited" | paste -sd' ')"
assert_jq "adjchild: old is the parent's value (or unknown)" "${c}[0].old | . == 1000 or . == null" "$j"
assert_jq "adjchild: born after adjvictim's last change" \
	"$OW_JQ_DEFS (${c}[0].time | ms) >= (${v}[1].time | ms)" "$j"

# The hogger never had a change: [] (not null), as victim and as every kill's trigger.
assert_eq "hogger: changes as victim" "[]" \
	"$(jqf "$j" -c ".kills[] | select(.victim.pid == $hogger) | .victim.oom_score_adj_changes")"
assert_eq "hogger: changes as trigger, every kill" "[[]]" \
	"$(jqf "$j" -c "[.kills[].trigger | select(.pid == $hogger) | .oom_score_adj_changes] | unique")"
# Attached to the candidates too: adjvictim's history as a candidate of the first kill.
assert_eq "adjvictim as a candidate of kill 1: changes" 2 \
	"$(jqf "$j" "[.kills[0].candidates[] | select(.pid == $victim) | .oom_score_adj_changes | length] | .[0]")"

# The text report says who set it, and when (local time, as the report shows times).
t500=$(ow_local_hms "$(jqf "$j" "${v}[0].time")")
t1000=$(ow_local_hms "$(jqf "$j" "${v}[1].time")")
tfork=$(ow_local_hms "$(jqf "$j" "${c}[0].time")")
# (A date comes before the time when the change was on another day than the kill.)
for want in "oom_score_adj set to 500 by pid $setter \(adjsetter\) at ([0-9-]+ )?$t500" \
	"oom_score_adj set to 1000 by pid $setter \(adjsetter\) at ([0-9-]+ )?$t1000" \
	"oom_score_adj 1000 inherited from pid $victim \(adjvictim\) at fork, ([0-9-]+ )?$tfork"; do
	ow_text_grep "$OW_TMP/show.txt" -E "$want" || fail "text report lacks /$want/"
done
