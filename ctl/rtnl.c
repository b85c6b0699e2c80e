// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnl.c: rtnetlink requests over libmnl, the kernel's extended-ack text returned to the caller. */

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/rtnl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/**
 * struct rtnl - one rtnetlink socket
 * @nl:   the libmnl socket
 * @seq:  next sequence number
 * @port: our netlink port id
 * @buf:  request and answer buffer (larger than MNL_SOCKET_BUFFER_SIZE)
 */
struct rtnl {
	struct mnl_socket *nl;
	unsigned int seq;
	unsigned int port;
	char buf[32768];
};

/* The answer callback's state. */
struct rtnl_reply {
	int (*cb)(const struct nlmsghdr *nlh, void *data);
	void *data;
};

/* Write the error text: the extended ack when there is one. */
static void rtnl_err_text(char *err, size_t errlen, int ret, const char *ack)
{
	if (!err || !errlen)
		return;
	if (ack && *ack)
		snprintf(err, errlen, "%s", ack);
	else
		snprintf(err, errlen, "%s", strerror(-ret));
}

static int rtnl_ack_attr(const struct nlattr *a, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		*msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* Parse an NLMSG_ERROR; return 0 for an ack, else -errno (+ text). */
static int rtnl_error(const struct nlmsghdr *nlh, char *err, size_t errlen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *msg = NULL;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	if (e->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		mnl_attr_parse(nlh, off, rtnl_ack_attr, &msg);
	}
	rtnl_err_text(err, errlen, e->error, msg);
	return e->error;
}

/**
 * rtnl_talk() - send one request and read answers until its ack
 * @r:      the socket
 * @nlh:    the request (in @r->buf), NLM_F_ACK is added
 * @reply:  callback for data answers, or NULL
 * @err:    error text (or NULL)
 * @errlen: its size
 *
 * Return: 0, or -errno from the kernel (with its text in @err).
 */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh,
		     const struct rtnl_reply *reply, char *err, size_t errlen)
{
	unsigned int seq = ++r->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		rtnl_err_text(err, errlen, ret, NULL);
		return ret;
	}
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n < 0) {
			ret = -errno;
			rtnl_err_text(err, errlen, ret, NULL);
			return ret;
		}
		for (nlh = (struct nlmsghdr *)r->buf; mnl_nlmsg_ok(nlh, (int)n);
		     nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return rtnl_error(nlh, err, errlen);
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (reply && reply->cb)
				reply->cb(nlh, reply->data);
		}
	}
}

/**
 * rtnl_open() - open an rtnetlink socket in the current namespace
 * @out: the socket
 *
 * Return: 0, -ENOMEM, or -errno from socket/bind.
 */
int rtnl_open(struct rtnl **out)
{
	struct rtnl *r = calloc(1, sizeof(*r));
	int one = 1, ret;

	if (!r)
		return -ENOMEM;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl) {
		ret = -errno;
		free(r);
		return ret;
	}
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(r->nl);
		free(r);
		return ret;
	}
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	r->port = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned int)time(NULL);
	*out = r;
	return 0;
}

/**
 * rtnl_close() - close the socket
 * @r: the socket, or NULL
 */
void rtnl_close(struct rtnl *r)
{
	if (!r)
		return;
	mnl_socket_close(r->nl);
	free(r);
}

/* Start an RTM_* link request for @ifname (by name) in @r->buf. */
static struct nlmsghdr *rtnl_link_msg(struct rtnl *r, uint16_t type,
				      uint16_t flags, const char *ifname,
				      struct ifinfomsg **ifm_out)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	if (ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if (ifm_out)
		*ifm_out = ifm;
	return nlh;
}

/* A name the kernel can take (checked before it goes into a message). */
static int rtnl_name_ok(const char *ifname, char *err, size_t errlen)
{
	if (ifname && *ifname && strlen(ifname) < IFNAMSIZ)
		return 0;
	rtnl_err_text(err, errlen, -EINVAL, "invalid interface name");
	return -EINVAL;
}

static int rtnl_info_attr(const struct nlattr *a, void *data)
{
	struct rtnl_link *l = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
	    mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
		snprintf(l->kind, sizeof(l->kind), "%.*s",
			 (int)mnl_attr_get_payload_len(a),
			 (const char *)mnl_attr_get_payload(a));
	return MNL_CB_OK;
}

static int rtnl_link_attr(const struct nlattr *a, void *data)
{
	struct rtnl_link *l = data;
	const struct rtnl_link_stats64 *st;

	switch (mnl_attr_get_type(a)) {
	case IFLA_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			l->mtu = mnl_attr_get_u32(a);
		break;
	case IFLA_TXQLEN:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			l->txqlen = mnl_attr_get_u32(a);
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			l->master = (int)mnl_attr_get_u32(a);
		break;
	case IFLA_OPERSTATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
			l->operstate = mnl_attr_get_u8(a);
		break;
	case IFLA_STATS64:
		if (mnl_attr_get_payload_len(a) < sizeof(*st))
			break;
		st = mnl_attr_get_payload(a);
		l->rx_packets = st->rx_packets;
		l->tx_packets = st->tx_packets;
		l->rx_dropped = st->rx_dropped;
		l->tx_dropped = st->tx_dropped;
		break;
	case IFLA_LINKINFO:
		mnl_attr_parse_nested(a, rtnl_info_attr, l);
		break;
	}
	return MNL_CB_OK;
}

static int rtnl_link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct rtnl_link *l = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	l->index = ifm->ifi_index;
	l->flags = ifm->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifm), rtnl_link_attr, l);
	return MNL_CB_OK;
}

/**
 * rtnl_link_get() - look a link up by name
 * @r:      the socket
 * @ifname: its name
 * @out:    filled
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0, -ENODEV when there is no such link, or -errno.
 */
int rtnl_link_get(struct rtnl *r, const char *ifname, struct rtnl_link *out,
		  char *err, size_t errlen)
{
	struct rtnl_reply reply = { rtnl_link_cb, out };
	struct nlmsghdr *nlh;
	int ret;

	ret = rtnl_name_ok(ifname, err, errlen);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	nlh = rtnl_link_msg(r, RTM_GETLINK, 0, ifname, NULL);
	ret = rtnl_talk(r, nlh, &reply, err, errlen);
	if (!ret && out->index <= 0)
		ret = -ENODEV;
	return ret;
}

/**
 * rtnl_link_exists() - is there a link of that name?
 * @r:      the socket
 * @ifname: its name
 *
 * Return: 1, 0, or -errno for another failure.
 */
int rtnl_link_exists(struct rtnl *r, const char *ifname)
{
	struct rtnl_link l;
	int ret = rtnl_link_get(r, ifname, &l, NULL, 0);

	if (ret == -ENODEV)
		return 0;
	return ret ? ret : 1;
}

/* Send an RTM_NEWLINK change for @ifname with one u32 attribute. */
static int rtnl_set_u32(struct rtnl *r, const char *ifname, uint16_t type,
			uint32_t val, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	int ret = rtnl_name_ok(ifname, err, errlen);

	if (ret)
		return ret;
	nlh = rtnl_link_msg(r, RTM_NEWLINK, 0, ifname, NULL);
	mnl_attr_put_u32(nlh, type, val);
	return rtnl_talk(r, nlh, NULL, err, errlen);
}

/**
 * rtnl_link_set_up() - ip link set IFNAME up|down
 * @r:      the socket
 * @ifname: the link
 * @up:     the state
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0 or -errno.
 */
int rtnl_link_set_up(struct rtnl *r, const char *ifname, bool up, char *err,
		     size_t errlen)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	int ret = rtnl_name_ok(ifname, err, errlen);

	if (ret)
		return ret;
	nlh = rtnl_link_msg(r, RTM_NEWLINK, 0, ifname, &ifm);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	return rtnl_talk(r, nlh, NULL, err, errlen);
}

/**
 * rtnl_link_set_master() - ip link set IFNAME master BR (or nomaster)
 * @r:      the socket
 * @ifname: the link
 * @master: the bridge, or NULL to leave it
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0, -ENODEV when the bridge does not exist, or -errno.
 */
int rtnl_link_set_master(struct rtnl *r, const char *ifname,
			 const char *master, char *err, size_t errlen)
{
	struct rtnl_link br = { 0 };
	int ret;

	if (master) {
		ret = rtnl_link_get(r, master, &br, err, errlen);
		if (ret)
			return ret;
	}
	return rtnl_set_u32(r, ifname, IFLA_MASTER, (uint32_t)br.index, err,
			    errlen);
}

/**
 * rtnl_link_set_mtu() - ip link set IFNAME mtu N
 * @r:      the socket
 * @ifname: the link
 * @mtu:    the MTU
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0 or -errno.
 */
int rtnl_link_set_mtu(struct rtnl *r, const char *ifname, unsigned int mtu,
		      char *err, size_t errlen)
{
	return rtnl_set_u32(r, ifname, IFLA_MTU, mtu, err, errlen);
}

/**
 * rtnl_link_set_txqlen() - ip link set IFNAME txqueuelen N
 * @r:      the socket
 * @ifname: the link
 * @txqlen: the queue length
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0 or -errno.
 */
int rtnl_link_set_txqlen(struct rtnl *r, const char *ifname,
			 unsigned int txqlen, char *err, size_t errlen)
{
	return rtnl_set_u32(r, ifname, IFLA_TXQLEN, txqlen, err, errlen);
}

/**
 * rtnl_link_set_netns() - ip link set IFNAME netns FD
 * @r:        the socket
 * @ifname:   the link
 * @netns_fd: an fd of the target namespace (/proc/PID/ns/net)
 * @err:      error text, or NULL
 * @errlen:   its size
 *
 * Return: 0 or -errno.
 */
int rtnl_link_set_netns(struct rtnl *r, const char *ifname, int netns_fd,
			char *err, size_t errlen)
{
	return rtnl_set_u32(r, ifname, IFLA_NET_NS_FD, (uint32_t)netns_fd, err,
			    errlen);
}

/**
 * rtnl_link_del() - ip link del IFNAME
 * @r:      the socket
 * @ifname: the link
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0, -ENODEV, or -errno.
 */
int rtnl_link_del(struct rtnl *r, const char *ifname, char *err,
		  size_t errlen)
{
	struct nlmsghdr *nlh;
	int ret = rtnl_name_ok(ifname, err, errlen);

	if (ret)
		return ret;
	nlh = rtnl_link_msg(r, RTM_DELLINK, 0, ifname, NULL);
	return rtnl_talk(r, nlh, NULL, err, errlen);
}

/**
 * rtnl_bridge_add() - ip link add NAME type bridge
 * @r:      the socket
 * @name:   the bridge's name
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0, -EEXIST, or -errno.
 */
int rtnl_bridge_add(struct rtnl *r, const char *name, char *err,
		    size_t errlen)
{
	struct nlmsghdr *nlh;
	struct nlattr *info;
	int ret = rtnl_name_ok(name, err, errlen);

	if (ret)
		return ret;
	nlh = rtnl_link_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name,
			    NULL);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(r, nlh, NULL, err, errlen);
}

/**
 * rtnl_veth_add() - ip link add NAME type veth peer name PEER [netns FD]
 * @r:             the socket
 * @name:          this end
 * @peer:          the other end
 * @peer_netns_fd: namespace fd for @peer, or -1 for this namespace
 * @err:           error text, or NULL
 * @errlen:        its size
 *
 * Return: 0, -EEXIST, or -errno.
 */
int rtnl_veth_add(struct rtnl *r, const char *name, const char *peer,
		  int peer_netns_fd, char *err, size_t errlen)
{
	struct nlattr *info, *data, *pe;
	struct ifinfomsg *pifm;
	struct nlmsghdr *nlh;
	int ret = rtnl_name_ok(name, err, errlen);

	if (!ret)
		ret = rtnl_name_ok(peer, err, errlen);
	if (ret)
		return ret;
	nlh = rtnl_link_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name,
			    NULL);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pe = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	memset(pifm, 0, sizeof(*pifm));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, pe);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(r, nlh, NULL, err, errlen);
}

/**
 * rtnl_enslave() - make @ifname a port of @bridge, as qemu-bridge-helper
 * does: the bridge's MTU, then master, then up
 * @r:      the socket
 * @ifname: the tap
 * @bridge: the bridge (must exist and be a bridge)
 * @err:    error text, or NULL
 * @errlen: its size
 *
 * Return: 0, -ENODEV (no such bridge), -EINVAL (not a bridge), or -errno
 * with the kernel's reason in @err.
 */
int rtnl_enslave(struct rtnl *r, const char *ifname, const char *bridge,
		 char *err, size_t errlen)
{
	struct rtnl_link br;
	int ret;

	ret = rtnl_link_get(r, bridge, &br, err, errlen);
	if (ret)
		return ret;
	if (strcmp(br.kind, "bridge")) {
		rtnl_err_text(err, errlen, -EINVAL, "not a bridge");
		return -EINVAL;
	}
	ret = rtnl_link_set_mtu(r, ifname, br.mtu, err, errlen);
	if (!ret)
		ret = rtnl_set_u32(r, ifname, IFLA_MASTER, (uint32_t)br.index,
				   err, errlen);
	if (!ret)
		ret = rtnl_link_set_up(r, ifname, true, err, errlen);
	return ret;
}
