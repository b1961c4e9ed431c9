/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sampler ring (see sampler_ring.h).
 *
 * The arena is a byte ring of frames written in order; a frame that does not fit before the
 * arena's end starts again at offset 0, and the oldest frames are evicted until its bytes are
 * free. A frame index (a circular array of descriptors) keeps the frames' offsets in order.
 * Frames are composed in a scratch buffer first, so a frame is committed whole or not at all.
 *
 * Extraction replays the frames from a keyframe at or before the range, twice: once to measure
 * each process (size, growth, membership of the domain) and choose the series, once to fill
 * them.
 */
#include "capture/sampler_ring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OW_RING_CMDLINE_MAX 192
#define OW_RING_CGROUP_PATH_MAX 384
#define OW_FRAME_KEY 1u
#define OW_ENTRY_GONE 1u
#define OW_NONE (-1)
#define OW_CGROUP_IN_RANGE (-2) /* replay: a cgroup slot named by a frame of the range */

struct frame_header {
	uint64_t seq;
	uint64_t real_ns;
	uint64_t mono_ns;
	uint32_t n_cgroups;
	uint32_t n_procs;
	uint32_t flags; /* OW_FRAME_KEY */
	uint32_t bytes; /* the whole frame, header included */
	struct ow_system_sample sys;
};

struct cgroup_entry {
	uint32_t slot; /* index into ring->cgroups */
	uint32_t pad;
	struct ow_cgroup_sample sample;
};

/* A process's values in pages (kibibytes for page tables): 4 TiB per field is enough. */
struct proc_entry {
	uint32_t ident;
	uint16_t flags; /* OW_ENTRY_GONE */
	int16_t oom_score_adj;
	uint32_t anon_pages;
	uint32_t file_pages;
	uint32_t shmem_pages;
	uint32_t swap_pages;
	uint32_t pgtables_kib;
};

struct ident {
	bool used;
	bool live; /* seen at the last tick */
	int32_t next; /* hash chain */
	int32_t pid;
	int32_t ppid;
	uint64_t start_mono_ns;
	uint64_t cgroup_id;
	uint64_t seen_seq; /* last tick it was seen */
	uint64_t last_ref_seq; /* last frame with an entry of it */
	char comm[OW_COMM_LEN];
	struct proc_entry last; /* the values of its last entry */
	/* Last: a tick reads the fields above for every process, this only for new ones. */
	char cmdline[OW_RING_CMDLINE_MAX]; /* "" when unknown */
};

struct cgroup_slot {
	bool used;
	uint64_t id;
	uint64_t last_seq; /* last frame that named it */
	char path[OW_RING_CGROUP_PATH_MAX];
};

struct frame_desc {
	size_t offset;
	uint32_t bytes;
	bool key;
	uint64_t seq;
	uint64_t real_ns;
};

struct ow_sampler_ring {
	struct ow_sampler_ring_config cfg;
	uint64_t page_size;

	unsigned char *arena;
	size_t head; /* where the next frame goes */
	size_t arena_used;

	struct frame_desc *frames;
	size_t frames_cap;
	size_t first; /* index of the oldest */
	size_t n_frames;

	struct ident *idents;
	int32_t *buckets;
	size_t n_buckets; /* a power of two */
	int32_t *free_idents;
	size_t n_free_idents;
	size_t n_idents_used;
	int32_t *live_prev;
	size_t n_live_prev;
	size_t prev_cursor; /* where in live_prev this tick's next process is expected */
	int32_t *live_cur;
	size_t n_live_cur;

	struct cgroup_slot *cgroups;
	int32_t *cgroup_index; /* open addressing over slots, by id */
	size_t cgroup_index_size; /* a power of two */

	unsigned char *scratch;
	size_t scratch_cap;
	size_t scratch_len;
	bool in_tick;
	bool tick_key;
	uint64_t next_seq;
	size_t frames_since_key;

	struct ow_sampler_ring_stats stats;
};

void ow_sampler_ring_config_default(struct ow_sampler_ring_config *cfg, uint64_t interval_ns,
				    uint64_t window_ns, size_t arena_bytes)
{
	cfg->interval_ns = interval_ns;
	cfg->window_ns = window_ns;
	cfg->arena_bytes = arena_bytes;
	cfg->max_processes = 16384;
	cfg->max_cgroups = 1024;
	cfg->keyframe_every = 60;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/*
 * Allocates zeroed memory and touches every page, so that it is resident (and, under
 * mlockall(), locked) from here on rather than faulted in at the first sample. Not calloc():
 * it may hand out untouched zero pages.
 */
static void *alloc_touched(size_t n, size_t size)
{
	size_t bytes = (n ? n : 1) * size;
	void *p = malloc(bytes);

	if (p)
		memset(p, 0, bytes);
	return p;
}

int ow_sampler_ring_new(const struct ow_sampler_ring_config *cfg, struct ow_sampler_ring **ret)
{
	struct ow_sampler_ring *r;
	size_t frames_kept;

	if (!cfg->interval_ns || !cfg->max_processes || !cfg->max_cgroups || !cfg->keyframe_every ||
	    cfg->max_processes > INT32_MAX / 2)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->cfg = *cfg;
	r->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	/* The window, five more minutes for a storm and the tail after it, and a keyframe span. */
	frames_kept = (size_t)((cfg->window_ns + 300ULL * 1000000000ULL) / cfg->interval_ns) +
		      cfg->keyframe_every + 2;
	r->frames_cap = frames_kept;
	r->n_buckets = pow2_at_least(cfg->max_processes * 2);
	r->cgroup_index_size = pow2_at_least(cfg->max_cgroups * 2);
	r->scratch_cap = sizeof(struct frame_header) +
			 cfg->max_cgroups * sizeof(struct cgroup_entry) +
			 2 * cfg->max_processes * sizeof(struct proc_entry);
	r->arena = alloc_touched(cfg->arena_bytes, 1);
	r->frames = alloc_touched(r->frames_cap, sizeof(*r->frames));
	r->idents = alloc_touched(cfg->max_processes, sizeof(*r->idents));
	r->buckets = alloc_touched(r->n_buckets, sizeof(*r->buckets));
	r->free_idents = alloc_touched(cfg->max_processes, sizeof(*r->free_idents));
	r->live_prev = alloc_touched(cfg->max_processes, sizeof(*r->live_prev));
	r->live_cur = alloc_touched(cfg->max_processes, sizeof(*r->live_cur));
	r->cgroups = alloc_touched(cfg->max_cgroups, sizeof(*r->cgroups));
	r->cgroup_index = alloc_touched(r->cgroup_index_size, sizeof(*r->cgroup_index));
	r->scratch = alloc_touched(r->scratch_cap, 1);
	if (!r->arena || !r->frames || !r->idents || !r->buckets || !r->free_idents ||
	    !r->live_prev || !r->live_cur || !r->cgroups || !r->cgroup_index || !r->scratch) {
		ow_sampler_ring_free(r);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->n_buckets; i++)
		r->buckets[i] = OW_NONE;
	for (size_t i = 0; i < r->cgroup_index_size; i++)
		r->cgroup_index[i] = OW_NONE;
	/* Free identities are handed out from the end: lowest indexes first. */
	for (size_t i = 0; i < cfg->max_processes; i++)
		r->free_idents[i] = (int32_t)(cfg->max_processes - 1 - i);
	r->n_free_idents = cfg->max_processes;
	r->next_seq = 1;
	*ret = r;
	return 0;
}

void ow_sampler_ring_free(struct ow_sampler_ring *r)
{
	if (!r)
		return;
	free(r->arena);
	free(r->frames);
	free(r->idents);
	free(r->buckets);
	free(r->free_idents);
	free(r->live_prev);
	free(r->live_cur);
	free(r->cgroups);
	free(r->cgroup_index);
	free(r->scratch);
	free(r);
}

/* ---- frames ---------------------------------------------------------------------------- */

static struct frame_desc *frame_at(const struct ow_sampler_ring *r, size_t i)
{
	return &r->frames[(r->first + i) % r->frames_cap];
}

static bool has_keyframe(const struct ow_sampler_ring *r)
{
	for (size_t i = 0; i < r->n_frames; i++)
		if (frame_at(r, i)->key)
			return true;
	return false;
}

static uint64_t oldest_seq(const struct ow_sampler_ring *r)
{
	return r->n_frames ? frame_at(r, 0)->seq : r->next_seq;
}

static void evict_oldest(struct ow_sampler_ring *r)
{
	struct frame_desc *f = frame_at(r, 0);

	r->arena_used -= f->bytes;
	r->first = (r->first + 1) % r->frames_cap;
	r->n_frames--;
}

static bool overlaps_live_frame(const struct ow_sampler_ring *r, size_t start, size_t bytes)
{
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct frame_desc *f = frame_at(r, i);

		if (f->offset < start + bytes && start < f->offset + f->bytes)
			return true;
	}
	return false;
}

/* Returns false when the frame is larger than the arena and was dropped. */
static bool commit_frame(struct ow_sampler_ring *r, const unsigned char *frame, size_t bytes,
			 uint64_t seq, uint64_t real_ns, bool key)
{
	struct frame_desc *f;
	/* Headers hold uint64_t and entries are 28 bytes: each frame starts 8-byte aligned. */
	size_t at = (r->head + _Alignof(struct frame_header) - 1) &
		    ~(_Alignof(struct frame_header) - 1);

	if (bytes > r->cfg.arena_bytes) {
		r->stats.frames_too_big++;
		return false;
	}
	if (at + bytes > r->cfg.arena_bytes)
		at = 0;
	while (r->n_frames && (r->n_frames == r->frames_cap || overlaps_live_frame(r, at, bytes)))
		evict_oldest(r);
	memcpy(r->arena + at, frame, bytes);
	f = &r->frames[(r->first + r->n_frames) % r->frames_cap];
	f->offset = at;
	f->bytes = (uint32_t)bytes;
	f->key = key;
	f->seq = seq;
	f->real_ns = real_ns;
	r->n_frames++;
	r->arena_used += bytes;
	r->head = at + bytes;
	r->stats.frames_written++;
	return true;
}

/* ---- cgroups --------------------------------------------------------------------------- */

static size_t hash_u64(uint64_t v, size_t size)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (size_t)v & (size - 1);
}

static int32_t cgroup_find(const struct ow_sampler_ring *r, uint64_t id)
{
	for (size_t i = hash_u64(id, r->cgroup_index_size);;
	     i = (i + 1) & (r->cgroup_index_size - 1)) {
		int32_t slot = r->cgroup_index[i];

		if (slot == OW_NONE)
			return OW_NONE;
		if (r->cgroups[slot].id == id)
			return slot;
	}
}

static void cgroup_index_insert(struct ow_sampler_ring *r, int32_t slot)
{
	size_t i = hash_u64(r->cgroups[slot].id, r->cgroup_index_size);

	while (r->cgroup_index[i] != OW_NONE)
		i = (i + 1) & (r->cgroup_index_size - 1);
	r->cgroup_index[i] = slot;
}

/* Frees cgroup slots no kept frame names, and rebuilds the index. */
static void cgroup_reclaim(struct ow_sampler_ring *r)
{
	uint64_t oldest = oldest_seq(r);

	for (size_t i = 0; i < r->cfg.max_cgroups; i++)
		if (r->cgroups[i].used && r->cgroups[i].last_seq < oldest)
			r->cgroups[i].used = false;
	for (size_t i = 0; i < r->cgroup_index_size; i++)
		r->cgroup_index[i] = OW_NONE;
	for (size_t i = 0; i < r->cfg.max_cgroups; i++)
		if (r->cgroups[i].used)
			cgroup_index_insert(r, (int32_t)i);
}

static int32_t cgroup_slot_for(struct ow_sampler_ring *r, const struct ow_cgroup_reading *c)
{
	int32_t slot = cgroup_find(r, c->id);
	bool reclaimed = false;

	if (slot != OW_NONE) {
		/* A renamed directory keeps its id: keep the newest path. */
		if (strcmp(r->cgroups[slot].path, c->path) != 0)
			snprintf(r->cgroups[slot].path, sizeof(r->cgroups[slot].path), "%s",
				 c->path);
		return slot;
	}
	for (;;) {
		for (size_t i = 0; i < r->cfg.max_cgroups; i++) {
			if (r->cgroups[i].used)
				continue;
			r->cgroups[i].used = true;
			r->cgroups[i].id = c->id;
			snprintf(r->cgroups[i].path, sizeof(r->cgroups[i].path), "%s", c->path);
			cgroup_index_insert(r, (int32_t)i);
			return (int32_t)i;
		}
		if (reclaimed)
			return OW_NONE;
		cgroup_reclaim(r);
		reclaimed = true;
	}
}

/* ---- identities ------------------------------------------------------------------------ */

static size_t ident_bucket(const struct ow_sampler_ring *r, int32_t pid, uint64_t start_mono_ns)
{
	return hash_u64((uint64_t)(uint32_t)pid * 0x9e3779b97f4a7c15ULL ^ start_mono_ns,
			r->n_buckets);
}

static int32_t ident_find(const struct ow_sampler_ring *r, int32_t pid, uint64_t start_mono_ns)
{
	for (int32_t i = r->buckets[ident_bucket(r, pid, start_mono_ns)]; i != OW_NONE;
	     i = r->idents[i].next)
		if (r->idents[i].pid == pid && r->idents[i].start_mono_ns == start_mono_ns)
			return i;
	return OW_NONE;
}

static void ident_unlink(struct ow_sampler_ring *r, int32_t idx)
{
	struct ident *id = &r->idents[idx];
	int32_t *link = &r->buckets[ident_bucket(r, id->pid, id->start_mono_ns)];

	while (*link != OW_NONE && *link != idx)
		link = &r->idents[*link].next;
	if (*link == idx)
		*link = id->next;
	id->used = false;
	r->free_idents[r->n_free_idents++] = idx;
	r->n_idents_used--;
}

/* Identities of processes gone whose last entry left the ring are free again. */
static void ident_reclaim(struct ow_sampler_ring *r)
{
	uint64_t oldest = oldest_seq(r);

	for (size_t i = 0; i < r->cfg.max_processes; i++) {
		struct ident *id = &r->idents[i];

		if (id->used && !id->live && id->last_ref_seq < oldest)
			ident_unlink(r, (int32_t)i);
	}
}

static int32_t ident_new(struct ow_sampler_ring *r, const struct ow_task_sample *t)
{
	struct ident *id;
	size_t b;
	int32_t idx;

	if (!r->n_free_idents)
		ident_reclaim(r);
	if (!r->n_free_idents)
		return OW_NONE;
	idx = r->free_idents[--r->n_free_idents];
	id = &r->idents[idx];
	memset(id, 0, sizeof(*id));
	id->used = true;
	id->pid = t->pid;
	id->start_mono_ns = t->start_mono_ns;
	b = ident_bucket(r, t->pid, t->start_mono_ns);
	id->next = r->buckets[b];
	r->buckets[b] = idx;
	r->n_idents_used++;
	return idx;
}

static uint32_t to_units(uint64_t bytes, uint64_t unit)
{
	uint64_t v = bytes / unit;

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* ---- one tick -------------------------------------------------------------------------- */

static void *scratch_append(struct ow_sampler_ring *r, size_t bytes)
{
	void *p;

	if (r->scratch_len + bytes > r->scratch_cap)
		return NULL;
	p = r->scratch + r->scratch_len;
	r->scratch_len += bytes;
	return p;
}

static struct frame_header *scratch_header(struct ow_sampler_ring *r)
{
	return (struct frame_header *)r->scratch;
}

void ow_sampler_ring_begin(struct ow_sampler_ring *r, uint64_t real_ns, uint64_t mono_ns,
			   const struct ow_system_sample *sys)
{
	struct frame_header *h = scratch_header(r);

	memset(h, 0, sizeof(*h));
	r->scratch_len = sizeof(*h);
	h->seq = r->next_seq;
	h->real_ns = real_ns;
	h->mono_ns = mono_ns;
	if (sys)
		h->sys = *sys;
	/* A keyframe on schedule, and when the last one has left the ring. */
	r->tick_key = r->frames_since_key + 1 >= r->cfg.keyframe_every || !has_keyframe(r);
	h->flags = r->tick_key ? OW_FRAME_KEY : 0;
	r->n_live_cur = 0;
	r->prev_cursor = 0;
	r->in_tick = true;
}

void ow_sampler_ring_add_cgroup(struct ow_sampler_ring *r, const struct ow_cgroup_reading *c)
{
	struct cgroup_entry *e;
	int32_t slot;

	if (!r->in_tick)
		return;
	slot = cgroup_slot_for(r, c);
	if (slot == OW_NONE || !(e = scratch_append(r, sizeof(*e)))) {
		r->stats.cgroups_untracked++;
		return;
	}
	e->slot = (uint32_t)slot;
	e->pad = 0;
	e->sample = c->sample;
	r->cgroups[slot].last_seq = scratch_header(r)->seq;
	scratch_header(r)->n_cgroups++;
}

static bool entry_values_equal(const struct proc_entry *a, const struct proc_entry *b)
{
	return a->oom_score_adj == b->oom_score_adj && a->anon_pages == b->anon_pages &&
	       a->file_pages == b->file_pages && a->shmem_pages == b->shmem_pages &&
	       a->swap_pages == b->swap_pages && a->pgtables_kib == b->pgtables_kib;
}

/*
 * The process's identity, looked for first where the last tick had it: the kernel lists
 * processes in the same order at every tick, so most are the next one of the last tick's
 * list (or the one after, past a process that exited). That reads the identities in order
 * instead of through the hash table, a cache miss or two less per process.
 */
static int32_t ident_expected(struct ow_sampler_ring *r, int32_t pid, uint64_t start_mono_ns)
{
	for (size_t k = 0; k < 2 && r->prev_cursor + k < r->n_live_prev; k++) {
		int32_t idx = r->live_prev[r->prev_cursor + k];
		const struct ident *id = &r->idents[idx];

		if (id->used && id->pid == pid && id->start_mono_ns == start_mono_ns) {
			r->prev_cursor += k + 1;
			return idx;
		}
	}
	return ident_find(r, pid, start_mono_ns);
}

static void add_task(struct ow_sampler_ring *r, const struct ow_task_sample *t,
		     ow_cmdline_lookup_fn cmdline, void *cmdline_ctx)
{
	struct frame_header *h = scratch_header(r);
	int32_t idx = ident_expected(r, t->pid, t->start_mono_ns);
	struct proc_entry v = { 0 }, *e;
	struct ident *id;
	bool is_new = false;

	if (idx == OW_NONE) {
		idx = ident_new(r, t);
		if (idx == OW_NONE) {
			r->stats.processes_untracked++;
			return;
		}
		is_new = true;
	}
	id = &r->idents[idx];
	if (id->seen_seq == h->seq)
		return; /* the iterator returned it twice */
	/* An exec changes comm and the command line: look it up again. */
	if (is_new || memcmp(id->comm, t->comm, sizeof(id->comm)) != 0) {
		const char *cl = cmdline ? cmdline(cmdline_ctx, t->pid, t->ppid) : NULL;

		memcpy(id->comm, t->comm, sizeof(id->comm));
		id->comm[sizeof(id->comm) - 1] = '\0';
		snprintf(id->cmdline, sizeof(id->cmdline), "%s", cl ? cl : "");
	}
	id->ppid = t->ppid;
	id->cgroup_id = t->cgroup_id;
	v.ident = (uint32_t)idx;
	v.oom_score_adj = (int16_t)t->oom_score_adj;
	v.anon_pages = to_units(t->anon_bytes, r->page_size);
	v.file_pages = to_units(t->file_bytes, r->page_size);
	v.shmem_pages = to_units(t->shmem_bytes, r->page_size);
	v.swap_pages = to_units(t->swap_bytes, r->page_size);
	v.pgtables_kib = to_units(t->pgtables_bytes, 1024);
	id->seen_seq = h->seq;
	if (r->n_live_cur < r->cfg.max_processes)
		r->live_cur[r->n_live_cur++] = idx;
	if (!is_new && id->live && !r->tick_key && entry_values_equal(&v, &id->last))
		goto out;
	e = scratch_append(r, sizeof(*e));
	if (!e) {
		r->stats.processes_untracked++;
		goto out;
	}
	*e = v;
	id->last = v;
	id->last_ref_seq = h->seq;
	h->n_procs++;
out:
	id->live = true;
}

void ow_sampler_ring_add_task(struct ow_sampler_ring *r, const struct ow_task_sample *t,
			      ow_cmdline_lookup_fn cmdline, void *cmdline_ctx)
{
	if (r->in_tick)
		add_task(r, t, cmdline, cmdline_ctx);
}

/* Processes seen at the last tick and not at this one went away: a tombstone each. */
static void add_tombstones(struct ow_sampler_ring *r)
{
	struct frame_header *h = scratch_header(r);
	int32_t *swap;

	for (size_t i = 0; i < r->n_live_prev; i++) {
		struct ident *id = &r->idents[r->live_prev[i]];
		struct proc_entry *e;

		if (!id->used || id->seen_seq == h->seq || !id->live)
			continue;
		id->live = false;
		e = scratch_append(r, sizeof(*e));
		if (!e)
			continue; /* still gone: the next keyframe leaves it out */
		memset(e, 0, sizeof(*e));
		e->ident = (uint32_t)r->live_prev[i];
		e->flags = OW_ENTRY_GONE;
		id->last_ref_seq = h->seq;
		h->n_procs++;
	}
	swap = r->live_prev;
	r->live_prev = r->live_cur;
	r->n_live_prev = r->n_live_cur;
	r->live_cur = swap;
	r->n_live_cur = 0;
	r->prev_cursor = 0;
}

void ow_sampler_ring_end(struct ow_sampler_ring *r)
{
	struct frame_header *h = scratch_header(r);

	if (!r->in_tick)
		return;
	add_tombstones(r);
	r->in_tick = false;
	h->bytes = (uint32_t)r->scratch_len;
	if (commit_frame(r, r->scratch, r->scratch_len, h->seq, h->real_ns, r->tick_key))
		r->frames_since_key = r->tick_key ? 0 : r->frames_since_key + 1;
	else
		/* Its changes and tombstones are lost: the next frame restates every process. */
		r->frames_since_key = r->cfg.keyframe_every;
	r->next_seq++;
}

void ow_sampler_ring_stats(const struct ow_sampler_ring *r, struct ow_sampler_ring_stats *ret)
{
	*ret = r->stats;
	ret->frames_kept = r->n_frames;
	ret->oldest_real_ns = r->n_frames ? frame_at(r, 0)->real_ns : 0;
	ret->newest_real_ns = r->n_frames ? frame_at(r, r->n_frames - 1)->real_ns : 0;
	ret->arena_used_bytes = r->arena_used;
	ret->processes_tracked = r->n_idents_used;
}

/* ---- extraction ------------------------------------------------------------------------ */

void ow_history_request_default(struct ow_history_request *req)
{
	memset(req, 0, sizeof(*req));
	req->top_by_memory = 10;
	req->top_by_growth = 10;
	req->max_processes = 64;
	req->max_cgroups = 16;
}

/* What a replay knows of a process at the current frame. */
struct replay_proc {
	bool present;
	struct proc_entry e;
};

/* Per process, over the range (pass 1). */
struct proc_measure {
	bool seen; /* present in at least one frame of the range */
	bool in_domain;
	bool chosen;
	uint64_t min_bytes; /* up to the first kill */
	uint64_t max_bytes;
	uint64_t at_kill_bytes; /* the last value at or before the first kill */
	uint32_t out; /* index in history->procs once chosen */
};

struct replay {
	const struct ow_sampler_ring *r;
	const struct ow_history_request *req;
	size_t start; /* frame index of the keyframe the replay starts at */
	size_t end; /* one past the last frame in the range */
	struct replay_proc *cur; /* by identity */
	struct proc_measure *m; /* by identity */
	/* by cgroup slot: index in history->cgroups, OW_CGROUP_IN_RANGE or OW_NONE */
	int32_t *cgroup_out;
	int32_t *chosen; /* scratch of req->max_processes identities */
};

static const struct frame_header *frame_header_at(const struct ow_sampler_ring *r, size_t i)
{
	return (const struct frame_header *)(r->arena + frame_at(r, i)->offset);
}

static const struct cgroup_entry *frame_cgroups(const struct frame_header *h)
{
	return (const struct cgroup_entry *)(h + 1);
}

static const struct proc_entry *frame_procs(const struct frame_header *h)
{
	return (const struct proc_entry *)(frame_cgroups(h) + h->n_cgroups);
}

static uint64_t entry_memory_bytes(const struct ow_sampler_ring *r, const struct proc_entry *e)
{
	return ((uint64_t)e->anon_pages + e->file_pages + e->shmem_pages + e->swap_pages) *
		       r->page_size +
	       (uint64_t)e->pgtables_kib * 1024;
}

static bool frame_in_range(const struct replay *rp, const struct frame_header *h)
{
	return h->real_ns >= rp->req->from_ns && h->real_ns <= rp->req->to_ns;
}

/* Applies a frame's entries to the replay state. A keyframe restates every live process. */
static void replay_apply(struct replay *rp, const struct frame_header *h)
{
	const struct proc_entry *e = frame_procs(h);

	if (h->flags & OW_FRAME_KEY)
		for (size_t i = 0; i < rp->r->cfg.max_processes; i++)
			rp->cur[i].present = false;
	for (uint32_t i = 0; i < h->n_procs; i++) {
		struct replay_proc *p = &rp->cur[e[i].ident];

		p->present = !(e[i].flags & OW_ENTRY_GONE);
		if (p->present)
			p->e = e[i];
	}
}

static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static const char *ident_cgroup_path(const struct ow_sampler_ring *r, const struct ident *id)
{
	int32_t slot = id->cgroup_id ? cgroup_find(r, id->cgroup_id) : OW_NONE;

	return slot == OW_NONE ? NULL : r->cgroups[slot].path;
}

static void measure_one(struct replay *rp, size_t i, const struct frame_header *h)
{
	struct proc_measure *m = &rp->m[i];
	uint64_t bytes = entry_memory_bytes(rp->r, &rp->cur[i].e);

	if (!m->seen) {
		const char *cg = ident_cgroup_path(rp->r, &rp->r->idents[i]);

		m->seen = true;
		m->in_domain =
			!rp->req->domain_cgroup || (cg && path_within(cg, rp->req->domain_cgroup));
		m->min_bytes = m->max_bytes = m->at_kill_bytes = bytes;
		return;
	}
	if (h->real_ns > rp->req->first_kill_ns)
		return;
	if (bytes < m->min_bytes)
		m->min_bytes = bytes;
	if (bytes > m->max_bytes)
		m->max_bytes = bytes;
	m->at_kill_bytes = bytes;
}

/* Pass 1: each process's size and growth over the range. */
static size_t replay_measure(struct replay *rp)
{
	size_t n_times = 0;
	bool started = false;

	for (size_t f = rp->start; f < rp->end; f++) {
		const struct frame_header *h = frame_header_at(rp->r, f);
		const struct cgroup_entry *ce = frame_cgroups(h);
		const struct proc_entry *e = frame_procs(h);

		replay_apply(rp, h);
		if (!frame_in_range(rp, h))
			continue;
		n_times++;
		for (uint32_t i = 0; i < h->n_cgroups; i++)
			rp->cgroup_out[ce[i].slot] = OW_CGROUP_IN_RANGE;
		if (!started || (h->flags & OW_FRAME_KEY)) {
			for (size_t i = 0; i < rp->r->cfg.max_processes; i++)
				if (rp->cur[i].present)
					measure_one(rp, i, h);
			started = true;
			continue;
		}
		for (uint32_t i = 0; i < h->n_procs; i++)
			if (rp->cur[e[i].ident].present)
				measure_one(rp, e[i].ident, h);
	}
	return n_times;
}

struct ranked {
	int32_t ident;
	uint64_t key;
};

static int ranked_desc(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return x->ident - y->ident;
}

/* Chooses up to max identities of the ranking (highest key first) whose key is above 0. */
static void choose_top(struct replay *rp, struct ranked *rank, size_t n, size_t max,
		       size_t *n_chosen, size_t cap)
{
	qsort(rank, n, sizeof(*rank), ranked_desc);
	for (size_t i = 0, taken = 0; i < n && taken < max && *n_chosen < cap; i++) {
		if (rank[i].key == 0)
			break;
		if (!rp->m[rank[i].ident].chosen) {
			rp->m[rank[i].ident].chosen = true;
			(*n_chosen)++;
		}
		taken++;
	}
}

static size_t choose_processes(struct replay *rp, struct ranked *rank)
{
	const struct ow_sampler_ring *r = rp->r;
	const struct ow_history_request *req = rp->req;
	size_t n = 0, chosen = 0, cap = req->max_processes, n_first;
	int32_t *first = rp->chosen;

	/* The given pids: victims and triggers. */
	for (size_t i = 0; i < r->cfg.max_processes && chosen < cap; i++) {
		if (!rp->m[i].seen)
			continue;
		for (size_t k = 0; k < req->n_pids; k++) {
			if (r->idents[i].pid == req->pids[k] && !rp->m[i].chosen) {
				rp->m[i].chosen = true;
				chosen++;
			}
		}
	}
	/* The biggest and the fastest growing of the domain. */
	for (size_t i = 0; i < r->cfg.max_processes; i++)
		if (rp->m[i].seen && rp->m[i].in_domain)
			rank[n++] = (struct ranked){ (int32_t)i, rp->m[i].max_bytes };
	choose_top(rp, rank, n, req->top_by_memory, &chosen, cap);
	for (size_t i = 0; i < n; i++) {
		const struct proc_measure *m = &rp->m[rank[i].ident];

		rank[i].key = m->at_kill_bytes > m->min_bytes ? m->at_kill_bytes - m->min_bytes : 0;
	}
	choose_top(rp, rank, n, req->top_by_growth, &chosen, cap);
	/*
	 * Other runs of a chosen command line in the same cgroup: a restarted process. Compared
	 * with the chosen ones only (at most cap), not with every identity: with 16,384 of them
	 * that was 33 million comparisons at 2,000 processes, 40 ms of a tick's CPU.
	 */
	n_first = 0;
	for (size_t k = 0; k < r->cfg.max_processes && n_first < cap; k++)
		if (rp->m[k].chosen)
			first[n_first++] = (int32_t)k;
	for (size_t i = 0; i < r->cfg.max_processes && chosen < cap; i++) {
		const struct ident *a = &r->idents[i];

		if (!rp->m[i].seen || rp->m[i].chosen || !a->cmdline[0])
			continue;
		for (size_t k = 0; k < n_first; k++) {
			const struct ident *b = &r->idents[first[k]];

			if (b->cgroup_id == a->cgroup_id && strcmp(a->cmdline, b->cmdline) == 0) {
				rp->m[i].chosen = true;
				chosen++;
				break;
			}
		}
	}
	/* The rest of the domain, biggest first, while there is room. */
	for (size_t i = 0; i < n; i++)
		rank[i].key = rp->m[rank[i].ident].max_bytes + 1;
	choose_top(rp, rank, n, cap, &chosen, cap);
	return chosen;
}

static void choose_cgroup(struct replay *rp, int32_t slot, size_t *n_chosen)
{
	/* Not a slot with no sample in the range: a removed cgroup whose path was reused. */
	if (slot == OW_NONE || rp->cgroup_out[slot] != OW_CGROUP_IN_RANGE ||
	    *n_chosen >= rp->req->max_cgroups)
		return;
	rp->cgroup_out[slot] = (int32_t)(*n_chosen)++;
}

static size_t choose_cgroups(struct replay *rp)
{
	const struct ow_sampler_ring *r = rp->r;
	const char *domain = rp->req->domain_cgroup ? rp->req->domain_cgroup : "/";
	size_t chosen = 0;

	/* The domain and its ancestors, root first. */
	for (size_t depth = 0; depth < 64; depth++) {
		bool any = false;

		for (size_t i = 0; i < r->cfg.max_cgroups; i++) {
			const char *p = r->cgroups[i].path;
			size_t slashes = 0;

			if (!r->cgroups[i].used || !path_within(domain, p))
				continue;
			for (const char *c = p; *c; c++)
				slashes += *c == '/';
			if (strcmp(p, "/") == 0)
				slashes = 0;
			if (slashes == depth) {
				choose_cgroup(rp, (int32_t)i, &chosen);
				any = true;
			}
		}
		if (!any && depth > 0)
			break;
	}
	for (size_t i = 0; i < r->cfg.max_processes; i++)
		if (rp->m[i].chosen && r->idents[i].cgroup_id)
			choose_cgroup(rp, cgroup_find(r, r->idents[i].cgroup_id), &chosen);
	return chosen;
}

static void entry_to_sample(const struct ow_sampler_ring *r, const struct proc_entry *e,
			    struct ow_proc_sample *s)
{
	s->present = true;
	s->oom_score_adj = e->oom_score_adj;
	s->anon_bytes = (uint64_t)e->anon_pages * r->page_size;
	s->file_bytes = (uint64_t)e->file_pages * r->page_size;
	s->shmem_bytes = (uint64_t)e->shmem_pages * r->page_size;
	s->swap_bytes = (uint64_t)e->swap_pages * r->page_size;
	s->pgtables_bytes = (uint64_t)e->pgtables_kib * 1024;
}

/* Creates the chosen series with their identities; cgroups in the order they were chosen. */
static int make_series(struct replay *rp, struct ow_history *h, size_t n_cgroups,
		       uint64_t real_minus_mono_ns)
{
	const struct ow_sampler_ring *r = rp->r;

	for (size_t i = 0; i < r->cfg.max_processes; i++) {
		const struct ident *id = &r->idents[i];
		struct ow_history_process *p;
		const char *cg;

		if (!rp->m[i].chosen)
			continue;
		p = ow_history_add_process(h);
		if (!p)
			return -ENOMEM;
		rp->m[i].out = (uint32_t)(h->n_procs - 1);
		p->pid = id->pid;
		p->ppid = id->ppid;
		memcpy(p->comm, id->comm, sizeof(p->comm));
		p->start_time_ns = id->start_mono_ns + real_minus_mono_ns;
		cg = ident_cgroup_path(r, id);
		if ((id->cmdline[0] && !(p->cmdline = strdup(id->cmdline))) ||
		    (cg && !(p->cgroup = strdup(cg))))
			return -ENOMEM;
	}
	for (size_t i = 0; i < n_cgroups; i++)
		if (!ow_history_add_cgroup(h))
			return -ENOMEM;
	for (size_t i = 0; i < r->cfg.max_cgroups; i++) {
		struct ow_history_cgroup *c;

		if (rp->cgroup_out[i] < 0)
			continue;
		c = &h->cgroups[rp->cgroup_out[i]];
		c->id = r->cgroups[i].id;
		c->path = strdup(r->cgroups[i].path);
		if (!c->path)
			return -ENOMEM;
	}
	return 0;
}

/* Pass 2: fills the chosen series, frame by frame. */
static void replay_fill(struct replay *rp, struct ow_history *h)
{
	size_t t = 0;

	for (size_t i = 0; i < rp->r->cfg.max_processes; i++)
		rp->cur[i].present = false;
	for (size_t f = rp->start; f < rp->end && t < h->n_times; f++) {
		const struct frame_header *fh = frame_header_at(rp->r, f);
		const struct cgroup_entry *ce = frame_cgroups(fh);

		replay_apply(rp, fh);
		if (!frame_in_range(rp, fh))
			continue;
		h->time_ns[t] = fh->real_ns;
		h->system[t] = fh->sys;
		for (size_t i = 0; i < rp->r->cfg.max_processes; i++)
			if (rp->m[i].chosen && rp->cur[i].present)
				entry_to_sample(rp->r, &rp->cur[i].e,
						&h->procs[rp->m[i].out].samples[t]);
		for (uint32_t i = 0; i < fh->n_cgroups; i++) {
			int32_t out = rp->cgroup_out[ce[i].slot];

			if (out >= 0) {
				h->cgroups[out].samples[t] = ce[i].sample;
				h->cgroups[out].samples[t].present = true;
			}
		}
		t++;
	}
}

int ow_sampler_ring_extract(const struct ow_sampler_ring *r, const struct ow_history_request *req,
			    struct ow_history **ret_history)
{
	struct replay rp = { .r = r, .req = req };
	struct ranked *rank = NULL;
	struct ow_history *h = NULL;
	const struct frame_header *last;
	bool found_key = false;
	size_t n_times, n_cgroups;
	int err = -ENOMEM;

	/* Start at the newest keyframe at or before the range; else at the oldest keyframe. */
	rp.end = 0;
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct frame_desc *f = frame_at(r, i);

		if (f->real_ns > req->to_ns)
			break;
		rp.end = i + 1;
		if (f->key && (!found_key || f->real_ns <= req->from_ns)) {
			rp.start = i;
			found_key = true;
		}
	}
	if (!found_key || rp.end <= rp.start)
		return -ENOENT;
	rp.cur = calloc(r->cfg.max_processes, sizeof(*rp.cur));
	rp.m = calloc(r->cfg.max_processes, sizeof(*rp.m));
	rp.cgroup_out = malloc(r->cfg.max_cgroups * sizeof(*rp.cgroup_out));
	rank = malloc(r->cfg.max_processes * sizeof(*rank));
	rp.chosen = malloc((req->max_processes ? req->max_processes : 1) * sizeof(*rp.chosen));
	if (!rp.cur || !rp.m || !rp.cgroup_out || !rank || !rp.chosen)
		goto out;
	for (size_t i = 0; i < r->cfg.max_cgroups; i++)
		rp.cgroup_out[i] = OW_NONE;

	n_times = replay_measure(&rp);
	if (n_times == 0) {
		err = -ENOENT;
		goto out;
	}
	choose_processes(&rp, rank);
	n_cgroups = choose_cgroups(&rp);
	h = ow_history_new(n_times);
	if (!h)
		goto out;
	h->interval_ns = r->cfg.interval_ns;
	h->window_ns = req->window_ns;
	last = frame_header_at(r, rp.end - 1);
	err = make_series(&rp, h, n_cgroups, last->real_ns - last->mono_ns);
	if (err < 0)
		goto out;
	replay_fill(&rp, h);
	h->truncated = h->time_ns[0] > req->from_ns + r->cfg.interval_ns;
	*ret_history = h;
	h = NULL;
	err = 0;
out:
	ow_history_free(h);
	free(rp.cur);
	free(rp.m);
	free(rp.cgroup_out);
	free(rp.chosen);
	free(rank);
	return err;
}
