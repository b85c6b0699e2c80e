// SPDX-License-Identifier: GPL-2.0-or-later
/* test_frames.c: frames both ways, byte-exact and in batches. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

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
