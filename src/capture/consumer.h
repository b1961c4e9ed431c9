/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ring-buffer consumer: turns the BPF programs' records (bpf/oomwitness.h) into model
 * kills (model.h) and follow-ups (what became of a victim, oom_score_adj changes). Kernel ABI
 * structs stop here.
 *
 * It takes raw records one by one, in ring-buffer order, so it runs without libbpf or root in
 * unit tests. A kill is handed over (on_kill) when its end record arrives, or, marked partial,
 * when it cannot be in progress any more (the next kill starts and says none other is being
 * written, a record comes 2 s later than its start) or the consumer is flushed without it.
 * Kernel kills and signal kills (a SIGKILL from user space) come the same way; the records of
 * several kills may interleave, up to OW_CONSUMER_MAX_KILLS at once.
 */
#ifndef OW_CONSUMER_H
#define OW_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "capture/cmdline_cache.h"
#include "capture/kallsyms.h"
#include "model/model.h"

/* Kills assembled at once (their records interleaved); past it the oldest goes out partial. */
#define OW_CONSUMER_MAX_KILLS 4

/* Called with a finished kill; the callee takes ownership of *kill's contents. */
typedef void (*ow_on_kill_fn)(struct ow_kill *kill, void *ctx);

enum ow_followup_kind {
	OW_FOLLOWUP_EXIT = 0, /* a process exited (its last thread), any process */
	OW_FOLLOWUP_REAP_START, /* the OOM reaper started on a victim's memory */
	OW_FOLLOWUP_REAP_END, /* and finished */
	OW_FOLLOWUP_ADJ, /* a process's oom_score_adj was written, or inherited at fork */
};

/*
 * Something that happened to a process, for the recorder to attach to the kill it follows
 * (kill.after: exit, reaper) or to its oom_score_adj audit. Followups of the victim of a kill
 * still being assembled are also written into that kill's `after` before it is handed over.
 */
struct ow_followup {
	enum ow_followup_kind kind;
	uint64_t time_ns; /* Unix time, ns */
	int32_t pid; /* the process (tgid); for the reaper, the thread when its process is gone */
	/*
	 * REAP_END: what the victim's address space still held (anon + file + shmem) once
	 * reaped, UINT64_MAX when unknown; kill.after.reaped_bytes is the victim's RSS at the
	 * kill less this. 0 for the other kinds.
	 */
	uint64_t rss_left_bytes;
	/* ADJ: the change; old_adj is OW_ADJ_UNKNOWN (the recorder's audit knows it) */
	struct ow_adj_change adj;
};

/* Called with a followup; borrowed for the call. */
typedef void (*ow_on_followup_fn)(const struct ow_followup *followup, void *ctx);

struct ow_consumer_config {
	const char *root; /* where /proc and /sys live: "/" normally */
	uint32_t page_size;
	int memcg_version; /* 1 or 2; 0 when the machine has no memory controller */
	int64_t boot_to_real_ns; /* add to CLOCK_BOOTTIME to get CLOCK_REALTIME */
	struct ow_cmdline_cache *cmdlines; /* borrowed */
	const struct ow_kallsyms *kallsyms; /* borrowed; may be NULL */
	ow_on_kill_fn on_kill;
	ow_on_followup_fn on_followup; /* optional (NULL: followups only fill kill.after) */
	void *ctx; /* passed to on_kill and on_followup */
};

struct ow_consumer_stats {
	uint64_t kills; /* kills handed over */
	uint64_t partial_kills; /* of which incomplete */
	uint64_t signal_kills; /* of which SIGKILLs from user space */
	uint64_t followups; /* followups handed over */
	uint64_t records; /* records consumed */
	uint64_t malformed; /* records of the wrong size or an unknown type */
	uint64_t last_kill_cpu_ns; /* CPU time the BPF program spent on the last kill */
	/*
	 * The kernel hook's number of the last kill read whole (handed over, or dropped with an
	 * error): the hook numbers its kills 1, 2, ... as it counts them (ow_bpf_counters.kills),
	 * so every kill it counted up to this one has been dealt with, those lost whole included.
	 * Signal kills are numbered apart and do not count here.
	 */
	uint64_t last_kill_seq;
};

struct ow_consumer;

int ow_consumer_new(const struct ow_consumer_config *cfg, struct ow_consumer **ret_consumer);
void ow_consumer_free(struct ow_consumer *c);

/* Consumes one record. Returns 0, or -ENOMEM (the kill in progress is then dropped). */
int ow_consumer_handle(struct ow_consumer *c, const void *data, size_t size);

/* Hands over the kills still waiting for their end record, marked partial, oldest first. */
void ow_consumer_flush(struct ow_consumer *c);

/* Whether a kill is being assembled (its end record not yet seen). */
int ow_consumer_busy(const struct ow_consumer *c);

/*
 * Updates CLOCK_REALTIME - CLOCK_BOOTTIME for the kills to come: the recorder refreshes it as
 * it polls, so a clock step (NTP at boot) does not shift every later kill.
 */
void ow_consumer_set_clock_offset(struct ow_consumer *c, int64_t boot_to_real_ns);

void ow_consumer_get_stats(const struct ow_consumer *c, struct ow_consumer_stats *ret_stats);

/* Clock offset for boot_to_real_ns: CLOCK_REALTIME - CLOCK_BOOTTIME, now. */
int64_t ow_clock_boot_to_real_ns(void);
/* CLOCK_MONOTONIC now, in ns. */
uint64_t ow_clock_monotonic_ns(void);

#endif
