/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of what the text renderers look like to a person (render.h, struct
 * ow_text_style) and of times across the outputs: with colour, the headings and the words
 * KILLED, INNOCENT, NEVER KILLED and the warnings carry SGR codes, and taking those codes out
 * gives the plain text byte for byte (which the golden files hold); without it there is no
 * escape at all; a process named like a coloured word stays uncoloured. Times are local in
 * list, show and HTML (TZ is honoured) and RFC 3339 UTC in JSON, whatever TZ is. The incident
 * (a small victim at adj 1000, a hog at adj 0 that triggers) is judged by the real verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/verdict.h"
#include "output/render.h"

#include "fixtures.h"
#include "render_checks.h"

#define S 1000000000ull
#define MiB (1024ull * 1024)
/* 2026-11-25T19:04:05.123Z: 2026-11-26 04:04:05 at UTC+9. */
#define T0_NS (1795633445ull * S + 123000000ull)

struct story {
	struct ow_incident inc;
	struct ow_verdict v;
};

/* Kill 1 the victim (adj 1000), kill 2 the hog itself or the bystander; the hog allocates. */
static void build(struct story *st, const char *victim_comm, bool hog_killed)
{
	struct ow_verdict_config cfg;

	memset(st, 0, sizeof(*st));
	st->inc.id = 7;
	for (int i = 0; i < 2; i++) {
		struct ow_kill k = { 0 };

		k.time_ns = T0_NS + (uint64_t)i * S;
		k.killer_kind = OW_KILLER_KERNEL;
		k.victim_pid = i == 0 ? 10 : hog_killed ? 20 : 11;
		k.trigger_pid = 20;
		k.trigger_tid = 20;
		strcpy(k.trigger_thread_comm, "hog");
		set_memcg(&k.domain, "/demo", 77, 256 * MiB, 256 * MiB);
		if (i == 0)
			kill_add_memcg_process(&k, 10, victim_comm, "./victim", 1000, 2 * MiB);
		kill_add_memcg_process(&k, 11, "bystander", "./bystander", 0, 30 * MiB);
		kill_add_memcg_process(&k, 20, "hog", "./hog --grow", 0, 220 * MiB);
		k.lost_events = i; /* the second snapshot is INCOMPLETE */
		assert_int_equal(ow_incident_add_kill(&st->inc, &k), 0);
	}
	ow_verdict_config_default(&cfg);
	assert_int_equal(ow_verdict_compute(&st->inc, &cfg, &st->v), 0);
}

static void teardown_story(struct story *st)
{
	ow_verdict_clear(&st->v);
	ow_incident_clear(&st->inc);
}

static char *show_text(const struct story *st, const struct ow_text_style *style)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(ow_render_incident_text_styled(f, &st->inc, &st->v, style), 0);
	assert_int_equal(fclose(f), 0);
	if (getenv("OW_TEST_PRINT"))
		fputs(buf, stderr);
	return buf;
}

/* text without the SGR sequences the renderer writes; fails on any other escape. */
static char *strip_sgr(const char *text)
{
	static const char *const sgr[] = { "\x1b[0m",  "\x1b[1m",  "\x1b[1;31m",
					   "\x1b[31m", "\x1b[32m", "\x1b[1;33m" };
	char *out = malloc(strlen(text) + 1), *o = out;

	assert_non_null(out);
	while (*text) {
		size_t skip = 0;

		for (size_t i = 0; i < sizeof(sgr) / sizeof(sgr[0]) && !skip; i++)
			if (strncmp(text, sgr[i], strlen(sgr[i])) == 0)
				skip = strlen(sgr[i]);
		if (!skip && *text == '\x1b')
			fail_msg("an escape that is not one of ours: \"%.12s\"", text);
		if (skip) {
			text += skip;
			continue;
		}
		*o++ = *text++;
	}
	*o = '\0';
	return out;
}

static void test_show_colour(void **state)
{
	const struct ow_text_style never = { .color = false }, always = { .color = true };
	struct story st;
	char *plain, *off, *on, *stripped;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	build(&st, "victim", true);
	assert_int_equal(st.v.culprit.pid, 20);
	plain = render(ow_render_incident_text, &st.inc, &st.v);
	off = show_text(&st, &never);
	assert_string_equal(off, plain);
	free(off);
	off = show_text(&st, NULL);
	assert_string_equal(off, plain);
	free(off);
	assert_null(strchr(plain, '\x1b'));

	on = show_text(&st, &always);
	assert_non_null(strstr(on, "\n\x1b[1mVERDICT:\x1b[0m "));
	assert_non_null(strstr(on, "\n\x1b[1;31mCULPRIT:\x1b[0m hog (pid 20)"));
	assert_non_null(strstr(on, "  \x1b[31mKILLED\x1b[0m victim (pid 10,"));
	assert_non_null(strstr(on, "  \x1b[31mKILLED\x1b[0m hog (pid 20,"));
	assert_non_null(strstr(on, "an \x1b[32mINNOCENT\x1b[0m victim"));
	assert_non_null(strstr(on, "\n\x1b[32m  innocent victims:\x1b[0m 10 (victim)"));
	assert_non_null(strstr(on, "snapshot \x1b[1;33mINCOMPLETE\x1b[0m (1 ring-buffer"));
	assert_non_null(strstr(on, "\n\x1b[1;33mWARNING:\x1b[0m incomplete data"));
	/* Ranking marks: the victim's and the culprit's, at the end of their rows. */
	assert_non_null(strstr(on, " \x1b[31m<- KILLED\x1b[0m\n"));
	assert_non_null(strstr(on, " \x1b[1;31m<- CULPRIT\x1b[0m\n"));
	assert_non_null(strstr(on, " \x1b[1;31m<- KILLED+CULPRIT\x1b[0m\n"));
	/* The same text underneath, byte for byte. */
	stripped = strip_sgr(on);
	assert_string_equal(stripped, plain);
	free(stripped);
	free(on);
	free(plain);
	teardown_story(&st);
}

/*
 * A process named like a coloured word gets no colour: only the renderer's own words do. Here
 * the hog is never killed.
 */
static void test_show_colour_hostile(void **state)
{
	const struct ow_text_style always = { .color = true };
	struct story st;
	char *on, *stripped, *plain;

	(void)state;
	build(&st, "KILLED\x1b[2J", false);
	plain = render(ow_render_incident_text, &st.inc, &st.v);
	on = show_text(&st, &always);
	/* The kill line: its first KILLED is ours, the comm's (made safe) is not coloured. */
	assert_non_null(strstr(on, "  \x1b[31mKILLED\x1b[0m KILLED?[2J (pid 10,"));
	/* The ranking row ends in our mark; the comm in the row stays plain. */
	assert_non_null(strstr(on, "KILLED?[2J "));
	assert_null(strstr(on, "\x1b[31mKILLED\x1b[0m?[2J"));
	assert_non_null(strstr(on, "triggered the OOM; \x1b[1;31mNEVER KILLED\x1b[0m\n"));
	stripped = strip_sgr(on);
	assert_string_equal(stripped, plain);
	free(stripped);
	free(plain);
	free(on);
	teardown_story(&st);
}

static char *list_text(const struct ow_incident_summary *rows, size_t n, uint64_t lost_total,
		       const struct ow_text_style *style)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(ow_render_list_text_styled(f, rows, n, style), 0);
	assert_int_equal(ow_render_lost_total_text_styled(f, lost_total, style), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_list_colour(void **state)
{
	const struct ow_text_style always = { .color = true };
	int32_t victims[] = { 10, 20 };
	struct ow_incident_summary row = {
		.id = 7,
		.start_ns = T0_NS,
		.end_ns = T0_NS + S,
		.domain_kind = OW_DOMAIN_MEMCG,
		.domain_cgroup = "/demo",
		.n_victims = 2,
		.victim_pids = victims,
		.culprit_kind = "process",
		.culprit_pid = 20,
		.culprit_comm = "hog",
		.lost_events = 3,
	};
	char *plain, *legacy = NULL, *on, *stripped;
	size_t len = 0;
	FILE *f = open_memstream(&legacy, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(ow_render_list_text(f, &row, 1), 0);
	assert_int_equal(ow_render_lost_total_text(f, 42), 0);
	assert_int_equal(fclose(f), 0);
	plain = list_text(&row, 1, 42, NULL);
	assert_string_equal(plain, legacy);
	assert_null(strchr(plain, '\x1b'));
	on = list_text(&row, 1, 42, &always);
	assert_non_null(strstr(on, "\n\x1b[1;33m(! ring-buffer records were lost"));
	assert_non_null(strstr(on, "\n\x1b[1;33m42 ring-buffer records lost since"));
	stripped = strip_sgr(on);
	assert_string_equal(stripped, plain);
	free(stripped);
	free(on);
	free(plain);
	free(legacy);
}

/* Local time in list, show and HTML, as TZ says; RFC 3339 UTC in JSON whatever TZ is. */
static void test_time_zones(void **state)
{
	struct ow_incident_summary row = { .id = 7,
					   .start_ns = T0_NS,
					   .end_ns = T0_NS + S,
					   .domain_kind = OW_DOMAIN_MEMCG,
					   .domain_cgroup = "/demo" };
	char *text, *html, *json_utc, *json_tokyo, *list;
	struct story st;

	(void)state;
	build(&st, "victim", true);
	/* A POSIX TZ needs no zone files: 9 hours east of UTC. */
	setenv("TZ", "JST-9", 1);
	tzset();
	text = render(ow_render_incident_text, &st.inc, &st.v);
	assert_non_null(strstr(text, "2026-11-26 04:04:05.123 .. 04:04:06.123, 2 kills"));
	assert_non_null(strstr(text, "#1 04:04:05.123  KILLED victim"));
	html = render(ow_render_incident_html, &st.inc, &st.v);
	assert_non_null(strstr(html, "2026-11-26 04:04:05"));
	assert_null(strstr(html, "2026-11-25 19:04:05"));
	json_tokyo = render(ow_render_incident_json, &st.inc, &st.v);
	assert_non_null(strstr(json_tokyo, "\"2026-11-25T19:04:05.123Z\""));
	list = list_text(&row, 1, 0, NULL);
	assert_non_null(strstr(list, "\n7       2026-11-26 04:04:05  memcg /demo"));
	free(list);
	free(html);
	free(text);

	setenv("TZ", "UTC", 1);
	tzset();
	text = render(ow_render_incident_text, &st.inc, &st.v);
	assert_non_null(strstr(text, "2026-11-25 19:04:05.123 .. 19:04:06.123, 2 kills"));
	json_utc = render(ow_render_incident_json, &st.inc, &st.v);
	assert_string_equal(json_utc, json_tokyo);
	list = list_text(&row, 1, 0, NULL);
	assert_non_null(strstr(list, "\n7       2026-11-25 19:04:05  memcg /demo"));
	free(list);
	free(json_utc);
	free(json_tokyo);
	free(text);
	teardown_story(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_colour),
		cmocka_unit_test(test_show_colour_hostile),
		cmocka_unit_test(test_list_colour),
		cmocka_unit_test(test_time_zones),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
