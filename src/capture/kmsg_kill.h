/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's own account of an OOM kill, put together from /dev/kmsg records (kmsg.h): the
 * second witness. Fed the records in order, it hands over, per kernel kill:
 *
 *   - on_report: the kill as the kernel tells it (borrowed), for confirming a kill the BPF
 *     snapshot saw: kill->victim_pid, kill->time_ns, kill->kernel_report, kill->flags;
 *   - on_kill: the same kill, owned by the callee, for `record --no-bpf`: flags
 *     OW_KILL_FROM_KMSG | OW_KILL_KMSG_CONFIRMED, the victim and trigger, the domain, and the
 *     kernel's task dump as the snapshot;
 *   - on_reaped: the OOM reaper's line that follows a kill (what it left of the victim).
 *
 * One report is, in order (mm/oom_kill.c dump_header(), oom_kill_process(); kmsg.h has the
 * line shapes):
 *
 *   COMM invoked oom-killer: gfp_mask=..., order=N, oom_score_adj=N    (opens a report)
 *   CPU: N [UID: N ]PID: TID Comm: COMM ...                              (the trigger thread)
 *   <stack>
 *   memory: usage, memory+swap: / swap: usage ...                       (a memcg OOM)
 *   Mem-Info: ... free:N ..., N pages RAM, Total swap = NkB              (a global one)
 *   Tasks state (memory values in pages):                               (vm.oom_dump_tasks)
 *   [  pid  ]   uid  tgid ... name, then one row per process
 *   oom-kill:constraint=...,oom_memcg=...,task_memcg=...,task=,pid=,uid=
 *   <message>: Killed process PID (COMM) total-vm:... oom_score_adj:N   (ends it: a kill)
 *   Tasks in /a are going to be killed due to memory.oom.group set      (then more Killed
 *                                                                        lines, one a member)
 *
 * The kernel rate-limits dump_header() (10 per 5 s) but never the Killed line: a kill without
 * its report ("headerless") gives a partial kill with the victim alone; its domain is the last
 * report's when the victim was in that report's task dump, else the kind the Killed line names
 * ("Memory cgroup out of memory" or "Out of memory") without a cgroup path. A report is read
 * from one thread: with CONFIG_PRINTK_CALLER, records printed by another thread in the middle
 * are left out. A kill is handed over once the record after its Killed line is fed (it may be
 * the memory.oom.group line, which marks it OW_KILL_OOM_GROUP) or at ow_kmsg_kill_flush(): call
 * it after each batch of records read.
 *
 * What the task dump gives, per process: pid (tgid), uid, oom_score_adj, comm, swap and page
 * tables, and the rss: split into anon/file/shmem from 6.8 on; before, the whole rss is counted
 * as anon (the kernel does not say more). No ppid, cmdline nor cgroup: the victim's cgroup is
 * the summary's task_memcg. Times: a record's time (printk's local_clock, which, like
 * CLOCK_MONOTONIC, stops in suspend) plus mono_to_real_ns.
 *
 * Pure: no I/O. Allocates the kills it hands over and the task rows of the open report.
 */
#ifndef OW_KMSG_KILL_H
#define OW_KMSG_KILL_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/kmsg.h"
#include "model/model.h"

/* Rows kept per report; more are counted (rows_dropped) and the kill marked partial. */
#define OW_KMSG_KILL_ROWS_MAX 100000

/* The OOM reaper's "oom_reaper: reaped process PID (COMM), now anon-rss:..." after a kill. */
struct ow_kmsg_reaped {
	int32_t pid;
	char comm[OW_COMM_LEN];
	uint64_t time_ns; /* Unix time of the line */
	uint64_t rss_left_bytes; /* anon + file + shmem the reaper left */
	/* the victim's rss at its kill minus what was left; UINT64_MAX when the kill was not
	 * seen (among the last kills this assembler handed over) */
	uint64_t reaped_bytes;
};

/* Called with a kill as kmsg tells it; borrowed: valid during the call only. */
typedef void (*ow_kmsg_on_report_fn)(const struct ow_kill *kill, void *ctx);
/* Called with the same kill; the callee takes ownership of *kill's contents (ow_kill_clear). */
typedef void (*ow_kmsg_on_kill_fn)(struct ow_kill *kill, void *ctx);
typedef void (*ow_kmsg_on_reaped_fn)(const struct ow_kmsg_reaped *reaped, void *ctx);

struct ow_kmsg_kill_config {
	uint32_t page_size; /* bytes of a page, for the task dump; 0: 4096 */
	/* added to a record's time for Unix time: CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t mono_to_real_ns;
	/* a global OOM's domain: RAM (0: the report's "N pages RAM") and swap (0: its "Total
	 * swap"); the domain's total_bytes is their sum, as the kernel's totalpages */
	uint64_t total_ram_bytes;
	uint64_t total_swap_bytes;
	/* each may be NULL */
	ow_kmsg_on_report_fn on_report;
	ow_kmsg_on_kill_fn on_kill;
	ow_kmsg_on_reaped_fn on_reaped;
	void *ctx;
};

struct ow_kmsg_kill_stats {
	uint64_t kills; /* kills handed over */
	uint64_t headerless_kills; /* of which without their report (rate-limited, or cut) */
	uint64_t group_kills; /* of which marked OW_KILL_OOM_GROUP */
	uint64_t reaped; /* reaper lines handed over */
	uint64_t rows; /* task dump rows read */
	uint64_t rows_dropped; /* rows past OW_KMSG_KILL_ROWS_MAX, or unreadable with the header */
	uint64_t reports_without_kill; /* reports that ended with no Killed line */
	uint64_t foreign_records; /* records of another thread inside a report, left out */
};

struct ow_kmsg_kill;

/* Returns 0 or -EINVAL (cfg NULL) or -ENOMEM; *ret is freed with ow_kmsg_kill_free(). */
int ow_kmsg_kill_new(const struct ow_kmsg_kill_config *cfg, struct ow_kmsg_kill **ret);
void ow_kmsg_kill_free(struct ow_kmsg_kill *a);

/*
 * Takes the next record, parsed by ow_kmsg_parse() (or by ow_kmsg_parse_oom() from a line
 * put in rec->text and rec->text_len: task rows are read again from the text, with their
 * header's columns). Returns 0, -EINVAL (NULL), or -ENOMEM: the record is then lost (a kill
 * whose copy failed is dropped, a row is not kept), and the assembler goes on.
 */
int ow_kmsg_kill_feed(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec);

/* Hands over the kill waiting for the record after its Killed line, if any. */
void ow_kmsg_kill_flush(struct ow_kmsg_kill *a);

/* Updates mono_to_real_ns for the kills to come (the recorder refreshes it as it polls). */
void ow_kmsg_kill_set_clock_offset(struct ow_kmsg_kill *a, int64_t mono_to_real_ns);

void ow_kmsg_kill_get_stats(const struct ow_kmsg_kill *a, struct ow_kmsg_kill_stats *ret_stats);

/*
 * Whether the kernel's report of a kill (from on_report) is the kill k: the same victim, the
 * times no more than window_ns apart (the Killed line comes microseconds after mark_victim, but
 * the two clocks may differ by more: printk's stops in suspend, and the offsets are read apart).
 */
bool ow_kmsg_kill_matches(const struct ow_kill *kmsg, const struct ow_kill *k, uint64_t window_ns);

/*
 * Confirms k with the kernel's report of it: replaces k->kernel_report with a copy of kmsg's,
 * and sets OW_KILL_KMSG_CONFIRMED (and OW_KILL_OOM_GROUP when kmsg has it) in k->flags.
 * Returns 0, or -ENOMEM with k unchanged.
 */
int ow_kmsg_kill_confirm(struct ow_kill *k, const struct ow_kill *kmsg);

#endif
