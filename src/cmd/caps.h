/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorder gives up, once every BPF program is loaded and attached, the capabilities it
 * needed only to start (README "What it needs" has the table). What a running recorder still
 * does, and what it keeps for it:
 *   CAP_IPC_LOCK    mlockall(MCL_FUTURE) locks every later allocation too; without it each new
 *                   heap or mmap page is checked against RLIMIT_MEMLOCK, which the locked
 *                   recorder is far above, and every allocation fails
 *   CAP_SYS_PTRACE  /proc/PID/maps of a killed process's trigger, read at kill time to name
 *                   its user stack frames (other users' processes, or those holding
 *                   capabilities the recorder no longer has: most root daemons, every process
 *                   a root shell starts)
 * Everything else goes: the BPF programs are loaded and attached, and what is left of BPF
 * (ring-buffer polling, map lookups, BPF_PROG_TEST_RUN of the sampler) works on the file
 * descriptors already open, with no capability on Linux 6.5 and later; /proc/kallsyms was read
 * once at start; oom_score_adj was lowered at start. Capabilities are per thread: this must run
 * before the recorder starts any thread (the metrics server), which then inherits the result.
 * The only libcap user.
 */
#ifndef OW_CAPS_H
#define OW_CAPS_H

/*
 * Reduces the permitted and effective sets to the two above (those of them the process has),
 * empties the inheritable and ambient sets, and removes the others from the bounding set where
 * CAP_SETPCAP allows. Logs one line: what was kept, or a warning when it could not (no libcap
 * support, the kernel refused); the recorder goes on either way. Returns 0 or -errno.
 */
int caps_drop_after_attach(void);

#endif
