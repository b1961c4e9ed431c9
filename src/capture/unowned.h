/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory no process owns, read right after a kill: what an OOM domain holds besides the
 * processes' own pages — shmem and tmpfs files, page cache, kernel memory (slab, stacks, page
 * tables, network buffers) — and the tmpfs mounts that may hold the shmem.
 *
 * Sources: the domain's memory cgroup (v2 memory.stat; v1 memory.stat with
 * memory.kmem.usage_in_bytes and memory.kmem.tcp.usage_in_bytes for kernel memory), or
 * /proc/meminfo for a whole-machine OOM; tmpfs mounts from /proc/self/mountinfo, sized with
 * statfs(). The parsers are pure and take buffers; ow_unowned_read() is the thin reading shell
 * and takes a root path so tests run it on fixture trees.
 */
#ifndef OW_UNOWNED_H
#define OW_UNOWNED_H

#include <stddef.h>

#include "model/model.h"

/* tmpfs mounts kept per kill: the biggest. */
#define OW_UNOWNED_TMPFS_MAX 8
/* A tmpfs mount is kept when it holds at least this much. */
#define OW_UNOWNED_TMPFS_MIN_BYTES (1ULL << 20)

/*
 * Parses a memory cgroup's memory.stat (version 1 or 2) into *u (known set). v2: shmem, file
 * (minus shmem), kernel (or slab + kernel_stack + pagetables + percpu before 5.18), slab,
 * pagetables, sock. v1: total_shmem, total_cache (minus shmem); its kernel memory comes from
 * other files (ow_unowned_read() adds it). -EINVAL when none of the fields is there.
 */
int ow_unowned_parse_memcg_stat(const char *buf, int version, struct ow_unowned_memory *u);

/*
 * Parses /proc/meminfo: Shmem, Cached (minus Shmem), Slab, KernelStack + PageTables +
 * SecPageTables + Percpu + Slab as kernel memory. -EINVAL when Shmem and Cached are missing.
 */
int ow_unowned_parse_meminfo(const char *buf, struct ow_unowned_memory *u);

/*
 * Calls fn(path, ctx) with the mount point of each tmpfs (and shmem-backed ramfs) in a
 * mountinfo buffer, the kernel's octal escapes (\040) decoded. Returns how many, or -EINVAL
 * on a malformed line (those before it are reported).
 */
typedef void (*ow_mount_fn)(const char *path, void *ctx);
int ow_unowned_parse_mountinfo(const char *buf, ow_mount_fn fn, void *ctx);

/*
 * Reads the memory no process owns in the domain (cgroup NULL: the whole machine; else the
 * memory cgroup's path in the hierarchy, "/a/b") into *ret (cleared first; owned strings),
 * with the tmpfs mounts of at least OW_UNOWNED_TMPFS_MIN_BYTES, biggest first (looked for
 * only when the domain holds at least that much shmem). memcg_version
 * 1 or 2. Returns 0, -ENOENT when the cgroup is gone, or -errno; *ret is then empty.
 */
int ow_unowned_read(const char *root, int memcg_version, const char *cgroup,
		    struct ow_unowned_memory *ret);

#endif
