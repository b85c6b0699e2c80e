// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of ctl/json*.c: QEMU's JSON dialect, error texts and writer. */
#include <errno.h>
#include <stdlib.h>

#include "ctl/json.h"
#include "tests/unit/ctl/check.h"

/* Parse @in and return the error text ("" on success). */
static char *perr(const char *in)
{
	struct strbuf err = STRBUF_INIT;
	struct json_value *v = NULL;

	if (json_parse(in, &v, &err) == 0)
		CHECK(v != NULL);
	json_free(v);
	return strbuf_steal(&err);
}

/* Parse @in and write it back. */
static char *roundtrip(const char *in)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct json_value *v = NULL;

	if (json_parse(in, &v, &err)) {
		strbuf_free(&out);
		return strbuf_steal(&err);
	}
	strbuf_free(&err);
	json_write(v, &out);
	json_free(v);
	return strbuf_steal(&out);
}

#define CHECK_ERR(in, text)                                               \
	do {                                                              \
		char *e_ = perr(in);                                      \
		CHECK_STR(e_, text);                                      \
		free(e_);                                                 \
	} while (0)

#define CHECK_RT(in, text)                                                \
	do {                                                              \
		char *e_ = roundtrip(in);                                 \
		CHECK_STR(e_, text);                                      \
		free(e_);                                                 \
	} while (0)

static void test_errors(void)
{
	CHECK_ERR("{", "JSON parse error, premature EOI");
	CHECK_ERR("{\"a\"}", "JSON parse error, missing : in object pair");
	CHECK_ERR("{\"a\":}", "JSON parse error, expecting value");
	CHECK_ERR("{\"a\":1 \"b\":2}",
		  "JSON parse error, expected separator in dict");
	CHECK_ERR("{1:2}", "JSON parse error, key is not a string in object");
	CHECK_ERR("{\"a\":tru}", "JSON parse error, invalid keyword 'tru'");
	CHECK_ERR("{\"a\":[1,]}", "JSON parse error, expecting value");
	CHECK_ERR("{\"a\":[1 2]}",
		  "JSON parse error, expected separator in list");
	CHECK_ERR("{\"a\":\"\\q\"}",
		  "JSON parse error, invalid escape sequence in string");
	CHECK_ERR("{\"a\":\"\\u00\"}", "JSON parse error, \\u00\" is not a "
		  "valid Unicode character");
	CHECK_ERR("{\"a\":01}", "JSON parse error, stray '01'");
	CHECK_ERR("{\"a\":1.}", "JSON parse error, stray '1.}'");
	CHECK_ERR("{\"a\":-}", "JSON parse error, stray '-}'");
	CHECK_ERR("{\"a\":\"x}", "JSON parse error, stray '\"x}'");
	CHECK_ERR("{\"a\":1}}", "Expecting at most one JSON value");
	CHECK_ERR("{\"a\":1},", "Expecting at most one JSON value");
	CHECK_ERR("{} {}", "Expecting at most one JSON value");
	CHECK_ERR("{\"a\":@}", "JSON parse error, stray '@'");
	CHECK_ERR("{\"a\":[1}", "JSON parse error, expected separator in list");
	CHECK_ERR("{\"a\":{\"b\":1]}",
		  "JSON parse error, expected separator in dict");
	CHECK_ERR("{\"a\":\"\\ud800\"}", "JSON parse error, \\ud800 is not a "
		  "valid Unicode character");
	CHECK_ERR("{\"a\":\"\\uD83Dx\"}", "JSON parse error, \\uD83D is not a "
		  "valid Unicode character");
	CHECK_ERR("{\"a\":\"\\uffff\"}", "JSON parse error, \\uffff is not a "
		  "valid Unicode character");
	CHECK_ERR("{\"a\":\"\\u12G4\"}", "JSON parse error, \\u12G4 is not a "
		  "valid Unicode character");
	CHECK_ERR("{\"a\":1,\"a\":2}", "JSON parse error, duplicate key");
	CHECK_ERR("{\"a\":True}", "JSON parse error, stray 'T'");
	CHECK_ERR("{\"a\":1x}", "JSON parse error, expected separator in dict");
	CHECK_ERR("{\"a\":-01}", "JSON parse error, stray '-01'");
	CHECK_ERR("{\"a\":1e}", "JSON parse error, stray '1e}'");
	CHECK_ERR("{\"a\":1e+}", "JSON parse error, stray '1e+}'");
	CHECK_ERR("{\"a\":.5}", "JSON parse error, stray '.'");
	CHECK_ERR("{\"a\":\"x\ty\"}", "JSON parse error, stray '\"x\t'");
	CHECK_ERR("{\"a\":\"x", "JSON parse error, stray '\"x'");
	CHECK_ERR("{\"a\":1", "JSON parse error, premature EOI");
	CHECK_ERR("{\"a\":[", "JSON parse error, premature EOI");
	CHECK_ERR("{\"a\":tr", "JSON parse error, invalid keyword 'tr'");
	CHECK_ERR("{\"a\":\"\xff\"}", "JSON parse error, stray '\"\xff'");
	CHECK_ERR("{\"a\":\"\xc3\"}",
		  "JSON parse error, invalid UTF-8 sequence in string");
	CHECK_ERR("", "Expecting a JSON value");
}

static void test_values(void)
{
	struct strbuf err = STRBUF_INIT;
	struct json_value *v = NULL;

	CHECK(json_parse("{'type':'user','id':'j\\'0', \"n\": -5, "
			 "\"u\": 18446744073709551615, \"d\": 1.5, "
			 "\"big\": 123456789012345678901234567890, "
			 "\"b\": true, \"z\": null, \"l\": [1, [], {}]}",
			 &v, &err) == 0);
	CHECK_STR(json_object_get_str(v, "type"), "user");
	CHECK_STR(json_object_get_str(v, "id"), "j'0");
	CHECK(json_object_get(v, "n")->type == JSON_INT);
	CHECK_EQ_INT(json_object_get(v, "n")->u.i, -5);
	CHECK(json_object_get(v, "u")->type == JSON_UINT);
	CHECK(json_object_get(v, "d")->type == JSON_DOUBLE);
	CHECK(json_object_get(v, "big")->type == JSON_DOUBLE);
	CHECK(json_object_get(v, "b")->type == JSON_BOOL);
	CHECK(json_object_get(v, "z")->type == JSON_NULL);
	CHECK_EQ_INT(json_object_get(v, "l")->u.arr.n, 3);
	CHECK(json_object_get(v, "missing") == NULL);
	CHECK(json_object_del(v, "z") == 0);
	CHECK(json_object_del(v, "z") == -ENOENT);
	json_free(v);
	strbuf_free(&err);
}

static void test_writer(void)
{
	CHECK_RT("{}", "{}");
	CHECK_RT("{\"return\":{}}", "{\"return\": {}}");
	CHECK_RT("{\"a\":[1,2,{\"b\":null}],\"c\":false}",
		 "{\"a\": [1, 2, {\"b\": null}], \"c\": false}");
	CHECK_RT("{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u00e9/\"}",
		 "{\"s\": \"a\\\"b\\\\c\\n\\u0001\\u00E9/\"}");
	CHECK_RT("{\"s\":\"\\ud83d\\ude00\"}", "{\"s\": \"\\uD83D\\uDE00\"}");
	CHECK_RT("{\"s\":\"\\u0000\"}", "{\"s\": \"\\u0000\"}");
	CHECK_RT("{\"n\":-9223372036854775808,\"u\":9223372036854775808}",
		 "{\"n\": -9223372036854775808, \"u\": 9223372036854775808}");
	CHECK_RT("{\"d\":0.5}", "{\"d\": 0.5}");
}

static void test_tree(void)
{
	struct json_value *o = json_new_object(), *c;

	CHECK(json_object_set(o, "a", json_new_int(1)) == 0);
	CHECK(json_object_set(o, "b", json_new_string("x")) == 0);
	CHECK(json_object_set(o, "a", json_new_bool(true)) == 0);
	CHECK_EQ_INT(o->u.obj.n, 2);
	CHECK_STR(o->u.obj.m[0].key, "a");
	CHECK(json_object_get(o, "a")->type == JSON_BOOL);
	c = json_clone(o);
	json_free(json_object_take(o, "a"));
	CHECK_EQ_INT(o->u.obj.n, 1);
	CHECK_EQ_INT(c->u.obj.n, 2);
	CHECK(json_object_set(o, "x", NULL) == -ENOMEM);
	json_free(o);
	json_free(c);
}

static void test_nesting(void)
{
	char *deep = malloc(3000);
	int i;

	for (i = 0; i < 1100; i++)
		deep[i] = '[';
	deep[1100] = '\0';
	deep[0] = '{';
	CHECK_ERR(deep, "JSON nesting depth limit exceeded");
	free(deep);
}

int main(void)
{
	RUN(test_errors);
	RUN(test_values);
	RUN(test_writer);
	RUN(test_tree);
	RUN(test_nesting);
	return check_report();
}
