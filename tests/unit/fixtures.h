/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Builders of synthetic incidents and memory histories, shared by the unit tests that make them
 * by hand (test_golden, test_render, test_html, test_verdict, test_growth, test_store_history):
 * snapshot processes, stacks and memcg domains of a kill, and process and cgroup series of a
 * history. Each test is one .c file that includes this header, so everything here is static
 * inline; failures are cmocka assertions. What a test's fixture holds (pids, sizes, times)
 * stays in the test.
 */
#ifndef OW_TESTS_FIXTURES_H
#define OW_TESTS_FIXTURES_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/history.h"
#include "model/model.h"
#include "model/shared_str.h"

/* ---- a kill ---- */

/* A malloc'd copy of s, NULL for NULL. */
static inline char *xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	assert_non_null(d);
	return d;
}

/* A shared string (a process's cmdline or cgroup) of s, NULL for NULL. */
static inline char *xshared(const char *s)
{
	char *d = s ? ow_shared_strdup(s) : NULL;

	assert_true(!s || d);
	return d;
}

/* Appends a zeroed process to k's snapshot; the pointer is valid until the next append. */
static inline struct ow_process *kill_add_process(struct ow_kill *k)
{
	struct ow_process *p;

	k->procs = realloc(k->procs, (k->n_procs + 1) * sizeof(*k->procs));
	assert_non_null(k->procs);
	p = &k->procs[k->n_procs++];
	memset(p, 0, sizeof(*p));
	return p;
}

/*
 * Appends a process of k's memcg (its cgroup path and id copied from k->domain, which is set
 * first), child of init and in the domain, holding anon_bytes.
 */
static inline struct ow_process *kill_add_memcg_process(struct ow_kill *k, int32_t pid,
							const char *comm, const char *cmdline,
							int32_t adj, uint64_t anon_bytes)
{
	struct ow_process *p = kill_add_process(k);

	p->pid = pid;
	p->ppid = 1;
	p->oom_score_adj = adj;
	p->flags = OW_PROC_IN_DOMAIN;
	strncpy(p->comm, comm, OW_COMM_LEN - 1);
	p->cmdline = xshared(cmdline);
	p->cgroup = xshared(k->domain.cgroup);
	p->cgroup_id = k->domain.cgroup_id;
	p->anon_bytes = anon_bytes;
	return p;
}

/* Appends a change of p's oom_score_adj (old_adj OW_ADJ_UNKNOWN when unknown). */
static inline void proc_add_adj_change(struct ow_process *p, uint64_t time_ns, int32_t old_adj,
				       int32_t new_adj, int32_t by_pid, const char *by_comm,
				       bool inherited)
{
	struct ow_adj_change *c;

	p->adj_changes = realloc(p->adj_changes, (p->n_adj_changes + 1) * sizeof(*c));
	assert_non_null(p->adj_changes);
	c = &p->adj_changes[p->n_adj_changes++];
	memset(c, 0, sizeof(*c));
	c->time_ns = time_ns;
	c->old_adj = old_adj;
	c->new_adj = new_adj;
	c->by_pid = by_pid;
	strncpy(c->by_comm, by_comm, OW_COMM_LEN - 1);
	c->inherited = inherited;
}

/* Appends a tmpfs mount holding used_bytes to a kill's memory no process owns. */
static inline void unowned_add_tmpfs(struct ow_unowned_memory *u, const char *path,
				     uint64_t used_bytes)
{
	u->tmpfs = realloc(u->tmpfs, (u->n_tmpfs + 1) * sizeof(*u->tmpfs));
	assert_non_null(u->tmpfs);
	u->tmpfs[u->n_tmpfs].path = xstrdup(path);
	u->tmpfs[u->n_tmpfs].used_bytes = used_bytes;
	u->n_tmpfs++;
}

/* A stack of n frames, copied. */
static inline void set_stack(struct ow_stack *s, const char *const *frames, size_t n)
{
	s->frames = calloc(n, sizeof(char *));
	assert_non_null(s->frames);
	for (size_t i = 0; i < n; i++)
		s->frames[i] = xstrdup(frames[i]);
	s->n_frames = n;
}

/* A memcg domain without swap (total = limit), its path copied. */
static inline void set_memcg(struct ow_domain *d, const char *path, uint64_t id,
			     uint64_t limit_bytes, uint64_t usage_bytes)
{
	d->kind = OW_DOMAIN_MEMCG;
	d->cgroup = xstrdup(path);
	d->cgroup_id = id;
	d->limit_bytes = limit_bytes;
	d->usage_bytes = usage_bytes;
	d->total_bytes = limit_bytes;
}

/* A full memcg without swap (usage = total = limit) whose path is borrowed, not freed. */
static inline struct ow_domain full_memcg(char *path, uint64_t id, uint64_t limit_bytes)
{
	struct ow_domain d = { 0 };

	d.kind = OW_DOMAIN_MEMCG;
	d.cgroup = path;
	d.cgroup_id = id;
	d.limit_bytes = limit_bytes;
	d.usage_bytes = limit_bytes;
	d.total_bytes = limit_bytes;
	return d;
}

/* ---- a memory history ---- */

/* n samples, one a second from t0_ns, out of a 10-minute window. */
static inline struct ow_history *mkhistory(size_t n, uint64_t t0_ns)
{
	struct ow_history *h = ow_history_new(n);

	assert_non_null(h);
	h->interval_ns = 1000000000ull;
	h->window_ns = 600 * 1000000000ull;
	for (size_t i = 0; i < n; i++)
		h->time_ns[i] = t0_ns + i * 1000000000ull;
	return h;
}

/* Appends a process series, child of init, all samples absent; returns its index. */
static inline size_t hproc(struct ow_history *h, int32_t pid, const char *comm, const char *cmdline,
			   const char *cgroup)
{
	struct ow_history_process *p = ow_history_add_process(h);

	assert_non_null(p);
	p->pid = pid;
	p->ppid = 1;
	strncpy(p->comm, comm, OW_COMM_LEN - 1);
	p->cmdline = xstrdup(cmdline);
	p->cgroup = xstrdup(cgroup);
	return h->n_procs - 1;
}

/* Samples from..to (inclusive) of process k, present at adj: from_bytes, + step_bytes a sample. */
static inline void ramp(struct ow_history *h, size_t k, size_t from, size_t to, uint64_t from_bytes,
			int64_t step_bytes, int32_t adj)
{
	for (size_t i = from; i <= to; i++) {
		struct ow_proc_sample *s = &h->procs[k].samples[i];

		s->present = true;
		s->oom_score_adj = adj;
		s->anon_bytes = from_bytes + (uint64_t)((int64_t)(i - from) * step_bytes);
	}
}

/*
 * Appends a cgroup series present throughout under one limit, its usage the memory the
 * history's processes hold (as their samples are now) plus extra_bytes, + extra_step_bytes a
 * sample.
 */
static inline void hcgroup(struct ow_history *h, const char *path, uint64_t id,
			   uint64_t limit_bytes, uint64_t extra_bytes, uint64_t extra_step_bytes)
{
	struct ow_history_cgroup *c = ow_history_add_cgroup(h);

	assert_non_null(c);
	c->path = xstrdup(path);
	c->id = id;
	for (size_t i = 0; i < h->n_times; i++) {
		uint64_t sum = extra_bytes + i * extra_step_bytes;

		for (size_t k = 0; k < h->n_procs; k++)
			if (h->procs[k].samples[i].present)
				sum += ow_proc_sample_memory_bytes(&h->procs[k].samples[i]);
		c->samples[i].present = true;
		c->samples[i].usage_bytes = sum;
		c->samples[i].limit_bytes = limit_bytes;
	}
}

#endif
