/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text renderers (render.h): `oomwitness show` and `oomwitness list` for a person reading a
 * terminal at 3 a.m. The show layout puts the verdict and the culprit first (with the memory
 * no process owns), then the kill chain (who was killed, why, by the kernel or by whose
 * SIGKILL, who was allocating, and what followed: the reaper, the exit, the kernel's own
 * report), then the badness ranking at each kill.
 *
 * Every line goes through emit(), which neutralises control characters and cuts the line at
 * OW_TEXT_COLS code points, so no string from a process (comm, command line, cgroup path) can
 * move the cursor, fake a line or break the width, whatever the code above it does. Colour
 * (struct ow_text_style) is added after that, around words this file wrote, never around a
 * process's string.
 */
#include "output/render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/container.h"
#include "output/format.h"
#include "output/history_view.h"

#define OW_TEXT_COLS 100
/* Bytes for one line of OW_TEXT_COLS code points, 4 bytes at most each, and a NUL. */
#define LINE_SIZE (OW_TEXT_COLS * 4 + 8)
/* Bytes for a sanitized comm: 15 code points. */
#define COMM_SIZE (OW_COMM_LEN * 4 + 8)
#define STACK_FRAMES_SHOWN 5
/* The culprit's command line is word-wrapped up to this many columns, its cgroup cut to one line. */
#define CMDLINE_COLS 320
#define CGROUP_COLS 80
/* The memory history: processes shown, and the width of their sparklines. */
#define HISTORY_PROCS 6
#define SPARK_COLS 28

struct text_out {
	FILE *out;
	int err; /* the first error; later writes are skipped */
	bool color; /* SGR colour codes around the words of struct highlight and line_headings */
};

/* SGR sequences: what each coloured word is. */
#define SGR_RESET "\x1b[0m"
#define SGR_VERDICT "\x1b[1m" /* bold */
#define SGR_CULPRIT "\x1b[1;31m" /* bold red */
#define SGR_KILLED "\x1b[31m" /* red */
#define SGR_INNOCENT "\x1b[32m" /* green */
#define SGR_WARNING "\x1b[1;33m" /* bold yellow */

/* A word emit_hl() colours in its line: the first occurrence of token, or the last. */
struct highlight {
	const char *token;
	const char *sgr;
	bool last;
};

/*
 * Headings coloured wherever a line starts with them. Every line starts with words of this file
 * (a process's string never comes first), so these match only the headings themselves.
 */
static const struct highlight line_headings[] = {
	{ "VERDICT:", SGR_VERDICT, false },
	{ "CULPRIT:", SGR_CULPRIT, false },
	{ "WARNING:", SGR_WARNING, false },
	{ "  innocent victims:", SGR_INNOCENT, false },
};

/* Writes line (sanitized) and a newline, the heading and hl (may be NULL) coloured when asked. */
static void put_line(struct text_out *t, const char *line, const struct highlight *hl)
{
	const char *spans[2][3] = { { 0 } }; /* start, end, sgr; in line order */
	const char *p = line, *at;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; t->color && i < sizeof(line_headings) / sizeof(line_headings[0]); i++) {
		size_t len = strlen(line_headings[i].token);

		if (strncmp(line, line_headings[i].token, len) == 0) {
			spans[n][0] = line;
			spans[n][1] = line + len;
			spans[n++][2] = line_headings[i].sgr;
			break;
		}
	}
	at = t->color && hl ? strstr(n ? spans[0][1] : line, hl->token) : NULL;
	while (at && hl->last) {
		const char *next = strstr(at + 1, hl->token);

		if (!next)
			break;
		at = next;
	}
	if (at) {
		spans[n][0] = at;
		spans[n][1] = at + strlen(hl->token);
		spans[n++][2] = hl->sgr;
	}
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = fprintf(t->out, "%.*s%s%.*s" SGR_RESET, (int)(spans[i][0] - p), p, spans[i][2],
			    (int)(spans[i][1] - spans[i][0]), spans[i][0]);
		p = spans[i][1];
	}
	if (r < 0 || fputs(p, t->out) == EOF || fputc('\n', t->out) == EOF)
		t->err = -EIO;
}

/* Writes one line: printf-style, made terminal-safe and cut to OW_TEXT_COLS code points. */
static void vemit(struct text_out *t, const struct highlight *hl, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void vemit(struct text_out *t, const struct highlight *hl, const char *fmt, va_list ap)
{
	char line[LINE_SIZE];
	char *raw = NULL;
	int n;

	if (t->err)
		return;
	n = vasprintf(&raw, fmt, ap);
	if (n < 0) {
		t->err = -ENOMEM;
		return;
	}
	ow_text_sanitize(line, sizeof(line), raw, (size_t)n, OW_TEXT_COLS);
	free(raw);
	put_line(t, line, hl);
}

static void emit(struct text_out *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct text_out *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(t, NULL, fmt, ap);
	va_end(ap);
}

/*
 * emit(), and with colour hl->token in hl->sgr. Callers pick first or last so that the token
 * found is the one they wrote, not one inside a process's string on the same line.
 */
static void emit_hl(struct text_out *t, const struct highlight *hl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void emit_hl(struct text_out *t, const struct highlight *hl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(t, hl, fmt, ap);
	va_end(ap);
}

/* The words emit_hl() colours. */
static const struct highlight hl_killed = { "KILLED", SGR_KILLED, false };
static const struct highlight hl_innocent = { "INNOCENT", SGR_INNOCENT, false };
static const struct highlight hl_never_killed = { "NEVER KILLED", SGR_CULPRIT, false };
static const struct highlight hl_incomplete = { "INCOMPLETE", SGR_WARNING, false };
static const struct highlight hl_skipped = { "SKIPPED", SGR_WARNING, false };

/* A string from a process, safe and at most max_cols code points; "?" when NULL or empty. */
static const char *safe(char *buf, size_t size, const char *src, size_t len, size_t max_cols)
{
	if (!src || !src[0] || len == 0)
		return "?";
	ow_text_sanitize(buf, size, src, len, max_cols);
	return buf;
}

static const char *safe_comm(char *buf, size_t size, const char *comm)
{
	return safe(buf, size, comm, OW_COMM_LEN, OW_COMM_LEN - 1);
}

/*
 * A table cell: the first len bytes of src (to a NUL), safe, cut to width code points and
 * padded with spaces to width.
 */
static const char *cell(char *buf, size_t size, const char *src, size_t len, size_t width)
{
	size_t cols;

	if (!src || !src[0]) {
		src = "-";
		len = 1;
	}
	cols = ow_text_sanitize(buf, size, src, len, width);
	len = strlen(buf);
	while (cols < width && len + 1 < size) {
		buf[len++] = ' ';
		cols++;
	}
	buf[len] = '\0';
	return buf;
}

/*
 * Writes text as word-wrapped lines: first before the first line, cont before the others.
 * A word longer than a whole line is cut with "…".
 */
static void emit_wrapped(struct text_out *t, const char *first, const char *cont, const char *text)
{
	size_t len = strlen(text), line_len = 0, line_cols = 0;
	const char *prefix = first;
	char line[LINE_SIZE], word[LINE_SIZE];
	char *clean, *p;

	if (t->err)
		return;
	/* Sanitizing never grows a string (a replaced unit becomes one '?'); +4 for "…". */
	clean = malloc(len + 4);
	if (!clean) {
		t->err = -ENOMEM;
		return;
	}
	ow_text_sanitize(clean, len + 4, text, len, SIZE_MAX);
	p = clean;
	line[0] = '\0';
	for (;;) {
		size_t prefix_cols = ow_utf8_columns(prefix);
		size_t width = prefix_cols < OW_TEXT_COLS - 20 ? OW_TEXT_COLS - prefix_cols : 20;
		size_t word_cols, word_len;
		const char *start;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ')
			p++;
		word_cols = ow_text_sanitize(word, sizeof(word), start, (size_t)(p - start), width);
		word_len = strlen(word);
		if (line_len > 0 && line_cols + 1 + word_cols > width) {
			emit(t, "%s%s", prefix, line);
			prefix = cont;
			line_len = 0;
			line_cols = 0;
			line[0] = '\0';
		}
		if (line_len > 0) {
			line[line_len++] = ' ';
			line_cols++;
		}
		memcpy(line + line_len, word, word_len + 1);
		line_len += word_len;
		line_cols += word_cols;
	}
	if (line_len > 0 || prefix == first)
		emit(t, "%s%s", prefix, line);
	free(clean);
}

/* What a share is a share of, after the percentage: "of the limit" or "of RAM". */
static const char *share_words(const struct ow_domain *d)
{
	return d->kind == OW_DOMAIN_MEMCG ? "of the limit" : "of RAM";
}

/* The victim of the first kill of pid, for naming innocent victims. */
static const struct ow_process *find_victim(const struct ow_incident *inc, int32_t pid)
{
	for (size_t i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].victim_pid == pid)
			return ow_kill_find_process(&inc->kills[i], pid);
	return NULL;
}

static bool any_snapshot_partial(const struct ow_incident *inc)
{
	for (size_t i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].partial)
			return true;
	return false;
}

static void render_header(struct text_out *t, const struct ow_incident *inc,
			  const struct ow_verdict *v)
{
	char cg[LINE_SIZE], limit[OW_BYTES_TEXT_LEN], usage[OW_BYTES_TEXT_LEN];
	char start[OW_TIME_STR_LEN], end[OW_TIME_STR_LEN], start_day[OW_TIME_STR_LEN];
	char end_day[OW_TIME_STR_LEN];
	const struct ow_domain *d = &inc->domain;
	unsigned int end_parts = OW_TIME_CLOCK;

	ow_format_bytes(limit, d->limit_bytes);
	ow_format_bytes(usage, d->usage_bytes);
	if (d->kind == OW_DOMAIN_MEMCG)
		emit(t, "Incident %lld — memcg %s (limit %s, usage %s)", (long long)inc->id,
		     safe(cg, sizeof(cg), d->cgroup, SIZE_MAX, 44), limit, usage);
	else if (ow_incident_only_signal_kills(inc)) /* no memory limit was near */
		emit(t,
		     "Incident %lld — SIGKILL from user space, on the machine (RAM %s, in use %s)",
		     (long long)inc->id, limit, usage);
	else
		emit(t, "Incident %lld — global, the whole machine (RAM %s, in use %s)",
		     (long long)inc->id, limit, usage);

	if (ow_format_time_local(start_day, sizeof(start_day), inc->start_ns, OW_TIME_DATE) ||
	    ow_format_time_local(end_day, sizeof(end_day), inc->end_ns, OW_TIME_DATE) ||
	    strcmp(start_day, end_day) != 0)
		end_parts |= OW_TIME_DATE;
	/* Milliseconds: a kill chain often lasts less than a second. */
	if (ow_format_time_local(start, sizeof(start), inc->start_ns,
				 OW_TIME_DATE | OW_TIME_CLOCK | OW_TIME_MILLIS))
		snprintf(start, sizeof(start), "?");
	if (ow_format_time_local(end, sizeof(end), inc->end_ns, end_parts | OW_TIME_MILLIS))
		snprintf(end, sizeof(end), "?");
	emit(t, "%s .. %s, %zu kill%s", start, end, inc->n_kills, inc->n_kills == 1 ? "" : "s");

	/* Kills the recorder was not running for (machine-wide: the kernel does not say where). */
	if (inc->missed_kills > 0)
		emit(t,
		     "WARNING: the recorder was down for %llu OOM %s on the machine: the verdict "
		     "may be wrong",
		     (unsigned long long)inc->missed_kills,
		     inc->missed_kills == 1 ? "kill" : "kills");
	/* Records lost while the incident was open, else a kill below says "snapshot INCOMPLETE". */
	if (ow_render_partial(inc, v) && inc->lost_events > 0)
		emit(t,
		     "WARNING: incomplete data (%llu ring-buffer records lost): the verdict may be "
		     "wrong",
		     (unsigned long long)inc->lost_events);
	else if (ow_render_partial(inc, v) && (!inc->missed_kills || any_snapshot_partial(inc)))
		emit(t, "%s",
		     "WARNING: incomplete data (a snapshot is INCOMPLETE, see the kill chain): the "
		     "verdict may be wrong");
	emit(t, "%s", "");
}

/*
 * The container, pod or systemd unit of a cgroup path, for people: "docker 3f2a1b9c0d4e",
 * "unit nginx.service", "containerd 3f2a1b9c0d4e, pod <uid> (burstable)", "cri-o conmon
 * 3f2a1b9c0d4e, pod ...". False (and buf "") when the path names none.
 */
static bool container_text(char *buf, size_t size, const char *cgroup)
{
	struct ow_container c;
	const char *conmon;
	size_t len;

	buf[0] = '\0';
	if (!ow_container_from_cgroup(cgroup, &c))
		return false;
	conmon = strstr(c.unit, "conmon-");
	if (c.runtime == OW_RUNTIME_SYSTEMD)
		snprintf(buf, size, "unit %s", c.unit);
	else if (c.id[0])
		snprintf(buf, size, "%s %.12s", ow_container_runtime_name(c.runtime), c.id);
	else if (conmon)
		snprintf(buf, size, "%s conmon %.12s", ow_container_runtime_name(c.runtime),
			 conmon + strlen("conmon-"));
	else if (c.unit[0])
		snprintf(buf, size, "%s unit %s", ow_container_runtime_name(c.runtime), c.unit);
	len = strlen(buf);
	if (c.pod_uid[0])
		snprintf(buf + len, size - len, "%spod %s (%s)", len ? ", " : "", c.pod_uid, c.qos);
	return true;
}

/*
 * Writes head and ", in " where as one line when it fits in OW_TEXT_COLS; else head, then
 * "     <who> in <where>" on a line of its own. where "" (none): head only.
 */
static void emit_placed(struct text_out *t, const char *head, const char *who, const char *where)
{
	if (where[0] &&
	    ow_utf8_columns(head) + strlen(", in ") + ow_utf8_columns(where) <= OW_TEXT_COLS) {
		emit(t, "%s, in %s", head, where);
		return;
	}
	emit(t, "%s", head);
	if (where[0])
		emit(t, "     %s in %s", who, where);
}

/* Writes each change of p's oom_score_adj on a line of its own, after prefix. */
static void render_adj_changes(struct text_out *t, const struct ow_incident *inc,
			       const char *prefix, const struct ow_process *p)
{
	char line[OW_SENTENCE_LEN];

	if (!p || !p->adj_changes)
		return;
	/* emit() makes the comm in it safe. */
	for (size_t i = 0; i < p->n_adj_changes; i++)
		emit(t, "%s%s", prefix,
		     ow_render_adj_change(line, &p->adj_changes[i], inc->start_ns));
}

static void render_culprit(struct text_out *t, const struct ow_incident *inc,
			   const struct ow_culprit *c)
{
	char comm[COMM_SIZE], text[LINE_SIZE], mem[OW_BYTES_TEXT_LEN], amount[LINE_SIZE];
	char cmdline[CMDLINE_COLS * 4 + 8];
	/* The share comes from a division: keep NaN and negatives away from the cast. */
	unsigned int pct =
		c->share > 0.0 && c->share < 100.0 ? (unsigned int)(c->share * 100.0 + 0.5) : 0;

	ow_format_bytes(mem, c->memory_bytes);
	snprintf(amount, sizeof(amount), "%s = %u%% %s", mem, pct, share_words(&inc->domain));
	switch (c->kind) {
	case OW_CULPRIT_PROCESS:
	case OW_CULPRIT_PROCESS_TREE:
		if (c->kind == OW_CULPRIT_PROCESS_TREE)
			emit(t, "CULPRIT: the process tree of %s (pid %d): %zu process%s, %s",
			     safe_comm(comm, sizeof(comm), c->comm), c->pid, c->n_members,
			     c->n_members == 1 ? "" : "es", amount);
		else
			emit(t, "CULPRIT: %s (pid %d), adj %d, %s",
			     safe_comm(comm, sizeof(comm), c->comm), c->pid, c->oom_score_adj,
			     amount);
		if (c->kind == OW_CULPRIT_PROCESS_TREE)
			emit_hl(t, &hl_never_killed, "         %s; %s",
				c->was_trigger ? "one of them triggered the OOM"
					       : "none of them triggered it",
				c->was_killed ? "some were killed" : "NEVER KILLED");
		else
			emit_hl(t, &hl_never_killed, "         %s; %s",
				c->was_trigger ? "triggered the OOM" : "did not trigger it",
				c->was_killed ? "was killed" : "NEVER KILLED");
		if (c->cmdline)
			emit_wrapped(
				t, "         cmdline: ", "                  ",
				safe(cmdline, sizeof(cmdline), c->cmdline, SIZE_MAX, CMDLINE_COLS));
		if (c->cgroup)
			emit(t, "         cgroup:  %s",
			     safe(text, sizeof(text), c->cgroup, SIZE_MAX, CGROUP_COLS));
		if (container_text(text, sizeof(text), c->cgroup))
			emit(t, "         container: %s", text);
		render_adj_changes(t, inc, "         ", ow_render_find_process(inc, c->pid));
		break;
	case OW_CULPRIT_CGROUP:
		emit(t, "CULPRIT: cgroup %s: %zu process%s, %s",
		     safe(text, sizeof(text), c->cgroup, SIZE_MAX, 50), c->n_members,
		     c->n_members == 1 ? "" : "es", amount);
		if (container_text(text, sizeof(text), c->cgroup))
			emit(t, "         container: %s", text);
		break;
	case OW_CULPRIT_NON_PROCESS:
		emit(t, "CULPRIT: %s, memory no process holds%s%s",
		     c->what ? safe(text, sizeof(text), c->what, SIZE_MAX, 20) : "?",
		     c->memory_bytes ? ": " : "", c->memory_bytes ? amount : "");
		break;
	case OW_CULPRIT_NONE:
		emit(t, "%s", "CULPRIT: none identified");
		break;
	}
	for (size_t i = 0; i < c->n_reasons; i++)
		if (c->reasons[i])
			emit_wrapped(t, "  - ", "    ", c->reasons[i]);
}

/*
 * The memory of the domain no process owns at kill k, when it was read: shmem not mapped (and
 * the tmpfs mounts that hold shmem), kernel memory, page cache.
 */
static void render_unowned(struct text_out *t, const struct ow_kill *k)
{
	const struct ow_unowned_memory *u = &k->unowned;
	char a[OW_BYTES_TEXT_LEN], b[OW_BYTES_TEXT_LEN], c[OW_BYTES_TEXT_LEN], d[OW_BYTES_TEXT_LEN];
	char path[LINE_SIZE];
	size_t n_tmpfs = u->tmpfs ? u->n_tmpfs : 0;

	if (!u->known)
		return;
	emit(t, "%s", "  memory no process owns, at the first kill:");
	ow_format_bytes(a, ow_render_unmapped_shmem_bytes(k));
	/* One mount fits on the line; more get a line each. */
	if (n_tmpfs == 1)
		emit(t, "    shmem/tmpfs: %s not mapped by any process (tmpfs %s holds %s)", a,
		     safe(path, sizeof(path), u->tmpfs[0].path, SIZE_MAX, 40),
		     ow_format_bytes(b, u->tmpfs[0].used_bytes));
	else
		emit(t, "    shmem/tmpfs: %s not mapped by any process", a);
	for (size_t i = 0; n_tmpfs > 1 && i < n_tmpfs; i++)
		emit(t, "      tmpfs %s holds %s",
		     safe(path, sizeof(path), u->tmpfs[i].path, SIZE_MAX, 70),
		     ow_format_bytes(b, u->tmpfs[i].used_bytes));
	emit(t, "    kernel: %s (slab %s, page tables %s, network buffers %s)",
	     ow_format_bytes(a, u->kernel_bytes), ow_format_bytes(b, u->slab_bytes),
	     ow_format_bytes(c, u->pagetables_bytes), ow_format_bytes(d, u->sock_bytes));
	emit(t, "    page cache: %s", ow_format_bytes(a, u->file_bytes));
}

static void render_verdict(struct text_out *t, const struct ow_incident *inc,
			   const struct ow_verdict *v)
{
	char comm[COMM_SIZE], mem[OW_BYTES_TEXT_LEN];
	char *list = NULL;
	size_t list_len = 0;
	FILE *f;

	if (!v) {
		emit(t, "%s", "VERDICT: none (the incident was not analysed)");
		if (inc->n_kills > 0)
			render_unowned(t, &inc->kills[0]);
		emit(t, "%s", "");
		return;
	}
	emit_wrapped(t, "VERDICT: ", "         ",
		     v->summary ? v->summary : "no summary (nothing to judge)");
	render_culprit(t, inc, &v->culprit);

	if (v->n_innocent > 0 && !t->err) {
		f = open_memstream(&list, &list_len);
		if (!f) {
			t->err = -ENOMEM;
			return;
		}
		for (size_t i = 0; i < v->n_innocent; i++) {
			const struct ow_process *p = find_victim(inc, v->innocent_pids[i]);

			fprintf(f, "%s%d (%s)", i ? ", " : "", v->innocent_pids[i],
				p ? safe_comm(comm, sizeof(comm), p->comm) : "?");
		}
		if (fclose(f) != 0) {
			free(list);
			t->err = -ENOMEM;
			return;
		}
		emit_wrapped(t, "  innocent victims: ", "                    ", list);
		free(list);
		list = NULL;
	}
	if (v->n_shielded > 0 && !t->err) {
		f = open_memstream(&list, &list_len);
		if (!f) {
			t->err = -ENOMEM;
			return;
		}
		for (size_t i = 0; i < v->n_shielded; i++) {
			const struct ow_process *p =
				ow_render_find_process(inc, v->shielded_pids[i]);

			if (!p) {
				fprintf(f, "%spid %d", i ? ", " : "", v->shielded_pids[i]);
				continue;
			}
			ow_format_bytes(mem, ow_process_memory_bytes(p));
			fprintf(f, "%s%s (pid %d, adj %d, %s)", i ? ", " : "",
				safe_comm(comm, sizeof(comm), p->comm), p->pid, p->oom_score_adj,
				mem);
		}
		if (fclose(f) != 0) {
			free(list);
			t->err = -ENOMEM;
			return;
		}
		emit_wrapped(t, "  shielded: ", "            ", list);
		free(list);
		for (size_t i = 0; i < v->n_shielded; i++) {
			const struct ow_process *p =
				ow_render_find_process(inc, v->shielded_pids[i]);
			char prefix[COMM_SIZE + 32];

			if (!p || p->pid == v->culprit.pid || !p->n_adj_changes)
				continue;
			snprintf(prefix, sizeof(prefix),
				 "    %s (pid %d): ", safe_comm(comm, sizeof(comm), p->comm),
				 p->pid);
			render_adj_changes(t, inc, prefix, p);
		}
	}
	if (inc->n_kills > 0)
		render_unowned(t, &inc->kills[0]);
	emit(t, "%s", "");
}

static void render_stack(struct text_out *t, const char *label, const struct ow_stack *s)
{
	size_t shown = s->n_frames < STACK_FRAMES_SHOWN ? s->n_frames : STACK_FRAMES_SHOWN;

	for (size_t i = 0; i < shown; i++)
		emit(t, "       %-14s%s", i == 0 ? label : "", s->frames[i] ? s->frames[i] : "?");
	if (s->n_frames > shown)
		emit(t, "       %-14s(+%zu more frame%s)", "", s->n_frames - shown,
		     s->n_frames - shown == 1 ? "" : "s");
}

/* oom_score_adj as the reasons write it: "+1000", "-1000", "0". */
static const char *signed_adj(char buf[8], int32_t adj)
{
	snprintf(buf, 8, adj ? "%+d" : "%d", adj);
	return buf;
}

static bool stacks_equal(const struct ow_stack *a, const struct ow_stack *b)
{
	if (a->n_frames != b->n_frames)
		return false;
	for (size_t i = 0; i < a->n_frames; i++)
		if (!a->frames[i] || !b->frames[i] || strcmp(a->frames[i], b->frames[i]) != 0)
			return false;
	return true;
}

/* A kill's trigger stack, or "same as kill #N" when it repeats the previous kill's. */
static void render_kill_stack(struct text_out *t, const struct ow_incident *inc, size_t i,
			      const char *label, bool user)
{
	const struct ow_kill *k = &inc->kills[i];
	const struct ow_stack *s = user ? &k->trigger_user_stack : &k->trigger_kernel_stack;
	size_t same = i;

	/* Find the first kill of the run of identical stacks this one ends. */
	while (same > 0 && s->n_frames > 0 &&
	       stacks_equal(s, user ? &inc->kills[same - 1].trigger_user_stack
				    : &inc->kills[same - 1].trigger_kernel_stack))
		same--;
	if (same < i)
		emit(t, "       %-14ssame as kill #%zu", label, same + 1);
	else
		render_stack(t, label, s);
}

/* The task whose allocation failed, for a kill by the kernel. */
static void render_trigger(struct text_out *t, const struct ow_kill *k,
			   const struct ow_process *trigger)
{
	char comm[COMM_SIZE], tcomm[COMM_SIZE], head[LINE_SIZE], where[LINE_SIZE];
	const char *name;

	if (k->trigger_pid == 0) {
		emit(t, "%s", "     trigger: unknown");
		return;
	}
	name = trigger ? safe_comm(comm, sizeof(comm), trigger->comm) : "?";
	snprintf(head, sizeof(head), "     trigger: %s pid %d tid %d (%s)%s", name, k->trigger_pid,
		 k->trigger_tid, safe_comm(tcomm, sizeof(tcomm), k->trigger_thread_comm),
		 k->trigger_pid == k->victim_pid ? ", the victim itself, was allocating"
						 : ", was allocating");
	/* The victim's own container is on its line already. */
	if (!trigger || k->trigger_pid == k->victim_pid ||
	    !container_text(where, sizeof(where), trigger->cgroup))
		where[0] = '\0';
	emit_placed(t, head, "trigger", where);
}

/* The process that sent the SIGKILL, for a signal kill: its name, container, command line. */
static void render_killer(struct text_out *t, const struct ow_kill *k,
			  const struct ow_process *killer)
{
	char comm[COMM_SIZE], head[LINE_SIZE], where[LINE_SIZE], cmdline[LINE_SIZE];

	if (k->trigger_pid == 0) {
		emit(t, "%s",
		     "     killed by a SIGKILL from user space, not by the kernel (sender unknown)");
		return;
	}
	snprintf(head, sizeof(head), "     killed by pid %d (%s), not by the kernel",
		 k->trigger_pid, killer ? safe_comm(comm, sizeof(comm), killer->comm) : "?");
	if (!killer || !container_text(where, sizeof(where), killer->cgroup))
		where[0] = '\0';
	emit_placed(t, head, "killer", where);
	if (killer && killer->cmdline)
		emit(t, "     killer cmdline: %s",
		     safe(cmdline, sizeof(cmdline), killer->cmdline, SIZE_MAX, 80));
}

/* The processes killed with the victim for sharing its memory (CLONE_VM). */
static void render_also_killed(struct text_out *t, const struct ow_kill *k)
{
	char comm[COMM_SIZE];
	char *list = NULL;
	size_t list_len = 0, n = 0;
	FILE *f;

	if (t->err)
		return;
	f = open_memstream(&list, &list_len);
	if (!f) {
		t->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];

		if (ow_kill_took_sharer(k, p))
			fprintf(f, "%s%s (pid %d)", n++ ? ", " : "",
				safe_comm(comm, sizeof(comm), p->comm), p->pid);
	}
	if (fclose(f) != 0) {
		free(list);
		t->err = -ENOMEM;
		return;
	}
	if (n > 0)
		emit_wrapped(t, "     also killed, sharing its memory: ", "       ", list);
	free(list);
}

/* What followed the kill, as far as it was seen. */
static void render_aftermath(struct text_out *t, const struct ow_kill *k)
{
	char line[OW_SENTENCE_LEN];

	if (ow_render_aftermath(line, k)[0])
		emit(t, "     %s", line);
}

/* The kernel's own report of the kill, from /dev/kmsg or its struct oom_control. */
static void render_kernel_report(struct text_out *t, const struct ow_kill *k)
{
	const struct ow_kernel_report *r = &k->kernel_report;
	char oom[LINE_SIZE], task[LINE_SIZE], alloc[64], *line = NULL;

	if (!(k->flags & (OW_KILL_KMSG_CONFIRMED | OW_KILL_OOM_CONTROL)) || t->err)
		return;
	alloc[0] = '\0';
	if (r->has_allocation)
		snprintf(alloc, sizeof(alloc), ", gfp_mask=%#x, order=%d", r->gfp_mask, r->order);
	/* The paths are cut, not the line: its words wrap. */
	if (asprintf(&line, "constraint=%s, oom_memcg=%s, task_memcg=%s%s",
		     ow_oom_constraint_name(r->constraint),
		     safe(oom, sizeof(oom), r->oom_memcg, SIZE_MAX, 60),
		     safe(task, sizeof(task), r->task_memcg, SIZE_MAX, 60), alloc) < 0) {
		t->err = -ENOMEM;
		return;
	}
	emit_wrapped(t, "     kernel report: ", "                    ", line);
	free(line);
}

static void render_kill(struct text_out *t, const struct ow_incident *inc, size_t i,
			const struct ow_kill_analysis *a)
{
	const struct ow_kill *k = &inc->kills[i];
	const struct ow_process *victim = ow_kill_find_process(k, k->victim_pid);
	const struct ow_process *trigger = ow_kill_find_process(k, k->trigger_pid);
	char when[OW_TIME_STR_LEN], day[OW_TIME_STR_LEN], start_day[OW_TIME_STR_LEN];
	char comm[COMM_SIZE], mem[OW_BYTES_TEXT_LEN], adj[8], where[LINE_SIZE];
	unsigned int parts = OW_TIME_CLOCK | OW_TIME_MILLIS;
	const char *by = k->killer_kind == OW_KILLER_KERNEL ? "by the kernel OOM killer"
							    : "by a user-space SIGKILL";

	if (ow_format_time_local(day, sizeof(day), k->time_ns, OW_TIME_DATE) ||
	    ow_format_time_local(start_day, sizeof(start_day), inc->start_ns, OW_TIME_DATE) ||
	    strcmp(day, start_day) != 0)
		parts |= OW_TIME_DATE;
	if (ow_format_time_local(when, sizeof(when), k->time_ns, parts))
		snprintf(when, sizeof(when), "?");

	if (victim) {
		/* The memory the verdict and the badness count: rss + swap + page tables. */
		ow_format_bytes(mem, ow_process_memory_bytes(victim));
		emit_hl(t, &hl_killed, "  #%zu %s  KILLED %s (pid %d, adj %s, memory %s)  %s",
			i + 1, when, safe_comm(comm, sizeof(comm), victim->comm), victim->pid,
			signed_adj(adj, victim->oom_score_adj), mem, by);
		/* This line is full: the victim's container gets one of its own. */
		if (container_text(where, sizeof(where), victim->cgroup))
			emit(t, "     victim in %s", where);
	} else {
		emit_hl(t, &hl_killed, "  #%zu %s  KILLED pid %d (not in the snapshot)  %s", i + 1,
			when, k->victim_pid, by);
	}

	render_adj_changes(t, inc, "     ", victim);
	/* The kernel did not choose a signal kill's victim: its badness explains nothing. */
	if (a && a->victim_rank > 0 && k->killer_kind == OW_KILLER_KERNEL) {
		const struct ow_badness *b = &a->victim_badness;

		if (a->victim_by_adj)
			emit_hl(t, &hl_innocent,
				"     chosen by oom_score_adj: %lld of its %lld points came from adj "
				"%+d%s",
				(long long)b->adj_points, (long long)b->points,
				victim ? victim->oom_score_adj : 0,
				a->victim_innocent ? " — an INNOCENT victim" : "");
		else
			emit(t, "     chosen by its memory: %lld of its %lld points%s",
			     (long long)b->memory_points, (long long)b->points,
			     a->victim_was_top_holder ? ", the most memory in the domain" : "");
		if (a->victim_rank != 1)
			emit(t,
			     "     note: ranked #%d of %zu by the recomputed badness; the snapshot "
			     "differs from what the kernel saw",
			     a->victim_rank, a->n_candidates);
	} else if (a && k->killer_kind == OW_KILLER_KERNEL) {
		emit(t, "%s",
		     "     note: not among the recomputed candidates (snapshot incomplete?)");
	}
	if (k->flags & OW_KILL_VICTIM_EXITING)
		emit(t, "%s",
		     "     the victim was already exiting: the kernel queued it for the OOM reaper "
		     "without a SIGKILL");
	if (k->flags & OW_KILL_OOM_GROUP)
		emit(t, "%s",
		     "     memory.oom.group: the kernel killed the whole cgroup, this process with it");

	if (k->killer_kind == OW_KILLER_SIGNAL)
		render_killer(t, k, trigger);
	else
		render_trigger(t, k, trigger);
	render_also_killed(t, k);
	render_aftermath(t, k);
	render_kernel_report(t, k);
	render_kill_stack(t, inc, i, "kernel stack:", false);
	render_kill_stack(t, inc, i, "user stack:", true);
	if (k->partial || k->lost_events > 0)
		emit_hl(t, &hl_incomplete,
			"     snapshot INCOMPLETE (%llu ring-buffer records lost), %zu processes seen",
			(unsigned long long)k->lost_events, k->n_procs);
	if (k->flags & OW_KILL_FROM_KMSG)
		emit(t, "%s",
		     "     witnessed by /dev/kmsg alone: the kernel's task dump, without cgroups, "
		     "stacks or the memory split");
	else if (k->flags & OW_KILL_SNAPSHOT_SKIPPED)
		emit_hl(t, &hl_skipped,
			"     snapshot SKIPPED (signal kills past the rate limit): only the victim "
			"and the killer were read");
}

/* Processes of this kill worth naming though not in its ranking: the culprit, the shielded. */
static void render_unranked(struct text_out *t, const struct ow_kill *k,
			    const struct ow_kill_analysis *a, const struct ow_verdict *v)
{
	char comm[COMM_SIZE], mem[OW_BYTES_TEXT_LEN];
	char *list = NULL;
	size_t list_len = 0, n = 0;
	FILE *f;

	f = open_memstream(&list, &list_len);
	if (!f) {
		t->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i <= v->n_shielded; i++) {
		/* The culprit first, then the shielded. */
		int32_t pid = i == 0 ? v->culprit.pid : v->shielded_pids[i - 1];
		const struct ow_process *p;
		struct ow_badness b;
		int rank;

		if (i == 0 && (v->culprit.kind != OW_CULPRIT_PROCESS &&
			       v->culprit.kind != OW_CULPRIT_PROCESS_TREE))
			continue;
		if (i > 0 && pid == v->culprit.pid)
			continue;
		p = ow_kill_find_process(k, pid);
		if (!p)
			continue;
		b = ow_render_badness(k, a, p, &rank);
		if (rank > 0)
			continue;
		ow_format_bytes(mem, ow_process_memory_bytes(p));
		fprintf(f, "%s%s (pid %d, adj %d, %s, %s: %s)", n++ ? ", " : "",
			safe_comm(comm, sizeof(comm), p->comm), p->pid, p->oom_score_adj, mem,
			i == 0 ? "CULPRIT" : "shielded",
			b.eligibility == OW_ELIGIBLE ? "ranked lower"
						     : ow_eligibility_text(b.eligibility));
	}
	if (fclose(f) != 0) {
		free(list);
		t->err = -ENOMEM;
		return;
	}
	if (n > 0)
		emit_wrapped(t, "  not ranked: ", "              ", list);
	free(list);
}

static void render_ranking(struct text_out *t, const struct ow_kill *k, size_t i,
			   const struct ow_kill_analysis *a, const struct ow_verdict *v)
{
	char comm[COMM_SIZE + OW_COMM_LEN], rss[OW_BYTES_TEXT_LEN], swap[OW_BYTES_TEXT_LEN];

	emit(t, "%s", "");
	if (k->killer_kind == OW_KILLER_SIGNAL)
		emit(t,
		     "Ranking at kill #%zu (badness recomputed, though the kernel did not choose; "
		     "points in pages)",
		     i + 1);
	else
		emit(t, "Ranking at kill #%zu (badness recomputed; points in pages)", i + 1);
	emit(t, "  %-3s %-7s %-15s %5s %9s %9s %8s %8s %8s", "#", "pid", "comm", "adj", "rss",
	     "swap", "points", "memory", "adj part");
	for (size_t r = 0; r < a->n_ranked; r++) {
		const struct ow_ranked *row = &a->ranked[r];
		const struct ow_process *p;
		const char *mark = "";
		struct highlight hl = { .sgr = SGR_CULPRIT, .last = true };

		if (row->proc_index >= k->n_procs)
			continue;
		p = &k->procs[row->proc_index];
		bool culprit =
			p->pid == v->culprit.pid && (v->culprit.kind == OW_CULPRIT_PROCESS ||
						     v->culprit.kind == OW_CULPRIT_PROCESS_TREE);

		if (p->pid == k->victim_pid)
			mark = culprit ? " <- KILLED+CULPRIT" : " <- KILLED";
		else if (culprit)
			mark = " <- CULPRIT";
		else if (p->pid == k->trigger_pid)
			mark = k->killer_kind == OW_KILLER_SIGNAL ? " <- killer" : " <- trigger";
		/* The mark ends the row: its last occurrence is ours, not a comm's. */
		hl.token = p->pid == k->victim_pid || culprit ? mark + 1 : NULL;
		if (p->pid == k->victim_pid && !culprit)
			hl.sgr = SGR_KILLED;
		ow_format_bytes(rss, ow_process_rss_bytes(p));
		ow_format_bytes(swap, p->swap_bytes);
		emit_hl(t, hl.token ? &hl : NULL, "  %-3zu %-7d %s %5d %9s %9s %8lld %8lld %8lld%s",
			r + 1, p->pid,
			cell(comm, sizeof(comm), p->comm, OW_COMM_LEN, OW_COMM_LEN - 1),
			p->oom_score_adj, rss, swap, (long long)row->badness.points,
			(long long)row->badness.memory_points, (long long)row->badness.adj_points,
			mark);
	}
	if (a->n_ranked == 0)
		emit(t, "%s", "  (no eligible candidates in the snapshot)");
	if (a->n_candidates > a->n_ranked)
		emit(t, "  (+%zu more candidates)", a->n_candidates - a->n_ranked);
	render_unranked(t, k, a, v);
}

/* The sparkline of one series; values and present are scratch arrays of n_times. */
static const char *history_spark(char *buf, size_t size, const uint64_t *values,
				 const bool *present, size_t n, uint64_t scale_bytes)
{
	size_t cols = ow_sparkline(buf, size, values, present, n, scale_bytes, SPARK_COLS);
	size_t len = strlen(buf);

	/* Pad a short series so that the figures line up. */
	while (cols++ < SPARK_COLS && len + 1 < size)
		buf[len++] = ' ';
	buf[len] = '\0';
	return buf;
}

/* The time span: first and last sample, how far they reach around the kills. */
static void render_history_span(struct text_out *t, const struct ow_incident *inc)
{
	const struct ow_history *h = inc->history;
	uint64_t first = h->time_ns[0], last = h->time_ns[h->n_times - 1];
	char from[OW_TIME_STR_LEN], to[OW_TIME_STR_LEN], before[OW_DURATION_TEXT_LEN];
	char after[OW_DURATION_TEXT_LEN], asked[OW_DURATION_TEXT_LEN];

	if (ow_format_time_local(from, sizeof(from), first, OW_TIME_CLOCK))
		snprintf(from, sizeof(from), "?");
	if (ow_format_time_local(to, sizeof(to), last, OW_TIME_CLOCK))
		snprintf(to, sizeof(to), "?");
	ow_format_duration(before, inc->start_ns > first ? inc->start_ns - first : 0);
	ow_format_duration(after, last > inc->end_ns ? last - inc->end_ns : 0);
	emit(t, "Memory history: %s .. %s, %s before the first kill to %s after the last", from, to,
	     before, after);
	if (h->truncated)
		emit(t,
		     "  (truncated) only %s of the %s asked for before the first kill were recorded",
		     before, ow_format_duration(asked, h->window_ns));
}

static void render_history(struct text_out *t, const struct ow_incident *inc,
			   const struct ow_verdict *v)
{
	const struct ow_history *h = inc->history;
	struct ow_history_pick picks[HISTORY_PROCS];
	char spark[SPARK_COLS * OW_SPARK_COL_BYTES + 8], cellbuf[COMM_SIZE + 8];
	char every[OW_DURATION_TEXT_LEN], speed[OW_RATE_TEXT_LEN], figures[LINE_SIZE];
	char from[OW_BYTES_TEXT_LEN], to[OW_BYTES_TEXT_LEN], limit[OW_BYTES_TEXT_LEN];
	char scale_text[OW_BYTES_TEXT_LEN];
	const char *scale_what;
	ssize_t cg = ow_history_domain_cgroup(inc);
	ssize_t oom = ow_history_index_at(h, inc->start_ns);
	uint64_t *values, scale = inc->domain.limit_bytes, dom_from = 0, dom_to = 0, dom_limit = 0;
	bool *present, dom_any = false;
	size_t n_picks;

	if (t->err || h->n_times == 0)
		return;
	values = calloc(h->n_times, sizeof(*values));
	present = calloc(h->n_times, sizeof(*present));
	if (!values || !present) {
		t->err = -ENOMEM;
		goto out;
	}
	n_picks = ow_history_pick_top(inc, v, HISTORY_PROCS, picks);

	/* The domain's own series, for its line and for the scale. */
	for (size_t i = 0; i < h->n_times; i++) {
		uint64_t lim;

		present[i] = ow_history_domain_at(inc, cg, i, &values[i], &lim);
		if (!present[i])
			continue;
		if (!dom_any)
			dom_from = values[i];
		if ((ssize_t)i <= oom || !dom_any) {
			dom_to = values[i];
			dom_limit = lim;
		}
		dom_any = true;
	}
	scale_what = inc->domain.kind == OW_DOMAIN_MEMCG ? "the memcg limit" : "RAM";
	if (scale == 0 || scale == OW_LIMIT_NONE) {
		/* No limit to scale to: the largest value shown. */
		scale = 0;
		for (size_t i = 0; i < h->n_times; i++)
			if (present[i] && values[i] > scale)
				scale = values[i];
		for (size_t p = 0; p < n_picks; p++)
			if (picks[p].peak_bytes > scale)
				scale = picks[p].peak_bytes;
		scale_what = "the largest value shown";
	}

	render_history_span(t, inc);
	emit(t, "  %zu samples every %s; ▁..█ = 0 .. %s (%s), blank = not running", h->n_times,
	     ow_format_duration(every, h->interval_ns), ow_format_bytes(scale_text, scale),
	     scale_what);
	if (dom_any) {
		ow_format_bytes(from, dom_from);
		ow_format_bytes(to, dom_to);
		if (dom_limit == OW_LIMIT_NONE)
			snprintf(limit, sizeof(limit), "no limit");
		else
			ow_format_bytes(limit, dom_limit);
		emit(t, "  %-23s  %s  %s -> %s of %s",
		     inc->domain.kind == OW_DOMAIN_MEMCG ? "memcg usage" : "RAM in use",
		     history_spark(spark, sizeof(spark), values, present, h->n_times, scale), from,
		     to, limit);
	}
	for (size_t p = 0; p < n_picks && !t->err; p++) {
		const struct ow_history_process *proc = &h->procs[picks[p].proc_index];
		const struct ow_growth *g =
			picks[p].growth_row >= 0 ? &v->growth.rows[picks[p].growth_row] : NULL;

		for (size_t i = 0; i < h->n_times; i++) {
			present[i] = proc->samples[i].present;
			values[i] = present[i] ? ow_proc_sample_memory_bytes(&proc->samples[i]) : 0;
		}
		ow_format_bytes(from, picks[p].start_bytes);
		ow_format_bytes(to, picks[p].at_oom_bytes);
		if (g && g->pattern != OW_GROWTH_FLAT)
			snprintf(figures, sizeof(figures), "%s -> %s, %s %s", from, to,
				 ow_format_rate(speed, g->rate_bytes_per_s),
				 ow_growth_pattern_name(g->pattern));
		else if (g)
			snprintf(figures, sizeof(figures), "%s -> %s, %s", from, to,
				 ow_growth_pattern_name(g->pattern));
		else
			snprintf(figures, sizeof(figures), "%s -> %s", from, to);
		emit(t, "  %s %7d  %s  %s",
		     cell(cellbuf, sizeof(cellbuf), proc->comm, OW_COMM_LEN, OW_COMM_LEN - 1),
		     proc->pid,
		     history_spark(spark, sizeof(spark), values, present, h->n_times, scale),
		     figures);
	}
	emit(t, "%s", "");
out:
	free(values);
	free(present);
}

static int finish(struct text_out *t)
{
	if (t->err)
		return t->err;
	if (fflush(t->out) == EOF || ferror(t->out))
		return -EIO;
	return 0;
}

int ow_render_incident_text(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v)
{
	return ow_render_incident_text_styled(out, inc, v, NULL);
}

int ow_render_incident_text_styled(FILE *out, const struct ow_incident *inc,
				   const struct ow_verdict *v, const struct ow_text_style *style)
{
	struct text_out t = { .out = out, .color = style && style->color };

	if (!out || !inc)
		return -EINVAL;
	render_header(&t, inc, v);
	render_verdict(&t, inc, v);
	if (inc->history)
		render_history(&t, inc, v);

	emit(&t, "%s", "Kill chain");
	for (size_t i = 0; i < inc->n_kills; i++)
		render_kill(&t, inc, i, v && i < v->n_kills ? &v->kills[i] : NULL);
	if (inc->n_kills == 0)
		emit(&t, "%s", "  (no kills recorded)");

	for (size_t i = 0; v && i < inc->n_kills && i < v->n_kills; i++)
		render_ranking(&t, &inc->kills[i], i, &v->kills[i], v);
	return finish(&t);
}

static void culprit_cell(char *buf, size_t size, const struct ow_incident_summary *row)
{
	char comm[COMM_SIZE];
	const char *kind = row->culprit_kind ? row->culprit_kind : "none";
	bool tree = strcmp(kind, ow_culprit_kind_name(OW_CULPRIT_PROCESS_TREE)) == 0;

	if (tree || strcmp(kind, ow_culprit_kind_name(OW_CULPRIT_PROCESS)) == 0)
		snprintf(buf, size, "%s (pid %d)%s",
			 safe(comm, sizeof(comm), row->culprit_comm, OW_COMM_LEN, OW_COMM_LEN - 1),
			 row->culprit_pid, tree ? " tree" : "");
	else if (strcmp(kind, ow_culprit_kind_name(OW_CULPRIT_NONE)) == 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s", kind);
}

int ow_render_list_text(FILE *out, const struct ow_incident_summary *rows, size_t n)
{
	return ow_render_list_text_styled(out, rows, n, NULL);
}

int ow_render_list_text_styled(FILE *out, const struct ow_incident_summary *rows, size_t n,
			       const struct ow_text_style *style)
{
	static const char lost_note[] = "(! ring-buffer records were lost while recording: the "
					"incident may be incomplete)";
	static const char missed_note[] =
		"(! the recorder was down for OOM kills on the machine while the incident was open)";
	const struct highlight hl_lost = { lost_note, SGR_WARNING, false };
	const struct highlight hl_missed = { missed_note, SGR_WARNING, false };
	struct text_out t = { .out = out, .color = style && style->color };
	char domain[LINE_SIZE], domain_cell[LINE_SIZE], victims[LINE_SIZE], culprit[LINE_SIZE],
		culprit_cell_buf[LINE_SIZE], kills[32], start[OW_TIME_STR_LEN];
	bool any_lost = false, any_missed = false;

	if (!out || (n > 0 && !rows))
		return -EINVAL;
	if (n == 0) {
		emit(&t, "%s", "no incidents recorded");
		return finish(&t);
	}
	emit(&t, "%-6s  %-19s  %-22s  %-6s  %-24s  %s", "ID", "START", "DOMAIN", "KILLS", "CULPRIT",
	     "VICTIMS");
	for (size_t i = 0; i < n; i++) {
		const struct ow_incident_summary *row = &rows[i];
		size_t len = 0;

		if (ow_format_time_local(start, sizeof(start), row->start_ns,
					 OW_TIME_DATE | OW_TIME_CLOCK))
			snprintf(start, sizeof(start), "?");
		if (row->domain_kind == OW_DOMAIN_MEMCG)
			snprintf(domain, sizeof(domain), "memcg %s",
				 row->domain_cgroup ? row->domain_cgroup : "?");
		else
			snprintf(domain, sizeof(domain), "global");
		/* "!" marks an incident that may be incomplete: records lost, or kills missed. */
		snprintf(kills, sizeof(kills), "%zu%s", row->n_victims,
			 row->lost_events || row->missed_kills ? "!" : "");
		any_lost |= row->lost_events > 0;
		any_missed |= row->missed_kills > 0;
		victims[0] = '\0';
		for (size_t j = 0; j < row->n_victims && len + 16 < sizeof(victims); j++) {
			int r = snprintf(victims + len, sizeof(victims) - len, "%s%d", j ? "," : "",
					 row->victim_pids[j]);

			if (r < 0)
				break;
			len += (size_t)r;
		}
		culprit_cell(culprit, sizeof(culprit), row);
		/* The line is cut at OW_TEXT_COLS: a long victim list ends in "…". */
		emit(&t, "%-6lld  %-19s  %s  %-6s  %s  %s", (long long)row->id, start,
		     cell(domain_cell, sizeof(domain_cell), domain, SIZE_MAX, 22), kills,
		     cell(culprit_cell_buf, sizeof(culprit_cell_buf), culprit, SIZE_MAX, 24),
		     row->n_victims ? victims : "-");
	}
	if (any_lost)
		emit_hl(&t, &hl_lost, "%s", lost_note);
	if (any_missed)
		emit_hl(&t, &hl_missed, "%s", missed_note);
	return finish(&t);
}

int ow_render_missed_total_text_styled(FILE *out, uint64_t missed_total,
				       const struct ow_text_style *style)
{
	bool color = style && style->color;

	if (missed_total == 0)
		return 0;
	if (fprintf(out,
		    "\n%s%llu OOM %s on this machine happened while the recorder was not running: "
		    "not in this database%s\n",
		    color ? SGR_WARNING : "", (unsigned long long)missed_total,
		    missed_total == 1 ? "kill" : "kills", color ? SGR_RESET : "") < 0)
		return -EIO;
	return 0;
}

int ow_render_lost_total_text(FILE *out, uint64_t lost_total)
{
	return ow_render_lost_total_text_styled(out, lost_total, NULL);
}

int ow_render_lost_total_text_styled(FILE *out, uint64_t lost_total,
				     const struct ow_text_style *style)
{
	bool color = style && style->color;

	if (lost_total == 0)
		return 0;
	if (fprintf(out,
		    "\n%s%llu ring-buffer records lost since this database was created: kills may be "
		    "missing%s\n(raise 'oomwitness record --ringbuf-mib')\n",
		    color ? SGR_WARNING : "", (unsigned long long)lost_total,
		    color ? SGR_RESET : "") < 0)
		return -EIO;
	return 0;
}
