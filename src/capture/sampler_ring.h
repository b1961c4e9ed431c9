/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sampler ring: the last minutes of memory of every process, memory cgroup and the system,
 * kept in a fixed, preallocated arena so that sampling never allocates, and cut into a
 * struct ow_history (model/history.h) when an incident needs it.
 *
 * Each tick is one frame: a header (times, the system sample), every memory cgroup, and the
 * processes whose memory or adj changed since their last entry, plus a tombstone for each
 * process that went away. Every keyframe_every frames a keyframe lists every process, so a
 * reader starts at a keyframe and replays forward. An idle process therefore costs nothing
 * between keyframes. When the arena or the frame index is full, the oldest frames go.
 *
 * Processes are identified by (pid, start time): a reused pid is another process. Their comm,
 * command line and cgroup are kept in an identity table, also preallocated; an identity is
 * reused once no frame in the ring names it any more.
 */
#ifndef OW_SAMPLER_RING_H
#define OW_SAMPLER_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/sample.h"
#include "model/history.h"

struct ow_sampler_ring_config {
	uint64_t interval_ns; /* the sampler's tick */
	uint64_t window_ns; /* how far back an incident's history reaches */
	size_t arena_bytes; /* frames' budget */
	size_t max_processes; /* identities tracked at once */
	size_t max_cgroups; /* memory cgroups tracked at once */
	size_t keyframe_every; /* frames from one keyframe to the next */
};

/* The defaults for an interval and a window (the budgets of `record`'s help). */
void ow_sampler_ring_config_default(struct ow_sampler_ring_config *cfg, uint64_t interval_ns,
				    uint64_t window_ns, size_t arena_bytes);

struct ow_sampler_ring;

/* Allocates (and touches) everything the ring will use. Returns 0 or -ENOMEM/-EINVAL. */
int ow_sampler_ring_new(const struct ow_sampler_ring_config *cfg, struct ow_sampler_ring **ret);
void ow_sampler_ring_free(struct ow_sampler_ring *r);

/* The command line of a process new to the ring (borrowed; NULL when unknown). */
typedef const char *(*ow_cmdline_lookup_fn)(void *ctx, int32_t pid, int32_t ppid);

/*
 * One tick, in three steps: begin (times and the system), the cgroups one by one, then the
 * processes one by one; end commits the frame, with a tombstone for each
 * process of the last tick not seen in this one. real_ns is Unix time, mono_ns CLOCK_MONOTONIC,
 * both taken at the tick. Allocates nothing. Processes or cgroups beyond the tables are counted
 * in the stats and left out.
 */
void ow_sampler_ring_begin(struct ow_sampler_ring *r, uint64_t real_ns, uint64_t mono_ns,
			   const struct ow_system_sample *sys);
void ow_sampler_ring_add_cgroup(struct ow_sampler_ring *r, const struct ow_cgroup_reading *c);
void ow_sampler_ring_add_task(struct ow_sampler_ring *r, const struct ow_task_sample *t,
			      ow_cmdline_lookup_fn cmdline, void *cmdline_ctx);
void ow_sampler_ring_end(struct ow_sampler_ring *r);

struct ow_sampler_ring_stats {
	uint64_t frames_written;
	size_t frames_kept;
	uint64_t oldest_real_ns; /* 0 when empty */
	uint64_t newest_real_ns;
	size_t arena_used_bytes;
	size_t processes_tracked;
	/* Samples of processes (or cgroups) left out because their table was full: a process
	 * left out counts again at every tick it is seen. */
	uint64_t processes_untracked;
	uint64_t cgroups_untracked;
	uint64_t frames_too_big; /* frames larger than the arena, dropped */
};
void ow_sampler_ring_stats(const struct ow_sampler_ring *r, struct ow_sampler_ring_stats *ret);

/* What to cut out of the ring for an incident. */
struct ow_history_request {
	uint64_t from_ns; /* Unix ns: the first kill minus the window */
	uint64_t to_ns; /* Unix ns: the last kill plus 10 s, or now */
	uint64_t first_kill_ns; /* "top by memory" and "by growth" are measured up to here */
	uint64_t window_ns; /* recorded in the history */
	const char *domain_cgroup; /* the OOM memcg's path; NULL for a global OOM */
	const int32_t *pids; /* always kept when present: victims, triggers */
	size_t n_pids;
	size_t top_by_memory; /* default 10 */
	size_t top_by_growth; /* default 10 */
	size_t max_processes; /* all series, default 64 */
	size_t max_cgroups; /* default 16 */
};

void ow_history_request_default(struct ow_history_request *req);

/*
 * Cuts the history: the processes of the domain (the biggest ones when there are too many),
 * the top ones by memory and by growth, the given pids and the other runs of their command
 * lines; the domain's cgroup, its ancestors and the cgroups of the kept processes; the system.
 * -ENOENT when the ring holds no frame in the range; -ENOMEM.
 */
int ow_sampler_ring_extract(const struct ow_sampler_ring *r, const struct ow_history_request *req,
			    struct ow_history **ret_history);

#endif
