/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's retention (record_retention.h): when to prune and what to say about it. The
 * store decides what a prune deletes, in one transaction; this shell picks the moments, works
 * out the age limit from the clock, and writes the one log line.
 */
#include "cmd/record_retention.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "model/units.h"
#include "output/format.h"

#define NS_PER_S 1000000000ull

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void log_pruned(const struct record_retention *r, const struct ow_store_prune_result *res)
{
	char oldest[OW_TIME_STR_LEN], newest[OW_TIME_STR_LEN], why[128];
	char before[OW_BYTES_TEXT_LEN], after[OW_BYTES_TEXT_LEN], file[OW_BYTES_TEXT_LEN];
	char limit[OW_BYTES_TEXT_LEN];
	uint64_t n_size = res->n_deleted - res->n_too_old;

	if (ow_format_time_local(oldest, sizeof(oldest), res->oldest_end_ns,
				 OW_TIME_DATE | OW_TIME_CLOCK))
		snprintf(oldest, sizeof(oldest), "?");
	if (ow_format_time_local(newest, sizeof(newest), res->newest_end_ns,
				 OW_TIME_DATE | OW_TIME_CLOCK))
		snprintf(newest, sizeof(newest), "?");
	ow_format_bytes(limit, r->max_db_bytes);
	if (res->n_too_old && n_size)
		snprintf(why, sizeof(why), "%llu past --max-age, %llu for --max-db-size %s",
			 (unsigned long long)res->n_too_old, (unsigned long long)n_size, limit);
	else if (res->n_too_old)
		snprintf(why, sizeof(why), "past --max-age");
	else
		snprintf(why, sizeof(why), "for --max-db-size %s", limit);
	ow_log("retention: deleted %llu closed incident%s (%s; last kills %s .. %s): %s in use "
	       "-> %s, file %s",
	       (unsigned long long)res->n_deleted, res->n_deleted == 1 ? "" : "s", why, oldest,
	       newest, ow_format_bytes(before, res->used_bytes_before),
	       ow_format_bytes(after, res->used_bytes_after),
	       ow_format_bytes(file, res->file_bytes_after));
}

static void prune(struct record_retention *r, struct ow_store *store, const int64_t *keep_ids,
		  size_t n_keep)
{
	struct ow_store_prune_limits lim = {
		.max_bytes = r->max_db_bytes,
		.keep_ids = keep_ids,
		.n_keep = n_keep,
	};
	struct ow_store_prune_result res;
	uint64_t now = real_ns();
	int err;

	if (r->max_age_ns && r->max_age_ns < now)
		lim.before_ns = now - r->max_age_ns;
	err = ow_store_prune(store, &lim, &res);
	if (err < 0) {
		if (!r->failing)
			ow_log("retention: pruning old incidents: %s (%s); will retry",
			       strerror(-err), ow_store_errmsg(store));
		r->failing = true;
		return;
	}
	if (r->failing)
		ow_log("retention: pruning works again");
	r->failing = false;
	if (res.n_deleted)
		log_pruned(r, &res);
	if (res.over_limit && !r->warned_over) {
		char used[OW_BYTES_TEXT_LEN], limit[OW_BYTES_TEXT_LEN];

		ow_log("warning: retention: the database uses %s, over --max-db-size %s, with no "
		       "closed incident left to delete",
		       ow_format_bytes(used, res.used_bytes_after),
		       ow_format_bytes(limit, r->max_db_bytes));
	}
	r->warned_over = res.over_limit;
}

void record_retention_start(struct record_retention *r, struct ow_store *store,
			    uint64_t now_mono_ns)
{
	char size[OW_BYTES_TEXT_LEN];
	uint64_t file_bytes = 0, start_ns;
	bool can_shrink = true;
	int err;

	r->next_mono_ns = now_mono_ns + RECORD_RETENTION_PERIOD_NS;
	if (!r->max_age_ns && !r->max_db_bytes)
		return;
	err = ow_store_can_shrink(store, &can_shrink);
	if (!err && !can_shrink) {
		(void)ow_store_size(store, &file_bytes, NULL);
		ow_log("retention: the database was made by an older oomwitness and would not "
		       "shrink: a one-time VACUUM of its %s rewrites it now",
		       ow_format_bytes(size, file_bytes));
		start_ns = mono_ns();
		err = ow_store_enable_shrink(store);
		if (!err) {
			(void)ow_store_size(store, &file_bytes, NULL);
			ow_log("retention: VACUUM done in %.2f s; the file is %s",
			       (double)(mono_ns() - start_ns) / 1e9,
			       ow_format_bytes(size, file_bytes));
		}
	}
	if (err < 0)
		ow_log("warning: retention: cannot make the database shrink: %s (%s); old "
		       "incidents are still deleted, their space reused but not given back",
		       strerror(-err), ow_store_errmsg(store));
	prune(r, store, NULL, 0);
}

void record_retention_tick(struct record_retention *r, struct ow_store *store,
			   const int64_t *keep_ids, size_t n_keep, uint64_t now_mono_ns)
{
	if (!r->max_age_ns && !r->max_db_bytes)
		return;
	if (!r->due && now_mono_ns < r->next_mono_ns)
		return;
	r->due = false;
	r->next_mono_ns = now_mono_ns + RECORD_RETENTION_PERIOD_NS;
	prune(r, store, keep_ids, n_keep);
}
