// SPDX-License-Identifier: GPL-2.0-or-later
/* QemuOpts grammar: "a=b,c=d" option strings, ids and per-list uniqueness. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/qopts.h"

/**
 * get_value() - read a value up to the next single ','
 * @p:		start of the value
 * @value:	malloc'd value with ",," turned into ','
 *
 * Return: position of the terminating ',' or NUL
 */
static const char *get_value(const char *p, char **value)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *p; p++) {
		if (*p == ',') {
			if (p[1] != ',')
				break;
			p++;
		}
		strbuf_putc(&sb, *p);
	}
	*value = strbuf_steal(&sb);
	return p;
}

/**
 * get_element() - split one element into name and value
 * @p:		element start
 * @implied:	implied key name for a first element without '=', or NULL
 * @flag:	set to 1 for "foo", 2 for "nofoo" (flag syntax), else 0
 * @name:	malloc'd key
 * @value:	malloc'd value
 *
 * Return: start of the next element, or NULL on allocation failure
 */
static const char *get_element(const char *p, const char *implied, int *flag,
			       char **name, char **value)
{
	size_t len = strcspn(p, "=,");

	*flag = 0;
	if (p[len] != '=') {
		if (implied) {
			*name = strdup(implied);
			p = get_value(p, value);
		} else {
			*name = strndup(p, len);
			p += len;
			if (*name && !strncmp(*name, "no", 2)) {
				memmove(*name, *name + 2,
					strlen(*name + 2) + 1);
				*value = strdup("off");
				*flag = 2;
			} else {
				*value = strdup("on");
				*flag = 1;
			}
		}
	} else {
		*name = strndup(p, len);
		p = get_value(p + len + 1, value);
	}
	if (!*name || !*value)
		return NULL;
	return *p == ',' ? p + 1 : p;
}

/**
 * qopts_id_wellformed() - is @id a valid QemuOpts identifier?
 * @id:	candidate
 *
 * Return: true for a letter followed by letters, digits, '-', '.', '_'
 */
bool qopts_id_wellformed(const char *id)
{
	size_t i;

	if (!isalpha((unsigned char)id[0]))
		return false;
	for (i = 1; id[i]; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("-._", id[i]))
			return false;
	return true;
}

/**
 * parse_id() - find the value of the first "id=" element
 * @params:	option string
 *
 * Return: malloc'd id, or NULL if there is none
 */
static char *parse_id(const char *params)
{
	const char *p = params;
	char *name, *value;
	int flag;

	while (*p) {
		name = value = NULL;
		p = get_element(p, NULL, &flag, &name, &value);
		if (!p) {
			free(name);
			free(value);
			return NULL;
		}
		if (!strcmp(name, "id")) {
			free(name);
			return value;
		}
		free(name);
		free(value);
	}
	return NULL;
}

/**
 * qopts_parse() - parse @params into @o (no id checks)
 * @o:		destination (elements are appended)
 * @params:	option string
 * @implied:	implied key of the first element, or NULL
 * @dl:		flag warnings are appended here (NULL: no warnings)
 *
 * Return: 0, or -ENOMEM
 */
int qopts_parse(struct qopts *o, const char *params, const char *implied,
		struct diag_list *dl)
{
	const char *p = params;
	char *name, *value;
	int flag, ret = 0;

	while (*p && !ret) {
		name = value = NULL;
		p = get_element(p, implied, &flag, &name, &value);
		implied = NULL;
		if (!p) {
			ret = -ENOMEM;
		} else if (!strcmp(name, "id")) {
			if (!o->id) {
				o->id = value;
				value = NULL;
			}
		} else {
			if (flag && dl && strcmp(name, "help") &&
			    strcmp(name, "?")) {
				diag_warn(dl, "short-form boolean option "
					  "'%s%s' deprecated",
					  flag == 2 ? "no" : "", name);
				diag_hint(dl, "Please use %s=%s instead\n",
					  name, value);
			}
			ret = qopts_set(o, name, value);
		}
		free(name);
		free(value);
	}
	return ret;
}

/**
 * qopts_list_parse() - QEMU's qemu_opts_parse_noisily() for one list
 * @l:		the list (-netdev, -nic, ...) the option joins
 * @params:	option string
 * @implied:	implied key
 * @dl:		errors and flag warnings
 * @out:	the parsed option, now owned by @l
 *
 * Checks the id (an identifier, unique in @l) before parsing the rest.
 *
 * Return: 0, or -EINVAL / -ENOMEM
 */
int qopts_list_parse(struct qopts_list *l, const char *params,
		     const char *implied, struct diag_list *dl,
		     struct qopts **out)
{
	struct qopts *o, **nv;
	char *id = parse_id(params);
	size_t cap;
	int ret;

	if (id && !qopts_id_wellformed(id)) {
		free(id);
		ret = diag_error(dl, "Parameter 'id' expects an identifier");
		diag_hint(dl, "Identifiers consist of letters, digits, '-', "
			  "'.', '_', starting with a letter.\n");
		return ret;
	}
	if (id && qopts_list_find(l, id)) {
		ret = diag_error(dl, "Duplicate ID '%s' for %s", id, l->name);
		free(id);
		return ret;
	}
	free(id);
	o = qopts_new();
	if (!o || qopts_parse(o, params, implied, dl))
		goto oom;
	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 8;
		nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			goto oom;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = o;
	*out = o;
	return 0;
oom:
	qopts_free(o);
	return -ENOMEM;
}

/**
 * qopts_list_find() - option with id @id
 * @l:	list
 * @id:	id
 *
 * Return: the option, or NULL
 */
struct qopts *qopts_list_find(const struct qopts_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i]->id && !strcmp(l->v[i]->id, id))
			return l->v[i];
	return NULL;
}

/**
 * qopts_list_remove() - drop @o from @l and free it (QEMU's qemu_opts_del)
 * @l:	list
 * @o:	member of @l
 */
void qopts_list_remove(struct qopts_list *l, struct qopts *o)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i] == o) {
			memmove(&l->v[i], &l->v[i + 1],
				(l->n - i - 1) * sizeof(l->v[0]));
			l->n--;
			qopts_free(o);
			return;
		}
	}
}

/**
 * qopts_list_free() - free every option of @l
 * @l:	list, left empty
 */
void qopts_list_free(struct qopts_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		qopts_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/**
 * qopts_get() - value of the last element named @name
 * @o:		options
 * @name:	key
 *
 * Return: the value, or NULL
 */
const char *qopts_get(const struct qopts *o, const char *name)
{
	size_t i;

	for (i = o->n; i > 0; i--)
		if (!strcmp(o->v[i - 1].name, name))
			return o->v[i - 1].value;
	return NULL;
}

/**
 * qopts_get_del() - take the last value of @name and drop all its elements
 * @o:		options
 * @name:	key
 *
 * Return: malloc'd value, or NULL if absent
 */
char *qopts_get_del(struct qopts *o, const char *name)
{
	const char *v = qopts_get(o, name);
	char *copy = v ? strdup(v) : NULL;

	qopts_unset(o, name);
	return copy;
}

/**
 * qopts_set() - append an element
 * @o:		options
 * @name:	key
 * @value:	value
 *
 * Return: 0, or -ENOMEM
 */
int qopts_set(struct qopts *o, const char *name, const char *value)
{
	struct qopt *nv;
	size_t cap;

	if (o->n == o->cap) {
		cap = o->cap ? 2 * o->cap : 8;
		nv = realloc(o->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		o->v = nv;
		o->cap = cap;
	}
	o->v[o->n].name = strdup(name);
	o->v[o->n].value = strdup(value);
	if (!o->v[o->n].name || !o->v[o->n].value) {
		free(o->v[o->n].name);
		free(o->v[o->n].value);
		return -ENOMEM;
	}
	o->n++;
	return 0;
}

/**
 * qopts_unset() - drop every element named @name
 * @o:		options
 * @name:	key
 */
void qopts_unset(struct qopts *o, const char *name)
{
	size_t i, j = 0;

	for (i = 0; i < o->n; i++) {
		if (!strcmp(o->v[i].name, name)) {
			free(o->v[i].name);
			free(o->v[i].value);
		} else {
			o->v[j++] = o->v[i];
		}
	}
	o->n = j;
}

/**
 * qopts_has_help() - was "help" or "?" given as a key?
 * @o:	options
 *
 * Return: true if so
 */
bool qopts_has_help(const struct qopts *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].name, "help") || !strcmp(o->v[i].name, "?"))
			return true;
	return false;
}

/** qopts_new() - Return: a new empty option set, or NULL */
struct qopts *qopts_new(void)
{
	return calloc(1, sizeof(struct qopts));
}

/**
 * qopts_free() - free an option set
 * @o:	options, may be NULL
 */
void qopts_free(struct qopts *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->n; i++) {
		free(o->v[i].name);
		free(o->v[i].value);
	}
	free(o->v);
	free(o->id);
	free(o);
}
