/* SPDX-License-Identifier: GPL-2.0-only */
/* libbpf shell around the oomctl skeleton (see bpf_oomctl.h). */
#include "capture/bpf_oomctl.h"

#include <errno.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/consumer.h"
#include "oomctl_abi.h"
#include "oomctl.skel.h"

struct ow_oomctl {
	struct oomctl_bpf *skel;
	struct bpf_link *link;
	enum ow_oomctl_hook hook;
	uint32_t page_size;
};

const char *ow_oomctl_hook_name(enum ow_oomctl_hook h)
{
	switch (h) {
	case OW_OOMCTL_FENTRY:
		return "fentry/oom_kill_process";
	case OW_OOMCTL_KPROBE:
		return "kprobe/oom_kill_process";
	default:
		return "none";
	}
}

/* libbpf's own messages while probing: a refused hook is expected, not an error to print. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* What a failure of hook h at step means, for a user. */
static void explain(enum ow_oomctl_hook h, const char *step, int err, char *why, size_t why_len)
{
	const char *hint = "";

	if (h == OW_OOMCTL_FENTRY && err == -EPERM)
		hint = ": the kernel refuses BPF trampolines (lockdown or a hardened kernel)";
	else if (h == OW_OOMCTL_FENTRY && (err == -ENOENT || err == -ESRCH))
		hint = ": oom_kill_process is not in the kernel's BTF (inlined or renamed)";
	else if (h == OW_OOMCTL_FENTRY && err == -EOPNOTSUPP)
		hint = ": this kernel or architecture has no BPF trampolines";
	else if (h == OW_OOMCTL_KPROBE && (err == -ENOENT || err == -EOPNOTSUPP))
		hint = ": the kernel has no kprobes (CONFIG_KPROBES off) or oom_kill_process is "
		       "not probeable";
	snprintf(why, why_len, "%s %s failed (%s)%s", ow_oomctl_hook_name(h), step, strerror(-err),
		 hint);
}

/* Opens, loads and attaches hook h into o. 0 or -errno with why. */
static int try_hook(struct ow_oomctl *o, enum ow_oomctl_hook h, char *why, size_t why_len)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	struct bpf_program *use, *other;
	int r;

	o->skel = oomctl_bpf__open();
	if (!o->skel) {
		r = -errno;
		explain(h, "open", r < 0 ? r : -EINVAL, why, why_len);
		goto out;
	}
	use = h == OW_OOMCTL_FENTRY ? o->skel->progs.ow_oomctl_fentry
				    : o->skel->progs.ow_oomctl_kprobe;
	other = h == OW_OOMCTL_FENTRY ? o->skel->progs.ow_oomctl_kprobe
				      : o->skel->progs.ow_oomctl_fentry;
	bpf_program__set_autoload(other, false);
	r = oomctl_bpf__load(o->skel);
	if (r < 0) {
		explain(h, "load", r, why, why_len);
		goto fail;
	}
	o->link = bpf_program__attach(use);
	if (!o->link) {
		r = -errno;
		explain(h, "attach", r < 0 ? r : -EINVAL, why, why_len);
		goto fail;
	}
	o->hook = h;
	r = 0;
	goto out;
fail:
	oomctl_bpf__destroy(o->skel);
	o->skel = NULL;
out:
	libbpf_set_print(old);
	return r;
}

int ow_oomctl_start(uint32_t page_size, struct ow_oomctl **ret, char *why, size_t why_len)
{
	struct ow_oomctl *o = calloc(1, sizeof(*o));
	const char *only = getenv("OOMWITNESS_OOMCTL_HOOK");
	char fentry_why[256], kprobe_why[256];
	int r;

	*ret = NULL;
	if (!o) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	o->page_size = page_size;
	/* OOMWITNESS_OOMCTL_HOOK=kprobe skips fentry, =none both: for tests of each path. */
	if (only && strcmp(only, "kprobe") != 0 && strcmp(only, "none") != 0)
		only = NULL;
	if (only) {
		snprintf(fentry_why, sizeof(fentry_why),
			 "fentry/oom_kill_process skipped "
			 "(OOMWITNESS_OOMCTL_HOOK=%s)",
			 only);
		r = -ECANCELED;
	} else {
		r = try_hook(o, OW_OOMCTL_FENTRY, fentry_why, sizeof(fentry_why));
	}
	if (r < 0 && only && strcmp(only, "none") == 0)
		snprintf(kprobe_why, sizeof(kprobe_why),
			 "kprobe/oom_kill_process skipped (OOMWITNESS_OOMCTL_HOOK=none)");
	else if (r < 0)
		r = try_hook(o, OW_OOMCTL_KPROBE, kprobe_why, sizeof(kprobe_why));
	if (r < 0) {
		snprintf(why, why_len, "%s; %s", fentry_why, kprobe_why);
		free(o);
		return r;
	}
	*ret = o;
	return 0;
}

void ow_oomctl_stop(struct ow_oomctl *o)
{
	if (!o)
		return;
	bpf_link__destroy(o->link);
	oomctl_bpf__destroy(o->skel);
	free(o);
}

enum ow_oomctl_hook ow_oomctl_hook(const struct ow_oomctl *o)
{
	return o ? o->hook : OW_OOMCTL_NONE;
}

int ow_oomctl_probe(enum ow_oomctl_hook h, char *why, size_t why_len)
{
	struct ow_oomctl o = { 0 };
	int r = try_hook(&o, h, why, why_len);

	if (r == 0) {
		bpf_link__destroy(o.link);
		oomctl_bpf__destroy(o.skel);
	}
	return r;
}

int ow_oomctl_take(struct ow_oomctl *o, const struct ow_kill *kill, struct ow_oom_control *ret)
{
	struct ow_oomctl_record rec;
	__s32 key = kill->victim_pid;
	int fd;

	if (!o || !o->skel)
		return 0;
	fd = bpf_map__fd(o->skel->maps.oomctl_records);
	if (bpf_map_lookup_elem(fd, &key, &rec) != 0)
		return errno == ENOENT ? 0 : -errno;
	/* the clock offset of now, as the consumer's: wall-clock steps move both alike */
	ow_oom_control_from_record(&rec, o->page_size, ow_clock_boot_to_real_ns(), ret);
	if (!ow_oom_control_matches(ret, kill))
		return 0;
	(void)bpf_map_delete_elem(fd, &key); /* one kill per record */
	return 1;
}
