// SPDX-License-Identifier: GPL-2.0-or-later
/* Run-time changes for the monitor: netdev_add, netdev_del, set_link. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"

/*
 * DOC: monitor API
 *
 * The monitor (HMP text or QMP JSON) changes the model through these
 * calls; each returns 0 or -errno and leaves QEMU's error text as the last
 * entry of nc->diag, without location, with its QMP class
 * (DIAG_DEVICE_NOT_FOUND for "Device 'x' not found"):
 *
 * - netconf_netdev_add_str(): HMP "netdev_add TYPE,id=X,...". QemuOpts
 *   form as on the command line; the keyval form for stream/dgram (QEMU
 *   7.2's HMP cannot add those; later releases can). When the option
 *   string itself is refused (bad or duplicate id), it returns -EBADMSG:
 *   QEMU's HMP then prints the error to its stderr and answers 'Try "help
 *   netdev_add" for more information'.
 * - netconf_netdev_add_json(): QMP "netdev_add" arguments.
 * - netconf_netdev_del(): "Device 'x' not found", "Device 'x' is not a
 *   netdev" (for -net backends and hub ports made by -net). A netdev that
 *   a NIC uses stays that NIC's (dead) peer and its link goes down.
 * - netconf_set_link(): every client of that name; a netdev's NIC peer
 *   follows it, a NIC's netdev does not.
 *
 * A new netdev has no peer; nothing is printed for that.
 */

static bool modern_type(const char *type)
{
	return type && (!strcmp(type, "stream") || !strcmp(type, "dgram"));
}

static int add_keyval(struct netconf *nc, const char *optstr)
{
	struct json_value *tree, *v;
	struct netconf_netdev *nd;
	int ret;

	ret = keyval_parse(optstr, "type", &tree, &nc->diag);
	if (ret)
		return ret;
	ret = schema_visit_tree(&ndtypes_netdev, tree, SCHEMA_KEYVAL, &v,
				&nc->diag);
	json_free(tree);
	if (ret)
		return ret;
	return nc_netdev_init(nc, v, true, NETCONF_FROM_MONITOR, NULL, &nd);
}

/**
 * netconf_netdev_add_str() - HMP netdev_add
 * @nc:		configuration
 * @optstr:	"TYPE,id=X,..." as on the command line
 * @help:	"netdev_add help" output goes here
 *
 * Return: 0, 1 when help was printed, -EBADMSG when the option string's
 * id is refused, or another -errno
 */
int netconf_netdev_add_str(struct netconf *nc, const char *optstr,
			   struct strbuf *help)
{
	struct qopts *o, *probe = qopts_new();
	bool modern;
	int ret;

	diag_clear_loc(&nc->diag);
	if (!probe)
		return -ENOMEM;
	ret = qopts_parse(probe, optstr, "type", NULL);
	modern = !ret && modern_type(qopts_get(probe, "type"));
	qopts_free(probe);
	if (ret)
		return ret;
	if (modern)
		return add_keyval(nc, optstr);
	ret = qopts_list_parse(&nc->lists[NCL_NETDEV], optstr, "type",
			       &nc->diag, &o);
	if (ret)
		return ret == -EINVAL ? -EBADMSG : ret;
	ret = nc_netdev_init_legacy(nc, o, true, NETCONF_FROM_MONITOR, NULL,
				    help);
	if (ret)
		qopts_list_remove(&nc->lists[NCL_NETDEV], o);
	return ret;
}

/**
 * netconf_netdev_add_json() - QMP netdev_add
 * @nc:		configuration
 * @args:	the command's arguments object (type, id, ...)
 *
 * Return: 0, or -errno
 */
int netconf_netdev_add_json(struct netconf *nc, const struct json_value *args)
{
	struct netconf_netdev *nd;
	struct json_value *v;
	int ret;

	diag_clear_loc(&nc->diag);
	ret = schema_visit_tree(&ndtypes_netdev, args, SCHEMA_JSON, &v,
				&nc->diag);
	if (ret)
		return ret;
	if (!qopts_id_wellformed(netconf_opt_str(v, "id"))) {
		json_free(v);
		return diag_error(&nc->diag, "Parameter 'id' expects an "
				  "identifier");
	}
	return nc_netdev_init(nc, v, true, NETCONF_FROM_MONITOR, NULL, &nd);
}

/* Detach and free (or keep as a NIC's dead peer) a netdev's clients. */
static int del_netdev(struct netconf *nc, struct netconf_netdev *nd)
{
	struct netconf_client *peer = nd->queues[0]->peer;
	struct netconf_chardev *chr;
	unsigned i;
	size_t f;

	for (f = 0; f < nd->nfilters; f++) {
		nc_remove(&nc->filters, &nc->nfilters, nd->filters[f]);
		nc_filter_free(nd->filters[f]);
	}
	nd->nfilters = 0;
	for (i = 0; i < nd->nqueues; i++)
		nc_client_unlist(nc, nd->queues[i]);
	if (nd->hub)
		nc_remove(&nd->hub->ports, &nd->hub->nports, nd);
	if (!strcmp(nd->type->name, "vhost-user")) {
		chr = netconf_find_chardev(nc, netconf_opt_str(nd->opts,
							       "chardev"));
		if (chr)
			chr->in_use = false;
	}
	nc_remove(&nc->netdevs, &nc->nnetdevs, nd);
	if (peer && peer->nic) {
		for (i = 0; i < nd->nqueues; i++)
			if (nd->queues[i]->peer)
				nd->queues[i]->peer->link_down = true;
		nd->deleted = true;
		return nc_push(&nc->zombies, &nc->nzombies, nd);
	}
	for (i = 0; i < nd->nqueues; i++)
		if (nd->queues[i]->peer)
			nd->queues[i]->peer->peer = NULL;
	nc_netdev_free(nd);
	return 0;
}

/**
 * netconf_netdev_del() - QMP/HMP netdev_del
 * @nc:	configuration
 * @id:	netdev id
 *
 * Return: 0, -ENOENT (DeviceNotFound), -EINVAL
 */
int netconf_netdev_del(struct netconf *nc, const char *id)
{
	struct netconf_client *c;
	struct qopts *o;

	diag_clear_loc(&nc->diag);
	c = nc_find_netdev_client(nc, id);
	if (!c)
		return diag_error_class(&nc->diag, DIAG_DEVICE_NOT_FOUND,
					"Device '%s' not found", id);
	if (!c->nd->is_netdev)
		return diag_error(&nc->diag, "Device '%s' is not a netdev", id);
	o = qopts_list_find(&nc->lists[NCL_NETDEV], id);
	if (o)
		qopts_list_remove(&nc->lists[NCL_NETDEV], o);
	return del_netdev(nc, c->nd);
}

/**
 * netconf_set_link() - QMP/HMP set_link
 * @nc:		configuration
 * @name:	client name (netdev id or NIC name)
 * @up:		new link state
 *
 * Return: 0, or -ENOENT (DeviceNotFound)
 */
int netconf_set_link(struct netconf *nc, const char *name, bool up)
{
	struct netconf_client *c, *first = NULL;

	diag_clear_loc(&nc->diag);
	for (c = nc->head; c; c = c->next) {
		if (strcmp(c->name, name))
			continue;
		if (!first)
			first = c;
		c->link_down = !up;
	}
	if (!first)
		return diag_error_class(&nc->diag, DIAG_DEVICE_NOT_FOUND,
					"Device '%s' not found", name);
	if (first->peer && first->peer->nic)
		for (c = nc->head; c; c = c->next)
			if (!strcmp(c->name, name) && c->peer)
				c->peer->link_down = !up;
	return 0;
}
