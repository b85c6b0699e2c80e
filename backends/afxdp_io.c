// SPDX-License-Identifier: GPL-2.0-or-later
/* afxdp_io.c: af-xdp data path: RX ring to the peer, peer to TX ring, fill and completion rings in batches. */

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "backends/afxdp_int.h"
#include "datapath/frame_hot.h"

/**
 * DOC: af-xdp data path
 *
 * Each queue has one UMEM of AFXDP_FRAME_SIZE chunks: the first half for
 * RX, the second for TX.
 *
 * RX (host to guest): the RX ring's descriptors become struct frames that
 * point into the UMEM (no copy) and go to the peer with port_send(). A
 * frame comes back through its owner's release hook (when the peer and
 * everyone it handed the frame to are done), onto the queue's fill stack;
 * the fill stack goes into the fill ring in batches (after each RX batch
 * and once per loop iteration). A peer that holds us keeps the rest of the
 * batch pending; RX stops until it resumes us, and the kernel drops (and
 * counts) what no longer fits in the RX ring.
 *
 * TX (guest to host): receive() copies each frame into a free TX chunk and
 * puts a descriptor on the TX ring; the per-iteration hook kicks the kernel
 * once (sendto) for everything queued during the iteration and reaps the
 * completion ring back into the free TX chunks. When no TX chunk is free,
 * receive() takes fewer frames, holding the sender, and the hook wakes it
 * once completions free chunks.
 *
 * No allocation and no system call per frame: at most one sendto() per
 * queue per iteration (a few when the kernel transmits in slices), one
 * recvfrom() when the fill ring asks for a wake-up.
 */

/** AFXDP_CHUNK - chunk base of a UMEM address (aligned mode) */
#define AFXDP_CHUNK(addr) ((addr) & ~(uint64_t)(AFXDP_FRAME_SIZE - 1))

/**
 * struct afxdp_watch - readiness watch of the netdev's epoll set, freed
 * when the loop lets go of it
 * @poll:	the watch
 * @a:		its netdev; NULL once stopped
 */
struct afxdp_watch {
	struct uloop_poll poll;
	struct afxdp *a;
};

/**
 * afxdp_umem_release() - owner hook: an RX frame's last reference dropped
 * @f:		the frame
 *
 * Its chunk goes back on the fill stack; after the netdev closed, the
 * last frame frees the UMEM.
 */
void afxdp_umem_release(struct frame *f)
{
	struct afxdp_umem *u = (struct afxdp_umem *)f->owner;
	struct afxdp_q *q = u->q;

	u->out--;
	if (!q) {
		if (!u->out)
			afxdp_umem_free(u);
		return;
	}
	q->fill_stack[q->n_fill++] = f->cookie;
}

/**
 * afxdp_refill() - move released RX chunks into the fill ring
 * @q:		the queue
 */
void afxdp_refill(struct afxdp_q *q)
{
	uint32_t n = q->n_fill, idx, i;

	if (n) {
		n = xsk_prod_nb_free(&q->fill, n) < n ?
			xsk_prod_nb_free(&q->fill, n) : n;
		if (n && xsk_ring_prod__reserve(&q->fill, n, &idx) == n) {
			for (i = 0; i < n; i++)
				*xsk_ring_prod__fill_addr(&q->fill, idx + i) =
					q->fill_stack[--q->n_fill];
			xsk_ring_prod__submit(&q->fill, n);
		}
	}
	if (xsk_ring_prod__needs_wakeup(&q->fill)) {
		recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		q->st.fill_wakeups++;
	}
}

/* Offer the frames the peer did not take last time, oldest first. */
static void afxdp_offer_pending(struct afxdp_q *q)
{
	struct afxdp *a = q->a;
	unsigned int sent;

	sent = port_send(&a->port, q->qid, q->pending, q->n_pending, true);
	frame_put_n(q->pending, sent);
	q->n_pending -= sent;
	if (q->n_pending) {
		memmove(q->pending, q->pending + sent,
			q->n_pending * sizeof(q->pending[0]));
		q->held = true;
	}
}

/*
 * Run the user-space captures of the tx direction (frames to the guest)
 * and drop what a filter drops; returns how many frames are left in @f.
 */
static unsigned int afxdp_rx_filters(struct afxdp_q *q, struct frame **f,
				     unsigned int n)
{
	struct afxdp *a = q->a;
	unsigned int c, i, k;
	uint64_t drop;

	for (c = 0; c < a->ncaps && n; c++) {
		drop = capture_user_run(a->caps[c], CAPTURE_TX, q->qid, f, n);
		if (!drop)
			continue;
		for (i = k = 0; i < n; i++) {
			if (drop & (1ull << i)) {
				port_count_drop(&a->port, q->qid,
						PORT_DROP_FILTER, 1);
				frame_put(f[i]);
			} else {
				f[k++] = f[i];
			}
		}
		n = k;
	}
	return n;
}

/* Hand a batch of RX frames to the peer; keep what it does not take. */
static void afxdp_deliver(struct afxdp_q *q, struct frame **f, unsigned int n)
{
	struct afxdp *a = q->a;
	unsigned int sent;

	n = afxdp_rx_filters(q, f, n);
	if (!n)
		return;
	sent = port_send(&a->port, q->qid, f, n, true);
	frame_put_n(f, sent);
	if (sent < n) {
		memcpy(q->pending, f + sent, (n - sent) * sizeof(f[0]));
		q->n_pending = n - sent;
		q->held = true;
	}
}

/* Turn @n RX descriptors from @idx into frames in @f; returns how many. */
static unsigned int afxdp_rx_frames(struct afxdp_q *q, uint32_t idx,
				    unsigned int n, struct frame **f)
{
	struct afxdp_umem *u = q->u;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);
		uint64_t chunk = AFXDP_CHUNK(d->addr);
		uint64_t ci = chunk / AFXDP_FRAME_SIZE;
		struct frame *fr;

		if (ci >= u->nrx || d->addr - chunk + d->len > AFXDP_FRAME_SIZE) {
			q->st.k_invalid++;	/* never from a sane kernel */
			continue;
		}
		fr = &u->frames[ci];
		fr->data = u->area + d->addr;
		fr->len = d->len;
		fr->cap = (uint32_t)(chunk + AFXDP_FRAME_SIZE - d->addr);
		fr->refs = 1;
		fr->has_vnet = 0;
		fr->queue = (uint16_t)q->qid;
		fr->owner = &u->owner;
		fr->cookie = chunk;
		u->out++;
		f[k++] = fr;
	}
	return k;
}

/**
 * afxdp_rx_run() - take up to @budget frames from the RX ring to the peer
 * @q:		the queue
 * @budget:	frames at most (the rest waits for the next iteration)
 */
void afxdp_rx_run(struct afxdp_q *q, unsigned int budget)
{
	struct frame *f[FRAME_BATCH_MAX];
	uint32_t idx;
	unsigned int n, k;

	if (q->a->error)
		return;
	if (q->n_pending && !q->held)
		afxdp_offer_pending(q);
	while (budget && !q->held) {
		n = xsk_ring_cons__peek(&q->rx, budget < FRAME_BATCH_MAX ?
					budget : FRAME_BATCH_MAX, &idx);
		if (!n) {
			q->rx_more = false;
			return;
		}
		k = afxdp_rx_frames(q, idx, n, f);
		xsk_ring_cons__release(&q->rx, n);
		q->st.rx_frames += k;
		budget -= n;
		afxdp_deliver(q, f, k);
		afxdp_refill(q);
	}
	q->rx_more = true;
}

/* Completed TX chunks back to the free list. */
static void afxdp_reap(struct afxdp_q *q)
{
	uint32_t idx, i, n;

	n = xsk_ring_cons__peek(&q->comp, q->ntx, &idx);
	if (!n)
		return;
	for (i = 0; i < n && q->n_tx_free < q->ntx; i++)
		q->tx_free[q->n_tx_free++] =
			AFXDP_CHUNK(*xsk_ring_cons__comp_addr(&q->comp, idx + i));
	xsk_ring_cons__release(&q->comp, n);
	q->st.tx_done += n;
}

/*
 * Wake the kernel's TX path for what was queued. Returns true when it
 * must be retried later (busy driver).
 */
static bool afxdp_kick(struct afxdp_q *q)
{
	unsigned int t;

	if (!q->tx_unkicked)
		return false;
	if (!xsk_ring_prod__needs_wakeup(&q->tx)) {
		q->tx_unkicked = 0;
		return false;
	}
	for (t = 0; t < AFXDP_KICK_TRIES; t++) {
		q->st.kicks++;
		if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0) {
			q->tx_unkicked = 0;
			return false;
		}
		if (errno == EAGAIN || errno == EINTR) {
			q->st.kick_retries++;
			continue;	/* transmitted a slice, more left */
		}
		if (errno == EBUSY || errno == ENOBUFS)
			return true;
		afxdp_fault(q->a, -errno);
		return false;
	}
	return true;
}

/*
 * Finish a partial checksum (virtio-net NEEDS_CSUM) in place: the 16-bit
 * one's complement sum from @start to the end, stored at @start + @off
 * (where the pseudo-header sum already is). Bounds were checked.
 */
static void afxdp_csum(uint8_t *d, uint32_t len, uint32_t start, uint32_t off)
{
	uint32_t sum = 0, i;
	uint16_t c;

	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)d[i] << 8 | d[i + 1];
	if (i < len)
		sum += (uint32_t)d[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (!c)
		c = 0xffff;
	d[start + off] = c >> 8;
	d[start + off + 1] = c & 0xff;
}

/* Whether a guest frame can go out as it is; why not in @why. */
static bool afxdp_tx_ok(const struct frame *f, enum port_drop *why)
{
	uint32_t start, off;

	if (f->len > AFXDP_FRAME_SIZE) {
		*why = PORT_DROP_GIANT;
		return false;
	}
	if (!f->has_vnet)
		return true;
	if (f->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		*why = PORT_DROP_BAD_VNET;	/* no segmentation here */
		return false;
	}
	if (!(f->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	start = le16toh(f->vnet.csum_start);
	off = le16toh(f->vnet.csum_offset);
	if (start >= f->len || off + 2 > f->len - start) {
		*why = PORT_DROP_BAD_VNET;
		return false;
	}
	return true;
}

/* Copy one checked guest frame to a free TX chunk, described by @d. */
static void afxdp_tx_copy(struct afxdp_q *q, const struct frame *f,
			  struct xdp_desc *d)
{
	uint64_t addr = q->tx_free[--q->n_tx_free];
	uint8_t *dst = q->u->area + addr;

	memcpy(dst, f->data, f->len);
	if (f->has_vnet && (f->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		afxdp_csum(dst, f->len, le16toh(f->vnet.csum_start),
			   le16toh(f->vnet.csum_offset));
	d->addr = addr;
	d->len = f->len;
	d->options = 0;
}

/*
 * Run the user-space captures of the rx direction (frames from the guest)
 * and the checks; returns the mask of frames to send among the first @n.
 */
static uint64_t afxdp_tx_select(struct afxdp_q *q, struct frame **f,
				unsigned int n)
{
	struct afxdp *a = q->a;
	uint64_t drop = 0, send = 0;
	enum port_drop why;
	unsigned int c, i;

	for (c = 0; c < a->ncaps && n; c++)
		drop |= capture_user_run(a->caps[c], CAPTURE_RX, q->qid, f, n);
	for (i = 0; i < n; i++) {
		if (drop & (1ull << i))
			port_count_drop(&a->port, q->qid, PORT_DROP_FILTER, 1);
		else if (!afxdp_tx_ok(f[i], &why))
			port_count_drop(&a->port, q->qid, why, 1);
		else
			send |= 1ull << i;
	}
	return send;
}

/* port_ops.receive: frames from the peer (the guest) to the interface. */
static unsigned int afxdp_receive(struct port *p, unsigned int queue,
				  struct frame **f, unsigned int n)
{
	struct afxdp *a = p->priv;
	struct afxdp_q *q = &a->q[queue < a->nq ? queue : queue % a->nq];
	unsigned int take, i, m = 0;
	uint64_t send;
	uint32_t idx, room;

	if (a->error) {
		port_count_drop(p, queue, PORT_DROP_IO_ERROR, n);
		return n;
	}
	afxdp_reap(q);
	room = xsk_prod_nb_free(&q->tx, n);
	take = n < q->n_tx_free ? n : q->n_tx_free;
	take = take < room ? take : room;
	send = afxdp_tx_select(q, f, take);
	m = (unsigned int)__builtin_popcountll(send);
	if (m && xsk_ring_prod__reserve(&q->tx, m, &idx) != m) {
		port_count_drop(p, queue, PORT_DROP_IO_ERROR, m);	/* cannot happen */
		m = 0;
	}
	if (m) {
		for (i = 0; i < take; i++)
			if (send & (1ull << i))
				afxdp_tx_copy(q, f[i],
					      xsk_ring_prod__tx_desc(&q->tx, idx++));
		xsk_ring_prod__submit(&q->tx, m);
		q->tx_unkicked += m;
		q->st.tx_frames += m;
	}
	if (take < n) {
		q->tx_blocked = true;
		uloop_timer_arm_in(a->loop, &a->retry, AFXDP_RETRY_NS, 0);
	}
	return take;
}

/* port_ops.resume: the peer can take more of our RX frames. */
static void afxdp_resume(struct port *p, unsigned int queue)
{
	struct afxdp *a = p->priv;
	struct afxdp_q *q;

	if (queue >= a->nq)
		return;
	q = &a->q[queue];
	q->held = false;
	afxdp_rx_run(q, AFXDP_RX_BUDGET);
	if (q->rx_more || q->n_pending)
		uloop_timer_arm_in(a->loop, &a->retry, 0, 0);
}

const struct port_ops afxdp_port_ops = {
	.receive = afxdp_receive,
	.resume = afxdp_resume,
};

/**
 * afxdp_service() - per-iteration work of every queue: refill, reap, kick,
 * wake a held sender, continue a long RX run
 * @a:		the netdev
 */
void afxdp_service(struct afxdp *a)
{
	bool again = false;
	unsigned int i;

	if (a->error)
		return;
	for (i = 0; i < a->nq; i++) {
		struct afxdp_q *q = &a->q[i];

		afxdp_refill(q);
		afxdp_reap(q);
		if (afxdp_kick(q))
			again = true;
		if (q->tx_blocked) {
			afxdp_reap(q);
			if (q->n_tx_free) {
				q->tx_blocked = false;
				port_wake(&a->port, q->qid);
			} else {
				again = true;
			}
		}
		if (!q->held && (q->rx_more || q->n_pending))
			afxdp_rx_run(q, AFXDP_RX_BUDGET);
		if (!q->held && (q->rx_more || q->n_pending))
			again = true;
	}
	if (again && !uloop_timer_armed(&a->retry))
		uloop_timer_arm_in(a->loop, &a->retry, AFXDP_RETRY_NS, 0);
}

/**
 * afxdp_fault() - the interface or the program went away: link down
 * @a:		the netdev
 * @err:	-errno to report (first one wins)
 */
void afxdp_fault(struct afxdp *a, int err)
{
	if (a->error)
		return;
	a->error = err ? err : -EIO;
	afxdp_watch_stop(a);
	port_set_link(&a->port, false);
}

static void afxdp_ready(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct afxdp_watch *w = (struct afxdp_watch *)p;
	struct epoll_event ev[PORT_MAX_QUEUES];
	struct afxdp *a = w->a;
	int i, n;

	if (!a)
		return;
	if (revents < 0) {
		afxdp_fault(a, revents);
		return;
	}
	while ((n = epoll_wait(a->epfd, ev, PORT_MAX_QUEUES, 0)) > 0) {
		for (i = 0; i < n && !a->error; i++) {
			struct afxdp_q *q = &a->q[ev[i].data.u32 % a->nq];

			if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
				afxdp_fault(a, -ENETDOWN);
				return;
			}
			if (!q->held)
				afxdp_rx_run(q, AFXDP_RX_BUDGET);
			if (q->rx_more)
				uloop_timer_arm_in(loop, &a->retry, 0, 0);
		}
		if (a->error || n < PORT_MAX_QUEUES)
			break;
	}
}

static void afxdp_watch_release(struct uloop *loop, struct uloop_poll *p)
{
	free(p);
}

/**
 * afxdp_watch_start() - watch every queue's socket (edge-triggered, in one
 * epoll set) for RX frames and errors
 * @a:		the netdev
 *
 * Return: 0 or -errno.
 */
int afxdp_watch_start(struct afxdp *a)
{
	struct afxdp_watch *w;
	struct epoll_event ev;
	unsigned int i;
	int err;

	for (i = 0; i < a->nq; i++) {
		ev.events = EPOLLIN | EPOLLET;
		ev.data.u32 = i;
		if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->q[i].fd, &ev))
			return -errno;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	uloop_poll_init(&w->poll, a->epfd, 0, afxdp_ready);
	w->poll.release = afxdp_watch_release;
	w->a = a;
	err = uloop_poll_set(a->loop, &w->poll, POLLIN);
	if (err) {
		free(w);
		return err;
	}
	a->watch = w;
	return 0;
}

/**
 * afxdp_watch_stop() - stop watching (the watch frees itself later)
 * @a:		the netdev
 */
void afxdp_watch_stop(struct afxdp *a)
{
	if (!a->watch)
		return;
	a->watch->a = NULL;
	uloop_poll_del(a->loop, &a->watch->poll);
	a->watch = NULL;
}
