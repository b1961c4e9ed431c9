/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the text and HTML renderers show of an incident's memory history (model/history.h):
 * which processes are worth a line or a curve (the biggest growers and the biggest holders),
 * the OOM domain's own usage and limit over time, and the Unicode sparkline of a series. Both
 * renderers choose the same processes and read the same figures from here, so the terminal and
 * the page tell one story. Pure: no I/O, no globals.
 */
#ifndef OW_OUTPUT_HISTORY_VIEW_H
#define OW_OUTPUT_HISTORY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/verdict.h"
#include "model/history.h"

/* Bytes of one sparkline column: each of ▁▂▃▄▅▆▇█ is 3 bytes of UTF-8. */
#define OW_SPARK_COL_BYTES 3

/* A process series chosen for showing. */
struct ow_history_pick {
	size_t proc_index; /* into history->procs */
	int growth_row; /* its row in verdict->growth.rows, -1 when none (or no analysis) */
	uint64_t start_bytes; /* memory (rss + swap + page tables) at its first sample */
	uint64_t at_oom_bytes; /* at its last sample at or before the first kill */
	uint64_t peak_bytes; /* the most it held over the whole history */
};

/*
 * Chooses up to max process series of inc->history: first the processes the growth analysis
 * saw growing (v->growth rows "steady", "burst" or "step", biggest growth first, at most half
 * of max), then the biggest holders by peak memory. Processes without a single sample are never chosen. start_bytes and
 * at_oom_bytes come from the growth row when there is one (restarts merged), else from the
 * series. Returns how many were written to ret (0 without history); v may be NULL.
 */
size_t ow_history_pick_top(const struct ow_incident *inc, const struct ow_verdict *v, size_t max,
			   struct ow_history_pick *ret);

/* The index of the history's series of the incident's memory cgroup, or -1 (global, absent). */
ssize_t ow_history_domain_cgroup(const struct ow_incident *inc);

/*
 * The OOM domain at sample i: its memory cgroup's usage and limit, or for a global domain the
 * RAM in use (MemTotal - MemAvailable) and MemTotal. ret_limit_bytes is OW_LIMIT_NONE for a
 * cgroup without a limit. Returns false when the sample is absent or the series unknown.
 */
bool ow_history_domain_at(const struct ow_incident *inc, ssize_t cgroup_index, size_t i,
			  uint64_t *ret_usage_bytes, uint64_t *ret_limit_bytes);

/*
 * A sparkline of n values in at most max_cols columns of ▁▂▃▄▅▆▇█, scaled so that scale_bytes
 * (> 0) is a full block: one column per value when n <= max_cols, else each column the largest
 * value of its share of the samples. A column without any present value is a space. Writes at
 * most size - 1 bytes and a NUL (fewer columns when buf is small); returns the columns written.
 */
size_t ow_sparkline(char *buf, size_t size, const uint64_t *values, const bool *present, size_t n,
		    uint64_t scale_bytes, size_t max_cols);

#endif
