/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record bpf/oomctl.bpf.c keeps per OOM kill: the kernel's own struct oom_control, read on
 * entry to oom_kill_process(). Shared by the BPF program and user space (src/capture/oomctl.h, bpf_oomctl.h);
 * kernel integer types only: user space includes <linux/types.h> first.
 */
#ifndef OW_OOMCTL_ABI_H
#define OW_OOMCTL_ABI_H

/* How many victims' records the map keeps (an LRU: the oldest goes). */
#define OW_OOMCTL_MAX_ENTRIES 1024

/* Values of ow_oomctl_record.constraint: the kernel's enum oom_constraint. */
#define OW_OOMCTL_CONSTRAINT_NONE 0
#define OW_OOMCTL_CONSTRAINT_CPUSET 1
#define OW_OOMCTL_CONSTRAINT_MEMORY_POLICY 2
#define OW_OOMCTL_CONSTRAINT_MEMCG 3
#define OW_OOMCTL_CONSTRAINT_UNKNOWN 0xffffffffu /* the kernel has no oc->constraint */

/* The map oomctl_records: victim tgid -> this. */
struct ow_oomctl_record {
	__u64 boot_ns; /* bpf_ktime_get_boot_ns() at oom_kill_process() */
	__u64 totalpages; /* oc->totalpages */
	__s64 chosen_points; /* oc->chosen_points */
	__u64 memcg_id; /* kernfs id of oc->memcg's cgroup; 0 for a global OOM */
	__s32 victim_tgid; /* oc->chosen->tgid */
	__u32 constraint; /* oc->constraint, OW_OOMCTL_CONSTRAINT_* */
	__u32 gfp_mask; /* oc->gfp_mask */
	__s32 order; /* oc->order; -1 for sysrq or a memory.max write */
	__s32 trigger_tgid; /* current->tgid: the task that ran the OOM killer */
	__u32 pad;
};

#endif
