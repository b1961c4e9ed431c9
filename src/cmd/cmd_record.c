/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `oomwitness record`: the recorder. Loads the BPF programs, turns their records into kills
 * (capture), groups kills into incidents (model), judges each incident change (analysis) and
 * commits it (store), until SIGINT or SIGTERM; then drains, flushes and exits 0.
 *
 * main() reads as its phases: options, store, capture set-up, attach, ready, poll, cleanup.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "analysis/verdict.h"
#include "capture/adj_audit.h"
#include "capture/bpf_loader.h"
#include "capture/bpf_oomctl.h"
#include "capture/cmdline_cache.h"
#include "capture/consumer.h"
#include "capture/kallsyms.h"
#include "capture/procfs.h"
#include "capture/redact.h"
#include "capture/unowned.h"
#include "cmd/caps.h"
#include "cmd/cmd.h"
#include "cmd/protect.h"
#include "cmd/record_jsonl.h"
#include "cmd/record_kmsg.h"
#include "cmd/record_metrics.h"
#include "cmd/record_outage.h"
#include "cmd/record_retention.h"
#include "cmd/record_sampler.h"
#include "model/filter.h"
#include "model/history.h"
#include "model/shared_str.h"
#include "store/store.h"

#define OW_DEFAULT_GAP_S 30
#define OW_MAX_OPEN_INCIDENTS 64
#define OW_CMDLINE_GRACE_NS (60ULL * 1000000000ULL)
#define OW_KILL_END_TIMEOUT_NS (1000ULL * 1000000ULL)
#define OW_NS_PER_S 1000000000ULL
#define OW_DEFAULT_INTERVAL_NS OW_NS_PER_S
#define OW_DEFAULT_WINDOW_NS (600ULL * OW_NS_PER_S)
#define OW_DEFAULT_HISTORY_MIB 16
/* An incident's history reaches this far past its last kill. */
#define OW_HISTORY_TAIL_NS (10ULL * OW_NS_PER_S)
/* Heap faulted in and locked at start, for the kill path's allocations. */
#define OW_HEAP_RESERVE_BYTES (4u << 20)

struct record_options {
	const char *db;
	const char *ready_file;
	unsigned ringbuf_mib;
	unsigned gap_s;
	uint64_t interval_ns; /* 0: no sampler */
	uint64_t window_ns;
	unsigned history_mib;
	uint64_t max_age_ns; /* 0: keep incidents forever */
	uint64_t max_db_bytes; /* 0: no size limit */
	const char *jsonl; /* --jsonl PATH, "-" for standard output; NULL: none */
	const char *listen; /* metrics endpoint; "none": off */
	bool listen_given; /* --listen on the command line: failing to bind is fatal */
	bool quiet;
	bool no_bpf; /* --no-bpf: kills from /dev/kmsg alone, degraded */
	bool no_kmsg; /* --no-kmsg: no second witness */
	struct ow_redactor *redact; /* --redact patterns; NULL: none */
};

/* An incident still taking kills: kills in its domain within the gap join it. */
struct open_incident {
	struct ow_incident inc;
	uint64_t last_kill_mono_ns;
	size_t n_kills_stored; /* kills already in the database as they are in inc */
	size_t n_kills_failed; /* kills a write failed to take: written late (record_outage.h) */
	size_t n_kills_with_history; /* inc.history covers this many kills */
	bool history_unsaved; /* inc.history is still to be written */
};

struct recorder {
	struct record_options opts;
	struct ow_store *store;
	struct ow_bpf *bpf;
	struct ow_oomctl *oomctl; /* the kernel's struct oom_control; NULL where no hook works */
	struct ow_consumer *consumer;
	struct ow_cmdline_cache *cmdlines;
	struct ow_adj_audit *adj_audit; /* who set each live process's oom_score_adj */
	struct ow_kallsyms *kallsyms;
	int memcg_version; /* 1, 2, or 0 without memory cgroups */
	struct record_sampler *sampler; /* NULL when off or unavailable */
	struct record_jsonl *jsonl; /* NULL without --jsonl */
	struct record_metrics *metrics; /* NULL when --listen none or unavailable */
	struct record_kmsg *kmsg; /* the second witness; NULL with --no-kmsg or unavailable */
	struct ow_verdict_config verdict_cfg;
	struct record_retention retention;
	struct open_incident open[OW_MAX_OPEN_INCIDENTS];
	size_t n_open;
	/*
	 * Lost ring-buffer records. The BPF counter counts every loss; kills report the losses
	 * of their own snapshot. What kills did not report (a kill lost whole, exec/exit events)
	 * goes to the next incident that takes a kill within the gap: a storm's losses land on the
	 * storm's incident even when the poll loop notices them before the kills are consumed.
	 */
	uint64_t lost_seen; /* BPF counter value already logged and stored */
	uint64_t lost_attributed; /* of which attributed to incidents (or given up on) */
	uint64_t lost_pending_since_ns; /* monotonic time unattributed losses were first seen */
	uint64_t kills_recorded;
	/* Kill marks (store.h) are kept: the machine's OOM-kill count could be read at start. */
	bool kill_marks;
	uint64_t boot_id; /* the kernel's, for the kill marks */
	uint64_t last_record_mono_ns;
	/* What the database could not take (a full disk, a read-only file system): held */
	struct record_outage outage;
	struct ow_pending_queue pending; /* closed incidents not wholly written */
	uint64_t lost_unsaved; /* lost-record counts not yet written */
	bool flushing; /* in flush_held(): writes that work do not start another */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void record_usage(FILE *out)
{
	fprintf(out,
		"usage: oomwitness record [--db PATH] [--ready-file PATH] [--incident-gap SECONDS]\n"
		"                         [--ringbuf-mib N] [--interval DURATION] [--window DURATION]\n"
		"                         [--history-mib N] [--listen ADDR:PORT|none]\n"
		"                         [--jsonl PATH|-] [--max-age DURATION] [--max-db-size SIZE]\n"
		"                         [--redact REGEX]... [--no-bpf | --no-kmsg] [--quiet]\n"
		"Records every OOM kill until SIGINT/SIGTERM. Needs root (CAP_BPF, CAP_PERFMON,\n"
		"CAP_SYS_ADMIN for the task iterator).\n"
		"  --db PATH             database (default $OOMWITNESS_DB or " OW_DEFAULT_DB ")\n"
		"  --ready-file PATH     create PATH once every BPF program is attached\n"
		"  --incident-gap S      kills in one domain less than S seconds apart form one\n"
		"                        incident (default %d)\n"
		"  --ringbuf-mib N       ring buffer size, a power of two (default 8)\n"
		"  --interval DURATION   sample every process, memory cgroup and the system this\n"
		"                        often (default 1s; 0 turns the sampler off)\n"
		"  --window DURATION     memory history kept before an incident's first kill\n"
		"                        (default 10m); DURATION is N[ms|s|m|h]\n"
		"  --history-mib N       memory for the history ring, allocated at start (default\n"
		"                        %d); more processes shorten the window it holds\n"
		"  --listen ADDR:PORT    serve Prometheus metrics at http://ADDR:PORT/metrics\n"
		"                        (default " RECORD_METRICS_DEFAULT_LISTEN
		"; [IPv6]:PORT; none: off)\n"
		"  --jsonl PATH|-        append a JSON line per kill and per closed incident to\n"
		"                        PATH (created mode 0600), - for stdout (docs/json.md)\n"
		"  --max-age DURATION    delete closed incidents whose last kill is older (30d, 12h;\n"
		"                        default 0: keep them whatever their age)\n"
		"  --max-db-size SIZE    then delete the oldest closed incidents while the database\n"
		"                        is larger (512M, 2G; default 1G; 0: no limit); checked at\n"
		"                        start, every 5 minutes and when an incident closes\n"
		"  --redact REGEX        replace every match of REGEX (POSIX extended) in command\n"
		"                        lines by *** before they are kept anywhere; repeatable\n"
		"  --no-bpf              no BPF: record kernel OOM kills from /dev/kmsg alone\n"
		"                        (degraded: the kernel's task dump, no cgroups, no memory\n"
		"                        split, no signal kills, no history of processes)\n"
		"  --no-kmsg             do not read /dev/kmsg to confirm kills (the second\n"
		"                        witness; needs CAP_SYSLOG at start)\n"
		"  --quiet               no line per kill on stderr\n",
		OW_DEFAULT_GAP_S, OW_DEFAULT_HISTORY_MIB);
}

/*
 * A write failed. When the database cannot be written now (a full disk, a read-only file
 * system), what failed is held and retried, and the outage is said once (record_outage.h);
 * otherwise this one failure is logged. Returns whether it is held.
 */
static bool write_failed(struct recorder *rec, int r, const char *what)
{
	if (record_outage_holds(r)) {
		record_outage_failed(&rec->outage, ow_db_path(rec->opts.db), r,
				     ow_store_errmsg(rec->store), ow_clock_monotonic_ns());
		return true;
	}
	ow_log("%s: %s (%s)", what, strerror(-r), ow_store_errmsg(rec->store));
	return false;
}

/*
 * Writes the kills of an incident not yet in the database (the first *n_stored are), judged
 * anew. *n_failed counts its kills that a write failed to take: they are written late.
 */
static int write_kills(struct recorder *rec, struct ow_incident *inc, size_t *n_stored,
		       size_t *n_failed)
{
	struct ow_store_culprit_summary summary;
	struct ow_verdict verdict = { 0 };
	size_t from = *n_stored;
	char what[64];
	int r;

	r = ow_verdict_compute(inc, &rec->verdict_cfg, &verdict);
	if (r < 0) {
		ow_verdict_clear(&verdict);
		goto out_failed; /* -ENOMEM: held and retried as well */
	}
	summary.kind = ow_culprit_kind_name(verdict.culprit.kind);
	summary.pid = verdict.culprit.pid;
	summary.comm = verdict.culprit.comm;
	r = ow_store_append_kills(rec->store, inc, from, &summary);
	if (r == -ENOENT && inc->id) {
		/* Its row is gone (a database opened again after an outage had lost it): anew. */
		inc->id = 0;
		r = ow_store_append_kills(rec->store, inc, 0, &summary);
	}
	if (r >= 0) /* the kills just committed, judged as they were stored */
		record_jsonl_kills(rec->jsonl, inc, from, &verdict);
	ow_verdict_clear(&verdict);
	if (r < 0)
		goto out_failed;
	if (*n_failed > *n_stored) {
		rec->outage.late_kills += *n_failed - *n_stored;
		rec->outage.late_incidents++;
	}
	*n_failed = 0;
	*n_stored = inc->n_kills;
	return 0;

out_failed:
	snprintf(what, sizeof(what), "saving incident %lld", (long long)inc->id);
	if (write_failed(rec, r, what))
		*n_failed = inc->n_kills;
	return r;
}

/* Writes an incident's memory history; *unsaved is cleared once written, or given up on. */
static int write_history(struct recorder *rec, struct ow_incident *inc, bool *unsaved)
{
	int r = ow_store_save_history(rec->store, inc->id, inc->history);
	char what[64];

	if (r < 0) {
		snprintf(what, sizeof(what), "saving the memory history of incident %lld",
			 (long long)inc->id);
		if (!write_failed(rec, r, what))
			*unsaved = false; /* no retry would take it */
		return r;
	}
	*unsaved = false;
	record_metrics_history_attached(rec->metrics);
	return 0;
}

static void flush_held(struct recorder *rec, uint64_t now_mono_ns);

/*
 * Writes the kills of an open incident not yet in the database. One that works while writes
 * were failing writes everything held, at once.
 */
static int save_incident(struct recorder *rec, struct open_incident *oi)
{
	int r = write_kills(rec, &oi->inc, &oi->n_kills_stored, &oi->n_kills_failed);

	if (r == 0 && rec->outage.failing && !rec->flushing)
		flush_held(rec, ow_clock_monotonic_ns());
	return r;
}

static uint64_t clock_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * OW_NS_PER_S + (uint64_t)ts.tv_nsec;
}

/*
 * Cuts the incident's memory history out of the sampler's ring (the window before its first
 * kill to 10 s after its last, or now), judges the incident again with it and stores both.
 */
static void attach_history(struct recorder *rec, struct open_incident *oi)
{
	struct ow_incident *inc = &oi->inc;
	struct ow_history_request req;
	struct ow_history *h = NULL;
	int32_t pids[2 * OW_MAX_OPEN_INCIDENTS];
	size_t n_pids = 0;
	uint64_t now_ns = clock_real_ns(), start_ns;
	int r;

	if (!rec->sampler || inc->n_kills == 0 || oi->n_kills_with_history == inc->n_kills)
		return;
	ow_history_request_default(&req);
	req.first_kill_ns = inc->start_ns;
	req.from_ns = inc->start_ns > rec->opts.window_ns ? inc->start_ns - rec->opts.window_ns : 0;
	req.to_ns = inc->end_ns + OW_HISTORY_TAIL_NS < now_ns ? inc->end_ns + OW_HISTORY_TAIL_NS
							      : now_ns;
	req.window_ns = rec->opts.window_ns;
	req.domain_cgroup = inc->domain.kind == OW_DOMAIN_MEMCG ? inc->domain.cgroup : NULL;
	for (size_t k = 0; k < inc->n_kills && n_pids + 2 <= sizeof(pids) / sizeof(pids[0]); k++) {
		pids[n_pids++] = inc->kills[k].victim_pid;
		if (inc->kills[k].trigger_pid)
			pids[n_pids++] = inc->kills[k].trigger_pid;
	}
	req.pids = pids;
	req.n_pids = n_pids;
	oi->n_kills_with_history = inc->n_kills; /* tried once per kill count */
	start_ns = ow_clock_monotonic_ns();
	r = record_sampler_extract(rec->sampler, &req, &h);
	if (r < 0) {
		ow_log("incident %lld: no memory history: %s", (long long)inc->id,
		       r == -ENOENT ? "the sampler has no samples of that time" : strerror(-r));
		return;
	}
	/*
	 * An incident continued after a restart has the history the earlier recorder stored,
	 * reaching further back than this recorder's ring: the minutes before the first kill
	 * matter most, so that one stays.
	 */
	if (inc->history && inc->history->n_times && h->n_times &&
	    inc->history->time_ns[0] < h->time_ns[0]) {
		ow_history_free(h);
		return;
	}
	/* The ring keeps 191 bytes of a command line; the kill snapshots have it whole. */
	if (ow_history_complete_cmdlines(h, inc) == -ENOMEM)
		ow_log("incident %lld: memory history keeps command lines cut short: %s",
		       (long long)inc->id, strerror(ENOMEM));
	ow_history_free(inc->history);
	inc->history = h;
	oi->history_unsaved = true;
	/* The verdict may change with history (a grower named over a big idle process). */
	if (save_incident(rec, oi) < 0)
		return; /* held with the kills when the database cannot be written */
	if (oi->history_unsaved && write_history(rec, inc, &oi->history_unsaved) < 0)
		return;
	if (!rec->opts.quiet)
		fprintf(stderr,
			"oomwitness: incident %lld: memory history attached, %zu processes and %zu "
			"cgroups over %.0f s, cut and saved in %.1f ms%s\n",
			(long long)inc->id, h->n_procs, h->n_cgroups,
			h->n_times ? (double)(h->time_ns[h->n_times - 1] - h->time_ns[0]) / 1e9
				   : 0.0,
			(double)(ow_clock_monotonic_ns() - start_ns) / 1e6,
			h->truncated ? " (the window is cut short: recorder started later)" : "");
}

/* Attaches histories whose tail (10 s after the last kill) has been sampled. */
static void attach_due_histories(struct recorder *rec)
{
	uint64_t now_ns = clock_real_ns();

	for (size_t i = 0; i < rec->n_open; i++) {
		struct open_incident *oi = &rec->open[i];

		if (oi->n_kills_with_history != oi->inc.n_kills &&
		    now_ns >= oi->inc.end_ns + OW_HISTORY_TAIL_NS)
			attach_history(rec, oi);
	}
}

/* Queues a closed incident the database has not wholly taken (model/pending.h). */
static void hold_incident(struct recorder *rec, struct open_incident *oi)
{
	struct ow_pending_queue *q = &rec->pending;
	uint64_t kills, histories;
	size_t n;

	if (!q->max_incidents)
		ow_pending_init(q, OW_PENDING_MAX_INCIDENTS, OW_PENDING_MAX_BYTES);
	kills = q->kills_dropped;
	histories = q->histories_dropped;
	n = ow_pending_push(q, &oi->inc, oi->n_kills_stored, oi->history_unsaved);
	if (n)
		record_outage_dropped(&rec->outage, q, n, q->kills_dropped - kills,
				      q->histories_dropped - histories);
}

/*
 * Closes an open incident. What the database has not taken gets one more try; then it is held
 * until writes work again, or, when no retry could write it, reported.
 */
static void close_incident(struct recorder *rec, size_t i)
{
	struct open_incident *oi = &rec->open[i];
	int r = 0;

	attach_history(rec, oi); /* a gap under 10 s, or the recorder stopping */
	if (oi->n_kills_stored < oi->inc.n_kills)
		r = save_incident(rec, oi);
	if (r < 0 && !record_outage_holds(r))
		ow_log("dropping %zu unsaved kills of the incident in %s%s%s: %s",
		       oi->inc.n_kills - oi->n_kills_stored,
		       ow_domain_kind_name(oi->inc.domain.kind), oi->inc.domain.cgroup ? " " : "",
		       oi->inc.domain.cgroup ? oi->inc.domain.cgroup : "",
		       ow_store_errmsg(rec->store));
	else if (oi->n_kills_stored < oi->inc.n_kills || oi->history_unsaved)
		hold_incident(rec, oi); /* its incident line follows when it is written */
	else if (oi->inc.id)
		record_jsonl_incident(rec->jsonl, &oi->inc, &rec->verdict_cfg);
	ow_incident_clear(&oi->inc);
	rec->retention.due = true; /* prune at the next tick */
	rec->open[i] = rec->open[--rec->n_open];
	memset(&rec->open[rec->n_open], 0, sizeof(rec->open[rec->n_open]));
}

/* Writes the counts of what was lost while writes failed: ring-buffer records, dropped kills. */
static int write_counts(struct recorder *rec)
{
	int r;

	if (rec->lost_unsaved) {
		r = ow_store_add_lost_events(rec->store, rec->lost_unsaved);
		if (r < 0 && write_failed(rec, r, "saving the lost-record count"))
			return r;
		rec->lost_unsaved = 0;
	}
	if (rec->pending.kills_dropped) {
		r = ow_store_add_dropped_kills(rec->store, rec->pending.kills_dropped);
		if (r < 0 && write_failed(rec, r, "saving the dropped-kill count"))
			return r;
		rec->pending.kills_dropped = 0;
		rec->pending.incidents_dropped = 0;
		rec->pending.histories_dropped = 0;
	}
	return 0;
}

/*
 * Writes what is held because writes failed: the closed incidents, oldest first, then the open
 * incidents' kills and histories, then the counts of what was lost meanwhile. Stops at the
 * first write the database refuses (the next retry goes on from there); once all is written,
 * the outage is over, and says so.
 */
static void flush_held(struct recorder *rec, uint64_t now_mono_ns)
{
	rec->flushing = true;
	while (rec->pending.n > 0) {
		struct ow_pending_incident *p = ow_pending_at(&rec->pending, 0);
		size_t n_failed = p->inc.n_kills; /* every kill held was refused once */
		int r = write_kills(rec, &p->inc, &p->n_kills_stored, &n_failed);

		if (r == 0 && p->history_unsaved) {
			r = write_history(rec, &p->inc, &p->history_unsaved);
			if (r == 0)
				rec->outage.late_histories++;
		}
		if (r < 0 && record_outage_holds(r))
			goto out;
		if (r < 0 && p->n_kills_stored < p->inc.n_kills) { /* no retry could write it */
			ow_log("dropping %zu unsaved kills of the incident in %s%s%s",
			       p->inc.n_kills - p->n_kills_stored,
			       ow_domain_kind_name(p->inc.domain.kind),
			       p->inc.domain.cgroup ? " " : "",
			       p->inc.domain.cgroup ? p->inc.domain.cgroup : "");
			rec->pending.kills_dropped += p->inc.n_kills - p->n_kills_stored;
		} else if (p->inc.id) {
			record_jsonl_incident(rec->jsonl, &p->inc, &rec->verdict_cfg);
		}
		ow_pending_pop(&rec->pending);
	}
	for (size_t i = 0; i < rec->n_open; i++) {
		struct open_incident *oi = &rec->open[i];
		int r = 0;

		if (oi->n_kills_stored < oi->inc.n_kills)
			r = write_kills(rec, &oi->inc, &oi->n_kills_stored, &oi->n_kills_failed);
		if (r == 0 && oi->history_unsaved && oi->inc.id) {
			r = write_history(rec, &oi->inc, &oi->history_unsaved);
			if (r == 0)
				rec->outage.late_histories++;
		}
		if (r < 0 && record_outage_holds(r))
			goto out;
	}
	if (write_counts(rec) < 0)
		goto out;
	record_outage_over(&rec->outage, now_mono_ns);
out:
	rec->flushing = false;
}

/*
 * The retry timer ran out (or the recorder stops): first opens the database again by its path
 * when the open handle cannot recover (record_outage_reopens()), then writes what is held.
 * Only a file that is there: the empty mount point of a file system unmounted for repair must
 * not get a new database, which the repaired one mounted over it would hide.
 */
static void retry_held(struct recorder *rec, uint64_t now_mono_ns)
{
	const char *path = ow_db_path(rec->opts.db);
	struct ow_store *s;
	struct stat st;

	if (record_outage_reopens(rec->outage.last_err) && stat(path, &st) == 0 &&
	    S_ISREG(st.st_mode) && ow_store_open(path, OW_STORE_READ_WRITE, &s) == 0) {
		ow_store_close(rec->store);
		rec->store = s;
	}
	rec->outage.next_retry_mono_ns = now_mono_ns + RECORD_OUTAGE_RETRY_NS;
	flush_held(rec, now_mono_ns);
}

/*
 * Retention (record_retention.h): prunes when due, sparing the incidents still open. Not while
 * writes fail: it would fail too, and the incidents held must keep their rows.
 */
static void prune_closed(struct recorder *rec, uint64_t now_mono_ns)
{
	int64_t open_ids[OW_MAX_OPEN_INCIDENTS];

	if (rec->outage.failing)
		return;
	for (size_t i = 0; i < rec->n_open; i++)
		open_ids[i] = rec->open[i].inc.id;
	record_retention_tick(&rec->retention, rec->store, open_ids, rec->n_open, now_mono_ns);
}

/* Closes incidents whose last kill is older than the gap. */
static void expire_incidents(struct recorder *rec, uint64_t now_mono_ns)
{
	uint64_t gap_ns = (uint64_t)rec->opts.gap_s * 1000000000ULL;

	for (size_t i = 0; i < rec->n_open;)
		if (now_mono_ns > rec->open[i].last_kill_mono_ns + gap_ns)
			close_incident(rec, i);
		else
			i++;
}

/* The open incident this kill joins, loaded from the store after a restart, or a new one. */
static struct open_incident *incident_for(struct recorder *rec, const struct ow_kill *kill)
{
	uint64_t gap_ns = (uint64_t)rec->opts.gap_s * 1000000000ULL;
	struct open_incident *oi;
	int64_t id;

	for (size_t i = 0; i < rec->n_open; i++)
		if (ow_incident_takes_kill(&rec->open[i].inc, kill, gap_ns))
			return &rec->open[i];
	if (rec->n_open == OW_MAX_OPEN_INCIDENTS)
		close_incident(rec, 0);
	oi = &rec->open[rec->n_open++];
	memset(oi, 0, sizeof(*oi));
	if (ow_store_find_open_incident(rec->store, &kill->domain, kill->time_ns - gap_ns, &id) ==
	    0) {
		int r = ow_store_load_incident(rec->store, id, &oi->inc);

		if (r < 0) {
			ow_log("continuing incident %lld after a restart: %s, starting a new one",
			       (long long)id, strerror(-r));
			ow_incident_clear(&oi->inc);
		}
		oi->n_kills_stored = oi->inc.n_kills;
	}
	return oi;
}

/* Reads the BPF loss counter; logs and stores what is new. */
static void note_lost_records(struct recorder *rec)
{
	struct ow_bpf_counters counters;
	uint64_t delta;
	int r;

	if (!rec->bpf || ow_bpf_read_counters(rec->bpf, &counters) < 0)
		return;
	record_metrics_bpf_counters(rec->metrics, counters.kills, counters.lost_records);
	if (counters.lost_records <= rec->lost_seen)
		return;
	delta = counters.lost_records - rec->lost_seen;
	rec->lost_seen = counters.lost_records;
	if (!rec->lost_pending_since_ns)
		rec->lost_pending_since_ns = ow_clock_monotonic_ns();
	r = ow_store_add_lost_events(rec->store, delta);
	if (r < 0 && write_failed(rec, r, "saving the lost-record count"))
		rec->lost_unsaved += delta; /* written with what is held */
	ow_log("warning: %llu ring-buffer records lost (raise --ringbuf-mib)",
	       (unsigned long long)delta);
}

/* Losses not yet attributed to an incident; takes them (the caller attributes them). */
static uint64_t take_unattributed_lost(struct recorder *rec)
{
	uint64_t n =
		rec->lost_seen > rec->lost_attributed ? rec->lost_seen - rec->lost_attributed : 0;

	rec->lost_attributed += n;
	rec->lost_pending_since_ns = 0;
	return n;
}

/* Unattributed losses older than the gap belong to no incident: counted in the store only. */
static void expire_lost(struct recorder *rec, uint64_t now_mono_ns)
{
	uint64_t gap_ns = (uint64_t)rec->opts.gap_s * 1000000000ULL;

	if (rec->lost_pending_since_ns && now_mono_ns > rec->lost_pending_since_ns + gap_ns)
		(void)take_unattributed_lost(rec);
}

/*
 * The kill mark (store.h) as of now: the machine's OOM-kill count, less the kills not in the
 * database yet: those the kernel hook counted that the consumer has not dealt with, and those
 * the open and the held incidents hold unsaved, but for except's (the incident about to be
 * saved; may be NULL). The count is read before the hook's: a kill between the two reads
 * counts as not yet in the database, so that a mark may count a kill missed that was not,
 * never the reverse.
 */
static int kill_mark_now(struct recorder *rec, const struct open_incident *except,
			 struct ow_store_kill_mark *ret_mark)
{
	struct ow_bpf_counters counters = { 0 };
	struct ow_consumer_stats stats;
	uint64_t oom_kills, pending = 0;
	int r;

	r = ow_procfs_read_oom_kills("/", &oom_kills);
	if (r == 0 && rec->bpf)
		r = ow_bpf_read_counters(rec->bpf, &counters);
	if (r < 0)
		return r;
	ow_consumer_get_stats(rec->consumer, &stats);
	if (counters.kills > stats.last_kill_seq)
		pending = counters.kills - stats.last_kill_seq;
	for (size_t i = 0; i < rec->n_open; i++)
		if (&rec->open[i] != except)
			pending += rec->open[i].inc.n_kills - rec->open[i].n_kills_stored;
	pending += ow_pending_unsaved_kills(&rec->pending); /* held: the disk was full */
	ret_mark->boot_id = rec->boot_id;
	ret_mark->oom_kills = oom_kills > pending ? oom_kills - pending : 0;
	ret_mark->time_ns = clock_real_ns();
	return 0;
}

/* "incidents 3, 4 and 2 more" for the ids of n incidents (ids holds the first n_ids). */
static void format_incident_ids(char *buf, size_t size, const int64_t *ids, size_t n_ids, size_t n)
{
	size_t len;

	snprintf(buf, size, "incident%s", n == 1 ? "" : "s");
	for (size_t i = 0; i < n_ids && i < 8; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%lld", i ? ", " : " ", (long long)ids[i]);
	}
	len = strlen(buf);
	if (n > n_ids || n > 8)
		snprintf(buf + len, size - len, " and %zu more", n - (n_ids < 8 ? n_ids : 8));
}

/*
 * Kills the machine had while no recorder was running (docs/storage.md, "Crash safety"):
 * compares the machine's OOM-kill count with the mark the last recorder left; what it did not
 * witness is logged in one line, counted, and marks the incidents still open at its last
 * commit (last kill within the gap) partial. Then the mark starts again from now. Called once
 * attached: every kill after that is witnessed.
 */
static void check_missed_kills(struct recorder *rec)
{
	uint64_t gap_ns = (uint64_t)rec->opts.gap_s * OW_NS_PER_S, missed = 0, since_ns = INT64_MAX;
	struct ow_store_kill_mark last = { 0 }, now;
	int64_t ids[OW_MAX_OPEN_INCIDENTS];
	size_t n_incidents = 0;
	char which[320];
	double ago_s;
	int r, r_last;

	r = ow_procfs_read_boot_id("/", &rec->boot_id);
	if (r == 0)
		r = kill_mark_now(rec, NULL, &now);
	if (r < 0) {
		ow_log("warning: cannot read the machine's OOM-kill count (/proc/vmstat oom_kill, "
		       "boot_id): %s; kills while the recorder is not running will go unnoticed",
		       strerror(-r));
		return;
	}
	rec->kill_marks = true;
	r_last = ow_store_get_kill_mark(rec->store, &last);
	if (r_last < 0 && r_last != -ENOENT)
		ow_log("reading the last recorder's kill mark: %s, ignoring",
		       ow_store_errmsg(rec->store));
	if (r_last == 0 && last.boot_id == now.boot_id && now.oom_kills > last.oom_kills) {
		missed = now.oom_kills - last.oom_kills;
		since_ns = last.time_ns > gap_ns ? last.time_ns - gap_ns : 0;
	} else if (r_last == 0 && last.boot_id != now.boot_id) {
		/* Since this boot: none of them can be a stored incident's. */
		missed = now.oom_kills;
	}
	r = ow_store_add_missed_kills(rec->store, missed, since_ns, &now, ids,
				      sizeof(ids) / sizeof(ids[0]), &n_incidents);
	if (r < 0 && !missed) {
		ow_log("saving the kill mark: %s (%s), ignoring", strerror(-r),
		       ow_store_errmsg(rec->store));
		return;
	}
	if (!missed)
		return;
	if (r < 0)
		snprintf(which, sizeof(which), "the incidents open then are not marked: %s (%s)",
			 strerror(-r), ow_store_errmsg(rec->store));
	else if (n_incidents)
		format_incident_ids(which, sizeof(which), ids,
				    n_incidents < sizeof(ids) / sizeof(ids[0])
					    ? n_incidents
					    : sizeof(ids) / sizeof(ids[0]),
				    n_incidents);
	else
		snprintf(which, sizeof(which), "no incident was open then");
	ago_s = (double)((int64_t)now.time_ns - (int64_t)last.time_ns) / 1e9;
	if (last.boot_id != now.boot_id)
		ow_log("warning: %llu OOM %s since this machine booted happened before the recorder "
		       "started (the last recorder's last commit, %.0f s ago, was before a reboot: "
		       "kills after it and before the reboot cannot be counted)%s%s",
		       (unsigned long long)missed, missed == 1 ? "kill" : "kills", ago_s,
		       r < 0 ? "; " : "", r < 0 ? which : "");
	else
		ow_log("warning: %llu OOM %s on this machine happened while the recorder was not "
		       "running (its last commit was %.1f s ago): %s%s",
		       (unsigned long long)missed, missed == 1 ? "kill" : "kills", ago_s, which,
		       r == 0 && n_incidents ? " marked partial" : "");
}

/*
 * A kill of an open incident got what followed it (aftermath, the kernel's report): writes
 * that to its stored row. A kill not stored yet takes it with its first save; a failed update
 * has the kill written again from that one on.
 */
static void kill_followed(struct recorder *rec, struct open_incident *oi, size_t index)
{
	int r;

	if (index >= oi->n_kills_stored || !oi->inc.id)
		return;
	r = ow_store_update_kill_followup(rec->store, oi->inc.id, index, &oi->inc.kills[index]);
	if (r < 0) {
		if (r != -ENOENT)
			(void)write_failed(rec, r, "saving what followed a kill");
		oi->n_kills_stored = index; /* rewritten from it at the next save */
	}
}

/* Calls fn on every kill of an open incident whose victim is pid, killed at or before t_ns. */
static void for_victim_kills(struct recorder *rec, int32_t pid, uint64_t t_ns,
			     bool (*fn)(struct ow_kill *kill, const void *arg), const void *arg)
{
	for (size_t i = 0; i < rec->n_open; i++) {
		struct open_incident *oi = &rec->open[i];

		for (size_t k = 0; k < oi->inc.n_kills; k++) {
			struct ow_kill *kill = &oi->inc.kills[k];

			if (kill->victim_pid == pid && kill->time_ns <= t_ns + 1000000000ULL &&
			    fn(kill, arg))
				kill_followed(rec, oi, k);
		}
	}
}

/* The victim's memory at the kill less what was left: what the reaper freed. */
static uint64_t reaped_bytes(const struct ow_kill *kill, uint64_t rss_left_bytes)
{
	const struct ow_process *v = ow_kill_find_process(kill, kill->victim_pid);
	uint64_t rss = v ? ow_process_rss_bytes(v) : 0;

	return rss_left_bytes != UINT64_MAX && rss > rss_left_bytes ? rss - rss_left_bytes : 0;
}

static bool set_exit(struct ow_kill *kill, const void *arg)
{
	const struct ow_followup *f = arg;

	if (kill->after.exit_ns)
		return false;
	kill->after.exit_ns = f->time_ns;
	return true;
}

static bool set_reap(struct ow_kill *kill, const void *arg)
{
	const struct ow_followup *f = arg;

	if (f->kind == OW_FOLLOWUP_REAP_START) {
		if (kill->after.reap_start_ns)
			return false;
		kill->after.reap_start_ns = f->time_ns;
		return true;
	}
	if (kill->after.reap_end_ns)
		return false;
	kill->after.reap_end_ns = f->time_ns;
	kill->after.reaped_bytes = reaped_bytes(kill, f->rss_left_bytes);
	return true;
}

/* What the kernel hooks saw after a kill: exits, the OOM reaper, oom_score_adj changes. */
static void on_followup(const struct ow_followup *f, void *ctx)
{
	struct recorder *rec = ctx;

	switch (f->kind) {
	case OW_FOLLOWUP_ADJ:
		if (rec->adj_audit)
			(void)ow_adj_audit_add(rec->adj_audit, f->pid, &f->adj); /* -ENOMEM: lost */
		break;
	case OW_FOLLOWUP_EXIT:
		if (rec->adj_audit)
			ow_adj_audit_on_exit(rec->adj_audit, f->pid, ow_clock_monotonic_ns());
		for_victim_kills(rec, f->pid, f->time_ns, set_exit, f);
		break;
	case OW_FOLLOWUP_REAP_START:
	case OW_FOLLOWUP_REAP_END:
		for_victim_kills(rec, f->pid, f->time_ns, set_reap, f);
		break;
	}
}

/*
 * Without the kernel's struct oom_control the domain was inferred from the snapshot
 * (docs/verdict.md, rule 0). When the kernel's report names another, the kill stays where it
 * was filed, and this line is the evidence of a wrong inference.
 */
static void say_domain_disagreement(const struct ow_kill *kill)
{
	const struct ow_domain *d = &kill->domain;

	if (ow_kill_report_disagrees(kill))
		ow_log("warning: kill of pid %d: the kernel reports constraint=%s oom_memcg=%s, "
		       "filed under %s%s%s (inferred from the snapshot)",
		       kill->victim_pid, ow_oom_constraint_name(kill->kernel_report.constraint),
		       kill->kernel_report.oom_memcg ? kill->kernel_report.oom_memcg : "(none)",
		       ow_domain_kind_name(d->kind), d->cgroup ? " " : "",
		       d->cgroup ? d->cgroup : "");
}

/* The kernel's report of a kill (/dev/kmsg): confirms the BPF kill, or waits for it. */
static void on_kmsg_report(const struct ow_kill *report, void *ctx)
{
	struct recorder *rec = ctx;

	for (size_t i = 0; i < rec->n_open; i++) {
		struct open_incident *oi = &rec->open[i];

		for (size_t k = oi->inc.n_kills; k-- > 0;) {
			struct ow_kill *kill = &oi->inc.kills[k];

			if ((kill->flags & OW_KILL_KMSG_CONFIRMED) ||
			    !ow_kmsg_kill_matches(report, kill, RECORD_KMSG_MATCH_WINDOW_NS))
				continue;
			if (ow_kmsg_kill_confirm(kill, report) == 0) {
				say_domain_disagreement(kill);
				kill_followed(rec, oi, k);
			}
			return;
		}
	}
	(void)record_kmsg_keep(rec->kmsg, report); /* -ENOMEM: unconfirmed */
}

/* The kernel's oom_reaper line: what it freed, for a kill BPF did not see reaped. */
static bool set_reaped_line(struct ow_kill *kill, const void *arg)
{
	const struct ow_kmsg_reaped *line = arg;

	if (kill->after.reap_end_ns)
		return false;
	kill->after.reap_end_ns = line->time_ns;
	kill->after.reaped_bytes = line->reaped_bytes != UINT64_MAX
					   ? line->reaped_bytes
					   : reaped_bytes(kill, line->rss_left_bytes);
	return true;
}

static void on_kmsg_reaped(const struct ow_kmsg_reaped *line, void *ctx)
{
	for_victim_kills(ctx, line->pid, line->time_ns, set_reaped_line, line);
}

/*
 * What the kill's records cannot carry, read now: the memory of its domain that no process
 * owns, and the oom_score_adj history of the victim, the killer or trigger, and every process
 * of the domain. Neither is worth losing the kill for: a failure leaves it out.
 */
static void enrich_kill(struct recorder *rec, struct ow_kill *kill)
{
	const char *cgroup = kill->domain.kind == OW_DOMAIN_MEMCG ? kill->domain.cgroup : NULL;
	int r;

	r = ow_unowned_read("/", rec->memcg_version, cgroup, &kill->unowned);
	if (r < 0 && r != -ENOENT) /* -ENOENT: the cgroup is gone already */
		ow_log("kill of pid %d: memory no process owns not read: %s", kill->victim_pid,
		       strerror(-r));
	for (size_t i = 0; i < kill->n_procs; i++) {
		struct ow_process *p = &kill->procs[i];
		const char *cmdline;

		/* The kernel's task dump has no command lines: those of processes still there. */
		if ((kill->flags & OW_KILL_FROM_KMSG) && !p->cmdline &&
		    (cmdline = ow_cmdline_cache_get(rec->cmdlines, p->pid, 0)))
			p->cmdline = ow_shared_str_ref(cmdline);
	}
	for (size_t i = 0; rec->adj_audit && i < kill->n_procs; i++) {
		struct ow_process *p = &kill->procs[i];

		if (p->pid == kill->victim_pid || p->pid == kill->trigger_pid ||
		    (p->flags & OW_PROC_IN_DOMAIN))
			(void)ow_adj_audit_attach(rec->adj_audit, p); /* -ENOMEM: left out */
	}
}

/* The kernel's struct oom_control for this kill, preferred to what was inferred. */
static void take_oom_control(struct recorder *rec, struct ow_kill *kill)
{
	struct ow_oom_control oc;

	if (kill->killer_kind != OW_KILLER_KERNEL || ow_oomctl_take(rec->oomctl, kill, &oc) <= 0)
		return;
	if (ow_oom_control_apply(&oc, kill) < 0)
		ow_log("warning: kill of pid %d: no memory for the kernel's oom_control",
		       kill->victim_pid);
}

static void on_kill(struct ow_kill *kill, void *ctx)
{
	struct recorder *rec = ctx;
	uint64_t kill_time_ns = kill->time_ns;
	int32_t victim_pid = kill->victim_pid;
	const struct ow_process *victim = ow_kill_find_process(kill, kill->victim_pid);
	char victim_comm[OW_COMM_LEN] = "?";
	struct ow_store_kill_mark mark;
	struct open_incident *oi;
	struct timespec now;
	int r;

	if (victim)
		memcpy(victim_comm, victim->comm, sizeof(victim_comm));
	enrich_kill(rec, kill);
	if (rec->kmsg && !(kill->flags & OW_KILL_FROM_KMSG))
		(void)record_kmsg_take(rec->kmsg, kill); /* its report came first */
	take_oom_control(rec, kill);
	say_domain_disagreement(kill);
	record_metrics_kill(rec->metrics, kill->killer_kind, &kill->domain,
			    victim ? victim->cgroup : NULL, kill->time_ns);
	oi = incident_for(rec, kill);
	if (oi->inc.n_kills > 0 && kill->time_ns < oi->inc.end_ns)
		oi->n_kills_stored = 0; /* lands before stored kills: rewrite them all */
	rec->lost_attributed += kill->lost_events; /* reported by the kill itself */
	r = ow_incident_add_kill(&oi->inc, kill);
	if (r < 0) {
		ow_log("recording kill of pid %d: %s", victim_pid, strerror(-r));
		return;
	}
	if (oi->inc.n_kills == 1) /* not one continued after a restart */
		record_metrics_incident(rec->metrics);
	oi->last_kill_mono_ns = ow_clock_monotonic_ns();
	note_lost_records(rec);
	oi->inc.lost_events += take_unattributed_lost(rec);
	rec->kills_recorded++;

	/* The kill mark commits with these kills, or not at all (docs/storage.md). */
	if (rec->kill_marks && kill_mark_now(rec, oi, &mark) == 0)
		ow_store_stage_kill_mark(rec->store, &mark);
	r = save_incident(rec, oi);
	ow_store_stage_kill_mark(rec->store, NULL); /* unused when that save did not reach it */
	if (rec->opts.quiet)
		return;
	if (r < 0) { /* said once for the outage (record_outage.h); written when writes work */
		fprintf(stderr,
			"oomwitness: kill of pid %d (%s) in %s%s%s: kill #%zu, held in memory: the "
			"database cannot be written\n",
			victim_pid, victim_comm, ow_domain_kind_name(oi->inc.domain.kind),
			oi->inc.domain.cgroup ? " " : "",
			oi->inc.domain.cgroup ? oi->inc.domain.cgroup : "", oi->inc.n_kills);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	fprintf(stderr,
		"oomwitness: kill of pid %d (%s) in %s%s%s: incident %lld, kill #%zu, "
		"committed %.1f ms after the kill\n",
		victim_pid, victim_comm, ow_domain_kind_name(oi->inc.domain.kind),
		oi->inc.domain.cgroup ? " " : "",
		oi->inc.domain.cgroup ? oi->inc.domain.cgroup : "", (long long)oi->inc.id,
		oi->inc.n_kills,
		((int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - (int64_t)kill_time_ns) / 1e6);
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct recorder *rec = ctx;
	int r = ow_consumer_handle(rec->consumer, data, size);

	rec->last_record_mono_ns = ow_clock_monotonic_ns();
	if (r < 0)
		ow_log("assembling a kill: %s; that kill is dropped", strerror(-r));
	return 0;
}

/* sd_notify(READY=1) without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const char msg[] = "READY=1";
	socklen_t len;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract socket */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&sa, len) < 0)
		ow_log("sd_notify READY=1 to %s: %s, ignoring", path, strerror(errno));
	close(fd);
}

static int write_ready_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	dprintf(fd, "%d\n", getpid());
	close(fd);
	return 0;
}

/* "500ms", "1s", "10m", "2h", or a bare number of seconds. Returns 0 or -EINVAL. */
static int parse_duration_ns(const char *text, uint64_t *ret_ns)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = { { "ms", 1000000ULL },
		      { "s", OW_NS_PER_S },
		      { "", OW_NS_PER_S },
		      { "m", 60 * OW_NS_PER_S },
		      { "h", 3600 * OW_NS_PER_S } };
	unsigned long long v;
	char *end;

	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || v > 1000000000ULL)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			*ret_ns = v * units[i].ns;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_options(int argc, char **argv, struct record_options *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "incident-gap", required_argument, NULL, 'g' },
		{ "ringbuf-mib", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' },
		{ "window", required_argument, NULL, 'w' },
		{ "history-mib", required_argument, NULL, 'm' },
		{ "listen", required_argument, NULL, 'l' },
		{ "jsonl", required_argument, NULL, 'j' },
		{ "max-age", required_argument, NULL, 'A' },
		{ "max-db-size", required_argument, NULL, 'S' },
		{ "redact", required_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-bpf", no_argument, NULL, 'B' },
		{ "no-kmsg", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	o->gap_s = OW_DEFAULT_GAP_S;
	o->ringbuf_mib = 8;
	o->interval_ns = OW_DEFAULT_INTERVAL_NS;
	o->window_ns = OW_DEFAULT_WINDOW_NS;
	o->history_mib = OW_DEFAULT_HISTORY_MIB;
	o->max_db_bytes = RECORD_RETENTION_DEFAULT_MAX_DB_BYTES;
	o->listen = RECORD_METRICS_DEFAULT_LISTEN;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->db = optarg;
			break;
		case 'r':
			o->ready_file = optarg;
			break;
		case 'g':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 86400) {
				ow_log("--incident-gap takes seconds from 1 to 86400, not '%s'",
				       optarg);
				return -EINVAL;
			}
			o->gap_s = (unsigned)v;
			break;
		case 'b':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1024 || (v & (v - 1))) {
				ow_log("--ringbuf-mib takes a power of two from 1 to 1024, not '%s'",
				       optarg);
				return -EINVAL;
			}
			o->ringbuf_mib = (unsigned)v;
			break;
		case 'i':
			if (parse_duration_ns(optarg, &o->interval_ns) < 0 ||
			    (o->interval_ns && o->interval_ns < 10000000ULL) ||
			    o->interval_ns > 3600ULL * OW_NS_PER_S) {
				ow_log("--interval takes 0 (off) or a duration from 10ms to 1h, "
				       "not '%s'",
				       optarg);
				return -EINVAL;
			}
			break;
		case 'w':
			if (parse_duration_ns(optarg, &o->window_ns) < 0 ||
			    o->window_ns < OW_NS_PER_S || o->window_ns > 86400ULL * OW_NS_PER_S) {
				ow_log("--window takes a duration from 1s to 24h, not '%s'",
				       optarg);
				return -EINVAL;
			}
			break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 4096) {
				ow_log("--history-mib takes a number from 1 to 4096, not '%s'",
				       optarg);
				return -EINVAL;
			}
			o->history_mib = (unsigned)v;
			break;
		case 'l':
			if (strcmp(optarg, "none") != 0 &&
			    record_metrics_check_listen(optarg) < 0) {
				ow_log("--listen takes ADDR:PORT (numeric IPv4), [ADDR]:PORT "
				       "(IPv6) or none, not '%s'",
				       optarg);
				return -EINVAL;
			}
			o->listen = optarg;
			o->listen_given = true;
			break;
		case 'j':
			if (!*optarg) {
				ow_log("--jsonl takes a file path or - (standard output)");
				return -EINVAL;
			}
			o->jsonl = optarg;
			break;
		case 'A':
			if (ow_parse_duration_ns(optarg, &o->max_age_ns) < 0) {
				ow_log("--max-age takes 0 (keep forever) or a duration like 30d, "
				       "12h or 90m, not '%s'",
				       optarg);
				return -EINVAL;
			}
			break;
		case 'S':
			if (ow_parse_size_bytes(optarg, &o->max_db_bytes) < 0 ||
			    (o->max_db_bytes && o->max_db_bytes < RECORD_RETENTION_MIN_DB_BYTES)) {
				ow_log("--max-db-size takes 0 (no limit) or a size of at least 1M "
				       "like 512M or 2G (K, M, G, T: powers of 1024), not '%s'",
				       optarg);
				return -EINVAL;
			}
			break;
		case 'R': {
			char why[128] = "out of memory";

			if ((!o->redact && ow_redactor_new(&o->redact) < 0) ||
			    ow_redactor_add(o->redact, optarg, why, sizeof(why)) < 0) {
				ow_log("--redact takes a POSIX extended regular expression, not '%s': "
				       "%s",
				       optarg, why);
				return -EINVAL;
			}
			break;
		}
		case 'q':
			o->quiet = true;
			break;
		case 'B':
			o->no_bpf = true;
			break;
		case 'K':
			o->no_kmsg = true;
			break;
		case 'h':
			record_usage(stdout);
			return 1;
		default:
			record_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		ow_log("record takes no arguments, got '%s'", argv[optind]);
		record_usage(stderr);
		return -EINVAL;
	}
	if (o->no_bpf && o->no_kmsg) {
		ow_log("--no-bpf and --no-kmsg together leave no witness of kills: give one");
		return -EINVAL;
	}
	return 0;
}

/*
 * Locks memory, asks the OOM killer to spare us and the scheduler to run us first; warns where
 * the machine says no.
 */
static void protect(const struct record_options *o)
{
	struct protect_report rep;

	protect_self(OW_HEAP_RESERVE_BYTES, &rep);
	if (rep.mlock_err)
		ow_log("warning: cannot lock the recorder's memory (mlockall: %s); it may be "
		       "reclaimed or swapped out when memory runs short",
		       strerror(-rep.mlock_err));
	if (rep.adj_err || rep.adj != -1000)
		ow_log("warning: cannot set the recorder's oom_score_adj to -1000 (%s; it is %d): "
		       "the OOM killer may pick the recorder",
		       rep.adj_err ? strerror(-rep.adj_err) : "refused", rep.adj);
	if (rep.nice_err || rep.nice != OW_RECORDER_NICE)
		ow_log("warning: cannot set the recorder's nice value to %d (%s; it is %d): "
		       "processes filling every CPU as memory runs out may delay its records "
		       "(CAP_SYS_NICE)",
		       OW_RECORDER_NICE, rep.nice_err ? strerror(-rep.nice_err) : "refused",
		       rep.nice);
	(void)o;
}

/* A clean stop: every kill so far is in the database or was reported (docs/storage.md). */
static void save_stop_kill_mark(struct recorder *rec)
{
	struct ow_store_kill_mark mark;
	int r = kill_mark_now(rec, NULL, &mark);

	if (r == 0)
		r = ow_store_save_kill_mark(rec->store, &mark);
	if (r < 0)
		ow_log("saving the kill mark at stop: %s (%s); the next start will count the kills "
		       "since the last commit as missed, ignoring",
		       strerror(-r), ow_store_errmsg(rec->store));
}

/* The sampler's cost and reach, for the stop line. */
static void log_sampler_stats(const struct record_sampler *sampler)
{
	struct record_sampler_stats st;
	long rss_kib = 0;
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &rss_kib) == 1)
			break;
	if (f)
		fclose(f);
	record_sampler_stats(sampler, &st);
	fprintf(stderr,
		"oomwitness: sampler: %llu samples of %zu processes and %zu cgroups, CPU %.3f ms "
		"per sample (max %.3f ms, first %.1f ms); ring holds %.0f s in %.1f MiB; recorder "
		"RSS %.1f MiB\n",
		(unsigned long long)st.samples, st.last_processes, st.last_cgroups,
		st.samples > 1 ? (double)st.cpu_ns_total / (double)(st.samples - 1) / 1e6 : 0.0,
		(double)st.cpu_ns_max / 1e6, (double)st.cpu_ns_first / 1e6,
		st.ring.frames_kept
			? (double)(st.ring.newest_real_ns - st.ring.oldest_real_ns) / 1e9
			: 0.0,
		(double)st.ring.arena_used_bytes / 1048576.0, (double)rss_kib / 1024.0);
	if (st.ring.processes_untracked || st.tasks_dropped)
		ow_log("warning: the sampler's tables were full: %llu process samples left out",
		       (unsigned long long)st.ring.processes_untracked +
			       (unsigned long long)st.tasks_dropped);
}

/* --no-bpf: waits for the kernel log instead of the ring buffer. */
static int poll_kmsg(struct recorder *rec, int timeout_ms)
{
	struct pollfd pfd = { .fd = rec->kmsg ? record_kmsg_fd(rec->kmsg) : -1, .events = POLLIN };

	if (poll(&pfd, 1, timeout_ms) < 0)
		return -errno;
	return 0;
}

/*
 * Reads what the kernel logged since the last wake-up. A broken reader is given up, once;
 * with --no-bpf it was the only witness: -EIO, and the recorder stops.
 */
static int read_kmsg(struct recorder *rec)
{
	int r;

	if (!rec->kmsg)
		return 0;
	r = record_kmsg_read(rec->kmsg);
	if (r < 0 && r != -EINTR) {
		ow_log("reading /dev/kmsg: %s; %s", strerror(-r),
		       rec->bpf ? "going on without the second witness"
				: "it was the only witness (--no-bpf): stopping");
		record_kmsg_free(rec->kmsg);
		rec->kmsg = NULL;
		return rec->bpf ? 0 : -EIO;
	}
	record_kmsg_expire(rec->kmsg, clock_real_ns());
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct recorder rec = { 0 };
	struct ow_consumer_config ccfg = { 0 };
	struct ow_bpf_options bopts = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *db;
	char what[512];
	int r, exit_code = OW_EXIT_FAILURE;

	/* 1. options */
	r = parse_options(argc, argv, &rec.opts);
	if (r != 0) {
		ow_redactor_free(rec.opts.redact);
		return r > 0 ? OW_EXIT_OK : OW_EXIT_USAGE;
	}
	db = ow_db_path(rec.opts.db);
	ow_verdict_config_default(&rec.verdict_cfg);
	umask(077); /* all it creates is the owner's: command lines can hold secrets */
	protect(&rec.opts);

	/* 2. store */
	r = ow_store_open(db, OW_STORE_READ_WRITE, &rec.store);
	if (r < 0) {
		ow_log_store_open_error(db, r, true);
		return OW_EXIT_FAILURE;
	}
	rec.retention.max_age_ns = rec.opts.max_age_ns;
	rec.retention.max_db_bytes = rec.opts.max_db_bytes;
	record_retention_start(&rec.retention, rec.store, ow_clock_monotonic_ns());
	if (rec.opts.jsonl) {
		r = record_jsonl_open(rec.opts.jsonl, &rec.jsonl);
		if (r < 0) {
			ow_log("opening the --jsonl file %s: %s", rec.opts.jsonl, strerror(-r));
			goto out_close;
		}
	}

	/* 3. capture set-up: command lines now, symbols once, the consumer */
	r = ow_cmdline_cache_new("/", OW_CMDLINE_GRACE_NS, &rec.cmdlines);
	if (r < 0) {
		ow_log("allocating the command-line cache: %s", strerror(-r));
		goto out_close;
	}
	(void)ow_cmdline_cache_set_redactor(rec.cmdlines, rec.opts.redact); /* empty: cannot fail */
	r = ow_cmdline_cache_scan(rec.cmdlines);
	if (r < 0)
		ow_log("reading command lines from /proc: %s, ignoring", strerror(-r));
	r = ow_kallsyms_load("/", &rec.kallsyms);
	if (r < 0)
		ow_log("reading /proc/kallsyms: %s; kernel stacks will show addresses, ignoring",
		       strerror(-r));
	ccfg.root = "/";
	ccfg.page_size = (uint32_t)sysconf(_SC_PAGESIZE);
	ccfg.memcg_version = ow_cgroupfs_memory_version("/");
	rec.memcg_version = ccfg.memcg_version;
	ccfg.boot_to_real_ns = ow_clock_boot_to_real_ns();
	ccfg.cmdlines = rec.cmdlines;
	ccfg.kallsyms = rec.kallsyms;
	ccfg.on_kill = on_kill;
	ccfg.on_followup = on_followup;
	ccfg.ctx = &rec;
	r = ow_consumer_new(&ccfg, &rec.consumer);
	if (r < 0) {
		ow_log("allocating the consumer: %s", strerror(-r));
		goto out_close;
	}

	if (rec.opts.interval_ns && rec.opts.no_bpf) {
		ow_log("warning: no memory history with --no-bpf: the sampler reads processes with "
		       "BPF");
		rec.opts.interval_ns = 0;
	}
	if (rec.opts.interval_ns) {
		struct record_sampler_config scfg = {
			.interval_ns = rec.opts.interval_ns,
			.window_ns = rec.opts.window_ns,
			.history_bytes = (size_t)rec.opts.history_mib << 20,
			.cmdlines = rec.cmdlines,
		};

		r = record_sampler_new(&scfg, &rec.sampler, what, sizeof(what));
		if (r < 0)
			ow_log("warning: no memory history: the sampler cannot start: %s: %s; "
			       "recording kills without it",
			       what, strerror(-r));
	}

	/* 4. attach */
	bopts.ringbuf_bytes = (size_t)rec.opts.ringbuf_mib << 20;
	bopts.on_record = on_record;
	bopts.ctx = &rec;
	if (!rec.opts.no_bpf) {
		r = ow_bpf_start(&bopts, &rec.bpf, what, sizeof(what));
		if (r < 0) {
			ow_log("cannot start capture: %s: %s (--no-bpf records from /dev/kmsg "
			       "alone)",
			       what, strerror(-r));
			goto out_close;
		}
	}
	if (rec.bpf) { /* optional: the kernel's struct oom_control at each kill */
		r = ow_oomctl_start(ccfg.page_size, &rec.oomctl, what, sizeof(what));
		if (r < 0)
			ow_log("warning: no struct oom_control (kernel-reported constraint and "
			       "totalpages): %s; recording with the tracepoints alone",
			       what);
	}
	if (rec.bpf && ow_bpf_missing_hooks(rec.bpf))
		ow_log("warning: this kernel does not give %s: recording without them",
		       ow_bpf_missing_hooks(rec.bpf));
	/* The second witness: before the capabilities go (reading the kernel log needs one). */
	if (!rec.opts.no_kmsg) {
		struct record_kmsg_config kcfg = {
			.kills = rec.opts.no_bpf,
			.page_size = ccfg.page_size,
			.on_report = on_kmsg_report,
			.on_kill = on_kill,
			.on_reaped = on_kmsg_reaped,
			.ctx = &rec,
		};

		r = record_kmsg_open(&kcfg, &rec.kmsg, what, sizeof(what));
		if (r < 0 && rec.opts.no_bpf) {
			ow_log("cannot record with --no-bpf: %s: %s", what, strerror(-r));
			goto out_close;
		}
		if (r < 0)
			ow_log("warning: no second witness: %s: %s; kills are recorded without the "
			       "kernel's own report (--no-kmsg turns this off)",
			       what, strerror(-r));
	}
	check_missed_kills(&rec); /* attached: every kill from now on is witnessed */
	/* Attached: every change from now on is seen, so what /proc says now came before. */
	if (ow_adj_audit_new("/", OW_CMDLINE_GRACE_NS, &rec.adj_audit) < 0 ||
	    ow_adj_audit_scan(rec.adj_audit) < 0)
		ow_log("warning: oom_score_adj values before the start not read; changes will "
		       "show no old value");
	(void)caps_drop_after_attach(); /* before any thread: the metrics one inherits it */
	if (strcmp(rec.opts.listen, "none") != 0) {
		r = record_metrics_start(rec.opts.listen, OW_VERSION, &rec.metrics, what,
					 sizeof(what));
		if (r < 0 && rec.opts.listen_given) {
			ow_log("cannot serve metrics: %s: %s (--listen none records without them)",
			       what, strerror(-r));
			goto out_close;
		}
		if (r < 0)
			ow_log("warning: no metrics: %s: %s; recording without them (--listen "
			       "ADDR:PORT picks another address, --listen none turns this off)",
			       what, strerror(-r));
	}

	/* 5. ready */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (rec.opts.ready_file) {
		r = write_ready_file(rec.opts.ready_file);
		if (r < 0) {
			ow_log("creating ready file %s: %s", rec.opts.ready_file, strerror(-r));
			goto out_close;
		}
	}
	notify_ready();
	if (!rec.opts.quiet)
		fprintf(stderr,
			"oomwitness: recording to %s (memory cgroup v%d; hooks: %s%s%s%s)\n", db,
			ccfg.memcg_version,
			rec.bpf ? ow_bpf_hooks_description()
				: "none: kills from /dev/kmsg alone (--no-bpf), DEGRADED: the "
				  "kernel's task dump, no cgroups of processes, no user-space kills",
			rec.bpf && rec.kmsg ? ", /dev/kmsg" : "", rec.oomctl ? ", " : "",
			rec.oomctl ? ow_oomctl_hook_name(ow_oomctl_hook(rec.oomctl)) : "");
	if (rec.metrics && !rec.opts.quiet)
		fprintf(stderr, "oomwitness: serving metrics at %s\n",
			record_metrics_url(rec.metrics));

	/* 6. poll until asked to stop */
	uint64_t next_purge_ns = 0;

	while (!stop_requested) {
		/* Idle, the loop wakes once a second (or at each tick); mid-kill, 5 times. */
		int timeout_ms = ow_consumer_busy(rec.consumer) ? 200 : 1000;
		uint64_t now;

		if (rec.sampler) {
			int to_tick_ms;

			if (record_sampler_tick(rec.sampler, ow_clock_monotonic_ns()) > 0)
				record_metrics_sampler(rec.metrics, rec.sampler);
			to_tick_ms =
				record_sampler_ms_to_next(rec.sampler, ow_clock_monotonic_ns());
			if (to_tick_ms < timeout_ms)
				timeout_ms = to_tick_ms;
		}
		r = rec.bpf ? ow_bpf_poll(rec.bpf, timeout_ms) : poll_kmsg(&rec, timeout_ms);
		if (r < 0 && r != -EINTR) {
			ow_log("polling the ring buffer: %s", strerror(-r));
			goto out_close;
		}
		/* The execs of the drain, but of processes that already exited within it. */
		ow_cmdline_cache_load_pending(rec.cmdlines);
		if (read_kmsg(&rec) < 0)
			goto out_close;
		now = ow_clock_monotonic_ns(); /* after the kills the poll consumed */
		/* A kill whose end record was lost: hand it over, partial, rather than wait. */
		if (ow_consumer_busy(rec.consumer) &&
		    now > rec.last_record_mono_ns + OW_KILL_END_TIMEOUT_NS)
			ow_consumer_flush(rec.consumer);
		ow_consumer_set_clock_offset(rec.consumer, ow_clock_boot_to_real_ns());
		attach_due_histories(&rec);
		if (record_outage_retry_due(&rec.outage, now))
			retry_held(&rec, now);
		expire_incidents(&rec, now);
		prune_closed(&rec, now);
		if (now >= next_purge_ns) { /* a walk of the whole cache: every 10 s */
			ow_cmdline_cache_purge(rec.cmdlines, now);
			if (rec.adj_audit)
				ow_adj_audit_purge(rec.adj_audit, now);
			next_purge_ns = now + 10 * OW_NS_PER_S;
		}
		note_lost_records(&rec);
		expire_lost(&rec, now);
	}

	/* 7. drain what is already in the ring buffer, finish a kill cut short */
	while (rec.bpf && ow_bpf_poll(rec.bpf, 0) > 0)
		;
	ow_consumer_flush(rec.consumer);
	(void)read_kmsg(&rec); /* the reports of the kills just drained */
	exit_code = OW_EXIT_OK;
	if (!rec.opts.quiet) {
		struct ow_bpf_counters counters = { 0 };
		struct ow_consumer_stats stats;

		if (rec.bpf)
			(void)ow_bpf_read_counters(rec.bpf, &counters);
		ow_consumer_get_stats(rec.consumer, &stats);
		fprintf(stderr,
			"oomwitness: stopped; %llu kills recorded, %llu seen by the kernel hook\n",
			(unsigned long long)rec.kills_recorded, (unsigned long long)counters.kills);
		/* Never silent: kills handed over incomplete, records the consumer could not read. */
		if (stats.partial_kills || stats.malformed)
			ow_log("warning: %llu kills recorded with incomplete snapshots, %llu malformed "
			       "records ignored",
			       (unsigned long long)stats.partial_kills,
			       (unsigned long long)stats.malformed);
		if (rec.sampler)
			log_sampler_stats(rec.sampler);
		if (rec.kmsg) {
			struct record_kmsg_stats ks;

			record_kmsg_get_stats(rec.kmsg, &ks);
			fprintf(stderr,
				"oomwitness: /dev/kmsg: %llu kernel reports of kills read; %llu matched "
				"no recorded kill; %llu records overwritten before they were read\n",
				(unsigned long long)ks.reports, (unsigned long long)ks.unmatched,
				(unsigned long long)ks.overruns);
		}
	}

out_close:
	while (rec.n_open > 0)
		close_incident(&rec, rec.n_open - 1);
	if (rec.outage.failing) /* a last try; what the database still refuses is lost */
		retry_held(&rec, ow_clock_monotonic_ns());
	if (rec.pending.n)
		record_outage_lost_at_stop(&rec.pending, rec.outage.last_err,
					   ow_store_errmsg(rec.store));
	ow_pending_clear(&rec.pending);
	if (exit_code == OW_EXIT_OK && rec.kill_marks)
		save_stop_kill_mark(&rec);
	record_jsonl_close(rec.jsonl); /* after the incidents' last lines */
	record_metrics_stop(rec.metrics);
	record_sampler_free(rec.sampler);
	ow_oomctl_stop(rec.oomctl);
	ow_bpf_stop(rec.bpf);
	record_kmsg_free(rec.kmsg);
	ow_consumer_free(rec.consumer);
	ow_kallsyms_free(rec.kallsyms);
	ow_cmdline_cache_free(rec.cmdlines);
	ow_adj_audit_free(rec.adj_audit);
	ow_redactor_free(rec.opts.redact);
	ow_store_close(rec.store);
	if (rec.opts.ready_file)
		unlink(rec.opts.ready_file);
	return exit_code;
}
