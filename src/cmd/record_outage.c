/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder while its database cannot be written (record_outage.h): which errors are held
 * and retried, when to retry, and the lines an outage writes.
 */
#include "cmd/record_outage.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "model/units.h"

bool record_outage_holds(int err)
{
	switch (err) {
	case -EINVAL: /* a constraint or a type: this incident, not the disk */
	case -E2BIG: /* a history too long for the store */
	case -EPROTO: /* not our schema, or corrupt */
	case -EPROTONOSUPPORT:
	case -ENOENT: /* the incident's row is gone: the caller saves it anew */
		return false;
	default: /* -ENOSPC, -EDQUOT, -EROFS, -EACCES, -EPERM, -EIO, -EBUSY, -ENOMEM, ... */
		return err < 0;
	}
}

bool record_outage_reopens(int err)
{
	switch (err) {
	case -EROFS: /* SQLITE_READONLY (a deleted file), or EROFS from write(2) */
	case -EIO:
	case -ESTALE:
	case -ENODEV:
	case -ENXIO:
	case -EBADF:
		return true;
	default:
		return false;
	}
}

void record_outage_failed(struct record_outage *o, const char *db_path, int err,
			  const char *sqlite_words, uint64_t now_mono_ns)
{
	char budget[OW_BYTES_TEXT_LEN];

	o->last_err = err;
	if (o->failing)
		return; /* the timer runs on: writes failing meanwhile do not put it off */
	o->failing = true;
	o->since_mono_ns = now_mono_ns;
	o->next_retry_mono_ns = now_mono_ns + RECORD_OUTAGE_RETRY_NS;
	ow_log("cannot write the database %s: %s (%s); keeping kills in memory (at most %d "
	       "incidents or %s, the oldest dropped past that) and retrying every %llu s",
	       db_path, strerror(-err), sqlite_words && *sqlite_words ? sqlite_words : "no details",
	       OW_PENDING_MAX_INCIDENTS, ow_format_bytes(budget, OW_PENDING_MAX_BYTES),
	       RECORD_OUTAGE_RETRY_NS / 1000000000ull);
}

bool record_outage_retry_due(const struct record_outage *o, uint64_t now_mono_ns)
{
	return o->failing && now_mono_ns >= o->next_retry_mono_ns;
}

void record_outage_dropped(struct record_outage *o, const struct ow_pending_queue *q,
			   size_t n_incidents, uint64_t n_kills, uint64_t n_histories)
{
	char budget[OW_BYTES_TEXT_LEN], held[OW_BYTES_TEXT_LEN];
	char oldest[64] = "the oldest held incident";

	o->dropped_incidents += n_incidents;
	o->dropped_kills += n_kills;
	if (n_incidents > 1)
		snprintf(oldest, sizeof(oldest), "the %zu oldest held incidents", n_incidents);
	ow_log("warning: the database still cannot be written: dropped %s (%llu kill%s and %llu "
	       "memory histor%s never written) to stay within %d incidents and %s; %zu held, %s",
	       oldest, (unsigned long long)n_kills, n_kills == 1 ? "" : "s",
	       (unsigned long long)n_histories, n_histories == 1 ? "y" : "ies",
	       OW_PENDING_MAX_INCIDENTS, ow_format_bytes(budget, OW_PENDING_MAX_BYTES), q->n,
	       ow_format_bytes(held, q->bytes));
}

void record_outage_over(struct record_outage *o, uint64_t now_mono_ns)
{
	char dropped[160] = "";

	if (!o->failing)
		return;
	if (o->dropped_incidents)
		snprintf(dropped, sizeof(dropped),
			 "; %llu kill%s of %llu incident%s %s dropped past the bound (counted in "
			 "the database as dropped kills)",
			 (unsigned long long)o->dropped_kills, o->dropped_kills == 1 ? "" : "s",
			 (unsigned long long)o->dropped_incidents,
			 o->dropped_incidents == 1 ? "" : "s",
			 o->dropped_kills == 1 ? "was" : "were");
	ow_log("the database can be written again after %.1f s: wrote %llu kill%s of %llu "
	       "incident%s and %llu memory histor%s held in memory%s",
	       (double)(now_mono_ns - o->since_mono_ns) / 1e9, (unsigned long long)o->late_kills,
	       o->late_kills == 1 ? "" : "s", (unsigned long long)o->late_incidents,
	       o->late_incidents == 1 ? "" : "s", (unsigned long long)o->late_histories,
	       o->late_histories == 1 ? "y" : "ies", dropped);
	memset(o, 0, sizeof(*o));
}

void record_outage_lost_at_stop(const struct ow_pending_queue *q, int err, const char *sqlite_words)
{
	uint64_t kills = ow_pending_unsaved_kills(q);
	uint64_t histories = ow_pending_unsaved_histories(q);

	ow_log("stopping with %zu incident%s held in memory that the database never took, %llu "
	       "kill%s and %llu memory histor%s: they are lost (%s: %s)",
	       q->n, q->n == 1 ? "" : "s", (unsigned long long)kills, kills == 1 ? "" : "s",
	       (unsigned long long)histories, histories == 1 ? "y" : "ies", strerror(-err),
	       sqlite_words && *sqlite_words ? sqlite_words : "no details");
}
