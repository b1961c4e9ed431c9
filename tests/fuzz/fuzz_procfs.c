/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the /proc parsers (src/capture/procfs.c) on buffers as their readers hand
 * them over: /proc/meminfo, /proc/vmstat and boot_id as NUL-terminated text, a cmdline as raw
 * bytes of an exact length. Checks what each promises: MemTotal found means success, and a
 * joined cmdline has no NUL inside, no trailing separator, and the length of the raw bytes
 * without their trailing NULs.
 */
#include "fuzz.h"

#include <errno.h>

#include "capture/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size), *cmdline;
	struct ow_meminfo info;
	size_t trimmed = size;
	uint64_t v;
	int r;

	r = ow_meminfo_parse(buf, &info);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK(r < 0 || strstr(buf, "MemTotal:"));
	r = ow_vmstat_oom_kills_parse(buf, &v);
	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
	r = ow_boot_id_parse(buf, &v);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	free(buf);

	cmdline = ow_procfs_cmdline_from_raw((const char *)data, size);
	while (trimmed > 0 && data[trimmed - 1] == '\0')
		trimmed--;
	FUZZ_CHECK((cmdline == NULL) == (trimmed == 0));
	if (cmdline) {
		FUZZ_CHECK(strlen(cmdline) == trimmed);
		for (size_t i = 0; i < trimmed; i++)
			FUZZ_CHECK(cmdline[i] == (data[i] ? (char)data[i] : ' '));
	}
	free(cmdline);
	return 0;
}
