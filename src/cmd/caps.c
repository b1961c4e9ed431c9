/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Capability drop after attach (see caps.h), with libcap. OW_CAPS_KEEP is the list the README
 * table documents and tests/e2e/test_security.sh checks on a running recorder.
 */
#include "cmd/caps.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "cmd/cmd.h"

static const cap_value_t OW_CAPS_KEEP[] = { CAP_IPC_LOCK, CAP_SYS_PTRACE };
#define OW_N_CAPS_KEEP (sizeof(OW_CAPS_KEEP) / sizeof(OW_CAPS_KEEP[0]))

static bool is_kept(cap_value_t cap)
{
	for (size_t i = 0; i < OW_N_CAPS_KEEP; i++)
		if (OW_CAPS_KEEP[i] == cap)
			return true;
	return false;
}

static bool has(cap_t caps, cap_value_t cap, cap_flag_t set)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, set, &v) == 0 && v == CAP_SET;
}

/* Appends cap's name to buf ("cap_ipc_lock,cap_sys_ptrace"). */
static void append_name(char *buf, size_t len, cap_value_t cap)
{
	char *name = cap_to_name(cap);
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? "," : "", name ? name : "?");
	cap_free(name);
}

int caps_drop_after_attach(void)
{
	cap_value_t keep[OW_N_CAPS_KEEP], max = cap_max_bits();
	cap_t now, next = NULL;
	char kept[128] = "";
	int n_keep = 0, n_dropped = 0, n_unbounded = 0, r = 0;

	now = cap_get_proc();
	if (!now) {
		r = -errno;
		ow_log("warning: cannot read the recorder's capabilities (%s); keeping them all, "
		       "ignoring",
		       strerror(-r));
		return r;
	}
	for (size_t i = 0; i < OW_N_CAPS_KEEP; i++)
		if (has(now, OW_CAPS_KEEP[i], CAP_PERMITTED)) {
			keep[n_keep++] = OW_CAPS_KEEP[i];
			append_name(kept, sizeof(kept), OW_CAPS_KEEP[i]);
		}
	for (cap_value_t c = 0; c < max; c++)
		if (!is_kept(c) && has(now, c, CAP_PERMITTED))
			n_dropped++;
	/* The bounding set first, while CAP_SETPCAP is still effective: no exec regains them. */
	if (has(now, CAP_SETPCAP, CAP_EFFECTIVE))
		for (cap_value_t c = 0; c < max; c++)
			if (!is_kept(c) && cap_get_bound(c) > 0 && cap_drop_bound(c) == 0)
				n_unbounded++;
	next = cap_init();
	if (!next || (n_keep && (cap_set_flag(next, CAP_PERMITTED, n_keep, keep, CAP_SET) < 0 ||
				 cap_set_flag(next, CAP_EFFECTIVE, n_keep, keep, CAP_SET) < 0))) {
		r = -errno;
		goto out;
	}
	if (cap_set_proc(next) < 0)
		r = -errno;
out:
	if (r < 0)
		ow_log("warning: cannot drop capabilities after attach (%s); running with those it "
		       "started with, ignoring",
		       strerror(-r));
	else
		ow_log("capabilities after attach: kept %s; dropped %d others%s",
		       *kept ? kept : "none", n_dropped,
		       n_unbounded ? " (and from the bounding set)" : "");
	cap_free(next);
	cap_free(now);
	return r;
}
