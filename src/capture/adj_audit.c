// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oom_score_adj audit (adj_audit.h): a chained hash table keyed by pid. Each entry has the
 * last value known and up to OW_ADJ_CHANGES_MAX changes; when full, the second oldest goes,
 * so the first change (often the one that matters: a service manager setting -1000 at start)
 * and the latest stay.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/adj_audit.h"
#include "capture/procfs.h"

#define BUCKETS 4096

struct entry {
	struct entry *next;
	int32_t pid;
	int32_t last_adj; /* OW_ADJ_UNKNOWN when not known */
	uint64_t exited_ns; /* 0 while alive */
	size_t n;
	struct ow_adj_change changes[OW_ADJ_CHANGES_MAX];
};

struct ow_adj_audit {
	char root[256];
	uint64_t grace_ns;
	size_t n;
	struct entry *buckets[BUCKETS];
};

static struct entry **slot(const struct ow_adj_audit *a, int32_t pid)
{
	struct entry *const *e = &a->buckets[(uint32_t)pid % BUCKETS];

	while (*e && (*e)->pid != pid)
		e = &(*e)->next;
	return (struct entry **)e;
}

int ow_adj_audit_new(const char *root, uint64_t grace_ns, struct ow_adj_audit **ret_audit)
{
	struct ow_adj_audit *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	snprintf(a->root, sizeof(a->root), "%s", strcmp(root, "/") == 0 ? "" : root);
	a->grace_ns = grace_ns;
	*ret_audit = a;
	return 0;
}

void ow_adj_audit_free(struct ow_adj_audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		struct entry *e = a->buckets[i];

		while (e) {
			struct entry *next = e->next;

			free(e);
			e = next;
		}
	}
	free(a);
}

/* The live entry of pid, made (value unknown) when missing or left by an exited process. */
static struct entry *get(struct ow_adj_audit *a, int32_t pid, bool *ret_new)
{
	struct entry **e = slot(a, pid);
	struct entry *cur = *e, *next = NULL;

	*ret_new = false;
	if (cur && !cur->exited_ns)
		return cur;
	if (cur) { /* the pid was reused: a new process */
		next = cur->next;
	} else {
		*e = malloc(sizeof(**e));
		if (!*e)
			return NULL;
		a->n++;
	}
	memset(*e, 0, sizeof(**e));
	(*e)->next = next;
	(*e)->pid = pid;
	(*e)->last_adj = OW_ADJ_UNKNOWN;
	*ret_new = true;
	return *e;
}

static int read_adj(const char *root, int32_t pid, int32_t *ret)
{
	char path[320], buf[32];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/proc/%d/oom_score_adj", root, pid);
	n = ow_read_file_at(AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? (int)n : -EINVAL;
	buf[n] = '\0';
	*ret = (int32_t)strtol(buf, NULL, 10);
	return 0;
}

int ow_adj_audit_scan(struct ow_adj_audit *a)
{
	int32_t *pids;
	size_t n;
	int r, read = 0;

	r = ow_procfs_list_pids(a->root[0] ? a->root : "/", &pids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct entry *e;
		int32_t adj;
		bool fresh;

		if (read_adj(a->root, pids[i], &adj) < 0)
			continue; /* gone meanwhile */
		e = get(a, pids[i], &fresh);
		if (!e) {
			free(pids);
			return -ENOMEM;
		}
		if (e->last_adj == OW_ADJ_UNKNOWN) /* a change already recorded knows better */
			e->last_adj = adj;
		read++;
	}
	free(pids);
	return read;
}

int ow_adj_audit_add(struct ow_adj_audit *a, int32_t pid, const struct ow_adj_change *c)
{
	struct ow_adj_change change = *c;
	struct entry *e;
	bool fresh;

	if (c->inherited) { /* a new process: whatever the pid held before is another's */
		struct entry **old = slot(a, pid);

		if (*old)
			(*old)->exited_ns = 1;
	}
	e = get(a, pid, &fresh);
	if (!e)
		return -ENOMEM;
	if (c->inherited) /* born with it: there was no value before */
		change.old_adj = OW_ADJ_UNKNOWN;
	else if (e->last_adj != OW_ADJ_UNKNOWN)
		change.old_adj = e->last_adj;
	else /* born after the scan without a fork record: it inherited 0 */
		change.old_adj = fresh ? 0 : OW_ADJ_UNKNOWN;
	if (e->n == OW_ADJ_CHANGES_MAX) { /* keep the first; the second oldest goes */
		memmove(&e->changes[1], &e->changes[2],
			(OW_ADJ_CHANGES_MAX - 2) * sizeof(e->changes[0]));
		e->n--;
	}
	e->changes[e->n++] = change;
	e->last_adj = c->new_adj;
	return 0;
}

void ow_adj_audit_on_exit(struct ow_adj_audit *a, int32_t pid, uint64_t now_ns)
{
	struct entry *e = *slot(a, pid);

	if (e && !e->exited_ns)
		e->exited_ns = now_ns ? now_ns : 1;
}

void ow_adj_audit_purge(struct ow_adj_audit *a, uint64_t now_ns)
{
	for (size_t i = 0; i < BUCKETS; i++) {
		struct entry **e = &a->buckets[i];

		while (*e) {
			if ((*e)->exited_ns && now_ns >= (*e)->exited_ns + a->grace_ns) {
				struct entry *dead = *e;

				*e = dead->next;
				free(dead);
				a->n--;
			} else {
				e = &(*e)->next;
			}
		}
	}
}

int ow_adj_audit_attach(const struct ow_adj_audit *a, struct ow_process *p)
{
	const struct entry *e = *slot(a, p->pid);
	struct ow_adj_change *copy;

	if (!e || e->n == 0)
		return 0;
	copy = malloc(e->n * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, e->changes, e->n * sizeof(*copy));
	free(p->adj_changes);
	p->adj_changes = copy;
	p->n_adj_changes = e->n;
	return (int)e->n;
}

size_t ow_adj_audit_size(const struct ow_adj_audit *a)
{
	return a->n;
}
