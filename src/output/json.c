/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON renderers (render.h): `oomwitness show --json` and `oomwitness list --json`, for
 * programs. The shape is a stable contract written down in docs/json.md: fields are added,
 * never renamed or removed; keep the two in step. The only module that includes jansson.h.
 *
 * Every string that comes from a process goes through ow_utf8_sanitize() first, because
 * json_string() refuses ill-formed UTF-8; jansson escapes quotes and control characters.
 * Unknown values are null, never 0 or "". Every jansson constructor may return NULL: set() and
 * append() turn that into -ENOMEM, and json_object_set_new() frees the value on failure.
 */
#include "output/render.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/container.h"
#include "model/history.h"
#include "output/format.h"

/* Bumped only if the contract ever breaks; fields may be added without a bump. */
#define OW_JSON_FORMAT_VERSION 1
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))
/* JSON Lines: no indentation, so the only newline is the one ending the line. */
#define LINE_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* Adds value under key; the value is consumed even on failure. 0 or -ENOMEM. */
static int set(json_t *obj, const char *key, json_t *value)
{
	return json_object_set_new(obj, key, value) ? -ENOMEM : 0;
}

static int append(json_t *arr, json_t *value)
{
	return json_array_append_new(arr, value) ? -ENOMEM : 0;
}

/* A string from a process as valid UTF-8, or null when s is NULL. NULL when out of memory. */
static json_t *jstring(const char *s, size_t len)
{
	json_t *j;
	char *clean;

	if (!s)
		return json_null();
	clean = ow_utf8_sanitize(s, len);
	if (!clean)
		return NULL;
	j = json_string(clean);
	free(clean);
	return j;
}

/* A comm, or null when empty (unknown). */
static json_t *jcomm(const char *comm)
{
	return comm[0] ? jstring(comm, OW_COMM_LEN) : json_null();
}

/* Unsigned counters as JSON integers (int64); nothing real comes near the clamp. */
static json_t *ju64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* A pid, or null when 0 (unknown). */
static json_t *jpid(int32_t pid)
{
	return pid > 0 ? json_integer(pid) : json_null();
}

/* RFC 3339 UTC with milliseconds, or null when the time is 0 (unknown). */
static json_t *jtime(uint64_t time_ns)
{
	char buf[OW_TIME_STR_LEN];

	if (time_ns == 0 || ow_format_time_rfc3339(buf, sizeof(buf), time_ns))
		return json_null();
	return json_string(buf);
}

static json_t *domain_json(const struct ow_domain *d)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (set(obj, "kind", json_string(ow_domain_kind_name(d->kind))) ||
	    set(obj, "cgroup", jstring(d->cgroup, SIZE_MAX)) ||
	    set(obj, "cgroup_id", d->cgroup_id ? ju64(d->cgroup_id) : json_null()) ||
	    set(obj, "limit_bytes", ju64(d->limit_bytes)) ||
	    set(obj, "usage_bytes", ju64(d->usage_bytes)) ||
	    set(obj, "total_bytes", ju64(d->total_bytes))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* CONTAINER of docs/json.md for a cgroup path, or null when it names no container, pod or unit. */
static json_t *container_json(const char *cgroup)
{
	struct ow_container c;
	char label[sizeof(c.unit)];
	json_t *obj;

	if (!ow_container_from_cgroup(cgroup, &c))
		return json_null();
	obj = json_object();
	if (!obj)
		return NULL;
	if (set(obj, "runtime", json_string(ow_container_runtime_name(c.runtime))) ||
	    set(obj, "id", c.id[0] ? jstring(c.id, sizeof(c.id)) : json_null()) ||
	    set(obj, "pod_uid",
		c.pod_uid[0] ? jstring(c.pod_uid, sizeof(c.pod_uid)) : json_null()) ||
	    set(obj, "qos", c.qos[0] ? jstring(c.qos, sizeof(c.qos)) : json_null()) ||
	    set(obj, "unit", c.unit[0] ? jstring(c.unit, sizeof(c.unit)) : json_null()) ||
	    set(obj, "label", jstring(ow_container_label(&c, label, sizeof(label)), SIZE_MAX))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* ADJ_CHANGE of docs/json.md, one per change of p's oom_score_adj, oldest first; [] when none. */
static json_t *adj_changes_json(const struct ow_process *p)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; p->adj_changes && i < p->n_adj_changes; i++) {
		const struct ow_adj_change *c = &p->adj_changes[i];
		json_t *obj = json_object();

		if (append(arr, obj) || set(obj, "time", jtime(c->time_ns)) ||
		    set(obj, "old",
			c->old_adj == OW_ADJ_UNKNOWN ? json_null() : json_integer(c->old_adj)) ||
		    set(obj, "new", json_integer(c->new_adj)) ||
		    set(obj, "by_pid", jpid(c->by_pid)) || set(obj, "by_comm", jcomm(c->by_comm)) ||
		    set(obj, "inherited", json_boolean(c->inherited))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/*
 * PROC of docs/json.md. p may be NULL (not in the snapshot): then only pid is known. b is the
 * recomputed badness when known, rank the 1-based rank among candidates or 0.
 */
static json_t *proc_json(const struct ow_process *p, int32_t pid, const struct ow_badness *b,
			 int rank)
{
	bool eligible = b && b->eligibility == OW_ELIGIBLE;
	json_t *obj = json_object();
	int r;

	if (!obj)
		return NULL;
	if (!p) {
		r = set(obj, "pid", jpid(pid)) || set(obj, "ppid", json_null()) ||
		    set(obj, "comm", json_null()) || set(obj, "cmdline", json_null()) ||
		    set(obj, "uid", json_null()) || set(obj, "cgroup", json_null()) ||
		    set(obj, "cgroup_id", json_null()) || set(obj, "container", json_null()) ||
		    set(obj, "oom_score_adj", json_null()) || set(obj, "rss_bytes", json_null()) ||
		    set(obj, "anon_bytes", json_null()) || set(obj, "file_bytes", json_null()) ||
		    set(obj, "shmem_bytes", json_null()) || set(obj, "swap_bytes", json_null()) ||
		    set(obj, "pgtables_bytes", json_null()) ||
		    set(obj, "memory_bytes", json_null()) || set(obj, "in_domain", json_null()) ||
		    set(obj, "oom_score_adj_changes", json_null());
	} else {
		r = set(obj, "pid", jpid(p->pid)) || set(obj, "ppid", json_integer(p->ppid)) ||
		    set(obj, "comm", jcomm(p->comm)) ||
		    set(obj, "cmdline", jstring(p->cmdline, SIZE_MAX)) ||
		    set(obj, "uid", json_integer(p->uid)) ||
		    set(obj, "cgroup", jstring(p->cgroup, SIZE_MAX)) ||
		    set(obj, "cgroup_id", p->cgroup_id ? ju64(p->cgroup_id) : json_null()) ||
		    set(obj, "container", container_json(p->cgroup)) ||
		    set(obj, "oom_score_adj", json_integer(p->oom_score_adj)) ||
		    set(obj, "rss_bytes", ju64(ow_process_rss_bytes(p))) ||
		    set(obj, "anon_bytes", ju64(p->anon_bytes)) ||
		    set(obj, "file_bytes", ju64(p->file_bytes)) ||
		    set(obj, "shmem_bytes", ju64(p->shmem_bytes)) ||
		    set(obj, "swap_bytes", ju64(p->swap_bytes)) ||
		    set(obj, "pgtables_bytes", ju64(p->pgtables_bytes)) ||
		    set(obj, "memory_bytes", ju64(ow_process_memory_bytes(p))) ||
		    set(obj, "in_domain", json_boolean(p->flags & OW_PROC_IN_DOMAIN)) ||
		    set(obj, "oom_score_adj_changes", adj_changes_json(p));
	}
	if (!r)
		r = set(obj, "points", eligible ? json_integer(b->points) : json_null()) ||
		    set(obj, "memory_points", b ? json_integer(b->memory_points) : json_null()) ||
		    set(obj, "adj_points", b ? json_integer(b->adj_points) : json_null()) ||
		    set(obj, "eligible", b ? json_boolean(eligible) : json_null()) ||
		    set(obj, "ineligible_reason",
			b && !eligible ? json_string(ow_eligibility_text(b->eligibility))
				       : json_null()) ||
		    set(obj, "rank", rank > 0 ? json_integer(rank) : json_null());
	if (r) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *stack_json(const struct ow_stack *s)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < s->n_frames; i++) {
		if (append(arr, jstring(s->frames[i], SIZE_MAX))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/*
 * KILLER of docs/json.md: the trigger for a kernel kill, the sender of the SIGKILL for a signal
 * kill (the consumer keeps either in trigger_pid, and the process in the snapshot).
 */
static json_t *killer_json(const struct ow_kill *k, const struct ow_process *trigger)
{
	const char *cgroup = trigger ? trigger->cgroup : NULL;
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (set(obj, "kind", json_string(ow_killer_kind_name(k->killer_kind))) ||
	    set(obj, "pid", jpid(k->trigger_pid)) ||
	    set(obj, "comm", trigger ? jcomm(trigger->comm) : json_null()) ||
	    set(obj, "cmdline", trigger ? jstring(trigger->cmdline, SIZE_MAX) : json_null()) ||
	    set(obj, "cgroup", jstring(cgroup, SIZE_MAX)) ||
	    set(obj, "container", container_json(cgroup))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* PROC of p at kill k: badness from the ranking or recomputed. p NULL: only pid is known. */
static json_t *kill_proc_json(const struct ow_kill *k, const struct ow_kill_analysis *a,
			      const struct ow_process *p, int32_t pid)
{
	struct ow_badness b;
	int rank;

	if (!p)
		return proc_json(NULL, pid, NULL, 0);
	b = ow_render_badness(k, a, p, &rank);
	return proc_json(p, pid, &b, rank);
}

static json_t *trigger_json(const struct ow_kill *k, const struct ow_process *trigger,
			    const struct ow_kill_analysis *a)
{
	json_t *obj = kill_proc_json(k, a, trigger, k->trigger_pid);

	if (!obj)
		return NULL;
	if (set(obj, "tid", jpid(k->trigger_tid)) ||
	    set(obj, "thread_comm", jcomm(k->trigger_thread_comm)) ||
	    set(obj, "kernel_stack", stack_json(&k->trigger_kernel_stack)) ||
	    set(obj, "user_stack", stack_json(&k->trigger_user_stack))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *candidates_json(const struct ow_kill *k, const struct ow_kill_analysis *a)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; a && i < a->n_ranked; i++) {
		const struct ow_ranked *row = &a->ranked[i];

		if (row->proc_index >= k->n_procs)
			continue;
		if (append(arr,
			   proc_json(&k->procs[row->proc_index], 0, &row->badness, (int)i + 1))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *victim_json(const struct ow_kill *k, const struct ow_kill_analysis *a)
{
	const struct ow_process *victim = ow_kill_find_process(k, k->victim_pid);
	struct ow_badness b;
	int rank;

	if (!victim)
		return proc_json(NULL, k->victim_pid, NULL, 0);
	b = ow_render_badness(k, a, victim, &rank);
	/* The verdict ranks the victim among all candidates, past the rows it kept too. */
	if (a && a->victim_rank > 0) {
		b = a->victim_badness;
		rank = a->victim_rank;
	}
	return proc_json(victim, k->victim_pid, &b, rank);
}

/* A span in milliseconds, to the microsecond. */
static json_t *jms(uint64_t ns)
{
	uint64_t us = (ns + 500) / 1000; /* rounded to the microsecond */

	return json_real((double)us / 1000.0);
}

/* The span from a to b in ms; null when either is unknown (0) or b is before a. */
static json_t *jspan_ms(uint64_t a_ns, uint64_t b_ns)
{
	return a_ns && b_ns && b_ns >= a_ns ? jms(b_ns - a_ns) : json_null();
}

static json_t *kill_to_exit_json(const struct ow_kill *k)
{
	int64_t ns = ow_kill_to_exit_ns(k);

	return ns >= 0 ? jms((uint64_t)ns) : json_null();
}

/* "also_killed": the processes killed with the victim for sharing its memory. */
static json_t *also_killed_json(const struct ow_kill *k)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];
		json_t *obj;

		if (!ow_kill_took_sharer(k, p))
			continue;
		obj = json_object();
		if (append(arr, obj) || set(obj, "pid", jpid(p->pid)) ||
		    set(obj, "comm", jcomm(p->comm))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* AFTERMATH of docs/json.md; each member null when it was not seen. */
static json_t *aftermath_json(const struct ow_kill *k)
{
	const struct ow_kill_aftermath *a = &k->after;
	json_t *obj = json_object(), *reaper;

	if (!obj)
		return NULL;
	if (set(obj, "exit_time", jtime(a->exit_ns)) ||
	    set(obj, "kill_to_exit_ms", kill_to_exit_json(k)))
		goto nomem;
	if (!a->reap_start_ns && !a->reap_end_ns) {
		if (set(obj, "reaper", json_null()))
			goto nomem;
		return obj;
	}
	reaper = json_object();
	if (set(obj, "reaper", reaper) || set(reaper, "start_time", jtime(a->reap_start_ns)) ||
	    set(reaper, "end_time", jtime(a->reap_end_ns)) ||
	    set(reaper, "duration_ms", jspan_ms(a->reap_start_ns, a->reap_end_ns)) ||
	    set(reaper, "freed_bytes", a->reaped_bytes ? ju64(a->reaped_bytes) : json_null()))
		goto nomem;
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

/* KERNEL_REPORT of docs/json.md: null unless /dev/kmsg or struct oom_control gave it. */
static json_t *kernel_report_json(const struct ow_kill *k)
{
	const struct ow_kernel_report *r = &k->kernel_report;
	char gfp[16];
	json_t *obj;

	if (!(k->flags & (OW_KILL_KMSG_CONFIRMED | OW_KILL_OOM_CONTROL)))
		return json_null();
	obj = json_object();
	if (!obj)
		return NULL;
	snprintf(gfp, sizeof(gfp), "%#x", r->gfp_mask);
	if (set(obj, "constraint", json_string(ow_oom_constraint_name(r->constraint))) ||
	    set(obj, "oom_memcg", jstring(r->oom_memcg, SIZE_MAX)) ||
	    set(obj, "task_memcg", jstring(r->task_memcg, SIZE_MAX)) ||
	    set(obj, "gfp_mask", r->has_allocation ? json_string(gfp) : json_null()) ||
	    set(obj, "order", r->has_allocation ? json_integer(r->order) : json_null())) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* UNOWNED_MEMORY of docs/json.md: null when it was not read. */
static json_t *unowned_json(const struct ow_kill *k)
{
	const struct ow_unowned_memory *u = &k->unowned;
	json_t *obj, *tmpfs = NULL;

	if (!u->known)
		return json_null();
	obj = json_object();
	if (!obj)
		return NULL;
	if (set(obj, "shmem_bytes", ju64(u->shmem_bytes)) ||
	    set(obj, "shmem_unmapped_bytes", ju64(ow_render_unmapped_shmem_bytes(k))) ||
	    set(obj, "file_bytes", ju64(u->file_bytes)) ||
	    set(obj, "kernel_bytes", ju64(u->kernel_bytes)) ||
	    set(obj, "slab_bytes", ju64(u->slab_bytes)) ||
	    set(obj, "pagetables_bytes", ju64(u->pagetables_bytes)) ||
	    set(obj, "sock_bytes", ju64(u->sock_bytes)))
		goto nomem;
	tmpfs = json_array();
	if (set(obj, "tmpfs", tmpfs))
		goto nomem;
	for (size_t i = 0; u->tmpfs && i < u->n_tmpfs; i++) {
		json_t *m = json_object();

		if (append(tmpfs, m) || set(m, "path", jstring(u->tmpfs[i].path, SIZE_MAX)) ||
		    set(m, "used_bytes", ju64(u->tmpfs[i].used_bytes)))
			goto nomem;
	}
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

/* The fields of KILL added with signal kills and the kernel's second witness. 0 or -ENOMEM. */
static int set_kill_context(json_t *obj, const struct ow_kill *k)
{
	if (set(obj, "victim_was_exiting", json_boolean(k->flags & OW_KILL_VICTIM_EXITING)) ||
	    set(obj, "oom_group", json_boolean(k->flags & OW_KILL_OOM_GROUP)) ||
	    set(obj, "snapshot", json_string(ow_render_snapshot_kind(k))) ||
	    set(obj, "kmsg_confirmed", json_boolean(k->flags & OW_KILL_KMSG_CONFIRMED)) ||
	    set(obj, "oom_control", json_boolean(k->flags & OW_KILL_OOM_CONTROL)) ||
	    set(obj, "also_killed", also_killed_json(k)) ||
	    set(obj, "aftermath", aftermath_json(k)) ||
	    set(obj, "kernel_report", kernel_report_json(k)) ||
	    set(obj, "unowned_memory", unowned_json(k)))
		return -ENOMEM;
	return 0;
}

static json_t *kill_json(const struct ow_kill *k, size_t index, const struct ow_kill_analysis *a)
{
	const struct ow_process *trigger = ow_kill_find_process(k, k->trigger_pid);
	bool signal = k->killer_kind == OW_KILLER_SIGNAL;
	json_t *obj = json_object();
	const char *chosen_by = NULL;

	if (!obj)
		return NULL;
	/* The kernel did not choose a signal kill's victim: its badness explains nothing. */
	if (a && a->victim_rank > 0 && !signal)
		chosen_by = a->victim_by_adj ? "oom_score_adj" : "memory";
	if (set(obj, "index", json_integer((json_int_t)index + 1)) ||
	    set(obj, "time", jtime(k->time_ns)) || set(obj, "time_ns", ju64(k->time_ns)) ||
	    set(obj, "victim", victim_json(k, a)) || set(obj, "killer", killer_json(k, trigger)) ||
	    set(obj, "trigger", signal ? json_null() : trigger_json(k, trigger, a)) ||
	    set(obj, "candidates", candidates_json(k, a)) ||
	    set(obj, "candidates_total", a ? ju64(a->n_candidates) : json_null()) ||
	    set(obj, "victim_rank",
		a && a->victim_rank > 0 ? json_integer(a->victim_rank) : json_null()) ||
	    set(obj, "chosen_by", chosen_by ? json_string(chosen_by) : json_null()) ||
	    set(obj, "victim_innocent", a ? json_boolean(a->victim_innocent) : json_null()) ||
	    set(obj, "victim_was_top_holder",
		a ? json_boolean(a->victim_was_top_holder) : json_null()) ||
	    set(obj, "domain", domain_json(&k->domain)) ||
	    set(obj, "partial", json_boolean(k->partial)) ||
	    set(obj, "lost_events", ju64(k->lost_events)) ||
	    set(obj, "processes_in_snapshot", ju64(k->n_procs)) ||
	    set(obj, "kthreads_skipped", json_integer(k->kthreads_skipped)) ||
	    set_kill_context(obj, k)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* share as a number 0..1, rounded to 4 decimals; null when not finite. */
static json_t *jshare(double share)
{
	if (!(share >= 0.0))
		return share < 0.0 ? json_real(0.0) : json_null();
	if (share > 1.0)
		share = 1.0;
	return json_real((double)(long long)(share * 10000.0 + 0.5) / 10000.0);
}

static json_t *culprit_json(const struct ow_verdict *v)
{
	static const struct ow_culprit none = { .kind = OW_CULPRIT_NONE };
	const struct ow_culprit *c = v ? &v->culprit : &none;
	bool is_proc = c->kind == OW_CULPRIT_PROCESS || c->kind == OW_CULPRIT_PROCESS_TREE;
	bool has_members = c->kind == OW_CULPRIT_PROCESS_TREE || c->kind == OW_CULPRIT_CGROUP;
	bool non_process = c->kind == OW_CULPRIT_NON_PROCESS;
	json_t *obj = json_object(), *reasons = NULL;

	if (!obj)
		return NULL;
	if (set(obj, "kind", json_string(ow_culprit_kind_name(c->kind))) ||
	    set(obj, "pid", is_proc ? jpid(c->pid) : json_null()) ||
	    set(obj, "comm", is_proc ? jcomm(c->comm) : json_null()) ||
	    set(obj, "cmdline", is_proc ? jstring(c->cmdline, SIZE_MAX) : json_null()) ||
	    set(obj, "members", has_members ? ju64(c->n_members) : json_null()) ||
	    set(obj, "cgroup", jstring(c->cgroup, SIZE_MAX)) ||
	    set(obj, "container", container_json(c->cgroup)) ||
	    set(obj, "what", non_process ? jstring(c->what, SIZE_MAX) : json_null()) ||
	    set(obj, "oom_score_adj", is_proc ? json_integer(c->oom_score_adj) : json_null()) ||
	    set(obj, "memory_bytes",
		c->kind != OW_CULPRIT_NONE ? ju64(c->memory_bytes) : json_null()) ||
	    set(obj, "share", c->kind != OW_CULPRIT_NONE ? jshare(c->share) : json_null()) ||
	    set(obj, "was_trigger", json_boolean(c->was_trigger)) ||
	    set(obj, "was_killed", json_boolean(c->was_killed)) ||
	    set(obj, "by_growth", json_boolean(c->by_growth)))
		goto nomem;
	reasons = json_array();
	if (set(obj, "reasons", reasons))
		goto nomem;
	for (size_t i = 0; i < c->n_reasons; i++)
		if (c->reasons[i] && append(reasons, jstring(c->reasons[i], SIZE_MAX)))
			goto nomem;
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

static json_t *shielded_json(const struct ow_incident *inc, const struct ow_verdict *v)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; v && i < v->n_shielded; i++) {
		int32_t pid = v->shielded_pids[i];
		const struct ow_process *p = NULL;
		size_t j;

		/* As the first kill that saw it. */
		for (j = 0; j < inc->n_kills && !p; j++)
			p = ow_kill_find_process(&inc->kills[j], pid);
		if (append(arr,
			   p ? kill_proc_json(&inc->kills[j - 1],
					      j - 1 < v->n_kills ? &v->kills[j - 1] : NULL, p, pid)
			     : proc_json(NULL, pid, NULL, 0))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *pids_json(const int32_t *pids, size_t n)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (append(arr, json_integer(pids[i]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* A rate in bytes per second, rounded to a whole byte; null when not finite. */
static json_t *jrate(double bytes_per_s)
{
	if (!(bytes_per_s > -9e18 && bytes_per_s < 9e18))
		return json_null();
	return json_integer((json_int_t)(bytes_per_s < 0 ? bytes_per_s - 0.5 : bytes_per_s + 0.5));
}

/* A percentage given in hundredths (1234 is 12.34%) as a number. */
static json_t *jcenti(uint32_t centi)
{
	return json_real((double)centi / 100.0);
}

/* GROWTH_ROW of docs/json.md. */
static json_t *growth_row_json(const struct ow_growth *g)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (set(obj, "pid", jpid(g->pid)) || set(obj, "comm", jcomm(g->comm)) ||
	    set(obj, "cmdline", jstring(g->cmdline, SIZE_MAX)) ||
	    set(obj, "instances", ju64(g->n_instances)) ||
	    set(obj, "start_bytes", ju64(g->start_bytes)) ||
	    set(obj, "at_oom_bytes", ju64(g->at_oom_bytes)) ||
	    set(obj, "peak_bytes", ju64(g->peak_bytes)) ||
	    set(obj, "growth_bytes", json_integer(g->growth_bytes)) ||
	    set(obj, "growth_start_time", jtime(g->growth_start_ns)) ||
	    set(obj, "growth_start_time_ns",
		g->growth_start_ns ? ju64(g->growth_start_ns) : json_null()) ||
	    set(obj, "rate_bytes_per_s", jrate(g->rate_bytes_per_s)) ||
	    set(obj, "recent_rate_bytes_per_s", jrate(g->recent_rate_bytes_per_s)) ||
	    set(obj, "pattern", json_string(ow_growth_pattern_name(g->pattern))) ||
	    set(obj, "rising_at_oom", json_boolean(g->rising_at_oom)) ||
	    set(obj, "time_to_limit_ns",
		g->time_to_limit_ns >= 0 ? json_integer(g->time_to_limit_ns) : json_null())) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* GROWTH of docs/json.md: null without a verdict or without an analysis. */
static json_t *growth_json(const struct ow_verdict *v)
{
	const struct ow_growth_analysis *g = v ? &v->growth : NULL;
	json_t *obj, *rows = NULL;
	bool has_fastest;

	if (!g || !g->available)
		return json_null();
	has_fastest = g->fastest >= 0 && (size_t)g->fastest < g->n_rows;
	obj = json_object();
	if (!obj)
		return NULL;
	if (set(obj, "window_start_time", jtime(g->window_start_ns)) ||
	    set(obj, "window_start_time_ns", ju64(g->window_start_ns)) ||
	    set(obj, "window_end_time", jtime(g->window_end_ns)) ||
	    set(obj, "window_end_time_ns", ju64(g->window_end_ns)))
		goto nomem;
	rows = json_array();
	if (set(obj, "rows", rows))
		goto nomem;
	for (size_t i = 0; i < g->n_rows; i++)
		if (append(rows, growth_row_json(&g->rows[i])))
			goto nomem;
	if (set(obj, "fastest", has_fastest ? jpid(g->rows[g->fastest].pid) : json_null()) ||
	    set(obj, "domain_growth_bytes", json_integer(g->domain_growth_bytes)))
		goto nomem;
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

/* "time" and "time_ns" of sample i, the first keys of every sample object. */
static json_t *sample_object(const struct ow_history *h, size_t i)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (set(obj, "time", jtime(h->time_ns[i])) || set(obj, "time_ns", ju64(h->time_ns[i]))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* PROC_SAMPLE of docs/json.md. */
static json_t *proc_sample_json(const struct ow_history *h, size_t i,
				const struct ow_proc_sample *s)
{
	json_t *obj = sample_object(h, i);

	if (!obj)
		return NULL;
	if (set(obj, "rss_bytes", ju64(ow_proc_sample_rss_bytes(s))) ||
	    set(obj, "anon_bytes", ju64(s->anon_bytes)) ||
	    set(obj, "file_bytes", ju64(s->file_bytes)) ||
	    set(obj, "shmem_bytes", ju64(s->shmem_bytes)) ||
	    set(obj, "swap_bytes", ju64(s->swap_bytes)) ||
	    set(obj, "pgtables_bytes", ju64(s->pgtables_bytes)) ||
	    set(obj, "oom_score_adj", json_integer(s->oom_score_adj))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* CGROUP_SAMPLE of docs/json.md. */
static json_t *cgroup_sample_json(const struct ow_history *h, size_t i,
				  const struct ow_cgroup_sample *s)
{
	json_t *obj = sample_object(h, i);

	if (!obj)
		return NULL;
	if (set(obj, "usage_bytes", ju64(s->usage_bytes)) ||
	    set(obj, "limit_bytes",
		s->limit_bytes == OW_LIMIT_NONE ? json_null() : ju64(s->limit_bytes)) ||
	    set(obj, "anon_bytes", ju64(s->anon_bytes)) ||
	    set(obj, "file_bytes", ju64(s->file_bytes)) ||
	    set(obj, "shmem_bytes", ju64(s->shmem_bytes)) ||
	    set(obj, "kernel_bytes", ju64(s->kernel_bytes)) ||
	    set(obj, "sock_bytes", ju64(s->sock_bytes))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* SYSTEM_SAMPLE of docs/json.md. */
static json_t *system_sample_json(const struct ow_history *h, size_t i)
{
	const struct ow_system_sample *s = &h->system[i];
	json_t *obj = sample_object(h, i);

	if (!obj)
		return NULL;
	if (set(obj, "mem_total_bytes", ju64(s->mem_total_bytes)) ||
	    set(obj, "mem_available_bytes", ju64(s->mem_available_bytes)) ||
	    set(obj, "swap_total_bytes", ju64(s->swap_total_bytes)) ||
	    set(obj, "swap_free_bytes", ju64(s->swap_free_bytes)) ||
	    set(obj, "psi_some_avg10",
		s->psi_known ? jcenti(s->psi_some_avg10_centi) : json_null()) ||
	    set(obj, "psi_full_avg10",
		s->psi_known ? jcenti(s->psi_full_avg10_centi) : json_null()) ||
	    set(obj, "psi_some_total_us",
		s->psi_known ? ju64(s->psi_some_total_us) : json_null()) ||
	    set(obj, "psi_full_total_us",
		s->psi_known ? ju64(s->psi_full_total_us) : json_null())) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* HISTORY_PROCESS of docs/json.md: absent samples are left out. */
static json_t *history_process_json(const struct ow_history *h, const struct ow_history_process *p)
{
	json_t *obj = json_object(), *samples = NULL;

	if (!obj)
		return NULL;
	if (set(obj, "pid", jpid(p->pid)) || set(obj, "ppid", json_integer(p->ppid)) ||
	    set(obj, "comm", jcomm(p->comm)) ||
	    set(obj, "cmdline", jstring(p->cmdline, SIZE_MAX)) ||
	    set(obj, "cgroup", jstring(p->cgroup, SIZE_MAX)) ||
	    set(obj, "start_time", jtime(p->start_time_ns)) ||
	    set(obj, "start_time_ns", p->start_time_ns ? ju64(p->start_time_ns) : json_null()))
		goto nomem;
	samples = json_array();
	if (set(obj, "samples", samples))
		goto nomem;
	for (size_t i = 0; i < h->n_times; i++)
		if (p->samples[i].present &&
		    append(samples, proc_sample_json(h, i, &p->samples[i])))
			goto nomem;
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

/* HISTORY_CGROUP of docs/json.md. */
static json_t *history_cgroup_json(const struct ow_history *h, const struct ow_history_cgroup *c)
{
	json_t *obj = json_object(), *samples = NULL;

	if (!obj)
		return NULL;
	if (set(obj, "path", jstring(c->path, SIZE_MAX)) ||
	    set(obj, "id", c->id ? ju64(c->id) : json_null()))
		goto nomem;
	samples = json_array();
	if (set(obj, "samples", samples))
		goto nomem;
	for (size_t i = 0; i < h->n_times; i++)
		if (c->samples[i].present &&
		    append(samples, cgroup_sample_json(h, i, &c->samples[i])))
			goto nomem;
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

/* HISTORY of docs/json.md: null when none was recorded. */
static json_t *history_json(const struct ow_history *h)
{
	json_t *obj, *arr;
	uint64_t start_ns, end_ns;

	if (!h)
		return json_null();
	start_ns = h->n_times ? h->time_ns[0] : 0;
	end_ns = h->n_times ? h->time_ns[h->n_times - 1] : 0;
	obj = json_object();
	if (!obj)
		return NULL;
	if (set(obj, "interval_ns", ju64(h->interval_ns)) ||
	    set(obj, "window_ns", ju64(h->window_ns)) ||
	    set(obj, "truncated", json_boolean(h->truncated)) ||
	    set(obj, "start_time", jtime(start_ns)) ||
	    set(obj, "start_time_ns", start_ns ? ju64(start_ns) : json_null()) ||
	    set(obj, "end_time", jtime(end_ns)) ||
	    set(obj, "end_time_ns", end_ns ? ju64(end_ns) : json_null()))
		goto nomem;
	arr = json_array();
	if (set(obj, "processes", arr))
		goto nomem;
	for (size_t i = 0; i < h->n_procs; i++)
		if (append(arr, history_process_json(h, &h->procs[i])))
			goto nomem;
	arr = json_array();
	if (set(obj, "cgroups", arr))
		goto nomem;
	for (size_t i = 0; i < h->n_cgroups; i++)
		if (append(arr, history_cgroup_json(h, &h->cgroups[i])))
			goto nomem;
	arr = json_array();
	if (set(obj, "system", arr))
		goto nomem;
	for (size_t i = 0; i < h->n_times; i++)
		if (h->system[i].present && append(arr, system_sample_json(h, i)))
			goto nomem;
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

/* Writes root and a newline; 0, -EIO, or -ENOMEM (the encoder allocates too). */
static int dump(FILE *out, const json_t *root)
{
	if (json_dumpf(root, out, DUMP_FLAGS) != 0)
		return ferror(out) ? -EIO : -ENOMEM;
	if (fputc('\n', out) == EOF || fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

/* The incident's times and domain, as the root of show --json has them. 0 or -ENOMEM. */
static int set_incident_span(json_t *root, const struct ow_incident *inc)
{
	if (set(root, "start_time", jtime(inc->start_ns)) ||
	    set(root, "end_time", jtime(inc->end_ns)) ||
	    set(root, "start_time_ns", ju64(inc->start_ns)) ||
	    set(root, "end_time_ns", ju64(inc->end_ns)) ||
	    set(root, "domain", domain_json(&inc->domain)))
		return -ENOMEM;
	return 0;
}

/* What the verdict says, culprit to missed_kills, as the root of show --json has it. */
static int set_incident_verdict(json_t *root, const struct ow_incident *inc,
				const struct ow_verdict *v)
{
	if (set(root, "culprit", culprit_json(v)) ||
	    set(root, "verdict", v ? jstring(v->summary, SIZE_MAX) : json_null()) ||
	    set(root, "shielded", shielded_json(inc, v)) ||
	    set(root, "innocent_victims",
		v ? pids_json(v->innocent_pids, v->n_innocent) : json_array()) ||
	    set(root, "growth", growth_json(v)) ||
	    set(root, "partial", json_boolean(ow_render_partial(inc, v))) ||
	    set(root, "lost_events", ju64(inc->lost_events)) ||
	    set(root, "missed_kills", ju64(inc->missed_kills)))
		return -ENOMEM;
	return 0;
}

int ow_render_incident_json(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v)
{
	json_t *root, *kills = NULL;
	int r = -ENOMEM;

	if (!out || !inc)
		return -EINVAL;
	root = json_object();
	if (!root)
		return -ENOMEM;
	if (set(root, "format_version", json_integer(OW_JSON_FORMAT_VERSION)) ||
	    set(root, "id", json_integer(inc->id)) || set_incident_span(root, inc))
		goto out;
	kills = json_array();
	if (set(root, "kills", kills))
		goto out;
	for (size_t i = 0; i < inc->n_kills; i++)
		if (append(kills,
			   kill_json(&inc->kills[i], i, v && i < v->n_kills ? &v->kills[i] : NULL)))
			goto out;
	if (set_incident_verdict(root, inc, v) || set(root, "history", history_json(inc->history)))
		goto out;
	r = dump(out, root);
out:
	json_decref(root);
	return r;
}

/* Writes root on one line and flushes; 0, -EIO, or -ENOMEM. */
static int dump_line(FILE *out, const json_t *root)
{
	if (json_dumpf(root, out, LINE_FLAGS) != 0)
		return ferror(out) ? -EIO : -ENOMEM;
	if (fputc('\n', out) == EOF || fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

/* The first keys of every JSON Lines object: what it is, the contract, the incident. */
static json_t *line_object(const char *type, const struct ow_incident *inc)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (set(obj, "type", json_string(type)) ||
	    set(obj, "format_version", json_integer(OW_JSON_FORMAT_VERSION)) ||
	    set(obj, "incident_id", json_integer(inc->id))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int ow_render_kill_jsonl(FILE *out, const struct ow_incident *inc, size_t kill_index,
			 const struct ow_verdict *v)
{
	json_t *line;
	int r = -ENOMEM;

	if (!out || !inc || kill_index >= inc->n_kills)
		return -EINVAL;
	line = line_object("kill", inc);
	if (!line)
		return -ENOMEM;
	if (set(line, "kill",
		kill_json(&inc->kills[kill_index], kill_index,
			  v && kill_index < v->n_kills ? &v->kills[kill_index] : NULL)) ||
	    set(line, "domain", domain_json(&inc->domain)))
		goto out;
	r = dump_line(out, line);
out:
	json_decref(line);
	return r;
}

/* The victims' pids in kill order, as list --json's "victims". */
static json_t *victims_json(const struct ow_incident *inc)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < inc->n_kills; i++) {
		if (append(arr, json_integer(inc->kills[i].victim_pid))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int ow_render_incident_jsonl(FILE *out, const struct ow_incident *inc, const struct ow_verdict *v)
{
	json_t *line;
	int r = -ENOMEM;

	if (!out || !inc)
		return -EINVAL;
	line = line_object("incident", inc);
	if (!line)
		return -ENOMEM;
	if (set_incident_span(line, inc) || set(line, "victims", victims_json(inc)) ||
	    set_incident_verdict(line, inc, v))
		goto out;
	r = dump_line(out, line);
out:
	json_decref(line);
	return r;
}

/* "global" or "memcg:/path" (the path made valid UTF-8). */
static json_t *domain_word(const struct ow_incident_summary *row)
{
	json_t *j;
	char *path, *word;

	if (row->domain_kind != OW_DOMAIN_MEMCG)
		return json_string(ow_domain_kind_name(row->domain_kind));
	path = ow_utf8_sanitize(row->domain_cgroup ? row->domain_cgroup : "?", SIZE_MAX);
	if (!path)
		return NULL;
	if (asprintf(&word, "%s:%s", ow_domain_kind_name(row->domain_kind), path) < 0) {
		free(path);
		return NULL;
	}
	j = json_string(word);
	free(word);
	free(path);
	return j;
}

static json_t *row_json(const struct ow_incident_summary *row)
{
	json_t *obj = json_object(), *culprit = NULL;

	if (!obj)
		return NULL;
	if (set(obj, "id", json_integer(row->id)) || set(obj, "start_time", jtime(row->start_ns)) ||
	    set(obj, "end_time", jtime(row->end_ns)) ||
	    set(obj, "start_time_ns", ju64(row->start_ns)) ||
	    set(obj, "end_time_ns", ju64(row->end_ns)) || set(obj, "domain", domain_word(row)) ||
	    set(obj, "domain_kind", json_string(ow_domain_kind_name(row->domain_kind))) ||
	    set(obj, "domain_cgroup", jstring(row->domain_cgroup, SIZE_MAX)) ||
	    set(obj, "kills", ju64(row->n_victims)) ||
	    set(obj, "victims", pids_json(row->victim_pids, row->n_victims)))
		goto nomem;
	culprit = json_object();
	if (set(obj, "culprit", culprit) ||
	    set(culprit, "kind",
		jstring(row->culprit_kind ? row->culprit_kind : "none", SIZE_MAX)) ||
	    set(culprit, "pid", jpid(row->culprit_pid)) ||
	    set(culprit, "comm",
		row->culprit_comm && row->culprit_comm[0] ? jstring(row->culprit_comm, SIZE_MAX)
							  : json_null()) ||
	    set(obj, "lost_events", ju64(row->lost_events)) ||
	    set(obj, "missed_kills", ju64(row->missed_kills)))
		goto nomem;
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

int ow_render_list_json(FILE *out, const struct ow_incident_summary *rows, size_t n)
{
	json_t *root;
	int r = -ENOMEM;

	if (!out || (n > 0 && !rows))
		return -EINVAL;
	root = json_array();
	if (!root)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (append(root, row_json(&rows[i])))
			goto out;
	r = dump(out, root);
out:
	json_decref(root);
	return r;
}
