/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Incidents waiting to be written: what the recorder holds in memory while its database cannot
 * be written (a full disk, a read-only or failing file system), until writes work again
 * (docs/storage.md, "When the disk is full or read-only").
 *
 * A queue of closed incidents, oldest first, with a bound on how many it holds and on their
 * bytes: the recorder locks its memory and is shielded from the OOM killer, so every byte it
 * holds is taken from the machine it watches, at the moment that machine is short of memory.
 * Past the bound the oldest incidents go, and what of them was not written yet is counted, so
 * that the loss can be said and stored later. Pure: no store, no logging.
 */
#ifndef OW_PENDING_H
#define OW_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* The recorder's bound: whichever comes first. */
#define OW_PENDING_MAX_INCIDENTS 64
#define OW_PENDING_MAX_BYTES (32ull << 20)

/* A closed incident not (wholly) in the database. */
struct ow_pending_incident {
	struct ow_incident inc; /* owned */
	size_t n_kills_stored; /* the first this many kills of inc are in the database */
	bool history_unsaved; /* inc.history is still to be written */
	uint64_t bytes; /* ow_incident_heap_bytes(&inc) when it was queued */
};

struct ow_pending_queue {
	size_t max_incidents; /* 1 .. OW_PENDING_MAX_INCIDENTS */
	uint64_t max_bytes;
	struct ow_pending_incident items[OW_PENDING_MAX_INCIDENTS]; /* a ring, oldest at head */
	size_t head;
	size_t n;
	uint64_t bytes; /* of the incidents held, together */
	/* Dropped to keep the bound; the caller zeroes them once it has stored the loss. */
	uint64_t incidents_dropped;
	uint64_t kills_dropped; /* kills that were not in the database */
	uint64_t histories_dropped; /* memory histories that were not */
};

/* Empties q and sets its bound (max_incidents is capped to OW_PENDING_MAX_INCIDENTS). */
void ow_pending_init(struct ow_pending_queue *q, size_t max_incidents, uint64_t max_bytes);

/* Frees every incident held; the bound and the dropped counts stay. Accepts NULL. */
void ow_pending_clear(struct ow_pending_queue *q);

/*
 * Queues an incident, taking ownership of its contents (*inc is zeroed). First drops the oldest
 * incidents held until the new one fits the bound, counting their unwritten kills and
 * histories; one incident larger than the whole byte budget is still held, alone (its memory
 * is allocated already: dropping the newest evidence would not give any back sooner). Returns
 * how many incidents were dropped.
 */
size_t ow_pending_push(struct ow_pending_queue *q, struct ow_incident *inc, size_t n_kills_stored,
		       bool history_unsaved);

/* The i-th incident held, oldest first (i < q->n); borrowed. */
struct ow_pending_incident *ow_pending_at(struct ow_pending_queue *q, size_t i);

/* Frees the oldest incident held (it was written). Nothing when the queue is empty. */
void ow_pending_pop(struct ow_pending_queue *q);

/* Kills, and memory histories, held and not in the database, over every incident queued. */
uint64_t ow_pending_unsaved_kills(const struct ow_pending_queue *q);
uint64_t ow_pending_unsaved_histories(const struct ow_pending_queue *q);

/*
 * What an incident holds on the heap, in bytes: its kills with their snapshots (strings and
 * stacks included) and its memory history, plus 16 bytes of allocator overhead per allocation.
 * An estimate of what freeing it gives back, not a measurement.
 */
uint64_t ow_incident_heap_bytes(const struct ow_incident *inc);

#endif
