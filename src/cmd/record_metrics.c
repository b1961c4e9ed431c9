/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder's Prometheus endpoint (record_metrics.h): counters the recorder's thread
 * updates, and a libmicrohttpd server on its own thread that renders them at GET /metrics.
 *
 * The listening socket is made here, not by libmicrohttpd, so that a taken port is reported
 * as EADDRINUSE with the address rather than as a bare failure. The server runs one internal
 * thread (epoll), at most RECORD_METRICS_MAX_CONNECTIONS clients, a small stack, and every
 * signal blocked, so that SIGINT and SIGTERM keep reaching the recorder's own loop. A scrape
 * renders under the mutex into a memory stream (tens of microseconds), so the recorder's
 * thread never waits on a slow client.
 */
#include "cmd/record_metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "model/container.h"
#include "output/prometheus.h"

#define RECORD_METRICS_MAX_CONNECTIONS 8u
#define RECORD_METRICS_TIMEOUT_S 10u
#define RECORD_METRICS_STACK_BYTES ((size_t)256 << 10)
#define RECORD_METRICS_BACKLOG 16

struct record_metrics {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	/* Guarded by lock: what a scrape shows. snap.kills points at kills. */
	struct ow_prom_snapshot snap;
	struct ow_prom_kill_table kills;
	/* The recorder's thread only. */
	bool overflow_logged;
	char url[INET6_ADDRSTRLEN + 32];
};

/* Splits "A.B.C.D:PORT" or "[V6]:PORT" into a socket address. Returns 0 or -EINVAL. */
static int parse_listen(const char *text, struct sockaddr_storage *ret_addr, socklen_t *ret_len)
{
	bool v6 = text[0] == '[';
	const char *host_start = v6 ? text + 1 : text;
	const char *host_end = v6 ? strchr(text, ']') : strrchr(text, ':');
	char host[INET6_ADDRSTRLEN + 1];
	unsigned long port;
	const char *port_text;
	size_t host_len;
	char *end;

	if (!host_end || (v6 && host_end[1] != ':'))
		return -EINVAL;
	port_text = host_end + (v6 ? 2 : 1);
	host_len = (size_t)(host_end - host_start);
	if (host_len == 0 || host_len >= sizeof(host) || *port_text < '0' || *port_text > '9')
		return -EINVAL;
	memcpy(host, host_start, host_len);
	host[host_len] = '\0';
	errno = 0;
	port = strtoul(port_text, &end, 10);
	if (errno || *end || port > 65535)
		return -EINVAL;

	memset(ret_addr, 0, sizeof(*ret_addr));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ret_addr;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -EINVAL;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*ret_len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ret_addr;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*ret_len = sizeof(*a);
	}
	return 0;
}

int record_metrics_check_listen(const char *listen)
{
	struct sockaddr_storage addr;
	socklen_t len;

	return parse_listen(listen, &addr, &len);
}

/* "http://127.0.0.1:9781/metrics" or "http://[::1]:9781/metrics" for the bound socket. */
static void format_url(int fd, char *buf, size_t size)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
		if (addr.ss_family == AF_INET6) {
			const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&addr;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		} else {
			const struct sockaddr_in *a = (const struct sockaddr_in *)&addr;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		}
	}
	snprintf(buf, size,
		 addr.ss_family == AF_INET6 ? "http://[%s]:%u/metrics" : "http://%s:%u/metrics",
		 host, port);
}

/* The exposition text, malloc'd, or NULL when out of memory. */
static char *render(struct record_metrics *m, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return NULL;
	pthread_mutex_lock(&m->lock);
	r = ow_prom_render(f, &m->snap);
	pthread_mutex_unlock(&m->lock);
	if (fclose(f) != 0 || r < 0) {
		free(buf);
		return NULL;
	}
	*ret_len = len;
	return buf;
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned int status, char *body,
			       size_t len, enum MHD_ResponseMemoryMode mode,
			       const char *content_type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond_static(struct MHD_Connection *conn, unsigned int status,
				      const char *text)
{
	return respond(conn, status, (char *)text, strlen(text), MHD_RESPMEM_PERSISTENT,
		       "text/plain; charset=utf-8");
}

/* GET (or HEAD) /metrics: the exposition; any other path 404, any other method 405. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct record_metrics *m = cls;
	size_t len;
	char *body;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(url, "/metrics") != 0)
		return respond_static(conn, MHD_HTTP_NOT_FOUND,
				      "oomwitness: not found; the metrics are at /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				      "oomwitness: /metrics takes GET\n");
	body = render(m, &len);
	if (!body)
		return respond_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				      "oomwitness: out of memory rendering the metrics\n");
	return respond(conn, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE, OW_PROM_CONTENT_TYPE);
}

static uint64_t clock_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int record_metrics_start(const char *listen_on, const char *version, struct record_metrics **ret,
			 char *what, size_t what_len)
{
	static const int one = 1;
	struct record_metrics *m;
	struct sockaddr_storage addr;
	sigset_t all, old;
	socklen_t addr_len;
	int fd, r;

	*ret = NULL;
	if (parse_listen(listen_on, &addr, &addr_len) < 0) {
		snprintf(what, what_len, "reading --listen %s", listen_on);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(what, what_len, "allocating the metrics");
		return -ENOMEM;
	}
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(what, what_len, "creating a socket for %s", listen_on);
		goto out_free;
	}
	/* A restarted recorder binds again at once, whatever connections are in TIME_WAIT. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, addr_len) < 0) {
		r = -errno;
		snprintf(what, what_len, "binding %s", listen_on);
		goto out_close;
	}
	if (listen(fd, RECORD_METRICS_BACKLOG) < 0) {
		r = -errno;
		snprintf(what, what_len, "listening on %s", listen_on);
		goto out_close;
	}
	format_url(fd, m->url, sizeof(m->url));

	r = pthread_mutex_init(&m->lock, NULL);
	if (r) {
		r = -r;
		snprintf(what, what_len, "creating the metrics lock");
		goto out_close;
	}
	m->snap.version = version;
	m->snap.start_time_ns = clock_real_ns();
	m->snap.kills = &m->kills;

	/* The server's thread inherits the mask: signals stay with the recorder's loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	errno = 0;
	m->daemon = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD | (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
		NULL, NULL, on_request, m, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, RECORD_METRICS_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, RECORD_METRICS_TIMEOUT_S,
		MHD_OPTION_THREAD_STACK_SIZE, RECORD_METRICS_STACK_BYTES, MHD_OPTION_END);
	r = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!m->daemon) {
		r = r ? -r : -ENOMEM;
		snprintf(what, what_len, "starting the HTTP server (libmicrohttpd) on %s",
			 listen_on);
		pthread_mutex_destroy(&m->lock);
		goto out_close;
	}
	*ret = m;
	return 0; /* the server owns fd now and closes it when stopped */

out_close:
	close(fd); /* libmicrohttpd leaves a socket it was given open when it fails (0.9.75) */
out_free:
	free(m);
	return r;
}

void record_metrics_stop(struct record_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	ow_prom_kills_clear(&m->kills);
	free(m);
}

const char *record_metrics_url(const struct record_metrics *m)
{
	return m ? m->url : "";
}

void record_metrics_kill(struct record_metrics *m, enum ow_killer_kind killer,
			 const struct ow_domain *domain, const char *victim_cgroup,
			 uint64_t time_ns)
{
	struct ow_container c;
	char label_buf[sizeof(c.unit) + 8];
	const char *container = "";
	int r;

	if (!m)
		return;
	if (ow_container_from_cgroup(victim_cgroup, &c))
		container = ow_container_label(&c, label_buf, sizeof(label_buf));
	pthread_mutex_lock(&m->lock);
	r = ow_prom_kills_add(&m->kills, killer, domain->kind,
			      domain->kind == OW_DOMAIN_MEMCG ? domain->cgroup : "", container);
	if (time_ns > m->snap.last_kill_time_ns)
		m->snap.last_kill_time_ns = time_ns;
	pthread_mutex_unlock(&m->lock);
	if (r == 1 && !m->overflow_logged) {
		m->overflow_logged = true;
		ow_log("metrics: more than %d label sets of oomwitness_kills_total; kills with new "
		       "ones are counted under cgroup=\"other\",container=\"other\"",
		       OW_PROM_KILL_NAMED_MAX);
	}
}

void record_metrics_incident(struct record_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->snap.incidents++;
	pthread_mutex_unlock(&m->lock);
}

void record_metrics_bpf_counters(struct record_metrics *m, uint64_t hook_kills,
				 uint64_t lost_records)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->snap.hook_kills = hook_kills;
	m->snap.lost_records = lost_records;
	pthread_mutex_unlock(&m->lock);
}

void record_metrics_history_attached(struct record_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->snap.histories_attached++;
	pthread_mutex_unlock(&m->lock);
}

void record_metrics_sampler(struct record_metrics *m, const struct record_sampler *s)
{
	struct record_sampler_stats st;
	uint64_t cpu_ns;

	if (!m || !s)
		return;
	record_sampler_stats(s, &st);
	cpu_ns = st.cpu_ns_first + st.cpu_ns_total;
	pthread_mutex_lock(&m->lock);
	m->snap.sampler_running = true;
	if (st.samples != m->snap.sampler_samples)
		m->snap.sampler_last_cpu_ns = cpu_ns - m->snap.sampler_cpu_ns;
	m->snap.sampler_samples = st.samples;
	m->snap.sampler_cpu_ns = cpu_ns;
	m->snap.sampler_processes = st.last_processes;
	m->snap.sampler_history_ns =
		st.ring.frames_kept ? st.ring.newest_real_ns - st.ring.oldest_real_ns : 0;
	pthread_mutex_unlock(&m->lock);
}
