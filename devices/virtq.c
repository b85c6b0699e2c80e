// SPDX-License-Identifier: GPL-2.0-or-later
/* virtq.c: split virtqueue walk: avail/used rings, chains, indirect tables. */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtq.h"
#include "devices/virtq_int.h"


/* clang-format off */
static const char *const virtq_err_names[] = {
	[VIRTQ_ERR_NONE]	= "none",
	[VIRTQ_ERR_AVAIL_IDX]	= "avail_idx",
	[VIRTQ_ERR_HEAD]	= "bad_head",
	[VIRTQ_ERR_NEXT]	= "bad_next",
	[VIRTQ_ERR_LOOP]	= "chain_loop",
	[VIRTQ_ERR_INDIRECT]	= "bad_indirect",
	[VIRTQ_ERR_RING_ADDR]	= "ring_addr",
	[VIRTQ_ERR_ID]		= "bad_id",
};
/* clang-format on */

static_assert(sizeof(virtq_err_names) / sizeof(virtq_err_names[0]) ==
		      VIRTQ_ERR_COUNT,
	      "every queue error has a name");

/**
 * virtq_err_name() - stable name of a queue error
 * @why:	the error
 *
 * Return: its name, or NULL when out of range.
 */
const char *virtq_err_name(enum virtq_err why)
{
	if ((unsigned int)why >= VIRTQ_ERR_COUNT)
		return NULL;
	return virtq_err_names[why];
}

/**
 * virtq_init() - an unconfigured queue (no geometry, no fds)
 * @vq:		the queue
 * @mem:	the guest memory its rings will live in
 */
void virtq_init(struct virtq *vq, struct guest_mem *mem)
{
	memset(vq, 0, offsetof(struct virtq, ind));
	vq->kick_fd = -1;
	vq->call_fd = -1;
	vq->err_fd = -1;
	vq->mem = mem;
}

/**
 * virtq_overlap() - whether two address ranges share a byte
 * @a:	first start
 * @al:	its length
 * @b:	second start
 * @bl:	its length
 *
 * Return: true on overlap (ranges that wrap count as overlapping).
 */
bool virtq_overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	uint64_t ae, be;

	if (__builtin_add_overflow(a, al, &ae) || __builtin_add_overflow(b, bl, &be))
		return true;
	return a < be && b < ae;
}

/**
 * virtq_map() - translate the ring addresses into host pointers
 * @vq:	the queue, with @num and the ring addresses set
 *
 * Return: 0; -EINVAL without a size or addresses, misaligned or
 * overlapping rings;
 * -EFAULT when a ring is not entirely inside one region (the ring
 * pointers are then cleared).
 */
int virtq_map(struct virtq *vq)
{
	uint64_t n = vq->num;

	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	if (!n || !vq->addr_set)
		return -EINVAL;
	if (vq->packed)
		return virtq_packed_map(vq);
	if (vq->desc_uva % 16 || vq->avail_uva % 2 || vq->used_uva % 4)
		return -EINVAL;
	if (virtq_overlap(vq->desc_uva, 16 * n, vq->avail_uva, 6 + 2 * n) ||
	    virtq_overlap(vq->desc_uva, 16 * n, vq->used_uva, 6 + 8 * n) ||
	    virtq_overlap(vq->avail_uva, 6 + 2 * n, vq->used_uva, 6 + 8 * n))
		return -EINVAL;
	vq->desc = guest_mem_uptr(vq->mem, vq->desc_uva, 16 * n);
	vq->avail = guest_mem_uptr(vq->mem, vq->avail_uva, 6 + 2 * n);
	vq->used = guest_mem_uptr(vq->mem, vq->used_uva, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return -EFAULT;
	}
	return 0;
}

/**
 * virtq_ready() - whether the device may process this queue
 * @vq:	the queue
 *
 * Return: true when mapped, started, enabled and not broken.
 */
bool virtq_ready(const struct virtq *vq)
{
	return vq->desc && vq->started && vq->enabled && !vq->broken;
}

/**
 * virtq_set_broken() - mark the queue NEEDS_RESET and tell the front-end
 * @vq:		the queue
 * @why:	the reason (kept in @vq->err)
 *
 * Nothing more is popped or pushed until the transport re-initialises the
 * queue. The err fd, if any, is signalled once.
 */
void virtq_set_broken(struct virtq *vq, enum virtq_err why)
{
	uint64_t one = 1;

	if (vq->broken)
		return;
	vq->broken = true;
	vq->err = why;
	vq->stats.broken++;
	if (vq->err_fd >= 0 && write(vq->err_fd, &one, sizeof(one)) < 0) {
		/* the front-end sees the queue stop; nothing more to do */
	}
}

/**
 * virtq_avail() - heads the driver has made available and we have not taken
 * @vq:	the queue (mapped)
 *
 * Return: 0..num; -EIO when the queue is (or is now) broken because
 * avail->idx ran more than num ahead of what was consumed.
 */
int virtq_avail(struct virtq *vq)
{
	uint16_t idx, n;

	if (vq->broken || !vq->avail)
		return -EIO;
	idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	n = (uint16_t)(idx - vq->last_avail);
	if (n > vq->num) {
		virtq_set_broken(vq, VIRTQ_ERR_AVAIL_IDX);
		return -EIO;
	}
	vq->avail_idx = idx;
	return n;
}

/**
 * virtq_add_buf() - translate one buffer into @c's iovecs
 * @vq:		the queue
 * @c:		the chain being built
 * @addr:	buffer guest address
 * @len:	its length
 * @write:	device-writable
 *
 * Return: 0; -EINVAL for a readable buffer after a writable one, an
 * unmapped or wrapping buffer, or too many pieces (chain errors).
 */
int virtq_add_buf(struct virtq *vq, struct virtq_chain *c, uint64_t addr,
		  uint32_t len, bool write)
{
	unsigned int used = c->nr + c->nw;
	int n;

	if (!write && c->nw)
		return -EINVAL;
	if (!len)
		return 0;
	n = guest_mem_iov(vq->mem, addr, len, c->iov + used,
			  VIRTQ_IOV_MAX - used);
	if (n < 0)
		return -EINVAL;
	if (write) {
		c->nw += (unsigned int)n;
		c->wlen += len;
	} else {
		c->nr += (unsigned int)n;
		c->rlen += len;
	}
	return 0;
}

/**
 * virtq_indirect_table() - locate an indirect table, copying it if it
 * straddles regions
 * @vq:		the queue
 * @addr:	table guest address
 * @len:	table length in bytes
 * @tbl:	set to the table (in guest memory or @vq->ind)
 *
 * Return: entries in the table; -EIO for a ring error (bad length,
 * unmapped); -EINVAL when it straddles regions and exceeds the bounce
 * buffer (a chain error).
 */
int virtq_indirect_table(struct virtq *vq, uint64_t addr, uint32_t len,
			 const struct vring_desc **tbl)
{
	uint64_t contig, done = 0;
	uint32_t n = len / 16;
	uint8_t *p;

	if (!len || len % 16 || n > vq->num || addr % 8) {
		virtq_set_broken(vq, VIRTQ_ERR_INDIRECT);
		return -EIO;
	}
	p = guest_mem_ptr(vq->mem, addr, len, &contig);
	if (!p) {
		virtq_set_broken(vq, VIRTQ_ERR_INDIRECT);
		return -EIO;
	}
	if (contig == len) {
		*tbl = (const struct vring_desc *)p;
		return (int)n;
	}
	if (n > VIRTQ_INDIRECT_BOUNCE)
		return -EINVAL;
	while (done < len) {
		p = guest_mem_ptr(vq->mem, addr + done, len - done, &contig);
		if (!p) {
			virtq_set_broken(vq, VIRTQ_ERR_INDIRECT);
			return -EIO;
		}
		memcpy((uint8_t *)vq->ind + done, p, contig);
		done += contig;
	}
	*tbl = vq->ind;
	return (int)n;
}

/**
 * vq_walk() - follow one chain in a descriptor table
 * @vq:		the queue
 * @c:		the chain being built
 * @tbl:	the table (the ring's, or an indirect one)
 * @size:	entries in @tbl
 * @i:		first index
 * @nested:	true inside an indirect table
 *
 * After a chain error the walk still follows the chain to its end, so a
 * loop is caught whatever else is wrong with it.
 *
 * Return: 0; -EIO on a ring error (queue now broken); -EINVAL on a chain
 * error.
 */
static int vq_walk(struct virtq *vq, struct virtq_chain *c,
		   const struct vring_desc *tbl, uint32_t size, uint32_t i,
		   bool nested)
{
	uint32_t steps = 0;
	int bad = 0;

	for (;;) {
		const struct vring_desc *d = &tbl[i];
		uint64_t addr = VQ_LOAD(d->addr);
		uint32_t len = VQ_LOAD(d->len);
		uint16_t flags = VQ_LOAD(d->flags);
		uint16_t next = VQ_LOAD(d->next);

		if (++steps > size) {
			virtq_set_broken(vq, VIRTQ_ERR_LOOP);
			return -EIO;
		}
		if (flags & VRING_DESC_F_INDIRECT) {
			const struct vring_desc *it;
			int n;

			if (nested || !vq->indirect || steps != 1 ||
			    (flags & VRING_DESC_F_NEXT)) {
				virtq_set_broken(vq, VIRTQ_ERR_INDIRECT);
				return -EIO;
			}
			n = virtq_indirect_table(vq, addr, len, &it);
			if (n < 0)
				return n;
			return vq_walk(vq, c, it, (uint32_t)n, 0, true);
		}
		if (!bad)
			bad = virtq_add_buf(vq, c, addr, len,
					 flags & VRING_DESC_F_WRITE);
		if (!(flags & VRING_DESC_F_NEXT))
			return bad;
		if (next >= size) {
			virtq_set_broken(vq, VIRTQ_ERR_NEXT);
			return -EIO;
		}
		i = next;
	}
}

/**
 * virtq_pop() - take the next available chain
 * @vq:	the queue (ready)
 * @c:	filled with the chain
 *
 * Return: 0 with @c filled; -EAGAIN when nothing is available; -EIO when
 * the queue is broken (now or before); -EINVAL for a chain error: the
 * chain is consumed, @c->head is valid and the caller must push it back
 * with length 0.
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *c)
{
	uint16_t head;
	int ret;

	if (vq->broken)
		return -EIO;
	if (vq->packed)
		return virtq_packed_pop(vq, c);
	if (vq->last_avail == vq->avail_idx) {
		ret = virtq_avail(vq);
		if (ret <= 0)
			return ret < 0 ? ret : -EAGAIN;
	}
	head = VQ_LOAD(vq->avail->ring[vq->last_avail % vq->num]);
	if (head >= vq->num) {
		virtq_set_broken(vq, VIRTQ_ERR_HEAD);
		return -EIO;
	}
	c->head = head;
	c->ndesc = 1;
	c->nr = 0;
	c->nw = 0;
	c->rlen = 0;
	c->wlen = 0;
	ret = vq_walk(vq, c, vq->desc, vq->num, head, false);
	if (ret == -EIO)
		return ret;
	vq->last_avail++;
	vq->stats.pops++;
	if (ret)
		vq->stats.bad_chains++;
	return ret;
}

/**
 * virtq_unpop() - give back the last popped chains (not yet pushed)
 * @vq:		the queue
 * @chains:	how many chains
 * @descs:	ring slots they used (the sum of their @ndesc; packed only)
 */
void virtq_unpop(struct virtq *vq, unsigned int chains, unsigned int descs)
{
	vq->stats.pops -= chains;
	if (vq->packed) {
		virtq_packed_unpop(vq, descs);
		return;
	}
	vq->last_avail = (uint16_t)(vq->last_avail - chains);
}

/**
 * virtq_push() - write one used element (published by virtq_flush())
 * @vq:		the queue
 * @head:	the chain's head (packed: buffer id)
 * @ndesc:	ring slots the chain used (packed only)
 * @len:	bytes written into the chain
 */
void virtq_push(struct virtq *vq, uint16_t head, uint16_t ndesc, uint32_t len)
{
	struct vring_used_elem *e;

	if (vq->broken || !vq->desc)
		return;
	if (vq->packed) {
		virtq_packed_push(vq, head, ndesc, len);
		return;
	}
	e = &vq->used->ring[vq->used_idx % vq->num];
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
}

/**
 * virtq_flush() - publish the used elements written so far
 * @vq:	the queue
 */
void virtq_flush(struct virtq *vq)
{
	if (vq->broken || !vq->desc)
		return;
	if (vq->packed) {
		virtq_packed_flush(vq);
		return;
	}
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

/**
 * vq_need_event() - the virtio EVENT_IDX test
 * @event:	the driver's used_event
 * @new_idx:	used index now
 * @old:	used index at the last signal
 *
 * Return: true when @event lies in [old, new_idx).
 */
static bool vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/**
 * virtq_notify() - signal the call fd if the driver wants to hear about
 * the used elements published since the last signal
 * @vq:	the queue
 *
 * Return: true if the call fd was written.
 */
bool virtq_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled;
	uint64_t one = 1;
	bool need;

	if (vq->packed && vq->desc) {
		need = virtq_packed_need_notify(vq);
		goto signal;
	}
	if (!vq->used || vq->used_idx == old)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled = vq->used_idx;
	if (vq->event_idx)
		need = vq_need_event(VQ_LOAD(vq->avail->ring[vq->num]),
				     vq->used_idx, old);
	else
		need = !(VQ_LOAD(vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
signal:
	if (!need || vq->call_fd < 0)
		return false;
	if (write(vq->call_fd, &one, sizeof(one)) != sizeof(one))
		return false;
	vq->stats.notifies++;
	return true;
}

/**
 * virtq_enable_notify() - ask the driver to kick when it adds buffers
 * beyond those already seen, then check whether some came meanwhile
 * @vq:	the queue
 *
 * "Seen" is @avail_idx, the driver's index as the last pop read it. After
 * a drained ring that is @last_avail; when buffers wait unused (a
 * mergeable RX frame needs more than the ring holds) it is past it, and
 * asking for a kick past @last_avail would never get one: the driver has
 * passed that index already (vring_need_event()).
 *
 * Return: true when the driver added buffers since (process them before
 * sleeping). Packed rings: true when the next descriptor is available.
 */
bool virtq_enable_notify(struct virtq *vq)
{
	uint16_t *avail_event;

	if (vq->packed && vq->desc && !vq->broken)
		return virtq_packed_enable_notify(vq);
	if (!vq->used || !vq->avail || vq->broken)
		return false;
	if (vq->event_idx) {
		avail_event = (uint16_t *)&vq->used->ring[vq->num];
		__atomic_store_n(avail_event, vq->avail_idx, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
	       vq->avail_idx;
}

/**
 * virtq_disable_notify() - ask the driver not to kick (we are polling)
 * @vq:	the queue
 */
void virtq_disable_notify(struct virtq *vq)
{
	if (vq->packed && vq->desc && !vq->broken) {
		virtq_packed_disable_notify(vq);
		return;
	}
	if (!vq->used || vq->broken || vq->event_idx)
		return;
	__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY,
			 __ATOMIC_RELAXED);
}

/**
 * virtq_set_base() - where processing starts (vhost-user SET_VRING_BASE)
 * @vq:		the queue (stopped)
 * @base:	split: the next avail index; packed: bits 0-14 the next
 *		descriptor, bit 15 its wrap counter, bits 16-31 the same for
 *		the next used descriptor (QEMU sends them; 0 there means "as
 *		avail") (checked by the caller)
 */
void virtq_set_base(struct virtq *vq, uint32_t base)
{
	if (vq->packed) {
		uint32_t used = base >> 16 ? base >> 16 : base & 0xffff;

		vq->last_avail = (uint16_t)(base & 0x7fff);
		vq->avail_wrap = base >> 15 & 1;
		vq->used_idx = (uint16_t)(used & 0x7fff);
		vq->used_wrap = used >> 15 & 1;
		vq->sig_wrap = vq->used_wrap;
	} else {
		vq->last_avail = (uint16_t)base;
		vq->used_idx = vq->last_avail;
	}
	vq->avail_idx = vq->last_avail;
	vq->signalled = vq->used_idx;
	vq->nstage = 0;
}

/**
 * virtq_get_base() - where processing stopped (GET_VRING_BASE)
 * @vq:	the queue
 *
 * Return: split: the next avail index; packed: the next descriptor with
 * its wrap counter in bit 15, the next used descriptor and its wrap
 * counter in bits 16-31.
 */
uint32_t virtq_get_base(const struct virtq *vq)
{
	if (vq->packed)
		return (vq->last_avail | (uint32_t)vq->avail_wrap << 15) |
		       (vq->used_idx | (uint32_t)vq->used_wrap << 15) << 16;
	return vq->last_avail;
}
