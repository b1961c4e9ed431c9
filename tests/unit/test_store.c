// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the SQLite store: exact round trips, updates, listing, the open-incident
 * lookup, and how the store refuses files that are not its own. The foreign databases are
 * made with the sqlite3 API directly. Also times saving a 2,000-process kill and measures the
 * bytes a process row takes, printing both (no assertion on time).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "model/model.h"
#include "model/shared_str.h"
#include "model/summary.h"
#include "store/store.h"

struct tmp {
	char dir[64];
	char path[128];
};

static char *xstrdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	assert_true(!s || d);
	return d;
}

/* A shared string (model/shared_str.h) of s, NULL for NULL: a process's cmdline or cgroup. */
static char *xshared(const char *s)
{
	char *d = s ? ow_shared_strdup(s) : NULL;

	assert_true(!s || d);
	return d;
}

static void set_comm(char comm[OW_COMM_LEN], const char *name)
{
	memset(comm, 0, OW_COMM_LEN);
	strncpy(comm, name, OW_COMM_LEN - 1);
}

static void make_process(struct ow_process *p, int32_t pid, const char *comm, const char *cmdline,
			 const char *cgroup, int32_t adj)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = pid > 1 ? 1 : 0;
	p->uid = 1000u + (uint32_t)pid;
	p->oom_score_adj = adj;
	p->flags = OW_PROC_IN_DOMAIN | (pid == 1 ? OW_PROC_INIT : 0);
	set_comm(p->comm, comm);
	p->cmdline = xshared(cmdline);
	p->cgroup = xshared(cgroup);
	p->cgroup_id = cgroup ? 4242 + (uint64_t)pid : 0;
	p->anon_bytes = (uint64_t)pid << 20;
	p->file_bytes = 3ull << 30;
	p->shmem_bytes = 12345;
	p->swap_bytes = UINT64_MAX - 7; /* above INT64_MAX: exercises the int64 cast */
	p->pgtables_bytes = 4096;
}

static void make_stack(struct ow_stack *s, size_t n, const char *prefix)
{
	s->n_frames = n;
	s->frames = n ? calloc(n, sizeof(*s->frames)) : NULL;
	for (size_t i = 0; i < n; i++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s_%zu+0x%zx", prefix, i, i * 16);
		s->frames[i] = xstrdup(buf);
	}
}

static void make_domain(struct ow_domain *d, const char *cgroup)
{
	memset(d, 0, sizeof(*d));
	d->kind = cgroup ? OW_DOMAIN_MEMCG : OW_DOMAIN_GLOBAL;
	d->cgroup = xstrdup(cgroup);
	d->cgroup_id = cgroup ? 777 : 0;
	d->limit_bytes = 512ull << 20;
	d->usage_bytes = (512ull << 20) - 4096;
	d->total_bytes = 1ull << 30;
}

/* A kill at time_ns of victim, with n_procs processes (pids 1..n_procs, victim among them). */
static void make_kill(struct ow_kill *k, uint64_t time_ns, int32_t victim, size_t n_procs,
		      const char *cgroup)
{
	memset(k, 0, sizeof(*k));
	k->time_ns = time_ns;
	k->killer_kind = OW_KILLER_KERNEL;
	k->victim_pid = victim;
	k->trigger_pid = victim + 1;
	k->trigger_tid = victim + 2;
	set_comm(k->trigger_thread_comm, "worker-thread");
	make_domain(&k->domain, cgroup);
	make_stack(&k->trigger_kernel_stack, 5, "out_of_memory");
	make_stack(&k->trigger_user_stack, 0, "unused");
	k->n_procs = n_procs;
	k->procs = calloc(n_procs ? n_procs : 1, sizeof(*k->procs));
	assert_non_null(k->procs);
	for (size_t i = 0; i < n_procs; i++) {
		int32_t pid = (int32_t)i + 1;
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "/usr/bin/app-%d --config /etc/app/%d.conf --workers 4",
			 pid, pid);
		make_process(&k->procs[i], pid, pid == victim ? "victim" : "proc", cmd,
			     "/system.slice/app.service", (int32_t)(i % 3) * 500 - 500);
	}
	k->kthreads_skipped = 83;
	k->lost_events = 2;
	k->partial = false;
}

static void add_kill(struct ow_incident *inc, struct ow_kill *k)
{
	assert_int_equal(ow_incident_add_kill(inc, k), 0);
}

/* The incident the round-trip tests use: 2 kills, NULL strings, negative adj, stacks. */
static void make_incident(struct ow_incident *inc)
{
	struct ow_kill k;

	memset(inc, 0, sizeof(*inc));
	make_kill(&k, 1700000000000000000ull, 3, 4, "/user.slice/user-1000.slice");
	/* A process with no cmdline and no cgroup, and the most negative adj. */
	ow_process_clear(&k.procs[1]);
	make_process(&k.procs[1], 2, "kthreadd-ish", NULL, NULL, -1000);
	make_stack(&k.trigger_user_stack, 3, "malloc");
	k.partial = true;
	add_kill(inc, &k);

	make_kill(&k, 1700000000500000000ull, 4, 3, "/user.slice/user-1000.slice");
	k.killer_kind = OW_KILLER_SIGNAL;
	/* An empty frame in the middle must survive the '\n' join. */
	free(k.trigger_kernel_stack.frames[2]);
	k.trigger_kernel_stack.frames[2] = xstrdup("");
	add_kill(inc, &k);
	inc->lost_events = 9;
}

static void assert_str_or_null_equal(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_domain_equal(const struct ow_domain *a, const struct ow_domain *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_str_or_null_equal(a->cgroup, b->cgroup);
	assert_int_equal(a->cgroup_id, b->cgroup_id);
	assert_int_equal(a->limit_bytes, b->limit_bytes);
	assert_int_equal(a->usage_bytes, b->usage_bytes);
	assert_int_equal(a->total_bytes, b->total_bytes);
}

static void assert_stack_equal(const struct ow_stack *a, const struct ow_stack *b)
{
	assert_int_equal(a->n_frames, b->n_frames);
	for (size_t i = 0; i < a->n_frames; i++)
		assert_string_equal(a->frames[i], b->frames[i]);
}

static void assert_process_equal(const struct ow_process *a, const struct ow_process *b)
{
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->ppid, b->ppid);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->oom_score_adj, b->oom_score_adj);
	assert_int_equal(a->flags, b->flags);
	assert_memory_equal(a->comm, b->comm, OW_COMM_LEN);
	assert_str_or_null_equal(a->cmdline, b->cmdline);
	assert_str_or_null_equal(a->cgroup, b->cgroup);
	assert_int_equal(a->cgroup_id, b->cgroup_id);
	assert_int_equal(a->anon_bytes, b->anon_bytes);
	assert_int_equal(a->file_bytes, b->file_bytes);
	assert_int_equal(a->shmem_bytes, b->shmem_bytes);
	assert_int_equal(a->swap_bytes, b->swap_bytes);
	assert_int_equal(a->pgtables_bytes, b->pgtables_bytes);
}

static void assert_kill_equal(const struct ow_kill *a, const struct ow_kill *b)
{
	assert_int_equal(a->time_ns, b->time_ns);
	assert_int_equal(a->killer_kind, b->killer_kind);
	assert_int_equal(a->victim_pid, b->victim_pid);
	assert_int_equal(a->trigger_pid, b->trigger_pid);
	assert_int_equal(a->trigger_tid, b->trigger_tid);
	assert_memory_equal(a->trigger_thread_comm, b->trigger_thread_comm, OW_COMM_LEN);
	assert_domain_equal(&a->domain, &b->domain);
	assert_stack_equal(&a->trigger_kernel_stack, &b->trigger_kernel_stack);
	assert_stack_equal(&a->trigger_user_stack, &b->trigger_user_stack);
	assert_int_equal(a->kthreads_skipped, b->kthreads_skipped);
	assert_int_equal(a->lost_events, b->lost_events);
	assert_int_equal(a->partial, b->partial);
	assert_int_equal(a->n_procs, b->n_procs);
	for (size_t i = 0; i < a->n_procs; i++)
		assert_process_equal(&a->procs[i], &b->procs[i]);
}

static void assert_incident_equal(const struct ow_incident *a, const struct ow_incident *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->start_ns, b->start_ns);
	assert_int_equal(a->end_ns, b->end_ns);
	assert_domain_equal(&a->domain, &b->domain);
	assert_int_equal(a->lost_events, b->lost_events);
	assert_int_equal(a->n_kills, b->n_kills);
	for (size_t i = 0; i < a->n_kills; i++)
		assert_kill_equal(&a->kills[i], &b->kills[i]);
}

static struct ow_store *open_memory(void)
{
	struct ow_store *s = NULL;

	assert_int_equal(ow_store_open(":memory:", OW_STORE_READ_WRITE, &s), 0);
	assert_non_null(s);
	return s;
}

static const struct ow_store_culprit_summary culprit = { "process", 3, "victim" };

static void test_round_trip(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_incident inc, got;

	(void)state;
	make_incident(&inc);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	assert_true(inc.id > 0);
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	assert_incident_equal(&inc, &got);
	/* Spot checks, in case both sides were wrong the same way. */
	assert_null(got.kills[0].procs[1].cmdline);
	assert_null(got.kills[0].procs[1].cgroup);
	assert_int_equal(got.kills[0].procs[1].oom_score_adj, -1000);
	assert_int_equal(got.kills[0].procs[0].swap_bytes, UINT64_MAX - 7);
	assert_int_equal(got.kills[0].trigger_user_stack.n_frames, 3);
	assert_string_equal(got.kills[0].trigger_user_stack.frames[2], "malloc_2+0x20");
	assert_int_equal(got.kills[1].trigger_user_stack.n_frames, 0);
	assert_null(got.kills[1].trigger_user_stack.frames);
	assert_string_equal(got.kills[1].trigger_kernel_stack.frames[2], "");
	assert_int_equal(got.kills[1].killer_kind, OW_KILLER_SIGNAL);
	assert_true(got.kills[0].partial);
	assert_int_equal(ow_store_load_incident(s, inc.id + 1, &got), 0 - ENOENT);
	ow_incident_clear(&got);
	ow_incident_clear(&inc);
	ow_store_close(s);
}

static void test_global_domain_round_trip(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_incident inc = { 0 }, got;
	struct ow_kill k;

	(void)state;
	make_kill(&k, 42, 1, 1, NULL);
	add_kill(&inc, &k);
	assert_int_equal(ow_store_save_incident(s, &inc, NULL), 0);
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	assert_incident_equal(&inc, &got);
	assert_int_equal(got.domain.kind, OW_DOMAIN_GLOBAL);
	assert_null(got.domain.cgroup);
	ow_incident_clear(&got);
	ow_incident_clear(&inc);
	ow_store_close(s);
}

static void test_update(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_incident_summary *rows;
	struct ow_incident inc, got;
	struct ow_kill k;
	int64_t id;
	size_t n;

	(void)state;
	make_incident(&inc);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	id = inc.id;

	make_kill(&k, 1700000001000000000ull, 2, 2, "/user.slice/user-1000.slice");
	add_kill(&inc, &k);
	assert_int_equal(ow_store_save_incident(s, &inc, NULL), 0);
	assert_int_equal(inc.id, id);

	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].n_victims, 3);
	assert_int_equal(rows[0].victim_pids[2], 2);
	assert_int_equal(rows[0].end_ns, 1700000001000000000ull);
	assert_null(rows[0].culprit_kind); /* the second save had no culprit */
	ow_incident_summaries_free(rows, n);

	assert_int_equal(ow_store_load_incident(s, id, &got), 0);
	assert_incident_equal(&inc, &got);
	ow_incident_clear(&got);

	/* Updating an id that is not there fails and changes nothing. */
	inc.id = id + 100;
	assert_int_equal(ow_store_save_incident(s, &inc, NULL), -ENOENT);
	assert_int_equal(inc.id, id + 100);
	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 1);
	ow_incident_summaries_free(rows, n);

	ow_incident_clear(&inc);
	ow_store_close(s);
}

/* Appending stores only the new kills; the result loads back equal to the whole incident. */
static void test_append_kills(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_incident inc, got;
	struct ow_kill k;
	size_t n_stored;

	(void)state;
	make_incident(&inc);
	/* A first append of a new incident saves everything. */
	assert_int_equal(ow_store_append_kills(s, &inc, 0, &culprit), 0);
	assert_true(inc.id > 0);
	n_stored = inc.n_kills;

	make_kill(&k, 1700000001000000000ull, 2, 2, "/user.slice/user-1000.slice");
	add_kill(&inc, &k);
	/* Change a stored kill in memory: an append must not rewrite it. */
	inc.kills[0].victim_pid = 999;
	assert_int_equal(ow_store_append_kills(s, &inc, n_stored, &culprit), 0);
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	assert_int_equal(got.n_kills, 3);
	assert_int_equal(got.kills[0].victim_pid, 3); /* as first stored */
	assert_int_equal(got.kills[2].victim_pid, 2);
	assert_int_equal(got.kills[2].n_procs, 2);
	assert_int_equal(got.end_ns, 1700000001000000000ull);
	ow_incident_clear(&got);

	/* n_stored 0 rewrites everything, the changed kill included. */
	assert_int_equal(ow_store_append_kills(s, &inc, 0, &culprit), 0);
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	assert_int_equal(got.n_kills, 3);
	assert_int_equal(got.kills[0].victim_pid, 999);
	ow_incident_clear(&got);

	ow_incident_clear(&inc);
	ow_store_close(s);
}

static void save_simple(struct ow_store *s, uint64_t time_ns, const int32_t *victims, size_t n,
			const char *cgroup, int64_t *ret_id)
{
	struct ow_incident inc = { 0 };
	struct ow_store_culprit_summary c = { "process", victims[0], "hog" };

	for (size_t i = 0; i < n; i++) {
		struct ow_kill k;

		make_kill(&k, time_ns + i * 1000, victims[i], 2, cgroup);
		add_kill(&inc, &k);
	}
	assert_int_equal(ow_store_save_incident(s, &inc, &c), 0);
	if (ret_id)
		*ret_id = inc.id;
	ow_incident_clear(&inc);
}

static void test_list(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_incident_summary *rows = NULL;
	const int32_t v1[] = { 10, 20, 30 }, v2[] = { 40 }, v3[] = { 50, 60 };
	int64_t id1, id2, id3;
	size_t n = 99;

	(void)state;
	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 0);
	ow_incident_summaries_free(rows, n);

	/* Saved out of time order: the list is by time, not by id. */
	save_simple(s, 3000000, v3, 2, NULL, &id3);
	save_simple(s, 1000000, v1, 3, "/a", &id1);
	save_simple(s, 2000000, v2, 1, "/b", &id2);
	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].id, id1);
	assert_int_equal(rows[1].id, id2);
	assert_int_equal(rows[2].id, id3);
	assert_int_equal(rows[0].start_ns, 1000000);
	assert_int_equal(rows[0].end_ns, 1002000);
	assert_int_equal(rows[0].domain_kind, OW_DOMAIN_MEMCG);
	assert_string_equal(rows[0].domain_cgroup, "/a");
	assert_int_equal(rows[0].n_victims, 3);
	assert_int_equal(rows[0].victim_pids[0], 10);
	assert_int_equal(rows[0].victim_pids[1], 20);
	assert_int_equal(rows[0].victim_pids[2], 30);
	assert_string_equal(rows[0].culprit_kind, "process");
	assert_int_equal(rows[0].culprit_pid, 10);
	assert_string_equal(rows[0].culprit_comm, "hog");
	assert_int_equal(rows[0].lost_events, 6);
	assert_int_equal(rows[1].n_victims, 1);
	assert_int_equal(rows[1].victim_pids[0], 40);
	assert_int_equal(rows[2].domain_kind, OW_DOMAIN_GLOBAL);
	assert_null(rows[2].domain_cgroup);
	assert_int_equal(rows[2].n_victims, 2);
	assert_int_equal(rows[2].victim_pids[0], 50);
	assert_int_equal(rows[2].victim_pids[1], 60);
	ow_incident_summaries_free(rows, n);
	ow_store_close(s);
}

/* The destructor of summaries takes what an empty list gives: NULL and 0, or NULL and more. */
static void test_summaries_free_empty(void **state)
{
	struct ow_incident_summary *none = calloc(1, sizeof(*none));

	(void)state;
	ow_incident_summaries_free(NULL, 0);
	ow_incident_summaries_free(NULL, 3);
	/* A zeroed row owns nothing: freeing it frees only the array (ASan checks). */
	assert_non_null(none);
	ow_incident_summaries_free(none, 1);
}

static void test_last_id(void **state)
{
	struct ow_store *s = open_memory();
	const int32_t v[] = { 7 };
	int64_t id = -1, id_new, id_old;

	(void)state;
	assert_int_equal(ow_store_last_incident_id(s, &id), -ENOENT);
	assert_int_equal(id, -1);
	save_simple(s, 5000, v, 1, NULL, &id_new);
	save_simple(s, 1000, v, 1, NULL, &id_old);
	assert_int_equal(ow_store_last_incident_id(s, &id), 0);
	assert_int_equal(id, id_new);
	assert_true(id_old != id_new);
	ow_store_close(s);
}

static void test_find_open_incident(void **state)
{
	struct ow_store *s = open_memory();
	const int32_t v[] = { 7, 8 };
	struct ow_domain memcg_a = { .kind = OW_DOMAIN_MEMCG, .cgroup = (char *)"/a" };
	struct ow_domain memcg_b = { .kind = OW_DOMAIN_MEMCG, .cgroup = (char *)"/b" };
	struct ow_domain global = { .kind = OW_DOMAIN_GLOBAL };
	int64_t id_a_old, id_a, id_global, id = -1;

	(void)state;
	assert_int_equal(ow_store_find_open_incident(s, &memcg_a, 0, &id), -ENOENT);
	save_simple(s, 1000, v, 2, "/a", &id_a_old); /* ends at 2000 */
	save_simple(s, 5000, v, 2, "/a", &id_a); /* ends at 6000 */
	save_simple(s, 8000, v, 1, NULL, &id_global); /* ends at 8000 */

	assert_int_equal(ow_store_find_open_incident(s, &memcg_a, 0, &id), 0);
	assert_int_equal(id, id_a); /* the newest of the two */
	assert_int_equal(ow_store_find_open_incident(s, &memcg_a, 6000, &id), 0);
	assert_int_equal(id, id_a);
	id = -1;
	assert_int_equal(ow_store_find_open_incident(s, &memcg_a, 6001, &id), -ENOENT);
	assert_int_equal(id, -1);
	assert_int_equal(ow_store_find_open_incident(s, &memcg_b, 0, &id), -ENOENT);
	assert_int_equal(ow_store_find_open_incident(s, &global, 0, &id), 0);
	assert_int_equal(id, id_global);
	assert_int_equal(ow_store_find_open_incident(s, &global, 8001, &id), -ENOENT);
	/* A memcg domain never matches the global incident, even with a NULL path. */
	memcg_b.cgroup = NULL;
	assert_int_equal(ow_store_find_open_incident(s, &memcg_b, 7000, &id), -ENOENT);
	(void)id_a_old;
	ow_store_close(s);
}

static void test_lost_events(void **state)
{
	struct ow_store *s = open_memory();
	uint64_t n = 123;

	(void)state;
	assert_int_equal(ow_store_get_lost_events(s, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ow_store_add_lost_events(s, 5), 0);
	assert_int_equal(ow_store_add_lost_events(s, 0), 0);
	assert_int_equal(ow_store_add_lost_events(s, 37), 0);
	assert_int_equal(ow_store_get_lost_events(s, &n), 0);
	assert_int_equal(n, 42);
	/* Kills the recorder dropped unwritten: a count of its own, beside the lost records */
	assert_int_equal(ow_store_get_dropped_kills(s, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ow_store_add_dropped_kills(s, 3), 0);
	assert_int_equal(ow_store_add_dropped_kills(s, 4), 0);
	assert_int_equal(ow_store_get_dropped_kills(s, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(ow_store_get_lost_events(s, &n), 0);
	assert_int_equal(n, 42);
	ow_store_close(s);
	ow_store_close(NULL);
	assert_string_equal(ow_store_errmsg(NULL), "");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/ow_test_store.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/sub/dir/oomwitness.db", t->dir);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

static mode_t file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_file_mode(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL, *ro = NULL;
	struct ow_incident inc, got;
	char side[160], dir[128];
	mode_t old_umask = umask(022);

	make_incident(&inc);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	umask(old_umask);
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	assert_int_equal(file_mode(t->path), 0600);
	snprintf(dir, sizeof(dir), "%s/sub/dir", t->dir);
	assert_int_equal(file_mode(dir), 0700);
	/* While the writer is open, the WAL and shared-memory files exist: owner-only too. */
	snprintf(side, sizeof(side), "%s-wal", t->path);
	assert_int_equal(file_mode(side), 0600);
	snprintf(side, sizeof(side), "%s-shm", t->path);
	assert_int_equal(file_mode(side), 0600);

	/* A reader sees the committed incident; it cannot write. */
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &ro), 0);
	assert_int_equal(ow_store_load_incident(ro, inc.id, &got), 0);
	assert_incident_equal(&inc, &got);
	ow_incident_clear(&got);
	assert_int_equal(ow_store_add_lost_events(ro, 1), -EROFS);
	assert_int_equal(ow_store_save_incident(ro, &inc, NULL), -EROFS);
	ow_store_close(ro);
	ow_store_close(s);

	/* Reopening for writing keeps the data. */
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	assert_incident_equal(&inc, &got);
	ow_incident_clear(&got);
	ow_store_close(s);
	ow_incident_clear(&inc);
}

static void test_read_only_missing(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	char path[160];

	snprintf(path, sizeof(path), "%s/missing.db", t->dir);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_ONLY, &s), -ENOENT);
	assert_null(s);
	assert_int_equal(access(path, F_OK), -1); /* not created */
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), -ENOENT);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void test_garbage_file(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	char path[160], garbage[8192];

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * 131 + 7);
	snprintf(path, sizeof(path), "%s/garbage.db", t->dir);
	write_file(path, garbage, sizeof(garbage));
	assert_int_equal(ow_store_open(path, OW_STORE_READ_WRITE, &s), -EPROTO);
	assert_null(s);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_ONLY, &s), -EPROTO);
	assert_null(s);
}

static void make_sqlite_file(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_foreign_sqlite(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	char path[160];
	struct stat before, after;

	snprintf(path, sizeof(path), "%s/foreign.db", t->dir);
	make_sqlite_file(path, "PRAGMA application_id = 1234;"
			       "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
			       "INSERT INTO notes (body) VALUES ('keep me');");
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_WRITE, &s), -EPROTO);
	assert_null(s);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_ONLY, &s), -EPROTO);
	/* Left alone: not switched to WAL, no schema added. */
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_memory_equal(&before.st_mtim, &after.st_mtim, sizeof(before.st_mtim));

	/* Tables but no application_id at all: foreign too. */
	snprintf(path, sizeof(path), "%s/foreign2.db", t->dir);
	make_sqlite_file(path, "CREATE TABLE incidents (id INTEGER PRIMARY KEY);");
	assert_int_equal(ow_store_open(path, OW_STORE_READ_WRITE, &s), -EPROTO);
}

static void test_newer_schema(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	ow_store_close(s);
	s = NULL;
	make_sqlite_file(t->path, "PRAGMA user_version = 99;");
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), -EPROTONOSUPPORT);
	assert_null(s);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), -EPROTONOSUPPORT);
	assert_null(s);
}

static void test_empty_file_read_only(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	char path[160];

	/* An empty file is a valid empty SQLite database: writable opens adopt it. */
	snprintf(path, sizeof(path), "%s/empty.db", t->dir);
	write_file(path, "", 0);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_ONLY, &s), -EPROTO);
	assert_null(s);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_WRITE, &s), 0);
	ow_store_close(s);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_ONLY, &s), 0);
	ow_store_close(s);
}

static void test_unwritable_path(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	char path[200], file[160];

	snprintf(file, sizeof(file), "%s/regular", t->dir);
	write_file(file, "x", 1);
	snprintf(path, sizeof(path), "%s/below/x.db", file);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_WRITE, &s), -ENOTDIR);
	assert_null(s);
	assert_true(ow_store_open("/proc/nonexistent/x", OW_STORE_READ_WRITE, &s) < 0);
	assert_null(s);
	assert_true(ow_store_open("/proc/version", OW_STORE_READ_WRITE, &s) < 0);
	assert_null(s);
	assert_int_equal(ow_store_open(t->dir, OW_STORE_READ_WRITE, &s), -EISDIR);
	assert_int_equal(ow_store_open(NULL, OW_STORE_READ_WRITE, &s), -EINVAL);
	assert_int_equal(ow_store_open("", OW_STORE_READ_ONLY, &s), -EINVAL);
	assert_null(s);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Bytes the processes table and its index take, from SQLite's dbstat table. */
static int64_t processes_bytes(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int64_t bytes;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT sum(pgsize) FROM dbstat WHERE name IN "
					    "('processes', 'processes_kill_id')",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	bytes = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return bytes;
}

static void test_save_2000_processes(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	struct ow_incident inc = { 0 }, got;
	struct ow_kill k;
	double t0, first_ms, update_ms, load_ms;
	int64_t bytes_empty, bytes_full;
	struct stat st;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	ow_store_close(s);
	bytes_empty = processes_bytes(t->path);

	make_kill(&k, 1700000000000000000ull, 1234, 2000, "/system.slice/app.service");
	add_kill(&inc, &k);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	t0 = now_ms();
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	first_ms = now_ms() - t0;

	/* The second kill of the chain rewrites the incident: 4,000 rows. */
	make_kill(&k, 1700000000100000000ull, 1235, 2000, "/system.slice/app.service");
	add_kill(&inc, &k);
	t0 = now_ms();
	assert_int_equal(ow_store_save_incident(s, &inc, &culprit), 0);
	update_ms = now_ms() - t0;

	t0 = now_ms();
	assert_int_equal(ow_store_load_incident(s, inc.id, &got), 0);
	load_ms = now_ms() - t0;
	assert_int_equal(got.n_kills, 2);
	assert_int_equal(got.kills[1].n_procs, 2000);
	assert_incident_equal(&inc, &got);
	ow_incident_clear(&got);
	ow_store_close(s);

	bytes_full = processes_bytes(t->path);
	assert_int_equal(stat(t->path, &st), 0);
	print_message("save of a 2,000-process kill: %.2f ms; update to 2 kills (4,000 rows): "
		      "%.2f ms; load: %.2f ms\n",
		      first_ms, update_ms, load_ms);
	print_message("processes table + index: %.1f bytes per row (cmdline %zu chars); "
		      "file %lld bytes\n",
		      (double)(bytes_full - bytes_empty) / 4000.0,
		      strlen(inc.kills[0].procs[0].cmdline), (long long)st.st_size);
	assert_true(bytes_full > bytes_empty);
	ow_incident_clear(&inc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_global_domain_round_trip),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_append_kills),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_summaries_free_empty),
		cmocka_unit_test(test_last_id),
		cmocka_unit_test(test_find_open_incident),
		cmocka_unit_test(test_lost_events),
		cmocka_unit_test_setup_teardown(test_file_mode, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_read_only_missing, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_file, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_sqlite, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_read_only, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_path, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_save_2000_processes, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
