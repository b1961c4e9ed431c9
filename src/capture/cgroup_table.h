/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory cgroups of one kill's snapshot, and the OOM domain worked out from them.
 *
 * On this machine's kernel the tracepoint path has no struct oom_control, so which memory
 * cgroup ran out is inferred (docs/verdict.md, rule 0): walking up from the trigger's memory
 * cgroup, the deepest limited cgroup whose usage is within the slack of its limit, which
 * contains the victim and (where the kernel counts it) has had an OOM; none means a global
 * OOM. Pure code: unit-tested on synthetic tables.
 */
#ifndef OW_CGROUP_TABLE_H
#define OW_CGROUP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/procfs.h"
#include "model/model.h"

struct ow_cgroup_node {
	uint64_t id;
	uint64_t parent_id; /* 0 for the root */
	char name[128]; /* last path component; "" for the root */
	bool is_root;
	bool name_truncated;
	uint64_t usage_bytes;
	uint64_t max_bytes; /* UINT64_MAX when unlimited */
	uint64_t swap_max_bytes; /* v2 swap.max, v1 memsw.max; UINT64_MAX when unlimited */
	uint64_t oom_events; /* OOMs the kernel counted in this very cgroup (local, not subtree) */
	bool oom_events_known; /* false on kernels without the local count (before 5.2) */
};

struct ow_cgroup_table {
	size_t n, cap;
	bool sorted; /* nodes are in id order: lookups are binary searches */
	struct ow_cgroup_node *nodes;
};

void ow_cgroup_table_reset(struct ow_cgroup_table *t);

/*
 * What the kernel's mem_cgroup_get_max() adds to a cgroup's limit for swap (v1 memsw.max
 * counts memory + swap, v2 swap.max only swap), capped by the swap the machine has.
 */
uint64_t ow_cgroup_swap_allowance(const struct ow_cgroup_node *node, int memcg_version,
				  uint64_t swap_total_bytes);
void ow_cgroup_table_free(struct ow_cgroup_table *t);
/* Adds or replaces the node with the same id. Returns 0 or -ENOMEM. */
int ow_cgroup_table_add(struct ow_cgroup_table *t, const struct ow_cgroup_node *node);
/* Sorts the table by id, once it is complete: later lookups take O(log n). */
void ow_cgroup_table_sort(struct ow_cgroup_table *t);
const struct ow_cgroup_node *ow_cgroup_table_find(const struct ow_cgroup_table *t, uint64_t id);
/* "/a/b" for a node, "/" for the root; NULL when unknown or out of memory. Malloc'ed. */
char *ow_cgroup_table_path(const struct ow_cgroup_table *t, uint64_t id);
/* Whether id is ancestor_id or below it. */
bool ow_cgroup_table_is_within(const struct ow_cgroup_table *t, uint64_t id, uint64_t ancestor_id);

/* How close to its limit a memory cgroup must be to count as the one that ran out. */
uint64_t ow_domain_slack_bytes(uint64_t max_bytes);

/*
 * Whether a trigger's kernel stack (frames "function+0xoff", innermost first) ran the OOM
 * killer from a memory cgroup's charge (mem_cgroup_out_of_memory and its callers), not from
 * the page allocator: the kernel's own proof that a memory cgroup ran out. False when the stack
 * is empty or not symbolized.
 */
bool ow_stack_shows_memcg_oom(const struct ow_stack *kernel_stack);

/*
 * Infers the OOM domain of a kill. memcg_version is 1 or 2 (how swap limits read); meminfo
 * gives RAM and swap for the global case and caps swap allowances. memcg_oom says a memory
 * cgroup ran out (ow_stack_shows_memcg_oom()): when no cgroup reads at its limit, the limited
 * cgroup above the victim closest to its limit is taken rather than the machine
 * (docs/verdict.md, rule 0). Returns 0 or -ENOMEM.
 */
int ow_domain_infer(const struct ow_cgroup_table *t, uint64_t trigger_memcg_id,
		    uint64_t victim_memcg_id, bool memcg_oom, const struct ow_meminfo *meminfo,
		    int memcg_version, struct ow_domain *ret_domain);

#endif
