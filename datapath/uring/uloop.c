// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop core: ring setup, submit-and-wait, dispatch, wake-ups, hooks. */

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "datapath/uring/uloop_emu.h"
#include "datapath/uring/uloop_int.h"

#define ULOOP_NS_PER_SEC 1000000000LL

/* Copy of one CQE, taken before the CQ slot is handed back to the kernel. */
struct uloop_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};

/* Setup flags, best first; -EINVAL from the kernel moves to the next set. */
static const unsigned int uloop_setup_flags[] = {
	IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,
	IORING_SETUP_SUBMIT_ALL,
	0,
};

/* Kernel features the loop cannot work without (Linux 5.13). */
#define ULOOP_REQUIRED_FEATURES                                                \
	(IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG | IORING_FEAT_RSRC_TAGS)

/**
 * uloop_now() - read CLOCK_MONOTONIC
 *
 * Return: monotonic time in ns (vDSO, no system call).
 */
uint64_t uloop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * ULOOP_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void uloop_probe(struct uloop *loop);

/**
 * uloop_ring_setup() - create the io_uring with the best flags the kernel takes
 * @loop: loop being initialised
 * @cfg:  ring sizes and options
 *
 * Return: 0, or -errno (-ENOSYS/-EPERM when io_uring is unavailable,
 * -EOPNOTSUPP when the kernel lacks a required feature).
 */
static int uloop_ring_setup(struct uloop *loop, const struct uloop_config *cfg)
{
	unsigned int sq = cfg->sq_entries ? cfg->sq_entries : ULOOP_DEF_SQ;
	unsigned int cq = cfg->cq_entries ? cfg->cq_entries : ULOOP_DEF_CQ;
	struct io_uring_params p;
	unsigned int i, flags = 0;
	int ret = -EINVAL;

	if (cq < sq)
		return -EINVAL;
	if (uloop_emu_wanted())
		return uloop_emu_init(loop, sq, cq, 0);
	for (i = 0;
	     i < sizeof(uloop_setup_flags) / sizeof(uloop_setup_flags[0]);
	     i++) {
		flags = uloop_setup_flags[i];
		if ((cfg->flags & ULOOP_CFG_NO_DEFER) &&
		    (flags & IORING_SETUP_DEFER_TASKRUN))
			continue;
		if (!(cfg->flags & ULOOP_CFG_NO_RESTRICT)) {
			/* disabled until uloop_restrict() set the allowlist */
			memset(&p, 0, sizeof(p));
			p.flags = flags | IORING_SETUP_CQSIZE |
				  IORING_SETUP_R_DISABLED;
			p.cq_entries = cq;
			ret = io_uring_queue_init_params(sq, &loop->ring, &p);
			if (ret != -EINVAL) {
				flags |= IORING_SETUP_R_DISABLED;
				break;
			}
		}
		memset(&p, 0, sizeof(p));
		p.flags = flags | IORING_SETUP_CQSIZE;
		p.cq_entries = cq;
		ret = io_uring_queue_init_params(sq, &loop->ring, &p);
		if (ret != -EINVAL)
			break;
	}
	if (ret == -ENOSYS || ret == -EPERM)	/* disabled or filtered */
		return uloop_emu_init(loop, sq, cq, ret);
	if (ret)
		return ret;
	if ((p.features & ULOOP_REQUIRED_FEATURES) != ULOOP_REQUIRED_FEATURES) {
		io_uring_queue_exit(&loop->ring);	/* older than 5.13 */
		return uloop_emu_init(loop, sq, cq, -EOPNOTSUPP);
	}
	if (flags & IORING_SETUP_DEFER_TASKRUN)
		loop->features |= ULOOP_F_DEFER_TASKRUN;
	loop->cq_entries = p.cq_entries;
	uloop_probe(loop);
	if (!(flags & IORING_SETUP_R_DISABLED))
		return 0;
	ret = uloop_restrict(loop);
	if (ret < 0 && ret != -EINVAL && ret != -EACCES) {
		/* the ring could not even be enabled */
		io_uring_queue_exit(&loop->ring);
		return ret;
	}
	return 0;
}

/**
 * uloop_probe() - record which optional opcodes the kernel supports
 * @loop: loop with a ring
 *
 * Buffer rings came with IORING_OP_SOCKET (5.19), multishot recv with
 * IORING_OP_SEND_ZC (6.0); read multishot is opcode 49 itself (6.7).
 */
static void uloop_probe(struct uloop *loop)
{
	struct io_uring_probe *pr = io_uring_get_probe_ring(&loop->ring);

	if (!pr)
		return;
	if (io_uring_opcode_supported(pr, IORING_OP_SOCKET))
		loop->features |= ULOOP_F_BUF_RING;
	if (io_uring_opcode_supported(pr, IORING_OP_SEND_ZC))
		loop->features |= ULOOP_F_RECV_MULTISHOT;
	if (io_uring_opcode_supported(pr, ULOOP_OP_READ_MULTISHOT))
		loop->features |= ULOOP_F_READ_MULTISHOT;
	io_uring_free_probe(pr);
}

static void uloop_wake_arm(struct uloop *loop);

static void uloop_wake_retry(struct uloop *loop, struct uloop_op *op)
{
	uloop_wake_arm(loop);
}

/**
 * uloop_wake_arm() - queue the read of the wake-up eventfd
 * @loop: the loop
 *
 * The eventfd is blocking, so the read waits in the kernel (io_uring polls
 * it) and never completes with -EAGAIN.
 */
static void uloop_wake_arm(struct uloop *loop)
{
	struct io_uring_sqe *sqe = uloop_sqe_get(loop);

	if (!sqe) {
		uloop_op_defer(loop, &loop->wake_op, uloop_wake_retry);
		return;
	}
	io_uring_prep_read(sqe, loop->wake_fd, &loop->wake_val,
			   sizeof(loop->wake_val), 0);
	uloop_sqe_bind(loop, sqe, &loop->wake_op);
}

static void uloop_wake_done(struct uloop *loop, struct uloop_op *op, int res,
			    uint32_t cqe_flags)
{
	if (res != (int)sizeof(loop->wake_val) && res != -EINTR &&
	    res != -EAGAIN) {
		/* -ECANCELED at teardown, or a broken eventfd: do not spin */
		loop->stats.ctl_errors++;
		return;
	}
	atomic_store(&loop->wake_pending, 0);
	uloop_wake_arm(loop);
	if (res < 0)
		return;
	loop->stats.wakeups++;
	if (loop->wake_cb)
		loop->wake_cb(loop, loop->wake_arg);
}

/**
 * uloop_init() - create a loop in the calling thread
 * @loop: storage, any contents
 * @cfg:  ring sizes and options, or NULL for the defaults
 *
 * The calling thread becomes the loop's owner: with DEFER_TASKRUN only it
 * may submit. When io_uring is unavailable (kernel.io_uring_disabled,
 * seccomp: -ENOSYS/-EPERM; a kernel older than 5.13) or QNET_URING=epoll,
 * the ring is emulated over epoll (uloop_emu.c, HARDENING T-76) and one
 * line on stderr says so.
 *
 * Return: 0; -EINVAL for bad sizes, -ENOMEM, or another -errno.
 */
int uloop_init(struct uloop *loop, const struct uloop_config *cfg)
{
	static const struct uloop_config def;
	int ret;

	memset(loop, 0, sizeof(*loop));
	atomic_init(&loop->stop, false);
	atomic_init(&loop->wake_pending, 0);
	loop->wake_fd = -1;
	ret = uloop_ring_setup(loop, cfg ? cfg : &def);
	if (ret)
		return ret;
	/* saves a file lookup per io_uring_enter(); optional */
	if (!loop->emu)
		(void)io_uring_register_ring_fd(&loop->ring);
	loop->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (loop->wake_fd < 0) {
		ret = -errno;
		goto err_ring;
	}
	loop->owner = pthread_self();
	uloop_op_init(&loop->wake_op, uloop_wake_done);
	uloop_wake_arm(loop);
	return 0;

err_ring:
	if (loop->emu)
		uloop_emu_fini(loop);
	else
		io_uring_queue_exit(&loop->ring);
	return ret;
}

/**
 * uloop_fini() - destroy a loop
 * @loop: loop made by uloop_init(), in its owner thread
 *
 * The kernel cancels every request still queued; no callback runs. Buffer
 * rings (ubufring_fini()) go first. Objects whose ops were in flight may be
 * freed afterwards.
 */
void uloop_fini(struct uloop *loop)
{
	if (loop->emu)
		uloop_emu_fini(loop);
	else
		io_uring_queue_exit(&loop->ring);
	/* late calls on this ring (a ubufring_fini() after us) get -EBADF */
	loop->ring.ring_fd = -1;
	loop->ring.enter_ring_fd = -1;
	if (loop->wake_fd >= 0)
		close(loop->wake_fd);
	loop->wake_fd = -1;
	free(loop->file_used);
	loop->file_used = NULL;
	loop->nr_files = 0;
	loop->hooks = NULL;
	loop->park_hooks = NULL;
	loop->retry_head = loop->retry_tail = NULL;
	loop->timer_root = NULL;
}

/**
 * uloop_op_init() - prepare an op for use
 * @op: op embedded in the caller's object
 * @cb: completion callback
 */
void uloop_op_init(struct uloop_op *op,
		   void (*cb)(struct uloop *loop, struct uloop_op *op, int res,
			      uint32_t cqe_flags))
{
	memset(op, 0, sizeof(*op));
	op->cb = cb;
}

/**
 * uloop_op_busy() - does the kernel still hold requests of this op?
 * @op: the op
 *
 * Return: true while the op's memory must stay valid.
 */
bool uloop_op_busy(const struct uloop_op *op)
{
	return op->inflight != 0 || op->retry_queued;
}

/**
 * uloop_op_defer() - retry an op's submission at the next iteration
 * @loop:  the loop
 * @op:    op that could not get an SQE
 * @retry: called at the start of the next iteration
 */
void uloop_op_defer(struct uloop *loop, struct uloop_op *op,
		    void (*retry)(struct uloop *loop, struct uloop_op *op))
{
	if (op->retry_queued)
		return;
	op->retry = retry;
	op->retry_queued = true;
	op->retry_next = NULL;
	if (loop->retry_tail)
		loop->retry_tail->retry_next = op;
	else
		loop->retry_head = op;
	loop->retry_tail = op;
}

/**
 * uloop_op_undefer() - take an op off the retry list
 * @loop: the loop
 * @op:   op that may be queued
 */
void uloop_op_undefer(struct uloop *loop, struct uloop_op *op)
{
	struct uloop_op **pp = &loop->retry_head, *prev = NULL;

	if (!op->retry_queued)
		return;
	while (*pp && *pp != op) {
		prev = *pp;
		pp = &(*pp)->retry_next;
	}
	if (*pp) {
		*pp = op->retry_next;
		if (loop->retry_tail == op)
			loop->retry_tail = prev;
	}
	op->retry_queued = false;
	op->retry_next = NULL;
}

/* Run each op deferred before this iteration once (FIFO, re-defers wait). */
static void uloop_run_retries(struct uloop *loop)
{
	struct uloop_op *op;
	unsigned int budget = 0;

	for (op = loop->retry_head; op; op = op->retry_next)
		budget++;
	while (budget-- && (op = loop->retry_head)) {
		loop->retry_head = op->retry_next;
		if (!loop->retry_head)
			loop->retry_tail = NULL;
		op->retry_next = NULL;
		op->retry_queued = false;
		loop->stats.retries++;
		op->retry(loop, op);
	}
}

/**
 * uloop_sqe_get() - get a free SQE, flushing a full SQ once
 * @loop: the loop
 *
 * Prepare the SQE with any io_uring_prep_*() helper, then hand it to
 * uloop_sqe_bind() (prep helpers reset sqe->flags: set IOSQE_* after them).
 *
 * Return: the SQE, or NULL when the SQ stays full (the kernel refused the
 * flush); the caller backs off or retries at the next iteration.
 */
struct io_uring_sqe *uloop_sqe_get(struct uloop *loop)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->ring);

	if (sqe)
		return sqe;
	loop->stats.sq_full++;
	if (uloop_flush(loop) < 0)
		return NULL;
	return io_uring_get_sqe(&loop->ring);
}

/**
 * uloop_sqe_bind() - aim a prepared SQE's completion at an op
 * @loop: the loop
 * @sqe:  SQE from uloop_sqe_get(), prepared
 * @op:   target op, or NULL for a request whose completion is ignored
 */
void uloop_sqe_bind(struct uloop *loop, struct io_uring_sqe *sqe,
		    struct uloop_op *op)
{
	io_uring_sqe_set_data(sqe, op);
	if (op)
		op->inflight++;
}

/**
 * uloop_flush() - submit the queued SQEs now instead of at the next wait
 * @loop: the loop
 *
 * Return: 0, or -errno from io_uring_enter() (-EAGAIN, -EBUSY: retry later).
 */
int uloop_flush(struct uloop *loop)
{
	unsigned int queued = io_uring_sq_ready(&loop->ring);
	int ret;

	if (!queued)
		return 0;
	loop->stats.enters++;
	if (loop->emu) {
		uloop_emu_submit(loop);
		loop->stats.sqes += queued;
		return 0;
	}
	ret = io_uring_submit(&loop->ring);
	loop->stats.sqes += queued - io_uring_sq_ready(&loop->ring);
	return ret < 0 ? ret : 0;
}

/**
 * uloop_flush_all() - submit the queued SQEs now, retrying (a bounded
 * number of times, yielding in between) while the kernel is briefly out
 * of room: for callers that must know their requests reached the kernel
 * before they go on (a gate, a quiesce)
 * @loop: the loop, on its thread
 */
void uloop_flush_all(struct uloop *loop)
{
	int tries = 0;

	while (uloop_flush(loop) && ++tries < 100)
		sched_yield();
}

/**
 * uloop_cancel() - ask the kernel to cancel every request of an op
 * @loop: the loop
 * @op:   op with requests in flight
 *
 * The op's callback later sees -ECANCELED (or the result, if the request
 * finished first).
 *
 * Return: 0, -ENOENT when nothing is in flight, -EBUSY when no SQE is free.
 */
int uloop_cancel(struct uloop *loop, struct uloop_op *op)
{
	struct io_uring_sqe *sqe;

	if (!op->inflight)
		return -ENOENT;
	sqe = uloop_sqe_get(loop);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_cancel(sqe, op, IORING_ASYNC_CANCEL_ALL);
	uloop_sqe_bind(loop, sqe, NULL);
	return 0;
}

/* Dispatch one CQE to its op. */
static void uloop_dispatch(struct uloop *loop, const struct uloop_cqe *c)
{
	struct uloop_op *op = (struct uloop_op *)(uintptr_t)c->user_data;

	loop->stats.cqes++;
	if (!op) {
		if (c->res < 0 && c->res != -ENOENT && c->res != -EALREADY)
			loop->stats.ctl_errors++;
		return;
	}
	if (!(c->flags & IORING_CQE_F_MORE) && op->inflight)
		op->inflight--;
	op->cb(loop, op, c->res, c->flags);
}

/* Copy up to ULOOP_BATCH ready CQEs (no system call); returns how many. */
static unsigned int uloop_copy_cqes(struct uloop *loop, struct uloop_cqe *batch)
{
	const struct io_uring_cq *cq = &loop->ring.cq;
	unsigned int ready = io_uring_cq_ready(&loop->ring);
	unsigned int head = *cq->khead, n;
	const struct io_uring_cqe *cqe;

	if (ready > ULOOP_BATCH)
		ready = ULOOP_BATCH;
	for (n = 0; n < ready; n++) {
		cqe = &cq->cqes[(head + n) & cq->ring_mask];
		batch[n].user_data = cqe->user_data;
		batch[n].res = cqe->res;
		batch[n].flags = cqe->flags;
	}
	return ready;
}

/**
 * uloop_reap() - dispatch the completions in the CQ, in batches
 * @loop: the loop
 *
 * Each batch is copied and handed back to the kernel before its callbacks
 * run, so the CQ drains early. Bounded to twice the CQ size per call.
 *
 * Return: CQEs dispatched.
 */
static unsigned int uloop_reap(struct uloop *loop)
{
	struct uloop_cqe batch[ULOOP_BATCH];
	unsigned int n, i, total = 0;

	while (total < 2 * loop->cq_entries) {
		n = uloop_copy_cqes(loop, batch);
		if (!n)
			break;
		io_uring_cq_advance(&loop->ring, n);
		for (i = 0; i < n; i++)
			uloop_dispatch(loop, &batch[i]);
		total += n;
	}
	if (io_uring_cq_has_overflow(&loop->ring))
		loop->stats.cq_overflow++;
	return total;
}

/* How long the next wait may block: -1 for no limit. */
static int64_t uloop_wait_ns(struct uloop *loop, int64_t timeout_ns)
{
	int64_t wait = timeout_ns < 0 ? -1 : timeout_ns;
	int64_t t;

	if (atomic_load_explicit(&loop->stop, memory_order_relaxed) ||
	    io_uring_cq_ready(&loop->ring) ||
	    io_uring_cq_has_overflow(&loop->ring))
		return 0;
	t = uloop_timers_wait_ns(loop, uloop_now());
	if (t >= 0 && (wait < 0 || t < wait))
		wait = t;
	if (loop->retry_head && (wait < 0 || wait > ULOOP_RETRY_NS))
		wait = ULOOP_RETRY_NS;
	return wait;
}

/**
 * uloop_enter() - submit what is queued and wait, in one system call
 * @loop:    the loop
 * @wait_ns: longest wait, 0 to only submit and collect, -1 for no limit
 *
 * Return: 0 or -errno from io_uring_enter(); a timeout is not an error.
 */
static int uloop_enter(struct uloop *loop, int64_t wait_ns)
{
	unsigned int queued = io_uring_sq_ready(&loop->ring);
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	int ret;

	if (wait_ns == 0 && !queued && io_uring_cq_ready(&loop->ring) &&
	    !io_uring_cq_has_overflow(&loop->ring))
		return 0;
	loop->stats.enters++;
	if (loop->emu) {
		ret = uloop_emu_enter(loop, wait_ns);
	} else if (wait_ns < 0) {
		ret = io_uring_submit_and_wait(&loop->ring, 1);
	} else if (wait_ns == 0) {
		/* GETEVENTS with no minimum: runs the deferred task work and
		 * returns. A zero timeout would instead arm a timer and queue
		 * the task on the CQ wait queue when nothing is ready (a
		 * third of bench-vtap-rx's CPU time in its idle polls) */
		ret = io_uring_submit_and_get_events(&loop->ring);
	} else {
		ts.tv_sec = wait_ns / ULOOP_NS_PER_SEC;
		ts.tv_nsec = wait_ns % ULOOP_NS_PER_SEC;
		ret = io_uring_submit_and_wait_timeout(&loop->ring, &cqe, 1,
						       &ts, NULL);
	}
	loop->stats.sqes += queued - io_uring_sq_ready(&loop->ring);
	if (ret == -ETIME || ret == -EINTR || ret > 0)
		return 0;
	return ret;
}

/**
 * uloop_hook_list_run() - run every hook of a list; a hook may delete
 * itself
 * @loop:	the loop (its thread)
 * @list:	the list's first hook (per-iteration or park hooks)
 */
void uloop_hook_list_run(struct uloop *loop, struct uloop_hook *list)
{
	struct uloop_hook *h, *next;

	for (h = list; h; h = next) {
		next = h->next;
		h->fn(loop, h);
	}
}

/**
 * uloop_run_once() - run one iteration of the loop
 * @loop:       the loop, in its owner thread
 * @timeout_ns: longest wait for an event, 0 for none, -1 for no limit
 *
 * Transient kernel refusals (-EAGAIN, -EBUSY, -ENOMEM) are counted in
 * stats.enter_errors and retried at the next iteration; when nothing
 * completed, the loop backs off for 1 ms instead of spinning.
 *
 * Return: number of completions and timers dispatched (>= 0), or a fatal
 * -errno from io_uring_enter().
 */
int uloop_run_once(struct uloop *loop, int64_t timeout_ns)
{
	static const struct timespec backoff = {0, ULOOP_RETRY_NS};
	unsigned int n;
	int ret;

	loop->stats.iterations++;
	uloop_run_retries(loop);
	uloop_hook_list_run(loop, loop->hooks);
	ret = uloop_enter(loop, uloop_wait_ns(loop, timeout_ns));
	n = uloop_reap(loop);
	if (ret == -EAGAIN || ret == -EBUSY || ret == -ENOMEM) {
		loop->stats.enter_errors++;
		if (!n && ret != -EBUSY)
			nanosleep(&backoff, NULL);
		ret = 0;
	}
	n += uloop_timers_fire(loop);
	return ret < 0 ? ret : (int)n;
}

/**
 * uloop_run() - run the loop until uloop_stop()
 * @loop: the loop, in its owner thread
 *
 * A stop requested before the call makes it return at once; the request is
 * consumed, so a later uloop_run() runs again.
 *
 * Return: 0 after uloop_stop(), or a fatal -errno.
 */
int uloop_run(struct uloop *loop)
{
	int ret = 0;

	while (!atomic_load_explicit(&loop->stop, memory_order_acquire)) {
		ret = uloop_run_once(loop, -1);
		if (ret < 0)
			break;
		ret = 0;
	}
	atomic_store(&loop->stop, false);
	return ret;
}

/**
 * uloop_stop() - make uloop_run() return; any thread
 * @loop: the loop
 *
 * From another thread the loop must outlive this call: if its owner may
 * uloop_fini() as soon as uloop_run() returns, the two threads synchronise
 * first (uworker_stop() does).
 */
void uloop_stop(struct uloop *loop)
{
	atomic_store_explicit(&loop->stop, true, memory_order_release);
	if (!pthread_equal(pthread_self(), loop->owner))
		(void)uloop_wake(loop);
}

/**
 * uloop_wake() - wake the loop and run its wake callback; any thread
 * @loop: the loop
 *
 * Wake-ups coalesce: while one is pending, further calls make no system
 * call. Writes made before the call are visible to the callback.
 *
 * Return: 0, or -errno from write(2).
 */
int uloop_wake(struct uloop *loop)
{
	uint64_t one = 1;

	if (atomic_exchange(&loop->wake_pending, 1))
		return 0;
	if (write(loop->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		atomic_store(&loop->wake_pending, 0);
		return -errno;
	}
	return 0;
}

/**
 * uloop_set_wake() - set the callback uloop_wake() runs in the loop thread
 * @loop: the loop
 * @cb:   callback, or NULL
 * @arg:  its argument
 *
 * One per loop; a worker's loop uses it for its command queue.
 */
void uloop_set_wake(struct uloop *loop,
		    void (*cb)(struct uloop *loop, void *arg), void *arg)
{
	loop->wake_cb = cb;
	loop->wake_arg = arg;
}

/**
 * uloop_hook_list_add() - put @h at the front of a hook list
 * @list:	the list (a loop's per-iteration or park hooks)
 * @h:		the hook, in no list
 */
void uloop_hook_list_add(struct uloop_hook **list, struct uloop_hook *h)
{
	h->next = *list;
	*list = h;
}

/**
 * uloop_hook_list_del() - take @h out of a hook list (if it is there)
 * @list:	the list
 * @h:		the hook
 */
void uloop_hook_list_del(struct uloop_hook **list, struct uloop_hook *h)
{
	struct uloop_hook **pp;

	for (pp = list; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	h->next = NULL;
}

/**
 * uloop_hook_add() - run @h once per iteration before submit-and-wait
 * @loop: the loop
 * @h:    hook with ->fn set; not already added
 */
void uloop_hook_add(struct uloop *loop, struct uloop_hook *h)
{
	uloop_hook_list_add(&loop->hooks, h);
}

/**
 * uloop_hook_del() - remove a hook
 * @loop: the loop
 * @h:    a hook added to @loop
 */
void uloop_hook_del(struct uloop *loop, struct uloop_hook *h)
{
	uloop_hook_list_del(&loop->hooks, h);
}

/**
 * uloop_features() - optional kernel features the loop found
 * @loop: the loop
 *
 * Return: ULOOP_F_* bits.
 */
unsigned int uloop_features(const struct uloop *loop)
{
	return loop->features;
}

/**
 * uloop_fd() - the io_uring fd, for embedding the loop in another poller
 * @loop: the loop
 *
 * Without ULOOP_CFG_NO_DEFER completions only become visible inside
 * uloop_run_once(): poll the fd for POLLIN, then call
 * uloop_run_once(loop, 0).
 *
 * Return: the ring fd.
 */
int uloop_fd(const struct uloop *loop)
{
	if (loop->emu)	/* readable when an fd a request waits on is ready */
		return loop->emu->epfd;
	return loop->ring.ring_fd;
}

/**
 * uloop_stats() - the loop's counters
 * @loop: the loop
 *
 * Return: pointer to the live counters (owner thread only).
 */
const struct uloop_stats *uloop_stats(const struct uloop *loop)
{
	return &loop->stats;
}
