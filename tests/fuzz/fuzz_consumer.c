/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the ring-buffer consumer (src/capture/consumer.c): arbitrary records, several
 * per input (consumer_input.h says how the input is cut), fed to a consumer configured as
 * tests/unit/test_consumer.c does, on the fixture root tests/fixtures/procfs (command lines,
 * meminfo, maps, kallsyms). Every kill handed over is checked (strings terminated, stacks and
 * snapshot as long as they say), then judged and rendered, as the recorder does: numbers no
 * kernel would write must not make the verdict or a renderer misbehave. The consumer is
 * flushed and freed at the end of each input, so ASan's leak check covers every path. Followups
 * (exit, reaper, oom_score_adj records) are checked as they come.
 */
#include "fuzz.h"

#include <errno.h>

#include "analysis/verdict.h"
#include "capture/consumer.h"
#include "output/render.h"

#include "consumer_input.h"

#define ROOT OW_FIXTURES "/procfs"

static struct ow_kallsyms *kallsyms;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Read-only once loaded: sharing it keeps inputs independent. */
	if (ow_kallsyms_load(ROOT, &kallsyms) < 0) {
		fprintf(stderr, "fuzz_consumer: cannot load %s/proc/kallsyms\n", ROOT);
		abort();
	}
	devnull = fuzz_alloc(fopen("/dev/null", "we"));
	return 0;
}

static void check_stack(const struct ow_stack *s)
{
	FUZZ_CHECK(s->n_frames <= OW_STACK_DEPTH);
	for (size_t i = 0; i < s->n_frames; i++)
		FUZZ_CHECK(s->frames[i] && strlen(s->frames[i]) < 4096);
}

static void check_kill(const struct ow_kill *k)
{
	FUZZ_CHECK(fuzz_terminated(k->trigger_thread_comm, sizeof(k->trigger_thread_comm)));
	FUZZ_CHECK(k->domain.kind == OW_DOMAIN_GLOBAL || k->domain.kind == OW_DOMAIN_MEMCG);
	FUZZ_CHECK(k->domain.kind == OW_DOMAIN_MEMCG || !k->domain.cgroup);
	FUZZ_CHECK(!k->n_procs || k->procs);
	check_stack(&k->trigger_kernel_stack);
	check_stack(&k->trigger_user_stack);
	for (size_t i = 0; i < k->n_procs; i++) {
		const struct ow_process *p = &k->procs[i];

		FUZZ_CHECK(fuzz_terminated(p->comm, sizeof(p->comm)));
		FUZZ_CHECK(!p->cmdline || strlen(p->cmdline) < (1u << 20));
		FUZZ_CHECK(!p->cgroup || p->cgroup[0] == '/');
	}
	/* The victim is always in its own snapshot. */
	FUZZ_CHECK(ow_kill_find_process(k, k->victim_pid));
	FUZZ_CHECK(k->killer_kind == OW_KILLER_KERNEL || k->killer_kind == OW_KILLER_SIGNAL);
	/* Each flag only where it can be: the consumer never claims what it cannot know. */
	FUZZ_CHECK(!(k->flags & ~(uint32_t)(OW_KILL_VICTIM_EXITING | OW_KILL_OOM_GROUP |
					    OW_KILL_SNAPSHOT_SKIPPED)));
	if (k->killer_kind == OW_KILLER_SIGNAL)
		FUZZ_CHECK(!(k->flags & (OW_KILL_VICTIM_EXITING | OW_KILL_OOM_GROUP)));
	else
		FUZZ_CHECK(!(k->flags & OW_KILL_SNAPSHOT_SKIPPED));
}

static void on_followup(const struct ow_followup *f, void *ctx)
{
	uint64_t *n = ctx;

	FUZZ_CHECK(f->kind == OW_FOLLOWUP_EXIT || f->kind == OW_FOLLOWUP_REAP_START ||
		   f->kind == OW_FOLLOWUP_REAP_END || f->kind == OW_FOLLOWUP_ADJ);
	FUZZ_CHECK(fuzz_terminated(f->adj.by_comm, sizeof(f->adj.by_comm)));
	if (f->kind == OW_FOLLOWUP_ADJ)
		FUZZ_CHECK(f->adj.old_adj == OW_ADJ_UNKNOWN && f->adj.time_ns == f->time_ns);
	else if (f->kind != OW_FOLLOWUP_REAP_END)
		FUZZ_CHECK(f->rss_left_bytes == 0);
	(*n)++;
}

/* What the recorder does with a kill: an incident, its verdict, its report. */
static void on_kill(struct ow_kill *kill, void *ctx)
{
	struct ow_incident inc = { 0 };
	struct ow_verdict_config cfg;
	struct ow_verdict v;

	(void)ctx;
	check_kill(kill);
	if (ow_incident_add_kill(&inc, kill) < 0)
		return; /* the consumer clears the kill */
	ow_verdict_config_default(&cfg);
	if (ow_verdict_compute(&inc, &cfg, &v) == 0) {
		FUZZ_CHECK(v.n_kills == 1);
		FUZZ_CHECK(ow_render_incident_text(devnull, &inc, &v) == 0);
		FUZZ_CHECK(ow_render_incident_json(devnull, &inc, &v) == 0);
		ow_verdict_clear(&v);
	}
	ow_incident_clear(&inc);
}

/* One record from the input into rec; returns its size, or 0 for a flush. */
static size_t next_record(struct fuzz_input *in, uint64_t *rec, uint32_t *ret_type)
{
	uint8_t op = fuzz_u8(in);
	unsigned int type = op & 7, size_kind = (op >> 3) & 3;
	struct ow_event_header *h = (struct ow_event_header *)rec;
	size_t own, size;

	if (type == FUZZ_OP_FLUSH)
		return 0;
	if (type == FUZZ_OP_ANY_TYPE)
		type = fuzz_u32(in);
	own = fuzz_record_size(type);
	switch (size_kind) {
	case FUZZ_SIZE_SHORTER:
		size = fuzz_u16(in) % own;
		break;
	case FUZZ_SIZE_LONGER:
		size = own + 1 + fuzz_u16(in) % 256;
		break;
	case FUZZ_SIZE_ANY:
		size = fuzz_u16(in) % FUZZ_RECORD_MAX;
		break;
	default:
		size = own;
	}
	memset(rec, 0, FUZZ_RECORD_MAX);
	h->type = type;
	h->kill_seq = op >> 5;
	if (size > sizeof(*h))
		fuzz_bytes(in, (char *)rec + sizeof(*h), size - sizeof(*h));
	*ret_type = type;
	return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t rec[FUZZ_RECORD_MAX / sizeof(uint64_t)];
	struct fuzz_input in = { data, size };
	struct ow_consumer_config cfg = { 0 };
	struct ow_cmdline_cache *cmdlines;
	struct ow_consumer_stats stats;
	struct ow_consumer *c;
	uint64_t n_records = 0, n_followups = 0;

	FUZZ_CHECK(ow_cmdline_cache_new(ROOT, 1000000000ull, &cmdlines) == 0);
	FUZZ_CHECK(ow_cmdline_cache_scan(cmdlines) >= 0);
	cfg.root = ROOT;
	cfg.page_size = 4096;
	cfg.memcg_version = 2;
	cfg.boot_to_real_ns = 1700000000000000000ll;
	cfg.cmdlines = cmdlines;
	cfg.kallsyms = kallsyms;
	cfg.on_kill = on_kill;
	cfg.on_followup = on_followup;
	cfg.ctx = &n_followups;
	FUZZ_CHECK(ow_consumer_new(&cfg, &c) == 0);
	while (in.left) {
		uint32_t type = 0;
		size_t n = next_record(&in, rec, &type);
		int r;

		if (n == 0) {
			ow_consumer_flush(c);
			FUZZ_CHECK(!ow_consumer_busy(c));
			continue;
		}
		r = ow_consumer_handle(c, rec, n);
		FUZZ_CHECK(r == 0 || r == -ENOMEM);
		n_records++;
	}
	ow_consumer_flush(c);
	ow_consumer_get_stats(c, &stats);
	FUZZ_CHECK(stats.records == n_records);
	FUZZ_CHECK(stats.partial_kills <= stats.kills);
	FUZZ_CHECK(stats.signal_kills <= stats.kills);
	FUZZ_CHECK(stats.followups == n_followups);
	ow_consumer_free(c);
	ow_cmdline_cache_free(cmdlines);
	return 0;
}
