/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The libbpf shell of the sampler: loads the task walk (bpf/sampler.bpf.c) and, once per
 * tick, runs it and turns its records into struct ow_task_sample. The only module besides
 * bpf_loader.c that calls libbpf.
 */
#ifndef OW_BPF_SAMPLER_H
#define OW_BPF_SAMPLER_H

#include <stddef.h>

#include "capture/sample.h"

struct ow_bpf_sampler;

/*
 * Loads the task walk, with room for max_tasks processes per run. On failure returns -errno
 * and writes into what one line naming the step, for the caller to log.
 */
int ow_bpf_sampler_start(struct ow_bpf_sampler **ret_sampler, size_t max_tasks, char *what,
			 size_t what_len);
void ow_bpf_sampler_stop(struct ow_bpf_sampler *s);

/*
 * Reads every process and calls fn once for each, in the kernel's order (the sample is valid
 * only during the call: it is converted from the mapped array into the stack, with no array of
 * its own to write and read back). *ret_n is how many were passed; *ret_dropped how many more
 * there were than max_tasks could hold. Allocates nothing. Returns 0 or -errno.
 */
typedef void (*ow_task_sample_fn)(void *ctx, const struct ow_task_sample *t);
int ow_bpf_sampler_read(struct ow_bpf_sampler *s, ow_task_sample_fn fn, void *ctx, size_t *ret_n,
			size_t *ret_dropped);

#endif
