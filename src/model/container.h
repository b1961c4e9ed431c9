/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Containers and pods, read from a memory cgroup path: which runtime made the cgroup (Docker,
 * containerd, CRI-O, Podman, or a plain systemd unit), the container id, and for Kubernetes the
 * pod UID and QoS class. Pure string work on the path shapes each runtime uses, cgroup v1 and
 * v2, cgroupfs and systemd drivers; no I/O.
 *
 * An OOM story names three processes that may live in three different containers: the victim,
 * the trigger and the culprit. Callers attribute each one separately.
 */
#ifndef OW_CONTAINER_H
#define OW_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

enum ow_container_runtime {
	OW_RUNTIME_NONE = 0, /* not in a container or unit we recognise */
	OW_RUNTIME_DOCKER,
	OW_RUNTIME_CONTAINERD,
	OW_RUNTIME_CRIO,
	OW_RUNTIME_PODMAN,
	OW_RUNTIME_SYSTEMD, /* a systemd service or scope, not a container */
	/*
	 * A Kubernetes pod or container whose runtime the path does not name: the cgroupfs driver
	 * calls a container by its bare id whether containerd, CRI-O or Docker made it.
	 */
	OW_RUNTIME_KUBERNETES,
};

struct ow_container {
	enum ow_container_runtime runtime;
	/* the container id (64 hex digits); "" for a systemd unit, a pod's own cgroup, or a
	 * runtime's monitor (CRI-O's and Podman's conmon: runtime set, id "") */
	char id[65];
	/* Kubernetes pod UID with dashes (a static pod's: 32 hex digits); "" outside Kubernetes */
	char pod_uid[37];
	char qos[11]; /* "guaranteed", "burstable", "besteffort"; "" outside Kubernetes */
	/* the innermost systemd unit (e.g. "nginx.service", "docker-<id>.scope"; kubelet's pod
	 * and QoS slices are not counted); "" when none */
	char unit[128];
};

/*
 * Reads the container of a cgroup path. Returns true and fills *ret when the path names a
 * container, a pod or a systemd unit; false (and *ret zeroed) otherwise. NULL path: false.
 */
bool ow_container_from_cgroup(const char *cgroup_path, struct ow_container *ret);

/* "docker", "containerd", "cri-o", "podman", "systemd", "kubernetes", "none". */
const char *ow_container_runtime_name(enum ow_container_runtime runtime);

/*
 * A short label for people and metrics: the first 12 digits of the id, else the unit, else
 * "pod:" and the pod UID, else "". Writes into buf (at least 13 bytes; more for units) and
 * returns it.
 */
const char *ow_container_label(const struct ow_container *c, char *buf, size_t buf_len);

#endif
