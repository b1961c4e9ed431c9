/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Incident summaries (summary.h): only their destructors, since the store fills them.
 */
#include "model/summary.h"

#include <stdlib.h>
#include <string.h>

void ow_incident_summary_clear(struct ow_incident_summary *row)
{
	if (!row)
		return;
	free(row->domain_cgroup);
	free(row->victim_pids);
	free(row->culprit_kind);
	free(row->culprit_comm);
	memset(row, 0, sizeof(*row));
}

void ow_incident_summaries_free(struct ow_incident_summary *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		ow_incident_summary_clear(&rows[i]);
	free(rows);
}
