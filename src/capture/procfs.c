/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readers of /proc and /sys (see procfs.h). Small, bounded reads; no caching here.
 */
#include "capture/procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OW_CMDLINE_MAX 4096

ssize_t ow_read_file_at(int dir_fd, const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return (ssize_t)len;
}

char *ow_procfs_cmdline_from_raw(const char *raw, size_t len)
{
	char *s;

	/* Trailing NULs end the last argument; they are not empty arguments. */
	while (len > 0 && raw[len - 1] == '\0')
		len--;
	if (len == 0)
		return NULL;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++)
		s[i] = raw[i] == '\0' ? ' ' : raw[i];
	s[len] = '\0';
	return s;
}

int ow_procfs_read_cmdline(const char *root, int32_t pid, char **ret_cmdline)
{
	char path[256], buf[OW_CMDLINE_MAX];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", root, pid);
	len = ow_read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (len < 0)
		return (int)len;
	*ret_cmdline = ow_procfs_cmdline_from_raw(buf, (size_t)len);
	if (!*ret_cmdline)
		return len == 0 ? -ENODATA : -ENOMEM;
	return 0;
}

static int meminfo_field(const char *buf, const char *name, uint64_t *ret_bytes)
{
	size_t name_len = strlen(name);

	for (const char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, name, name_len) == 0 && line[name_len] == ':') {
			char *end;
			unsigned long long kib = strtoull(line + name_len + 1, &end, 10);

			if (end == line + name_len + 1)
				return -EINVAL;
			*ret_bytes = (uint64_t)kib * 1024;
			return 0;
		}
	}
	return -ENOENT;
}

int ow_meminfo_parse(const char *buf, struct ow_meminfo *ret_info)
{
	struct ow_meminfo info = { 0 };

	if (meminfo_field(buf, "MemTotal", &info.mem_total_bytes) < 0)
		return -EINVAL;
	/* Optional fields: very old kernels lack MemAvailable, swapless ones report 0. */
	(void)meminfo_field(buf, "MemAvailable", &info.mem_available_bytes);
	(void)meminfo_field(buf, "SwapTotal", &info.swap_total_bytes);
	(void)meminfo_field(buf, "SwapFree", &info.swap_free_bytes);
	*ret_info = info;
	return 0;
}

int ow_procfs_read_meminfo(const char *root, struct ow_meminfo *ret_info)
{
	char path[256], buf[8192];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/proc/meminfo", root);
	len = ow_read_file_at(AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (len < 0)
		return (int)len;
	buf[len] = '\0';
	return ow_meminfo_parse(buf, ret_info);
}

int ow_vmstat_oom_kills_parse(const char *buf, uint64_t *ret_kills)
{
	static const char name[] = "oom_kill ";

	for (const char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, name, sizeof(name) - 1) == 0) {
			const char *digits = line + sizeof(name) - 1;
			unsigned long long n;
			char *end;

			if (!isdigit((unsigned char)*digits))
				return -EINVAL;
			errno = 0;
			n = strtoull(digits, &end, 10);
			if (errno || (*end && *end != '\n'))
				return -EINVAL;
			*ret_kills = n;
			return 0;
		}
	}
	return -ENOENT;
}

int ow_procfs_read_oom_kills(const char *root, uint64_t *ret_kills)
{
	char path[256], buf[16384];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/proc/vmstat", root);
	len = ow_read_file_at(AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (len < 0)
		return (int)len;
	buf[len] = '\0';
	return ow_vmstat_oom_kills_parse(buf, ret_kills);
}

int ow_boot_id_parse(const char *buf, uint64_t *ret_id)
{
	uint64_t id = 0;
	int n_digits = 0;

	for (const char *p = buf; *p && *p != '\n' && n_digits < 16; p++) {
		int c = tolower((unsigned char)*p);

		if (c == '-')
			continue;
		if (!isxdigit(c))
			return -EINVAL;
		id = id << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
		n_digits++;
	}
	if (n_digits < 16)
		return -EINVAL;
	*ret_id = id;
	return 0;
}

int ow_procfs_read_boot_id(const char *root, uint64_t *ret_id)
{
	char path[256], buf[64];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", root);
	len = ow_read_file_at(AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (len < 0)
		return (int)len;
	buf[len] = '\0';
	return ow_boot_id_parse(buf, ret_id);
}

int ow_procfs_list_pids(const char *root, int32_t **ret_pids, size_t *ret_n)
{
	char path[256];
	int32_t *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/proc", root);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT32_MAX)
			continue;
		if (n == cap) {
			size_t new_cap = cap ? cap * 2 : 256;
			int32_t *p = realloc(pids, new_cap * sizeof(*p));

			if (!p) {
				free(pids);
				closedir(dir);
				return -ENOMEM;
			}
			pids = p;
			cap = new_cap;
		}
		pids[n++] = (int32_t)pid;
	}
	closedir(dir);
	*ret_pids = pids;
	*ret_n = n;
	return 0;
}

int ow_cgroupfs_memory_version(const char *root)
{
	char path[256], buf[512];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/memory/memory.limit_in_bytes", root);
	if (access(path, F_OK) == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/cgroup.controllers", root);
	len = ow_read_file_at(AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (len > 0) {
		char *save = NULL;

		buf[len] = '\0';
		for (char *tok = strtok_r(buf, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save))
			if (strcmp(tok, "memory") == 0)
				return 2;
	}
	return 0;
}
