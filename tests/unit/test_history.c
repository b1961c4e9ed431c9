// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the memory history's own helpers (src/model/history.c): the sample index at a
 * time, and command lines the sampler's ring cut short, given back whole from the kill
 * snapshots of the same incident.
 */
#include "fixtures.h"

#define SEC 1000000000ULL
#define T0 (1700000000ULL * SEC)

static void test_index_at(void **state)
{
	struct ow_history *h = mkhistory(3, T0);

	(void)state;
	assert_int_equal(ow_history_index_at(h, T0 - 1), -1);
	assert_int_equal(ow_history_index_at(h, T0), 0);
	assert_int_equal(ow_history_index_at(h, T0 + SEC / 2), 0);
	assert_int_equal(ow_history_index_at(h, T0 + 2 * SEC), 2);
	assert_int_equal(ow_history_index_at(h, T0 + 60 * SEC), 2);
	ow_history_free(h);
}

/* An incident of one kill whose snapshot holds the given process. */
static void one_kill(struct ow_incident *inc, int32_t pid, const char *comm, const char *cmdline)
{
	struct ow_kill k;

	memset(&k, 0, sizeof(k));
	k.time_ns = T0 + 5 * SEC;
	set_memcg(&k.domain, "/box", 7, 64 << 20, 64 << 20);
	k.victim_pid = pid;
	kill_add_memcg_process(&k, pid, comm, cmdline, 0, 32 << 20);
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
}

static void test_complete_cmdlines(void **state)
{
	struct ow_incident inc;
	struct ow_history *h = mkhistory(2, T0);
	const char *full = "/usr/bin/keydb-server --port 6379 --maxmemory 0 --dir /var/lib/keydb";

	(void)state;
	memset(&inc, 0, sizeof(inc));
	one_kill(&inc, 100, "keydb-server", full);
	hproc(h, 100, "keydb-server", "/usr/bin/keydb-server --port 6379 --maxm", "/box");
	/* Same pid, another program (a reused pid): left alone. */
	hproc(h, 100, "bash", "/usr/bin/keydb-server --po", "/box");
	/* Not a prefix: the process changed its arguments, left alone. */
	hproc(h, 100, "keydb-server", "/usr/bin/keydb-server --port 7000", "/box");
	/* Another pid. */
	hproc(h, 101, "keydb-server", "/usr/bin/keydb", "/box");
	/* Already whole. */
	hproc(h, 100, "keydb-server", full, "/box");

	assert_int_equal(ow_history_complete_cmdlines(h, &inc), 1);
	assert_string_equal(h->procs[0].cmdline, full);
	assert_string_equal(h->procs[1].cmdline, "/usr/bin/keydb-server --po");
	assert_string_equal(h->procs[2].cmdline, "/usr/bin/keydb-server --port 7000");
	assert_string_equal(h->procs[3].cmdline, "/usr/bin/keydb");
	assert_string_equal(h->procs[4].cmdline, full);
	/* A second pass has nothing left to do. */
	assert_int_equal(ow_history_complete_cmdlines(h, &inc), 0);
	ow_history_free(h);
	ow_incident_clear(&inc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_at),
		cmocka_unit_test(test_complete_cmdlines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
