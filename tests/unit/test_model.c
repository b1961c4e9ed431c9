// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the model's own rules: how kills group into incidents (same domain, within the
 * gap), how an incident keeps its kills in time order, and when the kernel's report of a kill
 * contradicts the domain it was filed under.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model/model.h"

#define SEC 1000000000ULL
#define GAP (30 * SEC)

static struct ow_kill kill_at(uint64_t time_ns, enum ow_domain_kind kind, const char *cgroup,
			      uint64_t cgroup_id)
{
	struct ow_kill k;

	memset(&k, 0, sizeof(k));
	k.time_ns = time_ns;
	k.domain.kind = kind;
	k.domain.cgroup = cgroup ? strdup(cgroup) : NULL;
	k.domain.cgroup_id = cgroup_id;
	return k;
}

static void test_domain_same(void **state)
{
	struct ow_domain g1 = { .kind = OW_DOMAIN_GLOBAL }, g2 = { .kind = OW_DOMAIN_GLOBAL };
	struct ow_domain a = { .kind = OW_DOMAIN_MEMCG, .cgroup = "/a", .cgroup_id = 7 };
	struct ow_domain a_new_id = { .kind = OW_DOMAIN_MEMCG, .cgroup = "/a", .cgroup_id = 8 };
	struct ow_domain b = { .kind = OW_DOMAIN_MEMCG, .cgroup = "/b", .cgroup_id = 7 };
	struct ow_domain no_path = { .kind = OW_DOMAIN_MEMCG, .cgroup_id = 7 };

	(void)state;
	assert_true(ow_domain_same(&g1, &g2));
	assert_false(ow_domain_same(&g1, &a));
	/* A cgroup removed and made again under the same path is the same place for people. */
	assert_true(ow_domain_same(&a, &a_new_id));
	assert_false(ow_domain_same(&a, &b));
	/* Without a path, the id decides. */
	assert_true(ow_domain_same(&a, &no_path));
	assert_false(ow_domain_same(&a_new_id, &no_path));
}

static void test_grouping(void **state)
{
	struct ow_incident inc;
	struct ow_kill k1 = kill_at(100 * SEC, OW_DOMAIN_MEMCG, "/a", 7);
	struct ow_kill in_gap = kill_at(100 * SEC + GAP, OW_DOMAIN_MEMCG, "/a", 7);
	struct ow_kill past_gap = kill_at(100 * SEC + GAP + 1, OW_DOMAIN_MEMCG, "/a", 7);
	struct ow_kill other = kill_at(101 * SEC, OW_DOMAIN_MEMCG, "/b", 9);
	struct ow_kill global = kill_at(101 * SEC, OW_DOMAIN_GLOBAL, NULL, 0);
	struct ow_kill late = kill_at(90 * SEC, OW_DOMAIN_MEMCG, "/a", 7);

	(void)state;
	memset(&inc, 0, sizeof(inc));
	assert_true(ow_incident_takes_kill(&inc, &k1, GAP)); /* an empty incident takes any */
	assert_int_equal(ow_incident_add_kill(&inc, &k1), 0);
	assert_true(ow_incident_takes_kill(&inc, &in_gap, GAP));
	assert_false(ow_incident_takes_kill(&inc, &past_gap, GAP));
	assert_false(ow_incident_takes_kill(&inc, &other, GAP));
	assert_false(ow_incident_takes_kill(&inc, &global, GAP));
	/* A late record of an earlier kill joins and goes first. */
	assert_true(ow_incident_takes_kill(&inc, &late, GAP));
	assert_int_equal(ow_incident_add_kill(&inc, &late), 0);
	assert_int_equal(ow_incident_add_kill(&inc, &in_gap), 0);
	assert_int_equal(inc.n_kills, 3);
	assert_int_equal(inc.start_ns, 90 * SEC);
	assert_int_equal(inc.end_ns, 100 * SEC + GAP);
	assert_int_equal(inc.kills[0].time_ns, 90 * SEC);
	assert_int_equal(inc.kills[1].time_ns, 100 * SEC);
	/* The incident's domain is its first kill's, copied. */
	assert_string_equal(inc.domain.cgroup, "/a");
	ow_incident_clear(&inc);
	ow_kill_clear(&past_gap);
	ow_kill_clear(&other);
	ow_kill_clear(&global);
}

static void test_memory_sums(void **state)
{
	struct ow_process p = { .anon_bytes = 1,
				.file_bytes = 2,
				.shmem_bytes = 4,
				.swap_bytes = 8,
				.pgtables_bytes = 16 };

	(void)state;
	assert_int_equal(ow_process_rss_bytes(&p), 7);
	assert_int_equal(ow_process_memory_bytes(&p), 31);
}

/* Who the kernel killed with a victim for sharing its memory. */
static void test_took_sharer(void **state)
{
	struct ow_kill k;
	struct ow_process p;

	(void)state;
	memset(&k, 0, sizeof(k));
	memset(&p, 0, sizeof(p));
	k.victim_pid = 10;
	p.pid = 11;
	p.flags = OW_PROC_SHARES_VICTIM_MM;
	assert_true(ow_kill_took_sharer(&k, &p));
	p.oom_score_adj = -1000; /* the kernel spares it */
	assert_false(ow_kill_took_sharer(&k, &p));
	p.oom_score_adj = 0;
	p.flags |= OW_PROC_INIT;
	assert_false(ow_kill_took_sharer(&k, &p));
	p.flags = OW_PROC_SHARES_VICTIM_MM;
	k.flags = OW_KILL_VICTIM_EXITING; /* only marked: no SIGKILL for anyone */
	assert_false(ow_kill_took_sharer(&k, &p));
	k.flags = 0;
	p.pid = 10; /* the victim itself */
	assert_false(ow_kill_took_sharer(&k, &p));
	p.pid = 11;
	p.flags = 0;
	assert_false(ow_kill_took_sharer(&k, &p));
}

static void test_report_disagrees(void **state)
{
	struct ow_kill global = kill_at(SEC, OW_DOMAIN_GLOBAL, NULL, 0);
	struct ow_kill storm = kill_at(SEC, OW_DOMAIN_MEMCG, "/storm", 7);
	struct ow_kernel_report memcg_storm = { .constraint = OW_CONSTRAINT_MEMCG,
						.oom_memcg = "/storm" };
	struct ow_kernel_report memcg_other = { .constraint = OW_CONSTRAINT_MEMCG,
						.oom_memcg = "/other" };
	struct ow_kernel_report memcg_no_path = { .constraint = OW_CONSTRAINT_MEMCG };
	struct ow_kernel_report machine = { .constraint = OW_CONSTRAINT_NONE };
	struct ow_kernel_report cpuset = { .constraint = OW_CONSTRAINT_CPUSET };

	(void)state;
	/* No report yet: nothing to disagree with. */
	global.kernel_report = memcg_storm;
	assert_false(ow_kill_report_disagrees(&global));
	global.flags = storm.flags = OW_KILL_KMSG_CONFIRMED;
	/* The fork storm's split kill: the kernel said memcg, it was filed global. */
	assert_true(ow_kill_report_disagrees(&global));
	global.kernel_report = memcg_no_path;
	assert_true(ow_kill_report_disagrees(&global));
	global.kernel_report = machine;
	assert_false(ow_kill_report_disagrees(&global));
	global.kernel_report = cpuset;
	assert_false(ow_kill_report_disagrees(&global));

	storm.kernel_report = memcg_storm;
	assert_false(ow_kill_report_disagrees(&storm));
	storm.kernel_report = memcg_other;
	assert_true(ow_kill_report_disagrees(&storm));
	storm.kernel_report = memcg_no_path;
	assert_false(ow_kill_report_disagrees(&storm));
	storm.kernel_report = machine;
	assert_true(ow_kill_report_disagrees(&storm));
	/* The domain came from the kernel's struct oom_control: never second-guessed. */
	storm.flags |= OW_KILL_OOM_CONTROL;
	assert_false(ow_kill_report_disagrees(&storm));

	/* Borrowed report strings: not freed with the kills. */
	memset(&global.kernel_report, 0, sizeof(global.kernel_report));
	memset(&storm.kernel_report, 0, sizeof(storm.kernel_report));
	ow_kill_clear(&global);
	ow_kill_clear(&storm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_same),	 cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_memory_sums),	 cmocka_unit_test(test_took_sharer),
		cmocka_unit_test(test_report_disagrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
