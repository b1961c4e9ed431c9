/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes the fuzz seeds that depend on the code as it is, into a target's corpus directory:
 * ring-buffer records (the ABI of bpf/oomwitness.h, cut as consumer_input.h says), blobs of
 * the history codec, renderer inputs (render_input.h), and databases written by the store
 * itself (a newer-schema copy and a foreign file too). Committed seeds would go stale when a
 * struct or the schema changes; these are made again at every `make fuzz`. The incident and the
 * history come from the unit tests' builders (tests/unit/fixtures.h), the records and hostile
 * strings from test_consumer.c and test_html.c.
 *
 * Usage: seeds TARGET DIR. Targets without such seeds get none; exits non-zero on failure.
 */
#include "../unit/fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

#include "consumer_input.h"
#include "render_input.h"
#include "store/series_codec.h"
#include "store/store.h"

#define PAGE 4096ull
#define MiB (1024ull * 1024)
#define SEC 1000000000ull
#define T0_NS 1764100000000000000ull
#define DEMO_ID 42ull

static const char *out_dir;

static FILE *create(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "seeds: cannot create %s: %m\n", path);
		exit(1);
	}
	return f;
}

static void finish(FILE *f)
{
	if (ferror(f) || fclose(f) != 0) {
		fprintf(stderr, "seeds: write failed: %m\n");
		exit(1);
	}
}

/* ---- consumer: records ---- */

static void put_record(FILE *f, const void *rec, size_t size)
{
	const struct ow_event_header *h = rec;

	if (h->type >= FUZZ_OP_ANY_TYPE) { /* the type in 4 more bytes, little-endian */
		fputc(fuzz_op(FUZZ_OP_ANY_TYPE, FUZZ_SIZE_OWN, h->kill_seq), f);
		for (int i = 0; i < 4; i++)
			fputc((int)((h->type >> (8 * i)) & 0xff), f);
	} else {
		fputc(fuzz_op(h->type, FUZZ_SIZE_OWN, h->kill_seq), f);
	}
	fwrite((const char *)rec + sizeof(*h), 1, size - sizeof(*h), f);
}

static struct ow_task_record task(int32_t tgid, int32_t ppid, uint64_t memcg_id, int64_t anon,
				  uint32_t flags, const char *comm)
{
	struct ow_task_record r;

	memset(&r, 0, sizeof(r));
	r.tgid = tgid;
	r.pid = tgid;
	r.ppid = ppid;
	r.uid = 1000;
	r.memcg_id = memcg_id;
	r.anon_pages = anon;
	r.file_pages = 100;
	r.flags = flags;
	strncpy(r.comm, comm, sizeof(r.comm) - 1);
	return r;
}

static void put_cgroup(FILE *f, uint32_t seq, uint64_t id, uint64_t parent_id, const char *name,
		       uint64_t usage, uint64_t max)
{
	struct ow_event_cgroup e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_CGROUP;
	e.hdr.kill_seq = seq;
	e.id = id;
	e.parent_id = parent_id;
	e.usage_pages = usage;
	e.max_pages = max;
	e.swap_max_pages = parent_id ? 0 : max;
	e.oom_events = parent_id ? 1 : OW_OOM_EVENTS_UNKNOWN;
	e.is_root = parent_id == 0;
	strncpy(e.name, name, sizeof(e.name) - 1);
	put_record(f, &e, sizeof(e));
}

/* How a seed kill differs from test_consumer.c's plain kernel kill. */
struct kill_shape {
	bool with_end, with_stacks;
	bool corrupt; /* numbers no kernel writes (adj beyond +-1000, a limit just under "max") */
	bool signal; /* a SIGKILL from systemd (pid 1) */
	uint32_t begin_flags; /* OW_BEGIN_F_* */
	uint32_t concurrent;
	bool oom_group; /* /demo has memory.oom.group */
	bool sharer; /* a process on the victim's mm */
};

/* test_consumer.c's kill: memhog 4242 in /demo at its limit, its thread 4250 the trigger. */
static void put_kill(FILE *f, uint32_t seq, const struct kill_shape *shape)
{
	const uint64_t unlimited = (uint64_t)INT64_MAX / PAGE;
	struct ow_event_kill_begin b;
	struct ow_event_cgroup cg;
	struct ow_event_tasks t;
	struct ow_event_kill_end e;

	memset(&b, 0, sizeof(b));
	b.hdr.type = OW_EV_KILL_BEGIN;
	b.hdr.kill_seq = seq;
	b.boot_ns = 5 * SEC;
	b.killer = shape->signal ? OW_KILL_BY_SIGNAL : OW_KILL_BY_KERNEL;
	b.flags = shape->begin_flags;
	b.concurrent = shape->concurrent;
	b.victim = task(4242, 1, DEMO_ID, 100000, 0, "memhog");
	b.victim.oom_score_adj = shape->corrupt ? INT32_MAX : 1000;
	if (shape->signal)
		b.trigger = task(1, 0, 1, 1000, 0, "systemd");
	else
		b.trigger = task(4243, 4242, DEMO_ID, 20000, OW_TASK_F_OOM_VICTIM, "worker");
	b.trigger.pid = shape->signal ? 1 : 4250;
	if (shape->with_stacks) {
		/* Addresses in the fixture's kallsyms and in /proc/4242/maps. */
		b.kernel_stack[0] = 0xffffffff81000010ull;
		b.kernel_stack[1] = 0xffffffff81234567ull;
		b.kernel_stack_bytes = 2 * sizeof(__u64);
		b.user_stack[0] = 0x55d1a0401234ull;
		b.user_stack[1] = 0x7f0000001000ull;
		b.user_stack_bytes = 2 * sizeof(__u64);
	}
	put_record(f, &b, sizeof(b));
	put_cgroup(f, seq, 1, 0, "", 3000000, unlimited);
	memset(&cg, 0, sizeof(cg));
	cg.hdr.type = OW_EV_CGROUP;
	cg.hdr.kill_seq = seq;
	cg.id = DEMO_ID;
	cg.parent_id = 1;
	cg.usage_pages = shape->corrupt ? unlimited - 1 : 131000;
	cg.max_pages = shape->corrupt ? unlimited - 1 : 131072;
	cg.oom_events = 1;
	cg.oom_group = shape->oom_group;
	strcpy(cg.name, "demo");
	put_record(f, &cg, sizeof(cg));
	memset(&t, 0, sizeof(t));
	t.hdr.type = OW_EV_TASKS;
	t.hdr.kill_seq = seq;
	if (!(shape->begin_flags & OW_BEGIN_F_SNAPSHOT_SKIPPED)) {
		t.count = 4;
		t.tasks[0] = task(1, 0, 1, 1000, 0, "systemd");
		t.tasks[1] = b.victim;
		t.tasks[2] = task(4243, 4242, DEMO_ID, 20000, OW_TASK_F_OOM_VICTIM, "worker");
		t.tasks[3] = task(4244, 4242, DEMO_ID, 0, OW_TASK_F_NO_MM, "sleep");
		if (shape->sharer)
			t.tasks[t.count++] = task(4245, 4242, DEMO_ID, 100000,
						  OW_TASK_F_SHARES_VICTIM_MM, "memhog");
		put_record(f, &t, sizeof(t));
	}
	if (!shape->with_end)
		return;
	memset(&e, 0, sizeof(e));
	e.hdr.type = OW_EV_KILL_END;
	e.hdr.kill_seq = seq;
	e.tasks_seen = t.count;
	e.tasks_emitted = t.count;
	e.cgroups_emitted = 2;
	put_record(f, &e, sizeof(e));
}

static void put_proc(FILE *f, uint32_t type, int32_t tgid)
{
	struct ow_event_proc p;

	memset(&p, 0, sizeof(p));
	p.hdr.type = type;
	p.tgid = tgid;
	p.ppid = 1;
	strcpy(p.comm, "memhog");
	p.boot_ns = 5 * SEC + 15000000;
	put_record(f, &p, sizeof(p));
}

static void put_adj(FILE *f, int32_t tgid, int32_t new_adj, int32_t by, bool inherited)
{
	struct ow_event_adj a;

	memset(&a, 0, sizeof(a));
	a.hdr.type = OW_EV_ADJ;
	a.boot_ns = 4 * SEC;
	a.tgid = tgid;
	a.new_adj = new_adj;
	a.by_tgid = by;
	a.inherited = inherited;
	strcpy(a.by_comm, by == 1 ? "systemd" : "memhog");
	put_record(f, &a, sizeof(a));
}

static void put_reap(FILE *f, uint32_t type, int32_t pid, bool rss_known)
{
	struct ow_event_reap r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = type;
	r.boot_ns = 5 * SEC + (type == OW_EV_REAP_END ? 3000000 : 1000000);
	r.pid = pid;
	r.tgid = pid;
	r.anon_pages = 1000;
	r.rss_known = rss_known;
	put_record(f, &r, sizeof(r));
}

static void seeds_consumer(void)
{
	const struct kill_shape plain = { .with_end = true };
	struct kill_shape shape;
	FILE *f = create("kill");

	put_kill(f, 1, &plain);
	finish(f);
	f = create("kill-stacks");
	shape = plain;
	shape.with_stacks = true;
	put_kill(f, 2, &shape);
	finish(f);
	f = create("kill-corrupt");
	shape = plain;
	shape.corrupt = true;
	put_kill(f, 3, &shape);
	finish(f);
	/* A kill without its end, handed over by the next one; exec and exit around them. */
	f = create("two-kills");
	put_proc(f, OW_EV_EXEC, 4242);
	shape = plain;
	shape.with_end = false;
	put_kill(f, 4, &shape);
	put_kill(f, 5, &plain);
	put_proc(f, OW_EV_EXIT, 4242);
	finish(f);
	f = create("flush");
	shape = plain;
	shape.with_end = false;
	shape.with_stacks = true;
	put_kill(f, 6, &shape);
	fputc(fuzz_op(FUZZ_OP_FLUSH, 0, 0), f);
	finish(f);
	/* Signal kills: one with its snapshot, one past the rate limit. */
	f = create("signal-kill");
	shape = plain;
	shape.signal = true;
	put_kill(f, 1, &shape);
	shape.begin_flags = OW_BEGIN_F_SNAPSHOT_SKIPPED;
	put_kill(f, 2, &shape);
	finish(f);
	/* A kernel kill in depth: victim exiting, oom.group, a process on its mm; its aftermath. */
	f = create("kill-in-depth");
	put_adj(f, 4242, 1000, 1, false);
	put_adj(f, 4244, 1000, 4242, true);
	shape = plain;
	shape.begin_flags = OW_BEGIN_F_VICTIM_EXITING;
	shape.oom_group = true;
	shape.sharer = true;
	put_kill(f, 3, &shape);
	put_reap(f, OW_EV_REAP_START, 4242, false);
	put_reap(f, OW_EV_REAP_END, 4242, true);
	put_proc(f, OW_EV_EXIT, 4242);
	finish(f);
	/* A signal kill written while a kernel kill is: their records interleave. */
	f = create("interleaved");
	shape = plain;
	shape.with_end = false;
	put_kill(f, 4, &shape);
	shape.signal = true;
	shape.concurrent = 1;
	shape.with_end = true;
	put_kill(f, 5, &shape);
	put_reap(f, OW_EV_REAP_END, 4242, false);
	finish(f);
}

/* ---- series_codec: blobs ---- */

static void put_series(const char *name, const bool *present, const uint64_t *values,
		       size_t n_samples, size_t n_fields)
{
	size_t max = ow_series_max_bytes(n_samples, n_fields), len;
	uint8_t *blob = malloc(max);
	FILE *f;

	if (!blob || ow_series_encode(present, values, n_samples, n_fields, blob, max, &len) < 0) {
		fprintf(stderr, "seeds: cannot encode %s\n", name);
		exit(1);
	}
	f = create(name);
	fputc(0, f); /* decode */
	fwrite(blob, 1, len, f);
	finish(f);
	free(blob);
}

static void seeds_series_codec(void)
{
	enum { N = 40, F = 3 };
	uint64_t values[N * F];
	bool present[N];
	FILE *f;

	/* A process as the sampler sees it: growing anon, steady file, page tables in steps. */
	for (size_t i = 0; i < N; i++) {
		present[i] = i % 9 != 4;
		values[i * F] = 64 * MiB + i * 4 * PAGE;
		values[i * F + 1] = 5 * MiB;
		values[i * F + 2] = 40960 + (i / 8) * PAGE;
	}
	put_series("process", present, values, N, F);
	put_series("all-present", NULL, values, N, F);
	/* Clocks: T0 and then a second apart, with jitter; and extremes. */
	for (size_t i = 0; i < N; i++)
		values[i] = T0_NS + i * SEC + (i * 7919) % 100000;
	put_series("clock", NULL, values, N, 1);
	for (size_t i = 0; i < N; i++)
		values[i] = i % 2 ? UINT64_MAX : 0;
	put_series("extremes", NULL, values, N, 1);
	put_series("empty", NULL, values, 0, 2);
	/* An encoder input: 16 samples of 2 fields, every other one absent. */
	f = create("encode");
	fputc(1, f);
	fputc(16, f);
	fputc(0, f);
	fputc(1, f);
	fputc(0xaa, f);
	fputc(0xaa, f);
	for (size_t i = 0; i < 32; i++) {
		uint64_t v = T0_NS + i * SEC;

		fwrite(&v, sizeof(v), 1, f);
	}
	finish(f);
}

/* ---- render: incidents with hostile strings ---- */

static void put_str(FILE *f, const char *s)
{
	size_t len = s ? strlen(s) : 0xff;

	if (len >= 0xff && s)
		len = 0xfe;
	fputc((int)len, f);
	if (s)
		fwrite(s, 1, len, f);
}

static void put_render(const char *name, uint8_t flags, const char *const *strs,
		       const struct fuzz_render_wild *w)
{
	FILE *f = create(name);

	fputc(flags, f);
	for (size_t i = 0; i < FUZZ_RENDER_PROCS; i++) {
		uint16_t adj = (uint16_t)(i == 0 ? 1000 : 1000 + 500 * i); /* 0, 500, 1000 */
		uint16_t mib = (uint16_t)(60 + 100 * i);

		fwrite(&adj, 2, 1, f);
		fwrite(&mib, 2, 1, f);
	}
	fputc(0, f);
	fputc(2, f);
	for (size_t i = 0; i < FUZZ_RENDER_STR_COUNT; i++)
		put_str(f, strs[i]);
	if (w)
		fwrite(w, sizeof(*w), 1, f);
	finish(f);
}

static void seeds_render(void)
{
	/* test_html.c's hostile strings, and a plain story. */
	static const char hostile_comm[] = "<script>\n\x1b\xff";
	static const char hostile_cmdline[] =
		"<script>alert('x')</script> \"q\" & \r\nFAKE \x01\x7f"
		"\xc2\x9b\xe2\x80\xae \xff\xfe tail\xe2\x82";
	const char *plain[FUZZ_RENDER_STR_COUNT] = {
		"/demo",
		"worker",
		"try_charge_memcg+0x6d5",
		"fill+0x31 (/usr/bin/memhog)",
		"victim",
		"/usr/bin/victim",
		"/demo",
		"grower",
		"./grower --leak",
		"/demo",
		"sleep",
		NULL,
		NULL,
	};
	const char *hostile[FUZZ_RENDER_STR_COUNT] = {
		"/demo\"><script>x</script>",
		hostile_comm,
		"<img src=x onerror=alert(1)>",
		"\xe2\x80\xae\xe2\x81\xa6kcatta",
		hostile_comm,
		hostile_cmdline,
		"/demo/<b>\"x\"</b>",
		"a\tb\x9b",
		"\"},{\"pid\":1,\"x\":\"",
		"/'\\\n",
		"",
		"\xf0\x9f\x92\xa5\xed\xa0\x80\xc0\xaf",
		"",
	};

	struct fuzz_render_wild w;

	put_render("plain-memcg", FUZZ_RENDER_MEMCG | FUZZ_RENDER_HISTORY, plain, NULL);
	put_render("plain-global", FUZZ_RENDER_TWO_KILLS | FUZZ_RENDER_TREE, plain, NULL);
	put_render("hostile", FUZZ_RENDER_MEMCG | FUZZ_RENDER_HISTORY | FUZZ_RENDER_TWO_KILLS,
		   hostile, NULL);
	put_render("hostile-partial", FUZZ_RENDER_PARTIAL | FUZZ_RENDER_TREE, hostile, NULL);
	put_render("context", FUZZ_RENDER_MEMCG | FUZZ_RENDER_TWO_KILLS | FUZZ_RENDER_CONTEXT,
		   hostile, NULL);
	/* The plain story's numbers as a recorder writes them, then at their extremes. */
	memset(&w, 0, sizeof(w));
	w.kill_time_ns[0] = T0_NS;
	w.kill_time_ns[1] = T0_NS + SEC;
	w.limit_bytes = w.total_bytes = w.cgroup_limit_bytes = 512 * MiB;
	w.usage_bytes = 510 * MiB;
	w.t0_ns = T0_NS - 60 * SEC;
	w.mem_total_bytes = 4096 * MiB;
	w.mem_available_bytes = 1024 * MiB;
	for (size_t t = 0; t < FUZZ_RENDER_TIMES; t++) {
		w.step_ns[t] = SEC;
		w.cgroup_usage_bytes[t] = (t + 1) * 80 * MiB;
		for (size_t i = 0; i < FUZZ_RENDER_PROCS; i++)
			w.sample_bytes[i][t] = (t + 1) * (i + 1) * 16 * MiB;
	}
	for (size_t i = 0; i < FUZZ_RENDER_PROCS; i++) {
		w.adj[i] = (int32_t)(500 * i);
		w.anon_bytes[i] = (i + 1) * 100 * MiB;
		w.pgtables_bytes[i] = 64 * 1024;
		w.present[i] = 0x3f;
	}
	put_render("wild-sane", FUZZ_RENDER_MEMCG | FUZZ_RENDER_HISTORY | FUZZ_RENDER_WILD, plain,
		   &w);
	w.adj[0] = INT32_MAX;
	w.adj[1] = INT32_MIN;
	w.anon_bytes[2] = UINT64_MAX;
	w.swap_bytes[2] = UINT64_MAX;
	w.limit_bytes = w.total_bytes = UINT64_MAX - 1;
	w.sample_bytes[0][5] = UINT64_MAX;
	w.sample_bytes[1][0] = 1ull << 63;
	w.cgroup_limit_bytes = 1;
	w.step_ns[3] = INT32_MIN;
	put_render("wild-extreme", FUZZ_RENDER_MEMCG | FUZZ_RENDER_HISTORY | FUZZ_RENDER_WILD,
		   hostile, &w);
	put_render("wild-context", FUZZ_RENDER_TWO_KILLS | FUZZ_RENDER_WILD | FUZZ_RENDER_CONTEXT,
		   hostile, &w);
	/* A process whose memory fell by exactly 2^63 (growth.c once negated INT64_MIN). */
	for (size_t t = 0; t < FUZZ_RENDER_TIMES; t++)
		w.sample_bytes[0][t] = 10 * MiB + (t < 3 ? 1ull << 63 : 0);
	put_render("wild-fall", FUZZ_RENDER_MEMCG | FUZZ_RENDER_HISTORY | FUZZ_RENDER_WILD, plain,
		   &w);
}

/* ---- store: databases ---- */

/* The file at name, read whole; *ret_len its size. */
static uint8_t *slurp(const char *name, size_t *ret_len)
{
	char path[4096];
	uint8_t *buf;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "re");
	if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 100 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "seeds: cannot read %s\n", path);
		exit(1);
	}
	buf = malloc((size_t)len);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "seeds: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*ret_len = (size_t)len;
	return buf;
}

static void put_bytes(const char *name, const uint8_t *buf, size_t len)
{
	FILE *f = create(name);

	fwrite(buf, 1, len, f);
	finish(f);
}

/* An incident of the unit tests' story: a memcg, three processes, a history of them. */
static void save_story(struct ow_store *s)
{
	struct ow_store_culprit_summary culprit = { .kind = "process",
						    .pid = 100,
						    .comm = "grower" };
	struct ow_incident inc = { 0 };
	struct ow_kill k = { 0 };
	struct ow_history *h;
	size_t g, v;

	k.time_ns = T0_NS;
	k.victim_pid = 200;
	k.trigger_pid = 100;
	k.trigger_tid = 101;
	strcpy(k.trigger_thread_comm, "grower");
	set_memcg(&k.domain, "/demo", DEMO_ID, 96 * MiB, 96 * MiB);
	kill_add_memcg_process(&k, 200, "victim", NULL, 1000, 60 * MiB);
	kill_add_memcg_process(&k, 100, "grower", "./grower --leak", 0, 26 * MiB);
	kill_add_memcg_process(&k, 300, "<b>\"x\"", "sh -c 'a\nb'", -1000, 2 * MiB);
	set_stack(&k.trigger_kernel_stack,
		  (const char *const[]){ "out_of_memory+0x243", "try_charge_memcg+0x6d5" }, 2);
	k.lost_events = 1;
	k.partial = true;
	/* What schema version 3 keeps: flags, aftermath, report, memory nobody owns, adj changes. */
	k.flags = OW_KILL_VICTIM_EXITING | OW_KILL_KMSG_CONFIRMED;
	k.after = (struct ow_kill_aftermath){ T0_NS + 15 * SEC / 1000, T0_NS + 2 * SEC / 1000,
					      T0_NS + 5 * SEC / 1000, 50 * MiB };
	k.kernel_report = (struct ow_kernel_report){
		OW_CONSTRAINT_MEMCG, xstrdup("/demo"), NULL, true, 0xcc0, 0
	};
	k.unowned = (struct ow_unowned_memory){
		true, 9 * MiB, MiB, MiB, MiB / 2, 0, 0, 1, calloc(1, sizeof(*k.unowned.tmpfs))
	};
	k.procs[0].adj_changes = calloc(1, sizeof(*k.procs[0].adj_changes));
	if (!k.unowned.tmpfs || !k.procs[0].adj_changes)
		exit(1);
	k.unowned.tmpfs[0] = (struct ow_tmpfs_mount){ xstrdup("/dev/shm"), 8 * MiB };
	k.procs[0].n_adj_changes = 1;
	k.procs[0].adj_changes[0] =
		(struct ow_adj_change){ T0_NS - SEC, OW_ADJ_UNKNOWN, 1000, 100, "grower", true };
	if (ow_incident_add_kill(&inc, &k) < 0 || ow_store_save_incident(s, &inc, &culprit) < 0) {
		fprintf(stderr, "seeds: cannot save the incident: %s\n", ow_store_errmsg(s));
		exit(1);
	}
	h = mkhistory(8, T0_NS - 8 * SEC);
	g = hproc(h, 100, "grower", "./grower --leak", "/demo");
	v = hproc(h, 200, "victim", NULL, "/demo");
	ramp(h, g, 2, 7, 4 * MiB, 4 * MiB, 0);
	ramp(h, v, 0, 6, 60 * MiB, 0, 1000);
	hcgroup(h, "/demo", DEMO_ID, 96 * MiB, MiB, 0);
	for (size_t i = 0; i < h->n_times; i++) {
		h->system[i].present = i != 3;
		h->system[i].mem_total_bytes = 4096 * MiB;
		h->system[i].mem_available_bytes = 2048 * MiB;
		h->system[i].psi_known = true;
		h->system[i].psi_some_avg10_centi = (uint32_t)(i * 100);
		h->system[i].psi_some_total_us = i * 1000;
	}
	if (ow_store_save_history(s, inc.id, h) < 0 || ow_store_add_lost_events(s, 3) < 0) {
		fprintf(stderr, "seeds: cannot save the history: %s\n", ow_store_errmsg(s));
		exit(1);
	}
	ow_history_free(h);
	ow_incident_clear(&inc);
}

static void seeds_store(void)
{
	char path[4096];
	struct ow_store *s;
	sqlite3 *db;
	uint8_t *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/store.db", out_dir);
	unlink(path);
	if (ow_store_open(path, OW_STORE_READ_WRITE, &s) < 0) {
		fprintf(stderr, "seeds: cannot create %s\n", path);
		exit(1);
	}
	save_story(s);
	ow_store_close(s); /* the last connection: the WAL is checkpointed and removed */
	buf = slurp("store.db", &len);
	/* The same in rollback-journal mode (file format bytes 18 and 19). */
	buf[18] = buf[19] = 1;
	put_bytes("store-rollback.db", buf, len);
	/* Written by the next schema version (user_version, big-endian at 60). */
	buf[63] = OW_STORE_SCHEMA_VERSION + 1;
	put_bytes("store-newer.db", buf, len);
	free(buf);
	/* Somebody else's SQLite database. */
	snprintf(path, sizeof(path), "%s/foreign.db", out_dir);
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(
		    db,
		    "PRAGMA page_size = 512; CREATE TABLE incidents (id INTEGER PRIMARY KEY, x);"
		    "INSERT INTO incidents VALUES (1, 'not ours');",
		    NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "seeds: cannot write %s: %s\n", path, sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_close(db);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: seeds TARGET DIR\n");
		return 2;
	}
	out_dir = argv[2];
	if (!strcmp(argv[1], "consumer"))
		seeds_consumer();
	else if (!strcmp(argv[1], "series_codec"))
		seeds_series_codec();
	else if (!strcmp(argv[1], "render"))
		seeds_render();
	else if (!strcmp(argv[1], "store"))
		seeds_store();
	return 0;
}
