// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of oomwitness: witnesses every OOM kill from inside the kill, and every SIGKILL
 * one process sends another (earlyoom, systemd-oomd, kubelet, kill -9).
 *
 * oom:mark_victim fires in __oom_kill_process() right after the SIGKILL, with the victim still
 * holding its memory and `current` being the task that ran the OOM killer (the trigger). From
 * there we walk every process of the machine with the open-coded task iterator and emit a
 * snapshot of each (memory split, adj, memory cgroup) plus each memory cgroup once (usage,
 * limit). signal:signal_generate does the same for a SIGKILL from user space, with the sender
 * as the trigger, before the signal is even delivered; its walk is rate-limited (a token
 * bucket), since user space can send SIGKILLs much faster than the kernel OOM-kills.
 *
 * Nothing here decides anything: which cgroup was the OOM domain, who the candidates were and
 * who is to blame are worked out in user space from these facts.
 *
 * Around the kills: exec and exit events let user space keep command lines of processes that
 * die and give a victim's exit time; oom:oom_score_adj_update and fork events audit who set
 * each oom_score_adj; oom:start/finish_task_reaping follow the OOM reaper.
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
#define OW_NS_PER_S 1000000000ull

/* Not in BTF: #defines of include/uapi/asm-generic/signal.h and siginfo.h, stable ABI. */
#define OW_SIGKILL 9
#define OW_SEND_SIG_NOINFO 0ul /* ((struct kernel_siginfo *)0): from user space, kill() */
#define OW_SEND_SIG_PRIV 1ul /* ((struct kernel_siginfo *)1): from the kernel */
#define OW_SI_USER 0 /* kill(), pidfd_send_signal() */
#define OW_SI_QUEUE -1 /* sigqueue() */
#define OW_SI_TKILL -6 /* tkill(), tgkill() */
/* enum trace_signal_deliver in include/trace/events/signal.h (not in every BTF) */
#define OW_TRACE_SIGNAL_DELIVERED 0

/* How long after a kernel SIGKILL its mark_victim may come (it comes microseconds after). */
#define OW_KERNEL_SIGKILL_WINDOW_NS OW_NS_PER_S

/*
 * The walk holds the kernel's oom_lock: bound it. At about 0.5 us per process this is about
 * 130 ms; a machine with more processes gets a snapshot marked truncated.
 */
const volatile __u32 ow_max_tasks = 262144;

/*
 * Signal kills walk the process list at most this often: a token bucket of ow_signal_burst
 * walks refilled one per ow_signal_interval_ns (20 per second, burst 20). Past it a kill still
 * has its begin record, both cgroup chains and its end, without the walk. The walk runs in the
 * sender's kill() with interrupts off (under the target's siglock), so this bounds what a
 * storm of kill -9 can cost the machine: about 2 % of a CPU with 2,000 processes.
 */
const volatile __u64 ow_signal_interval_ns = OW_NS_PER_S / 20;
const volatile __u32 ow_signal_burst = 20;

/*
 * Set by the loader once tp_btf/signal_generate is attached: only then does a mark_victim
 * without a kernel SIGKILL before it mean "the victim was already exiting".
 */
__u32 ow_signal_hook_attached = 0;

/* A kill's first records: the begin record and two cgroup chains, with ring-buffer headers. */
#define OW_KILL_HEAD_BYTES                        \
	(sizeof(struct ow_event_kill_begin) + 8 + \
	 2 * OW_CGROUP_CHAIN_MAX * (sizeof(struct ow_event_cgroup) + 8))

/* Exec, exit and adj records wake the consumer only once this much is waiting. */
#define OW_PROC_EVENTS_WAKEUP_BYTES (256u << 10)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the loader (--ringbuf-mib) */
} events SEC(".maps");

/*
 * Counts user space reads (enum ow_counter): global data, which the skeleton maps, so that the
 * recorder reads them at every turn of its loop without a system call.
 */
__u64 ow_counters[OW_CNT_MAX] = {};

/* Memory cgroups already emitted for a kill: id -> kill_seq. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u32);
} cgroups_seen SEC(".maps");

/* The last kernel SIGKILL (SEND_SIG_PRIV) each thread sent: sender tid -> this. */
struct kernel_sigkill {
	__s32 target_tgid;
	__u32 pad;
	__u64 time_ns; /* bpf_ktime_get_ns() */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct kernel_sigkill);
} kernel_sigkills SEC(".maps");

/*
 * The OOM victims' address spaces, for the reaper's end: thread pid -> this. The reaper holds
 * a reference on the task it reaps, which pins task->signal and with it signal->oom_mm (pinned
 * by mark_oom_victim()): the mm stays readable until finish_task_reaping, even when the task
 * has exited and been reaped by its parent, where a pid lookup finds nothing.
 */
struct victim_mm {
	__u64 mm; /* signal->oom_mm at mark_victim */
	__s32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct victim_mm);
} victim_mms SEC(".maps");

/*
 * Per-kill state, kept in a per-CPU map rather than on the stack: the task walk then converges
 * for the verifier, and the batch of task records has room (about 1.5 KiB). One slot for
 * kernel kills, one for signal kills: tracepoints run with preemption off, so a slot is never
 * shared by two kills at once.
 */
struct kill_tally {
	__u32 seq;
	__u32 tasks_seen;
	__u32 tasks_emitted;
	__u32 kthreads_skipped;
	__u32 cgroups_emitted;
	__u32 truncated;
	__u64 lost_records;
	__u64 victim_mm; /* the victim's address space, for OW_TASK_F_SHARES_VICTIM_MM; 0: none */
	__s32 victim_tgid;
	__u32 pad;
	__u64 last_css, last_css_id; /* the walk's last css and its id: runs share a cgroup */
	struct ow_event_tasks batch;
};

#define OW_TALLY_KERNEL 0
#define OW_TALLY_SIGNAL 1

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct kill_tally);
} tally SEC(".maps");

__u32 kill_seq_next = 0; /* kernel kills: serialised by oom_lock */
__u64 signal_seq_next = 0; /* signal kills: atomic */
__u64 kills_in_flight = 0; /* kills whose records are being written, on every CPU */
__u64 signal_walk_tat = 0; /* the token bucket's theoretical arrival time (GCRA), ktime ns */

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;

static __always_inline void count(__u32 idx)
{
	if (idx < OW_CNT_MAX)
		__sync_fetch_and_add(&ow_counters[idx], 1);
}

static __always_inline void lost_kill_record(struct kill_tally *t)
{
	count(OW_CNT_LOST_RECORDS);
	t->lost_records++; /* the kill's own share, reported in its end record */
}

static __always_inline bool emit_cgroup(struct cgroup_subsys_state *css,
					struct cgroup_subsys_state *parent, __u64 parent_id,
					__u64 id, struct kill_tally *t)
{
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
	e->parent_id = parent_id;
	e->is_root = !parent;
	e->usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	e->max_pages = BPF_CORE_READ(memcg, memory.max);
	e->swap_max_pages = BPF_CORE_READ(memcg, swap.max);
	e->oom_events = ow_memcg_local_oom_events(memcg);
	e->oom_group = ow_memcg_oom_group(memcg);
	e->pad = 0;
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

/*
 * Emits a memory cgroup (css_addr: its cgroup_subsys_state) and its ancestors, each once per
 * kill. A global function: the verifier checks it once, not at every call site and every state
 * of the task walk, which keeps loading fast. Returns how many it emitted.
 */
__noinline int ow_emit_cgroup_chain(__u64 css_addr, struct kill_tally *t)
{
	struct cgroup_subsys_state *css;
	int emitted = 0;
	__u32 seq;

	if (!t || !css_addr)
		return 0;
	seq = t->seq;
	css = task_memcg_css_cast(css_addr);
	for (int i = 0; i < OW_CGROUP_CHAIN_MAX && css; i++) {
		__u64 id = css_id(css);
		__u32 *seen = bpf_map_lookup_elem(&cgroups_seen, &id);
		struct cgroup_subsys_state *parent = css->parent;

		if (seen && *seen == seq)
			break;
		/*
		 * Marked seen only once sent: a lost record is tried again for the next task. Two
		 * kills at once overwrite each other's marks: a cgroup may then go out twice for
		 * a kill, never not at all.
		 */
		if (emit_cgroup(css, parent, parent ? css_id(parent) : 0, id, t)) {
			bpf_map_update_elem(&cgroups_seen, &id, &seq, BPF_ANY);
			emitted++;
		}
		css = css->parent;
	}
	return emitted;
}

static __always_inline void emit_task_cgroups(struct task_struct *task, struct kill_tally *t)
{
	ow_emit_cgroup_chain(task_memcg_css_addr(task), t);
}

/* ow_emit_cgroup_chain for the walk without the iterator: every read a probe read. */
__noinline int ow_emit_cgroup_chain_slow(__u64 css_addr, __u64 css_id, struct kill_tally *t)
{
	struct cgroup_subsys_state *css, *parent;
	__u64 id = css_id, parent_id;
	int emitted = 0;
	__u32 seq;

	if (!t || !css_addr)
		return 0;
	seq = t->seq;
	for (int i = 0; i < OW_CGROUP_CHAIN_MAX && css_addr; i++) {
		__u32 *seen = bpf_map_lookup_elem(&cgroups_seen, &id);

		if (seen && *seen == seq)
			break;
		css = (void *)css_addr;
		parent = BPF_CORE_READ(css, parent);
		parent_id = css_id_slow((__u64)parent);
		if (emit_cgroup(css, parent, parent_id, id, t)) {
			bpf_map_update_elem(&cgroups_seen, &id, &seq, BPF_ANY);
			emitted++;
		}
		css_addr = (__u64)parent;
		id = parent_id;
	}
	return emitted;
}

/* A task's memory cgroup css and its id, the id read once per css in a row of tasks. */
static __always_inline __u64 memcg_id_slow(struct task_struct *task, struct kill_tally *t,
					   __u64 *ret_css)
{
	__u64 css = task_memcg_css_addr_slow(task);

	if (css != t->last_css) {
		t->last_css = css;
		t->last_css_id = css_id_slow(css);
	}
	*ret_css = css;
	return t->last_css_id;
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
	struct ow_task_record *r;
	__u64 memcg_id;
	__u32 i;

	t->tasks_seen++;
	if (task->flags & PF_KTHREAD) {
		t->kthreads_skipped++;
		return;
	}
	/*
	 * Cgroup records go out before the batch that names them. Processes come in runs of the
	 * same cgroup: its chain (a probe read, a call and a hash lookup) only when the id read
	 * with direct loads differs from the last process's.
	 */
	css = task_memcg_css(task);
	memcg_id = css ? css_id(css) : 0;
	if (memcg_id != t->last_css_id || !memcg_id) {
		__u64 lost = t->lost_records;

		ow_emit_cgroup_chain(task_memcg_css_addr(task), t);
		/* A chain cut short by a full ring buffer is tried again at the next process. */
		t->last_css_id = t->lost_records == lost ? memcg_id : 0;
	}
	i = t->batch.count & (OW_TASKS_PER_RECORD - 1);
	r = &t->batch.tasks[i];
	fill_task(r, task, memcg_id);
	/* CLONE_VM without CLONE_THREAD: __oom_kill_process() SIGKILLs it with the victim. */
	if (t->victim_mm && (__u64)task->mm == t->victim_mm && task->tgid != t->victim_tgid)
		r->flags |= OW_TASK_F_SHARES_VICTIM_MM;
	t->batch.count = i + 1;
	if (t->batch.count == OW_TASKS_PER_RECORD)
		flush_tasks(t);
}

/* emit_task for the walk without the iterator. */
static __always_inline void emit_task_slow(struct task_struct *task, __u32 task_flags,
					   struct kill_tally *t)
{
	struct ow_task_record *r;
	__u64 css_addr, memcg_id, mm, prev_css;
	__u32 i;

	t->tasks_seen++;
	if (task_flags & PF_KTHREAD) {
		t->kthreads_skipped++;
		return;
	}
	prev_css = t->last_css;
	memcg_id = memcg_id_slow(task, t, &css_addr);
	if (css_addr != prev_css || !css_addr) { /* as in emit_task */
		__u64 lost = t->lost_records;

		ow_emit_cgroup_chain_slow(css_addr, memcg_id, t);
		if (t->lost_records != lost)
			t->last_css = 0;
	}
	i = t->batch.count & (OW_TASKS_PER_RECORD - 1);
	r = &t->batch.tasks[i];
	mm = fill_task_slow(r, task, task_flags, memcg_id);
	if (t->victim_mm && mm == t->victim_mm && r->tgid != t->victim_tgid)
		r->flags |= OW_TASK_F_SHARES_VICTIM_MM;
	t->batch.count = i + 1;
	if (t->batch.count == OW_TASKS_PER_RECORD)
		flush_tasks(t);
}

/*
 * The begin record. slow: victim is a plain address (NULL: not found, only victim_pid known)
 * and every read is a probe read, for kernels without bpf_rdonly_cast or the iterator.
 */
static __always_inline int emit_kill_begin(void *ctx, struct task_struct *victim, __s32 victim_pid,
					   __u32 killer, __u32 flags, __u32 concurrent, bool slow,
					   struct kill_tally *t)
{
	struct ow_event_kill_begin *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lost_kill_record(t);
		return -1;
	}
	e->hdr.type = OW_EV_KILL_BEGIN;
	e->hdr.kill_seq = t->seq;
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->killer = killer;
	e->flags = flags;
	e->concurrent = concurrent;
	e->pad = 0;
	if (slow) {
		struct task_struct *trigger = (void *)bpf_get_current_task();

		if (victim) {
			fill_task_slow(&e->victim, victim, BPF_CORE_READ(victim, flags),
				       css_id_slow(task_memcg_css_addr_slow(victim)));
		} else {
			__builtin_memset(&e->victim, 0, sizeof(e->victim));
			e->victim.tgid = e->victim.pid = victim_pid;
			e->victim.flags = OW_TASK_F_NO_MM;
		}
		fill_task_slow(&e->trigger, trigger, BPF_CORE_READ(trigger, flags),
			       css_id_slow(task_memcg_css_addr_slow(trigger)));
	} else {
		struct task_struct *trigger = bpf_get_current_task_btf();

		fill_task(&e->victim, victim, task_memcg_id(victim));
		fill_task(&e->trigger, trigger, task_memcg_id(trigger));
	}
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

/*
 * The records of one kill: begin, the cgroup chains of the trigger and the victim, then (when
 * walk) every process, then end. t->seq is set; the rest of t is reset here.
 */
/* The walk without the iterator, one process per bpf_loop round. */
struct slow_walk {
	struct ow_walk walk;
	__u32 tally_key;
	__s32 pid; /* find_victim: the pid sought */
	__u64 found; /* find_victim: its task */
	__u32 threads; /* find_victim: search the threads of OOM victims too */
	__u32 pad;
};

static long slow_walk_cb(__u64 i, void *arg)
{
	struct slow_walk *w = arg;
	__u32 key = w->tally_key;
	struct task_struct *task;
	struct kill_tally *t;
	__u32 flags = 0;

	task = ow_walk_next(&w->walk, i, &flags);
	if (!task)
		return 1;
	t = bpf_map_lookup_elem(&tally, &key);
	if (!t)
		return 1;
	emit_task_slow(task, flags, t);
	return 0;
}

#define OW_VICTIM_THREADS_MAX 64

/* The thread pid of leader's thread group, by signal->thread_head; 0 when not there. */
static __always_inline __u64 find_thread(struct task_struct *leader, __s32 pid)
{
	struct signal_struct *sig = BPF_CORE_READ(leader, signal);
	__u64 head, cur;

	if (!sig || !bpf_core_field_exists(sig->thread_head))
		return 0;
	head = (__u64)sig + bpf_core_field_offset(struct signal_struct, thread_head);
	cur = ow_list_next(head);
	for (int i = 0; i < OW_VICTIM_THREADS_MAX && cur && cur != head; i++) {
		struct task_struct *th =
			(void *)(cur - bpf_core_field_offset(struct task_struct, thread_node));

		if (BPF_CORE_READ(th, pid) == pid)
			return (__u64)th;
		cur = ow_list_next(cur);
	}
	return 0;
}

static long find_victim_cb(__u64 i, void *arg)
{
	struct slow_walk *w = arg;
	struct task_struct *task;
	__u32 flags = 0;

	task = ow_walk_next(&w->walk, i, &flags);
	if (!task)
		return 1;
	if (!w->threads) {
		if (BPF_CORE_READ(task, pid) == w->pid) {
			w->found = (__u64)task;
			return 1;
		}
	} else if (bpf_core_field_exists(task->signal->oom_mm) &&
		   BPF_CORE_READ(task, signal, oom_mm)) {
		/* A victim thread not its leader: only OOM victims are searched, they are few. */
		w->found = find_thread(task, w->pid);
		if (w->found)
			return 1;
	}
	return 0;
}

/*
 * The OOM victim by its thread pid, for the kernels whose mark_victim passes only the pid
 * (before 6.2): a leader with that pid, else a thread of a process already marked a victim
 * (mark_oom_victim() set its signal->oom_mm before the tracepoint). NULL when not found.
 */
static __always_inline struct task_struct *find_victim(__s32 pid)
{
	struct slow_walk w = { .pid = pid };

	ow_walk_init(&w.walk);
	bpf_loop(ow_max_tasks, find_victim_cb, &w, 0);
	if (!w.found) {
		ow_walk_init(&w.walk);
		w.threads = 1;
		bpf_loop(ow_max_tasks, find_victim_cb, &w, 0);
	}
	return (void *)w.found;
}

/*
 * The records of one kill: begin, the cgroup chains of the trigger and the victim, then (when
 * walk) every process, then end. t->seq is set; the rest of t is reset here.
 *
 * slow (a constant at each call): kernels without the task-iterator kfuncs (before 6.7) or
 * bpf_rdonly_cast (before 6.2) walk the process list with bpf_loop and probe reads instead;
 * victim is then a plain address, NULL when the pid-only mark_victim's victim was not found.
 */
static __always_inline void snapshot_kill(void *ctx, struct task_struct *victim, __s32 victim_pid,
					  __u32 killer, __u32 flags, bool walk, bool slow,
					  struct kill_tally *t, __u64 start_ns)
{
	struct bpf_iter_task it;
	struct task_struct *task;
	__u32 concurrent, max_tasks;

	t->tasks_seen = t->tasks_emitted = t->kthreads_skipped = t->cgroups_emitted = 0;
	t->lost_records = 0;
	t->truncated = 0;
	t->batch.count = 0;
	t->last_css = t->last_css_id = 0;
	if (slow) {
		t->victim_tgid = victim ? BPF_CORE_READ(victim, tgid) : victim_pid;
		t->victim_mm = killer == OW_KILL_BY_KERNEL && victim
				       ? (__u64)BPF_CORE_READ(victim, mm)
				       : 0;
	} else {
		t->victim_tgid = victim->tgid;
		t->victim_mm = killer == OW_KILL_BY_KERNEL ? (__u64)victim->mm : 0;
	}

	/*
	 * Without its first records the consumer cannot use the rest: a begin record without the
	 * cgroups that tell where memory ran out would file the kill under the wrong domain. So
	 * unless the ring buffer has room for the begin record and both cgroup chains, the kill is
	 * counted lost whole, and the room is kept for others.
	 */
	if (bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) <
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + OW_KILL_HEAD_BYTES) {
		lost_kill_record(t);
		return;
	}
	concurrent = (__u32)__sync_fetch_and_add(&kills_in_flight, 1);
	if (emit_kill_begin(ctx, victim, victim_pid, killer, flags, concurrent, slow, t) < 0)
		goto out;
	/*
	 * The cgroups that decide the OOM domain go first, while the ring buffer still has the
	 * room the begin record found: a snapshot cut short still knows where memory ran out.
	 */
	max_tasks = walk ? ow_max_tasks : 0;
	if (slow) {
		struct slow_walk w = {
			.tally_key =
				killer == OW_KILL_BY_KERNEL ? OW_TALLY_KERNEL : OW_TALLY_SIGNAL,
		};

		__u64 css, id;

		id = memcg_id_slow((void *)bpf_get_current_task(), t, &css);
		ow_emit_cgroup_chain_slow(css, id, t);
		if (victim) {
			id = memcg_id_slow(victim, t, &css);
			ow_emit_cgroup_chain_slow(css, id, t);
		}
		t->last_css = 0; /* the walk's first process goes through its chain */
		ow_walk_init(&w.walk);
		bpf_loop(max_tasks, slow_walk_cb, &w, 0);
		if (!w.walk.done)
			t->truncated = walk;
		goto end;
	}
	emit_task_cgroups(bpf_get_current_task_btf(), t);
	emit_task_cgroups(victim, t);

	/*
	 * No walk is a walk bounded at 0 tasks, not a branch around it: the verifier then checks
	 * the walk once, not once per way to get past it.
	 */
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((task = bpf_iter_task_next(&it))) {
		if (t->tasks_seen >= max_tasks) {
			t->truncated = walk;
			break;
		}
		emit_task(task, t);
	}
	bpf_iter_task_destroy(&it);
end:
	flush_tasks(t);
	emit_kill_end(t, start_ns);
out:
	__sync_fetch_and_add(&kills_in_flight, -1);
}

/*
 * Whether the kernel marked this victim without killing it: oom_kill_process() and
 * out_of_memory() mark a victim already exiting (task_will_free_mem()) and send nothing, where
 * __oom_kill_process() SIGKILLs it first, from this very thread.
 */
static __always_inline __u32 victim_exiting_flag(__s32 victim_tgid)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kernel_sigkill *k;
	__u32 flags = 0;

	if (!ow_signal_hook_attached)
		return 0; /* no way to know */
	k = bpf_map_lookup_elem(&kernel_sigkills, &tid);
	if (!k || k->target_tgid != victim_tgid ||
	    bpf_ktime_get_ns() - k->time_ns > OW_KERNEL_SIGKILL_WINDOW_NS)
		flags = OW_BEGIN_F_VICTIM_EXITING;
	if (k)
		bpf_map_delete_elem(&kernel_sigkills, &tid); /* one SIGKILL explains one mark */
	return flags;
}

/* Keeps the victim's pinned mm for the OOM reaper's end (victim_mms). */
static __always_inline void remember_victim_mm(struct task_struct *victim)
{
	struct mm_struct *mm = ow_task_oom_mm(victim);
	struct victim_mm v = { .tgid = victim->tgid };
	__u32 pid = victim->pid;

	if (!mm)
		return;
	v.mm = (__u64)mm;
	bpf_map_update_elem(&victim_mms, &pid, &v, BPF_ANY);
}

/* remember_victim_mm for a plain address. */
static __always_inline void remember_victim_mm_slow(struct task_struct *victim)
{
	struct victim_mm v = { .tgid = BPF_CORE_READ(victim, tgid) };
	__u32 pid = BPF_CORE_READ(victim, pid);

	if (!bpf_core_field_exists(victim->signal->oom_mm))
		return;
	v.mm = (__u64)BPF_CORE_READ(victim, signal, oom_mm);
	if (v.mm)
		bpf_map_update_elem(&victim_mms, &pid, &v, BPF_ANY);
}

/*
 * One OOM kill. The loader loads one of three programs on mark_victim, by what the kernel
 * gives: ow_mark_victim (the task and the iterator: 6.7+), ow_mark_victim_walk (the task, no
 * iterator: 6.2-6.6), ow_mark_victim_pid (the pid only: before 6.2).
 */
static __always_inline int mark_victim(void *ctx, struct task_struct *victim, __s32 pid, bool slow)
{
	__u64 start_ns = bpf_ktime_get_ns();
	__u32 key = OW_TALLY_KERNEL;
	struct kill_tally *t;
	__s32 tgid;

	count(OW_CNT_KILLS);
	t = bpf_map_lookup_elem(&tally, &key);
	if (!t)
		return 0;
	t->seq = ++kill_seq_next; /* kills are serialised by oom_lock */
	if (slow) {
		if (!victim)
			victim = find_victim(pid);
		if (victim)
			remember_victim_mm_slow(victim);
		tgid = victim ? BPF_CORE_READ(victim, tgid) : pid;
	} else {
		remember_victim_mm(victim);
		tgid = victim->tgid;
	}
	snapshot_kill(ctx, victim, pid, OW_KILL_BY_KERNEL, victim_exiting_flag(tgid), true, slow, t,
		      start_ns);
	return 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(ow_mark_victim, struct task_struct *victim)
{
	return mark_victim(ctx, victim, 0, false);
}

/*
 * Set by the loader for OW_BPF_WALK=pid: ow_mark_victim_walk then finds its victim by pid as
 * ow_mark_victim_pid does, so that kernels which pass the task can test that path too.
 */
const volatile __u32 ow_victim_by_pid = 0;

SEC("tp_btf/mark_victim")
int BPF_PROG(ow_mark_victim_walk, struct task_struct *victim)
{
	__s32 pid = BPF_CORE_READ(victim, pid);

	return mark_victim(ctx, ow_victim_by_pid ? NULL : victim, pid, true);
}

SEC("tp_btf/mark_victim")
int BPF_PROG(ow_mark_victim_pid, int pid)
{
	return mark_victim(ctx, NULL, pid, true);
}

/* Whether a signal kill may walk the process list now: GCRA, one compare-and-swap. */
static __always_inline bool signal_walk_allowed(__u64 now)
{
	__u64 tat = signal_walk_tat;
	__u64 base = tat > now ? tat : now;

	if (base - now > (__u64)(ow_signal_burst - 1) * ow_signal_interval_ns)
		return false;
	/* Another CPU took a token meanwhile: count this one past the limit, never wait. */
	return __sync_val_compare_and_swap(&signal_walk_tat, tat, base + ow_signal_interval_ns) ==
	       tat;
}

/* Whether info says the signal came from user space: kill(), tgkill(), sigqueue(). */
static __always_inline bool from_user_space(struct kernel_siginfo *info)
{
	unsigned long v = (unsigned long)info;
	int code;

	if (v == OW_SEND_SIG_NOINFO)
		return true;
	if (v == OW_SEND_SIG_PRIV)
		return false;
	code = BPF_CORE_READ(info, si_code);
	return code == OW_SI_USER || code == OW_SI_TKILL || code == OW_SI_QUEUE;
}

static __always_inline int signal_generate(void *ctx, int sig, struct kernel_siginfo *info,
					   struct task_struct *task, int result, bool slow)
{
	struct task_struct *sender;
	__u32 key = OW_TALLY_SIGNAL;
	struct kill_tally *t;
	__u64 start_ns;
	__u32 flags = 0;
	bool walk;

	if (sig != OW_SIGKILL)
		return 0;
	sender = bpf_get_current_task_btf();
	if ((unsigned long)info == OW_SEND_SIG_PRIV) {
		/* A kernel SIGKILL (the OOM killer's among them), whatever became of it. */
		struct kernel_sigkill k = { .target_tgid = task->tgid };
		__u32 tid = sender->pid;

		k.time_ns = bpf_ktime_get_ns();
		bpf_map_update_elem(&kernel_sigkills, &tid, &k, BPF_ANY);
		return 0;
	}
	/* Not sent (ignored, already pending), a thread group ending itself, a kernel thread. */
	if (result != OW_TRACE_SIGNAL_DELIVERED || sender->tgid == task->tgid ||
	    (task->flags & PF_KTHREAD) || !from_user_space(info))
		return 0;

	start_ns = bpf_ktime_get_ns();
	count(OW_CNT_SIGNAL_KILLS);
	t = bpf_map_lookup_elem(&tally, &key);
	if (!t)
		return 0;
	walk = signal_walk_allowed(start_ns);
	if (!walk) {
		count(OW_CNT_SIGNAL_SNAPSHOTS_SKIPPED);
		flags |= OW_BEGIN_F_SNAPSHOT_SKIPPED;
	}
	t->seq = OW_SIGNAL_SEQ_BIT |
		 ((__u32)__sync_fetch_and_add(&signal_seq_next, 1) & ~OW_SIGNAL_SEQ_BIT);
	snapshot_kill(ctx, task, task->tgid, OW_KILL_BY_SIGNAL, flags, walk, slow, t, start_ns);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(ow_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return signal_generate(ctx, sig, info, task, result, false);
}

/* The same without the iterator (kernels before 6.7): see snapshot_kill's slow. */
SEC("tp_btf/signal_generate")
int BPF_PROG(ow_signal_generate_walk, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	return signal_generate(ctx, sig, info, task, result, true);
}

/* Reserves a small record and fills its header; NULL (counted lost) when the ring is full. */
static __always_inline void *reserve_event(__u64 size, __u32 type)
{
	struct ow_event_header *h = bpf_ringbuf_reserve(&events, size, 0);

	if (!h) {
		count(OW_CNT_LOST_RECORDS);
		return NULL;
	}
	h->type = type;
	h->kill_seq = 0;
	return h;
}

/*
 * No wake-up per exec, exit or adj change: a fork-heavy machine would wake the recorder
 * thousands of times a second. It drains them at its next wake-up (at most a second away), or
 * now when they pile up.
 */
static __always_inline __u64 lazy_wakeup(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= OW_PROC_EVENTS_WAKEUP_BYTES
		       ? BPF_RB_FORCE_WAKEUP
		       : BPF_RB_NO_WAKEUP;
}

static __always_inline void emit_proc_event(__u32 type, struct task_struct *task)
{
	struct ow_event_proc *e = reserve_event(sizeof(*e), type);

	if (!e)
		return;
	/* Direct loads (task is the tracepoint's BTF pointer): no helper call per field. */
	e->tgid = task->tgid;
	e->ppid = task->real_parent->tgid;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
	e->boot_ns = bpf_ktime_get_boot_ns();
	bpf_ringbuf_submit(e, lazy_wakeup());
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
	if (task->signal->live.counter != 0)
		return 0;
	emit_proc_event(OW_EV_EXIT, task);
	return 0;
}

static __always_inline void emit_adj(struct task_struct *task, struct task_struct *by,
				     __u32 inherited)
{
	struct ow_event_adj *e = reserve_event(sizeof(*e), OW_EV_ADJ);

	if (!e)
		return;
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->tgid = task->tgid;
	e->new_adj = task->signal->oom_score_adj;
	e->by_tgid = by->tgid;
	e->inherited = inherited;
	__builtin_memcpy(e->by_comm, by->comm, sizeof(e->by_comm));
	bpf_ringbuf_submit(e, lazy_wakeup());
}

/* A write of /proc/PID/oom_score_adj (or oom_adj): task holds the new value, current wrote it. */
SEC("tp_btf/oom_score_adj_update")
int BPF_PROG(ow_adj_update, struct task_struct *task)
{
	emit_adj(task, bpf_get_current_task_btf(), 0);
	return 0;
}

/* A new process (not a thread) born with its parent's non-zero oom_score_adj. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(ow_fork, struct task_struct *parent, struct task_struct *child)
{
	if (child->pid != child->tgid || child->signal->oom_score_adj == 0)
		return 0;
	emit_adj(child, parent, 1);
	return 0;
}

/* A kept mm address back as a BTF pointer: its loads are direct and fault-safe. */
static __always_inline struct mm_struct *mm_at(__u64 addr)
{
	return bpf_rdonly_cast((void *)addr, bpf_core_type_id_kernel(struct mm_struct));
}

static __always_inline void read_rss_left(struct ow_event_reap *e, struct mm_struct *mm)
{
	if (!mm)
		return;
	e->anon_pages = ow_mm_counter(mm, MM_ANONPAGES);
	e->file_pages = ow_mm_counter(mm, MM_FILEPAGES);
	e->shmem_pages = ow_mm_counter(mm, MM_SHMEMPAGES);
	e->rss_known = 1;
}

/*
 * The reaper's start and end on the thread pid; at the end, what its mm still holds. The
 * victim as mark_victim saw it first; a pid lookup for a victim marked before we attached.
 */
static __always_inline void emit_reap(__u32 type, int pid, bool at_end)
{
	struct ow_event_reap *e = reserve_event(sizeof(*e), type);
	__u32 key = (__u32)pid;
	struct task_struct *task;
	struct victim_mm *v;

	if (!e)
		return;
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->pid = pid;
	e->tgid = 0;
	e->anon_pages = e->file_pages = e->shmem_pages = 0;
	e->rss_known = 0;
	e->pad = 0;
	v = bpf_map_lookup_elem(&victim_mms, &key);
	if (v) {
		e->tgid = v->tgid;
		if (at_end && v->mm)
			read_rss_left(e, mm_at(v->mm));
		if (at_end)
			bpf_map_delete_elem(&victim_mms, &key);
	} else {
		task = bpf_task_from_pid(pid);
		if (task) {
			e->tgid = task->tgid;
			if (at_end)
				read_rss_left(e, ow_task_oom_mm(task));
			bpf_task_release(task);
		}
	}
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/start_task_reaping")
int BPF_PROG(ow_reap_start, int pid)
{
	emit_reap(OW_EV_REAP_START, pid, false);
	return 0;
}

SEC("tp_btf/finish_task_reaping")
int BPF_PROG(ow_reap_end, int pid)
{
	emit_reap(OW_EV_REAP_END, pid, true);
	return 0;
}
