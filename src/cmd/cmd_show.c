/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `oomwitness list` and `oomwitness show ID|last`: read the store, judge, render (text, JSON,
 * or with --html FILE one self-contained HTML page).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/verdict.h"
#include "cmd/cmd.h"
#include "output/render.h"
#include "store/store.h"

struct read_options {
	const char *db;
	bool json;
	bool html_allowed; /* set by the command: show takes --html, list does not */
	const char *html; /* --html FILE; "-" is stdout */
};

/* Parses --db, --json and (for show) --html; returns 0, 1 after --help, or -EINVAL. */
static int parse_read_options(int argc, char **argv, struct read_options *o,
			      void (*usage)(FILE *out))
{
	static const struct option list_longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option show_longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", o->html_allowed ? show_longopts : list_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			o->db = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'H':
			if (!*optarg) {
				ow_log("--html needs a file name, or - for stdout");
				usage(stderr);
				return -EINVAL;
			}
			o->html = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	return 0;
}

static int open_store(const char *option, struct ow_store **ret_store)
{
	const char *db = ow_db_path(option);
	int r = ow_store_open(db, OW_STORE_READ_ONLY, ret_store);

	if (r < 0)
		ow_log_store_open_error(db, r, false);
	return r;
}

static int finish_output(int r, const char *what)
{
	if (r == 0 && fflush(stdout) != 0)
		r = -errno;
	if (r < 0) {
		ow_log("writing %s: %s", what, strerror(-r));
		return OW_EXIT_FAILURE;
	}
	return OW_EXIT_OK;
}

static void list_usage(FILE *out)
{
	fprintf(out, "usage: oomwitness list [--db PATH] [--json]\n"
		     "Lists recorded incidents, oldest first.\n");
}

int cmd_list(int argc, char **argv)
{
	struct read_options o = { 0 };
	struct ow_incident_summary *rows = NULL;
	struct ow_store *store = NULL;
	size_t n = 0;
	int r;

	r = parse_read_options(argc, argv, &o, list_usage);
	if (r != 0)
		return r > 0 ? OW_EXIT_OK : OW_EXIT_USAGE;
	if (optind < argc) {
		ow_log("list takes no arguments, got '%s'", argv[optind]);
		list_usage(stderr);
		return OW_EXIT_USAGE;
	}
	if (open_store(o.db, &store) < 0)
		return OW_EXIT_FAILURE;
	r = ow_store_list(store, &rows, &n);
	if (r < 0) {
		ow_log("reading incidents: %s (%s)", strerror(-r), ow_store_errmsg(store));
		ow_store_close(store);
		return OW_EXIT_FAILURE;
	}
	r = o.json ? ow_render_list_json(stdout, rows, n) : ow_render_list_text(stdout, rows, n);
	if (r == 0 && !o.json) {
		uint64_t lost_total = 0;

		if (ow_store_get_lost_events(store, &lost_total) < 0)
			ow_log("reading the lost-record count: %s, ignoring",
			       ow_store_errmsg(store));
		r = ow_render_lost_total_text(stdout, lost_total);
	}
	ow_incident_summaries_free(rows, n);
	ow_store_close(store);
	return finish_output(r, "the list");
}

static void show_usage(FILE *out)
{
	fprintf(out, "usage: oomwitness show [--db PATH] [--json | --html FILE] ID|last\n"
		     "Explains one incident: the kill chain, the kernel's ranking at each kill, "
		     "and the culprit.\n"
		     "  --json       one JSON object for programs (docs/json.md)\n"
		     "  --html FILE  one self-contained HTML page with a chart of memory over time "
		     "(- for stdout);\n"
		     "               created mode 0600: command lines can hold secrets\n");
}

/* Parses an incident id; "last" is resolved later, against the store (*ret_id = 0). */
static int parse_id(const char *arg, int64_t *ret_id)
{
	char *end;
	long long v;

	if (strcmp(arg, "last") == 0) {
		*ret_id = 0;
		return 0;
	}
	v = strtoll(arg, &end, 10);
	if (*end || v <= 0) {
		ow_log("'%s' is not an incident id: give a number from 'oomwitness list', or last",
		       arg);
		return -EINVAL;
	}
	*ret_id = v;
	return 0;
}

static int resolve_last(struct ow_store *store, int64_t *ret_id)
{
	int r = ow_store_last_incident_id(store, ret_id);

	if (r == -ENOENT)
		ow_log("no incidents recorded yet");
	else if (r < 0)
		ow_log("finding the last incident: %s (%s)", strerror(-r), ow_store_errmsg(store));
	return r;
}

/*
 * Writes the HTML page to path ("-": stdout). A new file is created mode 0600, as the database
 * is; a file that cannot be written completely is removed. Logs each failure once.
 */
static int write_html(const char *path, const struct ow_incident *inc, const struct ow_verdict *v)
{
	FILE *f;
	int fd, r;

	if (strcmp(path, "-") == 0)
		return finish_output(ow_render_incident_html(stdout, inc, v), "the HTML page");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ow_log("cannot create %s for the HTML page: %s", path, strerror(errno));
		return OW_EXIT_FAILURE;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ow_log("writing the HTML page to %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return OW_EXIT_FAILURE;
	}
	r = ow_render_incident_html(f, inc, v);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		ow_log("writing the HTML page to %s: %s; removed it", path, strerror(-r));
		unlink(path);
		return OW_EXIT_FAILURE;
	}
	return OW_EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	struct read_options o = { .html_allowed = true };
	struct ow_incident inc = { 0 };
	struct ow_verdict verdict = { 0 };
	struct ow_verdict_config cfg;
	struct ow_store *store = NULL;
	int64_t id;
	int r;

	r = parse_read_options(argc, argv, &o, show_usage);
	if (r != 0)
		return r > 0 ? OW_EXIT_OK : OW_EXIT_USAGE;
	if (optind != argc - 1) {
		ow_log(optind >= argc ? "show needs an incident id, or last"
				      : "show takes one incident id");
		show_usage(stderr);
		return OW_EXIT_USAGE;
	}
	if (o.json && o.html) {
		ow_log("--json and --html are exclusive: give one");
		show_usage(stderr);
		return OW_EXIT_USAGE;
	}
	if (parse_id(argv[optind], &id) < 0)
		return OW_EXIT_USAGE;
	if (open_store(o.db, &store) < 0)
		return OW_EXIT_FAILURE;
	if (id == 0 && resolve_last(store, &id) < 0) {
		ow_store_close(store);
		return OW_EXIT_FAILURE;
	}
	r = ow_store_load_incident(store, id, &inc);
	if (r < 0) {
		if (r == -ENOENT)
			ow_log("no incident %lld in the database: see 'oomwitness list'",
			       (long long)id);
		else
			ow_log("reading incident %lld: %s (%s)", (long long)id, strerror(-r),
			       ow_store_errmsg(store));
		ow_store_close(store);
		return OW_EXIT_FAILURE;
	}
	ow_store_close(store);
	ow_verdict_config_default(&cfg);
	r = ow_verdict_compute(&inc, &cfg, &verdict);
	if (r < 0) {
		ow_log("judging incident %lld: %s", (long long)id, strerror(-r));
		ow_incident_clear(&inc);
		return OW_EXIT_FAILURE;
	}
	if (o.html) {
		r = write_html(o.html, &inc, &verdict);
	} else {
		r = o.json ? ow_render_incident_json(stdout, &inc, &verdict)
			   : ow_render_incident_text(stdout, &inc, &verdict);
		r = finish_output(r, "the incident");
	}
	ow_verdict_clear(&verdict);
	ow_incident_clear(&inc);
	return r;
}
