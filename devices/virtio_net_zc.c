// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net_zc.c: zero-copy TX: frames that borrow the guest's buffer until the peer is done with it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/frame_hot.h"
#include "datapath/uring/uloop.h"
#include "devices/virtio_net_int.h"
#include "devices/vnet_hdr.h"

/**
 * DOC: zero-copy TX
 *
 * When the pair's peer says it can take borrowed frames on this queue
 * (port_ops.borrow_ok: a tap queue on the pair's own loop, writes that
 * finish inside io_uring_submit()), a TX chain is not copied: a frame from
 * the pair's borrow table points into the guest's buffer (frame.borrowed)
 * and goes to the peer; the chain is completed in the used ring only when
 * the frame's last reference drops (the tap's write completed). A frame in
 * one piece of guest memory ([header + frame] or [header][frame]: what
 * Linux sends for linear skbs) is a plain frame; one in several pieces
 * ([header][linear part][page fragments...]: a Linux GSO frame, TCP data)
 * is a scattered frame (frame.iov, at most FRAME_IOV_MAX pieces), lent
 * only when no filter sits on either port (filters read frame.data as one
 * piece) and, when its header asks for an offload, only when the headers
 * the checks read lie in its first piece (vnet_hdr_check_head()). Only
 * the 12-byte header is copied, into frame.vnet, so what is validated is
 * what the kernel gets. Chains that need software checksum or
 * segmentation (no peer_vnet), or that do not fit those rules, are copied
 * as before, and so is everything when the table (VN_ZC_N frames) is
 * empty.
 *
 * The guest's memory must not be read after a ring stops or the memory
 * table changes, and a stopped ring must get no more used entries. Every
 * such change runs under vn_quiesce(): each loop first submits its queued
 * SQEs (uloop_flush(); the tap's writes complete inside the submit), then
 * vn_zc_settle() completes every borrowed chain still referenced in the
 * used ring and starts a new generation, so the later releases of those
 * frames only return them to the table. A borrowed frame the peer did not
 * take (the sender is held) is copied into a pool frame at once
 * (vn_zc_unshare()), so borrowed frames live only inside the peer.
 */

/* frame.cookie: generation << 32 | ring slots << 16 | head */
#define VN_ZC_COOKIE(gen, ndesc, head) \
	((uint64_t)(gen) << 32 | (uint64_t)(ndesc) << 16 | (uint64_t)(head))

/**
 * vn_zc_release() - a borrowed frame's last reference dropped: complete
 * its chain (unless settled already) and put it back in the table; once
 * the device is gone, free the table with its last frame
 * @f:	the frame
 */
static void vn_zc_release(struct frame *f)
{
	struct vn_zc_table *t = (struct vn_zc_table *)(void *)f->owner;
	struct vn_queue *q = t->q;

	f->data = NULL;
	f->niov = 0;
	f->iov = NULL;
	t->free[t->nfree++] = f;
	if (!q) {
		if (!--t->refs)
			free(t);
		return;
	}
	t->refs--;
	if ((uint32_t)(f->cookie >> 32) == t->gen) {
		struct virtq *vq = &q->vn->vu.vq[2 * q->idx + 1];

		if (virtq_ready(vq)) {
			virtq_push(vq, (uint16_t)f->cookie,
				   (uint16_t)(f->cookie >> 16), 0);
			q->zc.push_due = true;
		}
	}
}

/**
 * vn_zc_init() - allocate a pair's borrow table
 * @q:	the pair
 *
 * Return: 0 or -ENOMEM.
 */
int vn_zc_init(struct vn_queue *q)
{
	struct vn_zc_table *t = calloc(1, sizeof(*t));
	unsigned int i;

	if (!t)
		return -ENOMEM;
	t->owner.release = vn_zc_release;
	t->q = q;
	t->refs = 1;
	for (i = 0; i < VN_ZC_N; i++)
		t->free[i] = &t->frames[VN_ZC_N - 1 - i];
	t->nfree = VN_ZC_N;
	q->zc.t = t;
	return 0;
}

/**
 * vn_zc_detach() - the device lets go of a pair's table: freed now, or by
 * the release of the last frame still lent
 * @q:	the pair (its thread parked, or this is its thread; settled)
 */
void vn_zc_detach(struct vn_queue *q)
{
	struct vn_zc_table *t = q->zc.t;

	if (!t)
		return;
	q->zc.t = NULL;
	t->q = NULL;
	if (!--t->refs)
		free(t);
}

/**
 * vn_zc_allowed() - may this TX pass lend guest buffers to the peer?
 * @q:	the pair (in its thread); sets @q->zc.scatter too
 *
 * Return: true when the peer takes borrowed frames on this queue from
 * this pair's loop.
 */
bool vn_zc_allowed(struct vn_queue *q)
{
	struct port *peer = q->vn->port.peer;
	bool on = !q->vn->p.tx_copy && q->zc.t && q->zc.t->nfree && peer &&
		  peer->ops->borrow_ok &&
		  peer->ops->borrow_ok(peer, q->idx, q->loop);

	q->zc.scatter = on && !q->vn->port.nfilters && !peer->nfilters;
	return on;
}

/**
 * zc_pieces() - the frame's pieces of a chain, after the header
 * @q:		the pair
 * @c:		the chain (readable only; iov[0] holds the whole header)
 * @iov:	FRAME_IOV_MAX entries, filled
 *
 * Return: pieces (empty ones skipped), or 0 when there are more than
 * FRAME_IOV_MAX or more than one and the pair may not lend scattered
 * frames.
 */
static unsigned int zc_pieces(struct vn_queue *q, const struct virtq_chain *c,
			      struct iovec *iov)
{
	uint32_t hl = q->vn->hdr_len;
	unsigned int i, n = 0;

	for (i = 0; i < c->nr; i++) {
		size_t skip = i == 0 ? hl : 0;

		if (c->iov[i].iov_len == skip)
			continue;
		if (n == FRAME_IOV_MAX)
			return 0;
		iov[n].iov_base = (uint8_t *)c->iov[i].iov_base + skip;
		iov[n].iov_len = c->iov[i].iov_len - skip;
		n++;
	}
	return n > 1 && !q->zc.scatter ? 0 : n;
}

/**
 * vn_zc_take() - a borrowed frame for a chain, if the chain allows one
 * @q:	the pair
 * @c:	the chain (readable only, at least header + FRAME_MIN_LEN bytes)
 *
 * The header is copied into the frame's @vnet; the frame's bytes stay in
 * the guest's buffer, in one piece or scattered (see the DOC above). A
 * header that asks for work the device would do in software (no
 * peer_vnet) rules the chain out, as does a scattered frame whose offload
 * headers are not all in its first piece.
 *
 * Return: the frame (one reference, has_vnet not yet decided), or NULL:
 * copy the chain instead.
 */
struct frame *vn_zc_take(struct vn_queue *q, const struct virtq_chain *c)
{
	struct vn_zc_table *t = q->zc.t;
	uint32_t hl = q->vn->hdr_len;
	struct virtio_net_hdr_v1 h;
	struct iovec *iov;
	unsigned int n, k;
	struct frame *f;
	uint64_t len = c->rlen - hl;
	bool offload;

	if (!t || !t->nfree || c->iov[0].iov_len < hl ||
	    len < FRAME_MIN_LEN || len > FRAME_MAX_LEN)
		return NULL;
	memset(&h, 0, sizeof(h));
	memcpy(&h, c->iov[0].iov_base, hl);
	offload = h.flags || h.gso_type != VIRTIO_NET_HDR_GSO_NONE;
	if (!q->vn->p.peer_vnet && offload)
		return NULL;
	f = t->free[t->nfree - 1];
	k = (unsigned int)(f - t->frames);
	iov = t->iov[k];
	n = zc_pieces(q, c, iov);
	if (!n)
		return NULL;
	if (n > 1 && offload &&
	    vnet_hdr_check_head(&h, iov[0].iov_base, (uint32_t)iov[0].iov_len,
				(uint32_t)len, q->vn->host_caps))
		return NULL;
	t->nfree--;
	t->refs++;
	f->data = iov[0].iov_base;
	f->len = (uint32_t)len;
	f->cap = (uint32_t)len;
	f->niov = n > 1 ? (uint16_t)n : 0;
	f->iov = n > 1 ? iov : NULL;
	f->refs = 1;
	f->has_vnet = 0;
	f->borrowed = 1;
	f->queue = (uint16_t)q->idx;
	f->owner = &t->owner;
	f->cookie = VN_ZC_COOKIE(t->gen, c->ndesc, c->head);
	f->vnet = h;
	q->stats.tx_lent++;
	if (n > 1)
		q->stats.tx_lent_scattered++;
	return f;
}

/**
 * vn_zc_unshare() - replace a borrowed frame by a copy in a pool frame
 * @q:	the pair
 * @fp:	the frame (our reference); replaced by the copy
 *
 * The borrowed frame is released (its chain completes).
 *
 * Return: true, or false when the pool is empty (nothing changed).
 */
bool vn_zc_unshare(struct vn_queue *q, struct frame **fp)
{
	struct frame *b = *fp, *f;

	if (!b->borrowed)
		return true;
	f = vn_frame_alloc(q, b->len);
	if (!f)
		return false;
	frame_copy_out(b, f->data);
	f->len = b->len;
	f->has_vnet = b->has_vnet;
	f->vnet = b->vnet;
	frame_put(b);
	*fp = f;
	q->stats.tx_unshared++;
	return true;
}

/**
 * vn_zc_flush() - publish and signal the chains releases completed
 * @q:	the pair (in its thread: the per-iteration hook)
 */
void vn_zc_flush(struct vn_queue *q)
{
	struct virtq *vq;

	if (!q->zc.push_due || !q->vn->vu.vq)
		return;
	q->zc.push_due = false;
	vq = &q->vn->vu.vq[2 * q->idx + 1];
	if (!virtq_ready(vq))
		return;
	virtq_flush(vq);
	virtq_notify(vq);
}

/**
 * vn_zc_settle() - before rings or memory change: end every borrow
 * @q:	the pair (its thread parked, or this is its thread), its loop's
 *	SQEs submitted
 *
 * Held frames still borrowed are copied (or dropped, counted, when the
 * pool is empty); every chain whose frame the peer still references is
 * completed now (the peer's write is done: uloop_flush()), and a new
 * generation starts so their releases complete nothing twice.
 */
void vn_zc_settle(struct vn_queue *q)
{
	struct vn_zc_table *t = q->zc.t;
	struct virtq *vq;
	unsigned int i, k = 0;
	bool pushed = false;

	for (i = 0; i < q->held.n; i++) {
		if (vn_zc_unshare(q, &q->held.f[i])) {
			q->held.f[k++] = q->held.f[i];
			continue;
		}
		port_count_drop(&q->vn->port, q->idx, PORT_DROP_NO_BUFFER, 1);
		frame_put(q->held.f[i]);
	}
	q->held.n = k;
	if (!t || !q->vn->vu.vq)
		return;
	vq = &q->vn->vu.vq[2 * q->idx + 1];
	for (i = 0; t->refs > 1 && i < VN_ZC_N; i++) {
		struct frame *f = &t->frames[i];

		if (!f->refs || (uint32_t)(f->cookie >> 32) != t->gen)
			continue;
		q->stats.tx_settled++;
		if (!virtq_ready(vq))
			continue;
		virtq_push(vq, (uint16_t)f->cookie, (uint16_t)(f->cookie >> 16),
			   0);
		pushed = true;
	}
	t->gen++;
	if (pushed || q->zc.push_due) {
		q->zc.push_due = false;
		virtq_flush(vq);
		virtq_notify(vq);
	}
}

/**
 * virtio_net_set_tx_copy() - turn zero-copy TX off (or on again)
 * @vn:		the device
 * @copy:	true: copy every chain
 *
 * Call it from the device's loop thread with the pairs on that loop (a
 * benchmark compares both ways in one run); takes effect at the next pass.
 */
void virtio_net_set_tx_copy(struct virtio_net *vn, bool copy)
{
	vn->p.tx_copy = copy;
}
