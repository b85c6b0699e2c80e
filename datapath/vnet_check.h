/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnet_check.h: the one virtio-net header validator devices and backends share (HARDENING measure 7). */
#ifndef QNET_DATAPATH_VNET_CHECK_H
#define QNET_DATAPATH_VNET_CHECK_H

#include <stdint.h>
#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/*
 * What a receiver accepts (struct vnet_check_policy @accept): partial
 * checksums, and each GSO kind at the bit of its gso_type value.
 */
#define VNET_CHECK_ACCEPT_CSUM	 (1u << 0) /* NEEDS_CSUM */
#define VNET_CHECK_ACCEPT_TCPV4	 (1u << VIRTIO_NET_HDR_GSO_TCPV4)
#define VNET_CHECK_ACCEPT_UDP	 (1u << VIRTIO_NET_HDR_GSO_UDP)
#define VNET_CHECK_ACCEPT_TCPV6	 (1u << VIRTIO_NET_HDR_GSO_TCPV6)
#define VNET_CHECK_ACCEPT_UDP_L4 (1u << VIRTIO_NET_HDR_GSO_UDP_L4)
#define VNET_CHECK_ACCEPT_ECN	 (1u << 7) /* the GSO_ECN bit */

/* Extra rules a receiver may ask for (struct vnet_check_policy @rules). */
#define VNET_CHECK_RULE_FLAGS	 (1u << 0) /* refuse unknown flag bits */
#define VNET_CHECK_RULE_GSO_CSUM (1u << 1) /* GSO only with NEEDS_CSUM */
#define VNET_CHECK_RULE_ECN_TCP	 (1u << 2) /* ECN only on TCP GSO */

/**
 * enum vnet_check_depth - how far into the frame the checks look
 * @VNET_CHECK_DEPTH_ETH:	not past the Ethernet header: a checksum may
 *				start anywhere after it; no IP is required
 * @VNET_CHECK_DEPTH_L3:	the ethertype, past up to two VLAN tags: an
 *				offload needs IPv4/IPv6, a checksum starts at
 *				or after the IP header, TCPv4/TCPv6 GSO needs
 *				its IP family
 * @VNET_CHECK_DEPTH_L4:	the IP header too (vnet_check_parse_l3()): a
 *				checksum starts in the L4 part; GSO needs the
 *				family and transport of its type, and with
 *				NEEDS_CSUM a checksum at that L4 header's
 *				checksum field
 * @VNET_CHECK_DEPTH_COUNT:	number of depths
 */
enum vnet_check_depth {
	VNET_CHECK_DEPTH_ETH,
	VNET_CHECK_DEPTH_L3,
	VNET_CHECK_DEPTH_L4,
	VNET_CHECK_DEPTH_COUNT
};

/**
 * struct vnet_check_policy - what one receiver of headers accepts
 * @accept:	VNET_CHECK_ACCEPT_* (the negotiated offloads)
 * @rules:	VNET_CHECK_RULE_*
 * @depth:	how far into the frame to look
 */
struct vnet_check_policy {
	unsigned int accept;
	unsigned int rules;
	enum vnet_check_depth depth;
};

/**
 * enum vnet_check_err - why a header was refused; names in
 * vnet_check_err_name()
 */
enum vnet_check_err {
	VNET_CHECK_OK,
	VNET_CHECK_FLAGS,	/* unknown flag bits */
	VNET_CHECK_CSUM_CAP,	/* NEEDS_CSUM not accepted */
	VNET_CHECK_CSUM_RANGE,	/* checksum outside the frame or too early */
	VNET_CHECK_NOT_IP,	/* offload on a frame that is not IPv4/IPv6 */
	VNET_CHECK_GSO_TYPE,	/* unknown gso_type */
	VNET_CHECK_GSO_CAP,	/* GSO type or ECN not accepted */
	VNET_CHECK_GSO_SIZE,	/* gso_size 0 or > len */
	VNET_CHECK_HDR_LEN,	/* hdr_len > len */
	VNET_CHECK_GSO_CSUM,	/* GSO without a NEEDS_CSUM it needs */
	VNET_CHECK_GSO_PROTO,	/* GSO type not matching the frame's IP/L4 */
	VNET_CHECK_ERR_COUNT
};

/**
 * struct vnet_check_l3 - where a frame's network and transport headers are
 * @l3:		offset of the IP header (after up to two VLAN tags)
 * @l4:		offset of the transport header
 * @ipv6:	IPv6 (else IPv4)
 * @proto:	transport protocol (IPv6: the first next-header)
 */
struct vnet_check_l3 {
	uint32_t l3;
	uint32_t l4;
	uint8_t ipv6;
	uint8_t proto;
};

enum vnet_check_err vnet_check(const struct virtio_net_hdr_v1 *h,
			       const uint8_t *frame, uint32_t len,
			       const struct vnet_check_policy *p);
enum vnet_check_err vnet_check_head(const struct virtio_net_hdr_v1 *h,
				    const uint8_t *frame, uint32_t head,
				    uint32_t len,
				    const struct vnet_check_policy *p);
int vnet_check_parse_l3(const uint8_t *frame, uint32_t len,
			struct vnet_check_l3 *out);
const char *vnet_check_err_name(enum vnet_check_err e);

#endif /* QNET_DATAPATH_VNET_CHECK_H */
