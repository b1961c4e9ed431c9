/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder protects itself from the memory shortage it records: it locks its memory so no
 * page of it is reclaimed or swapped when memory runs out, keeps freed heap for reuse so that
 * allocations after start-up (the kill path's) neither fault nor ask the kernel for memory, and
 * asks the OOM killer never to pick it (oom_score_adj -1000), and the scheduler to run it first
 * (nice -20: the processes it records take every CPU while they leak). Each step may be refused
 * by the machine; the report says which, and the caller warns and goes on.
 */
#ifndef OW_PROTECT_H
#define OW_PROTECT_H

#include <stddef.h>

/* The nice value asked for: the highest priority there is. */
#define OW_RECORDER_NICE (-20)

struct protect_report {
	int mlock_err; /* 0, or -errno of mlockall() */
	int adj_err; /* 0, or -errno of writing /proc/self/oom_score_adj */
	int adj; /* the oom_score_adj in force afterwards */
	int nice_err; /* 0, or -errno of setpriority() */
	int nice; /* the nice value in force afterwards */
};

/* heap_reserve_bytes: heap faulted in now and kept for later allocations. */
void protect_self(size_t heap_reserve_bytes, struct protect_report *ret);

#endif
