// SPDX-License-Identifier: GPL-2.0-or-later
/* stream_link_dgram.c: one frame per datagram: multishot receive, batched sendmsg. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "datapath/frame_hot.h"
#include "datapath/stream_link_int.h"

/* How long held sends wait when no poll can tell the peer has room, in ns. */
#define SL_DGRAM_WAIT_NS (1000ull * 1000)

/**
 * sl_dgram_release() - a peer let go of a received frame: recycle its
 * buffer
 * @f:	the frame (descriptor of buffer f->cookie)
 */
static void sl_dgram_release(struct frame *f)
{
	struct stream_link *l = SL_CONTAINER_OF(f->owner, struct stream_link,
						rx_owner);

	ubufring_recycle(&l->br, (unsigned int)f->cookie);
	l->rx_out--;
	if (l->closing)
		sl_maybe_free(l);
}

/**
 * sl_dgram_rx() - a datagram arrived, or the receiver ended
 * @loop:	the loop
 * @rx:		&l->brx
 * @res:	bytes in @buf; 0 or -errno when the receiver ended
 * @buf:	the buffer (ours until recycled)
 * @bid:	its id
 *
 * Runts and datagrams longer than max_len are dropped and counted; the
 * rest queue for the peer and go in batches (at 64, and once per loop
 * iteration from the flush hook).
 */
static void sl_dgram_rx(struct uloop *loop, struct ubufring_rx *rx, int res,
			void *buf, unsigned int bid)
{
	struct stream_link *l = SL_CONTAINER_OF(rx, struct stream_link, brx);
	struct frame *f;

	if (!buf) {
		if (l->closing) {
			sl_maybe_free(l);
			return;
		}
		if (res == 0) { /* an empty datagram ends a multishot recv */
			port_count_drop(&l->port, 0, PORT_DROP_RUNT, 1);
			l->stats.runts++;
		}
		if (ubufring_rx_start(&l->brx, &l->br, UBUFRING_RX_RECV, l->fd,
				      0))
			l->conn_error = true;
		return;
	}
	l->stats.reads++;
	if (res < FRAME_MIN_LEN || (uint32_t)res > l->cfg.max_len) {
		bool runt = res < FRAME_MIN_LEN;

		ubufring_recycle(&l->br, bid);
		port_count_drop(&l->port, 0,
				runt ? PORT_DROP_RUNT : PORT_DROP_GIANT, 1);
		if (runt)
			l->stats.runts++;
		else
			l->stats.giants++;
		return;
	}
	f = &l->rxd[bid];
	f->data = buf;
	f->len = f->cap = (uint32_t)res;
	f->refs = 1;
	f->cookie = bid;
	l->rx_out++;
	l->stats.rx_frames++;
	l->stats.rx_bytes += (uint64_t)res;
	sl_pend_push(l, f);
	if (l->pend_n >= FRAME_BATCH_MAX && !l->rx_held)
		sl_pend_flush(l, true);
}

/* The stopped receiver is idle: the closing link may be freed now. */
static void sl_dgram_rx_released(struct uloop *loop, struct ubufring_rx *rx)
{
	sl_maybe_free(SL_CONTAINER_OF(rx, struct stream_link, brx));
}

/* Hook: once per loop iteration, before the loop waits: flush the queue. */
static void sl_dgram_hook(struct uloop *loop, struct uloop_hook *h)
{
	struct stream_link *l = SL_CONTAINER_OF(h, struct stream_link,
						flush_hook);

	if (l->pend_n && !l->rx_held && !l->closing)
		sl_pend_flush(l, true);
}

static void sl_dgram_kick(struct stream_link *l);

/* Slots whose sends completed, from the front: free their ring bytes. */
static void sl_dgram_advance(struct stream_link *l)
{
	struct sl_slot *s;

	while (l->s_head != l->s_sub) {
		s = &l->slots[l->s_head & (STREAM_LINK_DGRAM_SLOTS - 1)];
		if (!s->done)
			break;
		l->t_head = s->end;
		l->s_head++;
	}
}

/**
 * sl_dgram_wait_fd() - the fd whose POLLOUT says the destination has room
 * @l:	the link
 *
 * A unix datagram socket that sends by address polls writable whatever the
 * peer's queue holds; one connected to the peer polls writable only when
 * that queue has room. So for a unix destination a second socket, which
 * never sends, is connected to it, again when a poll said room and yet
 * nothing went (the peer may have been replaced). Other sockets poll
 * themselves.
 *
 * Return: the fd, or -errno when no poll can tell.
 */
static int sl_dgram_wait_fd(struct stream_link *l)
{
	bool stale = l->wait_fired && l->stats.tx_frames == l->wait_mark;
	int ret;

	l->wait_fired = false;
	if (!l->dest_len || l->dest.ss_family != AF_UNIX)
		return l->fd;
	if (l->wait_fd < 0) {
		l->wait_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
				    SOCK_NONBLOCK, 0);
		if (l->wait_fd < 0)
			return -errno;
		stale = true;
	}
	if (stale && connect(l->wait_fd, (const struct sockaddr *)&l->dest,
			     l->dest_len)) {
		ret = -errno;
		close(l->wait_fd);
		l->wait_fd = -1;
		return ret;
	}
	return l->wait_fd;
}

/**
 * sl_dgram_wait() - the socket refused a send: hold the rest of the queue
 * until the destination has room (a poll), or a while (a timer) when no
 * poll can tell
 * @l:	the link (no chain in flight)
 */
static void sl_dgram_wait(struct stream_link *l)
{
	struct io_uring_sqe *sqe = NULL;
	int fd = sl_dgram_wait_fd(l);

	l->waiting = true;
	l->stats.tx_waits++;
	if (fd >= 0)
		sqe = uloop_sqe_get(l->loop);
	if (!sqe) {
		uloop_timer_arm_in(l->loop, &l->wait_timer, SL_DGRAM_WAIT_NS, 0);
		return;
	}
	io_uring_prep_poll_add(sqe, fd, POLLOUT);
	uloop_sqe_bind(l->loop, sqe, &l->wait_op);
}

/**
 * sl_dgram_wait_done() - the destination has room (or the poll ended):
 * send the held frames again
 * @loop:	the loop
 * @op:		&l->wait_op
 * @res:	the poll's revents, or -errno
 * @flags:	CQE flags
 */
static void sl_dgram_wait_done(struct uloop *loop, struct uloop_op *op,
			       int res, uint32_t flags)
{
	struct stream_link *l = SL_CONTAINER_OF(op, struct stream_link,
						wait_op);

	l->waiting = false;
	l->wait_fired = res > 0;
	l->wait_mark = l->stats.tx_frames;
	if (l->closing) {
		sl_maybe_free(l);
		return;
	}
	sl_dgram_kick(l);
}

/* Timer: the wait without a poll is over; send the held frames again. */
static void sl_dgram_wait_timer(struct uloop *loop, struct uloop_timer *t)
{
	struct stream_link *l = SL_CONTAINER_OF(t, struct stream_link,
						wait_timer);

	l->waiting = false;
	if (!l->closing)
		sl_dgram_kick(l);
}

/**
 * sl_dgram_chain_end() - the chain's last send completed; the ones not
 * sent are still queued: refused ones (-EAGAIN, and those cancelled after
 * it) wait for room and go again, in order; those cancelled after a real
 * error (or any while closing) are lost and counted
 * @l:	the link
 */
static void sl_dgram_chain_end(struct stream_link *l)
{
	struct sl_slot *s;
	uint32_t i;

	if (l->s_head == l->s_sub)
		return;
	s = &l->slots[l->s_head & (STREAM_LINK_DGRAM_SLOTS - 1)];
	if (s->res == -EAGAIN && !l->closing) {
		l->s_sub = l->s_head;
		sl_dgram_wait(l);
		return;
	}
	for (i = l->s_head; i != l->s_sub; i++) {
		l->slots[i & (STREAM_LINK_DGRAM_SLOTS - 1)].done = true;
		port_count_drop(&l->port, 0, PORT_DROP_IO_ERROR, 1);
		l->stats.tx_lost++;
	}
	sl_dgram_advance(l);
}

/**
 * sl_dgram_sent() - a sendmsg completed: account, free its room, send the
 * next chain when this one is done, wake the sender a full ring held
 * @loop:	the loop
 * @op:		the slot's op
 * @res:	bytes sent or -errno
 * @flags:	CQE flags
 */
static void sl_dgram_sent(struct uloop *loop, struct uloop_op *op, int res,
			  uint32_t flags)
{
	struct sl_slot *s = SL_CONTAINER_OF(op, struct sl_slot, op);
	struct stream_link *l = s->l;

	l->chain--;
	if (res >= 0) {
		s->done = true;
		l->stats.tx_frames++;
		l->stats.tx_bytes += (uint64_t)res;
	} else if (res == -EAGAIN || res == -ECANCELED) {
		s->res = res; /* not sent: see sl_dgram_chain_end() */
	} else {
		s->done = true;
		port_count_drop(&l->port, 0, PORT_DROP_IO_ERROR, 1);
		l->stats.tx_lost++;
	}
	sl_dgram_advance(l);
	if (!l->chain)
		sl_dgram_chain_end(l);
	if (l->closing) {
		sl_maybe_free(l);
		return;
	}
	if (!l->chain)
		sl_dgram_kick(l);
	port_wake(&l->port, 0);
}

/**
 * sl_dgram_kick() - send the waiting frames as one chain of linked
 * non-blocking sendmsgs, one chain at a time
 * @l:	the link
 *
 * MSG_DONTWAIT makes a refused send (-EAGAIN: a unix peer's queue is
 * full) final, and the link cancels the sends after it, so frames leave in
 * order and go again whole. Without it io_uring retries the send itself,
 * but a unix datagram send consumes its iovec before it finds the peer's
 * queue full, so the retry sends an empty datagram and the frame is lost.
 */
static void sl_dgram_kick(struct stream_link *l)
{
	unsigned int room = io_uring_sq_space_left(&l->loop->ring);
	struct io_uring_sqe *sqe;
	struct sl_slot *s;

	if (l->chain || l->waiting || l->s_sub == l->s_tail)
		return;
	if (!room) {
		sl_pump_later(l);
		return;
	}
	while (l->s_sub != l->s_tail && room--) {
		s = &l->slots[l->s_sub & (STREAM_LINK_DGRAM_SLOTS - 1)];
		s->res = 0;
		sqe = io_uring_get_sqe(&l->loop->ring);
		io_uring_prep_sendmsg(sqe, l->fd, &s->msg,
				      MSG_NOSIGNAL | MSG_DONTWAIT);
		if (l->s_sub + 1 != l->s_tail && room)
			sqe->flags |= IOSQE_IO_LINK;
		uloop_sqe_bind(l->loop, sqe, &s->op);
		l->s_sub++;
		l->chain++;
		l->stats.writes++;
	}
}

/**
 * sl_dgram_queue() - copy a frame into the send ring, behind the others
 * @l:	the link (a slot is free)
 * @f:	the frame
 *
 * Return: 1 when queued, 0 when the ring is full, -1 when it was dropped
 * and counted.
 */
static int sl_dgram_queue(struct stream_link *l, const struct frame *f)
{
	struct sl_slot *s = &l->slots[l->s_tail & (STREAM_LINK_DGRAM_SLOTS - 1)];
	uint8_t *dst = l->tx.base + (l->t_tail & l->tx.mask);
	int ret;

	if (f->len > l->cfg.max_len) {
		port_count_drop(&l->port, 0, PORT_DROP_GIANT, 1);
		l->stats.giants++;
		return -1;
	}
	ret = stream_enc_frame(dst, l->tx.size - (l->t_tail - l->t_head), f,
			       false);
	if (ret < 0) {
		port_count_drop(&l->port, 0, PORT_DROP_BAD_VNET, 1);
		l->stats.offload_drops++;
		return -1;
	}
	if (!ret)
		return 0;
	s->iov.iov_base = dst;
	s->iov.iov_len = (size_t)ret;
	s->msg.msg_name = l->dest_len ? &l->dest : NULL;
	s->msg.msg_namelen = l->dest_len;
	s->msg.msg_iov = &s->iov;
	s->msg.msg_iovlen = 1;
	l->t_tail += (uint64_t)ret;
	s->end = l->t_tail;
	s->done = false;
	l->s_tail++;
	return 1;
}

/**
 * sl_dgram_receive() - frames from the peer: one datagram each, sent in
 * order with the loop's next submit
 * @p:		the link's port
 * @queue:	the queue (0)
 * @f:		the frames
 * @n:		how many
 *
 * Return: frames taken; fewer when every slot or the ring is in use (the
 * sender is held until a send completes).
 */
static unsigned int sl_dgram_receive(struct port *p, unsigned int queue,
				     struct frame **f, unsigned int n)
{
	struct stream_link *l = p->priv;
	unsigned int i;

	if (l->closing) {
		port_count_drop(p, queue, PORT_DROP_LINK_DOWN, n);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (l->s_tail - l->s_head == STREAM_LINK_DGRAM_SLOTS ||
		    !sl_dgram_queue(l, f[i])) {
			l->stats.tx_full++;
			break;
		}
	}
	sl_dgram_kick(l);
	return i;
}

/**
 * sl_dgram_resume() - the peer can take more: flush the queue
 * @p:		the link's port
 * @queue:	the queue
 */
static void sl_dgram_resume(struct port *p, unsigned int queue)
{
	struct stream_link *l = p->priv;

	l->rx_held = false;
	sl_pend_flush(l, true);
}

const struct port_ops sl_dgram_ops = {
	.receive = sl_dgram_receive,
	.resume = sl_dgram_resume,
};

/**
 * sl_dgram_buffers() - the receive buffer ring (a free group id is
 * searched for) and the receive and send tables
 * @l:	the link
 *
 * Return: 0, -ENOMEM, or ubufring_init()'s error.
 */
static int sl_dgram_buffers(struct stream_link *l)
{
	unsigned int nb = l->cfg.dgram_bufs, i;
	struct ubufring_config bc = {
		.nbufs = nb,
		.buf_size = l->cfg.max_len + 1, /* one more: a giant shows */
	};
	int ret = -EEXIST;

	for (i = 0; i < SL_BGID_TRIES && ret == -EEXIST; i++) {
		bc.bgid = (uint16_t)(SL_BGID_BASE + i);
		ret = ubufring_init(&l->br, l->loop, &bc);
	}
	if (ret)
		return ret;
	l->br_ready = true;
	l->rxd = calloc(nb, sizeof(*l->rxd));
	l->pend_cap = nb;
	l->pend = calloc(nb, sizeof(*l->pend));
	l->slots = calloc(STREAM_LINK_DGRAM_SLOTS, sizeof(*l->slots));
	if (!l->rxd || !l->pend || !l->slots)
		return -ENOMEM;
	l->rx_owner.release = sl_dgram_release;
	for (i = 0; i < nb; i++)
		l->rxd[i].owner = &l->rx_owner;
	for (i = 0; i < STREAM_LINK_DGRAM_SLOTS; i++) {
		uloop_op_init(&l->slots[i].op, sl_dgram_sent);
		l->slots[i].l = l;
	}
	return sl_ring_map(&l->tx, l->cfg.bufsize);
}

/**
 * sl_dgram_setup() - bind the socket, set up buffers, start receiving;
 * the link is up from here on
 * @l:	the link, its configuration checked
 *
 * Return: 0, or -errno (-EINVAL for addresses of different kinds or a
 * missing remote; -EOPNOTSUPP without multishot receive).
 */
int sl_dgram_setup(struct stream_link *l)
{
	const struct stream_link_config *c = &l->cfg;
	int ret;

	l->wait_fd = -1;
	uloop_op_init(&l->wait_op, sl_dgram_wait_done);
	uloop_timer_init(&l->wait_timer, sl_dgram_wait_timer);
	ret = stream_addr_bind_dgram(c->has_local ? &c->addr : NULL,
				     c->has_remote ? &c->remote : NULL,
				     &l->ufile, &l->dest, &l->dest_len);
	if (ret < 0)
		return ret;
	l->fd = ret;
	stream_addr_local(l->fd, &l->local);
	ret = sl_dgram_buffers(l);
	if (ret)
		goto err;
	ubufring_rx_init(&l->brx, sl_dgram_rx);
	l->brx.release = sl_dgram_rx_released;
	ret = ubufring_rx_start(&l->brx, &l->br, UBUFRING_RX_RECV, l->fd, 0);
	if (ret)
		goto err;
	l->flush_hook.fn = sl_dgram_hook;
	uloop_hook_add(l->loop, &l->flush_hook);
	l->hook_added = true;
	l->state = SL_UP;
	sl_update_link(l);
	return 0;

err:
	sl_dgram_teardown(l);
	return ret;
}

/**
 * sl_dgram_pump() - deferred work: flush received frames, send waiting
 * ones
 * @l:	the link
 */
void sl_dgram_pump(struct stream_link *l)
{
	if (!l->rx_held)
		sl_pend_flush(l, true);
	sl_dgram_kick(l);
}

/**
 * sl_dgram_stop() - stop receiving (closing)
 * @l:	the link
 */
void sl_dgram_stop(struct stream_link *l)
{
	if (l->brx.active)
		ubufring_rx_stop(&l->brx);
	uloop_timer_cancel(l->loop, &l->wait_timer);
	if (uloop_op_busy(&l->wait_op))
		uloop_cancel(l->loop, &l->wait_op);
}

/**
 * sl_dgram_idle() - whether no receive or send is in flight
 * @l:	the link
 *
 * Return: true when the datagram parts may be torn down.
 */
bool sl_dgram_idle(const struct stream_link *l)
{
	return !l->brx.active && !ubufring_rx_busy(&l->brx) && !l->chain &&
	       !uloop_op_busy(&l->wait_op);
}

/**
 * sl_dgram_teardown() - release the buffers, the hook and the socket
 * @l:	an idle link (or one whose setup failed)
 */
void sl_dgram_teardown(struct stream_link *l)
{
	if (l->hook_added)
		uloop_hook_del(l->loop, &l->flush_hook);
	l->hook_added = false;
	if (l->br_ready)
		ubufring_fini(&l->br);
	l->br_ready = false;
	sl_ring_unmap(&l->tx);
	free(l->slots);
	l->slots = NULL;
	uloop_timer_cancel(l->loop, &l->wait_timer);
	if (l->wait_fd >= 0)
		close(l->wait_fd);
	l->wait_fd = -1;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	stream_unix_file_remove(&l->ufile);
}
