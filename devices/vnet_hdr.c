// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet_hdr.c: checks a virtio-net header against its frame and the features. */
#include <assert.h>
#include <errno.h>
#include <stddef.h>

#include "devices/vnet_hdr.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	      "virtio 1.0 headers are little-endian; qnet reads them natively");

/* clang-format off */
static const char *const vnet_hdr_err_names[] = {
	[VNET_HDR_OK]		= "ok",
	[VNET_HDR_FLAGS]	= "flags",
	[VNET_HDR_CSUM_CAP]	= "csum_not_negotiated",
	[VNET_HDR_CSUM_RANGE]	= "csum_range",
	[VNET_HDR_NOT_IP]	= "not_ip",
	[VNET_HDR_GSO_TYPE]	= "gso_type",
	[VNET_HDR_GSO_CAP]	= "gso_not_negotiated",
	[VNET_HDR_GSO_SIZE]	= "gso_size",
	[VNET_HDR_HDR_LEN]	= "hdr_len",
	[VNET_HDR_GSO_CSUM]	= "gso_csum",
};
/* clang-format on */

static_assert(sizeof(vnet_hdr_err_names) / sizeof(vnet_hdr_err_names[0]) ==
		      VNET_HDR_ERR_COUNT,
	      "every header error has a name");

/**
 * vnet_hdr_err_name() - stable name of a header error
 * @e:	the error
 *
 * Return: its name, or NULL when out of range.
 */
const char *vnet_hdr_err_name(enum vnet_hdr_err e)
{
	if ((unsigned int)e >= VNET_HDR_ERR_COUNT)
		return NULL;
	return vnet_hdr_err_names[e];
}

/**
 * be16() - read a big-endian 16-bit field
 * @p:	first byte
 *
 * Return: the value.
 */
static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * vnet_hdr_parse_l3() - find the IP and transport headers of a frame
 * @frame:	Ethernet frame
 * @len:	its length
 * @out:	filled on success
 *
 * Up to two VLAN tags (802.1Q, 802.1ad) are skipped. IPv4 options and the
 * IHL are checked against @len; IPv6 extension headers are not walked
 * (@proto is the first next-header).
 *
 * Return: 0; -EPROTONOSUPPORT for a frame that is not IPv4 or IPv6;
 * -EINVAL for a truncated or inconsistent IP header.
 */
int vnet_hdr_parse_l3(const uint8_t *frame, uint32_t len, struct vnet_l3 *out)
{
	uint32_t off = 12;
	uint16_t type;
	int tags;

	for (tags = 0;; tags++) {
		if (len < off + 2)
			return -EINVAL;
		type = be16(frame + off);
		off += 2;
		if ((type != 0x8100 && type != 0x88a8) || tags == 2)
			break;
		off += 2;
	}
	out->l3 = off;
	if (type == 0x0800) {
		uint32_t ihl;

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
	if (type == 0x86dd) {
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
 * vnet_check_csum() - check a NEEDS_CSUM request
 * @h:		the header
 * @frame:	the frame
 * @len:	its length
 * @caps:	VNET_CAP_*
 *
 * Return: VNET_HDR_OK or the reason.
 */
static enum vnet_hdr_err vnet_check_csum(const struct virtio_net_hdr_v1 *h,
					 const uint8_t *frame, uint32_t len,
					 unsigned int caps)
{
	struct vnet_l3 l3;
	uint32_t end = (uint32_t)h->csum_start + h->csum_offset + 2;

	if (!(caps & VNET_CAP_CSUM))
		return VNET_HDR_CSUM_CAP;
	if (end > len)
		return VNET_HDR_CSUM_RANGE;
	if (vnet_hdr_parse_l3(frame, len, &l3))
		return VNET_HDR_NOT_IP;
	if (h->csum_start < l3.l4)
		return VNET_HDR_CSUM_RANGE;
	return VNET_HDR_OK;
}

/**
 * vnet_check_gso() - check a GSO request
 * @h:		the header (NEEDS_CSUM already checked)
 * @frame:	the frame
 * @len:	its length
 * @caps:	VNET_CAP_*
 *
 * Return: VNET_HDR_OK or the reason.
 */
static enum vnet_hdr_err vnet_check_gso(const struct virtio_net_hdr_v1 *h,
					const uint8_t *frame, uint32_t len,
					unsigned int caps)
{
	uint8_t type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	struct vnet_l3 l3;
	unsigned int need;

	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		need = VNET_CAP_TSO4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		need = VNET_CAP_TSO6;
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
		need = VNET_CAP_UFO;
		break;
	default:
		return VNET_HDR_GSO_TYPE;
	}
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !(caps & VNET_CAP_ECN))
		return VNET_HDR_GSO_CAP;
	if (!(caps & need))
		return VNET_HDR_GSO_CAP;
	if (!h->gso_size || h->gso_size > len)
		return VNET_HDR_GSO_SIZE;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return VNET_HDR_GSO_CSUM;
	if (vnet_hdr_parse_l3(frame, len, &l3))
		return VNET_HDR_NOT_IP;
	if ((type == VIRTIO_NET_HDR_GSO_TCPV4 && (l3.ipv6 || l3.proto != 6)) ||
	    (type == VIRTIO_NET_HDR_GSO_TCPV6 && (!l3.ipv6 || l3.proto != 6)) ||
	    (type == VIRTIO_NET_HDR_GSO_UDP && l3.proto != 17))
		return VNET_HDR_GSO_CSUM;
	if (h->csum_start != l3.l4 ||
	    h->csum_offset != (type == VIRTIO_NET_HDR_GSO_UDP ? 6 : 16))
		return VNET_HDR_GSO_CSUM;
	return VNET_HDR_OK;
}

/**
 * vnet_hdr_check() - validate a virtio-net header against its frame
 * @h:		the header
 * @frame:	the Ethernet frame it describes
 * @len:	the frame's length
 * @caps:	offloads the receiver accepts (VNET_CAP_*: the negotiated
 *		features)
 *
 * The checks of HARDENING measure 7: only known flags;
 * csum_start + csum_offset + 2 <= len and csum_start inside the L4 part of
 * an IPv4/IPv6 frame; a known gso_type whose feature (and ECN's) is
 * negotiated; 0 < gso_size <= len; hdr_len <= len; GSO only with
 * NEEDS_CSUM on the matching L4 header. A header with no flags and no GSO
 * is always accepted (its other fields mean nothing).
 *
 * Return: VNET_HDR_OK, or the first reason the header is refused.
 */
enum vnet_hdr_err vnet_hdr_check(const struct virtio_net_hdr_v1 *h,
				 const uint8_t *frame, uint32_t len,
				 unsigned int caps)
{
	enum vnet_hdr_err e;

	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			 VIRTIO_NET_HDR_F_DATA_VALID))
		return VNET_HDR_FLAGS;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		e = vnet_check_csum(h, frame, len, caps);
		if (e)
			return e;
	}
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return VNET_HDR_OK;
	if (h->hdr_len > len)
		return VNET_HDR_HDR_LEN;
	return vnet_check_gso(h, frame, len, caps);
}
