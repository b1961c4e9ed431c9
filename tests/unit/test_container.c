/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of src/model/container.c: containers, pods and systemd units read from memory
 * cgroup paths. Every path here has the shape a runtime really gives its cgroups (as
 * /proc/PID/cgroup shows them), cgroup v1 and v2, cgroupfs and systemd drivers; then nesting
 * (Docker-in-Docker, kind), the monitor processes that are not the container (conmon), and
 * garbage that must name nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/container.h"

/* 64 hex digits, as Docker, containerd, CRI-O and Podman name containers. */
#define ID "3f2a1b9c0d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd"
#define ID12 "3f2a1b9c0d4e"
#define OUTER "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999"
#define UID "0d0c3a54-7c2f-4b0e-9c41-5f1c0b6e2a77"
#define UID_ "0d0c3a54_7c2f_4b0e_9c41_5f1c0b6e2a77"
/* A static (mirror) pod's UID is the kubelet's hash of its manifest. */
#define HASH_UID "6d2cdba3a5cbd3bdb0c2fb4d0fa0a5de"

struct want {
	const char *path;
	enum ow_container_runtime runtime;
	const char *id;
	const char *pod_uid;
	const char *qos;
	const char *unit;
	const char *label;
};

static void check(const struct want *w)
{
	struct ow_container c;
	char label[160];
	bool found = ow_container_from_cgroup(w->path, &c);

	if (found != (w->runtime != OW_RUNTIME_NONE))
		fail_msg("%s: %s, expected %s", w->path, found ? "recognised" : "not recognised",
			 ow_container_runtime_name(w->runtime));
	if (c.runtime != w->runtime)
		fail_msg("%s: runtime %s, expected %s", w->path,
			 ow_container_runtime_name(c.runtime),
			 ow_container_runtime_name(w->runtime));
	if (strcmp(c.id, w->id ? w->id : "") != 0)
		fail_msg("%s: id \"%s\", expected \"%s\"", w->path, c.id, w->id ? w->id : "");
	if (strcmp(c.pod_uid, w->pod_uid ? w->pod_uid : "") != 0)
		fail_msg("%s: pod \"%s\", expected \"%s\"", w->path, c.pod_uid,
			 w->pod_uid ? w->pod_uid : "");
	if (strcmp(c.qos, w->qos ? w->qos : "") != 0)
		fail_msg("%s: qos \"%s\", expected \"%s\"", w->path, c.qos, w->qos ? w->qos : "");
	if (strcmp(c.unit, w->unit ? w->unit : "") != 0)
		fail_msg("%s: unit \"%s\", expected \"%s\"", w->path, c.unit,
			 w->unit ? w->unit : "");
	ow_container_label(&c, label, sizeof(label));
	if (strcmp(label, w->label ? w->label : "") != 0)
		fail_msg("%s: label \"%s\", expected \"%s\"", w->path, label,
			 w->label ? w->label : "");
}

static void check_all(const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check(&w[i]);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_docker(void **state)
{
	static const struct want w[] = {
		/* cgroupfs driver, v1 (/sys/fs/cgroup/memory/docker/ID) and v2 alike */
		{ "/docker/" ID, OW_RUNTIME_DOCKER, ID, NULL, NULL, NULL, ID12 },
		/* systemd driver */
		{ "/system.slice/docker-" ID ".scope", OW_RUNTIME_DOCKER, ID, NULL, NULL,
		  "docker-" ID ".scope", ID12 },
		/* the daemon itself is a plain service */
		{ "/system.slice/docker.service", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL,
		  "docker.service", "docker.service" },
		/* rootless Docker under the user's manager */
		{ "/user.slice/user-1000.slice/user@1000.service/docker.service/docker-" ID
		  ".scope",
		  OW_RUNTIME_DOCKER, ID, NULL, NULL, "docker-" ID ".scope", ID12 },
	};

	(void)state;
	check_all(w, N(w));
}

static void test_kubernetes_cgroupfs(void **state)
{
	static const struct want w[] = {
		{ "/kubepods/burstable/pod" UID "/" ID, OW_RUNTIME_KUBERNETES, ID, UID, "burstable",
		  NULL, ID12 },
		{ "/kubepods/besteffort/pod" UID "/" ID, OW_RUNTIME_KUBERNETES, ID, UID,
		  "besteffort", NULL, ID12 },
		/* guaranteed pods sit right under kubepods */
		{ "/kubepods/pod" UID "/" ID, OW_RUNTIME_KUBERNETES, ID, UID, "guaranteed", NULL,
		  ID12 },
		/* CRI-O with the cgroupfs driver prefixes the id */
		{ "/kubepods/burstable/pod" UID "/crio-" ID, OW_RUNTIME_CRIO, ID, UID, "burstable",
		  NULL, ID12 },
		/* the pod's own cgroup (its limit, the pause container) */
		{ "/kubepods/burstable/pod" UID, OW_RUNTIME_KUBERNETES, NULL, UID, "burstable",
		  NULL, "pod:" UID },
		/* a static pod's hash */
		{ "/kubepods/pod" HASH_UID "/" ID, OW_RUNTIME_KUBERNETES, ID, HASH_UID,
		  "guaranteed", NULL, ID12 },
		/* kubelet --cgroup-root=/kubelet */
		{ "/kubelet/kubepods/besteffort/pod" UID "/" ID, OW_RUNTIME_KUBERNETES, ID, UID,
		  "besteffort", NULL, ID12 },
		/* kubelet's own levels name no pod */
		{ "/kubepods", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/kubepods/burstable", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	check_all(w, N(w));
}

static void test_kubernetes_systemd(void **state)
{
	static const struct want w[] = {
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/cri-containerd-" ID ".scope",
		  OW_RUNTIME_CONTAINERD, ID, UID, "burstable", "cri-containerd-" ID ".scope",
		  ID12 },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
		  ".slice/crio-" ID ".scope",
		  OW_RUNTIME_CRIO, ID, UID, "besteffort", "crio-" ID ".scope", ID12 },
		/* guaranteed: no QoS slice */
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		  OW_RUNTIME_CONTAINERD, ID, UID, "guaranteed", "cri-containerd-" ID ".scope",
		  ID12 },
		/* cri-dockerd */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/docker-" ID ".scope",
		  OW_RUNTIME_DOCKER, ID, UID, "burstable", "docker-" ID ".scope", ID12 },
		/* CRI-O's monitor: in the pod, but not the container */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/crio-conmon-" ID ".scope",
		  OW_RUNTIME_CRIO, NULL, UID, "burstable", "crio-conmon-" ID ".scope",
		  "crio-conmon-" ID ".scope" },
		/* CRI-O on cgroup v2 moves the container's processes one level down */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/crio-" ID ".scope/container",
		  OW_RUNTIME_CRIO, ID, UID, "burstable", "crio-" ID ".scope", ID12 },
		/* the pod slice itself; kubelet's slices are not reported as units */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
		  OW_RUNTIME_KUBERNETES, NULL, UID, "burstable", NULL, "pod:" UID },
		{ "/kubepods.slice/kubepods-besteffort.slice", OW_RUNTIME_NONE, NULL, NULL, NULL,
		  NULL, NULL },
		{ "/kubepods.slice", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	check_all(w, N(w));
}

static void test_podman_and_containerd(void **state)
{
	static const struct want w[] = {
		/* rootful Podman, systemd driver */
		{ "/machine.slice/libpod-" ID ".scope", OW_RUNTIME_PODMAN, ID, NULL, NULL,
		  "libpod-" ID ".scope", ID12 },
		/* with --cgroupns and an init inside: one level down */
		{ "/machine.slice/libpod-" ID ".scope/container", OW_RUNTIME_PODMAN, ID, NULL, NULL,
		  "libpod-" ID ".scope", ID12 },
		/* Podman's conmon */
		{ "/machine.slice/libpod-conmon-" ID ".scope", OW_RUNTIME_PODMAN, NULL, NULL, NULL,
		  "libpod-conmon-" ID ".scope", "libpod-conmon-" ID ".scope" },
		/* a Podman pod's slice */
		{ "/machine.slice/machine-libpod_pod_" OUTER ".slice/libpod-" ID ".scope",
		  OW_RUNTIME_PODMAN, ID, NULL, NULL, "libpod-" ID ".scope", ID12 },
		/* rootless Podman */
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
		  OW_RUNTIME_PODMAN, ID, NULL, NULL, "libpod-" ID ".scope", ID12 },
		/* cgroupfs driver */
		{ "/libpod_parent/libpod-" ID, OW_RUNTIME_PODMAN, ID, NULL, NULL, NULL, ID12 },
		/* nerdctl (containerd without Kubernetes) */
		{ "/system.slice/nerdctl-" ID ".scope", OW_RUNTIME_CONTAINERD, ID, NULL, NULL,
		  "nerdctl-" ID ".scope", ID12 },
	};

	(void)state;
	check_all(w, N(w));
}

static void test_systemd_units(void **state)
{
	static const struct want w[] = {
		{ "/system.slice/nginx.service", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL,
		  "nginx.service", "nginx.service" },
		{ "/system.slice/system-getty.slice/getty@tty1.service", OW_RUNTIME_SYSTEMD, NULL,
		  NULL, NULL, "getty@tty1.service", "getty@tty1.service" },
		{ "/user.slice/user-1000.slice/session-3.scope", OW_RUNTIME_SYSTEMD, NULL, NULL,
		  NULL, "session-3.scope", "session-3.scope" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-org.gnome.Terminal.slice/vte-spawn-8a1c1d7e-5b0a-4f7e-9d52-3c1e2a6f0b11.scope",
		  OW_RUNTIME_SYSTEMD, NULL, NULL, NULL,
		  "vte-spawn-8a1c1d7e-5b0a-4f7e-9d52-3c1e2a6f0b11.scope",
		  "vte-spawn-8a1c1d7e-5b0a-4f7e-9d52-3c1e2a6f0b11.scope" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-firefox\\x2desr-4411.scope",
		  OW_RUNTIME_SYSTEMD, NULL, NULL, NULL, "app-firefox\\x2desr-4411.scope",
		  "app-firefox\\x2desr-4411.scope" },
		{ "/user.slice/user-1000.slice/user@1000.service/init.scope", OW_RUNTIME_SYSTEMD,
		  NULL, NULL, NULL, "init.scope", "init.scope" },
		{ "/init.scope", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL, "init.scope", "init.scope" },
		/* v1 without per-unit memory accounting: services share their slice's memcg */
		{ "/system.slice", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL, "system.slice",
		  "system.slice" },
		{ "/system.slice/home.mount", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL, "home.mount",
		  "home.mount" },
		{ "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope", OW_RUNTIME_SYSTEMD, NULL, NULL,
		  NULL, "machine-qemu\\x2d1\\x2dvm1.scope", "machine-qemu\\x2d1\\x2dvm1.scope" },
	};

	(void)state;
	check_all(w, N(w));
}

static void test_nesting(void **state)
{
	static const struct want w[] = {
		/* Docker-in-Docker: the inner container, cgroupfs outside and in */
		{ "/docker/" OUTER "/docker/" ID, OW_RUNTIME_DOCKER, ID, NULL, NULL, NULL, ID12 },
		/* the inner daemon with cgroupfs under a systemd-driven outer one: the innermost
		 * unit is still the outer container's scope */
		{ "/system.slice/docker-" OUTER ".scope/docker/" ID, OW_RUNTIME_DOCKER, ID, NULL,
		  NULL, "docker-" OUTER ".scope", ID12 },
		/* systemd running inside a container */
		{ "/docker/" ID "/system.slice/nginx.service", OW_RUNTIME_DOCKER, ID, NULL, NULL,
		  "nginx.service", ID12 },
		/* kind: the Kubernetes node is a Docker container, kubelet's root is kubelet.slice */
		{ "/system.slice/docker-" OUTER ".scope/kubelet.slice/kubelet-kubepods.slice/"
		  "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_
		  ".slice/cri-containerd-" ID ".scope",
		  OW_RUNTIME_CONTAINERD, ID, UID, "besteffort", "cri-containerd-" ID ".scope",
		  ID12 },
		/* a pod inside a node container with the cgroupfs driver */
		{ "/docker/" OUTER "/kubepods/burstable/pod" UID "/" ID, OW_RUNTIME_KUBERNETES, ID,
		  UID, "burstable", NULL, ID12 },
		/* Docker inside a pod's container: the inner one, still in the pod */
		{ "/kubepods/burstable/pod" UID "/" OUTER "/docker/" ID, OW_RUNTIME_DOCKER, ID, UID,
		  "burstable", NULL, ID12 },
	};

	(void)state;
	check_all(w, N(w));
}

static void test_not_containers(void **state)
{
	static const struct want w[] = {
		{ "/", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "//", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/oomwitness-demo", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/user.slice/../docker", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL, "user.slice",
		  "user.slice" },
		/* a bare id with no runtime around it could be anything */
		{ "/some/" ID, OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		/* ids of the wrong length or case */
		{ "/docker/" ID "0", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/docker/3F2A1B9C0D4E5F60718293A4B5C6D7E8F90123456789ABCDEF0123456789ABCD",
		  OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/docker/abc", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/system.slice/docker-xyz.scope", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL,
		  "docker-xyz.scope", "docker-xyz.scope" },
		{ "/system.slice/docker-" ID ".scope.bak", OW_RUNTIME_SYSTEMD, NULL, NULL, NULL,
		  "system.slice", "system.slice" },
		/* a pod segment that is no UID, and one outside kubepods */
		{ "/kubepods/burstable/podnot-a-uid/" ID, OW_RUNTIME_NONE, NULL, NULL, NULL, NULL,
		  NULL },
		{ "/kubepods/pod" UID_ "/" ID, OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/pod" UID "/" ID, OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		/* conmon outside any pod or unit names nothing */
		{ "/crio-conmon-" ID, OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		/* not unit names */
		{ "/.service", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/evil\n\x1b[2Jname.service", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
		{ "/caf\xc3\xa9.service", OW_RUNTIME_NONE, NULL, NULL, NULL, NULL, NULL },
	};

	(void)state;
	check_all(w, N(w));
}

static void test_garbage(void **state)
{
	struct ow_container c;
	char *big;
	char unit[300];

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_false(ow_container_from_cgroup(NULL, &c));
	/* *ret is zeroed when nothing is found */
	assert_int_equal(c.runtime, OW_RUNTIME_NONE);
	assert_string_equal(c.id, "");
	assert_string_equal(c.unit, "");
	assert_false(ow_container_from_cgroup("/docker/" ID, NULL));

	/* 64 KiB of slashes, dashes and hex: nothing, and no overrun under ASan */
	big = malloc(65536);
	assert_non_null(big);
	for (size_t i = 0; i < 65535; i++)
		big[i] = "/-a.pod_9kubepods-"[i % 18];
	big[65535] = '\0';
	assert_false(ow_container_from_cgroup(big, &c));
	/* a 1000-character segment that ends like a container */
	memset(big, 'a', 1000);
	memcpy(big + 1000, "-" ID ".scope", 72);
	assert_false(ow_container_from_cgroup(big, &c));
	free(big);

	/* a unit name longer than the struct holds: the enclosing unit stays */
	memset(unit, 'u', sizeof(unit));
	memcpy(unit, "/system.slice/", 14);
	memcpy(unit + 200, ".service", 9);
	assert_true(ow_container_from_cgroup(unit, &c));
	assert_string_equal(c.unit, "system.slice");
}

static void test_label_and_names(void **state)
{
	struct ow_container c = { .runtime = OW_RUNTIME_SYSTEMD, .unit = "nginx.service" };
	char small[13], tiny[5];

	(void)state;
	assert_string_equal(ow_container_label(&c, small, sizeof(small)), "nginx.servic");
	assert_string_equal(ow_container_label(&c, tiny, sizeof(tiny)), "ngin");
	assert_string_equal(ow_container_label(NULL, small, sizeof(small)), "");
	assert_string_equal(ow_container_label(&c, NULL, 0), "");
	assert_true(ow_container_from_cgroup("/docker/" ID, &c));
	assert_string_equal(ow_container_label(&c, small, sizeof(small)), ID12);

	assert_string_equal(ow_container_runtime_name(OW_RUNTIME_NONE), "none");
	assert_string_equal(ow_container_runtime_name(OW_RUNTIME_DOCKER), "docker");
	assert_string_equal(ow_container_runtime_name(OW_RUNTIME_CONTAINERD), "containerd");
	assert_string_equal(ow_container_runtime_name(OW_RUNTIME_CRIO), "cri-o");
	assert_string_equal(ow_container_runtime_name(OW_RUNTIME_PODMAN), "podman");
	assert_string_equal(ow_container_runtime_name(OW_RUNTIME_SYSTEMD), "systemd");
	assert_string_equal(ow_container_runtime_name(OW_RUNTIME_KUBERNETES), "kubernetes");
	assert_string_equal(ow_container_runtime_name((enum ow_container_runtime)99), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_kubernetes_cgroupfs),
		cmocka_unit_test(test_kubernetes_systemd),
		cmocka_unit_test(test_podman_and_containerd),
		cmocka_unit_test(test_systemd_units),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_not_containers),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_label_and_names),
	};

	_Static_assert(sizeof(ID) == 65 && sizeof(OUTER) == 65, "ids are 64 hex digits");
	_Static_assert(sizeof(UID) == 37 && sizeof(UID_) == 37, "pod UIDs are 36 characters");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
