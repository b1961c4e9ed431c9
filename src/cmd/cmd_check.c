/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `oomwitness check`: which hooks this kernel gives, which `record` would use, and what is
 * missing, one line each in words a user can act on (capture/kernel_check.h). Probes without
 * attaching for long: BTF look-ups, and for fentry/kprobe on oom_kill_process a load and
 * attach undone at once. Exit 0 when `record` can run, 1 when it cannot.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <jansson.h>

#include "capture/bpf_oomctl.h"
#include "capture/kernel_check.h"
#include "capture/kmsg_reader.h"
#include "capture/procfs.h"
#include "cmd/cmd.h"

static void check_usage(FILE *out)
{
	fprintf(out, "usage: oomwitness check [--json]\n"
		     "Says which kernel hooks this machine gives oomwitness, which 'record' uses,\n"
		     "and what is missing: one line each, ok or what it costs and what to do.\n"
		     "Exit 0 when 'record' can run here, 1 when it cannot. Run it as root, as\n"
		     "record runs: the fentry and kprobe probes load and attach for an instant.\n"
		     "  --json   the same as a JSON object (lines, can_record)\n");
}

/* Whether btf_trace_<tp> exists. */
static bool has_tracepoint(const struct btf *btf, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
}

static bool has_kfunc(const struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) >= 0;
}

/* mark_victim's form: whether btf_trace_mark_victim's first tracepoint argument is a pointer. */
static enum ow_mark_victim_form mark_victim_form(const struct btf *btf)
{
	const struct btf_type *t;
	const struct btf_param *params;
	int id;

	if (!btf)
		return OW_MARK_VICTIM_MISSING;
	id = btf__find_by_name_kind(btf, "btf_trace_mark_victim", BTF_KIND_TYPEDEF);
	if (id < 0)
		return OW_MARK_VICTIM_MISSING;
	t = btf__type_by_id(btf, id); /* typedef -> pointer -> func proto */
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 2)
		return OW_MARK_VICTIM_MISSING;
	params = btf_params(t);
	t = btf__type_by_id(btf, params[1].type); /* params[0] is the void *__data */
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_ptr(t) ? OW_MARK_VICTIM_TASK : OW_MARK_VICTIM_PID_ONLY;
}

static void read_caps(struct ow_kernel_facts *f)
{
	char buf[8192];
	FILE *fp = fopen("/proc/self/status", "re");
	size_t len;

	if (!fp)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[len] = '\0';
	f->caps_known = ow_parse_cap_eff(buf, &f->cap_eff) == 0;
}

static void probe(struct ow_kernel_facts *f)
{
	struct btf *btf = NULL;
	int fd;

	memset(f, 0, sizeof(*f));
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	if (f->btf)
		btf = btf__load_vmlinux_btf();
	f->mark_victim = mark_victim_form(btf);
	f->task_iter_kfuncs = has_kfunc(btf, "bpf_iter_task_new") &&
			      has_kfunc(btf, "bpf_iter_task_next") &&
			      has_kfunc(btf, "bpf_iter_task_destroy");
	f->signal_generate = has_tracepoint(btf, "signal_generate");
	f->oom_score_adj_update = has_tracepoint(btf, "oom_score_adj_update");
	f->reaping = has_tracepoint(btf, "start_task_reaping") &&
		     has_tracepoint(btf, "finish_task_reaping");
	f->task_from_pid_kfunc = has_kfunc(btf, "bpf_task_from_pid");
	btf__free(btf);
	f->fentry_err = ow_oomctl_probe(OW_OOMCTL_FENTRY, f->fentry_why, sizeof(f->fentry_why));
	f->kprobe_err = ow_oomctl_probe(OW_OOMCTL_KPROBE, f->kprobe_why, sizeof(f->kprobe_why));
	f->memcg_version = ow_cgroupfs_memory_version("/");
	fd = open(OW_KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	f->kmsg_err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	read_caps(f);
}

static int print_text(const struct ow_check_line *lines, size_t n, bool can_record)
{
	for (size_t i = 0; i < n; i++)
		printf("%-8s %s%s: %s\n", lines[i].ok ? "ok" : "missing", lines[i].name,
		       lines[i].in_use ? " (in use)" : "", lines[i].text);
	printf("record: %s\n", can_record
				       ? "can run here"
				       : "cannot run here with BPF (see the required lines above); "
					 "record --no-bpf records from /dev/kmsg alone");
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -EIO;
}

static int print_json(const struct ow_check_line *lines, size_t n, bool can_record)
{
	json_t *root = json_object(), *arr = json_array();
	int r = -ENOMEM;

	if (!root || !arr || json_object_set_new(root, "can_record", json_boolean(can_record)) ||
	    json_object_set(root, "lines", arr))
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:b, s:b, s:b, s:s}", "name", lines[i].name, "ok",
				      lines[i].ok, "required", lines[i].required, "in_use",
				      lines[i].in_use, "text", lines[i].text);

		if (!o || json_array_append_new(arr, o))
			goto out;
	}
	r = json_dumpf(root, stdout, JSON_INDENT(2)) == 0 && fputc('\n', stdout) != EOF &&
			    fflush(stdout) == 0
		    ? 0
		    : -EIO;
out:
	json_decref(arr);
	json_decref(root);
	return r;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ow_check_line lines[OW_CHECK_LINES_MAX];
	struct ow_kernel_facts facts;
	bool json = false, can_record;
	size_t n;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			check_usage(stdout);
			return OW_EXIT_OK;
		default:
			check_usage(stderr);
			return OW_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ow_log("check takes no arguments, got '%s'", argv[optind]);
		check_usage(stderr);
		return OW_EXIT_USAGE;
	}
	probe(&facts);
	n = ow_check_lines(&facts, lines, OW_CHECK_LINES_MAX);
	can_record = ow_check_can_record(lines, n);
	if ((json ? print_json(lines, n, can_record) : print_text(lines, n, can_record)) < 0) {
		ow_log("writing the report: %s", strerror(EIO));
		return OW_EXIT_FAILURE;
	}
	return can_record ? OW_EXIT_OK : OW_EXIT_FAILURE;
}
