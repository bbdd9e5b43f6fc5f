// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading audit logs: plain files, gzip files (zlib, chosen by the magic
 * bytes, so "audit.log.2.gz" and a renamed one both work), stdin, and
 * following a live file across rotation. Lines are cut out of one fixed
 * buffer, so memory stays constant whatever the file size.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "review/review.h"

#define BUF_CAP (2 * RV_LINE_MAX)

struct rv_reader {
	char *name;
	int fd;
	gzFile gz; /* NULL for plain files */
	char *buf;
	char *spare; /* rv_reader_block(): the other buffer, holding the block handed out last */
	size_t start, end; /* unread bytes are buf[start, end) */
	bool eof;
	bool follow; /* end of data is "nothing yet", not the end */
	bool skipping; /* inside an over-long line: drop bytes until '\n' */
	uint64_t lineno;
};

static bool is_gzip(int fd)
{
	unsigned char m[2];

	return pread(fd, m, 2, 0) == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

static int reader_new(const char *name, int fd, bool gz, struct rv_reader **out)
{
	struct rv_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->name = strdup(name);
	r->buf = malloc(BUF_CAP);
	if (gz) {
		r->gz = gzdopen(fd, "rb");
		if (r->gz)
			gzbuffer(r->gz, 1u << 18);
	}
	if (!r->name || !r->buf || (gz && !r->gz)) {
		free(r->name);
		free(r->buf);
		free(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
}

int rv_reader_open(const char *path, struct rv_reader **out)
{
	bool std = !strcmp(path, "-");
	int fd = std ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	/* stdin may be a pipe: let zlib look at it, it passes plain text through */
	r = reader_new(std ? "(stdin)" : path, fd, std || is_gzip(fd), out);
	if (r)
		close(fd);
	else if (!std)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return r;
}

/* Fill the buffer after buf[end]. Returns bytes read, 0 at end, or -errno. */
static ssize_t fill(struct rv_reader *r)
{
	size_t room = BUF_CAP - r->end;
	ssize_t n;

	if (r->gz) {
		int errnum;

		n = gzread(r->gz, r->buf + r->end, room > INT_MAX ? INT_MAX : (unsigned int)room);
		if (n < 0 || (n == 0 && (gzerror(r->gz, &errnum), errnum != Z_OK)))
			return -EIO;
		return n;
	}
	do
		n = read(r->fd, r->buf + r->end, room);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* Make room: drop consumed bytes, or an over-long partial line. */
static void compact(struct rv_reader *r)
{
	if (r->end - r->start >= RV_LINE_MAX) {
		r->skipping = true;
		r->start = r->end = 0;
		return;
	}
	memmove(r->buf, r->buf + r->start, r->end - r->start);
	r->end -= r->start;
	r->start = 0;
}

/* Hand out buf[start, stop) as a line, or as an over-long marker. */
static int emit(struct rv_reader *r, size_t stop, size_t next, const char **line, size_t *len,
		bool *too_long)
{
	*line = r->buf + r->start;
	*len = stop - r->start;
	*too_long = r->skipping || *len > RV_LINE_MAX;
	if (*too_long)
		*len = 0;
	r->skipping = false;
	r->start = next;
	r->lineno++;
	return 1;
}

int rv_reader_next(struct rv_reader *r, const char **line, size_t *len, bool *no_nl, bool *too_long)
{
	*no_nl = false;
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		ssize_t n;

		if (nl)
			return emit(r, nl - r->buf, nl - r->buf + 1, line, len, too_long);
		if (r->eof) {
			if (r->start == r->end && !r->skipping)
				return 0;
			*no_nl = true;
			return emit(r, r->end, r->end, line, len, too_long);
		}
		compact(r);
		n = fill(r);
		if (n < 0)
			return (int)n;
		if (n == 0 && r->follow)
			return 0; /* keep the partial line: the writer may finish it */
		if (n == 0)
			r->eof = true;
		r->end += n;
	}
}

/*
 * Make room as compact() does, in the other buffer: the block handed out
 * last stays readable while the next one is read. Once per call.
 */
static int compact_other(struct rv_reader *r)
{
	size_t n = r->end - r->start;
	char *t;

	if (!r->spare && !(r->spare = malloc(BUF_CAP)))
		return -ENOMEM;
	if (n >= RV_LINE_MAX) {
		r->skipping = true;
		n = 0;
	} else {
		memcpy(r->spare, r->buf + r->start, n);
	}
	t = r->buf;
	r->buf = r->spare;
	r->spare = t;
	r->start = 0;
	r->end = n;
	return 0;
}

/* Drop the rest of an over-long line. Returns true when its end was found. */
static bool skip_long(struct rv_reader *r, unsigned int *dropped)
{
	char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);

	if (!nl) {
		r->start = r->end;
		return false;
	}
	r->start = nl - r->buf + 1;
	r->skipping = false;
	(*dropped)++;
	return true;
}

int rv_reader_block(struct rv_reader *r, const char **p, size_t *len, bool *no_nl,
		    unsigned int *dropped)
{
	bool swapped = false;

	*no_nl = false;
	*dropped = 0;
	for (;;) {
		char *nl;
		ssize_t n;

		if (r->skipping && !skip_long(r, dropped) && r->eof) {
			r->skipping = false;
			(*dropped)++; /* an over-long last line */
			return 0;
		}
		nl = r->skipping ? NULL : memrchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl || (r->eof && r->start < r->end)) {
			size_t stop = nl ? (size_t)(nl - r->buf) + 1 : r->end;

			*p = r->buf + r->start;
			*len = stop - r->start;
			*no_nl = !nl;
			r->start = stop;
			return 1;
		}
		if (r->eof)
			return 0;
		if (swapped) {
			compact(r);
		} else if (compact_other(r)) {
			return -ENOMEM;
		}
		swapped = true;
		n = fill(r);
		if (n < 0)
			return (int)n;
		if (n == 0)
			r->eof = true;
		r->end += n;
	}
}

uint64_t rv_reader_lineno(const struct rv_reader *r)
{
	return r->lineno;
}

const char *rv_reader_name(const struct rv_reader *r)
{
	return r->name;
}

void rv_reader_close(struct rv_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz); /* closes fd */
	else
		close(r->fd);
	free(r->buf);
	free(r->spare);
	free(r->name);
	free(r);
}

const char *rv_default_log(void)
{
	const char *env = getenv("PALISADE_LOG");

	return env && *env ? env : RV_DEFAULT_LOG;
}

/* "audit.log.3.gz" -> base length 9, generation 3; "audit.log" -> 9, 0. */
static size_t rotation_base(const char *p, unsigned long *gen)
{
	size_t len = strlen(p), end = len, d;

	*gen = 0;
	if (end > 3 && !strcmp(p + end - 3, ".gz"))
		end -= 3;
	d = end;
	while (d > 0 && p[d - 1] >= '0' && p[d - 1] <= '9')
		d--;
	if (d == end || d < 2 || p[d - 1] != '.' || end - d > 9)
		return len;
	*gen = strtoul(p + d, NULL, 10);
	return d - 1;
}

static bool same_base(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* Move the oldest remaining file of a's base group (from i on) to position i. */
static void pick_oldest(const char **p, size_t n, size_t i)
{
	unsigned long gi, gj;
	size_t bi = rotation_base(p[i], &gi), best = i;

	for (size_t j = i + 1; j < n; j++) {
		size_t bj = rotation_base(p[j], &gj);

		if (same_base(p[i], bi, p[j], bj) && gj > gi) {
			best = j;
			gi = gj;
		}
	}
	if (best != i) {
		const char *t = p[best];

		memmove(p + i + 1, p + i, (best - i) * sizeof(*p));
		p[i] = t;
	}
}

void rv_sort_inputs(const char **paths, size_t n)
{
	/* Quadratic, but n is a command line. Generation 0 (the live file) ends last. */
	for (size_t i = 0; i < n; i++)
		pick_oldest(paths, n, i);
}

/* ---- follow ----------------------------------------------------------- */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL); /* EINTR is fine: the caller looks at *stop */
}

/* Open path for following; ENOENT is normal between rename and re-create. */
static int follow_open(const char *path, struct rv_reader **r, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) || is_gzip(fd)) {
		err = is_gzip(fd) ? -EINVAL : -errno;
		close(fd);
		return err;
	}
	err = reader_new(path, fd, false, r);
	if (err) {
		close(fd);
		return err;
	}
	(*r)->follow = true;
	return 0;
}

/* Deliver every complete line available now. */
static int drain(struct rv_reader *r, rv_line_fn fn, void *ctx)
{
	const char *line;
	size_t len;
	bool no_nl, too_long;
	int n, err;

	while ((n = rv_reader_next(r, &line, &len, &no_nl, &too_long)) > 0) {
		if (too_long)
			continue;
		err = fn(line, len, ctx);
		if (err)
			return err;
	}
	return n;
}

/* A partial line left in a rotated-away file: hand it over, it fails to parse and is counted. */
static int flush_partial(struct rv_reader *r, rv_line_fn fn, void *ctx)
{
	int err = 0;

	if (r->end > r->start && !r->skipping)
		err = fn(r->buf + r->start, r->end - r->start, ctx);
	r->start = r->end = 0;
	return err;
}

enum rotation { ROT_NONE, ROT_RENAMED, ROT_TRUNCATED };

static enum rotation check_rotation(const char *path, const struct stat *cur, off_t pos)
{
	struct stat st;

	if (stat(path, &st))
		return ROT_NONE; /* gone: keep reading the old file until a new one appears */
	if (st.st_ino != cur->st_ino || st.st_dev != cur->st_dev)
		return ROT_RENAMED;
	if (st.st_size < pos)
		return ROT_TRUNCATED;
	return ROT_NONE;
}

/* The file was swapped: finish the old one, then read the new one from its start. */
static int follow_switch(const char *path, struct rv_reader **r, struct stat *st, rv_line_fn fn,
			 void *ctx)
{
	struct rv_reader *nr;
	struct stat nst;
	int err = drain(*r, fn, ctx);

	if (err)
		return err;
	err = flush_partial(*r, fn, ctx);
	if (err)
		return err;
	if (follow_open(path, &nr, &nst))
		return 0; /* raced with another rotation: try again next round */
	rv_reader_close(*r);
	*r = nr;
	*st = nst;
	return 0;
}

static int follow_round(const char *path, struct rv_reader **r, struct stat *st, rv_line_fn fn,
			void *ctx)
{
	int err = drain(*r, fn, ctx);
	off_t pos;

	if (err)
		return err;
	pos = lseek((*r)->fd, 0, SEEK_CUR);
	switch (check_rotation(path, st, pos)) {
	case ROT_RENAMED:
		return follow_switch(path, r, st, fn, ctx);
	case ROT_TRUNCATED:
		(*r)->start = (*r)->end = 0;
		(*r)->skipping = false;
		if (lseek((*r)->fd, 0, SEEK_SET) < 0)
			return -errno;
		return 0;
	case ROT_NONE:
		break;
	}
	return 0;
}

/* Start at the end of the file, but never in the middle of a line. */
static int seek_end(struct rv_reader *r)
{
	char c;
	off_t end = lseek(r->fd, 0, SEEK_END);

	if (end < 0)
		return -errno;
	if (end > 0 && pread(r->fd, &c, 1, end - 1) == 1 && c != '\n')
		r->skipping = true; /* drop the rest of the line being written */
	return 0;
}

int rv_follow(const char *path, const struct rv_follow_opts *o, rv_line_fn fn, void *ctx)
{
	struct rv_reader *r = NULL;
	struct stat st;
	bool existed = true; /* a file that appears later is all new: read it from its start */
	int err;

	while ((err = follow_open(path, &r, &st)) == -ENOENT && !*o->stop) {
		existed = false;
		sleep_ms(o->poll_ms);
	}
	if (err)
		return *o->stop ? 0 : err;
	if (existed && o->start_at_end && (err = seek_end(r)))
		goto out_close;
	while (!*o->stop) {
		err = follow_round(path, &r, &st, fn, ctx);
		if (err)
			goto out_close;
		if (!*o->stop)
			sleep_ms(o->poll_ms);
	}
	err = drain(r, fn, ctx); /* what arrived before the signal */
out_close:
	rv_reader_close(r);
	return err < 0 ? err : 0;
}
