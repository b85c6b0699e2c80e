// SPDX-License-Identifier: GPL-2.0-or-later
/* test_frames.c: frames both ways, byte-exact and in batches. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include "devices/netns_tap.h"
#include "tests/netns/nstest.h"

#define N_TX 200
#define N_RX 300

static const uint8_t host_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
static const uint8_t other_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct env {
	struct uloop loop;
	char ns[NST_NS_NAME_MAX];
	struct netns_tap *nt;
	struct ncap cap;
	int pkt; /* AF_PACKET on tap0, inside the namespace */
	uint8_t tap_mac[6];
	unsigned int released;
};

static void on_released(void *arg)
{
	((struct env *)arg)->released++;
}

static void on_released1(void *arg)
{
	(*(unsigned int *)arg)++;
}

/* Destination of frame @seq: broadcast, the tap's MAC, someone else. */
static const uint8_t *tx_dst(const struct env *e, unsigned int seq)
{
	return seq % 3 == 0 ? bcast : seq % 3 == 1 ? e->tap_mac : other_mac;
}

/* Port to tap: every frame appears on tap0, byte-exact, in order. */
static void test_port_to_tap(struct env *e)
{
	struct port_stats ps, cs;
	struct netns_tap_stats st;
	struct nst_frames t;
	uint8_t buf[4096];
	unsigned int i;
	int n;

	nst_frames_new(&t, N_TX);
	for (i = 0; i < N_TX; i++) {
		t.f[i].len = nst_frame_len(i);
		nst_frame_fill(t.f[i].data, t.f[i].len, i, tx_dst(e, i),
			       host_mac);
	}
	ncap_send(&e->cap, t.ptr, N_TX);
	NST_RUN_UNTIL(&e->loop, nst_frames_idle(&t) && !e->cap.npend, 3000);
	for (i = 0; i < N_TX; i++) {
		n = nst_pkt_recv_ours(e->pkt, buf, sizeof(buf), 2000);
		CHECK(n > 0);
		if (!nst_frame_check(buf, (unsigned int)n, i, tx_dst(e, i),
				     host_mac)) {
			fprintf(stderr, "frame %u: got seq %d len %d\n", i,
				nst_frame_seq(buf, (unsigned int)n), n);
			CHECK(0);
		}
	}
	CHECK_EQ(nst_pkt_recv_ours(e->pkt, buf, sizeof(buf), 50), -ETIMEDOUT);

	netns_tap_stats(e->nt, &st);
	CHECK_EQ(st.tx_frames, N_TX);
	CHECK_EQ(st.tx_errors, 0);
	CHECK_EQ(st.tx_inflight, 0);
	port_stats_sum(netns_tap_port(e->nt), &ps);
	port_stats_sum(&e->cap.port, &cs);
	CHECK_EQ(ps.rx_packets, N_TX);
	CHECK_EQ(cs.tx_packets, N_TX);
	CHECK_EQ(port_stats_drops(&cs), 0);
	CHECK_EQ(port_stats_drops(&ps), 0);
	nst_frames_free(&t);
}

/* Frames read from the tap and not yet offered to the port. */
static unsigned int rx_pending(const struct env *e)
{
	struct netns_tap_stats st;

	netns_tap_stats(e->nt, &st);
	return st.rx_pending;
}

/* Namespace to port: every frame reaches the port, byte-exact, batched. */
static void test_tap_to_port(struct env *e)
{
	struct netns_tap_stats st;
	struct port_stats ps;
	uint8_t buf[2048];
	unsigned int i, len;

	for (i = 0; i < N_RX; i++) {
		len = nst_frame_len(i);
		nst_frame_fill(buf, len, i, i & 1 ? bcast : host_mac,
			       e->tap_mac);
		CHECK_EQ(nst_pkt_send(e->pkt, buf, len), 0);
	}
	NST_RUN_UNTIL(&e->loop, e->cap.n >= N_RX, 3000);
	CHECK_EQ(e->cap.n, N_RX);
	for (i = 0; i < N_RX; i++) {
		CHECK(nst_frame_check(e->cap.arena + e->cap.off[i],
				      e->cap.len[i], i,
				      i & 1 ? bcast : host_mac, e->tap_mac));
	}
	/* batches: far fewer port_send() calls than frames */
	CHECK(e->cap.max_batch > 1);
	CHECK(e->cap.max_batch <= 64);
	CHECK(e->cap.calls_ours < N_RX / 2);
	/* a frame of the namespace's own (IPv6 ND) read in the iteration
	 * that delivered the last test frame waits for the next flush */
	NST_RUN_UNTIL(&e->loop, rx_pending(e) == 0, 1000);
	netns_tap_stats(e->nt, &st);
	CHECK(st.rx_frames >= N_RX);
	CHECK(st.rx_batches < st.rx_frames);
	CHECK_EQ(st.rx_holds, 0);
	CHECK_EQ(st.rx_pending, 0);
	port_stats_sum(netns_tap_port(e->nt), &ps);
	CHECK_EQ(ps.tx_packets, st.rx_frames);
	CHECK_EQ(port_stats_drops(&ps), 0);
	printf("tap to port: %u frames in %u receive() calls, largest batch "
	       "%u\n",
	       N_RX, e->cap.calls_ours, e->cap.max_batch);
}

/* A frame longer than a receive buffer is dropped as giant, counted. */
static void test_giant(struct env *e)
{
	struct netns_tap_stats st;
	struct port_stats ps;
	struct ifreq ifr;
	uint8_t buf[4000];
	unsigned int before = e->cap.n;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "tap0");
	ifr.ifr_mtu = 4000;
	CHECK_EQ(ioctl(e->pkt, SIOCSIFMTU, &ifr), 0);
	nst_frame_fill(buf, 3000, 5000, host_mac, e->tap_mac);
	CHECK_EQ(nst_pkt_send(e->pkt, buf, 3000), 0);
	nst_frame_fill(buf, nst_frame_len(5001), 5001, host_mac, e->tap_mac);
	CHECK_EQ(nst_pkt_send(e->pkt, buf, nst_frame_len(5001)), 0);
	NST_RUN_UNTIL(&e->loop, e->cap.n == before + 1, 2000);
	CHECK_EQ(nst_frame_seq(e->cap.arena + e->cap.off[before],
			       e->cap.len[before]),
		 5001);
	netns_tap_stats(e->nt, &st);
	CHECK_EQ(st.rx_giants, 1);
	port_stats_sum(netns_tap_port(e->nt), &ps);
	CHECK_EQ(ps.drops[PORT_DROP_GIANT], 1);
	ifr.ifr_mtu = 1500;
	CHECK_EQ(ioctl(e->pkt, SIOCSIFMTU, &ifr), 0);
}

/* A UDP/IPv4 frame from 10.0.2.2:9 to 10.0.2.100:9 carrying "qnet-vnet". */
static unsigned int fill_udp(uint8_t *b)
{
	/* clang-format off */
	static const uint8_t ip[20] = {
		0x45, 0, 0, 46,		/* IPv4, 20-byte header, length 46 */
		0, 0, 0, 0,		/* id, flags, fragment offset */
		64, 17, 0, 0,		/* TTL, UDP, checksum (below) */
		10, 0, 2, 2,		/* source */
		10, 0, 2, 100,		/* destination */
	};
	/* clang-format on */
	uint32_t sum = 0;
	unsigned int i;

	memset(b, 0, 60);
	memcpy(b, bcast, 6);
	memcpy(b + 6, host_mac, 6);
	b[12] = 0x08;
	memcpy(b + 14, ip, 20);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)b[14 + i] << 8 | b[15 + i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
	b[24] = (uint8_t)(sum >> 8);
	b[25] = (uint8_t)sum;
	b[35] = 9;  /* source port */
	b[37] = 9;  /* destination port */
	b[39] = 26; /* UDP length */
	memcpy(b + 42, "qnet-vnet", 9);
	return 60;
}

/* The next frame on @sock that is the UDP frame of fill_udp(). */
static int recv_udp(int sock, uint8_t *buf, unsigned int size)
{
	uint64_t end = uloop_now() + 2000 * NST_MS;
	ssize_t n;

	while (uloop_now() < end) {
		n = recv(sock, buf, size, 0);
		if (n >= 51 && buf[12] == 0x08 && buf[13] == 0 &&
		    !memcmp(buf + 42, "qnet-vnet", 9))
			return (int)n;
		if (n < 0)
			usleep(1000);
	}
	return -ETIMEDOUT;
}

/* Offload headers: a sound one reaches the tap, hostile ones never do. */
static void test_vnet(struct env *e)
{
	struct netns_tap_stats before, st;
	struct port_stats ps0, ps;
	struct nst_frames t;
	uint8_t buf[2048];
	unsigned int i;
	int n;

	netns_tap_stats(e->nt, &before);
	port_stats_sum(netns_tap_port(e->nt), &ps0);
	nst_frames_new(&t, 5);
	for (i = 1; i < 5; i++) {
		t.f[i].len = nst_frame_len(6000 + i);
		nst_frame_fill(t.f[i].data, t.f[i].len, 6000 + i, bcast,
			       host_mac);
		t.f[i].has_vnet = 1;
	}
	/* 0: partial checksum on the UDP header of a UDP/IPv4 frame: fine */
	t.f[0].len = fill_udp(t.f[0].data);
	t.f[0].has_vnet = 1;
	t.f[0].vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	t.f[0].vnet.csum_start = 34;
	t.f[0].vnet.csum_offset = 6;
	/* 1: unknown GSO type */
	t.f[1].vnet.gso_type = 7;
	/* 2: checksum field past the end (CVE-2024-11614 class) */
	t.f[2].vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	t.f[2].vnet.csum_start = (uint16_t)t.f[2].len;
	t.f[2].vnet.csum_offset = 6;
	/* 3: TSO without a partial checksum, gso_size 0 */
	t.f[3].vnet.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	/* 4: partial checksum on a frame that is not IP */
	t.f[4].vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	t.f[4].vnet.csum_start = 20;
	t.f[4].vnet.csum_offset = 2;
	ncap_send(&e->cap, t.ptr, 5);
	NST_RUN_UNTIL(&e->loop, nst_frames_idle(&t), 2000);
	n = recv_udp(e->pkt, buf, sizeof(buf));
	CHECK_EQ(n, 60);
	CHECK(!memcmp(buf, t.f[0].data, 60));
	CHECK_EQ(nst_pkt_recv_ours(e->pkt, buf, sizeof(buf), 100), -ETIMEDOUT);
	netns_tap_stats(e->nt, &st);
	CHECK_EQ(st.tx_bad_vnet - before.tx_bad_vnet, 4);
	CHECK_EQ(st.tx_frames - before.tx_frames, 1);
	port_stats_sum(netns_tap_port(e->nt), &ps);
	CHECK_EQ(ps.drops[PORT_DROP_BAD_VNET] - ps0.drops[PORT_DROP_BAD_VNET],
		 4);
	/* receive side: rx = written + dropped + in flight */
	CHECK_EQ(ps.rx_packets,
		 st.tx_frames + st.tx_errors + st.tx_bad_vnet + st.tx_inflight);
	nst_frames_free(&t);
}

/* --- offloads: TSO and partial checksums from the namespace --------------- */

#define OFF_PORT  7777
#define OFF_MSS	  1000
#define OFF_PLEN  (10 * OFF_MSS)
#define OFF_FRAME (14 + 20 + 20 + OFF_PLEN)
#define OFF_MAX	  16

/**
 * struct orec - the test's TCP/UDP frames one capture port took
 * @cap:	the capture port
 * @n:		frames recorded
 * @len:	their lengths
 * @vnet:	their offload headers (zero when they had none)
 * @data:	their bytes
 */
struct orec {
	struct ncap *cap;
	unsigned int n;
	uint32_t len[OFF_MAX];
	struct virtio_net_hdr_v1 vnet[OFF_MAX];
	uint8_t data[OFF_MAX][OFF_FRAME];
};

static struct orec orecs[2];

/* ncap's hook for frames that are not test frames: keep ours */
static void orec_other(struct ncap *c, const struct frame *f)
{
	struct orec *r = orecs[0].cap == c ? &orecs[0] : &orecs[1];
	const uint8_t *d = f->data;

	if (f->len < 42 || d[12] != 0x08 || d[13] != 0 ||
	    (d[23] != 6 && d[23] != 17) || d[36] != OFF_PORT >> 8 ||
	    d[37] != (OFF_PORT & 0xff))
		return;
	CHECK(r->n < OFF_MAX && f->len <= OFF_FRAME);
	r->len[r->n] = f->len;
	memset(&r->vnet[r->n], 0, sizeof(r->vnet[0]));
	if (f->has_vnet)
		r->vnet[r->n] = f->vnet;
	memcpy(r->data[r->n], d, f->len);
	r->n++;
}

/* ones' complement sum of big-endian words */
static uint32_t sum16(const uint8_t *p, unsigned int len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* the pseudo-header sum of the IPv4 frame @d, L4 length @l4len */
static uint32_t pseudo(const uint8_t *d, unsigned int l4len)
{
	return sum16(d + 26, 8, d[23] + l4len);
}

/* is the TCP/UDP checksum of the IPv4 frame @d (20-byte header) right? */
static bool l4_sum_ok(const uint8_t *d, unsigned int len)
{
	return sum16(d + 34, len - 34, pseudo(d, len - 34)) == 0xffff;
}

static uint8_t pay(unsigned int i)
{
	return (uint8_t)(i * 13 + 7);
}

/**
 * off_frame() - a TCP (10 x 1000 bytes, GSO) or UDP frame with a partial
 * checksum, behind a struct virtio_net_hdr as PACKET_VNET_HDR wants it
 * @b:		the buffer (10 + OFF_FRAME bytes)
 * @src:	the tap's MAC
 * @tcp:	TCP with GSO, else UDP (100 bytes) with a partial checksum
 *
 * Return: bytes to send.
 */
static unsigned int off_frame(uint8_t *b, const uint8_t src[6], bool tcp)
{
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .csum_start = 34};
	unsigned int l4 = tcp ? 20 + OFF_PLEN : 8 + 100, i;
	uint8_t *d = b + sizeof(h), *ip = d + 14, *t = ip + 20;
	uint32_t ps;

	memset(d, 0, 14 + 20 + l4);
	memcpy(d, host_mac, 6);
	memcpy(d + 6, src, 6);
	d[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + l4) >> 8);
	ip[3] = (uint8_t)(20 + l4);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = tcp ? 6 : 17;
	memcpy(ip + 12, "\x0a\x00\x02\x64\x0a\x00\x02\x02", 8);
	ps = (uint16_t)~sum16(ip, 20, 0);
	ip[10] = (uint8_t)(ps >> 8);
	ip[11] = (uint8_t)ps;
	t[0] = 0x1b; /* source port 7000 */
	t[1] = 0x58;
	t[2] = OFF_PORT >> 8;
	t[3] = OFF_PORT & 0xff;
	ps = pseudo(d, l4); /* the partial sum goes in the checksum field */
	if (tcp) {
		t[7] = 1;  /* seq 1 */
		t[11] = 1; /* ack 1 */
		t[12] = 5 << 4;
		t[13] = 0x10;
		t[14] = t[15] = 0xff;
		t[16] = (uint8_t)(ps >> 8);
		t[17] = (uint8_t)ps;
		h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		h.gso_size = OFF_MSS;
		h.hdr_len = 54;
		h.csum_offset = 16;
	} else {
		t[5] = 108;
		t[6] = (uint8_t)(ps >> 8);
		t[7] = (uint8_t)ps;
		h.csum_offset = 6;
	}
	for (i = 0; i < l4 - (tcp ? 20u : 8u); i++)
		t[(tcp ? 20 : 8) + i] = pay(i);
	memcpy(b, &h, sizeof(h));
	return (unsigned int)sizeof(h) + 14 + 20 + l4;
}

/* inject the two frames on @ifname through a PACKET_VNET_HDR socket */
static void off_send(struct env *e, const char *ifname, const uint8_t mac[6])
{
	static uint8_t b[10 + OFF_FRAME];
	int one = 1, sock = nst_packet_socket(e->ns, ifname);
	unsigned int len;

	CHECK_EQ(setsockopt(sock, SOL_PACKET, PACKET_VNET_HDR, &one,
			    sizeof(one)),
		 0);
	len = off_frame(b, mac, true);
	CHECK_EQ(send(sock, b, len, 0), (ssize_t)len);
	len = off_frame(b, mac, false);
	CHECK_EQ(send(sock, b, len, 0), (ssize_t)len);
	close(sock);
}

/* offload off (tap0): ten complete TCP segments, a complete UDP checksum */
static void off_check_plain(const struct orec *r)
{
	unsigned int i, k;

	CHECK_EQ(r->n, 11);
	for (i = 0; i < 10; i++) {
		const uint8_t *d = r->data[i];

		CHECK_EQ(r->len[i], 14 + 20 + 20 + OFF_MSS);
		CHECK_EQ(r->vnet[i].flags, 0);
		CHECK_EQ(r->vnet[i].gso_type, 0);
		CHECK_EQ(d[23], 6);
		CHECK_EQ(d[41], (uint8_t)(1 + i * OFF_MSS)); /* seq, low byte */
		CHECK(l4_sum_ok(d, r->len[i]));
		for (k = 0; k < OFF_MSS; k++)
			CHECK_EQ(d[54 + k], pay(i * OFF_MSS + k));
	}
	CHECK_EQ(r->data[10][23], 17);
	CHECK_EQ(r->vnet[10].flags, 0);
	CHECK(l4_sum_ok(r->data[10], 14 + 20 + 108));
}

/* offload on (tap1): one 10000-byte GSO frame, a partial UDP checksum */
static void off_check_gso(const struct orec *r)
{
	const struct virtio_net_hdr_v1 *h = &r->vnet[0];
	unsigned int k;

	CHECK_EQ(r->n, 2);
	CHECK_EQ(r->len[0], OFF_FRAME);
	CHECK_EQ(h->gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(h->gso_size, OFF_MSS);
	CHECK_EQ(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM, 1);
	CHECK_EQ(h->csum_start, 34);
	CHECK_EQ(h->csum_offset, 16);
	for (k = 0; k < OFF_PLEN; k++)
		CHECK_EQ(r->data[0][54 + k], pay(k));
	h = &r->vnet[1];
	CHECK_EQ(r->data[1][23], 17);
	CHECK_EQ(h->gso_type, 0);
	CHECK_EQ(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM, 1);
	CHECK_EQ(h->csum_start, 34);
	CHECK_EQ(h->csum_offset, 6);
}

/*
 * The same TSO frame and partial-checksum datagram sent out of tap0 (no
 * offloads: the namespace's kernel segments and checksums) and out of a
 * tap opened with offload (they reach the port whole, with their header).
 */
static void test_offload(struct env *e)
{
	static struct ncap cap1;
	unsigned int released1 = 0;
	struct netns_tap_config cfg = {.netns = e->ns,
				       .ifname = "tap1",
				       .offload = true,
				       .bgid = 1,
				       .released = on_released1,
				       .released_arg = &released1};
	struct netns_tap_stats st0, st1;
	struct netns_tap *nt1;
	uint8_t mac1[6];
	int sock, ret;

	CHECK_EQ(netns_tap_open(&nt1, &cfg, &e->loop, "ns1"), 0);
	ncap_init(&cap1, "cap1");
	CHECK_EQ(port_connect(netns_tap_port(nt1), &cap1.port), 0);
	orecs[0].cap = &e->cap;
	orecs[1].cap = &cap1;
	e->cap.on_other = orec_other;
	cap1.on_other = orec_other;
	sock = nst_ns_socket(e->ns, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(nst_ifmac(sock, "tap1", mac1), 0);
	close(sock);

	off_send(e, "tap0", e->tap_mac);
	off_send(e, "tap1", mac1);
	NST_RUN_UNTIL(&e->loop, orecs[0].n >= 11 && orecs[1].n >= 2, 3000);
	nst_run_for(&e->loop, 50);
	off_check_plain(&orecs[0]);
	off_check_gso(&orecs[1]);
	netns_tap_stats(e->nt, &st0);
	netns_tap_stats(nt1, &st1);
	CHECK_EQ(st0.rx_gso, 0);
	CHECK_EQ(st0.rx_csum, 0);
	CHECK(st1.rx_gso >= 1);
	CHECK(st1.rx_csum >= 1);
	printf("offload: off, 10 segments and a complete checksum; on, one "
	       "%u-byte GSO frame and a partial checksum\n",
	       OFF_FRAME);

	e->cap.on_other = NULL;
	ret = netns_tap_close(nt1);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(&e->loop, released1 == 1, 2000);
	ncap_fini(&cap1);
}

int main(void)
{
	struct netns_tap_config cfg = {0};
	struct env e = {0};
	int ret;

	nst_require();
	nst_loop_init(&e.loop);
	nst_ns_add(e.ns);
	cfg.netns = e.ns;
	cfg.released = on_released;
	cfg.released_arg = &e;
	ret = netns_tap_open(&e.nt, &cfg, &e.loop, "ns0");
	CHECK_EQ(ret, 0);
	ncap_init(&e.cap, "cap");
	CHECK_EQ(port_connect(netns_tap_port(e.nt), &e.cap.port), 0);
	e.pkt = nst_packet_socket(e.ns, "tap0");
	CHECK_EQ(nst_ifmac(e.pkt, "tap0", e.tap_mac), 0);

	test_port_to_tap(&e);
	test_tap_to_port(&e);
	test_giant(&e);
	test_vnet(&e);
	test_offload(&e);

	ret = netns_tap_close(e.nt);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(&e.loop, e.released == 1, 2000);
	CHECK_EQ(nst_ifindex(e.pkt, "tap0"), -ENODEV);
	close(e.pkt);
	ncap_fini(&e.cap);
	nst_ns_del(e.ns);
	CHECK(!nst_ns_exists(e.ns));
	uloop_fini(&e.loop);
	printf("netns-tap-frames: ok\n");
	return 0;
}
