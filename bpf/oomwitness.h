/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ABI between the BPF programs and the ring-buffer consumer (src/capture/consumer.c).
 *
 * Fixed-width types only: this header is compiled both by clang -target bpf and by the host
 * compiler. Nothing past the consumer includes it. Memory here is in pages, as the kernel
 * counts it; the consumer converts to bytes once.
 *
 * At each kill the program emits, in this order on the ring buffer:
 *   OW_EV_KILL_BEGIN    the victim, the trigger (the task running the OOM killer), its stacks
 *   OW_EV_CGROUP * n    each memory cgroup of the snapshot once (linked by parent_id)
 *   OW_EV_TASKS * n     every process of the machine, OW_TASKS_PER_RECORD to a record
 *                       (kernel threads counted, not emitted); cgroup records of a batch's
 *                       tasks come before it
 *   OW_EV_KILL_END      counts, so the consumer knows whether it saw everything
 * Records of one kill carry the same kill_seq. Besides kills, exec and exit events keep the
 * consumer's command-line cache current.
 */
#ifndef OW_BPF_ABI_H
#define OW_BPF_ABI_H

#define OW_TASK_COMM_LEN 16
#define OW_CGROUP_NAME_LEN 128
#define OW_STACK_DEPTH 32
#define OW_OOM_EVENTS_UNKNOWN (~0ULL) /* the kernel keeps no local OOM count (before 5.2) */
#define OW_TASKS_PER_RECORD 16 /* a power of two: the BPF side masks indexes with it */

enum ow_event_type {
	OW_EV_KILL_BEGIN = 1,
	OW_EV_CGROUP = 2,
	OW_EV_TASKS = 3,
	OW_EV_KILL_END = 4,
	OW_EV_EXEC = 5,
	OW_EV_EXIT = 6,
};

/* enum ow_task_flags: bits of ow_task_record.flags */
#define OW_TASK_F_NO_MM (1u << 0)
#define OW_TASK_F_OOM_SKIP (1u << 1)
#define OW_TASK_F_OOM_VICTIM (1u << 2)
#define OW_TASK_F_VFORK (1u << 3)
#define OW_TASK_F_KTHREAD (1u << 4)

struct ow_event_header {
	__u32 type; /* enum ow_event_type */
	__u32 kill_seq; /* which kill this record belongs to; 0 for exec/exit */
};

struct ow_task_record {
	__s32 tgid;
	__s32 pid; /* thread id */
	__s32 ppid; /* real parent's tgid */
	__u32 uid;
	__s32 oom_score_adj;
	__u32 flags; /* OW_TASK_F_* */
	__u64 memcg_id; /* kernfs id of the task's memory cgroup; 0 if none */
	__s64 file_pages;
	__s64 anon_pages;
	__s64 swap_pages;
	__s64 shmem_pages;
	__s64 pgtables_bytes;
	char comm[OW_TASK_COMM_LEN];
};

/*
 * One process as the sampler's task iterator (sampler.bpf.c) writes it, back to back, into the
 * iterator's seq file: only thread-group leaders, no kernel threads.
 */
struct ow_sample_task {
	struct ow_task_record task;
	__u64 start_mono_ns; /* task->start_time: CLOCK_MONOTONIC ns at fork */
};

struct ow_event_kill_begin {
	struct ow_event_header hdr;
	__u64 boot_ns; /* bpf_ktime_get_boot_ns() at mark_victim */
	struct ow_task_record victim;
	struct ow_task_record trigger; /* current: the task that ran the OOM killer */
	__s32 kernel_stack_bytes; /* bytes filled in kernel_stack, or -errno */
	__s32 user_stack_bytes;
	__u64 kernel_stack[OW_STACK_DEPTH];
	__u64 user_stack[OW_STACK_DEPTH];
};

struct ow_event_cgroup {
	struct ow_event_header hdr;
	__u64 id; /* kernfs id */
	__u64 parent_id; /* 0 for the root */
	__u64 usage_pages; /* memory page_counter usage */
	__u64 max_pages; /* memory page_counter max (PAGE_COUNTER_MAX when unlimited) */
	__u64 swap_max_pages; /* v2: swap.max; v1: memsw.max (memory+swap) */
	__u64 oom_events; /* memory_events_local[MEMCG_OOM], or OW_OOM_EVENTS_UNKNOWN */
	__u32 is_root;
	__u32 name_truncated;
	char name[OW_CGROUP_NAME_LEN]; /* last path component; "" for the root */
};

/* A batch of processes: one ring-buffer operation for many, which keeps the kill path cheap. */
struct ow_event_tasks {
	struct ow_event_header hdr;
	__u32 count; /* tasks[0..count) are filled */
	__u32 pad;
	struct ow_task_record tasks[OW_TASKS_PER_RECORD];
};

struct ow_event_kill_end {
	struct ow_event_header hdr;
	__u32 tasks_seen; /* processes the iterator returned */
	__u32 tasks_emitted; /* task records written to the ring buffer */
	__u32 kthreads_skipped;
	__u32 cgroups_emitted;
	__u64 lost_records; /* records of this kill the ring buffer had no room for */
	__u64 cpu_ns; /* time the program spent in this kill, for bench/ */
	__u32 iterator_truncated; /* the task walk stopped at its bound */
	__u32 pad;
};

struct ow_event_proc {
	struct ow_event_header hdr;
	__s32 tgid;
	__s32 ppid;
	char comm[OW_TASK_COMM_LEN];
};

/* Global counters, in a BPF array map indexed by these. */
enum ow_counter {
	OW_CNT_KILLS = 0, /* mark_victim hits */
	OW_CNT_LOST_RECORDS, /* ring-buffer reserve failures, every kind of record */
	OW_CNT_MAX,
};

#endif
