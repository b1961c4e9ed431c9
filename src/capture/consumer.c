/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ring-buffer consumer (see consumer.h): assembles the records of one kill, then builds the
 * model kill: pages become bytes, boot time becomes wall-clock time, cgroup ids become paths,
 * stacks become symbols, and each process gets its command line and its place in or out of
 * the OOM domain.
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

/* The kernel's PAGE_COUNTER_MAX: LONG_MAX / PAGE_SIZE; anything that large means "max". */
#define OW_UNLIMITED_PAGES(page_size) ((uint64_t)INT64_MAX / (page_size))

struct ow_consumer {
	struct ow_consumer_config cfg;
	struct ow_consumer_stats stats;
	/* The kill being assembled. */
	bool in_kill; /* a begin record came; its end has not */
	uint32_t seq;
	struct ow_event_kill_begin begin;
	struct ow_cgroup_table cgroups;
	struct ow_task_record *tasks;
	size_t n_tasks, cap_tasks;
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

static void reset_kill(struct ow_consumer *c)
{
	c->in_kill = false;
	c->n_tasks = 0;
	ow_cgroup_table_reset(&c->cgroups);
}

void ow_consumer_free(struct ow_consumer *c)
{
	if (!c)
		return;
	ow_cgroup_table_free(&c->cgroups);
	free(c->tasks);
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
	if (r->tgid == 1)
		f |= OW_PROC_INIT;
	return f;
}

/* Fills a model process from a task record; strings are copied. Returns 0 or -ENOMEM. */
static int to_process(struct ow_consumer *c, const struct ow_task_record *r,
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
	    ow_cgroup_table_is_within(&c->cgroups, r->memcg_id, domain->cgroup_id))
		p->flags |= OW_PROC_IN_DOMAIN;
	if (cmdline) {
		p->cmdline = strdup(cmdline);
		if (!p->cmdline)
			return -ENOMEM;
	}
	if (r->memcg_id) {
		p->cgroup = ow_cgroup_table_path(&c->cgroups, r->memcg_id);
		/* NULL means unknown (a gap in the table) or no memory; both read as unknown. */
	}
	return 0;
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

/* Builds the model kill from what was assembled and hands it over. */
static int finish_kill(struct ow_consumer *c, const struct ow_event_kill_end *end)
{
	const struct ow_event_kill_begin *b = &c->begin;
	struct ow_kill k = { 0 };
	struct ow_meminfo meminfo = { 0 };
	struct ow_process p;
	size_t cap = 0;
	int r;

	c->stats.last_kill_seq = c->seq; /* handed over or dropped below: dealt with either way */
	ow_cgroup_table_sort(&c->cgroups);
	(void)ow_procfs_read_meminfo(c->cfg.root, &meminfo);
	/* Modulo 2^64, as the signed sum was meant: a corrupt boot_ns must not overflow. */
	k.time_ns = b->boot_ns + (uint64_t)c->cfg.boot_to_real_ns;
	k.killer_kind = OW_KILLER_KERNEL;
	k.victim_pid = b->victim.tgid;
	k.trigger_pid = b->trigger.tgid;
	k.trigger_tid = b->trigger.pid;
	memcpy(k.trigger_thread_comm, b->trigger.comm, sizeof(k.trigger_thread_comm));
	k.trigger_thread_comm[OW_COMM_LEN - 1] = '\0';
	r = ow_domain_infer(&c->cgroups, b->trigger.memcg_id, b->victim.memcg_id, &meminfo,
			    c->cfg.memcg_version, &k.domain);
	if (r < 0)
		goto out_clear;

	for (size_t i = 0; i < c->n_tasks; i++) {
		const struct ow_task_record *t = &c->tasks[i];

		/* The victim's own record comes from the thread holding the mm: prefer it. */
		if (t->tgid == b->victim.tgid && (t->flags & OW_TASK_F_NO_MM))
			t = &b->victim;
		r = to_process(c, t, &k.domain, &p);
		if (r == 0)
			r = add_process(&k, &cap, &p);
		if (r < 0) {
			ow_process_clear(&p);
			goto out_clear;
		}
	}
	/* Victim or trigger missing from the walk (records lost): keep what the begin record has. */
	if (!ow_kill_find_process(&k, b->victim.tgid)) {
		r = to_process(c, &b->victim, &k.domain, &p);
		if (r == 0)
			r = add_process(&k, &cap, &p);
		if (r < 0) {
			ow_process_clear(&p);
			goto out_clear;
		}
	}
	if (b->trigger.tgid > 0 && !(b->trigger.flags & OW_TASK_F_KTHREAD) &&
	    !ow_kill_find_process(&k, b->trigger.tgid)) {
		r = to_process(c, &b->trigger, &k.domain, &p);
		if (r == 0)
			r = add_process(&k, &cap, &p);
		if (r < 0) {
			ow_process_clear(&p);
			goto out_clear;
		}
	}
	r = build_stack(&k.trigger_kernel_stack, b->kernel_stack, b->kernel_stack_bytes, false, c,
			b->trigger.tgid);
	if (r == 0)
		r = build_stack(&k.trigger_user_stack, b->user_stack, b->user_stack_bytes, true, c,
				b->trigger.tgid);
	if (r < 0)
		goto out_clear;

	if (end) {
		k.kthreads_skipped = end->kthreads_skipped;
		k.lost_events = end->lost_records;
		k.partial = end->lost_records > 0 || end->iterator_truncated ||
			    end->tasks_emitted != c->n_tasks;
		c->stats.last_kill_cpu_ns = end->cpu_ns;
	} else {
		k.partial = true;
	}
	c->stats.kills++;
	if (k.partial)
		c->stats.partial_kills++;
	reset_kill(c);
	c->cfg.on_kill(&k, c->cfg.ctx);
	ow_kill_clear(&k); /* whatever the callee left */
	return 0;

out_clear:
	ow_kill_clear(&k);
	reset_kill(c);
	return r;
}

static int add_task(struct ow_consumer *c, const struct ow_task_record *t)
{
	if (c->n_tasks == c->cap_tasks) {
		size_t cap = c->cap_tasks ? c->cap_tasks * 2 : 1024;
		struct ow_task_record *tasks = realloc(c->tasks, cap * sizeof(*tasks));

		if (!tasks)
			return -ENOMEM;
		c->tasks = tasks;
		c->cap_tasks = cap;
	}
	c->tasks[c->n_tasks++] = *t;
	return 0;
}

static int add_cgroup(struct ow_consumer *c, const struct ow_event_cgroup *e)
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
	return ow_cgroup_table_add(&c->cgroups, &node);
}

static bool size_ok(struct ow_consumer *c, size_t size, size_t want)
{
	if (size >= want)
		return true;
	c->stats.malformed++;
	return false;
}

int ow_consumer_handle(struct ow_consumer *c, const void *data, size_t size)
{
	const struct ow_event_header *h = data;
	int r = 0;

	c->stats.records++;
	if (!size_ok(c, size, sizeof(*h)))
		return 0;
	switch (h->type) {
	case OW_EV_KILL_BEGIN:
		if (!size_ok(c, size, sizeof(struct ow_event_kill_begin)))
			return 0;
		/* The previous kill never ended: hand it over; its failure is not this kill's. */
		if (c->in_kill)
			r = finish_kill(c, NULL);
		reset_kill(c);
		c->in_kill = true;
		c->seq = h->kill_seq;
		memcpy(&c->begin, data, sizeof(c->begin));
		return r;
	case OW_EV_CGROUP:
		if (!size_ok(c, size, sizeof(struct ow_event_cgroup)))
			return 0;
		if (c->in_kill && h->kill_seq == c->seq)
			r = add_cgroup(c, data);
		break;
	case OW_EV_TASKS: {
		const struct ow_event_tasks *e = data;

		if (!size_ok(c, size, sizeof(*e)))
			return 0;
		if (!c->in_kill || h->kill_seq != c->seq)
			break;
		if (e->count > OW_TASKS_PER_RECORD) {
			c->stats.malformed++;
			break;
		}
		for (uint32_t i = 0; i < e->count && r == 0; i++)
			r = add_task(c, &e->tasks[i]);
		break;
	}
	case OW_EV_KILL_END:
		if (!size_ok(c, size, sizeof(struct ow_event_kill_end)))
			return 0;
		if (c->in_kill && h->kill_seq == c->seq)
			r = finish_kill(c, data);
		break;
	case OW_EV_EXEC:
		if (size_ok(c, size, sizeof(struct ow_event_proc)))
			ow_cmdline_cache_on_exec(c->cfg.cmdlines,
						 ((const struct ow_event_proc *)data)->tgid);
		break;
	case OW_EV_EXIT:
		if (size_ok(c, size, sizeof(struct ow_event_proc)))
			ow_cmdline_cache_on_exit(c->cfg.cmdlines,
						 ((const struct ow_event_proc *)data)->tgid,
						 ow_clock_monotonic_ns());
		break;
	default:
		c->stats.malformed++;
		break;
	}
	if (r < 0)
		reset_kill(c);
	return r;
}

void ow_consumer_flush(struct ow_consumer *c)
{
	if (c->in_kill)
		(void)finish_kill(c, NULL);
}

int ow_consumer_busy(const struct ow_consumer *c)
{
	return c->in_kill;
}

void ow_consumer_set_clock_offset(struct ow_consumer *c, int64_t boot_to_real_ns)
{
	c->cfg.boot_to_real_ns = boot_to_real_ns;
}

void ow_consumer_get_stats(const struct ow_consumer *c, struct ow_consumer_stats *ret_stats)
{
	*ret_stats = c->stats;
}
