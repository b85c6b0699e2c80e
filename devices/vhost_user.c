// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user.c: vhost-user socket life cycle: listen/connect, reading messages, kicks. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/vhost_user.h"

#define VU_RECONNECT_DEFAULT_MS 1000u
#define VU_WATCH(p) ((struct vu_watch *)(p))

static_assert(offsetof(struct vu_watch, p) == 0, "watch first");

static void vu_try_connect(struct vhost_user *vu);

/**
 * vu_quiesce() - ask the device to stop (or restart) its other threads
 * @vu:		the transport
 * @stop:	true to stop
 */
static void vu_quiesce(struct vhost_user *vu, bool stop)
{
	if (vu->ops->quiesce)
		vu->ops->quiesce(vu->dev, stop);
}

/**
 * vu_close_fds() - close fds a message brought
 * @vu:		the transport (for the counter)
 * @fds:	the fds; closed ones become -1
 * @n:		how many
 */
static void vu_close_fds(struct vhost_user *vu, int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		close(fds[i]);
		fds[i] = -1;
		vu->stats.fds_closed++;
	}
}

/**
 * vu_watch_release() - the kernel let go of a deleted watch
 * @loop:	the loop
 * @p:		the watch
 *
 * When the transport is closing and this was the last one, the owner's
 * closed hook runs: its memory may go now.
 */
static void vu_watch_release(struct uloop *loop, struct uloop_poll *p)
{
	struct vhost_user *vu = VU_WATCH(p)->vu;

	vu->pending--;
	if (vu->closing && !vu->pending && vu->closed)
		vu->closed(vu->dev);
}

/**
 * vu_watch_start() - watch @fd for POLLIN with @cb
 * @vu:		the transport
 * @w:		a free watch
 * @fd:		the fd
 * @cb:		the callback
 *
 * Return: 0, or -EBUSY.
 */
static int vu_watch_start(struct vhost_user *vu, struct vu_watch *w, int fd,
			  void (*cb)(struct uloop *, struct uloop_poll *, int))
{
	uloop_poll_init(&w->p, fd, 0, cb);
	w->p.release = vu_watch_release;
	w->vu = vu;
	if (uloop_poll_set(vu->loop, &w->p, POLLIN))
		return -EBUSY;
	vu->pending++;
	return 0;
}

/**
 * vu_kick_cb() - a kick fd became readable: clear it and run the queue
 * @loop:	the loop
 * @p:		the watch
 * @revents:	poll events or -errno
 */
static void vu_kick_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct vu_watch *w = VU_WATCH(p);
	struct vhost_user *vu = w->vu;
	unsigned int idx = w->kick->idx;
	uint64_t v;

	if (revents < 0 || (revents & (POLLERR | POLLHUP | POLLNVAL))) {
		/* a dead kick fd: stop watching rather than spin */
		uloop_poll_del(loop, p);
		if (w->kick->cur >= 0 && &w->kick->w[w->kick->cur] == w)
			w->kick->cur = -1;
		return;
	}
	while (read(p->fd, &v, sizeof(v)) == sizeof(v))
		;
	vu->vq[idx].stats.kicks++;
	if (!vu->vq[idx].started)
		return;
	vu->ops->kick(vu->dev, idx);
}

/**
 * vu_kick_set() - watch a new kick fd for queue @idx (or none)
 * @vu:		the transport
 * @idx:	queue index (checked by the caller)
 * @fd:		the fd, taken over; -1 for none
 *
 * The previous fd's watch is deleted and the fd closed.
 *
 * Return: 0, or -EBUSY when no watch is free (@fd is then closed).
 */
int vu_kick_set(struct vhost_user *vu, unsigned int idx, int fd)
{
	struct vu_kick *k = &vu->kick[idx];
	struct virtq *vq = &vu->vq[idx];
	unsigned int i;

	if (k->cur >= 0) {
		uloop_poll_del(vu->loop, &k->w[k->cur].p);
		k->cur = -1;
	}
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = -1;
	if (fd < 0)
		return 0;
	for (i = 0; i < VU_KICK_WATCHES; i++)
		if (!k->w[i].p.active && !uloop_poll_busy(&k->w[i].p))
			break;
	if (i == VU_KICK_WATCHES) {
		close(fd);
		return -EBUSY;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	k->w[i].kick = k;
	if (vu_watch_start(vu, &k->w[i], fd, vu_kick_cb)) {
		close(fd);
		return -EBUSY;
	}
	k->cur = (int)i;
	vq->kick_fd = fd;
	return 0;
}

/**
 * vu_reset_rings() - stop every queue, close its fds, forget its state
 * @vu:	the transport
 *
 * The device's stop hook runs first for every started queue.
 */
void vu_reset_rings(struct vhost_user *vu)
{
	unsigned int i;

	for (i = 0; i < vu->nvq; i++) {
		struct virtq *vq = &vu->vq[i];

		if (vq->started)
			vu->ops->stop(vu->dev, i);
		vu_kick_set(vu, i, -1);
		if (vq->call_fd >= 0)
			close(vq->call_fd);
		if (vq->err_fd >= 0)
			close(vq->err_fd);
		virtq_init(vq, &vu->mem);
		vq->stats = (struct virtq_stats){ 0 };
	}
}

/**
 * vu_remap_rings() - translate every queue's ring addresses again (after
 * the memory table changed); a started queue whose rings are gone breaks
 * @vu:	the transport
 */
void vu_remap_rings(struct vhost_user *vu)
{
	unsigned int i;

	for (i = 0; i < vu->nvq; i++) {
		struct virtq *vq = &vu->vq[i];

		if (!vq->addr_set)
			continue;
		if (virtq_map(vq) && vq->started)
			virtq_set_broken(vq, VIRTQ_ERR_RING_ADDR);
	}
}

/**
 * vu_conn_drop() - end the current connection and forget its state
 * @vu:	the transport
 */
static void vu_conn_drop(struct vhost_user *vu)
{
	if (!vu->connected)
		return;
	vu_quiesce(vu, true);
	vu->connected = false;
	vu->stats.disconnects++;
	vu_reset_rings(vu);
	guest_mem_clear(&vu->mem);
	vu_close_fds(vu, vu->fds, vu->nfds);
	vu->nfds = 0;
	vu->got = 0;
	vu->features = 0;
	vu->protocol_features = 0;
	vu->features_acked = false;
	vu->owner = false;
	if (vu->backend_fd >= 0)
		close(vu->backend_fd);
	vu->backend_fd = -1;
	if (vu->conn_cur >= 0)
		uloop_poll_del(vu->loop, &vu->conn_w[vu->conn_cur].p);
	vu->conn_cur = -1;
	close(vu->conn_fd);
	vu->conn_fd = -1;
	vu->ops->state(vu->dev);
	vu_quiesce(vu, false);
}

/**
 * vhost_user_disconnect() - drop the front-end (it may connect again)
 * @vu:	the transport
 *
 * A client schedules its reconnection.
 */
void vhost_user_disconnect(struct vhost_user *vu)
{
	if (!vu->connected)
		return;
	vu_conn_drop(vu);
	if (!vu->server && !vu->closing && !vu->once)
		uloop_timer_arm_in(vu->loop, &vu->retry,
				   (uint64_t)vu->reconnect_ms * 1000000ull, 0);
}

/**
 * vu_send() - send a reply
 * @vu:		the transport
 * @m:		the reply (header size says how much payload)
 *
 * Return: 0, or -errno (the caller drops the connection).
 */
static int vu_send(struct vhost_user *vu, const struct vu_msg *m)
{
	size_t len = sizeof(m->hdr) + m->hdr.size;
	ssize_t n = send(vu->conn_fd, m, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/**
 * vu_recv() - read up to @len bytes of the current message, with fds
 * @vu:		the transport
 * @len:	bytes wanted
 *
 * Return: bytes read (> 0), 0 on EOF, or -errno (-EAGAIN: nothing yet).
 */
static ssize_t vu_recv(struct vhost_user *vu, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (uint8_t *)&vu->msg + vu->got, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(vu->conn_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, nfd;
		int *fd = (int *)CMSG_DATA(c);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			if (vu->nfds < VU_MAX_FDS) {
				vu->fds[vu->nfds++] = fd[i];
			} else {
				close(fd[i]);
				vu->stats.fds_closed++;
			}
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		vu->stats.fds_closed++;	/* the kernel discarded the rest */
	return n;
}

/**
 * vu_header_ok() - whether a header can be trusted to frame a message
 * @h:	the header
 *
 * Return: true for version 1, no reply flag, payload within the maximum.
 */
static bool vu_header_ok(const struct vu_hdr *h)
{
	return (h->flags & VU_VERSION_MASK) == VU_VERSION &&
	       !(h->flags & VU_FLAG_REPLY) && h->size <= VU_PAYLOAD_MAX;
}

/**
 * vu_dispatch() - handle one complete message and answer it
 * @vu:	the transport
 *
 * Return: 0, or -errno when the connection must end.
 */
static int vu_dispatch(struct vhost_user *vu)
{
	struct vu_msg reply;
	int ret;

	memset(&reply.hdr, 0, sizeof(reply.hdr));
	vu_quiesce(vu, true);
	ret = vhost_user_handle(vu, &vu->msg, vu->fds, vu->nfds, &reply);
	vu_quiesce(vu, false);
	vu_close_fds(vu, vu->fds, vu->nfds);
	vu->nfds = 0;
	vu->got = 0;
	if (ret < 0)
		return ret;
	if (ret > 0 && vu->connected)
		return vu_send(vu, &reply);
	return 0;
}

/**
 * vu_read_some() - read and handle messages until the socket is empty
 * @vu:	the transport
 *
 * Return: 0, or -errno when the connection must end (EOF included).
 */
static int vu_read_some(struct vhost_user *vu)
{
	const size_t hl = sizeof(struct vu_hdr);

	while (vu->connected) {
		size_t want = vu->got < hl ? hl - vu->got
					   : hl + vu->msg.hdr.size - vu->got;
		ssize_t n = want ? vu_recv(vu, want) : 0;

		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n < 0)
			return (int)n;
		if (want && n == 0)
			return -ECONNRESET;
		vu->got += (uint32_t)n;
		if (vu->got == hl && !vu_header_ok(&vu->msg.hdr)) {
			vu->stats.fatal++;
			return -EPROTO;
		}
		if (vu->got >= hl && vu->got == hl + vu->msg.hdr.size) {
			int ret = vu_dispatch(vu);

			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * vu_conn_cb() - the connection is readable (or broke)
 * @loop:	the loop
 * @p:		the watch
 * @revents:	poll events or -errno
 */
static void vu_conn_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct vhost_user *vu = VU_WATCH(p)->vu;
	int ret = revents < 0 ? revents : vu_read_some(vu);

	if (!ret && (revents & (POLLERR | POLLNVAL)))
		ret = -EIO;
	if (!ret && (revents & POLLHUP) && !(revents & POLLIN))
		ret = -ECONNRESET;
	if (ret)
		vhost_user_disconnect(vu);
}

/**
 * vu_conn_start() - serve a new connection
 * @vu:	the transport (not connected)
 * @fd:	the connected socket, taken over
 *
 * Return: 0, or -EBUSY when no connection watch is free (@fd closed).
 */
static int vu_conn_start(struct vhost_user *vu, int fd)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (!vu->conn_w[i].p.active && !uloop_poll_busy(&vu->conn_w[i].p))
			break;
	if (i == 2) {
		close(fd);
		return -EBUSY;
	}
	if (vu_watch_start(vu, &vu->conn_w[i], fd, vu_conn_cb)) {
		close(fd);
		return -EBUSY;
	}
	vu->conn_cur = (int)i;
	vu->conn_fd = fd;
	vu->connected = true;
	vu->got = 0;
	vu->nfds = 0;
	vu->stats.connects++;
	vu_quiesce(vu, true);
	vu->ops->state(vu->dev);
	vu_quiesce(vu, false);
	return 0;
}

/**
 * vu_listen_cb() - accept a front-end (or refuse a second one)
 * @loop:	the loop
 * @p:		the listening watch
 * @revents:	poll events or -errno
 */
static void vu_listen_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct vhost_user *vu = VU_WATCH(p)->vu;
	int fd;

	if (revents < 0) {
		uloop_poll_set(loop, p, POLLIN);
		return;
	}
	while ((fd = accept4(vu->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (vu->connected) {
			vu->stats.busy_rejects++;
			close(fd);
			continue;
		}
		vu_conn_start(vu, fd);
	}
}

/**
 * vu_retry_cb() - reconnection timer (client mode)
 * @loop:	the loop
 * @t:		the timer
 */
static void vu_retry_cb(struct uloop *loop, struct uloop_timer *t)
{
	vu_try_connect((struct vhost_user *)((uint8_t *)t -
					     offsetof(struct vhost_user, retry)));
}

/**
 * vu_try_connect() - connect to the front-end's socket, or retry later
 * @vu:	the transport (client mode, not connected)
 */
static void vu_try_connect(struct vhost_user *vu)
{
	int fd;

	if (vu->connected || vu->closing)
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&vu->addr,
			       sizeof(vu->addr)) == 0 &&
	    vu_conn_start(vu, fd) == 0)
		return;
	if (fd >= 0 && !vu->connected)
		close(fd);
	uloop_timer_arm_in(vu->loop, &vu->retry,
			   (uint64_t)vu->reconnect_ms * 1000000ull, 0);
}

/**
 * vu_listen() - create the listening socket (removing a stale one)
 * @vu:	the transport
 *
 * Return: 0 or -errno.
 */
static int vu_listen(struct vhost_user *vu)
{
	struct stat st;
	int fd, ret;

	if (lstat(vu->addr.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(vu->addr.sun_path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&vu->addr, sizeof(vu->addr)) < 0 ||
	    listen(fd, 4) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = vu_watch_start(vu, &vu->listen_w, fd, vu_listen_cb);
	if (ret) {
		close(fd);
		unlink(vu->addr.sun_path);
		return ret;
	}
	vu->listen_fd = fd;
	return 0;
}

/**
 * vu_queues_alloc() - allocate the queues and an empty memory table
 * @vu:	the transport (@nvq set)
 *
 * Return: 0 or -ENOMEM.
 */
static int vu_queues_alloc(struct vhost_user *vu)
{
	unsigned int i;

	guest_mem_init(&vu->mem);
	vu->vq = calloc(vu->nvq, sizeof(*vu->vq));
	if (!vu->vq)
		return -ENOMEM;
	for (i = 0; i < vu->nvq; i++) {
		virtq_init(&vu->vq[i], &vu->mem);
		vu->kick[i].idx = i;
		vu->kick[i].cur = -1;
	}
	return 0;
}

/**
 * vhost_user_open() - serve a vhost-user socket for a device
 * @vu:		the transport (caller's memory, valid until close)
 * @cfg:	socket path, listen or connect, reconnect period
 * @loop:	the loop everything runs on
 * @pairs:	queue pairs (1..VU_MAX_QUEUE_PAIRS)
 * @ctrl_vq:	one more queue after the pairs (the control queue)
 * @protocol_features: protocol features to offer (VU_PF_* bits)
 * @ops:	the device's hooks
 * @dev:	their argument
 *
 * A listener binds and listens at once; a client tries to connect at once
 * and keeps retrying; with @cfg->use_fd the given socket is served at once.
 *
 * Return: 0; -EINVAL for a bad argument; -ENAMETOOLONG for a long path;
 * -EEXIST when the path exists and is not a socket; -errno from the socket
 * calls or allocation.
 */
int vhost_user_open(struct vhost_user *vu, const struct vhost_user_config *cfg,
		    struct uloop *loop, unsigned int pairs, bool ctrl_vq,
		    uint64_t protocol_features, const struct vu_dev_ops *ops,
		    void *dev)
{
	int ret;

	if (!cfg || (!cfg->path && !cfg->use_fd) || (cfg->use_fd && cfg->fd < 0) ||
	    !loop || !ops || !pairs || pairs > VU_MAX_QUEUE_PAIRS)
		return -EINVAL;
	memset(vu, 0, sizeof(*vu));
	vu->addr.sun_family = AF_UNIX;
	if (!cfg->use_fd) {
		if (strlen(cfg->path) >= sizeof(vu->addr.sun_path))
			return -ENAMETOOLONG;
		strcpy(vu->addr.sun_path, cfg->path);
	}
	vu->server = cfg->server && !cfg->use_fd;
	vu->once = cfg->use_fd;
	vu->reconnect_ms = cfg->reconnect_ms ? cfg->reconnect_ms
					     : VU_RECONNECT_DEFAULT_MS;
	vu->loop = loop;
	vu->ops = ops;
	vu->dev = dev;
	vu->offered_pf = protocol_features;
	vu->pairs = pairs;
	vu->nvq = 2 * pairs + (ctrl_vq ? 1 : 0);
	vu->listen_fd = -1;
	vu->conn_fd = -1;
	vu->backend_fd = -1;
	vu->conn_cur = -1;
	ret = vu_queues_alloc(vu);
	if (ret)
		return ret;
	uloop_timer_init(&vu->retry, vu_retry_cb);
	if (cfg->use_fd) {
		fcntl(cfg->fd, F_SETFL, fcntl(cfg->fd, F_GETFL) | O_NONBLOCK);
		ret = vu_conn_start(vu, cfg->fd);
		if (ret) {
			free(vu->vq);
			vu->vq = NULL;
		}
		return ret;
	}
	if (!vu->server) {
		vu_try_connect(vu);
		return 0;
	}
	ret = vu_listen(vu);
	if (ret) {
		free(vu->vq);
		vu->vq = NULL;
	}
	return ret;
}

/**
 * vhost_user_close() - stop serving: drop the front-end, close the socket
 * @vu:		the transport
 * @closed:	called with the device once the loop holds nothing of @vu
 *		any more (at once, or later from the loop); until then @vu's
 *		memory must stay valid
 */
void vhost_user_close(struct vhost_user *vu, void (*closed)(void *dev))
{
	if (!vu->vq) {
		closed(vu->dev);
		return;
	}
	vu->closing = true;
	vu_conn_drop(vu);
	uloop_timer_cancel(vu->loop, &vu->retry);
	if (vu->listen_fd >= 0) {
		uloop_poll_del(vu->loop, &vu->listen_w.p);
		close(vu->listen_fd);
		unlink(vu->addr.sun_path);
		vu->listen_fd = -1;
	}
	free(vu->vq);
	vu->vq = NULL;
	vu->closed = closed;
	if (!vu->pending)
		closed(vu->dev);
}

/**
 * vhost_user_connected() - whether a front-end is connected
 * @vu:	the transport
 *
 * Return: true while a connection is served.
 */
bool vhost_user_connected(const struct vhost_user *vu)
{
	return vu->connected;
}
