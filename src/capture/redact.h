/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Redaction of command lines (`record --redact REGEX`): a list of POSIX extended regular
 * expressions (regcomp(3), from libc); every match of any of them in a string is replaced by
 * "***" before the string is kept anywhere. The command-line cache applies it to every line it
 * reads, so kill snapshots, histories, JSON Lines and the database only ever see the result.
 *
 * Matching, for each pattern: leftmost-longest matches, left to right, not overlapping (as
 * sed's s///g finds them); only the first search sees the start of the string (^); empty
 * matches hide nothing. The spans of every pattern are found in the original
 * string, then merged where they overlap or touch, and each merged span becomes one "***":
 * two patterns that overlap hide their union, and "***" itself is never matched again.
 * Pure: no I/O, no logging.
 */
#ifndef OW_REDACT_H
#define OW_REDACT_H

#include <stddef.h>

#define OW_REDACT_MASK "***"

struct ow_redactor;

/* An empty redactor (it changes nothing). Returns 0 or -ENOMEM. */
int ow_redactor_new(struct ow_redactor **ret_redactor);
/* Accepts NULL. */
void ow_redactor_free(struct ow_redactor *r);

/*
 * Compiles pattern (POSIX extended) and adds it. Returns 0, -ENOMEM, or -EINVAL for a pattern
 * regcomp refuses, with regerror's words in err (err_len bytes, always terminated).
 */
int ow_redactor_add(struct ow_redactor *r, const char *pattern, char *err, size_t err_len);

/* Number of patterns added. */
size_t ow_redactor_count(const struct ow_redactor *r);

/*
 * Sets *ret_out to a new string (the caller frees it): in with every match replaced by "***";
 * a copy of in when nothing matches or r is NULL. Returns 0 or -ENOMEM (then *ret_out is
 * untouched: the caller must not fall back to in).
 */
int ow_redact(const struct ow_redactor *r, const char *in, char **ret_out);

#endif
