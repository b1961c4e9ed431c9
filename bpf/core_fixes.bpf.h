/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version differences, chosen by CO-RE feature checks at load time, never by version
 * numbers. Each helper cites the kernel change it bridges. Only the BPF programs include this.
 */
#ifndef OW_CORE_FIXES_BPF_H
#define OW_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/*
 * mm->rss_stat: an array of percpu_counter since v6.2 (commit f1a7941243c1 "mm: convert mm's
 * rss stats into percpu_counter"); before, struct mm_rss_stat holding atomic_long_t count[].
 * We read the percpu_counter's central count without the per-CPU deltas, as get_mm_counter()
 * does. Kernels whose oom_badness() sums the deltas (get_mm_counter_sum) may differ from us by
 * up to the counter batch per CPU: small on few CPUs, hundreds of MiB on very large machines.
 */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline long ow_mm_counter(struct mm_struct *mm, int member)
{
	long v = 0;

	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *old = (void *)mm;

		v = BPF_CORE_READ(old, rss_stat.count[member].counter);
	} else {
		v = mm->rss_stat[member].count; /* a direct load: no helper call */
	}
	return v < 0 ? 0 : v;
}

/*
 * mm->flags: an unsigned long until v6.18 turned it into mm_flags_t, a bitmap struct (the
 * "mm: convert mm->flags to a bitmap" series). Its first word holds the MMF_* bits either way.
 * MMF_OOM_SKIP is a #define, absent from BTF: bit 21 in include/linux/mm_types.h since v4.10
 * (commit 862e3073b3ee) through v6.18; a kernel that moves it breaks only the "already reaped"
 * flag, never the snapshot.
 */
#define OW_MMF_OOM_SKIP 21

/* mm->flags before it became a bitmap struct (mm_flags_t, 6.18): a plain unsigned long. */
struct mm_struct___flags_long {
	unsigned long flags;
} __attribute__((preserve_access_index));

/*
 * CO-RE will not match the bitmap struct with the unsigned long of older kernels (6.12 and
 * before refuse the program), so each kernel takes the branch of its own type; the other is
 * dead code the verifier skips.
 */
static __always_inline bool ow_mm_oom_skip(struct mm_struct *mm)
{
	struct mm_struct___flags_long *old = (void *)mm;

	if (bpf_core_field_exists(old->flags))
		return old->flags & (1UL << OW_MMF_OOM_SKIP);
	return *(unsigned long *)&mm->flags & (1UL << OW_MMF_OOM_SKIP);
}

/*
 * memcg->memory_events_local[] appeared in v5.2 (commit 1e577f970f66 "mm, memcg: introduce
 * memory.events.local"). Older kernels: OW_OOM_EVENTS_UNKNOWN, and the consumer does without.
 */
static __always_inline __u64 ow_memcg_local_oom_events(struct mem_cgroup *memcg)
{
	if (!bpf_core_field_exists(memcg->memory_events_local))
		return OW_OOM_EVENTS_UNKNOWN;
	if (!bpf_core_enum_value_exists(enum memcg_memory_event, MEMCG_OOM))
		return OW_OOM_EVENTS_UNKNOWN;
	return BPF_CORE_READ(
		memcg, memory_events_local[bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM)]
			       .counter);
}

/*
 * memcg->oom_group (memory.oom.group, cgroup v2) came in v4.19 ("mm, oom: introduce
 * memory.oom.group"). A kernel without the field kills one process at a time: read as 0.
 */
static __always_inline __u32 ow_memcg_oom_group(struct mem_cgroup *memcg)
{
	if (!bpf_core_field_exists(memcg->oom_group))
		return 0;
	return BPF_CORE_READ(memcg, oom_group) ? 1 : 0;
}

/*
 * task->signal->oom_mm: the address space of an OOM victim, pinned by mark_oom_victim() (v4.10,
 * "oom: keep mm of the oom victim alive"). Kernels without it: NULL, the reaper's end reads
 * "unknown".
 */
static __always_inline struct mm_struct *ow_task_oom_mm(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->signal->oom_mm))
		return NULL;
	return task->signal->oom_mm;
}

#endif
