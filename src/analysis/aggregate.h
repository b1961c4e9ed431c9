/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the processes of a kill's OOM domain hold, added up by process tree and by memory
 * cgroup: the inputs of the verdict's process-tree and cgroup rules (docs/verdict.md, rules 10
 * and 11) and of its memory-no-process-owns rule (rule 12).
 *
 * A process tree is one in-domain process (never the global init, never pid 1) and its
 * descendants by the snapshot's ppid links; a cgroup group is one memory cgroup strictly below
 * the domain's and the in-domain processes in it or below it. Each group knows the group
 * enclosing it, so the verdict can pick the smallest one that meets a bar. Memory is summed
 * once per address space: a vfork child and a process sharing the victim's mm add nothing.
 *
 * Pure: no I/O, no logging, no globals.
 */
#ifndef OW_AGGREGATE_H
#define OW_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/model.h"

/*
 * What a process adds to a sum of the domain's memory: ow_process_memory_bytes(), or 0 for one
 * whose address space another process of k already counts (OW_PROC_VFORK, and
 * OW_PROC_SHARES_VICTIM_MM when the victim is in k's snapshot).
 */
uint64_t ow_process_own_memory_bytes(const struct ow_kill *k, const struct ow_process *p);
/* Its shmem_bytes under the same rule. */
uint64_t ow_process_own_shmem_bytes(const struct ow_kill *k, const struct ow_process *p);

/* One process tree or one cgroup group of a kill's domain. */
struct ow_group {
	/* tree: its root's index in kill->procs; cgroup: SIZE_MAX */
	size_t root;
	/* cgroup: its path (owned); tree: NULL */
	char *path;
	/* the nearest enclosing group in the same array (the tree of the root's nearest eligible
	 * ancestor; the parent cgroup while still below the domain), -1 at the top */
	ssize_t parent;
	size_t n_members; /* in-domain processes in it, a tree's root included */
	uint64_t memory_bytes; /* their memory, summed by ow_process_own_memory_bytes() */
	/* index in kill->procs of the member holding the most (ties to the lower pid); SIZE_MAX
	 * when no member holds any */
	size_t biggest;
};

struct ow_aggregate {
	size_t n_in_domain; /* processes of the domain in the snapshot */
	uint64_t procs_bytes; /* their memory, summed by ow_process_own_memory_bytes() */
	uint64_t procs_shmem_bytes; /* their shmem, summed by ow_process_own_shmem_bytes() */
	size_t n_trees;
	struct ow_group *trees; /* owned; one per in-domain process that may root a tree */
	size_t n_cgroups;
	struct ow_group *cgroups; /* owned; one per cgroup below the domain holding a process */
};

/*
 * Adds up kill k's domain. The domain's cgroup path is k->domain.cgroup, "/" for a global OOM;
 * a memcg domain without a path has no cgroup groups. Processes whose cgroup is unknown belong
 * to no cgroup group. Returns 0 or -ENOMEM; clear with ow_aggregate_clear().
 */
int ow_aggregate_kill(const struct ow_kill *k, struct ow_aggregate *ret);
/* Accepts NULL and a zeroed aggregate. */
void ow_aggregate_clear(struct ow_aggregate *a);

/*
 * The smallest of groups[] that holds at least min_bytes with at least min_members: one that
 * meets the bar while no group inside it does. Among several such (disjoint) groups, the one
 * holding the most; ties to the first in the array. Returns its index, or -1 when none does.
 */
ssize_t ow_group_pick(const struct ow_group *groups, size_t n, uint64_t min_bytes,
		      size_t min_members);

/* The most any one of groups[] holds; 0 for none. */
uint64_t ow_group_max_bytes(const struct ow_group *groups, size_t n);

/*
 * Whether pid is root_pid or descends from it by k's ppid links (at most k->n_procs steps, so a
 * cycle in a damaged snapshot ends).
 */
bool ow_kill_descends_from(const struct ow_kill *k, int32_t pid, int32_t root_pid);

/* Whether the cgroup path is path_prefix or a cgroup below it ("/" holds every path). */
bool ow_cgroup_within(const char *path, const char *path_prefix);

#endif
