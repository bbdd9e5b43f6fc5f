// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scanning audit log inputs record by record, shared by `logs` and
 * `suggest`: open, cut lines, prefilter, parse, count bad lines.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "review/review.h"

static bool blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

void rv_scan_line(struct rv_scan *sc, const char *line, size_t len, bool no_nl)
{
	struct rv_rec r;
	enum rv_bad why;

	if (len > RV_LINE_MAX) { /* a block can hold one whole */
		rv_bad_note(&sc->bad, RV_BAD_LONG, sc->file ? sc->file : "?", sc->lineno);
		return;
	}
	if (blank(line, len))
		return;
	if (sc->quick && !rv_filter_quick(sc->quick, line, len, sc->keep_loss))
		return;
	if (rv_rec_parse(sc->parser, line, len, no_nl, &r, &why)) {
		rv_bad_note(&sc->bad, why, sc->file ? sc->file : "?", sc->lineno);
		return;
	}
	sc->fn(&r, sc->ctx);
}

static void open_error(const struct rv_scan *sc, const char *path, int err)
{
	fprintf(stderr, "%s: cannot open '%s': %s%s\n", sc->prog, path, strerror(-err),
		err == -EACCES ? " (the audit log is root's: run as root, or pass a copy)" : "");
}

int rv_scan_file(struct rv_scan *sc, const char *path)
{
	struct rv_reader *rd;
	const char *s;
	size_t len;
	bool no_nl, too_long;
	int n = rv_reader_open(path, &rd);

	if (n) {
		open_error(sc, path, n);
		return n;
	}
	sc->file = rv_reader_name(rd);
	while ((n = rv_reader_next(rd, &s, &len, &no_nl, &too_long)) > 0) {
		sc->lineno = rv_reader_lineno(rd);
		if (too_long)
			rv_bad_note(&sc->bad, RV_BAD_LONG, sc->file, sc->lineno);
		else
			rv_scan_line(sc, s, len, no_nl);
	}
	if (n < 0)
		fprintf(stderr, "%s: error reading '%s' after line %llu: %s\n", sc->prog, path,
			(unsigned long long)rv_reader_lineno(rd), strerror(-n));
	sc->file = NULL;
	rv_reader_close(rd);
	return n;
}

/* ---- blocks on several threads ------------------------------------------- */

#define PART_MIN (64u << 10) /* smaller blocks are not worth a thread */

struct part {
	struct rv_scan *sc;
	const char *p;
	size_t len;
	bool no_nl; /* the part's last line has no newline */
};

static void scan_part(struct part *pt)
{
	const char *p = pt->p, *end = pt->p + pt->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *stop = nl ? nl : end;

		pt->sc->lineno++;
		rv_scan_line(pt->sc, p, stop - p, !nl && pt->no_nl);
		p = stop + 1;
	}
}

static void *part_thread(void *arg)
{
	scan_part(arg);
	return NULL;
}

/* Cut buf into up to n parts at line ends. Returns the number of parts. */
static size_t split(struct part *pt, size_t n, const char *buf, size_t len, bool no_nl)
{
	size_t k = 0, off = 0, want = len / n;

	while (off < len && k < n) {
		size_t stop = len;

		if (k + 1 < n && off + want < len) {
			const char *nl = memchr(buf + off + want, '\n', len - off - want);

			stop = nl ? (size_t)(nl - buf) + 1 : len;
		}
		pt[k] = (struct part){NULL, buf + off, stop - off, stop == len && no_nl};
		off = stop;
		k++;
	}
	return k;
}

static void merge_bad(struct rv_bad_stats *to, struct rv_bad_stats *from)
{
	if (!rv_bad_total(from))
		return;
	if (!rv_bad_total(to)) {
		memcpy(to->first_file, from->first_file, sizeof(to->first_file));
		to->first_line = from->first_line;
	}
	for (int i = 0; i < RV_BAD_MAX; i++)
		to->n[i] += from->n[i];
	memset(from, 0, sizeof(*from));
}

/* One block's parts, each on a thread of its own, while this one reads the next block. */
struct block_run {
	struct part pt[RV_SCAN_MAX];
	pthread_t th[RV_SCAN_MAX];
	bool started[RV_SCAN_MAX];
	size_t n;
};

static void block_start(struct block_run *b, struct rv_scan *const *sc, size_t nsc, const char *buf,
			size_t len, bool no_nl)
{
	b->n = split(b->pt, len < PART_MIN ? 1 : nsc, buf, len, no_nl);
	/* later parts number their lines from 0: where they start is known once read */
	for (size_t i = 0; i < b->n; i++) {
		b->pt[i].sc = sc[i];
		sc[i]->file = sc[0]->file;
		if (i)
			sc[i]->lineno = 0;
	}
	for (size_t i = 0; i < b->n; i++)
		b->started[i] = !pthread_create(&b->th[i], NULL, part_thread, &b->pt[i]);
}

static void block_finish(struct block_run *b, struct rv_scan *const *sc)
{
	uint64_t line;

	for (size_t i = 0; i < b->n; i++) {
		if (b->started[i])
			pthread_join(b->th[i], NULL);
		else
			scan_part(&b->pt[i]); /* no thread to be had: do it here */
	}
	line = sc[0]->lineno;
	for (size_t i = 1; i < b->n; i++) {
		if (rv_bad_total(&sc[i]->bad))
			sc[i]->bad.first_line += line;
		line += sc[i]->lineno;
		merge_bad(&sc[0]->bad, &sc[i]->bad);
	}
	sc[0]->lineno = line;
}

int rv_scan_file_mt(struct rv_scan *const *sc, size_t nsc, const char *path, rv_part_fn done,
		    void *ctx)
{
	struct rv_reader *rd;
	struct block_run run;
	const char *buf;
	size_t len;
	bool no_nl;
	unsigned int dropped;
	int n = rv_reader_open(path, &rd);

	if (n) {
		open_error(sc[0], path, n);
		return n;
	}
	sc[0]->file = rv_reader_name(rd);
	sc[0]->lineno = 0;
	n = rv_reader_block(rd, &buf, &len, &no_nl, &dropped);
	while (n >= 0) {
		for (; dropped; dropped--)
			rv_bad_note(&sc[0]->bad, RV_BAD_LONG, sc[0]->file, ++sc[0]->lineno);
		if (!n)
			break;
		block_start(&run, sc, nsc, buf, len, no_nl);
		n = rv_reader_block(rd, &buf, &len, &no_nl, &dropped);
		block_finish(&run, sc);
		for (size_t i = 0; i < nsc; i++)
			done(ctx, i);
	}
	if (n < 0)
		fprintf(stderr, "%s: error reading '%s' after line %llu: %s\n", sc[0]->prog, path,
			(unsigned long long)sc[0]->lineno, strerror(-n));
	sc[0]->file = NULL;
	rv_reader_close(rd);
	return n;
}

size_t rv_scan_threads(void)
{
	const char *env = getenv("PALISADE_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > RV_SCAN_MAX ? RV_SCAN_MAX : (size_t)n;
}

int rv_scan_init(struct rv_scan *sc, const char *prog, rv_rec_fn fn, void *ctx)
{
	memset(sc, 0, sizeof(*sc));
	sc->prog = prog;
	sc->fn = fn;
	sc->ctx = ctx;
	return rv_parser_new(&sc->parser);
}

void rv_scan_free(struct rv_scan *sc)
{
	rv_parser_free(sc->parser);
	sc->parser = NULL;
}
