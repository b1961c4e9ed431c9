// SPDX-License-Identifier: GPL-2.0-only
/*
 * workload: a busy machine's work, for the recorder's overhead on it (bench/workload.sh).
 *
 *   workload faults SECONDS [--workers N]     mmap 64 MiB anonymous, write one byte in every
 *                                             4 KiB page, munmap, again: prints page faults
 *                                             per second
 *   workload forkexec SECONDS [--workers N]   fork, execve("/bin/true"), waitpid, again:
 *                                             prints execs per second
 *
 * N workers (default: one per online CPU) run the loop at once, each for SECONDS on its own
 * clock; the number printed is the sum of their rates. Huge pages are refused (MADV_NOHUGEPAGE)
 * so that every page touched is one page fault. Workers die with the parent (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REGION_BYTES (64UL * 1024UL * 1024UL)
#define PAGE_BYTES 4096UL

struct result {
	uint64_t count;
	uint64_t elapsed_ns;
};

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* Pages touched (each one a fault) until end_ns. */
static uint64_t run_faults(uint64_t end_ns)
{
	uint64_t pages = 0;

	do {
		volatile char *p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		(void)madvise((void *)p, REGION_BYTES, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < REGION_BYTES; off += PAGE_BYTES)
			p[off] = 1;
		pages += REGION_BYTES / PAGE_BYTES;
		if (munmap((void *)p, REGION_BYTES) < 0)
			die("munmap");
	} while (now_ns() < end_ns);
	return pages;
}

/* Children that ran /bin/true to the end, until end_ns. */
static uint64_t run_forkexec(uint64_t end_ns)
{
	static char *const argv[] = { "true", NULL };
	static char *const envp[] = { NULL };
	uint64_t execs = 0;

	do {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve("/bin/true", argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "workload: /bin/true ended with status %d\n", status);
			exit(1);
		}
		execs++;
	} while (now_ns() < end_ns);
	return execs;
}

static void usage(void)
{
	fprintf(stderr, "usage: workload faults|forkexec SECONDS [--workers N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "workers", required_argument, NULL, 'w' },
					      { NULL, 0, NULL, 0 } };
	long workers = sysconf(_SC_NPROCESSORS_ONLN), seconds;
	struct result *results;
	double rate = 0;
	int faults, c;
	pid_t parent = getpid();
	char *end;

	if (workers < 1)
		workers = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'w')
			usage();
		workers = strtol(optarg, &end, 10);
		if (*end || workers < 1 || workers > 1024)
			usage();
	}
	if (argc - optind != 2)
		usage();
	if (strcmp(argv[optind], "faults") == 0)
		faults = 1;
	else if (strcmp(argv[optind], "forkexec") == 0)
		faults = 0;
	else
		usage();
	seconds = strtol(argv[optind + 1], &end, 10);
	if (*end || seconds < 1)
		usage();

	/* One slot per worker, shared: each writes its own after its loop. */
	results = mmap(NULL, (size_t)workers * sizeof(*results), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (results == MAP_FAILED)
		die("mmap");
	for (long i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			uint64_t t0, t1, n;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1); /* the parent is already gone */
			t0 = now_ns();
			n = faults ? run_faults(t0 + (uint64_t)seconds * 1000000000ULL)
				   : run_forkexec(t0 + (uint64_t)seconds * 1000000000ULL);
			t1 = now_ns();
			results[i].count = n;
			results[i].elapsed_ns = t1 - t0;
			_exit(0);
		}
	}
	for (long i = 0; i < workers; i++) {
		int status;

		if (wait(&status) < 0)
			die("wait");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "workload: a worker failed (status %d)\n", status);
			return 1;
		}
	}
	for (long i = 0; i < workers; i++)
		rate += (double)results[i].count * 1e9 / (double)results[i].elapsed_ns;
	printf("%.0f\n", rate);
	return 0;
}
