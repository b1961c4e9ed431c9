/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's badness of one process, recomputed from a snapshot (verdict.h).
 *
 * It mirrors mm/oom_kill.c oom_badness(): which tasks the kernel skips, and the score of the
 * others as a memory part (rss + swap + page tables, in pages) plus an oom_score_adj part
 * (adj times totalpages / 1000, the division first, as the kernel does it). The split in two
 * parts is ours: it is what lets the verdict say whether memory or adj chose the victim.
 */
#include "analysis/verdict.h"

const char *ow_eligibility_text(enum ow_eligibility e)
{
	switch (e) {
	case OW_ELIGIBLE:
		return "eligible";
	case OW_INELIGIBLE_OUTSIDE_DOMAIN:
		return "outside the OOM domain";
	case OW_INELIGIBLE_ADJ_MIN:
		return "oom_score_adj -1000";
	case OW_INELIGIBLE_INIT:
		return "the global init";
	case OW_INELIGIBLE_NO_MM:
		return "no memory of its own";
	case OW_INELIGIBLE_OOM_SKIP:
		return "already reaped (MMF_OOM_SKIP)";
	case OW_INELIGIBLE_VFORK:
		return "a vfork child";
	}
	return "unknown";
}

/* The kernel's checks, in the kernel's order: unkillable, no mm, then adj/skip/vfork. */
static enum ow_eligibility eligibility_of(const struct ow_process *p)
{
	if (!(p->flags & OW_PROC_IN_DOMAIN))
		return OW_INELIGIBLE_OUTSIDE_DOMAIN;
	if (p->flags & OW_PROC_INIT)
		return OW_INELIGIBLE_INIT;
	if (p->flags & OW_PROC_NO_MM)
		return OW_INELIGIBLE_NO_MM;
	if (p->oom_score_adj <= -1000)
		return OW_INELIGIBLE_ADJ_MIN;
	if (p->flags & OW_PROC_OOM_SKIP)
		return OW_INELIGIBLE_OOM_SKIP;
	if (p->flags & OW_PROC_VFORK)
		return OW_INELIGIBLE_VFORK;
	return OW_ELIGIBLE;
}

struct ow_badness ow_badness_compute(const struct ow_process *p, uint64_t total_bytes,
				     uint32_t page_size)
{
	struct ow_badness b = { 0 };
	/* page_size 0 means the default, so that nothing divides by zero. */
	uint64_t page_bytes = page_size ? page_size : OW_BADNESS_PAGE_SIZE;
	int64_t total_pages = (int64_t)(total_bytes / page_bytes), adj;

	b.eligibility = eligibility_of(p);
	/* get_mm_rss() + MM_SWAPENTS + mm_pgtables_bytes() / PAGE_SIZE, each counted apart. */
	b.memory_points = (int64_t)(ow_process_rss_bytes(p) / page_bytes) +
			  (int64_t)(p->swap_bytes / page_bytes) +
			  (int64_t)(p->pgtables_bytes / page_bytes);
	/*
	 * adj *= totalpages / 1000: integer division first, so small domains lose the rest. The
	 * kernel keeps adj within -1000..1000; a corrupt record's or database's is clamped there,
	 * or the product overflows.
	 */
	adj = p->oom_score_adj < -1000 ? -1000 : p->oom_score_adj > 1000 ? 1000 : p->oom_score_adj;
	b.adj_points = adj * (total_pages / 1000);
	/*
	 * The kernel returns LONG_MIN for an ineligible task; we keep what it would have scored,
	 * and eligibility says it was skipped.
	 */
	b.points = b.memory_points + b.adj_points;
	return b;
}
