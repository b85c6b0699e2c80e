// SPDX-License-Identifier: GPL-2.0-or-later
/* sbuf.c: a growable text buffer for control-plane output. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/sbuf.h"

/**
 * sbuf_init() - start an empty buffer
 * @b:		the buffer
 */
void sbuf_init(struct sbuf *b)
{
	memset(b, 0, sizeof(*b));
}

/**
 * sbuf_free() - release a buffer's memory
 * @b:		the buffer
 */
void sbuf_free(struct sbuf *b)
{
	free(b->s);
	sbuf_init(b);
}

/**
 * sbuf_reset() - empty a buffer, keeping its memory
 * @b:		the buffer
 */
void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->s)
		b->s[0] = '\0';
}

/**
 * sbuf_str() - the text so far
 * @b:		the buffer
 *
 * Return: a NUL-terminated string, "" when nothing was added
 */
const char *sbuf_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

/**
 * sbuf_grow() - make room for @n more bytes and the NUL
 * @b:		the buffer
 * @n:		bytes needed
 *
 * Return: 0, or -ENOMEM (and @b->oom set)
 */
static int sbuf_grow(struct sbuf *b, size_t n)
{
	size_t cap;
	char *s;

	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return -ENOMEM;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

/**
 * sbuf_add() - append @n bytes
 * @b:		the buffer
 * @s:		bytes to append
 * @n:		how many
 *
 * Return: 0, or -ENOMEM
 */
int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (sbuf_grow(b, n))
		return -ENOMEM;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/**
 * sbuf_puts() - append a string
 * @b:		the buffer
 * @s:		NUL-terminated text
 *
 * Return: 0, or -ENOMEM
 */
int sbuf_puts(struct sbuf *b, const char *s)
{
	return sbuf_add(b, s, strlen(s));
}

/**
 * sbuf_printf() - append formatted text
 * @b:		the buffer
 * @fmt:	printf format
 *
 * Return: 0, or -ENOMEM / -EINVAL
 */
int sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if (sbuf_grow(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}
