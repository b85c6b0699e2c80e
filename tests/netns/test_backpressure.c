// SPDX-License-Identifier: GPL-2.0-or-later
/* test_backpressure.c: held reader, nothing lost, overflow counted. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "devices/netns_tap.h"
#include "tests/netns/nstest.h"

#define RX_BUFS	 64
#define TX_SLOTS 4
#define N_TX	 300

static const uint8_t host_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct env {
	struct uloop loop;
	char ns[NST_NS_NAME_MAX];
	struct netns_tap *nt;
	struct ncap cap;
	int pkt;
	uint8_t tap_mac[6];
	unsigned int qlen;
	unsigned int released;
};

static void on_released(void *arg)
{
	((struct env *)arg)->released++;
}

/* Send test frames first..first+n-1 from inside the namespace. */
static void ns_send(struct env *e, unsigned int first, unsigned int n)
{
	uint8_t buf[2048];
	unsigned int i;

	for (i = first; i < first + n; i++) {
		nst_frame_fill(buf, nst_frame_len(i), i, host_mac, e->tap_mac);
		CHECK_EQ(nst_pkt_send(e->pkt, buf, nst_frame_len(i)), 0);
	}
}

static uint64_t tap_tx_dropped(struct env *e)
{
	struct rtnl_link_stats64 ls;

	CHECK_EQ(netns_tap_link_stats(e->nt, &ls), 0);
	return ls.tx_dropped;
}

/*
 * Held reader: every buffer fills, reading stops (no re-arm, no spinning),
 * the tap's queue keeps the rest; after the resume all arrive in order.
 */
static void test_hold_resume(struct env *e)
{
	unsigned int n = RX_BUFS + e->qlen / 2, i;
	const struct uloop_stats *ls = uloop_stats(&e->loop);
	struct netns_tap_stats st;
	uint64_t iters, rearms;

	ncap_set_budget(&e->cap, 0);
	ns_send(e, 0, n);
	nst_run_for(&e->loop, 100);
	netns_tap_stats(e->nt, &st);
	CHECK_EQ(e->cap.n, 0);
	CHECK(st.rx_holds >= 1);
	CHECK_EQ(st.rx_pending, RX_BUFS);
	CHECK(st.rx_enobufs >= 1);
	/* parked: the loop sleeps instead of re-arming the read */
	iters = ls->iterations;
	rearms = ls->rearms;
	nst_run_for(&e->loop, 200);
	CHECK(ls->iterations - iters < 10);
	CHECK_EQ(ls->rearms, rearms);
	CHECK_EQ(tap_tx_dropped(e), 0);

	ncap_set_budget(&e->cap, UINT32_MAX);
	NST_RUN_UNTIL(&e->loop, e->cap.n == n, 3000);
	for (i = 0; i < n; i++)
		CHECK(nst_frame_check(e->cap.arena + e->cap.off[i],
				      e->cap.len[i], i, host_mac, e->tap_mac));
	netns_tap_stats(e->nt, &st);
	CHECK(st.rx_resumes >= 1);
	CHECK_EQ(st.rx_pending, 0);
	CHECK_EQ(tap_tx_dropped(e), 0);
	printf("held: %u frames kept (%u in buffers, the rest in the tap's "
	       "queue of %u), all delivered after the resume\n",
	       n, RX_BUFS, e->qlen);
}

/*
 * More than buffers + tap queue while held: the tap drops the excess and
 * counts it; what arrives is in order and byte-exact, and
 * arrived + dropped = sent.
 */
static void test_overflow(struct env *e)
{
	unsigned int n = RX_BUFS + e->qlen + 200, first = 10000, base, i;
	uint64_t d0 = tap_tx_dropped(e), dropped, got;
	int last = -1, seq;

	base = e->cap.n;
	ncap_set_budget(&e->cap, 0);
	ns_send(e, first, n);
	nst_run_for(&e->loop, 100);
	CHECK_EQ(e->cap.n, base);
	ncap_set_budget(&e->cap, UINT32_MAX);
	nst_run_for(&e->loop, 300);
	got = e->cap.n - base;
	dropped = tap_tx_dropped(e) - d0;
	printf("overflow: sent %u, delivered %llu, dropped by the tap %llu\n",
	       n, (unsigned long long)got, (unsigned long long)dropped);
	CHECK_EQ(got + dropped, n);
	CHECK(dropped > 0);
	CHECK(got >= RX_BUFS);
	for (i = base; i < e->cap.n; i++) {
		seq = nst_frame_seq(e->cap.arena + e->cap.off[i],
				    e->cap.len[i]);
		CHECK(seq > last && seq < (int)(first + n));
		CHECK(nst_frame_check(e->cap.arena + e->cap.off[i],
				      e->cap.len[i], (unsigned int)seq,
				      host_mac, e->tap_mac));
		last = seq;
	}
}

/* Write slots full: the port is held, resumed, and nothing is lost. */
static void test_tx_hold(struct env *e)
{
	struct netns_tap_stats st;
	struct port_stats cs;
	struct nst_frames t;
	uint8_t buf[2048];
	unsigned int i;
	int n;

	nst_frames_new(&t, N_TX);
	for (i = 0; i < N_TX; i++) {
		t.f[i].len = nst_frame_len(i);
		nst_frame_fill(t.f[i].data, t.f[i].len, i, bcast, host_mac);
	}
	ncap_send(&e->cap, t.ptr, N_TX);
	CHECK(e->cap.npend > 0); /* held after TX_SLOTS */
	NST_RUN_UNTIL(&e->loop, nst_frames_idle(&t) && !e->cap.npend, 3000);
	for (i = 0; i < N_TX; i++) {
		n = nst_pkt_recv_ours(e->pkt, buf, sizeof(buf), 2000);
		CHECK(n > 0);
		CHECK(nst_frame_check(buf, (unsigned int)n, i, bcast,
				      host_mac));
	}
	netns_tap_stats(e->nt, &st);
	CHECK(st.tx_full >= 1);
	CHECK_EQ(st.tx_frames, N_TX);
	CHECK(e->cap.resumes >= 1);
	port_stats_sum(&e->cap.port, &cs);
	CHECK_EQ(cs.tx_packets, N_TX);
	CHECK_EQ(port_stats_drops(&cs), 0);
	printf("write slots: %u frames through %u slots, %llu holds\n", N_TX,
	       TX_SLOTS, (unsigned long long)st.tx_full);
	nst_frames_free(&t);
}

int main(void)
{
	struct netns_tap_config cfg = {.rx_bufs = RX_BUFS,
				       .tx_slots = TX_SLOTS};
	struct env e = {0};
	struct port_stats ps;
	struct ifreq ifr;
	int ret;

	nst_require();
	nst_loop_init(&e.loop);
	nst_ns_add(e.ns);
	nst_ns_no_ipv6(e.ns);
	cfg.netns = e.ns;
	cfg.released = on_released;
	cfg.released_arg = &e;
	CHECK_EQ(netns_tap_open(&e.nt, &cfg, &e.loop, "ns0"), 0);
	ncap_init(&e.cap, "cap");
	CHECK_EQ(port_connect(netns_tap_port(e.nt), &e.cap.port), 0);
	e.pkt = nst_packet_socket(e.ns, "tap0");
	CHECK_EQ(nst_ifmac(e.pkt, "tap0", e.tap_mac), 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "tap0");
	CHECK_EQ(ioctl(e.pkt, SIOCGIFTXQLEN, &ifr), 0);
	e.qlen = (unsigned int)ifr.ifr_qlen;
	CHECK(e.qlen > 0 && e.qlen < 4000);

	test_hold_resume(&e);
	test_overflow(&e);
	test_tx_hold(&e);

	/* send side: everything read was taken (nothing pending, no drops) */
	port_stats_sum(netns_tap_port(e.nt), &ps);
	CHECK_EQ(ps.tx_packets, e.cap.n);
	CHECK_EQ(port_stats_drops(&ps), 0);
	ret = netns_tap_close(e.nt);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(&e.loop, e.released == 1, 2000);
	CHECK_EQ(nst_ifindex(e.pkt, "tap0"), -ENODEV);
	close(e.pkt);
	ncap_fini(&e.cap);
	nst_ns_del(e.ns);
	uloop_fini(&e.loop);
	printf("netns-tap-backpressure: ok\n");
	return 0;
}
