// SPDX-License-Identifier: GPL-2.0-or-later
/* Modified UTF-8 encode/decode, with QEMU's rules for valid code points. */
#ifndef QNET_CTL_UTF8_H
#define QNET_CTL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool utf8_valid_codepoint(int32_t cp);
int utf8_encode(char buf[5], int32_t cp);
int32_t utf8_decode(const char *s, size_t n, const char **end);

#endif /* QNET_CTL_UTF8_H */
