/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the history codec (src/store/series_codec.c), both ways:
 *
 *   decode  the input is a blob as the store reads it from a row; its dimensions are read from
 *           its own header (capped), so that a blob that decodes is possible at all. What
 *           decodes must encode again within ow_series_max_bytes() and decode to the same
 *           presence flags and values.
 *   encode  the input is a series (dimensions, presence bits, then values, zero when the input
 *           runs out): it must encode within ow_series_max_bytes() and decode back exactly.
 *
 * The codec promises never to read or write outside its buffers: they are heap-allocated to
 * their exact size, so ASan sees any access past them.
 */
#include "fuzz.h"

#include <errno.h>

#include "store/series_codec.h"

#define MAX_SAMPLES 512
#define MAX_FIELDS 16

struct series {
	size_t n_samples, n_fields;
	bool *present;
	uint64_t *values;
};

static void series_alloc(struct series *s, size_t n_samples, size_t n_fields)
{
	s->n_samples = n_samples;
	s->n_fields = n_fields;
	s->present = fuzz_alloc(calloc(n_samples ? n_samples : 1, sizeof(bool)));
	s->values = fuzz_alloc(
		calloc(n_samples * n_fields ? n_samples * n_fields : 1, sizeof(uint64_t)));
}

static void series_free(struct series *s)
{
	free(s->present);
	free(s->values);
}

/* Encodes s, decodes the blob again, and checks both agree with s. */
static void round_trip(const struct series *s)
{
	size_t max = ow_series_max_bytes(s->n_samples, s->n_fields), len = 0;
	struct series back;
	uint8_t *blob;

	FUZZ_CHECK(max != SIZE_MAX);
	blob = fuzz_alloc(malloc(max));
	FUZZ_CHECK(ow_series_encode(s->present, s->values, s->n_samples, s->n_fields, blob, max,
				    &len) == 0);
	FUZZ_CHECK(len > 0 && len <= max);
	series_alloc(&back, s->n_samples, s->n_fields);
	FUZZ_CHECK(ow_series_decode(blob, len, s->n_samples, s->n_fields, back.present,
				    back.values) == 0);
	for (size_t i = 0; i < s->n_samples; i++) {
		FUZZ_CHECK(back.present[i] == s->present[i]);
		for (size_t f = 0; f < s->n_fields && s->present[i]; f++)
			FUZZ_CHECK(back.values[i * s->n_fields + f] ==
				   s->values[i * s->n_fields + f]);
	}
	/* Too small a buffer is refused, not overrun. */
	if (len > 1)
		FUZZ_CHECK(ow_series_encode(s->present, s->values, s->n_samples, s->n_fields, blob,
					    len - 1, &len) == -ENOBUFS);
	series_free(&back);
	free(blob);
}

/* A varint at *pos of blob, as the codec writes them; false when cut or too long. */
static bool varint(const uint8_t *blob, size_t len, size_t *pos, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t b = blob[(*pos)++];

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return true;
		}
	}
	return false;
}

static void fuzz_decode(const uint8_t *blob, size_t len)
{
	uint64_t n_samples = 0, n_fields = 1;
	size_t pos = 1;
	struct series s;
	int r;

	if (len > 0 &&
	    (!varint(blob, len, &pos, &n_samples) || !varint(blob, len, &pos, &n_fields)))
		n_samples = 0, n_fields = 1;
	if (n_samples > MAX_SAMPLES || n_fields == 0 || n_fields > MAX_FIELDS)
		return;
	series_alloc(&s, n_samples, n_fields);
	r = ow_series_decode(blob, len, n_samples, n_fields, s.present, s.values);
	FUZZ_CHECK(r == 0 || r == -EPROTO);
	if (r == 0) {
		for (size_t i = 0; i < n_samples; i++)
			for (size_t f = 0; f < n_fields && !s.present[i]; f++)
				FUZZ_CHECK(s.values[i * n_fields + f] == 0);
		round_trip(&s);
	}
	/* Without presence flags, only a blob whose samples are all present decodes. */
	r = ow_series_decode(blob, len, n_samples, n_fields, NULL, s.values);
	FUZZ_CHECK(r == 0 || r == -EPROTO);
	series_free(&s);
}

static void fuzz_encode(struct fuzz_input *in)
{
	size_t n_samples = fuzz_u16(in) % (MAX_SAMPLES + 1);
	size_t n_fields = 1 + fuzz_u8(in) % MAX_FIELDS;
	struct series s;

	series_alloc(&s, n_samples, n_fields);
	for (size_t i = 0; i < n_samples; i += 8) {
		uint8_t bits = fuzz_u8(in);

		for (size_t b = 0; b < 8 && i + b < n_samples; b++)
			s.present[i + b] = !(bits >> b & 1); /* zeros: present */
	}
	for (size_t i = 0; i < n_samples * n_fields; i++)
		s.values[i] = fuzz_u64(in);
	round_trip(&s);
	series_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;

	if (size == 0)
		return 0;
	/* The first byte picks the direction; the rest is the blob or the series. */
	in.p = data + 1;
	in.left = size - 1;
	if (data[0] & 1)
		fuzz_encode(&in);
	else
		fuzz_decode(in.p, in.left);
	return 0;
}
