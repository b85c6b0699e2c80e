// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet_hdr.c: checks a virtio-net header against its frame and the negotiated features. */
#include "devices/vnet_hdr.h"

/**
 * vnet_hdr_check() - validate a virtio-net header against its frame
 * @h:		the header
 * @frame:	the Ethernet frame it describes
 * @len:	the frame's length
 * @caps:	offloads the receiver accepts (VNET_CAP_*: the negotiated
 *		features)
 *
 * vnet_check() with a device's policy: only the negotiated offloads, only
 * known flags, and checked down to the L4 header (csum_start inside the
 * L4 part; GSO only with NEEDS_CSUM on the matching L4 header's checksum),
 * because a device may have to finish the offload in software
 * (devices/offload.c). A header with no flags and no GSO is always
 * accepted.
 *
 * Return: VNET_CHECK_OK, or the first reason the header is refused.
 */
enum vnet_check_err vnet_hdr_check(const struct virtio_net_hdr_v1 *h,
				   const uint8_t *frame, uint32_t len,
				   unsigned int caps)
{
	return vnet_hdr_check_head(h, frame, len, len, caps);
}

/**
 * vnet_hdr_check_head() - vnet_hdr_check() for a frame in pieces
 * @h:		the header
 * @frame:	the frame's first piece
 * @head:	its length (the headers must lie there)
 * @len:	the whole frame's length
 * @caps:	offloads the receiver accepts (VNET_CAP_*)
 *
 * Return: as vnet_hdr_check() (vnet_check_head()).
 */
enum vnet_check_err vnet_hdr_check_head(const struct virtio_net_hdr_v1 *h,
					const uint8_t *frame, uint32_t head,
					uint32_t len, unsigned int caps)
{
	const struct vnet_check_policy p = {
		.accept = caps,
		.rules = VNET_CHECK_RULE_FLAGS | VNET_CHECK_RULE_GSO_CSUM,
		.depth = VNET_CHECK_DEPTH_L4,
	};

	return vnet_check_head(h, frame, head, len, &p);
}
