/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Golden-file tests of the renderers of `show`: fixed synthetic incidents go through the
 * real verdict (ow_verdict_compute() with the default config) and both renderers, and the
 * output must equal tests/fixtures/golden/<name>.{txt,json} byte for byte.
 *
 *   story            the seed story in a 256 MiB memcg: a victim at adj +1000, a bystander at
 *                    +800 and a hogger at 0 that triggers every kill; three kills.
 *   global-shielded  a global OOM: a process at adj -1000 holds most of RAM and is out of
 *                    reach; two others die, the second kill's snapshot is partial (3 records
 *                    lost).
 *   story-history    a slow leak with its memory history (10 min every 10 s), also as HTML: in a
 *                    256 MiB memcg an idle cache at adj +1000 holds a flat 150 MiB, a leaker at
 *                    adj 0 grows 320 KiB/s for the last 5 minutes (1 MiB/s would not fit under
 *                    the limit beside the cache), a small bystander starts 8 minutes before;
 *                    the kernel kills the idle cache at the end.
 *   earlyoom         a desktop at 8 GiB: earlyoom SIGKILLs a chrome renderer (adj 300, set by
 *                    its browser) then the gradle java that holds the most; not the kernel.
 *   fork-storm       40 workers of one python3 fill a 512 MiB memcg, none holding more than
 *                    2%; the kernel kills three of them, /dev/kmsg confirms, the reaper frees
 *                    each: the culprit is the forker's process tree.
 *   tmpfs            a CI job's 1 GiB memcg: 698 MiB of /dev/shm no process maps; the kernel
 *                    kills pytest and the runner agent, which frees none of it: the culprit is
 *                    shmem/tmpfs (also as HTML).
 *
 * After an intended output change: OW_UPDATE_GOLDEN=1 build/tests/test_golden, then review the
 * diff in git. With OW_UPDATE_GOLDEN=1 the test writes the files instead of comparing (and
 * passes). Tests run from the repo root; OW_FIXTURES names the fixture folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/verdict.h"
#include "model/history.h"
#include "output/render.h"

#include "fixtures.h"
#include "render_checks.h"

#ifndef OW_FIXTURES
#define OW_FIXTURES "tests/fixtures"
#endif
#define GOLDEN_DIR OW_FIXTURES "/golden"

#define KiB 1024ull
#define MiB (1024ull * 1024)
#define GiB (1024ull * 1024 * 1024)
#define MS 1000000ull
#define SEC 1000000000ull
/* 2026-11-25T19:20:50.578Z */
#define STORY_T0_NS (1795634450ull * SEC + 578 * MS)
/* 2026-11-26T03:14:07.412Z */
#define GLOBAL_T0_NS (1795662847ull * SEC + 412 * MS)

/* ---- building synthetic incidents ---- */

struct proc_spec {
	int32_t pid;
	int32_t ppid;
	uint32_t uid;
	const char *comm;
	const char *cmdline;
	const char *cgroup;
	uint64_t cgroup_id;
	int32_t adj;
	uint32_t flags;
	uint64_t anon_bytes;
	uint64_t file_bytes;
	uint64_t shmem_bytes;
	uint64_t swap_bytes;
	uint64_t pgtables_bytes;
};

static void add_proc(struct ow_kill *k, const struct proc_spec *s)
{
	struct ow_process *p = kill_add_process(k);

	p->pid = s->pid;
	p->ppid = s->ppid;
	p->uid = s->uid;
	p->oom_score_adj = s->adj;
	p->flags = s->flags;
	strncpy(p->comm, s->comm, OW_COMM_LEN - 1);
	p->cmdline = xshared(s->cmdline);
	p->cgroup = xshared(s->cgroup);
	p->cgroup_id = s->cgroup_id;
	p->anon_bytes = s->anon_bytes;
	p->file_bytes = s->file_bytes;
	p->shmem_bytes = s->shmem_bytes;
	p->swap_bytes = s->swap_bytes;
	p->pgtables_bytes = s->pgtables_bytes;
}

static const char *const kstack[] = {
	"mark_oom_victim+0xba", "__oom_kill_process+0x150",	 "oom_kill_process+0x72",
	"out_of_memory+0x214",	"mem_cgroup_out_of_memory+0xc0",
};
static const char *const story_ustack[] = { "grow+0x5e (/usr/local/bin/memhog)" };

static const char *const global_kstack[] = {
	"mark_oom_victim+0xba", "__oom_kill_process+0x150",	"oom_kill_process+0x72",
	"out_of_memory+0x214",	"__alloc_pages_slowpath+0xd4e", "__alloc_pages+0x2f8",
};
static const char *const global_ustack[] = { "memset+0x2d (/usr/lib/jvm/lib/server/libjvm.so)" };

/* ---- (1) the seed story ---- */

#define DEMO_CG "/oomwitness-demo"
#define DEMO_CG_ID 77
/* What the processes of the demo memcg share, in a proc_spec initializer. */
#define DEMO_PROC                                                              \
	.ppid = 4200, .uid = 1000, .cgroup = DEMO_CG, .cgroup_id = DEMO_CG_ID, \
	.flags = OW_PROC_IN_DOMAIN

static const struct proc_spec story_victim = {
	DEMO_PROC,
	.pid = 4240,
	.comm = "victim",
	.cmdline = "/usr/local/bin/memhog --name victim --adj 1000 --hold-mib 2",
	.adj = 1000,
	/* 1536 + 700 + 120 KiB = 2356 KiB = 2.3 MiB */
	.anon_bytes = 1536 * KiB,
	.file_bytes = 700 * KiB,
	.pgtables_bytes = 120 * KiB,
};

static const struct proc_spec story_bystander = {
	DEMO_PROC,
	.pid = 4241,
	.comm = "bystander",
	.cmdline = "/usr/local/bin/memhog --name bystander --adj 800 --hold-mib 40",
	.adj = 800,
	/* 40 MiB + 700 KiB + 324 KiB = 41 MiB */
	.anon_bytes = 40 * MiB,
	.file_bytes = 700 * KiB,
	.pgtables_bytes = 324 * KiB,
};

/* The hogger at the first kill; it grows by what the kills free. */
static struct proc_spec story_hogger(uint64_t memory_bytes)
{
	struct proc_spec s = {
		DEMO_PROC,
		.pid = 4242,
		.comm = "hogger",
		.cmdline = "/usr/local/bin/memhog --name hogger --adj 0 --grow-mib-s 20",
		.adj = 0,
		.file_bytes = 700 * KiB,
		.pgtables_bytes = 716 * KiB,
	};

	s.anon_bytes = memory_bytes - s.file_bytes - s.pgtables_bytes;
	return s;
}

/*
 * A kill in the demo memcg (256 MiB, no swap, usage_bytes at the kill) by the kernel, triggered
 * by pid trigger (a single-threaded process), with the memhog stacks.
 */
static void set_demo_kill(struct ow_kill *k, uint64_t time_ns, int32_t victim, int32_t trigger,
			  const char *trigger_comm, uint64_t usage_bytes)
{
	k->time_ns = time_ns;
	k->killer_kind = OW_KILLER_KERNEL;
	k->victim_pid = victim;
	k->trigger_pid = trigger;
	k->trigger_tid = trigger;
	strcpy(k->trigger_thread_comm, trigger_comm);
	set_memcg(&k->domain, DEMO_CG, DEMO_CG_ID, 256 * MiB, usage_bytes);
	set_stack(&k->trigger_kernel_stack, kstack, sizeof(kstack) / sizeof(kstack[0]));
	set_stack(&k->trigger_user_stack, story_ustack,
		  sizeof(story_ustack) / sizeof(story_ustack[0]));
}

static void add_story_kill(struct ow_incident *inc, int n)
{
	static const uint64_t offset_ns[] = { 0, 55 * MS, 2094 * MS };
	static const int32_t victims[] = { 4240, 4241, 4242 };
	/* 215 MiB at kill 1; then what the victim and the bystander freed, and more. */
	static const uint64_t hogger_bytes[] = { 215 * MiB, 217 * MiB + 300 * KiB,
						 255 * MiB + 400 * KiB };
	struct ow_kill k = { 0 };
	struct proc_spec hog = story_hogger(hogger_bytes[n]);

	set_demo_kill(&k, STORY_T0_NS + offset_ns[n], victims[n], 4242, "hogger",
		      256 * MiB - 60 * KiB);
	if (n < 1)
		add_proc(&k, &story_victim);
	if (n < 2)
		add_proc(&k, &story_bystander);
	add_proc(&k, &hog);
	k.kthreads_skipped = 0;
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
}

static void build_story(struct ow_incident *inc)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = 1;
	for (int n = 0; n < 3; n++)
		add_story_kill(inc, n);
}

/* ---- (2) a global OOM with a shielded process ---- */

#define BILLING_CG "/system.slice/billing.service"
#define SESSION_CG "/user.slice/user-1000.slice/session-3.scope"

static const struct proc_spec global_init = {
	.pid = 1,
	.ppid = 0,
	.uid = 0,
	.comm = "systemd",
	.cmdline = "/sbin/init",
	.cgroup = "/init.scope",
	.cgroup_id = 10,
	.adj = 0,
	.flags = OW_PROC_IN_DOMAIN | OW_PROC_INIT,
	.anon_bytes = 6 * MiB,
	.file_bytes = 5 * MiB,
	.pgtables_bytes = 180 * KiB,
};

static const struct proc_spec global_sshd = {
	.pid = 812,
	.ppid = 1,
	.uid = 0,
	.comm = "sshd",
	.cmdline = "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",
	.cgroup = "/system.slice/ssh.service",
	.cgroup_id = 31,
	.adj = -1000,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 1200 * KiB,
	.file_bytes = 4 * MiB,
	.pgtables_bytes = 96 * KiB,
};

/* The shielded one: 11.5 GiB of 16 GiB RAM at adj -1000, and the trigger of both kills. */
static const struct proc_spec global_java = {
	.pid = 2100,
	.ppid = 1,
	.uid = 997,
	.comm = "java",
	.cmdline =
		"/usr/bin/java -Xmx12g -jar /opt/billing/billing.jar --spring.profiles.active=prod",
	.cgroup = BILLING_CG,
	.cgroup_id = 52,
	.adj = -1000,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 11 * GiB + 312 * MiB,
	.file_bytes = 180 * MiB,
	.swap_bytes = 12 * MiB,
	.pgtables_bytes = 24 * MiB,
};

static const struct proc_spec global_node = {
	.pid = 3310,
	.ppid = 3290,
	.uid = 1000,
	.comm = "node",
	.cmdline = "node /home/dev/app/server.js",
	.cgroup = SESSION_CG,
	.cgroup_id = 88,
	.adj = 300,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 1 * GiB + 820 * MiB,
	.file_bytes = 60 * MiB,
	.swap_bytes = 96 * MiB,
	.pgtables_bytes = 7 * MiB,
};

static const struct proc_spec global_python = {
	.pid = 3402,
	.ppid = 3290,
	.uid = 1000,
	.comm = "python3",
	.cmdline = "python3 train.py --epochs 40",
	.cgroup = SESSION_CG,
	.cgroup_id = 88,
	.adj = 0,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 2 * GiB + 100 * MiB,
	.file_bytes = 110 * MiB,
	.swap_bytes = 250 * MiB,
	.pgtables_bytes = 9 * MiB,
};

/* A zombie leader: in the snapshot, not a candidate. */
static const struct proc_spec global_zombie = {
	.pid = 3390,
	.ppid = 3290,
	.uid = 1000,
	.comm = "make",
	.cmdline = NULL,
	.cgroup = SESSION_CG,
	.cgroup_id = 88,
	.adj = 0,
	.flags = OW_PROC_IN_DOMAIN | OW_PROC_NO_MM,
};

static void add_global_kill(struct ow_incident *inc, int n)
{
	struct ow_kill k = { 0 };

	k.time_ns = GLOBAL_T0_NS + (n ? 569 * MS : 0);
	k.killer_kind = OW_KILLER_KERNEL;
	k.victim_pid = n ? 3402 : 3310;
	k.trigger_pid = 2100;
	k.trigger_tid = 2177;
	strcpy(k.trigger_thread_comm, "C2 CompilerThre");
	k.domain.kind = OW_DOMAIN_GLOBAL;
	k.domain.limit_bytes = 16 * GiB; /* RAM */
	k.domain.usage_bytes = 16 * GiB - 180 * MiB;
	k.domain.total_bytes = 18 * GiB; /* RAM + 2 GiB swap */
	set_stack(&k.trigger_kernel_stack, global_kstack,
		  sizeof(global_kstack) / sizeof(global_kstack[0]));
	set_stack(&k.trigger_user_stack, global_ustack,
		  sizeof(global_ustack) / sizeof(global_ustack[0]));
	add_proc(&k, &global_init);
	if (n == 0) {
		add_proc(&k, &global_sshd);
		add_proc(&k, &global_java);
		add_proc(&k, &global_node);
	} else {
		/* The second snapshot lost 3 records, sshd's among them; a zombie made it. */
		add_proc(&k, &global_java);
		add_proc(&k, &global_zombie);
		k.lost_events = 3;
		k.partial = true;
	}
	add_proc(&k, &global_python);
	k.kthreads_skipped = 87;
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
}

static void build_global(struct ow_incident *inc)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = 2;
	add_global_kill(inc, 0);
	add_global_kill(inc, 1);
}

/* ---- (3) a slow leak, with its memory history ---- */

#define LEAK_START_NS (STORY_T0_NS - 300 * SEC) /* the leaker starts growing */
#define LEAK_KIB_PER_S 320ull
#define HIST_INTERVAL_NS (10 * SEC)
#define HIST_WINDOW_NS (600 * SEC)
/* The sampler's clock is not the kill's: samples at T0 - 597.6 s, ... T0 - 7.6 s, T0 + 2.4 s. */
#define HIST_FIRST_NS (STORY_T0_NS - HIST_WINDOW_NS + 2400 * MS)
#define HIST_SAMPLES 61
#define BYSTANDER_BORN_NS (STORY_T0_NS - 480 * SEC)
#define ROOT_OTHER_BYTES (1536 * MiB) /* what the rest of the machine uses */

static const struct proc_spec leak_cache = {
	DEMO_PROC,
	.pid = 4240,
	.comm = "cache",
	.cmdline = "/usr/local/bin/memhog --name cache --adj 1000 --hold-mib 150",
	.adj = 1000,
	/* 148 MiB + 1.5 MiB + 512 KiB = 150 MiB, flat */
	.anon_bytes = 148 * MiB,
	.file_bytes = 1536 * KiB,
	.pgtables_bytes = 512 * KiB,
};

static const struct proc_spec leak_bystander = {
	DEMO_PROC,
	.pid = 4241,
	.comm = "bystander",
	.cmdline = "/usr/local/bin/memhog --name bystander --hold-mib 7",
	.adj = 0,
	/* 7 MiB + 768 KiB + 256 KiB = 8 MiB */
	.anon_bytes = 7 * MiB,
	.file_bytes = 768 * KiB,
	.pgtables_bytes = 256 * KiB,
};

/* The leaker at time t: 4 MiB, then 320 KiB/s more from LEAK_START_NS. */
static struct proc_spec leak_leaker(uint64_t t_ns)
{
	struct proc_spec s = {
		DEMO_PROC,
		.pid = 4250,
		.comm = "leaker",
		.cmdline = "/usr/local/bin/memhog --name leaker --grow-kib-s 320",
		.adj = 0,
		.file_bytes = 640 * KiB,
		.pgtables_bytes = 384 * KiB,
	};
	uint64_t grown = t_ns > LEAK_START_NS
				 ? (t_ns - LEAK_START_NS) / MS * LEAK_KIB_PER_S * KiB / 1000
				 : 0;

	s.anon_bytes = 3 * MiB + grown;
	return s;
}

static uint64_t spec_memory_bytes(const struct proc_spec *s)
{
	return s->anon_bytes + s->file_bytes + s->shmem_bytes + s->swap_bytes + s->pgtables_bytes;
}

static void set_proc_sample(struct ow_history_process *hp, size_t i, const struct proc_spec *s)
{
	struct ow_proc_sample *ps = &hp->samples[i];

	ps->present = true;
	ps->oom_score_adj = s->adj;
	ps->anon_bytes = s->anon_bytes;
	ps->file_bytes = s->file_bytes;
	ps->shmem_bytes = s->shmem_bytes;
	ps->swap_bytes = s->swap_bytes;
	ps->pgtables_bytes = s->pgtables_bytes;
}

static void add_history_proc(struct ow_history *h, const struct proc_spec *s,
			     uint64_t start_time_ns)
{
	size_t k = hproc(h, s->pid, s->comm, s->cmdline, s->cgroup);

	h->procs[k].ppid = s->ppid;
	h->procs[k].start_time_ns = start_time_ns;
}

static struct ow_history *build_leak_history(void)
{
	struct ow_history *h = ow_history_new(HIST_SAMPLES);
	struct ow_history_cgroup *demo, *root;
	uint64_t psi_some_us = 81000, psi_full_us = 23000;

	assert_non_null(h);
	h->interval_ns = HIST_INTERVAL_NS;
	h->window_ns = HIST_WINDOW_NS;
	for (size_t i = 0; i < HIST_SAMPLES; i++)
		h->time_ns[i] = HIST_FIRST_NS + i * HIST_INTERVAL_NS;
	/* The bystander has no start time (unknown), the others do. */
	add_history_proc(h, &leak_cache, STORY_T0_NS - 3600 * SEC);
	add_history_proc(h, &leak_bystander, 0);
	{
		struct proc_spec first = leak_leaker(0);

		add_history_proc(h, &first, STORY_T0_NS - 2 * 3600 * SEC);
	}
	/* An append may move the series: take the pointers once both exist. */
	assert_non_null(ow_history_add_cgroup(h));
	assert_non_null(ow_history_add_cgroup(h));
	demo = &h->cgroups[0];
	demo->path = xstrdup(DEMO_CG);
	demo->id = DEMO_CG_ID;
	root = &h->cgroups[1];
	root->path = xstrdup("/");
	root->id = 1;

	for (size_t i = 0; i < HIST_SAMPLES; i++) {
		uint64_t t = h->time_ns[i];
		struct proc_spec leaker = leak_leaker(t);
		bool cache_alive = t < STORY_T0_NS, bystander_alive = t >= BYSTANDER_BORN_NS;
		struct ow_cgroup_sample *cs = &demo->samples[i], *rs = &root->samples[i];
		struct ow_system_sample *ss = &h->system[i];
		/* The last 40 s before the kill are under memory pressure. */
		uint64_t stall_ms =
			t + 40 * SEC > STORY_T0_NS ? (t + 40 * SEC - STORY_T0_NS) / MS : 0;

		/* The procs array does not move any more: no appends below. */
		if (cache_alive)
			set_proc_sample(&h->procs[0], i, &leak_cache);
		if (bystander_alive)
			set_proc_sample(&h->procs[1], i, &leak_bystander);
		set_proc_sample(&h->procs[2], i, &leaker);

		cs->present = true;
		cs->limit_bytes = 256 * MiB;
		cs->kernel_bytes = 300 * KiB;
		cs->anon_bytes = leaker.anon_bytes + (cache_alive ? leak_cache.anon_bytes : 0) +
				 (bystander_alive ? leak_bystander.anon_bytes : 0);
		cs->file_bytes = leaker.file_bytes + (cache_alive ? leak_cache.file_bytes : 0) +
				 (bystander_alive ? leak_bystander.file_bytes : 0);
		cs->usage_bytes = spec_memory_bytes(&leaker) +
				  (cache_alive ? spec_memory_bytes(&leak_cache) : 0) +
				  (bystander_alive ? spec_memory_bytes(&leak_bystander) : 0) +
				  cs->kernel_bytes;

		rs->present = true;
		rs->limit_bytes = OW_LIMIT_NONE;
		rs->usage_bytes = ROOT_OTHER_BYTES + cs->usage_bytes;
		rs->anon_bytes = 900 * MiB + cs->anon_bytes;
		rs->file_bytes = 560 * MiB + cs->file_bytes;
		rs->shmem_bytes = 12 * MiB;
		rs->kernel_bytes = 64 * MiB + cs->kernel_bytes;
		rs->sock_bytes = 2 * MiB;

		ss->present = true;
		ss->mem_total_bytes = 8 * GiB;
		ss->mem_available_bytes = 8 * GiB - rs->usage_bytes;
		ss->swap_total_bytes = 0;
		ss->swap_free_bytes = 0;
		ss->psi_known = true;
		ss->psi_some_avg10_centi = (uint32_t)(stall_ms * 1234 / 40000);
		ss->psi_full_avg10_centi = (uint32_t)(stall_ms * 456 / 40000);
		psi_some_us += stall_ms * 30;
		psi_full_us += stall_ms * 11;
		ss->psi_some_total_us = psi_some_us;
		ss->psi_full_total_us = psi_full_us;
	}
	/* One sample the sampler missed: no system reading at 5 minutes before the kill. */
	h->system[30].present = false;
	return h;
}

static void build_leak(struct ow_incident *inc)
{
	struct ow_kill k = { 0 };
	struct proc_spec leaker = leak_leaker(STORY_T0_NS);

	memset(inc, 0, sizeof(*inc));
	inc->id = 3;
	set_demo_kill(&k, STORY_T0_NS, 4240, 4250, "leaker", 256 * MiB - 40 * KiB);
	add_proc(&k, &leak_cache);
	add_proc(&k, &leak_bystander);
	add_proc(&k, &leaker);
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
	inc->history = build_leak_history();
}

/* ---- (4) user-space kills: earlyoom on a desktop ---- */

/* 2026-11-27T09:41:12.250Z */
#define EARLYOOM_T0_NS (1795772472ull * SEC + 250 * MS)
#define DESKTOP_CG "/user.slice/user-1000.slice/user@1000.service/app.slice"

/* Appends a change of the last process's oom_score_adj. */
static void add_adj(struct ow_kill *k, uint64_t time_ns, int32_t old_adj, int32_t new_adj,
		    int32_t by_pid, const char *by_comm, bool inherited)
{
	proc_add_adj_change(&k->procs[k->n_procs - 1], time_ns, old_adj, new_adj, by_pid, by_comm,
			    inherited);
}

static const struct proc_spec desk_earlyoom = {
	.pid = 812,
	.ppid = 1,
	.uid = 0,
	.comm = "earlyoom",
	.cmdline = "/usr/bin/earlyoom -r 3600 -m 4 --prefer (^|/)(chrome|java)$",
	.cgroup = "/system.slice/earlyoom.service",
	.cgroup_id = 40,
	.adj = -100,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 512 * KiB,
	.file_bytes = 1536 * KiB,
	.pgtables_bytes = 48 * KiB,
};

static const struct proc_spec desk_chrome = {
	.pid = 5120,
	.ppid = 5100,
	.uid = 1000,
	.comm = "chrome",
	.cmdline = "/opt/google/chrome/chrome --type=renderer --renderer-client-id=12",
	.cgroup = DESKTOP_CG "/app-chrome.scope",
	.cgroup_id = 91,
	.adj = 300,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 2 * GiB + 80 * MiB,
	.file_bytes = 90 * MiB,
	.shmem_bytes = 40 * MiB,
	.pgtables_bytes = 9 * MiB,
};

static const struct proc_spec desk_java = {
	.pid = 4100,
	.ppid = 3900,
	.uid = 1000,
	.comm = "java",
	.cmdline = "/usr/lib/jvm/java-17/bin/java -Xmx6g -jar gradle-launcher.jar build",
	.cgroup = DESKTOP_CG "/app-gradle.scope",
	.cgroup_id = 92,
	.adj = 0,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 3 * GiB + 200 * MiB,
	.file_bytes = 120 * MiB,
	.pgtables_bytes = 14 * MiB,
};

static const struct proc_spec desk_code = {
	.pid = 5300,
	.ppid = 5290,
	.uid = 1000,
	.comm = "code",
	.cmdline = "/usr/share/code/code --unity-launch",
	.cgroup = DESKTOP_CG "/app-code.scope",
	.cgroup_id = 93,
	.adj = 0,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 820 * MiB,
	.file_bytes = 70 * MiB,
	.pgtables_bytes = 5 * MiB,
};

/*
 * earlyoom (pid 812) sees free memory under 4% of 8 GiB and SIGKILLs what its --prefer names:
 * the chrome renderer at adj 300 (set by its browser), then, half a second later, the gradle
 * java that keeps growing. Both snapshots are full; the renderer exits 40 ms after its kill.
 */
static void add_earlyoom_kill(struct ow_incident *inc, int n)
{
	struct ow_kill k = { 0 };

	k.time_ns = EARLYOOM_T0_NS + (n ? 530 * MS : 0);
	k.killer_kind = OW_KILLER_SIGNAL;
	k.victim_pid = n ? 4100 : 5120;
	k.trigger_pid = 812;
	k.trigger_tid = 812;
	strcpy(k.trigger_thread_comm, "earlyoom");
	k.domain.kind = OW_DOMAIN_GLOBAL;
	k.domain.limit_bytes = 8 * GiB;
	k.domain.usage_bytes = 8 * GiB - (n ? 300 : 310) * MiB;
	k.domain.total_bytes = 10 * GiB; /* RAM + 2 GiB swap */
	add_proc(&k, &global_init);
	add_proc(&k, &desk_earlyoom);
	add_adj(&k, EARLYOOM_T0_NS - 7200 * SEC, 0, -100, 812, "earlyoom", false);
	if (n == 0) {
		add_proc(&k, &desk_chrome);
		add_adj(&k, EARLYOOM_T0_NS - 95 * SEC, 0, 300, 5100, "chrome", false);
		k.after.exit_ns = k.time_ns + 40 * MS;
	} else {
		struct proc_spec java = desk_java;

		java.anon_bytes += 300 * MiB; /* still growing */
		add_proc(&k, &java);
		k.after.exit_ns = k.time_ns + 118 * MS;
	}
	if (n == 0)
		add_proc(&k, &desk_java);
	add_proc(&k, &desk_code);
	k.kthreads_skipped = 91;
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
}

static void build_earlyoom(struct ow_incident *inc)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = 4;
	add_earlyoom_kill(inc, 0);
	add_earlyoom_kill(inc, 1);
}

/* ---- (5) a fork storm: forty children of one process fill a memcg ---- */

/* 2026-11-27T14:02:33.871Z */
#define STORM_T0_NS (1795788153ull * SEC + 871 * MS)
#define STORM_CG "/ci.slice/fork-storm.scope"
#define STORM_CG_ID 120
#define STORM_CHILDREN 40

/* Child i (0..39) of the forker: 11 MiB and a few pages more the later it was forked. */
static struct proc_spec storm_child(int i)
{
	struct proc_spec s = {
		.pid = 2001 + i,
		.ppid = 2000,
		.uid = 1001,
		.comm = "worker",
		.cmdline = "python3 forker.py --worker",
		.cgroup = STORM_CG,
		.cgroup_id = STORM_CG_ID,
		.adj = 0,
		.flags = OW_PROC_IN_DOMAIN,
		.file_bytes = 900 * KiB,
		.pgtables_bytes = 112 * KiB,
	};

	s.anon_bytes = 10 * MiB + (uint64_t)i * 16 * KiB;
	return s;
}

static const struct proc_spec storm_shell = {
	.pid = 1990,
	.ppid = 1,
	.uid = 1001,
	.comm = "bash",
	.cmdline = "/bin/bash ./run-tests.sh",
	.cgroup = STORM_CG,
	.cgroup_id = STORM_CG_ID,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 3 * MiB,
	.file_bytes = 1 * MiB,
	.pgtables_bytes = 96 * KiB,
};

static const struct proc_spec storm_forker = {
	.pid = 2000,
	.ppid = 1990,
	.uid = 1001,
	.comm = "python3",
	.cmdline = "python3 forker.py --children 40",
	.cgroup = STORM_CG,
	.cgroup_id = STORM_CG_ID,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 6 * MiB,
	.file_bytes = 2 * MiB,
	.pgtables_bytes = 128 * KiB,
};

static const struct proc_spec storm_postgres = {
	.pid = 1995,
	.ppid = 1990,
	.uid = 1001,
	.comm = "postgres",
	.cmdline = "postgres -D /tmp/pgdata -p 5433",
	.cgroup = STORM_CG,
	.cgroup_id = STORM_CG_ID,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 4 * MiB,
	.file_bytes = 2 * MiB,
	.shmem_bytes = 2 * MiB,
	.pgtables_bytes = 200 * KiB,
};

/*
 * The memcg (512 MiB) fills as the forker's 40 workers allocate. The kernel kills the biggest
 * worker (the last forked) three times; another worker is allocating each time. /dev/kmsg
 * confirms each kill, the reaper frees each victim in about a millisecond.
 */
static void add_storm_kill(struct ow_incident *inc, int n)
{
	struct ow_kill k = { 0 };
	struct proc_spec victim = storm_child(STORM_CHILDREN - 1 - n);

	k.time_ns = STORM_T0_NS + (uint64_t)n * 46 * MS;
	k.killer_kind = OW_KILLER_KERNEL;
	k.flags = OW_KILL_KMSG_CONFIRMED;
	k.victim_pid = victim.pid;
	k.trigger_pid = 2011 + n;
	k.trigger_tid = 2011 + n;
	strcpy(k.trigger_thread_comm, "worker");
	set_memcg(&k.domain, STORM_CG, STORM_CG_ID, 512 * MiB, 512 * MiB - 28 * KiB);
	set_stack(&k.trigger_kernel_stack, kstack, sizeof(kstack) / sizeof(kstack[0]));
	k.kernel_report.constraint = OW_CONSTRAINT_MEMCG;
	k.kernel_report.oom_memcg = xstrdup(STORM_CG);
	k.kernel_report.task_memcg = xstrdup(STORM_CG);
	k.kernel_report.has_allocation = true;
	k.kernel_report.gfp_mask = 0xcc0;
	k.kernel_report.order = 0;
	k.after.reap_start_ns = k.time_ns + 300 * 1000;
	k.after.reap_end_ns = k.time_ns + 1400 * 1000;
	k.after.reaped_bytes = victim.anon_bytes;
	k.after.exit_ns = k.time_ns + 3 * MS;
	k.unowned.known = true;
	k.unowned.shmem_bytes = 8 * MiB;
	k.unowned.file_bytes = 50 * MiB;
	k.unowned.kernel_bytes = 11 * MiB;
	k.unowned.slab_bytes = 5 * MiB;
	k.unowned.pagetables_bytes = 5 * MiB;
	k.unowned.sock_bytes = 64 * KiB;
	add_proc(&k, &storm_shell);
	add_proc(&k, &storm_postgres);
	add_proc(&k, &storm_forker);
	for (int i = 0; i < STORM_CHILDREN - n; i++) {
		struct proc_spec child = storm_child(i);

		add_proc(&k, &child);
	}
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
}

static void build_storm(struct ow_incident *inc)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = 5;
	for (int n = 0; n < 3; n++)
		add_storm_kill(inc, n);
}

/* ---- (6) a full tmpfs: a CI job leaves 690 MiB in /dev/shm ---- */

/* 2026-11-28T02:17:09.604Z */
#define TMPFS_T0_NS (1795832229ull * SEC + 604 * MS)
#define RUNNER_CG "/system.slice/gitlab-runner.service/job-81723"
#define RUNNER_CG_ID 140

static const struct proc_spec runner_agent = {
	.pid = 7100,
	.ppid = 1,
	.uid = 999,
	.comm = "gitlab-runner",
	.cmdline = "/usr/bin/gitlab-runner run --working-directory /home/gitlab-runner",
	.cgroup = RUNNER_CG,
	.cgroup_id = RUNNER_CG_ID,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 52 * MiB,
	.file_bytes = 9 * MiB,
	.pgtables_bytes = 300 * KiB,
};

static const struct proc_spec runner_pytest = {
	.pid = 7240,
	.ppid = 7100,
	.uid = 999,
	.comm = "pytest",
	.cmdline = "python3 -m pytest -x tests/integration --shm-cache /dev/shm/cache",
	.cgroup = RUNNER_CG,
	.cgroup_id = RUNNER_CG_ID,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 150 * MiB,
	.file_bytes = 14 * MiB,
	.shmem_bytes = 12 * MiB,
	.pgtables_bytes = 1 * MiB,
};

static const struct proc_spec runner_postgres = {
	.pid = 7180,
	.ppid = 7100,
	.uid = 999,
	.comm = "postgres",
	.cmdline = "postgres -D /builds/pgdata",
	.cgroup = RUNNER_CG,
	.cgroup_id = RUNNER_CG_ID,
	.adj = -900,
	.flags = OW_PROC_IN_DOMAIN,
	.anon_bytes = 38 * MiB,
	.file_bytes = 10 * MiB,
	.shmem_bytes = 20 * MiB,
	.pgtables_bytes = 500 * KiB,
};

/*
 * A 1 GiB job cgroup: its test suite wrote 690 MiB of cache files into /dev/shm and never
 * removed them. The kernel kills pytest, the biggest process, then the runner agent 300 ms
 * later: neither frees the tmpfs. postgres was shielded at -900 by its launcher.
 */
static void add_tmpfs_kill(struct ow_incident *inc, int n)
{
	struct ow_kill k = { 0 };

	k.time_ns = TMPFS_T0_NS + (n ? 310 * MS : 0);
	k.killer_kind = OW_KILLER_KERNEL;
	k.flags = OW_KILL_KMSG_CONFIRMED;
	k.victim_pid = n ? 7100 : 7240;
	k.trigger_pid = n ? 7180 : 7240;
	k.trigger_tid = k.trigger_pid;
	strcpy(k.trigger_thread_comm, n ? "postgres" : "pytest");
	set_memcg(&k.domain, RUNNER_CG, RUNNER_CG_ID, 1 * GiB, 1 * GiB - 12 * KiB);
	set_stack(&k.trigger_kernel_stack, kstack, sizeof(kstack) / sizeof(kstack[0]));
	k.kernel_report.constraint = OW_CONSTRAINT_MEMCG;
	k.kernel_report.oom_memcg = xstrdup(RUNNER_CG);
	k.kernel_report.task_memcg = xstrdup(RUNNER_CG);
	k.kernel_report.has_allocation = true;
	k.kernel_report.gfp_mask = 0x140cca;
	k.kernel_report.order = 0;
	k.after.reap_start_ns = k.time_ns + 2 * MS;
	k.after.reap_end_ns = k.time_ns + 8 * MS;
	k.after.reaped_bytes = n ? 52 * MiB : 150 * MiB;
	k.after.exit_ns = k.time_ns + (n ? 15 : 21) * MS;
	k.unowned.known = true;
	/* What the processes map (12 + 20 MiB, then 20) and 690 + 8 MiB nobody maps. */
	k.unowned.shmem_bytes = 730 * MiB;
	k.unowned.file_bytes = 21 * MiB;
	k.unowned.kernel_bytes = 14 * MiB;
	k.unowned.slab_bytes = 9 * MiB;
	k.unowned.pagetables_bytes = 2 * MiB;
	k.unowned.sock_bytes = 512 * KiB;
	k.unowned.tmpfs = calloc(1, sizeof(*k.unowned.tmpfs));
	assert_non_null(k.unowned.tmpfs);
	k.unowned.n_tmpfs = 1;
	k.unowned.tmpfs[0].path = xstrdup("/dev/shm");
	k.unowned.tmpfs[0].used_bytes = 702 * MiB;
	add_proc(&k, &runner_agent);
	if (n == 0)
		add_proc(&k, &runner_pytest);
	add_proc(&k, &runner_postgres);
	add_adj(&k, TMPFS_T0_NS - 412 * SEC, 0, -900, 7100, "gitlab-runner", false);
	assert_int_equal(ow_incident_add_kill(inc, &k), 0);
}

static void build_tmpfs(struct ow_incident *inc)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = 6;
	add_tmpfs_kill(inc, 0);
	add_tmpfs_kill(inc, 1);
}

/* ---- rendering and comparing ---- */

static bool update_mode(void)
{
	const char *s = getenv("OW_UPDATE_GOLDEN");

	return s && strcmp(s, "1") == 0;
}

/* The whole file, NUL-terminated, or NULL when it cannot be read (errno set). */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			assert_non_null(nb);
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	assert_false(ferror(f));
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fail_msg("cannot write %s: %s (run from the repo root)", path, strerror(errno));
		return;
	}
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Length of the line at s, without its newline. */
static size_t line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

/* Prints the first differing line, unified-diff style, to stderr. */
static void print_first_difference(const char *path, const char *want, const char *got)
{
	const char *w = want, *g = got;
	unsigned line = 1;

	while (*w && *g) {
		size_t wl = line_len(w), gl = line_len(g);

		if (wl != gl || memcmp(w, g, wl) != 0 || (w[wl] == '\n') != (g[gl] == '\n'))
			break;
		w += wl + (w[wl] == '\n');
		g += gl + (g[gl] == '\n');
		line++;
	}
	fprintf(stderr, "--- %s (expected)\n+++ rendered (got)\n@@ line %u @@\n", path, line);
	if (*w)
		fprintf(stderr, "-%.*s%s\n", (int)line_len(w), w,
			w[line_len(w)] == '\n' ? "" : "  (no newline at end of file)");
	else
		fprintf(stderr, "-<end of file>\n");
	if (*g)
		fprintf(stderr, "+%.*s%s\n", (int)line_len(g), g,
			g[line_len(g)] == '\n' ? "" : "  (no newline at end of output)");
	else
		fprintf(stderr, "+<end of output>\n");
	fprintf(stderr, "after an intended output change: OW_UPDATE_GOLDEN=1 "
			"build/tests/test_golden, then review the diff in git\n");
}

static void check_golden(const char *name, const char *got)
{
	char path[512];
	char *want;
	bool same;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	if (update_mode()) {
		write_file(path, got);
		fprintf(stderr, "wrote %s\n", path);
		return;
	}
	want = read_file(path);
	if (!want) {
		fail_msg("cannot read %s: %s (run from the repo root; to create it: "
			 "OW_UPDATE_GOLDEN=1 build/tests/test_golden)",
			 path, strerror(errno));
		return;
	}
	same = strcmp(want, got) == 0;
	if (!same)
		print_first_difference(path, want, got);
	free(want);
	if (!same)
		fail_msg("%s differs from the rendered output", path);
}

/* Verdict with the default config, then both renderers against <name>.txt and <name>.json. */
static void render_and_check(const struct ow_incident *inc, struct ow_verdict *v, const char *name)
{
	char file[128];
	char *out;

	snprintf(file, sizeof(file), "%s.txt", name);
	out = render(ow_render_incident_text, inc, v);
	check_golden(file, out);
	free(out);

	snprintf(file, sizeof(file), "%s.json", name);
	out = render(ow_render_incident_json, inc, v);
	check_golden(file, out);
	free(out);
}

static void render_and_check_html(const struct ow_incident *inc, struct ow_verdict *v,
				  const char *name)
{
	char file[128];
	char *out;

	snprintf(file, sizeof(file), "%s.html", name);
	out = render(ow_render_incident_html, inc, v);
	check_golden(file, out);
	free(out);
}

static void compute(const struct ow_incident *inc, struct ow_verdict *v)
{
	struct ow_verdict_config cfg;

	ow_verdict_config_default(&cfg);
	assert_int_equal(ow_verdict_compute(inc, &cfg, v), 0);
}

/* ---- tests ---- */

static void test_golden_story(void **state)
{
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	build_story(&inc);
	compute(&inc, &v);
	/* A few facts first, so that a regenerated file cannot silently bless a wrong story. */
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 4242);
	assert_int_equal(v.n_kills, 3);
	assert_int_equal(v.kills[0].victim_rank, 1);
	assert_true(v.kills[0].victim_innocent);
	assert_false(v.partial);
	assert_int_equal(v.n_shielded, 0);

	render_and_check(&inc, &v, "story");
	ow_verdict_clear(&v);
	ow_incident_clear(&inc);
}

static void test_golden_global_shielded(void **state)
{
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	build_global(&inc);
	compute(&inc, &v);
	assert_int_equal(v.culprit.pid, 2100);
	assert_false(v.culprit.was_killed);
	assert_int_equal(v.n_shielded, 1);
	assert_int_equal(v.shielded_pids[0], 2100);
	assert_true(v.partial);

	render_and_check(&inc, &v, "global-shielded");
	ow_verdict_clear(&v);
	ow_incident_clear(&inc);
}

static void test_golden_story_history(void **state)
{
	struct ow_incident inc;
	struct ow_verdict v;
	const struct ow_history *h;

	(void)state;
	build_leak(&inc);
	h = inc.history;
	/* The fixture itself: the memcg is full at the kill, the leaker grew 5 minutes. */
	assert_int_equal(h->n_procs, 3);
	assert_true(h->time_ns[59] < STORY_T0_NS && h->time_ns[60] > STORY_T0_NS);
	assert_true(h->cgroups[0].samples[59].usage_bytes > 250 * MiB);
	assert_true(h->cgroups[0].samples[59].usage_bytes < 256 * MiB);
	assert_false(h->procs[0].samples[60].present); /* the killed cache is gone */
	assert_false(h->procs[1].samples[0].present); /* the bystander was not born yet */
	compute(&inc, &v);
	assert_int_equal(v.n_kills, 1);
	assert_int_equal(v.kills[0].victim_rank, 1);
	/* The growth analysis names the leaker, growing steadily and still rising, over the
	 * biggest holder: the idle cache the kernel killed. */
	assert_true(v.growth.available);
	assert_true(v.growth.n_rows >= 1);
	assert_int_equal(v.growth.rows[0].pid, 4250);
	assert_int_equal(v.growth.rows[0].pattern, OW_GROWTH_STEADY);
	assert_true(v.growth.rows[0].rising_at_oom);
	assert_int_equal(v.growth.fastest, 0);
	assert_int_equal(v.culprit.pid, 4250);
	assert_true(v.culprit.by_growth);
	assert_false(v.culprit.was_killed);

	render_and_check(&inc, &v, "story-history");
	render_and_check_html(&inc, &v, "story-history");
	ow_verdict_clear(&v);
	ow_incident_clear(&inc);
}

static void test_golden_earlyoom(void **state)
{
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	build_earlyoom(&inc);
	compute(&inc, &v);
	/* Both kills by earlyoom, not by the kernel; the biggest holder is still found. */
	assert_int_equal(inc.kills[0].killer_kind, OW_KILLER_SIGNAL);
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS);
	assert_int_equal(v.culprit.pid, 4100);
	assert_true(v.culprit.was_killed);
	assert_non_null(strstr(v.summary, "not by the kernel"));
	assert_false(v.partial);

	render_and_check(&inc, &v, "earlyoom");
	ow_verdict_clear(&v);
	ow_incident_clear(&inc);
}

static void test_golden_fork_storm(void **state)
{
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	build_storm(&inc);
	assert_int_equal(inc.kills[0].n_procs, 3 + STORM_CHILDREN);
	compute(&inc, &v);
	/* No worker holds much; the forker's tree holds nearly all of it. */
	assert_int_equal(v.culprit.kind, OW_CULPRIT_PROCESS_TREE);
	assert_int_equal(v.culprit.pid, 2000);
	assert_int_equal(v.culprit.n_members, 1 + STORM_CHILDREN);
	assert_true(v.culprit.was_trigger); /* its members were allocating, and were killed */
	assert_true(v.culprit.was_killed);

	render_and_check(&inc, &v, "fork-storm");
	ow_verdict_clear(&v);
	ow_incident_clear(&inc);
}

static void test_golden_tmpfs(void **state)
{
	struct ow_incident inc;
	struct ow_verdict v;

	(void)state;
	build_tmpfs(&inc);
	compute(&inc, &v);
	/* 730 MiB of shmem, 32 MiB of it mapped: 698 MiB in no process, 68% of the limit. */
	assert_int_equal(v.culprit.kind, OW_CULPRIT_NON_PROCESS);
	assert_string_equal(v.culprit.what, "shmem/tmpfs");
	assert_int_equal(v.culprit.memory_bytes, 698 * MiB);
	assert_int_equal(v.n_shielded, 0);

	render_and_check(&inc, &v, "tmpfs");
	render_and_check_html(&inc, &v, "tmpfs");
	ow_verdict_clear(&v);
	ow_incident_clear(&inc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_story),
		cmocka_unit_test(test_golden_global_shielded),
		cmocka_unit_test(test_golden_story_history),
		cmocka_unit_test(test_golden_earlyoom),
		cmocka_unit_test(test_golden_fork_storm),
		cmocka_unit_test(test_golden_tmpfs),
	};

	/* Text output is local time: pin the zone so that the golden files hold anywhere. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
