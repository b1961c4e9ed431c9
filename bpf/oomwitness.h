/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ABI between the BPF programs and the ring-buffer consumer (src/capture/consumer.c).
 *
 * Fixed-width types only: this header is compiled both by clang -target bpf and by the host
 * compiler. Nothing past the consumer includes it. Memory here is in pages, as the kernel
 * counts it; the consumer converts to bytes once.
 *
 * At each kill the program emits, in this order on the ring buffer:
 *   OW_EV_KILL_BEGIN    the victim, the trigger (the task running the OOM killer, or for a
 *                       signal kill the sender of the SIGKILL), its stacks
 *   OW_EV_CGROUP * n    each memory cgroup of the snapshot once (linked by parent_id)
 *   OW_EV_TASKS * n     every process of the machine, OW_TASKS_PER_RECORD to a record
 *                       (kernel threads counted, not emitted); cgroup records of a batch's
 *                       tasks come before it. None for a signal kill past the rate limit.
 *   OW_EV_KILL_END      counts, so the consumer knows whether it saw everything
 * Records of one kill carry the same kill_seq. Kernel kills are numbered 1, 2, ... in the order
 * the hook counts them (OW_CNT_KILLS); signal kills have OW_SIGNAL_SEQ_BIT set. Kernel kills
 * are serialised by the kernel's oom_lock, signal kills are not: the records of two kills can
 * interleave, and the begin record says how many others were being written at that moment.
 *
 * Besides kills: exec and exit events keep the consumer's command-line cache current and give
 * a victim's exit time; adj events audit oom_score_adj; reap events follow the OOM reaper.
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
	OW_EV_ADJ = 7, /* an oom_score_adj written, or inherited at fork (ow_event_adj) */
	OW_EV_REAP_START = 8, /* the OOM reaper started on a victim (ow_event_reap) */
	OW_EV_REAP_END = 9, /* and finished */
};

/* kill_seq of a signal kill: its own numbering, apart from the kernel's kills */
#define OW_SIGNAL_SEQ_BIT (1u << 31)

/* ow_event_kill_begin.killer */
#define OW_KILL_BY_KERNEL 0 /* the kernel's OOM killer (oom:mark_victim) */
#define OW_KILL_BY_SIGNAL 1 /* a SIGKILL from user space (signal:signal_generate) */

/* bits of ow_event_kill_begin.flags */
#define OW_BEGIN_F_VICTIM_EXITING (1u << 0) /* marked without a SIGKILL: already exiting */
#define OW_BEGIN_F_SNAPSHOT_SKIPPED (1u << 1) /* signal kill past the rate limit: no walk */

/* enum ow_task_flags: bits of ow_task_record.flags */
#define OW_TASK_F_NO_MM (1u << 0)
#define OW_TASK_F_OOM_SKIP (1u << 1)
#define OW_TASK_F_OOM_VICTIM (1u << 2)
#define OW_TASK_F_VFORK (1u << 3)
#define OW_TASK_F_KTHREAD (1u << 4)
#define OW_TASK_F_SHARES_VICTIM_MM (1u << 5) /* another process on the victim's mm (kernel kill) */

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
 * One process as the sampler (sampler.bpf.c) writes it into its mapped array, one per slot:
 * only thread-group leaders, no kernel threads. Only what the history keeps: the kill snapshot's
 * uid and flags are not read at every tick (bench/floor.bpf.c reads the same fields).
 */
struct ow_sample_task {
	__s32 tgid;
	__s32 ppid; /* real parent's tgid */
	__s32 oom_score_adj;
	__u32 pad;
	__u64 memcg_id; /* kernfs id of the task's memory cgroup; 0 if none */
	__u64 start_mono_ns; /* task->start_time: CLOCK_MONOTONIC ns at fork */
	__s64 file_pages;
	__s64 anon_pages;
	__s64 swap_pages;
	__s64 shmem_pages;
	__s64 pgtables_bytes;
	char comm[OW_TASK_COMM_LEN];
};

struct ow_event_kill_begin {
	struct ow_event_header hdr;
	__u64 boot_ns; /* bpf_ktime_get_boot_ns() at mark_victim or signal_generate */
	__u32 killer; /* OW_KILL_BY_* */
	__u32 flags; /* OW_BEGIN_F_* */
	__u32 concurrent; /* other kills whose records were being written as this one began */
	__u32 pad;
	struct ow_task_record victim;
	/* current: the task that ran the OOM killer, or that sent the SIGKILL */
	struct ow_task_record trigger;
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
	__u32 oom_group; /* memory.oom.group set (v2; 0 where the kernel has none) */
	__u32 pad;
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

/* OW_EV_EXEC, OW_EV_EXIT (the last thread of a process) */
struct ow_event_proc {
	struct ow_event_header hdr;
	__s32 tgid;
	__s32 ppid;
	char comm[OW_TASK_COMM_LEN];
	__u64 boot_ns;
};

/*
 * OW_EV_ADJ: a process's oom_score_adj was written (oom:oom_score_adj_update; by_* is the
 * writer), or a new process was born with a non-zero one (inherited; by_* is the parent).
 */
struct ow_event_adj {
	struct ow_event_header hdr;
	__u64 boot_ns;
	__s32 tgid;
	__s32 new_adj;
	__s32 by_tgid;
	__u32 inherited;
	char by_comm[OW_TASK_COMM_LEN];
};

/*
 * OW_EV_REAP_START, OW_EV_REAP_END: the OOM reaper on a victim (oom:start_task_reaping,
 * oom:finish_task_reaping). At the end, what its address space still holds, when readable.
 */
struct ow_event_reap {
	struct ow_event_header hdr;
	__u64 boot_ns;
	__s32 pid; /* the thread the reaper was given */
	__s32 tgid; /* its process; 0 when it could not be looked up */
	__s64 anon_pages;
	__s64 file_pages;
	__s64 shmem_pages;
	__u32 rss_known; /* the three counts above were read */
	__u32 pad;
};

/* Global counters, in a BPF array map indexed by these. */
enum ow_counter {
	OW_CNT_KILLS = 0, /* mark_victim hits */
	OW_CNT_LOST_RECORDS, /* ring-buffer reserve failures, every kind of record */
	OW_CNT_SIGNAL_KILLS, /* SIGKILLs from user space taken as kills */
	OW_CNT_SIGNAL_SNAPSHOTS_SKIPPED, /* of which past the rate limit: no task walk */
	OW_CNT_MAX,
};

#endif
