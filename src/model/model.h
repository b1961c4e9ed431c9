/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The incident model: what oomwitness knows about an OOM kill, in plain C types.
 *
 * Everything downstream of the ring-buffer consumer (store, analysis, output, commands) speaks
 * these types and nothing else; kernel ABI structs never leave src/capture. Memory is always
 * in bytes, times are Unix times in nanoseconds (UTC), and strings are owned by the struct that
 * holds them unless a comment says "borrowed". Free with the ow_*_free() functions; they
 * accept NULL.
 */
#ifndef OW_MODEL_H
#define OW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OW_COMM_LEN 16

struct ow_history;

/* One process as seen at the moment of a kill. */
enum ow_process_flag {
	OW_PROC_IN_DOMAIN = 1u << 0, /* inside the OOM domain: a candidate the kernel considered */
	OW_PROC_NO_MM = 1u << 1, /* no address space (exited, or a zombie leader) */
	OW_PROC_OOM_SKIP = 1u << 2, /* mm already reaped or being torn down (MMF_OOM_SKIP) */
	OW_PROC_OOM_VICTIM = 1u << 3, /* already marked as an OOM victim before this kill */
	OW_PROC_INIT = 1u << 4, /* the global init (pid 1 of the initial namespace) */
	OW_PROC_VFORK = 1u << 5, /* a vfork child sharing its parent's mm */
	/* Shares the victim's address space (CLONE_VM without CLONE_THREAD): the kernel kills it
	 * with the victim, unless it is init, a kernel thread or at oom_score_adj -1000. */
	OW_PROC_SHARES_VICTIM_MM = 1u << 6,
};

/* An oom_score_adj not known: set before the recorder was watching. */
#define OW_ADJ_UNKNOWN INT32_MIN
/* Changes kept per process: the first one and the latest ones. */
#define OW_ADJ_CHANGES_MAX 8

/*
 * One change of a process's oom_score_adj (the oom:oom_score_adj_update tracepoint: a write
 * of /proc/PID/oom_score_adj or oom_adj), or, when not 0, the value it was born with at fork.
 */
struct ow_adj_change {
	uint64_t time_ns;
	int32_t old_adj; /* OW_ADJ_UNKNOWN when not known, and for a fork (none before) */
	int32_t new_adj;
	int32_t by_pid; /* the process that wrote it; for a fork, the parent */
	char by_comm[OW_COMM_LEN];
	bool inherited; /* not written: inherited from by_pid at fork */
};

struct ow_process {
	int32_t pid; /* thread-group id, i.e. the process id users see */
	int32_t ppid;
	uint32_t uid;
	int32_t oom_score_adj; /* -1000..1000 */
	uint32_t flags; /* enum ow_process_flag */
	char comm[OW_COMM_LEN];
	/* Both shared strings (model/shared_str.h), one reference owned; NULL when unknown. */
	char *cmdline; /* arguments joined by spaces */
	char *cgroup; /* memory cgroup path, "/" for the root */
	uint64_t cgroup_id; /* kernfs id of the memory cgroup */
	uint64_t anon_bytes;
	uint64_t file_bytes;
	uint64_t shmem_bytes;
	uint64_t swap_bytes;
	uint64_t pgtables_bytes;
	/* owned; its oom_score_adj history, oldest first (at most OW_ADJ_CHANGES_MAX), kept for
	 * the victim, the trigger and the processes of the domain that have one */
	size_t n_adj_changes;
	struct ow_adj_change *adj_changes;
};

/* Resident set: anon + file + shmem, as the kernel's get_mm_rss(). */
uint64_t ow_process_rss_bytes(const struct ow_process *p);
/* What the kernel counts against the process in badness: rss + swap + page tables. */
uint64_t ow_process_memory_bytes(const struct ow_process *p);

enum ow_domain_kind {
	OW_DOMAIN_GLOBAL = 0, /* the whole machine ran out */
	OW_DOMAIN_MEMCG = 1, /* a memory cgroup hit its limit */
};

/* Where memory ran out. */
struct ow_domain {
	enum ow_domain_kind kind;
	char *cgroup; /* owned; path of the memory cgroup at its limit; NULL for global */
	uint64_t cgroup_id; /* 0 for global */
	uint64_t limit_bytes; /* memcg limit, or total RAM for global */
	uint64_t usage_bytes; /* memcg usage, or RAM in use for global, at the kill */
	/*
	 * The kernel's oc->totalpages (in bytes): RAM + swap for global, the memcg limit plus the
	 * swap it may use for a memcg. Scales oom_score_adj in the badness formula.
	 */
	uint64_t total_bytes;
};

enum ow_killer_kind {
	OW_KILLER_KERNEL = 0, /* the kernel's OOM killer */
	OW_KILLER_SIGNAL = 1, /* a SIGKILL sent by another process (kill -9, earlyoom, oomd...) */
};

enum ow_kill_flag {
	/* The victim was already exiting (a fatal signal pending): the kernel marked it and
	 * queued the reaper without sending a SIGKILL. */
	OW_KILL_VICTIM_EXITING = 1u << 0,
	/* One of the kills of a memory.oom.group: the whole cgroup went at once. */
	OW_KILL_OOM_GROUP = 1u << 1,
	/* Only the victim and the killer were read, not the other processes: signal kills past
	 * the rate limit (docs/verdict.md, "Signal kills"). */
	OW_KILL_SNAPSHOT_SKIPPED = 1u << 2,
	/* Witnessed by /dev/kmsg alone (record --no-bpf): the snapshot is the kernel's own task
	 * dump, without cgroups, stacks or the memory split. */
	OW_KILL_FROM_KMSG = 1u << 3,
	/* The kernel's own report of this kill was read from /dev/kmsg (kill.kernel_report). */
	OW_KILL_KMSG_CONFIRMED = 1u << 4,
	/* The kernel's struct oom_control was read at the kill (fentry or kprobe on
	 * oom_kill_process): kill.kernel_report and domain.total_bytes are the kernel's own. */
	OW_KILL_OOM_CONTROL = 1u << 5,
};

/* What followed the kill, as far as it was seen (0: not seen). */
struct ow_kill_aftermath {
	uint64_t exit_ns; /* the victim's exit (its last thread) */
	uint64_t reap_start_ns; /* the OOM reaper started on its memory */
	uint64_t reap_end_ns; /* and finished */
	/* memory the reaper freed: the victim's RSS at the kill minus what was left after it */
	uint64_t reaped_bytes;
};

/* constraint= of the kernel's oom-kill line (enum oom_constraint). */
enum ow_oom_constraint {
	OW_CONSTRAINT_UNKNOWN = 0,
	OW_CONSTRAINT_NONE, /* the whole machine */
	OW_CONSTRAINT_CPUSET,
	OW_CONSTRAINT_MEMORY_POLICY,
	OW_CONSTRAINT_MEMCG,
};

/* The kernel's own report of a kill, from /dev/kmsg. Strings owned, NULL when absent. */
struct ow_kernel_report {
	enum ow_oom_constraint constraint;
	char *oom_memcg; /* the memory cgroup that ran out, as the kernel names it */
	char *task_memcg; /* the victim's */
	bool has_allocation; /* gfp_mask and order below were read */
	uint32_t gfp_mask; /* of the allocation that failed */
	int32_t order; /* its order; -1 for sysrq or a memory.max write */
};

/* A tmpfs mount and what it holds (statfs), for memory no process owns. */
struct ow_tmpfs_mount {
	char *path; /* owned; the mount point as the recorder sees it */
	uint64_t used_bytes;
};

/*
 * Memory of the OOM domain that no process owns, read at the kill from the domain's
 * memory.stat (/proc/meminfo for a whole-machine OOM). Bytes; known false when not read.
 */
struct ow_unowned_memory {
	bool known;
	uint64_t shmem_bytes; /* shmem and tmpfs pages (mapped by processes or not) */
	uint64_t file_bytes; /* page cache, shmem excluded */
	uint64_t kernel_bytes; /* all kernel memory charged: slab, stacks, page tables, sockets */
	uint64_t slab_bytes; /* of which slab */
	uint64_t pagetables_bytes; /* of which page tables */
	uint64_t sock_bytes; /* of which network buffers */
	size_t n_tmpfs;
	struct ow_tmpfs_mount *tmpfs; /* owned; the biggest tmpfs mounts, biggest first */
};

/* A stack as symbolized text frames, innermost first. */
struct ow_stack {
	size_t n_frames;
	char **frames; /* owned */
};

/* One kill: the victim, the task that ran the OOM killer, and every process at that moment. */
struct ow_kill {
	uint64_t time_ns;
	enum ow_killer_kind killer_kind;
	uint32_t flags; /* enum ow_kill_flag */
	int32_t victim_pid;
	/* The process (tgid) whose allocation failed, or, for a signal kill, the one that sent
	 * the SIGKILL (the killer); 0 when unknown. */
	int32_t trigger_pid;
	int32_t trigger_tid; /* its thread */
	char trigger_thread_comm[OW_COMM_LEN];
	struct ow_domain domain;
	struct ow_stack trigger_kernel_stack;
	struct ow_stack trigger_user_stack;
	size_t n_procs;
	struct ow_process *procs; /* owned; the snapshot, victim and trigger included */
	uint32_t kthreads_skipped; /* kernel threads seen by the snapshot and left out of it */
	uint64_t lost_events; /* snapshot records the ring buffer dropped for this kill */
	bool partial; /* the snapshot is incomplete (lost records, iterator cut short) */
	struct ow_kill_aftermath after;
	/* when flags has OW_KILL_KMSG_CONFIRMED or OW_KILL_OOM_CONTROL */
	struct ow_kernel_report kernel_report;
	struct ow_unowned_memory unowned;
};

/*
 * Whether the kernel killed p with kill's victim because p shares the victim's memory: it does
 * (OW_PROC_SHARES_VICTIM_MM), it is not the victim, init or at oom_score_adj -1000, and the
 * victim was killed (an already exiting victim is only marked: nobody gets a SIGKILL).
 */
bool ow_kill_took_sharer(const struct ow_kill *kill, const struct ow_process *p);

/*
 * The kernel SIGKILLs or thaws a victim just before the tracepoint that stamps the kill, so on
 * another CPU the victim can exit (and stamp its exit) first. An exit stamped at most this long
 * before its kill was at the kill; one stamped earlier is a clock step or a victim already dead.
 */
#define OW_EXIT_BEFORE_KILL_NS (50ULL * 1000000ULL)

/*
 * Nanoseconds from the kill to its victim's exit (0 for an exit stamped just before the kill,
 * as above), or -1 when no exit was seen or it was stamped too early to be this kill's.
 */
int64_t ow_kill_to_exit_ns(const struct ow_kill *kill);

/*
 * Whether the kernel's report of a kill (/dev/kmsg) names another domain than the one the kill
 * was filed under: memcg against global, another memory cgroup, or the whole machine against a
 * memcg. False without a report, with the kernel's struct oom_control (the domain then came
 * from the kernel), for cpuset and mempolicy constraints, and when a path is missing.
 */
bool ow_kill_report_disagrees(const struct ow_kill *kill);

/* A process of a kill's snapshot by pid, or NULL. Borrowed pointer into kill->procs. */
const struct ow_process *ow_kill_find_process(const struct ow_kill *kill, int32_t pid);

/* Kills in one OOM domain close in time: the kill chain, in order of time. */
struct ow_incident {
	int64_t id; /* database id; 0 until stored */
	uint64_t start_ns; /* time of the first kill */
	uint64_t end_ns; /* time of the last kill */
	struct ow_domain domain; /* from the first kill */
	size_t n_kills;
	struct ow_kill *kills; /* owned, in order of time */
	uint64_t lost_events; /* ring-buffer records lost while this incident was open */
	/*
	 * OOM kills on the machine the recorder did not witness while this incident was open: it
	 * was not running (docs/storage.md, "Crash safety"). Machine-wide: some or all of them
	 * may be this incident's.
	 */
	uint64_t missed_kills;
	/* owned; the sampler's memory history around the incident (model/history.h), NULL when
	 * none was recorded (sampler off, or the incident is still within 10 s of its last kill) */
	struct ow_history *history;
};

/* Whether every kill of inc is a SIGKILL from user space (no OOM: a domain only by rule). */
bool ow_incident_only_signal_kills(const struct ow_incident *inc);

/* Deep copies and destructors. The copy functions return 0 or -ENOMEM. */
void ow_kernel_report_clear(struct ow_kernel_report *r);
void ow_unowned_memory_clear(struct ow_unowned_memory *u);
int ow_process_copy(struct ow_process *dst, const struct ow_process *src);
void ow_process_clear(struct ow_process *p);
int ow_domain_copy(struct ow_domain *dst, const struct ow_domain *src);
void ow_domain_clear(struct ow_domain *d);
void ow_stack_clear(struct ow_stack *s);
void ow_kill_clear(struct ow_kill *k);
void ow_incident_clear(struct ow_incident *inc);
void ow_incident_free(struct ow_incident *inc);

/*
 * Appends a kill to an incident, taking ownership of its contents (*kill is zeroed on
 * success). Keeps the kills in time order and updates start/end. Returns 0 or -ENOMEM.
 */
int ow_incident_add_kill(struct ow_incident *inc, struct ow_kill *kill);

/*
 * Whether two kills ran out in the same place: both global, or the same memory cgroup (by
 * path; by id when a path is unknown).
 */
bool ow_domain_same(const struct ow_domain *a, const struct ow_domain *b);

/*
 * The grouping rule: a kill joins an incident when it ran out in the same domain no later than
 * gap_ns after the incident's last kill (an empty incident takes any kill). A kill older than
 * the incident's last one (clocks never run backwards here, but records can be late) joins it
 * too when it is within the gap of its start.
 */
bool ow_incident_takes_kill(const struct ow_incident *inc, const struct ow_kill *kill,
			    uint64_t gap_ns);

/* Domain kinds as the JSON and the database spell them: "global", "memcg". */
const char *ow_domain_kind_name(enum ow_domain_kind kind);
/* "unknown", "none", "cpuset", "memory-policy", "memcg". */
const char *ow_oom_constraint_name(enum ow_oom_constraint c);
int ow_oom_constraint_parse(const char *name, enum ow_oom_constraint *ret);
/* "kernel", "signal". */
const char *ow_killer_kind_name(enum ow_killer_kind kind);
/* Parses the names above; returns 0 or -EINVAL. */
int ow_domain_kind_parse(const char *name, enum ow_domain_kind *ret_kind);
int ow_killer_kind_parse(const char *name, enum ow_killer_kind *ret_kind);

#endif
