/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder while its database cannot be written (a full disk, a read-only or failing file
 * system; docs/storage.md, "When the disk is full or read-only"). Kills keep being captured and
 * grouped; what cannot be written is held in memory (model/pending.h) and written when writes
 * work again, tried every RECORD_OUTAGE_RETRY_NS and at each new kill.
 *
 * This is the edge: it says when writes start failing, with SQLite's words and what the
 * recorder does about it, and when they work again, with what was written late, one line each
 * per outage, whatever the number of kills and retries in between; and one line whenever the
 * bound makes it drop incidents.
 */
#ifndef OW_RECORD_OUTAGE_H
#define OW_RECORD_OUTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/pending.h"

/* How often the recorder tries again when nothing else makes it write. */
#define RECORD_OUTAGE_RETRY_NS (5ull * 1000000000ull)

struct record_outage {
	bool failing; /* a write failed, and not everything held has been written since */
	uint64_t since_mono_ns; /* the first failure */
	uint64_t next_retry_mono_ns; /* the caller sets it at each retry */
	int last_err; /* the last failure, for record_outage_reopens() */
	/* Written late, and dropped, since the outage began */
	uint64_t late_incidents;
	uint64_t late_kills;
	uint64_t late_histories;
	uint64_t dropped_incidents;
	uint64_t dropped_kills;
};

/*
 * Whether a store error says that the database cannot be written now (a full disk, a read-only
 * or failing file, a lock held too long, no memory), so what failed is held and retried; false
 * when it says that this write can never work (a malformed incident, a corrupt or foreign file).
 */
bool record_outage_holds(int err);

/*
 * Whether a retry after err should first open the database again by its path: the file or its
 * file system went read-only or away under the open handle (an ext4 error remounts it
 * read-only; the file was deleted), which no retry on that handle can cure.
 */
bool record_outage_reopens(int err);

/*
 * A write failed with err (record_outage_holds() true); sqlite_words is ow_store_errmsg(). The
 * first failure of an outage logs one line and starts the retry timer, which then runs every
 * RECORD_OUTAGE_RETRY_NS (the caller re-arms it at each retry).
 */
void record_outage_failed(struct record_outage *o, const char *db_path, int err,
			  const char *sqlite_words, uint64_t now_mono_ns);

/* Whether the retry timer has run out. */
bool record_outage_retry_due(const struct record_outage *o, uint64_t now_mono_ns);

/* The bound dropped incidents (what q counts since the last call): one warning line. */
void record_outage_dropped(struct record_outage *o, const struct ow_pending_queue *q,
			   size_t n_incidents, uint64_t n_kills, uint64_t n_histories);

/* Everything held is written: logs the line that says so, and ends the outage. */
void record_outage_over(struct record_outage *o, uint64_t now_mono_ns);

/* The recorder stops with q not empty, after a last try: one line for what is lost. */
void record_outage_lost_at_stop(const struct ow_pending_queue *q, int err,
				const char *sqlite_words);

#endif
