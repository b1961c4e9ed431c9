/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the libFuzzer targets (tests/fuzz/fuzz_*.c) share: a reader that cuts an input into
 * numbers and strings, and FUZZ_CHECK, which aborts with a message when a property the code
 * promises does not hold (libFuzzer then saves the input as a crash). Each target is one .c
 * file including this header, so everything here is static inline. `make fuzz` builds and
 * runs them (README, "Fuzzing").
 */
#ifndef OW_TESTS_FUZZ_H
#define OW_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef OW_FIXTURES
#define OW_FIXTURES "tests/fixtures"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                       \
			abort();                                                              \
		}                                                                             \
	} while (0)

/* Out of memory in a target is not a finding: stop loudly instead of checking every malloc. */
static inline void *fuzz_alloc(void *p)
{
	if (!p) {
		fprintf(stderr, "fuzz: out of memory\n");
		abort();
	}
	return p;
}

/* The bytes of an input not consumed yet. Past the end every read gives zeros. */
struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | (uint32_t)fuzz_u16(in) << 16;
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
	uint64_t lo = fuzz_u32(in);

	return lo | (uint64_t)fuzz_u32(in) << 32;
}

/* Copies up to n bytes into dst; returns how many there were. */
static inline size_t fuzz_bytes(struct fuzz_input *in, void *dst, size_t n)
{
	if (n > in->left)
		n = in->left;
	memcpy(dst, in->p, n);
	in->p += n;
	in->left -= n;
	return n;
}

/*
 * A malloc'd string of up to max_len bytes (a length byte, then the bytes; they may hold NULs,
 * which end the string early). NULL, for an absent string, when the length byte is 0xff.
 */
static inline char *fuzz_str(struct fuzz_input *in, size_t max_len)
{
	uint8_t len_byte = fuzz_u8(in);
	size_t len = len_byte;
	char *s;

	if (len_byte == 0xff)
		return NULL;
	if (len > max_len)
		len = max_len;
	s = fuzz_alloc(calloc(1, len + 1));
	fuzz_bytes(in, s, len);
	return s;
}

/* A malloc'd, NUL-terminated copy of a whole input, as a reader's file buffer is. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = fuzz_alloc(malloc(size + 1));

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Whether s[0 .. cap) holds a NUL: a fixed-size string field that is terminated. */
static inline bool fuzz_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

#endif
