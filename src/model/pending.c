/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The queue of incidents waiting to be written (pending.h): a ring of closed incidents, oldest
 * first, bounded in count and in bytes, and the estimate of an incident's bytes that the bound
 * is kept in.
 */
#include "model/pending.h"

#include <string.h>

#include "model/history.h"

/* What the allocator adds to each allocation (glibc: a 16-byte chunk header, rounded up). */
#define ALLOC_OVERHEAD_BYTES 16u

static uint64_t alloc_bytes(size_t payload)
{
	return payload + ALLOC_OVERHEAD_BYTES;
}

static uint64_t string_bytes(const char *s)
{
	return s ? alloc_bytes(strlen(s) + 1) : 0;
}

static uint64_t stack_bytes(const struct ow_stack *s)
{
	uint64_t n = 0;

	if (!s->frames)
		return 0;
	n += alloc_bytes(s->n_frames * sizeof(s->frames[0]));
	for (size_t i = 0; i < s->n_frames; i++)
		n += string_bytes(s->frames[i]);
	return n;
}

static uint64_t kill_bytes(const struct ow_kill *k)
{
	uint64_t n = string_bytes(k->domain.cgroup);

	n += stack_bytes(&k->trigger_kernel_stack) + stack_bytes(&k->trigger_user_stack);
	if (k->procs)
		n += alloc_bytes(k->n_procs * sizeof(k->procs[0]));
	for (size_t i = 0; i < k->n_procs; i++)
		n += string_bytes(k->procs[i].cmdline) + string_bytes(k->procs[i].cgroup);
	return n;
}

static uint64_t history_bytes(const struct ow_history *h)
{
	uint64_t n;

	if (!h)
		return 0;
	n = alloc_bytes(sizeof(*h)) + alloc_bytes(h->n_times * sizeof(h->time_ns[0])) +
	    alloc_bytes(h->n_times * sizeof(h->system[0]));
	if (h->procs)
		n += alloc_bytes(h->n_procs * sizeof(h->procs[0]));
	for (size_t i = 0; i < h->n_procs; i++)
		n += alloc_bytes(h->n_times * sizeof(h->procs[i].samples[0])) +
		     string_bytes(h->procs[i].cmdline) + string_bytes(h->procs[i].cgroup);
	if (h->cgroups)
		n += alloc_bytes(h->n_cgroups * sizeof(h->cgroups[0]));
	for (size_t i = 0; i < h->n_cgroups; i++)
		n += alloc_bytes(h->n_times * sizeof(h->cgroups[i].samples[0])) +
		     string_bytes(h->cgroups[i].path);
	return n;
}

uint64_t ow_incident_heap_bytes(const struct ow_incident *inc)
{
	uint64_t n = string_bytes(inc->domain.cgroup) + history_bytes(inc->history);

	if (inc->kills)
		n += alloc_bytes(inc->n_kills * sizeof(inc->kills[0]));
	for (size_t i = 0; i < inc->n_kills; i++)
		n += kill_bytes(&inc->kills[i]);
	return n;
}

void ow_pending_init(struct ow_pending_queue *q, size_t max_incidents, uint64_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	if (max_incidents < 1)
		max_incidents = 1;
	if (max_incidents > OW_PENDING_MAX_INCIDENTS)
		max_incidents = OW_PENDING_MAX_INCIDENTS;
	q->max_incidents = max_incidents;
	q->max_bytes = max_bytes;
}

struct ow_pending_incident *ow_pending_at(struct ow_pending_queue *q, size_t i)
{
	return &q->items[(q->head + i) % OW_PENDING_MAX_INCIDENTS];
}

void ow_pending_pop(struct ow_pending_queue *q)
{
	struct ow_pending_incident *p;

	if (q->n == 0)
		return;
	p = ow_pending_at(q, 0);
	q->bytes -= p->bytes;
	ow_incident_clear(&p->inc);
	memset(p, 0, sizeof(*p));
	q->head = (q->head + 1) % OW_PENDING_MAX_INCIDENTS;
	q->n--;
}

void ow_pending_clear(struct ow_pending_queue *q)
{
	if (!q)
		return;
	while (q->n > 0)
		ow_pending_pop(q);
	q->head = 0;
}

/* Drops the oldest incident held, counting what of it was not written. */
static void drop_oldest(struct ow_pending_queue *q)
{
	struct ow_pending_incident *p = ow_pending_at(q, 0);

	q->incidents_dropped++;
	if (p->n_kills_stored < p->inc.n_kills)
		q->kills_dropped += p->inc.n_kills - p->n_kills_stored;
	if (p->history_unsaved)
		q->histories_dropped++;
	ow_pending_pop(q);
}

size_t ow_pending_push(struct ow_pending_queue *q, struct ow_incident *inc, size_t n_kills_stored,
		       bool history_unsaved)
{
	uint64_t bytes = ow_incident_heap_bytes(inc);
	struct ow_pending_incident *p;
	size_t dropped = 0;

	while (q->n > 0 && (q->n >= q->max_incidents || q->bytes + bytes > q->max_bytes)) {
		drop_oldest(q);
		dropped++;
	}
	p = ow_pending_at(q, q->n);
	p->inc = *inc;
	memset(inc, 0, sizeof(*inc));
	p->n_kills_stored = n_kills_stored < p->inc.n_kills ? n_kills_stored : p->inc.n_kills;
	p->history_unsaved = history_unsaved && p->inc.history != NULL;
	p->bytes = bytes;
	q->bytes += bytes;
	q->n++;
	return dropped;
}

static const struct ow_pending_incident *at_const(const struct ow_pending_queue *q, size_t i)
{
	return &q->items[(q->head + i) % OW_PENDING_MAX_INCIDENTS];
}

uint64_t ow_pending_unsaved_kills(const struct ow_pending_queue *q)
{
	uint64_t n = 0;

	for (size_t i = 0; i < q->n; i++)
		n += at_const(q, i)->inc.n_kills - at_const(q, i)->n_kills_stored;
	return n;
}

uint64_t ow_pending_unsaved_histories(const struct ow_pending_queue *q)
{
	uint64_t n = 0;

	for (size_t i = 0; i < q->n; i++)
		n += at_const(q, i)->history_unsaved;
	return n;
}
