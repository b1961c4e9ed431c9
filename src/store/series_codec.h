/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The series codec: columns of 64-bit integers packed into a few bytes, for the memory
 * histories the store keeps (docs/storage.md, "History blobs").
 *
 * A series is n_samples samples, each a presence flag and n_fields unsigned 64-bit values. The
 * encoder stores the presence flags as one column and each field as another, holding only the
 * values of present samples: the first value as is, every later one as its difference from the
 * previous one (or the difference of differences, whichever is smaller), divided by the
 * column's greatest common step, zigzagged and written as a varint, with runs of zeros written
 * once. A value that does not change costs nothing but its run, so an idle process costs a few
 * bytes per column, not per sample. The first byte of a blob is its format.
 *
 * Pure: no I/O, no SQLite, no allocation. Decoding checks every length against the blob and
 * never reads or writes outside the buffers it is given.
 */
#ifndef OW_SERIES_CODEC_H
#define OW_SERIES_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The format byte that starts every blob this codec writes. */
#define OW_SERIES_FORMAT_V1 1

/*
 * The most bytes ow_series_encode() can write for a series of these dimensions, or SIZE_MAX
 * when that does not fit a size_t.
 */
size_t ow_series_max_bytes(size_t n_samples, size_t n_fields);

/*
 * Encodes a series into buf: present[n_samples] (NULL: every sample is present) and
 * values[n_samples * n_fields], row-major (values[i * n_fields + f] is field f of sample i).
 * The values of absent samples are not stored; they decode as 0. Sets *ret_bytes to the bytes
 * written. Returns 0, -EINVAL (n_fields 0, or a NULL buffer), or -ENOBUFS when buf_bytes is too
 * small (never with ow_series_max_bytes()).
 */
int ow_series_encode(const bool *present, const uint64_t *values, size_t n_samples, size_t n_fields,
		     uint8_t *buf, size_t buf_bytes, size_t *ret_bytes);

/*
 * Decodes a blob written by ow_series_encode() for exactly n_samples and n_fields into the
 * caller's ret_present[n_samples] and ret_values[n_samples * n_fields]. With ret_present NULL
 * every sample must be present. Returns 0; -EPROTO when the blob is truncated or corrupt, has
 * bytes left over, another format byte, other dimensions, or an absent sample where all must
 * be present; -EINVAL for bad arguments. On failure the outputs hold partial results.
 */
int ow_series_decode(const uint8_t *blob, size_t blob_bytes, size_t n_samples, size_t n_fields,
		     bool *ret_present, uint64_t *ret_values);

#endif
