/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kills from the kernel's OOM reports in /dev/kmsg (see kmsg_kill.h). One report is read at a
 * time: the invoked line opens it, its lines fill it, its Killed line ends it with a kill. The
 * report stays until the next one opens, for the memory.oom.group kills that follow and for
 * placing a headerless kill whose victim it listed. A kill is held back one record, for the
 * memory.oom.group line that may follow it.
 */
#include "capture/kmsg_kill.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/shared_str.h"

#define DEFAULT_PAGE_SIZE 4096u
/* Kills remembered for the reaper's line (a few seconds after the kill, 2 s from 5.19 on). */
#define RECENT_KILLS 64
/* A page counter at PAGE_COUNTER_MAX ("max", 9007199254740988kB with 4 KiB pages) or near it. */
#define UNLIMITED_BYTES (1ULL << 60)
#define N_COUNTERS 4

enum rows_state {
	ROWS_NONE = 0, /* no task dump yet */
	ROWS_EXPECT_HEADER, /* "Tasks state" seen */
	ROWS_COLLECTING, /* header seen: rows follow */
	ROWS_DONE, /* the summary (or the Killed line) came */
};

/* The report being read, or the last one. */
struct report {
	bool open;
	bool ended; /* its Killed line came */
	bool group; /* memory.oom.group: the Killed lines after the first are its members */
	int32_t caller_tid; /* the thread printing it; 0 when the records do not say */

	bool has_invoked;
	char trigger_comm[OW_KMSG_COMM_LEN];
	bool has_allocation;
	uint32_t gfp_mask;
	int32_t order;

	bool has_cpu;
	int32_t trigger_tid;
	char trigger_thread_comm[OW_KMSG_COMM_LEN];

	uint32_t counters; /* 1u << enum ow_kmsg_counter: the lines seen */
	uint64_t usage_bytes[N_COUNTERS];
	uint64_t limit_bytes[N_COUNTERS];

	bool has_free;
	uint64_t free_pages;
	uint64_t ram_pages; /* 0: not seen */
	uint64_t swap_total_bytes;

	enum rows_state rows_state;
	bool has_dump; /* the task dump's header came */
	struct ow_kmsg_task_layout layout;
	struct ow_kmsg_task *rows;
	size_t n_rows;
	size_t cap_rows;
	bool rows_cut; /* rows left out: the dump is incomplete */

	bool has_summary;
	enum ow_kmsg_scope scope;
	enum ow_kmsg_constraint constraint;
	uint32_t summary_fields;
	char oom_memcg[OW_KMSG_PATH_MAX];
	char task_memcg[OW_KMSG_PATH_MAX];
};

struct recent_kill {
	int32_t pid;
	uint64_t rss_bytes;
};

struct ow_kmsg_kill {
	struct ow_kmsg_kill_config cfg;
	struct report rep;
	struct ow_kill pending;
	bool has_pending;
	bool pending_headerless;
	struct recent_kill recent[RECENT_KILLS];
	size_t n_recent; /* kills remembered so far, up to RECENT_KILLS; the next slot wraps */
	size_t next_recent;
	struct ow_kmsg_kill_stats stats;
};

int ow_kmsg_kill_new(const struct ow_kmsg_kill_config *cfg, struct ow_kmsg_kill **ret)
{
	struct ow_kmsg_kill *a;

	if (!cfg || !ret)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->cfg = *cfg;
	if (!a->cfg.page_size)
		a->cfg.page_size = DEFAULT_PAGE_SIZE;
	*ret = a;
	return 0;
}

static void report_reset(struct report *rep)
{
	struct ow_kmsg_task *rows = rep->rows;
	size_t cap = rep->cap_rows;

	memset(rep, 0, sizeof(*rep));
	rep->rows = rows; /* the buffer is kept for the next report */
	rep->cap_rows = cap;
}

void ow_kmsg_kill_free(struct ow_kmsg_kill *a)
{
	if (!a)
		return;
	ow_kill_clear(&a->pending);
	free(a->rep.rows);
	free(a);
}

void ow_kmsg_kill_set_clock_offset(struct ow_kmsg_kill *a, int64_t mono_to_real_ns)
{
	if (a)
		a->cfg.mono_to_real_ns = mono_to_real_ns;
}

void ow_kmsg_kill_get_stats(const struct ow_kmsg_kill *a, struct ow_kmsg_kill_stats *ret_stats)
{
	if (a && ret_stats)
		*ret_stats = a->stats;
}

/* ---- arithmetic that saturates instead of wrapping ---- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t real_time(const struct ow_kmsg_kill *a, uint64_t mono_ns)
{
	int64_t off = a->cfg.mono_to_real_ns;
	uint64_t back;

	if (off >= 0)
		return sat_add(mono_ns, (uint64_t)off);
	back = (uint64_t)(-(off + 1)) + 1; /* |off|, without overflowing at INT64_MIN */
	return mono_ns > back ? mono_ns - back : 0;
}

static void copy_comm(char *dst, const char *src)
{
	size_t n = strnlen(src, OW_COMM_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A copy of a report string, or NULL for "" (absent); -ENOMEM through *err. */
static char *dup_or_null(const char *s, int *err)
{
	char *d;

	if (!s[0])
		return NULL;
	d = strdup(s);
	if (!d)
		*err = -ENOMEM;
	return d;
}

/* ---- handing kills over ---- */

static void remember_kill(struct ow_kmsg_kill *a, const struct ow_kill *k)
{
	const struct ow_process *v = ow_kill_find_process(k, k->victim_pid);
	struct recent_kill *slot = &a->recent[a->next_recent];

	slot->pid = k->victim_pid;
	slot->rss_bytes = v ? ow_process_rss_bytes(v) : 0;
	a->next_recent = (a->next_recent + 1) % RECENT_KILLS;
	if (a->n_recent < RECENT_KILLS)
		a->n_recent++;
}

static void emit_pending(struct ow_kmsg_kill *a)
{
	struct ow_kill *k = &a->pending;

	if (!a->has_pending)
		return;
	a->has_pending = false;
	a->stats.kills++;
	if (a->pending_headerless)
		a->stats.headerless_kills++;
	if (k->flags & OW_KILL_OOM_GROUP)
		a->stats.group_kills++;
	remember_kill(a, k);
	if (a->cfg.on_report)
		a->cfg.on_report(k, a->cfg.ctx);
	if (a->cfg.on_kill) {
		a->cfg.on_kill(k, a->cfg.ctx);
		memset(k, 0, sizeof(*k)); /* the callee owns what it held */
	} else {
		ow_kill_clear(k);
	}
}

void ow_kmsg_kill_flush(struct ow_kmsg_kill *a)
{
	if (a)
		emit_pending(a);
}

/* ---- the report's lines ---- */

/* Whether a record belongs to the open report: printed by its thread, when both say. */
static bool same_caller(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	if (!a->rep.caller_tid || !rec->caller_tid || a->rep.caller_tid == rec->caller_tid)
		return true;
	a->stats.foreign_records++;
	return false;
}

/* Whether a record can add to the open report (not ended yet, same thread). */
static bool report_takes(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	return a->rep.open && !a->rep.ended && same_caller(a, rec);
}

static void report_open(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	if (a->rep.open && !a->rep.ended)
		a->stats.reports_without_kill++;
	report_reset(&a->rep);
	a->rep.open = true;
	a->rep.caller_tid = rec->caller_tid;
}

static void take_invoked(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;

	report_open(a, rec);
	rep->has_invoked = true;
	copy_comm(rep->trigger_comm, rec->comm);
	if ((rec->fields & (OW_KMSG_F_GFP_MASK | OW_KMSG_F_ORDER)) ==
	    (OW_KMSG_F_GFP_MASK | OW_KMSG_F_ORDER)) {
		rep->has_allocation = true;
		rep->gfp_mask = rec->gfp_mask;
		rep->order = rec->order;
	}
}

static void take_cpu(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;

	/* The stack dump's header right after the invoked line, before anything else. */
	if (!report_takes(a, rec) || rep->has_cpu || rep->rows_state != ROWS_NONE ||
	    rep->has_summary || rep->counters || !(rec->fields & OW_KMSG_F_PID))
		return;
	rep->has_cpu = true;
	rep->trigger_tid = rec->pid;
	copy_comm(rep->trigger_thread_comm, rec->comm);
}

static void take_counter(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;
	unsigned int c = (unsigned int)rec->counter;

	if (!report_takes(a, rec) || c >= N_COUNTERS || (rep->counters & 1u << c))
		return;
	rep->counters |= 1u << c;
	rep->usage_bytes[c] = rec->usage_bytes;
	rep->limit_bytes[c] = rec->limit_bytes;
}

static void take_show_mem(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;

	if (!report_takes(a, rec))
		return;
	if (rec->kind == OW_KMSG_OOM_MEMINFO && !rep->has_free) {
		rep->has_free = true;
		rep->free_pages = rec->pages;
	} else if (rec->kind == OW_KMSG_OOM_RAM_PAGES && !rep->ram_pages) {
		rep->ram_pages = rec->pages;
	} else if (rec->kind == OW_KMSG_OOM_SWAP_TOTAL && !rep->swap_total_bytes) {
		rep->swap_total_bytes = rec->limit_bytes;
	}
}

static void take_tasks_state(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	if (report_takes(a, rec) && a->rep.rows_state == ROWS_NONE)
		a->rep.rows_state = ROWS_EXPECT_HEADER;
}

static void take_tasks_header(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;

	if (!report_takes(a, rec) || rep->rows_state > ROWS_EXPECT_HEADER)
		return;
	rep->layout = rec->layout;
	rep->rows_state = ROWS_COLLECTING;
	rep->has_dump = true;
}

/* A row of the task dump, read with its header's columns. Returns 0 or -ENOMEM. */
static int take_row(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;
	struct ow_kmsg_task row;

	if (ow_kmsg_parse_task_row(rec->text, rec->text_len, &rep->layout, &row) < 0) {
		a->stats.rows_dropped++;
		rep->rows_cut = true;
		return 0;
	}
	if (rep->n_rows == OW_KMSG_KILL_ROWS_MAX) {
		a->stats.rows_dropped++;
		rep->rows_cut = true;
		return 0;
	}
	if (rep->n_rows == rep->cap_rows) {
		size_t cap = rep->cap_rows ? rep->cap_rows * 2 : 64;
		struct ow_kmsg_task *rows;

		if (cap > OW_KMSG_KILL_ROWS_MAX)
			cap = OW_KMSG_KILL_ROWS_MAX;
		rows = realloc(rep->rows, cap * sizeof(*rows));
		if (!rows) {
			a->stats.rows_dropped++;
			rep->rows_cut = true;
			return -ENOMEM;
		}
		rep->rows = rows;
		rep->cap_rows = cap;
	}
	rep->rows[rep->n_rows++] = row;
	a->stats.rows++;
	return 0;
}

static void take_summary(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;
	bool other_thread =
		rep->caller_tid && rec->caller_tid && rep->caller_tid != rec->caller_tid;

	/* One summary per report (and reports do not interleave: oom_lock): a summary without
	 * its invoked line starts a report caught half-way. */
	if (!rep->open || rep->ended || rep->has_summary || other_thread)
		report_open(a, rec);
	rep->has_summary = true;
	rep->rows_state = ROWS_DONE;
	rep->scope = rec->scope;
	rep->constraint = rec->constraint;
	rep->summary_fields = rec->fields;
	memcpy(rep->oom_memcg, rec->oom_memcg, sizeof(rep->oom_memcg));
	memcpy(rep->task_memcg, rec->task_memcg, sizeof(rep->task_memcg));
}

/* ---- the kill ---- */

static enum ow_oom_constraint constraint_of(enum ow_kmsg_constraint c)
{
	switch (c) {
	case OW_KMSG_CONSTRAINT_NONE:
		return OW_CONSTRAINT_NONE;
	case OW_KMSG_CONSTRAINT_CPUSET:
		return OW_CONSTRAINT_CPUSET;
	case OW_KMSG_CONSTRAINT_MEMORY_POLICY:
		return OW_CONSTRAINT_MEMORY_POLICY;
	case OW_KMSG_CONSTRAINT_MEMCG:
		return OW_CONSTRAINT_MEMCG;
	default:
		return OW_CONSTRAINT_UNKNOWN;
	}
}

/* Where memory ran out: the summary says, else the Killed line, else the lines printed. */
static enum ow_kmsg_scope report_scope(const struct report *rep, enum ow_kmsg_scope killed)
{
	if (rep->has_summary && rep->scope != OW_KMSG_SCOPE_UNKNOWN)
		return rep->scope;
	if (killed != OW_KMSG_SCOPE_UNKNOWN)
		return killed;
	return rep->counters & 1u << OW_KMSG_COUNTER_MEMORY ? OW_KMSG_SCOPE_MEMCG
							    : OW_KMSG_SCOPE_SYSTEM;
}

/* The domain as the report tells it (rep NULL: only its kind is known). */
static int fill_domain(const struct ow_kmsg_kill *a, const struct report *rep,
		       enum ow_kmsg_scope scope, struct ow_domain *d)
{
	uint64_t page = a->cfg.page_size;
	int err = 0;

	if (scope == OW_KMSG_SCOPE_MEMCG) {
		const unsigned int mem = OW_KMSG_COUNTER_MEMORY, memsw = OW_KMSG_COUNTER_MEMSW;
		uint64_t swap_room = 0;

		d->kind = OW_DOMAIN_MEMCG;
		if (!rep)
			return 0;
		if (rep->has_summary && (rep->summary_fields & OW_KMSG_F_OOM_MEMCG))
			d->cgroup = dup_or_null(rep->oom_memcg, &err);
		if (rep->counters & 1u << mem) {
			d->limit_bytes = rep->limit_bytes[mem];
			d->usage_bytes = rep->usage_bytes[mem];
		}
		if (rep->counters & 1u << memsw) {
			/* v1: memory+swap is limited, memory is not: that limit was hit */
			if (d->limit_bytes >= UNLIMITED_BYTES &&
			    rep->limit_bytes[memsw] < UNLIMITED_BYTES) {
				d->limit_bytes = rep->limit_bytes[memsw];
				d->usage_bytes = rep->usage_bytes[memsw];
			} else if (rep->limit_bytes[memsw] > d->limit_bytes) {
				swap_room = rep->limit_bytes[memsw] - d->limit_bytes;
			}
		} else if (rep->counters & 1u << OW_KMSG_COUNTER_SWAP) {
			swap_room = rep->limit_bytes[OW_KMSG_COUNTER_SWAP];
		}
		/* mem_cgroup_get_max(): the limit plus the swap it may use, of the swap there is */
		d->total_bytes =
			sat_add(d->limit_bytes, min_u64(swap_room, a->cfg.total_swap_bytes));
		return err;
	}
	d->kind = OW_DOMAIN_GLOBAL;
	d->limit_bytes = a->cfg.total_ram_bytes;
	if (!d->limit_bytes && rep)
		d->limit_bytes = sat_mul(rep->ram_pages, page);
	if (rep && rep->has_free && d->limit_bytes > sat_mul(rep->free_pages, page))
		d->usage_bytes = d->limit_bytes - rep->free_pages * page;
	d->total_bytes = sat_add(d->limit_bytes, a->cfg.total_swap_bytes
							 ? a->cfg.total_swap_bytes
							 : (rep ? rep->swap_total_bytes : 0));
	return 0;
}

static void process_from_row(const struct ow_kmsg_kill *a, const struct ow_kmsg_task *t,
			     struct ow_process *p)
{
	uint64_t page = a->cfg.page_size;

	memset(p, 0, sizeof(*p));
	p->pid = t->tgid;
	p->uid = t->uid;
	p->oom_score_adj = t->oom_score_adj;
	p->flags = OW_PROC_IN_DOMAIN;
	copy_comm(p->comm, t->comm);
	if (t->cols & 1u << OW_KMSG_COL_RSS_ANON) {
		p->anon_bytes = sat_mul(t->rss_anon_pages, page);
		p->file_bytes = sat_mul(t->rss_file_pages, page);
		p->shmem_bytes = sat_mul(t->rss_shmem_pages, page);
	} else {
		/* before 6.8 the kernel gives the rss whole: counted as anon */
		p->anon_bytes = sat_mul(t->rss_pages, page);
	}
	p->swap_bytes = sat_mul(t->swapents_pages, page);
	p->pgtables_bytes = t->pgtables_bytes;
}

static int cmp_pid(const void *x, const void *y)
{
	const struct ow_process *a = x, *b = y;

	return (a->pid > b->pid) - (a->pid < b->pid);
}

/*
 * The snapshot: the report's rows (rep may be NULL), one process per pid, in pid order, the
 * victim included (added from its Killed line when the dump did not list it).
 */
static int fill_procs(const struct ow_kmsg_kill *a, const struct report *rep,
		      const struct ow_kmsg_record *killed, struct ow_kill *k)
{
	size_t n_rows = rep ? rep->n_rows : 0, n = 0;
	struct ow_process key = { .pid = killed->pid }, *v;

	k->procs = calloc(n_rows + 1, sizeof(*k->procs));
	if (!k->procs)
		return -ENOMEM;
	for (size_t i = 0; i < n_rows; i++)
		process_from_row(a, &rep->rows[i], &k->procs[i]);
	if (n_rows)
		qsort(k->procs, n_rows, sizeof(*k->procs), cmp_pid);
	for (size_t i = 0; i < n_rows; i++)
		if (n == 0 || k->procs[i].pid != k->procs[n - 1].pid)
			k->procs[n++] = k->procs[i];
	k->n_procs = n;
	v = n ? bsearch(&key, k->procs, n, sizeof(*k->procs), cmp_pid) : NULL;
	if (!v) {
		size_t at = n;

		while (at > 0 && k->procs[at - 1].pid > killed->pid)
			at--;
		memmove(&k->procs[at + 1], &k->procs[at], (n - at) * sizeof(*k->procs));
		v = &k->procs[at];
		memset(v, 0, sizeof(*v));
		v->pid = killed->pid;
		v->flags = OW_PROC_IN_DOMAIN;
		k->n_procs = n + 1;
	}
	/* The Killed line's figures are the victim's at the kill, in kB: they win. */
	copy_comm(v->comm, killed->comm);
	if (killed->fields & OW_KMSG_F_UID)
		v->uid = killed->uid;
	if (killed->fields & OW_KMSG_F_ANON_RSS)
		v->anon_bytes = killed->anon_rss_bytes;
	if (killed->fields & OW_KMSG_F_FILE_RSS)
		v->file_bytes = killed->file_rss_bytes;
	if (killed->fields & OW_KMSG_F_SHMEM_RSS)
		v->shmem_bytes = killed->shmem_rss_bytes;
	if (killed->fields & OW_KMSG_F_PGTABLES)
		v->pgtables_bytes = killed->pgtables_bytes;
	if (killed->fields & OW_KMSG_F_OOM_SCORE_ADJ)
		v->oom_score_adj = killed->oom_score_adj;
	return 0;
}

/*
 * The trigger's process: the dump's row of its thread, else the one row of its comm (a thread
 * named as its process), else its thread id (a single-threaded process, a kernel thread).
 */
static int32_t trigger_pid(const struct report *rep)
{
	const struct ow_kmsg_task *by_comm = NULL;
	const char *comm = rep->has_invoked ? rep->trigger_comm
			   : rep->has_cpu   ? rep->trigger_thread_comm
					    : NULL;
	size_t n_comm = 0;

	for (size_t i = 0; i < rep->n_rows; i++) {
		const struct ow_kmsg_task *t = &rep->rows[i];

		if (rep->has_cpu && (t->pid == rep->trigger_tid || t->tgid == rep->trigger_tid))
			return t->tgid;
		if (comm && comm[0] && strcmp(t->comm, comm) == 0) {
			by_comm = t;
			n_comm++;
		}
	}
	if (n_comm == 1)
		return by_comm->tgid;
	return rep->has_cpu ? rep->trigger_tid : 0;
}

static bool rows_list(const struct report *rep, int32_t pid)
{
	for (size_t i = 0; i < rep->n_rows; i++)
		if (rep->rows[i].tgid == pid)
			return true;
	return false;
}

/*
 * A kill from its Killed line and the report it ends (rep NULL: a headerless kill, placed by
 * last, the last report, when that listed the victim). Leaves it pending.
 */
static int build_kill(struct ow_kmsg_kill *a, const struct report *rep, const struct report *last,
		      const struct ow_kmsg_record *killed, bool member)
{
	struct ow_kill *k = &a->pending;
	struct ow_kernel_report *kr = &k->kernel_report;
	const struct report *place = rep;
	enum ow_kmsg_scope scope = OW_KMSG_SCOPE_SYSTEM;
	int err = 0;

	memset(k, 0, sizeof(*k));
	k->time_ns = real_time(a, killed->time_ns);
	k->killer_kind = OW_KILLER_KERNEL;
	k->flags = OW_KILL_FROM_KMSG | OW_KILL_KMSG_CONFIRMED;
	k->victim_pid = killed->pid;
	if (!rep && last && last->open && rows_list(last, killed->pid) &&
	    (killed->scope == OW_KMSG_SCOPE_UNKNOWN ||
	     killed->scope == report_scope(last, OW_KMSG_SCOPE_UNKNOWN)))
		place = last;
	if (place)
		scope = report_scope(place, killed->scope);
	else if (killed->scope != OW_KMSG_SCOPE_UNKNOWN)
		scope = killed->scope;
	err = fill_domain(a, place, scope, &k->domain);
	if (!err)
		err = fill_procs(a, rep, killed, k);
	if (err)
		goto out_clear;
	if (rep) {
		if (member)
			k->flags |= OW_KILL_OOM_GROUP;
		else if (rep->has_summary && (rep->summary_fields & OW_KMSG_F_TASK_MEMCG)) {
			struct ow_process *v =
				(struct ow_process *)ow_kill_find_process(k, k->victim_pid);

			v->cgroup = rep->task_memcg[0] ? ow_shared_strdup(rep->task_memcg) : NULL;
			if (rep->task_memcg[0] && !v->cgroup)
				err = -ENOMEM;
		}
		k->trigger_tid = rep->has_cpu ? rep->trigger_tid : 0;
		k->trigger_pid = trigger_pid(rep);
		copy_comm(k->trigger_thread_comm,
			  rep->has_cpu ? rep->trigger_thread_comm : rep->trigger_comm);
		/* no task dump (vm.oom_dump_tasks = 0), or rows left out: others are missing */
		k->partial = !rep->has_dump || rep->rows_cut;
		if (rep->has_summary) {
			kr->constraint = constraint_of(rep->constraint);
			if (rep->summary_fields & OW_KMSG_F_OOM_MEMCG)
				kr->oom_memcg = dup_or_null(rep->oom_memcg, &err);
			if (!member && (rep->summary_fields & OW_KMSG_F_TASK_MEMCG))
				kr->task_memcg = dup_or_null(rep->task_memcg, &err);
		}
		kr->has_allocation = rep->has_allocation;
		kr->gfp_mask = rep->gfp_mask;
		kr->order = rep->order;
	} else {
		k->partial = true; /* the victim alone */
	}
	if (err)
		goto out_clear;
	a->has_pending = true;
	a->pending_headerless = !rep;
	return 0;
out_clear:
	ow_kill_clear(k);
	return err;
}

static int take_killed(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;
	bool ours = rep->open && same_caller(a, rec);

	if (!(rec->fields & OW_KMSG_F_PID))
		return 0;
	if (ours && !rep->ended) {
		rep->ended = true;
		rep->rows_state = ROWS_DONE;
		return build_kill(a, rep, NULL, rec, false);
	}
	if (ours && rep->group)
		return build_kill(a, rep, NULL, rec, true);
	return build_kill(a, NULL, rep, rec, false);
}

static void take_group(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct report *rep = &a->rep;

	if (!rep->open || !rep->ended || !same_caller(a, rec))
		return;
	rep->group = true;
	if (a->has_pending && !a->pending_headerless)
		a->pending.flags |= OW_KILL_OOM_GROUP;
}

static void take_reaped(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	struct ow_kmsg_reaped r = { 0 };

	if (!(rec->fields & OW_KMSG_F_PID))
		return;
	r.pid = rec->pid;
	copy_comm(r.comm, rec->comm);
	r.time_ns = real_time(a, rec->time_ns);
	r.rss_left_bytes =
		sat_add(sat_add(rec->anon_rss_bytes, rec->file_rss_bytes), rec->shmem_rss_bytes);
	r.reaped_bytes = UINT64_MAX;
	/* the latest kill of that pid */
	for (size_t i = 1; i <= a->n_recent; i++) {
		const struct recent_kill *rk =
			&a->recent[(a->next_recent + RECENT_KILLS - i) % RECENT_KILLS];

		if (rk->pid == r.pid) {
			r.reaped_bytes = rk->rss_bytes > r.rss_left_bytes
						 ? rk->rss_bytes - r.rss_left_bytes
						 : 0;
			break;
		}
	}
	a->stats.reaped++;
	if (a->cfg.on_reaped)
		a->cfg.on_reaped(&r, a->cfg.ctx);
}

/* Whether a record is a row of the task dump being read. */
static bool is_row(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	return a->rep.open && !a->rep.ended && a->rep.rows_state == ROWS_COLLECTING &&
	       rec->text_len > 0 && rec->text[0] == '[' && rec->kind != OW_KMSG_OOM_TASKS_HEADER &&
	       same_caller(a, rec);
}

int ow_kmsg_kill_feed(struct ow_kmsg_kill *a, const struct ow_kmsg_record *rec)
{
	if (!a || !rec)
		return -EINVAL;
	/* The kill held back goes once a record that is not its oom.group line comes. */
	if (a->has_pending && rec->kind != OW_KMSG_OOM_GROUP && rec->kind != OW_KMSG_OTHER)
		emit_pending(a);
	/* Rows are read with the header's columns, whatever the record was taken for alone. */
	if (is_row(a, rec))
		return take_row(a, rec);

	switch (rec->kind) {
	case OW_KMSG_OOM_INVOKED:
		take_invoked(a, rec);
		break;
	case OW_KMSG_OOM_CPU:
		take_cpu(a, rec);
		break;
	case OW_KMSG_OOM_MEMCG_USAGE:
		take_counter(a, rec);
		break;
	case OW_KMSG_OOM_MEMINFO:
	case OW_KMSG_OOM_RAM_PAGES:
	case OW_KMSG_OOM_SWAP_TOTAL:
		take_show_mem(a, rec);
		break;
	case OW_KMSG_OOM_TASKS_STATE:
		take_tasks_state(a, rec);
		break;
	case OW_KMSG_OOM_TASKS_HEADER:
		take_tasks_header(a, rec);
		break;
	case OW_KMSG_OOM_SUMMARY:
		take_summary(a, rec);
		break;
	case OW_KMSG_OOM_KILLED:
		return take_killed(a, rec);
	case OW_KMSG_OOM_GROUP:
		take_group(a, rec);
		break;
	case OW_KMSG_OOM_REAPED:
		take_reaped(a, rec);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- confirming a kill seen otherwise ---- */

bool ow_kmsg_kill_matches(const struct ow_kill *kmsg, const struct ow_kill *k, uint64_t window_ns)
{
	uint64_t apart;

	if (!kmsg || !k || kmsg->victim_pid != k->victim_pid)
		return false;
	apart = kmsg->time_ns > k->time_ns ? kmsg->time_ns - k->time_ns
					   : k->time_ns - kmsg->time_ns;
	return apart <= window_ns;
}

int ow_kmsg_kill_confirm(struct ow_kill *k, const struct ow_kill *kmsg)
{
	const struct ow_kernel_report *src;
	struct ow_kernel_report copy;

	if (!k || !kmsg)
		return -EINVAL;
	src = &kmsg->kernel_report;
	copy = *src;
	copy.oom_memcg = src->oom_memcg ? strdup(src->oom_memcg) : NULL;
	copy.task_memcg = src->task_memcg ? strdup(src->task_memcg) : NULL;
	if ((src->oom_memcg && !copy.oom_memcg) || (src->task_memcg && !copy.task_memcg)) {
		ow_kernel_report_clear(&copy);
		return -ENOMEM;
	}
	ow_kernel_report_clear(&k->kernel_report);
	k->kernel_report = copy;
	k->flags |= OW_KILL_KMSG_CONFIRMED | (kmsg->flags & OW_KILL_OOM_GROUP);
	return 0;
}
