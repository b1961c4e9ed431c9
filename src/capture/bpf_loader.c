/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libbpf shell around the oomkill skeleton (see bpf_loader.h). Feature checks come first so
 * that a kernel lacking something is told by name, not by a verifier log. The kill snapshot
 * (mark_victim) and the exec/exit hooks are required; the others (signal kills, the adj audit,
 * the OOM reaper) are optional: a kernel without one, or refusing one, records without it, and
 * ow_bpf_missing_hooks() says which.
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

/*
 * How the kill snapshot walks the processes, by what the kernel gives (probe_kernel()):
 * ITER, the task-iterator kfuncs and bpf_rdonly_cast with direct loads (6.7+); WALK_TASK,
 * mark_victim passes the task but the walk is bpf_loop over the task->tasks list, probe reads
 * (6.2-6.6); WALK_PID, the same, and mark_victim passes only the victim's pid, found during a
 * walk (before 6.2). OW_BPF_WALK=1 in the environment forces the walk (tests, bench/);
 * OW_BPF_WALK=pid also finds the victim by pid, as WALK_PID does, where the task is given.
 */
enum ow_walk_mode {
	OW_MODE_ITER = 1 << 0,
	OW_MODE_WALK_TASK = 1 << 1,
	OW_MODE_WALK_PID = 1 << 2,
};
#define OW_MODE_ANY (OW_MODE_ITER | OW_MODE_WALK_TASK | OW_MODE_WALK_PID)
#define OW_MODE_WALK (OW_MODE_WALK_TASK | OW_MODE_WALK_PID)

/* One BPF program and the tracepoint it hooks. */
struct ow_hook {
	const char *prog; /* program name in oomkill.bpf.c */
	const char *tp; /* tracepoint (btf_trace_<tp> in the kernel's BTF) */
	const char *kfunc; /* a kfunc it calls that older kernels lack, or NULL */
	bool required;
	unsigned modes; /* the walk modes it is loaded in (one variant of a hook per mode) */
};

static const struct ow_hook hooks[] = {
	{ "ow_mark_victim", "mark_victim", NULL, true, OW_MODE_ITER },
	{ "ow_mark_victim_walk", "mark_victim", NULL, true, OW_MODE_WALK_TASK },
	{ "ow_mark_victim_pid", "mark_victim", NULL, true, OW_MODE_WALK_PID },
	{ "ow_exec", "sched_process_exec", NULL, true, OW_MODE_ANY },
	{ "ow_exit", "sched_process_exit", NULL, true, OW_MODE_ANY },
	{ "ow_signal_generate", "signal_generate", NULL, false, OW_MODE_ITER },
	{ "ow_signal_generate_walk", "signal_generate", NULL, false, OW_MODE_WALK },
	{ "ow_adj_update", "oom_score_adj_update", NULL, false, OW_MODE_ANY },
	{ "ow_fork", "sched_process_fork", NULL, false, OW_MODE_ANY },
	/* bpf_task_from_pid came with bpf_rdonly_cast (6.2), which the reaper's end also needs */
	{ "ow_reap_start", "start_task_reaping", "bpf_task_from_pid", false, OW_MODE_ANY },
	{ "ow_reap_end", "finish_task_reaping", "bpf_task_from_pid", false, OW_MODE_ANY },
};

#define OW_N_HOOKS (sizeof(hooks) / sizeof(hooks[0]))

/* The mode of the last ow_bpf_start(), for ow_bpf_hooks_description(). */
static unsigned last_mode = OW_MODE_ITER;

struct ow_bpf {
	struct oomkill_bpf *skel;
	struct ring_buffer *rb;
	struct ow_bpf_options opts;
	struct bpf_link *links[OW_N_HOOKS];
	unsigned mode; /* enum ow_walk_mode */
	char missing[512]; /* optional hooks not attached, and why; "" when none */
};

const char *ow_bpf_hooks_description(void)
{
	if (last_mode == OW_MODE_WALK_PID)
		return "tp_btf/mark_victim (pid only; kill snapshot via a bpf_loop walk, this kernel "
		       "has no task iterator), "
		       "tp_btf/signal_generate (SIGKILLs from user space), "
		       "tp_btf/oom_score_adj_update and tp_btf/sched_process_fork (oom_score_adj "
		       "audit), tp_btf/sched_process_exec, tp_btf/sched_process_exit";
	if (last_mode == OW_MODE_WALK_TASK)
		return "tp_btf/mark_victim (kill snapshot via a bpf_loop walk, no task iterator), "
		       "tp_btf/signal_generate (SIGKILLs from user space), "
		       "tp_btf/oom_score_adj_update and tp_btf/sched_process_fork (oom_score_adj "
		       "audit), tp_btf/start_task_reaping and tp_btf/finish_task_reaping (OOM "
		       "reaper), tp_btf/sched_process_exec, tp_btf/sched_process_exit";
	return "tp_btf/mark_victim (kill snapshot via task iterator), "
	       "tp_btf/signal_generate (SIGKILLs from user space), "
	       "tp_btf/oom_score_adj_update and tp_btf/sched_process_fork (oom_score_adj audit), "
	       "tp_btf/start_task_reaping and tp_btf/finish_task_reaping (OOM reaper), "
	       "tp_btf/sched_process_exec, tp_btf/sched_process_exit";
}

const char *ow_bpf_missing_hooks(const struct ow_bpf *b)
{
	return b && b->missing[0] ? b->missing : NULL;
}

/* Appends "tp (why)" to b->missing. */
static void note_missing(struct ow_bpf *b, const struct ow_hook *h, const char *why)
{
	size_t len = strlen(b->missing);

	snprintf(b->missing + len, sizeof(b->missing) - len, "%stp_btf/%s (%s)", len ? ", " : "",
		 h->tp, why);
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

bool ow_bpf_kernel_has_task_iter(void)
{
	const char *force = getenv("OW_BPF_WALK");
	struct btf *btf;
	bool has;

	if (force && force[0] && strcmp(force, "0") != 0)
		return false;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return false;
	has = btf__find_by_name_kind(btf, "bpf_iter_task_new", BTF_KIND_FUNC) >= 0 &&
	      btf__find_by_name_kind(btf, "bpf_rdonly_cast", BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return has;
}

static int probe_kernel(unsigned *ret_mode, char *what, size_t what_len)
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
	if (r < 0) {
		snprintf(what, what_len,
			 "the oom:mark_victim tracepoint's arguments are not what oomwitness knows "
			 "(neither the victim task nor its pid)");
		r = -EOPNOTSUPP;
		goto out;
	}
	/* A pid (before 6.2), or the task; then the iterator if the kernel has it (6.7+). */
	if (r == 0)
		*ret_mode = OW_MODE_WALK_PID;
	else if (!ow_bpf_kernel_has_task_iter())
		*ret_mode = OW_MODE_WALK_TASK;
	else
		*ret_mode = OW_MODE_ITER;
	r = 0;
out:
	btf__free(btf);
	return r;
}

/*
 * Turns off the optional programs whose tracepoint or kfunc this kernel lacks, so that the
 * others load. With all_optional_off, every optional program (the verifier refused one).
 */
static void choose_programs(struct ow_bpf *b, bool all_optional_off)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char name[128];

	for (size_t i = 0; i < OW_N_HOOKS; i++) {
		const struct ow_hook *h = &hooks[i];
		struct bpf_program *prog;
		const char *why = NULL;

		prog = bpf_object__find_program_by_name(b->skel->obj, h->prog);
		if (!prog)
			continue;
		if (!(h->modes & b->mode)) {
			bpf_program__set_autoload(prog, false); /* another variant of the hook */
			continue;
		}
		if (h->required)
			continue;
		snprintf(name, sizeof(name), "btf_trace_%s", h->tp);
		if (all_optional_off)
			why = "the verifier refused the optional hooks";
		else if (!btf)
			why = "kernel BTF unreadable";
		else if (btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) < 0)
			why = "no such tracepoint in this kernel";
		else if (h->kfunc && btf__find_by_name_kind(btf, h->kfunc, BTF_KIND_FUNC) < 0)
			why = "kfunc missing";
		if (why) {
			bpf_program__set_autoload(prog, false);
			note_missing(b, h, why);
		}
	}
	btf__free(btf);
}

/* Opens and loads the skeleton with the programs this kernel can take. Returns 0 or -errno. */
static int open_and_load(struct ow_bpf *b, bool all_optional_off, char *what, size_t what_len)
{
	int r;

	b->missing[0] = '\0';
	/* 1. open */
	b->skel = oomkill_bpf__open();
	if (!b->skel) {
		r = -errno;
		snprintf(what, what_len, "opening the BPF object");
		return r < 0 ? r : -EINVAL;
	}
	/* 2. configure */
	r = bpf_map__set_max_entries(b->skel->maps.events, b->opts.ringbuf_bytes
								   ? (uint32_t)b->opts.ringbuf_bytes
								   : OW_RINGBUF_DEFAULT_BYTES);
	if (r < 0) {
		snprintf(what, what_len, "sizing the ring buffer");
		return r;
	}
	choose_programs(b, all_optional_off);
	if (b->mode == OW_MODE_WALK_TASK) {
		const char *force = getenv("OW_BPF_WALK");

		b->skel->rodata->ow_victim_by_pid = force && strcmp(force, "pid") == 0;
	}
	/* 3. load (the verifier runs here) */
	r = oomkill_bpf__load(b->skel);
	if (r < 0)
		snprintf(
			what, what_len,
			"loading the BPF programs (the verifier refused them, or CAP_BPF/CAP_PERFMON "
			"are missing: run as root)");
	return r;
}

/* Attaches every loaded program: a required one failing fails, an optional one is noted. */
static int attach_hooks(struct ow_bpf *b, char *what, size_t what_len)
{
	for (size_t i = 0; i < OW_N_HOOKS; i++) {
		const struct ow_hook *h = &hooks[i];
		struct bpf_program *prog = bpf_object__find_program_by_name(b->skel->obj, h->prog);
		int r;

		if (!prog || !bpf_program__autoload(prog))
			continue;
		b->links[i] = bpf_program__attach(prog);
		if (b->links[i])
			continue;
		r = -errno;
		b->links[i] = NULL;
		if (h->required) {
			snprintf(what, what_len, "attaching tp_btf/%s: %s", h->tp, strerror(-r));
			return r < 0 ? r : -EINVAL;
		}
		note_missing(b, h, strerror(-r));
	}
	/* Only now may a mark_victim without a kernel SIGKILL read as "already exiting". */
	for (size_t i = 0; i < OW_N_HOOKS; i++)
		if (b->links[i] && strcmp(hooks[i].tp, "signal_generate") == 0)
			b->skel->bss->ow_signal_hook_attached = 1;
	return 0;
}

static void detach_hooks(struct ow_bpf *b)
{
	for (size_t i = 0; i < OW_N_HOOKS; i++) {
		bpf_link__destroy(b->links[i]);
		b->links[i] = NULL;
	}
}

static int on_ringbuf_record(void *ctx, void *data, size_t size)
{
	struct ow_bpf *b = ctx;

	return b->opts.on_record(b->opts.ctx, data, size);
}

int ow_bpf_start(const struct ow_bpf_options *opts, struct ow_bpf **ret_bpf, char *what,
		 size_t what_len)
{
	unsigned mode = OW_MODE_ITER;
	char scratch[256];
	struct ow_bpf *b;
	int r;

	if (!what) {
		what = scratch;
		what_len = sizeof(scratch);
	}
	what[0] = '\0';
	r = probe_kernel(&mode, what, what_len);
	if (r < 0)
		return r;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->opts = *opts;
	b->mode = mode;
	last_mode = mode;

	/* 1-3. open, configure, load; if the verifier refuses, once more without the options */
	r = open_and_load(b, false, what, what_len);
	if (r < 0 && b->skel) {
		char first[256];

		snprintf(first, sizeof(first), "%s", what);
		oomkill_bpf__destroy(b->skel);
		b->skel = NULL;
		r = open_and_load(b, true, what, what_len);
		if (r < 0)
			snprintf(what, what_len, "%s", first);
	}
	if (r < 0)
		goto out_destroy;
	/* 4. attach */
	r = attach_hooks(b, what, what_len);
	if (r < 0)
		goto out_destroy;
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
	detach_hooks(b);
	oomkill_bpf__destroy(b->skel);
	free(b);
	return r < 0 ? r : -EINVAL;
}

void ow_bpf_stop(struct ow_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	detach_hooks(b);
	oomkill_bpf__destroy(b->skel);
	free(b);
}

int ow_bpf_poll(struct ow_bpf *b, int timeout_ms)
{
	int r = ring_buffer__poll(b->rb, timeout_ms);

	/*
	 * Exec, exit, adj and reaper records are submitted without a wake-up (or with the
	 * adaptive one, which stays quiet while older records wait): epoll never reports them
	 * on their own. Take them at every poll that timed out, so they wait at most one poll.
	 */
	if (r == 0)
		r = ring_buffer__consume(b->rb);
	return r;
}

int ow_bpf_read_counters(struct ow_bpf *b, struct ow_bpf_counters *ret_counters)
{
	/* Global data the skeleton mapped: plain loads, no system call (oomkill.bpf.c). */
	const volatile __u64 *v = b->skel->bss->ow_counters;

	ret_counters->kills = v[OW_CNT_KILLS];
	ret_counters->lost_records = v[OW_CNT_LOST_RECORDS];
	ret_counters->signal_kills = v[OW_CNT_SIGNAL_KILLS];
	ret_counters->signal_snapshots_skipped = v[OW_CNT_SIGNAL_SNAPSHOTS_SKIPPED];
	return 0;
}
