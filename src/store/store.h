/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store: incidents kept durably in SQLite. The only module that touches sqlite3.
 *
 * One database file, WAL mode, a versioned schema (PRAGMA user_version), created mode 0600
 * since command lines can hold secrets. Every change to an incident is one transaction, so a
 * reader never sees half an incident. All functions return 0 or a negative errno; they never
 * log. On failure, ow_store_errmsg() gives SQLite's words for the last error.
 */
#ifndef OW_STORE_H
#define OW_STORE_H

#include <stdbool.h>

#include "model/history.h"
#include "model/model.h"
#include "model/summary.h"

/* The schema this oomwitness writes; it reads every version up to it (docs/storage.md). */
#define OW_STORE_SCHEMA_VERSION 3

struct ow_store;

enum ow_store_mode {
	OW_STORE_READ_ONLY, /* list/show: the file must exist */
	OW_STORE_READ_WRITE, /* record: created (0600, parent directory too) if missing */
};

/*
 * Opens (or creates) the database at path; ":memory:" works for tests.
 * Errors: -ENOENT (read-only and missing), -EACCES/-EROFS (cannot write), -EPROTO (not an
 * oomwitness database, or corrupt), -EPROTONOSUPPORT (written by a newer schema). A writable
 * open upgrades an older schema in place (and adds incidents.missed_kills to a version-2 file
 * from a pre-release build); a read-only one reads it as it is, what it lacks loading as the
 * model's defaults (no history, no kill flags, aftermath, report or memory nobody owns).
 */
int ow_store_open(const char *path, enum ow_store_mode mode, struct ow_store **ret_store);
void ow_store_close(struct ow_store *s);

/*
 * SQLite's message for the last failure (or the store's own, e.g. for a foreign file), or ""
 * (borrowed, valid until the next call). "" for a NULL store.
 */
const char *ow_store_errmsg(const struct ow_store *s);

/*
 * Writes an incident: inserts it when inc->id == 0 (and sets inc->id), else replaces its kills
 * and summary. The culprit summary (kind, pid, comm) is kept for ow_store_list(); culprit may
 * be NULL (no verdict yet). One transaction: on failure nothing changed and inc->id is left
 * as it was. -ENOENT when inc->id names no stored incident, -EROFS on a read-only store.
 */
struct ow_store_culprit_summary {
	const char *kind; /* "process", ... */
	int32_t pid;
	const char *comm;
};
int ow_store_save_incident(struct ow_store *s, struct ow_incident *inc,
			   const struct ow_store_culprit_summary *culprit);

/*
 * Like ow_store_save_incident(), but for an incident whose first n_stored kills are already in
 * the database as they are in inc (kills are appended, never changed): updates the incident
 * row and inserts only the kills after them, so a storm costs one kill per save, not all of
 * them. n_stored 0, or inc->id 0, saves everything. One transaction.
 */
int ow_store_append_kills(struct ow_store *s, struct ow_incident *inc, size_t n_stored,
			  const struct ow_store_culprit_summary *culprit);

/*
 * Rewrites what may follow a stored kill, in place: its flags, its aftermath (k->after) and
 * the kernel's report (k->kernel_report), from k; nothing else of the kill or its snapshot is
 * touched, and nothing else of k is read. The kill is the kill_seq_index-th (from 0) of
 * incident incident_id's kill chain, as saved. One UPDATE statement (its own transaction):
 * -ENOENT when no such kill is stored, -EROFS on a read-only store.
 */
int ow_store_update_kill_followup(struct ow_store *s, int64_t incident_id, size_t kill_seq_index,
				  const struct ow_kill *k);

/* All incidents, oldest first. Free with ow_incident_summaries_free() (model/summary.h). */
int ow_store_list(struct ow_store *s, struct ow_incident_summary **ret_rows, size_t *ret_n);

/*
 * Which incidents ow_store_list_filtered() returns; zero fields filter nothing. The time and
 * the domain's cgroup are matched in SQL. The rest is the caller's test on the cgroup paths of
 * the incident's victims and of its culprit process, as their snapshots recorded them (each path
 * once, unknown ones left out; borrowed for the call): true keeps the incident.
 */
struct ow_store_list_filter {
	uint64_t since_ns; /* keep incidents whose last kill is at or after this; 0: all */
	const char *cgroup; /* keep those whose domain's cgroup is this path or below it */
	bool (*match_cgroups)(const char *const *cgroups, size_t n_cgroups, void *ctx);
	void *ctx;
};

/*
 * The incidents f keeps, oldest first, read in one transaction; f NULL keeps all, as
 * ow_store_list(). Free with ow_incident_summaries_free().
 */
int ow_store_list_filtered(struct ow_store *s, const struct ow_store_list_filter *f,
			   struct ow_incident_summary **ret_rows, size_t *ret_n);

/*
 * Writes the memory history of a stored incident (model/history.h), replacing any it had.
 * One transaction: on failure the stored history is as it was. -ENOENT when no incident has
 * that id, -EROFS on a read-only store, -EINVAL for a NULL history or a series without its
 * samples, -E2BIG above 262,144 samples. The values of absent samples are not kept (they load
 * as 0). The history is stored compactly (docs/storage.md states the bytes per incident).
 */
int ow_store_save_history(struct ow_store *s, int64_t incident_id, const struct ow_history *h);

/*
 * Loads one incident whole, its history included (inc->history stays NULL when it has none, or
 * when a version-1 database is opened read-only), into *ret_inc (clear it with
 * ow_incident_clear()); untouched on failure. -ENOENT if there is none with that id, -EPROTO
 * when a stored history is corrupt (ow_store_errmsg() names the series) or a kill's rows are
 * (an unknown constraint, an adj change of no process of its kill).
 */
int ow_store_load_incident(struct ow_store *s, int64_t id, struct ow_incident *ret_inc);
/* The id of the newest incident; -ENOENT when the database has none. */
int ow_store_last_incident_id(struct ow_store *s, int64_t *ret_id);

/*
 * The newest incident of the same domain (kind and cgroup path) whose last kill is no older
 * than since_ns, for grouping kills across recorder restarts. -ENOENT when none.
 */
int ow_store_find_open_incident(struct ow_store *s, const struct ow_domain *domain,
				uint64_t since_ns, int64_t *ret_id);

/*
 * Retention (docs/storage.md): what ow_store_prune() deletes. Incidents go oldest last kill
 * first: every one whose last kill is before before_ns, then more while the pages in use
 * exceed max_bytes. The incidents in keep_ids (those still open) are never deleted. 0 turns a
 * limit off.
 */
struct ow_store_prune_limits {
	uint64_t before_ns;
	uint64_t max_bytes;
	const int64_t *keep_ids;
	size_t n_keep;
};

struct ow_store_prune_result {
	uint64_t n_deleted;
	uint64_t n_too_old; /* of which for their age */
	uint64_t oldest_end_ns; /* last kills of the oldest and newest deleted; 0 when none */
	uint64_t newest_end_ns;
	uint64_t used_bytes_before; /* pages in use, before and after */
	uint64_t used_bytes_after;
	uint64_t file_bytes_after; /* the pages of the file after the prune (not its -wal) */
	bool over_limit; /* still above max_bytes: what is left is open, or the schema itself */
};

/*
 * Deletes incidents as lim says, with everything they hold (kills, processes, histories), in
 * one transaction; then, when the database can shrink (ow_store_can_shrink()), gives the freed
 * pages back to the file system and checkpoints, so that the file gets smaller. *ret (may be
 * NULL) says what went. -EROFS on a read-only store.
 */
int ow_store_prune(struct ow_store *s, const struct ow_store_prune_limits *lim,
		   struct ow_store_prune_result *ret);

/* The database's pages: all of the file's, and those in use (not free). Either may be NULL. */
int ow_store_size(struct ow_store *s, uint64_t *ret_file_bytes, uint64_t *ret_used_bytes);

/*
 * Whether pruning makes the file smaller (auto_vacuum=INCREMENTAL): true for every database
 * created by this version; false for older ones until ow_store_enable_shrink().
 */
int ow_store_can_shrink(struct ow_store *s, bool *ret);

/*
 * Turns incremental auto-vacuum on in a database made without it: a one-time VACUUM, which
 * rewrites the file (it needs about its size in free disk space, and holds the write lock
 * meanwhile). Nothing to do when it is on already. -EROFS on a read-only store.
 */
int ow_store_enable_shrink(struct ow_store *s);

/* Recorder bookkeeping: ring-buffer records lost, in total, kept across runs. */
int ow_store_add_lost_events(struct ow_store *s, uint64_t n);
int ow_store_get_lost_events(struct ow_store *s, uint64_t *ret_n);

/*
 * Recorder bookkeeping: kills it captured but had to drop unwritten, the database having
 * refused writes for longer than it could hold them (docs/storage.md, "When the disk is full
 * or read-only"); in total, kept across runs. -EROFS on a read-only store.
 */
int ow_store_add_dropped_kills(struct ow_store *s, uint64_t n);
int ow_store_get_dropped_kills(struct ow_store *s, uint64_t *ret_n);

/*
 * Recorder bookkeeping for the kills it did not witness because it was not running
 * (docs/storage.md, "Crash safety"): a mark of the machine's OOM-kill counter (/proc/vmstat
 * oom_kill) up to which every kill is in the database or was reported, kept with each commit.
 * A recorder that starts compares the counter with the mark its predecessor left.
 */
struct ow_store_kill_mark {
	uint64_t boot_id; /* the first 64 bits of the kernel's boot_id: counts restart at boot */
	uint64_t oom_kills; /* the kernel's count of OOM kills accounted for */
	uint64_t time_ns; /* wall-clock time the mark was taken (the commit) */
};

/*
 * Stages a mark for the next save of an incident (ow_store_save_incident(),
 * ow_store_append_kills()), which writes it in its own transaction: the mark commits with the
 * kills it counts, or not at all. That save forgets it, whether it commits or not; m NULL
 * forgets it now.
 */
void ow_store_stage_kill_mark(struct ow_store *s, const struct ow_store_kill_mark *m);
/* Writes a mark now, in one transaction (the recorder's start and clean stop). -EROFS. */
int ow_store_save_kill_mark(struct ow_store *s, const struct ow_store_kill_mark *m);
/* The last mark stored; -ENOENT when there is none (a new database, or one from before). */
int ow_store_get_kill_mark(struct ow_store *s, struct ow_store_kill_mark *ret_mark);

/*
 * Records n kills the recorder did not witness, in one transaction: adds n to missed_kills of
 * every incident whose last kill is at or after since_ns (those still open when it stopped),
 * adds n to the machine-wide total, and stores mark (may be NULL). The ids of the incidents
 * marked go to ret_ids (the first max_ids; may be NULL), their number to *ret_n_incidents (may
 * be NULL). n 0 only stores the mark. -EROFS on a read-only store.
 */
int ow_store_add_missed_kills(struct ow_store *s, uint64_t n, uint64_t since_ns,
			      const struct ow_store_kill_mark *mark, int64_t *ret_ids,
			      size_t max_ids, size_t *ret_n_incidents);
/* The machine-wide total of kills not witnessed, kept across runs; 0 when none. */
int ow_store_get_missed_kills(struct ow_store *s, uint64_t *ret_n);

#endif
