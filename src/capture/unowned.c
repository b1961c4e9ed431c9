// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory no process owns (unowned.h): memory.stat, meminfo and mountinfo parsers, and the
 * reader that runs them on one OOM domain right after a kill.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "capture/procfs.h"
#include "capture/unowned.h"

/* What is read of each file: memory.stat and meminfo are a few KiB; mountinfo of a busy
 * container host is well under the bound (past it, the first mounts stand). */
#define STAT_MAX_BYTES (64u << 10)
#define MOUNTINFO_MAX_BYTES (4u << 20)

/*
 * The value of "key value" in a stat buffer, or -ENOENT. kib: the file gives kB after the
 * number ("Shmem:  1024 kB", key then includes the colon).
 */
static int stat_value(const char *buf, const char *key, bool kib, uint64_t *ret)
{
	size_t key_len = strlen(key);

	for (const char *line = buf; line && *line;) {
		const char *next = strchr(line, '\n');
		unsigned long long v;
		char *end;

		if (strncmp(line, key, key_len) != 0 ||
		    (line[key_len] != ' ' && line[key_len] != '\t')) {
			line = next ? next + 1 : NULL;
			continue;
		}
		errno = 0;
		v = strtoull(line + key_len, &end, 10);
		if (errno || end == line + key_len)
			return -EINVAL;
		*ret = kib ? (uint64_t)v * 1024 : (uint64_t)v;
		return 0;
	}
	return -ENOENT;
}

/* Like stat_value(), 0 when absent; counts what was found in *found. */
static uint64_t stat_or_zero(const char *buf, const char *key, bool kib, int *found)
{
	uint64_t v = 0;

	if (stat_value(buf, key, kib, &v) == 0) {
		(*found)++;
		return v;
	}
	return 0;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

int ow_unowned_parse_memcg_stat(const char *buf, int version, struct ow_unowned_memory *u)
{
	int found = 0;

	if (version == 1) {
		uint64_t cache = stat_or_zero(buf, "total_cache", false, &found);

		u->shmem_bytes = stat_or_zero(buf, "total_shmem", false, &found);
		u->file_bytes = minus(cache, u->shmem_bytes);
	} else {
		uint64_t file = stat_or_zero(buf, "file", false, &found);
		uint64_t kernel;
		int has_kernel = 0;

		u->shmem_bytes = stat_or_zero(buf, "shmem", false, &found);
		u->file_bytes = minus(file, u->shmem_bytes);
		u->slab_bytes = stat_or_zero(buf, "slab", false, &found);
		u->pagetables_bytes = stat_or_zero(buf, "pagetables", false, &found);
		u->sock_bytes = stat_or_zero(buf, "sock", false, &found);
		kernel = stat_or_zero(buf, "kernel", false, &has_kernel);
		if (!has_kernel) /* before 5.18: its parts */
			kernel = u->slab_bytes + u->pagetables_bytes +
				 stat_or_zero(buf, "kernel_stack", false, &found) +
				 stat_or_zero(buf, "percpu", false, &found);
		/* "kernel" counts sockets only through slab; show them as kernel memory too. */
		u->kernel_bytes = kernel + u->sock_bytes;
		found += has_kernel;
	}
	if (!found)
		return -EINVAL;
	u->known = true;
	return 0;
}

int ow_unowned_parse_meminfo(const char *buf, struct ow_unowned_memory *u)
{
	int found = 0;
	uint64_t cached = stat_or_zero(buf, "Cached:", true, &found);

	u->shmem_bytes = stat_or_zero(buf, "Shmem:", true, &found);
	if (!found)
		return -EINVAL;
	u->file_bytes = minus(cached, u->shmem_bytes);
	u->slab_bytes = stat_or_zero(buf, "Slab:", true, &found);
	u->pagetables_bytes = stat_or_zero(buf, "PageTables:", true, &found) +
			      stat_or_zero(buf, "SecPageTables:", true, &found);
	u->sock_bytes = 0; /* not in meminfo */
	u->kernel_bytes = u->slab_bytes + u->pagetables_bytes +
			  stat_or_zero(buf, "KernelStack:", true, &found) +
			  stat_or_zero(buf, "Percpu:", true, &found);
	u->known = true;
	return 0;
}

/* Decodes the kernel's \ooo escapes of a mountinfo field of len bytes into out. */
static void unescape(char *out, size_t size, const char *in, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (in[i] == '\\' && i + 3 < len && in[i + 1] >= '0' && in[i + 1] <= '3' &&
		    in[i + 2] >= '0' && in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
			out[o++] = (char)((in[i + 1] - '0') * 64 + (in[i + 2] - '0') * 8 +
					  (in[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
}

/* The n-th space-separated field of a line (0-based): start and length; false past its end. */
static bool field(const char *line, size_t line_len, int n, const char **ret, size_t *ret_len)
{
	size_t i = 0;

	for (int f = 0; i <= line_len; f++) {
		size_t start = i;

		while (i < line_len && line[i] != ' ')
			i++;
		if (f == n) {
			*ret = line + start;
			*ret_len = i - start;
			return true;
		}
		if (i >= line_len)
			return false;
		i++;
	}
	return false;
}

int ow_unowned_parse_mountinfo(const char *buf, ow_mount_fn fn, void *ctx)
{
	int n = 0;

	for (const char *line = buf; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *point, *dash, *fstype;
		size_t point_len, fstype_len;
		char path[4096];

		if (len > 0) {
			/* "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
			dash = memmem(line, len, " - ", 3);
			if (!field(line, len, 4, &point, &point_len) || !dash)
				return -EINVAL;
			fstype = dash + 3;
			fstype_len = 0;
			while (fstype + fstype_len < line + len && fstype[fstype_len] != ' ')
				fstype_len++;
			if ((fstype_len == 5 && memcmp(fstype, "tmpfs", 5) == 0) ||
			    (fstype_len == 5 && memcmp(fstype, "ramfs", 5) == 0)) {
				unescape(path, sizeof(path), point, point_len);
				fn(path, ctx);
				n++;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

/*
 * Reads path into a NUL-terminated malloc'ed buffer of at most max_bytes (what is past it is
 * cut: a huge mountinfo still gives its first mounts).
 */
static int read_file(const char *path, size_t max_bytes, char **ret)
{
	char *buf = malloc(max_bytes + 1);
	ssize_t len;

	if (!buf)
		return -ENOMEM;
	len = ow_read_file_at(AT_FDCWD, path, buf, max_bytes);
	if (len < 0) {
		free(buf);
		return (int)len;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

static int read_u64_file(const char *path, uint64_t *ret)
{
	char buf[32], *end;
	ssize_t len = ow_read_file_at(AT_FDCWD, path, buf, sizeof(buf) - 1);

	if (len < 0)
		return (int)len;
	buf[len] = '\0';
	errno = 0;
	*ret = strtoull(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

struct tmpfs_walk {
	struct ow_unowned_memory *u;
	dev_t seen[64]; /* file systems already counted: bind mounts show one several times */
	size_t n_seen;
	int err;
};

static void on_tmpfs(const char *path, void *ctx)
{
	struct tmpfs_walk *w = ctx;
	struct ow_unowned_memory *u = w->u;
	struct ow_tmpfs_mount m;
	struct statfs sfs;
	struct stat st;
	uint64_t used;
	size_t at;

	if (w->err || statfs(path, &sfs) < 0 || stat(path, &st) < 0)
		return;
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i] == st.st_dev)
			return;
	if (w->n_seen < sizeof(w->seen) / sizeof(w->seen[0]))
		w->seen[w->n_seen++] = st.st_dev;
	used = (uint64_t)(sfs.f_blocks - sfs.f_bfree) * (uint64_t)sfs.f_bsize;
	if (used < OW_UNOWNED_TMPFS_MIN_BYTES)
		return;
	/* Insertion into the list kept biggest first, at most OW_UNOWNED_TMPFS_MAX long. */
	at = u->n_tmpfs;
	while (at > 0 && u->tmpfs[at - 1].used_bytes < used)
		at--;
	if (at >= OW_UNOWNED_TMPFS_MAX)
		return;
	m.path = strdup(path);
	m.used_bytes = used;
	if (!m.path) {
		w->err = -ENOMEM;
		return;
	}
	if (u->n_tmpfs == OW_UNOWNED_TMPFS_MAX)
		free(u->tmpfs[--u->n_tmpfs].path);
	memmove(&u->tmpfs[at + 1], &u->tmpfs[at], (u->n_tmpfs - at) * sizeof(u->tmpfs[0]));
	u->tmpfs[at] = m;
	u->n_tmpfs++;
}

static int read_tmpfs(const char *root, struct ow_unowned_memory *u)
{
	struct tmpfs_walk w = { .u = u };
	char path[4096], *buf = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	r = read_file(path, MOUNTINFO_MAX_BYTES, &buf);
	if (r < 0)
		return r;
	u->tmpfs = calloc(OW_UNOWNED_TMPFS_MAX, sizeof(*u->tmpfs));
	if (!u->tmpfs) {
		free(buf);
		return -ENOMEM;
	}
	r = ow_unowned_parse_mountinfo(buf, on_tmpfs, &w);
	free(buf);
	if (w.err < 0)
		return w.err;
	return r < 0 ? r : 0;
}

static int read_memcg(const char *root, int version, const char *cgroup,
		      struct ow_unowned_memory *u)
{
	const char *sep = strcmp(root, "/") == 0 ? "" : root;
	const char *rel = cgroup && strcmp(cgroup, "/") != 0 ? cgroup : "";
	char dir[4096], path[4200], *buf = NULL;
	uint64_t kmem = 0, tcp = 0;
	int r;

	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup%s%s", sep, version == 1 ? "/memory" : "", rel);
	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	r = read_file(path, STAT_MAX_BYTES, &buf);
	if (r < 0)
		return r;
	r = ow_unowned_parse_memcg_stat(buf, version, u);
	free(buf);
	if (r < 0 || version != 1)
		return r;
	/* v1: kernel memory is charged apart (kmem accounting), sockets apart again. */
	snprintf(path, sizeof(path), "%s/memory.kmem.usage_in_bytes", dir);
	if (read_u64_file(path, &kmem) == 0)
		u->kernel_bytes = kmem;
	snprintf(path, sizeof(path), "%s/memory.kmem.tcp.usage_in_bytes", dir);
	if (read_u64_file(path, &tcp) == 0) {
		u->sock_bytes = tcp;
		u->kernel_bytes += tcp;
	}
	return 0;
}

int ow_unowned_read(const char *root, int memcg_version, const char *cgroup,
		    struct ow_unowned_memory *ret)
{
	char path[4096], *buf = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (cgroup && memcg_version) {
		r = read_memcg(root, memcg_version, cgroup, ret);
	} else {
		snprintf(path, sizeof(path), "%s/proc/meminfo", strcmp(root, "/") == 0 ? "" : root);
		r = read_file(path, STAT_MAX_BYTES, &buf);
		if (r == 0) {
			r = ow_unowned_parse_meminfo(buf, ret);
			free(buf);
		}
	}
	if (r < 0) {
		ow_unowned_memory_clear(ret);
		return r;
	}
	/*
	 * The mounts only point at where shmem may be: not worth a walk of every mount at each
	 * kill when there is none to speak of, and without them the figures stand.
	 */
	if (ret->shmem_bytes >= OW_UNOWNED_TMPFS_MIN_BYTES && read_tmpfs(root, ret) == -ENOMEM) {
		ow_unowned_memory_clear(ret);
		return -ENOMEM;
	}
	return 0;
}
