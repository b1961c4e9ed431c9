/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The verdict on an incident (verdict.h): rankings per kill, the culprit and its reasons, the
 * shielded processes and innocent victims, and a summary in one or two sentences, followed by
 * what the kill chain holds beyond the kernel's plain kills (user-space killers, exiting
 * victims, processes killed for sharing the victim's memory, memory.oom.group kills).
 *
 * The culprit is looked for in this order (docs/verdict.md, "Precedence"): memory no process
 * owns (rule 12); one process holding the most (rule 3, or the grower of rule 9) when it holds
 * enough on its own; else a process tree (rule 10), then a cgroup (rule 11), then that process
 * anyway. Trees and cgroups are added up by aggregate.c, growth by growth.c, and the badness
 * lives in badness.c. The rules and their defaults are written down in docs/verdict.md; keep
 * the two in step. Pure: no I/O, no logging, no globals.
 */
#include "analysis/verdict.h"

#include "analysis/aggregate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OW_ADJ_TEXT_LEN 16
/* A process-name list in the summary names this many, then says "and N more". */
#define OW_NAMES_MAX 3
/* A memory.oom.group kill follows the chosen victim's within this (the kernel kills the group
 * in one pass). */
#define OW_OOM_GROUP_GAP_NS 1000000000ull
/* Rule 11: a cgroup adds up at least this many processes (one is rule 3's business). */
#define OW_CGROUP_MIN_MEMBERS 2

void ow_verdict_config_default(struct ow_verdict_config *cfg)
{
	cfg->innocent_max_share = 0.05;
	cfg->shielded_min_share = 0.10;
	cfg->ranking_size = 10;
	ow_growth_config_default(&cfg->growth);
	cfg->grower_min_share = 0.5;
	cfg->tree_single_max_share = 0.5;
	cfg->tree_min_share = 0.5;
	cfg->tree_min_members = 3;
	cfg->cgroup_min_share = 0.5;
	cfg->unowned_min_share = 0.4;
}

const char *ow_victim_choice_name(enum ow_victim_choice c)
{
	switch (c) {
	case OW_VICTIM_BY_SIGNAL:
		return "signal";
	case OW_VICTIM_EXITING:
		return "exiting";
	case OW_VICTIM_OOM_GROUP:
		return "oom-group";
	case OW_VICTIM_BY_BADNESS:
		break;
	}
	return "badness";
}

const char *ow_culprit_kind_name(enum ow_culprit_kind kind)
{
	switch (kind) {
	case OW_CULPRIT_PROCESS:
		return "process";
	case OW_CULPRIT_PROCESS_TREE:
		return "process-tree";
	case OW_CULPRIT_CGROUP:
		return "cgroup";
	case OW_CULPRIT_NON_PROCESS:
		return "non-process";
	case OW_CULPRIT_NONE:
		break;
	}
	return "none";
}

/* A newly allocated formatted string, or NULL when out of memory. */
static char *fmt_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *fmt_alloc(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;
	s = malloc((size_t)len + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* A string built piece by piece; failed set (and s freed) when memory ran out. */
struct sbuf {
	char *s;
	size_t len;
	bool failed;
};

/* Marks b failed: a piece could not be made. */
static void sb_fail(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->failed = true;
}

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	if (b->failed)
		return;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = len < 0 ? NULL : realloc(b->s, b->len + (size_t)len + 1);
	if (!s) {
		sb_fail(b);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(s + b->len, (size_t)len + 1, fmt, ap);
	va_end(ap);
	b->s = s;
	b->len += (size_t)len;
}

/* The string built ("" when nothing was added), or NULL when memory ran out; b starts over. */
static char *sb_take(struct sbuf *b)
{
	char *s = b->s;

	if (b->failed)
		return NULL;
	b->s = NULL;
	b->len = 0;
	return s ? s : strdup("");
}

/* "process" or "processes". */
static const char *processes(size_t n)
{
	return n == 1 ? "process" : "processes";
}

/* oom_score_adj as people read it: "0", "+1000", "-500". */
static const char *fmt_adj(char buf[OW_ADJ_TEXT_LEN], int32_t adj)
{
	snprintf(buf, OW_ADJ_TEXT_LEN, adj ? "%+d" : "%d", (int)adj);
	return buf;
}

/* bytes as a share of the domain's limit, 0..1 and more; 0 when the limit is unknown. */
static double share_of(uint64_t bytes, uint64_t limit_bytes)
{
	return limit_bytes ? (double)bytes / (double)limit_bytes : 0.0;
}

static bool in_domain(const struct ow_process *p)
{
	return p->flags & OW_PROC_IN_DOMAIN;
}

/*
 * The victim's badness. The kernel chose it, so it was eligible when chosen: a snapshot taken
 * after the kill began may already show it reaped or without mm, and those flags are ignored.
 */
static struct ow_badness victim_badness_of(const struct ow_process *victim,
					   const struct ow_domain *d)
{
	struct ow_process p = *victim;

	p.flags &= ~(uint32_t)(OW_PROC_NO_MM | OW_PROC_OOM_SKIP);
	return ow_badness_compute(&p, d->total_bytes, OW_BADNESS_PAGE_SIZE);
}

struct rank_row {
	struct ow_ranked ranked;
	uint64_t memory_bytes;
	int32_t pid;
};

/* Points desc, then memory desc, then pid asc; index last so the order is total. */
static int rank_row_cmp(const void *pa, const void *pb)
{
	const struct rank_row *a = pa, *b = pb;

	if (a->ranked.badness.points != b->ranked.badness.points)
		return a->ranked.badness.points > b->ranked.badness.points ? -1 : 1;
	if (a->memory_bytes != b->memory_bytes)
		return a->memory_bytes > b->memory_bytes ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->ranked.proc_index != b->ranked.proc_index)
		return a->ranked.proc_index < b->ranked.proc_index ? -1 : 1;
	return 0;
}

static int analyse_kill(const struct ow_kill *k, const struct ow_verdict_config *cfg,
			struct ow_kill_analysis *a)
{
	const struct ow_process *victim = ow_kill_find_process(k, k->victim_pid);
	const struct ow_process *top;
	struct rank_row *rows = NULL;
	size_t n = 0, keep;
	int r = -ENOMEM;

	memset(a, 0, sizeof(*a));
	if (k->n_procs) {
		rows = calloc(k->n_procs, sizeof(*rows));
		if (!rows)
			goto out;
	}
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];
		struct ow_badness b;

		if (p == victim)
			b = victim_badness_of(p, &k->domain);
		else
			b = ow_badness_compute(p, k->domain.total_bytes, OW_BADNESS_PAGE_SIZE);
		if (b.eligibility != OW_ELIGIBLE)
			continue;
		rows[n].ranked.proc_index = i;
		rows[n].ranked.badness = b;
		rows[n].memory_bytes = ow_process_memory_bytes(p);
		rows[n].pid = p->pid;
		n++;
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), rank_row_cmp);
	a->n_candidates = n;

	if (victim) {
		a->victim_badness = victim_badness_of(victim, &k->domain);
		for (size_t i = 0; i < n; i++) {
			if (&k->procs[rows[i].ranked.proc_index] == victim) {
				a->victim_rank = (int)(i + 1);
				break;
			}
		}
		a->victim_by_adj = a->victim_badness.adj_points > a->victim_badness.memory_points;
		a->victim_innocent = a->victim_by_adj &&
				     share_of(ow_process_memory_bytes(victim),
					      k->domain.limit_bytes) < cfg->innocent_max_share;
		top = ow_kill_top_holder(k);
		a->victim_was_top_holder = top == victim;
	}

	keep = n < cfg->ranking_size ? n : cfg->ranking_size;
	if (keep) {
		a->ranked = calloc(keep, sizeof(*a->ranked));
		if (!a->ranked)
			goto out;
		for (size_t i = 0; i < keep; i++)
			a->ranked[i] = rows[i].ranked;
		a->n_ranked = keep;
	}
	r = 0;
out:
	free(rows);
	return r;
}

/*
 * Who chose kill i's victim (rules 13 and 14): a user-space killer, the kernel taking a task
 * already exiting, a memory.oom.group (every group kill but the first of a run, which the
 * kernel chose), or the kernel's badness.
 */
static enum ow_victim_choice victim_choice_of(const struct ow_incident *inc, size_t i)
{
	const struct ow_kill *k = &inc->kills[i], *prev = i ? &inc->kills[i - 1] : NULL;

	if (k->killer_kind == OW_KILLER_SIGNAL)
		return OW_VICTIM_BY_SIGNAL;
	if (k->flags & OW_KILL_VICTIM_EXITING)
		return OW_VICTIM_EXITING;
	if ((k->flags & OW_KILL_OOM_GROUP) && prev && (prev->flags & OW_KILL_OOM_GROUP) &&
	    prev->killer_kind == OW_KILLER_KERNEL && k->time_ns >= prev->time_ns &&
	    k->time_ns - prev->time_ns <= OW_OOM_GROUP_GAP_NS)
		return OW_VICTIM_OOM_GROUP;
	return OW_VICTIM_BY_BADNESS;
}

/*
 * Killed with kill k's victim for sharing its memory: flagged so, and not a process the kernel
 * spares (the global init, oom_score_adj -1000).
 */
static bool killed_with_victim(const struct ow_kill *k, const struct ow_process *p)
{
	return ow_kill_took_sharer(k, p);
}

/* Whether kill k took pid: as its victim, or (ret_shared) as a sharer of the victim's memory. */
static bool kill_took(const struct ow_kill *k, int32_t pid, bool *ret_shared)
{
	const struct ow_process *p;

	if (ret_shared)
		*ret_shared = false;
	if (k->victim_pid == pid)
		return true;
	p = ow_kill_find_process(k, pid);
	if (!p || !killed_with_victim(k, p))
		return false;
	if (ret_shared)
		*ret_shared = true;
	return true;
}

/* Whether every kill of inc was the kernel's. */
static bool all_kernel_kills(const struct ow_incident *inc)
{
	for (size_t i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].killer_kind != OW_KILLER_KERNEL)
			return false;
	return true;
}

/* "comm (pid N)" of pid in k's snapshot, "pid N" when it is not there. */
static void sb_proc(struct sbuf *b, const struct ow_kill *k, int32_t pid)
{
	const struct ow_process *p = ow_kill_find_process(k, pid);

	if (p)
		sb_add(b, "%.*s (pid %d)", OW_COMM_LEN, p->comm, (int)pid);
	else
		sb_add(b, "pid %d", (int)pid);
}

/* A signal kill's sender: "pid 812 (earlyoom)", "pid 812", or "an unknown process". */
static void sb_sender(struct sbuf *b, const struct ow_kill *k)
{
	const struct ow_process *p = ow_kill_find_process(k, k->trigger_pid);
	const char *comm = p ? p->comm : k->trigger_thread_comm;

	if (k->trigger_pid <= 0)
		sb_add(b, "an unknown process");
	else if (comm[0])
		sb_add(b, "pid %d (%.*s)", (int)k->trigger_pid, OW_COMM_LEN, comm);
	else
		sb_add(b, "pid %d", (int)k->trigger_pid);
}

/* A process of a kill, to name in a list. */
struct who {
	const struct ow_kill *k;
	int32_t pid;
};

/* "a (pid 1)", "a (pid 1) and b (pid 2)", "a (pid 1), b (pid 2), c (pid 3) and 2 more". */
static void sb_names(struct sbuf *b, const struct who *w, size_t n)
{
	size_t shown = n > OW_NAMES_MAX ? OW_NAMES_MAX : n;

	for (size_t i = 0; i < shown; i++) {
		if (i)
			sb_add(b, i + 1 == shown && shown == n ? " and " : ", ");
		sb_proc(b, w[i].k, w[i].pid);
	}
	if (shown < n)
		sb_add(b, " and %zu more", n - shown);
}

/*
 * Rule 13, for the sender of signal kill i (the first of its kills): "victim (pid 100) was
 * killed by pid 812 (earlyoom), not by the kernel", naming every victim of that sender; "It
 * was ..." when it_pid is the only one.
 */
static char *signal_words(const struct ow_incident *inc, size_t i, int32_t it_pid)
{
	const struct ow_kill *k = &inc->kills[i];
	struct sbuf b = { 0 };
	struct who *w = calloc(inc->n_kills, sizeof(*w));
	size_t n = 0;

	if (!w)
		return NULL;
	for (size_t j = i; j < inc->n_kills; j++) {
		const struct ow_kill *o = &inc->kills[j];

		if (o->killer_kind == OW_KILLER_SIGNAL && o->trigger_pid == k->trigger_pid) {
			w[n].k = o;
			w[n++].pid = o->victim_pid;
		}
	}
	if (n == 1 && it_pid && w[0].pid == it_pid)
		sb_add(&b, "It");
	else
		sb_names(&b, w, n);
	sb_add(&b, " %s killed by ", n == 1 ? "was" : "were");
	sb_sender(&b, k);
	sb_add(&b, ", not by the kernel");
	free(w);
	return sb_take(&b);
}

/* Whether kill i is the first signal kill of its sender. */
static bool first_of_sender(const struct ow_incident *inc, size_t i)
{
	const struct ow_kill *k = &inc->kills[i];

	if (k->killer_kind != OW_KILLER_SIGNAL)
		return false;
	for (size_t j = 0; j < i; j++)
		if (inc->kills[j].killer_kind == OW_KILLER_SIGNAL &&
		    inc->kills[j].trigger_pid == k->trigger_pid)
			return false;
	return true;
}

/* Appends a reason, taking ownership of line; a NULL line means its formatting failed. */
static int add_reason(struct ow_culprit *c, char *line)
{
	char **reasons;

	if (!line)
		return -ENOMEM;
	reasons = realloc(c->reasons, (c->n_reasons + 1) * sizeof(*reasons));
	if (!reasons) {
		free(line);
		return -ENOMEM;
	}
	reasons[c->n_reasons++] = line;
	c->reasons = reasons;
	return 0;
}

/* "the memcg limit" or "RAM": what a share is a share of. */
static const char *limit_words(const struct ow_domain *d)
{
	return d->kind == OW_DOMAIN_MEMCG ? "the memcg limit" : "RAM";
}

/*
 * 0-based index of the first kill that took pid (kill_took()), or n_kills; ret_shared (may be
 * NULL) says it went as a sharer of that kill's victim's memory.
 */
static size_t first_kill_of(const struct ow_incident *inc, int32_t pid, bool *ret_shared)
{
	size_t i;

	if (ret_shared)
		*ret_shared = false;
	for (i = 0; i < inc->n_kills; i++)
		if (kill_took(&inc->kills[i], pid, ret_shared))
			break;
	return i;
}

static int reason_memory(struct ow_culprit *c, const struct ow_domain *d)
{
	char held[OW_BYTES_TEXT_LEN], limit[OW_BYTES_TEXT_LEN];

	ow_format_bytes(held, c->memory_bytes);
	if (!d->limit_bytes)
		return add_reason(c, fmt_alloc("held %s at the first kill", held));
	return add_reason(c, fmt_alloc("held %s, %.0f%% of %s (%s) at the first kill", held,
				       c->share * 100.0, limit_words(d),
				       ow_format_bytes(limit, d->limit_bytes)));
}

/*
 * Why the kernel spared it: it could not kill it, or it preferred victims with a higher adj
 * (all of them, or those killed before the culprit itself).
 */
static int reason_adj(struct ow_culprit *c, const struct ow_incident *inc,
		      const struct ow_verdict *v, const struct ow_process *p)
{
	struct ow_badness b =
		ow_badness_compute(p, inc->kills[0].domain.total_bytes, OW_BADNESS_PAGE_SIZE);
	size_t spared_kills = c->was_killed ? first_kill_of(inc, c->pid, NULL) : inc->n_kills;
	const char *outcome =
		c->was_killed ? "the kernel killed them first" : "the kernel preferred them";
	char own[OW_ADJ_TEXT_LEN], lo[OW_ADJ_TEXT_LEN], hi[OW_ADJ_TEXT_LEN];
	int32_t min_adj = INT32_MAX, max_adj = INT32_MIN;
	size_t n_victims = 0;

	/* A killed culprit was killable: its snapshot may show it reaped, which says nothing. */
	if (!c->was_killed && b.eligibility != OW_ELIGIBLE)
		return add_reason(c, fmt_alloc("%s: the kernel could not kill it",
					       ow_eligibility_text(b.eligibility)));
	/* Only the victims the kernel chose by badness were preferred (rules 13, 14). */
	for (size_t i = 0; i < spared_kills; i++) {
		const struct ow_process *victim =
			ow_kill_find_process(&inc->kills[i], inc->kills[i].victim_pid);

		if (!victim || v->kills[i].victim_choice != OW_VICTIM_BY_BADNESS)
			continue;
		n_victims++;
		if (victim->oom_score_adj < min_adj)
			min_adj = victim->oom_score_adj;
		if (victim->oom_score_adj > max_adj)
			max_adj = victim->oom_score_adj;
	}
	if (!n_victims || min_adj <= p->oom_score_adj)
		return 0;
	fmt_adj(own, p->oom_score_adj);
	fmt_adj(lo, min_adj);
	fmt_adj(hi, max_adj);
	if (n_victims == 1)
		return add_reason(c,
				  fmt_alloc("oom_score_adj %s against a victim at %s: %s", own, lo,
					    c->was_killed ? "the kernel killed it first"
							  : "the kernel preferred it"));
	if (min_adj == max_adj)
		return add_reason(c, fmt_alloc("oom_score_adj %s against victims at %s: %s", own,
					       lo, outcome));
	return add_reason(c, fmt_alloc("oom_score_adj %s against victims at %s..%s: %s", own, lo,
				       hi, outcome));
}

/* Rule 13: a reason per user-space killer: "x (pid 1) was killed by pid 2 (y), not by ...". */
static int reason_killers(struct ow_culprit *c, const struct ow_incident *inc)
{
	for (size_t i = 0; i < inc->n_kills; i++) {
		int r;

		if (!first_of_sender(inc, i))
			continue;
		r = add_reason(c, signal_words(inc, i, 0));
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * The culprit's fate, its last reasons: when it was killed, if ever, whether it was the
 * trigger, and who killed what when not the kernel. A culprit by growth (rule 9) need not be
 * the biggest holder, so its being the first victim says only that.
 */
static int reason_fate(struct ow_culprit *c, const struct ow_incident *inc)
{
	bool shared;
	size_t at = first_kill_of(inc, c->pid, &shared);
	int r;

	if (at < inc->n_kills && shared)
		r = add_reason(c, fmt_alloc("was killed at kill #%zu with its victim, whose memory "
					    "it shared",
					    at + 1));
	else if (at == 0 && c->by_growth)
		r = add_reason(c, strdup("was itself the victim of the first kill"));
	else if (at == 0)
		r = add_reason(
			c,
			strdup("the victim itself held the most memory: not an innocent victim"));
	else if (at < inc->n_kills)
		r = add_reason(c, fmt_alloc("was killed at kill #%zu", at + 1));
	else
		r = add_reason(c, fmt_alloc("was never killed: %zu other %s died instead",
					    inc->n_kills, processes(inc->n_kills)));
	if (r < 0)
		return r;
	if (c->was_trigger)
		r = add_reason(c, strdup("was allocating when memory ran out (the trigger)"));
	return r < 0 ? r : reason_killers(c, inc);
}

/* Fills the culprit's identity from a process of the first kill's snapshot. */
static void culprit_from_process(struct ow_culprit *c, const struct ow_incident *inc,
				 const struct ow_process *p)
{
	c->kind = OW_CULPRIT_PROCESS;
	c->pid = p->pid;
	memcpy(c->comm, p->comm, sizeof(c->comm));
	c->comm[sizeof(c->comm) - 1] = '\0';
	c->cmdline = p->cmdline;
	c->cgroup = p->cgroup;
	c->oom_score_adj = p->oom_score_adj;
	c->memory_bytes = ow_process_memory_bytes(p);
	c->share = share_of(c->memory_bytes, inc->kills[0].domain.limit_bytes);
}

/* Fills the culprit's identity from a growth row's history series (not in the snapshot). */
static void culprit_from_history(struct ow_culprit *c, const struct ow_incident *inc,
				 const struct ow_growth_analysis *g, const struct ow_growth *row)
{
	const struct ow_history_process *hp = &inc->history->procs[row->proc_index];
	ssize_t i = ow_history_index_at(inc->history, g->window_end_ns);

	c->kind = OW_CULPRIT_PROCESS;
	c->pid = row->pid;
	memcpy(c->comm, row->comm, sizeof(c->comm));
	c->cmdline = hp->cmdline;
	c->cgroup = hp->cgroup;
	for (; i >= 0; i--) {
		if (hp->samples[i].present) {
			c->oom_score_adj = hp->samples[i].oom_score_adj;
			break;
		}
	}
	c->memory_bytes = row->at_oom_bytes;
	c->share = share_of(c->memory_bytes, inc->kills[0].domain.limit_bytes);
}

/*
 * Whether pid of kill k belongs to the culprit: is it (process), descends from its root
 * (process-tree), or is in its cgroup or below (cgroup), by k's snapshot, or else by the first
 * kill's (a skipped snapshot has the victim without its parents).
 */
static bool culprit_has(const struct ow_culprit *c, const struct ow_incident *inc,
			const struct ow_kill *k, int32_t pid)
{
	const struct ow_process *p;

	if (pid <= 0)
		return false;
	switch (c->kind) {
	case OW_CULPRIT_PROCESS:
		return pid == c->pid;
	case OW_CULPRIT_PROCESS_TREE:
		return ow_kill_descends_from(k, pid, c->pid) ||
		       (k != &inc->kills[0] && ow_kill_descends_from(&inc->kills[0], pid, c->pid));
	case OW_CULPRIT_CGROUP:
		p = ow_kill_find_process(k, pid);
		if (!p || !p->cgroup)
			p = ow_kill_find_process(&inc->kills[0], pid);
		return p && ow_cgroup_within(p->cgroup, c->cgroup);
	case OW_CULPRIT_NON_PROCESS:
	case OW_CULPRIT_NONE:
		break;
	}
	return false;
}

/* Whether kill k took a process of the culprit: the victim, or a sharer of its memory. */
static bool kill_took_culprit(const struct ow_culprit *c, const struct ow_incident *inc,
			      const struct ow_kill *k)
{
	if (culprit_has(c, inc, k, k->victim_pid))
		return true;
	for (size_t i = 0; i < k->n_procs; i++)
		if (killed_with_victim(k, &k->procs[i]) && culprit_has(c, inc, k, k->procs[i].pid))
			return true;
	return false;
}

/*
 * was_trigger (a kernel kill's trigger belongs to the culprit; a signal kill's sender is no
 * trigger) and was_killed (some kill took a process of it). Returns how many kills did.
 */
static size_t culprit_fate(struct ow_culprit *c, const struct ow_incident *inc)
{
	size_t n_took = 0;

	for (size_t i = 0; i < inc->n_kills; i++) {
		const struct ow_kill *k = &inc->kills[i];

		if (k->killer_kind == OW_KILLER_KERNEL && culprit_has(c, inc, k, k->trigger_pid))
			c->was_trigger = true;
		if (kill_took_culprit(c, inc, k))
			n_took++;
	}
	c->was_killed = n_took > 0;
	return n_took;
}

/* How a row's memory moved, in words: "grew 106.0 MiB in 1m46s (1.0 MiB/s), a steady leak". */
static char *growth_words(const struct ow_growth *row, const struct ow_growth_analysis *g,
			  const struct ow_growth_config *cfg)
{
	char grew[OW_BYTES_TEXT_LEN], at[OW_BYTES_TEXT_LEN], from[OW_BYTES_TEXT_LEN];
	char span[OW_DURATION_TEXT_LEN], recent[OW_DURATION_TEXT_LEN], rate[OW_RATE_TEXT_LEN];
	char last[OW_BYTES_TEXT_LEN];
	uint64_t grew_bytes = row->growth_bytes > 0 ? (uint64_t)row->growth_bytes : 0;
	uint64_t seen_ns = g->first_kill_ns - row->first_seen_ns;

	ow_format_bytes(grew, grew_bytes);
	ow_format_bytes(at, row->at_oom_bytes);
	ow_format_duration(span, row->growth_span_ns);
	ow_format_duration(recent, cfg->recent_ns);
	ow_format_rate(rate, row->rate_bytes_per_s);
	switch (row->pattern) {
	case OW_GROWTH_STEADY:
		return fmt_alloc("grew %s in %s (%s), a steady leak", grew, span, rate);
	case OW_GROWTH_BURST:
		ow_format_bytes(last, row->recent_growth_bytes > 0
					      ? (uint64_t)row->recent_growth_bytes
					      : 0);
		return fmt_alloc("grew %s in %s (%s), a late burst: %s of it in the last %s", grew,
				 span, rate, last, recent);
	case OW_GROWTH_STEP:
		ow_format_duration(span, g->first_kill_ns - row->settled_ns);
		return fmt_alloc("grew %s in one spell, then held it for the last %s", grew, span);
	case OW_GROWTH_FALLING:
		ow_format_bytes(from, row->start_bytes);
		ow_format_duration(span, seen_ns);
		return fmt_alloc("fell from %s to %s over the %s before the first kill", from, at,
				 span);
	case OW_GROWTH_FLAT:
		break;
	}
	ow_format_duration(span, seen_ns);
	return fmt_alloc("stayed flat at %s over the %s before the first kill", at, span);
}

/* The growth reason: growth_words() with restarts and whether it was still rising. */
static int reason_growth(struct ow_culprit *c, const struct ow_growth *row,
			 const struct ow_growth_analysis *g, const struct ow_growth_config *cfg)
{
	char *words = growth_words(row, g, cfg), *line;
	char restarts[96] = "";

	if (!words)
		return -ENOMEM;
	if (row->n_instances > 1)
		snprintf(restarts, sizeof(restarts),
			 ", over %zu instances (restarted under the same command line)",
			 row->n_instances);
	line = fmt_alloc("%s%s%s", words, restarts,
			 row->rising_at_oom ? "; it was still rising when memory ran out" : "");
	free(words);
	return add_reason(c, line);
}

/* What the biggest holder did while the grower grew: "stayed flat at 150.0 MiB". */
static char *holder_words(const struct ow_growth *row, const struct ow_growth_analysis *g)
{
	char at[OW_BYTES_TEXT_LEN], from[OW_BYTES_TEXT_LEN], ago[OW_DURATION_TEXT_LEN];

	ow_format_bytes(at, row->at_oom_bytes);
	if (row->pattern == OW_GROWTH_FALLING)
		return fmt_alloc("fell from %s to %s", ow_format_bytes(from, row->start_bytes), at);
	if (row->pattern == OW_GROWTH_STEP)
		return fmt_alloc("had stopped growing at %s %s before the first kill", at,
				 ow_format_duration(ago, g->first_kill_ns - row->settled_ns));
	return fmt_alloc("stayed flat at %s", at);
}

static int reason_holder(struct ow_culprit *c, const struct ow_incident *inc,
			 const struct ow_process *holder, const struct ow_growth *row,
			 const struct ow_growth_analysis *g)
{
	size_t at = first_kill_of(inc, holder->pid, NULL);
	bool by_kernel = at < inc->n_kills && inc->kills[at].killer_kind == OW_KILLER_KERNEL;
	const char *who = by_kernel ? "the kernel killed it" : "it was killed";
	char adj[OW_ADJ_TEXT_LEN], fate[64] = "";
	char *words = holder_words(row, g), *line;

	if (!words)
		return -ENOMEM;
	if (at == 0)
		snprintf(fate, sizeof(fate), "; %s first", who);
	else if (at < inc->n_kills)
		snprintf(fate, sizeof(fate), "; %s at kill #%zu", who, at + 1);
	line = fmt_alloc("the biggest holder, %s (pid %d, adj %s), %s%s", holder->comm,
			 (int)holder->pid, fmt_adj(adj, holder->oom_score_adj), words, fate);
	free(words);
	return add_reason(c, line);
}

static int reason_headroom(struct ow_culprit *c, const struct ow_growth *row,
			   const struct ow_domain *d)
{
	char limit[OW_BYTES_TEXT_LEN], room[OW_BYTES_TEXT_LEN], when[OW_DURATION_TEXT_LEN];

	if (row->time_to_limit_ns < 0 || row->pattern == OW_GROWTH_STEP)
		return 0;
	ow_format_bytes(room, row->headroom_bytes);
	ow_format_duration(when, (uint64_t)row->time_to_limit_ns);
	if (d->kind == OW_DOMAIN_GLOBAL)
		return add_reason(c, fmt_alloc("at that rate it uses up the memory available (%s "
					       "when it began growing) in %s",
					       room, when));
	if (!d->limit_bytes)
		return add_reason(c,
				  fmt_alloc("at that rate it fills the memcg's headroom (%s when "
					    "it began growing) in %s",
					    room, when));
	return add_reason(c, fmt_alloc("at that rate it fills the headroom of the %s limit (%s "
				       "when it began growing) in %s",
				       ow_format_bytes(limit, d->limit_bytes), room, when));
}

/* How much of the domain's gain the grower took since it began (or the holder settled). */
static int reason_domain_share(struct ow_culprit *c, const struct ow_growth *row,
			       const struct ow_growth_analysis *g, const struct ow_domain *d)
{
	const char *what = d->kind == OW_DOMAIN_MEMCG ? "the memcg" : "RAM in use";
	const char *since = g->grower_since_ns == row->growth_start_ns
				    ? "since it began growing"
				    : "since the biggest holder stopped growing";
	char mine[OW_BYTES_TEXT_LEN], all[OW_BYTES_TEXT_LEN];

	if (g->domain_since_bytes <= 0)
		return add_reason(c,
				  fmt_alloc("it gained %s %s while %s did not grow overall",
					    ow_format_bytes(mine, (uint64_t)g->grower_since_bytes),
					    since, what));
	ow_format_bytes(all, (uint64_t)g->domain_since_bytes);
	if (g->grower_since_bytes >= g->domain_since_bytes)
		return add_reason(c, fmt_alloc("it accounts for all of the %s %s gained %s", all,
					       what, since));
	return add_reason(
		c, fmt_alloc("it accounts for %.0f%% of the %s %s gained %s",
			     100.0 * (double)g->grower_since_bytes / (double)g->domain_since_bytes,
			     all, what, since));
}

/*
 * Rule 9: the biggest holder did not grow (flat, falling, or one early step) while another
 * process grew and gained, since then, at least min_growth_bytes and grower_min_share of what
 * the domain gained.
 */
static bool grower_is_culprit(const struct ow_verdict_config *cfg,
			      const struct ow_growth_analysis *g)
{
	const struct ow_growth *holder, *grower;
	int64_t gained;

	if (!g->available || g->holder_row < 0 || g->grower_row < 0)
		return false;
	holder = &g->rows[g->holder_row];
	grower = &g->rows[g->grower_row];
	if (holder->pattern != OW_GROWTH_FLAT && holder->pattern != OW_GROWTH_FALLING &&
	    holder->pattern != OW_GROWTH_STEP)
		return false;
	if (grower->pattern != OW_GROWTH_STEADY && grower->pattern != OW_GROWTH_BURST &&
	    grower->pattern != OW_GROWTH_STEP)
		return false;
	gained = g->grower_since_bytes;
	if (gained <= 0 || (uint64_t)gained < cfg->growth.min_growth_bytes)
		return false;
	return g->domain_since_bytes <= 0 ||
	       (double)gained >= cfg->grower_min_share * (double)g->domain_since_bytes;
}

/* The culprit named by rule 9: the grower, with the holder's figures beside its own. */
static int judge_by_growth(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
			   const struct ow_process *holder, struct ow_verdict *v)
{
	const struct ow_growth_analysis *g = &v->growth;
	const struct ow_growth *row = &g->rows[g->grower_row];
	const struct ow_kill *first = &inc->kills[0];
	const struct ow_process *p = ow_kill_find_process(first, row->pid);
	struct ow_culprit *c = &v->culprit;
	char held[OW_BYTES_TEXT_LEN];
	int r;

	if (p)
		culprit_from_process(c, inc, p);
	else
		culprit_from_history(c, inc, g, row);
	culprit_fate(c, inc);
	c->by_growth = true;
	c->growth_row = g->grower_row;

	r = reason_growth(c, row, g, &cfg->growth);
	if (r < 0)
		return r;
	r = reason_holder(c, inc, holder, &g->rows[g->holder_row], g);
	if (r < 0)
		return r;
	r = reason_headroom(c, row, &first->domain);
	if (r < 0)
		return r;
	r = reason_domain_share(c, row, g, &first->domain);
	if (r < 0)
		return r;
	if (p) {
		r = reason_memory(c, &first->domain);
		if (r >= 0)
			r = reason_adj(c, inc, v, p);
	} else {
		r = add_reason(c, fmt_alloc("was not in the first kill's snapshot: held %s at its "
					    "last sample",
					    ow_format_bytes(held, c->memory_bytes)));
	}
	if (r < 0)
		return r;
	return reason_fate(c, inc);
}

/*
 * OW_CULPRIT_PROCESS: the biggest holder of memory in the domain at the first kill (rule 3),
 * or a grower instead of it (rule 9).
 */
static int judge_process(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
			 const struct ow_process *p, struct ow_verdict *v)
{
	const struct ow_growth_analysis *g = &v->growth;
	const struct ow_kill *first = &inc->kills[0];
	struct ow_culprit *c = &v->culprit;
	int r;

	if (grower_is_culprit(cfg, g))
		return judge_by_growth(inc, cfg, p, v);

	culprit_from_process(c, inc, p);
	culprit_fate(c, inc);
	r = reason_memory(c, &first->domain);
	if (r < 0)
		return r;
	if (g->available && g->holder_row >= 0) {
		c->growth_row = g->holder_row;
		r = reason_growth(c, &g->rows[g->holder_row], g, &cfg->growth);
		if (r < 0)
			return r;
	}
	r = reason_adj(c, inc, v, p);
	if (r < 0)
		return r;
	return reason_fate(c, inc);
}

/* "held 410.0 MiB, 80% of the memcg limit (512.0 MiB) at the first kill", after a subject. */
static void sb_held(struct sbuf *b, const struct ow_domain *d, uint64_t bytes)
{
	char held[OW_BYTES_TEXT_LEN], limit[OW_BYTES_TEXT_LEN];

	ow_format_bytes(held, bytes);
	if (!d->limit_bytes)
		sb_add(b, "held %s at the first kill", held);
	else if (bytes > d->limit_bytes) /* a tree's copy-on-write pages, summed per process */
		sb_add(b,
		       "held %s counted process by process, more than %s (%s) at the first kill: "
		       "pages they share after fork count in each",
		       held, limit_words(d), ow_format_bytes(limit, d->limit_bytes));
	else
		sb_add(b, "held %s, %.0f%% of %s (%s) at the first kill", held,
		       share_of(bytes, d->limit_bytes) * 100.0, limit_words(d),
		       ow_format_bytes(limit, d->limit_bytes));
}

/* The subject of a tree's or a cgroup's sentences: "48 processes in the tree of x (pid 1)". */
static void sb_group_subject(struct sbuf *b, const struct ow_culprit *c)
{
	sb_add(b, "%zu %s in ", c->n_members, processes(c->n_members));
	if (c->kind == OW_CULPRIT_PROCESS_TREE)
		sb_add(b, "the tree of %s (pid %d)", c->comm, (int)c->pid);
	else
		sb_add(b, "cgroup %s", c->cgroup);
}

/* What a tree or cgroup culprit's kills took: "5 of the 6 kills took one of them". */
static void sb_group_fate(struct sbuf *b, const struct ow_incident *inc, size_t n_took,
			  bool in_summary)
{
	size_t n = inc->n_kills;

	if (n_took == 0 && !in_summary)
		sb_add(b, "none of them was killed: %zu other %s died instead", n, processes(n));
	else if (n_took == 0 && all_kernel_kills(inc))
		sb_add(b, "none of them was killed: the kernel killed %zu other %s instead", n,
		       processes(n));
	else if (n_took == 0)
		sb_add(b, "none of them was killed: %zu other %s %s killed instead", n,
		       processes(n), n == 1 ? "was" : "were");
	else if (n_took == n && n == 1)
		sb_add(b, "the victim was one of them");
	else if (n_took == n)
		sb_add(b, "every one of the %zu kills took one of them", n);
	else
		sb_add(b, "%zu of the %zu kills took one of them", n_took, n);
}

/* Rules 10 and 11: the reasons of a process-tree or cgroup culprit. */
static int reasons_group(struct ow_culprit *c, const struct ow_incident *inc,
			 const struct ow_aggregate *agg, const struct ow_group *grp, size_t n_took)
{
	const struct ow_kill *first = &inc->kills[0];
	const struct ow_process *big = &first->procs[grp->biggest];
	char all[OW_BYTES_TEXT_LEN], alone[OW_BYTES_TEXT_LEN];
	struct sbuf b = { 0 };
	int r;

	c->biggest_pid = big->pid;
	c->biggest_bytes = ow_process_own_memory_bytes(first, big);
	sb_group_subject(&b, c);
	sb_add(&b, " ");
	sb_held(&b, &first->domain, c->memory_bytes);
	r = add_reason(c, sb_take(&b));
	if (r < 0)
		return r;
	r = add_reason(c, fmt_alloc("together %.0f%% of what the domain's processes held (%s); the "
				    "biggest alone, %s (pid %d), held %s",
				    share_of(c->memory_bytes, agg->procs_bytes) * 100.0,
				    ow_format_bytes(all, agg->procs_bytes), big->comm,
				    (int)big->pid, ow_format_bytes(alone, c->biggest_bytes)));
	if (r < 0)
		return r;
	sb_group_fate(&b, inc, n_took, false);
	r = add_reason(c, sb_take(&b));
	if (r >= 0 && c->was_trigger)
		r = add_reason(c, strdup("one of them was allocating when memory ran out (the "
					 "trigger)"));
	return r < 0 ? r : reason_killers(c, inc);
}

/*
 * Rules 10 (kind OW_CULPRIT_PROCESS_TREE) and 11 (OW_CULPRIT_CGROUP): the smallest tree or
 * cgroup of the first kill holding at least min_share of what the domain's processes hold,
 * with min_members or more. Returns 1 when it named one, 0 when none qualifies, or -ENOMEM.
 */
static int judge_group(const struct ow_incident *inc, const struct ow_aggregate *agg,
		       enum ow_culprit_kind kind, double min_share, size_t min_members,
		       struct ow_verdict *v)
{
	bool tree = kind == OW_CULPRIT_PROCESS_TREE;
	const struct ow_group *groups = tree ? agg->trees : agg->cgroups;
	size_t n = tree ? agg->n_trees : agg->n_cgroups;
	const struct ow_kill *first = &inc->kills[0];
	struct ow_culprit *c = &v->culprit;
	double bar = min_share * (double)agg->procs_bytes;
	uint64_t min_bytes = (uint64_t)bar;
	const struct ow_group *grp;
	ssize_t at;
	int r;

	if ((double)min_bytes < bar)
		min_bytes++;
	if (!min_bytes)
		min_bytes = 1;
	at = ow_group_pick(groups, n, min_bytes, min_members);
	if (at < -1)
		return (int)at;
	if (at < 0)
		return 0;
	grp = &groups[at];
	if (tree) {
		culprit_from_process(c, inc, &first->procs[grp->root]);
	} else {
		c->owned_cgroup = strdup(grp->path);
		if (!c->owned_cgroup)
			return -ENOMEM;
		c->cgroup = c->owned_cgroup;
	}
	c->kind = kind;
	c->n_members = grp->n_members;
	c->memory_bytes = grp->memory_bytes;
	c->share = share_of(c->memory_bytes, first->domain.limit_bytes);
	r = reasons_group(c, inc, agg, grp, culprit_fate(c, inc));
	return r < 0 ? r : 1;
}

/* What memory no process owns is the culprit of rule 12. */
enum unowned_kind {
	UNOWNED_SHMEM,
	UNOWNED_KERNEL,
	UNOWNED_PAGE_CACHE,
};

/* Rule 12: the reasons of a non-process culprit. */
static int reasons_non_process(struct ow_culprit *c, const struct ow_incident *inc,
			       const struct ow_aggregate *agg, const struct ow_process *top,
			       enum unowned_kind kind)
{
	const struct ow_kill *first = &inc->kills[0];
	const struct ow_unowned_memory *u = &first->unowned;
	char a[OW_BYTES_TEXT_LEN], b2[OW_BYTES_TEXT_LEN];
	struct sbuf b = { 0 };
	size_t n = inc->n_kills;
	int r;

	ow_format_bytes(a, c->memory_bytes);
	if (kind == UNOWNED_SHMEM)
		sb_add(&b, "%s: %s not mapped by any process, ", c->what, a);
	else if (kind == UNOWNED_KERNEL)
		sb_add(&b, "%s: %s of kernel memory, ", c->what, a);
	else
		sb_add(&b, "%s: %s, ", c->what, a);
	sb_add(&b, "%.0f%% of %s (%s) at the first kill", c->share * 100.0,
	       limit_words(&first->domain), ow_format_bytes(b2, first->domain.limit_bytes));
	r = add_reason(c, sb_take(&b));
	if (r < 0)
		return r;
	if (kind == UNOWNED_SHMEM) {
		r = add_reason(c,
			       fmt_alloc("shmem and tmpfs held %s in all; the domain's processes "
					 "mapped %s of it",
					 ow_format_bytes(a, u->shmem_bytes),
					 ow_format_bytes(b2, u->shmem_bytes - c->memory_bytes)));
		for (size_t i = 0; i < u->n_tmpfs && i < OW_NAMES_MAX && r >= 0; i++)
			if (u->tmpfs[i].path && u->tmpfs[i].used_bytes)
				r = add_reason(
					c, fmt_alloc("tmpfs %s holds %s", u->tmpfs[i].path,
						     ow_format_bytes(a, u->tmpfs[i].used_bytes)));
	} else if (kind == UNOWNED_KERNEL &&
		   (u->slab_bytes || u->pagetables_bytes || u->sock_bytes)) {
		const struct {
			const char *name;
			uint64_t bytes;
		} parts[] = {
			{ "slab", u->slab_bytes },
			{ "page tables", u->pagetables_bytes },
			{ "network buffers", u->sock_bytes },
		};
		const char *sep = " ";

		sb_add(&b, "of which");
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			if (!parts[i].bytes)
				continue;
			sb_add(&b, "%s%s %s", sep, parts[i].name,
			       ow_format_bytes(a, parts[i].bytes));
			sep = ", ";
		}
		r = add_reason(c, sb_take(&b));
	}
	if (r < 0)
		return r;
	if (top)
		r = add_reason(
			c, fmt_alloc("the domain's processes held %s in all; the biggest, %s "
				     "(pid %d), %s",
				     ow_format_bytes(a, agg->procs_bytes), top->comm, (int)top->pid,
				     ow_format_bytes(b2, ow_process_memory_bytes(top))));
	else
		r = add_reason(c, strdup("no process of the domain held any memory"));
	if (r >= 0 && kind == UNOWNED_SHMEM)
		r = add_reason(c, strdup("killing processes does not free it: tmpfs files and "
					 "shared memory segments stay until removed"));
	if (r >= 0)
		r = add_reason(c, fmt_alloc("%zu %s %s killed instead", n, processes(n),
					    n == 1 ? "was" : "were"));
	return r < 0 ? r : reason_killers(c, inc);
}

/*
 * Rule 12: memory of the domain no process owns, from the first kill's kill.unowned: shmem and
 * tmpfs pages no process maps, kernel memory, page cache. The largest is the culprit when it is
 * more than any one process, tree or cgroup held and at least unowned_min_share of the limit.
 * Returns 1 when it named it, 0 when not, or -ENOMEM.
 */
static int judge_non_process(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
			     const struct ow_aggregate *agg, const struct ow_process *top,
			     struct ow_verdict *v)
{
	const struct ow_kill *first = &inc->kills[0];
	const struct ow_unowned_memory *u = &first->unowned;
	uint64_t limit = first->domain.limit_bytes, amount, most, unmapped;
	static const char *const whats[] = {
		[UNOWNED_SHMEM] = OW_UNOWNED_SHMEM,
		[UNOWNED_KERNEL] = OW_UNOWNED_KERNEL,
		[UNOWNED_PAGE_CACHE] = OW_UNOWNED_PAGE_CACHE,
	};
	struct ow_culprit *c = &v->culprit;
	enum unowned_kind kind = UNOWNED_SHMEM;
	int r;

	if (!u->known || !limit)
		return 0;
	unmapped = u->shmem_bytes > agg->procs_shmem_bytes ? u->shmem_bytes - agg->procs_shmem_bytes
							   : 0;
	amount = unmapped;
	if (u->kernel_bytes > amount) {
		amount = u->kernel_bytes;
		kind = UNOWNED_KERNEL;
	}
	if (u->file_bytes > amount) {
		amount = u->file_bytes;
		kind = UNOWNED_PAGE_CACHE;
	}
	most = top ? ow_process_memory_bytes(top) : 0;
	if (ow_group_max_bytes(agg->trees, agg->n_trees) > most)
		most = ow_group_max_bytes(agg->trees, agg->n_trees);
	if (ow_group_max_bytes(agg->cgroups, agg->n_cgroups) > most)
		most = ow_group_max_bytes(agg->cgroups, agg->n_cgroups);
	if (!amount || amount <= most || (double)amount < cfg->unowned_min_share * (double)limit)
		return 0;
	c->kind = OW_CULPRIT_NON_PROCESS;
	c->what = whats[kind];
	c->cgroup = first->domain.kind == OW_DOMAIN_MEMCG ? first->domain.cgroup : NULL;
	c->memory_bytes = amount;
	c->share = share_of(amount, limit);
	r = reasons_non_process(c, inc, agg, top, kind);
	return r < 0 ? r : 1;
}

/*
 * The culprit, in the order of docs/verdict.md ("Precedence"): memory no process owns (rule
 * 12); the biggest holder or a grower (rules 3, 9) when the biggest holder alone holds
 * tree_single_max_share of what the domain's processes hold; else a process tree (rule 10),
 * else a cgroup (rule 11), else rules 3 and 9 anyway.
 */
static int judge_culprit(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
			 struct ow_verdict *v)
{
	const struct ow_kill *first;
	const struct ow_process *top;
	struct ow_aggregate agg;
	int r;

	v->culprit.growth_row = -1;
	if (!inc->n_kills)
		return 0;
	first = &inc->kills[0];
	r = ow_aggregate_kill(first, &agg);
	if (r < 0)
		return r;
	top = ow_kill_top_holder(first);
	r = judge_non_process(inc, cfg, &agg, top, v);
	if (r != 0 || !top)
		goto out;
	if ((double)ow_process_memory_bytes(top) <
	    cfg->tree_single_max_share * (double)agg.procs_bytes) {
		r = judge_group(inc, &agg, OW_CULPRIT_PROCESS_TREE, cfg->tree_min_share,
				cfg->tree_min_members, v);
		if (r != 0)
			goto out;
		r = judge_group(inc, &agg, OW_CULPRIT_CGROUP, cfg->cgroup_min_share,
				OW_CGROUP_MIN_MEMBERS, v);
		if (r != 0)
			goto out;
	}
	r = judge_process(inc, cfg, top, v);
out:
	ow_aggregate_clear(&agg);
	return r < 0 ? r : 0;
}

struct shield_row {
	uint64_t memory_bytes;
	int32_t pid;
};

static int shield_row_cmp(const void *pa, const void *pb)
{
	const struct shield_row *a = pa, *b = pb;

	if (a->memory_bytes != b->memory_bytes)
		return a->memory_bytes > b->memory_bytes ? -1 : 1;
	return (a->pid > b->pid) - (a->pid < b->pid);
}

/* Negative adj and at least shielded_min_share of the limit at the first kill, biggest first. */
static int find_shielded(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
			 struct ow_verdict *v)
{
	const struct ow_kill *k;
	struct shield_row *rows;
	size_t n = 0;

	if (!inc->n_kills || !inc->kills[0].n_procs)
		return 0;
	k = &inc->kills[0];
	rows = calloc(k->n_procs, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];
		uint64_t mem = ow_process_memory_bytes(p);

		if (!in_domain(p) || p->oom_score_adj >= 0 || !mem ||
		    share_of(mem, k->domain.limit_bytes) < cfg->shielded_min_share)
			continue;
		rows[n].memory_bytes = mem;
		rows[n].pid = p->pid;
		n++;
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), shield_row_cmp);
	if (n) {
		v->shielded_pids = calloc(n, sizeof(*v->shielded_pids));
		if (!v->shielded_pids) {
			free(rows);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++)
			v->shielded_pids[i] = rows[i].pid;
		v->n_shielded = n;
	}
	free(rows);
	return 0;
}

static int find_innocent(const struct ow_incident *inc, struct ow_verdict *v)
{
	if (!inc->n_kills)
		return 0;
	v->innocent_pids = calloc(inc->n_kills, sizeof(*v->innocent_pids));
	if (!v->innocent_pids)
		return -ENOMEM;
	for (size_t i = 0; i < inc->n_kills; i++) {
		int32_t pid = inc->kills[i].victim_pid;
		bool seen = false;

		if (!v->kills[i].victim_innocent)
			continue;
		for (size_t j = 0; j < v->n_innocent; j++)
			seen = seen || v->innocent_pids[j] == pid;
		if (!seen)
			v->innocent_pids[v->n_innocent++] = pid;
	}
	return 0;
}

/* Records lost: the incident's count, or the kills' own if the incident was built by hand. */
static uint64_t lost_events_of(const struct ow_incident *inc)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < inc->n_kills; i++)
		sum += inc->kills[i].lost_events;
	return inc->lost_events > sum ? inc->lost_events : sum;
}

bool ow_verdict_partial(const struct ow_incident *inc)
{
	for (size_t i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].partial || (inc->kills[i].flags & OW_KILL_SNAPSHOT_SKIPPED))
			return true;
	return lost_events_of(inc) > 0 || inc->missed_kills > 0;
}

/* The words after "X (pid N) held ... and ": what became of a process culprit and the others. */
static void sb_process_fate(struct sbuf *b, const struct ow_incident *inc,
			    const struct ow_verdict *v)
{
	bool shared;
	size_t at = first_kill_of(inc, v->culprit.pid, &shared);
	size_t n = inc->n_kills, n_by_adj = 0;

	if (at == 0) {
		sb_add(b, "%s",
		       shared ? "was killed with the first victim, whose memory it shared"
			      : "was itself the victim");
		if (n > 1)
			sb_add(b, "; %zu more %s followed", n - 1, n == 2 ? "kill" : "kills");
		return;
	}
	if (at < n) {
		sb_add(b, "was killed only at kill #%zu%s, after %zu other %s", at + 1,
		       shared ? " with its victim, whose memory it shared" : "", at, processes(at));
		return;
	}
	for (size_t i = 0; i < v->n_kills; i++)
		n_by_adj += v->kills[i].victim_by_adj;
	if (!all_kernel_kills(inc)) {
		sb_add(b, "was never killed; %zu other %s %s killed instead", n, processes(n),
		       n == 1 ? "was" : "were");
		if (n_by_adj)
			sb_add(b, ", %zu of them chosen by the kernel for oom_score_adj", n_by_adj);
	} else if (n_by_adj == n) {
		sb_add(b,
		       "was never killed; the kernel killed %zu %s chosen by oom_score_adj instead",
		       n, processes(n));
	} else if (n_by_adj == 0) {
		sb_add(b, "was never killed; the kernel killed %zu other %s instead", n,
		       processes(n));
	} else {
		sb_add(b,
		       "was never killed; the kernel killed %zu other processes instead, %zu of "
		       "them chosen by oom_score_adj",
		       n, n_by_adj);
	}
}

static char *summary_partial(const struct ow_incident *inc, bool partial)
{
	unsigned long long lost = lost_events_of(inc), missed = inc->missed_kills;
	const char *sep = " (partial data: ";
	struct sbuf b = { 0 };
	size_t skipped = 0;

	if (!partial)
		return strdup("");
	for (size_t i = 0; i < inc->n_kills; i++)
		skipped += !!(inc->kills[i].flags & OW_KILL_SNAPSHOT_SKIPPED);
	if (lost) {
		sb_add(&b, "%s%llu ring-buffer %s lost", sep, lost,
		       lost == 1 ? "record" : "records");
		sep = "; ";
	}
	if (missed) {
		sb_add(&b, "%sthe recorder was not running for %llu OOM %s on the machine", sep,
		       missed, missed == 1 ? "kill" : "kills");
		sep = "; ";
	}
	if (skipped)
		sb_add(&b, "%s%zu signal %s past the rate limit: only %s were read", sep, skipped,
		       skipped == 1 ? "kill" : "kills",
		       skipped == 1 ? "its victim and killer" : "their victims and killers");
	if (!lost && !missed && !skipped)
		sb_add(&b, "%sincomplete snapshot", sep);
	sb_add(&b, ")");
	return sb_take(&b);
}

/*
 * Rule 9's summary: "leaker (pid 4243) grew 106.0 MiB in 1m46s, a steady leak, until memcg /x
 * ran out, and <fate>. The biggest holder, idle (pid 4242), stayed flat at 150.0 MiB".
 */
static void sb_growth_summary(struct sbuf *b, const struct ow_incident *inc,
			      const struct ow_verdict *v, const char *where)
{
	const struct ow_growth_analysis *g = &v->growth;
	const struct ow_growth *row = &g->rows[g->grower_row];
	const struct ow_growth *hrow = &g->rows[g->holder_row];
	const struct ow_process *holder = ow_kill_top_holder(&inc->kills[0]);
	const struct ow_culprit *c = &v->culprit;
	char grew[OW_BYTES_TEXT_LEN], span[OW_DURATION_TEXT_LEN];
	char *held;

	ow_format_bytes(grew, row->growth_bytes > 0 ? (uint64_t)row->growth_bytes : 0);
	ow_format_duration(span, row->growth_span_ns);
	sb_add(b, "%s (pid %d) ", c->comm, (int)c->pid);
	if (row->pattern == OW_GROWTH_STEP)
		sb_add(b, "grew %s in one spell and held it", grew);
	else
		sb_add(b, "grew %s in %s, %s,", grew, span,
		       row->pattern == OW_GROWTH_BURST ? "a late burst" : "a steady leak");
	sb_add(b, " until %s ran out, and ", where);
	sb_process_fate(b, inc, v);
	held = holder_words(hrow, g);
	if (!held) {
		sb_fail(b);
		return;
	}
	sb_add(b, ". The biggest holder, %s (pid %d), %s", holder->comm, (int)holder->pid, held);
	free(held);
}

/*
 * Rules 10 and 11: "48 processes in the tree of forker (pid 1234) held 80% of memcg /x
 * together, none more than 2% alone; 5 of the 6 kills took one of them".
 */
static void sb_group_summary(struct sbuf *b, const struct ow_incident *inc,
			     const struct ow_culprit *c, const char *where)
{
	uint64_t limit = inc->kills[0].domain.limit_bytes;
	char held[OW_BYTES_TEXT_LEN], alone[OW_BYTES_TEXT_LEN];
	size_t n_took = 0;

	for (size_t i = 0; i < inc->n_kills; i++)
		n_took += kill_took_culprit(c, inc, &inc->kills[i]);
	sb_group_subject(b, c);
	if (limit && c->share >= 1.0) /* copy-on-write pages count in each process */
		sb_add(b, " held all of %s together, none more than %.0f%% alone; ", where,
		       share_of(c->biggest_bytes, limit) * 100.0);
	else if (limit)
		sb_add(b, " held %.0f%% of %s together, none more than %.0f%% alone; ",
		       c->share * 100.0, where, share_of(c->biggest_bytes, limit) * 100.0);
	else
		sb_add(b, " held %s in %s together, none more than %s alone; ",
		       ow_format_bytes(held, c->memory_bytes), where,
		       ow_format_bytes(alone, c->biggest_bytes));
	sb_group_fate(b, inc, n_took, true);
}

/* Rule 12: "Kernel memory held 59% of memcg /x (150.0 MiB), more than any process; ...". */
static void sb_non_process_summary(struct sbuf *b, const struct ow_incident *inc,
				   const struct ow_culprit *c, const char *where)
{
	char held[OW_BYTES_TEXT_LEN];
	size_t n = inc->n_kills;
	const char *label = "Page cache";

	if (strcmp(c->what, OW_UNOWNED_SHMEM) == 0)
		label = "Shared memory and tmpfs files no process maps";
	else if (strcmp(c->what, OW_UNOWNED_KERNEL) == 0)
		label = "Kernel memory";
	sb_add(b, "%s held %.0f%% of %s (%s), more than any process; ", label, c->share * 100.0,
	       where, ow_format_bytes(held, c->memory_bytes));
	if (all_kernel_kills(inc))
		sb_add(b, "the kernel killed %zu %s instead", n, processes(n));
	else
		sb_add(b, "%zu %s %s killed instead", n, processes(n), n == 1 ? "was" : "were");
}

/*
 * Rules 13 and 14, sentences after the culprit's, each starting with ". ": who killed when not
 * the kernel, victims already exiting, processes killed for sharing a victim's memory, and
 * memory.oom.group kills.
 */
static void sb_chain(struct sbuf *b, const struct ow_incident *inc, const struct ow_verdict *v)
{
	int32_t it = v->culprit.kind == OW_CULPRIT_PROCESS ? v->culprit.pid : 0;
	size_t cap = inc->n_kills, n = 0;
	struct who *w;

	for (size_t i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].n_procs > cap)
			cap = inc->kills[i].n_procs;
	w = calloc(cap, sizeof(*w));
	if (!w) {
		sb_fail(b);
		return;
	}
	for (size_t i = 0; i < inc->n_kills; i++) {
		char *line;

		if (!first_of_sender(inc, i))
			continue;
		line = signal_words(inc, i, it);
		if (!line) {
			sb_fail(b);
			break;
		}
		sb_add(b, ". %s", line);
		free(line);
	}
	for (size_t i = 0; i < inc->n_kills; i++) {
		if (v->kills[i].victim_choice != OW_VICTIM_EXITING)
			continue;
		w[n].k = &inc->kills[i];
		w[n++].pid = inc->kills[i].victim_pid;
	}
	if (n) {
		sb_add(b, ". ");
		sb_names(b, w, n);
		sb_add(b, " %s already exiting: the kernel took %s without a SIGKILL",
		       n == 1 ? "was" : "were", n == 1 ? "it" : "them");
	}
	for (size_t i = 0; i < inc->n_kills; i++) {
		const struct ow_kill *k = &inc->kills[i];

		n = 0;
		for (size_t j = 0; j < k->n_procs; j++) {
			if (!killed_with_victim(k, &k->procs[j]))
				continue;
			w[n].k = k;
			w[n++].pid = k->procs[j].pid;
		}
		if (!n)
			continue;
		if (inc->n_kills == 1)
			sb_add(b, ". The kill also took ");
		else
			sb_add(b, ". Kill #%zu also took ", i + 1);
		sb_names(b, w, n);
		sb_add(b, ", which shared its victim's memory");
	}
	for (size_t i = 0; i < inc->n_kills; i++) {
		size_t last = i;

		if (!(inc->kills[i].flags & OW_KILL_OOM_GROUP) ||
		    v->kills[i].victim_choice == OW_VICTIM_OOM_GROUP)
			continue;
		while (last + 1 < inc->n_kills &&
		       v->kills[last + 1].victim_choice == OW_VICTIM_OOM_GROUP)
			last++;
		if (last > i)
			sb_add(b,
			       ". Kills #%zu to #%zu were one memory.oom.group kill: the kernel "
			       "killed the whole cgroup at once",
			       i + 1, last + 1);
	}
	free(w);
}

static int write_summary(const struct ow_incident *inc, struct ow_verdict *v)
{
	const struct ow_culprit *c = &v->culprit;
	char *tail = NULL, *where = NULL;
	struct sbuf b = { 0 };
	const struct ow_domain *d;
	char held[OW_BYTES_TEXT_LEN];
	int r = -ENOMEM;

	tail = summary_partial(inc, v->partial);
	if (!tail)
		goto out;
	if (!inc->n_kills) {
		v->summary = fmt_alloc("No kills: nothing to judge%s.", tail);
		goto done;
	}
	if (c->kind == OW_CULPRIT_NONE) {
		v->summary = fmt_alloc(
			"No process in the OOM domain held memory at the first kill: no culprit to name%s.",
			tail);
		goto done;
	}
	d = &inc->kills[0].domain;
	if (d->kind == OW_DOMAIN_MEMCG)
		where = d->cgroup ? fmt_alloc("memcg %s", d->cgroup) : strdup("the memcg");
	else
		where = strdup("RAM");
	if (!where)
		goto out;
	switch (c->kind) {
	case OW_CULPRIT_PROCESS:
		if (c->by_growth) {
			sb_growth_summary(&b, inc, v, where);
			break;
		}
		if (d->limit_bytes)
			sb_add(&b, "%s (pid %d) held %.0f%% of %s and ", c->comm, (int)c->pid,
			       c->share * 100.0, where);
		else
			sb_add(&b, "%s (pid %d) held %s in %s and ", c->comm, (int)c->pid,
			       ow_format_bytes(held, c->memory_bytes), where);
		sb_process_fate(&b, inc, v);
		break;
	case OW_CULPRIT_PROCESS_TREE:
	case OW_CULPRIT_CGROUP:
		sb_group_summary(&b, inc, c, where);
		break;
	case OW_CULPRIT_NON_PROCESS:
		sb_non_process_summary(&b, inc, c, where);
		break;
	case OW_CULPRIT_NONE:
		break;
	}
	sb_chain(&b, inc, v);
	sb_add(&b, "%s.", tail);
	v->summary = sb_take(&b);
done:
	r = v->summary ? 0 : -ENOMEM;
out:
	free(where);
	free(tail);
	return r;
}

int ow_verdict_compute(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
		       struct ow_verdict *ret_verdict)
{
	struct ow_verdict_config defaults;
	struct ow_verdict v = { 0 };
	int r = -ENOMEM;

	memset(ret_verdict, 0, sizeof(*ret_verdict));
	if (!cfg) {
		ow_verdict_config_default(&defaults);
		cfg = &defaults;
	}
	if (inc->n_kills) {
		v.kills = calloc(inc->n_kills, sizeof(*v.kills));
		if (!v.kills)
			goto fail;
		v.n_kills = inc->n_kills;
	}
	for (size_t i = 0; i < inc->n_kills; i++) {
		r = analyse_kill(&inc->kills[i], cfg, &v.kills[i]);
		if (r < 0)
			goto fail;
		/* Rules 13 and 14: only a victim chosen by badness is judged by it. */
		v.kills[i].victim_choice = victim_choice_of(inc, i);
		if (v.kills[i].victim_choice != OW_VICTIM_BY_BADNESS) {
			v.kills[i].victim_by_adj = false;
			v.kills[i].victim_innocent = false;
		}
	}
	v.partial = ow_verdict_partial(inc);
	r = ow_growth_compute(inc, &cfg->growth, &v.growth);
	if (r < 0)
		goto fail;
	r = judge_culprit(inc, cfg, &v);
	if (r < 0)
		goto fail;
	r = find_shielded(inc, cfg, &v);
	if (r < 0)
		goto fail;
	r = find_innocent(inc, &v);
	if (r < 0)
		goto fail;
	r = write_summary(inc, &v);
	if (r < 0)
		goto fail;
	*ret_verdict = v;
	return 0;
fail:
	ow_verdict_clear(&v);
	return -ENOMEM;
}

void ow_verdict_clear(struct ow_verdict *v)
{
	if (!v)
		return;
	if (v->kills)
		for (size_t i = 0; i < v->n_kills; i++)
			free(v->kills[i].ranked);
	free(v->kills);
	if (v->culprit.reasons)
		for (size_t i = 0; i < v->culprit.n_reasons; i++)
			free(v->culprit.reasons[i]);
	free(v->culprit.reasons);
	free(v->culprit.owned_cgroup);
	free(v->shielded_pids);
	free(v->innocent_pids);
	free(v->summary);
	ow_growth_clear(&v->growth);
	memset(v, 0, sizeof(*v));
}
