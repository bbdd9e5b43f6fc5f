// SPDX-License-Identifier: GPL-2.0-only
/*
 * One audit log line as a record (docs/audit-log.md). json-c does the
 * parsing; this file only checks the schema and picks the fields out in one
 * pass over the object's keys.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent/review.h"

enum field_kind { F_STR, F_INT, F_BOOL, F_ARRAY };

struct field {
	const char *name;
	unsigned short kind;
	unsigned short slot; /* F_STR: offset in struct rv_rec; F_INT: enum rv_int */
};

#define STR(name, member)                                    \
	{                                                    \
		name, F_STR, offsetof(struct rv_rec, member) \
	}

/* Sorted by name. "v" and "rule" are handled on their own. */
static const struct field fields[] = {
	{"access", F_ARRAY, 0},
	STR("action", action_name),
	STR("cgroup", cgroup),
	{"cgroup_id", F_INT, RV_I_CGROUP_ID},
	STR("comm", comm),
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
	{"major", F_INT, RV_I_MAJOR},
	STR("message", message),
	{"minor", F_INT, RV_I_MINOR},
	STR("mode", mode),
	STR("op", op),
	STR("path", path),
	STR("path2", path2),
	{"pid", F_INT, RV_I_PID},
	STR("policy", policy),
	{"ppid", F_INT, RV_I_PPID},
	STR("protocol", protocol),
	STR("rule_src", rule_src),
	STR("time", time_str),
	{"uid", F_INT, RV_I_UID},
	{"unresolved", F_BOOL, 0},
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
static const struct field *find_field(const char *key)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].name[0] < key[0])
			continue;
		if (fields[i].name[0] > key[0])
			return NULL;
		if (!strcmp(fields[i].name, key))
			return &fields[i];
	}
	return NULL;
}

/* One key of the object. Fields of the wrong JSON type are treated as absent. */
static void take_field(struct rv_rec *r, const char *key, struct json_object *v)
{
	const struct field *f = find_field(key);
	enum json_type t = json_object_get_type(v);

	if (key[0] == 'r' && !strcmp(key, "rule")) {
		if (t == json_type_null) {
			r->rule_null = true;
		} else if (t == json_type_int) {
			r->num[RV_I_RULE] = json_object_get_int64(v);
			r->has |= 1u << RV_I_RULE;
		}
		return;
	}
	if (!f)
		return;
	if (f->kind == F_STR && t == json_type_string) {
		*(const char **)((char *)r + f->slot) = json_object_get_string(v);
	} else if (f->kind == F_INT && t == json_type_int) {
		r->num[f->slot] = json_object_get_int64(v);
		r->has |= 1u << f->slot;
	} else if (f->kind == F_BOOL && t == json_type_boolean) {
		r->unresolved = json_object_get_boolean(v);
	} else if (f->kind == F_ARRAY && t == json_type_array) {
		r->access = v;
	}
}

static int check_version(struct json_object *obj)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, "v", &v) || json_object_get_type(v) != json_type_int ||
	    json_object_get_int64(v) != RV_SCHEMA_VERSION)
		return -EINVAL;
	return 0;
}

/* Every field, or only those named in keys (json-c looks each one up). */
static void take_fields(struct rv_rec *r, const char *const *keys, size_t nkeys)
{
	struct json_object *val;

	if (!keys) {
		json_object_object_foreach(r->obj, key, v) {
			take_field(r, key, v);
		}
		return;
	}
	for (size_t i = 0; i < nkeys; i++)
		if (json_object_object_get_ex(r->obj, keys[i], &val))
			take_field(r, keys[i], val);
}

static int fill(struct rv_rec *r, const char *const *keys, size_t nkeys, enum rv_bad *why)
{
	if (check_version(r->obj)) {
		*why = RV_BAD_VERSION;
		return -EINVAL;
	}
	take_fields(r, keys, nkeys);
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

int rv_rec_parse(struct json_tokener *tok, const char *line, size_t len, bool last_no_nl,
		 struct rv_rec *rec, enum rv_bad *why)
{
	return rv_rec_parse_some(tok, line, len, last_no_nl, NULL, 0, rec, why);
}

int rv_rec_parse_some(struct json_tokener *tok, const char *line, size_t len, bool last_no_nl,
		      const char *const *keys, size_t nkeys, struct rv_rec *rec, enum rv_bad *why)
{
	struct json_object *obj;

	memset(rec, 0, sizeof(*rec));
	rec->line = line;
	rec->len = len;
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--; /* CRLF files, trailing blanks: json-c would stop before them */
	json_tokener_reset(tok);
	obj = json_tokener_parse_ex(tok, line, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		*why = last_no_nl ? RV_BAD_TRUNCATED : RV_BAD_JSON;
		return -EINVAL;
	}
	rec->obj = obj;
	if (fill(rec, keys, nkeys, why)) {
		rv_rec_release(rec);
		return -EINVAL;
	}
	return 0;
}

void rv_rec_release(struct rv_rec *rec)
{
	json_object_put(rec->obj);
	rec->obj = NULL;
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
