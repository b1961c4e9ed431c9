/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's retention (`record --max-age`, `--max-db-size`): at start and every few
 * minutes, and after an incident closes, it deletes the oldest closed incidents until the
 * database holds none older than the age and uses no more than the size, then gives the pages
 * back so that the file shrinks (store.h, ow_store_prune(); docs/storage.md, "Retention").
 * Incidents still open are never deleted. This is the edge: it logs one line per prune that
 * deleted something, and each failure once.
 */
#ifndef OW_RECORD_RETENTION_H
#define OW_RECORD_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* --max-db-size by default: bounded, so that an OOM storm cannot fill the disk. */
#define RECORD_RETENTION_DEFAULT_MAX_DB_BYTES (1ull << 30)
/* --max-db-size below this (but not 0) is refused: the schema alone takes about 100 KiB. */
#define RECORD_RETENTION_MIN_DB_BYTES (1ull << 20)
/* How often the recorder prunes when nothing closes. */
#define RECORD_RETENTION_PERIOD_NS (300ull * 1000000000ull)

struct record_retention {
	uint64_t max_age_ns; /* 0: incidents are kept whatever their age */
	uint64_t max_db_bytes; /* 0: whatever the size */
	uint64_t next_mono_ns; /* when the next periodic prune is due */
	bool due; /* an incident closed: prune at the next tick */
	bool failing; /* the last prune failed (logged once until one works) */
	bool warned_over; /* over the size with only open incidents left (logged once) */
};

/*
 * Before recording: a database from an older oomwitness is made to shrink (a one-time VACUUM,
 * logged before and after), then the first prune. Nothing when both limits are 0.
 */
void record_retention_start(struct record_retention *r, struct ow_store *store,
			    uint64_t now_mono_ns);

/*
 * Prunes when r->due or the period has passed. keep_ids are the incidents still open (ids 0
 * are ignored).
 */
void record_retention_tick(struct record_retention *r, struct ow_store *store,
			   const int64_t *keep_ids, size_t n_keep, uint64_t now_mono_ns);

#endif
