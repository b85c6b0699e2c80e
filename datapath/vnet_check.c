// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet_check.c: checks a virtio-net header against its frame and what its receiver accepts. */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "datapath/vnet_check.h"

#define VC_ETH_HLEN	  14u
#define VC_ETHERTYPE_IPV4 0x0800
#define VC_ETHERTYPE_IPV6 0x86dd
#define VC_ETHERTYPE_VLAN 0x8100
#define VC_ETHERTYPE_QINQ 0x88a8
#define VC_PROTO_TCP	  6
#define VC_PROTO_UDP	  17

/* clang-format off */
static const char *const vnet_check_err_names[] = {
	[VNET_CHECK_OK]		= "ok",
	[VNET_CHECK_FLAGS]	= "flags",
	[VNET_CHECK_CSUM_CAP]	= "csum_not_negotiated",
	[VNET_CHECK_CSUM_RANGE]	= "csum_range",
	[VNET_CHECK_NOT_IP]	= "not_ip",
	[VNET_CHECK_GSO_TYPE]	= "gso_type",
	[VNET_CHECK_GSO_CAP]	= "gso_not_negotiated",
	[VNET_CHECK_GSO_SIZE]	= "gso_size",
	[VNET_CHECK_HDR_LEN]	= "hdr_len",
	[VNET_CHECK_GSO_CSUM]	= "gso_csum",
	[VNET_CHECK_GSO_PROTO]	= "gso_proto",
};
/* clang-format on */

_Static_assert(sizeof(vnet_check_err_names) /
			       sizeof(vnet_check_err_names[0]) ==
		       VNET_CHECK_ERR_COUNT,
	       "every header error has a name");

/**
 * vnet_check_err_name() - stable name of a header error
 * @e:	the error
 *
 * Return: its name, or NULL when out of range.
 */
const char *vnet_check_err_name(enum vnet_check_err e)
{
	if ((unsigned int)e >= VNET_CHECK_ERR_COUNT)
		return NULL;
	return vnet_check_err_names[e];
}

/* read a big-endian 16-bit field */
static uint16_t vc_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * vc_ethertype() - a frame's network protocol, past up to two VLAN tags
 * @frame:	Ethernet frame
 * @len:	its length
 * @l3off:	set to the offset of the network header
 *
 * A third tag is not skipped: its ethertype is returned (a VLAN one).
 *
 * Return: the ethertype, or -EINVAL when the frame ends first.
 */
static int vc_ethertype(const uint8_t *frame, uint32_t len, uint32_t *l3off)
{
	uint32_t off = VC_ETH_HLEN - 2;
	uint16_t type;
	int tags;

	for (tags = 0;; tags++) {
		if (len < off + 2)
			return -EINVAL;
		type = vc_be16(frame + off);
		off += 2;
		if ((type != VC_ETHERTYPE_VLAN && type != VC_ETHERTYPE_QINQ) ||
		    tags == 2)
			break;
		off += 2;
	}
	*l3off = off;
	return type;
}

/**
 * vnet_check_parse_l3() - find the IP and transport headers of a frame
 * @frame:	Ethernet frame
 * @len:	its length
 * @out:	filled on success (@out->l3 also for a frame that is not IP)
 *
 * Up to two VLAN tags (802.1Q, 802.1ad) are skipped. IPv4 options and the
 * IHL are checked against @len; IPv6 extension headers are not walked
 * (@proto is the first next-header).
 *
 * Return: 0; -EPROTONOSUPPORT for a frame that is not IPv4 or IPv6;
 * -EINVAL for a truncated or inconsistent IP header.
 */
int vnet_check_parse_l3(const uint8_t *frame, uint32_t len,
			struct vnet_check_l3 *out)
{
	uint32_t off, ihl;
	int type = vc_ethertype(frame, len, &off);

	if (type < 0)
		return type;
	out->l3 = off;
	if (type == VC_ETHERTYPE_IPV4) {
		if (len < off + 20 || (frame[off] >> 4) != 4)
			return -EINVAL;
		ihl = (uint32_t)(frame[off] & 0xf) * 4;
		if (ihl < 20 || len < off + ihl)
			return -EINVAL;
		out->ipv6 = 0;
		out->proto = frame[off + 9];
		out->l4 = off + ihl;
		return 0;
	}
	if (type == VC_ETHERTYPE_IPV6) {
		if (len < off + 40 || (frame[off] >> 4) != 6)
			return -EINVAL;
		out->ipv6 = 1;
		out->proto = frame[off + 6];
		out->l4 = off + 40;
		return 0;
	}
	return -EPROTONOSUPPORT;
}

/**
 * vc_parse() - look into a frame as far as a depth says
 * @frame:	Ethernet frame
 * @len:	its length
 * @depth:	VNET_CHECK_DEPTH_*
 * @out:	on success, @out->l4 is the first byte a checksum may start
 *		at; @out->ipv6 is meaningful from DEPTH_L3, @out->proto at
 *		DEPTH_L4
 *
 * Return: 0, or -errno for a frame that is not IPv4/IPv6 as far as
 * @depth looks (never at DEPTH_ETH).
 */
static int vc_parse(const uint8_t *frame, uint32_t len,
		    enum vnet_check_depth depth, struct vnet_check_l3 *out)
{
	int type;

	out->ipv6 = 0;
	out->proto = 0;
	switch (depth) {
	case VNET_CHECK_DEPTH_ETH:
		out->l3 = VC_ETH_HLEN;
		out->l4 = VC_ETH_HLEN;
		return 0;
	case VNET_CHECK_DEPTH_L3:
		type = vc_ethertype(frame, len, &out->l3);
		if (type != VC_ETHERTYPE_IPV4 && type != VC_ETHERTYPE_IPV6)
			return -EPROTONOSUPPORT;
		out->ipv6 = type == VC_ETHERTYPE_IPV6;
		out->l4 = out->l3;
		return 0;
	default:
		return vnet_check_parse_l3(frame, len, out);
	}
}

/**
 * vc_csum() - check a NEEDS_CSUM request
 * @h:		the header
 * @len:	the frame's length
 * @p:		the policy
 * @ip:		vc_parse()'s result
 * @l3:		vc_parse()'s output
 *
 * Return: VNET_CHECK_OK or the reason.
 */
static enum vnet_check_err vc_csum(const struct virtio_net_hdr_v1 *h,
				   uint32_t len,
				   const struct vnet_check_policy *p, int ip,
				   const struct vnet_check_l3 *l3)
{
	uint32_t start = le16toh(h->csum_start);

	if (!(p->accept & VNET_CHECK_ACCEPT_CSUM))
		return VNET_CHECK_CSUM_CAP;
	if (start + le16toh(h->csum_offset) + 2 > len)
		return VNET_CHECK_CSUM_RANGE;
	if (ip)
		return VNET_CHECK_NOT_IP;
	if (start < l3->l4)
		return VNET_CHECK_CSUM_RANGE;
	return VNET_CHECK_OK;
}

/**
 * vc_gso_frame() - does a GSO type fit the frame it is asked for?
 * @h:		the header (NEEDS_CSUM and the type already checked)
 * @type:	gso_type without the ECN bit
 * @p:		the policy
 * @l3:		vc_parse()'s output (it succeeded)
 *
 * Return: VNET_CHECK_OK or the reason.
 */
static enum vnet_check_err vc_gso_frame(const struct virtio_net_hdr_v1 *h,
					unsigned int type,
					const struct vnet_check_policy *p,
					const struct vnet_check_l3 *l3)
{
	bool tcp = type == VIRTIO_NET_HDR_GSO_TCPV4 ||
		   type == VIRTIO_NET_HDR_GSO_TCPV6;

	if (p->depth == VNET_CHECK_DEPTH_ETH)
		return VNET_CHECK_OK;
	if ((type == VIRTIO_NET_HDR_GSO_TCPV4 && l3->ipv6) ||
	    (type == VIRTIO_NET_HDR_GSO_TCPV6 && !l3->ipv6))
		return VNET_CHECK_GSO_PROTO;
	if (p->depth == VNET_CHECK_DEPTH_L3)
		return VNET_CHECK_OK;
	if (l3->proto != (tcp ? VC_PROTO_TCP : VC_PROTO_UDP))
		return VNET_CHECK_GSO_PROTO;
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (le16toh(h->csum_start) != l3->l4 ||
	     le16toh(h->csum_offset) != (tcp ? 16 : 6)))
		return VNET_CHECK_GSO_CSUM;
	return VNET_CHECK_OK;
}

/**
 * vc_gso() - check a GSO request
 * @h:		the header (gso_type not NONE; NEEDS_CSUM already checked)
 * @len:	the frame's length
 * @p:		the policy
 * @ip:		vc_parse()'s result
 * @l3:		vc_parse()'s output
 *
 * Return: VNET_CHECK_OK or the reason.
 */
static enum vnet_check_err vc_gso(const struct virtio_net_hdr_v1 *h,
				  uint32_t len,
				  const struct vnet_check_policy *p, int ip,
				  const struct vnet_check_l3 *l3)
{
	unsigned int type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	uint16_t size = le16toh(h->gso_size);

	if (type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6 &&
	    type != VIRTIO_NET_HDR_GSO_UDP && type != VIRTIO_NET_HDR_GSO_UDP_L4)
		return VNET_CHECK_GSO_TYPE;
	if (!(p->accept & (1u << type)))
		return VNET_CHECK_GSO_CAP;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    (!(p->accept & VNET_CHECK_ACCEPT_ECN) ||
	     ((p->rules & VNET_CHECK_RULE_ECN_TCP) &&
	      type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	      type != VIRTIO_NET_HDR_GSO_TCPV6)))
		return VNET_CHECK_GSO_CAP;
	if (!size || size > len)
		return VNET_CHECK_GSO_SIZE;
	if ((p->rules & VNET_CHECK_RULE_GSO_CSUM) &&
	    !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return VNET_CHECK_GSO_CSUM;
	if (ip)
		return VNET_CHECK_NOT_IP;
	return vc_gso_frame(h, type, p, l3);
}

/**
 * vnet_check() - validate a virtio-net header against its frame
 * @h:		the header, as the sender wrote it (little endian, virtio 1.0)
 * @frame:	the Ethernet frame it describes
 * @len:	the frame's length
 * @p:		what the receiver accepts
 *
 * The checks of HARDENING measure 7 and T-20, one set for every layer:
 * with NEEDS_CSUM, an accepted feature, csum_start + csum_offset + 2 <=
 * @len and csum_start no earlier than @p->depth allows; with GSO, a known
 * gso_type that @p accepts (and the ECN bit only when accepted),
 * 0 < gso_size <= @len, hdr_len <= @len, and a frame of the type's
 * protocol as far as @p->depth looks. An offload on a frame that is not
 * IPv4/IPv6 is refused from DEPTH_L3 on. num_buffers is not read.
 *
 * The receivers differ on purpose, through @p rather than through copies
 * of this code: a virtio-net device checks what its negotiated features
 * allow, down to the L4 header (DEPTH_L4, RULE_FLAGS, RULE_GSO_CSUM: it
 * may have to finish the offload in software); a tap hands headers to the
 * kernel, which needs only the IP family, takes GSO without NEEDS_CSUM and
 * USO, and ECN only on TCP (DEPTH_L3, RULE_FLAGS, RULE_ECN_TCP); the user
 * backend's software path re-derives every header it rewrites (DEPTH_ETH,
 * RULE_GSO_CSUM, no USO).
 *
 * A header with neither NEEDS_CSUM nor a gso_type is accepted without a
 * look at the frame (its other fields mean nothing).
 *
 * Return: VNET_CHECK_OK, or the first reason the header is refused.
 */
enum vnet_check_err vnet_check(const struct virtio_net_hdr_v1 *h,
			       const uint8_t *frame, uint32_t len,
			       const struct vnet_check_policy *p)
{
	return vnet_check_head(h, frame, len, len, p);
}

/**
 * vnet_check_head() - vnet_check() for a frame in pieces
 * @h:		the header
 * @frame:	the frame's first piece
 * @head:	that piece's length: the headers are looked for there
 * @len:	the whole frame's length (what the sizes are checked against)
 * @p:		what the receiver accepts
 *
 * A header whose frame's headers do not lie within @head is refused as
 * vnet_check() refuses a frame that short (a scattered frame's checks never
 * read past its first piece).
 *
 * Return: as vnet_check().
 */
enum vnet_check_err vnet_check_head(const struct virtio_net_hdr_v1 *h,
				    const uint8_t *frame, uint32_t head,
				    uint32_t len,
				    const struct vnet_check_policy *p)
{
	struct vnet_check_l3 l3;
	enum vnet_check_err e;
	int ip;

	if ((p->rules & VNET_CHECK_RULE_FLAGS) &&
	    (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			  VIRTIO_NET_HDR_F_DATA_VALID)))
		return VNET_CHECK_FLAGS;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return VNET_CHECK_OK;
	ip = vc_parse(frame, head < len ? head : len, p->depth, &l3);
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		e = vc_csum(h, len, p, ip, &l3);
		if (e)
			return e;
	}
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return VNET_CHECK_OK;
	if (le16toh(h->hdr_len) > len)
		return VNET_CHECK_HDR_LEN;
	return vc_gso(h, len, p, ip, &l3);
}
