/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The libbpf shell: checks that the kernel has what the BPF programs need, loads and attaches
 * them, and polls their ring buffer into a record handler (the consumer). The only module that
 * calls libbpf.
 */
#ifndef OW_BPF_LOADER_H
#define OW_BPF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called for each ring-buffer record; returns 0 to go on, negative to stop polling. */
typedef int (*ow_record_fn)(void *ctx, const void *data, size_t size);

struct ow_bpf_options {
	size_t ringbuf_bytes; /* a power of two, at least one page; 0 for the default 8 MiB */
	ow_record_fn on_record;
	void *ctx;
};

struct ow_bpf;

/*
 * Probes, loads and attaches. On failure returns -errno and writes into what (if not NULL) one
 * line naming the step or the missing kernel feature, for the caller to log. Optional hooks
 * (signal kills, the oom_score_adj audit, the OOM reaper) that this kernel lacks or refuses do
 * not fail it: ow_bpf_missing_hooks() names them, for the caller to warn once.
 */
int ow_bpf_start(const struct ow_bpf_options *opts, struct ow_bpf **ret_bpf, char *what,
		 size_t what_len);
void ow_bpf_stop(struct ow_bpf *b);

/*
 * The optional hooks not attached, one line ("tp_btf/oom_score_adj_update (no such tracepoint
 * in this kernel), ..."), or NULL when every hook is attached. Borrowed from b.
 */
const char *ow_bpf_missing_hooks(const struct ow_bpf *b);

/*
 * Waits up to timeout_ms for a wake-up and consumes what arrived, or when none came, what was
 * submitted without one. Returns records consumed, or -errno.
 */
int ow_bpf_poll(struct ow_bpf *b, int timeout_ms);

/* Global counters of the BPF side (enum ow_counter in bpf/oomwitness.h). */
struct ow_bpf_counters {
	uint64_t kills; /* mark_victim hits */
	uint64_t lost_records; /* ring-buffer reserve failures */
	uint64_t signal_kills; /* SIGKILLs from user space taken as kills */
	uint64_t signal_snapshots_skipped; /* of which past the rate limit: no process snapshot */
};
int ow_bpf_read_counters(struct ow_bpf *b, struct ow_bpf_counters *ret_counters);

/*
 * Whether the kernel has the BPF task-iterator kfuncs and bpf_rdonly_cast (6.7+), the fast
 * process walk; false also when OW_BPF_WALK is set (not "0"), which forces the bpf_loop walk
 * of older kernels (tests, bench/). Shared with the sampler.
 */
bool ow_bpf_kernel_has_task_iter(void);

/* Names of the hooks attached, for `record`'s start-up line. */
const char *ow_bpf_hooks_description(void);

#endif
