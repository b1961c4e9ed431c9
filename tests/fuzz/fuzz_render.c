/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the renderers (src/output): an incident whose strings (comm, command line,
 * cgroup paths, stack frames) come from the input, as a process or a container runtime chooses
 * them: quotes, "<script>", newlines, escape sequences, invalid UTF-8 (render_input.h says how
 * the input is read). The verdict is computed for real (it quotes those strings), then every
 * renderer writes to a memory stream, and each output is checked for what its reader relies on:
 *
 *   JSON       parses back with jansson (so it is valid UTF-8); no raw control character
 *   JSON Lines each line parses and is one line
 *   text       no control character but '\n', no C1 control, no direction override, valid
 *              UTF-8, lines of at most 100 columns
 *   HTML       valid UTF-8, no "<script", no control character, no direction override, and no
 *              '<' from the input: the page has exactly as many '<' as the page of a twin
 *              incident whose strings have '`' wherever these have '<' (the generator never
 *              makes '`', so the twin's strings compare and sort as these do)
 *
 * With FUZZ_RENDER_WILD the numbers come from the input too (sizes, adj, limits, times), as a
 * corrupt database can hold them: the verdict, growth analysis and the chart must cope. With
 * FUZZ_RENDER_CONTEXT the kills carry what follows them and who sent them (render_input.h).
 */
#include "fuzz.h"

#include <jansson.h>
#include <strings.h>

#include "analysis/verdict.h"
#include "model/history.h"
#include "model/shared_str.h"
#include "model/summary.h"
#include "output/render.h"

#include "render_input.h"

/* The checkers below are not the code under test: no coverage feedback, which is costly. */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

#define MiB (1024ull * 1024)
#define SEC 1000000000ull
#define T0_NS (1795633445ull * SEC + 123000000ull)
#define N_TIMES FUZZ_RENDER_TIMES
#define CG_ID 77

struct params {
	uint8_t flags;
	int32_t adj[FUZZ_RENDER_PROCS];
	uint64_t anon_bytes[FUZZ_RENDER_PROCS];
	size_t victim, trigger;
	char *s[FUZZ_RENDER_STR_COUNT];
	bool wild;
	struct fuzz_render_wild w;
};

static char *dup_or_null(const char *s)
{
	return s ? fuzz_alloc(strdup(s)) : NULL;
}

/* A process's cmdline or cgroup: a shared string (model/shared_str.h). */
static char *shared_or_null(const char *s)
{
	return s ? fuzz_alloc(ow_shared_strdup(s)) : NULL;
}

static void set_comm(char comm[OW_COMM_LEN], const char *s)
{
	memset(comm, 0, OW_COMM_LEN);
	if (s)
		strncpy(comm, s, OW_COMM_LEN - 1);
}

static const char *proc_str(const struct params *pr, size_t i, size_t which)
{
	return pr->s[FUZZ_RENDER_STR_PROC + 3 * i + which];
}

static void set_stack(struct ow_stack *st, const char *frame)
{
	st->n_frames = 2;
	st->frames = fuzz_alloc(calloc(2, sizeof(char *)));
	st->frames[0] = fuzz_alloc(strdup(frame ? frame : ""));
	st->frames[1] = fuzz_alloc(strdup("out_of_memory+0x243"));
}

/* FUZZ_RENDER_CONTEXT: who killed, what followed, what the kernel said, what nobody owns. */
static void add_context(struct ow_kill *k, const struct params *pr, size_t n)
{
	const char *thread = pr->s[FUZZ_RENDER_STR_THREAD];
	struct ow_process *p = &k->procs[(pr->victim + n + 1) % FUZZ_RENDER_PROCS];
	const struct fuzz_render_wild *w = &pr->w;

	k->killer_kind = n == 0 ? OW_KILLER_SIGNAL : OW_KILLER_KERNEL;
	k->flags = n == 0 ? OW_KILL_SNAPSHOT_SKIPPED
			  : OW_KILL_VICTIM_EXITING | OW_KILL_OOM_GROUP | OW_KILL_FROM_KMSG |
				    OW_KILL_KMSG_CONFIRMED;
	k->after.exit_ns = pr->wild ? w->kill_time_ns[1 - n] : k->time_ns + 15000000;
	k->after.reap_start_ns = pr->wild ? w->t0_ns : k->time_ns + 2000000;
	k->after.reap_end_ns = pr->wild ? w->kill_time_ns[n] : k->time_ns + 5000000;
	k->after.reaped_bytes = pr->wild ? w->anon_bytes[n] : 40 * MiB;
	k->kernel_report.constraint = (enum ow_oom_constraint)(n ? OW_CONSTRAINT_MEMCG : 99);
	k->kernel_report.oom_memcg = dup_or_null(pr->s[FUZZ_RENDER_STR_DOMAIN]);
	k->kernel_report.task_memcg = dup_or_null(proc_str(pr, 0, 2));
	k->kernel_report.has_allocation = n == 1;
	k->kernel_report.gfp_mask = pr->wild ? (uint32_t)w->adj[0] : 0xcc0;
	k->kernel_report.order = pr->wild ? w->adj[1] : 0;
	k->unowned.known = true;
	k->unowned.shmem_bytes = pr->wild ? w->usage_bytes : 300 * MiB;
	k->unowned.file_bytes = pr->wild ? w->swap_bytes[0] : 20 * MiB;
	k->unowned.kernel_bytes = pr->wild ? w->swap_bytes[1] : 10 * MiB;
	k->unowned.slab_bytes = pr->wild ? w->swap_bytes[2] : 5 * MiB;
	k->unowned.n_tmpfs = 1;
	k->unowned.tmpfs = fuzz_alloc(calloc(1, sizeof(*k->unowned.tmpfs)));
	k->unowned.tmpfs[0].path = dup_or_null(thread);
	k->unowned.tmpfs[0].used_bytes = pr->wild ? w->limit_bytes : 290 * MiB;
	/* A process sharing the victim's memory, with an oom_score_adj history. */
	p->flags |= OW_PROC_SHARES_VICTIM_MM;
	p->n_adj_changes = 2;
	p->adj_changes = fuzz_alloc(calloc(2, sizeof(*p->adj_changes)));
	p->adj_changes[0] = (struct ow_adj_change){ .time_ns = pr->wild ? w->t0_ns : T0_NS - SEC,
						    .old_adj = OW_ADJ_UNKNOWN,
						    .new_adj = p->oom_score_adj,
						    .by_pid = k->trigger_pid,
						    .inherited = true };
	set_comm(p->adj_changes[0].by_comm, thread);
	p->adj_changes[1] = p->adj_changes[0];
	p->adj_changes[1].old_adj = pr->wild ? w->adj[2] : 0;
	p->adj_changes[1].inherited = false;
	if (pr->wild)
		memcpy(p->adj_changes[1].by_comm, &w->kill_time_ns[0], OW_COMM_LEN); /* no NUL */
}

static void add_kill(struct ow_incident *inc, const struct params *pr, size_t n)
{
	const char *domain = pr->s[FUZZ_RENDER_STR_DOMAIN];
	struct ow_kill k = { 0 };

	k.time_ns = pr->wild ? pr->w.kill_time_ns[n] : T0_NS + n * SEC;
	k.victim_pid = 100 + (int32_t)((pr->victim + n) % FUZZ_RENDER_PROCS);
	k.trigger_pid = 100 + (int32_t)pr->trigger;
	k.trigger_tid = k.trigger_pid + 7;
	set_comm(k.trigger_thread_comm, pr->s[FUZZ_RENDER_STR_THREAD]);
	if (pr->flags & FUZZ_RENDER_MEMCG) {
		k.domain.kind = OW_DOMAIN_MEMCG;
		k.domain.cgroup = dup_or_null(domain);
		k.domain.cgroup_id = CG_ID;
		k.domain.limit_bytes = 512 * MiB;
		k.domain.usage_bytes = 510 * MiB;
		k.domain.total_bytes = 512 * MiB;
	} else {
		k.domain.kind = OW_DOMAIN_GLOBAL;
		k.domain.limit_bytes = 4096 * MiB;
		k.domain.usage_bytes = 4000 * MiB;
		k.domain.total_bytes = 6144 * MiB;
	}
	if (pr->wild) {
		k.domain.limit_bytes = pr->w.limit_bytes;
		k.domain.usage_bytes = pr->w.usage_bytes;
		k.domain.total_bytes = pr->w.total_bytes;
	}
	set_stack(&k.trigger_kernel_stack, pr->s[FUZZ_RENDER_STR_KFRAME]);
	set_stack(&k.trigger_user_stack, pr->s[FUZZ_RENDER_STR_UFRAME]);
	k.n_procs = FUZZ_RENDER_PROCS;
	k.procs = fuzz_alloc(calloc(FUZZ_RENDER_PROCS, sizeof(*k.procs)));
	for (size_t i = 0; i < FUZZ_RENDER_PROCS; i++) {
		struct ow_process *p = &k.procs[i];

		p->pid = 100 + (int32_t)i;
		p->ppid = (pr->flags & FUZZ_RENDER_TREE) && i > 0 ? 100 : 1;
		p->uid = 1000;
		p->oom_score_adj = pr->adj[i];
		p->flags = OW_PROC_IN_DOMAIN;
		set_comm(p->comm, proc_str(pr, i, 0));
		p->cmdline = shared_or_null(proc_str(pr, i, 1));
		p->cgroup = shared_or_null(proc_str(pr, i, 2));
		p->cgroup_id = CG_ID;
		p->anon_bytes = pr->anon_bytes[i];
		p->file_bytes = 4 * MiB;
		p->pgtables_bytes = 64 * 1024;
		if (pr->wild) {
			p->oom_score_adj = pr->w.adj[i];
			p->anon_bytes = pr->w.anon_bytes[i];
			p->swap_bytes = pr->w.swap_bytes[i];
			p->pgtables_bytes = pr->w.pgtables_bytes[i];
		}
	}
	if (pr->flags & FUZZ_RENDER_PARTIAL) {
		k.partial = true;
		k.lost_events = 3;
	}
	if (pr->flags & FUZZ_RENDER_CONTEXT)
		add_context(&k, pr, n);
	FUZZ_CHECK(ow_incident_add_kill(inc, &k) == 0);
}

/* Each process grows to its size at the kill; the domain's cgroup holds them all. */
static struct ow_history *make_history(const struct params *pr)
{
	struct ow_history *h = fuzz_alloc(ow_history_new(N_TIMES));
	struct ow_history_cgroup *cg;

	h->interval_ns = 10 * SEC;
	h->window_ns = 600 * SEC;
	for (size_t t = 0; t < N_TIMES; t++) {
		h->time_ns[t] = T0_NS - (N_TIMES - t) * 10 * SEC;
		h->system[t].present = true;
		h->system[t].mem_total_bytes = 4096 * MiB;
		h->system[t].mem_available_bytes = (4096 - 100 * t) * MiB;
		if (!pr->wild)
			continue;
		/* Spaced anyhow, even out of order: the store does not check a time axis. */
		h->time_ns[t] =
			t ? h->time_ns[t - 1] + (uint64_t)(int64_t)pr->w.step_ns[t] : pr->w.t0_ns;
		h->system[t].mem_total_bytes = pr->w.mem_total_bytes;
		h->system[t].mem_available_bytes = pr->w.mem_available_bytes;
	}
	for (size_t i = 0; i < FUZZ_RENDER_PROCS; i++) {
		struct ow_history_process *p = fuzz_alloc(ow_history_add_process(h));

		p->pid = 100 + (int32_t)i;
		p->ppid = 1;
		set_comm(p->comm, proc_str(pr, i, 0));
		p->cmdline = dup_or_null(proc_str(pr, i, 1));
		p->cgroup = dup_or_null(proc_str(pr, i, 2));
		for (size_t t = 0; t < N_TIMES; t++) {
			p->samples[t].present = t > i;
			p->samples[t].oom_score_adj = pr->adj[i];
			p->samples[t].anon_bytes = pr->anon_bytes[i] / N_TIMES * (t + 1);
			if (pr->wild) {
				p->samples[t].present = pr->w.present[i] >> t & 1;
				p->samples[t].oom_score_adj = pr->w.adj[i];
				p->samples[t].anon_bytes = pr->w.sample_bytes[i][t];
			}
		}
	}
	cg = fuzz_alloc(ow_history_add_cgroup(h));
	cg->path = fuzz_alloc(
		strdup(pr->s[FUZZ_RENDER_STR_DOMAIN] ? pr->s[FUZZ_RENDER_STR_DOMAIN] : "/"));
	cg->id = CG_ID;
	for (size_t t = 0; t < N_TIMES; t++) {
		cg->samples[t].present = true;
		cg->samples[t].usage_bytes = 80 * MiB * (t + 1);
		cg->samples[t].limit_bytes = 512 * MiB;
		if (pr->wild) {
			cg->samples[t].usage_bytes = pr->w.cgroup_usage_bytes[t];
			cg->samples[t].limit_bytes = pr->w.cgroup_limit_bytes;
		}
	}
	return h;
}

static void build(struct ow_incident *inc, const struct params *pr)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = 42;
	add_kill(inc, pr, 0);
	if (pr->flags & FUZZ_RENDER_TWO_KILLS)
		add_kill(inc, pr, 1);
	if (pr->flags & FUZZ_RENDER_PARTIAL)
		inc->lost_events = 3;
	if (pr->flags & FUZZ_RENDER_HISTORY)
		inc->history = make_history(pr);
}

typedef int (*render_fn)(FILE *, const struct ow_incident *, const struct ow_verdict *);

/*
 * With wild numbers (a time past year 9999, say) a renderer may refuse with an error, but
 * never crash; every other incident renders.
 */
static bool wild;

static char *render(render_fn fn, const struct ow_incident *inc, const struct ow_verdict *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fuzz_alloc(open_memstream(&buf, &len));
	int r = fn(f, inc, v);

	FUZZ_CHECK(r == 0 || (wild && r < 0));
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(strlen(buf) == len);
	if (r < 0)
		buf[0] = '\0';
	return buf;
}

/* The length of the UTF-8 sequence at s (well-formed, as the Unicode standard's table 3-7). */
NO_COVERAGE static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		unsigned char lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		unsigned char lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

/* Valid UTF-8; no control character but '\n'; no C1 control or direction override. */
NO_COVERAGE static void check_safe(const char *out)
{
	const unsigned char *s = (const unsigned char *)out;

	while (*s) {
		size_t n = utf8_len(s);

		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(s[0] >= 0x20 || s[0] == '\n');
		FUZZ_CHECK(s[0] != 0x7f);
		FUZZ_CHECK(!(s[0] == 0xc2 && s[1] < 0xa0)); /* U+0080..U+009F */
		/* U+202A..U+202E embeddings and overrides, U+2066..U+2069 isolates */
		FUZZ_CHECK(!(s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae));
		FUZZ_CHECK(!(s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9));
		s += n;
	}
}

NO_COVERAGE static void check_text(const char *out)
{
	size_t cols = 0;

	check_safe(out);
	for (const unsigned char *s = (const unsigned char *)out; *s; s++) {
		if (*s == '\n') {
			cols = 0;
			continue;
		}
		if ((*s & 0xc0) != 0x80)
			cols++;
		FUZZ_CHECK(cols <= 100);
	}
}

NO_COVERAGE static void check_json(const char *out)
{
	json_error_t err;
	json_t *root;

	if (wild && !*out)
		return; /* the renderer refused */
	for (const char *p = out; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 || *p == '\n');
	root = json_loads(out, 0, &err);
	if (!root)
		fprintf(stderr, "JSON does not parse: %s at %d:%d\n", err.text, err.line,
			err.column);
	FUZZ_CHECK(root);
	json_decref(root);
}

static void check_jsonl(const char *out)
{
	const char *nl = strchr(out, '\n');

	if (wild && !*out)
		return;
	FUZZ_CHECK(nl && nl[1] == '\0');
	check_json(out);
}

NO_COVERAGE static size_t count_char(const char *s, char ch)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

static void render_list(const struct ow_incident *inc, const struct ow_verdict *v)
{
	struct ow_incident_summary row = { 0 };
	int32_t victims[2];
	char *out;
	FILE *f;
	size_t len;
	int r;

	row.id = inc->id;
	row.start_ns = inc->start_ns;
	row.end_ns = inc->end_ns;
	row.domain_kind = inc->domain.kind;
	row.domain_cgroup = inc->domain.cgroup;
	row.n_victims = inc->n_kills;
	for (size_t i = 0; i < inc->n_kills; i++)
		victims[i] = inc->kills[i].victim_pid;
	row.victim_pids = victims;
	row.culprit_kind = (char *)ow_culprit_kind_name(v->culprit.kind);
	row.culprit_pid = v->culprit.pid;
	row.culprit_comm = (char *)v->culprit.comm;
	row.lost_events = inc->lost_events;
	out = NULL;
	f = fuzz_alloc(open_memstream(&out, &len));
	r = ow_render_list_text(f, &row, 1);
	FUZZ_CHECK(r == 0 || (wild && r < 0));
	FUZZ_CHECK(fclose(f) == 0);
	check_text(out);
	free(out);
	out = NULL;
	f = fuzz_alloc(open_memstream(&out, &len));
	r = ow_render_list_json(f, &row, 1);
	FUZZ_CHECK(r == 0 || (wild && r < 0));
	FUZZ_CHECK(fclose(f) == 0);
	if (r == 0)
		check_json(out);
	free(out);
}

/*
 * Renders inc every way and checks each output, or only as HTML when !all; returns the HTML
 * page (malloc'd).
 */
static char *render_all(const struct ow_incident *inc, bool all)
{
	struct ow_verdict_config cfg;
	struct ow_verdict v;
	char *out, *html;
	size_t len;

	ow_verdict_config_default(&cfg);
	FUZZ_CHECK(ow_verdict_compute(inc, &cfg, &v) == 0);
	if (!all)
		goto html;
	out = render(ow_render_incident_text, inc, &v);
	check_text(out);
	free(out);
	out = render(ow_render_incident_json, inc, &v);
	check_json(out);
	free(out);
	out = render(ow_render_incident_jsonl, inc, &v);
	check_jsonl(out);
	free(out);
	for (size_t i = 0; i < inc->n_kills; i++) {
		FILE *f;
		int r;

		out = NULL;
		f = fuzz_alloc(open_memstream(&out, &len));
		r = ow_render_kill_jsonl(f, inc, i, &v);
		FUZZ_CHECK(r == 0 || (wild && r < 0));
		FUZZ_CHECK(fclose(f) == 0);
		if (r == 0)
			check_jsonl(out);
		free(out);
	}
	render_list(inc, &v);
html:
	html = render(ow_render_incident_html, inc, &v);
	check_safe(html);
	FUZZ_CHECK(!strcasestr(html, "<script"));
	ow_verdict_clear(&v);
	return html;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct params pr = { 0 }, twin;
	struct ow_incident inc, inc_twin;
	char *html, *html_twin;
	bool has_lt = false;

	pr.flags = fuzz_u8(&in);
	for (size_t i = 0; i < FUZZ_RENDER_PROCS; i++) {
		pr.adj[i] = (int32_t)(fuzz_u16(&in) % 2001) - 1000;
		pr.anon_bytes[i] = (uint64_t)fuzz_u16(&in) * MiB;
	}
	pr.victim = fuzz_u8(&in) % FUZZ_RENDER_PROCS;
	pr.trigger = fuzz_u8(&in) % FUZZ_RENDER_PROCS;
	twin = pr;
	for (size_t i = 0; i < FUZZ_RENDER_STR_COUNT; i++) {
		pr.s[i] = fuzz_str(&in, FUZZ_RENDER_STR_MAX);
		twin.s[i] = dup_or_null(pr.s[i]);
		for (char *p = pr.s[i]; p && *p; p++)
			if (*p == '`')
				*p = '~';
		for (char *p = twin.s[i]; p && *p; p++) {
			has_lt |= *p == '<';
			*p = *p == '`' ? '~' : *p == '<' ? '`' : *p;
		}
	}

	pr.wild = twin.wild = pr.flags & FUZZ_RENDER_WILD;
	if (pr.wild) {
		fuzz_bytes(&in, &pr.w, sizeof(pr.w));
		twin.w = pr.w;
	}
	wild = pr.wild;

	build(&inc, &pr);
	html = render_all(&inc, true);
	/* Without a '<' in the strings, the twin is the same incident. */
	if (has_lt) {
		build(&inc_twin, &twin);
		html_twin = render_all(&inc_twin, false);
		FUZZ_CHECK(count_char(html, '<') == count_char(html_twin, '<'));
		free(html_twin);
		ow_incident_clear(&inc_twin);
	}
	free(html);
	ow_incident_clear(&inc);
	for (size_t i = 0; i < FUZZ_RENDER_STR_COUNT; i++) {
		free(pr.s[i]);
		free(twin.s[i]);
	}
	return 0;
}
