#!/usr/bin/env bash
# Issue 5, point 3, where the kernel gives fentry on oom_kill_process (Debian's kernels in the
# qemu guests): a memcg OOM in a 96 MiB cgroup v2 (memory.max, no swap); the recorder reads
# the kernel's struct oom_control at the kill, so the kill has oom_control true, the kernel's
# constraint "memcg" and OOM memcg, the failed allocation, and domain.total_bytes equal to
# oc->totalpages, which for a memcg without swap is memory.max. `check` says fentry is in use
# and the recorder's start-up line names it. Then the same through the kprobe
# (OOMWITNESS_OOMCTL_HOOK=kprobe), where the kernel has kprobes.
source "$OW_TOP/tests/e2e/lib.sh"
ow_require_root
[ -e /run/oomwitness-vm-guest ] || skip "runs only inside tests/vm/run.sh's guest"
[ "$(ow_memcg_version)" = 2 ] || fail "the guest should have cgroup v2"

"$OW" check >"$OW_TMP/check.txt" 2>&1 ||
	skip "record cannot run on this kernel: $(grep -E '^missing' "$OW_TMP/check.txt" | head -3)"
grep -q "^ok  *fentry/oom_kill_process" "$OW_TMP/check.txt" ||
	skip "this kernel gives no fentry on oom_kill_process: $(grep oom_kill_process "$OW_TMP/check.txt")"

# oom_once HOOK: a memcg OOM recorded with the oom_kill_process hook HOOK (fentry, kprobe).
oom_once() {
	local hook=$1 cg_name=ow-vm-oomctl-$1-$$ cg max hogger j k='.kills[0]'
	ow_cgroup_create "$cg_name" 96
	cg=$OW_CG_DIR
	max=$(cat "$cg/memory.max")
	rm -f "$OW_DB"*
	if [ "$hook" = kprobe ]; then
		OOMWITNESS_OOMCTL_HOOK=kprobe ow_record_start
	else
		ow_record_start
	fi
	grep -q "$hook/oom_kill_process" "$OW_TMP/record.log" ||
		fail "the recorder does not say it uses $hook: $(cat "$OW_TMP/record.log")"

	ow_spawn "$cg" --name hogger --adj 0 --grow-mib-s 64
	hogger=$OW_LAST_PID
	ow_wait_dead "$hogger" 60 || fail "$hook: the hogger was not OOM-killed within 60 s"
	ow_wait_recorded_kills 1 10 || fail "$hook: no kill recorded: $(cat "$OW_TMP/record.log")"
	ow_record_stop

	"$OW" show --db "$OW_DB" --json last >"$OW_TMP/show.json" || fail "show --json last failed"
	j=$OW_TMP/show.json
	assert_eq "$hook: victim" "$hogger" "$(jqf "$j" "$k.victim.pid")"
	assert_eq "$hook: oom_control" true "$(jqf "$j" "$k.oom_control")"
	assert_eq "$hook: kernel_report.constraint" memcg "$(jqf "$j" "$k.kernel_report.constraint")"
	assert_eq "$hook: kernel_report.oom_memcg" "/$cg_name" "$(jqf "$j" "$k.kernel_report.oom_memcg")"
	assert_eq "$hook: domain.total_bytes (oc->totalpages) vs memory.max" "$max" \
		"$(jqf "$j" "$k.domain.total_bytes")"
	assert_eq "$hook: domain kind" memcg "$(jqf "$j" "$k.domain.kind")"
	echo "    $hook: kill of $hogger: oom_control true, constraint memcg, total_bytes $max"
}

oom_once fentry
if grep -q "^ok  *kprobe/oom_kill_process" "$OW_TMP/check.txt"; then
	oom_once kprobe
else
	echo "    (no kprobe on this kernel: the kprobe path is not tested)"
fi
