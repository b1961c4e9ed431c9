#!/usr/bin/env bash
# Issue 4, point 6: /dev/kmsg as a second witness.
# (A) `record --no-bpf`: a "hogger" grows beside an "idle" process in a 96 MiB memory cgroup
#     until the OOM kills it; the recorder sees it in the kernel log alone: snapshot "kmsg",
#     victim pid and comm, the domain's cgroup and limit, the trigger from the "CPU: ... PID:"
#     line, candidates from the kernel's task dump (vm.oom_dump_tasks, 1 by default), the
#     kernel's report (constraint memcg). Kills already in the kernel log before the recorder
#     started are not replayed (this machine's log is full of other tests' OOMs).
# (B) with BPF (the default), the same in another cgroup: the BPF kill is confirmed by the
#     kernel's own report, kmsg_confirmed true, kernel_report as the kernel logged it (checked
#     against dmesg: constraint, oom_memcg, task_memcg, gfp_mask, order).
# The kernel prints an OOM's report at most 10 times per 5 s; the test waits for a fresh
# window first (lib.sh ow_wait_oom_report_quiet).
# Seen by hand on the CI machine kind (6.18, dmesg): "hog invoked oom-killer:
# gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0", "CPU: 1 UID: 0 PID: N Comm: hog ...",
# the memcg's "memory: usage 98304kB, limit 98304kB, failcnt N" line, the 6.18 task dump
# header "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes
# swapents oom_score_adj name" with one row per task of the cgroup, then
# "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,
# oom_memcg=/NAME,task_memcg=/NAME,task=hog,pid=N,uid=0" and "Memory cgroup out of memory:
# Killed process N (hog) total-vm:...".
source "$(dirname "$0")/lib.sh"
ow_require_root
[ -r /dev/kmsg ] || skip "no readable /dev/kmsg"
[ "$(cat /proc/sys/vm/oom_dump_tasks)" = 1 ] ||
	skip "vm.oom_dump_tasks is 0: the kernel logs no task dump (candidates from kmsg)"

# run_oom NAME: a hogger and an idle process in a new 96 MiB cgroup, until the OOM kills the
# hogger; sets cg, hogger, idle, t0_ms, t1_ms.
run_oom() {
	ow_cgroup_create "$1" 96
	cg=$OW_CG_DIR
	t0_ms=$(($(ow_now_us) / 1000))
	ow_spawn "$cg" --name idle --hold-mib 4 --ready-file "$OW_TMP/$1.idle.ready"
	idle=$OW_LAST_PID
	ow_wait_file "$OW_TMP/$1.idle.ready" 10 || fail "$1: idle did not start"
	ow_spawn "$cg" --name hogger --grow-mib-s 64
	hogger=$OW_LAST_PID
	ow_wait_dead "$hogger" 30 || fail "$1: the hogger was not OOM-killed within 30 s"
	ow_wait_recorded_kills 1 10 || fail "$1: no kill recorded: $(cat "$OW_TMP/record.log")"
	t1_ms=$(($(ow_now_us) / 1000))
	kill -0 "$idle" 2>/dev/null || fail "$1: idle was killed too"
}

# (A) --------------------------------------------------------------------------------------
ow_wait_oom_report_quiet
a_name=oomwitness-e2e-kmsg-a-$$
OW_DB=$OW_TMP/kmsg-only.db
ow_record_start --no-bpf
run_oom "$a_name"
a_kills=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"
a_hogger=$hogger a_idle=$idle
ow_record_stop
grep -q "Killed process $a_hogger (hogger)" <(dmesg) ||
	fail "(A) setup: the kernel log has no 'Killed process $a_hogger (hogger)'"
dmesg | grep -q "^\[ *[0-9.]*\] \[ *$a_hogger\] " ||
	fail "(A) setup: the kernel's task dump lacks the hogger (ratelimited?)"

"$OW" list --db "$OW_DB" --json >"$OW_TMP/a-list.json" || fail "(A) list --json failed"
assert_eq "(A) incidents (none replayed from the old kernel log)" 1 "$(jqf "$OW_TMP/a-list.json" 'length')"
j=$OW_TMP/a.json
"$OW" show --db "$OW_DB" --json last >"$j" || fail "(A) show --json failed"
"$OW" show --db "$OW_DB" --color=never last >"$OW_TMP/a.txt" || fail "(A) show failed"
k='.kills[0]'
assert_eq "(A) kills vs the cgroup's oom_kill counter" "$a_kills" "$(jqf "$j" '.kills | length')"
assert_eq "(A) snapshot" kmsg "$(jqf "$j" "$k.snapshot")"
assert_eq "(A) kmsg_confirmed" true "$(jqf "$j" "$k.kmsg_confirmed")"
assert_eq "(A) killer" kernel "$(jqf "$j" "$k.killer.kind")"
assert_eq "(A) victim" "$a_hogger hogger" "$(jqf "$j" "$k.victim.pid, $k.victim.comm" | paste -sd' ')"
assert_eq "(A) victim adj" 0 "$(jqf "$j" "$k.victim.oom_score_adj")"
assert_jq "(A) victim rss from the Killed line (> 48 MiB)" "$k.victim.rss_bytes > $((48 << 20))" "$j"
assert_eq "(A) trigger (the CPU: line)" "$a_hogger" "$(jqf "$j" "$k.trigger.pid")"
assert_eq "(A) domain" "memcg /$a_name" "$(jqf "$j" "$k.domain.kind, $k.domain.cgroup" | paste -sd' ')"
assert_eq "(A) domain limit (the memory: line)" $((96 << 20)) "$(jqf "$j" "$k.domain.limit_bytes")"
assert_jq "(A) kill time is now (boot time + the offset to real time)" \
	"$k.time_ns / 1000000 | . >= $t0_ms - 1000 and . <= $t1_ms + 1000" "$j"
assert_jq "(A) candidates from the task dump: hogger and idle" \
	"[$k.candidates[].pid] | index($a_hogger) != null and index($a_idle) != null" "$j"
assert_jq "(A) idle's rss from the dump (4 MiB held)" \
	"[$k.candidates[] | select(.pid == $a_idle) | .rss_bytes] | .[0] >= $((4 << 20))" "$j"
assert_eq "(A) kernel_report" "memcg /$a_name /$a_name" \
	"$(jqf "$j" "$k.kernel_report | .constraint, .oom_memcg, .task_memcg" | paste -sd' ')"
ow_text_grep "$OW_TMP/a.txt" -F "hogger (pid $a_hogger)" || fail "(A) text report does not name the hogger"

# (B) --------------------------------------------------------------------------------------
b_name=oomwitness-e2e-kmsg-b-$$
OW_DB=$OW_TMP/bpf.db
ow_record_start
run_oom "$b_name"
b_kills=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"
sleep 1 # the kernel's report follows the BPF kill; its confirmation is stored as it comes
ow_record_stop
# What the kernel logged for this kill: the "invoked oom-killer" line just before the
# "CPU: ... PID: <hogger>" line, and the oom-kill: line naming the hogger.
invoked=$(dmesg | grep -B1 -E "CPU: [0-9]+ .*PID: $hogger Comm: hogger" |
	sed -n 's/.*invoked oom-killer: gfp_mask=\(0x[0-9a-f]*\).*order=\(-\{0,1\}[0-9]*\),.*/\1 \2/p' | tail -n1)
[ -n "$invoked" ] || fail "(B) setup: no 'invoked oom-killer' line for pid $hogger in the kernel log"
oomkill=$(dmesg | grep -E "oom-kill:constraint=.*,task=hogger,pid=$hogger," | tail -n1)
[ -n "$oomkill" ] || fail "(B) setup: no oom-kill: line for pid $hogger in the kernel log"

j=$OW_TMP/b.json
"$OW" show --db "$OW_DB" --json last >"$j" || fail "(B) show --json failed"
assert_eq "(B) kills vs the cgroup's oom_kill counter (no double count)" "$b_kills" \
	"$(jqf "$j" '.kills | length')"
assert_eq "(B) victim" "$hogger" "$(jqf "$j" "$k.victim.pid")"
assert_eq "(B) snapshot (BPF)" full "$(jqf "$j" "$k.snapshot")"
assert_eq "(B) kmsg_confirmed" true "$(jqf "$j" "$k.kmsg_confirmed")"
assert_eq "(B) kernel_report.constraint" memcg "$(jqf "$j" "$k.kernel_report.constraint")"
[[ "$oomkill" == *"CONSTRAINT_MEMCG"* ]] || fail "(B) the kernel logged another constraint: $oomkill"
assert_eq "(B) kernel_report.oom_memcg" "/$b_name" "$(jqf "$j" "$k.kernel_report.oom_memcg")"
assert_eq "(B) kernel_report.task_memcg" "/$b_name" "$(jqf "$j" "$k.kernel_report.task_memcg")"
assert_eq "(B) kernel_report gfp_mask and order, as the kernel logged them" "$invoked" \
	"$(jqf "$j" "$k.kernel_report | .gfp_mask, .order" | paste -sd' ')"
