// SPDX-License-Identifier: GPL-2.0-or-later
/* vtest.c: device-test harness: recording peer port, device + front-end setup. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tests/device/vtest.h"

#define BIT(n) (1ull << (n))

/**
 * vsink_receive() - take frames (up to @accept per call), keep copies
 * @p:		the sink's port
 * @queue:	queue
 * @f:		frames
 * @n:		how many
 *
 * Return: frames taken.
 */
static unsigned int vsink_receive(struct port *p, unsigned int queue,
				  struct frame **f, unsigned int n)
{
	struct vsink *s = p->priv;
	unsigned int i, take = n;

	if (s->accept >= 0 && (unsigned int)s->accept < take)
		take = (unsigned int)s->accept;
	for (i = 0; i < take; i++) {
		if (s->nkept < VSINK_KEEP) {
			unsigned int k = s->nkept++;

			s->len[k] = f[i]->len;
			s->vnet[k] = f[i]->vnet;
			s->has_vnet[k] = (uint8_t)f[i]->has_vnet;
			memcpy(s->data + (size_t)k * VSINK_FRAME_MAX, f[i]->data,
			       f[i]->len);
		}
		s->frames++;
		s->bytes += f[i]->len;
	}
	return take;
}

static void vsink_resume(struct port *p, unsigned int queue)
{
	((struct vsink *)p->priv)->resumes++;
}

static const struct port_ops vsink_ops = {
	.receive = vsink_receive,
	.resume = vsink_resume,
};

/**
 * vt_pump() - run the device's loop once (up to 1 ms)
 * @arg:	the struct venv
 */
void vt_pump(void *arg)
{
	struct venv *e = arg;

	if (uloop_run_once(&e->loop, 1000000) < 0) {
		fprintf(stderr, "uloop_run_once failed\n");
		exit(1);
	}
}

/**
 * vt_features_default() - what the tests ack by default
 *
 * Return: VERSION_1, MRG_RXBUF, CSUM, GUEST_CSUM, TSO, EVENT_IDX, INDIRECT.
 */
uint64_t vt_features_default(void)
{
	return BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF) |
	       BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
	       BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) |
	       BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) |
	       BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
	       BIT(VIRTIO_NET_F_MAC);
}

/**
 * vt_start() - a device on a fresh socket, peered with a sink, and a
 * front-end with guest memory (not yet connected)
 * @e:		filled
 * @p:		device parameters (NULL: defaults)
 * @server:	the device listens (else the front-end does)
 */
void vt_start(struct venv *e, const struct virtio_net_params *p, bool server)
{
	vt_start_mq(e, p, server, NULL);
}

/**
 * vt_start_mq() - vt_start() with the queue pairs on workers
 * @e:		filled
 * @p:		device parameters (NULL: defaults)
 * @server:	the device listens (else the front-end does)
 * @workers:	one per queue pair (virtio_net_open_mq()), or NULL
 */
void vt_start_mq(struct venv *e, const struct virtio_net_params *p,
		 bool server, struct uworker *const *workers)
{
	struct virtio_net_params def;
	struct vhost_user_config vc = { 0 };
	int ret;

	memset(e, 0, sizeof(*e));
	strcpy(e->dir, "/tmp/qnet-vdev.XXXXXX");
	VT_CHECK(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/vu.sock", e->dir);
	ret = uloop_init(&e->loop, NULL);
	if (ret == -ENOSYS || ret == -EPERM) {
		printf("SKIP: io_uring unavailable\n");
		rmdir(e->dir);
		exit(77);
	}
	VT_EQ(ret, 0);
	if (!p) {
		virtio_net_params_default(&def);
		p = &def;
	}
	VT_EQ(vfe_init(&e->fe, 8 << 20, vt_pump, e), 0);
	if (!server)
		VT_EQ(vfe_listen(&e->fe, e->path), 0);
	vc.path = e->path;
	vc.server = server;
	vc.reconnect_ms = 50;
	VT_EQ(virtio_net_open_mq(&e->vn, p, &vc, &e->loop, workers, "vn0"), 0);
	e->sink.data = malloc((size_t)VSINK_KEEP * VSINK_FRAME_MAX);
	VT_CHECK(e->sink.data);
	e->sink.accept = -1;
	VT_EQ(port_init(&e->sink.port, &vsink_ops, PORT_NETDEV, "sink", p->queues,
			&e->sink), 0);
	VT_EQ(port_connect(virtio_net_port(e->vn), &e->sink.port), 0);
}

/**
 * vt_stop() - tear everything down and remove the temporary files
 * @e:	the environment
 */
void vt_stop(struct venv *e)
{
	vfe_fini(&e->fe);
	vt_pump(e);
	virtio_net_close(e->vn);
	vt_pump(e);
	vt_pump(e);
	vt_release(e);
}

/**
 * vt_release() - free the loop and the sink, remove the temporary files
 * (the device closed and its watches released: vt_stop() does both)
 * @e:	the environment
 */
void vt_release(struct venv *e)
{
	uloop_fini(&e->loop);
	free(e->sink.data);
	unlink(e->path);
	rmdir(e->dir);
}

/**
 * vt_connect() - connect the front-end and set up RX 0 and TX 1
 * @e:		the environment
 * @features:	features to ack
 * @num:	ring size
 */
void vt_connect(struct venv *e, uint64_t features, uint32_t num)
{
	vt_connect_q(e, features, num, 2);
}

/**
 * vt_connect_q() - connect the front-end and set up @nq rings
 * @e:		the environment
 * @features:	features to ack
 * @num:	ring size
 * @nq:		rings (RX 0, TX 1, then the next pair or the control queue)
 */
void vt_connect_q(struct venv *e, uint64_t features, uint32_t num,
		  unsigned int nq)
{
	if (e->fe.listen >= 0)
		VT_EQ(vfe_accept(&e->fe), 0);
	else
		VT_EQ(vfe_connect(&e->fe, e->path), 0);
	VT_EQ(vfe_setup(&e->fe, features, nq, num), 0);
	VT_UNTIL(e, virtio_net_port(e->vn)->link_up);
}

/**
 * vt_sink_send() - the sink sends one frame to the device (not held)
 * @e:		the environment
 * @data:	frame bytes
 * @len:	length
 * @vnet:	offload header, or NULL
 *
 * Return: 1 if the device took it.
 */
unsigned int vt_sink_send(struct venv *e, const uint8_t *data, uint32_t len,
			  const struct virtio_net_hdr_v1 *vnet)
{
	struct frame f = { 0 }, *fp = &f;
	uint64_t before = e->sink.port.stats[0].tx_packets;

	f.data = (uint8_t *)data;
	f.len = len;
	f.cap = len;
	f.refs = 1;
	if (vnet) {
		f.has_vnet = 1;
		f.vnet = *vnet;
	}
	port_send(&e->sink.port, 0, &fp, 1, false);
	return (unsigned int)(e->sink.port.stats[0].tx_packets - before);
}

/**
 * vt_frame() - an Ethernet frame with a recognisable payload
 * @buf:	filled
 * @len:	length (>= 14)
 * @seed:	varies the payload
 */
void vt_frame(uint8_t *buf, uint32_t len, uint8_t seed)
{
	static const uint8_t hdr[14] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56,
					 0x52, 0x54, 0, 0xab, 0xcd, 0xef,
					 0x88, 0xb5 };
	uint32_t i;

	memcpy(buf, hdr, 14);
	for (i = 14; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
}

/**
 * vt_drops() - drops of one reason charged to the device's port
 * @e:		the environment
 * @why:	the reason
 *
 * Return: the count (all queues).
 */
uint64_t vt_drops(struct venv *e, enum port_drop why)
{
	struct port_stats s;

	port_stats_sum(virtio_net_port(e->vn), &s);
	return s.drops[why];
}

/**
 * vt_stats() - the device's counters
 * @e:	the environment
 *
 * Return: a copy.
 */
struct virtio_net_stats vt_stats(struct venv *e)
{
	struct virtio_net_stats s;

	virtio_net_stats(e->vn, &s);
	return s;
}
