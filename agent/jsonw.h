/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The project's own JSON object writer, for audit records (events.c). Records
 * are written at hundreds of thousands per second, so it appends into one
 * reusable buffer without allocating per field. It only writes: the log
 * reader (palisade logs) parses records with jsmn. Keys are the program's
 * own names (letters, digits, '_') and are written as given; values are
 * escaped.
 */
#ifndef PALISADE_AGENT_JSONW_H
#define PALISADE_AGENT_JSONW_H

#include <stdbool.h>
#include <stddef.h>

struct jw {
	char *buf;
	size_t len;
	size_t cap;
	bool first; /* no field written yet in the current object */
	bool oom;
};

void jw_begin(struct jw *w);
/* Start again from an object written earlier without its jw_end (n bytes). */
void jw_resume(struct jw *w, const char *obj, size_t n);
void jw_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
/*
 * A string of untrusted bytes (a path, comm, cgroup name): as jw_str, and
 * when it is not valid UTF-8 (so jw_str had to replace bytes with U+FFFD)
 * also "<key>_hex" with every byte in hex, so the exact value survives.
 */
void jw_bytes(struct jw *w, const char *key, const char *val);
void jw_int(struct jw *w, const char *key, long long val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);
/* An array of strings from a comma-separated list ("read,write"). */
void jw_csv_array(struct jw *w, const char *key, const char *csv);
/* Append raw JSON text (already valid and escaped). */
void jw_raw(struct jw *w, const char *s, size_t n);
void jw_free(struct jw *w);
/* The decimal digits of v at out (20 bytes at most, no NUL); returns how many. */
size_t jw_fmt_u64(char *out, unsigned long long v);

#endif
