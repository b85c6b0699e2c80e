// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics: QEMU-style errors and warnings collected in order. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/diag.h"

/**
 * diag_vadd() - append one entry
 * @dl:		list
 * @level:	error or warning
 * @cls:	QMP class
 * @fmt:	message format
 * @ap:		arguments
 *
 * Allocation failures drop the entry (an error then still makes the caller
 * fail, through its return value).
 */
static void diag_vadd(struct diag_list *dl, enum diag_level level,
		      enum diag_class cls, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag *d, *nv;
	size_t cap;

	if (dl->n == dl->cap) {
		cap = dl->cap ? 2 * dl->cap : 8;
		nv = realloc(dl->v, cap * sizeof(*nv));
		if (!nv)
			return;
		dl->v = nv;
		dl->cap = cap;
	}
	strbuf_vprintf(&sb, fmt, ap);
	d = &dl->v[dl->n];
	d->msg = strbuf_steal(&sb);
	if (!d->msg)
		return;
	d->level = level;
	d->cls = cls;
	d->loc = dl->loc ? strdup(dl->loc) : NULL;
	d->hint = NULL;
	dl->n++;
}

/**
 * diag_error() - append an error at the current location
 * @dl:		list
 * @fmt:	message format
 *
 * Return: -EINVAL, for "return diag_error(...)"
 */
int diag_error(struct diag_list *dl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(dl, DIAG_ERROR, DIAG_GENERIC_ERROR, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/**
 * diag_error_class() - append an error with a QMP class
 * @dl:		list
 * @cls:	class (DIAG_DEVICE_NOT_FOUND for QEMU's DeviceNotFound)
 * @fmt:	message format
 *
 * Return: -ENOENT for DIAG_DEVICE_NOT_FOUND, else -EINVAL
 */
int diag_error_class(struct diag_list *dl, enum diag_class cls,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(dl, DIAG_ERROR, cls, fmt, ap);
	va_end(ap);
	return cls == DIAG_DEVICE_NOT_FOUND ? -ENOENT : -EINVAL;
}

/**
 * diag_warn() - append a warning at the current location
 * @dl:		list
 * @fmt:	message format
 */
void diag_warn(struct diag_list *dl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(dl, DIAG_WARNING, DIAG_GENERIC_ERROR, fmt, ap);
	va_end(ap);
}

/**
 * diag_hint() - add hint text (printed unprefixed) to the last entry
 * @dl:		list
 * @fmt:	text format; should end in '\n'
 */
void diag_hint(struct diag_list *dl, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag *d;
	va_list ap;

	if (!dl->n)
		return;
	d = &dl->v[dl->n - 1];
	if (d->hint)
		strbuf_puts(&sb, d->hint);
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	free(d->hint);
	d->hint = strbuf_steal(&sb);
}

/**
 * diag_set_loc() - set the location for the entries that follow
 * @dl:		list
 * @opt:	option as typed ("-netdev"), or NULL for none
 * @arg:	its argument, or NULL when the option takes none
 */
void diag_set_loc(struct diag_list *dl, const char *opt, const char *arg)
{
	struct strbuf sb = STRBUF_INIT;

	diag_clear_loc(dl);
	if (!opt)
		return;
	strbuf_puts(&sb, opt);
	if (arg)
		strbuf_printf(&sb, " %s", arg);
	dl->loc = strbuf_steal(&sb);
}

/**
 * diag_clear_loc() - entries that follow have no location
 * @dl:	list
 */
void diag_clear_loc(struct diag_list *dl)
{
	free(dl->loc);
	dl->loc = NULL;
}

/**
 * diag_last_error() - the most recent error
 * @dl:	list
 *
 * Return: the entry, or NULL if there is no error
 */
const struct diag *diag_last_error(const struct diag_list *dl)
{
	size_t i;

	for (i = dl->n; i > 0; i--)
		if (dl->v[i - 1].level == DIAG_ERROR)
			return &dl->v[i - 1];
	return NULL;
}

/**
 * diag_count() - number of entries of one level
 * @dl:		list
 * @level:	level
 *
 * Return: the count
 */
size_t diag_count(const struct diag_list *dl, enum diag_level level)
{
	size_t i, n = 0;

	for (i = 0; i < dl->n; i++)
		n += dl->v[i].level == level;
	return n;
}

/**
 * diag_format() - render one entry the way QEMU prints it
 * @d:		entry
 * @prog:	program name ("qnet")
 * @out:	text is appended here, ending in '\n'
 */
void diag_format(const struct diag *d, const char *prog, struct strbuf *out)
{
	strbuf_printf(out, "%s: ", prog);
	if (d->loc)
		strbuf_printf(out, "%s: ", d->loc);
	if (d->level == DIAG_WARNING)
		strbuf_puts(out, "warning: ");
	strbuf_printf(out, "%s\n", d->msg);
	if (d->hint)
		strbuf_puts(out, d->hint);
}

/**
 * diag_format_all() - render every entry in order
 * @dl:		list
 * @prog:	program name
 * @out:	text is appended here
 */
void diag_format_all(const struct diag_list *dl, const char *prog,
		     struct strbuf *out)
{
	size_t i;

	for (i = 0; i < dl->n; i++)
		diag_format(&dl->v[i], prog, out);
}

/**
 * diag_reset() - free all entries and the location
 * @dl:	list, left empty and reusable
 */
void diag_reset(struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++) {
		free(dl->v[i].loc);
		free(dl->v[i].msg);
		free(dl->v[i].hint);
	}
	free(dl->v);
	free(dl->loc);
	memset(dl, 0, sizeof(*dl));
}
