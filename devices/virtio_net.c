// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net.c: virtio-net device: setup, features, link, vhost-user hooks. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "datapath/frame_hot.h"
#include "devices/virtio_net_int.h"
#include "devices/vnet_hdr.h"

#define BIT(n) (1ull << (n))

/**
 * virtio_net_params_default() - QEMU's virtio-net-pci defaults
 * @p:	filled: every offload, MRG_RXBUF, EVENT_IDX, INDIRECT_DESC and
 *	STATUS on, one queue pair, MTU 1500 (not offered), no control
 *	queue, MAC 52:54:00:12:34:56, software offloads towards the peer
 */
void virtio_net_params_default(struct virtio_net_params *p)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(p, 0, sizeof(*p));
	memcpy(p->mac, mac, 6);
	p->mtu = 1500;
	p->queues = 1;
	p->csum = p->guest_csum = true;
	p->host_tso4 = p->host_tso6 = p->host_ecn = true;
	p->guest_tso4 = p->guest_tso6 = p->guest_ecn = true;
	p->mrg_rxbuf = p->event_idx = p->indirect_desc = true;
	p->status = true;
}

/**
 * vn_offer() - feature bits the parameters ask for
 * @p:	the parameters
 *
 * Return: the bits (dependencies enforced: TSO needs CSUM, ECN needs TSO).
 */
static uint64_t vn_offer(const struct virtio_net_params *p)
{
	uint64_t f = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MAC);

	if (p->csum) {
		f |= BIT(VIRTIO_NET_F_CSUM);
		if (p->host_tso4)
			f |= BIT(VIRTIO_NET_F_HOST_TSO4);
		if (p->host_tso6)
			f |= BIT(VIRTIO_NET_F_HOST_TSO6);
		if (p->host_ecn && (p->host_tso4 || p->host_tso6))
			f |= BIT(VIRTIO_NET_F_HOST_ECN);
	}
	if (p->guest_csum) {
		f |= BIT(VIRTIO_NET_F_GUEST_CSUM);
		if (p->guest_tso4)
			f |= BIT(VIRTIO_NET_F_GUEST_TSO4);
		if (p->guest_tso6)
			f |= BIT(VIRTIO_NET_F_GUEST_TSO6);
		if (p->guest_ecn && (p->guest_tso4 || p->guest_tso6))
			f |= BIT(VIRTIO_NET_F_GUEST_ECN);
	}
	if (p->mrg_rxbuf)
		f |= BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (p->event_idx)
		f |= BIT(VIRTIO_RING_F_EVENT_IDX);
	if (p->indirect_desc)
		f |= BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (p->host_mtu)
		f |= BIT(VIRTIO_NET_F_MTU);
	if (p->status)
		f |= BIT(VIRTIO_NET_F_STATUS);
	if (p->queues > 1)
		f |= BIT(VIRTIO_NET_F_MQ);
	if (p->ctrl_vq)
		f |= BIT(VIRTIO_NET_F_CTRL_VQ);
	if (p->packed)
		f |= BIT(VIRTIO_F_RING_PACKED);
	return f;
}

/**
 * vn_update_link() - set the port's link from carrier and admin state
 * @vn:	the device
 *
 * When the link comes up, senders RX held are woken.
 */
static void vn_update_link(struct virtio_net *vn)
{
	struct vhost_user *vu = &vn->vu;
	bool up;
	unsigned int i;

	vn->carrier = vu->connected;
	up = vn->carrier && vn->admin_up;
	port_set_link(&vn->port, up);
	if (!up)
		return;
	for (i = 0; i < vn->p.queues; i++) {
		struct vn_queue *q = &vn->q[i];

		if (q->w) {	/* the pair's own thread wakes senders */
			atomic_store(&q->kick_rx, true);
			atomic_store(&q->kick_tx, true);
			uloop_wake(q->loop);
			continue;
		}
		if (q->held.n || q->gso_frame)
			q->tx_pending = true;
		if (q->rx_waiting && virtq_ready(&vu->vq[2 * i])) {
			q->rx_waiting = false;
			port_wake(&vn->port, i);
		}
	}
}

static uint64_t vn_features(void *dev)
{
	return ((struct virtio_net *)dev)->offered;
}

static int vn_set_features(void *dev, uint64_t f)
{
	struct virtio_net *vn = dev;

	vn->features = f;
	vn->hdr_len = (f & (BIT(VIRTIO_F_VERSION_1) |
			    BIT(VIRTIO_NET_F_MRG_RXBUF))) ? 12 : 10;
	vn->host_caps = 0;
	if (f & BIT(VIRTIO_NET_F_CSUM))
		vn->host_caps |= VNET_CAP_CSUM;
	if (f & BIT(VIRTIO_NET_F_HOST_TSO4))
		vn->host_caps |= VNET_CAP_TSO4;
	if (f & BIT(VIRTIO_NET_F_HOST_TSO6))
		vn->host_caps |= VNET_CAP_TSO6;
	if (f & BIT(VIRTIO_NET_F_HOST_ECN))
		vn->host_caps |= VNET_CAP_ECN;
	vn->guest_caps = 0;
	if (f & BIT(VIRTIO_NET_F_GUEST_CSUM))
		vn->guest_caps |= VNET_CAP_CSUM;
	if (f & BIT(VIRTIO_NET_F_GUEST_TSO4))
		vn->guest_caps |= VNET_CAP_TSO4;
	if (f & BIT(VIRTIO_NET_F_GUEST_TSO6))
		vn->guest_caps |= VNET_CAP_TSO6;
	if (f & BIT(VIRTIO_NET_F_GUEST_ECN))
		vn->guest_caps |= VNET_CAP_ECN;
	if (f && vn->features_cb)
		vn->features_cb(vn->features_arg, vn->guest_caps);
	return 0;
}

/**
 * virtio_net_on_features() - be told what the guest takes on RX each time
 * a front-end sets its features (a tap peer follows it, as QEMU's
 * virtio_net_apply_guest_offloads() does)
 * @vn:		the device
 * @cb:		called on the device's control thread, its pairs quiesced,
 *		with the guest's RX offloads (VNET_CAP_*); NULL: none
 * @arg:	its argument
 */
void virtio_net_on_features(struct virtio_net *vn,
			    void (*cb)(void *arg, unsigned int guest_caps),
			    void *arg)
{
	vn->features_cb = cb;
	vn->features_arg = arg;
}

/**
 * vn_rx_wake() - the guest added RX buffers: resume the held sender
 * @q:	the queue pair (in its own thread)
 */
void vn_rx_wake(struct vn_queue *q)
{
	if (q->rx_waiting && port_link_ok(&q->vn->port)) {
		q->rx_waiting = false;
		port_wake(&q->vn->port, q->idx);
	}
}

static void vn_kick(void *dev, unsigned int idx)
{
	struct virtio_net *vn = dev;
	struct vn_queue *q;

	if (idx == 2 * vn->p.queues && vn->p.ctrl_vq) {
		vn_ctrl_run(vn);
		return;
	}
	if (idx >= 2 * vn->p.queues)
		return;
	q = &vn->q[idx / 2];
	if (q->w) {	/* hand it to the pair's worker */
		atomic_store((idx & 1) ? &q->kick_tx : &q->kick_rx, true);
		uloop_wake(q->loop);
		return;
	}
	if (idx & 1)
		vn_tx_run(q);
	else
		vn_rx_wake(q);
}

static void vn_stop(void *dev, unsigned int idx)
{
	struct virtio_net *vn = dev;
	struct virtq *vq = &vn->vu.vq[idx];

	/* Everything popped was pushed already; publish and signal it. */
	virtq_flush(vq);
	virtq_notify(vq);
}

static void vn_state(void *dev)
{
	vn_update_link(dev);
}

static int vn_set_mtu(void *dev, uint32_t mtu)
{
	struct virtio_net *vn = dev;

	if (mtu > FRAME_MAX_LEN - 18)
		return -EINVAL;
	vn->mtu = mtu;
	return 0;
}

/**
 * vn_send_rarp() - broadcast a RARP request for @mac (after migration)
 * @dev:	the device
 * @mac:	the guest's MAC
 */
static void vn_send_rarp(void *dev, const uint8_t mac[6])
{
	static const uint8_t arp_hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 3 };
	struct virtio_net *vn = dev;
	struct frame *f = vn_frame_alloc(&vn->q[0], 60);
	uint8_t *d;

	if (!f)
		return;
	d = f->data;
	memset(d, 0, 60);
	memset(d, 0xff, 6);
	memcpy(d + 6, mac, 6);
	d[12] = 0x80;
	d[13] = 0x35;
	memcpy(d + 14, arp_hdr, 8);
	memcpy(d + 22, mac, 6);
	memcpy(d + 32, mac, 6);
	f->len = 60;
	port_send(&vn->port, 0, &f, 1, false);
	frame_put(f);
	vn->cstats.rarp_sent++;
}

/**
 * vn_get_config() - read the device config space (mac, status, pairs, mtu)
 * @dev:	the device
 * @off:	offset
 * @buf:	destination
 * @size:	bytes
 *
 * Return: 0 (the caller checked the range against VU_CONFIG_MAX).
 */
static int vn_get_config(void *dev, uint32_t off, uint8_t *buf, uint32_t size)
{
	struct virtio_net *vn = dev;
	uint8_t space[VU_CONFIG_MAX] = { 0 };
	struct virtio_net_config c = { 0 };

	memcpy(c.mac, vn->p.mac, 6);
	c.status = vn->carrier && vn->admin_up ? VIRTIO_NET_S_LINK_UP : 0;
	c.max_virtqueue_pairs = (uint16_t)vn->p.queues;
	c.mtu = (uint16_t)vn->mtu;
	c.speed = 0xffffffffu;
	c.duplex = 0xff;
	memcpy(space, &c, sizeof(c));
	memcpy(buf, space + off, size);
	return 0;
}

static const struct vu_dev_ops vn_vu_ops = {
	.features = vn_features,
	.set_features = vn_set_features,
	.kick = vn_kick,
	.stop = vn_stop,
	.state = vn_state,
	.set_mtu = vn_set_mtu,
	.send_rarp = vn_send_rarp,
	.get_config = vn_get_config,
	.quiesce = vn_quiesce,
};

/* The peer went away: the pairs reading it directly stop. Pairs on this
 * thread cancel their reads now; pairs on workers were parked by whoever
 * disconnects (their park hook cancelled the reads) and only forget. */
static void vn_peer_lost(struct port *p)
{
	struct virtio_net *vn = p->priv;
	unsigned int i;

	for (i = 0; i < vn->p.queues; i++) {
		if (vn->q[i].w)
			vn_rxd_drop(&vn->q[i]);
		else
			vn_rxd_peer_gone(&vn->q[i]);
	}
}

static const struct port_ops vn_port_ops = {
	.receive = vn_rx_receive,
	.resume = vn_tx_resume,
	.peer_lost = vn_peer_lost,
};

/**
 * vn_frame_release() - a device frame's last reference dropped: back to
 * its pool, and restart TX if it was waiting for a frame
 * @f:	the frame
 */
static void vn_frame_release(struct frame *f)
{
	struct vn_pool *vp = (struct vn_pool *)((uint8_t *)f->owner -
						offsetof(struct vn_pool, owner));

	f->owner = &vp->pool.owner;
	vp->pool.owner.release(f);
	if (vp->q->tx_starved) {
		vp->q->tx_starved = false;
		vp->q->tx_pending = true;
	}
}

/**
 * vn_frame_alloc() - a frame with room for @len bytes
 * @q:		the queue pair
 * @len:	bytes needed
 *
 * Return: the frame (one reference), or NULL when @len exceeds the large
 * buffers or the pool is empty.
 */
struct frame *vn_frame_alloc(struct vn_queue *q, uint32_t len)
{
	struct vn_pool *vp = len <= VN_SMALL_BUF - VN_HEADROOM ? &q->small
							       : &q->big;
	struct frame *f;

	if (len > VN_BIG_BUF - VN_HEADROOM)
		return NULL;
	f = pool_alloc(&vp->pool);
	if (!f)
		return NULL;
	f->owner = &vp->owner;
	f->queue = (uint16_t)q->idx;
	return f;
}

/**
 * vn_iov_copy() - copy bytes between a flat buffer and iovecs at an offset
 * @iov:	the pieces
 * @n:		how many
 * @off:	byte offset into the pieces
 * @buf:	the flat buffer
 * @len:	bytes
 * @to_iov:	true: @buf -> pieces; false: pieces -> @buf
 *
 * Return: bytes copied (less than @len when the pieces end).
 */
static size_t vn_iov_copy(const struct iovec *iov, unsigned int n, size_t off,
			  uint8_t *buf, size_t len, bool to_iov)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		uint8_t *piece;
		size_t c;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		piece = (uint8_t *)iov[i].iov_base + off;
		c = iov[i].iov_len - off;
		if (c > len - done)
			c = len - done;
		if (to_iov)
			memcpy(piece, buf + done, c);
		else
			memcpy(buf + done, piece, c);
		done += c;
		off = 0;
	}
	return done;
}

/**
 * vn_iov_to() - copy bytes into iovecs at an offset
 * @iov:	destination pieces
 * @n:		how many
 * @off:	byte offset into the pieces
 * @src:	source
 * @len:	bytes
 *
 * Return: bytes copied (less than @len when the pieces end).
 */
size_t vn_iov_to(const struct iovec *iov, unsigned int n, size_t off,
		 const void *src, size_t len)
{
	return vn_iov_copy(iov, n, off, (uint8_t *)(uintptr_t)src, len, true);
}

/**
 * vn_iov_from() - copy bytes out of iovecs from an offset
 * @dst:	destination
 * @iov:	source pieces
 * @n:		how many
 * @off:	byte offset into the pieces
 * @len:	bytes
 *
 * Return: bytes copied (less than @len when the pieces end).
 */
size_t vn_iov_from(void *dst, const struct iovec *iov, unsigned int n,
		   size_t off, size_t len)
{
	return vn_iov_copy(iov, n, off, dst, len, false);
}

/**
 * vn_queue_init() - set up one queue pair's pools and buffers
 * @vn:	the device
 * @i:	pair index
 *
 * Return: 0 or -ENOMEM.
 */
static int vn_queue_init(struct virtio_net *vn, unsigned int i)
{
	struct vn_queue *q = &vn->q[i];
	int ret;

	q->vn = vn;
	q->idx = i;
	q->small.q = q;
	q->big.q = q;
	q->small.owner.release = vn_frame_release;
	q->big.owner.release = vn_frame_release;
	ret = pool_init(&q->small.pool, VN_SMALL_N, VN_SMALL_BUF, VN_HEADROOM);
	if (ret)
		return ret;
	ret = pool_init(&q->big.pool, VN_BIG_N, VN_BIG_BUF, VN_HEADROOM);
	if (ret)
		return ret;
	q->scratch = malloc(VN_SCRATCH);
	q->used = calloc(VIRTQ_MAX_SIZE, sizeof(*q->used));
	if (!q->scratch || !q->used)
		return -ENOMEM;
	return vn_zc_init(q);
}

/**
 * vn_queue_fini() - free one queue pair's frames and buffers
 * @q:	the pair
 */
static void vn_queue_fini(struct vn_queue *q)
{
	frame_batch_put(&q->held);
	if (q->gso_frame)
		frame_put(q->gso_frame);
	q->gso_frame = NULL;
	if (q->small.pool.mem)
		pool_destroy(&q->small.pool);
	if (q->big.pool.mem)
		pool_destroy(&q->big.pool);
	free(q->scratch);
	free(q->used);
	vn_zc_detach(q);
	vn_rxd_detach(q);
}

/**
 * vn_params_ok() - check the parameters
 * @p:	the parameters
 *
 * Return: 0, or -EINVAL for a bad queue count or MTU.
 */
static int vn_params_ok(const struct virtio_net_params *p)
{
	if (!p->queues || p->queues > VU_MAX_QUEUE_PAIRS ||
	    p->queues > PORT_MAX_QUEUES)
		return -EINVAL;
	if (p->mtu && (p->mtu < 68 || p->mtu > FRAME_MAX_LEN - 18))
		return -EINVAL;
	return 0;
}

/**
 * virtio_net_open_mq() - create a virtio-net device served over vhost-user,
 * its queue pairs spread over workers
 * @out:	set to the device
 * @p:		device parameters
 * @vc:		vhost-user socket
 * @loop:	the control loop: the socket, the messages, the kick fds
 *		and the control queue (the caller's thread; not one of
 *		@workers' loops)
 * @workers:	@p->queues workers: pair i runs on @workers[i] (entries may
 *		repeat or be NULL for @loop); NULL: every pair on @loop
 * @name:	port name (the -device id)
 *
 * The peer's queue i must run on the same worker as pair i. Message
 * handling pauses the workers (vu_dev_ops.quiesce) while rings, memory or
 * the link change. Frame pools and buffers are sized here; nothing is
 * allocated later.
 *
 * Return: 0; -EINVAL for bad parameters; -ENOMEM; an error from the socket
 * (vhost_user_open()).
 */
int virtio_net_open_mq(struct virtio_net **out,
		       const struct virtio_net_params *p,
		       const struct vhost_user_config *vc, struct uloop *loop,
		       struct uworker *const *workers, const char *name)
{
	uint64_t pf = BIT(VU_PF_MQ) | BIT(VU_PF_RARP) | BIT(VU_PF_REPLY_ACK) |
		      BIT(VU_PF_MTU) | BIT(VU_PF_RESET_DEVICE) |
		      BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
		      (p->serve_config ? BIT(VU_PF_CONFIG) |
					 BIT(VU_PF_BACKEND_REQ) : 0);
	struct virtio_net *vn;
	unsigned int i;
	int ret = vn_params_ok(p);

	if (ret)
		return ret;
	vn = calloc(1, sizeof(*vn));
	if (!vn)
		return -ENOMEM;
	vn->p = *p;
	vn->loop = loop;
	vn->mtu = p->mtu ? p->mtu : 1500;
	vn->admin_up = true;
	vn->offered = vn_offer(p);
	vn_set_features(vn, 0);
	ret = port_init(&vn->port, &vn_port_ops, PORT_NIC, name, p->queues, vn);
	if (ret)
		goto err_free;
	for (i = 0; i < p->queues; i++) {
		ret = vn_queue_init(vn, i);
		if (ret)
			goto err_queues;
	}
	vn->port.link_up = false;
	vn_threads_init(vn, workers);
	ret = vhost_user_open(&vn->vu, vc, loop, p->queues, p->ctrl_vq, pf,
			      &vn_vu_ops, vn);
	if (ret)
		goto err_threads;
	*out = vn;
	return 0;

err_threads:
	vn_threads_fini(vn);
err_queues:
	for (i = 0; i < p->queues; i++)
		vn_queue_fini(&vn->q[i]);
err_free:
	free(vn);
	return ret;
}

/**
 * virtio_net_open() - create a virtio-net device served over vhost-user,
 * everything on one loop
 * @out:	set to the device
 * @p:		device parameters
 * @vc:		vhost-user socket
 * @loop:	the loop everything runs on (all queue pairs)
 * @name:	port name (the -device id)
 *
 * Return: as virtio_net_open_mq().
 */
int virtio_net_open(struct virtio_net **out, const struct virtio_net_params *p,
		    const struct vhost_user_config *vc, struct uloop *loop,
		    const char *name)
{
	return virtio_net_open_mq(out, p, vc, loop, NULL, name);
}

/**
 * vn_free() - free the device once the transport let go of it
 * @dev:	the device
 */
static void vn_free(void *dev)
{
	struct virtio_net *vn = dev;
	unsigned int i;

	for (i = 0; i < vn->p.queues; i++)
		vn_queue_fini(&vn->q[i]);
	free(vn);
}

/**
 * virtio_net_close() - stop serving and free the device
 * @vn:	the device (NULL: nothing)
 *
 * Call it from the control loop's thread. The port is disconnected from
 * its peer and the front-end dropped at once; the memory goes when the
 * control loop has released the device's watches (at once, or during a
 * later iteration: keep running the loop before uloop_fini()). Frames the
 * device still holds are released; frames a peer still holds must have
 * been released.
 */
void virtio_net_close(struct virtio_net *vn)
{
	unsigned int i;

	if (!vn)
		return;
	vn_quiesce(vn, true);	/* also settles every lent chain */
	port_disconnect(&vn->port);
	for (i = 0; i < vn->p.queues; i++) {
		vn_zc_detach(&vn->q[i]);	/* frames still lent free it */
		vn_rxd_detach(&vn->q[i]);	/* reads still due free it */
	}
	vn_quiesce(vn, false);
	vn_threads_fini(vn);
	vhost_user_close(&vn->vu, vn_free);
}

/**
 * virtio_net_port() - the device's port (peer it with a netdev)
 * @vn:	the device
 *
 * Return: the port.
 */
struct port *virtio_net_port(struct virtio_net *vn)
{
	return &vn->port;
}

/**
 * virtio_net_info() - connection, link, features, transport counters
 * @vn:		the device
 * @out:	filled
 */
void virtio_net_info(const struct virtio_net *vn, struct virtio_net_info *out)
{
	const struct vhost_user *vu = &vn->vu;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->connected = vu->connected;
	out->link_up = vn->port.link_up;
	out->features = vu->features;
	out->protocol_features = vu->protocol_features;
	out->mtu = vn->mtu;
	out->vu = vu->stats;
	for (i = 0; vu->vq && i < vu->nvq; i++) {
		out->queues_started += vu->vq[i].started;
		out->needs_reset |= vu->vq[i].broken;
	}
}

/**
 * virtio_net_stats() - device counters, summed over the queue pairs
 * @vn:		the device
 * @out:	filled (pairs on workers may be counting meanwhile)
 */
void virtio_net_stats(const struct virtio_net *vn, struct virtio_net_stats *out)
{
	const uint64_t *c = (const uint64_t *)&vn->cstats;
	uint64_t *o = (uint64_t *)out;
	unsigned int i, k, n = sizeof(*out) / sizeof(uint64_t);

	static_assert(sizeof(struct virtio_net_stats) % sizeof(uint64_t) == 0,
		      "counters only");
	for (k = 0; k < n; k++)
		o[k] = c[k];
	for (i = 0; i < vn->p.queues; i++) {
		const uint64_t *q = (const uint64_t *)&vn->q[i].stats;

		for (k = 0; k < n; k++)
			o[k] += q[k];
	}
}

/**
 * virtio_net_vq() - one virtqueue (for tests and the monitor)
 * @vn:		the device
 * @idx:	queue index (RX 2i, TX 2i+1)
 *
 * Return: the queue, or NULL out of range or when closed.
 */
const struct virtq *virtio_net_vq(const struct virtio_net *vn, unsigned int idx)
{
	if (!vn->vu.vq || idx >= vn->vu.nvq)
		return NULL;
	return &vn->vu.vq[idx];
}

/**
 * virtio_net_set_admin_link() - the monitor's set_link for this NIC
 * @vn:	the device
 * @up:	true for up
 */
void virtio_net_set_admin_link(struct virtio_net *vn, bool up)
{
	vn->admin_up = up;
	vn_update_link(vn);
}
