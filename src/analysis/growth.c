/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Growth analysis (growth.h): who was growing in the window before an incident's first kill.
 *
 * Each process series of the history is measured on its own samples inside the window (absent
 * samples are skipped, never read as zero): its low, its growth start (the last sample near the
 * low), its gain over the last recent_ns and in its busiest recent_ns-long spell, and since when
 * it has held steady. Series of one command line and cgroup that follow each other without
 * overlapping are merged as restarts of one program. Rows are then classified, ranked and
 * measured against the domain's headroom (its cgroup's series, or MemAvailable). The rules and
 * their defaults are in docs/verdict.md ("History"). Pure: no I/O, no logging, no globals.
 */
#include "analysis/growth.h"
#include "model/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024ull * 1024ull)
#define NS_PER_S 1000000000ull

void ow_growth_config_default(struct ow_growth_config *cfg)
{
	cfg->min_growth_bytes = 8 * MIB;
	cfg->recent_ns = 30 * NS_PER_S;
	cfg->burst_share = 0.8;
	cfg->top = 10;
}

const char *ow_growth_pattern_name(enum ow_growth_pattern p)
{
	switch (p) {
	case OW_GROWTH_FLAT:
		break;
	case OW_GROWTH_STEADY:
		return "steady";
	case OW_GROWTH_BURST:
		return "burst";
	case OW_GROWTH_FALLING:
		return "falling";
	case OW_GROWTH_STEP:
		return "step";
	}
	return "flat";
}

const struct ow_process *ow_kill_top_holder(const struct ow_kill *k)
{
	const struct ow_process *top = NULL;
	uint64_t top_bytes = 0;

	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];
		uint64_t bytes = ow_process_memory_bytes(p);

		if (!(p->flags & OW_PROC_IN_DOMAIN) || bytes == 0)
			continue;
		if (!top || bytes > top_bytes || (bytes == top_bytes && p->pid < top->pid)) {
			top = p;
			top_bytes = bytes;
		}
	}
	return top;
}

const char *ow_format_duration(char buf[OW_DURATION_TEXT_LEN], uint64_t ns)
{
	uint64_t s = ns / NS_PER_S + (ns % NS_PER_S >= NS_PER_S / 2); /* rounded, no overflow */

	if (ns < 10 * NS_PER_S - NS_PER_S / 20) {
		uint64_t tenths = (ns + NS_PER_S / 20) / (NS_PER_S / 10);

		snprintf(buf, OW_DURATION_TEXT_LEN, "%u.%us", (unsigned int)(tenths / 10),
			 (unsigned int)(tenths % 10));
	} else if (s < 60) {
		snprintf(buf, OW_DURATION_TEXT_LEN, "%us", (unsigned int)s);
	} else if (s < 3600) {
		snprintf(buf, OW_DURATION_TEXT_LEN, "%um%02us", (unsigned int)(s / 60),
			 (unsigned int)(s % 60));
	} else {
		uint64_t m = (s + 30) / 60;

		if (m < 24ULL * 60)
			snprintf(buf, OW_DURATION_TEXT_LEN, "%uh%02um", (unsigned int)(m / 60),
				 (unsigned int)(m % 60));
		else
			snprintf(buf, OW_DURATION_TEXT_LEN, "%llud%02uh",
				 (unsigned long long)((m + 30) / 60 / 24),
				 (unsigned int)((m + 30) / 60 % 24));
	}
	return buf;
}

const char *ow_format_rate(char buf[OW_RATE_TEXT_LEN], double bytes_per_s)
{
	char amount[OW_BYTES_TEXT_LEN];
	double mag = bytes_per_s < 0 ? -bytes_per_s : bytes_per_s;

	uint64_t rounded;

	if (!(mag < 1.8e19)) /* NaN, or past what bytes can say */
		mag = 0;
	rounded = (uint64_t)(mag + 0.5);
	ow_format_bytes(amount, rounded);
	snprintf(buf, OW_RATE_TEXT_LEN, "%s%s/s", bytes_per_s < 0 && rounded ? "-" : "", amount);
	return buf;
}

/* Seconds in ns, for rates. */
static double seconds(uint64_t ns)
{
	return (double)ns / (double)NS_PER_S;
}

/* a - b, signed: modulo 2^64, so that values 2^63 apart (a corrupt history) do not overflow. */
static int64_t diff_bytes(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}

/* Where the analysis looks: the window's samples and the domain. */
struct scope {
	const struct ow_incident *inc;
	const struct ow_history *h;
	const struct ow_growth_config *cfg;
	size_t w0, wl; /* first and last sample index of the window */
	uint64_t kill_ns;
	uint64_t noise_bytes; /* "near" its low: min_growth_bytes / 8 */
	bool global;
	const struct ow_history_cgroup *cg; /* the domain's series; NULL when global or unknown */
	const char *domain_path; /* NULL: every process is in the domain */
};

/* One process series measured over the window. */
struct inst {
	const struct ow_history_process *proc;
	size_t proc_index;
	size_t first, last; /* present sample indexes */
	uint64_t start_bytes, at_oom_bytes, peak_bytes;
	int64_t growth_bytes; /* as ow_growth.growth_bytes */
	uint64_t growth_start_ns, growth_span_ns;
	int64_t rise_bytes; /* from the growth start sample to the last: the rate's numerator */
	int64_t recent_bytes;
	uint64_t recent_span_ns;
	int64_t spell_bytes; /* the most it gained in one recent_ns-long spell */
	uint64_t settled_ns;
	bool present_at_oom;
};

static const struct ow_proc_sample *sample(const struct inst *in, size_t i)
{
	return &in->proc->samples[i];
}

static uint64_t mem_at(const struct inst *in, size_t i)
{
	return ow_proc_sample_memory_bytes(sample(in, i));
}

/* The next present sample after i, up to in->last; in->last + 1 when none. */
static size_t next_present(const struct inst *in, size_t i)
{
	for (i++; i <= in->last; i++)
		if (sample(in, i)->present)
			break;
	return i;
}

/* The first sample index of the window whose time is at or after t_ns (past wl when none). */
static size_t index_from(const struct scope *sc, uint64_t t_ns)
{
	size_t i = t_ns ? (size_t)(ow_history_index_at(sc->h, t_ns - 1) + 1) : 0;

	return i < sc->w0 ? sc->w0 : i;
}

/*
 * The last present sample at or before t_ns, or the first present sample when there is none
 * that early.
 */
static size_t ref_at(const struct scope *sc, const struct inst *in, uint64_t t_ns)
{
	size_t ref = in->first;

	for (size_t i = in->first; i <= in->last && sc->h->time_ns[i] <= t_ns; i++)
		if (sample(in, i)->present)
			ref = i;
	return ref;
}

/* Measures series proc_index over the window; false when it has no sample there. */
static bool inst_measure(const struct scope *sc, size_t proc_index, struct inst *in)
{
	const uint64_t *t = sc->h->time_ns;
	const uint64_t min_growth = sc->cfg->min_growth_bytes;
	uint64_t low = UINT64_MAX, sufmax = 0;
	size_t gs = 0, r, settled;
	bool found = false;

	memset(in, 0, sizeof(*in));
	in->proc = &sc->h->procs[proc_index];
	in->proc_index = proc_index;
	for (size_t i = sc->w0; i <= sc->wl; i++) {
		uint64_t m;

		if (!sample(in, i)->present)
			continue;
		m = mem_at(in, i);
		if (!found)
			in->first = i;
		found = true;
		in->last = i;
		if (m > in->peak_bytes)
			in->peak_bytes = m;
		if (m < low)
			low = m;
	}
	if (!found)
		return false;
	in->start_bytes = mem_at(in, in->first);
	in->at_oom_bytes = mem_at(in, in->last);
	in->present_at_oom = in->last + 1 >= sc->wl;

	/* Growth starts at the last sample at or near the low. */
	for (size_t i = in->first; i <= in->last; i = next_present(in, i))
		if (mem_at(in, i) - low < sc->noise_bytes || mem_at(in, i) == low)
			gs = i;
	if (in->at_oom_bytes - low >= min_growth ||
	    in->start_bytes < in->at_oom_bytes + min_growth) {
		in->growth_bytes = (int64_t)(in->at_oom_bytes - low);
		in->growth_start_ns = t[gs];
		in->rise_bytes = diff_bytes(in->at_oom_bytes, mem_at(in, gs));
	} else {
		/* Fell, and did not grow back by min_growth_bytes: measured from its start. */
		in->growth_bytes = diff_bytes(in->at_oom_bytes, in->start_bytes);
		in->growth_start_ns = t[in->first];
		in->rise_bytes = in->growth_bytes;
	}
	in->growth_span_ns = t[in->last] - in->growth_start_ns;

	/* The last recent_ns before the kill, from the last sample at or before its start. */
	r = ref_at(sc, in, sc->kill_ns > sc->cfg->recent_ns ? sc->kill_ns - sc->cfg->recent_ns : 0);
	in->recent_bytes = diff_bytes(in->at_oom_bytes, mem_at(in, r));
	in->recent_span_ns = t[in->last] - t[r];

	/* Its busiest spell: the most it gained over any recent_ns, by the same reference. */
	r = in->first;
	for (size_t j = in->first; j <= in->last; j = next_present(in, j)) {
		size_t k;
		int64_t gain;

		while ((k = next_present(in, r)) <= j && t[j] - t[k] >= sc->cfg->recent_ns)
			r = k;
		gain = diff_bytes(mem_at(in, j), mem_at(in, r));
		if (gain > in->spell_bytes)
			in->spell_bytes = gain;
	}

	/* Settled: the earliest sample that no later one exceeds by min_growth_bytes or more. */
	settled = in->last;
	for (size_t i = in->last + 1; i-- > in->first;) {
		uint64_t m;

		if (!sample(in, i)->present)
			continue;
		m = mem_at(in, i);
		if (m > sufmax)
			sufmax = m;
		if (sufmax - m < min_growth)
			settled = i;
	}
	in->settled_ns = t[settled];
	return true;
}

/* Whether a memory cgroup path is the domain's or below it. */
static bool path_under(const char *path, const char *domain)
{
	size_t len = strlen(domain);

	while (len > 1 && domain[len - 1] == '/')
		len--;
	if (len == 1 && domain[0] == '/')
		return true;
	return strncmp(path, domain, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static bool in_domain(const struct scope *sc, const struct ow_history_process *p)
{
	const struct ow_process *snap;

	if (!sc->domain_path)
		return true;
	if (p->cgroup)
		return path_under(p->cgroup, sc->domain_path);
	/* No cgroup read: trust the first kill's snapshot for that pid. */
	snap = ow_kill_find_process(&sc->inc->kills[0], p->pid);
	return snap && (snap->flags & OW_PROC_IN_DOMAIN);
}

/* The domain's memory in use at sample i; false when not known there. */
static bool domain_used_at(const struct scope *sc, size_t i, uint64_t *ret_bytes)
{
	if (sc->global) {
		const struct ow_system_sample *s = &sc->h->system[i];

		if (!s->present || s->mem_total_bytes < s->mem_available_bytes)
			return false;
		*ret_bytes = s->mem_total_bytes - s->mem_available_bytes;
		return true;
	}
	if (!sc->cg || !sc->cg->samples[i].present)
		return false;
	*ret_bytes = sc->cg->samples[i].usage_bytes;
	return true;
}

/* The domain's headroom at sample i: limit - usage, or MemAvailable. */
static bool domain_headroom_at(const struct scope *sc, size_t i, uint64_t *ret_bytes)
{
	const struct ow_cgroup_sample *c;

	if (sc->global) {
		if (!sc->h->system[i].present)
			return false;
		*ret_bytes = sc->h->system[i].mem_available_bytes;
		return true;
	}
	if (!sc->cg)
		return false;
	c = &sc->cg->samples[i];
	if (!c->present || c->limit_bytes == OW_LIMIT_NONE || c->limit_bytes == 0)
		return false;
	*ret_bytes = c->limit_bytes > c->usage_bytes ? c->limit_bytes - c->usage_bytes : 0;
	return true;
}

/* The first sample from index i to the window's end where the domain is known; false if none. */
static bool domain_first_known(const struct scope *sc, size_t i,
			       bool (*get)(const struct scope *, size_t, uint64_t *),
			       uint64_t *ret_bytes)
{
	for (; i <= sc->wl; i++)
		if (get(sc, i, ret_bytes))
			return true;
	return false;
}

/* The last sample of the window where the domain's usage is known; false if none. */
static bool domain_last_used(const struct scope *sc, uint64_t *ret_bytes)
{
	for (size_t i = sc->wl + 1; i-- > sc->w0;)
		if (domain_used_at(sc, i, ret_bytes))
			return true;
	return false;
}

/* What the domain's usage gained from the first known sample at or after index i. */
static bool domain_gain_from(const struct scope *sc, size_t i, int64_t *ret_bytes)
{
	uint64_t from, to;

	if (!domain_first_known(sc, i, domain_used_at, &from) || !domain_last_used(sc, &to))
		return false;
	*ret_bytes = diff_bytes(to, from);
	return true;
}

/* Merges instances (in time order) into one row and classifies it. */
static void row_build(const struct scope *sc, const struct inst *insts, size_t n,
		      struct ow_growth *g)
{
	const struct ow_growth_config *cfg = sc->cfg;
	const struct inst *latest = &insts[n - 1];
	const struct ow_history_process *p = &sc->h->procs[latest->proc_index];
	int64_t growth = 0, rise = 0, spell = 0;
	uint64_t span = 0, headroom = 0;
	bool started = false;

	memset(g, 0, sizeof(*g));
	g->proc_index = latest->proc_index;
	g->pid = p->pid;
	memcpy(g->comm, p->comm, sizeof(g->comm));
	g->comm[sizeof(g->comm) - 1] = '\0';
	g->cmdline = p->cmdline;
	g->n_instances = n;
	g->first_seen_ns = sc->h->time_ns[insts[0].first];
	g->start_bytes = insts[0].start_bytes;
	g->at_oom_bytes = latest->at_oom_bytes;
	for (size_t i = 0; i < n; i++) {
		growth += insts[i].growth_bytes;
		if (insts[i].peak_bytes > g->peak_bytes)
			g->peak_bytes = insts[i].peak_bytes;
		if (insts[i].spell_bytes > spell)
			spell = insts[i].spell_bytes;
	}
	/* Rate and span over the instances that moved the way the row did. */
	for (size_t i = 0; i < n; i++) {
		if ((growth >= 0) != (insts[i].growth_bytes >= 0))
			continue;
		if (!started)
			g->growth_start_ns = insts[i].growth_start_ns;
		started = true;
		rise += insts[i].rise_bytes;
		span += insts[i].growth_span_ns;
	}
	g->growth_bytes = growth;
	g->growth_span_ns = span;
	g->rate_bytes_per_s = span ? (double)rise / seconds(span) : 0.0;

	if (growth > 0 && (uint64_t)growth >= cfg->min_growth_bytes) {
		if ((double)latest->recent_bytes >= cfg->burst_share * (double)growth)
			g->pattern = OW_GROWTH_BURST;
		else if ((double)spell >= cfg->burst_share * (double)growth)
			g->pattern = OW_GROWTH_STEP;
		else
			g->pattern = OW_GROWTH_STEADY;
	} else if (growth < 0 && 0 - (uint64_t)growth >= cfg->min_growth_bytes) {
		g->pattern = OW_GROWTH_FALLING;
	} else {
		g->pattern = OW_GROWTH_FLAT;
	}
	g->recent_growth_bytes = latest->recent_bytes;
	g->recent_rate_bytes_per_s =
		latest->recent_span_ns
			? (double)latest->recent_bytes / seconds(latest->recent_span_ns)
			: 0.0;
	g->present_at_oom = latest->present_at_oom;
	g->rising_at_oom = g->present_at_oom && latest->recent_bytes > 0 &&
			   (uint64_t)latest->recent_bytes >= sc->noise_bytes &&
			   (g->pattern == OW_GROWTH_STEADY || g->pattern == OW_GROWTH_BURST ||
			    g->pattern == OW_GROWTH_STEP);
	g->settled_ns = latest->settled_ns;

	g->time_to_limit_ns = -1;
	if (g->pattern != OW_GROWTH_FLAT && g->pattern != OW_GROWTH_FALLING &&
	    g->rate_bytes_per_s > 0 &&
	    domain_first_known(sc, index_from(sc, g->growth_start_ns), domain_headroom_at,
			       &headroom)) {
		double ns = (double)headroom / g->rate_bytes_per_s * (double)NS_PER_S;

		g->headroom_bytes = headroom;
		g->time_to_limit_ns = ns < 9.0e18 ? (int64_t)(ns + 0.5) : INT64_MAX;
	}
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* A command line good enough to call two processes one program. */
static bool mergeable(const struct ow_history_process *p)
{
	return p->cmdline && p->cmdline[0];
}

/* Command line (unmergeable ones first), cgroup, then time of the first sample, series. */
static int inst_cmp(const void *pa, const void *pb)
{
	const struct inst *a = pa, *b = pb;
	int c = strcmp_null(mergeable(a->proc) ? a->proc->cmdline : NULL,
			    mergeable(b->proc) ? b->proc->cmdline : NULL);

	if (c)
		return c;
	c = strcmp_null(a->proc->cgroup, b->proc->cgroup);
	if (c)
		return c;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->proc_index > b->proc_index) - (a->proc_index < b->proc_index);
}

/* Whether insts[a] and insts[b] are one program: same command line and cgroup. */
static bool same_program(const struct inst *a, const struct inst *b)
{
	const struct ow_history_process *pa = a->proc, *pb = b->proc;

	return mergeable(pa) && mergeable(pb) && strcmp(pa->cmdline, pb->cmdline) == 0 &&
	       strcmp_null(pa->cgroup, pb->cgroup) == 0;
}

/* Biggest growth first, then more memory at the OOM, lower pid, lower series index. */
static int row_cmp(const void *pa, const void *pb)
{
	const struct ow_growth *a = pa, *b = pb;

	if (a->growth_bytes != b->growth_bytes)
		return a->growth_bytes > b->growth_bytes ? -1 : 1;
	if (a->at_oom_bytes != b->at_oom_bytes)
		return a->at_oom_bytes > b->at_oom_bytes ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (a->proc_index > b->proc_index) - (a->proc_index < b->proc_index);
}

/* Builds the rows from the measured instances, merging restarts. Returns the row count. */
static size_t rows_build(const struct scope *sc, struct inst *insts, size_t n,
			 struct ow_growth *rows)
{
	size_t n_rows = 0;

	qsort(insts, n, sizeof(*insts), inst_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		bool disjoint = true;

		while (j < n && same_program(&insts[i], &insts[j])) {
			/* Restarts follow each other: each starts after the one before ended. */
			if (sc->h->time_ns[insts[j].first] <= sc->h->time_ns[insts[j - 1].last])
				disjoint = false;
			j++;
		}
		if (disjoint) {
			row_build(sc, &insts[i], j - i, &rows[n_rows++]);
		} else {
			for (size_t k = i; k < j; k++)
				row_build(sc, &insts[k], 1, &rows[n_rows++]);
		}
		i = j;
	}
	qsort(rows, n_rows, sizeof(*rows), row_cmp);
	return n_rows;
}

/* The row of the first kill's biggest holder: by pid, one present at the OOM preferred. */
static int find_holder(const struct scope *sc, const struct ow_growth *rows, size_t n)
{
	const struct ow_process *holder = ow_kill_top_holder(&sc->inc->kills[0]);
	int best = -1;

	if (!holder)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].pid != holder->pid)
			continue;
		if (best < 0 || (rows[i].present_at_oom && !rows[best].present_at_oom))
			best = (int)i;
	}
	return best;
}

/* What the latest instance of a row gained from its first sample at or after t_ns. */
static int64_t row_gain_since(const struct scope *sc, const struct ow_growth *g, uint64_t t_ns)
{
	const struct ow_history_process *p = &sc->h->procs[g->proc_index];

	for (size_t i = index_from(sc, t_ns); i <= sc->wl; i++)
		if (p->samples[i].present)
			return diff_bytes(g->at_oom_bytes,
					  ow_proc_sample_memory_bytes(&p->samples[i]));
	return 0;
}

/* Without a series for the domain: the sum of its processes' memory at sample i. */
static uint64_t procs_sum_at(const struct scope *sc, const bool *member, size_t i)
{
	uint64_t sum = 0;

	for (size_t k = 0; k < sc->h->n_procs; k++)
		if (member[k] && sc->h->procs[k].samples[i].present)
			sum += ow_proc_sample_memory_bytes(&sc->h->procs[k].samples[i]);
	return sum;
}

/* The grower: present at the OOM, not the holder, the most gained since it began (and since
 * the holder settled). */
static void find_grower(const struct scope *sc, const bool *member, struct ow_growth *rows,
			size_t n, struct ow_growth_analysis *g)
{
	uint64_t holder_settled = g->holder_row >= 0 ? rows[g->holder_row].settled_ns : 0;
	size_t since_index;

	g->grower_row = -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t since;
		int64_t gain;

		if ((int)i == g->holder_row || !rows[i].present_at_oom)
			continue;
		since = rows[i].growth_start_ns > holder_settled ? rows[i].growth_start_ns
								 : holder_settled;
		gain = row_gain_since(sc, &rows[i], since);
		if (gain <= 0 || (g->grower_row >= 0 && gain <= g->grower_since_bytes))
			continue;
		g->grower_row = (int)i;
		g->grower_since_ns = since;
		g->grower_since_bytes = gain;
	}
	if (g->grower_row < 0)
		return;
	/* Never past wl: the grower's growth start and the holder's settling are samples. */
	since_index = index_from(sc, g->grower_since_ns);
	if (since_index > sc->wl)
		since_index = sc->wl;
	if (!domain_gain_from(sc, since_index, &g->domain_since_bytes))
		g->domain_since_bytes = diff_bytes(procs_sum_at(sc, member, sc->wl),
						   procs_sum_at(sc, member, since_index));
}

/* Keeps the top rows, and the holder's and the grower's; remaps their indexes. */
static int rows_keep(struct ow_growth_analysis *g, struct ow_growth *all, size_t n, size_t top)
{
	int holder = g->holder_row, grower = g->grower_row;
	size_t keep = n < top ? n : top;

	g->rows = calloc(keep + 2, sizeof(*g->rows));
	if (!g->rows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (i >= keep && (int)i != holder && (int)i != grower)
			continue;
		if ((int)i == holder)
			g->holder_row = (int)g->n_rows;
		if ((int)i == grower)
			g->grower_row = (int)g->n_rows;
		g->rows[g->n_rows++] = all[i];
	}
	return 0;
}

static void scope_domain(struct scope *sc)
{
	const struct ow_domain *d = &sc->inc->domain;

	sc->global = d->kind == OW_DOMAIN_GLOBAL;
	if (sc->global)
		return;
	for (size_t i = 0; i < sc->h->n_cgroups && d->cgroup; i++)
		if (sc->h->cgroups[i].path && strcmp(sc->h->cgroups[i].path, d->cgroup) == 0)
			sc->cg = &sc->h->cgroups[i];
	for (size_t i = 0; i < sc->h->n_cgroups && !sc->cg && d->cgroup_id; i++)
		if (sc->h->cgroups[i].id == d->cgroup_id)
			sc->cg = &sc->h->cgroups[i];
	sc->domain_path = d->cgroup ? d->cgroup : sc->cg ? sc->cg->path : NULL;
}

int ow_growth_compute(const struct ow_incident *inc, const struct ow_growth_config *cfg,
		      struct ow_growth_analysis *ret)
{
	struct ow_growth_config defaults;
	struct scope sc = { 0 };
	struct inst *insts = NULL;
	struct ow_growth *all = NULL;
	bool *member = NULL;
	size_t n_insts = 0, n_all;
	uint64_t first_used, last_used;
	ssize_t wl;
	int r = -ENOMEM;

	memset(ret, 0, sizeof(*ret));
	ret->fastest = -1;
	ret->holder_row = -1;
	ret->grower_row = -1;
	if (!cfg) {
		ow_growth_config_default(&defaults);
		cfg = &defaults;
	}
	if (!inc->history || !inc->n_kills || !inc->history->n_times)
		return 0;
	sc.inc = inc;
	sc.h = inc->history;
	sc.cfg = cfg;
	sc.kill_ns = inc->kills[0].time_ns;
	sc.noise_bytes = cfg->min_growth_bytes / 8;
	wl = ow_history_index_at(sc.h, sc.kill_ns);
	if (wl < 0)
		return 0;
	sc.wl = (size_t)wl;
	if (sc.h->window_ns && sc.kill_ns > sc.h->window_ns)
		sc.w0 = index_from(&sc, sc.kill_ns - sc.h->window_ns);
	if (sc.w0 > sc.wl)
		return 0;
	scope_domain(&sc);

	ret->available = true;
	ret->window_start_ns = sc.h->time_ns[sc.w0];
	ret->window_end_ns = sc.h->time_ns[sc.wl];
	ret->first_kill_ns = sc.kill_ns;
	if (domain_first_known(&sc, sc.w0, domain_used_at, &first_used) &&
	    domain_last_used(&sc, &last_used))
		ret->domain_growth_bytes = diff_bytes(last_used, first_used);
	if (!sc.h->n_procs)
		return 0;

	insts = calloc(sc.h->n_procs, sizeof(*insts));
	member = calloc(sc.h->n_procs, sizeof(*member));
	if (!insts || !member)
		goto out;
	for (size_t i = 0; i < sc.h->n_procs; i++) {
		if (!in_domain(&sc, &sc.h->procs[i]))
			continue;
		member[i] = true;
		if (inst_measure(&sc, i, &insts[n_insts]))
			n_insts++;
	}
	r = 0;
	if (!n_insts)
		goto out;
	r = -ENOMEM;
	all = calloc(n_insts, sizeof(*all));
	if (!all)
		goto out;
	n_all = rows_build(&sc, insts, n_insts, all);
	ret->holder_row = find_holder(&sc, all, n_all);
	find_grower(&sc, member, all, n_all, ret);
	r = rows_keep(ret, all, n_all, cfg->top);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < ret->n_rows; i++) {
		const struct ow_growth *g = &ret->rows[i];

		ret->n_rising += g->rising_at_oom;
		if (g->pattern == OW_GROWTH_FLAT || g->pattern == OW_GROWTH_FALLING ||
		    g->rate_bytes_per_s <= 0)
			continue;
		if (ret->fastest < 0 ||
		    g->rate_bytes_per_s > ret->rows[ret->fastest].rate_bytes_per_s)
			ret->fastest = (int)i;
	}
out:
	free(all);
	free(member);
	free(insts);
	if (r < 0)
		ow_growth_clear(ret);
	return r;
}

void ow_growth_clear(struct ow_growth_analysis *g)
{
	if (!g)
		return;
	free(g->rows);
	memset(g, 0, sizeof(*g));
	g->fastest = -1;
	g->holder_row = -1;
	g->grower_row = -1;
}
