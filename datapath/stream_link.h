/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream_link.h: a port over one QEMU-framed socket (stream or datagram) on a uloop. */
#ifndef QNET_DATAPATH_STREAM_LINK_H
#define QNET_DATAPATH_STREAM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/port.h"
#include "datapath/stream_addr.h"
#include "datapath/uring/uloop.h"

/**
 * DOC: stream link
 *
 * A stream link is the machinery shared by qnet's VMM-facing transport
 * (devices/vmm_stream.c) and its stream, dgram and socket netdevs
 * (backends/): one port whose frames travel over a socket in QEMU's
 * framing (stream: 4-byte big-endian length + frame; dgram: one frame per
 * datagram). Everything runs on one uloop thread; the port and the link
 * must be used from that thread only.
 *
 * Modes: LISTEN (accept one connection at a time; a second one is refused
 * and counted, or left in the backlog until the first ends, as QEMU's
 * server does), CONNECT (connect, and again every @reconnect_ms after a
 * failure or a disconnect if set), and DGRAM (bind a local address, send
 * to a remote one). While no connection is up the port's link is down, so
 * its peer drops what it sends as link_down; `info network` text and
 * connect/disconnect events come from stream_link_info() and the notify
 * callback.
 *
 * Receive: one read into a ring of @bufsize bytes (mirror-mapped, so a
 * frame that wraps stays contiguous); every frame that arrived is decoded
 * in place and sent to the peer in batches of up to 64 (no copy, no
 * allocation). A peer that takes fewer holds the link: no new read is
 * issued until it resumes, so the backpressure reaches the sender's
 * socket. A bogus length prefix resets the connection without allocating
 * (counted as bad_length, and as one `malformed` drop on the port).
 *
 * Send: receive() copies the frames it takes into an output ring, with
 * their prefixes, and one write goes out per batch. When the ring is full
 * it takes fewer, holding its sender, and wakes it when a write completes.
 * Checksums left to the device are completed in the copy; GSO frames
 * cannot be carried and are dropped as bad_vnet_hdr.
 *
 * Datagrams: receive with a multishot recv into a provided-buffer ring,
 * one frame per buffer, flushed to the peer in batches once per loop
 * iteration; runts (below 14 bytes) and datagrams longer than @max_len
 * are dropped and counted. Send: one sendmsg per frame, all of a batch
 * submitted together.
 *
 * Closing is asynchronous: stream_link_close() disconnects the port,
 * removes the unix socket files the link created (only those), and frees
 * the link once the kernel and every peer have let go of its buffers;
 * STREAM_LINK_EV_CLOSED is the last event. Keep the loop running until
 * then.
 */

/** STREAM_LINK_BUF_DEFAULT - default bytes of each ring of a stream link */
#define STREAM_LINK_BUF_DEFAULT (256u * 1024)

/** STREAM_LINK_BUF_MAX - largest ring */
#define STREAM_LINK_BUF_MAX (64u * 1024 * 1024)

/** STREAM_LINK_DGRAM_BUFS - default datagram receive buffers */
#define STREAM_LINK_DGRAM_BUFS 32

/** STREAM_LINK_DGRAM_SLOTS - datagram sends in flight at most */
#define STREAM_LINK_DGRAM_SLOTS 64

/**
 * enum stream_link_mode - how the socket comes about
 * @STREAM_LINK_LISTEN:		listen on @addr, accept connections
 * @STREAM_LINK_CONNECT:	connect to @addr (type fd: a connected socket)
 * @STREAM_LINK_DGRAM:		bind @addr (may be NULL-type for multicast),
 *				send to @remote
 */
enum stream_link_mode {
	STREAM_LINK_LISTEN,
	STREAM_LINK_CONNECT,
	STREAM_LINK_DGRAM,
	STREAM_LINK_MODE_COUNT
};

/**
 * enum stream_link_extra - what a listener does with a second connection
 * @STREAM_LINK_EXTRA_REFUSE:	accept and close it at once, counted
 * @STREAM_LINK_EXTRA_QUEUE:	leave it in the backlog until the current
 *				connection ends (QEMU's stream server)
 */
enum stream_link_extra {
	STREAM_LINK_EXTRA_REFUSE,
	STREAM_LINK_EXTRA_QUEUE,
	STREAM_LINK_EXTRA_COUNT
};

/**
 * struct stream_link_config - what to open
 * @mode:		listen, connect or datagram
 * @addr:		listen/connect address; DGRAM: local address
 * @has_local:		DGRAM: @addr is set (false: multicast without an
 *			interface address)
 * @remote:		DGRAM: where frames go
 * @has_remote:		DGRAM: @remote is set (false: an fd @addr that is
 *			already connected)
 * @kind:		port kind (PORT_NIC for a VMM's NIC, PORT_NETDEV)
 * @extra:		LISTEN: second connections
 * @max_len:		longest frame either way (0: FRAME_MAX_LEN)
 * @bufsize:		bytes of each ring (0: STREAM_LINK_BUF_DEFAULT; at
 *			least twice the longest frame, rounded up to a power
 *			of two)
 * @dgram_bufs:		DGRAM: receive buffers (0: STREAM_LINK_DGRAM_BUFS;
 *			a power of two)
 * @reconnect_ms:	CONNECT: retry delay after a failure or a
 *			disconnect; 0: never (QEMU 7.2)
 */
struct stream_link_config {
	enum stream_link_mode mode;
	struct stream_addr addr;
	bool has_local;
	struct stream_addr remote;
	bool has_remote;
	enum port_kind kind;
	enum stream_link_extra extra;
	uint32_t max_len;
	uint32_t bufsize;
	unsigned int dgram_bufs;
	uint32_t reconnect_ms;
};

/**
 * enum stream_link_event - what the notify callback reports
 * @STREAM_LINK_EV_CONNECTED:	a connection is up (QMP
 *				NETDEV_STREAM_CONNECTED; stream_link_peer())
 * @STREAM_LINK_EV_DISCONNECTED: it ended (NETDEV_STREAM_DISCONNECTED)
 * @STREAM_LINK_EV_REFUSED:	a second connection was refused
 * @STREAM_LINK_EV_BAD_LENGTH:	a bogus length prefix reset the connection
 *				(DISCONNECTED follows)
 * @STREAM_LINK_EV_CONNECT_FAILED: CONNECT: the connection attempt failed
 * @STREAM_LINK_EV_CLOSED:	the link is freed; nothing follows
 */
enum stream_link_event {
	STREAM_LINK_EV_CONNECTED,
	STREAM_LINK_EV_DISCONNECTED,
	STREAM_LINK_EV_REFUSED,
	STREAM_LINK_EV_BAD_LENGTH,
	STREAM_LINK_EV_CONNECT_FAILED,
	STREAM_LINK_EV_CLOSED,
	STREAM_LINK_EV_COUNT
};

struct stream_link;

/**
 * struct stream_link_notify - who hears about connection events
 * @event:	called in the loop thread; may call stream_link_close()
 *		except for STREAM_LINK_EV_CLOSED
 * @arg:	its argument
 */
struct stream_link_notify {
	void (*event)(struct stream_link *l, enum stream_link_event ev,
		      void *arg);
	void *arg;
};

/**
 * struct stream_link_stats - link counters (the port has the frame counts)
 * @connects:		connections that came up
 * @disconnects:	connections that ended
 * @refused:		second connections refused
 * @connect_failed:	CONNECT: attempts that failed
 * @bad_length:		bogus length prefixes (each reset a connection)
 * @runts:		DGRAM: datagrams shorter than FRAME_MIN_LEN dropped
 * @giants:		frames longer than @max_len dropped (either way)
 * @offload_drops:	frames to send with GSO or bad checksum offsets
 * @rx_frames:		frames decoded from the socket
 * @rx_bytes:		their bytes
 * @rx_batches:		port_send() calls for them
 * @tx_frames:		frames fully written to the socket
 * @tx_bytes:		their bytes
 * @tx_lost:		frames taken but not written (connection ended,
 *			write error): charged as io_error
 * @reads:		reads (or receive completions) with data
 * @writes:		writes (or sends) submitted
 * @holds:		times the peer held the link (backpressure)
 * @tx_full:		times receive() took fewer for lack of room
 * @tx_waits:		DGRAM: times the socket refused a send (a unix peer's
 *			queue was full) and the rest waited for room
 */
struct stream_link_stats {
	uint64_t connects;
	uint64_t disconnects;
	uint64_t refused;
	uint64_t connect_failed;
	uint64_t bad_length;
	uint64_t runts;
	uint64_t giants;
	uint64_t offload_drops;
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t rx_batches;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_lost;
	uint64_t reads;
	uint64_t writes;
	uint64_t holds;
	uint64_t tx_full;
	uint64_t tx_waits;
};

int stream_link_open(struct stream_link **out,
		     const struct stream_link_config *cfg, struct uloop *loop,
		     const char *name, const struct stream_link_notify *notify);
void stream_link_close(struct stream_link *l);
struct port *stream_link_port(struct stream_link *l);
bool stream_link_connected(const struct stream_link *l);
const struct stream_link_stats *stream_link_stats(const struct stream_link *l);
int stream_link_info(const struct stream_link *l, char *buf, size_t size);
int stream_link_peer(const struct stream_link *l, struct stream_addr *peer);
int stream_link_local(const struct stream_link *l, struct stream_addr *local);
void stream_link_set_link(struct stream_link *l, bool up);
const char *stream_link_event_name(enum stream_link_event ev);

#endif /* QNET_DATAPATH_STREAM_LINK_H */
