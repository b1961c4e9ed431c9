/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which incidents a person asks for, and how long the recorder keeps them: the values of
 * `list --since/--cgroup/--container` and `record --max-age/--max-db-size` as people write them
 * on a command line (durations, sizes, times), and the pure rules the list filters match with.
 * The store applies the cheap filters (time, cgroup) in SQL; the container filter runs here, on
 * the cgroup paths the store hands over. Pure: no I/O; local times use the TZ of the
 * environment, as the text renderers do.
 */
#ifndef OW_FILTER_H
#define OW_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A container filter shorter than this is refused: too short to be an id prefix. */
#define OW_CONTAINER_QUERY_MIN_LEN 4

/*
 * A duration: digits then ms, s, m, h, d or w ("500ms", "90s", "10m", "2h", "30d", "1w"); bare
 * digits are seconds. Returns 0, or -EINVAL for anything else (a sign, a fraction, spaces, an
 * unknown unit) and -ERANGE when it does not fit in uint64_t nanoseconds (584 years).
 */
int ow_parse_duration_ns(const char *text, uint64_t *ret_ns);

/*
 * A size: digits then K, M, G or T (powers of 1024; "KiB", "MiB", ... are accepted too); bare
 * digits are bytes. Returns 0, -EINVAL, or -ERANGE when it does not fit in uint64_t.
 */
int ow_parse_size_bytes(const char *text, uint64_t *ret_bytes);

/*
 * A point in time, Unix ns: RFC 3339 ("2026-11-25T10:00:00Z", "2026-11-25T11:00:00.5+01:00";
 * 't', 'z' and a space for 'T' accepted), or without a zone as `list` prints it, in local time
 * ("2026-11-25 10:00:00", "2026-11-25 10:00", "2026-11-25"). Returns 0, -EINVAL (not such a
 * time, or a field out of range), or -ERANGE (before 1970).
 */
int ow_parse_time_ns(const char *text, uint64_t *ret_ns);

/*
 * `list --since`: a duration back from now_ns ("2h": the last two hours; past the epoch gives
 * 0), else a point in time as ow_parse_time_ns() takes it. Returns 0, -EINVAL or -ERANGE.
 */
int ow_parse_since_ns(const char *text, uint64_t now_ns, uint64_t *ret_ns);

/*
 * `list --cgroup`: a cgroup path from the root ("/", "/system.slice/foo.service"), without its
 * trailing slashes ("/a/" is "/a"). *ret_path is a malloc'd copy. Returns 0, -EINVAL when the
 * path does not start with '/' or holds an empty component ("/a//b"), -ENOMEM.
 */
int ow_parse_cgroup_path(const char *text, char **ret_path);

/*
 * Whether the cgroup path is top or below it, at a path boundary: "/a" holds "/a" and "/a/b" but
 * not "/ab"; "/" holds every path. NULL path (unknown, or a global OOM): false.
 */
bool ow_cgroup_is_under(const char *path, const char *top);

/*
 * `list --container`: whether the container, pod or unit of the cgroup path (model/container.h)
 * is the one query names: its label ("3f2a9c1b07d4", "nginx.service", "pod:UID"), a prefix of
 * its id of at least OW_CONTAINER_QUERY_MIN_LEN hex digits, its systemd unit, or its pod UID
 * (with dashes or, as systemd writes it, underscores). False for a NULL path or one that names
 * no container.
 */
bool ow_container_matches(const char *query, const char *cgroup_path);

#endif
