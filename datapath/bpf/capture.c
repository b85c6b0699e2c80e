// SPDX-License-Identifier: GPL-2.0-or-later
/* capture.c: filter-dump and qnet's drop/allow filters, in the kernel where frames cross an interface, else in user space. */

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath/frame.h"
#include "datapath/pcapf.h"
#include "datapath/pcapw.h"
#include "datapath/port.h"
#include "datapath/bpf/capture.h"
#include "datapath/bpf/tc_cap.h"

/**
 * DOC: capture objects
 *
 * A capture object is one `-object filter-dump` (or one of qnet's drop /
 * allow filters) on one netdev. Its expression is compiled once by libpcap
 * (datapath/pcapf.c). Frames reach it two ways:
 *
 * - In the kernel: capture_attach_tc() loads the TC programs on the tap or
 *   bridge port the netdev uses (guest-to-host frames are that interface's
 *   ingress, host-to-guest frames its egress); capture_attach_host() takes
 *   a slot in a program someone else loaded (the af-xdp netdev's XDP
 *   program, which sees host-to-guest frames). Records come through the
 *   program's ring buffer, drained from the loop given at attach, and are
 *   written with CLOCK_REALTIME timestamps.
 * - In user space: the netdev's owner calls capture_user_run() with its
 *   frames of each direction; directions a kernel program covers are
 *   skipped there, so every frame is seen exactly once.
 *
 * Threads: open, attach, detach, status and close run in the thread of the
 * loop given at attach (ctl's). capture_user_run() and capture_user_flush()
 * may run in several threads at once, even for one queue (the two
 * directions of a queue can be driven by different workers, and ctl's
 * flush timer runs on its own): each queue's state (record buffer,
 * counters) is guarded by a mutex taken once per batch or flush, never per
 * frame; the compiled expression is read-only and the file takes whole
 * buffers with one O_APPEND write(). Counters are read with relaxed
 * atomics from any thread, without the mutex. Pausing (status=off) counts
 * frames as seen and nothing else. A write error (disk full, file removed) stops the capture
 * for good (stats.error); traffic goes on.
 */

#define CAPTURE_FLUSH_NS 100000000ull	/* user buffers older than this */
#define CAPTURE_TICK_NS 100000000ull	/* drain flush and file check */

/* Relaxed counters: one writer thread, readers anywhere. */
#define CAP_ADD(x, v) __atomic_store_n(&(x), (x) + (v), __ATOMIC_RELAXED)
#define CAP_GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/**
 * struct capture_uq - user-space state of one queue
 * @lock:	guards the rest: taken once per capture_user_run() batch and
 *		per flush
 * @buf:	records waiting for one write()
 * @seen:	frames looked at
 * @matched:	frames the expression accepted
 * @copied:	records buffered
 * @dropped:	frames dropped (drop/allow)
 * @bytes:	bytes buffered
 */
struct capture_uq {
	pthread_mutex_t lock;
	struct pcapw_buf buf;
	uint64_t seen;
	uint64_t matched;
	uint64_t copied;
	uint64_t dropped;
	uint64_t bytes;
};

/**
 * struct capture - one capture or filter object
 * @id:		object id
 * @netdev:	netdev id
 * @kind:	enum capture_kind
 * @queue:	enum capture_queue
 * @maxlen:	bytes kept per frame
 * @status:	running
 * @error:	what stopped it, 0
 * @filt:	the compiled expression
 * @pf:		the pcap file (CAPTURE_DUMP)
 * @nqueues:	user-space queues
 * @uq:		their state
 * @tc:		TC programs this object loaded, or NULL
 * @host:	program holding the kernel slot, or NULL
 * @slot:	the slot
 * @kdirs:	directions the kernel slot covers (bit per enum capture_dir)
 * @loop:	the drain loop
 * @tick:	drain-side flush and file check
 * @kbuf:	drain-side records
 * @mono2real:	CLOCK_REALTIME - CLOCK_MONOTONIC, ns
 */
struct capture {
	char id[BPFPIN_NAME_MAX];
	char netdev[BPFPIN_NAME_MAX];
	enum capture_kind kind;
	enum capture_queue queue;
	uint32_t maxlen;
	atomic_bool status;
	atomic_int error;
	struct pcapf filt;
	struct pcapw_file pf;
	unsigned int nqueues;
	struct capture_uq *uq;
	struct tc_cap *tc;
	struct qhost *host;
	int slot;
	unsigned int kdirs;
	struct uloop *loop;
	struct uloop_timer tick;
	struct pcapw_buf kbuf;
	int64_t mono2real;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Directions QEMU's queue= selects, as enum capture_dir bits. */
static unsigned int queue_dirs(enum capture_queue q)
{
	return q == CAPTURE_QUEUE_RX ? 1u << CAPTURE_RX :
	       q == CAPTURE_QUEUE_TX ? 1u << CAPTURE_TX :
	       (1u << CAPTURE_RX) | (1u << CAPTURE_TX);
}

static int capture_check_config(const struct capture_config *cfg)
{
	if (!cfg->id || !*cfg->id || strlen(cfg->id) >= BPFPIN_NAME_MAX ||
	    !cfg->netdev || !*cfg->netdev ||
	    strlen(cfg->netdev) >= BPFPIN_NAME_MAX ||
	    cfg->kind >= CAPTURE_KIND_COUNT ||
	    cfg->queue >= CAPTURE_QUEUE_COUNT || !cfg->nqueues ||
	    cfg->nqueues > PORT_MAX_QUEUES ||
	    cfg->maxlen > PCAPW_SNAP_MAX)
		return -EINVAL;
	if (cfg->kind == CAPTURE_DUMP && (!cfg->file || !*cfg->file))
		return -EINVAL;
	if (cfg->kind != CAPTURE_DUMP && (!cfg->filter || !*cfg->filter))
		return -EINVAL;
	return 0;
}

/* Open the file and the per-queue buffers of a dump. */
static int capture_open_file(struct capture *c, const char *file)
{
	unsigned int q;
	int err;

	err = pcapw_open(&c->pf, file, c->maxlen);
	if (err)
		return err;
	for (q = 0; q < c->nqueues; q++) {
		err = pcapw_buf_init(&c->uq[q].buf, &c->pf, 0);
		if (err)
			return err;
	}
	return 0;
}

/**
 * capture_open() - compile the expression, open the file; attach nothing
 * @out:	the new object
 * @cfg:	configuration
 * @err:	libpcap's message for a bad expression (may be NULL)
 * @errlen:	its size
 *
 * Until a kernel attach, every direction runs in user space.
 *
 * Return: 0; -EINVAL for a bad configuration or expression; -ELOOP for a
 * symlink as file; -errno from creating the file; -ENOMEM.
 */
int capture_open(struct capture **out, const struct capture_config *cfg,
		 char *err, size_t errlen)
{
	struct capture *c;
	unsigned int q;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	ret = capture_check_config(cfg);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pf.fd = -1;
	c->slot = -1;
	strcpy(c->id, cfg->id);
	strcpy(c->netdev, cfg->netdev);
	c->kind = cfg->kind;
	c->queue = cfg->queue;
	c->maxlen = cfg->maxlen ? cfg->maxlen : CAPTURE_MAXLEN_DEFAULT;
	atomic_store(&c->status, cfg->status);
	c->nqueues = cfg->nqueues;
	c->uq = calloc(c->nqueues, sizeof(*c->uq));
	if (!c->uq) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (q = 0; q < c->nqueues; q++)
		pthread_mutex_init(&c->uq[q].lock, NULL);
	if (cfg->filter && *cfg->filter) {
		ret = pcapf_compile(&c->filt, cfg->filter, c->maxlen, err, errlen);
		if (ret)
			goto err_free;
	}
	if (c->kind == CAPTURE_DUMP) {
		ret = capture_open_file(c, cfg->file);
		if (ret)
			goto err_free;
	}
	uloop_timer_init(&c->tick, NULL);
	*out = c;
	return 0;
err_free:
	capture_close(c);
	return ret;
}

/**
 * capture_close() - detach, flush, close the file, free
 * @c:		the object (NULL is ignored); user-space callers must be done
 *		and the object off any netdev (afxdp_capture_del() first)
 */
void capture_close(struct capture *c)
{
	unsigned int q;

	if (!c)
		return;
	capture_detach_kernel(c);
	for (q = 0; c->uq && q < c->nqueues; q++) {
		pcapw_buf_fini(&c->uq[q].buf);
		pthread_mutex_destroy(&c->uq[q].lock);
	}
	pcapw_close(&c->pf);
	pcapf_free(&c->filt);
	free(c->uq);
	free(c);
}

/*
 * Stop the capture after a file error. From a data-path thread only the
 * flag is set: the next tick (drain thread) pauses the kernel slot.
 */
static void capture_fail(struct capture *c, int err, bool drain_thread)
{
	int zero = 0;

	if (!err)
		return;
	atomic_compare_exchange_strong(&c->error, &zero, err);
	if (drain_thread && c->host && c->slot >= 0)
		qhost_slot_status(c->host, (unsigned int)c->slot, false);
}

/* Drain side: one record of our slot. */
static void capture_rec(void *arg, const struct qcap_rec *r,
			const uint8_t *data)
{
	struct capture *c = arg;
	int err;

	err = pcapw_add(&c->kbuf, r->ts_ns + (uint64_t)c->mono2real, data,
			r->caplen, r->len);
	if (err)
		capture_fail(c, err, true);
}

/* Every tick: drain, write what the drain buffered, check the file. */
static void capture_tick(struct uloop *loop, struct uloop_timer *t)
{
	struct capture *c = (struct capture *)((char *)t -
					       offsetof(struct capture, tick));
	int err;

	c->mono2real = (int64_t)(clock_ns(CLOCK_REALTIME) -
				 clock_ns(CLOCK_MONOTONIC));
	if (c->host)
		qhost_drain(c->host);
	if (c->kind != CAPTURE_DUMP)
		return;
	err = pcapw_flush(&c->kbuf);
	if (!err)
		err = pcapw_check(&c->pf);
	if (!err)
		err = atomic_load(&c->error);
	if (err)
		capture_fail(c, err, true);
}

/**
 * capture_attach_host() - run the object in a slot of a loaded program
 * @c:		the object (not attached yet)
 * @loop:	loop that drains the program's ring (this thread's)
 * @h:		the program's capture slots
 * @rx_hook:	QCAP_HOOK_* where that program sees guest-to-host frames, 0
 *		when it does not
 * @tx_hook:	QCAP_HOOK_* where it sees host-to-guest frames, 0 if not
 *
 * The directions the program covers are skipped by capture_user_run().
 *
 * Return: 0; -EOPNOTSUPP when the program sees none of the object's
 * directions; -ENOSPC when its slots are taken; -EALREADY when attached;
 * -errno.
 */
int capture_attach_host(struct capture *c, struct uloop *loop,
			struct qhost *h, unsigned int rx_hook,
			unsigned int tx_hook)
{
	unsigned int dirs = queue_dirs(c->queue), kd = 0;
	struct qcap_slot s = {
		.status = atomic_load(&c->status) && !atomic_load(&c->error),
		.maxlen = c->maxlen > QCAP_SNAP_MAX ? QCAP_SNAP_MAX : c->maxlen,
	};
	int ret;

	if (c->host)
		return -EALREADY;
	if ((dirs & (1u << CAPTURE_RX)) && rx_hook)
		s.hooks |= rx_hook, kd |= 1u << CAPTURE_RX;
	if ((dirs & (1u << CAPTURE_TX)) && tx_hook)
		s.hooks |= tx_hook, kd |= 1u << CAPTURE_TX;
	if (!kd)
		return -EOPNOTSUPP;
	s.kind = c->kind == CAPTURE_DUMP ? QCAP_DUMP :
		 c->kind == CAPTURE_DROP ? QCAP_DROP : QCAP_ALLOW;
	if (c->kind == CAPTURE_DUMP && !c->kbuf.buf) {
		ret = pcapw_buf_init(&c->kbuf, &c->pf, 0);
		if (ret)
			return ret;
	}
	ret = qhost_watch(h, loop);
	if (ret)
		return ret;
	c->mono2real = (int64_t)(clock_ns(CLOCK_REALTIME) -
				 clock_ns(CLOCK_MONOTONIC));
	ret = qhost_slot_add(h, &s, (const struct qcap_insn *)c->filt.insn,
			     c->filt.len,
			     c->kind == CAPTURE_DUMP ? capture_rec : NULL, c);
	if (ret < 0)
		return ret;
	c->slot = ret;
	c->host = h;
	c->loop = loop;
	c->kdirs = kd;
	uloop_timer_init(&c->tick, capture_tick);
	uloop_timer_arm_in(loop, &c->tick, CAPTURE_TICK_NS, CAPTURE_TICK_NS);
	return 0;
}

/**
 * capture_attach_tc() - load TC programs for the object on a tap or bridge
 * port: frames the interface receives are the netdev's rx (guest to host),
 * frames it sends are its tx
 * @c:		the object (not attached yet)
 * @loop:	loop that drains the ring (this thread's)
 * @ifindex:	the interface
 * @pins:	pin directory (NULL: no pins); pins are qnet_<netdev>_<id>_*
 *
 * On failure the object keeps running in user space: the caller warns.
 *
 * Return: 0; -EPERM without CAP_BPF/CAP_NET_ADMIN; -ENODEV; -EALREADY;
 * -EOPNOTSUPP without tcx; -errno.
 */
int capture_attach_tc(struct capture *c, struct uloop *loop, int ifindex,
		      const struct bpfpin *pins)
{
	unsigned int dirs = queue_dirs(c->queue), hooks = 0;
	char pin_id[BPFPIN_NAME_MAX * 2 + 2];
	int ret;

	if (c->host)
		return -EALREADY;
	if (dirs & (1u << CAPTURE_RX))
		hooks |= QCAP_HOOK_IN;
	if (dirs & (1u << CAPTURE_TX))
		hooks |= QCAP_HOOK_OUT;
	c->tc = calloc(1, sizeof(*c->tc));
	if (!c->tc)
		return -ENOMEM;
	snprintf(pin_id, sizeof(pin_id), "%s_%s", c->netdev, c->id);
	pin_id[sizeof(c->tc->pin_id) - 1] = 0;
	ret = tc_cap_open(c->tc, ifindex, hooks, 0, pins, pin_id);
	if (!ret) {
		ret = capture_attach_host(c, loop, &c->tc->host, QCAP_HOOK_IN,
					  QCAP_HOOK_OUT);
		if (ret)
			tc_cap_close(c->tc);
	}
	if (ret) {
		free(c->tc);
		c->tc = NULL;
	}
	return ret;
}

/**
 * capture_detach_kernel() - give the kernel slot back (user space takes over)
 * @c:		the object (not attached: nothing happens)
 *
 * Records already in the ring are written first.
 */
void capture_detach_kernel(struct capture *c)
{
	if (!c->host)
		return;
	uloop_timer_cancel(c->loop, &c->tick);
	qhost_slot_del(c->host, (unsigned int)c->slot);
	if (c->kbuf.buf)
		pcapw_flush(&c->kbuf);
	if (c->tc) {
		tc_cap_close(c->tc);
		free(c->tc);
		c->tc = NULL;
	}
	pcapw_buf_fini(&c->kbuf);
	c->host = NULL;
	c->slot = -1;
	c->kdirs = 0;
	c->loop = NULL;
}

/**
 * capture_kernel_dirs() - directions a kernel program handles
 * @c:		the object
 *
 * Return: bit per enum capture_dir.
 */
unsigned int capture_kernel_dirs(const struct capture *c)
{
	return c->kdirs;
}

/* One frame through the object in user space; true: drop it. */
static bool capture_user_one(struct capture *c, struct capture_uq *q,
			     const struct frame *f, uint64_t ts)
{
	uint32_t m = pcapf_run(&c->filt, f->data, f->len), caplen;

	if (c->kind == CAPTURE_ALLOW) {
		if (m) {
			CAP_ADD(q->matched, 1);
			return false;
		}
		CAP_ADD(q->dropped, 1);
		return true;
	}
	if (!m)
		return false;
	CAP_ADD(q->matched, 1);
	if (c->kind == CAPTURE_DROP) {
		CAP_ADD(q->dropped, 1);
		return true;
	}
	caplen = f->len < c->maxlen ? f->len : c->maxlen;
	if (caplen > m)
		caplen = m;
	if (pcapw_add(&q->buf, ts, f->data, caplen, f->len)) {
		capture_fail(c, atomic_load(&c->pf.err), false);
	} else {
		CAP_ADD(q->copied, 1);
		CAP_ADD(q->bytes, caplen);
	}
	return false;
}

/**
 * capture_uq_flush() - write a queue's buffer (its lock held)
 * @c:		the object
 * @q:		the queue's state
 *
 * Return: 0, or the write error, which stops the capture for good.
 */
static int capture_uq_flush(struct capture *c, struct capture_uq *q)
{
	int err = pcapw_flush(&q->buf);

	capture_fail(c, err, false);
	return err;
}

/**
 * capture_user_run() - pass a batch of frames through the object in user space
 * @c:		the object
 * @dir:	their direction
 * @queue:	their queue (any thread: the queue's mutex is taken once)
 * @f:		the frames
 * @n:		how many (at most 64)
 *
 * Does nothing for a direction the object does not select or a kernel
 * program already handles. No system call except one write() when the
 * queue's buffer is full or older than 100 ms.
 *
 * Return: bit i set: frame i must be dropped (drop/allow filters).
 */
uint64_t capture_user_run(struct capture *c, enum capture_dir dir,
			  unsigned int queue, struct frame *const *f,
			  unsigned int n)
{
	struct capture_uq *q;
	uint64_t drop = 0, ts;
	unsigned int i;

	if (dir >= CAPTURE_DIR_COUNT || !(queue_dirs(c->queue) & (1u << dir)) ||
	    (c->kdirs & (1u << dir)) || queue >= c->nqueues || !n)
		return 0;
	if (n > 64)
		n = 64;
	q = &c->uq[queue];
	pthread_mutex_lock(&q->lock);
	CAP_ADD(q->seen, n);
	if (!atomic_load_explicit(&c->status, memory_order_relaxed) ||
	    atomic_load_explicit(&c->error, memory_order_relaxed))
		goto out;
	ts = c->kind == CAPTURE_DUMP ? clock_ns(CLOCK_REALTIME) : 0;
	for (i = 0; i < n; i++)
		if (capture_user_one(c, q, f[i], ts))
			drop |= 1ull << i;
	if (q->buf.nrec && pcapw_now_mono() - q->buf.oldest_ns > CAPTURE_FLUSH_NS)
		capture_uq_flush(c, q);
out:
	pthread_mutex_unlock(&q->lock);
	return drop;
}

/**
 * capture_user_flush() - write what a queue buffered (any thread)
 * @c:		the object
 * @queue:	the queue
 *
 * Return: 0, or the error that stopped the capture.
 */
int capture_user_flush(struct capture *c, unsigned int queue)
{
	struct capture_uq *q;
	int err;

	if (queue >= c->nqueues || !c->uq[queue].buf.buf)
		return 0;
	q = &c->uq[queue];
	pthread_mutex_lock(&q->lock);
	err = capture_uq_flush(c, q);
	pthread_mutex_unlock(&q->lock);
	return err;
}

/**
 * capture_set_status() - QEMU's status=on|off, at run time
 * @c:		the object
 * @on:		true: running
 *
 * Return: 0, -EIO when a write error stopped the capture for good, -errno.
 */
int capture_set_status(struct capture *c, bool on)
{
	atomic_store(&c->status, on);
	if (on && atomic_load(&c->error))
		return -EIO;
	if (c->host)
		return qhost_slot_status(c->host, (unsigned int)c->slot, on);
	return 0;
}

/**
 * capture_get_status() - whether the object runs
 * @c:		the object
 *
 * Return: its status=.
 */
bool capture_get_status(const struct capture *c)
{
	return atomic_load((atomic_bool *)&c->status);
}

/**
 * capture_stats() - counters, kernel and user space together
 * @c:		the object
 * @out:	result
 *
 * Return: 0, or -errno from reading the kernel counters (user-space ones
 * are filled in anyway).
 */
int capture_stats(const struct capture *c, struct capture_stats *out)
{
	struct qcap_stats k = {};
	unsigned int q;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (c->host)
		err = qhost_slot_stats(c->host, (unsigned int)c->slot, &k);
	out->seen = k.seen;
	out->matched = k.matched;
	out->copied = k.copied;
	out->ring_full = k.ring_full;
	out->dropped = k.dropped;
	out->bytes = k.bytes;
	for (q = 0; q < c->nqueues; q++) {
		const struct capture_uq *u = &c->uq[q];

		out->seen += CAP_GET(u->seen);
		out->matched += CAP_GET(u->matched);
		out->copied += CAP_GET(u->copied);
		out->dropped += CAP_GET(u->dropped);
		out->bytes += CAP_GET(u->bytes);
	}
	if (c->kind == CAPTURE_DUMP) {
		out->written = atomic_load((atomic_uint_fast64_t *)&c->pf.records);
		out->lost = atomic_load((atomic_uint_fast64_t *)&c->pf.lost);
	}
	out->error = atomic_load((atomic_int *)&c->error);
	out->kernel_dirs = c->kdirs;
	return err;
}

/**
 * capture_kind() - what the object does
 * @c:		the object
 *
 * Return: its enum capture_kind.
 */
enum capture_kind capture_kind(const struct capture *c)
{
	return c->kind;
}

/**
 * capture_id() - the object's id
 * @c:		the object
 *
 * Return: the id.
 */
const char *capture_id(const struct capture *c)
{
	return c->id;
}
