/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ubufring: provided-buffer rings and multishot recv/read receivers. */
#ifndef QNET_URING_UBUFRING_H
#define QNET_URING_UBUFRING_H

#include "datapath/uring/uloop.h"

/**
 * DOC: ubufring
 *
 * A struct ubufring is a kernel buffer ring (IORING_REGISTER_PBUF_RING) of
 * nbufs equal buffers, identified by a buffer id (bid) in [0, nbufs), laid
 * out at a fixed stride in one memory area (its own, or the caller's).
 * Multishot receivers (struct ubufring_rx) let the kernel pick a buffer per
 * completion: the callback gets the buffer and owns it until it calls
 * ubufring_recycle() (at once, or later when the frame has moved on).
 *
 * Ownership is tracked per buffer: a buffer is either in the ring (kernel)
 * or with the caller. ubufring_recycle() of a buffer already in the ring is
 * refused (-EALREADY, counted), and a completion naming a buffer that is not
 * in the ring is dropped (counted as stale): every buffer goes back exactly
 * once. Buffers that arrive on a completion nobody will consume (receiver
 * stopped, zero-length or error result) are recycled by the ring itself.
 *
 * Recycling is batched: ubufring_recycle() only writes the ring entry; the
 * tail moves (one release store) every UBUFRING_PUBLISH_BATCH buffers and
 * before every wait of the loop.
 *
 * When the ring runs dry the kernel ends the receiver's multishot request
 * with -ENOBUFS; the data stays queued in the socket/pipe/tap. The receiver
 * is then parked, and re-armed as soon as buffers are published again: no
 * re-arm loop while the ring is empty.
 */

#define UBUFRING_MAX_BUFS      32768
#define UBUFRING_PUBLISH_BATCH 32
/* Consecutive -EAGAIN ends tolerated before a receiver reports -EAGAIN. */
#define UBUFRING_EAGAIN_MAX 8

struct ubufring_rx;

/**
 * struct ubufring_config - what ubufring_init() builds
 * @bgid:     buffer group id, unique per loop
 * @nbufs:    number of buffers, a power of two <= UBUFRING_MAX_BUFS
 * @buf_size: bytes the kernel may write per buffer
 * @stride:   distance between buffers in @mem (0: @headroom + @buf_size)
 * @headroom: bytes kept free in front of each buffer's data (e.g. for a
 *            header the frame path prepends later)
 * @mem:      @nbufs * @stride bytes of caller memory (a frame pool's buffer
 *            area, buffer i at @mem + i * @stride), or NULL to map it here
 */
struct ubufring_config {
	uint16_t bgid;
	unsigned int nbufs;
	unsigned int buf_size;
	unsigned int stride;
	unsigned int headroom;
	void *mem;
};

/**
 * struct ubufring_stats - buffer ring counters
 * @recycled:       buffers given back after the initial fill
 * @double_recycle: ubufring_recycle() calls refused (buffer already in ring)
 * @stale:          completions naming a buffer that was not in the ring
 * @published:      tail updates
 */
struct ubufring_stats {
	uint64_t recycled;
	uint64_t double_recycle;
	uint64_t stale;
	uint64_t published;
};

/**
 * struct ubufring - one provided-buffer ring (buffer group @bgid)
 *
 * All fields are owned by the ubufring_* functions; read the counters
 * through @stats.
 */
struct ubufring {
	struct uloop *loop;
	struct io_uring_buf_ring *ring;
	size_t ring_bytes;
	uint8_t *mem;
	size_t mem_bytes;
	bool own_mem;
	unsigned int buf_size;
	unsigned int stride;
	unsigned int headroom;
	unsigned int nbufs;
	unsigned int mask;
	uint16_t bgid;
	unsigned int pending;
	unsigned int kernel_bufs;
	uint64_t *in_ring;
	struct ubufring_rx *starved;
	struct uloop_hook hook;
	struct ubufring_stats stats;
};

/* What a receiver runs. */
enum ubufring_rx_kind {
	UBUFRING_RX_RECV, /* multishot recv: sockets */
	UBUFRING_RX_READ, /* multishot read (opcode 49): tap, pipe, eventfd */
	UBUFRING_RX_COUNT
};

/* ubufring_rx_start() flags */
#define UBUFRING_RX_FIXED_FILE (1u << 0) /* fd is a registered file slot */

/**
 * struct ubufring_rx_stats - receiver counters
 * @frames:  completions delivered with data
 * @bytes:   bytes delivered
 * @rearms:  multishot requests re-armed after the kernel ended them
 * @enobufs: times the ring ran dry (-ENOBUFS)
 * @eagain:  -EAGAIN ends re-armed
 */
struct ubufring_rx_stats {
	uint64_t frames;
	uint64_t bytes;
	uint64_t rearms;
	uint64_t enobufs;
	uint64_t eagain;
};

/**
 * struct ubufring_rx - a multishot receiver feeding from a buffer ring
 * @op:      the kernel request
 * @cb:      data: @res > 0 bytes in @buf (buffer @bid, now the caller's:
 *           give it back with ubufring_recycle()); end: @res == 0 (EOF) or
 *           -errno, @buf NULL, and the receiver is idle (its memory may be
 *           freed or restarted from inside this call)
 * @release: optional; after ubufring_rx_stop(), called once the kernel has
 *           let go of the request (possibly inside ubufring_rx_stop())
 *
 * The other fields are owned by the ubufring_rx_* functions.
 */
struct ubufring_rx {
	struct uloop_op op;
	void (*cb)(struct uloop *loop, struct ubufring_rx *rx, int res,
		   void *buf, unsigned int bid);
	void (*release)(struct uloop *loop, struct ubufring_rx *rx);
	struct ubufring *br;
	struct ubufring_rx *next_starved;
	int fd;
	enum ubufring_rx_kind kind;
	uint32_t flags;
	uint32_t eagain_run;
	bool active;
	bool starved;
	bool cancelling;
	bool dispatching;
	bool poll_first;
	struct ubufring_rx_stats stats;
};

int ubufring_init(struct ubufring *br, struct uloop *loop,
		  const struct ubufring_config *cfg);
void ubufring_fini(struct ubufring *br);
void *ubufring_buf(const struct ubufring *br, unsigned int bid);
int ubufring_recycle(struct ubufring *br, unsigned int bid);
void ubufring_publish(struct ubufring *br);
unsigned int ubufring_avail(const struct ubufring *br);

void ubufring_rx_init(struct ubufring_rx *rx,
		      void (*cb)(struct uloop *loop, struct ubufring_rx *rx,
				 int res, void *buf, unsigned int bid));
int ubufring_rx_start(struct ubufring_rx *rx, struct ubufring *br,
		      enum ubufring_rx_kind kind, int fd, uint32_t flags);
int ubufring_rx_stop(struct ubufring_rx *rx);
bool ubufring_rx_busy(const struct ubufring_rx *rx);

#endif /* QNET_URING_UBUFRING_H */
