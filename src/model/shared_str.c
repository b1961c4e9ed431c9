/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared strings and their pool (see shared_str.h). A string is one allocation: the count,
 * then the text; the pointer handed out is the text's. The pool is an open-addressing hash set
 * (linear probing, at most half full) of strings, each with one reference of the pool's own.
 */
#include "model/shared_str.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct shared_str {
	size_t refs;
	char text[];
};

/* The allocation of s; its count is the one part of a shared string that ever changes. */
static struct shared_str *header(const char *s)
{
	return (struct shared_str *)(void *)(s - offsetof(struct shared_str, text));
}

char *ow_shared_strdup(const char *s)
{
	size_t len = strlen(s);
	struct shared_str *h = malloc(sizeof(*h) + len + 1);

	if (!h)
		return NULL;
	h->refs = 1;
	memcpy(h->text, s, len + 1);
	/* The text is the handle: header() finds the allocation again. */
	// cppcheck-suppress memleak
	return h->text;
}

char *ow_shared_str_ref(const char *s)
{
	if (!s)
		return NULL;
	__atomic_fetch_add(&header(s)->refs, 1, __ATOMIC_RELAXED);
	return header(s)->text;
}

void ow_shared_str_unref(char *s)
{
	if (s && __atomic_sub_fetch(&header(s)->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(header(s));
}

size_t ow_shared_str_refs(const char *s)
{
	return __atomic_load_n(&header(s)->refs, __ATOMIC_ACQUIRE);
}

/* ---- pool ---- */

#define OW_POOL_MIN_SLOTS 64

struct ow_str_pool {
	char **slots; /* NULL: empty */
	size_t n_slots; /* a power of two */
	size_t n;
};

/* FNV-1a, 64 bits. */
static uint64_t hash_text(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot of text s: the one holding it, or the empty one where it would go. */
static char **find_slot(char **slots, size_t n_slots, const char *s)
{
	size_t i = hash_text(s) & (n_slots - 1);

	while (slots[i] && strcmp(slots[i], s) != 0)
		i = (i + 1) & (n_slots - 1);
	return &slots[i];
}

/* Moves every string into a table of n_slots slots. Returns 0, or -ENOMEM (nothing moved). */
static int rehash(struct ow_str_pool *pool, size_t n_slots)
{
	char **slots = calloc(n_slots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < pool->n_slots; i++)
		if (pool->slots[i])
			*find_slot(slots, n_slots, pool->slots[i]) = pool->slots[i];
	free(pool->slots);
	pool->slots = slots;
	pool->n_slots = n_slots;
	return 0;
}

int ow_str_pool_new(struct ow_str_pool **ret_pool)
{
	struct ow_str_pool *pool = calloc(1, sizeof(*pool));

	if (!pool || rehash(pool, OW_POOL_MIN_SLOTS) < 0) {
		free(pool);
		return -ENOMEM;
	}
	*ret_pool = pool;
	return 0;
}

void ow_str_pool_free(struct ow_str_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->n_slots; i++)
		ow_shared_str_unref(pool->slots[i]);
	free(pool->slots);
	free(pool);
}

char *ow_str_pool_intern(struct ow_str_pool *pool, const char *s)
{
	char **slot = find_slot(pool->slots, pool->n_slots, s);

	if (*slot)
		return ow_shared_str_ref(*slot);
	if (2 * (pool->n + 1) > pool->n_slots) {
		if (rehash(pool, 2 * pool->n_slots) < 0)
			return NULL;
		slot = find_slot(pool->slots, pool->n_slots, s);
	}
	*slot = ow_shared_strdup(s);
	if (!*slot)
		return NULL;
	pool->n++;
	return ow_shared_str_ref(*slot);
}

size_t ow_str_pool_sweep(struct ow_str_pool *pool)
{
	size_t dropped = 0, n_slots = pool->n_slots;

	for (size_t i = 0; i < pool->n_slots; i++) {
		char *s = pool->slots[i];

		if (s && ow_shared_str_refs(s) == 1) {
			ow_shared_str_unref(s);
			pool->slots[i] = NULL;
			dropped++;
		}
	}
	pool->n -= dropped;
	if (!dropped)
		return 0;
	/*
	 * Probe chains cut by the holes are joined again, and a pool far emptier shrinks. Out of
	 * memory the holes stay: a string past one is not found, and its next intern makes a
	 * second copy (less sharing, nothing wrong).
	 */
	while (n_slots > OW_POOL_MIN_SLOTS && 8 * pool->n < n_slots)
		n_slots /= 2;
	(void)rehash(pool, n_slots);
	return dropped;
}

size_t ow_str_pool_size(const struct ow_str_pool *pool)
{
	return pool->n;
}
