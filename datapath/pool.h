/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pool.h: frame buffer pools sized at setup (one mapping, a free stack). */
#ifndef QNET_DATAPATH_POOL_H
#define QNET_DATAPATH_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/frame.h"

/** POOL_MAX_FRAMES - most frames in one pool */
#define POOL_MAX_FRAMES (1u << 20)

/** POOL_BUF_MAX - largest buffer (headroom included) a pool hands out */
#define POOL_BUF_MAX (1u << 17)

/** POOL_BUF_ALIGN - buffers start on this boundary (a cache line) */
#define POOL_BUF_ALIGN 64u

/**
 * struct pool - @nframes frames, each with its own buffer, from one mapping
 * @owner:	release hook put in every frame; returns it to this pool
 * @bufs:	first buffer; buffer i is at @bufs + i * @stride (page aligned,
 *		usable as one io_uring registered buffer)
 * @bufs_size:	bytes from @bufs covered by buffers
 * @frames:	frame i describes buffer i; @cookie holds i
 * @free:	stack of free frames, @nfree of them
 * @mem:	the mapping (buffers, frames, free stack)
 * @mem_size:	its size
 * @nframes:	frames in the pool
 * @nfree:	frames on the free stack
 * @buf_size:	usable bytes per buffer, headroom included
 * @stride:	@buf_size rounded up to POOL_BUF_ALIGN
 * @headroom:	bytes kept in front of @data in each fresh frame
 * @empty:	times an allocation found the pool empty (frames not served)
 */
struct pool {
	struct frame_owner owner;
	uint8_t *bufs;
	size_t bufs_size;
	struct frame *frames;
	struct frame **free;
	void *mem;
	size_t mem_size;
	unsigned int nframes;
	unsigned int nfree;
	uint32_t buf_size;
	uint32_t stride;
	uint32_t headroom;
	uint64_t empty;
};

int pool_init(struct pool *p, unsigned int nframes, uint32_t buf_size,
	      uint32_t headroom);
int pool_destroy(struct pool *p);
struct frame *pool_alloc(struct pool *p);
unsigned int pool_alloc_bulk(struct pool *p, struct frame **f, unsigned int n);
unsigned int pool_avail(const struct pool *p);
bool pool_owns(const struct pool *p, const struct frame *f);
struct frame *pool_frame(struct pool *p, unsigned int idx);

#endif /* QNET_DATAPATH_POOL_H */
