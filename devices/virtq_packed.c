// SPDX-License-Identifier: GPL-2.0-or-later
/* virtq_packed.c: packed virtqueues (VIRTIO_F_RING_PACKED): bounded, checked walks. */
#include <errno.h>
#include <string.h>

#include "devices/virtq_int.h"

#define PK_AVAIL ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define PK_USED ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))

/**
 * DOC: packed rings
 *
 * One ring of 16-byte descriptors that the driver makes available and the
 * device marks used in place, each side with a wrap counter (starting at
 * 1) that flips when its index wraps. A descriptor is available when its
 * AVAIL bit equals the driver's wrap counter and its USED bit does not. A
 * list is a run of consecutive descriptors with NEXT on all but the last,
 * whose id is the buffer id; the device writes one used descriptor per
 * list and skips the list's length. The driver area holds the driver's
 * event suppression (read here before a call), the device area ours
 * (written here to ask for kicks or not).
 *
 * Ring errors (NEEDS_RESET): a list longer than the ring, an indirect
 * descriptor that is not alone or not negotiated or has a bad table, a
 * buffer id >= num. Chain errors are as for split rings.
 */

/**
 * pk_avail() - whether descriptor flags mean "available" for wrap @wrap
 * @flags:	the flags
 * @wrap:	the driver wrap counter expected
 *
 * Return: true if available.
 */
static bool pk_avail(uint16_t flags, bool wrap)
{
	return !!(flags & PK_AVAIL) == wrap && !!(flags & PK_USED) != wrap;
}

/**
 * virtq_packed_map() - translate the ring and both event areas
 * @vq:	the queue (packed, size and addresses set)
 *
 * Return: 0; -EINVAL for misaligned or overlapping areas; -EFAULT when one
 * is not inside a region.
 */
int virtq_packed_map(struct virtq *vq)
{
	uint64_t n = vq->num;

	vq->pdesc = NULL;
	vq->driver_ev = NULL;
	vq->device_ev = NULL;
	if (vq->desc_uva % 16 || vq->avail_uva % 4 || vq->used_uva % 4)
		return -EINVAL;
	if (virtq_overlap(vq->desc_uva, 16 * n, vq->avail_uva, 4) ||
	    virtq_overlap(vq->desc_uva, 16 * n, vq->used_uva, 4) ||
	    virtq_overlap(vq->avail_uva, 4, vq->used_uva, 4))
		return -EINVAL;
	vq->pdesc = guest_mem_uptr(vq->mem, vq->desc_uva, 16 * n);
	vq->driver_ev = guest_mem_uptr(vq->mem, vq->avail_uva, 4);
	vq->device_ev = guest_mem_uptr(vq->mem, vq->used_uva, 4);
	if (!vq->pdesc || !vq->driver_ev || !vq->device_ev) {
		vq->pdesc = NULL;
		vq->driver_ev = NULL;
		vq->device_ev = NULL;
		return -EFAULT;
	}
	vq->desc = (struct vring_desc *)vq->pdesc;	/* "mapped" */
	return 0;
}

/**
 * pk_indirect() - add the buffers of an indirect table to @c
 * @vq:		the queue
 * @c:		the chain
 * @addr:	table address
 * @len:	table length
 *
 * Return: 0; -EIO on a ring error (queue broken); -EINVAL on a chain error.
 */
static int pk_indirect(struct virtq *vq, struct virtq_chain *c, uint64_t addr,
		       uint32_t len)
{
	const struct vring_desc *t;
	int n = virtq_indirect_table(vq, addr, len, &t);
	const struct vring_packed_desc *pt = (const struct vring_packed_desc *)t;
	int i, bad = 0;

	if (n < 0)
		return n;
	for (i = 0; i < n && !bad; i++)
		bad = virtq_add_buf(vq, c, VQ_LOAD(pt[i].addr), VQ_LOAD(pt[i].len),
				    VQ_LOAD(pt[i].flags) & VRING_DESC_F_WRITE);
	return bad;
}

/**
 * virtq_packed_pop() - take the next available list
 * @vq:	the queue (packed, mapped)
 * @c:	filled; @c->head is the buffer id, @c->ndesc the slots used
 *
 * Return: as virtq_pop().
 */
int virtq_packed_pop(struct virtq *vq, struct virtq_chain *c)
{
	uint32_t i = vq->last_avail, steps = 0;
	bool wrap = vq->avail_wrap;
	uint16_t flags = __atomic_load_n(&vq->pdesc[i].flags, __ATOMIC_ACQUIRE);
	uint16_t id = 0;
	int bad = 0;

	if (!pk_avail(flags, wrap))
		return -EAGAIN;
	memset(c, 0, offsetof(struct virtq_chain, iov));
	for (;;) {
		const struct vring_packed_desc *d = &vq->pdesc[i];
		uint64_t addr = VQ_LOAD(d->addr);
		uint32_t len = VQ_LOAD(d->len);

		if (steps)
			flags = VQ_LOAD(d->flags);
		id = VQ_LOAD(d->id);
		if (++steps > vq->num) {
			virtq_set_broken(vq, VIRTQ_ERR_LOOP);
			return -EIO;
		}
		if (flags & VRING_DESC_F_INDIRECT) {
			if (steps != 1 || !vq->indirect || (flags & VRING_DESC_F_NEXT)) {
				virtq_set_broken(vq, VIRTQ_ERR_INDIRECT);
				return -EIO;
			}
			bad = pk_indirect(vq, c, addr, len);
			if (bad == -EIO)
				return bad;
		} else if (!bad) {
			bad = virtq_add_buf(vq, c, addr, len,
					    flags & VRING_DESC_F_WRITE);
		}
		if (++i == vq->num) {
			i = 0;
			wrap = !wrap;
		}
		if (!(flags & VRING_DESC_F_NEXT) || (flags & VRING_DESC_F_INDIRECT))
			break;
	}
	if (id >= vq->num) {
		virtq_set_broken(vq, VIRTQ_ERR_ID);
		return -EIO;
	}
	c->head = id;
	c->ndesc = (uint16_t)steps;
	vq->last_avail = (uint16_t)i;
	vq->avail_wrap = wrap;
	vq->stats.pops++;
	if (bad)
		vq->stats.bad_chains++;
	return bad;
}

/**
 * virtq_packed_unpop() - step back over @descs slots (not yet pushed)
 * @vq:		the queue
 * @descs:	slots (<= num)
 */
void virtq_packed_unpop(struct virtq *vq, unsigned int descs)
{
	if (descs > vq->last_avail) {
		vq->last_avail = (uint16_t)(vq->last_avail + vq->num - descs);
		vq->avail_wrap = !vq->avail_wrap;
	} else {
		vq->last_avail = (uint16_t)(vq->last_avail - descs);
	}
}

/**
 * virtq_packed_push() - write a used descriptor; its flags wait for
 * virtq_packed_flush()
 * @vq:		the queue
 * @id:		buffer id
 * @ndesc:	slots the list used
 * @len:	bytes written
 */
void virtq_packed_push(struct virtq *vq, uint16_t id, uint16_t ndesc,
		       uint32_t len)
{
	struct vring_packed_desc *d = &vq->pdesc[vq->used_idx];
	uint16_t flags = (vq->used_wrap ? PK_AVAIL | PK_USED : 0) |
			 (len ? VRING_DESC_F_WRITE : 0);

	if (vq->nstage == VIRTQ_STAGE)
		virtq_packed_flush(vq);
	__atomic_store_n(&d->id, id, __ATOMIC_RELAXED);
	__atomic_store_n(&d->len, len, __ATOMIC_RELAXED);
	vq->stage[vq->nstage].slot = vq->used_idx;
	vq->stage[vq->nstage].flags = flags;
	vq->nstage++;
	vq->used_idx = (uint16_t)(vq->used_idx + (ndesc ? ndesc : 1));
	if (vq->used_idx >= vq->num) {
		vq->used_idx = (uint16_t)(vq->used_idx - vq->num);
		vq->used_wrap = !vq->used_wrap;
	}
}

/**
 * virtq_packed_flush() - publish the staged used descriptors, last first
 * (so the driver, which polls the first, sees a complete batch)
 * @vq:	the queue
 */
void virtq_packed_flush(struct virtq *vq)
{
	while (vq->nstage) {
		vq->nstage--;
		__atomic_store_n(&vq->pdesc[vq->stage[vq->nstage].slot].flags,
				 vq->stage[vq->nstage].flags, __ATOMIC_RELEASE);
	}
}

/**
 * virtq_packed_need_notify() - whether the driver asked to hear about the
 * used descriptors published since the last signal
 * @vq:	the queue
 *
 * Return: true when a call is due (the signal point is advanced).
 */
bool virtq_packed_need_notify(struct virtq *vq)
{
	int num = (int)vq->num, new_idx = vq->used_idx, old = vq->signalled;
	bool old_wrap = vq->sig_wrap;
	uint16_t flags, off_wrap;
	int off;

	if (new_idx == old && vq->used_wrap == old_wrap)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = VQ_LOAD(vq->driver_ev->flags) & 3;
	off_wrap = VQ_LOAD(vq->driver_ev->off_wrap);
	vq->signalled = vq->used_idx;
	vq->sig_wrap = vq->used_wrap;
	if (flags == VRING_PACKED_EVENT_FLAG_DISABLE)
		return false;
	if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vq->event_idx)
		return true;
	off = off_wrap & 0x7fff;
	if (new_idx <= old)
		old -= num;
	if (vq->used_wrap != (off_wrap >> 15))
		off -= num;
	return (uint16_t)(new_idx - off - 1) < (uint16_t)(new_idx - old);
}

/**
 * virtq_packed_enable_notify() - ask for kicks, then check for new lists
 * @vq:	the queue
 *
 * Return: true when a list is available (process it before sleeping).
 */
bool virtq_packed_enable_notify(struct virtq *vq)
{
	if (vq->event_idx) {
		__atomic_store_n(&vq->device_ev->off_wrap,
				 (uint16_t)(vq->last_avail | vq->avail_wrap << 15),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&vq->device_ev->flags,
				 VRING_PACKED_EVENT_FLAG_DESC, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&vq->device_ev->flags,
				 VRING_PACKED_EVENT_FLAG_ENABLE, __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return pk_avail(__atomic_load_n(&vq->pdesc[vq->last_avail].flags,
					__ATOMIC_ACQUIRE), vq->avail_wrap);
}

/**
 * virtq_packed_disable_notify() - ask the driver not to kick
 * @vq:	the queue
 */
void virtq_packed_disable_notify(struct virtq *vq)
{
	__atomic_store_n(&vq->device_ev->flags, VRING_PACKED_EVENT_FLAG_DISABLE,
			 __ATOMIC_RELAXED);
}
