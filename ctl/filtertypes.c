// SPDX-License-Identifier: GPL-2.0-or-later
/* Filter objects (-object filter-*, qnet-filter): option tables and the object union. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/filtertypes.h"

/*
 * DOC: filter tables
 *
 * -object is QEMU's ObjectOptions union: qom-type, id, then the type's
 * members. qom-type accepts every type QEMU 7.2 can create, so that a
 * misspelt type gets QEMU's error ("Parameter 'qom-type' does not accept
 * value 'x'") while a real but non-network type gets qnet's clear refusal.
 * Only the five filters below have tables: QEMU's four, and qnet's own
 * qnet-filter (action=drop|allow with a tcpdump filter=), a type QEMU
 * does not know, so that no QEMU-named object changes meaning. The common
 * members come first,
 * in QAPI order: netdev (required), queue (all|rx|tx), status, position,
 * insert (before|behind). status and position are strings that QEMU checks
 * when the object is created, not when the option is parsed; the model
 * does the same (netconf_filter.c).
 */

static const char *const queues[] = { "all", "rx", "tx", NULL };
static const char *const inserts[] = { "before", "behind", NULL };
static const char *const actions[] = { "drop", "allow", NULL };

#define COMMON							\
	{ .name = "netdev", .kind = SK_STR, .flags = SF_REQUIRED,	\
	  .help = "netdev the filter attaches to" },		\
	{ .name = "queue", .kind = SK_ENUM, .values = queues,	\
	  .tname = "NetFilterDirection", .def = "all",		\
	  .help = "direction: all, rx or tx" },			\
	{ .name = "status", .kind = SK_STR, .def = "on",	\
	  .help = "on or off" },				\
	{ .name = "position", .kind = SK_STR, .def = "tail",	\
	  .help = "head, tail or id=<filter id>" },		\
	{ .name = "insert", .kind = SK_ENUM, .values = inserts,	\
	  .tname = "string", .def = "behind",			\
	  .help = "behind or before the position filter" }

static const struct schema_field buffer_opts[] = {
	COMMON,
	{ .name = "interval", .kind = SK_UINT, .width = 32,
	  .flags = SF_REQUIRED, .help = "release interval in microseconds" },
};

static const struct schema_field dump_opts[] = {
	COMMON,
	{ .name = "file", .kind = SK_STR, .flags = SF_REQUIRED,
	  .help = "pcap file to write" },
	{ .name = "maxlen", .kind = SK_UINT, .width = 32, .def = "65536",
	  .help = "bytes captured per frame" },
	{ .name = "filter", .kind = SK_STR, .flags = SF_QNET,
	  .help = "tcpdump expression: only matching frames are written "
	  "(qnet)" },
};

static const struct schema_field mirror_opts[] = {
	COMMON,
	{ .name = "outdev", .kind = SK_STR, .flags = SF_REQUIRED,
	  .help = "chardev the frames are copied to" },
	{ .name = "vnet_hdr_support", .kind = SK_BOOL, .def = "false",
	  .help = "frames carry a virtio-net header" },
};

static const struct schema_field redirector_opts[] = {
	COMMON,
	{ .name = "indev", .kind = SK_STR,
	  .help = "chardev frames are read from" },
	{ .name = "outdev", .kind = SK_STR,
	  .help = "chardev frames are redirected to" },
	{ .name = "vnet_hdr_support", .kind = SK_BOOL, .def = "false",
	  .help = "frames carry a virtio-net header" },
};

/* qnet's own drop/allow filter: both members required, no defaults. */
static const struct schema_field qnet_filter_opts[] = {
	COMMON,
	{ .name = "action", .kind = SK_ENUM, .flags = SF_REQUIRED,
	  .values = actions, .tname = "QnetFilterAction",
	  .help = "drop: drop matching frames; allow: drop the others" },
	{ .name = "filter", .kind = SK_STR, .flags = SF_REQUIRED,
	  .help = "tcpdump expression the frames are matched against" },
};

static const struct schema_struct buffer_s =
	SCHEMA_STRUCT("filter-buffer", buffer_opts);
static const struct schema_struct dump_s =
	SCHEMA_STRUCT("filter-dump", dump_opts);
static const struct schema_struct mirror_s =
	SCHEMA_STRUCT("filter-mirror", mirror_opts);
static const struct schema_struct redirector_s =
	SCHEMA_STRUCT("filter-redirector", redirector_opts);
static const struct schema_struct qnet_filter_s =
	SCHEMA_STRUCT("qnet-filter", qnet_filter_opts);

#define TAIL "position", "status", "insert", "netdev", "queue", NULL
static const char *const buffer_info[] = { "interval", TAIL };
static const char *const dump_info[] = { "file", "maxlen", TAIL };
static const char *const mirror_info[] = { "vnet_hdr_support", "outdev",
					   TAIL };
static const char *const redirector_info[] = { "vnet_hdr_support", "indev",
					       "outdev", TAIL };
static const char *const qnet_filter_info[] = { "action", "filter", TAIL };

static const struct filtertype filters[] = {
	{ "filter-buffer", &buffer_s, buffer_info },
	{ "filter-dump", &dump_s, dump_info },
	{ "filter-mirror", &mirror_s, mirror_info },
	{ "filter-redirector", &redirector_s, redirector_info },
	{ "qnet-filter", &qnet_filter_s, qnet_filter_info },
};

/* Every type QEMU 7.2's -object accepts (its ObjectType enum), then
 * qnet's own (not a QEMU type: filtertypes_qemu_object() says so). */
static const char *const object_types[] = {
	"authz-list", "authz-listfile", "authz-pam", "authz-simple",
	"can-bus", "can-host-socketcan", "colo-compare", "cryptodev-backend",
	"cryptodev-backend-builtin", "cryptodev-vhost-user", "dbus-vmstate",
	"filter-buffer", "filter-dump", "filter-mirror", "filter-redirector",
	"filter-replay", "filter-rewriter", "input-barrier", "input-linux",
	"iothread", "main-loop", "memory-backend-epc", "memory-backend-file",
	"memory-backend-memfd", "memory-backend-ram", "pef-guest",
	"pr-manager-helper", "qtest", "rng-builtin", "rng-egd", "rng-random",
	"secret", "secret_keyring", "sev-guest", "thread-context",
	"s390-pv-guest", "throttle-group", "tls-creds-anon", "tls-creds-psk",
	"tls-creds-x509", "tls-cipher-suites", "x-remote-object",
	"x-vfio-user-server", "qnet-filter", NULL,
};

/* Index of the first of qnet's own types in object_types. */
#define QNET_TYPES_FIRST 43

static const struct schema_struct *object_variants[SCHEMA_ARRAY_SIZE(
	object_types)] = {
	[11] = &buffer_s, [12] = &dump_s, [13] = &mirror_s,
	[14] = &redirector_s, [QNET_TYPES_FIRST] = &qnet_filter_s,
};

static const struct schema_field object_base[] = {
	{ .name = "qom-type", .kind = SK_ENUM, .flags = SF_REQUIRED,
	  .values = object_types, .help = "object type" },
	{ .name = "id", .kind = SK_STR, .flags = SF_REQUIRED,
	  .help = "object id" },
};

static const struct schema_struct object_base_s =
	SCHEMA_STRUCT("ObjectOptions", object_base);

/* QEMU's ObjectOptions, with members for the filter types only. */
const struct schema_union filtertypes_object = {
	.name = "ObjectOptions",
	.base = &object_base_s,
	.tag = "qom-type",
	.variants = object_variants,
};

/**
 * filtertypes_find() - filter type named @name
 * @name:	QOM type name
 *
 * Return: the type, or NULL
 */
const struct filtertype *filtertypes_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < SCHEMA_ARRAY_SIZE(filters); i++)
		if (!strcmp(filters[i].name, name))
			return &filters[i];
	return NULL;
}

/**
 * filtertypes_qemu_object() - is @name a type QEMU's -object knows?
 *	(qnet-filter is not)
 * @name:	QOM type name
 *
 * Return: true if so
 */
bool filtertypes_qemu_object(const char *name)
{
	size_t i;

	for (i = 0; i < QNET_TYPES_FIRST; i++)
		if (!strcmp(object_types[i], name))
			return true;
	return false;
}

/**
 * filtertypes_help() - "-object TYPE,help" output for a filter type
 * @name:	QOM type name
 * @out:	text is appended here
 *
 * Return: 0, or -ENOENT if @name is not a filter type
 */
int filtertypes_help(const char *name, struct strbuf *out)
{
	const struct filtertype *t = filtertypes_find(name);

	if (!t)
		return -ENOENT;
	schema_help_props(t->name, t->opts, true, out);
	return 0;
}
