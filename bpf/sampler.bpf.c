// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of the sampler: one run reads every process's memory (the same struct
 * ow_task_record the kill snapshot uses, plus its start time) into an array that user space
 * has mapped (src/capture/bpf_sampler.c), once per sampling interval.
 *
 * The program is a raw tracepoint program attached to nothing: user space runs it on demand
 * with BPF_PROG_TEST_RUN. That lets it walk the process list with the open-coded task
 * iterator (BPF_TASK_ITER_ALL_PROCS: thread-group leaders only, a list walk), where the
 * seq-file task iterator (iter/task) visits every thread through pid lookups, and it writes
 * into memory user space reads without a copy or a read() per chunk.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "oomwitness.h"
#include "task_read.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384); /* set by the loader */
	__type(key, __u32);
	__type(value, struct ow_sample_task);
} samples SEC(".maps");

/* Results of the last run, read by user space through the skeleton's mapping of .bss. */
__u32 n_samples = 0;
__u32 n_dropped = 0;

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;

SEC("raw_tp")
int ow_sample_tasks(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *task;

	n_samples = 0;
	n_dropped = 0;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((task = bpf_iter_task_next(&it))) {
		struct ow_sample_task *s;
		__u32 i = n_samples;

		if (task->flags & PF_KTHREAD)
			continue;
		s = bpf_map_lookup_elem(&samples, &i);
		if (!s) {
			n_dropped++;
			continue;
		}
		fill_task(&s->task, task, task_memcg_id(task));
		s->start_mono_ns = task->start_time;
		n_samples = i + 1;
	}
	bpf_iter_task_destroy(&it);
	return 0;
}

/*
 * The same walk for kernels without the task-iterator kfuncs (before 6.7) or bpf_rdonly_cast
 * (before 6.2): the process list with bpf_loop and probe reads (task_read.bpf.h). The loader
 * loads one of the two.
 */
const volatile __u32 ow_max_walk = 262144;

static long sample_walk_cb(__u64 i, void *arg)
{
	struct task_struct *task;
	struct ow_sample_task *s;
	__u32 n = n_samples;
	__u32 flags = 0;

	task = ow_walk_next(arg, i, &flags);
	if (!task)
		return 1;
	if (flags & PF_KTHREAD)
		return 0;
	s = bpf_map_lookup_elem(&samples, &n);
	if (!s) {
		n_dropped++;
		return 0;
	}
	fill_task_slow(&s->task, task, flags, css_id_slow(task_memcg_css_addr_slow(task)));
	s->start_mono_ns = BPF_CORE_READ(task, start_time);
	n_samples = n + 1;
	return 0;
}

SEC("raw_tp")
int ow_sample_tasks_walk(void *ctx)
{
	struct ow_walk w;

	n_samples = 0;
	n_dropped = 0;
	ow_walk_init(&w);
	bpf_loop(ow_max_walk, sample_walk_cb, &w, 0);
	return 0;
}
