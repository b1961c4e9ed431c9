/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's second witness: /dev/kmsg, read beside the ring buffer (record, issue 4).
 *
 * The kernel prints its own report of every OOM kill (mm/oom_kill.c): where memory ran out
 * (constraint, oom_memcg), the failed allocation, its task dump and the victim. This module
 * opens /dev/kmsg at its end (before the recorder drops CAP_SYSLOG), reads what is new after
 * each wake-up, and hands the assembled reports over (src/capture/kmsg_kill.c): as reports
 * that confirm the kills BPF witnessed, or, with --no-bpf, as the kills themselves. It also
 * keeps the reports that came before their BPF kill, for that kill to find.
 */
#ifndef OW_RECORD_KMSG_H
#define OW_RECORD_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/kmsg_kill.h"
#include "model/model.h"

struct record_kmsg_config {
	bool kills; /* --no-bpf: hand over whole kills (on_kill), not reports */
	uint32_t page_size;
	ow_kmsg_on_report_fn on_report; /* a kill's report (not with kills) */
	ow_kmsg_on_kill_fn on_kill;
	ow_kmsg_on_reaped_fn on_reaped;
	void *ctx;
};

struct record_kmsg;

/*
 * Opens /dev/kmsg at its end. Returns 0 or -errno, with what failed in what (for the log):
 * -EPERM/-EACCES when the recorder may not read the kernel log (CAP_SYSLOG, dmesg_restrict).
 */
int record_kmsg_open(const struct record_kmsg_config *cfg, struct record_kmsg **ret, char *what,
		     size_t what_size);
void record_kmsg_free(struct record_kmsg *k);

/* The descriptor to poll for new records (POLLIN). */
int record_kmsg_fd(const struct record_kmsg *k);

/*
 * Reads every record available now and hands over what they complete. Returns the number of
 * records read, or -errno (the reader is then unusable: the recorder goes on without it).
 */
int record_kmsg_read(struct record_kmsg *k);

/*
 * Reports that arrived before the kill they confirm: kept (at most 64, for 10 s) until the
 * kill comes. record_kmsg_keep() keeps one (copied); record_kmsg_take() confirms kill with a
 * kept report that matches it (and forgets it): 1 when it did, 0 when none matched, or
 * -ENOMEM. record_kmsg_expire() forgets the stale ones (now_real_ns: Unix time).
 */
int record_kmsg_keep(struct record_kmsg *k, const struct ow_kill *report);
int record_kmsg_take(struct record_kmsg *k, struct ow_kill *kill);
void record_kmsg_expire(struct record_kmsg *k, uint64_t now_real_ns);

/* Counts for the log at stop: records, kills (reports) seen, confirmations never matched. */
struct record_kmsg_stats {
	uint64_t records;
	uint64_t reports;
	uint64_t overruns; /* the kernel overwrote records before they were read */
	uint64_t unmatched; /* reports no BPF kill took */
};
void record_kmsg_get_stats(const struct record_kmsg *k, struct record_kmsg_stats *ret);

/* How far apart the two witnesses' times of one kill may be. */
#define RECORD_KMSG_MATCH_WINDOW_NS (2000ULL * 1000000ULL)

#endif
