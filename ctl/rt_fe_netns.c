// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_fe_netns.c: NIC frontend: a tap inside a network namespace is the guest's NIC (-device netns). */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_user.h"
#include "ctl/runtime.h"
#include "devices/netns_tap.h"

/**
 * DOC: netns frontend
 *
 *   -device netns,netdev=ID,netns=PID|PATH|NAME[,id=ID][,ifname=tap0]
 *           [,mtu=N][,mac=MAC][,configure=on|off][,address=A.B.C.D/N]
 *           [,gateway=A.B.C.D][,rx-bufs=N][,tx-slots=N]
 *
 * qnet creates a tap inside the namespace and serves it as the NIC
 * (devices/netns_tap.h, docs/netns.md). The MAC is the NIC's (QEMU's
 * default sequence unless mac= is given). With configure=on and no
 * address=, a `-netdev user` peer gives the address (its network + 100,
 * its prefix) and the gateway (its host=), as slirp4netns --configure does
 * for 10.0.2.0/24. With a user peer the tap also hands over checksum and
 * TCP segmentation offloads (libslirp takes 64 KiB segments whole). The
 * NIC has one queue and is not the VMM's: `qnet run` passes nothing for it
 * to QEMU.
 */

/* Buffer groups of netns receive rings on the worker's loop: one per NIC
 * index, clear of the stream (0x5100) and tap (0x7100) ranges. */
#define RT_FE_NETNS_BGID_BASE 0x4e00u

/**
 * struct rt_fe_netns_cfg - a netns NIC's configuration
 * @cfg:	the frontend's configuration (strings point into the NIC's
 *		properties)
 * @errmsg:	the step that failed, from netns_tap_open()
 * @ifname:	the tap's name once open
 */
struct rt_fe_netns_cfg {
	struct netns_tap_config cfg;
	char errmsg[NETNS_TAP_ERRMSG_MAX];
	char ifname[IF_NAMESIZE];
};

/**
 * rt_fe_netns_addr() - parse `A.B.C.D[/N]`
 * @s:		text
 * @addr:	address
 * @prefix:	prefix length (24 when not given), or NULL to refuse one
 *
 * Return: 0, or -EINVAL
 */
static int rt_fe_netns_addr(const char *s, struct in_addr *addr,
			    unsigned int *prefix)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long v;
	char *end;

	if (n >= sizeof(buf) || (slash && !prefix))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return -EINVAL;
	if (!prefix)
		return 0;
	*prefix = 24;
	if (!slash)
		return 0;
	v = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end || v < 1 || v > 32)
		return -EINVAL;
	*prefix = (unsigned int)v;
	return 0;
}

/**
 * rt_fe_netns_peer_user() - is the peer a user netdev (takes offloads)
 * @nd:		the peer, or NULL
 *
 * Return: true for a -netdev user peered directly (not through a hub)
 */
static bool rt_fe_netns_peer_user(const struct netconf_netdev *nd)
{
	return nd && !nd->hub && !strcmp(nd->type->name, "user");
}

/**
 * rt_fe_netns_user_addrs() - address and gateway from a user netdev peer
 * @nd:		the peer
 * @c:		configuration (@addr, @prefixlen, @gateway set when unset)
 */
static void rt_fe_netns_user_addrs(const struct netconf_netdev *nd,
				   struct netns_tap_config *c)
{
	struct nc_user_net un;
	const char *why;
	uint32_t mask;

	if (!rt_fe_netns_peer_user(nd) || nc_user_net(nd->opts, &un, &why) ||
	    !un.ipv4)
		return;
	mask = ntohl(un.mask.s_addr);
	if (c->addr.s_addr == INADDR_ANY && (~mask) > 100) {
		c->addr.s_addr = htonl(ntohl(un.net.s_addr) + 100);
		c->prefixlen = (unsigned int)__builtin_popcount(mask);
	}
	if (c->gateway.s_addr == INADDR_ANY)
		c->gateway = un.host;
}

/**
 * rt_fe_netns_bad() - QEMU's text for a property value qnet refuses
 * @rnic:	the NIC
 * @key:	property
 * @val:	its value as text
 * @why:	the reason
 * @err:	error text
 *
 * Return: -EINVAL
 */
static int rt_fe_netns_bad(const struct rt_nic *rnic, const char *key,
			   const char *val, const char *why, struct strbuf *err)
{
	strbuf_printf(err, "Property '%s.%s' doesn't take value '%s' (%s)",
		      rnic->nic->model->name, key, val, why);
	return -EINVAL;
}

/**
 * rt_fe_netns_prepare() - the namespace, tap and addresses from the NIC
 * @rt:		runtime
 * @rnic:	the NIC
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_fe_netns_prepare(struct rt *rt, struct rt_nic *rnic,
			       struct strbuf *err)
{
	const struct json_value *o = rnic->nic->props;
	const char *addr = netconf_opt_str(o, "address");
	const char *gw = netconf_opt_str(o, "gateway");
	struct rt_fe_netns_cfg *c = calloc(1, sizeof(*c));
	struct netns_tap_config *nc;

	if (!c)
		return -ENOMEM;
	rnic->cfg = c;
	nc = &c->cfg;
	nc->netns = netconf_opt_str(o, "netns");
	if (!nc->netns || !nc->netns[0]) {
		strbuf_puts(err, "Parameter 'netns' is missing");
		return -EINVAL;
	}
	if (rnic->nic->nqueues > 1) {
		strbuf_printf(err, "a netns NIC has one queue; netdev '%s' has "
			      "%u", rnic->nic->netdev->id, rnic->nic->nqueues);
		return -EINVAL;
	}
	nc->ifname = netconf_opt_str(o, "ifname");
	nc->mtu = (unsigned int)netconf_opt_uint(o, "mtu", 0);
	nc->configure = netconf_opt_bool(o, "configure", false);
	nc->has_mac = true;
	memcpy(nc->mac, rnic->nic->mac, 6);
	if (addr && rt_fe_netns_addr(addr, &nc->addr, &nc->prefixlen))
		return rt_fe_netns_bad(rnic, "address", addr,
				       "A.B.C.D/N expected", err);
	if (gw && rt_fe_netns_addr(gw, &nc->gateway, NULL))
		return rt_fe_netns_bad(rnic, "gateway", gw, "A.B.C.D expected",
				       err);
	if (nc->configure)
		rt_fe_netns_user_addrs(rt_nic_peer(rnic->nic), nc);
	nc->offload = rt_fe_netns_peer_user(rt_nic_peer(rnic->nic));
	nc->rx_bufs = (unsigned int)netconf_opt_uint(o, "rx-bufs", 0);
	nc->tx_slots = (unsigned int)netconf_opt_uint(o, "tx-slots", 0);
	nc->bgid = (uint16_t)(RT_FE_NETNS_BGID_BASE + rnic->index);
	nc->errmsg = c->errmsg;
	nc->errmsg_size = sizeof(c->errmsg);
	return 0;
}

/**
 * rt_fe_netns_open() - create and serve the tap in the namespace (worker)
 * @rt:		runtime
 * @rnic:	the NIC
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_fe_netns_open(struct rt *rt, struct rt_nic *rnic,
			    struct uloop *loop, struct strbuf *err)
{
	struct rt_fe_netns_cfg *c = rnic->cfg;
	struct netns_tap *nt;
	int ret;

	ret = netns_tap_open(&nt, &c->cfg, loop, rnic->nic->name);
	if (ret) {
		strbuf_printf(err, "cannot serve namespace '%s': %s",
			      c->cfg.netns, c->errmsg[0] ? c->errmsg :
			      strerror(-ret));
		return ret;
	}
	rnic->obj = nt;
	rnic->port = netns_tap_port(nt);
	snprintf(c->ifname, sizeof(c->ifname), "%s", netns_tap_ifname(nt));
	return 0;
}

static void rt_fe_netns_close(struct rt *rt, struct rt_nic *rnic)
{
	netns_tap_close(rnic->obj);	/* disconnects; frees when idle */
	rnic->obj = NULL;
	rnic->port = NULL;
}

static void rt_fe_netns_set_link(struct rt_nic *rnic, bool up)
{
	port_set_link(rnic->port, up);	/* the tap's carrier follows */
}

static void rt_fe_netns_release(struct rt_nic *rnic)
{
	free(rnic->cfg);
	rnic->cfg = NULL;
}

/**
 * rt_fe_netns_describe() - `netns=NS ifname=IF ...`
 * @rt:		runtime
 * @rnic:	the NIC
 * @out:	text output
 *
 * Return: 0
 */
static int rt_fe_netns_describe(struct rt *rt, const struct rt_nic *rnic,
				struct strbuf *out)
{
	const struct rt_fe_netns_cfg *c = rnic->cfg;
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], mac[18];
	struct in_addr da, dg;

	netconf_format_mac(rnic->nic->mac, mac);
	strbuf_printf(out, "netns=%s ifname=%s mac=%s", c->cfg.netns,
		      c->ifname, mac);
	if (!c->cfg.configure)
		return 0;
	inet_pton(AF_INET, NETNS_TAP_ADDR_DEFAULT, &da);
	inet_pton(AF_INET, NETNS_TAP_GATEWAY_DEFAULT, &dg);
	inet_ntop(AF_INET, c->cfg.addr.s_addr ? &c->cfg.addr : &da, a,
		  sizeof(a));
	inet_ntop(AF_INET, c->cfg.gateway.s_addr ? &c->cfg.gateway : &dg, g,
		  sizeof(g));
	strbuf_printf(out, " address=%s/%u gateway=%s", a, c->cfg.prefixlen ?
		      c->cfg.prefixlen : NETNS_TAP_PREFIX_DEFAULT, g);
	return 0;
}

const struct rt_fe rt_fe_netns = {
	.name = "netns",
	.prepare = rt_fe_netns_prepare,
	.open = rt_fe_netns_open,
	.close = rt_fe_netns_close,
	.set_link = rt_fe_netns_set_link,
	.release = rt_fe_netns_release,
	.describe = rt_fe_netns_describe,
};
