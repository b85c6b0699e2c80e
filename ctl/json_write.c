// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON writer in QMP's compact format ({"key": value, ...}). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl/json.h"
#include "ctl/utf8.h"

/**
 * json_write_string() - append @s as a quoted JSON string
 * @s:		modified UTF-8 text
 * @out:	buffer
 *
 * Escapes like QEMU: the short escapes for " \ \b \f \n \r \t, \uXXXX
 * (upper-case hex) for other control characters, DEL and everything beyond
 * ASCII (surrogate pairs above U+FFFF); invalid bytes become U+FFFD.
 *
 * Return: 0, or -ENOMEM
 */
int json_write_string(const char *s, struct strbuf *out)
{
	const char *end;
	int32_t cp;

	strbuf_putc(out, '"');
	while (*s) {
		cp = utf8_decode(s, strlen(s), &end);
		s = end;
		switch (cp) {
		case '"':
			strbuf_puts(out, "\\\"");
			continue;
		case '\\':
			strbuf_puts(out, "\\\\");
			continue;
		case '\b':
			strbuf_puts(out, "\\b");
			continue;
		case '\f':
			strbuf_puts(out, "\\f");
			continue;
		case '\n':
			strbuf_puts(out, "\\n");
			continue;
		case '\r':
			strbuf_puts(out, "\\r");
			continue;
		case '\t':
			strbuf_puts(out, "\\t");
			continue;
		default:
			break;
		}
		if (cp < 0)
			cp = 0xFFFD;
		if (cp > 0xFFFF)
			strbuf_printf(out, "\\u%04X\\u%04X",
				      0xD800 + ((cp - 0x10000) >> 10),
				      0xDC00 + ((cp - 0x10000) & 0x3FF));
		else if (cp < 0x20 || cp >= 0x7F)
			strbuf_printf(out, "\\u%04X", (unsigned)cp);
		else
			strbuf_putc(out, (char)cp);
	}
	strbuf_putc(out, '"');
	return out->oom ? -ENOMEM : 0;
}

/**
 * json_write() - append @v in QMP's compact format
 * @v:		value
 * @out:	buffer
 *
 * Objects print as {"a": 1, "b": [2, 3]}, empty ones as {} and [];
 * doubles with %.17g.
 *
 * Return: 0, or -ENOMEM
 */
int json_write(const struct json_value *v, struct strbuf *out)
{
	size_t i;

	switch (v->type) {
	case JSON_NULL:
		strbuf_puts(out, "null");
		break;
	case JSON_BOOL:
		strbuf_puts(out, v->u.b ? "true" : "false");
		break;
	case JSON_INT:
		strbuf_printf(out, "%" PRId64, v->u.i);
		break;
	case JSON_UINT:
		strbuf_printf(out, "%" PRIu64, v->u.u);
		break;
	case JSON_DOUBLE:
		strbuf_printf(out, "%.17g", v->u.d);
		break;
	case JSON_STRING:
		json_write_string(v->u.s, out);
		break;
	case JSON_ARRAY:
		strbuf_putc(out, '[');
		for (i = 0; i < v->u.arr.n; i++) {
			if (i)
				strbuf_puts(out, ", ");
			json_write(v->u.arr.v[i], out);
		}
		strbuf_putc(out, ']');
		break;
	case JSON_OBJECT:
		strbuf_putc(out, '{');
		for (i = 0; i < v->u.obj.n; i++) {
			if (i)
				strbuf_puts(out, ", ");
			json_write_string(v->u.obj.m[i].key, out);
			strbuf_puts(out, ": ");
			json_write(v->u.obj.m[i].val, out);
		}
		strbuf_putc(out, '}');
		break;
	default:
		return -EINVAL;
	}
	return out->oom ? -ENOMEM : 0;
}
