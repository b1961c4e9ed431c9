/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HTML renderer (render.h): `oomwitness show ID --html FILE`, one self-contained page to attach
 * to a ticket or open on a laptop. At the top an inline SVG chart of memory over the incident's
 * history: the top processes (the growers and the holders, as the text report chooses them, up
 * to 8 in fixed colours), the OOM domain's usage and its limit (dashed), and a marker for each
 * kill; then the verdict with the culprit's reasons (and the memory no process owns), the
 * growth table, the kill chain with each kill's notes (who sent a SIGKILL, what followed, what
 * the kernel reported) and the ranking at each kill. Without a history the page says so and
 * keeps the rest.
 *
 * Self-contained: no script, no font, no style sheet or image is fetched from anywhere, and a
 * Content-Security-Policy forbids it. Every string that comes from a process (comm, command
 * line, cgroup path, stack frame, tmpfs mount, and the sentences that quote them) goes through
 * ow_html_escape(). The browser test (tests/e2e/test_html_browser.sh) relies on these marks:
 * each curve is a <path class="series"> with data-pid (or data-series="limit" / "usage"),
 * data-points and stroke; each kill marker is a <g class="kill" data-kill="N">.
 */
#include "output/render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/format.h"
#include "output/history_view.h"

#define NSEC_PER_SEC 1000000000ull
#define KIB 1024ull
#define MIB (1024ull * 1024)
#define GIB (1024ull * 1024 * 1024)

/* The chart's geometry, in SVG user units (the image scales to the page's width). */
#define CHART_W 1000
#define CHART_H 440
#define PLOT_LEFT 76
#define PLOT_RIGHT 980
#define PLOT_TOP 64
#define PLOT_BOTTOM 400
#define KILL_LABEL_ROWS 4
#define Y_TICKS_MAX 6
#define X_TICKS_MAX 8

#define CHART_PROCS 8
/* Fixed, distinct colours: processes in the order chosen, then the domain's usage and limit. */
static const char *const proc_colours[CHART_PROCS] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
};
#define LIMIT_COLOUR "#d62728"
#define USAGE_COLOUR "#34495e"
#define KILL_COLOUR "#000000"

static const char style[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;"
	"background:#fff;margin:0 auto;max-width:1100px;padding:16px 24px}\n"
	"h1{font-size:20px;margin:0 0 4px}\n"
	"h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:2px}\n"
	"h3{font-size:14px;margin:16px 0 4px}\n"
	".meta,.note{color:#555;margin:2px 0}\n"
	".warning{background:#fff3cd;border:1px solid #e0c060;padding:6px 10px}\n"
	"svg.chart{width:100%;height:auto;display:block}\n"
	"svg.chart text{font:12px system-ui,sans-serif;fill:#333}\n"
	"svg.chart .kill text{font-size:11px;fill:#000}\n"
	"ul.legend{list-style:none;padding:0;margin:8px 0 0;columns:2}\n"
	"ul.legend li{margin:2px 0;break-inside:avoid}\n"
	"ul.legend svg{vertical-align:middle;margin-right:6px}\n"
	".tag{font-size:12px;border:1px solid #999;border-radius:3px;padding:0 4px;margin-left:4px}\n"
	"table{border-collapse:collapse;margin:4px 0 12px}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid #e8e8e8;text-align:left;"
	"vertical-align:top}\n"
	"th{font-weight:600;border-bottom:1px solid #bbb}\n"
	".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.killed td{background:#fbeaea}\n"
	"tr.culprit td{font-weight:600}\n"
	"code,pre{font:12px ui-monospace,'DejaVu Sans Mono',monospace;word-break:break-all}\n"
	"pre{white-space:pre-wrap;margin:4px 0 8px 16px}\n"
	"dl.culprit{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:8px 0}\n"
	"dl.culprit dt{color:#555}\n"
	"dl.culprit dd{margin:0}\n"
	"footer{color:#777;font-size:12px;margin-top:32px}\n";

struct html_out {
	FILE *out;
	int err; /* the first error; later writes are skipped */
};

/* Markup written as is: only literals and numbers, never a string from a process. */
static void put(struct html_out *h, const char *s)
{
	if (!h->err && fputs(s, h->out) == EOF)
		h->err = -EIO;
}

static void putf(struct html_out *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct html_out *h, const char *fmt, ...)
{
	va_list ap;

	if (h->err)
		return;
	va_start(ap, fmt);
	if (vfprintf(h->out, fmt, ap) < 0)
		h->err = -EIO;
	va_end(ap);
}

/* Text from a process or the verdict, escaped; unknown (NULL or empty) when empty. */
static void text(struct html_out *h, const char *s, size_t len, const char *unknown)
{
	char *clean;

	if (h->err)
		return;
	if (!s || !s[0] || len == 0) {
		put(h, unknown);
		return;
	}
	clean = ow_html_escape(s, len);
	if (!clean) {
		h->err = -ENOMEM;
		return;
	}
	put(h, clean);
	free(clean);
}

static void comm(struct html_out *h, const char *c)
{
	text(h, c, OW_COMM_LEN, "?");
}

static void bytes(struct html_out *h, uint64_t b)
{
	char buf[OW_BYTES_TEXT_LEN];

	put(h, ow_format_bytes(buf, b));
}

static void local_time(struct html_out *h, uint64_t ns, unsigned int parts)
{
	char buf[OW_TIME_STR_LEN];

	put(h, ow_format_time_local(buf, sizeof(buf), ns, parts) ? "?" : buf);
}

static void rate(struct html_out *h, double bytes_per_s)
{
	char buf[OW_RATE_TEXT_LEN];

	put(h, ow_format_rate(buf, bytes_per_s));
}

/* A duration: "0.4s", "45s", "5m10s", as the verdict's reasons write them. */
static void duration(struct html_out *h, uint64_t ns)
{
	char buf[OW_DURATION_TEXT_LEN];

	put(h, ow_format_duration(buf, ns));
}

static bool is_process_culprit(const struct ow_verdict *v, int32_t pid)
{
	return v && pid > 0 && v->culprit.pid == pid &&
	       (v->culprit.kind == OW_CULPRIT_PROCESS ||
		v->culprit.kind == OW_CULPRIT_PROCESS_TREE);
}

/* The 1-based kill at which pid was killed, or 0. */
static size_t kill_of(const struct ow_incident *inc, int32_t pid)
{
	for (size_t i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].victim_pid == pid)
			return i + 1;
	return 0;
}

/* ---- header ---- */

static void render_head(struct html_out *h, const struct ow_incident *inc)
{
	put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'unsafe-inline'\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"generator\" content=\"oomwitness\">\n");
	putf(h, "<title>oomwitness: incident %lld, ", (long long)inc->id);
	if (inc->domain.kind == OW_DOMAIN_MEMCG) {
		put(h, "memcg ");
		text(h, inc->domain.cgroup, SIZE_MAX, "?");
	} else {
		put(h, "global OOM");
	}
	put(h, "</title>\n<style>\n");
	put(h, style);
	put(h, "</style>\n</head>\n<body>\n");
}

static void render_header(struct html_out *h, const struct ow_incident *inc,
			  const struct ow_verdict *v)
{
	const struct ow_domain *d = &inc->domain;
	char start_day[OW_TIME_STR_LEN], end_day[OW_TIME_STR_LEN];
	unsigned int end_parts = OW_TIME_CLOCK | OW_TIME_MILLIS;

	putf(h, "<header>\n<h1>Incident %lld — ", (long long)inc->id);
	if (d->kind == OW_DOMAIN_MEMCG) {
		put(h, "memcg <code>");
		text(h, d->cgroup, SIZE_MAX, "?");
		put(h, "</code>");
	} else if (ow_incident_only_signal_kills(inc)) {
		put(h, "SIGKILL from user space, on the machine");
	} else {
		put(h, "global, the whole machine");
	}
	put(h, "</h1>\n<p class=\"meta\">");
	local_time(h, inc->start_ns, OW_TIME_DATE | OW_TIME_CLOCK | OW_TIME_MILLIS);
	put(h, " .. ");
	/* The end's date only when it is another day. */
	if (ow_format_time_local(start_day, sizeof(start_day), inc->start_ns, OW_TIME_DATE) ||
	    ow_format_time_local(end_day, sizeof(end_day), inc->end_ns, OW_TIME_DATE) ||
	    strcmp(start_day, end_day) != 0)
		end_parts |= OW_TIME_DATE;
	local_time(h, inc->end_ns, end_parts);
	putf(h, " (local time) · %zu kill%s · %s ", inc->n_kills, inc->n_kills == 1 ? "" : "s",
	     d->kind == OW_DOMAIN_MEMCG ? "limit" : "RAM");
	bytes(h, d->limit_bytes);
	put(h, d->kind == OW_DOMAIN_MEMCG ? ", usage " : ", in use ");
	bytes(h, d->usage_bytes);
	put(h, " at the first kill</p>\n");
	if (ow_render_partial(inc, v)) {
		put(h, "<p class=\"warning\">Incomplete data");
		if (inc->missed_kills)
			putf(h, " (the recorder was down for %llu OOM %s on the machine)",
			     (unsigned long long)inc->missed_kills,
			     inc->missed_kills == 1 ? "kill" : "kills");
		if (inc->lost_events)
			putf(h, " (%llu ring-buffer records lost)",
			     (unsigned long long)inc->lost_events);
		else if (!inc->missed_kills)
			put(h, " (a snapshot is incomplete, see the kill chain)");
		put(h, ": the verdict may be wrong.</p>\n");
	}
	put(h, "</header>\n");
}

/* ---- the chart ---- */

struct chart {
	const struct ow_incident *inc;
	uint64_t t0_ns, t1_ns; /* the x axis */
	uint64_t ymax_bytes; /* the y axis, from 0 */
	uint64_t ystep_bytes; /* between two of its ticks */
};

static double chart_x(const struct chart *c, uint64_t t_ns)
{
	double span = (double)(c->t1_ns - c->t0_ns);
	double off = t_ns > c->t0_ns ? (double)(t_ns - c->t0_ns) : 0.0;

	return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * (off > span ? 1.0 : off / span);
}

static double chart_y(const struct chart *c, uint64_t v_bytes)
{
	double frac = (double)v_bytes / (double)c->ymax_bytes;

	return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * (frac > 1.0 ? 1.0 : frac);
}

/* A step of the y axis: 1, 2, 4, ... 512 KiB, MiB, GiB or TiB, for at most Y_TICKS_MAX ticks. */
static uint64_t y_step(uint64_t ymax_bytes)
{
	uint64_t step = KIB;

	while (step < (1ull << 62) && (ymax_bytes + step - 1) / step > Y_TICKS_MAX)
		step *= 2;
	return step;
}

static void y_label(struct html_out *h, uint64_t value, uint64_t step)
{
	if (step >= GIB)
		putf(h, "%llu GiB", (unsigned long long)(value / GIB));
	else if (step >= MIB)
		putf(h, "%llu MiB", (unsigned long long)(value / MIB));
	else
		putf(h, "%llu KiB", (unsigned long long)(value / KIB));
}

/* A step of the time axis, in seconds, for at most X_TICKS_MAX ticks. */
static uint64_t x_step_s(uint64_t span_ns)
{
	static const uint64_t steps[] = { 1,   2,   5,	 10,   15,   30,   60,	  120,
					  300, 600, 900, 1800, 3600, 7200, 21600, 43200 };
	size_t i;

	for (i = 0; i + 1 < sizeof(steps) / sizeof(steps[0]); i++)
		if (span_ns / (steps[i] * NSEC_PER_SEC) <= X_TICKS_MAX)
			break;
	/* Longer than the longest step allows: whole hours, still X_TICKS_MAX ticks at most. */
	if (span_ns / (steps[i] * NSEC_PER_SEC) > X_TICKS_MAX)
		return (span_ns / (X_TICKS_MAX * NSEC_PER_SEC) / 3600 + 1) * 3600;
	return steps[i];
}

static void render_axes(struct html_out *h, const struct chart *c)
{
	uint64_t step = c->ystep_bytes;
	uint64_t xs = x_step_s(c->t1_ns - c->t0_ns) * NSEC_PER_SEC;

	putf(h,
	     "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
	     "stroke=\"#999999\"/>\n",
	     PLOT_LEFT, PLOT_TOP, PLOT_RIGHT - PLOT_LEFT, PLOT_BOTTOM - PLOT_TOP);
	put(h, "<g class=\"y-axis\">\n");
	for (uint64_t v = 0; v <= c->ymax_bytes; v += step) {
		double y = chart_y(c, v);

		putf(h, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>",
		     PLOT_LEFT, y, PLOT_RIGHT, y);
		putf(h, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", PLOT_LEFT - 6, y + 4);
		y_label(h, v, step);
		put(h, "</text>\n");
	}
	put(h, "</g>\n<g class=\"x-axis\">\n");
	/* At most X_TICKS_MAX + 1 ticks: times near 2^64 (a corrupt database) must not wrap. */
	for (uint64_t t = (c->t0_ns + xs - 1) / xs * xs, n = 0; t <= c->t1_ns && n <= X_TICKS_MAX;
	     t += xs, n++) {
		double x = chart_x(c, t);

		putf(h, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e6e6e6\"/>", x,
		     PLOT_TOP, x, PLOT_BOTTOM);
		putf(h, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, PLOT_BOTTOM + 18);
		local_time(h, t, OW_TIME_CLOCK);
		put(h, "</text>\n");
	}
	putf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time (local), ",
	     (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 36);
	local_time(h, c->t0_ns, OW_TIME_DATE);
	put(h, "</text>\n</g>\n");
}

/*
 * One curve: a <path> through the present samples, a gap where a sample is absent. values and
 * present have n_times entries. Writes the opening attributes given in attrs (markup).
 */
static void render_series(struct html_out *h, const struct chart *c, const char *attrs,
			  const char *colour, const char *extra, const uint64_t *values,
			  const bool *present, const char *title_prefix, const char *title_text,
			  size_t title_len)
{
	const struct ow_history *hist = c->inc->history;
	size_t points = 0, run = 0;

	for (size_t i = 0; i < hist->n_times; i++)
		points += present[i];
	putf(h, "<path class=\"series\" %s data-points=\"%zu\" stroke=\"%s\" fill=\"none\" %s d=\"",
	     attrs, points, colour, extra);
	for (size_t i = 0; i < hist->n_times; i++) {
		if (!present[i]) {
			/* A lone point still shows, as a dot (round caps). */
			if (run == 1)
				put(h, "l0 0");
			run = 0;
			continue;
		}
		putf(h, "%s%.1f %.1f", run ? "L" : "M", chart_x(c, hist->time_ns[i]),
		     chart_y(c, values[i]));
		run++;
	}
	if (run == 1)
		put(h, "l0 0");
	put(h, "\"><title>");
	put(h, title_prefix);
	text(h, title_text, title_len, "");
	put(h, "</title></path>\n");
}

static void render_kill_markers(struct html_out *h, const struct chart *c)
{
	const struct ow_incident *inc = c->inc;

	for (size_t i = 0; i < inc->n_kills; i++) {
		const struct ow_kill *k = &inc->kills[i];
		const struct ow_process *victim = ow_kill_find_process(k, k->victim_pid);
		double x = chart_x(c, k->time_ns);
		int row = (int)(i % KILL_LABEL_ROWS);
		bool left = x > PLOT_RIGHT - 160;

		putf(h, "<g class=\"kill\" data-kill=\"%zu\" data-victim=\"%d\">", i + 1,
		     k->victim_pid);
		putf(h,
		     "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
		     "stroke-width=\"1\" stroke-dasharray=\"3 3\"/>",
		     x, PLOT_TOP - 4 - row * 13, x, PLOT_BOTTOM, KILL_COLOUR);
		putf(h, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">#%zu ", left ? x - 3 : x + 3,
		     PLOT_TOP - 8 - row * 13, left ? "end" : "start", i + 1);
		if (victim)
			comm(h, victim->comm);
		else
			putf(h, "pid %d", k->victim_pid);
		putf(h, "</text><title>kill #%zu at ", i + 1);
		local_time(h, k->time_ns, OW_TIME_CLOCK | OW_TIME_MILLIS);
		put(h, ": ");
		if (victim)
			comm(h, victim->comm);
		putf(h, " (pid %d)</title></g>\n", k->victim_pid);
	}
}

static void legend_swatch(struct html_out *h, const char *colour, bool dashed)
{
	putf(h,
	     "<svg width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" y1=\"5\" "
	     "x2=\"28\" y2=\"5\" stroke=\"%s\" stroke-width=\"3\"%s/></svg>",
	     colour, dashed ? " stroke-dasharray=\"6 4\"" : "");
}

/* The chart's scale: the limit, the domain's usage and every curve fit under ymax. */
static void chart_scale(struct chart *c, const struct ow_history_pick *picks, size_t n_picks,
			const uint64_t *dom_usage, const uint64_t *dom_limit,
			const bool *dom_present)
{
	const struct ow_incident *inc = c->inc;
	const struct ow_history *hist = inc->history;
	uint64_t top = 0, step;

	c->t0_ns = hist->time_ns[0];
	c->t1_ns = hist->time_ns[hist->n_times - 1];
	if (inc->n_kills && inc->start_ns < c->t0_ns)
		c->t0_ns = inc->start_ns;
	if (inc->n_kills && inc->end_ns > c->t1_ns)
		c->t1_ns = inc->end_ns;
	if (c->t1_ns <= c->t0_ns)
		c->t1_ns = c->t0_ns + NSEC_PER_SEC;

	if (inc->domain.limit_bytes != OW_LIMIT_NONE)
		top = inc->domain.limit_bytes;
	for (size_t i = 0; i < hist->n_times; i++) {
		if (!dom_present[i])
			continue;
		if (dom_usage[i] > top)
			top = dom_usage[i];
		if (dom_limit[i] != OW_LIMIT_NONE && dom_limit[i] > top)
			top = dom_limit[i];
	}
	for (size_t p = 0; p < n_picks; p++)
		if (picks[p].peak_bytes > top)
			top = picks[p].peak_bytes;
	/* Some room above the highest curve, then a whole number of steps. */
	top += top / 20;
	if (top == 0)
		top = MIB;
	step = y_step(top);
	c->ystep_bytes = step;
	c->ymax_bytes = (top + step - 1) / step * step;
}

static void render_legend_proc(struct html_out *h, const struct ow_incident *inc,
			       const struct ow_verdict *v, const struct ow_history_pick *pick,
			       const char *colour)
{
	const struct ow_history_process *p = &inc->history->procs[pick->proc_index];
	const struct ow_growth *g =
		pick->growth_row >= 0 ? &v->growth.rows[pick->growth_row] : NULL;
	size_t killed = kill_of(inc, p->pid);

	putf(h, "<li data-pid=\"%d\">", p->pid);
	legend_swatch(h, colour, false);
	comm(h, p->comm);
	putf(h, " (pid %d): ", p->pid);
	bytes(h, pick->start_bytes);
	put(h, " → ");
	bytes(h, pick->at_oom_bytes);
	if (g && g->pattern != OW_GROWTH_FLAT) {
		put(h, ", ");
		rate(h, g->rate_bytes_per_s);
	}
	if (g) {
		put(h, " ");
		put(h, ow_growth_pattern_name(g->pattern));
	}
	if (is_process_culprit(v, p->pid))
		put(h, "<span class=\"tag\">culprit</span>");
	if (killed)
		putf(h, "<span class=\"tag\">killed #%zu</span>", killed);
	put(h, "</li>\n");
}

static void render_chart(struct html_out *h, const struct ow_incident *inc,
			 const struct ow_verdict *v)
{
	const struct ow_history *hist = inc->history;
	struct ow_history_pick picks[CHART_PROCS];
	struct chart c = { .inc = inc };
	ssize_t cg = ow_history_domain_cgroup(inc);
	uint64_t *usage, *limit, *values;
	bool *dom_present, *lim_present, *present, any_limit = false, any_usage = false;
	const char *what = inc->domain.kind == OW_DOMAIN_MEMCG ? "memcg" : "RAM";
	size_t n_picks, n_times = hist->n_times;

	usage = calloc(n_times, sizeof(*usage));
	limit = calloc(n_times, sizeof(*limit));
	values = calloc(n_times, sizeof(*values));
	dom_present = calloc(n_times, sizeof(*dom_present));
	lim_present = calloc(n_times, sizeof(*lim_present));
	present = calloc(n_times, sizeof(*present));
	if (!usage || !limit || !values || !dom_present || !lim_present || !present) {
		h->err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_times; i++) {
		dom_present[i] = ow_history_domain_at(inc, cg, i, &usage[i], &limit[i]);
		lim_present[i] = dom_present[i] && limit[i] != OW_LIMIT_NONE;
		any_usage |= dom_present[i];
		any_limit |= lim_present[i];
	}
	/* No series of the domain: its limit as recorded at the first kill, across the chart. */
	if (!any_limit && inc->domain.limit_bytes && inc->domain.limit_bytes != OW_LIMIT_NONE) {
		for (size_t i = 0; i < n_times; i++) {
			limit[i] = inc->domain.limit_bytes;
			lim_present[i] = true;
		}
		any_limit = true;
	}
	n_picks = ow_history_pick_top(inc, v, CHART_PROCS, picks);
	chart_scale(&c, picks, n_picks, usage, limit, dom_present);

	put(h, "<section id=\"history\">\n<h2>Memory over time</h2>\n<p class=\"note\">");
	local_time(h, hist->time_ns[0], OW_TIME_CLOCK);
	put(h, " .. ");
	local_time(h, hist->time_ns[n_times - 1], OW_TIME_CLOCK);
	put(h, ": ");
	duration(h, inc->start_ns > hist->time_ns[0] ? inc->start_ns - hist->time_ns[0] : 0);
	put(h, " before the first kill to ");
	duration(h, hist->time_ns[n_times - 1] > inc->end_ns
			    ? hist->time_ns[n_times - 1] - inc->end_ns
			    : 0);
	putf(h, " after the last; %zu samples, one every ", n_times);
	duration(h, hist->interval_ns);
	put(h, ". Memory is what the kernel's badness counts: resident + swap + page tables.");
	if (hist->truncated) {
		put(h, " <strong>Truncated:</strong> the recorder held less than the ");
		duration(h, hist->window_ns);
		put(h, " asked for before the first kill.");
	}
	put(h, "</p>\n");
	putf(h,
	     "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	     "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"memory over time\">\n",
	     CHART_W, CHART_H, CHART_W, CHART_H);
	render_axes(h, &c);

	put(h, "<g class=\"curves\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n");
	if (any_limit)
		render_series(h, &c, "data-series=\"limit\"", LIMIT_COLOUR,
			      "stroke-width=\"2\" stroke-dasharray=\"8 5\" stroke-linecap=\"butt\"",
			      limit, lim_present,
			      inc->domain.kind == OW_DOMAIN_MEMCG ? "memcg limit" : "RAM", NULL, 0);
	if (any_usage)
		render_series(h, &c, "data-series=\"usage\"", USAGE_COLOUR, "stroke-width=\"2\"",
			      usage, dom_present,
			      inc->domain.kind == OW_DOMAIN_MEMCG ? "memcg usage" : "RAM in use",
			      NULL, 0);
	/* The first chosen (the biggest grower) drawn last, on top. */
	for (size_t p = n_picks; p-- > 0;) {
		const struct ow_history_process *proc = &hist->procs[picks[p].proc_index];
		char attrs[48], title[64];

		for (size_t i = 0; i < n_times; i++) {
			present[i] = proc->samples[i].present;
			values[i] = present[i] ? ow_proc_sample_memory_bytes(&proc->samples[i]) : 0;
		}
		snprintf(attrs, sizeof(attrs), "data-pid=\"%d\"", proc->pid);
		snprintf(title, sizeof(title), "pid %d ", proc->pid);
		render_series(h, &c, attrs, proc_colours[p], "stroke-width=\"2.5\"", values,
			      present, title, proc->comm, OW_COMM_LEN);
	}
	put(h, "</g>\n");
	render_kill_markers(h, &c);
	put(h, "</svg>\n<ul class=\"legend\">\n");
	for (size_t p = 0; p < n_picks; p++)
		render_legend_proc(h, inc, v, &picks[p], proc_colours[p]);
	if (any_usage) {
		put(h, "<li data-series=\"usage\">");
		legend_swatch(h, USAGE_COLOUR, false);
		putf(h, "%s</li>\n",
		     inc->domain.kind == OW_DOMAIN_MEMCG ? "memcg usage" : "RAM in use");
	}
	if (any_limit) {
		put(h, "<li data-series=\"limit\">");
		legend_swatch(h, LIMIT_COLOUR, true);
		putf(h, "%s ", what);
		put(h, inc->domain.kind == OW_DOMAIN_MEMCG ? "limit (" : "total (");
		bytes(h, inc->domain.limit_bytes);
		put(h, ")</li>\n");
	}
	put(h, "<li>");
	putf(h,
	     "<svg width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"14\" y1=\"0\" "
	     "x2=\"14\" y2=\"10\" stroke=\"%s\" stroke-dasharray=\"3 3\"/></svg>",
	     KILL_COLOUR);
	put(h, "a kill, numbered as in the kill chain</li>\n</ul>\n</section>\n");
out:
	free(usage);
	free(limit);
	free(values);
	free(dom_present);
	free(lim_present);
	free(present);
}

static void render_no_history(struct html_out *h)
{
	put(h, "<section id=\"history\">\n<h2>Memory over time</h2>\n"
	       "<p class=\"note\" id=\"no-history\">No memory history was recorded for this "
	       "incident: the recorder's sampler was off, or the incident was read less than 10 s "
	       "after its last kill. The verdict below rests on the snapshots taken at each "
	       "kill.</p>\n</section>\n");
}

/* ---- verdict ---- */

static void render_culprit(struct html_out *h, const struct ow_incident *inc,
			   const struct ow_culprit *c)
{
	unsigned int pct =
		c->share > 0.0 && c->share < 100.0 ? (unsigned int)(c->share * 100.0 + 0.5) : 0;
	const char *of = inc->domain.kind == OW_DOMAIN_MEMCG ? "of the limit" : "of RAM";

	put(h, "<dl class=\"culprit\">\n<dt>Culprit</dt><dd>");
	switch (c->kind) {
	case OW_CULPRIT_PROCESS:
	case OW_CULPRIT_PROCESS_TREE:
		put(h, "<strong>");
		if (c->kind == OW_CULPRIT_PROCESS_TREE)
			put(h, "the process tree of ");
		comm(h, c->comm);
		if (c->kind == OW_CULPRIT_PROCESS_TREE)
			putf(h, " (pid %d)</strong>: %zu process%s, ", c->pid, c->n_members,
			     c->n_members == 1 ? "" : "es");
		else
			putf(h, " (pid %d)</strong>, adj %d, ", c->pid, c->oom_score_adj);
		bytes(h, c->memory_bytes);
		putf(h, " = %u%% %s; %s; %s", pct, of,
		     c->was_trigger ? "triggered the OOM" : "did not trigger it",
		     c->was_killed ? "was killed" : "<strong>never killed</strong>");
		if (c->by_growth)
			put(h, "; named by its growth before the OOM");
		put(h, "</dd>\n");
		if (c->cmdline) {
			put(h, "<dt>Command line</dt><dd><code>");
			text(h, c->cmdline, SIZE_MAX, "?");
			put(h, "</code></dd>\n");
		}
		break;
	case OW_CULPRIT_CGROUP:
		put(h, "cgroup <code>");
		text(h, c->cgroup, SIZE_MAX, "?");
		putf(h, "</code>: %zu process%s, ", c->n_members, c->n_members == 1 ? "" : "es");
		bytes(h, c->memory_bytes);
		putf(h, " = %u%% %s</dd>\n", pct, of);
		break;
	case OW_CULPRIT_NON_PROCESS:
		put(h, "<strong>");
		text(h, c->what, SIZE_MAX, "?");
		put(h, "</strong>, memory no process holds");
		if (c->memory_bytes) {
			put(h, ": ");
			bytes(h, c->memory_bytes);
			putf(h, " = %u%% %s", pct, of);
		}
		put(h, "</dd>\n");
		break;
	case OW_CULPRIT_NONE:
		put(h, "none identified</dd>\n");
		break;
	}
	if (c->cgroup && c->kind != OW_CULPRIT_CGROUP && c->kind != OW_CULPRIT_NONE) {
		put(h, "<dt>cgroup</dt><dd><code>");
		text(h, c->cgroup, SIZE_MAX, "?");
		put(h, "</code></dd>\n");
	}
	if (c->kind == OW_CULPRIT_PROCESS || c->kind == OW_CULPRIT_PROCESS_TREE) {
		const struct ow_process *p = ow_render_find_process(inc, c->pid);
		char line[OW_SENTENCE_LEN];

		for (size_t i = 0; p && p->adj_changes && i < p->n_adj_changes; i++) {
			put(h, i ? "<br>" : "<dt>oom_score_adj</dt><dd>");
			text(h, ow_render_adj_change(line, &p->adj_changes[i], inc->start_ns),
			     SIZE_MAX, "");
			if (i + 1 == p->n_adj_changes)
				put(h, "</dd>\n");
		}
	}
	put(h, "</dl>\n");
	if (c->n_reasons) {
		put(h, "<ul class=\"reasons\">\n");
		for (size_t i = 0; i < c->n_reasons; i++) {
			if (!c->reasons[i])
				continue;
			put(h, "<li>");
			text(h, c->reasons[i], SIZE_MAX, "");
			put(h, "</li>\n");
		}
		put(h, "</ul>\n");
	}
}

/* The memory of the domain no process owns at kill k, when it was read. */
static void render_unowned(struct html_out *h, const struct ow_kill *k)
{
	const struct ow_unowned_memory *u = &k->unowned;

	if (!u->known)
		return;
	put(h, "<h3>Memory no process owns, at the first kill</h3>\n<ul class=\"unowned\">\n"
	       "<li>shmem/tmpfs: ");
	bytes(h, ow_render_unmapped_shmem_bytes(k));
	put(h, " not mapped by any process");
	for (size_t i = 0; u->tmpfs && i < u->n_tmpfs; i++) {
		put(h, i ? ", <code>" : " (tmpfs <code>");
		text(h, u->tmpfs[i].path, SIZE_MAX, "?");
		put(h, "</code> holds ");
		bytes(h, u->tmpfs[i].used_bytes);
		if (i + 1 == u->n_tmpfs)
			put(h, ")");
	}
	put(h, "</li>\n<li>kernel: ");
	bytes(h, u->kernel_bytes);
	put(h, " (slab ");
	bytes(h, u->slab_bytes);
	put(h, ", page tables ");
	bytes(h, u->pagetables_bytes);
	put(h, ", network buffers ");
	bytes(h, u->sock_bytes);
	put(h, ")</li>\n<li>page cache: ");
	bytes(h, u->file_bytes);
	put(h, "</li>\n</ul>\n");
}

static void render_verdict(struct html_out *h, const struct ow_incident *inc,
			   const struct ow_verdict *v)
{
	put(h, "<section id=\"verdict\">\n<h2>Verdict</h2>\n");
	if (!v) {
		put(h, "<p class=\"summary\">None: the incident was not analysed.</p>\n");
		if (inc->n_kills > 0)
			render_unowned(h, &inc->kills[0]);
		put(h, "</section>\n");
		return;
	}
	put(h, "<p class=\"summary\">");
	text(h, v->summary, SIZE_MAX, "No summary (nothing to judge).");
	put(h, "</p>\n");
	render_culprit(h, inc, &v->culprit);
	if (v->n_innocent) {
		put(h, "<p>Innocent victims: ");
		for (size_t i = 0; i < v->n_innocent; i++) {
			const struct ow_process *p =
				ow_render_find_process(inc, v->innocent_pids[i]);

			putf(h, "%s", i ? ", " : "");
			if (p)
				comm(h, p->comm);
			putf(h, "%s(pid %d)", p ? " " : "", v->innocent_pids[i]);
		}
		put(h, "</p>\n");
	}
	if (v->n_shielded) {
		put(h, "<p>Shielded by a negative oom_score_adj: ");
		for (size_t i = 0; i < v->n_shielded; i++) {
			const struct ow_process *p =
				ow_render_find_process(inc, v->shielded_pids[i]);

			putf(h, "%s", i ? ", " : "");
			if (!p) {
				putf(h, "pid %d", v->shielded_pids[i]);
				continue;
			}
			comm(h, p->comm);
			putf(h, " (pid %d, adj %d, ", p->pid, p->oom_score_adj);
			bytes(h, ow_process_memory_bytes(p));
			put(h, ")");
		}
		put(h, "</p>\n");
	}
	if (inc->n_kills > 0)
		render_unowned(h, &inc->kills[0]);
	put(h, "</section>\n");
}

static void render_growth(struct html_out *h, const struct ow_verdict *v)
{
	const struct ow_growth_analysis *g = v ? &v->growth : NULL;

	if (!g || !g->available || g->n_rows == 0)
		return;
	put(h, "<section id=\"growth\">\n<h2>Growth before the first kill</h2>\n<p class=\"note\">"
	       "From ");
	local_time(h, g->window_start_ns, OW_TIME_CLOCK);
	put(h, " to the first kill; the domain grew by ");
	if (g->domain_growth_bytes < 0)
		put(h, "-");
	/* 0 - x in uint64_t: the magnitude, INT64_MIN's too */
	bytes(h, g->domain_growth_bytes < 0 ? 0 - (uint64_t)g->domain_growth_bytes
					    : (uint64_t)g->domain_growth_bytes);
	put(h, ".</p>\n<table>\n<thead><tr><th class=\"num\">pid</th><th>comm</th>"
	       "<th class=\"num\">start</th><th class=\"num\">at the OOM</th>"
	       "<th class=\"num\">peak</th><th class=\"num\">growth</th><th>since</th>"
	       "<th class=\"num\">rate</th><th class=\"num\">recent rate</th><th>pattern</th>"
	       "<th class=\"num\">limit reached in</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < g->n_rows; i++) {
		const struct ow_growth *r = &g->rows[i];
		int64_t growth = r->growth_bytes;

		putf(h, "<tr%s><td class=\"num\">%d</td><td>",
		     is_process_culprit(v, r->pid) ? " class=\"culprit\"" : "", r->pid);
		comm(h, r->comm);
		if (r->n_instances > 1)
			putf(h, " (%zu instances)", r->n_instances);
		put(h, "</td><td class=\"num\">");
		bytes(h, r->start_bytes);
		put(h, "</td><td class=\"num\">");
		bytes(h, r->at_oom_bytes);
		put(h, "</td><td class=\"num\">");
		bytes(h, r->peak_bytes);
		putf(h, "</td><td class=\"num\">%s", growth < 0 ? "-" : "+");
		bytes(h, growth < 0 ? 0 - (uint64_t)growth : (uint64_t)growth);
		put(h, "</td><td>");
		if (r->growth_start_ns && r->pattern != OW_GROWTH_FLAT &&
		    r->pattern != OW_GROWTH_FALLING)
			local_time(h, r->growth_start_ns, OW_TIME_CLOCK);
		else
			put(h, "-");
		put(h, "</td><td class=\"num\">");
		rate(h, r->rate_bytes_per_s);
		put(h, "</td><td class=\"num\">");
		rate(h, r->recent_rate_bytes_per_s);
		putf(h, "</td><td>%s%s</td><td class=\"num\">", ow_growth_pattern_name(r->pattern),
		     r->rising_at_oom ? ", rising" : "");
		if (r->time_to_limit_ns >= 0)
			duration(h, (uint64_t)r->time_to_limit_ns);
		else
			put(h, "-");
		put(h, "</td></tr>\n");
	}
	put(h, "</tbody>\n</table>\n</section>\n");
}

/* ---- kill chain and ranking ---- */

static void render_stack(struct html_out *h, const char *label, const struct ow_stack *s)
{
	if (s->n_frames == 0)
		return;
	putf(h, "%s\n<pre>", label);
	for (size_t i = 0; i < s->n_frames; i++) {
		text(h, s->frames[i], SIZE_MAX, "?");
		put(h, "\n");
	}
	put(h, "</pre>\n");
}

/* Opens kill i's list of notes on its first item; *open says whether it is open. */
static void note(struct html_out *h, size_t i, bool *open)
{
	if (!*open)
		putf(h,
		     "<p class=\"note\">Kill #%zu:</p>\n<ul class=\"kill-notes\" "
		     "data-kill=\"%zu\">\n",
		     i + 1, i + 1);
	*open = true;
	put(h, "<li>");
}

/*
 * What the kill chain's table has no column for, as the text report says it: the victim's
 * oom_score_adj changes, the kill's flags, the processes killed with it, its aftermath and the
 * kernel's report. Nothing for a kill without any.
 */
static void render_kill_notes(struct html_out *h, const struct ow_incident *inc, size_t i)
{
	const struct ow_kill *k = &inc->kills[i];
	const struct ow_process *victim = ow_kill_find_process(k, k->victim_pid);
	const struct ow_process *killer = ow_kill_find_process(k, k->trigger_pid);
	const struct ow_kernel_report *r = &k->kernel_report;
	char line[OW_SENTENCE_LEN];
	bool open = false, any = false;

	for (size_t c = 0; victim && victim->adj_changes && c < victim->n_adj_changes; c++) {
		note(h, i, &open);
		put(h, "victim's ");
		text(h, ow_render_adj_change(line, &victim->adj_changes[c], inc->start_ns),
		     SIZE_MAX, "");
		put(h, "</li>\n");
	}
	if (k->killer_kind == OW_KILLER_SIGNAL && killer && killer->cmdline) {
		note(h, i, &open);
		put(h, "killer's command line: <code>");
		text(h, killer->cmdline, SIZE_MAX, "?");
		put(h, "</code></li>\n");
	}
	if (k->flags & OW_KILL_VICTIM_EXITING) {
		note(h, i, &open);
		put(h, "the victim was already exiting: the kernel queued it for the OOM reaper "
		       "without a SIGKILL</li>\n");
	}
	if (k->flags & OW_KILL_OOM_GROUP) {
		note(h, i, &open);
		put(h, "memory.oom.group: the kernel killed the whole cgroup, this process with "
		       "it</li>\n");
	}
	for (size_t p = 0; p < k->n_procs; p++) {
		if (!ow_kill_took_sharer(k, &k->procs[p]))
			continue;
		if (!any) {
			note(h, i, &open);
			put(h, "also killed, sharing its memory: ");
		}
		put(h, any ? ", " : "");
		comm(h, k->procs[p].comm);
		putf(h, " (pid %d)", k->procs[p].pid);
		any = true;
	}
	if (any)
		put(h, "</li>\n");
	if (ow_render_aftermath(line, k)[0]) {
		note(h, i, &open);
		text(h, line, SIZE_MAX, "");
		put(h, "</li>\n");
	}
	if (k->flags & (OW_KILL_KMSG_CONFIRMED | OW_KILL_OOM_CONTROL)) {
		note(h, i, &open);
		putf(h, "kernel report: constraint=%s, oom_memcg=<code>",
		     ow_oom_constraint_name(r->constraint));
		text(h, r->oom_memcg, SIZE_MAX, "?");
		put(h, "</code>, task_memcg=<code>");
		text(h, r->task_memcg, SIZE_MAX, "?");
		put(h, "</code>");
		if (r->has_allocation)
			putf(h, ", gfp_mask=%#x, order=%d", r->gfp_mask, r->order);
		put(h, "</li>\n");
	}
	if (k->flags & OW_KILL_FROM_KMSG) {
		note(h, i, &open);
		put(h, "witnessed by /dev/kmsg alone: the kernel's task dump, without cgroups, "
		       "stacks or the memory split</li>\n");
	} else if (k->flags & OW_KILL_SNAPSHOT_SKIPPED) {
		note(h, i, &open);
		put(h, "snapshot <strong>skipped</strong> (signal kills past the rate limit): only "
		       "the victim and the killer were read</li>\n");
	}
	if (open)
		put(h, "</ul>\n");
}

static void render_kills(struct html_out *h, const struct ow_incident *inc,
			 const struct ow_verdict *v)
{
	put(h, "<section id=\"kills\">\n<h2>Kill chain</h2>\n");
	if (inc->n_kills == 0) {
		put(h, "<p class=\"note\">No kills recorded.</p>\n</section>\n");
		return;
	}
	put(h, "<table>\n<thead><tr><th class=\"num\">#</th><th>time</th><th>victim</th>"
	       "<th class=\"num\">pid</th><th class=\"num\">adj</th><th class=\"num\">memory</th>"
	       "<th>chosen by</th><th>trigger (allocating)</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < inc->n_kills; i++) {
		const struct ow_kill *k = &inc->kills[i];
		const struct ow_kill_analysis *a = v && i < v->n_kills ? &v->kills[i] : NULL;
		const struct ow_process *victim = ow_kill_find_process(k, k->victim_pid);
		const struct ow_process *trigger = ow_kill_find_process(k, k->trigger_pid);

		putf(h, "<tr class=\"kill-row%s\" data-kill=\"%zu\"><td class=\"num\">%zu</td><td>",
		     is_process_culprit(v, k->victim_pid) ? " culprit" : "", i + 1, i + 1);
		local_time(h, k->time_ns, OW_TIME_CLOCK | OW_TIME_MILLIS);
		put(h, "</td><td>");
		if (victim)
			comm(h, victim->comm);
		else
			put(h, "(not in the snapshot)");
		putf(h, "</td><td class=\"num\">%d</td><td class=\"num\">", k->victim_pid);
		if (victim) {
			putf(h, victim->oom_score_adj ? "%+d" : "%d", victim->oom_score_adj);
			put(h, "</td><td class=\"num\">");
			bytes(h, ow_process_memory_bytes(victim));
		} else {
			put(h, "?</td><td class=\"num\">?");
		}
		put(h, "</td><td>");
		if (k->killer_kind == OW_KILLER_SIGNAL) {
			put(h, "a SIGKILL from user space");
		} else if (a && a->victim_rank > 0) {
			const struct ow_badness *b = &a->victim_badness;

			if (a->victim_by_adj)
				putf(h, "oom_score_adj: %lld of its %lld points%s",
				     (long long)b->adj_points, (long long)b->points,
				     a->victim_innocent ? " — <strong>an innocent victim</strong>"
							: "");
			else
				putf(h, "its memory: %lld of its %lld points%s",
				     (long long)b->memory_points, (long long)b->points,
				     a->victim_was_top_holder ? ", the most in the domain" : "");
			if (a->victim_rank != 1)
				putf(h, "; ranked #%d of %zu by the recomputed badness",
				     a->victim_rank, a->n_candidates);
		} else if (a) {
			put(h, "not among the recomputed candidates");
		} else {
			put(h, "-");
		}
		if (k->partial || k->lost_events)
			putf(h, "; snapshot <strong>incomplete</strong> (%llu records lost)",
			     (unsigned long long)k->lost_events);
		put(h, "</td><td>");
		if (k->killer_kind == OW_KILLER_SIGNAL) {
			put(h, "<strong>killed by ");
			if (k->trigger_pid) {
				putf(h, "pid %d (", k->trigger_pid);
				if (trigger)
					comm(h, trigger->comm);
				else
					put(h, "?");
				put(h, ")");
			} else {
				put(h, "an unknown sender");
			}
			put(h, "</strong>, not by the kernel");
		} else if (k->trigger_pid == 0) {
			put(h, "unknown");
		} else {
			if (trigger)
				comm(h, trigger->comm);
			else
				put(h, "?");
			putf(h, " pid %d tid %d (", k->trigger_pid, k->trigger_tid);
			comm(h, k->trigger_thread_comm);
			put(h, k->trigger_pid == k->victim_pid ? "), the victim itself" : ")");
		}
		put(h, "</td></tr>\n");
	}
	put(h, "</tbody>\n</table>\n");
	for (size_t i = 0; i < inc->n_kills; i++)
		render_kill_notes(h, inc, i);
	for (size_t i = 0; i < inc->n_kills; i++) {
		const struct ow_kill *k = &inc->kills[i];

		if (!k->trigger_kernel_stack.n_frames && !k->trigger_user_stack.n_frames)
			continue;
		putf(h, "<details><summary>Kill #%zu: the trigger's stacks</summary>\n", i + 1);
		render_stack(h, "kernel stack", &k->trigger_kernel_stack);
		render_stack(h, "user stack", &k->trigger_user_stack);
		put(h, "</details>\n");
	}
	put(h, "</section>\n");
}

static void render_ranking(struct html_out *h, const struct ow_kill *k, size_t i,
			   const struct ow_kill_analysis *a, const struct ow_verdict *v)
{
	putf(h, "<h3>Ranking at kill #%zu</h3>\n", i + 1);
	if (a->n_ranked == 0) {
		put(h, "<p class=\"note\">No eligible candidates in the snapshot.</p>\n");
		return;
	}
	putf(h,
	     "<table class=\"ranking\" data-kill=\"%zu\">\n<thead><tr><th class=\"num\">#</th>"
	     "<th class=\"num\">pid</th><th>comm</th><th class=\"num\">adj</th>"
	     "<th class=\"num\">rss</th><th class=\"num\">swap</th><th class=\"num\">points</th>"
	     "<th class=\"num\">memory part</th><th class=\"num\">adj part</th><th></th></tr>"
	     "</thead>\n<tbody>\n",
	     i + 1);
	for (size_t r = 0; r < a->n_ranked; r++) {
		const struct ow_ranked *row = &a->ranked[r];
		const struct ow_process *p;
		bool culprit, killed;

		if (row->proc_index >= k->n_procs)
			continue;
		p = &k->procs[row->proc_index];
		culprit = is_process_culprit(v, p->pid);
		killed = p->pid == k->victim_pid;
		if (killed && culprit)
			put(h, "<tr class=\"killed culprit\">");
		else if (killed || culprit)
			putf(h, "<tr class=\"%s\">", killed ? "killed" : "culprit");
		else
			put(h, "<tr>");
		putf(h, "<td class=\"num\">%zu</td><td class=\"num\">%d</td><td>", r + 1, p->pid);
		comm(h, p->comm);
		putf(h, "</td><td class=\"num\">%d</td><td class=\"num\">", p->oom_score_adj);
		bytes(h, ow_process_rss_bytes(p));
		put(h, "</td><td class=\"num\">");
		bytes(h, p->swap_bytes);
		putf(h,
		     "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
		     "<td class=\"num\">%lld</td><td>%s%s%s</td></tr>\n",
		     (long long)row->badness.points, (long long)row->badness.memory_points,
		     (long long)row->badness.adj_points, killed ? "killed" : "",
		     killed && culprit ? ", " : "", culprit ? "culprit" : "");
	}
	put(h, "</tbody>\n</table>\n");
	if (a->n_candidates > a->n_ranked)
		putf(h, "<p class=\"note\">+%zu more candidates.</p>\n",
		     a->n_candidates - a->n_ranked);
}

int ow_render_incident_html(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v)
{
	struct html_out h = { .out = out };

	if (!out || !inc)
		return -EINVAL;
	render_head(&h, inc);
	render_header(&h, inc, v);
	if (inc->history && inc->history->n_times > 0)
		render_chart(&h, inc, v);
	else
		render_no_history(&h);
	render_verdict(&h, inc, v);
	render_growth(&h, v);
	render_kills(&h, inc, v);
	if (v && v->n_kills) {
		put(&h,
		    "<section id=\"ranking\">\n<h2>Ranking at each kill</h2>\n<p class=\"note\">"
		    "The kernel's badness, recomputed from the snapshot; points in pages.</p>\n");
		for (size_t i = 0; i < inc->n_kills && i < v->n_kills; i++)
			render_ranking(&h, &inc->kills[i], i, &v->kills[i], v);
		put(&h, "</section>\n");
	}
	put(&h,
	    "<footer>Written by <code>oomwitness show --html</code>. Times are local. "
	    "Memory in binary units (MiB = 2<sup>20</sup> bytes).</footer>\n</body>\n</html>\n");
	if (h.err)
		return h.err;
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}
