/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Byte counts for people (units.h), in integer arithmetic so that rounding is exact at every
 * size, up to UINT64_MAX.
 */
#include "model/units.h"

#include <stdio.h>

#define KIB 1024ull

const char *ow_format_bytes(char buf[OW_BYTES_TEXT_LEN], uint64_t bytes)
{
	static const char *const units[] = { "MiB", "GiB", "TiB", "PiB", "EiB" };
	const size_t n_units = sizeof(units) / sizeof(units[0]);
	uint64_t unit_bytes = KIB * KIB, tenths = 0;
	size_t u;

	if (bytes < KIB) {
		snprintf(buf, OW_BYTES_TEXT_LEN, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	/* Whole KiB, rounded; from 1023.5 KiB on that would be 1024 KiB, so MiB. */
	if (bytes < KIB * KIB - KIB / 2) {
		snprintf(buf, OW_BYTES_TEXT_LEN, "%llu KiB",
			 (unsigned long long)((bytes + KIB / 2) / KIB));
		return buf;
	}
	/*
	 * Tenths of the unit, rounded, without overflow: the remainder is below 2^60 (EiB), so
	 * ten of it plus half a unit stays below 2^64. Move up while it would print 1024.0.
	 */
	for (u = 0; u < n_units; u++, unit_bytes *= KIB) {
		tenths = bytes / unit_bytes * 10 +
			 (bytes % unit_bytes * 10 + unit_bytes / 2) / unit_bytes;
		if (tenths < KIB * 10 || u + 1 == n_units)
			break;
	}
	/* Below 10240 tenths but in EiB, where it is at most 160: "1023.9 PiB" is the longest. */
	snprintf(buf, OW_BYTES_TEXT_LEN, "%u.%u %s", (unsigned int)(tenths / 10),
		 (unsigned int)(tenths % 10), units[u]);
	return buf;
}
