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
	OW_GROWTH_FLAT = 0, /* neither grew nor fell by min_growth_bytes */
	OW_GROWTH_STEADY, /* grew, spread over the window: a leak */
	OW_GROWTH_BURST, /* burst_share or more of its growth came in the last recent_ns */
	OW_GROWTH_FALLING, /* fell by min_growth_bytes or more from its first sample, and did not
			    * grow back by as much from its low */
	OW_GROWTH_STEP, /* burst_share or more of its growth came in one recent_ns-long spell
			 * earlier in the window: it grew once, then held */
};

/* "flat", "steady", "burst", "falling", "step". */
const char *ow_growth_pattern_name(enum ow_growth_pattern p);

/*
 * One grower: a process, or several instances of one command line restarted in turn. Figures
 * cover the window up to the last sample at or before the first kill.
 */
struct ow_growth {
	size_t proc_index; /* its latest instance in history->procs */
	int32_t pid; /* of the latest instance */
	char comm[OW_COMM_LEN];
	const char *cmdline; /* borrowed from the history; may be NULL */
	size_t n_instances; /* 1, or how many processes were merged as restarts */
	uint64_t first_seen_ns; /* its first sample in the window (Unix ns) */
	uint64_t start_bytes; /* memory (rss + swap + page tables) at its first sample */
	uint64_t at_oom_bytes; /* at the last sample at or before the first kill */
	uint64_t peak_bytes; /* the most it held up to the first kill */
	/* What it gained over the window: its last sample minus its low (restarts: summed per
	 * instance); negative when FALLING (last sample minus first). */
	int64_t growth_bytes;
	uint64_t growth_start_ns; /* when its growth began (Unix ns) */
	uint64_t growth_span_ns; /* from growth_start_ns to its last sample (restarts: summed) */
	double rate_bytes_per_s; /* its gain from the growth start sample over growth_span_ns */
	int64_t recent_growth_bytes; /* what its latest instance gained in the last recent_ns */
	double recent_rate_bytes_per_s; /* over the last recent_ns before the first kill */
	enum ow_growth_pattern pattern;
	bool rising_at_oom; /* still growing in the last recent_ns */
	bool present_at_oom; /* its latest instance was sampled at one of the last two samples */
	/* Since when its latest instance held within min_growth_bytes of its level then: the end
	 * of its last growth, or its first sample if it never grew (Unix ns). */
	uint64_t settled_ns;
	/* At rate_bytes_per_s, how long the domain's headroom at growth_start_ns lasts; -1 when
	 * unknown (no limit, no cgroup series, no growth). */
	int64_t time_to_limit_ns;
	uint64_t headroom_bytes; /* that headroom: limit - usage, or MemAvailable; 0 if unknown */
};

struct ow_growth_analysis {
	bool available; /* the incident has a history with samples before the first kill */
	uint64_t window_start_ns; /* first sample used */
	uint64_t window_end_ns; /* last sample used: the last at or before the first kill */
	uint64_t first_kill_ns;
	size_t n_rows;
	/* owned; the domain's processes, biggest growth_bytes first, at most cfg.top; then the
	 * holder's and the grower's rows below when not among those (n_rows <= top + 2) */
	struct ow_growth *rows;
	int fastest; /* index into rows of the fastest grower by rate, -1 when nothing grew */
	size_t n_rising; /* rows rising at the OOM */
	/* The domain's memory use over the window: its cgroup's usage, or MemTotal-MemAvailable
	 * for a global OOM; 0 when unknown. */
	int64_t domain_growth_bytes;
	/* Inputs of the culprit-by-growth rule (docs/verdict.md, rule 9). */
	int holder_row; /* the first kill's biggest holder (ow_kill_top_holder()); -1: no series */
	/* The other process, present at the OOM, that gained most since grower_since_ns; -1 when
	 * none gained anything. */
	int grower_row;
	uint64_t grower_since_ns; /* the later of its growth start and the holder's settled_ns */
	int64_t grower_since_bytes; /* what its latest instance gained since then */
	/* What the domain gained meanwhile (as domain_growth_bytes; without a series for the
	 * domain, the sum of its processes' memory). */
	int64_t domain_since_bytes;
};

/*
 * Analyses inc->history (the window before inc's first kill). With no history, or none before
 * the first kill, returns 0 with ret->available false. Returns 0 or -ENOMEM; clear with
 * ow_growth_clear().
 */
int ow_growth_compute(const struct ow_incident *inc, const struct ow_growth_config *cfg,
		      struct ow_growth_analysis *ret);
/* Accepts NULL and a zeroed analysis. */
void ow_growth_clear(struct ow_growth_analysis *g);

/*
 * The in-domain process of kill k's snapshot that held the most memory (ties to the lower pid),
 * eligible or not, or NULL when none held any: verdict rule 3's culprit, and the growth rule's
 * holder. Borrowed pointer into k->procs.
 */
const struct ow_process *ow_kill_top_holder(const struct ow_kill *k);

/*
 * Figures for people, shared by the verdict's reasons and the renderers. Durations: "0.4s",
 * "9.5s", "45s", "5m10s", "1h02m", "3d04h" (rounded to the nearest unit shown). Rates: bytes
 * per second written by ow_format_bytes() (model/units.h), "320 KiB/s", "1.5 MiB/s", with a
 * "-" when falling. Each returns buf.
 */
#define OW_DURATION_TEXT_LEN 24
#define OW_RATE_TEXT_LEN 24
const char *ow_format_duration(char buf[OW_DURATION_TEXT_LEN], uint64_t ns);
const char *ow_format_rate(char buf[OW_RATE_TEXT_LEN], double bytes_per_s);

#endif
