// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop_emu_ops.c: the emulated io_uring's operations, each a non-blocking system call tried when its fd is ready. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "datapath/uring/uloop_emu.h"

/*
 * Every operation first asks poll(2), with no timeout, whether its fd is
 * ready (the fds qnet hands to io_uring may be blocking: the wake-up
 * eventfd is), or uses MSG_DONTWAIT; what would block waits for epoll.
 * Results and CQE flags are io_uring's: -errno, IORING_CQE_F_BUFFER with
 * the buffer id, IORING_CQE_F_MORE while a multishot request goes on.
 */

/* Readiness of @fd for @ev now: revents, or -errno. */
static int emu_ready(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int n = poll(&p, 1, 0);

	if (n < 0)
		return -errno;
	if (p.revents & POLLNVAL)
		return -EBADF;
	return n ? p.revents : 0;
}

/* Take the next buffer of group @bgid (its length in g->last_len).
 * Return: false when the group is empty or unknown. */
static bool emu_buf_pick(struct uloop_emu *e, uint16_t bgid, void **addr,
			 uint16_t *bid, struct emu_group **gp)
{
	unsigned int i;

	for (i = 0; i < EMU_GROUPS; i++) {
		struct emu_group *g = &e->groups[i];
		const struct io_uring_buf *b;
		uint16_t tail;

		if (!g->br || g->bgid != bgid)
			continue;
		tail = __atomic_load_n(&g->br->tail, __ATOMIC_ACQUIRE);
		if (tail == g->head)
			return false;
		b = &g->br->bufs[g->head & g->mask];
		*addr = (void *)(uintptr_t)b->addr;
		g->last_len = b->len;
		*bid = b->bid;
		*gp = g;
		g->head++;
		return true;
	}
	return false;
}

/* End @r with @res (and @flags); Return: true (the request ended). */
static bool emu_end(struct uloop_emu *e, struct emu_req *r, int32_t res,
		    uint32_t flags, int32_t *out)
{
	uloop_emu_post(e, r->sqe.user_data, res, flags);
	*out = res;
	return true;
}

/*
 * One read or write that must not block: preadv2()/pwritev2() with
 * RWF_NOWAIT (sockets, pipes and most fds take it), else poll(2) first
 * and the plain call. Offsets on fds without them (pipes, sockets, taps,
 * eventfds) mean the current position, as in io_uring.
 * Return: bytes, -errno, or -EAGAIN when it would block.
 */
static ssize_t emu_xfer(int fd, bool wr, const struct iovec *iov, int cnt,
			uint64_t off)
{
	off_t o = off == (uint64_t)-1 ? -1 : (off_t)off;
	ssize_t n;
	int rev;

	n = wr ? pwritev2(fd, iov, cnt, o, RWF_NOWAIT)
	       : preadv2(fd, iov, cnt, o, RWF_NOWAIT);
	if (n < 0 && errno == ESPIPE && o != -1) {
		o = -1;
		n = wr ? pwritev2(fd, iov, cnt, o, RWF_NOWAIT)
		       : preadv2(fd, iov, cnt, o, RWF_NOWAIT);
	}
	if (n >= 0 || errno != EOPNOTSUPP)
		return n < 0 ? (errno == EINTR ? -EAGAIN : -errno) : n;
	rev = emu_ready(fd, wr ? POLLOUT : POLLIN);
	if (rev <= 0)
		return rev < 0 ? rev : -EAGAIN;
	n = wr ? pwritev2(fd, iov, cnt, o, 0) : preadv2(fd, iov, cnt, o, 0);
	if (n < 0 && errno == ESPIPE && o != -1)
		n = wr ? writev(fd, iov, cnt) : readv(fd, iov, cnt);
	return n < 0 ? (errno == EINTR ? -EAGAIN : -errno) : n;
}

/* READ, WRITE (and _FIXED), READV, WRITEV. */
static bool emu_rw(struct uloop_emu *e, struct emu_req *r, uint32_t *want,
		   int32_t *res)
{
	const struct io_uring_sqe *s = &r->sqe;
	bool wr = s->opcode == IORING_OP_WRITE || s->opcode == IORING_OP_WRITEV ||
		  s->opcode == IORING_OP_WRITE_FIXED;
	bool vec = s->opcode == IORING_OP_READV || s->opcode == IORING_OP_WRITEV;
	struct iovec one = { (void *)(uintptr_t)s->addr, s->len };
	struct emu_group *g = NULL;
	uint32_t flags = 0;
	uint16_t bid = 0;
	ssize_t n;

	if (s->flags & IOSQE_BUFFER_SELECT) {
		if (!emu_buf_pick(e, s->buf_group, &one.iov_base, &bid, &g))
			return emu_end(e, r, -ENOBUFS, 0, res);
		one.iov_len = g->last_len;
		flags = IORING_CQE_F_BUFFER | (uint32_t)bid << IORING_CQE_BUFFER_SHIFT;
	}
	if ((s->opcode == IORING_OP_READ_FIXED ||
	     s->opcode == IORING_OP_WRITE_FIXED) &&
	    !uloop_emu_fixed_ok(e, s->buf_index, one.iov_base, s->len))
		return emu_end(e, r, -EFAULT, 0, res);
	n = emu_xfer(r->fd, wr, vec ? (const struct iovec *)(uintptr_t)s->addr
				    : &one, vec ? (int)s->len : 1, s->off);
	if (n < 0 && g)
		g->head--;	/* not consumed */
	if (n == -EAGAIN) {
		*want = wr ? EPOLLOUT : EPOLLIN;
		return false;
	}
	return emu_end(e, r, (int32_t)n, n < 0 ? 0 : flags, res);
}

/* Multishot read (opcode 49) or recv into provided buffers: everything
 * there is, as io_uring reads it, up to EMU_MSHOT_BUDGET per turn; ends
 * at end of file, on an error or when buffers run out. */
static bool emu_mshot(struct uloop_emu *e, struct emu_req *r, uint32_t *want,
		      int32_t *res)
{
	const struct io_uring_sqe *s = &r->sqe;
	bool recv_op = s->opcode == IORING_OP_RECV;
	unsigned int i;

	for (i = 0; i < EMU_MSHOT_BUDGET; i++) {
		struct emu_group *g;
		struct iovec iov;
		uint16_t bid;
		ssize_t n;

		if (!emu_buf_pick(e, s->buf_group, &iov.iov_base, &bid, &g))
			return emu_end(e, r, -ENOBUFS, 0, res);
		iov.iov_len = g->last_len;
		if (recv_op) {
			n = recv(r->fd, iov.iov_base, iov.iov_len,
				 (int)s->msg_flags | MSG_DONTWAIT);
			if (n < 0)
				n = errno == EINTR ? -EAGAIN : -errno;
		} else {
			n = emu_xfer(r->fd, false, &iov, 1, (uint64_t)-1);
		}
		if (n <= 0)
			g->head--;
		if (n == -EAGAIN)
			break;
		if (n <= 0)
			return emu_end(e, r, (int32_t)n, 0, res);
		uloop_emu_post(e, s->user_data, (int32_t)n,
			       IORING_CQE_F_BUFFER | IORING_CQE_F_MORE |
			       (uint32_t)bid << IORING_CQE_BUFFER_SHIFT);
	}
	r->again = i == EMU_MSHOT_BUDGET;	/* more may be there: no edge
						 * will say so */
	*want = EPOLLIN;
	return false;
}

/* SEND, RECV (single shot), SENDMSG: MSG_DONTWAIT; a caller's own
 * MSG_DONTWAIT gets -EAGAIN as from io_uring, else the request waits. */
static bool emu_sock(struct uloop_emu *e, struct emu_req *r, uint32_t *want,
		     int32_t *res)
{
	const struct io_uring_sqe *s = &r->sqe;
	int fl = (int)s->msg_flags;
	void *addr = (void *)(uintptr_t)s->addr;
	ssize_t n;

	if (s->opcode == IORING_OP_RECV && (s->ioprio & IORING_RECV_MULTISHOT))
		return emu_mshot(e, r, want, res);
	if (s->opcode == IORING_OP_SENDMSG)
		n = sendmsg(r->fd, addr, fl | MSG_DONTWAIT);
	else if (s->opcode == IORING_OP_SEND)
		n = send(r->fd, addr, s->len, fl | MSG_DONTWAIT);
	else
		n = recv(r->fd, addr, s->len, fl | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR) &&
	    !(fl & MSG_DONTWAIT)) {
		*want = s->opcode == IORING_OP_RECV ? EPOLLIN : EPOLLOUT;
		return false;
	}
	return emu_end(e, r, n < 0 ? -errno : (int32_t)n, 0, res);
}

/* ACCEPT when a connection waits; CONNECT without blocking the loop (the
 * socket is non-blocking only while it connects). */
static bool emu_conn(struct uloop_emu *e, struct emu_req *r, uint32_t *want,
		     int32_t *res)
{
	const struct io_uring_sqe *s = &r->sqe;
	int rev, fl, err = 0;
	socklen_t el = sizeof(err);

	if (s->opcode == IORING_OP_ACCEPT) {
		rev = emu_ready(r->fd, POLLIN);
		if (rev < 0)
			return emu_end(e, r, rev, 0, res);
		if (rev) {
			int fd = accept4(r->fd, (struct sockaddr *)(uintptr_t)
					 s->addr, (socklen_t *)(uintptr_t)s->off,
					 (int)s->accept_flags);

			if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
				return emu_end(e, r, fd < 0 ? -errno : fd, 0,
					       res);
		}
		*want = EPOLLIN;
		return false;
	}
	if (!r->connecting) {
		fl = fcntl(r->fd, F_GETFL);
		if (fl >= 0 && !(fl & O_NONBLOCK))
			(void)fcntl(r->fd, F_SETFL, fl | O_NONBLOCK);
		rev = connect(r->fd, (struct sockaddr *)(uintptr_t)s->addr,
			      (socklen_t)s->off) ? -errno : 0;
		if (fl >= 0 && !(fl & O_NONBLOCK))
			(void)fcntl(r->fd, F_SETFL, fl);
		if (rev != -EINPROGRESS && rev != -EAGAIN)
			return emu_end(e, r, rev, 0, res);
		r->connecting = true;
		*want = EPOLLOUT;
		return false;
	}
	rev = emu_ready(r->fd, POLLOUT);
	if (rev == 0) {
		*want = EPOLLOUT;
		return false;
	}
	if (rev < 0)
		return emu_end(e, r, rev, 0, res);
	if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &el))
		err = errno;
	return emu_end(e, r, -err, 0, res);
}

/* POLL_ADD: the revents when ready; a multishot poll goes on. */
static bool emu_poll(struct uloop_emu *e, struct emu_req *r, uint32_t *want,
		     int32_t *res)
{
	const struct io_uring_sqe *s = &r->sqe;
	short ev = (short)s->poll32_events;
	int rev = emu_ready(r->fd, ev);

	if (rev < 0)
		return emu_end(e, r, rev == -EBADF ? POLLNVAL : rev, 0, res);
	rev &= ev | POLLERR | POLLHUP;
	if (rev && !(s->len & IORING_POLL_ADD_MULTI))
		return emu_end(e, r, rev, 0, res);
	if (rev)
		uloop_emu_post(e, s->user_data, rev, IORING_CQE_F_MORE);
	*want = (uint32_t)(unsigned short)ev;
	return false;
}

/**
 * uloop_emu_try() - try a request once
 * @e:		the emulation
 * @r:		the request (fd resolved)
 * @want:	set to the epoll events to wait for when it cannot go on
 * @res:	set to its final result when it ended
 *
 * Return: true when it ended (its last CQE is posted), false when it
 * waits for @want.
 */
bool uloop_emu_try(struct uloop_emu *e, struct emu_req *r, uint32_t *want,
		   int32_t *res)
{
	switch (r->sqe.opcode) {
	case IORING_OP_NOP:
		return emu_end(e, r, 0, 0, res);
	case IORING_OP_READ:
	case IORING_OP_WRITE:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
		return emu_rw(e, r, want, res);
	case ULOOP_OP_READ_MULTISHOT:
		return emu_mshot(e, r, want, res);
	case IORING_OP_SEND:
	case IORING_OP_RECV:
	case IORING_OP_SENDMSG:
		return emu_sock(e, r, want, res);
	case IORING_OP_ACCEPT:
	case IORING_OP_CONNECT:
		return emu_conn(e, r, want, res);
	case IORING_OP_POLL_ADD:
		return emu_poll(e, r, want, res);
	default:
		return emu_end(e, r, -EINVAL, 0, res);
	}
}
