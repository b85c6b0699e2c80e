// SPDX-License-Identifier: GPL-2.0-or-later
/* Growable NUL-terminated string buffer for the control plane's text output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/strbuf.h"

/**
 * strbuf_grow() - make room for @extra more bytes plus the NUL
 * @sb:		buffer
 * @extra:	bytes about to be appended
 *
 * Return: 0, or -ENOMEM (and @sb->oom set)
 */
static int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	size_t cap = sb->cap ? sb->cap : 64;
	char *p;

	if (sb->oom)
		return -ENOMEM;
	if (need <= sb->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(sb->buf, cap);
	if (!p) {
		sb->oom = 1;
		return -ENOMEM;
	}
	sb->buf = p;
	sb->cap = cap;
	return 0;
}

/**
 * strbuf_add() - append @n bytes of @s
 * @sb:	buffer
 * @s:	bytes (need not be NUL-terminated)
 * @n:	count
 *
 * Return: 0, or -ENOMEM
 */
int strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	if (strbuf_grow(sb, n))
		return -ENOMEM;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

/**
 * strbuf_puts() - append a C string
 * @sb:	buffer
 * @s:	string
 *
 * Return: 0, or -ENOMEM
 */
int strbuf_puts(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

/**
 * strbuf_putc() - append one character
 * @sb:	buffer
 * @c:	character
 *
 * Return: 0, or -ENOMEM
 */
int strbuf_putc(struct strbuf *sb, char c)
{
	return strbuf_add(sb, &c, 1);
}

/**
 * strbuf_vprintf() - append formatted text
 * @sb:		buffer
 * @fmt:	printf format
 * @ap:		arguments
 *
 * Return: 0, or -ENOMEM
 */
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;
	if (strbuf_grow(sb, (size_t)n))
		return -ENOMEM;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

/**
 * strbuf_printf() - append formatted text
 * @sb:		buffer
 * @fmt:	printf format
 *
 * Return: 0, or -ENOMEM
 */
int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
	return ret;
}

/**
 * strbuf_str() - the text so far
 * @sb:	buffer
 *
 * Return: the NUL-terminated text, "" when empty
 */
const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

/**
 * strbuf_steal() - take the text out of the buffer
 * @sb:	buffer, left empty
 *
 * Return: malloc'd text (the caller frees it), or NULL on allocation failure
 */
char *strbuf_steal(struct strbuf *sb)
{
	char *s = sb->buf;

	if (sb->oom) {
		free(s);
		s = NULL;
	} else if (!s) {
		s = strdup("");
	}
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->oom = 0;
	return s;
}

/**
 * strbuf_reset() - empty the buffer, keeping its memory
 * @sb:	buffer
 */
void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->oom = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

/**
 * strbuf_free() - release the buffer's memory
 * @sb:	buffer, left empty and reusable
 */
void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->oom = 0;
}
