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
#include "store/store.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "capture OOM kills with eBPF into the database (as root)" },
	{ "list", cmd_list, "list recorded incidents" },
	{ "show", cmd_show, "explain one incident: kill chain, ranking, culprit" },
	{ "check", cmd_check,
	  "which kernel hooks this machine gives, which are used, what is missing" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: oomwitness [--version] [--help] COMMAND [OPTIONS]\n"
		     "       oomwitness help [COMMAND]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'oomwitness COMMAND --help' describes a command's options.\n"
		     "Database: --db PATH, or $OOMWITNESS_DB, or " OW_DEFAULT_DB ".\n"
		     "Exit codes: 0 success, 1 the command failed (stderr says why), 2 bad command "
		     "line.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* `oomwitness help [COMMAND]`: the overview, or what COMMAND --help prints. */
static int help(int argc, char **argv)
{
	const struct command *cmd;
	char help_opt[] = "--help";
	char *cmd_argv[3] = { NULL, help_opt, NULL };

	if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
		usage(stdout);
		return OW_EXIT_OK;
	}
	cmd = find_command(argv[2]);
	if (!cmd || argc > 3) {
		if (!cmd)
			ow_log("no command '%s' to describe", argv[2]);
		else
			ow_log("help takes one command, got '%s' too", argv[3]);
		usage(stderr);
		return OW_EXIT_USAGE;
	}
	cmd_argv[0] = argv[2];
	return cmd->run(2, cmd_argv);
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
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return OW_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return OW_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc, argv);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		if (printf("oomwitness %s\ndatabase schema version %d (reads 1 to %d)\n",
			   OW_VERSION, OW_STORE_SCHEMA_VERSION, OW_STORE_SCHEMA_VERSION) < 0 ||
		    fflush(stdout) != 0)
			return OW_EXIT_FAILURE;
		return OW_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (cmd)
		return cmd->run(argc - 1, argv + 1);
	ow_log("unknown command '%s'", argv[1]);
	usage(stderr);
	return OW_EXIT_USAGE;
}
