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
 * 256 mergeable buffers of 2 KiB (one after the other in memory, as a
 * Linux guest carves them out of larger pages), each posted again as soon as it is
 * reaped. A round sends BATCH frames, then runs the loop until all are
 * reaped, for VBENCH_MS, three ways (virtio_net_set_rx_mode()): direct
 * (VN_RX_DIRECT: the kernel reads the tap straight into the guest's
 * buffers, devices/virtio_net_rxd.c), copy (VN_RX_COPY: the tap's
 * multishot read fills its own buffers, the device copies each frame
 * into the guest's) and auto (VN_RX_AUTO, the default: one or the other
 * by the frames' average size, judged each 100 ms). Cases: 64- and
 * 1500-byte frames, and TCP GSO frames of 4000, 16000 and 65526 bytes
 * (the tap takes TSO, so the kernel hands them over whole; a 65526-byte
 * one fills 32 guest buffers). Printed: frames per microsecond and CPU-ns
 * per frame (the process's user + system time: the packet socket's
 * sends, the tap's reads, the device, the front-end), best of
 * VBENCH_ROUNDS, the ratios to copy, peak RSS. Frames the kernel dropped
 * (none expected) are counted. Root only (exit 77).
 */

#define RING		256u
#define RXQ		0
#define BATCH		32u
/* header + 2 KiB, rounded up to a cache line as a Linux guest sizes its
 * mergeable buffers; carved one after the other (vfe_alloc() aligns to
 * 64), as a guest carves them out of a larger page */
#define BUF		2112u
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

/* A frame of @len bytes behind its 10-byte header: up to 1514 a plain
 * one, else a TCP GSO frame (segments of 1448). */
static size_t build(unsigned int len)
{
	uint8_t *f = pkt + 10;
	unsigned int ip;

	memset(pkt, 0, 10 + 54);
	memset(f, 0x52, 6);
	memset(f + 6, 0x02, 6);
	if (len <= 1514) {
		f[12] = 0x88, f[13] = 0xb5;	/* local experimental */
		return 10 + len;
	}
	ip = len - 14;
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
	return 10 + len;
}

/* What run() measures: the packet socket, the bytes per send, frames
 * sent and not received so far. */
struct rx_case {
	int sock;
	size_t size;
	uint64_t lost;
};

/* The ways, as vbench_compare() names them in main(). */
static const enum vn_rx_mode modes[3] = { VN_RX_AUTO, VN_RX_DIRECT,
					  VN_RX_COPY };

/**
 * run() - send and receive for VBENCH_MS (a vbench_run_fn)
 * @e:		the device and front-end
 * @way:	index into modes[]
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

	virtio_net_set_rx_mode(e->vn, modes[way]);
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
	static const unsigned int lens[] = { 64, 1500, 4000, 16000, GSO_LEN };
	static const char *const ways[3] = { "auto", "direct", "copy" };
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
	       "send batch; gsoN: an N-byte TCP GSO frame\n", VBENCH_MS,
	       VBENCH_ROUNDS, BATCH);
	printf("%-8s %-10s %8s %12s\n", "bytes", "path", "Mpps", "CPU-ns/frame");
	for (li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		char name[16];

		c.size = build(lens[li]);
		snprintf(name, sizeof(name), lens[li] > 1514 ? "gso%u" : "%u",
			 lens[li]);
		vbench_compare(&e, name, ways, 3, run, &c);
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
