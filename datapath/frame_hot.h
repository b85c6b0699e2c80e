/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frame_hot.h: inline frame references and batch helpers for the hot path. */
#ifndef QNET_DATAPATH_FRAME_HOT_H
#define QNET_DATAPATH_FRAME_HOT_H

#include <assert.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>
#include "datapath/frame.h"

/*
 * References are plain integers: a frame lives on one worker (it moves
 * within one queue pair), so no atomics are needed.  See docs/datapath.md.
 */

/**
 * frame_get() - take one more reference to a frame
 * @f:	the frame
 *
 * Return: @f, for chaining.
 */
static inline struct frame *frame_get(struct frame *f)
{
	assert(f->refs > 0);
	f->refs++;
	return f;
}

/**
 * frame_put() - drop one reference; release through the owner on the last
 * @f:	the frame
 *
 * The owner's release hook runs exactly once, when the count reaches zero.
 */
static inline void frame_put(struct frame *f)
{
	assert(f->refs > 0);
	if (--f->refs == 0 && f->owner)
		f->owner->release(f);
}

/**
 * frame_put_n() - drop one reference on each of @n frames
 * @f:	the frames
 * @n:	how many
 */
static inline void frame_put_n(struct frame **f, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		frame_put(f[i]);
}

/**
 * frame_bytes() - total length of @n frames
 * @f:	the frames
 * @n:	how many
 *
 * Return: the sum of their @len.
 */
static inline uint64_t frame_bytes(struct frame *const *f, unsigned int n)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += f[i]->len;
	return sum;
}

/**
 * frame_head() - bytes of a frame that lie together at its @data
 * @f:	the frame
 *
 * Return: @f->len, or the first piece's length for a scattered frame.
 */
static inline uint32_t frame_head(const struct frame *f)
{
	return f->niov ? (uint32_t)f->iov[0].iov_len : f->len;
}

/**
 * frame_copy_out() - copy a frame's bytes (all its pieces) to @dst
 * @f:		the frame
 * @dst:	@f->len bytes of room
 */
static inline void frame_copy_out(const struct frame *f, void *dst)
{
	uint8_t *d = dst;
	unsigned int i;

	if (!f->niov) {
		memcpy(d, f->data, f->len);
		return;
	}
	for (i = 0; i < f->niov; i++) {
		memcpy(d, f->iov[i].iov_base, f->iov[i].iov_len);
		d += f->iov[i].iov_len;
	}
}

/**
 * frame_batch_init() - empty a batch
 * @b:	the batch
 */
static inline void frame_batch_init(struct frame_batch *b)
{
	b->n = 0;
}

/**
 * frame_batch_full() - whether a batch has room for no more frames
 * @b:	the batch
 *
 * Return: true when @b holds FRAME_BATCH_MAX frames.
 */
static inline bool frame_batch_full(const struct frame_batch *b)
{
	return b->n >= FRAME_BATCH_MAX;
}

/**
 * frame_batch_add() - append a frame (the batch takes over the caller's
 * reference)
 * @b:	the batch
 * @f:	the frame
 *
 * Return: true if added, false if the batch is full (nothing changed).
 */
static inline bool frame_batch_add(struct frame_batch *b, struct frame *f)
{
	if (b->n >= FRAME_BATCH_MAX)
		return false;
	b->f[b->n++] = f;
	return true;
}

/**
 * frame_batch_consume() - remove the first @n frames, keeping the rest in
 * order at the front (typically after port_send() took @n)
 * @b:	the batch
 * @n:	frames to remove (at most @b->n); their references are not touched
 */
static inline void frame_batch_consume(struct frame_batch *b, unsigned int n)
{
	assert(n <= b->n);
	if (n == 0)
		return;
	b->n -= n;
	if (b->n)
		memmove(b->f, b->f + n, b->n * sizeof(b->f[0]));
}

/**
 * frame_batch_put() - drop the batch's reference on every frame and empty it
 * @b:	the batch
 */
static inline void frame_batch_put(struct frame_batch *b)
{
	frame_put_n(b->f, b->n);
	b->n = 0;
}

#endif /* QNET_DATAPATH_FRAME_HOT_H */
