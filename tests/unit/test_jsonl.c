/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the JSON Lines builders of `record --jsonl` and of container attribution in
 * the renderers (src/output/json.c, text.c). The incident is a pod at its limit on a Kubernetes
 * node (systemd driver, containerd): a small victim and a big trigger in two containers of the
 * pod, a process in the pod's own cgroup, one outside any container, one missing from the
 * snapshot; the verdict is the real one. Each line must be one object on one line, hostile
 * strings included, whose objects equal show --json's (json_equal: same names, same values).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/verdict.h"
#include "output/render.h"

#include "fixtures.h"
#include "render_checks.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)
/* 2026-11-25T19:04:05.123Z */
#define T0_NS (1795633445ull * 1000000000ull + 123000000ull)

#define UID "0d0c3a54-7c2f-4b0e-9c41-5f1c0b6e2a77"
#define POD                                                               \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" \
	"0d0c3a54_7c2f_4b0e_9c41_5f1c0b6e2a77.slice"
#define ID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "2222222222222222222222222222222222222222222222222222222222222222"
#define DOCKER_ID "3f2a1b9c0d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd"

/* Newlines, a carriage return, escapes, ill-formed UTF-8 and U+2028 (a JavaScript newline). */
static const char hostile_cmdline[] = "./victim \"q\" \\ \nFAKE\r\n{\"type\":\"kill\"}\x1b[2J "
				      "\xff\xfe \xe2\x80\xa8 tail";

struct fixture {
	struct ow_incident inc;
	struct ow_verdict v;
	bool judged;
};

static void set_cgroup(struct ow_process *p, const char *cgroup)
{
	ow_shared_str_unref(p->cgroup);
	p->cgroup = xshared(cgroup);
}

/* One kill in the pod: victim (killed), memhog (trigger), pause, a stranger. */
static void add_kill(struct fixture *fx, int32_t victim, uint64_t dt_ns)
{
	static const char *const kstack[] = { "out_of_memory+0x243", "try_charge_memcg+0x6d5" };
	struct ow_kill k = { 0 };
	struct ow_process *p;

	k.time_ns = T0_NS + dt_ns;
	k.victim_pid = victim;
	k.trigger_pid = 4242;
	k.trigger_tid = 4243;
	strcpy(k.trigger_thread_comm, "memhog\n\x1b[2J");
	set_memcg(&k.domain, POD, 77, 256 * MiB, 256 * MiB - 100 * KiB);
	set_stack(&k.trigger_kernel_stack, kstack, 2);
	if (victim == 4240) {
		p = kill_add_memcg_process(&k, 4240, "vic\ntim", hostile_cmdline, 1000, 2 * MiB);
		set_cgroup(p, POD "/cri-containerd-" ID1 ".scope");
	}
	p = kill_add_memcg_process(&k, 4242, "memhog", "./memhog --grow", 0, 200 * MiB);
	set_cgroup(p, POD "/cri-containerd-" ID2 ".scope");
	p = kill_add_memcg_process(&k, 4100, "pause", "/pause", -998, 1 * MiB);
	p = kill_add_memcg_process(&k, 1, "systemd", "/sbin/init", 0, 4 * MiB);
	p->flags = OW_PROC_INIT;
	set_cgroup(p, NULL);
	assert_int_equal(ow_incident_add_kill(&fx->inc, &k), 0);
}

static void build(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->inc.id = 12;
	add_kill(fx, 4240, 0);
	/* The second victim is missing from its snapshot: only its pid is known. */
	add_kill(fx, 9999, 1500000000ull);
	fx->judged = ow_verdict_compute(&fx->inc, NULL, &fx->v) == 0;
	assert_true(fx->judged);
}

static void teardown_fx(struct fixture *fx)
{
	ow_verdict_clear(&fx->v);
	ow_incident_clear(&fx->inc);
}

/* What a JSONL builder writes, checked to be exactly one line, and parsed. */
static json_t *one_line(char *buf, size_t len)
{
	json_t *line;

	assert_true(len > 2);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(buf[len - 1], '\n');
	for (size_t i = 0; i + 1 < len; i++)
		if (buf[i] == '\n' || buf[i] == '\r' || (unsigned char)buf[i] < 0x20)
			fail_msg("raw control byte 0x%02x at %zu of a JSON line", buf[i], i);
	/* Valid UTF-8 throughout: json_loads refuses anything else. */
	line = parse(buf);
	assert_true(json_is_object(line));
	return line;
}

static json_t *kill_line(const struct fixture *fx, size_t i)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *line;

	assert_non_null(f);
	assert_int_equal(ow_render_kill_jsonl(f, &fx->inc, i, &fx->v), 0);
	assert_int_equal(fclose(f), 0);
	line = one_line(buf, len);
	free(buf);
	return line;
}

static json_t *incident_line(const struct fixture *fx, const struct ow_verdict *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *line;

	assert_non_null(f);
	assert_int_equal(ow_render_incident_jsonl(f, &fx->inc, v), 0);
	assert_int_equal(fclose(f), 0);
	line = one_line(buf, len);
	free(buf);
	return line;
}

static void assert_json_equal(const json_t *a, const json_t *b, const char *what)
{
	if (!json_equal(a, b)) {
		char *sa = json_dumps(a, JSON_COMPACT), *sb = json_dumps(b, JSON_COMPACT);

		fail_msg("%s differs:\n  %s\n  %s", what, sa, sb);
	}
}

/* A kill line holds show --json's kills[i], the incident's id and domain. */
static void test_kill_line_equals_show(void **state)
{
	struct fixture fx;
	json_t *show, *line;
	char *out;

	(void)state;
	build(&fx);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	show = parse(out);
	for (size_t i = 0; i < fx.inc.n_kills; i++) {
		line = kill_line(&fx, i);
		assert_string_equal(jstr(line, "type"), "kill");
		assert_int_equal(jint(line, "format_version"), jint(show, "format_version"));
		assert_int_equal(jint(line, "incident_id"), jint(show, "id"));
		assert_json_equal(json_object_get(line, "kill"),
				  json_array_get(json_object_get(show, "kills"), i), "kill");
		assert_json_equal(json_object_get(line, "domain"), json_object_get(show, "domain"),
				  "domain");
		assert_int_equal(json_object_size(line), 5);
		json_decref(line);
	}
	/* The hostile command line survives, escaped. */
	line = kill_line(&fx, 0);
	assert_string_equal(
		jstr(json_object_get(json_object_get(line, "kill"), "victim"), "cmdline"),
		"./victim \"q\" \\ \nFAKE\r\n{\"type\":\"kill\"}\x1b[2J "
		"\xef\xbf\xbd\xef\xbf\xbd \xe2\x80\xa8 tail");
	json_decref(line);
	json_decref(show);
	free(out);
	teardown_fx(&fx);
}

/*
 * A signal kill and what follows kills (issue 4) in a kill line: the sender as the killer, no
 * trigger, the new fields as show --json has them, and their strings from processes and mounts
 * (a tmpfs path, an adj writer's comm, the kernel's memcg) still one line.
 */
static void test_kill_line_signal(void **state)
{
	struct fixture fx;
	struct ow_kill *k;
	struct ow_process *victim;
	json_t *show, *line, *kill;
	char *out;

	(void)state;
	build(&fx);
	ow_verdict_clear(&fx.v);
	k = &fx.inc.kills[0];
	k->killer_kind = OW_KILLER_SIGNAL;
	k->flags = OW_KILL_SNAPSHOT_SKIPPED | OW_KILL_KMSG_CONFIRMED;
	k->kernel_report.oom_memcg = xstrdup(hostile_cmdline);
	k->unowned.known = true;
	k->unowned.shmem_bytes = 64 * MiB;
	k->unowned.tmpfs = calloc(1, sizeof(*k->unowned.tmpfs));
	assert_non_null(k->unowned.tmpfs);
	k->unowned.n_tmpfs = 1;
	k->unowned.tmpfs[0].path = xstrdup(hostile_cmdline);
	k->unowned.tmpfs[0].used_bytes = 60 * MiB;
	victim = &k->procs[0];
	victim->adj_changes = calloc(1, sizeof(*victim->adj_changes));
	assert_non_null(victim->adj_changes);
	victim->n_adj_changes = 1;
	victim->adj_changes[0].time_ns = T0_NS - 1000000000ull;
	victim->adj_changes[0].old_adj = OW_ADJ_UNKNOWN;
	victim->adj_changes[0].new_adj = 1000;
	victim->adj_changes[0].by_pid = 4242;
	memcpy(victim->adj_changes[0].by_comm, "a\nb\r{\"\x1b", 8);
	assert_int_equal(ow_verdict_compute(&fx.inc, NULL, &fx.v), 0);

	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	show = parse(out);
	line = kill_line(&fx, 0);
	kill = json_object_get(line, "kill");
	assert_json_equal(kill, json_array_get(json_object_get(show, "kills"), 0), "kill");
	assert_string_equal(jstr(json_object_get(kill, "killer"), "kind"), "signal");
	assert_int_equal(jint(json_object_get(kill, "killer"), "pid"), 4242);
	assert_string_equal(
		jstr(json_object_get(json_object_get(kill, "killer"), "container"), "id"), ID2);
	assert_null_field(kill, "trigger");
	assert_string_equal(jstr(kill, "snapshot"), "skipped");
	assert_string_equal(
		jstr(json_array_get(
			     json_object_get(json_object_get(kill, "unowned_memory"), "tmpfs"), 0),
		     "path"),
		"./victim \"q\" \\ \nFAKE\r\n{\"type\":\"kill\"}\x1b[2J "
		"\xef\xbf\xbd\xef\xbf\xbd \xe2\x80\xa8 tail");
	assert_string_equal(jstr(json_array_get(json_object_get(json_object_get(kill, "victim"),
								"oom_score_adj_changes"),
						0),
				 "by_comm"),
			    "a\nb\r{\"\x1b");
	json_decref(line);
	json_decref(show);
	free(out);
	teardown_fx(&fx);
}

/* An incident line is show --json without id, kills and history, and with victims. */
static void test_incident_line_equals_show(void **state)
{
	static const char *const left_out[] = { "id", "kills", "history" };
	struct fixture fx;
	json_t *show, *line, *value;
	const char *key;
	char *out;

	(void)state;
	build(&fx);
	for (int judged = 1; judged >= 0; judged--) {
		const struct ow_verdict *v = judged ? &fx.v : NULL;

		out = render(ow_render_incident_json, &fx.inc, v);
		show = parse(out);
		line = incident_line(&fx, v);
		assert_string_equal(jstr(line, "type"), "incident");
		assert_int_equal(jint(line, "incident_id"), 12);
		assert_int_equal(json_array_size(json_object_get(line, "victims")), 2);
		assert_int_equal(
			json_integer_value(json_array_get(json_object_get(line, "victims"), 0)),
			4240);
		assert_int_equal(
			json_integer_value(json_array_get(json_object_get(line, "victims"), 1)),
			9999);
		json_object_foreach(line, key, value)
		{
			if (!strcmp(key, "type") || !strcmp(key, "incident_id") ||
			    !strcmp(key, "victims"))
				continue;
			if (!json_object_get(show, key))
				fail_msg("incident line has \"%s\", show --json has not", key);
			assert_json_equal(value, json_object_get(show, key), key);
		}
		json_object_foreach(show, key, value)
		{
			bool out_of_line = false;

			(void)value;
			for (size_t i = 0; i < sizeof(left_out) / sizeof(left_out[0]); i++)
				out_of_line |= strcmp(key, left_out[i]) == 0;
			if (!out_of_line && !json_object_get(line, key))
				fail_msg("incident line lacks \"%s\"", key);
		}
		if (judged) {
			assert_int_equal(jint(json_object_get(line, "culprit"), "pid"), 4242);
			assert_non_null(strstr(jstr(line, "verdict"), "memhog"));
		} else {
			assert_null_field(line, "verdict");
		}
		json_decref(line);
		json_decref(show);
		free(out);
	}
	teardown_fx(&fx);
}

static void assert_container(const json_t *proc, const char *runtime, const char *id,
			     const char *pod_uid, const char *qos, const char *unit,
			     const char *label)
{
	const json_t *c = json_object_get(proc, "container");

	if (!runtime) {
		assert_true(json_is_null(c));
		return;
	}
	assert_true(json_is_object(c));
	assert_int_equal(json_object_size(c), 6);
	assert_string_equal(jstr(c, "runtime"), runtime);
	if (id)
		assert_string_equal(jstr(c, "id"), id);
	else
		assert_null_field(c, "id");
	if (pod_uid)
		assert_string_equal(jstr(c, "pod_uid"), pod_uid);
	else
		assert_null_field(c, "pod_uid");
	if (qos)
		assert_string_equal(jstr(c, "qos"), qos);
	else
		assert_null_field(c, "qos");
	if (unit)
		assert_string_equal(jstr(c, "unit"), unit);
	else
		assert_null_field(c, "unit");
	assert_string_equal(jstr(c, "label"), label);
}

/* Victim, trigger and culprit are each attributed from their own cgroup. */
static void test_container_json(void **state)
{
	struct fixture fx;
	json_t *show, *kill, *cands, *c;
	char *out;
	size_t n_pause = 0;

	(void)state;
	build(&fx);
	out = render(ow_render_incident_json, &fx.inc, &fx.v);
	show = parse(out);
	kill = json_array_get(json_object_get(show, "kills"), 0);
	assert_container(json_object_get(kill, "victim"), "containerd", ID1, UID, "burstable",
			 "cri-containerd-" ID1 ".scope", "111111111111");
	assert_container(json_object_get(kill, "trigger"), "containerd", ID2, UID, "burstable",
			 "cri-containerd-" ID2 ".scope", "222222222222");
	assert_container(json_object_get(show, "culprit"), "containerd", ID2, UID, "burstable",
			 "cri-containerd-" ID2 ".scope", "222222222222");
	cands = json_object_get(kill, "candidates");
	for (size_t i = 0; i < json_array_size(cands); i++) {
		c = json_array_get(cands, i);
		if (jint(c, "pid") == 4100) {
			/* the pod's own cgroup: a pod without a container */
			assert_container(c, "kubernetes", NULL, UID, "burstable", NULL, "pod:" UID);
			n_pause++;
		}
		if (jint(c, "pid") == 1)
			assert_container(c, NULL, NULL, NULL, NULL, NULL, NULL);
	}
	assert_int_equal(n_pause, 1);
	/* A victim missing from its snapshot: no cgroup, no container. */
	kill = json_array_get(json_object_get(show, "kills"), 1);
	assert_int_equal(jint(json_object_get(kill, "victim"), "pid"), 9999);
	assert_container(json_object_get(kill, "victim"), NULL, NULL, NULL, NULL, NULL, NULL);
	json_decref(show);
	free(out);

	/* No verdict: the culprit is "none", its container null. */
	out = render(ow_render_incident_json, &fx.inc, NULL);
	show = parse(out);
	assert_container(json_object_get(show, "culprit"), NULL, NULL, NULL, NULL, NULL, NULL);
	json_decref(show);
	free(out);
	teardown_fx(&fx);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return true;
	}
	return false;
}

/* The text report: a container line for the culprit; victim and trigger where they fit. */
static void test_container_text(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	build(&fx);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_true(has_line(out, "         container: containerd 222222222222, pod " UID
				  " (burstable)"));
	/* Too long for the kill lines: lines of their own. */
	assert_true(
		has_line(out, "     victim in containerd 111111111111, pod " UID " (burstable)"));
	assert_true(
		has_line(out, "     trigger in containerd 222222222222, pod " UID " (burstable)"));
	free(out);

	/* Docker: the trigger's fits on its line; the victim's line is always full. */
	for (size_t k = 0; k < fx.inc.n_kills; k++)
		for (size_t i = 0; i < fx.inc.kills[k].n_procs; i++)
			if (fx.inc.kills[k].procs[i].pid != 1)
				set_cgroup(&fx.inc.kills[k].procs[i],
					   "/system.slice/docker-" DOCKER_ID ".scope");
	strcpy(fx.inc.kills[0].procs[0].comm, "v");
	fx.inc.kills[1].victim_pid = 4242; /* the trigger itself */
	ow_verdict_clear(&fx.v);
	assert_int_equal(ow_verdict_compute(&fx.inc, NULL, &fx.v), 0);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_terminal_safe(out);
	assert_true(has_line(out, "         container: docker 3f2a1b9c0d4e"));
	assert_non_null(strstr(out,
			       "  KILLED v (pid 4240, adj +1000, memory 2.0 MiB)  by the kernel "
			       "OOM killer\n     victim in docker 3f2a1b9c0d4e\n"));
	assert_non_null(strstr(out, ", was allocating, in docker 3f2a1b9c0d4e\n"));
	/* The victim itself allocating: its container is on its KILLED line already. */
	assert_non_null(strstr(out, "the victim itself, was allocating\n"));
	assert_null(strstr(out, "trigger in"));
	free(out);

	/* A plain test cgroup: no container anywhere. */
	for (size_t k = 0; k < fx.inc.n_kills; k++)
		for (size_t i = 0; i < fx.inc.kills[k].n_procs; i++)
			set_cgroup(&fx.inc.kills[k].procs[i], "/oomwitness-test");
	ow_verdict_clear(&fx.v);
	assert_int_equal(ow_verdict_compute(&fx.inc, NULL, &fx.v), 0);
	out = render(ow_render_incident_text, &fx.inc, &fx.v);
	assert_null(strstr(out, "container:"));
	assert_null(strstr(out, "victim in "));
	assert_null(strstr(out, "trigger in "));
	assert_null(strstr(out, "allocating, in "));
	assert_null(strstr(out, "MiB, in "));
	free(out);
	teardown_fx(&fx);
}

static void test_jsonl_errors(void **state)
{
	struct fixture fx;
	FILE *full = fopen("/dev/full", "w");
	int failures = 0;

	(void)state;
	build(&fx);
	assert_int_equal(ow_render_kill_jsonl(stdout, &fx.inc, 2, &fx.v), -EINVAL);
	assert_int_equal(ow_render_kill_jsonl(NULL, &fx.inc, 0, &fx.v), -EINVAL);
	assert_int_equal(ow_render_incident_jsonl(stdout, NULL, NULL), -EINVAL);
	if (full) {
		assert_int_equal(ow_render_kill_jsonl(full, &fx.inc, 0, &fx.v), -EIO);
		clearerr(full);
		assert_int_equal(ow_render_incident_jsonl(full, &fx.inc, &fx.v), -EIO);
		fclose(full);
	}
	/* Each jansson allocation failing in turn: -ENOMEM every time, no leak (ASan). */
	for (int budget = 0;; budget++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int r_kill, r_inc;

		assert_non_null(f);
		json_set_alloc_funcs(failing_malloc, free);
		alloc_budget = budget;
		r_kill = ow_render_kill_jsonl(f, &fx.inc, 0, &fx.v);
		alloc_budget = budget;
		r_inc = ow_render_incident_jsonl(f, &fx.inc, &fx.v);
		json_set_alloc_funcs(malloc, free);
		fclose(f);
		free(buf);
		if (r_kill == 0 && r_inc == 0)
			break;
		assert_true(r_kill == 0 || r_kill == -ENOMEM);
		assert_true(r_inc == 0 || r_inc == -ENOMEM);
		failures++;
	}
	assert_true(failures > 20);
	teardown_fx(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_line_equals_show),
		cmocka_unit_test(test_kill_line_signal),
		cmocka_unit_test(test_incident_line_equals_show),
		cmocka_unit_test(test_container_json),
		cmocka_unit_test(test_container_text),
		cmocka_unit_test(test_jsonl_errors),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
