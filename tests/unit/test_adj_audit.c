// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the oom_score_adj audit (src/capture/adj_audit.c): the value before a write,
 * inheritance at fork, pid reuse, the bound on changes kept, the grace period after exit, and
 * the scan of this machine's /proc.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/adj_audit.h"

#define SEC 1000000000ULL

static struct ow_adj_change change(uint64_t t, int32_t new_adj, int32_t by, const char *comm,
				   bool inherited)
{
	struct ow_adj_change c;

	memset(&c, 0, sizeof(c));
	c.time_ns = t;
	c.old_adj = 12345; /* ignored: the audit knows */
	c.new_adj = new_adj;
	c.by_pid = by;
	strncpy(c.by_comm, comm, OW_COMM_LEN - 1);
	c.inherited = inherited;
	return c;
}

static void attach(struct ow_adj_audit *a, int32_t pid, struct ow_process *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	assert_true(ow_adj_audit_attach(a, p) >= 0);
}

static void test_writes_and_fork(void **state)
{
	struct ow_adj_audit *a;
	struct ow_adj_change c;
	struct ow_process p;

	(void)state;
	assert_int_equal(ow_adj_audit_new("/", 60 * SEC, &a), 0);
	/* Born after the start, written by systemd's child: it had 0. */
	c = change(1 * SEC, -1000, 1, "systemd", false);
	assert_int_equal(ow_adj_audit_add(a, 500, &c), 0);
	c = change(2 * SEC, 300, 77, "kubelet", false);
	assert_int_equal(ow_adj_audit_add(a, 500, &c), 0);
	/* A child born with -1000 from 500, then written. */
	c = change(3 * SEC, -1000, 500, "keydb", true);
	assert_int_equal(ow_adj_audit_add(a, 501, &c), 0);
	c = change(4 * SEC, 1000, 501, "keydb", false);
	assert_int_equal(ow_adj_audit_add(a, 501, &c), 0);

	attach(a, 500, &p);
	assert_int_equal(p.n_adj_changes, 2);
	assert_int_equal(p.adj_changes[0].old_adj, 0);
	assert_int_equal(p.adj_changes[0].new_adj, -1000);
	assert_int_equal(p.adj_changes[0].by_pid, 1);
	assert_string_equal(p.adj_changes[0].by_comm, "systemd");
	assert_int_equal(p.adj_changes[1].old_adj, -1000);
	assert_int_equal(p.adj_changes[1].new_adj, 300);
	ow_process_clear(&p);

	attach(a, 501, &p);
	assert_int_equal(p.n_adj_changes, 2);
	assert_true(p.adj_changes[0].inherited);
	assert_int_equal(p.adj_changes[0].old_adj, OW_ADJ_UNKNOWN);
	assert_int_equal(p.adj_changes[1].old_adj, -1000);
	assert_int_equal(p.adj_changes[1].new_adj, 1000);
	ow_process_clear(&p);

	/* Nothing known: nothing attached. */
	attach(a, 999, &p);
	assert_int_equal(p.n_adj_changes, 0);
	assert_null(p.adj_changes);
	ow_adj_audit_free(a);
}

static void test_exit_reuse_and_bound(void **state)
{
	struct ow_adj_audit *a;
	struct ow_adj_change c;
	struct ow_process p;

	(void)state;
	assert_int_equal(ow_adj_audit_new("/", 60 * SEC, &a), 0);
	for (int i = 0; i < 20; i++) {
		c = change((uint64_t)i * SEC, i, 1, "w", false);
		assert_int_equal(ow_adj_audit_add(a, 700, &c), 0);
	}
	attach(a, 700, &p);
	assert_int_equal(p.n_adj_changes, OW_ADJ_CHANGES_MAX);
	assert_int_equal(p.adj_changes[0].new_adj, 0); /* the first stays */
	assert_int_equal(p.adj_changes[1].new_adj, 20 - OW_ADJ_CHANGES_MAX + 1);
	assert_int_equal(p.adj_changes[OW_ADJ_CHANGES_MAX - 1].new_adj, 19); /* the latest */
	assert_int_equal(p.adj_changes[OW_ADJ_CHANGES_MAX - 1].old_adj, 18);
	ow_process_clear(&p);

	/* Exited: still there within the grace period (the kill comes after the exit). */
	ow_adj_audit_on_exit(a, 700, 100 * SEC);
	ow_adj_audit_purge(a, 150 * SEC);
	attach(a, 700, &p);
	assert_int_equal(p.n_adj_changes, OW_ADJ_CHANGES_MAX);
	ow_process_clear(&p);
	/* The pid is reused by a process that writes: a new history, from 0. */
	c = change(151 * SEC, 500, 9, "x", false);
	assert_int_equal(ow_adj_audit_add(a, 700, &c), 0);
	attach(a, 700, &p);
	assert_int_equal(p.n_adj_changes, 1);
	assert_int_equal(p.adj_changes[0].old_adj, 0);
	ow_process_clear(&p);
	/* Gone after the grace period. */
	ow_adj_audit_on_exit(a, 700, 200 * SEC);
	ow_adj_audit_purge(a, 261 * SEC);
	assert_int_equal(ow_adj_audit_size(a), 0);
	ow_adj_audit_free(a);
}

/* The scan reads this process's own value; a write after it knows the value before. */
static void test_scan(void **state)
{
	struct ow_adj_audit *a;
	struct ow_adj_change c;
	struct ow_process p;
	int n;

	(void)state;
	assert_int_equal(ow_adj_audit_new("/", 60 * SEC, &a), 0);
	n = ow_adj_audit_scan(a);
	assert_true(n > 0);
	c = change(SEC, 1000, getpid(), "test", false);
	assert_int_equal(ow_adj_audit_add(a, getpid(), &c), 0);
	attach(a, getpid(), &p);
	assert_int_equal(p.n_adj_changes, 1);
	assert_true(p.adj_changes[0].old_adj >= -1000 && p.adj_changes[0].old_adj <= 1000);
	ow_process_clear(&p);
	ow_adj_audit_free(a);
	assert_int_equal(ow_adj_audit_new("/nonexistent", 0, &a), 0);
	assert_true(ow_adj_audit_scan(a) < 0);
	ow_adj_audit_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_and_fork),
		cmocka_unit_test(test_exit_reuse_and_bound),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
