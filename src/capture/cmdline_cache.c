/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line cache (see cmdline_cache.h): a chained hash table keyed by pid. load() is the
 * one place a line enters it, and where the redactor is applied. Lines are shared strings of
 * the cache's pool: processes running the same command line (forked workers) hold one copy.
 */
#include "capture/cmdline_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/procfs.h"
#include "model/shared_str.h"

#define OW_CACHE_BUCKETS 4096
/*
 * Execs whose command line is not read yet (ow_cmdline_cache_load_pending), and how far back an
 * exit looks for its own exec among them: a short-lived process exits a few events after it
 * exec'ed, and then nothing is read.
 */
#define OW_PENDING_MAX 4096
#define OW_PENDING_EXIT_LOOKBACK 64

struct entry {
	struct entry *next;
	int32_t pid;
	uint64_t exited_ns; /* 0 while alive */
	char *cmdline; /* a shared string of the pool */
};

struct ow_cmdline_cache {
	char *root;
	const struct ow_redactor *redactor; /* borrowed; NULL: lines kept as read */
	uint64_t grace_ns;
	size_t n;
	struct ow_str_pool *lines;
	struct entry *buckets[OW_CACHE_BUCKETS];
	size_t n_pending;
	int32_t pending[OW_PENDING_MAX]; /* pids; 0: exited before it was read */
};

static struct entry **slot(struct ow_cmdline_cache *c, int32_t pid)
{
	struct entry **e = &c->buckets[(uint32_t)pid % OW_CACHE_BUCKETS];

	while (*e && (*e)->pid != pid)
		e = &(*e)->next;
	return e;
}

static void remove_entry(struct ow_cmdline_cache *c, struct entry **e)
{
	struct entry *dead = *e;

	*e = dead->next;
	ow_shared_str_unref(dead->cmdline);
	free(dead);
	c->n--;
}

int ow_cmdline_cache_new(const char *root, uint64_t grace_ns, struct ow_cmdline_cache **ret_cache)
{
	struct ow_cmdline_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->root = strdup(root);
	if (!c->root || ow_str_pool_new(&c->lines) < 0) {
		free(c->root);
		free(c);
		return -ENOMEM;
	}
	c->grace_ns = grace_ns;
	*ret_cache = c;
	return 0;
}

void ow_cmdline_cache_free(struct ow_cmdline_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < OW_CACHE_BUCKETS; i++)
		while (c->buckets[i])
			remove_entry(c, &c->buckets[i]);
	ow_str_pool_free(c->lines);
	free(c->root);
	free(c);
}

/* Replaces *cmdline by its redacted copy. Returns 0, or -ENOMEM with *cmdline freed. */
static int redact(const struct ow_cmdline_cache *c, char **cmdline)
{
	char *out = NULL;
	int r;

	if (!c->redactor)
		return 0;
	r = ow_redact(c->redactor, *cmdline, &out);
	/* The unredacted line leaves no copy in freed heap (a core dump would show it). */
	explicit_bzero(*cmdline, strlen(*cmdline));
	free(*cmdline);
	*cmdline = r < 0 ? NULL : out;
	return r;
}

/* The pool's string of a line just read, redacted; NULL when out of memory. Frees line. */
static char *intern(struct ow_cmdline_cache *c, char *line)
{
	char *shared;

	if (redact(c, &line) < 0)
		return NULL; /* never kept unredacted */
	shared = ow_str_pool_intern(c->lines, line);
	free(line);
	return shared;
}

/*
 * Lets go of an entry's unredacted line: when nobody else holds it (a kill snapshot may), it
 * is wiped before the pool's sweep frees it.
 */
static void drop_unredacted(char *line)
{
	ow_shared_str_unref(line);
	if (ow_shared_str_refs(line) == 1)
		explicit_bzero(line, strlen(line)); /* only the pool's reference is left */
}

int ow_cmdline_cache_set_redactor(struct ow_cmdline_cache *c, const struct ow_redactor *r)
{
	int ret = 0;

	c->redactor = r;
	for (size_t i = 0; i < OW_CACHE_BUCKETS; i++) {
		struct entry **e = &c->buckets[i];

		while (*e) {
			char *line = strdup((*e)->cmdline), *shared = line ? intern(c, line) : NULL;

			drop_unredacted((*e)->cmdline);
			(*e)->cmdline = shared;
			if (!shared) {
				remove_entry(c, e);
				ret = -ENOMEM;
			} else {
				e = &(*e)->next;
			}
		}
	}
	ow_str_pool_sweep(c->lines);
	return ret;
}

/* Reads pid's command line from /proc (redacted) into the cache; returns the entry or NULL. */
static struct entry *load(struct ow_cmdline_cache *c, int32_t pid)
{
	struct entry **e = slot(c, pid);
	char *line, *cmdline;

	if (ow_procfs_read_cmdline(c->root, pid, &line) < 0)
		return NULL;
	cmdline = intern(c, line);
	if (!cmdline)
		return NULL;
	if (*e) {
		ow_shared_str_unref((*e)->cmdline);
		(*e)->cmdline = cmdline;
		(*e)->exited_ns = 0;
		return *e;
	}
	*e = calloc(1, sizeof(**e));
	if (!*e) {
		ow_shared_str_unref(cmdline);
		return NULL;
	}
	(*e)->pid = pid;
	(*e)->cmdline = cmdline;
	c->n++;
	return *e;
}

int ow_cmdline_cache_scan(struct ow_cmdline_cache *c)
{
	int32_t *pids;
	size_t n;
	int r, cached = 0;

	r = ow_procfs_list_pids(c->root, &pids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (load(c, pids[i]))
			cached++;
	free(pids);
	return cached;
}

void ow_cmdline_cache_load_pending(struct ow_cmdline_cache *c)
{
	for (size_t i = 0; i < c->n_pending; i++)
		if (c->pending[i] > 0)
			(void)load(c, c->pending[i]);
	c->n_pending = 0;
}

void ow_cmdline_cache_on_exec(struct ow_cmdline_cache *c, int32_t pid)
{
	if (c->n_pending == OW_PENDING_MAX)
		ow_cmdline_cache_load_pending(c);
	c->pending[c->n_pending++] = pid;
}

void ow_cmdline_cache_on_exit(struct ow_cmdline_cache *c, int32_t pid, uint64_t now_ns)
{
	struct entry *e = *slot(c, pid);

	for (size_t i = c->n_pending, k = 0; i > 0 && k < OW_PENDING_EXIT_LOOKBACK; i--, k++)
		if (c->pending[i - 1] == pid)
			c->pending[i - 1] = 0; /* gone: its /proc files with it */
	if (e)
		e->exited_ns = now_ns ? now_ns : 1;
}

void ow_cmdline_cache_purge(struct ow_cmdline_cache *c, uint64_t now_ns)
{
	for (size_t i = 0; i < OW_CACHE_BUCKETS; i++) {
		struct entry **e = &c->buckets[i];

		while (*e) {
			if ((*e)->exited_ns && now_ns >= (*e)->exited_ns + c->grace_ns)
				remove_entry(c, e);
			else
				e = &(*e)->next;
		}
	}
	ow_str_pool_sweep(c->lines);
}

const char *ow_cmdline_cache_get(struct ow_cmdline_cache *c, int32_t pid, int32_t ppid)
{
	struct entry *e = *slot(c, pid), *fresh;

	if (e && !e->exited_ns)
		return e->cmdline;
	/* Missing, or marked exited while a live process now has the pid: ask /proc. */
	fresh = load(c, pid);

	if (fresh)
		return fresh->cmdline;
	if (e)
		return e->cmdline;
	if (ppid > 0) {
		e = *slot(c, ppid);
		if (e)
			return e->cmdline;
	}
	return NULL;
}

size_t ow_cmdline_cache_size(const struct ow_cmdline_cache *c)
{
	return c->n;
}
