/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `oomwitness check`'s findings: what this kernel and this process give the recorder, turned
 * into one line each ("ok" or "missing: what it costs and what to do") and the verdict
 * whether `record` can run. Pure: cmd_check.c probes the kernel and fills the facts.
 */
#ifndef OW_KERNEL_CHECK_H
#define OW_KERNEL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ow_mark_victim_form {
	OW_MARK_VICTIM_MISSING = 0,
	OW_MARK_VICTIM_PID_ONLY, /* older kernels: the tracepoint passes a pid */
	OW_MARK_VICTIM_TASK, /* the task_struct: what the kill snapshot needs */
};

/* What was probed. A hook's error is 0 when it worked, else -errno with its why. */
struct ow_kernel_facts {
	bool btf; /* /sys/kernel/btf/vmlinux readable */
	enum ow_mark_victim_form mark_victim;
	bool task_iter_kfuncs; /* bpf_iter_task_new/next/destroy */
	bool signal_generate;
	bool oom_score_adj_update;
	bool reaping; /* start_task_reaping and finish_task_reaping */
	bool task_from_pid_kfunc; /* bpf_task_from_pid, which the reaper hooks call */
	int fentry_err;
	char fentry_why[256];
	int kprobe_err;
	char kprobe_why[256];
	int memcg_version; /* 1, 2, or 0 without a memory controller */
	int kmsg_err; /* opening /dev/kmsg for reading: 0 or -errno */
	bool caps_known; /* CapEff was read */
	uint64_t cap_eff; /* the effective capabilities */
};

struct ow_check_line {
	const char *name; /* the hook or feature, e.g. "tp_btf/mark_victim" */
	bool ok;
	bool required; /* record cannot run without it */
	bool in_use; /* record uses it */
	char text[512]; /* what it gives, or what its absence costs and what to do */
};

#define OW_CHECK_LINES_MAX 16

/* The lines for facts, in a fixed order. Returns how many (at most max). */
size_t ow_check_lines(const struct ow_kernel_facts *f, struct ow_check_line *lines, size_t max);

/* Whether `record` (with BPF) can run: every required line is ok. */
bool ow_check_can_record(const struct ow_check_line *lines, size_t n);

/* The hex CapEff of /proc/self/status's text into *ret. 0, or -ENOENT when absent. */
int ow_parse_cap_eff(const char *status, uint64_t *ret);

/* Capability numbers (linux/capability.h) record needs, all of them. */
#define OW_CAP_SYS_ADMIN 21
#define OW_CAP_PERFMON 38
#define OW_CAP_BPF 39

#endif
