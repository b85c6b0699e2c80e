// SPDX-License-Identifier: GPL-2.0-or-later
/* stream_link.c: stream link lifetime: open, listen/accept, connect, events, close. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "datapath/frame_hot.h"
#include "datapath/stream_link_int.h"

/* Stable names: tests and the monitor use them. */
static const char *const sl_event_names[] = {
	[STREAM_LINK_EV_CONNECTED] = "connected",
	[STREAM_LINK_EV_DISCONNECTED] = "disconnected",
	[STREAM_LINK_EV_REFUSED] = "refused",
	[STREAM_LINK_EV_BAD_LENGTH] = "bad_length",
	[STREAM_LINK_EV_CONNECT_FAILED] = "connect_failed",
	[STREAM_LINK_EV_CLOSED] = "closed",
};

_Static_assert(sizeof(sl_event_names) / sizeof(sl_event_names[0]) ==
		       STREAM_LINK_EV_COUNT,
	       "every event has a name");

static void sl_accept_arm(struct stream_link *l);
static void sl_connect_start(struct stream_link *l);

/**
 * stream_link_event_name() - stable name of an event
 * @ev:	the event
 *
 * Return: "connected", "disconnected", ..., or NULL for a bad value.
 */
const char *stream_link_event_name(enum stream_link_event ev)
{
	if ((unsigned int)ev >= STREAM_LINK_EV_COUNT)
		return NULL;
	return sl_event_names[ev];
}

/**
 * sl_ring_map() - map a byte ring twice in a row
 * @r:		the ring
 * @size:	bytes, a power of two and a multiple of the page size
 *
 * Return: 0, or -errno from memfd_create/ftruncate/mmap.
 */
int sl_ring_map(struct sl_ring *r, uint32_t size)
{
	uint8_t *base;
	int fd, ret = 0;

	fd = memfd_create("qnet-stream-ring", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size)) {
		ret = -errno;
		goto out;
	}
	base = mmap(NULL, 2 * (size_t)size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	if (mmap(base, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0) == MAP_FAILED ||
	    mmap(base + size, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		ret = -errno;
		munmap(base, 2 * (size_t)size);
		goto out;
	}
	r->base = base;
	r->size = size;
	r->mask = size - 1;
out:
	close(fd);
	return ret;
}

/**
 * sl_ring_unmap() - unmap a ring (harmless when not mapped)
 * @r:	the ring
 */
void sl_ring_unmap(struct sl_ring *r)
{
	if (r->base)
		munmap(r->base, 2 * (size_t)r->size);
	r->base = NULL;
}

/**
 * sl_notify() - tell the owner about an event
 * @l:	the link
 * @ev:	the event
 */
void sl_notify(struct stream_link *l, enum stream_link_event ev)
{
	if (l->notify.event)
		l->notify.event(l, ev, l->notify.arg);
}

/**
 * sl_update_link() - port link up iff a connection is up and the user has
 * not set it down
 * @l:	the link
 */
void sl_update_link(struct stream_link *l)
{
	bool up = l->state == SL_UP && !l->admin_down && !l->closing;

	if (l->port.link_up != up)
		port_set_link(&l->port, up);
}

/**
 * sl_pend_push() - queue a received frame for the peer (ring of pend_cap)
 * @l:	the link
 * @f:	the frame, with the link's reference
 */
void sl_pend_push(struct stream_link *l, struct frame *f)
{
	l->pend[(l->pend_head + l->pend_n) & (l->pend_cap - 1)] = f;
	l->pend_n++;
}

/**
 * sl_pend_flush() - offer the queued received frames to the peer
 * @l:		the link
 * @can_hold:	let the peer hold the link (false: what it does not take is
 *		dropped and counted)
 *
 * Return: true when the queue is empty, false when the peer held the link
 * (the rest stays queued until resume).
 */
bool sl_pend_flush(struct stream_link *l, bool can_hold)
{
	while (l->pend_n) {
		uint32_t head = l->pend_head & (l->pend_cap - 1);
		uint32_t n = l->pend_n, done;

		if (n > l->pend_cap - head)
			n = l->pend_cap - head;
		if (n > FRAME_BATCH_MAX)
			n = FRAME_BATCH_MAX;
		l->stats.rx_batches++;
		done = port_send(&l->port, 0, l->pend + head, n, can_hold);
		l->pend_head += done;
		l->pend_n -= done;
		frame_put_n(l->pend + head, done);
		if (done < n) {
			l->rx_held = true;
			l->stats.holds++;
			return false;
		}
	}
	return true;
}

/**
 * sl_pend_drop() - offer queued frames once more, never holding: what the
 * peer does not take is counted (link_down, no_peer or queue_full)
 * @l:	the link
 */
void sl_pend_drop(struct stream_link *l)
{
	sl_pend_flush(l, false);
	l->rx_held = false;
}

/* Timer: run the receive pump outside the callback that asked for it. */
static void sl_pump_timer(struct uloop *loop, struct uloop_timer *t)
{
	struct stream_link *l = SL_CONTAINER_OF(t, struct stream_link,
						pump_timer);

	if (l->cfg.mode == STREAM_LINK_DGRAM) {
		sl_dgram_pump(l);
		return;
	}
	sl_stream_pump(l);
}

/**
 * sl_pump_later() - run the receive pump at the end of this loop iteration
 * @l:	the link
 *
 * For frame releases that happen inside a peer's code: pumping there would
 * call back into that peer.
 */
void sl_pump_later(struct stream_link *l)
{
	if (!l->closing && !uloop_timer_armed(&l->pump_timer))
		uloop_timer_arm_in(l->loop, &l->pump_timer, 0, 0);
}

/**
 * sl_idle() - whether nothing of the link is held by the kernel or a peer
 * @l:	the link
 *
 * Return: true when it may be freed.
 */
static bool sl_idle(const struct stream_link *l)
{
	if (uloop_op_busy(&l->accept_op) || uloop_op_busy(&l->connect_op) ||
	    l->pend_n || l->rx_out)
		return false;
	if (l->cfg.mode == STREAM_LINK_DGRAM)
		return sl_dgram_idle(l);
	return sl_stream_idle(l);
}

/* Timer: the closed link is idle; free it (no caller frame holds it). */
static void sl_free_timer(struct uloop *loop, struct uloop_timer *t)
{
	struct stream_link *l = SL_CONTAINER_OF(t, struct stream_link,
						free_timer);

	if (!sl_idle(l))
		return;
	if (l->lfd >= 0)
		close(l->lfd);
	if (l->next_fd >= 0)
		close(l->next_fd);
	if (l->cfg.mode == STREAM_LINK_DGRAM)
		sl_dgram_teardown(l);
	else
		sl_stream_teardown(l);
	free(l->pend);
	free(l->rxd);
	sl_notify(l, STREAM_LINK_EV_CLOSED);
	free(l);
}

/**
 * sl_maybe_free() - free a closed link once it is idle (from the loop)
 * @l:	the link
 */
void sl_maybe_free(struct stream_link *l)
{
	if (l->closing && sl_idle(l) && !uloop_timer_armed(&l->free_timer))
		uloop_timer_arm_in(l->loop, &l->free_timer, 0, 0);
}

/* Timer: retry an accept, or connect again. */
static void sl_retry_timer(struct uloop *loop, struct uloop_timer *t)
{
	struct stream_link *l = SL_CONTAINER_OF(t, struct stream_link,
						retry_timer);

	if (l->closing)
		return;
	if (l->cfg.mode == STREAM_LINK_LISTEN)
		sl_accept_arm(l);
	else if (l->state == SL_CONNECTING && l->fd < 0)
		sl_connect_start(l);
}

/**
 * sl_conn_gone() - whether the peer of the current connection has closed
 * its end (its end-of-stream is not processed yet)
 * @l:	the link, connected
 *
 * A VM that reconnects at once can be accepted before the loop has seen
 * its old connection end: that one is then served next, not refused.
 *
 * Return: true on a hang-up or a peer shutdown.
 */
static bool sl_conn_gone(const struct stream_link *l)
{
	struct pollfd p = { .fd = l->fd, .events = POLLRDHUP };

	return l->state == SL_UP && poll(&p, 1, 0) == 1 &&
	       (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/**
 * sl_accept_done() - an accept completed
 * @loop:	the loop
 * @op:		&l->accept_op
 * @res:	the new fd, or -errno
 * @flags:	CQE flags
 *
 * The first connection is served; while it is up another is refused
 * (closed and counted), except one arriving while the last one drains or
 * after its peer hung up, which is served next.
 */
static void sl_accept_done(struct uloop *loop, struct uloop_op *op, int res,
			   uint32_t flags)
{
	struct stream_link *l = SL_CONTAINER_OF(op, struct stream_link,
						accept_op);

	if (res < 0) {
		if (l->closing) {
			sl_maybe_free(l);
		} else if (res == -EINTR || res == -EAGAIN ||
			   res == -ECONNABORTED) {
			sl_accept_arm(l);
		} else {
			uloop_timer_arm_in(loop, &l->retry_timer, SL_RETRY_NS,
					   0);
		}
		return;
	}
	if (l->closing) {
		close(res);
		sl_maybe_free(l);
		return;
	}
	if (l->state == SL_LISTENING) {
		if (l->local.type == STREAM_ADDR_UNIX)
			l->peer = l->local; /* as QEMU reports it */
		else
			stream_addr_from_sockaddr(
				&l->peer, (struct sockaddr *)&l->accept_ss,
				l->accept_len);
		sl_conn_start(l, res);
	} else if (l->next_fd < 0 &&
		   (l->state == SL_DRAINING || sl_conn_gone(l))) {
		l->next_fd = res;
	} else {
		close(res);
		l->stats.refused++;
		sl_notify(l, STREAM_LINK_EV_REFUSED);
		if (l->closing)
			return;
	}
	sl_accept_arm(l);
}

/**
 * sl_accept_arm() - keep one accept in flight on the listener
 * @l:	the link
 *
 * With STREAM_LINK_EXTRA_QUEUE no accept is armed while a connection is
 * up: later clients wait in the backlog, as with QEMU's stream server.
 */
static void sl_accept_arm(struct stream_link *l)
{
	struct io_uring_sqe *sqe;

	if (l->lfd < 0 || l->closing || uloop_op_busy(&l->accept_op))
		return;
	if (l->cfg.extra == STREAM_LINK_EXTRA_QUEUE &&
	    l->state != SL_LISTENING)
		return;
	sqe = uloop_sqe_get(l->loop);
	if (!sqe) {
		uloop_timer_arm_in(l->loop, &l->retry_timer, SL_RETRY_NS, 0);
		return;
	}
	l->accept_len = sizeof(l->accept_ss);
	io_uring_prep_accept(sqe, l->lfd, (struct sockaddr *)&l->accept_ss,
			     &l->accept_len, SOCK_CLOEXEC);
	uloop_sqe_bind(l->loop, sqe, &l->accept_op);
}

/**
 * sl_conn_ended() - the last connection is drained and closed: listen
 * again, reconnect later, or stay idle
 * @l:	the link
 */
void sl_conn_ended(struct stream_link *l)
{
	int fd;

	if (l->closing) {
		l->state = SL_IDLE;
		sl_maybe_free(l);
		return;
	}
	switch (l->cfg.mode) {
	case STREAM_LINK_LISTEN:
		l->state = SL_LISTENING;
		fd = l->next_fd;
		l->next_fd = -1;
		if (fd >= 0)
			sl_conn_start(l, fd);
		sl_accept_arm(l);
		break;
	case STREAM_LINK_CONNECT:
		if (l->cfg.reconnect_ms && l->conn_len) {
			l->state = SL_CONNECTING;
			uloop_timer_arm_in(l->loop, &l->retry_timer,
					   l->cfg.reconnect_ms * 1000000ull, 0);
		} else {
			l->state = SL_IDLE;
		}
		break;
	default:
		break;
	}
}

/**
 * sl_connect_done() - a connect completed
 * @loop:	the loop
 * @op:		&l->connect_op
 * @res:	0 or -errno
 * @flags:	CQE flags
 */
static void sl_connect_done(struct uloop *loop, struct uloop_op *op, int res,
			    uint32_t flags)
{
	struct stream_link *l = SL_CONTAINER_OF(op, struct stream_link,
						connect_op);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = l->fd;

	l->fd = -1;
	if (l->closing || res < 0) {
		close(fd);
		if (l->closing) {
			sl_maybe_free(l);
			return;
		}
		l->stats.connect_failed++;
		l->conn_error = true;
		sl_notify(l, STREAM_LINK_EV_CONNECT_FAILED);
		if (!l->closing)
			sl_conn_ended(l);
		return;
	}
	if (!getpeername(fd, (struct sockaddr *)&ss, &len))
		stream_addr_from_sockaddr(&l->peer, (struct sockaddr *)&ss,
					  len);
	if (l->peer.type == STREAM_ADDR_UNIX && !l->peer.path[0])
		l->peer = l->cfg.addr;
	sl_conn_start(l, fd);
}

/**
 * sl_connect_start() - start a connection attempt (or take a handed fd)
 * @l:	the link
 */
static void sl_connect_start(struct stream_link *l)
{
	struct io_uring_sqe *sqe;
	int fd;

	if (!l->conn_len) {
		fd = l->cfg.addr.fd;
		l->cfg.addr.fd = -1; /* an fd serves one connection */
		if (fd < 0) {
			l->state = SL_IDLE;
			return;
		}
		l->peer = l->cfg.addr;
		l->peer.fd = fd;
		sl_conn_start(l, fd);
		return;
	}
	l->state = SL_CONNECTING;
	fd = socket(l->conn_ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sqe = fd < 0 ? NULL : uloop_sqe_get(l->loop);
	if (!sqe) {
		if (fd >= 0)
			close(fd);
		uloop_timer_arm_in(l->loop, &l->retry_timer, SL_RETRY_NS, 0);
		return;
	}
	l->fd = fd;
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)&l->conn_ss,
			      l->conn_len);
	uloop_sqe_bind(l->loop, sqe, &l->connect_op);
}

/**
 * sl_config_check() - validate and complete a configuration
 * @cfg:	the caller's configuration
 * @out:	the completed copy
 *
 * Return: 0, or -EINVAL for a bad mode, kind, length or buffer size.
 */
static int sl_config_check(const struct stream_link_config *cfg,
			   struct stream_link_config *out)
{
	uint32_t want, size = 4096;

	*out = *cfg;
	if ((unsigned int)cfg->mode >= STREAM_LINK_MODE_COUNT ||
	    (unsigned int)cfg->kind >= PORT_KIND_COUNT ||
	    (unsigned int)cfg->extra >= STREAM_LINK_EXTRA_COUNT)
		return -EINVAL;
	if (!out->max_len)
		out->max_len = FRAME_MAX_LEN;
	if (out->max_len < FRAME_MIN_LEN || out->max_len > FRAME_MAX_LEN)
		return -EINVAL;
	want = out->bufsize ? out->bufsize : STREAM_LINK_BUF_DEFAULT;
	if (want > STREAM_LINK_BUF_MAX)
		return -EINVAL;
	if (want < 2 * (out->max_len + STREAM_HDR_LEN))
		want = 2 * (out->max_len + STREAM_HDR_LEN);
	while (size < want)
		size <<= 1;
	out->bufsize = size;
	if (!out->dgram_bufs)
		out->dgram_bufs = STREAM_LINK_DGRAM_BUFS;
	if (out->dgram_bufs & (out->dgram_bufs - 1) ||
	    out->dgram_bufs > UBUFRING_MAX_BUFS)
		return -EINVAL;
	return 0;
}

/**
 * sl_open_stream() - listen or connect
 * @l:	the link, its rings set up
 *
 * Return: 0, or -errno from the socket calls or name resolution.
 */
static int sl_open_stream(struct stream_link *l)
{
	int ret;

	if (l->cfg.mode == STREAM_LINK_LISTEN) {
		ret = stream_addr_listen(&l->cfg.addr, &l->ufile);
		if (ret < 0)
			return ret;
		l->lfd = ret;
		stream_addr_local(l->lfd, &l->local);
		l->state = SL_LISTENING;
		sl_accept_arm(l);
		return 0;
	}
	if (l->cfg.addr.type == STREAM_ADDR_FD)
		return l->cfg.addr.fd < 0 ? -EBADF : 0;
	return stream_addr_resolve(&l->cfg.addr, SOCK_STREAM, false,
				   &l->conn_ss, &l->conn_len);
}

/**
 * stream_link_open() - open a link and its port (link down until a
 * connection is up; a datagram link is up at once)
 * @out:	set to the new link
 * @cfg:	what to open (copied)
 * @loop:	the loop it runs on (its thread)
 * @name:	port name ("n0", "e1000.0")
 * @notify:	event callback (may be NULL)
 *
 * A listener is listening when this returns; a client's connect is in
 * flight (or, for a handed fd, the connection is up and
 * STREAM_LINK_EV_CONNECTED has fired, after *@out was set).
 *
 * Return: 0; -EINVAL for a bad configuration; -EADDRINUSE / -EEXIST for a
 * unix path held by a live socket / by something else; -ENOMEM; or -errno
 * from the socket calls and name resolution.
 */
int stream_link_open(struct stream_link **out,
		     const struct stream_link_config *cfg, struct uloop *loop,
		     const char *name, const struct stream_link_notify *notify)
{
	struct stream_link *l = calloc(1, sizeof(*l));
	bool dgram = cfg && cfg->mode == STREAM_LINK_DGRAM;
	int ret;

	if (!l)
		return -ENOMEM;
	ret = cfg && loop ? sl_config_check(cfg, &l->cfg) : -EINVAL;
	if (ret)
		goto err_free;
	ret = port_init(&l->port, dgram ? &sl_dgram_ops : &sl_stream_ops,
			cfg->kind, name ? name : "", 1, l);
	if (ret)
		goto err_free;
	l->loop = loop;
	l->fd = l->lfd = l->next_fd = -1;
	if (notify)
		l->notify = *notify;
	uloop_op_init(&l->accept_op, sl_accept_done);
	uloop_op_init(&l->connect_op, sl_connect_done);
	uloop_timer_init(&l->retry_timer, sl_retry_timer);
	uloop_timer_init(&l->pump_timer, sl_pump_timer);
	uloop_timer_init(&l->free_timer, sl_free_timer);
	l->port.link_up = false;
	if (dgram) {
		ret = sl_dgram_setup(l);
		if (ret)
			goto err_free;
		*out = l;
		return 0;
	}
	ret = sl_stream_setup(l);
	if (ret)
		goto err_free;
	ret = sl_open_stream(l);
	if (ret)
		goto err_stream;
	*out = l;
	if (l->cfg.mode == STREAM_LINK_CONNECT)
		sl_connect_start(l);
	return 0;

err_stream:
	sl_stream_teardown(l);
err_free:
	free(l->pend);
	free(l->rxd);
	free(l);
	return ret;
}

/**
 * stream_link_close() - close a link; it is freed later, asynchronously
 * @l:	the link (NULL: nothing)
 *
 * The port is disconnected from its peer at once, the connection is shut
 * down, unix socket files the link created are removed, and frames not
 * yet delivered are dropped and counted. STREAM_LINK_EV_CLOSED fires when
 * the link is freed; do not use @l after this call.
 */
void stream_link_close(struct stream_link *l)
{
	if (!l || l->closing)
		return;
	uloop_timer_cancel(l->loop, &l->retry_timer);
	uloop_timer_cancel(l->loop, &l->pump_timer);
	port_disconnect(&l->port);
	l->closing = true;
	if (l->state == SL_UP && l->cfg.mode != STREAM_LINK_DGRAM)
		sl_conn_reset(l, false);
	if (l->state != SL_DRAINING)
		l->state = SL_IDLE;
	sl_update_link(l);
	if (uloop_op_busy(&l->accept_op))
		uloop_cancel(l->loop, &l->accept_op);
	if (l->lfd >= 0)
		shutdown(l->lfd, SHUT_RDWR);
	if (uloop_op_busy(&l->connect_op))
		uloop_cancel(l->loop, &l->connect_op);
	if (l->cfg.mode == STREAM_LINK_DGRAM)
		sl_dgram_stop(l);
	stream_unix_file_remove(&l->ufile);
	sl_pend_drop(l);
	sl_maybe_free(l);
}

/**
 * stream_link_port() - the link's port, to connect to a peer
 * @l:	the link
 *
 * Return: the port (valid until the link is closed).
 */
struct port *stream_link_port(struct stream_link *l)
{
	return &l->port;
}

/**
 * stream_link_connected() - whether a connection is up
 * @l:	the link
 *
 * Return: true while connected (a datagram link: while open).
 */
bool stream_link_connected(const struct stream_link *l)
{
	return l->state == SL_UP;
}

/**
 * stream_link_stats() - the link's counters
 * @l:	the link
 *
 * Return: the live counters (loop thread only).
 */
const struct stream_link_stats *stream_link_stats(const struct stream_link *l)
{
	return &l->stats;
}

/**
 * stream_link_peer() - who is connected (QMP NETDEV_STREAM_CONNECTED addr)
 * @l:		the link
 * @peer:	filled in: the client's address (for a unix listener, the
 *		listening path, as QEMU reports it), or the server's
 *
 * Return: 0, or -ENOTCONN without a connection.
 */
int stream_link_peer(const struct stream_link *l, struct stream_addr *peer)
{
	if (l->state != SL_UP || l->cfg.mode == STREAM_LINK_DGRAM)
		return -ENOTCONN;
	*peer = l->peer;
	return 0;
}

/**
 * stream_link_local() - the address the link listens on or is bound to,
 * with the port the kernel chose for port 0
 * @l:		the link
 * @local:	filled in
 *
 * Return: 0, or -ENOTCONN for a client.
 */
int stream_link_local(const struct stream_link *l, struct stream_addr *local)
{
	if (l->cfg.mode == STREAM_LINK_CONNECT)
		return -ENOTCONN;
	*local = l->local;
	return 0;
}

/**
 * stream_link_set_link() - the user's link state (set_link), kept apart
 * from the connection state: the port is up iff both are
 * @l:	the link
 * @up:	true for up
 */
void stream_link_set_link(struct stream_link *l, bool up)
{
	l->admin_down = !up;
	sl_update_link(l);
}

/**
 * sl_dgram_info() - QEMU's dgram text: udp=L:R (unix), udp=LH:LP/RH:RP
 * @l:		a datagram link
 * @buf:	destination
 * @size:	its size
 *
 * Return: snprintf()'s count.
 */
static int sl_dgram_info(const struct stream_link *l, char *buf, size_t size)
{
	const struct stream_addr *lo = &l->local, *re = &l->cfg.remote;

	if (l->cfg.addr.type == STREAM_ADDR_FD && l->cfg.has_local)
		return snprintf(buf, size, "fd=%d", l->fd);
	if (re->type == STREAM_ADDR_UNIX)
		return snprintf(buf, size, "udp=%s:%s", lo->path, re->path);
	if (!l->cfg.has_local ||
	    (lo->type == STREAM_ADDR_INET && l->dest.ss_family == AF_INET &&
	     IN_MULTICAST(ntohl(((const struct sockaddr_in *)&l->dest)
					->sin_addr.s_addr))))
		return snprintf(buf, size, "mcast=%s:%u", re->host, re->port);
	return snprintf(buf, size, "udp=%s:%u/%s:%u", lo->host, lo->port,
			re->host, re->port);
}

/**
 * stream_link_info() - the text `info network` shows for the link, as
 * QEMU words it: "listening", "connecting", the peer's URI
 * ("unix:/path", "tcp:127.0.0.1:46958"), "connection error",
 * "disconnected"; for datagrams "udp=..." or "mcast=..."
 * @l:		the link
 * @buf:	destination
 * @size:	its size
 *
 * Return: 0, or -ENOSPC when truncated.
 */
int stream_link_info(const struct stream_link *l, char *buf, size_t size)
{
	int n;

	if (l->cfg.mode == STREAM_LINK_DGRAM) {
		n = sl_dgram_info(l, buf, size);
	} else if (l->state == SL_UP) {
		return stream_addr_uri(&l->peer, SOCK_STREAM, buf, size);
	} else if (l->state == SL_LISTENING || l->state == SL_DRAINING) {
		n = snprintf(buf, size, "%s",
			     l->cfg.mode == STREAM_LINK_LISTEN ? "listening"
							       : "connecting");
	} else if (l->state == SL_CONNECTING) {
		n = snprintf(buf, size, "connecting");
	} else {
		n = snprintf(buf, size, "%s",
			     l->conn_error ? "connection error"
					   : "disconnected");
	}
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}
