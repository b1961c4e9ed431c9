/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the sampler ring (src/capture/sampler_ring.c) on synthetic ticks: a "world" of
 * tasks, cgroups and a system sample is fed to begin/add_cgroup/add_tasks/end once per tick,
 * with a fake command-line lookup, and histories are cut out of the ring and compared with
 * what was fed, value by value. Tick k happens at REAL0 + k * interval (CLOCK_MONOTONIC
 * MONO0 + k * interval); a task started at "start_s" seconds of CLOCK_MONOTONIC.
 *
 * Covered: exact round trips, delta encoding (idle processes between keyframes), exits,
 * starts, pid reuse, eviction (small arena, full frame index, frames too big), the identity
 * table (full, reclaimed), the choice of processes and cgroups, ranges, exec, stats, and a
 * 2,000-process, 700-tick run whose arena size is printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/sampler_ring.h"

/* The ring keeps pages of the running kernel: values are multiples of it (or of 64 KiB). */
#define PAGE ((uint64_t)sysconf(_SC_PAGESIZE))
#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)
#define SEC 1000000000ull
#define REAL0 (1700000000ull * SEC)
#define MONO0 (5000ull * SEC)
/* Unix ns of a process that started at start_s seconds of CLOCK_MONOTONIC. */
#define START_REAL(start_s) ((start_s)*SEC + REAL0 - MONO0)

#define MAX_TASKS 2048
#define MAX_CGROUPS 8
#define MAX_CMDLINES 16

/* Cgroup ids (directory inodes) of the default tree. */
#define CG_ROOT 11
#define CG_A 12
#define CG_A_B 13
#define CG_AB 14
#define CG_C 15

struct cmdline_entry {
	int32_t pid;
	const char *cmdline;
};

struct world {
	struct ow_sampler_ring *r;
	struct ow_sampler_ring_config cfg;
	struct ow_history *h; /* the last extraction, freed by the teardown */
	uint64_t ticks; /* ticks fed so far */
	struct ow_task_sample *tasks;
	size_t n_tasks;
	struct ow_cgroup_reading cgroups[MAX_CGROUPS];
	size_t n_cgroups;
	struct cmdline_entry cmdlines[MAX_CMDLINES];
	size_t n_cmdlines;
	unsigned int lookups; /* calls of the fake lookup */
	unsigned int lookups_of[1024]; /* by pid, for pids below 1024 */
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	w->tasks = calloc(MAX_TASKS, sizeof(*w->tasks));
	if (!w->tasks) {
		free(w);
		return -1;
	}
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	ow_history_free(w->h);
	ow_sampler_ring_free(w->r);
	free(w->tasks);
	free(w);
	return 0;
}

/* interval 1 s, window 60 s, 1 MiB, 64 processes, 16 cgroups, a keyframe every 5 frames. */
static void cfg_small(struct ow_sampler_ring_config *cfg)
{
	ow_sampler_ring_config_default(cfg, SEC, 60 * SEC, MIB);
	cfg->max_processes = 64;
	cfg->max_cgroups = 16;
	cfg->keyframe_every = 5;
}

static void start(struct world *w, const struct ow_sampler_ring_config *cfg)
{
	w->cfg = *cfg;
	assert_int_equal(ow_sampler_ring_new(cfg, &w->r), 0);
}

static uint64_t real_at(const struct world *w, uint64_t k)
{
	return REAL0 + k * w->cfg.interval_ns;
}

static const char *fake_cmdline(void *ctx, int32_t pid, int32_t ppid)
{
	struct world *w = ctx;

	(void)ppid;
	w->lookups++;
	if (pid >= 0 && pid < 1024)
		w->lookups_of[pid]++;
	for (size_t i = 0; i < w->n_cmdlines; i++)
		if (w->cmdlines[i].pid == pid)
			return w->cmdlines[i].cmdline;
	return NULL;
}

static void cmdline_set(struct world *w, int32_t pid, const char *cmdline)
{
	for (size_t i = 0; i < w->n_cmdlines; i++) {
		if (w->cmdlines[i].pid == pid) {
			w->cmdlines[i].cmdline = cmdline;
			return;
		}
	}
	assert_true(w->n_cmdlines < MAX_CMDLINES);
	w->cmdlines[w->n_cmdlines++] = (struct cmdline_entry){ pid, cmdline };
}

/* The system at tick k: every field distinct and tick-dependent. */
static void sys_at(uint64_t k, struct ow_system_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->present = true;
	s->mem_total_bytes = 16 * GIB;
	s->mem_available_bytes = 8 * GIB - k * PAGE;
	s->swap_total_bytes = 2 * GIB;
	s->swap_free_bytes = 2 * GIB - k * MIB;
	s->psi_known = true;
	s->psi_some_avg10_centi = (uint32_t)(100 + k);
	s->psi_full_avg10_centi = (uint32_t)(50 + k);
	s->psi_some_total_us = 1000000 + k * 7;
	s->psi_full_total_us = 500000 + k * 3;
}

static void assert_sys_equal(const struct ow_system_sample *got, uint64_t k)
{
	struct ow_system_sample want;

	sys_at(k, &want);
	assert_true(got->present);
	assert_int_equal(got->mem_total_bytes, want.mem_total_bytes);
	assert_int_equal(got->mem_available_bytes, want.mem_available_bytes);
	assert_int_equal(got->swap_total_bytes, want.swap_total_bytes);
	assert_int_equal(got->swap_free_bytes, want.swap_free_bytes);
	assert_true(got->psi_known);
	assert_int_equal(got->psi_some_avg10_centi, want.psi_some_avg10_centi);
	assert_int_equal(got->psi_full_avg10_centi, want.psi_full_avg10_centi);
	assert_int_equal(got->psi_some_total_us, want.psi_some_total_us);
	assert_int_equal(got->psi_full_total_us, want.psi_full_total_us);
}

static struct ow_cgroup_reading *cgroup_add(struct world *w, uint64_t id, const char *path,
					    uint64_t usage, uint64_t limit)
{
	struct ow_cgroup_reading *c;

	assert_true(w->n_cgroups < MAX_CGROUPS);
	c = &w->cgroups[w->n_cgroups++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->path = path;
	c->sample.present = true;
	c->sample.usage_bytes = usage;
	c->sample.limit_bytes = limit;
	c->sample.anon_bytes = usage / 2;
	c->sample.file_bytes = usage / 4;
	c->sample.shmem_bytes = usage / 8;
	c->sample.kernel_bytes = usage / 16;
	c->sample.sock_bytes = usage / 32;
	return c;
}

/* "/", "/a", "/a/b", "/ab", "/c": the root unlimited, the others with limits. */
static void cgroups_default(struct world *w)
{
	cgroup_add(w, CG_ROOT, "/", 4 * GIB, OW_LIMIT_NONE);
	cgroup_add(w, CG_A, "/a", 2 * GIB, 3 * GIB);
	cgroup_add(w, CG_A_B, "/a/b", 1 * GIB, 1536 * MIB);
	cgroup_add(w, CG_AB, "/ab", 256 * MIB, 512 * MIB);
	cgroup_add(w, CG_C, "/c", 128 * MIB, OW_LIMIT_NONE);
}

static struct ow_task_sample *task_add(struct world *w, int32_t pid, uint64_t start_s,
				       uint64_t cgroup_id, const char *comm, uint64_t anon_bytes)
{
	struct ow_task_sample *t;

	assert_true(w->n_tasks < MAX_TASKS);
	t = &w->tasks[w->n_tasks++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->ppid = 1;
	t->cgroup_id = cgroup_id;
	t->start_mono_ns = start_s * SEC;
	t->anon_bytes = anon_bytes;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	return t;
}

static struct ow_task_sample *task_get(struct world *w, int32_t pid)
{
	for (size_t i = 0; i < w->n_tasks; i++)
		if (w->tasks[i].pid == pid)
			return &w->tasks[i];
	fail_msg("no task %d in the world", pid);
	return NULL;
}

static void task_remove(struct world *w, int32_t pid)
{
	struct ow_task_sample *t = task_get(w, pid);

	*t = w->tasks[--w->n_tasks];
}

static void tick(struct world *w)
{
	struct ow_system_sample sys;
	uint64_t k = w->ticks++;

	sys_at(k, &sys);
	ow_sampler_ring_begin(w->r, real_at(w, k), MONO0 + k * w->cfg.interval_ns, &sys);
	for (size_t i = 0; i < w->n_cgroups; i++)
		ow_sampler_ring_add_cgroup(w->r, &w->cgroups[i]);
	for (size_t i = 0; i < w->n_tasks; i++)
		ow_sampler_ring_add_task(w->r, &w->tasks[i], fake_cmdline, w);
	ow_sampler_ring_end(w->r);
}

/* The whole-world request for ticks [from, to]: first kill at "to". */
static void request(const struct world *w, struct ow_history_request *req, uint64_t from,
		    uint64_t to)
{
	ow_history_request_default(req);
	req->from_ns = real_at(w, from);
	req->to_ns = real_at(w, to);
	req->first_kill_ns = req->to_ns;
	req->window_ns = req->to_ns - req->from_ns;
}

static struct ow_history *extract(struct world *w, const struct ow_history_request *req)
{
	ow_history_free(w->h);
	w->h = NULL;
	assert_int_equal(ow_sampler_ring_extract(w->r, req, &w->h), 0);
	assert_non_null(w->h);
	return w->h;
}

static const struct ow_history_process *find_proc(const struct ow_history *h, int32_t pid,
						  uint64_t start_s)
{
	for (size_t i = 0; i < h->n_procs; i++)
		if (h->procs[i].pid == pid && h->procs[i].start_time_ns == START_REAL(start_s))
			return &h->procs[i];
	return NULL;
}

static const struct ow_history_process *must_find_proc(const struct ow_history *h, int32_t pid,
						       uint64_t start_s)
{
	const struct ow_history_process *p = find_proc(h, pid, start_s);

	if (!p)
		fail_msg("no series for pid %d started at %llu s", pid,
			 (unsigned long long)start_s);
	return p;
}

static const struct ow_history_cgroup *find_cgroup(const struct ow_history *h, const char *path)
{
	for (size_t i = 0; i < h->n_cgroups; i++)
		if (strcmp(h->cgroups[i].path, path) == 0)
			return &h->cgroups[i];
	return NULL;
}

/* The time axis is ticks first..first+n_times-1, one interval apart. */
static void assert_times(const struct world *w, const struct ow_history *h, uint64_t first,
			 size_t n_times)
{
	assert_int_equal(h->n_times, n_times);
	for (size_t t = 0; t < n_times; t++) {
		assert_int_equal(h->time_ns[t], real_at(w, first + t));
		assert_sys_equal(&h->system[t], first + t);
	}
}

/* Sample t of p: absent, or present with anon_bytes (and nothing else set). */
static void assert_anon(const struct ow_history_process *p, size_t t, bool present,
			uint64_t anon_bytes)
{
	if (p->samples[t].present != present)
		fail_msg("pid %d sample %zu: present %d, want %d", p->pid, t, p->samples[t].present,
			 present);
	if (present && p->samples[t].anon_bytes != anon_bytes)
		fail_msg("pid %d sample %zu: anon %llu, want %llu", p->pid, t,
			 (unsigned long long)p->samples[t].anon_bytes,
			 (unsigned long long)anon_bytes);
}

/* The pids of the history's series, sorted, must be exactly want[0..n). */
static void assert_pids(const struct ow_history *h, const int32_t *want, size_t n)
{
	int32_t got[64];

	if (h->n_procs != n)
		fail_msg("%zu series, want %zu", h->n_procs, n);
	for (size_t i = 0; i < n; i++)
		got[i] = h->procs[i].pid;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && got[j - 1] > got[j]; j--) {
			int32_t x = got[j];

			got[j] = got[j - 1];
			got[j - 1] = x;
		}
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("series %zu (sorted) is pid %d, want %d", i, got[i], want[i]);
}

/* ---- round trips --------------------------------------------------------------------------- */

static void set_p1(struct ow_task_sample *t, uint64_t k)
{
	t->oom_score_adj = -1000;
	t->anon_bytes = 64 * GIB + (1000 + k) * PAGE; /* above 4 GiB: no 32-bit byte counts */
	t->file_bytes = (200 + 2 * k) * PAGE;
	t->shmem_bytes = 50 * PAGE;
	t->swap_bytes = 3 * k * PAGE;
	t->pgtables_bytes = (8 + k) * KIB;
}

static void set_cg_a_b(struct ow_cgroup_reading *c, uint64_t k)
{
	c->sample.usage_bytes = 1 * GIB + k * PAGE;
	c->sample.limit_bytes = 1536 * MIB;
	c->sample.anon_bytes = 600 * MIB + k;
	c->sample.file_bytes = 300 * MIB + 2 * k;
	c->sample.shmem_bytes = 10 * MIB + 3 * k;
	c->sample.kernel_bytes = 20 * MIB + 4 * k;
	c->sample.sock_bytes = 1 * MIB + 5 * k;
}

static void test_values_round_trip(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history_process *p1, *p2;
	const struct ow_history_cgroup *root, *ab;
	const struct ow_history *h;
	struct ow_task_sample *t;

	cfg_small(&cfg);
	cfg.keyframe_every = 3;
	start(w, &cfg);
	cgroup_add(w, CG_ROOT, "/", 4 * GIB, OW_LIMIT_NONE);
	cgroup_add(w, CG_A_B, "/a/b", 0, 0);
	t = task_add(w, 100, 100, CG_A_B, "postgres", 0);
	cmdline_set(w, 100, "postgres -D /var/lib/postgresql");
	t = task_add(w, 200, 150, 0, "worker", 1 * PAGE);
	t->ppid = 100;
	t->oom_score_adj = 1000;
	t->pgtables_bytes = 4 * KIB;
	for (uint64_t k = 0; k < 7; k++) {
		set_p1(task_get(w, 100), k);
		set_cg_a_b(&w->cgroups[1], k);
		tick(w);
	}

	request(w, &req, 0, 6);
	h = extract(w, &req);
	assert_int_equal(h->interval_ns, SEC);
	assert_int_equal(h->window_ns, 6 * SEC);
	assert_false(h->truncated);
	assert_times(w, h, 0, 7);
	assert_int_equal(h->n_procs, 2);

	p1 = must_find_proc(h, 100, 100);
	assert_int_equal(p1->ppid, 1);
	assert_string_equal(p1->comm, "postgres");
	assert_non_null(p1->cmdline);
	assert_string_equal(p1->cmdline, "postgres -D /var/lib/postgresql");
	assert_non_null(p1->cgroup);
	assert_string_equal(p1->cgroup, "/a/b");
	for (size_t k = 0; k < 7; k++) {
		const struct ow_proc_sample *s = &p1->samples[k];
		struct ow_task_sample want = { 0 };

		set_p1(&want, k);
		assert_true(s->present);
		assert_int_equal(s->oom_score_adj, -1000);
		assert_int_equal(s->anon_bytes, want.anon_bytes);
		assert_int_equal(s->file_bytes, want.file_bytes);
		assert_int_equal(s->shmem_bytes, want.shmem_bytes);
		assert_int_equal(s->swap_bytes, want.swap_bytes);
		assert_int_equal(s->pgtables_bytes, want.pgtables_bytes);
	}

	p2 = must_find_proc(h, 200, 150);
	assert_int_equal(p2->ppid, 100);
	assert_string_equal(p2->comm, "worker");
	assert_null(p2->cmdline);
	assert_null(p2->cgroup);
	for (size_t k = 0; k < 7; k++) {
		const struct ow_proc_sample *s = &p2->samples[k];

		assert_true(s->present);
		assert_int_equal(s->oom_score_adj, 1000);
		assert_int_equal(s->anon_bytes, PAGE);
		assert_int_equal(s->file_bytes, 0);
		assert_int_equal(s->shmem_bytes, 0);
		assert_int_equal(s->swap_bytes, 0);
		assert_int_equal(s->pgtables_bytes, 4 * KIB);
	}

	/* Global: the root, and the cgroup of a process. */
	assert_int_equal(h->n_cgroups, 2);
	root = &h->cgroups[0];
	assert_string_equal(root->path, "/");
	assert_int_equal(root->id, CG_ROOT);
	ab = find_cgroup(h, "/a/b");
	assert_non_null(ab);
	assert_int_equal(ab->id, CG_A_B);
	for (size_t k = 0; k < 7; k++) {
		struct ow_cgroup_reading want = { 0 };

		assert_true(root->samples[k].present);
		assert_int_equal(root->samples[k].usage_bytes, 4 * GIB);
		assert_int_equal(root->samples[k].limit_bytes, OW_LIMIT_NONE);
		set_cg_a_b(&want, k);
		assert_true(ab->samples[k].present);
		assert_int_equal(ab->samples[k].usage_bytes, want.sample.usage_bytes);
		assert_int_equal(ab->samples[k].limit_bytes, want.sample.limit_bytes);
		assert_int_equal(ab->samples[k].anon_bytes, want.sample.anon_bytes);
		assert_int_equal(ab->samples[k].file_bytes, want.sample.file_bytes);
		assert_int_equal(ab->samples[k].shmem_bytes, want.sample.shmem_bytes);
		assert_int_equal(ab->samples[k].kernel_bytes, want.sample.kernel_bytes);
		assert_int_equal(ab->samples[k].sock_bytes, want.sample.sock_bytes);
	}
}

/* A process that does not change between keyframes keeps its value in every sample. */
static void test_idle_process_kept_between_keyframes(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history_process *idle, *busy, *once;
	const struct ow_history *h;

	cfg_small(&cfg);
	cfg.keyframe_every = 10;
	start(w, &cfg);
	task_add(w, 1, 1, 0, "idle", 5000 * PAGE);
	task_add(w, 2, 2, 0, "busy", 0);
	task_add(w, 3, 3, 0, "once", 7 * PAGE);
	for (uint64_t k = 0; k < 25; k++) {
		task_get(w, 2)->anon_bytes = (100 + k) * PAGE;
		if (k == 12)
			task_get(w, 3)->anon_bytes = 9 * PAGE;
		tick(w);
	}

	request(w, &req, 0, 24);
	h = extract(w, &req);
	assert_times(w, h, 0, 25);
	idle = must_find_proc(h, 1, 1);
	busy = must_find_proc(h, 2, 2);
	once = must_find_proc(h, 3, 3);
	for (size_t k = 0; k < 25; k++) {
		assert_anon(idle, k, true, 5000 * PAGE);
		assert_anon(busy, k, true, (100 + k) * PAGE);
		assert_anon(once, k, true, (k < 12 ? 7 : 9) * PAGE);
	}

	/* From the middle of a keyframe span: the replay starts at the keyframe before it. */
	request(w, &req, 13, 22);
	h = extract(w, &req);
	assert_false(h->truncated);
	assert_times(w, h, 13, 10);
	idle = must_find_proc(h, 1, 1);
	busy = must_find_proc(h, 2, 2);
	once = must_find_proc(h, 3, 3);
	for (size_t t = 0; t < 10; t++) {
		assert_anon(idle, t, true, 5000 * PAGE);
		assert_anon(busy, t, true, (113 + t) * PAGE);
		assert_anon(once, t, true, 9 * PAGE);
	}
}

static void test_exit_and_start_mid_window(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history_process *gone, *born;
	const struct ow_history *h;

	cfg_small(&cfg);
	cfg.keyframe_every = 4;
	start(w, &cfg);
	task_add(w, 10, 10, 0, "gone", 10 * PAGE);
	for (uint64_t k = 0; k < 10; k++) {
		if (k == 3)
			task_add(w, 20, 20, 0, "born", 20 * PAGE);
		if (k == 5)
			task_remove(w, 10);
		tick(w);
	}

	request(w, &req, 0, 9);
	h = extract(w, &req);
	assert_times(w, h, 0, 10);
	assert_int_equal(h->n_procs, 2);
	gone = must_find_proc(h, 10, 10);
	born = must_find_proc(h, 20, 20);
	for (size_t k = 0; k < 10; k++) {
		assert_anon(gone, k, k < 5, 10 * PAGE);
		assert_anon(born, k, k >= 3, 20 * PAGE);
	}

	/* After its exit, the process is not in the history at all. */
	request(w, &req, 6, 9);
	h = extract(w, &req);
	assert_times(w, h, 6, 4);
	assert_int_equal(h->n_procs, 1);
	assert_null(find_proc(h, 10, 10));
	born = must_find_proc(h, 20, 20);
	for (size_t t = 0; t < 4; t++)
		assert_anon(born, t, true, 20 * PAGE);
}

/* A reused pid is another process: two series, never present at once. */
static void test_pid_reuse_two_series(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history_process *a, *b, *c, *d;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	task_add(w, 100, 10, 0, "first", 10 * PAGE);
	task_add(w, 101, 11, 0, "third", 30 * PAGE);
	for (uint64_t k = 0; k < 10; k++) {
		if (k == 4)
			task_remove(w, 100); /* a tick without pid 100 */
		if (k == 5) {
			/* pid 101 is reused between two ticks: no tick without it */
			task_remove(w, 101);
			task_add(w, 101, 60, 0, "fourth", 40 * PAGE);
			task_add(w, 100, 50, 0, "second", 20 * PAGE);
		}
		tick(w);
	}

	request(w, &req, 0, 9);
	h = extract(w, &req);
	assert_int_equal(h->n_procs, 4);
	a = must_find_proc(h, 100, 10);
	b = must_find_proc(h, 100, 50);
	c = must_find_proc(h, 101, 11);
	d = must_find_proc(h, 101, 60);
	assert_string_equal(a->comm, "first");
	assert_string_equal(b->comm, "second");
	assert_string_equal(c->comm, "third");
	assert_string_equal(d->comm, "fourth");
	for (size_t k = 0; k < 10; k++) {
		assert_anon(a, k, k < 4, 10 * PAGE);
		assert_anon(b, k, k >= 5, 20 * PAGE);
		assert_anon(c, k, k < 5, 30 * PAGE);
		assert_anon(d, k, k >= 5, 40 * PAGE);
	}

	/* Asked for by pid: both runs of the pid. */
	request(w, &req, 0, 9);
	req.domain_cgroup = "/nowhere";
	req.pids = (const int32_t[]){ 100 };
	req.n_pids = 1;
	h = extract(w, &req);
	assert_int_equal(h->n_procs, 2);
	assert_non_null(find_proc(h, 100, 10));
	assert_non_null(find_proc(h, 100, 50));
}

/* ---- eviction ------------------------------------------------------------------------------ */

/*
 * The eviction world: "idle" never changes, "busy" changes every tick (one entry per delta
 * frame: frames of odd sizes), "late" starts at tick 20, "early" exits at tick 30.
 */
static void eviction_world(struct world *w)
{
	task_add(w, 1, 1, 0, "idle", 111 * PAGE);
	task_add(w, 2, 2, 0, "busy", 0);
	task_add(w, 4, 4, 0, "early", 444 * PAGE);
}

static void eviction_tick(struct world *w)
{
	uint64_t k = w->ticks;

	if (k == 20)
		task_add(w, 3, 3, 0, "late", 333 * PAGE);
	if (k == 30)
		task_remove(w, 4);
	task_get(w, 2)->anon_bytes = (1000 + k) * PAGE;
	tick(w);
}

static void assert_eviction_world(const struct ow_history *h, uint64_t first)
{
	const struct ow_history_process *idle = must_find_proc(h, 1, 1);
	const struct ow_history_process *busy = must_find_proc(h, 2, 2);
	const struct ow_history_process *late = find_proc(h, 3, 3);
	const struct ow_history_process *early = find_proc(h, 4, 4);

	for (size_t t = 0; t < h->n_times; t++) {
		uint64_t k = first + t;

		assert_anon(idle, t, true, 111 * PAGE);
		assert_anon(busy, t, true, (1000 + k) * PAGE);
		if (late)
			assert_anon(late, t, k >= 20, 333 * PAGE);
		if (early)
			assert_anon(early, t, k < 30, 444 * PAGE);
	}
	assert_true(late || first + h->n_times <= 20);
	assert_true(early || first >= 30);
}

/* The arena bytes of the eviction world's keyframe at tick 0 and its delta frame at tick 1. */
static void eviction_frame_sizes(size_t keyframe_every, size_t *ret_key, size_t *ret_delta)
{
	struct world probe = { 0 };
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;

	probe.tasks = calloc(MAX_TASKS, sizeof(*probe.tasks));
	assert_non_null(probe.tasks);
	cfg_small(&cfg);
	cfg.keyframe_every = keyframe_every;
	start(&probe, &cfg);
	eviction_world(&probe);
	eviction_tick(&probe);
	ow_sampler_ring_stats(probe.r, &st);
	*ret_key = st.arena_used_bytes;
	eviction_tick(&probe);
	ow_sampler_ring_stats(probe.r, &st);
	*ret_delta = st.arena_used_bytes - *ret_key;
	ow_sampler_ring_free(probe.r);
	free(probe.tasks);
	assert_true(*ret_key > *ret_delta);
}

static void test_eviction_small_arena(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	size_t key, delta;
	uint64_t oldest, first_key;
	const struct ow_history *h;

	/* Room for two keyframe spans and a spare keyframe, whatever the frames' sizes. */
	eviction_frame_sizes(4, &key, &delta);
	cfg_small(&cfg);
	cfg.keyframe_every = 4;
	cfg.arena_bytes = 4 * key + 8 * delta;
	start(w, &cfg);
	eviction_world(w);
	for (int k = 0; k < 40; k++) {
		eviction_tick(w);
		ow_sampler_ring_stats(w->r, &st);
		assert_true(st.arena_used_bytes <= cfg.arena_bytes);
		assert_int_equal(st.newest_real_ns, real_at(w, (uint64_t)k));
	}
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.frames_written, 40);
	assert_int_equal(st.frames_too_big, 0);
	assert_true(st.frames_kept >= 8 && st.frames_kept < 40);
	assert_true(st.oldest_real_ns > REAL0);
	oldest = (st.oldest_real_ns - REAL0) / SEC;
	assert_int_equal(st.frames_kept, 40 - oldest);
	first_key = (oldest + 3) / 4 * 4; /* keyframes at ticks 0, 4, 8, ... */

	/* From before the oldest keyframe: cut from it, truncated. */
	request(w, &req, 0, 39);
	h = extract(w, &req);
	assert_true(h->truncated);
	assert_times(w, h, first_key, 40 - first_key);
	assert_eviction_world(h, first_key);

	/* From the delta frame after it: complete. */
	request(w, &req, first_key + 1, 39);
	h = extract(w, &req);
	assert_false(h->truncated);
	assert_times(w, h, first_key + 1, 39 - first_key);
	assert_eviction_world(h, first_key + 1);
}

/* More frames than the index holds: the oldest go, whatever the arena's room. */
static void test_frames_index_full(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	const struct ow_history *h;

	/* (window + 300 s) / interval + keyframe_every + 2 = 0 + 3 + 4 + 2 = 9 frames. */
	ow_sampler_ring_config_default(&cfg, 100 * SEC, 0, 4 * MIB);
	cfg.max_processes = 16;
	cfg.max_cgroups = 4;
	cfg.keyframe_every = 4;
	start(w, &cfg);
	eviction_world(w);
	for (int k = 0; k < 40; k++)
		eviction_tick(w);
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.frames_written, 40);
	assert_int_equal(st.frames_kept, 9);
	assert_int_equal(st.oldest_real_ns, real_at(w, 31));
	assert_int_equal(st.newest_real_ns, real_at(w, 39));

	request(w, &req, 0, 39);
	h = extract(w, &req);
	assert_true(h->truncated);
	assert_times(w, h, 32, 8);
	assert_eviction_world(h, 32);
	assert_int_equal(h->n_procs, 3);
}

/*
 * A frame bigger than the arena is dropped and counted; the changes and the exits it held
 * must not be lost for the frames after it (the next frame restates every process).
 */
static void test_frame_too_big_dropped(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	const struct ow_history *h;
	size_t key, delta;

	eviction_frame_sizes(100, &key, &delta);
	cfg_small(&cfg);
	cfg.max_processes = 128;
	cfg.keyframe_every = 100;
	cfg.arena_bytes = 6 * key; /* a keyframe of 3 is ~key; 80 more entries do not fit */
	start(w, &cfg);
	eviction_world(w); /* pids 1, 2, 4 */
	tick(w); /* 0: keyframe */
	tick(w); /* 1 */
	/* 2: pid 4 exits and 80 short-lived processes start: too big. */
	task_remove(w, 4);
	task_get(w, 1)->anon_bytes = 222 * PAGE;
	for (int32_t i = 0; i < 80; i++)
		task_add(w, 500 + i, 500, 0, "short", PAGE);
	tick(w);
	/* 3: they are gone again: 80 tombstones, too big. */
	w->n_tasks -= 80;
	tick(w);
	tick(w); /* 4, 5: small again */
	tick(w);
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.frames_too_big, 2);
	assert_int_equal(st.frames_written, 4);
	assert_int_equal(st.frames_kept, 4);

	request(w, &req, 0, 5);
	h = extract(w, &req);
	assert_int_equal(h->n_times, 4); /* ticks 0, 1, 4, 5 */
	assert_int_equal(h->time_ns[0], real_at(w, 0));
	assert_int_equal(h->time_ns[1], real_at(w, 1));
	assert_int_equal(h->time_ns[2], real_at(w, 4));
	assert_int_equal(h->time_ns[3], real_at(w, 5));
	assert_int_equal(h->n_procs, 3);
	assert_anon(must_find_proc(h, 1, 1), 1, true, 111 * PAGE);
	assert_anon(must_find_proc(h, 1, 1), 2, true, 222 * PAGE);
	assert_anon(must_find_proc(h, 1, 1), 3, true, 222 * PAGE);
	assert_anon(must_find_proc(h, 4, 4), 1, true, 444 * PAGE);
	assert_anon(must_find_proc(h, 4, 4), 2, false, 0);
	assert_anon(must_find_proc(h, 4, 4), 3, false, 0);
}

static void test_arena_smaller_than_a_frame(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	struct ow_history *h = NULL;

	cfg_small(&cfg);
	cfg.arena_bytes = 16;
	start(w, &cfg);
	eviction_world(w);
	tick(w);
	tick(w);
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.frames_too_big, 2);
	assert_int_equal(st.frames_written, 0);
	assert_int_equal(st.frames_kept, 0);
	assert_int_equal(st.arena_used_bytes, 0);
	request(w, &req, 0, 1);
	assert_int_equal(ow_sampler_ring_extract(w->r, &req, &h), -ENOENT);
	assert_null(h);
}

/* ---- identities ---------------------------------------------------------------------------- */

static void test_identity_table_full_and_reclaim(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	const struct ow_history_process *p5;
	const struct ow_history *h;

	/* 9 frames kept (see test_frames_index_full), 4 identities. */
	ow_sampler_ring_config_default(&cfg, 100 * SEC, 0, 4 * MIB);
	cfg.max_processes = 4;
	cfg.max_cgroups = 4;
	cfg.keyframe_every = 4;
	start(w, &cfg);
	for (int32_t pid = 1; pid <= 6; pid++) {
		task_add(w, pid, (uint64_t)pid, 0, "p", (uint64_t)pid * 10 * PAGE);
		cmdline_set(w, pid, pid == 5 ? "five" : "other");
	}
	for (uint64_t k = 0; k < 17; k++) {
		if (k == 3) {
			task_remove(w, 1);
			task_remove(w, 2);
		}
		task_get(w, 3)->anon_bytes = (300 + k) * PAGE;
		tick(w);
		ow_sampler_ring_stats(w->r, &st);
		assert_int_equal(st.processes_tracked, 4);
	}
	/*
	 * Pids 5 and 6 wait for room: the identities of 1 and 2 are free once their tombstones
	 * (tick 3) have left the ring, at tick 13. Until then both are counted at every tick.
	 */
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.processes_untracked, 2 * 13);

	request(w, &req, 13, 16);
	h = extract(w, &req);
	assert_false(h->truncated);
	assert_int_equal(h->n_procs, 4);
	for (size_t t = 0; t < 4; t++) {
		assert_anon(must_find_proc(h, 3, 3), t, true, (313 + t) * PAGE);
		assert_anon(must_find_proc(h, 4, 4), t, true, 40 * PAGE);
		assert_anon(must_find_proc(h, 5, 5), t, true, 50 * PAGE);
		assert_anon(must_find_proc(h, 6, 6), t, true, 60 * PAGE);
	}
	/* The reused identity carries the new process, not the old one. */
	p5 = must_find_proc(h, 5, 5);
	assert_non_null(p5->cmdline);
	assert_string_equal(p5->cmdline, "five");

	/* The whole ring: from the keyframe at tick 8; 5 and 6 appear at 13. */
	request(w, &req, 0, 16);
	h = extract(w, &req);
	assert_true(h->truncated);
	assert_times(w, h, 8, 9);
	assert_int_equal(h->n_procs, 4);
	for (size_t t = 0; t < 9; t++) {
		assert_anon(must_find_proc(h, 3, 3), t, true, (308 + t) * PAGE);
		assert_anon(must_find_proc(h, 4, 4), t, true, 40 * PAGE);
		assert_anon(must_find_proc(h, 5, 5), t, t >= 5, 50 * PAGE);
		assert_anon(must_find_proc(h, 6, 6), t, t >= 5, 60 * PAGE);
	}
}

/*
 * An exec changes comm: comm follows, the command line is looked up again, once. A process
 * moved to another cgroup is shown in its last one.
 */
static void test_comm_change_relooks_cmdline(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history_process *p, *q;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	cgroups_default(w);
	task_add(w, 500, 5, CG_A, "bash", 10 * PAGE);
	task_add(w, 501, 5, CG_A, "sleep", 1 * PAGE);
	cmdline_set(w, 500, "bash -c ./app.py");
	cmdline_set(w, 501, "sleep 100");
	for (uint64_t k = 0; k < 6; k++) {
		if (k == 3) {
			snprintf(task_get(w, 500)->comm, OW_COMM_LEN, "%s", "python3");
			cmdline_set(w, 500, "python3 ./app.py");
			task_get(w, 500)->anon_bytes = 30 * PAGE;
		}
		if (k == 4)
			task_get(w, 501)->cgroup_id = CG_C;
		tick(w);
	}
	assert_int_equal(w->lookups_of[500], 2);
	assert_int_equal(w->lookups_of[501], 1);
	assert_int_equal(w->lookups, 3);

	request(w, &req, 0, 5);
	h = extract(w, &req);
	p = must_find_proc(h, 500, 5);
	assert_string_equal(p->comm, "python3");
	assert_non_null(p->cmdline);
	assert_string_equal(p->cmdline, "python3 ./app.py");
	for (size_t k = 0; k < 6; k++)
		assert_anon(p, k, true, (k < 3 ? 10 : 30) * PAGE);
	assert_string_equal(p->cgroup, "/a");
	q = must_find_proc(h, 501, 5);
	assert_string_equal(q->comm, "sleep");
	assert_string_equal(q->cmdline, "sleep 100");
	assert_string_equal(q->cgroup, "/c");
}

/* ---- choosing processes -------------------------------------------------------------------- */

static void test_select_domain_by_cgroup_path(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	cgroups_default(w);
	task_add(w, 1, 1, CG_A, "in-a", 10 * MIB);
	task_add(w, 2, 2, CG_A_B, "in-a-b", 20 * MIB);
	task_add(w, 3, 3, CG_AB, "in-ab", 30 * MIB);
	task_add(w, 4, 4, CG_C, "in-c", 40 * MIB);
	task_add(w, 5, 5, 0, "no-cgroup", 50 * MIB);
	for (int k = 0; k < 3; k++)
		tick(w);

	request(w, &req, 0, 2);
	req.domain_cgroup = "/a";
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 1, 2 }, 2);
	assert_string_equal(must_find_proc(h, 2, 2)->cgroup, "/a/b");

	req.domain_cgroup = "/a/b";
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 2 }, 1);

	/* The root memcg holds every process that has a cgroup. */
	req.domain_cgroup = "/";
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 1, 2, 3, 4 }, 4);

	/* A global OOM: every process. */
	req.domain_cgroup = NULL;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 1, 2, 3, 4, 5 }, 5);
}

static void test_select_pids_always_kept(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	cgroups_default(w);
	for (int32_t pid = 1; pid <= 6; pid++)
		task_add(w, pid, 1, CG_A, "big", (uint64_t)(100 + pid) * MIB);
	task_add(w, 7, 1, CG_C, "victim", 1 * MIB);
	task_add(w, 8, 1, CG_C, "trigger", 0);
	for (int k = 0; k < 3; k++)
		tick(w);

	/* Outside the domain, the smallest, one of them with no memory at all: kept. */
	request(w, &req, 0, 2);
	req.domain_cgroup = "/a";
	req.pids = (const int32_t[]){ 8, 999, 7 };
	req.n_pids = 3;
	req.max_processes = 4;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 5, 6, 7, 8 }, 4);
}

static void test_select_top_by_growth(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	task_add(w, 5, 1, 0, "idle-small", 1 * MIB); /* the first identity: first among ties */
	for (int32_t pid = 11; pid <= 15; pid++)
		task_add(w, pid, 1, 0, "idle-big", (uint64_t)(111 - pid) * MIB);
	task_add(w, 20, 1, 0, "leaker", 1 * MIB);
	task_add(w, 21, 1, 0, "late", 2 * MIB);
	for (uint64_t k = 0; k < 10; k++) {
		task_get(w, 20)->anon_bytes = 1 * MIB + k * 64 * KIB;
		if (k > 6) /* grows only after the first kill */
			task_get(w, 21)->anon_bytes += 500 * MIB;
		tick(w);
	}

	request(w, &req, 0, 9);
	req.first_kill_ns = real_at(w, 6);
	req.top_by_memory = 2;
	req.top_by_growth = 1;
	req.max_processes = 3;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 11, 12, 20 }, 3);
	/* The whole range is still in the series, after the kill too. */
	assert_anon(must_find_proc(h, 20, 1), 9, true, 1 * MIB + 9 * 64 * KIB);

	/* One grower only: a process that did not grow is not taken as the second one. */
	req.top_by_growth = 2;
	req.max_processes = 4;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 11, 12, 13, 20 }, 4);
}

/* Growth counts from the lowest point before the kill, not from the first sample. */
static void test_select_growth_from_the_lowest_point(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	task_add(w, 1, 1, 0, "steady", 10 * MIB);
	task_add(w, 2, 1, 0, "rebound", 100 * MIB);
	for (uint64_t k = 0; k < 6; k++) {
		task_get(w, 1)->anon_bytes = (10 + 4 * k) * MIB; /* +20 MiB */
		task_get(w, 2)->anon_bytes =
			k == 0 ? 100 * MIB : (20 + 8 * (k - 1)) * MIB; /* +32 */
		tick(w);
	}

	request(w, &req, 0, 5);
	req.top_by_memory = 0;
	req.top_by_growth = 1;
	req.max_processes = 1;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 2 }, 1);
}

/* A restarted process (same command line, same cgroup, another pid) comes with its runs. */
static void test_select_restarts_together(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	cgroups_default(w);
	task_add(w, 300, 1, CG_A_B, "worker", 10 * MIB);
	task_add(w, 303, 1, CG_AB, "worker", 10 * MIB);
	task_add(w, 304, 1, CG_A_B, "other", 10 * MIB);
	cmdline_set(w, 300, "worker --queue=mail");
	cmdline_set(w, 301, "worker --queue=mail");
	cmdline_set(w, 302, "worker --queue=mail");
	cmdline_set(w, 303, "worker --queue=mail");
	cmdline_set(w, 304, "worker --queue=sms");
	for (uint64_t k = 0; k < 10; k++) {
		if (k == 4) {
			task_remove(w, 300);
			task_add(w, 301, 4, CG_A_B, "worker", 20 * MIB);
		}
		if (k == 8) {
			task_remove(w, 301);
			task_add(w, 302, 8, CG_A_B, "worker", 30 * MIB);
		}
		tick(w);
	}

	request(w, &req, 0, 9);
	req.domain_cgroup = "/c"; /* nothing of interest there */
	req.pids = (const int32_t[]){ 302 };
	req.n_pids = 1;
	req.top_by_memory = 0;
	req.top_by_growth = 0;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 300, 301, 302 }, 3);
	for (size_t k = 0; k < 10; k++) {
		assert_anon(must_find_proc(h, 300, 1), k, k < 4, 10 * MIB);
		assert_anon(must_find_proc(h, 301, 4), k, k >= 4 && k < 8, 20 * MIB);
		assert_anon(must_find_proc(h, 302, 8), k, k >= 8, 30 * MIB);
	}
}

static void test_select_max_processes(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	for (int32_t i = 1; i <= 10; i++)
		task_add(w, 100 + i, 1, 0, "p", (uint64_t)i * MIB);
	for (int k = 0; k < 3; k++)
		tick(w);

	request(w, &req, 0, 2);
	req.max_processes = 3;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 108, 109, 110 }, 3);

	req.pids = (const int32_t[]){ 101 };
	req.n_pids = 1;
	h = extract(w, &req);
	assert_pids(h, (const int32_t[]){ 101, 109, 110 }, 3);

	/* No room: nothing, not even the pids. */
	req.max_processes = 0;
	h = extract(w, &req);
	assert_int_equal(h->n_procs, 0);
	assert_int_equal(h->n_times, 3);
}

/* ---- choosing cgroups ---------------------------------------------------------------------- */

static void test_cgroups_domain_ancestors_and_processes(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	cgroups_default(w);
	task_add(w, 1, 1, CG_A_B, "in-a-b", 10 * MIB);
	task_add(w, 2, 1, CG_C, "victim", 20 * MIB);
	task_add(w, 3, 1, CG_AB, "in-ab", 30 * MIB);
	for (int k = 0; k < 3; k++)
		tick(w);

	request(w, &req, 0, 2);
	req.domain_cgroup = "/a/b";
	req.pids = (const int32_t[]){ 2 };
	req.n_pids = 1;
	h = extract(w, &req);
	assert_int_equal(h->n_cgroups, 4);
	/* Root first, then down to the domain, then the kept processes' own. */
	assert_string_equal(h->cgroups[0].path, "/");
	assert_int_equal(h->cgroups[0].id, CG_ROOT);
	assert_string_equal(h->cgroups[1].path, "/a");
	assert_int_equal(h->cgroups[1].id, CG_A);
	assert_string_equal(h->cgroups[2].path, "/a/b");
	assert_int_equal(h->cgroups[2].id, CG_A_B);
	assert_string_equal(h->cgroups[3].path, "/c");
	assert_int_equal(h->cgroups[3].id, CG_C);
	assert_null(find_cgroup(h, "/ab"));
	for (size_t k = 0; k < 3; k++) {
		assert_true(h->cgroups[0].samples[k].present);
		assert_int_equal(h->cgroups[0].samples[k].limit_bytes, OW_LIMIT_NONE);
		assert_int_equal(h->cgroups[0].samples[k].usage_bytes, 4 * GIB);
		assert_int_equal(h->cgroups[1].samples[k].limit_bytes, 3 * GIB);
		assert_int_equal(h->cgroups[2].samples[k].limit_bytes, 1536 * MIB);
		assert_int_equal(h->cgroups[2].samples[k].usage_bytes, 1 * GIB);
		assert_int_equal(h->cgroups[2].samples[k].anon_bytes, 512 * MIB);
		assert_int_equal(h->cgroups[3].samples[k].limit_bytes, OW_LIMIT_NONE);
		assert_int_equal(h->cgroups[3].samples[k].sock_bytes, 4 * MIB);
	}

	req.max_cgroups = 2;
	h = extract(w, &req);
	assert_int_equal(h->n_cgroups, 2);
	assert_string_equal(h->cgroups[0].path, "/");
	assert_string_equal(h->cgroups[1].path, "/a");
}

/* Root first, then down to the domain, whatever order the cgroups were first seen in. */
static void test_cgroups_order_root_first(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	cgroup_add(w, CG_C, "/c", 128 * MIB, OW_LIMIT_NONE);
	cgroup_add(w, CG_A_B, "/a/b", 1 * GIB, 1536 * MIB);
	cgroup_add(w, CG_A, "/a", 2 * GIB, 3 * GIB);
	cgroup_add(w, CG_ROOT, "/", 4 * GIB, OW_LIMIT_NONE);
	task_add(w, 1, 1, CG_C, "victim", 20 * MIB);
	tick(w);
	tick(w);

	request(w, &req, 0, 1);
	req.domain_cgroup = "/a/b";
	req.pids = (const int32_t[]){ 1 };
	req.n_pids = 1;
	h = extract(w, &req);
	assert_int_equal(h->n_cgroups, 4);
	assert_string_equal(h->cgroups[0].path, "/");
	assert_string_equal(h->cgroups[1].path, "/a");
	assert_string_equal(h->cgroups[2].path, "/a/b");
	assert_string_equal(h->cgroups[3].path, "/c");
	assert_int_equal(h->cgroups[0].samples[1].usage_bytes, 4 * GIB);
	assert_int_equal(h->cgroups[1].samples[1].usage_bytes, 2 * GIB);
	assert_int_equal(h->cgroups[2].samples[1].usage_bytes, 1 * GIB);
	assert_int_equal(h->cgroups[3].samples[1].usage_bytes, 128 * MIB);
}

/* A cgroup that appears mid-window is absent before; one beyond the table is counted. */
static void test_cgroups_late_and_table_full(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	const struct ow_history_cgroup *a;
	const struct ow_history *h;

	cfg_small(&cfg);
	cfg.max_cgroups = 2;
	start(w, &cfg);
	cgroup_add(w, CG_ROOT, "/", 4 * GIB, OW_LIMIT_NONE);
	for (int k = 0; k < 4; k++) {
		if (k == 2) {
			cgroup_add(w, CG_A, "/a", 1 * GIB, 2 * GIB);
			cgroup_add(w, CG_C, "/c", 1 * GIB, 2 * GIB);
		}
		tick(w);
	}
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.cgroups_untracked, 2);

	request(w, &req, 0, 3);
	req.domain_cgroup = "/a";
	h = extract(w, &req);
	assert_int_equal(h->n_cgroups, 2);
	a = find_cgroup(h, "/a");
	assert_non_null(a);
	for (size_t k = 0; k < 4; k++) {
		assert_int_equal(a->samples[k].present, k >= 2);
		assert_true(h->cgroups[0].samples[k].present);
	}
}

/*
 * A cgroup removed and created again under the same path (a restarted container) has a new
 * id: each is its own series, and one with no sample in the range is left out.
 */
static void test_cgroup_recreated_same_path(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	cgroups_default(w);
	task_add(w, 1, 1, CG_A_B, "app", 10 * MIB);
	for (uint64_t k = 0; k < 10; k++) {
		if (k == 5) {
			w->cgroups[2].id = 16; /* "/a/b" again */
			w->cgroups[2].sample.usage_bytes = 7 * MIB;
			task_remove(w, 1);
			task_add(w, 2, 5, 16, "app", 20 * MIB);
		}
		tick(w);
	}

	request(w, &req, 6, 9);
	req.domain_cgroup = "/a/b";
	h = extract(w, &req);
	assert_int_equal(h->n_cgroups, 3);
	assert_string_equal(h->cgroups[2].path, "/a/b");
	assert_int_equal(h->cgroups[2].id, 16);
	for (size_t t = 0; t < 4; t++) {
		assert_true(h->cgroups[2].samples[t].present);
		assert_int_equal(h->cgroups[2].samples[t].usage_bytes, 7 * MIB);
	}
	assert_pids(h, (const int32_t[]){ 2 }, 1);

	/* Both in the range: two series of the path, one after the other. */
	request(w, &req, 0, 9);
	req.domain_cgroup = "/a/b";
	h = extract(w, &req);
	assert_int_equal(h->n_cgroups, 4);
	assert_int_equal(h->cgroups[2].id, CG_A_B);
	assert_int_equal(h->cgroups[3].id, 16);
	for (size_t k = 0; k < 10; k++) {
		assert_int_equal(h->cgroups[2].samples[k].present, k < 5);
		assert_int_equal(h->cgroups[3].samples[k].present, k >= 5);
	}
	assert_pids(h, (const int32_t[]){ 1, 2 }, 2);
}

/* The task iterator may return a process twice in a tick: the first one counts. */
static void test_duplicate_task_in_a_tick(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	task_add(w, 7, 1, 0, "dup", 10 * PAGE);
	task_add(w, 7, 1, 0, "dup", 99 * PAGE);
	for (int k = 0; k < 3; k++)
		tick(w);
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.processes_tracked, 1);
	assert_int_equal(w->lookups, 1);
	request(w, &req, 0, 2);
	h = extract(w, &req);
	assert_int_equal(h->n_procs, 1);
	for (size_t k = 0; k < 3; k++)
		assert_anon(must_find_proc(h, 7, 1), k, true, 10 * PAGE);
}

/* ---- ranges and stats ---------------------------------------------------------------------- */

static void test_range_bounds(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_history_request req;
	struct ow_history *none = NULL;
	const struct ow_history *h;

	cfg_small(&cfg);
	start(w, &cfg);
	request(w, &req, 0, 0);
	assert_int_equal(ow_sampler_ring_extract(w->r, &req, &none), -ENOENT);
	task_add(w, 1, 1, 0, "p", 0);
	for (uint64_t k = 0; k < 10; k++) {
		task_get(w, 1)->anon_bytes = k * PAGE;
		tick(w);
	}

	/* Both ends inclusive. */
	request(w, &req, 3, 6);
	h = extract(w, &req);
	assert_false(h->truncated);
	assert_times(w, h, 3, 4);
	for (size_t t = 0; t < 4; t++)
		assert_anon(must_find_proc(h, 1, 1), t, true, (3 + t) * PAGE);
	req.from_ns = real_at(w, 3) + 1;
	req.to_ns = real_at(w, 6) - 1;
	h = extract(w, &req);
	assert_times(w, h, 4, 2);

	/* Before the recorder ran: everything there is, truncated. */
	request(w, &req, 0, 9);
	req.from_ns = REAL0 - 60 * SEC;
	h = extract(w, &req);
	assert_true(h->truncated);
	assert_times(w, h, 0, 10);

	/* Nothing in the range. */
	req.from_ns = REAL0 - 60 * SEC;
	req.to_ns = REAL0 - 1;
	assert_int_equal(ow_sampler_ring_extract(w->r, &req, &none), -ENOENT);
	req.from_ns = real_at(w, 9) + 1;
	req.to_ns = real_at(w, 20);
	assert_int_equal(ow_sampler_ring_extract(w->r, &req, &none), -ENOENT);
	req.from_ns = real_at(w, 4) + 1;
	req.to_ns = real_at(w, 5) - 1;
	assert_int_equal(ow_sampler_ring_extract(w->r, &req, &none), -ENOENT);
	req.from_ns = real_at(w, 6);
	req.to_ns = real_at(w, 5);
	assert_int_equal(ow_sampler_ring_extract(w->r, &req, &none), -ENOENT);
	assert_null(none);
}

static void test_stats(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	size_t used[5];

	cfg_small(&cfg);
	cfg.keyframe_every = 100;
	start(w, &cfg);
	ow_sampler_ring_stats(w->r, &st);
	assert_int_equal(st.frames_written, 0);
	assert_int_equal(st.frames_kept, 0);
	assert_int_equal(st.oldest_real_ns, 0);
	assert_int_equal(st.newest_real_ns, 0);
	assert_int_equal(st.arena_used_bytes, 0);
	assert_int_equal(st.processes_tracked, 0);
	assert_int_equal(st.processes_untracked, 0);
	assert_int_equal(st.cgroups_untracked, 0);
	assert_int_equal(st.frames_too_big, 0);

	cgroup_add(w, CG_ROOT, "/", GIB, OW_LIMIT_NONE);
	task_add(w, 1, 1, 0, "a", PAGE);
	task_add(w, 2, 1, 0, "b", PAGE);
	task_add(w, 3, 1, 0, "c", PAGE);
	/* Tick k > 0 changes k - 1 processes. */
	for (uint64_t k = 0; k < 5; k++) {
		for (int32_t pid = 1; pid < (int32_t)k; pid++)
			task_get(w, pid)->anon_bytes += PAGE;
		tick(w);
		ow_sampler_ring_stats(w->r, &st);
		used[k] = st.arena_used_bytes;
	}
	assert_int_equal(st.frames_written, 5);
	assert_int_equal(st.frames_kept, 5);
	assert_int_equal(st.oldest_real_ns, REAL0);
	assert_int_equal(st.newest_real_ns, real_at(w, 4));
	assert_int_equal(st.processes_tracked, 3);
	/* Every entry costs the same; an idle frame costs less than the keyframe. */
	assert_true(used[2] - used[1] > used[1] - used[0]);
	assert_int_equal(used[3] - used[2] - (used[2] - used[1]),
			 used[2] - used[1] - (used[1] - used[0]));
	assert_int_equal(used[4] - used[3] - (used[3] - used[2]),
			 used[2] - used[1] - (used[1] - used[0]));
	assert_true(used[0] > used[1] - used[0]);
}

/* ---- scale --------------------------------------------------------------------------------- */

#define BIG_PROCS 2000
#define BIG_TICKS 700

/* Process i changes at tick k > 0 when (i + 37 k) % 20 == 0: 5% of them at every tick. */
static bool big_changes(uint64_t i, uint64_t k)
{
	return k > 0 && (i + 37 * k) % 20 == 0;
}

static uint64_t big_anon(uint64_t i, uint64_t k)
{
	uint64_t pages = 100 + i;

	for (uint64_t j = 1; j <= k; j++)
		pages += big_changes(i, j);
	return pages * PAGE;
}

static void test_large_2000_processes_700_ticks(void **state)
{
	struct world *w = *state;
	struct ow_sampler_ring_config cfg;
	struct ow_sampler_ring_stats st;
	struct ow_history_request req;
	const struct ow_history *h;

	/* 500 ms ticks, a 5-minute window: 700 ticks are the window and 50 s after it. */
	ow_sampler_ring_config_default(&cfg, SEC / 2, 300 * SEC, 32 * MIB);
	start(w, &cfg);
	cgroups_default(w);
	for (uint64_t i = 0; i < BIG_PROCS; i++)
		task_add(w, (int32_t)(1000 + i), 1, CG_A + i % 4, "proc", big_anon(i, 0));
	for (uint64_t k = 0; k < BIG_TICKS; k++) {
		for (uint64_t i = 0; i < BIG_PROCS; i++)
			if (big_changes(i, k))
				w->tasks[i].anon_bytes += PAGE;
		tick(w);
	}
	ow_sampler_ring_stats(w->r, &st);
	print_message("sampler ring: %d processes x %d ticks, 5%% changing: arena_used_bytes=%zu "
		      "(%.2f MiB), frames_kept=%zu\n",
		      BIG_PROCS, BIG_TICKS, st.arena_used_bytes, st.arena_used_bytes / (double)MIB,
		      st.frames_kept);
	assert_int_equal(st.frames_written, BIG_TICKS);
	assert_int_equal(st.frames_kept, BIG_TICKS);
	assert_int_equal(st.oldest_real_ns, REAL0);
	assert_int_equal(st.processes_tracked, BIG_PROCS);
	assert_int_equal(st.processes_untracked, 0);
	assert_int_equal(st.frames_too_big, 0);
	assert_true(st.arena_used_bytes < cfg.arena_bytes);

	request(w, &req, 0, BIG_TICKS - 1);
	h = extract(w, &req);
	assert_false(h->truncated);
	assert_int_equal(h->n_times, BIG_TICKS);
	assert_int_equal(h->n_procs, 64);
	assert_int_equal(h->n_cgroups, 5);
	for (size_t p = 0; p < h->n_procs; p++) {
		uint64_t i = (uint64_t)(h->procs[p].pid - 1000);

		for (size_t t = 0; t < BIG_TICKS; t++)
			assert_anon(&h->procs[p], t, true, big_anon(i, t));
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_values_round_trip),
		T(test_idle_process_kept_between_keyframes),
		T(test_exit_and_start_mid_window),
		T(test_pid_reuse_two_series),
		T(test_eviction_small_arena),
		T(test_frames_index_full),
		T(test_frame_too_big_dropped),
		T(test_arena_smaller_than_a_frame),
		T(test_identity_table_full_and_reclaim),
		T(test_comm_change_relooks_cmdline),
		T(test_select_domain_by_cgroup_path),
		T(test_select_pids_always_kept),
		T(test_select_top_by_growth),
		T(test_select_growth_from_the_lowest_point),
		T(test_select_restarts_together),
		T(test_select_max_processes),
		T(test_cgroups_domain_ancestors_and_processes),
		T(test_cgroups_order_root_first),
		T(test_cgroups_late_and_table_full),
		T(test_cgroup_recreated_same_path),
		T(test_duplicate_task_in_a_tick),
		T(test_range_bounds),
		T(test_stats),
		T(test_large_2000_processes_700_ticks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
