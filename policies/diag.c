// SPDX-License-Identifier: GPL-2.0-only
/* Diagnostics: FILE:LINE:COL: error: MESSAGE, the source line, a caret. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/policy_int.h"
#include "policies/utf8.h"

#define PAL_Q_MAX 80 /* characters of a user string quoted in a message */

/* libyaml's line breaks: \r\n, \r, \n, NEL, LS, PS. Returns the break's length. */
static size_t break_len(const char *s, size_t left)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == '\r')
		return left > 1 && u[1] == '\n' ? 2 : 1;
	if (u[0] == '\n')
		return 1;
	if (left > 1 && u[0] == 0xc2 && u[1] == 0x85)
		return 2;
	if (left > 2 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
		return 3;
	return 0;
}

static int build_lines(struct pal_parse *p)
{
	size_t cap = 64, n = 0;
	size_t *off = malloc(cap * sizeof(*off));

	if (!off)
		return -ENOMEM;
	off[n++] = 0;
	for (size_t i = 0; i < p->len;) {
		size_t b = break_len(p->buf + i, p->len - i);

		if (!b) {
			i++;
			continue;
		}
		i += b;
		if (n == cap) {
			size_t *o = realloc(off, 2 * cap * sizeof(*off));

			if (!o) {
				free(off);
				return -ENOMEM;
			}
			off = o;
			cap *= 2;
		}
		off[n++] = i;
	}
	p->line_off = off;
	p->nlines = n;
	return 0;
}

/* End of the line at start, looking at most PAL_DIAG_LINE_MAX bytes ahead. */
static size_t line_end(const struct pal_parse *p, size_t start)
{
	size_t i = start,
	       stop = p->len - start > PAL_DIAG_LINE_MAX ? start + PAL_DIAG_LINE_MAX : p->len;

	while (i < stop && !break_len(p->buf + i, p->len - i))
		i++;
	if (i == stop && i < p->len)
		while (i > start && ((unsigned char)p->buf[i] & 0xc0) == 0x80)
			i--; /* cut at a character boundary */
	return i;
}

void pal_diag_pos(struct pal_parse *p, size_t off, unsigned int *line, unsigned int *col)
{
	size_t lo = 0, hi, start;
	unsigned int c = 1;

	*line = 1;
	*col = 1;
	if (!p->line_off && build_lines(p))
		return;
	hi = p->nlines;
	while (hi - lo > 1) { /* last line starting at or before off */
		size_t mid = lo + (hi - lo) / 2;

		if (p->line_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	start = p->line_off[lo];
	for (size_t i = start; i < off && i < p->len; i++)
		if (((unsigned char)p->buf[i] & 0xc0) != 0x80)
			c++;
	*line = (unsigned int)lo + 1;
	*col = c;
}

static const char *source_line(struct pal_parse *p, unsigned int line)
{
	size_t start, end;

	if (!line || !p->buf)
		return NULL;
	if (!p->line_off && build_lines(p))
		return NULL;
	if (line > p->nlines)
		return pal_arena_strndup(p->ir, "", 0);
	start = p->line_off[line - 1];
	end = line_end(p, start);
	return pal_arena_strndup(p->ir, p->buf + start, end - start);
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

unsigned int pal_diag_col_in(struct pal_parse *p, const struct pal_node *v, size_t off)
{
	unsigned int first = v->col + !v->plain, c = 1; /* a quote opens a quoted scalar */
	size_t at;

	if (!p->buf || (!p->line_off && build_lines(p)) || !v->line || v->line > p->nlines)
		return v->col;
	at = p->line_off[v->line - 1];
	while (c < first && at < p->len && p->buf[at] != '\n') {
		at++;
		while (at < p->len && ((unsigned char)p->buf[at] & 0xc0) == 0x80)
			at++;
		c++;
	}
	/* the value must be written as it is (no escapes, one line) to point into it */
	if (p->len - at < v->len || memcmp(p->buf + at, v->str, v->len))
		return v->col;
	return first + (unsigned int)utf8_chars(v->str, off);
}

static struct pal_pdiag *pend_slot(struct pal_parse *p)
{
	if (p->npend == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct pal_pdiag *n = realloc(p->pend, cap * sizeof(*n));

		if (!n)
			return NULL;
		p->pend = n;
		p->cap = cap;
	}
	return &p->pend[p->npend];
}

static void diag_v(struct pal_parse *p, enum pal_severity sev, unsigned int line, unsigned int col,
		   const char *fmt, va_list ap)
{
	struct pal_pdiag *d;
	const char *msg;

	if (sev == PAL_SEV_WARNING) {
		if (++p->nwarnings > PAL_POLICY_MAX_WARNINGS + 1)
			return;
		if (p->nwarnings > PAL_POLICY_MAX_WARNINGS) {
			fmt = "too many warnings (over PAL_POLICY_MAX_WARNINGS = %d); not showing more";
			msg = pal_arena_printf(p->ir, fmt, PAL_POLICY_MAX_WARNINGS);
			goto add;
		}
	} else {
		if (p->gave_up)
			return;
		if (++p->nerrors > PAL_POLICY_MAX_ERRORS) {
			p->gave_up = true;
			fmt = "too many errors (over PAL_POLICY_MAX_ERRORS = %d); fix the ones above first";
			msg = pal_arena_printf(p->ir, fmt, PAL_POLICY_MAX_ERRORS);
			goto add;
		}
	}
	msg = pal_arena_vprintf(p->ir, fmt, ap);
add:
	d = pend_slot(p);
	if (!msg || !d) {
		p->oom = true;
		return;
	}
	d->d.severity = sev;
	d->d.file = p->file;
	d->d.line = line;
	d->d.col = col;
	d->d.message = msg;
	d->d.source_line = source_line(p, line);
	d->seq = p->npend++;
}

void pal_diag_at(struct pal_parse *p, enum pal_severity sev, unsigned int line, unsigned int col,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_v(p, sev, line, col, fmt, ap);
	va_end(ap);
}

void pal_err(struct pal_parse *p, const struct pal_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_v(p, PAL_SEV_ERROR, n->line, n->col, fmt, ap);
	va_end(ap);
}

void pal_warn(struct pal_parse *p, const struct pal_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_v(p, PAL_SEV_WARNING, n->line, n->col, fmt, ap);
	va_end(ap);
}

static int pdiag_cmp(const void *a, const void *b)
{
	const struct pal_pdiag *x = a, *y = b;

	if (x->d.line != y->d.line)
		return x->d.line < y->d.line ? -1 : 1;
	if (x->d.col != y->d.col)
		return x->d.col < y->d.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int set_push(struct pal_policy_set *set, const struct pal_diag *d)
{
	struct pal_set_priv *pv = set->priv;

	if (set->ndiags == pv->diag_cap) {
		size_t cap = pv->diag_cap ? 2 * pv->diag_cap : 16;
		struct pal_diag *n = realloc(set->diags, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		set->diags = n;
		pv->diag_cap = cap;
	}
	set->diags[set->ndiags++] = *d;
	if (d->severity == PAL_SEV_ERROR)
		set->nerrors++;
	else
		set->nwarnings++;
	if (pv->opts.diag)
		pv->opts.diag(d, pv->opts.ctx);
	return 0;
}

int pal_diag_flush(struct pal_parse *p)
{
	int err = p->oom ? -ENOMEM : 0;

	if (p->npend > 1)
		qsort(p->pend, p->npend, sizeof(*p->pend), pdiag_cmp);
	for (size_t i = 0; i < p->npend && !err; i++)
		err = set_push(p->set, &p->pend[i].d);
	free(p->pend);
	p->pend = NULL;
	p->npend = p->cap = 0;
	return err;
}

int pal_diag_file(struct pal_policy_set *set, enum pal_severity sev, const char *file,
		  const char *fmt, ...)
{
	struct pal_diag d = {.severity = sev};
	va_list ap;

	/* the set outlives the caller's string (e.g. a directory listing) */
	d.file = pal_arena_strndup(&set->priv->arena, file, strlen(file));
	if (!d.file)
		return -ENOMEM;

	va_start(ap, fmt);
	d.message = pal_arena_vprintf(&set->priv->arena, fmt, ap);
	va_end(ap);
	if (!d.message)
		return -ENOMEM;
	return set_push(set, &d);
}

const char *pal_q(struct pal_parse *p, const char *s, size_t len)
{
	char *out = pal_arena_alloc(&p->tree, 4 * PAL_Q_MAX + 8);
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, shown = 0, i = 0;

	if (!out)
		return "?";
	while (i < len && shown < PAL_Q_MAX) {
		size_t n = pal_utf8_char(u + i, len - i);

		if (n) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			o += (size_t)snprintf(out + o, 5, "\\x%02x", u[i++]);
		}
		shown++;
	}
	if (i < len)
		memcpy(out + o, "...", 4);
	return out;
}

/* ---- public formatting ------------------------------------------------ */

char *pal_diag_format(const struct pal_diag *d)
{
	const char *sev = d->severity == PAL_SEV_ERROR ? "error" : "warning";
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	if (!d->line)
		fprintf(f, "%s: %s: %s\n", d->file, sev, d->message);
	else
		fprintf(f, "%s:%u:%u: %s: %s\n", d->file, d->line, d->col, sev, d->message);
	if (d->line && d->source_line) {
		const unsigned char *s = (const unsigned char *)d->source_line;
		unsigned int c = 1;

		fprintf(f, "%s\n", d->source_line);
		/* one space per character before the column, tabs copied */
		for (; *s && c < d->col; s++) {
			if ((*s & 0xc0) == 0x80)
				continue;
			fputc(*s == '\t' ? '\t' : ' ', f);
			c++;
		}
		if (c == d->col) /* a column past a shortened line gets no caret */
			fputs("^\n", f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int pal_diag_print(FILE *out, const struct pal_diag *d)
{
	char *s = pal_diag_format(d);
	int err = 0;

	if (!s)
		return -ENOMEM;
	if (fputs(s, out) < 0)
		err = -EIO;
	free(s);
	return err;
}
