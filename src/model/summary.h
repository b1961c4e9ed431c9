/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An incident in one line: what `oomwitness list` shows. The store reads it from its incident
 * table (ow_store_list()) and the renderers write it, so it lives in the model, between the
 * two, and neither depends on the other.
 */
#ifndef OW_SUMMARY_H
#define OW_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* One incident, summarised. */
struct ow_incident_summary {
	int64_t id;
	uint64_t start_ns;
	uint64_t end_ns;
	enum ow_domain_kind domain_kind;
	char *domain_cgroup; /* owned; NULL for global */
	size_t n_victims;
	int32_t *victim_pids; /* owned; in kill order */
	char *culprit_kind; /* owned */
	int32_t culprit_pid;
	char *culprit_comm; /* owned */
	uint64_t lost_events;
	uint64_t missed_kills; /* kills not witnessed while it was open (model.h) */
};

/* Frees the strings and arrays one summary owns, and zeroes it. Accepts NULL. */
void ow_incident_summary_clear(struct ow_incident_summary *row);

/* Frees an array of n summaries and the strings they own. Accepts NULL. */
void ow_incident_summaries_free(struct ow_incident_summary *rows, size_t n);

#endif
