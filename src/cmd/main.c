/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oomwitness: an always-on OOM flight recorder. This file is the command table and the
 * dispatch; each command lives in its own cmd_*.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "capture OOM kills with eBPF into the database (as root)" },
	{ "list", cmd_list, "list recorded incidents" },
	{ "show", cmd_show, "explain one incident: kill chain, ranking, culprit" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: oomwitness [--version] [--help] COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'oomwitness COMMAND --help' describes a command's options.\n"
		     "Database: --db PATH, or $OOMWITNESS_DB, or " OW_DEFAULT_DB ".\n");
}

void ow_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("oomwitness: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *ow_db_path(const char *option)
{
	const char *env = getenv("OOMWITNESS_DB");

	if (option && *option)
		return option;
	if (env && *env)
		return env;
	return OW_DEFAULT_DB;
}

void ow_log_store_open_error(const char *path, int err, bool creating)
{
	if (err == -ENOENT && !creating)
		ow_log("no database at %s: run 'oomwitness record' first, or give --db PATH", path);
	else if (err == -EPROTO)
		ow_log("%s is not an oomwitness database, or it is corrupt", path);
	else if (err == -EPROTONOSUPPORT)
		ow_log("%s was written by a newer oomwitness (schema too new): upgrade to read it",
		       path);
	else
		ow_log("cannot %s database %s: %s", creating ? "open or create" : "open", path,
		       strerror(-err));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return OW_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return OW_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("oomwitness %s\n", OW_VERSION);
		return OW_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	ow_log("unknown command '%s'", argv[1]);
	usage(stderr);
	return OW_EXIT_USAGE;
}
