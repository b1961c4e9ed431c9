/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory history: what the sampler saw in the minutes around an incident, in plain C types.
 *
 * The recorder samples every process, every memory cgroup and the system at a fixed interval
 * into an in-memory ring (src/capture/sampler_ring.c); when an incident happens it cuts the
 * window before the first kill and up to 10 s after the last out of the ring into one of these,
 * attaches it to the incident (ow_incident.history), and the store keeps it.
 *
 * Layout: one shared time axis (time_ns[n_times]); every series (system, each process, each
 * cgroup) has exactly n_times samples aligned with it, and a sample whose subject did not exist
 * or was not read at that time has present == false. Memory in bytes, times in Unix ns (UTC).
 * Strings are owned. ow_history_free() accepts NULL.
 */
#ifndef OW_HISTORY_H
#define OW_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/model.h"

/* The limit value of a cgroup without one. */
#define OW_LIMIT_NONE UINT64_MAX

/* One process at one sample. */
struct ow_proc_sample {
	bool present; /* the process existed and was read at this time */
	int32_t oom_score_adj;
	uint64_t anon_bytes;
	uint64_t file_bytes;
	uint64_t shmem_bytes;
	uint64_t swap_bytes;
	uint64_t pgtables_bytes;
};

/* rss (anon + file + shmem), and what badness counts (rss + swap + page tables). */
uint64_t ow_proc_sample_rss_bytes(const struct ow_proc_sample *s);
uint64_t ow_proc_sample_memory_bytes(const struct ow_proc_sample *s);

/* One process's series. A pid reused by another process is another series (start_time_ns). */
struct ow_history_process {
	int32_t pid;
	int32_t ppid;
	char comm[OW_COMM_LEN];
	char *cmdline; /* owned; NULL when unknown */
	char *cgroup; /* owned; memory cgroup path; NULL when unknown */
	uint64_t start_time_ns; /* Unix ns the process started; 0 when unknown */
	struct ow_proc_sample *samples; /* owned; n_times, aligned with ow_history.time_ns */
};

/* One memory cgroup at one sample (from its usage, limit and memory.stat files). */
struct ow_cgroup_sample {
	bool present;
	uint64_t usage_bytes;
	uint64_t limit_bytes; /* OW_LIMIT_NONE when unlimited */
	uint64_t anon_bytes;
	uint64_t file_bytes;
	uint64_t shmem_bytes;
	uint64_t kernel_bytes; /* slab, page tables, kernel stacks (v2 "kernel"; v1 kmem usage) */
	uint64_t sock_bytes; /* network socket buffers (v2 "sock"; v1 kmem.tcp usage) */
};

struct ow_history_cgroup {
	char *path; /* owned; "/" for the root */
	uint64_t id; /* kernfs id (inode of the cgroup directory), as ow_process.cgroup_id */
	struct ow_cgroup_sample *samples; /* owned; n_times */
};

/* The system at one sample (/proc/meminfo, /proc/pressure/memory). */
struct ow_system_sample {
	bool present;
	uint64_t mem_total_bytes;
	uint64_t mem_available_bytes;
	uint64_t swap_total_bytes;
	uint64_t swap_free_bytes;
	bool psi_known; /* false when the kernel has no PSI (psi=0, or no /proc/pressure) */
	uint32_t psi_some_avg10_centi; /* "some avg10" in hundredths of a percent: 1234 = 12.34% */
	uint32_t psi_full_avg10_centi;
	uint64_t psi_some_total_us; /* cumulative stall time, microseconds */
	uint64_t psi_full_total_us;
};

struct ow_history {
	uint64_t interval_ns; /* the sampler's interval */
	uint64_t window_ns; /* the window asked for before the first kill */
	/*
	 * The history starts later than first kill - window: the recorder had not run that long,
	 * or a long storm pushed the oldest samples out of the ring.
	 */
	bool truncated;
	size_t n_times;
	uint64_t *time_ns; /* owned; ascending */
	struct ow_system_sample *system; /* owned; n_times */
	size_t n_procs;
	struct ow_history_process *procs; /* owned */
	size_t n_cgroups;
	struct ow_history_cgroup *cgroups; /* owned */
};

/* Allocates an empty history with n_times zeroed system samples and the time axis. */
struct ow_history *ow_history_new(size_t n_times);
void ow_history_free(struct ow_history *h);
/* Deep copy; NULL on -ENOMEM (or when h is NULL). */
struct ow_history *ow_history_copy(const struct ow_history *h);

/*
 * Appends a process (or cgroup) series with n_times absent samples; returns it for the caller
 * to fill, or NULL on -ENOMEM. The returned pointer is valid until the next append.
 */
struct ow_history_process *ow_history_add_process(struct ow_history *h);
struct ow_history_cgroup *ow_history_add_cgroup(struct ow_history *h);

/* The index of the last sample at or before t_ns, or -1 when t_ns is before the first. */
ssize_t ow_history_index_at(const struct ow_history *h, uint64_t t_ns);

/*
 * Gives back what the sampler's ring cut short: a history process whose command line is a
 * strict prefix of the one a kill snapshot of inc holds for the same pid and comm takes the
 * snapshot's full line. Returns the number of lines completed, or -ENOMEM (h stays valid).
 */
int ow_history_complete_cmdlines(struct ow_history *h, const struct ow_incident *inc);

#endif
