// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the store's bookkeeping of kills the recorder did not witness
 * (docs/storage.md, "Crash safety"): the kill mark, kept across runs and committed with the
 * kills it counts or not at all; the incidents still open marked with missed_kills, which
 * saves keep, loads and lists return; the machine-wide total; and version-2 files written by
 * pre-release builds, without the column.
 */
#include "fixtures.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

#include "store_files.h"

#define T0_NS 1764100000000000000ull
#define SECOND_NS 1000000000ull

static const struct ow_store_culprit_summary culprit = { "process", 10, "leaker" };

static struct ow_store *open_memory(void)
{
	struct ow_store *s = NULL;

	assert_int_equal(ow_store_open(":memory:", OW_STORE_READ_WRITE, &s), 0);
	return s;
}

/* A kill at time_ns in memcg cgroup: the victim and one other process. */
static void make_kill(struct ow_kill *k, uint64_t time_ns, int32_t victim, const char *cgroup)
{
	memset(k, 0, sizeof(*k));
	k->time_ns = time_ns;
	k->victim_pid = victim;
	k->trigger_pid = victim;
	k->trigger_tid = victim;
	set_memcg(&k->domain, cgroup, 77, 32ull << 20, 32ull << 20);
	kill_add_memcg_process(k, victim, "leaker", "leaker --grow", 0, 30ull << 20);
	kill_add_memcg_process(k, victim + 1, "idle", NULL, 0, 1ull << 20);
}

/* An incident of one kill at time_ns, saved; returns its id. */
static int64_t save_one(struct ow_store *s, uint64_t time_ns, const char *cgroup)
{
	struct ow_incident inc = { 0 };
	struct ow_kill k;
	int64_t id;

	make_kill(&k, time_ns, 10, cgroup);
	assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	id = inc.id;
	ow_incident_clear(&inc);
	return id;
}

static uint64_t missed_of(struct ow_store *s, int64_t id)
{
	struct ow_incident inc;
	uint64_t n;

	assert_int_equal(ow_store_load_incident(s, id, &inc), 0);
	n = inc.missed_kills;
	ow_incident_clear(&inc);
	return n;
}

static void assert_mark_equal(const struct ow_store_kill_mark *a,
			      const struct ow_store_kill_mark *b)
{
	assert_int_equal(a->boot_id, b->boot_id);
	assert_int_equal(a->oom_kills, b->oom_kills);
	assert_int_equal(a->time_ns, b->time_ns);
}

static void test_kill_mark_round_trip(void **state)
{
	struct ow_store *s = open_memory();
	/* A boot id with its top bit set: stored as a negative INTEGER, read back the same. */
	const struct ow_store_kill_mark m1 = { 0xfedcba9876543210ull, 1234, T0_NS };
	const struct ow_store_kill_mark m2 = { 1, 0, T0_NS + SECOND_NS };
	struct ow_store_kill_mark got = { 0 };

	(void)state;
	assert_int_equal(ow_store_get_kill_mark(s, &got), -ENOENT);
	assert_int_equal(ow_store_save_kill_mark(s, &m1), 0);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);
	assert_int_equal(ow_store_save_kill_mark(s, &m2), 0); /* replaced, not added */
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m2);
	ow_store_close(s);
}

/* A staged mark commits with the next incident save, once; not when that save fails. */
static void test_kill_mark_commits_with_save(void **state)
{
	struct ow_store *s = open_memory();
	const struct ow_store_kill_mark m0 = { 7, 100, T0_NS };
	const struct ow_store_kill_mark m1 = { 7, 103, T0_NS + SECOND_NS };
	const struct ow_store_kill_mark m2 = { 7, 109, T0_NS + 2 * SECOND_NS };
	struct ow_store_kill_mark got;
	struct ow_incident inc = { 0 };
	struct ow_kill k;

	(void)state;
	assert_int_equal(ow_store_save_kill_mark(s, &m0), 0);

	/* Staged, then the save: the mark is the one committed with the kill. */
	ow_store_stage_kill_mark(s, &m1);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m0); /* not before the save */
	make_kill(&k, T0_NS, 10, "/a");
	assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
	assert_int_equal(ow_store_append_kills(s, &inc, 0, &culprit), 0);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);

	/* Forgotten after that save: the next one leaves the mark alone. */
	make_kill(&k, T0_NS + SECOND_NS, 20, "/a");
	assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
	assert_int_equal(ow_store_append_kills(s, &inc, 1, &culprit), 0);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);

	/* Staged, then unstaged (NULL): not written. */
	ow_store_stage_kill_mark(s, &m2);
	ow_store_stage_kill_mark(s, NULL);
	assert_int_equal(ow_store_append_kills(s, &inc, 2, &culprit), 0);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);

	/* A save that fails rolls the mark back with the kills, and forgets it. */
	ow_store_stage_kill_mark(s, &m2);
	inc.id = 999; /* no such incident: -ENOENT, rolled back */
	assert_int_equal(ow_store_append_kills(s, &inc, 2, &culprit), -ENOENT);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);
	assert_int_equal(save_one(s, T0_NS + 60 * SECOND_NS, "/b") > 0, 1);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);

	ow_incident_clear(&inc);
	ow_store_close(s);
}

/* The incidents whose last kill is at or after the time given are marked; the total adds up. */
static void test_add_missed_kills(void **state)
{
	struct ow_store *s = open_memory();
	const struct ow_store_kill_mark m1 = { 7, 150, T0_NS + 100 * SECOND_NS };
	const struct ow_store_kill_mark m2 = { 7, 160, T0_NS + 200 * SECOND_NS };
	struct ow_incident_summary *rows = NULL;
	struct ow_store_kill_mark got;
	int64_t ids[4] = { 0 }, a, b, c;
	size_t n_incidents = 99, n = 0;
	uint64_t total = 99;

	(void)state;
	assert_int_equal(ow_store_get_missed_kills(s, &total), 0);
	assert_int_equal(total, 0);
	a = save_one(s, T0_NS, "/a");
	b = save_one(s, T0_NS + 40 * SECOND_NS, "/b");
	c = save_one(s, T0_NS + 50 * SECOND_NS, "/c");

	/* The last commit at +60 s with a 30 s gap: b and c were still open, a was not. */
	assert_int_equal(
		ow_store_add_missed_kills(s, 4, T0_NS + 30 * SECOND_NS, &m1, ids, 4, &n_incidents),
		0);
	assert_int_equal(n_incidents, 2);
	assert_int_equal(ids[0], b);
	assert_int_equal(ids[1], c);
	assert_int_equal(missed_of(s, a), 0);
	assert_int_equal(missed_of(s, b), 4);
	assert_int_equal(missed_of(s, c), 4);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);

	/* Again, for c only, with room for no id: counted all the same. */
	assert_int_equal(
		ow_store_add_missed_kills(s, 3, T0_NS + 50 * SECOND_NS, &m2, NULL, 0, &n_incidents),
		0);
	assert_int_equal(n_incidents, 1);
	assert_int_equal(missed_of(s, c), 7);
	assert_int_equal(ow_store_get_missed_kills(s, &total), 0);
	assert_int_equal(total, 7);

	/* None missed: only the mark is written, no incident marked. */
	assert_int_equal(ow_store_add_missed_kills(s, 0, 0, &m1, NULL, 0, &n_incidents), 0);
	assert_int_equal(n_incidents, 0);
	assert_int_equal(missed_of(s, a), 0);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m1);

	/* Kills missed while no incident was open: the total only. */
	assert_int_equal(ow_store_add_missed_kills(s, 2, INT64_MAX, NULL, ids, 4, &n_incidents), 0);
	assert_int_equal(n_incidents, 0);
	assert_int_equal(ow_store_get_missed_kills(s, &total), 0);
	assert_int_equal(total, 9);

	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].missed_kills, 0);
	assert_int_equal(rows[1].missed_kills, 4);
	assert_int_equal(rows[2].missed_kills, 7);
	ow_incident_summaries_free(rows, n);

	assert_int_equal(ow_store_add_missed_kills(s, 1, UINT64_MAX, NULL, NULL, 0, NULL), -EINVAL);
	ow_store_close(s);
}

/* An incident continued after a restart keeps its missed kills through later saves. */
static void test_missed_kills_kept_by_saves(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_incident inc;
	struct ow_kill k;
	int64_t id = save_one(s, T0_NS, "/a");

	(void)state;
	assert_int_equal(ow_store_add_missed_kills(s, 5, T0_NS, NULL, NULL, 0, NULL), 0);
	assert_int_equal(ow_store_load_incident(s, id, &inc), 0);
	assert_int_equal(inc.missed_kills, 5);
	make_kill(&k, T0_NS + SECOND_NS, 20, "/a");
	assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
	assert_int_equal(ow_store_append_kills(s, &inc, 1, &culprit), 0);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	ow_incident_clear(&inc);
	assert_int_equal(missed_of(s, id), 5);
	ow_store_close(s);
}

#define HAS_COLUMN_SQL \
	"SELECT count(*) FROM pragma_table_info('incidents') WHERE name = 'missed_kills'"

/* Takes a file the store made back to version 2: what version 3 added, dropped. */
#define DOWN_TO_V2_SQL                                                                       \
	"DROP TABLE kill_tmpfs; DROP TABLE adj_changes;"                                     \
	"ALTER TABLE kills DROP COLUMN flags; ALTER TABLE kills DROP COLUMN exit_ns;"        \
	"ALTER TABLE kills DROP COLUMN reap_start_ns; ALTER TABLE kills DROP COLUMN "        \
	"reap_end_ns; ALTER TABLE kills DROP COLUMN reaped_bytes; ALTER TABLE kills DROP "   \
	"COLUMN report_constraint; ALTER TABLE kills DROP COLUMN report_oom_memcg; ALTER "   \
	"TABLE kills DROP COLUMN report_task_memcg; ALTER TABLE kills DROP COLUMN "          \
	"report_gfp_mask; ALTER TABLE kills DROP COLUMN report_order; ALTER TABLE kills "    \
	"DROP COLUMN unowned_shmem_bytes; ALTER TABLE kills DROP COLUMN unowned_file_bytes;" \
	"ALTER TABLE kills DROP COLUMN unowned_kernel_bytes; ALTER TABLE kills DROP COLUMN " \
	"unowned_slab_bytes; ALTER TABLE kills DROP COLUMN unowned_pagetables_bytes; ALTER " \
	"TABLE kills DROP COLUMN unowned_sock_bytes; PRAGMA user_version = 2;"

/*
 * A version-2 file from a pre-release build, without incidents.missed_kills: read-only, its
 * incidents load and list with 0; a writable open adds the column, and keeps every row.
 */
static void test_pre_release_v2(void **state)
{
	struct tmp *t = *state;
	struct ow_incident_summary *rows = NULL;
	struct ow_store *s = NULL;
	int64_t id;
	size_t n = 0;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	id = save_one(s, T0_NS, "/a");
	ow_store_close(s);
	run_sql(t->path, DOWN_TO_V2_SQL "ALTER TABLE incidents DROP COLUMN missed_kills;");
	assert_int_equal(query_i64(t->path, HAS_COLUMN_SQL), 0);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), 2);

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_int_equal(missed_of(s, id), 0);
	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].missed_kills, 0);
	ow_incident_summaries_free(rows, n);
	ow_store_close(s);
	assert_int_equal(query_i64(t->path, HAS_COLUMN_SQL), 0); /* reading changed nothing */

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_int_equal(query_i64(t->path, HAS_COLUMN_SQL), 1);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), OW_STORE_SCHEMA_VERSION);
	assert_int_equal(ow_store_add_missed_kills(s, 2, T0_NS, NULL, NULL, 0, NULL), 0);
	assert_int_equal(missed_of(s, id), 2);
	assert_int_equal(save_one(s, T0_NS + SECOND_NS, "/b"), id + 1);
	ow_store_close(s);
}

/* A read-only store refuses every write of the bookkeeping. */
static void test_read_only(void **state)
{
	struct tmp *t = *state;
	const struct ow_store_kill_mark m = { 1, 2, 3 };
	struct ow_store_kill_mark got;
	struct ow_store *s = NULL;
	uint64_t total = 9;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_int_equal(ow_store_save_kill_mark(s, &m), 0);
	ow_store_close(s);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_int_equal(ow_store_save_kill_mark(s, &m), -EROFS);
	assert_int_equal(ow_store_add_missed_kills(s, 1, 0, &m, NULL, 0, NULL), -EROFS);
	assert_int_equal(ow_store_get_kill_mark(s, &got), 0);
	assert_mark_equal(&got, &m);
	assert_int_equal(ow_store_get_missed_kills(s, &total), 0);
	assert_int_equal(total, 0);
	ow_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_mark_round_trip),
		cmocka_unit_test(test_kill_mark_commits_with_save),
		cmocka_unit_test(test_add_missed_kills),
		cmocka_unit_test(test_missed_kills_kept_by_saves),
		cmocka_unit_test_setup_teardown(test_pre_release_v2, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_read_only, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
