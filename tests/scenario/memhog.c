// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhog: a process that plays one role of an OOM scenario (tests/e2e, `make demo`).
 *
 *   memhog --name NAME [--adj N] [--hold-mib M] [--grow-mib-s R] [--ready-file PATH]
 *          [--note TEXT] [--share-mm NAME] [--wait-file PATH] [--children N]
 *          [--child-mib M] [--child-name NAME] [--fork-ms T] [--pids-file PATH]
 *
 * It renames itself (comm = NAME), sets its own oom_score_adj, dirties M MiB of anonymous
 * memory, then:
 *   --share-mm NAME  clones one process (clone(CLONE_VM | SIGCHLD), no CLONE_THREAD: its own
 *                    pid and signal handling, the same address space) named NAME that sleeps;
 *                    the kernel kills it with any OOM victim of this memory (tests/e2e
 *                    test_kill_chain.sh);
 *   --wait-file PATH waits until PATH exists (a test's cue, e.g. once another process has
 *                    set this one's oom_score_adj, so that the children inherit it);
 *   --children N     forks N children, one every T ms (--fork-ms, default 0), each named
 *                    --child-name (default "worker"), dirtying --child-mib MiB (default 4)
 *                    and sleeping until killed (a fork storm, or a pre-forked server);
 *                    --pids-file PATH gets each child's pid (and the clone's) on a line, in
 *                    fork order, written as it is forked;
 * touches PATH (--ready-file) once every child has its memory or is dead, then grows by R MiB
 * per second in 1 MiB steps (R = 0: just sleeps) until it is killed. It never frees memory and
 * never exits by itself; its children are reaped as they die (no zombies in a snapshot).
 * --note is ignored: it puts TEXT in the command line (a fake secret for tests/e2e/test_redact.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)
#define CLONE_STACK_BYTES (64UL * 1024UL)

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

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die("creating the ready file");
	close(fd);
}

/* Appends "pid\n" to path (O_APPEND: one write per line, in order). */
static void log_pid(const char *path, pid_t pid)
{
	char line[32];
	int fd, n;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		die("opening the pids file");
	n = snprintf(line, sizeof(line), "%d\n", (int)pid);
	if (write(fd, line, (size_t)n) != n)
		die("writing the pids file");
	close(fd);
}

/*
 * The clone sharing our memory. It runs on its own small stack in our address space, so it
 * touches nothing of ours: raw system calls only (errno, shared through the same TLS, is never
 * read by the parent while this sleeps).
 */
static int mm_sharer(void *name)
{
	prctl(PR_SET_NAME, (const char *)name, 0, 0, 0);
	for (;;)
		pause();
	return 0;
}

static void start_mm_sharer(const char *name, const char *pids_file)
{
	char *stack = malloc(CLONE_STACK_BYTES);
	pid_t pid;

	if (!stack)
		die("malloc");
	pid = clone(mm_sharer, stack + CLONE_STACK_BYTES, CLONE_VM | SIGCHLD, (void *)name);
	if (pid < 0)
		die("clone(CLONE_VM)");
	log_pid(pids_file, pid);
}

/* A child of --children: dirties its memory, says so on the pipe, sleeps until killed. */
static void child_main(const char *name, long mib, int ready_fd)
{
	prctl(PR_SET_NAME, name, 0, 0, 0);
	for (long i = 0; i < mib; i++)
		grab_mib();
	if (write(ready_fd, "r", 1) != 1)
		die("writing the ready pipe");
	close(ready_fd);
	for (;;)
		pause();
}

/*
 * Forks n children and returns once each has its memory or is dead: each closes its end of
 * the pipe when ready (or the kernel does when it dies), so EOF means all are done.
 */
static void fork_children(long n, const char *name, long mib, long fork_ms, const char *pids_file)
{
	int fds[2];
	char buf[64];
	ssize_t r;
	pid_t pid;

	if (pipe(fds) < 0)
		die("pipe");
	for (long i = 0; i < n; i++) {
		if (i > 0 && fork_ms > 0)
			sleep_ms(fork_ms);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(fds[0]);
			child_main(name, mib, fds[1]);
		}
		log_pid(pids_file, pid);
	}
	close(fds[1]);
	while ((r = read(fds[0], buf, sizeof(buf))) != 0)
		if (r < 0 && errno != EINTR)
			die("reading the ready pipe");
	close(fds[0]);
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
		{ "share-mm", required_argument, NULL, 's' },
		{ "wait-file", required_argument, NULL, 'w' },
		{ "children", required_argument, NULL, 'c' },
		{ "child-mib", required_argument, NULL, 'M' },
		{ "child-name", required_argument, NULL, 'C' },
		{ "fork-ms", required_argument, NULL, 'f' },
		{ "pids-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "memhog", *ready = NULL, *adj = NULL, *sharer = NULL;
	const char *wait_file = NULL, *child_name = "worker", *pids_file = NULL;
	long hold_mib = 0, grow = 0, children = 0, child_mib = 4, fork_ms = 0;
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
		case 's':
			sharer = optarg;
			break;
		case 'w':
			wait_file = optarg;
			break;
		case 'c':
			children = strtol(optarg, NULL, 10);
			break;
		case 'M':
			child_mib = strtol(optarg, NULL, 10);
			break;
		case 'C':
			child_name = optarg;
			break;
		case 'f':
			fork_ms = strtol(optarg, NULL, 10);
			break;
		case 'p':
			pids_file = optarg;
			break;
		default:
			fprintf(stderr, "usage: memhog --name NAME [--adj N] [--hold-mib M] "
					"[--grow-mib-s R] [--ready-file PATH] [--note TEXT] "
					"[--share-mm NAME] [--wait-file PATH] [--children N] "
					"[--child-mib M] [--child-name NAME] [--fork-ms T] "
					"[--pids-file PATH]\n");
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
	/* Children that die are reaped by the kernel: no zombies left in a snapshot. */
	signal(SIGCHLD, SIG_IGN);
	for (long i = 0; i < hold_mib; i++)
		grab_mib();
	if (sharer)
		start_mm_sharer(sharer, pids_file);
	if (wait_file)
		while (access(wait_file, F_OK) != 0)
			sleep_ms(10);
	if (children > 0)
		fork_children(children, child_name, child_mib, fork_ms, pids_file);
	if (ready)
		touch(ready);
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
