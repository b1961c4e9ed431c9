/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One tick of the sampler in plain C types: what the BPF task iterator read of one process,
 * and what the cgroup and system readers read. The sampler ring (sampler_ring.h) keeps ticks
 * of these; the model's history (model/history.h) is cut out of it.
 */
#ifndef OW_SAMPLE_H
#define OW_SAMPLE_H

#include <stdint.h>

#include "model/history.h"

/* One process at one tick. */
struct ow_task_sample {
	int32_t pid;
	int32_t ppid;
	int32_t oom_score_adj;
	uint64_t cgroup_id; /* kernfs id of its memory cgroup; 0 when none */
	uint64_t start_mono_ns; /* CLOCK_MONOTONIC ns at fork: tells a reused pid apart */
	uint64_t anon_bytes;
	uint64_t file_bytes;
	uint64_t shmem_bytes;
	uint64_t swap_bytes;
	uint64_t pgtables_bytes;
	char comm[OW_COMM_LEN];
};

/* One memory cgroup at one tick. */
struct ow_cgroup_reading {
	uint64_t id; /* kernfs id: the inode number of its directory */
	const char *path; /* borrowed from the reader; "/" for the root */
	struct ow_cgroup_sample sample;
};

#endif
