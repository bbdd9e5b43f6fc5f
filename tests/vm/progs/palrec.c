// SPDX-License-Identifier: GPL-2.0-only
/*
 * palrec: select and check records of a Palisade JSON-lines audit log, for
 * the VM cases (busybox has no JSON tool).
 *
 *   palrec LOG [-n N] [-c N] [-q] FILTER...
 *     FILTER  key=value   the field is present and its value is `value`
 *             key!=value  the field is absent or its value is not `value`
 *             key~text    the field's value contains `text`
 *             key         the field is present
 *             !key        the field is absent
 *     A string value is compared without its quotes and with its JSON
 *     \" and \\ escapes decoded; any other value (number, true, null, an array like
 *     ["read","write"]) is compared as written in the log.
 *     -n N    exactly N records match (default: at least one)
 *     -c N    the "count" fields of the matching records add up to N (a
 *             record without "count" counts 1)
 *     -s      print the sum of the counts and exit 0 (no check)
 *     -q      do not print the matching records
 *
 *   palrec LOG --generations SPEC...
 *     Check a reload race. The "policy" records map each generation to the
 *     policy names that were live in it. SPEC is NAME:PATH=RULE[,PATH=RULE]:
 *     while policy NAME alone was live, a file denial may only be of one of
 *     those paths and carry that rule index. Every "file" record must be
 *     explained by the SPEC of its generation (a record the agent could
 *     not attribute, "policy":"?", by its path only). Prints the number of
 *     denials (sum of counts) per path.
 *
 * Exit status: 0 as expected, 1 not, 2 usage or I/O error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES (64 * 1024)
#define VALUE_MAX 8192
#define MAX_FILTERS 32
#define MAX_GENS 4096
#define MAX_SPECS 4
#define MAX_SPEC_PATHS 8

/* Skip a JSON string starting at its opening quote; returns what follows it. */
static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* Skip any value (string, array of strings, number, literal); returns what follows. */
static const char *skip_value(const char *p)
{
	if (*p == '"')
		return skip_string(p);
	if (*p == '[') {
		for (p++; *p && *p != ']';)
			p = *p == '"' ? skip_string(p) : p + 1;
		return *p ? p + 1 : p;
	}
	while (*p && *p != ',' && *p != '}')
		p++;
	return p;
}

/*
 * The value of top-level `key` in the flat JSON object `line`, decoded into
 * out: a string without quotes and escapes, anything else as written.
 * Returns false if the key is absent or the line is not an object.
 */
static bool field(const char *line, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = line;

	if (*p++ != '{')
		return false;
	while (*p == '"') {
		const char *name = p + 1, *val = skip_string(p);
		bool hit = (size_t)(val - 1 - name) == klen && !strncmp(name, key, klen);
		const char *end;
		size_t o = 0;

		if (*val++ != ':')
			return false;
		end = skip_value(val);
		if (hit && *val == '"') {
			for (const char *q = val + 1; q < end - 1 && o + 1 < len; q++) {
				if (*q == '\\' && q + 1 < end - 1)
					q++;
				out[o++] = *q;
			}
		} else if (hit) {
			for (const char *q = val; q < end && o + 1 < len; q++)
				out[o++] = *q;
		}
		if (hit) {
			out[o] = 0;
			return true;
		}
		if (*end != ',')
			return false;
		p = end + 1;
	}
	return false;
}

struct filter {
	char key[128];
	const char *value; /* NULL: presence test */
	char op; /* '=', '!' (not equal), '~' (contains), 'p' (present), 'a' (absent) */
};

static int parse_filter(const char *s, struct filter *f)
{
	const char *eq = strpbrk(s, "=~");
	size_t klen;

	if (s[0] == '!' && !eq) {
		f->op = 'a';
		snprintf(f->key, sizeof(f->key), "%s", s + 1);
		return 0;
	}
	if (!eq) {
		f->op = 'p';
		snprintf(f->key, sizeof(f->key), "%s", s);
		return 0;
	}
	klen = eq - s;
	f->op = *eq;
	if (*eq == '=' && klen && s[klen - 1] == '!') {
		f->op = '!';
		klen--;
	}
	if (!klen || klen >= sizeof(f->key))
		return -EINVAL;
	memcpy(f->key, s, klen);
	f->key[klen] = 0;
	f->value = eq + 1;
	return 0;
}

static bool matches(const char *line, const struct filter *f, int n)
{
	static char v[VALUE_MAX];

	for (int i = 0; i < n; i++) {
		bool has = field(line, f[i].key, v, sizeof(v));

		switch (f[i].op) {
		case 'a':
			if (has)
				return false;
			break;
		case 'p':
			if (!has)
				return false;
			break;
		case '=':
			if (!has || strcmp(v, f[i].value))
				return false;
			break;
		case '!':
			if (has && !strcmp(v, f[i].value))
				return false;
			break;
		case '~':
			if (!has || !strstr(v, f[i].value))
				return false;
			break;
		}
	}
	return true;
}

static unsigned long long count_of(const char *line)
{
	char v[64];

	return field(line, "count", v, sizeof(v)) ? strtoull(v, NULL, 10) : 1;
}

static int select_records(FILE *f, int argc, char **argv)
{
	struct filter flt[MAX_FILTERS];
	long want_n = -1, want_c = -1;
	bool quiet = false, sum_only = false;
	unsigned long long n = 0, c = 0;
	static char line[LINE_MAX_BYTES];
	int nf = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			want_n = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			want_c = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "-q")) {
			quiet = true;
		} else if (!strcmp(argv[i], "-s")) {
			sum_only = true;
		} else if (nf == MAX_FILTERS || parse_filter(argv[i], &flt[nf++])) {
			fprintf(stderr, "palrec: bad filter '%s'\n", argv[i]);
			return 2;
		}
	}
	while (fgets(line, sizeof(line), f)) {
		if (!matches(line, flt, nf))
			continue;
		n++;
		c += count_of(line);
		if (!quiet && !sum_only)
			printf("palrec: %s", line);
	}
	if (sum_only) {
		printf("%llu\n", c);
		return 0;
	}
	printf("palrec: %llu records match, counts add up to %llu\n", n, c);
	if (want_n >= 0 && n != (unsigned long long)want_n) {
		printf("palrec: expected %ld records\n", want_n);
		return 1;
	}
	if (want_n < 0 && !n)
		return 1;
	if (want_c >= 0 && c != (unsigned long long)want_c) {
		printf("palrec: expected the counts to add up to %ld\n", want_c);
		return 1;
	}
	return 0;
}

/* ---- --generations ------------------------------------------------------ */

struct spec {
	char name[128];
	int npaths;
	char path[MAX_SPEC_PATHS][256];
	char rule[MAX_SPEC_PATHS][16];
	unsigned long long denied[MAX_SPEC_PATHS];
};

static int parse_spec(const char *s, struct spec *sp)
{
	const char *colon = strchr(s, ':');
	char buf[4096], *save = NULL;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(sp->name))
		return -EINVAL;
	memset(sp, 0, sizeof(*sp));
	memcpy(sp->name, s, colon - s);
	snprintf(buf, sizeof(buf), "%s", colon + 1);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strrchr(t, '=');

		if (!eq || sp->npaths == MAX_SPEC_PATHS)
			return -EINVAL;
		*eq = 0;
		snprintf(sp->path[sp->npaths], sizeof(sp->path[0]), "%s", t);
		snprintf(sp->rule[sp->npaths], sizeof(sp->rule[0]), "%s", eq + 1);
		sp->npaths++;
	}
	return sp->npaths ? 0 : -EINVAL;
}

static int check_generations(FILE *f, int argc, char **argv)
{
	static char line[LINE_MAX_BYTES], v[VALUE_MAX];
	static int gen_spec[MAX_GENS]; /* generation -> spec index + 1, 0 unknown */
	struct spec specs[MAX_SPECS];
	unsigned long long checked = 0, bad = 0, unattributed = 0;
	unsigned long gens = 0, flips = 0;
	int nspecs = argc, last = 0;

	if (argc < 1 || argc > MAX_SPECS)
		return 2;
	for (int i = 0; i < nspecs; i++)
		if (parse_spec(argv[i], &specs[i])) {
			fprintf(stderr, "palrec: bad spec '%s'\n", argv[i]);
			return 2;
		}
	/* Pass 1: which policy each generation had. */
	while (fgets(line, sizeof(line), f)) {
		unsigned long g;

		if (!field(line, "event", v, sizeof(v)) || strcmp(v, "policy") ||
		    !field(line, "generation", v, sizeof(v)))
			continue;
		g = strtoul(v, NULL, 10);
		if (g >= MAX_GENS || !field(line, "policies", v, sizeof(v)))
			continue;
		for (int i = 0; i < nspecs; i++) {
			char want[sizeof(specs[i].name) + 8];

			snprintf(want, sizeof(want), "[\"%.127s\"]", specs[i].name);
			if (!strcmp(v, want)) {
				gen_spec[g] = i + 1;
				gens++;
				flips += last && last != i + 1;
				last = i + 1;
			}
		}
	}
	/* Pass 2: every file denial against the policy of its generation. */
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		char path[VALUE_MAX], rule[64];
		struct spec *sp;
		unsigned long g;
		bool unknown;
		int j;

		if (!field(line, "event", v, sizeof(v)) || strcmp(v, "file"))
			continue;
		checked += count_of(line);
		if (!field(line, "generation", v, sizeof(v)) ||
		    !field(line, "path", path, sizeof(path)) ||
		    !field(line, "rule", rule, sizeof(rule)) ||
		    (g = strtoul(v, NULL, 10)) >= MAX_GENS || !gen_spec[g]) {
			printf("palrec: denial of an unknown generation: %s", line);
			bad++;
			continue;
		}
		sp = &specs[gen_spec[g] - 1];
		/*
		 * A record the agent wrote after it had dropped the policy set
		 * of its generation says "policy":"?" and has lost the rule
		 * index (it prints null): only its path can be checked.
		 */
		unknown = field(line, "policy", v, sizeof(v)) && !strcmp(v, "?");
		for (j = 0; j < sp->npaths; j++)
			if (!strcmp(path, sp->path[j]) &&
			    (!strcmp(rule, sp->rule[j]) || (unknown && !strcmp(rule, "null"))))
				break;
		if (j == sp->npaths || !field(line, "action", v, sizeof(v)) || strcmp(v, "deny")) {
			printf("palrec: generation %lu (%s) cannot have made this decision: %s", g,
			       sp->name, line);
			bad++;
			continue;
		}
		sp->denied[j] += count_of(line);
		unattributed += unknown ? count_of(line) : 0;
	}
	printf("palrec: generations: %lu known, %lu policy flips; %llu denials checked, %llu "
	       "inconsistent, %llu without a policy name (path checked only)\n",
	       gens, flips, checked, bad, unattributed);
	for (int i = 0; i < nspecs; i++)
		for (int j = 0; j < specs[i].npaths; j++)
			printf("palrec: policy=%s path=%s denied=%llu\n", specs[i].name,
			       specs[i].path[j], specs[i].denied[j]);
	return bad || !checked ? 1 : 0;
}

int main(int argc, char **argv)
{
	FILE *f;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: palrec LOG [-n N] [-c N] [-s] [-q] FILTER...\n"
				"       palrec LOG --generations NAME:PATH=RULE[,...]...\n");
		return 2;
	}
	f = fopen(argv[1], "re");
	if (!f) {
		fprintf(stderr, "palrec: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (argc > 2 && !strcmp(argv[2], "--generations"))
		r = check_generations(f, argc - 3, argv + 3);
	else
		r = select_records(f, argc - 2, argv + 2);
	fclose(f);
	return r;
}
