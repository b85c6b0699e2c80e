/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sbuf.h: a growable text buffer for control-plane output (never on the data path). */
#ifndef QNET_CTL_SBUF_H
#define QNET_CTL_SBUF_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct sbuf - growable, always NUL-terminated text
 * @s:		the text ("" before the first append)
 * @len:	bytes in @s, without the NUL
 * @cap:	allocated bytes
 * @oom:	an append failed; @s holds what fitted
 */
struct sbuf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

void sbuf_init(struct sbuf *b);
void sbuf_free(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
const char *sbuf_str(const struct sbuf *b);
int sbuf_add(struct sbuf *b, const char *s, size_t n);
int sbuf_puts(struct sbuf *b, const char *s);
int sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* QNET_CTL_SBUF_H */
