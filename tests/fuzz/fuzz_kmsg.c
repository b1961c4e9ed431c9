/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the /dev/kmsg parser (src/capture/kmsg.c) and of the kill assembler fed by it
 * (src/capture/kmsg_kill.c). The input is one record, given with its exact length and no NUL,
 * as read() returns it; then the same bytes as decoded text for the OOM-line recogniser alone;
 * then the input cut into lines, each a record (or, when it is not one, a line of text at a
 * made-up time), fed in order to an assembler, as a whole OOM report would be. Checks that
 * every string the parser fills is terminated within its buffer, that the decoded text is no
 * longer than the record, that a field's bit is set only with its kind, that a task row reads
 * the same again with the columns it was read with, and that every kill handed over holds its
 * victim, in a snapshot of unique pids in order, with terminated strings.
 */
#include "fuzz.h"

#include "capture/kmsg.h"
#include "capture/kmsg_kill.h"

/* r was read from size bytes; its OOM fields from text (len bytes). */
static void check(const struct ow_kmsg_record *r, size_t size, const char *text, size_t len)
{
	FUZZ_CHECK(r->text_len < sizeof(r->text) && r->text[r->text_len] == '\0');
	FUZZ_CHECK(r->text_len <= size);
	FUZZ_CHECK(fuzz_terminated(r->comm, sizeof(r->comm)));
	FUZZ_CHECK(fuzz_terminated(r->oom_memcg, sizeof(r->oom_memcg)));
	FUZZ_CHECK(fuzz_terminated(r->task_memcg, sizeof(r->task_memcg)));
	FUZZ_CHECK(fuzz_terminated(r->cpuset, sizeof(r->cpuset)));
	FUZZ_CHECK(fuzz_terminated(r->task.comm, sizeof(r->task.comm)));
	FUZZ_CHECK(r->kind != OW_KMSG_OTHER || (r->fields == 0 && r->pid == 0 && !r->comm[0] &&
						r->layout.n_cols == 0 && r->task.cols == 0));
	FUZZ_CHECK(r->kind == OW_KMSG_OOM_SUMMARY || !(r->fields & OW_KMSG_F_TASK_MEMCG));
	FUZZ_CHECK(r->kind == OW_KMSG_OOM_MEMCG_USAGE || !(r->fields & OW_KMSG_F_FAILCNT));
	FUZZ_CHECK(r->pid >= 0 && r->task.pid >= 0 && r->task.tgid >= 0 && r->caller_tid >= 0);
	FUZZ_CHECK(r->oom_score_adj >= INT16_MIN && r->oom_score_adj <= INT16_MAX);
	FUZZ_CHECK(r->task.oom_score_adj >= INT16_MIN && r->task.oom_score_adj <= INT16_MAX);
	FUZZ_CHECK(r->layout.n_cols <= OW_KMSG_TASK_COLS_MAX);
	for (size_t i = 0; i < r->layout.n_cols; i++)
		FUZZ_CHECK(r->layout.cols[i] < OW_KMSG_COL_NR);
	FUZZ_CHECK(r->kind < OW_KMSG_KIND_NR && ow_kmsg_kind_name(r->kind) != NULL);
	if (r->kind == OW_KMSG_OOM_TASK_ROW) {
		struct ow_kmsg_task again;

		FUZZ_CHECK(ow_kmsg_parse_task_row(text, len, &r->layout, &again) == 0);
		FUZZ_CHECK(memcmp(&again, &r->task, sizeof(again)) == 0);
	}
}

static void check_kill(const struct ow_kill *k)
{
	FUZZ_CHECK(k->flags & OW_KILL_FROM_KMSG);
	FUZZ_CHECK(k->flags & OW_KILL_KMSG_CONFIRMED);
	FUZZ_CHECK(k->n_procs >= 1 && k->n_procs <= OW_KMSG_KILL_ROWS_MAX + 1);
	FUZZ_CHECK(ow_kill_find_process(k, k->victim_pid) != NULL);
	FUZZ_CHECK(fuzz_terminated(k->trigger_thread_comm, sizeof(k->trigger_thread_comm)));
	FUZZ_CHECK(k->domain.kind == OW_DOMAIN_MEMCG || !k->domain.cgroup);
	FUZZ_CHECK(!k->domain.cgroup || strlen(k->domain.cgroup) < OW_KMSG_PATH_MAX);
	FUZZ_CHECK(!k->kernel_report.oom_memcg ||
		   strlen(k->kernel_report.oom_memcg) < OW_KMSG_PATH_MAX);
	FUZZ_CHECK(!k->kernel_report.task_memcg ||
		   strlen(k->kernel_report.task_memcg) < OW_KMSG_PATH_MAX);
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];

		FUZZ_CHECK(p->pid >= 0);
		FUZZ_CHECK(i == 0 || k->procs[i - 1].pid < p->pid);
		FUZZ_CHECK(fuzz_terminated(p->comm, sizeof(p->comm)));
		FUZZ_CHECK(p->flags == OW_PROC_IN_DOMAIN);
		FUZZ_CHECK(!p->cmdline);
		FUZZ_CHECK(!p->cgroup || p->pid == k->victim_pid);
	}
}

static void on_report(const struct ow_kill *k, void *ctx)
{
	(void)ctx;
	check_kill(k);
}

static void on_kill(struct ow_kill *k, void *ctx)
{
	(void)ctx;
	check_kill(k);
	ow_kill_clear(k);
}

static void on_reaped(const struct ow_kmsg_reaped *r, void *ctx)
{
	(void)ctx;
	FUZZ_CHECK(r->pid >= 0);
	FUZZ_CHECK(fuzz_terminated(r->comm, sizeof(r->comm)));
}

/* The input's lines, each a record or a line of text, through an assembler. */
static void assemble(const uint8_t *data, size_t size)
{
	static struct ow_kmsg_record rec;
	struct ow_kmsg_kill_config cfg = {
		.page_size = 4096,
		.mono_to_real_ns = size & 1 ? -1000000 : 1000000,
		.total_ram_bytes = size & 2 ? 1ULL << 30 : 0,
		.total_swap_bytes = size & 4 ? 1ULL << 29 : 0,
		.on_report = on_report,
		.on_kill = on_kill,
		.on_reaped = on_reaped,
	};
	const char *p = (const char *)data, *end = p + size;
	struct ow_kmsg_kill *a;
	uint64_t line = 0;

	if (ow_kmsg_kill_new(&cfg, &a) < 0)
		fuzz_alloc(NULL);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((eol ? eol : end) - p);

		if (ow_kmsg_parse(p, len, &rec) < 0) {
			/* a line of text: the assembler reads rows again from rec.text */
			memset(&rec, 0, sizeof(rec));
			rec.text_len = len < sizeof(rec.text) - 1 ? len : sizeof(rec.text) - 1;
			memcpy(rec.text, p, rec.text_len);
			(void)ow_kmsg_parse_oom(rec.text, rec.text_len, &rec);
			rec.time_ns = ++line * 1000;
		}
		(void)ow_kmsg_kill_feed(a, &rec);
		p = eol ? eol + 1 : end;
	}
	ow_kmsg_kill_flush(a);
	ow_kmsg_kill_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ow_kmsg_record rec;

	if (ow_kmsg_parse((const char *)data, size, &rec) == 0)
		check(&rec, size, rec.text, rec.text_len);
	memset(&rec, 0, sizeof(rec));
	(void)ow_kmsg_parse_oom((const char *)data, size, &rec);
	check(&rec, size, (const char *)data, size);
	assemble(data, size);
	return 0;
}
