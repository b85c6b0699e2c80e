// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net_rxd.c: direct RX: the kernel reads the peer's (a tap's) frames straight into the guest's RX buffers, no user-space copy. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/uring/uloop.h"
#include "devices/virtio_net_int.h"
#include "devices/vnet_hdr.h"

/**
 * DOC: direct RX
 *
 * When the pair's peer lets the device read its frames itself
 * (port_ops.read_direct: a tap queue on the pair's loop, which then stops
 * its own read) and the guest posts mergeable buffers (MRG_RXBUF, one or
 * two host pieces each), the device keeps up to VN_RXD_SLOTS READV
 * requests on the tap's fd, each into enough of the guest's RX buffers
 * for the largest frame the guest may get (a 64 KiB GSO frame, or the MTU
 * without guest GSO). The kernel writes the virtio-net header and the
 * frame in place; the device only checks the header against what the
 * guest negotiated, writes num_buffers and puts the buffers the frame
 * filled in the used ring (published once per loop iteration).
 *
 * A read rarely fills all its buffers: the rest are kept (spares, oldest
 * first) for the next read, so buffers are used out of the order they
 * were made available, which split rings allow (VIRTIO_F_IN_ORDER is
 * never offered). A ring stop, a memory table change, a reset or a
 * disconnect runs under vn_quiesce(): the reads are cancelled and
 * submitted (a tap read waiting for data is cancelled inside the submit,
 * so no read writes guest memory afterwards), then every buffer taken and
 * not filled goes back: those that are the ring's latest pops by moving
 * the ring's index back (the guest sees nothing; checked by exact
 * position and head, since a buffer may stay in a waiting read for laps
 * of the ring while the others go round), the others completed with
 * length 0 (rx_direct_returned; a Linux guest counts them as length
 * errors and posts new buffers). A read that had completed but whose
 * completion comes after the stop is a lost frame (rx_direct_lost,
 * and no_rx_buffer on the tap's port, which counts it as read).
 *
 * Direct RX is not used, and frames go the copy path (virtio_net_rx.c),
 * with filters on either port (they must see the frames), packed rings,
 * a guest without MRG_RXBUF, the epoll fallback,
 * offloads on the tap the guest did not take, or VN_RX_COPY; with
 * VN_RX_AUTO (the default) not while frames are small (below). A guest buffer
 * in more than two pieces, buffers too small for a frame in
 * VN_RXD_BUFS of them, or a ring whose buffers all together cannot hold
 * one, turn it off until the next reset. A read error
 * (tap down or deleted) hands the reading back to the tap, whose carrier
 * logic takes over; direct RX is tried again a watchdog period later.
 */

/* Frame bytes (with the header) a read must have room for. */
static uint32_t rxd_target(const struct virtio_net *vn)
{
	unsigned int gso = VNET_CHECK_ACCEPT_TCPV4 | VNET_CHECK_ACCEPT_TCPV6 |
			   VNET_CHECK_ACCEPT_UDP | VNET_CHECK_ACCEPT_UDP_L4;
	uint32_t mtu = vn->mtu > 1500 ? vn->mtu : 1500;

	if (vn->guest_caps & gso)
		return vn->hdr_len + FRAME_MAX_LEN;
	return vn->hdr_len + mtu + 22;	/* Ethernet, a VLAN tag, slack */
}

/* The pair's RX ring. */
static struct virtq *rxd_vq(struct vn_queue *q)
{
	return &q->vn->vu.vq[2 * q->idx];
}

/**
 * rxd_fit() - may the pair read its peer directly now?
 * @q:	the pair
 *
 * Return: true when every condition of the DOC above holds.
 */
static bool rxd_fit(struct vn_queue *q)
{
	struct virtio_net *vn = q->vn;
	struct port *peer = vn->port.peer;
	struct vn_rxd *r = &q->rxd;

	if (vn->p.rx_mode == VN_RX_COPY ||
	    (vn->p.rx_mode == VN_RX_AUTO && r->small) ||
	    r->err || r->unfit || vn->quiesced ||
	    !vn->vu.vq ||
	    !peer || !peer->ops->read_direct || vn->port.nfilters ||
	    peer->nfilters || !port_link_ok(&vn->port))
		return false;
	if (!(vn->features & (1ull << VIRTIO_NET_F_MRG_RXBUF)) ||
	    vn->hdr_len != 12 || rxd_vq(q)->packed || !virtq_ready(rxd_vq(q)))
		return false;
	return !(uloop_features(q->loop) & ULOOP_F_EMULATED);
}

/* Set, clear or test head @head in the held heads' bitmap. */
static bool rxd_mark(struct vn_rxd *r, uint16_t head, int op)
{
	unsigned int i = head & (VIRTQ_MAX_SIZE - 1);
	uint8_t bit = (uint8_t)(1u << (i & 7));
	bool was = r->mark[i / 8] & bit;

	if (op > 0)
		r->mark[i / 8] |= bit;
	else if (op < 0)
		r->mark[i / 8] &= (uint8_t)~bit;
	return was;
}

/* Note a chain rxd_take() popped at @pos: the ring's latest pops, a ring
 * of @spare_cap entries keeping the newest, while nobody else moved the
 * ring's index (rxd_return() may move it back over them). */
static void rxd_recent(struct vn_rxd *r, uint16_t pos, uint16_t head)
{
	unsigned int i = (r->recent_start + r->nrecent) & (r->spare_cap - 1);

	r->recent[i] = head;
	r->recent_pos[i] = pos;
	if (r->nrecent == r->spare_cap)	/* the oldest is forgotten */
		r->recent_start = (r->recent_start + 1) & (r->spare_cap - 1);
	else
		r->nrecent++;
	r->recent_next = (uint16_t)(pos + 1);
}

/* The newest entry of the latest pops (nrecent > 0). */
static unsigned int rxd_recent_top(const struct vn_rxd *r)
{
	return (r->recent_start + r->nrecent - 1) & (r->spare_cap - 1);
}

/* Append @b to the spares (room is guaranteed: at most a ring's worth). */
static void rxd_spare_put(struct vn_rxd *r, const struct vn_rxd_buf *b)
{
	r->spare[(r->spare_head + r->nspare) & (r->spare_cap - 1)] = *b;
	r->nspare++;
}

/* Take the oldest spare (there is one). */
static const struct vn_rxd_buf *rxd_spare_get(struct vn_rxd *r)
{
	const struct vn_rxd_buf *b = &r->spare[r->spare_head];

	r->spare_head = (r->spare_head + 1) & (r->spare_cap - 1);
	r->nspare--;
	return b;
}

/* Put @b back in front of the spares (a read that could not be filled). */
static void rxd_spare_unget(struct vn_rxd *r, const struct vn_rxd_buf *b)
{
	r->spare_head = (r->spare_head - 1) & (r->spare_cap - 1);
	r->spare[r->spare_head] = *b;
	r->nspare++;
}

/* Is @s a read of the current generation still in flight? */
static bool rxd_live(const struct vn_rxd *r, const struct vn_rxd_slot *s)
{
	return s->busy && s->gen == r->gen;
}

/* Is any read of the current generation still in flight? */
static bool rxd_reading(const struct vn_rxd *r)
{
	unsigned int i;

	for (i = 0; i < VN_RXD_SLOTS; i++)
		if (rxd_live(r, &r->t->slots[i]))
			return true;
	return false;
}

/* Give a slot's buffers @from.. back to the spares, in order. */
static void rxd_slot_spare(struct vn_rxd *r, struct vn_rxd_slot *s,
			   unsigned int from)
{
	unsigned int i;

	for (i = from; i < s->nbuf; i++)
		rxd_spare_put(r, &s->buf[i]);
	s->nbuf = 0;
}

/**
 * rxd_take() - the next buffer for a read: the oldest spare, else a chain
 * popped from the ring
 * @q:	the pair
 * @vq:	its RX ring
 * @b:	filled
 *
 * Return: 0; -EAGAIN when the ring is empty (notifications are on);
 * -ENOTSUP when the guest's buffer does not suit direct reads (given back
 * to the ring; the pair stops reading directly); -EIO broken ring.
 */
static int rxd_take(struct vn_queue *q, struct virtq *vq, struct vn_rxd_buf *b)
{
	struct vn_rxd *r = &q->rxd;
	struct virtq_chain *c = &q->chain;
	unsigned int tries;

	if (r->nspare) {
		*b = *rxd_spare_get(r);
		return 0;
	}
	for (tries = 0; tries <= vq->num; tries++) {
		uint16_t pos = vq->last_avail;
		int ret;

		if (pos != r->recent_next)	/* popped or set by others */
			r->nrecent = 0;
		ret = virtq_pop(vq, c);

		if (ret == -EAGAIN) {
			if (!virtq_enable_notify(vq))
				return -EAGAIN;
			continue;	/* more came meanwhile */
		}
		if (ret == -EIO)
			return ret;
		if (ret == 0)
			rxd_recent(r, pos, c->head);
		if (ret || c->nr || !c->wlen) {	/* as the copy path */
			virtq_push(vq, c->head, c->ndesc, 0);
			q->stats.rx_bad_chain++;
			r->push_due = true;
			continue;
		}
		if (c->nw > 2 || c->iov[0].iov_len < q->vn->hdr_len ||
		    c->wlen > 0xffffffffu) {
			virtq_unpop(vq, 1, c->ndesc);
			r->nrecent--;
			r->recent_next = pos;
			r->unfit = true;
			return -ENOTSUP;
		}
		b->head = c->head;
		b->ndesc = c->ndesc;
		b->niov = (uint8_t)c->nw;
		b->room = (uint32_t)c->wlen;
		b->iov[0] = c->iov[0];
		b->iov[1] = c->nw > 1 ? c->iov[1] : (struct iovec){ NULL, 0 };
		return 0;
	}
	return -EAGAIN;
}

/**
 * rxd_fill() - reserve buffers for one read
 * @q:	the pair
 * @vq:	its RX ring
 * @s:	the slot (idle)
 *
 * Return: true when the slot holds room for the largest frame; false
 * (its buffers back with the spares) when the ring ran dry or the
 * guest's buffers do not suit.
 */
static bool rxd_fill(struct vn_queue *q, struct virtq *vq,
		     struct vn_rxd_slot *s)
{
	struct vn_rxd *r = &q->rxd;
	uint32_t target = rxd_target(q->vn);
	unsigned int i;

	s->nbuf = 0;
	s->room = 0;
	s->niov = 0;
	while (s->room < target) {
		struct vn_rxd_buf *b = &s->buf[s->nbuf];

		if (s->nbuf == VN_RXD_BUFS || rxd_take(q, vq, b)) {
			if (s->nbuf == VN_RXD_BUFS)
				r->unfit = true;	/* buffers too small */
			while (s->nbuf)
				rxd_spare_unget(r, &s->buf[--s->nbuf]);
			return false;
		}
		for (i = 0; i < b->niov; i++)
			s->iov[s->niov++] = b->iov[i];
		s->room += b->room;
		s->nbuf++;
	}
	return true;
}

/**
 * rxd_return() - give the guest back buffers taken and not filled
 * @q:	the pair
 * @vq:	its RX ring
 *
 * The spares that are the ring's latest pops (rxd_recent(), checked
 * position by position and head by head: a buffer may be held for many
 * laps of the ring while others go round) are un-popped, so the guest
 * sees nothing of them; the others are completed with length 0.
 */
static void rxd_return(struct vn_queue *q, struct virtq *vq)
{
	struct vn_rxd *r = &q->rxd;
	unsigned int i, n = r->nspare, back = 0, descs = 0;
	bool pushed = false;

	if (!n)
		return;
	if (!virtq_ready(vq)) {	/* the ring is gone: nothing to give */
		r->nspare = 0;
		return;
	}
	for (i = 0; i < n; i++)
		rxd_mark(r, r->spare[(r->spare_head + i) &
				     (r->spare_cap - 1)].head, 1);
	if (r->recent_next != vq->last_avail)
		r->nrecent = 0;
	/* the latest pops, newest first, while each is a spare */
	while (r->nrecent &&
	       r->recent_pos[rxd_recent_top(r)] ==
		       (uint16_t)(vq->last_avail - back - 1) &&
	       rxd_mark(r, r->recent[rxd_recent_top(r)], -1)) {
		back++;
		r->nrecent--;
	}
	for (i = 0; i < n; i++) {
		struct vn_rxd_buf *b = &r->spare[(r->spare_head + i) &
						 (r->spare_cap - 1)];

		if (!rxd_mark(r, b->head, -1)) {	/* un-popped */
			descs += b->ndesc;
			continue;
		}
		virtq_push(vq, b->head, b->ndesc, 0);
		q->stats.rx_direct_returned++;
		pushed = true;
	}
	if (back) {
		virtq_unpop(vq, back, descs);
		r->recent_next = vq->last_avail;
	}
	r->nspare = 0;
	r->spare_head = 0;
	if (pushed || r->push_due) {
		r->push_due = false;
		virtq_flush(vq);
		virtq_notify(vq);
	}
}

/**
 * rxd_frame() - a read filled buffers: check the header, set num_buffers,
 * complete the buffers the frame used, keep the rest
 * @q:		the pair
 * @s:		the slot
 * @res:	bytes read, header included (within the slot's room)
 *
 * Return: 0, or the drop reason for a header the guest cannot take.
 */
static int rxd_frame(struct vn_queue *q, struct vn_rxd_slot *s, uint32_t res)
{
	struct virtio_net *vn = q->vn;
	struct virtq *vq = rxd_vq(q);
	struct virtio_net_hdr_v1 h;
	uint8_t *first = s->buf[0].iov[0].iov_base;
	uint32_t hl = vn->hdr_len, left = res;
	uint32_t head = (uint32_t)s->buf[0].iov[0].iov_len - hl;
	unsigned int k = 0, i;
	uint16_t nb;

	memcpy(&h, first, sizeof(h));
	if ((h.flags || h.gso_type) &&
	    vnet_hdr_check_head(&h, first + hl, head, res - hl, vn->guest_caps))
		return PORT_DROP_BAD_VNET;
	while (left) {
		uint32_t room = s->buf[k].room;

		s->used[k] = left < room ? left : room;
		left -= s->used[k++];
	}
	nb = htole16((uint16_t)k);
	memcpy(first + 10, &nb, sizeof(nb));
	for (i = 0; i < k; i++)
		virtq_push(vq, s->buf[i].head, s->buf[i].ndesc, s->used[i]);
	rxd_slot_spare(&q->rxd, s, k);
	q->rxd.push_due = true;
	return 0;
}

/**
 * rxd_cb() - one direct read completed
 * @loop:	the pair's loop
 * @op:		the slot's op
 * @res:	bytes read (header included), or -errno
 * @flags:	CQE flags
 */
static void rxd_cb(struct uloop *loop, struct uloop_op *op, int res,
		   uint32_t flags)
{
	struct vn_rxd_slot *s = (struct vn_rxd_slot *)(void *)op;
	struct vn_rxd_table *t = s->t;
	struct vn_queue *q = t->q;
	struct port *peer;
	struct vn_rxd *r;
	uint32_t hl;
	int why;

	(void)loop;
	(void)flags;
	s->busy = false;
	t->inflight--;
	if (!q) {		/* the device is gone */
		if (!t->inflight)
			free(t);
		return;
	}
	r = &q->rxd;
	hl = q->vn->hdr_len;
	if (s->gen != r->gen) {	/* its buffers went back at a stop */
		if (res > (int)hl) {	/* a frame read just before: lost */
			q->stats.rx_direct_lost++;
			if (s->peer && s->peer == r->counted) {
				s->peer->ops->read_done(s->peer, q->idx, res);
				port_count_drop(s->peer, q->idx,
						PORT_DROP_NO_BUFFER, 1);
			}
		}
		return;
	}
	peer = r->peer;
	if (res < 0) {
		rxd_slot_spare(r, s, 0);
		/* -EAGAIN: woken with another read on the fd, which took the
		 * frame, io_uring does not wait in poll a second time: the
		 * read went to an io-wq worker, where the tap's O_NONBLOCK
		 * ends it. Nothing is wrong: posted again next iteration */
		if (res == -ECANCELED || res == -EAGAIN)
			return;
		r->err = true;	/* hand the reading back (vn_rxd_run) */
		peer->ops->read_done(peer, q->idx, res);
		return;
	}
	peer->ops->read_done(peer, q->idx, res);
	if ((uint32_t)res < hl + FRAME_MIN_LEN) {
		why = PORT_DROP_RUNT;
	} else if ((uint32_t)res > s->room) {	/* cut short: lost */
		q->stats.rx_too_big++;
		why = PORT_DROP_NO_BUFFER;
	} else {
		why = rxd_frame(q, s, (uint32_t)res);
		if (!why) {
			q->stats.rx_direct++;
			port_count_direct(peer, &q->vn->port, q->idx, 1,
					  (uint64_t)res - hl);
			return;
		}
	}
	rxd_slot_spare(r, s, 0);
	port_count_drop(peer, q->idx, (enum port_drop)why, 1);
}

/* Free the spares and what rxd_return() needs (none may be held). */
static void rxd_spares_free(struct vn_rxd *r)
{
	free(r->spare);
	free(r->recent);
	free(r->recent_pos);
	free(r->mark);
	r->spare = NULL;
	r->recent = NULL;
	r->recent_pos = NULL;
	r->mark = NULL;
	r->spare_cap = 0;
	r->nspare = 0;
	r->spare_head = 0;
	r->nrecent = 0;
}

/**
 * rxd_table() - the pair's slots, and spares for a ring of @num entries
 * @q:		the pair
 * @num:	its RX ring's size (a power of two)
 *
 * Return: 0 or -ENOMEM.
 */
static int rxd_table(struct vn_queue *q, unsigned int num)
{
	struct vn_rxd *r = &q->rxd;
	unsigned int i;

	if (!r->t) {
		r->t = calloc(1, sizeof(*r->t));
		if (!r->t)
			return -ENOMEM;
		r->t->q = q;
		for (i = 0; i < VN_RXD_SLOTS; i++) {
			uloop_op_init(&r->t->slots[i].op, rxd_cb);
			r->t->slots[i].t = r->t;
		}
	}
	if (r->spare_cap == num)
		return 0;
	rxd_spares_free(r);
	r->spare = calloc(num, sizeof(*r->spare));
	r->recent = calloc(num, sizeof(*r->recent));
	r->recent_pos = calloc(num, sizeof(*r->recent_pos));
	r->mark = calloc(VIRTQ_MAX_SIZE / 8, 1);
	r->spare_cap = num;
	if (r->spare && r->recent && r->recent_pos && r->mark)
		return 0;
	rxd_spares_free(r);
	return -ENOMEM;
}

/**
 * vn_rxd_cancel() - cancel the pair's direct reads (submitted by the
 * caller's next uloop_flush(), in the pair's thread)
 * @q:	the pair
 */
void vn_rxd_cancel(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;
	unsigned int i;

	if (!r->t)
		return;
	for (i = 0; i < VN_RXD_SLOTS; i++) {
		struct vn_rxd_slot *s = &r->t->slots[i];

		if (rxd_live(r, s))
			uloop_cancel(q->loop, &s->op);
	}
}

/* Reads in flight of this generation: their buffers become spares and
 * their completions (a frame read just before: lost) only count. */
static void rxd_reclaim(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;
	unsigned int i;

	for (i = 0; i < VN_RXD_SLOTS; i++) {
		struct vn_rxd_slot *s = &r->t->slots[i];

		if (rxd_live(r, s))
			rxd_slot_spare(r, s, 0);
	}
	r->gen++;
}

/* The grant is over (the reads cancelled): their buffers become spares. */
static void rxd_forget(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;

	rxd_reclaim(q);
	r->on = false;
	r->asked = false;
	r->peer = NULL;
}

/**
 * vn_rxd_settle() - before rings or memory change, after vn_rxd_cancel()
 * and the flush: every buffer taken and not filled goes back to the guest
 * @q:	the pair (this is its thread)
 */
void vn_rxd_settle(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;

	if (!r->t)
		return;
	rxd_reclaim(q);
	if (q->vn->vu.vq)
		rxd_return(q, rxd_vq(q));
	else
		r->nspare = 0;
}

/**
 * vn_rxd_off() - stop reading the peer directly and give it its reading
 * back (a disconnect, a device closing, a condition gone)
 * @q:	the pair (its thread)
 *
 * The buffers taken stay with the pair: the copy path fills them first
 * (vn_rxd_spare_chain()), so the guest sees nothing of the switch.
 */
void vn_rxd_off(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;
	struct port *peer = r->peer;

	if (!r->on && !r->asked)
		return;
	vn_rxd_cancel(q);
	uloop_flush(q->loop);
	rxd_forget(q);
	if (peer)
		peer->ops->read_direct(peer, q->idx, q->loop, false, NULL);
}

/**
 * vn_rxd_peer_gone() - the peer was disconnected: stop reading it (this
 * is the pair's thread) and count nothing more against it
 * @q:	the pair
 */
void vn_rxd_peer_gone(struct vn_queue *q)
{
	vn_rxd_off(q);
	q->rxd.counted = NULL;
}

/**
 * vn_rxd_drop() - the peer went away while the pair's worker was parked
 * (its reads cancelled by the park hook): forget the grant
 * @q:	the pair (its thread parked)
 *
 * The peer gave its reading back on its side (its own peer_lost).
 */
void vn_rxd_drop(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;

	r->counted = NULL;
	if (r->on || r->asked)
		rxd_forget(q);
}

/**
 * vn_rxd_spare_chain() - for the copy path: a buffer direct RX took and did
 * not fill, as a popped chain
 * @q:	the pair (not reading directly)
 * @c:	filled
 *
 * Return: true if there was one (the oldest).
 */
bool vn_rxd_spare_chain(struct vn_queue *q, struct virtq_chain *c)
{
	struct vn_rxd *r = &q->rxd;
	const struct vn_rxd_buf *b;

	if (!r->nspare || r->on)
		return false;
	b = rxd_spare_get(r);
	c->head = b->head;
	c->ndesc = b->ndesc;
	c->nr = 0;
	c->nw = b->niov;
	c->rlen = 0;
	c->wlen = b->room;
	c->iov[0] = b->iov[0];
	c->iov[1] = b->iov[1];
	return true;
}

/**
 * vn_rxd_spare_restore() - the copy path gives back the last @k buffers it
 * took with vn_rxd_spare_chain() (a frame it could not deliver whole)
 * @q:	the pair
 * @k:	how many
 *
 * Nothing was added to the spares in between (direct RX is off), so the
 * entries are still where they were.
 */
void vn_rxd_spare_restore(struct vn_queue *q, unsigned int k)
{
	struct vn_rxd *r = &q->rxd;

	r->spare_head = (r->spare_head - k) & (r->spare_cap - 1);
	r->nspare += k;
}

/* Ask the peer for its reading; true once granted and usable. */
static bool rxd_start(struct vn_queue *q)
{
	struct virtio_net *vn = q->vn;
	struct port *peer = vn->port.peer;
	struct vn_rxd *r = &q->rxd;
	int ret;

	if (rxd_table(q, rxd_vq(q)->num))
		return false;
	r->peer = peer;
	r->asked = true;
	ret = peer->ops->read_direct(peer, q->idx, q->loop, true, &r->rd);
	if (ret == 0)
		return false;	/* ask again at the next iteration */
	if (ret < 0 || r->rd.hdr_len != vn->hdr_len ||
	    (r->rd.offloads & ~vn->guest_caps)) {
		r->err = true;	/* not now: again after a watchdog period */
		vn_rxd_off(q);
		return false;
	}
	r->on = true;
	r->counted = peer;
	return true;
}

/**
 * vn_rxd_run() - per-iteration work of direct RX: publish what reads
 * filled, start or stop reading directly, keep reads posted
 * @q:	the pair (its thread)
 */
void vn_rxd_run(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;
	struct virtq *vq;
	unsigned int i;

	if (r->push_due && q->vn->vu.vq && virtq_ready(rxd_vq(q))) {
		r->push_due = false;
		virtq_flush(rxd_vq(q));
		virtq_notify(rxd_vq(q));
	}
	if (!rxd_fit(q)) {
		if (!r->on && !r->asked)
			return;
		vn_rxd_cancel(q);
		if (!rxd_reading(r))	/* else: until their completions */
			vn_rxd_off(q);
		return;
	}
	if (!r->on && !rxd_start(q))
		return;
	vq = rxd_vq(q);
	/* a ring set up again with another size: spares were settled */
	if (r->spare_cap != vq->num && (r->nspare || rxd_table(q, vq->num)))
		return;
	for (i = 0; i < VN_RXD_SLOTS; i++) {
		struct vn_rxd_slot *s = &r->t->slots[i];

		if (s->busy)
			continue;
		if (!rxd_fill(q, vq, s)) {
			/* every buffer of the ring held and still not room
			 * for one frame: this ring is too small for reads */
			if (r->nspare >= vq->num)
				r->unfit = true;
			break;
		}
		if (uloop_readv(q->loop, &s->op, r->rd.fd, s->iov, s->niov,
				ULOOP_OFF_CUR,
				r->rd.fixed ? ULOOP_IO_FIXED_FILE : 0)) {
			rxd_slot_spare(r, s, 0);
			break;
		}
		s->busy = true;
		r->posted = true;
		s->gen = r->gen;
		s->peer = r->peer;
		r->t->inflight++;
	}
}

/**
 * rxd_judge() - each watchdog period, with VN_RX_AUTO: direct RX or the
 * copy path, by the average size of the frames the pair received in the
 * period (either way)
 * @q:	the pair (its thread)
 *
 * A direct read costs an SQE, a guest-buffer reservation for the largest
 * frame and the kernel's import of its iovec per frame, where the tap's
 * multishot read takes a batch per wake-up: bench-vtap-rx measured direct
 * RX at 0.8-0.9x the copy path's CPU per frame up to 4000-byte frames,
 * 1.1x at 16000 and 1.6x at 64 KiB. Below VN_RXD_SMALL bytes on average
 * the pair copies; from VN_RXD_LARGE on it reads directly (the gap keeps
 * a mix near the crossover from switching every period). A period with
 * fewer than VN_RXD_JUDGE_MIN frames changes nothing.
 */
static void rxd_judge(struct vn_queue *q)
{
	const struct port_stats *ps = &q->vn->port.stats[q->idx];
	struct vn_rxd *r = &q->rxd;
	uint64_t n = ps->rx_packets - r->seen_frames;
	uint64_t avg = n ? (ps->rx_bytes - r->seen_bytes) / n : 0;

	r->seen_frames = ps->rx_packets;
	r->seen_bytes = ps->rx_bytes;
	if (q->vn->p.rx_mode != VN_RX_AUTO || n < VN_RXD_JUDGE_MIN)
		return;
	if (!r->small && avg < VN_RXD_SMALL) {
		struct port *peer = q->vn->port.peer;

		r->small = true;
		if (peer && peer->ops->read_direct)	/* it could read */
			q->stats.rx_direct_small++;
	} else if (r->small && avg >= VN_RXD_LARGE) {
		r->small = false;
	}
}

/**
 * vn_rxd_watch() - the kick watchdog's look at direct RX (each period)
 * @q:	the pair (its thread)
 *
 * A failed read may be tried again. Buffers held as spares while no read
 * could be posted for two whole periods (a guest that posted fewer
 * buffers than one frame needs and waits for frames before it posts
 * more) go to the copy path: direct RX pauses for a period. A period in
 * which a read was posted is not such a one, even if none is in flight
 * at the moment of the look (all just completed, under load).
 */
void vn_rxd_watch(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;
	bool posted = r->posted;

	rxd_judge(q);
	r->err = false;
	r->posted = false;
	if (!r->on || !r->nspare || rxd_reading(r) || posted) {
		r->stuck = 0;
		return;
	}
	if (++r->stuck < 2)
		return;
	r->stuck = 0;
	r->err = true;
	q->stats.rx_direct_paused++;
}

/**
 * vn_rxd_detach() - the device lets go of the pair's slots: freed now, or
 * by the last completion still due
 * @q:	the pair (reads cancelled and settled)
 */
void vn_rxd_detach(struct vn_queue *q)
{
	struct vn_rxd *r = &q->rxd;

	rxd_spares_free(r);
	r->counted = NULL;
	if (!r->t)
		return;
	r->t->q = NULL;
	if (!r->t->inflight)
		free(r->t);
	r->t = NULL;
}

/**
 * virtio_net_set_rx_mode() - choose how frames reach the guest's buffers
 * @vn:		the device
 * @mode:	enum vn_rx_mode
 *
 * From the device's loop thread (a benchmark compares both ways in one
 * run); direct reads stop at the next iteration.
 */
void virtio_net_set_rx_mode(struct virtio_net *vn, enum vn_rx_mode mode)
{
	vn->p.rx_mode = (uint8_t)mode;
}
