/* SPDX-License-Identifier: GPL-2.0-only */
/* The sampler floor's record (bench/floor.bpf.c), for its loader (bench/floor.c) too. */
#ifndef OW_BENCH_FLOOR_H
#define OW_BENCH_FLOOR_H

#define FLOOR_MAX_TASKS 65536

struct floor_task {
	__s32 tgid;
	__s32 ppid;
	__s32 oom_score_adj;
	__u32 pad;
	__u64 memcg_id;
	__u64 start_ns;
	__s64 rss[4];
	__s64 pgtables_bytes;
	char comm[16];
};

#endif
