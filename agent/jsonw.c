// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "agent/jsonw.h"
#include "policies/utf8.h"

static const char hex[] = "0123456789abcdef";

/* Room for more bytes and the terminating NUL; false (and oom) if none. */
static bool grow(struct jw *w, size_t more)
{
	size_t cap = w->cap ? w->cap : 1024;
	char *p;

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

static inline bool reserve(struct jw *w, size_t more)
{
	return w->len + more + 1 <= w->cap || grow(w, more);
}

static inline void put(struct jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

/* What escaping does with a byte: copy it, backslash it, \u00XX, or check its UTF-8. */
enum { ESC_COPY, ESC_BACKSLASH, ESC_CONTROL, ESC_UTF8 };

static const unsigned char esc_class[256] = {
	[0 ... 0x1f] = ESC_CONTROL, ['"'] = ESC_BACKSLASH,	['\\'] = ESC_BACKSLASH,
	[0x7f] = ESC_CONTROL,	    [0x80 ... 0xff] = ESC_UTF8,
};

/*
 * One byte or sequence at u (left > 0 bytes there) to o, escaped; returns
 * the bytes consumed. *lossy is set when a byte is not UTF-8 (U+FFFD).
 */
static size_t escape_one(const unsigned char *u, size_t left, char **o, bool *lossy)
{
	char *p = *o;
	size_t n = 1;

	switch (esc_class[*u]) {
	case ESC_BACKSLASH:
		*p++ = '\\';
		*p++ = (char)*u;
		break;
	case ESC_CONTROL:
		memcpy(p, "\\u00", 4);
		p[4] = hex[*u >> 4];
		p[5] = hex[*u & 15];
		p += 6;
		break;
	default:
		n = pal_utf8_len(u, left);
		if (!n) {
			memcpy(p, "\\ufffd", 6);
			p += 6;
			*lossy = true;
			n = 1;
		} else {
			memcpy(p, u, n);
			p += n;
		}
	}
	*o = p;
	return n;
}

/*
 * JSON string escaping of n bytes. The output is always valid UTF-8:
 * control bytes and DEL become \u00XX, a byte that is not part of valid
 * UTF-8 becomes U+FFFD. Returns true when such a replacement lost a byte.
 */
static bool put_escaped_n(struct jw *w, const char *s, size_t left)
{
	const unsigned char *u = (const unsigned char *)s;
	bool lossy = false;
	char *o;

	/* at most 6 bytes out per byte in (\u00XX, \ufffd), and the quotes */
	if (!reserve(w, 6 * left + 2))
		return false;
	o = w->buf + w->len;
	*o++ = '"';
	while (left) {
		size_t n;

		if (esc_class[*u] == ESC_COPY) { /* printable ASCII: most of every record */
			*o++ = (char)*u++;
			left--;
			continue;
		}
		n = escape_one(u, left, &o, &lossy);
		u += n;
		left -= n;
	}
	*o++ = '"';
	*o = 0;
	w->len = o - w->buf;
	return lossy;
}

static bool put_escaped(struct jw *w, const char *s)
{
	return put_escaped_n(w, s, strlen(s));
}

/* Keys are the program's own names: written as they are, without escaping. */
static void key(struct jw *w, const char *k)
{
	size_t n = strlen(k);
	char *o;

	if (!reserve(w, n + 4))
		return;
	o = w->buf + w->len;
	if (!w->first)
		*o++ = ',';
	w->first = false;
	*o++ = '"';
	memcpy(o, k, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = 0;
	w->len = o - w->buf;
}

size_t jw_fmt_u64(char *out, unsigned long long v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

void jw_begin(struct jw *w)
{
	w->len = 0;
	w->first = true;
	w->oom = false;
	put(w, "{", 1);
}

void jw_resume(struct jw *w, const char *obj, size_t n)
{
	w->len = 0;
	w->oom = false;
	put(w, obj, n);
	w->first = n < 2;
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
	size_t kn = strlen(k), vn = strlen(val);
	char *o;

	key(w, k);
	if (!put_escaped_n(w, val, vn))
		return;
	/* not UTF-8: also ,"<key>_hex":"<every byte in hex>" */
	if (!reserve(w, kn + 2 * vn + 10))
		return;
	o = w->buf + w->len;
	*o++ = ',';
	*o++ = '"';
	memcpy(o, k, kn);
	memcpy(o + kn, "_hex\":\"", 7);
	o += kn + 7;
	for (const unsigned char *u = (const unsigned char *)val; *u; u++) {
		*o++ = hex[*u >> 4];
		*o++ = hex[*u & 15];
	}
	*o++ = '"';
	*o = 0;
	w->len = o - w->buf;
}

void jw_int(struct jw *w, const char *k, long long val)
{
	unsigned long long mag = val < 0 ? 0ULL - (unsigned long long)val : (unsigned long long)val;

	key(w, k);
	if (!reserve(w, 21))
		return;
	if (val < 0)
		w->buf[w->len++] = '-';
	w->len += jw_fmt_u64(w->buf + w->len, mag);
	w->buf[w->len] = 0;
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
	key(w, k);
	put(w, "[", 1);
	for (const char *p = csv; *p;) {
		size_t n = strcspn(p, ",");

		if (p != csv)
			put(w, ",", 1);
		put_escaped_n(w, p, n < 63 ? n : 63); /* an item is a word: at most 63 bytes */
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
