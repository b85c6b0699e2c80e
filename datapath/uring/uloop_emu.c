// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop_emu.c: io_uring emulated over epoll (HARDENING T-76): rings in user memory, submission, waiting, cancellation. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "datapath/uring/uloop_emu.h"

/**
 * DOC: epoll fallback
 *
 * When the kernel refuses io_uring (kernel.io_uring_disabled, a seccomp
 * filter such as a container runtime's default one, a kernel older than
 * 5.13), or QNET_URING=epoll asks for it, uloop_init() builds the ring in
 * user memory instead: liburing's inline helpers (io_uring_get_sqe(),
 * io_uring_cq_ready(), io_uring_cq_advance()) work on it unchanged, so
 * every caller prepares SQEs and gets CQEs exactly as before. Where uloop
 * would enter the kernel, uloop_emu_enter() consumes the SQEs itself: each
 * request is tried at once with a non-blocking system call
 * (uloop_emu_ops.c); what cannot go on waits on its fd in an epoll set and
 * is tried again when epoll reports the fd. Multishot reads and receives
 * take buffers from the registered provided-buffer rings, multishot polls
 * post a completion per readiness, IOSQE_IO_LINK chains start a request
 * when the one before ended well and cancel the rest when it failed,
 * ASYNC_CANCEL and POLL_REMOVE (and poll updates) find requests by
 * user_data. A CQ that is full keeps completions aside and raises
 * IORING_SQ_CQ_OVERFLOW, as the kernel does. Registered files are a table
 * of fds; registered buffers need nothing.
 *
 * What it costs: a system call per request (poll(2) before reads and
 * writes on fds that may be blocking, then the call itself) and no
 * batching: a fallback that works, said once on stderr, not a fast path.
 * The ring restrictions (uloop_restrict.c) do not apply.
 */

/**
 * uloop_emu_wanted() - did the user ask for the epoll fallback?
 *
 * QNET_URING=epoll asks for it; unset, empty or io_uring do not; any
 * other value is said once on stderr and ignored.
 *
 * Return: true when QNET_URING=epoll.
 */
bool uloop_emu_wanted(void)
{
	static atomic_bool said;
	const char *v = getenv("QNET_URING");

	if (!v || !*v || !strcmp(v, "io_uring"))
		return false;
	if (!strcmp(v, "epoll"))
		return true;
	if (!atomic_exchange(&said, true))
		fprintf(stderr, "qnet: QNET_URING='%s' is not understood "
			"(epoll or io_uring): the data path uses io_uring\n",
			v);
	return false;
}

/* Duplicate @fd above the numbers a program hands out first, so a number
 * the caller closed is not silently taken by the emulation. */
static int emu_dup(int fd)
{
	static int min = -1;
	struct rlimit rl;
	int d;

	if (min < 0)
		min = getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur > 1 << 20 ?
		      512 : (int)(rl.rlim_cur / 2);
	d = fcntl(fd, F_DUPFD_CLOEXEC, min);
	return d >= 0 ? d : fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

static struct emu_req *req_alloc(struct uloop_emu *e)
{
	struct emu_req *r = e->free;

	if (r)
		e->free = r->next;
	else
		r = malloc(sizeof(*r));
	if (r)
		memset(r, 0, sizeof(*r));
	return r;
}

static void req_free(struct uloop_emu *e, struct emu_req *r)
{
	if (r->own_fd)
		close(r->fd);
	r->own_fd = false;
	r->waiting = false;
	r->next = e->free;
	e->free = r;
}

/**
 * uloop_emu_post() - post a completion (kept aside while the CQ is full)
 * @e:		the emulation
 * @ud:		user_data
 * @res:	result
 * @flags:	IORING_CQE_F_*
 */
void uloop_emu_post(struct uloop_emu *e, uint64_t ud, int32_t res,
		    uint32_t flags)
{
	unsigned int head = __atomic_load_n(&e->cq_head, __ATOMIC_ACQUIRE);
	struct io_uring_cqe *c;

	if (e->novf || e->cq_tail - head >= e->cq_entries) {
		if (e->novf == e->ovf_cap) {
			unsigned int cap = e->ovf_cap ? 2 * e->ovf_cap : 64;
			struct emu_cqe *n = realloc(e->ovf, cap * sizeof(*n));

			if (!n)
				return;	/* out of memory: the completion is lost */
			e->ovf = n;
			e->ovf_cap = cap;
		}
		e->ovf[e->novf++] = (struct emu_cqe){ ud, res, flags };
		e->sq_flags |= IORING_SQ_CQ_OVERFLOW;
		return;
	}
	c = &e->cqes[e->cq_tail & e->cq_mask];
	c->user_data = ud;
	c->res = res;
	c->flags = flags;
	__atomic_store_n(&e->cq_tail, e->cq_tail + 1, __ATOMIC_RELEASE);
}

/* Move completions kept aside into the CQ as room allows. */
static void emu_flush_ovf(struct uloop_emu *e)
{
	unsigned int n = 0, k = e->novf;

	e->novf = 0;	/* so uloop_emu_post() writes to the CQ */
	while (n < k && e->cq_tail - e->cq_head < e->cq_entries) {
		uloop_emu_post(e, e->ovf[n].ud, e->ovf[n].res, e->ovf[n].flags);
		n++;
	}
	if (n && k > n)
		memmove(e->ovf, e->ovf + n, (k - n) * sizeof(*e->ovf));
	e->novf = k - n;
	if (!e->novf)
		e->sq_flags &= ~IORING_SQ_CQ_OVERFLOW;
}

/* The epoll events the requests waiting on @fd need; update the set. */
static void emu_arm(struct uloop_emu *e, int fd)
{
	struct emu_fd *f = &e->fds[fd];
	struct epoll_event ev = { .data.fd = fd };
	uint32_t want = 0;
	struct emu_req *r;

	for (r = f->head; r; r = r->next)
		want |= r->want;
	if (want == f->armed)
		return;
	if (!want) {
		(void)epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL);
		f->armed = 0;
		return;
	}
	ev.events = want | EPOLLET;
	if (epoll_ctl(e->epfd, f->armed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
		      &ev) && errno != EBADF)
		(void)epoll_ctl(e->epfd, f->armed ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
				fd, &ev);
	f->armed = want;
}

/* Make room in the per-fd table for @fd. Return: 0 or -ENOMEM. */
static int emu_fd_room(struct uloop_emu *e, int fd)
{
	unsigned int n = e->nfds ? e->nfds : 64;
	struct emu_fd *t;

	if ((unsigned int)fd < e->nfds)
		return 0;
	while (n <= (unsigned int)fd)
		n *= 2;
	t = realloc(e->fds, n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memset(t + e->nfds, 0, (n - e->nfds) * sizeof(*t));
	e->fds = t;
	e->nfds = n;
	return 0;
}

static void emu_start(struct uloop *loop, struct emu_req *r);

/* Note that @r must run again at the next enter (emu_req.again/fresh). */
static void emu_again(struct uloop_emu *e, struct emu_req *r)
{
	if (r->again) {
		r->again = false;
		r->fresh = true;
	}
	if (!r->fresh)
		return;
	if (!e->fds[r->fd].rerun) {
		e->fds[r->fd].rerun = true;
		e->nrerun++;
	}
}

/* @r ended with @res: start what is linked behind it, or cancel that. */
static void emu_ended(struct uloop *loop, struct emu_req *r, int32_t res)
{
	struct uloop_emu *e = loop->emu;
	struct emu_req *l = r->link;

	r->res = res;
	req_free(e, r);
	while (l && res < 0) {	/* a failed link cancels the rest */
		struct emu_req *n = l->link;

		uloop_emu_post(e, l->sqe.user_data, -ECANCELED, 0);
		req_free(e, l);
		l = n;
	}
	if (l)
		emu_start(loop, l);
}

/*
 * Try @r; wait on its fd if it cannot go on. A poll is not tried here:
 * it waits at once, marked fresh, and is tried once after the next
 * epoll_wait(), so the event epoll reports for an fd that is already
 * ready when it enters the set does not make it post twice.
 */
static void emu_run(struct uloop *loop, struct emu_req *r)
{
	struct uloop_emu *e = loop->emu;
	struct emu_req **pp;
	uint32_t want = 0;
	int32_t res = 0;

	if (r->sqe.opcode == IORING_OP_POLL_ADD) {
		want = (uint16_t)r->sqe.poll32_events;
		r->fresh = true;
	} else if (uloop_emu_try(e, r, &want, &res)) {
		emu_ended(loop, r, res);
		return;
	}
	if (r->fd >= 0 && !r->own_fd) {	/* keep the file while waiting */
		int d = emu_dup(r->fd);

		r->fd = d;
		r->own_fd = d >= 0;
	}
	if (r->fd < 0 || emu_fd_room(e, r->fd)) {
		uloop_emu_post(e, r->sqe.user_data, r->fd < 0 ? -EBADF : -ENOMEM,
			       0);
		emu_ended(loop, r, -EBADF);
		return;
	}
	r->want = want;
	r->next = NULL;
	r->waiting = true;
	for (pp = &e->fds[r->fd].head; *pp; pp = &(*pp)->next)
		;
	*pp = r;
	emu_arm(e, r->fd);
	emu_again(e, r);
}

/* Find the waiting request with @ud, on an fd or linked behind one (and
 * the fd). Return: the pointer to it, or NULL. */
static struct emu_req **emu_find(struct uloop_emu *e, uint64_t ud, int *fd)
{
	unsigned int i;

	for (i = 0; i < e->nfds; i++) {
		struct emu_req **pp, **lp;

		for (pp = &e->fds[i].head; *pp; pp = &(*pp)->next) {
			for (lp = pp; *lp; lp = &(*lp)->link) {
				if ((*lp)->sqe.user_data == ud) {
					*fd = (int)i;
					return lp;
				}
			}
		}
	}
	return NULL;
}

/* Remove and cancel waiting request *@pp and what is linked behind it
 * (a linked one is not on the fd's list: its next is NULL). */
static void emu_cancel_one(struct uloop *loop, struct emu_req **pp, int fd)
{
	struct emu_req *r = *pp;

	*pp = r->next;
	uloop_emu_post(loop->emu, r->sqe.user_data, -ECANCELED, 0);
	emu_ended(loop, r, -ECANCELED);
	emu_arm(loop->emu, fd);
}

/* ASYNC_CANCEL: every waiting request with the user_data (or the first). */
static void emu_async_cancel(struct uloop *loop, const struct io_uring_sqe *s)
{
	struct emu_req **pp;
	int fd, n = 0;

	while ((pp = emu_find(loop->emu, s->addr, &fd))) {
		emu_cancel_one(loop, pp, fd);
		n++;
		if (!(s->cancel_flags & IORING_ASYNC_CANCEL_ALL))
			break;
	}
	uloop_emu_post(loop->emu, s->user_data, n ? ((s->cancel_flags &
			IORING_ASYNC_CANCEL_ALL) ? n : 0) : -ENOENT, 0);
}

/* POLL_REMOVE: remove a poll request, or update its events / user_data. */
static void emu_poll_remove(struct uloop *loop, const struct io_uring_sqe *s)
{
	struct emu_req **pp = NULL;
	int fd = -1;

	pp = emu_find(loop->emu, s->addr, &fd);
	if (!pp || (*pp)->sqe.opcode != IORING_OP_POLL_ADD) {
		uloop_emu_post(loop->emu, s->user_data, -ENOENT, 0);
		return;
	}
	if (!(s->len & (IORING_POLL_UPDATE_EVENTS |
			IORING_POLL_UPDATE_USER_DATA))) {
		emu_cancel_one(loop, pp, fd);
		uloop_emu_post(loop->emu, s->user_data, 0, 0);
		return;
	}
	if (s->len & IORING_POLL_UPDATE_EVENTS) {
		(*pp)->sqe.poll32_events = s->poll32_events;
		(*pp)->want = (uint16_t)s->poll32_events;
	}
	if (s->len & IORING_POLL_UPDATE_USER_DATA)
		(*pp)->sqe.user_data = s->off;
	emu_arm(loop->emu, fd);
	uloop_emu_post(loop->emu, s->user_data, 0, 0);
}

/* Start one request: control requests act at once, I/O is tried. */
static void emu_start(struct uloop *loop, struct emu_req *r)
{
	struct uloop_emu *e = loop->emu;
	const struct io_uring_sqe *s = &r->sqe;

	switch (s->opcode) {
	case IORING_OP_ASYNC_CANCEL:
		emu_async_cancel(loop, s);
		emu_ended(loop, r, 0);
		return;
	case IORING_OP_POLL_REMOVE:
		emu_poll_remove(loop, s);
		emu_ended(loop, r, 0);
		return;
	default:
		break;
	}
	r->fd = s->fd;
	if (s->flags & IOSQE_FIXED_FILE)
		r->fd = (unsigned int)s->fd < e->nfiles ? e->files[s->fd] : -1;
	emu_run(loop, r);
}

/* The request chain being built while consuming the SQ. */
struct emu_chain {
	struct emu_req *tail;	/* last request of a pending chain */
	bool failed;		/* the chain's last request failed */
	bool open;		/* the last SQE had IOSQE_IO_LINK */
};

/**
 * uloop_emu_submit() - consume the queued SQEs (start each request)
 * @loop:	the loop
 */
void uloop_emu_submit(struct uloop *loop)
{
	struct uloop_emu *e = loop->emu;
	unsigned int tail = loop->ring.sq.sqe_tail;
	struct emu_chain ch = { 0 };

	while (e->sq_head != tail) {
		struct io_uring_sqe *s = &e->sqes[e->sq_head & e->sq_mask];
		struct emu_req *r = req_alloc(e);

		e->sq_head++;
		if (!r) {
			uloop_emu_post(e, s->user_data, -ENOMEM, 0);
			continue;
		}
		r->sqe = *s;
		if (ch.open && ch.failed) {
			uloop_emu_post(e, s->user_data, -ECANCELED, 0);
			req_free(e, r);
		} else if (ch.open && ch.tail) {
			ch.tail->link = r;	/* starts when the one before ends */
			r->waiting = true;
			ch.tail = r;
		} else {
			/* a request that ends at once is back on the free list,
			 * its fields intact until the next req_alloc() */
			emu_start(loop, r);
			ch.tail = r->waiting ? r : NULL;
			ch.failed = !r->waiting && r->res < 0;
		}
		ch.open = s->flags & IOSQE_IO_LINK;
		if (!ch.open) {
			ch.tail = NULL;
			ch.failed = false;
		}
	}
}

/*
 * Run the requests waiting on @fd: those epoll reported @events for
 * (@rerun false), or the fresh ones (@rerun true).
 */
static void emu_fd_ready(struct uloop *loop, int fd, uint32_t events,
			 bool rerun)
{
	struct uloop_emu *e = loop->emu;
	struct emu_req *list = e->fds[fd].head, *keep = NULL, **kt = &keep;

	e->fds[fd].head = NULL;
	while (list) {
		struct emu_req *r = list;
		uint32_t want = r->want;
		int32_t res = 0;
		bool run = rerun ? r->fresh
				 : !r->fresh && (events & (r->want | EPOLLERR |
							   EPOLLHUP));

		list = r->next;
		r->next = NULL;
		if (run)
			r->fresh = false;
		if (run && uloop_emu_try(e, r, &want, &res)) {
			emu_ended(loop, r, res);
			continue;
		}
		r->want = want;
		emu_again(e, r);
		*kt = r;
		kt = &r->next;
	}
	*kt = e->fds[fd].head;	/* requests that arrived meanwhile go last */
	e->fds[fd].head = keep;
	emu_arm(e, fd);
}

/**
 * uloop_emu_enter() - what io_uring_enter() does for an emulated ring:
 * start the queued requests, wait for an fd (bounded), run what is ready
 * @loop:	the loop
 * @wait_ns:	longest wait, 0 for none, -1 for no limit
 *
 * Return: 0, or -errno from epoll_pwait2().
 */
int uloop_emu_enter(struct uloop *loop, int64_t wait_ns)
{
	struct uloop_emu *e = loop->emu;
	struct epoll_event ev[64];
	struct timespec ts;
	int n, i;

	uloop_emu_submit(loop);
	emu_flush_ovf(e);
	if (e->cq_tail != e->cq_head || e->novf || e->nrerun)
		wait_ns = 0;
	ts.tv_sec = wait_ns > 0 ? wait_ns / 1000000000 : 0;
	ts.tv_nsec = wait_ns > 0 ? wait_ns % 1000000000 : 0;
	n = epoll_pwait2(e->epfd, ev, 64, wait_ns < 0 ? NULL : &ts, NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++)
		if ((unsigned int)ev[i].data.fd < e->nfds)
			emu_fd_ready(loop, ev[i].data.fd, ev[i].events, false);
	for (i = 0; e->nrerun && (unsigned int)i < e->nfds; i++) {
		if (!e->fds[i].rerun)
			continue;
		e->fds[i].rerun = false;
		e->nrerun--;
		emu_fd_ready(loop, i, 0, true);
	}
	emu_flush_ovf(e);
	return 0;
}

/* io_uring's writes to a pipe or socket whose reader left fail with
 * -EPIPE and raise no signal; plain write(2) would raise SIGPIPE. */
static void emu_no_sigpipe(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
}

/* One line per process, the first time a loop falls back. */
static void emu_say(int why)
{
	static atomic_bool said;

	if (atomic_exchange(&said, true))
		return;
	if (why)
		fprintf(stderr, "qnet: io_uring is unavailable (%s): the data "
			"path falls back to epoll, one system call per "
			"request\n", strerror(-why));
	else
		fprintf(stderr, "qnet: QNET_URING=epoll: the data path runs on "
			"epoll, one system call per request\n");
}

static unsigned int pow2(unsigned int n)
{
	unsigned int p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/**
 * uloop_emu_init() - give a loop a ring in user memory over epoll
 * @loop:	the loop (ring not set up)
 * @sq:		SQ entries
 * @cq:		CQ entries
 * @why:	the -errno io_uring failed with, or 0 when asked for
 *
 * Return: 0, -ENOMEM, or -errno from epoll_create1().
 */
int uloop_emu_init(struct uloop *loop, unsigned int sq, unsigned int cq,
		   int why)
{
	struct uloop_emu *e = calloc(1, sizeof(*e));
	struct io_uring *r = &loop->ring;

	if (!e)
		return -ENOMEM;
	e->sq_entries = pow2(sq);
	e->cq_entries = pow2(cq);
	e->sq_mask = e->sq_entries - 1;
	e->cq_mask = e->cq_entries - 1;
	e->sqes = calloc(e->sq_entries, sizeof(*e->sqes));
	e->sq_array = calloc(e->sq_entries, sizeof(*e->sq_array));
	e->cqes = calloc(e->cq_entries, sizeof(*e->cqes));
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!e->sqes || !e->sq_array || !e->cqes || e->epfd < 0) {
		int ret = e->epfd < 0 ? -errno : -ENOMEM;

		if (e->epfd >= 0)
			close(e->epfd);
		free(e->sqes);
		free(e->sq_array);
		free(e->cqes);
		free(e);
		return ret;
	}
	memset(r, 0, sizeof(*r));
	r->sq.khead = &e->sq_head;
	r->sq.ktail = &e->sq_tail;
	r->sq.kring_mask = &e->sq_mask;
	r->sq.kring_entries = &e->sq_entries;
	r->sq.kflags = &e->sq_flags;
	r->sq.kdropped = &e->sq_dropped;
	r->sq.array = e->sq_array;
	r->sq.sqes = e->sqes;
	r->sq.ring_mask = e->sq_mask;
	r->sq.ring_entries = e->sq_entries;
	r->cq.khead = &e->cq_head;
	r->cq.ktail = &e->cq_tail;
	r->cq.kring_mask = &e->cq_mask;
	r->cq.kring_entries = &e->cq_entries;
	r->cq.kflags = &e->cq_flags;
	r->cq.koverflow = &e->cq_overflow;
	r->cq.cqes = e->cqes;
	r->cq.ring_mask = e->cq_mask;
	r->cq.ring_entries = e->cq_entries;
	r->ring_fd = -1;
	r->enter_ring_fd = -1;
	loop->emu = e;
	loop->cq_entries = e->cq_entries;
	emu_no_sigpipe();
	loop->features = ULOOP_F_BUF_RING | ULOOP_F_RECV_MULTISHOT |
			 ULOOP_F_READ_MULTISHOT | ULOOP_F_EMULATED;
	emu_say(why);
	return 0;
}

/* Free a request and everything linked behind it. */
static void emu_free_chain(struct emu_req *r)
{
	while (r) {
		struct emu_req *n = r->link;

		if (r->own_fd)
			close(r->fd);
		free(r);
		r = n;
	}
}

/**
 * uloop_emu_fini() - drop every request (no completion) and the rings
 * @loop:	the loop
 */
void uloop_emu_fini(struct uloop *loop)
{
	struct uloop_emu *e = loop->emu;
	unsigned int i;

	if (!e)
		return;
	for (i = 0; i < e->nfds; i++) {
		while (e->fds[i].head) {
			struct emu_req *r = e->fds[i].head;

			e->fds[i].head = r->next;
			emu_free_chain(r);
		}
	}
	while (e->free) {
		struct emu_req *r = e->free;

		e->free = r->next;
		free(r);
	}
	close(e->epfd);
	for (i = 0; i < e->nfiles; i++)
		if (e->files[i] >= 0)
			close(e->files[i]);
	free(e->fds);
	free(e->files);
	free(e->bufs);
	free(e->ovf);
	free(e->sqes);
	free(e->sq_array);
	free(e->cqes);
	free(e);
	loop->emu = NULL;
}

/**
 * uloop_emu_files() - a registered file table of @nr empty slots
 * @loop:	the loop
 * @nr:		slots
 *
 * Return: 0, -EBUSY when one exists, -ENOMEM.
 */
int uloop_emu_files(struct uloop *loop, unsigned int nr)
{
	struct uloop_emu *e = loop->emu;
	unsigned int i;

	if (e->files)
		return -EBUSY;
	e->files = malloc(nr * sizeof(*e->files));
	if (!e->files)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		e->files[i] = -1;
	e->nfiles = nr;
	return 0;
}

/**
 * uloop_emu_file_set() - put an fd in a slot (-1 empties it)
 * @loop:	the loop
 * @slot:	the slot
 * @fd:		the fd
 *
 * Return: 0 or -EINVAL.
 */
int uloop_emu_file_set(struct uloop *loop, unsigned int slot, int fd)
{
	struct uloop_emu *e = loop->emu;

	int dup_fd = -1;

	if (slot >= e->nfiles)
		return -EINVAL;
	/* the table holds its own reference, as the kernel's does */
	if (fd >= 0) {
		dup_fd = emu_dup(fd);
		if (dup_fd < 0)
			return -errno;
	}
	if (e->files[slot] >= 0)
		close(e->files[slot]);
	e->files[slot] = dup_fd;
	return 0;
}

/**
 * uloop_emu_buffers() - keep the registered buffers (nr 0: drop them)
 * @loop:	the loop
 * @iov:	the buffers
 * @nr:		how many
 *
 * Return: 0 or -ENOMEM.
 */
int uloop_emu_buffers(struct uloop *loop, const struct iovec *iov,
		      unsigned int nr)
{
	struct uloop_emu *e = loop->emu;
	struct iovec *b = NULL;

	if (nr) {
		b = malloc(nr * sizeof(*b));
		if (!b)
			return -ENOMEM;
		memcpy(b, iov, nr * sizeof(*b));
	}
	free(e->bufs);
	e->bufs = b;
	e->nbufs = nr;
	return 0;
}

/**
 * uloop_emu_fixed_ok() - does [@addr, @addr + @len) lie in buffer @idx?
 * @e:		the emulation
 * @idx:	buf_index of the SQE
 * @addr:	start
 * @len:	length
 *
 * Return: true if so (the kernel refuses the request otherwise).
 */
bool uloop_emu_fixed_ok(const struct uloop_emu *e, unsigned int idx,
			const void *addr, uint32_t len)
{
	uintptr_t a = (uintptr_t)addr, b;

	if (idx >= e->nbufs)
		return false;
	b = (uintptr_t)e->bufs[idx].iov_base;
	return a >= b && a - b + len <= e->bufs[idx].iov_len;
}

/**
 * uloop_emu_buf_ring() - register a provided-buffer ring
 * @loop:	the loop
 * @bgid:	group id
 * @br:		the ring
 * @entries:	its size (a power of two)
 *
 * Return: 0, -EEXIST for a group id in use, -ENOSPC when EMU_GROUPS are.
 */
int uloop_emu_buf_ring(struct uloop *loop, uint16_t bgid,
		       struct io_uring_buf_ring *br, unsigned int entries)
{
	struct uloop_emu *e = loop->emu;
	struct emu_group *free_g = NULL;
	unsigned int i;

	for (i = 0; i < EMU_GROUPS; i++) {
		if (e->groups[i].br && e->groups[i].bgid == bgid)
			return -EEXIST;
		if (!e->groups[i].br && !free_g)
			free_g = &e->groups[i];
	}
	if (!free_g)
		return -ENOSPC;
	*free_g = (struct emu_group){ .br = br, .mask = entries - 1,
				      .head = 0, .bgid = bgid };
	return 0;
}

/**
 * uloop_emu_buf_ring_del() - unregister a provided-buffer ring
 * @loop:	the loop
 * @bgid:	group id
 */
void uloop_emu_buf_ring_del(struct uloop *loop, uint16_t bgid)
{
	struct uloop_emu *e = loop->emu;
	unsigned int i;

	for (i = 0; e && i < EMU_GROUPS; i++)
		if (e->groups[i].br && e->groups[i].bgid == bgid)
			e->groups[i].br = NULL;
}
