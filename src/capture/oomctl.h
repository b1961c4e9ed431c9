/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's struct oom_control at a kill (bpf/oomctl.bpf.c), in model terms, and how it
 * completes a kill the tracepoint path assembled: the constraint, the OOM memcg, the failed
 * allocation and the kernel's totalpages, instead of what user space would infer. Pure: the
 * libbpf side is bpf_oomctl.h.
 */
#ifndef OW_OOMCTL_MODEL_H
#define OW_OOMCTL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"

/* A record and a kill match when they name the same victim this close in time. */
#define OW_OOMCTL_MATCH_NS (2ULL * 1000000000ULL)

struct ow_oom_control {
	uint64_t time_ns; /* CLOCK_REALTIME, as ow_kill.time_ns */
	int32_t victim_pid; /* oc->chosen's tgid */
	int32_t trigger_pid; /* the task that ran the OOM killer */
	enum ow_oom_constraint constraint; /* OW_CONSTRAINT_UNKNOWN when the kernel has none */
	uint64_t total_bytes; /* oc->totalpages in bytes */
	int64_t chosen_points; /* oc->chosen_points: the victim's badness, in pages */
	uint64_t memcg_id; /* kernfs id of the memory cgroup that ran out; 0 for global */
	uint32_t gfp_mask;
	int32_t order;
};

struct ow_oomctl_record;

/* The BPF record (bpf/oomctl_abi.h) in model terms. */
void ow_oom_control_from_record(const struct ow_oomctl_record *r, uint32_t page_size,
				int64_t boot_to_real_ns, struct ow_oom_control *out);

/* Whether c is about kill: the same victim, within OW_OOMCTL_MATCH_NS either way. */
bool ow_oom_control_matches(const struct ow_oom_control *c, const struct ow_kill *kill);

/*
 * Completes kill with c: domain.total_bytes becomes the kernel's; kernel_report, unless
 * /dev/kmsg already gave it (OW_KILL_KMSG_CONFIRMED), gets the constraint, the failed
 * allocation, the OOM memcg's path (found among the kill's cgroups by id; NULL for a global
 * OOM or when not found) and the victim's memcg; sets OW_KILL_OOM_CONTROL. Returns 0 or
 * -ENOMEM (kill unchanged).
 */
int ow_oom_control_apply(const struct ow_oom_control *c, struct ow_kill *kill);

#endif
