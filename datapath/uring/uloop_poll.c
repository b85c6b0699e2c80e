// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop poll watches: multishot poll on foreign fds, updated in place. */

#include <errno.h>
#include <string.h>

#include "datapath/uring/uloop_int.h"

/**
 * DOC: poll watches
 *
 * A watch is reconciled towards what the caller asked for:
 *
 * - @active: between uloop_poll_set() and uloop_poll_del();
 * - @want:   the event mask asked for (0: nothing armed);
 * - @arm:    a kernel poll should exist (cleared when a one-shot watch
 *            fires, or an error ends the watch);
 * - @op.inflight: the kernel holds the poll request;
 * - @armed_mask:  the mask the kernel request has;
 * - @removing:    a POLL_REMOVE was sent and its -ECANCELED is awaited.
 *
 * poll_sync() issues at most one SQE to close the gap: POLL_ADD (multishot
 * unless ULOOP_POLL_ONESHOT) when nothing is armed, an in-place
 * IORING_POLL_UPDATE_EVENTS when the mask changed (no new request, no
 * system call: cheap enough for slirp changing masks every iteration), an
 * ASYNC_CANCEL when the watch was deleted or the mask became 0.
 *
 * The kernel refuses to update or remove a poll whose wake-up is being
 * handled (-EALREADY): with DEFER_TASKRUN the wake-up waits for the loop's
 * next enter, and the request then goes on as it was. So removal uses
 * ASYNC_CANCEL, which marks the request cancelled whatever its state (its
 * -ECANCELED follows; a -ENOENT means it already ended and its own final
 * CQE is on the way); the cancel carries no op. An update carries @upd: on
 * -EALREADY it is sent again; on -ENOENT the request ended and its final
 * CQE re-arms from @want.
 *
 * When the kernel ends a multishot poll by itself (no IORING_CQE_F_MORE,
 * e.g. after a CQ overflow), the watch is re-armed. A watch may be deleted
 * from any callback, its own included; @dispatching defers the release
 * until its callback has returned, so the callback never sees it vanish.
 */

static void poll_sync(struct uloop *loop, struct uloop_poll *p);
static void poll_release(struct uloop *loop, struct uloop_poll *p);

static void poll_retry(struct uloop *loop, struct uloop_op *op)
{
	poll_sync(loop, ULOOP_CONTAINER_OF(op, struct uloop_poll, op));
}

/* Queue the SQE that changes or removes the armed request. */
static void poll_sync_armed(struct uloop *loop, struct uloop_poll *p)
{
	struct io_uring_sqe *sqe;
	uint64_t ud = (uint64_t)(uintptr_t)&p->op;

	if (p->removing || (p->active && p->arm && p->want == p->armed_mask))
		return;
	sqe = uloop_sqe_get(loop);
	if (!sqe) {
		uloop_op_defer(loop, &p->op, poll_retry);
		return;
	}
	if (!p->active || !p->arm || !p->want) {
		io_uring_prep_cancel(sqe, &p->op, IORING_ASYNC_CANCEL_ALL);
		uloop_sqe_bind(loop, sqe, NULL);
		p->removing = true;
	} else {
		/* new_user_data must be 0 unless UPDATE_USER_DATA is set */
		io_uring_prep_poll_update(sqe, ud, 0, p->want,
					  IORING_POLL_UPDATE_EVENTS);
		uloop_sqe_bind(loop, sqe, &p->upd);
		p->armed_mask = p->want;
	}
}

/**
 * poll_sync() - bring the kernel request in line with the watch's state
 * @loop: the loop
 * @p:    the watch
 */
static void poll_sync(struct uloop *loop, struct uloop_poll *p)
{
	struct io_uring_sqe *sqe;

	if (p->op.inflight) {
		poll_sync_armed(loop, p);
		return;
	}
	if (!p->active || !p->arm || !p->want)
		return;
	sqe = uloop_sqe_get(loop);
	if (!sqe) {
		uloop_op_defer(loop, &p->op, poll_retry);
		return;
	}
	if (p->flags & ULOOP_POLL_ONESHOT)
		io_uring_prep_poll_add(sqe, p->fd, p->want);
	else
		io_uring_prep_poll_multishot(sqe, p->fd, p->want);
	if (p->flags & ULOOP_POLL_FIXED_FILE)
		sqe->flags |= IOSQE_FIXED_FILE;
	p->armed_mask = p->want;
	uloop_sqe_bind(loop, sqe, &p->op);
}

/* The result of an in-place update (the request's own CQEs go to @op). */
static void poll_updated(struct uloop *loop, struct uloop_op *op, int res,
			 uint32_t cqe_flags)
{
	struct uloop_poll *p = ULOOP_CONTAINER_OF(op, struct uloop_poll, upd);

	if (res == -EALREADY)
		p->armed_mask = 0;	/* not applied: send it again */
	if (!p->active && !p->op.inflight) {
		if (!p->upd.inflight)
			poll_release(loop, p);
		return;
	}
	if (!p->dispatching)
		poll_sync(loop, p);
}

/* The watch is deleted and idle: hand it back to its owner. */
static void poll_release(struct uloop *loop, struct uloop_poll *p)
{
	uloop_op_undefer(loop, &p->op);
	if (p->release)
		p->release(loop, p);
}

/**
 * poll_complete() - CQE of the poll request
 * @loop:      the loop
 * @op:        &p->op
 * @res:       revents, or -errno
 * @cqe_flags: IORING_CQE_F_MORE while the multishot request lives on
 */
static void poll_complete(struct uloop *loop, struct uloop_op *op, int res,
			  uint32_t cqe_flags)
{
	struct uloop_poll *p = ULOOP_CONTAINER_OF(op, struct uloop_poll, op);
	bool more = cqe_flags & IORING_CQE_F_MORE;
	bool deliver = p->active;

	if (!more) {
		if (p->removing && res == -ECANCELED)
			deliver = false;
		else if (res < 0 || (p->flags & ULOOP_POLL_ONESHOT))
			p->arm = false;
		else if (p->active)
			loop->stats.rearms++;
		p->removing = false;
	}
	if (deliver && res != 0) {
		p->dispatching = true;
		p->cb(loop, p, res);
		p->dispatching = false;
	}
	if (!p->active && !p->op.inflight) {
		if (!p->upd.inflight)
			poll_release(loop, p);
		return;
	}
	poll_sync(loop, p);
}

/**
 * uloop_poll_init() - prepare a watch (nothing armed yet)
 * @p:     the watch, embedded in the caller's object
 * @fd:    fd to watch (a registered slot with ULOOP_POLL_FIXED_FILE)
 * @flags: ULOOP_POLL_*
 * @cb:    called in the loop thread with the revents (POLLIN, POLLOUT,
 *         POLLERR, POLLHUP ...) or with a -errno that disarmed the watch
 *         (uloop_poll_set() arms it again)
 *
 * The fd must stay open while the watch is armed: the kernel's poll request
 * holds the file, so closing the fd neither ends nor reports the watch.
 * Delete the watch first (or together with the close).
 */
void uloop_poll_init(struct uloop_poll *p, int fd, uint32_t flags,
		     void (*cb)(struct uloop *loop, struct uloop_poll *p,
				int revents))
{
	memset(p, 0, sizeof(*p));
	uloop_op_init(&p->op, poll_complete);
	uloop_op_init(&p->upd, poll_updated);
	p->cb = cb;
	p->fd = fd;
	p->flags = flags;
}

/**
 * uloop_poll_set() - arm the watch for @events, or change its mask
 * @loop:   the loop
 * @p:      an initialised watch, not deleted
 * @events: poll(2) event mask; 0 disarms the watch but keeps it
 *
 * An unchanged mask on an armed watch costs nothing; a changed one costs
 * one SQE and no system call of its own. A one-shot watch that fired is
 * armed again, even with an unchanged mask.
 *
 * Return: 0, or -EBUSY when @p was deleted and its release is still pending.
 */
int uloop_poll_set(struct uloop *loop, struct uloop_poll *p, uint32_t events)
{
	if (!p->active && uloop_poll_busy(p))
		return -EBUSY;
	p->active = true;
	p->want = events;
	p->arm = events != 0;
	poll_sync(loop, p);
	return 0;
}

/**
 * uloop_poll_del() - delete the watch; safe inside any callback
 * @loop: the loop
 * @p:    the watch
 *
 * No callback of @p runs after this. ->release runs once the kernel has
 * let go of the request: inside this call when nothing is armed (or after
 * @p's own callback returns, when called from it), else from the loop.
 *
 * Return: 0, or -EALREADY when @p was not active.
 */
int uloop_poll_del(struct uloop *loop, struct uloop_poll *p)
{
	if (!p->active)
		return -EALREADY;
	p->active = false;
	p->arm = false;
	p->want = 0;
	if (p->dispatching)
		return 0;
	if (!p->op.inflight) {
		if (!p->upd.inflight)
			poll_release(loop, p);
		return 0;
	}
	poll_sync(loop, p);
	return 0;
}

/**
 * uloop_poll_busy() - does the kernel (or the retry list) still hold @p?
 * @p: the watch
 *
 * Return: true while @p's memory must stay valid.
 */
bool uloop_poll_busy(const struct uloop_poll *p)
{
	return uloop_op_busy(&p->op) || p->upd.inflight;
}
