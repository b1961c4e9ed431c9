/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the store's retention and list filters (store.h): ow_store_prune() by age and
 * by size, oldest first, sparing open incidents, deleting each incident whole (kills, their
 * processes, its history and series), in files that shrink; incremental auto-vacuum on new
 * databases and the one-time VACUUM of older ones; and ow_store_list_filtered() by time, by
 * cgroup at path boundaries, and by the cgroups of victims and culprit. Rows are counted with
 * a second, plain sqlite3 connection. Prints the bytes a prune gave back.
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

#include <sqlite3.h>

#include "model/model.h"
#include "model/summary.h"
#include "store/store.h"

#include "fixtures.h"

#define S 1000000000ull
#define MiB (1024ull * 1024)
/* 2026-11-25T10:00:00Z */
#define T0_NS (1795600800ull * S)

struct tmp {
	char dir[64];
	char path[128];
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/ow-retention-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/ow.db", t->dir);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	char path[160];

	unlink(t->path);
	snprintf(path, sizeof(path), "%s-wal", t->path);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", t->path);
	unlink(path);
	rmdir(t->dir);
	free(t);
	return 0;
}

static uint64_t file_bytes(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/*
 * Saves an incident of one kill at time_ns in memcg domain: the victim (pid 100) in
 * victim_cgroup, the culprit (pid 200) in culprit_cgroup, and n_more bystanders (pids 1000...)
 * in bystander_cgroup, each with a 200-byte command line; with a history when asked.
 */
static int64_t save(struct ow_store *s, uint64_t time_ns, const char *domain,
		    const char *victim_cgroup, const char *culprit_cgroup,
		    const char *bystander_cgroup, size_t n_more, bool with_history)
{
	struct ow_store_culprit_summary culprit = { "process", 200, "hog" };
	struct ow_incident inc = { 0 };
	struct ow_kill k = { 0 };
	struct ow_process *p;
	char cmdline[256];
	int64_t id;

	memset(cmdline, 'x', 200);
	cmdline[200] = '\0';
	k.time_ns = time_ns;
	k.killer_kind = OW_KILLER_KERNEL;
	k.victim_pid = 100;
	k.trigger_pid = 200;
	k.trigger_tid = 200;
	if (domain)
		set_memcg(&k.domain, domain, 77, 64 * MiB, 64 * MiB);
	else
		k.domain.kind = OW_DOMAIN_GLOBAL;
	p = kill_add_memcg_process(&k, 100, "victim", cmdline, 1000, MiB);
	ow_shared_str_unref(p->cgroup);
	p->cgroup = xshared(victim_cgroup);
	p = kill_add_memcg_process(&k, 200, "hog", cmdline, 0, 60 * MiB);
	ow_shared_str_unref(p->cgroup);
	p->cgroup = xshared(culprit_cgroup);
	for (size_t i = 0; i < n_more; i++) {
		p = kill_add_memcg_process(&k, 1000 + (int32_t)i, "bystander", cmdline, 0, MiB);
		ow_shared_str_unref(p->cgroup);
		p->cgroup = xshared(bystander_cgroup);
	}
	assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	if (with_history) {
		struct ow_history *h = mkhistory(60, time_ns - 50 * S);

		for (int32_t pid = 100; pid < 110; pid++) {
			size_t i = hproc(h, pid, "proc", cmdline, domain);

			ramp(h, i, 0, 59, MiB * (uint64_t)pid, 4096 * (int64_t)pid, 0);
		}
		hcgroup(h, domain ? domain : "/", 77, 64 * MiB, 0, 0);
		assert_int_equal(ow_store_save_history(s, inc.id, h), 0);
		ow_history_free(h);
	}
	id = inc.id;
	ow_incident_clear(&inc);
	return id;
}

/* One integer from a query on a second connection to path. */
static int64_t count(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int64_t n;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return n;
}

/* Whether incident id is in the store, and every row it had is gone when it is not. */
static bool stored(const char *path, int64_t id)
{
	static const char *const tables[] = {
		"SELECT count(*) FROM kills WHERE incident_id = ",
		"SELECT count(*) FROM processes JOIN kills ON kills.id = kill_id WHERE incident_id = ",
		"SELECT count(*) FROM histories WHERE incident_id = ",
		"SELECT count(*) FROM history_processes WHERE incident_id = ",
		"SELECT count(*) FROM history_cgroups WHERE incident_id = ",
	};
	char sql[256];
	bool found;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM incidents WHERE id = %lld", (long long)id);
	found = count(path, sql) == 1;
	for (size_t i = 0; !found && i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "%s%lld", tables[i], (long long)id);
		if (count(path, sql) != 0)
			fail_msg("incident %lld is deleted but left rows: %s", (long long)id, sql);
	}
	return found;
}

static void test_new_database_shrinks(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	bool can_shrink = false;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_int_equal(ow_store_can_shrink(s, &can_shrink), 0);
	assert_true(can_shrink);
	ow_store_close(s);
	assert_int_equal(count(t->path, "PRAGMA auto_vacuum"), 2);
	/* Read-only opens see it too, and cannot prune. */
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_int_equal(ow_store_can_shrink(s, &can_shrink), 0);
	assert_true(can_shrink);
	assert_int_equal(ow_store_prune(s, &(struct ow_store_prune_limits){ .max_bytes = 1 }, NULL),
			 -EROFS);
	assert_int_equal(ow_store_enable_shrink(s), -EROFS);
	ow_store_close(s);
}

/* By age: every closed incident whose last kill is older goes, the open one stays. */
static void test_prune_by_age(void **state)
{
	struct tmp *t = *state;
	struct ow_store_prune_result res;
	struct ow_store *s = NULL;
	int64_t ids[5], keep[2];

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	for (int i = 0; i < 5; i++)
		ids[i] = save(s, T0_NS + (uint64_t)i * 3600 * S, "/app", "/app", "/app", "/app", 20,
			      true);

	/* No limit: nothing to do. */
	assert_int_equal(ow_store_prune(s, &(struct ow_store_prune_limits){ 0 }, &res), 0);
	assert_int_equal(res.n_deleted, 0);

	/* Older than 2 h past T0: ids[0] and ids[1]; ids[0] is open, so only ids[1] goes. */
	keep[0] = ids[0];
	keep[1] = 0;
	assert_int_equal(
		ow_store_prune(s,
			       &(struct ow_store_prune_limits){ .before_ns = T0_NS + 2 * 3600 * S,
								.keep_ids = keep,
								.n_keep = 2 },
			       &res),
		0);
	assert_int_equal(res.n_deleted, 1);
	assert_int_equal(res.n_too_old, 1);
	assert_int_equal(res.oldest_end_ns, T0_NS + 3600 * S);
	assert_int_equal(res.newest_end_ns, T0_NS + 3600 * S);
	assert_false(res.over_limit);
	assert_true(stored(t->path, ids[0]));
	assert_false(stored(t->path, ids[1]));
	for (int i = 2; i < 5; i++)
		assert_true(stored(t->path, ids[i]));

	/* Once ids[0] is closed it goes too; the last kill exactly at the limit stays. */
	assert_int_equal(
		ow_store_prune(s,
			       &(struct ow_store_prune_limits){ .before_ns = T0_NS + 2 * 3600 * S },
			       &res),
		0);
	assert_int_equal(res.n_deleted, 1);
	assert_false(stored(t->path, ids[0]));
	assert_true(stored(t->path, ids[2]));
	/* The rest of the database is untouched: 3 incidents, whole. */
	assert_int_equal(count(t->path, "SELECT count(*) FROM incidents"), 3);
	assert_int_equal(count(t->path, "SELECT count(*) FROM processes"), 3 * 22);
	assert_int_equal(count(t->path, "SELECT count(*) FROM history_processes"), 3 * 10);
	ow_store_close(s);
}

/* By size: the oldest closed incidents go until the pages in use fit, and the file shrinks. */
static void test_prune_by_size(void **state)
{
	struct tmp *t = *state;
	struct ow_store_prune_result res;
	struct ow_store *s = NULL;
	uint64_t file_before, used_before, used, file_after;
	int64_t ids[8], keep[1];

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	for (int i = 0; i < 8; i++)
		ids[i] =
			save(s, T0_NS + (uint64_t)i * S, "/app", "/app", "/app", "/app", 500, true);
	assert_int_equal(ow_store_size(s, &file_before, &used_before), 0);
	assert_true(used_before > 8 * 100000);

	/* Half the size: about half of them go, the oldest first, but not the open ids[0]. */
	keep[0] = ids[0];
	assert_int_equal(
		ow_store_prune(s,
			       &(struct ow_store_prune_limits){ .max_bytes = used_before / 2,
								.keep_ids = keep,
								.n_keep = 1 },
			       &res),
		0);
	assert_true(res.n_deleted >= 3 && res.n_deleted <= 5);
	assert_int_equal(res.n_too_old, 0);
	assert_true(res.used_bytes_after <= used_before / 2);
	assert_int_equal(res.used_bytes_before, used_before);
	assert_false(res.over_limit);
	assert_true(stored(t->path, ids[0]));
	for (int i = 1; i < 8; i++)
		assert_true(stored(t->path, ids[i]) == (i > (int)res.n_deleted));
	/* Incremental auto-vacuum gave the pages back: the file is as big as what is used. */
	assert_int_equal(ow_store_size(s, &file_after, &used), 0);
	assert_int_equal(file_after, used);
	assert_int_equal(res.file_bytes_after, file_after);
	assert_int_equal(file_bytes(t->path), file_after);
	printf("prune: %llu incidents deleted, file %llu -> %llu bytes (%.0f%%)\n",
	       (unsigned long long)res.n_deleted, (unsigned long long)file_before,
	       (unsigned long long)file_after, 100.0 * (double)file_after / (double)file_before);
	assert_true(file_after < file_before * 6 / 10);

	/* Smaller than what must stay: every closed one goes, and the store says it is over. */
	assert_int_equal(ow_store_prune(s,
					&(struct ow_store_prune_limits){
						.max_bytes = 4096, .keep_ids = keep, .n_keep = 1 },
					&res),
			 0);
	assert_true(res.over_limit);
	assert_int_equal(count(t->path, "SELECT count(*) FROM incidents"), 1);
	assert_true(stored(t->path, ids[0]));
	ow_store_close(s);
}

/*
 * A database made before incremental auto-vacuum: pruning frees pages but the file keeps its
 * size, until the one-time VACUUM of ow_store_enable_shrink(), after which it shrinks.
 */
static void test_enable_shrink(void **state)
{
	struct tmp *t = *state;
	struct ow_store_prune_result res;
	struct ow_store *s = NULL;
	uint64_t file_before, used, file_after;
	bool can_shrink = true;
	sqlite3 *db = NULL;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	for (int i = 0; i < 6; i++)
		save(s, T0_NS + (uint64_t)i * S, "/app", "/app", "/app", "/app", 300, false);
	ow_store_close(s);
	/* As an older oomwitness made it. */
	assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA auto_vacuum = NONE; VACUUM", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_int_equal(ow_store_can_shrink(s, &can_shrink), 0);
	assert_false(can_shrink);
	assert_int_equal(ow_store_size(s, &file_before, NULL), 0);
	assert_int_equal(
		ow_store_prune(s, &(struct ow_store_prune_limits){ .before_ns = T0_NS + 3 * S },
			       &res),
		0);
	assert_int_equal(res.n_deleted, 3);
	assert_int_equal(ow_store_size(s, &file_after, &used), 0);
	assert_int_equal(file_after, file_before); /* the pages are free, for reuse */
	assert_true(used < file_before);

	assert_int_equal(ow_store_enable_shrink(s), 0);
	assert_int_equal(ow_store_can_shrink(s, &can_shrink), 0);
	assert_true(can_shrink);
	assert_int_equal(ow_store_size(s, &file_after, &used), 0);
	assert_int_equal(file_after, used);
	assert_true(file_after < file_before * 7 / 10);
	assert_int_equal(file_bytes(t->path), file_after);
	assert_int_equal(count(t->path, "SELECT count(*) FROM incidents"), 3);
	assert_int_equal(count(t->path, "SELECT count(*) FROM processes"), 3 * 302);
	/* Nothing to do the second time. */
	assert_int_equal(ow_store_enable_shrink(s), 0);
	ow_store_close(s);
}

/* ---- list filters ---- */

struct seen {
	char *cgroups[8];
	size_t n;
	const char *want; /* keep incidents with a cgroup equal to this */
};

static bool remember_cgroups(const char *const *cgroups, size_t n_cgroups, void *ctx)
{
	struct seen *seen = ctx;
	bool keep = false;

	for (size_t i = 0; i < seen->n; i++)
		free(seen->cgroups[i]);
	seen->n = 0;
	for (size_t i = 0; i < n_cgroups && i < 8; i++) {
		seen->cgroups[seen->n++] = xstrdup(cgroups[i]);
		keep |= seen->want && strcmp(cgroups[i], seen->want) == 0;
	}
	return keep;
}

static bool has(const struct seen *seen, const char *cgroup)
{
	for (size_t i = 0; i < seen->n; i++)
		if (strcmp(seen->cgroups[i], cgroup) == 0)
			return true;
	return false;
}

/* The ids a filter keeps, as a string "1,3,". */
static const char *ids_of(struct ow_store *s, const struct ow_store_list_filter *f, char *buf,
			  size_t size)
{
	struct ow_incident_summary *rows = NULL;
	size_t n = 0, len = 0;

	assert_int_equal(ow_store_list_filtered(s, f, &rows, &n), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(buf + len, size - len, "%lld,", (long long)rows[i].id);
		/* Each row is whole: its victims come with it. */
		assert_int_equal(rows[i].n_victims, 1);
		assert_int_equal(rows[i].victim_pids[0], 100);
	}
	ow_incident_summaries_free(rows, n);
	return buf;
}

static void test_list_filters(void **state)
{
	struct ow_incident_summary *all = NULL, *plain = NULL;
	struct ow_store_list_filter f = { 0 };
	struct seen seen = { 0 };
	struct ow_store *s = NULL;
	size_t n_all = 0, n_plain = 0;
	char buf[128];

	(void)state;
	assert_int_equal(ow_store_open(":memory:", OW_STORE_READ_WRITE, &s), 0);
	save(s, T0_NS, "/a", "/a", "/a", "/a", 0, false); /* 1 */
	save(s, T0_NS + 10 * S, "/a/b", "/a/b/victim", "/a/b/hog", "/a/b/other", 3, false);
	save(s, T0_NS + 20 * S, "/ab", "/ab", "/ab", "/ab", 0, false); /* 3 */
	save(s, T0_NS + 30 * S, NULL, "/x", "/y", "/z", 0, false); /* 4: global */
	save(s, T0_NS + 40 * S, "/a%_", "/a%_", "/a%_", "/a%_", 0, false); /* 5: LIKE's wildcards */

	/* No filter is the plain list. */
	assert_int_equal(ow_store_list(s, &plain, &n_plain), 0);
	assert_int_equal(ow_store_list_filtered(s, &f, &all, &n_all), 0);
	assert_int_equal(n_all, 5);
	assert_int_equal(n_plain, 5);
	for (size_t i = 0; i < n_all; i++)
		assert_int_equal(all[i].id, plain[i].id);
	ow_incident_summaries_free(all, n_all);
	ow_incident_summaries_free(plain, n_plain);
	assert_string_equal(ids_of(s, NULL, buf, sizeof(buf)), "1,2,3,4,5,");

	/* --since: the last kill at or after. */
	f.since_ns = T0_NS + 20 * S;
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "3,4,5,");
	f.since_ns = T0_NS + 20 * S + 1;
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "4,5,");
	f.since_ns = T0_NS + 3600 * S;
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "");
	f.since_ns = 0;

	/* --cgroup: the path or below it, at a '/' only; "/" every memcg, no global one. */
	f.cgroup = "/a";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "1,2,");
	f.cgroup = "/a/b";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "2,");
	f.cgroup = "/a/";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "1,2,");
	f.cgroup = "/a/b/victim";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "");
	f.cgroup = "/";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "1,2,3,5,");
	f.cgroup = "/a%";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "");
	f.cgroup = "/a%_";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "5,");
	f.cgroup = "/A";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "");
	f.cgroup = "/a";
	f.since_ns = T0_NS + 5 * S;
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "2,");
	f.since_ns = 0;
	f.cgroup = NULL;

	/* In code: the test sees the victims' and the culprit's cgroups, not the bystanders'. */
	f.match_cgroups = remember_cgroups;
	f.ctx = &seen;
	f.cgroup = "/a/b";
	seen.want = "/a/b/hog";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "2,");
	assert_int_equal(seen.n, 2);
	assert_true(has(&seen, "/a/b/victim"));
	assert_true(has(&seen, "/a/b/hog"));
	seen.want = "/a/b/other";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "");
	f.cgroup = NULL;
	seen.want = "/y"; /* the culprit of the global incident */
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "4,");
	seen.want = "/a";
	assert_string_equal(ids_of(s, &f, buf, sizeof(buf)), "1,");
	remember_cgroups(NULL, 0, &seen);
	ow_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_database_shrinks, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_prune_by_age, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_prune_by_size, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_enable_shrink, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_list_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
