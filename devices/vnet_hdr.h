/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnet_hdr.h: the virtio-net header validator (HARDENING measure 7). */
#ifndef QNET_DEVICES_VNET_HDR_H
#define QNET_DEVICES_VNET_HDR_H

#include <stdint.h>
#include <linux/virtio_net.h>

/* Offloads a receiver of the header accepts (vnet_hdr_check() @caps). */
#define VNET_CAP_CSUM	(1u << 0)	/* NEEDS_CSUM (partial checksum) */
#define VNET_CAP_TSO4	(1u << 1)	/* GSO_TCPV4 */
#define VNET_CAP_TSO6	(1u << 2)	/* GSO_TCPV6 */
#define VNET_CAP_ECN	(1u << 3)	/* GSO_ECN */
#define VNET_CAP_UFO	(1u << 4)	/* GSO_UDP */

/**
 * enum vnet_hdr_err - why a header was refused; names in vnet_hdr_err_name()
 */
enum vnet_hdr_err {
	VNET_HDR_OK,
	VNET_HDR_FLAGS,		/* unknown flag bits */
	VNET_HDR_CSUM_CAP,	/* NEEDS_CSUM without the feature */
	VNET_HDR_CSUM_RANGE,	/* csum_start + csum_offset + 2 > len */
	VNET_HDR_NOT_IP,	/* offload on a frame that is not IPv4/IPv6 */
	VNET_HDR_GSO_TYPE,	/* unknown gso_type */
	VNET_HDR_GSO_CAP,	/* GSO type or ECN without the feature */
	VNET_HDR_GSO_SIZE,	/* gso_size 0 or > len */
	VNET_HDR_HDR_LEN,	/* hdr_len > len */
	VNET_HDR_GSO_CSUM,	/* GSO without a sane NEEDS_CSUM on its L4 */
	VNET_HDR_ERR_COUNT
};

/**
 * struct vnet_l3 - where a frame's network and transport headers are
 * @l3:		offset of the IP header (after up to two VLAN tags)
 * @l4:		offset of the transport header
 * @ipv6:	IPv6 (else IPv4)
 * @proto:	transport protocol (IPv6: the first next-header)
 */
struct vnet_l3 {
	uint32_t l3;
	uint32_t l4;
	uint8_t ipv6;
	uint8_t proto;
};

enum vnet_hdr_err vnet_hdr_check(const struct virtio_net_hdr_v1 *h,
				 const uint8_t *frame, uint32_t len,
				 unsigned int caps);
int vnet_hdr_parse_l3(const uint8_t *frame, uint32_t len, struct vnet_l3 *out);
const char *vnet_hdr_err_name(enum vnet_hdr_err e);

#endif /* QNET_DEVICES_VNET_HDR_H */
