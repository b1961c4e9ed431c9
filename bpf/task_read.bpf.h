/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a task for user space: its memory split, adj, flags and memory cgroup, into the ABI's
 * struct ow_task_record. Shared by the kill-time snapshot (oomkill.bpf.c) and the sampler
 * (sampler.bpf.c), so that a process reads the same at a kill and in its history.
 *
 * Direct loads through BTF pointers: the verifier turns them into guarded loads, with no helper
 * call per field. This runs for every process at every kill and every sample.
 */
#ifndef OW_TASK_READ_BPF_H
#define OW_TASK_READ_BPF_H

#include "core_fixes.bpf.h"
#include "oomwitness.h"

#define PF_KTHREAD 0x00200000

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __weak __ksym;

/*
 * The task's memory cgroup css; NULL when none. Direct loads: the subsystem's index is a CO-RE
 * constant, so the verifier keeps the pointer typed and the loads guarded, with no helper call.
 */
static __always_inline struct cgroup_subsys_state *task_memcg_css(struct task_struct *task)
{
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return NULL;
	return task->cgroups->subsys[bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id)];
}

/*
 * The same css's address as a plain number (0: none): for global functions, which take no BTF
 * pointer, and for keeping in maps. A pointer cast stays a pointer to the verifier; a probe
 * read of the slot gives a scalar (one helper call).
 */
static __always_inline __u64 task_memcg_css_addr(struct task_struct *task)
{
	__u64 css;
	int id;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (bpf_core_read(&css, sizeof(css), &task->cgroups->subsys[id]))
		return 0;
	return css;
}

/* A css address from task_memcg_css_addr, back to a BTF pointer. */
static __always_inline struct cgroup_subsys_state *task_memcg_css_cast(__u64 css_addr)
{
	return bpf_rdonly_cast((void *)css_addr,
			       bpf_core_type_id_kernel(struct cgroup_subsys_state));
}

static __always_inline __u64 css_id(struct cgroup_subsys_state *css)
{
	return css->cgroup->kn->id;
}

static __always_inline __u64 task_memcg_id(struct task_struct *task)
{
	struct cgroup_subsys_state *css = task_memcg_css(task);

	return css ? css_id(css) : 0;
}

static __always_inline void fill_task(struct ow_task_record *r, struct task_struct *task,
				      __u64 memcg_id)
{
	struct task_struct *parent = task->real_parent;
	struct mm_struct *mm = task->mm;
	__u32 flags = 0;

	r->tgid = task->tgid;
	r->pid = task->pid;
	r->ppid = parent->tgid;
	r->uid = task->cred->uid.val;
	r->oom_score_adj = task->signal->oom_score_adj;
	r->memcg_id = memcg_id;
	__builtin_memcpy(r->comm, task->comm, sizeof(r->comm));
	if (task->flags & PF_KTHREAD)
		flags |= OW_TASK_F_KTHREAD;
	if (task->signal->oom_mm)
		flags |= OW_TASK_F_OOM_VICTIM;
	if (!mm) {
		r->file_pages = r->anon_pages = r->swap_pages = r->shmem_pages = 0;
		r->pgtables_bytes = 0;
		r->flags = flags | OW_TASK_F_NO_MM;
		return;
	}
	if (ow_mm_oom_skip(mm))
		flags |= OW_TASK_F_OOM_SKIP;
	if (task->vfork_done && parent->mm == mm)
		flags |= OW_TASK_F_VFORK;
	r->file_pages = ow_mm_counter(mm, MM_FILEPAGES);
	r->anon_pages = ow_mm_counter(mm, MM_ANONPAGES);
	r->swap_pages = ow_mm_counter(mm, MM_SWAPENTS);
	r->shmem_pages = ow_mm_counter(mm, MM_SHMEMPAGES);
	r->pgtables_bytes = mm->pgtables_bytes.counter;
	r->flags = flags;
}

/*
 * The walk's reads, for kernels without the task-iterator kfuncs (before 6.7) or bpf_rdonly_cast
 * (before 6.2): the task comes from a list walk as a plain address, not a BTF pointer, so every
 * field goes through bpf_probe_read_kernel (BPF_CORE_READ). Slower than the direct loads above
 * (a helper call per field) but the same record, on every kernel with BTF and bpf_loop (5.17+).
 */
static __always_inline long ow_mm_counter_slow(struct mm_struct *mm, int member)
{
	long v = 0;

	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *old = (void *)mm;

		v = BPF_CORE_READ(old, rss_stat.count[member].counter);
	} else {
		v = BPF_CORE_READ(mm, rss_stat[member].count);
	}
	return v < 0 ? 0 : v;
}

static __always_inline bool ow_mm_oom_skip_slow(struct mm_struct *mm)
{
	struct mm_struct___flags_long *old = (void *)mm;
	unsigned long f = 0;

	if (bpf_core_field_exists(old->flags))
		f = BPF_CORE_READ(old, flags);
	else
		bpf_core_read(&f, sizeof(f), &mm->flags);
	return f & (1UL << OW_MMF_OOM_SKIP);
}

static __always_inline __u64 task_memcg_css_addr_slow(struct task_struct *task)
{
	struct css_set *cs;
	__u64 css;
	int id;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	cs = BPF_CORE_READ(task, cgroups);
	if (!cs || bpf_core_read(&css, sizeof(css), &cs->subsys[id]))
		return 0;
	return css;
}

static __always_inline __u64 css_id_slow(__u64 css_addr)
{
	struct cgroup_subsys_state *css = (void *)css_addr;

	return css_addr ? BPF_CORE_READ(css, cgroup, kn, id) : 0;
}

/*
 * The four rss counters, out[] in the ABI's order (file, anon, swap, shmem: struct
 * ow_task_record and struct ow_sample_task alike); before 6.2 one read of mm->rss_stat.count[].
 */
static __always_inline void ow_mm_counters_slow(__s64 *out, struct mm_struct *mm)
{
	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *old = (void *)mm;
		long c[4] = {}; /* NR_MM_COUNTERS: 4 since v4.5 (MM_SHMEMPAGES) */

		bpf_core_read(c, sizeof(c), &old->rss_stat.count);
		out[0] = c[MM_FILEPAGES & 3] < 0 ? 0 : c[MM_FILEPAGES & 3];
		out[1] = c[MM_ANONPAGES & 3] < 0 ? 0 : c[MM_ANONPAGES & 3];
		out[2] = c[MM_SWAPENTS & 3] < 0 ? 0 : c[MM_SWAPENTS & 3];
		out[3] = c[MM_SHMEMPAGES & 3] < 0 ? 0 : c[MM_SHMEMPAGES & 3];
		return;
	}
	out[0] = ow_mm_counter_slow(mm, MM_FILEPAGES);
	out[1] = ow_mm_counter_slow(mm, MM_ANONPAGES);
	out[2] = ow_mm_counter_slow(mm, MM_SWAPENTS);
	out[3] = ow_mm_counter_slow(mm, MM_SHMEMPAGES);
}

/*
 * fill_task for a plain address; tflags is task->flags, already read by the walk. Returns the
 * task's mm (0 when none), for the caller's own compare.
 */
static __always_inline __u64 fill_task_slow(struct ow_task_record *r, struct task_struct *task,
					    __u32 tflags, __u64 memcg_id)
{
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u32 flags = 0;
	__s64 c[4];

	/* pid and tgid side by side (every kernel so far): one read for both */
	if (bpf_core_field_offset(struct task_struct, tgid) ==
	    bpf_core_field_offset(struct task_struct, pid) + 4) {
		__s32 ids[2] = {};

		bpf_core_read(ids, sizeof(ids), &task->pid);
		r->pid = ids[0];
		r->tgid = ids[1];
	} else {
		r->tgid = BPF_CORE_READ(task, tgid);
		r->pid = BPF_CORE_READ(task, pid);
	}
	r->ppid = BPF_CORE_READ(parent, tgid);
	r->uid = BPF_CORE_READ(task, cred, uid.val);
	r->oom_score_adj = BPF_CORE_READ(sig, oom_score_adj);
	r->memcg_id = memcg_id;
	BPF_CORE_READ_INTO(&r->comm, task, comm);
	if (tflags & PF_KTHREAD)
		flags |= OW_TASK_F_KTHREAD;
	if (bpf_core_field_exists(sig->oom_mm) && BPF_CORE_READ(sig, oom_mm))
		flags |= OW_TASK_F_OOM_VICTIM;
	if (!mm) {
		r->file_pages = r->anon_pages = r->swap_pages = r->shmem_pages = 0;
		r->pgtables_bytes = 0;
		r->flags = flags | OW_TASK_F_NO_MM;
		return 0;
	}
	if (ow_mm_oom_skip_slow(mm))
		flags |= OW_TASK_F_OOM_SKIP;
	if (BPF_CORE_READ(task, vfork_done) && BPF_CORE_READ(parent, mm) == mm)
		flags |= OW_TASK_F_VFORK;
	ow_mm_counters_slow(c, mm);
	r->file_pages = c[0];
	r->anon_pages = c[1];
	r->swap_pages = c[2];
	r->shmem_pages = c[3];
	r->pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
	r->flags = flags;
	return (__u64)mm;
}

/*
 * The process list without the iterator: the circular list of thread-group leaders threaded
 * through task->tasks (what BPF_TASK_ITER_ALL_PROCS walks), followed with bpf_probe_read_kernel
 * under the RCU read lock every BPF tracing program runs under. It starts at the current
 * task's leader, not at init_task: init_task is in neither BTF (before pahole's global
 * variables) nor, on some kernels, kallsyms. The walk ends back at its start, or at init_task
 * (pid 0) seen twice, should the start have left the list meanwhile; or at its bound.
 */
struct ow_walk {
	__u64 head; /* the tasks member of the leader it started at */
	__u64 cur; /* the tasks member of the process to visit next */
	__u32 swapper_seen; /* init_task visits */
	__u32 done; /* the walk ended before its bound */
};

/* The task whose tasks member is at list_addr. */
static __always_inline struct task_struct *ow_task_of(__u64 list_addr)
{
	return (void *)(list_addr - bpf_core_field_offset(struct task_struct, tasks));
}

/* The next list_head after the one at list_addr; 0 when unreadable. */
static __always_inline __u64 ow_list_next(__u64 list_addr)
{
	struct list_head *l = (void *)list_addr;

	return (__u64)BPF_CORE_READ(l, next);
}

static __always_inline void ow_walk_init(struct ow_walk *w)
{
	struct task_struct *current = (void *)bpf_get_current_task();
	__u64 leader = (__u64)BPF_CORE_READ(current, group_leader);

	w->head = leader ? leader + bpf_core_field_offset(struct task_struct, tasks) : 0;
	w->cur = w->head;
	w->swapper_seen = 0;
	w->done = 0;
}

/*
 * The process to visit at round i of the walk, and its task->flags in *flags; NULL when the
 * walk is over (w->done set).
 */
static __always_inline struct task_struct *ow_walk_next(struct ow_walk *w, __u64 i, __u32 *flags)
{
	struct task_struct *task;

	if (!w->cur || (i > 0 && w->cur == w->head)) {
		w->done = 1;
		return NULL;
	}
	task = ow_task_of(w->cur);
	*flags = BPF_CORE_READ(task, flags);
	if ((*flags & PF_KTHREAD) && BPF_CORE_READ(task, pid) == 0 && w->swapper_seen++) {
		w->done = 1;
		return NULL;
	}
	w->cur = ow_list_next(w->cur);
	return task;
}

#endif
