/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How fuzz_consumer reads its input as ring-buffer records, and how seeds.c writes one: a
 * record is an op byte, for some sizes a 16-bit size (little-endian), then the record's bytes
 * after its header (bpf/oomwitness.h), missing ones zero. The op byte:
 *
 *   bits 0-2  the record type, OW_EV_KILL_BEGIN (1) to OW_EV_EXIT (6); 0 flushes the consumer
 *             instead; 7 takes the type from 4 more bytes (any value: OW_EV_ADJ (7) and the
 *             reaper's records (8, 9) come this way)
 *   bits 3-4  the size handed over: the type's own (FUZZ_SIZE_OWN), shorter, longer, or any
 *   bits 5-7  the header's kill_seq
 *
 * Records are copied into an 8-byte aligned buffer, as the ring buffer aligns them.
 */
#ifndef OW_TESTS_FUZZ_CONSUMER_INPUT_H
#define OW_TESTS_FUZZ_CONSUMER_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "oomwitness.h"

#define FUZZ_OP_FLUSH 0
#define FUZZ_OP_ANY_TYPE 7
#define FUZZ_SIZE_OWN 0
#define FUZZ_SIZE_SHORTER 1
#define FUZZ_SIZE_LONGER 2
#define FUZZ_SIZE_ANY 3
#define FUZZ_RECORD_MAX 4096

static inline uint8_t fuzz_op(unsigned int type, unsigned int size_kind, uint32_t kill_seq)
{
	return (uint8_t)((type & 7) | (size_kind & 3) << 3 | (kill_seq & 7) << 5);
}

/* The size of a record of this type; a header's for types the consumer does not know. */
static inline size_t fuzz_record_size(uint32_t type)
{
	switch (type) {
	case OW_EV_KILL_BEGIN:
		return sizeof(struct ow_event_kill_begin);
	case OW_EV_CGROUP:
		return sizeof(struct ow_event_cgroup);
	case OW_EV_TASKS:
		return sizeof(struct ow_event_tasks);
	case OW_EV_KILL_END:
		return sizeof(struct ow_event_kill_end);
	case OW_EV_EXEC:
	case OW_EV_EXIT:
		return sizeof(struct ow_event_proc);
	case OW_EV_ADJ:
		return sizeof(struct ow_event_adj);
	case OW_EV_REAP_START:
	case OW_EV_REAP_END:
		return sizeof(struct ow_event_reap);
	default:
		return sizeof(struct ow_event_header);
	}
}

#endif
