/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The libbpf shell of bpf/oomctl.bpf.c: reads the kernel's struct oom_control at each OOM
 * kill through the best hook this kernel gives, chosen by trying them: fentry on
 * oom_kill_process, else a kprobe on it, else none (the tracepoint path records kills without
 * it). Independent of bpf_loader.h: its own object, its own map.
 */
#ifndef OW_BPF_OOMCTL_H
#define OW_BPF_OOMCTL_H

#include <stddef.h>
#include <stdint.h>

#include "capture/oomctl.h"

enum ow_oomctl_hook {
	OW_OOMCTL_NONE = 0,
	OW_OOMCTL_FENTRY,
	OW_OOMCTL_KPROBE,
};

/* "fentry/oom_kill_process", "kprobe/oom_kill_process" or "none". */
const char *ow_oomctl_hook_name(enum ow_oomctl_hook h);

struct ow_oomctl;

/*
 * Loads and attaches the first hook that works. Returns 0 with *ret set, or -errno with
 * *ret NULL and why (not NULL) holding one line for each hook tried and why it failed, in
 * words a user can act on. page_size converts totalpages to bytes.
 */
int ow_oomctl_start(uint32_t page_size, struct ow_oomctl **ret, char *why, size_t why_len);
void ow_oomctl_stop(struct ow_oomctl *o);
enum ow_oomctl_hook ow_oomctl_hook(const struct ow_oomctl *o);

/*
 * Probes one hook without keeping it: load, attach, detach. 0 when it works, else -errno and
 * why.
 */
int ow_oomctl_probe(enum ow_oomctl_hook h, char *why, size_t why_len);

/*
 * The record of the kill of victim_pid, when the kernel left one within OW_OOMCTL_MATCH_NS of
 * kill_time_ns: 1 and *ret filled, 0 when none, -errno on a map error.
 */
int ow_oomctl_take(struct ow_oomctl *o, const struct ow_kill *kill, struct ow_oom_control *ret);

#endif
