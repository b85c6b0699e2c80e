/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net_int.h: virtio-net device internals shared by its .c files. */
#ifndef QNET_DEVICES_VIRTIO_NET_INT_H
#define QNET_DEVICES_VIRTIO_NET_INT_H

#include <semaphore.h>
#include <stdatomic.h>

#include "datapath/pool.h"
#include "datapath/uring/uloop.h"
#include "datapath/uring/uworker.h"
#include "devices/offload.h"
#include "devices/virtio_net.h"

/* TX frame pools per queue pair: small frames and 64 KiB (GSO) frames. */
#define VN_HEADROOM	64u
#define VN_SMALL_BUF	(2048u + VN_HEADROOM)
#define VN_SMALL_N	256u
#define VN_BIG_BUF	(65600u + VN_HEADROOM)
#define VN_BIG_N	8u
#define VN_SCRATCH	65600u

static_assert(VN_BIG_BUF - VN_HEADROOM >= FRAME_MAX_LEN, "a GSO frame fits");

/* Period of the kick watchdog (virtio_net_mq.c). */
#define VN_WATCH_NS	100000000ull

/* Borrowed (zero-copy) TX frames per queue pair. */
#define VN_ZC_N		256u

/* Direct RX (virtio_net_rxd.c): reads in flight per pair, guest buffers
 * one read may span. */
#define VN_RXD_SLOTS	4u
/* VN_RX_AUTO: average frame sizes that stop and start direct RX, and the
 * frames a watchdog period needs to judge (virtio_net_rxd.c) */
#define VN_RXD_SMALL	6144u
#define VN_RXD_LARGE	12288u
#define VN_RXD_JUDGE_MIN	64u
#define VN_RXD_BUFS	64u

struct vn_queue;

/**
 * struct vn_rxd_buf - one guest RX buffer taken for direct reads
 * @head:	its head (what the used ring gets)
 * @ndesc:	ring slots it used
 * @niov:	host pieces (1 or 2)
 * @room:	writable bytes
 * @iov:	the pieces
 */
struct vn_rxd_buf {
	uint16_t head;
	uint16_t ndesc;
	uint8_t niov;
	uint32_t room;
	struct iovec iov[2];
};

struct vn_rxd_table;

/**
 * struct vn_rxd_slot - one direct read (first member: its op)
 * @op:		the READV's completion
 * @t:		the table it belongs to
 * @busy:	the read is in flight
 * @gen:	generation it was posted in (vn_rxd.gen)
 * @peer:	the port it reads
 * @nbuf:	guest buffers it spans
 * @niov:	pieces in @iov
 * @room:	their bytes
 * @buf:	the buffers
 * @used:	bytes of each the frame filled
 * @iov:	what the kernel writes into
 */
struct vn_rxd_slot {
	struct uloop_op op;
	struct vn_rxd_table *t;
	bool busy;
	uint32_t gen;
	struct port *peer;
	unsigned int nbuf;
	unsigned int niov;
	uint32_t room;
	struct vn_rxd_buf buf[VN_RXD_BUFS];
	uint32_t used[VN_RXD_BUFS];
	struct iovec iov[2 * VN_RXD_BUFS];
};

/**
 * struct vn_rxd_table - a pair's direct reads; its own allocation, so
 * completions due after the device closed find it
 * @q:		the pair; NULL once the device let go (vn_rxd_detach())
 * @inflight:	reads whose completion is due
 * @slots:	the reads
 */
struct vn_rxd_table {
	struct vn_queue *q;
	unsigned int inflight;
	struct vn_rxd_slot slots[VN_RXD_SLOTS];
};

/**
 * struct vn_rxd - a pair's direct RX state (virtio_net_rxd.c)
 * @t:		its reads (NULL until first used)
 * @peer:	the port that granted (or was asked for) its reading
 * @counted:	the port late completions are counted against (the last
 *		that granted, until it is disconnected)
 * @rd:		what it lent
 * @gen:	generation: reads of older ones had their buffers given back
 * @spare:	guest buffers taken and not in a read (oldest first), a
 *		ring of @spare_cap
 * @spare_cap:	the RX ring's size when they were allocated
 * @spare_head:	first spare
 * @nspare:	spares
 * @recent:	heads of the ring's latest pops, all by direct RX: a ring
 *		of @spare_cap from @recent_start, oldest first, @nrecent long
 * @recent_pos:	the avail index each was popped at
 * @recent_start: the oldest entry
 * @nrecent:	entries in @recent
 * @recent_next: the avail index after the newest: the ring moved by
 *		anyone else when it differs (the list is then dropped)
 * @mark:	bitmap of VIRTQ_MAX_SIZE heads (rxd_return())
 * @on:		the peer granted its reading
 * @asked:	the peer was asked (it stopped its own reading)
 * @err:	a read failed: not again until the watchdog's next period
 * @unfit:	the guest's buffers do not suit: not again until a quiesce
 * @push_due:	used entries not yet published
 * @small:	VN_RX_AUTO: the last period's frames were small, copy them
 * @posted:	a read was posted since the last watchdog period
 * @stuck:	watchdog periods with spares held and no read posted
 * @seen_frames: the port's rx_packets on this queue at the last period
 * @seen_bytes:	and its rx_bytes
 */
struct vn_rxd {
	struct vn_rxd_table *t;
	struct port *peer;
	struct port *counted;
	struct port_rd rd;
	uint32_t gen;
	struct vn_rxd_buf *spare;
	unsigned int spare_cap;
	unsigned int spare_head;
	unsigned int nspare;
	uint16_t *recent;
	uint16_t *recent_pos;
	unsigned int recent_start;
	unsigned int nrecent;
	uint16_t recent_next;
	uint8_t *mark;
	bool on;
	bool asked;
	bool err;
	bool unfit;
	bool push_due;
	bool small;
	bool posted;
	uint8_t stuck;
	uint64_t seen_frames;
	uint64_t seen_bytes;
};

/**
 * struct vn_zc_table - a pair's borrowed TX frames (virtio_net_zc.c); its
 * own allocation, so frames still lent when the device closes find it
 * @owner:	release hook of every frame in @frames (first member)
 * @q:		the pair; NULL once the device let go (vn_zc_detach())
 * @refs:	frames lent and not yet released, plus one for the device
 * @gen:	generation: chains of older ones were completed by
 *		vn_zc_settle()
 * @nfree:	frames on @free
 * @free:	stack of free frames (VN_ZC_N entries)
 * @frames:	VN_ZC_N frames; one with refs > 0 is lent to the peer
 * @iov:	the pieces of frame i when it is scattered (frame.iov)
 */
struct vn_zc_table {
	struct frame_owner owner;
	struct vn_queue *q;
	unsigned int refs;
	uint32_t gen;
	unsigned int nfree;
	struct frame *free[VN_ZC_N];
	struct frame frames[VN_ZC_N];
	struct iovec iov[VN_ZC_N][FRAME_IOV_MAX];
};

/**
 * struct vn_zc - a pair's zero-copy TX state
 * @t:		its table (NULL: none)
 * @on:		this TX pass may lend (vn_zc_allowed())
 * @scatter:	and may lend frames in several pieces (no filter on
 *		either port reads them)
 * @push_due:	releases completed chains not yet published
 */
struct vn_zc {
	struct vn_zc_table *t;
	bool on;
	bool scatter;
	bool push_due;
};

/**
 * struct vn_pool - a frame pool whose releases the device hears about
 * @owner:	put in every frame handed out (wraps the pool's own)
 * @pool:	the pool
 * @q:		the queue pair it serves
 */
struct vn_pool {
	struct frame_owner owner;
	struct pool pool;
	struct vn_queue *q;
};

/**
 * struct vn_used - one RX chain filled for the frame being delivered
 * @head:	its head (packed: buffer id)
 * @ndesc:	ring slots it used
 * @len:	bytes written
 * @spare:	it came from direct RX's spares (vn_rxd_spare_chain())
 */
struct vn_used {
	uint16_t head;
	uint16_t ndesc;
	uint32_t len;
	bool spare;
};

/**
 * struct vn_queue - one queue pair: RX vq 2i, TX vq 2i+1, port queue i
 * @vn:		the device
 * @idx:	pair index
 * @chain:	the chain being handled (RX or TX, never both at once)
 * @held:	TX frames (already completed in the ring) the peer has not
 *		taken yet; offered again first on resume
 * @gso_frame:	TX GSO frame being segmented in software, or NULL
 * @gso:	its segmentation state
 * @tx_pending:	another TX pass is due (budget used up, pool refilled,
 *		resumed)
 * @tx_starved:	TX stopped because the pool was empty
 * @in_tx:	a TX pass is running (re-entry guard)
 * @rx_waiting:	RX held the sender for want of guest buffers
 * @small:	small frame pool
 * @big:	large frame pool
 * @scratch:	RX buffer for software checksum and segmentation
 * @used:	RX chains of the frame being delivered (MRG_RXBUF)
 * @zc:		borrowed TX frames
 * @rxd:	direct RX
 * @w:		the worker this pair runs on, or NULL (the device's loop)
 * @loop:	the loop this pair runs on
 * @hook:	per-iteration work on @loop (pending TX, posted kicks)
 * @park:	run when a worker's @loop parks (direct reads cancelled)
 * @watch:	kick watchdog on @loop (VN_WATCH_NS): runs TX when the
 *		guest's avail index has stood still ahead of what was
 *		consumed for a whole period with no kick
 * @watch_avail: avail index the watchdog saw last
 * @kick_tx:	a TX kick arrived on the control thread (worker mode)
 * @kick_rx:	an RX kick or a link change (worker mode)
 * @stats:	this pair's counters (written by its thread only)
 */
struct vn_queue {
	struct virtio_net *vn;
	unsigned int idx;
	struct uworker *w;
	struct uloop *loop;
	struct uloop_hook hook;
	struct uloop_hook park;
	struct uloop_timer watch;
	uint16_t watch_avail;
	atomic_bool kick_tx;
	atomic_bool kick_rx;
	struct virtio_net_stats stats;
	struct virtq_chain chain;
	struct frame_batch held;
	struct frame *gso_frame;
	struct offload_gso gso;
	bool tx_pending;
	bool tx_starved;
	bool in_tx;
	bool rx_waiting;
	struct vn_pool small;
	struct vn_pool big;
	uint8_t *scratch;
	struct vn_used *used;
	struct vn_zc zc;
	struct vn_rxd rxd;
};

/**
 * struct vn_gate - pauses one worker while the control thread changes
 * rings, memory or link (vn_quiesce())
 * @w:		the worker
 * @entered:	posted by the worker once it is paused
 * @release:	posted by the control thread to let it go on
 */
struct vn_gate {
	struct uworker *w;
	sem_t entered;
	sem_t release;
};

/**
 * struct virtio_net - the device
 * @port:	its port (kind NIC)
 * @p:		configuration
 * @vu:		vhost-user transport
 * @loop:	the loop it runs on
 * @offered:	feature bits offered
 * @features:	feature bits acked
 * @hdr_len:	virtio-net header length (10 or 12)
 * @host_caps:	VNET_CAP_* the guest may request on TX
 * @guest_caps:	VNET_CAP_* the guest accepts on RX
 * @mtu:	MTU in force
 * @carrier:	connected and started (the transport's view)
 * @admin_up:	set_link state
 * @cstats:	counters of the control thread (RARP, control queue)
 * @ctrl_chain:	the control-queue chain being handled
 * @features_cb: told the guest's RX offloads (VNET_CAP_*) when a
 *		front-end sets features (virtio_net_on_features()), or NULL
 * @features_arg: its argument
 * @gates:	one per distinct worker, @ngates of them
 * @ngates:	workers the pairs run on
 * @quiesced:	vn_quiesce() nesting depth
 * @kick_said:	the kick watchdog's notice was printed
 * @q:		queue pairs, @p.queues of them
 */
struct virtio_net {
	struct port port;
	struct virtio_net_params p;
	struct vhost_user vu;
	struct uloop *loop;
	uint64_t offered;
	uint64_t features;
	uint32_t hdr_len;
	unsigned int host_caps;
	unsigned int guest_caps;
	uint32_t mtu;
	bool carrier;
	bool admin_up;
	struct virtio_net_stats cstats;
	struct virtq_chain ctrl_chain;
	void (*features_cb)(void *arg, unsigned int guest_caps);
	void *features_arg;
	struct vn_gate gates[VU_MAX_QUEUE_PAIRS];
	unsigned int ngates;
	unsigned int quiesced;
	atomic_bool kick_said;
	struct vn_queue q[VU_MAX_QUEUE_PAIRS];
};

void vn_tx_run(struct vn_queue *q);
void vn_ctrl_run(struct virtio_net *vn);
void vn_rx_wake(struct vn_queue *q);
void vn_quiesce(void *dev, bool stop);
void vn_threads_init(struct virtio_net *vn, struct uworker *const *workers);
void vn_threads_fini(struct virtio_net *vn);
void vn_tx_resume(struct port *p, unsigned int queue);
unsigned int vn_rx_receive(struct port *p, unsigned int queue,
			   struct frame **f, unsigned int n);
struct frame *vn_frame_alloc(struct vn_queue *q, uint32_t len);
size_t vn_iov_to(const struct iovec *iov, unsigned int n, size_t off,
		 const void *src, size_t len);
int vn_zc_init(struct vn_queue *q);
void vn_zc_detach(struct vn_queue *q);
bool vn_zc_allowed(struct vn_queue *q);
struct frame *vn_zc_take(struct vn_queue *q, const struct virtq_chain *c);
bool vn_zc_unshare(struct vn_queue *q, struct frame **fp);
void vn_zc_flush(struct vn_queue *q);
void vn_zc_settle(struct vn_queue *q);
size_t vn_iov_from(void *dst, const struct iovec *iov, unsigned int n,
		   size_t off, size_t len);
void vn_rxd_run(struct vn_queue *q);
void vn_rxd_cancel(struct vn_queue *q);
void vn_rxd_settle(struct vn_queue *q);
void vn_rxd_off(struct vn_queue *q);
void vn_rxd_drop(struct vn_queue *q);
void vn_rxd_peer_gone(struct vn_queue *q);
void vn_rxd_detach(struct vn_queue *q);
void vn_rxd_watch(struct vn_queue *q);
bool vn_rxd_spare_chain(struct vn_queue *q, struct virtq_chain *c);
void vn_rxd_spare_restore(struct vn_queue *q, unsigned int k);

#endif /* QNET_DEVICES_VIRTIO_NET_INT_H */
