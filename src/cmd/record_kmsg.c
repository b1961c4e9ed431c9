// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recorder's second witness (record_kmsg.h): the /dev/kmsg reader and the report
 * assembler of src/capture, put together, and the reports kept until their kill comes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/kmsg_reader.h"
#include "cmd/record_kmsg.h"

#define KEPT_MAX 64
#define KEPT_NS (10ULL * 1000000000ULL)

struct record_kmsg {
	struct ow_kmsg_reader *reader;
	struct ow_kmsg_kill *assembler;
	struct ow_kill kept[KEPT_MAX]; /* victim_pid, time_ns, flags and kernel_report only */
	size_t n_kept;
	uint64_t reports;
	uint64_t unmatched;
};

/* CLOCK_REALTIME - CLOCK_MONOTONIC: printk's clock is the monotonic one (local_clock). */
static int64_t mono_to_real_ns(void)
{
	struct timespec real, mono;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (int64_t)(real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
}

int record_kmsg_open(const struct record_kmsg_config *cfg, struct record_kmsg **ret, char *what,
		     size_t what_size)
{
	struct ow_kmsg_kill_config acfg = {
		.page_size = cfg->page_size,
		.mono_to_real_ns = mono_to_real_ns(),
		.on_report = cfg->kills ? NULL : cfg->on_report,
		.on_kill = cfg->kills ? cfg->on_kill : NULL,
		.on_reaped = cfg->on_reaped,
		.ctx = cfg->ctx,
	};
	struct record_kmsg *k = calloc(1, sizeof(*k));
	int r;

	if (!k) {
		snprintf(what, what_size, "allocating the /dev/kmsg witness");
		return -ENOMEM;
	}
	r = ow_kmsg_reader_open(NULL, 0, &k->reader);
	if (r < 0) {
		snprintf(what, what_size, "opening /dev/kmsg");
		free(k);
		return r;
	}
	r = ow_kmsg_kill_new(&acfg, &k->assembler);
	if (r < 0) {
		snprintf(what, what_size, "allocating the /dev/kmsg witness");
		record_kmsg_free(k);
		return r;
	}
	*ret = k;
	return 0;
}

void record_kmsg_free(struct record_kmsg *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n_kept; i++)
		ow_kill_clear(&k->kept[i]);
	ow_kmsg_kill_free(k->assembler);
	ow_kmsg_reader_free(k->reader);
	free(k);
}

int record_kmsg_fd(const struct record_kmsg *k)
{
	return ow_kmsg_reader_fd(k->reader);
}

static void on_record(const struct ow_kmsg_record *rec, void *ctx)
{
	struct record_kmsg *k = ctx;

	if (rec->kind == OW_KMSG_OOM_KILLED)
		k->reports++;
	(void)ow_kmsg_kill_feed(k->assembler, rec); /* -ENOMEM: that record is lost */
}

int record_kmsg_read(struct record_kmsg *k)
{
	int r;

	ow_kmsg_kill_set_clock_offset(k->assembler, mono_to_real_ns());
	r = ow_kmsg_reader_read(k->reader, 0, on_record, k);
	ow_kmsg_kill_flush(k->assembler); /* a kill no group line follows: now */
	return r;
}

/* Forgets the i-th kept report; the later ones move up. */
static void forget_kept(struct record_kmsg *k, size_t i)
{
	ow_kill_clear(&k->kept[i]);
	memmove(&k->kept[i], &k->kept[i + 1], (k->n_kept - i - 1) * sizeof(k->kept[0]));
	memset(&k->kept[--k->n_kept], 0, sizeof(k->kept[0]));
}

int record_kmsg_keep(struct record_kmsg *k, const struct ow_kill *report)
{
	struct ow_kill *slot;
	int r;

	if (k->n_kept == KEPT_MAX) { /* the oldest goes */
		forget_kept(k, 0);
		k->unmatched++;
	}
	slot = &k->kept[k->n_kept];
	memset(slot, 0, sizeof(*slot));
	slot->victim_pid = report->victim_pid;
	slot->time_ns = report->time_ns;
	r = ow_kmsg_kill_confirm(slot, report);
	if (r < 0)
		return r;
	k->n_kept++;
	return 0;
}

int record_kmsg_take(struct record_kmsg *k, struct ow_kill *kill)
{
	for (size_t i = 0; i < k->n_kept; i++) {
		int r;

		if (!ow_kmsg_kill_matches(&k->kept[i], kill, RECORD_KMSG_MATCH_WINDOW_NS))
			continue;
		r = ow_kmsg_kill_confirm(kill, &k->kept[i]);
		if (r < 0)
			return r;
		forget_kept(k, i);
		return 1;
	}
	return 0;
}

void record_kmsg_expire(struct record_kmsg *k, uint64_t now_real_ns)
{
	while (k->n_kept > 0 && k->kept[0].time_ns + KEPT_NS < now_real_ns) {
		forget_kept(k, 0);
		k->unmatched++;
	}
}

void record_kmsg_get_stats(const struct record_kmsg *k, struct record_kmsg_stats *ret)
{
	struct ow_kmsg_reader_stats rs;

	memset(ret, 0, sizeof(*ret));
	if (!k)
		return;
	ow_kmsg_reader_get_stats(k->reader, &rs);
	ret->records = rs.records;
	ret->overruns = rs.overruns;
	ret->reports = k->reports;
	ret->unmatched = k->unmatched + k->n_kept; /* those still kept found no kill yet */
}
