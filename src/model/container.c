/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Containers, pods and systemd units read from a memory cgroup path (container.h). The path is
 * cut at '/' and each segment is matched against the names runtimes give their cgroups:
 *
 *   Docker      /docker/<id> (cgroupfs, v1 and v2), docker-<id>.scope (systemd driver)
 *   containerd  cri-containerd-<id>.scope (Kubernetes, systemd driver), nerdctl-<id>.scope
 *   CRI-O       crio-<id>.scope (systemd), crio-<id> (cgroupfs); crio-conmon-<id>[.scope] is
 *               the container's monitor (conmon), not the container: no id
 *   Podman      libpod-<id>.scope (systemd, rootful under machine.slice or rootless under
 *               user@UID.service), libpod-<id> (cgroupfs, under libpod_parent);
 *               libpod-conmon-<id>.scope is conmon
 *   Kubernetes  cgroupfs: kubepods[/burstable|/besteffort]/pod<uid-with-dashes>/<id>;
 *               systemd: kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice/
 *               <runtime>-<id>.scope; a guaranteed pod has no QoS level. kubelet's
 *               --cgroup-root adds a prefix ("kubelet-kubepods-...", kind does this).
 *   systemd     the innermost segment named like a unit (.service, .scope, .slice, .socket,
 *               .mount, .swap), kubelet's own slices excepted
 *
 * Ids are 64 lowercase hex digits; a bare id is a container only under /docker (Docker) or
 * inside a pod (runtime unknown). A pod UID is 36 characters (8-4-4-4-12 hex, '-' or '_'
 * between) or, for a static pod, 32 hex digits (the kubelet's hash of its manifest).
 *
 * Nesting: the innermost container wins (Docker-in-Docker gives the inner id) and keeps the pod
 * it sits in; a kubepods hierarchy inside a container (kind: a node is a container) starts
 * afresh, as the pod is what the reader means. Segments nobody recognises ("container", "init")
 * are skipped.
 */
#include "model/container.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ID_LEN 64
#define UUID_LEN 36
#define HASH_UID_LEN 32
/* A cgroup name is a file name: longer segments are not real. */
#define SEGMENT_MAX 255

struct segment {
	const char *s;
	size_t len;
};

/* What the walk has seen so far, outermost to innermost. */
struct walk {
	struct ow_container c;
	bool in_kubepods; /* below kubelet's kubepods root */
	bool container; /* c.runtime and c.id come from a container segment */
};

static bool seg_eq(struct segment seg, const char *word)
{
	return seg.len == strlen(word) && memcmp(seg.s, word, seg.len) == 0;
}

static bool has_prefix(struct segment seg, const char *prefix)
{
	size_t n = strlen(prefix);

	return seg.len >= n && memcmp(seg.s, prefix, n) == 0;
}

static bool has_suffix(struct segment seg, const char *suffix)
{
	size_t n = strlen(suffix);

	return seg.len >= n && memcmp(seg.s + seg.len - n, suffix, n) == 0;
}

static bool is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

/* A container id: exactly 64 lowercase hex digits. */
static bool is_id(const char *s, size_t len)
{
	return len == ID_LEN && all_hex(s, len);
}

/*
 * A pod UID as a cgroup name carries it (sep is '-' for cgroupfs, '_' for systemd), or a static
 * pod's 32-digit hash. Sets the walk's pod UID, with dashes, only when it is one.
 */
static bool parse_pod_uid(struct walk *w, const char *s, size_t len, char sep)
{
	char uid[sizeof(w->c.pod_uid)];

	if (len == HASH_UID_LEN && all_hex(s, len)) {
		memcpy(uid, s, len);
	} else if (len == UUID_LEN) {
		for (size_t i = 0; i < len; i++) {
			bool dash = i == 8 || i == 13 || i == 18 || i == 23;

			if (dash ? s[i] != sep : !is_lower_hex(s[i]))
				return false;
			uid[i] = dash ? '-' : s[i];
		}
	} else {
		return false;
	}
	uid[len] = '\0';
	memcpy(w->c.pod_uid, uid, len + 1);
	return true;
}

/* A name systemd could give a unit with a cgroup: valid characters and a known type. */
static bool is_unit(struct segment seg)
{
	static const char *const types[] = { ".service", ".scope", ".slice",
					     ".socket",	 ".mount", ".swap" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (seg.len > strlen(types[i]) && has_suffix(seg, types[i]))
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return false;
	for (size_t j = 0; j < seg.len; j++) {
		char ch = seg.s[j];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(":-_.\\@", ch)))
			return false;
	}
	return true;
}

static void set_unit(struct walk *w, struct segment seg)
{
	/* A unit name too long for the struct is skipped: the enclosing unit stays. */
	if (seg.len >= sizeof(w->c.unit))
		return;
	memcpy(w->c.unit, seg.s, seg.len);
	w->c.unit[seg.len] = '\0';
}

static void set_qos(struct walk *w, struct segment word)
{
	if (seg_eq(word, "burstable"))
		snprintf(w->c.qos, sizeof(w->c.qos), "burstable");
	else if (seg_eq(word, "besteffort"))
		snprintf(w->c.qos, sizeof(w->c.qos), "besteffort");
}

/* Entering a kubepods root: what was outside (a node's container, a slice) is forgotten. */
static void enter_kubepods(struct walk *w)
{
	memset(w, 0, sizeof(*w));
	w->in_kubepods = true;
}

/*
 * A kubelet slice of the systemd driver: "[prefix-]kubepods[-qos][-pod<uid_>].slice". Returns
 * false when the segment is not one.
 */
static bool kube_slice(struct walk *w, struct segment seg)
{
	struct segment word;
	const char *p = seg.s, *end;
	bool after_kubepods = false, more = false;

	if (!has_suffix(seg, ".slice") || !memmem(seg.s, seg.len, "kubepods", 8))
		return false;
	end = seg.s + seg.len - strlen(".slice");
	/* Words between dashes; a systemd pod UID has underscores, never dashes. */
	while (p < end) {
		const char *dash = memchr(p, '-', (size_t)(end - p));

		word.s = p;
		word.len = dash ? (size_t)(dash - p) : (size_t)(end - p);
		p = dash ? dash + 1 : end;
		if (!after_kubepods) {
			after_kubepods = seg_eq(word, "kubepods");
			continue;
		}
		more = true;
		if (has_prefix(word, "pod"))
			parse_pod_uid(w, word.s + 3, word.len - 3, '_');
		else
			set_qos(w, word);
	}
	if (!after_kubepods)
		return false;
	if (!more)
		enter_kubepods(w);
	w->in_kubepods = true;
	return true;
}

/* "<prefix><id>" or "<prefix><id>.scope": a container's cgroup. */
static bool container_segment(struct walk *w, struct segment seg)
{
	static const struct {
		const char *prefix;
		enum ow_container_runtime runtime;
		bool conmon;
	} shapes[] = {
		/* Longer prefixes first: "crio-conmon-" before "crio-". */
		{ "cri-containerd-", OW_RUNTIME_CONTAINERD, false },
		{ "crio-conmon-", OW_RUNTIME_CRIO, true },
		{ "libpod-conmon-", OW_RUNTIME_PODMAN, true },
		{ "nerdctl-", OW_RUNTIME_CONTAINERD, false },
		{ "docker-", OW_RUNTIME_DOCKER, false },
		{ "crio-", OW_RUNTIME_CRIO, false },
		{ "libpod-", OW_RUNTIME_PODMAN, false },
	};
	bool scope = has_suffix(seg, ".scope");
	size_t len = seg.len - (scope ? strlen(".scope") : 0);

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t n = strlen(shapes[i].prefix);

		if (!has_prefix(seg, shapes[i].prefix) || !is_id(seg.s + n, len - n))
			continue;
		w->c.runtime = shapes[i].runtime;
		w->container = true;
		w->c.id[0] = '\0';
		if (!shapes[i].conmon) {
			memcpy(w->c.id, seg.s + n, ID_LEN);
			w->c.id[ID_LEN] = '\0';
		}
		if (scope)
			set_unit(w, seg);
		return true;
	}
	return false;
}

static void visit(struct walk *w, struct segment seg, struct segment parent)
{
	if (seg.len == 0 || seg.len > SEGMENT_MAX)
		return;
	if (seg_eq(seg, "kubepods")) {
		enter_kubepods(w);
		return;
	}
	if (kube_slice(w, seg))
		return;
	if (w->in_kubepods && !w->c.pod_uid[0] && !w->container) {
		if (has_prefix(seg, "pod") && parse_pod_uid(w, seg.s + 3, seg.len - 3, '-'))
			return;
		set_qos(w, seg);
	}
	if (container_segment(w, seg))
		return;
	if (is_id(seg.s, seg.len)) {
		/* A bare id: Docker's cgroupfs parent, or a pod's container of any runtime. */
		if (seg_eq(parent, "docker"))
			w->c.runtime = OW_RUNTIME_DOCKER;
		else if (w->c.pod_uid[0])
			w->c.runtime = OW_RUNTIME_KUBERNETES;
		else
			return;
		memcpy(w->c.id, seg.s, ID_LEN);
		w->c.id[ID_LEN] = '\0';
		w->container = true;
		return;
	}
	if (is_unit(seg))
		set_unit(w, seg);
}

bool ow_container_from_cgroup(const char *cgroup_path, struct ow_container *ret)
{
	struct walk w = { 0 };
	struct segment parent = { "", 0 };
	const char *p = cgroup_path;

	if (!ret)
		return false;
	memset(ret, 0, sizeof(*ret));
	if (!cgroup_path)
		return false;
	while (*p) {
		struct segment seg = { p, strcspn(p, "/") };

		visit(&w, seg, parent);
		if (seg.len)
			parent = seg;
		p += seg.len;
		if (*p == '/')
			p++;
	}
	if (!w.c.pod_uid[0])
		w.c.qos[0] = '\0'; /* a QoS level alone (kubepods/burstable) names nothing */
	else if (!w.c.qos[0])
		snprintf(w.c.qos, sizeof(w.c.qos), "guaranteed");
	if (!w.container)
		w.c.runtime = w.c.pod_uid[0] ? OW_RUNTIME_KUBERNETES
			      : w.c.unit[0]  ? OW_RUNTIME_SYSTEMD
					     : OW_RUNTIME_NONE;
	if (!w.c.id[0] && !w.c.unit[0] && !w.c.pod_uid[0])
		return false; /* conmon outside a pod and a unit: nothing to name */
	*ret = w.c;
	return true;
}

const char *ow_container_runtime_name(enum ow_container_runtime runtime)
{
	switch (runtime) {
	case OW_RUNTIME_DOCKER:
		return "docker";
	case OW_RUNTIME_CONTAINERD:
		return "containerd";
	case OW_RUNTIME_CRIO:
		return "cri-o";
	case OW_RUNTIME_PODMAN:
		return "podman";
	case OW_RUNTIME_SYSTEMD:
		return "systemd";
	case OW_RUNTIME_KUBERNETES:
		return "kubernetes";
	case OW_RUNTIME_NONE:
		break;
	}
	return "none";
}

const char *ow_container_label(const struct ow_container *c, char *buf, size_t buf_len)
{
	if (!buf || buf_len == 0)
		return "";
	buf[0] = '\0';
	if (!c)
		return buf;
	if (c->id[0])
		snprintf(buf, buf_len, "%.12s", c->id);
	else if (c->unit[0])
		snprintf(buf, buf_len, "%.*s", (int)sizeof(c->unit), c->unit);
	else if (c->pod_uid[0])
		snprintf(buf, buf_len, "pod:%.*s", (int)sizeof(c->pod_uid), c->pod_uid);
	return buf;
}
