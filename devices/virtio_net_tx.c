// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net_tx.c: guest TX: ring -> frames -> port_send, with backpressure. */
#include <errno.h>
#include <string.h>

#include "datapath/frame_hot.h"
#include "devices/virtio_net_int.h"
#include "devices/vnet_hdr.h"

/**
 * DOC: TX path
 *
 * A kick (or a resume, or a pool refill) runs vn_tx_run() for a queue
 * pair. Each chain popped from the TX ring is copied into a frame from the
 * pair's pool and completed in the used ring at once (used.len = 0): from
 * then on the frame is qnet's, so a guest reset or a front-end that goes
 * away cannot lose it (held frames wait while the link is down and go
 * out when it comes back). When the peer takes borrowed frames (a tap
 * queue on this pair's loop), a chain in one piece is lent instead of
 * copied and completes when the peer releases it (virtio_net_zc.c). The batch goes to port_send() with can_hold: when
 * the peer takes fewer, the rest stays in @held and the ring is not
 * consumed further until the peer resumes us (the guest's ring fills up:
 * backpressure). At most the ring size is walked per pass; a pass that
 * used its budget schedules the next one in the loop's hook.
 *
 * Offloads: the header is checked with vnet_hdr_check() against the
 * negotiated host features (a bad one: drop, bad_vnet_hdr). With
 * peer_vnet the header travels in frame->vnet; otherwise the checksum is
 * completed here and GSO frames are segmented here (offload.c).
 */

/**
 * tx_send() - offer frames to the peer; keep what it does not take
 * @q:		the queue pair
 * @b:		frames (our references); emptied of what was taken
 *
 * Return: true when everything went (taken or dropped and counted).
 */
static bool tx_send(struct vn_queue *q, struct frame_batch *b)
{
	unsigned int done, i;

	if (!b->n)
		return true;
	done = port_send(&q->vn->port, q->idx, b->f, b->n, true);
	frame_put_n(b->f, done);
	frame_batch_consume(b, done);
	/* Held frames must not keep guest buffers (virtio_net_zc.c); when
	 * the pool is empty, vn_zc_settle() copies or drops them later. */
	for (i = 0; i < b->n; i++)
		vn_zc_unshare(q, &b->f[i]);
	return b->n == 0;
}

/**
 * tx_gso_fill() - add segments of the pending GSO frame to the batch
 * @q:	the queue pair
 * @b:	the batch
 *
 * Return: false when the pool ran empty (TX must pause).
 */
static bool tx_gso_fill(struct vn_queue *q, struct frame_batch *b)
{
	while (q->gso_frame && !frame_batch_full(b)) {
		struct frame *s = vn_frame_alloc(q, offload_gso_seg_max(&q->gso));
		int len;

		if (!s) {
			q->stats.tx_no_frame++;
			q->tx_starved = true;
			return false;
		}
		len = offload_gso_next(&q->gso, s->data, s->cap);
		if (len <= 0) {
			frame_put(s);
			frame_put(q->gso_frame);
			q->gso_frame = NULL;
			break;
		}
		s->len = (uint32_t)len;
		q->stats.tx_sw_segs++;
		frame_batch_add(b, s);
	}
	return true;
}

/**
 * tx_offload() - apply the header of a copied frame
 * @q:	the queue pair
 * @f:	the frame (data copied, @f->vnet holds the guest's header)
 * @b:	the batch the frame (or its segments) goes to
 *
 * Return: true if @f went into the batch or into GSO segmentation;
 * false if it was dropped (counted; the caller's reference is released).
 */
static bool tx_offload(struct vn_queue *q, struct frame *f,
		       struct frame_batch *b)
{
	struct virtio_net *vn = q->vn;
	struct virtio_net_hdr_v1 *h = &f->vnet;
	bool gso = h->gso_type != VIRTIO_NET_HDR_GSO_NONE;

	if (!h->flags && !gso) {
		f->has_vnet = 0;
		goto plain;
	}
	if (vnet_hdr_check_head(h, f->data, frame_head(f), f->len,
				vn->host_caps)) {
		q->stats.tx_bad_vnet++;
		port_count_drop(&vn->port, q->idx, PORT_DROP_BAD_VNET, 1);
		frame_put(f);
		return false;
	}
	h->num_buffers = 0;
	if (vn->p.peer_vnet) {
		f->has_vnet = 1;
		return frame_batch_add(b, f);
	}
	f->has_vnet = 0;
	if (gso) {
		if (offload_gso_init(&q->gso, f->data, f->len, h)) {
			q->stats.tx_bad_vnet++;
			port_count_drop(&vn->port, q->idx, PORT_DROP_BAD_VNET, 1);
			frame_put(f);
			return false;
		}
		q->stats.tx_sw_gso++;
		q->gso_frame = f;
		return true;
	}
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		offload_csum(f->data, f->len, h);
		q->stats.tx_sw_csum++;
	}
plain:
	if (f->len > vn->mtu + 18) {
		port_count_drop(&vn->port, q->idx, PORT_DROP_GIANT, 1);
		frame_put(f);
		return false;
	}
	return frame_batch_add(b, f);
}

/**
 * tx_chain() - turn one popped chain into a frame in the batch
 * @q:	the queue pair
 * @c:	the chain
 * @b:	the batch (has room)
 *
 * Return: 0 (consumed: copied and sent on, or dropped and counted: the
 * caller completes the chain); 1 (lent: the frame borrows the chain, which
 * completes when the frame is released); -ENOBUFS when the pool is empty
 * (the caller gives the chain back).
 */
static int tx_chain(struct vn_queue *q, struct virtq_chain *c,
		    struct frame_batch *b)
{
	struct virtio_net *vn = q->vn;
	uint32_t hl = vn->hdr_len;
	struct frame *f;
	uint64_t len;

	if (c->nw || c->rlen < hl + FRAME_MIN_LEN) {
		q->stats.tx_bad_chain++;
		port_count_drop(&vn->port, q->idx, PORT_DROP_MALFORMED, 1);
		return 0;
	}
	len = c->rlen - hl;
	if (len > FRAME_MAX_LEN) {
		port_count_drop(&vn->port, q->idx, PORT_DROP_GIANT, 1);
		return 0;
	}
	if (q->zc.on) {
		f = vn_zc_take(q, c);
		if (f) {
			tx_offload(q, f, b);
			return 1;
		}
	}
	f = vn_frame_alloc(q, (uint32_t)len);
	if (!f) {
		q->stats.tx_no_frame++;
		q->tx_starved = true;
		return -ENOBUFS;
	}
	memset(&f->vnet, 0, sizeof(f->vnet));
	vn_iov_from(&f->vnet, c->iov, c->nr, 0, hl);
	f->len = (uint32_t)vn_iov_from(f->data, c->iov, c->nr, hl, len);
	tx_offload(q, f, b);
	return 0;
}

/**
 * tx_fill() - pop chains into the batch (bounded by @budget)
 * @q:		the queue pair
 * @vq:		its TX ring
 * @b:		the batch
 * @budget:	chains still allowed in this pass; decremented
 *
 * Return: true while the ring may hold more (stopped for the batch or the
 * budget), false when it is empty, broken or the pool ran out.
 */
static bool tx_fill(struct vn_queue *q, struct virtq *vq,
		    struct frame_batch *b, unsigned int *budget)
{
	while (!frame_batch_full(b) && !q->gso_frame) {
		int ret;

		if (!*budget)
			return true;
		ret = virtq_pop(vq, &q->chain);
		if (ret == -EAGAIN || ret == -EIO)
			return false;
		(*budget)--;
		if (ret == -EINVAL) {
			virtq_push(vq, q->chain.head, q->chain.ndesc, 0);
			q->stats.tx_bad_chain++;
			port_count_drop(&q->vn->port, q->idx,
					PORT_DROP_MALFORMED, 1);
			continue;
		}
		ret = tx_chain(q, &q->chain, b);
		if (ret == -ENOBUFS) {
			virtq_unpop(vq, 1, q->chain.ndesc);
			return false;
		}
		if (ret == 0)
			virtq_push(vq, q->chain.head, q->chain.ndesc, 0);
		if (!tx_gso_fill(q, b))
			return false;
	}
	return true;
}

/**
 * tx_pass() - one bounded TX pass over a ready ring
 * @q:	the queue pair
 * @vq:	its TX ring
 */
static void tx_pass(struct vn_queue *q, struct virtq *vq)
{
	unsigned int budget = vq->num;
	struct frame_batch b;
	bool more = true;

	frame_batch_init(&b);
	q->zc.on = vn_zc_allowed(q);
	virtq_disable_notify(vq);
	while (more) {
		if (tx_gso_fill(q, &b))
			more = tx_fill(q, vq, &b, &budget);
		else	/* pool dry: send the segments made so far; a frame's
			 * release restarts TX (tx_starved) */
			more = false;
		virtq_flush(vq);
		virtq_notify(vq);
		if (!tx_send(q, &b)) {
			q->held = b;	/* held: resume brings us back */
			return;
		}
		if (!more && !q->tx_starved && virtq_enable_notify(vq))
			more = true;	/* raced with the guest: go on */
		if (more && !budget) {
			/* next iteration, without sleeping in between */
			q->tx_pending = true;
			uloop_wake(q->loop);
			return;
		}
	}
}

/**
 * vn_tx_run() - process a TX ring: held frames first, then new chains
 * @q:	the queue pair
 */
void vn_tx_run(struct vn_queue *q)
{
	struct virtq *vq;

	if (q->in_tx) {
		q->tx_pending = true;
		return;
	}
	q->tx_pending = false;
	/* Completed frames wait out a disconnection rather than drop. */
	if (!q->vn->vu.vq || !port_link_ok(&q->vn->port))
		return;
	q->in_tx = true;
	vq = &q->vn->vu.vq[2 * q->idx + 1];
	if (tx_send(q, &q->held) && virtq_ready(vq))
		tx_pass(q, vq);
	q->in_tx = false;
}

/**
 * vn_tx_resume() - the peer can take more on @queue
 * @p:		the device's port
 * @queue:	the queue pair
 */
void vn_tx_resume(struct port *p, unsigned int queue)
{
	struct virtio_net *vn = p->priv;

	vn->q[queue].tx_pending = true;
	vn_tx_run(&vn->q[queue]);
}
