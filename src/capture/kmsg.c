/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /dev/kmsg records and the OOM killer's lines in them (see kmsg.h). Everything works on a
 * pointer and an end, never on a NUL: a record is not NUL-terminated, and a decoded text may
 * hold NULs ("\x00"). Numbers are checked for overflow; a field that does not parse is left
 * out (its bit in fields stays clear) rather than guessed.
 */
#include "capture/kmsg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define KIB 1024ULL
/* The summary line's keys are short ("mems_allowed"): a longer word is not one. */
#define OW_KMSG_KEY_MAX 32

static const char *const kind_names[] = {
	[OW_KMSG_OTHER] = "other",
	[OW_KMSG_OOM_INVOKED] = "oom-invoked",
	[OW_KMSG_OOM_SUMMARY] = "oom-summary",
	[OW_KMSG_OOM_KILLED] = "oom-killed",
	[OW_KMSG_OOM_REAPED] = "oom-reaped",
};

const char *ow_kmsg_kind_name(enum ow_kmsg_kind kind)
{
	if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "other";
	return kind_names[kind];
}

static bool starts_with(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* The first lit in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *lit)
{
	return memmem(p, (size_t)(end - p), lit, strlen(lit));
}

/* The last lit in [p, end), or NULL. */
static const char *find_last(const char *p, const char *end, const char *lit)
{
	const char *last = NULL, *q;

	while ((q = find(p, end, lit))) {
		last = q;
		p = q + 1;
	}
	return last;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decimal digits at p: returns the end of them, or NULL when there are none or too many. */
static const char *parse_u64(const char *p, const char *end, uint64_t *ret)
{
	const char *start = p;
	uint64_t v = 0;

	for (; p < end && is_digit(*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == start)
		return NULL;
	*ret = v;
	return p;
}

/* An optional '-' (when min < 0) and decimal digits, within [min, max]; as parse_u64(). */
static const char *parse_s64(const char *p, const char *end, int64_t min, int64_t max, int64_t *ret)
{
	bool neg = min < 0 && p < end && *p == '-';
	uint64_t mag;

	p = parse_u64(p + neg, end, &mag);
	if (!p)
		return NULL;
	if (neg) {
		/* |min|, without overflowing at INT64_MIN */
		uint64_t min_mag = (uint64_t)(-(min + 1)) + 1;

		if (mag > min_mag)
			return NULL;
		*ret = mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
	} else {
		if (max < 0 || mag > (uint64_t)max)
			return NULL;
		*ret = (int64_t)mag;
	}
	return p;
}

/* "0x1a2b" or "0" (printf's %#x of 0): returns the end, or NULL. */
static const char *parse_hex32(const char *p, const char *end, uint32_t *ret)
{
	const char *start;
	uint64_t v = 0;

	if (starts_with(p, end, "0x") || starts_with(p, end, "0X"))
		p += 2;
	start = p;
	for (; p < end && hex_value(*p) >= 0; p++) {
		v = v << 4 | (uint64_t)hex_value(*p);
		if (v > UINT32_MAX)
			return NULL;
	}
	if (p == start)
		return NULL;
	*ret = (uint32_t)v;
	return p;
}

/* Copies [s, s + len) into dst[cap] as a string, cut to fit. */
static void copy_str(char *dst, size_t cap, const char *s, size_t len)
{
	if (len > cap - 1)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Sets a field's bit; false when the line gave it already (then the first one counts). */
static bool claim(struct ow_kmsg_record *r, uint32_t field)
{
	if (r->fields & field)
		return false;
	r->fields |= field;
	return true;
}

/* "<key><digits>kB" somewhere in [p, end): the bytes, or false. */
static bool find_kb(const char *p, const char *end, const char *key, uint64_t *ret_bytes)
{
	const char *q = find(p, end, key);
	uint64_t kib;

	if (!q)
		return false;
	q = parse_u64(q + strlen(key), end, &kib);
	if (!q || !starts_with(q, end, "kB") || kib > UINT64_MAX / KIB)
		return false;
	*ret_bytes = kib * KIB;
	return true;
}

static void find_kb_field(struct ow_kmsg_record *r, const char *p, const char *end, const char *key,
			  uint32_t field, uint64_t *ret_bytes)
{
	if (find_kb(p, end, key, ret_bytes))
		r->fields |= field;
}

/* "<key><signed>" somewhere in [p, end), within [min, max]: false when absent or malformed. */
static bool find_s64(const char *p, const char *end, const char *key, int64_t min, int64_t max,
		     int64_t *ret)
{
	const char *q = find(p, end, key);

	return q && parse_s64(q + strlen(key), end, min, max, ret);
}

/* ---- oom-kill:constraint=...,task=...,pid=...,uid=... ---- */

static bool is_key_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || ch == '_';
}

static bool is_key_char(char ch)
{
	return is_key_start(ch) || is_digit(ch);
}

/* The length of the key at p ([a-z_][a-z0-9_]*, short), 0 when there is none. */
static size_t key_len(const char *p, const char *end)
{
	const char *q = p;

	if (q == end || !is_key_start(*q))
		return 0;
	while (q < end && is_key_char(*q))
		if (++q - p > OW_KMSG_KEY_MAX)
			return 0;
	return (size_t)(q - p);
}

/* Whether a field starts at p: "word=", or the bare "global_oom". */
static bool field_starts(const char *p, const char *end)
{
	size_t n = key_len(p, end);

	if (n == 0)
		return false;
	if (p + n < end && p[n] == '=')
		return true;
	return n == strlen("global_oom") && memcmp(p, "global_oom", n) == 0 &&
	       (p + n == end || p[n] == ',');
}

/* Where the value starting at p ends: at the ',' of the next field, or at end. */
static const char *value_end(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p == ',' && field_starts(p + 1, end))
			return p;
	return end;
}

static bool word_eq(const char *p, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(p, word, len) == 0;
}

static enum ow_kmsg_constraint constraint_from(const char *v, size_t len)
{
	if (word_eq(v, len, "CONSTRAINT_NONE"))
		return OW_KMSG_CONSTRAINT_NONE;
	if (word_eq(v, len, "CONSTRAINT_CPUSET"))
		return OW_KMSG_CONSTRAINT_CPUSET;
	if (word_eq(v, len, "CONSTRAINT_MEMORY_POLICY"))
		return OW_KMSG_CONSTRAINT_MEMORY_POLICY;
	if (word_eq(v, len, "CONSTRAINT_MEMCG"))
		return OW_KMSG_CONSTRAINT_MEMCG;
	return OW_KMSG_CONSTRAINT_UNKNOWN;
}

/* A whole value that is a number in [min, max]. */
static bool value_s64(const char *v, const char *vend, int64_t min, int64_t max, int64_t *ret)
{
	return parse_s64(v, vend, min, max, ret) == vend;
}

static void summary_field(struct ow_kmsg_record *r, const char *key, size_t klen, const char *v,
			  const char *vend)
{
	size_t vlen = (size_t)(vend - v);
	int64_t n;

	if (word_eq(key, klen, "constraint")) {
		enum ow_kmsg_constraint c = constraint_from(v, vlen);

		if (c != OW_KMSG_CONSTRAINT_UNKNOWN && claim(r, OW_KMSG_F_CONSTRAINT))
			r->constraint = c;
	} else if (word_eq(key, klen, "oom_memcg")) {
		if (claim(r, OW_KMSG_F_OOM_MEMCG)) {
			copy_str(r->oom_memcg, sizeof(r->oom_memcg), v, vlen);
			r->scope = OW_KMSG_SCOPE_MEMCG;
		}
	} else if (word_eq(key, klen, "task_memcg")) {
		if (claim(r, OW_KMSG_F_TASK_MEMCG))
			copy_str(r->task_memcg, sizeof(r->task_memcg), v, vlen);
	} else if (word_eq(key, klen, "cpuset")) {
		if (claim(r, OW_KMSG_F_CPUSET))
			copy_str(r->cpuset, sizeof(r->cpuset), v, vlen);
	} else if (word_eq(key, klen, "task")) {
		/* task, pid and uid end the line: the last ones are the kernel's. */
		copy_str(r->comm, sizeof(r->comm), v, vlen);
		r->fields |= OW_KMSG_F_COMM;
	} else if (word_eq(key, klen, "pid")) {
		if (value_s64(v, vend, 0, INT32_MAX, &n)) {
			r->pid = (int32_t)n;
			r->fields |= OW_KMSG_F_PID;
		}
	} else if (word_eq(key, klen, "uid")) {
		/* uid_t printed with %d: 4294967295 (no uid) reads -1. */
		if (value_s64(v, vend, INT32_MIN, UINT32_MAX, &n)) {
			r->uid = (uint32_t)n;
			r->fields |= OW_KMSG_F_UID;
		}
	}
}

static bool parse_summary(const char *p, const char *end, struct ow_kmsg_record *r)
{
	bool global_oom = false;

	while (p < end) {
		size_t klen = key_len(p, end);
		const char *v = p + klen, *vend;
		bool has_value = v < end && *v == '=';

		v += has_value;
		vend = value_end(v, end);
		if (has_value)
			summary_field(r, p, klen, v, vend);
		else if (word_eq(p, klen, "global_oom") && vend == v)
			global_oom = true;
		p = vend < end ? vend + 1 : end;
	}
	if (!r->fields)
		return false;
	if (r->scope == OW_KMSG_SCOPE_UNKNOWN) {
		/* A global OOM line, or a known constraint other than a memcg: the system's. */
		if (!global_oom && r->constraint == OW_KMSG_CONSTRAINT_MEMCG)
			r->scope = OW_KMSG_SCOPE_MEMCG;
		else if (global_oom || r->constraint != OW_KMSG_CONSTRAINT_UNKNOWN)
			r->scope = OW_KMSG_SCOPE_SYSTEM;
	}
	return true;
}

/* ---- "PID (COMM)" of the killed and reaped lines ---- */

/*
 * "PID (" at p, then the comm up to the last close in [p, end) (a comm may hold ')' and
 * spaces; what follows the real one is numbers). Returns where close starts, or NULL.
 */
static const char *parse_pid_comm(const char *p, const char *end, const char *close,
				  struct ow_kmsg_record *r)
{
	const char *comm, *q;
	uint64_t pid;

	p = parse_u64(p, end, &pid);
	if (!p || pid > INT32_MAX || !starts_with(p, end, " ("))
		return NULL;
	comm = p + 2;
	q = find_last(comm, end, close);
	if (!q)
		return NULL;
	r->pid = (int32_t)pid;
	copy_str(r->comm, sizeof(r->comm), comm, (size_t)(q - comm));
	r->fields |= OW_KMSG_F_PID | OW_KMSG_F_COMM;
	return q;
}

/* "[<message>: ]Killed process PID (COMM) total-vm:NkB, anon-rss:NkB, ..." */
static bool parse_killed(const char *text, const char *end, const char *killed,
			 struct ow_kmsg_record *r)
{
	const char *tail;
	int64_t n;

	if (killed > text) {
		/* The message: mem_cgroup_out_of_memory()'s, or out_of_memory()'s. */
		if (killed - text < 2 || memcmp(killed - 2, ": ", 2) != 0)
			return false;
		if (starts_with(text, killed, "Memory cgroup out of memory"))
			r->scope = OW_KMSG_SCOPE_MEMCG;
		else if (starts_with(text, killed, "Out of memory"))
			r->scope = OW_KMSG_SCOPE_SYSTEM;
	}
	tail = parse_pid_comm(killed + strlen("Killed process "), end, ") total-vm:", r);
	if (!tail)
		return false;
	tail += strlen(") ");
	find_kb_field(r, tail, end, "total-vm:", OW_KMSG_F_TOTAL_VM, &r->total_vm_bytes);
	find_kb_field(r, tail, end, "anon-rss:", OW_KMSG_F_ANON_RSS, &r->anon_rss_bytes);
	find_kb_field(r, tail, end, "file-rss:", OW_KMSG_F_FILE_RSS, &r->file_rss_bytes);
	find_kb_field(r, tail, end, "shmem-rss:", OW_KMSG_F_SHMEM_RSS, &r->shmem_rss_bytes);
	find_kb_field(r, tail, end, "pgtables:", OW_KMSG_F_PGTABLES, &r->pgtables_bytes);
	if (find_s64(tail, end, "UID:", 0, UINT32_MAX, &n)) {
		r->uid = (uint32_t)n;
		r->fields |= OW_KMSG_F_UID;
	}
	if (find_s64(tail, end, "oom_score_adj:", INT16_MIN, INT16_MAX, &n)) {
		r->oom_score_adj = (int32_t)n;
		r->fields |= OW_KMSG_F_OOM_SCORE_ADJ;
	}
	return true;
}

/* "oom_reaper: reaped process PID (COMM), now anon-rss:NkB, file-rss:NkB, shmem-rss:NkB" */
static bool parse_reaped(const char *p, const char *end, struct ow_kmsg_record *r)
{
	const char *tail = parse_pid_comm(p, end, "), now ", r);

	if (!tail)
		return false;
	find_kb_field(r, tail, end, "anon-rss:", OW_KMSG_F_ANON_RSS, &r->anon_rss_bytes);
	find_kb_field(r, tail, end, "file-rss:", OW_KMSG_F_FILE_RSS, &r->file_rss_bytes);
	find_kb_field(r, tail, end, "shmem-rss:", OW_KMSG_F_SHMEM_RSS, &r->shmem_rss_bytes);
	return true;
}

/* "COMM invoked oom-killer: gfp_mask=0x...(...), [nodemask=...,] order=N, oom_score_adj=N" */
static void parse_invoked(const char *text, const char *end, const char *marker,
			  struct ow_kmsg_record *r)
{
	const char *tail = marker + strlen(" invoked oom-killer: "), *q;
	int64_t n;

	copy_str(r->comm, sizeof(r->comm), text, (size_t)(marker - text));
	r->fields |= OW_KMSG_F_COMM;
	q = find(tail, end, "gfp_mask=");
	if (q && parse_hex32(q + strlen("gfp_mask="), end, &r->gfp_mask))
		r->fields |= OW_KMSG_F_GFP_MASK;
	if (find_s64(tail, end, "order=", INT32_MIN, INT32_MAX, &n)) {
		r->order = (int32_t)n;
		r->fields |= OW_KMSG_F_ORDER;
	}
	if (find_s64(tail, end, "oom_score_adj=", INT16_MIN, INT16_MAX, &n)) {
		r->oom_score_adj = (int32_t)n;
		r->fields |= OW_KMSG_F_OOM_SCORE_ADJ;
	}
}

static void clear_oom(struct ow_kmsg_record *r)
{
	memset(&r->kind, 0, sizeof(*r) - offsetof(struct ow_kmsg_record, kind));
}

enum ow_kmsg_kind ow_kmsg_parse_oom(const char *text, size_t len, struct ow_kmsg_record *ret)
{
	const char *end, *q;

	clear_oom(ret);
	if (!text || len == 0)
		return OW_KMSG_OTHER;
	end = text + len;
	if (starts_with(text, end, "oom-kill:")) {
		if (parse_summary(text + strlen("oom-kill:"), end, ret))
			ret->kind = OW_KMSG_OOM_SUMMARY;
	} else if (starts_with(text, end, "oom_reaper: reaped process ")) {
		if (parse_reaped(text + strlen("oom_reaper: reaped process "), end, ret))
			ret->kind = OW_KMSG_OOM_REAPED;
	} else if ((q = find(text, end, " invoked oom-killer: "))) {
		parse_invoked(text, end, q, ret);
		ret->kind = OW_KMSG_OOM_INVOKED;
	} else if ((q = find(text, end, "Killed process "))) {
		if (parse_killed(text, end, q, ret))
			ret->kind = OW_KMSG_OOM_KILLED;
	}
	if (ret->kind == OW_KMSG_OTHER)
		clear_oom(ret); /* no half-read line */
	return ret->kind;
}

/* ---- the record ---- */

/* Decodes the text [p, end) ("\xHH" escapes) into r->text. */
static void decode_text(const char *p, const char *end, struct ow_kmsg_record *r)
{
	while (p < end) {
		char ch = *p++;

		if (ch == '\\' && end - p >= 3 && p[0] == 'x' && hex_value(p[1]) >= 0 &&
		    hex_value(p[2]) >= 0) {
			ch = (char)(hex_value(p[1]) << 4 | hex_value(p[2]));
			p += 3;
		}
		if (r->text_len == sizeof(r->text) - 1) {
			r->text_truncated = true;
			break;
		}
		r->text[r->text_len++] = ch;
	}
	r->text[r->text_len] = '\0';
}

/* A " KEY=value" line [p, eol): KEY is at least one character without '=' or ' '. */
static bool prop_line_ok(const char *p, const char *eol)
{
	const char *eq;

	if (p == eol || *p != ' ')
		return false;
	eq = memchr(p + 1, '=', (size_t)(eol - p - 1));
	return eq && eq > p + 1 && !memchr(p + 1, ' ', (size_t)(eq - p - 1));
}

int ow_kmsg_parse(const char *buf, size_t len, struct ow_kmsg_record *ret)
{
	const char *p = buf, *end, *eol;
	uint64_t prio, usec;

	if (!buf || !ret)
		return -EINVAL;
	end = buf + len;
	memset(ret, 0, sizeof(*ret));

	/* <prio>,<seq>,<usec>,<flags>[,<more>];  */
	p = parse_u64(p, end, &prio);
	if (!p || prio > UINT32_MAX || !starts_with(p, end, ","))
		return -EINVAL;
	p = parse_u64(p + 1, end, &ret->seq);
	if (!p || !starts_with(p, end, ","))
		return -EINVAL;
	p = parse_u64(p + 1, end, &usec);
	if (!p || usec > UINT64_MAX / 1000 || !starts_with(p, end, ","))
		return -EINVAL;
	p++;
	if (p == end || (*p != '-' && *p != 'c' && *p != '+'))
		return -EINVAL;
	ret->prio = (uint32_t)prio;
	ret->time_ns = usec * 1000;
	ret->continued = *p++ == 'c';
	/* More fields (",caller=T123" with CONFIG_PRINTK_CALLER), up to the ';'. */
	if (p == end || (*p != ';' && *p != ','))
		return -EINVAL;
	while (p < end && *p != ';' && *p != '\n')
		p++;
	if (p == end || *p != ';')
		return -EINVAL;
	p++;

	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	decode_text(p, eol, ret);
	/* " KEY=value" lines, each ended by '\n' (the last one's may be cut off). */
	for (p = eol < end ? eol + 1 : end; p < end; ret->n_props++) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (!prop_line_ok(p, eol))
			return -EINVAL;
		p = eol < end ? eol + 1 : end;
	}
	(void)ow_kmsg_parse_oom(ret->text, ret->text_len, ret);
	return 0;
}
