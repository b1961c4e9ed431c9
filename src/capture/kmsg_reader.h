/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The /dev/kmsg reader: hands each kernel log record, parsed (kmsg.h), to a callback.
 *
 * /dev/kmsg gives one record per read(). The reader opens it non-blocking, by default at its
 * end (SEEK_END: kills logged before the recorder started are not replayed), and reads what is
 * there when poll() says so. Opening needs CAP_SYSLOG when kernel.dmesg_restrict is 1, reading
 * after that does not: open before dropping capabilities. Poll the fd for POLLIN | POLLPRI (the
 * kernel signals POLLERR | POLLPRI when the reader fell behind and records were overwritten;
 * the next read() then fails with EPIPE, which the reader counts and reads on from the oldest
 * record left). Records lost that way, and any other gap in the sequence numbers, are counted.
 *
 * The reading loop works on any fd that gives one record per read() (a SOCK_SEQPACKET socket in
 * unit tests); ow_kmsg_reader_set_read_fn() replaces read() itself for tests of the errors.
 */
#ifndef OW_KMSG_READER_H
#define OW_KMSG_READER_H

#include <stdint.h>
#include <sys/types.h>

#include "capture/kmsg.h"

#define OW_KMSG_PATH "/dev/kmsg"

enum ow_kmsg_reader_flag {
	/* Read the records still in the kernel's buffer first (no SEEK_END): a replay. */
	OW_KMSG_READER_FROM_START = 1u << 0,
};

struct ow_kmsg_reader_stats {
	uint64_t records; /* records handed over */
	uint64_t malformed; /* records ow_kmsg_parse() refused (not handed over) */
	uint64_t overruns; /* reads that failed with EPIPE: the kernel overwrote unread records */
	uint64_t lost; /* records never read: gaps in the sequence numbers */
};

/* Called with each record read; rec is borrowed (valid during the call only). */
typedef void (*ow_kmsg_record_fn)(const struct ow_kmsg_record *rec, void *ctx);

struct ow_kmsg_reader;

/*
 * Opens path (NULL: /dev/kmsg) with O_RDONLY | O_NONBLOCK | O_CLOEXEC and, unless flags has
 * OW_KMSG_READER_FROM_START, seeks to its end. Returns 0 or -errno (-EPERM or -EACCES without
 * CAP_SYSLOG under dmesg_restrict, -ENOENT without the device, -ENOMEM).
 */
int ow_kmsg_reader_open(const char *path, unsigned int flags, struct ow_kmsg_reader **ret);

/* A reader of an fd already open (non-blocking), which it takes: closed by ow_kmsg_reader_free. */
int ow_kmsg_reader_new_fd(int fd, struct ow_kmsg_reader **ret);

/* Closes the fd and frees; accepts NULL. */
void ow_kmsg_reader_free(struct ow_kmsg_reader *r);

/* The fd to poll. */
int ow_kmsg_reader_fd(const struct ow_kmsg_reader *r);

/*
 * Reads the records available, up to max_records (0: no limit), handing each parsed one to fn.
 * Stops when read() says EAGAIN. Returns the number of records handed over (0 or more), or
 * -errno when read() fails otherwise (not EINTR, EAGAIN nor EPIPE, which it handles); the
 * records handed over before the error stay handed over.
 */
int ow_kmsg_reader_read(struct ow_kmsg_reader *r, size_t max_records, ow_kmsg_record_fn fn,
			void *ctx);

void ow_kmsg_reader_get_stats(const struct ow_kmsg_reader *r,
			      struct ow_kmsg_reader_stats *ret_stats);

/* For tests: read() replaced (it returns -1 and sets errno as read() does). */
typedef ssize_t (*ow_kmsg_read_fn)(int fd, void *buf, size_t len);
void ow_kmsg_reader_set_read_fn(struct ow_kmsg_reader *r, ow_kmsg_read_fn fn);

#endif
