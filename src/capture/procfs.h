/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readers of /proc and /sys files, each taking a root path so that tests run them on fixture
 * trees (tests/fixtures/) instead of the live machine. "/" reads the real system.
 * They return 0 or -errno and never log.
 */
#ifndef OW_PROCFS_H
#define OW_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads at most cap bytes of path (relative to dir_fd, or AT_FDCWD) into buf, without a
 * terminating NUL. Returns the byte count or -errno. Allocates nothing.
 */
ssize_t ow_read_file_at(int dir_fd, const char *path, char *buf, size_t cap);

/*
 * Reads <root>/proc/<pid>/cmdline and joins the arguments with spaces. An empty file (kernel
 * thread, or a process whose mm is gone) gives -ENODATA. *ret_cmdline is malloc'ed.
 */
int ow_procfs_read_cmdline(const char *root, int32_t pid, char **ret_cmdline);

/* Turns a raw cmdline buffer (NUL-separated) into one string; returns NULL when empty. */
char *ow_procfs_cmdline_from_raw(const char *raw, size_t len);

struct ow_meminfo {
	uint64_t mem_total_bytes;
	uint64_t mem_available_bytes;
	uint64_t swap_total_bytes;
	uint64_t swap_free_bytes;
};

/* Parses a /proc/meminfo buffer. -EINVAL when MemTotal is missing. */
int ow_meminfo_parse(const char *buf, struct ow_meminfo *ret_info);
/* Reads and parses <root>/proc/meminfo. */
int ow_procfs_read_meminfo(const char *root, struct ow_meminfo *ret_info);

/*
 * The kernel's count of OOM kills since boot: the "oom_kill N" line of a /proc/vmstat buffer.
 * -ENOENT when the line is missing (kernels before 4.13), -EINVAL when it is not a number.
 */
int ow_vmstat_oom_kills_parse(const char *buf, uint64_t *ret_kills);
/* Reads and parses <root>/proc/vmstat. */
int ow_procfs_read_oom_kills(const char *root, uint64_t *ret_kills);

/*
 * The first 64 bits (16 hex digits, dashes skipped) of a boot_id buffer, a UUID the kernel
 * draws at each boot. -EINVAL when it is shorter or not hex.
 */
int ow_boot_id_parse(const char *buf, uint64_t *ret_id);
/* Reads and parses <root>/proc/sys/kernel/random/boot_id. */
int ow_procfs_read_boot_id(const char *root, uint64_t *ret_id);

/*
 * Lists the pids (numeric entries) of <root>/proc. *ret_pids is malloc'ed.
 */
int ow_procfs_list_pids(const char *root, int32_t **ret_pids, size_t *ret_n);

/*
 * Which memory cgroup hierarchy the machine uses: 1 when <root>/sys/fs/cgroup/memory is a v1
 * memory controller mount, 2 when <root>/sys/fs/cgroup/cgroup.controllers lists "memory",
 * 0 when neither.
 */
int ow_cgroupfs_memory_version(const char *root);

#endif
