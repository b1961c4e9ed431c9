// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhog: a process that plays one role of an OOM scenario (tests/e2e, `make demo`).
 *
 *   memhog --name NAME [--adj N] [--hold-mib M] [--grow-mib-s R] [--ready-file PATH]
 *          [--note TEXT]
 *
 * It renames itself (comm = NAME), sets its own oom_score_adj, dirties M MiB of anonymous
 * memory, touches PATH once that is done, then grows by R MiB per second in 1 MiB steps
 * (R = 0: just sleeps) until it is killed. It never frees memory and never exits by itself.
 * --note is ignored: it puts TEXT in the command line (a fake secret for tests/e2e/test_redact.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

static void die(const char *what)
{
	fprintf(stderr, "memhog: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Chunks are chained through their first word, so the compiler cannot drop them as unused. */
static void *volatile chunks;

static void grab_mib(void)
{
	char *p = malloc(MIB);

	if (!p)
		die("malloc");
	memset(p, 0xa5, MIB); /* dirty every page: anonymous RSS, not just virtual */
	*(void **)p = chunks;
	chunks = p;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "adj", required_argument, NULL, 'a' },
		{ "hold-mib", required_argument, NULL, 'm' },
		{ "grow-mib-s", required_argument, NULL, 'g' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "memhog", *ready = NULL, *adj = NULL;
	long hold_mib = 0, grow = 0;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'a':
			adj = optarg;
			break;
		case 'm':
			hold_mib = strtol(optarg, NULL, 10);
			break;
		case 'g':
			grow = strtol(optarg, NULL, 10);
			break;
		case 'r':
			ready = optarg;
			break;
		case 'N': /* only there to be in the command line */
			break;
		default:
			fprintf(stderr, "usage: memhog --name NAME [--adj N] [--hold-mib M] "
					"[--grow-mib-s R] [--ready-file PATH] [--note TEXT]\n");
			return 2;
		}
	}
	prctl(PR_SET_NAME, name, 0, 0, 0);
	if (adj) {
		fd = open("/proc/self/oom_score_adj", O_WRONLY);
		if (fd < 0 || write(fd, adj, strlen(adj)) < 0)
			die("setting oom_score_adj");
		close(fd);
	}
	for (long i = 0; i < hold_mib; i++)
		grab_mib();
	if (ready) {
		fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("creating the ready file");
		close(fd);
	}
	for (;;) {
		if (grow <= 0) {
			pause();
			continue;
		}
		struct timespec step = { 0, 1000000000L / grow };

		grab_mib();
		nanosleep(&step, NULL);
	}
}
