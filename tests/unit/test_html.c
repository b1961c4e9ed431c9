/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the memory history in the renderers (src/output): the "history" and "growth"
 * objects of `show --json`, the "Memory history" section of `show`, sparklines, the HTML page
 * of `show --html` (its chart marks, hostile strings from processes escaped, a page without
 * history) and ow_html_escape(). The incident, its history and its verdict (growth included)
 * are built by hand, so these tests depend neither on the verdict rules nor on growth.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/history.h"
#include "output/format.h"
#include "output/history_view.h"
#include "output/render.h"

#include "fixtures.h"
#include "render_checks.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)
#define SEC 1000000000ull
/* 2026-11-25T19:04:05.123Z, the kill */
#define T0_NS (1795633445ull * SEC + 123000000ull)
#define N_TIMES 8
#define CG "/demo"
#define CG_ID 77

static const char hostile_comm[] = "<script>\n\x1b\xff";
static const char hostile_cmdline[] = "<script>alert('x')</script> \"q\" & \r\nFAKE \x01\x7f"
				      "\xc2\x9b\xe2\x80\xae \xff\xfe tail\xe2\x82";

/* Everything the renderers get; the verdict's arrays live here. */
struct fixture {
	struct ow_incident inc;
	struct ow_verdict v;
	struct ow_kill_analysis analysis;
	struct ow_ranked ranked[2];
	struct ow_growth rows[2];
	char *reasons[1];
};

/*
 * Samples every 10 s, the kill between the 7th and the 8th. pid 100 (a grower, hostile names
 * when asked) grows 4 MiB a sample and is absent from the first two; pid 200 (the victim) holds
 * 60 MiB and is gone after the kill. The cgroup is present throughout, the root cgroup has no
 * limit, the system has no PSI and misses one sample.
 */
static struct ow_history *build_history(bool hostile)
{
	struct ow_history *h = ow_history_new(N_TIMES);

	assert_non_null(h);
	h->interval_ns = 10 * SEC;
	h->window_ns = 600 * SEC;
	h->truncated = true; /* 70 s of the 600 asked for */
	for (size_t i = 0; i < N_TIMES; i++)
		h->time_ns[i] = T0_NS - 65 * SEC + i * 10 * SEC;
	hproc(h, 100, hostile ? hostile_comm : "grower",
	      hostile ? hostile_cmdline : "./grower --leak", hostile ? "/demo/<b>\"x\"</b>" : CG);
	h->procs[0].start_time_ns = T0_NS - 50 * SEC;
	hproc(h, 200, "victim", NULL, CG);
	assert_non_null(ow_history_add_cgroup(h));
	assert_non_null(ow_history_add_cgroup(h));
	h->cgroups[0].path = xstrdup(CG);
	h->cgroups[0].id = CG_ID;
	h->cgroups[1].path = xstrdup("/");
	h->cgroups[1].id = 1;
	for (size_t i = 0; i < N_TIMES; i++) {
		struct ow_proc_sample *g = &h->procs[0].samples[i], *vs = &h->procs[1].samples[i];

		if (i >= 2) {
			g->present = true;
			g->anon_bytes = (i - 1) * 4 * MiB;
			g->file_bytes = 256 * KiB;
			g->pgtables_bytes = 64 * KiB;
		}
		if (i < 7) {
			vs->present = true;
			vs->oom_score_adj = 1000;
			vs->anon_bytes = 60 * MiB;
		}
		h->cgroups[0].samples[i] = (struct ow_cgroup_sample){
			.present = true,
			.usage_bytes = (i < 7 ? 60 * MiB : 0) + (i >= 2 ? (i - 1) * 4 * MiB : 0),
			.limit_bytes = 96 * MiB,
			.kernel_bytes = 100 * KiB,
		};
		h->cgroups[1].samples[i] = (struct ow_cgroup_sample){
			.present = true,
			.usage_bytes = 2048 * MiB,
			.limit_bytes = OW_LIMIT_NONE,
		};
		h->system[i] = (struct ow_system_sample){
			.present = i != 3,
			.mem_total_bytes = 4096 * MiB,
			.mem_available_bytes = 2048 * MiB,
		};
	}
	return h;
}

static void build(struct fixture *fx, bool with_history, bool hostile, bool with_growth)
{
	struct ow_kill k = { 0 };
	struct ow_verdict *v = &fx->v;

	memset(fx, 0, sizeof(*fx));
	fx->inc.id = 5;
	k.time_ns = T0_NS;
	k.victim_pid = 200;
	k.trigger_pid = 100;
	k.trigger_tid = 100;
	strcpy(k.trigger_thread_comm, "grower");
	set_memcg(&k.domain, CG, CG_ID, 96 * MiB, 96 * MiB);
	kill_add_memcg_process(&k, 200, "victim", NULL, 1000, 60 * MiB);
	kill_add_memcg_process(&k, 100, hostile ? hostile_comm : "grower",
			       hostile ? hostile_cmdline : "./grower --leak", 0, 26 * MiB);
	assert_int_equal(ow_incident_add_kill(&fx->inc, &k), 0);
	if (with_history)
		fx->inc.history = build_history(hostile);

	for (size_t r = 0; r < 2; r++) {
		fx->ranked[r].proc_index = r;
		fx->ranked[r].badness = ow_badness_compute(&fx->inc.kills[0].procs[r], 96 * MiB, 0);
	}
	fx->analysis = (struct ow_kill_analysis){
		.n_ranked = 2,
		.ranked = fx->ranked,
		.n_candidates = 2,
		.victim_rank = 1,
		.victim_badness = fx->ranked[0].badness,
		.victim_by_adj = true,
		.victim_innocent = false,
	};
	v->n_kills = 1;
	v->kills = &fx->analysis;
	v->culprit.kind = OW_CULPRIT_PROCESS;
	v->culprit.pid = 100;
	strncpy(v->culprit.comm, fx->inc.kills[0].procs[1].comm, OW_COMM_LEN - 1);
	v->culprit.cmdline = fx->inc.kills[0].procs[1].cmdline;
	v->culprit.cgroup = fx->inc.kills[0].procs[1].cgroup;
	v->culprit.memory_bytes = 26 * MiB;
	v->culprit.share = 0.27;
	v->culprit.was_trigger = true;
	v->culprit.growth_row = -1;
	fx->reasons[0] = hostile ? (char *)hostile_cmdline : "grew 16 MiB in 40 s";
	v->culprit.n_reasons = 1;
	v->culprit.reasons = fx->reasons;
	v->summary = hostile ? (char *)hostile_cmdline : "grower (pid 100) grew until the OOM.";
	if (!with_growth)
		return;
	v->culprit.by_growth = true;
	v->culprit.growth_row = 0;
	fx->rows[0] = (struct ow_growth){
		.proc_index = 0,
		.pid = 100,
		.cmdline = fx->inc.history ? fx->inc.history->procs[0].cmdline : NULL,
		.n_instances = 1,
		.start_bytes = 4 * MiB + 320 * KiB,
		.at_oom_bytes = 20 * MiB + 320 * KiB,
		.peak_bytes = 20 * MiB + 320 * KiB,
		.growth_bytes = 16 * MiB,
		.growth_start_ns = T0_NS - 45 * SEC,
		.rate_bytes_per_s = 524288.4,
		.recent_rate_bytes_per_s = 419430.6,
		.pattern = OW_GROWTH_STEADY,
		.rising_at_oom = true,
		.time_to_limit_ns = 12 * SEC,
	};
	strncpy(fx->rows[0].comm, hostile ? hostile_comm : "grower", OW_COMM_LEN - 1);
	fx->rows[1] = (struct ow_growth){
		.proc_index = 1,
		.pid = 200,
		.n_instances = 1,
		.start_bytes = 60 * MiB,
		.at_oom_bytes = 60 * MiB,
		.peak_bytes = 60 * MiB,
		.pattern = OW_GROWTH_FLAT,
		.time_to_limit_ns = -1,
	};
	strcpy(fx->rows[1].comm, "victim");
	v->growth = (struct ow_growth_analysis){
		.available = true,
		.window_start_ns = T0_NS - 65 * SEC,
		.window_end_ns = T0_NS - 5 * SEC,
		.first_kill_ns = T0_NS,
		.n_rows = 2,
		.rows = fx->rows,
		.fastest = 0,
		.n_rising = 1,
		.domain_growth_bytes = 20 * MiB,
	};
}

static void teardown_fx(struct fixture *fx)
{
	ow_incident_clear(&fx->inc);
}

/* The keys of obj, in order, equal the NULL-terminated list. */
static void assert_keys(const json_t *obj, const char *const *keys)
{
	const char *key;
	json_t *value;
	size_t i = 0;

	assert_true(json_is_object(obj));
	json_object_foreach((json_t *)obj, key, value)
	{
		(void)value;
		if (!keys[i])
			fail_msg("unexpected key \"%s\"", key);
		if (strcmp(key, keys[i]) != 0)
			fail_msg("key %zu is \"%s\", expected \"%s\"", i, key, keys[i]);
		i++;
	}
	if (keys[i])
		fail_msg("key \"%s\" missing", keys[i]);
}

/* How many times needle occurs in haystack. */
static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- JSON ---- */

static void test_json_history_shape(void **state)
{
	static const char *const history_keys[] = {
		"interval_ns",	 "window_ns", "truncated",   "start_time",
		"start_time_ns", "end_time",  "end_time_ns", "processes",
		"cgroups",	 "system",    NULL,
	};
	static const char *const process_keys[] = {
		"pid",	      "ppid",	       "comm",	  "cmdline", "cgroup",
		"start_time", "start_time_ns", "samples", NULL,
	};
	static const char *const proc_sample_keys[] = {
		"time",	       "time_ns",    "rss_bytes",      "anon_bytes",	"file_bytes",
		"shmem_bytes", "swap_bytes", "pgtables_bytes", "oom_score_adj", NULL,
	};
	static const char *const cgroup_sample_keys[] = {
		"time",	      "time_ns",     "usage_bytes",  "limit_bytes", "anon_bytes",
		"file_bytes", "shmem_bytes", "kernel_bytes", "sock_bytes",  NULL,
	};
	static const char *const system_sample_keys[] = {
		"time",
		"time_ns",
		"mem_total_bytes",
		"mem_available_bytes",
		"swap_total_bytes",
		"swap_free_bytes",
		"psi_some_avg10",
		"psi_full_avg10",
		"psi_some_total_us",
		"psi_full_total_us",
		NULL,
	};
	struct fixture fx;
	json_t *root, *h, *procs, *grower, *samples, *s, *cgroups, *system;
	char *out;

	(void)state;
	build(&fx, true, false, false);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	/* Added at the end, after every field of format_version 1 (and missed_kills, beside
	 * lost_events). */
	assert_non_null(
		strstr(out, "\"lost_events\": 0,\n  \"missed_kills\": 0,\n  \"history\": {"));
	h = json_object_get(root, "history");
	assert_keys(h, history_keys);
	assert_int_equal(jint(h, "interval_ns"), 10 * SEC);
	assert_int_equal(jint(h, "window_ns"), 600 * SEC);
	assert_true(json_is_true(json_object_get(h, "truncated")));
	assert_string_equal(jstr(h, "start_time"), "2026-11-25T19:03:00.123Z");
	assert_int_equal(jint(h, "start_time_ns"), T0_NS - 65 * SEC);
	assert_string_equal(jstr(h, "end_time"), "2026-11-25T19:04:10.123Z");

	procs = json_object_get(h, "processes");
	assert_int_equal(json_array_size(procs), 2);
	grower = json_array_get(procs, 0);
	assert_keys(grower, process_keys);
	assert_int_equal(jint(grower, "pid"), 100);
	assert_string_equal(jstr(grower, "comm"), "grower");
	assert_string_equal(jstr(grower, "cmdline"), "./grower --leak");
	assert_string_equal(jstr(grower, "start_time"), "2026-11-25T19:03:15.123Z");
	/* Absent samples are left out: 6 of 8 for the grower, 7 for the victim. */
	samples = json_object_get(grower, "samples");
	assert_int_equal(json_array_size(samples), 6);
	s = json_array_get(samples, 0);
	assert_keys(s, proc_sample_keys);
	assert_int_equal(jint(s, "time_ns"), T0_NS - 45 * SEC);
	assert_string_equal(jstr(s, "time"), "2026-11-25T19:03:20.123Z");
	assert_int_equal(jint(s, "anon_bytes"), 4 * MiB);
	assert_int_equal(jint(s, "rss_bytes"), 4 * MiB + 256 * KiB);
	assert_int_equal(jint(s, "pgtables_bytes"), 64 * KiB);
	s = json_array_get(procs, 1);
	assert_null_field(s, "cmdline");
	assert_null_field(s, "start_time");
	assert_null_field(s, "start_time_ns");
	samples = json_object_get(s, "samples");
	assert_int_equal(json_array_size(samples), 7);
	assert_int_equal(jint(json_array_get(samples, 6), "time_ns"), T0_NS - 5 * SEC);
	assert_int_equal(jint(json_array_get(samples, 0), "oom_score_adj"), 1000);

	cgroups = json_object_get(h, "cgroups");
	assert_int_equal(json_array_size(cgroups), 2);
	assert_string_equal(jstr(json_array_get(cgroups, 0), "path"), CG);
	assert_int_equal(jint(json_array_get(cgroups, 0), "id"), CG_ID);
	s = json_array_get(json_object_get(json_array_get(cgroups, 0), "samples"), 7);
	assert_keys(s, cgroup_sample_keys);
	assert_int_equal(jint(s, "limit_bytes"), 96 * MiB);
	assert_int_equal(jint(s, "kernel_bytes"), 100 * KiB);
	/* No limit: null, never UINT64_MAX. */
	s = json_array_get(json_object_get(json_array_get(cgroups, 1), "samples"), 0);
	assert_null_field(s, "limit_bytes");
	assert_int_equal(jint(s, "usage_bytes"), 2048 * MiB);

	system = json_object_get(h, "system");
	assert_int_equal(json_array_size(system), 7); /* one missed */
	s = json_array_get(system, 3);
	assert_keys(s, system_sample_keys);
	assert_int_equal(jint(s, "time_ns"), T0_NS - 25 * SEC);
	assert_null_field(s, "psi_some_avg10");
	assert_null_field(s, "psi_full_total_us");
	/* Without growth analysis: null; the culprit says it was not named by growth. */
	assert_null_field(root, "growth");
	assert_true(json_is_false(json_object_get(json_object_get(root, "culprit"), "by_growth")));
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

static void test_json_psi_and_growth(void **state)
{
	static const char *const row_keys[] = {
		"pid",
		"comm",
		"cmdline",
		"instances",
		"start_bytes",
		"at_oom_bytes",
		"peak_bytes",
		"growth_bytes",
		"growth_start_time",
		"growth_start_time_ns",
		"rate_bytes_per_s",
		"recent_rate_bytes_per_s",
		"pattern",
		"rising_at_oom",
		"time_to_limit_ns",
		NULL,
	};
	static const char *const growth_keys[] = {
		"window_start_time",
		"window_start_time_ns",
		"window_end_time",
		"window_end_time_ns",
		"rows",
		"fastest",
		"domain_growth_bytes",
		NULL,
	};
	struct fixture fx;
	json_t *root, *g, *row, *s;
	char *out;

	(void)state;
	build(&fx, true, false, true);
	fx.inc.history->system[5].psi_known = true;
	fx.inc.history->system[5].psi_some_avg10_centi = 1234;
	fx.inc.history->system[5].psi_full_avg10_centi = 5;
	fx.inc.history->system[5].psi_some_total_us = 987654;
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	s = json_array_get(json_object_get(json_object_get(root, "history"), "system"), 4);
	assert_int_equal(jint(s, "time_ns"), T0_NS - 15 * SEC);
	assert_true(json_is_real(json_object_get(s, "psi_some_avg10")));
	assert_true(json_real_value(json_object_get(s, "psi_some_avg10")) == 12.34);
	assert_true(json_real_value(json_object_get(s, "psi_full_avg10")) == 0.05);
	assert_int_equal(jint(s, "psi_some_total_us"), 987654);
	assert_int_equal(jint(s, "psi_full_total_us"), 0);
	assert_non_null(strstr(out, "\"psi_some_avg10\": 12.34,"));

	g = json_object_get(root, "growth");
	assert_keys(g, growth_keys);
	assert_int_equal(jint(g, "fastest"), 100);
	assert_int_equal(jint(g, "domain_growth_bytes"), 20 * MiB);
	assert_string_equal(jstr(g, "window_start_time"), "2026-11-25T19:03:00.123Z");
	assert_string_equal(jstr(g, "window_end_time"), "2026-11-25T19:04:00.123Z");
	assert_int_equal(json_array_size(json_object_get(g, "rows")), 2);
	row = json_array_get(json_object_get(g, "rows"), 0);
	assert_keys(row, row_keys);
	assert_int_equal(jint(row, "pid"), 100);
	assert_string_equal(jstr(row, "cmdline"), "./grower --leak");
	assert_int_equal(jint(row, "growth_bytes"), 16 * MiB);
	assert_string_equal(jstr(row, "growth_start_time"), "2026-11-25T19:03:20.123Z");
	/* Rates are whole bytes per second. */
	assert_int_equal(jint(row, "rate_bytes_per_s"), 524288);
	assert_int_equal(jint(row, "recent_rate_bytes_per_s"), 419431);
	assert_string_equal(jstr(row, "pattern"), "steady");
	assert_true(json_is_true(json_object_get(row, "rising_at_oom")));
	assert_int_equal(jint(row, "time_to_limit_ns"), 12 * SEC);
	row = json_array_get(json_object_get(g, "rows"), 1);
	assert_string_equal(jstr(row, "pattern"), "flat");
	assert_null_field(row, "time_to_limit_ns");
	assert_null_field(row, "growth_start_time");
	assert_null_field(row, "growth_start_time_ns");
	assert_null_field(row, "cmdline");
	assert_true(json_is_true(json_object_get(json_object_get(root, "culprit"), "by_growth")));
	json_decref(root);
	free(out);

	/* Nothing grew: fastest is null. */
	fx.v.growth.fastest = -1;
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	assert_null_field(json_object_get(root, "growth"), "fastest");
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

static void test_json_null_history(void **state)
{
	struct fixture fx;
	json_t *root;
	char *out;

	(void)state;
	build(&fx, false, false, false);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	assert_non_null(json_object_get(root, "history"));
	assert_null_field(root, "history");
	assert_null_field(root, "growth");
	json_decref(root);
	free(out);
	/* Without a verdict too. */
	out = render(ow_render_incident_json, &fx.inc, NULL);
	root = parse(out);
	assert_null_field(root, "history");
	assert_null_field(root, "growth");
	assert_true(json_is_false(json_object_get(json_object_get(root, "culprit"), "by_growth")));
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

static void test_json_history_hostile(void **state)
{
	struct fixture fx;
	json_t *root, *p;
	char *out;

	(void)state;
	build(&fx, true, true, true);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	assert_null(strchr(out, '\x1b'));
	root = parse(out);
	p = json_array_get(json_object_get(json_object_get(root, "history"), "processes"), 0);
	assert_string_equal(jstr(p, "comm"), "<script>\n\x1b\xef\xbf\xbd");
	assert_string_equal(jstr(p, "cgroup"), "/demo/<b>\"x\"</b>");
	assert_non_null(strstr(jstr(p, "cmdline"), "\xef\xbf\xbd\xef\xbf\xbd tail\xef\xbf\xbd"));
	p = json_array_get(json_object_get(json_object_get(root, "growth"), "rows"), 0);
	assert_string_equal(jstr(p, "comm"), "<script>\n\x1b\xef\xbf\xbd");
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

/* Each allocation of the history and growth objects fails in turn: -ENOMEM, no leak. */
static void test_json_history_out_of_memory(void **state)
{
	struct fixture fx;
	int failures = 0;

	(void)state;
	build(&fx, true, false, true);
	for (int budget = 0;; budget++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int r;

		assert_non_null(f);
		alloc_budget = budget;
		json_set_alloc_funcs(failing_malloc, free);
		r = ow_render_incident_json(f, &fx.inc, &fx.v);
		json_set_alloc_funcs(malloc, free);
		fclose(f);
		free(buf);
		if (r == 0)
			break;
		assert_int_equal(r, -ENOMEM);
		failures++;
	}
	assert_true(failures > 300);
	teardown_fx(&fx);
}

/* ---- sparklines and the text section ---- */

static void test_sparkline(void **state)
{
	uint64_t values[10000];
	bool present[10000];
	char buf[256];
	size_t cols;

	(void)state;
	for (size_t i = 0; i < 10000; i++) {
		values[i] = i * 100;
		present[i] = true;
	}
	/* Nothing: an empty string. */
	assert_int_equal(ow_sparkline(buf, sizeof(buf), values, present, 0, 100, 28), 0);
	assert_string_equal(buf, "");
	/* Fewer values than columns: one column each; 0 is the lowest block, the scale the top. */
	values[0] = 0;
	values[1] = 50;
	values[2] = 100;
	values[3] = 1000; /* over the scale: the top block, never past it */
	present[4] = false;
	cols = ow_sparkline(buf, sizeof(buf), values, present, 5, 100, 28);
	assert_int_equal(cols, 5);
	assert_string_equal(buf, "▁▅██ ");
	present[4] = true;
	/* Many values: never more than max_cols columns, each the largest of its share. */
	for (size_t i = 0; i < 10000; i++)
		values[i] = i;
	cols = ow_sparkline(buf, sizeof(buf), values, present, 10000, 10000, 28);
	assert_int_equal(cols, 28);
	assert_int_equal(strlen(buf), 28 * OW_SPARK_COL_BYTES);
	assert_int_equal(strncmp(buf, "▁", OW_SPARK_COL_BYTES), 0);
	assert_string_equal(buf + 27 * OW_SPARK_COL_BYTES, "█");
	/* A buffer too small: whole columns only, NUL-terminated. */
	cols = ow_sparkline(buf, 3 * OW_SPARK_COL_BYTES + 2, values, present, 10000, 10000, 28);
	assert_int_equal(cols, 3);
	assert_int_equal(strlen(buf), 3 * OW_SPARK_COL_BYTES);
	cols = ow_sparkline(buf, 1, values, present, 10000, 10000, 28);
	assert_int_equal(cols, 0);
	assert_string_equal(buf, "");
	/* A scale of 0 does not divide by zero. */
	cols = ow_sparkline(buf, sizeof(buf), values, present, 3, 0, 28);
	assert_int_equal(cols, 3);
}

static const char *line_with(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);

	if (!p)
		fail_msg("no \"%s\" in:\n%s", needle, text);
	while (p > text && p[-1] != '\n')
		p--;
	return p;
}

static void test_text_history(void **state)
{
	struct fixture fx;
	const char *line;
	char *out;

	(void)state;
	build(&fx, true, false, true);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_non_null(strstr(out,
			       "\nMemory history: 19:03:00 .. 19:04:10, 1m05s before the first "
			       "kill to 5.0s after the last\n"));
	assert_non_null(strstr(out, "\n  (truncated) only 1m05s of the 10m00s asked for"));
	assert_non_null(strstr(out, "8 samples every 10s; ▁..█ = 0 .. 96.0 MiB (the memcg limit)"));
	/* The grower first (it grew), then the victim; one column per sample, blanks for absence. */
	line = line_with(out, "  grower ");
	assert_true(line < line_with(out, "  victim "));
	assert_int_equal(strncmp(line, "  grower              100    ▁▁▂▂▂▃ ", 47), 0);
	assert_non_null(strstr(line, "  4.3 MiB -> 20.3 MiB, 512 KiB/s steady\n"));
	line = line_with(out, "  victim ");
	assert_non_null(strstr(line, "200  ▆▆▆▆▆▆▆ "));
	assert_non_null(strstr(line, "  60.0 MiB -> 60.0 MiB, flat\n"));
	line = line_with(out, "  memcg usage ");
	assert_non_null(strstr(line, "  ▆▆▆▆▇▇▇▃ "));
	assert_non_null(strstr(line, "  60.0 MiB -> 80.0 MiB of 96.0 MiB\n"));
	free(out);

	/* Without growth analysis: the same lines, figures from the series. */
	memset(&fx.v.growth, 0, sizeof(fx.v.growth));
	fx.v.culprit.growth_row = -1;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	/* Ordered by peak now: the victim first. */
	assert_true(line_with(out, "  victim ") < line_with(out, "  grower "));
	assert_non_null(strstr(line_with(out, "  grower "), "  4.3 MiB -> 20.3 MiB\n"));
	free(out);
	teardown_fx(&fx);

	/* No history, no section. */
	build(&fx, false, false, false);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_null(strstr(out, "Memory history"));
	free(out);
	teardown_fx(&fx);
}

/* Hostile names, a long history and many processes: still 100 columns and terminal-safe. */
static void test_text_history_limits(void **state)
{
	struct fixture fx;
	struct ow_history *h;
	char *out;

	(void)state;
	build(&fx, false, true, false);
	h = ow_history_new(5000);
	assert_non_null(h);
	h->interval_ns = 100000000; /* 100 ms */
	h->window_ns = 500 * SEC;
	for (size_t i = 0; i < 5000; i++)
		h->time_ns[i] = T0_NS - 495 * SEC + i * (SEC / 10);
	for (int p = 0; p < 20; p++) {
		struct ow_history_process *hp = ow_history_add_process(h);

		assert_non_null(hp);
		hp->pid = 4194304 - p;
		strncpy(hp->comm,
			p % 2 ? hostile_comm : "\xe2\x80\xae\xe2\x80\xae\xe2\x80\xae wide",
			OW_COMM_LEN - 1);
		for (size_t i = 0; i < 5000; i++) {
			hp->samples[i].present = (i + (size_t)p) % 7 != 0;
			/* Up to 1.5 TiB: longer figures than any real process. */
			hp->samples[i].anon_bytes = (uint64_t)(p + 1) * i * 300 * MiB;
		}
	}
	fx.inc.history = h;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	/* About 6 processes, never all 20. */
	assert_true(count(out, "4194") >= 6 && count(out, "4194") <= 7);
	free(out);

	/* A single sample, at the kill. */
	h = ow_history_new(1);
	assert_non_null(h);
	h->time_ns[0] = T0_NS;
	assert_non_null(ow_history_add_process(h));
	h->procs[0].pid = 9;
	h->procs[0].samples[0].present = true;
	ow_history_free(fx.inc.history);
	fx.inc.history = h;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_non_null(strstr(out, "Memory history: "));
	free(out);
	teardown_fx(&fx);
}

/* ---- HTML ---- */

static void test_html_escape(void **state)
{
	char *s;

	(void)state;
	s = ow_html_escape("<a href=\"x\">'&'</a>", SIZE_MAX);
	assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	free(s);
	/* Controls stay visible as Control Pictures; invalid UTF-8 and C1 controls, U+FFFD. */
	s = ow_html_escape("a\nb\x1b\x7f\xff\xc2\x9b\xe2\x80\xae\xc3\xa9", SIZE_MAX);
	assert_string_equal(s, "a\xe2\x90\x8a"
			       "b\xe2\x90\x9b\xe2\x90\xa1\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			       "\xc3\xa9");
	free(s);
	s = ow_html_escape("abc<def", 4);
	assert_string_equal(s, "abc&lt;");
	free(s);
	s = ow_html_escape("", SIZE_MAX);
	assert_string_equal(s, "");
	free(s);
}

/* Well-formed UTF-8 throughout (the decoder is format.c's, so check by hand here). */
static void assert_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80		   ? 0
			: *p >= 0xc2 && *p <= 0xdf ? 1
			: *p >= 0xe0 && *p <= 0xef ? 2
			: *p >= 0xf0 && *p <= 0xf4 ? 3
						   : -1;

		if (n < 0)
			fail_msg("ill-formed UTF-8 at offset %td", (const char *)p - s);
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				fail_msg("ill-formed UTF-8 at offset %td", (const char *)p - s);
	}
}

static void test_html_chart(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	build(&fx, true, false, true);
	out = render(ow_render_incident_html, &fx.inc, &fx.v);
	assert_utf8(out);
	assert_int_equal(strncmp(out, "<!DOCTYPE html>\n<html lang=\"en\">\n", 33), 0);
	assert_non_null(strstr(out, "</html>\n"));
	/* Self-contained: nothing to fetch, nothing to run. */
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "https://"));
	assert_int_equal(count(out, "http://"), 1); /* the SVG namespace */
	assert_non_null(strstr(out, "Content-Security-Policy"));
	/* Four curves: the grower's 6 samples and the victim's 7, the usage, the limit. */
	assert_int_equal(count(out, "<path class=\"series\""), 4);
	assert_non_null(strstr(out, "<path class=\"series\" data-pid=\"100\" data-points=\"6\" "
				    "stroke=\"#1f77b4\""));
	assert_non_null(strstr(out, "<path class=\"series\" data-pid=\"200\" data-points=\"7\" "
				    "stroke=\"#ff7f0e\""));
	assert_non_null(strstr(out, "<path class=\"series\" data-series=\"usage\" "
				    "data-points=\"8\" stroke=\"#34495e\""));
	assert_non_null(strstr(out, "<path class=\"series\" data-series=\"limit\" "
				    "data-points=\"8\" stroke=\"#d62728\""));
	assert_int_equal(count(out, "<g class=\"kill\" data-kill=\"1\""), 1);
	assert_int_equal(count(out, "class=\"kill\""), 1);
	/* A legend entry per process curve, the axes labelled. */
	assert_non_null(strstr(out, "<li data-pid=\"100\">"));
	assert_non_null(strstr(out, "<li data-pid=\"200\">"));
	assert_non_null(strstr(out, ">96 MiB</text>"));
	assert_non_null(strstr(out, ">19:04:00</text>"));
	assert_non_null(strstr(out, "<strong>Truncated:</strong>"));
	/* Then the verdict, the growth table, the kill chain and the ranking. */
	assert_true(strstr(out, "id=\"history\"") < strstr(out, "id=\"verdict\""));
	assert_true(strstr(out, "id=\"verdict\"") < strstr(out, "id=\"growth\""));
	assert_true(strstr(out, "id=\"growth\"") < strstr(out, "id=\"kills\""));
	assert_true(strstr(out, "id=\"kills\"") < strstr(out, "id=\"ranking\""));
	assert_non_null(strstr(out, "grew 16 MiB in 40 s"));
	assert_non_null(strstr(out, "512 KiB/s"));
	assert_null(strstr(out, "id=\"no-history\""));
	free(out);
	teardown_fx(&fx);
}

static void test_html_no_history(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	build(&fx, false, false, false);
	out = render(ow_render_incident_html, &fx.inc, &fx.v);
	assert_non_null(strstr(out, "id=\"no-history\""));
	assert_non_null(strstr(out, "No memory history was recorded"));
	assert_null(strstr(out, "<svg class=\"chart\""));
	assert_null(strstr(out, "class=\"series\""));
	assert_null(strstr(out, "id=\"growth\""));
	assert_non_null(strstr(out, "id=\"kills\""));
	assert_non_null(strstr(out, "id=\"ranking\""));
	assert_non_null(strstr(out, "grower (pid 100) grew until the OOM."));
	free(out);
	/* Nor a verdict. */
	out = render(ow_render_incident_html, &fx.inc, NULL);
	assert_non_null(strstr(out, "None: the incident was not analysed."));
	assert_null(strstr(out, "id=\"ranking\""));
	free(out);
	teardown_fx(&fx);
}

static void test_html_hostile(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	build(&fx, true, true, true);
	free(fx.inc.domain.cgroup);
	fx.inc.domain.cgroup = xstrdup("/demo\"><script>x</script>");
	fx.inc.kills[0].domain.cgroup_id = CG_ID;
	out = render(ow_render_incident_html, &fx.inc, &fx.v);
	assert_utf8(out);
	/* Nothing a process chose becomes markup, whatever the context (text, title, attribute). */
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "<b>"));
	assert_null(strstr(out, "\"q\""));
	assert_null(strstr(out, "'x'"));
	assert_non_null(strstr(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;q&quot; "
				    "&amp; \xe2\x90\x8d\xe2\x90\x8a"
				    "FAKE \xe2\x90\x81\xe2\x90\xa1\xef\xbf\xbd\xef\xbf\xbd "
				    "\xef\xbf\xbd\xef\xbf\xbd tail\xef\xbf\xbd"));
	assert_non_null(strstr(out, "&lt;script&gt;\xe2\x90\x8a\xe2\x90\x9b\xef\xbf\xbd"));
	assert_non_null(strstr(out, "/demo&quot;&gt;&lt;script&gt;x&lt;/script&gt;"));
	/* No raw control byte: newlines only from the page's own markup, and no escape. */
	for (const char *p = out; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			fail_msg("control byte 0x%02x in the page at offset %td", c, p - out);
	}
	assert_null(strstr(out, "\nFAKE"));
	free(out);
	teardown_fx(&fx);
}

/* A global OOM: the machine's RAM in use and its total from the system samples. */
static void test_html_global(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	build(&fx, true, false, true);
	free(fx.inc.domain.cgroup);
	fx.inc.domain = (struct ow_domain){
		.kind = OW_DOMAIN_GLOBAL,
		.limit_bytes = 4096 * MiB,
		.usage_bytes = 4000 * MiB,
		.total_bytes = 4096 * MiB,
	};
	out = render(ow_render_incident_html, &fx.inc, &fx.v);
	/* 7 system samples of 8: the usage and the total have a gap. */
	assert_non_null(strstr(out, "<path class=\"series\" data-series=\"usage\" "
				    "data-points=\"7\""));
	assert_non_null(strstr(out, "<path class=\"series\" data-series=\"limit\" "
				    "data-points=\"7\""));
	assert_non_null(strstr(out, ">4 GiB</text>"));
	assert_non_null(strstr(out, "RAM total (4.0 GiB)"));
	free(out);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_non_null(strstr(out, "(RAM), blank = not running"));
	assert_non_null(strstr(out, "  2.0 GiB -> 2.0 GiB of 4.0 GiB\n"));
	assert_non_null(strstr(line_with(out, "  RAM in use "), "▅▅▅ ▅▅▅▅"));
	free(out);
	teardown_fx(&fx);
}

/*
 * What issue 4 adds to the page: the kill's notes (the victim's adj changes, flags, the killer
 * of a signal kill, the aftermath, the kernel's report, a process killed with the victim) and
 * the memory no process owns, every string from a process or a mount escaped.
 */
static void test_html_kill_context(void **state)
{
	struct fixture fx;
	struct ow_kill *k;
	struct ow_process *p;
	struct ow_adj_change *c;
	char *out;

	(void)state;
	build(&fx, false, true, true);
	k = &fx.inc.kills[0];
	k->killer_kind = OW_KILLER_SIGNAL;
	k->flags = OW_KILL_VICTIM_EXITING | OW_KILL_KMSG_CONFIRMED | OW_KILL_SNAPSHOT_SKIPPED;
	k->after.exit_ns = k->time_ns + 15000000;
	k->kernel_report.constraint = OW_CONSTRAINT_MEMCG;
	k->kernel_report.oom_memcg = xstrdup("/demo<b>\n");
	k->kernel_report.has_allocation = true;
	k->kernel_report.gfp_mask = 0xcc0;
	k->unowned.known = true;
	k->unowned.shmem_bytes = 100 * MiB;
	k->unowned.n_tmpfs = 1;
	k->unowned.tmpfs = calloc(1, sizeof(*k->unowned.tmpfs));
	assert_non_null(k->unowned.tmpfs);
	k->unowned.tmpfs[0].path = xstrdup("/dev/shm/<b>\"x\"");
	k->unowned.tmpfs[0].used_bytes = 96 * MiB;
	p = &k->procs[0]; /* the victim */
	p->adj_changes = calloc(1, sizeof(*c));
	assert_non_null(p->adj_changes);
	p->n_adj_changes = 1;
	c = &p->adj_changes[0];
	c->time_ns = T0_NS - 60 * SEC;
	c->old_adj = OW_ADJ_UNKNOWN;
	c->new_adj = 1000;
	c->by_pid = 100;
	memcpy(c->by_comm, "<b>\n\x1b", 5);
	p = kill_add_memcg_process(k, 201, "<b>helper", NULL, 1000, MiB);
	p->flags |= OW_PROC_SHARES_VICTIM_MM;

	out = render(ow_render_incident_html, &fx.inc, &fx.v);
	assert_null(strstr(out, "<b>"));
	for (const char *q = out; *q; q++)
		if ((unsigned char)*q < 0x20 && *q != '\n')
			fail_msg("control byte 0x%02x in the page", (unsigned char)*q);
	assert_non_null(strstr(out, "<ul class=\"kill-notes\" data-kill=\"1\">"));
	assert_non_null(strstr(out, "<li>victim's oom_score_adj set to 1000 by pid 100 "
				    "(&lt;b&gt;\xe2\x90\x8a\xe2\x90\x9b) at 19:03:05</li>"));
	assert_non_null(strstr(out, "<strong>killed by pid 100 (&lt;script&gt;"));
	assert_non_null(strstr(out, "</strong>, not by the kernel</td>"));
	assert_non_null(strstr(out, "<li>the victim was already exiting"));
	assert_null(strstr(out, "also killed, sharing its memory")); /* exiting: nobody was */
	assert_non_null(strstr(out, "<li>exited 15 ms after the kill</li>"));
	assert_non_null(strstr(out, "<li>kernel report: constraint=memcg, oom_memcg=<code>/demo"
				    "&lt;b&gt;\xe2\x90\x8a</code>, task_memcg=<code>?</code>, "
				    "gfp_mask=0xcc0, order=0</li>"));
	assert_non_null(strstr(out, "<li>snapshot <strong>skipped</strong>"));
	assert_non_null(strstr(out, "<ul class=\"unowned\">\n<li>shmem/tmpfs: 100.0 MiB not "
				    "mapped by any process (tmpfs <code>/dev/shm/&lt;b&gt;"
				    "&quot;x&quot;</code> holds 96.0 MiB)</li>"));
	free(out);
	teardown_fx(&fx);
}

static void test_html_errors(void **state)
{
	struct fixture fx;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	build(&fx, true, false, true);
	assert_int_equal(ow_render_incident_html(NULL, &fx.inc, &fx.v), -EINVAL);
	assert_int_equal(ow_render_incident_html(stdout, NULL, NULL), -EINVAL);
	if (full) {
		assert_int_equal(ow_render_incident_html(full, &fx.inc, &fx.v), -EIO);
		fclose(full);
	}
	teardown_fx(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_history_shape),
		cmocka_unit_test(test_json_psi_and_growth),
		cmocka_unit_test(test_json_null_history),
		cmocka_unit_test(test_json_history_hostile),
		cmocka_unit_test(test_json_history_out_of_memory),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_text_history),
		cmocka_unit_test(test_text_history_limits),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_html_chart),
		cmocka_unit_test(test_html_no_history),
		cmocka_unit_test(test_html_hostile),
		cmocka_unit_test(test_html_global),
		cmocka_unit_test(test_html_errors),
		cmocka_unit_test(test_html_kill_context),
	};

	/* Text and HTML show local time: pin the zone so that the expected strings hold. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
