// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_vtap.c: guest TX into a tap: zero-copy (the tap writes from the guest's buffers) vs copying each chain, same run; one-piece frames and 64 KB GSO frames in pieces. */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "benchmarks/tap/vbench.h"

/*
 * DOC: bench-vtap
 *
 * One thread, one loop, in a private network namespace: the synthetic
 * vhost-user front-end (tests/device/vfe.c, playing the guest) posts TX
 * chains to qnet's virtio-net device, whose peer is a tap (the kernel
 * takes the frames and drops them: nothing listens for their EtherType or
 * IP address). Chains are of one descriptor (header + frame, as Linux
 * sends a linear skb; 64 and 1500 bytes) or, for the "gso" case, a 64 KB
 * TCP GSO frame laid out as Linux sends one: the header, the 54-byte
 * linear part (Ethernet, IPv4, TCP) and 16 page fragments (18
 * descriptors; the frame is lent scattered, frame.iov). Each
 * round runs both ways for VBENCH_MS: zero-copy (the tap writes from the
 * guest's buffer and the chain completes after the write) and copy
 * (virtio_net_set_tx_copy(): the device copies each chain into a pool
 * frame, and the tap copies frames up to 512 bytes once more). Printed:
 * Mpps and CPU-ns per frame (the process's user + system time, which
 * includes the front-end's own posting and reaping and the kernel's tap
 * write), best of VBENCH_ROUNDS rounds, and the ratio zero-copy / copy,
 * then peak RSS. Root only (exit 77 otherwise).
 */

#define RING		256u
#define TXQ		1

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One buffer per ring slot, posted again as soon as it comes back. */
static uint64_t bufs[RING];

/* The GSO case: GSO_FRAGS page fragments of GSO_FRAG bytes (shared by
 * every chain: the device only reads them) behind a 54-byte linear part. */
#define GSO_LINEAR	54u
#define GSO_FRAGS	16u
#define GSO_FRAG	4092u
#define GSO_LEN		(GSO_LINEAR + GSO_FRAGS * GSO_FRAG)
#define GSO_PIECES	(2u + GSO_FRAGS)
static uint64_t frags[GSO_FRAGS];

/* Header and linear part of a TCP GSO frame in buffer @a. */
static void gso_head(struct venv *e, uint64_t a)
{
	uint8_t *m = vfe_ptr(&e->fe, a), *f = m + 12;
	unsigned int ip = GSO_LEN - 14;

	memset(m, 0, 12 + GSO_LINEAR);
	m[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	m[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	m[2] = GSO_LINEAR;			/* hdr_len */
	m[4] = 1448 & 0xff, m[5] = 1448 >> 8;	/* gso_size */
	m[6] = 34;				/* csum_start */
	m[8] = 16;				/* csum_offset */
	memset(f, 0x02, 6);
	f[6] = 0x52, f[7] = 0x54;
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)(ip >> 8), f[17] = (uint8_t)ip;
	f[22] = 64, f[23] = 6;
	f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
	f[46] = 0x50;				/* TCP data offset 5 */
}

/* Lay the case's frames out in the buffers (@len 0: the GSO case). */
static void fill_bufs(struct venv *e, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < GSO_FRAGS; i++)
		if (!frags[i])
			frags[i] = vfe_alloc(&e->fe, 4096);
	for (i = 0; i < RING; i++) {
		if (!bufs[i])
			bufs[i] = vfe_alloc(&e->fe, 12 + 2048);
		if (!len) {
			gso_head(e, bufs[i]);
			continue;
		}
		memset(vfe_ptr(&e->fe, bufs[i]), 0, 12);
		vt_frame((uint8_t *)vfe_ptr(&e->fe, bufs[i]) + 12, len,
			 (uint8_t)i);
	}
}

/* Post chain @i of the case (@len 0: the GSO case); return ring slots. */
static unsigned int post(struct venv *e, unsigned int i, unsigned int len)
{
	struct vfe_buf b[GSO_PIECES];
	unsigned int k;

	if (len) {
		b[0] = (struct vfe_buf){ bufs[i], 12 + len, 0 };
		vfe_post(&e->fe, TXQ, b, 1);
		return 1;
	}
	b[0] = (struct vfe_buf){ bufs[i], 12, 0 };
	b[1] = (struct vfe_buf){ bufs[i] + 12, GSO_LINEAR, 0 };
	for (k = 0; k < GSO_FRAGS; k++)
		b[2 + k] = (struct vfe_buf){ frags[k], GSO_FRAG, 0 };
	vfe_post(&e->fe, TXQ, b, GSO_PIECES);
	return GSO_PIECES;
}

/**
 * run() - send frames for VBENCH_MS (a vbench_run_fn)
 * @e:		the device and front-end
 * @way:	0: zero-copy, 1: copy (virtio_net_set_tx_copy())
 * @arg:	the frame length (unsigned int *; 0: the GSO case)
 * @mpps:	set to frames per microsecond
 * @cpu_ns:	set to CPU-ns per frame
 */
static void run(struct venv *e, unsigned int way, void *arg, double *mpps,
		double *cpu_ns)
{
	unsigned int len = *(const unsigned int *)arg;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), c0, t1, done = 0;
	unsigned int out = 0, next = 0, per = len ? 1 : GSO_PIECES;
	uint32_t id, l;

	virtio_net_set_tx_copy(e->vn, way == 1);
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	do {
		while ((out + 1) * per <= RING) {
			post(e, next, len);
			next = (next + 1) % RING;
			out++;
		}
		vfe_publish(&e->fe, TXQ);
		vfe_kick(&e->fe, TXQ);
		uloop_run_once(&e->loop, 1000000);
		while (vfe_reap(&e->fe, TXQ, &id, &l)) {
			out--;
			done++;
		}
		t1 = now_ns(CLOCK_MONOTONIC);
	} while (t1 - t0 < VBENCH_MS * 1000000ull);
	/* let the ring drain so the next run starts empty */
	while (out) {
		uloop_run_once(&e->loop, 1000000);
		while (vfe_reap(&e->fe, TXQ, &id, &l))
			out--;
	}
	*mpps = (double)done / (double)(t1 - t0) * 1000.0;
	*cpu_ns = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) /
		  (double)done;
}

int main(void)
{
	static const unsigned int lens[] = { 64, 1500, 0 };
	static const char *const ways[2] = { "zero-copy", "copy" };
	struct virtio_net_stats st;
	struct tap_stats ts;
	struct venv e;
	struct tap *t;
	unsigned int li;
	int ret;

	ret = vbench_open(&e, &t, "bvtap0", RING);
	if (ret)
		return ret;
	printf("guest TX -> tap, %u ms x %u rounds; 64 and 1500: one "
	       "descriptor per frame; gso: a %u-byte TCP frame in %u\n",
	       VBENCH_MS, VBENCH_ROUNDS, GSO_LEN, GSO_PIECES);
	printf("%-8s %-10s %8s %12s\n", "bytes", "path", "Mpps", "CPU-ns/frame");
	for (li = 0; li < 3; li++) {
		char name[16];

		fill_bufs(&e, lens[li]);
		if (lens[li])
			snprintf(name, sizeof(name), "%u", lens[li]);
		else
			snprintf(name, sizeof(name), "gso");
		vbench_compare(&e, name, ways, 2, run, (void *)&lens[li]);
	}
	virtio_net_stats(e.vn, &st);
	printf("device: tx_lent %llu (scattered %llu), bad headers %llu; "
	       "peak RSS %ld KiB\n", (unsigned long long)st.tx_lent,
	       (unsigned long long)st.tx_lent_scattered,
	       (unsigned long long)st.tx_bad_vnet, vbench_peak_rss_kib());
	tap_get_stats(t, &ts);
	printf("tap: wrote %llu frames, refused %llu headers, %llu writes "
	       "failed\n", (unsigned long long)ts.tx_frames,
	       (unsigned long long)ts.bad_vnet,
	       (unsigned long long)ts.write_fails);
	VT_CHECK(st.tx_lent > 0);
	VT_CHECK(st.tx_lent_scattered > 0);
	VT_EQ(st.tx_bad_vnet, 0);
	VT_EQ(ts.bad_vnet, 0);
	VT_EQ(ts.write_fails, 0);
	vbench_close(&e, t);
	return 0;
}
