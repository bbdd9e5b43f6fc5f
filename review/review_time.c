// SPDX-License-Identifier: GPL-2.0-only
/*
 * Time for the review verbs: RFC 3339 timestamps and relative durations, as
 * microseconds since the epoch in UTC. Own calendar arithmetic, so that
 * nothing depends on TZ or on the C library's timegm().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "review/review.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read exactly n digits at s[*i]. */
static int digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;

	if (*i + n > len)
		return -EINVAL;
	for (int k = 0; k < n; k++) {
		char c = s[*i + k];

		if (!is_digit(c))
			return -EINVAL;
		v = v * 10 + (c - '0');
	}
	*i += n;
	*out = v;
	return 0;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), counted in 400-year eras. */
static int64_t days_since_epoch(int y, int m, int d)
{
	/* Shift the year to start in March, so the leap day is the last day. */
	int64_t yy = m <= 2 ? y - 1 : y;
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t mp = m > 2 ? m - 3 : m + 9;
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The inverse of days_since_epoch(). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* ".123456789": keep microseconds, ignore finer digits. */
static int parse_frac(const char *s, size_t len, size_t *i, int64_t *us)
{
	int64_t v = 0;
	int n = 0;

	if (*i >= len || s[*i] != '.')
		return 0;
	(*i)++;
	while (*i < len && is_digit(s[*i])) {
		if (n < 6) {
			v = v * 10 + (s[*i] - '0');
			n++;
		}
		(*i)++;
	}
	if (n == 0)
		return -EINVAL;
	while (n++ < 6)
		v *= 10;
	*us = v;
	return 0;
}

/* "Z", "+HH:MM", "-HH:MM", or nothing (taken as UTC): the offset in seconds. */
static int parse_offset(const char *s, size_t len, size_t *i, int64_t *off)
{
	int hh, mm, sign;

	*off = 0;
	if (*i == len)
		return 0;
	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		return 0;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return -EINVAL;
	sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	if (digits(s, len, i, 2, &hh) || *i >= len || s[(*i)++] != ':' ||
	    digits(s, len, i, 2, &mm) || hh > 23 || mm > 59)
		return -EINVAL;
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

static int parse_clock(const char *s, size_t len, size_t *i, int64_t *secs, int64_t *us)
{
	int hh, mm, ss;

	if (digits(s, len, i, 2, &hh) || *i >= len || s[(*i)++] != ':' ||
	    digits(s, len, i, 2, &mm) || *i >= len || s[(*i)++] != ':' || digits(s, len, i, 2, &ss))
		return -EINVAL;
	if (hh > 23 || mm > 59 || ss > 60) /* 60: a leap second */
		return -EINVAL;
	*secs = hh * 3600 + mm * 60 + ss;
	return parse_frac(s, len, i, us);
}

int rv_time_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	int y, m, d;
	int64_t secs = 0, us = 0, off = 0;

	if (digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-' || digits(s, len, &i, 2, &m) ||
	    i >= len || s[i++] != '-' || digits(s, len, &i, 2, &d))
		return -EINVAL;
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return -EINVAL;
	if (i < len) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -EINVAL;
		i++;
		if (parse_clock(s, len, &i, &secs, &us) || parse_offset(s, len, &i, &off))
			return -EINVAL;
	}
	if (i != len)
		return -EINVAL;
	*out = ((days_since_epoch(y, m, d) * 86400 + secs - off) * RV_USEC) + us;
	return 0;
}

static int64_t unit_us(char c)
{
	switch (c) {
	case 's':
		return RV_USEC;
	case 'm':
		return 60 * RV_USEC;
	case 'h':
		return 3600 * RV_USEC;
	case 'd':
		return 86400 * RV_USEC;
	case 'w':
		return 7 * 86400 * RV_USEC;
	default:
		return 0;
	}
}

int rv_duration_parse(const char *s, int64_t *out)
{
	int64_t total = 0;

	if (!*s)
		return -EINVAL;
	while (*s) {
		int64_t n = 0, u;

		if (!is_digit(*s))
			return -EINVAL;
		while (is_digit(*s)) {
			n = n * 10 + (*s++ - '0');
			if (n > 1000000000) /* about 31 years in seconds: no overflow below */
				return -ERANGE;
		}
		u = unit_us(*s++);
		if (!u)
			return -EINVAL;
		total += n * u;
		if (total > 100LL * 365 * 86400 * RV_USEC)
			return -ERANGE;
	}
	*out = total;
	return 0;
}

int rv_time_parse_arg(const char *s, int64_t now, int64_t *out)
{
	int64_t d;

	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (!rv_duration_parse(s, &d)) {
		*out = now - d;
		return 0;
	}
	return rv_time_parse_rfc3339(s, strlen(s), out);
}

int rv_now(int64_t *out)
{
	const char *env = getenv("PALISADE_NOW");
	struct timespec ts;

	if (env && *env)
		return rv_time_parse_rfc3339(env, strlen(env), out);
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -errno;
	*out = (int64_t)ts.tv_sec * RV_USEC + ts.tv_nsec / 1000;
	return 0;
}

/* Floor division, so times before 1970 format correctly too. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void rv_time_format(int64_t t, int frac_digits, char *buf, size_t len)
{
	int64_t secs = floor_div(t, RV_USEC);
	int64_t us = t - secs * RV_USEC;
	int64_t days = floor_div(secs, 86400);
	int64_t sod = secs - days * 86400;
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	if (frac_digits)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", y, m, d,
			 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (long long)us);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sod / 3600),
			 (int)(sod / 60 % 60), (int)(sod % 60));
}

void rv_duration_format(int64_t us, char *buf, size_t len)
{
	static const struct {
		int64_t us;
		const char *unit;
	} units[] = {
		{7 * 86400 * RV_USEC, "w"}, {86400 * RV_USEC, "d"}, {3600 * RV_USEC, "h"},
		{60 * RV_USEC, "m"},	    {RV_USEC, "s"},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (us >= units[i].us && us % units[i].us == 0) {
			snprintf(buf, len, "%lld%s", (long long)(us / units[i].us), units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%lldus", (long long)us);
}
