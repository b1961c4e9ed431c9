/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the kmsg kill assembler (src/capture/kmsg_kill.c): whole OOM reports as the
 * kernel writes them to /dev/kmsg, fed record by record, and the kills it hands over. The
 * reports follow real ones: a cgroup v1 memcg OOM of 6.18 (this project's machine, from its
 * log), a cgroup v2 memcg OOM of 6.1 (memory.stat in one record, a trigger thread that is not
 * its process's leader), global OOMs of 5.10 and 6.12 (show_mem's figures), a 4.9 task dump;
 * then the kernel's rate limit (kills without their report), memory.oom.group, printk caller
 * ids, no task dump, a report cut short, the reaper's line, and the task dump's limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/kmsg_kill.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define PAGE 4096ull
#define MAX_GOT 16

/* What the callbacks received. */
struct got {
	size_t n_kills;
	struct ow_kill kills[MAX_GOT]; /* owned */
	size_t n_reports;
	int32_t report_pids[MAX_GOT];
	uint64_t report_times[MAX_GOT];
	enum ow_oom_constraint report_constraints[MAX_GOT];
	size_t n_reaped;
	struct ow_kmsg_reaped reaped[MAX_GOT];
};

static struct got got;
static uint64_t next_seq;

static void on_kill(struct ow_kill *k, void *ctx)
{
	assert_ptr_equal(ctx, &got);
	assert_true(got.n_kills < MAX_GOT);
	got.kills[got.n_kills++] = *k;
}

static void on_report(const struct ow_kill *k, void *ctx)
{
	assert_ptr_equal(ctx, &got);
	assert_true(got.n_reports < MAX_GOT);
	got.report_pids[got.n_reports] = k->victim_pid;
	got.report_times[got.n_reports] = k->time_ns;
	got.report_constraints[got.n_reports] = k->kernel_report.constraint;
	got.n_reports++;
}

static void on_reaped(const struct ow_kmsg_reaped *r, void *ctx)
{
	assert_ptr_equal(ctx, &got);
	assert_true(got.n_reaped < MAX_GOT);
	got.reaped[got.n_reaped++] = *r;
}

static void got_clear(void)
{
	for (size_t i = 0; i < got.n_kills; i++)
		ow_kill_clear(&got.kills[i]);
	memset(&got, 0, sizeof(got));
}

static struct ow_kmsg_kill *new_asm(uint64_t ram, uint64_t swap, int64_t offset)
{
	struct ow_kmsg_kill_config cfg = {
		.page_size = PAGE,
		.mono_to_real_ns = offset,
		.total_ram_bytes = ram,
		.total_swap_bytes = swap,
		.on_report = on_report,
		.on_kill = on_kill,
		.on_reaped = on_reaped,
		.ctx = &got,
	};
	struct ow_kmsg_kill *a;

	got_clear();
	assert_int_equal(ow_kmsg_kill_new(&cfg, &a), 0);
	return a;
}

/* Feeds one record of text as /dev/kmsg gives it, at usec, from thread caller (0: no id). */
static void feed(struct ow_kmsg_kill *a, uint64_t usec, int32_t caller, const char *text)
{
	static struct ow_kmsg_record rec;
	char buf[4096];
	int n;

	if (caller)
		n = snprintf(buf, sizeof(buf), "6,%llu,%llu,-,caller=T%d;%s\n",
			     (unsigned long long)next_seq++, (unsigned long long)usec, caller,
			     text);
	else
		n = snprintf(buf, sizeof(buf), "6,%llu,%llu,-;%s\n", (unsigned long long)next_seq++,
			     (unsigned long long)usec, text);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(ow_kmsg_parse(buf, (size_t)n, &rec), 0);
	assert_int_equal(ow_kmsg_kill_feed(a, &rec), 0);
}

/* Feeds lines (NULL-terminated) 10 us apart from usec; returns the time after the last. */
static uint64_t feed_all(struct ow_kmsg_kill *a, uint64_t usec, int32_t caller,
			 const char *const *lines)
{
	for (; *lines; lines++, usec += 10)
		feed(a, usec, caller, *lines);
	return usec;
}

static const struct ow_process *proc(const struct ow_kill *k, int32_t pid)
{
	const struct ow_process *p = ow_kill_find_process(k, pid);

	if (!p)
		fail_msg("pid %d not in the kill's processes", pid);
	return p;
}

/* ---- 6.18, cgroup v1 (this project's machine) ---- */

static const char *const report_618_v1[] = {
	"oom_kill_process: 111 callbacks suppressed",
	"hogger invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
	"CPU: 0 UID: 0 PID: 30055 Comm: hogger Not tainted 6.18.44-fc-v657 #1 PREEMPT(none) ",
	"Call Trace:",
	" <TASK>",
	" dump_stack_lvl+0x57/0x80",
	" dump_header+0x43/0x1c0",
	" oom_kill_process.cold+0x8/0x8a",
	" out_of_memory+0x214/0x500",
	" mem_cgroup_out_of_memory+0xc0/0x110",
	" try_charge_memcg+0x422/0x6f0",
	" asm_exc_page_fault+0x22/0x30",
	"RIP: 0033:0x7f4d74dce0ba",
	"RSP: 002b:00007ffd10b54798 EFLAGS: 00010206",
	" </TASK>",
	"memory: usage 262144kB, limit 262144kB, failcnt 55",
	"memory+swap: usage 262144kB, limit 9007199254740988kB, failcnt 0",
	"kmem: usage 696kB, limit 9007199254740988kB, failcnt 0",
	"Memory cgroup stats for /oomwitness-e2e-story-30012:",
	"cache 12288",
	"rss 267841536",
	"shmem 0",
	"total_unevictable 0",
	"Tasks state (memory values in pages):",
	"[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents "
	"oom_score_adj name",
	"[  30050]     0 30050      876      549      256      293         0    53248        0       "
	"   1000 victim",
	"[  30051]     0 30051    10899    10582    10304      278         0   126976        0       "
	"    800 bystander",
	"[  30055]     0 30055    55617    55077    54752      325         0   487424        0       "
	"      0 hogger",
	"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	"oom_memcg=/oomwitness-e2e-story-30012,task_memcg=/oomwitness-e2e-story-30012,task=victim,"
	"pid=30050,uid=0",
	"Memory cgroup out of memory: Killed process 30050 (victim) total-vm:3504kB, anon-rss:1024kB, "
	"file-rss:1172kB, shmem-rss:0kB, UID:0 pgtables:52kB oom_score_adj:1000",
	NULL,
};

static void test_memcg_v1_618(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 1000);
	struct ow_kmsg_kill_stats st;
	const struct ow_kill *k;
	const struct ow_process *p;

	(void)state;
	feed_all(a, 12937014559ull, 0, report_618_v1);
	/* Held back for a memory.oom.group line until the next record or a flush. */
	assert_int_equal(got.n_kills, 0);
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	assert_int_equal(got.n_reports, 1);
	k = &got.kills[0];
	assert_int_equal(k->time_ns, (12937014559ull + 29 * 10) * 1000 + 1000);
	assert_int_equal(got.report_times[0], k->time_ns);
	assert_int_equal(got.report_pids[0], 30050);
	assert_int_equal(k->killer_kind, OW_KILLER_KERNEL);
	assert_int_equal(k->flags, OW_KILL_FROM_KMSG | OW_KILL_KMSG_CONFIRMED);
	assert_false(k->partial);
	assert_int_equal(k->victim_pid, 30050);
	assert_int_equal(k->trigger_pid, 30055);
	assert_int_equal(k->trigger_tid, 30055);
	assert_string_equal(k->trigger_thread_comm, "hogger");
	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(k->domain.cgroup, "/oomwitness-e2e-story-30012");
	assert_int_equal(k->domain.limit_bytes, 256 * MIB);
	assert_int_equal(k->domain.usage_bytes, 256 * MIB);
	assert_int_equal(k->domain.total_bytes, 256 * MIB); /* no swap on the machine */
	assert_int_equal(k->kernel_report.constraint, OW_CONSTRAINT_MEMCG);
	assert_string_equal(k->kernel_report.oom_memcg, "/oomwitness-e2e-story-30012");
	assert_string_equal(k->kernel_report.task_memcg, "/oomwitness-e2e-story-30012");
	assert_true(k->kernel_report.has_allocation);
	assert_int_equal(k->kernel_report.gfp_mask, 0xcc0);
	assert_int_equal(k->kernel_report.order, 0);
	assert_int_equal(k->n_procs, 3);
	/* In pid order. */
	assert_int_equal(k->procs[0].pid, 30050);
	assert_int_equal(k->procs[2].pid, 30055);
	/* The victim: the Killed line's figures (kB), its cgroup from the summary. */
	p = proc(k, 30050);
	assert_string_equal(p->comm, "victim");
	assert_int_equal(p->anon_bytes, 1024 * KIB);
	assert_int_equal(p->file_bytes, 1172 * KIB);
	assert_int_equal(p->shmem_bytes, 0);
	assert_int_equal(p->pgtables_bytes, 52 * KIB);
	assert_int_equal(p->oom_score_adj, 1000);
	assert_int_equal(p->flags, OW_PROC_IN_DOMAIN);
	assert_string_equal(p->cgroup, "/oomwitness-e2e-story-30012");
	assert_null(p->cmdline);
	/* The others: the rows, pages to bytes, the 6.8 split. */
	p = proc(k, 30051);
	assert_string_equal(p->comm, "bystander");
	assert_int_equal(p->anon_bytes, 10304 * PAGE);
	assert_int_equal(p->file_bytes, 278 * PAGE);
	assert_int_equal(p->pgtables_bytes, 126976);
	assert_int_equal(p->oom_score_adj, 800);
	assert_int_equal(p->flags, OW_PROC_IN_DOMAIN);
	assert_null(p->cgroup);
	p = proc(k, 30055);
	assert_int_equal(ow_process_rss_bytes(p), (54752 + 325) * PAGE);
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.kills, 1);
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.headerless_kills, 0);
	assert_int_equal(st.rows_dropped, 0);
	/* Flushing again hands nothing more over. */
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- 6.1, cgroup v2: swap:, memory.stat in one record, a worker thread as the trigger ---- */

static const char *const report_61_v2[] = {
	"python3 invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, "
	"oom_score_adj=0",
	"CPU: 1 PID: 4313 Comm: python3 Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1",
	"Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
	"Call Trace:",
	" <TASK>",
	" dump_stack_lvl+0x44/0x5c",
	" dump_header+0x4a/0x211",
	" </TASK>",
	"memory: usage 524288kB, limit 524288kB, failcnt 1532",
	"swap: usage 262144kB, limit 262144kB, failcnt 12",
	"Memory cgroup stats for /system.slice/app.service:",
	"anon 532606976\\x0afile 4096\\x0akernel 4403200\\x0akernel_stack 81920\\x0apagetables "
	"2068480\\x0ashmem 0\\x0afile_mapped 0\\x0aslab 1183512\\x0asock 0",
	"Tasks state (memory values in pages):",
	"[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
	"[   4290]  1000  4290     5200      700    65536        0             0 bash",
	"[   4312]  1000  4312   300000   129900  2000000    65536             0 python3",
	"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	"oom_memcg=/system.slice/app.service,task_memcg=/system.slice/app.service,task=python3,"
	"pid=4312,uid=1000",
	"Memory cgroup out of memory: Killed process 4312 (python3) total-vm:1200000kB, "
	"anon-rss:519596kB, file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:1953kB oom_score_adj:0",
	NULL,
};

static void test_memcg_v2_61(void **state)
{
	/* The machine has 1 GiB of swap; the cgroup may use 256 MiB of it. */
	struct ow_kmsg_kill *a = new_asm(0, 1024 * MIB, 0);
	const struct ow_kill *k;
	const struct ow_process *p;

	(void)state;
	feed_all(a, 5000000, 0, report_61_v2);
	/* The next record hands it over, even an unrelated line. */
	feed(a, 6000000, 0,
	     "oom_reaper: reaped process 4312 (python3), now anon-rss:0kB, "
	     "file-rss:4kB, shmem-rss:0kB");
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_false(k->partial);
	assert_string_equal(k->domain.cgroup, "/system.slice/app.service");
	assert_int_equal(k->domain.limit_bytes, 512 * MIB);
	assert_int_equal(k->domain.total_bytes, 768 * MIB);
	assert_int_equal(k->kernel_report.gfp_mask, 0x140cca);
	/* Thread 4313 is not in the dump: the one row of its comm is its process. */
	assert_int_equal(k->trigger_tid, 4313);
	assert_int_equal(k->trigger_pid, 4312);
	assert_int_equal(k->n_procs, 2);
	/* Before 6.8 the rss comes whole: counted as anon. */
	p = proc(k, 4290);
	assert_int_equal(p->anon_bytes, 700 * PAGE);
	assert_int_equal(p->file_bytes, 0);
	assert_int_equal(p->uid, 1000);
	p = proc(k, 4312);
	assert_int_equal(p->anon_bytes, 519596 * KIB);
	assert_int_equal(p->file_bytes, 4 * KIB);
	assert_int_equal(p->swap_bytes, 65536 * PAGE);
	assert_int_equal(p->pgtables_bytes, 1953 * KIB);
	/* The reaper: what it left, what it freed. */
	assert_int_equal(got.n_reaped, 1);
	assert_int_equal(got.reaped[0].pid, 4312);
	assert_string_equal(got.reaped[0].comm, "python3");
	assert_int_equal(got.reaped[0].time_ns, 6000000ull * 1000);
	assert_int_equal(got.reaped[0].rss_left_bytes, 4 * KIB);
	assert_int_equal(got.reaped[0].reaped_bytes, 519596 * KIB);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- global OOMs: 5.10 (show_mem's RAM and free pages) and 6.12 ---- */

static const char *const report_510_global[] = {
	"stress invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, "
	"oom_score_adj=0",
	"CPU: 1 PID: 2312 Comm: stress Not tainted 5.10.0-28-amd64 #1 Debian 5.10.209-2",
	"Call Trace:",
	" dump_stack+0x6b/0x83",
	"Mem-Info:",
	"active_anon:1955390 inactive_anon:12 isolated_anon:0\\x0a active_file:38 inactive_file:41 "
	"isolated_file:0\\x0a unevictable:0 dirty:0 writeback:0\\x0a slab_reclaimable:4910 "
	"slab_unreclaimable:9880\\x0a mapped:30 shmem:215 pagetables:5120 bounce:0\\x0a free:21004 "
	"free_pcp:120 free_cma:0",
	"Node 0 active_anon:7821560kB inactive_anon:48kB active_file:152kB inactive_file:164kB "
	"unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:120kB dirty:0kB writeback:0kB "
	"shmem:860kB writeback_tmp:0kB kernel_stack:2448kB all_unreclaimable? yes",
	"Node 0 DMA free:15360kB min:132kB low:164kB high:196kB",
	"2097022 pages RAM",
	"0 pages HighMem/MovableOnly",
	"67366 pages reserved",
	"Free swap  = 0kB",
	"Total swap = 0kB",
	"Tasks state (memory values in pages):",
	"[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
	"[    312]     0   312    12345     1234    98304        0          -250 systemd-journal",
	"[      1]     0     1    25000     2800   110592        0             0 systemd",
	"[   2312]  1000  2312  2098369  1955100 15720448        0             0 stress",
	"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
	"task_memcg=/user.slice/user-1000.slice/session-2.scope,task=stress,pid=2312,uid=1000",
	"Out of memory: Killed process 2312 (stress) total-vm:8393476kB, anon-rss:7820104kB, "
	"file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:15352kB oom_score_adj:0",
	NULL,
};

static void test_global_510(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	const struct ow_kill *k;

	(void)state;
	feed_all(a, 402113000, 0, report_510_global);
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_int_equal(k->domain.kind, OW_DOMAIN_GLOBAL);
	assert_null(k->domain.cgroup);
	/* RAM from "pages RAM", what was used from show_mem's free pages. */
	assert_int_equal(k->domain.limit_bytes, 2097022 * PAGE);
	assert_int_equal(k->domain.usage_bytes, (2097022 - 21004) * PAGE);
	assert_int_equal(k->domain.total_bytes, 2097022 * PAGE);
	assert_int_equal(k->kernel_report.constraint, OW_CONSTRAINT_NONE);
	assert_null(k->kernel_report.oom_memcg);
	assert_string_equal(k->kernel_report.task_memcg,
			    "/user.slice/user-1000.slice/session-2.scope");
	assert_int_equal(k->trigger_pid, 2312);
	assert_int_equal(k->n_procs, 3);
	assert_int_equal(k->procs[0].pid, 1);
	assert_int_equal(proc(k, 312)->oom_score_adj, -250);
	assert_int_equal(proc(k, 2312)->uid, 1000);
	assert_string_equal(proc(k, 2312)->cgroup, "/user.slice/user-1000.slice/session-2.scope");
	ow_kmsg_kill_free(a);
	got_clear();
}

static const char *const report_612_global[] = {
	"node invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, "
	"oom_score_adj=0",
	"CPU: 3 UID: 1000 PID: 9001 Comm: node Not tainted 6.12.12-amd64 #1 Debian 6.12.12-1",
	"Mem-Info:",
	"active_anon:12 inactive_anon:941203 isolated_anon:0\\x0a active_file:95 inactive_file:103 "
	"isolated_file:0\\x0a unevictable:0 dirty:0 writeback:0\\x0a slab_reclaimable:5012 "
	"slab_unreclaimable:9120\\x0a mapped:120 shmem:230 pagetables:2100\\x0a sec_pagetables:0 "
	"bounce:0\\x0a kernel_misc_reclaimable:0\\x0a free:21538 free_pcp:62 free_cma:0",
	"1048445 pages RAM",
	"Total swap = 1048572kB",
	"Tasks state (memory values in pages):",
	"[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents "
	"oom_score_adj name",
	"[    612]     0   612    72351     1843      512     1331         0   184320        0       "
	"   -250 systemd-journal",
	"[   9001]  1000  9001  1012345   940512   939800      700        12  7630848      300       "
	"      0 node",
	"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
	"task_memcg=/user.slice/user-1000.slice/session-3.scope,task=node,pid=9001,uid=1000",
	"Out of memory: Killed process 9001 (node) total-vm:4049380kB, anon-rss:3759200kB, "
	"file-rss:2800kB, shmem-rss:48kB, UID:1000 pgtables:7452kB oom_score_adj:0",
	NULL,
};

static void test_global_612(void **state)
{
	/* The recorder's RAM wins over "pages RAM" (which counts reserved pages). */
	struct ow_kmsg_kill *a = new_asm(4000 * MIB, 0, 0);
	const struct ow_kill *k;
	const struct ow_process *p;

	(void)state;
	feed_all(a, 1000, 0, report_612_global);
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_int_equal(k->domain.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(k->domain.limit_bytes, 4000 * MIB);
	assert_int_equal(k->domain.usage_bytes, 4000 * MIB - 21538 * PAGE);
	assert_int_equal(k->domain.total_bytes, 4000 * MIB + 1048572 * KIB);
	assert_int_equal(k->trigger_pid, 9001);
	p = proc(k, 612);
	assert_int_equal(p->anon_bytes, 512 * PAGE);
	assert_int_equal(p->file_bytes, 1331 * PAGE);
	p = proc(k, 9001);
	assert_int_equal(p->shmem_bytes, 48 * KIB);
	assert_int_equal(p->swap_bytes, 300 * PAGE);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- 4.9's task dump: columns read through its header, unknown ones skipped ---- */

static void test_old_dump_49(void **state)
{
	static const char *const report[] = {
		"java invoked oom-killer: gfp_mask=0x24201ca(GFP_HIGHUSER_MOVABLE|__GFP_COLD), "
		"nodemask=0, order=0, oom_score_adj=0",
		"CPU: 0 PID: 700 Comm: java Not tainted 4.9.0-8-amd64 #1 Debian 4.9.130-2",
		"[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
		"[  690]     0   690     5000      400      12       3        7           -17 sshd",
		"[  700]   106   700   900000   500000    1000       5        0             0 java",
		"Memory cgroup out of memory: Kill process 700 (java) score 998 or sacrifice child",
		"Killed process 700 (java) total-vm:3600000kB, anon-rss:1999000kB, file-rss:1000kB, "
		"shmem-rss:0kB",
		NULL,
	};
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	const struct ow_kill *k;
	struct ow_kmsg_kill_stats st;

	(void)state;
	feed_all(a, 1000, 0, report);
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_int_equal(k->n_procs, 2);
	assert_int_equal(proc(k, 690)->swap_bytes, 7 * PAGE);
	assert_int_equal(proc(k, 690)->oom_score_adj, -17);
	assert_int_equal(proc(k, 690)->anon_bytes, 400 * PAGE);
	assert_int_equal(proc(k, 700)->uid, 106); /* the row's: 4.9's Killed line has no UID */
	assert_int_equal(proc(k, 700)->anon_bytes, 1999000 * KIB);
	/* Neither the summary nor the Killed line say where: no memory: line either. */
	assert_int_equal(k->domain.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(k->kernel_report.constraint, OW_CONSTRAINT_UNKNOWN);
	assert_true(k->kernel_report.has_allocation);
	assert_int_equal(k->kernel_report.gfp_mask, 0x24201ca);
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.rows, 2);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- the rate limit: kills without their report ---- */

static void test_headerless(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	struct ow_kmsg_kill_stats st;
	const struct ow_kill *k;
	uint64_t t;

	(void)state;
	t = feed_all(a, 1000, 0, report_618_v1);
	/* A later kill of a process the last report listed: its domain. */
	feed(a, t + 100, 0,
	     "Memory cgroup out of memory: Killed process 30051 (bystander) "
	     "total-vm:43596kB, anon-rss:41216kB, file-rss:1112kB, shmem-rss:0kB, "
	     "UID:0 pgtables:124kB oom_score_adj:800");
	/* One it did not list: a memcg somewhere. */
	feed(a, t + 200, 0,
	     "Memory cgroup out of memory: Killed process 31000 (storm) "
	     "total-vm:26000kB, anon-rss:24320kB, file-rss:1200kB, shmem-rss:0kB, "
	     "UID:0 pgtables:80kB oom_score_adj:0");
	/* A global one. */
	feed(a, t + 300, 0,
	     "Out of memory: Killed process 31001 (big) total-vm:26000kB, "
	     "anon-rss:24320kB, file-rss:1200kB, shmem-rss:0kB, UID:0 pgtables:80kB "
	     "oom_score_adj:0");
	/* A listed process, but in a global kill: not that report's domain. */
	feed(a, t + 400, 0,
	     "Out of memory: Killed process 30055 (hogger) total-vm:26000kB, "
	     "anon-rss:24320kB, file-rss:1200kB, shmem-rss:0kB, UID:0 pgtables:80kB "
	     "oom_score_adj:0");
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 5);

	k = &got.kills[1];
	assert_int_equal(k->victim_pid, 30051);
	assert_true(k->partial);
	assert_int_equal(k->flags, OW_KILL_FROM_KMSG | OW_KILL_KMSG_CONFIRMED);
	assert_int_equal(k->n_procs, 1);
	assert_int_equal(k->procs[0].anon_bytes, 41216 * KIB);
	assert_int_equal(k->procs[0].oom_score_adj, 800);
	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(k->domain.cgroup, "/oomwitness-e2e-story-30012");
	assert_int_equal(k->domain.limit_bytes, 256 * MIB);
	assert_int_equal(k->trigger_pid, 0);
	assert_int_equal(k->kernel_report.constraint, OW_CONSTRAINT_UNKNOWN);
	assert_null(k->kernel_report.task_memcg);
	assert_false(k->kernel_report.has_allocation);

	k = &got.kills[2];
	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_null(k->domain.cgroup);
	assert_int_equal(k->domain.limit_bytes, 0);
	assert_true(k->partial);

	k = &got.kills[3];
	assert_int_equal(k->domain.kind, OW_DOMAIN_GLOBAL);
	k = &got.kills[4];
	assert_int_equal(k->domain.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(k->domain.limit_bytes, 0);

	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.kills, 5);
	assert_int_equal(st.headerless_kills, 4);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- memory.oom.group ---- */

static const char *const report_group[] = {
	"worker invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
	"CPU: 2 UID: 0 PID: 500 Comm: worker Not tainted 6.12.0 #1",
	"memory: usage 102400kB, limit 102400kB, failcnt 3",
	"swap: usage 0kB, limit 0kB, failcnt 0",
	"Tasks state (memory values in pages):",
	"[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents "
	"oom_score_adj name",
	"[    500]     0   500     9000     8000     7900      100         0    90112        0       "
	"      0 worker",
	"[    501]     0   501     9000     8000     7900      100         0    90112        0       "
	"      0 worker",
	"[    502]     0   502     2000     1000      900      100         0    50112        0       "
	"      0 helper",
	"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
	"oom_memcg=/db,task_memcg=/db/w,task=worker,pid=500,uid=0",
	"Memory cgroup out of memory: Killed process 500 (worker) total-vm:36000kB, "
	"anon-rss:31600kB, file-rss:400kB, shmem-rss:0kB, UID:0 pgtables:88kB oom_score_adj:0",
	"Tasks in /db are going to be killed due to memory.oom.group set",
	"Memory cgroup out of memory: Killed process 501 (worker) total-vm:36000kB, "
	"anon-rss:31600kB, file-rss:400kB, shmem-rss:0kB, UID:0 pgtables:88kB oom_score_adj:0",
	"Memory cgroup out of memory: Killed process 502 (helper) total-vm:8000kB, "
	"anon-rss:3600kB, file-rss:400kB, shmem-rss:0kB, UID:0 pgtables:48kB oom_score_adj:0",
	NULL,
};

static void test_oom_group(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	struct ow_kmsg_kill_stats st;

	(void)state;
	feed_all(a, 1000, 77, report_group);
	/* The first two went when the next Killed line came; the last waits. */
	assert_int_equal(got.n_kills, 2);
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct ow_kill *k = &got.kills[i];

		assert_int_equal(k->victim_pid, 500 + (int32_t)i);
		assert_true(k->flags & OW_KILL_OOM_GROUP);
		assert_string_equal(k->domain.cgroup, "/db");
		assert_int_equal(k->domain.limit_bytes, 100 * MIB);
		assert_int_equal(k->trigger_pid, 500);
		assert_int_equal(k->n_procs, 3);
		assert_string_equal(k->kernel_report.oom_memcg, "/db");
		assert_false(k->partial);
	}
	/* The summary's task_memcg is the first victim's, not the members'. */
	assert_string_equal(got.kills[0].kernel_report.task_memcg, "/db/w");
	assert_string_equal(proc(&got.kills[0], 500)->cgroup, "/db/w");
	assert_null(got.kills[1].kernel_report.task_memcg);
	assert_null(proc(&got.kills[1], 501)->cgroup);
	assert_int_equal(proc(&got.kills[2], 502)->anon_bytes, 3600 * KIB);
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.group_kills, 3);
	assert_int_equal(st.headerless_kills, 0);
	/* Without the group line, a second Killed line is a kill of its own (headerless). */
	got_clear();
	for (size_t i = 0; report_group[i]; i++)
		if (!strstr(report_group[i], "oom.group"))
			feed(a, 5000 + i * 10, 77, report_group[i]);
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 3);
	assert_false(got.kills[0].flags & OW_KILL_OOM_GROUP);
	assert_true(got.kills[1].partial);
	assert_int_equal(got.kills[1].n_procs, 1);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- printk caller ids: another thread's lines inside a report ---- */

static void test_foreign_records(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	struct ow_kmsg_kill_stats st;
	const struct ow_kill *k;

	(void)state;
	feed(a, 10, 500,
	     "worker invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
	     "oom_score_adj=0");
	/* Another CPU's warning: its own stack dump. */
	feed(a, 11, 900, "CPU: 0 UID: 0 PID: 900 Comm: other Not tainted 6.12.0 #1");
	feed(a, 12, 500, "CPU: 2 UID: 0 PID: 500 Comm: worker Not tainted 6.12.0 #1");
	feed(a, 13, 900, "memory: usage 1kB, limit 1kB, failcnt 1");
	feed(a, 14, 500, "memory: usage 102400kB, limit 102400kB, failcnt 3");
	feed(a, 15, 500, "Tasks state (memory values in pages):");
	feed(a, 16, 500,
	     "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
	     "pgtables_bytes swapents oom_score_adj name");
	feed(a, 17, 500,
	     "[    500]     0   500     9000     8000     7900      100         0    "
	     "90112        0             0 worker");
	feed(a, 18, 900,
	     "[    999]     0   999     9000     8000     7900      100         0    "
	     "90112        0             0 intruder");
	feed(a, 19, 500,
	     "oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/db,task_memcg=/db,"
	     "task=worker,pid=500,uid=0");
	feed(a, 20, 500,
	     "Memory cgroup out of memory: Killed process 500 (worker) "
	     "total-vm:36000kB, anon-rss:31600kB, file-rss:400kB, shmem-rss:0kB, UID:0 "
	     "pgtables:88kB oom_score_adj:0");
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_int_equal(k->trigger_tid, 500);
	assert_int_equal(k->domain.limit_bytes, 100 * MIB);
	assert_int_equal(k->n_procs, 1);
	assert_null(ow_kill_find_process(k, 999));
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.foreign_records, 3);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- no task dump, a report without a kill, a report caught half-way ---- */

static void test_partial_reports(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	struct ow_kmsg_kill_stats st;
	const struct ow_kill *k;

	(void)state;
	/* vm.oom_dump_tasks = 0: the victim alone, the snapshot partial. */
	feed(a, 10, 0,
	     "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, "
	     "oom_score_adj=0");
	feed(a, 11, 0, "CPU: 0 PID: 7 Comm: kworker/0:1 Not tainted 6.1.0 #1");
	feed(a, 12, 0, "memory: usage 10240kB, limit 10240kB, failcnt 1");
	feed(a, 13, 0,
	     "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
	     "mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=b,pid=40,uid=0");
	feed(a, 14, 0,
	     "Memory cgroup out of memory: Killed process 40 (b) total-vm:1000kB, "
	     "anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:8kB "
	     "oom_score_adj:0");
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_true(k->partial);
	assert_int_equal(k->n_procs, 1);
	assert_int_equal(k->kernel_report.order, -1);
	/* A kernel thread (a memory.max write, sysrq) ran it: not in any dump, its tid. */
	assert_int_equal(k->trigger_pid, 7);
	assert_int_equal(k->trigger_tid, 7);
	assert_string_equal(k->trigger_thread_comm, "kworker/0:1");
	got_clear();

	/* A report whose victim was exiting already: no Killed line, then the next report. */
	feed(a, 20, 0,
	     "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
	     "oom_score_adj=0");
	feed(a, 21, 0,
	     "oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/a,task_memcg=/a,task=b,"
	     "pid=41,uid=0");
	feed(a, 22, 0,
	     "Memory cgroup out of memory: OOM victim 41 (b) is already exiting. Skip "
	     "killing the task");
	/* Caught half-way: the summary opens it. */
	feed(a, 30, 0,
	     "oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/c,task_memcg=/c,task=d,"
	     "pid=50,uid=0");
	feed(a, 31, 0,
	     "Memory cgroup out of memory: Killed process 50 (d) total-vm:1000kB, "
	     "anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:8kB "
	     "oom_score_adj:0");
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_int_equal(k->victim_pid, 50);
	assert_string_equal(k->domain.cgroup, "/c");
	assert_false(k->kernel_report.has_allocation);
	assert_int_equal(k->trigger_pid, 0);
	assert_true(k->partial);
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.reports_without_kill, 1);
	/* Rows outside any report, a Killed line without a pid: nothing. */
	got_clear();
	feed(a, 40, 0, "[    500]     0   500     9000     8000    90112        0             0 w");
	{
		struct ow_kmsg_record rec;

		memset(&rec, 0, sizeof(rec));
		rec.kind = OW_KMSG_OOM_KILLED;
		assert_int_equal(ow_kmsg_kill_feed(a, &rec), 0);
	}
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 0);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- the task dump: the victim missing, duplicates, bad rows, too many rows ---- */

static void test_dump_limits(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	struct ow_kmsg_kill_stats st;
	const struct ow_kill *k;
	char row[256];

	(void)state;
	feed(a, 10, 0,
	     "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
	     "oom_score_adj=0");
	feed(a, 11, 0,
	     "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents "
	     "oom_score_adj name");
	feed(a, 12, 0, "[     30]     0    30      100       10     4096        0             0 c");
	feed(a, 13, 0, "[     10]     0    10      100       10     4096        0             0 a");
	feed(a, 14, 0, "[     10]     0    10      100       99     4096        0             0 a");
	feed(a, 15, 0, "[     11]     0    10      100       10     4096        0             0 a");
	/* Columns missing: not a row of this dump. */
	feed(a, 16, 0, "[     12]     0    12      100       10");
	feed(a, 17, 0,
	     "Memory cgroup out of memory: Killed process 20 (v) total-vm:1000kB, "
	     "anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:8kB "
	     "oom_score_adj:0");
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	/* 10 once (a thread row of it too), the victim added in its place, 30. */
	assert_int_equal(k->n_procs, 3);
	assert_int_equal(k->procs[0].pid, 10);
	assert_int_equal(k->procs[1].pid, 20);
	assert_int_equal(k->procs[2].pid, 30);
	assert_int_equal(k->procs[1].anon_bytes, 900 * KIB);
	assert_true(k->partial); /* a row could not be read */
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.rows_dropped, 1);
	got_clear();

	/* More rows than kept. */
	feed(a, 20, 0,
	     "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
	     "oom_score_adj=0");
	feed(a, 21, 0,
	     "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents "
	     "oom_score_adj name");
	for (int i = 1; i <= OW_KMSG_KILL_ROWS_MAX + 5; i++) {
		snprintf(row, sizeof(row), "[%7d] %5d %5d %8d %8d %8d %8d         %5d p%d", i, 0, i,
			 100, 10, 4096, 0, 0, i);
		feed(a, 22, 0, row);
	}
	feed(a, 30, 0,
	     "Out of memory: Killed process 1 (p1) total-vm:1000kB, anon-rss:900kB, "
	     "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:8kB oom_score_adj:0");
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 1);
	k = &got.kills[0];
	assert_int_equal(k->n_procs, OW_KMSG_KILL_ROWS_MAX);
	assert_true(k->partial);
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.rows_dropped, 1 + 5);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- callbacks, clock, reaper ---- */

static int n_borrowed;

static void count_report(const struct ow_kill *k, void *ctx)
{
	(void)ctx;
	assert_non_null(ow_kill_find_process(k, k->victim_pid));
	n_borrowed++;
}

static void test_callbacks_and_clock(void **state)
{
	struct ow_kmsg_kill_config cfg = { .on_report = count_report };
	struct ow_kmsg_kill *a;
	struct ow_kmsg_kill_stats st;

	(void)state;
	assert_int_equal(ow_kmsg_kill_new(NULL, &a), -EINVAL);
	/* Only on_report: the kill is freed after it (ASan checks), page size defaults. */
	assert_int_equal(ow_kmsg_kill_new(&cfg, &a), 0);
	n_borrowed = 0;
	feed_all(a, 1000, 0, report_61_v2);
	ow_kmsg_kill_flush(a);
	assert_int_equal(n_borrowed, 1);
	/* No callback at all for the reaper: counted still. */
	feed(a, 2000, 0,
	     "oom_reaper: reaped process 4312 (python3), now anon-rss:0kB, "
	     "file-rss:0kB, shmem-rss:0kB");
	ow_kmsg_kill_get_stats(a, &st);
	assert_int_equal(st.reaped, 1);
	assert_int_equal(ow_kmsg_kill_feed(a, NULL), -EINVAL);
	ow_kmsg_kill_free(a);
	ow_kmsg_kill_free(NULL);
	ow_kmsg_kill_flush(NULL);

	/* A negative offset, floored at 0; changed on the way. */
	a = new_asm(0, 0, -2000000);
	feed_all(a, 1000, 0, report_618_v1);
	ow_kmsg_kill_set_clock_offset(a, 5);
	feed(a, 900000, 0,
	     "Out of memory: Killed process 31001 (big) total-vm:26000kB, "
	     "anon-rss:24320kB, file-rss:1200kB, shmem-rss:0kB, UID:0 pgtables:80kB "
	     "oom_score_adj:0");
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 2);
	assert_int_equal(got.kills[0].time_ns, 0);
	assert_int_equal(got.kills[1].time_ns, 900000ull * 1000 + 5);
	/* The reaper of a kill not seen, and of one seen that had less than is left. */
	feed(a, 900100, 0,
	     "oom_reaper: reaped process 12937 (bighog), now anon-rss:16kB, "
	     "file-rss:0kB, shmem-rss:0kB");
	feed(a, 900200, 0,
	     "oom_reaper: reaped process 31001 (big), now anon-rss:99999999kB, "
	     "file-rss:0kB, shmem-rss:0kB");
	assert_int_equal(got.n_reaped, 2);
	assert_int_equal(got.reaped[0].reaped_bytes, UINT64_MAX);
	assert_int_equal(got.reaped[0].rss_left_bytes, 16 * KIB);
	assert_int_equal(got.reaped[1].reaped_bytes, 0);
	ow_kmsg_kill_free(a);
	got_clear();
}

/* ---- confirming a BPF kill ---- */

static void test_confirm(void **state)
{
	struct ow_kmsg_kill *a = new_asm(0, 0, 0);
	struct ow_kill bpf = { 0 };
	const struct ow_kill *kmsg;

	(void)state;
	feed_all(a, 1000, 77, report_group);
	ow_kmsg_kill_flush(a);
	assert_int_equal(got.n_kills, 3);
	kmsg = &got.kills[0];
	/* The BPF snapshot's kill of the same victim, 3 us before the Killed line. */
	bpf.victim_pid = 500;
	bpf.time_ns = kmsg->time_ns - 3000;
	bpf.kernel_report.oom_memcg = strdup("/stale");
	assert_non_null(bpf.kernel_report.oom_memcg);
	assert_true(ow_kmsg_kill_matches(kmsg, &bpf, 5000));
	assert_false(ow_kmsg_kill_matches(kmsg, &bpf, 2000));
	assert_false(ow_kmsg_kill_matches(&got.kills[1], &bpf, 5000));
	assert_false(ow_kmsg_kill_matches(NULL, &bpf, 5000));
	assert_int_equal(ow_kmsg_kill_confirm(&bpf, kmsg), 0);
	assert_int_equal(bpf.flags, OW_KILL_KMSG_CONFIRMED | OW_KILL_OOM_GROUP);
	assert_int_equal(bpf.kernel_report.constraint, OW_CONSTRAINT_MEMCG);
	assert_string_equal(bpf.kernel_report.oom_memcg, "/db");
	assert_string_equal(bpf.kernel_report.task_memcg, "/db/w");
	assert_ptr_not_equal(bpf.kernel_report.oom_memcg, kmsg->kernel_report.oom_memcg);
	assert_true(bpf.kernel_report.has_allocation);
	/* A member's report has no task_memcg: the copy has none either. */
	assert_int_equal(ow_kmsg_kill_confirm(&bpf, &got.kills[1]), 0);
	assert_null(bpf.kernel_report.task_memcg);
	assert_int_equal(ow_kmsg_kill_confirm(NULL, kmsg), -EINVAL);
	ow_kill_clear(&bpf);
	ow_kmsg_kill_free(a);
	got_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcg_v1_618),	    cmocka_unit_test(test_memcg_v2_61),
		cmocka_unit_test(test_global_510),	    cmocka_unit_test(test_global_612),
		cmocka_unit_test(test_old_dump_49),	    cmocka_unit_test(test_headerless),
		cmocka_unit_test(test_oom_group),	    cmocka_unit_test(test_foreign_records),
		cmocka_unit_test(test_partial_reports),	    cmocka_unit_test(test_dump_limits),
		cmocka_unit_test(test_callbacks_and_clock), cmocka_unit_test(test_confirm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
