// SPDX-License-Identifier: GPL-2.0-only
/*
 * patdiff: differential test of file rule patterns through the real agent.
 *
 *   patdiff gen SEED SET ROOT NPATHS CGROUP POLICY LIST
 *     Writes POLICY: one to six `deny read` rules (`paths:` or `dirs:`
 *     patterns below ROOT) for CGROUP, chosen from SEED and SET. Creates
 *     up to NPATHS random files below ROOT (names over a hostile alphabet, 255-byte
 *     names, deep paths) and writes LIST: the rules as "# " lines, then one
 *     "D PATH" (the open must fail with EACCES) or "A PATH" (it must succeed)
 *     per path. Prints "set SET: rules K paths N deny D".
 *   patdiff check LIST
 *     Opens every path of LIST read-only and prints every mismatch (the
 *     rules, the path, expected and got). Exit 0 if none, 1 if any.
 *
 * The expectation comes from a matcher written here from the pattern
 * language of docs/policy.md alone (greedy with backtracking to the last
 * star, for names and for `**` over components), not from the compiler.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define MAX_RULES 6
#define MAX_COMPS 64 /* names of a pattern or a path */
#define MAX_PATH_DEPTH 60 /* components of a generated path, below PAL_MAX_DEPTH */
#define MAX_PATH_LEN 3800 /* bytes of a generated path, below PAL_PATH_MAX */
#define TEXT 8192

/* ---- the reference matcher ---------------------------------------------- */

enum tok_kind { T_BYTE, T_ANY, T_STAR, T_CLASS };

struct tok {
	enum tok_kind kind;
	unsigned char byte;
	bool set[256]; /* T_CLASS: the bytes it matches */
};

struct comp {
	bool dstar; /* the whole component is `**` */
	int ntok;
	struct tok *tok;
};

struct pat {
	int ncomp;
	struct comp comp[MAX_COMPS + 1]; /* + the `**` a dirs: rule implies */
};

static bool escapable(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

/* One character of a class at *p; a backslash takes the next one as is. */
static unsigned char class_char(const char **p)
{
	if (**p == '\\' && (*p)[1])
		(*p)++;
	return (unsigned char)*(*p)++;
}

static const char *parse_class(const char *p, struct tok *t)
{
	bool neg = p[1] == '!';

	t->kind = T_CLASS;
	memset(t->set, 0, sizeof(t->set));
	p += 1 + neg;
	while (*p != ']') {
		unsigned char lo = class_char(&p), hi = lo;

		if (p[0] == '-' && p[1] != ']') {
			p++;
			hi = class_char(&p);
		}
		for (unsigned int b = lo; b <= hi; b++)
			t->set[b] = true;
	}
	if (neg)
		for (int b = 0; b < 256; b++)
			t->set[b] = !t->set[b];
	return p + 1;
}

/* Component text s of n bytes (no '/') into tokens. */
static void parse_comp(const char *s, size_t n, struct comp *c)
{
	char buf[TEXT];
	const char *p = buf;

	memcpy(buf, s, n);
	buf[n] = 0;
	c->dstar = !strcmp(buf, "**");
	c->ntok = 0;
	c->tok = calloc(n + 1, sizeof(*c->tok)); /* a token takes a byte at least */
	if (!c->tok)
		exit(2);
	while (*p && !c->dstar) {
		struct tok *t = &c->tok[c->ntok++];

		if (*p == '\\' && escapable(p[1])) {
			*t = (struct tok){.kind = T_BYTE, .byte = (unsigned char)p[1]};
			p += 2;
		} else if (*p == '*' || *p == '?') {
			t->kind = *p++ == '*' ? T_STAR : T_ANY;
		} else if (*p == '[') {
			p = parse_class(p, t);
		} else {
			*t = (struct tok){.kind = T_BYTE, .byte = (unsigned char)*p++};
		}
	}
}

struct names {
	int n;
	const char *s[MAX_COMPS + 8];
	size_t len[MAX_COMPS + 8];
};

static void split_path(const char *path, struct names *nm)
{
	nm->n = 0;
	for (const char *s = path; *s;) {
		const char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		nm->s[nm->n] = s;
		nm->len[nm->n++] = (size_t)(e - s);
		s = e;
	}
}

static void parse_pat(const char *text, bool dirs, struct pat *pt)
{
	struct names nm;

	split_path(text, &nm);
	for (int i = 0; i < nm.n; i++)
		parse_comp(nm.s[i], nm.len[i], &pt->comp[i]);
	pt->ncomp = nm.n;
	if (dirs) /* the directories it names and everything below them */
		parse_comp("**", 2, &pt->comp[pt->ncomp++]);
}

static void free_pat(struct pat *pt)
{
	for (int i = 0; i < pt->ncomp; i++)
		free(pt->comp[i].tok);
}

static bool tok_one(const struct tok *t, unsigned char c)
{
	return t->kind == T_ANY || (t->kind == T_BYTE && t->byte == c) ||
	       (t->kind == T_CLASS && t->set[c]);
}

static bool name_match(const struct comp *c, const char *s, size_t n)
{
	int ti = 0, star = -1;
	size_t si = 0, mark = 0;

	while (si < n) {
		if (ti < c->ntok && c->tok[ti].kind == T_STAR) {
			star = ti++;
			mark = si;
		} else if (ti < c->ntok && tok_one(&c->tok[ti], (unsigned char)s[si])) {
			ti++;
			si++;
		} else if (star >= 0) {
			ti = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (ti < c->ntok && c->tok[ti].kind == T_STAR)
		ti++;
	return ti == c->ntok;
}

/* The same scheme one level up: `**` is the star, a component one name. */
static bool path_match(const struct pat *pt, const struct names *nm)
{
	int ci = 0, star = -1, ni = 0, mark = 0;

	while (ni < nm->n) {
		if (ci < pt->ncomp && pt->comp[ci].dstar) {
			star = ci++;
			mark = ni;
		} else if (ci < pt->ncomp && name_match(&pt->comp[ci], nm->s[ni], nm->len[ni])) {
			ci++;
			ni++;
		} else if (star >= 0) {
			ci = star + 1;
			ni = ++mark;
		} else {
			return false;
		}
	}
	while (ci < pt->ncomp && pt->comp[ci].dstar)
		ci++;
	return ci == pt->ncomp;
}

/* ---- the generator ------------------------------------------------------ */

static unsigned long long rng;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned int)((rng * 2685821657736338717ULL) >> 33) % n;
}

static const char hostile[] = "ab.*?[]\\-!x ";

static char any_char(void)
{
	return hostile[rnd(sizeof(hostile) - 1)];
}

/* Append literal byte c to pattern text: escaped, or a bare '\' when legal. */
static void put_lit(char *out, size_t *o, char c, char next)
{
	if (c == '\\' && next && !escapable(next) && rnd(2)) {
		out[(*o)++] = '\\'; /* a backslash before another character is itself */
	} else if (escapable(c) && !(c == ']' && rnd(2))) {
		out[(*o)++] = '\\';
		out[(*o)++] = c;
	} else {
		out[(*o)++] = c; /* ']' outside a class is itself */
	}
}

/* n literal bytes; what follows them is unknown: the last one is escaped */
static void put_lits(char *out, size_t *o, size_t n)
{
	char s[256];

	for (size_t i = 0; i < n; i++)
		s[i] = any_char();
	for (size_t i = 0; i < n; i++)
		put_lit(out, o, s[i], i + 1 < n ? s[i + 1] : 0);
}

/* Characters safe as class items and range ends: never '!', '-', ']', '\', '['. */
static const char cls_chars[] = "ab.*? xz09AZ";

static void put_class(char *out, size_t *o)
{
	int items = 1 + (int)rnd(3);

	out[(*o)++] = '[';
	if (!rnd(3))
		out[(*o)++] = '!';
	if (!rnd(5))
		out[(*o)++] = '-'; /* first: itself */
	for (int i = 0; i < items; i++) {
		char lo = cls_chars[rnd(sizeof(cls_chars) - 1)];

		if (!rnd(4)) { /* an escaped special */
			static const char esc[] = "]\\[*?";

			out[(*o)++] = '\\';
			out[(*o)++] = esc[rnd(sizeof(esc) - 1)];
		} else if (!rnd(3)) {
			char hi = cls_chars[rnd(sizeof(cls_chars) - 1)];

			out[(*o)++] = lo < hi ? lo : hi;
			out[(*o)++] = '-';
			out[(*o)++] = lo < hi ? hi : lo;
		} else {
			out[(*o)++] = lo;
		}
	}
	out[(*o)++] = ']';
}

/* A general glob: literals, '?', classes and '*' (never two stars in a row). */
static void put_glob(char *out, size_t *o)
{
	int n = 2 + (int)rnd(4), wild = 0;
	bool star = false;

	for (int i = 0; i < n; i++) {
		unsigned int k = wild < 4 ? rnd(5) : 4;

		if (k == 0 && !star) {
			out[(*o)++] = '*';
		} else if (k == 1) {
			out[(*o)++] = '?';
		} else if (k == 2) {
			put_class(out, o);
		} else {
			put_lits(out, o, 1);
			star = false;
			continue;
		}
		star = k == 0;
		wild++;
	}
}

static void put_comp(char *out, size_t *o, int *dstars)
{
	size_t start = *o;

	switch (rnd(12)) {
	case 0:
	case 1:
		put_lits(out, o, 1 + rnd(4));
		break;
	case 2:
		out[(*o)++] = '*';
		break;
	case 3:
		if (*dstars < 4) {
			out[(*o)++] = '*';
			out[(*o)++] = '*';
			++*dstars;
		} else {
			out[(*o)++] = '?';
		}
		break;
	case 4: /* a prefix, like python3* */
		put_lits(out, o, 1 + rnd(3));
		out[(*o)++] = '*';
		break;
	case 5: /* a suffix, like *.pem */
		out[(*o)++] = '*';
		put_lits(out, o, 1 + rnd(3));
		break;
	case 6:
		put_lits(out, o, 1 + rnd(2));
		out[(*o)++] = '*';
		put_lits(out, o, 1 + rnd(2));
		break;
	case 7:
	case 8:
	case 9:
		put_glob(out, o);
		break;
	case 10: /* a 255-byte literal name */
		for (int i = 0; i < 255; i++)
			out[(*o)++] = i % 50 == 7 ? '.' : 'L';
		break;
	default: /* a long prefix */
		for (int i = 0; i < 200; i++)
			out[(*o)++] = 'L';
		out[(*o)++] = '*';
	}
	if ((*o - start == 1 && out[start] == '.') ||
	    (*o - start == 2 && !memcmp(out + start, "..", 2))) {
		*o = start;
		out[(*o)++] = '?';
	}
}

struct rule {
	char text[TEXT];
	bool dirs;
	struct pat pat;
};

static void gen_rule(const char *root, struct rule *r)
{
	int deep = !rnd(8), n = deep ? 15 + (int)rnd(40) : 1 + (int)rnd(4), dstars = 0;
	size_t o = strlen(root);

	memcpy(r->text, root, o);
	for (int i = 0; i < n && o < 3000; i++) { /* PAL_PAT_TEXT_MAX is 4096 */
		r->text[o++] = '/';
		if (deep && rnd(3)) {
			r->text[o++] = 'd';
			continue;
		}
		size_t at = o;

		put_comp(r->text, &o, &dstars);
		if (i == 0 && r->text[at] == '*' && o - at <= 2) {
			o = at; /* not everything below the root */
			put_glob(r->text, &o);
		}
	}
	r->text[o] = 0;
	r->dirs = !rnd(4);
	parse_pat(r->text, r->dirs, &r->pat);
}

/* A random valid file name, short and hostile or long. */
static size_t rand_name(char *out)
{
	size_t n = rnd(10) ? 1 + rnd(5) : 200 + rnd(56);

	for (size_t i = 0; i < n; i++)
		out[i] = n > 5 ? (i % 40 == 3 ? '*' : 'L') : any_char();
	if ((n == 1 && out[0] == '.') || (n == 2 && out[0] == '.' && out[1] == '.'))
		out[0] = 'b';
	return n;
}

/* A byte a token matches, when the hostile alphabet has one. */
static char fill_tok(const struct tok *t)
{
	static const char pool[] = "ab.*?[]\\-!x zAZ09";

	if (t->kind == T_BYTE)
		return (char)t->byte;
	for (int i = 0; i < 30; i++) {
		char c = pool[rnd(sizeof(pool) - 1)];

		if (tok_one(t, (unsigned char)c))
			return c;
	}
	return any_char();
}

/* A name component c likely matches, or a random one. */
static size_t name_for(const struct comp *c, char *out)
{
	size_t n = 0;

	for (int i = 0; i < c->ntok && n < 255; i++) {
		if (c->tok[i].kind == T_STAR) {
			for (unsigned int k = rnd(4); k && n < 255; k--)
				out[n++] = any_char();
		} else {
			out[n++] = fill_tok(&c->tok[i]);
		}
	}
	if (!n || (n == 1 && out[0] == '.') || (n == 2 && out[0] == '.' && out[1] == '.'))
		return rand_name(out);
	return n;
}

static void put_name(char *path, size_t *o, const char *name, size_t n)
{
	path[(*o)++] = '/';
	memcpy(path + *o, name, n);
	*o += n;
}

/* A path from one of the rules, mutated at times, below root. */
static void gen_path(const char *root, const struct rule *rules, int nr, char *path)
{
	const struct pat *pt = &rules[rnd((unsigned int)nr)].pat;
	size_t o = strlen(root), n;
	struct names rn;
	char name[300];

	split_path(root, &rn);
	memcpy(path, root, o);
	for (int i = rn.n; i < pt->ncomp; i++) { /* the root's components are literal */
		if (pt->comp[i].dstar) {
			for (unsigned int k = rnd(4); k; k--) {
				n = rand_name(name);
				put_name(path, &o, name, n);
			}
			continue;
		}
		if (!rnd(15) && i + 1 < pt->ncomp && pt->ncomp > 2)
			continue; /* drop one */
		n = rnd(12) ? name_for(&pt->comp[i], name) : rand_name(name);
		put_name(path, &o, name, n);
	}
	for (unsigned int k = rnd(6) ? 0 : 1 + rnd(2); k; k--) {
		n = rand_name(name);
		put_name(path, &o, name, n);
	}
	if (o == strlen(root)) {
		n = rand_name(name);
		put_name(path, &o, name, n);
	}
	path[o] = 0;
}

/*
 * Create path as a new regular file (its parents as directories); false if
 * it cannot be, or exists already: every listed path is a distinct file, so
 * that each expected denial is one record (the rate limit is per file).
 */
static bool make_file(char *path)
{
	struct stat st;
	int fd;

	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(path, 0755) &&
		    (errno != EEXIST || stat(path, &st) || !S_ISDIR(st.st_mode))) {
			*s = '/';
			return false;
		}
		*s = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool usable(const char *path)
{
	struct names nm;

	split_path(path, &nm);
	return nm.n <= MAX_PATH_DEPTH && strlen(path) <= MAX_PATH_LEN;
}

static void write_policy(FILE *f, const char *cgroup, const struct rule *rules, int nr)
{
	fprintf(f,
		"apiVersion: palisade/v1\nkind: Policy\nname: patdiff\n"
		"target:\n  cgroups: ['%s']\nfiles:\n",
		cgroup);
	/* single-quoted YAML scalars keep every '\' as written */
	for (int i = 0; i < nr; i++)
		fprintf(f, "  - %s: ['%s']\n    access: [read]\n    action: deny\n",
			rules[i].dirs ? "dirs" : "paths", rules[i].text);
}

static int cmd_gen(char **argv)
{
	static struct rule rules[MAX_RULES];
	static char path[TEXT];
	const char *root = argv[2];
	unsigned long long seed = strtoull(argv[0], NULL, 0), set = strtoull(argv[1], NULL, 0);
	int nr, npaths = atoi(argv[3]), made = 0, deny = 0, tries = 0, err = 0;
	FILE *pf = fopen(argv[5], "w"), *lf = fopen(argv[6], "w");

	if (!pf || !lf) {
		perror("patdiff gen");
		return 2;
	}
	rng = seed * 0x9e3779b97f4a7c15ULL ^ (set + 1) * 0xbf58476d1ce4e5b9ULL;
	rng = rng ? rng : 1;
	for (int i = 0; i < 20; i++)
		rnd(2);
	nr = 1 + (int)rnd(MAX_RULES);
	for (int i = 0; i < nr; i++) {
		gen_rule(root, &rules[i]);
		fprintf(lf, "# %s: '%s'\n", rules[i].dirs ? "dirs" : "paths", rules[i].text);
	}
	write_policy(pf, argv[4], rules, nr);
	while (made < npaths && tries++ < npaths * 10) {
		struct names nm;
		bool d = false;

		gen_path(root, rules, nr, path);
		if (!usable(path))
			continue;
		if (!make_file(path)) {
			err = errno;
			continue;
		}
		split_path(path, &nm);
		for (int i = 0; i < nr && !d; i++)
			d = path_match(&rules[i].pat, &nm);
		fprintf(lf, "%c %s\n", d ? 'D' : 'A', path);
		deny += d;
		made++;
	}
	for (int i = 0; i < nr; i++)
		free_pat(&rules[i].pat);
	/* paths that clash with files of earlier sets are dropped: fewer is fine */
	if (fclose(pf) || fclose(lf)) {
		perror("patdiff gen");
		return 2;
	}
	if (!made) {
		fprintf(stderr, "patdiff gen: no file created: %s\n", strerror(err));
		return 2;
	}
	printf("set %llu: rules %d paths %d deny %d\n", set, nr, made, deny);
	return 0;
}

/* ---- the check ---------------------------------------------------------- */

static void print_rules(FILE *lf, const char *list)
{
	char line[TEXT];
	long at = ftell(lf);

	rewind(lf);
	printf("rules of %s:\n", list);
	while (fgets(line, sizeof(line), lf) && line[0] == '#')
		printf("  %s", line + 2);
	fseek(lf, at, SEEK_SET);
}

static int cmd_check(const char *list)
{
	static char line[TEXT];
	FILE *lf = fopen(list, "r");
	int n = 0, deny = 0, bad = 0;

	if (!lf) {
		perror(list);
		return 2;
	}
	while (fgets(line, sizeof(line), lf)) {
		size_t len = strlen(line);
		char got;
		int fd, err;

		if (line[0] == '#' || len < 3)
			continue;
		line[len - 1] = 0;
		fd = open(line + 2, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		err = errno;
		got = fd >= 0 ? 'A' : err == EACCES ? 'D' : 'E';
		if (fd >= 0)
			close(fd);
		n++;
		deny += got == 'D';
		if (got != line[0]) {
			if (!bad)
				print_rules(lf, list);
			printf("MISMATCH path '%s': expected %s, got %s\n", line + 2,
			       line[0] == 'D' ? "EACCES" : "success",
			       got == 'D' ? "EACCES" :
			       got == 'A' ? "success" :
					    strerror(err));
			bad++;
		}
	}
	fclose(lf);
	printf("check %s: %d paths, %d denied, %d mismatches\n", list, n, deny, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 9 && !strcmp(argv[1], "gen"))
		return cmd_gen(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2]);
	fprintf(stderr, "usage: patdiff gen SEED SET ROOT NPATHS CGROUP POLICY LIST\n"
			"       patdiff check LIST\n");
	return 2;
}
