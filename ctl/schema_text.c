// SPDX-License-Identifier: GPL-2.0-or-later
/* Option value syntax (numbers, sizes, booleans) and help listings. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/schema.h"

/**
 * schema_parse_bool() - QEMU's boolean words
 * @s:	text
 * @v:	result
 *
 * Return: 0 for on|yes|true|y|off|no|false|n, else -EINVAL
 */
int schema_parse_bool(const char *s, bool *v)
{
	static const char *const on[] = { "on", "yes", "true", "y" };
	static const char *const off[] = { "off", "no", "false", "n" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(s, on[i])) {
			*v = true;
			return 0;
		}
		if (!strcmp(s, off[i])) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * schema_parse_int() - signed integer, C syntax (decimal, 0x hex, 0 octal)
 * @s:	text, all of it must be the number
 * @v:	result
 *
 * Return: 0, -EINVAL or -ERANGE
 */
int schema_parse_int(const char *s, int64_t *v)
{
	char *end;
	long long r;

	errno = 0;
	r = strtoll(s, &end, 0);
	if (end == s || *end)
		return -EINVAL;
	if (errno)
		return -ERANGE;
	*v = r;
	return 0;
}

/**
 * schema_parse_uint() - unsigned integer, C syntax
 * @s:			text, all of it must be the number
 * @v:			result
 * @allow_minus:	accept "-N" (wrapping, as strtoull does)
 *
 * Return: 0, -EINVAL or -ERANGE
 */
int schema_parse_uint(const char *s, uint64_t *v, bool allow_minus)
{
	const char *p = s;
	unsigned long long r;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-' && !allow_minus)
		return -EINVAL;
	errno = 0;
	r = strtoull(s, &end, 0);
	if (end == s || *end)
		return -EINVAL;
	if (errno)
		return -ERANGE;
	*v = r;
	return 0;
}

static int size_suffix(char c, uint64_t *mul)
{
	static const char units[] = "BKMGTPE";
	const char *p = strchr(units, toupper((unsigned char)c));
	int i;

	if (!c || !p)
		return -1;
	*mul = 1;
	for (i = 0; i < p - units; i++)
		*mul *= 1024;
	return 0;
}

/**
 * schema_parse_size() - byte size: decimal (fraction allowed with a
 *	suffix) or hex, with an optional B/K/M/G/T/P/E suffix (any case)
 * @s:	text
 * @v:	result in bytes
 *
 * Return: 0, -EINVAL or -ERANGE
 */
int schema_parse_size(const char *s, uint64_t *v)
{
	unsigned long long ip;
	uint64_t mul = 1;
	double frac = 0;
	char *end;

	if (strchr(s, '-'))
		return -EINVAL;
	errno = 0;
	ip = strtoull(s, &end, 10);
	if (end == s)
		return -EINVAL;
	if (ip == 0 && (*end == 'x' || *end == 'X')) {
		ip = strtoull(s, &end, 16);
		if (*end)
			return -EINVAL;
	} else if (*end == '.') {
		char *fend;

		frac = strtod(end, &fend);
		if (fend == end + 1)
			return -EINVAL;
		end = fend;
	}
	if (errno)
		return -ERANGE;
	if (*end && size_suffix(*end, &mul) == 0)
		end++;
	if (*end || (mul == 1 && frac > 0))
		return -EINVAL;
	if (ip > UINT64_MAX / mul)
		return -ERANGE;
	*v = ip * mul + (uint64_t)(frac * (double)mul);
	return 0;
}

/**
 * schema_type_name() - the type name help shows for @f
 * @f:		field
 * @qom:	QOM object help ("string") rather than qdev help ("str")
 *
 * Return: a static string
 */
const char *schema_type_name(const struct schema_field *f, bool qom)
{
	static const char *const ints[2][4] = {
		{ "int8", "int16", "int32", "int64" },
		{ "uint8", "uint16", "uint32", "uint64" },
	};
	int w = f->width == 8 ? 0 : f->width == 16 ? 1 : f->width == 32 ? 2 : 3;

	if (f->tname)
		return f->tname;
	switch (f->kind) {
	case SK_BOOL:
		return "bool";
	case SK_INT:
		return ints[0][w];
	case SK_UINT:
		return ints[1][w];
	case SK_SIZE:
		return "size";
	case SK_PCIADDR:
		return "int32";
	case SK_STRLIST:
		return qom ? "string" : "str";
	default:
		return qom ? "string" : "str";
	}
}

static int cmp_field(const void *a, const void *b)
{
	const struct schema_field *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/**
 * schema_help_props() - list @s's options the way QEMU's "-device X,help"
 *	and "-object X,help" do: sorted, one "  name=<type>" line each, with
 *	" - description (default: value)" aligned at column 25 (qdev only)
 * @title:	heading, printed as "@title options:"
 * @s:		the table
 * @qom:	QOM object style (no description or default)
 * @out:	text is appended here
 */
void schema_help_props(const char *title, const struct schema_struct *s,
		       bool qom, struct strbuf *out)
{
	const struct schema_field **v = calloc(s->nfields + 1, sizeof(*v));
	size_t i, n = 0, start;

	if (!v)
		return;
	for (i = 0; i < s->nfields; i++)
		if (!(s->fields[i].flags & SF_QNET))
			v[n++] = &s->fields[i];
	qsort(v, n, sizeof(*v), cmp_field);
	strbuf_printf(out, "%s options:\n", title);
	for (i = 0; i < n; i++) {
		start = out->len;
		strbuf_printf(out, "  %s=<%s>", v[i]->name,
			      schema_type_name(v[i], qom));
		if (!qom && (v[i]->help || v[i]->def)) {
			while (out->len - start < 24)
				strbuf_putc(out, ' ');
			strbuf_puts(out, " - ");
			if (v[i]->help)
				strbuf_puts(out, v[i]->help);
			if (v[i]->def)
				strbuf_printf(out, " (default: %s)", v[i]->def);
		}
		strbuf_putc(out, '\n');
	}
	free(v);
}
