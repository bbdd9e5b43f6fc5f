// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file emitter: path keys checked against a hash computed here from the
 * path_hash.h primitives (not through the compiler's own walk), merging of
 * rules that name one path, PAL_KEY_FROM keys and exe ids, identity keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf/path_hash.h"
#include "policies/automaton.h"
#include "policies/emit.h"

#define H "apiVersion: palisade/v1\nkind: Policy\nname: t\n"
#define SEED 0x0123456789abcdefULL

/* Independent reference: split on '/', hash each name byte by byte. */
static __u64 ref_hash(const char *path, __u64 seed, __u32 *depth)
{
	__u64 p = pal_prefix_root(seed);
	const char *s = path;

	*depth = 0;
	while (*s) {
		const char *e;
		__u32 len;
		__u64 h;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		for (e = s; *e && *e != '/'; e++)
			;
		len = (__u32)(e - s);
		h = pal_name_init(seed, len);
		for (__u32 w = 0; w < (len + 7) / 8; w++) {
			__u64 word = 0;

			for (__u32 b = 0; b < 8 && w * 8 + b < len; b++)
				word |= (__u64)(unsigned char)s[w * 8 + b] << (8 * b);
			h = pal_name_step(h,
					  word & (w == (len - 1) / 8 ? pal_word_mask(len) : ~0ULL));
		}
		p = pal_prefix_next(p, h);
		(*depth)++;
		s = e;
	}
	return p;
}

static struct pal_policy_set *load_flags(const char *yaml, unsigned int flags)
{
	struct pal_load_opts o = {.flags = flags};
	struct pal_policy_set *set = pal_policy_set_new(&o);

	assert_non_null(set);
	assert_int_equal(pal_policy_add_buffer(set, "t.yaml", yaml, strlen(yaml)), 0);
	return set;
}

static struct pal_policy_set *load(const char *yaml)
{
	return load_flags(yaml, PAL_LOAD_NO_HOST);
}

static const struct pal_file_entry *find(const struct pal_file_emit *fe, __u64 a, __u32 b,
					 __u8 kind, __u8 class, __u16 policy)
{
	const struct pal_file_entry *hit = NULL;

	for (size_t i = 0; i < fe->nentries; i++) {
		const struct pal_file_key *k = &fe->entries[i].key;

		if (k->a == a && k->b == b && k->kind == kind && k->class == class &&
		    k->policy == policy) {
			assert_null(hit); /* merged: at most one */
			hit = &fe->entries[i];
		}
	}
	return hit;
}

static void test_path_key(void **state)
{
	__u64 h, r;
	__u32 d, rd;

	assert_int_equal(pal_path_key("/", SEED, &h, &d), 0);
	assert_int_equal(d, 0);
	assert_true(h == pal_prefix_root(SEED));

	assert_int_equal(pal_path_key("/etc/shadow", SEED, &h, &d), 0);
	r = ref_hash("/etc/shadow", SEED, &rd);
	assert_int_equal(d, 2);
	assert_int_equal(rd, 2);
	assert_true(h == r);

	/* components of 8, 9 and 16 bytes exercise the word boundaries */
	assert_int_equal(pal_path_key("/12345678/123456789/abcdefghijklmnop", SEED, &h, &d), 0);
	r = ref_hash("/12345678/123456789/abcdefghijklmnop", SEED, &rd);
	assert_true(h == r);
	assert_int_equal(d, 3);

	/* same spelling, different seed: different key */
	assert_int_equal(pal_path_key("/etc/shadow", SEED ^ 1, &h, &d), 0);
	assert_true(h != ref_hash("/etc/shadow", SEED, &rd));
	assert_int_equal(pal_path_key("relative", SEED, &h, &d), -EINVAL);
}

static void test_canonical_same_key(void **state)
{
	struct pal_policy_set *set = load(H "files:\n"
					    "  - paths: [\"/etc//shadow/\"]\n    access: [read]\n"
					    "    action: deny\n"
					    "  - paths: [/etc/shadow, /]\n    access: [write]\n"
					    "    action: deny\n");
	struct pal_file_emit fe;
	const struct pal_file_entry *e;
	__u32 d;
	__u64 h = ref_hash("/etc/shadow", SEED, &d);

	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_int_equal(fe.nentries, 3); /* and the rename guard of /etc */
	e = find(&fe, h, 2, PAL_KEY_EXACT, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_READ | PAL_ACC_WRITE | PAL_ACC_APPEND);
	assert_int_equal(e->val.rule_deny, 0);
	assert_string_equal(e->path, "/etc/shadow");
	e = find(&fe, pal_prefix_root(SEED), 0, PAL_KEY_EXACT, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_WRITE | PAL_ACC_APPEND);
	assert_int_equal(e->val.rule_deny, 1);
	assert_int_equal(e->key.gen, 0);
	for (size_t i = 0; i < sizeof(e->key.pad0); i++)
		assert_int_equal(e->key.pad0[i], 0);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
}

static void test_merge_rules(void **state)
{
	const char *y = H "default: deny\nfiles:\n"
			  "  - paths: [/srv/a]\n    access: [read]\n    action: deny\n"
			  "  - paths: [/srv/a]\n    access: [write]\n    action: audit\n"
			  "  - paths: [/srv/a]\n    access: [write]\n    action: deny\n"
			  "  - paths: [/srv/a]\n    access: [chmod]\n    action: allow\n"
			  "  - dirs: [/srv/a]\n    access: [read]\n    action: allow\n"
			  "exec:\n  - paths: [/srv/a]\n    action: deny\n"
			  "---\napiVersion: palisade/v1\nkind: Policy\nname: u\n"
			  "files:\n  - paths: [/srv/a]\n    access: [append]\n    action: deny\n";
	struct pal_policy_set *set = load(y);
	struct pal_file_emit fe;
	const struct pal_file_entry *e;
	__u32 d;
	__u64 h = ref_hash("/srv/a", SEED, &d);

	assert_int_equal(pal_emit_file(set, 1, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_int_equal(fe.nentries, 6); /* and the rename guards of /srv, one per policy */
	e = find(&fe, h, 2, PAL_KEY_EXACT, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_READ | PAL_ACC_WRITE | PAL_ACC_APPEND);
	assert_int_equal(e->val.audit, PAL_ACC_WRITE | PAL_ACC_APPEND);
	assert_int_equal(e->val.allow, PAL_ACC_CHMOD);
	assert_int_equal(e->val.rule_deny, 0);
	assert_int_equal(e->val.rule_audit, 1);
	assert_int_equal(e->val.rule_allow, 3);
	assert_int_equal(e->key.gen, 1);
	e = find(&fe, h, 2, PAL_KEY_DIR, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.allow, PAL_ACC_READ);
	assert_int_equal(e->val.deny, 0);
	assert_int_equal(e->val.rule_deny, PAL_NO_RULE);
	assert_int_equal(e->val.rule_audit, PAL_NO_RULE);
	assert_int_equal(e->val.rule_allow, 4);
	e = find(&fe, h, 2, PAL_KEY_EXACT, PAL_CLASS_EXEC, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_EXEC);
	assert_int_equal(e->val.rule_deny, 5);
	e = find(&fe, h, 2, PAL_KEY_EXACT, PAL_CLASS_FILE, 1);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_APPEND);
	assert_int_equal(e->val.rule_deny, 0);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
}

static void test_from(void **state)
{
	const char *y = H "files:\n"
			  "  - paths: [/etc/ssl/key]\n    access: [read]\n    action: deny\n"
			  "    from: [/usr/sbin/nginx, /usr/bin/curl]\n"
			  "  - dirs: [/var/www]\n    access: [write]\n    action: audit\n"
			  "    from: [/usr/bin/curl]\n";
	struct pal_policy_set *set = load(y);
	struct pal_file_emit fe;
	const struct pal_file_entry *e;
	__u32 d;
	__u64 key = ref_hash("/etc/ssl/key", SEED, &d), www = ref_hash("/var/www", SEED, &d);

	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_int_equal(fe.nexes, 2);
	assert_string_equal(fe.exes[0].path, "/usr/sbin/nginx");
	assert_int_equal(fe.exes[0].id, 1);
	assert_string_equal(fe.exes[1].path, "/usr/bin/curl");
	assert_int_equal(fe.exes[1].id, 2);
	assert_false(fe.exes[0].exists); /* PAL_LOAD_NO_HOST: never stat()ed */
	assert_int_equal(fe.nentries, 6); /* and the rename guards of /etc, /etc/ssl, /var */
	e = find(&fe, pal_from_mix(key, 1), 3, PAL_KEY_EXACT | PAL_KEY_FROM, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->exe, 1);
	assert_int_equal(e->val.deny, PAL_ACC_READ);
	e = find(&fe, pal_from_mix(key, 2), 3, PAL_KEY_EXACT | PAL_KEY_FROM, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->exe, 2);
	e = find(&fe, pal_from_mix(www, 2), 2, PAL_KEY_DIR | PAL_KEY_FROM, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.audit, PAL_ACC_WRITE | PAL_ACC_APPEND);
	assert_int_equal(e->val.rule_audit, 1);
	/* no plain key for a from: rule */
	assert_null(find(&fe, key, 3, PAL_KEY_EXACT, PAL_CLASS_FILE, 0));
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
}

/*
 * A denied or audited path also denies (audits) renaming each of its
 * ancestor directories, for every process: `mv /srv /x` must not move
 * /srv/a/b/c out from under its rule. Allow rules need no guard.
 */
static void test_rename_guards(void **state)
{
	const char *y = H "default: deny\nfiles:\n"
			  "  - paths: [/srv/a/b/c]\n    access: [read]\n    action: deny\n"
			  "    from: [/bin/x]\n"
			  "  - dirs: [/srv/a/d]\n    access: [write]\n    action: audit\n"
			  "  - dirs: [/opt/ok/dir]\n    access: [read]\n    action: allow\n"
			  "exec:\n  - paths: [/usr/bin/nc]\n    action: deny\n";
	struct pal_policy_set *set = load(y);
	struct pal_file_emit fe;
	const struct pal_file_entry *e;
	__u32 d;

	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	e = find(&fe, ref_hash("/srv", SEED, &d), 1, PAL_KEY_EXACT, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_RENAME);
	assert_int_equal(e->val.audit, PAL_ACC_RENAME);
	assert_int_equal(e->val.allow, 0);
	assert_int_equal(e->val.rule_deny, 0);
	assert_int_equal(e->val.rule_audit, 1);
	assert_string_equal(e->path, "/srv");
	e = find(&fe, ref_hash("/srv/a", SEED, &d), 2, PAL_KEY_EXACT, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_RENAME);
	assert_string_equal(e->path, "/srv/a");
	e = find(&fe, ref_hash("/srv/a/b", SEED, &d), 3, PAL_KEY_EXACT, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_RENAME);
	assert_int_equal(e->val.audit, 0);
	assert_int_equal(e->exe, 0); /* for every process, not only the from: exe */
	/* the rule path itself and the audited dir get no guard of their own */
	assert_null(
		find(&fe, ref_hash("/srv/a/b/c", SEED, &d), 4, PAL_KEY_EXACT, PAL_CLASS_FILE, 0));
	assert_null(find(&fe, ref_hash("/srv/a/d", SEED, &d), 3, PAL_KEY_EXACT, PAL_CLASS_FILE, 0));
	/* exec rules are guarded in the files class (rename is a file operation) */
	e = find(&fe, ref_hash("/usr/bin", SEED, &d), 2, PAL_KEY_EXACT, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_RENAME);
	assert_int_equal(e->val.rule_deny, 3);
	/* allow rules: none */
	assert_null(find(&fe, ref_hash("/opt", SEED, &d), 1, PAL_KEY_EXACT, PAL_CLASS_FILE, 0));
	assert_null(find(&fe, ref_hash("/opt/ok", SEED, &d), 2, PAL_KEY_EXACT, PAL_CLASS_FILE, 0));
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
}

/* The kernel's new_encode_dev(), which the hooks read from sb->s_dev. */
static void test_dev_encode(void **state)
{
	assert_int_equal(pal_dev_encode(makedev(8, 1)), 0x801);
	assert_int_equal(pal_dev_encode(makedev(0, 0x2a)), 0x2a);
	assert_int_equal(pal_dev_encode(makedev(259, 0x12345)), 0x12310345);
	assert_int_equal(pal_dev_encode(makedev(4095, 0xfffff)), 0xffffffff);
}

static void test_inode_keys(void **state)
{
	char dir[] = "/tmp/pal-emit-XXXXXX", file[64], exe[64], y[1024];
	struct pal_policy_set *set;
	struct pal_file_emit fe;
	const struct pal_file_entry *e;
	struct stat fst, dst, xst;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(exe, sizeof(exe), "%s/exe", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	f = fopen(exe, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(stat(file, &fst), 0);
	assert_int_equal(stat(dir, &dst), 0);
	assert_int_equal(stat(exe, &xst), 0);
	snprintf(y, sizeof(y),
		 H "files:\n  - paths: [\"%s\", /nonexistent/pal/x]\n    access: [read]\n"
		   "    action: deny\n  - dirs: [\"%s\"]\n    access: [write]\n    action: deny\n"
		   "  - paths: [\"%s\"]\n    access: [chmod]\n    action: deny\n"
		   "    from: [\"%s\"]\n",
		 file, dir, file, exe);
	set = load(y);

	assert_int_equal(pal_emit_file(set, 0, SEED, 0, &fe), 0);
	/*
	 * file: exact + inode; nonexistent: exact; dir: dir + dir-inode; from: 2;
	 * rename guards: /tmp, the temp dir, /nonexistent, /nonexistent/pal
	 */
	assert_int_equal(fe.nentries, 11);
	e = find(&fe, fst.st_ino, pal_dev_encode(fst.st_dev), PAL_KEY_INODE, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_READ);
	assert_string_equal(e->path, file);
	e = find(&fe, dst.st_ino, pal_dev_encode(dst.st_dev), PAL_KEY_DIR_INODE, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_WRITE | PAL_ACC_APPEND);
	e = find(&fe, pal_from_mix(fst.st_ino, 1), pal_dev_encode(fst.st_dev),
		 PAL_KEY_INODE | PAL_KEY_FROM, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_CHMOD);
	assert_int_equal(fe.nexes, 1);
	assert_true(fe.exes[0].exists);
	assert_true(fe.exes[0].key.ino == xst.st_ino);
	assert_int_equal(fe.exes[0].key.dev, pal_dev_encode(xst.st_dev));
	pal_file_emit_free(&fe);

	/* without the host: no identity keys */
	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_int_equal(fe.nentries, 8);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
	unlink(file);
	unlink(exe);
	rmdir(dir);
}

/*
 * The emitter's own bounds, on IR built by hand (the parser already rejects
 * such input with a located error, see test_errors.c): -E2BIG with counts.
 */
static void test_too_many_exes(void **state)
{
	const unsigned int n = PAL_MAX_EXES / PAL_GENS + 1;
	const char **from = calloc(n, sizeof(*from));
	char *names = malloc((size_t)n * 16);
	struct pal_ir_rule rule = {.class = PAL_CLASS_FILE, .action = PAL_ACT_DENY};
	struct pal_ir_file f = {.path = "/a",
				.len = 2,
				.depth = 1,
				.kind = PAL_KEY_EXACT,
				.class = PAL_CLASS_FILE,
				.action = PAL_ACT_DENY,
				.access = PAL_ACC_READ,
				.nfrom = n};
	struct pal_ir_policy pol = {
		.name = "p", .rules = &rule, .nrules = 1, .files = &f, .nfiles = 1};
	struct pal_policy_set set = {.policies = &pol, .npolicies = 1};
	struct pal_file_emit fe;

	for (unsigned int i = 0; i < n; i++) {
		sprintf(names + 16 * i, "/x/%u", i);
		from[i] = names + 16 * i;
	}
	f.from = from;
	assert_int_equal(pal_emit_file(&set, 0, SEED, PAL_LOAD_NO_HOST, &fe), -E2BIG);
	assert_int_equal(fe.nexes, n);
	assert_int_equal(fe.nentries, n);
	assert_null(fe.entries);
	assert_null(fe.exes);
	f.nfrom = n - 1; /* exactly at the limit: fine */
	assert_int_equal(pal_emit_file(&set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_int_equal(fe.nexes, n - 1);
	pal_file_emit_free(&fe);
	free(from);
	free(names);
}

/* n exact-path deny rules "/<prefix><i>" (depth 1); free the result and *names. */
static struct pal_ir_file *exact_files(size_t n, char prefix, char **names)
{
	struct pal_ir_file *files = calloc(n, sizeof(*files));

	*names = malloc(n * 12);
	assert_non_null(files);
	assert_non_null(*names);
	for (size_t i = 0; i < n; i++) {
		char *s = *names + 12 * i;

		files[i] = (struct pal_ir_file){.path = s,
						.depth = 1,
						.kind = PAL_KEY_EXACT,
						.class = PAL_CLASS_FILE,
						.action = PAL_ACT_DENY,
						.access = PAL_ACC_READ};
		files[i].len = (__u32)sprintf(s, "/%c%zx", prefix, i);
	}
	return files;
}

static void test_too_many_keys(void **state)
{
	const size_t n = PAL_MAX_FILE_KEYS / PAL_GENS + 1;
	char *names;
	struct pal_ir_file *files = exact_files(n, 'f', &names);
	struct pal_ir_rule rule = {.class = PAL_CLASS_FILE, .action = PAL_ACT_DENY};
	struct pal_ir_policy pol = {
		.name = "p", .rules = &rule, .nrules = 1, .files = files, .nfiles = n};
	struct pal_policy_set set = {.policies = &pol, .npolicies = 1};
	struct pal_file_emit fe;

	assert_int_equal(pal_emit_file(&set, 0, SEED, PAL_LOAD_NO_HOST, &fe), -E2BIG);
	assert_int_equal(fe.nentries, n);
	assert_null(fe.entries);
	pol.nfiles = n - 1;
	assert_int_equal(pal_emit_file(&set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_int_equal(fe.nentries, n - 1);
	pal_file_emit_free(&fe);
	free(files);
	free(names);
}

/* The keys of exact_files(n, prefix), emitted for real. */
static void emit_paths(size_t n, char prefix, struct pal_file_emit *fe)
{
	char *names;
	struct pal_ir_file *files = exact_files(n, prefix, &names);
	struct pal_ir_rule rule = {.class = PAL_CLASS_FILE, .action = PAL_ACT_DENY};
	struct pal_ir_policy pol = {
		.name = "p", .rules = &rule, .nrules = 1, .files = files, .nfiles = n};
	struct pal_policy_set set = {.policies = &pol, .npolicies = 1};

	assert_int_equal(pal_emit_file(&set, 0, SEED, PAL_LOAD_NO_HOST, fe), 0);
	assert_int_equal(fe->nentries, n);
	free(files);
	free(names);
}

static bool bloom_has(const struct pal_bloom *bl, const struct pal_file_key *k)
{
	__u64 x = pal_bloom_hash(k), mask = pal_bloom_mask(x);

	return (bl->w[pal_bloom_word(x) & (PAL_BLOOM_WORDS - 1)] & mask) == mask;
}

/*
 * The Bloom filter the agent writes and the hook reads (path_hash.h): no
 * key of the policy is ever reported absent (that would skip a rule), and
 * at 100,000 keys few absent keys are reported present (each costs a HASH
 * lookup in the hook; abi.h says about 1%).
 */
static void test_bloom(void **state)
{
	const size_t n = 100000;
	struct pal_bloom *bl = calloc(1, sizeof(*bl));
	struct pal_file_emit in, out;
	size_t fp = 0;

	assert_non_null(bl);
	emit_paths(n, 'a', &in);
	emit_paths(n, 'b', &out);
	for (size_t i = 0; i < n; i++) { /* as agent/file.c writes it */
		__u64 x = pal_bloom_hash(&in.entries[i].key), mask = pal_bloom_mask(x);

		assert_true(pal_bloom_word(x) < PAL_BLOOM_WORDS);
		assert_true(__builtin_popcountll(mask) >= 1 && __builtin_popcountll(mask) <= 2);
		bl->w[pal_bloom_word(x)] |= mask;
	}
	for (size_t i = 0; i < n; i++) {
		assert_true(bloom_has(bl, &in.entries[i].key));
		fp += bloom_has(bl, &out.entries[i].key);
	}
	print_message("bloom: %zu of %zu absent keys reported present (%.2f%%)\n", fp, n,
		      100.0 * (double)fp / (double)n);
	assert_true(fp < n / 50);
	pal_file_emit_free(&in);
	pal_file_emit_free(&out);
	free(bl);
}

static const struct pal_sock_entry *sock_find(const struct pal_sock_emit *se, __u16 policy,
					      __u16 family, __u16 type, __u16 protocol)
{
	for (size_t i = 0; i < se->nentries; i++) {
		const struct pal_sock_key *k = &se->entries[i].key;

		if (k->policy == policy && k->family == family && k->type == type &&
		    k->protocol == protocol)
			return &se->entries[i];
	}
	return NULL;
}

/*
 * LSM socket keys: one per non-inet (family, type, protocol), the strongest
 * action and its first rule; inet families are left to cgroup/sock_create;
 * the marker carries the policy's network default.
 */
static void test_socket_keys(void **state)
{
	struct pal_policy_set *set =
		load(H "default: deny\nnetwork:\n"
		       "  - socket: { family: packet }\n    action: allow\n"
		       "  - socket: { family: packet }\n    action: deny\n"
		       "  - socket: { family: packet }\n    action: deny\n"
		       "  - socket: { family: netlink, type: raw }\n"
		       "    action: audit\n"
		       "  - socket: { family: inet, type: raw }\n    action: deny\n");
	const __u16 any = PAL_SOCK_KEY_ANY;
	const struct pal_sock_entry *e;
	struct pal_sock_emit se;

	assert_int_equal(pal_emit_socket(set, 1, &se), 0);
	assert_int_equal(se.nentries, 3);
	for (size_t i = 0; i < se.nentries; i++)
		assert_int_equal(se.entries[i].key.gen, 1);
	e = sock_find(&se, 0, 17 /* AF_PACKET */, any, any);
	assert_non_null(e);
	assert_int_equal(e->val.action, PAL_ACT_DENY);
	assert_int_equal(e->val.rule, 1);
	e = sock_find(&se, 0, 16 /* AF_NETLINK */, 3 /* SOCK_RAW */, any);
	assert_non_null(e);
	assert_int_equal(e->val.action, PAL_ACT_AUDIT);
	assert_int_equal(e->val.rule, 3);
	e = sock_find(&se, 0, PAL_SOCK_MARKER, 0, 0);
	assert_non_null(e);
	assert_int_equal(e->val.action, PAL_ACT_DENY);
	assert_int_equal(e->val.rule, PAL_NO_RULE);
	pal_sock_emit_free(&se);
	assert_int_equal(pal_emit_socket(set, 2, &se), -EINVAL);
	pal_policy_set_free(set);
}

/* `mounts: allow` opts a policy with file rules out of mount mediation. */
static void test_mounts_allow(void **state)
{
	struct pal_policy_set *set = load(H "mounts: allow\nexec:\n"
					    "  - paths: [/bin/x]\n    action: deny\n");
	struct pal_policy pol[PAL_MAX_POLICIES];
	struct pal_gen_config cfg = {0};

	(void)state;
	pal_emit_settings(set, NULL, pol, &cfg);
	assert_int_equal(pol[0].mounts, PAL_ACT_ALLOW);
	assert_true(cfg.file_policies == 1);
	pal_policy_set_free(set);
}

/* The settings of a slot: defaults per class, and the depths holding file keys. */
static void test_settings(void **state)
{
	struct pal_policy_set *set = load(H "default: deny\nfiles:\n"
					    "  - dirs: [/usr/lib]\n    access: [write]\n"
					    "    action: audit\n"
					    "  - paths: [/etc/shadow]\n    access: [read]\n"
					    "    action: deny\n"
					    "---\napiVersion: palisade/v1\nkind: Policy\nname: n\n"
					    "target: { cgroups: [/a] }\nnetwork:\n"
					    "  - connect: [10.0.0.0/8]\n    action: allow\n");
	struct pal_policy pol[PAL_MAX_POLICIES];
	struct pal_gen_config cfg = {.generation = 7, .path_seed = SEED, .ncgroup_keys = 3};
	struct pal_file_emit fe;

	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	pal_emit_settings(set, &fe, pol, &cfg);
	assert_int_equal(pol[0].defaults[PAL_CLASS_FILE], PAL_ACT_DENY);
	assert_int_equal(pol[0].defaults[PAL_CLASS_NET], PAL_ACT_NONE);
	assert_true(pol[0].dir_depths == 1ULL << 2);
	/* /etc/shadow, and the rename guard of /etc */
	assert_true(pol[0].exact_depths == ((1ULL << 2) | (1ULL << 1)));
	assert_int_equal(pol[0].flags, 0);
	assert_int_equal(pol[1].defaults[PAL_CLASS_NET], PAL_ACT_ALLOW);
	assert_true(pol[1].dir_depths == 0 && pol[1].exact_depths == 0);
	assert_int_equal(pol[2].mode, 0);
	/* mounts: denied by a policy with file rules unless it says otherwise; no say without */
	assert_int_equal(pol[0].mounts, PAL_ACT_DENY);
	assert_int_equal(pol[1].mounts, PAL_ACT_NONE);
	assert_true(cfg.host_policies == 1 && cfg.file_policies == 1 && cfg.net_policies == 2);
	assert_true(cfg.dev_policies == 0 && cfg.from_policies == 0);
	assert_int_equal(cfg.npolicies, 2);
	/* what belongs to the caller stays */
	assert_true(cfg.generation == 7 && cfg.path_seed == SEED && cfg.ncgroup_keys == 3);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
}

/* The restricted bits of a slot's policies, after pal_emit_file and pal_emit_settings. */
static __u32 restricted_of(const char *yaml)
{
	struct pal_policy_set *set = load(yaml);
	struct pal_policy pol[PAL_MAX_POLICIES];
	struct pal_gen_config cfg = {0};
	struct pal_file_emit fe;

	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	pal_emit_settings(set, &fe, pol, &cfg);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
	return cfg.restricted;
}

/*
 * A slot's restricted bits: what some rule or default denies or audits, and
 * exec under any file policy. A hook returns at once for any other access,
 * so a bit left out here would be a bypass: a new name for a protected
 * file, an exec through mmap, a mount around a rule must all stay in.
 */
static void test_restricted(void **state)
{
	const __u32 names = PAL_ACC_LINK | PAL_ACC_RENAME;
	const __u32 exec = PAL_ACC_EXEC | PAL_ACC_MMAP_EXEC;

	(void)state;
	/*
	 * a read rule: reads, new names, exec (a program with no path fails
	 * closed under any file policy), mounts (denied by default with file rules)
	 */
	assert_int_equal(restricted_of(H "files:\n  - paths: [/etc/shadow]\n    access: [read]\n"
					 "    action: deny\n"),
			 PAL_ACC_READ | names | exec | PAL_ACC_MOUNT);
	/* audit counts as deny; allow rules restrict nothing */
	assert_int_equal(restricted_of(H
				       "mounts: allow\nfiles:\n"
				       "  - dirs: [/usr]\n    access: [write]\n    action: audit\n"
				       "  - dirs: [/srv]\n    access: [read, chmod]\n"
				       "    action: allow\n"),
			 PAL_ACC_WRITE | PAL_ACC_APPEND | names | exec); /* `write` covers append */
	/* exec rules: exec and mmap-exec together */
	assert_int_equal(restricted_of(H "mounts: allow\nexec:\n  - paths: [/bin/x]\n"
					 "    action: deny\n"),
			 exec | names);
	assert_int_equal(restricted_of(H "default: deny\nmounts: allow\nexec:\n"
					 "  - paths: [/bin/x]\n    action: allow\n"),
			 exec | names);
	/* a default that denies a class restricts every access of it */
	assert_int_equal(restricted_of(H "default: deny\nfiles:\n  - dirs: [/srv]\n"
					 "    access: [read]\n    action: allow\n"),
			 PAL_ACC_FILE_ALL | PAL_ACC_MOUNT);
	assert_int_equal(restricted_of(H
				       "default: audit\nmounts: allow\nfiles:\n"
				       "  - dirs: [/srv]\n    access: [read]\n    action: allow\n"),
			 PAL_ACC_FILE_ALL);
	/* network rules alone: no file access is restricted */
	assert_int_equal(restricted_of(H "network:\n  - connect: [10.0.0.0/8]\n"
					 "    action: deny\n"),
			 0);
}

/* Event access bits by name: the words that are no rule words come after them. */
/* The labels the automaton accepts for path, as a bit set (labels < 32). */
static __u32 accepted(const struct pal_file_emit *fe, const char *path)
{
	const __u32 *acc;
	size_t n;
	__u32 bits = 0;

	assert_int_equal(pal_auto_run(fe->autom, path, strlen(path), &acc, &n, NULL), 0);
	for (size_t i = 0; i < n; i++)
		bits |= 1u << acc[i];
	return bits;
}

/*
 * Each pattern rule gets a label, a PAL_KEY_PATTERN key with its bits (per `from:` exe), and
 * the automaton accepts the label on exactly the paths it matches; a `dirs:`
 * pattern also below them. Literal rules keep their path keys.
 */
static void test_pattern_labels(void **state)
{
	const char *y = H "files:\n"
			  "  - paths: [/etc/ssl/*.pem]\n    access: [read]\n    action: deny\n"
			  "  - paths: ['/etc/ssh/ssh_host_*_key']\n    access: [read]\n"
			  "    action: audit\n    from: [/usr/sbin/sshd]\n"
			  "  - dirs: ['/srv/**/cache']\n    access: [write]\n    action: deny\n"
			  "  - paths: [/etc/passwd]\n    access: [read]\n    action: deny\n";
	struct pal_policy_set *set = load_flags(y, PAL_LOAD_NO_HOST);
	struct pal_policy pol[PAL_MAX_POLICIES];
	struct pal_gen_config cfg;
	struct pal_file_emit fe;
	const struct pal_file_entry *e;
	__u32 d;

	(void)state;
	assert_int_equal(pal_emit_file(set, 1, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_non_null(fe.autom);
	assert_int_equal(fe.nlabels, 3);
	e = find(&fe, 0, 0, PAL_KEY_PATTERN, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->key.gen, 1);
	assert_int_equal(e->val.deny, PAL_ACC_READ);
	e = find(&fe, pal_from_mix(1, 1), 0, PAL_KEY_PATTERN | PAL_KEY_FROM, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.audit, PAL_ACC_READ);
	assert_null(find(&fe, 1, 0, PAL_KEY_PATTERN, PAL_CLASS_FILE, 0));
	e = find(&fe, 2, 0, PAL_KEY_PATTERN, PAL_CLASS_FILE, 0);
	assert_non_null(e);
	assert_int_equal(e->val.deny, PAL_ACC_WRITE | PAL_ACC_APPEND);
	assert_non_null(
		find(&fe, ref_hash("/etc/passwd", SEED, &d), 2, PAL_KEY_EXACT, PAL_CLASS_FILE, 0));
	pal_emit_settings(set, &fe, pol, &cfg);
	assert_int_equal(pol[0].flags, PAL_POLF_PATTERNS | PAL_POLF_FROM);
	assert_int_equal(accepted(&fe, "/etc/ssl/a.pem"), 1u << 0);
	assert_int_equal(accepted(&fe, "/etc/ssl/.pem"), 1u << 0);
	assert_int_equal(accepted(&fe, "/etc/ssl/a.pem/x"), 0);
	assert_int_equal(accepted(&fe, "/etc/ssl/a.pe"), 0);
	assert_int_equal(accepted(&fe, "/etc/ssh/ssh_host_rsa_key"), 1u << 1);
	assert_int_equal(accepted(&fe, "/etc/ssh/ssh_host_rsa_key.pub"), 0);
	assert_int_equal(accepted(&fe, "/srv/cache"), 1u << 2);
	assert_int_equal(accepted(&fe, "/srv/a/b/cache"), 1u << 2);
	assert_int_equal(accepted(&fe, "/srv/a/b/cache/x/y"), 1u << 2);
	assert_int_equal(accepted(&fe, "/srv/a/b/cachex"), 0);
	assert_int_equal(accepted(&fe, "/etc/passwd"), 0);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
}

/* A set without pattern rules has no automaton: the kernel skips it. */
static void test_no_patterns_no_automaton(void **state)
{
	struct pal_policy_set *set = load_flags(H "files:\n  - paths: [/etc/shadow]\n"
						  "    access: [read]\n    action: deny\n",
						PAL_LOAD_NO_HOST);
	struct pal_file_emit fe;

	(void)state;
	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_null(fe.autom);
	assert_int_equal(fe.nlabels, 0);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
}

static void test_access_names(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(pal_access_names(PAL_CLASS_FILE, PAL_ACC_CGROUP_MOVE, buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "cgroup-move");
	assert_int_equal(pal_access_names(PAL_CLASS_FILE, PAL_ACC_MOUNT, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mount");
	assert_int_equal(pal_access_names(PAL_CLASS_FILE, PAL_ACC_READ | PAL_ACC_MMAP_EXEC, buf,
					  sizeof(buf)),
			 0);
	assert_string_equal(buf, "read,mmap-exec");
	assert_int_equal(pal_access_names(PAL_CLASS_FILE, PAL_ACC_UNIX_CONNECT, buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "connect");
	assert_int_equal(pal_access_names(PAL_CLASS_FILE, PAL_ACC_FILE_ALL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "all");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_key),
		cmocka_unit_test(test_canonical_same_key),
		cmocka_unit_test(test_merge_rules),
		cmocka_unit_test(test_from),
		cmocka_unit_test(test_inode_keys),
		cmocka_unit_test(test_too_many_exes),
		cmocka_unit_test(test_too_many_keys),
		cmocka_unit_test(test_rename_guards),
		cmocka_unit_test(test_bloom),
		cmocka_unit_test(test_socket_keys),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_dev_encode),
		cmocka_unit_test(test_mounts_allow),
		cmocka_unit_test(test_restricted),
		cmocka_unit_test(test_access_names),
		cmocka_unit_test(test_pattern_labels),
		cmocka_unit_test(test_no_patterns_no_automaton),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
