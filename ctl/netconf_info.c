// SPDX-License-Identifier: GPL-2.0-or-later
/* "info network" text, per-type info strings, and the no-peer warnings. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"
#include "ctl/netconf_user.h"

/*
 * DOC: info network
 *
 * The text is QEMU's hmp_info_network() output: first every hub, newest
 * first, with its ports newest first (" \ PORT: PEER-LINE" or " \ PORT");
 * then every client in creation order that is neither a hub port nor the
 * peer of one: a NIC with its peer on the next line behind " \ ", or an
 * unpeered netdev alone. A client line is
 *
 *   NAME: index=QUEUE,type=TYPE,INFO
 *
 * followed, when filters are attached, by "filters:" and one
 * "  - ID: type=TYPE,prop=value,..." line per filter. Lines end in "\n";
 * the monitor turns them into "\r\n" as QEMU's does.
 *
 * INFO is the backend's description. Where QEMU's text depends on what
 * happened at run time (a socket that has connected, the name the kernel
 * gave a tap), the model gives what QEMU shows before anything happens
 * (empty for stream and listening/connecting sockets) or the value QEMU
 * would most likely get (tap0, tap1, ... for taps without ifname=);
 * docs/compat-notes.md lists these cases.
 */

static void sockaddr_str(const struct json_value *a, struct strbuf *out,
			 char sep)
{
	const char *type = netconf_opt_str(a, "type");

	struct in_addr in;

	if (type && !strcmp(type, "inet"))
		strbuf_printf(out, "%s%c%s",
			      inet_aton(netconf_opt_str(a, "host"), &in) ?
			      inet_ntoa(in) : netconf_opt_str(a, "host"), sep,
			      netconf_opt_str(a, "port"));
	else if (type && !strcmp(type, "unix"))
		strbuf_puts(out, netconf_opt_str(a, "path"));
	else if (type && !strcmp(type, "fd"))
		strbuf_puts(out, netconf_opt_str(a, "str"));
	else if (type)
		strbuf_printf(out, "%s:%s", netconf_opt_str(a, "cid"),
			      netconf_opt_str(a, "port"));
}

static void dgram_info(const struct json_value *o, struct strbuf *out)
{
	const struct json_value *l = json_object_get(o, "local");
	const struct json_value *r = json_object_get(o, "remote");
	const char *lt = netconf_opt_str(l, "type");
	struct in_addr a;

	if (r && !strcmp(netconf_opt_str(r, "type"), "inet") &&
	    inet_aton(netconf_opt_str(r, "host"), &a) &&
	    IN_MULTICAST(ntohl(a.s_addr))) {
		strbuf_puts(out, "mcast=");
		sockaddr_str(r, out, ':');
		return;
	}
	if (lt && !strcmp(lt, "fd")) {
		strbuf_printf(out, "fd=%s", netconf_opt_str(l, "str"));
		return;
	}
	strbuf_puts(out, "udp=");
	sockaddr_str(l, out, ':');
	strbuf_putc(out, lt && !strcmp(lt, "unix") ? ':' : '/');
	sockaddr_str(r, out, ':');
}

static void tap_info(const struct netconf_netdev *nd, unsigned q,
		     struct strbuf *out)
{
	const struct json_value *o = nd->opts;
	const char *v;

	if ((v = netconf_opt_str(o, "fd")) || (v = netconf_opt_str(o, "fds"))) {
		strbuf_printf(out, "fd=%s", v);
	} else if ((v = netconf_opt_str(o, "helper"))) {
		strbuf_printf(out, "helper=%s", v);
	} else {
		v = netconf_opt_str(o, "ifname");
		if (v)
			strbuf_printf(out, "ifname=%s", v);
		else
			strbuf_printf(out, "ifname=tap%u", nd->tap_index);
		/* QEMU runs the scripts for the first queue only */
		v = q ? "no" : netconf_opt_str(o, "script");
		strbuf_printf(out, ",script=%s", v ? v : "/etc/qemu-ifup");
		v = q ? "no" : netconf_opt_str(o, "downscript");
		strbuf_printf(out, ",downscript=%s",
			      v ? v : "/etc/qemu-ifdown");
	}
}

static void socket_info(const struct json_value *o, struct strbuf *out)
{
	const char *v;

	if ((v = netconf_opt_str(o, "fd")))
		strbuf_printf(out, "socket: fd=%s", v);
	else if ((v = netconf_opt_str(o, "mcast")))
		strbuf_printf(out, "socket: mcast=%s", v);
	else if ((v = netconf_opt_str(o, "udp")))
		strbuf_printf(out, "socket: udp=%s", v);
	/* listen/connect: empty until a connection happens */
}

/**
 * queue_info() - the INFO part of one netdev queue's line
 * @nd:		netdev
 * @q:		queue index
 * @out:	text is appended here
 */
static void queue_info(const struct netconf_netdev *nd, unsigned q,
		       struct strbuf *out)
{
	const char *t = nd->type->name;
	const struct json_value *o = nd->opts;
	struct nc_user_net un;
	const char *why;

	if (!strcmp(t, "user")) {
		if (nc_user_net(o, &un, &why))
			un.net.s_addr = htonl(0x0a000200);
		strbuf_printf(out, "net=%s,restrict=%s", inet_ntoa(un.net),
			      un.restricted ? "on" : "off");
	} else if (!strcmp(t, "tap")) {
		tap_info(nd, q, out);
	} else if (!strcmp(t, "bridge")) {
		strbuf_printf(out, "helper=%s,br=%s",
			      netconf_opt_str(o, "helper") ?:
			      "/usr/lib/qemu/qemu-bridge-helper",
			      netconf_opt_str(o, "br") ?: "br0");
	} else if (!strcmp(t, "socket")) {
		socket_info(o, out);
	} else if (!strcmp(t, "dgram")) {
		dgram_info(o, out);
	} else if (!strcmp(t, "l2tpv3")) {
		strbuf_puts(out, "l2tpv3: connected");
	} else if (!strcmp(t, "vde")) {
		strbuf_printf(out, "sock=%s,fd=-1",
			      netconf_opt_str(o, "sock") ?: "");
	} else if (!strcmp(t, "vhost-user")) {
		strbuf_printf(out, "vhost-user%u to %s", q,
			      netconf_opt_str(o, "chardev"));
	} else if (!strcmp(t, "vhost-vdpa")) {
		strbuf_printf(out, "vhostdev=%s,index=%u",
			      netconf_opt_str(o, "vhostdev") ?: "", q);
	} else if (!strcmp(t, "af-xdp")) {
		strbuf_printf(out, "af-xdp%u to %s", q,
			      netconf_opt_str(o, "ifname"));
	}
}

/**
 * netconf_netdev_info() - QEMU's info string of a netdev's first queue
 * @nd:	netdev
 *
 * Return: malloc'd text (caller frees), or NULL
 */
char *netconf_netdev_info(const struct netconf_netdev *nd)
{
	struct strbuf sb = STRBUF_INIT;

	queue_info(nd, 0, &sb);
	return strbuf_steal(&sb);
}

static void filter_line(const struct netconf_filter *f, struct strbuf *out)
{
	const char *const *k;
	const struct json_value *v;
	const struct schema_field *fd;

	strbuf_printf(out, "  - %s: type=%s", f->id, f->type->name);
	for (k = f->type->info_order; *k; k++) {
		v = json_object_get(f->props, *k);
		fd = schema_find(f->type->opts, *k);
		strbuf_printf(out, ",%s=", *k);
		if (!v)
			strbuf_puts(out, fd && fd->def ? fd->def : "");
		else if (v->type == JSON_BOOL)
			strbuf_puts(out, v->u.b ? "true" : "false");
		else if (v->type == JSON_INT)
			strbuf_printf(out, "%lld", (long long)v->u.i);
		else if (v->type == JSON_STRING)
			strbuf_puts(out, v->u.s);
	}
	strbuf_putc(out, '\n');
}

/* Which of its netdev's queues @c is (its index may say otherwise). */
static unsigned queue_pos(const struct netconf_client *c)
{
	unsigned i;

	for (i = 0; i < c->nd->nqueues; i++)
		if (c->nd->queues[i] == c)
			return i;
	return 0;
}

/**
 * struct info_hook - run-time INFO texts (netconf_info_network_rt())
 * @fn:		the hook, or NULL
 * @arg:	its argument
 */
struct info_hook {
	int (*fn)(const struct netconf_netdev *nd, unsigned q,
		  const char **type, struct strbuf *out, void *arg);
	void *arg;
};

static void client_line(const struct netconf_client *c, struct strbuf *out,
			const struct info_hook *h)
{
	struct strbuf info = STRBUF_INIT;
	const char *type = c->nic ? "nic" : c->nd->type->info_type;
	char mac[18];
	size_t i;

	if (c->nic && c->queue_index == 0) {
		netconf_format_mac(c->nic->mac, mac);
		strbuf_printf(&info, "model=%s,macaddr=%s",
			      c->nic->model->name, mac);
	} else if (c->nd && (!h->fn || h->fn(c->nd, queue_pos(c), &type,
					      &info, h->arg))) {
		strbuf_reset(&info);
		queue_info(c->nd, queue_pos(c), &info);
	}
	strbuf_printf(out, "%s: index=%u,type=%s,%s\n", c->name,
		      c->queue_index, type, strbuf_str(&info));
	strbuf_free(&info);
	if (!c->nd || c != c->nd->queues[0] || !c->nd->nfilters)
		return;
	strbuf_puts(out, "filters:\n");
	for (i = 0; i < c->nd->nfilters; i++)
		filter_line(c->nd->filters[i], out);
}

static bool is_hubport(const struct netconf_client *c)
{
	return c && c->nd && c->nd->hub;
}

/**
 * netconf_info_network() - QEMU's "info network" text
 * @nc:		configuration
 * @out:	text is appended here (lines end in "\n")
 */
void netconf_info_network(const struct netconf *nc, struct strbuf *out)
{
	netconf_info_network_rt(nc, out, NULL, NULL);
}

/**
 * netconf_info_network_rt() - "info network" with run-time INFO texts
 * @nc:		configuration
 * @out:	text is appended here
 * @fn:		asked first for each netdev queue: 0 when it appended the
 *		INFO part (it may change the type shown), else the model's
 *		text is used
 * @arg:	passed to @fn
 */
void netconf_info_network_rt(const struct netconf *nc, struct strbuf *out,
			     int (*fn)(const struct netconf_netdev *nd,
				       unsigned q, const char **type,
				       struct strbuf *out, void *arg),
			     void *arg)
{
	const struct info_hook hook = { .fn = fn, .arg = arg };
	const struct netconf_client *c;
	const struct netconf_hub *h;
	size_t i, j;

	for (i = nc->nhubs; i > 0; i--) {
		h = nc->hubs[i - 1];
		strbuf_printf(out, "hub %d\n", h->id);
		for (j = h->nports; j > 0; j--) {
			c = h->ports[j - 1]->queues[0];
			strbuf_printf(out, " \\ %s", c->name);
			if (c->peer) {
				strbuf_puts(out, ": ");
				client_line(c->peer, out, &hook);
			} else {
				strbuf_putc(out, '\n');
			}
		}
	}
	for (c = nc->head; c; c = c->next) {
		if (is_hubport(c) || is_hubport(c->peer))
			continue;
		if (!c->peer || c->nic)
			client_line(c, out, &hook);
		if (c->peer && c->nic) {
			strbuf_puts(out, " \\ ");
			client_line(c->peer, out, &hook);
		}
	}
}

/**
 * netconf_check_clients() - QEMU's net_check_clients() warnings, appended
 *	to nc->diag (hub warnings first, then every unpeered client)
 * @nc:	configuration
 */
void netconf_check_clients(struct netconf *nc)
{
	const struct netconf_client *c, *peer;
	const struct netconf_hub *h;
	bool has_nic, has_host;
	size_t i, j;

	diag_clear_loc(&nc->diag);
	for (i = nc->nhubs; i > 0; i--) {
		h = nc->hubs[i - 1];
		has_nic = has_host = false;
		for (j = h->nports; j > 0; j--) {
			c = h->ports[j - 1]->queues[0];
			peer = c->peer;
			if (!peer) {
				diag_warn(&nc->diag, "hub port %s has no peer",
					  c->name);
				continue;
			}
			if (peer->nic)
				has_nic = true;
			else if (peer->nd->type->flags & NDT_HOSTNET)
				has_host = true;
		}
		if (has_host && !has_nic)
			diag_warn(&nc->diag, "hub %d with no nics", h->id);
		if (has_nic && !has_host)
			diag_warn(&nc->diag, "hub %d is not connected to host "
				  "network", h->id);
	}
	for (c = nc->head; c; c = c->next)
		if (!c->peer)
			diag_warn(&nc->diag, "%s %s has no peer",
				  c->nic ? "nic" : "netdev", c->name);
}
