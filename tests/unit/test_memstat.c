/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the memory cgroup and system readers (src/capture/memstat.c): the pure
 * parsers (PSI, memory.stat v1 and v2, limit files) on buffers, and the readers on the fake
 * roots under tests/fixtures/:
 *   memstat-v1/   meminfo without /proc/pressure (an older kernel); a v1 memory controller
 *                 mount: "/", "/a", "/a/b", "/c", each with usage, limit, memory.stat and
 *                 (but "/c") the kmem usage files
 *   memstat-v2/   meminfo and PSI; a unified hierarchy whose root has no memory.current,
 *                 "/a" (unlimited, "kernel" in memory.stat), "/a/b" (a pre-5.18 memory.stat
 *                 without "kernel"), "/c", and "/nomem" without the memory controller
 * Tests run from the repository root (make unit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/memstat.h"

#ifndef OW_FIXTURES
#define OW_FIXTURES "tests/fixtures"
#endif
#define ROOT_V1 OW_FIXTURES "/memstat-v1"
#define ROOT_V2 OW_FIXTURES "/memstat-v2"
#define CGROUP_V1 ROOT_V1 "/sys/fs/cgroup/memory"
#define CGROUP_V2 ROOT_V2 "/sys/fs/cgroup"

#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)

/* ---- PSI ----------------------------------------------------------------------------------- */

static void test_psi_some_and_full(void **state)
{
	static const char buf[] = "some avg10=12.34 avg60=5.67 avg300=1.00 total=123456789\n"
				  "full avg10=3.05 avg60=1.20 avg300=0.40 total=45678\n";
	struct ow_system_sample s = { 0 };

	(void)state;
	assert_int_equal(ow_psi_parse(buf, &s), 0);
	assert_true(s.psi_known);
	assert_int_equal(s.psi_some_avg10_centi, 1234);
	assert_int_equal(s.psi_some_total_us, 123456789);
	assert_int_equal(s.psi_full_avg10_centi, 305);
	assert_int_equal(s.psi_full_total_us, 45678);
}

/* Lines in either order, 100% and 0%. */
static void test_psi_full_first(void **state)
{
	static const char buf[] =
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"some avg10=100.00 avg60=99.99 avg300=50.00 total=18446744073709551615\n";
	struct ow_system_sample s = { 0 };

	(void)state;
	assert_int_equal(ow_psi_parse(buf, &s), 0);
	assert_true(s.psi_known);
	assert_int_equal(s.psi_some_avg10_centi, 10000);
	assert_int_equal(s.psi_some_total_us, UINT64_MAX);
	assert_int_equal(s.psi_full_avg10_centi, 0);
	assert_int_equal(s.psi_full_total_us, 0);
}

/* "some" alone (as in /proc/pressure/cpu before 5.13) is enough: full stays 0. */
static void test_psi_without_full(void **state)
{
	static const char buf[] = "some avg10=0.50 avg60=0.10 avg300=0.00 total=999\n";
	struct ow_system_sample s;

	(void)state;
	memset(&s, 0xff, sizeof(s));
	s.psi_known = false;
	assert_int_equal(ow_psi_parse(buf, &s), 0);
	assert_true(s.psi_known);
	assert_int_equal(s.psi_some_avg10_centi, 50);
	assert_int_equal(s.psi_some_total_us, 999);
	assert_int_equal(s.psi_full_avg10_centi, 0);
	assert_int_equal(s.psi_full_total_us, 0);
}

static void test_psi_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"full avg10=1.00 avg60=0.00 avg300=0.00 total=5\n",
		"some avg10=abc avg60=0.00 avg300=0.00 total=5\n",
		"some avg60=0.00 avg300=0.00 total=5\n",
		"some avg10=1.00 avg60=0.00 avg300=0.00\nfull avg10=1.00 total=5\n",
		"some avg10=1.00 avg60=0.00 avg300=0.00 total=\n",
		"some avg10=1.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=x total=5\n",
		"some avg10=1.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=1.00\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ow_system_sample s = { 0 };

		if (ow_psi_parse(bad[i], &s) != -EINVAL)
			fail_msg("PSI case %zu parsed: \"%s\"", i, bad[i]);
		assert_false(s.psi_known);
	}
}

/* ---- memory.stat --------------------------------------------------------------------------- */

static void test_memcg_stat_v1_totals(void **state)
{
	/* Local fields first, then the hierarchical total_* ones that count. */
	static const char buf[] = "cache 1000\n"
				  "rss 2000\n"
				  "shmem 100\n"
				  "total_cache 3221225472\n"
				  "total_rss_huge 2097152\n"
				  "total_rss 2147483648\n"
				  "total_shmem 268435456\n"
				  "total_mapped_file 0\n";
	struct ow_cgroup_sample s = { 0 };

	(void)state;
	assert_int_equal(ow_memcg_stat_parse(buf, 1, &s), 0);
	assert_int_equal(s.anon_bytes, 2 * GIB);
	assert_int_equal(s.shmem_bytes, 256 * MIB);
	/* file excludes shmem: cache counts tmpfs pages too */
	assert_int_equal(s.file_bytes, 3 * GIB - 256 * MIB);
	assert_int_equal(s.kernel_bytes, 0);
	assert_int_equal(s.sock_bytes, 0);
}

static void test_memcg_stat_v1_shmem_above_cache(void **state)
{
	struct ow_cgroup_sample s = { 0 };

	(void)state;
	assert_int_equal(ow_memcg_stat_parse("total_cache 4096\ntotal_shmem 8192\n", 1, &s), 0);
	assert_int_equal(s.file_bytes, 0);
	assert_int_equal(s.shmem_bytes, 8192);
	assert_int_equal(s.anon_bytes, 0);
}

static void test_memcg_stat_v2_kernel(void **state)
{
	static const char buf[] = "anon 536870912\n"
				  "file 402653184\n"
				  "kernel 67108864\n"
				  "kernel_stack 1048576\n"
				  "pagetables 4194304\n"
				  "percpu 262144\n"
				  "sock 131072\n"
				  "shmem 134217728\n"
				  "file_mapped 33554432\n"
				  "anon_thp 0\n"
				  "slab 12582912\n";
	struct ow_cgroup_sample s = { 0 };

	(void)state;
	assert_int_equal(ow_memcg_stat_parse(buf, 2, &s), 0);
	assert_int_equal(s.anon_bytes, 512 * MIB);
	assert_int_equal(s.shmem_bytes, 128 * MIB);
	assert_int_equal(s.file_bytes, 384 * MIB - 128 * MIB);
	assert_int_equal(s.kernel_bytes, 64 * MIB); /* "kernel", not the sum of its parts */
	assert_int_equal(s.sock_bytes, 128 * KIB);
}

/* Before 5.18: no "kernel"; slab + kernel_stack + pagetables + percpu. */
static void test_memcg_stat_v2_kernel_fallback(void **state)
{
	static const char buf[] = "anon_thp 0\n"
				  "anon 419430400\n"
				  "file 104857600\n"
				  "kernel_stack 262144\n"
				  "pagetables 1048576\n"
				  "percpu 65536\n"
				  "sock 4096\n"
				  "shmem 0\n"
				  "slab_reclaimable 2097152\n"
				  "slab_unreclaimable 1048576\n"
				  "slab 3145728\n";
	struct ow_cgroup_sample s = { 0 };

	(void)state;
	assert_int_equal(ow_memcg_stat_parse(buf, 2, &s), 0);
	assert_int_equal(s.anon_bytes, 400 * MIB);
	assert_int_equal(s.file_bytes, 100 * MIB);
	assert_int_equal(s.shmem_bytes, 0);
	assert_int_equal(s.kernel_bytes, 3145728 + 262144 + 1048576 + 65536);
	assert_int_equal(s.sock_bytes, 4096);
}

static void test_memcg_stat_none_of_the_fields(void **state)
{
	struct ow_cgroup_sample s = { 0 };

	(void)state;
	assert_int_equal(ow_memcg_stat_parse("", 1, &s), -EINVAL);
	assert_int_equal(ow_memcg_stat_parse("", 2, &s), -EINVAL);
	/* v1 files read as v2 and the other way round: nothing either knows */
	assert_int_equal(ow_memcg_stat_parse("cache 1\nrss 2\nfile_mapped 3\n", 1, &s), -EINVAL);
	assert_int_equal(ow_memcg_stat_parse("total_rss 1\nanon_thp 2\nfile_dirty 3\n", 2, &s),
			 -EINVAL);
}

/* ---- limits -------------------------------------------------------------------------------- */

static void test_limit_parse(void **state)
{
	uint64_t v;

	(void)state;
	v = 0;
	assert_int_equal(ow_memcg_limit_parse("max\n", &v), 0);
	assert_int_equal(v, OW_LIMIT_NONE);
	v = 0;
	assert_int_equal(ow_memcg_limit_parse("max", &v), 0);
	assert_int_equal(v, OW_LIMIT_NONE);
	assert_int_equal(ow_memcg_limit_parse("536870912\n", &v), 0);
	assert_int_equal(v, 512 * MIB);
	assert_int_equal(ow_memcg_limit_parse("0\n", &v), 0);
	assert_int_equal(v, 0);
	/* v1 unlimited: PAGE_COUNTER_MAX pages in bytes, 4 KiB and 64 KiB pages */
	assert_int_equal(ow_memcg_limit_parse("9223372036854771712\n", &v), 0);
	assert_int_equal(v, OW_LIMIT_NONE);
	assert_int_equal(ow_memcg_limit_parse("9223372036854710272\n", &v), 0);
	assert_int_equal(v, OW_LIMIT_NONE);
	/* a large real limit: 1 PiB */
	assert_int_equal(ow_memcg_limit_parse("1125899906842624\n", &v), 0);
	assert_int_equal(v, 1024 * 1024 * GIB);
}

static void test_limit_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"garbage\n",
		"12abc\n",
		"maximum\n",
		"max max\n",
		"99999999999999999999999\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 42;

		if (ow_memcg_limit_parse(bad[i], &v) != -EINVAL)
			fail_msg("limit case %zu parsed: \"%s\"", i, bad[i]);
		assert_int_equal(v, 42);
	}
}

/* ---- readers on the fixtures --------------------------------------------------------------- */

static void test_reader_versions(void **state)
{
	struct ow_memstat_reader *r;

	(void)state;
	assert_int_equal(ow_memstat_reader_new(ROOT_V1, &r), 0);
	assert_int_equal(ow_memstat_reader_version(r), 1);
	ow_memstat_reader_free(r);
	assert_int_equal(ow_memstat_reader_new(ROOT_V2, &r), 0);
	assert_int_equal(ow_memstat_reader_version(r), 2);
	ow_memstat_reader_free(r);
	ow_memstat_reader_free(NULL);
}

static void test_read_system_v1_no_psi(void **state)
{
	struct ow_memstat_reader *r;
	struct ow_system_sample s;

	(void)state;
	assert_int_equal(ow_memstat_reader_new(ROOT_V1, &r), 0);
	assert_int_equal(ow_memstat_read_system(r, &s), 0);
	assert_true(s.present);
	assert_int_equal(s.mem_total_bytes, 8000000 * KIB);
	assert_int_equal(s.mem_available_bytes, 3000000 * KIB);
	assert_int_equal(s.swap_total_bytes, 1000000 * KIB);
	assert_int_equal(s.swap_free_bytes, 250000 * KIB);
	assert_false(s.psi_known);
	assert_int_equal(s.psi_some_avg10_centi, 0);
	assert_int_equal(s.psi_some_total_us, 0);
	ow_memstat_reader_free(r);
}

static void test_read_system_v2_psi(void **state)
{
	struct ow_memstat_reader *r;
	struct ow_system_sample s;

	(void)state;
	assert_int_equal(ow_memstat_reader_new(ROOT_V2, &r), 0);
	assert_int_equal(ow_memstat_read_system(r, &s), 0);
	assert_true(s.present);
	assert_int_equal(s.mem_total_bytes, 16000000 * KIB);
	assert_int_equal(s.mem_available_bytes, 6000000 * KIB);
	assert_int_equal(s.swap_total_bytes, 0);
	assert_int_equal(s.swap_free_bytes, 0);
	assert_true(s.psi_known);
	assert_int_equal(s.psi_some_avg10_centi, 1234);
	assert_int_equal(s.psi_some_total_us, 123456789);
	assert_int_equal(s.psi_full_avg10_centi, 305);
	assert_int_equal(s.psi_full_total_us, 45678);
	ow_memstat_reader_free(r);
}

static void test_read_system_missing_root(void **state)
{
	struct ow_memstat_reader *r;
	struct ow_system_sample s;

	(void)state;
	assert_int_equal(ow_memstat_reader_new(OW_FIXTURES "/no-such-root", &r), 0);
	assert_int_equal(ow_memstat_reader_version(r), 0);
	assert_int_equal(ow_memstat_read_system(r, &s), -ENOENT);
	assert_false(s.present);
	/* no memory cgroups: the walk reports nothing */
	assert_int_equal(ow_memstat_walk_cgroups(r, 100, NULL, NULL), 0);
	ow_memstat_reader_free(r);
}

/* What a walk reported, copied out of the callback. */
struct walked {
	size_t n;
	struct {
		char path[64];
		uint64_t id;
		struct ow_cgroup_sample sample;
	} cg[16];
};

static void on_cgroup(void *ctx, const struct ow_cgroup_reading *reading)
{
	struct walked *wk = ctx;

	assert_true(wk->n < 16);
	snprintf(wk->cg[wk->n].path, sizeof(wk->cg[wk->n].path), "%s", reading->path);
	wk->cg[wk->n].id = reading->id;
	wk->cg[wk->n].sample = reading->sample;
	wk->n++;
}

static ssize_t walked_index(const struct walked *wk, const char *path)
{
	for (size_t i = 0; i < wk->n; i++)
		if (strcmp(wk->cg[i].path, path) == 0)
			return (ssize_t)i;
	return -1;
}

static uint64_t dir_inode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* path was reported with its directory's inode as id and these values. */
static void assert_walked(const struct walked *wk, const char *path, const char *dir,
			  const struct ow_cgroup_sample *want)
{
	ssize_t i = walked_index(wk, path);
	const struct ow_cgroup_sample *got;

	if (i < 0)
		fail_msg("cgroup %s not reported", path);
	got = &wk->cg[i].sample;
	assert_int_equal(wk->cg[i].id, dir_inode(dir));
	assert_true(got->present);
	assert_int_equal(got->usage_bytes, want->usage_bytes);
	assert_int_equal(got->limit_bytes, want->limit_bytes);
	assert_int_equal(got->anon_bytes, want->anon_bytes);
	assert_int_equal(got->file_bytes, want->file_bytes);
	assert_int_equal(got->shmem_bytes, want->shmem_bytes);
	assert_int_equal(got->kernel_bytes, want->kernel_bytes);
	assert_int_equal(got->sock_bytes, want->sock_bytes);
}

/* Every reported cgroup's parent, when reported, came before it. */
static void assert_parents_first(const struct walked *wk)
{
	for (size_t i = 0; i < wk->n; i++) {
		char parent[64];
		char *slash;
		ssize_t p;

		if (strcmp(wk->cg[i].path, "/") == 0)
			continue;
		snprintf(parent, sizeof(parent), "%s", wk->cg[i].path);
		slash = strrchr(parent, '/');
		assert_non_null(slash);
		if (slash == parent)
			slash[1] = '\0';
		else
			*slash = '\0';
		p = walked_index(wk, parent);
		if (p >= (ssize_t)i)
			fail_msg("%s reported after its child %s", parent, wk->cg[i].path);
	}
	for (size_t i = 0; i < wk->n; i++)
		assert_int_equal(walked_index(wk, wk->cg[i].path), (ssize_t)i); /* once each */
}

static void test_walk_v1(void **state)
{
	struct ow_memstat_reader *r;
	struct walked wk = { 0 };
	const struct ow_cgroup_sample root = {
		.usage_bytes = 6 * GIB,
		.limit_bytes = OW_LIMIT_NONE,
		.anon_bytes = 2 * GIB,
		.file_bytes = 3 * GIB - 256 * MIB,
		.shmem_bytes = 256 * MIB,
		.kernel_bytes = 100 * MIB,
		.sock_bytes = 1 * MIB,
	};
	const struct ow_cgroup_sample a = {
		.usage_bytes = 1536 * MIB,
		.limit_bytes = 2 * GIB,
		.anon_bytes = 1 * GIB,
		.file_bytes = 384 * MIB,
		.shmem_bytes = 128 * MIB,
		.kernel_bytes = 50 * MIB,
		.sock_bytes = 512 * KIB,
	};
	const struct ow_cgroup_sample a_b = {
		.usage_bytes = 1000 * MIB,
		.limit_bytes = 1 * GIB,
		.anon_bytes = 800 * MIB,
		.file_bytes = 200 * MIB,
	};
	/* no kmem files: kernel and sock unknown, 0 */
	const struct ow_cgroup_sample c = {
		.usage_bytes = 4096,
		.limit_bytes = OW_LIMIT_NONE,
		.shmem_bytes = 8192,
	};

	(void)state;
	assert_int_equal(ow_memstat_reader_new(ROOT_V1, &r), 0);
	assert_int_equal(ow_memstat_walk_cgroups(r, 100, on_cgroup, &wk), 4);
	assert_int_equal(wk.n, 4);
	assert_string_equal(wk.cg[0].path, "/");
	assert_walked(&wk, "/", CGROUP_V1, &root);
	assert_walked(&wk, "/a", CGROUP_V1 "/a", &a);
	assert_walked(&wk, "/a/b", CGROUP_V1 "/a/b", &a_b);
	assert_walked(&wk, "/c", CGROUP_V1 "/c", &c);
	assert_parents_first(&wk);
	ow_memstat_reader_free(r);
}

static void test_walk_v2(void **state)
{
	struct ow_memstat_reader *r;
	struct walked wk = { 0 };
	const struct ow_cgroup_sample a = {
		.usage_bytes = 1 * GIB,
		.limit_bytes = OW_LIMIT_NONE,
		.anon_bytes = 512 * MIB,
		.file_bytes = 256 * MIB,
		.shmem_bytes = 128 * MIB,
		.kernel_bytes = 64 * MIB,
		.sock_bytes = 128 * KIB,
	};
	const struct ow_cgroup_sample a_b = {
		.usage_bytes = 500 * MIB,
		.limit_bytes = 512 * MIB,
		.anon_bytes = 400 * MIB,
		.file_bytes = 100 * MIB,
		.kernel_bytes = 3145728 + 262144 + 1048576 + 65536,
		.sock_bytes = 4096,
	};
	const struct ow_cgroup_sample c = {
		.usage_bytes = 8192,
		.limit_bytes = 1 * MIB,
		.anon_bytes = 4096,
		.file_bytes = 4096,
	};

	(void)state;
	assert_int_equal(ow_memstat_reader_new(ROOT_V2, &r), 0);
	/* The root (no memory.current) and /nomem (no memory controller) are not reported. */
	assert_int_equal(ow_memstat_walk_cgroups(r, 100, on_cgroup, &wk), 3);
	assert_int_equal(wk.n, 3);
	assert_int_equal(walked_index(&wk, "/"), -1);
	assert_int_equal(walked_index(&wk, "/nomem"), -1);
	assert_walked(&wk, "/a", CGROUP_V2 "/a", &a);
	assert_walked(&wk, "/a/b", CGROUP_V2 "/a/b", &a_b);
	assert_walked(&wk, "/c", CGROUP_V2 "/c", &c);
	assert_parents_first(&wk);
	ow_memstat_reader_free(r);
}

static void test_walk_max_cgroups(void **state)
{
	struct ow_memstat_reader *r;

	(void)state;
	assert_int_equal(ow_memstat_reader_new(ROOT_V1, &r), 0);
	for (size_t max = 0; max <= 5; max++) {
		struct walked wk = { 0 };
		size_t want = max < 4 ? max : 4;

		assert_int_equal(ow_memstat_walk_cgroups(r, max, on_cgroup, &wk), (int)want);
		assert_int_equal(wk.n, want);
		if (want)
			assert_string_equal(wk.cg[0].path, "/");
		assert_parents_first(&wk);
		/* a cut-off walk still never reports a child without its parent */
		for (size_t i = 0; i < wk.n; i++)
			if (strcmp(wk.cg[i].path, "/a/b") == 0)
				assert_true(walked_index(&wk, "/a") >= 0);
	}
	ow_memstat_reader_free(r);
}

/* ---- reusing the listing ------------------------------------------------------------------ */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w"); /* truncated in place: the reader's open file sees the new text */
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static size_t walk_count(struct ow_memstat_reader *r, struct walked *wk)
{
	memset(wk, 0, sizeof(*wk));
	return (size_t)ow_memstat_walk_cgroups(r, 100, on_cgroup, wk);
}

/*
 * Walks after the first read the files of the last listing: a new cgroup shows once a process
 * is seen in it (ow_memstat_note_cgroup_id) or at the periodic listing; memory.stat and the
 * limit are read again when the usage moved by 1 MiB, or every 10 walks.
 */
static void test_walk_reuses_listing(void **state)
{
	char root[] = "/tmp/ow-test-memstat.XXXXXX", cmd[PATH_MAX * 2], d[PATH_MAX], c[PATH_MAX];
	struct ow_memstat_reader *r;
	struct walked wk;
	ssize_t i;
	int walks;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "cp -r %s/. %s", ROOT_V2, root);
	assert_int_equal(system(cmd), 0);
	snprintf(d, sizeof(d), "%s/sys/fs/cgroup/d", root);
	snprintf(c, sizeof(c), "%s/sys/fs/cgroup/c", root);
	assert_int_equal(ow_memstat_reader_new(root, &r), 0);
	assert_int_equal(walk_count(r, &wk), 3);

	/* a new cgroup: not listed until a process is seen in it */
	assert_int_equal(mkdir(d, 0700), 0);
	write_file(d, "memory.current", "4096\n");
	write_file(d, "memory.max", "max\n");
	write_file(d, "memory.stat", "anon 4096\nfile 0\n");
	assert_int_equal(walk_count(r, &wk), 3);
	ow_memstat_note_cgroup_id(r, dir_inode(c)); /* known: nothing changes */
	assert_int_equal(walk_count(r, &wk), 3);
	ow_memstat_note_cgroup_id(r, dir_inode(d));
	assert_int_equal(walk_count(r, &wk), 4);
	assert_true(walked_index(&wk, "/d") >= 0);

	/* the split and limit of /c: kept while its usage stays within 1 MiB, read again past it */
	write_file(c, "memory.stat", "anon 1048576\nfile 4096\n");
	write_file(c, "memory.max", "4194304\n");
	assert_int_equal(walk_count(r, &wk), 4);
	i = walked_index(&wk, "/c");
	assert_true(i >= 0);
	assert_int_equal(wk.cg[i].sample.usage_bytes, 8192);
	assert_int_equal(wk.cg[i].sample.anon_bytes, 4096);
	assert_int_equal(wk.cg[i].sample.limit_bytes, 1 * MIB);
	write_file(c, "memory.current", "2105344\n"); /* + 2 MiB */
	assert_int_equal(walk_count(r, &wk), 4);
	i = walked_index(&wk, "/c");
	assert_int_equal(wk.cg[i].sample.usage_bytes, 2105344);
	assert_int_equal(wk.cg[i].sample.anon_bytes, 1048576);
	assert_int_equal(wk.cg[i].sample.limit_bytes, 4 * MIB);
	/* and every 10 walks when the usage stays */
	write_file(c, "memory.stat", "anon 2097152\nfile 4096\n");
	for (walks = 0; walks < 10; walks++) {
		assert_int_equal(walk_count(r, &wk), 4);
		i = walked_index(&wk, "/c");
		if (wk.cg[i].sample.anon_bytes == 2097152)
			break;
	}
	assert_true(walks < 10);

	/* a removed cgroup goes at the next listing, within 30 walks */
	snprintf(cmd, sizeof(cmd), "rm -r %s", d);
	assert_int_equal(system(cmd), 0);
	for (walks = 1; walks <= 30 && walk_count(r, &wk) == 4; walks++)
		;
	assert_true(walks <= 30);
	assert_int_equal(wk.n, 3);
	ow_memstat_reader_free(r);
	snprintf(cmd, sizeof(cmd), "rm -r %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psi_some_and_full),
		cmocka_unit_test(test_psi_full_first),
		cmocka_unit_test(test_psi_without_full),
		cmocka_unit_test(test_psi_malformed),
		cmocka_unit_test(test_memcg_stat_v1_totals),
		cmocka_unit_test(test_memcg_stat_v1_shmem_above_cache),
		cmocka_unit_test(test_memcg_stat_v2_kernel),
		cmocka_unit_test(test_memcg_stat_v2_kernel_fallback),
		cmocka_unit_test(test_memcg_stat_none_of_the_fields),
		cmocka_unit_test(test_limit_parse),
		cmocka_unit_test(test_limit_parse_garbage),
		cmocka_unit_test(test_reader_versions),
		cmocka_unit_test(test_read_system_v1_no_psi),
		cmocka_unit_test(test_read_system_v2_psi),
		cmocka_unit_test(test_read_system_missing_root),
		cmocka_unit_test(test_walk_v1),
		cmocka_unit_test(test_walk_v2),
		cmocka_unit_test(test_walk_max_cgroups),
		cmocka_unit_test(test_walk_reuses_listing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
