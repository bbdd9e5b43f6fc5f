// SPDX-License-Identifier: GPL-2.0-only
/*
 * libyaml events into a small tree with line:column marks. Strict: aliases,
 * anchors and tags are rejected (which also closes alias bombs), and the
 * nesting depth is bounded by what the schema uses, so no input can make
 * the tree deep or the walk super-linear.
 */
#include <errno.h>
#include <string.h>
#include <yaml.h>

#include "policies/policy_int.h"

struct builder {
	struct pal_parse *p;
	struct pal_node *stack[PAL_POLICY_NEST_MAX + 1];
	int depth;
	struct pal_node *root;
	yaml_mark_t doc_mark; /* where the current document starts */
};

static unsigned int mline(const yaml_mark_t *m)
{
	return (unsigned int)m->line + 1;
}

static unsigned int mcol(const yaml_mark_t *m)
{
	return (unsigned int)m->column + 1;
}

/* Byte at (line, col), or -1: used to recognise tab problems. */
static int byte_at(struct pal_parse *p, unsigned int line, unsigned int col)
{
	size_t i;
	unsigned int c = 1;

	if (!p->line_off) {
		unsigned int l, cc;

		pal_diag_pos(p, 0, &l, &cc); /* builds the line table */
	}
	if (!p->line_off || !line || line > p->nlines)
		return -1;
	for (i = p->line_off[line - 1]; i < p->len; i++) {
		if (((unsigned char)p->buf[i] & 0xc0) == 0x80)
			continue;
		if (c++ == col)
			return (unsigned char)p->buf[i];
	}
	return -1;
}

/* An unquoted glob such as [0-9]* reads as YAML flow syntax and an alias. */
static void alias_error(struct pal_parse *p, const yaml_parser_t *yp)
{
	unsigned int line = mline(&yp->context_mark), col = mcol(&yp->context_mark);
	int c = byte_at(p, line, col);

	pal_diag_at(p, PAL_SEV_ERROR, line, col,
		    "invalid YAML: an unquoted '%c' starts a YAML %s here; quote values that "
		    "hold '*', '&', '[', ']', '{', '}' or ',', e.g. [\"/srv/[0-9]*\"]",
		    c == '&' ? '&' : '*', c == '&' ? "anchor" : "alias");
}

static void yaml_error(struct pal_parse *p, const yaml_parser_t *yp)
{
	unsigned int line, col;

	if (yp->error == YAML_READER_ERROR) {
		pal_diag_pos(p, yp->problem_offset, &line, &col);
		pal_diag_at(p, PAL_SEV_ERROR, line, col, "invalid YAML: %s", yp->problem);
		return;
	}
	line = mline(&yp->problem_mark);
	col = mcol(&yp->problem_mark);
	if (byte_at(p, line, col) == '\t' || (yp->problem && strstr(yp->problem, "tab"))) {
		pal_diag_at(p, PAL_SEV_ERROR, line, col,
			    "invalid YAML: tab character; indent with spaces");
		return;
	}
	if (yp->context && (strstr(yp->context, "alias") || strstr(yp->context, "anchor"))) {
		alias_error(p, yp);
		return;
	}
	if (yp->context)
		pal_diag_at(p, PAL_SEV_ERROR, line, col,
			    "invalid YAML: %s %s (started at line %u, column %u)",
			    yp->problem ? yp->problem : "error", yp->context,
			    mline(&yp->context_mark), mcol(&yp->context_mark));
	else
		pal_diag_at(p, PAL_SEV_ERROR, line, col, "invalid YAML: %s",
			    yp->problem ? yp->problem : "error");
}

static int reject_props(struct pal_parse *p, const yaml_event_t *ev, const yaml_char_t *anchor,
			const yaml_char_t *tag)
{
	const char *s;

	if (anchor) {
		s = (const char *)anchor;
		pal_diag_at(p, PAL_SEV_ERROR, mline(&ev->start_mark), mcol(&ev->start_mark),
			    "YAML anchor '&%s' is not allowed: anchors and aliases are rejected",
			    pal_q(p, s, strlen(s)));
		return -EINVAL;
	}
	if (tag) {
		s = (const char *)tag;
		pal_diag_at(p, PAL_SEV_ERROR, mline(&ev->start_mark), mcol(&ev->start_mark),
			    "YAML tag '%s' is not allowed", pal_q(p, s, strlen(s)));
		return -EINVAL;
	}
	return 0;
}

static struct pal_node *node_new(struct builder *b, const yaml_event_t *ev, int type)
{
	struct pal_node *n = pal_arena_alloc(&b->p->tree, sizeof(*n));
	struct pal_node *parent = b->depth ? b->stack[b->depth - 1] : NULL;

	if (!n)
		return NULL;
	n->type = (uint8_t)type;
	n->line = mline(&ev->start_mark);
	n->col = mcol(&ev->start_mark);
	if (!parent) {
		b->root = n;
		return n;
	}
	if (parent->last)
		parent->last->next = n;
	else
		parent->kids = n;
	parent->last = n;
	parent->n++;
	return n;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct pal_node *n;
	int err = reject_props(b->p, ev, ev->data.scalar.anchor, ev->data.scalar.tag);

	if (err)
		return err;
	n = node_new(b, ev, PAL_N_SCALAR);
	if (!n)
		return -ENOMEM;
	n->len = ev->data.scalar.length;
	n->str = pal_arena_strndup(&b->p->tree, (const char *)ev->data.scalar.value, n->len);
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (n == b->root && n->plain && !n->len) { /* empty document: point at its start */
		n->line = mline(&b->doc_mark);
		n->col = mcol(&b->doc_mark);
	}
	return n->str ? 0 : -ENOMEM;
}

static int on_start(struct builder *b, const yaml_event_t *ev, int type, const yaml_char_t *anchor,
		    const yaml_char_t *tag)
{
	struct pal_node *n;
	int err = reject_props(b->p, ev, anchor, tag);

	if (err)
		return err;
	if (b->depth >= PAL_POLICY_NEST_MAX) {
		pal_diag_at(
			b->p, PAL_SEV_ERROR, mline(&ev->start_mark), mcol(&ev->start_mark),
			"nesting deeper than the schema allows (PAL_POLICY_NEST_MAX = %d levels)",
			PAL_POLICY_NEST_MAX);
		return -EINVAL;
	}
	n = node_new(b, ev, type);
	if (!n)
		return -ENOMEM;
	b->stack[b->depth++] = n;
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	const char *s;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		b->depth = 0;
		b->root = NULL;
		b->doc_mark = ev->start_mark;
		return 0;
	case YAML_ALIAS_EVENT:
		s = (const char *)ev->data.alias.anchor;
		pal_diag_at(b->p, PAL_SEV_ERROR, mline(&ev->start_mark), mcol(&ev->start_mark),
			    "YAML alias '*%s' is not allowed: anchors and aliases are rejected",
			    pal_q(b->p, s, strlen(s)));
		return -EINVAL;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, PAL_N_SEQ, ev->data.sequence_start.anchor,
				ev->data.sequence_start.tag);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev, PAL_N_MAP, ev->data.mapping_start.anchor,
				ev->data.mapping_start.tag);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
}

int pal_yaml_parse(struct pal_parse *p, int (*doc)(struct pal_parse *p, struct pal_node *root))
{
	struct builder b = {.p = p};
	yaml_parser_t yp;
	yaml_event_t ev;
	unsigned int ndocs = 0;
	int err = 0;

	if (!yaml_parser_initialize(&yp))
		return -ENOMEM;
	yaml_parser_set_input_string(&yp, (const unsigned char *)p->buf, p->len);
	for (;;) {
		yaml_event_type_t type;

		if (!yaml_parser_parse(&yp, &ev)) {
			if (yp.error == YAML_MEMORY_ERROR)
				err = -ENOMEM;
			else
				yaml_error(p, &yp);
			err = err ? err : -EINVAL;
			break;
		}
		type = ev.type;
		err = on_event(&b, &ev);
		yaml_event_delete(&ev);
		if (!err && type == YAML_DOCUMENT_END_EVENT) {
			ndocs++;
			err = b.root ? doc(p, b.root) : 0;
			pal_arena_free(&p->tree); /* documents are independent */
			b.root = NULL;
		}
		if (err || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&yp);
	pal_arena_free(&p->tree);
	if (!err && !ndocs) {
		pal_diag_at(p, PAL_SEV_ERROR, 1, 1, "empty file: no policy document");
		err = -EINVAL;
	}
	return err;
}
