/* SPDX-License-Identifier: GPL-2.0-or-later */
/* offload.h: software checksum completion and TCP segmentation (no allocation). */
#ifndef QNET_DEVICES_OFFLOAD_H
#define QNET_DEVICES_OFFLOAD_H

#include <stdint.h>
#include <linux/virtio_net.h>

/**
 * DOC: software offloads
 *
 * For receivers that cannot take a virtio-net header (slirp, a guest
 * without GUEST_CSUM/GUEST_TSO), the header's requests are carried out in
 * software. Both helpers expect a header that vnet_hdr_check() accepted.
 *
 * offload_csum() completes a partial checksum in place. A GSO frame is
 * cut with an iterator: offload_gso_init() parses it once, then each
 * offload_gso_next() writes the next segment (headers copied and fixed:
 * IP length, IPv4 id and header checksum, TCP sequence, flags and full
 * checksum) into a buffer the caller provides. Nothing is allocated.
 */

/**
 * struct offload_gso - a TCP segmentation in progress
 * @frame:	the GSO frame
 * @len:	its length
 * @hlen:	bytes of headers (Ethernet .. TCP options) copied per segment
 * @l3:		IP header offset
 * @l4:		TCP header offset
 * @mss:	payload bytes per segment
 * @off:	payload bytes already emitted
 * @seq:	TCP sequence number of the first payload byte
 * @ip_id:	IPv4 id of the first segment
 * @index:	segments emitted
 * @ipv6:	IPv6 (else IPv4)
 */
struct offload_gso {
	const uint8_t *frame;
	uint32_t len;
	uint32_t hlen;
	uint32_t l3;
	uint32_t l4;
	uint32_t mss;
	uint32_t off;
	uint32_t seq;
	uint16_t ip_id;
	uint16_t index;
	uint8_t ipv6;
};

uint32_t offload_sum(const uint8_t *p, uint32_t len, uint32_t sum);
uint16_t offload_fold(uint32_t sum);
int offload_csum(uint8_t *frame, uint32_t len,
		 const struct virtio_net_hdr_v1 *h);
int offload_gso_init(struct offload_gso *g, const uint8_t *frame, uint32_t len,
		     const struct virtio_net_hdr_v1 *h);
int offload_gso_next(struct offload_gso *g, uint8_t *out, uint32_t cap);
uint32_t offload_gso_seg_max(const struct offload_gso *g);

#endif /* QNET_DEVICES_OFFLOAD_H */
