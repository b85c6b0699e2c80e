/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h: the tap netdev: open/attach a tap (QEMU's options) and its io_uring port. */
#ifndef QNET_BACKENDS_TAP_H
#define QNET_BACKENDS_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "datapath/port.h"
#include "datapath/uring/uloop.h"

/**
 * DOC: tap netdev
 *
 * A struct tap is one -netdev tap (or the tap under -netdev bridge): one
 * Linux tap interface with one fd per queue pair (IFF_MULTI_QUEUE when
 * queues > 1), and one struct port with that many queues.
 *
 * Life cycle, in two halves so that queues can live on different workers:
 *
 * - tap_create() (control thread) opens or adopts the fds, runs the
 *   helper or the ifup script, and sets the virtio-net header, offloads and
 *   send buffer. Nothing touches a loop yet.
 * - tap_queue_start(t, q, loop) (in @loop's thread) registers the fd,
 *   builds the provided-buffer ring and starts the multishot read of queue
 *   @q. tap_queue_stop() cancels it; the queue is finished when
 *   tap_queue_busy() is false (keep running the loop until then).
 * - tap_destroy() (control thread, every queue stopped and idle) closes the
 *   fds and runs the downscript. A tap qnet created disappears with its last
 *   fd (it is never made persistent), and with it its bridge port.
 *
 * tap_open()/tap_close() do all of it on one loop, from that loop's thread
 * (not from inside one of its callbacks).
 *
 * Functions return 0 or -errno and never print; on failure tap_create()
 * fills a struct tap_err saying which step failed, for ctl's message.
 */

/** TAP_MAX_QUEUES - most queue pairs of one tap (one per port queue) */
#define TAP_MAX_QUEUES PORT_MAX_QUEUES

/** TAP_DEFAULT_SCRIPT - QEMU's default ifup script */
#define TAP_DEFAULT_SCRIPT "/etc/qemu-ifup"
/** TAP_DEFAULT_DOWNSCRIPT - QEMU's default ifdown script */
#define TAP_DEFAULT_DOWNSCRIPT "/etc/qemu-ifdown"
/** TAP_DEFAULT_BRIDGE - QEMU's default bridge for helper= and -netdev bridge */
#define TAP_DEFAULT_BRIDGE "br0"

/** TAP_VNET_HDR_LEN - virtio-net header in front of every frame (v1, 12 bytes) */
#define TAP_VNET_HDR_LEN 12u

/**
 * enum tap_vnet - vnet_hdr= of -netdev tap
 * @TAP_VNET_AUTO:	use IFF_VNET_HDR when the kernel has it (QEMU's default)
 * @TAP_VNET_ON:	require it (error without)
 * @TAP_VNET_OFF:	never; frames carry no offload metadata
 */
enum tap_vnet {
	TAP_VNET_AUTO,
	TAP_VNET_ON,
	TAP_VNET_OFF,
	TAP_VNET_COUNT
};

/**
 * struct tap_config - what -netdev tap (or bridge) asked for, typed
 * @ifname:	interface name or pattern ("qtap%d"); NULL or "": the kernel
 *		picks "tap%d". With @fds, ignored.
 * @fds:	fd= / fds=: open tap fds to adopt, one per queue (@nfds of
 *		them; the tap takes them over and closes them)
 * @nfds:	0 when qnet opens the tap itself
 * @script:	ifup script; NULL: TAP_DEFAULT_SCRIPT; "" or "no": none
 * @downscript:	ifdown script; NULL: TAP_DEFAULT_DOWNSCRIPT; "" or "no": none
 * @helper:	bridge helper command (helper=): it creates the tap, enslaves
 *		it to @br and passes the fd back (QEMU's protocol)
 * @br:		bridge for @helper; NULL: TAP_DEFAULT_BRIDGE
 * @sndbuf:	TUNSETSNDBUF in bytes; 0: unlimited (INT_MAX, as QEMU)
 * @vnet_hdr:	vnet_hdr=
 * @queues:	queue pairs (0 means 1; with @nfds, must be 0 or @nfds)
 * @vhost:	vhost=on or vhostforce=on was given: qnet does not use
 *		vhost-net; recorded so ctl can warn (tap_vhost_ignored())
 * @offload:	TUN_F_* offloads to enable at once (normally set later with
 *		tap_set_offload() when the NIC negotiates them)
 * @rx_bufs:	receive buffers per queue, a power of two (0: 256)
 * @tx_slots:	writes in flight per queue (0: 256)
 */
struct tap_config {
	const char *ifname;
	const int *fds;
	unsigned int nfds;
	const char *script;
	const char *downscript;
	const char *helper;
	const char *br;
	int sndbuf;
	enum tap_vnet vnet_hdr;
	unsigned int queues;
	bool vhost;
	unsigned int offload;
	unsigned int rx_bufs;
	unsigned int tx_slots;
};

/**
 * enum tap_step - the setup step tap_create() failed in (for ctl's text)
 */
enum tap_step {
	TAP_STEP_CONFIG,	/* the options contradict each other */
	TAP_STEP_OPEN,		/* opening /dev/net/tun or TUNSETIFF */
	TAP_STEP_FD,		/* an fd= that is not a tap */
	TAP_STEP_VNET_HDR,	/* vnet_hdr=on without kernel support */
	TAP_STEP_SNDBUF,	/* TUNSETSNDBUF */
	TAP_STEP_SCRIPT,	/* the ifup script failed (status in @status) */
	TAP_STEP_HELPER,	/* the bridge helper failed (status in @status) */
	TAP_STEP_MEMORY,	/* allocation */
	TAP_STEP_COUNT
};

/**
 * struct tap_err - why tap_create() failed
 * @step:	the step
 * @status:	wait status of a failed script or helper (or 0)
 * @what:	the script/helper/ifname concerned
 */
struct tap_err {
	enum tap_step step;
	int status;
	char what[256];
};

/**
 * struct tap_stats - tap counters beyond the port's (sum of all queues)
 * @rx_frames:	frames read from the tap
 * @rx_bytes:	their bytes (frames only, no header)
 * @tx_frames:	frames the kernel took (writes completed)
 * @tx_bytes:	their bytes
 * @tx_copied:	frames copied into a (registered) write buffer
 * @tx_zerocopy: frames written from their own memory (header + frame iovec)
 * @write_fails: writes the kernel refused (tap down, deleted, ...)
 * @bad_vnet:	frames dropped because their virtio-net header failed checks
 * @held:	times the tap held its sender (all write slots busy)
 * @woken:	times it woke the sender again
 * @rx_held:	times the peer held the tap's receive side
 * @rx_enobufs:	times the receive buffer ring ran dry
 * @carrier_lost: times the tap went down or away
 * @reattached:	fresh fds taken with tap_reattach()
 * @rx_direct:	of @rx_frames, those the peer read itself into its own
 *		buffers (port_ops.read_direct: a virtio-net guest's RX buffers)
 * @direct_grants: times the tap handed its reading to the peer
 */
struct tap_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_copied;
	uint64_t tx_zerocopy;
	uint64_t write_fails;
	uint64_t bad_vnet;
	uint64_t held;
	uint64_t woken;
	uint64_t rx_held;
	uint64_t rx_enobufs;
	uint64_t carrier_lost;
	uint64_t reattached;
	uint64_t rx_direct;
	uint64_t direct_grants;
};

/**
 * enum tap_link - state of the tap interface as qnet sees it
 * @TAP_LINK_UP:	attached and IFF_UP
 * @TAP_LINK_DOWN:	attached, administratively down (writes fail -EIO)
 * @TAP_LINK_GONE:	the interface was deleted: a fresh fd is needed
 */
enum tap_link {
	TAP_LINK_UP,
	TAP_LINK_DOWN,
	TAP_LINK_GONE,
	TAP_LINK_COUNT
};

struct tap;

int tap_create(struct tap **out, const struct tap_config *cfg,
	       const char *name, struct tap_err *err);
int tap_queue_start(struct tap *t, unsigned int q, struct uloop *loop);
int tap_queue_stop(struct tap *t, unsigned int q);
bool tap_queue_busy(const struct tap *t, unsigned int q);
void tap_destroy(struct tap *t);

int tap_open(struct tap **out, const struct tap_config *cfg,
	     struct uloop *loop, const char *name, struct tap_err *err);
void tap_close(struct tap *t);

struct port *tap_port(struct tap *t);
const char *tap_ifname(const struct tap *t);
unsigned int tap_queues(const struct tap *t);
bool tap_has_vnet_hdr(const struct tap *t);
bool tap_vhost_ignored(const struct tap *t);
bool tap_created(const struct tap *t);
int tap_fd(const struct tap *t, unsigned int q);
enum tap_link tap_link_state(const struct tap *t);
const char *tap_link_name(enum tap_link l);
void tap_get_stats(const struct tap *t, struct tap_stats *s);
int tap_set_offload(struct tap *t, unsigned int tun_f);
int tap_reattach(struct tap *t, unsigned int q, int fd);
const char *tap_step_name(enum tap_step s);

#endif /* QNET_BACKENDS_TAP_H */
