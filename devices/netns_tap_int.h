/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns_tap_int.h: state and helpers shared by the netns_tap*.c files only. */
#ifndef QNET_DEVICES_NETNS_TAP_INT_H
#define QNET_DEVICES_NETNS_TAP_INT_H

#include <net/if.h>
#include <sys/uio.h>

#include "datapath/frame.h"
#include "datapath/uring/ubufring.h"
#include "devices/netns_tap.h"

/** NETNS_TAP_VNET_LEN - vnet header in front of every tap read and write */
#define NETNS_TAP_VNET_LEN ((unsigned int)sizeof(struct virtio_net_hdr_v1))

struct mnl_socket;

/**
 * struct netns_tap_nl - an rtnetlink socket, bound in the target namespace
 * @sock:	libmnl socket (extended acks on), or NULL
 * @seq:	next sequence number
 */
struct netns_tap_nl {
	struct mnl_socket *sock;
	unsigned int seq;
};

/**
 * struct netns_tap_ns - what the namespace helper hands back
 * @tapfd:	the tap's fd (O_NONBLOCK, vnet header of NETNS_TAP_VNET_LEN)
 * @nlfd:	an rtnetlink socket created inside the namespace
 * @ifindex:	the tap's index inside the namespace
 * @ifname:	its name
 */
struct netns_tap_ns {
	int tapfd;
	int nlfd;
	int ifindex;
	char ifname[IFNAMSIZ];
};

/**
 * struct netns_tap_slot - one tap write in flight
 * @op:		its completion
 * @nt:		the frontend
 * @f:		the frame written (a reference is held until completion)
 * @iov:	vnet header, then the frame
 * @hdr:	the vnet header written (validated copy, or zeros)
 */
struct netns_tap_slot {
	struct uloop_op op;
	struct netns_tap *nt;
	struct frame *f;
	struct iovec iov[2];
	struct virtio_net_hdr_v1 hdr;
};

/**
 * struct netns_tap - one namespace frontend
 * @port:	the frontend's port (PORT_NIC, one queue)
 * @owner:	release hook of every frame read from the tap
 * @loop:	the loop everything runs on
 * @hook:	per-iteration flush (reads to the peer, wake of a held peer)
 * @tapfd:	the tap
 * @ifindex:	its index inside the namespace
 * @ifname:	its name
 * @nl:		rtnetlink socket inside the namespace
 * @br:		receive buffer ring, @nbufs buffers of @buf_size
 * @rx:		multishot read on @tapfd
 * @nbufs:	receive buffers
 * @buf_size:	bytes per receive buffer (vnet header included)
 * @frames:	frame i describes receive buffer i
 * @pend:	FIFO of frames read and not yet taken (@nbufs entries)
 * @pend_head:	its oldest entry
 * @npend:	entries in it
 * @defer:	buffers freed while held, recycled on resume (@nbufs entries)
 * @ndefer:	entries in it
 * @rx_live:	frames read and not yet released (pending or with the peer)
 * @rx_held:	the peer holds the reader
 * @rx_flushing: nt_rx_flush() is running
 * @slots:	write slots, @nslots of them
 * @nslots:	write slots
 * @free_slots:	stack of free slot indices, @nfree of them
 * @nfree:	free slots
 * @tx_blocked:	receive() took fewer than offered: wake the peer later
 * @carrier:	carrier state last set on the tap
 * @closing:	netns_tap_close() ran: free once nothing is in flight
 * @in_close:	netns_tap_close() is running (defer the free to its end)
 * @released:	called after the free
 * @released_arg: its argument
 * @stats:	counters
 */
struct netns_tap {
	struct port port;
	struct frame_owner owner;
	struct uloop *loop;
	struct uloop_hook hook;
	int tapfd;
	int ifindex;
	char ifname[IFNAMSIZ];
	struct netns_tap_nl nl;

	struct ubufring br;
	struct ubufring_rx rx;
	unsigned int nbufs;
	unsigned int buf_size;
	struct frame *frames;
	struct frame **pend;
	unsigned int pend_head;
	unsigned int npend;
	unsigned int *defer;
	unsigned int ndefer;
	unsigned int rx_live;
	bool rx_held;
	bool rx_flushing;

	struct netns_tap_slot *slots;
	unsigned int nslots;
	unsigned int *free_slots;
	unsigned int nfree;
	bool tx_blocked;

	bool carrier;
	bool closing;
	bool in_close;
	void (*released)(void *arg);
	void *released_arg;
	struct netns_tap_stats stats;
};

/* netns_tap_ns.c: entering the namespace, creating and configuring the tap */
int netns_tap_ns_path(const char *spec, char *path, size_t size);
int netns_tap_ns_open(const struct netns_tap_config *cfg,
		      struct netns_tap_ns *res, char *err, size_t errlen);

/* netns_tap_nl.c: rtnetlink requests with extended acks */
int netns_tap_nl_open(struct netns_tap_nl *nl);
int netns_tap_nl_adopt(struct netns_tap_nl *nl, int fd);
void netns_tap_nl_close(struct netns_tap_nl *nl);
int netns_tap_nl_link_set(struct netns_tap_nl *nl, int ifindex,
			  unsigned int mtu, const uint8_t *mac, bool up,
			  char *err, size_t errlen);
int netns_tap_nl_addr_add(struct netns_tap_nl *nl, int ifindex,
			  struct in_addr addr, unsigned int prefixlen,
			  char *err, size_t errlen);
int netns_tap_nl_route_default(struct netns_tap_nl *nl, int ifindex,
			       struct in_addr gw, char *err, size_t errlen);
int netns_tap_nl_link_del(struct netns_tap_nl *nl, int ifindex);
int netns_tap_nl_link_stats(struct netns_tap_nl *nl, int ifindex,
			    struct rtnl_link_stats64 *st);

#endif /* QNET_DEVICES_NETNS_TAP_INT_H */
