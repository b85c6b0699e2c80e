// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user_msg.c: vhost-user requests: validation table and handlers. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_config.h>

#include "devices/vhost_user.h"

#define BIT(n) (1ull << (n))
#define VU_NO_PF (-1)

/**
 * enum vu_fds - how many fds a request carries
 * @VU_FDS_NONE:	none
 * @VU_FDS_ONE:		exactly one
 * @VU_FDS_VRING:	one, or none when bit 8 of the u64 payload is set
 * @VU_FDS_TABLE:	one per region of the memory table
 * @VU_FDS_IGNORE:	none or one; any is closed (REM_MEM_REG, per spec)
 */
enum vu_fds {
	VU_FDS_NONE,
	VU_FDS_ONE,
	VU_FDS_VRING,
	VU_FDS_TABLE,
	VU_FDS_IGNORE,
	VU_FDS_COUNT
};

/*
 * Handlers below run only after vu_check() accepted the payload size, fd
 * count and protocol feature. Each returns < 0 to refuse (NACK, or an
 * empty reply for requests that have one), 0 to accept, > 0 for the size
 * of the reply payload it wrote into @r. One-line handlers carry no
 * comment of their own: the table says what they answer.
 */
typedef int vu_handler(struct vhost_user *vu, struct vu_msg *m, int *fds,
		       struct vu_msg *r);

/**
 * struct vu_req - what a request needs before its handler runs
 * @fn:		the handler: < 0 refuses, 0 accepts, > 0 is the size of the
 *		reply payload it wrote
 * @min:	smallest payload
 * @max:	largest payload
 * @fds:	enum vu_fds
 * @pf:		protocol feature that must be negotiated, or VU_NO_PF
 * @reply:	the request has a reply of its own (no REPLY_ACK)
 */
struct vu_req {
	vu_handler *fn;
	uint16_t min;
	uint16_t max;
	uint8_t fds;
	int8_t pf;
	bool reply;
};

/**
 * vu_vq() - a queue named by a message, if it exists
 * @vu:		the transport
 * @index:	the index from the message
 *
 * Return: the queue, or NULL when @index >= the number of queues.
 */
static struct virtq *vu_vq(struct vhost_user *vu, uint64_t index)
{
	return index < vu->nvq ? &vu->vq[index] : NULL;
}

static int h_get_features(struct vhost_user *vu, struct vu_msg *m, int *fds,
			  struct vu_msg *r)
{
	r->p.u64 = vu->ops->features(vu->dev) | BIT(VU_F_PROTOCOL_FEATURES);
	return 8;
}

/**
 * h_set_features() - SET_FEATURES: ack a subset of the offer
 * @vu:		the transport
 * @m:		the message (u64)
 * @fds:	none
 * @r:		unused
 *
 * Sets each queue's EVENT_IDX/INDIRECT switches; without the protocol
 * features bit the rings start enabled.
 *
 * Return: 0, or -EINVAL for a bit that was not offered.
 */
static int h_set_features(struct vhost_user *vu, struct vu_msg *m, int *fds,
			  struct vu_msg *r)
{
	uint64_t offer = vu->ops->features(vu->dev) | BIT(VU_F_PROTOCOL_FEATURES);
	uint64_t f = m->p.u64;
	unsigned int i;
	int ret;

	if (f & ~offer)
		return -EINVAL;
	ret = vu->ops->set_features(vu->dev, f & ~BIT(VU_F_PROTOCOL_FEATURES));
	if (ret)
		return ret;
	vu->features = f;
	vu->features_acked = true;
	for (i = 0; i < vu->nvq; i++) {
		vu->vq[i].event_idx = f & BIT(VIRTIO_RING_F_EVENT_IDX);
		vu->vq[i].indirect = f & BIT(VIRTIO_RING_F_INDIRECT_DESC);
		vu->vq[i].packed = f & BIT(VIRTIO_F_RING_PACKED);
		if (!(f & BIT(VU_F_PROTOCOL_FEATURES)))
			vu->vq[i].enabled = true;
	}
	vu->ops->state(vu->dev);
	return 0;
}

static int h_set_owner(struct vhost_user *vu, struct vu_msg *m, int *fds,
		       struct vu_msg *r)
{
	vu->owner = true;
	return 0;
}

static int h_reset_owner(struct vhost_user *vu, struct vu_msg *m, int *fds,
			 struct vu_msg *r)
{
	unsigned int i;

	for (i = 0; i < vu->nvq; i++)
		vu->vq[i].enabled = false;
	vu->ops->state(vu->dev);
	return 0;
}

/**
 * h_set_mem_table() - SET_MEM_TABLE: replace the memory table
 * @vu:		the transport
 * @m:		the message (count and size checked by vu_fds_ok())
 * @fds:	one fd per region (closed here once mapped)
 * @r:		unused
 *
 * Return: 0, or the error of guest_mem_replace() (old table kept).
 */
static int h_set_mem_table(struct vhost_user *vu, struct vu_msg *m, int *fds,
			   struct vu_msg *r)
{
	struct guest_mem_desc d[VU_MEM_TABLE_MAX] = { 0 };
	unsigned int i, n = m->p.mem.nregions;
	int ret;

	for (i = 0; i < n; i++) {
		d[i].gpa = m->p.mem.r[i].gpa;
		d[i].size = m->p.mem.r[i].size;
		d[i].uva = m->p.mem.r[i].uva;
		d[i].mmap_offset = m->p.mem.r[i].mmap_offset;
	}
	ret = guest_mem_replace(&vu->mem, d, fds, n);
	for (i = 0; i < n; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	if (ret)
		return ret;
	vu_remap_rings(vu);
	return 0;
}

static int h_refuse(struct vhost_user *vu, struct vu_msg *m, int *fds,
		    struct vu_msg *r)
{
	return -EOPNOTSUPP;
}

/**
 * h_set_vring_num() - SET_VRING_NUM: size of a stopped queue
 * @vu:		the transport
 * @m:		the message (index, num)
 * @fds:	none
 * @r:		unused
 *
 * Return: 0; -EINVAL for a bad index or a size that is 0, above 32768 or
 * (split rings) not a power of two; -EBUSY while the queue runs.
 */
static int h_set_vring_num(struct vhost_user *vu, struct vu_msg *m, int *fds,
			   struct vu_msg *r)
{
	struct virtq *vq = vu_vq(vu, m->p.state.index);
	uint32_t num = m->p.state.num;

	if (!vq || !num || num > VIRTQ_MAX_SIZE ||
	    ((num & (num - 1)) && !vq->packed))
		return -EINVAL;
	if (vq->started)
		return -EBUSY;
	vq->num = num;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	return 0;
}

/**
 * h_set_vring_addr() - SET_VRING_ADDR: ring addresses (front-end user
 * addresses), mapped at once
 * @vu:		the transport
 * @m:		the message
 * @fds:	none
 * @r:		unused
 *
 * Return: 0; -EINVAL for a bad index or misaligned rings; -EFAULT for a
 * ring outside every region; -EBUSY to move the rings of a running queue.
 */
static int h_set_vring_addr(struct vhost_user *vu, struct vu_msg *m, int *fds,
			    struct vu_msg *r)
{
	struct vu_vring_addr a_copy, *a = &a_copy;
	struct virtq *vq;
	int ret;

	memcpy(a, (uint8_t *)m + offsetof(struct vu_msg, p), sizeof(*a));
	vq = vu_vq(vu, a->index);
	if (!vq)
		return -EINVAL;
	if (vq->started && (a->desc != vq->desc_uva ||
			    a->avail != vq->avail_uva || a->used != vq->used_uva))
		return -EBUSY;
	vq->desc_uva = a->desc;
	vq->avail_uva = a->avail;
	vq->used_uva = a->used;
	vq->addr_set = true;
	ret = virtq_map(vq);
	if (ret)
		vq->addr_set = false;
	return ret;
}

/**
 * h_set_vring_base() - SET_VRING_BASE: next avail index of a stopped queue
 * @vu:		the transport
 * @m:		the message (index, num <= 0xffff; packed: avail slot and
 *		wrap counter in bits 0-15, used ones in bits 16-31, slots
 *		below the ring size)
 * @fds:	none
 * @r:		unused
 *
 * Also clears NEEDS_RESET: the queue is being set up afresh.
 *
 * Return: 0, -EINVAL or -EBUSY.
 */
static int h_set_vring_base(struct vhost_user *vu, struct vu_msg *m, int *fds,
			    struct vu_msg *r)
{
	struct virtq *vq = vu_vq(vu, m->p.state.index);

	uint32_t b;

	if (!vq)
		return -EINVAL;
	b = m->p.state.num;
	if (!vq->packed ? b > 0xffff
			: !vq->num || (b & 0x7fff) >= vq->num ||
			  (b >> 16 & 0x7fff) >= vq->num)
		return -EINVAL;
	if (vq->started)
		return -EBUSY;
	virtq_set_base(vq, m->p.state.num);
	vq->broken = false;
	vq->err = VIRTQ_ERR_NONE;
	return 0;
}

/**
 * h_get_vring_base() - GET_VRING_BASE: stop a queue, report its avail index
 * @vu:		the transport
 * @m:		the message (index)
 * @fds:	none
 * @r:		the reply (index, last avail index)
 *
 * The device publishes what it completed before the queue stops.
 *
 * Return: the reply size, or -EINVAL for a bad index (empty reply).
 */
static int h_get_vring_base(struct vhost_user *vu, struct vu_msg *m, int *fds,
			    struct vu_msg *r)
{
	struct virtq *vq = vu_vq(vu, m->p.state.index);

	if (!vq)
		return -EINVAL;
	if (vq->started) {
		vu->ops->stop(vu->dev, m->p.state.index);
		vq->started = false;
	}
	vu_kick_set(vu, m->p.state.index, -1);
	r->p.state.index = m->p.state.index;
	r->p.state.num = virtq_get_base(vq);
	vu->ops->state(vu->dev);
	return sizeof(r->p.state);
}

/**
 * vu_vring_fd() - check a KICK/CALL/ERR payload against its fds
 * @vu:		the transport
 * @m:		the message
 * @fds:	its fds (exactly one unless bit 8 is set)
 * @fd:		set to the fd to use (-1 for none); taken from @fds
 *
 * Return: the queue, or NULL for a bad index, unknown bits, or bit 8 set
 * together with an fd (and the other way round).
 */
static struct virtq *vu_vring_fd(struct vhost_user *vu, struct vu_msg *m,
				 int *fds, int *fd)
{
	uint64_t v = m->p.u64;
	bool nofd = v & VU_VRING_NOFD;

	if (v & ~(VU_VRING_IDX_MASK | VU_VRING_NOFD))
		return NULL;
	if (nofd != (fds[0] < 0))
		return NULL;
	*fd = fds[0];
	fds[0] = -1;
	return vu_vq(vu, v & VU_VRING_IDX_MASK);
}

/**
 * h_set_vring_kick() - SET_VRING_KICK: watch the kick fd, start the queue
 * @vu:		the transport
 * @m:		the message (index, no-fd bit)
 * @fds:	the kick fd
 * @r:		unused
 *
 * Return: 0; -EINVAL for a bad payload or no fd (polling is not
 * supported); -EBUSY when no watch is free.
 */
static int h_set_vring_kick(struct vhost_user *vu, struct vu_msg *m, int *fds,
			    struct vu_msg *r)
{
	unsigned int idx = (unsigned int)(m->p.u64 & VU_VRING_IDX_MASK);
	struct virtq *vq;
	int fd = -1, ret;

	vq = vu_vring_fd(vu, m, fds, &fd);
	if (!vq || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;	/* polling (no kick fd) is not supported */
	}
	ret = vu_kick_set(vu, idx, fd);
	if (ret)
		return ret;
	vq->started = true;
	vq->broken = false;
	vq->err = VIRTQ_ERR_NONE;
	if (!(vu->features & BIT(VU_F_PROTOCOL_FEATURES)))
		vq->enabled = true;
	if (virtq_map(vq))
		virtq_set_broken(vq, VIRTQ_ERR_RING_ADDR);
	else if (!vq->packed)
		vq->used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_RELAXED);
	vq->signalled = vq->used_idx;
	vq->sig_wrap = vq->used_wrap;
	vu->ops->state(vu->dev);
	if (virtq_ready(vq))
		vu->ops->kick(vu->dev, idx);
	return 0;
}

/**
 * h_set_vring_call() - SET_VRING_CALL / SET_VRING_ERR: the fd to signal
 * @vu:		the transport
 * @m:		the message (index, no-fd bit)
 * @fds:	the fd, or none with the no-fd bit
 * @r:		unused
 *
 * Return: 0, or -EINVAL for a bad payload.
 */
static int h_set_vring_call(struct vhost_user *vu, struct vu_msg *m, int *fds,
			    struct vu_msg *r)
{
	int fd = -1, *slot;
	struct virtq *vq = vu_vring_fd(vu, m, fds, &fd);

	if (!vq) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	slot = m->hdr.request == VU_SET_VRING_CALL ? &vq->call_fd : &vq->err_fd;
	if (*slot >= 0)
		close(*slot);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	*slot = fd;
	return 0;
}

static int h_get_protocol_features(struct vhost_user *vu, struct vu_msg *m,
				   int *fds, struct vu_msg *r)
{
	r->p.u64 = vu->offered_pf;
	return 8;
}

static int h_set_protocol_features(struct vhost_user *vu, struct vu_msg *m,
				   int *fds, struct vu_msg *r)
{
	if (m->p.u64 & ~vu->offered_pf)
		return -EINVAL;
	vu->protocol_features = m->p.u64;
	return 0;
}

static int h_get_queue_num(struct vhost_user *vu, struct vu_msg *m, int *fds,
			   struct vu_msg *r)
{
	r->p.u64 = vu->pairs;
	return 8;
}

/**
 * h_set_vring_enable() - SET_VRING_ENABLE: enable or disable a queue
 * @vu:		the transport
 * @m:		the message (index, 0 or 1)
 * @fds:	none
 * @r:		unused
 *
 * Return: 0, or -EINVAL.
 */
static int h_set_vring_enable(struct vhost_user *vu, struct vu_msg *m,
			      int *fds, struct vu_msg *r)
{
	struct virtq *vq = vu_vq(vu, m->p.state.index);

	if (!vq || m->p.state.num > 1)
		return -EINVAL;
	vq->enabled = m->p.state.num;
	vu->ops->state(vu->dev);
	if (virtq_ready(vq))
		vu->ops->kick(vu->dev, m->p.state.index);
	return 0;
}

static int h_send_rarp(struct vhost_user *vu, struct vu_msg *m, int *fds,
		       struct vu_msg *r)
{
	uint8_t mac[6];

	memcpy(mac, &m->p.u64, 6);
	vu->ops->send_rarp(vu->dev, mac);
	return 0;
}

static int h_net_set_mtu(struct vhost_user *vu, struct vu_msg *m, int *fds,
			 struct vu_msg *r)
{
	if (m->p.u64 < 68 || m->p.u64 > 65535)
		return -EINVAL;
	return vu->ops->set_mtu(vu->dev, (uint32_t)m->p.u64);
}

/**
 * h_get_config() - GET_CONFIG: read the device config space
 * @vu:		the transport
 * @m:		the message (offset, size, flags, size bytes)
 * @fds:	none
 * @r:		the reply (same header, the bytes)
 *
 * Return: the reply size; -EINVAL for a range outside the config space or
 * a size that disagrees with the message (empty reply).
 */
static int h_get_config(struct vhost_user *vu, struct vu_msg *m, int *fds,
			struct vu_msg *r)
{
	struct vu_config c_copy, *c = &c_copy;

	memcpy(c, (uint8_t *)m + offsetof(struct vu_msg, p), 12);
	if (c->size > VU_CONFIG_MAX || c->offset > VU_CONFIG_MAX ||
	    c->size > VU_CONFIG_MAX - c->offset ||
	    m->hdr.size != 12 + c->size)
		return -EINVAL;
	r->p.config.offset = c->offset;
	r->p.config.size = c->size;
	r->p.config.flags = c->flags;
	memset(r->p.config.data, 0, c->size);
	if (vu->ops->get_config(vu->dev, c->offset, r->p.config.data, c->size))
		return -EINVAL;
	return (int)(12 + c->size);
}

static int h_reset_device(struct vhost_user *vu, struct vu_msg *m, int *fds,
			  struct vu_msg *r)
{
	vu_reset_rings(vu);
	vu->features = 0;
	vu->features_acked = false;
	vu->ops->state(vu->dev);
	return 0;
}

/**
 * h_set_backend_req_fd() - SET_BACKEND_REQ_FD: keep the back-end channel
 * @vu:		the transport
 * @m:		the message
 * @fds:	the channel's socket (kept until disconnection)
 * @r:		unused
 *
 * Return: 0.
 */
static int h_set_backend_req_fd(struct vhost_user *vu, struct vu_msg *m,
				int *fds, struct vu_msg *r)
{
	/* Kept for the connection's life; qnet sends nothing on it yet. */
	if (vu->backend_fd >= 0)
		close(vu->backend_fd);
	vu->backend_fd = fds[0];
	fds[0] = -1;
	return 0;
}

static int h_get_max_mem_slots(struct vhost_user *vu, struct vu_msg *m,
			       int *fds, struct vu_msg *r)
{
	r->p.u64 = GUEST_MEM_MAX_REGIONS;
	return 8;
}

/**
 * vu_single_desc() - a region description from an ADD/REM_MEM_REG payload
 * @m:	the message
 *
 * Return: the description.
 */
static struct guest_mem_desc vu_single_desc(const struct vu_msg *m)
{
	return (struct guest_mem_desc){ .gpa = m->p.reg.r.gpa,
					.size = m->p.reg.r.size,
					.uva = m->p.reg.r.uva,
					.mmap_offset = m->p.reg.r.mmap_offset };
}

/**
 * h_add_mem_reg() - ADD_MEM_REG: map one more region
 * @vu:		the transport
 * @m:		the message
 * @fds:	its fd (closed here)
 * @r:		unused
 *
 * Return: 0, or the error of guest_mem_add() (table unchanged).
 */
static int h_add_mem_reg(struct vhost_user *vu, struct vu_msg *m, int *fds,
			 struct vu_msg *r)
{
	struct guest_mem_desc d = vu_single_desc(m);
	unsigned int i;
	int ret;

	/* QEMU 7.2 sends the same region once per queue pair (one vhost_dev
	 * each): an exact repeat of a mapped region is already done */
	for (i = 0; i < vu->mem.n; i++) {
		const struct guest_mem_region *g = &vu->mem.r[i];

		if (g->gpa == d.gpa && g->size == d.size && g->uva == d.uva &&
		    g->mmap_offset == d.mmap_offset) {
			close(fds[0]);
			fds[0] = -1;
			return 0;
		}
	}
	ret = guest_mem_add(&vu->mem, &d, fds[0]);
	close(fds[0]);
	fds[0] = -1;
	if (ret)
		return ret;
	vu_remap_rings(vu);
	return 0;
}

/**
 * h_rem_mem_reg() - REM_MEM_REG: unmap the region with this guest address
 * and size; queues whose rings lived there break
 * @vu:		the transport
 * @m:		the message
 * @fds:	an fd some front-ends send (closed, as the spec asks)
 * @r:		unused
 *
 * Return: 0, or -ENOENT.
 */
static int h_rem_mem_reg(struct vhost_user *vu, struct vu_msg *m, int *fds,
			 struct vu_msg *r)
{
	int ret = guest_mem_remove(&vu->mem, m->p.reg.r.gpa, m->p.reg.r.size);

	if (fds[0] >= 0) {
		close(fds[0]);	/* the spec: close any fd that came with it */
		fds[0] = -1;
	}
	if (ret)
		return ret;
	vu_remap_rings(vu);
	return 0;
}

#define U64 8, 8
#define STATE 8, 8

/* clang-format off */
static const struct vu_req vu_reqs[VU_REQUEST_COUNT] = {
	[VU_GET_FEATURES]	= { h_get_features, 0, 0, VU_FDS_NONE, VU_NO_PF, true },
	[VU_SET_FEATURES]	= { h_set_features, U64, VU_FDS_NONE, VU_NO_PF, false },
	[VU_SET_OWNER]		= { h_set_owner, 0, 0, VU_FDS_NONE, VU_NO_PF, false },
	[VU_RESET_OWNER]	= { h_reset_owner, 0, 0, VU_FDS_NONE, VU_NO_PF, false },
	[VU_SET_MEM_TABLE]	= { h_set_mem_table, 8 + 32, sizeof(struct vu_mem_table),
				    VU_FDS_TABLE, VU_NO_PF, false },
	[VU_SET_LOG_BASE]	= { h_refuse, 16, 16, VU_FDS_ONE, VU_PF_LOG_SHMFD, true },
	[VU_SET_LOG_FD]		= { h_refuse, 0, 0, VU_FDS_ONE, VU_PF_LOG_SHMFD, false },
	[VU_SET_VRING_NUM]	= { h_set_vring_num, STATE, VU_FDS_NONE, VU_NO_PF, false },
	[VU_SET_VRING_ADDR]	= { h_set_vring_addr, 40, 40, VU_FDS_NONE, VU_NO_PF, false },
	[VU_SET_VRING_BASE]	= { h_set_vring_base, STATE, VU_FDS_NONE, VU_NO_PF, false },
	[VU_GET_VRING_BASE]	= { h_get_vring_base, STATE, VU_FDS_NONE, VU_NO_PF, true },
	[VU_SET_VRING_KICK]	= { h_set_vring_kick, U64, VU_FDS_VRING, VU_NO_PF, false },
	[VU_SET_VRING_CALL]	= { h_set_vring_call, U64, VU_FDS_VRING, VU_NO_PF, false },
	[VU_SET_VRING_ERR]	= { h_set_vring_call, U64, VU_FDS_VRING, VU_NO_PF, false },
	[VU_GET_PROTOCOL_FEATURES] = { h_get_protocol_features, 0, 0, VU_FDS_NONE, VU_NO_PF, true },
	[VU_SET_PROTOCOL_FEATURES] = { h_set_protocol_features, U64, VU_FDS_NONE, VU_NO_PF, false },
	[VU_GET_QUEUE_NUM]	= { h_get_queue_num, 0, 0, VU_FDS_NONE, VU_PF_MQ, true },
	[VU_SET_VRING_ENABLE]	= { h_set_vring_enable, STATE, VU_FDS_NONE, VU_NO_PF, false },
	[VU_SEND_RARP]		= { h_send_rarp, U64, VU_FDS_NONE, VU_PF_RARP, false },
	[VU_NET_SET_MTU]	= { h_net_set_mtu, U64, VU_FDS_NONE, VU_PF_MTU, false },
	[VU_SET_BACKEND_REQ_FD]	= { h_set_backend_req_fd, 0, 0, VU_FDS_ONE,
				    VU_PF_BACKEND_REQ, false },
	[VU_GET_CONFIG]		= { h_get_config, 12, 12 + VU_CONFIG_MAX, VU_FDS_NONE,
				    VU_PF_CONFIG, true },
	[VU_SET_CONFIG]		= { h_refuse, 12, 12 + VU_CONFIG_MAX, VU_FDS_NONE,
				    VU_PF_CONFIG, false },
	[VU_RESET_DEVICE]	= { h_reset_device, 0, 0, VU_FDS_NONE, VU_PF_RESET_DEVICE, false },
	[VU_GET_MAX_MEM_SLOTS]	= { h_get_max_mem_slots, 0, 0, VU_FDS_NONE,
				    VU_PF_CONFIGURE_MEM_SLOTS, true },
	[VU_ADD_MEM_REG]	= { h_add_mem_reg, 40, 40, VU_FDS_ONE,
				    VU_PF_CONFIGURE_MEM_SLOTS, false },
	[VU_REM_MEM_REG]	= { h_rem_mem_reg, 40, 40, VU_FDS_IGNORE,
				    VU_PF_CONFIGURE_MEM_SLOTS, false },
};
/* clang-format on */

/**
 * vu_fds_ok() - whether a message carries the fds its request needs
 * @d:		the request's entry
 * @m:		the message (payload size already checked)
 * @nfds:	fds that came with it
 *
 * Return: true if the count is right.
 */
static bool vu_fds_ok(const struct vu_req *d, const struct vu_msg *m,
		      unsigned int nfds)
{
	switch (d->fds) {
	case VU_FDS_NONE:
		return nfds == 0;
	case VU_FDS_ONE:
		return nfds == 1;
	case VU_FDS_VRING:
		return nfds == ((m->p.u64 & VU_VRING_NOFD) ? 0u : 1u);
	case VU_FDS_TABLE:
		return m->p.mem.nregions >= 1 &&
		       m->p.mem.nregions <= VU_MEM_TABLE_MAX &&
		       m->hdr.size >= 8 + 32 * m->p.mem.nregions &&
		       nfds == m->p.mem.nregions;
	case VU_FDS_IGNORE:
		return nfds <= 1;
	}
	return false;
}

/**
 * vu_check() - validate a message against its request's entry
 * @vu:		the transport
 * @d:		the request's entry
 * @m:		the message
 * @nfds:	fds that came with it
 *
 * Return: true when its protocol feature is negotiated and its payload
 * size and fd count are right.
 */
static bool vu_check(struct vhost_user *vu, const struct vu_req *d,
		     const struct vu_msg *m, unsigned int nfds)
{
	if (d->pf != VU_NO_PF && !(vu->protocol_features & BIT(d->pf)))
		return false;
	if (m->hdr.size < d->min || m->hdr.size > d->max)
		return false;
	return vu_fds_ok(d, m, nfds);
}

/**
 * vhost_user_handle() - validate and apply one message
 * @vu:		the transport
 * @m:		the message (payload zero-padded to VU_PAYLOAD_MAX is not
 *		required: handlers only read what the size check allowed)
 * @fds:	fds that came with it (VU_MAX_FDS slots; handlers take
 *		theirs by setting the slot to -1, the caller closes the rest)
 * @nfds:	how many
 * @reply:	filled with the reply to send, if any
 *
 * Return: > 0 when @reply must be sent; 0 when nothing is sent; never
 * negative (a bad message is refused, not fatal).
 */
int vhost_user_handle(struct vhost_user *vu, struct vu_msg *m, int *fds,
		      unsigned int nfds, struct vu_msg *reply)
{
	const struct vu_req *d;
	/* NEED_REPLY is honoured whenever REPLY_ACK is offered: virtio_uml
	 * asks for a reply to the very SET_PROTOCOL_FEATURES that acks it. */
	bool ack = (vu->offered_pf & BIT(VU_PF_REPLY_ACK)) &&
		   (m->hdr.flags & VU_FLAG_NEED_REPLY);
	unsigned int i;
	int ret;

	for (i = nfds; i < VU_MAX_FDS; i++)
		fds[i] = -1;
	vu->stats.msgs++;
	d = m->hdr.request < VU_REQUEST_COUNT ? &vu_reqs[m->hdr.request] : NULL;
	if (!d || !d->fn) {
		d = NULL;
		vu->stats.unknown++;
		ret = -EOPNOTSUPP;
	} else if (!vu_check(vu, d, m, nfds)) {
		ret = -EINVAL;
	} else {
		ret = d->fn(vu, m, fds, reply);
	}
	if (ret < 0)
		vu->stats.rejected++;
	reply->hdr.request = m->hdr.request;
	reply->hdr.flags = VU_VERSION | VU_FLAG_REPLY;
	if (d && d->reply) {
		reply->hdr.size = ret > 0 ? (uint32_t)ret : 0;
		return 1;
	}
	if (!ack)
		return 0;
	reply->hdr.size = 8;
	reply->p.u64 = ret < 0 ? 1 : 0;
	return 1;
}
