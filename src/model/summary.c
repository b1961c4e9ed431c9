/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Incident summaries (summary.h): only their destructor, since the store fills them.
 */
#include "model/summary.h"

#include <stdlib.h>

void ow_incident_summaries_free(struct ow_incident_summary *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].domain_cgroup);
		free(rows[i].victim_pids);
		free(rows[i].culprit_kind);
		free(rows[i].culprit_comm);
	}
	free(rows);
}
