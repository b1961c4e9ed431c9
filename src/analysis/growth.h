/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Growth analysis: who was growing before memory ran out, from an incident's history
 * (model/history.h).
 *
 * For each process series of the window before the first kill it measures growth and its rate,
 * merges a process restarted under the same command line (and cgroup) into one row, classifies
 * the shape (a slow leak told apart from a late burst), and says who was still rising when
 * memory ran out and how soon, at that rate, the domain's headroom was used up. The rules and
 * their defaults are in docs/verdict.md ("History"); keep the two in step.
 *
 * Pure: no I/O, no logging, no globals.
 */
#ifndef OW_GROWTH_H
#define OW_GROWTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/history.h"
#include "model/model.h"

/* Tunables, named as in docs/verdict.md. */
struct ow_growth_config {
	/* Growth below this over the window is "flat". Default 8 MiB. */
	uint64_t min_growth_bytes;
	/* "Rising when memory ran out" looks at this span before the first kill. Default 30 s. */
	uint64_t recent_ns;
	/* A "burst" put at least this share of its growth in the last recent_ns. Default 0.8. */
	double burst_share;
	/* Rows kept (biggest growth first). Default 10. */
	size_t top;
};

void ow_growth_config_default(struct ow_growth_config *cfg);

enum ow_growth_pattern {
	OW_GROWTH_FLAT = 0, /* grew less than min_growth_bytes */
	OW_GROWTH_STEADY, /* grew across the window: a leak */
	OW_GROWTH_BURST, /* most of its growth came in the last recent_ns: a late burst */
	OW_GROWTH_FALLING, /* held less at the kill than at the window's start */
};

/* "flat", "steady", "burst", "falling". */
const char *ow_growth_pattern_name(enum ow_growth_pattern p);

/* One grower: a process, or several instances of one command line restarted in turn. */
struct ow_growth {
	size_t proc_index; /* its latest instance in history->procs */
	int32_t pid; /* of the latest instance */
	char comm[OW_COMM_LEN];
	const char *cmdline; /* borrowed from the history; may be NULL */
	size_t n_instances; /* 1, or how many processes were merged as restarts */
	uint64_t start_bytes; /* memory (rss + swap + page tables) at its first sample */
	uint64_t at_oom_bytes; /* at the last sample at or before the first kill */
	uint64_t peak_bytes; /* the most it held up to the first kill */
	int64_t growth_bytes; /* what it gained over the window (restarts: summed per instance) */
	uint64_t growth_start_ns; /* when its growth began (Unix ns) */
	double rate_bytes_per_s; /* growth_bytes over the span it grew in */
	double recent_rate_bytes_per_s; /* over the last recent_ns before the first kill */
	enum ow_growth_pattern pattern;
	bool rising_at_oom; /* still growing in the last recent_ns */
	/* At rate_bytes_per_s, how long the domain's headroom at growth_start_ns lasts; -1 when
	 * unknown (no limit, no cgroup series, no growth). */
	int64_t time_to_limit_ns;
};

struct ow_growth_analysis {
	bool available; /* the incident has a history with samples before the first kill */
	uint64_t window_start_ns; /* first sample used */
	uint64_t first_kill_ns;
	size_t n_rows;
	struct ow_growth *rows; /* owned; biggest growth_bytes first; at most cfg.top */
	int fastest; /* index into rows of the fastest grower by rate, -1 when nothing grew */
	size_t n_rising; /* rows rising at the OOM */
	/* The domain's memory use over the window: its cgroup's usage, or MemTotal-MemAvailable
	 * for a global OOM; 0 when unknown. */
	int64_t domain_growth_bytes;
};

/*
 * Analyses inc->history (the window before inc's first kill). With no history, or none before
 * the first kill, returns 0 with ret->available false. Returns 0 or -ENOMEM; clear with
 * ow_growth_clear().
 */
int ow_growth_compute(const struct ow_incident *inc, const struct ow_growth_config *cfg,
		      struct ow_growth_analysis *ret);
void ow_growth_clear(struct ow_growth_analysis *g);

#endif
