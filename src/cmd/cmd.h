/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The commands of the oomwitness binary and what they share: the command table lives in
 * main.c; each command parses its own options. This is the edge: commands log each failure
 * once, with its cause, and turn it into an exit code (docs: README "Exit codes").
 */
#ifndef OW_CMD_H
#define OW_CMD_H

#include <stdbool.h>

#define OW_EXIT_OK 0
#define OW_EXIT_FAILURE 1 /* the command could not do its job; stderr says why */
#define OW_EXIT_USAGE 2 /* bad command line */

#define OW_DEFAULT_DB "/var/lib/oomwitness/oomwitness.db"

int cmd_record(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* The database path: the --db option if given, else $OOMWITNESS_DB, else the default. */
const char *ow_db_path(const char *option);

/* Logs "oomwitness: <message>" to stderr: the one place errors are printed. */
void ow_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Logs a failure to open the database (for writing when creating), in words that say what to do. */
void ow_log_store_open_error(const char *path, int err, bool creating);

#endif
