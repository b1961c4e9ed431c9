/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of command-line redaction (src/capture/redact.c, `record --redact`): several
 * patterns, overlapping and touching matches, empty matches (which must not loop), anchors,
 * secrets in the middle of a line, --password=... and token=... examples, long lines, invalid
 * patterns with regerror's words; then the command-line cache with a redactor, on a private
 * fake /proc: lines read at start, at exec and by the /proc fallback are all redacted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/cmdline_cache.h"
#include "capture/redact.h"

/* A redactor of a NULL-terminated list of patterns; every one must compile. */
static struct ow_redactor *redactor_of(const char *const *patterns)
{
	struct ow_redactor *r = NULL;
	char err[128];

	assert_int_equal(ow_redactor_new(&r), 0);
	for (const char *const *p = patterns; *p; p++) {
		if (ow_redactor_add(r, *p, err, sizeof(err)) != 0)
			fail_msg("pattern '%s' refused: %s", *p, err);
	}
	return r;
}

#define REDACTOR(...) redactor_of((const char *const[]){ __VA_ARGS__, NULL })

/* Asserts that r turns in into want. */
static void check(const struct ow_redactor *r, const char *in, const char *want)
{
	char *out = NULL;

	assert_int_equal(ow_redact(r, in, &out), 0);
	assert_non_null(out);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' -> '%s', expected '%s'", in, out, want);
	free(out);
}

static void test_no_patterns_copies(void **state)
{
	struct ow_redactor *r = redactor_of((const char *const[]){ NULL });

	(void)state;
	assert_int_equal(ow_redactor_count(r), 0);
	check(r, "app --secret-token hunter2", "app --secret-token hunter2");
	check(NULL, "app --secret-token hunter2", "app --secret-token hunter2");
	check(r, "", "");
	ow_redactor_free(r);
	ow_redactor_free(NULL);
}

static void test_secret_in_the_middle(void **state)
{
	struct ow_redactor *r = REDACTOR("hunter2");

	(void)state;
	check(r, "memhog --name leaker --secret-token hunter2 --grow-mib-s 64",
	      "memhog --name leaker --secret-token *** --grow-mib-s 64");
	check(r, "hunter2", "***");
	check(r, "a hunter2 b hunter2 c", "a *** b *** c");
	check(r, "no secret here", "no secret here");
	ow_redactor_free(r);
}

static void test_password_and_token_examples(void **state)
{
	struct ow_redactor *r =
		REDACTOR("--password[= ][^ ]*", "token=[A-Za-z0-9_-]+", "[Aa]uthorization: [^ ]+");

	(void)state;
	assert_int_equal(ow_redactor_count(r), 3);
	check(r, "mysql -u root --password=s3cr3t! -h db", "mysql -u root *** -h db");
	check(r, "mysql -u root --password s3cr3t! -h db", "mysql -u root *** -h db");
	check(r, "curl https://api/x?token=abc_123-XY&page=2", "curl https://api/x?***&page=2");
	check(r, "curl -H Authorization: Bearer.xyz https://api", "curl -H *** https://api");
	/* Both kinds in one line; what does not match stays. */
	check(r, "job --password=a token=b --user=c", "job *** *** --user=c");
	ow_redactor_free(r);
}

static void test_overlapping_and_touching_matches(void **state)
{
	struct ow_redactor *two = REDACTOR("abcd", "cdef");
	struct ow_redactor *runs = REDACTOR("A+", "B+");
	struct ow_redactor *one = REDACTOR("secret");
	struct ow_redactor *aa = REDACTOR("aa");
	struct ow_redactor *stars = REDACTOR("x", "\\*+");

	(void)state;
	/* Two patterns overlap: their union is hidden, as one mask. */
	check(two, "xx abcdef yy", "xx *** yy");
	check(two, "abcdef", "***");
	/* Matches that touch become one mask: the mask does not tell how many there were. */
	check(runs, "AAABBB tail", "*** tail");
	check(one, "secretsecret secret", "*** ***");
	/* One pattern's own matches do not overlap, as sed's s///g: the odd a stays. */
	check(aa, "aaa", "***a");
	check(aa, "aaaa", "***");
	/* The mask is never matched again, whatever the order of the patterns. */
	check(stars, "x*y", "***y");
	ow_redactor_free(two);
	ow_redactor_free(runs);
	ow_redactor_free(one);
	ow_redactor_free(aa);
	ow_redactor_free(stars);
}

static void test_empty_matches_terminate(void **state)
{
	struct ow_redactor *star = REDACTOR("x*");
	struct ow_redactor *alt = REDACTOR("x*|b");
	struct ow_redactor *anchors = REDACTOR("^", "$", "()", "\\<");

	(void)state;
	/* x* matches the empty string everywhere: nothing to hide, and no endless loop. */
	check(star, "abc", "abc");
	check(star, "axxb", "a***b");
	check(star, "", "");
	check(alt, "abc", "a***c");
	check(anchors, "a b c", "a b c");
	ow_redactor_free(star);
	ow_redactor_free(alt);
	ow_redactor_free(anchors);
}

static void test_anchors(void **state)
{
	struct ow_redactor *start = REDACTOR("^/opt/secret[^ ]*");
	struct ow_redactor *end = REDACTOR("[0-9]+$");
	struct ow_redactor *a = REDACTOR("^a");

	(void)state;
	check(start, "/opt/secret-tool --x", "*** --x");
	check(start, "run /opt/secret-tool", "run /opt/secret-tool");
	check(end, "job 1234", "job ***");
	check(end, "1234 job", "1234 job");
	/* ^ is the start of the whole line only, not of where the search resumes. */
	check(a, "aaa", "***aa");
	ow_redactor_free(start);
	ow_redactor_free(end);
	ow_redactor_free(a);
}

static void test_invalid_pattern_words(void **state)
{
	struct ow_redactor *r = REDACTOR("ok");
	char err[128];

	(void)state;
	assert_int_equal(ow_redactor_add(r, "(unclosed", err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "("));
	assert_int_equal(ow_redactor_add(r, "[a-", err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	assert_int_equal(ow_redactor_add(r, "a{2,1}", err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	/* A refused pattern is not added; the others still work. */
	assert_int_equal(ow_redactor_count(r), 1);
	check(r, "ok then", "*** then");
	ow_redactor_free(r);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_long_lines(void **state)
{
	struct ow_redactor *tok = REDACTOR("token=[a-z0-9]+");
	struct ow_redactor *star = REDACTOR("x*");
	struct ow_redactor *every = REDACTOR("a");
	size_t len = 16384;
	char *in = malloc(len + 1), *out = NULL;
	double t0;
	size_t n = 0;

	(void)state;
	assert_non_null(in);
	/* A long line with a secret every 64 bytes: each one hidden, the rest kept. */
	for (size_t i = 0; i < len; i += 64)
		snprintf(in + i, len + 1 - i, "%-63s ", "--opt token=deadbeef0123");
	in[len] = '\0';
	assert_int_equal(ow_redact(tok, in, &out), 0);
	assert_null(strstr(out, "deadbeef"));
	for (const char *p = out; (p = strstr(p, "--opt ***")) != NULL; p++)
		n++;
	assert_int_equal(n, len / 64);
	free(out);

	/* Empty matches at every byte of a long line, and a match at every byte: both finish. */
	memset(in, 'a', len);
	t0 = now_s();
	check(star, in, in);
	check(every, in, "***");
	assert_true(now_s() - t0 < 10.0);
	free(in);
	ow_redactor_free(tok);
	ow_redactor_free(star);
	ow_redactor_free(every);
}

/* ---- the command-line cache with a redactor, on a private fake /proc ---- */

struct tmp_root {
	char dir[64];
	int32_t pids[8];
	size_t n;
};

static void tmp_write_cmdline(struct tmp_root *t, int32_t pid, const char *raw, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/%d", t->dir, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", t->dir, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(raw, 1, len, f), len);
	fclose(f);
	t->pids[t->n++] = pid;
}

static void tmp_cleanup(struct tmp_root *t)
{
	char path[128];

	for (size_t i = 0; i < t->n; i++) {
		snprintf(path, sizeof(path), "%s/proc/%d/cmdline", t->dir, t->pids[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/proc/%d", t->dir, t->pids[i]);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/proc", t->dir);
	rmdir(path);
	rmdir(t->dir);
}

static void tmp_root_make(struct tmp_root *t)
{
	char path[128];

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/ow-test-redact-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(path, sizeof(path), "%s/proc", t->dir);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void test_cache_redacts_every_line_it_reads(void **state)
{
	static const char leaker[] = "memhog\0--name\0leaker\0--secret-token\0hunter2\0";
	static const char curl[] = "curl\0https://x/?token=abc123\0";
	static const char later[] = "later\0hunter2\0";
	struct ow_redactor *r = REDACTOR("hunter2", "token=[a-z0-9]+");
	struct ow_cmdline_cache *c = NULL;
	struct tmp_root t;

	(void)state;
	tmp_root_make(&t);
	tmp_write_cmdline(&t, 10, leaker, sizeof(leaker) - 1);
	assert_int_equal(ow_cmdline_cache_new(t.dir, 1000, &c), 0);
	assert_int_equal(ow_cmdline_cache_set_redactor(c, r), 0);
	/* Read at start. */
	assert_int_equal(ow_cmdline_cache_scan(c), 1);
	assert_string_equal(ow_cmdline_cache_get(c, 10, 0),
			    "memhog --name leaker --secret-token ***");
	/* Read after an exec. */
	tmp_write_cmdline(&t, 11, curl, sizeof(curl) - 1);
	ow_cmdline_cache_on_exec(c, 11);
	ow_cmdline_cache_load_pending(c);
	assert_int_equal(ow_cmdline_cache_size(c), 2);
	assert_string_equal(ow_cmdline_cache_get(c, 11, 0), "curl https://x/?***");
	/* Read by the /proc fallback of a lookup, and a fork's parent line. */
	tmp_write_cmdline(&t, 12, later, sizeof(later) - 1);
	assert_string_equal(ow_cmdline_cache_get(c, 12, 0), "later ***");
	assert_string_equal(ow_cmdline_cache_get(c, 13, 10),
			    "memhog --name leaker --secret-token ***");
	ow_cmdline_cache_free(c);
	tmp_cleanup(&t);
	ow_redactor_free(r);
}

static void test_cache_redactor_set_after_scan(void **state)
{
	static const char leaker[] = "memhog\0--secret-token\0hunter2\0";
	struct ow_redactor *r = REDACTOR("hunter2");
	struct ow_cmdline_cache *c = NULL;
	struct tmp_root t;

	(void)state;
	tmp_root_make(&t);
	tmp_write_cmdline(&t, 20, leaker, sizeof(leaker) - 1);
	assert_int_equal(ow_cmdline_cache_new(t.dir, 1000, &c), 0);
	assert_int_equal(ow_cmdline_cache_scan(c), 1);
	assert_string_equal(ow_cmdline_cache_get(c, 20, 0), "memhog --secret-token hunter2");
	/* Lines already cached are redacted when the redactor is set. */
	assert_int_equal(ow_cmdline_cache_set_redactor(c, r), 0);
	assert_string_equal(ow_cmdline_cache_get(c, 20, 0), "memhog --secret-token ***");
	assert_int_equal(ow_cmdline_cache_size(c), 1);
	ow_cmdline_cache_free(c);
	tmp_cleanup(&t);
	ow_redactor_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_patterns_copies),
		cmocka_unit_test(test_secret_in_the_middle),
		cmocka_unit_test(test_password_and_token_examples),
		cmocka_unit_test(test_overlapping_and_touching_matches),
		cmocka_unit_test(test_empty_matches_terminate),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_invalid_pattern_words),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_cache_redacts_every_line_it_reads),
		cmocka_unit_test(test_cache_redactor_set_after_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
