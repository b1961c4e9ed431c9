/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Process trees and cgroup groups of a kill's OOM domain (aggregate.h), for the verdict's
 * rules 10 to 12 (docs/verdict.md).
 *
 * Trees: the snapshot is indexed by pid once, and each in-domain process walks up its ppid
 * links, adding itself to every tree rooted on the way; cgroups: every path of the domain's
 * processes gives the cgroups from the domain's child down to its own, kept sorted and unique,
 * and each process adds itself to each. Walks are bounded by the snapshot's size, so a ppid
 * cycle in a damaged snapshot ends. Pure: no I/O, no logging, no globals.
 */
#include "analysis/aggregate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool in_domain(const struct ow_process *p)
{
	return p->flags & OW_PROC_IN_DOMAIN;
}

/* Counted with another process's address space: a vfork child, or a sharer of the victim's. */
static bool shares_counted_mm(const struct ow_kill *k, const struct ow_process *p)
{
	if (p->flags & OW_PROC_VFORK)
		return true;
	return (p->flags & OW_PROC_SHARES_VICTIM_MM) && p->pid != k->victim_pid &&
	       ow_kill_find_process(k, k->victim_pid);
}

uint64_t ow_process_own_memory_bytes(const struct ow_kill *k, const struct ow_process *p)
{
	return shares_counted_mm(k, p) ? 0 : ow_process_memory_bytes(p);
}

uint64_t ow_process_own_shmem_bytes(const struct ow_kill *k, const struct ow_process *p)
{
	return shares_counted_mm(k, p) ? 0 : p->shmem_bytes;
}

bool ow_kill_descends_from(const struct ow_kill *k, int32_t pid, int32_t root_pid)
{
	const struct ow_process *p;

	for (size_t steps = 0; steps <= k->n_procs; steps++) {
		if (pid == root_pid)
			return true;
		p = ow_kill_find_process(k, pid);
		if (!p || p->ppid <= 0 || p->ppid == pid)
			return false;
		pid = p->ppid;
	}
	return false;
}

/* The length of path_prefix as a prefix: without trailing slashes, "/" counting as 0. */
static size_t prefix_len(const char *path_prefix)
{
	size_t len = strlen(path_prefix);

	while (len > 0 && path_prefix[len - 1] == '/')
		len--;
	return len;
}

bool ow_cgroup_within(const char *path, const char *path_prefix)
{
	size_t len;

	if (!path || !path_prefix || path[0] != '/')
		return false;
	len = prefix_len(path_prefix);
	return strncmp(path, path_prefix, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

void ow_aggregate_clear(struct ow_aggregate *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_cgroups; i++)
		free(a->cgroups[i].path);
	free(a->cgroups);
	free(a->trees);
	memset(a, 0, sizeof(*a));
}

/* Adds member i of k to group g. */
static void group_add(struct ow_group *g, const struct ow_kill *k, size_t i)
{
	uint64_t mem = ow_process_own_memory_bytes(k, &k->procs[i]), best;

	g->n_members++;
	g->memory_bytes += mem;
	if (!mem)
		return;
	if (g->biggest == SIZE_MAX) {
		g->biggest = i;
		return;
	}
	best = ow_process_own_memory_bytes(k, &k->procs[g->biggest]);
	if (mem > best || (mem == best && k->procs[i].pid < k->procs[g->biggest].pid))
		g->biggest = i;
}

/* ---- process trees ---- */

struct pid_index {
	int32_t pid;
	size_t index;
};

static int pid_index_cmp(const void *pa, const void *pb)
{
	const struct pid_index *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

/* The first process of k with this pid, as an index into k->procs, or SIZE_MAX. */
static size_t pid_lookup(const struct pid_index *ix, size_t n, int32_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ix[lo].pid == pid ? ix[lo].index : SIZE_MAX;
}

static size_t parent_index(const struct ow_kill *k, const struct pid_index *ix, size_t i)
{
	const struct ow_process *p = &k->procs[i];

	if (p->ppid <= 0 || p->ppid == p->pid)
		return SIZE_MAX;
	return pid_lookup(ix, k->n_procs, p->ppid);
}

/* May this process root a tree: in the domain, not init, not pid 1. */
static bool may_root(const struct ow_process *p)
{
	return in_domain(p) && !(p->flags & OW_PROC_INIT) && p->pid > 1;
}

static int build_trees(const struct ow_kill *k, struct ow_aggregate *a)
{
	size_t n = k->n_procs, n_roots = 0;
	struct pid_index *ix = NULL;
	ssize_t *tree_of = NULL;
	size_t *stamp = NULL;
	int r = -ENOMEM;

	if (!n)
		return 0;
	ix = calloc(n, sizeof(*ix));
	tree_of = calloc(n, sizeof(*tree_of));
	stamp = calloc(n, sizeof(*stamp));
	if (!ix || !tree_of || !stamp)
		goto out;
	for (size_t i = 0; i < n; i++) {
		ix[i].pid = k->procs[i].pid;
		ix[i].index = i;
		tree_of[i] = may_root(&k->procs[i]) ? (ssize_t)n_roots++ : -1;
	}
	qsort(ix, n, sizeof(*ix), pid_index_cmp);
	if (!n_roots) {
		r = 0;
		goto out;
	}
	a->trees = calloc(n_roots, sizeof(*a->trees));
	if (!a->trees)
		goto out;
	a->n_trees = n_roots;
	for (size_t i = 0; i < n; i++) {
		struct ow_group *g;
		size_t at = i;

		if (tree_of[i] < 0)
			continue;
		g = &a->trees[tree_of[i]];
		g->root = i;
		g->parent = -1;
		g->biggest = SIZE_MAX;
		for (size_t steps = 0; steps < n; steps++) {
			at = parent_index(k, ix, at);
			if (at == SIZE_MAX || at == i)
				break;
			if (tree_of[at] >= 0) {
				g->parent = tree_of[at];
				break;
			}
		}
	}
	/* Each in-domain process joins every tree on its way up; stamp[] stops a cycle. */
	for (size_t i = 0; i < n; i++) {
		size_t at = i;

		if (!in_domain(&k->procs[i]))
			continue;
		for (size_t steps = 0; steps < n && at != SIZE_MAX; steps++) {
			ssize_t t = tree_of[at];

			if (t >= 0) {
				if (stamp[t] == i + 1)
					break;
				stamp[t] = i + 1;
				group_add(&a->trees[t], k, i);
			}
			at = parent_index(k, ix, at);
		}
	}
	r = 0;
out:
	free(ix);
	free(tree_of);
	free(stamp);
	return r;
}

/* ---- cgroup groups ---- */

/* Where the components below the domain start in a path under it, and the domain's length. */
struct cg_domain {
	const char *path;
	size_t len; /* prefix_len(): 0 for "/" */
};

/* Whether path is strictly below the domain's cgroup. */
static bool below_domain(const struct cg_domain *d, const char *path)
{
	size_t i;

	if (!ow_cgroup_within(path, d->path))
		return false;
	for (i = d->len; path[i] == '/'; i++)
		;
	return path[i] != '\0';
}

/*
 * The cgroups from the domain's child down to path itself, as the lengths of path's prefixes
 * that end a component below the domain, stored in lens[] unless NULL. Returns how many.
 */
static size_t path_prefixes(const struct cg_domain *d, const char *path, size_t *lens)
{
	size_t n = 0, last = d->len;

	for (size_t pos = d->len + 1;; pos++) {
		if (path[pos] != '/' && path[pos] != '\0')
			continue;
		if (pos > last + 1) {
			if (lens)
				lens[n] = pos;
			n++;
		}
		last = pos;
		if (!path[pos])
			break;
	}
	return n;
}

struct path_key {
	const char *s;
	size_t len;
};

/* key (its first len bytes) against a group, as strcmp() would order them. */
static int path_key_cmp(const void *pkey, const void *pgroup)
{
	const struct path_key *key = pkey;
	const struct ow_group *g = pgroup;
	int c = strncmp(key->s, g->path, key->len);

	if (c)
		return c;
	return g->path[key->len] == '\0' ? 0 : -1;
}

static int group_path_cmp(const void *pa, const void *pb)
{
	const struct ow_group *a = pa, *b = pb;

	return strcmp(a->path, b->path);
}

static ssize_t cgroup_find(const struct ow_aggregate *a, const char *s, size_t len)
{
	struct path_key key = { s, len };
	const struct ow_group *g =
		bsearch(&key, a->cgroups, a->n_cgroups, sizeof(*a->cgroups), path_key_cmp);

	return g ? g - a->cgroups : -1;
}

static int build_cgroups(const struct ow_kill *k, struct ow_aggregate *a)
{
	struct cg_domain d;
	size_t n_paths = 0, max_depth = 0, n_unique = 0;
	size_t *lens = NULL;
	int r = -ENOMEM;

	d.path = k->domain.kind == OW_DOMAIN_GLOBAL ? "/" : k->domain.cgroup;
	if (!d.path || d.path[0] != '/')
		return 0;
	d.len = prefix_len(d.path);
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];
		size_t depth;

		if (!in_domain(p) || !below_domain(&d, p->cgroup))
			continue;
		depth = path_prefixes(&d, p->cgroup, NULL);
		n_paths += depth;
		if (depth > max_depth)
			max_depth = depth;
	}
	if (!n_paths)
		return 0;
	lens = calloc(max_depth, sizeof(*lens));
	a->cgroups = calloc(n_paths, sizeof(*a->cgroups));
	if (!lens || !a->cgroups)
		goto out;
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];
		size_t depth;

		if (!in_domain(p) || !below_domain(&d, p->cgroup))
			continue;
		depth = path_prefixes(&d, p->cgroup, lens);
		for (size_t j = 0; j < depth; j++) {
			struct ow_group *g = &a->cgroups[a->n_cgroups];

			g->path = strndup(p->cgroup, lens[j]);
			if (!g->path)
				goto out;
			g->root = SIZE_MAX;
			g->parent = -1;
			g->biggest = SIZE_MAX;
			a->n_cgroups++;
		}
	}
	qsort(a->cgroups, a->n_cgroups, sizeof(*a->cgroups), group_path_cmp);
	for (size_t i = 0; i < a->n_cgroups; i++) {
		if (n_unique && strcmp(a->cgroups[n_unique - 1].path, a->cgroups[i].path) == 0) {
			free(a->cgroups[i].path);
			continue;
		}
		a->cgroups[n_unique++] = a->cgroups[i];
	}
	a->n_cgroups = n_unique;
	for (size_t i = 0; i < a->n_cgroups; i++) {
		const char *path = a->cgroups[i].path;
		size_t len = strlen(path);

		while (len > 0 && path[len - 1] != '/')
			len--;
		while (len > 0 && path[len - 1] == '/')
			len--;
		if (len > d.len)
			a->cgroups[i].parent = cgroup_find(a, path, len);
	}
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];
		size_t depth;

		if (!in_domain(p) || !below_domain(&d, p->cgroup))
			continue;
		depth = path_prefixes(&d, p->cgroup, lens);
		for (size_t j = 0; j < depth; j++) {
			ssize_t g = cgroup_find(a, p->cgroup, lens[j]);

			if (g >= 0)
				group_add(&a->cgroups[g], k, i);
		}
	}
	r = 0;
out:
	free(lens);
	return r;
}

int ow_aggregate_kill(const struct ow_kill *k, struct ow_aggregate *ret)
{
	struct ow_aggregate a = { 0 };
	int r;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];

		if (!in_domain(p))
			continue;
		a.n_in_domain++;
		a.procs_bytes += ow_process_own_memory_bytes(k, p);
		a.procs_shmem_bytes += ow_process_own_shmem_bytes(k, p);
	}
	r = build_trees(k, &a);
	if (r >= 0)
		r = build_cgroups(k, &a);
	if (r < 0) {
		ow_aggregate_clear(&a);
		return r;
	}
	*ret = a;
	return 0;
}

ssize_t ow_group_pick(const struct ow_group *groups, size_t n, uint64_t min_bytes,
		      size_t min_members)
{
	bool *covered;
	ssize_t best = -1;

	if (!n)
		return -1;
	covered = calloc(n, sizeof(*covered));
	if (!covered)
		return -ENOMEM;
	/* A group with a qualifying group inside it is not the smallest. */
	for (size_t i = 0; i < n; i++) {
		ssize_t up = groups[i].parent;

		if (groups[i].memory_bytes < min_bytes || groups[i].n_members < min_members)
			continue;
		for (size_t steps = 0; steps < n && up >= 0 && !covered[up]; steps++) {
			covered[up] = true;
			up = groups[up].parent;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (covered[i] || groups[i].memory_bytes < min_bytes ||
		    groups[i].n_members < min_members)
			continue;
		if (best < 0 || groups[i].memory_bytes > groups[best].memory_bytes)
			best = (ssize_t)i;
	}
	free(covered);
	return best;
}

uint64_t ow_group_max_bytes(const struct ow_group *groups, size_t n)
{
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++)
		if (groups[i].memory_bytes > max)
			max = groups[i].memory_bytes;
	return max;
}
