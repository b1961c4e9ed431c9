/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the container reader (src/model/container.c): the input is a cgroup path.
 * Checks that a path not recognised zeroes the result, that every field is terminated and of
 * the shape container.h promises (an id of 64 lowercase hex digits or none, a known QoS), and
 * that the label fits buffers of the smallest allowed size and larger, heap-allocated to
 * their exact size so that ASan sees any write past them.
 */
#include "fuzz.h"

#include "model/container.h"

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void check_label(const struct ow_container *c, size_t len)
{
	char *buf = fuzz_alloc(malloc(len));
	const char *label = ow_container_label(c, buf, len);

	FUZZ_CHECK(label == buf);
	FUZZ_CHECK(fuzz_terminated(buf, len));
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_cstr(data, size);
	struct ow_container c;
	bool found;
	size_t id_len;

	memset(&c, 0xa5, sizeof(c));
	found = ow_container_from_cgroup(path, &c);
	if (!found)
		FUZZ_CHECK(all_zero(&c, sizeof(c)));
	FUZZ_CHECK(fuzz_terminated(c.id, sizeof(c.id)));
	FUZZ_CHECK(fuzz_terminated(c.pod_uid, sizeof(c.pod_uid)));
	FUZZ_CHECK(fuzz_terminated(c.qos, sizeof(c.qos)));
	FUZZ_CHECK(fuzz_terminated(c.unit, sizeof(c.unit)));
	id_len = strlen(c.id);
	FUZZ_CHECK(id_len == 0 || id_len == 64);
	FUZZ_CHECK(strspn(c.id, "0123456789abcdef") == id_len);
	FUZZ_CHECK(!c.qos[0] || !strcmp(c.qos, "guaranteed") || !strcmp(c.qos, "burstable") ||
		   !strcmp(c.qos, "besteffort"));
	FUZZ_CHECK(ow_container_runtime_name(c.runtime) != NULL);
	check_label(&c, 13);
	check_label(&c, 64);
	check_label(&c, 256);
	FUZZ_CHECK(!ow_container_from_cgroup(NULL, &c));
	free(path);
	return 0;
}
