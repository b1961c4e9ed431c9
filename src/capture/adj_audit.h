/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The oom_score_adj audit: who set each live process's oom_score_adj, to what, and when.
 *
 * Fed by the BPF hooks on oom:oom_score_adj_update (a write of /proc/PID/oom_score_adj) and on
 * fork (a new process born with a non-zero value from its parent). The value before a write
 * is the last one known: from the change before it, from the scan of /proc at start, or 0 for
 * a process born after the start without a fork record (it inherited 0). A process is kept a
 * grace period after it exits (its kill is assembled after its exit can be consumed), then
 * purged. At a kill the recorder copies a process's changes into the snapshot
 * (ow_adj_audit_attach()): at most OW_ADJ_CHANGES_MAX per process, the first and the latest.
 */
#ifndef OW_ADJ_AUDIT_H
#define OW_ADJ_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct ow_adj_audit;

/* root: where /proc lives ("/" normally). Returns 0 or -ENOMEM. */
int ow_adj_audit_new(const char *root, uint64_t grace_ns, struct ow_adj_audit **ret_audit);
void ow_adj_audit_free(struct ow_adj_audit *a);

/*
 * Reads every live process's oom_score_adj from /proc as the value before its next change.
 * Call it once the hooks are attached, so that no change falls between. Returns how many
 * processes were read, or -errno.
 */
int ow_adj_audit_scan(struct ow_adj_audit *a);

/*
 * A change of pid's oom_score_adj: c->old_adj is filled from what is known (for an inherited
 * value: OW_ADJ_UNKNOWN, there was none before; and pid starts anew). Returns 0 or -ENOMEM.
 */
int ow_adj_audit_add(struct ow_adj_audit *a, int32_t pid, const struct ow_adj_change *c);

/* pid exited at now_ns (monotonic): kept the grace period, then purged. */
void ow_adj_audit_on_exit(struct ow_adj_audit *a, int32_t pid, uint64_t now_ns);
void ow_adj_audit_purge(struct ow_adj_audit *a, uint64_t now_ns);

/*
 * Copies the changes known for p->pid into p->adj_changes (replacing what it had), oldest
 * first. Returns how many, or -ENOMEM (p unchanged).
 */
int ow_adj_audit_attach(const struct ow_adj_audit *a, struct ow_process *p);

/* Processes tracked (live and within the grace period), for tests. */
size_t ow_adj_audit_size(const struct ow_adj_audit *a);

#endif
