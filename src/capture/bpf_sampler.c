/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libbpf shell around the sampler skeleton (see bpf_sampler.h). Each read runs the program
 * once (BPF_PROG_TEST_RUN: it is attached to nothing) and converts the records it left in the
 * array map, which is mapped into our address space at start.
 */
#include "capture/bpf_sampler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/bpf_loader.h"
#include "oomwitness.h"
#include "sampler.skel.h"

struct ow_bpf_sampler {
	struct sampler_bpf *skel;
	const struct ow_sample_task *samples; /* the array map, mapped read-only */
	size_t samples_bytes;
	size_t cap;
	int prog_fd;
	uint64_t page_size;
};

int ow_bpf_sampler_start(struct ow_bpf_sampler **ret_sampler, size_t max_tasks, char *what,
			 size_t what_len)
{
	struct ow_bpf_sampler *s = calloc(1, sizeof(*s));
	bool iter = ow_bpf_kernel_has_task_iter();
	struct bpf_program *prog;
	void *map;
	int r;

	if (!s)
		return -ENOMEM;
	s->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	s->cap = max_tasks;
	s->skel = sampler_bpf__open();
	if (!s->skel) {
		r = -errno;
		snprintf(what, what_len, "opening the sampler's BPF object");
		goto out_free;
	}
	r = bpf_map__set_max_entries(s->skel->maps.samples, (uint32_t)max_tasks);
	if (r < 0) {
		snprintf(what, what_len, "sizing the sampler's array");
		goto out_destroy;
	}
	/* The iterator where the kernel has it (6.7+), else the bpf_loop walk (sampler.bpf.c). */
	bpf_program__set_autoload(s->skel->progs.ow_sample_tasks, iter);
	bpf_program__set_autoload(s->skel->progs.ow_sample_tasks_walk, !iter);
	prog = iter ? s->skel->progs.ow_sample_tasks : s->skel->progs.ow_sample_tasks_walk;
	r = sampler_bpf__load(s->skel);
	if (r < 0) {
		snprintf(what, what_len,
			 "loading the sampler's task walk (the verifier refused it, or "
			 "CAP_BPF/CAP_PERFMON are missing: run as root)");
		goto out_destroy;
	}
	s->samples_bytes = max_tasks * sizeof(struct ow_sample_task);
	map = mmap(NULL, s->samples_bytes, PROT_READ, MAP_SHARED,
		   bpf_map__fd(s->skel->maps.samples), 0);
	if (map == MAP_FAILED) {
		r = -errno;
		snprintf(what, what_len, "mapping the sampler's array");
		goto out_destroy;
	}
	s->samples = map;
	s->prog_fd = bpf_program__fd(prog);
	*ret_sampler = s;
	return 0;

out_destroy:
	sampler_bpf__destroy(s->skel);
out_free:
	free(s);
	return r < 0 ? r : -EINVAL;
}

void ow_bpf_sampler_stop(struct ow_bpf_sampler *s)
{
	if (!s)
		return;
	if (s->samples)
		munmap((void *)s->samples, s->samples_bytes);
	sampler_bpf__destroy(s->skel);
	free(s);
}

static void convert(const struct ow_sample_task *r, uint64_t page_size, struct ow_task_sample *t)
{
	t->pid = r->tgid;
	t->ppid = r->ppid;
	t->oom_score_adj = r->oom_score_adj;
	t->cgroup_id = r->memcg_id;
	t->start_mono_ns = r->start_mono_ns;
	/* The percpu counters can read slightly negative; a negative count is none. */
	t->anon_bytes = r->anon_pages > 0 ? (uint64_t)r->anon_pages * page_size : 0;
	t->file_bytes = r->file_pages > 0 ? (uint64_t)r->file_pages * page_size : 0;
	t->shmem_bytes = r->shmem_pages > 0 ? (uint64_t)r->shmem_pages * page_size : 0;
	t->swap_bytes = r->swap_pages > 0 ? (uint64_t)r->swap_pages * page_size : 0;
	t->pgtables_bytes = r->pgtables_bytes > 0 ? (uint64_t)r->pgtables_bytes : 0;
	memcpy(t->comm, r->comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = '\0';
}

int ow_bpf_sampler_read(struct ow_bpf_sampler *s, ow_task_sample_fn fn, void *ctx, size_t *ret_n,
			size_t *ret_dropped)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct ow_task_sample t;
	size_t n;

	if (bpf_prog_test_run_opts(s->prog_fd, &opts) < 0)
		return -errno;
	n = s->skel->bss->n_samples;
	if (n > s->cap)
		n = s->cap;
	*ret_dropped = s->skel->bss->n_dropped;
	for (size_t i = 0; i < n; i++) {
		convert(&s->samples[i], s->page_size, &t);
		fn(ctx, &t);
	}
	*ret_n = n;
	return 0;
}
