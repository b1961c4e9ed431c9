// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of what schema version 3 added to the store: a kill's flags, its aftermath, the
 * kernel's report, the memory no process owns with its tmpfs mounts, and the oom_score_adj
 * changes of its processes. Exact round trips; ow_store_update_kill_followup() rewriting only
 * what follows a kill; saves, appends and prunes keeping the new rows with their kill (no
 * duplicate, no orphan); a version-2 database, forged with the version-1 and -2 schemas exactly
 * as the store used to create them, read as it is read-only and upgraded in place when
 * writable; corrupt rows refused. Also measures the bytes the new data takes.
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
#define MS_NS 1000000ull
#define SECOND_NS 1000000000ull
#define MiB (1024ull * 1024)

#include "old_schemas.h"

/* One incident of one kill of two processes, as version 2 stored it (3 kills missed). */
static const char v2_incident_sql[] =
	"PRAGMA application_id = 1330597207;" /* 0x4f4f4d57, "OOMW" */
	"PRAGMA user_version = 2;"
	"INSERT INTO incidents VALUES (1, 1700000000000000000, 1700000000000000000, 'memcg', "
	" '/app', 77, 536870912, 536866816, 1073741824, 2, 'process', 42, 'hog', 3);"
	"INSERT INTO kills VALUES (1, 1, 0, 1700000000000000000, 'signal', 41, 42, 43, 'hog', "
	" 'memcg', '/app', 77, 536870912, 536866816, 1073741824, "
	" 'out_of_memory+0x10' || char(10) || 'try_charge+0x20', NULL, 5, 2, 0);"
	"INSERT INTO processes VALUES (1, 41, 1, 1000, 1000, 1, 'victim', '/usr/bin/victim', "
	" '/app', 77, 1048576, 0, 0, 0, 4096);"
	"INSERT INTO processes VALUES (1, 42, 1, 1000, -500, 1, 'hog', NULL, NULL, 77, "
	" 400000000, 8192, 0, -8, 8192);"
	"INSERT INTO recorder VALUES ('lost_events', 7);";

static const struct ow_store_culprit_summary culprit = { "process-tree", 20, "forker" };

/* ---- building kills with everything version 3 keeps ---- */

/* A kill at time_ns in /app: victim, a parent (20) and a child sharing the victim's mm. */
static void make_kill(struct ow_kill *k, uint64_t time_ns, int32_t victim)
{
	struct ow_process *p;

	memset(k, 0, sizeof(*k));
	k->time_ns = time_ns;
	k->killer_kind = OW_KILLER_KERNEL;
	k->victim_pid = victim;
	k->trigger_pid = 20;
	k->trigger_tid = 21;
	strcpy(k->trigger_thread_comm, "forker");
	set_memcg(&k->domain, "/app", 77, 512 * MiB, 512 * MiB - 4096);
	kill_add_memcg_process(k, 20, "forker", "./forker --children 40", 0, 30 * MiB);
	p = kill_add_memcg_process(k, victim, "child", "./forker --child", 500, 12 * MiB);
	p->ppid = 20;
	p = kill_add_memcg_process(k, victim + 1, "vfork-helper", NULL, 500, 0);
	p->ppid = victim;
	p->flags |= OW_PROC_SHARES_VICTIM_MM;
}

/* Everything version 3 keeps, on a kill made by make_kill(). */
static void fill_v3(struct ow_kill *k)
{
	struct ow_process *child = &k->procs[1], *parent = &k->procs[0];

	k->flags = OW_KILL_VICTIM_EXITING | OW_KILL_OOM_GROUP | OW_KILL_KMSG_CONFIRMED;
	k->after.exit_ns = k->time_ns + 15 * MS_NS;
	k->after.reap_start_ns = k->time_ns + 2 * MS_NS;
	k->after.reap_end_ns = k->time_ns + 5 * MS_NS;
	k->after.reaped_bytes = 11 * MiB;
	k->kernel_report.constraint = OW_CONSTRAINT_MEMCG;
	k->kernel_report.oom_memcg = xstrdup("/app");
	k->kernel_report.task_memcg = xstrdup("/app/worker");
	k->kernel_report.has_allocation = true;
	k->kernel_report.gfp_mask = 0xcc0;
	k->kernel_report.order = -1; /* a memory.max write */
	k->unowned.known = true;
	k->unowned.shmem_bytes = 180 * MiB;
	k->unowned.file_bytes = 30 * MiB;
	k->unowned.kernel_bytes = 12 * MiB;
	k->unowned.slab_bytes = 8 * MiB;
	k->unowned.pagetables_bytes = 1 * MiB;
	k->unowned.sock_bytes = UINT64_MAX - 1; /* above INT64_MAX: the cast round-trips */
	unowned_add_tmpfs(&k->unowned, "/dev/shm", 176 * MiB);
	unowned_add_tmpfs(&k->unowned, NULL, 4 * MiB);
	/* The child was born at +500, then moved twice; the parent's first value is unknown. */
	proc_add_adj_change(child, k->time_ns - 60 * SECOND_NS, 0, 500, 20, "forker", true);
	proc_add_adj_change(child, k->time_ns - 30 * SECOND_NS, 500, -1000, 1, "systemd", false);
	proc_add_adj_change(child, k->time_ns - 10 * SECOND_NS, -1000, 500, 1, "systemd", false);
	proc_add_adj_change(parent, k->time_ns - 3600 * SECOND_NS, OW_ADJ_UNKNOWN, 0, 1, "systemd",
			    false);
}

/* Two kills: the first with everything, the second with a report and no allocation. */
static void make_incident(struct ow_incident *inc)
{
	struct ow_kill k;

	memset(inc, 0, sizeof(*inc));
	make_kill(&k, T0_NS, 30);
	fill_v3(&k);
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
	make_kill(&k, T0_NS + 400 * MS_NS, 40);
	k.killer_kind = OW_KILLER_SIGNAL;
	k.flags = OW_KILL_SNAPSHOT_SKIPPED | OW_KILL_KMSG_CONFIRMED;
	k.kernel_report.constraint = OW_CONSTRAINT_NONE;
	k.kernel_report.oom_memcg = xstrdup("/");
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
}

/* ---- comparing ---- */

static void assert_str_or_null_equal(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_adj_changes_equal(const struct ow_process *a, const struct ow_process *b)
{
	assert_int_equal(a->n_adj_changes, b->n_adj_changes);
	if (a->n_adj_changes == 0)
		assert_null(b->adj_changes);
	for (size_t i = 0; i < a->n_adj_changes; i++) {
		const struct ow_adj_change *x = &a->adj_changes[i], *y = &b->adj_changes[i];

		assert_int_equal(x->time_ns, y->time_ns);
		assert_int_equal(x->old_adj, y->old_adj);
		assert_int_equal(x->new_adj, y->new_adj);
		assert_int_equal(x->by_pid, y->by_pid);
		assert_memory_equal(x->by_comm, y->by_comm, OW_COMM_LEN);
		assert_int_equal(x->inherited, y->inherited);
	}
}

/* What ow_store_update_kill_followup() writes. */
static void assert_followup_equal(const struct ow_kill *a, const struct ow_kill *b)
{
	const struct ow_kernel_report *x = &a->kernel_report, *y = &b->kernel_report;

	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->after.exit_ns, b->after.exit_ns);
	assert_int_equal(a->after.reap_start_ns, b->after.reap_start_ns);
	assert_int_equal(a->after.reap_end_ns, b->after.reap_end_ns);
	assert_int_equal(a->after.reaped_bytes, b->after.reaped_bytes);
	assert_int_equal(x->constraint, y->constraint);
	assert_str_or_null_equal(x->oom_memcg, y->oom_memcg);
	assert_str_or_null_equal(x->task_memcg, y->task_memcg);
	assert_int_equal(x->has_allocation, y->has_allocation);
	if (x->has_allocation) {
		assert_int_equal(x->gfp_mask, y->gfp_mask);
		assert_int_equal(x->order, y->order);
	}
}

static void assert_unowned_equal(const struct ow_unowned_memory *a,
				 const struct ow_unowned_memory *b)
{
	assert_int_equal(a->known, b->known);
	if (a->known) {
		assert_int_equal(a->shmem_bytes, b->shmem_bytes);
		assert_int_equal(a->file_bytes, b->file_bytes);
		assert_int_equal(a->kernel_bytes, b->kernel_bytes);
		assert_int_equal(a->slab_bytes, b->slab_bytes);
		assert_int_equal(a->pagetables_bytes, b->pagetables_bytes);
		assert_int_equal(a->sock_bytes, b->sock_bytes);
	}
	assert_int_equal(a->n_tmpfs, b->n_tmpfs);
	for (size_t i = 0; i < a->n_tmpfs; i++) {
		assert_str_or_null_equal(a->tmpfs[i].path, b->tmpfs[i].path);
		assert_int_equal(a->tmpfs[i].used_bytes, b->tmpfs[i].used_bytes);
	}
}

/* The version-3 data of two kills (the rest is test_store.c's). */
static void assert_kill_v3_equal(const struct ow_kill *a, const struct ow_kill *b)
{
	assert_int_equal(a->time_ns, b->time_ns);
	assert_int_equal(a->killer_kind, b->killer_kind);
	assert_int_equal(a->victim_pid, b->victim_pid);
	assert_followup_equal(a, b);
	assert_unowned_equal(&a->unowned, &b->unowned);
	assert_int_equal(a->n_procs, b->n_procs);
	for (size_t i = 0; i < a->n_procs; i++) {
		assert_int_equal(a->procs[i].pid, b->procs[i].pid);
		assert_int_equal(a->procs[i].flags, b->procs[i].flags);
		assert_adj_changes_equal(&a->procs[i], &b->procs[i]);
	}
}

static void assert_incident_v3_equal(const struct ow_incident *a, const struct ow_incident *b)
{
	assert_int_equal(a->n_kills, b->n_kills);
	for (size_t i = 0; i < a->n_kills; i++)
		assert_kill_v3_equal(&a->kills[i], &b->kills[i]);
}

/* ---- files ---- */

static void make_v2_file(const char *path)
{
	run_sql(path, schema_v1_sql);
	run_sql(path, schema_v2_sql);
	run_sql(path, v2_incident_sql);
	assert_int_equal(query_i64(path, "PRAGMA user_version"), 2);
}

static struct ow_store *open_memory(void)
{
	struct ow_store *s = NULL;

	assert_int_equal(ow_store_open(":memory:", OW_STORE_READ_WRITE, &s), 0);
	return s;
}

/* ---- tests ---- */

static void test_round_trip(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_incident inc, got;

	(void)state;
	make_incident(&inc);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	assert_incident_v3_equal(&inc, &got);
	/* Spot checks, in case both sides were wrong the same way. */
	assert_int_equal(got.kills[0].flags,
			 OW_KILL_VICTIM_EXITING | OW_KILL_OOM_GROUP | OW_KILL_KMSG_CONFIRMED);
	assert_int_equal(got.kills[0].kernel_report.order, -1);
	assert_int_equal(got.kills[0].kernel_report.gfp_mask, 0xcc0);
	assert_int_equal(got.kills[0].unowned.sock_bytes, UINT64_MAX - 1);
	assert_string_equal(got.kills[0].unowned.tmpfs[0].path, "/dev/shm");
	assert_null(got.kills[0].unowned.tmpfs[1].path);
	assert_int_equal(got.kills[0].procs[0].adj_changes[0].old_adj, OW_ADJ_UNKNOWN);
	assert_true(got.kills[0].procs[1].adj_changes[0].inherited);
	assert_string_equal(got.kills[0].procs[1].adj_changes[1].by_comm, "systemd");
	assert_int_equal(got.kills[0].procs[2].flags & OW_PROC_SHARES_VICTIM_MM,
			 OW_PROC_SHARES_VICTIM_MM);
	assert_false(got.kills[1].unowned.known);
	assert_null(got.kills[1].unowned.tmpfs);
	assert_false(got.kills[1].kernel_report.has_allocation);
	assert_null(got.kills[1].kernel_report.task_memcg);
	assert_int_equal(got.kills[1].kernel_report.constraint, OW_CONSTRAINT_NONE);
	assert_int_equal(got.kills[1].after.exit_ns, 0);
	ow_incident_clear(&got);
	ow_incident_clear(&inc);
	ow_store_close(s);
}

/* The update rewrites what follows one kill, and nothing else. */
static void test_update_followup(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	struct ow_incident inc, got;
	struct ow_kill *k;
	int64_t id;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	make_incident(&inc);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	id = inc.id;

	/* What the recorder learns later of kill #2: its exit, the reaper, the kernel's words. */
	k = &inc.kills[1];
	k->flags |= OW_KILL_VICTIM_EXITING;
	k->after.exit_ns = k->time_ns + 40 * MS_NS;
	k->after.reap_start_ns = k->time_ns + 1 * MS_NS;
	k->after.reap_end_ns = k->time_ns + 4 * MS_NS;
	k->after.reaped_bytes = 7 * MiB;
	ow_kernel_report_clear(&k->kernel_report);
	k->kernel_report.constraint = OW_CONSTRAINT_CPUSET;
	k->kernel_report.task_memcg = xstrdup("/app/b");
	k->kernel_report.has_allocation = true;
	k->kernel_report.gfp_mask = 0x140dca;
	k->kernel_report.order = 3;
	/* Not follow-ups: the update must leave these as stored. */
	k->victim_pid = 999;
	k->unowned.known = true;
	k->unowned.shmem_bytes = 1;
	assert_int_equal(ow_store_update_kill_followup(s, id, 1, k), 0);
	assert_int_equal(ow_store_load_incident(s, id, &got), 0);
	assert_followup_equal(k, &got.kills[1]);
	assert_int_equal(got.kills[1].victim_pid, 40);
	assert_false(got.kills[1].unowned.known);
	k->victim_pid = 40;
	k->unowned.known = false;
	k->unowned.shmem_bytes = 0;
	assert_incident_v3_equal(&inc, &got); /* kill #1 untouched, snapshots too */
	ow_incident_clear(&got);

	/* A report without its allocation line clears gfp_mask and order. */
	k = &inc.kills[0];
	k->kernel_report.has_allocation = false;
	assert_int_equal(ow_store_update_kill_followup(s, id, 0, k), 0);
	assert_int_equal(query_i64(t->path, "SELECT count(*) FROM kills WHERE seq = 0 AND "
					    "report_gfp_mask IS NULL AND report_order IS NULL"),
			 1);
	assert_int_equal(ow_store_load_incident(s, id, &got), 0);
	assert_incident_v3_equal(&inc, &got);
	ow_incident_clear(&got);

	/* No such kill, no such incident. */
	assert_int_equal(ow_store_update_kill_followup(s, id, 2, k), -ENOENT);
	assert_non_null(strstr(ow_store_errmsg(s), "no kill #3 in incident"));
	assert_int_equal(ow_store_update_kill_followup(s, id + 1, 0, k), -ENOENT);
	assert_int_equal(ow_store_update_kill_followup(s, id, 0, NULL), -EINVAL);
	ow_store_close(s);

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_int_equal(ow_store_update_kill_followup(s, id, 0, k), -EROFS);
	ow_store_close(s);
	ow_incident_clear(&inc);
}

static int64_t count_rows(const char *path, const char *table)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return query_i64(path, sql);
}

/* Rewrites, appends and prunes keep the new rows with their kill: no duplicate, no orphan. */
static void test_rows_follow_their_kill(void **state)
{
	struct tmp *t = *state;
	const struct ow_store_prune_limits lim = { .before_ns = T0_NS + 3600 * SECOND_NS };
	struct ow_store_prune_result res;
	struct ow_store *s = NULL;
	struct ow_incident inc, got;
	struct ow_kill k;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	make_incident(&inc);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	assert_int_equal(count_rows(t->path, "kill_tmpfs"), 2);
	assert_int_equal(count_rows(t->path, "adj_changes"), 4);

	/* A third kill, appended: only its own rows are added. */
	make_kill(&k, T0_NS + 900 * MS_NS, 50);
	fill_v3(&k);
	assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
	assert_int_equal(ow_store_append_kills(s, &inc, 2, &culprit), 0);
	assert_int_equal(count_rows(t->path, "kill_tmpfs"), 4);
	assert_int_equal(count_rows(t->path, "adj_changes"), 8);

	/* A whole rewrite replaces them. */
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	assert_int_equal(count_rows(t->path, "kill_tmpfs"), 4);
	assert_int_equal(count_rows(t->path, "adj_changes"), 8);
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	assert_incident_v3_equal(&inc, &got);
	ow_incident_clear(&got);

	/* Pruned with its incident. */
	assert_int_equal(ow_store_prune(s, &lim, &res), 0);
	assert_int_equal(res.n_deleted, 1);
	assert_int_equal(count_rows(t->path, "kills"), 0);
	assert_int_equal(count_rows(t->path, "kill_tmpfs"), 0);
	assert_int_equal(count_rows(t->path, "adj_changes"), 0);
	ow_store_close(s);
	ow_incident_clear(&inc);
}

/* The v2 incident as it loads: nothing of version 3, the rest as stored. */
static void assert_v2_incident(struct ow_store *s)
{
	struct ow_incident got;

	assert_int_equal(ow_store_load_incident(s, 1, &got), 0);
	assert_int_equal(got.missed_kills, 3);
	assert_int_equal(got.n_kills, 1);
	assert_int_equal(got.kills[0].killer_kind, OW_KILLER_SIGNAL);
	assert_int_equal(got.kills[0].victim_pid, 41);
	assert_int_equal(got.kills[0].flags, 0);
	assert_int_equal(got.kills[0].after.exit_ns, 0);
	assert_int_equal(got.kills[0].after.reaped_bytes, 0);
	assert_int_equal(got.kills[0].kernel_report.constraint, OW_CONSTRAINT_UNKNOWN);
	assert_null(got.kills[0].kernel_report.oom_memcg);
	assert_false(got.kills[0].kernel_report.has_allocation);
	assert_false(got.kills[0].unowned.known);
	assert_int_equal(got.kills[0].unowned.n_tmpfs, 0);
	assert_int_equal(got.kills[0].n_procs, 2);
	assert_int_equal(got.kills[0].procs[1].oom_score_adj, -500);
	assert_int_equal(got.kills[0].procs[0].n_adj_changes, 0);
	assert_null(got.kills[0].procs[0].adj_changes);
	assert_string_equal(got.kills[0].trigger_kernel_stack.frames[1], "try_charge+0x20");
	ow_incident_clear(&got);
}

/* `show` on a version-2 file it may not write: read as it is, never upgraded. */
static void test_read_only_v2(void **state)
{
	struct tmp *t = *state;
	struct ow_incident_summary *rows = NULL;
	struct ow_store *s = NULL;
	struct ow_kill k;
	size_t n = 0;

	make_v2_file(t->path);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_v2_incident(s);
	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].missed_kills, 3);
	ow_incident_summaries_free(rows, n);
	make_kill(&k, T0_NS, 41);
	assert_int_equal(ow_store_update_kill_followup(s, 1, 0, &k), -EROFS);
	ow_kill_clear(&k);
	ow_store_close(s);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), 2);
	assert_int_equal(query_i64(t->path, "SELECT count(*) FROM sqlite_master WHERE name = "
					    "'adj_changes'"),
			 0);
}

/* The recorder on a version-2 file: upgraded in place, old kills followed up, new ones kept. */
static void test_upgrade_v2(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	struct ow_incident inc, got;
	struct ow_kill k;
	char fresh[160];
	char *upgraded_schema, *fresh_schema;

	make_v2_file(t->path);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), OW_STORE_SCHEMA_VERSION);
	assert_v2_incident(s);

	/* The old kill can be followed up like a new one. */
	make_kill(&k, T0_NS, 41);
	fill_v3(&k);
	assert_int_equal(ow_store_update_kill_followup(s, 1, 0, &k), 0);
	assert_int_equal(ow_store_load_incident(s, 1, &got), 0);
	assert_followup_equal(&k, &got.kills[0]);
	assert_false(got.kills[0].unowned.known);
	ow_incident_clear(&got);
	ow_kill_clear(&k);

	/* New incidents keep everything, and go on from the old ids. */
	make_incident(&inc);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	assert_int_equal(inc.id, 2);
	assert_int_equal(ow_store_load_incident(s, 2, &got), 0);
	assert_incident_v3_equal(&inc, &got);
	ow_incident_clear(&got);
	ow_incident_clear(&inc);
	ow_store_close(s);

	/* The upgraded schema is the one a new database gets. */
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", t->dir);
	assert_int_equal(ow_store_open(fresh, OW_STORE_READ_WRITE, &s), 0);
	ow_store_close(s);
	upgraded_schema = schema_of(t->path);
	fresh_schema = schema_of(fresh);
	assert_string_equal(upgraded_schema, fresh_schema);
	assert_non_null(strstr(fresh_schema, "table adj_changes"));
	assert_non_null(strstr(fresh_schema, "report_constraint TEXT NOT NULL DEFAULT 'unknown'"));
	free(upgraded_schema);
	free(fresh_schema);
}

/* An upgrade that fails half-way changes nothing, and the file still reads as version 2. */
static void test_upgrade_v2_atomic(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;

	make_v2_file(t->path);
	run_sql(t->path, "CREATE TABLE adj_changes (x INTEGER);");
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), -EPROTO);
	assert_null(s);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), 2);
	assert_int_equal(query_i64(t->path, "SELECT count(*) FROM pragma_table_info('kills') "
					    "WHERE name = 'flags'"),
			 0);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_v2_incident(s);
	ow_store_close(s);
}

/* Rows no store writes are refused on load, with words; the store stays usable. */
static void test_corrupt(void **state)
{
	static const struct {
		const char *sql;
		const char *says;
	} damages[] = {
		{ "UPDATE adj_changes SET process_index = 3 WHERE process_index = 1",
		  "oom_score_adj change of process #3 of a kill of 3 processes" },
		{ "UPDATE adj_changes SET process_index = -1 WHERE process_index = 0",
		  "process #-1" },
		{ "UPDATE kills SET report_constraint = 'lunar' WHERE seq = 0",
		  "unknown OOM constraint" },
	};
	struct tmp *t = *state;

	for (size_t d = 0; d < sizeof(damages) / sizeof(damages[0]); d++) {
		struct ow_incident inc, got = { .id = -7 };
		struct ow_store *s = NULL;

		unlink(t->path);
		assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
		make_incident(&inc);
		assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
		ow_store_close(s);
		run_sql(t->path, damages[d].sql);
		assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
		assert_int_equal(ow_store_load_incident(s, inc.id, &got), -EPROTO);
		if (!strstr(ow_store_errmsg(s), damages[d].says))
			fail_msg("damage %zu: \"%s\" does not say \"%s\"", d, ow_store_errmsg(s),
				 damages[d].says);
		assert_int_equal(got.id, -7);
		ow_store_close(s);
		ow_incident_clear(&inc);
	}
}

/* Bytes of a table and its indexes, from dbstat. */
static int64_t table_bytes(const char *path, const char *table)
{
	char sql[320];

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(sum(pgsize - unused), 0) FROM dbstat WHERE name = '%s' OR "
		 "name IN (SELECT name FROM sqlite_master WHERE tbl_name = '%s' AND "
		 "type = 'index')",
		 table, table);
	return query_i64(path, sql);
}

/*
 * What version 3 costs: 100 kills of 20 processes in one file, each kill with everything
 * filled (2 tmpfs mounts) and 16 adj changes (fill_v3()'s 4, and 3 on 4 more processes),
 * against the same kills without.
 */
static void test_measure_bytes(void **state)
{
	struct tmp *t = *state;
	int64_t kills_bytes[2], tmpfs_bytes, adj_bytes;
	struct ow_store *s = NULL;

	for (int with = 0; with < 2; with++) {
		struct ow_incident inc = { 0 };

		unlink(t->path);
		assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
		for (size_t i = 0; i < 100; i++) {
			struct ow_kill k;

			make_kill(&k, T0_NS + i * SECOND_NS, 30);
			for (int32_t pid = 100; pid < 117; pid++)
				kill_add_memcg_process(&k, pid, "worker", "./worker --id 1", 0,
						       MiB);
			if (with) {
				fill_v3(&k);
				for (size_t p = 3; p < 7; p++)
					for (int c = 0; c < 3; c++)
						proc_add_adj_change(
							&k.procs[p],
							k.time_ns - (uint64_t)c * SECOND_NS, 0,
							100 * c, 1, "systemd", false);
			}
			assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
		}
		assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
		ow_store_close(s);
		ow_incident_clear(&inc);
		kills_bytes[with] = table_bytes(t->path, "kills");
	}
	tmpfs_bytes = table_bytes(t->path, "kill_tmpfs");
	adj_bytes = table_bytes(t->path, "adj_changes");
	print_message("version 3 per kill: kills row +%.1f bytes (%.1f without), tmpfs %.1f bytes "
		      "(2 mounts), adj changes %.1f bytes (16 changes, %.1f each)\n",
		      (double)(kills_bytes[1] - kills_bytes[0]) / 100, (double)kills_bytes[0] / 100,
		      (double)tmpfs_bytes / 100, (double)adj_bytes / 100, (double)adj_bytes / 1600);
	assert_true(kills_bytes[1] > kills_bytes[0]);
	assert_true(adj_bytes > 0 && tmpfs_bytes > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test_setup_teardown(test_update_followup, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_rows_follow_their_kill, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_read_only_v2, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v2, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v2_atomic, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_measure_bytes, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
