// SPDX-License-Identifier: GPL-2.0-or-later
/* ubufring: buffer rings with exactly-once recycling, multishot receivers. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "datapath/uring/ubufring.h"
#include "datapath/uring/uloop_emu.h"
#include "datapath/uring/uloop_int.h"

static bool bit_test(const uint64_t *map, unsigned int i)
{
	return map[i / 64] & (1ull << (i % 64));
}

static void bit_set(uint64_t *map, unsigned int i)
{
	map[i / 64] |= 1ull << (i % 64);
}

static void bit_clear(uint64_t *map, unsigned int i)
{
	map[i / 64] &= ~(1ull << (i % 64));
}

static void rx_arm(struct uloop *loop, struct ubufring_rx *rx);

/**
 * ubufring_buf() - where the kernel writes buffer @bid's data
 * @br:  the ring
 * @bid: buffer id
 *
 * Return: the data area (br->buf_size bytes, after br->headroom bytes).
 */
void *ubufring_buf(const struct ubufring *br, unsigned int bid)
{
	return br->mem + (size_t)bid * br->stride + br->headroom;
}

/**
 * ubufring_avail() - buffers the kernel may fill
 * @br: the ring
 *
 * Return: buffers in the ring, published or about to be.
 */
unsigned int ubufring_avail(const struct ubufring *br)
{
	return br->kernel_bufs;
}

/**
 * ubufring_publish() - make recycled buffers visible to the kernel now
 * @br: the ring
 *
 * Also re-arms receivers parked on -ENOBUFS once buffers are available.
 * The loop calls this before each wait; call it directly to publish early.
 */
void ubufring_publish(struct ubufring *br)
{
	struct ubufring_rx *rx, *next;

	if (br->pending) {
		io_uring_buf_ring_advance(br->ring, (int)br->pending);
		br->pending = 0;
		br->stats.published++;
	}
	if (!br->starved || !br->kernel_bufs)
		return;
	rx = br->starved;
	br->starved = NULL;
	for (; rx; rx = next) {
		next = rx->next_starved;
		rx->next_starved = NULL;
		rx->starved = false;
		rx->stats.rearms++;
		br->loop->stats.rearms++;
		rx_arm(br->loop, rx);
	}
}

/**
 * ubufring_recycle() - give a buffer back to the kernel
 * @br:  the ring
 * @bid: a buffer the caller owns
 *
 * Return: 0, -EINVAL for a bad id, -EALREADY when the buffer is already in
 * the ring (a double recycle, refused and counted).
 */
int ubufring_recycle(struct ubufring *br, unsigned int bid)
{
	if (bid >= br->nbufs)
		return -EINVAL;
	if (bit_test(br->in_ring, bid)) {
		br->stats.double_recycle++;
		return -EALREADY;
	}
	bit_set(br->in_ring, bid);
	io_uring_buf_ring_add(br->ring, ubufring_buf(br, bid), br->buf_size,
			      (unsigned short)bid, (int)br->mask,
			      (int)br->pending);
	br->pending++;
	br->kernel_bufs++;
	br->stats.recycled++;
	if (br->pending >= UBUFRING_PUBLISH_BATCH)
		ubufring_publish(br);
	return 0;
}

/* A completion handed us buffer @bid: take it out of the ring's set. */
static int bufring_take(struct ubufring *br, unsigned int bid)
{
	if (bid >= br->nbufs || !bit_test(br->in_ring, bid)) {
		br->stats.stale++;
		return -EINVAL;
	}
	bit_clear(br->in_ring, bid);
	br->kernel_bufs--;
	return 0;
}

static void bufring_hook(struct uloop *loop, struct uloop_hook *h)
{
	ubufring_publish(ULOOP_CONTAINER_OF(h, struct ubufring, hook));
}

/* Check @cfg and copy the geometry into @br. */
static int bufring_geometry(struct ubufring *br,
			    const struct ubufring_config *cfg)
{
	unsigned int n = cfg->nbufs;

	if (!n || n > UBUFRING_MAX_BUFS || (n & (n - 1)) || !cfg->buf_size ||
	    cfg->buf_size > UINT32_MAX - cfg->headroom)
		return -EINVAL;
	br->nbufs = n;
	br->mask = n - 1;
	br->bgid = cfg->bgid;
	br->buf_size = cfg->buf_size;
	br->headroom = cfg->headroom;
	br->stride = cfg->stride ? cfg->stride : cfg->headroom + cfg->buf_size;
	if (br->stride < cfg->headroom + cfg->buf_size)
		return -EINVAL;
	return 0;
}

/* Map the ring entries and, unless the caller has them, the buffers. */
static int bufring_map(struct ubufring *br, void *mem)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	br->ring_bytes = (br->nbufs * sizeof(struct io_uring_buf) + page - 1) &
			 ~(page - 1);
	br->ring = mmap(NULL, br->ring_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (br->ring == MAP_FAILED) {
		br->ring = NULL;
		return -errno;
	}
	br->mem = mem;
	if (mem)
		return 0;
	br->mem_bytes = (size_t)br->nbufs * br->stride;
	br->mem = mmap(NULL, br->mem_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (br->mem == MAP_FAILED) {
		munmap(br->ring, br->ring_bytes);
		br->ring = NULL;
		return -errno;
	}
	br->own_mem = true;
	return 0;
}

/**
 * ubufring_init() - create and register a buffer ring, all buffers in it
 * @br:   storage
 * @loop: the loop (its thread)
 * @cfg:  group id, geometry and memory
 *
 * Return: 0, -EOPNOTSUPP without kernel buffer rings, -EINVAL, -ENOMEM,
 * -EEXIST for a group id in use, or -errno.
 */
int ubufring_init(struct ubufring *br, struct uloop *loop,
		  const struct ubufring_config *cfg)
{
	struct io_uring_buf_reg reg;
	unsigned int i;
	int ret;

	memset(br, 0, sizeof(*br));
	if (!(loop->features & ULOOP_F_BUF_RING))
		return -EOPNOTSUPP;
	ret = bufring_geometry(br, cfg);
	if (ret)
		return ret;
	br->loop = loop;
	ret = bufring_map(br, cfg->mem);
	if (ret)
		return ret;
	br->in_ring = calloc((br->nbufs + 63) / 64, sizeof(uint64_t));
	if (!br->in_ring) {
		ret = -ENOMEM;
		goto err_map;
	}
	io_uring_buf_ring_init(br->ring);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)br->ring;
	reg.ring_entries = br->nbufs;
	reg.bgid = br->bgid;
	ret = loop->emu ? uloop_emu_buf_ring(loop, br->bgid, br->ring, br->nbufs)
			: io_uring_register_buf_ring(&loop->ring, &reg, 0);
	if (ret)
		goto err_bitmap;
	for (i = 0; i < br->nbufs; i++)
		ubufring_recycle(br, i);
	ubufring_publish(br);
	br->stats.recycled = 0;
	br->hook.fn = bufring_hook;
	uloop_hook_add(loop, &br->hook);
	return 0;

err_bitmap:
	free(br->in_ring);
err_map:
	if (br->own_mem)
		munmap(br->mem, br->mem_bytes);
	munmap(br->ring, br->ring_bytes);
	br->ring = NULL;
	return ret;
}

/**
 * ubufring_fini() - unregister and free a buffer ring
 * @br: a ring whose receivers are stopped and idle
 */
void ubufring_fini(struct ubufring *br)
{
	if (!br->ring)
		return;
	uloop_hook_del(br->loop, &br->hook);
	if (br->loop->emu || br->loop->ring.ring_fd < 0)
		uloop_emu_buf_ring_del(br->loop, br->bgid);
	else
		io_uring_unregister_buf_ring(&br->loop->ring, br->bgid);
	free(br->in_ring);
	if (br->own_mem)
		munmap(br->mem, br->mem_bytes);
	munmap(br->ring, br->ring_bytes);
	br->ring = NULL;
}

/* --- receivers ------------------------------------------------------------ */

static void rx_retry(struct uloop *loop, struct uloop_op *op);

/* Queue the async cancel of a stopped receiver's request. */
static void rx_cancel(struct uloop *loop, struct ubufring_rx *rx)
{
	struct io_uring_sqe *sqe;

	if (rx->cancelling)
		return;
	sqe = uloop_sqe_get(loop);
	if (!sqe) {
		uloop_op_defer(loop, &rx->op, rx_retry);
		return;
	}
	io_uring_prep_cancel(sqe, &rx->op, IORING_ASYNC_CANCEL_ALL);
	uloop_sqe_bind(loop, sqe, NULL);
	rx->cancelling = true;
}

/* Queue the multishot request (recv, or read multishot opcode 49). */
static void rx_arm(struct uloop *loop, struct ubufring_rx *rx)
{
	struct io_uring_sqe *sqe = uloop_sqe_get(loop);

	if (!sqe) {
		uloop_op_defer(loop, &rx->op, rx_retry);
		return;
	}
	if (rx->kind == UBUFRING_RX_RECV) {
		io_uring_prep_recv_multishot(sqe, rx->fd, NULL, 0, 0);
		if (rx->poll_first)
			sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
	} else {
		/* liburing 2.3 has no helper; addr and len must be 0 */
		io_uring_prep_rw(ULOOP_OP_READ_MULTISHOT, sqe, rx->fd, NULL, 0,
				 0);
	}
	sqe->flags |= IOSQE_BUFFER_SELECT;
	if (rx->flags & UBUFRING_RX_FIXED_FILE)
		sqe->flags |= IOSQE_FIXED_FILE;
	sqe->buf_group = rx->br->bgid;
	uloop_sqe_bind(loop, sqe, &rx->op);
}

static void rx_retry(struct uloop *loop, struct uloop_op *op)
{
	struct ubufring_rx *rx = ULOOP_CONTAINER_OF(op, struct ubufring_rx, op);

	if (rx->active && !rx->op.inflight && !rx->starved)
		rx_arm(loop, rx);
	else if (!rx->active && rx->op.inflight)
		rx_cancel(loop, rx);
}

/* Take @rx off its ring's starved list. */
static void rx_unstarve(struct ubufring_rx *rx)
{
	struct ubufring_rx **pp;

	if (!rx->starved)
		return;
	for (pp = &rx->br->starved; *pp; pp = &(*pp)->next_starved) {
		if (*pp == rx) {
			*pp = rx->next_starved;
			break;
		}
	}
	rx->next_starved = NULL;
	rx->starved = false;
}

static void rx_release(struct uloop *loop, struct ubufring_rx *rx)
{
	uloop_op_undefer(loop, &rx->op);
	if (rx->release)
		rx->release(loop, rx);
}

static void rx_rearm(struct uloop *loop, struct ubufring_rx *rx)
{
	rx->stats.rearms++;
	loop->stats.rearms++;
	rx_arm(loop, rx);
}

/**
 * rx_finished() - the kernel ended the receiver's request
 * @loop: the loop
 * @rx:   the receiver (op.inflight is 0)
 * @res:  the final result
 *
 * Re-arms after -ENOBUFS (at once when buffers are back, else when they
 * are published), after a data completion without IORING_CQE_F_MORE (CQ
 * overflow and the like), and after a bounded run of -EAGAIN; ends the
 * receiver on EOF and on other errors.
 */
static void rx_finished(struct uloop *loop, struct ubufring_rx *rx, int res)
{
	struct ubufring *br = rx->br;

	rx->cancelling = false;
	if (!rx->active) {
		rx_release(loop, rx);
		return;
	}
	if (res == -ENOBUFS) {
		rx->stats.enobufs++;
		ubufring_publish(br);
		if (br->kernel_bufs) {
			rx_rearm(loop, rx);
		} else {
			rx->starved = true;
			rx->next_starved = br->starved;
			br->starved = rx;
		}
		return;
	}
	if (res > 0) {
		rx_rearm(loop, rx);
		return;
	}
	if ((res == -EAGAIN || res == -EINTR) &&
	    ++rx->eagain_run <= UBUFRING_EAGAIN_MAX) {
		rx->stats.eagain++;
		rx->poll_first = true;
		rx_rearm(loop, rx);
		return;
	}
	rx->active = false;
	rx->cb(loop, rx, res, NULL, 0);
}

/**
 * rx_complete() - CQE of a receiver's multishot request
 * @loop:      the loop
 * @op:        &rx->op
 * @res:       bytes, 0 at EOF, or -errno
 * @cqe_flags: IORING_CQE_F_BUFFER with the bid in the upper 16 bits,
 *             IORING_CQE_F_MORE while the request lives on
 */
static void rx_complete(struct uloop *loop, struct uloop_op *op, int res,
			uint32_t cqe_flags)
{
	struct ubufring_rx *rx = ULOOP_CONTAINER_OF(op, struct ubufring_rx, op);
	unsigned int bid = cqe_flags >> IORING_CQE_BUFFER_SHIFT;
	bool has_buf = false;

	if (cqe_flags & IORING_CQE_F_BUFFER)
		has_buf = bufring_take(rx->br, bid) == 0;
	if (res > 0 && has_buf && rx->active) {
		rx->stats.frames++;
		rx->stats.bytes += (uint64_t)res;
		rx->eagain_run = 0;
		rx->poll_first = false;
		rx->dispatching = true;
		rx->cb(loop, rx, res, ubufring_buf(rx->br, bid), bid);
		rx->dispatching = false;
	} else if (has_buf) {
		ubufring_recycle(rx->br, bid);
	}
	if (cqe_flags & IORING_CQE_F_MORE)
		return;
	rx_finished(loop, rx, res);
}

/**
 * ubufring_rx_init() - prepare a receiver
 * @rx: storage, embedded in the caller's object
 * @cb: data and end callback (see struct ubufring_rx)
 */
void ubufring_rx_init(struct ubufring_rx *rx,
		      void (*cb)(struct uloop *loop, struct ubufring_rx *rx,
				 int res, void *buf, unsigned int bid))
{
	memset(rx, 0, sizeof(*rx));
	uloop_op_init(&rx->op, rx_complete);
	rx->cb = cb;
}

/**
 * ubufring_rx_start() - start receiving into @br
 * @rx:    an idle receiver
 * @br:    the buffer ring
 * @kind:  UBUFRING_RX_RECV for sockets, UBUFRING_RX_READ for tap, pipes,
 *         eventfds (any pollable fd)
 * @fd:    fd, or a registered slot with UBUFRING_RX_FIXED_FILE
 * @flags: UBUFRING_RX_*
 *
 * A datagram or frame longer than the buffer size is truncated to it.
 *
 * Return: 0, -EOPNOTSUPP when the kernel lacks the multishot kind,
 * -EBUSY when @rx is not idle, -EINVAL.
 */
int ubufring_rx_start(struct ubufring_rx *rx, struct ubufring *br,
		      enum ubufring_rx_kind kind, int fd, uint32_t flags)
{
	unsigned int need;

	if (kind >= UBUFRING_RX_COUNT)
		return -EINVAL;
	need = kind == UBUFRING_RX_RECV ? ULOOP_F_RECV_MULTISHOT
					: ULOOP_F_READ_MULTISHOT;
	if (!(br->loop->features & need))
		return -EOPNOTSUPP;
	if (rx->active || ubufring_rx_busy(rx))
		return -EBUSY;
	rx->br = br;
	rx->kind = kind;
	rx->fd = fd;
	rx->flags = flags;
	rx->eagain_run = 0;
	rx->poll_first = false;
	rx->cancelling = false;
	rx->active = true;
	rx_arm(br->loop, rx);
	return 0;
}

/**
 * ubufring_rx_stop() - stop a receiver; safe inside any callback
 * @rx: the receiver
 *
 * No data callback runs after this; buffers of completions still in flight
 * go back to the ring. ->release runs once the request has ended.
 *
 * Return: 0, or -EALREADY when @rx was not running.
 */
int ubufring_rx_stop(struct ubufring_rx *rx)
{
	struct uloop *loop = rx->br->loop;

	if (!rx->active)
		return -EALREADY;
	rx->active = false;
	rx_unstarve(rx);
	uloop_op_undefer(loop, &rx->op);
	if (rx->op.inflight)
		rx_cancel(loop, rx);
	else if (!rx->dispatching)
		rx_release(loop, rx);
	return 0;
}

/**
 * ubufring_rx_busy() - does the kernel (or the retry list) still hold @rx?
 * @rx: the receiver
 *
 * Return: true while @rx's memory must stay valid.
 */
bool ubufring_rx_busy(const struct ubufring_rx *rx)
{
	return uloop_op_busy(&rx->op);
}
