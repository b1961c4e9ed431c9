/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A parser of /dev/kmsg records and of the kernel's OOM-killer lines in them: the kernel's own
 * account of a kill, which can witness what the BPF snapshot saw (or missed).
 *
 * One read() of /dev/kmsg gives one record (Documentation/ABI/testing/dev-kmsg):
 *
 *   <prio>,<seq>,<usec>,<flags>[,<more>...];<text>\n
 *    KEY=value\n                                     (zero or more, e.g. SUBSYSTEM=, DEVICE=)
 *
 * The kernel writes every byte of the text below ' ', above '~', and '\' as "\xHH"; the parser
 * decodes them. The OOM lines it recognises, as mm/oom_kill.c prints them (4.19 to 6.x):
 *
 *   memhog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
 *   oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,
 *     oom_memcg=/a,task_memcg=/a/b,task=memhog,pid=1234,uid=0        (one line)
 *   Memory cgroup out of memory: Killed process 1234 (memhog) total-vm:123456kB,
 *     anon-rss:1234kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:123kB oom_score_adj:0
 *   Out of memory: Killed process ...                                 (the same, global)
 *   oom_reaper: reaped process 1234 (memhog), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
 *
 * and the lines of the report dump_header() prints between the invoked line and the summary:
 *
 *   CPU: 1 PID: 1234 Comm: memhog Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1  (5.10, 6.1)
 *   CPU: 1 UID: 0 PID: 1234 Comm: memhog Not tainted 6.12.12-amd64 #1   (UID: 6.10 on; the
 *   CPU: 1 UID: 0 PID: 1234 Comm: memhog Not tainted 6.18.4 #1 PREEMPT(none)  model: 6.15 on)
 *   memory: usage 262144kB, limit 262144kB, failcnt 42     (mem_cgroup_print_oom_meminfo;
 *   swap: usage 0kB, limit 0kB, failcnt 0                   v2 prints swap:, v1 memory+swap:
 *   memory+swap: usage ...; kmem: usage ...                 and kmem:)
 *   active_anon:12 inactive_anon:941203 ... free:21538 free_pcp:0 free_cma:0  (show_mem; one
 *   2097022 pages RAM                                        record, its lines "\x0a")
 *   Total swap = 0kB
 *   Tasks state (memory values in pages):
 *   [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
 *   [   1234]     0  1234    73357    14530   180224        0             0 memhog
 *   (6.8+: "... rss rss_anon rss_file rss_shmem pgtables_bytes ...", three more columns)
 *   Tasks in /a are going to be killed due to memory.oom.group set
 *
 * A task row is read with the columns of the header before it (ow_kmsg_parse_task_row());
 * alone, ow_kmsg_parse_oom() reads it with the 6.8+ columns, else with those of 4.19-6.7.
 *
 * Older kernels lack some fields (UID, pgtables and oom_score_adj came in 5.x, cpuset needs
 * CONFIG_CPUSETS, 4.x had a nodemask in the invoked line); each field read is flagged in
 * ret->fields. The kernel does not escape a comm or a cgroup name inside a line: the summary
 * line's values end where ",<word>=" starts the next field, so a name holding one is cut there.
 * Its fields are read in any order; task, pid and uid, which the kernel prints last, are taken
 * from their last occurrence (a comm cannot forge the pid), the others from their first.
 *
 * Lines with a fixed start (CPU:, memory:, [, Tasks ...) are recognised first, by the whole
 * line; a row or CPU line whose comm reads like another OOM line is still a row.
 *
 * Pure: no I/O, no allocation, no mutable globals. Reads only the len bytes it is given (no NUL
 * needed).
 */
#ifndef OW_KMSG_H
#define OW_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decoded text kept per record (the kernel's own record text is at most 1 KiB in 5.x-6.x). */
#define OW_KMSG_TEXT_MAX 2048
#define OW_KMSG_PATH_MAX 1024
#define OW_KMSG_COMM_LEN 16

enum ow_kmsg_kind {
	OW_KMSG_OTHER = 0, /* a record, not an OOM line */
	OW_KMSG_OOM_INVOKED, /* "<comm> invoked oom-killer: ...": comm is the trigger */
	OW_KMSG_OOM_SUMMARY, /* "oom-kill:constraint=...": comm and pid are the victim */
	OW_KMSG_OOM_KILLED, /* "...: Killed process PID (COMM) total-vm:...": the victim */
	OW_KMSG_OOM_REAPED, /* "oom_reaper: reaped process PID (COMM), now ..." */
	/* "CPU: N [UID: N ]PID: N Comm: COMM ...", a stack dump's first line: after an invoked
	 * line, the thread that ran the OOM killer (pid is its thread id, uid its euid) */
	OW_KMSG_OOM_CPU,
	OW_KMSG_OOM_MEMCG_USAGE, /* "memory: usage NkB, limit NkB, failcnt N" (counter says which) */
	OW_KMSG_OOM_MEMINFO, /* show_mem's "active_anon:N ... free:N ...": pages = free pages */
	OW_KMSG_OOM_RAM_PAGES, /* show_mem's "N pages RAM": pages */
	OW_KMSG_OOM_SWAP_TOTAL, /* show_mem's "Total swap = NkB": limit_bytes */
	OW_KMSG_OOM_TASKS_STATE, /* "Tasks state (memory values in pages):" */
	OW_KMSG_OOM_TASKS_HEADER, /* "[  pid  ]   uid  tgid total_vm ... name": layout */
	OW_KMSG_OOM_TASK_ROW, /* "[   1234]     0  1234 ...": task, read with layout */
	OW_KMSG_OOM_GROUP, /* "Tasks in /a are going to be killed due to memory.oom.group set" */
	OW_KMSG_KIND_NR,
};

/* Which page counter an OOM_MEMCG_USAGE line is of. */
enum ow_kmsg_counter {
	OW_KMSG_COUNTER_MEMORY = 0, /* "memory:" (v1 and v2) */
	OW_KMSG_COUNTER_MEMSW, /* "memory+swap:" (v1) */
	OW_KMSG_COUNTER_SWAP, /* "swap:" (v2) */
	OW_KMSG_COUNTER_KMEM, /* "kmem:" (v1) */
};

/* The columns of dump_tasks() between "[  pid  ]" and "name". */
enum ow_kmsg_task_col {
	OW_KMSG_COL_UNKNOWN = 0, /* a column this parser does not know (4.x nr_ptes): skipped */
	OW_KMSG_COL_UID,
	OW_KMSG_COL_TGID,
	OW_KMSG_COL_TOTAL_VM, /* pages */
	OW_KMSG_COL_RSS, /* pages */
	OW_KMSG_COL_RSS_ANON, /* pages, 6.8+ */
	OW_KMSG_COL_RSS_FILE,
	OW_KMSG_COL_RSS_SHMEM,
	OW_KMSG_COL_PGTABLES_BYTES, /* bytes (4.15+) */
	OW_KMSG_COL_SWAPENTS, /* pages */
	OW_KMSG_COL_OOM_SCORE_ADJ,
	OW_KMSG_COL_NR,
};

#define OW_KMSG_TASK_COLS_MAX 16

/* A dump_tasks() header: its columns in order, pid and name left out. */
struct ow_kmsg_task_layout {
	uint8_t n_cols;
	uint8_t cols[OW_KMSG_TASK_COLS_MAX]; /* enum ow_kmsg_task_col */
};

/* The layouts of 6.8+ and of 4.19-6.7 (5.10, 6.1), for rows read without their header. */
extern const struct ow_kmsg_task_layout ow_kmsg_layout_6_8;
extern const struct ow_kmsg_task_layout ow_kmsg_layout_4_19;

/*
 * One row of dump_tasks(): a process the OOM killer considered. Values are as the kernel
 * prints them (pages but pgtables_bytes); cols says which the row gave (1u << column).
 */
struct ow_kmsg_task {
	int32_t pid; /* the thread printed (find_lock_task_mm(): the leader, unless it exited) */
	int32_t tgid; /* the process */
	uint32_t uid;
	int32_t oom_score_adj;
	uint32_t cols; /* 1u << enum ow_kmsg_task_col, for each column read */
	uint64_t total_vm_pages;
	uint64_t rss_pages;
	uint64_t rss_anon_pages;
	uint64_t rss_file_pages;
	uint64_t rss_shmem_pages;
	uint64_t pgtables_bytes;
	uint64_t swapents_pages;
	char comm[OW_KMSG_COMM_LEN];
};

/* Where memory ran out, as the line says it. */
enum ow_kmsg_scope {
	OW_KMSG_SCOPE_UNKNOWN = 0,
	OW_KMSG_SCOPE_SYSTEM, /* "Out of memory", or a summary without oom_memcg */
	OW_KMSG_SCOPE_MEMCG, /* "Memory cgroup out of memory", or oom_memcg= */
};

/* The summary's constraint= (enum oom_constraint). */
enum ow_kmsg_constraint {
	OW_KMSG_CONSTRAINT_UNKNOWN = 0,
	OW_KMSG_CONSTRAINT_NONE,
	OW_KMSG_CONSTRAINT_CPUSET,
	OW_KMSG_CONSTRAINT_MEMORY_POLICY,
	OW_KMSG_CONSTRAINT_MEMCG,
};

/* Bits of ow_kmsg_record.fields: which of the OOM fields the line gave. */
enum ow_kmsg_field {
	OW_KMSG_F_COMM = 1u << 0,
	OW_KMSG_F_PID = 1u << 1,
	OW_KMSG_F_UID = 1u << 2,
	OW_KMSG_F_CONSTRAINT = 1u << 3,
	OW_KMSG_F_OOM_MEMCG = 1u << 4,
	OW_KMSG_F_TASK_MEMCG = 1u << 5,
	OW_KMSG_F_CPUSET = 1u << 6,
	OW_KMSG_F_TOTAL_VM = 1u << 7,
	OW_KMSG_F_ANON_RSS = 1u << 8,
	OW_KMSG_F_FILE_RSS = 1u << 9,
	OW_KMSG_F_SHMEM_RSS = 1u << 10,
	OW_KMSG_F_PGTABLES = 1u << 11,
	OW_KMSG_F_OOM_SCORE_ADJ = 1u << 12,
	OW_KMSG_F_GFP_MASK = 1u << 13,
	OW_KMSG_F_ORDER = 1u << 14,
	OW_KMSG_F_USAGE = 1u << 15,
	OW_KMSG_F_LIMIT = 1u << 16,
	OW_KMSG_F_FAILCNT = 1u << 17,
	OW_KMSG_F_PAGES = 1u << 18,
};

struct ow_kmsg_record {
	/* The record's prefix. */
	uint32_t prio; /* syslog facility << 3 | level */
	uint64_t seq; /* the kernel's record sequence number */
	uint64_t time_ns; /* the record's timestamp (the kernel's local_clock), in ns since boot */
	bool continued; /* flag 'c': a fragment continued by the next record (before 4.x merged) */
	/* ",caller=T123" (CONFIG_PRINTK_CALLER): the thread that printed it; 0 when absent or
	 * printed from interrupt context ("C1") */
	int32_t caller_tid;
	size_t n_props; /* " KEY=value" lines after the text */

	/* The text, "\xHH" decoded; NUL-terminated, and text_len long (it may hold NULs). */
	char text[OW_KMSG_TEXT_MAX];
	size_t text_len;
	bool text_truncated; /* longer than OW_KMSG_TEXT_MAX - 1: cut */

	/* What the text says, when it is an OOM line. Absent fields are 0 or "". */
	enum ow_kmsg_kind kind;
	uint32_t fields; /* enum ow_kmsg_field */
	enum ow_kmsg_scope scope;
	enum ow_kmsg_constraint constraint;
	char oom_memcg[OW_KMSG_PATH_MAX]; /* the memory cgroup that ran out ("/a") */
	char task_memcg[OW_KMSG_PATH_MAX]; /* the victim's memory cgroup */
	char cpuset[OW_KMSG_PATH_MAX]; /* the trigger's cpuset (its name, not a path) */
	char comm[OW_KMSG_COMM_LEN]; /* the victim's (the trigger's for OOM_INVOKED) */
	int32_t pid; /* the victim's */
	uint32_t uid;
	uint64_t total_vm_bytes;
	uint64_t anon_rss_bytes;
	uint64_t file_rss_bytes;
	uint64_t shmem_rss_bytes;
	uint64_t pgtables_bytes;
	int32_t oom_score_adj; /* the victim's; the trigger's for OOM_INVOKED */
	uint32_t gfp_mask; /* OOM_INVOKED: the failed allocation's flags */
	int32_t order; /* OOM_INVOKED: its order (-1: sysrq or memory.max) */
	enum ow_kmsg_counter counter; /* OOM_MEMCG_USAGE */
	uint64_t usage_bytes; /* OOM_MEMCG_USAGE */
	uint64_t limit_bytes; /* OOM_MEMCG_USAGE; OOM_SWAP_TOTAL: the swap there is */
	uint64_t failcnt; /* OOM_MEMCG_USAGE: times the limit was hit */
	uint64_t pages; /* OOM_MEMINFO: free pages; OOM_RAM_PAGES: pages of RAM */
	struct ow_kmsg_task_layout layout; /* OOM_TASKS_HEADER; OOM_TASK_ROW: the one read with */
	struct ow_kmsg_task task; /* OOM_TASK_ROW */
	/* OOM_GROUP: the cgroup is in oom_memcg */
};

/*
 * Parses one /dev/kmsg record of len bytes (a NUL is not needed and ends nothing) into *ret,
 * which it overwrites. Returns 0 (ret->kind says whether it is an OOM line), or -EINVAL when
 * the prefix is malformed or a line after the text is not " KEY=value"; *ret is then
 * undefined.
 */
int ow_kmsg_parse(const char *buf, size_t len, struct ow_kmsg_record *ret);

/*
 * Recognises an OOM line in already decoded text of len bytes (a record's text, a line of
 * dmesg or of the journal), filling the OOM fields of *ret (kind and what follows it; the
 * rest of *ret is left alone). Returns the kind; OW_KMSG_OTHER when it is not an OOM line.
 */
enum ow_kmsg_kind ow_kmsg_parse_oom(const char *text, size_t len, struct ow_kmsg_record *ret);

/*
 * Reads a dump_tasks() row ("[   1234]     0  1234 ... name") of len bytes with the columns
 * of layout into *ret, which it overwrites. Returns 0, or -EINVAL when the text is not such a
 * row (a missing or extra number, a value out of range, no name); *ret is then undefined.
 */
int ow_kmsg_parse_task_row(const char *text, size_t len, const struct ow_kmsg_task_layout *layout,
			   struct ow_kmsg_task *ret);

/* "other", "oom-invoked", "oom-summary", "oom-killed", "oom-reaped", "oom-cpu", ... */
const char *ow_kmsg_kind_name(enum ow_kmsg_kind kind);

#endif
