/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnet_hdr.h: a virtio-net device's header policy over datapath/vnet_check (HARDENING measure 7). */
#ifndef QNET_DEVICES_VNET_HDR_H
#define QNET_DEVICES_VNET_HDR_H

#include <stdint.h>
#include <linux/virtio_net.h>

#include "datapath/vnet_check.h"

/* Offloads a receiver of the header accepts (vnet_hdr_check() @caps). */
#define VNET_CAP_CSUM	VNET_CHECK_ACCEPT_CSUM	/* NEEDS_CSUM (partial checksum) */
#define VNET_CAP_TSO4	VNET_CHECK_ACCEPT_TCPV4	/* GSO_TCPV4 */
#define VNET_CAP_TSO6	VNET_CHECK_ACCEPT_TCPV6	/* GSO_TCPV6 */
#define VNET_CAP_ECN	VNET_CHECK_ACCEPT_ECN	/* GSO_ECN */
#define VNET_CAP_UFO	VNET_CHECK_ACCEPT_UDP	/* GSO_UDP */

enum vnet_check_err vnet_hdr_check(const struct virtio_net_hdr_v1 *h,
				   const uint8_t *frame, uint32_t len,
				   unsigned int caps);
enum vnet_check_err vnet_hdr_check_head(const struct virtio_net_hdr_v1 *h,
					const uint8_t *frame, uint32_t head,
					uint32_t len, unsigned int caps);

#endif /* QNET_DEVICES_VNET_HDR_H */
