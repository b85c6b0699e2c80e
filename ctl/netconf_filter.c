// SPDX-License-Identifier: GPL-2.0-or-later
/* Filter objects: -object parsing and creation with QEMU's checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"
#include "datapath/pcapf.h"

/*
 * DOC: filters
 *
 * -object is parsed and validated against the ObjectOptions table when it
 * is read (errors name the option), and the filter is created after all
 * netdevs (errors without location, as in QEMU). Creation runs QEMU's
 * property setters in QDict order (status, interval, maxlen), then its
 * completion: find the netdev, resolve position=head|tail|id=<filter>,
 * check the chardevs of filter-mirror/filter-redirector, and insert the
 * filter in the netdev's list (head, tail, or before/behind the named
 * filter).
 *
 * Unlike QEMU, qnet accepts filters on multiqueue and vhost netdevs
 * (QEMU: "multiqueue is not supported", "Vhost is not supported"); info
 * network lists them under the netdev's first queue. filter-dump's file is
 * opened when qnet runs, never in --dry-run.
 *
 * qnet-filter (qnet's own type, unknown to QEMU) drops the frames its
 * tcpdump expression matches (action=drop) or the ones it does not
 * (action=allow). Its filter= and filter-dump's are compiled by libpcap
 * when the option is read, so a bad expression stops qnet before anything
 * is created, with libpcap's reason.
 */

/* Lists the object types qnet creates, for "-object help". */
static void object_help_list(struct strbuf *out)
{
	static const char *const types[] = { "filter-buffer", "filter-dump",
					     "filter-mirror",
					     "filter-redirector",
					     "qnet-filter" };
	size_t i;

	strbuf_puts(out, "List of user creatable objects:\n");
	for (i = 0; i < SCHEMA_ARRAY_SIZE(types); i++)
		strbuf_printf(out, "  %s\n", types[i]);
}

static int not_supported(struct netconf *nc, const char *type)
{
	return diag_error(&nc->diag, "object type '%s' is not supported by "
			  "qnet (it handles filter-buffer, filter-dump, "
			  "filter-mirror, filter-redirector, qnet-filter)",
			  type);
}

/**
 * expr_check() - compile an object's filter= with libpcap
 * @nc:		configuration (diag location set by the caller)
 * @v:		the typed object
 *
 * Return: 0 when there is no expression or libpcap takes it, else -EINVAL
 * (reported with libpcap's reason) or -ENOMEM
 */
static int expr_check(struct netconf *nc, const struct json_value *v)
{
	const char *expr = netconf_opt_str(v, "filter");
	struct pcapf f;
	char why[256];
	int ret;

	if (!expr)
		return 0;
	if (!*expr && !strcmp(netconf_opt_str(v, "qom-type"), "qnet-filter"))
		return diag_error(&nc->diag, "Parameter 'filter' must not be "
				  "empty");
	ret = pcapf_compile(&f, expr, 65535, why, sizeof(why));
	pcapf_free(&f);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return diag_error(&nc->diag, "Parameter 'filter' is not a valid "
				  "tcpdump expression: %s", why[0] ? why :
				  strerror(-ret));
	return 0;
}

/* JSON form of -object. */
static int object_json(struct netconf *nc, const char *arg,
		       struct json_value **out)
{
	struct strbuf err = STRBUF_INIT;
	struct json_value *in;
	const char *type;
	int ret;

	ret = json_parse(arg, &in, &err);
	if (ret) {
		if (ret == -EINVAL)
			diag_error(&nc->diag, "%s", strbuf_str(&err));
		strbuf_free(&err);
		return ret;
	}
	type = json_object_get_str(in, "qom-type");
	if (type && filtertypes_qemu_object(type) && !filtertypes_find(type))
		ret = not_supported(nc, type);
	else
		ret = schema_visit_tree(&filtertypes_object, in, SCHEMA_JSON,
					out, &nc->diag);
	json_free(in);
	return ret;
}

/**
 * nc_object_parse() - read one -object option (QEMU's object_option_parse)
 * @nc:		configuration (diag location set by the caller)
 * @arg:	the argument
 * @help:	"-object help" / "-object TYPE,help" output
 *
 * Return: 0, 1 when help was printed, or -errno
 */
int nc_object_parse(struct netconf *nc, const char *arg, struct strbuf *help)
{
	struct json_value *v = NULL;
	struct qopts *o;
	const char *type;
	int ret;

	if (arg[0] == '{') {
		ret = object_json(nc, arg, &v);
	} else {
		ret = qopts_list_parse(&nc->lists[NCL_OBJECT], arg, "qom-type",
				       &nc->diag, &o);
		if (ret)
			return ret;
		type = qopts_get(o, "qom-type");
		if (!type)
			return diag_error(&nc->diag, "Parameter 'qom-type' is "
					  "missing");
		if (!strcmp(type, "help") || !strcmp(type, "?")) {
			object_help_list(help);
			return 1;
		}
		if (filtertypes_qemu_object(type) && !filtertypes_find(type))
			return not_supported(nc, type);
		if (qopts_has_help(o) && !filtertypes_help(type, help))
			return 1;
		ret = schema_visit_opts(&filtertypes_object, o, &v, &nc->diag);
	}
	if (!ret)
		ret = expr_check(nc, v);
	if (ret) {
		json_free(v);
		return ret;
	}
	return nc_items_add(&nc->pend->object, nc->diag.loc ? nc->diag.loc :
			    "-object", NULL, v);
}

/* Property setters that can fail, in QDict order (status, interval,
 * maxlen). */
static int setters(struct netconf *nc, const struct json_value *p,
		   const char *type)
{
	const char *status = netconf_opt_str(p, "status");
	const struct json_value *v;

	if (status && strcmp(status, "on") && strcmp(status, "off"))
		return diag_error(&nc->diag, "Invalid value for netfilter "
				  "status, should be 'on' or 'off'");
	v = json_object_get(p, "interval");
	if (v && !v->u.i)
		return diag_error(&nc->diag, "Property '%s.interval' requires "
				  "a positive value", type);
	v = json_object_get(p, "maxlen");
	if (v && !v->u.i)
		return diag_error(&nc->diag, "Property '%s.maxlen' doesn't "
				  "take value '0'", type);
	return 0;
}

/* A chardev a filter reads or writes: must exist and be unused. */
static int use_chardev(struct netconf *nc, const char *id, const char *what)
{
	struct netconf_chardev *c = netconf_find_chardev(nc, id);

	if (!c)
		return diag_error_class(&nc->diag, DIAG_DEVICE_NOT_FOUND,
					"%sDevice '%s' not found", what, id);
	if (c->in_use)
		return diag_error(&nc->diag, "Device '%s' is in use", id);
	c->in_use = true;
	return 0;
}

static int setup(struct netconf *nc, const struct json_value *p,
		 const char *type)
{
	const char *in = netconf_opt_str(p, "indev");
	const char *out = netconf_opt_str(p, "outdev");
	int ret = 0;

	if (!strcmp(type, "filter-mirror"))
		return use_chardev(nc, out, "");
	if (strcmp(type, "filter-redirector"))
		return 0;
	if (!in && !out)
		return diag_error(&nc->diag, "filter redirector needs 'indev' "
				  "or 'outdev' at least one property set");
	if (in && out && !strcmp(in, out))
		return diag_error(&nc->diag, "'indev' and 'outdev' could not "
				  "be same for filter redirector");
	if (in)
		ret = use_chardev(nc, in, "IN ");
	if (!ret && out)
		ret = use_chardev(nc, out, "OUT ");
	return ret;
}

/* Resolve position=; set *@idx to the insertion index in nd->filters. */
static int position(struct netconf *nc, struct netconf_netdev *nd,
		    const struct json_value *p, size_t *idx)
{
	const char *pos = netconf_opt_str(p, "position");
	const char *ins = netconf_opt_str(p, "insert");
	size_t i;

	if (!pos || !strcmp(pos, "tail")) {
		*idx = nd->nfilters;
		return 0;
	}
	if (!strcmp(pos, "head")) {
		*idx = 0;
		return 0;
	}
	if (strncmp(pos, "id=", 3))
		return diag_error(&nc->diag, "Parameter 'position' expects "
				  "'head', 'tail' or 'id=<id>'");
	for (i = 0; i < nd->nfilters; i++)
		if (!strcmp(nd->filters[i]->id, pos + 3))
			break;
	if (i == nd->nfilters)
		return diag_error(&nc->diag, "filter '%s' not found", pos + 3);
	*idx = (ins && !strcmp(ins, "before")) ? i : i + 1;
	return 0;
}

static int insert(struct netconf *nc, struct netconf_filter *f, size_t idx)
{
	struct netconf_netdev *nd = f->nd;
	int ret = nc_push(&nd->filters, &nd->nfilters, f);

	if (ret)
		return ret;
	memmove(&nd->filters[idx + 1], &nd->filters[idx],
		(nd->nfilters - 1 - idx) * sizeof(f));
	nd->filters[idx] = f;
	ret = nc_push(&nc->filters, &nc->nfilters, f);
	if (ret)
		nc_remove(&nd->filters, &nd->nfilters, f);
	return ret;
}

/**
 * nc_filter_create() - create one filter (QEMU's late object creation)
 * @nc:	configuration
 * @it:	the -object option (typed ObjectOptions in @it->tree)
 *
 * Return: 0, or -errno
 */
int nc_filter_create(struct netconf *nc, const struct nc_item *it)
{
	const struct json_value *p = it->tree;
	const char *type = netconf_opt_str(p, "qom-type");
	const char *id = netconf_opt_str(p, "id");
	struct netconf_client *c;
	struct netconf_filter *f;
	size_t idx = 0;
	int ret;

	if (!qopts_id_wellformed(id)) {
		ret = diag_error(&nc->diag, "Invalid object identifier '%s'",
				 id);
		diag_hint(&nc->diag, "Identifiers consist of letters, digits, "
			  "'-', '.', '_', starting with a letter.\n");
		return ret;
	}
	if (netconf_find_filter(nc, id))
		return diag_error(&nc->diag, "attempt to add duplicate "
				  "property '%s' to object (type "
				  "'container')", id);
	ret = setters(nc, p, type);
	if (ret)
		return ret;
	c = nc_find_netdev_client(nc, netconf_opt_str(p, "netdev"));
	if (!c)
		return diag_error(&nc->diag, "Parameter 'netdev' expects a "
				  "network backend id");
	ret = position(nc, c->nd, p, &idx);
	if (!ret)
		ret = setup(nc, p, type);
	if (ret)
		return ret;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->id = strdup(id)) || !(f->props = json_clone(p)) ||
	    !(f->loc = strdup(it->loc)))
		goto oom;
	f->type = filtertypes_find(type);
	f->nd = c->nd;
	if (insert(nc, f, idx))
		goto oom;
	return 0;
oom:
	if (f)
		nc_filter_free(f);
	return -ENOMEM;
}
