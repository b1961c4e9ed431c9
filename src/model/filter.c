/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The values of the list filters and of the recorder's retention limits (filter.h): strict
 * parsers of durations, sizes and times, so that a typo at 3 a.m. is refused with exit code 2
 * rather than read as something else, and the path and container rules `list` filters with.
 */
#include "model/filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/container.h"

#define NS_PER_S 1000000000ull
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct unit {
	const char *suffix;
	uint64_t factor;
};

/* Digits then one of the units' suffixes (exactly); v * factor must fit. */
static int parse_scaled(const char *text, const struct unit *units, size_t n_units, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = text;

	if (!text || *p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	for (size_t i = 0; i < n_units; i++) {
		if (strcmp(p, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].factor)
			return -ERANGE;
		*ret = v * units[i].factor;
		return 0;
	}
	return -EINVAL;
}

int ow_parse_duration_ns(const char *text, uint64_t *ret_ns)
{
	static const struct unit units[] = {
		{ "", NS_PER_S },
		{ "ms", 1000000ull },
		{ "s", NS_PER_S },
		{ "m", 60 * NS_PER_S },
		{ "h", 3600 * NS_PER_S },
		{ "d", 86400 * NS_PER_S },
		{ "w", 7ull * 86400 * NS_PER_S },
	};

	return parse_scaled(text, units, ARRAY_SIZE(units), ret_ns);
}

int ow_parse_size_bytes(const char *text, uint64_t *ret_bytes)
{
	static const struct unit units[] = {
		{ "", 1 },
		{ "K", 1ull << 10 },
		{ "KiB", 1ull << 10 },
		{ "M", 1ull << 20 },
		{ "MiB", 1ull << 20 },
		{ "G", 1ull << 30 },
		{ "GiB", 1ull << 30 },
		{ "T", 1ull << 40 },
		{ "TiB", 1ull << 40 },
	};

	return parse_scaled(text, units, ARRAY_SIZE(units), ret_bytes);
}

/* Exactly n digits at *p, advancing it. */
static bool fixed_digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	*ret = v;
	return true;
}

static bool expect_char(const char **p, const char *any_of)
{
	if (!**p || !strchr(any_of, **p))
		return false;
	(*p)++;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* "HH:MM[:SS[.frac]]" at *p into tm and *frac_ns; false when malformed or out of range. */
static bool parse_clock(const char **p, struct tm *tm, uint64_t *frac_ns)
{
	uint64_t scale = NS_PER_S / 10;

	if (!fixed_digits(p, 2, &tm->tm_hour) || !expect_char(p, ":") ||
	    !fixed_digits(p, 2, &tm->tm_min))
		return false;
	if (**p == ':') {
		(*p)++;
		if (!fixed_digits(p, 2, &tm->tm_sec))
			return false;
		if (**p == '.') {
			(*p)++;
			if (**p < '0' || **p > '9')
				return false;
			for (; **p >= '0' && **p <= '9'; (*p)++, scale /= 10)
				*frac_ns += (uint64_t)(**p - '0') * scale;
		}
	}
	return tm->tm_hour <= 23 && tm->tm_min <= 59 && tm->tm_sec <= 60;
}

int ow_parse_time_ns(const char *text, uint64_t *ret_ns)
{
	struct tm tm = { 0 };
	const char *p = text;
	int64_t offset_s = 0;
	uint64_t frac_ns = 0;
	bool local = true;
	time_t sec;

	if (!text || !fixed_digits(&p, 4, &tm.tm_year) || !expect_char(&p, "-") ||
	    !fixed_digits(&p, 2, &tm.tm_mon) || !expect_char(&p, "-") ||
	    !fixed_digits(&p, 2, &tm.tm_mday))
		return -EINVAL;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > days_in_month(tm.tm_year, tm.tm_mon))
		return -EINVAL;
	if (*p && (!expect_char(&p, "Tt ") || !parse_clock(&p, &tm, &frac_ns)))
		return -EINVAL;
	if (*p == 'Z' || *p == 'z') {
		p++;
		local = false;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if (!fixed_digits(&p, 2, &oh) || !expect_char(&p, ":") ||
		    !fixed_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
		offset_s = (int64_t)sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
		local = false;
	}
	if (*p)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (local) {
		tm.tm_isdst = -1; /* the zone's rule for that date */
		sec = mktime(&tm);
	} else {
		sec = timegm(&tm);
	}
	if (sec == (time_t)-1 && tm.tm_year != 69)
		return -EINVAL;
	if ((int64_t)sec - offset_s < 0)
		return -ERANGE;
	*ret_ns = (uint64_t)((int64_t)sec - offset_s) * NS_PER_S + frac_ns;
	return 0;
}

int ow_parse_since_ns(const char *text, uint64_t now_ns, uint64_t *ret_ns)
{
	uint64_t ago_ns;
	int r = ow_parse_duration_ns(text, &ago_ns);

	if (r == -EINVAL)
		return ow_parse_time_ns(text, ret_ns);
	if (r < 0)
		return r;
	*ret_ns = ago_ns < now_ns ? now_ns - ago_ns : 0;
	return 0;
}

int ow_parse_cgroup_path(const char *text, char **ret_path)
{
	size_t len;
	char *path;

	if (!text || text[0] != '/' || strstr(text, "//"))
		return -EINVAL;
	len = strlen(text);
	while (len > 1 && text[len - 1] == '/')
		len--;
	path = strndup(text, len);
	if (!path)
		return -ENOMEM;
	*ret_path = path;
	return 0;
}

bool ow_cgroup_is_under(const char *path, const char *top)
{
	size_t n;

	if (!path || !top)
		return false;
	if (strcmp(top, "/") == 0)
		return path[0] == '/';
	n = strlen(top);
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The pod UID of query, dashes for underscores, against uid; "pod:" before it is allowed. */
static bool pod_uid_matches(const char *query, const char *uid)
{
	size_t n;

	if (strncmp(query, "pod:", 4) == 0)
		query += 4;
	n = strlen(query);
	if (!uid[0] || n != strlen(uid))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((query[i] == '_' ? '-' : query[i]) != uid[i])
			return false;
	return true;
}

bool ow_container_matches(const char *query, const char *cgroup_path)
{
	struct ow_container c;
	char label[sizeof(c.unit) + sizeof(c.pod_uid) + 16];
	size_t n;

	if (!query || !cgroup_path || !ow_container_from_cgroup(cgroup_path, &c))
		return false;
	n = strlen(query);
	if (n >= OW_CONTAINER_QUERY_MIN_LEN && c.id[0] && strncmp(c.id, query, n) == 0)
		return true;
	if (c.unit[0] && strcmp(c.unit, query) == 0)
		return true;
	if (pod_uid_matches(query, c.pod_uid))
		return true;
	ow_container_label(&c, label, sizeof(label));
	return label[0] && strcmp(label, query) == 0;
}
