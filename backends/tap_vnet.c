// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_vnet.c: virtio-net header validator: nothing unchecked reaches IFF_VNET_HDR. */

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>

#include "backends/tap_vnet.h"

#define ETH_HLEN_	14u
#define VLAN_HLEN_	4u
#define ETHERTYPE_IPV4	0x0800u
#define ETHERTYPE_IPV6	0x86ddu
#define ETHERTYPE_VLAN	0x8100u
#define ETHERTYPE_QINQ	0x88a8u

static const char *const tap_vnet_names[] = {
	[TAP_VNET_OK]		= "ok",
	[TAP_VNET_BAD_FLAGS]	= "bad_flags",
	[TAP_VNET_BAD_CSUM]	= "bad_csum_offsets",
	[TAP_VNET_NOT_IP]	= "offload_not_ip",
	[TAP_VNET_BAD_GSO_TYPE]	= "bad_gso_type",
	[TAP_VNET_BAD_GSO_SIZE]	= "bad_gso_size",
	[TAP_VNET_BAD_HDR_LEN]	= "bad_hdr_len",
};

_Static_assert(sizeof(tap_vnet_names) / sizeof(tap_vnet_names[0]) ==
		       TAP_VNET_VERDICT_COUNT,
	       "every verdict has a name");

/**
 * tap_vnet_l3() - the frame's network protocol, past up to two VLAN tags
 * @frame: the Ethernet frame
 * @len:   its length (at least 14)
 * @l3off: set to the offset of the network header
 *
 * Return: the ethertype (host order), or 0 when the frame is too short.
 */
static unsigned int tap_vnet_l3(const uint8_t *frame, uint32_t len,
				uint32_t *l3off)
{
	uint32_t off = ETH_HLEN_ - 2;
	unsigned int type, tags;

	for (tags = 0; tags <= 2; tags++) {
		if (off + 2 > len)
			return 0;
		type = (unsigned int)frame[off] << 8 | frame[off + 1];
		if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ)
			break;
		off += VLAN_HLEN_;
	}
	*l3off = off + 2;
	return type;
}

/**
 * tap_vnet_gso_ok() - check the GSO part of a header
 * @h:     the header
 * @type:  gso_type without the ECN bit
 * @l3:    the frame's ethertype
 * @len:   frame length
 * @allow: TAP_VNET_ALLOW_* bits
 *
 * Return: TAP_VNET_OK or the reason.
 */
static enum tap_vnet_verdict tap_vnet_gso_ok(const struct virtio_net_hdr_v1 *h,
					     unsigned int type, unsigned int l3,
					     uint32_t len, unsigned int allow)
{
	uint16_t gso_size = le16toh(h->gso_size);
	uint16_t hdr_len = le16toh(h->hdr_len);

	if (type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_UDP &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6 &&
	    type != VIRTIO_NET_HDR_GSO_UDP_L4)
		return TAP_VNET_BAD_GSO_TYPE;
	if (!(allow & (1u << type)))
		return TAP_VNET_BAD_GSO_TYPE;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    (!(allow & TAP_VNET_ALLOW_ECN) ||
	     (type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	      type != VIRTIO_NET_HDR_GSO_TCPV6)))
		return TAP_VNET_BAD_GSO_TYPE;
	if ((type == VIRTIO_NET_HDR_GSO_TCPV4 && l3 != ETHERTYPE_IPV4) ||
	    (type == VIRTIO_NET_HDR_GSO_TCPV6 && l3 != ETHERTYPE_IPV6) ||
	    (l3 != ETHERTYPE_IPV4 && l3 != ETHERTYPE_IPV6))
		return TAP_VNET_NOT_IP;
	if (gso_size == 0 || gso_size > len)
		return TAP_VNET_BAD_GSO_SIZE;
	if (hdr_len > len)
		return TAP_VNET_BAD_HDR_LEN;
	return TAP_VNET_OK;
}

/**
 * tap_vnet_check() - may this header go to a tap (or vhost, or AF_XDP)?
 * @h:     the header, as the sender wrote it (little endian, virtio 1.0)
 * @frame: the Ethernet frame it describes
 * @len:   the frame's length
 * @allow: TAP_VNET_ALLOW_* GSO kinds the sender negotiated
 *
 * HARDENING measure 7 and T-20: known flags only; with NEEDS_CSUM,
 * csum_start past the Ethernet header and csum_start + csum_offset + 2 <=
 * @len on an IPv4/IPv6 frame; with GSO, a known and allowed gso_type that
 * matches the frame's protocol, 0 < gso_size <= @len, hdr_len <= @len.
 * num_buffers is ignored (the kernel does not read it on transmit).
 *
 * Return: TAP_VNET_OK, or the first check that failed.
 */
enum tap_vnet_verdict tap_vnet_check(const struct virtio_net_hdr_v1 *h,
				     const uint8_t *frame, uint32_t len,
				     unsigned int allow)
{
	unsigned int type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t l3off = 0;
	unsigned int l3;

	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			 VIRTIO_NET_HDR_F_DATA_VALID))
		return TAP_VNET_BAD_FLAGS;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return TAP_VNET_OK;
	l3 = tap_vnet_l3(frame, len, &l3off);
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint32_t start = le16toh(h->csum_start);
		uint32_t off = le16toh(h->csum_offset);

		if (l3 != ETHERTYPE_IPV4 && l3 != ETHERTYPE_IPV6)
			return TAP_VNET_NOT_IP;
		if (start < l3off || start + off + 2 > len)
			return TAP_VNET_BAD_CSUM;
	}
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return TAP_VNET_OK;
	return tap_vnet_gso_ok(h, type, l3, len, allow);
}

/**
 * tap_vnet_verdict_name() - stable name of a verdict
 * @v: the verdict
 *
 * Return: the name, or NULL for a value out of range.
 */
const char *tap_vnet_verdict_name(enum tap_vnet_verdict v)
{
	if ((unsigned int)v >= TAP_VNET_VERDICT_COUNT)
		return NULL;
	return tap_vnet_names[v];
}
