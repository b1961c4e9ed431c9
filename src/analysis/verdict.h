/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The verdict: pure functions from an incident (model.h) to an explanation of it.
 *
 * For each kill it recomputes the kernel's badness (mm/oom_kill.c oom_badness()) for every
 * candidate in the OOM domain and ranks them, and explains the victim's choice as a memory part
 * and an oom_score_adj part (or says who else chose it: a user-space killer, an exiting task, a
 * memory.oom.group). For the incident it names the culprit with reasons: a process, a process
 * tree, a cgroup, or memory no process owns. The rules, their precedence and their defaults are
 * written down in docs/verdict.md; keep the two in step.
 *
 * No I/O, no logging, no globals: tests feed it synthetic incidents.
 */
#ifndef OW_VERDICT_H
#define OW_VERDICT_H

#include "analysis/growth.h"
#include "model/model.h"
#include "model/units.h"

/* Tunables of the rules, named as in docs/verdict.md. */
struct ow_verdict_config {
	/* A victim is "innocent" when its adj part outweighs its memory part and it held less
	 * than this share of the domain's limit. Default 0.05. */
	double innocent_max_share;
	/* A process with negative oom_score_adj is reported as shielded when it held at least
	 * this share of the domain's limit. Default 0.10. */
	double shielded_min_share;
	/* How many candidates the ranking keeps per kill (the rest are counted). Default 10. */
	size_t ranking_size;
	/* Growth analysis of the incident's history (analysis/growth.h). */
	struct ow_growth_config growth;
	/* Rule 9: a grower is named culprit instead of a biggest holder that was not growing when
	 * it gained at least this share of what the domain gained meanwhile. Default 0.5. */
	double grower_min_share;
	/* Rules 10 and 11 apply only when no single process holds at least this share of what the
	 * domain's processes hold together. Default 0.5. */
	double tree_single_max_share;
	/* Rule 10: a process tree is the culprit when it holds at least this share of what the
	 * domain's processes hold... Default 0.5. */
	double tree_min_share;
	/* ...with at least this many processes, its root included. Default 3. */
	size_t tree_min_members;
	/* Rule 11: a cgroup below the domain is the culprit when its processes (2 or more) hold at
	 * least this share of what the domain's processes hold. Default 0.5. */
	double cgroup_min_share;
	/* Rule 12: memory no process owns is the culprit when it is more than any one process,
	 * tree or cgroup holds and at least this share of the domain's limit. Default 0.4. */
	double unowned_min_share;
};

void ow_verdict_config_default(struct ow_verdict_config *cfg);

/* Why the kernel could not pick a process, or OW_ELIGIBLE. */
enum ow_eligibility {
	OW_ELIGIBLE = 0,
	OW_INELIGIBLE_OUTSIDE_DOMAIN, /* not in the OOM memcg */
	OW_INELIGIBLE_ADJ_MIN, /* oom_score_adj -1000: the kernel never kills it */
	OW_INELIGIBLE_INIT, /* global init */
	OW_INELIGIBLE_NO_MM, /* no memory of its own */
	OW_INELIGIBLE_OOM_SKIP, /* already reaped */
	OW_INELIGIBLE_VFORK, /* vfork child */
};

/* Words for the reasons above, e.g. "oom_score_adj -1000". */
const char *ow_eligibility_text(enum ow_eligibility e);

/* The kernel's badness, in pages as the kernel counts, split in its two parts. */
struct ow_badness {
	enum ow_eligibility eligibility;
	int64_t memory_points; /* (rss + swap + page tables) in pages */
	int64_t adj_points; /* oom_score_adj * totalpages / 1000 */
	int64_t points; /* memory_points + adj_points; the kernel's comparison key */
};

/*
 * Badness of one process at one kill, as oom_badness() computes it: total_bytes is the
 * domain's totalpages in bytes; page_size is the recorded machine's (OW_BADNESS_PAGE_SIZE for
 * the snapshots we have; 0 means that too).
 */
struct ow_badness ow_badness_compute(const struct ow_process *p, uint64_t total_bytes,
				     uint32_t page_size);

/*
 * Who chose a kill's victim (docs/verdict.md, rules 13 and 14). Only a victim the kernel chose by
 * badness is judged by it: for the others victim_by_adj and victim_innocent stay false.
 */
enum ow_victim_choice {
	OW_VICTIM_BY_BADNESS = 0, /* the kernel's OOM killer ranked it first */
	OW_VICTIM_BY_SIGNAL, /* a user-space killer sent it a SIGKILL (killer_kind signal) */
	OW_VICTIM_EXITING, /* already exiting: the kernel took it without a SIGKILL */
	OW_VICTIM_OOM_GROUP, /* killed with the chosen victim's memory.oom.group, not chosen */
};

/* "badness", "signal", "exiting", "oom-group". */
const char *ow_victim_choice_name(enum ow_victim_choice c);

/* One row of a kill's ranking. */
struct ow_ranked {
	size_t proc_index; /* index into kill->procs */
	struct ow_badness badness;
};

/* What the verdict says about one kill. */
struct ow_kill_analysis {
	size_t n_ranked; /* rows kept in ranked[] (at most cfg.ranking_size) */
	struct ow_ranked *ranked; /* owned; eligible candidates, highest points first */
	size_t n_candidates; /* all eligible candidates, kept or not */
	int victim_rank; /* 1-based rank of the victim among candidates; 0 if not found */
	struct ow_badness victim_badness;
	enum ow_victim_choice victim_choice;
	bool victim_by_adj; /* chosen by badness, and the adj part outweighed the memory part */
	bool victim_innocent; /* by adj, and under innocent_max_share of the domain */
	bool victim_was_top_holder; /* the victim itself held the most memory in the domain */
};

enum ow_culprit_kind {
	OW_CULPRIT_NONE = 0, /* nothing to judge (no kills, empty snapshot) */
	OW_CULPRIT_PROCESS,
	OW_CULPRIT_PROCESS_TREE,
	OW_CULPRIT_CGROUP,
	OW_CULPRIT_NON_PROCESS,
};

/* "process", "process-tree", "cgroup", "non-process", "none". */
const char *ow_culprit_kind_name(enum ow_culprit_kind kind);

/* ow_culprit.what of a non-process culprit (rule 12). */
#define OW_UNOWNED_SHMEM "shmem/tmpfs"
#define OW_UNOWNED_KERNEL "kernel"
#define OW_UNOWNED_PAGE_CACHE "page cache"

struct ow_culprit {
	enum ow_culprit_kind kind;
	/* process: the process; process-tree: the tree's root (comm, cmdline, adj are the
	 * root's too); cgroup, non-process: 0 */
	int32_t pid;
	char comm[OW_COMM_LEN];
	const char *cmdline; /* borrowed from the incident; may be NULL */
	/* borrowed from the incident, or owned_cgroup; may be NULL. process, process-tree: the
	 * (root) process's; cgroup: the culprit cgroup; non-process: the domain's */
	const char *cgroup;
	char *owned_cgroup; /* owned; what cgroup points to for kind cgroup, else NULL */
	size_t n_members; /* process-tree, cgroup: the processes it adds up; 0 otherwise */
	/* process-tree, cgroup: its member holding the most at the first kill, and how much (by
	 * ow_process_own_memory_bytes()); 0 otherwise */
	int32_t biggest_pid;
	uint64_t biggest_bytes;
	/* non-process: which memory no process owns, "shmem/tmpfs", "kernel" or "page cache";
	 * a static string; NULL for the other kinds */
	const char *what;
	int32_t oom_score_adj;
	/* rss + swap + page tables at the first kill (summed over a tree's or a cgroup's
	 * processes); for non-process, the bytes of that memory */
	uint64_t memory_bytes;
	double share; /* memory_bytes / the domain's limit */
	/* ran the kernel's OOM killer at some kill (a tree or cgroup: one of its processes did);
	 * a signal kill's sender is not a trigger */
	bool was_trigger;
	/* a kill took it (a tree or cgroup: one of its processes): as the victim, or as a process
	 * sharing the victim's memory */
	bool was_killed;
	/* Named by its growth over the history window rather than by its size at the first kill
	 * (docs/verdict.md, "History"). */
	bool by_growth;
	int growth_row; /* its row in ow_verdict.growth.rows, -1 when none */
	size_t n_reasons;
	char **reasons; /* owned; one line each, for people */
};

/* The whole verdict on an incident. */
struct ow_verdict {
	size_t n_kills;
	struct ow_kill_analysis *kills; /* owned; one per incident kill, same order */
	struct ow_culprit culprit;
	size_t n_shielded;
	int32_t *shielded_pids; /* owned; negative adj and a big share, biggest first */
	size_t n_innocent;
	int32_t *innocent_pids; /* owned; innocent victims in kill order */
	bool partial; /* rests on incomplete data (lost events, partial snapshots, missed kills) */
	struct ow_growth_analysis growth; /* growth.available false without history */
	char *summary; /* owned; one or two sentences naming the culprit */
};

/*
 * Judges an incident. Fills *ret_verdict, which the caller clears with ow_verdict_clear().
 * Returns 0 or -ENOMEM. The verdict borrows strings from inc: keep inc alive while using it.
 */
int ow_verdict_compute(const struct ow_incident *inc, const struct ow_verdict_config *cfg,
		       struct ow_verdict *ret_verdict);

void ow_verdict_clear(struct ow_verdict *v);

/*
 * Whether a verdict on inc rests on incomplete data (docs/verdict.md, rule 7): a kill's
 * snapshot is partial or was skipped (OW_KILL_SNAPSHOT_SKIPPED), ring-buffer records were
 * lost, or the recorder was not running for some OOM kills while the incident was open
 * (missed_kills). What ow_verdict_compute() stores in verdict.partial; renderers without a
 * verdict ask this instead.
 */
bool ow_verdict_partial(const struct ow_incident *inc);

#endif
