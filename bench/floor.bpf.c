// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sampler's floor (bench/sampler.sh, docs/performance.md): the least a BPF program can do
 * to read what the recorder's sampler reads for every process, written plainly with nothing
 * of the recorder's code. The open-coded task iterator over thread-group leaders, and per
 * process its pid, parent's pid, oom_score_adj, memory cgroup id, start time, comm, the four
 * rss counters and the page-table bytes, stored into a mapped array. No kernel-thread test, no
 * map lookup per process, no counts of drops: only the reads and the stores.
 *
 * For kernels with the task-iterator kfuncs (6.7+) and the rss counters as percpu_counters
 * (6.2+); bench/floor.c says so and stops elsewhere.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "floor.h"

char LICENSE[] SEC("license") = "GPL";

/* Global data of the program (its .bss map): no map lookup per process. */
struct floor_task tasks[FLOOR_MAX_TASKS];
__u32 n_tasks = 0;

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym;

SEC("raw_tp")
int floor_sample(void *ctx)
{
	int memcg = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct bpf_iter_task it;
	struct task_struct *task;

	/*
	 * The count lives in global data, not in a register: the verifier then sees an unknown
	 * index with a bound, and checks the loop once instead of once per value of a counter.
	 */
	n_tasks = 0;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((task = bpf_iter_task_next(&it))) {
		__u32 n = n_tasks;
		struct cgroup_subsys_state *css;
		struct floor_task *t;
		struct mm_struct *mm;

		if (n >= FLOOR_MAX_TASKS)
			break;
		t = &tasks[n];
		n_tasks = n + 1;
		mm = task->mm;
		t->tgid = task->tgid;
		t->ppid = task->real_parent->tgid;
		t->oom_score_adj = task->signal->oom_score_adj;
		css = task->cgroups->subsys[memcg];
		t->memcg_id = css ? css->cgroup->kn->id : 0;
		t->start_ns = task->start_time;
		__builtin_memcpy(t->comm, task->comm, sizeof(t->comm));
		if (!mm)
			continue;
		t->rss[0] = mm->rss_stat[0].count;
		t->rss[1] = mm->rss_stat[1].count;
		t->rss[2] = mm->rss_stat[2].count;
		t->rss[3] = mm->rss_stat[3].count;
		t->pgtables_bytes = mm->pgtables_bytes.counter;
	}
	bpf_iter_task_destroy(&it);
	return 0;
}
