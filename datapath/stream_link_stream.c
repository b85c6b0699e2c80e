// SPDX-License-Identifier: GPL-2.0-or-later
/* stream_link_stream.c: a connected stream socket: batched reads, in-place decode, batched writes. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "datapath/frame_hot.h"
#include "datapath/stream_link_int.h"

/* Receive descriptors (frames out at once): ring bytes / 256, clamped. */
#define SL_ND_MIN 128u
#define SL_ND_MAX 1024u

static void sl_read_arm(struct stream_link *l);
static void sl_write_arm(struct stream_link *l);

/**
 * sl_peek_len() - the length prefix at a send ring offset (written by us)
 * @r:		the ring
 * @off:	offset of the prefix
 *
 * Return: the length.
 */
static uint32_t sl_peek_len(const struct sl_ring *r, uint64_t off)
{
	const uint8_t *p = r->base + (off & r->mask);

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * sl_tx_walk() - count whole frames in [*from, to) of the send ring
 * @l:		the link
 * @from:	first frame's prefix; moved past the frames counted
 * @to:		end of the range
 * @bytes:	add their lengths here
 *
 * Return: frames counted.
 */
static uint64_t sl_tx_walk(const struct stream_link *l, uint64_t *from,
			   uint64_t to, uint64_t *bytes)
{
	uint64_t n = 0, at = *from;
	uint32_t len;

	while (to - at >= STREAM_HDR_LEN) {
		len = sl_peek_len(&l->tx, at);
		if (to - at < STREAM_HDR_LEN + (uint64_t)len)
			break;
		at += STREAM_HDR_LEN + len;
		*bytes += len;
		n++;
	}
	*from = at;
	return n;
}

/**
 * sl_drain_check() - close an ended connection once its I/O is finished
 * @l:	the link
 */
static void sl_drain_check(struct stream_link *l)
{
	if (l->state != SL_DRAINING || uloop_op_busy(&l->read_op) ||
	    uloop_op_busy(&l->write_op))
		return;
	close(l->fd);
	l->fd = -1;
	l->r_tail = l->r_dec; /* a partial frame dies with its connection */
	l->w_head = l->w_walk = l->w_tail;
	sl_conn_ended(l);
}

/**
 * sl_conn_start() - serve a new connection
 * @l:	the link
 * @fd:	the connected socket (the link owns it from now on)
 */
void sl_conn_start(struct stream_link *l, int fd)
{
	int dom = 0, one = 1;
	socklen_t len = sizeof(dom);

	/* frames are batched here already: Nagle would only add delay */
	if (!getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) &&
	    (dom == AF_INET || dom == AF_INET6))
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	l->fd = fd;
	l->state = SL_UP;
	l->conn_error = false;
	l->rx_bad = false;
	l->rx_held = false;
	l->stats.connects++;
	sl_update_link(l);
	sl_notify(l, STREAM_LINK_EV_CONNECTED);
	if (l->state == SL_UP)
		sl_stream_pump(l);
}

/**
 * sl_conn_reset() - end the connection: shut the socket down, count what
 * will never be written, take the port's link down, tell the owner
 * @l:		the link
 * @bad:	because of a bogus length prefix
 *
 * The fd is closed once its read and write have completed; frames peers
 * still hold stay valid until they release them.
 */
void sl_conn_reset(struct stream_link *l, bool bad)
{
	uint64_t lost, bytes = 0;

	if (l->state != SL_UP)
		return;
	l->state = SL_DRAINING;
	shutdown(l->fd, SHUT_RDWR);
	lost = sl_tx_walk(l, &l->w_walk, l->w_tail, &bytes);
	if (l->w_walk != l->w_tail)
		lost++; /* the partial frame a short write left */
	l->w_walk = l->w_tail;
	if (lost) {
		port_count_drop(&l->port, 0, PORT_DROP_IO_ERROR,
				(unsigned int)lost);
		l->stats.tx_lost += lost;
	}
	l->stats.disconnects++;
	sl_update_link(l);
	sl_pend_drop(l);
	if (bad)
		sl_notify(l, STREAM_LINK_EV_BAD_LENGTH);
	sl_notify(l, STREAM_LINK_EV_DISCONNECTED);
	sl_drain_check(l);
}

/**
 * sl_decode() - turn the bytes read into frames, in place, up to a batch
 * @l:	the link
 *
 * A bogus prefix marks the connection bad (counted once as a malformed
 * drop); the frames before it still go to the peer, then it is reset.
 *
 * Return: frames queued for the peer.
 */
static unsigned int sl_decode(struct stream_link *l)
{
	unsigned int n = 0;

	while (n < FRAME_BATCH_MAX && l->d_tail - l->d_head < l->nd) {
		const uint8_t *win = l->rx.base + (l->r_dec & l->rx.mask);
		uint32_t idx = l->d_tail & (l->nd - 1), len = 0;
		enum stream_dec_status st;
		struct frame *f;
		size_t need;

		st = stream_dec_next(&l->dec, win, l->r_tail - l->r_dec, &len,
				     &need);
		if (st == STREAM_DEC_NEED)
			break;
		if (st == STREAM_DEC_BAD) {
			l->rx_bad = true;
			l->stats.bad_length++;
			port_count_drop(&l->port, 0, PORT_DROP_MALFORMED, 1);
			break;
		}
		f = &l->rxd[idx];
		f->data = (uint8_t *)win + STREAM_HDR_LEN;
		f->len = f->cap = len;
		f->refs = 1;
		f->cookie = idx;
		l->r_dec += STREAM_HDR_LEN + len;
		l->rxd_end[idx] = l->r_dec;
		l->rxd_done[idx] = 0;
		l->d_tail++;
		l->rx_out++;
		l->stats.rx_frames++;
		l->stats.rx_bytes += len;
		sl_pend_push(l, f);
		n++;
	}
	return n;
}

/**
 * sl_stream_pump() - deliver what was read, then read again
 * @l:	the link
 *
 * Offers queued frames, decodes more, repeats while the peer takes them;
 * stops when it holds the link. Re-entry (a release inside port_send())
 * only asks for another round. After a bogus prefix the connection is
 * reset once the frames before it are offered (what the peer still holds
 * back is dropped and counted).
 */
void sl_stream_pump(struct stream_link *l)
{
	if (l->in_pump) {
		l->pump_again = true;
		return;
	}
	l->in_pump = true;
	do {
		l->pump_again = false;
		if (l->rx_held || (l->pend_n && !sl_pend_flush(l, true)))
			break;
		if (l->state != SL_UP || l->rx_bad)
			break;
		if (sl_decode(l))
			l->pump_again = true;
	} while (l->pump_again);
	l->in_pump = false;
	if (l->state == SL_UP && l->rx_bad) {
		/* the frames before the bogus prefix went to the peer, or
		 * wait on it: a held peer must not keep the stream alive */
		sl_conn_reset(l, true);
		return;
	}
	sl_read_arm(l);
	sl_write_arm(l);
}

/**
 * sl_stream_release() - a peer let go of a received frame
 * @f:	the frame (a descriptor of the link)
 *
 * Ring space is reclaimed in order; the pump runs later if it may have
 * been waiting for room or descriptors.
 */
static void sl_stream_release(struct frame *f)
{
	struct stream_link *l = SL_CONTAINER_OF(f->owner, struct stream_link,
						rx_owner);
	uint32_t i;

	l->rxd_done[f->cookie] = 1;
	l->rx_out--;
	while (l->d_head != l->d_tail &&
	       l->rxd_done[i = l->d_head & (l->nd - 1)]) {
		l->r_free = l->rxd_end[i];
		l->d_head++;
	}
	if (l->closing)
		sl_maybe_free(l);
	else if (l->in_pump)
		l->pump_again = true;
	else if (l->state == SL_UP && !l->rx_held)
		sl_pump_later(l);
}

/**
 * sl_read_arm() - issue one read for all the room the ring has
 * @l:	the link
 *
 * Not while the peer holds the link (backpressure) or after a bogus
 * prefix; not for a sliver of room while peers still hold frames (their
 * release calls the pump again).
 */
static void sl_read_arm(struct stream_link *l)
{
	uint64_t space;

	if (l->state != SL_UP || uloop_op_busy(&l->read_op) || l->rx_held ||
	    l->rx_bad)
		return;
	space = l->rx.size - (l->r_tail - l->r_free);
	if (!space || (space < l->rx.size / 4 && l->rx_out))
		return;
	if (uloop_read(l->loop, &l->read_op, l->fd,
		       l->rx.base + (l->r_tail & l->rx.mask),
		       (unsigned int)space, ULOOP_OFF_CUR, 0))
		sl_pump_later(l);
}

/**
 * sl_read_done() - a read completed
 * @loop:	the loop
 * @op:		&l->read_op
 * @res:	bytes, 0 at end of stream, or -errno
 * @flags:	CQE flags
 */
static void sl_read_done(struct uloop *loop, struct uloop_op *op, int res,
			 uint32_t flags)
{
	struct stream_link *l = SL_CONTAINER_OF(op, struct stream_link,
						read_op);

	if (l->state == SL_UP) {
		if (res > 0) {
			l->stats.reads++;
			l->r_tail += (uint64_t)res;
			sl_stream_pump(l);
		} else if (res == -EINTR || res == -EAGAIN) {
			sl_read_arm(l);
		} else {
			sl_conn_reset(l, false);
		}
	}
	sl_drain_check(l);
	if (l->closing)
		sl_maybe_free(l);
}

/**
 * sl_write_arm() - send everything queued, one send at a time
 * @l:	the link
 */
static void sl_write_arm(struct stream_link *l)
{
	struct io_uring_sqe *sqe;

	if (l->state != SL_UP || uloop_op_busy(&l->write_op) ||
	    l->w_tail == l->w_head)
		return;
	sqe = uloop_sqe_get(l->loop);
	if (!sqe) {
		sl_pump_later(l);
		return;
	}
	/* a send, not a write: MSG_NOSIGNAL, so a VM that went away is an
	 * -EPIPE here and never a SIGPIPE for qnet */
	io_uring_prep_send(sqe, l->fd, l->tx.base + (l->w_head & l->tx.mask),
			   (size_t)(l->w_tail - l->w_head), MSG_NOSIGNAL);
	uloop_sqe_bind(l->loop, sqe, &l->write_op);
	l->stats.writes++;
}

/**
 * sl_write_done() - a write completed: account, write the rest, wake the
 * sender the full ring held
 * @loop:	the loop
 * @op:		&l->write_op
 * @res:	bytes written or -errno
 * @flags:	CQE flags
 */
static void sl_write_done(struct uloop *loop, struct uloop_op *op, int res,
			  uint32_t flags)
{
	struct stream_link *l = SL_CONTAINER_OF(op, struct stream_link,
						write_op);

	if (l->state == SL_UP) {
		if (res > 0) {
			l->w_head += (uint64_t)res;
			l->stats.tx_frames += sl_tx_walk(l, &l->w_walk,
							 l->w_head,
							 &l->stats.tx_bytes);
			sl_write_arm(l);
			port_wake(&l->port, 0);
		} else if (res == -EINTR || res == -EAGAIN) {
			sl_write_arm(l);
		} else {
			sl_conn_reset(l, false);
		}
	}
	sl_drain_check(l);
	if (l->closing)
		sl_maybe_free(l);
}

/**
 * sl_stream_receive() - frames from the peer: copy them, prefixed, into
 * the send ring and write them in one go
 * @p:		the link's port
 * @queue:	the queue (0)
 * @f:		the frames
 * @n:		how many
 *
 * Return: frames taken; fewer than @n when the ring is full (the sender
 * is held until a write completes).
 */
static unsigned int sl_stream_receive(struct port *p, unsigned int queue,
				      struct frame **f, unsigned int n)
{
	struct stream_link *l = p->priv;
	unsigned int i;
	int ret;

	if (l->state != SL_UP) {
		port_count_drop(p, queue, PORT_DROP_LINK_DOWN, n);
		return n;
	}
	for (i = 0; i < n; i++) {
		uint64_t room = l->tx.size - (l->w_tail - l->w_head);

		if (f[i]->len > l->cfg.max_len) {
			port_count_drop(p, queue, PORT_DROP_GIANT, 1);
			l->stats.giants++;
			continue;
		}
		ret = stream_enc_frame(l->tx.base + (l->w_tail & l->tx.mask),
				       room, f[i], true);
		if (ret == 0) {
			l->stats.tx_full++;
			break;
		}
		if (ret < 0) {
			port_count_drop(p, queue, PORT_DROP_BAD_VNET, 1);
			l->stats.offload_drops++;
			continue;
		}
		l->w_tail += (uint64_t)ret;
	}
	sl_write_arm(l);
	return i;
}

/**
 * sl_stream_resume() - the peer can take more: deliver what waits
 * @p:		the link's port
 * @queue:	the queue
 */
static void sl_stream_resume(struct port *p, unsigned int queue)
{
	struct stream_link *l = p->priv;

	l->rx_held = false;
	sl_stream_pump(l);
}

const struct port_ops sl_stream_ops = {
	.receive = sl_stream_receive,
	.resume = sl_stream_resume,
};

/**
 * sl_stream_setup() - map the rings and size the descriptors
 * @l:	the link, its configuration checked
 *
 * Return: 0, -ENOMEM, or -errno from the ring mapping.
 */
int sl_stream_setup(struct stream_link *l)
{
	uint32_t nd = l->cfg.bufsize / 256;
	int ret;

	nd = nd < SL_ND_MIN ? SL_ND_MIN : nd > SL_ND_MAX ? SL_ND_MAX : nd;
	ret = stream_dec_init(&l->dec, l->cfg.max_len);
	if (ret)
		return ret;
	ret = sl_ring_map(&l->rx, l->cfg.bufsize);
	if (ret)
		return ret;
	ret = sl_ring_map(&l->tx, l->cfg.bufsize);
	if (ret)
		goto err_rx;
	l->nd = nd;
	l->rxd = calloc(nd, sizeof(*l->rxd));
	l->rxd_end = calloc(nd, sizeof(*l->rxd_end));
	l->rxd_done = calloc(nd, 1);
	l->pend_cap = FRAME_BATCH_MAX;
	l->pend = calloc(l->pend_cap, sizeof(*l->pend));
	if (!l->rxd || !l->rxd_end || !l->rxd_done || !l->pend) {
		ret = -ENOMEM;
		goto err_mem;
	}
	l->rx_owner.release = sl_stream_release;
	for (nd = 0; nd < l->nd; nd++)
		l->rxd[nd].owner = &l->rx_owner;
	uloop_op_init(&l->read_op, sl_read_done);
	uloop_op_init(&l->write_op, sl_write_done);
	return 0;

err_mem:
	free(l->rxd_end);
	free(l->rxd_done);
	l->rxd_end = NULL;
	l->rxd_done = NULL;
	sl_ring_unmap(&l->tx);
err_rx:
	sl_ring_unmap(&l->rx);
	return ret;
}

/**
 * sl_stream_idle() - whether no read, write or connection remains
 * @l:	the link
 *
 * Return: true when the stream parts may be torn down.
 */
bool sl_stream_idle(const struct stream_link *l)
{
	return l->state != SL_DRAINING && l->state != SL_UP &&
	       !uloop_op_busy(&l->read_op) && !uloop_op_busy(&l->write_op);
}

/**
 * sl_stream_teardown() - unmap the rings, free the descriptors' side
 * tables, close a leftover fd
 * @l:	an idle link
 */
void sl_stream_teardown(struct stream_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	sl_ring_unmap(&l->rx);
	sl_ring_unmap(&l->tx);
	free(l->rxd_end);
	free(l->rxd_done);
	l->rxd_end = NULL;
	l->rxd_done = NULL;
}
