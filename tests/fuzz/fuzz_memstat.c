/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the sampler's parsers (src/capture/memstat.c), each on the input as a
 * NUL-terminated file buffer: /proc/pressure/memory, memory.stat of cgroup v1 and v2, and a
 * limit file (memory.max or memory.limit_in_bytes). Checks that PSI is marked known exactly
 * when it parses, and that a limit is "max" or below v1's "unlimited".
 */
#include "fuzz.h"

#include <errno.h>

#include "capture/memstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size);
	struct ow_system_sample sys;
	struct ow_cgroup_sample cg;
	uint64_t limit;
	int r;

	memset(&sys, 0, sizeof(sys));
	r = ow_psi_parse(buf, &sys);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK(sys.psi_known == (r == 0));
	for (int version = 1; version <= 2; version++) {
		memset(&cg, 0, sizeof(cg));
		r = ow_memcg_stat_parse(buf, version, &cg);
		FUZZ_CHECK(r == 0 || r == -EINVAL);
	}
	r = ow_memcg_limit_parse(buf, &limit);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	/* v1's PAGE_COUNTER_MAX and more read as no limit. */
	FUZZ_CHECK(r < 0 || limit == OW_LIMIT_NONE || limit < (1ULL << 62));
	free(buf);
	return 0;
}
