// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's own view of an OOM kill: struct oom_control, read on entry to
 * oom_kill_process(oc, message), after select_bad_process() chose oc->chosen. Where the
 * kernel gives BPF trampolines the fentry program runs, else the kprobe one; the loader
 * (src/capture/bpf_oomctl.c) loads only the one that works. Each kill leaves one record in an
 * LRU map keyed by the victim's tgid, which user space looks up when the tracepoint path
 * (oomkill.bpf.c) hands it the kill: the tracepoint fires later in the same kill, so the record
 * is always there first. Nothing here is required: a kernel without either hook records kills
 * without it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "oomctl_abi.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OW_OOMCTL_MAX_ENTRIES);
	__type(key, __s32);
	__type(value, struct ow_oomctl_record);
} oomctl_records SEC(".maps");

static __always_inline int record_oom_control(struct oom_control *oc)
{
	struct ow_oomctl_record r = {};
	struct task_struct *chosen;
	struct mem_cgroup *memcg;

	chosen = BPF_CORE_READ(oc, chosen);
	if (!chosen || (unsigned long)chosen == (unsigned long)-1)
		return 0;
	r.boot_ns = bpf_ktime_get_boot_ns();
	r.victim_tgid = BPF_CORE_READ(chosen, tgid);
	r.trigger_tgid = (__s32)(bpf_get_current_pid_tgid() >> 32);
	r.totalpages = BPF_CORE_READ(oc, totalpages);
	r.chosen_points = BPF_CORE_READ(oc, chosen_points);
	r.gfp_mask = BPF_CORE_READ(oc, gfp_mask);
	r.order = BPF_CORE_READ(oc, order);
	/* oc->constraint: a local of out_of_memory() before v4.19 */
	if (bpf_core_field_exists(oc->constraint))
		r.constraint = BPF_CORE_READ(oc, constraint);
	else
		r.constraint = OW_OOMCTL_CONSTRAINT_UNKNOWN;
	memcg = BPF_CORE_READ(oc, memcg);
	if (memcg)
		r.memcg_id = BPF_CORE_READ(memcg, css.cgroup, kn, id);
	bpf_map_update_elem(&oomctl_records, &r.victim_tgid, &r, BPF_ANY);
	return 0;
}

SEC("fentry/oom_kill_process")
int BPF_PROG(ow_oomctl_fentry, struct oom_control *oc, const char *message)
{
	return record_oom_control(oc);
}

SEC("kprobe/oom_kill_process")
int BPF_KPROBE(ow_oomctl_kprobe, struct oom_control *oc)
{
	return record_oom_control(oc);
}
