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
	[OW_KMSG_OOM_CPU] = "oom-cpu",
	[OW_KMSG_OOM_MEMCG_USAGE] = "oom-memcg-usage",
	[OW_KMSG_OOM_MEMINFO] = "oom-meminfo",
	[OW_KMSG_OOM_RAM_PAGES] = "oom-ram-pages",
	[OW_KMSG_OOM_SWAP_TOTAL] = "oom-swap-total",
	[OW_KMSG_OOM_TASKS_STATE] = "oom-tasks-state",
	[OW_KMSG_OOM_TASKS_HEADER] = "oom-tasks-header",
	[OW_KMSG_OOM_TASK_ROW] = "oom-task",
	[OW_KMSG_OOM_GROUP] = "oom-group",
};

_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == OW_KMSG_KIND_NR,
	       "a kind without a name");

/* dump_tasks() of 6.8 and later (commit "mm: oom_kill: show rss_anon, rss_file, rss_shmem"). */
const struct ow_kmsg_task_layout ow_kmsg_layout_6_8 = {
	.n_cols = 10,
	.cols = { OW_KMSG_COL_UID, OW_KMSG_COL_TGID, OW_KMSG_COL_TOTAL_VM, OW_KMSG_COL_RSS,
		  OW_KMSG_COL_RSS_ANON, OW_KMSG_COL_RSS_FILE, OW_KMSG_COL_RSS_SHMEM,
		  OW_KMSG_COL_PGTABLES_BYTES, OW_KMSG_COL_SWAPENTS, OW_KMSG_COL_OOM_SCORE_ADJ },
};

/* 4.19 to 6.7: "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents ..." */
const struct ow_kmsg_task_layout ow_kmsg_layout_4_19 = {
	.n_cols = 7,
	.cols = { OW_KMSG_COL_UID, OW_KMSG_COL_TGID, OW_KMSG_COL_TOTAL_VM, OW_KMSG_COL_RSS,
		  OW_KMSG_COL_PGTABLES_BYTES, OW_KMSG_COL_SWAPENTS, OW_KMSG_COL_OOM_SCORE_ADJ },
};

/* The header's words for the columns. */
static const char *const col_names[OW_KMSG_COL_NR] = {
	[OW_KMSG_COL_UID] = "uid",
	[OW_KMSG_COL_TGID] = "tgid",
	[OW_KMSG_COL_TOTAL_VM] = "total_vm",
	[OW_KMSG_COL_RSS] = "rss",
	[OW_KMSG_COL_RSS_ANON] = "rss_anon",
	[OW_KMSG_COL_RSS_FILE] = "rss_file",
	[OW_KMSG_COL_RSS_SHMEM] = "rss_shmem",
	[OW_KMSG_COL_PGTABLES_BYTES] = "pgtables_bytes",
	[OW_KMSG_COL_SWAPENTS] = "swapents",
	[OW_KMSG_COL_OOM_SCORE_ADJ] = "oom_score_adj",
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

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* "<digits>kB" at p, in bytes: returns the end of it, or NULL. */
static const char *parse_kb(const char *p, const char *end, uint64_t *ret_bytes)
{
	uint64_t kib;

	p = parse_u64(p, end, &kib);
	if (!p || !starts_with(p, end, "kB") || kib > UINT64_MAX / KIB)
		return NULL;
	*ret_bytes = kib * KIB;
	return p + strlen("kB");
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

	return q && parse_kb(q + strlen(key), end, ret_bytes);
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

/* ---- the lines of dump_header() ---- */

/*
 * "CPU: N [UID: N ]PID: N Comm: COMM <taint> <release> #<version>[ <preempt>]" (lib/dump_stack.c;
 * UID came in 6.10). The comm is printed with %.20s and may hold spaces: it ends at the last
 * taint word ("Not tainted", "Tainted: ", "Kdump: loaded ") that leaves it at most 20 bytes
 * long, else at its first space.
 */
static bool parse_cpu(const char *p, const char *end, struct ow_kmsg_record *r)
{
	static const char *const after_comm[] = { " Not tainted", " Tainted: ", " Kdump: loaded " };
	const char *comm, *comm_end = NULL;
	uint64_t cpu;
	int64_t n;

	p = parse_u64(p + strlen("CPU: "), end, &cpu);
	if (!p)
		return false;
	if (starts_with(p, end, " UID: ")) {
		p = parse_s64(p + strlen(" UID: "), end, 0, UINT32_MAX, &n);
		if (!p)
			return false;
		r->uid = (uint32_t)n;
		r->fields |= OW_KMSG_F_UID;
	}
	if (!starts_with(p, end, " PID: "))
		return false;
	p = parse_s64(p + strlen(" PID: "), end, 0, INT32_MAX, &n);
	if (!p || !starts_with(p, end, " Comm: "))
		return false;
	r->pid = (int32_t)n;
	comm = p + strlen(" Comm: ");
	for (size_t i = 0; i < sizeof(after_comm) / sizeof(after_comm[0]); i++) {
		size_t mlen = strlen(after_comm[i]);
		const char *lim = (size_t)(end - comm) > 20 + mlen ? comm + 20 + mlen : end;

		for (const char *q = comm; (q = find(q, lim, after_comm[i])); q++)
			if (!comm_end || q > comm_end)
				comm_end = q;
	}
	if (!comm_end) {
		comm_end = memchr(comm, ' ', (size_t)(end - comm));
		if (!comm_end)
			comm_end = end;
	}
	copy_str(r->comm, sizeof(r->comm), comm, (size_t)(comm_end - comm));
	r->fields |= OW_KMSG_F_PID | OW_KMSG_F_COMM;
	return true;
}

/* "memory: usage NkB, limit NkB, failcnt N" and its memory+swap:, swap: and kmem: lines. */
static bool parse_counter(const char *p, const char *end, struct ow_kmsg_record *r)
{
	static const struct {
		const char *prefix;
		enum ow_kmsg_counter counter;
	} counters[] = {
		{ "memory: usage ", OW_KMSG_COUNTER_MEMORY },
		{ "memory+swap: usage ", OW_KMSG_COUNTER_MEMSW },
		{ "swap: usage ", OW_KMSG_COUNTER_SWAP },
		{ "kmem: usage ", OW_KMSG_COUNTER_KMEM },
	};
	size_t i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (starts_with(p, end, counters[i].prefix))
			break;
	if (i == sizeof(counters) / sizeof(counters[0]))
		return false;
	p = parse_kb(p + strlen(counters[i].prefix), end, &r->usage_bytes);
	if (!p || !starts_with(p, end, ", limit "))
		return false;
	p = parse_kb(p + strlen(", limit "), end, &r->limit_bytes);
	if (!p || !starts_with(p, end, ", failcnt "))
		return false;
	p = parse_u64(p + strlen(", failcnt "), end, &r->failcnt);
	if (!p || skip_spaces(p, end) != end)
		return false;
	r->counter = counters[i].counter;
	r->fields |= OW_KMSG_F_USAGE | OW_KMSG_F_LIMIT | OW_KMSG_F_FAILCNT;
	return true;
}

/* show_mem()'s "active_anon:N ...\n free:N free_pcp:N ...": the free pages. */
static bool parse_meminfo(const char *text, const char *end, struct ow_kmsg_record *r)
{
	for (const char *q = text; (q = find(q, end, "free:")); q++) {
		if (q == text || (q[-1] != ' ' && q[-1] != '\n'))
			continue; /* free_pcp:, free_cma: come after; nr_free: is not it */
		if (!parse_u64(q + strlen("free:"), end, &r->pages))
			return false;
		r->fields |= OW_KMSG_F_PAGES;
		return true;
	}
	return false;
}

/* "N pages RAM" */
static bool parse_ram_pages(const char *p, const char *end, struct ow_kmsg_record *r)
{
	p = parse_u64(p, end, &r->pages);
	if (!p || !starts_with(p, end, " pages RAM") ||
	    skip_spaces(p + strlen(" pages RAM"), end) != end)
		return false;
	r->fields |= OW_KMSG_F_PAGES;
	return true;
}

/* "Total swap = NkB" */
static bool parse_swap_total(const char *p, const char *end, struct ow_kmsg_record *r)
{
	p = parse_kb(p + strlen("Total swap = "), end, &r->limit_bytes);
	if (!p || skip_spaces(p, end) != end)
		return false;
	r->fields |= OW_KMSG_F_LIMIT;
	return true;
}

/* "Tasks in <cgroup> are going to be killed due to memory.oom.group set" */
static bool parse_group(const char *text, const char *end, struct ow_kmsg_record *r)
{
	static const char suffix[] = " are going to be killed due to memory.oom.group set";
	const char *path = text + strlen("Tasks in ");
	const char *q;

	while (end > path && end[-1] == ' ')
		end--;
	if ((size_t)(end - path) < strlen(suffix))
		return false;
	q = end - strlen(suffix);
	if (memcmp(q, suffix, strlen(suffix)) != 0 || q == path)
		return false;
	copy_str(r->oom_memcg, sizeof(r->oom_memcg), path, (size_t)(q - path));
	r->scope = OW_KMSG_SCOPE_MEMCG;
	r->fields |= OW_KMSG_F_OOM_MEMCG;
	return true;
}

/* ---- dump_tasks() ---- */

static enum ow_kmsg_task_col col_from(const char *w, size_t len)
{
	for (size_t c = 1; c < OW_KMSG_COL_NR; c++)
		if (word_eq(w, len, col_names[c]))
			return (enum ow_kmsg_task_col)c;
	return OW_KMSG_COL_UNKNOWN;
}

/* "[  pid  ]   uid  tgid ... name": the columns between pid and name, one known at least. */
static bool parse_tasks_header(const char *p, const char *end, struct ow_kmsg_record *r)
{
	struct ow_kmsg_task_layout *l = &r->layout;
	bool known = false;

	p = skip_spaces(p + 1, end);
	if (!starts_with(p, end, "pid"))
		return false;
	p = skip_spaces(p + strlen("pid"), end);
	if (!starts_with(p, end, "]"))
		return false;
	for (p++;;) {
		const char *w;
		size_t n;
		enum ow_kmsg_task_col col;

		if (p == end || *p != ' ')
			return false;
		w = skip_spaces(p, end);
		n = key_len(w, end);
		if (n == 0)
			return false;
		p = w + n;
		if (word_eq(w, n, "name"))
			return known && skip_spaces(p, end) == end;
		if (l->n_cols == OW_KMSG_TASK_COLS_MAX)
			return false;
		col = col_from(w, n);
		known |= col != OW_KMSG_COL_UNKNOWN;
		l->cols[l->n_cols++] = (uint8_t)col;
	}
}

/* One column's number at p into *t: returns its end, or NULL. */
static const char *task_value(const char *p, const char *end, enum ow_kmsg_task_col col,
			      struct ow_kmsg_task *t)
{
	uint64_t *pages = NULL;
	int64_t n;

	switch (col) {
	case OW_KMSG_COL_UID:
		/* uid_t printed with %5d: 4294967295 (no uid) reads -1 */
		p = parse_s64(p, end, INT32_MIN, UINT32_MAX, &n);
		if (p)
			t->uid = (uint32_t)n;
		break;
	case OW_KMSG_COL_TGID:
		p = parse_s64(p, end, 0, INT32_MAX, &n);
		if (p)
			t->tgid = (int32_t)n;
		break;
	case OW_KMSG_COL_PGTABLES_BYTES:
		/* %8ld of a counter that is never negative but for a race: floored at 0 */
		p = parse_s64(p, end, INT64_MIN, INT64_MAX, &n);
		if (p)
			t->pgtables_bytes = n > 0 ? (uint64_t)n : 0;
		break;
	case OW_KMSG_COL_OOM_SCORE_ADJ:
		p = parse_s64(p, end, INT16_MIN, INT16_MAX, &n);
		if (p)
			t->oom_score_adj = (int32_t)n;
		break;
	case OW_KMSG_COL_TOTAL_VM:
		pages = &t->total_vm_pages;
		break;
	case OW_KMSG_COL_RSS:
		pages = &t->rss_pages;
		break;
	case OW_KMSG_COL_RSS_ANON:
		pages = &t->rss_anon_pages;
		break;
	case OW_KMSG_COL_RSS_FILE:
		pages = &t->rss_file_pages;
		break;
	case OW_KMSG_COL_RSS_SHMEM:
		pages = &t->rss_shmem_pages;
		break;
	case OW_KMSG_COL_SWAPENTS:
		pages = &t->swapents_pages;
		break;
	default:
		/* a column not known: any number, skipped */
		return parse_s64(p, end, INT64_MIN, INT64_MAX, &n);
	}
	if (pages)
		p = parse_u64(p, end, pages);
	if (p)
		t->cols |= 1u << col;
	return p;
}

int ow_kmsg_parse_task_row(const char *text, size_t len, const struct ow_kmsg_task_layout *layout,
			   struct ow_kmsg_task *ret)
{
	const char *p = text, *end;
	int64_t pid;

	if (!text || !layout || !ret || layout->n_cols > OW_KMSG_TASK_COLS_MAX)
		return -EINVAL;
	end = text + len;
	memset(ret, 0, sizeof(*ret));
	if (!starts_with(p, end, "["))
		return -EINVAL;
	p = parse_s64(skip_spaces(p + 1, end), end, 0, INT32_MAX, &pid);
	if (!p || !starts_with(p, end, "]"))
		return -EINVAL;
	ret->pid = ret->tgid = (int32_t)pid;
	p++;
	for (size_t i = 0; i < layout->n_cols; i++) {
		if (p == end || *p != ' ')
			return -EINVAL;
		p = task_value(skip_spaces(p, end), end, (enum ow_kmsg_task_col)layout->cols[i],
			       ret);
		if (!p)
			return -EINVAL;
	}
	/* "%5hd %s": one space, then the comm, which may hold anything (or be empty) */
	if (p == end || *p != ' ')
		return -EINVAL;
	p++;
	copy_str(ret->comm, sizeof(ret->comm), p, (size_t)(end - p));
	return 0;
}

/* A row read without its header: with the columns of 6.8+, else with those of 4.19-6.7. */
static bool parse_task_row_guess(const char *text, const char *end, struct ow_kmsg_record *r)
{
	const struct ow_kmsg_task_layout *const guesses[] = { &ow_kmsg_layout_6_8,
							      &ow_kmsg_layout_4_19 };

	for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++) {
		if (ow_kmsg_parse_task_row(text, (size_t)(end - text), guesses[i], &r->task) == 0) {
			r->layout = *guesses[i];
			return true;
		}
	}
	memset(&r->task, 0, sizeof(r->task));
	return false;
}

/* The lines that start in a fixed way, each read whole. */
static enum ow_kmsg_kind parse_fixed(const char *text, const char *end, struct ow_kmsg_record *r)
{
	if (starts_with(text, end, "CPU: "))
		return parse_cpu(text, end, r) ? OW_KMSG_OOM_CPU : OW_KMSG_OTHER;
	if (starts_with(text, end, "["))
		return parse_tasks_header(text, end, r)	    ? OW_KMSG_OOM_TASKS_HEADER
		       : parse_task_row_guess(text, end, r) ? OW_KMSG_OOM_TASK_ROW
							    : OW_KMSG_OTHER;
	if (starts_with(text, end, "Tasks state (memory values in pages):"))
		return skip_spaces(text + strlen("Tasks state (memory values in pages):"), end) ==
				       end
			       ? OW_KMSG_OOM_TASKS_STATE
			       : OW_KMSG_OTHER;
	if (starts_with(text, end, "Tasks in "))
		return parse_group(text, end, r) ? OW_KMSG_OOM_GROUP : OW_KMSG_OTHER;
	if (starts_with(text, end, "active_anon:"))
		return parse_meminfo(text, end, r) ? OW_KMSG_OOM_MEMINFO : OW_KMSG_OTHER;
	if (starts_with(text, end, "Total swap = "))
		return parse_swap_total(text, end, r) ? OW_KMSG_OOM_SWAP_TOTAL : OW_KMSG_OTHER;
	if (is_digit(*text))
		return parse_ram_pages(text, end, r) ? OW_KMSG_OOM_RAM_PAGES : OW_KMSG_OTHER;
	return parse_counter(text, end, r) ? OW_KMSG_OOM_MEMCG_USAGE : OW_KMSG_OTHER;
}

static void clear_oom(struct ow_kmsg_record *r)
{
	memset(&r->kind, 0, sizeof(*r) - offsetof(struct ow_kmsg_record, kind));
}

/* The OOM killer's own lines: the summary, the reaper's, and the two that name a comm first. */
static enum ow_kmsg_kind parse_kill_lines(const char *text, const char *end,
					  struct ow_kmsg_record *r)
{
	const char *q;

	if (starts_with(text, end, "oom-kill:"))
		return parse_summary(text + strlen("oom-kill:"), end, r) ? OW_KMSG_OOM_SUMMARY
									 : OW_KMSG_OTHER;
	if (starts_with(text, end, "oom_reaper: reaped process "))
		return parse_reaped(text + strlen("oom_reaper: reaped process "), end, r)
			       ? OW_KMSG_OOM_REAPED
			       : OW_KMSG_OTHER;
	if ((q = find(text, end, " invoked oom-killer: "))) {
		parse_invoked(text, end, q, r);
		return OW_KMSG_OOM_INVOKED;
	}
	if ((q = find(text, end, "Killed process ")))
		return parse_killed(text, end, q, r) ? OW_KMSG_OOM_KILLED : OW_KMSG_OTHER;
	return OW_KMSG_OTHER;
}

enum ow_kmsg_kind ow_kmsg_parse_oom(const char *text, size_t len, struct ow_kmsg_record *ret)
{
	const char *end;
	enum ow_kmsg_kind kind;

	clear_oom(ret);
	if (!text || len == 0)
		return OW_KMSG_OTHER;
	end = text + len;
	kind = parse_fixed(text, end, ret);
	if (kind == OW_KMSG_OTHER) {
		clear_oom(ret);
		kind = parse_kill_lines(text, end, ret);
	}
	if (kind == OW_KMSG_OTHER)
		clear_oom(ret); /* no half-read line */
	ret->kind = kind;
	return kind;
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
	while (p < end && *p == ',') {
		uint64_t tid;
		const char *q;

		p++;
		if (starts_with(p, end, "caller=T")) {
			q = parse_u64(p + strlen("caller=T"), end, &tid);
			if (q && tid <= INT32_MAX && q < end && (*q == ',' || *q == ';'))
				ret->caller_tid = (int32_t)tid;
		}
		while (p < end && *p != ',' && *p != ';' && *p != '\n')
			p++;
	}
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
