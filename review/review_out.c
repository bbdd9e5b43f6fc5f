// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output helpers of the review verbs. Log content is attacker-influenced
 * (file names, comm, cgroup names), so nothing from a record reaches a
 * terminal or an HTML page unescaped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "review/review.h"

static int grow(struct rv_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->len + n + 1 <= b->cap)
		return 0;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int rv_buf_put(struct rv_buf *b, const char *s, size_t n)
{
	if (grow(b, n))
		return -ENOMEM;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int rv_buf_printf(struct rv_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void rv_buf_free(struct rv_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int rv_buf_pad(struct rv_buf *b, size_t n)
{
	static const char spaces[] = "                                ";

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		if (rv_buf_put(b, spaces, k))
			return -ENOMEM;
		n -= k;
	}
	return 0;
}

/*
 * One display unit at s: a printable UTF-8 character (1 column) or a byte
 * shown as \xNN (4 columns). Returns its length in bytes; *esc says which.
 */
static size_t unit(const unsigned char *s, bool *esc)
{
	size_t n;
	unsigned int cp;

	*esc = true;
	if (*s < 0x80) {
		*esc = *s < 0x20 || *s == 0x7f || *s == '\\';
		return 1;
	}
	if ((*s & 0xe0) == 0xc0)
		n = 2, cp = *s & 0x1f;
	else if ((*s & 0xf0) == 0xe0)
		n = 3, cp = *s & 0x0f;
	else if ((*s & 0xf8) == 0xf0)
		n = 4, cp = *s & 0x07;
	else
		return 1;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode and C1 controls are escaped */
	if ((n == 2 && cp < 0xa0) || (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 1;
	*esc = false;
	return n;
}

static size_t unit_cols(const char *s, size_t *bytes)
{
	bool esc;

	*bytes = unit((const unsigned char *)s, &esc);
	if (!esc)
		return 1;
	return *s == '\\' ? 2 : 4;
}

size_t rv_term_width(const char *s)
{
	size_t w = 0, n;

	while (*s) {
		w += unit_cols(s, &n);
		s += n;
	}
	return w;
}

static int put_unit(struct rv_buf *b, const char *s, size_t n)
{
	bool esc;

	unit((const unsigned char *)s, &esc);
	if (!esc)
		return rv_buf_put(b, s, n);
	if (*s == '\\')
		return rv_buf_put(b, "\\\\", 2);
	return rv_buf_printf(b, "\\x%02x", (unsigned char)*s);
}

/* Write units of s from the first whose start is at column >= skip, up to max_cols. */
static size_t put_range(struct rv_buf *b, const char *s, size_t skip, size_t max_cols)
{
	size_t col = 0, out = 0, n, w;

	for (; *s; s += n, col += w) {
		w = unit_cols(s, &n);
		if (col < skip)
			continue;
		if (out + w > max_cols)
			break;
		put_unit(b, s, n);
		out += w;
	}
	return out;
}

size_t rv_term_put(struct rv_buf *b, const char *s, size_t max, bool keep_end)
{
	size_t w = rv_term_width(s), out;

	if (!max || w <= max)
		return put_range(b, s, 0, SIZE_MAX);
	if (max == 1) {
		rv_buf_put(b, "…", strlen("…"));
		return 1;
	}
	if (keep_end) {
		rv_buf_put(b, "…", strlen("…"));
		/* skip enough that the rest fits; a wide unit may leave a column unused */
		out = put_range(b, s, w - (max - 1), max - 1);
		return 1 + out;
	}
	out = put_range(b, s, 0, max - 1);
	rv_buf_put(b, "…", strlen("…"));
	return out + 1;
}

int rv_html_put(struct rv_buf *b, const char *s)
{
	int err = 0;

	for (; *s && !err; s++) {
		switch (*s) {
		case '&':
			err = rv_buf_put(b, "&amp;", 5);
			break;
		case '<':
			err = rv_buf_put(b, "&lt;", 4);
			break;
		case '>':
			err = rv_buf_put(b, "&gt;", 4);
			break;
		case '"':
			err = rv_buf_put(b, "&quot;", 6);
			break;
		case '\'':
			err = rv_buf_put(b, "&#39;", 5);
			break;
		default:
			err = rv_buf_put(b, s, 1);
		}
	}
	return err;
}

bool rv_use_color(enum rv_color c, int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (c != RV_COLOR_AUTO)
		return c == RV_COLOR_ALWAYS;
	if (no && *no)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(fd);
}

size_t rv_term_columns(int fd)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	if (env && *env) {
		long v = strtol(env, NULL, 10);

		if (v > 0 && v < 100000)
			return (size_t)v;
	}
	if (isatty(fd) && !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* Record strings are valid UTF-8 (the writer guarantees it): only '"', '\\' and C0 need escapes. */
int rv_json_str(struct rv_buf *b, const char *s)
{
	rv_buf_put(b, "\"", 1);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			rv_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			rv_buf_printf(b, "\\u%04x", c);
		else
			rv_buf_put(b, s, 1);
	}
	return rv_buf_put(b, "\"", 1);
}
