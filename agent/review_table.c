// SPDX-License-Identifier: GPL-2.0-only
/*
 * The human table of `palisade logs`. Rows stream out one by one, so the
 * column widths come from the output width, not from the data: fixed
 * columns first, the rest shared out, and the last column (the target)
 * keeps its end when cut, where the file name is.
 */
#include <string.h>

#include "agent/review.h"

#define SEP 2
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_LOSS "\033[1;35m"
#define C_CYAN "\033[36m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

enum col {
	COL_TIME,
	COL_ACTION,
	COL_OP,
	COL_PID,
	COL_POLICY,
	COL_PROC,
	COL_CGROUP,
	COL_TARGET,
	NCOL
};

static const char *const heads[NCOL] = {"TIME (UTC)",  "ACTION",  "OP",	    "PID",
					"POLICY#RULE", "PROCESS", "CGROUP", "TARGET"};
static const size_t fixed_w[NCOL] = {20, 6, 10, 7, 0, 0, 0, 0};
/* width when the output width is unknown, and shares of the rest when it is */
static const size_t pref_w[NCOL] = {0, 0, 0, 0, 24, 28, 32, 0};
static const size_t share[NCOL] = {0, 0, 0, 0, 3, 3, 3, 5};
#define MIN_W 6
#define CGROUP_MIN_WIDTH 120 /* narrower outputs leave the cgroup column out */

static bool shown(size_t width, int c)
{
	return c != COL_CGROUP || !width || width >= CGROUP_MIN_WIDTH;
}

/* w[c] is 0 for a hidden column. */
static void layout(size_t width, size_t w[NCOL])
{
	size_t fixed = 0, rest, shares = 0;

	for (int c = 0; c < NCOL; c++) {
		w[c] = 0;
		if (!shown(width, c))
			continue;
		w[c] = fixed_w[c] ? fixed_w[c] : pref_w[c];
		fixed += fixed_w[c] + SEP;
		shares += share[c];
	}
	if (!width)
		return;
	rest = width > fixed - SEP ? width - (fixed - SEP) : 0;
	for (int c = COL_POLICY; c < NCOL; c++) {
		if (!shown(width, c))
			continue;
		w[c] = rest * share[c] / shares;
		if (w[c] < MIN_W)
			w[c] = MIN_W;
	}
}

static const char *action_color(const struct rv_rec *r)
{
	if (r->event == RV_EV_LOST || r->event == RV_EV_SUPPRESSED)
		return C_LOSS;
	if (r->event == RV_EV_POLICY || r->event == RV_EV_AGENT)
		return C_CYAN;
	return r->action == RV_ACT_DENY ? C_RED : r->action == RV_ACT_AUDIT ? C_YELLOW : NULL;
}

static int net_target(const struct rv_rec *r, struct rv_buf *t)
{
	const char *proto = r->protocol ? r->protocol : r->family ? r->family : "";
	bool v6 = r->daddr && strchr(r->daddr, ':');

	if (!r->daddr && !rv_has(r, RV_I_DPORT)) /* socket creation */
		return rv_buf_printf(t, "%s socket%s%s", r->family ? r->family : "?",
				     r->protocol && strcmp(r->protocol, "0") ? " " : "",
				     r->protocol && strcmp(r->protocol, "0") ? r->protocol : "");
	return rv_buf_printf(t, "%s %s%s%s:%lld", proto, v6 ? "[" : "", r->daddr ? r->daddr : "*",
			     v6 ? "]" : "", (long long)r->num[RV_I_DPORT]);
}

static int counted_target(const struct rv_rec *r, struct rv_buf *t)
{
	return rv_buf_printf(t, "%lld events %s", (long long)rv_rec_count(r),
			     r->event == RV_EV_LOST ? "lost" : "suppressed");
}

/* What the record is about, as one string (not yet escaped). */
static int target(const struct rv_rec *r, struct rv_buf *t)
{
	int err = 0;

	switch (r->event) {
	case RV_EV_NETWORK:
		err = net_target(r, t);
		break;
	case RV_EV_DEVICE:
		err = rv_buf_printf(t, "%s %lld:%lld", r->dev_type ? r->dev_type : "?",
				    (long long)r->num[RV_I_MAJOR], (long long)r->num[RV_I_MINOR]);
		break;
	case RV_EV_LOST:
	case RV_EV_SUPPRESSED:
		return counted_target(r, t);
	case RV_EV_POLICY:
	case RV_EV_AGENT:
		err = rv_buf_printf(t, "%s", r->message ? r->message : "");
		break;
	default:
		err = rv_buf_printf(t, "%s%s%s%s", r->unresolved ? "(unresolved) " : "",
				    r->path ? r->path : "", r->path2 ? " -> " : "",
				    r->path2 ? r->path2 : "");
	}
	if (!err && rv_has(r, RV_I_COUNT) && rv_rec_count(r) > 1)
		err = rv_buf_printf(t, " (x%lld)", (long long)rv_rec_count(r));
	return err;
}

static int policy_cell(const struct rv_rec *r, struct rv_buf *t)
{
	if (!r->policy)
		return rv_buf_put(t, "-", 1);
	if (rv_has(r, RV_I_RULE))
		return rv_buf_printf(t, "%s#%lld", r->policy, (long long)r->num[RV_I_RULE]);
	return rv_buf_printf(t, "%s#%s", r->policy, r->rule_null ? "default" : "?");
}

/* Fill cells[c] with the unescaped text of each column. */
static int cells(const struct rv_rec *r, struct rv_buf cell[NCOL])
{
	char ts[32];
	int err;

	rv_time_format(r->time, 0, ts, sizeof(ts));
	err = rv_buf_printf(&cell[COL_TIME], "%s", ts);
	err = err ?: rv_buf_printf(&cell[COL_ACTION], "%s", r->action_name ? r->action_name : "-");
	err = err ?: rv_buf_printf(&cell[COL_OP], "%s", r->op ? r->op : r->event_name);
	if (rv_has(r, RV_I_PID))
		err = err ?: rv_buf_printf(&cell[COL_PID], "%lld", (long long)r->num[RV_I_PID]);
	else
		err = err ?: rv_buf_put(&cell[COL_PID], "-", 1);
	err = err ?: policy_cell(r, &cell[COL_POLICY]);
	err = err   ?:
		      rv_buf_printf(&cell[COL_PROC], "%s",
				    r->exe  ? r->exe :
				    r->comm ? r->comm :
					      "-");
	err = err ?: rv_buf_printf(&cell[COL_CGROUP], "%s", r->cgroup ? r->cgroup : "-");
	return err ?: target(r, &cell[COL_TARGET]);
}

static int header(const struct rv_table *t, const size_t w[NCOL], struct rv_buf *out)
{
	for (int c = 0; c < NCOL; c++) {
		size_t n;

		if (!w[c] && c != COL_TARGET)
			continue;
		if (t->color && c == 0)
			rv_buf_put(out, C_BOLD, strlen(C_BOLD));
		n = rv_term_put(out, heads[c], c == COL_TARGET ? 0 : w[c], false);
		if (c != COL_TARGET)
			rv_buf_pad(out, w[c] - (n < w[c] ? n : w[c]) + SEP);
	}
	if (t->color)
		rv_buf_put(out, C_OFF, strlen(C_OFF));
	return rv_buf_put(out, "\n", 1);
}

/* The last column gets what is left of the width, or everything without one. */
static size_t last_width(const struct rv_table *t, const size_t w[NCOL])
{
	size_t used = 0;

	if (!t->width)
		return 0;
	for (int c = 0; c < COL_TARGET; c++)
		used += w[c] ? w[c] + SEP : 0;
	return t->width > used + MIN_W ? t->width - used : MIN_W;
}

static void put_cell(struct rv_table *t, int c, const char *s, const size_t w[NCOL],
		     const char *color, struct rv_buf *out)
{
	bool last = c == COL_TARGET;
	size_t max = last ? last_width(t, w) : t->width ? w[c] : 0;
	/* paths: the end says the most; messages: the start */
	bool keep_end = c >= COL_PROC && !(last && t->message_row);
	size_t n;

	if (color)
		rv_buf_put(out, color, strlen(color));
	n = rv_term_put(out, s, max, keep_end);
	if (color)
		rv_buf_put(out, C_OFF, strlen(C_OFF));
	if (!last)
		rv_buf_pad(out, (n < w[c] ? w[c] - n : 0) + SEP);
}

int rv_table_header(const struct rv_table *t, struct rv_buf *out)
{
	size_t w[NCOL];

	layout(t->width, w);
	return header(t, w, out);
}

int rv_table_row(struct rv_table *t, const struct rv_rec *r, struct rv_buf *out)
{
	struct rv_buf cell[NCOL] = {0};
	size_t w[NCOL];
	const char *color = t->color ? action_color(r) : NULL;
	bool loss = r->event == RV_EV_LOST || r->event == RV_EV_SUPPRESSED;
	int err;

	layout(t->width, w);
	t->message_row = r->event == RV_EV_POLICY || r->event == RV_EV_AGENT;
	if (!t->header_done) {
		t->header_done = true;
		header(t, w, out);
	}
	err = cells(r, cell);
	for (int c = 0; !err && c < NCOL; c++)
		if (w[c] || c == COL_TARGET)
			put_cell(t, c, cell[c].p ? cell[c].p : "", w,
				 (c == COL_ACTION || (loss && c == COL_TARGET)) ? color : NULL,
				 out);
	for (int c = 0; c < NCOL; c++)
		rv_buf_free(&cell[c]);
	return err ?: rv_buf_put(out, "\n", 1);
}
