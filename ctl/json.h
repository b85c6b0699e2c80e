// SPDX-License-Identifier: GPL-2.0-or-later
/* Small strict JSON tree, parser (QEMU's dialect and texts) and writer. */
#ifndef QNET_CTL_JSON_H
#define QNET_CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/strbuf.h"

/*
 * DOC: JSON dialect
 *
 * The parser accepts what QEMU's QMP/CLI JSON parser accepts: RFC 8259 JSON
 * plus single-quoted strings and the \' escape. Integers that fit int64 are
 * JSON_INT, larger non-negative ones that fit uint64 are JSON_UINT, the rest
 * (and anything with a fraction or exponent) JSON_DOUBLE. Object keys are
 * unique ("duplicate key" otherwise) and keep their order. Strings are
 * stored as modified UTF-8 (U+0000 is the two bytes C0 80), exactly as QEMU
 * stores them, so a string never contains a NUL byte. Nesting is limited to
 * 1024 levels. Error texts are QEMU's ("JSON parse error, premature EOI",
 * "Expecting at most one JSON value", ...).
 */

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,
	JSON_UINT,
	JSON_DOUBLE,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
	JSON_TYPE_COUNT
};

struct json_value;

/**
 * struct json_member - one key/value pair of an object
 * @key:	member name (NUL-terminated, owned)
 * @val:	member value (owned)
 */
struct json_member {
	char *key;
	struct json_value *val;
};

/**
 * struct json_value - a JSON value
 * @type:	which member of @u is valid
 * @u.b:	JSON_BOOL
 * @u.i:	JSON_INT
 * @u.u:	JSON_UINT (always > INT64_MAX)
 * @u.d:	JSON_DOUBLE
 * @u.s:	JSON_STRING (NUL-terminated, owned)
 * @u.arr:	JSON_ARRAY: @v[@n] (owned)
 * @u.obj:	JSON_OBJECT: @m[@n] in insertion order (owned)
 */
struct json_value {
	enum json_type type;
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double d;
		char *s;
		struct {
			struct json_value **v;
			size_t n, cap;
		} arr;
		struct {
			struct json_member *m;
			size_t n, cap;
		} obj;
	} u;
};

#define JSON_MAX_NESTING 1024

int json_parse(const char *text, struct json_value **out, struct strbuf *err);

struct json_value *json_new_null(void);
struct json_value *json_new_bool(bool b);
struct json_value *json_new_int(int64_t i);
struct json_value *json_new_uint(uint64_t u);
struct json_value *json_new_double(double d);
struct json_value *json_new_string(const char *s);
struct json_value *json_new_stringn(const char *s, size_t n);
struct json_value *json_new_array(void);
struct json_value *json_new_object(void);
struct json_value *json_clone(const struct json_value *v);
void json_free(struct json_value *v);

int json_array_append(struct json_value *arr, struct json_value *v);
int json_object_set(struct json_value *obj, const char *key,
		    struct json_value *v);
struct json_value *json_object_get(const struct json_value *obj,
				   const char *key);
struct json_value *json_object_take(struct json_value *obj, const char *key);
int json_object_del(struct json_value *obj, const char *key);
const char *json_object_get_str(const struct json_value *obj,
				const char *key);

const char *json_type_name(enum json_type t);
int json_write(const struct json_value *v, struct strbuf *out);
int json_write_string(const char *s, struct strbuf *out);

#endif /* QNET_CTL_JSON_H */
