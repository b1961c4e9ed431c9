/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory history (history.h): allocation, deep copy and lookups. Pure; no I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/history.h"

uint64_t ow_proc_sample_rss_bytes(const struct ow_proc_sample *s)
{
	return s->anon_bytes + s->file_bytes + s->shmem_bytes;
}

uint64_t ow_proc_sample_memory_bytes(const struct ow_proc_sample *s)
{
	return ow_proc_sample_rss_bytes(s) + s->swap_bytes + s->pgtables_bytes;
}

struct ow_history *ow_history_new(size_t n_times)
{
	struct ow_history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->n_times = n_times;
	h->time_ns = calloc(n_times ? n_times : 1, sizeof(*h->time_ns));
	h->system = calloc(n_times ? n_times : 1, sizeof(*h->system));
	if (!h->time_ns || !h->system) {
		ow_history_free(h);
		return NULL;
	}
	return h;
}

static void history_process_clear(struct ow_history_process *p)
{
	free(p->cmdline);
	free(p->cgroup);
	free(p->samples);
}

void ow_history_free(struct ow_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_procs; i++)
		history_process_clear(&h->procs[i]);
	for (size_t i = 0; i < h->n_cgroups; i++) {
		free(h->cgroups[i].path);
		free(h->cgroups[i].samples);
	}
	free(h->procs);
	free(h->cgroups);
	free(h->time_ns);
	free(h->system);
	free(h);
}

/* Grows an array of series by one zeroed element; returns it or NULL. */
static void *append_zeroed(void **array, size_t *n, size_t elem_size)
{
	char *grown = realloc(*array, (*n + 1) * elem_size);

	if (!grown)
		return NULL;
	*array = grown;
	memset(grown + *n * elem_size, 0, elem_size);
	return grown + (*n)++ * elem_size;
}

struct ow_history_process *ow_history_add_process(struct ow_history *h)
{
	struct ow_proc_sample *samples = calloc(h->n_times ? h->n_times : 1, sizeof(*samples));
	struct ow_history_process *p;

	if (!samples)
		return NULL;
	p = append_zeroed((void **)&h->procs, &h->n_procs, sizeof(*p));
	if (!p) {
		free(samples);
		return NULL;
	}
	p->samples = samples;
	return p;
}

struct ow_history_cgroup *ow_history_add_cgroup(struct ow_history *h)
{
	struct ow_cgroup_sample *samples = calloc(h->n_times ? h->n_times : 1, sizeof(*samples));
	struct ow_history_cgroup *c;

	if (!samples)
		return NULL;
	c = append_zeroed((void **)&h->cgroups, &h->n_cgroups, sizeof(*c));
	if (!c) {
		free(samples);
		return NULL;
	}
	c->samples = samples;
	return c;
}

static char *strdup_or_null(const char *s, bool *failed)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy)
		*failed = true;
	return copy;
}

struct ow_history *ow_history_copy(const struct ow_history *h)
{
	struct ow_history *c;
	bool failed = false;

	if (!h)
		return NULL;
	c = ow_history_new(h->n_times);
	if (!c)
		return NULL;
	c->interval_ns = h->interval_ns;
	c->window_ns = h->window_ns;
	c->truncated = h->truncated;
	memcpy(c->time_ns, h->time_ns, h->n_times * sizeof(*h->time_ns));
	memcpy(c->system, h->system, h->n_times * sizeof(*h->system));
	for (size_t i = 0; i < h->n_procs && !failed; i++) {
		const struct ow_history_process *src = &h->procs[i];
		struct ow_history_process *dst = ow_history_add_process(c);
		struct ow_proc_sample *samples;

		if (!dst) {
			failed = true;
			break;
		}
		samples = dst->samples;
		*dst = *src;
		dst->samples = samples;
		memcpy(samples, src->samples, h->n_times * sizeof(*samples));
		dst->cmdline = strdup_or_null(src->cmdline, &failed);
		dst->cgroup = strdup_or_null(src->cgroup, &failed);
	}
	for (size_t i = 0; i < h->n_cgroups && !failed; i++) {
		const struct ow_history_cgroup *src = &h->cgroups[i];
		struct ow_history_cgroup *dst = ow_history_add_cgroup(c);

		if (!dst) {
			failed = true;
			break;
		}
		dst->id = src->id;
		memcpy(dst->samples, src->samples, h->n_times * sizeof(*dst->samples));
		dst->path = strdup_or_null(src->path, &failed);
	}
	if (failed) {
		ow_history_free(c);
		return NULL;
	}
	return c;
}

ssize_t ow_history_index_at(const struct ow_history *h, uint64_t t_ns)
{
	size_t lo = 0, hi = h->n_times;

	/* The first index whose time is after t_ns, minus one. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->time_ns[mid] <= t_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/* The snapshot's longer command line of which cmdline is a strict prefix, or NULL. */
static const char *longer_cmdline(const struct ow_incident *inc, int32_t pid, const char *comm,
				  const char *cmdline)
{
	size_t len = strlen(cmdline);

	for (size_t k = 0; k < inc->n_kills; k++) {
		const struct ow_process *p = ow_kill_find_process(&inc->kills[k], pid);

		if (p && p->cmdline && strncmp(p->comm, comm, sizeof(p->comm)) == 0 &&
		    strlen(p->cmdline) > len && strncmp(p->cmdline, cmdline, len) == 0)
			return p->cmdline;
	}
	return NULL;
}

int ow_history_complete_cmdlines(struct ow_history *h, const struct ow_incident *inc)
{
	int completed = 0;

	for (size_t i = 0; i < h->n_procs; i++) {
		struct ow_history_process *hp = &h->procs[i];
		const char *full;
		char *copy;

		if (!hp->cmdline)
			continue;
		full = longer_cmdline(inc, hp->pid, hp->comm, hp->cmdline);
		if (!full)
			continue;
		copy = strdup(full);
		if (!copy)
			return -ENOMEM;
		free(hp->cmdline);
		hp->cmdline = copy;
		completed++;
	}
	return completed;
}
