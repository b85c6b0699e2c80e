// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics: QEMU-style errors and warnings collected in order. */
#ifndef QNET_CTL_DIAG_H
#define QNET_CTL_DIAG_H

#include <stddef.h>

#include "ctl/strbuf.h"

/*
 * DOC: diagnostics
 *
 * The option model never prints. Every error and warning is appended to a
 * struct diag_list, in the order QEMU would print them, with the location
 * QEMU would show (the option and its argument, e.g. "-netdev user,id=n0",
 * or none). diag_format() renders one entry exactly as QEMU's
 * error_report()/warn_report() would, with the program name the caller
 * chooses ("qnet"):
 *
 *   qnet: -netdev user,id=n0,foo=bar: Invalid parameter 'foo'
 *   qnet: warning: netdev n0 has no peer
 *
 * followed by the hint lines, if any, unprefixed. The first error ends the
 * operation that produced it: functions append it and return -EINVAL (or
 * another -errno).
 */

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_LEVEL_COUNT
};

/* QMP error classes (what "class" a QMP error reply carries). */
enum diag_class {
	DIAG_GENERIC_ERROR,
	DIAG_DEVICE_NOT_FOUND,
	DIAG_CLASS_COUNT
};

/**
 * struct diag - one error or warning
 * @level:	error or warning
 * @cls:	QMP error class (errors only)
 * @loc:	location prefix ("-netdev user,id=x"), or NULL for none
 * @msg:	the message, without location or program name
 * @hint:	extra lines printed after the message (each ending in '\n'),
 *		or NULL
 */
struct diag {
	enum diag_level level;
	enum diag_class cls;
	char *loc;
	char *msg;
	char *hint;
};

/**
 * struct diag_list - diagnostics in the order they happened
 * @v:		entries
 * @n:		number of entries
 * @cap:	allocated entries
 * @loc:	current location, copied into each new entry (NULL: none)
 */
struct diag_list {
	struct diag *v;
	size_t n, cap;
	char *loc;
};

int diag_error(struct diag_list *dl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int diag_error_class(struct diag_list *dl, enum diag_class cls,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warn(struct diag_list *dl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_hint(struct diag_list *dl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_set_loc(struct diag_list *dl, const char *opt, const char *arg);
void diag_clear_loc(struct diag_list *dl);
const struct diag *diag_last_error(const struct diag_list *dl);
size_t diag_count(const struct diag_list *dl, enum diag_level level);
void diag_format(const struct diag *d, const char *prog, struct strbuf *out);
void diag_format_all(const struct diag_list *dl, const char *prog,
		     struct strbuf *out);
void diag_reset(struct diag_list *dl);

#endif /* QNET_CTL_DIAG_H */
