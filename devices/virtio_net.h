/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net.h: the virtio-net device over vhost-user, as a qnet port. */
#ifndef QNET_DEVICES_VIRTIO_NET_H
#define QNET_DEVICES_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/port.h"
#include "datapath/uring/uloop.h"
#include "datapath/uring/uworker.h"
#include "devices/vhost_user.h"

/*
 * The device's typed configuration is struct virtio_net_params, not
 * "virtio_net_config": <linux/virtio_net.h> (included by datapath/frame.h)
 * already defines struct virtio_net_config (the device config space).
 */

/**
 * enum vn_rx_mode - how frames from a peer that lets the device read it
 * itself (a tap queue on the pair's loop) reach the guest's RX buffers
 * @VN_RX_AUTO:		read straight into them (direct RX) while the frames
 *			are large, copied by the device while they are small,
 *			judged on their average size each watchdog period
 *			(virtio_net_rxd.c: a read per frame costs more than
 *			the copy below about 8 KiB)
 * @VN_RX_DIRECT:	direct RX whenever it can be used
 * @VN_RX_COPY:		always copied (for comparisons)
 */
enum vn_rx_mode {
	VN_RX_AUTO,
	VN_RX_DIRECT,
	VN_RX_COPY,
};

/**
 * struct virtio_net_params - the device's configuration (QEMU's
 * virtio-net-pci properties where one exists)
 * @mac:	MAC address (config space; VIRTIO_NET_F_MAC)
 * @mtu:	MTU (0: 1500); offered as VIRTIO_NET_F_MTU when @host_mtu
 * @host_mtu:	offer VIRTIO_NET_F_MTU (QEMU's host_mtu=)
 * @queues:	queue pairs, 1..VU_MAX_QUEUE_PAIRS (MQ offered when > 1)
 * @csum:	VIRTIO_NET_F_CSUM: the guest may send partial checksums
 * @guest_csum:	VIRTIO_NET_F_GUEST_CSUM: frames to the guest may carry
 *		partial checksums
 * @host_tso4:	VIRTIO_NET_F_HOST_TSO4 (needs @csum)
 * @host_tso6:	VIRTIO_NET_F_HOST_TSO6 (needs @csum)
 * @host_ecn:	VIRTIO_NET_F_HOST_ECN (needs a host TSO)
 * @guest_tso4:	VIRTIO_NET_F_GUEST_TSO4 (needs @guest_csum)
 * @guest_tso6:	VIRTIO_NET_F_GUEST_TSO6 (needs @guest_csum)
 * @guest_ecn:	VIRTIO_NET_F_GUEST_ECN (needs a guest TSO)
 * @mrg_rxbuf:	VIRTIO_NET_F_MRG_RXBUF
 * @event_idx:	VIRTIO_RING_F_EVENT_IDX
 * @indirect_desc: VIRTIO_RING_F_INDIRECT_DESC
 * @ctrl_vq:	VIRTIO_NET_F_CTRL_VQ served by qnet (for front-ends with no
 *		VMM in between, such as User-Mode Linux); QEMU serves the
 *		control queue itself and ignores this
 * @packed:	VIRTIO_F_RING_PACKED (QEMU's packed=on); off by default, as
 *		in QEMU (virtio_uml sends a base of 0 for packed rings,
 *		which is not a valid start: do not offer it there)
 * @status:	VIRTIO_NET_F_STATUS (link state in the config space)
 * @serve_config: offer the CONFIG protocol feature (GET_CONFIG: MAC,
 *		status, MTU) for front-ends with no VMM in between (User-Mode
 *		Linux), and BACKEND_REQ (UML 6.1's virtio_uml sets up its
 *		interrupts only with it); QEMU keeps the config space itself
 *		and warns about CONFIG
 * @peer_vnet:	the peer takes offload metadata (frame->vnet): guest
 *		checksum/GSO requests are passed on; false: qnet completes
 *		checksums and segments in software before sending
 * @tx_copy:	copy every TX chain, never lend guest buffers to the peer
 *		(zero-copy TX off: for comparisons; virtio_net_zc.c)
 * @rx_mode:	how frames from a peer that lets the device read it (a
 *		tap) reach the guest's RX buffers (enum vn_rx_mode;
 *		virtio_net_rxd.c)
 */
struct virtio_net_params {
	uint8_t mac[6];
	uint16_t mtu;
	bool host_mtu;
	unsigned int queues;
	bool csum;
	bool guest_csum;
	bool host_tso4;
	bool host_tso6;
	bool host_ecn;
	bool guest_tso4;
	bool guest_tso6;
	bool guest_ecn;
	bool mrg_rxbuf;
	bool event_idx;
	bool indirect_desc;
	bool ctrl_vq;
	bool packed;
	bool status;
	bool serve_config;
	bool peer_vnet;
	bool tx_copy;
	uint8_t rx_mode;
};

/**
 * struct virtio_net_stats - device counters beyond the port's
 * @tx_bad_chain:  TX chains returned with used.len 0 (bad descriptors,
 *		   write-only buffers, short frames)
 * @rx_bad_chain:  RX chains returned with used.len 0
 * @tx_bad_vnet:   TX frames whose header failed vnet_hdr_check()
 * @tx_sw_csum:	   TX checksums completed in software
 * @tx_sw_gso:	   TX GSO frames segmented in software
 * @tx_sw_segs:	   segments they produced
 * @rx_sw_csum:	   RX checksums completed in software
 * @rx_sw_gso:	   RX GSO frames segmented in software
 * @rx_too_big:	   RX frames larger than the guest's buffers (dropped)
 * @rx_no_buffer:  times RX found no guest buffer (the sender was held)
 * @tx_no_frame:   times TX found the frame pool empty (TX paused)
 * @tx_lent:	   TX frames lent to the peer in the guest's own buffer
 *		   (not copied by the device; the tap writes those above
 *		   512 bytes from it and copies smaller ones)
 * @tx_lent_scattered: of which in several pieces (frame.iov: a GSO frame's
 *		   linear part and page fragments)
 * @tx_unshared:   of which copied after all (the peer held the sender)
 * @tx_settled:	   borrowed chains completed early because rings or memory
 *		   changed (their writes were done; see virtio_net_zc.c)
 * @tx_kick_missed: TX passes the kick watchdog ran: the guest's chains had
 *		   waited a whole period without a kick (virtio_net_mq.c)
 * @rx_direct:	   frames the kernel read from the peer straight into
 *		   the guest's RX buffers (virtio_net_rxd.c)
 * @rx_direct_returned: guest RX buffers given back empty (length 0) when
 *		   a ring stopped or the memory changed with direct reads on
 * @rx_direct_lost: frames a direct read had put in the guest's buffers
 *		   just before such a stop (dropped)
 * @rx_direct_paused: times direct RX paused for a watchdog period because
 *		   the guest's buffers held could not make one read
 * @rx_direct_small: times VN_RX_AUTO turned to copying because the frames
 *		   were small, with a peer that lets the device read it (direct
 *		   RX starts again when they are large)
 * @rarp_sent:	   RARP announcements sent (SEND_RARP)
 * @ctrl_cmds:	   control-queue commands answered
 * @ctrl_errors:   of which refused (VIRTIO_NET_ERR) or malformed
 */
struct virtio_net_stats {
	uint64_t tx_bad_chain;
	uint64_t rx_bad_chain;
	uint64_t tx_bad_vnet;
	uint64_t tx_sw_csum;
	uint64_t tx_sw_gso;
	uint64_t tx_sw_segs;
	uint64_t rx_sw_csum;
	uint64_t rx_sw_gso;
	uint64_t rx_too_big;
	uint64_t rx_no_buffer;
	uint64_t tx_no_frame;
	uint64_t tx_lent;
	uint64_t tx_lent_scattered;
	uint64_t tx_unshared;
	uint64_t tx_settled;
	uint64_t tx_kick_missed;
	uint64_t rx_direct;
	uint64_t rx_direct_returned;
	uint64_t rx_direct_lost;
	uint64_t rx_direct_paused;
	uint64_t rx_direct_small;
	uint64_t rarp_sent;
	uint64_t ctrl_cmds;
	uint64_t ctrl_errors;
};

/**
 * struct virtio_net_info - state for `info network` / QMP
 * @connected:	a front-end is connected
 * @link_up:	the port's link is up (a front-end is connected, set_link on)
 * @needs_reset: some queue is in NEEDS_RESET
 * @features:	virtio features the front-end acked
 * @protocol_features: vhost-user protocol features negotiated
 * @queues_started: rings started
 * @mtu:	MTU in force
 * @vu:		transport counters
 */
struct virtio_net_info {
	bool connected;
	bool link_up;
	bool needs_reset;
	uint64_t features;
	uint64_t protocol_features;
	unsigned int queues_started;
	uint32_t mtu;
	struct vu_stats vu;
};

struct virtio_net;

void virtio_net_params_default(struct virtio_net_params *p);
int virtio_net_open(struct virtio_net **out, const struct virtio_net_params *p,
		    const struct vhost_user_config *vc, struct uloop *loop,
		    const char *name);
void virtio_net_close(struct virtio_net *vn);
struct port *virtio_net_port(struct virtio_net *vn);
void virtio_net_info(const struct virtio_net *vn, struct virtio_net_info *out);
int virtio_net_open_mq(struct virtio_net **out,
		       const struct virtio_net_params *p,
		       const struct vhost_user_config *vc, struct uloop *loop,
		       struct uworker *const *workers, const char *name);
void virtio_net_stats(const struct virtio_net *vn, struct virtio_net_stats *out);
const struct virtq *virtio_net_vq(const struct virtio_net *vn, unsigned int idx);
void virtio_net_set_admin_link(struct virtio_net *vn, bool up);
void virtio_net_set_tx_copy(struct virtio_net *vn, bool copy);
void virtio_net_set_rx_mode(struct virtio_net *vn, enum vn_rx_mode mode);
void virtio_net_on_features(struct virtio_net *vn,
			    void (*cb)(void *arg, unsigned int guest_caps),
			    void *arg);

#endif /* QNET_DEVICES_VIRTIO_NET_H */
