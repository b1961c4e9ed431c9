/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON Lines output of `oomwitness record --jsonl` (record_jsonl.h). Each line is rendered into
 * memory first (output/json.c) and written with one write(2) on a descriptor opened O_APPEND,
 * so a line is never split by stdio buffering and lands after whatever a logrotate or an
 * earlier recorder left. When a write fails half-way (a full disk), the next line starts with
 * a newline so that only the cut line is lost, not the one after it.
 *
 * Failures never stop the recorder: the database has everything. The first failure of an
 * outage is logged with its cause, the end of the outage with the number of lines lost.
 */
#include "cmd/record_jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "output/render.h"

struct record_jsonl {
	const char *path; /* borrowed, for messages */
	int fd;
	bool own_fd; /* false for standard output */
	bool cut_line; /* a failed write left part of a line: start the next one afresh */
	bool failing; /* in an outage, already logged */
	uint64_t lost_in_outage;
	uint64_t lost_total;
};

int record_jsonl_open(const char *path, struct record_jsonl **ret)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	struct record_jsonl *j;

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->path = path;
	if (strcmp(path, "-") == 0) {
		j->fd = STDOUT_FILENO;
	} else {
		j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
		if (j->fd < 0) {
			int r = -errno;

			free(j);
			return r;
		}
		j->own_fd = true;
	}
	sigaction(SIGPIPE, &sa, NULL);
	*ret = j;
	return 0;
}

/* Writes all of buf; 0 or -errno. *ret_wrote says whether any byte went out. */
static int write_all(int fd, const char *buf, size_t len, bool *ret_wrote)
{
	*ret_wrote = false;
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		*ret_wrote = true;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Logs the first failure of an outage and the end of one; counts lost lines. */
static void note(struct record_jsonl *j, int r, const char *what)
{
	if (r == 0) {
		if (j->failing)
			ow_log("writing JSON Lines to %s works again; %llu lines were lost",
			       j->path, (unsigned long long)j->lost_in_outage);
		j->failing = false;
		j->lost_in_outage = 0;
		return;
	}
	j->lost_in_outage++;
	j->lost_total++;
	if (j->failing)
		return;
	j->failing = true;
	ow_log("writing the JSON line of %s to %s: %s; lines are lost until it works again, "
	       "recording goes on",
	       what, j->path, strerror(-r));
}

/* Writes one rendered line (buf, len); r is how rendering went. */
static void put_line(struct record_jsonl *j, int r, const char *buf, size_t len, const char *what)
{
	bool wrote;

	if (r == 0 && j->cut_line) {
		r = write_all(j->fd, "\n", 1, &wrote);
		if (r == 0)
			j->cut_line = false;
	}
	if (r == 0) {
		r = write_all(j->fd, buf, len, &wrote);
		if (r < 0 && wrote)
			j->cut_line = true;
	}
	note(j, r, what);
}

void record_jsonl_kills(struct record_jsonl *j, const struct ow_incident *inc, size_t first,
			const struct ow_verdict *v)
{
	char what[64];

	if (!j || !inc)
		return;
	for (size_t i = first; i < inc->n_kills; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int r = -ENOMEM;

		if (f) {
			r = ow_render_kill_jsonl(f, inc, i, v);
			if (fclose(f) != 0 && r == 0)
				r = -ENOMEM;
		}
		snprintf(what, sizeof(what), "kill #%zu of incident %lld", i + 1,
			 (long long)inc->id);
		put_line(j, r, buf, len, what);
		free(buf);
	}
}

void record_jsonl_incident(struct record_jsonl *j, const struct ow_incident *inc,
			   const struct ow_verdict_config *cfg)
{
	struct ow_verdict verdict = { 0 };
	bool judged;
	char *buf = NULL;
	size_t len = 0;
	char what[64];
	FILE *f;
	int r = -ENOMEM;

	if (!j || !inc)
		return;
	/* Out of memory for the verdict: the line says "not analysed" rather than nothing. */
	judged = ow_verdict_compute(inc, cfg, &verdict) == 0;
	f = open_memstream(&buf, &len);
	if (f) {
		r = ow_render_incident_jsonl(f, inc, judged ? &verdict : NULL);
		if (fclose(f) != 0 && r == 0)
			r = -ENOMEM;
	}
	ow_verdict_clear(&verdict);
	snprintf(what, sizeof(what), "incident %lld", (long long)inc->id);
	put_line(j, r, buf, len, what);
	free(buf);
}

void record_jsonl_close(struct record_jsonl *j)
{
	if (!j)
		return;
	if (j->lost_total)
		ow_log("warning: %llu JSON lines could not be written to %s (the database has "
		       "every kill)",
		       (unsigned long long)j->lost_total, j->path);
	if (j->own_fd)
		close(j->fd);
	free(j);
}
