/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of src/model/shared_str.c: a shared string lives as long as its last reference
 * (ASan reports a use after free or a leak otherwise), a pool hands out one string per text,
 * keeps the ones others hold through a sweep, grows past its first table and shrinks again,
 * and a process copied or cleared (model.c) takes or lets go of references, not copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "model/shared_str.h"

static void test_refs(void **state)
{
	char *s = ow_shared_strdup("/usr/bin/keydb-server /etc/keydb.conf"), *t;

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "/usr/bin/keydb-server /etc/keydb.conf");
	assert_int_equal(ow_shared_str_refs(s), 1);
	t = ow_shared_str_ref(s);
	assert_ptr_equal(t, s);
	assert_int_equal(ow_shared_str_refs(s), 2);
	ow_shared_str_unref(s);
	assert_string_equal(t, "/usr/bin/keydb-server /etc/keydb.conf"); /* still there */
	ow_shared_str_unref(t);
	assert_null(ow_shared_str_ref(NULL));
	ow_shared_str_unref(NULL);

	s = ow_shared_strdup("");
	assert_string_equal(s, "");
	ow_shared_str_unref(s);
}

static void test_pool(void **state)
{
	struct ow_str_pool *pool = NULL;
	char *a, *b, *c, *held[1000];
	char text[64];

	(void)state;
	assert_int_equal(ow_str_pool_new(&pool), 0);
	a = ow_str_pool_intern(pool, "/system.slice/keydb.service");
	b = ow_str_pool_intern(pool, "/system.slice/keydb.service");
	c = ow_str_pool_intern(pool, "/system.slice/sshd.service");
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(a, c);
	assert_int_equal(ow_str_pool_size(pool), 2);
	assert_int_equal(ow_shared_str_refs(a), 3); /* a, b and the pool's */

	/* A sweep drops only what nobody else holds. */
	assert_int_equal(ow_str_pool_sweep(pool), 0);
	ow_shared_str_unref(c);
	assert_int_equal(ow_str_pool_sweep(pool), 1);
	assert_int_equal(ow_str_pool_size(pool), 1);
	assert_ptr_equal(ow_str_pool_intern(pool, "/system.slice/keydb.service"), a);
	ow_shared_str_unref(a);

	/* 1,000 texts: the table grows; every one still found, each once. */
	for (int i = 0; i < 1000; i++) {
		snprintf(text, sizeof(text), "/usr/lib/app/worker --id %d", i);
		held[i] = ow_str_pool_intern(pool, text);
		assert_non_null(held[i]);
	}
	assert_int_equal(ow_str_pool_size(pool), 1001);
	for (int i = 0; i < 1000; i++) {
		snprintf(text, sizeof(text), "/usr/lib/app/worker --id %d", i);
		c = ow_str_pool_intern(pool, text);
		assert_ptr_equal(c, held[i]);
		ow_shared_str_unref(c);
	}
	/* Let go of all but every tenth: the sweep shrinks the table; the rest are still found. */
	for (int i = 0; i < 1000; i++)
		if (i % 10)
			ow_shared_str_unref(held[i]);
	assert_int_equal(ow_str_pool_sweep(pool), 900);
	assert_int_equal(ow_str_pool_size(pool), 101);
	for (int i = 0; i < 1000; i += 10) {
		snprintf(text, sizeof(text), "/usr/lib/app/worker --id %d", i);
		c = ow_str_pool_intern(pool, text);
		assert_ptr_equal(c, held[i]);
		ow_shared_str_unref(c);
	}
	assert_int_equal(ow_str_pool_size(pool), 101);

	/* Freeing the pool leaves the strings others hold. */
	ow_str_pool_free(pool);
	assert_int_equal(ow_shared_str_refs(b), 2); /* a and b */
	assert_string_equal(b, "/system.slice/keydb.service");
	ow_shared_str_unref(a);
	ow_shared_str_unref(b);
	for (int i = 0; i < 1000; i += 10) {
		assert_int_equal(ow_shared_str_refs(held[i]), 1);
		ow_shared_str_unref(held[i]);
	}
	ow_str_pool_free(NULL);
}

/* A process copy shares its strings; clearing either lets go of its own references. */
static void test_process_copy(void **state)
{
	struct ow_process p = { .pid = 42 }, q;

	(void)state;
	p.cmdline = ow_shared_strdup("postgres: checkpointer");
	p.cgroup = ow_shared_strdup("/system.slice/postgresql.service");
	assert_int_equal(ow_process_copy(&q, &p), 0);
	assert_ptr_equal(q.cmdline, p.cmdline);
	assert_ptr_equal(q.cgroup, p.cgroup);
	assert_int_equal(ow_shared_str_refs(p.cmdline), 2);
	ow_process_clear(&p);
	assert_null(p.cmdline);
	assert_string_equal(q.cmdline, "postgres: checkpointer");
	assert_int_equal(ow_shared_str_refs(q.cgroup), 1);
	ow_process_clear(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_process_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
