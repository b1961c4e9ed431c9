/* SPDX-License-Identifier: GPL-2.0-only */
/* `oomwitness check`'s lines from the probed facts (kernel_check.h). */
#include "capture/kernel_check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ow_check_line *add(struct ow_check_line *lines, size_t *n, size_t max,
				 const char *name, bool ok, bool required, bool in_use,
				 const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static struct ow_check_line *add(struct ow_check_line *lines, size_t *n, size_t max,
				 const char *name, bool ok, bool required, bool in_use,
				 const char *fmt, ...)
{
	struct ow_check_line *l;
	va_list ap;

	if (*n >= max)
		return NULL;
	l = &lines[(*n)++];
	l->name = name;
	l->ok = ok;
	l->required = required;
	l->in_use = in_use;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	return l;
}

/* why without a leading "name " (the line names the hook already), or dflt when empty. */
static const char *reason(const char *why, const char *name, const char *dflt)
{
	size_t len = strlen(name);

	if (!why[0])
		return dflt;
	if (strncmp(why, name, len) == 0 && why[len] == ' ')
		return why + len + 1;
	return why;
}

static bool has_cap(const struct ow_kernel_facts *f, int cap)
{
	return f->caps_known && (f->cap_eff >> cap) & 1;
}

size_t ow_check_lines(const struct ow_kernel_facts *f, struct ow_check_line *lines, size_t max)
{
	bool fentry = f->fentry_err == 0, kprobe = f->kprobe_err == 0, bpf_ok;
	size_t n = 0;
	char caps[96];

	bpf_ok = f->btf && f->mark_victim != OW_MARK_VICTIM_MISSING;
	if (f->btf)
		add(lines, &n, max, "kernel BTF", true, true, true,
		    "/sys/kernel/btf/vmlinux: the BPF programs adapt to this kernel (CO-RE)");
	else
		add(lines, &n, max, "kernel BTF", false, true, false,
		    "/sys/kernel/btf/vmlinux is missing: no BPF program can load; use a kernel "
		    "built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels are), or record "
		    "--no-bpf (kills from /dev/kmsg alone, without cgroups or the memory split)");
	if (f->mark_victim == OW_MARK_VICTIM_TASK)
		add(lines, &n, max, "tp_btf/mark_victim", true, true, bpf_ok,
		    "task form: every process is read at the moment of each OOM kill");
	else if (f->mark_victim == OW_MARK_VICTIM_PID_ONLY)
		add(lines, &n, max, "tp_btf/mark_victim", true, true, bpf_ok,
		    "pid-only form (older kernels, before the task argument): the victim is "
		    "found by its pid in the walk of every process");
	else
		add(lines, &n, max, "tp_btf/mark_victim", false, true, false,
		    "the oom:mark_victim tracepoint is missing%s: OOM kills cannot be seen from "
		    "BPF; record --no-bpf reads them from /dev/kmsg",
		    f->btf ? "" : " (no BTF to look it up)");
	if (f->task_iter_kfuncs)
		add(lines, &n, max, "task iterator kfuncs", true, true, bpf_ok,
		    "bpf_iter_task_new/next/destroy: the kill-time walk of every process");
	else
		add(lines, &n, max, "task iterator kfuncs", false, false, false,
		    "bpf_iter_task_new is missing (it came in Linux 6.7): the kill-time snapshot "
		    "walks the task list with bpf_loop instead, about 2.5 times the BPF CPU "
		    "(about 3 ms a kill at 2,000 processes); Linux 6.7 or later is cheaper");
	if (f->signal_generate)
		add(lines, &n, max, "tp_btf/signal_generate", true, false, bpf_ok,
		    "SIGKILLs from user space (kill -9, earlyoom, systemd-oomd) are recorded");
	else
		add(lines, &n, max, "tp_btf/signal_generate", false, false, false,
		    "costs the SIGKILLs sent from user space (kill -9, earlyoom, systemd-oomd): "
		    "only the kernel's OOM kills are recorded; a kernel with the "
		    "signal:signal_generate tracepoint (CONFIG_TRACEPOINTS) gives them");
	if (f->oom_score_adj_update)
		add(lines, &n, max, "tp_btf/oom_score_adj_update", true, false, bpf_ok,
		    "who set each oom_score_adj is recorded");
	else
		add(lines, &n, max, "tp_btf/oom_score_adj_update", false, false, false,
		    "costs the oom_score_adj audit: kills show each process's adj, not who set "
		    "it; nothing to do but a newer kernel");
	if (f->reaping && f->task_from_pid_kfunc)
		add(lines, &n, max, "tp_btf/start_task_reaping, finish_task_reaping", true, false,
		    bpf_ok, "the OOM reaper's work on each victim is timed");
	else
		add(lines, &n, max, "tp_btf/start_task_reaping, finish_task_reaping", false, false,
		    false,
		    "%s: costs the OOM reaper's timings and the memory it freed; the rest of each "
		    "kill is recorded",
		    f->reaping ? "the bpf_task_from_pid kfunc is missing (Linux 6.2+)"
			       : "the oom reaper tracepoints are missing");
	if (fentry)
		add(lines, &n, max, "fentry/oom_kill_process", true, false, bpf_ok,
		    "the kernel's struct oom_control at each kill: its constraint, totalpages "
		    "and OOM memory cgroup are taken as the kernel has them");
	else
		add(lines, &n, max, "fentry/oom_kill_process", false, false, false,
		    "%s; costs little when kprobes work (below), else the constraint, OOM memcg "
		    "and totalpages come from /dev/kmsg or are inferred from the snapshot; a "
		    "kernel that allows BPF trampolines (not locked down, "
		    "CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS) gives them",
		    reason(f->fentry_why, "fentry/oom_kill_process", "does not work"));
	if (kprobe)
		add(lines, &n, max, "kprobe/oom_kill_process", true, false, bpf_ok && !fentry,
		    fentry ? "works; not used: fentry is preferred"
			   : "the kernel's struct oom_control at each kill, through a kprobe");
	else
		add(lines, &n, max, "kprobe/oom_kill_process", false, false, false, "%s; %s",
		    reason(f->kprobe_why, "kprobe/oom_kill_process", "does not work"),
		    fentry ? "costs nothing here: fentry is used"
			   : "with fentry missing too, the constraint, OOM memcg and totalpages "
			     "come from /dev/kmsg or are inferred from the snapshot; a kernel with "
			     "CONFIG_KPROBES=y gives them");
	if (f->memcg_version == 2)
		add(lines, &n, max, "memory cgroup", true, false, true,
		    "cgroup v2: memory.max, memory.events and memory.oom.group");
	else if (f->memcg_version == 1)
		add(lines, &n, max, "memory cgroup", true, false, true,
		    "cgroup v1: memory.limit_in_bytes (memory.oom.group and the per-cgroup OOM "
		    "counts of memory.events need cgroup v2: systemd.unified_cgroup_hierarchy=1)");
	else
		add(lines, &n, max, "memory cgroup", false, false, false,
		    "no memory controller mounted: no cgroup has a limit, so only whole-machine "
		    "OOMs happen and kills are not placed in cgroups; mount cgroup2 with +memory");
	if (f->kmsg_err == 0)
		add(lines, &n, max, "/dev/kmsg", true, false, true,
		    "readable: the kernel's own report confirms each kill");
	else
		add(lines, &n, max, "/dev/kmsg", false, false, false,
		    "cannot be read (%s): kills are recorded without the kernel's own report; run "
		    "as root (CAP_SYSLOG) or set kernel.dmesg_restrict=0",
		    strerror(-f->kmsg_err));
	caps[0] = '\0';
	if (!has_cap(f, OW_CAP_BPF))
		strcat(caps, " CAP_BPF");
	if (!has_cap(f, OW_CAP_PERFMON))
		strcat(caps, " CAP_PERFMON");
	if (!has_cap(f, OW_CAP_SYS_ADMIN))
		strcat(caps, " CAP_SYS_ADMIN");
	if (!caps[0])
		add(lines, &n, max, "capabilities", true, true, true,
		    "CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: record can load and attach");
	else
		add(lines, &n, max, "capabilities", false, true, false,
		    "lacking%s: record cannot load its BPF programs; run it as root (sudo, or "
		    "the systemd unit)",
		    f->caps_known ? caps : " (CapEff unreadable)");
	return n;
}

bool ow_check_can_record(const struct ow_check_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lines[i].required && !lines[i].ok)
			return false;
	return true;
}

int ow_parse_cap_eff(const char *status, uint64_t *ret)
{
	const char *p = status;
	char *end;

	while (p && *p) {
		if (strncmp(p, "CapEff:", 7) == 0) {
			*ret = strtoull(p + 7, &end, 16);
			return end == p + 7 ? -EINVAL : 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}
