/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of src/model/filter.c: the values `list --since/--cgroup/--container` and
 * `record --max-age/--max-db-size` take (durations, sizes, times in UTC and local time, cgroup
 * paths), what each refuses, the path-boundary rule of --cgroup, and which containers, units
 * and pods --container names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/filter.h"

#define S 1000000000ull
/* 2026-11-25T10:00:00Z */
#define T10_S 1795600800ull

static void test_durations(void **state)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} good[] = {
		{ "0", 0 },
		{ "90", 90 * S },
		{ "500ms", 500000000ull },
		{ "90s", 90 * S },
		{ "10m", 600 * S },
		{ "2h", 7200 * S },
		{ "30d", 2592000 * S },
		{ "1w", 604800 * S },
	};
	static const char *const bad[] = { "",	   "h",	 "-5m", "+5m", " 5m",  "5 m", "5m ",
					   "1.5h", "5M", "5x",	"2hh", "0x10", "5min" };
	uint64_t ns;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = 1;
		assert_int_equal(ow_parse_duration_ns(good[i].text, &ns), 0);
		assert_int_equal(ns, good[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ow_parse_duration_ns(bad[i], &ns) != -EINVAL)
			fail_msg("duration '%s' was not refused", bad[i]);
	assert_int_equal(ow_parse_duration_ns(NULL, &ns), -EINVAL);
	/* 584 years of ns fit; the next week does not, nor a number past 2^64. */
	assert_int_equal(ow_parse_duration_ns("30000w", &ns), 0);
	assert_int_equal(ow_parse_duration_ns("31000w", &ns), -ERANGE);
	assert_int_equal(ow_parse_duration_ns("99999999999999999999", &ns), -ERANGE);
}

static void test_sizes(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} good[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "64K", 64ull << 10 },
		{ "512M", 512ull << 20 },
		{ "512MiB", 512ull << 20 },
		{ "2G", 2ull << 30 },
		{ "1GiB", 1ull << 30 },
		{ "3T", 3ull << 40 },
	};
	static const char *const bad[] = { "", "M", "1.5G", "-1G", "512MB", "512m", "512 M", "1P" };
	uint64_t bytes;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ow_parse_size_bytes(good[i].text, &bytes), 0);
		assert_int_equal(bytes, good[i].bytes);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ow_parse_size_bytes(bad[i], &bytes) != -EINVAL)
			fail_msg("size '%s' was not refused", bad[i]);
	assert_int_equal(ow_parse_size_bytes("16777216T", &bytes), -ERANGE);
}

static void test_times(void **state)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} utc[] = {
		{ "2026-11-25T10:00:00Z", T10_S * S },
		{ "2026-11-25t10:00:00z", T10_S * S },
		{ "2026-11-25 10:00:00Z", T10_S * S },
		{ "2026-11-25T11:30:00+01:30", T10_S * S },
		{ "2026-11-25T05:00:00-05:00", T10_S * S },
		{ "2026-11-25T10:00:00.25Z", T10_S * S + 250000000ull },
		{ "2026-11-25T10:00:00.123456789999Z", T10_S * S + 123456789ull },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2028-02-29T00:00:00Z", 1835395200ull * S },
	};
	static const char *const bad[] = {
		"2026-11-25T10:00Z:00",
		"2026-13-01T00:00:00Z",
		"2026-02-29T00:00:00Z",
		"2026-11-31T00:00:00Z",
		"2026-11-25T24:00:00Z",
		"2026-11-25T10:60:00Z",
		"2026-11-25T10:00:00.Z",
		"2026-11-25T10:00:00+1:00",
		"26-11-25",
		"2026-11-25T10",
		"2026/11/25",
		"yesterday",
		"2026-11-25T10:00:00Zjunk",
	};
	uint64_t ns;

	(void)state;
	for (size_t i = 0; i < sizeof(utc) / sizeof(utc[0]); i++) {
		if (ow_parse_time_ns(utc[i].text, &ns) != 0)
			fail_msg("time '%s' was refused", utc[i].text);
		assert_int_equal(ns, utc[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ow_parse_time_ns(bad[i], &ns) != -EINVAL)
			fail_msg("time '%s' was not refused", bad[i]);
	assert_int_equal(ow_parse_time_ns("1969-12-31T23:00:00Z", &ns), -ERANGE);
	assert_int_equal(ow_parse_time_ns("1970-01-01T00:30:00+01:00", &ns), -ERANGE);

	/* Without a zone it is local time, as list prints it: TZ is honoured. */
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_int_equal(ow_parse_time_ns("2026-11-25 10:00:00", &ns), 0);
	assert_int_equal(ns, T10_S * S);
	assert_int_equal(ow_parse_time_ns("2026-11-25 10:00", &ns), 0);
	assert_int_equal(ns, T10_S * S);
	assert_int_equal(ow_parse_time_ns("2026-11-25", &ns), 0);
	assert_int_equal(ns, (T10_S - 36000) * S);
	assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
	tzset();
	assert_int_equal(ow_parse_time_ns("2026-11-25 19:00:00", &ns), 0);
	/* Tokyo is UTC+9; without zone data glibc falls back to UTC. */
	if (ns != (T10_S + 9 * 3600) * S)
		assert_int_equal(ns, T10_S * S);
	/* A zone given wins over TZ. */
	assert_int_equal(ow_parse_time_ns("2026-11-25T10:00:00Z", &ns), 0);
	assert_int_equal(ns, T10_S * S);
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
}

static void test_since(void **state)
{
	uint64_t now = (T10_S + 7200) * S, ns;

	(void)state;
	assert_int_equal(ow_parse_since_ns("2h", now, &ns), 0);
	assert_int_equal(ns, T10_S * S);
	assert_int_equal(ow_parse_since_ns("0", now, &ns), 0);
	assert_int_equal(ns, now);
	assert_int_equal(ow_parse_since_ns("2026-11-25T10:00:00Z", now, &ns), 0);
	assert_int_equal(ns, T10_S * S);
	/* Further back than the epoch: everything. */
	assert_int_equal(ow_parse_since_ns("30000w", now, &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(ow_parse_since_ns("2 hours", now, &ns), -EINVAL);
	assert_int_equal(ow_parse_since_ns("", now, &ns), -EINVAL);
	assert_int_equal(ow_parse_since_ns("99999999999999999999", now, &ns), -ERANGE);
}

static void test_cgroup_paths(void **state)
{
	static const struct {
		const char *text, *path;
	} good[] = {
		{ "/", "/" },	    { "///", NULL }, /* an empty component */
		{ "/a", "/a" },	    { "/a/", "/a" },
		{ "/a/b//", NULL }, { "/system.slice/foo.service", "/system.slice/foo.service" },
		{ "a", NULL },	    { "", NULL },
		{ "./a", NULL },
	};
	char *path;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = ow_parse_cgroup_path(good[i].text, &path);

		if (!good[i].path) {
			if (r != -EINVAL)
				fail_msg("cgroup '%s' was not refused", good[i].text);
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(path, good[i].path);
		free(path);
	}
	assert_true(ow_cgroup_is_under("/a", "/a"));
	assert_true(ow_cgroup_is_under("/a/b", "/a"));
	assert_true(ow_cgroup_is_under("/a/b/c", "/a/b"));
	assert_false(ow_cgroup_is_under("/ab", "/a"));
	assert_false(ow_cgroup_is_under("/a", "/a/b"));
	assert_false(ow_cgroup_is_under("/b/a", "/a"));
	assert_true(ow_cgroup_is_under("/anything", "/"));
	assert_true(ow_cgroup_is_under("/", "/"));
	assert_false(ow_cgroup_is_under(NULL, "/"));
}

#define ID "3f2a1b9c0d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd"
#define UID "0d0c3a54-7c2f-4b0e-9c41-5f1c0b6e2a77"
#define UID_ "0d0c3a54_7c2f_4b0e_9c41_5f1c0b6e2a77"

static void test_container_matches(void **state)
{
	const char *docker = "/system.slice/docker-" ID ".scope";
	const char *pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
			  ".slice/cri-containerd-" ID ".scope";
	const char *unit = "/system.slice/nginx.service";

	(void)state;
	/* An id: its label (12 digits), any prefix of at least 4 digits, or all of it. */
	assert_true(ow_container_matches("3f2a1b9c0d4e", docker));
	assert_true(ow_container_matches("3f2a", docker));
	assert_true(ow_container_matches(ID, docker));
	assert_false(ow_container_matches("3f2", docker));
	assert_false(ow_container_matches("3f2a1b9c0d4f", docker));
	assert_false(ow_container_matches(ID "0", docker));
	assert_false(ow_container_matches("f2a1", docker)); /* not a prefix */
	/* A pod: its UID with dashes or underscores, or its label "pod:UID"; its container too. */
	assert_true(ow_container_matches(UID, pod));
	assert_true(ow_container_matches(UID_, pod));
	assert_true(ow_container_matches("pod:" UID, pod));
	assert_true(ow_container_matches("3f2a1b9c", pod));
	assert_false(ow_container_matches("0d0c3a54", pod)); /* a UID is whole, not a prefix */
	/* A systemd unit, by its whole name. */
	assert_true(ow_container_matches("nginx.service", unit));
	assert_false(ow_container_matches("nginx", unit));
	assert_false(ow_container_matches("nginx.service", "/system.slice/nginx2.service"));
	/* Nothing names a plain cgroup, an unknown path, or an empty query. */
	assert_false(ow_container_matches("oomwitness", "/oomwitness"));
	assert_false(ow_container_matches("3f2a", NULL));
	assert_false(ow_container_matches(NULL, docker));
	assert_false(ow_container_matches("", docker));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),    cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_times),	     cmocka_unit_test(test_since),
		cmocka_unit_test(test_cgroup_paths), cmocka_unit_test(test_container_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
