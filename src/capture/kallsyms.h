/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel stack symbolization from a kallsyms file (<root>/proc/kallsyms): address -> "sym+0xoff".
 * Loaded once when the recorder starts, so the kill path only does binary searches.
 */
#ifndef OW_KALLSYMS_H
#define OW_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ow_kallsyms;

/* Loads text symbols. -EPERM-like results when addresses are hidden (all zero): -EACCES. */
int ow_kallsyms_load(const char *root, struct ow_kallsyms **ret_ks);
void ow_kallsyms_free(struct ow_kallsyms *ks);

/*
 * Formats addr as "symbol+0xoff" (or "0x<addr>" when unknown) into buf. Returns buf.
 * ks may be NULL.
 */
const char *ow_kallsyms_format(const struct ow_kallsyms *ks, uint64_t addr, char *buf, size_t len);

#endif
