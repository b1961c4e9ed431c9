/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Self-protection of the recorder (see protect.h).
 */
#include "cmd/protect.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define OW_OOM_SCORE_ADJ_MIN (-1000)

static int read_adj(void)
{
	char buf[16] = { 0 };
	int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : 0;
}

static int write_adj(int adj)
{
	char buf[16];
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%d\n", adj), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len)
		err = -errno;
	close(fd);
	return err;
}

void protect_self(size_t heap_reserve_bytes, struct protect_report *ret)
{
	void *reserve;

	memset(ret, 0, sizeof(*ret));
	/*
	 * Allocations come from the heap, never from a fresh mmap, and freed heap is kept: with
	 * the reserve below faulted in and locked, later allocations reuse resident pages.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, (int)(heap_reserve_bytes * 2 + (64u << 20)));
	mallopt(M_TOP_PAD, 1 << 20);
	/*
	 * MCL_ONFAULT: pages are locked as they are touched. Everything the recorder preallocates
	 * is touched at once (so it is resident and locked from the start); the BPF ring buffer's
	 * double mapping is not populated for nothing.
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
		ret->mlock_err = -errno;
	reserve = malloc(heap_reserve_bytes);
	if (reserve) {
		explicit_bzero(reserve, heap_reserve_bytes); /* a store the compiler keeps */
		free(reserve);
	}
	ret->adj_err = write_adj(OW_OOM_SCORE_ADJ_MIN);
	ret->adj = read_adj();
	/*
	 * The processes whose OOM kills it records fill both CPUs while they leak: at the default
	 * nice 0 the recorder waited 1.3 s for a CPU in a storm of 120 kills (bench/latency.sh),
	 * its ring buffer overflowed and whole kills were lost. It needs a few ms per kill.
	 */
	if (setpriority(PRIO_PROCESS, 0, OW_RECORDER_NICE) < 0)
		ret->nice_err = -errno;
	errno = 0;
	ret->nice = getpriority(PRIO_PROCESS, 0);
}
