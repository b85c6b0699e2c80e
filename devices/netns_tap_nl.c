// SPDX-License-Identifier: GPL-2.0-or-later
/* netns_tap_nl.c: rtnetlink (libmnl, extended acks) for the tap. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "devices/netns_tap_int.h"

/**
 * struct nl_reply - what a request's answer said
 * @err:	the ack's error (0: success), or 1 while no ack was seen
 * @msg:	where to copy the extended-ack text (may be NULL)
 * @msglen:	its size
 * @stats:	filled from IFLA_STATS64 of an RTM_NEWLINK reply (may be NULL)
 * @got_stats:	@stats was filled
 */
struct nl_reply {
	int err;
	char *msg;
	size_t msglen;
	struct rtnl_link_stats64 *stats;
	bool got_stats;
};

/**
 * netns_tap_nl_setup() - turn on extended and capped acks, start sequences
 * @nl:	the socket wrapper, @nl->sock set
 *
 * Return: 0 (old kernels without extended acks still work).
 */
static int netns_tap_nl_setup(struct netns_tap_nl *nl)
{
	int one = 1;

	/* Without them the kernel still acks, only without text. */
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one,
				    sizeof(one));
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one,
				    sizeof(one));
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

/**
 * netns_tap_nl_open() - open an rtnetlink socket in the calling thread's
 * network namespace
 * @nl:	filled
 *
 * Return: 0 or -errno.
 */
int netns_tap_nl_open(struct netns_tap_nl *nl)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int ret = -errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return ret;
	}
	return netns_tap_nl_setup(nl);
}

/**
 * netns_tap_nl_adopt() - wrap a bound rtnetlink socket received from the
 * namespace helper (it keeps that namespace)
 * @nl:	filled
 * @fd:	the socket; owned by @nl from now on, even on failure
 *
 * Return: 0 or -errno.
 */
int netns_tap_nl_adopt(struct netns_tap_nl *nl, int fd)
{
	nl->sock = mnl_socket_fdopen(fd);
	if (!nl->sock) {
		int ret = -errno;

		close(fd);
		return ret ? ret : -EINVAL;
	}
	return netns_tap_nl_setup(nl);
}

/**
 * netns_tap_nl_close() - close the socket, if open
 * @nl:	the socket wrapper
 */
void netns_tap_nl_close(struct netns_tap_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/**
 * nl_err_attr() - collect one attribute of an extended ack
 * @attr:	the attribute
 * @data:	table indexed by NLMSGERR_ATTR_*
 *
 * Return: MNL_CB_OK (unknown types are skipped).
 */
static int nl_err_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/**
 * nl_on_error() - NLMSG_ERROR: the ack, with its extended-ack text
 * @nlh:	the message
 * @data:	struct nl_reply
 *
 * Return: MNL_CB_STOP (the request is answered), or MNL_CB_ERROR for a
 * truncated message.
 */
static int nl_on_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {NULL};
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_reply *r = data;
	unsigned int off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		r->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	r->err = e->error;
	if (!e->error || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !r->msg)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (mnl_nlmsg_size(off) <= nlh->nlmsg_len &&
	    mnl_attr_parse(nlh, off, nl_err_attr, tb) >= 0 &&
	    tb[NLMSGERR_ATTR_MSG] &&
	    mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING) >= 0)
		snprintf(r->msg, r->msglen, "%s",
			 mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	return MNL_CB_STOP;
}

/**
 * nl_link_attr() - collect one attribute of an RTM_NEWLINK message
 * @attr:	the attribute
 * @data:	table indexed by IFLA_*
 *
 * Return: MNL_CB_OK (unknown types are skipped).
 */
static int nl_link_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/**
 * nl_on_data() - a reply message: take IFLA_STATS64 from RTM_NEWLINK
 * @nlh:	the message
 * @data:	struct nl_reply
 *
 * Return: MNL_CB_STOP once stats are read, else MNL_CB_OK.
 */
static int nl_on_data(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {NULL};
	struct nl_reply *r = data;

	if (nlh->nlmsg_type != RTM_NEWLINK || !r->stats)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(struct ifinfomsg), nl_link_attr, tb) < 0)
		return MNL_CB_ERROR;
	if (!tb[IFLA_STATS64] ||
	    mnl_attr_get_payload_len(tb[IFLA_STATS64]) < sizeof(*r->stats))
		return MNL_CB_OK;
	memcpy(r->stats, mnl_attr_get_payload(tb[IFLA_STATS64]),
	       sizeof(*r->stats));
	r->got_stats = true;
	r->err = 0;
	return MNL_CB_STOP;
}

/**
 * nl_talk() - send one request and read its answer
 * @nl:		the socket
 * @nlh:	the request (sequence number set here)
 * @r:		what the answer said
 *
 * Return: 0, the kernel's -errno (text in @r->msg), or -errno of the
 * socket.
 */
static int nl_talk(struct netns_tap_nl *nl, struct nlmsghdr *nlh,
		   struct nl_reply *r)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = nl_on_error,
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl->sock);
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++nl->seq;
	r->err = 1;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq, portid,
				  nl_on_data, r, ctl, NLMSG_MIN_TYPE);
	} while (ret > 0 && r->err == 1);
	if (r->err == 1)
		return ret < 0 ? -errno : -EPROTO;
	return r->err;
}

/**
 * nl_request() - start a request with an ack
 * @buf:	message buffer (MNL_SOCKET_BUFFER_SIZE)
 * @type:	RTM_*
 * @flags:	NLM_F_* besides REQUEST and ACK
 *
 * Return: the message header.
 */
static struct nlmsghdr *nl_request(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return nlh;
}

/**
 * netns_tap_nl_link_set() - set MTU and MAC of a link and bring it up
 * @nl:		the socket
 * @ifindex:	the link
 * @mtu:	MTU, or 0 to leave it
 * @mac:	6-byte MAC, or NULL to leave it
 * @up:		set IFF_UP (false: leave the flags)
 * @err:	extended-ack text on failure (may be NULL)
 * @errlen:	its size
 *
 * Return: 0 or -errno.
 */
int netns_tap_nl_link_set(struct netns_tap_nl *nl, int ifindex,
			  unsigned int mtu, const uint8_t *mac, bool up,
			  char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_reply r = {.msg = err, .msglen = errlen};
	struct nlmsghdr *nlh = nl_request(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (up) {
		ifm->ifi_flags = IFF_UP;
		ifm->ifi_change = IFF_UP;
	}
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return nl_talk(nl, nlh, &r);
}

/**
 * netns_tap_nl_addr_add() - add an IPv4 address to a link
 * @nl:		the socket
 * @ifindex:	the link
 * @addr:	the address
 * @prefixlen:	its prefix length
 * @err:	extended-ack text on failure (may be NULL)
 * @errlen:	its size
 *
 * Return: 0 or -errno (-EEXIST when the address is already there).
 */
int netns_tap_nl_addr_add(struct netns_tap_nl *nl, int ifindex,
			  struct in_addr addr, unsigned int prefixlen,
			  char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_reply r = {.msg = err, .msglen = errlen};
	struct nlmsghdr *nlh =
		nl_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return nl_talk(nl, nlh, &r);
}

/**
 * netns_tap_nl_route_default() - add the IPv4 default route via @gw
 * @nl:		the socket
 * @ifindex:	the link the gateway is on
 * @gw:		the gateway
 * @err:	extended-ack text on failure (may be NULL)
 * @errlen:	its size
 *
 * Return: 0 or -errno (-EEXIST when a default route exists).
 */
int netns_tap_nl_route_default(struct netns_tap_nl *nl, int ifindex,
			       struct in_addr gw, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_reply r = {.msg = err, .msglen = errlen};
	struct nlmsghdr *nlh =
		nl_request(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gw), &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nl_talk(nl, nlh, &r);
}

/**
 * netns_tap_nl_link_del() - delete a link
 * @nl:		the socket
 * @ifindex:	the link
 *
 * Return: 0 or -errno (-ENODEV when it is gone already).
 */
int netns_tap_nl_link_del(struct netns_tap_nl *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_reply r = {0};
	struct nlmsghdr *nlh = nl_request(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return nl_talk(nl, nlh, &r);
}

/**
 * netns_tap_nl_link_stats() - the kernel's counters of a link
 * @nl:		the socket
 * @ifindex:	the link
 * @st:		filled
 *
 * Return: 0 or -errno (-ENODEV when the link is gone).
 */
int netns_tap_nl_link_stats(struct netns_tap_nl *nl, int ifindex,
			    struct rtnl_link_stats64 *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_reply r = {.stats = st};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int ret;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ret = nl_talk(nl, nlh, &r);
	if (ret)
		return ret;
	return r.got_stats ? 0 : -ENODATA;
}
