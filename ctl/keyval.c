// SPDX-License-Identifier: GPL-2.0-or-later
/* QEMU's keyval grammar: dotted keys into a tree of string leaves. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/qopts.h"

#define KEYVAL_FRAGMENT_MAX 127

/**
 * name_len() - length of the QAPI name (or list index) at @s
 * @s:		key fragment
 * @first:	true for the first fragment of a key (no index allowed)
 *
 * Return: the length, 0 if @s starts with no valid name
 */
static size_t name_len(const char *s, bool first)
{
	size_t i = 0;

	if (!first && isdigit((unsigned char)s[0])) {
		while (isdigit((unsigned char)s[i]))
			i++;
		return i;
	}
	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; isalnum((unsigned char)s[i]) || s[i] == '-' ||
		    s[i] == '_'; i++)
		;
	return i;
}

/**
 * put() - store @value (or a sub-object when NULL) under @key in @cur
 * @cur:	object
 * @key:	member name
 * @value:	string value, consumed; NULL to get/create a sub-object
 * @path:	key text so far, for the error message
 * @pathlen:	its length
 * @dl:		errors
 *
 * Return: the stored value (the sub-object), or NULL on error
 */
static struct json_value *put(struct json_value *cur, const char *key,
			      struct json_value *value, const char *path,
			      int pathlen, struct diag_list *dl)
{
	struct json_value *old = json_object_get(cur, key);

	if (old) {
		if (old->type != (value ? JSON_STRING : JSON_OBJECT)) {
			diag_error(dl, "Parameters '%.*s.*' used "
				   "inconsistently", pathlen, path);
			json_free(value);
			return NULL;
		}
		if (!value)
			return old;
	}
	if (!value)
		value = json_new_object();
	if (json_object_set(cur, key, value))
		return NULL;
	return json_object_get(cur, key);
}

/**
 * walk_key() - follow the dotted key [@key, @key_end) from @root
 * @root:	result tree
 * @key:	key text
 * @key_end:	its end
 * @cur:	set to the object the last fragment belongs in
 * @frag:	set to the last fragment
 * @dl:		errors
 *
 * Return: position after the key, or NULL on error
 */
static const char *walk_key(struct json_value *root, const char *key,
			    const char *key_end, struct json_value **cur,
			    char frag[KEYVAL_FRAGMENT_MAX + 1],
			    struct diag_list *dl)
{
	const char *s = key;
	size_t len;

	*cur = root;
	for (;;) {
		len = name_len(s, s == key);
		if (!len || (s + len < key_end && s[len] != '.')) {
			diag_error(dl, "Invalid parameter '%.*s'",
				   (int)(key_end - key), key);
			return NULL;
		}
		if (len > KEYVAL_FRAGMENT_MAX) {
			diag_error(dl, "Parameter%s '%.*s' is too long",
				   s != key || s + len != key_end ?
				   " fragment" : "", (int)len, s);
			return NULL;
		}
		if (s != key) {
			*cur = put(*cur, frag, NULL, key, (int)(s - 1 - key),
				   dl);
			if (!*cur)
				return NULL;
		}
		memcpy(frag, s, len);
		frag[len] = '\0';
		s += len;
		if (*s != '.')
			return s;
		s++;
	}
}

/**
 * parse_one() - parse one element into @root
 * @root:	result tree
 * @p:		element start
 * @implied:	implied key for this element, or NULL
 * @help:	set when the element is "help" or "?"
 * @dl:		errors
 *
 * Return: start of the next element, or NULL on error
 */
static const char *parse_one(struct json_value *root, const char *p,
			     const char *implied, bool *help,
			     struct diag_list *dl)
{
	const char *key = p, *val_end = NULL, *s;
	char frag[KEYVAL_FRAGMENT_MAX + 1];
	struct strbuf val = STRBUF_INIT;
	size_t len = strcspn(p, "=,");
	struct json_value *cur;

	if (len && key[len] != '=') {
		if ((len == 4 && !strncmp(key, "help", 4)) ||
		    (len == 1 && key[0] == '?')) {
			*help = true;
			return key[len] == ',' ? key + len + 1 : key + len;
		}
		if (implied) {
			key = implied;
			val_end = p + len;
			len = strlen(implied);
		}
	}
	s = walk_key(root, key, key + len, &cur, frag, dl);
	if (!s)
		return NULL;
	if (key == implied) {
		strbuf_add(&val, p, (size_t)(val_end - p));
		s = *val_end == ',' ? val_end + 1 : val_end;
	} else {
		if (*s != '=') {
			diag_error(dl, "Expected '=' after parameter '%.*s'",
				   (int)(s - key), key);
			return NULL;
		}
		for (s++; *s; s++) {
			if (*s == ',') {
				s++;
				if (*s != ',')
					break;
			}
			strbuf_putc(&val, *s);
		}
	}
	if (!put(cur, frag, json_new_string(strbuf_str(&val)), key, (int)len,
		 dl))
		s = NULL;
	strbuf_free(&val);
	return s;
}

/**
 * keyval_parse() - parse a keyval option string into a tree
 * @params:	option string
 * @implied:	implied key of the first element, or NULL
 * @out:	the tree (objects with string leaves), caller frees
 * @dl:		errors
 *
 * "help" is refused with QEMU's "Help is not available for this option".
 * Numeric key fragments are parsed but not turned into lists: no option
 * qnet reads through keyval has a list member.
 *
 * Return: 0, or -EINVAL / -ENOMEM
 */
int keyval_parse(const char *params, const char *implied,
		 struct json_value **out, struct diag_list *dl)
{
	struct json_value *root = json_new_object();
	const char *s = params;
	bool help = false;

	*out = NULL;
	if (!root)
		return -ENOMEM;
	while (*s) {
		s = parse_one(root, s, implied, &help, dl);
		if (!s) {
			json_free(root);
			return -EINVAL;
		}
		implied = NULL;
	}
	if (help) {
		json_free(root);
		return diag_error(dl, "Help is not available for this option");
	}
	*out = root;
	return 0;
}
