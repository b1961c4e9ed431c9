/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Prometheus text exposition format 0.0.4 (prometheus.h): the kill table with its bound on
 * label sets, and the renderer of a snapshot. Every metric is documented in docs/metrics.md;
 * keep the two in step.
 *
 * Numbers are written from integers (seconds as "S.fraction" from nanoseconds), never through
 * printf's %f, so that the output depends neither on the locale nor on float rounding. Label
 * values come from cgroup names, which may hold any byte but '/' and NUL: they are made valid
 * UTF-8 first (Prometheus refuses a scrape with ill-formed UTF-8), then escaped.
 */
#include "output/prometheus.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/format.h"

#define NS_PER_S ((uint64_t)1000000000)

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static struct ow_prom_kill_series *find_series(struct ow_prom_kill_table *t,
					       enum ow_killer_kind killer,
					       enum ow_domain_kind domain_kind, bool other,
					       const char *cgroup, const char *container)
{
	for (size_t i = 0; i < t->n; i++) {
		struct ow_prom_kill_series *s = &t->series[i];

		if (s->killer != killer || s->domain_kind != domain_kind || s->other != other)
			continue;
		if (other ||
		    (strcmp(s->cgroup, cgroup) == 0 && strcmp(s->container, container) == 0))
			return s;
	}
	return NULL;
}

int ow_prom_kills_add(struct ow_prom_kill_table *t, enum ow_killer_kind killer,
		      enum ow_domain_kind domain_kind, const char *cgroup, const char *container)
{
	struct ow_prom_kill_series *s;

	cgroup = or_empty(cgroup);
	container = or_empty(container);
	s = find_series(t, killer, domain_kind, false, cgroup, container);
	if (s) {
		s->kills++;
		return 0;
	}
	if (t->n < OW_PROM_KILL_NAMED_MAX) {
		char *cg = strdup(cgroup), *ct = strdup(container);

		if (cg && ct) {
			s = &t->series[t->n++];
			*s = (struct ow_prom_kill_series){ .killer = killer,
							   .domain_kind = domain_kind,
							   .cgroup = cg,
							   .container = ct,
							   .kills = 1 };
			return 0;
		}
		free(cg);
		free(ct);
	}
	/* Named series never take the last OW_PROM_KILL_OTHER_SERIES slots: there is room. */
	s = find_series(t, killer, domain_kind, true, NULL, NULL);
	if (!s && t->n < OW_PROM_KILL_SERIES_MAX) {
		s = &t->series[t->n++];
		*s = (struct ow_prom_kill_series){ .killer = killer,
						   .domain_kind = domain_kind,
						   .other = true };
	}
	if (s)
		s->kills++;
	return 1;
}

void ow_prom_kills_clear(struct ow_prom_kill_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->series[i].cgroup);
		free(t->series[i].container);
	}
	memset(t, 0, sizeof(*t));
}

/* The HELP and TYPE lines of a metric family. HELP texts here hold no backslash or newline. */
static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_u64(FILE *out, const char *name, uint64_t v)
{
	fprintf(out, "%s %" PRIu64 "\n", name, v);
}

/* Nanoseconds as seconds: "12", "0.00142", "1795633445.123". */
static void sample_seconds(FILE *out, const char *name, uint64_t ns)
{
	uint64_t frac = ns % NS_PER_S;
	int digits = 9;

	if (!frac) {
		fprintf(out, "%s %" PRIu64 "\n", name, ns / NS_PER_S);
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	fprintf(out, "%s %" PRIu64 ".%0*" PRIu64 "\n", name, ns / NS_PER_S, digits, frac);
}

/*
 * Writes name="value" with value made valid UTF-8 and escaped as the format asks: backslash,
 * double quote and line feed. Returns 0 or -ENOMEM.
 */
static int label(FILE *out, const char *name, const char *value)
{
	char *clean = ow_utf8_sanitize(value, strlen(value));

	if (!clean)
		return -ENOMEM;
	fprintf(out, "%s=\"", name);
	for (const char *p = clean; *p; p++) {
		switch (*p) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '"':
			fputs("\\\"", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		default:
			fputc(*p, out);
		}
	}
	fputc('"', out);
	free(clean);
	return 0;
}

static int render_kills(FILE *out, const struct ow_prom_kill_table *t)
{
	family(out, "oomwitness_kills_total", "counter",
	       "OOM kills the recorder witnessed, by killer, OOM domain and the victim's "
	       "container (at most 64 label sets, then cgroup and container \"other\").");
	for (size_t i = 0; t && i < t->n; i++) {
		const struct ow_prom_kill_series *s = &t->series[i];
		int r;

		fputs("oomwitness_kills_total{", out);
		r = label(out, "killer", ow_killer_kind_name(s->killer));
		fputc(',', out);
		if (!r)
			r = label(out, "domain_kind", ow_domain_kind_name(s->domain_kind));
		fputc(',', out);
		if (!r)
			r = label(out, "cgroup", s->other ? OW_PROM_OTHER : or_empty(s->cgroup));
		fputc(',', out);
		if (!r)
			r = label(out, "container",
				  s->other ? OW_PROM_OTHER : or_empty(s->container));
		if (r < 0)
			return r;
		fprintf(out, "} %" PRIu64 "\n", s->kills);
	}
	return 0;
}

int ow_prom_render(FILE *out, const struct ow_prom_snapshot *s)
{
	int r;

	family(out, "oomwitness_build_info", "gauge",
	       "Always 1; the version of the running recorder is its label.");
	fputs("oomwitness_build_info{", out);
	r = label(out, "version", or_empty(s->version));
	if (r < 0)
		return r;
	fputs("} 1\n", out);

	family(out, "oomwitness_start_time_seconds", "gauge",
	       "When the recorder started, in seconds since the Unix epoch.");
	sample_seconds(out, "oomwitness_start_time_seconds", s->start_time_ns);

	r = render_kills(out, s->kills);
	if (r < 0)
		return r;

	family(out, "oomwitness_last_kill_timestamp_seconds", "gauge",
	       "Time of the newest OOM kill the recorder witnessed, in seconds since the Unix "
	       "epoch; 0 before the first.");
	sample_seconds(out, "oomwitness_last_kill_timestamp_seconds", s->last_kill_time_ns);

	family(out, "oomwitness_incidents_total", "counter",
	       "Incidents opened: kills in one OOM domain closer than --incident-gap are one.");
	sample_u64(out, "oomwitness_incidents_total", s->incidents);

	family(out, "oomwitness_kernel_hook_kills_total", "counter",
	       "OOM kills the kernel hook (oom:mark_victim) saw, whether or not their records "
	       "reached the recorder.");
	sample_u64(out, "oomwitness_kernel_hook_kills_total", s->hook_kills);

	family(out, "oomwitness_events_lost_total", "counter",
	       "Ring-buffer records lost because the buffer was full (raise --ringbuf-mib).");
	sample_u64(out, "oomwitness_events_lost_total", s->lost_records);

	family(out, "oomwitness_histories_attached_total", "counter",
	       "Memory histories stored with an incident.");
	sample_u64(out, "oomwitness_histories_attached_total", s->histories_attached);

	family(out, "oomwitness_sampler_running", "gauge",
	       "1 when the sampler records memory history, 0 when it is off or could not start.");
	sample_u64(out, "oomwitness_sampler_running", s->sampler_running ? 1 : 0);

	family(out, "oomwitness_sampler_samples_total", "counter",
	       "Samples of every process, memory cgroup and the system taken.");
	sample_u64(out, "oomwitness_sampler_samples_total", s->sampler_samples);

	family(out, "oomwitness_sampler_cpu_seconds_total", "counter",
	       "CPU time (user and system) the recorder spent taking samples.");
	sample_seconds(out, "oomwitness_sampler_cpu_seconds_total", s->sampler_cpu_ns);

	family(out, "oomwitness_sampler_last_cpu_seconds", "gauge",
	       "CPU time (user and system) of the newest sample.");
	sample_seconds(out, "oomwitness_sampler_last_cpu_seconds", s->sampler_last_cpu_ns);

	family(out, "oomwitness_sampler_processes", "gauge", "Processes in the newest sample.");
	sample_u64(out, "oomwitness_sampler_processes", s->sampler_processes);

	family(out, "oomwitness_sampler_history_seconds", "gauge",
	       "Time the history ring covers, oldest to newest sample.");
	sample_seconds(out, "oomwitness_sampler_history_seconds", s->sampler_history_ns);

	return ferror(out) ? -EIO : 0;
}
