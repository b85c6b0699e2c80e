// SPDX-License-Identifier: GPL-2.0-or-later
/* Growable NUL-terminated string buffer for the control plane's text output. */
#ifndef QNET_CTL_STRBUF_H
#define QNET_CTL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/**
 * struct strbuf - a growable string; @buf is always NUL-terminated once used
 * @buf:	the text (NULL until the first append)
 * @len:	length of the text, without the NUL
 * @cap:	allocated size of @buf
 * @oom:	set when an allocation failed; later appends are dropped
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	int oom;
};

#define STRBUF_INIT { NULL, 0, 0, 0 }

int strbuf_add(struct strbuf *sb, const char *s, size_t n);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_putc(struct strbuf *sb, char c);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
const char *strbuf_str(const struct strbuf *sb);
char *strbuf_steal(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

#endif /* QNET_CTL_STRBUF_H */
