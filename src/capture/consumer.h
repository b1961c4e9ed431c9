/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ring-buffer consumer: turns the BPF programs' records (bpf/oomwitness.h) into model
 * kills (model.h). Kernel ABI structs stop here.
 *
 * It takes raw records one by one, in ring-buffer order, so it runs without libbpf or root in
 * unit tests. A kill is handed over (on_kill) when its end record arrives, or, marked partial,
 * when the next kill starts or the consumer is flushed without it.
 */
#ifndef OW_CONSUMER_H
#define OW_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "capture/cmdline_cache.h"
#include "capture/kallsyms.h"
#include "model/model.h"

/* Called with a finished kill; the callee takes ownership of *kill's contents. */
typedef void (*ow_on_kill_fn)(struct ow_kill *kill, void *ctx);

struct ow_consumer_config {
	const char *root; /* where /proc and /sys live: "/" normally */
	uint32_t page_size;
	int memcg_version; /* 1 or 2; 0 when the machine has no memory controller */
	int64_t boot_to_real_ns; /* add to CLOCK_BOOTTIME to get CLOCK_REALTIME */
	struct ow_cmdline_cache *cmdlines; /* borrowed */
	const struct ow_kallsyms *kallsyms; /* borrowed; may be NULL */
	ow_on_kill_fn on_kill;
	void *ctx;
};

struct ow_consumer_stats {
	uint64_t kills; /* kills handed over */
	uint64_t partial_kills; /* of which incomplete */
	uint64_t records; /* records consumed */
	uint64_t malformed; /* records of the wrong size or an unknown type */
	uint64_t last_kill_cpu_ns; /* CPU time the BPF program spent on the last kill */
	/*
	 * The kernel hook's number of the last kill read whole (handed over, or dropped with an
	 * error): the hook numbers its kills 1, 2, ... as it counts them (ow_bpf_counters.kills),
	 * so every kill it counted up to this one has been dealt with, those lost whole included.
	 */
	uint64_t last_kill_seq;
};

struct ow_consumer;

int ow_consumer_new(const struct ow_consumer_config *cfg, struct ow_consumer **ret_consumer);
void ow_consumer_free(struct ow_consumer *c);

/* Consumes one record. Returns 0, or -ENOMEM (the kill in progress is then dropped). */
int ow_consumer_handle(struct ow_consumer *c, const void *data, size_t size);

/* Hands over a kill still waiting for its end record, marked partial. */
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
