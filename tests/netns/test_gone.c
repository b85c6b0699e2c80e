// SPDX-License-Identifier: GPL-2.0-or-later
/* test_gone.c: tap down, tap deleted inside, namespace deleted. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "devices/netns_tap.h"
#include "tests/netns/nstest.h"

static const uint8_t host_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static unsigned int released;

static void on_released(void *arg)
{
	released++;
}

static void set_up(int sock, const char *ifname, bool up)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	CHECK_EQ(ioctl(sock, SIOCGIFFLAGS, &ifr), 0);
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	CHECK_EQ(ioctl(sock, SIOCSIFFLAGS, &ifr), 0);
}

static void fill(struct nst_frames *t, unsigned int first)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		t->f[i].len = nst_frame_len(first + i);
		nst_frame_fill(t->f[i].data, t->f[i].len, first + i, bcast,
			       host_mac);
	}
}

static void close_and_wait(struct uloop *loop, struct netns_tap *nt)
{
	unsigned int before = released;
	int ret = netns_tap_close(nt);

	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(loop, released == before + 1, 2000);
}

/*
 * The namespace takes its tap down and up again: writes meanwhile are
 * written or counted as failed, then both directions work again; then it
 * deletes the tap: the link goes down and the peer's frames drop as
 * link_down (no failing write per frame).
 */
static void test_down_and_deleted(struct uloop *loop)
{
	struct netns_tap_config cfg = {.released = on_released};
	char ns[NST_NS_NAME_MAX];
	const char *del[] = {"ip", "-n", ns, "link", "del", "tap0", NULL};
	struct netns_tap_stats st;
	struct port_stats cs;
	struct netns_tap *nt;
	struct nst_frames t;
	struct ncap cap;
	uint8_t buf[2048], mac[6];
	int pkt, n;

	nst_ns_add(ns);
	nst_ns_no_ipv6(ns);
	cfg.netns = ns;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "ns0"), 0);
	ncap_init(&cap, "cap");
	CHECK_EQ(port_connect(netns_tap_port(nt), &cap.port), 0);
	pkt = nst_packet_socket(ns, "tap0");
	CHECK_EQ(nst_ifmac(pkt, "tap0", mac), 0);

	set_up(pkt, "tap0", false);
	nst_frames_new(&t, 5);
	fill(&t, 0);
	ncap_send(&cap, t.ptr, 5);
	NST_RUN_UNTIL(loop, nst_frames_idle(&t), 2000);
	netns_tap_stats(nt, &st);
	CHECK_EQ(st.tx_frames + st.tx_errors, 5);
	set_up(pkt, "tap0", true);
	fill(&t, 100);
	ncap_send(&cap, t.ptr, 5);
	NST_RUN_UNTIL(loop, nst_frames_idle(&t), 2000);
	do
		n = nst_pkt_recv_ours(pkt, buf, sizeof(buf), 1000);
	while (n > 0 && nst_frame_seq(buf, (unsigned int)n) < 100);
	CHECK(n > 0 &&
	      nst_frame_check(buf, (unsigned int)n, 100, bcast, host_mac));
	nst_frame_fill(buf, nst_frame_len(7), 7, host_mac, mac);
	CHECK_EQ(nst_pkt_send(pkt, buf, nst_frame_len(7)), 0);
	NST_RUN_UNTIL(loop, cap.n == 1, 2000);

	CHECK_EQ(nst_cmd(del), 0);
	NST_RUN_UNTIL(loop, !port_link_ok(&cap.port), 2000);
	netns_tap_stats(nt, &st);
	CHECK_EQ(st.rx_ends, 1);
	CHECK(st.rx_last_error < 0);
	CHECK(cap.link_changes >= 1);
	printf("tap deleted inside: reading ended with %s\n",
	       strerror(-st.rx_last_error));
	fill(&t, 200);
	ncap_send(&cap, t.ptr, 5);
	port_stats_sum(&cap.port, &cs);
	CHECK_EQ(cs.drops[PORT_DROP_LINK_DOWN], 5);
	CHECK(nst_frames_idle(&t));

	close_and_wait(loop, nt);
	nst_frames_free(&t);
	ncap_fini(&cap);
	close(pkt);
	nst_ns_del(ns);
}

/*
 * `ip netns del` while served: the namespace lives on while qnet holds the
 * tap (as it does for any process inside it); frames still flow; close
 * removes the tap.
 */
static void test_ns_deleted(struct uloop *loop)
{
	struct netns_tap_config cfg = {.released = on_released};
	char ns[NST_NS_NAME_MAX];
	struct netns_tap *nt;
	struct ncap cap;
	uint8_t buf[2048], mac[6];
	int pkt;

	nst_ns_add(ns);
	nst_ns_no_ipv6(ns);
	cfg.netns = ns;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "ns0"), 0);
	ncap_init(&cap, "cap");
	CHECK_EQ(port_connect(netns_tap_port(nt), &cap.port), 0);
	pkt = nst_packet_socket(ns, "tap0");
	CHECK_EQ(nst_ifmac(pkt, "tap0", mac), 0);
	nst_ns_del(ns);
	CHECK(!nst_ns_exists(ns));

	nst_frame_fill(buf, nst_frame_len(1), 1, host_mac, mac);
	CHECK_EQ(nst_pkt_send(pkt, buf, nst_frame_len(1)), 0);
	NST_RUN_UNTIL(loop, cap.n == 1, 2000);
	CHECK(nst_frame_check(cap.arena, cap.len[0], 1, host_mac, mac));

	close_and_wait(loop, nt);
	CHECK_EQ(nst_ifindex(pkt, "tap0"), -ENODEV);
	ncap_fini(&cap);
	close(pkt);
}

int main(void)
{
	struct uloop loop;

	nst_require();
	nst_loop_init(&loop);
	test_down_and_deleted(&loop);
	test_ns_deleted(&loop);
	uloop_fini(&loop);
	printf("netns-tap-gone: ok\n");
	return 0;
}
