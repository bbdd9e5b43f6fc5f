// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit record writer against hostile strings: every line it writes is
 * strict JSON (json-c in strict mode) and valid UTF-8 whatever the bytes,
 * quotes, newlines and control bytes cannot end a field or a record, and a
 * value that is not UTF-8 comes with "<key>_hex", from which the exact
 * bytes come back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "agent/jsonw.h"
#include "policies/utf8.h"

static struct json_object *parse_strict(const char *line)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)strlen(line) + 1);
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	json_tokener_free(tok);
	assert_non_null(o);
	return o;
}

static void assert_utf8(const char *s)
{
	size_t left = strlen(s);

	for (const unsigned char *u = (const unsigned char *)s; left;) {
		size_t n = pal_utf8_len(u, left);

		assert_true(n > 0);
		u += n;
		left -= n;
	}
}

static void unhex(const char *hex, char *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n < cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (char)b;
	}
	out[n] = 0;
}

static void test_hostile_strings(void **state)
{
	static const char *const vals[] = {
		"plain",
		"with \"quotes\" and \\backslash",
		"new\nline\r\ttab",
		"esc\x1b[31mred\x1b[0m",
		"del\x7f",
		"\xff",
		"bad \xc3\x28 and \xe2\x82 cut",
		"over\xf8\x88\x80\x80\x80long",
		"sur\xed\xa0\x80rogate",
		"ok \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"}\n{\"v\":1,\"event\":\"file\",\"action\":\"allow\"}",
		"",
	};
	struct jw w = {0};

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct json_object *o, *v, *hx;
		char back[256];
		bool valid = true;
		size_t left = strlen(vals[i]);

		for (const unsigned char *u = (const unsigned char *)vals[i]; left;) {
			size_t n = pal_utf8_len(u, left);

			valid &= n > 0;
			n = n ? n : 1;
			u += n;
			left -= n;
		}
		jw_begin(&w);
		jw_bytes(&w, "path", vals[i]);
		jw_str(&w, "event", "file");
		jw_end(&w);
		assert_false(w.oom);
		assert_null(memchr(w.buf, '\n', w.len)); /* one record, one line */
		assert_utf8(w.buf);
		o = parse_strict(w.buf);
		assert_int_equal(json_object_object_length(o), valid ? 2 : 3);
		assert_string_equal(json_object_get_string(json_object_object_get(o, "event")),
				    "file");
		v = json_object_object_get(o, "path");
		hx = json_object_object_get(o, "path_hex");
		if (valid) {
			assert_null(hx);
			assert_string_equal(json_object_get_string(v), vals[i]);
		} else {
			assert_non_null(hx);
			unhex(json_object_get_string(hx), back, sizeof(back));
			assert_string_equal(back, vals[i]);
			assert_non_null(strstr(json_object_get_string(v), "\xef\xbf\xbd"));
		}
		json_object_put(o);
	}
	jw_free(&w);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
