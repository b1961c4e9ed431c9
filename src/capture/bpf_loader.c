/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libbpf shell around the oomkill skeleton (see bpf_loader.h). Feature checks come first so
 * that a kernel lacking something is told by name, not by a verifier log.
 */
#include "capture/bpf_loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "oomwitness.h"
#include "oomkill.skel.h"

#define OW_RINGBUF_DEFAULT_BYTES (8u << 20)

struct ow_bpf {
	struct oomkill_bpf *skel;
	struct ring_buffer *rb;
	struct ow_bpf_options opts;
};

const char *ow_bpf_hooks_description(void)
{
	return "tp_btf/mark_victim (kill snapshot via task iterator), "
	       "tp_btf/sched_process_exec, tp_btf/sched_process_exit";
}

/* Whether the typedef btf_trace_<tp> takes a pointer as its first tracepoint argument. */
static int tracepoint_first_arg_is_pointer(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	const struct btf_param *params;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id); /* typedef -> pointer -> func proto */
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 2)
		return -EINVAL;
	params = btf_params(t);
	t = btf__type_by_id(btf, params[1].type); /* params[0] is the void *__data */
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_ptr(t);
}

static int probe_kernel(char *what, size_t what_len)
{
	struct btf *btf;
	int r;

	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(
			what, what_len,
			"kernel BTF (/sys/kernel/btf/vmlinux) is missing: oomwitness needs a kernel "
			"built with CONFIG_DEBUG_INFO_BTF");
		return -EOPNOTSUPP;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		r = -errno;
		snprintf(what, what_len, "reading kernel BTF: %s", strerror(-r));
		return r;
	}
	r = tracepoint_first_arg_is_pointer(btf, "mark_victim");
	if (r == -ENOENT) {
		snprintf(what, what_len,
			 "the oom:mark_victim tracepoint is missing from this kernel");
		r = -EOPNOTSUPP;
		goto out;
	}
	if (r <= 0) {
		snprintf(what, what_len,
			 "oom:mark_victim passes only a pid on this kernel (the task argument came "
			 "in later kernels); this kernel is not supported yet");
		r = -EOPNOTSUPP;
		goto out;
	}
	if (btf__find_by_name_kind(btf, "bpf_iter_task_new", BTF_KIND_FUNC) < 0) {
		snprintf(
			what, what_len,
			"the BPF task iterator kfuncs (bpf_iter_task_new, Linux 6.7+) are missing: "
			"the kill-time snapshot needs them");
		r = -EOPNOTSUPP;
		goto out;
	}
	r = 0;
out:
	btf__free(btf);
	return r;
}

static int on_ringbuf_record(void *ctx, void *data, size_t size)
{
	struct ow_bpf *b = ctx;

	return b->opts.on_record(b->opts.ctx, data, size);
}

int ow_bpf_start(const struct ow_bpf_options *opts, struct ow_bpf **ret_bpf, char *what,
		 size_t what_len)
{
	char scratch[256];
	struct ow_bpf *b;
	int r;

	if (!what) {
		what = scratch;
		what_len = sizeof(scratch);
	}
	what[0] = '\0';
	r = probe_kernel(what, what_len);
	if (r < 0)
		return r;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->opts = *opts;

	/* 1. open */
	b->skel = oomkill_bpf__open();
	if (!b->skel) {
		r = -errno;
		snprintf(what, what_len, "opening the BPF object");
		goto out_free;
	}
	/* 2. configure */
	r = bpf_map__set_max_entries(b->skel->maps.events, opts->ringbuf_bytes
								   ? (uint32_t)opts->ringbuf_bytes
								   : OW_RINGBUF_DEFAULT_BYTES);
	if (r < 0) {
		snprintf(what, what_len, "sizing the ring buffer");
		goto out_destroy;
	}
	/* 3. load (the verifier runs here) */
	r = oomkill_bpf__load(b->skel);
	if (r < 0) {
		snprintf(
			what, what_len,
			"loading the BPF programs (the verifier refused them, or CAP_BPF/CAP_PERFMON "
			"are missing: run as root)");
		goto out_destroy;
	}
	/* 4. attach */
	r = oomkill_bpf__attach(b->skel);
	if (r < 0) {
		snprintf(what, what_len, "attaching the tracepoints");
		goto out_destroy;
	}
	/* 5. poll set-up */
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_ringbuf_record, b, NULL);
	if (!b->rb) {
		r = -errno;
		snprintf(what, what_len, "setting up the ring buffer");
		goto out_destroy;
	}
	*ret_bpf = b;
	return 0;

out_destroy:
	oomkill_bpf__destroy(b->skel);
out_free:
	free(b);
	return r < 0 ? r : -EINVAL;
}

void ow_bpf_stop(struct ow_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	oomkill_bpf__destroy(b->skel);
	free(b);
}

int ow_bpf_poll(struct ow_bpf *b, int timeout_ms)
{
	return ring_buffer__poll(b->rb, timeout_ms);
}

int ow_bpf_read_counters(struct ow_bpf *b, struct ow_bpf_counters *ret_counters)
{
	int fd = bpf_map__fd(b->skel->maps.counters);
	uint64_t v[OW_CNT_MAX] = { 0 };

	for (uint32_t i = 0; i < OW_CNT_MAX; i++)
		if (bpf_map_lookup_elem(fd, &i, &v[i]) < 0)
			return -errno;
	ret_counters->kills = v[OW_CNT_KILLS];
	ret_counters->lost_records = v[OW_CNT_LOST_RECORDS];
	return 0;
}
