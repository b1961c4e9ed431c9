/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Renderers: an incident and its verdict, as text for people or JSON for programs.
 *
 * Pure: they take model structs and a FILE * and write; no database, no /proc, no globals
 * (the time zone for text comes from the environment, as for any C program). The JSON shape
 * is a stable contract documented in docs/json.md. Functions return 0 or -errno (-EIO when the
 * stream failed, -ENOMEM).
 */
#ifndef OW_RENDER_H
#define OW_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/verdict.h"
#include "model/summary.h"

/* `oomwitness show`: kill chain, ranking per kill, verdict; lines within 100 columns. */
int ow_render_incident_text(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v);
/* `oomwitness show --json`: one JSON object. */
int ow_render_incident_json(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v);
/*
 * `oomwitness record --jsonl` (docs/json.md, "JSON Lines"): one compact JSON object and one
 * '\n', the only newline written; flushed. A kill line holds kill kill_index of inc as show
 * --json's kills[] has it: {"type":"kill","format_version":1,"incident_id":ID,"kill":KILL,
 * "domain":DOMAIN}. -EINVAL when kill_index is past the kills.
 */
int ow_render_kill_jsonl(FILE *out, const struct ow_incident *inc, size_t kill_index,
			 const struct ow_verdict *v);
/*
 * An incident line: show --json's object without "id" (it is "incident_id"), "kills" (each has
 * its kill line; "victims" lists their pids) and "history" (too big for a log line):
 * {"type":"incident","format_version":1,"incident_id":ID,"start_time":..,"victims":[..],
 * "culprit":..,"verdict":..,...,"lost_events":N}.
 */
int ow_render_incident_jsonl(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v);
/*
 * `oomwitness show ID --html FILE`: one self-contained HTML page (no scripts or styles fetched
 * from anywhere): an SVG chart of memory over time for the top processes and the domain's
 * limit with kill markers, the kill chain, the ranking and the verdict.
 */
int ow_render_incident_html(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v);

/* `oomwitness list`: one line per incident, a header first; "no incidents recorded" if n is 0. */
int ow_render_list_text(FILE *out, const struct ow_incident_summary *rows, size_t n);
/*
 * The footer of `oomwitness list` when the recorder ever lost ring-buffer records (lost_total,
 * counted since the database was created): one line saying so and what to do. Nothing when 0.
 */
int ow_render_lost_total_text(FILE *out, uint64_t lost_total);
/*
 * How the text renderers dress their lines. Colour marks a few words with SGR escape codes
 * (VERDICT, CULPRIT, KILLED, INNOCENT, warnings); the text itself stays the same, and so do the
 * columns it takes. The commands turn it on for a terminal only (README, "Colour").
 */
struct ow_text_style {
	bool color;
};

/* The text renderers above, dressed as style says; style NULL is plain, as they are. */
int ow_render_incident_text_styled(FILE *out, const struct ow_incident *inc,
				   const struct ow_verdict *v, const struct ow_text_style *style);
int ow_render_list_text_styled(FILE *out, const struct ow_incident_summary *rows, size_t n,
			       const struct ow_text_style *style);
int ow_render_lost_total_text_styled(FILE *out, uint64_t lost_total,
				     const struct ow_text_style *style);
/*
 * The footer of `oomwitness list` when OOM kills happened while the recorder was not running
 * (missed_total, counted since the database was created; docs/storage.md, "Crash safety"):
 * one line saying so. Nothing when 0.
 */
int ow_render_missed_total_text_styled(FILE *out, uint64_t missed_total,
				       const struct ow_text_style *style);

/* `oomwitness list --json`: a JSON array. */
int ow_render_list_json(FILE *out, const struct ow_incident_summary *rows, size_t n);

#endif
