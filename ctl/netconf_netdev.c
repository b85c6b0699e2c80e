// SPDX-License-Identifier: GPL-2.0-or-later
/* Creating netdevs: -netdev, -nic, -net and netdev_add, in QEMU's steps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"

/*
 * DOC: netdev creation
 *
 * nc_netdev_init() is QEMU's net_client_init1(): given a validated Netdev
 * value it checks that the type may be used where it was given, joins -net
 * backends to hub 0, refuses a duplicate name ("Duplicate ID 'x'"), runs
 * the type's own checks and creates the netdev. nc_netdev_init_legacy() is
 * net_client_init() in front of it for the QemuOpts form: "ipv6-net"
 * shorthand, generated ids for -net, then validation. nc_nic_param() is
 * -nic (a netdev plus a NIC request) and nc_net_param() is -net.
 */

static int not_compiled(struct diag_list *dl, const char *type)
{
	return diag_error(dl, "network backend '%s' is not compiled into this "
			  "binary", type);
}

/**
 * queue_count() - number of queues a netdev of @t gets
 * @t:		type
 * @opts:	typed options
 *
 * Return: tap: queues= or the number of fds=; vhost-user, vhost-vdpa,
 * af-xdp: queues=; others 1
 */
static unsigned queue_count(const struct ndtype *t,
			    const struct json_value *opts)
{
	const char *fds;
	unsigned n = 1;

	if (!strcmp(t->name, "tap")) {
		fds = netconf_opt_str(opts, "fds");
		if (fds) {
			for (; *fds; fds++)
				n += *fds == ':';
			return n;
		}
		return (unsigned)netconf_opt_uint(opts, "queues", 1);
	}
	if (!strcmp(t->name, "vhost-user") || !strcmp(t->name, "vhost-vdpa") ||
	    !strcmp(t->name, "af-xdp")) {
		int64_t q = netconf_opt_int(opts, "queues", 1);

		return q > 1 && q < 1024 ? (unsigned)q : 1;
	}
	return 1;
}

/* A tap the kernel names: it gets the first free tapN. */
static bool auto_tap(const struct ndtype *t, const struct json_value *o)
{
	return !strcmp(t->name, "tap") && !netconf_opt_str(o, "ifname") &&
	       !netconf_opt_str(o, "fd") && !netconf_opt_str(o, "fds") &&
	       !netconf_opt_str(o, "helper");
}

/**
 * auto_tap_index() - N of the "tapN" name a new tap will most likely get
 * @nc:		configuration
 * @t:		type of the new netdev
 * @o:		its options
 *
 * Return: the number of kernel-named taps that exist already
 */
static unsigned auto_tap_index(const struct netconf *nc,
			       const struct ndtype *t,
			       const struct json_value *o)
{
	unsigned n = 0;
	size_t i;

	if (!auto_tap(t, o))
		return 0;
	for (i = 0; i < nc->nnetdevs; i++)
		n += auto_tap(nc->netdevs[i]->type, nc->netdevs[i]->opts);
	return n;
}

/* -net nic: QEMU's net_init_nic(); the NIC itself comes with the board. */
static int init_nic(struct netconf *nc, const struct json_value *opts,
		    struct netconf_client *peer, const char *loc)
{
	struct diag_list *dl = &nc->diag;
	struct netconf_pending *p = nc->pend;
	const char *netdev = netconf_opt_str(opts, "netdev");
	const char *mac = netconf_opt_str(opts, "macaddr");
	const char *model = netconf_opt_str(opts, "model");
	uint8_t addr[6] = { 0 };
	struct nc_board_nic *b;

	if (nc->nb_nics >= NETCONF_MAX_NICS)
		return diag_error(dl, "too many NICs");
	if (netdev) {
		peer = nc_find_netdev_client(nc, netdev);
		if (!peer)
			return diag_error(dl, "netdev '%s' not found", netdev);
	}
	if (mac && nc_parse_macaddr(mac, addr))
		return diag_error(dl, "invalid syntax for ethernet address");
	if (mac && (addr[0] & 1))
		return diag_error(dl, "NIC cannot have multicast MAC address "
				  "(odd 1st byte)");
	nc_mac_default(nc, addr);
	if (netconf_opt_uint(opts, "vectors", 0) > 0x7ffffff)
		return diag_error(dl, "invalid # of vectors: %u", (unsigned)
				  netconf_opt_uint(opts, "vectors", 0));
	b = realloc(p->board, (p->nboard + 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	p->board = b;
	b = &p->board[p->nboard];
	memset(b, 0, sizeof(*b));
	b->model = model ? strdup(model) : NULL;
	b->loc = strdup(loc ? loc : "");
	memcpy(b->mac, addr, 6);
	b->peer = peer;
	b->origin = NETCONF_FROM_NET;
	p->nboard++;
	nc->nb_nics++;
	return 0;
}

/* -netdev hubport: QEMU's net_init_hubport(). */
static int init_hubport(struct netconf *nc, const struct json_value *opts,
			enum netconf_origin origin, const char *loc,
			struct netconf_netdev **out)
{
	const char *netdev = netconf_opt_str(opts, "netdev");
	struct netconf_client *peer = NULL;
	struct netconf_netdev *nd;

	if (netdev) {
		peer = nc_find_netdev_client(nc, netdev);
		if (!peer)
			return diag_error(&nc->diag, "netdev '%s' not found",
					  netdev);
		/* QEMU asserts here; qnet refuses cleanly. */
		if (peer->peer)
			return diag_error(&nc->diag, "netdev '%s' is already "
					  "in use", netdev);
	}
	nd = nc_hub_add_port(nc, (int)netconf_opt_int(opts, "hubid", 0),
			     netconf_opt_str(opts, "id"), peer, origin, loc);
	if (!nd)
		return -ENOMEM;
	json_free(nd->opts);
	nd->opts = json_clone(opts);
	*out = nd;
	return nd->opts ? 0 : -ENOMEM;
}

/*
 * -net: refuse what -net cannot create, and give everything but a NIC
 * with netdev= a new port on hub 0 (*@peer).
 */
static int net_prelude(struct netconf *nc, const struct ndtype *t,
		       const struct json_value *opts, const char *loc,
		       struct netconf_client **peer)
{
	struct netconf_netdev *port;

	if (!strcmp(t->name, "none"))
		return 0;
	if (!strcmp(t->name, "hubport"))
		return diag_error(&nc->diag, "network backend 'hubport' is "
				  "only supported with -netdev/-nic");
	if (!(t->flags & NDT_NET))
		return not_compiled(&nc->diag, t->name);
	if (!strcmp(t->name, "nic") && netconf_opt_str(opts, "netdev"))
		return 0;
	port = nc_hub_add_port(nc, 0, NULL, NULL, NETCONF_FROM_HUB, loc);
	if (!port)
		return -ENOMEM;
	*peer = port->queues[0];
	return 0;
}

/* Any backend but a hub port: checks, then the netdev and its queues. */
static int init_backend(struct netconf *nc, const struct ndtype *t,
			struct json_value **opts, enum netconf_origin origin,
			const char *loc, struct netconf_client *peer,
			struct netconf_netdev **out)
{
	unsigned tap_index, q;
	struct netconf_netdev *nd;
	int ret;

	ret = nc_netdev_validate(nc, t, *opts, peer != NULL);
	if (ret)
		return ret;
	tap_index = auto_tap_index(nc, t, *opts);
	nd = nc_netdev_new(nc, netconf_opt_str(*opts, "id"), t, *opts, origin,
			   loc, queue_count(t, *opts), peer);
	*opts = NULL;
	if (!nd)
		return -ENOMEM;
	nd->tap_index = tap_index;
	for (q = 0; (t->flags & NDT_QINDEX) && q < nd->nqueues; q++)
		nd->queues[q]->queue_index = q;
	*out = nd;
	return 0;
}

/**
 * nc_netdev_init() - QEMU's net_client_init1()
 * @nc:		configuration
 * @opts:	validated Netdev value (owned from now on)
 * @is_netdev:	-netdev/-nic/netdev_add (true) or -net (false)
 * @origin:	creating option
 * @loc:	creating option text, or NULL
 * @out:	the new netdev (NULL for -net none and -net nic)
 *
 * Return: 0, or -EINVAL (error in nc->diag) / -ENOMEM
 */
int nc_netdev_init(struct netconf *nc, struct json_value *opts,
		   bool is_netdev, enum netconf_origin origin,
		   const char *loc, struct netconf_netdev **out)
{
	const char *tname = netconf_opt_str(opts, "type");
	const char *id = netconf_opt_str(opts, "id");
	const struct ndtype *t = ndtypes_find(tname);
	struct netconf_netdev *nd = NULL;
	struct netconf_client *peer = NULL;
	int ret;

	*out = NULL;
	if (is_netdev)
		ret = (t->flags & NDT_NETDEV) ? 0 : not_compiled(&nc->diag,
								 tname);
	else
		ret = net_prelude(nc, t, opts, loc, &peer);
	if (ret || (!is_netdev && !strcmp(tname, "none")))
		goto out;
	if (nc_find_netdev_client(nc, id)) {
		ret = diag_error(&nc->diag, "Duplicate ID '%s'", id);
		goto out;
	}
	if (!strcmp(tname, "nic")) {
		ret = init_nic(nc, opts, peer, loc);
		goto out;
	}
	if (!strcmp(tname, "hubport"))
		ret = init_hubport(nc, opts, origin, loc, &nd);
	else
		ret = init_backend(nc, t, &opts, origin, loc, peer, &nd);
	if (nd)
		nd->is_netdev = is_netdev;
	*out = nd;
out:
	json_free(opts);
	return ret;
}

/* The ipv6-net=ADDR[/LEN] shorthand of the QemuOpts form. */
static int ipv6_net(struct netconf *nc, struct qopts *o)
{
	const char *v = qopts_get(o, "ipv6-net");
	char *prefix, *slash, num[24], *end;
	unsigned long len = 64;
	size_t i;
	int ret;

	if (!v)
		return 0;
	if (!*v)
		return diag_error(&nc->diag, "Parameter 'ipv6-net' expects a "
				  "valid IPv6 prefix");
	prefix = strdup(v);
	if (!prefix)
		return -ENOMEM;
	slash = strchr(prefix, '/');
	if (slash) {
		*slash++ = '\0';
		errno = 0;
		len = strtoul(slash, &end, 10);
		if (end == slash || *end || errno) {
			free(prefix);
			return diag_error(&nc->diag, "Parameter "
					  "'ipv6-prefixlen' expects a number");
		}
	}
	snprintf(num, sizeof(num), "%lu", len);
	ret = qopts_set(o, "ipv6-prefixlen", num);
	if (!ret)
		ret = qopts_set(o, "ipv6-prefix", prefix);
	free(prefix);
	/* QEMU drops only the last ipv6-net; a repeat stays unknown. */
	for (i = o->n; i > 0; i--) {
		if (!strcmp(o->v[i - 1].name, "ipv6-net")) {
			free(o->v[i - 1].name);
			free(o->v[i - 1].value);
			memmove(&o->v[i - 1], &o->v[i],
				(o->n - i) * sizeof(o->v[0]));
			o->n--;
			break;
		}
	}
	return ret;
}

/**
 * nc_netdev_init_legacy() - QEMU's net_client_init() for the QemuOpts form
 * @nc:		configuration
 * @o:		the option (-netdev, -nic or -net)
 * @is_netdev:	-netdev/-nic (true) or -net (false)
 * @origin:	creating option
 * @loc:	option text
 * @help:	"-netdev help" output goes here
 *
 * Return: 0, 1 when help was printed, or -errno
 */
int nc_netdev_init_legacy(struct netconf *nc, struct qopts *o,
			  bool is_netdev, enum netconf_origin origin,
			  const char *loc, struct strbuf *help)
{
	const char *type = qopts_get(o, "type");
	struct netconf_netdev *nd;
	struct json_value *v;
	int ret;

	if (is_netdev && help && type &&
	    (!strcmp(type, "help") || !strcmp(type, "?"))) {
		ndtypes_help_list(help);
		return 1;
	}
	ret = ipv6_net(nc, o);
	if (ret)
		return ret;
	if (!is_netdev && !o->id) {
		o->id = nc_generate_id(nc);
		if (!o->id)
			return -ENOMEM;
	}
	ret = schema_visit_opts(&ndtypes_netdev, o, &v, &nc->diag);
	if (ret)
		return ret;
	return nc_netdev_init(nc, v, is_netdev, origin, loc, &nd);
}

/**
 * nc_nic_param() - one -nic option (QEMU's net_param_nic())
 * @nc:		configuration
 * @o:		the option
 * @loc:	option text
 *
 * Return: 0, or -errno
 */
int nc_nic_param(struct netconf *nc, struct qopts *o, const char *loc)
{
	struct netconf_pending *p = nc->pend;
	const char *type = qopts_get(o, "type");
	struct nc_board_nic *b;
	uint8_t mac[6] = { 0 };
	char *model, *macs;
	int ret;

	if (type && !strcmp(type, "none"))
		return 0;
	if (nc->nb_nics >= NETCONF_MAX_NICS)
		return diag_error(&nc->diag, "no more on-board/default NIC "
				  "slots available");
	if (!type && qopts_set(o, "type", "user"))
		return -ENOMEM;
	model = qopts_get_del(o, "model");
	if (!o->id && !(o->id = nc_generate_id(nc))) {
		free(model);
		return -ENOMEM;
	}
	macs = qopts_get_del(o, "mac");
	ret = 0;
	if (macs && nc_parse_macaddr(macs, mac))
		ret = diag_error(&nc->diag, "invalid syntax for ethernet "
				 "address");
	else if (macs && (mac[0] & 1))
		ret = diag_error(&nc->diag, "NIC cannot have multicast MAC "
				 "address");
	free(macs);
	if (!ret) {
		nc_mac_default(nc, mac);
		ret = nc_netdev_init_legacy(nc, o, true, NETCONF_FROM_NIC, loc,
					    NULL);
	}
	if (ret) {
		free(model);
		return ret;
	}
	b = realloc(p->board, (p->nboard + 1) * sizeof(*b));
	if (!b) {
		free(model);
		return -ENOMEM;
	}
	p->board = b;
	b = &p->board[p->nboard++];
	memset(b, 0, sizeof(*b));
	b->model = model;
	b->loc = strdup(loc);
	memcpy(b->mac, mac, 6);
	b->peer = nc_find_netdev_client(nc, o->id);
	b->origin = NETCONF_FROM_NIC;
	nc->nb_nics++;
	return 0;
}

/**
 * nc_net_param() - one -net option
 * @nc:		configuration
 * @o:		the option
 * @loc:	option text
 *
 * Return: 0, or -errno
 */
int nc_net_param(struct netconf *nc, struct qopts *o, const char *loc)
{
	return nc_netdev_init_legacy(nc, o, false, NETCONF_FROM_NET, loc, NULL);
}
