/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Formatting helpers shared by the text and JSON renderers: byte counts for people, times
 * (RFC 3339 UTC for JSON, local time for text), and the two ways of making strings that come
 * from processes safe to print: ow_utf8_sanitize() makes any bytes valid UTF-8 (for JSON), and
 * ow_text_sanitize() also neutralises control characters and truncates to a width (for
 * terminals). Pure: no globals, no I/O.
 */
#ifndef OW_OUTPUT_FORMAT_H
#define OW_OUTPUT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/verdict.h"

/* Room for any ow_format_bytes() result, NUL included ("1023.9 EiB"). */
#define OW_BYTES_STR_LEN 16
/* Room for any ow_format_time_*() result, NUL included. */
#define OW_TIME_STR_LEN 40

/*
 * Bytes for people, binary units: "0 B", "512 B", "128 KiB", "212.4 MiB", "256.0 MiB",
 * "1.5 GiB". KiB are whole; MiB and larger carry one decimal. Returns buf.
 */
const char *ow_format_bytes(char *buf, size_t size, uint64_t bytes);

/* RFC 3339 UTC with milliseconds: "2026-11-25T19:04:05.123Z". Returns 0 or -EOVERFLOW. */
int ow_format_time_rfc3339(char *buf, size_t size, uint64_t time_ns);

/* Parts of a local time, for ow_format_time_local(); combine with |. */
enum ow_time_part {
	OW_TIME_DATE = 1u << 0, /* "2026-11-25" */
	OW_TIME_CLOCK = 1u << 1, /* "19:04:05" */
	OW_TIME_MILLIS = 1u << 2, /* ".123" after the clock */
};

/*
 * Local time (the TZ of the environment): DATE|CLOCK gives "2026-11-25 19:04:05", CLOCK|MILLIS
 * gives "19:04:05.123". Returns 0 or -EOVERFLOW.
 */
int ow_format_time_local(char *buf, size_t size, uint64_t time_ns, unsigned int parts);

/*
 * A copy of the first len bytes of src (stopping early at a NUL) that is valid UTF-8: each
 * ill-formed sequence (maximal subpart, as Unicode recommends) becomes U+FFFD. Control
 * characters are kept; JSON escapes them. malloc'd; NULL when out of memory.
 */
char *ow_utf8_sanitize(const char *src, size_t len);

/*
 * Copies the first len bytes of src (stopping early at a NUL) into dst for a terminal: ill-formed
 * UTF-8, C0 and C1 control characters, DEL, and invisible or direction-changing format
 * characters become '?'. At most max_cols code points are written; a longer string is cut to
 * max_cols - 1 of them and "…" (U+2026). Always NUL-terminates dst (size >= 1), cutting with
 * "…" when dst is too small too. Returns the number of code points written.
 */
size_t ow_text_sanitize(char *dst, size_t size, const char *src, size_t len, size_t max_cols);

/* Display width of a UTF-8 string in code points (ill-formed bytes count one each). */
size_t ow_utf8_columns(const char *s);

/* Page size the badness points are counted in, as the verdict counts them (x86-64). */
#define OW_RENDER_PAGE_SIZE 4096u

/*
 * The badness of p, a process of kill k's snapshot, at that kill: its ranking row when a ranked
 * it (*ret_rank is then its 1-based rank), else recomputed with ow_badness_compute() (*ret_rank
 * is 0), so that processes past the ranking and ineligible ones still get points and a reason.
 * a may be NULL.
 */
struct ow_badness ow_render_badness(const struct ow_kill *k, const struct ow_kill_analysis *a,
				    const struct ow_process *p, int *ret_rank);

#endif
