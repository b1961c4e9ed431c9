/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of src/model/pending.c, the incidents the recorder holds while its database cannot
 * be written: the estimate of an incident's bytes, the bound in count and in bytes (the oldest
 * go first, and what of them was not written is counted), the one incident larger than the
 * whole budget, and the ring wrapping round many times without leaking (ASan).
 */
#include "fixtures.h"

#include "model/pending.h"

#define MIB (1ull << 20)

/* An incident of n_kills kills in /app, each with n_procs processes (cmdline "cmd", 3 bytes). */
static void mkincident(struct ow_incident *inc, size_t n_kills, size_t n_procs)
{
	memset(inc, 0, sizeof(*inc));
	for (size_t k = 0; k < n_kills; k++) {
		struct ow_kill kill = { 0 };

		kill.time_ns = 1000 + k;
		set_memcg(&kill.domain, "/app", 7, 64 * MIB, 64 * MIB);
		for (size_t i = 0; i < n_procs; i++)
			kill_add_memcg_process(&kill, (int32_t)(100 + i), "p", "cmd", 0, MIB);
		kill.victim_pid = 100;
		assert_int_equal(ow_incident_add_kill(inc, &kill), 0);
	}
}

static void test_heap_bytes(void **state)
{
	struct ow_incident inc;
	/* "/app" and "cmd" are 5 and 4 bytes with their NULs; each allocation adds 16 */
	uint64_t per_kill =
		(5 + 16) + (10 * sizeof(struct ow_process) + 16) + 10 * (4 + 16) + 10 * (5 + 16);
	uint64_t want = (5 + 16) + (2 * sizeof(struct ow_kill) + 16) + 2 * per_kill;

	(void)state;
	mkincident(&inc, 2, 10);
	assert_int_equal(ow_incident_heap_bytes(&inc), want);
	/* A history adds its samples: 60 times, 3 processes */
	inc.history = mkhistory(60, 1000);
	for (int i = 0; i < 3; i++)
		hproc(inc.history, 100 + i, "p", "cmd", "/app");
	assert_true(ow_incident_heap_bytes(&inc) >
		    want + 60 * (8 + sizeof(struct ow_system_sample)) +
			    3 * 60 * sizeof(struct ow_proc_sample));
	ow_incident_clear(&inc);
	assert_int_equal(ow_incident_heap_bytes(&inc), 0);
}

static void test_count_bound(void **state)
{
	struct ow_pending_queue q;
	struct ow_incident inc;

	(void)state;
	ow_pending_init(&q, 3, 1ull << 40);
	for (size_t i = 0; i < 3; i++) {
		mkincident(&inc, i + 1, 2); /* 1, 2 and 3 kills; 0, 1 and 2 of them written */
		assert_int_equal(ow_pending_push(&q, &inc, i, false), 0);
		assert_null(inc.kills); /* taken */
	}
	assert_int_equal(q.n, 3);
	assert_int_equal(ow_pending_unsaved_kills(&q), 3);

	/* A fourth and a fifth push the two oldest out: 1 + 1 kills were not written */
	mkincident(&inc, 4, 2);
	assert_int_equal(ow_pending_push(&q, &inc, 0, false), 1);
	mkincident(&inc, 5, 2);
	assert_int_equal(ow_pending_push(&q, &inc, 5, false), 1);
	assert_int_equal(q.n, 3);
	assert_int_equal(q.incidents_dropped, 2);
	assert_int_equal(q.kills_dropped, 2);
	assert_int_equal(q.histories_dropped, 0);
	/* What is left: the 3, 4 and 5 kills, oldest first */
	assert_int_equal(ow_pending_at(&q, 0)->inc.n_kills, 3);
	assert_int_equal(ow_pending_at(&q, 1)->inc.n_kills, 4);
	assert_int_equal(ow_pending_at(&q, 2)->inc.n_kills, 5);
	assert_int_equal(ow_pending_unsaved_kills(&q), 1 + 4 + 0);

	ow_pending_pop(&q);
	assert_int_equal(q.n, 2);
	assert_int_equal(ow_pending_at(&q, 0)->inc.n_kills, 4);
	ow_pending_clear(&q);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.bytes, 0);
	assert_int_equal(q.kills_dropped, 2); /* kept until the caller has stored them */
}

static void test_byte_bound(void **state)
{
	struct ow_pending_queue q;
	struct ow_incident inc;
	uint64_t one;

	(void)state;
	mkincident(&inc, 1, 100);
	one = ow_incident_heap_bytes(&inc);
	ow_pending_init(&q, OW_PENDING_MAX_INCIDENTS, one * 5 / 2);
	assert_int_equal(ow_pending_push(&q, &inc, 0, false), 0);
	mkincident(&inc, 1, 100);
	assert_int_equal(ow_pending_push(&q, &inc, 0, false), 0);
	assert_int_equal(q.bytes, 2 * one);
	/* A third would be 3 x one > 2.5 x one: the oldest goes */
	mkincident(&inc, 1, 100);
	inc.history = mkhistory(1, 1000);
	assert_int_equal(ow_pending_push(&q, &inc, 1, true), 1);
	assert_int_equal(q.n, 2);
	assert_int_equal(q.kills_dropped, 1);
	assert_true(q.bytes <= q.max_bytes);
	assert_true(ow_pending_at(&q, 1)->history_unsaved);
	assert_int_equal(ow_pending_unsaved_histories(&q), 1);

	/* One incident above the whole budget is held alone; the next one pushes it out */
	mkincident(&inc, 3, 100);
	assert_int_equal(ow_pending_push(&q, &inc, 0, false), 2);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.histories_dropped, 1);
	assert_true(q.bytes > q.max_bytes);
	mkincident(&inc, 1, 1);
	assert_int_equal(ow_pending_push(&q, &inc, 0, false), 1);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.incidents_dropped, 4);
	assert_int_equal(q.kills_dropped, 1 + 1 + 0 + 3);
	ow_pending_clear(&q);
}

/* No history: nothing to write later, whatever the caller says. */
static void test_history_flag(void **state)
{
	struct ow_pending_queue q;
	struct ow_incident inc;

	(void)state;
	ow_pending_init(&q, 0, MIB); /* 0 is taken as 1 */
	assert_int_equal(q.max_incidents, 1);
	mkincident(&inc, 1, 1);
	ow_pending_push(&q, &inc, 9, true);
	assert_false(ow_pending_at(&q, 0)->history_unsaved);
	assert_int_equal(ow_pending_at(&q, 0)->n_kills_stored, 1); /* capped to n_kills */
	ow_pending_clear(&q);
}

/* The ring goes round: 1,000 pushes and pops at the full bound of 64 (ASan checks the frees). */
static void test_ring_wraps(void **state)
{
	struct ow_pending_queue q;
	struct ow_incident inc;
	size_t dropped = 0, popped = 0;

	(void)state;
	ow_pending_init(&q, 1000, 1ull << 40);
	assert_int_equal(q.max_incidents, OW_PENDING_MAX_INCIDENTS);
	for (size_t i = 0; i < 1000; i++) {
		mkincident(&inc, 1, 2);
		inc.kills[0].time_ns = i;
		dropped += ow_pending_push(&q, &inc, 0, false);
		if (i % 3 == 1) {
			ow_pending_pop(&q);
			popped++;
		}
	}
	assert_int_equal(q.n, OW_PENDING_MAX_INCIDENTS);
	assert_int_equal(dropped, q.incidents_dropped);
	assert_int_equal(popped + dropped + q.n, 1000);
	/* Oldest first, in the order they came */
	for (size_t i = 1; i < q.n; i++)
		assert_true(ow_pending_at(&q, i - 1)->inc.kills[0].time_ns <
			    ow_pending_at(&q, i)->inc.kills[0].time_ns);
	assert_int_equal(ow_pending_at(&q, q.n - 1)->inc.kills[0].time_ns, 999);
	ow_pending_clear(&q);
	ow_pending_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_bytes), cmocka_unit_test(test_count_bound),
		cmocka_unit_test(test_byte_bound), cmocka_unit_test(test_history_flag),
		cmocka_unit_test(test_ring_wraps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
