// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_rx.c: tap receive: multishot read into a provided-buffer ring -> frames -> port_send. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backends/tap_int.h"
#include "datapath/frame_hot.h"

/*
 * DOC: tap receive path
 *
 * One multishot read (IORING_OP_READ_MULTISHOT) per queue fills buffers of
 * a provided-buffer ring, one frame per completion: [virtio-net header]
 * [frame]. Buffer i is described by frame i (sized at setup), whose owner
 * gives the buffer back to the ring when its last reference drops, so the
 * peer may keep a frame as long as it needs (zero copy up to the peer).
 *
 * Frames join a FIFO as large as the ring and go to the peer in batches of
 * up to FRAME_BATCH_MAX from the completion handler and from the loop's
 * per-iteration hook. A peer that takes fewer holds the tap: frames wait in
 * the FIFO (they are the ring's buffers, so nothing else is needed), the
 * ring runs dry, the read ends with -ENOBUFS and is re-armed once buffers
 * come back; meanwhile the kernel queues and, past txqueuelen, drops and
 * counts in the tap's own tx_dropped.
 *
 * Buffers are (header + FRAME_MAX_LEN) rounded to a page, so a 64 KiB GSO
 * frame fits; the mapping is not populated up front, and a 1500-byte frame
 * only ever touches the first page of its buffer.
 */

static void tap_rx_release(struct frame *f)
{
	struct tap_queue *q = TAP_CONTAINER_OF(f->owner, struct tap_queue,
					       rx_owner);

	q->rx_out--;
	if (q->br_ok)
		ubufring_recycle(&q->br, (unsigned int)f->cookie);
}

/* Append a frame to the FIFO (room is guaranteed: one frame per buffer). */
static void tap_rx_push(struct tap_queue *q, struct frame *f)
{
	unsigned int tail = (q->rx_head + q->rx_count) & (q->nbufs - 1);

	q->rx_pend[tail] = f;
	q->rx_count++;
}

/**
 * tap_rx_flush() - offer pending frames to the peer, a batch at a time
 * @q: the queue
 *
 * Stops when the FIFO is empty or the peer holds the tap; the frames the
 * peer took keep their own references, ours are dropped.
 */
void tap_rx_flush(struct tap_queue *q)
{
	struct port *p = &q->t->port;

	while (q->rx_count && !q->rx_held) {
		unsigned int n = q->rx_count, i, done;
		struct frame **f = &q->rx_pend[q->rx_head];

		if (n > q->nbufs - q->rx_head)
			n = q->nbufs - q->rx_head;
		if (n > FRAME_BATCH_MAX)
			n = FRAME_BATCH_MAX;
		done = port_send(p, q->idx, f, n, true);
		q->rx_head = (q->rx_head + done) & (q->nbufs - 1);
		q->rx_count -= done;
		for (i = 0; i < done; i++)
			frame_put(f[i]);
		if (done < n) {
			q->rx_held = true;
			q->stats.rx_held++;
		}
	}
	if (q->br_ok)
		ubufring_publish(&q->br);
}

/**
 * tap_rx_resume() - the peer can take frames again
 * @q: the queue
 */
void tap_rx_resume(struct tap_queue *q)
{
	q->rx_held = false;
	tap_rx_flush(q);
}

/* The multishot read ended (error, EOF, or stopped): see tap_carrier_event. */
static void tap_rx_ended(struct tap_queue *q, int res)
{
	if (!q->rx_on)
		return;
	q->rx_on = false;
	tap_carrier_event(q, res < 0 ? res : -EBADFD);
}

/**
 * tap_rx_cb() - one completion of the multishot read
 * @loop: the loop
 * @rx:   &q->rx
 * @res:  bytes read (header + frame), or the end (-errno, 0)
 * @buf:  the buffer, or NULL at the end
 * @bid:  its id
 */
static void tap_rx_cb(struct uloop *loop, struct ubufring_rx *rx, int res,
		      void *buf, unsigned int bid)
{
	struct tap_queue *q = TAP_CONTAINER_OF(rx, struct tap_queue, rx);
	uint32_t hdr = q->t->hdr_len;
	struct frame *f;

	if (!buf) {
		tap_rx_ended(q, res);
		return;
	}
	if ((uint32_t)res < hdr + FRAME_MIN_LEN) {
		port_count_drop(&q->t->port, q->idx, PORT_DROP_RUNT, 1);
		ubufring_recycle(&q->br, bid);
		return;
	}
	f = &q->rx_frames[bid];
	f->data = (uint8_t *)buf + hdr;
	f->len = (uint32_t)res - hdr;
	f->cap = q->rx_buf_size - hdr;
	f->refs = 1;
	f->has_vnet = 0;
	if (hdr) {
		memcpy(&f->vnet, buf, sizeof(f->vnet));
		f->vnet.num_buffers = 0;
		f->has_vnet = f->vnet.flags || f->vnet.gso_type;
	}
	q->rx_out++;
	q->stats.rx_frames++;
	q->stats.rx_bytes += f->len;
	tap_rx_push(q, f);
	if (q->rx_count >= FRAME_BATCH_MAX)
		tap_rx_flush(q);
}

/* Try buffer group ids until one is free on this loop. */
static int tap_rx_ring(struct tap_queue *q)
{
	struct ubufring_config cfg = {
		.nbufs = q->nbufs,
		.buf_size = q->rx_buf_size,
		.stride = q->rx_buf_size,
		.mem = q->rx_mem,
	};
	unsigned int i;
	int ret = -EEXIST;

	for (i = 0; i < 256 && ret == -EEXIST; i++) {
		cfg.bgid = (uint16_t)(TAP_BGID_BASE + i);
		ret = ubufring_init(&q->br, q->loop, &cfg);
	}
	return ret;
}

/**
 * tap_rx_setup() - size the receive side of a queue (in its loop's thread)
 * @q: the queue, with ->loop set
 *
 * Return: 0, -ENOMEM, or -errno from the buffer ring (-EOPNOTSUPP without
 * kernel buffer rings).
 */
int tap_rx_setup(struct tap_queue *q)
{
	unsigned int i;
	int ret;

	q->nbufs = q->t->rx_bufs;
	q->rx_buf_size = (q->t->hdr_len + FRAME_MAX_LEN + 4095) & ~4095u;
	q->rx_mem_size = (size_t)q->nbufs * q->rx_buf_size;
	q->rx_mem = mmap(NULL, q->rx_mem_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (q->rx_mem == MAP_FAILED)
		return -ENOMEM;
	q->rx_frames = calloc(q->nbufs, sizeof(*q->rx_frames));
	q->rx_pend = calloc(q->nbufs, sizeof(*q->rx_pend));
	ret = -ENOMEM;
	if (!q->rx_frames || !q->rx_pend)
		goto err_mem;
	q->rx_owner.release = tap_rx_release;
	for (i = 0; i < q->nbufs; i++) {
		q->rx_frames[i].owner = &q->rx_owner;
		q->rx_frames[i].cookie = i;
		q->rx_frames[i].queue = (uint16_t)q->idx;
	}
	ret = tap_rx_ring(q);
	if (ret)
		goto err_mem;
	q->br_ok = true;
	ubufring_rx_init(&q->rx, tap_rx_cb);
	return 0;

err_mem:
	free(q->rx_frames);
	free(q->rx_pend);
	q->rx_frames = NULL;
	q->rx_pend = NULL;
	munmap(q->rx_mem, q->rx_mem_size);
	q->rx_mem = NULL;
	return ret;
}

/**
 * tap_rx_start() - start (or restart) the multishot read
 * @q: the queue
 *
 * Nothing is started while the peer reads the queue itself (@q->direct).
 *
 * Return: 0, or -errno from ubufring_rx_start() (-EBUSY while the previous
 * read is still being cancelled).
 */
int tap_rx_start(struct tap_queue *q)
{
	int ret;

	if (q->rx_on || q->direct)	/* direct: the peer reads */
		return 0;
	ret = ubufring_rx_start(&q->rx, &q->br, UBUFRING_RX_READ, tap_io_fd(q),
				q->slot >= 0 ? UBUFRING_RX_FIXED_FILE : 0);
	if (ret == 0)
		q->rx_on = true;
	return ret;
}

/**
 * tap_rx_stop() - stop reading; frames not yet delivered are dropped
 * @q: the queue
 *
 * They are counted as no_peer on the tap's port (the netdev is going away).
 */
void tap_rx_stop(struct tap_queue *q)
{
	q->rx_on = false;
	if (q->br_ok)
		ubufring_rx_stop(&q->rx);
	if (q->rx_count)
		port_count_drop(&q->t->port, q->idx, PORT_DROP_NO_PEER,
				q->rx_count);
	while (q->rx_count) {
		struct frame *f = q->rx_pend[q->rx_head];

		q->rx_head = (q->rx_head + 1) & (q->nbufs - 1);
		q->rx_count--;
		frame_put(f);
	}
	q->rx_held = false;
}

/**
 * tap_rx_teardown() - free the receive side; the read must be idle and
 * every frame back (ubufring_rx_busy() false, rx_out 0)
 * @q: the queue
 */
void tap_rx_teardown(struct tap_queue *q)
{
	if (q->br_ok) {
		ubufring_fini(&q->br);
		q->br_ok = false;
	}
	free(q->rx_frames);
	free(q->rx_pend);
	q->rx_frames = NULL;
	q->rx_pend = NULL;
	if (q->rx_mem)
		munmap(q->rx_mem, q->rx_mem_size);
	q->rx_mem = NULL;
}
