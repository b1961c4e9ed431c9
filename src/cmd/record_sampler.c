/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's sampler (see record_sampler.h). Everything a tick uses is allocated here, at
 * start: the ring and the readers. Processes go from the BPF array straight into the ring.
 */
#include "cmd/record_sampler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/bpf_sampler.h"
#include "capture/memstat.h"

struct record_sampler {
	struct record_sampler_config cfg;
	struct ow_bpf_sampler *bpf;
	struct ow_memstat_reader *memstat;
	struct ow_sampler_ring *ring;
	size_t tasks_cap;
	uint64_t last_cgroup_id; /* of the last process of this tick */
	size_t max_cgroups;
	uint64_t next_tick_mono_ns;
	struct record_sampler_stats stats;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int record_sampler_new(const struct record_sampler_config *cfg, struct record_sampler **ret,
		       char *what, size_t what_len)
{
	struct ow_sampler_ring_config rcfg;
	struct record_sampler *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	ow_sampler_ring_config_default(&rcfg, cfg->interval_ns, cfg->window_ns, cfg->history_bytes);
	s->tasks_cap = rcfg.max_processes;
	s->max_cgroups = rcfg.max_cgroups;
	r = ow_sampler_ring_new(&rcfg, &s->ring);
	if (r < 0) {
		snprintf(what, what_len, "allocating the %zu MiB history ring",
			 cfg->history_bytes >> 20);
		goto fail;
	}
	r = ow_memstat_reader_new("/", &s->memstat);
	if (r < 0) {
		snprintf(what, what_len, "allocating the cgroup reader");
		goto fail;
	}
	r = ow_bpf_sampler_start(&s->bpf, s->tasks_cap, what, what_len);
	if (r < 0)
		goto fail;
	*ret = s;
	return 0;
fail:
	record_sampler_free(s);
	return r;
}

void record_sampler_free(struct record_sampler *s)
{
	if (!s)
		return;
	ow_bpf_sampler_stop(s->bpf);
	ow_memstat_reader_free(s->memstat);
	ow_sampler_ring_free(s->ring);
	free(s);
}

static void on_cgroup(void *ctx, const struct ow_cgroup_reading *reading)
{
	struct record_sampler *s = ctx;

	ow_sampler_ring_add_cgroup(s->ring, reading);
	s->stats.last_cgroups++;
}

static const char *lookup_cmdline(void *ctx, int32_t pid, int32_t ppid)
{
	struct record_sampler *s = ctx;

	return s->cfg.cmdlines ? ow_cmdline_cache_get(s->cfg.cmdlines, pid, ppid) : NULL;
}

static void on_task(void *ctx, const struct ow_task_sample *t)
{
	struct record_sampler *s = ctx;

	/* A process in a cgroup the reader has not listed: the next tick lists them again. */
	if (t->cgroup_id != s->last_cgroup_id) {
		s->last_cgroup_id = t->cgroup_id;
		ow_memstat_note_cgroup_id(s->memstat, t->cgroup_id);
	}
	ow_sampler_ring_add_task(s->ring, t, lookup_cmdline, s);
}

int record_sampler_tick(struct record_sampler *s, uint64_t now_mono_ns)
{
	uint64_t cpu_start_ns, cpu_ns;
	struct ow_system_sample sys;
	size_t n = 0, dropped = 0;

	if (now_mono_ns < s->next_tick_mono_ns)
		return 0;
	/* The next tick keeps to the grid; a late tick does not pile up catch-up ticks. */
	s->next_tick_mono_ns += s->cfg.interval_ns;
	if (s->next_tick_mono_ns <= now_mono_ns)
		s->next_tick_mono_ns = now_mono_ns + s->cfg.interval_ns;

	cpu_start_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (ow_memstat_read_system(s->memstat, &sys) < 0)
		memset(&sys, 0, sizeof(sys));
	ow_sampler_ring_begin(s->ring, clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_MONOTONIC), &sys);
	s->stats.last_cgroups = 0;
	(void)ow_memstat_walk_cgroups(s->memstat, s->max_cgroups, on_cgroup, s);
	/* A failed read leaves the frame without processes; the next tick tries again. */
	s->last_cgroup_id = 0;
	if (ow_bpf_sampler_read(s->bpf, on_task, s, &n, &dropped) < 0)
		n = 0;
	ow_sampler_ring_end(s->ring);
	cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start_ns;

	/* The first tick reads every command line; the steady cost is that of the others. */
	if (s->stats.samples++ == 0) {
		s->stats.cpu_ns_first = cpu_ns;
	} else {
		s->stats.cpu_ns_total += cpu_ns;
		if (cpu_ns > s->stats.cpu_ns_max)
			s->stats.cpu_ns_max = cpu_ns;
	}
	s->stats.last_processes = n;
	s->stats.tasks_dropped += dropped;
	return 1;
}

int record_sampler_ms_to_next(const struct record_sampler *s, uint64_t now_mono_ns)
{
	if (now_mono_ns >= s->next_tick_mono_ns)
		return 0;
	return (int)((s->next_tick_mono_ns - now_mono_ns + 999999) / 1000000);
}

int record_sampler_extract(const struct record_sampler *s, const struct ow_history_request *req,
			   struct ow_history **ret_history)
{
	return ow_sampler_ring_extract(s->ring, req, ret_history);
}

void record_sampler_stats(const struct record_sampler *s, struct record_sampler_stats *ret)
{
	*ret = s->stats;
	ow_sampler_ring_stats(s->ring, &ret->ring);
}
