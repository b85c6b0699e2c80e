// SPDX-License-Identifier: GPL-2.0-or-later
/* Netdev types: one option table per type, and the Netdev union over them. */
#ifndef QNET_CTL_NDTYPES_H
#define QNET_CTL_NDTYPES_H

#include <stdbool.h>

#include "ctl/schema.h"

/* Where a type may be used. */
#define NDT_NETDEV	0x01u	/* -netdev, -nic, netdev_add */
#define NDT_NET		0x02u	/* -net TYPE (joins hub 0) */
#define NDT_HOSTNET	0x04u	/* counts as host network for hub warnings */
#define NDT_QNET	0x08u	/* not in QEMU 7.2 (qnet knows it) */
#define NDT_QINDEX	0x10u	/* queue N reports index=N (vhost-user...) */

/**
 * struct ndtype - one netdev type
 * @name:	type name ("user", "tap", ...)
 * @info_type:	type shown by info network ("tap" for bridge)
 * @flags:	NDT_* flags
 * @opts:	option table (NULL: the type has no options of its own)
 * @help:	one line describing the type
 */
struct ndtype {
	const char *name;
	const char *info_type;
	unsigned flags;
	const struct schema_struct *opts;
	const char *help;
};

extern const struct schema_union ndtypes_netdev;
extern const struct schema_union ndtypes_socket_address;

const struct ndtype *ndtypes_find(const char *name);
void ndtypes_help_list(struct strbuf *out);
int ndtypes_help_type(const char *name, struct strbuf *out);

#endif /* QNET_CTL_NDTYPES_H */
