#!/usr/bin/env bash
# Issue 4, point 5: kill chains in depth.
# (a) A process sharing the victim's memory. "sharehog" clones "mmsharer"
#     (clone(CLONE_VM | SIGCHLD): its own pid, the same mm) and grows in a 96 MiB cgroup. Both
#     have the same badness, so the kernel picks either as victim and kills the other with it
#     (SIGKILL from the kernel, not a kill of its own): one kill, also_killed = the other.
# (b) A victim already exiting, and the OOM reaper. "bighog" (150 MiB, in a 160 MiB cgroup)
#     and its mm-sharing clone "mmholder" are frozen (cgroup v1 freezer) and SIGKILLed from
#     user space: two signal kills; frozen, neither can exit. mmholder is moved to another
#     memory cgroup (v1 moves no charges): it is no candidate there. Then "hog2" grows in
#     bighog's cgroup: the OOM killer picks bighog, sees it already exiting (and every sharer
#     too) and only marks it (no SIGKILL, no report in the kernel log), thawing it. bighog
#     exits at once, but the still-frozen mmholder keeps the mm alive: the OOM reaper unmaps
#     it about 2 s later. Meanwhile the next OOM kills hog2. The kernel kill of bighog has
#     victim_was_exiting true and aftermath.reaper with freed_bytes near 150 MiB; then the
#     test thaws mmholder, which exits.
# Seen by hand (tracefs oom:* and sched_process_exit, 6.18): mark_victim bighog, bighog exits
# 44 us later; hog2 SIGKILLed by the kernel and marked 0.4 ms after; wake_reaper for bighog
# 2.02 s after its mark, start_task_reaping 2.027 s, finish_task_reaping 2.048 s (21 ms);
# dmesg "oom_reaper: reaped process N (bighog), now anon-rss:16kB, file-rss:0kB,
# shmem-rss:0kB"; the cgroup's oom_kill counter counts 1 (hog2: the exiting path counts
# nothing). Without the second cgroup (mmholder a candidate too) the kernel marks mmholder,
# thaws it, and marks bighog 28 ms later: no reaper. With threads instead of a clone every
# thread is thawed with the victim: no reaper either.
source "$(dirname "$0")/lib.sh"
ow_require_root
[ -f /sys/fs/cgroup/freezer/cgroup.procs ] ||
	skip "part (b) needs the cgroup v1 freezer (a v2 freezer lets SIGKILL through)"

# (a) ---------------------------------------------------------------------------------------
a_name=oomwitness-e2e-chain-a-$$
ow_cgroup_create "$a_name" 96
cg_a=$OW_CG_DIR
# (b) ---------------------------------------------------------------------------------------
b_name=oomwitness-e2e-chain-b-$$
ow_cgroup_create "$b_name" 160
cg_b=$OW_CG_DIR
ow_cgroup_create oomwitness-e2e-chain-hold-$$ 64
cg_hold=$OW_CG_DIR
ow_freezer_create oomwitness-e2e-chain-fz-$$
fz=$OW_FZ_DIR
ow_record_start

ow_spawn "$cg_a" --name sharehog --share-mm mmsharer --pids-file "$OW_TMP/a.pids" --grow-mib-s 64
sharehog=$OW_LAST_PID
ow_wait_dead "$sharehog" 30 || fail "(a) sharehog was not OOM-killed within 30 s"
mmsharer=$(head -n1 "$OW_TMP/a.pids")
[ -n "$mmsharer" ] || fail "(a) no mmsharer pid written"
ow_wait_dead "$mmsharer" 5 || fail "(a) mmsharer (pid $mmsharer) outlived the kill of the mm it shares"
a_kills=$(ow_cgroup_oom_kills "$cg_a") || fail "cannot read the OOM-kill counter of $cg_a"
assert_eq "(a) kernel OOM kills in $a_name" 1 "$a_kills"

ow_spawn "$cg_b" --name bighog --hold-mib 150 --share-mm mmholder --pids-file "$OW_TMP/b.pids" \
	--ready-file "$OW_TMP/bighog.ready"
bighog=$OW_LAST_PID
ow_wait_file "$OW_TMP/bighog.ready" 10 || fail "(b) bighog did not start"
mmholder=$(head -n1 "$OW_TMP/b.pids")
ow_wait_comm "$mmholder" mmholder 5 || fail "(b) no mmholder clone"
OW_PIDS+=("$mmholder")
echo "$bighog" >"$fz/cgroup.procs" && echo "$mmholder" >"$fz/cgroup.procs" ||
	fail "(b) moving bighog and mmholder into the freezer"
echo "$mmholder" >"$cg_hold/cgroup.procs" || fail "(b) moving mmholder out of $b_name"
usage=$(cat "$cg_b/memory.usage_in_bytes")
[ "$usage" -ge $((150 << 20)) ] || fail "(b) setup: $b_name holds $((usage >> 20)) MiB, not bighog's 150"
ow_freeze "$fz"
kill -9 "$bighog" "$mmholder"
sleep 0.3
grep -q '^State:.*D' "/proc/$bighog/status" ||
	fail "(b) bighog is not frozen after SIGKILL: $(grep State "/proc/$bighog/status" 2>&1)"
ow_spawn "$cg_b" --name hog2 --grow-mib-s 32
hog2=$OW_LAST_PID
ow_dmesg_wait "oom_reaper: reaped process $bighog \\(bighog\\)" 10 ||
	fail "(b) no 'oom_reaper: reaped process $bighog (bighog)' in the kernel log within 10 s"
kill -0 "$mmholder" 2>/dev/null || fail "(b) mmholder exited before the thaw"
ow_thaw "$fz"
ow_wait_dead "$mmholder" 5 || fail "(b) mmholder did not exit once thawed"
ow_wait_dead "$hog2" 20 || fail "(b) hog2 was not OOM-killed"
b_kills=$(ow_cgroup_oom_kills "$cg_b") || fail "cannot read the OOM-kill counter of $cg_b"
# (a) 1 kill; (b) 2 signal kills, the exiting bighog (not counted by the cgroup), hog2's.
want=$((a_kills + 2 + 1 + b_kills))
ow_wait_recorded_kills "$want" 10 || fail "fewer than $want kills recorded: $(cat "$OW_TMP/record.log")"
sleep 1 # the aftermath of the last kills (exits) is stored as it comes
ow_record_stop

all=$OW_TMP/all-kills.json
ow_show_all_kills "$all"
assert_eq "kills recorded" "$want" "$(jqf "$all" 'length')"

# (a) One kill for both processes of the mm; the other one is also_killed.
ka="(.[] | select(.domain.cgroup == \"/$a_name\"))"
assert_eq "(a) kills" 1 "$(jqf "$all" "[$ka] | length")"
a_victim=$(jqf "$all" "$ka.victim.pid")
case $a_victim in
"$sharehog") other=$mmsharer other_comm=mmsharer ;;
"$mmsharer") other=$sharehog other_comm=sharehog ;;
*) fail "(a) victim $a_victim is neither sharehog ($sharehog) nor mmsharer ($mmsharer)" ;;
esac
assert_eq "(a) killer" kernel "$(jqf "$all" "$ka.killer.kind")"
assert_eq "(a) also_killed" "[{\"pid\":$other,\"comm\":\"$other_comm\"}]" \
	"$(jqf "$all" -c "$ka.also_killed | map({pid, comm})")"
assert_eq "(a) victim_was_exiting" false "$(jqf "$all" "$ka.victim_was_exiting")"
assert_eq "(a) oom_group" false "$(jqf "$all" "$ka.oom_group")"
assert_eq "(a) the kernel's SIGKILL to the sharer is not a kill of its own" 0 \
	"$(jqf "$all" "[.[] | select(.victim.pid == $other)] | length")"

# (b) The two user kills of the frozen processes.
for pid in "$bighog" "$mmholder"; do
	s="(.[] | select(.victim.pid == $pid and .killer.kind == \"signal\"))"
	assert_eq "(b) signal kills of pid $pid" 1 "$(jqf "$all" "[$s] | length")"
	assert_eq "(b) signal kill of pid $pid: killer is this test's shell" "$$" \
		"$(jqf "$all" "$s.killer.pid")"
	assert_jq "(b) signal kill of pid $pid: its exit seen" "$s.aftermath.exit_time != null" "$all"
done
# mmholder stayed frozen until the thaw, after the reaper (about 2 s after the OOM).
assert_jq "(b) mmholder exited >= 1.5 s after its SIGKILL" \
	"(.[] | select(.victim.pid == $mmholder and .killer.kind == \"signal\") |
	.aftermath.kill_to_exit_ms) >= 1500" "$all"

# (b) The kernel's kill of the exiting bighog: marked, not killed, then reaped.
kb="(.[] | select(.victim.pid == $bighog and .killer.kind == \"kernel\"))"
assert_eq "(b) kernel kills of bighog" 1 "$(jqf "$all" "[$kb] | length")"
assert_eq "(b) victim_was_exiting" true "$(jqf "$all" "$kb.victim_was_exiting")"
assert_eq "(b) trigger" "$hog2" "$(jqf "$all" "$kb.trigger.pid")"
assert_eq "(b) domain" "/$b_name" "$(jqf "$all" "$kb.domain.cgroup")"
assert_eq "(b) kmsg_confirmed (the exiting path writes no report to the kernel log)" false \
	"$(jqf "$all" "$kb.kmsg_confirmed")"
assert_jq "(b) aftermath.reaper seen" "$kb.aftermath.reaper != null" "$all"
assert_jq "(b) reaper freed_bytes >= 100 MiB (150 MiB held)" \
	"$kb.aftermath.reaper.freed_bytes >= $((100 << 20))" "$all"
assert_jq "(b) reaper freed_bytes <= the victim's memory" \
	"$kb.aftermath.reaper.freed_bytes <= $kb.victim.rss_bytes" "$all"
assert_jq "(b) reaper started 1.5..5 s after the kill (OOM_REAPER_DELAY is 2 s)" \
	"$OW_JQ_DEFS $kb | ((.aftermath.reaper.start_time | ms) - (.time_ns / 1000000)) |
	. >= 1500 and . <= 5000" "$all"
assert_jq "(b) reaper end >= start" \
	"$OW_JQ_DEFS $kb.aftermath.reaper | (.end_time | ms) >= (.start_time | ms)" "$all"
assert_jq "(b) reaper duration_ms 0..2000" \
	"$kb.aftermath.reaper.duration_ms | . != null and . >= 0 and . < 2000" "$all"
# bighog itself (its last thread) exited right after the mark; its mm lived on in mmholder.
assert_jq "(b) exit seen" "$kb.aftermath.exit_time != null" "$all"
assert_jq "(b) kill_to_exit_ms 0..1000" \
	"$kb.aftermath.kill_to_exit_ms | . != null and . >= 0 and . < 1000" "$all"

# (b) hog2: an ordinary kernel kill, reported in the kernel log.
k2="(.[] | select(.victim.pid == $hog2))"
assert_eq "(b) hog2 kills" 1 "$(jqf "$all" "[$k2] | length")"
assert_eq "(b) hog2: killer, victim_was_exiting, kmsg_confirmed" "kernel false true" \
	"$(jqf "$all" "$k2 | .killer.kind, .victim_was_exiting, .kmsg_confirmed" | paste -sd' ')"

# The text report of (b)'s incident tells the reaper's work and the exit.
id=$(jqf "$all" "$kb.incident_id")
"$OW" show --db "$OW_DB" --color=never "$id" >"$OW_TMP/b.txt" || fail "show $id failed"
ow_text_grep "$OW_TMP/b.txt" -E \
	"reaped by the OOM reaper in [0-9.]+ m?s: [0-9.]+ [KMG]iB freed; exited [0-9.]+ m?s after the kill" ||
	fail "text report lacks 'reaped by the OOM reaper in N ms: N MiB freed; exited N ms after the kill'"
