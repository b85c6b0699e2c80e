/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pool.c: frame buffer pools sized at setup; frames release back to them. */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include "datapath/pool.h"

static_assert(sizeof(struct frame) <= 64, "a frame fits one cache line");
static_assert(POOL_BUF_MAX >= FRAME_MAX_LEN,
	      "a pool buffer can hold any frame");
static_assert(POOL_BUF_MAX % POOL_BUF_ALIGN == 0, "aligned largest buffer");
static_assert((POOL_BUF_ALIGN & (POOL_BUF_ALIGN - 1)) == 0, "power of two");
static_assert((uint64_t)POOL_MAX_FRAMES * (POOL_BUF_MAX + sizeof(struct frame) +
					   sizeof(struct frame *)) <=
		      SIZE_MAX / 2,
	      "the largest pool's size fits size_t");

#define pool_of(o) ((struct pool *)((char *)(o)-offsetof(struct pool, owner)))

/**
 * pool_release() - the frame owner hook: put a frame back on the free stack
 * @f:	a frame of this pool whose last reference was dropped
 */
static void pool_release(struct frame *f)
{
	struct pool *p = pool_of(f->owner);

	assert(p->nfree < p->nframes);
	p->free[p->nfree++] = f;
}

/**
 * pool_init() - map and set up a pool of @nframes frames
 * @p:		the pool to fill in
 * @nframes:	frames (1..POOL_MAX_FRAMES)
 * @buf_size:	bytes per buffer, @headroom included (..POOL_BUF_MAX)
 * @headroom:	bytes reserved before each frame's data (for headers to
 *		prepend in place); must leave at least FRAME_MIN_LEN bytes
 *
 * One mapping holds the buffers (page aligned, first), the frames and the
 * free stack; it is populated now so the hot path never faults a page in.
 *
 * Return: 0, -EINVAL for a bad size, or -ENOMEM.
 */
int pool_init(struct pool *p, unsigned int nframes, uint32_t buf_size,
	      uint32_t headroom)
{
	size_t stride, bufs, frames, total;
	unsigned int i;
	void *mem;

	memset(p, 0, sizeof(*p));
	if (nframes == 0 || nframes > POOL_MAX_FRAMES ||
	    buf_size > POOL_BUF_MAX || headroom >= buf_size ||
	    buf_size - headroom < FRAME_MIN_LEN)
		return -EINVAL;

	stride =
		(buf_size + POOL_BUF_ALIGN - 1) & ~(size_t)(POOL_BUF_ALIGN - 1);
	bufs = stride * nframes;
	frames = sizeof(struct frame) * nframes;
	total = bufs + frames + sizeof(struct frame *) * nframes;
	mem = mmap(NULL, total, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return -ENOMEM;

	p->owner.release = pool_release;
	p->mem = mem;
	p->mem_size = total;
	p->bufs = mem;
	p->bufs_size = bufs;
	p->frames = (struct frame *)((uint8_t *)mem + bufs);
	p->free = (struct frame **)((uint8_t *)mem + bufs + frames);
	p->nframes = nframes;
	p->buf_size = buf_size;
	p->stride = (uint32_t)stride;
	p->headroom = headroom;
	for (i = 0; i < nframes; i++) {
		p->frames[i].owner = &p->owner;
		p->frames[i].cookie = i;
		/* lowest index on top: allocation order is 0, 1, 2, ... */
		p->free[nframes - 1 - i] = &p->frames[i];
	}
	p->nfree = nframes;
	return 0;
}

/**
 * pool_destroy() - unmap a pool whose frames have all come back
 * @p:	the pool
 *
 * Return: 0, or -EBUSY (nothing freed) while frames are still in flight.
 */
int pool_destroy(struct pool *p)
{
	if (!p->mem)
		return 0;
	if (p->nfree != p->nframes)
		return -EBUSY;
	munmap(p->mem, p->mem_size);
	memset(p, 0, sizeof(*p));
	return 0;
}

/**
 * pool_reset_frame() - make a free frame fresh: one reference, empty data
 * @p:	the pool
 * @f:	a frame just taken off the free stack
 */
static void pool_reset_frame(struct pool *p, struct frame *f)
{
	f->data = p->bufs + f->cookie * p->stride + p->headroom;
	f->len = 0;
	f->cap = p->buf_size - p->headroom;
	f->refs = 1;
	f->has_vnet = 0;
	f->queue = 0;
	memset(&f->vnet, 0, sizeof(f->vnet));
}

/**
 * pool_alloc() - take one frame
 * @p:	the pool
 *
 * Return: a frame holding one reference (release it with frame_put()), or
 * NULL when the pool is empty (counted in @empty).
 */
struct frame *pool_alloc(struct pool *p)
{
	struct frame *f;

	if (p->nfree == 0) {
		p->empty++;
		return NULL;
	}
	f = p->free[--p->nfree];
	pool_reset_frame(p, f);
	return f;
}

/**
 * pool_alloc_bulk() - take up to @n frames at once
 * @p:	the pool
 * @f:	where to put them
 * @n:	how many are wanted
 *
 * Return: how many were taken (fewer than @n when the pool runs out; a
 * short allocation counts once in @empty).
 */
unsigned int pool_alloc_bulk(struct pool *p, struct frame **f, unsigned int n)
{
	unsigned int i, got = n < p->nfree ? n : p->nfree;

	for (i = 0; i < got; i++) {
		f[i] = p->free[--p->nfree];
		pool_reset_frame(p, f[i]);
	}
	if (got < n)
		p->empty++;
	return got;
}

/**
 * pool_avail() - frames on the free stack
 * @p:	the pool
 *
 * Return: how many frames pool_alloc() can still hand out.
 */
unsigned int pool_avail(const struct pool *p)
{
	return p->nfree;
}

/**
 * pool_owns() - whether a frame belongs to this pool
 * @p:	the pool
 * @f:	the frame
 *
 * Return: true if @f is one of @p's frames.
 */
bool pool_owns(const struct pool *p, const struct frame *f)
{
	return f->owner == &p->owner && f >= p->frames &&
	       f < p->frames + p->nframes;
}

/**
 * pool_frame() - frame by index (the buffer id used by io_uring and rings)
 * @p:		the pool
 * @idx:	index, below @p->nframes
 *
 * Return: the frame, or NULL for an index out of range.
 */
struct frame *pool_frame(struct pool *p, unsigned int idx)
{
	return idx < p->nframes ? &p->frames[idx] : NULL;
}
