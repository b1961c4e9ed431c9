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

/* The address of the task's memory cgroup css, as a plain number; 0 when none. */
static __always_inline __u64 task_memcg_css_addr(struct task_struct *task)
{
	__u64 css;
	int id;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	/*
	 * A variable index leaves the verifier with a plain number; one read, then a cast back
	 * to a BTF pointer, keeps the loads after it direct.
	 */
	if (bpf_core_read(&css, sizeof(css), &task->cgroups->subsys[id]))
		return 0;
	return css;
}

static __always_inline struct cgroup_subsys_state *task_memcg_css_cast(__u64 css_addr)
{
	return bpf_rdonly_cast((void *)css_addr,
			       bpf_core_type_id_kernel(struct cgroup_subsys_state));
}

static __always_inline struct cgroup_subsys_state *task_memcg_css(struct task_struct *task)
{
	__u64 css = task_memcg_css_addr(task);

	return css ? task_memcg_css_cast(css) : NULL;
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

#endif
