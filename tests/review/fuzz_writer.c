// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the audit-line writer against the log reader:
 * arbitrary bytes as path, path2, comm, exe and cgroup, and arbitrary
 * integers, written as a record by agent/jsonw.c (jw_bytes, as the agent
 * writes them), then parsed back by `palisade logs`' record parser
 * (review/review_record.c). The line must be one valid record, and every
 * field must round-trip: the string itself, or, where the writer had to
 * replace bytes that are not UTF-8, its `_hex` twin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jsonw.h"
#include "review/review.h"

#define NSTR 5

static struct rv_parser *parser;

/* Bytes up to the next 0xfe (the field separator of the fuzz input), NUL-terminated. */
static const uint8_t *take(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
	size_t n = 0;

	while (p < end && *p != 0xfe) {
		if (*p && n + 1 < cap) /* a C string cannot hold NUL: the kernel's cannot either */
			out[n++] = (char)*p;
		p++;
	}
	out[n] = 0;
	return p < end ? p + 1 : p;
}

static void check_hex(const char *hex, const char *want)
{
	size_t n = strlen(want);

	if (!hex || strlen(hex) != 2 * n)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1 || b != (unsigned char)want[i])
			abort();
	}
}

/* A string field came back exactly, or its _hex twin holds the exact bytes. */
static void check_str(const char *line, const char *key, const char *got, const char *hex,
		      const char *want)
{
	char twin[32];

	snprintf(twin, sizeof(twin), "\"%s_hex\":", key);
	if (!strstr(line, twin)) {
		if (!got || strcmp(got, want))
			abort();
		return;
	}
	if (hex)
		check_hex(hex, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[NSTR] = {"path", "path2", "comm", "exe", "cgroup"};
	const uint8_t *p = data, *end = data + size;
	char s[NSTR][512];
	long long num[3] = {0};
	struct jw w = {0};
	struct rv_rec r;
	enum rv_bad why;

	if (!parser && rv_parser_new(&parser))
		abort();
	for (int i = 0; i < NSTR; i++)
		p = take(p, end, s[i], sizeof(s[i]));
	memcpy(num, p, (size_t)(end - p) < sizeof(num) ? (size_t)(end - p) : sizeof(num));
	jw_begin(&w);
	jw_int(&w, "v", 1);
	jw_str(&w, "time", "2026-11-22T10:00:00.000000Z");
	jw_str(&w, "event", "file");
	jw_str(&w, "action", "deny");
	jw_int(&w, "pid", num[0]);
	jw_int(&w, "uid", num[1]);
	jw_int(&w, "count", num[2]);
	for (int i = 0; i < NSTR; i++)
		jw_bytes(&w, keys[i], s[i]);
	jw_end(&w);
	if (w.oom)
		goto out;
	if (memchr(w.buf, '\n', w.len) || rv_rec_parse(parser, w.buf, w.len, false, &r, &why))
		abort(); /* one line, one valid record */
	if (!rv_has(&r, RV_I_PID) || r.num[RV_I_PID] != num[0] || r.num[RV_I_UID] != num[1] ||
	    r.num[RV_I_COUNT] != num[2])
		abort();
	check_str(w.buf, "path", r.path, r.path_hex, s[0]);
	check_str(w.buf, "path2", r.path2, r.path2_hex, s[1]);
	check_str(w.buf, "comm", r.comm, NULL, s[2]);
	check_str(w.buf, "exe", r.exe, NULL, s[3]);
	check_str(w.buf, "cgroup", r.cgroup, NULL, s[4]);
out:
	jw_free(&w);
	return 0;
}
