/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared strings: immutable C strings with a reference count in front, for the command lines
 * and cgroup paths that the processes of a kill snapshot have in common. A machine of 10,000
 * processes has a few hundred distinct command lines and a few dozen memory cgroups; with a copy
 * of each per process, every kill held in memory cost about 270 bytes per process in strings
 * alone (bench/footprint.sh). struct ow_process's cmdline and cgroup are shared strings.
 *
 * A shared string is a plain `char *` to read (pass it to printf, strcmp, SQLite); it is only
 * made, kept and let go through this module, never free()d. The count is atomic: a string may
 * be let go on another thread than the one that made it.
 *
 * A pool (struct ow_str_pool) hands out one string per distinct text: ow_str_pool_intern of a
 * text already in the pool gives another reference to the same string. It keeps a reference to
 * each of its strings, dropped by ow_str_pool_sweep once nobody else holds one.
 * Pure: no I/O, no globals.
 */
#ifndef OW_SHARED_STR_H
#define OW_SHARED_STR_H

#include <stddef.h>

/* A new shared string holding a copy of s, with one reference; NULL when out of memory. */
char *ow_shared_strdup(const char *s);

/* Another reference to s (a shared string, or NULL), returned. */
char *ow_shared_str_ref(const char *s);

/* Lets go of one reference to s (a shared string, or NULL); the last one frees it. */
void ow_shared_str_unref(char *s);

/* References to s (for tests and pools). */
size_t ow_shared_str_refs(const char *s);

struct ow_str_pool;

/* Returns 0, or -ENOMEM. */
int ow_str_pool_new(struct ow_str_pool **ret_pool);
/* Lets go of the pool's references; strings others still hold stay valid. NULL-safe. */
void ow_str_pool_free(struct ow_str_pool *pool);

/*
 * A reference to the pool's string of text s (made now if the pool has none), for the caller to
 * let go of; NULL when out of memory.
 */
char *ow_str_pool_intern(struct ow_str_pool *pool, const char *s);

/* Drops the strings only the pool still holds. Returns how many were dropped. */
size_t ow_str_pool_sweep(struct ow_str_pool *pool);

/* Distinct strings in the pool. */
size_t ow_str_pool_size(const struct ow_str_pool *pool);

#endif
