/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the renderer tests (test_golden, test_render, test_html) share to look at output:
 * rendering an incident into a string, reading the JSON back, failing jansson's allocations on
 * purpose, and checking that text is safe for a terminal. Static inline, as fixtures.h;
 * failures are cmocka assertions.
 */
#ifndef OW_TESTS_RENDER_CHECKS_H
#define OW_TESTS_RENDER_CHECKS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/render.h"

/* What fn renders of the incident, malloc'd; also on stderr when OW_TEST_PRINT is set. */
static inline char *render(int (*fn)(FILE *, const struct ow_incident *, const struct ow_verdict *),
			   const struct ow_incident *inc, const struct ow_verdict *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, inc, v), 0);
	assert_int_equal(fclose(f), 0);
	if (getenv("OW_TEST_PRINT"))
		fputs(buf, stderr);
	return buf;
}

static inline json_t *parse(const char *text)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);

	if (!root)
		fail_msg("JSON does not parse: %s at line %d: %s", err.text, err.line, text);
	return root;
}

static inline json_int_t jint(const json_t *obj, const char *key)
{
	const json_t *j = json_object_get(obj, key);

	if (!json_is_integer(j))
		fail_msg("\"%s\" is not an integer", key);
	return json_integer_value(j);
}

static inline const char *jstr(const json_t *obj, const char *key)
{
	const json_t *j = json_object_get(obj, key);

	if (!json_is_string(j))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(j);
}

static inline void assert_null_field(const json_t *obj, const char *key)
{
	if (!json_is_null(json_object_get(obj, key)))
		fail_msg("\"%s\" is not null", key);
}

/* Allocations jansson may still make before failing_malloc() fails; set by the test. */
static int alloc_budget __attribute__((unused));

/* For json_set_alloc_funcs(): malloc until alloc_budget runs out, then NULL. */
static inline void *failing_malloc(size_t size)
{
	if (alloc_budget <= 0)
		return NULL;
	alloc_budget--;
	return malloc(size);
}

/* Code points of a line, counted independently of format.c: bytes that do not continue. */
static inline size_t columns(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Every line within 100 code points, no control characters but newlines. */
static inline void assert_terminal_safe(const char *text)
{
	const char *line = text;

	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 && c != '\n')
			fail_msg("control byte 0x%02x in text output at offset %td", c, p - text);
		if (c == 0x7f)
			fail_msg("DEL in text output at offset %td", p - text);
	}
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (columns(line, len) > 100)
			fail_msg("line of %zu columns: %.*s", columns(line, len), (int)len, line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

#endif
