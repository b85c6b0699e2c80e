// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the option grammars and the table-driven visitor. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ndtypes.h"
#include "ctl/qopts.h"
#include "ctl/schema.h"
#include "tests/unit/ctl/check.h"

static void test_qopts_basic(void)
{
	struct diag_list dl = { 0 };
	struct qopts *o = qopts_new();

	CHECK(qopts_parse(o, "user,id=n0,hostname=a,,b,,,restrict=on,id=n1",
			  "type", &dl) == 0);
	CHECK_STR(o->id, "n0");
	CHECK_STR(qopts_get(o, "type"), "user");
	CHECK_STR(qopts_get(o, "hostname"), "a,b,");
	CHECK_STR(qopts_get(o, "restrict"), "on");
	CHECK_EQ_INT(dl.n, 0);
	qopts_free(o);

	/* the first element without '=' is the implied key, even if empty */
	o = qopts_new();
	CHECK(qopts_parse(o, ",id=a", "type", &dl) == 0);
	CHECK_STR(qopts_get(o, "type"), "");
	qopts_free(o);

	/* repeats are kept; readers take the last */
	o = qopts_new();
	CHECK(qopts_parse(o, "user,dnssearch=a,dnssearch=b,type=tap", "type",
			  &dl) == 0);
	CHECK_EQ_INT(o->n, 4);
	CHECK_STR(qopts_get(o, "type"), "tap");
	CHECK_STR(qopts_get(o, "dnssearch"), "b");
	qopts_unset(o, "dnssearch");
	CHECK(qopts_get(o, "dnssearch") == NULL);
	qopts_free(o);
	diag_reset(&dl);
}

static void test_qopts_flags(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = { 0 };
	struct qopts *o = qopts_new();

	CHECK(qopts_parse(o, "user,restrict,noipv6,help", "type", &dl) == 0);
	CHECK_STR(qopts_get(o, "restrict"), "on");
	CHECK_STR(qopts_get(o, "ipv6"), "off");
	CHECK(qopts_has_help(o));
	CHECK_EQ_INT(dl.n, 2);	/* no warning for help */
	diag_format_all(&dl, "qnet", &sb);
	CHECK_STR(strbuf_str(&sb),
		  "qnet: warning: short-form boolean option 'restrict' "
		  "deprecated\nPlease use restrict=on instead\n"
		  "qnet: warning: short-form boolean option 'noipv6' "
		  "deprecated\nPlease use ipv6=off instead\n");
	strbuf_free(&sb);
	qopts_free(o);
	diag_reset(&dl);
}

static void test_qopts_ids(void)
{
	struct qopts_list l = { .name = "netdev" };
	struct diag_list dl = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct qopts *o;

	CHECK(qopts_list_parse(&l, "user,id=n0", "type", &dl, &o) == 0);
	CHECK(qopts_list_parse(&l, "user,id=n0", "type", &dl, &o) == -EINVAL);
	CHECK(qopts_list_parse(&l, "user,id=1x", "type", &dl, &o) == -EINVAL);
	CHECK(qopts_list_parse(&l, "user,id=", "type", &dl, &o) == -EINVAL);
	CHECK(qopts_list_parse(&l, "user,id=a-b.c_d", "type", &dl, &o) == 0);
	CHECK(qopts_list_find(&l, "a-b.c_d") == o);
	qopts_list_remove(&l, o);
	CHECK(qopts_list_find(&l, "a-b.c_d") == NULL);
	diag_format_all(&dl, "qnet", &sb);
	CHECK_STR(strbuf_str(&sb),
		  "qnet: Duplicate ID 'n0' for netdev\n"
		  "qnet: Parameter 'id' expects an identifier\n"
		  "Identifiers consist of letters, digits, '-', '.', '_', "
		  "starting with a letter.\n"
		  "qnet: Parameter 'id' expects an identifier\n"
		  "Identifiers consist of letters, digits, '-', '.', '_', "
		  "starting with a letter.\n");
	strbuf_free(&sb);
	qopts_list_free(&l);
	diag_reset(&dl);
}

/* keyval: error text of @in, "" on success */
static char *kv_err(const char *in)
{
	struct diag_list dl = { 0 };
	struct json_value *v = NULL;
	char *s;

	if (keyval_parse(in, "type", &v, &dl) == 0) {
		json_free(v);
		diag_reset(&dl);
		return strdup("");
	}
	s = strdup(diag_last_error(&dl)->msg);
	diag_reset(&dl);
	return s;
}

#define CHECK_KV(in, text)                                                \
	do {                                                              \
		char *e_ = kv_err(in);                                    \
		CHECK_STR(e_, text);                                      \
		free(e_);                                                 \
	} while (0)

static void test_keyval(void)
{
	struct diag_list dl = { 0 };
	struct json_value *v;
	const struct json_value *addr;

	CHECK(keyval_parse("stream,id=s,addr.type=unix,addr.path=a,,b,"
			   "server=on,server=off", "type", &v, &dl) == 0);
	CHECK_STR(json_object_get_str(v, "type"), "stream");
	addr = json_object_get(v, "addr");
	CHECK(addr && addr->type == JSON_OBJECT);
	CHECK_STR(json_object_get_str(addr, "path"), "a,b");
	CHECK_STR(json_object_get_str(v, "server"), "off");
	json_free(v);
	diag_reset(&dl);

	CHECK_KV("stream,id=s,server", "Expected '=' after parameter 'server'");
	CHECK_KV("stream,=x", "Invalid parameter ''");
	CHECK_KV("stream,a b=1", "Invalid parameter 'a b'");
	CHECK_KV("stream,addr=x,addr.type=unix",
		 "Parameters 'addr.*' used inconsistently");
	CHECK_KV("stream,addr.type=unix,addr=x",
		 "Parameters 'addr.*' used inconsistently");
	CHECK_KV("stream,id=s,help", "Help is not available for this option");
	CHECK_KV("stream,id=s,,x", "");
}

/* Visit @in (QemuOpts form) as a Netdev; return the error or "". */
static char *visit_opts(const char *in)
{
	struct diag_list dl = { 0 };
	struct json_value *v = NULL;
	struct qopts *o = qopts_new();
	char *s;

	qopts_parse(o, in, "type", NULL);
	if (schema_visit_opts(&ndtypes_netdev, o, &v, &dl) == 0)
		s = strdup("");
	else
		s = strdup(diag_last_error(&dl)->msg);
	json_free(v);
	qopts_free(o);
	diag_reset(&dl);
	return s;
}

/* Visit @in (JSON) as a Netdev; return the error or "". */
static char *visit_json(const char *in)
{
	struct strbuf err = STRBUF_INIT;
	struct diag_list dl = { 0 };
	struct json_value *t = NULL, *v = NULL;
	char *s;

	if (json_parse(in, &t, &err))
		return strbuf_steal(&err);
	strbuf_free(&err);
	if (schema_visit_tree(&ndtypes_netdev, t, SCHEMA_JSON, &v, &dl) == 0)
		s = strdup("");
	else
		s = strdup(diag_last_error(&dl)->msg);
	json_free(v);
	json_free(t);
	diag_reset(&dl);
	return s;
}

#define CHECK_VISIT(fn, in, text)                                         \
	do {                                                              \
		char *e_ = fn(in);                                        \
		CHECK_STR(e_, text);                                      \
		free(e_);                                                 \
	} while (0)

static void test_visit_opts(void)
{
	CHECK_VISIT(visit_opts, "user,id=n0,foo=bar",
		    "Invalid parameter 'foo'");
	CHECK_VISIT(visit_opts, "user", "Parameter 'id' is missing");
	CHECK_VISIT(visit_opts, "id=n0", "Parameter 'type' is missing");
	CHECK_VISIT(visit_opts, "bogus,id=x",
		    "Parameter 'type' does not accept value 'bogus'");
	CHECK_VISIT(visit_opts, "user,id=n0,restrict=maybe",
		    "Parameter 'restrict' expects 'on' or 'off'");
	CHECK_VISIT(visit_opts, "user,id=n0,restrict=maybe,foo=1",
		    "Parameter 'restrict' expects 'on' or 'off'");
	CHECK_VISIT(visit_opts, "user,id=n0,restrict=y", "");
	CHECK_VISIT(visit_opts, "user,id=n0,restrict=false", "");
	CHECK_VISIT(visit_opts, "user,id=n0,restrict=ON",
		    "Parameter 'restrict' expects 'on' or 'off'");
	CHECK_VISIT(visit_opts, "tap,id=t,sndbuf=abc",
		    "Parameter 'sndbuf' expects a size value");
	CHECK_VISIT(visit_opts, "tap,id=t,sndbuf=1.5k", "");
	CHECK_VISIT(visit_opts, "tap,id=t,queues=-1",
		    "Parameter 'queues' expects a uint64 value");
	CHECK_VISIT(visit_opts, "tap,id=t,queues=99999999999",
		    "Parameter 'queues' expects uint32_t");
	CHECK_VISIT(visit_opts, "hubport,id=h,hubid=abc",
		    "Parameter 'hubid' expects an int64 value");
	CHECK_VISIT(visit_opts, "hubport,id=h,hubid=2147483648",
		    "Parameter 'hubid' expects int32_t");
	CHECK_VISIT(visit_opts, "hubport,id=h,hubid=0x10", "");
	CHECK_VISIT(visit_opts, "hubport,id=h",
		    "Parameter 'hubid' is missing");
	CHECK_VISIT(visit_opts, "vde,id=v,port=70000",
		    "Parameter 'port' expects uint16_t");
	CHECK_VISIT(visit_opts, "user,id=n,help", "Invalid parameter 'help'");
	CHECK_VISIT(visit_opts, "af-xdp,id=x,ifname=eth0,mode=skb", "");
	CHECK_VISIT(visit_opts, "af-xdp,id=x,ifname=eth0,mode=zc",
		    "Parameter 'mode' does not accept value 'zc'");
}

static void test_visit_json(void)
{
	CHECK_VISIT(visit_json, "{\"type\":\"user\",\"id\":\"j0\",\"foo\":1}",
		    "Parameter 'foo' is unexpected");
	CHECK_VISIT(visit_json, "{\"type\":\"user\"}",
		    "Parameter 'id' is missing");
	CHECK_VISIT(visit_json, "{\"type\":5,\"id\":\"j0\"}",
		    "Invalid parameter type for 'type', expected: string");
	CHECK_VISIT(visit_json, "{\"type\":\"user\",\"id\":\"j0\","
		    "\"restrict\":\"on\"}",
		    "Invalid parameter type for 'restrict', expected: boolean");
	CHECK_VISIT(visit_json, "{\"type\":\"hubport\",\"id\":\"j\","
		    "\"hubid\":1.5}",
		    "Invalid parameter type for 'hubid', expected: integer");
	CHECK_VISIT(visit_json, "{\"type\":\"hubport\",\"id\":\"j\","
		    "\"hubid\":4294967296}",
		    "Parameter 'hubid' expects int32_t");
	CHECK_VISIT(visit_json, "{\"type\":\"tap\",\"id\":\"j\","
		    "\"queues\":-1}", "Parameter 'queues' expects uint32_t");
	CHECK_VISIT(visit_json, "{\"type\":\"tap\",\"id\":\"j\","
		    "\"sndbuf\":\"1k\"}", "Parameter 'sndbuf' expects uint64");
	CHECK_VISIT(visit_json, "{\"type\":\"user\",\"id\":\"j\","
		    "\"dnssearch\":[\"a\"]}",
		    "Invalid parameter type for 'dnssearch[0]', expected: "
		    "object");
	CHECK_VISIT(visit_json, "{\"type\":\"user\",\"id\":\"j\","
		    "\"dnssearch\":[{}]}",
		    "Parameter 'dnssearch[0].str' is missing");
	CHECK_VISIT(visit_json, "{\"type\":\"user\",\"id\":\"j\","
		    "\"hostfwd\":[{\"str\":\"tcp::1-:2\",\"x\":1}]}",
		    "Parameter 'hostfwd[0].x' is unexpected");
	CHECK_VISIT(visit_json, "{\"type\":\"stream\",\"id\":\"s\","
		    "\"addr\":{\"type\":\"inet\",\"host\":\"h\"}}",
		    "Parameter 'addr.port' is missing");
	CHECK_VISIT(visit_json, "{\"type\":\"stream\",\"id\":\"s\","
		    "\"addr\":{\"type\":\"unix\",\"path\":\"p\",\"q\":1}}",
		    "Parameter 'addr.q' is unexpected");
	CHECK_VISIT(visit_json, "{\"type\":\"stream\",\"id\":\"s\","
		    "\"addr\":\"x\"}",
		    "Invalid parameter type for 'addr', expected: object");
	CHECK_VISIT(visit_json, "{\"type\":\"user\",\"id\":\"1x\"}", "");
}

static void test_typed_value(void)
{
	struct diag_list dl = { 0 };
	struct json_value *v = NULL;
	struct qopts *o = qopts_new();
	const struct json_value *l;

	qopts_parse(o, "user,id=u,restrict=yes,dnssearch=a,dnssearch=b,"
		    "ipv6-prefixlen=0x20", "type", NULL);
	CHECK(schema_visit_opts(&ndtypes_netdev, o, &v, &dl) == 0);
	CHECK(json_object_get(v, "restrict")->type == JSON_BOOL);
	CHECK(json_object_get(v, "restrict")->u.b);
	l = json_object_get(v, "dnssearch");
	CHECK(l && l->type == JSON_ARRAY && l->u.arr.n == 2);
	CHECK_STR(l->u.arr.v[1]->u.s, "b");
	CHECK_EQ_INT(json_object_get(v, "ipv6-prefixlen")->u.i, 32);
	/* members come out in table order: id, type, then the type's own */
	CHECK_STR(v->u.obj.m[0].key, "id");
	CHECK_STR(v->u.obj.m[1].key, "type");
	CHECK_STR(v->u.obj.m[2].key, "restrict");
	json_free(v);
	qopts_free(o);
	diag_reset(&dl);
}

static void test_numbers(void)
{
	uint64_t u;
	int64_t i;
	bool b;

	CHECK(schema_parse_int("010", &i) == 0 && i == 8);
	CHECK(schema_parse_int("-0x10", &i) == 0 && i == -16);
	CHECK(schema_parse_int("1-3", &i) == -EINVAL);
	CHECK(schema_parse_int("", &i) == -EINVAL);
	CHECK(schema_parse_uint("-1", &u, false) == -EINVAL);
	CHECK(schema_parse_uint("-1", &u, true) == 0 && u == UINT64_MAX);
	CHECK(schema_parse_uint("18446744073709551616", &u, false) == -ERANGE);
	CHECK(schema_parse_size("1k", &u) == 0 && u == 1024);
	CHECK(schema_parse_size("2M", &u) == 0 && u == 2 << 20);
	CHECK(schema_parse_size("1.5K", &u) == 0 && u == 1536);
	CHECK(schema_parse_size("1.5", &u) == -EINVAL);
	CHECK(schema_parse_size("0x10", &u) == 0 && u == 16);
	CHECK(schema_parse_size("1x", &u) == -EINVAL);
	CHECK(schema_parse_size("-1", &u) == -EINVAL);
	CHECK(schema_parse_bool("n", &b) == 0 && !b);
	CHECK(schema_parse_bool("true", &b) == 0 && b);
	CHECK(schema_parse_bool("On", &b) == -EINVAL);
}

static void test_tables(void)
{
	const struct schema_field *tf = schema_find(ndtypes_netdev.base,
						    "type");
	size_t i;

	/* the discriminator's values and the types table agree */
	for (i = 0; tf->values[i]; i++) {
		const struct ndtype *t = ndtypes_find(tf->values[i]);

		CHECK(t != NULL);
		if (t)
			CHECK(schema_variant(&ndtypes_netdev, t->name) ==
			      t->opts);
	}
	CHECK(ndtypes_find("af-xdp") &&
	      (ndtypes_find("af-xdp")->flags & NDT_QNET));
	CHECK(schema_find(ndtypes_find("user")->opts, "hostfwd")->kind ==
	      SK_STRLIST);
	CHECK(ndtypes_find("bridge") &&
	      !strcmp(ndtypes_find("bridge")->info_type, "tap"));
}

int main(void)
{
	RUN(test_qopts_basic);
	RUN(test_qopts_flags);
	RUN(test_qopts_ids);
	RUN(test_keyval);
	RUN(test_visit_opts);
	RUN(test_visit_json);
	RUN(test_typed_value);
	RUN(test_numbers);
	RUN(test_tables);
	return check_report();
}
