// SPDX-License-Identifier: GPL-2.0-or-later
/* user_poll.c: libslirp on the io_uring loop: its fds as one-shot poll watches, its timers as loop timers. */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "backends/user_int.h"

/**
 * DOC: libslirp on the uloop
 *
 * libslirp wants the classic cycle: slirp_pollfds_fill() names the fds and
 * events it waits for and a timeout; the application sleeps in poll();
 * slirp_pollfds_poll() handles what happened.  On the uloop:
 *
 * - Each fd number has one struct user_watch, a ONE-SHOT io_uring poll.
 *   One-shot gives poll(2)'s level semantics (a re-armed poll on a ready
 *   fd completes at once), so data libslirp leaves unread is never lost.
 *   An unchanged, still-armed watch costs nothing; a fired one costs one
 *   SQE, submitted with the loop's next wait (no system call of its own).
 * - A CQE records the events and marks the backend dirty.  Nothing else
 *   runs in the callback.
 * - A loop hook (once per iteration, before the loop waits) does the work
 *   only when something happened (a CQE, a timeout, a frame from the peer,
 *   a forward added): slirp_pollfds_poll() if an fd fired or the timeout
 *   expired, then slirp_pollfds_fill() to re-arm, disarm what is no longer
 *   asked for, and arm a loop timer for libslirp's timeout (2 ms while a
 *   delayed ACK is pending, 499 ms while TCP timers run, else 1 s).  Then
 *   it sends the frames libslirp produced.  An idle backend thus wakes the
 *   loop once a second, as libslirp asks, and costs nothing in between.
 * - io_uring reports a wake-up's key, not the fd's state: POLLPRI comes
 *   with every TCP read wake-up.  POLLPRI is confirmed with one poll(2)
 *   over the fds that report it before libslirp sees it (user_check_pri()),
 *   because libslirp takes it as urgent data.
 * - libslirp's own timers (IPv6 router advertisements) are loop timers.
 * - An fd libslirp closes is unregistered first (unregister_poll_fd): its
 *   watch is deleted at once, because the kernel's poll request holds the
 *   file, and a new socket given the same number must get a fresh watch.
 *   register_poll_fd of a number whose watch is still armed (a close that
 *   was not unregistered) resets the watch the same way.  A watch that
 *   fails USER_WATCH_ERRORS times in a row is not re-armed until then.
 */

static void user_watch_cb(struct uloop *loop, struct uloop_poll *p,
			  int revents);

/* SLIRP_POLL_* to poll(2) events, and back */
static uint32_t user_to_poll(int ev)
{
	return ((ev & SLIRP_POLL_IN) ? POLLIN : 0) |
	       ((ev & SLIRP_POLL_OUT) ? POLLOUT : 0) |
	       ((ev & SLIRP_POLL_PRI) ? POLLPRI : 0) |
	       ((ev & SLIRP_POLL_ERR) ? POLLERR : 0) |
	       ((ev & SLIRP_POLL_HUP) ? POLLHUP : 0);
}

static int user_from_poll(int rev)
{
	return ((rev & POLLIN) ? SLIRP_POLL_IN : 0) |
	       ((rev & POLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((rev & POLLPRI) ? SLIRP_POLL_PRI : 0) |
	       ((rev & (POLLERR | POLLNVAL)) ? SLIRP_POLL_ERR : 0) |
	       ((rev & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

#define user_of(ptr, type, member)                                             \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/**
 * user_watch_release() - the kernel let go of a deleted watch
 * @loop:	the loop
 * @p:		the watch
 */
static void user_watch_release(struct uloop *loop, struct uloop_poll *p)
{
	struct user_watch *w = user_of(p, struct user_watch, poll);
	struct user_backend *be = w->be;

	w->state = USER_WATCH_IDLE;
	be->deleting--;
	be->dirty = true;
	if (be->closing)
		user_try_free(be);
}

/**
 * user_watch_reset() - make a watch ready to be armed
 * @w:	an idle watch
 */
static void user_watch_reset(struct user_watch *w)
{
	uloop_poll_init(&w->poll, w->fd, ULOOP_POLL_ONESHOT, user_watch_cb);
	w->poll.release = user_watch_release;
	w->revents = 0;
	w->errors = 0;
}

/**
 * user_watch_get() - the watch of an fd number, made on first use
 * @be:	the backend
 * @fd:	the fd
 *
 * Return: the watch, or NULL (bad fd, no memory).
 */
static struct user_watch *user_watch_get(struct user_backend *be, int fd)
{
	struct user_watch **v, *w;
	unsigned int n;

	if (fd < 0)
		return NULL;
	if ((unsigned int)fd >= be->nwatch) {
		n = be->nwatch ? be->nwatch : 64;
		while (n <= (unsigned int)fd)
			n *= 2;
		v = realloc(be->watch, n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + be->nwatch, 0, (n - be->nwatch) * sizeof(*v));
		be->watch = v;
		be->nwatch = n;
	}
	w = be->watch[fd];
	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return NULL;
		w->be = be;
		w->fd = fd;
		user_watch_reset(w);
		be->watch[fd] = w;
	}
	return w;
}

/**
 * user_watch_del() - delete an armed watch (its release comes later)
 * @be:	the backend
 * @w:	the watch
 */
static void user_watch_del(struct user_backend *be, struct user_watch *w)
{
	if (w->state != USER_WATCH_ACTIVE)
		return;
	w->state = USER_WATCH_DELETING;
	w->revents = 0;
	w->gen = 0;
	be->deleting++;
	be->stats.watches--;
	uloop_poll_del(be->loop, &w->poll);
}

/**
 * user_watch_cb() - CQE of a watch: remember the events
 * @loop:	the loop
 * @p:		the watch
 * @revents:	poll(2) events, or -errno
 */
static void user_watch_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct user_watch *w = user_of(p, struct user_watch, poll);
	struct user_backend *be = w->be;
	bool current = w->gen == be->gen;

	if (revents < 0) {
		w->errors++;
		be->stats.poll_errors++;
		revents = POLLERR;
	} else {
		w->errors = 0;
	}
	if (current) {
		w->revents |= user_from_poll(revents);
		be->fired = true;
	}
	be->dirty = true;
}

/**
 * user_add_poll() - libslirp's add_poll during slirp_pollfds_fill()
 * @fd:		the fd
 * @events:	SLIRP_POLL_* wanted
 * @opaque:	the backend
 *
 * Return: the index libslirp passes to user_get_revents(), or -1.
 */
static int user_add_poll(int fd, int events, void *opaque)
{
	struct user_backend *be = opaque;
	struct user_watch *w = user_watch_get(be, fd), **v;
	unsigned int n;

	if (!w)
		return -1;
	if (be->nfill == be->fillcap) {
		n = be->fillcap ? 2 * be->fillcap : 64;
		v = realloc(be->fillv, n * sizeof(*v));
		if (!v)
			return -1;
		be->fillv = v;
		be->fillcap = n;
	}
	w->gen = be->gen;
	be->fillv[be->nfill] = w;
	if (w->state == USER_WATCH_IDLE) {
		user_watch_reset(w);
		w->state = USER_WATCH_ACTIVE;
		be->stats.watches++;
	}
	if (w->state == USER_WATCH_ACTIVE && w->errors < USER_WATCH_ERRORS)
		uloop_poll_set(be->loop, &w->poll, user_to_poll(events));
	return (int)be->nfill++;
}

/**
 * user_get_revents() - libslirp's get_revents during slirp_pollfds_poll()
 * @idx:	index from user_add_poll()
 * @opaque:	the backend
 *
 * Return: SLIRP_POLL_* seen on that fd since the last poll.
 */
static int user_get_revents(int idx, void *opaque)
{
	struct user_backend *be = opaque;

	if (idx < 0 || (unsigned int)idx >= be->nfill)
		return 0;
	return be->fillv[idx]->revents;
}

/**
 * user_check_pri() - keep only true POLLPRI reports
 * @be:	the backend
 *
 * A poll request woken by a socket's data-ready callback completes with
 * the wake-up's key (EPOLLIN | EPOLLPRI | ...), not with the socket's
 * state, so io_uring reports POLLPRI on every TCP read wake-up.  libslirp
 * takes POLLPRI as urgent data and marks everything it reads urgent (the
 * guest's TCP then drops a byte as out-of-band).  One poll(2) over the fds
 * reported with POLLPRI, at most once per slirp_pollfds_poll(), says which
 * really have urgent data.
 */
static void user_check_pri(struct user_backend *be)
{
	struct pollfd *v;
	unsigned int i, n = 0;

	for (i = 0; i < be->nfill; i++) {
		struct user_watch *w = be->fillv[i];

		if (!(w->revents & SLIRP_POLL_PRI))
			continue;
		if (n == be->pfdcap) {
			unsigned int cap = be->pfdcap ? 2 * be->pfdcap : 16;

			v = realloc(be->pfd, cap * sizeof(*v));
			if (!v)
				break;
			be->pfd = v;
			be->pfdcap = cap;
		}
		be->pfd[n++] = (struct pollfd){.fd = w->fd, .events = POLLPRI};
	}
	if (!n)
		return;
	be->stats.pri_checks++;
	if (poll(be->pfd, n, 0) < 0)
		memset(be->pfd, 0, n * sizeof(*be->pfd));
	for (i = 0, n = 0; i < be->nfill; i++) {
		struct user_watch *w = be->fillv[i];

		if (!(w->revents & SLIRP_POLL_PRI) || n == be->pfdcap)
			continue;
		if (!(be->pfd[n++].revents & POLLPRI)) {
			w->revents &= ~SLIRP_POLL_PRI;
			be->stats.pri_false++;
		}
	}
}

/**
 * user_run_poll() - let libslirp handle fired fds and its TCP timers
 * @be:	the backend
 */
static void user_run_poll(struct user_backend *be)
{
	unsigned int i;

	be->fired = false;
	be->due = false;
	user_check_pri(be);
	be->in_slirp++;
	slirp_pollfds_poll(be->slirp, 0, user_get_revents, be);
	be->in_slirp--;
	be->stats.polls++;
	for (i = 0; i < be->nfill; i++)
		be->fillv[i]->revents = 0;
}

/**
 * user_run_fill() - ask libslirp what to wait for, and arm it
 * @be:	the backend
 */
static void user_run_fill(struct user_backend *be)
{
	struct user_watch **v = be->prevv;
	uint32_t tmo = UINT32_MAX;
	unsigned int i, cap = be->prevcap;

	be->prevv = be->fillv;
	be->prevcap = be->fillcap;
	be->nprev = be->nfill;
	be->fillv = v;
	be->fillcap = cap;
	be->nfill = 0;
	be->gen++;
	be->in_slirp++;
	slirp_pollfds_fill(be->slirp, &tmo, user_add_poll, be);
	be->in_slirp--;
	be->stats.fills++;
	for (i = 0; i < be->nprev; i++) {
		struct user_watch *w = be->prevv[i];

		if (w->gen != be->gen && w->state == USER_WATCH_ACTIVE)
			uloop_poll_set(be->loop, &w->poll, 0);
	}
	if (tmo == UINT32_MAX)
		uloop_timer_cancel(be->loop, &be->tmo);
	else
		uloop_timer_arm_in(be->loop, &be->tmo,
				   (uint64_t)tmo * 1000000ull, 0);
}

/**
 * user_poll_hook() - per-iteration work: poll, fill, send, wake
 * @loop:	the loop
 * @h:		&be->hook
 */
void user_poll_hook(struct uloop *loop, struct uloop_hook *h)
{
	struct user_backend *be = user_of(h, struct user_backend, hook);
	unsigned int round;

	if (be->closing || !be->slirp)
		return;
	user_flush(be);
	if (be->dirty) {
		be->dirty = false;
		if (be->fired || be->due)
			user_run_poll(be);
		user_run_fill(be);
	}
	for (round = 0; be->ntxq && round < 4; round++)
		user_flush(be);
	if (be->held) {
		be->held = false;
		port_wake(&be->port, 0);
	}
	/* work left (frames, or a peer that re-entered): do not sleep */
	if (be->ntxq || be->dirty)
		uloop_timer_arm_in(loop, &be->tmo, 0, 0);
}

/* libslirp's poll timeout expired */
static void user_tmo_fire(struct uloop *loop, struct uloop_timer *t)
{
	struct user_backend *be = user_of(t, struct user_backend, tmo);

	be->due = true;
	be->dirty = true;
}

/**
 * user_poll_init() - hook the backend into its loop
 * @be:	the backend
 */
void user_poll_init(struct user_backend *be)
{
	be->hook.fn = user_poll_hook;
	uloop_hook_add(be->loop, &be->hook);
	uloop_timer_init(&be->tmo, user_tmo_fire);
}

/**
 * user_poll_clock() - let libslirp read its clock once, before any frame
 * @be:	the backend (libslirp started, nothing armed yet)
 *
 * libslirp reads its clock only in slirp_pollfds_poll(). A UDP or ICMP
 * socket made before the first poll got an expiry stamped from time 0 and
 * was dropped at that poll, before its reply came back.
 */
void user_poll_clock(struct user_backend *be)
{
	if (be->slirp)
		user_run_poll(be);
}

/**
 * user_poll_close() - unhook the backend, delete every watch and timer
 * @be:	the backend (libslirp already cleaned up)
 */
void user_poll_close(struct user_backend *be)
{
	struct user_timer *t, *next;
	unsigned int i;

	uloop_hook_del(be->loop, &be->hook);
	uloop_timer_cancel(be->loop, &be->tmo);
	for (t = be->timers; t; t = next) {
		next = t->next;
		uloop_timer_cancel(be->loop, &t->t);
		free(t);
	}
	be->timers = NULL;
	for (i = 0; i < be->nwatch; i++)
		if (be->watch[i])
			user_watch_del(be, be->watch[i]);
}

/**
 * user_cb_unregister_fd() - libslirp is about to close @fd
 * @fd:		the fd
 * @opaque:	the backend
 */
void user_cb_unregister_fd(int fd, void *opaque)
{
	struct user_backend *be = opaque;

	if (fd >= 0 && (unsigned int)fd < be->nwatch && be->watch[fd])
		user_watch_del(be, be->watch[fd]);
}

/**
 * user_cb_register_fd() - libslirp made a socket with number @fd
 * @fd:		the fd
 * @opaque:	the backend
 *
 * A watch still armed on that number belongs to a file closed without
 * unregister_poll_fd: delete it, so the new socket gets a fresh watch.
 */
void user_cb_register_fd(int fd, void *opaque)
{
	user_cb_unregister_fd(fd, opaque);
}

/* a libslirp timer expired */
static void user_timer_fire(struct uloop *loop, struct uloop_timer *ut)
{
	struct user_timer *t = user_of(ut, struct user_timer, t);
	struct user_backend *be = t->be;

	be->stats.timers++;
	if (be->closing || !be->slirp)
		return;
	be->in_slirp++;
	slirp_handle_timer(be->slirp, t->id, t->cb_opaque);
	be->in_slirp--;
	be->dirty = true;
}

/**
 * user_cb_timer_new() - libslirp's timer_new_opaque
 * @id:		libslirp's timer id
 * @cb_opaque:	its argument
 * @opaque:	the backend
 *
 * Return: the timer (not armed), or NULL.
 */
void *user_cb_timer_new(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct user_backend *be = opaque;
	struct user_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	uloop_timer_init(&t->t, user_timer_fire);
	t->be = be;
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->next = be->timers;
	if (be->timers)
		be->timers->prev = t;
	be->timers = t;
	return t;
}

/**
 * user_cb_timer_free() - libslirp's timer_free
 * @timer:	the timer
 * @opaque:	the backend
 */
void user_cb_timer_free(void *timer, void *opaque)
{
	struct user_backend *be = opaque;
	struct user_timer *t = timer;

	if (!t)
		return;
	uloop_timer_cancel(be->loop, &t->t);
	if (t->prev)
		t->prev->next = t->next;
	else
		be->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

/**
 * user_cb_timer_mod() - libslirp's timer_mod: expire at @expire_ms
 * @timer:	the timer
 * @expire_ms:	deadline in ms on user_cb_clock_ns()'s clock
 * @opaque:	the backend
 */
void user_cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct user_backend *be = opaque;
	struct user_timer *t = timer;

	if (!t)
		return;
	if (expire_ms < 0)
		expire_ms = 0;
	uloop_timer_arm(be->loop, &t->t, (uint64_t)expire_ms * 1000000ull, 0);
}

/**
 * user_cb_clock_ns() - libslirp's clock: the loop's monotonic clock
 * @opaque:	the backend
 *
 * Return: ns.
 */
int64_t user_cb_clock_ns(void *opaque)
{
	return (int64_t)uloop_now();
}

/**
 * user_cb_notify() - libslirp can take more data on a guestfwd socket
 * @opaque:	the backend
 */
void user_cb_notify(void *opaque)
{
	struct user_backend *be = opaque;

	be->dirty = true;
}
