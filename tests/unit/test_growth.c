/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the growth analysis (src/analysis/growth.c) on synthetic memory histories: a
 * steady leaker next to an idle big process, a late burst told apart from a slow leak and from
 * one early step, a program restarted under the same command line counted once, falling
 * processes, absent samples and pid reuse, no history at all or none before the first kill, a
 * zero interval, and the headroom figures of memcg and global domains. Figures are exact: every
 * series is built from whole MiB or KiB per second on a 1 s grid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analysis/growth.h"

#include "fixtures.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)
#define SEC 1000000000ull
/* 2026-11-25T19:20:00Z, the first sample */
#define T0_NS (1795634400ull * SEC)
#define CG "/oomwitness-test"
#define CG_ID 42ull

/* ---- building synthetic histories ---- */

/* Appends a process series (all samples absent), started about an hour before; its index. */
static size_t addproc(struct ow_history *h, int32_t pid, const char *comm, const char *cmdline,
		      const char *cgroup)
{
	size_t k = hproc(h, pid, comm, cmdline, cgroup);

	h->procs[k].start_time_ns = T0_NS - 3600 * SEC + (uint64_t)pid * SEC;
	return k;
}

/* Process k holds bytes (as anon) at sample i. */
static void setmem(struct ow_history *h, size_t k, size_t i, uint64_t bytes)
{
	struct ow_proc_sample *s = &h->procs[k].samples[i];

	s->present = true;
	s->anon_bytes = bytes;
}

static struct ow_process snapproc(int32_t pid, const char *comm, int32_t adj, uint64_t bytes)
{
	struct ow_process p = { 0 };

	p.pid = pid;
	p.oom_score_adj = adj;
	p.anon_bytes = bytes;
	p.flags = OW_PROC_IN_DOMAIN;
	strncpy(p.comm, comm, sizeof(p.comm) - 1);
	return p;
}

static struct ow_domain memcg_256mib(void)
{
	static char path[] = CG;

	return full_memcg(path, CG_ID, 256 * MIB);
}

/* One kill at kill_s seconds after T0_NS; the snapshot and history are borrowed. */
static struct ow_incident mkincident(struct ow_kill *k, const struct ow_domain *d,
				     struct ow_process *procs, size_t n_procs, uint64_t kill_s,
				     struct ow_history *h)
{
	struct ow_incident inc = { 0 };

	memset(k, 0, sizeof(*k));
	k->time_ns = T0_NS + kill_s * SEC;
	k->victim_pid = n_procs ? procs[0].pid : 0;
	k->domain = *d;
	k->procs = procs;
	k->n_procs = n_procs;
	inc.kills = k;
	inc.n_kills = 1;
	inc.start_ns = inc.end_ns = k->time_ns;
	inc.domain = *d;
	inc.history = h;
	return inc;
}

static const struct ow_growth *row_of(const struct ow_growth_analysis *g, int32_t pid)
{
	for (size_t i = 0; i < g->n_rows; i++)
		if (g->rows[i].pid == pid)
			return &g->rows[i];
	fail_msg("no growth row for pid %d", (int)pid);
	return NULL;
}

static void assert_rate(double got, double want)
{
	if (!(got > want - 0.5 && got < want + 0.5))
		fail_msg("rate %f, want %f", got, want);
}

/* ---- tests ---- */

static void test_defaults_and_words(void **state)
{
	struct ow_growth_config cfg;
	char d[OW_DURATION_TEXT_LEN], r[OW_RATE_TEXT_LEN];

	(void)state;
	memset(&cfg, 0xff, sizeof(cfg));
	ow_growth_config_default(&cfg);
	assert_int_equal(cfg.min_growth_bytes, 8 * MIB);
	assert_int_equal(cfg.recent_ns, 30 * SEC);
	assert_true(cfg.burst_share == 0.8);
	assert_int_equal(cfg.top, 10);

	assert_string_equal(ow_growth_pattern_name(OW_GROWTH_FLAT), "flat");
	assert_string_equal(ow_growth_pattern_name(OW_GROWTH_STEADY), "steady");
	assert_string_equal(ow_growth_pattern_name(OW_GROWTH_BURST), "burst");
	assert_string_equal(ow_growth_pattern_name(OW_GROWTH_FALLING), "falling");
	assert_string_equal(ow_growth_pattern_name(OW_GROWTH_STEP), "step");

	assert_string_equal(ow_format_duration(d, 0), "0.0s");
	assert_string_equal(ow_format_duration(d, 400000000ull), "0.4s");
	assert_string_equal(ow_format_duration(d, 9500000000ull), "9.5s");
	assert_string_equal(ow_format_duration(d, 9960000000ull), "10s");
	assert_string_equal(ow_format_duration(d, 45 * SEC), "45s");
	assert_string_equal(ow_format_duration(d, 59 * SEC + SEC / 2), "1m00s");
	assert_string_equal(ow_format_duration(d, 310 * SEC), "5m10s");
	assert_string_equal(ow_format_duration(d, 3720 * SEC), "1h02m");
	assert_string_equal(ow_format_duration(d, (3 * 86400 + 4 * 3600) * SEC), "3d04h");
	assert_string_equal(ow_format_duration(d, UINT64_MAX), "213504d00h");

	assert_string_equal(ow_format_rate(r, 320.0 * KIB), "320 KiB/s");
	assert_string_equal(ow_format_rate(r, 1.5 * MIB), "1.5 MiB/s");
	assert_string_equal(ow_format_rate(r, -2.0 * MIB), "-2.0 MiB/s");
	assert_string_equal(ow_format_rate(r, 512.0), "512 B/s");
	assert_string_equal(ow_format_rate(r, 0.0), "0 B/s");
	assert_string_equal(ow_format_rate(r, -0.1), "0 B/s");
}

/*
 * The canonical scenario in a 256 MiB memcg: "idle" holds 150 MiB flat for 5 minutes; "leaker"
 * holds 2 MiB, then from t=200 s grows 1 MiB/s. The kill is at t=300 s.
 */
static void test_steady_leaker_vs_idle(void **state)
{
	struct ow_history *h = mkhistory(311, T0_NS);
	struct ow_domain d = memcg_256mib();
	struct ow_process snap[2];
	const struct ow_growth *leak, *idle;
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t i_idle, i_leak;

	(void)state;
	i_idle = addproc(h, 123, "idle", "idle --hold 150", CG);
	i_leak = addproc(h, 456, "leaker", "leaker --grow 1", CG);
	ramp(h, i_idle, 0, 310, 150 * MIB, 0, 0);
	ramp(h, i_leak, 0, 200, 2 * MIB, 0, 0);
	ramp(h, i_leak, 200, 310, 2 * MIB, (int64_t)MIB,
	     0); /* samples after the kill are ignored */
	hcgroup(h, CG, CG_ID, 256 * MIB, 2 * MIB, 0);
	snap[0] = snapproc(123, "idle", 1000, 150 * MIB);
	snap[1] = snapproc(456, "leaker", 0, 102 * MIB);
	inc = mkincident(&k, &d, snap, 2, 300, h);

	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_true(g.available);
	assert_int_equal(g.window_start_ns, T0_NS);
	assert_int_equal(g.window_end_ns, T0_NS + 300 * SEC);
	assert_int_equal(g.first_kill_ns, T0_NS + 300 * SEC);
	assert_int_equal(g.n_rows, 2);
	assert_int_equal(g.domain_growth_bytes, 100 * MIB);

	leak = &g.rows[0];
	assert_int_equal(leak->pid, 456);
	assert_string_equal(leak->comm, "leaker");
	assert_string_equal(leak->cmdline, "leaker --grow 1");
	assert_int_equal(leak->proc_index, i_leak);
	assert_int_equal(leak->n_instances, 1);
	assert_int_equal(leak->first_seen_ns, T0_NS);
	assert_int_equal(leak->start_bytes, 2 * MIB);
	assert_int_equal(leak->at_oom_bytes, 102 * MIB);
	assert_int_equal(leak->peak_bytes, 102 * MIB);
	assert_int_equal(leak->growth_bytes, 100 * MIB);
	assert_int_equal(leak->growth_start_ns, T0_NS + 200 * SEC);
	assert_int_equal(leak->growth_span_ns, 100 * SEC);
	assert_rate(leak->rate_bytes_per_s, (double)MIB);
	assert_int_equal(leak->recent_growth_bytes, 30 * MIB);
	assert_rate(leak->recent_rate_bytes_per_s, (double)MIB);
	assert_int_equal(leak->pattern, OW_GROWTH_STEADY);
	assert_true(leak->rising_at_oom);
	assert_true(leak->present_at_oom);
	/* 94 MiB at t=292 is 8 MiB below 102: the first sample within 8 MiB is t=293. */
	assert_int_equal(leak->settled_ns, T0_NS + 293 * SEC);
	/* Headroom at t=200: 256 - (150 + 2 + 2) = 102 MiB, at 1 MiB/s: 102 s. */
	assert_int_equal(leak->headroom_bytes, 102 * MIB);
	assert_int_equal(leak->time_to_limit_ns, 102 * SEC);

	idle = &g.rows[1];
	assert_int_equal(idle->pid, 123);
	assert_int_equal(idle->growth_bytes, 0);
	assert_int_equal(idle->pattern, OW_GROWTH_FLAT);
	assert_false(idle->rising_at_oom);
	assert_int_equal(idle->settled_ns, T0_NS);
	assert_int_equal(idle->time_to_limit_ns, -1);
	assert_true(idle->rate_bytes_per_s == 0.0);

	assert_int_equal(g.fastest, 0);
	assert_int_equal(g.n_rising, 1);
	assert_int_equal(g.holder_row, 1);
	assert_int_equal(g.grower_row, 0);
	assert_int_equal(g.grower_since_ns, T0_NS + 200 * SEC);
	assert_int_equal(g.grower_since_bytes, 100 * MIB);
	assert_int_equal(g.domain_since_bytes, 100 * MIB);

	/* top 1 keeps the leaker, and the holder's row beyond it. */
	{
		struct ow_growth_config cfg;

		ow_growth_clear(&g);
		ow_growth_config_default(&cfg);
		cfg.top = 1;
		assert_int_equal(ow_growth_compute(&inc, &cfg, &g), 0);
		assert_int_equal(g.n_rows, 2);
		assert_int_equal(g.holder_row, 1);
		cfg.top = 0;
		ow_growth_clear(&g);
		assert_int_equal(ow_growth_compute(&inc, &cfg, &g), 0);
		assert_int_equal(g.n_rows, 2);
		assert_int_equal(g.grower_row, 0);
		assert_int_equal(g.holder_row, 1);
	}
	ow_growth_clear(&g);
	assert_null(g.rows);
	assert_false(g.available);
	ow_history_free(h);
}

/*
 * Three shapes of 40..100 MiB growth: a slow leak at 200 KiB/s all along, a late burst of
 * 2 MiB/s in the last 20 s, and one early step of 100 MiB at t=50 s then held. A global OOM at
 * t=300 s, MemAvailable falling as they grow from 1 GiB.
 */
static void test_burst_step_and_leak(void **state)
{
	struct ow_history *h = mkhistory(301, T0_NS);
	struct ow_domain d = { 0 };
	const struct ow_growth *slow, *burst, *step;
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t i_slow, i_burst, i_step;

	(void)state;
	d.kind = OW_DOMAIN_GLOBAL;
	d.limit_bytes = 8 * GIB;
	d.total_bytes = 8 * GIB;
	i_slow = addproc(h, 10, "slow", "slow", "/a");
	i_burst = addproc(h, 20, "burst", "burst", "/b");
	i_step = addproc(h, 30, "step", "step", "/c");
	ramp(h, i_slow, 0, 300, 10 * MIB, 200 * KIB, 0);
	ramp(h, i_burst, 0, 280, 20 * MIB, 0, 0);
	ramp(h, i_burst, 280, 300, 20 * MIB, 2 * (int64_t)MIB, 0);
	ramp(h, i_step, 0, 50, 10 * MIB, 0, 0);
	setmem(h, i_step, 51, 60 * MIB);
	ramp(h, i_step, 52, 300, 110 * MIB, 0, 0);
	for (size_t i = 0; i < h->n_times; i++) {
		uint64_t used = 0;

		for (size_t p = 0; p < h->n_procs; p++)
			used += ow_proc_sample_memory_bytes(&h->procs[p].samples[i]);
		h->system[i].present = true;
		h->system[i].mem_total_bytes = 8 * GIB;
		h->system[i].mem_available_bytes = 1 * GIB + 40 * MIB - used;
	}
	inc = mkincident(&k, &d, NULL, 0, 300, h);

	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_true(g.available);
	assert_int_equal(g.n_rows, 3);
	/* Biggest growth first: step 100 MiB, slow 58.6 MiB, burst 40 MiB. */
	assert_int_equal(g.rows[0].pid, 30);
	assert_int_equal(g.rows[1].pid, 10);
	assert_int_equal(g.rows[2].pid, 20);
	/* 8 GiB total, 1 GiB + 40 MiB - (40 + 20 + 10) MiB available at the start. */
	assert_int_equal(g.domain_growth_bytes, (60000 * KIB) + 40 * MIB + 100 * MIB);

	/* Within 1 MiB (min_growth_bytes / 8) of its low until t=5 s: growth starts there. */
	slow = row_of(&g, 10);
	assert_int_equal(slow->growth_bytes, 60000 * KIB);
	assert_int_equal(slow->growth_start_ns, T0_NS + 5 * SEC);
	assert_int_equal(slow->growth_span_ns, 295 * SEC);
	assert_rate(slow->rate_bytes_per_s, 200.0 * KIB);
	assert_int_equal(slow->recent_growth_bytes, 6000 * KIB);
	assert_int_equal(slow->pattern, OW_GROWTH_STEADY);
	assert_true(slow->rising_at_oom);
	/* MemAvailable at t=5 s: 1 GiB + 40 MiB - (40 MiB + 1000 KiB); at 200 KiB/s: 5237.88 s. */
	assert_int_equal(slow->headroom_bytes, 1 * GIB - 1000 * KIB);
	assert_int_equal(slow->time_to_limit_ns, 523788 * SEC / 100);

	burst = row_of(&g, 20);
	assert_int_equal(burst->growth_bytes, 40 * MIB);
	assert_int_equal(burst->growth_start_ns, T0_NS + 280 * SEC);
	assert_int_equal(burst->growth_span_ns, 20 * SEC);
	assert_rate(burst->rate_bytes_per_s, 2.0 * MIB);
	assert_int_equal(burst->recent_growth_bytes, 40 * MIB);
	/* 40 MiB over the last 30 s. */
	assert_rate(burst->recent_rate_bytes_per_s, 40.0 * MIB / 30.0);
	assert_int_equal(burst->pattern, OW_GROWTH_BURST);
	assert_true(burst->rising_at_oom);

	step = row_of(&g, 30);
	assert_int_equal(step->growth_bytes, 100 * MIB);
	assert_int_equal(step->growth_start_ns, T0_NS + 50 * SEC);
	assert_int_equal(step->pattern, OW_GROWTH_STEP);
	assert_false(step->rising_at_oom);
	assert_int_equal(step->recent_growth_bytes, 0);
	assert_int_equal(step->settled_ns, T0_NS + 52 * SEC);
	assert_int_equal(step->peak_bytes, 110 * MIB);

	/* Fastest by rate: the burst (2 MiB/s) over the step (100 MiB / 250 s) and the leak. */
	assert_int_equal(g.fastest, 2);
	assert_int_equal(g.n_rising, 2);
	/* No snapshot: no holder; the grower is the one that gained most since it began. */
	assert_int_equal(g.holder_row, -1);
	assert_int_equal(g.grower_row, 0);
	assert_int_equal(g.grower_since_bytes, 100 * MIB);
	ow_growth_clear(&g);

	/* A stricter burst share makes the step a steady grower, and the burst too. */
	{
		struct ow_growth_config cfg;

		ow_growth_config_default(&cfg);
		cfg.burst_share = 1.01;
		assert_int_equal(ow_growth_compute(&inc, &cfg, &g), 0);
		assert_int_equal(row_of(&g, 30)->pattern, OW_GROWTH_STEADY);
		assert_int_equal(row_of(&g, 20)->pattern, OW_GROWTH_STEADY);
		ow_growth_clear(&g);
	}
	ow_history_free(h);
}

/*
 * A leaker restarted under the same command line: pid 500 grows 1 MiB/s from 0 for 60 s and
 * exits; pid 520 starts at t=200 s and grows 1 MiB/s until the kill at t=300 s. Two workers of
 * one command line running at once stay two rows; a pid reused by another program is another
 * row.
 */
static void test_restart_counted_once(void **state)
{
	struct ow_history *h = mkhistory(301, T0_NS);
	struct ow_domain d = memcg_256mib();
	const struct ow_growth *leak;
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t i1, i2, w1, w2, old, reused;
	size_t n_600 = 0, n_worker = 0;

	(void)state;
	i1 = addproc(h, 500, "leaker", "/usr/bin/leaker --grow 1", CG);
	i2 = addproc(h, 520, "leaker", "/usr/bin/leaker --grow 1", CG);
	w1 = addproc(h, 700, "worker", "worker", CG);
	w2 = addproc(h, 701, "worker", "worker", CG);
	old = addproc(h, 600, "oldjob", "oldjob", CG);
	reused = addproc(h, 600, "newjob", "newjob", CG);
	ramp(h, i1, 0, 60, 0, (int64_t)MIB, 0);
	ramp(h, i2, 200, 300, 0, (int64_t)MIB, 0);
	ramp(h, w1, 0, 300, 1 * MIB, 0, 0);
	ramp(h, w2, 100, 300, 1 * MIB, 0, 0);
	ramp(h, old, 0, 50, 20 * MIB, 0, 0);
	ramp(h, reused, 100, 300, 30 * MIB, 0, 0);
	hcgroup(h, CG, CG_ID, 256 * MIB, 0, 0);
	inc = mkincident(&k, &d, NULL, 0, 300, h);

	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.n_rows, 5);
	leak = &g.rows[0];
	assert_int_equal(leak->pid, 520);
	assert_int_equal(leak->proc_index, i2);
	assert_int_equal(leak->n_instances, 2);
	assert_int_equal(leak->first_seen_ns, T0_NS);
	assert_int_equal(leak->start_bytes, 0);
	assert_int_equal(leak->at_oom_bytes, 100 * MIB);
	assert_int_equal(leak->peak_bytes, 100 * MIB);
	/* 60 + 100 MiB, over 60 + 100 s of growth. */
	assert_int_equal(leak->growth_bytes, 160 * MIB);
	assert_int_equal(leak->growth_start_ns, T0_NS);
	assert_int_equal(leak->growth_span_ns, 160 * SEC);
	assert_rate(leak->rate_bytes_per_s, (double)MIB);
	assert_int_equal(leak->recent_growth_bytes, 30 * MIB);
	assert_int_equal(leak->pattern, OW_GROWTH_STEADY);
	assert_true(leak->rising_at_oom);
	/* At 1 MiB/s, the headroom at t=0 (256 - 21 MiB) lasts 235 s. */
	assert_int_equal(leak->headroom_bytes, 235 * MIB);
	assert_int_equal(leak->time_to_limit_ns, 235 * SEC);

	for (size_t i = 0; i < g.n_rows; i++) {
		n_600 += g.rows[i].pid == 600;
		n_worker += strcmp(g.rows[i].comm, "worker") == 0;
		assert_int_equal(g.rows[i].n_instances, 1 + (i == 0));
	}
	assert_int_equal(n_600, 2);
	assert_int_equal(n_worker, 2);
	ow_growth_clear(&g);
	ow_history_free(h);
}

/* A process that frees memory, one that fell and grew back, one that dips within the noise. */
static void test_falling(void **state)
{
	struct ow_history *h = mkhistory(301, T0_NS);
	struct ow_domain d = memcg_256mib();
	const struct ow_growth *r;
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t fall, back, dip;

	(void)state;
	fall = addproc(h, 1, "fall", "fall", CG);
	back = addproc(h, 2, "back", "back", CG);
	dip = addproc(h, 3, "dip", "dip", CG);
	ramp(h, fall, 0, 100, 200 * MIB, -(int64_t)MIB, 0);
	ramp(h, fall, 100, 300, 100 * MIB, 0, 0);
	ramp(h, back, 0, 100, 120 * MIB, -(int64_t)MIB, 0);
	ramp(h, back, 100, 300, 20 * MIB, 100 * KIB, 0);
	ramp(h, dip, 0, 300, 50 * MIB, 0, 0);
	setmem(h, dip, 150, 45 * MIB);
	hcgroup(h, CG, CG_ID, 256 * MIB, 0, 0);
	inc = mkincident(&k, &d, NULL, 0, 300, h);

	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	r = row_of(&g, 1);
	assert_int_equal(r->pattern, OW_GROWTH_FALLING);
	assert_int_equal(r->growth_bytes, -100 * (int64_t)MIB);
	assert_int_equal(r->growth_start_ns, T0_NS);
	assert_int_equal(r->growth_span_ns, 300 * SEC);
	assert_rate(r->rate_bytes_per_s, -100.0 * MIB / 300.0);
	assert_int_equal(r->start_bytes, 200 * MIB);
	assert_int_equal(r->at_oom_bytes, 100 * MIB);
	assert_int_equal(r->peak_bytes, 200 * MIB);
	assert_int_equal(r->settled_ns, T0_NS);
	assert_int_equal(r->time_to_limit_ns, -1);
	assert_false(r->rising_at_oom);

	/*
	 * Fell 100 MiB, then grew 20000 KiB back from its low at t=100 s: growth, not a fall. It
	 * is within 1 MiB of the low until t=110 s.
	 */
	r = row_of(&g, 2);
	assert_int_equal(r->pattern, OW_GROWTH_STEADY);
	assert_int_equal(r->growth_bytes, 20000 * KIB);
	assert_int_equal(r->growth_start_ns, T0_NS + 110 * SEC);
	assert_rate(r->rate_bytes_per_s, 100.0 * KIB);

	/* Dipped 5 MiB and came back: flat, growth measured from the low. */
	r = row_of(&g, 3);
	assert_int_equal(r->pattern, OW_GROWTH_FLAT);
	assert_int_equal(r->growth_bytes, 5 * MIB);
	assert_int_equal(r->growth_start_ns, T0_NS + 150 * SEC);
	assert_false(r->rising_at_oom);

	assert_int_equal(g.rows[0].pid, 2);
	assert_int_equal(g.rows[g.n_rows - 1].pid, 1);
	assert_int_equal(g.fastest, 0);
	ow_growth_clear(&g);
	ow_history_free(h);
}

/*
 * Absent samples are skipped, never read as zero; a process born mid-window starts from its
 * first sample; one seen once is flat; one seen only after the kill or outside the domain has
 * no row; one missed read at the end still counts as present at the OOM.
 */
static void test_absent_samples(void **state)
{
	struct ow_history *h = mkhistory(311, T0_NS);
	struct ow_domain d = memcg_256mib();
	const struct ow_growth *r;
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	struct ow_process snap[1];
	size_t gappy, born, once, late, outside, unknown, gone;

	(void)state;
	gappy = addproc(h, 1, "gappy", "gappy", CG);
	born = addproc(h, 2, "born", "born", CG "/child");
	once = addproc(h, 3, "once", "once", CG);
	late = addproc(h, 4, "late", "late", CG);
	outside = addproc(h, 5, "outside", "outside", "/oomwitness-testing");
	unknown = addproc(h, 6, "unknown", "unknown", NULL);
	gone = addproc(h, 7, "gone", "gone", NULL);
	/* 1 MiB/s from 10 MiB, read at even seconds only, then at t=299 s but not t=300 s. */
	for (size_t i = 0; i <= 298; i += 2)
		setmem(h, gappy, i, 10 * MIB + i * MIB);
	setmem(h, gappy, 299, 309 * MIB);
	ramp(h, born, 250, 300, 5 * MIB, 512 * KIB, 0);
	setmem(h, once, 120, 64 * MIB);
	ramp(h, late, 301, 310, 1 * MIB, 0, 0);
	ramp(h, outside, 0, 300, 0, (int64_t)MIB, 0);
	ramp(h, unknown, 0, 300, 3 * MIB, 0, 0);
	ramp(h, gone, 0, 300, 4 * MIB, 0, 0);
	hcgroup(h, CG, CG_ID, 256 * MIB, 0, 0);
	/* The snapshot vouches for pid 6 (no cgroup read) being in the domain, not for pid 7. */
	snap[0] = snapproc(6, "unknown", 0, 3 * MIB);
	inc = mkincident(&k, &d, snap, 1, 300, h);

	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.n_rows, 4);

	r = row_of(&g, 1);
	assert_int_equal(r->at_oom_bytes, 309 * MIB);
	assert_int_equal(r->growth_bytes, 299 * MIB);
	assert_int_equal(r->growth_span_ns, 299 * SEC);
	assert_rate(r->rate_bytes_per_s, (double)MIB);
	/* Measured from t=270 s, the last read at or before the last 30 s, to t=299 s. */
	assert_int_equal(r->recent_growth_bytes, 29 * MIB);
	assert_rate(r->recent_rate_bytes_per_s, (double)MIB);
	assert_true(r->present_at_oom);
	assert_int_equal(r->pattern, OW_GROWTH_STEADY);

	r = row_of(&g, 2);
	assert_int_equal(r->first_seen_ns, T0_NS + 250 * SEC);
	assert_int_equal(r->start_bytes, 5 * MIB);
	assert_int_equal(r->growth_bytes, 25 * MIB);
	/* Half a MiB a second: t=251 s is still within 1 MiB of its low. */
	assert_int_equal(r->growth_start_ns, T0_NS + 251 * SEC);
	assert_rate(r->rate_bytes_per_s, 512.0 * KIB);
	assert_int_equal(r->recent_growth_bytes, 15 * MIB);
	assert_int_equal(r->pattern, OW_GROWTH_STEADY);

	r = row_of(&g, 3);
	assert_int_equal(r->pattern, OW_GROWTH_FLAT);
	assert_int_equal(r->growth_bytes, 0);
	assert_int_equal(r->growth_span_ns, 0);
	assert_true(r->rate_bytes_per_s == 0.0);
	assert_false(r->present_at_oom);
	assert_int_equal(r->time_to_limit_ns, -1);

	r = row_of(&g, 6);
	assert_int_equal(r->pattern, OW_GROWTH_FLAT);
	/* Pid 6 was the biggest holder of the snapshot, and the only one. */
	assert_int_equal(g.holder_row, (int)(r - g.rows));
	ow_growth_clear(&g);

	/* One kill, no samples in the window asked for (all older than 10 minutes). */
	inc.kills[0].time_ns = T0_NS + 2000 * SEC;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_false(g.available);
	assert_int_equal(g.n_rows, 0);
	ow_growth_clear(&g);
	ow_history_free(h);
}

/* Every sample at one time (a zero interval), and a history of one sample. */
static void test_zero_interval(void **state)
{
	struct ow_history *h = mkhistory(5, T0_NS);
	struct ow_domain d = memcg_256mib();
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t a;

	(void)state;
	h->interval_ns = 0;
	a = addproc(h, 1, "a", "a", CG);
	for (size_t i = 0; i < 5; i++) {
		h->time_ns[i] = T0_NS;
		setmem(h, a, i, (1 + i * 10) * MIB);
	}
	hcgroup(h, CG, CG_ID, 256 * MIB, 0, 0);
	inc = mkincident(&k, &d, NULL, 0, 0, h);
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_true(g.available);
	assert_int_equal(g.n_rows, 1);
	assert_int_equal(g.rows[0].growth_bytes, 40 * MIB);
	assert_int_equal(g.rows[0].growth_span_ns, 0);
	assert_true(g.rows[0].rate_bytes_per_s == 0.0);
	assert_true(g.rows[0].recent_rate_bytes_per_s == 0.0);
	assert_int_equal(g.rows[0].time_to_limit_ns, -1);
	assert_int_equal(g.fastest, -1);
	ow_growth_clear(&g);
	ow_history_free(h);

	h = mkhistory(1, T0_NS);
	a = addproc(h, 1, "a", "a", CG);
	setmem(h, a, 0, 7 * MIB);
	inc = mkincident(&k, &d, NULL, 0, 0, h);
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_true(g.available);
	assert_int_equal(g.rows[0].pattern, OW_GROWTH_FLAT);
	assert_int_equal(g.rows[0].at_oom_bytes, 7 * MIB);
	/* No cgroup series: the domain's growth is unknown. */
	assert_int_equal(g.domain_growth_bytes, 0);
	ow_growth_clear(&g);
	ow_history_free(h);
}

/* No history, no kills, an empty history, and a history that starts after the first kill. */
static void test_unavailable(void **state)
{
	struct ow_history *h = mkhistory(10, T0_NS);
	struct ow_domain d = memcg_256mib();
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t a;

	(void)state;
	a = addproc(h, 1, "a", "a", CG);
	ramp(h, a, 0, 9, 10 * MIB, (int64_t)MIB, 0);

	inc = mkincident(&k, &d, NULL, 0, 5, NULL);
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_false(g.available);
	assert_null(g.rows);
	assert_int_equal(g.fastest, -1);
	assert_int_equal(g.holder_row, -1);
	assert_int_equal(g.grower_row, -1);
	ow_growth_clear(&g);

	/* The history starts 1 s after the first kill. */
	inc = mkincident(&k, &d, NULL, 0, 0, h);
	k.time_ns = T0_NS - SEC;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_false(g.available);
	assert_int_equal(g.n_rows, 0);
	ow_growth_clear(&g);

	/* The first sample is the kill's own time: one sample, available. */
	k.time_ns = T0_NS;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_true(g.available);
	assert_int_equal(g.n_rows, 1);
	assert_int_equal(g.rows[0].at_oom_bytes, 10 * MIB);
	ow_growth_clear(&g);

	inc.n_kills = 0;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_false(g.available);
	ow_growth_clear(&g);
	ow_history_free(h);

	h = mkhistory(0, T0_NS);
	inc = mkincident(&k, &d, NULL, 0, 0, h);
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_false(g.available);
	ow_growth_clear(&g);
	ow_growth_clear(NULL);
	ow_history_free(h);
}

/*
 * Headroom: a limit changed mid-window is read when growth began; a cgroup without a limit
 * gives no figure; a memcg already full gives 0; the domain found by id when its path is
 * unknown.
 */
static void test_time_to_limit(void **state)
{
	struct ow_history *h = mkhistory(121, T0_NS);
	struct ow_domain d = memcg_256mib();
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t a;

	(void)state;
	a = addproc(h, 1, "a", "a", CG);
	ramp(h, a, 0, 20, 16 * MIB, 0, 0);
	ramp(h, a, 20, 120, 16 * MIB, 4 * (int64_t)MIB, 0);
	hcgroup(h, CG, CG_ID, 512 * MIB, 0, 0);
	inc = mkincident(&k, &d, NULL, 0, 120, h);

	/* 512 - 16 = 496 MiB at 4 MiB/s: 124 s. */
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.rows[0].headroom_bytes, 496 * MIB);
	assert_int_equal(g.rows[0].time_to_limit_ns, 124 * SEC);
	assert_int_equal(g.rows[0].pattern, OW_GROWTH_STEADY);
	ow_growth_clear(&g);

	/* Unknown path, found by id; the limit lowered to 256 MiB from t=10 s: 240 MiB, 60 s. */
	d.cgroup = NULL;
	inc.domain = d;
	for (size_t i = 10; i < h->n_times; i++)
		h->cgroups[0].samples[i].limit_bytes = 256 * MIB;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.rows[0].headroom_bytes, 240 * MIB);
	assert_int_equal(g.rows[0].time_to_limit_ns, 60 * SEC);
	ow_growth_clear(&g);

	/* Already over its limit when growth began: no headroom, 0 s. */
	h->cgroups[0].samples[20].limit_bytes = 8 * MIB;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.rows[0].headroom_bytes, 0);
	assert_int_equal(g.rows[0].time_to_limit_ns, 0);
	ow_growth_clear(&g);

	/* No limit, and a missing sample at the growth start: the next one is used. */
	for (size_t i = 0; i < h->n_times; i++)
		h->cgroups[0].samples[i].limit_bytes = OW_LIMIT_NONE;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.rows[0].time_to_limit_ns, -1);
	ow_growth_clear(&g);
	for (size_t i = 0; i < h->n_times; i++)
		h->cgroups[0].samples[i].limit_bytes = 300 * MIB;
	h->cgroups[0].samples[20].present = false;
	/* At t=21: 300 - 20 MiB = 280 MiB, 70 s. */
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.rows[0].headroom_bytes, 280 * MIB);
	assert_int_equal(g.rows[0].time_to_limit_ns, 70 * SEC);
	ow_growth_clear(&g);

	/* Another cgroup's series does not stand in for the domain's. */
	h->cgroups[0].id = 7;
	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.rows[0].time_to_limit_ns, -1);
	assert_int_equal(g.domain_growth_bytes, 0);
	ow_growth_clear(&g);
	ow_history_free(h);
}

/*
 * The holder's own early step does not hide a later grower: "big" allocates 150 MiB in 2 s at
 * t=10 s; "leaker" grows 1 MiB/s from t=5 s. The grower is measured from when the holder
 * settled (t=12 s), and without a cgroup series the domain's gain is its processes' sum.
 */
static void test_grower_after_holder_settled(void **state)
{
	struct ow_history *h = mkhistory(101, T0_NS);
	struct ow_domain d = memcg_256mib();
	struct ow_process snap[2];
	struct ow_growth_analysis g;
	struct ow_incident inc;
	struct ow_kill k;
	size_t big, leak;

	(void)state;
	big = addproc(h, 1, "big", "big", CG);
	leak = addproc(h, 2, "leaker", "leaker", CG);
	ramp(h, big, 0, 10, 1 * MIB, 0, 0);
	setmem(h, big, 11, 76 * MIB);
	ramp(h, big, 12, 100, 151 * MIB, 0, 0);
	ramp(h, leak, 0, 5, 1 * MIB, 0, 0);
	ramp(h, leak, 5, 100, 1 * MIB, (int64_t)MIB, 0);
	snap[0] = snapproc(1, "big", 0, 151 * MIB);
	snap[1] = snapproc(2, "leaker", 0, 96 * MIB);
	inc = mkincident(&k, &d, snap, 2, 100, h);

	assert_int_equal(ow_growth_compute(&inc, NULL, &g), 0);
	assert_int_equal(g.rows[0].pid, 1);
	assert_int_equal(g.rows[0].pattern, OW_GROWTH_STEP);
	assert_int_equal(g.rows[0].settled_ns, T0_NS + 12 * SEC);
	assert_int_equal(g.holder_row, 0);
	assert_int_equal(g.grower_row, 1);
	assert_int_equal(g.grower_since_ns, T0_NS + 12 * SEC);
	/* 96 - 8 MiB since t=12 s; the domain (both processes) gained as much. */
	assert_int_equal(g.grower_since_bytes, 88 * MIB);
	assert_int_equal(g.domain_since_bytes, 88 * MIB);
	assert_int_equal(g.domain_growth_bytes, 0);
	ow_growth_clear(&g);
	ow_history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_words),
		cmocka_unit_test(test_steady_leaker_vs_idle),
		cmocka_unit_test(test_burst_step_and_leak),
		cmocka_unit_test(test_restart_counted_once),
		cmocka_unit_test(test_falling),
		cmocka_unit_test(test_absent_samples),
		cmocka_unit_test(test_zero_interval),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_time_to_limit),
		cmocka_unit_test(test_grower_after_holder_settled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
