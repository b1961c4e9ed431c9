// SPDX-License-Identifier: GPL-2.0-only
/*
 * The store: incidents kept durably in one SQLite database, the only place sqlite3 is used.
 *
 * The recorder writes an incident here as soon as its kill has been captured, each change in
 * one transaction, and the list/show commands read them back. The schema is normalised
 * (incidents, their kills, each kill's process snapshot) and versioned with PRAGMA
 * user_version; PRAGMA application_id marks the file as ours so that a foreign database is
 * refused rather than written to. Statements are prepared once per store and reused, since
 * a kill with a couple of thousand processes is on the path from the kill to a committed
 * incident. An incident's memory history (schema version 2) is one row per series, each a
 * blob of the series codec (series_codec.h), not a row per sample (46,000 rows an incident).
 * What follows a kill (schema version 3: its flags, aftermath, the kernel's report) is
 * columns of its row, which ow_store_update_kill_followup() rewrites alone when it arrives
 * after the kill was committed. docs/storage.md describes the schema and the choices behind
 * it.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "model/shared_str.h"
#include "store/series_codec.h"

#define OW_STORE_APPLICATION_ID 0x4f4f4d57 /* "OOMW" */
#define OW_STORE_BUSY_TIMEOUT_MS 5000
/* How long a checkpoint after a prune waits for readers: the recorder's poll loop waits too. */
#define OW_STORE_CHECKPOINT_TIMEOUT_MS 200
/* PRAGMA auto_vacuum values. */
#define OW_AUTO_VACUUM_INCREMENTAL 2
#define OW_STORE_ERRMSG_LEN 256
/* Samples a history may have: 72 h at 1 s. Bounds what a corrupt row can make load allocate. */
#define OW_STORE_HISTORY_MAX_TIMES (1u << 18)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char schema_v1_sql[] =
	"CREATE TABLE incidents ("
	" id INTEGER PRIMARY KEY,"
	" start_ns INTEGER NOT NULL,"
	" end_ns INTEGER NOT NULL,"
	" domain_kind TEXT NOT NULL,"
	" domain_cgroup TEXT,"
	" domain_cgroup_id INTEGER NOT NULL,"
	" limit_bytes INTEGER NOT NULL,"
	" usage_bytes INTEGER NOT NULL,"
	" total_bytes INTEGER NOT NULL,"
	" lost_events INTEGER NOT NULL,"
	" culprit_kind TEXT,"
	" culprit_pid INTEGER,"
	" culprit_comm TEXT"
	");"
	"CREATE TABLE kills ("
	" id INTEGER PRIMARY KEY,"
	" incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" time_ns INTEGER NOT NULL,"
	" killer_kind TEXT NOT NULL,"
	" victim_pid INTEGER NOT NULL,"
	" trigger_pid INTEGER NOT NULL,"
	" trigger_tid INTEGER NOT NULL,"
	" trigger_thread_comm TEXT NOT NULL,"
	" domain_kind TEXT NOT NULL,"
	" domain_cgroup TEXT,"
	" domain_cgroup_id INTEGER NOT NULL,"
	" limit_bytes INTEGER NOT NULL,"
	" usage_bytes INTEGER NOT NULL,"
	" total_bytes INTEGER NOT NULL,"
	" kernel_stack TEXT,"
	" user_stack TEXT,"
	" kthreads_skipped INTEGER NOT NULL,"
	" lost_events INTEGER NOT NULL,"
	" partial INTEGER NOT NULL"
	");"
	"CREATE INDEX kills_incident_id ON kills(incident_id);"
	"CREATE TABLE processes ("
	" kill_id INTEGER NOT NULL REFERENCES kills(id) ON DELETE CASCADE,"
	" pid INTEGER NOT NULL,"
	" ppid INTEGER NOT NULL,"
	" uid INTEGER NOT NULL,"
	" oom_score_adj INTEGER NOT NULL,"
	" flags INTEGER NOT NULL,"
	" comm TEXT NOT NULL,"
	" cmdline TEXT,"
	" cgroup TEXT,"
	" cgroup_id INTEGER NOT NULL,"
	" anon_bytes INTEGER NOT NULL,"
	" file_bytes INTEGER NOT NULL,"
	" shmem_bytes INTEGER NOT NULL,"
	" swap_bytes INTEGER NOT NULL,"
	" pgtables_bytes INTEGER NOT NULL"
	");"
	"CREATE INDEX processes_kill_id ON processes(kill_id);"
	"CREATE TABLE recorder ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL"
	") WITHOUT ROWID;";

/*
 * Version 2 adds the memory history of an incident (model/history.h): one row per incident
 * with the time axis and the system series, and one row per process and per cgroup series.
 * Each series is a blob of the series codec; which fields it holds, in which order, is in the
 * layouts below. Deleting an incident (or its history row) deletes its series.
 *
 * It also adds incidents.missed_kills: OOM kills the recorder did not witness while the
 * incident was open (docs/storage.md, "Crash safety"). A column, not a table: every incident
 * has the count, and a new database and an upgraded one get it by the same ALTER, so their
 * schemas stay identical. Pre-release builds wrote version 2 without it: open_db() adds it.
 */
#define MISSED_KILLS_COLUMN_SQL \
	"ALTER TABLE incidents ADD COLUMN missed_kills INTEGER NOT NULL DEFAULT 0;"
static const char schema_v2_sql[] = MISSED_KILLS_COLUMN_SQL
	"CREATE TABLE histories ("
	" incident_id INTEGER PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,"
	" interval_ns INTEGER NOT NULL,"
	" window_ns INTEGER NOT NULL,"
	" truncated INTEGER NOT NULL,"
	" n_times INTEGER NOT NULL,"
	" times BLOB NOT NULL,"
	" system BLOB NOT NULL"
	");"
	"CREATE TABLE history_processes ("
	" incident_id INTEGER NOT NULL REFERENCES histories(incident_id) ON DELETE CASCADE,"
	" ordinal INTEGER NOT NULL,"
	" pid INTEGER NOT NULL,"
	" ppid INTEGER NOT NULL,"
	" comm TEXT NOT NULL,"
	" cmdline TEXT,"
	" cgroup TEXT,"
	" start_time_ns INTEGER NOT NULL,"
	" samples BLOB NOT NULL,"
	" PRIMARY KEY (incident_id, ordinal)"
	");"
	"CREATE TABLE history_cgroups ("
	" incident_id INTEGER NOT NULL REFERENCES histories(incident_id) ON DELETE CASCADE,"
	" ordinal INTEGER NOT NULL,"
	" path TEXT,"
	" id INTEGER NOT NULL,"
	" samples BLOB NOT NULL,"
	" PRIMARY KEY (incident_id, ordinal)"
	");";

/*
 * Version 3 adds what follows a kill and what the kernel said of it (model.h): the kill's
 * flags, its aftermath (the victim's exit, the OOM reaper), the kernel's own report from
 * /dev/kmsg, and the memory of the domain no process owns, as columns of kills (one value per
 * kill; NULL where the model says unknown), with two tables for the lists: the biggest tmpfs
 * mounts of a kill, and the oom_score_adj changes of a kill's processes, keyed by the
 * process's position in the snapshot (processes has no key of its own: rows are read in rowid
 * order). Both go with their kill (ON DELETE CASCADE). ADD COLUMN with a constant default
 * rewrites no row: the upgrade takes milliseconds whatever the file holds.
 */
static const char schema_v3_sql[] =
	"ALTER TABLE kills ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kills ADD COLUMN exit_ns INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kills ADD COLUMN reap_start_ns INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kills ADD COLUMN reap_end_ns INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kills ADD COLUMN reaped_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE kills ADD COLUMN report_constraint TEXT NOT NULL DEFAULT 'unknown';"
	"ALTER TABLE kills ADD COLUMN report_oom_memcg TEXT;"
	"ALTER TABLE kills ADD COLUMN report_task_memcg TEXT;"
	"ALTER TABLE kills ADD COLUMN report_gfp_mask INTEGER;"
	"ALTER TABLE kills ADD COLUMN report_order INTEGER;"
	"ALTER TABLE kills ADD COLUMN unowned_shmem_bytes INTEGER;"
	"ALTER TABLE kills ADD COLUMN unowned_file_bytes INTEGER;"
	"ALTER TABLE kills ADD COLUMN unowned_kernel_bytes INTEGER;"
	"ALTER TABLE kills ADD COLUMN unowned_slab_bytes INTEGER;"
	"ALTER TABLE kills ADD COLUMN unowned_pagetables_bytes INTEGER;"
	"ALTER TABLE kills ADD COLUMN unowned_sock_bytes INTEGER;"
	"CREATE TABLE kill_tmpfs ("
	" kill_id INTEGER NOT NULL REFERENCES kills(id) ON DELETE CASCADE,"
	" ordinal INTEGER NOT NULL,"
	" path TEXT,"
	" used_bytes INTEGER NOT NULL,"
	" PRIMARY KEY (kill_id, ordinal)"
	") WITHOUT ROWID;"
	"CREATE TABLE adj_changes ("
	" kill_id INTEGER NOT NULL REFERENCES kills(id) ON DELETE CASCADE,"
	" process_index INTEGER NOT NULL,"
	" ordinal INTEGER NOT NULL,"
	" time_ns INTEGER NOT NULL,"
	" old_adj INTEGER,"
	" new_adj INTEGER NOT NULL,"
	" by_pid INTEGER NOT NULL,"
	" by_comm TEXT NOT NULL,"
	" inherited INTEGER NOT NULL,"
	" PRIMARY KEY (kill_id, process_index, ordinal)"
	") WITHOUT ROWID;";

/*
 * The schema steps: a new database runs all of them, an older one those after its version.
 * schema_sql[v - 1] takes a database from version v - 1 to v. Never edit a step once released:
 * add one.
 */
static const char *const schema_sql[OW_STORE_SCHEMA_VERSION] = {
	schema_v1_sql,
	schema_v2_sql,
	schema_v3_sql,
};

/* Column lists shared by the INSERT and SELECT statements; bind and read in this order. */
#define DOMAIN_COLS                                                                \
	"domain_kind, domain_cgroup, domain_cgroup_id, limit_bytes, usage_bytes, " \
	"total_bytes"
/* missed: the column, or "0" for a file without it (stmt_sql_no_missed[]). */
#define INCIDENT_COLS_WITH(missed)                                                   \
	"start_ns, end_ns, " DOMAIN_COLS ", lost_events, " missed ", culprit_kind, " \
	"culprit_pid, culprit_comm"
#define INCIDENT_COLS INCIDENT_COLS_WITH("missed_kills")
#define KILL_COLS                                                          \
	"time_ns, killer_kind, victim_pid, trigger_pid, trigger_tid, "     \
	"trigger_thread_comm, " DOMAIN_COLS ", kernel_stack, user_stack, " \
	"kthreads_skipped, lost_events, partial, " KILL_FOLLOWUP_COLS ", " KILL_UNOWNED_COLS
/* Version 3: what ow_store_update_kill_followup() rewrites, then the memory nobody owns. */
#define KILL_FOLLOWUP_COLS                                                              \
	"flags, exit_ns, reap_start_ns, reap_end_ns, reaped_bytes, report_constraint, " \
	"report_oom_memcg, report_task_memcg, report_gfp_mask, report_order"
#define KILL_UNOWNED_COLS                                                 \
	"unowned_shmem_bytes, unowned_file_bytes, unowned_kernel_bytes, " \
	"unowned_slab_bytes, unowned_pagetables_bytes, unowned_sock_bytes"
/* What a version-1 or -2 file opened read-only reads in their place: the model's defaults. */
#define KILL_V3_DEFAULTS                                                                   \
	"0, 0, 0, 0, 0, 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, " \
	"NULL"
#define KILL_COLS_V2                                                       \
	"time_ns, killer_kind, victim_pid, trigger_pid, trigger_tid, "     \
	"trigger_thread_comm, " DOMAIN_COLS ", kernel_stack, user_stack, " \
	"kthreads_skipped, lost_events, partial, " KILL_V3_DEFAULTS
#define KILL_TMPFS_COLS "path, used_bytes"
#define ADJ_CHANGE_COLS "process_index, time_ns, old_adj, new_adj, by_pid, by_comm, inherited"
#define PROCESS_COLS                                                               \
	"pid, ppid, uid, oom_score_adj, flags, comm, cmdline, cgroup, cgroup_id, " \
	"anon_bytes, file_bytes, shmem_bytes, swap_bytes, pgtables_bytes"
#define HISTORY_COLS "interval_ns, window_ns, truncated, n_times, times, system"
#define HISTORY_PROCESS_COLS "pid, ppid, comm, cmdline, cgroup, start_time_ns, samples"
#define HISTORY_CGROUP_COLS "path, id, samples"

/*
 * The filters of ow_store_list_filtered(), NULL for none: ?1 the oldest last kill kept, ?2 the
 * domain's cgroup, ?3 the same with its trailing '/' (compared as bytes: LIKE has wildcards and
 * ignores case). missed as in INCIDENT_COLS_WITH().
 */
#define LIST_SQL(missed)                                                               \
	"SELECT id, start_ns, end_ns, domain_kind, domain_cgroup, culprit_kind, "      \
	"culprit_pid, culprit_comm, lost_events, " missed " FROM incidents "           \
	"WHERE (?1 IS NULL OR end_ns >= ?1) AND (?2 IS NULL OR domain_cgroup = ?2 OR " \
	"substr(CAST(domain_cgroup AS BLOB), 1, length(CAST(?3 AS BLOB))) = "          \
	"CAST(?3 AS BLOB)) ORDER BY start_ns, id"

/* The recorder table's keys for the kill mark (struct ow_store_kill_mark), in this order. */
#define KILL_MARK_KEYS "'kill_mark_boot_id', 'kill_mark_oom_kills', 'kill_mark_time_ns'"

enum stmt_id {
	STMT_INCIDENT_INSERT,
	STMT_INCIDENT_UPDATE,
	STMT_KILLS_DELETE,
	STMT_KILL_INSERT,
	STMT_PROCESS_INSERT,
	STMT_KILL_TMPFS_INSERT,
	STMT_ADJ_INSERT,
	STMT_KILL_FOLLOWUP_UPDATE,
	STMT_INCIDENT_SELECT,
	STMT_KILLS_SELECT,
	STMT_PROCESSES_SELECT,
	STMT_KILL_TMPFS_SELECT,
	STMT_ADJ_SELECT,
	STMT_LIST,
	STMT_LIST_VICTIMS,
	STMT_LAST_ID,
	STMT_FIND_OPEN,
	STMT_LOST_ADD,
	STMT_LOST_GET,
	STMT_DROPPED_ADD,
	STMT_DROPPED_GET,
	STMT_INCIDENT_EXISTS,
	STMT_HISTORY_DELETE,
	STMT_HISTORY_INSERT,
	STMT_HISTORY_PROCESS_INSERT,
	STMT_HISTORY_CGROUP_INSERT,
	STMT_HISTORY_SELECT,
	STMT_HISTORY_PROCESSES_SELECT,
	STMT_HISTORY_CGROUPS_SELECT,
	STMT_INCIDENT_CGROUPS,
	STMT_PRUNE_CANDIDATES,
	STMT_INCIDENT_DELETE,
	STMT_KILL_MARK_SET,
	STMT_KILL_MARK_GET,
	STMT_MISSED_ADD,
	STMT_MISSED_GET,
	STMT_MISSED_INCIDENTS,
	STMT_MISSED_MARK,
	STMT_COUNT,
};

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_INCIDENT_INSERT] = "INSERT INTO incidents (" INCIDENT_COLS ") "
				 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_INCIDENT_UPDATE] = "UPDATE incidents SET (" INCIDENT_COLS ") = "
				 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?",
	[STMT_KILLS_DELETE] = "DELETE FROM kills WHERE incident_id = ?",
	[STMT_KILL_INSERT] = "INSERT INTO kills (incident_id, seq, " KILL_COLS ") "
			     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			     "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_KILL_TMPFS_INSERT] = "INSERT INTO kill_tmpfs (kill_id, ordinal, " KILL_TMPFS_COLS
				   ") VALUES (?, ?, ?, ?)",
	[STMT_ADJ_INSERT] = "INSERT INTO adj_changes (kill_id, ordinal, " ADJ_CHANGE_COLS ") "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_KILL_FOLLOWUP_UPDATE] = "UPDATE kills SET (" KILL_FOLLOWUP_COLS ") = "
				      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
				      "WHERE incident_id = ? AND seq = ?",
	[STMT_PROCESS_INSERT] = "INSERT INTO processes (kill_id, " PROCESS_COLS ") "
				"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_INCIDENT_SELECT] = "SELECT " INCIDENT_COLS " FROM incidents WHERE id = ?",
	[STMT_KILLS_SELECT] = "SELECT id, " KILL_COLS " FROM kills WHERE incident_id = ? "
			      "ORDER BY seq",
	[STMT_PROCESSES_SELECT] = "SELECT " PROCESS_COLS " FROM processes WHERE kill_id = ? "
				  "ORDER BY rowid",
	[STMT_KILL_TMPFS_SELECT] = "SELECT " KILL_TMPFS_COLS " FROM kill_tmpfs WHERE kill_id = ? "
				   "ORDER BY ordinal",
	[STMT_ADJ_SELECT] = "SELECT " ADJ_CHANGE_COLS " FROM adj_changes WHERE kill_id = ? "
			    "ORDER BY process_index, ordinal",
	[STMT_LIST] = LIST_SQL("missed_kills"),
	[STMT_LIST_VICTIMS] = "SELECT victim_pid FROM kills WHERE incident_id = ? ORDER BY seq",
	[STMT_LAST_ID] = "SELECT id FROM incidents ORDER BY start_ns DESC, id DESC LIMIT 1",
	[STMT_FIND_OPEN] = "SELECT id FROM incidents WHERE domain_kind = ? AND domain_cgroup IS ? "
			   "AND end_ns >= ? ORDER BY end_ns DESC, id DESC LIMIT 1",
	[STMT_LOST_ADD] = "INSERT INTO recorder (key, value) VALUES ('lost_events', ?) "
			  "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
	[STMT_LOST_GET] = "SELECT value FROM recorder WHERE key = 'lost_events'",
	[STMT_DROPPED_ADD] = "INSERT INTO recorder (key, value) VALUES ('dropped_kills', ?) "
			     "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
	[STMT_DROPPED_GET] = "SELECT value FROM recorder WHERE key = 'dropped_kills'",
	[STMT_INCIDENT_EXISTS] = "SELECT id FROM incidents WHERE id = ?",
	[STMT_HISTORY_DELETE] = "DELETE FROM histories WHERE incident_id = ?",
	[STMT_HISTORY_INSERT] = "INSERT INTO histories (incident_id, " HISTORY_COLS ") "
				"VALUES (?, ?, ?, ?, ?, ?, ?)",
	[STMT_HISTORY_PROCESS_INSERT] =
		"INSERT INTO history_processes (incident_id, ordinal, " HISTORY_PROCESS_COLS
		") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_HISTORY_CGROUP_INSERT] =
		"INSERT INTO history_cgroups (incident_id, ordinal, " HISTORY_CGROUP_COLS
		") VALUES (?, ?, ?, ?, ?)",
	[STMT_HISTORY_SELECT] = "SELECT " HISTORY_COLS " FROM histories WHERE incident_id = ?",
	[STMT_HISTORY_PROCESSES_SELECT] = "SELECT " HISTORY_PROCESS_COLS " FROM history_processes "
					  "WHERE incident_id = ? ORDER BY ordinal",
	[STMT_HISTORY_CGROUPS_SELECT] = "SELECT " HISTORY_CGROUP_COLS " FROM history_cgroups "
					"WHERE incident_id = ? ORDER BY ordinal",
	/* The cgroups of an incident's victims (?1) and of its culprit process (?2). */
	[STMT_INCIDENT_CGROUPS] = "SELECT DISTINCT p.cgroup FROM kills k "
				  "JOIN processes p ON p.kill_id = k.id "
				  "WHERE k.incident_id = ?1 AND p.cgroup IS NOT NULL "
				  "AND (p.pid = k.victim_pid OR p.pid = ?2)",
	[STMT_PRUNE_CANDIDATES] = "SELECT id, end_ns FROM incidents ORDER BY end_ns, id",
	[STMT_INCIDENT_DELETE] = "DELETE FROM incidents WHERE id = ?",
	[STMT_KILL_MARK_SET] =
		"INSERT INTO recorder (key, value) VALUES ('kill_mark_boot_id', ?1), "
		"('kill_mark_oom_kills', ?2), ('kill_mark_time_ns', ?3) "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[STMT_KILL_MARK_GET] = "SELECT key, value FROM recorder WHERE key IN (" KILL_MARK_KEYS ")",
	[STMT_MISSED_ADD] = "INSERT INTO recorder (key, value) VALUES ('missed_kills', ?) "
			    "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
	[STMT_MISSED_GET] = "SELECT value FROM recorder WHERE key = 'missed_kills'",
	[STMT_MISSED_INCIDENTS] = "SELECT id FROM incidents WHERE end_ns >= ? ORDER BY id",
	[STMT_MISSED_MARK] = "UPDATE incidents SET missed_kills = missed_kills + ?1 "
			     "WHERE end_ns >= ?2",
};

/*
 * The statements that read incidents.missed_kills, for a file without the column (version 1,
 * or 2 by a pre-release build, opened read-only): there it reads as 0.
 */
static const char *const stmt_sql_no_missed[STMT_COUNT] = {
	[STMT_INCIDENT_SELECT] = "SELECT " INCIDENT_COLS_WITH("0") " FROM incidents WHERE id = ?",
	[STMT_LIST] = LIST_SQL("0"),
};

/*
 * The statements that read version-3 columns, for a version-1 or -2 file opened read-only:
 * there they read as the model's defaults (no flags, nothing followed, nothing reported).
 */
static const char *const stmt_sql_v2[STMT_COUNT] = {
	[STMT_KILLS_SELECT] = "SELECT id, " KILL_COLS_V2 " FROM kills WHERE incident_id = ? "
			      "ORDER BY seq",
};

struct ow_store {
	sqlite3 *db;
	enum ow_store_mode mode;
	/* schema version of the file; below 3 (read-only) it lacks what that version added */
	int64_t version;
	bool has_missed_kills; /* incidents.missed_kills exists (stmt_sql_no_missed[]) */
	/* Written by the next incident save (ow_store_stage_kill_mark()) when staged. */
	bool kill_mark_staged;
	struct ow_store_kill_mark staged_kill_mark;
	sqlite3_stmt *stmts[STMT_COUNT]; /* prepared on first use, kept until close */
	char errmsg[OW_STORE_ERRMSG_LEN];
};

/* Binds parameters left to right; the first failure sticks and later calls do nothing. */
struct binder {
	sqlite3_stmt *stmt;
	int idx;
	int rc;
};

/* Reads columns left to right. */
struct reader {
	sqlite3_stmt *stmt;
	int idx;
};

static int errno_of_sqlite(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		return sys > 0 ? -sys : -EIO;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_FORMAT:
	case SQLITE_SCHEMA:
	case SQLITE_ERROR: /* e.g. "no such table": not our schema */
		return -EPROTO;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_INTERRUPT:
		return -EINTR;
	default:
		return -EIO;
	}
}

/* Records SQLite's message for rc and returns rc as a negative errno. */
static int fail_sqlite(struct ow_store *s, int rc)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s", sqlite3_errmsg(s->db));
	return errno_of_sqlite(s->db, rc);
}

/* Records our own message for a failure SQLite did not report, and returns err. */
static int fail_msg(struct ow_store *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_msg(struct ow_store *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static void stmt_release(sqlite3_stmt *stmt)
{
	if (!stmt)
		return;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/* The cached statement id, prepared on first use, reset and with its bindings cleared. */
static int stmt_get(struct ow_store *s, enum stmt_id id, sqlite3_stmt **ret_stmt)
{
	int rc;

	if (!s->stmts[id]) {
		const char *sql = stmt_sql[id];

		if (s->version < 3 && stmt_sql_v2[id])
			sql = stmt_sql_v2[id];
		else if (!s->has_missed_kills && stmt_sql_no_missed[id])
			sql = stmt_sql_no_missed[id];

		rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[id],
					NULL);
		if (rc != SQLITE_OK)
			return fail_sqlite(s, rc);
	}
	stmt_release(s->stmts[id]);
	*ret_stmt = s->stmts[id];
	return 0;
}

/* Steps a statement that returns no rows (INSERT, UPDATE, DELETE). */
static int stmt_exec(struct ow_store *s, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail_sqlite(s, rc);
	return 0;
}

/* Binds v to the only parameter, steps, and releases the statement. */
static int bind_one_and_exec(struct ow_store *s, sqlite3_stmt *stmt, int64_t v)
{
	int rc = sqlite3_bind_int64(stmt, 1, v);
	int err = rc == SQLITE_OK ? stmt_exec(s, stmt) : fail_sqlite(s, rc);

	stmt_release(stmt);
	return err;
}

/* Runs a statement answering one id (bound beforehand) into *ret_id; -ENOENT on no row. */
static int step_id(struct ow_store *s, sqlite3_stmt *stmt, int64_t *ret_id)
{
	int rc = sqlite3_step(stmt);
	int err = 0;

	if (rc == SQLITE_ROW)
		*ret_id = sqlite3_column_int64(stmt, 0);
	else if (rc == SQLITE_DONE)
		err = -ENOENT;
	else
		err = fail_sqlite(s, rc);
	stmt_release(stmt);
	return err;
}

static int exec_sql(struct ow_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail_sqlite(s, rc);
}

static void rollback(struct ow_store *s)
{
	/* Fails harmlessly when SQLite already rolled back (e.g. after SQLITE_FULL). */
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static void bind_i64(struct binder *b, int64_t v)
{
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_int64(b->stmt, ++b->idx, v);
}

static void bind_u64(struct binder *b, uint64_t v)
{
	bind_i64(b, (int64_t)v);
}

/* Binds NULL for a NULL string. The string must outlive the step (SQLITE_STATIC). */
static void bind_text(struct binder *b, const char *text)
{
	if (b->rc != SQLITE_OK)
		return;
	b->idx++;
	if (text)
		b->rc = sqlite3_bind_text(b->stmt, b->idx, text, -1, SQLITE_STATIC);
	else
		b->rc = sqlite3_bind_null(b->stmt, b->idx);
}

/* comm may lack its terminating NUL; bind at most OW_COMM_LEN bytes. */
static void bind_comm(struct binder *b, const char comm[OW_COMM_LEN])
{
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_text(b->stmt, ++b->idx, comm, (int)strnlen(comm, OW_COMM_LEN),
					  SQLITE_STATIC);
}

/* Binds a stack as its frames joined by '\n', NULL when empty. *ret_buf must be freed. */
static void bind_stack(struct binder *b, const struct ow_stack *stack, char **ret_buf)
{
	size_t len = 0;
	char *buf, *p;

	*ret_buf = NULL;
	if (b->rc != SQLITE_OK)
		return;
	if (stack->n_frames == 0) {
		bind_text(b, NULL);
		return;
	}
	for (size_t i = 0; i < stack->n_frames; i++)
		len += strlen(stack->frames[i] ? stack->frames[i] : "") + 1;
	buf = malloc(len);
	if (!buf) {
		b->rc = SQLITE_NOMEM;
		return;
	}
	p = buf;
	for (size_t i = 0; i < stack->n_frames; i++) {
		const char *frame = stack->frames[i] ? stack->frames[i] : "";
		size_t n = strlen(frame);

		memcpy(p, frame, n);
		p += n;
		*p++ = '\n';
	}
	p[-1] = '\0';
	*ret_buf = buf;
	bind_text(b, buf);
}

/* Binds bytes as a BLOB. They must outlive the step (SQLITE_STATIC). */
static void bind_blob(struct binder *b, const uint8_t *data, size_t n)
{
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_blob64(b->stmt, ++b->idx, data, n, SQLITE_STATIC);
}

static void bind_domain(struct binder *b, const struct ow_domain *d)
{
	bind_text(b, ow_domain_kind_name(d->kind));
	bind_text(b, d->cgroup);
	bind_u64(b, d->cgroup_id);
	bind_u64(b, d->limit_bytes);
	bind_u64(b, d->usage_bytes);
	bind_u64(b, d->total_bytes);
}

/* The cached statement id in a fresh binder, its parameters to be bound from the first. */
static int bind_start(struct ow_store *s, enum stmt_id id, struct binder *ret_b)
{
	*ret_b = (struct binder){ .rc = SQLITE_OK };
	return stmt_get(s, id, &ret_b->stmt);
}

/* Steps the statement of b unless a bind failed (that failure is returned), and releases it. */
static int bind_exec(struct ow_store *s, struct binder *b)
{
	int err = b->rc == SQLITE_OK ? stmt_exec(s, b->stmt) : fail_sqlite(s, b->rc);

	stmt_release(b->stmt);
	return err;
}

static int64_t read_i64(struct reader *r)
{
	return sqlite3_column_int64(r->stmt, r->idx++);
}

static uint64_t read_u64(struct reader *r)
{
	return (uint64_t)read_i64(r);
}

static int32_t read_i32(struct reader *r)
{
	return (int32_t)read_i64(r);
}

static uint32_t read_u32(struct reader *r)
{
	return (uint32_t)read_i64(r);
}

/* The next column's text, borrowed until the statement moves on; NULL for SQL NULL. */
static int next_text(struct reader *r, const char **ret)
{
	int col = r->idx++;

	*ret = NULL;
	if (sqlite3_column_type(r->stmt, col) == SQLITE_NULL)
		return 0;
	*ret = (const char *)sqlite3_column_text(r->stmt, col);
	return *ret ? 0 : -ENOMEM;
}

/* A copy of the next column (TEXT) in *ret, NULL for SQL NULL. Returns 0 or -ENOMEM. */
static int read_text(struct reader *r, char **ret)
{
	const char *text;
	int err = next_text(r, &text);

	*ret = err == 0 && text ? strdup(text) : NULL;
	return err < 0 || !text || *ret ? err : -ENOMEM;
}

/* read_text as a shared string of pool (model/shared_str.h): one copy per distinct text. */
static int read_shared_text(struct reader *r, struct ow_str_pool *pool, char **ret)
{
	const char *text;
	int err = next_text(r, &text);

	*ret = err == 0 && text ? ow_str_pool_intern(pool, text) : NULL;
	return err < 0 || !text || *ret ? err : -ENOMEM;
}

static void read_comm(struct reader *r, char comm[OW_COMM_LEN])
{
	const unsigned char *text = sqlite3_column_text(r->stmt, r->idx++);

	memset(comm, 0, OW_COMM_LEN);
	if (text)
		strncpy(comm, (const char *)text, OW_COMM_LEN - 1);
}

/* A BLOB column, borrowed until the statement moves on; NULL and 0 for SQL NULL or empty. */
static int read_blob(struct ow_store *s, struct reader *r, const uint8_t **ret, size_t *ret_bytes)
{
	int col = r->idx++;
	const uint8_t *blob = sqlite3_column_blob(r->stmt, col);
	int n = sqlite3_column_bytes(r->stmt, col);

	if (!blob && sqlite3_errcode(s->db) == SQLITE_NOMEM)
		return -ENOMEM;
	*ret = blob;
	*ret_bytes = blob && n > 0 ? (size_t)n : 0;
	return 0;
}

/* A TEXT column naming a domain kind. Returns 0, or -EPROTO for a name we do not know. */
static int read_domain_kind(struct reader *r, enum ow_domain_kind *ret_kind)
{
	const unsigned char *text = sqlite3_column_text(r->stmt, r->idx++);

	if (!text || ow_domain_kind_parse((const char *)text, ret_kind) < 0)
		return -EPROTO;
	return 0;
}

static int read_stack(struct reader *r, struct ow_stack *stack)
{
	const unsigned char *text;
	const char *p, *nl;
	size_t n = 1;
	int col = r->idx++;

	stack->n_frames = 0;
	stack->frames = NULL;
	if (sqlite3_column_type(r->stmt, col) == SQLITE_NULL)
		return 0;
	text = sqlite3_column_text(r->stmt, col);
	if (!text)
		return -ENOMEM;
	for (p = (const char *)text; (nl = strchr(p, '\n')); p = nl + 1)
		n++;
	stack->frames = calloc(n, sizeof(*stack->frames));
	if (!stack->frames)
		return -ENOMEM;
	p = (const char *)text;
	for (size_t i = 0; i < n; i++) {
		nl = strchr(p, '\n');
		stack->frames[i] = nl ? strndup(p, (size_t)(nl - p)) : strdup(p);
		if (!stack->frames[i]) {
			stack->n_frames = i;
			ow_stack_clear(stack);
			return -ENOMEM;
		}
		p = nl ? nl + 1 : p;
	}
	stack->n_frames = n;
	return 0;
}

static int read_domain(struct reader *r, struct ow_domain *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	err = read_domain_kind(r, &d->kind);
	if (err < 0)
		return err;
	err = read_text(r, &d->cgroup);
	if (err < 0)
		return err;
	d->cgroup_id = read_u64(r);
	d->limit_bytes = read_u64(r);
	d->usage_bytes = read_u64(r);
	d->total_bytes = read_u64(r);
	return 0;
}

/* Creates path's parent directories, mode 0700, like mkdir -p. */
static int mkdir_parents(const char *path)
{
	char *dir = strdup(path);
	char *slash;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		goto out_free;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			err = -errno;
			goto out_free;
		}
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		err = -errno;
out_free:
	free(dir);
	return err;
}

/* Creates the database file mode 0600 if missing and checks that we may write it. */
static int create_file(const char *path)
{
	int fd, err;

	err = mkdir_parents(path);
	if (err < 0)
		return err;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The single integer a "PRAGMA name" or a SELECT returns. */
static int query_i64(struct ow_store *s, const char *sql, int64_t *ret)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return fail_sqlite(s, rc);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(stmt, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*ret = 0;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		int err = fail_sqlite(s, rc);

		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/*
 * Checks that the database is ours, or empty. Sets *ret_version to its schema version, 0 for
 * an empty database that still needs the schema.
 */
static int check_identity(struct ow_store *s, int64_t *ret_version)
{
	int64_t app_id = 0, version = 0, n_objects = 0;
	int err;

	err = query_i64(s, "PRAGMA application_id", &app_id);
	if (!err)
		err = query_i64(s, "PRAGMA user_version", &version);
	if (!err)
		err = query_i64(s, "SELECT count(*) FROM sqlite_master", &n_objects);
	if (err < 0)
		return err;
	if ((uint32_t)app_id != OW_STORE_APPLICATION_ID) {
		if (app_id != 0 || n_objects != 0 || version != 0)
			return fail_msg(s, -EPROTO,
					"not an oomwitness database (application_id %#x)",
					(unsigned int)app_id);
		*ret_version = 0;
		return 0;
	}
	if (version > OW_STORE_SCHEMA_VERSION)
		return fail_msg(s, -EPROTONOSUPPORT,
				"database schema version %lld is newer than this oomwitness (%d)",
				(long long)version, OW_STORE_SCHEMA_VERSION);
	if (version < 1)
		return fail_msg(s, -EPROTO, "oomwitness database without a schema version");
	*ret_version = version;
	return 0;
}

/*
 * Brings the schema up to date in one transaction: creates it in an empty database, or
 * upgrades an older version in place, unless another process just did. On failure nothing
 * changed.
 */
static int update_schema(struct ow_store *s)
{
	char sql[64];
	int64_t version;
	int err;

	err = exec_sql(s, "BEGIN IMMEDIATE");
	if (err < 0)
		return err;
	err = check_identity(s, &version);
	if (err < 0)
		goto out_rollback;
	if (version == OW_STORE_SCHEMA_VERSION)
		return exec_sql(s, "COMMIT"); /* another process was first */
	for (int64_t v = version; v < OW_STORE_SCHEMA_VERSION; v++) {
		err = exec_sql(s, schema_sql[v]);
		if (err < 0)
			goto out_rollback;
	}
	if (version == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", OW_STORE_APPLICATION_ID);
		err = exec_sql(s, sql);
		if (err < 0)
			goto out_rollback;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", OW_STORE_SCHEMA_VERSION);
	err = exec_sql(s, sql);
	if (err < 0)
		goto out_rollback;
	return exec_sql(s, "COMMIT");

out_rollback:
	rollback(s);
	return err;
}

/*
 * Whether incidents.missed_kills exists (s->has_missed_kills). A version-2 file written by a
 * pre-release build lacks it: a writable open adds it, in one transaction that checks again,
 * as update_schema() does. A read-only one reads it as 0.
 */
static int check_missed_kills_column(struct ow_store *s, bool writable)
{
	static const char has_sql[] = "SELECT count(*) FROM pragma_table_info('incidents') "
				      "WHERE name = 'missed_kills'";
	int64_t n = 0;
	int err;

	err = query_i64(s, has_sql, &n);
	if (err < 0 || n > 0 || !writable) {
		s->has_missed_kills = n > 0;
		return err;
	}
	err = exec_sql(s, "BEGIN IMMEDIATE");
	if (err < 0)
		return err;
	err = query_i64(s, has_sql, &n);
	if (!err && n == 0)
		err = exec_sql(s, MISSED_KILLS_COLUMN_SQL);
	if (!err)
		err = exec_sql(s, "COMMIT");
	if (err < 0) {
		rollback(s);
		return err;
	}
	s->has_missed_kills = true;
	return 0;
}

static int open_db(struct ow_store *s, const char *path, enum ow_store_mode mode)
{
	bool memory = strcmp(path, ":memory:") == 0;
	int64_t version;
	int flags, rc, err;

	if (mode == OW_STORE_READ_ONLY) {
		struct stat st;

		if (!memory && stat(path, &st) < 0)
			return -errno;
		flags = SQLITE_OPEN_READONLY;
	} else {
		if (!memory) {
			err = create_file(path);
			if (err < 0)
				return err;
		}
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		if (!s->db)
			return -ENOMEM;
		return fail_sqlite(s, rc);
	}
	sqlite3_extended_result_codes(s->db, 1);
	rc = sqlite3_busy_timeout(s->db, OW_STORE_BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK)
		return fail_sqlite(s, rc);

	/* Identify the file before changing anything in it: a foreign database is left alone. */
	err = check_identity(s, &version);
	if (err < 0)
		return err;
	err = exec_sql(s, "PRAGMA foreign_keys = ON");
	if (err < 0)
		return err;
	if (mode == OW_STORE_READ_ONLY) {
		if (version == 0)
			return fail_msg(s, -EPROTO, "empty database: not an oomwitness database");
		/* An older version is read as it is: what it lacks loads as absent. */
		s->version = version;
		return check_missed_kills_column(s, false);
	}
	/*
	 * A new database gives the pages that pruning frees back to the file system (docs/storage.md,
	 * "Retention"). Only possible before anything is written, even the header that WAL writes.
	 */
	err = version == 0 ? exec_sql(s, "PRAGMA auto_vacuum = INCREMENTAL") : 0;
	if (err < 0)
		return err;
	/* journal_mode answers with a row ("wal", or "memory" for :memory:): not an error. */
	err = exec_sql(s, "PRAGMA journal_mode = WAL");
	if (!err)
		err = exec_sql(s, "PRAGMA synchronous = NORMAL");
	if (!err && version < OW_STORE_SCHEMA_VERSION)
		err = update_schema(s);
	if (!err)
		err = check_missed_kills_column(s, true);
	if (!err)
		s->version = OW_STORE_SCHEMA_VERSION;
	return err;
}

int ow_store_open(const char *path, enum ow_store_mode mode, struct ow_store **ret_store)
{
	struct ow_store *s;
	mode_t old_umask = 0;
	int err;

	if (!path || !*path || !ret_store ||
	    (mode != OW_STORE_READ_ONLY && mode != OW_STORE_READ_WRITE))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mode = mode;
	/*
	 * Command lines can hold secrets: the database and its -wal and -shm files are for the
	 * owner only. SQLite gives the -wal/-shm it creates later the database's own mode, but
	 * the umask also covers those made while opening. umask is per process: ow_store_open()
	 * must not race with another thread creating files.
	 */
	if (mode == OW_STORE_READ_WRITE)
		old_umask = umask(077);
	err = open_db(s, path, mode);
	if (mode == OW_STORE_READ_WRITE)
		umask(old_umask);
	if (err < 0) {
		ow_store_close(s);
		return err;
	}
	*ret_store = s;
	return 0;
}

void ow_store_close(struct ow_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close(s->db);
	free(s);
}

const char *ow_store_errmsg(const struct ow_store *s)
{
	return s ? s->errmsg : "";
}

static void bind_incident(struct binder *b, const struct ow_incident *inc,
			  const struct ow_store_culprit_summary *culprit)
{
	bind_u64(b, inc->start_ns);
	bind_u64(b, inc->end_ns);
	bind_domain(b, &inc->domain);
	bind_u64(b, inc->lost_events);
	bind_u64(b, inc->missed_kills);
	if (culprit) {
		bind_text(b, culprit->kind);
		bind_i64(b, culprit->pid);
		bind_text(b, culprit->comm);
	} else {
		bind_text(b, NULL);
		bind_text(b, NULL);
		bind_text(b, NULL);
	}
}

static int insert_process(struct ow_store *s, int64_t kill_id, const struct ow_process *p)
{
	struct binder b;
	int err;

	err = bind_start(s, STMT_PROCESS_INSERT, &b);
	if (err < 0)
		return err;
	bind_i64(&b, kill_id);
	bind_i64(&b, p->pid);
	bind_i64(&b, p->ppid);
	bind_i64(&b, p->uid);
	bind_i64(&b, p->oom_score_adj);
	bind_i64(&b, p->flags);
	bind_comm(&b, p->comm);
	bind_text(&b, p->cmdline);
	bind_text(&b, p->cgroup);
	bind_u64(&b, p->cgroup_id);
	bind_u64(&b, p->anon_bytes);
	bind_u64(&b, p->file_bytes);
	bind_u64(&b, p->shmem_bytes);
	bind_u64(&b, p->swap_bytes);
	bind_u64(&b, p->pgtables_bytes);
	return bind_exec(s, &b);
}

/* Binds an integer column that is NULL unless known. */
static void bind_optional_i64(struct binder *b, bool known, int64_t v)
{
	if (known)
		bind_i64(b, v);
	else
		bind_text(b, NULL);
}

/* KILL_FOLLOWUP_COLS of k, in order. */
static void bind_kill_followup(struct binder *b, const struct ow_kill *k)
{
	const struct ow_kernel_report *r = &k->kernel_report;

	bind_i64(b, k->flags);
	bind_u64(b, k->after.exit_ns);
	bind_u64(b, k->after.reap_start_ns);
	bind_u64(b, k->after.reap_end_ns);
	bind_u64(b, k->after.reaped_bytes);
	bind_text(b, ow_oom_constraint_name(r->constraint));
	bind_text(b, r->oom_memcg);
	bind_text(b, r->task_memcg);
	bind_optional_i64(b, r->has_allocation, r->gfp_mask);
	bind_optional_i64(b, r->has_allocation, r->order);
}

/* KILL_UNOWNED_COLS of k, in order: all NULL when they were not read. */
static void bind_kill_unowned(struct binder *b, const struct ow_kill *k)
{
	const struct ow_unowned_memory *u = &k->unowned;

	bind_optional_i64(b, u->known, (int64_t)u->shmem_bytes);
	bind_optional_i64(b, u->known, (int64_t)u->file_bytes);
	bind_optional_i64(b, u->known, (int64_t)u->kernel_bytes);
	bind_optional_i64(b, u->known, (int64_t)u->slab_bytes);
	bind_optional_i64(b, u->known, (int64_t)u->pagetables_bytes);
	bind_optional_i64(b, u->known, (int64_t)u->sock_bytes);
}

static int insert_tmpfs(struct ow_store *s, int64_t kill_id, size_t ordinal,
			const struct ow_tmpfs_mount *m)
{
	struct binder b;
	int err;

	err = bind_start(s, STMT_KILL_TMPFS_INSERT, &b);
	if (err < 0)
		return err;
	bind_i64(&b, kill_id);
	bind_u64(&b, ordinal);
	bind_text(&b, m->path);
	bind_u64(&b, m->used_bytes);
	return bind_exec(s, &b);
}

static int insert_adj_change(struct ow_store *s, int64_t kill_id, size_t process_index,
			     size_t ordinal, const struct ow_adj_change *c)
{
	struct binder b;
	int err;

	err = bind_start(s, STMT_ADJ_INSERT, &b);
	if (err < 0)
		return err;
	bind_i64(&b, kill_id);
	bind_u64(&b, ordinal);
	bind_u64(&b, process_index);
	bind_u64(&b, c->time_ns);
	bind_optional_i64(&b, c->old_adj != OW_ADJ_UNKNOWN, c->old_adj);
	bind_i64(&b, c->new_adj);
	bind_i64(&b, c->by_pid);
	bind_comm(&b, c->by_comm);
	bind_i64(&b, c->inherited ? 1 : 0);
	return bind_exec(s, &b);
}

/* The rows of kill_id beside its processes: its tmpfs mounts, its processes' adj changes. */
static int insert_kill_lists(struct ow_store *s, int64_t kill_id, const struct ow_kill *k)
{
	int err = 0;

	for (size_t i = 0; !err && k->unowned.tmpfs && i < k->unowned.n_tmpfs; i++)
		err = insert_tmpfs(s, kill_id, i, &k->unowned.tmpfs[i]);
	for (size_t i = 0; !err && i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];

		for (size_t j = 0; !err && p->adj_changes && j < p->n_adj_changes; j++)
			err = insert_adj_change(s, kill_id, i, j, &p->adj_changes[j]);
	}
	return err;
}

static int insert_kill(struct ow_store *s, int64_t incident_id, size_t seq, const struct ow_kill *k)
{
	char *kernel_stack = NULL, *user_stack = NULL;
	struct binder b;
	int64_t kill_id;
	int err;

	err = bind_start(s, STMT_KILL_INSERT, &b);
	if (err < 0)
		return err;
	bind_i64(&b, incident_id);
	bind_i64(&b, (int64_t)seq);
	bind_u64(&b, k->time_ns);
	bind_text(&b, ow_killer_kind_name(k->killer_kind));
	bind_i64(&b, k->victim_pid);
	bind_i64(&b, k->trigger_pid);
	bind_i64(&b, k->trigger_tid);
	bind_comm(&b, k->trigger_thread_comm);
	bind_domain(&b, &k->domain);
	bind_stack(&b, &k->trigger_kernel_stack, &kernel_stack);
	bind_stack(&b, &k->trigger_user_stack, &user_stack);
	bind_u64(&b, k->kthreads_skipped);
	bind_u64(&b, k->lost_events);
	bind_i64(&b, k->partial ? 1 : 0);
	bind_kill_followup(&b, k);
	bind_kill_unowned(&b, k);
	if (b.rc == SQLITE_NOMEM) { /* bind_stack() ran out of memory: no SQLite message */
		err = -ENOMEM;
		stmt_release(b.stmt);
	} else {
		err = bind_exec(s, &b);
	}
	free(kernel_stack);
	free(user_stack);
	if (err < 0)
		return err;

	kill_id = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < k->n_procs; i++) {
		err = insert_process(s, kill_id, &k->procs[i]);
		if (err < 0)
			return err;
	}
	return insert_kill_lists(s, kill_id, k);
}

static int write_kill_mark(struct ow_store *s, const struct ow_store_kill_mark *m);

/*
 * Writes the incident row and kills[first_new..]; kills before first_new are kept as stored.
 * A staged kill mark goes in the same transaction, and is forgotten whatever the outcome.
 */
static int save_incident(struct ow_store *s, struct ow_incident *inc,
			 const struct ow_store_culprit_summary *culprit, size_t first_new)
{
	struct ow_store_kill_mark mark = s->staged_kill_mark;
	bool has_mark = s->kill_mark_staged;
	sqlite3_stmt *stmt = NULL;
	struct binder b;
	int64_t id = inc->id;
	int err;

	s->kill_mark_staged = false;
	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	err = exec_sql(s, "BEGIN IMMEDIATE");
	if (err < 0)
		return err;

	err = bind_start(s, id == 0 ? STMT_INCIDENT_INSERT : STMT_INCIDENT_UPDATE, &b);
	if (err < 0)
		goto out_rollback;
	bind_incident(&b, inc, culprit);
	if (id != 0)
		bind_i64(&b, id);
	err = bind_exec(s, &b);
	if (err < 0)
		goto out_rollback;
	if (id == 0) {
		id = sqlite3_last_insert_rowid(s->db);
	} else {
		if (sqlite3_changes(s->db) == 0) {
			err = fail_msg(s, -ENOENT, "no incident %lld to update", (long long)id);
			goto out_rollback;
		}
		if (first_new == 0) {
			err = stmt_get(s, STMT_KILLS_DELETE, &stmt);
			if (err < 0)
				goto out_rollback;
			err = bind_one_and_exec(s, stmt, id);
			if (err < 0)
				goto out_rollback;
		}
	}

	for (size_t i = first_new; i < inc->n_kills; i++) {
		err = insert_kill(s, id, i, &inc->kills[i]);
		if (err < 0)
			goto out_rollback;
	}
	if (has_mark) {
		err = write_kill_mark(s, &mark);
		if (err < 0)
			goto out_rollback;
	}
	err = exec_sql(s, "COMMIT");
	if (err < 0)
		goto out_rollback;
	inc->id = id;
	return 0;

out_rollback:
	rollback(s);
	return err;
}

int ow_store_save_incident(struct ow_store *s, struct ow_incident *inc,
			   const struct ow_store_culprit_summary *culprit)
{
	return save_incident(s, inc, culprit, 0);
}

int ow_store_append_kills(struct ow_store *s, struct ow_incident *inc, size_t n_stored,
			  const struct ow_store_culprit_summary *culprit)
{
	if (inc->id == 0 || n_stored > inc->n_kills)
		n_stored = 0;
	return save_incident(s, inc, culprit, n_stored);
}

int ow_store_update_kill_followup(struct ow_store *s, int64_t incident_id, size_t kill_seq_index,
				  const struct ow_kill *k)
{
	struct binder b;
	int err;

	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	if (!k || kill_seq_index > INT64_MAX)
		return fail_msg(s, -EINVAL, "no kill to update");
	/* One statement: SQLite runs it in a transaction of its own. */
	err = bind_start(s, STMT_KILL_FOLLOWUP_UPDATE, &b);
	if (err < 0)
		return err;
	bind_kill_followup(&b, k);
	bind_i64(&b, incident_id);
	bind_u64(&b, kill_seq_index);
	err = bind_exec(s, &b);
	if (!err && sqlite3_changes(s->db) == 0)
		err = fail_msg(s, -ENOENT, "no kill #%zu in incident %lld to update",
			       kill_seq_index + 1, (long long)incident_id);
	return err;
}

static int load_processes(struct ow_store *s, int64_t kill_id, struct ow_kill *k)
{
	struct ow_process *procs = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *stmt = NULL;
	struct ow_str_pool *strings =
		NULL; /* the processes' command lines and cgroups, once each */
	int rc, err;

	err = ow_str_pool_new(&strings);
	if (err < 0)
		return err;
	err = stmt_get(s, STMT_PROCESSES_SELECT, &stmt);
	if (err < 0) {
		ow_str_pool_free(strings);
		return err;
	}
	sqlite3_bind_int64(stmt, 1, kill_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct reader r = { .stmt = stmt };
		struct ow_process *p;

		if (n == cap) {
			size_t new_cap = cap ? cap * 2 : 64;
			struct ow_process *bigger = realloc(procs, new_cap * sizeof(*procs));

			if (!bigger) {
				err = -ENOMEM;
				goto out_free;
			}
			procs = bigger;
			cap = new_cap;
		}
		p = &procs[n++];
		memset(p, 0, sizeof(*p));
		p->pid = read_i32(&r);
		p->ppid = read_i32(&r);
		p->uid = read_u32(&r);
		p->oom_score_adj = read_i32(&r);
		p->flags = read_u32(&r);
		read_comm(&r, p->comm);
		err = read_shared_text(&r, strings, &p->cmdline);
		if (!err)
			err = read_shared_text(&r, strings, &p->cgroup);
		if (err < 0)
			goto out_free;
		p->cgroup_id = read_u64(&r);
		p->anon_bytes = read_u64(&r);
		p->file_bytes = read_u64(&r);
		p->shmem_bytes = read_u64(&r);
		p->swap_bytes = read_u64(&r);
		p->pgtables_bytes = read_u64(&r);
	}
	if (rc != SQLITE_DONE) {
		err = fail_sqlite(s, rc);
		goto out_free;
	}
	stmt_release(stmt);
	ow_str_pool_free(strings);
	k->procs = procs;
	k->n_procs = n;
	return 0;

out_free:
	stmt_release(stmt);
	ow_str_pool_free(strings);
	for (size_t i = 0; i < n; i++)
		ow_process_clear(&procs[i]);
	free(procs);
	return err;
}

/* Whether the next column is SQL NULL (it is not consumed). */
static bool next_is_null(const struct reader *r)
{
	return sqlite3_column_type(r->stmt, r->idx) == SQLITE_NULL;
}

/* KILL_FOLLOWUP_COLS into k (strings owned by k: the caller clears it on failure). */
static int read_kill_followup(struct ow_store *s, struct reader *r, struct ow_kill *k)
{
	struct ow_kernel_report *rep = &k->kernel_report;
	const unsigned char *constraint;
	int err;

	k->flags = read_u32(r);
	k->after.exit_ns = read_u64(r);
	k->after.reap_start_ns = read_u64(r);
	k->after.reap_end_ns = read_u64(r);
	k->after.reaped_bytes = read_u64(r);
	constraint = sqlite3_column_text(r->stmt, r->idx++);
	if (!constraint || ow_oom_constraint_parse((const char *)constraint, &rep->constraint) < 0)
		return fail_msg(s, -EPROTO, "unknown OOM constraint in the database");
	err = read_text(r, &rep->oom_memcg);
	if (!err)
		err = read_text(r, &rep->task_memcg);
	if (err < 0)
		return err;
	/* gfp_mask and order are NULL together when the report had no allocation. */
	rep->has_allocation = !next_is_null(r);
	rep->gfp_mask = read_u32(r);
	rep->order = read_i32(r);
	return 0;
}

/* KILL_UNOWNED_COLS into k: known when they are not NULL. */
static void read_kill_unowned(struct reader *r, struct ow_kill *k)
{
	struct ow_unowned_memory *u = &k->unowned;

	u->known = !next_is_null(r);
	u->shmem_bytes = read_u64(r);
	u->file_bytes = read_u64(r);
	u->kernel_bytes = read_u64(r);
	u->slab_bytes = read_u64(r);
	u->pagetables_bytes = read_u64(r);
	u->sock_bytes = read_u64(r);
}

/*
 * Makes room for one more element in *array of *n elements (size bytes each): the capacity
 * doubles whenever *n reaches a power of two. 0 or -ENOMEM.
 */
static int grow_array(void **array, size_t n, size_t size)
{
	void *bigger;

	if (n & (n - 1))
		return 0; /* not a power of two (nor 0): there is room */
	bigger = realloc(*array, (n ? 2 * n : 1) * size);
	if (!bigger)
		return -ENOMEM;
	*array = bigger;
	return 0;
}

/* The tmpfs mounts of kill_id into k->unowned, in order. */
static int load_kill_tmpfs(struct ow_store *s, int64_t kill_id, struct ow_kill *k)
{
	struct ow_unowned_memory *u = &k->unowned;
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	err = stmt_get(s, STMT_KILL_TMPFS_SELECT, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, kill_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct reader r = { .stmt = stmt };
		struct ow_tmpfs_mount *m;

		err = grow_array((void **)&u->tmpfs, u->n_tmpfs, sizeof(*u->tmpfs));
		if (err < 0)
			goto out_release;
		m = &u->tmpfs[u->n_tmpfs++];
		memset(m, 0, sizeof(*m));
		err = read_text(&r, &m->path);
		if (err < 0)
			goto out_release;
		m->used_bytes = read_u64(&r);
	}
	if (rc != SQLITE_DONE)
		err = fail_sqlite(s, rc);
out_release:
	stmt_release(stmt);
	return err;
}

/* The adj changes of kill_id's processes, each to the process at its index in k->procs. */
static int load_adj_changes(struct ow_store *s, int64_t kill_id, struct ow_kill *k)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	err = stmt_get(s, STMT_ADJ_SELECT, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, kill_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct reader r = { .stmt = stmt };
		int64_t index = read_i64(&r);
		struct ow_adj_change *c;
		struct ow_process *p;

		if (index < 0 || (uint64_t)index >= k->n_procs) {
			err = fail_msg(s, -EPROTO,
				       "an oom_score_adj change of process #%lld of a kill of %zu "
				       "processes",
				       (long long)index, k->n_procs);
			goto out_release;
		}
		p = &k->procs[index];
		err = grow_array((void **)&p->adj_changes, p->n_adj_changes,
				 sizeof(*p->adj_changes));
		if (err < 0)
			goto out_release;
		c = &p->adj_changes[p->n_adj_changes++];
		memset(c, 0, sizeof(*c));
		c->time_ns = read_u64(&r);
		if (next_is_null(&r)) {
			c->old_adj = OW_ADJ_UNKNOWN;
			r.idx++;
		} else {
			c->old_adj = read_i32(&r);
		}
		c->new_adj = read_i32(&r);
		c->by_pid = read_i32(&r);
		read_comm(&r, c->by_comm);
		c->inherited = read_i64(&r) != 0;
	}
	if (rc != SQLITE_DONE)
		err = fail_sqlite(s, rc);
out_release:
	stmt_release(stmt);
	return err;
}

/* Reads one row of STMT_KILLS_SELECT into *k, which the caller clears on failure. */
static int read_kill(struct ow_store *s, sqlite3_stmt *stmt, struct ow_kill *k,
		     int64_t *ret_kill_id)
{
	struct reader r = { .stmt = stmt };
	const unsigned char *killer;
	int err;

	*ret_kill_id = read_i64(&r);
	k->time_ns = read_u64(&r);
	killer = sqlite3_column_text(stmt, r.idx++);
	if (!killer || ow_killer_kind_parse((const char *)killer, &k->killer_kind) < 0)
		return fail_msg(s, -EPROTO, "unknown killer kind in the database");
	k->victim_pid = read_i32(&r);
	k->trigger_pid = read_i32(&r);
	k->trigger_tid = read_i32(&r);
	read_comm(&r, k->trigger_thread_comm);
	err = read_domain(&r, &k->domain);
	if (err == -EPROTO)
		return fail_msg(s, err, "unknown domain kind in the database");
	if (!err)
		err = read_stack(&r, &k->trigger_kernel_stack);
	if (!err)
		err = read_stack(&r, &k->trigger_user_stack);
	if (err < 0)
		return err;
	k->kthreads_skipped = read_u32(&r);
	k->lost_events = read_u64(&r);
	k->partial = read_i64(&r) != 0;
	err = read_kill_followup(s, &r, k);
	if (!err)
		read_kill_unowned(&r, k);
	return err;
}

/* Kills of incident id, in seq order, with their processes. */
static int load_kills(struct ow_store *s, int64_t id, struct ow_incident *inc)
{
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	int rc, err;

	err = stmt_get(s, STMT_KILLS_SELECT, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct ow_kill *k;
		int64_t kill_id;

		if (inc->n_kills == cap) {
			size_t new_cap = cap ? cap * 2 : 4;
			struct ow_kill *bigger = realloc(inc->kills, new_cap * sizeof(*bigger));

			if (!bigger) {
				err = -ENOMEM;
				goto out_release;
			}
			inc->kills = bigger;
			cap = new_cap;
		}
		k = &inc->kills[inc->n_kills++];
		memset(k, 0, sizeof(*k));
		err = read_kill(s, stmt, k, &kill_id);
		if (!err)
			err = load_processes(s, kill_id, k);
		if (!err && s->version >= 3)
			err = load_kill_tmpfs(s, kill_id, k);
		if (!err && s->version >= 3)
			err = load_adj_changes(s, kill_id, k);
		if (err < 0)
			goto out_release;
	}
	if (rc != SQLITE_DONE)
		err = fail_sqlite(s, rc);
out_release:
	stmt_release(stmt);
	return err;
}

/*
 * Memory histories. A series blob holds, per sample, the presence flag and the integer fields
 * of its layout, in the order below (docs/storage.md lists them). The codec stores unsigned
 * 64-bit integers: narrower fields are widened on the way in (adj sign-extended, so -1000
 * costs two bytes, not ten) and must fit again on the way out, or the blob is corrupt.
 */
enum field_type {
	FIELD_U64,
	FIELD_U32,
	FIELD_I32,
	FIELD_BOOL,
};

struct field {
	size_t offset;
	enum field_type type;
};

struct series_layout {
	size_t sample_bytes;
	size_t present_offset;
	size_t n_fields;
	const struct field *fields;
};

static const struct field process_fields[] = {
	{ offsetof(struct ow_proc_sample, oom_score_adj), FIELD_I32 },
	{ offsetof(struct ow_proc_sample, anon_bytes), FIELD_U64 },
	{ offsetof(struct ow_proc_sample, file_bytes), FIELD_U64 },
	{ offsetof(struct ow_proc_sample, shmem_bytes), FIELD_U64 },
	{ offsetof(struct ow_proc_sample, swap_bytes), FIELD_U64 },
	{ offsetof(struct ow_proc_sample, pgtables_bytes), FIELD_U64 },
};

static const struct field cgroup_fields[] = {
	{ offsetof(struct ow_cgroup_sample, usage_bytes), FIELD_U64 },
	{ offsetof(struct ow_cgroup_sample, limit_bytes), FIELD_U64 }, /* OW_LIMIT_NONE: 1 byte */
	{ offsetof(struct ow_cgroup_sample, anon_bytes), FIELD_U64 },
	{ offsetof(struct ow_cgroup_sample, file_bytes), FIELD_U64 },
	{ offsetof(struct ow_cgroup_sample, shmem_bytes), FIELD_U64 },
	{ offsetof(struct ow_cgroup_sample, kernel_bytes), FIELD_U64 },
	{ offsetof(struct ow_cgroup_sample, sock_bytes), FIELD_U64 },
};

static const struct field system_fields[] = {
	{ offsetof(struct ow_system_sample, mem_total_bytes), FIELD_U64 },
	{ offsetof(struct ow_system_sample, mem_available_bytes), FIELD_U64 },
	{ offsetof(struct ow_system_sample, swap_total_bytes), FIELD_U64 },
	{ offsetof(struct ow_system_sample, swap_free_bytes), FIELD_U64 },
	{ offsetof(struct ow_system_sample, psi_known), FIELD_BOOL },
	{ offsetof(struct ow_system_sample, psi_some_avg10_centi), FIELD_U32 },
	{ offsetof(struct ow_system_sample, psi_full_avg10_centi), FIELD_U32 },
	{ offsetof(struct ow_system_sample, psi_some_total_us), FIELD_U64 },
	{ offsetof(struct ow_system_sample, psi_full_total_us), FIELD_U64 },
};

static const struct series_layout process_layout = {
	.sample_bytes = sizeof(struct ow_proc_sample),
	.present_offset = offsetof(struct ow_proc_sample, present),
	.n_fields = ARRAY_SIZE(process_fields),
	.fields = process_fields,
};

static const struct series_layout cgroup_layout = {
	.sample_bytes = sizeof(struct ow_cgroup_sample),
	.present_offset = offsetof(struct ow_cgroup_sample, present),
	.n_fields = ARRAY_SIZE(cgroup_fields),
	.fields = cgroup_fields,
};

static const struct series_layout system_layout = {
	.sample_bytes = sizeof(struct ow_system_sample),
	.present_offset = offsetof(struct ow_system_sample, present),
	.n_fields = ARRAY_SIZE(system_fields),
	.fields = system_fields,
};

#define SERIES_MAX_FIELDS 9
_Static_assert(ARRAY_SIZE(process_fields) <= SERIES_MAX_FIELDS &&
		       ARRAY_SIZE(cgroup_fields) <= SERIES_MAX_FIELDS &&
		       ARRAY_SIZE(system_fields) <= SERIES_MAX_FIELDS,
	       "SERIES_MAX_FIELDS sizes the conversion buffers");

/* Conversion buffers for series of n_times samples, of any layout. */
struct series_buf {
	size_t n_times;
	bool *present; /* n_times */
	uint64_t *values; /* n_times * SERIES_MAX_FIELDS, row-major */
	uint8_t *blob; /* encoding only: one series */
	size_t blob_bytes;
	uint8_t *times_blob; /* encoding only: the time axis, bound next to the system series */
	size_t times_blob_bytes;
};

static void series_buf_clear(struct series_buf *b)
{
	free(b->present);
	free(b->values);
	free(b->blob);
	free(b->times_blob);
	memset(b, 0, sizeof(*b));
}

/* n_times is at most OW_STORE_HISTORY_MAX_TIMES: no size below overflows. */
static int series_buf_init(struct series_buf *b, size_t n_times, bool for_encoding)
{
	size_t n = n_times ? n_times : 1;

	memset(b, 0, sizeof(*b));
	b->n_times = n_times;
	b->present = calloc(n, sizeof(*b->present));
	b->values = calloc(n * SERIES_MAX_FIELDS, sizeof(*b->values));
	if (for_encoding) {
		b->blob_bytes = ow_series_max_bytes(n_times, SERIES_MAX_FIELDS);
		b->blob = malloc(b->blob_bytes);
		b->times_blob_bytes = ow_series_max_bytes(n_times, 1);
		b->times_blob = malloc(b->times_blob_bytes);
	}
	if (!b->present || !b->values || (for_encoding && (!b->blob || !b->times_blob))) {
		series_buf_clear(b);
		return -ENOMEM;
	}
	return 0;
}

static uint64_t field_get(const char *p, enum field_type type)
{
	uint64_t u64;
	uint32_t u32;
	int32_t i32;
	bool flag;

	switch (type) {
	case FIELD_U64:
		memcpy(&u64, p, sizeof(u64));
		return u64;
	case FIELD_U32:
		memcpy(&u32, p, sizeof(u32));
		return u32;
	case FIELD_I32:
		memcpy(&i32, p, sizeof(i32));
		return (uint64_t)(int64_t)i32;
	case FIELD_BOOL:
		memcpy(&flag, p, sizeof(flag));
		return flag;
	}
	return 0;
}

/* Stores v into a field; -EPROTO when it does not fit the field's type. */
static int field_set(char *p, enum field_type type, uint64_t v)
{
	int64_t i64 = (int64_t)v;
	uint32_t u32 = (uint32_t)v;
	int32_t i32 = (int32_t)i64;
	bool flag = v != 0;

	switch (type) {
	case FIELD_U64:
		memcpy(p, &v, sizeof(v));
		return 0;
	case FIELD_U32:
		if (v > UINT32_MAX)
			return -EPROTO;
		memcpy(p, &u32, sizeof(u32));
		return 0;
	case FIELD_I32:
		if (i64 < INT32_MIN || i64 > INT32_MAX)
			return -EPROTO;
		memcpy(p, &i32, sizeof(i32));
		return 0;
	case FIELD_BOOL:
		if (v > 1)
			return -EPROTO;
		memcpy(p, &flag, sizeof(flag));
		return 0;
	}
	return -EPROTO;
}

/* Encodes b->n_times samples of a layout into b->blob. */
static int encode_series(struct ow_store *s, struct series_buf *b, const struct series_layout *l,
			 const void *samples, size_t *ret_bytes)
{
	const char *sample = samples;
	int err;

	for (size_t i = 0; i < b->n_times; i++, sample += l->sample_bytes) {
		uint64_t *row = &b->values[i * l->n_fields];

		memcpy(&b->present[i], sample + l->present_offset, sizeof(bool));
		for (size_t f = 0; f < l->n_fields; f++)
			row[f] = field_get(sample + l->fields[f].offset, l->fields[f].type);
	}
	err = ow_series_encode(b->present, b->values, b->n_times, l->n_fields, b->blob,
			       b->blob_bytes, ret_bytes);
	if (err < 0)
		return fail_msg(s, err, "cannot encode a history series: %s", strerror(-err));
	return 0;
}

/* Decodes a blob into b->n_times samples of a layout. Returns 0 or -EPROTO. */
static int decode_series(struct series_buf *b, const struct series_layout *l, const uint8_t *blob,
			 size_t blob_bytes, void *samples)
{
	char *sample = samples;
	int err;

	err = ow_series_decode(blob, blob_bytes, b->n_times, l->n_fields, b->present, b->values);
	if (err < 0)
		return -EPROTO;
	for (size_t i = 0; i < b->n_times; i++, sample += l->sample_bytes) {
		const uint64_t *row = &b->values[i * l->n_fields];

		memset(sample, 0, l->sample_bytes);
		memcpy(sample + l->present_offset, &b->present[i], sizeof(bool));
		for (size_t f = 0; f < l->n_fields; f++) {
			err = field_set(sample + l->fields[f].offset, l->fields[f].type, row[f]);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* -EINVAL (or -E2BIG) for a history the store cannot keep as it is. */
static int check_history(struct ow_store *s, const struct ow_history *h)
{
	if (!h)
		return fail_msg(s, -EINVAL, "no history to save");
	if (h->n_times > OW_STORE_HISTORY_MAX_TIMES)
		return fail_msg(s, -E2BIG, "history of %zu samples: at most %u are kept",
				h->n_times, OW_STORE_HISTORY_MAX_TIMES);
	if (h->n_times && (!h->time_ns || !h->system))
		return fail_msg(s, -EINVAL, "history without its time axis or system series");
	if ((h->n_procs && !h->procs) || (h->n_cgroups && !h->cgroups))
		return fail_msg(s, -EINVAL, "history without its process or cgroup series");
	for (size_t i = 0; i < h->n_procs; i++) {
		if (h->n_times && !h->procs[i].samples)
			return fail_msg(s, -EINVAL, "history series of pid %d without samples",
					h->procs[i].pid);
	}
	for (size_t i = 0; i < h->n_cgroups; i++) {
		if (h->n_times && !h->cgroups[i].samples)
			return fail_msg(s, -EINVAL, "history series of cgroup %s without samples",
					h->cgroups[i].path ? h->cgroups[i].path : "(unknown)");
	}
	return 0;
}

static int insert_history_row(struct ow_store *s, int64_t id, const struct ow_history *h,
			      struct series_buf *b)
{
	struct binder bd;
	size_t times_bytes, system_bytes;
	int err;

	err = ow_series_encode(NULL, h->time_ns, h->n_times, 1, b->times_blob, b->times_blob_bytes,
			       &times_bytes);
	if (err < 0)
		return fail_msg(s, err, "cannot encode a history's time axis: %s", strerror(-err));
	err = encode_series(s, b, &system_layout, h->system, &system_bytes);
	if (err < 0)
		return err;
	err = bind_start(s, STMT_HISTORY_INSERT, &bd);
	if (err < 0)
		return err;
	bind_i64(&bd, id);
	bind_u64(&bd, h->interval_ns);
	bind_u64(&bd, h->window_ns);
	bind_i64(&bd, h->truncated ? 1 : 0);
	bind_u64(&bd, h->n_times);
	bind_blob(&bd, b->times_blob, times_bytes);
	bind_blob(&bd, b->blob, system_bytes);
	return bind_exec(s, &bd);
}

/*
 * Encodes the samples of one process or cgroup series into b->blob (*ret_bytes long) and
 * starts its row: stmt_id with the incident id and the series' ordinal bound. The caller binds
 * the series' own columns, then the blob, and steps it with bind_exec().
 */
static int start_series_row(struct ow_store *s, enum stmt_id stmt_id, int64_t id, size_t ordinal,
			    const struct series_layout *l, const void *samples,
			    struct series_buf *b, struct binder *ret_bd, size_t *ret_bytes)
{
	int err;

	err = encode_series(s, b, l, samples, ret_bytes);
	if (err < 0)
		return err;
	err = bind_start(s, stmt_id, ret_bd);
	if (err < 0)
		return err;
	bind_i64(ret_bd, id);
	bind_u64(ret_bd, ordinal);
	return 0;
}

static int insert_history_process(struct ow_store *s, int64_t id, size_t ordinal,
				  const struct ow_history_process *p, struct series_buf *b)
{
	struct binder bd;
	size_t bytes;
	int err;

	err = start_series_row(s, STMT_HISTORY_PROCESS_INSERT, id, ordinal, &process_layout,
			       p->samples, b, &bd, &bytes);
	if (err < 0)
		return err;
	bind_i64(&bd, p->pid);
	bind_i64(&bd, p->ppid);
	bind_comm(&bd, p->comm);
	bind_text(&bd, p->cmdline);
	bind_text(&bd, p->cgroup);
	bind_u64(&bd, p->start_time_ns);
	bind_blob(&bd, b->blob, bytes);
	return bind_exec(s, &bd);
}

static int insert_history_cgroup(struct ow_store *s, int64_t id, size_t ordinal,
				 const struct ow_history_cgroup *c, struct series_buf *b)
{
	struct binder bd;
	size_t bytes;
	int err;

	err = start_series_row(s, STMT_HISTORY_CGROUP_INSERT, id, ordinal, &cgroup_layout,
			       c->samples, b, &bd, &bytes);
	if (err < 0)
		return err;
	bind_text(&bd, c->path);
	bind_u64(&bd, c->id);
	bind_blob(&bd, b->blob, bytes);
	return bind_exec(s, &bd);
}

/* Inside a write transaction: replaces the history of incident id. */
static int write_history(struct ow_store *s, int64_t id, const struct ow_history *h,
			 struct series_buf *b)
{
	sqlite3_stmt *stmt = NULL;
	int64_t found;
	int err;

	err = stmt_get(s, STMT_INCIDENT_EXISTS, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	err = step_id(s, stmt, &found);
	if (err == -ENOENT)
		return fail_msg(s, err, "no incident %lld to attach a history to", (long long)id);
	if (err < 0)
		return err;
	/* The old series go with their history row (ON DELETE CASCADE). */
	err = stmt_get(s, STMT_HISTORY_DELETE, &stmt);
	if (err < 0)
		return err;
	err = bind_one_and_exec(s, stmt, id);
	if (err < 0)
		return err;
	err = insert_history_row(s, id, h, b);
	for (size_t i = 0; !err && i < h->n_procs; i++)
		err = insert_history_process(s, id, i, &h->procs[i], b);
	for (size_t i = 0; !err && i < h->n_cgroups; i++)
		err = insert_history_cgroup(s, id, i, &h->cgroups[i], b);
	return err;
}

int ow_store_save_history(struct ow_store *s, int64_t incident_id, const struct ow_history *h)
{
	struct series_buf b;
	int err;

	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	err = check_history(s, h);
	if (err < 0)
		return err;
	err = series_buf_init(&b, h->n_times, true);
	if (err < 0)
		return fail_msg(s, err, "no memory to encode a history of %zu samples", h->n_times);
	err = exec_sql(s, "BEGIN IMMEDIATE");
	if (err < 0)
		goto out_free;
	err = write_history(s, incident_id, h, &b);
	if (!err)
		err = exec_sql(s, "COMMIT");
	if (err < 0)
		rollback(s);
out_free:
	series_buf_clear(&b);
	return err;
}

/*
 * Reads one row of a series SELECT of incident id: appends the series to h and decodes its
 * samples with b. -EPROTO (with a message naming the series) when they are corrupt.
 */
typedef int (*series_row_reader)(struct ow_store *s, int64_t id, struct reader *r,
				 struct ow_history *h, struct series_buf *b);

static int read_history_process(struct ow_store *s, int64_t id, struct reader *r,
				struct ow_history *h, struct series_buf *b)
{
	struct ow_history_process *p = ow_history_add_process(h);
	const uint8_t *blob;
	size_t bytes;
	int err;

	if (!p)
		return -ENOMEM;
	p->pid = read_i32(r);
	p->ppid = read_i32(r);
	read_comm(r, p->comm);
	err = read_text(r, &p->cmdline);
	if (!err)
		err = read_text(r, &p->cgroup);
	p->start_time_ns = read_u64(r);
	if (!err)
		err = read_blob(s, r, &blob, &bytes);
	if (err < 0)
		return err;
	if (decode_series(b, &process_layout, blob, bytes, p->samples) < 0)
		return fail_msg(s, -EPROTO,
				"history of incident %lld: the samples of pid %d (%s) are corrupt",
				(long long)id, p->pid, p->comm);
	return 0;
}

static int read_history_cgroup(struct ow_store *s, int64_t id, struct reader *r,
			       struct ow_history *h, struct series_buf *b)
{
	struct ow_history_cgroup *c = ow_history_add_cgroup(h);
	const uint8_t *blob;
	size_t bytes;
	int err;

	if (!c)
		return -ENOMEM;
	err = read_text(r, &c->path);
	c->id = read_u64(r);
	if (!err)
		err = read_blob(s, r, &blob, &bytes);
	if (err < 0)
		return err;
	if (decode_series(b, &cgroup_layout, blob, bytes, c->samples) < 0)
		return fail_msg(s, -EPROTO,
				"history of incident %lld: the samples of cgroup %s are corrupt",
				(long long)id, c->path ? c->path : "(unknown)");
	return 0;
}

/* Runs the series SELECT stmt_id for incident id, each row through read_row, in order. */
static int load_history_series(struct ow_store *s, enum stmt_id stmt_id, int64_t id,
			       struct ow_history *h, struct series_buf *b,
			       series_row_reader read_row)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	err = stmt_get(s, stmt_id, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct reader r = { .stmt = stmt };

		err = read_row(s, id, &r, h, b);
		if (err < 0)
			goto out_release;
	}
	if (rc != SQLITE_DONE)
		err = fail_sqlite(s, rc);
out_release:
	stmt_release(stmt);
	return err;
}

/* Reads one row of STMT_HISTORY_SELECT into a new history, without its series. */
static int read_history_row(struct ow_store *s, int64_t id, sqlite3_stmt *stmt,
			    struct series_buf *b, struct ow_history **ret_history)
{
	struct reader r = { .stmt = stmt };
	uint64_t interval_ns, window_ns;
	const uint8_t *times, *system;
	size_t times_bytes, system_bytes;
	struct ow_history *h;
	bool truncated;
	int64_t n_times;
	int err;

	interval_ns = read_u64(&r);
	window_ns = read_u64(&r);
	truncated = read_i64(&r) != 0;
	n_times = read_i64(&r);
	if (n_times < 0 || n_times > OW_STORE_HISTORY_MAX_TIMES)
		return fail_msg(s, -EPROTO, "history of incident %lld: %lld samples is corrupt",
				(long long)id, (long long)n_times);
	err = read_blob(s, &r, &times, &times_bytes);
	if (!err)
		err = read_blob(s, &r, &system, &system_bytes);
	if (!err)
		err = series_buf_init(b, (size_t)n_times, false);
	if (err < 0)
		return err;
	h = ow_history_new((size_t)n_times);
	if (!h)
		return -ENOMEM;
	h->interval_ns = interval_ns;
	h->window_ns = window_ns;
	h->truncated = truncated;
	if (ow_series_decode(times, times_bytes, h->n_times, 1, NULL, h->time_ns) < 0) {
		ow_history_free(h);
		return fail_msg(s, -EPROTO, "history of incident %lld: the time axis is corrupt",
				(long long)id);
	}
	if (decode_series(b, &system_layout, system, system_bytes, h->system) < 0) {
		ow_history_free(h);
		return fail_msg(s, -EPROTO,
				"history of incident %lld: the system series is corrupt",
				(long long)id);
	}
	*ret_history = h;
	return 0;
}

/* The history of incident id in *ret_history, NULL when it has none. */
static int load_history(struct ow_store *s, int64_t id, struct ow_history **ret_history)
{
	struct series_buf b = { 0 };
	struct ow_history *h = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	*ret_history = NULL;
	if (s->version < 2)
		return 0; /* a version-1 file opened read-only: no histories yet */
	err = stmt_get(s, STMT_HISTORY_SELECT, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? 0 : fail_sqlite(s, rc);
		stmt_release(stmt);
		return err;
	}
	err = read_history_row(s, id, stmt, &b, &h);
	stmt_release(stmt);
	if (!err)
		err = load_history_series(s, STMT_HISTORY_PROCESSES_SELECT, id, h, &b,
					  read_history_process);
	if (!err)
		err = load_history_series(s, STMT_HISTORY_CGROUPS_SELECT, id, h, &b,
					  read_history_cgroup);
	series_buf_clear(&b);
	if (err < 0) {
		ow_history_free(h);
		return err;
	}
	*ret_history = h;
	return 0;
}

static int load_incident(struct ow_store *s, int64_t id, struct ow_incident *inc)
{
	struct reader r;
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	err = stmt_get(s, STMT_INCIDENT_SELECT, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		err = fail_msg(s, -ENOENT, "no incident %lld", (long long)id);
		goto out_release;
	}
	if (rc != SQLITE_ROW) {
		err = fail_sqlite(s, rc);
		goto out_release;
	}
	r = (struct reader){ .stmt = stmt };
	inc->id = id;
	inc->start_ns = read_u64(&r);
	inc->end_ns = read_u64(&r);
	err = read_domain(&r, &inc->domain);
	if (err == -EPROTO)
		err = fail_msg(s, err, "unknown domain kind in the database");
	if (err < 0)
		goto out_release;
	inc->lost_events = read_u64(&r);
	inc->missed_kills = read_u64(&r);
	stmt_release(stmt);
	err = load_kills(s, id, inc);
	if (!err)
		err = load_history(s, id, &inc->history);
	return err;

out_release:
	stmt_release(stmt);
	return err;
}

int ow_store_load_incident(struct ow_store *s, int64_t id, struct ow_incident *ret_inc)
{
	struct ow_incident inc = { 0 };
	int err;

	s->errmsg[0] = '\0';
	/* One read transaction: a concurrent save is seen whole or not at all. */
	err = exec_sql(s, "BEGIN");
	if (err < 0)
		return err;
	err = load_incident(s, id, &inc);
	exec_sql(s, "COMMIT");
	if (err < 0) {
		ow_incident_clear(&inc);
		return err;
	}
	*ret_inc = inc;
	return 0;
}

static int list_victims(struct ow_store *s, struct ow_incident_summary *row)
{
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	int rc, err;

	err = stmt_get(s, STMT_LIST_VICTIMS, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, row->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (row->n_victims == cap) {
			size_t new_cap = cap ? cap * 2 : 4;
			int32_t *bigger = realloc(row->victim_pids, new_cap * sizeof(*bigger));

			if (!bigger) {
				err = -ENOMEM;
				goto out_release;
			}
			row->victim_pids = bigger;
			cap = new_cap;
		}
		row->victim_pids[row->n_victims++] = (int32_t)sqlite3_column_int64(stmt, 0);
	}
	if (rc != SQLITE_DONE)
		err = fail_sqlite(s, rc);
out_release:
	stmt_release(stmt);
	return err;
}

static int read_row(struct ow_store *s, sqlite3_stmt *stmt, struct ow_incident_summary *row)
{
	struct reader r = { .stmt = stmt };
	int err;

	row->id = read_i64(&r);
	row->start_ns = read_u64(&r);
	row->end_ns = read_u64(&r);
	if (read_domain_kind(&r, &row->domain_kind) < 0)
		return fail_msg(s, -EPROTO, "unknown domain kind in the database");
	err = read_text(&r, &row->domain_cgroup);
	if (!err)
		err = read_text(&r, &row->culprit_kind);
	row->culprit_pid = read_i32(&r);
	if (!err)
		err = read_text(&r, &row->culprit_comm);
	row->lost_events = read_u64(&r);
	row->missed_kills = read_u64(&r);
	return err;
}

/*
 * Starts STMT_LIST with the filters of f bound (f may be NULL). The cgroup is bound as
 * ret_paths[0], without trailing '/', and ret_paths[1], with one; free both after the steps.
 */
static int start_list(struct ow_store *s, const struct ow_store_list_filter *f,
		      struct binder *ret_b, char *ret_paths[2])
{
	const char *cgroup = f ? f->cgroup : NULL;
	int err;

	ret_paths[0] = ret_paths[1] = NULL;
	if (cgroup) {
		/* "/a" holds "/a/b" but not "/ab"; "/" holds every path. */
		size_t len = strlen(cgroup);

		while (len > 1 && cgroup[len - 1] == '/')
			len--;
		ret_paths[0] = strndup(cgroup, len);
		if (!ret_paths[0] || asprintf(&ret_paths[1], "%s%s", ret_paths[0],
					      strcmp(ret_paths[0], "/") == 0 ? "" : "/") < 0) {
			ret_paths[1] = NULL;
			return -ENOMEM;
		}
	}
	err = bind_start(s, STMT_LIST, ret_b);
	if (err < 0)
		return err;
	if (f && f->since_ns)
		bind_u64(ret_b, f->since_ns);
	else
		bind_text(ret_b, NULL);
	bind_text(ret_b, ret_paths[0]);
	bind_text(ret_b, ret_paths[1]);
	if (ret_b->rc != SQLITE_OK) {
		err = fail_sqlite(s, ret_b->rc);
		stmt_release(ret_b->stmt);
	}
	return err;
}

/* Whether the filter's cgroup test keeps row: asks it with the cgroups of victims and culprit. */
static int keep_row(struct ow_store *s, const struct ow_store_list_filter *f,
		    const struct ow_incident_summary *row, bool *ret_keep)
{
	const char **cgroups = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t n = 0, cap = 0;
	int rc, err;

	*ret_keep = true;
	if (!f || !f->match_cgroups)
		return 0;
	err = stmt_get(s, STMT_INCIDENT_CGROUPS, &stmt);
	if (err < 0)
		return err;
	sqlite3_bind_int64(stmt, 1, row->id);
	if (row->culprit_pid > 0)
		sqlite3_bind_int64(stmt, 2, row->culprit_pid);
	/* The strings stay valid until the statement steps again: collected, then matched. */
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(stmt, 0);

		if (!path) {
			err = -ENOMEM;
			goto out_release;
		}
		if (n == cap) {
			size_t new_cap = cap ? cap * 2 : 8;
			const char **bigger = realloc(cgroups, new_cap * sizeof(*bigger));

			if (!bigger) {
				err = -ENOMEM;
				goto out_release;
			}
			cgroups = bigger;
			cap = new_cap;
		}
		cgroups[n] = strdup(path);
		if (!cgroups[n]) {
			err = -ENOMEM;
			goto out_release;
		}
		n++;
	}
	if (rc != SQLITE_DONE)
		err = fail_sqlite(s, rc);
	else
		*ret_keep = f->match_cgroups(cgroups, n, f->ctx);
out_release:
	stmt_release(stmt);
	for (size_t i = 0; i < n; i++)
		free((char *)cgroups[i]);
	free(cgroups);
	return err;
}

static int list_rows(struct ow_store *s, const struct ow_store_list_filter *f,
		     struct ow_incident_summary **rows, size_t *n)
{
	struct binder b;
	char *paths[2] = { NULL, NULL };
	size_t cap = 0, kept = 0, rest = 0;
	int rc, err;

	err = start_list(s, f, &b, paths);
	if (err < 0)
		goto out_free;
	while ((rc = sqlite3_step(b.stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t new_cap = cap ? cap * 2 : 16;
			struct ow_incident_summary *bigger =
				realloc(*rows, new_cap * sizeof(*bigger));

			if (!bigger) {
				err = -ENOMEM;
				goto out_release;
			}
			*rows = bigger;
			cap = new_cap;
		}
		memset(&(*rows)[*n], 0, sizeof(**rows));
		(*n)++;
		err = read_row(s, b.stmt, &(*rows)[*n - 1]);
		if (err < 0)
			goto out_release;
	}
	if (rc != SQLITE_DONE) {
		err = fail_sqlite(s, rc);
		goto out_release;
	}
	stmt_release(b.stmt);
	/* The filter in code, then the victims of the rows it keeps, moved to the front. */
	for (size_t i = 0; i < *n; i++) {
		struct ow_incident_summary row = (*rows)[i];
		bool keep;

		err = keep_row(s, f, &row, &keep);
		if (err < 0) {
			rest = i;
			goto out_compact;
		}
		if (!keep) {
			ow_incident_summary_clear(&row);
			continue;
		}
		(*rows)[kept++] = row;
		err = list_victims(s, &(*rows)[kept - 1]);
		if (err < 0) {
			rest = i + 1;
			goto out_compact;
		}
	}
	*n = kept;
	goto out_free;

out_compact:
	/* Kept rows, then those not looked at yet: all whole, for the caller to free. */
	memmove(&(*rows)[kept], &(*rows)[rest], (*n - rest) * sizeof(**rows));
	*n = kept + (*n - rest);
	goto out_free;
out_release:
	stmt_release(b.stmt);
out_free:
	free(paths[0]);
	free(paths[1]);
	return err;
}

int ow_store_list_filtered(struct ow_store *s, const struct ow_store_list_filter *f,
			   struct ow_incident_summary **ret_rows, size_t *ret_n)
{
	struct ow_incident_summary *rows = NULL;
	size_t n = 0;
	int err;

	s->errmsg[0] = '\0';
	/* One read transaction: the rows and their victims and cgroups are one state. */
	err = exec_sql(s, "BEGIN");
	if (err < 0)
		return err;
	err = list_rows(s, f, &rows, &n);
	exec_sql(s, "COMMIT");
	if (err < 0) {
		ow_incident_summaries_free(rows, n);
		return err;
	}
	*ret_rows = rows;
	*ret_n = n;
	return 0;
}

int ow_store_list(struct ow_store *s, struct ow_incident_summary **ret_rows, size_t *ret_n)
{
	return ow_store_list_filtered(s, NULL, ret_rows, ret_n);
}

int ow_store_last_incident_id(struct ow_store *s, int64_t *ret_id)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	s->errmsg[0] = '\0';
	err = stmt_get(s, STMT_LAST_ID, &stmt);
	if (err < 0)
		return err;
	return step_id(s, stmt, ret_id);
}

int ow_store_find_open_incident(struct ow_store *s, const struct ow_domain *domain,
				uint64_t since_ns, int64_t *ret_id)
{
	struct binder b;
	int err;

	s->errmsg[0] = '\0';
	err = bind_start(s, STMT_FIND_OPEN, &b);
	if (err < 0)
		return err;
	bind_text(&b, ow_domain_kind_name(domain->kind));
	bind_text(&b, domain->cgroup);
	bind_u64(&b, since_ns);
	if (b.rc != SQLITE_OK) {
		err = fail_sqlite(s, b.rc);
		stmt_release(b.stmt);
		return err;
	}
	return step_id(s, b.stmt, ret_id);
}

/* Adds n to a counter of the recorder table (statement idx: its upsert). */
static int counter_add(struct ow_store *s, enum stmt_id idx, uint64_t n)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	err = stmt_get(s, idx, &stmt);
	if (err < 0)
		return err;
	return bind_one_and_exec(s, stmt, (int64_t)n);
}

/* Reads a counter of the recorder table (statement idx: its select); 0 when never set. */
static int counter_get(struct ow_store *s, enum stmt_id idx, uint64_t *ret_n)
{
	sqlite3_stmt *stmt = NULL;
	int64_t n = 0;
	int err;

	s->errmsg[0] = '\0';
	err = stmt_get(s, idx, &stmt);
	if (err < 0)
		return err;
	err = step_id(s, stmt, &n);
	if (err == -ENOENT)
		err = 0;
	if (err < 0)
		return err;
	*ret_n = (uint64_t)n;
	return 0;
}

int ow_store_add_lost_events(struct ow_store *s, uint64_t n)
{
	return counter_add(s, STMT_LOST_ADD, n);
}

int ow_store_get_lost_events(struct ow_store *s, uint64_t *ret_n)
{
	return counter_get(s, STMT_LOST_GET, ret_n);
}

int ow_store_add_dropped_kills(struct ow_store *s, uint64_t n)
{
	return counter_add(s, STMT_DROPPED_ADD, n);
}

int ow_store_get_dropped_kills(struct ow_store *s, uint64_t *ret_n)
{
	return counter_get(s, STMT_DROPPED_GET, ret_n);
}

/* ---- kills the recorder did not witness (docs/storage.md, "Crash safety") ---- */

/* Writes the three keys of a kill mark, inside the caller's transaction. */
static int write_kill_mark(struct ow_store *s, const struct ow_store_kill_mark *m)
{
	struct binder b;
	int err;

	err = bind_start(s, STMT_KILL_MARK_SET, &b);
	if (err < 0)
		return err;
	bind_u64(&b, m->boot_id);
	bind_u64(&b, m->oom_kills);
	bind_u64(&b, m->time_ns);
	return bind_exec(s, &b);
}

void ow_store_stage_kill_mark(struct ow_store *s, const struct ow_store_kill_mark *m)
{
	if (!s)
		return;
	s->kill_mark_staged = m != NULL;
	if (m)
		s->staged_kill_mark = *m;
}

int ow_store_save_kill_mark(struct ow_store *s, const struct ow_store_kill_mark *m)
{
	int err;

	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	err = exec_sql(s, "BEGIN IMMEDIATE");
	if (err < 0)
		return err;
	err = write_kill_mark(s, m);
	if (!err)
		err = exec_sql(s, "COMMIT");
	if (err < 0)
		rollback(s);
	return err;
}

int ow_store_get_kill_mark(struct ow_store *s, struct ow_store_kill_mark *ret_mark)
{
	struct ow_store_kill_mark m = { 0 };
	sqlite3_stmt *stmt = NULL;
	unsigned int found = 0;
	int rc, err;

	s->errmsg[0] = '\0';
	err = stmt_get(s, STMT_KILL_MARK_GET, &stmt);
	if (err < 0)
		return err;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(stmt, 0);
		uint64_t v = (uint64_t)sqlite3_column_int64(stmt, 1);

		if (!key)
			continue;
		if (strcmp(key, "kill_mark_boot_id") == 0) {
			m.boot_id = v;
			found |= 1;
		} else if (strcmp(key, "kill_mark_oom_kills") == 0) {
			m.oom_kills = v;
			found |= 2;
		} else if (strcmp(key, "kill_mark_time_ns") == 0) {
			m.time_ns = v;
			found |= 4;
		}
	}
	err = rc == SQLITE_DONE ? 0 : fail_sqlite(s, rc);
	stmt_release(stmt);
	if (err < 0)
		return err;
	if (found != 7)
		return fail_msg(s, -ENOENT, "no kill mark stored");
	*ret_mark = m;
	return 0;
}

/* The ids of the incidents whose last kill is at or after since_ns, up to max_ids; counts all. */
static int missed_incident_ids(struct ow_store *s, uint64_t since_ns, int64_t *ret_ids,
			       size_t max_ids, size_t *ret_n)
{
	sqlite3_stmt *stmt = NULL;
	size_t n = 0;
	int rc, err;

	err = stmt_get(s, STMT_MISSED_INCIDENTS, &stmt);
	if (err < 0)
		return err;
	rc = sqlite3_bind_int64(stmt, 1, (int64_t)since_ns);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (ret_ids && n < max_ids)
			ret_ids[n] = sqlite3_column_int64(stmt, 0);
		n++;
		rc = SQLITE_OK;
	}
	err = rc == SQLITE_DONE ? 0 : fail_sqlite(s, rc);
	stmt_release(stmt);
	*ret_n = n;
	return err;
}

int ow_store_add_missed_kills(struct ow_store *s, uint64_t n, uint64_t since_ns,
			      const struct ow_store_kill_mark *mark, int64_t *ret_ids,
			      size_t max_ids, size_t *ret_n_incidents)
{
	sqlite3_stmt *stmt = NULL;
	struct binder b;
	size_t n_incidents = 0;
	int err;

	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	if (n > INT64_MAX || since_ns > INT64_MAX)
		return fail_msg(s, -EINVAL, "missed kill count or time out of range");
	err = exec_sql(s, "BEGIN IMMEDIATE");
	if (err < 0)
		return err;
	if (n > 0) {
		err = missed_incident_ids(s, since_ns, ret_ids, max_ids, &n_incidents);
		if (err < 0)
			goto out_rollback;
		err = bind_start(s, STMT_MISSED_MARK, &b);
		if (err < 0)
			goto out_rollback;
		bind_u64(&b, n);
		bind_u64(&b, since_ns);
		err = bind_exec(s, &b);
		if (err < 0)
			goto out_rollback;
		err = stmt_get(s, STMT_MISSED_ADD, &stmt);
		if (err < 0)
			goto out_rollback;
		err = bind_one_and_exec(s, stmt, (int64_t)n);
		if (err < 0)
			goto out_rollback;
	}
	if (mark) {
		err = write_kill_mark(s, mark);
		if (err < 0)
			goto out_rollback;
	}
	err = exec_sql(s, "COMMIT");
	if (err < 0)
		goto out_rollback;
	if (ret_n_incidents)
		*ret_n_incidents = n_incidents;
	return 0;

out_rollback:
	rollback(s);
	return err;
}

int ow_store_get_missed_kills(struct ow_store *s, uint64_t *ret_n)
{
	return counter_get(s, STMT_MISSED_GET, ret_n);
}

/* ---- retention: pruning old incidents, and giving their pages back ---- */

/* The file's pages (*ret_file_bytes) and those of them in use, not on the free list. */
static int db_size(struct ow_store *s, uint64_t *ret_file_bytes, uint64_t *ret_used_bytes)
{
	int64_t pages = 0, free_pages = 0, page_size = 0;
	int err;

	err = query_i64(s, "PRAGMA page_count", &pages);
	if (!err)
		err = query_i64(s, "PRAGMA freelist_count", &free_pages);
	if (!err)
		err = query_i64(s, "PRAGMA page_size", &page_size);
	if (err < 0)
		return err;
	if (pages < free_pages || page_size <= 0)
		return fail_msg(s, -EPROTO, "page counts that do not add up");
	if (ret_file_bytes)
		*ret_file_bytes = (uint64_t)pages * (uint64_t)page_size;
	if (ret_used_bytes)
		*ret_used_bytes = (uint64_t)(pages - free_pages) * (uint64_t)page_size;
	return 0;
}

int ow_store_size(struct ow_store *s, uint64_t *ret_file_bytes, uint64_t *ret_used_bytes)
{
	s->errmsg[0] = '\0';
	return db_size(s, ret_file_bytes, ret_used_bytes);
}

int ow_store_can_shrink(struct ow_store *s, bool *ret)
{
	int64_t mode = 0;
	int err;

	s->errmsg[0] = '\0';
	err = query_i64(s, "PRAGMA auto_vacuum", &mode);
	if (err < 0)
		return err;
	*ret = mode == OW_AUTO_VACUUM_INCREMENTAL;
	return 0;
}

/*
 * Copies the WAL into the database file, which truncates the file to its pages, and empties
 * the WAL. Waits for readers only briefly: when one holds an older snapshot the WAL is emptied
 * at a later checkpoint instead. Best effort: a failure loses nothing.
 */
static void checkpoint_truncate(struct ow_store *s)
{
	sqlite3_busy_timeout(s->db, OW_STORE_CHECKPOINT_TIMEOUT_MS);
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(s->db, OW_STORE_BUSY_TIMEOUT_MS);
}

int ow_store_enable_shrink(struct ow_store *s)
{
	bool can_shrink;
	int err;

	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	err = ow_store_can_shrink(s, &can_shrink);
	if (err < 0 || can_shrink)
		return err;
	/* Only VACUUM changes auto_vacuum once tables exist; it rewrites the file whole. */
	err = exec_sql(s, "PRAGMA auto_vacuum = INCREMENTAL");
	if (!err)
		err = exec_sql(s, "VACUUM");
	if (err < 0)
		return err;
	checkpoint_truncate(s);
	err = ow_store_can_shrink(s, &can_shrink);
	if (!err && !can_shrink)
		err = fail_msg(s, -EIO, "VACUUM did not turn incremental auto-vacuum on");
	return err;
}

/* An incident pruning may delete. */
struct prune_candidate {
	int64_t id;
	uint64_t end_ns; /* its last kill */
};

/* Every incident, oldest last kill first, malloc'd in *ret. */
static int prune_candidates(struct ow_store *s, struct prune_candidate **ret, size_t *ret_n)
{
	struct prune_candidate *c = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t n = 0, cap = 0;
	int rc, err;

	err = stmt_get(s, STMT_PRUNE_CANDIDATES, &stmt);
	if (err < 0)
		return err;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			size_t new_cap = cap ? cap * 2 : 64;
			struct prune_candidate *bigger = realloc(c, new_cap * sizeof(*bigger));

			if (!bigger) {
				err = -ENOMEM;
				goto out_release;
			}
			c = bigger;
			cap = new_cap;
		}
		c[n].id = sqlite3_column_int64(stmt, 0);
		c[n].end_ns = (uint64_t)sqlite3_column_int64(stmt, 1);
		n++;
	}
	if (rc != SQLITE_DONE)
		err = fail_sqlite(s, rc);
out_release:
	stmt_release(stmt);
	if (err < 0) {
		free(c);
		return err;
	}
	*ret = c;
	*ret_n = n;
	return 0;
}

static bool is_kept(const struct ow_store_prune_limits *lim, int64_t id)
{
	for (size_t i = 0; i < lim->n_keep; i++)
		if (lim->keep_ids[i] == id)
			return true;
	return false;
}

/* Inside the prune's transaction: deletes what the limits say, oldest first, into *res. */
static int prune_in_transaction(struct ow_store *s, const struct ow_store_prune_limits *lim,
				struct ow_store_prune_result *res)
{
	struct prune_candidate *c = NULL;
	sqlite3_stmt *stmt = NULL;
	uint64_t used;
	size_t n = 0;
	int err;

	err = db_size(s, NULL, &res->used_bytes_before);
	if (!err)
		err = prune_candidates(s, &c, &n);
	if (err < 0)
		return err;
	used = res->used_bytes_before;
	for (size_t i = 0; i < n; i++) {
		bool too_old = lim->before_ns && c[i].end_ns < lim->before_ns;

		if (is_kept(lim, c[i].id))
			continue;
		/* Later ones ended later: neither limit can want them once both hold here. */
		if (!too_old && !(lim->max_bytes && used > lim->max_bytes))
			break;
		/* Its kills, their processes and its history go with it (ON DELETE CASCADE). */
		err = stmt_get(s, STMT_INCIDENT_DELETE, &stmt);
		if (!err)
			err = bind_one_and_exec(s, stmt, c[i].id);
		if (!err && lim->max_bytes)
			err = db_size(s, NULL, &used);
		if (err < 0)
			goto out_free;
		if (res->n_deleted++ == 0)
			res->oldest_end_ns = c[i].end_ns;
		res->newest_end_ns = c[i].end_ns;
		if (too_old)
			res->n_too_old++;
	}
	res->used_bytes_after = used;
	res->over_limit = lim->max_bytes && used > lim->max_bytes;
	if (res->n_deleted) {
		int64_t mode = 0;

		/* Without incremental auto-vacuum the pages stay in the file, for reuse. */
		err = query_i64(s, "PRAGMA auto_vacuum", &mode);
		if (!err && mode == OW_AUTO_VACUUM_INCREMENTAL)
			err = exec_sql(s, "PRAGMA incremental_vacuum");
	}
out_free:
	free(c);
	return err;
}

int ow_store_prune(struct ow_store *s, const struct ow_store_prune_limits *lim,
		   struct ow_store_prune_result *ret)
{
	struct ow_store_prune_result res = { 0 };
	int err;

	s->errmsg[0] = '\0';
	if (s->mode != OW_STORE_READ_WRITE)
		return fail_msg(s, -EROFS, "store opened read-only");
	if (!lim || (lim->n_keep && !lim->keep_ids))
		return -EINVAL;
	err = exec_sql(s, "BEGIN IMMEDIATE");
	if (err < 0)
		return err;
	err = prune_in_transaction(s, lim, &res);
	if (!err)
		err = exec_sql(s, "COMMIT");
	if (err < 0) {
		rollback(s);
		return err;
	}
	if (res.n_deleted)
		checkpoint_truncate(s);
	err = db_size(s, &res.file_bytes_after, NULL);
	if (err < 0)
		return err;
	if (ret)
		*ret = res;
	return 0;
}
