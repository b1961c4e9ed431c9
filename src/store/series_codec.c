// SPDX-License-Identifier: GPL-2.0-only
/*
 * The series codec (series_codec.h): compact, strictly checked blobs of integer columns.
 *
 * Layout of a blob. Every number is an unsigned LEB128 varint (7 bits a byte, low first, at
 * most 10 bytes) except the first byte:
 *
 *   format (OW_SERIES_FORMAT_V1), n_samples, n_fields,
 *   n_fields + 1 columns: first the presence flags (one 0/1 per sample), then each field in
 *   order (one value per present sample).
 *
 * A column is a header h = scale << 1 | (order - 1), then tokens. A token t != 0 is one number
 * x = unzigzag(t); a token 0 is followed by r and stands for r + 1 numbers 0. A column holding
 * values v_0 .. v_{m-1} is written as the numbers
 *
 *   x_0 = v_0,  q_i = (v_i - v_{i-1}) / scale  (i >= 1),
 *   order 1: x_i = q_i;  order 2: x_1 = q_1, x_i = q_i - q_{i-1}  (i >= 2),
 *
 * all modulo 2^64, differences read as signed. scale is the greatest common divisor of the
 * column's differences (page-sized steps shrink 4096-fold), 1 when it is 0 or above INT64_MAX.
 * The encoder writes each column in both orders and keeps the shorter: order 1 for memory that
 * holds still or moves in steps, order 2 for clocks and steady growth.
 */
#include "store/series_codec.h"

#include <errno.h>
#include <string.h>

#define VARINT_MAX_BYTES 10

/* Writes bytes to buf, or with buf NULL only counts them. */
struct writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool full; /* a byte did not fit */
};

struct reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

/* One column of a series being encoded: the presence flags, or one field of present samples. */
struct column {
	const bool *present; /* NULL: every sample is present */
	const uint64_t *values; /* NULL: this is the presence column */
	size_t n_samples;
	size_t n_fields;
	size_t field;
};

static uint64_t zigzag(uint64_t x)
{
	return (x << 1) ^ (0 - (x >> 63));
}

static uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

/* |x| of x read as a signed number; 2^63 for INT64_MIN. */
static uint64_t magnitude(uint64_t x)
{
	return x >> 63 ? 0 - x : x;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void put_byte(struct writer *w, uint8_t byte)
{
	if (w->buf) {
		if (w->len == w->cap) {
			w->full = true;
			return;
		}
		w->buf[w->len] = byte;
	}
	w->len++;
}

static void put_varint(struct writer *w, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(w, (uint8_t)v);
}

static void put_zero_run(struct writer *w, uint64_t *run)
{
	if (!*run)
		return;
	put_varint(w, 0);
	put_varint(w, *run - 1);
	*run = 0;
}

/* The column's next value from sample *i on, advancing *i; false after the last. */
static bool column_next(const struct column *c, size_t *i, uint64_t *ret)
{
	while (*i < c->n_samples) {
		size_t at = (*i)++;
		bool present = !c->present || c->present[at];

		if (!c->values) {
			*ret = present;
			return true;
		}
		if (present) {
			*ret = c->values[at * c->n_fields + c->field];
			return true;
		}
	}
	return false;
}

/* The largest step all the column's differences are multiples of; 1 when there is none. */
static uint64_t column_scale(const struct column *c)
{
	uint64_t prev = 0, v, g = 0;
	size_t i = 0;
	bool first = true;

	while (column_next(c, &i, &v)) {
		if (!first)
			g = gcd(g, magnitude(v - prev));
		first = false;
		prev = v;
	}
	return g == 0 || g > INT64_MAX ? 1 : g;
}

/* Writes the column's header and tokens for a scale and an order (1 or 2). */
static void put_column(struct writer *w, const struct column *c, uint64_t scale, unsigned int order)
{
	uint64_t prev = 0, prev_q = 0, run = 0, v;
	size_t i = 0;

	put_varint(w, scale << 1 | (order - 1));
	for (size_t k = 0; column_next(c, &i, &v); k++) {
		uint64_t x = v;

		if (k > 0) {
			/* Exact: scale divides the difference. Signed division by scale >= 1. */
			uint64_t q = (uint64_t)((int64_t)(v - prev) / (int64_t)scale);

			x = order == 2 && k >= 2 ? q - prev_q : q;
			prev_q = q;
		}
		prev = v;
		if (x == 0) {
			run++;
			continue;
		}
		put_zero_run(w, &run);
		put_varint(w, zigzag(x));
	}
	put_zero_run(w, &run);
}

static void encode_column(struct writer *w, const struct column *c)
{
	uint64_t scale = column_scale(c);
	struct writer order1 = { 0 }, order2 = { 0 };

	put_column(&order1, c, scale, 1);
	put_column(&order2, c, scale, 2);
	put_column(w, c, scale, order2.len < order1.len ? 2 : 1);
}

size_t ow_series_max_bytes(size_t n_samples, size_t n_fields)
{
	size_t per_column;

	/* Per column a header and at most one varint per value (a run of zeros costs less). */
	if (n_fields == SIZE_MAX || n_samples >= SIZE_MAX / VARINT_MAX_BYTES - 1)
		return SIZE_MAX;
	per_column = VARINT_MAX_BYTES * (n_samples + 1);
	if (n_fields + 1 > (SIZE_MAX - 1 - (size_t)2 * VARINT_MAX_BYTES) / per_column)
		return SIZE_MAX;
	return 1 + 2 * VARINT_MAX_BYTES + (n_fields + 1) * per_column;
}

int ow_series_encode(const bool *present, const uint64_t *values, size_t n_samples, size_t n_fields,
		     uint8_t *buf, size_t buf_bytes, size_t *ret_bytes)
{
	struct writer w = { .buf = buf, .cap = buf_bytes };
	struct column c = { .present = present, .n_samples = n_samples, .n_fields = n_fields };

	if (n_fields == 0 || !buf || !ret_bytes || (n_samples && !values))
		return -EINVAL;
	put_byte(&w, OW_SERIES_FORMAT_V1);
	put_varint(&w, n_samples);
	put_varint(&w, n_fields);
	encode_column(&w, &c);
	c.values = values;
	for (c.field = 0; c.field < n_fields; c.field++)
		encode_column(&w, &c);
	if (w.full)
		return -ENOBUFS;
	*ret_bytes = w.len;
	return 0;
}

static int get_varint(struct reader *r, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		uint8_t byte;

		if (r->pos == r->len)
			return -EPROTO;
		byte = r->buf[r->pos++];
		if (shift == 63 && byte > 1)
			return -EPROTO; /* more than 64 bits */
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*ret = v;
			return 0;
		}
	}
	return -EPROTO;
}

/* Decodes a column of m values into out[k * stride + field], k < m. */
static int get_column(struct reader *r, size_t m, uint64_t *out, size_t stride, size_t field)
{
	uint64_t h, scale, run = 0, prev = 0, q = 0;
	unsigned int order;
	int err;

	err = get_varint(r, &h);
	if (err < 0)
		return err;
	scale = h >> 1;
	order = (unsigned int)(h & 1) + 1;
	if (scale == 0)
		return -EPROTO;
	for (size_t k = 0; k < m; k++) {
		uint64_t x = 0;

		if (run) {
			run--;
		} else {
			uint64_t t;

			err = get_varint(r, &t);
			if (err < 0)
				return err;
			if (t == 0) {
				err = get_varint(r, &run);
				if (err < 0)
					return err;
				/* r + 1 zeros, this one included: no more than the column has left. */
				if (run >= m - k)
					return -EPROTO;
			} else {
				x = unzigzag(t);
			}
		}
		if (k == 0) {
			prev = x;
		} else {
			q = order == 2 && k >= 2 ? q + x : x;
			prev += q * scale;
		}
		out[k * stride + field] = prev;
	}
	return 0;
}

int ow_series_decode(const uint8_t *blob, size_t blob_bytes, size_t n_samples, size_t n_fields,
		     bool *ret_present, uint64_t *ret_values)
{
	struct reader r = { .buf = blob, .len = blob_bytes, .pos = 1 };
	uint64_t n_samples_blob, n_fields_blob;
	size_t n_present = 0;
	int err;

	if (n_fields == 0 || n_samples > SIZE_MAX / n_fields || (!blob && blob_bytes) ||
	    (n_samples && !ret_values))
		return -EINVAL;
	if (blob_bytes == 0 || blob[0] != OW_SERIES_FORMAT_V1)
		return -EPROTO;
	err = get_varint(&r, &n_samples_blob);
	if (!err)
		err = get_varint(&r, &n_fields_blob);
	if (err < 0)
		return err;
	if (n_samples_blob != n_samples || n_fields_blob != n_fields)
		return -EPROTO;

	/* The presence flags, through the first field's slots, which the fields overwrite. */
	err = get_column(&r, n_samples, ret_values, n_fields, 0);
	if (err < 0)
		return err;
	for (size_t i = 0; i < n_samples; i++) {
		uint64_t flag = ret_values[i * n_fields];

		if (flag > 1 || (!ret_present && !flag))
			return -EPROTO;
		if (ret_present)
			ret_present[i] = flag;
		n_present += flag;
	}
	/* The fields of present samples, packed into the first n_present rows. */
	for (size_t f = 0; f < n_fields; f++) {
		err = get_column(&r, n_present, ret_values, n_fields, f);
		if (err < 0)
			return err;
	}
	if (r.pos != r.len)
		return -EPROTO;

	/* Spread the packed rows out to their samples, from the end: row k moves to i >= k. */
	for (size_t i = n_samples, k = n_present; i-- > 0;) {
		uint64_t *row = &ret_values[i * n_fields];

		if (ret_present && !ret_present[i])
			memset(row, 0, n_fields * sizeof(*row));
		else if (--k != i)
			memcpy(row, &ret_values[k * n_fields], n_fields * sizeof(*row));
	}
	return 0;
}
