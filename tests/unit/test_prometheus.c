/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the Prometheus exposition (src/output/prometheus.c): every metric with its
 * HELP and TYPE lines and every sample line in the shape the text format 0.0.4 allows, numbers
 * written from integers, hostile label values (quotes, backslashes, newlines, ill-formed
 * UTF-8) escaped so that a scrape still parses, the bound on kill label sets, and a failing
 * stream reported as -EIO. The renderer writes to memory streams; lines are checked one by one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/prometheus.h"

/* 2026-11-25T19:04:05.123Z */
#define T0_NS (1795633445ull * 1000000000ull + 123000000ull)

static const char *const metrics[] = {
	"oomwitness_build_info",
	"oomwitness_start_time_seconds",
	"oomwitness_kills_total",
	"oomwitness_last_kill_timestamp_seconds",
	"oomwitness_incidents_total",
	"oomwitness_kernel_hook_kills_total",
	"oomwitness_events_lost_total",
	"oomwitness_histories_attached_total",
	"oomwitness_sampler_running",
	"oomwitness_sampler_samples_total",
	"oomwitness_sampler_cpu_seconds_total",
	"oomwitness_sampler_last_cpu_seconds",
	"oomwitness_sampler_processes",
	"oomwitness_sampler_history_seconds",
};

static char *render_snapshot(const struct ow_prom_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(ow_prom_render(f, s), 0);
	assert_int_equal(fclose(f), 0);
	if (getenv("OW_TEST_PRINT"))
		fputs(buf, stderr);
	return buf;
}

/* Whether text holds line as a whole line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void assert_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line '%s' in:\n%s", line, text);
}

/*
 * Every line is a HELP or TYPE comment, or a sample: a metric name, optional labels whose
 * values hold only escaped backslashes, quotes and newlines, and a number. Each sample's
 * family was announced by HELP and TYPE before it.
 */
static void assert_exposition(const char *text)
{
	static const char sample_re[] =
		"^([a-zA-Z_:][a-zA-Z0-9_:]*)"
		"(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
		"(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*)\\})? "
		"[0-9]+(\\.[0-9]+)?$";
	char *copy = strdup(text), *save = NULL, typed[128] = "";
	regex_t re;

	assert_non_null(copy);
	assert_int_equal(regcomp(&re, sample_re, REG_EXTENDED), 0);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[2];

		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s", typed), 1);
			assert_true(strstr(line, " counter") || strstr(line, " gauge"));
			continue;
		}
		if (regexec(&re, line, 2, m, 0) != 0)
			fail_msg("not a sample line: '%s'", line);
		if ((size_t)(m[1].rm_eo - m[1].rm_so) != strlen(typed) ||
		    strncmp(line, typed, strlen(typed)) != 0)
			fail_msg("sample '%s' comes before its TYPE line", line);
	}
	regfree(&re);
	free(copy);
}

static void test_every_metric_has_help_and_type(void **state)
{
	struct ow_prom_snapshot s = { .version = "1.2-3-gabc", .start_time_ns = T0_NS };
	char help[160], type[160];
	char *text;

	(void)state;
	text = render_snapshot(&s);
	assert_exposition(text);
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
		const char *kind = strstr(metrics[i], "_total") ? "counter" : "gauge";

		snprintf(help, sizeof(help), "# HELP %s ", metrics[i]);
		snprintf(type, sizeof(type), "# TYPE %s %s", metrics[i], kind);
		if (!strstr(text, help))
			fail_msg("no HELP for %s", metrics[i]);
		assert_line(text, type);
	}
	assert_line(text, "oomwitness_build_info{version=\"1.2-3-gabc\"} 1");
	assert_line(text, "oomwitness_start_time_seconds 1795633445.123");
	/* No kill yet: the family is announced, without samples. */
	assert_null(strstr(text, "oomwitness_kills_total{"));
	assert_line(text, "oomwitness_last_kill_timestamp_seconds 0");
	assert_line(text, "oomwitness_sampler_running 0");
	free(text);
}

static void test_values(void **state)
{
	struct ow_prom_kill_table t = { 0 };
	struct ow_prom_snapshot s = {
		.version = "v",
		.start_time_ns = 1000000000ull,
		.kills = &t,
		.last_kill_time_ns = T0_NS,
		.incidents = 2,
		.hook_kills = 4,
		.lost_records = 17,
		.histories_attached = 1,
		.sampler_running = true,
		.sampler_samples = 600,
		.sampler_cpu_ns = 901500000ull, /* 0.9015 s */
		.sampler_last_cpu_ns = 1420000ull, /* 1.42 ms */
		.sampler_processes = 1950,
		.sampler_history_ns = 599000000001ull,
	};
	char *text;

	(void)state;
	assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, "/a", ""), 0);
	assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, "/a", NULL), 0);
	assert_int_equal(
		ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, "/a", "nginx.service"), 0);
	assert_int_equal(
		ow_prom_kills_add(&t, OW_KILLER_SIGNAL, OW_DOMAIN_GLOBAL, NULL, "0123456789ab"), 0);
	assert_int_equal(t.n, 3);
	text = render_snapshot(&s);
	assert_exposition(text);
	assert_line(text, "oomwitness_start_time_seconds 1");
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\","
			  "cgroup=\"/a\",container=\"\"} 2");
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\","
			  "cgroup=\"/a\",container=\"nginx.service\"} 1");
	assert_line(text, "oomwitness_kills_total{killer=\"signal\",domain_kind=\"global\","
			  "cgroup=\"\",container=\"0123456789ab\"} 1");
	assert_line(text, "oomwitness_last_kill_timestamp_seconds 1795633445.123");
	assert_line(text, "oomwitness_incidents_total 2");
	assert_line(text, "oomwitness_kernel_hook_kills_total 4");
	assert_line(text, "oomwitness_events_lost_total 17");
	assert_line(text, "oomwitness_histories_attached_total 1");
	assert_line(text, "oomwitness_sampler_running 1");
	assert_line(text, "oomwitness_sampler_samples_total 600");
	assert_line(text, "oomwitness_sampler_cpu_seconds_total 0.9015");
	assert_line(text, "oomwitness_sampler_last_cpu_seconds 0.00142");
	assert_line(text, "oomwitness_sampler_processes 1950");
	assert_line(text, "oomwitness_sampler_history_seconds 599.000000001");
	free(text);
	ow_prom_kills_clear(&t);
	assert_int_equal(t.n, 0);
	ow_prom_kills_clear(NULL);
}

/* cgroup names may hold any byte but '/' and NUL; the scrape must still parse. */
static void test_hostile_label_values(void **state)
{
	struct ow_prom_kill_table t = { 0 };
	struct ow_prom_snapshot s = { .version = "v\"1\\\n", .kills = &t };
	char *text;

	(void)state;
	ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, "/q\"uote/back\\slash/new\nline",
			  "} 99\nfake_metric 1");
	/* Ill-formed UTF-8: a lone continuation byte, a truncated sequence, an overlong '/'. */
	ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, "/bad\x80utf8\xe2\x82/\xc0\xaf",
			  "");
	/* Valid UTF-8 and other control characters pass as they are. */
	ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, "/caf\xc3\xa9\t\r", "");
	text = render_snapshot(&s);
	assert_exposition(text);
	assert_line(text, "oomwitness_build_info{version=\"v\\\"1\\\\\\n\"} 1");
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\","
			  "cgroup=\"/q\\\"uote/back\\\\slash/new\\nline\","
			  "container=\"} 99\\nfake_metric 1\"} 1");
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\","
			  "cgroup=\"/bad\xef\xbf\xbdutf8\xef\xbf\xbd/\xef\xbf\xbd\xef\xbf\xbd\","
			  "container=\"\"} 1");
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\","
			  "cgroup=\"/caf\xc3\xa9\t\r\",container=\"\"} 1");
	assert_false(has_line(text, "fake_metric 1\"} 1"));
	free(text);
	ow_prom_kills_clear(&t);
}

/* A machine making a cgroup per job: the series stay bounded, no kill is dropped. */
static void test_label_sets_bounded(void **state)
{
	struct ow_prom_kill_table t = { 0 };
	struct ow_prom_snapshot s = { .version = "v", .kills = &t };
	uint64_t total = 0;
	char cg[32], *text;

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(cg, sizeof(cg), "/job-%d", i);
		assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, cg, ""),
				 i < OW_PROM_KILL_NAMED_MAX ? 0 : 1);
	}
	assert_int_equal(t.n, OW_PROM_KILL_NAMED_MAX + 1);
	/* A label set seen before the bound keeps its own series. */
	assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_MEMCG, "/job-0", ""), 0);
	/* Each killer and domain kind has its overflow series: never more than the bound. */
	assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_KERNEL, OW_DOMAIN_GLOBAL, "", "x"), 1);
	assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_SIGNAL, OW_DOMAIN_GLOBAL, "", "x"), 1);
	assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_SIGNAL, OW_DOMAIN_MEMCG, "/y", ""), 1);
	assert_int_equal(ow_prom_kills_add(&t, OW_KILLER_SIGNAL, OW_DOMAIN_MEMCG, "/z", ""), 1);
	assert_int_equal(t.n, OW_PROM_KILL_SERIES_MAX);
	for (size_t i = 0; i < t.n; i++)
		total += t.series[i].kills;
	assert_int_equal(total, 105);

	text = render_snapshot(&s);
	assert_exposition(text);
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\","
			  "cgroup=\"/job-0\",container=\"\"} 2");
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\","
			  "cgroup=\"other\",container=\"other\"} 40");
	assert_line(text, "oomwitness_kills_total{killer=\"signal\",domain_kind=\"memcg\","
			  "cgroup=\"other\",container=\"other\"} 2");
	assert_line(text, "oomwitness_kills_total{killer=\"kernel\",domain_kind=\"global\","
			  "cgroup=\"other\",container=\"other\"} 1");
	assert_null(strstr(text, "/job-60\""));
	free(text);
	ow_prom_kills_clear(&t);
}

/* A stream that cannot be written (a full disk) is an error, not a short scrape. */
static void test_write_error(void **state)
{
	struct ow_prom_snapshot s = { .version = "v" };
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(ow_prom_render(f, &s), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_metric_has_help_and_type),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_hostile_label_values),
		cmocka_unit_test(test_label_sets_bounded),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
