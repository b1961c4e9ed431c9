/* SPDX-License-Identifier: GPL-2.0-only */
/* struct oom_control in model terms (oomctl.h). */
#include "capture/oomctl.h"

#include <errno.h>
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "oomctl_abi.h"

static enum ow_oom_constraint constraint_of(uint32_t c)
{
	switch (c) {
	case OW_OOMCTL_CONSTRAINT_NONE:
		return OW_CONSTRAINT_NONE;
	case OW_OOMCTL_CONSTRAINT_CPUSET:
		return OW_CONSTRAINT_CPUSET;
	case OW_OOMCTL_CONSTRAINT_MEMORY_POLICY:
		return OW_CONSTRAINT_MEMORY_POLICY;
	case OW_OOMCTL_CONSTRAINT_MEMCG:
		return OW_CONSTRAINT_MEMCG;
	default:
		return OW_CONSTRAINT_UNKNOWN;
	}
}

void ow_oom_control_from_record(const struct ow_oomctl_record *r, uint32_t page_size,
				int64_t boot_to_real_ns, struct ow_oom_control *out)
{
	memset(out, 0, sizeof(*out));
	out->time_ns = (uint64_t)((int64_t)r->boot_ns + boot_to_real_ns);
	out->victim_pid = r->victim_tgid;
	out->trigger_pid = r->trigger_tgid;
	out->constraint = constraint_of(r->constraint);
	out->total_bytes = r->totalpages * (uint64_t)page_size;
	out->chosen_points = r->chosen_points;
	out->memcg_id = r->memcg_id;
	out->gfp_mask = r->gfp_mask;
	out->order = r->order;
}

bool ow_oom_control_matches(const struct ow_oom_control *c, const struct ow_kill *kill)
{
	uint64_t d;

	if (c->victim_pid <= 0 || c->victim_pid != kill->victim_pid)
		return false;
	d = c->time_ns > kill->time_ns ? c->time_ns - kill->time_ns : kill->time_ns - c->time_ns;
	return d <= OW_OOMCTL_MATCH_NS;
}

/* The path of memory cgroup id among kill's cgroups, or NULL. Borrowed. */
static const char *cgroup_path(const struct ow_kill *kill, uint64_t id)
{
	if (id == 0)
		return NULL;
	if (kill->domain.cgroup && kill->domain.cgroup_id == id)
		return kill->domain.cgroup;
	for (size_t i = 0; i < kill->n_procs; i++)
		if (kill->procs[i].cgroup && kill->procs[i].cgroup_id == id)
			return kill->procs[i].cgroup;
	return NULL;
}

static int dup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

int ow_oom_control_apply(const struct ow_oom_control *c, struct ow_kill *kill)
{
	const struct ow_process *victim = ow_kill_find_process(kill, kill->victim_pid);
	struct ow_kernel_report rep = { 0 };

	if (!(kill->flags & OW_KILL_KMSG_CONFIRMED)) {
		if (dup_or_null(cgroup_path(kill, c->memcg_id), &rep.oom_memcg) < 0 ||
		    dup_or_null(victim ? victim->cgroup : NULL, &rep.task_memcg) < 0) {
			ow_kernel_report_clear(&rep);
			return -ENOMEM;
		}
		rep.constraint = c->constraint;
		rep.has_allocation = true;
		rep.gfp_mask = c->gfp_mask;
		rep.order = c->order;
		ow_kernel_report_clear(&kill->kernel_report);
		kill->kernel_report = rep;
	}
	if (c->total_bytes)
		kill->domain.total_bytes = c->total_bytes;
	kill->flags |= OW_KILL_OOM_CONTROL;
	return 0;
}
