/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtq.h: split virtqueues as a device sees them: bounded, checked walks. */
#ifndef QNET_DEVICES_VIRTQ_H
#define QNET_DEVICES_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

#include "devices/guest_mem.h"

/**
 * DOC: virtqueue walk
 *
 * The transport (vhost-user) fills the geometry (@num, ring user
 * addresses, base index) and maps the rings through guest_mem_uptr()
 * (virtq_map()). The device pops chains with virtq_pop(): the chain's
 * descriptors are followed, each buffer is translated through the checked
 * accessor (guest_mem_iov()) into host iovecs, readable ones first.
 *
 * Errors come in two kinds:
 *
 * - ring errors (head index >= num, a next index >= num, a loop, more
 *   descriptors than the queue or indirect table holds, more heads
 *   available than the ring has, nested or malformed indirect tables):
 *   the queue is marked broken (the virtio NEEDS_RESET state), its err fd
 *   is signalled, and nothing more is processed until the transport
 *   re-initialises the queue; virtq_pop() returns -EIO.
 * - chain errors (an unmapped or wrapping buffer, a readable descriptor
 *   after a writable one, more pieces than VIRTQ_IOV_MAX): the chain is
 *   consumed and virtq_pop() returns -EINVAL with @chain->head set, so the
 *   device returns it with used.len = 0 and counts a drop.
 *
 * Every walk is bounded: at most @num heads per virtq_avail() snapshot,
 * at most @num descriptors per chain (or the indirect table's length).
 *
 * Packed rings (VIRTIO_F_RING_PACKED, virtq_packed.c) share the API: the
 * chain's @head is then the buffer id, @ndesc the ring slots it used;
 * used elements are staged and their flags published by virtq_flush(),
 * last first, so the first buffer of a multi-buffer frame is marked used
 * after the others.
 */

/** VIRTQ_MAX_SIZE - largest split queue (virtio: 32768) */
#define VIRTQ_MAX_SIZE 32768

/** VIRTQ_IOV_MAX - most host pieces of one chain */
#define VIRTQ_IOV_MAX 128

/** VIRTQ_INDIRECT_BOUNCE - indirect entries copied when a table straddles regions */
#define VIRTQ_INDIRECT_BOUNCE 256

/** VIRTQ_STAGE - packed used elements staged before virtq_flush() must run */
#define VIRTQ_STAGE 512

/**
 * enum virtq_err - why a queue was marked broken (NEEDS_RESET)
 */
enum virtq_err {
	VIRTQ_ERR_NONE,
	VIRTQ_ERR_AVAIL_IDX,	/* avail->idx ran more than num ahead */
	VIRTQ_ERR_HEAD,		/* an avail entry >= num */
	VIRTQ_ERR_NEXT,		/* a next index >= num / table length */
	VIRTQ_ERR_LOOP,		/* a chain longer than the queue or table */
	VIRTQ_ERR_INDIRECT,	/* bad indirect table (len, nesting, address) */
	VIRTQ_ERR_RING_ADDR,	/* a ring is not mapped */
	VIRTQ_ERR_ID,		/* packed: a buffer id >= num */
	VIRTQ_ERR_COUNT
};

/**
 * struct virtq_chain - one popped descriptor chain, as host iovecs
 * @head:	head descriptor index (what goes into the used ring); packed:
 *		the buffer id
 * @ndesc:	ring slots the chain used (packed: how far used skips)
 * @nr:		readable pieces, at @iov[0 .. nr)
 * @nw:		writable pieces, at @iov[nr .. nr + nw)
 * @rlen:	readable bytes
 * @wlen:	writable bytes
 * @iov:	the pieces
 */
struct virtq_chain {
	uint16_t head;
	uint16_t ndesc;
	unsigned int nr;
	unsigned int nw;
	uint64_t rlen;
	uint64_t wlen;
	struct iovec iov[VIRTQ_IOV_MAX];
};

/**
 * struct virtq_stats - counters of one queue
 * @pops:	chains popped
 * @bad_chains:	chains returned with used.len = 0 (chain errors)
 * @notifies:	call fd signals
 * @kicks:	kicks handled
 * @broken:	times the queue was marked broken
 */
struct virtq_stats {
	uint64_t pops;
	uint64_t bad_chains;
	uint64_t notifies;
	uint64_t kicks;
	uint64_t broken;
};

/**
 * struct virtq - one split virtqueue
 * @num:	size (0: not configured)
 * @desc_uva:	ring addresses in the front-end's address space
 * @avail_uva:	...
 * @used_uva:	...
 * @desc:	host pointers to the rings (NULL until virtq_map() succeeds)
 * @avail:	...
 * @used:	...
 * @last_avail:	next avail entry to consume
 * @avail_idx:	avail->idx as last read (validated: at most @num ahead)
 * @used_idx:	next used entry to write (published by virtq_flush())
 * @signalled:	used index at the last call signal (EVENT_IDX)
 * @event_idx:	VIRTIO_RING_F_EVENT_IDX negotiated
 * @indirect:	VIRTIO_RING_F_INDIRECT_DESC negotiated
 * @addr_set:	ring addresses received
 * @started:	the transport started the ring (kick fd received)
 * @enabled:	the ring is enabled (SET_VRING_ENABLE / no protocol features)
 * @broken:	NEEDS_RESET: nothing is processed
 * @err:	why it broke
 * @kick_fd:	front-end's kick eventfd (-1: none)
 * @call_fd:	front-end's call eventfd or pipe (-1: none)
 * @err_fd:	front-end's error eventfd (-1: none)
 * @mem:	the guest memory the rings and buffers live in
 * @stats:	counters
 * @packed:	VIRTIO_F_RING_PACKED negotiated
 * @avail_wrap:	packed: driver ring wrap counter expected at @last_avail
 * @used_wrap:	packed: device ring wrap counter at @used_idx
 * @sig_wrap:	packed: @used_wrap at the last call signal
 * @pdesc:	packed descriptor ring
 * @driver_ev:	packed driver event suppression (driver area)
 * @device_ev:	packed device event suppression (device area)
 * @nstage:	packed: used elements written, flags not yet published
 * @stage:	their ring slots and flags
 * @ind:	bounce copy of an indirect table that straddles regions
 */
struct virtq {
	uint32_t num;
	uint64_t desc_uva;
	uint64_t avail_uva;
	uint64_t used_uva;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;
	uint16_t avail_idx;
	uint16_t used_idx;
	uint16_t signalled;
	bool event_idx;
	bool indirect;
	bool addr_set;
	bool started;
	bool enabled;
	bool broken;
	enum virtq_err err;
	int kick_fd;
	int call_fd;
	int err_fd;
	struct guest_mem *mem;
	struct virtq_stats stats;
	bool packed;
	bool avail_wrap;
	bool used_wrap;
	bool sig_wrap;
	struct vring_packed_desc *pdesc;
	struct vring_packed_desc_event *driver_ev;
	struct vring_packed_desc_event *device_ev;
	unsigned int nstage;
	struct {
		uint16_t slot;
		uint16_t flags;
	} stage[VIRTQ_STAGE];
	struct vring_desc ind[VIRTQ_INDIRECT_BOUNCE];
};

void virtq_init(struct virtq *vq, struct guest_mem *mem);
int virtq_map(struct virtq *vq);
bool virtq_ready(const struct virtq *vq);
void virtq_set_broken(struct virtq *vq, enum virtq_err why);
int virtq_avail(struct virtq *vq);
int virtq_pop(struct virtq *vq, struct virtq_chain *c);
void virtq_unpop(struct virtq *vq, unsigned int chains, unsigned int descs);
void virtq_push(struct virtq *vq, uint16_t head, uint16_t ndesc, uint32_t len);
void virtq_set_base(struct virtq *vq, uint32_t base);
uint32_t virtq_get_base(const struct virtq *vq);
void virtq_flush(struct virtq *vq);
bool virtq_notify(struct virtq *vq);
bool virtq_enable_notify(struct virtq *vq);
void virtq_disable_notify(struct virtq *vq);
const char *virtq_err_name(enum virtq_err why);

#endif /* QNET_DEVICES_VIRTQ_H */
