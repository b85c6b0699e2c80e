// SPDX-License-Identifier: GPL-2.0-or-later
/* Declarative option tables and the visitor that validates input by them. */
#ifndef QNET_CTL_SCHEMA_H
#define QNET_CTL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/diag.h"
#include "ctl/json.h"
#include "ctl/qopts.h"
#include "ctl/strbuf.h"

/*
 * DOC: option tables
 *
 * Every option qnet accepts is a row of a table: one table per netdev type
 * (struct schema_struct "user", "tap", ...), per NIC model ("e1000", ...),
 * per filter object, and per nested address type. A row gives the option's
 * name, kind, flags, default (as shown by help) and help text. Flat unions
 * (struct schema_union: Netdev, ObjectOptions, SocketAddress) join common
 * rows, a discriminator row and one struct per variant, as QAPI does.
 *
 * The tables drive three things: validation (schema_visit_opts() and
 * schema_visit_tree() below, with QEMU's error text for each input form),
 * the help listings (schema_help_*), and the typed value that the model
 * keeps for each netdev, NIC and filter: a JSON object whose members are
 * in table order, strings as JSON_STRING, booleans as JSON_BOOL, numbers
 * as JSON_INT/JSON_UINT, repeatable keys as arrays of strings and nested
 * structs as objects. Only options that were given appear in it.
 */

enum schema_kind {
	SK_STR,		/* string */
	SK_BOOL,	/* on|off|yes|no|true|false|y|n */
	SK_INT,		/* signed integer of .width bits */
	SK_UINT,	/* unsigned integer of .width bits */
	SK_SIZE,	/* byte size with optional k/M/G/T/P/E suffix */
	SK_ENUM,	/* one of .values */
	SK_STRLIST,	/* repeatable key: a list of strings */
	SK_STRUCT,	/* nested struct (a flat union), .sub */
	SK_MAC,		/* device property: MAC address */
	SK_NETDEV,	/* device property: netdev id */
	SK_PCIADDR,	/* device property: PCI slot[.function] */
	SK_CHILD,	/* device property: read-only child object */
	SK_KIND_COUNT
};

#define SF_REQUIRED	0x01u	/* must be given */
#define SF_QNET		0x02u	/* qnet extension, unknown to QEMU */
#define SF_IGNORED	0x04u	/* accepted for compatibility, no effect */
#define SF_INNER	0x08u	/* device: lives on the inner virtio device */
#define SF_NOHELP	0x10u	/* device help: no " - desc" part */

struct schema_union;

/**
 * struct schema_field - one option
 * @name:	key as typed
 * @kind:	value kind
 * @width:	bits for SK_INT/SK_UINT (8, 16, 32, 64)
 * @flags:	SF_* flags
 * @def:	default as help shows it (JSON text: 256, true, "auto"), or NULL
 * @help:	one-line description, or NULL
 * @values:	SK_ENUM: NULL-terminated list of accepted values
 * @sub:	SK_STRUCT: the nested type
 * @tname:	type name shown by help when not derived from @kind/@width
 */
struct schema_field {
	const char *name;
	enum schema_kind kind;
	uint8_t width;
	unsigned flags;
	const char *def;
	const char *help;
	const char *const *values;
	const struct schema_union *sub;
	const char *tname;
};

/**
 * struct schema_struct - one object type (a netdev type, a NIC model, ...)
 * @name:	type name ("user", "e1000", "filter-dump", "inet")
 * @fields:	options in visiting order
 * @nfields:	count
 */
struct schema_struct {
	const char *name;
	const struct schema_field *fields;
	size_t nfields;
};

/**
 * struct schema_union - a flat union: base fields, then one variant
 * @name:	type name, for documentation
 * @base:	common fields; one of them is the discriminator
 * @tag:	discriminator field name (must be an SK_ENUM base field whose
 *		values name the variants)
 * @variants:	one struct per discriminator value, NULL where a value
 *		has no members
 */
struct schema_union {
	const char *name;
	const struct schema_struct *base;
	const char *tag;
	const struct schema_struct *const *variants;
};

/* Input forms, each with QEMU's own error texts. */
enum schema_mode {
	SCHEMA_OPTS,	/* QemuOpts strings (legacy -netdev, -object) */
	SCHEMA_KEYVAL,	/* keyval tree of strings (-netdev stream) */
	SCHEMA_JSON,	/* typed JSON (-netdev {...}, QMP) */
	SCHEMA_MODE_COUNT
};

#define SCHEMA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SCHEMA_STRUCT(n, f) { .name = (n), .fields = (f), \
			      .nfields = SCHEMA_ARRAY_SIZE(f) }

int schema_visit_opts(const struct schema_union *u, const struct qopts *in,
		      struct json_value **out, struct diag_list *dl);
int schema_visit_tree(const struct schema_union *u,
		      const struct json_value *in, enum schema_mode mode,
		      struct json_value **out, struct diag_list *dl);
int schema_convert(const struct schema_field *f, const char *path,
		   const struct json_value *in, enum schema_mode mode,
		   struct json_value **out, struct diag_list *dl);
const struct schema_field *schema_find(const struct schema_struct *s,
				       const char *name);
const struct schema_struct *schema_variant(const struct schema_union *u,
					   const char *tag_value);

int schema_parse_int(const char *s, int64_t *v);
int schema_parse_uint(const char *s, uint64_t *v, bool allow_minus);
int schema_parse_size(const char *s, uint64_t *v);
int schema_parse_bool(const char *s, bool *v);

const char *schema_type_name(const struct schema_field *f, bool qom);
void schema_help_props(const char *title, const struct schema_struct *s,
		       bool qom, struct strbuf *out);

#endif /* QNET_CTL_SCHEMA_H */
