/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command lines by pid, kept so that a process that died (an OOM victim) still has one.
 *
 * Filled from /proc when the recorder starts and after each exec; an exited process is kept for a
 * grace period (its exit event can be consumed before the kill that caused it is processed),
 * then purged. Lookups fall back to reading /proc, then to the parent's command line
 * (a fork that did not exec runs its parent's program).
 *
 * With a redactor (record --redact), every line goes through it as it is read, before it is
 * cached: what the cache hands out, and so everything downstream keeps, is already redacted.
 */
#ifndef OW_CMDLINE_CACHE_H
#define OW_CMDLINE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "capture/redact.h"

struct ow_cmdline_cache;

/* root: where /proc lives ("/" normally). Returns 0 or -ENOMEM. */
int ow_cmdline_cache_new(const char *root, uint64_t grace_ns, struct ow_cmdline_cache **ret_cache);
void ow_cmdline_cache_free(struct ow_cmdline_cache *c);

/*
 * Redacts every line read from now on with r (borrowed: it must outlive the cache; NULL: no
 * redaction), and the lines already cached. Returns 0, or -ENOMEM when a cached line could not
 * be redacted: that line is dropped rather than kept as it was.
 */
int ow_cmdline_cache_set_redactor(struct ow_cmdline_cache *c, const struct ow_redactor *r);

/* Reads every process's command line from /proc. Returns how many were cached, or -errno. */
int ow_cmdline_cache_scan(struct ow_cmdline_cache *c);

/*
 * A process exec'ed: its new command line is read at the next ow_cmdline_cache_load_pending,
 * unless it exits first. Exec and exit events come in batches (a ring-buffer drain), and most
 * processes of an exec-heavy machine live less than one: reading /proc at each exec failed
 * 99.7% of the time in bench/workload.sh, and was three quarters of the recorder's CPU there.
 */
void ow_cmdline_cache_on_exec(struct ow_cmdline_cache *c, int32_t pid);
/* Reads the command lines of the execs since the last call, of processes still alive. */
void ow_cmdline_cache_load_pending(struct ow_cmdline_cache *c);
/* A process exited at now_ns: kept for the grace period, then dropped. */
void ow_cmdline_cache_on_exit(struct ow_cmdline_cache *c, int32_t pid, uint64_t now_ns);
/* Drops exited processes whose grace period ended. */
void ow_cmdline_cache_purge(struct ow_cmdline_cache *c, uint64_t now_ns);

/*
 * The command line of pid, a shared string (model/shared_str.h) borrowed until the next call that
 * changes the cache (ow_shared_str_ref keeps it, at no copy), trying
 * the cache, then /proc (caching the answer), then the parent's (ppid; 0 to skip). NULL when
 * unknown.
 */
const char *ow_cmdline_cache_get(struct ow_cmdline_cache *c, int32_t pid, int32_t ppid);

/* Number of processes cached, for tests and metrics. */
size_t ow_cmdline_cache_size(const struct ow_cmdline_cache *c);

#endif
