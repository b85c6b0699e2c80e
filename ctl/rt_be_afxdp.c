// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_be_afxdp.c: -netdev af-xdp from netconf's options; user networking when the privileges are missing. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/afxdp.h"
#include "ctl/caps.h"
#include "ctl/rt_be.h"
#include "ctl/rt_filter.h"

/**
 * DOC: af-xdp netdevs
 *
 * QEMU 8.2's options (10.1's map-path and map-start-index included) are
 * checked in QEMU's order with QEMU's texts, then the netdev is opened on
 * the worker through backends/afxdp.h with qnet's steering program: the
 * frames for the MAC of the NIC it is peered with, broadcast and multicast
 * go to the guest, the rest to the host stack. A netdev whose peer has no
 * MAC (a hub port) gets every frame of its queues, as QEMU's default
 * program does. The program and its maps are pinned in the instance's
 * directory (rt_filter_pins()).
 *
 * Privileges. Loading the program and creating the sockets need
 * CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW (inhibit=on with sock-fds= needs
 * none). Without them the netdev becomes user networking (same id, same
 * peer), with the warning tap gives, naming the first capability missing:
 *
 *   qnet: -netdev af-xdp,id=x0,ifname=eth0: cannot open AF_XDP sockets on
 *   'eth0': Operation not permitted (needs CAP_BPF); falling back to user
 *   networking
 *
 * With fallback=off (a qnet option) the same text, without the fallback,
 * is an error.
 */

/**
 * struct rt_afxdp_opts - the options, typed and checked
 * @cfg:	the backend's configuration (strings point into the options)
 * @fds:	sock-fds= descriptors (@cfg.sock_fds points here)
 */
struct rt_afxdp_opts {
	struct afxdp_config cfg;
	int fds[PORT_MAX_QUEUES];
};

/**
 * rt_afxdp_sock_fds() - QEMU's parse_socket_fds(): one descriptor per queue
 * @s:		the option text ("N:M:...")
 * @o:		filled: @o->fds and @o->cfg.n_sock_fds
 * @queues:	queues expected
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_afxdp_sock_fds(const char *s, struct rt_afxdp_opts *o,
			     unsigned int queues, struct strbuf *err)
{
	char buf[512], *tok, *save = NULL;
	unsigned int n = 1;
	const char *p;

	for (p = s; *p; p++)
		n += *p == ':';
	if (n != queues) {
		strbuf_printf(err, "expected %u socket fds, got %u", queues, n);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	n = 0;
	for (tok = strtok_r(buf, ":", &save); tok && n < queues;
	     tok = strtok_r(NULL, ":", &save))
		if (rt_be_parse_fd(tok, &o->fds[n++], err))
			return -EINVAL;
	if (n != queues)
		return rt_be_parse_fd("", &o->fds[0], err);
	o->cfg.sock_fds = o->fds;
	o->cfg.n_sock_fds = n;
	return 0;
}

/**
 * rt_afxdp_inhibit() - QEMU's rules on inhibit=, sock-fds=, map-path=
 * @opts:	the netdev's options
 * @o:		filled
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_afxdp_inhibit(const struct json_value *opts,
			    struct rt_afxdp_opts *o, struct strbuf *err)
{
	const char *fds = netconf_opt_str(opts, "sock-fds");
	bool has_start = json_object_get(opts, "map-start-index") != NULL;
	int64_t start = netconf_opt_int(opts, "map-start-index", 0);

	o->cfg.inhibit = netconf_opt_bool(opts, "inhibit", false);
	o->cfg.map_path = netconf_opt_str(opts, "map-path");
	if (o->cfg.inhibit && !fds && !o->cfg.map_path)
		strbuf_puts(err, "'inhibit=on' requires 'sock-fds' or "
			    "'map-path'");
	else if (!o->cfg.inhibit && (fds || o->cfg.map_path))
		strbuf_puts(err, "'sock-fds' and 'map-path' require "
			    "'inhibit=on'");
	else if (fds && o->cfg.map_path)
		strbuf_puts(err, "'sock-fds' and 'map-path' are mutually "
			    "exclusive");
	else if (!o->cfg.map_path && has_start)
		strbuf_puts(err, "'map-start-index' requires 'map-path'");
	else if (start < 0)
		strbuf_printf(err, "'map-start-index' cannot be negative "
			      "(%lld)", (long long)start);
	else
		goto ok;
	return -EINVAL;
ok:
	o->cfg.map_start_index = (unsigned int)start;
	if (fds)
		return rt_afxdp_sock_fds(fds, o, o->cfg.queues, err);
	return 0;
}

/**
 * rt_afxdp_peer_mac() - the MAC of the NIC the netdev is peered with
 * @nd:		the netdev
 * @mac:	set to it
 *
 * Return: true when the peer is a NIC
 */
static bool rt_afxdp_peer_mac(const struct netconf_netdev *nd, uint8_t mac[6])
{
	const struct netconf_client *c = nd->nqueues ? nd->queues[0] : NULL;

	if (!c || !c->peer || !c->peer->nic)
		return false;
	memcpy(mac, c->peer->nic->mac, 6);
	return true;
}

/**
 * rt_afxdp_config() - -netdev af-xdp's options as a struct afxdp_config
 * @nd:		the netdev
 * @o:		filled
 * @err:	QEMU's text on error
 *
 * Return: 0, or -errno
 */
static int rt_afxdp_config(const struct netconf_netdev *nd,
			   struct rt_afxdp_opts *o, struct strbuf *err)
{
	const struct json_value *opts = nd->opts;
	const char *mode = netconf_opt_str(opts, "mode");
	int64_t queues = netconf_opt_int(opts, "queues", 1);
	int64_t start = netconf_opt_int(opts, "start-queue", 0);

	memset(o, 0, sizeof(*o));
	o->cfg.ifname = netconf_opt_str(opts, "ifname");
	if (!o->cfg.ifname || !if_nametoindex(o->cfg.ifname)) {
		strbuf_printf(err, "failed to get ifindex for '%s': %s",
			      o->cfg.ifname ? o->cfg.ifname : "",
			      strerror(ENODEV));
		return -ENODEV;
	}
	if (queues < 1) {
		strbuf_printf(err, "invalid number of queues (%lld) for '%s'",
			      (long long)queues, o->cfg.ifname);
		return -EINVAL;
	}
	if (queues > PORT_MAX_QUEUES) {
		strbuf_printf(err, "at most %u queues are supported",
			      PORT_MAX_QUEUES);
		return -EINVAL;
	}
	o->cfg.queues = (unsigned int)queues;
	o->cfg.start_queue = start > 0 && start < 65536 ? (unsigned int)start :
							  0;
	o->cfg.mode = !mode ? AFXDP_MODE_AUTO :
		      !strcmp(mode, "native") ? AFXDP_MODE_NATIVE :
						AFXDP_MODE_SKB;
	o->cfg.force_copy = netconf_opt_bool(opts, "force-copy", false);
	o->cfg.has_mac = rt_afxdp_peer_mac(nd, o->cfg.mac);
	return rt_afxdp_inhibit(opts, o, err);
}

/**
 * rt_afxdp_missing_cap() - the first capability af-xdp needs that the
 *	worker thread lacks
 *
 * Return: the capability (CAP_BPF when all are held: the kernel said no)
 */
static unsigned int rt_afxdp_missing_cap(void)
{
	static const unsigned int need[] = { CAP_NET_ADMIN, CAP_BPF,
					     CAP_NET_RAW };
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (caps_have(need[i]) != 1)
			return need[i];
	return CAP_BPF;
}

/**
 * rt_afxdp_noperm() - af-xdp may not be opened: fall back, or fail
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @ifname:	the interface
 * @ret:	the -errno (-EPERM)
 * @err:	error text
 *
 * Return: 0 when user networking took its place, or -errno
 */
static int rt_afxdp_noperm(struct rt *rt, struct rt_netdev *rn,
			   struct uloop *loop, const char *ifname, int ret,
			   struct strbuf *err)
{
	unsigned int cap = rt_afxdp_missing_cap();
	char what[IF_NAMESIZE + 64], msg[1024];
	int fb;

	snprintf(what, sizeof(what), "cannot open AF_XDP sockets on '%s'",
		 ifname);
	if (!netconf_opt_bool(rn->nd->opts, "fallback", true)) {
		strbuf_printf(err, "%s: %s (needs %s)", what, strerror(-ret),
			      caps_name(cap));
		return ret;
	}
	fb = rt_be_user_fallback(rt, rn, loop, err);
	if (fb)
		return fb;
	caps_netdev_message(msg, sizeof(msg), rt_be_loc(rn), what, ret, cap,
			    true);
	rt_filter_warn(rt, "%s", msg);
	return 0;
}

/**
 * rt_be_afxdp_open() - open a -netdev af-xdp (worker)
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0 (also when user networking stands in), or -errno
 */
int rt_be_afxdp_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		     struct strbuf *err)
{
	struct rt_afxdp_opts o;
	struct afxdp *a;
	int ret, perr;

	rt_be_attach(rt);
	rt_filter_lib_log(rt);
	ret = rt_afxdp_config(rn->nd, &o, err);
	if (ret)
		return ret;
	if (!o.cfg.inhibit)
		o.cfg.pins = rt_filter_pins(rt, &perr);
	ret = afxdp_open(&a, &o.cfg, loop, rn->nd->id);
	if (ret == -EPERM || ret == -EACCES)
		return rt_afxdp_noperm(rt, rn, loop, o.cfg.ifname, ret, err);
	if (ret == -ENOENT && o.cfg.map_path)
		strbuf_printf(err, "failed to insert AF_XDP socket into map "
			      "%s: %s", o.cfg.map_path, strerror(-ret));
	else if (ret)
		strbuf_printf(err, "failed to create AF_XDP socket for %s "
			      "queue_id: %u: %s", o.cfg.ifname,
			      o.cfg.start_queue, strerror(-ret));
	if (ret)
		return ret;
	rn->obj = a;
	rn->port = afxdp_port(a);
	return 0;
}

/**
 * rt_be_afxdp_close() - close an af-xdp netdev (worker); its filters are
 *	already off it
 * @rt:		runtime
 * @rn:		the netdev
 */
void rt_be_afxdp_close(struct rt *rt, struct rt_netdev *rn)
{
	afxdp_close(rn->obj);
	rn->obj = NULL;
}
