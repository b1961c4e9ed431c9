/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory cgroup table of a kill and OOM-domain inference (see cgroup_table.h).
 */
#include "capture/cgroup_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OW_CGROUP_DEPTH_MAX 64
#define OW_SLACK_MIN_BYTES (4ULL << 20)

void ow_cgroup_table_reset(struct ow_cgroup_table *t)
{
	t->n = 0;
	t->sorted = false;
}

void ow_cgroup_table_free(struct ow_cgroup_table *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

static int cmp_node_id(const void *a, const void *b)
{
	uint64_t x = ((const struct ow_cgroup_node *)a)->id,
		 y = ((const struct ow_cgroup_node *)b)->id;

	return x < y ? -1 : x > y;
}

void ow_cgroup_table_sort(struct ow_cgroup_table *t)
{
	if (t->n > 1)
		qsort(t->nodes, t->n, sizeof(*t->nodes), cmp_node_id);
	t->sorted = true;
}

static struct ow_cgroup_node *find_mut(const struct ow_cgroup_table *t, uint64_t id)
{
	if (t->sorted) {
		struct ow_cgroup_node key = { .id = id };

		return t->n ? bsearch(&key, t->nodes, t->n, sizeof(*t->nodes), cmp_node_id) : NULL;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->nodes[i].id == id)
			return &t->nodes[i];
	return NULL;
}

const struct ow_cgroup_node *ow_cgroup_table_find(const struct ow_cgroup_table *t, uint64_t id)
{
	return find_mut(t, id);
}

int ow_cgroup_table_add(struct ow_cgroup_table *t, const struct ow_cgroup_node *node)
{
	struct ow_cgroup_node *existing = find_mut(t, node->id);

	if (existing) {
		*existing = *node;
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct ow_cgroup_node *nodes = realloc(t->nodes, cap * sizeof(*nodes));

		if (!nodes)
			return -ENOMEM;
		t->nodes = nodes;
		t->cap = cap;
	}
	t->nodes[t->n++] = *node;
	t->sorted = false;
	return 0;
}

char *ow_cgroup_table_path(const struct ow_cgroup_table *t, uint64_t id)
{
	const struct ow_cgroup_node *chain[OW_CGROUP_DEPTH_MAX];
	const struct ow_cgroup_node *node = ow_cgroup_table_find(t, id);
	size_t depth = 0, len = 1;
	char *path, *p;

	while (node && !node->is_root && depth < OW_CGROUP_DEPTH_MAX) {
		chain[depth++] = node;
		len += strlen(node->name) + 1;
		node = ow_cgroup_table_find(t, node->parent_id);
	}
	if (!node)
		return NULL; /* a gap in the chain: the path would be a guess */
	path = malloc(len + 1);
	if (!path)
		return NULL;
	p = path;
	if (depth == 0)
		*p++ = '/';
	while (depth > 0) {
		size_t n = strlen(chain[--depth]->name);

		*p++ = '/';
		memcpy(p, chain[depth]->name, n);
		p += n;
	}
	*p = '\0';
	return path;
}

bool ow_cgroup_table_is_within(const struct ow_cgroup_table *t, uint64_t id, uint64_t ancestor_id)
{
	const struct ow_cgroup_node *node = ow_cgroup_table_find(t, id);

	for (int depth = 0; node && depth < OW_CGROUP_DEPTH_MAX; depth++) {
		if (node->id == ancestor_id)
			return true;
		if (node->is_root)
			return false;
		node = ow_cgroup_table_find(t, node->parent_id);
	}
	return false;
}

uint64_t ow_domain_slack_bytes(uint64_t max_bytes)
{
	uint64_t slack = max_bytes / 64;

	return slack > OW_SLACK_MIN_BYTES ? slack : OW_SLACK_MIN_BYTES;
}

/*
 * Whether this cgroup can be the one that ran out: limited, at its limit, and, where the
 * kernel counts OOMs per cgroup, with at least one (a cgroup that never ran out cannot be it,
 * however full it looks).
 */
static bool at_limit(const struct ow_cgroup_node *node)
{
	if (node->is_root || node->max_bytes == UINT64_MAX)
		return false;
	if (node->oom_events_known && node->oom_events == 0)
		return false;
	return node->usage_bytes + ow_domain_slack_bytes(node->max_bytes) >= node->max_bytes;
}

/* The deepest at-limit cgroup from start upwards that contains victim_id, or NULL. */
static const struct ow_cgroup_node *find_limited(const struct ow_cgroup_table *t, uint64_t start,
						 uint64_t victim_id)
{
	const struct ow_cgroup_node *node = ow_cgroup_table_find(t, start);

	for (int depth = 0; node && !node->is_root && depth < OW_CGROUP_DEPTH_MAX; depth++) {
		if (at_limit(node) && ow_cgroup_table_is_within(t, victim_id, node->id))
			return node;
		node = ow_cgroup_table_find(t, node->parent_id);
	}
	return NULL;
}

uint64_t ow_cgroup_swap_allowance(const struct ow_cgroup_node *node, int memcg_version,
				  uint64_t swap_total_bytes)
{
	uint64_t swap;

	if (node->swap_max_bytes == UINT64_MAX)
		swap = swap_total_bytes;
	else if (memcg_version == 1) /* memsw.max counts memory + swap */
		swap = node->swap_max_bytes > node->max_bytes
			       ? node->swap_max_bytes - node->max_bytes
			       : 0;
	else
		swap = node->swap_max_bytes;
	return swap < swap_total_bytes ? swap : swap_total_bytes;
}

/*
 * The limited cgroup from the victim's upwards with the least headroom (limit - usage), one
 * that also holds the trigger preferred; NULL when the victim has no limited cgroup above it.
 */
static const struct ow_cgroup_node *find_closest_to_limit(const struct ow_cgroup_table *t,
							  uint64_t trigger_id, uint64_t victim_id)
{
	const struct ow_cgroup_node *node = ow_cgroup_table_find(t, victim_id), *best = NULL;
	uint64_t best_headroom = UINT64_MAX;
	bool best_has_trigger = false;

	for (int depth = 0; node && !node->is_root && depth < OW_CGROUP_DEPTH_MAX; depth++) {
		uint64_t headroom = node->max_bytes > node->usage_bytes
					    ? node->max_bytes - node->usage_bytes
					    : 0;
		bool has_trigger = trigger_id && ow_cgroup_table_is_within(t, trigger_id, node->id);

		if (node->max_bytes != UINT64_MAX &&
		    (!best || (has_trigger && !best_has_trigger) ||
		     (has_trigger == best_has_trigger && headroom < best_headroom))) {
			best = node;
			best_headroom = headroom;
			best_has_trigger = has_trigger;
		}
		node = ow_cgroup_table_find(t, node->parent_id);
	}
	return best;
}

/* "mem_cgroup_oom.part.0+0x1c" names the function mem_cgroup_oom. */
static bool frame_is(const char *frame, const char *function)
{
	size_t n = strlen(function);

	return strncmp(frame, function, n) == 0 &&
	       (frame[n] == '+' || frame[n] == '.' || frame[n] == '\0');
}

bool ow_stack_shows_memcg_oom(const struct ow_stack *kernel_stack)
{
	/* Callers of out_of_memory() on a memory cgroup's behalf, by kernel version. */
	static const char *const memcg_callers[] = {
		"mem_cgroup_out_of_memory", /* all kernels */
		"mem_cgroup_oom", /* when the above is inlined */
		"try_charge_memcg", /* 5.15+, when both are inlined */
		"try_charge", /* before 5.15, likewise */
		"memory_max_write", /* cgroup v2: memory.max lowered below usage */
	};

	for (size_t i = 0; i + 1 < kernel_stack->n_frames; i++) {
		const char *caller = kernel_stack->frames[i + 1];

		if (!frame_is(kernel_stack->frames[i], "out_of_memory"))
			continue;
		for (size_t j = 0; j < sizeof(memcg_callers) / sizeof(memcg_callers[0]); j++)
			if (frame_is(caller, memcg_callers[j]))
				return true;
		return false;
	}
	return false;
}

int ow_domain_infer(const struct ow_cgroup_table *t, uint64_t trigger_memcg_id,
		    uint64_t victim_memcg_id, bool memcg_oom, const struct ow_meminfo *meminfo,
		    int memcg_version, struct ow_domain *ret_domain)
{
	const struct ow_cgroup_node *node = NULL;
	struct ow_domain d = { 0 };

	if (trigger_memcg_id)
		node = find_limited(t, trigger_memcg_id, victim_memcg_id);
	if (!node && victim_memcg_id) /* charged on another cgroup's behalf */
		node = find_limited(t, victim_memcg_id, victim_memcg_id);
	/*
	 * The kernel checks the cgroup's margin before it picks a victim; when the previous
	 * victim frees its memory in between, it kills again with usage well under the limit.
	 */
	if (!node && memcg_oom && victim_memcg_id)
		node = find_closest_to_limit(t, trigger_memcg_id, victim_memcg_id);
	if (!node) {
		d.kind = OW_DOMAIN_GLOBAL;
		d.limit_bytes = meminfo->mem_total_bytes;
		d.usage_bytes = meminfo->mem_total_bytes - meminfo->mem_available_bytes;
		d.total_bytes = meminfo->mem_total_bytes + meminfo->swap_total_bytes;
		*ret_domain = d;
		return 0;
	}
	d.kind = OW_DOMAIN_MEMCG;
	d.cgroup_id = node->id;
	d.cgroup = ow_cgroup_table_path(t, node->id); /* NULL if a gap hides the path */
	d.limit_bytes = node->max_bytes;
	d.usage_bytes = node->usage_bytes;
	d.total_bytes = node->max_bytes +
			ow_cgroup_swap_allowance(node, memcg_version, meminfo->swap_total_bytes);
	*ret_domain = d;
	return 0;
}
