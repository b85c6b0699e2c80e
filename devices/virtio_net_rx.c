// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net_rx.c: guest RX: frames from the peer -> guest buffers (MRG_RXBUF). */
#include <errno.h>
#include <string.h>

#include "datapath/frame_hot.h"
#include "devices/virtio_net_int.h"
#include "devices/vnet_hdr.h"

/**
 * DOC: RX path
 *
 * receive() copies each frame, behind a virtio-net header of the
 * negotiated length, into chains popped from the RX ring. With
 * MRG_RXBUF a frame spans as many chains as it needs (num_buffers says
 * how many; at most the ring size); without it one chain must hold it
 * all, and a frame too large for the chain is dropped (no_rx_buffer)
 * while the chain is given back unconsumed. When the ring has no buffers
 * the frames not yet taken hold the sender; the guest's next RX kick
 * wakes it (port_wake). Chains with readable descriptors or bad
 * addresses are returned with used.len 0 and counted.
 *
 * Offload metadata from the peer is checked (vnet_hdr_check()); what the
 * guest did not negotiate is done here: checksums completed, GSO frames
 * segmented, each in the pair's scratch buffer.
 *
 * This is the copy path. When the peer lets the device read it directly
 * (virtio_net_rxd.c) the kernel fills the guest's buffers itself; when
 * that stops with the ring running, the buffers it had taken and not
 * filled are used here first (MRG_RXBUF), before the ring's.
 */

/**
 * rx_bad() - return a bad chain with length 0
 * @q:	the queue pair
 * @vq:	its RX ring
 */
static void rx_bad(struct vn_queue *q, struct virtq *vq)
{
	virtq_push(vq, q->chain.head, q->chain.ndesc, 0);
	q->stats.rx_bad_chain++;
}

/**
 * rx_pop() - pop a usable (all-writable) RX chain
 * @q:	the queue pair
 * @vq:	its RX ring
 *
 * Bad chains met on the way are returned with length 0; at most the ring
 * size of them.
 *
 * Return: 0, -EAGAIN when the ring is empty, -EIO when it is broken.
 */
static int rx_pop(struct vn_queue *q, struct virtq *vq)
{
	unsigned int tries;

	for (tries = 0; tries <= vq->num; tries++) {
		int ret = virtq_pop(vq, &q->chain);

		if (ret == -EAGAIN || ret == -EIO)
			return ret;
		if (ret == 0 && q->chain.nr == 0 && q->chain.wlen)
			return 0;
		rx_bad(q, vq);
	}
	return -EAGAIN;
}

/**
 * rx_one_chain() - deliver a frame into one chain (no MRG_RXBUF)
 * @q:		the queue pair
 * @vq:		its RX ring
 * @h:		the header to write
 * @data:	the frame
 * @len:	its length
 *
 * Return: 0; -EAGAIN without buffers; -EMSGSIZE when the chain is too
 * small (given back); -EIO when the ring broke.
 */
static int rx_one_chain(struct vn_queue *q, struct virtq *vq,
			const struct virtio_net_hdr_v1 *h, const uint8_t *data,
			uint32_t len)
{
	uint32_t hl = q->vn->hdr_len;
	struct virtq_chain *c = &q->chain;
	int ret = rx_pop(q, vq);

	if (ret)
		return ret;
	if (c->wlen < (uint64_t)hl + len) {
		virtq_unpop(vq, 1, c->ndesc);
		return -EMSGSIZE;
	}
	vn_iov_to(c->iov, c->nw, 0, h, hl);
	vn_iov_to(c->iov, c->nw, hl, data, len);
	virtq_push(vq, c->head, c->ndesc, hl + len);
	return 0;
}

/**
 * rx_mrg_abort() - give back or drop the chains of a frame being delivered
 * @q:		the queue pair
 * @vq:		its RX ring
 * @n:		good chains popped for the frame
 * @give_back:	true: un-pop them (no buffer consumed); false: return them
 *		with length 0 (the frame is dropped)
 */
static void rx_mrg_abort(struct vn_queue *q, struct virtq *vq, uint32_t n,
			 bool give_back)
{
	uint32_t i, descs = 0, spares = 0;

	if (give_back) {
		/* the first ones may be direct RX's spares */
		for (i = 0; i < n; i++) {
			if (q->used[i].spare)
				spares++;
			else
				descs += q->used[i].ndesc;
		}
		virtq_unpop(vq, n - spares, descs);
		vn_rxd_spare_restore(q, spares);
		return;
	}
	for (i = 0; i < n; i++)
		virtq_push(vq, q->used[i].head, q->used[i].ndesc, 0);
}

/**
 * rx_mrg() - deliver a frame over as many chains as it needs (MRG_RXBUF)
 * @q:		the queue pair
 * @vq:		its RX ring
 * @h:		the header to write (num_buffers is set here)
 * @data:	the frame
 * @len:	its length
 *
 * A bad chain before the first good one is returned with length 0; one in
 * the middle of a frame drops the frame (its chains return with length 0).
 *
 * Return: 0; -EAGAIN without enough buffers (all given back); -EMSGSIZE
 * dropped; -EIO when the ring broke.
 */
static int rx_mrg(struct vn_queue *q, struct virtq *vq,
		  struct virtio_net_hdr_v1 *h, const uint8_t *data, uint32_t len)
{
	uint32_t hl = q->vn->hdr_len, off = 0, i, n = 0;
	struct virtq_chain *c = &q->chain;
	struct iovec first[16];
	unsigned int nfirst = 0;

	while (off < len || n == 0) {
		uint32_t room, skip = n == 0 ? hl : 0, chunk;
		bool spare = vn_rxd_spare_chain(q, c);
		int ret = spare ? 0 : virtq_pop(vq, c);

		if (ret == -EAGAIN || ret == -EIO) {
			rx_mrg_abort(q, vq, n, true);
			return ret;
		}
		room = c->wlen > 0xffffffffu ? 0xffffffffu : (uint32_t)c->wlen;
		if (ret || c->nr || !room || room < skip) {
			rx_bad(q, vq);
			if (n == 0)
				continue;
			rx_mrg_abort(q, vq, n, false);
			return -EMSGSIZE;
		}
		if (n == 0) {
			nfirst = c->nw < 16 ? c->nw : 16;
			memcpy(first, c->iov, nfirst * sizeof(first[0]));
		}
		chunk = len - off < room - skip ? len - off : room - skip;
		vn_iov_to(c->iov, c->nw, skip, data + off, chunk);
		q->used[n].head = c->head;
		q->used[n].ndesc = c->ndesc;
		q->used[n].len = chunk + skip;
		q->used[n].spare = spare;
		off += chunk;
		n++;
	}
	h->num_buffers = (uint16_t)n;
	vn_iov_to(first, nfirst, 0, h, hl);
	for (i = 0; i < n; i++)
		virtq_push(vq, q->used[i].head, q->used[i].ndesc, q->used[i].len);
	return 0;
}

/**
 * rx_deliver() - put one frame with header @h into the guest's buffers
 * @q:		the queue pair
 * @vq:		its RX ring
 * @h:		header (fields the guest negotiated; num_buffers set here)
 * @data:	the frame
 * @len:	its length
 *
 * Return: 0 delivered; -EAGAIN no buffers (hold); -EMSGSIZE dropped (too
 * big for the guest's buffers, counted); -EIO ring broken.
 */
static int rx_deliver(struct vn_queue *q, struct virtq *vq,
		      struct virtio_net_hdr_v1 *h, const uint8_t *data,
		      uint32_t len)
{
	struct virtio_net *vn = q->vn;

	if (vn->features & (1ull << VIRTIO_NET_F_MRG_RXBUF))
		return rx_mrg(q, vq, h, data, len);
	h->num_buffers = 1;
	return rx_one_chain(q, vq, h, data, len);
}

/**
 * rx_gso() - segment a GSO frame for a guest that cannot take it
 * @q:	the queue pair
 * @vq:	its RX ring
 * @f:	the frame (header checked)
 *
 * Return: 0 when every segment went; -EAGAIN when the ring ran dry before
 * the first segment (hold); -EMSGSIZE when it ran dry later (the rest is
 * dropped); -EINVAL for a frame that cannot be segmented.
 */
static int rx_gso(struct vn_queue *q, struct virtq *vq, struct frame *f)
{
	struct virtio_net_hdr_v1 h;
	struct offload_gso g;
	int len, ret, segs = 0;

	if (offload_gso_init(&g, f->data, f->len, &f->vnet))
		return -EINVAL;
	q->stats.rx_sw_gso++;
	while ((len = offload_gso_next(&g, q->scratch, VN_SCRATCH)) > 0) {
		memset(&h, 0, sizeof(h));
		ret = rx_deliver(q, vq, &h, q->scratch, (uint32_t)len);
		if (ret)
			return segs ? -EMSGSIZE : ret;
		segs++;
	}
	return len < 0 ? -EINVAL : 0;
}

/**
 * rx_frame() - deliver one frame, resolving offloads the guest lacks
 * @q:	the queue pair
 * @vq:	its RX ring
 * @f:	the frame
 *
 * Return: as rx_deliver(); -EINVAL for a bad header (dropped, counted).
 */
static int rx_frame(struct vn_queue *q, struct virtq *vq, struct frame *f)
{
	struct virtio_net *vn = q->vn;
	struct virtio_net_hdr_v1 h;
	unsigned int all = VNET_CAP_CSUM | VNET_CAP_TSO4 | VNET_CAP_TSO6 |
			   VNET_CAP_ECN;

	memset(&h, 0, sizeof(h));
	if (!f->has_vnet || (!f->vnet.flags && !f->vnet.gso_type))
		return rx_deliver(q, vq, &h, f->data, f->len);
	if (vnet_hdr_check(&f->vnet, f->data, f->len, all))
		return -EINVAL;
	if (f->vnet.gso_type) {
		unsigned int need = f->vnet.gso_type & VIRTIO_NET_HDR_GSO_ECN
					    ? VNET_CAP_ECN : 0;

		need |= (f->vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
				VIRTIO_NET_HDR_GSO_TCPV6 ? VNET_CAP_TSO6
							 : VNET_CAP_TSO4;
		if ((vn->guest_caps & need) != need)
			return rx_gso(q, vq, f);
	}
	if ((f->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !(vn->guest_caps & VNET_CAP_CSUM)) {
		memcpy(q->scratch, f->data, f->len);
		offload_csum(q->scratch, f->len, &f->vnet);
		q->stats.rx_sw_csum++;
		return rx_deliver(q, vq, &h, q->scratch, f->len);
	}
	h = f->vnet;
	h.flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID;
	return rx_deliver(q, vq, &h, f->data, f->len);
}

/**
 * vn_rx_receive() - port receive(): frames from the peer to the guest
 * @p:		the device's port
 * @queue:	queue pair
 * @f:		the frames
 * @n:		how many
 *
 * Return: how many were taken (delivered or dropped and counted); fewer
 * than @n when the guest has no buffers (the sender is held until the
 * guest adds some).
 */
unsigned int vn_rx_receive(struct port *p, unsigned int queue,
			   struct frame **f, unsigned int n)
{
	struct virtio_net *vn = p->priv;
	struct vn_queue *q = &vn->q[queue];
	struct virtq *vq;
	unsigned int i;

	if (!vn->vu.vq || !virtq_ready(&vn->vu.vq[2 * queue])) {
		q->rx_waiting = true;
		return 0;
	}
	vq = &vn->vu.vq[2 * queue];
	for (i = 0; i < n; i++) {
		int ret = rx_frame(q, vq, f[i]);
		unsigned int tries = 0;

		/* short of buffers: ask for a kick on the next ones, unless
		 * some came meanwhile (bounded: each retry saw more) */
		while (ret == -EAGAIN &&
		       tries++ < (vq->packed ? 1u : vq->num + 1u) &&
		       virtq_enable_notify(vq))
			ret = rx_frame(q, vq, f[i]);
		if (ret == -EAGAIN || ret == -EIO) {
			q->stats.rx_no_buffer++;
			q->rx_waiting = true;
			break;
		}
		if (ret == -EMSGSIZE) {
			q->stats.rx_too_big++;
			port_count_drop(p, queue, PORT_DROP_NO_BUFFER, 1);
		} else if (ret == -EINVAL) {
			port_count_drop(p, queue, PORT_DROP_BAD_VNET, 1);
		}
	}
	virtq_flush(vq);
	virtq_notify(vq);
	return i;
}
