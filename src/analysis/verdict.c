/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The verdict on an incident (verdict.h): rankings per kill, the culprit and its reasons, the
 * shielded processes and innocent victims, and a summary in one or two sentences. With a memory
 * history, the growth analysis (growth.c) can name a grower instead of the biggest holder.
 *
 * The rules and their defaults are written down in docs/verdict.md; keep the two in step.
 * The badness itself lives in badness.c. Pure: no I/O, no logging, no globals.
 */
#include "analysis/verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OW_ADJ_TEXT_LEN 16

void ow_verdict_config_default(struct ow_verdict_config *cfg)
{
	cfg->innocent_max_share = 0.05;
	cfg->shielded_min_share = 0.10;
	cfg->ranking_size = 10;
	ow_growth_config_default(&cfg->growth);
	cfg->grower_min_share = 0.5;
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

/* 0-based index of the first kill whose victim is pid, or n_kills. */
static size_t first_kill_of(const struct ow_incident *inc, int32_t pid)
{
	size_t i;

	for (i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].victim_pid == pid)
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
		      const struct ow_process *p)
{
	struct ow_badness b =
		ow_badness_compute(p, inc->kills[0].domain.total_bytes, OW_BADNESS_PAGE_SIZE);
	size_t spared_kills = c->was_killed ? first_kill_of(inc, c->pid) : inc->n_kills;
	const char *outcome =
		c->was_killed ? "the kernel killed them first" : "the kernel preferred them";
	char own[OW_ADJ_TEXT_LEN], lo[OW_ADJ_TEXT_LEN], hi[OW_ADJ_TEXT_LEN];
	int32_t min_adj = INT32_MAX, max_adj = INT32_MIN;
	size_t n_victims = 0;

	/* A killed culprit was killable: its snapshot may show it reaped, which says nothing. */
	if (!c->was_killed && b.eligibility != OW_ELIGIBLE)
		return add_reason(c, fmt_alloc("%s: the kernel could not kill it",
					       ow_eligibility_text(b.eligibility)));
	for (size_t i = 0; i < spared_kills; i++) {
		const struct ow_process *v =
			ow_kill_find_process(&inc->kills[i], inc->kills[i].victim_pid);

		if (!v)
			continue;
		n_victims++;
		if (v->oom_score_adj < min_adj)
			min_adj = v->oom_score_adj;
		if (v->oom_score_adj > max_adj)
			max_adj = v->oom_score_adj;
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

/*
 * The culprit's fate, its last reasons: when it was killed, if ever, and whether it was the
 * trigger. A culprit by growth (rule 9) need not be the biggest holder, so its being the first
 * victim says only that.
 */
static int reason_fate(struct ow_culprit *c, const struct ow_incident *inc)
{
	size_t at = first_kill_of(inc, c->pid);
	int r;

	if (at == 0 && c->by_growth)
		r = add_reason(c, strdup("was itself the victim of the first kill"));
	else if (at == 0)
		r = add_reason(
			c,
			strdup("the victim itself held the most memory: not an innocent victim"));
	else if (at < inc->n_kills)
		r = add_reason(c, fmt_alloc("was killed at kill #%zu", at + 1));
	else
		r = add_reason(c, fmt_alloc("was never killed: %zu other %s died instead",
					    inc->n_kills,
					    inc->n_kills == 1 ? "process" : "processes"));
	if (r < 0)
		return r;
	if (c->was_trigger)
		return add_reason(c, strdup("was allocating when memory ran out (the trigger)"));
	return 0;
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

static void culprit_fate(struct ow_culprit *c, const struct ow_incident *inc)
{
	for (size_t i = 0; i < inc->n_kills; i++) {
		if (inc->kills[i].trigger_pid && inc->kills[i].trigger_pid == c->pid)
			c->was_trigger = true;
		if (inc->kills[i].victim_pid == c->pid)
			c->was_killed = true;
	}
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
	size_t at = first_kill_of(inc, holder->pid);
	char adj[OW_ADJ_TEXT_LEN], fate[64] = "";
	char *words = holder_words(row, g), *line;

	if (!words)
		return -ENOMEM;
	if (at == 0)
		snprintf(fate, sizeof(fate), "; the kernel killed it first");
	else if (at < inc->n_kills)
		snprintf(fate, sizeof(fate), "; the kernel killed it at kill #%zu", at + 1);
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
			r = reason_adj(c, inc, p);
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
static int judge_culprit(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
			 struct ow_verdict *v)
{
	const struct ow_growth_analysis *g = &v->growth;
	struct ow_culprit *c = &v->culprit;
	const struct ow_kill *first;
	const struct ow_process *p;
	int r;

	c->growth_row = -1;
	if (!inc->n_kills)
		return 0;
	first = &inc->kills[0];
	p = ow_kill_top_holder(first);
	if (!p)
		return 0;
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
	r = reason_adj(c, inc, p);
	if (r < 0)
		return r;
	return reason_fate(c, inc);
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
		if (inc->kills[i].partial)
			return true;
	return lost_events_of(inc) > 0 || inc->missed_kills > 0;
}

/* The sentence after "X (pid N) held ...": what became of the culprit and of the others. */
static char *summary_fate(const struct ow_incident *inc, const struct ow_verdict *v)
{
	size_t at = first_kill_of(inc, v->culprit.pid);
	size_t n_by_adj = 0;

	if (at == 0) {
		if (inc->n_kills == 1)
			return strdup("was itself the victim");
		return fmt_alloc("was itself the victim; %zu more %s followed", inc->n_kills - 1,
				 inc->n_kills == 2 ? "kill" : "kills");
	}
	if (at < inc->n_kills)
		return fmt_alloc("was killed only at kill #%zu, after %zu other %s", at + 1, at,
				 at == 1 ? "process" : "processes");
	for (size_t i = 0; i < v->n_kills; i++)
		n_by_adj += v->kills[i].victim_by_adj;
	if (n_by_adj == inc->n_kills)
		return fmt_alloc(
			"was never killed; the kernel killed %zu %s chosen by oom_score_adj instead",
			inc->n_kills, inc->n_kills == 1 ? "process" : "processes");
	if (n_by_adj == 0)
		return fmt_alloc("was never killed; the kernel killed %zu other %s instead",
				 inc->n_kills, inc->n_kills == 1 ? "process" : "processes");
	return fmt_alloc(
		"was never killed; the kernel killed %zu other processes instead, %zu of them "
		"chosen by oom_score_adj",
		inc->n_kills, n_by_adj);
}

static char *summary_partial(const struct ow_incident *inc, bool partial)
{
	unsigned long long lost = lost_events_of(inc), missed = inc->missed_kills;
	const char *records = lost == 1 ? "record" : "records";
	const char *kills = missed == 1 ? "kill" : "kills";

	if (!partial)
		return strdup("");
	if (!lost && !missed)
		return strdup(" (partial data: incomplete snapshot)");
	if (!missed)
		return fmt_alloc(" (partial data: %llu ring-buffer %s lost)", lost, records);
	if (!lost)
		return fmt_alloc(" (partial data: the recorder was not running for %llu OOM %s on "
				 "the machine)",
				 missed, kills);
	return fmt_alloc(" (partial data: %llu ring-buffer %s lost; the recorder was not running "
			 "for %llu OOM %s on the machine)",
			 lost, records, missed, kills);
}

/*
 * Rule 9's summary: "leaker (pid 4243) grew 106.0 MiB in 1m46s, a steady leak, until memcg /x
 * ran out, and <fate>. The biggest holder, idle (pid 4242), stayed flat at 150.0 MiB."
 */
static char *summary_by_growth(const struct ow_incident *inc, const struct ow_verdict *v,
			       const char *where, const char *fate, const char *tail)
{
	const struct ow_growth_analysis *g = &v->growth;
	const struct ow_growth *row = &g->rows[g->grower_row];
	const struct ow_growth *hrow = &g->rows[g->holder_row];
	const struct ow_process *holder = ow_kill_top_holder(&inc->kills[0]);
	const struct ow_culprit *c = &v->culprit;
	char grew[OW_BYTES_TEXT_LEN], span[OW_DURATION_TEXT_LEN];
	char *how, *held, *s;

	ow_format_bytes(grew, row->growth_bytes > 0 ? (uint64_t)row->growth_bytes : 0);
	ow_format_duration(span, row->growth_span_ns);
	if (row->pattern == OW_GROWTH_STEP)
		how = fmt_alloc("grew %s in one spell and held it", grew);
	else
		how = fmt_alloc("grew %s in %s, %s,", grew, span,
				row->pattern == OW_GROWTH_BURST ? "a late burst" : "a steady leak");
	held = holder_words(hrow, g);
	s = how && held ? fmt_alloc("%s (pid %d) %s until %s ran out, and %s. The biggest holder, "
				    "%s (pid %d), %s%s.",
				    c->comm, (int)c->pid, how, where, fate, holder->comm,
				    (int)holder->pid, held, tail)
			: NULL;
	free(how);
	free(held);
	return s;
}

static int write_summary(const struct ow_incident *inc, struct ow_verdict *v)
{
	const struct ow_culprit *c = &v->culprit;
	char *fate = NULL, *tail = NULL, *where = NULL;
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
	fate = summary_fate(inc, v);
	if (!where || !fate)
		goto out;
	if (c->by_growth)
		v->summary = summary_by_growth(inc, v, where, fate, tail);
	else if (d->limit_bytes)
		v->summary = fmt_alloc("%s (pid %d) held %.0f%% of %s and %s%s.", c->comm,
				       (int)c->pid, c->share * 100.0, where, fate, tail);
	else
		v->summary = fmt_alloc("%s (pid %d) held %s in %s and %s%s.", c->comm, (int)c->pid,
				       ow_format_bytes(held, c->memory_bytes), where, fate, tail);
done:
	r = v->summary ? 0 : -ENOMEM;
out:
	free(fate);
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
	free(v->shielded_pids);
	free(v->innocent_pids);
	free(v->summary);
	ow_growth_clear(&v->growth);
	memset(v, 0, sizeof(*v));
}
