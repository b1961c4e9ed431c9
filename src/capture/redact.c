/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line redaction (see redact.h): each pattern marks the bytes it matches in a mask the
 * size of the string; each run of marked bytes is then written as one "***". The mask makes
 * overlapping and touching matches of several patterns one span without sorting anything.
 */
#include "capture/redact.h"

#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ow_redactor {
	regex_t *res;
	size_t n, cap;
};

int ow_redactor_new(struct ow_redactor **ret_redactor)
{
	struct ow_redactor *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	*ret_redactor = r;
	return 0;
}

void ow_redactor_free(struct ow_redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		regfree(&r->res[i]);
	free(r->res);
	free(r);
}

int ow_redactor_add(struct ow_redactor *r, const char *pattern, char *err, size_t err_len)
{
	int rc;

	if (err_len)
		err[0] = '\0';
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 4;
		regex_t *res = realloc(r->res, cap * sizeof(*res));

		if (!res)
			return -ENOMEM;
		r->res = res;
		r->cap = cap;
	}
	rc = regcomp(&r->res[r->n], pattern, REG_EXTENDED);
	if (rc != 0) {
		if (err_len)
			regerror(rc, &r->res[r->n], err, err_len);
		return rc == REG_ESPACE ? -ENOMEM : -EINVAL;
	}
	r->n++;
	return 0;
}

size_t ow_redactor_count(const struct ow_redactor *r)
{
	return r ? r->n : 0;
}

/* Marks in mask every byte of s (len bytes) that re matches; returns true if any. */
static bool mark_matches(const regex_t *re, const char *s, size_t len, bool *mask)
{
	bool any = false;
	size_t off = 0;

	while (off < len) {
		regmatch_t m;
		size_t start, end;

		if (regexec(re, s + off, 1, &m, off ? REG_NOTBOL : 0) != 0)
			break;
		start = off + (size_t)m.rm_so;
		end = off + (size_t)m.rm_eo;
		if (end > start) {
			memset(mask + start, true, end - start);
			any = true;
			off = end;
		} else {
			off = start + 1; /* an empty match hides nothing: step over it */
		}
	}
	return any;
}

int ow_redact(const struct ow_redactor *r, const char *in, char **ret_out)
{
	size_t len = strlen(in), out_len = 0, o = 0;
	bool *mask = NULL, any = false;
	char *out;

	if (r && r->n && len) {
		mask = calloc(len, sizeof(*mask));
		if (!mask)
			return -ENOMEM;
		for (size_t i = 0; i < r->n; i++)
			any |= mark_matches(&r->res[i], in, len, mask);
	}
	if (!any) {
		free(mask);
		out = strdup(in);
		if (!out)
			return -ENOMEM;
		*ret_out = out;
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if (!mask[i])
			out_len++;
		else if (i == 0 || !mask[i - 1])
			out_len += strlen(OW_REDACT_MASK);
	out = malloc(out_len + 1);
	if (!out) {
		free(mask);
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		if (!mask[i]) {
			out[o++] = in[i];
		} else if (i == 0 || !mask[i - 1]) {
			memcpy(out + o, OW_REDACT_MASK, strlen(OW_REDACT_MASK));
			o += strlen(OW_REDACT_MASK);
		}
	}
	out[o] = '\0';
	free(mask);
	*ret_out = out;
	return 0;
}
