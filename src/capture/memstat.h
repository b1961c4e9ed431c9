/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sampler's readers of memory cgroups and of the system: each memory cgroup's usage, limit
 * and memory.stat (v1 or v2), /proc/meminfo and /proc/pressure/memory. Parsers are pure and
 * take buffers (unit-tested on fixtures); the readers take a root path so tests run them on
 * fixture trees. Nothing here allocates per tick: the walk uses getdents64 into a stack buffer,
 * and a listing allocates only the paths of cgroups it had not seen.
 */
#ifndef OW_MEMSTAT_H
#define OW_MEMSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/sample.h"
#include "model/history.h"

/*
 * Parses /proc/pressure/memory ("some avg10=... total=...", "full ..."): sets psi_known and the
 * psi fields. -EINVAL when the "some" line is missing or malformed.
 */
int ow_psi_parse(const char *buf, struct ow_system_sample *s);

/*
 * Parses a memory cgroup's memory.stat. version 1 reads the hierarchical total_rss, total_cache
 * and total_shmem; version 2 reads anon, file, shmem, kernel (or slab + kernel_stack +
 * pagetables + percpu before 5.18) and sock. file_bytes excludes shmem in both. -EINVAL when
 * none of the fields is there.
 */
int ow_memcg_stat_parse(const char *buf, int version, struct ow_cgroup_sample *s);

/*
 * Parses a limit file: v2 memory.max ("max" is OW_LIMIT_NONE) or v1 memory.limit_in_bytes
 * (the kernel's PAGE_COUNTER_MAX in bytes, or more, is OW_LIMIT_NONE). -EINVAL when malformed.
 */
int ow_memcg_limit_parse(const char *buf, uint64_t *ret_bytes);

struct ow_memstat_reader;

/*
 * root: where /proc and /sys live ("/" normally). Finds the memory cgroup hierarchy; without
 * one, cgroup walks report nothing. Returns 0 or -ENOMEM.
 */
int ow_memstat_reader_new(const char *root, struct ow_memstat_reader **ret_reader);
void ow_memstat_reader_free(struct ow_memstat_reader *r);
/* 1 or 2, or 0 when the machine has no memory cgroups. */
int ow_memstat_reader_version(const struct ow_memstat_reader *r);

/* Reads the system: meminfo (s->present) and PSI (s->psi_known). Returns 0 or -errno. */
int ow_memstat_read_system(struct ow_memstat_reader *r, struct ow_system_sample *s);

/*
 * Calls fn once for every memory cgroup, parents before children, at most max_cgroups times.
 * The reading and its path are valid only during the call. Returns how many cgroups were
 * reported, or -errno when the hierarchy cannot be opened. The hierarchy is listed again only
 * every 30 walks, after a cgroup went away or after ow_memstat_note_cgroup_id saw a new one;
 * other walks read the files of the last listing, kept open, and read a cgroup's memory.stat
 * and limit again only when its usage moved by 1 MiB since, or every 10 walks (its split and
 * limit are the last ones read in between). The usage is read at every walk.
 */
typedef void (*ow_cgroup_reading_fn)(void *ctx, const struct ow_cgroup_reading *reading);
int ow_memstat_walk_cgroups(struct ow_memstat_reader *r, size_t max_cgroups,
			    ow_cgroup_reading_fn fn, void *ctx);

/*
 * Tells the reader a process is in the memory cgroup with this kernfs id (its directory's
 * inode number; 0: none): one the last listing did not visit makes the next walk list the
 * hierarchy again. Cheap enough to call for every process of a tick.
 */
void ow_memstat_note_cgroup_id(struct ow_memstat_reader *r, uint64_t id);

#endif
