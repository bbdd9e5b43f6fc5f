// SPDX-License-Identifier: GPL-2.0-only
/*
 * The human table of `palisade logs`. Rows stream out one by one, so the
 * column widths come from the output width, not from the data: fixed
 * columns first, the rest shared out, and the last column (the target)
 * keeps its end when cut, where the file name is.
 */
#include <string.h>

#include "review/review.h"

#define SEP 2
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_LOSS "\033[1;35m"
#define C_CYAN "\033[36m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

enum col { COL_TIME, COL_ACTION, COL_OP, COL_PROC, COL_POLICY, COL_CGROUP, COL_TARGET, NCOL };

static const char *const heads[NCOL] = {"TIME (UTC)",  "ACTION", "OP",	  "PROCESS[PID]",
					"POLICY#RULE", "CGROUP", "TARGET"};
/* TIME, ACTION and OP always have their width; the others get up to pref_w, at least min_w */
static const size_t fixed_w[NCOL] = {20, 6, 8, 0, 0, 0, 0};
static const size_t pref_w[NCOL] = {0, 0, 0, 18, 22, 32, 0};
static const size_t min_w[NCOL] = {0, 0, 0, 10, 10, 12, 20};
#define CGROUP_MIN_WIDTH 140 /* narrower outputs leave the cgroup column out */

static bool shown(size_t width, int c)
{
	return c != COL_CGROUP || !width || width >= CGROUP_MIN_WIDTH;
}

/* Fit the shown middle columns into room: their preferred widths, or a share of room. */
static void shrink_middle(size_t room, size_t w[NCOL])
{
	size_t want = 0, seps = 0;

	for (int c = COL_PROC; c < COL_TARGET; c++) {
		if (w[c]) {
			want += w[c];
			seps += SEP;
		}
	}
	if (room >= want + seps)
		return;
	room = room > seps ? room - seps : 0;
	for (int c = COL_PROC; c < COL_TARGET; c++) {
		if (!w[c])
			continue;
		w[c] = w[c] * room / want;
		if (w[c] < min_w[c])
			w[c] = min_w[c];
	}
}

/*
 * w[c] is 0 for a hidden column. Without a width every column has its
 * preferred width (nothing is cut). With one, the middle columns take what
 * they prefer as long as the target keeps min_w, and the target the rest.
 */
static void layout(size_t width, size_t w[NCOL])
{
	size_t rest = width;

	for (int c = 0; c < NCOL; c++) {
		w[c] = shown(width, c) ? (fixed_w[c] ? fixed_w[c] : pref_w[c]) : 0;
		if (width && c < COL_PROC)
			rest = rest > w[c] + SEP ? rest - w[c] - SEP : 0;
	}
	if (!width)
		return;
	shrink_middle(rest > min_w[COL_TARGET] ? rest - min_w[COL_TARGET] : 0, w);
	for (int c = COL_PROC; c < COL_TARGET; c++)
		rest = rest > w[c] + SEP && w[c] ? rest - w[c] - SEP : w[c] ? 0 : rest;
	w[COL_TARGET] = rest > min_w[COL_TARGET] ? rest : min_w[COL_TARGET];
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
		err = rv_buf_printf(t, "%s%s%s%s", r->path ? r->path : "", r->path2 ? " -> " : "",
				    r->path2 ? r->path2 : "", r->unresolved ? " (unresolved)" : "");
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

/* ACTION says what a record is: deny, audit, or the kind of a non-decision record. */
static const char *action_word(const struct rv_rec *r)
{
	switch (r->event) {
	case RV_EV_LOST:
		return "LOST";
	case RV_EV_SUPPRESSED:
		return "SUPPR";
	case RV_EV_POLICY:
		return "policy";
	case RV_EV_AGENT:
		return "agent";
	default:
		return r->action_name ? r->action_name : "-";
	}
}

static int process_cell(const struct rv_rec *r, struct rv_buf *t)
{
	const char *name = r->comm ? r->comm : r->exe ? r->exe : "-";

	if (!rv_has(r, RV_I_PID))
		return rv_buf_printf(t, "%s", r->comm || r->exe ? name : "-");
	return rv_buf_printf(t, "%s[%lld]", name, (long long)r->num[RV_I_PID]);
}

/* Fill cells[c] with the unescaped text of each column. */
static int cells(const struct rv_rec *r, struct rv_buf cell[NCOL])
{
	char ts[32];
	int err;

	rv_time_format(r->time, 0, ts, sizeof(ts));
	err = rv_buf_printf(&cell[COL_TIME], "%s", ts);
	err = err ?: rv_buf_printf(&cell[COL_ACTION], "%s", action_word(r));
	err = err ?: rv_buf_printf(&cell[COL_OP], "%s", r->op ? r->op : "-");
	err = err ?: process_cell(r, &cell[COL_PROC]);
	err = err ?: policy_cell(r, &cell[COL_POLICY]);
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

static void put_cell(struct rv_table *t, int c, const char *s, const size_t w[NCOL],
		     const char *color, struct rv_buf *out)
{
	bool last = c == COL_TARGET;
	size_t max = t->width ? w[c] : 0; /* no width: nothing is cut */
	/* paths: the end says the most; names and messages: the start */
	bool keep_end = (c == COL_CGROUP || last) && !(last && t->message_row);
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
