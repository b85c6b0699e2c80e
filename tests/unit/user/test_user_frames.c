// SPDX-License-Identifier: GPL-2.0-or-later
/* test_user_frames.c: bad frames into slirp (runts, giants, lying headers, vnet offloads, junk). */

#include <errno.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/user.h"
#include "tests/unit/user/uguest.h"

static struct uloop loop;
static struct uguest g;
static struct user_backend *be;

static uint64_t drops(struct port *p, enum port_drop why)
{
	return p->stats[0].drops[why];
}

static bool is_arp_reply(const uint8_t *d, uint32_t len, void *arg)
{
	return len >= 42 && ub_rd16(d + 12) == 0x0806 && ub_rd16(d + 20) == 2;
}

/* the backend still answers ARP */
static void still_alive(void)
{
	uint8_t f[64];

	uguest_clear(&g);
	uguest_send(&g, f, ub_arp_request(f, g.ip, ub_addr("10.0.2.2")));
	CHECK(uguest_wait(&g, is_arp_reply, NULL, 2000) >= 0);
}

/* T-30: below 14 bytes the port layer drops (runt, charged to the sender);
 * 14..59-byte frames whose headers do not fit are malformed */
static void test_runts(void)
{
	struct port *up = user_port(be);
	uint64_t r0 = drops(&g.port, PORT_DROP_RUNT);
	uint64_t m0 = drops(up, PORT_DROP_MALFORMED);
	uint8_t f[64];
	uint32_t n;

	memset(f, 0, sizeof(f));
	for (n = 0; n < 14; n++)
		uguest_send(&g, f, n);
	CHECK_EQ(drops(&g.port, PORT_DROP_RUNT) - r0, 14);
	/* header-only IPv4, IPv6 and ARP frames, and a 41-byte ARP */
	ub_eth(f, (const uint8_t *)UG_GW_MAC, (const uint8_t *)UG_MAC, 0x0800);
	uguest_send(&g, f, 14);
	uguest_send(&g, f, 33);
	ub_eth(f, (const uint8_t *)UG_GW_MAC, (const uint8_t *)UG_MAC, 0x86dd);
	uguest_send(&g, f, 53);
	ub_arp_request(f, g.ip, ub_addr("10.0.2.2"));
	uguest_send(&g, f, 41);
	CHECK_EQ(drops(up, PORT_DROP_MALFORMED) - m0, 4);
	still_alive();
	printf("ok runts: 14 runt on the sender, 4 malformed on the backend\n");
}

/* T-31: over MRU + 18 without GSO is giant on the backend; over
 * FRAME_MAX_LEN the port layer drops it */
static void test_giants(void)
{
	static uint8_t f[FRAME_MAX_LEN + 16];
	struct port *up = user_port(be);
	uint64_t g0 = drops(up, PORT_DROP_GIANT);
	uint64_t s0 = drops(&g.port, PORT_DROP_GIANT);

	memset(f, 0, sizeof(f));
	ub_eth(f, (const uint8_t *)UG_GW_MAC, (const uint8_t *)UG_MAC, 0x0800);
	uguest_send(&g, f, 1500 + 18); /* fits: malformed (bad IPv4) */
	uguest_send(&g, f, 1500 + 19);
	uguest_send(&g, f, 9000);
	uguest_send(&g, f, FRAME_MAX_LEN);
	CHECK_EQ(drops(up, PORT_DROP_GIANT) - g0, 3);
	uguest_send(&g, f, FRAME_MAX_LEN + 1);
	CHECK_EQ(drops(&g.port, PORT_DROP_GIANT) - s0, 1);
	still_alive();
	printf("ok giants\n");
}

/* the giant limit follows qnet's mru= */
static void test_mru(void)
{
	static uint8_t f[5000];
	struct user_backend *b2;
	struct user_config c;
	struct user_err err;
	struct port *up;

	user_config_defaults(&c);
	c.mru = 4000;
	c.dns_proxy = false;
	CHECK_EQ(user_open(&b2, &c, &loop, "n1", &err), 0);
	up = user_port(b2);
	port_disconnect(&g.port);
	CHECK_EQ(port_connect(&g.port, up), 0);
	memset(f, 0, sizeof(f));
	ub_eth(f, (const uint8_t *)UG_GW_MAC, (const uint8_t *)UG_MAC, 0x0800);
	uguest_send(&g, f, 4018);
	CHECK_EQ(drops(up, PORT_DROP_GIANT), 0);
	CHECK_EQ(drops(up, PORT_DROP_MALFORMED), 1);
	uguest_send(&g, f, 4019);
	CHECK_EQ(drops(up, PORT_DROP_GIANT), 1);
	user_close(b2);
	uguest_run(&loop, 20);
	user_config_free(&c);
	CHECK_EQ(port_connect(&g.port, user_port(be)), 0);
	printf("ok mru=4000: 4018 bytes taken, 4019 giant\n");
}

/* IPv4 headers that lie about their lengths, and a fragment past 64 KiB */
static void test_lying_headers(void)
{
	struct port *up = user_port(be);
	uint64_t m0 = drops(up, PORT_DROP_MALFORMED);
	uint8_t f[256], *ip = f + 14;
	uint32_t n;

	n = ub_udp(f, g.ip, 1, ub_addr("10.0.2.2"), 9, "x", 1);
	ip[0] = 0x44; /* IHL 4 */
	uguest_send(&g, f, n);
	ip[0] = 0x45;
	ip[2] = 0x01; /* total length 256+ > frame */
	uguest_send(&g, f, n);
	ip[2] = 0;
	ip[3] = 10; /* total length < IHL */
	uguest_send(&g, f, n);
	ip[3] = (uint8_t)(n - 14);
	ip[6] = 0x1f; /* offset 65528 + payload > 65535 */
	ip[7] = 0xff;
	uguest_send(&g, f, n);
	ip[0] = 0x65; /* version 6 in an IPv4 frame */
	uguest_send(&g, f, n);
	CHECK_EQ(drops(up, PORT_DROP_MALFORMED) - m0, 5);
	still_alive();
	printf("ok lying IPv4 headers: malformed\n");
}

/* T-38/T-32: sources the guest cannot own are dropped and counted */
static void test_spoofed(void)
{
	static const char *const srcs[] = {"10.0.2.2", "10.0.2.3", "224.0.0.1",
					   "255.255.255.255", "0.0.0.0"};
	struct port *up = user_port(be);
	uint64_t m0 = drops(up, PORT_DROP_MALFORMED);
	struct user_stats st0, st1;
	uint8_t f[256];
	unsigned int i;
	uint32_t n;

	user_get_stats(be, &st0);
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		uguest_send(&g, f,
			    ub_udp(f, ub_addr(srcs[i]), 1000,
				   ub_addr("10.0.2.2"), 9, "s", 1));
	uguest_send(&g, f, ub_udp(f, g.ip, 0, ub_addr("10.0.2.2"), 9, "s", 1));
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, 0, ub_addr("10.0.2.2"), 9, 1, 0, 0x02, NULL,
			   0));
	n = ub_udp(f, g.ip, 1000, ub_addr("10.0.2.2"), 9, "s", 1);
	f[6] = 0x01; /* multicast source MAC */
	uguest_send(&g, f, n);
	user_get_stats(be, &st1);
	CHECK_EQ(drops(up, PORT_DROP_MALFORMED) - m0, 8);
	CHECK_EQ(st1.in_spoofed - st0.in_spoofed, 8);
	CHECK_EQ(st1.in_frames, st0.in_frames);
	still_alive();
	printf("ok spoofed sources: dropped and counted\n");
}

/* a host UDP socket on 127.0.0.1, its port */
static int udp_host(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(s >= 0 && !bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_EQ(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return s;
}

/* run the loop until @s has a datagram; return its length */
static ssize_t udp_wait(int s, void *buf, size_t len)
{
	struct pollfd p = {.fd = s, .events = POLLIN};
	int i;

	for (i = 0; i < 100 && poll(&p, 1, 0) == 0; i++)
		uguest_run(&loop, 20);
	return recv(s, buf, len, MSG_DONTWAIT);
}

/* the partial checksum a guest leaves with NEEDS_CSUM: pseudo-header only */
static void leave_partial(uint8_t *f, uint32_t n, uint32_t l4off,
			  uint32_t csum_at, uint8_t proto)
{
	uint32_t l4len = n - l4off, sum = 0, i;
	uint8_t ph[12];
	uint16_t c;

	memcpy(ph, f + 26, 8);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(l4len >> 8);
	ph[11] = (uint8_t)l4len;
	for (i = 0; i < 12; i += 2)
		sum += ub_rd16(ph + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)sum;
	f[l4off + csum_at] = (uint8_t)(c >> 8);
	f[l4off + csum_at + 1] = (uint8_t)c;
}

/* NEEDS_CSUM: the checksum is completed before libslirp checks it */
static void test_csum(void)
{
	struct virtio_net_hdr_v1 h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      .csum_start = 34,
				      .csum_offset = 6};
	struct user_stats st0, st1;
	uint8_t f[256], buf[64];
	uint16_t port;
	int s = udp_host(&port);
	uint32_t n;

	user_get_stats(be, &st0);
	n = ub_udp(f, g.ip, 5001, ub_addr("10.0.2.2"), port, "offload", 7);
	leave_partial(f, n, 34, 6, 17);
	uguest_send_vnet(&g, f, n, &h);
	CHECK_EQ(udp_wait(s, buf, sizeof(buf)), 7);
	CHECK(!memcmp(buf, "offload", 7));
	user_get_stats(be, &st1);
	CHECK_EQ(st1.in_csum - st0.in_csum, 1);
	close(s);
	printf("ok NEEDS_CSUM completed in software\n");
}

/* T-31/measure 7: unusable virtio-net headers are bad_vnet_hdr */
static void test_bad_vnet(void)
{
	struct port *up = user_port(be);
	uint64_t b0 = drops(up, PORT_DROP_BAD_VNET);
	struct virtio_net_hdr_v1 h;
	uint8_t f[256];
	uint32_t n = ub_udp(f, g.ip, 1, ub_addr("10.0.2.2"), 9, "abc", 3);

	h = (struct virtio_net_hdr_v1){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       .csum_start = 34,
				       .csum_offset = 200};
	uguest_send_vnet(&g, f, n, &h);
	h.csum_start = 4;
	h.csum_offset = 6;
	uguest_send_vnet(&g, f, n, &h);
	h = (struct virtio_net_hdr_v1){.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				       .gso_size = 100};
	uguest_send_vnet(&g, f, n, &h); /* GSO without NEEDS_CSUM */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 16;
	h.gso_size = 0;
	uguest_send_vnet(&g, f, n, &h); /* gso_size 0 */
	h.gso_type = 5;			/* USO: not supported */
	h.gso_size = 100;
	uguest_send_vnet(&g, f, n, &h);
	h.gso_type = 9; /* unknown */
	uguest_send_vnet(&g, f, n, &h);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4; /* but the frame is UDP */
	uguest_send_vnet(&g, f, n, &h);
	/* as the device and the tap refuse them: an unknown flag bit, and
	 * the ECN bit without TCP GSO */
	h = (struct virtio_net_hdr_v1){.flags = 0x40};
	uguest_send_vnet(&g, f, n, &h);
	h = (struct virtio_net_hdr_v1){.gso_type = VIRTIO_NET_HDR_GSO_ECN};
	uguest_send_vnet(&g, f, n, &h);
	CHECK_EQ(drops(up, PORT_DROP_BAD_VNET) - b0, 9);
	still_alive();
	printf("ok bad virtio-net headers: bad_vnet_hdr\n");
}

/* UDP GSO (fragmentation offload): one 3000-byte datagram reaches the host */
static void test_gso_udp(void)
{
	struct virtio_net_hdr_v1 h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      .gso_type = VIRTIO_NET_HDR_GSO_UDP,
				      .gso_size = 1472,
				      .hdr_len = 42,
				      .csum_start = 34,
				      .csum_offset = 6};
	static uint8_t f[4096], pay[3000], buf[4096];
	struct user_stats st0, st1;
	uint16_t port;
	int s = udp_host(&port);
	uint32_t n, i;

	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)i;
	user_get_stats(be, &st0);
	/* build a small datagram, then grow it by hand (ub_udp caps at 1600) */
	n = ub_udp(f, g.ip, 5002, ub_addr("10.0.2.2"), port, pay, 8);
	memcpy(f + 42, pay, sizeof(pay));
	n = 42 + sizeof(pay);
	f[16] = 0; /* lengths and checksums are left wrong on purpose */
	f[17] = 0;
	leave_partial(f, n, 34, 6, 17);
	uguest_send_vnet(&g, f, n, &h);
	CHECK_EQ(udp_wait(s, buf, sizeof(buf)), (ssize_t)sizeof(pay));
	CHECK(!memcmp(buf, pay, sizeof(pay)));
	user_get_stats(be, &st1);
	CHECK_EQ(st1.in_gso - st0.in_gso, 1);
	close(s);
	printf("ok UDP GSO: 3000-byte datagram delivered whole\n");
}

struct synack {
	uint16_t port;
	uint32_t seq;
};

static bool is_synack(const uint8_t *d, uint32_t len, void *arg)
{
	struct synack *m = arg;
	struct ub_ipv4 ip;

	if (!ub_parse_ipv4(d, len, &ip) || ip.proto != 6 || ip.l4len < 20 ||
	    ub_rd16(ip.l4) != m->port || (ip.l4[13] & 0x12) != 0x12)
		return false;
	m->seq = ub_rd32(ip.l4 + 4);
	return true;
}

/* TCP GSO: a 4000-byte super-segment, lengths and checksum left to us */
static void test_gso_tcp(void)
{
	struct virtio_net_hdr_v1 h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				      .gso_size = 1000,
				      .hdr_len = 54,
				      .csum_start = 34,
				      .csum_offset = 16};
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static uint8_t f[8192], pay[4000], buf[8192];
	struct in_addr gw = ub_addr("10.0.2.2");
	socklen_t alen = sizeof(a);
	struct user_stats st0, st1;
	struct pollfd p;
	struct synack m;
	int l, c, i;
	size_t got = 0;
	ssize_t r;
	uint32_t n;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1));
	CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	m.port = ntohs(a.sin_port);
	uguest_clear(&g);
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, 40100, gw, m.port, 100, 0, 0x02, NULL, 0));
	CHECK(uguest_wait(&g, is_synack, &m, 2000) >= 0);
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, 40100, gw, m.port, 101, m.seq + 1, 0x10,
			   NULL, 0));
	p = (struct pollfd){.fd = l, .events = POLLIN};
	for (i = 0; i < 100 && poll(&p, 1, 0) == 0; i++)
		uguest_run(&loop, 20);
	c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(c >= 0);
	for (i = 0; i < (int)sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 7);
	n = ub_tcp(f, g.ip, 40100, gw, m.port, 101, m.seq + 1, 0x18, NULL, 0);
	memcpy(f + n, pay, sizeof(pay));
	n += sizeof(pay);
	f[16] = f[17] = 0xee; /* wrong on purpose */
	leave_partial(f, n, 34, 16, 6);
	user_get_stats(be, &st0);
	uguest_send_vnet(&g, f, n, &h);
	for (i = 0; i < 100 && got < sizeof(pay); i++) {
		uguest_run(&loop, 20);
		r = recv(c, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
	}
	CHECK_EQ(got, sizeof(pay));
	CHECK(!memcmp(buf, pay, sizeof(pay)));
	user_get_stats(be, &st1);
	CHECK_EQ(st1.in_gso - st0.in_gso, 1);
	close(c);
	close(l);
	printf("ok TCP GSO: one 4000-byte super-segment reached the host\n");
}

/* junk: random frames with valid Ethernet/IPv4 framing, and truncated
 * DHCP/TFTP payloads of every size (T-36); nothing may crash */
static void test_junk(void)
{
	static const uint16_t ports[] = {67, 53, 69, 9};
	uint32_t seed = 12345, n, i, k;
	uint8_t f[1600], pay[1500];

	for (i = 0; i < 4; i++) {
		for (n = 0; n < 300; n++) {
			for (k = 0; k < n; k++) {
				seed = seed * 1103515245u + 12345u;
				pay[k] = (uint8_t)(seed >> 16);
			}
			/* 10.0.2.2 only: DNS to 10.0.2.3 would leave the
			 * machine through the host's resolver */
			uguest_send(&g, f,
				    ub_udp(f, g.ip, 68, ub_addr("10.0.2.2"),
					   ports[i], pay, n));
		}
		uguest_run(&loop, 10);
	}
	for (i = 0; i < 2000; i++) {
		seed = seed * 1103515245u + 12345u;
		n = 14 + (seed >> 16) % 200;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			f[k] = (uint8_t)(seed >> 16);
		}
		ub_eth(f, (const uint8_t *)UG_GW_MAC, (const uint8_t *)UG_MAC,
		       i & 1 ? 0x0800 : (i & 2 ? 0x0806 : 0x86dd));
		/* destinations stay on the virtual network (and so on the
		 * host's loopback): junk must never leave the machine */
		if (i & 1) {
			f[14] = 0x45;
			f[16] = 0;
			f[17] = (uint8_t)(n - 14);
			f[20] = f[21] = 0;
			if (n >= 34)
				memcpy(f + 26,
				       "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
		} else if (!(i & 2) && n >= 54) {
			memcpy(f + 38, "\xfe\xc0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02",
			       16);
		}
		uguest_send(&g, f, n);
		if (i % 64 == 0)
			uloop_run_once(&loop, 0);
	}
	uguest_run(&loop, 50);
	still_alive();
	printf("ok junk: 1200 truncated service payloads, 2000 random "
	       "frames\n");
}

/* every frame libslirp produced is accounted for */
static void test_accounting(void)
{
	struct port *up = user_port(be);
	struct user_stats st;
	uint64_t sent_side;

	uguest_run(&loop, 20);
	user_get_stats(be, &st);
	sent_side = up->stats[0].tx_packets + drops(up, PORT_DROP_QUEUE_FULL) +
		    drops(up, PORT_DROP_NO_PEER) +
		    drops(up, PORT_DROP_LINK_DOWN);
	printf("out: %llu frames, %llu dropped before the port, %llu ACKs "
	       "coalesced, %llu sent, %llu padded\n",
	       (unsigned long long)st.out_frames,
	       (unsigned long long)st.out_dropped,
	       (unsigned long long)st.ack_coalesced,
	       (unsigned long long)up->stats[0].tx_packets,
	       (unsigned long long)st.out_padded);
	CHECK_EQ(st.out_frames - st.out_dropped - st.ack_coalesced, sent_side);
	CHECK_EQ(drops(up, PORT_DROP_FILTER), st.ack_coalesced);
	CHECK_EQ(up->stats[0].tx_packets, g.seen);
	printf("ok accounting\n");
}

int main(void)
{
	struct user_config c;
	struct user_err err;
	int ret;

	ret = uloop_init(&loop, NULL);
	if (ret) {
		printf("SKIP: io_uring unavailable (%s)\n", strerror(-ret));
		return 77;
	}
	CHECK_EQ(uguest_init(&g, &loop), 0);
	user_config_defaults(&c);
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), 0);
	CHECK_EQ(port_connect(&g.port, user_port(be)), 0);
	still_alive();
	test_runts();
	test_giants();
	test_mru();
	test_lying_headers();
	test_spoofed();
	test_csum();
	test_bad_vnet();
	test_gso_udp();
	test_gso_tcp();
	test_junk();
	test_accounting();
	ret = user_close(be);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	uguest_run(&loop, 30);
	user_config_free(&c);
	uguest_fini(&g);
	uloop_fini(&loop);
	return 0;
}
