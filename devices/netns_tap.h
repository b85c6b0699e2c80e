/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns_tap.h: a network namespace as a guest; its tap is the NIC. */
#ifndef QNET_DEVICES_NETNS_TAP_H
#define QNET_DEVICES_NETNS_TAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_link.h>

#include "datapath/port.h"
#include "datapath/uring/uloop.h"

/**
 * DOC: netns_tap
 *
 * The frontend qnet uses to serve a network namespace the way slirp4netns
 * and pasta do: qnet creates a tap inside the namespace (the namespace's
 * "NIC"), brings it up and optionally gives it an address and a default
 * route, and moves frames between the tap and its peer port (typically a
 * user-mode netdev) on an io_uring loop.  See docs/netns.md.
 *
 * Everything but netns_tap_link_stats() runs in the loop's thread.
 */

/** NETNS_TAP_IFNAME_DEFAULT - tap name inside the namespace (slirp4netns's) */
#define NETNS_TAP_IFNAME_DEFAULT "tap0"

/** NETNS_TAP_RX_BUFS_MAX_DEFAULT - most receive buffers by default */
#define NETNS_TAP_RX_BUFS_MAX_DEFAULT 256

/** NETNS_TAP_RX_BUFS_MIN_DEFAULT - fewest receive buffers by default */
#define NETNS_TAP_RX_BUFS_MIN_DEFAULT 16

/**
 * NETNS_TAP_RX_BYTES_DEFAULT - receive ring size the default rx_bufs aims
 * at: the power of two nearest to this over the buffer size, within
 * NETNS_TAP_RX_BUFS_MIN_DEFAULT..NETNS_TAP_RX_BUFS_MAX_DEFAULT (256 at MTU
 * 1500, 32 with @offload or at MTU 65520)
 */
#define NETNS_TAP_RX_BYTES_DEFAULT (2u << 20)

/** NETNS_TAP_TX_SLOTS_DEFAULT - tap writes in flight at most */
#define NETNS_TAP_TX_SLOTS_DEFAULT 256

/** NETNS_TAP_TX_SLOTS_MAX - largest @tx_slots accepted */
#define NETNS_TAP_TX_SLOTS_MAX 4096

/* MTUs a tap accepts: the kernel's tap maximum is 65535 - 14 */
#define NETNS_TAP_MTU_MIN 68
#define NETNS_TAP_MTU_MAX 65521

/**
 * NETNS_TAP_OFFLOAD_MTU_MAX - largest MTU @offload applies at: above it a
 * 64 KiB TSO frame cannot carry two segments, so TSO merges nothing, and
 * checksum offload alone would only move the checksum from the namespace's
 * kernel into the peer (the user backend completes it on a copy)
 */
#define NETNS_TAP_OFFLOAD_MTU_MAX 32000

/* Addresses of configure=on (slirp4netns --configure, QEMU's user net). */
#define NETNS_TAP_ADDR_DEFAULT	  "10.0.2.100"
#define NETNS_TAP_PREFIX_DEFAULT  24
#define NETNS_TAP_GATEWAY_DEFAULT "10.0.2.2"

/** NETNS_TAP_ERRMSG_MAX - longest message netns_tap_open() writes */
#define NETNS_TAP_ERRMSG_MAX 256

/**
 * struct netns_tap_config - what netns_tap_open() creates
 * @netns:	the namespace: a PID (its /proc/PID/ns/net), a path
 *		(/run/netns/NAME, /proc/PID/ns/net, a bind mount), or a bare
 *		name looked up in /run/netns
 * @ifname:	tap name inside the namespace; NULL or "": "tap0".  A
 *		pattern such as "tap%d" lets the kernel pick the number.
 * @mtu:	MTU to set on the tap, NETNS_TAP_MTU_MIN..MAX; 0: leave the
 *		kernel's (1500).  Receive buffers are sized from it.
 * @configure:	like slirp4netns --configure: bring lo up, add
 *		@addr/@prefixlen to the tap, a default route via @gateway
 * @has_mac:	set @mac on the tap (else the kernel's random one stays)
 * @mac:	the MAC address, unicast
 * @addr:	address with @configure; INADDR_ANY: 10.0.2.100
 * @prefixlen:	its prefix length, 1..32; 0: 24
 * @gateway:	default route's gateway with @configure; INADDR_ANY:
 *		10.0.2.2
 * @offload:	the peer takes frames with checksum and TCP segmentation
 *		offload headers (the user backend does; so does any port
 *		whose receive() completes or forwards them): the tap gets
 *		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, so the namespace hands
 *		over TCP in frames of up to 64 KiB at any MTU and leaves
 *		checksums to the peer; receive buffers are sized for 64 KiB
 *		frames.  Only at an MTU up to NETNS_TAP_OFFLOAD_MTU_MAX,
 *		where TSO can merge segments; above (and off), the
 *		namespace's kernel segments and checksums.
 * @rx_bufs:	receive buffers, a power of two, 2..32768; 0: sized by
 *		bytes (NETNS_TAP_RX_BYTES_DEFAULT).  Bounds the frames read
 *		from the tap and not yet taken by the peer.
 * @tx_slots:	writes in flight, 1..NETNS_TAP_TX_SLOTS_MAX; 0: 256
 * @bgid:	io_uring buffer group of the receive ring; unique per loop
 * @released:	optional; called (in the loop thread) once the object is
 *		freed after netns_tap_close()
 * @released_arg: its argument
 * @errmsg:	optional buffer: on failure netns_tap_open() writes which step
 *		failed and the kernel's extended-ack text, if any
 * @errmsg_size: its size (NETNS_TAP_ERRMSG_MAX is enough)
 */
struct netns_tap_config {
	const char *netns;
	const char *ifname;
	unsigned int mtu;
	bool configure;
	bool has_mac;
	uint8_t mac[6];
	struct in_addr addr;
	unsigned int prefixlen;
	struct in_addr gateway;
	bool offload;
	unsigned int rx_bufs;
	unsigned int tx_slots;
	uint16_t bgid;
	void (*released)(void *arg);
	void *released_arg;
	char *errmsg;
	size_t errmsg_size;
};

/**
 * struct netns_tap_stats - counters of one frontend (reads: tap to peer,
 * writes: peer to tap)
 * @rx_frames:	frames read from the tap and offered to the peer
 * @rx_bytes:	their bytes (without the vnet header)
 * @rx_gso:	of the frames, those with a GSO header (offload on)
 * @rx_csum:	of the frames, those with only a partial checksum header
 * @rx_batches:	port_send() calls that offered them
 * @rx_holds:	times the peer held the reader (took fewer than offered)
 * @rx_resumes:	times the peer resumed it
 * @rx_enobufs:	times every receive buffer was busy and reading paused
 * @rx_runts:	reads too short for an Ethernet header (dropped as runt)
 * @rx_giants:	reads longer than a receive buffer (dropped as giant)
 * @rx_ends:	times reading ended on an error (the tap went away)
 * @rx_last_error: that error (-errno), 0 if none
 * @rx_pending:	frames read and not yet taken by the peer, now
 * @rx_bufs:	receive buffers (the configured or default count)
 * @rx_buf_size: bytes per receive buffer, vnet header included
 * @tx_frames:	frames written to the tap
 * @tx_bytes:	their bytes (without the vnet header)
 * @tx_full:	receive() calls that took fewer than offered (slots busy)
 * @tx_bad_vnet: frames dropped for an offload header that failed checks
 * @tx_errors:	frames the kernel refused or cut short (io_error drops)
 * @tx_last_error: the last write error (-errno, or -EIO for a short write)
 * @tx_inflight: writes in flight, now
 */
struct netns_tap_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t rx_gso;
	uint64_t rx_csum;
	uint64_t rx_batches;
	uint64_t rx_holds;
	uint64_t rx_resumes;
	uint64_t rx_enobufs;
	uint64_t rx_runts;
	uint64_t rx_giants;
	uint64_t rx_ends;
	int32_t rx_last_error;
	uint32_t rx_pending;
	uint32_t rx_bufs;
	uint32_t rx_buf_size;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_full;
	uint64_t tx_bad_vnet;
	uint64_t tx_errors;
	int32_t tx_last_error;
	uint32_t tx_inflight;
};

struct netns_tap;

int netns_tap_open(struct netns_tap **out, const struct netns_tap_config *cfg,
		   struct uloop *loop, const char *name);
struct port *netns_tap_port(struct netns_tap *nt);
int netns_tap_close(struct netns_tap *nt);
const char *netns_tap_ifname(const struct netns_tap *nt);
int netns_tap_ifindex(const struct netns_tap *nt);
void netns_tap_stats(const struct netns_tap *nt, struct netns_tap_stats *st);
int netns_tap_link_stats(struct netns_tap *nt, struct rtnl_link_stats64 *st);

#endif /* QNET_DEVICES_NETNS_TAP_H */
