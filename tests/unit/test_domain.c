/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the memory cgroup table and the OOM-domain inference
 * (src/capture/cgroup_table.c) on synthetic tables: paths and ancestry, the slack, which
 * cgroup ran out (the trigger's, an ancestor, the deepest of nested ones, never one that does
 * not hold the victim), the global fallback, a memcg OOM told by the trigger's stack when usage
 * is already under the limit, and the swap each memcg may add to totalpages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "capture/cgroup_table.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)
#define UNLIMITED UINT64_MAX

/* 16 GiB of RAM, 10 GiB available, 2 GiB of swap. */
static const struct ow_meminfo meminfo = {
	.mem_total_bytes = 16 * GIB,
	.mem_available_bytes = 10 * GIB,
	.swap_total_bytes = 2 * GIB,
};

static void add(struct ow_cgroup_table *t, uint64_t id, uint64_t parent_id, const char *name,
		uint64_t usage, uint64_t max, uint64_t swap_max)
{
	struct ow_cgroup_node n = { 0 };

	n.id = id;
	n.parent_id = parent_id;
	n.is_root = parent_id == 0;
	strncpy(n.name, name, sizeof(n.name) - 1);
	n.usage_bytes = usage;
	n.max_bytes = max;
	n.swap_max_bytes = swap_max;
	assert_int_equal(ow_cgroup_table_add(t, &n), 0);
}

static void add_root(struct ow_cgroup_table *t)
{
	add(t, 1, 0, "", 12 * GIB, UNLIMITED, UNLIMITED);
}

static void assert_path(const struct ow_cgroup_table *t, uint64_t id, const char *want)
{
	char *path = ow_cgroup_table_path(t, id);

	if (!want) {
		assert_null(path);
		return;
	}
	assert_non_null(path);
	assert_string_equal(path, want);
	free(path);
}

/* ---- table ---- */

static void test_table_add_find(void **state)
{
	struct ow_cgroup_table t = { 0 };
	const struct ow_cgroup_node *n;

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "a", 100 * MIB, 200 * MIB, UNLIMITED);
	assert_int_equal(t.n, 2);
	n = ow_cgroup_table_find(&t, 10);
	assert_non_null(n);
	assert_string_equal(n->name, "a");
	assert_int_equal(n->usage_bytes, 100 * MIB);
	/* Same id: replaced, not added. */
	add(&t, 10, 1, "a2", 150 * MIB, 200 * MIB, UNLIMITED);
	assert_int_equal(t.n, 2);
	n = ow_cgroup_table_find(&t, 10);
	assert_string_equal(n->name, "a2");
	assert_int_equal(n->usage_bytes, 150 * MIB);
	assert_null(ow_cgroup_table_find(&t, 11));
	assert_null(ow_cgroup_table_find(&t, 0));
	/* Many nodes: the table grows. */
	for (uint64_t id = 100; id < 300; id++)
		add(&t, id, 1, "x", 0, UNLIMITED, UNLIMITED);
	assert_int_equal(t.n, 202);
	assert_int_equal(ow_cgroup_table_find(&t, 299)->id, 299);
	ow_cgroup_table_reset(&t);
	assert_int_equal(t.n, 0);
	assert_null(ow_cgroup_table_find(&t, 10));
	ow_cgroup_table_free(&t);
	assert_null(t.nodes);
}

static void test_table_path(void **state)
{
	struct ow_cgroup_table t = { 0 };

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "a", 0, UNLIMITED, UNLIMITED);
	add(&t, 11, 10, "b", 0, UNLIMITED, UNLIMITED);
	add(&t, 12, 11, "payments.service", 0, UNLIMITED, UNLIMITED);
	add(&t, 30, 99, "orphan", 0, UNLIMITED, UNLIMITED); /* parent 99 never emitted */
	add(&t, 31, 30, "child", 0, UNLIMITED, UNLIMITED);
	assert_path(&t, 1, "/");
	assert_path(&t, 10, "/a");
	assert_path(&t, 11, "/a/b");
	assert_path(&t, 12, "/a/b/payments.service");
	assert_path(&t, 30, NULL);
	assert_path(&t, 31, NULL);
	assert_path(&t, 77, NULL);
	ow_cgroup_table_free(&t);
}

static void test_table_is_within(void **state)
{
	struct ow_cgroup_table t = { 0 };

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "a", 0, UNLIMITED, UNLIMITED);
	add(&t, 11, 10, "b", 0, UNLIMITED, UNLIMITED);
	add(&t, 20, 1, "c", 0, UNLIMITED, UNLIMITED);
	add(&t, 30, 99, "orphan", 0, UNLIMITED, UNLIMITED);
	assert_true(ow_cgroup_table_is_within(&t, 11, 11));
	assert_true(ow_cgroup_table_is_within(&t, 11, 10));
	assert_true(ow_cgroup_table_is_within(&t, 11, 1));
	assert_true(ow_cgroup_table_is_within(&t, 1, 1));
	assert_false(ow_cgroup_table_is_within(&t, 10, 11));
	assert_false(ow_cgroup_table_is_within(&t, 11, 20));
	assert_false(ow_cgroup_table_is_within(&t, 20, 10));
	assert_false(ow_cgroup_table_is_within(&t, 1, 10));
	assert_false(ow_cgroup_table_is_within(&t, 30, 1)); /* gap: unknown */
	assert_true(ow_cgroup_table_is_within(&t, 30, 30));
	assert_false(ow_cgroup_table_is_within(&t, 77, 1));
	assert_false(ow_cgroup_table_is_within(&t, 0, 1));
	ow_cgroup_table_free(&t);
}

/* ---- slack ---- */

static void test_slack(void **state)
{
	(void)state;
	assert_int_equal(ow_domain_slack_bytes(0), 4 * MIB);
	assert_int_equal(ow_domain_slack_bytes(1 * MIB), 4 * MIB);
	assert_int_equal(ow_domain_slack_bytes(100 * MIB), 4 * MIB);
	assert_int_equal(ow_domain_slack_bytes(256 * MIB), 4 * MIB);
	assert_int_equal(ow_domain_slack_bytes(256 * MIB + 64 * KIB), 4 * MIB + KIB);
	assert_int_equal(ow_domain_slack_bytes(512 * MIB), 8 * MIB);
	assert_int_equal(ow_domain_slack_bytes(1 * GIB), 16 * MIB);
	assert_int_equal(ow_domain_slack_bytes(64 * GIB), 1 * GIB);
}

/* ---- inference ---- */

static void test_infer_trigger_cgroup_at_limit(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_domain d;

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "system.slice", 3 * GIB, UNLIMITED, UNLIMITED);
	add(&t, 42, 10, "demo.service", 512 * MIB - 100 * KIB, 512 * MIB, 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(ow_domain_infer(&t, 42, 42, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 42);
	assert_non_null(d.cgroup);
	assert_string_equal(d.cgroup, "/system.slice/demo.service");
	assert_int_equal(d.limit_bytes, 512 * MIB);
	assert_int_equal(d.usage_bytes, 512 * MIB - 100 * KIB);
	assert_int_equal(d.total_bytes, 512 * MIB); /* swap.max 0: no swap */
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
}

static void test_infer_slack_boundary(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_domain d;

	(void)state;
	/* 1 GiB limit: slack 16 MiB. Exactly at the slack counts, one byte under does not. */
	add_root(&t);
	add(&t, 42, 1, "edge", 1 * GIB - 16 * MIB, 1 * GIB, 0);
	assert_int_equal(ow_domain_infer(&t, 42, 42, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 42);
	ow_domain_clear(&d);

	add(&t, 42, 1, "edge", 1 * GIB - 16 * MIB - 1, 1 * GIB, 0);
	assert_int_equal(ow_domain_infer(&t, 42, 42, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_GLOBAL);
	assert_null(d.cgroup);
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
}

static void test_infer_parent_at_limit(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_domain d;

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "p", 1 * GIB - 1 * MIB, 1 * GIB, 0);
	add(&t, 11, 10, "c", 900 * MIB, UNLIMITED, UNLIMITED);
	assert_int_equal(ow_domain_infer(&t, 11, 11, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 10);
	assert_string_equal(d.cgroup, "/p");
	assert_int_equal(d.limit_bytes, 1 * GIB);
	assert_int_equal(d.usage_bytes, 1 * GIB - 1 * MIB);
	assert_int_equal(d.total_bytes, 1 * GIB);
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
}

static void test_infer_nested_deepest(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_domain d;

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "p", 1 * GIB, 1 * GIB, 0);
	add(&t, 11, 10, "c", 256 * MIB - 2 * MIB, 256 * MIB, 0);
	add(&t, 12, 10, "sibling", 700 * MIB, UNLIMITED, UNLIMITED);
	/* Both at their limits: the deepest holding the victim. */
	assert_int_equal(ow_domain_infer(&t, 11, 11, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 11);
	assert_string_equal(d.cgroup, "/p/c");
	assert_int_equal(d.limit_bytes, 256 * MIB);
	assert_int_equal(d.usage_bytes, 254 * MIB);
	ow_domain_clear(&d);
	/* The victim in the sibling: c does not hold it, p does. */
	assert_int_equal(ow_domain_infer(&t, 11, 12, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 10);
	assert_string_equal(d.cgroup, "/p");
	assert_int_equal(d.limit_bytes, 1 * GIB);
	assert_int_equal(d.usage_bytes, 1 * GIB);
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
}

static void test_infer_victim_outside(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_domain d;

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "a", 512 * MIB, 512 * MIB, 0);
	add(&t, 20, 1, "b", 100 * MIB, UNLIMITED, UNLIMITED);
	/* a is at its limit but the victim lives in b: a cannot have been the domain. */
	assert_int_equal(ow_domain_infer(&t, 10, 20, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(d.cgroup_id, 0);
	assert_null(d.cgroup);
	ow_domain_clear(&d);
	/* b at its limit too (the trigger charged on b's behalf): b. */
	add(&t, 20, 1, "b", 300 * MIB, 300 * MIB, 0);
	assert_int_equal(ow_domain_infer(&t, 10, 20, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 20);
	assert_string_equal(d.cgroup, "/b");
	ow_domain_clear(&d);
	/* No trigger memcg (a kernel thread): the victim's at-limit cgroup still counts. */
	assert_int_equal(ow_domain_infer(&t, 0, 20, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 20);
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
}

static void test_infer_global(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_domain d;

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "a", 100 * MIB, 1 * GIB, 0);
	add(&t, 11, 10, "b", 50 * MIB, UNLIMITED, UNLIMITED);
	memset(&d, 0xaa, sizeof(d));
	assert_int_equal(ow_domain_infer(&t, 11, 11, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(d.cgroup_id, 0);
	assert_null(d.cgroup);
	assert_int_equal(d.limit_bytes, 16 * GIB);
	assert_int_equal(d.usage_bytes, 6 * GIB);
	assert_int_equal(d.total_bytes, 18 * GIB);
	ow_domain_clear(&d);
	/* The root cgroup is never the domain, whatever its figures. */
	ow_cgroup_table_reset(&t);
	add(&t, 1, 0, "", 16 * GIB, 16 * GIB, 0);
	assert_int_equal(ow_domain_infer(&t, 1, 1, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_GLOBAL);
	ow_domain_clear(&d);
	/* An empty table (no cgroup records) is global too. */
	ow_cgroup_table_reset(&t);
	assert_int_equal(ow_domain_infer(&t, 5, 6, false, &meminfo, 2, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_GLOBAL);
	assert_int_equal(d.usage_bytes, 6 * GIB);
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
}

static uint64_t infer_total(uint64_t max, uint64_t swap_max, int version, uint64_t swap_total)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_meminfo mi = meminfo;
	struct ow_domain d;
	uint64_t total;

	mi.swap_total_bytes = swap_total;
	add_root(&t);
	add(&t, 42, 1, "m", max, max, swap_max);
	assert_int_equal(ow_domain_infer(&t, 42, 42, false, &mi, version, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.limit_bytes, max);
	total = d.total_bytes;
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
	return total;
}

/*
 * Where the kernel counts OOMs per cgroup, a full cgroup that never had one is not the domain:
 * a global OOM while a container happens to sit at its limit stays global.
 */
static void test_infer_oom_events(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_cgroup_node full = { 0 };
	struct ow_domain d;

	(void)state;
	add_root(&t);
	full.id = 42;
	full.parent_id = 1;
	strcpy(full.name, "full");
	full.usage_bytes = full.max_bytes = 256 * MIB;
	full.swap_max_bytes = UNLIMITED;
	full.oom_events_known = true;
	full.oom_events = 0;
	assert_int_equal(ow_cgroup_table_add(&t, &full), 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(ow_domain_infer(&t, 42, 42, false, &meminfo, 1, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_GLOBAL);
	ow_domain_clear(&d);

	/* The same cgroup once the kernel counted an OOM in it: the domain. */
	full.oom_events = 1;
	assert_int_equal(ow_cgroup_table_add(&t, &full), 0);
	assert_int_equal(ow_domain_infer(&t, 42, 42, false, &meminfo, 1, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_string_equal(d.cgroup, "/full");
	ow_domain_clear(&d);
	ow_cgroup_table_free(&t);
}

/* Sorted, lookups are binary searches and give the same answers; adding unsorts. */
static void test_table_sorted_lookup(void **state)
{
	struct ow_cgroup_table t = { 0 };

	(void)state;
	add_root(&t);
	for (uint64_t id = 1000; id > 10; id -= 7)
		add(&t, id, 1, "c", 0, UNLIMITED, UNLIMITED);
	ow_cgroup_table_sort(&t);
	assert_true(t.sorted);
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.nodes[i - 1].id < t.nodes[i].id);
	for (uint64_t id = 1000; id > 10; id -= 7)
		assert_non_null(ow_cgroup_table_find(&t, id));
	assert_null(ow_cgroup_table_find(&t, 999));
	assert_path(&t, 993, "/c");
	add(&t, 5, 1, "late", 0, UNLIMITED, UNLIMITED);
	assert_false(t.sorted);
	assert_path(&t, 5, "/late");
	ow_cgroup_table_free(&t);
}

static void test_swap_allowance_v2(void **state)
{
	(void)state;
	/* swap.max counts swap alone, capped by the swap the machine has. */
	assert_int_equal(infer_total(1 * GIB, 0, 2, 2 * GIB), 1 * GIB);
	assert_int_equal(infer_total(1 * GIB, 512 * MIB, 2, 2 * GIB), 1 * GIB + 512 * MIB);
	assert_int_equal(infer_total(1 * GIB, 4 * GIB, 2, 2 * GIB), 3 * GIB);
	assert_int_equal(infer_total(1 * GIB, UNLIMITED, 2, 2 * GIB), 3 * GIB);
	assert_int_equal(infer_total(1 * GIB, UNLIMITED, 2, 0), 1 * GIB);
}

static void test_swap_allowance_v1(void **state)
{
	(void)state;
	/* memsw.max counts memory + swap: the allowance is memsw.max - max. */
	assert_int_equal(infer_total(1 * GIB, 1 * GIB + 256 * MIB, 1, 2 * GIB),
			 1 * GIB + 256 * MIB);
	assert_int_equal(infer_total(1 * GIB, 1 * GIB, 1, 2 * GIB), 1 * GIB);
	assert_int_equal(infer_total(1 * GIB, 512 * MIB, 1, 2 * GIB), 1 * GIB);
	assert_int_equal(infer_total(1 * GIB, 8 * GIB, 1, 2 * GIB), 3 * GIB);
	assert_int_equal(infer_total(1 * GIB, UNLIMITED, 1, 2 * GIB), 3 * GIB);
}

/* Whether the frames (innermost first, as the consumer symbolizes them) show a memcg OOM. */
static bool stack_says_memcg(const char *const *frames, size_t n)
{
	struct ow_stack s = { .n_frames = n, .frames = (char **)frames };

	return ow_stack_shows_memcg_oom(&s);
}

static void test_stack_memcg_oom(void **state)
{
	/* Linux 6.18, the fork storm's forker charging a task_struct: a memcg OOM. */
	static const char *const memcg_6_18[] = {
		"mark_oom_victim+0xba",		 "__oom_kill_process+0x150",
		"oom_kill_process+0x72",	 "out_of_memory+0x214",
		"mem_cgroup_out_of_memory+0xc0", "try_charge_memcg+0x422",
		"obj_cgroup_charge_pages+0x36",	 "copy_process+0x18a",
	};
	/* Both memcg functions inlined into the charge, or cloned by the compiler. */
	static const char *const inlined[] = { "oom_kill_process+0x72", "out_of_memory+0x214",
					       "try_charge_memcg+0x422" };
	static const char *const cloned[] = { "out_of_memory+0x1", "mem_cgroup_oom.part.0+0x9" };
	static const char *const old_charge[] = { "out_of_memory+0x1", "try_charge+0x5c" };
	static const char *const max_write[] = { "out_of_memory+0x1", "memory_max_write+0x2f1" };
	/* The page allocator, a page fault and sysrq-f run global OOMs. */
	static const char *const global[] = {
		"oom_kill_process+0x72",	"out_of_memory+0x214",
		"__alloc_pages_slowpath+0xb0c", "__alloc_pages_noprof+0x2f1",
		"try_charge_memcg+0x1", /* deeper than the caller: not the OOM's path */
	};
	static const char *const fault[] = { "out_of_memory+0x1", "pagefault_out_of_memory+0x3" };
	static const char *const sysrq[] = { "out_of_memory+0x1", "moom_callback+0x7a" };
	/* Not symbolized (kallsyms hidden), truncated, or a lookalike name. */
	static const char *const raw[] = { "0xffffffff812a0b14", "0xffffffff813f00c0" };
	static const char *const truncated[] = { "oom_kill_process+0x72", "out_of_memory+0x214" };
	static const char *const lookalike[] = { "out_of_memory_x+0x1",
						 "mem_cgroup_out_of_memory+0xc0" };

	(void)state;
	assert_true(stack_says_memcg(memcg_6_18, 8));
	assert_true(stack_says_memcg(inlined, 3));
	assert_true(stack_says_memcg(cloned, 2));
	assert_true(stack_says_memcg(old_charge, 2));
	assert_true(stack_says_memcg(max_write, 2));
	assert_false(stack_says_memcg(global, 5));
	assert_false(stack_says_memcg(fault, 2));
	assert_false(stack_says_memcg(sysrq, 2));
	assert_false(stack_says_memcg(raw, 2));
	assert_false(stack_says_memcg(truncated, 2));
	assert_false(stack_says_memcg(lookalike, 2));
	assert_false(stack_says_memcg(NULL, 0));
}

/* The id of the memory cgroup a memcg OOM is inferred in; 0 when it is inferred global. */
static uint64_t memcg_oom_domain(const struct ow_cgroup_table *t, uint64_t trigger_id,
				 uint64_t victim_id)
{
	struct ow_domain d;
	uint64_t id;

	assert_int_equal(ow_domain_infer(t, trigger_id, victim_id, true, &meminfo, 1, &d), 0);
	id = d.kind == OW_DOMAIN_MEMCG ? d.cgroup_id : 0;
	ow_domain_clear(&d);
	return id;
}

/*
 * The fork storm seen in CI: kill 1 took "idle" (16 MiB); the forker's charge had failed
 * before idle freed its memory, and 7 ms later the kernel killed a worker with the cgroup
 * under its limit by more than the slack (here, as if all of idle's 16 MiB were free). The stack says memcg, and no cgroup reads at its limit.
 */
static void test_infer_memcg_oom_under_limit(void **state)
{
	struct ow_cgroup_table t = { 0 };
	struct ow_domain d;

	(void)state;
	add_root(&t);
	add(&t, 10, 1, "storm", 112 * MIB, 128 * MIB, UNLIMITED);
	assert_int_equal(ow_domain_infer(&t, 10, 10, false, &meminfo, 1, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_GLOBAL);
	ow_domain_clear(&d);
	assert_int_equal(ow_domain_infer(&t, 10, 10, true, &meminfo, 1, &d), 0);
	assert_int_equal(d.kind, OW_DOMAIN_MEMCG);
	assert_int_equal(d.cgroup_id, 10);
	assert_string_equal(d.cgroup, "/storm");
	assert_int_equal(d.limit_bytes, 128 * MIB);
	assert_int_equal(d.usage_bytes, 112 * MIB);
	ow_domain_clear(&d);

	/* Nested limits: the one with the least headroom (b: 28 MiB, a: 212 MiB). */
	add(&t, 20, 1, "a", 300 * MIB, 512 * MIB, UNLIMITED);
	add(&t, 21, 20, "b", 100 * MIB, 128 * MIB, UNLIMITED);
	add(&t, 22, 21, "c", 60 * MIB, UNLIMITED, UNLIMITED);
	assert_int_equal(memcg_oom_domain(&t, 22, 22), 21);
	/* a closer to its limit than b: a. */
	add(&t, 20, 1, "a", 500 * MIB, 512 * MIB, UNLIMITED);
	assert_int_equal(memcg_oom_domain(&t, 22, 22), 20);

	/* One holding the trigger wins over a tighter one only the victim is in. */
	add(&t, 30, 1, "x", 400 * MIB, 1 * GIB, UNLIMITED);
	add(&t, 31, 30, "victim", 150 * MIB, 224 * MIB, UNLIMITED);
	add(&t, 32, 30, "trigger", 100 * MIB, UNLIMITED, UNLIMITED);
	assert_int_equal(memcg_oom_domain(&t, 32, 31), 30);

	/* A victim with no limited cgroup above it: the machine, whatever the stack says. */
	add(&t, 40, 1, "free", 1 * GIB, UNLIMITED, UNLIMITED);
	assert_int_equal(memcg_oom_domain(&t, 40, 40), 0);
	ow_cgroup_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_add_find),
		cmocka_unit_test(test_table_path),
		cmocka_unit_test(test_table_is_within),
		cmocka_unit_test(test_slack),
		cmocka_unit_test(test_infer_trigger_cgroup_at_limit),
		cmocka_unit_test(test_infer_slack_boundary),
		cmocka_unit_test(test_infer_parent_at_limit),
		cmocka_unit_test(test_infer_nested_deepest),
		cmocka_unit_test(test_infer_victim_outside),
		cmocka_unit_test(test_infer_global),
		cmocka_unit_test(test_infer_oom_events),
		cmocka_unit_test(test_stack_memcg_oom),
		cmocka_unit_test(test_infer_memcg_oom_under_limit),
		cmocka_unit_test(test_table_sorted_lookup),
		cmocka_unit_test(test_swap_allowance_v2),
		cmocka_unit_test(test_swap_allowance_v1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
