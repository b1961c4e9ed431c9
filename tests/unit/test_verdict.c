/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the verdict (src/analysis): the kernel's badness to the page, who is eligible,
 * the ranking and its ties, and the verdict on synthetic incidents: the seed story (an innocent
 * victim at +1000 while a hogger holds the memcg), a hogger shielded at -1000, a leaker that is
 * its own victim, empty and partial incidents. With a memory history (rule 9): a leaker named
 * culprit over the idle big process the kernel killed, a late burst, a holder that leaks itself,
 * a grower too small against the domain's growth, a grower missing from the snapshot, and a
 * restarted leaker. Rules 10 to 14: a fork storm named as one process tree, a cgroup (and a pod
 * cgroup no process sits in directly), memory no process owns (shmem/tmpfs, kernel, page cache),
 * signal kills by a user-space killer, exiting victims, processes killed for sharing the victim's
 * memory, memory.oom.group kills, and the trees and cgroups of aggregate.c themselves. Incidents
 * are built on the stack here; the verdict only borrows from them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "analysis/verdict.h"

#include "fixtures.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define PAGE 4096ull
#define SEC 1000000000ull
/* 2026-11-25T19:20:00Z, the first sample of the histories */
#define T0_NS (1795634400ull * SEC)
#define CG "/oomwitness-demo"
#define CG_ID 42

static struct ow_process mkproc(int32_t pid, const char *comm, int32_t adj, uint64_t anon_bytes,
				uint32_t flags)
{
	struct ow_process p = { 0 };

	p.pid = pid;
	p.ppid = 1;
	p.oom_score_adj = adj;
	p.anon_bytes = anon_bytes;
	p.flags = flags;
	strncpy(p.comm, comm, sizeof(p.comm) - 1);
	return p;
}

/* mkproc() with a parent and a memory cgroup (borrowed). */
static struct ow_process mkchild(int32_t pid, int32_t ppid, const char *comm, uint64_t anon_bytes,
				 const char *cgroup)
{
	struct ow_process p = mkproc(pid, comm, 0, anon_bytes, OW_PROC_IN_DOMAIN);

	p.ppid = ppid;
	p.cgroup = (char *)cgroup;
	return p;
}

static struct ow_kill mkkill(struct ow_process *procs, size_t n, int32_t victim, int32_t trigger,
			     const struct ow_domain *d)
{
	struct ow_kill k = { 0 };

	k.victim_pid = victim;
	k.trigger_pid = trigger;
	k.trigger_tid = trigger;
	k.domain = *d;
	k.procs = procs;
	k.n_procs = n;
	return k;
}

/* The tests' memcg, full at 256 MiB: 65536 pages, no swap. */
static struct ow_domain memcg_256mib(void)
{
	static char path[] = CG;

	return full_memcg(path, CG_ID, 256 * MIB);
}

static struct ow_incident mkincident(struct ow_kill *kills, size_t n)
{
	struct ow_incident inc = { 0 };

	inc.kills = kills;
	inc.n_kills = n;
	if (n)
		inc.domain = kills[0].domain;
	return inc;
}

static bool has_reason(const struct ow_culprit *c, const char *line)
{
	for (size_t i = 0; i < c->n_reasons; i++)
		if (strcmp(c->reasons[i], line) == 0)
			return true;
	return false;
}

static void test_badness_exact(void **state)
{
	struct ow_process p;
	struct ow_badness b;

	(void)state;
	/* 65536 pages: 65536 / 1000 = 65, so adj 1000 is worth 65000 points, not 65536. */
	p = mkproc(100, "victim", 1000, 128 * KIB, OW_PROC_IN_DOMAIN);
	b = ow_badness_compute(&p, 65536 * PAGE, 4096);
	assert_int_equal(b.eligibility, OW_ELIGIBLE);
	assert_int_equal(b.memory_points, 32);
	assert_int_equal(b.adj_points, 65000);
	assert_int_equal(b.points, 65032);

	/* Each part in whole pages: rss 10 + swap 3 + page tables 8292 / 4096 = 2. */
	p = mkproc(101, "parts", 0, 6 * PAGE, OW_PROC_IN_DOMAIN);
	p.file_bytes = 3 * PAGE;
	p.shmem_bytes = 1 * PAGE;
	p.swap_bytes = 3 * PAGE;
	p.pgtables_bytes = 2 * PAGE + 100;
	b = ow_badness_compute(&p, 65536 * PAGE, 4096);
	assert_int_equal(b.memory_points, 15);
	assert_int_equal(b.adj_points, 0);
	assert_int_equal(b.points, 15);

	/* Integer division first: 1999 pages / 1000 = 1, so adj 500 gives 500, not 999. */
	p = mkproc(102, "small", 500, 0, OW_PROC_IN_DOMAIN);
	b = ow_badness_compute(&p, 1999 * PAGE, 4096);
	assert_int_equal(b.adj_points, 500);
	/* Under 1000 pages the adj counts for nothing at all. */
	b = ow_badness_compute(&p, 999 * PAGE, 4096);
	assert_int_equal(b.adj_points, 0);

	/* Negative adj lowers the points below zero. */
	p = mkproc(103, "shy", -500, 4 * PAGE, OW_PROC_IN_DOMAIN);
	b = ow_badness_compute(&p, 65536 * PAGE, 4096);
	assert_int_equal(b.adj_points, -32500);
	assert_int_equal(b.points, 4 - 32500);

	/* Page size 0 falls back to 4096; 64 KiB pages count fewer, bigger pages. */
	b = ow_badness_compute(&p, 65536 * PAGE, 0);
	assert_int_equal(b.memory_points, 4);
	p = mkproc(104, "arm", 0, 128 * KIB, OW_PROC_IN_DOMAIN);
	b = ow_badness_compute(&p, 65536 * PAGE, 65536);
	assert_int_equal(b.memory_points, 2);
}

static void test_badness_ineligible(void **state)
{
	static const struct {
		int32_t adj;
		uint32_t flags;
		enum ow_eligibility want;
	} cases[] = {
		{ 0, 0, OW_INELIGIBLE_OUTSIDE_DOMAIN },
		{ -1000, OW_PROC_IN_DOMAIN, OW_INELIGIBLE_ADJ_MIN },
		{ 0, OW_PROC_IN_DOMAIN | OW_PROC_INIT, OW_INELIGIBLE_INIT },
		{ 0, OW_PROC_IN_DOMAIN | OW_PROC_NO_MM, OW_INELIGIBLE_NO_MM },
		{ 0, OW_PROC_IN_DOMAIN | OW_PROC_OOM_SKIP, OW_INELIGIBLE_OOM_SKIP },
		{ 0, OW_PROC_IN_DOMAIN | OW_PROC_VFORK, OW_INELIGIBLE_VFORK },
		{ -999, OW_PROC_IN_DOMAIN, OW_ELIGIBLE },
		{ 0, OW_PROC_IN_DOMAIN | OW_PROC_OOM_VICTIM, OW_ELIGIBLE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ow_process p = mkproc(10, "p", cases[i].adj, 8 * PAGE, cases[i].flags);
		struct ow_badness b = ow_badness_compute(&p, 65536 * PAGE, 4096);

		assert_int_equal(b.eligibility, cases[i].want);
		/* What it would have scored is kept. */
		assert_int_equal(b.memory_points, 8);
	}
	assert_string_equal(ow_eligibility_text(OW_INELIGIBLE_ADJ_MIN), "oom_score_adj -1000");
	assert_string_equal(ow_eligibility_text(OW_ELIGIBLE), "eligible");
	assert_string_equal(ow_culprit_kind_name(OW_CULPRIT_PROCESS), "process");
	assert_string_equal(ow_culprit_kind_name(OW_CULPRIT_NONE), "none");
	assert_string_equal(ow_culprit_kind_name(OW_CULPRIT_PROCESS_TREE), "process-tree");
	assert_string_equal(ow_victim_choice_name(OW_VICTIM_BY_BADNESS), "badness");
	assert_string_equal(ow_victim_choice_name(OW_VICTIM_BY_SIGNAL), "signal");
	assert_string_equal(ow_victim_choice_name(OW_VICTIM_EXITING), "exiting");
	assert_string_equal(ow_victim_choice_name(OW_VICTIM_OOM_GROUP), "oom-group");
}

static void test_config_default(void **state)
{
	struct ow_verdict_config cfg;

	(void)state;
	memset(&cfg, 0xff, sizeof(cfg));
	ow_verdict_config_default(&cfg);
	assert_true(cfg.innocent_max_share == 0.05);
	assert_true(cfg.shielded_min_share == 0.10);
	assert_int_equal(cfg.ranking_size, 10);
	assert_true(cfg.grower_min_share == 0.5);
	assert_true(cfg.tree_single_max_share == 0.5);
	assert_true(cfg.tree_min_share == 0.5);
	assert_int_equal(cfg.tree_min_members, 3);
	assert_true(cfg.cgroup_min_share == 0.5);
	assert_true(cfg.unowned_min_share == 0.4);
	assert_int_equal(cfg.growth.min_growth_bytes, 8 * MIB);
	assert_int_equal(cfg.growth.recent_ns, 30 * SEC);
	assert_true(cfg.growth.burst_share == 0.8);
	assert_int_equal(cfg.growth.top, 10);
}

/*
 * The seed story: in a 256 MiB memcg, the kernel kills a 128 KiB process at +1000, then a small
 * bystander at 0, while the hogger at 0 holding 200 MiB runs on and triggered the first kill.
 */
static void test_seed_story(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(1, "systemd", 0, 8 * MIB, OW_PROC_INIT),
		mkproc(100, "victim", 1000, 128 * KIB, OW_PROC_IN_DOMAIN),
		mkproc(101, "bystander", 0, 2 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 200 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(101, "bystander", 0, 2 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 210 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[] = {
		mkkill(k1, 4, 100, 4242, &d),
		mkkill(k2, 2, 101, 4242, &d),
	};
	struct ow_incident inc = mkincident(kills, 2);
	struct ow_verdict_config cfg;
	struct ow_verdict v;
	const struct ow_kill_analysis *a;

	(void)state;
	ow_verdict_config_default(&cfg);
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.n_kills, 2);

	a = &v.kills[0];
	assert_int_equal(a->n_candidates, 3);
	assert_int_equal(a->n_ranked, 3);
	assert_int_equal(a->victim_rank, 1);
	assert_int_equal(a->ranked[0].proc_index, 1);
	assert_int_equal(a->ranked[1].proc_index, 3);
	assert_int_equal(a->ranked[2].proc_index, 2);
	assert_int_equal(a->victim_badness.memory_points, 32);
	assert_int_equal(a->victim_badness.adj_points, 65000);
	assert_int_equal(a->victim_badness.points, 65032);
	assert_int_equal(a->ranked[1].badness.points, 51200);
	assert_true(a->victim_by_adj);
	assert_true(a->victim_innocent);
	assert_false(a->victim_was_top_holder);

	/* The bystander is chosen against the data (the hogger outranks it): rank 2, by memory. */
	a = &v.kills[1];
	assert_int_equal(a->n_candidates, 2);
	assert_int_equal(a->victim_rank, 2);
	assert_false(a->victim_by_adj);
	assert_false(a->victim_innocent);
	assert_false(a->victim_was_top_holder);

	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 4242);
	assert_string_equal(v.culprit.comm, "memhog");
	assert_int_equal(v.culprit.oom_score_adj, 0);
	assert_int_equal(v.culprit.memory_bytes, 200 * MIB);
	assert_true(v.culprit.share > 0.781 && v.culprit.share < 0.782);
	assert_true(v.culprit.was_trigger);
	assert_false(v.culprit.was_killed);
	assert_int_equal(v.culprit.n_reasons, 3);
	assert_string_equal(v.culprit.reasons[0],
			    "held 200.0 MiB, 78% of the memcg limit (256.0 MiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1],
			    "was never killed: 2 other processes died instead");
	assert_string_equal(v.culprit.reasons[2],
			    "was allocating when memory ran out (the trigger)");

	assert_int_equal(v.n_innocent, 1);
	assert_int_equal(v.innocent_pids[0], 100);
	assert_int_equal(v.n_shielded, 0);
	assert_false(v.partial);
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 78% of memcg /oomwitness-demo and was never killed; "
		"the kernel killed 2 other processes instead, 1 of them chosen by oom_score_adj.");
	ow_verdict_clear(&v);
	assert_null(v.summary);
	assert_int_equal(v.n_kills, 0);
}

/* Both victims at +1000, both chosen by adj: the plain wording of the summary. */
static void test_all_victims_by_adj(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(100, "worker-a", 1000, 128 * KIB, OW_PROC_IN_DOMAIN),
		mkproc(101, "worker-b", 1000, 256 * KIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 212 * MIB + 400 * KIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(101, "worker-b", 1000, 256 * KIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 220 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[] = {
		mkkill(k1, 3, 100, 0, &d),
		mkkill(k2, 2, 101, 0, &d),
	};
	struct ow_incident inc = mkincident(kills, 2);
	struct ow_verdict v;

	(void)state;
	/* NULL config: the defaults. */
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	/* Same adj: worker-b's 64 pages outrank the victim's 32, so the victim is #2. */
	assert_int_equal(v.kills[0].victim_rank, 2);
	assert_int_equal(v.kills[0].ranked[0].proc_index, 1);
	assert_int_equal(v.kills[1].victim_rank, 1);
	assert_true(v.kills[0].victim_innocent);
	assert_true(v.kills[1].victim_innocent);
	assert_int_equal(v.n_innocent, 2);
	assert_int_equal(v.innocent_pids[0], 100);
	assert_int_equal(v.innocent_pids[1], 101);
	assert_int_equal(v.culprit.pid, 4242);
	assert_false(v.culprit.was_trigger);
	assert_int_equal(v.culprit.n_reasons, 3);
	assert_string_equal(v.culprit.reasons[0],
			    "held 212.4 MiB, 83% of the memcg limit (256.0 MiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1],
			    "oom_score_adj 0 against victims at +1000: the kernel preferred them");
	assert_string_equal(v.culprit.reasons[2],
			    "was never killed: 2 other processes died instead");
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 83% of memcg /oomwitness-demo and was never killed; "
		"the kernel killed 2 processes chosen by oom_score_adj instead.");
	ow_verdict_clear(&v);
}

/* A hogger at -1000 cannot be killed: it is shielded, and the reason says so. */
static void test_hogger_adj_min(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(100, "victim", 1000, 128 * KIB, OW_PROC_IN_DOMAIN),
		mkproc(200, "guarded", -500, 30 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(201, "tiny-shy", -900, 1 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(300, "outsider", -1000, 500 * MIB, 0),
		mkproc(4242, "memhog", -1000, 200 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[] = { mkkill(k1, 5, 100, 100, &d) };
	struct ow_incident inc = mkincident(kills, 1);
	struct ow_verdict_config cfg;
	struct ow_verdict v;

	(void)state;
	ow_verdict_config_default(&cfg);
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	/* The hogger and the outsider are not candidates; the others are. */
	assert_int_equal(v.kills[0].n_candidates, 3);
	assert_int_equal(v.kills[0].victim_rank, 1);
	assert_true(v.kills[0].victim_innocent);

	/* The outsider holds more but is outside the memcg: the culprit is the hogger. */
	assert_int_equal(v.culprit.pid, 4242);
	assert_int_equal(v.culprit.oom_score_adj, -1000);
	assert_false(v.culprit.was_trigger);
	assert_true(has_reason(&v.culprit, "oom_score_adj -1000: the kernel could not kill it"));
	assert_true(has_reason(&v.culprit, "was never killed: 1 other process died instead"));

	/* Shielded: negative adj and >= 10% of the limit, biggest first; 1 MiB is not enough. */
	assert_int_equal(v.n_shielded, 2);
	assert_int_equal(v.shielded_pids[0], 4242);
	assert_int_equal(v.shielded_pids[1], 200);
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 78% of memcg /oomwitness-demo and was never killed; "
		"the kernel killed 1 process chosen by oom_score_adj instead.");
	ow_verdict_clear(&v);

	/* A stricter threshold keeps only the hogger. */
	cfg.shielded_min_share = 0.5;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.n_shielded, 1);
	assert_int_equal(v.shielded_pids[0], 4242);
	ow_verdict_clear(&v);
}

/* A single leaker that exhausts the memcg and is killed first: self-inflicted. */
static void test_self_inflicted(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(70, "shell", 0, 3 * MIB, OW_PROC_IN_DOMAIN),
		/* The snapshot was taken after the reaper: the victim still ranks. */
		mkproc(77, "leaker", 0, 250 * MIB, OW_PROC_IN_DOMAIN | OW_PROC_OOM_SKIP),
	};
	struct ow_kill kills[] = { mkkill(k1, 2, 77, 77, &d) };
	struct ow_incident inc = mkincident(kills, 1);
	struct ow_verdict v;

	(void)state;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.kills[0].n_candidates, 2);
	assert_int_equal(v.kills[0].victim_rank, 1);
	assert_int_equal(v.kills[0].victim_badness.eligibility, OW_ELIGIBLE);
	assert_int_equal(v.kills[0].victim_badness.memory_points, 64000);
	assert_int_equal(v.kills[0].victim_badness.adj_points, 0);
	assert_false(v.kills[0].victim_by_adj);
	assert_false(v.kills[0].victim_innocent);
	assert_true(v.kills[0].victim_was_top_holder);

	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 77);
	assert_true(v.culprit.was_killed);
	assert_true(v.culprit.was_trigger);
	assert_int_equal(v.culprit.n_reasons, 3);
	assert_string_equal(v.culprit.reasons[0],
			    "held 250.0 MiB, 98% of the memcg limit (256.0 MiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1],
			    "the victim itself held the most memory: not an innocent victim");
	assert_string_equal(v.culprit.reasons[2],
			    "was allocating when memory ran out (the trigger)");
	assert_int_equal(v.n_innocent, 0);
	assert_int_equal(v.n_shielded, 0);
	assert_string_equal(
		v.summary,
		"leaker (pid 77) held 98% of memcg /oomwitness-demo and was itself the victim.");
	ow_verdict_clear(&v);
}

/* A global OOM where the hogger dies only at the second kill. */
static void test_global_killed_later(void **state)
{
	struct ow_domain d = { 0 };
	struct ow_process k1[] = {
		mkproc(500, "browser", 1000, 512 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(600, "java", 0, 6 * 1024 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(600, "java", 0, 7 * 1024 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[2];
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	d.kind = OW_DOMAIN_GLOBAL;
	d.limit_bytes = 8 * 1024 * MIB;
	d.total_bytes = 8 * 1024 * MIB;
	kills[0] = mkkill(k1, 2, 500, 600, &d);
	kills[1] = mkkill(k2, 1, 600, 600, &d);
	inc = mkincident(kills, 2);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	/* 2097152 pages: adj 1000 adds 1000 * 2097 = 2097000 to 131072 pages. */
	assert_int_equal(v.kills[0].victim_badness.adj_points, 2097000);
	assert_int_equal(v.kills[0].ranked[1].badness.points, 1572864);
	assert_int_equal(v.kills[0].victim_rank, 1);
	assert_true(v.kills[0].victim_by_adj);
	/* 512 MiB is 6.25% of RAM: by adj, but too big to call innocent. */
	assert_false(v.kills[0].victim_innocent);
	assert_true(v.kills[1].victim_was_top_holder);
	assert_int_equal(v.culprit.pid, 600);
	assert_true(v.culprit.was_killed);
	assert_string_equal(v.culprit.reasons[0],
			    "held 6.0 GiB, 75% of RAM (8.0 GiB) at the first kill");
	assert_true(has_reason(&v.culprit, "was killed at kill #2"));
	/* Spared at kill #1 for the victim's adj: the reason says the kernel killed it first. */
	assert_true(has_reason(
		&v.culprit,
		"oom_score_adj 0 against a victim at +1000: the kernel killed it first"));
	assert_string_equal(
		v.summary,
		"java (pid 600) held 75% of RAM and was killed only at kill #2, after 1 other process.");
	ow_verdict_clear(&v);
}

static void test_ranking_ties_and_size(void **state)
{
	/* 500000 pages: each adj point is worth 500 pages. */
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(12, "a", 0, 1000 * PAGE, OW_PROC_IN_DOMAIN),
		mkproc(13, "b", 1, 500 * PAGE, OW_PROC_IN_DOMAIN),
		mkproc(11, "c", 0, 1000 * PAGE, OW_PROC_IN_DOMAIN),
		mkproc(14, "d", 0, 10 * PAGE, OW_PROC_IN_DOMAIN),
		mkproc(15, "e", 0, 0, OW_PROC_IN_DOMAIN | OW_PROC_NO_MM),
	};
	struct ow_kill kills[1];
	struct ow_incident inc;
	struct ow_verdict_config cfg;
	struct ow_verdict v;

	(void)state;
	d.total_bytes = 500000 * PAGE;
	kills[0] = mkkill(k1, 5, 14, 0, &d);
	inc = mkincident(kills, 1);
	ow_verdict_config_default(&cfg);
	cfg.ranking_size = 2;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.kills[0].n_candidates, 4);
	assert_int_equal(v.kills[0].n_ranked, 2);
	/* Three tie at 1000 points: c and a (more memory, c's lower pid first), then b. */
	assert_int_equal(v.kills[0].ranked[0].proc_index, 2);
	assert_int_equal(v.kills[0].ranked[1].proc_index, 0);
	assert_int_equal(v.kills[0].ranked[0].badness.points, 1000);
	assert_int_equal(v.kills[0].ranked[1].badness.points, 1000);
	/* The victim is ranked even though its row was not kept. */
	assert_int_equal(v.kills[0].victim_rank, 4);
	/* Culprit on a tie of memory: the lower pid. */
	assert_int_equal(v.culprit.pid, 11);
	ow_verdict_clear(&v);

	cfg.ranking_size = 0;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.kills[0].n_ranked, 0);
	assert_null(v.kills[0].ranked);
	assert_int_equal(v.kills[0].victim_rank, 4);
	ow_verdict_clear(&v);
}

static void test_empty(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(5, "zombie", 0, 0, OW_PROC_IN_DOMAIN | OW_PROC_NO_MM),
		mkproc(6, "elsewhere", 0, 64 * MIB, 0),
	};
	struct ow_kill kills[] = { mkkill(k1, 2, 99, 0, &d) };
	struct ow_incident inc = { 0 };
	struct ow_verdict v;

	(void)state;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_NONE);
	assert_int_equal(v.n_kills, 0);
	assert_null(v.kills);
	assert_int_equal(v.culprit.n_reasons, 0);
	assert_string_equal(v.summary, "No kills: nothing to judge.");
	ow_verdict_clear(&v);

	/* A kill whose snapshot holds no memory in the domain, and a victim not in it. */
	inc = mkincident(kills, 1);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_NONE);
	assert_int_equal(v.kills[0].victim_rank, 0);
	assert_int_equal(v.kills[0].n_candidates, 0);
	assert_false(v.kills[0].victim_innocent);
	assert_string_equal(
		v.summary,
		"No process in the OOM domain held memory at the first kill: no culprit to name.");
	ow_verdict_clear(&v);

	/* Clearing a zeroed verdict, twice, and NULL. */
	memset(&v, 0, sizeof(v));
	ow_verdict_clear(&v);
	ow_verdict_clear(&v);
	ow_verdict_clear(NULL);
}

static void test_partial(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(77, "leaker", 0, 250 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[] = { mkkill(k1, 1, 77, 77, &d) };
	struct ow_incident inc = mkincident(kills, 1);
	struct ow_verdict v;

	(void)state;
	inc.lost_events = 3;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.partial);
	assert_true(ow_verdict_partial(&inc));
	assert_string_equal(v.summary,
			    "leaker (pid 77) held 98% of memcg /oomwitness-demo and was itself the "
			    "victim (partial data: 3 ring-buffer records lost).");
	ow_verdict_clear(&v);

	/* A partial snapshot without a count of lost records. */
	inc.lost_events = 0;
	kills[0].partial = true;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.partial);
	assert_true(ow_verdict_partial(&inc));
	assert_non_null(strstr(v.summary, "(partial data: incomplete snapshot)"));
	ow_verdict_clear(&v);

	/* Lost records counted on the kill only (incident built by hand). */
	kills[0].partial = false;
	kills[0].lost_events = 1;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.partial);
	assert_true(ow_verdict_partial(&inc));
	assert_non_null(strstr(v.summary, "(partial data: 1 ring-buffer record lost)"));
	ow_verdict_clear(&v);

	kills[0].lost_events = 0;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_false(v.partial);
	assert_false(ow_verdict_partial(&inc));
	assert_null(strstr(v.summary, "partial"));
	ow_verdict_clear(&v);
}

/*
 * Rule 7 with kills the recorder was not running for (missed_kills, docs/storage.md): partial
 * on its own, with the count said machine-wide, and beside lost records.
 */
static void test_partial_missed_kills(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(77, "leaker", 0, 250 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[] = { mkkill(k1, 1, 77, 77, &d) };
	struct ow_incident inc = mkincident(kills, 1);
	struct ow_verdict v;

	(void)state;
	inc.missed_kills = 4;
	assert_true(ow_verdict_partial(&inc));
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.partial);
	assert_string_equal(v.summary,
			    "leaker (pid 77) held 98% of memcg /oomwitness-demo and was itself the "
			    "victim (partial data: the recorder was not running for 4 OOM kills on "
			    "the machine).");
	ow_verdict_clear(&v);

	inc.missed_kills = 1;
	inc.lost_events = 2;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.partial);
	assert_non_null(strstr(v.summary, "(partial data: 2 ring-buffer records lost; the recorder "
					  "was not running for 1 OOM kill on the machine)"));
	ow_verdict_clear(&v);

	/* The rest of the verdict does not change: the same culprit, missed kills or not. */
	inc.missed_kills = 0;
	inc.lost_events = 0;
	assert_false(ow_verdict_partial(&inc));
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_false(v.partial);
	assert_int_equal(v.culprit.pid, 77);
	ow_verdict_clear(&v);
}

/* No known limit: shares are 0 and figures are given in bytes instead. */
static void test_no_limit(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(100, "victim", 1000, 128 * KIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 200 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[1];
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	d.limit_bytes = 0;
	d.cgroup = NULL;
	kills[0] = mkkill(k1, 2, 100, 0, &d);
	inc = mkincident(kills, 1);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.culprit.share == 0.0);
	assert_true(v.kills[0].victim_innocent);
	assert_string_equal(v.culprit.reasons[0], "held 200.0 MiB at the first kill");
	assert_string_equal(v.culprit.reasons[1],
			    "oom_score_adj 0 against a victim at +1000: the kernel preferred it");
	assert_string_equal(v.summary,
			    "memhog (pid 4242) held 200.0 MiB in the memcg and was never killed; "
			    "the kernel killed 1 process chosen by oom_score_adj instead.");
	ow_verdict_clear(&v);

	/* Bytes as the renderers write them (model/units.h): rounded, carried to GiB. */
	k1[1].anon_bytes = 1024 * MIB - 1;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_string_equal(v.culprit.reasons[0], "held 1.0 GiB at the first kill");
	ow_verdict_clear(&v);
}

/*
 * The demo (tests/e2e/demo.sh) with the figures of a real run, as docs/verdict.md's worked
 * example tells it: a 256 MiB memcg, a victim at +1000 holding 600 pages, a bystander at +800
 * holding 10609 pages, and a hogger at 0 growing. The kernel kills the victim, then the
 * bystander (62609 points against the hogger's 55180), then the hogger.
 */
static void test_demo_story(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(26648, "victim", 1000, 600 * PAGE, OW_PROC_IN_DOMAIN),
		mkproc(26649, "bystander", 800, 10609 * PAGE, OW_PROC_IN_DOMAIN),
		mkproc(26653, "hogger", 0, 55180 * PAGE, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(26649, "bystander", 800, 10609 * PAGE, OW_PROC_IN_DOMAIN),
		mkproc(26653, "hogger", 0, 55180 * PAGE, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k3[] = {
		mkproc(26653, "hogger", 0, 65824 * PAGE, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[] = {
		mkkill(k1, 3, 26648, 26653, &d),
		mkkill(k2, 2, 26649, 26653, &d),
		mkkill(k3, 1, 26653, 26653, &d),
	};
	struct ow_incident inc = mkincident(kills, 3);
	const struct ow_kill_analysis *a;
	struct ow_verdict v;

	(void)state;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);

	/* Kill 1: the victim, 65600 = 600 memory + 65000 adj; innocent (0.9% of the limit). */
	a = &v.kills[0];
	assert_int_equal(a->n_candidates, 3);
	assert_int_equal(a->victim_rank, 1);
	assert_int_equal(a->ranked[0].badness.points, 65600);
	assert_int_equal(a->ranked[0].badness.memory_points, 600);
	assert_int_equal(a->ranked[0].badness.adj_points, 65000);
	assert_int_equal(a->ranked[1].badness.points, 62609);
	assert_int_equal(a->ranked[2].badness.points, 55180);
	assert_true(a->victim_by_adj);
	assert_true(a->victim_innocent);
	assert_false(a->victim_was_top_holder);

	/* Kill 2: the bystander, 62609 = 10609 + 52000, by adj but not innocent (16%). */
	a = &v.kills[1];
	assert_int_equal(a->victim_rank, 1);
	assert_int_equal(a->victim_badness.memory_points, 10609);
	assert_int_equal(a->victim_badness.adj_points, 52000);
	assert_int_equal(a->ranked[1].badness.points, 55180);
	assert_true(a->victim_by_adj);
	assert_false(a->victim_innocent);

	/* Kill 3: the hogger, by memory. */
	a = &v.kills[2];
	assert_int_equal(a->victim_badness.points, 65824);
	assert_false(a->victim_by_adj);
	assert_true(a->victim_was_top_holder);

	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 26653);
	assert_true(v.culprit.was_killed);
	assert_true(v.culprit.was_trigger);
	assert_int_equal(v.culprit.n_reasons, 4);
	assert_string_equal(v.culprit.reasons[0],
			    "held 215.5 MiB, 84% of the memcg limit (256.0 MiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1], "oom_score_adj 0 against victims at "
						  "+800..+1000: the kernel killed them first");
	assert_string_equal(v.culprit.reasons[2], "was killed at kill #3");
	assert_string_equal(v.culprit.reasons[3],
			    "was allocating when memory ran out (the trigger)");
	assert_int_equal(v.n_innocent, 1);
	assert_int_equal(v.innocent_pids[0], 26648);
	assert_int_equal(v.n_shielded, 0);
	assert_string_equal(v.summary, "hogger (pid 26653) held 84% of memcg /oomwitness-demo and "
				       "was killed only at kill #3, after 2 other processes.");
	ow_verdict_clear(&v);
}

/* ---- memory history (rule 9) ---- */

/*
 * The canonical scenario: in a 256 MiB memcg, "idle" (adj +1000) holds 150 MiB flat; "leaker"
 * holds 2 MiB, then grows 1 MiB/s from t=200 s. At t=300 s its allocation fails and the kernel
 * kills idle, the biggest holder; at t=301 s it kills the leaker. Without history the verdict
 * names idle; with it, the leaker.
 */
static void test_growth_leaker_culprit(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(123, "idle", 1000, 150 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(456, "leaker", 0, 102 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(456, "leaker", 0, 103 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[2];
	struct ow_history *h = mkhistory(311, T0_NS);
	struct ow_incident inc;
	struct ow_verdict v;
	size_t idle, leak;

	(void)state;
	k1[1].cmdline = (char *)"/usr/bin/leaker --grow 1";
	k1[1].cgroup = (char *)"/oomwitness-demo";
	kills[0] = mkkill(k1, 2, 123, 456, &d);
	kills[1] = mkkill(k2, 1, 456, 456, &d);
	kills[0].time_ns = T0_NS + 300 * SEC;
	kills[1].time_ns = T0_NS + 301 * SEC;
	inc = mkincident(kills, 2);

	/* Without history: rule 3, unchanged. */
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_false(v.growth.available);
	assert_int_equal(v.culprit.pid, 123);
	assert_false(v.culprit.by_growth);
	assert_int_equal(v.culprit.growth_row, -1);
	assert_int_equal(v.culprit.n_reasons, 2);
	assert_string_equal(v.summary, "idle (pid 123) held 59% of memcg /oomwitness-demo and was "
				       "itself the victim; 1 more kill followed.");
	ow_verdict_clear(&v);

	idle = hproc(h, 123, "idle", "idle --hold 150", CG);
	leak = hproc(h, 456, "leaker", "leaker (as the sampler read it)", CG);
	ramp(h, idle, 0, 300, 150 * MIB, 0, 1000);
	ramp(h, leak, 0, 200, 2 * MIB, 0, 0);
	ramp(h, leak, 200, 301, 2 * MIB, (int64_t)MIB, 0);
	hcgroup(h, CG, CG_ID, 256 * MIB, 2 * MIB, 0);
	inc.history = h;

	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.growth.available);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 456);
	assert_true(v.culprit.by_growth);
	assert_int_equal(v.culprit.growth_row, 0);
	assert_int_equal(v.growth.rows[0].pid, 456);
	assert_int_equal(v.growth.holder_row, 1);
	/* Identity from the snapshot, not the history. */
	assert_string_equal(v.culprit.comm, "leaker");
	assert_string_equal(v.culprit.cmdline, "/usr/bin/leaker --grow 1");
	assert_string_equal(v.culprit.cgroup, "/oomwitness-demo");
	assert_int_equal(v.culprit.oom_score_adj, 0);
	assert_int_equal(v.culprit.memory_bytes, 102 * MIB);
	assert_true(v.culprit.share > 0.398 && v.culprit.share < 0.399);
	assert_true(v.culprit.was_trigger);
	assert_true(v.culprit.was_killed);
	assert_int_equal(v.culprit.n_reasons, 8);
	assert_string_equal(v.culprit.reasons[0], "grew 100.0 MiB in 1m40s (1.0 MiB/s), a steady "
						  "leak; it was still rising when memory ran out");
	assert_string_equal(v.culprit.reasons[1], "the biggest holder, idle (pid 123, adj +1000), "
						  "stayed flat at 150.0 MiB; the kernel killed it "
						  "first");
	assert_string_equal(v.culprit.reasons[2],
			    "at that rate it fills the headroom of the 256.0 MiB limit (102.0 MiB "
			    "when it began growing) in 1m42s");
	assert_string_equal(v.culprit.reasons[3], "it accounts for all of the 100.0 MiB the memcg "
						  "gained since it began growing");
	assert_string_equal(v.culprit.reasons[4],
			    "held 102.0 MiB, 40% of the memcg limit (256.0 MiB) at the first kill");
	assert_string_equal(
		v.culprit.reasons[5],
		"oom_score_adj 0 against a victim at +1000: the kernel killed it first");
	assert_string_equal(v.culprit.reasons[6], "was killed at kill #2");
	assert_string_equal(v.culprit.reasons[7],
			    "was allocating when memory ran out (the trigger)");
	assert_string_equal(
		v.summary,
		"leaker (pid 456) grew 100.0 MiB in 1m40s, a steady leak, until memcg "
		"/oomwitness-demo ran out, and was killed only at kill #2, after 1 other "
		"process. The biggest holder, idle (pid 123), stayed flat at 150.0 MiB.");
	/* The rest of the verdict does not move. */
	assert_int_equal(v.kills[0].victim_rank, 1);
	assert_true(v.kills[0].victim_was_top_holder);
	assert_int_equal(v.n_innocent, 0);
	ow_verdict_clear(&v);
	assert_false(v.growth.available);
	assert_null(v.growth.rows);

	/* Asking for more than all of what the memcg gained: no grower qualifies. */
	{
		struct ow_verdict_config cfg;

		ow_verdict_config_default(&cfg);
		cfg.grower_min_share = 1.01;
		assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
		assert_int_equal(v.culprit.pid, 123);
		assert_false(v.culprit.by_growth);
		assert_int_equal(v.culprit.growth_row, 1);
		assert_string_equal(
			v.culprit.reasons[1],
			"stayed flat at 150.0 MiB over the 5m00s before the first kill");
		ow_verdict_clear(&v);

		/* All of the memcg's growth, but less than min_growth_bytes: no. */
		ow_verdict_config_default(&cfg);
		cfg.growth.min_growth_bytes = 100 * MIB + 1;
		assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
		/* The noise band (min_growth / 8) is 12.5 MiB now: growth starts at t=212 s. */
		assert_int_equal(v.growth.grower_since_bytes, 88 * MIB);
		assert_int_equal(v.culprit.pid, 123);
		assert_false(v.culprit.by_growth);
		ow_verdict_clear(&v);
	}
	ow_history_free(h);
}

/*
 * A late burst: "burst" holds 20 MiB, then grows 3 MiB/s in the last 20 s before the kill,
 * while idle holds 150 MiB flat and is the one killed.
 */
static void test_growth_burst_culprit(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(123, "idle", 1000, 150 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(789, "burst", 0, 80 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[1];
	struct ow_history *h = mkhistory(301, T0_NS);
	struct ow_incident inc;
	struct ow_verdict v;
	size_t idle, burst;

	(void)state;
	kills[0] = mkkill(k1, 2, 123, 789, &d);
	kills[0].time_ns = T0_NS + 300 * SEC;
	inc = mkincident(kills, 1);
	idle = hproc(h, 123, "idle", "idle", CG);
	burst = hproc(h, 789, "burst", "burst", CG);
	ramp(h, idle, 0, 300, 150 * MIB, 0, 1000);
	ramp(h, burst, 0, 280, 20 * MIB, 0, 0);
	ramp(h, burst, 280, 300, 20 * MIB, 3 * (int64_t)MIB, 0);
	hcgroup(h, CG, CG_ID, 256 * MIB, 2 * MIB, 0);
	inc.history = h;

	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.pid, 789);
	assert_true(v.culprit.by_growth);
	assert_int_equal(v.growth.rows[v.culprit.growth_row].pattern, OW_GROWTH_BURST);
	assert_string_equal(v.culprit.reasons[0],
			    "grew 60.0 MiB in 20s (3.0 MiB/s), a late burst: 60.0 MiB of it in the "
			    "last 30s; it was still rising when memory ran out");
	/* Headroom at t=280 s: 256 - (150 + 20 + 2) = 84 MiB, at 3 MiB/s: 28 s. */
	assert_string_equal(v.culprit.reasons[2],
			    "at that rate it fills the headroom of the 256.0 MiB limit (84.0 MiB "
			    "when it began growing) in 28s");
	assert_string_equal(v.summary,
			    "burst (pid 789) grew 60.0 MiB in 20s, a late burst, until "
			    "memcg /oomwitness-demo ran out, and was never killed; the "
			    "kernel killed 1 process chosen by oom_score_adj instead. The "
			    "biggest holder, idle (pid 123), stayed flat at 150.0 MiB.");
	ow_verdict_clear(&v);
	ow_history_free(h);
}

/*
 * The biggest holder is the leaker itself (100 -> 200 MiB at 512 KiB/s): rule 3 stands, with
 * its growth as a reason, even though "spike" took most of the last 10 s's growth. Then a flat
 * holder next to a small grower while the memcg grows by memory no process holds (tmpfs): the
 * grower's share is too small, unless asked for less.
 */
static void test_growth_holder_stays_culprit(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(100, "victim", 1000, 1 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 200 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(77, "small", 0, 22 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[1];
	struct ow_history *h = mkhistory(301, T0_NS);
	struct ow_incident inc;
	struct ow_verdict_config cfg;
	struct ow_verdict v;
	size_t victim, hog, small, spike;

	(void)state;
	kills[0] = mkkill(k1, 3, 100, 4242, &d);
	kills[0].time_ns = T0_NS + 300 * SEC;
	inc = mkincident(kills, 1);
	victim = hproc(h, 100, "victim", "victim", CG);
	hog = hproc(h, 4242, "memhog", "memhog", CG);
	small = hproc(h, 77, "small", "small", CG);
	spike = hproc(h, 88, "spike", "spike", CG);
	ramp(h, victim, 0, 300, 1 * MIB, 0, 1000);
	ramp(h, hog, 0, 100, 100 * MIB, 0, 0);
	ramp(h, hog, 100, 300, 100 * MIB, 512 * KIB, 0);
	ramp(h, small, 0, 300, 12 * MIB, 0, 0);
	ramp(h, small, 200, 300, 12 * MIB, 100 * KIB, 0);
	ramp(h, spike, 0, 290, 1 * MIB, 0, 0);
	ramp(h, spike, 290, 300, 1 * MIB, 2 * (int64_t)MIB, 0);
	hcgroup(h, CG, CG_ID, 256 * MIB, 2 * MIB, 0);
	inc.history = h;

	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.pid, 4242);
	assert_false(v.culprit.by_growth);
	assert_int_equal(v.culprit.growth_row, 0);
	assert_int_equal(v.growth.rows[0].pid, 4242);
	assert_int_equal(v.growth.rows[0].pattern, OW_GROWTH_STEADY);
	/* The spike gained 20 MiB since t=290 s, of 20 + 5 + 1000 KiB the memcg gained. */
	assert_int_equal(v.growth.rows[v.growth.grower_row].pid, 88);
	assert_int_equal(v.growth.grower_since_bytes, 20 * MIB);
	assert_int_equal(v.growth.domain_since_bytes, 25 * MIB + 1000 * KIB);
	assert_int_equal(v.culprit.n_reasons, 5);
	assert_string_equal(v.culprit.reasons[0],
			    "held 200.0 MiB, 78% of the memcg limit (256.0 MiB) at the first kill");
	/* At t=101 s it is still within 1 MiB of its low: growth starts there. */
	assert_string_equal(v.culprit.reasons[1], "grew 100.0 MiB in 3m19s (512 KiB/s), a steady "
						  "leak; it was still rising when memory ran out");
	assert_string_equal(v.culprit.reasons[2],
			    "oom_score_adj 0 against a victim at +1000: the kernel preferred it");
	assert_string_equal(v.summary,
			    "memhog (pid 4242) held 78% of memcg /oomwitness-demo and was never "
			    "killed; the kernel killed 1 process chosen by oom_score_adj instead.");
	ow_verdict_clear(&v);

	/* The hog flat at 200 MiB; "small" grows 10000 KiB while tmpfs grows 150 MiB. */
	ramp(h, hog, 0, 300, 200 * MIB, 0, 0);
	ramp(h, spike, 0, 300, 1 * MIB, 0, 0);
	h->n_cgroups = 0;
	free(h->cgroups[0].path);
	free(h->cgroups[0].samples);
	free(h->cgroups);
	h->cgroups = NULL;
	hcgroup(h, CG, CG_ID, 256 * MIB, 2 * MIB, 512 * KIB);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.pid, 4242);
	assert_false(v.culprit.by_growth);
	assert_int_equal(v.growth.grower_row, 0);
	/* From t=210 s, where it left its low by 1 MiB: 9000 KiB, and tmpfs 90 s * 512 KiB. */
	assert_int_equal(v.growth.grower_since_ns, T0_NS + 210 * SEC);
	assert_int_equal(v.growth.grower_since_bytes, 9000 * KIB);
	assert_int_equal(v.growth.domain_since_bytes, 9000 * KIB + 45 * MIB);
	assert_string_equal(v.culprit.reasons[1],
			    "stayed flat at 200.0 MiB over the 5m00s before the first kill");
	ow_verdict_clear(&v);

	ow_verdict_config_default(&cfg);
	cfg.grower_min_share = 0.1;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.culprit.pid, 77);
	assert_true(v.culprit.by_growth);
	assert_string_equal(v.culprit.reasons[3], "it accounts for 16% of the 53.8 MiB the memcg "
						  "gained since it began growing");
	assert_string_equal(
		v.culprit.reasons[1],
		"the biggest holder, memhog (pid 4242, adj 0), stayed flat at 200.0 MiB");
	ow_verdict_clear(&v);
	ow_history_free(h);
}

/*
 * The grower is missing from the first kill's snapshot (records lost): its identity comes from
 * the history. It is a restarted leaker: pid 500 grew 60 MiB and exited, pid 520 grew 100 MiB.
 */
static void test_growth_culprit_from_history(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(123, "idle", 1000, 150 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[1];
	struct ow_history *h = mkhistory(301, T0_NS);
	struct ow_incident inc;
	struct ow_verdict v;
	size_t idle, first, second;

	(void)state;
	kills[0] = mkkill(k1, 1, 123, 0, &d);
	kills[0].time_ns = T0_NS + 300 * SEC;
	kills[0].partial = true;
	inc = mkincident(kills, 1);
	idle = hproc(h, 123, "idle", "idle", CG);
	first = hproc(h, 500, "leaker", "/usr/bin/leaker --grow 1", CG);
	second = hproc(h, 520, "leaker", "/usr/bin/leaker --grow 1", CG);
	ramp(h, idle, 0, 300, 150 * MIB, 0, 1000);
	ramp(h, first, 0, 60, 0, (int64_t)MIB, 0);
	ramp(h, second, 200, 300, 0, (int64_t)MIB, 300);
	hcgroup(h, CG, CG_ID, 256 * MIB, 2 * MIB, 0);
	inc.history = h;

	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.partial);
	assert_int_equal(v.culprit.pid, 520);
	assert_true(v.culprit.by_growth);
	assert_string_equal(v.culprit.comm, "leaker");
	assert_string_equal(v.culprit.cmdline, "/usr/bin/leaker --grow 1");
	assert_string_equal(v.culprit.cgroup, "/oomwitness-demo");
	assert_int_equal(v.culprit.oom_score_adj, 300);
	assert_int_equal(v.culprit.memory_bytes, 100 * MIB);
	assert_false(v.culprit.was_trigger);
	assert_false(v.culprit.was_killed);
	assert_int_equal(v.growth.rows[v.culprit.growth_row].n_instances, 2);
	assert_string_equal(v.culprit.reasons[0],
			    "grew 160.0 MiB in 2m40s (1.0 MiB/s), a steady leak, over 2 instances "
			    "(restarted under the same command line); it was still rising when "
			    "memory ran out");
	assert_string_equal(
		v.culprit.reasons[4],
		"was not in the first kill's snapshot: held 100.0 MiB at its last sample");
	assert_string_equal(v.culprit.reasons[5], "was never killed: 1 other process died instead");
	assert_int_equal(v.culprit.n_reasons, 6);
	assert_string_equal(
		v.summary, "leaker (pid 520) grew 160.0 MiB in 2m40s, a steady leak, until memcg "
			   "/oomwitness-demo ran out, and was never killed; the kernel killed 1 "
			   "process chosen by oom_score_adj instead. The biggest holder, idle (pid "
			   "123), stayed flat at 150.0 MiB (partial data: incomplete snapshot).");
	ow_verdict_clear(&v);
	ow_history_free(h);
}

/* ---- process trees, cgroups, memory no process owns (rules 10 to 12) ---- */

#define STORM_CHILDREN 40

/*
 * A fork storm in the 256 MiB memcg: sh (pid 900, 1 MiB) runs forker (pid 1234, 2 MiB), which
 * forks 40 children of 5 MiB each (pids 1300..1339); "other" (pid 4000) holds 30 MiB alone.
 * No process holds half of the 233 MiB the processes hold; the trees of sh and forker do, and
 * forker's is the smaller. Kill #2 takes a child born after the first kill (pid 1400).
 */
static void test_tree_fork_storm(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[STORM_CHILDREN + 4];
	struct ow_process k2[] = {
		mkchild(1234, 900, "forker", 2 * MIB, CG),
		mkchild(1301, 1234, "forker", 5 * MIB, CG),
		mkchild(1400, 1234, "forker", 5 * MIB, CG),
		mkchild(4000, 1, "other", 30 * MIB, CG),
	};
	struct ow_process k3[] = {
		mkchild(1234, 900, "forker", 2 * MIB, CG),
		mkchild(4000, 1, "other", 30 * MIB, CG),
	};
	struct ow_process k4[] = {
		mkchild(1302, 0, "forker", 5 * MIB, CG),
		mkproc(812, "earlyoom", 0, 2 * MIB, 0),
	};
	struct ow_kill kills[3];
	struct ow_incident inc;
	struct ow_verdict_config cfg;
	struct ow_verdict v;
	size_t n = 0;

	(void)state;
	k1[n++] = mkproc(1, "systemd", 0, 8 * MIB, OW_PROC_INIT);
	k1[n++] = mkchild(900, 1, "sh", 1 * MIB, CG);
	k1[n++] = mkchild(1234, 900, "forker", 2 * MIB, CG);
	for (int i = 0; i < STORM_CHILDREN; i++)
		k1[n++] = mkchild(1300 + i, 1234, "forker", 5 * MIB, CG);
	k1[n++] = mkchild(4000, 1, "other", 30 * MIB, CG);
	kills[0] = mkkill(k1, n, 1300, 1339, &d);
	kills[1] = mkkill(k2, 4, 1400, 4000, &d);
	kills[2] = mkkill(k3, 2, 4000, 4000, &d);
	inc = mkincident(kills, 3);

	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS_TREE);
	assert_int_equal(v.culprit.pid, 1234);
	assert_string_equal(v.culprit.comm, "forker");
	assert_string_equal(v.culprit.cgroup, CG);
	assert_null(v.culprit.what);
	assert_int_equal(v.culprit.n_members, STORM_CHILDREN + 1);
	assert_int_equal(v.culprit.memory_bytes, 202 * MIB);
	assert_int_equal(v.culprit.biggest_pid, 1300);
	assert_int_equal(v.culprit.biggest_bytes, 5 * MIB);
	assert_true(v.culprit.share > 0.789 && v.culprit.share < 0.790);
	assert_true(v.culprit.was_trigger);
	assert_true(v.culprit.was_killed);
	assert_false(v.culprit.by_growth);
	assert_int_equal(v.culprit.growth_row, -1);
	assert_int_equal(v.culprit.n_reasons, 4);
	assert_string_equal(v.culprit.reasons[0],
			    "41 processes in the tree of forker (pid 1234) held 202.0 MiB, 79% of "
			    "the memcg limit (256.0 MiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1],
			    "together 87% of what the domain's processes held (233.0 MiB); the "
			    "biggest alone, forker (pid 1300), held 5.0 MiB");
	assert_string_equal(v.culprit.reasons[2], "2 of the 3 kills took one of them");
	assert_string_equal(v.culprit.reasons[3],
			    "one of them was allocating when memory ran out (the trigger)");
	assert_string_equal(v.summary,
			    "41 processes in the tree of forker (pid 1234) held 79% of memcg "
			    "/oomwitness-demo together, none more than 2% alone; 2 of the 3 kills "
			    "took one of them.");
	ow_verdict_clear(&v);
	assert_null(v.culprit.owned_cgroup);

	/* A tree needs 42 members now: sh's, the next one up. */
	ow_verdict_config_default(&cfg);
	cfg.tree_min_members = 42;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS_TREE);
	assert_int_equal(v.culprit.pid, 900);
	assert_int_equal(v.culprit.n_members, STORM_CHILDREN + 2);
	assert_int_equal(v.culprit.memory_bytes, 203 * MIB);
	/* Kill #3's victim is outside the tree, and in kill #2 the parents are in the snapshot. */
	assert_string_equal(v.culprit.reasons[2], "2 of the 3 kills took one of them");
	ow_verdict_clear(&v);

	/* No tree big enough, no child cgroup: the biggest holder, as rule 3 always did. */
	cfg.tree_min_members = 43;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 4000);
	assert_string_equal(v.culprit.reasons[0],
			    "held 30.0 MiB, 12% of the memcg limit (256.0 MiB) at the first kill");
	ow_verdict_clear(&v);

	/* A tree needs more than it holds. */
	ow_verdict_config_default(&cfg);
	cfg.tree_min_share = 0.9;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	ow_verdict_clear(&v);

	/* One process holding half of it all: rule 3 first, the tree is not looked at. */
	k1[n - 1].anon_bytes = 300 * MIB;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 4000);
	ow_verdict_clear(&v);
	k1[n - 1].anon_bytes = 30 * MIB;

	/* No known limit: bytes instead of shares. */
	kills[0].domain.limit_bytes = 0;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS_TREE);
	assert_string_equal(v.culprit.reasons[0], "41 processes in the tree of forker (pid 1234) "
						  "held 202.0 MiB at the first kill");
	assert_string_equal(v.summary, "41 processes in the tree of forker (pid 1234) held 202.0 "
				       "MiB in memcg /oomwitness-demo together, none more than 5.0 "
				       "MiB alone; 2 of the 3 kills took one of them.");
	ow_verdict_clear(&v);
	kills[0].domain.limit_bytes = 256 * MIB;

	/*
	 * A signal kill past the rate limit: its snapshot has the victim (here without even its
	 * ppid) and the killer; the first kill's snapshot says the victim is of the tree.
	 */
	kills[1] = mkkill(k4, 2, 1302, 812, &d);
	kills[1].killer_kind = OW_KILLER_SIGNAL;
	kills[1].flags = OW_KILL_SNAPSHOT_SKIPPED;
	inc = mkincident(kills, 2);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS_TREE);
	assert_true(v.partial);
	assert_int_equal(v.kills[1].victim_choice, OW_VICTIM_BY_SIGNAL);
	assert_string_equal(v.culprit.reasons[2], "every one of the 2 kills took one of them");
	assert_string_equal(
		v.culprit.reasons[4],
		"forker (pid 1302) was killed by pid 812 (earlyoom), not by the kernel");
	assert_string_equal(
		v.summary,
		"41 processes in the tree of forker (pid 1234) held 79% of memcg "
		"/oomwitness-demo together, none more than 2% alone; every one of the 2 "
		"kills took one of them. forker (pid 1302) was killed by pid 812 "
		"(earlyoom), not by the kernel (partial data: 1 signal kill past the rate "
		"limit: only its victim and killer were read).");
	ow_verdict_clear(&v);
}

/*
 * Trees never have init, pid 1 or a process outside the domain at the root: children of pid 1
 * in a global OOM, and children of a runner outside the memcg, are no tree.
 */
static void test_tree_roots(void **state)
{
	struct ow_domain g = { 0 };
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(1, "systemd", 0, 10 * MIB, OW_PROC_IN_DOMAIN | OW_PROC_INIT),
		mkchild(10, 1, "a", 20 * MIB, "/"),
		mkchild(11, 1, "b", 20 * MIB, "/"),
		mkchild(12, 1, "c", 20 * MIB, "/"),
		mkchild(13, 1, "d", 20 * MIB, "/"),
	};
	struct ow_process k2[] = {
		mkproc(500, "runner", 0, 100 * MIB, 0),
		mkchild(501, 500, "job", 30 * MIB, CG),
		mkchild(502, 500, "job", 30 * MIB, CG),
		mkchild(503, 500, "job", 30 * MIB, CG),
	};
	struct ow_kill kills[1];
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	g.kind = OW_DOMAIN_GLOBAL;
	g.limit_bytes = 1024 * MIB;
	g.total_bytes = 1024 * MIB;
	kills[0] = mkkill(k1, 5, 13, 13, &g);
	inc = mkincident(kills, 1);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 10);
	ow_verdict_clear(&v);

	k2[1].ppid = 500;
	kills[0] = mkkill(k2, 4, 503, 503, &d);
	inc = mkincident(kills, 1);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 501);
	ow_verdict_clear(&v);
}

/*
 * Rule 11: no process holds half, no tree (all children of init), but the three processes of
 * cgroup /oomwitness-demo/a hold 60% of what the domain's processes hold. Then a pod: its two
 * containers hold 27% each, the pod 53%, and no process sits in the pod's cgroup itself.
 */
static void test_cgroup_culprit(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkchild(11, 1, "a1", 40 * MIB, CG "/a"), mkchild(12, 1, "a2", 40 * MIB, CG "/a"),
		mkchild(13, 1, "a3", 40 * MIB, CG "/a"), mkchild(21, 1, "b1", 30 * MIB, CG "/b"),
		mkchild(22, 1, "b2", 30 * MIB, CG "/b"), mkchild(30, 1, "top", 20 * MIB, CG),
	};
	struct ow_process k2[] = {
		mkchild(11, 1, "c1", 40 * MIB, CG "/pod/c1"),
		mkchild(12, 1, "c1", 40 * MIB, CG "/pod/c1"),
		mkchild(13, 1, "c2", 40 * MIB, CG "/pod/c2"),
		mkchild(14, 1, "c2", 40 * MIB, CG "/pod/c2"),
		mkchild(21, 1, "o", 70 * MIB, CG "/other"),
		mkchild(22, 1, "o", 70 * MIB, CG "/other"),
	};
	struct ow_kill kills[1];
	struct ow_incident inc;
	struct ow_verdict_config cfg;
	struct ow_verdict v;

	(void)state;
	kills[0] = mkkill(k1, 6, 21, 11, &d);
	inc = mkincident(kills, 1);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_CGROUP);
	assert_int_equal(v.culprit.pid, 0);
	assert_string_equal(v.culprit.cgroup, CG "/a");
	assert_non_null(v.culprit.owned_cgroup);
	assert_int_equal(v.culprit.n_members, 3);
	assert_int_equal(v.culprit.memory_bytes, 120 * MIB);
	assert_int_equal(v.culprit.biggest_pid, 11);
	assert_true(v.culprit.was_trigger);
	assert_false(v.culprit.was_killed);
	assert_int_equal(v.culprit.n_reasons, 4);
	assert_string_equal(v.culprit.reasons[0],
			    "3 processes in cgroup /oomwitness-demo/a held 120.0 MiB, 47% of the "
			    "memcg limit (256.0 MiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1],
			    "together 60% of what the domain's processes held (200.0 MiB); the "
			    "biggest alone, a1 (pid 11), held 40.0 MiB");
	assert_string_equal(v.culprit.reasons[2],
			    "none of them was killed: 1 other process died instead");
	assert_string_equal(v.summary,
			    "3 processes in cgroup /oomwitness-demo/a held 47% of memcg "
			    "/oomwitness-demo together, none more than 16% alone; none of them was "
			    "killed: the kernel killed 1 other process instead.");
	ow_verdict_clear(&v);

	ow_verdict_config_default(&cfg);
	cfg.cgroup_min_share = 0.61;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 11);
	ow_verdict_clear(&v);

	kills[0] = mkkill(k2, 6, 13, 13, &d);
	inc = mkincident(kills, 1);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_CGROUP);
	assert_string_equal(v.culprit.cgroup, CG "/pod");
	assert_int_equal(v.culprit.n_members, 4);
	assert_int_equal(v.culprit.memory_bytes, 160 * MIB);
	assert_true(v.culprit.was_killed);
	assert_string_equal(v.culprit.reasons[2], "the victim was one of them");
	ow_verdict_clear(&v);
}

/*
 * Rule 12: 190 MiB of shmem in the memcg, of which the processes map 10 MiB: 180 MiB no process
 * maps, 70% of the limit, more than memhog's 60 MiB. Then kernel memory, page cache, and the
 * bars that keep the rule out.
 */
static void test_non_process(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_tmpfs_mount mounts[] = {
		{ (char *)"/dev/shm", 176 * MIB },
		{ (char *)"/run", 0 },
	};
	struct ow_process k1[] = {
		mkproc(100, "victim", 1000, 2 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 50 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(4242, "memhog", 0, 50 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[2];
	struct ow_incident inc;
	struct ow_verdict_config cfg;
	struct ow_unowned_memory *u;
	struct ow_verdict v;

	(void)state;
	k1[1].shmem_bytes = 10 * MIB;
	kills[0] = mkkill(k1, 2, 100, 4242, &d);
	kills[1] = mkkill(k2, 1, 4242, 4242, &d);
	u = &kills[0].unowned;
	u->known = true;
	u->shmem_bytes = 190 * MIB;
	u->file_bytes = 8 * MIB;
	u->kernel_bytes = 12 * MIB;
	u->slab_bytes = 8 * MIB;
	u->pagetables_bytes = 1 * MIB;
	u->n_tmpfs = 2;
	u->tmpfs = mounts;
	inc = mkincident(kills, 2);

	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_NON_PROCESS);
	assert_string_equal(v.culprit.what, OW_UNOWNED_SHMEM);
	assert_string_equal(v.culprit.what, "shmem/tmpfs");
	assert_int_equal(v.culprit.pid, 0);
	assert_string_equal(v.culprit.cgroup, CG);
	assert_int_equal(v.culprit.n_members, 0);
	assert_int_equal(v.culprit.memory_bytes, 180 * MIB);
	assert_false(v.culprit.was_killed);
	assert_false(v.culprit.was_trigger);
	assert_int_equal(v.culprit.n_reasons, 6);
	assert_string_equal(v.culprit.reasons[0],
			    "shmem/tmpfs: 180.0 MiB not mapped by any process, 70% of the memcg "
			    "limit (256.0 MiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1],
			    "shmem and tmpfs held 190.0 MiB in all; the domain's processes mapped "
			    "10.0 MiB of it");
	assert_string_equal(v.culprit.reasons[2], "tmpfs /dev/shm holds 176.0 MiB");
	assert_string_equal(v.culprit.reasons[3],
			    "the domain's processes held 62.0 MiB in all; the biggest, memhog (pid "
			    "4242), 60.0 MiB");
	assert_string_equal(v.culprit.reasons[4],
			    "killing processes does not free it: tmpfs files and shared memory "
			    "segments stay until removed");
	assert_string_equal(v.culprit.reasons[5], "2 processes were killed instead");
	assert_string_equal(
		v.summary,
		"Shared memory and tmpfs files no process maps held 70% of memcg "
		"/oomwitness-demo (180.0 MiB), more than any process; the kernel killed 2 "
		"processes instead.");
	/* The rest of the verdict does not move. */
	assert_int_equal(v.n_innocent, 1);
	ow_verdict_clear(&v);

	/* Asking for more of the limit, or not knowing: memhog, by rule 3. */
	ow_verdict_config_default(&cfg);
	cfg.unowned_min_share = 0.75;
	assert_int_equal(ow_verdict_compute(&inc, &cfg, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 4242);
	ow_verdict_clear(&v);
	u->known = false;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	ow_verdict_clear(&v);
	u->known = true;

	/* Kernel memory, with its parts. */
	u->shmem_bytes = 10 * MIB;
	u->kernel_bytes = 150 * MIB;
	u->slab_bytes = 120 * MIB;
	u->pagetables_bytes = 10 * MIB;
	u->sock_bytes = 5 * MIB;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_NON_PROCESS);
	assert_string_equal(v.culprit.what, "kernel");
	assert_int_equal(v.culprit.n_reasons, 4);
	assert_string_equal(
		v.culprit.reasons[0],
		"kernel: 150.0 MiB of kernel memory, 59% of the memcg limit (256.0 MiB) "
		"at the first kill");
	assert_string_equal(
		v.culprit.reasons[1],
		"of which slab 120.0 MiB, page tables 10.0 MiB, network buffers 5.0 MiB");
	assert_string_equal(v.summary, "Kernel memory held 59% of memcg /oomwitness-demo (150.0 "
				       "MiB), more than any process; the kernel killed 2 processes "
				       "instead.");
	ow_verdict_clear(&v);

	/* Page cache. */
	u->kernel_bytes = 12 * MIB;
	u->slab_bytes = 0;
	u->pagetables_bytes = 0;
	u->sock_bytes = 0;
	u->file_bytes = 120 * MIB;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_string_equal(v.culprit.what, "page cache");
	assert_string_equal(v.culprit.reasons[0], "page cache: 120.0 MiB, 47% of the memcg limit "
						  "(256.0 MiB) at the first kill");
	assert_non_null(strstr(v.summary, "Page cache held 47% of memcg /oomwitness-demo"));
	ow_verdict_clear(&v);

	/* Not more than what one process holds: rule 3. */
	k1[1].anon_bytes = 150 * MIB;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 4242);
	ow_verdict_clear(&v);
}

/* ---- signal kills and the kill chain (rules 13, 14) ---- */

/*
 * earlyoom (pid 812) kills a small worker at +1000 while memhog holds 6 GiB of an 8 GiB machine:
 * not judged by badness, so not innocent; then earlyoom kills memhog too.
 */
static void test_signal_kill(void **state)
{
	struct ow_domain g = { 0 };
	struct ow_process k1[] = {
		mkproc(100, "worker", 1000, 64 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(812, "earlyoom", -100, 2 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 6 * 1024 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(812, "earlyoom", -100, 2 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 6 * 1024 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(200, "browser", 300, 100 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[2];
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	g.kind = OW_DOMAIN_GLOBAL;
	g.limit_bytes = 8 * 1024 * MIB;
	g.total_bytes = 8 * 1024 * MIB;
	kills[0] = mkkill(k1, 3, 100, 812, &g);
	kills[0].killer_kind = OW_KILLER_SIGNAL;
	kills[1] = mkkill(k2, 3, 4242, 812, &g);
	kills[1].killer_kind = OW_KILLER_SIGNAL;
	inc = mkincident(kills, 1);

	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.kills[0].victim_choice, OW_VICTIM_BY_SIGNAL);
	/* Ranked all the same, but not judged by it. */
	assert_int_equal(v.kills[0].victim_rank, 1);
	assert_false(v.kills[0].victim_by_adj);
	assert_false(v.kills[0].victim_innocent);
	assert_int_equal(v.n_innocent, 0);
	assert_int_equal(v.culprit.pid, 4242);
	/* The sender is no trigger. */
	assert_false(v.culprit.was_trigger);
	assert_int_equal(v.culprit.n_reasons, 3);
	assert_string_equal(v.culprit.reasons[0],
			    "held 6.0 GiB, 75% of RAM (8.0 GiB) at the first kill");
	assert_string_equal(v.culprit.reasons[1], "was never killed: 1 other process died instead");
	assert_string_equal(v.culprit.reasons[2],
			    "worker (pid 100) was killed by pid 812 (earlyoom), not by the kernel");
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 75% of RAM and was never killed; 1 other process "
		"was killed instead. worker (pid 100) was killed by pid 812 (earlyoom), "
		"not by the kernel.");
	ow_verdict_clear(&v);

	/* Both kills by earlyoom: one line for its two victims. */
	inc = mkincident(kills, 2);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.culprit.was_killed);
	assert_string_equal(v.culprit.reasons[2],
			    "worker (pid 100) and memhog (pid 4242) were killed by pid 812 "
			    "(earlyoom), not by the kernel");
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 75% of RAM and was killed only at kill #2, after "
		"1 other process. worker (pid 100) and memhog (pid 4242) were killed by "
		"pid 812 (earlyoom), not by the kernel.");
	ow_verdict_clear(&v);

	/* The culprit alone, killed past the rate limit: "It", and partial data. */
	kills[1].flags = OW_KILL_SNAPSHOT_SKIPPED;
	inc = mkincident(&kills[1], 1);
	assert_true(ow_verdict_partial(&inc));
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_true(v.partial);
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 75% of RAM and was itself the victim. It was "
		"killed by pid 812 (earlyoom), not by the kernel (partial data: 1 signal "
		"kill past the rate limit: only its victim and killer were read).");
	ow_verdict_clear(&v);

	/* A sender not in the snapshot: its thread's comm; an unknown sender. */
	kills[1].flags = 0;
	kills[1].trigger_pid = 900;
	strcpy(kills[1].trigger_thread_comm, "systemd-oomd");
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_non_null(strstr(v.summary, "It was killed by pid 900 (systemd-oomd), not by the "
					  "kernel."));
	ow_verdict_clear(&v);
	kills[1].trigger_pid = 0;
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_non_null(strstr(v.summary, "It was killed by an unknown process, not by the "
					  "kernel."));
	ow_verdict_clear(&v);

	/* A kernel kill first, by adj, then earlyoom's: the words say which chose what. */
	kills[0].killer_kind = OW_KILLER_KERNEL;
	kills[0].trigger_pid = 4242;
	kills[1].trigger_pid = 812;
	kills[1].victim_pid = 200;
	inc = mkincident(kills, 2);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.kills[0].victim_choice, OW_VICTIM_BY_BADNESS);
	assert_true(v.kills[0].victim_by_adj);
	assert_true(v.culprit.was_trigger);
	assert_true(has_reason(
		&v.culprit, "oom_score_adj 0 against a victim at +1000: the kernel preferred it"));
	assert_string_equal(
		v.summary, "memhog (pid 4242) held 75% of RAM and was never killed; 2 other "
			   "processes were killed instead, 1 of them chosen by the kernel for "
			   "oom_score_adj. browser (pid 200) was killed by pid 812 (earlyoom), not "
			   "by the kernel.");
	ow_verdict_clear(&v);
}

/*
 * Kill #1's victim was already exiting (not innocent, not against memhog's adj); kill #2 also
 * took a process sharing its victim's memory (and spared one at -1000); kill #3 took memhog
 * with its victim, whose memory it shared.
 */
static void test_kill_chain_words(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(100, "exiting", 1000, 1 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(300, "parent", 500, 20 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 200 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k2[] = {
		mkproc(300, "parent", 500, 20 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(301, "clone", 0, 20 * MIB, OW_PROC_IN_DOMAIN | OW_PROC_SHARES_VICTIM_MM),
		mkproc(302, "guarded", -1000, 20 * MIB,
		       OW_PROC_IN_DOMAIN | OW_PROC_SHARES_VICTIM_MM),
		mkproc(4242, "memhog", 0, 200 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_process k3[] = {
		mkproc(500, "x", 0, 200 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 200 * MIB, OW_PROC_IN_DOMAIN | OW_PROC_SHARES_VICTIM_MM),
	};
	struct ow_kill kills[3];
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	kills[0] = mkkill(k1, 3, 100, 4242, &d);
	kills[0].flags = OW_KILL_VICTIM_EXITING;
	kills[1] = mkkill(k2, 4, 300, 4242, &d);
	kills[2] = mkkill(k3, 2, 500, 500, &d);
	inc = mkincident(kills, 3);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.kills[0].victim_choice, OW_VICTIM_EXITING);
	assert_false(v.kills[0].victim_innocent);
	assert_int_equal(v.kills[1].victim_choice, OW_VICTIM_BY_BADNESS);
	assert_int_equal(v.n_innocent, 0);
	assert_int_equal(v.culprit.pid, 4242);
	assert_true(v.culprit.was_killed);
	assert_string_equal(v.culprit.reasons[1],
			    "oom_score_adj 0 against a victim at +500: the kernel killed it first");
	assert_string_equal(v.culprit.reasons[2],
			    "was killed at kill #3 with its victim, whose memory it shared");
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 78% of memcg /oomwitness-demo and was killed only "
		"at kill #3 with its victim, whose memory it shared, after 2 other "
		"processes. exiting (pid 100) was already exiting: the kernel took it "
		"without a SIGKILL. Kill #2 also took clone (pid 301), which shared its "
		"victim's memory. Kill #3 also took memhog (pid 4242), which shared its "
		"victim's memory.");
	ow_verdict_clear(&v);

	/* One kill: "The kill also took", and the sharer's memory is counted once. */
	inc = mkincident(&kills[1], 1);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_non_null(strstr(v.summary, ". The kill also took clone (pid 301), which shared its "
					  "victim's memory."));
	ow_verdict_clear(&v);
}

/*
 * A memory.oom.group kill: the kernel chose pid 100 by badness, then killed 101 and 102 with
 * it. Only the first is judged: 101 at +1000 is not innocent. A group kill 5 s later is a new
 * choice.
 */
static void test_oom_group(void **state)
{
	struct ow_domain d = memcg_256mib();
	struct ow_process k1[] = {
		mkproc(100, "g0", 1000, 1 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(101, "g1", 1000, 1 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(102, "g2", 0, 1 * MIB, OW_PROC_IN_DOMAIN),
		mkproc(4242, "memhog", 0, 200 * MIB, OW_PROC_IN_DOMAIN),
	};
	struct ow_kill kills[4];
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	for (int i = 0; i < 4; i++) {
		kills[i] = mkkill(k1, 4, 100 + (i < 3 ? i : 0), 4242, &d);
		kills[i].flags = OW_KILL_OOM_GROUP;
		kills[i].time_ns = T0_NS + (uint64_t)i * 1000000ull;
	}
	kills[3].time_ns = T0_NS + 5 * SEC;
	inc = mkincident(kills, 3);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.kills[0].victim_choice, OW_VICTIM_BY_BADNESS);
	assert_int_equal(v.kills[1].victim_choice, OW_VICTIM_OOM_GROUP);
	assert_int_equal(v.kills[2].victim_choice, OW_VICTIM_OOM_GROUP);
	assert_true(v.kills[0].victim_innocent);
	assert_false(v.kills[1].victim_innocent);
	assert_false(v.kills[1].victim_by_adj);
	assert_int_equal(v.n_innocent, 1);
	assert_int_equal(v.innocent_pids[0], 100);
	assert_string_equal(
		v.summary,
		"memhog (pid 4242) held 78% of memcg /oomwitness-demo and was never "
		"killed; the kernel killed 3 other processes instead, 1 of them chosen by "
		"oom_score_adj. Kills #1 to #3 were one memory.oom.group kill: the kernel "
		"killed the whole cgroup at once.");
	ow_verdict_clear(&v);

	inc = mkincident(kills, 4);
	assert_int_equal(ow_verdict_compute(&inc, NULL, &v), 0);
	assert_int_equal(v.kills[3].victim_choice, OW_VICTIM_BY_BADNESS);
	assert_null(strstr(v.summary, "#4"));
	ow_verdict_clear(&v);
}

/* aggregate.c itself: own memory, trees through a ppid cycle, cgroups of a global OOM, picks. */
static void test_aggregate(void **state)
{
	struct ow_domain g = { 0 };
	struct ow_process k1[] = {
		mkchild(10, 11, "a", 10 * MIB, "/user.slice/user-1000.slice/session-1.scope"),
		mkchild(11, 10, "b", 20 * MIB, "/user.slice/user-1000.slice"),
		mkchild(12, 1, "c", 30 * MIB, "/system.slice/ssh.service"),
		mkchild(13, 12, "vfork", 30 * MIB, "/system.slice/ssh.service"),
		mkchild(14, 1, "root", 5 * MIB, "/"),
		mkchild(15, 1, "nocg", 5 * MIB, NULL),
		mkchild(16, 12, "sharer", 30 * MIB, "/system.slice"),
		mkproc(17, "outside", 0, 99 * MIB, 0),
	};
	struct ow_group groups[3] = { 0 };
	struct ow_aggregate a;
	struct ow_kill k;

	(void)state;
	g.kind = OW_DOMAIN_GLOBAL;
	g.limit_bytes = 1024 * MIB;
	k1[3].flags |= OW_PROC_VFORK;
	k1[6].flags |= OW_PROC_SHARES_VICTIM_MM;
	k = mkkill(k1, 8, 12, 12, &g);
	assert_int_equal(ow_process_own_memory_bytes(&k, &k1[3]), 0);
	assert_int_equal(ow_process_own_memory_bytes(&k, &k1[6]), 0);
	assert_int_equal(ow_process_own_memory_bytes(&k, &k1[2]), 30 * MIB);

	assert_int_equal(ow_aggregate_kill(&k, &a), 0);
	assert_int_equal(a.n_in_domain, 7);
	assert_int_equal(a.procs_bytes, 70 * MIB);
	/* One tree per in-domain process; 10 and 11 are each other's parent and both end. */
	assert_int_equal(a.n_trees, 7);
	assert_int_equal(a.trees[0].n_members, 2);
	assert_int_equal(a.trees[1].n_members, 2);
	assert_int_equal(a.trees[2].n_members, 3);
	assert_int_equal(a.trees[2].memory_bytes, 30 * MIB);
	assert_int_equal(a.trees[3].parent, 2);
	assert_int_equal(a.trees[2].parent, -1);
	assert_int_equal(a.trees[2].biggest, 2);
	/* The cgroups below "/", sorted, each with its parent. */
	assert_int_equal(a.n_cgroups, 5);
	assert_string_equal(a.cgroups[0].path, "/system.slice");
	assert_string_equal(a.cgroups[1].path, "/system.slice/ssh.service");
	assert_string_equal(a.cgroups[2].path, "/user.slice");
	assert_string_equal(a.cgroups[3].path, "/user.slice/user-1000.slice");
	assert_string_equal(a.cgroups[4].path, "/user.slice/user-1000.slice/session-1.scope");
	assert_int_equal(a.cgroups[0].n_members, 3);
	assert_int_equal(a.cgroups[0].memory_bytes, 30 * MIB);
	assert_int_equal(a.cgroups[1].parent, 0);
	assert_int_equal(a.cgroups[4].parent, 3);
	assert_int_equal(a.cgroups[3].parent, 2);
	assert_int_equal(a.cgroups[2].parent, -1);
	assert_int_equal(a.cgroups[2].memory_bytes, 30 * MIB);
	/* The smallest over 25 MiB with 2 members: /system.slice/ssh.service has 2 but /user's
	 * 30 MiB ties it; the first of the two smallest wins. */
	assert_int_equal(ow_group_pick(a.cgroups, a.n_cgroups, 25 * MIB, 2), 1);
	assert_int_equal(ow_group_pick(a.cgroups, a.n_cgroups, 25 * MIB, 3), 0);
	assert_int_equal(ow_group_pick(a.cgroups, a.n_cgroups, 31 * MIB, 1), -1);
	assert_int_equal(ow_group_max_bytes(a.cgroups, a.n_cgroups), 30 * MIB);
	ow_aggregate_clear(&a);
	assert_int_equal(a.n_cgroups, 0);
	ow_aggregate_clear(&a);
	ow_aggregate_clear(NULL);

	/* Disjoint groups meeting the bar: the biggest; an enclosing one never. */
	groups[0].parent = -1;
	groups[0].n_members = 5;
	groups[0].memory_bytes = 100;
	groups[1].parent = 0;
	groups[1].n_members = 2;
	groups[1].memory_bytes = 40;
	groups[2].parent = 0;
	groups[2].n_members = 2;
	groups[2].memory_bytes = 50;
	assert_int_equal(ow_group_pick(groups, 3, 40, 2), 2);
	assert_int_equal(ow_group_pick(groups, 3, 45, 2), 2);
	assert_int_equal(ow_group_pick(groups, 3, 60, 2), 0);
	assert_int_equal(ow_group_pick(groups, 0, 1, 1), -1);

	assert_true(ow_cgroup_within("/a/b", "/a"));
	assert_true(ow_cgroup_within("/a", "/a"));
	assert_true(ow_cgroup_within("/a", "/a/"));
	assert_true(ow_cgroup_within("/a", "/"));
	assert_false(ow_cgroup_within("/ab", "/a"));
	assert_false(ow_cgroup_within(NULL, "/"));
	assert_false(ow_cgroup_within("/a", NULL));

	assert_true(ow_kill_descends_from(&k, 13, 12));
	assert_true(ow_kill_descends_from(&k, 12, 12));
	assert_false(ow_kill_descends_from(&k, 12, 13));
	assert_false(ow_kill_descends_from(&k, 10, 99));
	assert_false(ow_kill_descends_from(&k, 404, 12));

	/* A memcg domain without a path has trees but no cgroups. */
	k.domain.kind = OW_DOMAIN_MEMCG;
	k.domain.cgroup = NULL;
	assert_int_equal(ow_aggregate_kill(&k, &a), 0);
	assert_int_equal(a.n_cgroups, 0);
	assert_int_equal(a.n_trees, 7);
	ow_aggregate_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_badness_exact),
		cmocka_unit_test(test_badness_ineligible),
		cmocka_unit_test(test_config_default),
		cmocka_unit_test(test_seed_story),
		cmocka_unit_test(test_demo_story),
		cmocka_unit_test(test_all_victims_by_adj),
		cmocka_unit_test(test_hogger_adj_min),
		cmocka_unit_test(test_self_inflicted),
		cmocka_unit_test(test_global_killed_later),
		cmocka_unit_test(test_ranking_ties_and_size),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_partial_missed_kills),
		cmocka_unit_test(test_no_limit),
		cmocka_unit_test(test_growth_leaker_culprit),
		cmocka_unit_test(test_growth_burst_culprit),
		cmocka_unit_test(test_growth_holder_stays_culprit),
		cmocka_unit_test(test_growth_culprit_from_history),
		cmocka_unit_test(test_tree_fork_storm),
		cmocka_unit_test(test_tree_roots),
		cmocka_unit_test(test_cgroup_culprit),
		cmocka_unit_test(test_non_process),
		cmocka_unit_test(test_signal_kill),
		cmocka_unit_test(test_kill_chain_words),
		cmocka_unit_test(test_oom_group),
		cmocka_unit_test(test_aggregate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
