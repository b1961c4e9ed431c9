/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The view of a memory history shared by the text and HTML renderers (history_view.h): the
 * processes worth showing, the domain's usage and limit at each sample, and sparklines.
 */
#include "output/history_view.h"

#include <stdlib.h>
#include <string.h>

static const char *const spark_levels[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
#define SPARK_LEVELS (sizeof(spark_levels) / sizeof(spark_levels[0]))

/* The growth row of a process series, or -1. */
static int growth_row_of(const struct ow_verdict *v, size_t proc_index)
{
	if (!v || !v->growth.available)
		return -1;
	for (size_t r = 0; r < v->growth.n_rows; r++)
		if (v->growth.rows[r].proc_index == proc_index)
			return (int)r;
	return -1;
}

/* Fills a pick from the series; false when the process has no sample at all. */
static bool pick_fill(const struct ow_incident *inc, const struct ow_verdict *v, size_t index,
		      struct ow_history_pick *pick)
{
	const struct ow_history *h = inc->history;
	const struct ow_history_process *p = &h->procs[index];
	ssize_t oom =
		inc->n_kills ? ow_history_index_at(h, inc->start_ns) : (ssize_t)h->n_times - 1;
	bool any = false;

	memset(pick, 0, sizeof(*pick));
	pick->proc_index = index;
	for (size_t i = 0; i < h->n_times; i++) {
		uint64_t bytes;

		if (!p->samples[i].present)
			continue;
		bytes = ow_proc_sample_memory_bytes(&p->samples[i]);
		if (!any)
			pick->start_bytes = bytes;
		/* Up to the first kill; a process born after it keeps its first sample. */
		if ((ssize_t)i <= oom || !any)
			pick->at_oom_bytes = bytes;
		if (bytes > pick->peak_bytes)
			pick->peak_bytes = bytes;
		any = true;
	}
	pick->growth_row = growth_row_of(v, index);
	if (pick->growth_row >= 0) {
		const struct ow_growth *g = &v->growth.rows[pick->growth_row];

		pick->start_bytes = g->start_bytes;
		pick->at_oom_bytes = g->at_oom_bytes;
	}
	return any;
}

static bool picked(const struct ow_history_pick *ret, size_t n, size_t index)
{
	for (size_t i = 0; i < n; i++)
		if (ret[i].proc_index == index)
			return true;
	return false;
}

size_t ow_history_pick_top(const struct ow_incident *inc, const struct ow_verdict *v, size_t max,
			   struct ow_history_pick *ret)
{
	const struct ow_history *h = inc->history;
	size_t n = 0;

	if (!h || max == 0)
		return 0;
	/* The growers first: they are why the history is there. */
	for (size_t r = 0; v && v->growth.available && r < v->growth.n_rows && n < (max + 1) / 2;
	     r++) {
		const struct ow_growth *g = &v->growth.rows[r];

		if (g->proc_index >= h->n_procs || picked(ret, n, g->proc_index) ||
		    g->growth_bytes <= 0 ||
		    (g->pattern != OW_GROWTH_STEADY && g->pattern != OW_GROWTH_BURST &&
		     g->pattern != OW_GROWTH_STEP))
			continue;
		if (pick_fill(inc, v, g->proc_index, &ret[n]))
			n++;
	}
	/* Then the biggest holders, by peak: a selection sort over what is left. */
	while (n < max) {
		struct ow_history_pick best = { 0 }, cand;
		bool found = false;

		for (size_t i = 0; i < h->n_procs; i++) {
			if (picked(ret, n, i) || !pick_fill(inc, v, i, &cand))
				continue;
			if (!found || cand.peak_bytes > best.peak_bytes ||
			    (cand.peak_bytes == best.peak_bytes &&
			     h->procs[i].pid < h->procs[best.proc_index].pid)) {
				best = cand;
				found = true;
			}
		}
		if (!found)
			break;
		ret[n++] = best;
	}
	return n;
}

ssize_t ow_history_domain_cgroup(const struct ow_incident *inc)
{
	const struct ow_history *h = inc->history;
	const struct ow_domain *d = &inc->domain;

	if (!h || d->kind != OW_DOMAIN_MEMCG)
		return -1;
	for (size_t i = 0; i < h->n_cgroups; i++)
		if (d->cgroup_id && h->cgroups[i].id == d->cgroup_id)
			return (ssize_t)i;
	for (size_t i = 0; d->cgroup && i < h->n_cgroups; i++)
		if (h->cgroups[i].path && strcmp(h->cgroups[i].path, d->cgroup) == 0)
			return (ssize_t)i;
	return -1;
}

bool ow_history_domain_at(const struct ow_incident *inc, ssize_t cgroup_index, size_t i,
			  uint64_t *ret_usage_bytes, uint64_t *ret_limit_bytes)
{
	const struct ow_history *h = inc->history;

	if (!h || i >= h->n_times)
		return false;
	if (inc->domain.kind == OW_DOMAIN_MEMCG) {
		const struct ow_cgroup_sample *s;

		if (cgroup_index < 0 || (size_t)cgroup_index >= h->n_cgroups)
			return false;
		s = &h->cgroups[cgroup_index].samples[i];
		if (!s->present)
			return false;
		*ret_usage_bytes = s->usage_bytes;
		*ret_limit_bytes = s->limit_bytes;
		return true;
	}
	if (!h->system[i].present || h->system[i].mem_total_bytes == 0)
		return false;
	*ret_limit_bytes = h->system[i].mem_total_bytes;
	*ret_usage_bytes = h->system[i].mem_total_bytes > h->system[i].mem_available_bytes
				   ? h->system[i].mem_total_bytes - h->system[i].mem_available_bytes
				   : 0;
	return true;
}

size_t ow_sparkline(char *buf, size_t size, const uint64_t *values, const bool *present, size_t n,
		    uint64_t scale_bytes, size_t max_cols)
{
	size_t cols = n < max_cols ? n : max_cols, pos = 0, c;

	if (size == 0)
		return 0;
	if (scale_bytes == 0)
		scale_bytes = 1;
	for (c = 0; c < cols; c++) {
		/* Column c covers samples [c * n / cols, (c + 1) * n / cols): at least one. */
		size_t from = c * n / cols, to = (c + 1) * n / cols;
		const char *unit = " ";
		uint64_t top = 0;
		bool any = false;

		for (size_t i = from; i < to; i++) {
			if (!present[i])
				continue;
			if (!any || values[i] > top)
				top = values[i];
			any = true;
		}
		if (any) {
			const size_t n_levels = SPARK_LEVELS;
			double level = (double)top / (double)scale_bytes * (double)n_levels;
			size_t l = level >= (double)n_levels ? n_levels - 1 : (size_t)level;

			unit = spark_levels[l];
		}
		if (pos + strlen(unit) + 1 > size)
			break;
		memcpy(buf + pos, unit, strlen(unit));
		pos += strlen(unit);
	}
	buf[pos] = '\0';
	return c;
}
