/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `oomwitness list` and `oomwitness show ID|last`: read the store, judge, render (text, JSON,
 * or with --html FILE one self-contained HTML page). list's filters (--since, --cgroup,
 * --container) are parsed here and applied by the store; whether text has colour is decided
 * here too (--color, a terminal, $NO_COLOR) and handed to the renderer as a struct.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/verdict.h"
#include "cmd/cmd.h"
#include "model/filter.h"
#include "output/render.h"
#include "store/store.h"

enum color_when {
	COLOR_AUTO, /* on a terminal, unless $NO_COLOR is set and not empty, or TERM=dumb */
	COLOR_ALWAYS,
	COLOR_NEVER,
};

struct read_options {
	const char *db;
	bool json;
	bool is_show; /* set by the command: show takes --html, list takes the filters */
	const char *html; /* --html FILE; "-" is stdout */
	enum color_when color;
	/* list's filters: --since, --cgroup, --container; unset 0 and NULL */
	uint64_t since_ns;
	char *cgroup; /* normalised; owned */
	const char *container;
};

static void read_options_clear(struct read_options *o)
{
	free(o->cgroup);
	o->cgroup = NULL;
}

static uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A list filter's value; logs what is wrong with it. Returns 0 or -EINVAL. */
static int parse_filter(int c, const char *arg, struct read_options *o)
{
	int r;

	switch (c) {
	case 's':
		if (ow_parse_since_ns(arg, now_real_ns(), &o->since_ns) < 0) {
			ow_log("--since takes a duration back from now (30m, 2h, 7d) or a time "
			       "(2026-11-25T10:00:00Z; without a zone, local: '2026-11-25 10:00'), "
			       "not '%s'",
			       arg);
			return -EINVAL;
		}
		/* 0 would mean "no filter": the epoch itself keeps everything anyway. */
		if (o->since_ns == 0)
			o->since_ns = 1;
		return 0;
	case 'c':
		free(o->cgroup);
		o->cgroup = NULL;
		r = ow_parse_cgroup_path(arg, &o->cgroup);
		if (r == -ENOMEM) {
			ow_log("--cgroup: %s", strerror(ENOMEM));
			return r;
		}
		if (r < 0) {
			ow_log("--cgroup takes a cgroup path from the root as 'oomwitness list' shows "
			       "it (/system.slice/foo.service), not '%s'",
			       arg);
			return -EINVAL;
		}
		return 0;
	case 'C':
		if (strlen(arg) < OW_CONTAINER_QUERY_MIN_LEN) {
			ow_log("--container takes a container id (at least %d of its hex digits) or "
			       "label, a systemd unit or a pod UID, not '%s'",
			       OW_CONTAINER_QUERY_MIN_LEN, arg);
			return -EINVAL;
		}
		o->container = arg;
		return 0;
	}
	return -EINVAL;
}

/* Parses the options of list or show; returns 0, 1 after --help, or -EINVAL (logged). */
static int parse_read_options(int argc, char **argv, struct read_options *o,
			      void (*usage)(FILE *out))
{
	static const struct option list_longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' }, /* list's own: the filters */
		{ "cgroup", required_argument, NULL, 'c' },
		{ "container", required_argument, NULL, 'C' },
		{ "color", optional_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option show_longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' }, /* show's own */
		{ "color", optional_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", o->is_show ? show_longopts : list_longopts,
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
		case 'k':
			if (!optarg || strcmp(optarg, "always") == 0) {
				o->color = COLOR_ALWAYS;
			} else if (strcmp(optarg, "never") == 0) {
				o->color = COLOR_NEVER;
			} else if (strcmp(optarg, "auto") == 0) {
				o->color = COLOR_AUTO;
			} else {
				ow_log("--color takes auto, always or never, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 's':
		case 'c':
		case 'C':
			if (parse_filter(c, optarg, o) < 0)
				return -EINVAL;
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

/* Colour for text on stdout: --color, else a terminal that did not ask for none (no-color.org). */
static struct ow_text_style text_style(enum color_when when)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	struct ow_text_style style = { .color = when == COLOR_ALWAYS };

	if (when == COLOR_AUTO)
		style.color = isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
			      !(term && strcmp(term, "dumb") == 0);
	return style;
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
	fprintf(out,
		"usage: oomwitness list [--db PATH] [--json] [--since WHEN] [--cgroup PATH]\n"
		"                       [--container ID] [--color[=WHEN]]\n"
		"Lists recorded incidents, oldest first; start times are local (TZ), JSON is UTC.\n"
		"  --db PATH          database (default $OOMWITNESS_DB or " OW_DEFAULT_DB ")\n"
		"  --json             a JSON array for programs (docs/json.md)\n"
		"  --since WHEN       incidents whose last kill is at or after WHEN: a duration back\n"
		"                     from now (30m, 2h, 7d) or a time (2026-11-25T10:00:00Z; without\n"
		"                     a zone it is local, as listed: '2026-11-25 10:00')\n"
		"  --cgroup PATH      incidents of the memory cgroup PATH or one below it (/a: /a and\n"
		"                     /a/b, not /ab)\n"
		"  --container ID     incidents whose victims or culprit ran in that container: its\n"
		"                     id (at least 4 hex digits) or label, systemd unit or pod UID\n"
		"  --color[=WHEN]     colour: auto (on a terminal, unless NO_COLOR is set; the\n"
		"                     default), always (the default of a bare --color) or never\n");
}

/* The list filter's test in code: some victim or the culprit ran in the container. */
static bool in_container(const char *const *cgroups, size_t n_cgroups, void *ctx)
{
	const char *query = ctx;

	for (size_t i = 0; i < n_cgroups; i++)
		if (ow_container_matches(query, cgroups[i]))
			return true;
	return false;
}

int cmd_list(int argc, char **argv)
{
	struct read_options o = { 0 };
	struct ow_store_list_filter filter = { 0 };
	struct ow_incident_summary *rows = NULL;
	struct ow_text_style style;
	struct ow_store *store = NULL;
	bool filtered;
	size_t n = 0;
	int r;

	r = parse_read_options(argc, argv, &o, list_usage);
	if (r == 0 && optind < argc) {
		ow_log("list takes no arguments, got '%s'", argv[optind]);
		list_usage(stderr);
		r = -EINVAL;
	}
	if (r != 0) {
		read_options_clear(&o);
		return r > 0 ? OW_EXIT_OK : OW_EXIT_USAGE;
	}
	filter.since_ns = o.since_ns;
	filter.cgroup = o.cgroup;
	if (o.container) {
		filter.match_cgroups = in_container;
		filter.ctx = (void *)o.container;
	}
	filtered = o.since_ns || o.cgroup || o.container;
	style = text_style(o.color);
	if (open_store(o.db, &store) < 0) {
		read_options_clear(&o);
		return OW_EXIT_FAILURE;
	}
	r = ow_store_list_filtered(store, &filter, &rows, &n);
	read_options_clear(&o);
	if (r < 0) {
		ow_log("reading incidents: %s (%s)", strerror(-r), ow_store_errmsg(store));
		ow_store_close(store);
		return OW_EXIT_FAILURE;
	}
	if (o.json)
		r = ow_render_list_json(stdout, rows, n);
	else if (n == 0 && filtered)
		r = printf("no incidents match the filters\n") < 0 ? -EIO : 0;
	else
		r = ow_render_list_text_styled(stdout, rows, n, &style);
	if (r == 0 && !o.json) {
		uint64_t lost_total = 0;

		if (ow_store_get_lost_events(store, &lost_total) < 0)
			ow_log("reading the lost-record count: %s, ignoring",
			       ow_store_errmsg(store));
		r = ow_render_lost_total_text_styled(stdout, lost_total, &style);
	}
	if (r == 0 && !o.json) {
		uint64_t missed_total = 0;

		if (ow_store_get_missed_kills(store, &missed_total) < 0)
			ow_log("reading the missed-kill count: %s, ignoring",
			       ow_store_errmsg(store));
		r = ow_render_missed_total_text_styled(stdout, missed_total, &style);
	}
	ow_incident_summaries_free(rows, n);
	ow_store_close(store);
	return finish_output(r, "the list");
}

static void show_usage(FILE *out)
{
	fprintf(out,
		"usage: oomwitness show [--db PATH] [--json | --html FILE] [--color[=WHEN]] ID|last\n"
		"Explains one incident: the kill chain, the kernel's ranking at each kill, and the\n"
		"culprit. Times are local (TZ) in text and HTML, UTC in JSON.\n"
		"  --db PATH        database (default $OOMWITNESS_DB or " OW_DEFAULT_DB ")\n"
		"  --json           one JSON object for programs (docs/json.md)\n"
		"  --html FILE      one self-contained HTML page with a chart of memory over time\n"
		"                   (- for stdout); created mode 0600: command lines can hold secrets\n"
		"  --color[=WHEN]   colour: auto (on a terminal, unless NO_COLOR is set; the\n"
		"                   default), always (the default of a bare --color) or never\n");
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
	struct read_options o = { .is_show = true };
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
		struct ow_text_style style = text_style(o.color);

		r = o.json ? ow_render_incident_json(stdout, &inc, &verdict)
			   : ow_render_incident_text_styled(stdout, &inc, &verdict, &style);
		r = finish_output(r, "the incident");
	}
	ow_verdict_clear(&verdict);
	ow_incident_clear(&inc);
	return r;
}
