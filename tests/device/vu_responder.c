// SPDX-License-Identifier: GPL-2.0-or-later
/* vu_responder.c: vhost-user virtio-net devices for guest tests: ARP/ping responder, or two back to back. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath/frame_hot.h"
#include "devices/offload.h"
#include "devices/virtio_net.h"

#define RESP_MAX 64
#define RESP_BUF 2048

/**
 * struct resp - a netdev port that answers ARP for 10.0.2.0/24 and ICMP
 * echo requests, as a gateway at 10.0.2.2 would
 * @port:	the port
 * @hook:	sends the queued replies once per loop iteration
 * @buf:	queued replies
 * @len:	their lengths
 * @n:		how many
 * @arp:	ARP requests answered
 * @icmp:	echo requests answered
 * @other:	frames ignored
 */
struct resp {
	struct port port;
	struct uloop_hook hook;
	uint8_t buf[RESP_MAX][RESP_BUF];
	uint32_t len[RESP_MAX];
	unsigned int n;
	uint64_t arp;
	uint64_t icmp;
	uint64_t other;
};

static const uint8_t resp_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static volatile sig_atomic_t resp_stop;

static void resp_sig(int sig)
{
	resp_stop = 1;
}

/**
 * resp_csum() - complement of the one's-complement sum of @len bytes
 * @p:		bytes
 * @len:	how many
 *
 * Return: the checksum to store.
 */
static uint16_t resp_csum(const uint8_t *p, uint32_t len)
{
	return (uint16_t)~offload_fold(offload_sum(p, len, 0));
}

/**
 * resp_arp() - answer an ARP request for an address in 10.0.2.0/24
 * @r:	the responder
 * @f:	the request
 * @o:	the reply buffer
 *
 * Return: reply length, or 0.
 */
static uint32_t resp_arp(struct resp *r, const struct frame *f, uint8_t *o)
{
	const uint8_t *a = f->data + 14;

	if (f->len < 42 || a[6] != 0 || a[7] != 1 || a[24] != 10 ||
	    a[25] != 0 || a[26] != 2 || !memcmp(a + 14, a + 24, 4))
		return 0;
	memset(o, 0, 60);
	memcpy(o, f->data + 6, 6);
	memcpy(o + 6, resp_mac, 6);
	o[12] = 0x08;
	o[13] = 0x06;
	memcpy(o + 14, a, 6);
	o[21] = 2;
	memcpy(o + 22, resp_mac, 6);
	memcpy(o + 28, a + 24, 4);
	memcpy(o + 32, a + 8, 6);
	memcpy(o + 38, a + 14, 4);
	r->arp++;
	return 60;
}

/**
 * resp_icmp() - answer an ICMP echo request
 * @r:	the responder
 * @f:	the request
 * @o:	the reply buffer
 *
 * Return: reply length, or 0.
 */
static uint32_t resp_icmp(struct resp *r, const struct frame *f, uint8_t *o)
{
	const uint8_t *ip = f->data + 14;
	uint32_t ihl, tot;

	if (f->len < 14 + 20 + 8 || f->len > RESP_BUF || (ip[0] >> 4) != 4 ||
	    ip[9] != 1)
		return 0;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	tot = (uint32_t)(ip[2] << 8 | ip[3]);
	if (ihl < 20 || tot < ihl + 8 || 14 + tot > f->len || ip[ihl] != 8 ||
	    (ip[6] & 0x3f) || ip[7])
		return 0;
	memcpy(o, f->data, 14 + tot);
	memcpy(o, f->data + 6, 6);
	memcpy(o + 6, resp_mac, 6);
	memcpy(o + 14 + 12, ip + 16, 4);
	memcpy(o + 14 + 16, ip + 12, 4);
	o[14 + 10] = o[14 + 11] = 0;
	{
		uint16_t c = resp_csum(o + 14, ihl);

		o[14 + 10] = (uint8_t)(c >> 8);
		o[14 + 11] = (uint8_t)c;
	}
	o[14 + ihl] = 0;
	o[14 + ihl + 2] = o[14 + ihl + 3] = 0;
	{
		uint16_t c = resp_csum(o + 14 + ihl, tot - ihl);

		o[14 + ihl + 2] = (uint8_t)(c >> 8);
		o[14 + ihl + 3] = (uint8_t)c;
	}
	r->icmp++;
	return 14 + tot;
}

static unsigned int resp_receive(struct port *p, unsigned int q,
				 struct frame **f, unsigned int n)
{
	struct resp *r = p->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t len = 0;
		uint16_t type = (uint16_t)(f[i]->data[12] << 8 | f[i]->data[13]);

		if (r->n == RESP_MAX) {
			r->other++;
			continue;
		}
		if (type == 0x0806)
			len = resp_arp(r, f[i], r->buf[r->n]);
		else if (type == 0x0800)
			len = resp_icmp(r, f[i], r->buf[r->n]);
		if (len)
			r->len[r->n++] = len;
		else
			r->other++;
	}
	return n;
}

static const struct port_ops resp_ops = { .receive = resp_receive };

/**
 * resp_flush() - send the queued replies (outside any receive())
 * @loop:	the loop
 * @h:		the responder's hook
 */
static void resp_flush(struct uloop *loop, struct uloop_hook *h)
{
	struct resp *r = (struct resp *)((uint8_t *)h - offsetof(struct resp, hook));
	struct frame fr[RESP_MAX], *fp[RESP_MAX];
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		memset(&fr[i], 0, sizeof(fr[i]));
		fr[i].data = r->buf[i];
		fr[i].len = r->len[i];
		fr[i].cap = RESP_BUF;
		fr[i].refs = 1;
		fp[i] = &fr[i];
	}
	if (r->n)
		port_send(&r->port, 0, fp, r->n, false);
	r->n = 0;
}

/**
 * open_dev() - one device on @path (server), for front-ends with or
 * without a VMM
 * @vn:		set to the device
 * @loop:	the loop
 * @path:	socket path
 * @mode:	"connect" (qnet connects), "uml" (config space and control
 *		queue served), or anything else
 * @peer_vnet:	pass offload metadata to the peer
 * @name:	port name
 *
 * Return: 0 or -errno.
 */
static int open_dev(struct virtio_net **vn, struct uloop *loop,
		    const char *path, const char *mode, bool peer_vnet,
		    const char *name)
{
	struct virtio_net_params p;
	struct vhost_user_config vc = { 0 };

	virtio_net_params_default(&p);
	vc.path = path;
	vc.server = strcmp(mode, "connect") != 0;
	/* no VMM in between: serve the config space and the control queue */
	p.serve_config = !strcmp(mode, "uml");
	p.ctrl_vq = p.serve_config;
	p.packed = !p.serve_config;	/* QEMU takes it only with packed=on */
	p.peer_vnet = peer_vnet;
	p.mac[5] = (uint8_t)(0x50 + name[2]);	/* "vnA", "vnB": distinct MACs */
	return virtio_net_open(vn, &p, &vc, loop, name);
}

/**
 * report() - one line of counters for a device
 * @tag:	line prefix
 * @vn:		the device
 */
static void report(const char *tag, struct virtio_net *vn)
{
	struct virtio_net_stats stats, *st = &stats;
	struct virtio_net_info info;
	struct port_stats s;

	virtio_net_stats(vn, st);
	virtio_net_info(vn, &info);
	port_stats_sum(virtio_net_port(vn), &s);
	printf("%s guest_tx=%llu guest_rx=%llu drops=%llu connects=%llu "
	       "rejected=%llu tx_sw_gso=%llu tx_sw_segs=%llu tx_sw_csum=%llu "
	       "rx_sw_gso=%llu rx_sw_csum=%llu bad_vnet=%llu\n", tag,
	       (unsigned long long)s.tx_packets, (unsigned long long)s.rx_packets,
	       (unsigned long long)port_stats_drops(&s),
	       (unsigned long long)info.vu.connects,
	       (unsigned long long)info.vu.rejected,
	       (unsigned long long)st->tx_sw_gso, (unsigned long long)st->tx_sw_segs,
	       (unsigned long long)st->tx_sw_csum, (unsigned long long)st->rx_sw_gso,
	       (unsigned long long)st->rx_sw_csum, (unsigned long long)st->tx_bad_vnet);
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s SOCKET [connect|uml]\n"
		"       %s pair SOCKET_A SOCKET_B [sw]   (two devices back to back)\n",
		argv0, argv0);
	return 2;
}

int main(int argc, char **argv)
{
	static struct resp r;
	struct virtio_net *vn, *vn2 = NULL;
	bool pair = argc > 1 && !strcmp(argv[1], "pair");
	struct uloop loop;
	int ret;

	if (argc < 2 || (pair && argc < 4))
		return usage(argv[0]);
	signal(SIGTERM, resp_sig);
	signal(SIGINT, resp_sig);
	ret = uloop_init(&loop, NULL);
	if (ret) {
		fprintf(stderr, "uloop_init: %s\n", strerror(-ret));
		return 1;
	}
	if (pair) {
		bool sw = argc > 4 && !strcmp(argv[4], "sw");

		ret = open_dev(&vn, &loop, argv[2], "uml", !sw, "vnA");
		if (!ret)
			ret = open_dev(&vn2, &loop, argv[3], "uml", !sw, "vnB");
		if (!ret)
			ret = port_connect(virtio_net_port(vn), virtio_net_port(vn2));
	} else {
		ret = open_dev(&vn, &loop, argv[1], argc > 2 ? argv[2] : "", false,
			       "vn0");
		if (!ret) {
			port_init(&r.port, &resp_ops, PORT_NETDEV, "resp", 1, &r);
			ret = port_connect(virtio_net_port(vn), &r.port);
			r.hook.fn = resp_flush;
			uloop_hook_add(&loop, &r.hook);
		}
	}
	if (ret) {
		fprintf(stderr, "setup: %s\n", strerror(-ret));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!resp_stop)
		uloop_run_once(&loop, 100000000);
	if (pair) {
		report("A:", vn);
		report("B:", vn2);
		port_disconnect(virtio_net_port(vn));
		virtio_net_close(vn2);
	} else {
		printf("responder: arp=%llu icmp=%llu other=%llu ",
		       (unsigned long long)r.arp, (unsigned long long)r.icmp,
		       (unsigned long long)r.other);
		report("", vn);
		uloop_hook_del(&loop, &r.hook);
		port_disconnect(&r.port);
	}
	virtio_net_close(vn);
	uloop_run_once(&loop, 10000000);
	uloop_run_once(&loop, 10000000);
	uloop_fini(&loop);
	return 0;
}
