// SPDX-License-Identifier: GPL-2.0-or-later
/* Modified UTF-8 encode/decode, with QEMU's rules for valid code points. */
#include "ctl/utf8.h"

/**
 * utf8_valid_codepoint() - may @cp appear in a JSON string?
 * @cp:	code point
 *
 * Rejects values beyond U+10FFFF, surrogates and the Unicode noncharacters
 * (U+FDD0..U+FDEF and U+xxFFFE/U+xxFFFF), as QEMU does.
 *
 * Return: true if valid
 */
bool utf8_valid_codepoint(int32_t cp)
{
	if (cp < 0 || cp > 0x10FFFF)
		return false;
	if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
		return false;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return false;
	return true;
}

/**
 * utf8_encode() - encode one code point as modified UTF-8
 * @buf:	output, NUL-terminated
 * @cp:		code point; U+0000 becomes C0 80
 *
 * Return: number of bytes written (without the NUL), or -1 if @cp is invalid
 */
int utf8_encode(char buf[5], int32_t cp)
{
	if (!utf8_valid_codepoint(cp))
		return -1;
	if (cp > 0 && cp <= 0x7F) {
		buf[0] = (char)cp;
		buf[1] = 0;
		return 1;
	}
	if (cp <= 0x7FF) {
		buf[0] = (char)(0xC0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3F));
		buf[2] = 0;
		return 2;
	}
	if (cp <= 0xFFFF) {
		buf[0] = (char)(0xE0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		buf[3] = 0;
		return 3;
	}
	buf[0] = (char)(0xF0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	buf[4] = 0;
	return 4;
}

/**
 * utf8_decode() - decode one modified UTF-8 sequence
 * @s:		input
 * @n:		bytes available at @s (at least 1)
 * @end:	set past the bytes consumed (at least one, even on error)
 *
 * Overlong forms are rejected except C0 80 (U+0000).
 *
 * Return: the code point, or -1 if the sequence is invalid
 */
int32_t utf8_decode(const char *s, size_t n, const char **end)
{
	const unsigned char *p = (const unsigned char *)s;
	int32_t cp, min;
	size_t len, i;

	if (p[0] < 0x80) {
		*end = s + 1;
		return p[0] ? p[0] : -1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2, cp = p[0] & 0x1F, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3, cp = p[0] & 0x0F, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		*end = s + 1;
		return -1;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || (p[i] & 0xC0) != 0x80) {
			*end = s + i;
			return -1;
		}
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	*end = s + len;
	if (len == 2 && cp == 0)
		return 0;	/* modified UTF-8 NUL */
	if (cp < min || !utf8_valid_codepoint(cp))
		return -1;
	return cp;
}
