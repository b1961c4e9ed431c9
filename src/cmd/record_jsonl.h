/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `oomwitness record --jsonl PATH|-`: the recorder's JSON Lines for log shippers. A line per
 * kill as it is committed, a line per incident as it closes, both built by output/json.c
 * (docs/json.md, "JSON Lines"); this file owns the file: created mode 0600, O_APPEND, one
 * write(2) per line. Part of the command edge: it logs its own write failures, once per outage.
 */
#ifndef OW_RECORD_JSONL_H
#define OW_RECORD_JSONL_H

#include <stddef.h>

#include "analysis/verdict.h"

struct record_jsonl;

/*
 * Opens PATH for appending, creating it mode 0600, or takes standard output for "-". Ignores
 * SIGPIPE from then on (a shipper that goes away must not kill the recorder). path is borrowed
 * for log messages. Returns 0 or -errno (the open(2) error).
 */
int record_jsonl_open(const char *path, struct record_jsonl **ret);

/*
 * Writes the kill lines of inc's kills from index first on, with the verdict v they were
 * committed with (NULL: not analysed). Does nothing when j is NULL.
 */
void record_jsonl_kills(struct record_jsonl *j, const struct ow_incident *inc, size_t first,
			const struct ow_verdict *v);

/* Judges inc with cfg and writes its incident line. Does nothing when j is NULL. */
void record_jsonl_incident(struct record_jsonl *j, const struct ow_incident *inc,
			   const struct ow_verdict_config *cfg);

/* Closes the file (not standard output) and says how many lines were lost, if any. NULL: no-op. */
void record_jsonl_close(struct record_jsonl *j);

#endif
