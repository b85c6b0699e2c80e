/* SPDX-License-Identifier: GPL-2.0-or-later */
/* afxdp.h: -netdev af-xdp: AF_XDP sockets on a host interface, with qnet's steering program. */
#ifndef QNET_BACKENDS_AFXDP_H
#define QNET_BACKENDS_AFXDP_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/port.h"
#include "datapath/bpf/bpfpin.h"
#include "datapath/bpf/capture.h"
#include "datapath/uring/uloop.h"

/**
 * enum afxdp_mode - QEMU's mode=
 * @AFXDP_MODE_AUTO:	no mode given: native, else skb
 * @AFXDP_MODE_NATIVE:	mode=native (XDP in the driver)
 * @AFXDP_MODE_SKB:	mode=skb (generic XDP)
 */
enum afxdp_mode {
	AFXDP_MODE_AUTO,
	AFXDP_MODE_NATIVE,
	AFXDP_MODE_SKB,
	AFXDP_MODE_COUNT
};

/** AFXDP_DEF_FRAMES - UMEM frames per queue (half RX, half TX) */
#define AFXDP_DEF_FRAMES 4096u

/** AFXDP_DEF_RING - RX and TX ring entries per queue */
#define AFXDP_DEF_RING 2048u

/**
 * struct afxdp_config - one -netdev af-xdp (QEMU 8.2 / 10.1 options, typed)
 * @ifname:	ifname= (required)
 * @mode:	mode=
 * @force_copy:	force-copy=on: never zero-copy
 * @queues:	queues= (0: 1)
 * @start_queue: start-queue=: first interface queue used
 * @inhibit:	inhibit=on: load no program; use @sock_fds or @map_path
 * @sock_fds:	sock-fds=: one AF_XDP socket per queue, created (and put in
 *		its XSK map) by a privileged manager; qnet only registers its
 *		UMEM and binds (inhibit=on)
 * @n_sock_fds:	entries in @sock_fds
 * @map_path:	map-path=: pinned XSK map to put qnet's sockets in (inhibit=on)
 * @map_start_index: map-start-index=: key of queue 0 in @map_path
 * @mac:	the guest NIC's MAC: frames to it go to the guest (with
 *		broadcast and multicast); qnet extension
 * @has_mac:	@mac is set; without it (or with @steer_all) every frame of
 *		the queues goes to the guest, as QEMU's default program does
 * @steer_all:	every frame to the guest (qnet extension)
 * @frames:	UMEM frames per queue, a power of two (0: AFXDP_DEF_FRAMES)
 * @ring_size:	RX/TX ring entries, a power of two (0: AFXDP_DEF_RING)
 * @capture_ring: bytes of the program's capture ring (0: default)
 * @pins:	pin directory for the program and maps (NULL: no pins)
 */
struct afxdp_config {
	const char *ifname;
	enum afxdp_mode mode;
	bool force_copy;
	unsigned int queues;
	unsigned int start_queue;
	bool inhibit;
	const int *sock_fds;
	unsigned int n_sock_fds;
	const char *map_path;
	unsigned int map_start_index;
	uint8_t mac[6];
	bool has_mac;
	bool steer_all;
	uint32_t frames;
	uint32_t ring_size;
	uint32_t capture_ring;
	const struct bpfpin *pins;
};

/**
 * struct afxdp_info - how the netdev ended up set up
 * @ifindex:	the interface
 * @mode:	AFXDP_MODE_NATIVE or AFXDP_MODE_SKB (AUTO with inhibit=on)
 * @zerocopy:	every socket is bound in zero-copy mode
 * @program:	qnet's steering program is loaded (inhibit=off)
 * @multiprog:	it runs under libxdp's dispatcher (else alone)
 * @queues:	queue pairs
 * @error:	-errno that took the link down (interface gone, program
 *		removed from outside), 0
 */
struct afxdp_info {
	int ifindex;
	enum afxdp_mode mode;
	bool zerocopy;
	bool program;
	bool multiprog;
	unsigned int queues;
	int error;
};

/**
 * struct afxdp_stats - counters (all queues); the port has the rest
 * @rx_frames:	frames taken from the RX rings
 * @tx_frames:	frames put on the TX rings
 * @tx_done:	TX frames the kernel completed
 * @kicks:	sendto() wake-ups of the TX path
 * @kick_retries: kicks the kernel asked to repeat (busy driver)
 * @fill_wakeups: recvfrom() wake-ups of the fill ring
 * @k_rx_dropped: kernel: frames dropped for lack of room (XDP_STATISTICS)
 * @k_rx_ring_full: kernel: RX ring full
 * @k_fill_empty: kernel: fill ring empty when a frame came
 * @k_invalid:	kernel: invalid RX/TX descriptors
 * @to_guest:	steering program: frames to the sockets
 * @to_host:	steering program: frames left to the host stack
 * @no_socket:	steering program: guest frames on a queue without socket
 * @filtered:	steering program: frames a kernel filter dropped
 */
struct afxdp_stats {
	uint64_t rx_frames;
	uint64_t tx_frames;
	uint64_t tx_done;
	uint64_t kicks;
	uint64_t kick_retries;
	uint64_t fill_wakeups;
	uint64_t k_rx_dropped;
	uint64_t k_rx_ring_full;
	uint64_t k_fill_empty;
	uint64_t k_invalid;
	uint64_t to_guest;
	uint64_t to_host;
	uint64_t no_socket;
	uint64_t filtered;
};

struct afxdp;

int afxdp_open(struct afxdp **out, const struct afxdp_config *cfg,
	       struct uloop *loop, const char *name);
struct port *afxdp_port(struct afxdp *a);
void afxdp_close(struct afxdp *a);
int afxdp_info(const struct afxdp *a, struct afxdp_info *out);
int afxdp_stats(const struct afxdp *a, struct afxdp_stats *out);
int afxdp_set_mac(struct afxdp *a, const uint8_t mac[6], bool all);
int afxdp_check(struct afxdp *a);
int afxdp_capture_add(struct afxdp *a, struct capture *c);
void afxdp_capture_del(struct afxdp *a, struct capture *c);

#endif /* QNET_BACKENDS_AFXDP_H */
