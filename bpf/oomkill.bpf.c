// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of oomwitness: witnesses every OOM kill from inside the kill.
 *
 * oom:mark_victim fires in __oom_kill_process() right after the SIGKILL, with the victim still
 * holding its memory and `current` being the task that ran the OOM killer (the trigger). From
 * there we walk every process of the machine with the open-coded task iterator and emit a
 * snapshot of each (memory split, adj, memory cgroup) plus each memory cgroup once (usage,
 * limit). Kills are serialised by the kernel's oom_lock, so per-CPU scratch is enough.
 *
 * Nothing here decides anything: which cgroup was the OOM domain, who the candidates were and
 * who is to blame are worked out in user space from these facts.
 *
 * Exec and exit events let user space keep command lines of processes that die.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "oomwitness.h"
#include "core_fixes.bpf.h"
#include "task_read.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define OW_CGROUP_CHAIN_MAX 16

/*
 * The walk holds the kernel's oom_lock: bound it. At about 0.5 us per process this is about
 * 130 ms; a machine with more processes gets a snapshot marked truncated.
 */
const volatile __u32 ow_max_tasks = 262144;

/* A kill's first records: the begin record and two cgroup chains, with ring-buffer headers. */
#define OW_KILL_HEAD_BYTES                        \
	(sizeof(struct ow_event_kill_begin) + 8 + \
	 2 * OW_CGROUP_CHAIN_MAX * (sizeof(struct ow_event_cgroup) + 8))

/* Exec and exit records wake the consumer only once this much is waiting. */
#define OW_PROC_EVENTS_WAKEUP_BYTES (256u << 10)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the loader (--ringbuf-mib) */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OW_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Memory cgroups already emitted for the current kill: id -> kill_seq. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u32);
} cgroups_seen SEC(".maps");

/*
 * Per-kill state, kept in a per-CPU map rather than on the stack: the task walk then converges
 * for the verifier, and the batch of task records has room (about 1.5 KiB).
 */
struct kill_tally {
	__u32 seq;
	__u32 tasks_seen;
	__u32 tasks_emitted;
	__u32 kthreads_skipped;
	__u32 cgroups_emitted;
	__u32 truncated;
	__u64 lost_records;
	struct ow_event_tasks batch;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kill_tally);
} tally SEC(".maps");

__u32 kill_seq_next = 0;

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline void lost_kill_record(struct kill_tally *t)
{
	count(OW_CNT_LOST_RECORDS);
	t->lost_records++; /* the kill's own share, reported in its end record */
}

static __always_inline bool emit_cgroup(struct cgroup_subsys_state *css, __u64 id,
					struct kill_tally *t)
{
	struct cgroup_subsys_state *parent = css->parent;
	struct mem_cgroup *memcg = (void *)css - bpf_core_field_offset(struct mem_cgroup, css);
	struct ow_event_cgroup *e;
	long len;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lost_kill_record(t);
		return false;
	}
	e->hdr.type = OW_EV_CGROUP;
	e->hdr.kill_seq = t->seq;
	e->id = id;
	e->parent_id = parent ? css_id(parent) : 0;
	e->is_root = !parent;
	e->usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	e->max_pages = BPF_CORE_READ(memcg, memory.max);
	e->swap_max_pages = BPF_CORE_READ(memcg, swap.max);
	e->oom_events = ow_memcg_local_oom_events(memcg);
	e->name[0] = 0;
	e->name_truncated = 0;
	if (parent) {
		len = bpf_probe_read_kernel_str(e->name, sizeof(e->name),
						BPF_CORE_READ(css, cgroup, kn, name));
		e->name_truncated = len >= (long)sizeof(e->name);
	}
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	t->cgroups_emitted++;
	return true;
}

/* Emits a memory cgroup (id is its kernfs id) and its ancestors, each once per kill. */
static __always_inline void emit_cgroup_chain(struct cgroup_subsys_state *css, __u64 id,
					      struct kill_tally *t)
{
	__u32 seq = t->seq;

	for (int i = 0; i < OW_CGROUP_CHAIN_MAX && css; i++) {
		__u32 *seen;

		if (i > 0)
			id = css_id(css);
		seen = bpf_map_lookup_elem(&cgroups_seen, &id);

		if (seen && *seen == seq)
			break;
		/* Marked seen only once sent: a lost record is tried again for the next task. */
		if (emit_cgroup(css, id, t))
			bpf_map_update_elem(&cgroups_seen, &id, &seq, BPF_ANY);
		css = css->parent;
	}
}

static __always_inline void emit_task_cgroups(struct task_struct *task, struct kill_tally *t)
{
	struct cgroup_subsys_state *css = task_memcg_css(task);

	if (css)
		emit_cgroup_chain(css, css_id(css), t);
}

/* Sends the batch of task records, if any, in one ring-buffer operation. */
static __always_inline void flush_tasks(struct kill_tally *t)
{
	__u32 n = t->batch.count;

	if (n == 0)
		return;
	t->batch.hdr.type = OW_EV_TASKS;
	t->batch.hdr.kill_seq = t->seq;
	if (bpf_ringbuf_output(&events, &t->batch, sizeof(t->batch), BPF_RB_NO_WAKEUP) == 0)
		t->tasks_emitted += n;
	else
		lost_kill_record(t);
	t->batch.count = 0;
}

static __always_inline void emit_task(struct task_struct *task, struct kill_tally *t)
{
	struct cgroup_subsys_state *css;
	__u64 memcg_id;
	__u32 i;

	t->tasks_seen++;
	if (task->flags & PF_KTHREAD) {
		t->kthreads_skipped++;
		return;
	}
	/* Cgroup records go out before the batch that names them. */
	css = task_memcg_css(task);
	memcg_id = css ? css_id(css) : 0;
	if (css)
		emit_cgroup_chain(css, memcg_id, t);
	i = t->batch.count & (OW_TASKS_PER_RECORD - 1);
	fill_task(&t->batch.tasks[i], task, memcg_id);
	t->batch.count = i + 1;
	if (t->batch.count == OW_TASKS_PER_RECORD)
		flush_tasks(t);
}

static __always_inline int emit_kill_begin(void *ctx, struct task_struct *victim, __u32 seq,
					   struct kill_tally *t)
{
	struct task_struct *trigger = bpf_get_current_task_btf();
	struct ow_event_kill_begin *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lost_kill_record(t);
		return -1;
	}
	e->hdr.type = OW_EV_KILL_BEGIN;
	e->hdr.kill_seq = seq;
	e->boot_ns = bpf_ktime_get_boot_ns();
	fill_task(&e->victim, victim, task_memcg_id(victim));
	fill_task(&e->trigger, trigger, task_memcg_id(trigger));
	e->kernel_stack_bytes = bpf_get_stack(ctx, e->kernel_stack, sizeof(e->kernel_stack), 0);
	e->user_stack_bytes =
		bpf_get_stack(ctx, e->user_stack, sizeof(e->user_stack), BPF_F_USER_STACK);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

static __always_inline void emit_kill_end(struct kill_tally *t, __u64 start_ns)
{
	struct ow_event_kill_end *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		/* The consumer notices the missing end when the next kill or a timeout comes. */
		lost_kill_record(t);
		return;
	}
	e->hdr.type = OW_EV_KILL_END;
	e->hdr.kill_seq = t->seq;
	e->tasks_seen = t->tasks_seen;
	e->tasks_emitted = t->tasks_emitted;
	e->kthreads_skipped = t->kthreads_skipped;
	e->cgroups_emitted = t->cgroups_emitted;
	e->lost_records = t->lost_records;
	e->iterator_truncated = t->truncated;
	e->pad = 0;
	e->cpu_ns = bpf_ktime_get_ns() - start_ns;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

SEC("tp_btf/mark_victim")
int BPF_PROG(ow_mark_victim, struct task_struct *victim)
{
	__u64 start_ns = bpf_ktime_get_ns();
	struct bpf_iter_task it;
	struct task_struct *task;
	struct kill_tally *t;
	__u32 zero = 0;

	count(OW_CNT_KILLS);
	t = bpf_map_lookup_elem(&tally, &zero);
	if (!t)
		return 0;
	t->tasks_seen = t->tasks_emitted = t->kthreads_skipped = t->cgroups_emitted = 0;
	t->lost_records = 0;
	t->truncated = 0;
	t->batch.count = 0;
	t->seq = ++kill_seq_next; /* kills are serialised by oom_lock */

	/*
	 * Without its first records the consumer cannot use the rest: a begin record without the
	 * cgroups that tell where memory ran out would file the kill under the wrong domain. So
	 * unless the ring buffer has room for the begin record and both cgroup chains, the kill is
	 * counted lost whole, and the room is kept for others.
	 */
	if (bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) <
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + OW_KILL_HEAD_BYTES) {
		lost_kill_record(t);
		return 0;
	}
	if (emit_kill_begin(ctx, victim, t->seq, t) < 0)
		return 0;
	/*
	 * The cgroups that decide the OOM domain go first, while the ring buffer still has the
	 * room the begin record found: a snapshot cut short still knows where memory ran out.
	 */
	emit_task_cgroups(bpf_get_current_task_btf(), t);
	emit_task_cgroups(victim, t);

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((task = bpf_iter_task_next(&it))) {
		if (t->tasks_seen >= ow_max_tasks) {
			t->truncated = 1;
			break;
		}
		emit_task(task, t);
	}
	bpf_iter_task_destroy(&it);
	flush_tasks(t);

	emit_kill_end(t, start_ns);
	return 0;
}

static __always_inline void emit_proc_event(__u32 type, struct task_struct *task)
{
	struct ow_event_proc *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(OW_CNT_LOST_RECORDS);
		return;
	}
	e->hdr.type = type;
	e->hdr.kill_seq = 0;
	e->tgid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
	/*
	 * No wake-up per exec or exit: a fork-heavy machine would wake the recorder thousands of
	 * times a second. It drains them at its next wake-up (at most a second away), or now when
	 * they pile up.
	 */
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >=
					      OW_PROC_EVENTS_WAKEUP_BYTES
				      ? BPF_RB_FORCE_WAKEUP
				      : BPF_RB_NO_WAKEUP);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ow_exec, struct task_struct *task)
{
	emit_proc_event(OW_EV_EXEC, task);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ow_exit, struct task_struct *task)
{
	/* Only the last thread of a process: signal->live reached zero before this tracepoint. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	emit_proc_event(OW_EV_EXIT, task);
	return 0;
}
