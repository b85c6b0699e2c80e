/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xdp_steer.h: types shared by the AF_XDP steering program and its loader. */
#ifndef QNET_BPF_XDP_STEER_H
#define QNET_BPF_XDP_STEER_H

#include <linux/types.h>

/* struct xdp_steer_cfg.flags */
#define XDP_STEER_F_MAC   (1u << 0)	/* frames to @mac go to the guest */
#define XDP_STEER_F_MCAST (1u << 1)	/* multicast and broadcast frames too */
#define XDP_STEER_F_ALL   (1u << 2)	/* every frame goes to the guest */

/**
 * struct xdp_steer_cfg - which frames the XDP program hands to qnet's sockets
 * (entry 0 of the steering config map; written at run time)
 * @mac:	the guest's MAC address
 * @pad:	zero
 * @flags:	XDP_STEER_F_*
 */
struct xdp_steer_cfg {
	__u8 mac[6];
	__u16 pad;
	__u32 flags;
};

/**
 * enum xdp_steer_stat - per-CPU counters of the steering program (map index)
 * @XDP_STEER_TO_GUEST:	frames redirected to a qnet socket
 * @XDP_STEER_TO_HOST:	frames not for the guest, passed to the host stack
 * @XDP_STEER_NO_SOCKET:	frames for the guest with no socket on their queue
 *			(passed to the host stack)
 * @XDP_STEER_FILTERED:	frames for the guest a filter slot dropped
 */
enum xdp_steer_stat {
	XDP_STEER_TO_GUEST,
	XDP_STEER_TO_HOST,
	XDP_STEER_NO_SOCKET,
	XDP_STEER_FILTERED,
	XDP_STEER_STAT_COUNT
};

#endif /* QNET_BPF_XDP_STEER_H */
