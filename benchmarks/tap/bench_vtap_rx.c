// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_vtap_rx.c: frames from a tap into a virtio-net guest's RX buffers: read straight into them (direct RX) vs copied by the device, same run; 64, 1500 bytes and 64 KB GSO frames. */

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "benchmarks/tap/vbench.h"

/*
 * DOC: bench-vtap-rx
 *
 * One thread, one loop, in a private network namespace: a packet socket
 * (with PACKET_VNET_HDR) sends frames out of tap bvrtap0, so the kernel
 * queues them for the tap's reader, qnet; qnet's virtio-net device,
 * peered with the tap, puts them into the RX buffers the synthetic
 * vhost-user front-end (tests/device/vfe.c, playing the guest) posts:
 * 256 mergeable buffers of 2 KiB, each posted again as soon as it is
 * reaped. A round sends BATCH frames, then runs the loop until all are
 * reaped, for VBENCH_MS, both ways: direct RX (the kernel reads the tap
 * straight into the guest's buffers: devices/virtio_net_rxd.c) and copy
 * (virtio_net_set_rx_copy(): the tap's multishot read fills its own
 * buffers, the device copies each frame into the guest's). Cases: 64-
 * and 1500-byte frames, and a 65526-byte TCP GSO frame (the tap takes
 * TSO, so the kernel hands it over whole; 32 guest buffers each). Printed:
 * frames per microsecond and CPU-ns per frame (the process's user +
 * system time: the packet socket's sends, the tap's reads, the device,
 * the front-end), best of VBENCH_ROUNDS, the ratio, peak RSS. Frames the
 * kernel dropped (none expected) are counted. Root only (exit 77).
 */

#define RING		256u
#define RXQ		0
#define BATCH		32u
#define BUF		(12u + 2048u)
#define GSO_LEN		65526u

static uint64_t bufs[RING];	/* guest address of each descriptor's buffer */
static uint8_t pkt[10 + GSO_LEN];

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Post one RX buffer at guest address @a. */
static void post(struct venv *e, uint64_t a)
{
	struct vfe_buf b = { a, BUF, VRING_DESC_F_WRITE };
	int head = vfe_post(&e->fe, RXQ, &b, 1);

	VT_CHECK(head >= 0);
	bufs[head] = a;
}

/* Reap what the device filled, post it again; return frames (a frame's
 * first buffer carries num_buffers). */
static unsigned int reap(struct venv *e)
{
	unsigned int frames = 0, n = 0;
	static unsigned int left;	/* buffers still due for a frame */
	uint32_t id, len;

	while (vfe_reap(&e->fe, RXQ, &id, &len)) {
		uint8_t *h = vfe_ptr(&e->fe, bufs[id]);

		if (!left && len > 12) {
			left = h[10] | (unsigned int)h[11] << 8;
			frames++;
		}
		if (left)
			left--;
		post(e, bufs[id]);
		n++;
	}
	if (n) {
		vfe_publish(&e->fe, RXQ);
		vfe_kick(&e->fe, RXQ);
	}
	return frames;
}

/* A frame of @len bytes (0: the GSO case) behind its 10-byte header. */
static size_t build(unsigned int len)
{
	uint8_t *f = pkt + 10;
	unsigned int ip;

	memset(pkt, 0, 10 + 54);
	memset(f, 0x52, 6);
	memset(f + 6, 0x02, 6);
	if (len) {
		f[12] = 0x88, f[13] = 0xb5;	/* local experimental */
		return 10 + len;
	}
	ip = GSO_LEN - 14;
	pkt[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	pkt[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	pkt[2] = 54;			/* hdr_len */
	pkt[4] = 1448 & 0xff, pkt[5] = 1448 >> 8;
	pkt[6] = 34;			/* csum_start */
	pkt[8] = 16;			/* csum_offset */
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)(ip >> 8), f[17] = (uint8_t)ip;
	f[22] = 64, f[23] = 6;
	f[26] = 10, f[29] = 2, f[30] = 10, f[33] = 1;
	f[46] = 0x50;
	return 10 + GSO_LEN;
}

/* What run() measures: the packet socket, the bytes per send, frames
 * sent and not received so far. */
struct rx_case {
	int sock;
	size_t size;
	uint64_t lost;
};

/**
 * run() - send and receive for VBENCH_MS (a vbench_run_fn)
 * @e:		the device and front-end
 * @way:	0: direct RX, 1: copy (virtio_net_set_rx_copy())
 * @arg:	the struct rx_case
 * @mpps:	set to frames per microsecond
 * @cpu_ns:	set to CPU-ns per frame
 */
static void run(struct venv *e, unsigned int way, void *arg, double *mpps,
		double *cpu_ns)
{
	struct rx_case *c = arg;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), c0, t1, done = 0, sent = 0;
	unsigned int i, idle;

	virtio_net_set_rx_copy(e->vn, way == 1);
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (i = 0; i < BATCH; i++)
			if (send(c->sock, pkt, c->size, 0) == (ssize_t)c->size)
				sent++;
		for (idle = 0; done < sent && idle < 50;) {
			unsigned int got;

			uloop_run_once(&e->loop, 0);
			got = reap(e);
			done += got;
			idle = got ? 0 : idle + 1;
		}
		t1 = now_ns(CLOCK_MONOTONIC);
	} while (t1 - t0 < VBENCH_MS * 1000000ull);
	c->lost += sent > done ? sent - done : 0;
	*mpps = (double)done / (double)(t1 - t0) * 1000.0;
	*cpu_ns = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) /
		  (double)(done ? done : 1);
}

/* A packet socket with virtio-net headers, sending out of @ifname. */
static int pkt_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int s = socket(AF_PACKET, SOCK_RAW, 0), one = 1;

	VT_CHECK(s >= 0);
	VT_EQ(setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)), 0);
	VT_EQ(setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
			 sizeof(one)), 0);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	VT_CHECK(sll.sll_ifindex > 0);
	VT_EQ(bind(s, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return s;
}

int main(void)
{
	static const unsigned int lens[] = { 64, 1500, 0 };
	static const char *const ways[2] = { "direct", "copy" };
	struct virtio_net_stats st;
	struct rx_case c = { 0 };
	struct venv e;
	struct tap *t;
	unsigned int li, i;
	int ret;

	ret = vbench_open(&e, &t, "bvrtap0", RING);
	if (ret)
		return ret;
	VT_EQ(tap_set_offload(t, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6), 0);
	for (i = 0; i < RING; i++)
		post(&e, vfe_alloc(&e.fe, BUF));
	vfe_publish(&e.fe, RXQ);
	vfe_kick(&e.fe, RXQ);
	c.sock = pkt_socket("bvrtap0");

	printf("tap -> guest RX buffers, %u ms x %u rounds, %u frames per "
	       "send batch; gso: a %u-byte TCP frame\n", VBENCH_MS,
	       VBENCH_ROUNDS, BATCH, GSO_LEN);
	printf("%-6s %-10s %8s %12s\n", "bytes", "path", "Mpps", "CPU-ns/frame");
	for (li = 0; li < 3; li++) {
		char name[16];

		c.size = build(lens[li]);
		if (lens[li])
			snprintf(name, sizeof(name), "%u", lens[li]);
		else
			snprintf(name, sizeof(name), "gso");
		vbench_compare(&e, name, ways, run, &c);
	}
	virtio_net_stats(e.vn, &st);
	printf("device: rx_direct %llu, returned empty %llu, lost %llu; "
	       "frames not received %llu; peak RSS %ld KiB\n",
	       (unsigned long long)st.rx_direct,
	       (unsigned long long)st.rx_direct_returned,
	       (unsigned long long)st.rx_direct_lost,
	       (unsigned long long)c.lost, vbench_peak_rss_kib());
	VT_CHECK(st.rx_direct > 0);
	close(c.sock);
	vbench_close(&e, t);
	return 0;
}
