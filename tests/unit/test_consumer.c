/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the ring-buffer consumer (src/capture/consumer.c): synthetic ABI records
 * (bpf/oomwitness.h) in ring-buffer order become model kills. Checks the page to byte
 * conversions, the clock, cgroup paths and the OOM domain, command lines from the fixture
 * root (tests/fixtures/procfs), flags, and every way a kill can end up partial: lost records,
 * a missing end record, a flush, a task count that does not add up. Malformed and foreign
 * records must be counted and ignored. Then signal kills (their domain rule, the rate-limited
 * snapshot), victims already exiting, processes sharing the victim's mm, memory.oom.group,
 * kills whose records interleave, and followups (exit, OOM reaper, oom_score_adj).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "oomwitness.h"
#include "capture/consumer.h"

#ifndef OW_FIXTURES
#define OW_FIXTURES "tests/fixtures"
#endif
#define ROOT OW_FIXTURES "/procfs"

#define PAGE 4096ull
#define KIB 1024ull
#define SEQ 7u
#define BOOT_NS 5000000000ull
#define BOOT_TO_REAL_NS 1700000000000000000ll
#define PAGE_COUNTER_MAX ((uint64_t)INT64_MAX / PAGE)
#define DEMO_ID 42ull
#define DEMO_MAX_PAGES 131072ull /* 512 MiB */
#define DEMO_USAGE_PAGES 131000ull
#define MAX_KILLS 8
#define MAX_FOLLOWUPS 128 /* test_exit_before_begin sends 67 exits */

struct fixture {
	struct ow_cmdline_cache *cmdlines;
	struct ow_kallsyms *kallsyms;
	struct ow_consumer *c;
	size_t n_kills;
	struct ow_kill kills[MAX_KILLS];
	size_t n_followups;
	struct ow_followup followups[MAX_FOLLOWUPS];
};

static void on_kill(struct ow_kill *kill, void *ctx)
{
	struct fixture *f = ctx;

	assert_true(f->n_kills < MAX_KILLS);
	f->kills[f->n_kills++] = *kill;
	memset(kill, 0, sizeof(*kill));
}

static void on_followup(const struct ow_followup *followup, void *ctx)
{
	struct fixture *f = ctx;

	assert_true(f->n_followups < MAX_FOLLOWUPS);
	f->followups[f->n_followups++] = *followup;
}

static int make_consumer(struct fixture *f, int memcg_version, const struct ow_kallsyms *ks)
{
	struct ow_consumer_config cfg = { 0 };

	cfg.root = ROOT;
	cfg.page_size = PAGE;
	cfg.memcg_version = memcg_version;
	cfg.boot_to_real_ns = BOOT_TO_REAL_NS;
	cfg.cmdlines = f->cmdlines;
	cfg.kallsyms = ks;
	cfg.on_kill = on_kill;
	cfg.on_followup = on_followup;
	cfg.ctx = f;
	return ow_consumer_new(&cfg, &f->c);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (ow_cmdline_cache_new(ROOT, 1000000000ull, &f->cmdlines) < 0 ||
	    ow_cmdline_cache_scan(f->cmdlines) != 3 || make_consumer(f, 2, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < f->n_kills; i++)
		ow_kill_clear(&f->kills[i]);
	ow_consumer_free(f->c);
	ow_kallsyms_free(f->kallsyms);
	ow_cmdline_cache_free(f->cmdlines);
	free(f);
	return 0;
}

/* ---- record builders ---- */

static struct ow_task_record task(int32_t tgid, int32_t ppid, uint64_t memcg_id, int64_t anon,
				  int64_t file, uint32_t flags, const char *comm)
{
	struct ow_task_record r;

	memset(&r, 0, sizeof(r));
	r.tgid = tgid;
	r.pid = tgid;
	r.ppid = ppid;
	r.uid = 1000;
	r.memcg_id = memcg_id;
	r.anon_pages = anon;
	r.file_pages = file;
	r.flags = flags;
	strncpy(r.comm, comm, sizeof(r.comm) - 1);
	return r;
}

/* The victim: 4242 in /demo, ./memhog at oom_score_adj 1000. */
static struct ow_task_record victim_rec(void)
{
	struct ow_task_record r = task(4242, 1, DEMO_ID, 100000, 2000, 0, "memhog");

	r.uid = 1001;
	r.oom_score_adj = 1000;
	r.swap_pages = 500;
	r.shmem_pages = 300;
	r.pgtables_bytes = 409600;
	return r;
}

/* The trigger: thread 4250 of 4243, a child of the victim in /demo. */
static struct ow_task_record trigger_rec(void)
{
	struct ow_task_record r =
		task(4243, 4242, DEMO_ID, 20000, 100, OW_TASK_F_OOM_VICTIM, "worker");

	r.pid = 4250;
	return r;
}

static void send(struct fixture *f, const void *rec, size_t size)
{
	assert_int_equal(ow_consumer_handle(f->c, rec, size), 0);
}

/* A begin record with no stacks; tests that need stacks fill them in before sending. */
static struct ow_event_kill_begin begin_rec(uint32_t seq, const struct ow_task_record *victim,
					    const struct ow_task_record *trigger)
{
	struct ow_event_kill_begin b;

	memset(&b, 0, sizeof(b));
	b.hdr.type = OW_EV_KILL_BEGIN;
	b.hdr.kill_seq = seq;
	b.boot_ns = BOOT_NS;
	b.victim = *victim;
	b.trigger = *trigger;
	return b;
}

static void send_begin(struct fixture *f, uint32_t seq, const struct ow_task_record *victim,
		       const struct ow_task_record *trigger)
{
	struct ow_event_kill_begin b = begin_rec(seq, victim, trigger);

	send(f, &b, sizeof(b));
}

static void send_cgroup(struct fixture *f, uint32_t seq, uint64_t id, uint64_t parent_id,
			const char *name, uint64_t usage, uint64_t max, uint64_t swap_max)
{
	struct ow_event_cgroup e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_CGROUP;
	e.hdr.kill_seq = seq;
	e.id = id;
	e.parent_id = parent_id;
	e.usage_pages = usage;
	e.max_pages = max;
	e.swap_max_pages = swap_max;
	/* As the kernel: a cgroup that ran out has counted an OOM (within 4 MiB of its limit). */
	e.oom_events = usage + 1024 >= max ? 1 : 0;
	e.is_root = parent_id == 0;
	strncpy(e.name, name, sizeof(e.name) - 1);
	send(f, &e, sizeof(e));
}

/* Task records come in batches (OW_EV_TASKS); fills e with n tasks, returns its size. */
static size_t task_event(struct ow_event_tasks *e, uint32_t seq, const struct ow_task_record *r,
			 size_t n)
{
	assert_true(n <= OW_TASKS_PER_RECORD);
	memset(e, 0, sizeof(*e));
	e->hdr.type = OW_EV_TASKS;
	e->hdr.kill_seq = seq;
	e->count = (__u32)n;
	memcpy(e->tasks, r, n * sizeof(*r));
	return sizeof(*e);
}

/* One task to a record, whichever the ABI, so that record counts do not depend on it. */
static void send_task(struct fixture *f, uint32_t seq, const struct ow_task_record *r)
{
	struct ow_event_tasks e;
	size_t size = task_event(&e, seq, r, 1);

	send(f, &e, size);
}

static void send_end(struct fixture *f, uint32_t seq, uint32_t tasks_emitted, uint64_t lost)
{
	struct ow_event_kill_end e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_KILL_END;
	e.hdr.kill_seq = seq;
	e.tasks_seen = tasks_emitted;
	e.tasks_emitted = tasks_emitted;
	e.kthreads_skipped = 37;
	e.cgroups_emitted = 2;
	e.lost_records = lost;
	e.cpu_ns = 123456;
	send(f, &e, sizeof(e));
}

/* The root and /demo at its limit (no swap: swap.max 0). */
static void send_cgroups(struct fixture *f, uint32_t seq)
{
	send_cgroup(f, seq, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	send_cgroup(f, seq, DEMO_ID, 1, "demo", DEMO_USAGE_PAGES, DEMO_MAX_PAGES, 0);
}

/* The walk: init outside /demo, then the victim, the trigger and a sleeper inside it. */
static void send_tasks(struct fixture *f, uint32_t seq, bool with_victim)
{
	struct ow_task_record init = task(1, 0, 1, 1000, 3000, 0, "systemd");
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record sleeper = task(4244, 4242, DEMO_ID, 0, -3, OW_TASK_F_NO_MM, "sleep");

	init.uid = 0;
	send_task(f, seq, &init);
	if (with_victim)
		send_task(f, seq, &v);
	send_task(f, seq, &t);
	send_task(f, seq, &sleeper);
}

/* A whole kill of sequence seq, tasks_emitted as the end record says. */
static void send_kill(struct fixture *f, uint32_t seq, uint32_t tasks_emitted, uint64_t lost)
{
	struct ow_task_record v = victim_rec(), t = trigger_rec();

	send_begin(f, seq, &v, &t);
	send_cgroups(f, seq);
	send_tasks(f, seq, true);
	send_end(f, seq, tasks_emitted, lost);
}

static const struct ow_process *find(const struct ow_kill *k, int32_t pid)
{
	const struct ow_process *p = ow_kill_find_process(k, pid);

	assert_non_null(p);
	return p;
}

static void assert_stats(struct fixture *f, uint64_t kills, uint64_t partial, uint64_t records,
			 uint64_t malformed)
{
	struct ow_consumer_stats s;

	ow_consumer_get_stats(f->c, &s);
	assert_int_equal(s.kills, kills);
	assert_int_equal(s.partial_kills, partial);
	assert_int_equal(s.records, records);
	assert_int_equal(s.malformed, malformed);
}

/* ---- tests ---- */

static void test_full_kill(void **state)
{
	struct fixture *f = *state;
	const struct ow_process *p;
	const struct ow_kill *k;
	struct ow_consumer_stats s;

	send_kill(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	assert_false(ow_consumer_busy(f->c));
	k = &f->kills[0];
	assert_false(k->partial);
	assert_int_equal(k->lost_events, 0);
	assert_int_equal(k->kthreads_skipped, 37);
	assert_int_equal(k->time_ns, 1700000005000000000ull);
	assert_int_equal(k->killer_kind, OW_KILLER_KERNEL);
	assert_int_equal(k->victim_pid, 4242);
	assert_int_equal(k->trigger_pid, 4243);
	assert_int_equal(k->trigger_tid, 4250);
	assert_string_equal(k->trigger_thread_comm, "worker");
	assert_int_equal(k->trigger_kernel_stack.n_frames, 0);
	assert_int_equal(k->trigger_user_stack.n_frames, 0);

	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(k->domain.cgroup_id, DEMO_ID);
	assert_non_null(k->domain.cgroup);
	assert_string_equal(k->domain.cgroup, "/demo");
	assert_int_equal(k->domain.limit_bytes, DEMO_MAX_PAGES * PAGE);
	assert_int_equal(k->domain.limit_bytes, 536870912);
	assert_int_equal(k->domain.usage_bytes, DEMO_USAGE_PAGES * PAGE);
	assert_int_equal(k->domain.total_bytes, 536870912);

	assert_int_equal(k->n_procs, 4);
	/* Walk order is kept. */
	assert_int_equal(k->procs[0].pid, 1);
	assert_int_equal(k->procs[1].pid, 4242);
	assert_int_equal(k->procs[2].pid, 4243);
	assert_int_equal(k->procs[3].pid, 4244);

	p = find(k, 4242);
	assert_int_equal(p->ppid, 1);
	assert_int_equal(p->uid, 1001);
	assert_int_equal(p->oom_score_adj, 1000);
	assert_int_equal(p->flags, OW_PROC_IN_DOMAIN);
	assert_string_equal(p->comm, "memhog");
	assert_string_equal(p->cmdline, "/usr/bin/memhog --size 512M");
	assert_string_equal(p->cgroup, "/demo");
	assert_int_equal(p->cgroup_id, DEMO_ID);
	assert_int_equal(p->anon_bytes, 100000 * PAGE);
	assert_int_equal(p->file_bytes, 2000 * PAGE);
	assert_int_equal(p->swap_bytes, 500 * PAGE);
	assert_int_equal(p->shmem_bytes, 300 * PAGE);
	assert_int_equal(p->pgtables_bytes, 409600);

	p = find(k, 4243);
	assert_int_equal(p->flags, OW_PROC_IN_DOMAIN | OW_PROC_OOM_VICTIM);
	assert_string_equal(p->comm, "worker");
	/* No /proc/4243 in the fixture: the parent's command line. */
	assert_string_equal(p->cmdline, "/usr/bin/memhog --size 512M");
	assert_string_equal(p->cgroup, "/demo");
	assert_int_equal(p->anon_bytes, 20000 * PAGE);
	assert_int_equal(p->file_bytes, 100 * PAGE);

	p = find(k, 4244);
	assert_int_equal(p->flags, OW_PROC_IN_DOMAIN | OW_PROC_NO_MM);
	assert_string_equal(p->cmdline, "/usr/bin/sleep infinity");
	assert_int_equal(p->anon_bytes, 0);
	assert_int_equal(p->file_bytes, 0); /* -3 pages: a skewed counter reads as 0 */

	p = find(k, 1);
	assert_int_equal(p->flags, OW_PROC_INIT);
	assert_int_equal(p->uid, 0);
	assert_string_equal(p->comm, "systemd");
	assert_string_equal(p->cmdline, "/sbin/init splash");
	assert_string_equal(p->cgroup, "/");
	assert_int_equal(p->cgroup_id, 1);
	assert_int_equal(p->anon_bytes, 1000 * PAGE);
	assert_int_equal(p->file_bytes, 3000 * PAGE);

	assert_stats(f, 1, 0, 8, 0);
	ow_consumer_get_stats(f->c, &s);
	assert_int_equal(s.last_kill_cpu_ns, 123456);
}

static void test_global_kill(void **state)
{
	struct fixture *f = *state;
	const struct ow_kill *k;
	struct ow_task_record v = victim_rec(), t = trigger_rec();

	/* /demo far from any limit: the machine ran out; meminfo comes from the fixture. */
	send_begin(f, SEQ, &v, &t);
	send_cgroup(f, SEQ, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	send_cgroup(f, SEQ, DEMO_ID, 1, "demo", 1000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	send_tasks(f, SEQ, true);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_false(k->partial);
	assert_int_equal(k->domain.kind, OW_DOMAIN_GLOBAL);
	assert_null(k->domain.cgroup);
	assert_int_equal(k->domain.cgroup_id, 0);
	assert_int_equal(k->domain.limit_bytes, 16315464 * KIB);
	assert_int_equal(k->domain.usage_bytes, (16315464 - 9876540) * KIB);
	assert_int_equal(k->domain.total_bytes, (16315464 + 2097148) * KIB);
	for (size_t i = 0; i < k->n_procs; i++)
		assert_true(k->procs[i].flags & OW_PROC_IN_DOMAIN);
	assert_int_equal(find(k, 1)->flags, OW_PROC_IN_DOMAIN | OW_PROC_INIT);
}

static void test_lost_records(void **state)
{
	struct fixture *f = *state;

	send_kill(f, SEQ, 4, 5);
	assert_int_equal(f->n_kills, 1);
	assert_true(f->kills[0].partial);
	assert_int_equal(f->kills[0].lost_events, 5);
	assert_int_equal(f->kills[0].n_procs, 4);
	assert_stats(f, 1, 1, 8, 0);
}

static void test_tasks_emitted_mismatch(void **state)
{
	struct fixture *f = *state;

	send_kill(f, SEQ, 5, 0);
	assert_int_equal(f->n_kills, 1);
	assert_true(f->kills[0].partial);
	assert_int_equal(f->kills[0].lost_events, 0);
	assert_stats(f, 1, 1, 8, 0);
}

static void test_iterator_truncated(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_end e;

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_KILL_END;
	e.hdr.kill_seq = SEQ;
	e.tasks_seen = 4;
	e.tasks_emitted = 4;
	e.iterator_truncated = 1;
	send(f, &e, sizeof(e));
	assert_int_equal(f->n_kills, 1);
	assert_true(f->kills[0].partial);
	assert_int_equal(f->kills[0].lost_events, 0);
}

static void test_begin_without_end(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record v2 = task(4244, 4242, DEMO_ID, 0, 0, 0, "sleep");

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	assert_true(ow_consumer_busy(f->c));
	assert_int_equal(f->n_kills, 0);
	/* The next kill starts before the first one's end record. */
	send_begin(f, SEQ + 1, &v2, &t);
	assert_int_equal(f->n_kills, 1);
	assert_true(f->kills[0].partial);
	assert_int_equal(f->kills[0].victim_pid, 4242);
	assert_int_equal(f->kills[0].n_procs, 4);
	assert_int_equal(f->kills[0].domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(f->kills[0].domain.cgroup, "/demo");
	assert_true(ow_consumer_busy(f->c));
	/* The first kill's end arrives late: ignored. */
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	assert_true(ow_consumer_busy(f->c));
	/* The second kill is whole and starts from an empty snapshot. */
	send_cgroups(f, SEQ + 1);
	send_tasks(f, SEQ + 1, false);
	send_end(f, SEQ + 1, 3, 0);
	assert_int_equal(f->n_kills, 2);
	assert_false(f->kills[1].partial);
	assert_int_equal(f->kills[1].victim_pid, 4244);
	assert_int_equal(f->kills[1].n_procs, 3);
	assert_false(ow_consumer_busy(f->c));
	assert_stats(f, 2, 1, 15, 0);
}

static void test_flush(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();

	ow_consumer_flush(f->c); /* nothing pending: nothing handed over */
	assert_int_equal(f->n_kills, 0);
	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	ow_consumer_flush(f->c);
	assert_int_equal(f->n_kills, 1);
	assert_true(f->kills[0].partial);
	assert_int_equal(f->kills[0].lost_events, 0);
	assert_int_equal(f->kills[0].victim_pid, 4242);
	assert_int_equal(f->kills[0].n_procs, 4);
	assert_false(ow_consumer_busy(f->c));
	ow_consumer_flush(f->c);
	assert_int_equal(f->n_kills, 1);
	assert_stats(f, 1, 1, 7, 0);
}

/* Sends /demo at its limit with a given OOM count, then the rest of a kill. */
static void send_kill_with_oom_events(struct fixture *f, uint32_t seq, uint64_t oom_events)
{
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_cgroup e;

	send_begin(f, seq, &v, &t);
	send_cgroup(f, seq, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_CGROUP;
	e.hdr.kill_seq = seq;
	e.id = DEMO_ID;
	e.parent_id = 1;
	e.usage_pages = DEMO_USAGE_PAGES;
	e.max_pages = DEMO_MAX_PAGES;
	e.oom_events = oom_events;
	strcpy(e.name, "demo");
	send(f, &e, sizeof(e));
	send_tasks(f, seq, true);
	send_end(f, seq, 4, 0);
}

/*
 * The kernel's per-cgroup OOM count decides between a full cgroup and the one that ran out;
 * kernels without it (OW_OOM_EVENTS_UNKNOWN) fall back on fullness alone.
 */
static void test_oom_events_in_domain(void **state)
{
	struct fixture *f = *state;

	send_kill_with_oom_events(f, SEQ, 0);
	send_kill_with_oom_events(f, SEQ + 1, OW_OOM_EVENTS_UNKNOWN);
	send_kill_with_oom_events(f, SEQ + 2, 3);
	assert_int_equal(f->n_kills, 3);
	assert_int_equal(f->kills[0].domain.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(f->kills[1].domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(f->kills[1].domain.cgroup, "/demo");
	assert_int_equal(f->kills[2].domain.kind, OW_DOMAIN_MEMCG);
}

static void test_other_kill_seq_ignored(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record stray = task(9999, 1, DEMO_ID, 99999, 0, 0, "stray");

	/* Records before any begin: dropped. */
	send_task(f, SEQ, &stray);
	send_end(f, SEQ, 1, 0);
	assert_int_equal(f->n_kills, 0);
	assert_false(ow_consumer_busy(f->c));

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	/* A cgroup of another kill would make /demo unlimited if it were taken. */
	send_cgroup(f, SEQ + 3, DEMO_ID, 1, "other", 1, PAGE_COUNTER_MAX, 0);
	send_tasks(f, SEQ, true);
	send_task(f, SEQ + 3, &stray);
	send_end(f, SEQ + 3, 1, 0);
	assert_int_equal(f->n_kills, 0);
	assert_true(ow_consumer_busy(f->c));
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	assert_false(f->kills[0].partial);
	assert_int_equal(f->kills[0].n_procs, 4);
	assert_null(ow_kill_find_process(&f->kills[0], 9999));
	assert_string_equal(f->kills[0].domain.cgroup, "/demo");
	assert_string_equal(find(&f->kills[0], 4242)->cgroup, "/demo");
	assert_stats(f, 1, 0, 13, 0);
}

static void test_malformed(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record cut = task(5555, 1, DEMO_ID, 1, 1, 0, "cut");
	struct ow_event_tasks e;
	size_t size;
	struct ow_event_kill_end end;
	struct ow_event_header unknown = { 99, SEQ };
	uint32_t tiny = OW_EV_TASKS;

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	/* Shorter than a header, a task record cut short, an unknown type, an empty record. */
	send(f, &tiny, sizeof(tiny));
	size = task_event(&e, SEQ, &cut, 1);
	send(f, &e, size - 1);
	send(f, &unknown, sizeof(unknown));
	send(f, &unknown, 0);
	/* An end record cut short does not end the kill. */
	memset(&end, 0, sizeof(end));
	end.hdr.type = OW_EV_KILL_END;
	end.hdr.kill_seq = SEQ;
	end.tasks_emitted = 4;
	send(f, &end, offsetof(struct ow_event_kill_end, lost_records));
	assert_int_equal(f->n_kills, 0);
	assert_stats(f, 0, 0, 12, 5);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	assert_false(f->kills[0].partial);
	assert_int_equal(f->kills[0].n_procs, 4);
	assert_null(ow_kill_find_process(&f->kills[0], 5555));
	assert_stats(f, 1, 0, 13, 5);
}

static void test_victim_missing_from_walk(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	const struct ow_process *p;
	const struct ow_kill *k;

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, false);
	send_end(f, SEQ, 3, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_false(k->partial);
	assert_int_equal(k->n_procs, 4);
	assert_int_equal(k->procs[3].pid, 4242);
	p = find(k, 4242);
	assert_int_equal(p->flags, OW_PROC_IN_DOMAIN);
	assert_int_equal(p->anon_bytes, 100000 * PAGE);
	assert_int_equal(p->pgtables_bytes, 409600);
	assert_int_equal(p->oom_score_adj, 1000);
	assert_string_equal(p->cmdline, "/usr/bin/memhog --size 512M");
	assert_string_equal(p->cgroup, "/demo");
}

static void test_trigger_missing_from_walk(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record kworker =
		task(77, 2, 0, 0, 0, OW_TASK_F_KTHREAD | OW_TASK_F_NO_MM, "kswapd0");

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_task(f, SEQ, &v);
	send_end(f, SEQ, 1, 0);
	assert_int_equal(f->n_kills, 1);
	assert_int_equal(f->kills[0].n_procs, 2);
	assert_int_equal(f->kills[0].procs[1].pid, 4243);
	assert_int_equal(f->kills[0].procs[1].flags, OW_PROC_IN_DOMAIN | OW_PROC_OOM_VICTIM);
	assert_int_equal(f->kills[0].procs[1].anon_bytes, 20000 * PAGE);

	/* A kernel thread as the trigger is not a process of the snapshot. */
	send_begin(f, SEQ + 1, &v, &kworker);
	send_cgroups(f, SEQ + 1);
	send_task(f, SEQ + 1, &v);
	send_end(f, SEQ + 1, 1, 0);
	assert_int_equal(f->n_kills, 2);
	assert_int_equal(f->kills[1].n_procs, 1);
	assert_int_equal(f->kills[1].trigger_pid, 77);
	assert_string_equal(f->kills[1].trigger_thread_comm, "kswapd0");
	/* No trigger memcg: the domain is still the victim's at-limit /demo. */
	assert_int_equal(f->kills[1].domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(f->kills[1].domain.cgroup, "/demo");
}

static void test_victim_record_without_mm(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record v_walk = task(4242, 1, DEMO_ID, 0, 0, OW_TASK_F_NO_MM, "memhog");
	const struct ow_process *p;

	/* The walk met the victim's leader after its mm was gone: the begin record wins. */
	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_task(f, SEQ, &v_walk);
	send_task(f, SEQ, &t);
	send_end(f, SEQ, 2, 0);
	assert_int_equal(f->n_kills, 1);
	assert_int_equal(f->kills[0].n_procs, 2);
	p = find(&f->kills[0], 4242);
	assert_int_equal(p->flags, OW_PROC_IN_DOMAIN);
	assert_int_equal(p->anon_bytes, 100000 * PAGE);
	assert_int_equal(p->uid, 1001);
}

/*
 * Kernels whose mark_victim passes only the pid (before 6.2) find the victim during a walk
 * (bpf/oomkill.bpf.c find_victim); one not found has a begin record holding just its pid, no
 * memory and no cgroup, and is in no task record. The kill is still recorded, in the trigger's
 * at-limit cgroup, with the victim by its pid.
 */
static void test_victim_known_only_by_pid(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v, t = trigger_rec();
	const struct ow_process *p;
	const struct ow_kill *k;

	memset(&v, 0, sizeof(v));
	v.tgid = v.pid = 4242;
	v.flags = OW_TASK_F_NO_MM;
	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, false);
	send_end(f, SEQ, 3, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_false(k->partial);
	assert_int_equal(k->victim_pid, 4242);
	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(k->domain.cgroup, "/demo");
	p = find(k, 4242);
	assert_int_equal(p->anon_bytes, 0);
	assert_int_equal(find(k, 4243)->anon_bytes, 20000 * PAGE);
}

static void test_cgroup_gap_and_v1_swap(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record lost = task(4244, 4242, 500, 10, 0, 0, "sleep");
	const struct ow_kill *k;

	ow_consumer_free(f->c);
	assert_int_equal(make_consumer(f, 1, NULL), 0);
	send_begin(f, SEQ, &v, &t);
	send_cgroup(f, SEQ, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	/* v1: memsw.max = memory + 64 MiB of swap. */
	send_cgroup(f, SEQ, DEMO_ID, 1, "demo", DEMO_USAGE_PAGES, DEMO_MAX_PAGES,
		    DEMO_MAX_PAGES + 16384);
	/* Cgroup 500's parent record was lost. */
	send_cgroup(f, SEQ, 500, 499, "orphan", 10, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	send_task(f, SEQ, &v);
	send_task(f, SEQ, &t);
	send_task(f, SEQ, &lost);
	send_end(f, SEQ, 3, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(k->domain.limit_bytes, DEMO_MAX_PAGES * PAGE);
	assert_int_equal(k->domain.total_bytes, (DEMO_MAX_PAGES + 16384) * PAGE);
	assert_null(find(k, 4244)->cgroup);
	assert_int_equal(find(k, 4244)->cgroup_id, 500);
	assert_int_equal(find(k, 4244)->flags, 0);
}

static void test_kernel_stack_symbolized(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b;
	const struct ow_stack *s;

	assert_int_equal(ow_kallsyms_load(ROOT, &f->kallsyms), 0);
	ow_consumer_free(f->c);
	assert_int_equal(make_consumer(f, 2, f->kallsyms), 0);
	b = begin_rec(SEQ, &v, &t);
	/* Our own frames first: the BPF program (unknown text), the tracepoint plumbing. */
	b.kernel_stack[0] = 0xffffffffa0001234ull;
	b.kernel_stack[1] = 0xffffffff812a3c50ull; /* bpf_trace_run2+0x40 */
	b.kernel_stack[2] = 0xffffffff812b0030ull; /* __traceiter_mark_victim+0x30 */
	b.kernel_stack[3] = 0xffffffff8135e2b4ull; /* mark_victim+0x14 */
	b.kernel_stack[4] = 0xffffffff8135e7a3ull; /* oom_kill_process+0x1b3 */
	b.kernel_stack[5] = 0xffffffffa0009999ull; /* unknown below the kill: kept */
	b.kernel_stack[6] = 0xffffffff813e0e00ull; /* try_charge_memcg+0x80 */
	b.kernel_stack_bytes = 7 * sizeof(__u64);
	/* No /proc/4243/maps in the fixture: user frames stay addresses. */
	b.user_stack[0] = 0x55d0c0de1000ull;
	b.user_stack[1] = 0x7f0011223344ull;
	b.user_stack_bytes = 2 * sizeof(__u64);
	send(f, &b, sizeof(b));
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	s = &f->kills[0].trigger_kernel_stack;
	assert_int_equal(s->n_frames, 4);
	assert_string_equal(s->frames[0], "mark_victim+0x14");
	assert_string_equal(s->frames[1], "oom_kill_process+0x1b3");
	assert_string_equal(s->frames[2], "0xffffffffa0009999");
	assert_string_equal(s->frames[3], "try_charge_memcg+0x80");
	s = &f->kills[0].trigger_user_stack;
	assert_int_equal(s->n_frames, 2);
	assert_string_equal(s->frames[0], "0x55d0c0de1000");
	assert_string_equal(s->frames[1], "0x7f0011223344");
}

/*
 * A memcg OOM whose cgroup reads well under its limit at the kill (the previous victim freed
 * its memory after the kernel's margin check): the trigger's stack through
 * mem_cgroup_out_of_memory says memcg; the same kill from the page allocator stays global.
 */
static void test_memcg_oom_told_by_stack(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b;

	assert_int_equal(ow_kallsyms_load(ROOT, &f->kallsyms), 0);
	ow_consumer_free(f->c);
	assert_int_equal(make_consumer(f, 1, f->kallsyms), 0);
	for (uint32_t seq = SEQ; seq < SEQ + 2; seq++) {
		b = begin_rec(seq, &v, &t);
		b.kernel_stack[0] = 0xffffffff8135e2b4ull; /* mark_victim+0x14 */
		b.kernel_stack[1] = 0xffffffff8135e7a3ull; /* oom_kill_process+0x1b3 */
		b.kernel_stack[2] = 0xffffffff8135f044ull; /* out_of_memory+0x214 */
		/* mem_cgroup_out_of_memory+0xc0, then the page allocator's unknown text */
		b.kernel_stack[3] = seq == SEQ ? 0xffffffff813d00c0ull : 0xffffffffa0009999ull;
		b.kernel_stack_bytes = 4 * sizeof(__u64);
		send(f, &b, sizeof(b));
		send_cgroup(f, seq, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
		/* 16 MiB under its 512 MiB limit: not "at its limit" (slack 8 MiB). */
		send_cgroup(f, seq, DEMO_ID, 1, "demo", DEMO_MAX_PAGES - 4096, DEMO_MAX_PAGES, 0);
		send_tasks(f, seq, true);
		send_end(f, seq, 4, 0);
	}
	assert_int_equal(f->n_kills, 2);
	assert_string_equal(f->kills[0].trigger_kernel_stack.frames[3],
			    "mem_cgroup_out_of_memory+0xc0");
	assert_int_equal(f->kills[0].domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(f->kills[0].domain.cgroup, "/demo");
	assert_int_equal(f->kills[0].domain.usage_bytes, (DEMO_MAX_PAGES - 4096) * PAGE);
	assert_int_equal(f->kills[1].domain.kind, OW_DOMAIN_GLOBAL);
}

/*
 * User frames become "file+offset" from the trigger's executable mappings
 * (fixture proc/4242/maps), and the first frame outside them ends the stack: without frame
 * pointers, what follows is junk.
 */
static void test_user_stack_symbolized(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b;
	const struct ow_stack *s;

	b = begin_rec(SEQ, &v, &t);
	b.trigger.tgid = 4242; /* the victim allocating itself: its maps are in the fixture */
	b.user_stack[0] = 0x55d0c0de1000ull; /* keydb-server, file offset 0x2000 + 0x1000 */
	b.user_stack[1] = 0x7f0011223344ull; /* libc, file offset 0x28000 + 0x23344 */
	b.user_stack[2] = 0x989680ull; /* junk: in no mapping */
	b.user_stack[3] = 0x7f0011200010ull; /* back in libc, but past the junk: not trusted */
	b.user_stack_bytes = 4 * sizeof(__u64);
	send(f, &b, sizeof(b));
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	s = &f->kills[0].trigger_user_stack;
	assert_int_equal(s->n_frames, 2);
	assert_string_equal(s->frames[0], "/usr/bin/keydb-server+0x3000");
	assert_string_equal(s->frames[1], "/usr/lib/x86_64-linux-gnu/libc.so.6+0x4b344");
}

/*
 * Without kallsyms (kptr_restrict hides the addresses) cmd_record promises "kernel stacks will
 * show addresses". Every frame then formats as "0x...", which build_stack() takes for a
 * tracing frame to skip, so the whole kernel stack is dropped instead.
 */
static void test_kernel_stack_without_kallsyms(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b;
	const struct ow_stack *s;

	b = begin_rec(SEQ, &v, &t);
	b.kernel_stack[0] = 0xffffffff8135e2b4ull;
	b.kernel_stack[1] = 0xffffffff8135e7a3ull;
	b.kernel_stack_bytes = 2 * sizeof(__u64);
	send(f, &b, sizeof(b));
	send_end(f, SEQ, 0, 0);
	assert_int_equal(f->n_kills, 1);
	s = &f->kills[0].trigger_kernel_stack;
	assert_int_equal(s->n_frames, 2);
	assert_string_equal(s->frames[0], "0xffffffff8135e2b4");
	assert_string_equal(s->frames[1], "0xffffffff8135e7a3");
}

static void test_exec_exit_records(void **state)
{
	struct fixture *f = *state;
	struct ow_event_proc e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_EXEC;
	e.tgid = 4244;
	e.ppid = 4242;
	send(f, &e, sizeof(e));
	e.tgid = 31337; /* vanished before we read it */
	send(f, &e, sizeof(e));
	e.hdr.type = OW_EV_EXIT;
	e.tgid = 4244;
	send(f, &e, sizeof(e));
	send(f, &e, sizeof(e) - 1);
	assert_int_equal(ow_cmdline_cache_size(f->cmdlines), 3);
	assert_false(ow_consumer_busy(f->c));
	assert_int_equal(f->n_kills, 0);
	assert_stats(f, 0, 0, 4, 1);
}

/* Many tasks in one record: the same kill as one task to a record. */
static void test_task_batch(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record rs[4];
	struct ow_event_tasks e;
	size_t size;

	rs[0] = task(1, 0, 1, 1000, 3000, 0, "systemd");
	rs[1] = v;
	rs[2] = t;
	rs[3] = task(4244, 4242, DEMO_ID, 0, -3, OW_TASK_F_NO_MM, "sleep");
	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	size = task_event(&e, SEQ, rs, 4);
	/* Slots past count hold garbage the consumer must not read. */
	e.tasks[4] = task(6666, 1, DEMO_ID, 1, 1, 0, "garbage");
	send(f, &e, size);
	/* A count past the array: malformed, none of its tasks taken. */
	e.count = OW_TASKS_PER_RECORD + 1;
	send(f, &e, size);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	assert_false(f->kills[0].partial);
	assert_int_equal(f->kills[0].n_procs, 4);
	assert_int_equal(f->kills[0].procs[0].pid, 1);
	assert_int_equal(f->kills[0].procs[3].pid, 4244);
	/* The victim and sleep are in one cgroup: one shared path, not a copy each. */
	assert_string_equal(f->kills[0].procs[1].cgroup, "/demo");
	assert_ptr_equal(f->kills[0].procs[1].cgroup, f->kills[0].procs[3].cgroup);
	assert_null(ow_kill_find_process(&f->kills[0], 6666));
	assert_int_equal(find(&f->kills[0], 4242)->anon_bytes, 100000 * PAGE);
	assert_int_equal(find(&f->kills[0], 4242)->flags, OW_PROC_IN_DOMAIN);
	assert_int_equal(find(&f->kills[0], 1)->flags, OW_PROC_INIT);
	assert_stats(f, 1, 0, 6, 1);
}

/* ---- signal kills ---- */

#define SIG_SEQ (OW_SIGNAL_SEQ_BIT | 3u)
#define CHILD_ID 43ull

/* The sender of a SIGKILL: systemd (pid 1) in the root cgroup, as when it stops a unit. */
static struct ow_task_record sender_rec(void)
{
	struct ow_task_record r = task(1, 0, 1, 1000, 3000, 0, "systemd");

	r.uid = 0;
	return r;
}

static struct ow_event_kill_begin signal_begin(uint32_t seq, uint32_t flags, uint32_t concurrent)
{
	struct ow_task_record v = victim_rec(), s = sender_rec();
	struct ow_event_kill_begin b = begin_rec(seq, &v, &s);

	b.killer = OW_KILL_BY_SIGNAL;
	b.flags = flags;
	b.concurrent = concurrent;
	return b;
}

/* The root and /demo at usage pages of its limit, never OOM (a user-space killer's case). */
static void send_demo_at(struct fixture *f, uint32_t seq, uint64_t usage)
{
	send_cgroup(f, seq, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	send_cgroup(f, seq, DEMO_ID, 1, "demo", usage, DEMO_MAX_PAGES, 0);
}

/*
 * A SIGKILL from user space: the same snapshot as a kernel kill, the sender as the trigger
 * (with its command line and cgroup), and the domain of the victim's cgroup at 90 % or more
 * of its limit, though the kernel counted no OOM there.
 */
static void test_signal_kill(void **state)
{
	struct fixture *f = *state;
	struct ow_event_kill_begin b = signal_begin(SIG_SEQ, 0, 0);
	struct ow_consumer_stats st;
	const struct ow_kill *k;
	const struct ow_process *p;

	send(f, &b, sizeof(b));
	send_demo_at(f, SIG_SEQ, DEMO_MAX_PAGES * 95 / 100); /* oom_events 0: not at limit */
	send_tasks(f, SIG_SEQ, true);
	send_end(f, SIG_SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_int_equal(k->killer_kind, OW_KILLER_SIGNAL);
	assert_int_equal(k->flags, 0);
	assert_false(k->partial);
	assert_int_equal(k->victim_pid, 4242);
	assert_int_equal(k->trigger_pid, 1);
	assert_int_equal(k->trigger_tid, 1);
	assert_string_equal(k->trigger_thread_comm, "systemd");
	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(k->domain.cgroup, "/demo");
	assert_int_equal(k->domain.limit_bytes, DEMO_MAX_PAGES * PAGE);
	assert_int_equal(k->domain.usage_bytes, DEMO_MAX_PAGES * 95 / 100 * PAGE);
	assert_int_equal(k->n_procs, 4);
	p = find(k, 1); /* the killer is in the snapshot */
	assert_string_equal(p->cmdline, "/sbin/init splash");
	assert_string_equal(p->cgroup, "/");
	assert_false(p->flags & OW_PROC_IN_DOMAIN);
	assert_true(find(k, 4242)->flags & OW_PROC_IN_DOMAIN);
	ow_consumer_get_stats(f->c, &st);
	assert_int_equal(st.kills, 1);
	assert_int_equal(st.signal_kills, 1);
	assert_int_equal(st.last_kill_seq, 0); /* signal kills are not the hook's kernel kills */
}

/* A signal kill with no cgroup near its limit is a whole-machine one. */
static void test_signal_kill_global(void **state)
{
	struct fixture *f = *state;
	struct ow_event_kill_begin b = signal_begin(SIG_SEQ, 0, 0);
	const struct ow_kill *k;

	send(f, &b, sizeof(b));
	/* 89 %, and the kernel counted an OOM there: not a kernel kill's rule */
	send_cgroup(f, SIG_SEQ, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	send_cgroup(f, SIG_SEQ, DEMO_ID, 1, "demo", DEMO_MAX_PAGES * 89 / 100, DEMO_MAX_PAGES, 0);
	send_tasks(f, SIG_SEQ, true);
	send_end(f, SIG_SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_int_equal(k->killer_kind, OW_KILLER_SIGNAL);
	assert_int_equal(k->domain.kind, OW_DOMAIN_GLOBAL);
	assert_null(k->domain.cgroup);
	assert_int_equal(k->domain.limit_bytes, 16315464 * KIB);
	for (size_t i = 0; i < k->n_procs; i++)
		assert_true(k->procs[i].flags & OW_PROC_IN_DOMAIN);
}

/* The nearest limited ancestor counts: the victim's own cgroup has no limit. */
static void test_signal_kill_ancestor_domain(void **state)
{
	struct fixture *f = *state;
	struct ow_event_kill_begin b = signal_begin(SIG_SEQ, 0, 0);
	struct ow_task_record v = victim_rec();
	const struct ow_kill *k;

	b.victim.memcg_id = CHILD_ID;
	v.memcg_id = CHILD_ID;
	send(f, &b, sizeof(b));
	send_demo_at(f, SIG_SEQ, DEMO_MAX_PAGES * 92 / 100);
	send_cgroup(f, SIG_SEQ, CHILD_ID, DEMO_ID, "app", 110000, PAGE_COUNTER_MAX,
		    PAGE_COUNTER_MAX);
	send_task(f, SIG_SEQ, &v);
	send_end(f, SIG_SEQ, 1, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_int_equal(k->domain.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(k->domain.cgroup, "/demo");
	assert_int_equal(k->domain.cgroup_id, DEMO_ID);
	assert_string_equal(find(k, 4242)->cgroup, "/demo/app");
	assert_true(find(k, 4242)->flags & OW_PROC_IN_DOMAIN);
}

/*
 * Past the rate limit: begin, both cgroup chains and end, no walk. The kill is whole (not
 * partial) and flagged; victim and sender come from the begin record.
 */
static void test_signal_kill_snapshot_skipped(void **state)
{
	struct fixture *f = *state;
	struct ow_event_kill_begin b = signal_begin(SIG_SEQ, OW_BEGIN_F_SNAPSHOT_SKIPPED, 0);
	const struct ow_kill *k;

	send(f, &b, sizeof(b));
	send_demo_at(f, SIG_SEQ, DEMO_USAGE_PAGES);
	send_end(f, SIG_SEQ, 0, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_int_equal(k->killer_kind, OW_KILLER_SIGNAL);
	assert_int_equal(k->flags, OW_KILL_SNAPSHOT_SKIPPED);
	assert_false(k->partial);
	assert_int_equal(k->n_procs, 2);
	assert_int_equal(k->procs[0].pid, 4242);
	assert_int_equal(k->procs[1].pid, 1);
	assert_int_equal(find(k, 4242)->anon_bytes, 100000 * PAGE);
	assert_string_equal(find(k, 4242)->cgroup, "/demo");
	assert_string_equal(find(k, 1)->cmdline, "/sbin/init splash");
	assert_string_equal(k->domain.cgroup, "/demo");
}

/* ---- kernel kills in depth ---- */

/* Marked without a SIGKILL; the flag means nothing for a signal kill. */
static void test_victim_exiting(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b = begin_rec(SEQ, &v, &t);
	struct ow_event_kill_begin sb = signal_begin(SIG_SEQ, OW_BEGIN_F_VICTIM_EXITING, 0);

	b.flags = OW_BEGIN_F_VICTIM_EXITING;
	send(f, &b, sizeof(b));
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	send_end(f, SEQ, 4, 0);
	send(f, &sb, sizeof(sb));
	send_cgroups(f, SIG_SEQ);
	send_end(f, SIG_SEQ, 0, 0);
	assert_int_equal(f->n_kills, 2);
	assert_int_equal(f->kills[0].killer_kind, OW_KILLER_KERNEL);
	assert_int_equal(f->kills[0].flags, OW_KILL_VICTIM_EXITING);
	assert_int_equal(f->kills[1].killer_kind, OW_KILLER_SIGNAL);
	assert_int_equal(f->kills[1].flags, 0);
}

/* A process on the victim's address space (CLONE_VM, not a thread): the kernel kills it too. */
static void test_shares_victim_mm(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record sharer = victim_rec();

	sharer.tgid = sharer.pid = 4245;
	sharer.flags = OW_TASK_F_SHARES_VICTIM_MM;
	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_task(f, SEQ, &v);
	send_task(f, SEQ, &sharer);
	send_end(f, SEQ, 2, 0);
	assert_int_equal(f->n_kills, 1);
	assert_int_equal(find(&f->kills[0], 4245)->flags,
			 OW_PROC_IN_DOMAIN | OW_PROC_SHARES_VICTIM_MM);
	assert_int_equal(find(&f->kills[0], 4242)->flags, OW_PROC_IN_DOMAIN);
	assert_int_equal(find(&f->kills[0], 4243)->flags, OW_PROC_IN_DOMAIN | OW_PROC_OOM_VICTIM);
}

/*
 * memory.oom.group: the root, /demo (the OOM domain) and /demo/app (the victim's); which of
 * them has oom.group set (bits 0, 1, 2), and the killer. Returns the kill's flags.
 */
static uint32_t group_kill_at(struct fixture *f, uint32_t seq, unsigned int groups, bool signal,
			      uint64_t demo_usage_pages, uint64_t boot_ns, const char *want_domain);

static uint32_t oom_group_kill(struct fixture *f, uint32_t seq, unsigned int groups, bool signal)
{
	return group_kill_at(f, seq, groups, signal, DEMO_USAGE_PAGES, 0, "/demo");
}

/*
 * As oom_group_kill(), with /demo's usage, the kill's boot time (0: the default) and the
 * domain it must get (a cgroup path, or NULL for global).
 */
static uint32_t group_kill_at(struct fixture *f, uint32_t seq, unsigned int groups, bool signal,
			      uint64_t demo_usage_pages, uint64_t boot_ns, const char *want_domain)
{
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b;
	struct ow_event_cgroup e;
	const uint64_t ids[3] = { 1, DEMO_ID, CHILD_ID };
	const uint64_t parents[3] = { 0, 1, DEMO_ID };
	const char *names[3] = { "", "demo", "app" };
	const uint64_t usage[3] = { 3000000, demo_usage_pages, 100000 };
	const uint64_t max[3] = { PAGE_COUNTER_MAX, DEMO_MAX_PAGES, PAGE_COUNTER_MAX };

	v.memcg_id = CHILD_ID;
	b = begin_rec(seq, &v, &t);
	if (boot_ns)
		b.boot_ns = boot_ns;
	if (signal) {
		b.killer = OW_KILL_BY_SIGNAL;
		b.trigger = sender_rec();
	}
	send(f, &b, sizeof(b));
	for (int i = 0; i < 3; i++) {
		memset(&e, 0, sizeof(e));
		e.hdr.type = OW_EV_CGROUP;
		e.hdr.kill_seq = seq;
		e.id = ids[i];
		e.parent_id = parents[i];
		e.is_root = i == 0;
		e.usage_pages = usage[i];
		e.max_pages = max[i];
		e.swap_max_pages = i == 1 ? 0 : PAGE_COUNTER_MAX;
		e.oom_events = i == 1 ? 1 : 0;
		e.oom_group = (groups >> i) & 1;
		strcpy(e.name, names[i]);
		send(f, &e, sizeof(e));
	}
	send_task(f, seq, &v);
	send_end(f, seq, 1, 0);
	assert_true(f->n_kills > 0);
	if (want_domain) {
		assert_int_equal(f->kills[f->n_kills - 1].domain.kind, OW_DOMAIN_MEMCG);
		assert_string_equal(f->kills[f->n_kills - 1].domain.cgroup, want_domain);
	} else {
		assert_int_equal(f->kills[f->n_kills - 1].domain.kind, OW_DOMAIN_GLOBAL);
	}
	return f->kills[f->n_kills - 1].flags;
}

/*
 * A memory.oom.group kill's later members: by then the first victim's memory may be gone and
 * /demo no longer at its limit, yet they belong to its OOM (same trigger, within 1 s), and
 * keep its domain. Not without oom.group, not a second later.
 */
static void test_oom_group_members_keep_domain(void **state)
{
	struct fixture *f = *state;
	const uint64_t t0 = 5000000000ULL, ms = 1000000ULL;
	const uint64_t below = DEMO_MAX_PAGES / 2;

	assert_int_equal(group_kill_at(f, 1, 1u << 1, false, DEMO_USAGE_PAGES, t0, "/demo"),
			 OW_KILL_OOM_GROUP);
	assert_int_equal(group_kill_at(f, 2, 1u << 1, false, below, t0 + 3 * ms, "/demo"),
			 OW_KILL_OOM_GROUP);
	assert_int_equal(group_kill_at(f, 3, 1u << 1, false, below, t0 + 6 * ms, "/demo"),
			 OW_KILL_OOM_GROUP);
	/* No group: a later kill of that trigger below the limit is its own (global) OOM. */
	assert_int_equal(group_kill_at(f, 4, 0, false, below, t0 + 9 * ms, NULL), 0);
	assert_int_equal(
		group_kill_at(f, 5, 1u << 1, false, DEMO_USAGE_PAGES, t0 + 20 * ms, "/demo"),
		OW_KILL_OOM_GROUP);
	/* Over a second later: another OOM, global (where /demo's group still counts). */
	assert_int_equal(group_kill_at(f, 6, 1u << 1, false, below, t0 + 1100 * ms, NULL),
			 OW_KILL_OOM_GROUP);
}

static void test_oom_group(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(oom_group_kill(f, 1, 0, false), 0);
	assert_int_equal(oom_group_kill(f, 2, 1u << 2, false), OW_KILL_OOM_GROUP); /* its own */
	assert_int_equal(oom_group_kill(f, 3, 1u << 1, false), OW_KILL_OOM_GROUP); /* domain's */
	assert_int_equal(oom_group_kill(f, 4, 1u << 0, false), 0); /* above the domain */
	assert_int_equal(oom_group_kill(f, 5, 7, true), 0); /* a signal kill: no group kill */
}

/* A whole-machine OOM: oom.group up to the root counts. */
static void test_oom_group_global(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_cgroup e;

	send_begin(f, SEQ, &v, &t);
	send_cgroup(f, SEQ, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_CGROUP;
	e.hdr.kill_seq = SEQ;
	e.id = DEMO_ID;
	e.parent_id = 1;
	e.usage_pages = 1000;
	e.max_pages = PAGE_COUNTER_MAX;
	e.swap_max_pages = PAGE_COUNTER_MAX;
	e.oom_group = 1;
	strcpy(e.name, "demo");
	send(f, &e, sizeof(e));
	send_tasks(f, SEQ, true);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	assert_int_equal(f->kills[0].domain.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(f->kills[0].flags, OW_KILL_OOM_GROUP);
}

/* ---- interleaved kills ---- */

/* A signal kill written while a kernel kill is: their records interleave; both come whole. */
static void test_interleaved_kills(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_task_record other = task(4300, 1, 1, 500, 0, 0, "bystander");
	struct ow_event_kill_begin sb = signal_begin(SIG_SEQ, 0, 1);
	struct ow_consumer_stats st;

	sb.victim = other;
	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send(f, &sb, sizeof(sb));
	send_cgroup(f, SIG_SEQ, 1, 0, "", 3000000, PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
	send_tasks(f, SEQ, true);
	send_task(f, SIG_SEQ, &other);
	assert_int_equal(f->n_kills, 0);
	send_end(f, SIG_SEQ, 1, 0);
	assert_int_equal(f->n_kills, 1);
	assert_true(ow_consumer_busy(f->c));
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 2);
	assert_false(ow_consumer_busy(f->c));

	assert_int_equal(f->kills[0].killer_kind, OW_KILLER_SIGNAL);
	assert_false(f->kills[0].partial);
	assert_int_equal(f->kills[0].victim_pid, 4300);
	assert_int_equal(f->kills[0].n_procs, 2); /* the bystander, and the sender */
	assert_int_equal(f->kills[0].domain.kind, OW_DOMAIN_GLOBAL);

	assert_int_equal(f->kills[1].killer_kind, OW_KILLER_KERNEL);
	assert_false(f->kills[1].partial);
	assert_int_equal(f->kills[1].n_procs, 4);
	assert_null(ow_kill_find_process(&f->kills[1], 4300));
	assert_string_equal(f->kills[1].domain.cgroup, "/demo");
	ow_consumer_get_stats(f->c, &st);
	assert_int_equal(st.last_kill_seq, SEQ);
	assert_int_equal(st.signal_kills, 1);
}

/*
 * Kills that cannot be in progress go out partial when the next begins: kernel kills never
 * overlap (oom_lock), and a kill more than 2 s old has long ended.
 */
static void test_kills_that_ended_unseen(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b, sb = signal_begin(SIG_SEQ, 0, 1);

	send_begin(f, SEQ, &v, &t); /* its end will be lost */
	send_cgroups(f, SEQ);
	send(f, &sb, sizeof(sb)); /* a signal kill while it is in flight */
	b = begin_rec(SEQ + 1, &v, &t);
	b.concurrent = 1; /* the signal kill is still being written */
	send(f, &b, sizeof(b));
	assert_int_equal(f->n_kills, 1);
	assert_int_equal(f->kills[0].killer_kind, OW_KILLER_KERNEL);
	assert_true(f->kills[0].partial);
	assert_true(ow_consumer_busy(f->c));
	/* A kill 3 s later: both earlier ones have ended. */
	b = begin_rec(SEQ + 2, &v, &t);
	b.concurrent = 1;
	b.boot_ns = BOOT_NS + 3000000000ull;
	send(f, &b, sizeof(b));
	assert_int_equal(f->n_kills, 3);
	assert_int_equal(f->kills[1].killer_kind, OW_KILLER_SIGNAL); /* oldest first */
	assert_true(f->kills[1].partial);
	assert_true(f->kills[2].partial);
	send_end(f, SEQ + 2, 0, 0);
	assert_int_equal(f->n_kills, 4);
	assert_false(ow_consumer_busy(f->c));
}

/* More kills at once than the consumer holds: the oldest goes out partial. */
static void test_too_many_kills_at_once(void **state)
{
	struct fixture *f = *state;
	struct ow_event_kill_begin b;

	for (uint32_t i = 0; i <= OW_CONSUMER_MAX_KILLS; i++) {
		b = signal_begin(SIG_SEQ + i, 0, i);
		send(f, &b, sizeof(b));
	}
	assert_int_equal(f->n_kills, 1);
	assert_true(f->kills[0].partial);
	assert_int_equal(f->kills[0].time_ns, 1700000005000000000ull);
	ow_consumer_flush(f->c);
	assert_int_equal(f->n_kills, OW_CONSUMER_MAX_KILLS + 1);
	assert_false(ow_consumer_busy(f->c));
}

/* A record written 2 s after a kill began says its end was lost: it goes out, partial. */
static void test_stale_kill_handed_over(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_proc e;

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_EXEC;
	e.tgid = 4244;
	e.boot_ns = BOOT_NS + 1000000000ull; /* within 2 s: still waiting */
	send(f, &e, sizeof(e));
	assert_int_equal(f->n_kills, 0);
	e.boot_ns = BOOT_NS + 2500000000ull;
	send(f, &e, sizeof(e));
	assert_int_equal(f->n_kills, 1);
	assert_true(f->kills[0].partial);
	assert_false(ow_consumer_busy(f->c));
}

/* ---- followups ---- */

static void send_exit(struct fixture *f, int32_t tgid, uint64_t boot_ns)
{
	struct ow_event_proc e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_EXIT;
	e.tgid = tgid;
	e.ppid = 1;
	e.boot_ns = boot_ns;
	send(f, &e, sizeof(e));
}

static void send_reap(struct fixture *f, uint32_t type, int32_t pid, int32_t tgid, uint64_t boot_ns,
		      bool rss_known)
{
	struct ow_event_reap e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = type;
	e.boot_ns = boot_ns;
	e.pid = pid;
	e.tgid = tgid;
	e.anon_pages = 1000;
	e.file_pages = 200;
	e.shmem_pages = 100;
	e.rss_known = rss_known;
	send(f, &e, sizeof(e));
}

static void send_adj(struct fixture *f, int32_t tgid, int32_t new_adj, int32_t by,
		     const char *by_comm, bool inherited)
{
	struct ow_event_adj e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_ADJ;
	e.boot_ns = BOOT_NS + 7;
	e.tgid = tgid;
	e.new_adj = new_adj;
	e.by_tgid = by;
	e.inherited = inherited;
	memcpy(e.by_comm, by_comm, strlen(by_comm)); /* all 16 bytes when long: not terminated */
	send(f, &e, sizeof(e));
}

static void test_followups(void **state)
{
	struct fixture *f = *state;
	const struct ow_followup *fu = f->followups;
	struct ow_consumer_stats st;

	send_exit(f, 4244, BOOT_NS + 1000);
	send_reap(f, OW_EV_REAP_START, 4250, 4243, BOOT_NS + 2000, false);
	send_reap(f, OW_EV_REAP_END, 4250, 0, BOOT_NS + 3000, true); /* its process is gone */
	send_reap(f, OW_EV_REAP_END, 4250, 4243, BOOT_NS + 4000, false);
	send_adj(f, 4242, -1000, 1, "systemd", false);
	send_adj(f, 4244, 500, 4242, "a-very-long-comm", true);
	assert_int_equal(f->n_followups, 6);
	assert_int_equal(f->n_kills, 0);

	assert_int_equal(fu[0].kind, OW_FOLLOWUP_EXIT);
	assert_int_equal(fu[0].pid, 4244);
	assert_int_equal(fu[0].time_ns, 1700000005000001000ull);
	assert_int_equal(fu[0].rss_left_bytes, 0);
	assert_int_equal(fu[1].kind, OW_FOLLOWUP_REAP_START);
	assert_int_equal(fu[1].pid, 4243);
	assert_int_equal(fu[1].time_ns, 1700000005000002000ull);
	assert_int_equal(fu[2].kind, OW_FOLLOWUP_REAP_END);
	assert_int_equal(fu[2].pid, 4250); /* the thread, its process unknown */
	assert_int_equal(fu[2].rss_left_bytes, 1300 * PAGE);
	assert_int_equal(fu[3].pid, 4243);
	assert_int_equal(fu[3].rss_left_bytes, UINT64_MAX);

	assert_int_equal(fu[4].kind, OW_FOLLOWUP_ADJ);
	assert_int_equal(fu[4].pid, 4242);
	assert_int_equal(fu[4].time_ns, 1700000005000000007ull);
	assert_int_equal(fu[4].adj.time_ns, fu[4].time_ns);
	assert_int_equal(fu[4].adj.old_adj, OW_ADJ_UNKNOWN);
	assert_int_equal(fu[4].adj.new_adj, -1000);
	assert_int_equal(fu[4].adj.by_pid, 1);
	assert_string_equal(fu[4].adj.by_comm, "systemd");
	assert_false(fu[4].adj.inherited);
	assert_int_equal(fu[5].adj.new_adj, 500);
	assert_int_equal(fu[5].adj.by_pid, 4242);
	assert_string_equal(fu[5].adj.by_comm, "a-very-long-com");
	assert_true(fu[5].adj.inherited);

	ow_consumer_get_stats(f->c, &st);
	assert_int_equal(st.followups, 6);
	assert_int_equal(st.records, 6);
	assert_int_equal(st.malformed, 0);
	/* The cache saw the exit too. */
	assert_int_equal(ow_cmdline_cache_size(f->cmdlines), 3);
}

/* What comes for the victim before its kill is handed over goes into kill.after as well. */
static void test_aftermath_before_end(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b;
	const struct ow_kill *k;

	send_begin(f, SEQ, &v, &t);
	send_cgroups(f, SEQ);
	send_exit(f, 4243, BOOT_NS + 500); /* not the victim */
	send_reap(f, OW_EV_REAP_START, 4242, 4242, BOOT_NS + 1000, false);
	send_reap(f, OW_EV_REAP_END, 4242, 4242, BOOT_NS + 3000000, true);
	send_exit(f, 4242, BOOT_NS + 15000000);
	send_tasks(f, SEQ, true);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_followups, 4);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_int_equal(k->after.exit_ns, 1700000005015000000ull);
	assert_int_equal(k->after.reap_start_ns, 1700000005000001000ull);
	assert_int_equal(k->after.reap_end_ns, 1700000005003000000ull);
	/* RSS at the kill (anon 100000 + file 2000 + shmem 300 pages) less what was left */
	assert_int_equal(k->after.reaped_bytes, (102300 - 1300) * PAGE);

	/* The reaper's end unknown: nothing freed is claimed. A kill of the same pid 1 s after
	 * its exit does not take that exit. */
	b = begin_rec(SEQ + 1, &v, &t);
	b.boot_ns = BOOT_NS + 1015000000ull;
	send(f, &b, sizeof(b));
	send_reap(f, OW_EV_REAP_END, 4242, 4242, BOOT_NS + 1018000000ull, false);
	send_end(f, SEQ + 1, 0, 0);
	assert_int_equal(f->n_kills, 2);
	assert_int_equal(f->kills[1].after.reap_end_ns, 1700000006018000000ull);
	assert_int_equal(f->kills[1].after.reaped_bytes, 0);
	assert_int_equal(f->kills[1].after.exit_ns, 0);
}

/*
 * The kernel thaws or SIGKILLs its victim before mark_victim: the victim's exit record can come
 * before the kill's begin, stamped a little earlier. The kill still gets it, at 0 ms.
 */
static void test_exit_before_begin(void **state)
{
	struct fixture *f = *state;
	struct ow_task_record v = victim_rec(), t = trigger_rec();
	struct ow_event_kill_begin b = begin_rec(SEQ, &v, &t);
	const struct ow_kill *k;

	send_exit(f, 4242, BOOT_NS - 30000); /* the victim, 30 us before the begin's stamp */
	send_exit(f, 4243, BOOT_NS - 10000);
	for (int32_t pid = 5000; pid < 5000 + 62; pid++) /* 63 exits after it: 4242 still kept */
		send_exit(f, pid, BOOT_NS - 5000);
	send(f, &b, sizeof(b));
	send_cgroups(f, SEQ);
	send_tasks(f, SEQ, true);
	send_end(f, SEQ, 4, 0);
	assert_int_equal(f->n_kills, 1);
	k = &f->kills[0];
	assert_int_equal(k->after.exit_ns, 1700000004999970000ull);
	assert_int_equal(ow_kill_to_exit_ns(k), 0);

	/* One exit more and 4242's is gone: the kept exits are the last 64. */
	send_exit(f, 6000, BOOT_NS - 5000);
	b = begin_rec(SEQ + 1, &v, &t);
	send(f, &b, sizeof(b));
	send_end(f, SEQ + 1, 0, 0);
	assert_int_equal(f->n_kills, 2);
	assert_int_equal(f->kills[1].after.exit_ns, 0);

	/* An exit 50 ms before the kill's stamp or earlier was not this kill's. */
	send_exit(f, 4242, BOOT_NS + 1000000000ull);
	b = begin_rec(SEQ + 2, &v, &t);
	b.boot_ns = BOOT_NS + 1050000001ull;
	send(f, &b, sizeof(b));
	send_end(f, SEQ + 2, 0, 0);
	assert_int_equal(f->n_kills, 3);
	assert_int_equal(f->kills[2].after.exit_ns, 0);
}

/* New record types cut short are malformed; without on_followup nothing is called. */
static void test_followup_records_malformed(void **state)
{
	struct fixture *f = *state;
	struct ow_consumer_config cfg;
	struct ow_event_adj a;
	struct ow_event_reap r;
	struct ow_event_proc p;

	memset(&a, 0, sizeof(a));
	a.hdr.type = OW_EV_ADJ;
	memset(&r, 0, sizeof(r));
	r.hdr.type = OW_EV_REAP_END;
	memset(&p, 0, sizeof(p));
	p.hdr.type = OW_EV_EXIT;
	send(f, &a, sizeof(a) - 1);
	send(f, &r, sizeof(r) - 1);
	send(f, &p, offsetof(struct ow_event_proc, boot_ns));
	assert_int_equal(f->n_followups, 0);
	assert_stats(f, 0, 0, 3, 3);

	ow_consumer_free(f->c);
	memset(&cfg, 0, sizeof(cfg));
	cfg.root = ROOT;
	cfg.page_size = PAGE;
	cfg.cmdlines = f->cmdlines;
	cfg.on_kill = on_kill;
	cfg.ctx = f;
	assert_int_equal(ow_consumer_new(&cfg, &f->c), 0);
	send(f, &a, sizeof(a));
	send(f, &r, sizeof(r));
	assert_int_equal(f->n_followups, 0);
	assert_stats(f, 0, 0, 2, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full_kill),
		T(test_global_kill),
		T(test_lost_records),
		T(test_tasks_emitted_mismatch),
		T(test_iterator_truncated),
		T(test_begin_without_end),
		T(test_flush),
		T(test_oom_events_in_domain),
		T(test_user_stack_symbolized),
		T(test_other_kill_seq_ignored),
		T(test_malformed),
		T(test_victim_missing_from_walk),
		T(test_trigger_missing_from_walk),
		T(test_victim_record_without_mm),
		T(test_victim_known_only_by_pid),
		T(test_cgroup_gap_and_v1_swap),
		T(test_kernel_stack_symbolized),
		T(test_memcg_oom_told_by_stack),
		T(test_kernel_stack_without_kallsyms),
		T(test_exec_exit_records),
		T(test_task_batch),
		T(test_signal_kill),
		T(test_signal_kill_global),
		T(test_signal_kill_ancestor_domain),
		T(test_signal_kill_snapshot_skipped),
		T(test_victim_exiting),
		T(test_shares_victim_mm),
		T(test_oom_group),
		T(test_oom_group_global),
		T(test_oom_group_members_keep_domain),
		T(test_interleaved_kills),
		T(test_kills_that_ended_unseen),
		T(test_too_many_kills_at_once),
		T(test_stale_kill_handed_over),
		T(test_followups),
		T(test_aftermath_before_end),
		T(test_exit_before_begin),
		T(test_followup_records_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
