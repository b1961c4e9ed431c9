/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reads /dev/kmsg records (see kmsg_reader.h). The buffer is larger than any record the kernel
 * writes (devkmsg_read() fails with EINVAL for a buffer too small, without moving on, so a
 * smaller one would stall the reader on that record for good).
 */
#include "capture/kmsg_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/* devkmsg_read() writes at most CONSOLE_EXT_LOG_MAX (8 KiB: a record's text escaped, and its
 * dictionary); twice that. */
#define READ_BUF_SIZE 16384
/* The kernel moves a reader past the records lost at its first EPIPE: more in a row is a fault. */
#define MAX_EPIPE_IN_A_ROW 8

struct ow_kmsg_reader {
	int fd;
	ow_kmsg_read_fn read_fn;
	bool has_seq; /* a record was read: last_seq is its sequence number */
	uint64_t last_seq;
	struct ow_kmsg_reader_stats stats;
	struct ow_kmsg_record rec;
	char buf[READ_BUF_SIZE];
};

int ow_kmsg_reader_new_fd(int fd, struct ow_kmsg_reader **ret)
{
	struct ow_kmsg_reader *r;

	if (fd < 0 || !ret)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->read_fn = read;
	*ret = r;
	return 0;
}

int ow_kmsg_reader_open(const char *path, unsigned int flags, struct ow_kmsg_reader **ret)
{
	int fd, err;

	if (!ret)
		return -EINVAL;
	fd = open(path ? path : OW_KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!(flags & OW_KMSG_READER_FROM_START) && lseek(fd, 0, SEEK_END) < 0) {
		err = -errno;
		goto out_close;
	}
	err = ow_kmsg_reader_new_fd(fd, ret);
	if (err)
		goto out_close;
	return 0;
out_close:
	close(fd);
	return err;
}

void ow_kmsg_reader_free(struct ow_kmsg_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	free(r);
}

int ow_kmsg_reader_fd(const struct ow_kmsg_reader *r)
{
	return r ? r->fd : -EINVAL;
}

void ow_kmsg_reader_set_read_fn(struct ow_kmsg_reader *r, ow_kmsg_read_fn fn)
{
	if (r)
		r->read_fn = fn ? fn : read;
}

void ow_kmsg_reader_get_stats(const struct ow_kmsg_reader *r,
			      struct ow_kmsg_reader_stats *ret_stats)
{
	if (r && ret_stats)
		*ret_stats = r->stats;
}

/* Counts the records between the last one read and this one as lost. */
static void note_seq(struct ow_kmsg_reader *r, uint64_t seq)
{
	if (r->has_seq && seq > r->last_seq + 1)
		r->stats.lost += seq - r->last_seq - 1;
	if (!r->has_seq || seq > r->last_seq)
		r->last_seq = seq;
	r->has_seq = true;
}

int ow_kmsg_reader_read(struct ow_kmsg_reader *r, size_t max_records, ow_kmsg_record_fn fn,
			void *ctx)
{
	size_t n = 0;
	unsigned int epipe_in_a_row = 0;

	if (!r)
		return -EINVAL;
	while (max_records == 0 || n < max_records) {
		ssize_t len = r->read_fn(r->fd, r->buf, sizeof(r->buf));

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE && ++epipe_in_a_row <= MAX_EPIPE_IN_A_ROW) {
				/* overwritten: the next read gives the oldest record left */
				r->stats.overruns++;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		epipe_in_a_row = 0;
		if (len == 0)
			break; /* not /dev/kmsg: a file or socket at its end */
		if (ow_kmsg_parse(r->buf, (size_t)len, &r->rec) < 0) {
			r->stats.malformed++;
			continue;
		}
		note_seq(r, r->rec.seq);
		r->stats.records++;
		n++;
		if (fn)
			fn(&r->rec, ctx);
	}
	return n > INT32_MAX ? INT32_MAX : (int)n;
}
