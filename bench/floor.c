// SPDX-License-Identifier: GPL-2.0-only
/*
 * floor: runs the sampler's floor program (bench/floor.bpf.c) once per interval, as the
 * recorder runs its sampler, until killed, so that bench/sampler.sh can measure its CPU over
 * the same seconds as the recorder's and atop's.
 *
 *   floor [INTERVAL_MS]     default 1000; prints "ready N" (processes read) after the first run
 *
 * Needs root (CAP_BPF, CAP_PERFMON) and a kernel with the task-iterator kfuncs (6.7+).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/types.h>

#include "floor.h"
#include "floor.skel.h"

static int run_once(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	return bpf_prog_test_run_opts(prog_fd, &opts) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	long interval_ms = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	struct timespec next;
	struct floor_bpf *skel;
	int prog_fd, r;

	if (interval_ms <= 0) {
		fprintf(stderr, "usage: floor [INTERVAL_MS]\n");
		return 2;
	}
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: loading bench/floor.bpf.c: %s (root, and a 6.7+ kernel?)\n",
			strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.floor_sample);
	r = run_once(prog_fd);
	if (r < 0) {
		fprintf(stderr, "floor: running the program: %s\n", strerror(-r));
		floor_bpf__destroy(skel);
		return 1;
	}
	printf("ready %u\n", skel->bss->n_tasks);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		next.tv_nsec += (interval_ms % 1000) * 1000000L;
		next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		r = run_once(prog_fd);
		if (r < 0) {
			fprintf(stderr, "floor: running the program: %s\n", strerror(-r));
			break;
		}
	}
	floor_bpf__destroy(skel);
	return 1;
}
