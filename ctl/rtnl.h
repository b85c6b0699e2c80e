/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnl.h: rtnetlink over libmnl: links up/down, bridges, veths, masters, MTU, with extended acks. */
#ifndef QNET_CTL_RTNL_H
#define QNET_CTL_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * DOC: rtnl
 *
 * One struct rtnl is one NETLINK_ROUTE socket (libmnl) with extended acks
 * turned on, in the network namespace of the thread that opened it. Every
 * request waits for the kernel's answer. On failure a function returns
 * -errno and, when @err is given, writes the kernel's own reason there
 * (the extended ack, e.g. "Device can not be enslaved while up" style
 * text) or, without one, strerror(); ctl puts it after its own prefix.
 */

/** RTNL_ERR_MAX - room for an error text (use char err[RTNL_ERR_MAX]) */
#define RTNL_ERR_MAX 256

/**
 * struct rtnl_link - what rtnl_link_get() reports
 * @index:	ifindex
 * @flags:	IFF_* (IFF_UP, IFF_LOWER_UP, ...)
 * @mtu:	MTU
 * @txqlen:	txqueuelen
 * @master:	ifindex of the master (bridge), 0 for none
 * @operstate:	IF_OPER_*
 * @rx_packets:	kernel counters (IFLA_STATS64)
 * @tx_packets:	...
 * @rx_dropped:	...
 * @tx_dropped:	...
 * @kind:	IFLA_INFO_KIND ("bridge", "veth", "tun"), or ""
 */
struct rtnl_link {
	int index;
	unsigned int flags;
	unsigned int mtu;
	unsigned int txqlen;
	int master;
	unsigned int operstate;
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_dropped;
	uint64_t tx_dropped;
	char kind[32];
};

struct rtnl;

int rtnl_open(struct rtnl **out);
void rtnl_close(struct rtnl *r);

int rtnl_link_get(struct rtnl *r, const char *ifname, struct rtnl_link *out,
		  char *err, size_t errlen);
int rtnl_link_exists(struct rtnl *r, const char *ifname);
int rtnl_link_set_up(struct rtnl *r, const char *ifname, bool up, char *err,
		     size_t errlen);
int rtnl_link_set_master(struct rtnl *r, const char *ifname,
			 const char *master, char *err, size_t errlen);
int rtnl_link_set_mtu(struct rtnl *r, const char *ifname, unsigned int mtu,
		      char *err, size_t errlen);
int rtnl_link_set_txqlen(struct rtnl *r, const char *ifname,
			 unsigned int txqlen, char *err, size_t errlen);
int rtnl_link_set_netns(struct rtnl *r, const char *ifname, int netns_fd,
			char *err, size_t errlen);
int rtnl_link_del(struct rtnl *r, const char *ifname, char *err,
		  size_t errlen);
int rtnl_bridge_add(struct rtnl *r, const char *name, char *err,
		    size_t errlen);
int rtnl_veth_add(struct rtnl *r, const char *name, const char *peer,
		  int peer_netns_fd, char *err, size_t errlen);
int rtnl_enslave(struct rtnl *r, const char *ifname, const char *bridge,
		 char *err, size_t errlen);

#endif /* QNET_CTL_RTNL_H */
