// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/jsonw.h"
#include "policies/utf8.h"

static bool reserve(struct jw *w, size_t more)
{
	size_t cap = w->cap ? w->cap : 1024;
	char *p;

	if (w->len + more + 1 <= w->cap)
		return true;
	while (cap < w->len + more + 1)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (!p) {
		w->oom = true;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

/*
 * JSON string escaping. The output is always valid UTF-8: control bytes
 * and DEL become \u00XX, a byte that is not part of valid UTF-8 becomes
 * U+FFFD. Returns true when such a replacement lost a byte.
 */
static bool put_escaped(struct jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s);
	bool lossy = false;

	put(w, "\"", 1);
	while (left) {
		unsigned char c = *u;
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		size_t n = pal_utf8_len(u, left);

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			put(w, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			put(w, esc, 6);
		} else if (!n) {
			put(w, "\\ufffd", 6);
			lossy = true;
			n = 1;
		} else {
			put(w, (const char *)u, n);
		}
		n = n ? n : 1;
		u += n;
		left -= n;
	}
	put(w, "\"", 1);
	return lossy;
}

static void key(struct jw *w, const char *k)
{
	if (!w->first)
		put(w, ",", 1);
	w->first = false;
	put_escaped(w, k);
	put(w, ":", 1);
}

void jw_begin(struct jw *w)
{
	w->len = 0;
	w->first = true;
	w->oom = false;
	put(w, "{", 1);
}

void jw_end(struct jw *w)
{
	put(w, "}", 1);
}

void jw_str(struct jw *w, const char *k, const char *val)
{
	key(w, k);
	put_escaped(w, val ? val : "");
}

void jw_bytes(struct jw *w, const char *k, const char *val)
{
	static const char hex[] = "0123456789abcdef";
	char hk[64];

	key(w, k);
	if (!put_escaped(w, val))
		return;
	snprintf(hk, sizeof(hk), "%s_hex", k);
	key(w, hk);
	put(w, "\"", 1);
	for (const unsigned char *u = (const unsigned char *)val; *u; u++) {
		char b[2] = {hex[*u >> 4], hex[*u & 15]};

		put(w, b, 2);
	}
	put(w, "\"", 1);
}

void jw_int(struct jw *w, const char *k, long long val)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%lld", val);

	key(w, k);
	put(w, num, n);
}

void jw_bool(struct jw *w, const char *k, bool val)
{
	key(w, k);
	put(w, val ? "true" : "false", val ? 4 : 5);
}

void jw_null(struct jw *w, const char *k)
{
	key(w, k);
	put(w, "null", 4);
}

void jw_csv_array(struct jw *w, const char *k, const char *csv)
{
	char item[64];

	key(w, k);
	put(w, "[", 1);
	for (const char *p = csv; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		if (p != csv)
			put(w, ",", 1);
		put_escaped(w, item);
		p += n + (p[n] == ',');
	}
	put(w, "]", 1);
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	put(w, s, n);
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}
