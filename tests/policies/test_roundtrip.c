// SPDX-License-Identifier: GPL-2.0-only
/*
 * Round trip: `palisade compile --json` output, read back with json-c, must
 * describe exactly the entries the emitter produces in-process for the same
 * files and seed, and every path key must re-hash from its printed path.
 * Usage: test_policy_roundtrip PALISADE FILE|DIR...
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bpf/path_hash.h"
#include "policies/emit.h"

#define SEED 0x5eed5eed12345678ULL

static const char *palisade;
static const char *const *inputs;
static size_t ninputs;

static char *run_compile(void)
{
	char cmd[4096], *out = NULL;
	size_t len = 0, n;
	int o = snprintf(cmd, sizeof(cmd), "'%s' compile --json --no-host --seed 0x%" PRIx64,
			 palisade, (uint64_t)SEED);
	FILE *p;
	char buf[65536];

	for (size_t i = 0; i < ninputs; i++)
		o += snprintf(cmd + o, sizeof(cmd) - (size_t)o, " '%s'", inputs[i]);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		out = realloc(out, len + n + 1);
		memcpy(out + len, buf, n);
		len += n;
	}
	assert_int_equal(pclose(p), 0);
	assert_non_null(out);
	out[len] = 0;
	return out;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("missing JSON key '%s'", key);
	return v;
}

static int64_t iget(json_object *o, const char *key)
{
	return json_object_get_int64(get(o, key));
}

static __u64 hexget(json_object *o, const char *key)
{
	return strtoull(json_object_get_string(get(o, key)), NULL, 16);
}

static __u32 rule_or_none(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v ? (__u32)json_object_get_int64(v) : PAL_NO_RULE;
}

static void check_entry(const struct pal_policy_set *set, const struct pal_file_emit *fe,
			const struct pal_file_entry *e, json_object *j)
{
	json_object *k = get(j, "key"), *v = get(j, "value"), *src = get(j, "source");
	const struct pal_ir_rule *r = &set->policies[e->key.policy].rules[e->rule];
	const char *path = json_object_get_string(get(j, "path"));
	__u8 kind = e->key.kind & ~PAL_KEY_FROM;

	assert_true(hexget(k, "a") == e->key.a);
	assert_int_equal(iget(k, "b"), e->key.b);
	assert_int_equal(iget(k, "gen"), 0);
	assert_int_equal(iget(k, "policy"), e->key.policy);
	assert_int_equal(iget(k, "kind"), e->key.kind);
	assert_int_equal(iget(k, "class"), e->key.class);
	assert_int_equal(iget(v, "deny"), e->val.deny);
	assert_int_equal(iget(v, "audit"), e->val.audit);
	assert_int_equal(iget(v, "allow"), e->val.allow);
	assert_int_equal(rule_or_none(v, "rule_deny"), e->val.rule_deny);
	assert_int_equal(rule_or_none(v, "rule_audit"), e->val.rule_audit);
	assert_int_equal(rule_or_none(v, "rule_allow"), e->val.rule_allow);
	assert_string_equal(path, e->path);
	assert_string_equal(json_object_get_string(get(src, "file")), r->loc.file);
	assert_int_equal(iget(src, "line"), r->loc.line);
	assert_int_equal(iget(j, "from_exe"), e->exe);
	/* the printed key re-hashes from the printed path */
	if (kind == PAL_KEY_EXACT || kind == PAL_KEY_DIR) {
		__u64 h;
		__u32 d;

		assert_int_equal(pal_path_key(path, SEED, &h, &d), 0);
		assert_int_equal(d, iget(k, "b"));
		if (e->exe)
			h = pal_from_mix(h, e->exe);
		assert_true(h == hexget(k, "a"));
	}
	(void)fe;
}

static void test_roundtrip(void **state)
{
	struct pal_load_opts lo = {.flags = PAL_LOAD_NO_HOST};
	struct pal_policy_set *set = NULL;
	struct pal_file_emit fe;
	char *out = run_compile();
	json_object *root = json_tokener_parse(out), *ents, *pols;
	size_t checked = 0;

	assert_non_null(root);
	assert_int_equal(pal_policy_load(&set, inputs, ninputs, &lo), 0);
	assert_int_equal(pal_emit_file(set, 0, SEED, PAL_LOAD_NO_HOST, &fe), 0);
	assert_true(hexget(root, "seed") == SEED);

	pols = get(root, "policies");
	assert_int_equal(json_object_array_length(pols), set->npolicies);
	for (__u32 i = 0; i < set->npolicies; i++) {
		json_object *p = json_object_array_get_idx(pols, i);

		assert_string_equal(json_object_get_string(get(p, "name")), set->policies[i].name);
		assert_string_equal(json_object_get_string(get(p, "mode")),
				    pal_mode_name(set->policies[i].mode));
		assert_int_equal(json_object_array_length(get(p, "rules")),
				 set->policies[i].nrules);
	}
	ents = get(root, "file_entries");
	assert_true(fe.nentries > 0);
	assert_int_equal(json_object_array_length(ents), fe.nentries);
	for (size_t i = 0; i < fe.nentries; i++, checked++)
		check_entry(set, &fe, &fe.entries[i], json_object_array_get_idx(ents, i));
	assert_int_equal(checked, fe.nentries);
	assert_int_equal(json_object_array_length(get(root, "exes")), fe.nexes);

	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
	json_object_put(root);
	free(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_roundtrip)};

	if (argc < 3) {
		fprintf(stderr, "usage: %s PALISADE FILE|DIR...\n", argv[0]);
		return 2;
	}
	palisade = argv[1];
	inputs = (const char *const *)argv + 2;
	ninputs = (size_t)(argc - 2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
