/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frame.h: frames and batches, the unit every port moves. */
#ifndef QNET_DATAPATH_FRAME_H
#define QNET_DATAPATH_FRAME_H

#include <stdint.h>
#include <stddef.h>
#include <linux/virtio_net.h>

/** FRAME_BATCH_MAX - most frames moved in one receive() call */
#define FRAME_BATCH_MAX 64

/** FRAME_MIN_LEN - shortest Ethernet frame accepted (header only) */
#define FRAME_MIN_LEN 14

/** FRAME_MAX_LEN - longest frame any port carries (64 KiB GSO frame + L2) */
#define FRAME_MAX_LEN 65550

/**
 * FRAME_IOV_MAX - most pieces of a scattered frame (frame.iov): a Linux
 * guest's GSO frame is its linear part and up to 17 page fragments
 */
#define FRAME_IOV_MAX 24

struct iovec;

struct frame;

/**
 * struct frame_owner - who gets a frame back when the last reference drops
 * @release:	called once when the frame's reference count reaches zero
 */
struct frame_owner {
	void (*release)(struct frame *f);
};

/**
 * struct frame - one Ethernet frame in flight
 * @data:	first byte of the Ethernet header
 * @len:	bytes at @data
 * @cap:	bytes available at @data (room for in-place growth)
 * @refs:	references; the sender holds one, a receiver that keeps the
 *		frame past its receive() call takes another (frame_get)
 * @has_vnet:	@vnet carries offload metadata (checksum/GSO) to honour
 * @borrowed:	@data is a guest's buffer lent to qnet until the last
 *		reference drops (virtio-net zero-copy TX): read it, never
 *		write it (only receivers whose port_ops.borrow_ok says so
 *		get one)
 * @queue:	queue index the frame arrived on
 * @owner:	release hook (pool, guest ring, ...); NULL: nothing to release
 * @cookie:	owner's private value (descriptor head, buffer id, ...)
 * @vnet:	virtio-net header: offload metadata, validated at entry points
 * @niov:	0: the frame's bytes are @data[0 .. @len). Otherwise (borrowed
 *		frames only, for receivers whose borrow_ok says so, on ports
 *		without filters) the bytes are @iov[0 .. @niov) in order,
 *		@len in all, @data is @iov[0].iov_base and holds the headers
 *		any check reads (frame_head())
 * @iov:	the pieces when @niov > 0
 */
struct frame {
	uint8_t *data;
	uint32_t len;
	uint32_t cap;
	uint32_t refs;
	uint8_t has_vnet;
	uint8_t borrowed;
	uint16_t queue;
	const struct frame_owner *owner;
	uint64_t cookie;
	struct virtio_net_hdr_v1 vnet;
	uint16_t niov;
	const struct iovec *iov;
};

/**
 * struct frame_batch - up to FRAME_BATCH_MAX frames moved together
 * @n:		frames in @f
 * @f:		the frames, in order
 */
struct frame_batch {
	unsigned int n;
	struct frame *f[FRAME_BATCH_MAX];
};

#endif /* QNET_DATAPATH_FRAME_H */
