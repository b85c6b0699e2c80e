/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_int.h: tap internals shared by backends/tap*.c (not for other files). */
#ifndef QNET_BACKENDS_TAP_INT_H
#define QNET_BACKENDS_TAP_INT_H

#include <stdatomic.h>
#include <stddef.h>

#include "backends/tap.h"
#include "datapath/frame.h"
#include "datapath/uring/ubufring.h"

#define TAP_CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define TAP_RX_BUFS_DEF		256u
#define TAP_TX_SLOTS_DEF	256u
#define TAP_TX_SLOTS_MAX	4096u
/* Frames up to this many bytes are copied into the slot's write buffer. */
#define TAP_TX_COPY_MAX		512u
#define TAP_TX_COPY_BUF		(TAP_VNET_HDR_LEN + TAP_TX_COPY_MAX)
/* Carrier probe periods (TUNGETIFF + SIOCGIFFLAGS, never per frame). */
#define TAP_PROBE_UP_NS		1000000000ull
#define TAP_PROBE_DOWN_NS	100000000ull
/* First buffer group id tried per loop. */
#define TAP_BGID_BASE		0x7100u

struct tap;
struct tap_queue;

/**
 * struct tap_slot - one write in flight
 * @op:		its completion
 * @q:		queue it belongs to
 * @f:		the frame kept for a zero-copy write (NULL when copied)
 * @len:	bytes handed to the kernel
 * @iov:	header + frame (or its pieces), for the zero-copy write
 * @hdr:	the header of a zero-copy write
 * @buf:	TAP_TX_COPY_BUF bytes of the copy area (header + small frame)
 */
struct tap_slot {
	struct uloop_op op;
	struct tap_queue *q;
	struct frame *f;
	uint32_t len;
	struct iovec iov[1 + FRAME_IOV_MAX];
	struct virtio_net_hdr_v1 hdr;
	uint8_t *buf;
};

/**
 * struct tap_queue - one queue pair: one fd, one loop
 * @t:		the tap
 * @idx:	queue index
 * @fd:		the tap fd of this queue
 * @loop:	the loop it runs on (NULL until started)
 * @slot:	registered file slot, or -1 (plain fd)
 * @running:	started and not stopped
 * @rx_on:	the multishot read should be running
 * @direct:	the peer reads this queue itself (port_ops.read_direct):
 *		the multishot read stays off
 * @direct_restart: the peer that read it went away: the hook restarts
 *		the multishot read
 * @br:		provided-buffer ring (@br_ok once built)
 * @rx:		the multishot read
 * @rx_mem:	buffer memory of @br
 * @rx_mem_size: its size
 * @rx_buf_size: bytes per buffer (header + largest frame)
 * @rx_owner:	release hook of the receive frames
 * @rx_frames:	frame i describes buffer i
 * @rx_pend:	frames read, not yet taken by the peer (FIFO of @nbufs)
 * @rx_head:	first pending
 * @rx_count:	pending frames
 * @rx_out:	receive frames not yet released (with the peer or pending)
 * @rx_held:	the peer holds us
 * @nbufs:	buffers in @br
 * @slots:	write slots
 * @free:	stack of free slot indices
 * @nfree:	free slots
 * @nslots:	slots
 * @copy_area:	@nslots * TAP_TX_COPY_BUF bytes, registered when possible
 * @copy_size:	its mapping size
 * @copy_fixed:	@copy_area is registered buffer 0 of @loop
 * @wake_due:	the sender is held and slots are free: wake it in the hook
 * @hook:	per-iteration flush of receive frames and wake-ups
 * @probe:	carrier probe timer (queue 0 only)
 * @stats:	counters of this queue
 */
struct tap_queue {
	struct tap *t;
	unsigned int idx;
	int fd;
	struct uloop *loop;
	int slot;
	bool running;
	bool rx_on;
	bool direct;
	bool direct_restart;
	bool br_ok;
	struct ubufring br;
	struct ubufring_rx rx;
	uint8_t *rx_mem;
	size_t rx_mem_size;
	uint32_t rx_buf_size;
	struct frame_owner rx_owner;
	struct frame *rx_frames;
	struct frame **rx_pend;
	unsigned int rx_head;
	unsigned int rx_count;
	unsigned int rx_out;
	bool rx_held;
	unsigned int nbufs;
	struct tap_slot *slots;
	unsigned int *free;
	unsigned int nfree;
	unsigned int nslots;
	uint8_t *copy_area;
	size_t copy_size;
	bool copy_fixed;
	bool wake_due;
	struct uloop_hook hook;
	struct uloop_timer probe;
	struct tap_stats stats;
};

/**
 * struct tap - one tap netdev
 * @port:	the netdev's port (nqueues = @nqueues)
 * @ifname:	the interface's name
 * @nqueues:	queue pairs
 * @vnet:	IFF_VNET_HDR is on: every read and write has the header
 * @hdr_len:	TAP_VNET_HDR_LEN with @vnet, else 0
 * @created:	qnet opened the tap itself (not fd=)
 * @vhost:	vhost was asked for (and ignored)
 * @offload:	TUN_F_* in force
 * @sndbuf:	sndbuf= (0: unlimited), reapplied by tap_reattach()
 * @downscript:	ifdown script to run at destroy, or ""
 * @link:	what the carrier probe last saw (written by queue 0's loop)
 * @forced_down: the tap set its port's link down for a lost carrier
 * @hint:	a queue saw a write fail: probe now
 * @sock:	AF_INET datagram socket for SIOCGIFFLAGS
 * @rx_bufs:	receive buffers per queue
 * @tx_slots:	write slots per queue
 * @q:		the queues
 */
struct tap {
	struct port port;
	char ifname[IFNAMSIZ];
	unsigned int nqueues;
	bool vnet;
	uint32_t hdr_len;
	bool created;
	bool vhost;
	unsigned int offload;
	int sndbuf;
	char downscript[256];
	_Atomic int link;
	bool forced_down;
	atomic_bool hint;
	int sock;
	unsigned int rx_bufs;
	unsigned int tx_slots;
	struct tap_queue q[TAP_MAX_QUEUES];
};

/* tap_dev.c */
int tap_dev_open(const char *ifname, bool mq, bool vnet, char *name_out,
		 int *fd_out);
int tap_dev_setup(int fd, bool vnet, int sndbuf);
int tap_dev_probe_vnet(int fd, bool *vnet, char *name_out);
int tap_dev_carrier(int fd, int sock, const char *ifname);

/* tap_script.c */
int tap_run_script(const char *script, const char *ifname, int *status);
int tap_run_helper(const char *helper, const char *br, int *fd_out,
		   int *status);

/* tap_rx.c */
int tap_rx_setup(struct tap_queue *q);
void tap_rx_teardown(struct tap_queue *q);
int tap_rx_start(struct tap_queue *q);
void tap_rx_stop(struct tap_queue *q);
void tap_rx_flush(struct tap_queue *q);
void tap_rx_resume(struct tap_queue *q);

/* tap_direct.c */
int tap_rx_direct(struct tap_queue *q, const void *loop, bool on,
		  struct port_rd *rd);
void tap_rx_direct_done(struct tap_queue *q, int res);
void tap_rx_direct_lost(struct tap_queue *q);
void tap_rx_direct_restart(struct tap_queue *q);

/* tap_tx.c */
int tap_tx_setup(struct tap_queue *q);
void tap_tx_teardown(struct tap_queue *q);
unsigned int tap_tx_receive(struct tap_queue *q, struct frame **f,
			    unsigned int n);
void tap_tx_wake(struct tap_queue *q);
bool tap_tx_busy(const struct tap_queue *q);
void tap_tx_cancel(struct tap_queue *q);

/* tap.c */
void tap_carrier_event(struct tap_queue *q, int err);
void tap_probe_now(struct tap_queue *q);
void tap_probe_cb(struct uloop *loop, struct uloop_timer *tm);
void tap_hook(struct uloop *loop, struct uloop_hook *h);
unsigned int tap_io_flags(const struct tap_queue *q);
int tap_io_fd(const struct tap_queue *q);

#endif /* QNET_BACKENDS_TAP_INT_H */
