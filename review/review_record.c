// SPDX-License-Identifier: GPL-2.0-only
/*
 * One audit log line as a record (docs/audit-log.md). jsmn (Debian's
 * libjsmn-dev) cuts the line into tokens without allocating; this file checks
 * what jsmn leaves to its caller (every key has exactly one value, literals
 * and numbers are spelled as JSON spells them), then copies the fields it
 * knows, unescaped and NUL-terminated, into the parser's arena.
 *
 * Why not a tree-building parser: a review reads gigabytes, and building a
 * json-c object per line cost about 12 s of CPU per GB (bench/README.md).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "review/review.h"

#define TOK_START 256 /* tokens first tried: a record has about 60 */
#define KEYS_SEEN 64 /* top-level keys whose field is remembered, by position */

struct field;

struct rv_parser {
	jsmntok_t *tok;
	unsigned int ntok;
	char *arena; /* the current record's strings */
	size_t cap, used;
	/* the field the last line had at each key position: lines of a log repeat their keys */
	const struct field *seen[KEYS_SEEN];
};

int rv_parser_new(struct rv_parser **out)
{
	struct rv_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->tok = malloc(TOK_START * sizeof(*p->tok));
	if (!p->tok) {
		free(p);
		return -ENOMEM;
	}
	p->ntok = TOK_START;
	*out = p;
	return 0;
}

void rv_parser_free(struct rv_parser *p)
{
	if (!p)
		return;
	free(p->tok);
	free(p->arena);
	free(p);
}

/* ---- the fields ---------------------------------------------------------- */

enum field_kind { F_STR, F_INT, F_BOOL, F_ACCESS, F_RULE, F_V };

struct field {
	const char *name;
	unsigned short kind;
	unsigned short slot; /* F_STR: offset in struct rv_rec; F_INT: enum rv_int */
};

#define STR(name, member)                                    \
	{                                                    \
		name, F_STR, offsetof(struct rv_rec, member) \
	}

/* Sorted by name. */
static const struct field fields[] = {
	{"access", F_ACCESS, 0},
	STR("action", action_name),
	STR("cgroup", cgroup),
	{"cgroup_id", F_INT, RV_I_CGROUP_ID},
	STR("comm", comm),
	STR("container", container),
	STR("container_id", container_id),
	{"count", F_INT, RV_I_COUNT},
	STR("daddr", daddr),
	STR("dev_type", dev_type),
	{"dport", F_INT, RV_I_DPORT},
	{"errno", F_INT, RV_I_ERRNO},
	STR("event", event_name),
	STR("exe", exe),
	STR("family", family),
	{"generation", F_INT, RV_I_GENERATION},
	{"gid", F_INT, RV_I_GID},
	STR("host", host),
	STR("image", image),
	{"major", F_INT, RV_I_MAJOR},
	STR("message", message),
	{"minor", F_INT, RV_I_MINOR},
	STR("mode", mode),
	STR("namespace", ns),
	STR("op", op),
	STR("path", path),
	STR("path2", path2),
	STR("path2_hex", path2_hex),
	STR("path_hex", path_hex),
	{"pid", F_INT, RV_I_PID},
	STR("pod", pod),
	STR("pod_uid", pod_uid),
	STR("policy", policy),
	{"ppid", F_INT, RV_I_PPID},
	STR("protocol", protocol),
	{"rule", F_RULE, 0},
	STR("rule_src", rule_src),
	STR("runtime", runtime),
	STR("time", time_str),
	{"uid", F_INT, RV_I_UID},
	{"unresolved", F_BOOL, 0},
	{"v", F_V, 0},
};

static const char *const event_names[] = {
	[RV_EV_UNKNOWN] = "?",
	[RV_EV_FILE] = "file",
	[RV_EV_EXEC] = "exec",
	[RV_EV_NETWORK] = "network",
	[RV_EV_DEVICE] = "device",
	[RV_EV_LOST] = "lost",
	[RV_EV_SUPPRESSED] = "suppressed",
	[RV_EV_POLICY] = "policy",
	[RV_EV_AGENT] = "agent",
};

const char *rv_event_name(enum rv_event e)
{
	return e <= RV_EV_AGENT ? event_names[e] : "?";
}

enum rv_event rv_event_from(const char *s)
{
	for (int e = RV_EV_FILE; e <= RV_EV_AGENT; e++)
		if (!strcmp(s, event_names[e]))
			return e;
	return RV_EV_UNKNOWN;
}

/* Sorted by name, so names with one first letter are together: compare those only. */
static const struct field *find_field(const char *key, size_t n)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].name[0] < key[0])
			continue;
		if (fields[i].name[0] > key[0])
			return NULL;
		if (!strncmp(fields[i].name, key, n) && !fields[i].name[n])
			return &fields[i];
	}
	return NULL;
}

/* ---- JSON text ------------------------------------------------------------ */

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static char *put_utf8(char *o, unsigned int c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | (c >> 12 & 0x3f));
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

/* A \u escape at s (jsmn checked the four hex digits), a surrogate pair taken whole. */
static const char *unescape_u(const char *s, const char *end, char **o)
{
	unsigned int c = (unsigned int)hex4(s + 2);

	s += 6;
	if (c >= 0xd800 && c < 0xdc00 && end - s >= 6 && s[0] == '\\' && s[1] == 'u') {
		unsigned int lo = (unsigned int)hex4(s + 2);

		if (lo >= 0xdc00 && lo < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			s += 6;
		}
	}
	if (c >= 0xd800 && c < 0xe000)
		c = 0xfffd; /* a lone surrogate */
	*o = put_utf8(*o, c);
	return s;
}

/* The byte a two-character escape stands for (jsmn let only valid ones through). */
static char unescaped(char c)
{
	static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char *k = strchr(from, c);

	return k && c ? to[k - from] : c; /* " \ / stand for themselves */
}

/* Copy a string token's text into o, unescaped (never longer); returns the end. */
static char *unescape(const char *s, size_t n, char *o)
{
	const char *end = s + n;

	while (s < end) {
		const char *bs = memchr(s, '\\', end - s);
		size_t run = (bs ? bs : end) - s;

		memcpy(o, s, run);
		o += run;
		s += run;
		if (!bs)
			break;
		if (s[1] == 'u') {
			s = unescape_u(s, end, &o);
			continue;
		}
		*o++ = unescaped(s[1]);
		s += 2;
	}
	return o;
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; *integer if no . or e. */
static bool json_number(const char *s, size_t n, bool *integer)
{
	size_t i = s[0] == '-', d;

	for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == d || (s[d] == '0' && i - d > 1))
		return false;
	*integer = i == n;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i += i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-') ? 2 : 1;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	return i == n;
}

static bool literal_ok(const char *s, size_t n)
{
	bool integer;

	switch (s[0]) {
	case 't':
		return n == 4 && !memcmp(s, "true", 4);
	case 'f':
		return n == 5 && !memcmp(s, "false", 5);
	case 'n':
		return n == 4 && !memcmp(s, "null", 4);
	default:
		return json_number(s, n, &integer);
	}
}

/* An integer literal into int64; false for other literals and on overflow. */
static bool json_int(const char *s, size_t n, int64_t *out)
{
	bool integer, neg = s[0] == '-';
	uint64_t x = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;

	if (!json_number(s, n, &integer) || !integer)
		return false;
	for (size_t i = neg; i < n; i++) {
		if (x > (lim - (uint64_t)(s[i] - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? (int64_t)(0 - x) : (int64_t)x;
	return true;
}

/* ---- tokens --------------------------------------------------------------- */

/* Tokenise line[0, len); grows the token array as a line needs. */
static int tokenize(struct rv_parser *p, const char *line, size_t len)
{
	for (;;) {
		jsmn_parser jp;
		jsmntok_t *t;
		int n;

		jsmn_init(&jp);
		n = jsmn_parse(&jp, line, len, p->tok, p->ntok);
		if (n != JSMN_ERROR_NOMEM)
			return n;
		if (p->ntok > len) /* more tokens than bytes: cannot be */
			return JSMN_ERROR_INVAL;
		t = realloc(p->tok, 4 * p->ntok * sizeof(*t));
		if (!t)
			return JSMN_ERROR_NOMEM;
		p->tok = t;
		p->ntok *= 4;
	}
}

/* Where a token's own text starts and ends: a container's is its bracket. */
static int head_start(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->start - 1 : t->start;
}

static int head_end(const jsmntok_t *t)
{
	return t->type == JSMN_STRING	 ? t->end + 1 :
	       t->type == JSMN_PRIMITIVE ? t->end :
					   t->start + 1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The bytes between two tokens: blanks, the brackets of containers that
 * ended there if closers (jsmn matched them), then one sep if sep is not 0.
 */
static bool gap_ok(const char *s, const char *e, bool closers, char sep)
{
	while (s < e && (blank(*s) || (closers && (*s == '}' || *s == ']'))))
		s++;
	if (sep && (s == e || *s++ != sep))
		return false;
	while (s < e && blank(*s))
		s++;
	return s == e;
}

/*
 * What strict jsmn does not check: a key (a string in an object) has exactly
 * one value and nothing else has one; literals are JSON's; one ':' after a
 * key, one ',' between values, nothing before a first value or after a last.
 */
static bool structure_ok(const char *line, const jsmntok_t *t, int n)
{
	for (int i = 1; i < n; i++) {
		const jsmntok_t *up = &t[t[i].parent];
		bool value = up->type == JSMN_STRING, first = t[i].parent == i - 1;

		if (t[i].type == JSMN_STRING && t[i].size != (up->type == JSMN_OBJECT ? 1 : 0))
			return false;
		if (t[i].type == JSMN_PRIMITIVE &&
		    (t[i].size || !literal_ok(line + t[i].start, t[i].end - t[i].start)))
			return false;
		if (!gap_ok(line + head_end(&t[i - 1]), line + head_start(&t[i]), !value && !first,
			    value ? ':' :
			    first ? 0 :
				    ','))
			return false;
	}
	return gap_ok(line + head_end(&t[n - 1]), line + t[0].end, true, 0);
}

/* ---- taking fields ---------------------------------------------------------- */

static const char *copy_str(struct rv_parser *p, const char *line, const jsmntok_t *t)
{
	char *o = p->arena + p->used, *e;

	e = unescape(line + t->start, t->end - t->start, o);
	*e = '\0';
	p->used += e - o + 1;
	return o;
}

static bool take_int(const char *line, const jsmntok_t *t, int64_t *out)
{
	return t->type == JSMN_PRIMITIVE && json_int(line + t->start, t->end - t->start, out);
}

static void take_access(struct rv_parser *p, struct rv_rec *r, const char *line, int at, int n)
{
	const jsmntok_t *t = p->tok;

	r->naccess = 0;
	for (int i = at + 1; i < n && t[i].start < t[at].end; i++)
		if (t[i].parent == at && t[i].type == JSMN_STRING && r->naccess < RV_ACCESS_MAX)
			r->access[r->naccess++] = copy_str(p, line, &t[i]);
}

static bool name_is(const char *name, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && name[i] && name[i] == s[i])
		i++;
	return i == len && !name[i];
}

/* The field the key s[0, len) names, trying first the one the last line had at position pos. */
static const struct field *key_field(struct rv_parser *p, unsigned int pos, const char *s,
				     size_t len)
{
	const struct field *f = pos < KEYS_SEEN ? p->seen[pos] : NULL;
	char name[16];

	if (f && name_is(f->name, s, len))
		return f; /* names have no escapes: these bytes are the name */
	if (memchr(s, '\\', len)) { /* an escaped key: compare its text */
		if (len >= sizeof(name))
			return NULL;
		len = unescape(s, len, name) - name;
		s = name;
	}
	f = len ? find_field(s, len) : NULL;
	if (pos < KEYS_SEEN)
		p->seen[pos] = f;
	return f;
}

/*
 * The key at token k (value at k + 1), the pos-th of the record. Fields of
 * the wrong JSON type are treated as absent.
 */
static void take_field(struct rv_parser *p, struct rv_rec *r, const char *line, int k, int n,
		       unsigned int pos)
{
	const jsmntok_t *key = &p->tok[k], *v = &p->tok[k + 1];
	const struct field *f = key_field(p, pos, line + key->start, key->end - key->start);
	int64_t x;

	if (!f)
		return;
	switch (f->kind) {
	case F_STR:
		*(const char **)((char *)r + f->slot) =
			v->type == JSMN_STRING ? copy_str(p, line, v) : NULL;
		break;
	case F_INT:
		if (take_int(line, v, &x)) {
			r->num[f->slot] = x;
			r->has |= 1u << f->slot;
		} else {
			r->has &= ~(1u << f->slot);
		}
		break;
	case F_BOOL:
		r->unresolved = v->type == JSMN_PRIMITIVE && line[v->start] == 't';
		break;
	case F_ACCESS:
		if (v->type == JSMN_ARRAY)
			take_access(p, r, line, k + 1, n);
		else
			r->naccess = 0;
		break;
	case F_RULE:
		r->rule_null = v->type == JSMN_PRIMITIVE && line[v->start] == 'n';
		r->has &= ~(1u << RV_I_RULE);
		if (take_int(line, v, &x)) {
			r->num[RV_I_RULE] = x;
			r->has |= 1u << RV_I_RULE;
		}
		break;
	case F_V:
		r->version = take_int(line, v, &x) ? x : -1;
		break;
	}
}

/* Every top-level key, in order: a key given twice counts as its last value, as in json-c. */
static void take_fields(struct rv_parser *p, struct rv_rec *r, const char *line, int n)
{
	unsigned int pos = 0;

	for (int i = 1; i < n; i++)
		if (p->tok[i].parent == 0)
			take_field(p, r, line, i, n, pos++);
}

static int fill(struct rv_rec *r, enum rv_bad *why)
{
	if (r->version != RV_SCHEMA_VERSION) {
		*why = RV_BAD_VERSION;
		return -EINVAL;
	}
	if (!r->time_str || !r->event_name ||
	    rv_time_parse_rfc3339(r->time_str, strlen(r->time_str), &r->time)) {
		*why = RV_BAD_RECORD;
		return -EINVAL;
	}
	r->event = rv_event_from(r->event_name);
	if (r->action_name)
		r->action = !strcmp(r->action_name, "deny")  ? RV_ACT_DENY :
			    !strcmp(r->action_name, "audit") ? RV_ACT_AUDIT :
							       RV_ACT_NONE;
	return 0;
}

static int reserve_arena(struct rv_parser *p, size_t len)
{
	size_t need = len + len / 2 + 64; /* every string unescaped, plus its NUL */

	p->used = 0;
	if (need <= p->cap)
		return 0;
	free(p->arena);
	p->arena = malloc(need);
	p->cap = p->arena ? need : 0;
	return p->arena ? 0 : -ENOMEM;
}

int rv_rec_parse(struct rv_parser *p, const char *line, size_t len, bool last_no_nl,
		 struct rv_rec *rec, enum rv_bad *why)
{
	int n;

	memset(rec, 0, sizeof(*rec));
	rec->line = line;
	rec->len = len;
	rec->version = -1;
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--; /* CRLF files, trailing blanks */
	n = len <= RV_LINE_MAX ? tokenize(p, line, len) : JSMN_ERROR_INVAL;
	if (n < 1 || p->tok[0].type != JSMN_OBJECT || (size_t)p->tok[0].end != len ||
	    !structure_ok(line, p->tok, n)) {
		*why = last_no_nl ? RV_BAD_TRUNCATED : RV_BAD_JSON;
		return -EINVAL;
	}
	if (reserve_arena(p, len)) {
		*why = RV_BAD_LONG;
		return -ENOMEM;
	}
	take_fields(p, rec, line, n);
	return fill(rec, why);
}

int64_t rv_rec_count(const struct rv_rec *r)
{
	if (rv_has(r, RV_I_COUNT) && r->num[RV_I_COUNT] >= 0)
		return r->num[RV_I_COUNT];
	return 1;
}

void rv_bad_note(struct rv_bad_stats *st, enum rv_bad why, const char *file, uint64_t line)
{
	if (!rv_bad_total(st)) {
		snprintf(st->first_file, sizeof(st->first_file), "%s", file);
		st->first_line = line;
	}
	st->n[why]++;
}

uint64_t rv_bad_total(const struct rv_bad_stats *st)
{
	uint64_t n = 0;

	for (int i = 0; i < RV_BAD_MAX; i++)
		n += st->n[i];
	return n;
}

void rv_bad_report(const struct rv_bad_stats *st, const char *prog)
{
	static const char *const what[RV_BAD_MAX] = {
		[RV_BAD_JSON] = "not JSON",
		[RV_BAD_VERSION] = "schema version other than 1",
		[RV_BAD_RECORD] = "without a valid time or event",
		[RV_BAD_TRUNCATED] = "cut short at the end of a file",
		[RV_BAD_LONG] = "over 1 MiB long",
	};
	const char *sep = "";
	uint64_t total = rv_bad_total(st);

	if (!total)
		return;
	fprintf(stderr, "%s: skipped %llu line%s (", prog, (unsigned long long)total,
		total == 1 ? "" : "s");
	for (int i = 0; i < RV_BAD_MAX; i++) {
		if (!st->n[i])
			continue;
		fprintf(stderr, "%s%llu %s", sep, (unsigned long long)st->n[i], what[i]);
		sep = ", ";
	}
	fprintf(stderr, "); the first at %s:%llu\n", st->first_file,
		(unsigned long long)st->first_line);
}
