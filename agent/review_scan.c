// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scanning audit log inputs record by record, shared by `logs` and
 * `suggest`: open, cut lines, prefilter, parse, count bad lines.
 */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "agent/review.h"

static bool blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

static bool maybe_loss(const char *line, size_t len)
{
	return memmem(line, len, "\"lost\"", 6) || memmem(line, len, "\"suppressed\"", 12);
}

void rv_scan_line(struct rv_scan *sc, const char *line, size_t len, bool no_nl)
{
	struct rv_rec r;
	enum rv_bad why;

	if (blank(line, len))
		return;
	if (sc->quick && !rv_filter_quick(sc->quick, line, len) &&
	    !(sc->keep_loss && maybe_loss(line, len)))
		return;
	if (rv_rec_parse(sc->tok, line, len, no_nl, &r, &why)) {
		rv_bad_note(&sc->bad, why, sc->file ? sc->file : "?", sc->lineno);
		return;
	}
	sc->fn(&r, sc->ctx);
	rv_rec_release(&r);
}

int rv_scan_file(struct rv_scan *sc, const char *path)
{
	struct rv_reader *rd;
	const char *s;
	size_t len;
	bool no_nl, too_long;
	int n = rv_reader_open(path, &rd);

	if (n) {
		fprintf(stderr, "%s: cannot open '%s': %s%s\n", sc->prog, path, strerror(-n),
			n == -EACCES ? " (the audit log is root's: run as root, or pass a copy)" :
				       "");
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

int rv_scan_init(struct rv_scan *sc, const char *prog, rv_rec_fn fn, void *ctx)
{
	memset(sc, 0, sizeof(*sc));
	sc->prog = prog;
	sc->fn = fn;
	sc->ctx = ctx;
	sc->tok = json_tokener_new();
	return sc->tok ? 0 : -ENOMEM;
}

void rv_scan_free(struct rv_scan *sc)
{
	if (sc->tok)
		json_tokener_free(sc->tok);
	sc->tok = NULL;
}
