/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the output layer (src/output): formatting helpers, the text and JSON renderers
 * of `show` and `list`. The incident and its verdict are built by hand here (the seed story: a
 * memory hog at adj 0 fills a memcg, the kernel kills two small processes at adj 1000, and a
 * big process at adj -1000 is out of reach), so these tests do not depend on the verdict rules.
 * Output goes to memory streams and is checked by parsing it back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/units.h"
#include "output/format.h"
#include "output/render.h"

#include "fixtures.h"
#include "render_checks.h"

#define MiB (1024ull * 1024)
#define KiB 1024ull
#define PAGE 4096ull
/* 2026-11-25T19:04:05.123Z */
#define T0_NS (1795633445ull * 1000000000ull + 123000000ull)

/* ---- building a synthetic incident ---- */

/* A process of the kill's memcg, of uid 1000, with 8 KiB of page tables. */
static struct ow_process *add_proc(struct ow_kill *k, int32_t pid, const char *comm,
				   const char *cmdline, int32_t adj, uint64_t anon_bytes)
{
	struct ow_process *p = kill_add_memcg_process(k, pid, comm, cmdline, adj, anon_bytes);

	p->uid = 1000;
	p->pgtables_bytes = 8 * KiB;
	return p;
}

/* The verdict, built by hand; everything it points to lives in this struct. */
struct fixture {
	struct ow_incident inc;
	struct ow_verdict v;
	struct ow_kill_analysis analyses[2];
	struct ow_ranked ranked[2][3];
	char *reasons[2];
	int32_t shielded[1];
	int32_t innocent[2];
};

static const char *const kstack[] = {
	"dump_header+0x4a",	    "oom_kill_process+0xfa",
	"out_of_memory+0x243",	    "mem_cgroup_out_of_memory+0x134",
	"try_charge_memcg+0x6d5",   "charge_memcg+0x3b",
	"__mem_cgroup_charge+0x2c",
};
static const char *const ustack[] = { "fill+0x31 (/usr/bin/memhog)",
				      "main+0x9c (/usr/bin/memhog)" };

/* One kill of the seed story. first: 4240 is still alive (and is the victim). */
static void add_kill(struct fixture *fx, bool first, const char *hostile_comm,
		     const char *hostile_cmdline)
{
	struct ow_kill k = { 0 };
	struct ow_process *p;

	k.time_ns = first ? T0_NS : T0_NS + 1000000000ull + 456000000ull;
	k.killer_kind = OW_KILLER_KERNEL;
	k.victim_pid = first ? 4240 : 4241;
	k.trigger_pid = 4242;
	k.trigger_tid = 4243;
	strcpy(k.trigger_thread_comm, "memhog-worker");
	set_memcg(&k.domain, "/oomwitness-demo", 77, 256 * MiB, 256 * MiB - 100 * KiB);
	set_stack(&k.trigger_kernel_stack, kstack, sizeof(kstack) / sizeof(kstack[0]));
	set_stack(&k.trigger_user_stack, ustack, sizeof(ustack) / sizeof(ustack[0]));
	if (first)
		add_proc(&k, 4240, hostile_comm ? hostile_comm : "victim",
			 hostile_cmdline ? hostile_cmdline : "./victim --sleep 3600", 1000,
			 256 * KiB);
	add_proc(&k, 4241, "bystander", NULL, 1000, 128 * KiB);
	p = add_proc(&k, 4242, "memhog", "./memhog --bytes 300M --step 4M", 0,
		     212 * MiB + 400 * KiB);
	p->ppid = 4000;
	p = add_proc(&k, 4300, "postgres", "postgres: checkpointer", -1000, 30 * MiB);
	p = add_proc(&k, 1, "systemd", "/sbin/init", 0, 4 * MiB);
	p->flags = OW_PROC_INIT;
	ow_shared_str_unref(p->cgroup);
	p->cgroup = xshared("/init.scope");
	assert_int_equal(ow_incident_add_kill(&fx->inc, &k), 0);
}

static void build(struct fixture *fx, const char *hostile_comm, const char *hostile_cmdline,
		  const char *summary)
{
	struct ow_verdict *v = &fx->v;

	memset(fx, 0, sizeof(*fx));
	fx->inc.id = 3;
	add_kill(fx, true, hostile_comm, hostile_cmdline);
	add_kill(fx, false, NULL, NULL);

	for (size_t i = 0; i < 2; i++) {
		const struct ow_kill *k = &fx->inc.kills[i];
		struct ow_kill_analysis *a = &fx->analyses[i];
		/* By points: victim (first kill only), bystander, memhog: the first procs. */
		size_t n = i == 0 ? 3 : 2;

		for (size_t r = 0; r < n; r++) {
			fx->ranked[i][r].proc_index = r;
			fx->ranked[i][r].badness =
				ow_badness_compute(&k->procs[r], k->domain.total_bytes, PAGE);
		}
		a->n_ranked = n;
		a->ranked = fx->ranked[i];
		a->n_candidates = n;
		a->victim_rank = 1;
		a->victim_badness = fx->ranked[i][0].badness;
		a->victim_by_adj = true;
		a->victim_innocent = true;
	}
	fx->reasons[0] = "memhog held 83% of memcg /oomwitness-demo at the first kill and was "
			 "allocating at every kill";
	fx->reasons[1] = "both victims were chosen by oom_score_adj 1000, not by memory: they "
			 "held under 1% each";
	fx->shielded[0] = 4300;
	fx->innocent[0] = 4240;
	fx->innocent[1] = 4241;

	v->n_kills = 2;
	v->kills = fx->analyses;
	v->culprit.kind = OW_CULPRIT_PROCESS;
	v->culprit.pid = 4242;
	strcpy(v->culprit.comm, "memhog");
	v->culprit.cmdline = fx->inc.kills[0].procs[2].cmdline;
	v->culprit.cgroup = fx->inc.kills[0].procs[2].cgroup;
	v->culprit.oom_score_adj = 0;
	v->culprit.memory_bytes = ow_process_memory_bytes(&fx->inc.kills[0].procs[2]);
	v->culprit.share = 0.8298;
	v->culprit.was_trigger = true;
	v->culprit.was_killed = false;
	v->culprit.n_reasons = 2;
	v->culprit.reasons = fx->reasons;
	v->n_shielded = 1;
	v->shielded_pids = fx->shielded;
	v->n_innocent = 2;
	v->innocent_pids = fx->innocent;
	v->summary = (char *)(summary ? summary
				      : "memhog (pid 4242) held 83% of memcg /oomwitness-demo and "
					"was never killed; the kernel killed 2 processes with "
					"oom_score_adj 1000 that held under 1% each.");
}

static void teardown_fx(struct fixture *fx)
{
	ow_incident_clear(&fx->inc);
}

/* ---- rendering to memory ---- */

static char *render_list(int (*fn)(FILE *, const struct ow_incident_summary *, size_t),
			 const struct ow_incident_summary *rows, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, rows, n), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_matches(const char *s, const char *pattern)
{
	regex_t re;

	assert_non_null(s);
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, s, 0, NULL, 0) != 0)
		fail_msg("\"%s\" does not match /%s/", s, pattern);
	regfree(&re);
}

#define RFC3339_MS "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"

static bool has_line_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(text, prefix, n) == 0)
		return true;
	for (const char *p = strchr(text, '\n'); p; p = strchr(p + 1, '\n'))
		if (strncmp(p + 1, prefix, n) == 0)
			return true;
	return false;
}

/* ---- format.c ---- */

static void test_format_bytes(void **state)
{
	char buf[OW_BYTES_TEXT_LEN];

	(void)state;
	assert_string_equal(ow_format_bytes(buf, 0), "0 B");
	assert_string_equal(ow_format_bytes(buf, 512), "512 B");
	assert_string_equal(ow_format_bytes(buf, 1023), "1023 B");
	assert_string_equal(ow_format_bytes(buf, 1024), "1 KiB");
	assert_string_equal(ow_format_bytes(buf, 1535), "1 KiB");
	assert_string_equal(ow_format_bytes(buf, 1536), "2 KiB"); /* halves round up */
	assert_string_equal(ow_format_bytes(buf, 128 * KiB), "128 KiB");
	assert_string_equal(ow_format_bytes(buf, 128 * KiB + 1023),
			    "129 KiB"); /* rounded, not cut */
	assert_string_equal(ow_format_bytes(buf, 1 * MiB - 1 * KiB), "1023 KiB");
	assert_string_equal(ow_format_bytes(buf, 1 * MiB - 513), "1023 KiB");
	/* Whatever would round to 1024 KiB is written in MiB. */
	assert_string_equal(ow_format_bytes(buf, 1 * MiB - 512), "1.0 MiB");
	assert_string_equal(ow_format_bytes(buf, 1024 * KiB - 100), "1.0 MiB");
	assert_string_equal(ow_format_bytes(buf, 1048575), "1.0 MiB");
	assert_string_equal(ow_format_bytes(buf, 1 * MiB), "1.0 MiB");
	assert_string_equal(ow_format_bytes(buf, 256 * MiB), "256.0 MiB");
	assert_string_equal(ow_format_bytes(buf, 212 * MiB + 400 * KiB), "212.4 MiB");
	assert_string_equal(ow_format_bytes(buf, 1 * MiB + 52428), "1.0 MiB");
	assert_string_equal(ow_format_bytes(buf, 1 * MiB + 52429), "1.1 MiB"); /* 1.05 up */
	/* Never "1024.0 MiB": the carry goes to GiB. */
	assert_string_equal(ow_format_bytes(buf, 1023 * MiB + 972 * KiB), "1023.9 MiB");
	assert_string_equal(ow_format_bytes(buf, 1023 * MiB + 973 * KiB), "1.0 GiB");
	assert_string_equal(ow_format_bytes(buf, 1024 * MiB - 1), "1.0 GiB");
	assert_string_equal(ow_format_bytes(buf, 1024 * MiB), "1.0 GiB");
	assert_string_equal(ow_format_bytes(buf, 3 * 1024 * MiB / 2), "1.5 GiB");
	assert_string_equal(ow_format_bytes(buf, 8 * 1024 * MiB), "8.0 GiB");
	assert_string_equal(ow_format_bytes(buf, 1024ull * 1024 * MiB - 1), "1.0 TiB");
	assert_string_equal(ow_format_bytes(buf, (1ull << 60) - (1ull << 46)), "1023.9 PiB");
	assert_string_equal(ow_format_bytes(buf, UINT64_MAX), "16.0 EiB");
}

static void test_format_times(void **state)
{
	char buf[OW_TIME_STR_LEN];

	(void)state;
	assert_int_equal(ow_format_time_rfc3339(buf, sizeof(buf), T0_NS + 999999), 0);
	assert_string_equal(buf, "2026-11-25T19:04:05.123Z");
	assert_int_equal(ow_format_time_rfc3339(buf, sizeof(buf), 0), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	assert_int_equal(ow_format_time_rfc3339(buf, 10, T0_NS), -EOVERFLOW);

	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_int_equal(
		ow_format_time_local(buf, sizeof(buf), T0_NS, OW_TIME_DATE | OW_TIME_CLOCK), 0);
	assert_string_equal(buf, "2026-11-25 19:04:05");
	assert_int_equal(
		ow_format_time_local(buf, sizeof(buf), T0_NS, OW_TIME_CLOCK | OW_TIME_MILLIS), 0);
	assert_string_equal(buf, "19:04:05.123");
	assert_int_equal(ow_format_time_local(buf, sizeof(buf), T0_NS, OW_TIME_DATE), 0);
	assert_string_equal(buf, "2026-11-25");

	assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
	tzset();
	assert_int_equal(
		ow_format_time_local(buf, sizeof(buf), T0_NS, OW_TIME_DATE | OW_TIME_CLOCK), 0);
	/* Tokyo is UTC+9 without DST; without zone data glibc falls back to UTC. */
	if (strcmp(buf, "2026-11-25 19:04:05") != 0)
		assert_string_equal(buf, "2026-11-26 04:04:05");
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
}

static void assert_sanitized(const char *in, size_t len, const char *want)
{
	char *out = ow_utf8_sanitize(in, len);

	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_utf8_sanitize(void **state)
{
	(void)state;
	assert_sanitized("plain", 5, "plain");
	assert_sanitized("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", SIZE_MAX,
			 "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_sanitized("\xff\xfe", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	/* A truncated 3-byte sequence is one maximal subpart: one U+FFFD. */
	assert_sanitized("ab\xe2\x82", 4, "ab\xef\xbf\xbd");
	assert_sanitized("ab\xe2\x82z", 5, "ab\xef\xbf\xbdz");
	/* Overlong '/', a surrogate, past U+10FFFF, a stray continuation byte. */
	assert_sanitized("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	assert_sanitized("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_sanitized("\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_sanitized("a\x80z", 3, "a\xef\xbf\xbdz");
	/* Control characters are kept (JSON escapes them); len and NUL both bound it. */
	assert_sanitized("a\nb\x1b", 4, "a\nb\x1b");
	assert_sanitized("abcdef", 3, "abc");
	assert_sanitized("ab\0cd", 5, "ab");
}

static void test_text_sanitize(void **state)
{
	char buf[64];
	size_t cols;

	(void)state;
	cols = ow_text_sanitize(buf, sizeof(buf), "\x1b[31mred\n", SIZE_MAX, 100);
	assert_string_equal(buf, "?[31mred?");
	assert_int_equal(cols, 9);
	/* C1 CSI (U+009B), right-to-left override (U+202E), invalid bytes, DEL. */
	ow_text_sanitize(buf, sizeof(buf),
			 "a\xc2\x9b"
			 "b\xe2\x80\xae"
			 "c\xff\x7f",
			 SIZE_MAX, 100);
	assert_string_equal(buf, "a?b?c??");
	/* Printable UTF-8 is kept. */
	ow_text_sanitize(buf, sizeof(buf), "caf\xc3\xa9", SIZE_MAX, 100);
	assert_string_equal(buf, "caf\xc3\xa9");
	/* Truncation: max_cols code points, the last one "…". */
	cols = ow_text_sanitize(buf, sizeof(buf), "abcdefghij", SIZE_MAX, 5);
	assert_string_equal(buf, "abcd\xe2\x80\xa6");
	assert_int_equal(cols, 5);
	cols = ow_text_sanitize(buf, sizeof(buf), "abcde", SIZE_MAX, 5);
	assert_string_equal(buf, "abcde");
	assert_int_equal(cols, 5);
	cols = ow_text_sanitize(buf, sizeof(buf), "\xc3\xa9\xc3\xa9\xc3\xa9", SIZE_MAX, 2);
	assert_string_equal(buf, "\xc3\xa9\xe2\x80\xa6");
	assert_int_equal(cols, 2);
	/* A destination too small is cut on a code point boundary, with "…" when it fits. */
	ow_text_sanitize(buf, 8, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", SIZE_MAX, 100);
	assert_string_equal(buf, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	ow_text_sanitize(buf, 3, "abcdef", SIZE_MAX, 100);
	assert_string_equal(buf, "ab");
	assert_int_equal(ow_utf8_columns("caf\xc3\xa9 \xe2\x80\xa6"), 6);
}

/* ---- show --json ---- */

static void assert_proc_fields(const json_t *proc)
{
	static const char *const keys[] = {
		"pid",
		"ppid",
		"comm",
		"cmdline",
		"uid",
		"cgroup",
		"oom_score_adj",
		"rss_bytes",
		"anon_bytes",
		"file_bytes",
		"shmem_bytes",
		"swap_bytes",
		"pgtables_bytes",
		"points",
		"memory_points",
		"adj_points",
		"eligible",
		"ineligible_reason",
		"rank",
	};

	assert_true(json_is_object(proc));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_get(proc, keys[i]))
			fail_msg("PROC lacks \"%s\"", keys[i]);
}

static void test_show_json_contract(void **state)
{
	struct fixture fx;
	json_t *root, *kill, *victim, *trigger, *cands, *culprit, *domain, *killer, *shielded;
	char *out;

	(void)state;
	build(&fx, NULL, NULL, NULL);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);

	assert_int_equal(jint(root, "id"), 3);
	assert_string_equal(jstr(root, "start_time"), "2026-11-25T19:04:05.123Z");
	assert_matches(jstr(root, "end_time"), RFC3339_MS);
	assert_string_equal(jstr(root, "end_time"), "2026-11-25T19:04:06.579Z");

	domain = json_object_get(root, "domain");
	assert_string_equal(jstr(domain, "kind"), "memcg");
	assert_string_equal(jstr(domain, "cgroup"), "/oomwitness-demo");
	assert_int_equal(jint(domain, "limit_bytes"), 256 * MiB);
	assert_int_equal(jint(domain, "usage_bytes"), 256 * MiB - 100 * KiB);
	assert_int_equal(jint(domain, "total_bytes"), 256 * MiB);

	assert_int_equal(json_array_size(json_object_get(root, "kills")), 2);
	kill = json_array_get(json_object_get(root, "kills"), 0);
	assert_matches(jstr(kill, "time"), RFC3339_MS);
	victim = json_object_get(kill, "victim");
	assert_proc_fields(victim);
	assert_int_equal(jint(victim, "pid"), 4240);
	assert_string_equal(jstr(victim, "comm"), "victim");
	assert_int_equal(jint(victim, "oom_score_adj"), 1000);
	assert_int_equal(jint(victim, "rss_bytes"), 256 * KiB);
	assert_int_equal(jint(victim, "anon_bytes"), 256 * KiB);
	assert_int_equal(jint(victim, "points"), 64 + 2 + 65000);
	assert_int_equal(jint(victim, "adj_points"), 65000);
	assert_int_equal(jint(victim, "rank"), 1);
	assert_true(json_is_true(json_object_get(victim, "eligible")));
	assert_null_field(victim, "ineligible_reason");

	killer = json_object_get(kill, "killer");
	assert_string_equal(jstr(killer, "kind"), "kernel");
	assert_int_equal(jint(killer, "pid"), 4242);
	assert_string_equal(jstr(killer, "comm"), "memhog");
	assert_string_equal(jstr(killer, "cmdline"), "./memhog --bytes 300M --step 4M");

	trigger = json_object_get(kill, "trigger");
	assert_proc_fields(trigger);
	assert_int_equal(jint(trigger, "pid"), 4242);
	assert_int_equal(jint(trigger, "tid"), 4243);
	assert_string_equal(jstr(trigger, "thread_comm"), "memhog-worker");
	assert_int_equal(jint(trigger, "rank"), 3);
	assert_int_equal(json_array_size(json_object_get(trigger, "kernel_stack")), 7);
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(trigger, "kernel_stack"), 2)),
		"out_of_memory+0x243");
	assert_int_equal(json_array_size(json_object_get(trigger, "user_stack")), 2);

	cands = json_object_get(kill, "candidates");
	assert_int_equal(json_array_size(cands), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_proc_fields(json_array_get(cands, i));
		assert_int_equal(jint(json_array_get(cands, i), "rank"), (json_int_t)i + 1);
	}
	/* The bystander's cmdline is unknown: null, not "" or "(null)". */
	assert_int_equal(jint(json_array_get(cands, 1), "pid"), 4241);
	assert_null_field(json_array_get(cands, 1), "cmdline");
	assert_int_equal(jint(kill, "candidates_total"), 3);
	assert_string_equal(jstr(kill, "chosen_by"), "oom_score_adj");
	assert_true(json_is_true(json_object_get(kill, "victim_innocent")));
	assert_true(json_is_false(json_object_get(kill, "partial")));
	assert_int_equal(jint(kill, "lost_events"), 0);
	assert_int_equal(jint(kill, "processes_in_snapshot"), 5);
	assert_string_equal(jstr(json_object_get(kill, "domain"), "kind"), "memcg");

	kill = json_array_get(json_object_get(root, "kills"), 1);
	assert_int_equal(jint(json_object_get(kill, "victim"), "pid"), 4241);

	culprit = json_object_get(root, "culprit");
	assert_string_equal(jstr(culprit, "kind"), "process");
	assert_int_equal(jint(culprit, "pid"), 4242);
	assert_string_equal(jstr(culprit, "comm"), "memhog");
	assert_string_equal(jstr(culprit, "cgroup"), "/oomwitness-demo");
	assert_int_equal(jint(culprit, "oom_score_adj"), 0);
	assert_true(json_is_real(json_object_get(culprit, "share")));
	assert_true(json_real_value(json_object_get(culprit, "share")) > 0.82 &&
		    json_real_value(json_object_get(culprit, "share")) < 0.84);
	assert_true(json_is_true(json_object_get(culprit, "was_trigger")));
	assert_true(json_is_false(json_object_get(culprit, "was_killed")));
	assert_int_equal(json_array_size(json_object_get(culprit, "reasons")), 2);
	assert_non_null(strstr(jstr(root, "verdict"), "memhog (pid 4242)"));
	/* The share prints short, not as 0.82979999999999998. */
	assert_non_null(strstr(out, "\"share\": 0.8298"));

	shielded = json_object_get(root, "shielded");
	assert_int_equal(json_array_size(shielded), 1);
	assert_proc_fields(json_array_get(shielded, 0));
	assert_int_equal(jint(json_array_get(shielded, 0), "pid"), 4300);
	assert_int_equal(jint(json_array_get(shielded, 0), "oom_score_adj"), -1000);
	/* Not a candidate: no points, but the reason and what it would have scored. */
	assert_null_field(json_array_get(shielded, 0), "points");
	assert_null_field(json_array_get(shielded, 0), "rank");
	assert_true(json_is_false(json_object_get(json_array_get(shielded, 0), "eligible")));
	assert_string_equal(jstr(json_array_get(shielded, 0), "ineligible_reason"),
			    "oom_score_adj -1000");
	assert_int_equal(jint(json_array_get(shielded, 0), "memory_points"), 7682);
	assert_int_equal(json_array_size(json_object_get(root, "innocent_victims")), 2);
	assert_int_equal(
		json_integer_value(json_array_get(json_object_get(root, "innocent_victims"), 0)),
		4240);
	assert_true(json_is_false(json_object_get(root, "partial")));
	assert_int_equal(jint(root, "lost_events"), 0);
	/* Indented, one object: two-space indentation and a final newline. */
	assert_non_null(strstr(out, "\n  \"id\": 3,"));
	assert_int_equal(out[strlen(out) - 1], '\n');

	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

static const char hostile_comm[] = "ev\"il\n\x1b[2J<s>";
static const char hostile_cmdline[] = "<script>alert(1)</script> \"q\" \\ \nFAKE LINE \x1b[31m "
				      "\xff\xfe tail\xe2\x82";

static void test_show_json_hostile(void **state)
{
	struct fixture fx;
	json_t *root, *victim;
	char *out;

	(void)state;
	build(&fx, hostile_comm, hostile_cmdline, NULL);
	/* A victim missing from a snapshot: only its pid is known. */
	fx.inc.kills[1].victim_pid = 9999;
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	/* Raw control characters never reach the output; newlines only come from indentation. */
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\nFAKE"));
	root = parse(out);
	victim = json_object_get(json_array_get(json_object_get(root, "kills"), 0), "victim");
	assert_string_equal(jstr(victim, "comm"), "ev\"il\n\x1b[2J<s>");
	assert_string_equal(jstr(victim, "cmdline"),
			    "<script>alert(1)</script> \"q\" \\ \nFAKE LINE \x1b[31m "
			    "\xef\xbf\xbd\xef\xbf\xbd tail\xef\xbf\xbd");

	victim = json_object_get(json_array_get(json_object_get(root, "kills"), 1), "victim");
	assert_int_equal(jint(victim, "pid"), 9999);
	assert_null_field(victim, "comm");
	assert_null_field(victim, "cmdline");
	assert_null_field(victim, "rss_bytes");
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

static void test_show_json_no_verdict(void **state)
{
	struct fixture fx;
	json_t *root, *kill;
	char *out;

	(void)state;
	build(&fx, NULL, NULL, NULL);
	fx.inc.kills[0].partial = true;
	fx.inc.kills[0].lost_events = 4;
	fx.inc.lost_events = 4;
	out = render(ow_render_incident_json, &fx.inc, NULL);
	root = parse(out);
	assert_string_equal(jstr(json_object_get(root, "culprit"), "kind"), "none");
	assert_null_field(json_object_get(root, "culprit"), "pid");
	assert_null_field(root, "verdict");
	assert_true(json_is_true(json_object_get(root, "partial")));
	assert_int_equal(jint(root, "lost_events"), 4);
	kill = json_array_get(json_object_get(root, "kills"), 0);
	assert_int_equal(jint(json_object_get(kill, "victim"), "pid"), 4240);
	/* Without a verdict the badness is still recomputed from the snapshot, but not ranked. */
	assert_int_equal(jint(json_object_get(kill, "victim"), "points"), 65066);
	assert_null_field(json_object_get(kill, "victim"), "rank");
	assert_int_equal(json_array_size(json_object_get(kill, "candidates")), 0);
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

/* ---- show (text) ---- */

static void test_show_text_seed(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	build(&fx, NULL, NULL, NULL);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_true(has_line_starting(out, "Incident 3 — memcg /oomwitness-demo (limit 256.0 MiB"));
	assert_true(has_line_starting(out, "2026-11-25 19:04:05.123 .. 19:04:06.579, 2 kills"));
	assert_true(has_line_starting(out, "VERDICT: memhog (pid 4242) held 83%"));
	assert_true(has_line_starting(out, "CULPRIT: memhog (pid 4242), adj 0, 212.4 MiB"));
	assert_non_null(strstr(out, "NEVER KILLED"));
	assert_true(has_line_starting(out, "  innocent victims: 4240 (victim), 4241 (bystander)"));
	assert_true(has_line_starting(out, "  shielded: postgres (pid 4300, adj -1000, 30.0 MiB)"));
	assert_true(
		has_line_starting(out, "  #1 19:04:05.123  KILLED victim (pid 4240, adj +1000"));
	assert_true(has_line_starting(out, "  #2 19:04:06.579  KILLED bystander (pid 4241"));
	assert_non_null(strstr(out, "chosen by oom_score_adj: 65000 of its 65066 points"));
	assert_non_null(strstr(out, "trigger: memhog pid 4242 tid 4243 (memhog-worker)"));
	assert_non_null(strstr(out, "(+2 more frames)"));
	assert_true(has_line_starting(out, "Ranking at kill #1"));
	assert_non_null(strstr(out, "<- KILLED"));
	assert_non_null(strstr(out, "<- CULPRIT"));
	assert_non_null(strstr(out,
			       "not ranked: postgres (pid 4300, adj -1000, 30.0 MiB, shielded: "
			       "oom_score_adj -1000)"));
	assert_null(strstr(out, "WARNING"));
	free(out);
	teardown_fx(&fx);
}

static void test_show_text_hostile(void **state)
{
	struct fixture fx;
	char long_cmdline[400], long_summary[600], long_cgroup[300];
	char *out;

	(void)state;
	memset(long_cmdline, 'x', sizeof(long_cmdline) - 1);
	long_cmdline[sizeof(long_cmdline) - 1] = '\0';
	snprintf(long_summary, sizeof(long_summary),
		 "%s %0300d and \xc3\xa9\xc3\xa9\xc3\xa9 "
		 "with \x1b[2J\nFAKE VERDICT and a tab\there",
		 "the kernel killed processes because", 7);
	memset(long_cgroup, 'c', sizeof(long_cgroup) - 1);
	long_cgroup[0] = '/';
	long_cgroup[sizeof(long_cgroup) - 1] = '\0';

	build(&fx, "\nFAKE\x1b[2J\xff\xc3\xa9", hostile_cmdline, long_summary);
	fx.v.culprit.cmdline = long_cmdline;
	fx.v.culprit.cgroup = long_cgroup;
	free(fx.inc.domain.cgroup);
	fx.inc.domain.cgroup = xstrdup(long_cgroup);
	fx.inc.lost_events = 12;
	fx.inc.kills[1].partial = true;
	fx.v.partial = true;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_false(has_line_starting(out, "FAKE"));
	assert_non_null(strstr(out, "KILLED ?FAKE?[2J?\xc3\xa9 (pid 4240"));
	assert_non_null(strstr(out, "\xe2\x80\xa6")); /* something was cut with "…" */
	assert_true(has_line_starting(
		out, "WARNING: incomplete data (12 ring-buffer records lost): the verdict"));
	assert_non_null(strstr(out, "snapshot INCOMPLETE"));
	free(out);
	teardown_fx(&fx);
}

static void test_show_text_no_verdict(void **state)
{
	struct fixture fx;
	struct ow_incident empty = { 0 };
	char *out;

	(void)state;
	build(&fx, NULL, NULL, NULL);
	fx.inc.kills[1].trigger_pid = 0;
	out = render(ow_render_incident_text, &fx.inc, NULL);
	assert_terminal_safe(out);
	assert_true(has_line_starting(out, "VERDICT: none"));
	assert_non_null(strstr(out, "trigger: unknown"));
	assert_null(strstr(out, "Ranking"));
	free(out);
	teardown_fx(&fx);

	/* A global incident without kills. */
	empty.id = 9;
	empty.domain.limit_bytes = 16 * 1024 * MiB;
	out = render(ow_render_incident_text, &empty, NULL);
	assert_terminal_safe(out);
	assert_true(has_line_starting(out, "Incident 9 — global"));
	assert_non_null(strstr(out, "(no kills recorded)"));
	free(out);
}

/*
 * "Partial" is the verdict's word when there is a verdict, even where the incident's own fields
 * say otherwise; only without a verdict do the renderers apply the rule to the incident.
 */
static void test_partial_follows_verdict(void **state)
{
	struct fixture fx;
	json_t *root;
	char *out;

	(void)state;
	build(&fx, NULL, NULL, NULL);

	/* The verdict says partial on a clean incident: both renderers say so. */
	fx.v.partial = true;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_true(has_line_starting(out,
				      "WARNING: incomplete data (a snapshot is INCOMPLETE, see "
				      "the kill chain): the verdict may be wrong"));
	free(out);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	assert_true(json_is_true(json_object_get(root, "partial")));
	json_decref(root);
	free(out);

	/* The verdict says complete: a partial kill is shown as such, the incident is not. */
	fx.v.partial = false;
	fx.inc.kills[0].partial = true;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_null(strstr(out, "WARNING"));
	assert_non_null(strstr(out, "snapshot INCOMPLETE (0 ring-buffer records lost)"));
	free(out);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	assert_true(json_is_false(json_object_get(root, "partial")));
	assert_true(json_is_true(
		json_object_get(json_array_get(json_object_get(root, "kills"), 0), "partial")));
	json_decref(root);
	free(out);

	/* No verdict: the verdict's rule on the incident, lost records of a kill included. */
	out = render(ow_render_incident_text, &fx.inc, NULL);
	assert_true(has_line_starting(out, "WARNING: incomplete data (a snapshot is INCOMPLETE"));
	free(out);
	fx.inc.kills[0].partial = false;
	fx.inc.kills[1].lost_events = 2;
	out = render(ow_render_incident_json, &fx.inc, NULL);
	root = parse(out);
	assert_true(json_is_true(json_object_get(root, "partial")));
	json_decref(root);
	free(out);
	fx.inc.kills[1].lost_events = 0;
	out = render(ow_render_incident_json, &fx.inc, NULL);
	root = parse(out);
	assert_true(json_is_false(json_object_get(root, "partial")));
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

/*
 * Kills the recorder was not running for (missed_kills): a WARNING line of their own, not a
 * snapshot said INCOMPLETE; "missed_kills" in the JSON; the same without a verdict.
 */
static void test_missed_kills_shown(void **state)
{
	struct fixture fx;
	json_t *root;
	char *out;

	(void)state;
	build(&fx, NULL, NULL, NULL);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	assert_int_equal(jint(root, "missed_kills"), 0);
	json_decref(root);
	free(out);

	fx.inc.missed_kills = 5;
	fx.v.partial = true;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_true(has_line_starting(out, "WARNING: the recorder was down for 5 OOM kills on the "
					   "machine: the verdict may be wrong"));
	assert_null(strstr(out, "INCOMPLETE"));
	free(out);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	assert_int_equal(jint(root, "missed_kills"), 5);
	assert_true(json_is_true(json_object_get(root, "partial")));
	json_decref(root);
	free(out);

	/* Without a verdict, the rule says partial on the missed kills alone. */
	fx.inc.missed_kills = 1;
	out = render(ow_render_incident_json, &fx.inc, NULL);
	root = parse(out);
	assert_true(json_is_true(json_object_get(root, "partial")));
	json_decref(root);
	free(out);
	out = render(ow_render_incident_text, &fx.inc, NULL);
	assert_true(has_line_starting(out, "WARNING: the recorder was down for 1 OOM kill on"));
	free(out);

	/* Beside lost records, both are said. */
	fx.inc.lost_events = 2;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_true(has_line_starting(out, "WARNING: the recorder was down for 1 OOM kill on"));
	assert_true(
		has_line_starting(out, "WARNING: incomplete data (2 ring-buffer records lost)"));
	free(out);
	teardown_fx(&fx);
}

/* ---- issue 4: signal kills, aftermath, kernel report, memory no process owns ---- */

#define MS_NS 1000000ull
#define SEC_NS 1000000000ull

/*
 * The seed story with what issue 4 adds. Kill #1 (the kernel's): the victim was already
 * exiting, in a memory.oom.group, confirmed by /dev/kmsg, a helper sharing its memory died
 * with it, the reaper freed 120 MiB in 3 ms and it exited 15 ms after the kill; 180 MiB of
 * shmem of which the memhog maps 4 MiB. Kill #2 was a SIGKILL sent by earlyoom (pid 812),
 * past the rate limit. The victim inherited adj 1000 at fork, postgres was set to -1000 by
 * systemd, the memhog's adj was written once from an unknown value.
 */
static void build_context(struct fixture *fx, const char *hostile)
{
	struct ow_kill *k0, *k1;
	struct ow_process *p;

	build(fx, NULL, NULL, NULL);
	k0 = &fx->inc.kills[0];
	k1 = &fx->inc.kills[1];

	k0->flags = OW_KILL_VICTIM_EXITING | OW_KILL_OOM_GROUP | OW_KILL_KMSG_CONFIRMED;
	k0->after.exit_ns = k0->time_ns + 15 * MS_NS;
	k0->after.reap_start_ns = k0->time_ns + 2 * MS_NS;
	k0->after.reap_end_ns = k0->time_ns + 5 * MS_NS;
	k0->after.reaped_bytes = 120 * MiB;
	k0->kernel_report.constraint = OW_CONSTRAINT_MEMCG;
	k0->kernel_report.oom_memcg = xstrdup(hostile ? hostile : "/oomwitness-demo");
	k0->kernel_report.task_memcg = xstrdup("/oomwitness-demo");
	k0->kernel_report.has_allocation = true;
	k0->kernel_report.gfp_mask = 0xcc0;
	k0->kernel_report.order = 0;
	k0->unowned.known = true;
	k0->unowned.shmem_bytes = 180 * MiB;
	k0->unowned.file_bytes = 30 * MiB;
	k0->unowned.kernel_bytes = 12 * MiB;
	k0->unowned.slab_bytes = 8 * MiB;
	k0->unowned.pagetables_bytes = 1 * MiB;
	k0->unowned.sock_bytes = 256 * KiB;
	unowned_add_tmpfs(&k0->unowned, hostile ? hostile : "/dev/shm", 176 * MiB);
	unowned_add_tmpfs(&k0->unowned, "/run/user/1000", 4 * MiB);
	k0->procs[2].shmem_bytes = 4 * MiB; /* the memhog maps 4 MiB of it */
	proc_add_adj_change(&k0->procs[0], T0_NS - 60 * SEC_NS, 0, 1000, 4200, "launcher", true);
	proc_add_adj_change(&k0->procs[2], T0_NS - 30 * SEC_NS, OW_ADJ_UNKNOWN, 0, 4000,
			    hostile ? hostile : "bash", false);
	proc_add_adj_change(&k0->procs[3], T0_NS - 26 * 3600 * SEC_NS, 0, -1000, 1, "systemd",
			    false);
	p = add_proc(k0, 4244, "helper", "./victim --helper", 1000, 64 * KiB);
	p->flags |= OW_PROC_SHARES_VICTIM_MM;

	k1->killer_kind = OW_KILLER_SIGNAL;
	k1->flags = OW_KILL_SNAPSHOT_SKIPPED;
	k1->trigger_pid = 812;
	k1->trigger_tid = 812;
	strcpy(k1->trigger_thread_comm, "earlyoom");
	p = add_proc(k1, 812, "earlyoom", "/usr/bin/earlyoom -r 60 -m 5", 0, 2 * MiB);
	p->flags = 0; /* outside the domain */
	ow_shared_str_unref(p->cgroup);
	p->cgroup = xshared("/system.slice/earlyoom.service");
}

static const json_t *kill_of(const json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "kills"), i);
}

static void test_show_json_kill_context(void **state)
{
	struct fixture fx;
	const json_t *k, *o, *arr;
	json_t *root;
	char *out;

	(void)state;
	build_context(&fx, NULL);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);

	k = kill_of(root, 0);
	assert_true(json_is_true(json_object_get(k, "victim_was_exiting")));
	assert_true(json_is_true(json_object_get(k, "oom_group")));
	assert_string_equal(jstr(k, "snapshot"), "full");
	assert_true(json_is_true(json_object_get(k, "kmsg_confirmed")));
	/* The helper shares the victim's memory, but an exiting victim is only marked: the
	 * kernel killed nobody with it. */
	arr = json_object_get(k, "also_killed");
	assert_int_equal(json_array_size(arr), 0);
	o = json_object_get(k, "aftermath");
	assert_string_equal(jstr(o, "exit_time"), "2026-11-25T19:04:05.138Z");
	assert_true(json_real_value(json_object_get(o, "kill_to_exit_ms")) == 15.0);
	o = json_object_get(o, "reaper");
	assert_string_equal(jstr(o, "start_time"), "2026-11-25T19:04:05.125Z");
	assert_string_equal(jstr(o, "end_time"), "2026-11-25T19:04:05.128Z");
	assert_true(json_real_value(json_object_get(o, "duration_ms")) == 3.0);
	assert_int_equal(jint(o, "freed_bytes"), 120 * MiB);
	o = json_object_get(k, "kernel_report");
	assert_string_equal(jstr(o, "constraint"), "memcg");
	assert_string_equal(jstr(o, "oom_memcg"), "/oomwitness-demo");
	assert_string_equal(jstr(o, "task_memcg"), "/oomwitness-demo");
	assert_string_equal(jstr(o, "gfp_mask"), "0xcc0");
	assert_int_equal(jint(o, "order"), 0);
	o = json_object_get(k, "unowned_memory");
	assert_int_equal(jint(o, "shmem_bytes"), 180 * MiB);
	assert_int_equal(jint(o, "shmem_unmapped_bytes"), 176 * MiB);
	assert_int_equal(jint(o, "file_bytes"), 30 * MiB);
	assert_int_equal(jint(o, "kernel_bytes"), 12 * MiB);
	assert_int_equal(jint(o, "slab_bytes"), 8 * MiB);
	assert_int_equal(jint(o, "pagetables_bytes"), 1 * MiB);
	assert_int_equal(jint(o, "sock_bytes"), 256 * KiB);
	arr = json_object_get(o, "tmpfs");
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(jstr(json_array_get(arr, 0), "path"), "/dev/shm");
	assert_int_equal(jint(json_array_get(arr, 0), "used_bytes"), 176 * MiB);

	/* The victim's adj changes, on every PROC of it; [] on those without. */
	arr = json_object_get(json_object_get(k, "victim"), "oom_score_adj_changes");
	assert_int_equal(json_array_size(arr), 1);
	o = json_array_get(arr, 0);
	assert_string_equal(jstr(o, "time"), "2026-11-25T19:03:05.123Z");
	assert_int_equal(jint(o, "old"), 0);
	assert_int_equal(jint(o, "new"), 1000);
	assert_int_equal(jint(o, "by_pid"), 4200);
	assert_string_equal(jstr(o, "by_comm"), "launcher");
	assert_true(json_is_true(json_object_get(o, "inherited")));
	arr = json_object_get(json_array_get(json_object_get(k, "candidates"), 2),
			      "oom_score_adj_changes");
	assert_int_equal(json_array_size(arr), 1);
	assert_null_field(json_array_get(arr, 0), "old");
	assert_true(json_is_false(json_object_get(json_array_get(arr, 0), "inherited")));
	arr = json_object_get(json_array_get(json_object_get(k, "candidates"), 1),
			      "oom_score_adj_changes");
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 0);
	arr = json_object_get(json_array_get(json_object_get(root, "shielded"), 0),
			      "oom_score_adj_changes");
	assert_int_equal(jint(json_array_get(arr, 0), "new"), -1000);

	/* Kill #2, a SIGKILL from earlyoom: the killer is the sender, there is no trigger. */
	k = kill_of(root, 1);
	o = json_object_get(k, "killer");
	assert_string_equal(jstr(o, "kind"), "signal");
	assert_int_equal(jint(o, "pid"), 812);
	assert_string_equal(jstr(o, "comm"), "earlyoom");
	assert_string_equal(jstr(o, "cmdline"), "/usr/bin/earlyoom -r 60 -m 5");
	assert_string_equal(jstr(o, "cgroup"), "/system.slice/earlyoom.service");
	assert_string_equal(jstr(json_object_get(o, "container"), "unit"), "earlyoom.service");
	assert_null_field(k, "trigger");
	assert_null_field(k, "chosen_by");
	assert_string_equal(jstr(k, "snapshot"), "skipped");
	assert_true(json_is_false(json_object_get(k, "kmsg_confirmed")));
	assert_true(json_is_false(json_object_get(k, "victim_was_exiting")));
	assert_int_equal(json_array_size(json_object_get(k, "also_killed")), 0);
	o = json_object_get(k, "aftermath");
	assert_null_field(o, "exit_time");
	assert_null_field(o, "kill_to_exit_ms");
	assert_null_field(o, "reaper");
	assert_null_field(k, "kernel_report");
	assert_null_field(k, "unowned_memory");
	json_decref(root);
	free(out);

	/* Half-seen aftermaths and reports: what was not seen is null, not 0. */
	fx.inc.kills[0].after.reap_end_ns = 0;
	fx.inc.kills[0].after.reaped_bytes = 0;
	fx.inc.kills[0].after.exit_ns = fx.inc.kills[0].time_ns - 51 * MS_NS; /* a clock step */
	fx.inc.kills[0].kernel_report.has_allocation = false;
	fx.inc.kills[0].flags |= OW_KILL_FROM_KMSG;
	fx.inc.kills[0].procs[2].shmem_bytes = 200 * MiB; /* maps more than there is */
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	root = parse(out);
	k = kill_of(root, 0);
	assert_string_equal(jstr(k, "snapshot"), "kmsg");
	o = json_object_get(k, "aftermath");
	assert_null_field(o, "kill_to_exit_ms");
	o = json_object_get(o, "reaper");
	assert_string_equal(jstr(o, "start_time"), "2026-11-25T19:04:05.125Z");
	assert_null_field(o, "end_time");
	assert_null_field(o, "duration_ms");
	assert_null_field(o, "freed_bytes");
	assert_null_field(json_object_get(k, "kernel_report"), "gfp_mask");
	assert_null_field(json_object_get(k, "kernel_report"), "order");
	assert_int_equal(jint(json_object_get(k, "unowned_memory"), "shmem_unmapped_bytes"), 0);
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

static void test_show_text_kill_context(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	build_context(&fx, NULL);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	/* Kill #1, the kernel's. */
	assert_true(has_line_starting(
		out,
		"     oom_score_adj 1000 inherited from pid 4200 (launcher) at fork, 19:03:05"));
	assert_true(has_line_starting(out, "     the victim was already exiting: the kernel queued "
					   "it for the OOM reaper without a SIGKILL"));
	assert_true(has_line_starting(out, "     memory.oom.group: the kernel killed the whole "
					   "cgroup, this process with it"));
	assert_null(strstr(out, "also killed, sharing its memory")); /* exiting: nobody was */
	assert_true(has_line_starting(out,
				      "     reaped by the OOM reaper in 3 ms: 120.0 MiB freed; "
				      "exited 15 ms after the kill"));
	assert_true(has_line_starting(out, "     kernel report: constraint=memcg, "
					   "oom_memcg=/oomwitness-demo, "
					   "task_memcg=/oomwitness-demo,\n"
					   "                    gfp_mask=0xcc0, order=0\n"));
	assert_non_null(strstr(out, "chosen by oom_score_adj: 65000 of its 65066 points"));
	/* Kill #2, earlyoom's. */
	assert_true(has_line_starting(out, "  #2 19:04:06.579  KILLED bystander (pid 4241, adj "
					   "+1000, memory 136 KiB)  by a user-space SIGKILL\n"));
	assert_true(has_line_starting(out, "     killed by pid 812 (earlyoom), not by the kernel, "
					   "in unit earlyoom.service"));
	assert_true(has_line_starting(out, "     killer cmdline: /usr/bin/earlyoom -r 60 -m 5"));
	assert_true(has_line_starting(out, "     snapshot SKIPPED (signal kills past the rate "
					   "limit): only the victim and the killer were read"));
	/* The kernel did not choose kill #2's victim: no word of its badness, no trigger. */
	assert_null(strstr(strstr(out, "  #2 "), "chosen by"));
	assert_null(strstr(strstr(out, "  #2 "), "trigger:"));
	/* The culprit's and the shielded's adj changes, the memory nobody owns. */
	assert_true(has_line_starting(out, "         oom_score_adj set to 0 by pid 4000 (bash) at "
					   "19:03:35"));
	assert_true(has_line_starting(out, "    postgres (pid 4300): oom_score_adj set to -1000 by "
					   "pid 1 (systemd) at 2026-11-24 17:04:05, was 0"));
	assert_true(has_line_starting(out, "  memory no process owns, at the first kill:"));
	assert_true(has_line_starting(out, "    shmem/tmpfs: 176.0 MiB not mapped by any process\n"
					   "      tmpfs /dev/shm holds 176.0 MiB\n"
					   "      tmpfs /run/user/1000 holds 4.0 MiB\n"));
	assert_true(has_line_starting(out, "    kernel: 12.0 MiB (slab 8.0 MiB, page tables "
					   "1.0 MiB, network buffers 256 KiB)"));
	assert_true(has_line_starting(out, "    page cache: 30.0 MiB"));
	free(out);

	/* Without a verdict the facts are all there. */
	out = render(ow_render_incident_text, &fx.inc, NULL);
	assert_terminal_safe(out);
	assert_true(has_line_starting(out, "    page cache: 30.0 MiB"));
	assert_true(has_line_starting(out, "     killed by pid 812 (earlyoom), not by the kernel"));
	free(out);

	/* A sender not known, a reaper not seen finishing, a victim from /dev/kmsg alone. */
	fx.inc.kills[1].trigger_pid = 0;
	fx.inc.kills[0].after.reap_end_ns = 0;
	fx.inc.kills[0].after.exit_ns = 0;
	fx.inc.kills[0].flags = OW_KILL_FROM_KMSG | OW_KILL_KMSG_CONFIRMED;
	fx.inc.kills[0].kernel_report.has_allocation = false;
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_true(has_line_starting(out, "     killed by a SIGKILL from user space, not by the "
					   "kernel (sender unknown)"));
	assert_true(
		has_line_starting(out, "     the OOM reaper started on it, not seen finishing"));
	assert_true(has_line_starting(out, "     kernel report: constraint=memcg, oom_memcg="
					   "/oomwitness-demo, task_memcg=/oomwitness-demo\n"));
	assert_true(has_line_starting(out, "     witnessed by /dev/kmsg alone"));
	assert_null(strstr(out, "already exiting"));
	free(out);
	teardown_fx(&fx);
}

/* Strings of the new fields come from processes and mounts: escaped or made safe. */
static void test_kill_context_hostile(void **state)
{
	static const char hostile[] = "/dev/\x1b[2J\nFAKE <b>\"x\"</b>\xff";
	struct fixture fx;
	json_t *root;
	char *out;

	(void)state;
	build_context(&fx, hostile);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_false(has_line_starting(out, "FAKE"));
	assert_true(has_line_starting(out, "      tmpfs /dev/?[2J?FAKE <b>\"x\"</b>? holds 176.0 "
					   "MiB\n"));
	assert_non_null(strstr(out, "oom_score_adj set to 0 by pid 4000 (/dev/?[2J?FAKE ) at"));
	assert_non_null(strstr(out, "kernel report: constraint=memcg, oom_memcg=/dev/?[2J?FAKE"));
	free(out);

	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\nFAKE"));
	root = parse(out);
	assert_string_equal(jstr(json_array_get(json_object_get(json_object_get(kill_of(root, 0),
										"unowned_memory"),
								"tmpfs"),
						0),
				 "path"),
			    "/dev/\x1b[2J\nFAKE <b>\"x\"</b>\xef\xbf\xbd");
	assert_string_equal(jstr(json_object_get(kill_of(root, 0), "kernel_report"), "oom_memcg"),
			    "/dev/\x1b[2J\nFAKE <b>\"x\"</b>\xef\xbf\xbd");
	json_decref(root);
	free(out);
	teardown_fx(&fx);
}

/* The culprit kinds of issue 4, from a verdict made by hand: each renderer names them. */
static void test_culprit_kinds(void **state)
{
	static const struct {
		enum ow_culprit_kind kind;
		const char *kind_name;
		const char *text_line;
		const char *html;
	} cases[] = {
		{ OW_CULPRIT_PROCESS_TREE, "process-tree",
		  "CULPRIT: the process tree of memhog (pid 4242): 47 processes, 212.4 MiB = 83% "
		  "of the limit",
		  "the process tree of memhog (pid 4242)</strong>: 47 processes, 212.4 MiB" },
		{ OW_CULPRIT_CGROUP, "cgroup",
		  "CULPRIT: cgroup /oomwitness-demo/workers: 47 processes, 212.4 MiB = 83% of the "
		  "limit",
		  "cgroup <code>/oomwitness-demo/workers</code>: 47 processes, 212.4 MiB" },
		{ OW_CULPRIT_NON_PROCESS, "non-process",
		  "CULPRIT: shmem/tmpfs, memory no process holds: 212.4 MiB = 83% of the limit",
		  "<strong>shmem/tmpfs</strong>, memory no process holds: 212.4 MiB" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture fx;
		json_t *root, *c;
		char *out;

		build_context(&fx, NULL);
		fx.v.culprit.kind = cases[i].kind;
		fx.v.culprit.n_members = 47;
		if (cases[i].kind == OW_CULPRIT_CGROUP)
			fx.v.culprit.cgroup = "/oomwitness-demo/workers";
		if (cases[i].kind != OW_CULPRIT_PROCESS_TREE) {
			fx.v.culprit.pid = 0;
			fx.v.culprit.cmdline = NULL;
			fx.v.culprit.comm[0] = '\0';
		}
		if (cases[i].kind == OW_CULPRIT_NON_PROCESS) {
			fx.v.culprit.what = "shmem/tmpfs";
			fx.v.culprit.cgroup = NULL;
		}

		out = render(ow_render_incident_json, &fx.inc, &fx.v);
		root = parse(out);
		c = json_object_get(root, "culprit");
		assert_string_equal(jstr(c, "kind"), cases[i].kind_name);
		if (cases[i].kind == OW_CULPRIT_PROCESS_TREE) {
			assert_int_equal(jint(c, "pid"), 4242);
			assert_string_equal(jstr(c, "comm"), "memhog");
		} else {
			assert_null_field(c, "pid");
			assert_null_field(c, "comm");
		}
		if (cases[i].kind == OW_CULPRIT_NON_PROCESS) {
			assert_null_field(c, "members");
			assert_string_equal(jstr(c, "what"), "shmem/tmpfs");
			assert_null_field(c, "cgroup");
		} else {
			assert_int_equal(jint(c, "members"), 47);
			assert_null_field(c, "what");
		}
		if (cases[i].kind == OW_CULPRIT_CGROUP)
			assert_string_equal(jstr(c, "cgroup"), "/oomwitness-demo/workers");
		assert_int_equal(jint(c, "memory_bytes"), fx.v.culprit.memory_bytes);
		assert_int_equal(json_array_size(json_object_get(c, "reasons")), 2);
		json_decref(root);
		free(out);

		out = render(ow_render_incident_text, &fx.inc, &fx.v);
		assert_terminal_safe(out);
		if (!has_line_starting(out, cases[i].text_line))
			fail_msg("no line \"%s\" in:\n%s", cases[i].text_line, out);
		/* Only a process culprit is marked in the rankings. */
		if (cases[i].kind != OW_CULPRIT_PROCESS_TREE)
			assert_null(strstr(out, "<- CULPRIT"));
		free(out);

		out = render(ow_render_incident_html, &fx.inc, &fx.v);
		if (!strstr(out, cases[i].html))
			fail_msg("no \"%s\" in the HTML", cases[i].html);
		free(out);
		teardown_fx(&fx);
	}
}

static void test_format_kill_context(void **state)
{
	char buf[OW_SENTENCE_LEN], ms[OW_MS_TEXT_LEN];
	struct ow_adj_change c = {
		.time_ns = T0_NS, .old_adj = OW_ADJ_UNKNOWN, .new_adj = -500, .by_pid = 1
	};
	struct ow_process procs[2] = { 0 };
	struct ow_kill k = { .time_ns = T0_NS, .n_procs = 2, .procs = procs };

	(void)state;
	assert_string_equal(ow_format_ms(ms, 400000), "0.4 ms");
	assert_string_equal(ow_format_ms(ms, 0), "0.0 ms");
	assert_string_equal(ow_format_ms(ms, 15 * MS_NS + 499999), "15 ms");
	assert_string_equal(ow_format_ms(ms, 9999 * MS_NS), "9999 ms");
	assert_string_equal(ow_format_ms(ms, 70 * SEC_NS), "1m10s");

	/* An empty comm is "?", a full one (no NUL) is read to its 15 bytes and not past. */
	assert_string_equal(ow_render_adj_change(buf, &c, T0_NS),
			    "oom_score_adj set to -500 by pid 1 (?) at 19:04:05");
	memcpy(c.by_comm, "0123456789abcdef", OW_COMM_LEN);
	c.inherited = true;
	assert_string_equal(ow_render_adj_change(buf, &c, T0_NS + 86400 * SEC_NS),
			    "oom_score_adj -500 inherited from pid 1 (0123456789abcdef) at fork, "
			    "2026-11-25 19:04:05");
	c.time_ns = 0;
	c.inherited = false;
	c.old_adj = 7;
	assert_non_null(strstr(ow_render_adj_change(buf, &c, T0_NS), " at ?, was 7"));

	/* Nothing seen, nothing said; the reaper alone; an exit alone. */
	assert_string_equal(ow_render_aftermath(buf, &k), "");
	k.after.reap_start_ns = T0_NS + 1;
	k.after.reap_end_ns = T0_NS + 400001;
	assert_string_equal(ow_render_aftermath(buf, &k), "reaped by the OOM reaper in 0.4 ms");
	k.after = (struct ow_kill_aftermath){ .exit_ns = T0_NS + 12 * SEC_NS };
	assert_string_equal(ow_render_aftermath(buf, &k), "exited 12s after the kill");
	/* Stamped just before the kill (the kernel signals before it stamps): at the kill; a
	 * clock step (more than 50 ms before): an exit, no span. */
	k.after.exit_ns = T0_NS - 30 * MS_NS;
	assert_string_equal(ow_render_aftermath(buf, &k), "exited at the kill");
	k.after.exit_ns = T0_NS - 51 * MS_NS;
	assert_string_equal(ow_render_aftermath(buf, &k), "exited");

	/* Unmapped shmem: only the domain's processes count, floored at 0, no wrap. */
	assert_int_equal(ow_render_unmapped_shmem_bytes(&k), 0);
	k.unowned.known = true;
	k.unowned.shmem_bytes = 100;
	procs[0].flags = OW_PROC_IN_DOMAIN;
	procs[0].shmem_bytes = 30;
	procs[1].shmem_bytes = 50; /* outside the domain */
	assert_int_equal(ow_render_unmapped_shmem_bytes(&k), 70);
	procs[1].flags = OW_PROC_IN_DOMAIN;
	procs[1].shmem_bytes = UINT64_MAX - 10;
	assert_int_equal(ow_render_unmapped_shmem_bytes(&k), 0);
	assert_string_equal(ow_render_snapshot_kind(&k), "full");
	k.flags = OW_KILL_SNAPSHOT_SKIPPED;
	assert_string_equal(ow_render_snapshot_kind(&k), "skipped");
	k.flags |= OW_KILL_FROM_KMSG;
	assert_string_equal(ow_render_snapshot_kind(&k), "kmsg");
}

/* Every jansson allocation of the new fields fails in turn: -ENOMEM each time, no leak. */
static void test_json_kill_context_out_of_memory(void **state)
{
	struct fixture fx;
	int failures = 0;

	(void)state;
	build_context(&fx, NULL);
	fx.v.culprit.kind = OW_CULPRIT_PROCESS_TREE;
	fx.v.culprit.n_members = 3;
	for (int budget = 0;; budget++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int r;

		assert_non_null(f);
		alloc_budget = budget;
		json_set_alloc_funcs(failing_malloc, free);
		r = ow_render_incident_json(f, &fx.inc, &fx.v);
		if (r == 0)
			r = ow_render_kill_jsonl(f, &fx.inc, 0, &fx.v);
		json_set_alloc_funcs(malloc, free);
		fclose(f);
		free(buf);
		if (r == 0)
			break;
		assert_int_equal(r, -ENOMEM);
		failures++;
	}
	assert_true(failures > 200);
	teardown_fx(&fx);
}

/* ---- list ---- */

static void test_list_text(void **state)
{
	int32_t victims1[] = { 4240, 4241 };
	int32_t victims2[40];
	struct ow_incident_summary rows[3] = {
		{ .id = 3,
		  .start_ns = T0_NS,
		  .end_ns = T0_NS + 1000000000ull,
		  .domain_kind = OW_DOMAIN_MEMCG,
		  .domain_cgroup = "/oomwitness-demo",
		  .n_victims = 2,
		  .victim_pids = victims1,
		  .culprit_kind = "process",
		  .culprit_pid = 4242,
		  .culprit_comm = "memhog" },
		{ .id = 4,
		  .start_ns = T0_NS + 3600ull * 1000000000ull,
		  .end_ns = T0_NS + 3600ull * 1000000000ull,
		  .domain_kind = OW_DOMAIN_GLOBAL,
		  .n_victims = 40,
		  .victim_pids = victims2,
		  .culprit_kind = "process-tree",
		  .culprit_pid = 100,
		  .culprit_comm = "make\n\x1b[2Jevil",
		  .lost_events = 7 },
		{ .id = 5,
		  .start_ns = T0_NS,
		  .domain_kind = OW_DOMAIN_MEMCG,
		  .domain_cgroup = "/a/very/long/cgroup/path/that/goes/on/and/on/forever.slice",
		  .culprit_kind = NULL },
	};
	char *out;

	(void)state;
	for (int i = 0; i < 40; i++)
		victims2[i] = 100000 + i;
	out = render_list(ow_render_list_text, NULL, 0);
	assert_string_equal(out, "no incidents recorded\n");
	free(out);

	out = render_list(ow_render_list_text, rows, 3);
	if (getenv("OW_TEST_PRINT"))
		fputs(out, stderr);
	assert_terminal_safe(out);
	assert_true(has_line_starting(out, "ID "));
	assert_true(has_line_starting(out, "3       2026-11-25 19:04:05  memcg /oomwitness-demo"));
	assert_non_null(strstr(out, "4240,4241"));
	assert_non_null(strstr(out, "memhog (pid 4242)"));
	assert_true(has_line_starting(out, "4 "));
	assert_non_null(strstr(out, "40!"));
	assert_true(has_line_starting(out, "(! ring-buffer records were lost"));
	assert_false(has_line_starting(out, "evil"));
	assert_true(has_line_starting(out, "5 "));
	free(out);
}

/* The footer of `list` for kills missed while the recorder was not running. */
static void test_missed_total_footer(void **state)
{
	int32_t victims[] = { 4240 };
	struct ow_incident_summary row = { .id = 3,
					   .start_ns = T0_NS,
					   .end_ns = T0_NS,
					   .domain_kind = OW_DOMAIN_MEMCG,
					   .domain_cgroup = "/oomwitness-demo",
					   .n_victims = 1,
					   .victim_pids = victims,
					   .culprit_kind = "process",
					   .culprit_pid = 4240,
					   .culprit_comm = "memhog",
					   .missed_kills = 2 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char *out;

	(void)state;
	assert_non_null(f);
	assert_int_equal(ow_render_missed_total_text_styled(f, 0, NULL), 0);
	fflush(f);
	assert_int_equal(len, 0);
	assert_int_equal(ow_render_missed_total_text_styled(f, 1, NULL), 0);
	fclose(f);
	assert_string_equal(buf, "\n1 OOM kill on this machine happened while the recorder was not "
				 "running: not in this database\n");
	free(buf);

	out = render_list(ow_render_list_text, &row, 1);
	assert_non_null(strstr(out, "1!"));
	assert_true(has_line_starting(out, "(! the recorder was down for OOM kills"));
	assert_false(has_line_starting(out, "(! ring-buffer records were lost"));
	free(out);
}

/* The lost-record footer of `list`: nothing when none were lost, one notice otherwise. */
static void test_lost_total_footer(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(ow_render_lost_total_text(f, 0), 0);
	fflush(f);
	assert_int_equal(len, 0);
	assert_int_equal(ow_render_lost_total_text(f, 2910), 0);
	fclose(f);
	assert_non_null(
		strstr(buf, "2910 ring-buffer records lost since this database was created"));
	assert_non_null(strstr(buf, "--ringbuf-mib"));
	free(buf);
}

static void test_list_json(void **state)
{
	int32_t victims[] = { 4240, 4241 };
	struct ow_incident_summary rows[2] = {
		{ .id = 3,
		  .start_ns = T0_NS,
		  .end_ns = T0_NS + 1000000000ull,
		  .domain_kind = OW_DOMAIN_MEMCG,
		  .domain_cgroup = "/oomwitness-demo",
		  .n_victims = 2,
		  .victim_pids = victims,
		  .culprit_kind = "process",
		  .culprit_pid = 4242,
		  .culprit_comm = "memhog",
		  .lost_events = 1,
		  .missed_kills = 3 },
		{ .id = 4,
		  .start_ns = T0_NS,
		  .end_ns = T0_NS,
		  .domain_kind = OW_DOMAIN_GLOBAL,
		  .culprit_kind = "none",
		  .culprit_comm = "\xff" },
	};
	json_t *root, *row, *culprit;
	char *out;

	(void)state;
	out = render_list(ow_render_list_json, NULL, 0);
	root = parse(out);
	assert_true(json_is_array(root));
	assert_int_equal(json_array_size(root), 0);
	json_decref(root);
	free(out);

	out = render_list(ow_render_list_json, rows, 2);
	root = parse(out);
	assert_int_equal(json_array_size(root), 2);
	row = json_array_get(root, 0);
	assert_int_equal(jint(row, "id"), 3);
	assert_string_equal(jstr(row, "start_time"), "2026-11-25T19:04:05.123Z");
	assert_matches(jstr(row, "end_time"), RFC3339_MS);
	assert_string_equal(jstr(row, "domain"), "memcg:/oomwitness-demo");
	assert_string_equal(jstr(row, "domain_kind"), "memcg");
	assert_string_equal(jstr(row, "domain_cgroup"), "/oomwitness-demo");
	assert_int_equal(json_array_size(json_object_get(row, "victims")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(row, "victims"), 1)),
			 4241);
	culprit = json_object_get(row, "culprit");
	assert_string_equal(jstr(culprit, "kind"), "process");
	assert_int_equal(jint(culprit, "pid"), 4242);
	assert_string_equal(jstr(culprit, "comm"), "memhog");
	assert_int_equal(jint(row, "lost_events"), 1);
	assert_int_equal(jint(row, "missed_kills"), 3);

	row = json_array_get(root, 1);
	assert_int_equal(jint(row, "missed_kills"), 0);
	assert_string_equal(jstr(row, "domain"), "global");
	assert_null_field(row, "domain_cgroup");
	assert_int_equal(json_array_size(json_object_get(row, "victims")), 0);
	culprit = json_object_get(row, "culprit");
	assert_string_equal(jstr(culprit, "kind"), "none");
	assert_null_field(culprit, "pid");
	assert_string_equal(jstr(culprit, "comm"), "\xef\xbf\xbd");
	json_decref(root);
	free(out);
}

/* ---- errors ---- */

/* Fails each jansson allocation in turn: every one must end in -ENOMEM, without a leak. */
static void test_json_out_of_memory(void **state)
{
	int32_t victims[] = { 4240, 4241 };
	struct ow_incident_summary row = { .id = 3,
					   .start_ns = T0_NS,
					   .domain_kind = OW_DOMAIN_MEMCG,
					   .domain_cgroup = "/x",
					   .n_victims = 2,
					   .victim_pids = victims,
					   .culprit_kind = "process",
					   .culprit_pid = 4242,
					   .culprit_comm = "memhog" };
	struct fixture fx;
	int failures = 0;

	(void)state;
	build(&fx, NULL, NULL, NULL);
	for (int budget = 0;; budget++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int r, r_list;

		assert_non_null(f);
		alloc_budget = budget;
		json_set_alloc_funcs(failing_malloc, free);
		r = ow_render_incident_json(f, &fx.inc, &fx.v);
		alloc_budget = budget;
		r_list = ow_render_list_json(f, &row, 1);
		json_set_alloc_funcs(malloc, free);
		fclose(f);
		free(buf);
		if (r == 0 && r_list == 0)
			break;
		if (r != 0)
			assert_int_equal(r, -ENOMEM);
		if (r_list != 0)
			assert_int_equal(r_list, -ENOMEM);
		failures++;
	}
	assert_true(failures > 100);
	teardown_fx(&fx);
}

static void test_write_errors(void **state)
{
	struct fixture fx;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	if (!full)
		skip();
	build(&fx, NULL, NULL, NULL);
	assert_int_equal(ow_render_incident_text(full, &fx.inc, &fx.v), -EIO);
	clearerr(full);
	assert_int_equal(ow_render_incident_json(full, &fx.inc, &fx.v), -EIO);
	clearerr(full);
	assert_int_equal(ow_render_list_text(full, NULL, 0), -EIO);
	clearerr(full);
	assert_int_equal(ow_render_list_json(full, NULL, 0), -EIO);
	fclose(full);
	assert_int_equal(ow_render_incident_text(stdout, NULL, NULL), -EINVAL);
	teardown_fx(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_format_times),
		cmocka_unit_test(test_utf8_sanitize),
		cmocka_unit_test(test_text_sanitize),
		cmocka_unit_test(test_show_json_contract),
		cmocka_unit_test(test_show_json_hostile),
		cmocka_unit_test(test_show_json_no_verdict),
		cmocka_unit_test(test_show_text_seed),
		cmocka_unit_test(test_show_text_hostile),
		cmocka_unit_test(test_show_text_no_verdict),
		cmocka_unit_test(test_partial_follows_verdict),
		cmocka_unit_test(test_list_text),
		cmocka_unit_test(test_lost_total_footer),
		cmocka_unit_test(test_missed_kills_shown),
		cmocka_unit_test(test_missed_total_footer),
		cmocka_unit_test(test_list_json),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_json_out_of_memory),
		cmocka_unit_test(test_show_json_kill_context),
		cmocka_unit_test(test_show_text_kill_context),
		cmocka_unit_test(test_kill_context_hostile),
		cmocka_unit_test(test_culprit_kinds),
		cmocka_unit_test(test_format_kill_context),
		cmocka_unit_test(test_json_kill_context_out_of_memory),
	};

	/* Text output is local time: pin the zone so that the expected strings hold. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
