/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Formatting helpers shared by the renderers: times (RFC 3339 UTC for JSON, local time for text
 * and HTML), and the three ways of making strings that come from processes safe to print:
 * ow_utf8_sanitize() makes any bytes valid UTF-8 (for JSON), ow_text_sanitize() also
 * neutralises control characters and truncates to a width (for terminals), and
 * ow_html_escape() escapes them for HTML. Byte counts are written by model/units.h, which the
 * verdict shares. Pure: no globals, no I/O.
 */
#ifndef OW_OUTPUT_FORMAT_H
#define OW_OUTPUT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/growth.h"
#include "analysis/verdict.h"
#include "model/units.h"

/* Room for any ow_format_time_*() result, NUL included. */
#define OW_TIME_STR_LEN 40

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

/*
 * The first len bytes of src (stopping early at a NUL) for HTML, as text or inside a quoted
 * attribute value: valid UTF-8 (each ill-formed sequence becomes U+FFFD), & < > " ' written as
 * character references, C0 control characters and DEL shown as their Control Pictures ("\n"
 * becomes U+240A, ESC U+241B) so that they stay visible, C1 controls and invisible or
 * direction-changing format characters replaced by U+FFFD. malloc'd; NULL when out of memory.
 */
char *ow_html_escape(const char *src, size_t len);

/* Display width of a UTF-8 string in code points (ill-formed bytes count one each). */
size_t ow_utf8_columns(const char *s);

/*
 * The badness of p, a process of kill k's snapshot, at that kill: its ranking row when a ranked
 * it (*ret_rank is then its 1-based rank), else recomputed with ow_badness_compute() (*ret_rank
 * is 0), so that processes past the ranking and ineligible ones still get points and a reason.
 * a may be NULL.
 */
struct ow_badness ow_render_badness(const struct ow_kill *k, const struct ow_kill_analysis *a,
				    const struct ow_process *p, int *ret_rank);

/* Process pid as the first kill whose snapshot holds it saw it; NULL when no snapshot does. */
const struct ow_process *ow_render_find_process(const struct ow_incident *inc, int32_t pid);

/*
 * Whether the report rests on incomplete data: the verdict's word when there is one (v may be
 * NULL), else the same rule applied to the incident (ow_verdict_partial()).
 */
bool ow_render_partial(const struct ow_incident *inc, const struct ow_verdict *v);

/* Room for any ow_format_ms() result, NUL included. */
#define OW_MS_TEXT_LEN 32

/*
 * A short span for the aftermath of a kill: "0.4 ms" under a millisecond, "15 ms" under 10 s
 * (rounded), else as ow_format_duration() writes it ("12s", "5m10s"). Returns buf.
 */
const char *ow_format_ms(char buf[OW_MS_TEXT_LEN], uint64_t ns);

/*
 * Shared memory of kill k's domain that no process of the domain maps: the domain's shmem
 * (k->unowned.shmem_bytes) less the shmem_bytes of the snapshot's processes in the domain
 * (each address space once, as the verdict counts: ow_process_own_shmem_bytes()), floored at
 * 0. 0 when k->unowned is not known.
 */
uint64_t ow_render_unmapped_shmem_bytes(const struct ow_kill *k);

/* How kill k's snapshot was taken, as JSON's "snapshot" says: "full", "skipped" or "kmsg". */
const char *ow_render_snapshot_kind(const struct ow_kill *k);

/* Room for the sentences below, NUL included. */
#define OW_SENTENCE_LEN 256

/*
 * One change of an oom_score_adj, for people: "oom_score_adj set to -1000 by pid 1 (systemd)
 * at 14:54:03, was 0" (", was N" when the old value is known), or "oom_score_adj -1000
 * inherited from pid 812 (sshd) at fork, 14:54:03". Local time; the date too when it is not
 * that of ref_ns (the incident's first kill). The comm is written as recorded: the caller
 * sanitizes or escapes the sentence. Returns buf.
 */
const char *ow_render_adj_change(char buf[OW_SENTENCE_LEN], const struct ow_adj_change *c,
				 uint64_t ref_ns);

/*
 * What followed kill k, as far as it was seen: "reaped by the OOM reaper in 3 ms: 120.0 MiB
 * freed; exited 15 ms after the kill"; "" when nothing was. Returns buf.
 */
const char *ow_render_aftermath(char buf[OW_SENTENCE_LEN], const struct ow_kill *k);

#endif
