// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the memory histories in the store (schema version 2): exact round trips of a
 * realistic history, replacing one, the errors, what a corrupt blob gives on load, deleting an
 * incident, and the upgrade of a version-1 database (forged with the version-1 schema exactly
 * as the store used to create it) both read-write and read-only. Also measures the bytes an
 * incident's history takes and prints them with the time to save and load it.
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

#include "model/history.h"
#include "model/model.h"
#include "store/series_codec.h"
#include "store/store.h"

#include "store_files.h"

#include "fixtures.h"

#include "old_schemas.h"

/* One incident with one kill of two processes, as version 1 stored it. */
static const char v1_incident_sql[] =
	"PRAGMA application_id = 1330597207;" /* 0x4f4f4d57, "OOMW" */
	"PRAGMA user_version = 1;"
	"INSERT INTO incidents VALUES (1, 1700000000000000000, 1700000000000000000, 'memcg', "
	" '/app', 77, 536870912, 536866816, 1073741824, 2, 'process', 42, 'hog');"
	"INSERT INTO kills VALUES (1, 1, 0, 1700000000000000000, 'kernel', 41, 42, 43, 'hog', "
	" 'memcg', '/app', 77, 536870912, 536866816, 1073741824, "
	" 'out_of_memory+0x10' || char(10) || 'try_charge+0x20', NULL, 5, 2, 0);"
	"INSERT INTO processes VALUES (1, 41, 1, 1000, 1000, 1, 'victim', '/usr/bin/victim', "
	" '/app', 77, 1048576, 0, 0, 0, 4096);"
	"INSERT INTO processes VALUES (1, 42, 1, 1000, -500, 1, 'hog', NULL, NULL, 77, "
	" 400000000, 8192, 0, -8, 8192);"
	"INSERT INTO recorder VALUES ('lost_events', 7);";

#define T0_NS 1764100000000000000ull
#define SECOND_NS 1000000000ull

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void set_comm(char comm[OW_COMM_LEN], const char *name)
{
	memset(comm, 0, OW_COMM_LEN);
	strncpy(comm, name, OW_COMM_LEN - 1);
}

/* An incident of one kill of n_procs processes, saved; returns its id. */
static int64_t save_incident(struct ow_store *s, uint64_t time_ns, size_t n_procs)
{
	struct ow_incident inc = { 0 };
	struct ow_kill k = { 0 };
	int64_t id;

	k.time_ns = time_ns;
	k.victim_pid = 1000;
	k.trigger_pid = 1000;
	k.trigger_tid = 1000;
	set_comm(k.trigger_thread_comm, "grower");
	k.domain.kind = OW_DOMAIN_MEMCG;
	k.domain.cgroup = xstrdup("/oomw-test");
	k.domain.limit_bytes = 256ull << 20;
	k.n_procs = n_procs;
	k.procs = calloc(n_procs ? n_procs : 1, sizeof(*k.procs));
	assert_non_null(k.procs);
	for (size_t i = 0; i < n_procs; i++) {
		k.procs[i].pid = 1000 + (int32_t)i;
		set_comm(k.procs[i].comm, "worker");
		k.procs[i].anon_bytes = (uint64_t)i << 20;
	}
	assert_int_equal(ow_incident_add_kill(&inc, &k), 0);
	assert_int_equal(ow_store_save_incident(s, &inc, NULL), 0);
	id = inc.id;
	ow_incident_clear(&inc);
	return id;
}

/*
 * A history like the sampler's: n_times samples 1 s apart with wake-up jitter; n_procs
 * processes, some growing, some starting, exiting or missing samples, with extreme values;
 * three cgroups, two without a limit; system samples with and without PSI.
 */
static struct ow_history *make_history(size_t n_times, size_t n_procs)
{
	struct ow_history *h = ow_history_new(n_times);

	assert_non_null(h);
	h->interval_ns = SECOND_NS;
	h->window_ns = 600 * SECOND_NS;
	h->truncated = true;
	for (size_t i = 0; i < n_times; i++) {
		struct ow_system_sample *sys = &h->system[i];

		h->time_ns[i] = T0_NS + i * SECOND_NS + rng() % 100000;
		if (i >= 5 && i < 8)
			continue; /* the sampler missed these */
		sys->present = true;
		sys->mem_total_bytes = 16ull << 30;
		sys->mem_available_bytes = (12ull << 30) - i * (20ull << 20) + (rng() % 64) * 4096;
		sys->swap_total_bytes = 2ull << 30;
		sys->swap_free_bytes =
			(2ull << 30) - (i > n_times / 2 ? (i - n_times / 2) << 20 : 0);
		sys->psi_known = i >= 10;
		if (sys->psi_known) {
			sys->psi_some_avg10_centi = (uint32_t)(i * 13 % 10000);
			sys->psi_full_avg10_centi = (uint32_t)(i * 7 % 10000);
			sys->psi_some_total_us = 5000000 + i * i * 100;
			sys->psi_full_total_us = 2000000 + i * i * 40;
		}
	}
	for (size_t p = 0; p < n_procs; p++) {
		struct ow_history_process *proc = ow_history_add_process(h);
		char buf[128];

		assert_non_null(proc);
		proc->pid = 1000 + (int32_t)p;
		proc->ppid = p ? 1000 : 1;
		set_comm(proc->comm, p == 0 ? "fifteen-chars-x" : "worker");
		snprintf(buf, sizeof(buf), "/usr/lib/app/worker --id %zu --config /etc/app.conf",
			 p);
		proc->cmdline = p % 10 == 3 ? NULL : xstrdup(buf);
		proc->cgroup = p % 10 == 4 ? NULL : xstrdup("/system.slice/app.service");
		proc->start_time_ns = p % 10 == 5 ? 0 : T0_NS - (uint64_t)p * 3600 * SECOND_NS;
		for (size_t i = 0; i < n_times; i++) {
			struct ow_proc_sample *smp = &proc->samples[i];

			switch (p % 4) {
			case 1: /* started during the window */
				smp->present = i >= n_times / 3;
				break;
			case 2: /* exited during the window */
				smp->present = i < 2 * n_times / 3;
				break;
			case 3: /* missed a sample now and then */
				smp->present = i % 7 != 2;
				break;
			default:
				smp->present = true;
			}
			if (!smp->present)
				continue;
			smp->oom_score_adj = p % 3 == 0 ? -1000 : p % 3 == 1 ? 1000 : 0;
			if (p == 5 && i > n_times / 2)
				smp->oom_score_adj = -17; /* changed mid-window */
			smp->anon_bytes =
				p < 10 ? (64ull << 20) + i * ((p + 1) << 20) : 33ull << 20;
			smp->file_bytes = 5ull << 20;
			smp->shmem_bytes = p % 5 == 0 ? 4096 : 0;
			smp->swap_bytes = p == 7 ? UINT64_MAX - 5 : 0;
			smp->pgtables_bytes = p == 8 ? UINT64_MAX : 40960 + (i / 64) * 4096;
		}
	}
	for (size_t c = 0; c < 3; c++) {
		struct ow_history_cgroup *cg = ow_history_add_cgroup(h);

		assert_non_null(cg);
		cg->path = c == 2 ? NULL : xstrdup(c == 0 ? "/" : "/oomw-test");
		cg->id = c == 0 ? 1 : 4242 + c;
		for (size_t i = 0; i < n_times; i++) {
			struct ow_cgroup_sample *smp = &cg->samples[i];

			smp->present = c != 1 || i >= 3;
			if (!smp->present)
				continue;
			smp->usage_bytes = (100ull << 20) + i * (1ull << 20);
			smp->limit_bytes = c == 1 ? 256ull << 20 : OW_LIMIT_NONE;
			smp->anon_bytes = smp->usage_bytes - (10ull << 20);
			smp->file_bytes = 8ull << 20;
			smp->shmem_bytes = 4096;
			smp->kernel_bytes = (2ull << 20) + (i % 3) * 4096;
			smp->sock_bytes = c == 0 ? 65536 : 0;
		}
	}
	return h;
}

static void assert_str_or_null_equal(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_history_equal(const struct ow_history *a, const struct ow_history *b)
{
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->interval_ns, b->interval_ns);
	assert_int_equal(a->window_ns, b->window_ns);
	assert_int_equal(a->truncated, b->truncated);
	assert_int_equal(a->n_times, b->n_times);
	assert_int_equal(a->n_procs, b->n_procs);
	assert_int_equal(a->n_cgroups, b->n_cgroups);
	for (size_t i = 0; i < a->n_times; i++) {
		const struct ow_system_sample *x = &a->system[i], *y = &b->system[i];

		assert_int_equal(a->time_ns[i], b->time_ns[i]);
		assert_int_equal(x->present, y->present);
		assert_int_equal(x->mem_total_bytes, y->mem_total_bytes);
		assert_int_equal(x->mem_available_bytes, y->mem_available_bytes);
		assert_int_equal(x->swap_total_bytes, y->swap_total_bytes);
		assert_int_equal(x->swap_free_bytes, y->swap_free_bytes);
		assert_int_equal(x->psi_known, y->psi_known);
		assert_int_equal(x->psi_some_avg10_centi, y->psi_some_avg10_centi);
		assert_int_equal(x->psi_full_avg10_centi, y->psi_full_avg10_centi);
		assert_int_equal(x->psi_some_total_us, y->psi_some_total_us);
		assert_int_equal(x->psi_full_total_us, y->psi_full_total_us);
	}
	for (size_t p = 0; p < a->n_procs; p++) {
		const struct ow_history_process *x = &a->procs[p], *y = &b->procs[p];

		assert_int_equal(x->pid, y->pid);
		assert_int_equal(x->ppid, y->ppid);
		assert_memory_equal(x->comm, y->comm, OW_COMM_LEN);
		assert_str_or_null_equal(x->cmdline, y->cmdline);
		assert_str_or_null_equal(x->cgroup, y->cgroup);
		assert_int_equal(x->start_time_ns, y->start_time_ns);
		for (size_t i = 0; i < a->n_times; i++) {
			const struct ow_proc_sample *u = &x->samples[i], *v = &y->samples[i];

			assert_int_equal(u->present, v->present);
			assert_int_equal(u->oom_score_adj, v->oom_score_adj);
			assert_int_equal(u->anon_bytes, v->anon_bytes);
			assert_int_equal(u->file_bytes, v->file_bytes);
			assert_int_equal(u->shmem_bytes, v->shmem_bytes);
			assert_int_equal(u->swap_bytes, v->swap_bytes);
			assert_int_equal(u->pgtables_bytes, v->pgtables_bytes);
		}
	}
	for (size_t c = 0; c < a->n_cgroups; c++) {
		const struct ow_history_cgroup *x = &a->cgroups[c], *y = &b->cgroups[c];

		assert_str_or_null_equal(x->path, y->path);
		assert_int_equal(x->id, y->id);
		for (size_t i = 0; i < a->n_times; i++) {
			const struct ow_cgroup_sample *u = &x->samples[i], *v = &y->samples[i];

			assert_int_equal(u->present, v->present);
			assert_int_equal(u->usage_bytes, v->usage_bytes);
			assert_int_equal(u->limit_bytes, v->limit_bytes);
			assert_int_equal(u->anon_bytes, v->anon_bytes);
			assert_int_equal(u->file_bytes, v->file_bytes);
			assert_int_equal(u->shmem_bytes, v->shmem_bytes);
			assert_int_equal(u->kernel_bytes, v->kernel_bytes);
			assert_int_equal(u->sock_bytes, v->sock_bytes);
		}
	}
}

static struct ow_store *open_memory(void)
{
	struct ow_store *s = NULL;

	assert_int_equal(ow_store_open(":memory:", OW_STORE_READ_WRITE, &s), 0);
	return s;
}

/* Loads incident id and checks its history against want (NULL: it must have none). */
static void assert_loads_history(struct ow_store *s, int64_t id, const struct ow_history *want)
{
	struct ow_incident got;

	assert_int_equal(ow_store_load_incident(s, id, &got), 0);
	assert_int_equal(got.id, id);
	if (want)
		assert_history_equal(want, got.history);
	else
		assert_null(got.history);
	ow_incident_clear(&got);
}

static void test_round_trip(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_history *h = make_history(700, 70);
	struct ow_incident got;
	int64_t id;

	(void)state;
	id = save_incident(s, T0_NS + 650 * SECOND_NS, 3);
	assert_int_equal(ow_store_save_history(s, id, h), 0);
	assert_int_equal(ow_store_load_incident(s, id, &got), 0);
	assert_history_equal(h, got.history);
	/* Spot checks, in case both sides were wrong the same way. */
	assert_int_equal(got.n_kills, 1);
	assert_int_equal(got.kills[0].n_procs, 3);
	assert_int_equal(got.history->cgroups[0].samples[100].limit_bytes, UINT64_MAX);
	assert_int_equal(got.history->cgroups[1].samples[100].limit_bytes, 256ull << 20);
	assert_false(got.history->cgroups[1].samples[2].present);
	assert_null(got.history->cgroups[2].path);
	assert_int_equal(got.history->procs[0].samples[0].oom_score_adj, -1000);
	assert_int_equal(got.history->procs[5].samples[699].oom_score_adj, -17);
	assert_int_equal(got.history->procs[7].samples[0].swap_bytes, UINT64_MAX - 5);
	assert_false(got.history->procs[1].samples[0].present);
	assert_null(got.history->procs[3].cmdline);
	assert_string_equal(got.history->procs[0].comm, "fifteen-chars-x");
	assert_false(got.history->system[6].present);
	assert_false(got.history->system[9].psi_known);
	assert_true(got.history->truncated);
	ow_incident_clear(&got);
	ow_history_free(h);
	ow_store_close(s);
}

static void test_small_histories(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_history *empty = ow_history_new(0), *one = make_history(1, 2);
	int64_t id;

	(void)state;
	id = save_incident(s, T0_NS, 1);
	assert_int_equal(ow_store_save_history(s, id, empty), 0);
	assert_loads_history(s, id, empty);
	assert_int_equal(ow_store_save_history(s, id, one), 0);
	assert_loads_history(s, id, one);
	ow_history_free(empty);
	ow_history_free(one);
	ow_store_close(s);
}

static void test_none(void **state)
{
	struct ow_store *s = open_memory();
	int64_t id;

	(void)state;
	id = save_incident(s, T0_NS, 2);
	assert_loads_history(s, id, NULL);
	ow_store_close(s);
}

/* A second save replaces the whole history; saving the incident again keeps it. */
static void test_replace(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_history *big = make_history(300, 40), *small = make_history(20, 3);
	struct ow_incident inc;
	int64_t id, other;

	(void)state;
	id = save_incident(s, T0_NS, 2);
	other = save_incident(s, T0_NS + SECOND_NS, 2);
	assert_int_equal(ow_store_save_history(s, id, big), 0);
	assert_int_equal(ow_store_save_history(s, other, big), 0);
	assert_int_equal(ow_store_save_history(s, id, small), 0);
	assert_loads_history(s, id, small); /* no series of the first left over */
	assert_loads_history(s, other, big); /* another incident's history is untouched */

	/* A later kill rewrites the incident's kills, not its history. */
	assert_int_equal(ow_store_load_incident(s, id, &inc), 0);
	ow_history_free(inc.history);
	inc.history = NULL;
	assert_int_equal(ow_store_save_incident(s, &inc, NULL), 0);
	assert_int_equal(ow_store_append_kills(s, &inc, inc.n_kills, NULL), 0);
	ow_incident_clear(&inc);
	assert_loads_history(s, id, small);

	ow_history_free(big);
	ow_history_free(small);
	ow_store_close(s);
}

static void test_errors(void **state)
{
	struct ow_store *s = open_memory();
	struct ow_history *h = make_history(10, 2);
	struct ow_history big = { .n_times = 1u << 20 };
	struct ow_proc_sample *samples;
	int64_t id;

	(void)state;
	id = save_incident(s, T0_NS, 1);
	assert_int_equal(ow_store_save_history(s, id + 1, h), -ENOENT);
	assert_non_null(strstr(ow_store_errmsg(s), "no incident"));
	assert_int_equal(ow_store_save_history(s, id, NULL), -EINVAL);
	assert_int_equal(ow_store_save_history(s, id, &big), -E2BIG);

	/* A refused history leaves the stored one as it was. */
	assert_int_equal(ow_store_save_history(s, id, h), 0);
	samples = h->procs[1].samples;
	h->procs[1].samples = NULL;
	assert_int_equal(ow_store_save_history(s, id, h), -EINVAL);
	assert_non_null(strstr(ow_store_errmsg(s), "pid 1001"));
	h->procs[1].samples = samples;
	assert_loads_history(s, id, h);

	ow_history_free(h);
	ow_store_close(s);
}

static int64_t history_rows(const char *path)
{
	return query_i64(path, "SELECT (SELECT count(*) FROM histories) + "
			       "(SELECT count(*) FROM history_processes) + "
			       "(SELECT count(*) FROM history_cgroups)");
}

/* Deleting an incident deletes its history (ON DELETE CASCADE), as it deletes its kills. */
static void test_delete_cascades(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	struct ow_history *h = make_history(30, 4);
	char sql[128];
	int64_t id, other;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	id = save_incident(s, T0_NS, 1);
	other = save_incident(s, T0_NS + SECOND_NS, 1);
	assert_int_equal(ow_store_save_history(s, id, h), 0);
	assert_int_equal(ow_store_save_history(s, other, h), 0);
	ow_store_close(s);
	assert_int_equal(history_rows(t->path), 2 * (1 + 4 + 3));

	snprintf(sql, sizeof(sql), "DELETE FROM incidents WHERE id = %lld", (long long)id);
	run_sql(t->path, sql);
	assert_int_equal(history_rows(t->path), 1 + 4 + 3);
	ow_history_free(h);
}

/* Saves an incident with a history into a new file; returns the incident's id. */
static int64_t make_file_with_history(const char *path, struct ow_history *h)
{
	struct ow_store *s = NULL;
	int64_t id;

	unlink(path);
	assert_int_equal(ow_store_open(path, OW_STORE_READ_WRITE, &s), 0);
	id = save_incident(s, T0_NS, 1);
	assert_int_equal(ow_store_save_history(s, id, h), 0);
	ow_store_close(s);
	return id;
}

/* A process series whose adj does not fit an int32: well-formed for the codec, not for us. */
static void set_adj_out_of_range(const char *path)
{
	bool present[50];
	uint64_t values[50 * 6] = { 0 };
	uint8_t blob[4096];
	size_t bytes;
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	for (size_t i = 0; i < 50; i++) {
		present[i] = true;
		values[i * 6] = 1ull << 40;
	}
	assert_int_equal(ow_series_encode(present, values, 50, 6, blob, sizeof(blob), &bytes), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "UPDATE history_processes SET samples = ? "
					    "WHERE ordinal = 1",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(stmt, 1, blob, (int)bytes, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* A damaged blob or row makes the load fail with -EPROTO and leave *ret_inc alone. */
static void test_corrupt(void **state)
{
	static const struct {
		const char *sql; /* NULL: set_adj_out_of_range() */
		const char *says;
	} damages[] = {
		{ "UPDATE history_processes SET samples = substr(samples, 1, length(samples) - 1) "
		  "WHERE ordinal = 2",
		  "pid 1002" },
		{ "UPDATE history_processes SET samples = samples || x'00' WHERE ordinal = 0",
		  "pid 1000" },
		{ "UPDATE history_processes SET samples = x'' WHERE ordinal = 3", "pid 1003" },
		{ "UPDATE history_processes SET samples = x'02' || substr(samples, 2) "
		  "WHERE ordinal = 1",
		  "pid 1001" },
		{ "UPDATE history_cgroups SET samples = x'01ffffffffffffffffffff' WHERE ordinal = 1",
		  "/oomw-test" },
		{ "UPDATE histories SET system = substr(system, 1, 9)", "system series" },
		{ "UPDATE histories SET times = x'0102030405'", "time axis" },
		{ "UPDATE histories SET n_times = n_times + 1", "corrupt" },
		{ "UPDATE histories SET n_times = -1", "corrupt" },
		{ "UPDATE histories SET n_times = 1000000000000", "corrupt" },
		{ NULL, "pid 1001" },
	};
	struct tmp *t = *state;
	struct ow_history *h = make_history(50, 4);

	for (size_t d = 0; d < sizeof(damages) / sizeof(damages[0]); d++) {
		struct ow_store *s = NULL;
		struct ow_incident got = { .id = -7 };
		int64_t id = make_file_with_history(t->path, h);

		if (damages[d].sql)
			run_sql(t->path, damages[d].sql);
		else
			set_adj_out_of_range(t->path);
		assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
		assert_int_equal(ow_store_load_incident(s, id, &got), -EPROTO);
		if (!strstr(ow_store_errmsg(s), damages[d].says))
			fail_msg("damage %zu: \"%s\" does not say \"%s\"", d, ow_store_errmsg(s),
				 damages[d].says);
		assert_int_equal(got.id, -7);
		assert_null(got.history);
		ow_store_close(s);
	}
	ow_history_free(h);
}

static void make_v1_file(const char *path, const char *extra_sql)
{
	run_sql(path, schema_v1_sql);
	run_sql(path, v1_incident_sql);
	if (extra_sql)
		run_sql(path, extra_sql);
	assert_int_equal(query_i64(path, "PRAGMA user_version"), 1);
}

/* The v1 incident as it loads: version 1 had no history. */
static void assert_v1_incident(struct ow_store *s)
{
	struct ow_incident got;
	uint64_t lost = 0;

	assert_int_equal(ow_store_load_incident(s, 1, &got), 0);
	assert_null(got.history);
	assert_int_equal(got.n_kills, 1);
	assert_string_equal(got.domain.cgroup, "/app");
	assert_int_equal(got.kills[0].victim_pid, 41);
	assert_int_equal(got.kills[0].trigger_kernel_stack.n_frames, 2);
	assert_string_equal(got.kills[0].trigger_kernel_stack.frames[1], "try_charge+0x20");
	assert_int_equal(got.kills[0].n_procs, 2);
	assert_string_equal(got.kills[0].procs[0].cmdline, "/usr/bin/victim");
	assert_null(got.kills[0].procs[1].cmdline);
	assert_int_equal(got.kills[0].procs[1].oom_score_adj, -500);
	assert_int_equal(got.kills[0].procs[1].swap_bytes, UINT64_MAX - 7);
	ow_incident_clear(&got);
	assert_int_equal(ow_store_get_lost_events(s, &lost), 0);
	assert_int_equal(lost, 7);
}

static void test_upgrade_v1(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	struct ow_history *h = make_history(60, 5);
	char fresh[160];
	char *upgraded_schema, *fresh_schema;
	int64_t id;

	make_v1_file(t->path, NULL);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_v1_incident(s);
	assert_int_equal(ow_store_save_history(s, 1, h), 0);
	assert_loads_history(s, 1, h);
	id = save_incident(s, T0_NS, 2); /* new incidents go on from the old ids */
	assert_int_equal(id, 2);
	ow_store_close(s);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), OW_STORE_SCHEMA_VERSION);

	/* Opened again: nothing left to upgrade, everything still there. */
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	assert_loads_history(s, 1, h);
	ow_store_close(s);

	/* The upgraded schema is the one a new database gets. */
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", t->dir);
	assert_int_equal(ow_store_open(fresh, OW_STORE_READ_WRITE, &s), 0);
	ow_store_close(s);
	upgraded_schema = schema_of(t->path);
	fresh_schema = schema_of(fresh);
	assert_string_equal(upgraded_schema, fresh_schema);
	assert_non_null(strstr(fresh_schema, "table history_processes"));
	assert_non_null(strstr(fresh_schema, "missed_kills INTEGER NOT NULL DEFAULT 0"));
	assert_int_equal(query_i64(fresh, "PRAGMA user_version"), OW_STORE_SCHEMA_VERSION);
	free(upgraded_schema);
	free(fresh_schema);
	ow_history_free(h);
}

/* An upgrade that fails half-way changes nothing: one transaction. */
static void test_upgrade_v1_atomic(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;

	/* A table in the way of the last CREATE of the upgrade. */
	make_v1_file(t->path, "CREATE TABLE history_cgroups (x INTEGER);");
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), -EPROTO);
	assert_null(s);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), 1);
	assert_int_equal(query_i64(t->path, "SELECT count(*) FROM sqlite_master WHERE name IN "
					    "('histories', 'history_processes')"),
			 0);
	/* Still readable as the version-1 file it is. */
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_v1_incident(s);
	ow_store_close(s);
}

static void test_read_only_v1(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	struct ow_incident_summary *rows = NULL;
	struct ow_history *h = make_history(5, 1);
	int64_t last = 0;
	size_t n = 0;

	make_v1_file(t->path, NULL);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), 0);
	assert_v1_incident(s);
	assert_int_equal(ow_store_list(s, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].culprit_comm, "hog");
	ow_incident_summaries_free(rows, n);
	assert_int_equal(ow_store_last_incident_id(s, &last), 0);
	assert_int_equal(last, 1);
	assert_int_equal(ow_store_save_history(s, 1, h), -EROFS);
	ow_store_close(s);
	/* Reading did not upgrade it. */
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), 1);
	assert_int_equal(query_i64(t->path, "SELECT count(*) FROM sqlite_master WHERE name = "
					    "'histories'"),
			 0);
	ow_history_free(h);
}

static void test_newer_version(void **state)
{
	struct tmp *t = *state;
	struct ow_store *s = NULL;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	ow_store_close(s);
	s = NULL;
	run_sql(t->path, "PRAGMA user_version = 4;");
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), -EPROTONOSUPPORT);
	assert_null(s);
	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_ONLY, &s), -EPROTONOSUPPORT);
	assert_null(s);
	assert_int_equal(query_i64(t->path, "PRAGMA user_version"), 4);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * The history the size figures in docs/storage.md are for: 660 samples 1 s apart (woken up to
 * 100 us late), 70 processes present throughout, 60 idle and 10 growing 128 KiB/s .. 1.25 MiB/s
 * with up to 256 KiB of jitter; system samples with PSI; the root cgroup and the domain's cgroup.
 */
static struct ow_history *make_measured_history(void)
{
	struct ow_history *h = ow_history_new(660);

	assert_non_null(h);
	h->interval_ns = SECOND_NS;
	h->window_ns = 600 * SECOND_NS;
	for (size_t i = 0; i < 660; i++) {
		struct ow_system_sample *sys = &h->system[i];

		h->time_ns[i] = T0_NS + i * SECOND_NS + rng() % 100000;
		sys->present = true;
		sys->mem_total_bytes = 16ull << 30;
		sys->mem_available_bytes = (12ull << 30) - i * (7ull << 20) + (rng() % 256) * 4096;
		sys->swap_total_bytes = 2ull << 30;
		sys->swap_free_bytes = 2ull << 30;
		sys->psi_known = true;
		sys->psi_some_avg10_centi = (uint32_t)(i > 600 ? (i - 600) * 150 : rng() % 20);
		sys->psi_full_avg10_centi = (uint32_t)(i > 600 ? (i - 600) * 90 : 0);
		sys->psi_some_total_us = 100000000 + i * 300 + (i > 600 ? (i - 600) * 800000 : 0);
		sys->psi_full_total_us = 50000000 + (i > 600 ? (i - 600) * 500000 : 0);
	}
	for (size_t p = 0; p < 70; p++) {
		struct ow_history_process *proc = ow_history_add_process(h);
		char buf[128];

		assert_non_null(proc);
		proc->pid = 20000 + (int32_t)p;
		proc->ppid = 1;
		set_comm(proc->comm, p < 10 ? "grower" : "idle-service");
		snprintf(buf, sizeof(buf),
			 "/usr/bin/app-%zu --config /etc/app/%zu.conf --workers 4", p, p);
		proc->cmdline = xstrdup(buf);
		proc->cgroup = xstrdup("/system.slice/app.service");
		proc->start_time_ns = T0_NS - (uint64_t)(p + 1) * 3600 * SECOND_NS;
		for (size_t i = 0; i < 660; i++) {
			struct ow_proc_sample *smp = &proc->samples[i];

			smp->present = true;
			smp->oom_score_adj = p % 3 == 0 ? 0 : 500;
			smp->anon_bytes = (16ull + p) << 20;
			if (p < 10)
				smp->anon_bytes += i * ((p + 1) << 17) + (rng() % 64) * 4096;
			smp->file_bytes = (4ull + p % 7) << 20;
			smp->shmem_bytes = p % 5 == 0 ? 65536 : 0;
			smp->pgtables_bytes =
				p < 10 ? 65536 + (smp->anon_bytes >> 9 & ~4095ull) : 65536;
		}
	}
	for (size_t c = 0; c < 2; c++) {
		struct ow_history_cgroup *cg = ow_history_add_cgroup(h);

		assert_non_null(cg);
		cg->path = xstrdup(c == 0 ? "/" : "/system.slice/app.service");
		cg->id = c == 0 ? 1 : 5555;
		for (size_t i = 0; i < 660; i++) {
			struct ow_cgroup_sample *smp = &cg->samples[i];

			smp->present = true;
			smp->usage_bytes = (3ull << 30) + i * (7ull << 20) + (rng() % 64) * 4096;
			smp->limit_bytes = c == 0 ? OW_LIMIT_NONE : 40ull << 30;
			smp->anon_bytes = smp->usage_bytes - (1ull << 30);
			smp->file_bytes = (900ull << 20) + (rng() % 16) * 4096;
			smp->shmem_bytes = 1ull << 20;
			smp->kernel_bytes = (100ull << 20) + (rng() % 16) * 4096;
			smp->sock_bytes = (rng() % 4) * 4096;
		}
	}
	return h;
}

static int64_t history_pages_bytes(const char *path)
{
	return query_i64(path, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN "
			       "('histories', 'history_processes', 'history_cgroups', "
			       "'sqlite_autoindex_history_processes_1', "
			       "'sqlite_autoindex_history_cgroups_1')");
}

/* Bytes per incident of the history above, and the time to save and load it (no assertion on
 * time). */
static void test_measure_bytes(void **state)
{
	enum { N_INCIDENTS = 20 };
	struct tmp *t = *state;
	struct ow_store *s = NULL;
	struct ow_history *h = make_measured_history();
	int64_t ids[N_INCIDENTS], before, after, payload, series_payload, strings;
	int64_t times, system, growers, cgroups;
	double t0, save_ms = 0, load_ms;
	struct ow_incident got;

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	for (size_t i = 0; i < N_INCIDENTS; i++)
		ids[i] = save_incident(s, T0_NS + 650 * SECOND_NS + i, 2);
	ow_store_close(s);
	before = history_pages_bytes(t->path);

	assert_int_equal(ow_store_open(t->path, OW_STORE_READ_WRITE, &s), 0);
	for (size_t i = 0; i < N_INCIDENTS; i++) {
		t0 = now_ms();
		assert_int_equal(ow_store_save_history(s, ids[i], h), 0);
		save_ms += now_ms() - t0;
	}
	t0 = now_ms();
	assert_int_equal(ow_store_load_incident(s, ids[0], &got), 0);
	load_ms = now_ms() - t0;
	assert_history_equal(h, got.history);
	ow_incident_clear(&got);
	ow_store_close(s);

	after = history_pages_bytes(t->path);
	payload = query_i64(t->path, "SELECT (SELECT sum(length(times) + length(system)) "
				     "FROM histories) + (SELECT sum(length(samples)) FROM "
				     "history_processes) + (SELECT sum(length(samples)) FROM "
				     "history_cgroups)");
	series_payload = query_i64(t->path, "SELECT sum(length(samples)) FROM history_processes "
					    "WHERE ordinal >= 10");
	times = query_i64(t->path, "SELECT sum(length(times)) FROM histories");
	system = query_i64(t->path, "SELECT sum(length(system)) FROM histories");
	growers = query_i64(t->path, "SELECT sum(length(samples)) FROM history_processes "
				     "WHERE ordinal < 10");
	cgroups = query_i64(t->path, "SELECT sum(length(samples)) FROM history_cgroups");
	strings = query_i64(t->path, "SELECT sum(length(comm) + length(cmdline) + length(cgroup)) "
				     "FROM history_processes");
	print_message("history of 70 processes x 660 samples (60 idle, 10 growing), 2 cgroups, "
		      "system:\n");
	print_message("  blobs %.0f bytes per incident (idle process %.1f bytes, %.3f per "
		      "sample); process strings %.0f bytes\n",
		      (double)payload / N_INCIDENTS, (double)series_payload / N_INCIDENTS / 60,
		      (double)series_payload / N_INCIDENTS / 60 / 660,
		      (double)strings / N_INCIDENTS);
	print_message("  blobs by part: time axis %.0f, system %.0f, 10 growing processes %.0f, "
		      "60 idle %.0f, 2 cgroups %.0f\n",
		      (double)times / N_INCIDENTS, (double)system / N_INCIDENTS,
		      (double)growers / N_INCIDENTS, (double)series_payload / N_INCIDENTS,
		      (double)cgroups / N_INCIDENTS);
	print_message("  in the file (dbstat, tables + indexes): %.0f bytes per incident\n",
		      (double)(after - before) / N_INCIDENTS);
	print_message("  save %.2f ms, load (incident and history) %.2f ms\n",
		      save_ms / N_INCIDENTS, load_ms);
	/* A raw row per sample would be ~30 MiB; keep well under 64 KiB. */
	assert_true((after - before) / N_INCIDENTS < 64 * 1024);
	ow_history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_small_histories),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_errors),
		cmocka_unit_test_setup_teardown(test_delete_cascades, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v1, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v1_atomic, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_read_only_v1, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_newer_version, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_measure_bytes, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
