// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of the sampler: one run reads every process's memory (the same struct
 * ow_task_record the kill snapshot uses, plus its start time) into an array that user space
 * has mapped (src/capture/bpf_sampler.c), once per sampling interval.
 *
 * It reads only what the history keeps (struct ow_sample_task): the kill snapshot's uid and
 * flags cost a cred and an mm->flags load per process and are not read here. Processes without
 * an address space (kernel threads, processes exiting) are left out.
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

static __always_inline void fill_sample(struct ow_sample_task *s, struct task_struct *task,
					struct mm_struct *mm)
{
	s->tgid = task->tgid;
	s->ppid = task->real_parent->tgid;
	s->oom_score_adj = task->signal->oom_score_adj;
	s->memcg_id = task_memcg_id(task);
	s->start_mono_ns = task->start_time;
	__builtin_memcpy(s->comm, task->comm, sizeof(s->comm));
	s->file_pages = ow_mm_counter(mm, MM_FILEPAGES);
	s->anon_pages = ow_mm_counter(mm, MM_ANONPAGES);
	s->swap_pages = ow_mm_counter(mm, MM_SWAPENTS);
	s->shmem_pages = ow_mm_counter(mm, MM_SHMEMPAGES);
	s->pgtables_bytes = mm->pgtables_bytes.counter;
}

/* fill_sample for a plain address (the walk without the iterator): every read a probe read. */
static __always_inline void fill_sample_slow(struct ow_sample_task *s, struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__s64 c[4];

	s->tgid = BPF_CORE_READ(task, tgid);
	s->ppid = BPF_CORE_READ(task, real_parent, tgid);
	s->oom_score_adj = BPF_CORE_READ(task, signal, oom_score_adj);
	s->memcg_id = css_id_slow(task_memcg_css_addr_slow(task));
	s->start_mono_ns = BPF_CORE_READ(task, start_time);
	BPF_CORE_READ_INTO(&s->comm, task, comm);
	if (!mm) {
		s->file_pages = s->anon_pages = s->swap_pages = s->shmem_pages = 0;
		s->pgtables_bytes = 0;
		return;
	}
	ow_mm_counters_slow(c, mm);
	s->file_pages = c[0];
	s->anon_pages = c[1];
	s->swap_pages = c[2];
	s->shmem_pages = c[3];
	s->pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
}

SEC("raw_tp")
int ow_sample_tasks(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *task;

	n_samples = 0;
	n_dropped = 0;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((task = bpf_iter_task_next(&it))) {
		struct mm_struct *mm = task->mm;
		struct ow_sample_task *s;
		__u32 i = n_samples;

		/*
		 * No address space: a kernel thread, or a process exiting (it has no memory left
		 * to sample). task->flags, a cache line more per process, is read only for the
		 * children of kthreadd (pid 2): a kernel thread borrowing a process's address space
		 * (kthread_use_mm) is not a process.
		 */
		if (!mm || (task->real_parent->tgid == 2 && (task->flags & PF_KTHREAD)))
			continue;
		s = bpf_map_lookup_elem(&samples, &i);
		if (!s) {
			n_dropped++;
			continue;
		}
		fill_sample(s, task, mm);
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
	fill_sample_slow(s, task);
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
