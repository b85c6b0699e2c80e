// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_tx.c: tap transmit: validated virtio-net header + frame, batched writes, backpressure. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backends/tap_int.h"
#include "datapath/frame_hot.h"
#include "datapath/vnet_check.h"

/*
 * DOC: tap transmit path
 *
 * receive() turns each frame into one write SQE; the loop submits all SQEs
 * of an iteration with one io_uring_enter(), so no system call is made per
 * frame. A queue has a fixed number of write slots (writes in flight):
 *
 * - a frame of up to TAP_TX_COPY_MAX bytes is copied, behind its header,
 *   into the slot's part of the copy area, which is registered with the
 *   ring when the loop has no registered buffers yet (WRITE_FIXED), and the
 *   frame is finished with at once;
 * - a larger frame is written in place (WRITEV: header from the slot,
 *   frame from its own memory, in as many pieces as a scattered frame
 *   has: frame.iov) and referenced (frame_get()) until the
 *   write completes, then released (frame_put()); for a borrowed frame (a
 *   guest's TX buffer, frame.borrowed) that is what completes the chain.
 *   Small borrowed frames are copied like any other: the kernel reads a
 *   registered buffer faster than a user iovec, by more than the copy
 *   costs (bench-vtap: 590 ns per 64-byte frame written from the guest's
 *   buffer, 475 ns copied; docs/tap.md).
 *
 * When every slot is busy, receive() takes fewer frames than offered and
 * the sender is held (port_send's backpressure). The tap fd is O_NONBLOCK,
 * so a write meeting a full send buffer waits inside the kernel (io_uring
 * polls for writability) and its slot stays busy: a full tap therefore
 * stops the guest's TX ring instead of dropping. As completions free slots,
 * the per-iteration hook wakes the held sender (port_wake()), at most once
 * per iteration and only when a batch fits or every slot is free.
 *
 * Every header is checked by vnet_check() before it reaches the kernel;
 * a frame that fails is taken and dropped as bad_vnet_hdr. A frame with
 * offload metadata on a tap without IFF_VNET_HDR cannot be honoured and is
 * dropped the same way. A write the kernel refuses (tap down: -EIO;
 * deleted: -EBADFD) counts as io_error and tells the carrier logic.
 */

static void tap_tx_done(struct uloop *loop, struct uloop_op *op, int res,
			uint32_t cqe_flags)
{
	struct tap_slot *s = TAP_CONTAINER_OF(op, struct tap_slot, op);
	struct tap_queue *q = s->q;

	if (res == (int)s->len) {
		q->stats.tx_frames++;
		q->stats.tx_bytes += s->len - q->t->hdr_len;
	} else {
		q->stats.write_fails++;
		port_count_drop(&q->t->port, q->idx, PORT_DROP_IO_ERROR, 1);
		if (res < 0 && res != -ECANCELED)
			tap_carrier_event(q, res);
	}
	if (s->f) {
		frame_put(s->f);
		s->f = NULL;
	}
	q->free[q->nfree++] = (unsigned int)(s - q->slots);
	if (q->t->port.waiting[q->idx])
		q->wake_due = true;
}

/**
 * tap_tx_wake() - wake the held sender if a batch fits (from the hook)
 * @q: the queue
 */
void tap_tx_wake(struct tap_queue *q)
{
	if (!q->t->port.waiting[q->idx]) {
		q->wake_due = false;
		return;
	}
	if (q->nfree < FRAME_BATCH_MAX && q->nfree < q->nslots)
		return;
	q->wake_due = false;
	q->stats.woken++;
	port_wake(&q->t->port, q->idx);
}

/*
 * What IFF_VNET_HDR takes (HARDENING measure 7, T-20): every offload the
 * kernel implements, USO included; GSO without NEEDS_CSUM (the kernel finds
 * the transport header itself); ECN only on TCP; the frame is looked into
 * as far as its IP family (DEPTH_L3).
 */
static const struct vnet_check_policy tap_tx_vnet_policy = {
	.accept = VNET_CHECK_ACCEPT_CSUM | VNET_CHECK_ACCEPT_TCPV4 |
		  VNET_CHECK_ACCEPT_UDP | VNET_CHECK_ACCEPT_TCPV6 |
		  VNET_CHECK_ACCEPT_UDP_L4 | VNET_CHECK_ACCEPT_ECN,
	.rules = VNET_CHECK_RULE_FLAGS | VNET_CHECK_RULE_ECN_TCP,
	.depth = VNET_CHECK_DEPTH_L3,
};

/* Can this frame's offload metadata go to this tap? */
static bool tap_tx_vnet_ok(struct tap_queue *q, const struct frame *f)
{
	if (!f->has_vnet)
		return true;
	if (!q->t->vnet)
		return !(f->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		       f->vnet.gso_type == VIRTIO_NET_HDR_GSO_NONE;
	return vnet_check_head(&f->vnet, f->data, frame_head(f), f->len,
			       &tap_tx_vnet_policy) == VNET_CHECK_OK;
}

/* Fill @hdr (TAP_VNET_HDR_LEN bytes) for frame @f. */
static void tap_tx_hdr(struct virtio_net_hdr_v1 *hdr, const struct frame *f)
{
	if (f->has_vnet) {
		*hdr = f->vnet;
		hdr->num_buffers = 0;
	} else {
		memset(hdr, 0, sizeof(*hdr));
	}
}

/* Queue the write of frame @f in slot @s. Return: 0 or -EBUSY (no SQE). */
static int tap_tx_prep(struct tap_queue *q, struct tap_slot *s,
		       struct frame *f)
{
	uint32_t hdr = q->t->hdr_len;
	unsigned int fl = tap_io_flags(q), n;
	int fd = tap_io_fd(q), ret;

	s->len = hdr + f->len;
	if (f->len <= TAP_TX_COPY_MAX) {
		if (hdr)
			tap_tx_hdr((struct virtio_net_hdr_v1 *)(void *)s->buf, f);
		frame_copy_out(f, s->buf + hdr);
		s->f = NULL;
		if (q->copy_fixed)
			ret = uloop_write_fixed(q->loop, &s->op, fd, s->buf,
						s->len, ULOOP_OFF_CUR, 0, fl);
		else
			ret = uloop_write(q->loop, &s->op, fd, s->buf, s->len,
					  ULOOP_OFF_CUR, fl);
		if (!ret)
			q->stats.tx_copied++;
		return ret;
	}
	tap_tx_hdr(&s->hdr, f);
	s->iov[0].iov_base = &s->hdr;
	s->iov[0].iov_len = hdr;
	if (f->niov) {
		memcpy(&s->iov[1], f->iov, f->niov * sizeof(s->iov[0]));
		n = 1u + f->niov;
	} else {
		s->iov[1].iov_base = f->data;
		s->iov[1].iov_len = f->len;
		n = 2;
	}
	ret = uloop_writev(q->loop, &s->op, fd, hdr ? s->iov : s->iov + 1,
			   hdr ? n : n - 1, ULOOP_OFF_CUR, fl);
	if (ret)
		return ret;
	s->f = frame_get(f);
	q->stats.tx_zerocopy++;
	return 0;
}

/**
 * tap_tx_receive() - the port's receive(): write up to @n frames
 * @q: the queue
 * @f: the frames
 * @n: how many
 *
 * Return: frames taken (written, or dropped and counted for a bad header);
 * fewer than @n when the write slots (or the SQ) ran out.
 */
unsigned int tap_tx_receive(struct tap_queue *q, struct frame **f,
			    unsigned int n)
{
	unsigned int i;

	if (!q->running) {
		port_count_drop(&q->t->port, q->idx, PORT_DROP_IO_ERROR, n);
		return n;
	}
	for (i = 0; i < n; i++) {
		struct tap_slot *s;

		if (!tap_tx_vnet_ok(q, f[i])) {
			q->stats.bad_vnet++;
			port_count_drop(&q->t->port, q->idx, PORT_DROP_BAD_VNET,
					1);
			continue;
		}
		if (!q->nfree)
			break;
		s = &q->slots[q->free[q->nfree - 1]];
		if (tap_tx_prep(q, s, f[i]))
			break;
		q->nfree--;
	}
	if (i < n) {
		q->stats.held++;
		q->wake_due = true;
	}
	return i;
}

/**
 * tap_tx_busy() - are writes still in flight?
 * @q: the queue
 *
 * Return: true while any slot is busy.
 */
bool tap_tx_busy(const struct tap_queue *q)
{
	return q->slots && q->nfree != q->nslots;
}

/* Map the copy area and register it with the loop when it has none. */
static int tap_tx_copy_area(struct tap_queue *q)
{
	size_t page = 4096;
	struct iovec iov;

	q->copy_size = ((size_t)q->nslots * TAP_TX_COPY_BUF + page - 1) &
		       ~(page - 1);
	q->copy_area = mmap(NULL, q->copy_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (q->copy_area == MAP_FAILED) {
		q->copy_area = NULL;
		return -ENOMEM;
	}
	iov.iov_base = q->copy_area;
	iov.iov_len = q->copy_size;
	q->copy_fixed = q->loop->nr_bufs == 0 &&
			uloop_buffers_register(q->loop, &iov, 1) == 0;
	return 0;
}

/**
 * tap_tx_setup() - size the transmit side of a queue (in its loop's thread)
 * @q: the queue, with ->loop set
 *
 * Return: 0 or -ENOMEM.
 */
int tap_tx_setup(struct tap_queue *q)
{
	unsigned int i;

	q->nslots = q->t->tx_slots;
	q->slots = calloc(q->nslots, sizeof(*q->slots));
	q->free = calloc(q->nslots, sizeof(*q->free));
	if (!q->slots || !q->free || tap_tx_copy_area(q)) {
		free(q->slots);
		free(q->free);
		q->slots = NULL;
		q->free = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < q->nslots; i++) {
		struct tap_slot *s = &q->slots[i];

		uloop_op_init(&s->op, tap_tx_done);
		s->q = q;
		s->buf = q->copy_area + (size_t)i * TAP_TX_COPY_BUF;
		q->free[i] = q->nslots - 1 - i;
	}
	q->nfree = q->nslots;
	return 0;
}

/**
 * tap_tx_cancel() - cancel the writes in flight (they complete -ECANCELED,
 * or with their result if they finished first)
 * @q: the queue
 */
void tap_tx_cancel(struct tap_queue *q)
{
	unsigned int i;

	for (i = 0; q->slots && i < q->nslots; i++)
		if (q->slots[i].op.inflight)
			uloop_cancel(q->loop, &q->slots[i].op);
}

/**
 * tap_tx_teardown() - free the transmit side (no write in flight)
 * @q: the queue
 */
void tap_tx_teardown(struct tap_queue *q)
{
	if (q->copy_fixed)
		uloop_buffers_unregister(q->loop);
	q->copy_fixed = false;
	if (q->copy_area)
		munmap(q->copy_area, q->copy_size);
	q->copy_area = NULL;
	free(q->slots);
	free(q->free);
	q->slots = NULL;
	q->free = NULL;
	q->nfree = q->nslots = 0;
}
