// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the series codec (src/store/series_codec.c): exact round trips of extreme and
 * realistic series, the sizes that make it worth having (an idle series costs a few bytes per
 * column, not per sample), and strict decoding: every truncation, every flipped bit and random
 * bytes give -EPROTO or a clean result, never a read out of bounds (ASan watches; each blob is
 * copied into a buffer of exactly its size).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/series_codec.h"

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

struct series {
	size_t n_samples;
	size_t n_fields;
	bool *present;
	uint64_t *values;
};

static struct series series_new(size_t n_samples, size_t n_fields)
{
	struct series s = { n_samples, n_fields, NULL, NULL };

	s.present = calloc(n_samples ? n_samples : 1, sizeof(*s.present));
	s.values = calloc(n_samples ? n_samples * n_fields : 1, sizeof(*s.values));
	assert_non_null(s.present);
	assert_non_null(s.values);
	return s;
}

/* The values of sample i. */
static uint64_t *row_of(const struct series *s, size_t i)
{
	return s->values + i * s->n_fields;
}

static void series_free(struct series *s)
{
	free(s->present);
	free(s->values);
}

/* Encodes into an exactly sized heap copy; *ret_bytes its length. */
static uint8_t *encode(const struct series *s, bool all_present, size_t *ret_bytes)
{
	size_t max = ow_series_max_bytes(s->n_samples, s->n_fields);
	uint8_t *buf = malloc(max), *exact;

	assert_non_null(buf);
	assert_int_equal(ow_series_encode(all_present ? NULL : s->present, s->values, s->n_samples,
					  s->n_fields, buf, max, ret_bytes),
			 0);
	assert_true(*ret_bytes <= max);
	exact = malloc(*ret_bytes);
	assert_non_null(exact);
	memcpy(exact, buf, *ret_bytes);
	free(buf);
	return exact;
}

/* Encodes, decodes, and checks the result: absent samples come back as zeros. */
static size_t assert_round_trip(const struct series *s)
{
	struct series got = series_new(s->n_samples, s->n_fields);
	size_t bytes;
	uint8_t *blob = encode(s, false, &bytes);

	assert_int_equal(
		ow_series_decode(blob, bytes, s->n_samples, s->n_fields, got.present, got.values),
		0);
	for (size_t i = 0; i < s->n_samples; i++) {
		assert_int_equal(got.present[i], s->present[i]);
		for (size_t f = 0; f < s->n_fields; f++) {
			uint64_t want = s->present[i] ? s->values[i * s->n_fields + f] : 0;

			assert_int_equal(got.values[i * s->n_fields + f], want);
		}
	}
	free(blob);
	series_free(&got);
	return bytes;
}

static void test_extremes(void **state)
{
	static const uint64_t edge[] = { 0,
					 1,
					 UINT64_MAX,
					 UINT64_MAX - 1,
					 (uint64_t)INT64_MAX,
					 (uint64_t)INT64_MIN,
					 (uint64_t)INT64_MIN + 1,
					 1ull << 62,
					 (uint64_t)-1000,
					 4096 };
	const size_t n_edge = sizeof(edge) / sizeof(edge[0]);
	struct series s = series_new(n_edge * n_edge, 3);

	(void)state;
	/* Every pair of extremes follows each other somewhere, in every field. */
	for (size_t i = 0; i < s.n_samples; i++) {
		s.present[i] = true;
		s.values[i * 3 + 0] = edge[i / n_edge];
		s.values[i * 3 + 1] = edge[i % n_edge];
		s.values[i * 3 + 2] = edge[(i * 7) % n_edge];
	}
	assert_round_trip(&s);
	/* Differences of exactly INT64_MIN, and a column of huge equal steps. */
	for (size_t i = 0; i < s.n_samples; i++) {
		s.values[i * 3 + 0] = (i % 2) ? (uint64_t)INT64_MIN : 0;
		s.values[i * 3 + 1] = (uint64_t)i * (1ull << 62);
		s.values[i * 3 + 2] = UINT64_MAX - (uint64_t)i * 3;
	}
	assert_round_trip(&s);
	series_free(&s);
}

static void test_random(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		size_t n = rng() % 300, k = 1 + rng() % 9;
		struct series s = series_new(n, k);
		unsigned int mode = round % 4;

		for (size_t i = 0; i < n; i++) {
			s.present[i] = mode == 0 || rng() % 5;
			for (size_t f = 0; f < k; f++) {
				uint64_t *v = &s.values[i * k + f];
				uint64_t prev = i ? s.values[(i - 1) * k + f] : rng();

				if (mode == 1)
					*v = rng(); /* noise */
				else if (mode == 2)
					*v = prev + (rng() % 3) * 4096 - 4096; /* page steps */
				else
					*v = rng() % 4 ? prev : rng() >> (rng() % 64);
			}
		}
		assert_round_trip(&s);
		series_free(&s);
	}
}

static void test_edges_of_shape(void **state)
{
	struct series s = series_new(0, 1);
	uint8_t buf[64];
	size_t bytes;

	(void)state;
	assert_round_trip(&s); /* no samples */
	series_free(&s);

	s = series_new(1, 6);
	assert_round_trip(&s); /* one absent sample */
	s.present[0] = true;
	s.values[5] = UINT64_MAX;
	assert_round_trip(&s);
	series_free(&s);

	s = series_new(500, 4); /* never present: the values are not even looked at */
	for (size_t i = 0; i < 500 * 4; i++)
		s.values[i] = rng();
	assert_true(assert_round_trip(&s) < 20);
	series_free(&s);

	/* Bad arguments. */
	s = series_new(10, 2);
	assert_int_equal(ow_series_encode(NULL, s.values, 10, 0, buf, sizeof(buf), &bytes),
			 -EINVAL);
	assert_int_equal(ow_series_encode(NULL, NULL, 10, 2, buf, sizeof(buf), &bytes), -EINVAL);
	assert_int_equal(ow_series_encode(NULL, s.values, 10, 2, NULL, 0, &bytes), -EINVAL);
	assert_int_equal(ow_series_encode(NULL, s.values, 10, 2, buf, 3, &bytes), -ENOBUFS);
	assert_int_equal(ow_series_decode(buf, 1, 10, 0, NULL, s.values), -EINVAL);
	assert_int_equal(ow_series_decode(NULL, 5, 10, 2, NULL, s.values), -EINVAL);
	assert_int_equal(ow_series_decode(NULL, 0, 10, 2, NULL, s.values), -EPROTO);
	assert_int_equal(ow_series_max_bytes(SIZE_MAX / 2, 2), SIZE_MAX);
	assert_int_equal(ow_series_max_bytes(1000, SIZE_MAX), SIZE_MAX);
	assert_true(ow_series_max_bytes(0, 1) > 0);
	series_free(&s);
}

/* A process that holds still for 660 samples: a few bytes per column, not per sample. */
static void test_idle_is_cheap(void **state)
{
	struct series s = series_new(660, 6);
	size_t bytes;

	(void)state;
	for (size_t i = 0; i < 660; i++) {
		uint64_t *row = row_of(&s, i);

		s.present[i] = i >= 40; /* started during the window */
		row[0] = (uint64_t)-900; /* adj */
		row[1] = 183ull << 20;
		row[2] = 57ull << 20;
		row[3] = 4096;
		row[4] = 0;
		row[5] = 1ull << 20;
	}
	bytes = assert_round_trip(&s);
	print_message("idle process, 660 samples x 6 fields: %zu bytes\n", bytes);
	assert_true(bytes <= 64);
	series_free(&s);
}

/* A steady grower: page-sized steps shrink by the column's common step. */
static void test_growth_is_small(void **state)
{
	struct series s = series_new(660, 6);
	size_t bytes;

	(void)state;
	for (size_t i = 0; i < 660; i++) {
		uint64_t *row = row_of(&s, i);

		s.present[i] = true;
		/* ~20 MiB/s sampled at 1 s, with jitter of a few hundred pages. */
		row[1] = (64ull << 20) + (uint64_t)i * (20ull << 20) + (rng() % 512) * 4096;
		row[5] = 4096 * (100 + (uint64_t)i / 8);
	}
	bytes = assert_round_trip(&s);
	print_message("growing process, 660 samples x 6 fields: %zu bytes (%.2f per sample)\n",
		      bytes, (double)bytes / 660);
	assert_true(bytes < 660 * 3);
	series_free(&s);
}

/* A clock: exact ticks cost almost nothing, jittered ticks about 3 bytes each. */
static void test_times(void **state)
{
	struct series s = series_new(700, 1);
	struct series got = series_new(700, 1);
	size_t exact_bytes, jitter_bytes;
	uint8_t *blob;

	(void)state;
	for (size_t i = 0; i < 700; i++)
		s.values[i] = 1764100000000000000ull + (uint64_t)i * 1000000000ull;
	blob = encode(&s, true, &exact_bytes);
	assert_int_equal(ow_series_decode(blob, exact_bytes, 700, 1, NULL, got.values), 0);
	assert_memory_equal(got.values, s.values, 700 * sizeof(*s.values));
	free(blob);

	for (size_t i = 0; i < 700; i++)
		s.values[i] += rng() % 100000; /* woken up to 100 us late */
	blob = encode(&s, true, &jitter_bytes);
	assert_int_equal(ow_series_decode(blob, jitter_bytes, 700, 1, NULL, got.values), 0);
	assert_memory_equal(got.values, s.values, 700 * sizeof(*s.values));
	free(blob);

	print_message("time axis, 700 samples: %zu bytes exact 1 s ticks, %zu bytes with up to "
		      "100 us jitter\n",
		      exact_bytes, jitter_bytes);
	assert_true(exact_bytes <= 32);
	assert_true(jitter_bytes <= 700 * 3 + 32);

	/* Decoding with all-present required refuses a series with an absent sample. */
	s.present[0] = true;
	s.present[1] = false;
	for (size_t i = 2; i < 700; i++)
		s.present[i] = true;
	blob = encode(&s, false, &jitter_bytes);
	assert_int_equal(ow_series_decode(blob, jitter_bytes, 700, 1, NULL, got.values), -EPROTO);
	free(blob);
	series_free(&s);
	series_free(&got);
}

/* A realistic mixed series, for the corruption tests. */
static struct series mixed_series(void)
{
	struct series s = series_new(120, 7);

	for (size_t i = 0; i < 120; i++) {
		uint64_t *row = row_of(&s, i);

		s.present[i] = i % 17 != 3;
		row[0] = (512ull << 20) + (uint64_t)i * 8192;
		row[1] = i < 60 ? UINT64_MAX : 256ull << 20;
		row[2] = rng() % (1ull << 40);
		row[3] = (uint64_t)i * 4096;
		row[4] = 0;
		row[5] = 1ull << 20;
		row[6] = rng();
	}
	return s;
}

static int decode_copy(const uint8_t *blob, size_t bytes, struct series *out)
{
	uint8_t *copy = malloc(bytes ? bytes : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, blob, bytes);
	err = ow_series_decode(copy, bytes, out->n_samples, out->n_fields, out->present,
			       out->values);
	free(copy);
	return err;
}

static void test_truncated(void **state)
{
	struct series s = mixed_series(), got = series_new(120, 7);
	size_t bytes;
	uint8_t *blob = encode(&s, false, &bytes);

	(void)state;
	for (size_t len = 0; len < bytes; len++)
		assert_int_equal(decode_copy(blob, len, &got), -EPROTO);
	assert_int_equal(decode_copy(blob, bytes, &got), 0);
	free(blob);
	series_free(&s);
	series_free(&got);
}

static void test_trailing_and_header(void **state)
{
	struct series s = mixed_series(), got = series_new(120, 7), other;
	size_t bytes;
	uint8_t *blob = encode(&s, false, &bytes), *longer = malloc(bytes + 1);

	(void)state;
	assert_non_null(longer);
	memcpy(longer, blob, bytes);
	longer[bytes] = 0;
	assert_int_equal(decode_copy(longer, bytes + 1, &got), -EPROTO);

	blob[0] = OW_SERIES_FORMAT_V1 + 1;
	assert_int_equal(decode_copy(blob, bytes, &got), -EPROTO);
	blob[0] = OW_SERIES_FORMAT_V1;
	assert_int_equal(decode_copy(blob, bytes, &got), 0);

	/* Other dimensions than the caller expects. */
	other = series_new(119, 7);
	assert_int_equal(decode_copy(blob, bytes, &other), -EPROTO);
	series_free(&other);
	other = series_new(120, 6);
	assert_int_equal(decode_copy(blob, bytes, &other), -EPROTO);
	series_free(&other);

	free(longer);
	free(blob);
	series_free(&s);
	series_free(&got);
}

/* Hand-made blobs that break one rule each. */
static void test_forged(void **state)
{
	struct series got = series_new(4, 1);
	/* 4 samples, 1 field: presence "1, then 3 zeros", field "7, 3 zeros". */
	const uint8_t good[] = { 1, 4, 1, 2, 2, 0, 2, 2, 14, 0, 2 };
	const uint8_t run_too_long[] = { 1, 4, 1, 2, 2, 0, 3, 2, 14, 0, 2 };
	const uint8_t scale_zero[] = { 1, 4, 1, 0, 2, 0, 2, 2, 14, 0, 2 };
	const uint8_t presence_two[] = { 1, 4, 1, 2, 4, 0, 2, 2, 14, 0, 2 };
	const uint8_t overlong[] = { 1,	   0x84, 0x80, 0x80, 0x80, 0x80,
				     0x80, 0x80, 0x80, 0x80, 0x80, 0 };
	const uint8_t over64[] = { 1, 0x84, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 };
	const uint8_t field_short[] = { 1, 4, 1, 2, 2, 0, 2, 2, 14, 0, 1 };

	(void)state;
	assert_int_equal(decode_copy(good, sizeof(good), &got), 0);
	for (size_t i = 0; i < 4; i++) {
		assert_true(got.present[i]);
		assert_int_equal(got.values[i], 7);
	}
	assert_int_equal(decode_copy(run_too_long, sizeof(run_too_long), &got), -EPROTO);
	assert_int_equal(decode_copy(scale_zero, sizeof(scale_zero), &got), -EPROTO);
	assert_int_equal(decode_copy(presence_two, sizeof(presence_two), &got), -EPROTO);
	assert_int_equal(decode_copy(overlong, sizeof(overlong), &got), -EPROTO);
	assert_int_equal(decode_copy(over64, sizeof(over64), &got), -EPROTO);
	assert_int_equal(decode_copy(field_short, sizeof(field_short), &got), -EPROTO);
	series_free(&got);
}

/* Every single flipped bit decodes cleanly or fails with -EPROTO; ASan checks the bounds. */
static void test_bit_flips(void **state)
{
	struct series s = mixed_series(), got = series_new(120, 7);
	size_t bytes, failures = 0;
	uint8_t *blob = encode(&s, false, &bytes);

	(void)state;
	for (size_t at = 0; at < bytes; at++) {
		for (int bit = 0; bit < 8; bit++) {
			int err;

			blob[at] ^= (uint8_t)(1u << bit);
			err = decode_copy(blob, bytes, &got);
			blob[at] ^= (uint8_t)(1u << bit);
			assert_true(err == 0 || err == -EPROTO);
			failures += err != 0;
		}
	}
	/* A flip inside a value just changes it; one in the structure is noticed. */
	print_message("%zu of %zu single-bit flips refused as -EPROTO\n", failures, bytes * 8);
	assert_true(failures > 0);
	free(blob);
	series_free(&s);
	series_free(&got);
}

static void test_random_bytes(void **state)
{
	struct series got = series_new(64, 3);
	uint8_t buf[256] = { 0 };

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = rng() % sizeof(buf);
		int err;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		if (len >= 3 && round % 2) { /* a plausible header, so the columns get parsed */
			buf[0] = OW_SERIES_FORMAT_V1;
			buf[1] = 64;
			buf[2] = 3;
		}
		err = decode_copy(buf, len, &got);
		assert_true(err == 0 || err == -EPROTO);
	}
	series_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extremes),	cmocka_unit_test(test_random),
		cmocka_unit_test(test_edges_of_shape),	cmocka_unit_test(test_idle_is_cheap),
		cmocka_unit_test(test_growth_is_small), cmocka_unit_test(test_times),
		cmocka_unit_test(test_truncated),	cmocka_unit_test(test_trailing_and_header),
		cmocka_unit_test(test_forged),		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
