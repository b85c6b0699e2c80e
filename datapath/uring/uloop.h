/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uloop: the per-thread io_uring event loop and its public API. */
#ifndef QNET_URING_ULOOP_H
#define QNET_URING_ULOOP_H

#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/**
 * DOC: uloop
 *
 * One struct uloop per thread wraps one io_uring. Everything that touches a
 * loop runs in the thread that called uloop_init(), except uloop_wake() and
 * uloop_stop(), which any thread may call.
 *
 * Completions reach callers through a struct uloop_op embedded in the
 * caller's own object: the SQE's user_data is the op's address, so nothing is
 * allocated per event. An op counts the requests the kernel holds for it
 * (op->inflight); its memory must stay valid while that count is non-zero.
 *
 * Preparing an op only fills an SQE. The loop submits all SQEs prepared
 * during an iteration with the same io_uring_enter() that waits for the next
 * completions, so a batch of reads and writes costs one system call. When the
 * SQ fills up, uloop_sqe_get() submits what is queued and retries once.
 *
 * One iteration (uloop_run_once()): run deferred re-arms, run the prepare
 * hooks (buffer-ring publishing, caller batching), submit and wait (bounded
 * by the earliest timer and the caller's timeout; no wait when completions
 * are already pending), dispatch completions in batches of ULOOP_BATCH, fire
 * due timers. When idle it blocks in the kernel: no busy loop.
 */

/*
 * Features found by uloop_init() (uloop_features()): the ring uses
 * SINGLE_ISSUER|DEFER_TASKRUN; provided-buffer rings (5.19); multishot recv
 * (6.0); IORING_OP_READ_MULTISHOT, opcode 49 (6.7).
 */
#define ULOOP_F_DEFER_TASKRUN  (1u << 0)
#define ULOOP_F_BUF_RING       (1u << 1)
#define ULOOP_F_RECV_MULTISHOT (1u << 2)
#define ULOOP_F_READ_MULTISHOT (1u << 3)
/* the ring refuses operations qnet does not use (uloop_restrict.c) */
#define ULOOP_F_RESTRICTED     (1u << 4)
/* no io_uring: the ring is emulated over epoll (uloop_emu.c) */
#define ULOOP_F_EMULATED       (1u << 5)

/* uloop_config.flags: no DEFER_TASKRUN (ring fd pollable by another loop) */
#define ULOOP_CFG_NO_DEFER (1u << 0)
/* uloop_config.flags: no allowlist of operations (uloop_restrict.c) */
#define ULOOP_CFG_NO_RESTRICT (1u << 1)

/*
 * Flags for the I/O helpers: the fd is a slot of the registered file table;
 * link to the next SQE (IOSQE_IO_LINK), so the two run in order.
 */
#define ULOOP_IO_FIXED_FILE (1u << 0)
#define ULOOP_IO_LINK	    (1u << 1)

/* Offset meaning "the file's current position" (streams, pipes, tap). */
#define ULOOP_OFF_CUR ((uint64_t)-1)

/* Completions dispatched per batch, and the default ring sizes. */
#define ULOOP_BATCH  64
#define ULOOP_DEF_SQ 256
#define ULOOP_DEF_CQ 1024

struct uloop;

/**
 * struct uloop_config - ring sizes and options for uloop_init()
 * @sq_entries: submission queue size (0: ULOOP_DEF_SQ)
 * @cq_entries: completion queue size, >= @sq_entries (0: ULOOP_DEF_CQ)
 * @flags:      ULOOP_CFG_*
 */
struct uloop_config {
	unsigned int sq_entries;
	unsigned int cq_entries;
	unsigned int flags;
};

/**
 * struct uloop_op - one completion target, embedded in the caller's object
 * @cb:           called in the loop thread for every CQE aimed at this op;
 *                @res is cqe->res, @cqe_flags is cqe->flags (IORING_CQE_F_*)
 * @retry:        internal: re-submission when no SQE was available
 * @retry_next:   internal: deferred-retry list link
 * @inflight:     requests the kernel still holds for this op
 * @retry_queued: internal: on the deferred-retry list
 *
 * @inflight drops before @cb runs for the CQE that ends a request (one
 * without IORING_CQE_F_MORE), so the callback may re-arm or release the op.
 */
struct uloop_op {
	void (*cb)(struct uloop *loop, struct uloop_op *op, int res,
		   uint32_t cqe_flags);
	void (*retry)(struct uloop *loop, struct uloop_op *op);
	struct uloop_op *retry_next;
	uint32_t inflight;
	bool retry_queued;
};

/**
 * struct uloop_timer - one-shot or periodic timer on CLOCK_MONOTONIC
 * @cb:       called in the loop thread when the timer fires
 * @deadline: next expiry, monotonic ns
 * @period:   0 for one-shot, else the period in ns
 *
 * The rest is the loop's pairing-heap linkage. Arming never allocates.
 */
struct uloop_timer {
	void (*cb)(struct uloop *loop, struct uloop_timer *t);
	uint64_t deadline;
	uint64_t period;
	uint64_t seq;
	struct uloop_timer *child;
	struct uloop_timer *next;
	struct uloop_timer *prev;
	bool armed;
};

/*
 * uloop_poll flags: disarm after each event (uloop_poll_set() re-arms);
 * the fd is a registered file slot.
 */
#define ULOOP_POLL_ONESHOT    (1u << 0)
#define ULOOP_POLL_FIXED_FILE (1u << 1)

/**
 * struct uloop_poll - readiness watch on a foreign fd (poll(2) event masks)
 * @op:      the kernel poll request
 * @upd:     an in-place update of its mask (its own result)
 * @cb:      called with the revents (> 0) or a -errno that disarmed the watch
 * @release: optional; called once after uloop_poll_del(), when the kernel
 *           holds no request of this watch (possibly inside uloop_poll_del());
 *           the memory may be freed from then on
 * @fd:      the watched fd (or registered slot)
 * @flags:   ULOOP_POLL_*
 *
 * The other fields are the watch's state, owned by the loop.
 */
struct uloop_poll {
	struct uloop_op op;
	struct uloop_op upd;
	void (*cb)(struct uloop *loop, struct uloop_poll *p, int revents);
	void (*release)(struct uloop *loop, struct uloop_poll *p);
	int fd;
	uint32_t flags;
	uint32_t want;
	uint32_t armed_mask;
	bool active;
	bool arm;
	bool removing;
	bool dispatching;
};

/**
 * struct uloop_hook - work run once per iteration, before the loop submits
 * and waits (e.g. flushing a batch of frames gathered during dispatch)
 * @fn:   the hook
 * @next: list link, owned by the loop
 */
struct uloop_hook {
	void (*fn)(struct uloop *loop, struct uloop_hook *h);
	struct uloop_hook *next;
};

/**
 * struct uloop_stats - loop counters (read them with uloop_stats())
 * @iterations:   uloop_run_once() calls
 * @enters:       calls into the kernel to submit and/or wait (upper bound of
 *                io_uring_enter() system calls)
 * @sqes:         SQEs handed to the kernel
 * @cqes:         CQEs dispatched
 * @sq_full:      times the SQ was full and was flushed early
 * @cq_overflow:  iterations that found the CQ overflow flag set
 * @enter_errors: submit/wait failures (-EAGAIN, -EBUSY, -ENOMEM ...)
 * @ctl_errors:   failed internal requests (cancel, poll update) with no op
 * @retries:      deferred re-submissions run
 * @rearms:       multishot requests re-armed after the kernel ended them
 * @timers_fired: timer callbacks run
 * @wakeups:      wake-up callbacks run
 */
struct uloop_stats {
	uint64_t iterations;
	uint64_t enters;
	uint64_t sqes;
	uint64_t cqes;
	uint64_t sq_full;
	uint64_t cq_overflow;
	uint64_t enter_errors;
	uint64_t ctl_errors;
	uint64_t retries;
	uint64_t rearms;
	uint64_t timers_fired;
	uint64_t wakeups;
};

/**
 * struct uloop - one io_uring and everything dispatched from it
 *
 * Embed it by value; all fields are owned by the uloop_* functions.
 */
struct uloop_emu;

struct uloop {
	struct io_uring ring;
	struct uloop_emu *emu;	/* NULL unless emulated (uloop_emu.c) */
	unsigned int features;
	unsigned int cq_entries;
	pthread_t owner;
	atomic_bool stop;

	/* deferred re-submissions, per-iteration and park hooks */
	struct uloop_op *retry_head;
	struct uloop_op *retry_tail;
	struct uloop_hook *hooks;
	struct uloop_hook *park_hooks;

	/* timers: pairing heap on (deadline, seq) */
	struct uloop_timer *timer_root;
	uint64_t timer_seq;

	/* wake-ups */
	int wake_fd;
	atomic_int wake_pending;
	uint64_t wake_val;
	struct uloop_op wake_op;
	void (*wake_cb)(struct uloop *loop, void *arg);
	void *wake_arg;

	/* registered files: slot map for uloop_file_add() */
	uint8_t *file_used;
	unsigned int nr_files;
	unsigned int nr_bufs;

	struct uloop_stats stats;
};

/* --- loop ------------------------------------------------------------- */

int uloop_init(struct uloop *loop, const struct uloop_config *cfg);
void uloop_fini(struct uloop *loop);
int uloop_run(struct uloop *loop);
int uloop_run_once(struct uloop *loop, int64_t timeout_ns);
void uloop_stop(struct uloop *loop);
int uloop_wake(struct uloop *loop);
void uloop_set_wake(struct uloop *loop,
		    void (*cb)(struct uloop *loop, void *arg), void *arg);
unsigned int uloop_features(const struct uloop *loop);
int uloop_fd(const struct uloop *loop);
const struct uloop_stats *uloop_stats(const struct uloop *loop);
uint64_t uloop_now(void);
void uloop_hook_add(struct uloop *loop, struct uloop_hook *h);
void uloop_hook_del(struct uloop *loop, struct uloop_hook *h);
void uloop_park_hook_add(struct uloop *loop, struct uloop_hook *h);
void uloop_park_hook_del(struct uloop *loop, struct uloop_hook *h);
void uloop_park(struct uloop *loop);

/* --- ops and raw SQEs ---------------------------------------------------- */

void uloop_op_init(struct uloop_op *op,
		   void (*cb)(struct uloop *loop, struct uloop_op *op, int res,
			      uint32_t cqe_flags));
bool uloop_op_busy(const struct uloop_op *op);
struct io_uring_sqe *uloop_sqe_get(struct uloop *loop);
void uloop_sqe_bind(struct uloop *loop, struct io_uring_sqe *sqe,
		    struct uloop_op *op);
int uloop_flush(struct uloop *loop);
void uloop_flush_all(struct uloop *loop);
int uloop_cancel(struct uloop *loop, struct uloop_op *op);

/* --- batched I/O ---------------------------------------------------------- */

int uloop_read(struct uloop *loop, struct uloop_op *op, int fd, void *buf,
	       unsigned int len, uint64_t off, unsigned int flags);
int uloop_write(struct uloop *loop, struct uloop_op *op, int fd,
		const void *buf, unsigned int len, uint64_t off,
		unsigned int flags);
int uloop_readv(struct uloop *loop, struct uloop_op *op, int fd,
		const struct iovec *iov, unsigned int nr, uint64_t off,
		unsigned int flags);
int uloop_writev(struct uloop *loop, struct uloop_op *op, int fd,
		 const struct iovec *iov, unsigned int nr, uint64_t off,
		 unsigned int flags);
int uloop_read_fixed(struct uloop *loop, struct uloop_op *op, int fd, void *buf,
		     unsigned int len, uint64_t off, unsigned int buf_index,
		     unsigned int flags);
int uloop_write_fixed(struct uloop *loop, struct uloop_op *op, int fd,
		      const void *buf, unsigned int len, uint64_t off,
		      unsigned int buf_index, unsigned int flags);

/* --- registered files and buffers ----------------------------------------- */

int uloop_files_register(struct uloop *loop, unsigned int nr);
int uloop_file_add(struct uloop *loop, int fd);
int uloop_file_set(struct uloop *loop, unsigned int slot, int fd);
int uloop_file_remove(struct uloop *loop, unsigned int slot);
int uloop_buffers_register(struct uloop *loop, const struct iovec *iov,
			   unsigned int nr);
int uloop_buffers_unregister(struct uloop *loop);

/* --- timers --------------------------------------------------------------- */

void uloop_timer_init(struct uloop_timer *t,
		      void (*cb)(struct uloop *loop, struct uloop_timer *t));
void uloop_timer_arm(struct uloop *loop, struct uloop_timer *t,
		     uint64_t deadline_ns, uint64_t period_ns);
void uloop_timer_arm_in(struct uloop *loop, struct uloop_timer *t,
			uint64_t delay_ns, uint64_t period_ns);
void uloop_timer_cancel(struct uloop *loop, struct uloop_timer *t);
bool uloop_timer_armed(const struct uloop_timer *t);

/* --- poll watches on foreign fds ------------------------------------------ */

void uloop_poll_init(struct uloop_poll *p, int fd, uint32_t flags,
		     void (*cb)(struct uloop *loop, struct uloop_poll *p,
				int revents));
int uloop_poll_set(struct uloop *loop, struct uloop_poll *p, uint32_t events);
int uloop_poll_del(struct uloop *loop, struct uloop_poll *p);
bool uloop_poll_busy(const struct uloop_poll *p);

#endif /* QNET_URING_ULOOP_H */
