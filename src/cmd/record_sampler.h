/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's sampler: once per interval it reads every process (BPF task iterator), every
 * memory cgroup and the system into the sampler ring, and times itself. A thin shell wiring
 * capture modules together; the ring (capture/sampler_ring.h) holds the logic.
 */
#ifndef OW_RECORD_SAMPLER_H
#define OW_RECORD_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "capture/cmdline_cache.h"
#include "capture/sampler_ring.h"

struct record_sampler_config {
	uint64_t interval_ns;
	uint64_t window_ns;
	size_t history_bytes; /* the ring's arena */
	struct ow_cmdline_cache *cmdlines; /* borrowed */
};

struct record_sampler;

/*
 * Loads the task iterator and preallocates everything. On failure returns -errno and writes
 * into what the step that failed.
 */
int record_sampler_new(const struct record_sampler_config *cfg, struct record_sampler **ret,
		       char *what, size_t what_len);
void record_sampler_free(struct record_sampler *s);

/* Samples when a tick is due at now_mono_ns. Returns 1 when it sampled, 0 when not due. */
int record_sampler_tick(struct record_sampler *s, uint64_t now_mono_ns);
/* Milliseconds until the next tick is due (0 when overdue). */
int record_sampler_ms_to_next(const struct record_sampler *s, uint64_t now_mono_ns);

/* Cuts an incident's history out of the ring (ow_sampler_ring_extract). */
int record_sampler_extract(const struct record_sampler *s, const struct ow_history_request *req,
			   struct ow_history **ret_history);

struct record_sampler_stats {
	uint64_t samples;
	uint64_t cpu_ns_first; /* CPU of the first tick, which meets every process */
	uint64_t cpu_ns_total; /* CPU spent in the other ticks, user + system */
	uint64_t cpu_ns_max; /* of the other ticks */
	size_t last_processes;
	size_t last_cgroups;
	uint64_t tasks_dropped; /* the BPF walk found more processes than its array holds */
	struct ow_sampler_ring_stats ring;
};
void record_sampler_stats(const struct record_sampler *s, struct record_sampler_stats *ret);

#endif
