/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Formatting helpers shared by the renderers (format.h): times, and sanitizing strings that
 * come from processes. A comm or a command line is chosen by whoever started the process, so
 * it may hold escape sequences, newlines, markup or bytes that are not UTF-8; nothing of it
 * reaches a terminal, a JSON encoder or an HTML page without passing through here. Also the
 * lookups the renderers share: the badness of a process at a kill, a process of the incident by
 * pid, whether the data was partial, and the few figures of a kill the renderers derive alike
 * (shared memory no process maps, how the snapshot was taken).
 */
#include "output/format.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/aggregate.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull

int ow_format_time_rfc3339(char *buf, size_t size, uint64_t time_ns)
{
	time_t sec = (time_t)(time_ns / NSEC_PER_SEC);
	unsigned int ms = (unsigned int)(time_ns % NSEC_PER_SEC / NSEC_PER_MSEC);
	struct tm tm;
	size_t n;
	int r;

	if (!gmtime_r(&sec, &tm))
		return -EOVERFLOW;
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return -EOVERFLOW;
	r = snprintf(buf + n, size - n, ".%03uZ", ms);
	if (r < 0 || (size_t)r >= size - n)
		return -EOVERFLOW;
	return 0;
}

int ow_format_time_local(char *buf, size_t size, uint64_t time_ns, unsigned int parts)
{
	time_t sec = (time_t)(time_ns / NSEC_PER_SEC);
	unsigned int ms = (unsigned int)(time_ns % NSEC_PER_SEC / NSEC_PER_MSEC);
	struct tm tm;
	size_t n;
	int r;

	if (size == 0 || !localtime_r(&sec, &tm))
		return -EOVERFLOW;
	if ((parts & OW_TIME_DATE) && (parts & OW_TIME_CLOCK))
		n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	else if (parts & OW_TIME_DATE)
		n = strftime(buf, size, "%Y-%m-%d", &tm);
	else
		n = strftime(buf, size, "%H:%M:%S", &tm);
	if (n == 0)
		return -EOVERFLOW;
	if ((parts & OW_TIME_CLOCK) && (parts & OW_TIME_MILLIS)) {
		r = snprintf(buf + n, size - n, ".%03u", ms);
		if (r < 0 || (size_t)r >= size - n)
			return -EOVERFLOW;
	}
	return 0;
}

/*
 * Decodes the UTF-8 sequence at s (avail bytes, avail >= 1). Returns its length and stores the
 * code point when it is well formed; otherwise returns minus the length of its maximal ill-formed
 * subpart (at least 1), which is replaced as a whole. Rejects overlong forms, surrogates and code
 * points past U+10FFFF, as Unicode's table 3-7 does.
 */
static int utf8_next(const unsigned char *s, size_t avail, uint32_t *ret_cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	uint32_t cp;
	int need;

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return -1;
	}
	for (int i = 1; i <= need; i++) {
		if ((size_t)i >= avail || s[i] < lo || s[i] > hi)
			return -i;
		cp = cp << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*ret_cp = cp;
	return need + 1;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Bytes of src up to len or the first NUL. */
static size_t bounded_len(const char *src, size_t len)
{
	return strnlen(src, len);
}

/*
 * The first len bytes of src (stopping early at a NUL) as valid UTF-8: each well-formed code
 * point written by unit(), each ill-formed sequence replaced by U+FFFD. max_out (3 or more, for
 * U+FFFD) bounds what unit() writes per byte of input. malloc'd; NULL when out of memory.
 */
static char *utf8_rewrite(const char *src, size_t len, size_t max_out,
			  size_t (*unit)(uint32_t cp, char *out))
{
	const unsigned char *s = (const unsigned char *)src;
	char *dst, *p;
	size_t i = 0;

	len = bounded_len(src, len);
	if (len > (SIZE_MAX - 1) / max_out)
		return NULL;
	dst = malloc(len * max_out + 1);
	if (!dst)
		return NULL;
	p = dst;
	while (i < len) {
		uint32_t cp;
		int n = utf8_next(s + i, len - i, &cp);

		if (n > 0) {
			p += unit(cp, p);
			i += (size_t)n;
		} else {
			p += utf8_encode(0xfffd, p);
			i += (size_t)-n;
		}
	}
	*p = '\0';
	return dst;
}

char *ow_utf8_sanitize(const char *src, size_t len)
{
	/*
	 * A well-formed code point encodes back to its own bytes (utf8_next() refuses overlong
	 * forms). Worst case: every byte an ill-formed subpart of its own, 3 bytes of U+FFFD each.
	 */
	return utf8_rewrite(src, len, 3, utf8_encode);
}

/* Code points a terminal must not receive from a process: controls and invisible formatting. */
static bool text_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb);
}

/*
 * The next unit of a string for the terminal: one code point, or '?' for something unsafe.
 * Stores its bytes in out (4 bytes of room) and returns how many input bytes it used.
 */
static size_t text_next(const unsigned char *s, size_t avail, char *out, size_t *ret_out_len)
{
	uint32_t cp;
	int n = utf8_next(s, avail, &cp);

	if (n < 0) {
		out[0] = '?';
		*ret_out_len = 1;
		return (size_t)-n;
	}
	if (text_unsafe(cp)) {
		out[0] = '?';
		*ret_out_len = 1;
	} else {
		memcpy(out, s, (size_t)n);
		*ret_out_len = (size_t)n;
	}
	return (size_t)n;
}

size_t ow_text_sanitize(char *dst, size_t size, const char *src, size_t len, size_t max_cols)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	const size_t ellipsis_len = sizeof(ellipsis) - 1;
	const unsigned char *s = (const unsigned char *)src;
	size_t total = 0, limit, cols = 0, pos = 0, i;
	char unit[4];
	size_t unit_len;
	bool cut;

	if (size == 0)
		return 0;
	len = bounded_len(src, len);
	for (i = 0; i < len; total++)
		i += text_next(s + i, len - i, unit, &unit_len);
	cut = total > max_cols;
	limit = cut ? (max_cols ? max_cols - 1 : 0) : total;

	for (i = 0; i < len && cols < limit; cols++) {
		size_t used = text_next(s + i, len - i, unit, &unit_len);
		/*
		 * Anything after this unit may still need the ellipsis: keep room for it, unless
		 * dst could never hold it anyway.
		 */
		size_t reserve = cols + 1 < total && size > ellipsis_len + 1 ? ellipsis_len : 0;

		if (pos + unit_len + reserve + 1 > size) {
			cut = true;
			break;
		}
		memcpy(dst + pos, unit, unit_len);
		pos += unit_len;
		i += used;
	}
	if (cut && max_cols > 0 && pos + ellipsis_len + 1 <= size) {
		memcpy(dst + pos, ellipsis, ellipsis_len);
		pos += ellipsis_len;
		cols++;
	}
	dst[pos] = '\0';
	return cols;
}

/* Appends a character reference or a code point for ow_html_escape(); returns bytes written. */
static size_t html_unit(uint32_t cp, char *out)
{
	static const struct {
		char c;
		const char *ref;
	} refs[] = {
		{ '&', "&amp;" },  { '<', "&lt;" },   { '>', "&gt;" },
		{ '"', "&quot;" }, { '\'', "&#39;" },
	};

	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		if (cp == (uint32_t)refs[i].c) {
			size_t n = strlen(refs[i].ref);

			memcpy(out, refs[i].ref, n);
			return n;
		}
	}
	if (cp < 0x20)
		return utf8_encode(0x2400 + cp, out); /* Control Pictures: U+240A for "\n" */
	if (cp == 0x7f)
		return utf8_encode(0x2421, out);
	if (text_unsafe(cp))
		return utf8_encode(0xfffd, out);
	return utf8_encode(cp, out);
}

char *ow_html_escape(const char *src, size_t len)
{
	/* Worst case: "&quot;", 6 bytes for one byte of input. */
	return utf8_rewrite(src, len, 6, html_unit);
}

size_t ow_utf8_columns(const char *s)
{
	size_t len = strlen(s), i = 0, cols = 0;

	while (i < len) {
		uint32_t cp;
		int n = utf8_next((const unsigned char *)s + i, len - i, &cp);

		i += n > 0 ? (size_t)n : (size_t)-n;
		cols++;
	}
	return cols;
}

struct ow_badness ow_render_badness(const struct ow_kill *k, const struct ow_kill_analysis *a,
				    const struct ow_process *p, int *ret_rank)
{
	size_t index = (size_t)(p - k->procs);

	*ret_rank = 0;
	for (size_t i = 0; a && i < a->n_ranked; i++) {
		if (a->ranked[i].proc_index == index) {
			*ret_rank = (int)i + 1;
			return a->ranked[i].badness;
		}
	}
	return ow_badness_compute(p, k->domain.total_bytes, OW_BADNESS_PAGE_SIZE);
}

const struct ow_process *ow_render_find_process(const struct ow_incident *inc, int32_t pid)
{
	for (size_t i = 0; i < inc->n_kills; i++) {
		const struct ow_process *p = ow_kill_find_process(&inc->kills[i], pid);

		if (p)
			return p;
	}
	return NULL;
}

bool ow_render_partial(const struct ow_incident *inc, const struct ow_verdict *v)
{
	return v ? v->partial : ow_verdict_partial(inc);
}

const char *ow_format_ms(char buf[OW_MS_TEXT_LEN], uint64_t ns)
{
	char longer[OW_DURATION_TEXT_LEN];

	if (ns < NSEC_PER_MSEC)
		snprintf(buf, OW_MS_TEXT_LEN, "%.1f ms", (double)ns / (double)NSEC_PER_MSEC);
	else if (ns < 10 * NSEC_PER_SEC)
		snprintf(buf, OW_MS_TEXT_LEN, "%llu ms",
			 (unsigned long long)((ns + NSEC_PER_MSEC / 2) / NSEC_PER_MSEC));
	else
		snprintf(buf, OW_MS_TEXT_LEN, "%s", ow_format_duration(longer, ns));
	return buf;
}

uint64_t ow_render_unmapped_shmem_bytes(const struct ow_kill *k)
{
	uint64_t mapped = 0;

	if (!k->unowned.known)
		return 0;
	for (size_t i = 0; i < k->n_procs && mapped < k->unowned.shmem_bytes; i++) {
		/* As the verdict sums it: an address space another process counts adds nothing. */
		uint64_t shmem = ow_process_own_shmem_bytes(k, &k->procs[i]);

		if (!(k->procs[i].flags & OW_PROC_IN_DOMAIN))
			continue;
		/* Saturating: a corrupt database can hold any number. */
		mapped = shmem > UINT64_MAX - mapped ? UINT64_MAX : mapped + shmem;
	}
	return mapped < k->unowned.shmem_bytes ? k->unowned.shmem_bytes - mapped : 0;
}

const char *ow_render_snapshot_kind(const struct ow_kill *k)
{
	if (k->flags & OW_KILL_FROM_KMSG)
		return "kmsg";
	if (k->flags & OW_KILL_SNAPSHOT_SKIPPED)
		return "skipped";
	return "full";
}

const char *ow_render_adj_change(char buf[OW_SENTENCE_LEN], const struct ow_adj_change *c,
				 uint64_t ref_ns)
{
	char when[OW_TIME_STR_LEN], day[OW_TIME_STR_LEN], ref_day[OW_TIME_STR_LEN], old[24];
	unsigned int parts = OW_TIME_CLOCK;
	int comm_len = (int)strnlen(c->by_comm, OW_COMM_LEN);

	if (ow_format_time_local(day, sizeof(day), c->time_ns, OW_TIME_DATE) ||
	    ow_format_time_local(ref_day, sizeof(ref_day), ref_ns, OW_TIME_DATE) ||
	    strcmp(day, ref_day) != 0)
		parts |= OW_TIME_DATE;
	if (c->time_ns == 0 || ow_format_time_local(when, sizeof(when), c->time_ns, parts))
		snprintf(when, sizeof(when), "?");
	if (c->inherited) {
		snprintf(buf, OW_SENTENCE_LEN,
			 "oom_score_adj %d inherited from pid %d (%.*s) at fork, %s", c->new_adj,
			 c->by_pid, comm_len ? comm_len : 1, comm_len ? c->by_comm : "?", when);
		return buf;
	}
	old[0] = '\0';
	if (c->old_adj != OW_ADJ_UNKNOWN)
		snprintf(old, sizeof(old), ", was %d", c->old_adj);
	snprintf(buf, OW_SENTENCE_LEN, "oom_score_adj set to %d by pid %d (%.*s) at %s%s",
		 c->new_adj, c->by_pid, comm_len ? comm_len : 1, comm_len ? c->by_comm : "?", when,
		 old);
	return buf;
}

const char *ow_render_aftermath(char buf[OW_SENTENCE_LEN], const struct ow_kill *k)
{
	const struct ow_kill_aftermath *a = &k->after;
	char reaper[128], exited[64], span[OW_MS_TEXT_LEN], freed[OW_BYTES_TEXT_LEN];
	int64_t to_exit_ns;

	reaper[0] = exited[0] = '\0';
	if (a->reap_start_ns && a->reap_end_ns && a->reap_end_ns >= a->reap_start_ns)
		snprintf(reaper, sizeof(reaper), "reaped by the OOM reaper in %s%s%s%s",
			 ow_format_ms(span, a->reap_end_ns - a->reap_start_ns),
			 a->reaped_bytes ? ": " : "",
			 a->reaped_bytes ? ow_format_bytes(freed, a->reaped_bytes) : "",
			 a->reaped_bytes ? " freed" : "");
	else if (a->reap_start_ns)
		snprintf(reaper, sizeof(reaper),
			 "the OOM reaper started on it, not seen finishing");
	else if (a->reap_end_ns)
		snprintf(reaper, sizeof(reaper), "reaped by the OOM reaper");
	to_exit_ns = ow_kill_to_exit_ns(k);
	if (to_exit_ns == 0 && a->exit_ns < k->time_ns)
		snprintf(exited, sizeof(exited), "exited at the kill"); /* stamped just before it */
	else if (to_exit_ns >= 0)
		snprintf(exited, sizeof(exited), "exited %s after the kill",
			 ow_format_ms(span, (uint64_t)to_exit_ns));
	else if (a->exit_ns)
		snprintf(exited, sizeof(exited), "exited");
	snprintf(buf, OW_SENTENCE_LEN, "%s%s%s", reaper, reaper[0] && exited[0] ? "; " : "",
		 exited);
	return buf;
}
