// SPDX-License-Identifier: GPL-2.0-only
/*
 * The journal's native protocol: one datagram per entry, one FIELD=value
 * line per field; a value holding a newline is sent as FIELD\n, its length
 * as a little-endian 64-bit number, the bytes and \n.
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "agent/journal.h"

#define JOURNAL_TOKENS 160 /* a record has about 60 tokens */

struct entry {
	char buf[PAL_JOURNAL_MAX];
	size_t len;
	bool full;
};

static void put(struct entry *e, const void *p, size_t n)
{
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

/* A field fits whole or is left out: a cut line would corrupt the entry. */
static void field(struct entry *e, const char *name, const char *val, size_t n)
{
	uint64_t le = htole64(n);

	if (e->full || e->len + strlen(name) + sizeof(le) + n + 2 > sizeof(e->buf)) {
		e->full = true;
		return;
	}
	put(e, name, strlen(name));
	if (!memchr(val, '\n', n)) {
		put(e, "=", 1);
		put(e, val, n);
	} else {
		put(e, "\n", 1);
		put(e, &le, sizeof(le));
		put(e, val, n);
	}
	put(e, "\n", 1);
}

/* One UTF-8 sequence for a \uXXXX escape (surrogate halves are kept as U+FFFD). */
static size_t utf8(unsigned int c, char *out)
{
	if (c >= 0xd800 && c <= 0xdfff)
		c = 0xfffd;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | c >> 12);
	out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* The JSON string s[0..n) without its escapes, into out (at least n bytes). */
static size_t unescape(const char *s, size_t n, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		const char *k;
		unsigned int c;

		if (s[i] != '\\' || i + 1 >= n) {
			out[o++] = s[i];
			continue;
		}
		k = strchr(from, s[++i]);
		if (k && *k) {
			out[o++] = to[k - from];
		} else if (s[i] == 'u' && i + 4 < n && sscanf(s + i + 1, "%4x", &c) == 1) {
			o += utf8(c, out + o);
			i += 4;
		}
	}
	return o;
}

/* PALISADE_ and the key in upper case; keys are [a-z0-9_] (docs/audit-log.md). */
static void field_name(const char *key, size_t n, char *name, size_t size)
{
	size_t o = snprintf(name, size, "PALISADE_");

	for (size_t i = 0; i < n && o + 1 < size; i++)
		name[o++] =
			isalnum((unsigned char)key[i]) ? (char)toupper((unsigned char)key[i]) : '_';
	name[o] = 0;
}

/* An array of scalars as its values joined by ','; returns the tokens it spans. */
static int array_value(const char *json, const jsmntok_t *t, int ntok, char *out, size_t *n)
{
	int i = 1;

	*n = 0;
	for (int k = 0; k < t->size && i < ntok; k++, i++) {
		if (t[i].type == JSMN_OBJECT || t[i].type == JSMN_ARRAY)
			return -1;
		if (k)
			out[(*n)++] = ',';
		*n += unescape(json + t[i].start, (size_t)(t[i].end - t[i].start), out + *n);
	}
	return i;
}

/* Every top-level field; *msg gets the record's "message" (agent, policy records). */
static void record_fields(struct entry *e, const char *json, const jsmntok_t *t, int ntok,
			  const char **msg, size_t *msg_len)
{
	static char val[PAL_JOURNAL_MAX];
	char name[64];
	size_t n;

	for (int i = 1; i + 1 < ntok && t[i].start < t[0].end;) {
		const jsmntok_t *k = &t[i], *v = &t[i + 1];
		int used = 1;

		if (v->type == JSMN_ARRAY) {
			used = array_value(json, v, ntok - i - 1, val, &n);
			if (used < 0)
				return; /* nested: not a record of docs/audit-log.md */
		} else if (v->type == JSMN_OBJECT) {
			return;
		} else {
			n = unescape(json + v->start, (size_t)(v->end - v->start), val);
		}
		field_name(json + k->start, (size_t)(k->end - k->start), name, sizeof(name));
		field(e, name, val, n);
		if (!strcmp(name, "PALISADE_MESSAGE") && v->type == JSMN_STRING) {
			*msg = json + v->start;
			*msg_len = (size_t)(v->end - v->start);
		}
		i += 1 + used;
	}
}

int pal_journal_open(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int pal_journal_send(int fd, const char *json, size_t len, const char *message, int priority)
{
	static struct entry e;
	static char text[PAL_JOURNAL_MAX];
	jsmntok_t tok[JOURNAL_TOKENS];
	const char *msg = NULL;
	size_t msg_len = 0;
	jsmn_parser p;
	char prio[4];
	int ntok;

	e.len = 0;
	e.full = false;
	snprintf(prio, sizeof(prio), "%d", priority & 7);
	field(&e, "PRIORITY", prio, strlen(prio));
	field(&e, "SYSLOG_IDENTIFIER", "palisade", 8);
	field(&e, "SYSLOG_FACILITY", "10", 2); /* authpriv, as the syslog sink */
	jsmn_init(&p);
	ntok = len < PAL_JOURNAL_MAX ? jsmn_parse(&p, json, len, tok, JOURNAL_TOKENS) : -1;
	if (ntok > 0 && tok[0].type == JSMN_OBJECT)
		record_fields(&e, json, tok, ntok, &msg, &msg_len);
	e.full = false; /* the fields that fit are sent; the whole record goes last */
	if (message)
		field(&e, "MESSAGE", message, strlen(message));
	else if (msg)
		field(&e, "MESSAGE", text, unescape(msg, msg_len, text));
	else
		field(&e, "MESSAGE", json, len);
	field(&e, "PALISADE_RECORD", json, len);
	if (send(fd, e.buf, e.len, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}
