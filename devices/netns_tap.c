// SPDX-License-Identifier: GPL-2.0-or-later
/* netns_tap.c: namespace frontend: data path, setup and teardown. */

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "datapath/frame_hot.h"
#include "devices/netns_tap_int.h"
#include "devices/vnet_hdr.h"

/**
 * DOC: netns_tap data path
 *
 * Reads (namespace to peer): one multishot read (opcode 49) on the tap
 * takes buffers from a provided-buffer ring of @nbufs buffers; buffer i is
 * described by frame i, so a completion becomes a frame with no copy and
 * no allocation.  Completions queue in a FIFO, and once per loop iteration
 * (or every FRAME_BATCH_MAX frames) the FIFO goes to the peer with
 * port_send(..., can_hold = true).  When the peer takes fewer, the reader
 * is held: nothing more is sent and buffers freed meanwhile are not given
 * back to the kernel, so the multishot read ends with -ENOBUFS once the
 * ring is empty and is not re-armed.  Frames then wait in the tap's own
 * queue, whose overflow the kernel counts (tx_dropped of the tap, see
 * netns_tap_link_stats()).  The peer's port_wake() runs the resume hook:
 * the FIFO is offered again oldest first, the held buffers go back, and
 * the ring's publish re-arms the read.  With cfg->offload the tap has
 * checksum and TSO offloads: a read may be a GSO frame of up to 64 KiB or
 * carry a partial checksum, and its vnet header becomes the frame's
 * (has_vnet); buffers are then sized for 64 KiB frames at any MTU.
 *
 * Writes (peer to namespace): receive() turns each frame into one writev
 * (vnet header, frame) on a write slot, taking a reference until the
 * completion; all writes prepared in an iteration go to the kernel with
 * the loop's single io_uring_enter().  With every slot busy, receive()
 * takes fewer and so holds the peer; the per-iteration hook wakes it once
 * slots are free again.  A frame whose offload header fails
 * vnet_hdr_check() is dropped (bad_vnet_hdr) before it reaches the tap.
 *
 * Every frame ends counted: port_send() counts what the peer took or
 * dropped; runts, giants (reads longer than a buffer) and frames left at
 * close are charged to this port on the send side; bad headers and failed
 * writes on the receive side.
 */

#define NT_OF(ptr, type, member)                                               \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Offload headers a tap takes on write (it segments and checksums). */
#define NT_VNET_CAPS                                                           \
	(VNET_CAP_CSUM | VNET_CAP_TSO4 | VNET_CAP_TSO6 | VNET_CAP_ECN)

static const struct virtio_net_hdr_v1 nt_zero_hdr;

static bool nt_maybe_free(struct netns_tap *nt);

/* --- reads: tap to peer --------------------------------------------------- */

/**
 * nt_buf_put() - a receive buffer is free: give it back, or keep it while
 * the peer holds the reader
 * @nt:		the frontend
 * @bid:	the buffer
 */
static void nt_buf_put(struct netns_tap *nt, unsigned int bid)
{
	if (nt->closing)
		return;
	if (nt->rx_held)
		nt->defer[nt->ndefer++] = bid;
	else
		ubufring_recycle(&nt->br, bid);
}

/**
 * nt_frame_release() - the last reference to a read frame dropped
 * @f:	the frame (its cookie is the buffer id)
 */
static void nt_frame_release(struct frame *f)
{
	struct netns_tap *nt = NT_OF(f->owner, struct netns_tap, owner);

	assert(nt->rx_live > 0);
	nt->rx_live--;
	nt_buf_put(nt, (unsigned int)f->cookie);
	if (nt->closing)
		nt_maybe_free(nt);
}

/**
 * nt_rx_flush() - offer the FIFO to the peer, oldest first, in batches
 * @nt:	the frontend
 *
 * Stops when the peer holds the reader; the frames not taken stay queued.
 * Not re-entered: a flush started from inside the peer's receive() (a
 * wake-up that comes back to us) is left to the running one.
 */
static void nt_rx_flush(struct netns_tap *nt)
{
	struct frame *b[FRAME_BATCH_MAX];
	unsigned int mask = nt->nbufs - 1;

	if (nt->rx_flushing)
		return;
	nt->rx_flushing = true;
	while (nt->npend && !nt->rx_held) {
		unsigned int n = nt->npend < FRAME_BATCH_MAX ? nt->npend
							     : FRAME_BATCH_MAX;
		unsigned int i, done;

		for (i = 0; i < n; i++)
			b[i] = nt->pend[(nt->pend_head + i) & mask];
		done = port_send(&nt->port, 0, b, n, true);
		nt->stats.rx_batches++;
		nt->pend_head = (nt->pend_head + done) & mask;
		nt->npend -= done;
		if (done < n) {
			nt->rx_held = true;
			nt->stats.rx_holds++;
		}
		frame_put_n(b, done);
	}
	nt->rx_flushing = false;
}

/**
 * nt_rx_drop() - drop a read that is not a frame, counting it
 * @nt:		the frontend
 * @why:	PORT_DROP_RUNT or PORT_DROP_GIANT
 * @bid:	its buffer
 */
static void nt_rx_drop(struct netns_tap *nt, enum port_drop why,
		       unsigned int bid)
{
	port_count_drop(&nt->port, 0, why, 1);
	if (why == PORT_DROP_RUNT)
		nt->stats.rx_runts++;
	else
		nt->stats.rx_giants++;
	nt_buf_put(nt, bid);
}

/**
 * nt_rx_ended() - the multishot read ended for good (the tap went away)
 * @nt:		the frontend
 * @res:	its last result
 *
 * The link goes down, so the peer's frames drop as link_down instead of
 * failing one write each.
 */
static void nt_rx_ended(struct netns_tap *nt, int res)
{
	nt->stats.rx_ends++;
	nt->stats.rx_last_error = res ? res : -EPIPE;
	port_set_link(&nt->port, false);
}

/**
 * nt_rx_cb() - one completion of the multishot read
 * @loop:	the loop
 * @rx:		&nt->rx
 * @res:	bytes read (vnet header + frame), or the end result
 * @buf:	the buffer, or NULL at the end
 * @bid:	its id
 */
static void nt_rx_cb(struct uloop *loop, struct ubufring_rx *rx, int res,
		     void *buf, unsigned int bid)
{
	struct netns_tap *nt = NT_OF(rx, struct netns_tap, rx);
	struct frame *f;

	if (!buf) {
		nt_rx_ended(nt, res);
		return;
	}
	if ((unsigned int)res < NETNS_TAP_VNET_LEN + FRAME_MIN_LEN) {
		nt_rx_drop(nt, PORT_DROP_RUNT, bid);
		return;
	}
	/* tun reports the whole frame even when the buffer cut it short */
	if ((unsigned int)res >= nt->buf_size) {
		nt_rx_drop(nt, PORT_DROP_GIANT, bid);
		return;
	}
	f = &nt->frames[bid];
	memcpy(&f->vnet, buf, NETNS_TAP_VNET_LEN);
	f->has_vnet = (f->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
		      f->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE;
	if (f->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		nt->stats.rx_gso++;
	else if (f->has_vnet)
		nt->stats.rx_csum++;
	f->data = (uint8_t *)buf + NETNS_TAP_VNET_LEN;
	f->len = (uint32_t)res - NETNS_TAP_VNET_LEN;
	f->refs = 1;
	nt->rx_live++;
	nt->stats.rx_frames++;
	nt->stats.rx_bytes += f->len;
	nt->pend[(nt->pend_head + nt->npend) & (nt->nbufs - 1)] = f;
	nt->npend++;
	if (nt->npend >= FRAME_BATCH_MAX)
		nt_rx_flush(nt);
}

/**
 * nt_rx_release() - the kernel let go of the stopped read
 * @loop:	the loop
 * @rx:		&nt->rx
 */
static void nt_rx_release(struct uloop *loop, struct ubufring_rx *rx)
{
	nt_maybe_free(NT_OF(rx, struct netns_tap, rx));
}

/* --- writes: peer to tap -------------------------------------------------- */

/**
 * nt_tx_done() - a tap write completed
 * @loop:	the loop
 * @op:		the slot's op
 * @res:	bytes written or -errno
 * @cqe_flags:	unused
 */
static void nt_tx_done(struct uloop *loop, struct uloop_op *op, int res,
		       uint32_t cqe_flags)
{
	struct netns_tap_slot *s = NT_OF(op, struct netns_tap_slot, op);
	struct netns_tap *nt = s->nt;
	struct frame *f = s->f;

	if (res == (int)(f->len + NETNS_TAP_VNET_LEN)) {
		nt->stats.tx_frames++;
		nt->stats.tx_bytes += f->len;
	} else {
		nt->stats.tx_errors++;
		nt->stats.tx_last_error = res < 0 ? res : -EIO;
		port_count_drop(&nt->port, 0, PORT_DROP_IO_ERROR, 1);
	}
	s->f = NULL;
	nt->free_slots[nt->nfree++] = (unsigned int)(s - nt->slots);
	frame_put(f);
	if (nt->closing)
		nt_maybe_free(nt);
}

/**
 * nt_tx_one() - queue the write of one frame on a free slot
 * @nt:	the frontend (a slot is free)
 * @f:	the frame, with a sound or no offload header
 *
 * Return: 0, or -EBUSY when the SQ stays full (the slot is given back).
 */
static int nt_tx_one(struct netns_tap *nt, struct frame *f)
{
	unsigned int idx = nt->free_slots[--nt->nfree];
	struct netns_tap_slot *s = &nt->slots[idx];
	int ret;

	if (f->has_vnet) {
		s->hdr = f->vnet;
		s->hdr.num_buffers = 0;
		s->iov[0].iov_base = &s->hdr;
	} else {
		s->iov[0].iov_base = (void *)&nt_zero_hdr;
	}
	s->iov[1].iov_base = f->data;
	s->iov[1].iov_len = f->len;
	s->f = frame_get(f);
	ret = uloop_writev(nt->loop, &s->op, nt->tapfd, s->iov, 2,
			   ULOOP_OFF_CUR, 0);
	if (ret) {
		s->f = NULL;
		frame_put(f);
		nt->free_slots[nt->nfree++] = idx;
	}
	return ret;
}

/**
 * nt_receive() - the peer's frames: one tap write each
 * @p:		the frontend's port
 * @queue:	0
 * @f:		the frames
 * @n:		how many
 *
 * Return: how many were taken (written, or dropped and counted); fewer
 * than @n when the write slots (or the SQ) are full, which holds the peer.
 */
static unsigned int nt_receive(struct port *p, unsigned int queue,
			       struct frame **f, unsigned int n)
{
	struct netns_tap *nt = p->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (f[i]->has_vnet && vnet_hdr_check(&f[i]->vnet, f[i]->data,
						     f[i]->len, NT_VNET_CAPS)) {
			nt->stats.tx_bad_vnet++;
			port_count_drop(p, queue, PORT_DROP_BAD_VNET, 1);
			continue;
		}
		if (!nt->nfree || nt_tx_one(nt, f[i]))
			break;
	}
	if (i < n) {
		nt->tx_blocked = true;
		nt->stats.tx_full++;
	}
	return i;
}

/* --- port hooks and the per-iteration flush ------------------------------- */

/**
 * nt_resume() - the peer can take more: offer the FIFO, give buffers back
 * @p:		the frontend's port
 * @queue:	0
 */
static void nt_resume(struct port *p, unsigned int queue)
{
	struct netns_tap *nt = p->priv;

	nt->rx_held = false;
	nt->stats.rx_resumes++;
	if (!nt->closing) {
		while (nt->ndefer)
			ubufring_recycle(&nt->br, nt->defer[--nt->ndefer]);
	}
	nt_rx_flush(nt);
	if (!nt->closing)
		ubufring_publish(&nt->br);
}

/**
 * nt_link_changed() - mirror the link state on the tap's carrier, as a
 * NIC's link shows in its guest
 * @p:	the frontend's port
 */
static void nt_link_changed(struct port *p)
{
	struct netns_tap *nt = p->priv;
	int on = port_link_ok(p);

	if (nt->closing || on == nt->carrier || nt->stats.rx_ends)
		return;
	if (ioctl(nt->tapfd, TUNSETCARRIER, &on) == 0)
		nt->carrier = on;
}

static const struct port_ops nt_port_ops = {
	.receive = nt_receive,
	.resume = nt_resume,
	.link_changed = nt_link_changed,
};

/**
 * nt_hook() - once per loop iteration, before the submit: send what was
 * read, and wake a peer held for want of write slots
 * @loop:	the loop
 * @h:		&nt->hook
 */
static void nt_hook(struct uloop *loop, struct uloop_hook *h)
{
	struct netns_tap *nt = NT_OF(h, struct netns_tap, hook);

	nt_rx_flush(nt);
	if (nt->tx_blocked && nt->nfree) {
		nt->tx_blocked = false;
		port_wake(&nt->port, 0);
	}
	/* buffers recycled above reach the kernel before the loop waits */
	ubufring_publish(&nt->br);
}

/* --- setup and teardown --------------------------------------------------- */

/**
 * nt_free() - free the object and everything it allocated
 * @nt:	the frontend (nothing in flight, the ring finished or never made)
 */
static void nt_free(struct netns_tap *nt)
{
	free(nt->frames);
	free(nt->pend);
	free(nt->defer);
	free(nt->slots);
	free(nt->free_slots);
	free(nt);
}

/**
 * nt_maybe_free() - after close: free once neither the kernel nor the peer
 * holds anything of ours
 * @nt:	the frontend
 *
 * Return: true if @nt was freed (and the released hook ran).
 */
static bool nt_maybe_free(struct netns_tap *nt)
{
	void (*released)(void *arg) = nt->released;
	void *arg = nt->released_arg;

	if (!nt->closing || nt->in_close || nt->rx_live ||
	    nt->nfree != nt->nslots || ubufring_rx_busy(&nt->rx))
		return false;
	ubufring_fini(&nt->br);
	nt_free(nt);
	if (released)
		released(arg);
	return true;
}

/**
 * nt_err() - put a message in the caller's buffer, if it gave one
 * @cfg:	the configuration (errmsg, errmsg_size)
 * @ret:	the error to return
 * @what:	the message
 *
 * Return: @ret.
 */
static int nt_err(const struct netns_tap_config *cfg, int ret, const char *what)
{
	if (cfg->errmsg && cfg->errmsg_size)
		snprintf(cfg->errmsg, cfg->errmsg_size, "%s", what);
	return ret;
}

/**
 * nt_buf_size() - bytes of one receive buffer
 * @c:	the configuration
 *
 * The vnet header, the largest frame (the MTU with Ethernet and VLAN
 * headers; with offloads a 64 KiB GSO frame), one byte more to see a read
 * the buffer cut, rounded up to a cache line.
 *
 * Return: the size.
 */
static unsigned int nt_buf_size(const struct netns_tap_config *c)
{
	unsigned int frame = (c->mtu ? c->mtu : 1500) + 18;

	if (c->offload)
		frame = FRAME_MAX_LEN;
	return (NETNS_TAP_VNET_LEN + frame + 1 + 63) & ~63u;
}

/**
 * nt_rx_bufs_default() - receive buffers when none are asked for
 * @buf_size:	bytes per buffer
 *
 * Return: the power of two nearest to NETNS_TAP_RX_BYTES_DEFAULT /
 * @buf_size, within NETNS_TAP_RX_BUFS_MIN_DEFAULT..MAX_DEFAULT.
 */
static unsigned int nt_rx_bufs_default(unsigned int buf_size)
{
	unsigned int want = NETNS_TAP_RX_BYTES_DEFAULT / buf_size;
	unsigned int n = NETNS_TAP_RX_BUFS_MIN_DEFAULT;

	while (n < NETNS_TAP_RX_BUFS_MAX_DEFAULT && n * 2 <= want)
		n *= 2;
	/* the next power of two when it is nearer */
	if (n < NETNS_TAP_RX_BUFS_MAX_DEFAULT && n < want &&
	    n * 2 - want < want - n)
		n *= 2;
	return n;
}

/**
 * nt_check() - validate a configuration and fill in its defaults
 * @cfg:	as given
 * @loop:	the loop (its features)
 * @c:		filled: @cfg with defaults
 *
 * Return: 0, -EINVAL (message in cfg->errmsg), -EOPNOTSUPP when the
 * kernel's io_uring lacks buffer rings or multishot read (Linux 6.7).
 */
static int nt_check(const struct netns_tap_config *cfg, struct uloop *loop,
		    struct netns_tap_config *c)
{
	static const uint8_t zero_mac[6];
	unsigned int need = ULOOP_F_BUF_RING | ULOOP_F_READ_MULTISHOT;

	*c = *cfg;
	if (!c->ifname || !*c->ifname)
		c->ifname = NETNS_TAP_IFNAME_DEFAULT;
	/* TSO pays only while a 64 KiB frame holds two segments */
	if (c->mtu > NETNS_TAP_OFFLOAD_MTU_MAX)
		c->offload = false;
	c->rx_bufs =
		c->rx_bufs ? c->rx_bufs : nt_rx_bufs_default(nt_buf_size(c));
	c->tx_slots = c->tx_slots ? c->tx_slots : NETNS_TAP_TX_SLOTS_DEFAULT;
	if (!c->netns || !*c->netns)
		return nt_err(cfg, -EINVAL, "netns is missing");
	if (strlen(c->ifname) >= IFNAMSIZ)
		return nt_err(cfg, -EINVAL, "ifname is longer than 15 bytes");
	if (c->mtu &&
	    (c->mtu < NETNS_TAP_MTU_MIN || c->mtu > NETNS_TAP_MTU_MAX))
		return nt_err(cfg, -EINVAL, "mtu must be 68..65521");
	if (c->has_mac && ((c->mac[0] & 1) || !memcmp(c->mac, zero_mac, 6)))
		return nt_err(cfg, -EINVAL, "mac must be a unicast address");
	if (c->prefixlen > 32)
		return nt_err(cfg, -EINVAL, "prefix length must be 1..32");
	if (c->rx_bufs < 2 || c->rx_bufs > UBUFRING_MAX_BUFS ||
	    (c->rx_bufs & (c->rx_bufs - 1)))
		return nt_err(cfg, -EINVAL,
			      "rx-bufs must be a power of two, 2..32768");
	if (c->tx_slots > NETNS_TAP_TX_SLOTS_MAX)
		return nt_err(cfg, -EINVAL, "tx-slots must be 1..4096");
	if ((uloop_features(loop) & need) != need)
		return nt_err(cfg, -EOPNOTSUPP,
			      "io_uring lacks multishot read (Linux 6.7)");
	return 0;
}

/**
 * nt_alloc() - allocate the frontend and its tables, sized once
 * @c:	a checked configuration
 *
 * Return: the object (tap not open yet), or NULL.
 */
static struct netns_tap *nt_alloc(const struct netns_tap_config *c)
{
	struct netns_tap *nt = calloc(1, sizeof(*nt));
	unsigned int i;

	if (!nt)
		return NULL;
	nt->tapfd = -1;
	nt->nbufs = c->rx_bufs;
	nt->nslots = c->tx_slots;
	nt->buf_size = nt_buf_size(c);
	nt->frames = calloc(nt->nbufs, sizeof(*nt->frames));
	nt->pend = calloc(nt->nbufs, sizeof(*nt->pend));
	nt->defer = calloc(nt->nbufs, sizeof(*nt->defer));
	nt->slots = calloc(nt->nslots, sizeof(*nt->slots));
	nt->free_slots = calloc(nt->nslots, sizeof(*nt->free_slots));
	if (!nt->frames || !nt->pend || !nt->defer || !nt->slots ||
	    !nt->free_slots) {
		nt_free(nt);
		return NULL;
	}
	nt->owner.release = nt_frame_release;
	for (i = 0; i < nt->nbufs; i++) {
		nt->frames[i].owner = &nt->owner;
		nt->frames[i].cookie = i;
		nt->frames[i].cap = nt->buf_size - NETNS_TAP_VNET_LEN;
	}
	for (i = 0; i < nt->nslots; i++) {
		uloop_op_init(&nt->slots[i].op, nt_tx_done);
		nt->slots[i].nt = nt;
		nt->slots[i].iov[0].iov_len = NETNS_TAP_VNET_LEN;
		nt->free_slots[i] = nt->nslots - 1 - i;
	}
	nt->nfree = nt->nslots;
	nt->released = c->released;
	nt->released_arg = c->released_arg;
	return nt;
}

/**
 * nt_start() - the loop side: buffer ring, port, hook, multishot read
 * @nt:		a frontend with its tap open
 * @c:		the configuration
 * @loop:	the loop
 * @name:	port name
 *
 * Return: 0 or -errno (nothing of it left registered on failure).
 */
static int nt_start(struct netns_tap *nt, const struct netns_tap_config *c,
		    struct uloop *loop, const char *name)
{
	struct ubufring_config bc = {
		.bgid = c->bgid,
		.nbufs = nt->nbufs,
		.buf_size = nt->buf_size,
	};
	char msg[64];
	int ret;

	nt->loop = loop;
	ret = port_init(&nt->port, &nt_port_ops, PORT_NIC, name, 1, nt);
	if (ret)
		return nt_err(c, ret, "bad port name");
	ret = ubufring_init(&nt->br, loop, &bc);
	if (ret) {
		snprintf(msg, sizeof(msg), "receive ring (buffer group %u): %s",
			 c->bgid, strerror(-ret));
		return nt_err(c, ret, msg);
	}
	ubufring_rx_init(&nt->rx, nt_rx_cb);
	nt->rx.release = nt_rx_release;
	ret = ubufring_rx_start(&nt->rx, &nt->br, UBUFRING_RX_READ, nt->tapfd,
				0);
	if (ret) {
		ubufring_fini(&nt->br);
		snprintf(msg, sizeof(msg), "multishot read: %s",
			 strerror(-ret));
		return nt_err(c, ret, msg);
	}
	nt->hook.fn = nt_hook;
	uloop_hook_add(loop, &nt->hook);
	nt->carrier = true;
	return 0;
}

/**
 * netns_tap_open() - serve a network namespace: create a tap inside it and
 * move its frames on @loop
 * @out:	set to the new frontend
 * @cfg:	namespace, tap name, MTU, configure flag and the rest
 * @loop:	the loop the frontend runs on; call from its thread
 * @name:	port name shown to the user (the device id)
 *
 * Joins the namespace in a short-lived child process (see
 * netns_tap_ns_open()), so the calling thread's namespaces never change.
 * The tap is up when this returns, its port unconnected; connect it with
 * port_connect(netns_tap_port(nt), peer).  On failure nothing is left
 * behind, and cfg->errmsg (if given) says which step failed.
 *
 * Return: 0; -EINVAL for a bad configuration; -EOPNOTSUPP without
 * multishot read; -ENOENT, -EPERM, -EBUSY, -EEXIST ... from the namespace,
 * the tap or rtnetlink; -ENOMEM.
 */
int netns_tap_open(struct netns_tap **out, const struct netns_tap_config *cfg,
		   struct uloop *loop, const char *name)
{
	struct netns_tap_config c;
	struct netns_tap_ns ns;
	struct netns_tap *nt;
	int ret;

	if (!out || !cfg || !loop || !name)
		return -EINVAL;
	*out = NULL;
	ret = nt_check(cfg, loop, &c);
	if (ret)
		return ret;
	nt = nt_alloc(&c);
	if (!nt)
		return nt_err(&c, -ENOMEM, "out of memory");
	ret = netns_tap_ns_open(&c, &ns, c.errmsg, c.errmsg_size);
	if (ret)
		goto err_alloc;
	nt->tapfd = ns.tapfd;
	nt->ifindex = ns.ifindex;
	memcpy(nt->ifname, ns.ifname, sizeof(nt->ifname));
	ret = netns_tap_nl_adopt(&nt->nl, ns.nlfd);
	if (ret) {
		nt_err(&c, ret, "rtnetlink socket");
		goto err_tap;
	}
	ret = nt_start(nt, &c, loop, name);
	if (ret)
		goto err_nl;
	*out = nt;
	return 0;

err_nl:
	netns_tap_nl_close(&nt->nl);
err_tap:
	close(nt->tapfd); /* a tap nobody holds disappears */
err_alloc:
	nt_free(nt);
	return ret;
}

/**
 * netns_tap_port() - the frontend's port, to connect to its netdev
 * @nt:	the frontend
 *
 * Return: the port (PORT_NIC, one queue).
 */
struct port *netns_tap_port(struct netns_tap *nt)
{
	return &nt->port;
}

/**
 * netns_tap_close() - delete the tap and release the frontend
 * @nt:	the frontend, or NULL
 *
 * In the loop's thread, and not from inside the peer's receive() of this
 * frontend's frames.  The port is disconnected (frames still queued
 * are dropped as no_peer), the tap is deleted inside the namespace at once
 * (if it is still this fd's tap) and its fds are closed.  The memory goes
 * when neither the kernel (requests in flight) nor the peer (frames it
 * kept) holds anything of it: now, or later from the loop, and then the
 * configuration's released hook runs.  Do not use @nt afterwards.
 *
 * Return: 0 when everything was released now, -EINPROGRESS when the loop
 * finishes it, -EALREADY when @nt was closed before.
 */
int netns_tap_close(struct netns_tap *nt)
{
	struct ifreq ifr;

	if (!nt)
		return 0;
	if (nt->closing)
		return -EALREADY;
	nt->closing = true;
	nt->in_close = true;
	uloop_hook_del(nt->loop, &nt->hook);
	ubufring_rx_stop(&nt->rx);
	port_disconnect(&nt->port);
	nt->rx_held = false;
	nt_rx_flush(nt); /* no peer: the rest is dropped and counted */
	nt->ndefer = 0;
	/* TUNGETIFF fails once the tap was deleted from inside (EBADFD) */
	if (ioctl(nt->tapfd, TUNGETIFF, &ifr) == 0)
		netns_tap_nl_link_del(&nt->nl, nt->ifindex);
	netns_tap_nl_close(&nt->nl);
	close(nt->tapfd);
	nt->tapfd = -1;
	nt->in_close = false;
	return nt_maybe_free(nt) ? 0 : -EINPROGRESS;
}

/**
 * netns_tap_ifname() - the tap's name inside the namespace
 * @nt:	the frontend
 *
 * Return: the name (the kernel's pick when a pattern was given).
 */
const char *netns_tap_ifname(const struct netns_tap *nt)
{
	return nt->ifname;
}

/**
 * netns_tap_ifindex() - the tap's interface index inside the namespace
 * @nt:	the frontend
 *
 * Return: the index.
 */
int netns_tap_ifindex(const struct netns_tap *nt)
{
	return nt->ifindex;
}

/**
 * netns_tap_stats() - the frontend's counters (port counters: port.h)
 * @nt:	the frontend
 * @st:	filled
 */
void netns_tap_stats(const struct netns_tap *nt, struct netns_tap_stats *st)
{
	*st = nt->stats;
	st->rx_enobufs = nt->rx.stats.enobufs;
	st->rx_pending = nt->npend;
	st->rx_bufs = nt->nbufs;
	st->rx_buf_size = nt->buf_size;
	st->tx_inflight = nt->nslots - nt->nfree;
}

/**
 * netns_tap_link_stats() - the kernel's counters of the tap, read inside
 * the namespace (tx: frames the namespace sent towards qnet, tx_dropped:
 * those the tap's queue dropped while qnet was not reading)
 * @nt:	the frontend, open
 * @st:	filled
 *
 * One rtnetlink request: from any one thread at a time, never together
 * with netns_tap_close().
 *
 * Return: 0, or -errno (-ENODEV once the tap was deleted).
 */
int netns_tap_link_stats(struct netns_tap *nt, struct rtnl_link_stats64 *st)
{
	if (!nt->nl.sock)
		return -ENODEV;
	return netns_tap_nl_link_stats(&nt->nl, nt->ifindex, st);
}
