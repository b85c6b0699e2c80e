// SPDX-License-Identifier: GPL-2.0-or-later
/* The table-driven visitor: validates option input with QEMU's error texts. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/schema.h"

/*
 * DOC: visitor error texts
 *
 * QEMU validates its three input forms with three visitors, each with its
 * own wording; schema_convert() reproduces them:
 *
 * - OPTS: unknown key "Invalid parameter 'k'"; bad boolean "Parameter
 *   'k' expects 'on' or 'off'"; bad number "Parameter 'k' expects an int64
 *   value" / "a uint64 value" / "a size value".
 * - KEYVAL: unknown key "Parameter 'k' is unexpected"; bad boolean as
 *   OPTS; bad number "Parameter 'k' expects integer" / "size".
 * - JSON: unknown key as KEYVAL; wrong type "Invalid parameter type for
 *   'k', expected: boolean" (string, integer, object, array); a bad
 *   unsigned number "Parameter 'k' expects uint64".
 *
 * Missing members are "Parameter 'k' is missing" everywhere. Nested names
 * are spelled "addr.port" and "hostfwd[0].str", except in the two texts
 * QEMU writes with the bare member name: range errors ("Parameter 'hubid'
 * expects int32_t") and enum values ("Parameter 'type' does not accept
 * value 'x'"). Members are visited in table order and unknown keys are
 * reported after the last member; when several keys are unknown, qnet
 * names the first one in input order (QEMU's choice depends on a hash).
 */

/**
 * schema_find() - field of @s named @name
 * @s:		struct, may be NULL
 * @name:	key
 *
 * Return: the field, or NULL
 */
const struct schema_field *schema_find(const struct schema_struct *s,
				       const char *name)
{
	size_t i;

	for (i = 0; s && i < s->nfields; i++)
		if (!strcmp(s->fields[i].name, name))
			return &s->fields[i];
	return NULL;
}

/**
 * schema_variant() - the variant of @u selected by discriminator value @tag
 * @u:		union
 * @tag:	discriminator value
 *
 * Return: the variant's struct, or NULL when it has no members (or @tag
 * is unknown)
 */
const struct schema_struct *schema_variant(const struct schema_union *u,
					   const char *tag)
{
	const struct schema_field *f = schema_find(u->base, u->tag);
	size_t i;

	for (i = 0; f && tag && f->values[i]; i++)
		if (!strcmp(f->values[i], tag))
			return u->variants[i];
	return NULL;
}

static int range_check(const struct schema_field *f, struct json_value *v,
		       struct diag_list *dl)
{
	int64_t lo, hi;
	uint64_t max;

	if (f->width >= 64 || f->width == 0)
		return 0;
	if (f->kind == SK_INT) {
		hi = (INT64_C(1) << (f->width - 1)) - 1;
		lo = -hi - 1;
		if (v->type == JSON_INT && v->u.i >= lo && v->u.i <= hi)
			return 0;
		return diag_error(dl, "Parameter '%s' expects int%u_t",
				  f->name, f->width);
	}
	max = (UINT64_C(1) << f->width) - 1;
	if (v->type == JSON_INT && v->u.i >= 0 && (uint64_t)v->u.i <= max)
		return 0;
	return diag_error(dl, "Parameter '%s' expects uint%u_t", f->name,
			  f->width);
}

static int bad_type(struct diag_list *dl, const char *path, const char *what)
{
	return diag_error(dl, "Invalid parameter type for '%s', expected: %s",
			  path, what);
}

/* KEYVAL and OPTS: a scalar given as text. */
static int convert_text(const struct schema_field *f, const char *path,
			const char *s, enum schema_mode mode,
			struct json_value **out, struct diag_list *dl)
{
	bool opts = mode == SCHEMA_OPTS, b;
	uint64_t u;
	int64_t i;

	switch (f->kind) {
	case SK_BOOL:
		if (schema_parse_bool(s, &b))
			return diag_error(dl, "Parameter '%s' expects 'on' or "
					  "'off'", path);
		*out = json_new_bool(b);
		return 0;
	case SK_INT:
		if (schema_parse_int(s, &i))
			return diag_error(dl, "Parameter '%s' expects %s", path,
					  opts ? "an int64 value" : "integer");
		*out = json_new_int(i);
		return 0;
	case SK_UINT:
		if (schema_parse_uint(s, &u, !opts))
			return diag_error(dl, "Parameter '%s' expects %s", path,
					  opts ? "a uint64 value" : "integer");
		*out = json_new_uint(u);
		return 0;
	case SK_SIZE:
		if (schema_parse_size(s, &u))
			return diag_error(dl, "Parameter '%s' expects %s", path,
					  opts ? "a size value" : "size");
		*out = json_new_uint(u);
		return 0;
	default:
		*out = json_new_string(s);
		return 0;
	}
}

/* JSON: a typed scalar. */
static int convert_json(const struct schema_field *f, const char *path,
			const struct json_value *in, struct json_value **out,
			struct diag_list *dl)
{
	switch (f->kind) {
	case SK_BOOL:
		if (in->type != JSON_BOOL)
			return bad_type(dl, path, "boolean");
		break;
	case SK_INT:
		if (in->type != JSON_INT)
			return bad_type(dl, path, "integer");
		break;
	case SK_UINT:
	case SK_SIZE:
		if (in->type == JSON_INT && in->u.i < 0) {
			*out = json_new_uint((uint64_t)in->u.i);
			return 0;
		}
		if (in->type != JSON_INT && in->type != JSON_UINT)
			return diag_error(dl, "Parameter '%s' expects uint64",
					  path);
		break;
	default:
		if (in->type != JSON_STRING)
			return bad_type(dl, path, "string");
		break;
	}
	*out = json_clone(in);
	return 0;
}

static int visit_union(const struct schema_union *u, const char *path,
		       const struct json_value *in, enum schema_mode mode,
		       struct json_value **out, struct diag_list *dl);

static char *join(const char *path, const char *name, long idx)
{
	struct strbuf sb = STRBUF_INIT;

	if (path)
		strbuf_puts(&sb, path);
	if (idx >= 0)
		strbuf_printf(&sb, "[%ld]", idx);
	else
		strbuf_printf(&sb, "%s%s", path ? "." : "", name ? name : "");
	return strbuf_steal(&sb);
}

/* A repeatable key given as a tree: [{"str": "a"}, ...]. */
static int convert_strlist(const char *path, const struct json_value *in,
			   struct json_value **out, struct diag_list *dl)
{
	struct json_value *arr;
	const struct json_value *e, *s;
	char *ep, *sp;
	int ret = 0;
	size_t i;

	if (in->type != JSON_ARRAY)
		return bad_type(dl, path, "array");
	arr = json_new_array();
	for (i = 0; arr && i < in->u.arr.n && !ret; i++) {
		e = in->u.arr.v[i];
		ep = join(path, NULL, (long)i);
		sp = join(ep, "str", -1);
		if (e->type != JSON_OBJECT) {
			ret = bad_type(dl, ep, "object");
		} else if (!(s = json_object_get(e, "str"))) {
			ret = diag_error(dl, "Parameter '%s' is missing", sp);
		} else if (s->type != JSON_STRING) {
			ret = bad_type(dl, sp, "string");
		} else if (e->u.obj.n > 1) {
			free(sp);
			sp = join(ep, strcmp(e->u.obj.m[0].key, "str") ?
				  e->u.obj.m[0].key : e->u.obj.m[1].key, -1);
			ret = diag_error(dl, "Parameter '%s' is unexpected",
					 sp);
		} else {
			ret = json_array_append(arr, json_new_string(s->u.s));
		}
		free(ep);
		free(sp);
	}
	if (ret || !arr) {
		json_free(arr);
		return ret ? ret : -ENOMEM;
	}
	*out = arr;
	return 0;
}

/**
 * schema_convert() - validate and convert one member value
 * @f:		the member's row
 * @path:	its full name, for error texts
 * @in:		the value as given (a string in OPTS/KEYVAL form)
 * @mode:	input form
 * @out:	the typed value
 * @dl:		errors
 *
 * Return: 0, or -EINVAL / -ENOMEM
 */
int schema_convert(const struct schema_field *f, const char *path,
		   const struct json_value *in, enum schema_mode mode,
		   struct json_value **out, struct diag_list *dl)
{
	size_t i;
	int ret;

	*out = NULL;
	if (f->kind == SK_STRUCT) {
		if (in->type != JSON_OBJECT)
			return bad_type(dl, path, "object");
		return visit_union(f->sub, path, in, mode, out, dl);
	}
	if (f->kind == SK_STRLIST)
		return convert_strlist(path, in, out, dl);
	if (mode != SCHEMA_JSON && in->type != JSON_STRING)
		return bad_type(dl, path, "string");
	if (mode == SCHEMA_JSON)
		ret = convert_json(f, path, in, out, dl);
	else
		ret = convert_text(f, path, in->u.s, mode, out, dl);
	if (ret)
		return ret;
	if (!*out)
		return -ENOMEM;
	if (f->kind == SK_INT || f->kind == SK_UINT) {
		ret = range_check(f, *out, dl);
	} else if (f->kind == SK_ENUM) {
		for (i = 0; f->values[i]; i++)
			if (!strcmp(f->values[i], (*out)->u.s))
				break;
		if (!f->values[i])
			ret = diag_error(dl, "Parameter '%s' does not accept "
					 "value '%s'", f->name, (*out)->u.s);
	}
	if (ret) {
		json_free(*out);
		*out = NULL;
	}
	return ret;
}

/* Visit the members of @s found in @in; mark them in @used. */
static int visit_members(const struct schema_struct *s, const char *path,
			 const struct json_value *in, enum schema_mode mode,
			 bool *used, struct json_value *out,
			 struct diag_list *dl)
{
	const struct schema_field *f;
	struct json_value *v;
	size_t i, j;
	char *fp;
	int ret;

	for (i = 0; s && i < s->nfields; i++) {
		f = &s->fields[i];
		fp = join(path, f->name, -1);
		for (j = 0; j < in->u.obj.n; j++)
			if (!strcmp(in->u.obj.m[j].key, f->name))
				break;
		if (j == in->u.obj.n) {
			ret = (f->flags & SF_REQUIRED) ?
			      diag_error(dl, "Parameter '%s' is missing",
					 fp) : 0;
		} else {
			used[j] = true;
			ret = schema_convert(f, fp, in->u.obj.m[j].val, mode,
					     &v, dl);
			if (!ret)
				ret = json_object_set(out, f->name, v);
		}
		free(fp);
		if (ret)
			return ret;
	}
	return 0;
}

static int visit_union(const struct schema_union *u, const char *path,
		       const struct json_value *in, enum schema_mode mode,
		       struct json_value **out, struct diag_list *dl)
{
	struct json_value *obj = json_new_object();
	bool *used = calloc(in->u.obj.n + 1, sizeof(*used));
	const struct schema_struct *var;
	size_t j;
	char *fp;
	int ret;

	if (!obj || !used) {
		ret = -ENOMEM;
		goto out;
	}
	ret = visit_members(u->base, path, in, mode, used, obj, dl);
	if (ret)
		goto out;
	var = u->tag ? schema_variant(u, json_object_get_str(obj, u->tag)) :
		       NULL;
	ret = visit_members(var, path, in, mode, used, obj, dl);
	if (ret)
		goto out;
	for (j = 0; j < in->u.obj.n; j++) {
		if (used[j])
			continue;
		fp = join(path, in->u.obj.m[j].key, -1);
		ret = diag_error(dl, "Parameter '%s' is unexpected", fp);
		free(fp);
		goto out;
	}
	*out = obj;
	obj = NULL;
out:
	free(used);
	json_free(obj);
	return ret;
}

/**
 * schema_visit_tree() - validate a KEYVAL or JSON object against @u
 * @u:		the union (Netdev, ObjectOptions, ...)
 * @in:		the input object
 * @mode:	SCHEMA_KEYVAL or SCHEMA_JSON
 * @out:	the typed value (caller frees)
 * @dl:		errors
 *
 * Return: 0, or -EINVAL / -ENOMEM
 */
int schema_visit_tree(const struct schema_union *u,
		      const struct json_value *in, enum schema_mode mode,
		      struct json_value **out, struct diag_list *dl)
{
	static const struct json_value empty = { .type = JSON_OBJECT };

	*out = NULL;
	/* QEMU visits a non-object as an object without members. */
	if (in->type != JSON_OBJECT)
		in = &empty;
	return visit_union(u, NULL, in, mode, out, dl);
}

/* OPTS form: one member, from the last element with its name. */
static int opts_member(const struct schema_field *f, const struct qopts *in,
		       bool *used, struct json_value *out,
		       struct diag_list *dl)
{
	struct json_value *v = NULL, *s;
	const char *last = NULL;
	size_t i;
	int ret;

	if (!strcmp(f->name, "id")) {
		last = in->id;
	} else if (f->kind != SK_STRUCT) {
		for (i = 0; i < in->n; i++) {
			if (strcmp(in->v[i].name, f->name))
				continue;
			used[i] = true;
			last = in->v[i].value;
		}
	}
	if (!last)
		return (f->flags & SF_REQUIRED) ?
		       diag_error(dl, "Parameter '%s' is missing", f->name) : 0;
	if (f->kind == SK_STRLIST) {
		v = json_new_array();
		for (i = 0; v && i < in->n; i++)
			if (!strcmp(in->v[i].name, f->name) &&
			    json_array_append(v,
					      json_new_string(in->v[i].value)))
				break;
		if (!v || i < in->n) {
			json_free(v);
			return -ENOMEM;
		}
		return json_object_set(out, f->name, v);
	}
	s = json_new_string(last);
	if (!s)
		return -ENOMEM;
	ret = schema_convert(f, f->name, s, SCHEMA_OPTS, &v, dl);
	json_free(s);
	if (ret)
		return ret;
	return json_object_set(out, f->name, v);
}

/**
 * schema_visit_opts() - validate a QemuOpts option set against @u
 * @u:		the union
 * @in:		parsed QemuOpts (its id is the "id" member)
 * @out:	the typed value (caller frees)
 * @dl:		errors
 *
 * Return: 0, or -EINVAL / -ENOMEM
 */
int schema_visit_opts(const struct schema_union *u, const struct qopts *in,
		      struct json_value **out, struct diag_list *dl)
{
	const struct schema_struct *parts[2] = { u->base, NULL };
	struct json_value *obj = json_new_object();
	bool *used = calloc(in->n + 1, sizeof(*used));
	size_t p, i;
	int ret = 0;

	*out = NULL;
	if (!obj || !used) {
		ret = -ENOMEM;
		goto out;
	}
	for (p = 0; p < 2 && !ret; p++) {
		if (p == 1)
			parts[1] = u->tag ? schema_variant(u,
				json_object_get_str(obj, u->tag)) : NULL;
		for (i = 0; parts[p] && i < parts[p]->nfields && !ret; i++)
			ret = opts_member(&parts[p]->fields[i], in, used, obj,
					  dl);
	}
	for (i = 0; i < in->n && !ret; i++)
		if (!used[i])
			ret = diag_error(dl, "Invalid parameter '%s'",
					 in->v[i].name);
	if (!ret) {
		*out = obj;
		obj = NULL;
	}
out:
	free(used);
	json_free(obj);
	return ret;
}
