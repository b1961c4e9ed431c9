/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ring-buffer consumer (see consumer.h): assembles the records of each kill, then builds the
 * model kill: pages become bytes, boot time becomes wall-clock time, cgroup ids become paths,
 * stacks become symbols, and each process gets its command line and its place in or out of
 * the OOM domain. Signal kills get their own domain rule (signal_domain()). Exec, exit, adj
 * and reaper records become followups.
 */
#include "capture/consumer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/types.h>

#include "oomwitness.h"
#include "capture/cgroup_table.h"
#include "capture/procfs.h"
#include "model/shared_str.h"

/* The kernel's PAGE_COUNTER_MAX: LONG_MAX / PAGE_SIZE; anything that large means "max". */
#define OW_UNLIMITED_PAGES(page_size) ((uint64_t)INT64_MAX / (page_size))

/*
 * A kill's program runs for at most about 130 ms (ow_max_tasks): a record written 2 s after a
 * kill's begin means every record of that kill has been written, its end lost if not seen.
 */
#define OW_KILL_STALE_NS (2ull * 1000000000ull)

/* A signal kill's domain: the victim's nearest memory cgroup at 90 % of its limit or more. */
#define OW_SIGNAL_DOMAIN_PERCENT 90

/* A kill being assembled. */
struct kill_asm {
	bool used; /* a begin record came; its end has not */
	uint32_t seq;
	uint64_t order; /* begins seen before it: kills go out oldest first */
	struct ow_event_kill_begin begin;
	struct ow_cgroup_table cgroups;
	struct ow_task_record *tasks;
	size_t n_tasks, cap_tasks;
	uint64_t *oom_groups; /* ids of its cgroups with memory.oom.group set */
	size_t n_oom_groups, cap_oom_groups;
	/* what came for its victim before it was handed over */
	struct ow_kill_aftermath after;
	uint64_t rss_left_bytes; /* at the reaper's end; UINT64_MAX when unknown */
};

/* A memory.oom.group kill's members come within this of its first kill, from its trigger. */
#define OW_GROUP_KILL_NS (1000ULL * 1000000ULL)

/* The last kernel kill in a memory cgroup, for the members of a memory.oom.group kill. */
struct last_memcg_kill {
	uint64_t boot_ns;
	int32_t trigger_tid;
	struct ow_domain domain; /* owned; kind OW_DOMAIN_MEMCG when set */
};

/*
 * The kernel SIGKILLs or thaws a victim before the tracepoint that writes its kill's begin
 * record: on another CPU the victim can exit, and its exit record come, first. The last exits
 * are kept for the kills that begin after them.
 */
#define OW_RECENT_EXITS 64

struct recent_exit {
	int32_t tgid;
	uint64_t boot_ns; /* 0: empty slot */
};

/*
 * The cgroup paths of one kill's processes, by cgroup id: one shared string per cgroup instead
 * of a copy per process. Direct-mapped: a collision makes a second copy, nothing worse.
 */
#define OW_PATH_MEMO_SLOTS 256

struct path_memo {
	uint64_t ids[OW_PATH_MEMO_SLOTS];
	char *paths[OW_PATH_MEMO_SLOTS]; /* shared strings; NULL: empty */
};

struct ow_consumer {
	struct ow_consumer_config cfg;
	struct ow_consumer_stats stats;
	struct kill_asm kills[OW_CONSUMER_MAX_KILLS];
	uint64_t n_begins;
	struct last_memcg_kill last_memcg_kill;
	struct recent_exit recent_exits[OW_RECENT_EXITS];
	size_t n_exits; /* exits seen; the next goes to recent_exits[n_exits % OW_RECENT_EXITS] */
	struct path_memo paths; /* of the kill being handed over; empty between kills */
};

int64_t ow_clock_boot_to_real_ns(void)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return ((int64_t)real.tv_sec - boot.tv_sec) * 1000000000LL + (real.tv_nsec - boot.tv_nsec);
}

uint64_t ow_clock_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int ow_consumer_new(const struct ow_consumer_config *cfg, struct ow_consumer **ret_consumer)
{
	struct ow_consumer *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->cfg = *cfg;
	if (!c->cfg.page_size)
		c->cfg.page_size = 4096;
	*ret_consumer = c;
	return 0;
}

/* Empties a kill's slot, keeping its buffers for the next kill. */
static void reset_kill(struct kill_asm *a)
{
	a->used = false;
	a->n_tasks = 0;
	a->n_oom_groups = 0;
	memset(&a->after, 0, sizeof(a->after));
	a->rss_left_bytes = UINT64_MAX;
	ow_cgroup_table_reset(&a->cgroups);
}

void ow_consumer_free(struct ow_consumer *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < OW_CONSUMER_MAX_KILLS; i++) {
		ow_cgroup_table_free(&c->kills[i].cgroups);
		free(c->kills[i].tasks);
		free(c->kills[i].oom_groups);
	}
	ow_domain_clear(&c->last_memcg_kill.domain);
	free(c);
}

static uint64_t pages_to_bytes(const struct ow_consumer *c, int64_t pages)
{
	return pages > 0 ? (uint64_t)pages * c->cfg.page_size : 0;
}

static uint64_t limit_pages_to_bytes(const struct ow_consumer *c, uint64_t pages)
{
	if (pages >= OW_UNLIMITED_PAGES(c->cfg.page_size))
		return UINT64_MAX;
	return pages * c->cfg.page_size;
}

static uint32_t model_flags(const struct ow_task_record *r)
{
	uint32_t f = 0;

	if (r->flags & OW_TASK_F_NO_MM)
		f |= OW_PROC_NO_MM;
	if (r->flags & OW_TASK_F_OOM_SKIP)
		f |= OW_PROC_OOM_SKIP;
	if (r->flags & OW_TASK_F_OOM_VICTIM)
		f |= OW_PROC_OOM_VICTIM;
	if (r->flags & OW_TASK_F_VFORK)
		f |= OW_PROC_VFORK;
	if (r->flags & OW_TASK_F_SHARES_VICTIM_MM)
		f |= OW_PROC_SHARES_VICTIM_MM;
	if (r->tgid == 1)
		f |= OW_PROC_INIT;
	return f;
}

static void path_memo_clear(struct path_memo *m)
{
	for (size_t i = 0; i < OW_PATH_MEMO_SLOTS; i++)
		ow_shared_str_unref(m->paths[i]);
	memset(m, 0, sizeof(*m));
}

/* A reference to the path of cgroup id; NULL when unknown (a gap in the table) or no memory. */
static char *cgroup_path(struct path_memo *m, const struct ow_cgroup_table *cgroups, uint64_t id)
{
	size_t i = (size_t)(id % OW_PATH_MEMO_SLOTS);
	char *path, *shared;

	if (m->paths[i] && m->ids[i] == id)
		return ow_shared_str_ref(m->paths[i]);
	path = ow_cgroup_table_path(cgroups, id);
	shared = path ? ow_shared_strdup(path) : NULL;
	free(path);
	if (!shared)
		return NULL;
	ow_shared_str_unref(m->paths[i]);
	m->ids[i] = id;
	m->paths[i] = shared;
	return ow_shared_str_ref(shared);
}

/*
 * Fills a model process from a task record. Its strings are shared: the command line with the
 * cache, the cgroup path with the kill's other processes of that cgroup (a path that could not
 * be made for want of memory reads as unknown, as one hidden by a gap in the table).
 */
static void to_process(struct ow_consumer *c, const struct ow_cgroup_table *cgroups,
		       struct path_memo *paths, const struct ow_task_record *r,
		       const struct ow_domain *domain, struct ow_process *p)
{
	const char *cmdline = ow_cmdline_cache_get(c->cfg.cmdlines, r->tgid, r->ppid);

	memset(p, 0, sizeof(*p));
	p->pid = r->tgid;
	p->ppid = r->ppid;
	p->uid = r->uid;
	p->oom_score_adj = r->oom_score_adj;
	p->flags = model_flags(r);
	memcpy(p->comm, r->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	p->cgroup_id = r->memcg_id;
	p->anon_bytes = pages_to_bytes(c, r->anon_pages);
	p->file_bytes = pages_to_bytes(c, r->file_pages);
	p->shmem_bytes = pages_to_bytes(c, r->shmem_pages);
	p->swap_bytes = pages_to_bytes(c, r->swap_pages);
	p->pgtables_bytes = r->pgtables_bytes > 0 ? (uint64_t)r->pgtables_bytes : 0;
	if (domain->kind == OW_DOMAIN_GLOBAL ||
	    ow_cgroup_table_is_within(cgroups, r->memcg_id, domain->cgroup_id))
		p->flags |= OW_PROC_IN_DOMAIN;
	p->cmdline = ow_shared_str_ref(cmdline);
	if (r->memcg_id)
		p->cgroup = cgroup_path(paths, cgroups, r->memcg_id);
}

#define OW_USER_MAPS_MAX 1024

/* One line of /proc/PID/maps: an executable mapping of a file. */
struct user_map {
	uint64_t start, end, offset;
	char path[256];
};

static size_t read_exec_maps(const char *root, int32_t pid, struct user_map *maps, size_t cap)
{
	char path[256], line[512];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/%d/maps", root, pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (n < cap && fgets(line, sizeof(line), f)) {
		char perms[8];
		int consumed = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s%n",
			   &maps[n].start, &maps[n].end, perms, &maps[n].offset, &consumed) != 4)
			continue;
		if (perms[2] != 'x')
			continue;
		if (sscanf(line + consumed, " %255s", maps[n].path) != 1)
			snprintf(maps[n].path, sizeof(maps[n].path), "[anon]");
		n++;
	}
	fclose(f);
	return n;
}

static bool is_tracing_frame(struct ow_consumer *c, uint64_t ip)
{
	char buf[320];

	ow_kallsyms_format(c->cfg.kallsyms, ip, buf, sizeof(buf));
	return strncmp(buf, "0x", 2) == 0 || strncmp(buf, "bpf_", 4) == 0 ||
	       strncmp(buf, "__bpf_", 6) == 0 || strncmp(buf, "__traceiter_", 12) == 0;
}

/*
 * Symbolizes a stack: kernel frames by kallsyms, user frames as "file+offset" from the
 * process's executable mappings. A user frame outside every executable mapping ends the stack:
 * without frame pointers (most distribution binaries) the unwinder reads junk from there on.
 */
static int build_stack(struct ow_stack *s, const __u64 *ips, int32_t bytes, bool user,
		       struct ow_consumer *c, int32_t pid)
{
	struct user_map *maps = NULL;
	size_t n_maps = 0, n = bytes > 0 ? (size_t)bytes / sizeof(uint64_t) : 0;
	char buf[320];
	int r = 0;

	if (n > OW_STACK_DEPTH)
		n = OW_STACK_DEPTH;
	if (!user) {
		/* Drop our own frames: the BPF program and the tracepoint plumbing above the kill. */
		size_t skip = 0;

		while (c->cfg.kallsyms && skip < n && is_tracing_frame(c, ips[skip]))
			skip++;
		ips += skip;
		n -= skip;
	}
	if (n == 0)
		return 0;
	s->frames = calloc(n, sizeof(*s->frames));
	if (!s->frames)
		return -ENOMEM;
	if (user) {
		maps = calloc(OW_USER_MAPS_MAX, sizeof(*maps));
		if (!maps)
			return -ENOMEM;
		n_maps = read_exec_maps(c->cfg.root, pid, maps, OW_USER_MAPS_MAX);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t ip = ips[i];

		if (!user) {
			ow_kallsyms_format(c->cfg.kallsyms, ip, buf, sizeof(buf));
		} else {
			size_t m = 0;

			while (m < n_maps && !(ip >= maps[m].start && ip < maps[m].end))
				m++;
			if (m < n_maps)
				snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, maps[m].path,
					 ip - maps[m].start + maps[m].offset);
			else if (n_maps > 0 && i > 0)
				break; /* junk past the last frame we can trust */
			else
				snprintf(buf, sizeof(buf), "0x%" PRIx64, ip);
		}
		s->frames[i] = strdup(buf);
		if (!s->frames[i]) {
			r = -ENOMEM;
			break;
		}
		s->n_frames = i + 1;
	}
	free(maps);
	return r;
}

static int add_process(struct ow_kill *k, size_t *cap, struct ow_process *p)
{
	if (k->n_procs == *cap) {
		size_t new_cap = *cap ? *cap * 2 : 256;
		struct ow_process *procs = realloc(k->procs, new_cap * sizeof(*procs));

		if (!procs)
			return -ENOMEM;
		k->procs = procs;
		*cap = new_cap;
	}
	k->procs[k->n_procs++] = *p;
	return 0;
}

/*
 * The domain of a signal kill, where nothing says which limit (if any) the killer acted on:
 * the victim's nearest memory cgroup (itself or an ancestor) that has a limit and is at
 * OW_SIGNAL_DOMAIN_PERCENT of it or more, else the whole machine. Returns 0 or -ENOMEM.
 */
static int signal_domain(const struct ow_consumer *c, const struct ow_cgroup_table *t,
			 uint64_t victim_memcg_id, const struct ow_meminfo *meminfo,
			 struct ow_domain *ret_domain)
{
	const struct ow_cgroup_node *node = ow_cgroup_table_find(t, victim_memcg_id);
	struct ow_domain d = { 0 };

	for (int depth = 0; node && !node->is_root && depth < 64; depth++) {
		uint64_t max = node->max_bytes;

		if (max != UINT64_MAX && max > 0 &&
		    node->usage_bytes >= max - max / 100 * (100 - OW_SIGNAL_DOMAIN_PERCENT)) {
			d.kind = OW_DOMAIN_MEMCG;
			d.cgroup_id = node->id;
			d.cgroup = ow_cgroup_table_path(t, node->id); /* NULL: a gap hides it */
			d.limit_bytes = max;
			d.usage_bytes = node->usage_bytes;
			d.total_bytes = max + ow_cgroup_swap_allowance(node, c->cfg.memcg_version,
								       meminfo->swap_total_bytes);
			*ret_domain = d;
			return 0;
		}
		node = ow_cgroup_table_find(t, node->parent_id);
	}
	/* No cgroup at all: ow_domain_infer's global domain, from meminfo. */
	return ow_domain_infer(t, 0, 0, false, meminfo, c->cfg.memcg_version, ret_domain);
}

static bool has_oom_group(const struct kill_asm *a, uint64_t id)
{
	for (size_t i = 0; i < a->n_oom_groups; i++)
		if (a->oom_groups[i] == id)
			return true;
	return false;
}

/*
 * Whether the kernel killed the victim's whole memory.oom.group: its memory cgroup or an
 * ancestor up to the OOM domain (the root for a global OOM) has it, as
 * mem_cgroup_get_oom_group() looks.
 */
static bool in_oom_group(const struct kill_asm *a, uint64_t victim_memcg_id,
			 const struct ow_domain *domain)
{
	const struct ow_cgroup_node *node;

	if (a->n_oom_groups == 0)
		return false;
	node = ow_cgroup_table_find(&a->cgroups, victim_memcg_id);
	for (int depth = 0; node && depth < 64; depth++) {
		if (has_oom_group(a, node->id))
			return true;
		if (node->is_root ||
		    (domain->kind == OW_DOMAIN_MEMCG && node->id == domain->cgroup_id))
			break;
		node = ow_cgroup_table_find(&a->cgroups, node->parent_id);
	}
	return false;
}

static uint64_t task_rss_bytes(const struct ow_consumer *c, const struct ow_task_record *r)
{
	return pages_to_bytes(c, r->anon_pages) + pages_to_bytes(c, r->file_pages) +
	       pages_to_bytes(c, r->shmem_pages);
}

/* Adds a task record to k->procs as a model process. Returns 0 or -ENOMEM. */
static int add_task_process(struct ow_consumer *c, const struct kill_asm *a, struct ow_kill *k,
			    size_t *cap, const struct ow_task_record *t)
{
	struct ow_process p;
	int r;

	to_process(c, &a->cgroups, &c->paths, t, &k->domain, &p);
	r = add_process(k, cap, &p);
	if (r < 0)
		ow_process_clear(&p);
	return r;
}

/* Whether memory cgroup id is ancestor_id or below it in the kill's cgroups. */
static bool cgroup_within(const struct kill_asm *a, uint64_t id, uint64_t ancestor_id)
{
	const struct ow_cgroup_node *node = ow_cgroup_table_find(&a->cgroups, id);

	for (int depth = 0; node && depth < 64; depth++) {
		if (node->id == ancestor_id)
			return true;
		if (node->is_root)
			break;
		node = ow_cgroup_table_find(&a->cgroups, node->parent_id);
	}
	return false;
}

/*
 * The members of a memory.oom.group kill are killed in the same OOM as its first victim, by
 * the same trigger, right after it. By then the first victim may have freed its memory, so
 * the cgroup no longer looks at its limit and the inference says global: such a member keeps
 * the domain of the kill it follows when its memory cgroup is in that domain and in a group.
 */
static void continue_group_kill(struct ow_consumer *c, const struct kill_asm *a,
				const struct ow_event_kill_begin *b, struct ow_domain *domain)
{
	const struct last_memcg_kill *last = &c->last_memcg_kill;
	struct ow_domain copy;

	if (domain->kind != OW_DOMAIN_GLOBAL || last->domain.kind != OW_DOMAIN_MEMCG ||
	    last->trigger_tid != b->trigger.pid || b->boot_ns < last->boot_ns ||
	    b->boot_ns - last->boot_ns > OW_GROUP_KILL_NS ||
	    !cgroup_within(a, b->victim.memcg_id, last->domain.cgroup_id) ||
	    !in_oom_group(a, b->victim.memcg_id, &last->domain))
		return;
	if (ow_domain_copy(&copy, &last->domain) < 0)
		return; /* -ENOMEM: the inferred domain stands */
	ow_domain_clear(domain);
	*domain = copy;
}

static void remember_memcg_kill(struct ow_consumer *c, const struct ow_event_kill_begin *b,
				const struct ow_domain *domain)
{
	struct last_memcg_kill *last = &c->last_memcg_kill;
	struct ow_domain copy;

	if (ow_domain_copy(&copy, domain) < 0)
		return;
	ow_domain_clear(&last->domain);
	last->domain = copy;
	last->boot_ns = b->boot_ns;
	last->trigger_tid = b->trigger.pid;
}

/* Builds the model kill from what was assembled and hands it over; empties the slot. */
static int finish_kill(struct ow_consumer *c, struct kill_asm *a,
		       const struct ow_event_kill_end *end)
{
	const struct ow_event_kill_begin *b = &a->begin;
	bool signal = b->killer == OW_KILL_BY_SIGNAL;
	struct ow_kill k = { 0 };
	struct ow_meminfo meminfo = { 0 };
	size_t cap = 0;
	int r;

	/* Handed over or dropped below: dealt with either way. */
	if (!(a->seq & OW_SIGNAL_SEQ_BIT) && a->seq > c->stats.last_kill_seq)
		c->stats.last_kill_seq = a->seq;
	ow_cgroup_table_sort(&a->cgroups);
	(void)ow_procfs_read_meminfo(c->cfg.root, &meminfo);
	/* Modulo 2^64, as the signed sum was meant: a corrupt boot_ns must not overflow. */
	k.time_ns = b->boot_ns + (uint64_t)c->cfg.boot_to_real_ns;
	k.killer_kind = signal ? OW_KILLER_SIGNAL : OW_KILLER_KERNEL;
	k.victim_pid = b->victim.tgid;
	k.trigger_pid = b->trigger.tgid;
	k.trigger_tid = b->trigger.pid;
	memcpy(k.trigger_thread_comm, b->trigger.comm, sizeof(k.trigger_thread_comm));
	k.trigger_thread_comm[OW_COMM_LEN - 1] = '\0';
	/* Before the domain: the trigger's kernel stack tells a memory cgroup's OOM apart. */
	r = build_stack(&k.trigger_kernel_stack, b->kernel_stack, b->kernel_stack_bytes, false, c,
			b->trigger.tgid);
	if (r < 0)
		goto out_clear;
	if (signal)
		r = signal_domain(c, &a->cgroups, b->victim.memcg_id, &meminfo, &k.domain);
	else
		/*
		 * A victim known only by its pid (a pid-only mark_victim whose walk did not find
		 * it) has no memory cgroup: the trigger's at-limit cgroup is then taken as is.
		 */
		r = ow_domain_infer(&a->cgroups, b->trigger.memcg_id,
				    b->victim.memcg_id ? b->victim.memcg_id : b->trigger.memcg_id,
				    ow_stack_shows_memcg_oom(&k.trigger_kernel_stack), &meminfo,
				    c->cfg.memcg_version, &k.domain);
	if (r < 0)
		goto out_clear;
	if (signal && (b->flags & OW_BEGIN_F_SNAPSHOT_SKIPPED))
		k.flags |= OW_KILL_SNAPSHOT_SKIPPED;
	if (!signal && (b->flags & OW_BEGIN_F_VICTIM_EXITING))
		k.flags |= OW_KILL_VICTIM_EXITING;
	if (!signal)
		continue_group_kill(c, a, b, &k.domain);
	if (!signal && in_oom_group(a, b->victim.memcg_id, &k.domain))
		k.flags |= OW_KILL_OOM_GROUP;
	if (!signal && k.domain.kind == OW_DOMAIN_MEMCG)
		remember_memcg_kill(c, b, &k.domain);

	for (size_t i = 0; i < a->n_tasks; i++) {
		const struct ow_task_record *t = &a->tasks[i];

		/* The victim's own record comes from the thread holding the mm: prefer it. */
		if (t->tgid == b->victim.tgid && (t->flags & OW_TASK_F_NO_MM))
			t = &b->victim;
		r = add_task_process(c, a, &k, &cap, t);
		if (r < 0)
			goto out_clear;
	}
	/*
	 * Victim or trigger missing from the walk (records lost, or no walk at all past the
	 * signal rate limit): keep what the begin record has.
	 */
	if (!ow_kill_find_process(&k, b->victim.tgid)) {
		r = add_task_process(c, a, &k, &cap, &b->victim);
		if (r < 0)
			goto out_clear;
	}
	if (b->trigger.tgid > 0 && !(b->trigger.flags & OW_TASK_F_KTHREAD) &&
	    !ow_kill_find_process(&k, b->trigger.tgid)) {
		r = add_task_process(c, a, &k, &cap, &b->trigger);
		if (r < 0)
			goto out_clear;
	}
	path_memo_clear(&c->paths);
	r = build_stack(&k.trigger_user_stack, b->user_stack, b->user_stack_bytes, true, c,
			b->trigger.tgid);
	if (r < 0)
		goto out_clear;

	k.after = a->after;
	if (a->after.reap_end_ns && a->rss_left_bytes != UINT64_MAX) {
		uint64_t rss = task_rss_bytes(c, &b->victim);

		k.after.reaped_bytes = rss > a->rss_left_bytes ? rss - a->rss_left_bytes : 0;
	}
	if (end) {
		k.kthreads_skipped = end->kthreads_skipped;
		k.lost_events = end->lost_records;
		k.partial = end->lost_records > 0 || end->iterator_truncated ||
			    end->tasks_emitted != a->n_tasks;
		c->stats.last_kill_cpu_ns = end->cpu_ns;
	} else {
		k.partial = true;
	}
	c->stats.kills++;
	if (k.partial)
		c->stats.partial_kills++;
	if (signal)
		c->stats.signal_kills++;
	reset_kill(a);
	c->cfg.on_kill(&k, c->cfg.ctx);
	ow_kill_clear(&k); /* whatever the callee left */
	return 0;

out_clear:
	path_memo_clear(&c->paths);
	ow_kill_clear(&k);
	reset_kill(a);
	return r;
}

static int add_task(struct kill_asm *a, const struct ow_task_record *t)
{
	if (a->n_tasks == a->cap_tasks) {
		size_t cap = a->cap_tasks ? a->cap_tasks * 2 : 1024;
		struct ow_task_record *tasks = realloc(a->tasks, cap * sizeof(*tasks));

		if (!tasks)
			return -ENOMEM;
		a->tasks = tasks;
		a->cap_tasks = cap;
	}
	a->tasks[a->n_tasks++] = *t;
	return 0;
}

static int add_oom_group(struct kill_asm *a, uint64_t id)
{
	if (has_oom_group(a, id))
		return 0;
	if (a->n_oom_groups == a->cap_oom_groups) {
		size_t cap = a->cap_oom_groups ? a->cap_oom_groups * 2 : 8;
		uint64_t *ids = realloc(a->oom_groups, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		a->oom_groups = ids;
		a->cap_oom_groups = cap;
	}
	a->oom_groups[a->n_oom_groups++] = id;
	return 0;
}

static int add_cgroup(struct ow_consumer *c, struct kill_asm *a, const struct ow_event_cgroup *e)
{
	struct ow_cgroup_node node = { 0 };

	node.id = e->id;
	node.parent_id = e->parent_id;
	node.is_root = e->is_root;
	node.name_truncated = e->name_truncated;
	memcpy(node.name, e->name, sizeof(node.name));
	node.name[sizeof(node.name) - 1] = '\0';
	node.usage_bytes = pages_to_bytes(c, (int64_t)e->usage_pages);
	node.max_bytes = limit_pages_to_bytes(c, e->max_pages);
	node.swap_max_bytes = limit_pages_to_bytes(c, e->swap_max_pages);
	node.oom_events_known = e->oom_events != OW_OOM_EVENTS_UNKNOWN;
	node.oom_events = node.oom_events_known ? e->oom_events : 0;
	if (e->oom_group && add_oom_group(a, e->id) < 0)
		return -ENOMEM;
	return ow_cgroup_table_add(&a->cgroups, &node);
}

static bool size_ok(struct ow_consumer *c, size_t size, size_t want)
{
	if (size >= want)
		return true;
	c->stats.malformed++;
	return false;
}

static struct kill_asm *find_kill(struct ow_consumer *c, uint32_t seq)
{
	for (size_t i = 0; i < OW_CONSUMER_MAX_KILLS; i++)
		if (c->kills[i].used && c->kills[i].seq == seq)
			return &c->kills[i];
	return NULL;
}

static struct kill_asm *oldest_kill(struct ow_consumer *c)
{
	struct kill_asm *oldest = NULL;

	for (size_t i = 0; i < OW_CONSUMER_MAX_KILLS; i++)
		if (c->kills[i].used && (!oldest || c->kills[i].order < oldest->order))
			oldest = &c->kills[i];
	return oldest;
}

/*
 * Hands over, partial and oldest first, the kills that want(kill, arg) says cannot be in
 * progress any more. Returns 0, or the first -ENOMEM (those kills are dropped).
 */
static int finish_kills_if(struct ow_consumer *c,
			   bool (*want)(const struct kill_asm *a, const void *arg), const void *arg)
{
	int ret = 0;

	for (;;) {
		struct kill_asm *pick = NULL;
		int r;

		for (size_t i = 0; i < OW_CONSUMER_MAX_KILLS; i++) {
			struct kill_asm *a = &c->kills[i];

			if (a->used && want(a, arg) && (!pick || a->order < pick->order))
				pick = a;
		}
		if (!pick)
			return ret;
		r = finish_kill(c, pick, NULL);
		if (r < 0 && ret == 0)
			ret = r;
	}
}

/* Whether a record written at boot_ns says the kill's program has long ended. */
static bool kill_is_stale(const struct kill_asm *a, const void *arg)
{
	uint64_t boot_ns = *(const uint64_t *)arg;

	return boot_ns > a->begin.boot_ns && boot_ns - a->begin.boot_ns > OW_KILL_STALE_NS;
}

/*
 * Whether a kill cannot be in progress as b begins: b says no other kill was being written
 * (its end was lost), kernel kills never overlap (oom_lock), or b reuses its number.
 */
static bool kill_is_over(const struct kill_asm *a, const void *arg)
{
	const struct ow_event_kill_begin *b = arg;

	return b->concurrent == 0 || a->seq == b->hdr.kill_seq ||
	       (a->begin.killer == OW_KILL_BY_KERNEL && b->killer == OW_KILL_BY_KERNEL) ||
	       kill_is_stale(a, &b->boot_ns);
}

static uint64_t boot_to_real(const struct ow_consumer *c, uint64_t boot_ns)
{
	return boot_ns + (uint64_t)c->cfg.boot_to_real_ns; /* modulo 2^64, as in finish_kill */
}

/* The victim's exit when its record came before the kill's begin (recent_exits), or 0. */
static uint64_t exit_before_begin(const struct ow_consumer *c, const struct ow_event_kill_begin *b)
{
	for (size_t i = 0; i < OW_RECENT_EXITS; i++) {
		const struct recent_exit *x = &c->recent_exits[i];

		if (x->boot_ns && x->tgid == b->victim.tgid &&
		    x->boot_ns + OW_EXIT_BEFORE_KILL_NS >= b->boot_ns)
			return boot_to_real(c, x->boot_ns);
	}
	return 0;
}

static int begin_kill(struct ow_consumer *c, const struct ow_event_kill_begin *b)
{
	struct kill_asm *a = NULL;
	int r;

	/* The command lines of the execs before this kill, for its snapshot's processes. */
	ow_cmdline_cache_load_pending(c->cfg.cmdlines);
	/* Kills that never ended go out first; their failure is not this kill's. */
	r = finish_kills_if(c, kill_is_over, b);
	for (size_t i = 0; i < OW_CONSUMER_MAX_KILLS && !a; i++)
		if (!c->kills[i].used)
			a = &c->kills[i];
	if (!a) {
		int r2;

		a = oldest_kill(c);
		r2 = finish_kill(c, a, NULL);
		if (r == 0)
			r = r2;
	}
	reset_kill(a);
	a->used = true;
	a->seq = b->hdr.kill_seq;
	a->order = c->n_begins++;
	memcpy(&a->begin, b, sizeof(a->begin));
	a->after.exit_ns = exit_before_begin(c, b);
	return r;
}

/* Hands a followup over, and writes it into the kill of its victim still being assembled. */
static void followup(struct ow_consumer *c, const struct ow_followup *f)
{
	for (size_t i = 0; i < OW_CONSUMER_MAX_KILLS; i++) {
		struct kill_asm *a = &c->kills[i];

		if (!a->used || a->begin.victim.tgid != f->pid)
			continue;
		switch (f->kind) {
		case OW_FOLLOWUP_EXIT:
			a->after.exit_ns = f->time_ns;
			break;
		case OW_FOLLOWUP_REAP_START:
			a->after.reap_start_ns = f->time_ns;
			break;
		case OW_FOLLOWUP_REAP_END:
			a->after.reap_end_ns = f->time_ns;
			a->rss_left_bytes = f->rss_left_bytes;
			break;
		case OW_FOLLOWUP_ADJ:
			break;
		}
	}
	c->stats.followups++;
	if (c->cfg.on_followup)
		c->cfg.on_followup(f, c->cfg.ctx);
}

static void on_proc(struct ow_consumer *c, uint32_t type, const struct ow_event_proc *e)
{
	struct ow_followup f = { 0 };

	if (type == OW_EV_EXEC) {
		ow_cmdline_cache_on_exec(c->cfg.cmdlines, e->tgid);
		return;
	}
	ow_cmdline_cache_on_exit(c->cfg.cmdlines, e->tgid, ow_clock_monotonic_ns());
	c->recent_exits[c->n_exits++ % OW_RECENT_EXITS] =
		(struct recent_exit){ .tgid = e->tgid, .boot_ns = e->boot_ns };
	f.kind = OW_FOLLOWUP_EXIT;
	f.time_ns = boot_to_real(c, e->boot_ns);
	f.pid = e->tgid;
	followup(c, &f);
}

static void on_adj(struct ow_consumer *c, const struct ow_event_adj *e)
{
	struct ow_followup f = { 0 };

	f.kind = OW_FOLLOWUP_ADJ;
	f.time_ns = boot_to_real(c, e->boot_ns);
	f.pid = e->tgid;
	f.adj.time_ns = f.time_ns;
	f.adj.old_adj = OW_ADJ_UNKNOWN;
	f.adj.new_adj = e->new_adj;
	f.adj.by_pid = e->by_tgid;
	memcpy(f.adj.by_comm, e->by_comm, sizeof(f.adj.by_comm));
	f.adj.by_comm[OW_COMM_LEN - 1] = '\0';
	f.adj.inherited = e->inherited != 0;
	followup(c, &f);
}

static void on_reap(struct ow_consumer *c, uint32_t type, const struct ow_event_reap *e)
{
	struct ow_followup f = { 0 };

	f.kind = type == OW_EV_REAP_START ? OW_FOLLOWUP_REAP_START : OW_FOLLOWUP_REAP_END;
	f.time_ns = boot_to_real(c, e->boot_ns);
	f.pid = e->tgid > 0 ? e->tgid : e->pid;
	if (type == OW_EV_REAP_END)
		f.rss_left_bytes = e->rss_known ? pages_to_bytes(c, e->anon_pages) +
							  pages_to_bytes(c, e->file_pages) +
							  pages_to_bytes(c, e->shmem_pages)
						: UINT64_MAX;
	followup(c, &f);
}

int ow_consumer_handle(struct ow_consumer *c, const void *data, size_t size)
{
	const struct ow_event_header *h = data;
	struct kill_asm *a = NULL;
	uint64_t boot_ns = 0;
	int r = 0;

	c->stats.records++;
	if (!size_ok(c, size, sizeof(*h)))
		return 0;
	switch (h->type) {
	case OW_EV_KILL_BEGIN:
		if (!size_ok(c, size, sizeof(struct ow_event_kill_begin)))
			return 0;
		return begin_kill(c, data);
	case OW_EV_CGROUP:
		if (!size_ok(c, size, sizeof(struct ow_event_cgroup)))
			return 0;
		a = find_kill(c, h->kill_seq);
		if (a)
			r = add_cgroup(c, a, data);
		break;
	case OW_EV_TASKS: {
		const struct ow_event_tasks *e = data;

		if (!size_ok(c, size, sizeof(*e)))
			return 0;
		a = find_kill(c, h->kill_seq);
		if (!a)
			break;
		if (e->count > OW_TASKS_PER_RECORD) {
			c->stats.malformed++;
			break;
		}
		for (uint32_t i = 0; i < e->count && r == 0; i++)
			r = add_task(a, &e->tasks[i]);
		break;
	}
	case OW_EV_KILL_END:
		if (!size_ok(c, size, sizeof(struct ow_event_kill_end)))
			return 0;
		a = find_kill(c, h->kill_seq);
		if (a)
			return finish_kill(c, a, data);
		break;
	case OW_EV_EXEC:
	case OW_EV_EXIT:
		if (!size_ok(c, size, sizeof(struct ow_event_proc)))
			return 0;
		on_proc(c, h->type, data);
		boot_ns = ((const struct ow_event_proc *)data)->boot_ns;
		break;
	case OW_EV_ADJ:
		if (!size_ok(c, size, sizeof(struct ow_event_adj)))
			return 0;
		on_adj(c, data);
		boot_ns = ((const struct ow_event_adj *)data)->boot_ns;
		break;
	case OW_EV_REAP_START:
	case OW_EV_REAP_END:
		if (!size_ok(c, size, sizeof(struct ow_event_reap)))
			return 0;
		on_reap(c, h->type, data);
		boot_ns = ((const struct ow_event_reap *)data)->boot_ns;
		break;
	default:
		c->stats.malformed++;
		break;
	}
	if (r < 0 && a)
		reset_kill(a); /* out of memory: that kill is dropped */
	/* A record long after a kill's start: that kill's end was lost. */
	if (boot_ns)
		r = finish_kills_if(c, kill_is_stale, &boot_ns);
	return r;
}

void ow_consumer_flush(struct ow_consumer *c)
{
	struct kill_asm *a;

	while ((a = oldest_kill(c)))
		(void)finish_kill(c, a, NULL);
}

int ow_consumer_busy(const struct ow_consumer *c)
{
	for (size_t i = 0; i < OW_CONSUMER_MAX_KILLS; i++)
		if (c->kills[i].used)
			return 1;
	return 0;
}

void ow_consumer_set_clock_offset(struct ow_consumer *c, int64_t boot_to_real_ns)
{
	c->cfg.boot_to_real_ns = boot_to_real_ns;
}

void ow_consumer_get_stats(const struct ow_consumer *c, struct ow_consumer_stats *ret_stats)
{
	*ret_stats = c->stats;
}
