// SPDX-License-Identifier: GPL-2.0-or-later
/* Small JSON tree: construction, lookup, copy and release. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ctl/json.h"

/* ---------------------------------------------------------------- tree */

static struct json_value *json_alloc(enum json_type type)
{
	struct json_value *v = calloc(1, sizeof(*v));

	if (v)
		v->type = type;
	return v;
}

/** json_new_null() - Return: a new JSON null, or NULL on allocation failure */
struct json_value *json_new_null(void)
{
	return json_alloc(JSON_NULL);
}

/**
 * json_new_bool() - new boolean
 * @b:	value
 *
 * Return: the value, or NULL on allocation failure
 */
struct json_value *json_new_bool(bool b)
{
	struct json_value *v = json_alloc(JSON_BOOL);

	if (v)
		v->u.b = b;
	return v;
}

/**
 * json_new_int() - new signed integer
 * @i:	value
 *
 * Return: the value, or NULL on allocation failure
 */
struct json_value *json_new_int(int64_t i)
{
	struct json_value *v = json_alloc(JSON_INT);

	if (v)
		v->u.i = i;
	return v;
}

/**
 * json_new_uint() - new unsigned integer (stored as JSON_INT when it fits)
 * @u:	value
 *
 * Return: the value, or NULL on allocation failure
 */
struct json_value *json_new_uint(uint64_t u)
{
	struct json_value *v;

	if (u <= INT64_MAX)
		return json_new_int((int64_t)u);
	v = json_alloc(JSON_UINT);
	if (v)
		v->u.u = u;
	return v;
}

/**
 * json_new_double() - new floating-point number
 * @d:	value
 *
 * Return: the value, or NULL on allocation failure
 */
struct json_value *json_new_double(double d)
{
	struct json_value *v = json_alloc(JSON_DOUBLE);

	if (v)
		v->u.d = d;
	return v;
}

/**
 * json_new_stringn() - new string from @n bytes
 * @s:	bytes
 * @n:	count
 *
 * Return: the value, or NULL on allocation failure
 */
struct json_value *json_new_stringn(const char *s, size_t n)
{
	struct json_value *v = json_alloc(JSON_STRING);

	if (!v)
		return NULL;
	v->u.s = malloc(n + 1);
	if (!v->u.s) {
		free(v);
		return NULL;
	}
	memcpy(v->u.s, s, n);
	v->u.s[n] = '\0';
	return v;
}

/**
 * json_new_string() - new string
 * @s:	NUL-terminated text
 *
 * Return: the value, or NULL on allocation failure
 */
struct json_value *json_new_string(const char *s)
{
	return json_new_stringn(s, strlen(s));
}

/** json_new_array() - Return: a new empty array, or NULL */
struct json_value *json_new_array(void)
{
	return json_alloc(JSON_ARRAY);
}

/** json_new_object() - Return: a new empty object, or NULL */
struct json_value *json_new_object(void)
{
	return json_alloc(JSON_OBJECT);
}

/**
 * json_free() - free a value and everything it owns
 * @v:	value, may be NULL
 */
void json_free(struct json_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case JSON_STRING:
		free(v->u.s);
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->u.arr.n; i++)
			json_free(v->u.arr.v[i]);
		free(v->u.arr.v);
		break;
	case JSON_OBJECT:
		for (i = 0; i < v->u.obj.n; i++) {
			free(v->u.obj.m[i].key);
			json_free(v->u.obj.m[i].val);
		}
		free(v->u.obj.m);
		break;
	default:
		break;
	}
	free(v);
}

/**
 * json_clone() - deep copy
 * @v:	value, may be NULL
 *
 * Return: the copy, or NULL (for a NULL @v or on allocation failure)
 */
struct json_value *json_clone(const struct json_value *v)
{
	struct json_value *c;
	size_t i;

	if (!v)
		return NULL;
	switch (v->type) {
	case JSON_STRING:
		return json_new_string(v->u.s);
	case JSON_ARRAY:
		c = json_new_array();
		for (i = 0; c && i < v->u.arr.n; i++) {
			if (json_array_append(c, json_clone(v->u.arr.v[i]))) {
				json_free(c);
				return NULL;
			}
		}
		return c;
	case JSON_OBJECT:
		c = json_new_object();
		for (i = 0; c && i < v->u.obj.n; i++) {
			if (json_object_set(c, v->u.obj.m[i].key,
					    json_clone(v->u.obj.m[i].val))) {
				json_free(c);
				return NULL;
			}
		}
		return c;
	default:
		c = json_alloc(v->type);
		if (c)
			c->u = v->u;
		return c;
	}
}

/**
 * json_array_append() - append @v to @arr, taking ownership of @v
 * @arr:	array
 * @v:		value; freed on failure. NULL (a failed allocation) fails.
 *
 * Return: 0, or -ENOMEM
 */
int json_array_append(struct json_value *arr, struct json_value *v)
{
	struct json_value **nv;
	size_t cap;

	if (!v)
		return -ENOMEM;
	if (arr->u.arr.n == arr->u.arr.cap) {
		cap = arr->u.arr.cap ? 2 * arr->u.arr.cap : 4;
		nv = realloc(arr->u.arr.v, cap * sizeof(*nv));
		if (!nv) {
			json_free(v);
			return -ENOMEM;
		}
		arr->u.arr.v = nv;
		arr->u.arr.cap = cap;
	}
	arr->u.arr.v[arr->u.arr.n++] = v;
	return 0;
}

static ssize_t json_object_index(const struct json_value *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != JSON_OBJECT)
		return -1;
	for (i = 0; i < obj->u.obj.n; i++)
		if (!strcmp(obj->u.obj.m[i].key, key))
			return (ssize_t)i;
	return -1;
}

/**
 * json_object_set() - set member @key, replacing an existing one in place
 * @obj:	object
 * @key:	member name (copied)
 * @v:		value, owned by @obj afterwards; freed on failure
 *
 * Return: 0, or -ENOMEM
 */
int json_object_set(struct json_value *obj, const char *key,
		    struct json_value *v)
{
	struct json_member *nm;
	ssize_t idx;
	size_t cap;
	char *k;

	if (!v)
		return -ENOMEM;
	idx = json_object_index(obj, key);
	if (idx >= 0) {
		json_free(obj->u.obj.m[idx].val);
		obj->u.obj.m[idx].val = v;
		return 0;
	}
	k = strdup(key);
	if (!k)
		goto err;
	if (obj->u.obj.n == obj->u.obj.cap) {
		cap = obj->u.obj.cap ? 2 * obj->u.obj.cap : 4;
		nm = realloc(obj->u.obj.m, cap * sizeof(*nm));
		if (!nm)
			goto err;
		obj->u.obj.m = nm;
		obj->u.obj.cap = cap;
	}
	obj->u.obj.m[obj->u.obj.n].key = k;
	obj->u.obj.m[obj->u.obj.n].val = v;
	obj->u.obj.n++;
	return 0;
err:
	free(k);
	json_free(v);
	return -ENOMEM;
}

/**
 * json_object_get() - look up a member
 * @obj:	object (anything else, or NULL, has no members)
 * @key:	member name
 *
 * Return: the member's value (still owned by @obj), or NULL
 */
struct json_value *json_object_get(const struct json_value *obj,
				   const char *key)
{
	ssize_t idx = json_object_index(obj, key);

	return idx < 0 ? NULL : obj->u.obj.m[idx].val;
}

/**
 * json_object_take() - remove a member and hand its value to the caller
 * @obj:	object
 * @key:	member name
 *
 * Return: the value (the caller owns it), or NULL if absent
 */
struct json_value *json_object_take(struct json_value *obj, const char *key)
{
	ssize_t idx = json_object_index(obj, key);
	struct json_value *v;

	if (idx < 0)
		return NULL;
	v = obj->u.obj.m[idx].val;
	free(obj->u.obj.m[idx].key);
	memmove(&obj->u.obj.m[idx], &obj->u.obj.m[idx + 1],
		(obj->u.obj.n - (size_t)idx - 1) * sizeof(obj->u.obj.m[0]));
	obj->u.obj.n--;
	return v;
}

/**
 * json_object_del() - remove and free a member
 * @obj:	object
 * @key:	member name
 *
 * Return: 0, or -ENOENT if absent
 */
int json_object_del(struct json_value *obj, const char *key)
{
	struct json_value *v = json_object_take(obj, key);

	if (!v)
		return -ENOENT;
	json_free(v);
	return 0;
}

/**
 * json_object_get_str() - a string member
 * @obj:	object
 * @key:	member name
 *
 * Return: the string, or NULL if absent or not a string
 */
const char *json_object_get_str(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_object_get(obj, key);

	return v && v->type == JSON_STRING ? v->u.s : NULL;
}

