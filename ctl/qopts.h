// SPDX-License-Identifier: GPL-2.0-or-later
/* QEMU's two option-string grammars: QemuOpts ("a=b,c=d") and keyval. */
#ifndef QNET_CTL_QOPTS_H
#define QNET_CTL_QOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl/diag.h"
#include "ctl/json.h"

/*
 * DOC: QemuOpts grammar (-netdev TYPE,..., -nic, -net, -device, -object)
 *
 * params  := element { ',' element }
 * element := key '=' value | value-of-implied-key (first element only)
 *          | flag
 * A value runs to the next single ','; ",," is a literal comma. Keys stop
 * at '=' or ',' and take no escapes. The first element without '=' is the
 * value of the implied key (type, driver, qom-type, backend). A later
 * element without '=' is a flag: "foo" means foo=on, "nofoo" foo=off, and
 * both print QEMU's deprecation warning (except "help" and "?"). The first
 * "id=" element is the id, checked to be an identifier (a letter, then
 * letters, digits, '-', '.', '_') and unique within its option list
 * ("Duplicate ID 'x' for netdev"); later "id=" elements are ignored. All
 * other elements are kept in order, repeats included: readers take the
 * last value of a scalar key and every value of a repeatable one.
 *
 * DOC: keyval grammar (-netdev stream/dgram, QEMU's "modern" syntax)
 *
 * Same shape, but keys are dotted paths of QAPI names ("addr.type"), a
 * later repeat of a key replaces the earlier value, a key without '='
 * after the first element is an error ("Expected '=' after parameter
 * 'x'"), and the implied key's value is taken verbatim up to the first
 * ','. The result is a tree of objects whose leaves are strings.
 */

/**
 * struct qopt - one key=value element
 * @name:	key
 * @value:	value, ",," already unescaped
 */
struct qopt {
	char *name;
	char *value;
};

/**
 * struct qopts - one parsed QemuOpts option string
 * @id:		value of the first "id=" element, or NULL
 * @v:		the other elements, in order
 * @n:		number of elements
 * @cap:	allocated elements
 */
struct qopts {
	char *id;
	struct qopt *v;
	size_t n, cap;
};

/**
 * struct qopts_list - the options given for one option name, for ids
 * @name:	list name used in "Duplicate ID 'x' for <name>"
 * @v:		parsed options, in command-line order
 * @n:		count
 * @cap:	allocated
 */
struct qopts_list {
	const char *name;
	struct qopts **v;
	size_t n, cap;
};

int qopts_parse(struct qopts *o, const char *params, const char *implied,
		struct diag_list *dl);
int qopts_list_parse(struct qopts_list *l, const char *params,
		     const char *implied, struct diag_list *dl,
		     struct qopts **out);
struct qopts *qopts_list_find(const struct qopts_list *l, const char *id);
void qopts_list_remove(struct qopts_list *l, struct qopts *o);
void qopts_list_free(struct qopts_list *l);
bool qopts_id_wellformed(const char *id);

const char *qopts_get(const struct qopts *o, const char *name);
char *qopts_get_del(struct qopts *o, const char *name);
int qopts_set(struct qopts *o, const char *name, const char *value);
void qopts_unset(struct qopts *o, const char *name);
bool qopts_has_help(const struct qopts *o);
struct qopts *qopts_new(void);
void qopts_free(struct qopts *o);

int keyval_parse(const char *params, const char *implied,
		 struct json_value **out, struct diag_list *dl);

#endif /* QNET_CTL_QOPTS_H */
