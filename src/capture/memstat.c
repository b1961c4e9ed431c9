/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory cgroup and system readers for the sampler (see memstat.h).
 */
#include "capture/memstat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture/procfs.h"

#define OW_CGROUP_DEPTH_MAX 32
#define OW_STAT_BUF_BYTES 8192
/* The v1 "unlimited" value is PAGE_COUNTER_MAX pages: about 2^63 bytes, rounded to a page. */
#define OW_V1_UNLIMITED_BYTES (1ULL << 62)

/* A cgroup's files, kept open between ticks and read again with pread() from offset 0. */
enum cgroup_file { CG_USAGE, CG_LIMIT, CG_STAT, CG_KMEM, CG_KMEM_TCP, CG_FILES };
#define OW_FD_ABSENT (-2) /* the file does not exist for this cgroup: not tried again */
#define OW_FD_CACHE_MAX 256 /* cgroups whose files stay open; more are opened at each tick */
/*
 * The hierarchy is listed again (opendir and getdents of every cgroup) only when something
 * may have changed: a process in a cgroup the last listing did not see
 * (ow_memstat_note_cgroup_id), a cgroup whose files went away, or this many walks since the
 * last listing (new cgroups with no process yet). Other walks read the kept files in the
 * listing's order: the listing was a third of a tick's cost at 2,000 processes.
 */
#define OW_RELIST_EVERY_WALKS 30
/*
 * memory.stat (and v1's kmem files) give a cgroup's split: anon, file, shmem, kernel, sock.
 * The kernel formats some 40 lines for it, five times the cost of the usage. Walks that reuse
 * the listing read it, and the limit, again only when the usage moved by OW_STAT_MOVE_BYTES
 * since they were last read, or every OW_STAT_EVERY_WALKS walks; otherwise they are the last
 * ones read. The usage is read at every walk. (A limit lowered below the usage moves the usage.)
 */
#define OW_STAT_MOVE_BYTES (1ULL << 20)
#define OW_STAT_EVERY_WALKS 10

struct cgroup_fds {
	uint64_t ino; /* 0: a free slot */
	uint64_t seen_tick;
	char *path; /* "/"-rooted; set when listed */
	int fds[CG_FILES];
	uint64_t stat_tick; /* when memory.stat was last read; 0: never */
	struct ow_cgroup_sample stat; /* what it gave then, with the usage of then */
};

struct ow_memstat_reader {
	char root[PATH_MAX];
	char cgroup_mount[PATH_MAX]; /* where the memory hierarchy is mounted */
	int version;
	int meminfo_fd; /* -1 until opened */
	int psi_fd; /* -1 until opened, OW_FD_ABSENT without PSI */
	uint64_t tick;
	struct cgroup_fds cache[OW_FD_CACHE_MAX];
	/* The last listing: cgroups reported, in order (cache indices), and every one visited. */
	int listed[OW_FD_CACHE_MAX];
	size_t n_listed;
	uint64_t visited[OW_FD_CACHE_MAX]; /* inode numbers, sorted */
	size_t n_visited;
	bool listing_whole; /* every visited cgroup fit: walks may reuse the listing */
	bool relist; /* the next walk lists the hierarchy again */
	uint64_t listed_tick;
};

static const char *const cgroup_file_names[2][CG_FILES] = {
	{ "memory.usage_in_bytes", "memory.limit_in_bytes", "memory.stat",
	  "memory.kmem.usage_in_bytes", "memory.kmem.tcp.usage_in_bytes" },
	{ "memory.current", "memory.max", "memory.stat", NULL, NULL },
};

/* The value after "key " (or "key=") at a line start in buf; -ENOENT when absent. */
static int find_u64(const char *buf, const char *key, char sep, uint64_t *ret)
{
	size_t klen = strlen(key);

	for (const char *line = buf; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == sep) {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(line + klen + 1, &end, 10);
			if (errno || end == line + klen + 1)
				return -EINVAL;
			*ret = v;
			return 0;
		}
	}
	return -ENOENT;
}

/* "key=value" within one line (PSI); -ENOENT when absent. */
static int find_in_line(const char *line, const char *key, uint64_t *ret_int, uint32_t *ret_centi)
{
	const char *eol = strchr(line, '\n');
	const char *p = strstr(line, key);
	char *end;

	if (!p || (eol && p > eol))
		return -ENOENT;
	p += strlen(key);
	if (ret_int) {
		errno = 0;
		*ret_int = strtoull(p, &end, 10);
		return errno || end == p ? -EINVAL : 0;
	}
	/* avg10=12.34: a fixed two-decimal percentage */
	{
		unsigned long whole = strtoul(p, &end, 10), frac = 0;

		if (end == p)
			return -EINVAL;
		if (*end == '.') {
			const char *f = end + 1;

			frac = (unsigned long)(f[0] >= '0' && f[0] <= '9' ? f[0] - '0' : 0) * 10;
			if (f[0] >= '0' && f[0] <= '9' && f[1] >= '0' && f[1] <= '9')
				frac += (unsigned long)(f[1] - '0');
		}
		*ret_centi = (uint32_t)(whole * 100 + frac);
	}
	return 0;
}

int ow_psi_parse(const char *buf, struct ow_system_sample *s)
{
	const char *some = strncmp(buf, "some ", 5) == 0 ? buf : strstr(buf, "\nsome ");
	const char *full = strncmp(buf, "full ", 5) == 0 ? buf : strstr(buf, "\nfull ");

	if (!some)
		return -EINVAL;
	/* A line found after another starts past its '\n' (else it would end where it starts). */
	some += *some == '\n';
	if (full)
		full += *full == '\n';
	if (find_in_line(some, "avg10=", NULL, &s->psi_some_avg10_centi) < 0 ||
	    find_in_line(some, "total=", &s->psi_some_total_us, NULL) < 0)
		return -EINVAL;
	s->psi_full_avg10_centi = 0;
	s->psi_full_total_us = 0;
	if (full && (find_in_line(full, "avg10=", NULL, &s->psi_full_avg10_centi) < 0 ||
		     find_in_line(full, "total=", &s->psi_full_total_us, NULL) < 0))
		return -EINVAL;
	s->psi_known = true;
	return 0;
}

static uint64_t field_or_zero(const char *buf, const char *key, int *found)
{
	uint64_t v = 0;

	if (find_u64(buf, key, ' ', &v) == 0)
		(*found)++;
	return v;
}

int ow_memcg_stat_parse(const char *buf, int version, struct ow_cgroup_sample *s)
{
	int found = 0;

	if (version == 1) {
		uint64_t cache = field_or_zero(buf, "total_cache", &found);

		s->anon_bytes = field_or_zero(buf, "total_rss", &found);
		s->shmem_bytes = field_or_zero(buf, "total_shmem", &found);
		s->file_bytes = cache > s->shmem_bytes ? cache - s->shmem_bytes : 0;
		/* kernel and sock come from memory.kmem.* files in v1 */
	} else {
		uint64_t file = field_or_zero(buf, "file", &found);
		int kernel_found = 0;

		s->anon_bytes = field_or_zero(buf, "anon", &found);
		s->shmem_bytes = field_or_zero(buf, "shmem", &found);
		s->file_bytes = file > s->shmem_bytes ? file - s->shmem_bytes : 0;
		s->sock_bytes = field_or_zero(buf, "sock", &found);
		s->kernel_bytes = field_or_zero(buf, "kernel", &kernel_found);
		if (!kernel_found)
			s->kernel_bytes = field_or_zero(buf, "slab", &found) +
					  field_or_zero(buf, "kernel_stack", &found) +
					  field_or_zero(buf, "pagetables", &found) +
					  field_or_zero(buf, "percpu", &found);
		found += kernel_found;
	}
	return found ? 0 : -EINVAL;
}

int ow_memcg_limit_parse(const char *buf, uint64_t *ret_bytes)
{
	unsigned long long v;
	char *end;

	if (strncmp(buf, "max", 3) == 0 && (buf[3] == '\n' || buf[3] == '\0')) {
		*ret_bytes = OW_LIMIT_NONE;
		return 0;
	}
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	*ret_bytes = v >= OW_V1_UNLIMITED_BYTES ? OW_LIMIT_NONE : v;
	return 0;
}

int ow_memstat_reader_new(const char *root, struct ow_memstat_reader **ret_reader)
{
	struct ow_memstat_reader *r = calloc(1, sizeof(*r));
	const char *sep = strcmp(root, "/") == 0 ? "" : root;

	if (!r)
		return -ENOMEM;
	snprintf(r->root, sizeof(r->root), "%s", sep);
	r->version = ow_cgroupfs_memory_version(root);
	if (r->version == 1)
		snprintf(r->cgroup_mount, sizeof(r->cgroup_mount), "%s/sys/fs/cgroup/memory", sep);
	else if (r->version == 2)
		snprintf(r->cgroup_mount, sizeof(r->cgroup_mount), "%s/sys/fs/cgroup", sep);
	r->meminfo_fd = -1;
	r->psi_fd = -1;
	*ret_reader = r;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void cache_slot_close(struct cgroup_fds *c)
{
	for (int i = 0; i < CG_FILES; i++)
		close_fd(&c->fds[i]);
	free(c->path);
	c->path = NULL;
	c->ino = 0;
}

void ow_memstat_reader_free(struct ow_memstat_reader *r)
{
	if (!r)
		return;
	close_fd(&r->meminfo_fd);
	close_fd(&r->psi_fd);
	for (size_t i = 0; i < OW_FD_CACHE_MAX; i++)
		if (r->cache[i].ino)
			cache_slot_close(&r->cache[i]);
	free(r);
}

/*
 * Reads a file kept open, from its start, as a NUL-terminated string; opens it (relative to
 * dir_fd) the first time. A file that does not exist is remembered as absent. Returns 0 or
 * -errno.
 */
static int read_kept_open(int *fd, int dir_fd, const char *name, char *buf, size_t cap)
{
	size_t len = 0;

	if (*fd == OW_FD_ABSENT)
		return -ENOENT;
	if (*fd < 0) {
		*fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
		if (*fd < 0) {
			int err = -errno;

			*fd = err == -ENOENT ? OW_FD_ABSENT : -1;
			return err;
		}
	}
	while (len < cap - 1) {
		ssize_t n = pread(*fd, buf + len, cap - 1 - len, (off_t)len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return 0;
}

int ow_memstat_reader_version(const struct ow_memstat_reader *r)
{
	return r->version;
}

int ow_memstat_read_system(struct ow_memstat_reader *r, struct ow_system_sample *s)
{
	char path[PATH_MAX + 32], buf[4096];
	struct ow_meminfo info;
	int err;

	path[0] = '\0';
	memset(s, 0, sizeof(*s));
	if (r->meminfo_fd < 0) /* the path only for the first read: the file stays open */
		snprintf(path, sizeof(path), "%s/proc/meminfo", r->root);
	err = read_kept_open(&r->meminfo_fd, AT_FDCWD, path, buf, sizeof(buf));
	if (err == 0)
		err = ow_meminfo_parse(buf, &info);
	if (err < 0)
		return err;
	s->present = true;
	s->mem_total_bytes = info.mem_total_bytes;
	s->mem_available_bytes = info.mem_available_bytes;
	s->swap_total_bytes = info.swap_total_bytes;
	s->swap_free_bytes = info.swap_free_bytes;
	if (r->psi_fd == -1)
		snprintf(path, sizeof(path), "%s/proc/pressure/memory", r->root);
	if (read_kept_open(&r->psi_fd, AT_FDCWD, path, buf, sizeof(buf)) == 0)
		(void)ow_psi_parse(buf, s); /* psi_known stays false when it does not parse */
	return 0;
}

/* The open files of the cgroup with this inode, or a free slot for it; NULL when full. */
static struct cgroup_fds *cache_slot(struct ow_memstat_reader *r, uint64_t ino)
{
	struct cgroup_fds *free_slot = NULL;

	for (size_t i = 0; i < OW_FD_CACHE_MAX; i++) {
		if (r->cache[i].ino == ino)
			return &r->cache[i];
		if (!r->cache[i].ino && !free_slot)
			free_slot = &r->cache[i];
	}
	if (free_slot) {
		free_slot->ino = ino;
		free_slot->stat_tick = 0;
		for (int i = 0; i < CG_FILES; i++)
			free_slot->fds[i] = -1;
	}
	return free_slot;
}

static int read_u64(int *fd, int dir_fd, const char *name, uint64_t *ret)
{
	char buf[64];
	int r = read_kept_open(fd, dir_fd, name, buf, sizeof(buf));

	return r < 0 ? r : ow_memcg_limit_parse(buf, ret);
}

/* Whether a walk that reuses the listing may keep the split of the last memory.stat read. */
static bool stat_still_good(const struct ow_memstat_reader *r, const struct cgroup_fds *slot,
			    uint64_t usage_bytes)
{
	uint64_t was = slot->stat.usage_bytes;
	uint64_t moved = usage_bytes > was ? usage_bytes - was : was - usage_bytes;

	return slot->stat_tick && r->tick - slot->stat_tick < OW_STAT_EVERY_WALKS &&
	       moved < OW_STAT_MOVE_BYTES;
}

/*
 * Reads one cgroup; returns 0 when at least its usage was read. Its files stay open in fds
 * (a cache slot), or are opened and closed now when fds is a scratch set. With a slot and
 * may_reuse_stat, the split is that of its last memory.stat read while stat_still_good().
 */
static int read_cgroup(const struct ow_memstat_reader *r, int dir_fd, int *fds,
		       struct cgroup_fds *slot, bool may_reuse_stat, struct ow_cgroup_sample *s)
{
	const char *const *names = cgroup_file_names[r->version == 1 ? 0 : 1];
	char stat_buf[OW_STAT_BUF_BYTES];
	uint64_t v;

	memset(s, 0, sizeof(*s));
	s->limit_bytes = OW_LIMIT_NONE;
	if (read_u64(&fds[CG_USAGE], dir_fd, names[CG_USAGE], &s->usage_bytes) < 0)
		return -ENOENT; /* the v2 root has no memory.current */
	s->present = true;
	if (slot && may_reuse_stat && stat_still_good(r, slot, s->usage_bytes)) {
		uint64_t usage_bytes = s->usage_bytes;

		*s = slot->stat; /* its split and limit, with this walk's usage */
		s->usage_bytes = usage_bytes;
		return 0;
	}
	if (!read_u64(&fds[CG_LIMIT], dir_fd, names[CG_LIMIT], &v))
		s->limit_bytes = v;
	if (!read_kept_open(&fds[CG_STAT], dir_fd, names[CG_STAT], stat_buf, sizeof(stat_buf)))
		(void)ow_memcg_stat_parse(stat_buf, r->version, s);
	if (r->version == 1) {
		if (read_u64(&fds[CG_KMEM], dir_fd, names[CG_KMEM], &v) == 0)
			s->kernel_bytes = v;
		if (read_u64(&fds[CG_KMEM_TCP], dir_fd, names[CG_KMEM_TCP], &v) == 0)
			s->sock_bytes = v;
	}
	if (slot) {
		slot->stat = *s;
		slot->stat_tick = r->tick;
	}
	return 0;
}

struct walk {
	struct ow_memstat_reader *r;
	size_t max_cgroups;
	size_t n;
	bool overflow; /* cut at max_cgroups, a cgroup without a cache slot, or visited[] full */
	ow_cgroup_reading_fn fn;
	void *ctx;
	char path[PATH_MAX]; /* the cgroup path being visited, "/"-rooted */
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void walk_dir(struct walk *w, int dir_fd, size_t path_len, int depth)
{
	struct ow_cgroup_reading reading;
	char dents[4096];
	struct stat st;
	long got;

	if (w->n >= w->max_cgroups) {
		w->overflow = true; /* cut short: the next walk lists again */
		return;
	}
	if (fstat(dir_fd, &st) == 0) {
		struct ow_memstat_reader *r = w->r;
		struct cgroup_fds *slot = cache_slot(r, st.st_ino);
		int scratch[CG_FILES] = { -1, -1, -1, -1, -1 };
		int *fds = slot ? slot->fds : scratch;
		int err = read_cgroup(r, dir_fd, fds, slot, false, &reading.sample);
		const char *path = path_len ? w->path : "/";

		if (r->n_visited < OW_FD_CACHE_MAX)
			r->visited[r->n_visited++] = st.st_ino;
		else
			w->overflow = true;
		if (slot) {
			slot->seen_tick = r->tick;
			if (!slot->path || strcmp(slot->path, path) != 0) {
				free(slot->path);
				slot->path = strdup(path);
			}
			if (!slot->path)
				w->overflow = true;
		} else {
			w->overflow = true;
		}
		for (int i = 0; !slot && i < CG_FILES; i++)
			close_fd(&scratch[i]);
		if (err < 0)
			goto children;
		if (slot)
			r->listed[r->n_listed++] = (int)(slot - r->cache);
		reading.id = st.st_ino;
		reading.path = path;
		w->fn(w->ctx, &reading);
		w->n++;
	}
children:
	if (depth >= OW_CGROUP_DEPTH_MAX)
		return;
	while ((got = syscall(SYS_getdents64, dir_fd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < got;) {
			const struct linux_dirent64 *d = (const void *)(dents + off);
			size_t name_len = strlen(d->d_name);
			int child;

			off += d->d_reclen;
			if (d->d_type != DT_DIR || d->d_name[0] == '.')
				continue;
			if (path_len + 1 + name_len >= sizeof(w->path))
				continue;
			child = openat(dir_fd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (child < 0)
				continue; /* removed since the listing */
			w->path[path_len] = '/';
			memcpy(w->path + path_len + 1, d->d_name, name_len + 1);
			walk_dir(w, child, path_len + 1 + name_len, depth + 1);
			w->path[path_len] = '\0';
			close(child);
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lists the hierarchy: reads every cgroup on the way and keeps the listing for later walks. */
static int list_cgroups(struct ow_memstat_reader *r, size_t max_cgroups, ow_cgroup_reading_fn fn,
			void *ctx)
{
	struct walk w = { .r = r, .max_cgroups = max_cgroups, .fn = fn, .ctx = ctx };
	int fd;

	fd = open(r->cgroup_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w.path[0] = '\0';
	r->n_listed = 0;
	r->n_visited = 0;
	walk_dir(&w, fd, 0, 0);
	close(fd);
	/* Cgroups removed since the last listing: their files go. */
	for (size_t i = 0; i < OW_FD_CACHE_MAX; i++)
		if (r->cache[i].ino && r->cache[i].seen_tick != r->tick)
			cache_slot_close(&r->cache[i]);
	qsort(r->visited, r->n_visited, sizeof(r->visited[0]), cmp_u64);
	r->listing_whole = !w.overflow;
	r->relist = false;
	r->listed_tick = r->tick;
	return (int)w.n;
}

/* Reads the cgroups of the last listing through their kept files. */
static int read_listed(struct ow_memstat_reader *r, size_t max_cgroups, ow_cgroup_reading_fn fn,
		       void *ctx)
{
	struct ow_cgroup_reading reading;
	size_t n = 0;

	for (size_t i = 0; i < r->n_listed && n < max_cgroups; i++) {
		struct cgroup_fds *slot = &r->cache[r->listed[i]];

		/* dir_fd -1: a file that failed to open at the listing fails again, not opened */
		if (read_cgroup(r, -1, slot->fds, slot, true, &reading.sample) < 0) {
			r->relist = true; /* removed: the next walk lists again */
			continue;
		}
		slot->seen_tick = r->tick;
		reading.id = slot->ino;
		reading.path = slot->path;
		fn(ctx, &reading);
		n++;
	}
	return (int)n;
}

int ow_memstat_walk_cgroups(struct ow_memstat_reader *r, size_t max_cgroups,
			    ow_cgroup_reading_fn fn, void *ctx)
{
	if (r->version == 0)
		return 0;
	r->tick++;
	if (r->relist || !r->listing_whole || r->tick - r->listed_tick >= OW_RELIST_EVERY_WALKS)
		return list_cgroups(r, max_cgroups, fn, ctx);
	return read_listed(r, max_cgroups, fn, ctx);
}

void ow_memstat_note_cgroup_id(struct ow_memstat_reader *r, uint64_t id)
{
	if (id == 0 || r->relist || !r->listing_whole)
		return;
	if (!bsearch(&id, r->visited, r->n_visited, sizeof(r->visited[0]), cmp_u64))
		r->relist = true;
}
