/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's Prometheus metrics (docs/metrics.md): a snapshot of its counters, the table
 * of kill counts by label set with its cardinality bound, and the renderer of the text
 * exposition format 0.0.4. Pure: structs in, text to a FILE * out; no HTTP, no locks, no
 * clock. The HTTP shell that serves it lives in src/cmd/record_metrics.c.
 */
#ifndef OW_OUTPUT_PROMETHEUS_H
#define OW_OUTPUT_PROMETHEUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"

/*
 * At most this many label sets of oomwitness_kills_total, so that a machine that makes a new
 * cgroup per job cannot grow the recorder's memory or Prometheus's series without bound. Of
 * them, OW_PROM_KILL_OTHER_SERIES are kept for the overflow series (cgroup="other",
 * container="other", one per killer and domain kind); the others go to the first distinct
 * label sets seen.
 */
#define OW_PROM_KILL_SERIES_MAX 64
#define OW_PROM_KILL_OTHER_SERIES 4 /* 2 killer kinds x 2 domain kinds */
#define OW_PROM_KILL_NAMED_MAX (OW_PROM_KILL_SERIES_MAX - OW_PROM_KILL_OTHER_SERIES)
/* The cgroup and container label values of the overflow series. */
#define OW_PROM_OTHER "other"

/* One label set of oomwitness_kills_total and its count. */
struct ow_prom_kill_series {
	enum ow_killer_kind killer;
	enum ow_domain_kind domain_kind;
	bool other; /* the overflow series: cgroup and container are "other" (and NULL here) */
	char *cgroup; /* owned; the OOM domain's cgroup path, "" for global or unknown */
	char *container; /* owned; ow_container_label() of the victim's cgroup, "" when none */
	uint64_t kills;
};

struct ow_prom_kill_table {
	size_t n;
	struct ow_prom_kill_series series[OW_PROM_KILL_SERIES_MAX];
};

/*
 * Counts one kill under its label set (cgroup and container NULL count as ""). A label set not
 * seen before gets a series of its own while fewer than OW_PROM_KILL_NAMED_MAX exist, else (or
 * when out of memory) the kill is counted under the overflow series of its killer and domain
 * kind. Returns 0 when counted under its own labels, 1 when under "other".
 */
int ow_prom_kills_add(struct ow_prom_kill_table *t, enum ow_killer_kind killer,
		      enum ow_domain_kind domain_kind, const char *cgroup, const char *container);
/* Frees the label values; the table is empty afterwards. Accepts NULL. */
void ow_prom_kills_clear(struct ow_prom_kill_table *t);

/* Everything one scrape shows. Counters count since start_time_ns; times are Unix ns. */
struct ow_prom_snapshot {
	const char *version; /* borrowed; the build's version (oomwitness_build_info) */
	uint64_t start_time_ns;
	const struct ow_prom_kill_table *kills; /* borrowed; NULL: no kill yet */
	uint64_t last_kill_time_ns; /* 0: no kill yet */
	uint64_t incidents; /* incidents this recorder opened (not continued after a restart) */
	uint64_t hook_kills; /* oom:mark_victim hits counted by the BPF program */
	uint64_t lost_records; /* ring-buffer records the BPF side could not reserve */
	uint64_t histories_attached; /* memory histories stored with an incident */
	bool sampler_running;
	uint64_t sampler_samples;
	uint64_t sampler_cpu_ns; /* the sampler thread's CPU over all its samples */
	uint64_t sampler_last_cpu_ns; /* of the newest sample */
	uint64_t sampler_processes; /* processes in the newest sample */
	uint64_t sampler_history_ns; /* time between the oldest and newest sample in the ring */
};

/*
 * Writes the snapshot in the Prometheus text exposition format 0.0.4: a HELP and a TYPE line
 * for every metric, then its samples. Label values are made valid UTF-8 (each ill-formed
 * sequence becomes U+FFFD) and escaped (backslash, double quote, newline). Returns 0, -ENOMEM,
 * or -EIO when the stream failed.
 */
int ow_prom_render(FILE *out, const struct ow_prom_snapshot *s);

/* The Content-Type of what ow_prom_render() writes. */
#define OW_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
