/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of `oomwitness check`'s lines (src/capture/kernel_check.c): this project's own
 * machine (no fentry, no kprobes, cgroup v1), a kernel with fentry, an older kernel's pid-only
 * mark_victim, no BTF, no privileges; and CapEff parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "capture/kernel_check.h"

#define ALL_CAPS ((1ull << OW_CAP_BPF) | (1ull << OW_CAP_PERFMON) | (1ull << OW_CAP_SYS_ADMIN))

/* This project's machine: 6.18, every tracepoint, no trampolines, no kprobes, cgroup v1. */
static struct ow_kernel_facts host_facts(void)
{
	struct ow_kernel_facts f = {
		.btf = true,
		.mark_victim = OW_MARK_VICTIM_TASK,
		.task_iter_kfuncs = true,
		.signal_generate = true,
		.oom_score_adj_update = true,
		.reaping = true,
		.task_from_pid_kfunc = true,
		.fentry_err = -EPERM,
		.kprobe_err = -ENOENT,
		.memcg_version = 1,
		.caps_known = true,
		.cap_eff = ALL_CAPS,
	};
	strcpy(f.fentry_why, "fentry/oom_kill_process load failed (Operation not permitted)");
	strcpy(f.kprobe_why, "kprobe/oom_kill_process attach failed (No such file or directory)");
	return f;
}

static const struct ow_check_line *find(const struct ow_check_line *lines, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(lines[i].name, name) == 0)
			return &lines[i];
	fail_msg("no line %s", name);
	return NULL;
}

static void test_host(void **state)
{
	struct ow_check_line lines[OW_CHECK_LINES_MAX];
	struct ow_kernel_facts f = host_facts();
	const struct ow_check_line *l;
	size_t n;

	(void)state;
	n = ow_check_lines(&f, lines, OW_CHECK_LINES_MAX);
	assert_int_equal(n, 11);
	assert_true(ow_check_can_record(lines, n));
	l = find(lines, n, "tp_btf/mark_victim");
	assert_true(l->ok && l->in_use && l->required);
	l = find(lines, n, "fentry/oom_kill_process");
	assert_false(l->ok);
	assert_false(l->required);
	/* the hook is named once, by the line */
	assert_non_null(strstr(l->text, "load failed (Operation not permitted)"));
	assert_null(strstr(l->text, "fentry/oom_kill_process"));
	l = find(lines, n, "kprobe/oom_kill_process");
	assert_false(l->ok);
	assert_non_null(strstr(l->text, "CONFIG_KPROBES=y"));
	l = find(lines, n, "memory cgroup");
	assert_true(l->ok);
	assert_non_null(strstr(l->text, "cgroup v1"));
}

static void test_fentry_preferred(void **state)
{
	struct ow_check_line lines[OW_CHECK_LINES_MAX];
	struct ow_kernel_facts f = host_facts();
	const struct ow_check_line *l;
	size_t n;

	(void)state;
	f.fentry_err = 0;
	f.kprobe_err = 0;
	f.memcg_version = 2;
	n = ow_check_lines(&f, lines, OW_CHECK_LINES_MAX);
	l = find(lines, n, "fentry/oom_kill_process");
	assert_true(l->ok && l->in_use);
	l = find(lines, n, "kprobe/oom_kill_process");
	assert_true(l->ok);
	assert_false(l->in_use); /* fentry is used */
	f.fentry_err = -EPERM;
	n = ow_check_lines(&f, lines, OW_CHECK_LINES_MAX);
	l = find(lines, n, "kprobe/oom_kill_process");
	assert_true(l->ok && l->in_use);
}

static void test_cannot_record(void **state)
{
	struct ow_check_line lines[OW_CHECK_LINES_MAX];
	struct ow_kernel_facts f = host_facts();
	const struct ow_check_line *l;
	size_t n;

	(void)state;
	/* An older kernel: pid-only mark_victim, no task iterator: the walk does instead. */
	f.mark_victim = OW_MARK_VICTIM_PID_ONLY;
	f.task_iter_kfuncs = false;
	n = ow_check_lines(&f, lines, OW_CHECK_LINES_MAX);
	assert_true(ow_check_can_record(lines, n));
	l = find(lines, n, "tp_btf/mark_victim");
	assert_true(l->ok && l->in_use);
	assert_non_null(strstr(l->text, "pid-only"));
	l = find(lines, n, "task iterator kfuncs");
	assert_false(l->ok || l->required);
	assert_non_null(strstr(l->text, "bpf_loop"));

	/* No mark_victim at all: nothing can record with BPF, nothing is in use. */
	f.mark_victim = OW_MARK_VICTIM_MISSING;
	n = ow_check_lines(&f, lines, OW_CHECK_LINES_MAX);
	assert_false(ow_check_can_record(lines, n));
	l = find(lines, n, "tp_btf/signal_generate");
	assert_true(l->ok);
	assert_false(l->in_use);

	f = host_facts();
	f.cap_eff = 1ull << OW_CAP_SYS_ADMIN;
	n = ow_check_lines(&f, lines, OW_CHECK_LINES_MAX);
	assert_false(ow_check_can_record(lines, n));
	l = find(lines, n, "capabilities");
	assert_non_null(strstr(l->text, "CAP_BPF CAP_PERFMON"));

	f = host_facts();
	f.btf = false;
	f.mark_victim = OW_MARK_VICTIM_MISSING;
	f.kmsg_err = -EPERM;
	f.memcg_version = 0;
	n = ow_check_lines(&f, lines, OW_CHECK_LINES_MAX);
	assert_false(ow_check_can_record(lines, n));
	assert_non_null(strstr(find(lines, n, "kernel BTF")->text, "--no-bpf"));
	assert_non_null(strstr(find(lines, n, "/dev/kmsg")->text, "dmesg_restrict"));
	assert_false(find(lines, n, "memory cgroup")->ok);
}

static void test_cap_eff(void **state)
{
	uint64_t caps = 0;

	(void)state;
	assert_int_equal(ow_parse_cap_eff("Name:\tcat\nCapInh:\t0000000000000000\n"
					  "CapPrm:\t000001ffffffffff\nCapEff:\t000001ffefffffff\n",
					  &caps),
			 0);
	assert_int_equal(caps, 0x000001ffefffffffull);
	assert_true((caps >> OW_CAP_BPF) & 1);
	assert_int_equal(ow_parse_cap_eff("Name:\tcat\n", &caps), -ENOENT);
	assert_int_equal(ow_parse_cap_eff("CapEff:\tzz\n", &caps), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_fentry_preferred),
		cmocka_unit_test(test_cannot_record),
		cmocka_unit_test(test_cap_eff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
