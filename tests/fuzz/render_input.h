/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How fuzz_render reads its input, and how seeds.c writes one: a flags byte (FUZZ_RENDER_*),
 * then for each of FUZZ_RENDER_PROCS processes a 16-bit oom_score_adj (taken modulo 2001, less
 * 1000) and a 16-bit size in MiB, then the victim's and the trigger's indexes (a byte each),
 * then the strings, FUZZ_RENDER_STR_* in order: each a length byte and its bytes (0xff: NULL).
 * With FUZZ_RENDER_WILD, struct fuzz_render_wild follows, as its bytes: numbers no recorder
 * writes but a corrupt database can hold, in place of the sane ones.
 */
#ifndef OW_TESTS_FUZZ_RENDER_INPUT_H
#define OW_TESTS_FUZZ_RENDER_INPUT_H

#include <stdint.h>

#define FUZZ_RENDER_PROCS 3
#define FUZZ_RENDER_STR_MAX 200

enum fuzz_render_flag {
	FUZZ_RENDER_MEMCG = 1u << 0, /* a memcg OOM, else global */
	FUZZ_RENDER_HISTORY = 1u << 1, /* with a memory history */
	FUZZ_RENDER_TWO_KILLS = 1u << 2, /* a second kill, of the next process */
	FUZZ_RENDER_TREE = 1u << 3, /* processes 1 and 2 are children of 0 */
	FUZZ_RENDER_PARTIAL = 1u << 4, /* lost records */
	FUZZ_RENDER_WILD = 1u << 5, /* the numbers below instead of sane ones */
	/*
	 * What follows kills and who killed: the first kill is a SIGKILL sent by the trigger
	 * (snapshot skipped), the second the kernel's with every flag; both with an aftermath, the
	 * kernel's report, the memory no process owns with a tmpfs mount and adj changes, their
	 * strings from the input, their times and sizes from the numbers below when wild.
	 */
	FUZZ_RENDER_CONTEXT = 1u << 6,
};

#define FUZZ_RENDER_TIMES 6 /* samples of the history */

struct fuzz_render_wild {
	uint64_t kill_time_ns[2];
	int32_t adj[FUZZ_RENDER_PROCS];
	uint64_t anon_bytes[FUZZ_RENDER_PROCS];
	uint64_t swap_bytes[FUZZ_RENDER_PROCS];
	uint64_t pgtables_bytes[FUZZ_RENDER_PROCS];
	uint64_t limit_bytes, usage_bytes, total_bytes; /* the domain's */
	uint64_t t0_ns; /* the history's first sample */
	int32_t step_ns[FUZZ_RENDER_TIMES]; /* then each this much later (or earlier: corrupt) */
	uint64_t sample_bytes[FUZZ_RENDER_PROCS][FUZZ_RENDER_TIMES]; /* anon of each process */
	uint8_t present[FUZZ_RENDER_PROCS]; /* bit t: sample t is present */
	uint64_t cgroup_usage_bytes[FUZZ_RENDER_TIMES];
	uint64_t cgroup_limit_bytes;
	uint64_t mem_total_bytes, mem_available_bytes;
};

enum fuzz_render_str {
	FUZZ_RENDER_STR_DOMAIN, /* the domain's cgroup path */
	FUZZ_RENDER_STR_THREAD, /* the trigger thread's comm */
	FUZZ_RENDER_STR_KFRAME, /* a kernel stack frame */
	FUZZ_RENDER_STR_UFRAME, /* a user stack frame */
	FUZZ_RENDER_STR_PROC, /* each process: comm, cmdline, cgroup */
	FUZZ_RENDER_STR_COUNT = FUZZ_RENDER_STR_PROC + 3 * FUZZ_RENDER_PROCS,
};

#endif
