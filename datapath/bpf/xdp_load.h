/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xdp_load.h: loader of the XDP steering program (libxdp: dispatcher when the kernel allows, else a single program). */
#ifndef QNET_BPF_XDP_LOAD_H
#define QNET_BPF_XDP_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/bpf/bpfpin.h"
#include "datapath/bpf/qhost.h"
#include "datapath/bpf/xdp_steer.h"

struct xdp_steer_bpf;
struct xdp_program;

/**
 * enum xdp_load_mode - how the program is attached
 * @XDP_LOAD_AUTO:	native, else skb (QEMU's af-xdp without mode=)
 * @XDP_LOAD_NATIVE:	in the driver (mode=native)
 * @XDP_LOAD_SKB:	generic XDP (mode=skb)
 */
enum xdp_load_mode {
	XDP_LOAD_AUTO,
	XDP_LOAD_NATIVE,
	XDP_LOAD_SKB,
	XDP_LOAD_MODE_COUNT
};

/** XDP_LOAD_RING_DEFAULT - capture ring bytes when the caller gives 0 */
#define XDP_LOAD_RING_DEFAULT (2u << 20)

/**
 * struct xdp_load_config - what to load and where
 * @ifindex:	interface
 * @mode:	enum xdp_load_mode
 * @steer:	true: redirect the guest's frames to the sockets in the XSK
 *		map; false: capture and filters only
 * @map_size:	XSK map entries (queue ids), 0: 64
 * @ring_size:	capture ring bytes (0: XDP_LOAD_RING_DEFAULT)
 * @pins:	pin directory (NULL: no pins)
 * @pin_id:	pins are named qnet_<pin_id>_<role>
 */
struct xdp_load_config {
	int ifindex;
	enum xdp_load_mode mode;
	bool steer;
	uint32_t map_size;
	uint32_t ring_size;
	const struct bpfpin *pins;
	const char *pin_id;
};

/**
 * struct xdp_load - the steering program loaded on one interface
 * @skel:	the skeleton (its object was loaded by libxdp)
 * @prog:	libxdp's handle
 * @host:	capture slots
 * @ifindex:	interface (0: loaded for tests, not attached)
 * @mode:	mode it is attached in (XDP_LOAD_NATIVE or XDP_LOAD_SKB)
 * @multiprog:	attached through libxdp's dispatcher
 * @main_id:	id of the program the interface runs (ours or the dispatcher)
 * @xsks_fd:	XSK map
 * @pins:	pin directory, or NULL
 * @pin_id:	its pin name prefix
 */
struct xdp_load {
	struct xdp_steer_bpf *skel;
	struct xdp_program *prog;
	struct qhost host;
	int ifindex;
	enum xdp_load_mode mode;
	bool multiprog;
	uint32_t main_id;
	int xsks_fd;
	const struct bpfpin *pins;
	char pin_id[BPFPIN_NAME_MAX];
};

int xdp_load_open(struct xdp_load *x, const struct xdp_load_config *cfg);
int xdp_load_prepare(struct xdp_load *x, const struct xdp_load_config *cfg);
void xdp_load_close(struct xdp_load *x);
int xdp_load_prog_fd(const struct xdp_load *x);
int xdp_load_set_steer(struct xdp_load *x, const uint8_t mac[6],
		       uint32_t flags);
int xdp_load_add_socket(struct xdp_load *x, uint32_t queue, int fd);
int xdp_load_del_socket(struct xdp_load *x, uint32_t queue);
int xdp_load_stats(const struct xdp_load *x,
		   uint64_t out[XDP_STEER_STAT_COUNT]);
int xdp_load_attached(const struct xdp_load *x);

#endif /* QNET_BPF_XDP_LOAD_H */
