/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the /dev/kmsg parser (src/capture/kmsg.c): the input is one record, given
 * with its exact length and no NUL, as read() returns it; then the same bytes as decoded
 * text for the OOM-line recogniser alone. Checks that every string the parser fills is
 * terminated within its buffer, that the decoded text is no longer than the record, and that
 * a field's bit is set only with its kind.
 */
#include "fuzz.h"

#include "capture/kmsg.h"

static void check(const struct ow_kmsg_record *r, size_t size)
{
	FUZZ_CHECK(r->text_len < sizeof(r->text) && r->text[r->text_len] == '\0');
	FUZZ_CHECK(r->text_len <= size);
	FUZZ_CHECK(fuzz_terminated(r->comm, sizeof(r->comm)));
	FUZZ_CHECK(fuzz_terminated(r->oom_memcg, sizeof(r->oom_memcg)));
	FUZZ_CHECK(fuzz_terminated(r->task_memcg, sizeof(r->task_memcg)));
	FUZZ_CHECK(fuzz_terminated(r->cpuset, sizeof(r->cpuset)));
	FUZZ_CHECK(r->kind != OW_KMSG_OTHER || (r->fields == 0 && r->pid == 0 && !r->comm[0]));
	FUZZ_CHECK(r->kind == OW_KMSG_OOM_SUMMARY || !(r->fields & OW_KMSG_F_TASK_MEMCG));
	FUZZ_CHECK(r->pid >= 0);
	FUZZ_CHECK(r->oom_score_adj >= INT16_MIN && r->oom_score_adj <= INT16_MAX);
	FUZZ_CHECK(ow_kmsg_kind_name(r->kind) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ow_kmsg_record rec;

	if (ow_kmsg_parse((const char *)data, size, &rec) == 0)
		check(&rec, size);
	memset(&rec, 0, sizeof(rec));
	(void)ow_kmsg_parse_oom((const char *)data, size, &rec);
	check(&rec, size);
	return 0;
}
