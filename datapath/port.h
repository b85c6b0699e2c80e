/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port.h: one end of a link (a NIC or a netdev), peers, backpressure, counters. */
#ifndef QNET_DATAPATH_PORT_H
#define QNET_DATAPATH_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include "datapath/frame.h"

/** PORT_MAX_QUEUES - most queue pairs on one port */
#define PORT_MAX_QUEUES 16

/** PORT_NAME_MAX - longest port name, with its NUL */
#define PORT_NAME_MAX 64

/**
 * enum port_kind - what a port stands for
 * @PORT_NIC:		a guest-facing device (frontend)
 * @PORT_NETDEV:	a host-facing backend
 * @PORT_HUBPORT:	one port of a hub
 */
enum port_kind {
	PORT_NIC,
	PORT_NETDEV,
	PORT_HUBPORT,
	PORT_KIND_COUNT
};

/**
 * enum port_drop - why a frame was dropped; names in port_drop_name()
 */
enum port_drop {
	PORT_DROP_LINK_DOWN,	/* "link_down": either end's link is down */
	PORT_DROP_NO_PEER,	/* "no_peer": nothing connected */
	PORT_DROP_QUEUE_FULL,	/* "queue_full": peer full, sender not holdable */
	PORT_DROP_RUNT,		/* "runt": shorter than FRAME_MIN_LEN */
	PORT_DROP_GIANT,	/* "giant": longer than the port accepts */
	PORT_DROP_BAD_VNET,	/* "bad_vnet_hdr": offload header failed checks */
	PORT_DROP_MALFORMED,	/* "malformed": framing or descriptor error */
	PORT_DROP_NO_BUFFER,	/* "no_rx_buffer": no guest/pool buffer */
	PORT_DROP_IO_ERROR,	/* "io_error": the kernel refused the frame */
	PORT_DROP_FILTER,	/* "filtered": a filter dropped it */
	PORT_DROP_COUNT
};

/**
 * struct port_stats - counters of one queue of one port
 * @rx_packets:	frames this port took from its peer (receive() returned them)
 * @rx_bytes:	their bytes
 * @tx_packets:	frames this port sent that its peer took
 * @tx_bytes:	their bytes
 * @drops:	frames this port sent or received that were dropped, by reason
 *
 * Invariant per port and queue: frames offered by this side =
 * tx_packets + sum(drops charged on send); see docs/datapath.md.
 */
struct port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[PORT_DROP_COUNT];
};

struct port;
struct hub;

/** PORT_MAX_FILTERS - most filters on one port */
#define PORT_MAX_FILTERS 8

/**
 * enum port_dir - direction of a frame, seen from the port a filter sits on
 * @PORT_DIR_IN:	frames the port receives from its peer
 * @PORT_DIR_OUT:	frames the port sends to its peer
 */
enum port_dir {
	PORT_DIR_IN,
	PORT_DIR_OUT,
	PORT_DIR_COUNT
};

/**
 * struct port_filter - a filter on a port's frames (capture, drop, allow)
 * @run:	called in port_send() with up to FRAME_BATCH_MAX well-formed
 *		frames of one direction and queue, before the peer's
 *		receive(); must not keep or release them, nor call port_*()
 *		on the ports involved. Return: bit i set: drop frame i.
 * @arg:	passed to @run
 *
 * The caller owns the struct; it must stay valid while it is on a port.
 */
struct port_filter {
	uint64_t (*run)(void *arg, enum port_dir dir, unsigned int queue,
			struct frame *const *f, unsigned int n);
	void *arg;
};

/**
 * struct port_rd - what a port lends a peer that reads its frames itself
 * (port_ops.read_direct)
 * @fd:		the SQE's fd field: a registered file slot when @fixed
 * @fixed:	@fd is a registered file (ULOOP_IO_FIXED_FILE)
 * @hdr_len:	virtio-net header in front of each frame read
 * @offloads:	VNET_CHECK_ACCEPT_* the headers read may ask for
 */
struct port_rd {
	int fd;
	bool fixed;
	uint32_t hdr_len;
	unsigned int offloads;
};

/**
 * struct port_ops - what a kind of port does
 * @receive:	take up to @n frames from the peer on @queue. Return how many
 *		were taken (a prefix of @f). A taken frame is either finished
 *		with before returning or kept with frame_get() and released
 *		later with frame_put(). Taking fewer than @n holds the sender
 *		until this port calls port_wake().
 * @resume:	the peer that held this port can take more on @queue (may be
 *		NULL for a sender that is never held)
 * @link_changed: link state of this port or its peer changed (may be NULL)
 * @borrow_ok:	may receive() on @queue be given borrowed frames
 *		(frame.borrowed) by a sender running on @loop (a struct
 *		uloop)? Only if it then releases them on @loop's thread and
 *		reads their bytes only before returning or in requests queued
 *		on @loop that complete inside io_uring_submit(), so that
 *		uloop_flush() ends every read of the lent memory. Such a
 *		receiver also takes scattered frames (frame.niov) when
 *		neither port has a filter. NULL: no.
 * @read_direct: may the peer read this port's frames on @queue itself,
 *		with read requests on @loop (a struct uloop) into its own
 *		buffers? @on true asks: the port stops its own reading and
 *		returns 1 with @rd filled once nothing it read is left to
 *		hand over, 0 while something is (ask again later), -errno
 *		when it cannot. @on false: the peer's reads are over; the
 *		port reads again. NULL: no.
 * @read_done:	one of the peer's direct reads completed with @res (bytes
 *		with the header, or -errno) while the grant held: the port
 *		counts it and reacts to errors as to its own reads'
 * @peer_lost:	port_disconnect() unlinked this port from its peer (called
 *		on both, on the caller's thread, after the unlink; may be
 *		NULL)
 */
struct port_ops {
	unsigned int (*receive)(struct port *p, unsigned int queue,
				struct frame **f, unsigned int n);
	void (*resume)(struct port *p, unsigned int queue);
	void (*link_changed)(struct port *p);
	bool (*borrow_ok)(struct port *p, unsigned int queue,
			  const void *loop);
	int (*read_direct)(struct port *p, unsigned int queue,
			   const void *loop, bool on, struct port_rd *rd);
	void (*read_done)(struct port *p, unsigned int queue, int res);
	void (*peer_lost)(struct port *p);
};

/**
 * struct port - one end of a link
 * @ops:	what this kind of port does
 * @kind:	NIC, netdev or hub port
 * @name:	id shown to the user ("n0", "e1000.0", "hub0port1")
 * @peer:	the other end (1:1), or NULL
 * @hub:	the hub this port belongs to (PORT_HUBPORT only)
 * @nqueues:	queue pairs in use (1..PORT_MAX_QUEUES)
 * @link_up:	this end's link state (set_link)
 * @waiting:	per queue: a sender held by this port, to resume on port_wake
 * @stats:	per-queue counters
 * @priv:	owner's state
 * @nfilters:	filters on this port (0: port_send() takes no filter path)
 * @filters:	the filters, in order (port_filter_add())
 * @filt_ahead:	per queue, as a sender: frames at the front of the next
 *		offer that the filters have already seen (the peer held this
 *		port in the middle of a filtered batch)
 * @filt_drop:	per queue: the filters' verdicts for them (bit i: drop)
 */
struct port {
	const struct port_ops *ops;
	enum port_kind kind;
	char name[PORT_NAME_MAX];
	struct port *peer;
	struct hub *hub;
	unsigned int nqueues;
	bool link_up;
	struct port *waiting[PORT_MAX_QUEUES];
	struct port_stats stats[PORT_MAX_QUEUES];
	void *priv;
	unsigned int nfilters;
	struct port_filter *filters[PORT_MAX_FILTERS];
	uint8_t filt_ahead[PORT_MAX_QUEUES];
	uint64_t filt_drop[PORT_MAX_QUEUES];
};

int port_init(struct port *p, const struct port_ops *ops, enum port_kind kind,
	      const char *name, unsigned int nqueues, void *priv);
int port_connect(struct port *a, struct port *b);
void port_disconnect(struct port *p);
unsigned int port_send(struct port *src, unsigned int queue, struct frame **f,
		       unsigned int n, bool can_hold);
void port_wake(struct port *p, unsigned int queue);
void port_set_link(struct port *p, bool up);
bool port_link_ok(const struct port *p);
void port_count_drop(struct port *p, unsigned int queue, enum port_drop why,
		     unsigned int n);
const char *port_drop_name(enum port_drop why);
void port_stats_sum(const struct port *p, struct port_stats *sum);

/* Added by datapath (not in the first contract): */
uint64_t port_stats_drops(const struct port_stats *s);

void port_count_direct(struct port *src, struct port *dst, unsigned int queue,
		       unsigned int n, uint64_t bytes);

/* Filters on a port's frames (filter-dump, drop/allow filters): */
int port_filter_add(struct port *p, struct port_filter *pf);
void port_filter_del(struct port *p, struct port_filter *pf);

#endif /* QNET_DATAPATH_PORT_H */
