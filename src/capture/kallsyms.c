/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel symbol table for stack symbolization (see kallsyms.h). Symbol names are stored in
 * one arena to keep the table compact (about 150,000 text symbols on a distribution kernel).
 */
#include "capture/kallsyms.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No kernel function is this long: a larger offset means the address is not in the table. */
#define OW_KSYM_MAX_SIZE (256ULL << 10)
#define OW_KSYM_SPAN (UINT64_MAX / 2)

struct ow_ksym {
	uint64_t addr;
	uint32_t name_off;
};

struct ow_kallsyms {
	struct ow_ksym *syms;
	size_t n;
	char *names;
	size_t names_len;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ow_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int ks_add(struct ow_kallsyms *ks, size_t *cap, size_t *names_cap, uint64_t addr,
		  const char *name)
{
	size_t len = strlen(name) + 1;

	if (ks->n == *cap) {
		size_t new_cap = *cap ? *cap * 2 : 65536;
		struct ow_ksym *s = realloc(ks->syms, new_cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		ks->syms = s;
		*cap = new_cap;
	}
	if (ks->names_len + len > *names_cap) {
		size_t new_cap = *names_cap ? *names_cap * 2 : 1 << 20;
		char *p;

		while (new_cap < ks->names_len + len)
			new_cap *= 2;
		p = realloc(ks->names, new_cap);
		if (!p)
			return -ENOMEM;
		ks->names = p;
		*names_cap = new_cap;
	}
	memcpy(ks->names + ks->names_len, name, len);
	ks->syms[ks->n].addr = addr;
	ks->syms[ks->n].name_off = (uint32_t)ks->names_len;
	ks->names_len += len;
	ks->n++;
	return 0;
}

int ow_kallsyms_load(const char *root, struct ow_kallsyms **ret_ks)
{
	struct ow_kallsyms *ks;
	size_t cap = 0, names_cap = 0;
	char path[256], line[512];
	bool any_nonzero = false;
	int r = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/kallsyms", root);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ks = calloc(1, sizeof(*ks));
	if (!ks) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		char type, name[256];
		uint64_t addr;

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (addr)
			any_nonzero = true;
		r = ks_add(ks, &cap, &names_cap, addr, name);
		if (r < 0)
			goto out_free;
	}
	if (!any_nonzero) {
		r = -EACCES; /* kptr_restrict hides the addresses */
		goto out_free;
	}
	qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_ksym);
	fclose(f);
	*ret_ks = ks;
	return 0;

out_free:
	fclose(f);
	ow_kallsyms_free(ks);
	return r;
}

void ow_kallsyms_free(struct ow_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->names);
	free(ks);
}

const char *ow_kallsyms_format(const struct ow_kallsyms *ks, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi;

	if (!ks || ks->n == 0 || addr < ks->syms[0].addr ||
	    addr - ks->syms[0].addr > OW_KSYM_SPAN) {
		snprintf(buf, len, "0x%" PRIx64, addr);
		return buf;
	}
	/* Last symbol whose address is <= addr. */
	hi = ks->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* Past the end of the last function: a BPF program or module text we do not know. */
	if (addr - ks->syms[lo].addr > OW_KSYM_MAX_SIZE) {
		snprintf(buf, len, "0x%" PRIx64, addr);
		return buf;
	}
	snprintf(buf, len, "%s+0x%" PRIx64, ks->names + ks->syms[lo].name_off,
		 addr - ks->syms[lo].addr);
	return buf;
}
