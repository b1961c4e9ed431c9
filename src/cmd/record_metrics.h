/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's Prometheus endpoint: the counters behind `record --listen` and the HTTP
 * server that serves them at GET /metrics (docs/metrics.md). A thin shell: the recorder's
 * thread updates the counters, libmicrohttpd's own thread renders them with
 * output/prometheus.h; a mutex guards them. The only user of libmicrohttpd.
 *
 * Every update function accepts a NULL handle (metrics off) and does nothing then.
 */
#ifndef OW_RECORD_METRICS_H
#define OW_RECORD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "cmd/record_sampler.h"
#include "model/model.h"

/* The default of `record --listen`. */
#define RECORD_METRICS_DEFAULT_LISTEN "127.0.0.1:9781"

/*
 * Checks a --listen value: "ADDR:PORT" with a numeric IPv4 address, or "[ADDR]:PORT" with an
 * IPv6 one; PORT from 0 (any free port) to 65535. Returns 0 or -EINVAL.
 */
int record_metrics_check_listen(const char *listen);

struct record_metrics;

/*
 * Binds listen, starts the HTTP server's thread and the counters' clock (start time now).
 * version is borrowed for the lifetime of the server. On failure returns -errno (-EADDRINUSE
 * when the port is taken) and writes into what the step that failed. *ret is freed with
 * record_metrics_stop().
 */
int record_metrics_start(const char *listen, const char *version, struct record_metrics **ret,
			 char *what, size_t what_len);
/* Stops the server (waiting for a scrape in progress) and frees everything. Accepts NULL. */
void record_metrics_stop(struct record_metrics *m);
/* "http://ADDR:PORT/metrics" as bound (the real port when 0 was asked for). */
const char *record_metrics_url(const struct record_metrics *m);

/*
 * A kill the recorder assembled: counted under its killer, domain and the container of the
 * victim's cgroup (victim_cgroup may be NULL). Logs once when the label sets overflow.
 */
void record_metrics_kill(struct record_metrics *m, enum ow_killer_kind killer,
			 const struct ow_domain *domain, const char *victim_cgroup,
			 uint64_t time_ns);
/* An incident opened (not one continued after a restart). */
void record_metrics_incident(struct record_metrics *m);
/* The BPF side's counters: mark_victim hits and lost ring-buffer records, as read. */
void record_metrics_bpf_counters(struct record_metrics *m, uint64_t hook_kills,
				 uint64_t lost_records);
/* A memory history stored with an incident. */
void record_metrics_history_attached(struct record_metrics *m);
/* After each sampler tick: its sample count, CPU and ring; s NULL: the sampler is off. */
void record_metrics_sampler(struct record_metrics *m, const struct record_sampler *s);

#endif
