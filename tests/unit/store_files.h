/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Database files for the store's unit tests that need a real file (upgrades of older
 * versions, crash marks, schemas): a temporary folder per test (cmocka setup and teardown),
 * SQL run on the file with a connection of its own, and the schema as sqlite_master holds it.
 * Each test is one .c file that includes this header, so everything here is static inline.
 */
#ifndef OW_TESTS_STORE_FILES_H
#define OW_TESTS_STORE_FILES_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A temporary folder and the database path in it. */
struct tmp {
	char dir[64];
	char path[128];
};

static inline int tmp_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* cmocka setup: *state becomes a struct tmp whose path is DIR/oomwitness.db (not made). */
static inline int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/ow-unit-store.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/oomwitness.db", t->dir);
	*state = t;
	return 0;
}

/* cmocka teardown: the folder and all in it removed. */
static inline int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	nftw(t->dir, tmp_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* Runs SQL on a file with a connection of its own (foreign keys on, as the store has them). */
static inline void run_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The integer the SQL answers (-1 when no row), from a read-only connection of its own. */
static inline int64_t query_i64(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

/* The schema as sqlite_master holds it, one malloc'ed string, a line per object by name. */
static inline char *schema_of(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	char *all = calloc(1, 1);
	size_t len = 0;

	assert_non_null(all);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT type || ' ' || name || ' ' || "
					    "coalesce(sql, '') FROM sqlite_master ORDER BY name",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(stmt, 0);
		size_t n = strlen(row);
		char *bigger = realloc(all, len + n + 2);

		assert_non_null(bigger);
		all = bigger;
		memcpy(all + len, row, n);
		len += n;
		all[len++] = '\n';
		all[len] = '\0';
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return all;
}

#endif
