// SPDX-License-Identifier: GPL-2.0-or-later
/* Filter objects (-object filter-*): option tables and the object union. */
#ifndef QNET_CTL_FILTERTYPES_H
#define QNET_CTL_FILTERTYPES_H

#include <stdbool.h>

#include "ctl/schema.h"

/**
 * struct filtertype - one filter object type
 * @name:	QOM type name ("filter-dump")
 * @opts:	its own options (after the common netdev/queue/status/
 *		position/insert)
 * @info_order:	property order of its "info network" line, NULL-terminated
 */
struct filtertype {
	const char *name;
	const struct schema_struct *opts;
	const char *const *info_order;
};

extern const struct schema_union filtertypes_object;

const struct filtertype *filtertypes_find(const char *name);
bool filtertypes_qemu_object(const char *name);
int filtertypes_help(const char *name, struct strbuf *out);

#endif /* QNET_CTL_FILTERTYPES_H */
