// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the readers of memory no process owns (src/capture/unowned.c): memory.stat of
 * both cgroup versions, /proc/meminfo and mountinfo, on real shapes of those files, and the
 * reader on this machine's own /proc (meminfo and tmpfs mounts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "capture/unowned.h"

#define MIB (1024ULL * 1024)

static void test_memcg_v2(void **state)
{
	/* A 6.x memory.stat, trimmed. */
	static const char stat[] = "anon 104857600\n"
				   "file 209715200\n"
				   "kernel 31457280\n"
				   "kernel_stack 1048576\n"
				   "pagetables 2097152\n"
				   "sec_pagetables 0\n"
				   "percpu 0\n"
				   "sock 4194304\n"
				   "vmalloc 0\n"
				   "shmem 188743680\n"
				   "file_mapped 0\n"
				   "slab_reclaimable 10485760\n"
				   "slab_unreclaimable 5242880\n"
				   "slab 15728640\n";
	struct ow_unowned_memory u = { 0 };

	(void)state;
	assert_int_equal(ow_unowned_parse_memcg_stat(stat, 2, &u), 0);
	assert_true(u.known);
	assert_int_equal(u.shmem_bytes, 180 * MIB);
	assert_int_equal(u.file_bytes, 20 * MIB); /* file counts shmem: taken out */
	assert_int_equal(u.slab_bytes, 15 * MIB);
	assert_int_equal(u.pagetables_bytes, 2 * MIB);
	assert_int_equal(u.sock_bytes, 4 * MIB);
	assert_int_equal(u.kernel_bytes, 34 * MIB);
}

static void test_memcg_v2_before_5_18(void **state)
{
	/* No "kernel" line: its parts are added. */
	static const char stat[] = "anon 0\nfile 0\nkernel_stack 1048576\npagetables 1048576\n"
				   "percpu 1048576\nsock 0\nshmem 0\nslab 1048576\n";
	struct ow_unowned_memory u = { 0 };

	(void)state;
	assert_int_equal(ow_unowned_parse_memcg_stat(stat, 2, &u), 0);
	assert_int_equal(u.kernel_bytes, 4 * MIB);
}

static void test_memcg_v1(void **state)
{
	static const char stat[] = "cache 1048576\nrss 0\nshmem 1048576\n"
				   "total_cache 199229440\ntotal_rss 52428800\n"
				   "total_shmem 188743680\ntotal_mapped_file 0\n";
	struct ow_unowned_memory u = { 0 };

	(void)state;
	assert_int_equal(ow_unowned_parse_memcg_stat(stat, 1, &u), 0);
	assert_int_equal(u.shmem_bytes, 180 * MIB); /* hierarchical, not the local "shmem" */
	assert_int_equal(u.file_bytes, 10 * MIB);
	assert_int_equal(u.kernel_bytes, 0); /* from memory.kmem.usage_in_bytes, by the reader */
}

static void test_memcg_garbage(void **state)
{
	struct ow_unowned_memory u = { 0 };

	(void)state;
	assert_int_equal(ow_unowned_parse_memcg_stat("nothing here\n", 2, &u), -EINVAL);
	assert_int_equal(ow_unowned_parse_memcg_stat("", 1, &u), -EINVAL);
	/* A key that only starts like another is not it. */
	assert_int_equal(ow_unowned_parse_memcg_stat("shmem_thp 5\n", 2, &u), -EINVAL);
	assert_int_equal(ow_unowned_parse_memcg_stat("shmem x\n", 2, &u), -EINVAL);
}

static void test_meminfo(void **state)
{
	static const char meminfo[] = "MemTotal:       24576000 kB\n"
				      "MemFree:         1000000 kB\n"
				      "Cached:           409600 kB\n"
				      "Shmem:            184320 kB\n"
				      "Slab:              51200 kB\n"
				      "KernelStack:       10240 kB\n"
				      "PageTables:        20480 kB\n"
				      "SecPageTables:         0 kB\n"
				      "Percpu:             1024 kB\n";
	struct ow_unowned_memory u = { 0 };

	(void)state;
	assert_int_equal(ow_unowned_parse_meminfo(meminfo, &u), 0);
	assert_int_equal(u.shmem_bytes, 180 * MIB);
	assert_int_equal(u.file_bytes, 220 * MIB);
	assert_int_equal(u.slab_bytes, 50 * MIB);
	assert_int_equal(u.pagetables_bytes, 20 * MIB);
	assert_int_equal(u.kernel_bytes, 81 * MIB);
	assert_int_equal(ow_unowned_parse_meminfo("MemTotal: 1 kB\n", &u), -EINVAL);
}

struct mounts {
	char paths[4][64];
	int n;
};

static void on_mount(const char *path, void *ctx)
{
	struct mounts *m = ctx;

	if (m->n < 4)
		strncpy(m->paths[m->n++], path, sizeof(m->paths[0]) - 1);
}

static void test_mountinfo(void **state)
{
	static const char info[] =
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"23 22 0:21 / /dev/shm rw,nosuid,nodev shared:2 - tmpfs tmpfs rw,inode64\n"
		"24 22 0:22 / /run/user/1000 rw,nosuid master:7 - tmpfs tmpfs rw,size=1g\n"
		"25 22 0:23 / /mnt/with\\040space rw - tmpfs none rw\n"
		"26 22 0:24 / /proc rw - proc proc rw\n";
	struct mounts m = { 0 };

	(void)state;
	assert_int_equal(ow_unowned_parse_mountinfo(info, on_mount, &m), 3);
	assert_string_equal(m.paths[0], "/dev/shm");
	assert_string_equal(m.paths[1], "/run/user/1000");
	assert_string_equal(m.paths[2], "/mnt/with space");
	memset(&m, 0, sizeof(m));
	assert_int_equal(ow_unowned_parse_mountinfo("garbage\n", on_mount, &m), -EINVAL);
}

/* This machine's own meminfo and mounts: known, and the tmpfs list sorted and bounded. */
static void test_read_system(void **state)
{
	struct ow_unowned_memory u;

	(void)state;
	assert_int_equal(ow_unowned_read("/", 0, NULL, &u), 0);
	assert_true(u.known);
	assert_true(u.kernel_bytes > 0);
	assert_true(u.n_tmpfs <= OW_UNOWNED_TMPFS_MAX);
	for (size_t i = 0; i < u.n_tmpfs; i++) {
		assert_true(u.tmpfs[i].used_bytes >= OW_UNOWNED_TMPFS_MIN_BYTES);
		if (i > 0)
			assert_true(u.tmpfs[i - 1].used_bytes >= u.tmpfs[i].used_bytes);
	}
	ow_unowned_memory_clear(&u);
	assert_int_equal(ow_unowned_read("/nonexistent-root", 0, NULL, &u), -ENOENT);
	assert_false(u.known);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcg_v2),    cmocka_unit_test(test_memcg_v2_before_5_18),
		cmocka_unit_test(test_memcg_v1),    cmocka_unit_test(test_memcg_garbage),
		cmocka_unit_test(test_meminfo),	    cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_read_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
