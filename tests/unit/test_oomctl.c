/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of struct oom_control in model terms (src/capture/oomctl.c): the BPF record's
 * conversion, matching a record to a kill (same victim, within 2 s), and completing a kill:
 * the kernel's totalpages replace the inferred total, the report is filled unless /dev/kmsg
 * gave it, the OOM memcg is named from the kill's cgroups.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "capture/oomctl.h"
#include "model/shared_str.h"
#include "oomctl_abi.h"

#define S 1000000000ull

static struct ow_oomctl_record memcg_record(void)
{
	struct ow_oomctl_record r = {
		.boot_ns = 100 * S,
		.totalpages = 65536, /* 256 MiB of 4 KiB pages */
		.chosen_points = 60000,
		.memcg_id = 4242,
		.victim_tgid = 1234,
		.constraint = OW_OOMCTL_CONSTRAINT_MEMCG,
		.gfp_mask = 0xcc0,
		.order = 0,
		.trigger_tgid = 1234,
	};
	return r;
}

/* A kill of pid 1234 in /test/box (id 4242) with an inferred total of 300 MiB. */
static void make_kill(struct ow_kill *k, struct ow_process *procs)
{
	memset(k, 0, sizeof(*k));
	memset(procs, 0, 2 * sizeof(*procs));
	k->time_ns = 1000 * S + 100 * S + 5000000; /* 5 ms after the record */
	k->victim_pid = 1234;
	k->domain.kind = OW_DOMAIN_MEMCG;
	k->domain.total_bytes = 300ull << 20;
	procs[0].pid = 1234;
	procs[0].cgroup = ow_shared_strdup("/test/box/inner");
	procs[0].cgroup_id = 4343;
	procs[1].pid = 99;
	procs[1].cgroup = ow_shared_strdup("/test/box");
	procs[1].cgroup_id = 4242;
	k->procs = procs;
	k->n_procs = 2;
}

static void free_kill(struct ow_kill *k)
{
	for (size_t i = 0; i < k->n_procs; i++)
		ow_shared_str_unref(k->procs[i].cgroup);
	ow_kernel_report_clear(&k->kernel_report);
}

static void test_from_record(void **state)
{
	struct ow_oomctl_record r = memcg_record();
	struct ow_oom_control c;

	(void)state;
	ow_oom_control_from_record(&r, 4096, 1000 * (int64_t)S, &c);
	assert_int_equal(c.time_ns, 1100 * S);
	assert_int_equal(c.victim_pid, 1234);
	assert_int_equal(c.constraint, OW_CONSTRAINT_MEMCG);
	assert_int_equal(c.total_bytes, 256ull << 20);
	assert_int_equal(c.chosen_points, 60000);
	assert_int_equal(c.memcg_id, 4242);
	assert_int_equal(c.gfp_mask, 0xcc0);
	r.constraint = OW_OOMCTL_CONSTRAINT_UNKNOWN;
	ow_oom_control_from_record(&r, 4096, 0, &c);
	assert_int_equal(c.constraint, OW_CONSTRAINT_UNKNOWN);
	r.constraint = OW_OOMCTL_CONSTRAINT_NONE;
	ow_oom_control_from_record(&r, 4096, 0, &c);
	assert_int_equal(c.constraint, OW_CONSTRAINT_NONE);
}

static void test_matches(void **state)
{
	struct ow_oomctl_record r = memcg_record();
	struct ow_process procs[2];
	struct ow_oom_control c;
	struct ow_kill k;

	(void)state;
	make_kill(&k, procs);
	ow_oom_control_from_record(&r, 4096, 1000 * (int64_t)S, &c);
	assert_true(ow_oom_control_matches(&c, &k));
	k.time_ns = c.time_ns - 2 * S; /* the window's edge, either way */
	assert_true(ow_oom_control_matches(&c, &k));
	k.time_ns = c.time_ns + 2 * S + 1;
	assert_false(ow_oom_control_matches(&c, &k));
	k.time_ns = c.time_ns;
	k.victim_pid = 1235;
	assert_false(ow_oom_control_matches(&c, &k));
	k.victim_pid = 1234;
	c.victim_pid = 0;
	assert_false(ow_oom_control_matches(&c, &k));
	free_kill(&k);
}

static void test_apply_fills_report(void **state)
{
	struct ow_oomctl_record r = memcg_record();
	struct ow_process procs[2];
	struct ow_oom_control c;
	struct ow_kill k;

	(void)state;
	make_kill(&k, procs);
	ow_oom_control_from_record(&r, 4096, 1000 * (int64_t)S, &c);
	assert_int_equal(ow_oom_control_apply(&c, &k), 0);
	assert_true(k.flags & OW_KILL_OOM_CONTROL);
	assert_int_equal(k.domain.total_bytes, 256ull << 20);
	assert_int_equal(k.kernel_report.constraint, OW_CONSTRAINT_MEMCG);
	assert_string_equal(k.kernel_report.oom_memcg, "/test/box");
	assert_string_equal(k.kernel_report.task_memcg, "/test/box/inner");
	assert_true(k.kernel_report.has_allocation);
	assert_int_equal(k.kernel_report.gfp_mask, 0xcc0);
	assert_int_equal(k.kernel_report.order, 0);
	free_kill(&k);
}

static void test_apply_global_and_domain_path(void **state)
{
	struct ow_oomctl_record r = memcg_record();
	struct ow_process procs[2];
	struct ow_oom_control c;
	struct ow_kill k;

	(void)state;
	make_kill(&k, procs);
	r.memcg_id = 0;
	r.constraint = OW_OOMCTL_CONSTRAINT_NONE;
	r.order = -1;
	ow_oom_control_from_record(&r, 4096, 1000 * (int64_t)S, &c);
	assert_int_equal(ow_oom_control_apply(&c, &k), 0);
	assert_null(k.kernel_report.oom_memcg);
	assert_int_equal(k.kernel_report.constraint, OW_CONSTRAINT_NONE);
	assert_int_equal(k.kernel_report.order, -1);
	free_kill(&k);

	/* The domain's own path when no process of the snapshot is in it. */
	make_kill(&k, procs);
	k.domain.cgroup = strdup("/test/limit");
	k.domain.cgroup_id = 777;
	r = memcg_record();
	r.memcg_id = 777;
	ow_oom_control_from_record(&r, 4096, 1000 * (int64_t)S, &c);
	assert_int_equal(ow_oom_control_apply(&c, &k), 0);
	assert_string_equal(k.kernel_report.oom_memcg, "/test/limit");
	free(k.domain.cgroup);
	free_kill(&k);
}

static void test_apply_keeps_kmsg_report(void **state)
{
	struct ow_oomctl_record r = memcg_record();
	struct ow_process procs[2];
	struct ow_oom_control c;
	struct ow_kill k;

	(void)state;
	make_kill(&k, procs);
	k.flags = OW_KILL_KMSG_CONFIRMED;
	k.kernel_report.constraint = OW_CONSTRAINT_MEMCG;
	k.kernel_report.oom_memcg = strdup("/from/kmsg");
	ow_oom_control_from_record(&r, 4096, 1000 * (int64_t)S, &c);
	assert_int_equal(ow_oom_control_apply(&c, &k), 0);
	assert_string_equal(k.kernel_report.oom_memcg, "/from/kmsg");
	assert_false(k.kernel_report.has_allocation);
	assert_int_equal(k.flags, OW_KILL_KMSG_CONFIRMED | OW_KILL_OOM_CONTROL);
	assert_int_equal(k.domain.total_bytes, 256ull << 20); /* the total is taken all the same */
	free_kill(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_record),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_apply_fills_report),
		cmocka_unit_test(test_apply_global_and_domain_path),
		cmocka_unit_test(test_apply_keeps_kmsg_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
