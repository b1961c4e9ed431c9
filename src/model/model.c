/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Constructors, copies and destructors of the incident model (model.h), plus the few derived
 * quantities every layer needs (rss, badness memory) so that none computes them its own way.
 */
#include "model/history.h"
#include "model/model.h"
#include "model/shared_str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t ow_process_rss_bytes(const struct ow_process *p)
{
	return p->anon_bytes + p->file_bytes + p->shmem_bytes;
}

uint64_t ow_process_memory_bytes(const struct ow_process *p)
{
	return ow_process_rss_bytes(p) + p->swap_bytes + p->pgtables_bytes;
}

const struct ow_process *ow_kill_find_process(const struct ow_kill *kill, int32_t pid)
{
	for (size_t i = 0; i < kill->n_procs; i++)
		if (kill->procs[i].pid == pid)
			return &kill->procs[i];
	return NULL;
}

static int dup_optional(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int ow_process_copy(struct ow_process *dst, const struct ow_process *src)
{
	*dst = *src;
	dst->cmdline = NULL;
	dst->cgroup = NULL;
	dst->adj_changes = NULL;
	dst->n_adj_changes = 0;
	dst->cmdline = ow_shared_str_ref(src->cmdline);
	dst->cgroup = ow_shared_str_ref(src->cgroup);
	if (src->n_adj_changes) {
		dst->adj_changes = malloc(src->n_adj_changes * sizeof(*dst->adj_changes));
		if (!dst->adj_changes)
			goto fail;
		memcpy(dst->adj_changes, src->adj_changes,
		       src->n_adj_changes * sizeof(*dst->adj_changes));
		dst->n_adj_changes = src->n_adj_changes;
	}
	return 0;
fail:
	ow_process_clear(dst);
	return -ENOMEM;
}

void ow_process_clear(struct ow_process *p)
{
	if (!p)
		return;
	ow_shared_str_unref(p->cmdline);
	ow_shared_str_unref(p->cgroup);
	free(p->adj_changes);
	p->cmdline = NULL;
	p->cgroup = NULL;
	p->adj_changes = NULL;
	p->n_adj_changes = 0;
}

void ow_kernel_report_clear(struct ow_kernel_report *r)
{
	if (!r)
		return;
	free(r->oom_memcg);
	free(r->task_memcg);
	memset(r, 0, sizeof(*r));
}

void ow_unowned_memory_clear(struct ow_unowned_memory *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n_tmpfs; i++)
		free(u->tmpfs[i].path);
	free(u->tmpfs);
	memset(u, 0, sizeof(*u));
}

int ow_domain_copy(struct ow_domain *dst, const struct ow_domain *src)
{
	*dst = *src;
	return dup_optional(&dst->cgroup, src->cgroup);
}

void ow_domain_clear(struct ow_domain *d)
{
	if (!d)
		return;
	free(d->cgroup);
	d->cgroup = NULL;
}

void ow_stack_clear(struct ow_stack *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_frames; i++)
		free(s->frames[i]);
	free(s->frames);
	s->frames = NULL;
	s->n_frames = 0;
}

void ow_kill_clear(struct ow_kill *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n_procs; i++)
		ow_process_clear(&k->procs[i]);
	free(k->procs);
	ow_domain_clear(&k->domain);
	ow_stack_clear(&k->trigger_kernel_stack);
	ow_stack_clear(&k->trigger_user_stack);
	ow_kernel_report_clear(&k->kernel_report);
	ow_unowned_memory_clear(&k->unowned);
	memset(k, 0, sizeof(*k));
}

void ow_incident_clear(struct ow_incident *inc)
{
	if (!inc)
		return;
	for (size_t i = 0; i < inc->n_kills; i++)
		ow_kill_clear(&inc->kills[i]);
	free(inc->kills);
	ow_domain_clear(&inc->domain);
	ow_history_free(inc->history);
	memset(inc, 0, sizeof(*inc));
}

void ow_incident_free(struct ow_incident *inc)
{
	ow_incident_clear(inc);
	free(inc);
}

int ow_incident_add_kill(struct ow_incident *inc, struct ow_kill *kill)
{
	struct ow_kill *kills = realloc(inc->kills, (inc->n_kills + 1) * sizeof(*kills));
	size_t at;

	if (!kills)
		return -ENOMEM;
	inc->kills = kills;
	if (inc->n_kills == 0) {
		int r = ow_domain_copy(&inc->domain, &kill->domain);

		if (r < 0)
			return r;
	}
	/* Kills arrive in order; an out-of-order one is inserted where it belongs. */
	at = inc->n_kills;
	while (at > 0 && kills[at - 1].time_ns > kill->time_ns)
		at--;
	memmove(&kills[at + 1], &kills[at], (inc->n_kills - at) * sizeof(*kills));
	kills[at] = *kill;
	inc->n_kills++;
	inc->lost_events += kill->lost_events;
	inc->start_ns = kills[0].time_ns;
	inc->end_ns = kills[inc->n_kills - 1].time_ns;
	memset(kill, 0, sizeof(*kill));
	return 0;
}

bool ow_domain_same(const struct ow_domain *a, const struct ow_domain *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == OW_DOMAIN_GLOBAL)
		return true;
	if (a->cgroup && b->cgroup)
		return strcmp(a->cgroup, b->cgroup) == 0;
	return a->cgroup_id == b->cgroup_id;
}

bool ow_incident_takes_kill(const struct ow_incident *inc, const struct ow_kill *kill,
			    uint64_t gap_ns)
{
	if (inc->n_kills == 0)
		return true;
	if (!ow_domain_same(&inc->domain, &kill->domain))
		return false;
	if (kill->time_ns >= inc->end_ns)
		return kill->time_ns - inc->end_ns <= gap_ns;
	return kill->time_ns + gap_ns >= inc->start_ns;
}

const char *ow_domain_kind_name(enum ow_domain_kind kind)
{
	return kind == OW_DOMAIN_MEMCG ? "memcg" : "global";
}

const char *ow_killer_kind_name(enum ow_killer_kind kind)
{
	return kind == OW_KILLER_SIGNAL ? "signal" : "kernel";
}

int ow_domain_kind_parse(const char *name, enum ow_domain_kind *ret_kind)
{
	if (strcmp(name, "global") == 0)
		*ret_kind = OW_DOMAIN_GLOBAL;
	else if (strcmp(name, "memcg") == 0)
		*ret_kind = OW_DOMAIN_MEMCG;
	else
		return -EINVAL;
	return 0;
}

int ow_killer_kind_parse(const char *name, enum ow_killer_kind *ret_kind)
{
	if (strcmp(name, "kernel") == 0)
		*ret_kind = OW_KILLER_KERNEL;
	else if (strcmp(name, "signal") == 0)
		*ret_kind = OW_KILLER_SIGNAL;
	else
		return -EINVAL;
	return 0;
}

static const char *const constraint_names[] = {
	[OW_CONSTRAINT_UNKNOWN] = "unknown", [OW_CONSTRAINT_NONE] = "none",
	[OW_CONSTRAINT_CPUSET] = "cpuset",   [OW_CONSTRAINT_MEMORY_POLICY] = "memory-policy",
	[OW_CONSTRAINT_MEMCG] = "memcg",
};

const char *ow_oom_constraint_name(enum ow_oom_constraint c)
{
	return (size_t)c < sizeof(constraint_names) / sizeof(constraint_names[0])
		       ? constraint_names[c]
		       : "unknown";
}

int ow_oom_constraint_parse(const char *name, enum ow_oom_constraint *ret)
{
	for (size_t i = 0; i < sizeof(constraint_names) / sizeof(constraint_names[0]); i++)
		if (strcmp(name, constraint_names[i]) == 0) {
			*ret = (enum ow_oom_constraint)i;
			return 0;
		}
	return -EINVAL;
}

bool ow_kill_took_sharer(const struct ow_kill *kill, const struct ow_process *p)
{
	return (p->flags & OW_PROC_SHARES_VICTIM_MM) && p->pid != kill->victim_pid &&
	       !(p->flags & OW_PROC_INIT) && p->oom_score_adj != -1000 &&
	       !(kill->flags & OW_KILL_VICTIM_EXITING);
}

int64_t ow_kill_to_exit_ns(const struct ow_kill *kill)
{
	uint64_t exit_ns = kill->after.exit_ns;

	if (!exit_ns || !kill->time_ns || exit_ns + OW_EXIT_BEFORE_KILL_NS < kill->time_ns)
		return -1;
	return exit_ns >= kill->time_ns ? (int64_t)(exit_ns - kill->time_ns) : 0;
}

bool ow_kill_report_disagrees(const struct ow_kill *kill)
{
	const struct ow_kernel_report *r = &kill->kernel_report;
	const struct ow_domain *d = &kill->domain;

	if (!(kill->flags & OW_KILL_KMSG_CONFIRMED) || (kill->flags & OW_KILL_OOM_CONTROL))
		return false;
	if (r->constraint == OW_CONSTRAINT_MEMCG)
		return d->kind != OW_DOMAIN_MEMCG ||
		       (r->oom_memcg && d->cgroup && strcmp(r->oom_memcg, d->cgroup) != 0);
	return r->constraint == OW_CONSTRAINT_NONE && d->kind == OW_DOMAIN_MEMCG;
}

bool ow_incident_only_signal_kills(const struct ow_incident *inc)
{
	for (size_t i = 0; i < inc->n_kills; i++)
		if (inc->kills[i].killer_kind != OW_KILLER_SIGNAL)
			return false;
	return inc->n_kills > 0;
}
