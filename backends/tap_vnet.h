/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_vnet.h: virtio-net header checks before a header reaches a tap (HARDENING measure 7). */
#ifndef QNET_BACKENDS_TAP_VNET_H
#define QNET_BACKENDS_TAP_VNET_H

#include <stdint.h>
#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* Bits of tap_vnet_check()'s @allow: which GSO kinds may pass. */
#define TAP_VNET_ALLOW_TCPV4	(1u << VIRTIO_NET_HDR_GSO_TCPV4)
#define TAP_VNET_ALLOW_UDP	(1u << VIRTIO_NET_HDR_GSO_UDP)
#define TAP_VNET_ALLOW_TCPV6	(1u << VIRTIO_NET_HDR_GSO_TCPV6)
#define TAP_VNET_ALLOW_UDP_L4	(1u << VIRTIO_NET_HDR_GSO_UDP_L4)
#define TAP_VNET_ALLOW_ECN	(1u << 7)
#define TAP_VNET_ALLOW_ALL \
	(TAP_VNET_ALLOW_TCPV4 | TAP_VNET_ALLOW_UDP | TAP_VNET_ALLOW_TCPV6 | \
	 TAP_VNET_ALLOW_UDP_L4 | TAP_VNET_ALLOW_ECN)

/**
 * enum tap_vnet_verdict - what tap_vnet_check() found
 */
enum tap_vnet_verdict {
	TAP_VNET_OK,		/* the header may go to the kernel */
	TAP_VNET_BAD_FLAGS,	/* unknown flag bits */
	TAP_VNET_BAD_CSUM,	/* csum_start/offset outside the frame or the L2 header */
	TAP_VNET_NOT_IP,	/* offload on a frame that is not IPv4/IPv6 */
	TAP_VNET_BAD_GSO_TYPE,	/* unknown or not allowed gso_type */
	TAP_VNET_BAD_GSO_SIZE,	/* gso_size 0 or larger than the frame */
	TAP_VNET_BAD_HDR_LEN,	/* hdr_len larger than the frame */
	TAP_VNET_VERDICT_COUNT
};

enum tap_vnet_verdict tap_vnet_check(const struct virtio_net_hdr_v1 *h,
				     const uint8_t *frame, uint32_t len,
				     unsigned int allow);
const char *tap_vnet_verdict_name(enum tap_vnet_verdict v);

#endif /* QNET_BACKENDS_TAP_VNET_H */
