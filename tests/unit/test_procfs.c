/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the /proc and /sys readers (src/capture/procfs.c), the kallsyms symbolizer
 * and the command-line cache, run on the fake roots under tests/fixtures/:
 *   procfs/          meminfo, kallsyms, cmdlines of pids 1, 200 (empty), 4242, 4244, a v1
 *                    memory controller mount
 *   procfs-v2/       a cgroup v2 mount whose cgroup.controllers lists "memory"
 *   procfs-hidden/   a kallsyms whose addresses are all zero (kptr_restrict), no /sys
 * Tests run from the repository root (make unit).
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
#include <sys/stat.h>
#include <unistd.h>

#include "capture/cmdline_cache.h"
#include "capture/kallsyms.h"
#include "capture/procfs.h"
#include "model/shared_str.h"

#ifndef OW_FIXTURES
#define OW_FIXTURES "tests/fixtures"
#endif
#define ROOT OW_FIXTURES "/procfs"
#define ROOT_V2 OW_FIXTURES "/procfs-v2"
#define ROOT_HIDDEN OW_FIXTURES "/procfs-hidden"

#define KIB 1024ull

/* ---- cmdline ---- */

static void test_cmdline_from_raw_joins_args(void **state)
{
	static const char raw[] = "python3\0-m\0http.server\0"
				  "8080";
	char *s;

	(void)state;
	/* sizeof - 1: the last argument without its NUL, as a truncated read gives it. */
	s = ow_procfs_cmdline_from_raw(raw, sizeof(raw) - 1);
	assert_non_null(s);
	assert_string_equal(s, "python3 -m http.server 8080");
	free(s);
}

static void test_cmdline_from_raw_trailing_nuls(void **state)
{
	static const char raw[] = "/bin/sh\0-c\0\0\0";
	char *s;

	(void)state;
	s = ow_procfs_cmdline_from_raw(raw, sizeof(raw) - 1);
	assert_non_null(s);
	assert_string_equal(s, "/bin/sh -c");
	free(s);
}

static void test_cmdline_from_raw_inner_empty_arg(void **state)
{
	static const char raw[] = "echo\0\0x\0";
	char *s;

	(void)state;
	/* An empty argument in the middle stays visible as a doubled space. */
	s = ow_procfs_cmdline_from_raw(raw, sizeof(raw) - 1);
	assert_non_null(s);
	assert_string_equal(s, "echo  x");
	free(s);
}

static void test_cmdline_from_raw_empty(void **state)
{
	static const char nuls[] = "\0\0\0";

	(void)state;
	assert_null(ow_procfs_cmdline_from_raw("", 0));
	assert_null(ow_procfs_cmdline_from_raw(nuls, sizeof(nuls) - 1));
}

static void test_read_cmdline_present(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(ow_procfs_read_cmdline(ROOT, 4242, &s), 0);
	assert_non_null(s);
	assert_string_equal(s, "/usr/bin/memhog --size 512M");
	free(s);
	s = NULL;
	assert_int_equal(ow_procfs_read_cmdline(ROOT, 1, &s), 0);
	assert_string_equal(s, "/sbin/init splash");
	free(s);
}

static void test_read_cmdline_empty_file(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(ow_procfs_read_cmdline(ROOT, 200, &s), -ENODATA);
	assert_null(s);
}

static void test_read_cmdline_missing_pid(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(ow_procfs_read_cmdline(ROOT, 31337, &s), -ENOENT);
	assert_null(s);
}

/* ---- meminfo ---- */

static void test_meminfo_parse(void **state)
{
	static const char buf[] = "MemTotal:        8000000 kB\n"
				  "MemFree:          100000 kB\n"
				  "MemAvailable:    2500000 kB\n"
				  "SwapCached:            4 kB\n"
				  "SwapTotal:       1048576 kB\n"
				  "SwapFree:        1048000 kB\n";
	struct ow_meminfo mi;

	(void)state;
	memset(&mi, 0xff, sizeof(mi));
	assert_int_equal(ow_meminfo_parse(buf, &mi), 0);
	assert_int_equal(mi.mem_total_bytes, 8000000 * KIB);
	assert_int_equal(mi.mem_available_bytes, 2500000 * KIB);
	assert_int_equal(mi.swap_total_bytes, 1048576 * KIB);
	assert_int_equal(mi.swap_free_bytes, 1048000 * KIB);
}

static void test_meminfo_missing_memtotal(void **state)
{
	static const char buf[] = "MemFree:          100000 kB\n"
				  "MemAvailable:    2500000 kB\n";
	/* A field whose name merely starts with MemTotal does not count. */
	static const char prefix[] = "MemTotalX:       8000000 kB\n";
	struct ow_meminfo mi = { 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(ow_meminfo_parse(buf, &mi), -EINVAL);
	assert_int_equal(ow_meminfo_parse(prefix, &mi), -EINVAL);
	assert_int_equal(ow_meminfo_parse("", &mi), -EINVAL);
	/* Untouched on error. */
	assert_int_equal(mi.mem_total_bytes, 1);
	assert_int_equal(mi.mem_available_bytes, 2);
	assert_int_equal(mi.swap_total_bytes, 3);
	assert_int_equal(mi.swap_free_bytes, 4);
}

static void test_meminfo_missing_available(void **state)
{
	static const char buf[] = "MemTotal:        4096 kB\n"
				  "MemFree:          100 kB\n";
	struct ow_meminfo mi;

	(void)state;
	memset(&mi, 0xff, sizeof(mi));
	assert_int_equal(ow_meminfo_parse(buf, &mi), 0);
	assert_int_equal(mi.mem_total_bytes, 4096 * KIB);
	assert_int_equal(mi.mem_available_bytes, 0);
	assert_int_equal(mi.swap_total_bytes, 0);
}

static void test_meminfo_read(void **state)
{
	struct ow_meminfo mi;

	(void)state;
	memset(&mi, 0, sizeof(mi));
	assert_int_equal(ow_procfs_read_meminfo(ROOT, &mi), 0);
	assert_int_equal(mi.mem_total_bytes, 16315464 * KIB);
	assert_int_equal(mi.mem_available_bytes, 9876540 * KIB);
	assert_int_equal(mi.swap_total_bytes, 2097148 * KIB);
	assert_int_equal(ow_procfs_read_meminfo(ROOT_V2, &mi), -ENOENT);
}

/* ---- the machine's OOM-kill count and boot id (the recorder's kill marks) ---- */

static void test_vmstat_oom_kills(void **state)
{
	uint64_t n = 99;

	(void)state;
	assert_int_equal(
		ow_vmstat_oom_kills_parse("pgfault 12\noom_kill 7\nnuma_hint_faults 0\n", &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(ow_vmstat_oom_kills_parse("oom_kill 18446744073709551615", &n), 0);
	assert_int_equal(n, UINT64_MAX);
	/* A counter whose name merely starts with oom_kill does not count; no line is -ENOENT. */
	assert_int_equal(ow_vmstat_oom_kills_parse("oom_kill_x 3\npgfault 1\n", &n), -ENOENT);
	assert_int_equal(ow_vmstat_oom_kills_parse("", &n), -ENOENT);
	assert_int_equal(ow_vmstat_oom_kills_parse("oom_kill -1\n", &n), -EINVAL);
	assert_int_equal(ow_vmstat_oom_kills_parse("oom_kill 12x\n", &n), -EINVAL);
	assert_int_equal(ow_vmstat_oom_kills_parse("oom_kill 99999999999999999999\n", &n), -EINVAL);
	assert_int_equal(n, UINT64_MAX); /* untouched on error */
	assert_int_equal(ow_procfs_read_oom_kills(ROOT, &n), 0);
	assert_int_equal(n, 1723);
	assert_int_equal(ow_procfs_read_oom_kills(ROOT_V2, &n), -ENOENT);
}

static void test_boot_id(void **state)
{
	uint64_t id = 0;

	(void)state;
	assert_int_equal(ow_boot_id_parse("6a1c2f0e-93b4-4d21-8e5f-0b7c9d3a4e12\n", &id), 0);
	assert_int_equal(id, 0x6a1c2f0e93b44d21ull);
	assert_int_equal(ow_boot_id_parse("FEDCBA98-7654-3210", &id), 0);
	assert_int_equal(id, 0xfedcba9876543210ull);
	assert_int_equal(ow_boot_id_parse("6a1c2f0e-93b4", &id), -EINVAL);
	assert_int_equal(ow_boot_id_parse("6a1c2f0e-93b4-4d2g-8e5f", &id), -EINVAL);
	assert_int_equal(ow_boot_id_parse("", &id), -EINVAL);
	assert_int_equal(id, 0xfedcba9876543210ull);
	assert_int_equal(ow_procfs_read_boot_id(ROOT, &id), 0);
	assert_int_equal(id, 0x6a1c2f0e93b44d21ull);
	assert_int_equal(ow_procfs_read_boot_id(ROOT_V2, &id), -ENOENT);
}

/* ---- pids ---- */

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static void test_list_pids(void **state)
{
	int32_t *pids = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(ow_procfs_list_pids(ROOT, &pids, &n), 0);
	/* proc/sys, proc/meminfo and proc/kallsyms are not pids. */
	assert_int_equal(n, 4);
	qsort(pids, n, sizeof(*pids), cmp_i32);
	assert_int_equal(pids[0], 1);
	assert_int_equal(pids[1], 200);
	assert_int_equal(pids[2], 4242);
	assert_int_equal(pids[3], 4244);
	free(pids);
	assert_int_equal(ow_procfs_list_pids(ROOT_V2, &pids, &n), -ENOENT);
}

/* ---- cgroupfs ---- */

static void test_cgroupfs_memory_version(void **state)
{
	(void)state;
	assert_int_equal(ow_cgroupfs_memory_version(ROOT), 1);
	assert_int_equal(ow_cgroupfs_memory_version(ROOT_V2), 2);
	assert_int_equal(ow_cgroupfs_memory_version(ROOT_HIDDEN), 0);
	assert_int_equal(ow_cgroupfs_memory_version(OW_FIXTURES "/no-such-root"), 0);
}

/* ---- kallsyms ---- */

static void assert_format(const struct ow_kallsyms *ks, uint64_t addr, const char *want)
{
	char buf[128];

	assert_ptr_equal(ow_kallsyms_format(ks, addr, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void test_kallsyms_format(void **state)
{
	struct ow_kallsyms *ks = NULL;

	(void)state;
	assert_int_equal(ow_kallsyms_load(ROOT, &ks), 0);
	assert_non_null(ks);
	/* 't' and 'T' symbols, exact and inside. */
	assert_format(ks, 0xffffffff8135e2a0ull, "mark_victim+0x0");
	assert_format(ks, 0xffffffff8135e2b4ull, "mark_victim+0x14");
	assert_format(ks, 0xffffffff8135e5f0ull, "oom_kill_process+0x0");
	assert_format(ks, 0xffffffff8135e7a3ull, "oom_kill_process+0x1b3");
	assert_format(ks, 0xffffffff81002a41ull, "trace_initcall_start_cb+0x1");
	/* A module symbol: the "[xfs]" column is not part of the name. */
	assert_format(ks, 0xffffffffc0a01020ull, "xfs_buf_ioend+0x20");
	/* 256 KiB past a symbol still counts; one byte more does not. */
	assert_format(ks, 0xffffffff813e0d80ull + 0x40000, "try_charge_memcg+0x40000");
	assert_format(ks, 0xffffffff813e0d80ull + 0x40001, "0xffffffff81420d81");
	/* Past a data symbol ('d'): data is not loaded, and no text symbol is near. */
	assert_format(ks, 0xffffffff82a01244ull, "0xffffffff82a01244");
	/* Before the first symbol (the 'A' at 0 is not text), and far past the last. */
	assert_format(ks, 0xffffffff80000000ull, "0xffffffff80000000");
	assert_format(ks, 0x10ull, "0x10");
	assert_format(ks, 0xffffffffc0b01000ull, "0xffffffffc0b01000");
	ow_kallsyms_free(ks);
}

static void test_kallsyms_format_null(void **state)
{
	(void)state;
	assert_format(NULL, 0xffffffff8135e2a0ull, "0xffffffff8135e2a0");
}

static void test_kallsyms_hidden(void **state)
{
	struct ow_kallsyms *ks = NULL;

	(void)state;
	assert_int_equal(ow_kallsyms_load(ROOT_HIDDEN, &ks), -EACCES);
	assert_null(ks);
	assert_int_equal(ow_kallsyms_load(ROOT_V2, &ks), -ENOENT);
	assert_null(ks);
}

/* ---- command-line cache ---- */

static void test_cache_scan_get(void **state)
{
	struct ow_cmdline_cache *c = NULL;

	(void)state;
	assert_int_equal(ow_cmdline_cache_new(ROOT, 1000, &c), 0);
	assert_int_equal(ow_cmdline_cache_size(c), 0);
	/* 1, 4242, 4244; pid 200 has an empty cmdline (a kernel thread). */
	assert_int_equal(ow_cmdline_cache_scan(c), 3);
	assert_int_equal(ow_cmdline_cache_size(c), 3);
	assert_string_equal(ow_cmdline_cache_get(c, 4242, 0), "/usr/bin/memhog --size 512M");
	assert_string_equal(ow_cmdline_cache_get(c, 4244, 4242), "/usr/bin/sleep infinity");
	assert_string_equal(ow_cmdline_cache_get(c, 1, 0), "/sbin/init splash");
	assert_null(ow_cmdline_cache_get(c, 200, 2));
	assert_int_equal(ow_cmdline_cache_size(c), 3);
	ow_cmdline_cache_free(c);
}

static void test_cache_parent_fallback(void **state)
{
	struct ow_cmdline_cache *c = NULL;

	(void)state;
	assert_int_equal(ow_cmdline_cache_new(ROOT, 1000, &c), 0);
	assert_int_equal(ow_cmdline_cache_scan(c), 3);
	/* A fork that did not exec runs its parent's program. */
	assert_string_equal(ow_cmdline_cache_get(c, 5000, 4242), "/usr/bin/memhog --size 512M");
	assert_null(ow_cmdline_cache_get(c, 5000, 0));
	assert_null(ow_cmdline_cache_get(c, 5000, 6000));
	/* The fallback is not cached under the child's pid. */
	assert_int_equal(ow_cmdline_cache_size(c), 3);
	ow_cmdline_cache_free(c);
}

static void test_cache_exit_purge(void **state)
{
	struct ow_cmdline_cache *c = NULL;

	(void)state;
	assert_int_equal(ow_cmdline_cache_new(ROOT, 1000, &c), 0);
	assert_int_equal(ow_cmdline_cache_scan(c), 3);
	ow_cmdline_cache_on_exit(c, 4244, 5000);
	ow_cmdline_cache_on_exit(c, 31337, 5000); /* unknown pid: nothing */
	ow_cmdline_cache_purge(c, 5999); /* grace not over */
	assert_int_equal(ow_cmdline_cache_size(c), 3);
	ow_cmdline_cache_purge(c, 6000);
	assert_int_equal(ow_cmdline_cache_size(c), 2);
	assert_string_equal(ow_cmdline_cache_get(c, 4242, 0), "/usr/bin/memhog --size 512M");
	ow_cmdline_cache_free(c);
}

/* A private root whose /proc can change under the cache. */
struct tmp_root {
	char dir[64];
};

static void tmp_write_cmdline(struct tmp_root *t, int32_t pid, const char *raw, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/%d", t->dir, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", t->dir, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(raw, 1, len, f), len);
	fclose(f);
}

static void tmp_remove_pid(struct tmp_root *t, int32_t pid)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", t->dir, pid);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/proc/%d", t->dir, pid);
	assert_int_equal(rmdir(path), 0);
}

static void test_cache_dead_process_kept_for_grace(void **state)
{
	static const char hog[] = "./hog\0--leak\0";
	static const char fresh[] = "/usr/bin/fresh\0";
	struct ow_cmdline_cache *c = NULL;
	struct tmp_root t;
	char path[128];

	(void)state;
	snprintf(t.dir, sizeof(t.dir), "/tmp/ow-test-procfs-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(path, sizeof(path), "%s/proc", t.dir);
	assert_int_equal(mkdir(path, 0755), 0);
	tmp_write_cmdline(&t, 77, hog, sizeof(hog) - 1);

	assert_int_equal(ow_cmdline_cache_new(t.dir, 1000, &c), 0);
	assert_int_equal(ow_cmdline_cache_scan(c), 1);
	/* The process dies: its exit event arrives before the kill is processed. */
	tmp_remove_pid(&t, 77);
	ow_cmdline_cache_on_exit(c, 77, 10000);
	assert_string_equal(ow_cmdline_cache_get(c, 77, 0), "./hog --leak");
	/* A child of the dead process still finds the parent's command line in the grace. */
	assert_string_equal(ow_cmdline_cache_get(c, 78, 77), "./hog --leak");
	ow_cmdline_cache_purge(c, 11000);
	assert_int_equal(ow_cmdline_cache_size(c), 0);
	assert_null(ow_cmdline_cache_get(c, 77, 0));

	/*
	 * exec of a new process reads its command line at the next load (after the batch of
	 * events it came in); a vanished pid is no error.
	 */
	tmp_write_cmdline(&t, 90, fresh, sizeof(fresh) - 1);
	ow_cmdline_cache_on_exec(c, 90);
	ow_cmdline_cache_on_exec(c, 91);
	assert_int_equal(ow_cmdline_cache_size(c), 0);
	ow_cmdline_cache_load_pending(c);
	assert_int_equal(ow_cmdline_cache_size(c), 1);
	/* exec and exit in the same batch: nothing read, even while /proc still shows it */
	tmp_write_cmdline(&t, 92, fresh, sizeof(fresh) - 1);
	ow_cmdline_cache_on_exec(c, 92);
	ow_cmdline_cache_on_exit(c, 92, 20000);
	ow_cmdline_cache_load_pending(c);
	assert_int_equal(ow_cmdline_cache_size(c), 1);
	tmp_remove_pid(&t, 92);
	tmp_remove_pid(&t, 90);
	assert_string_equal(ow_cmdline_cache_get(c, 90, 0), "/usr/bin/fresh");

	ow_cmdline_cache_free(c);
	snprintf(path, sizeof(path), "%s/proc", t.dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(t.dir), 0);
}

/*
 * Processes running the same command line (forked workers) share one copy of it, and a kill
 * snapshot's reference outlives the cache's entries.
 */
static void test_cache_shares_lines(void **state)
{
	static const char worker[] = "php-fpm: pool www\0";
	struct ow_cmdline_cache *c = NULL;
	struct tmp_root t;
	char path[128], *kept;

	(void)state;
	snprintf(t.dir, sizeof(t.dir), "/tmp/ow-test-procfs-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(path, sizeof(path), "%s/proc", t.dir);
	assert_int_equal(mkdir(path, 0755), 0);
	for (int32_t pid = 100; pid < 103; pid++)
		tmp_write_cmdline(&t, pid, worker, sizeof(worker) - 1);
	assert_int_equal(ow_cmdline_cache_new(t.dir, 1000, &c), 0);
	assert_int_equal(ow_cmdline_cache_scan(c), 3);
	assert_ptr_equal(ow_cmdline_cache_get(c, 100, 0), ow_cmdline_cache_get(c, 101, 0));
	assert_ptr_equal(ow_cmdline_cache_get(c, 100, 0), ow_cmdline_cache_get(c, 102, 0));
	assert_int_equal(ow_shared_str_refs(ow_cmdline_cache_get(c, 100, 0)), 4); /* 3 + pool */

	kept = ow_shared_str_ref(ow_cmdline_cache_get(c, 101, 0));
	for (int32_t pid = 100; pid < 103; pid++) {
		tmp_remove_pid(&t, pid);
		ow_cmdline_cache_on_exit(c, pid, 5000);
	}
	ow_cmdline_cache_purge(c, 6000);
	assert_int_equal(ow_cmdline_cache_size(c), 0);
	assert_string_equal(kept, "php-fpm: pool www");
	/* Kept, and the pool's own: a sweep lets go of it once nobody else holds it. */
	assert_int_equal(ow_shared_str_refs(kept), 2);
	ow_shared_str_unref(kept);
	ow_cmdline_cache_purge(c, 7000);

	ow_cmdline_cache_free(c);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(t.dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_from_raw_joins_args),
		cmocka_unit_test(test_cmdline_from_raw_trailing_nuls),
		cmocka_unit_test(test_cmdline_from_raw_inner_empty_arg),
		cmocka_unit_test(test_cmdline_from_raw_empty),
		cmocka_unit_test(test_read_cmdline_present),
		cmocka_unit_test(test_read_cmdline_empty_file),
		cmocka_unit_test(test_read_cmdline_missing_pid),
		cmocka_unit_test(test_meminfo_parse),
		cmocka_unit_test(test_meminfo_missing_memtotal),
		cmocka_unit_test(test_meminfo_missing_available),
		cmocka_unit_test(test_vmstat_oom_kills),
		cmocka_unit_test(test_boot_id),
		cmocka_unit_test(test_meminfo_read),
		cmocka_unit_test(test_list_pids),
		cmocka_unit_test(test_cgroupfs_memory_version),
		cmocka_unit_test(test_kallsyms_format),
		cmocka_unit_test(test_kallsyms_format_null),
		cmocka_unit_test(test_kallsyms_hidden),
		cmocka_unit_test(test_cache_scan_get),
		cmocka_unit_test(test_cache_parent_fallback),
		cmocka_unit_test(test_cache_exit_purge),
		cmocka_unit_test(test_cache_dead_process_kept_for_grace),
		cmocka_unit_test(test_cache_shares_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
