// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp_fault.c: af-xdp faults (T-55): interface removed under traffic, program detached from outside, fill ring starved, close with frames out. */

#include <string.h>
#include <unistd.h>

#include "backends/afxdp.h"
#include "tests/netns/xdp_env.h"

static struct xe e;
static struct xe_fe fe;

static struct afxdp *open_netdev(enum afxdp_mode mode)
{
	struct afxdp_config cfg = {
		.ifname = e.a, .mode = mode, .has_mac = true,
		.frames = 256, .ring_size = 128,
	};
	struct afxdp *a;

	memcpy(cfg.mac, xe_guest_mac, 6);
	XE_EQ(afxdp_open(&a, &cfg, &e.loop, "x0"), 0);
	XE_EQ(port_connect(afxdp_port(a), &fe.port), 0);
	return a;
}

static void send_burst(int sb, uint32_t seq0, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		xe_pkt_send(sb, xe_guest_mac, e.bmac, seq0 + i, 200);
}

static struct afxdp_info info_of(struct afxdp *a)
{
	struct afxdp_info in;

	XE_EQ(afxdp_info(a, &in), 0);
	return in;
}

/* The interface disappears while frames flow both ways. */
static void test_gone(int sb)
{
	struct afxdp *a = open_netdev(AFXDP_MODE_NATIVE);
	struct port_stats ps;
	unsigned int i;

	for (i = 0; i < 20; i++) {
		send_burst(sb, i * 50, 50);
		xe_fe_send(&fe, 0, e.bmac, 100000 + i * 50, 50, 300);
		xe_run_for(&e, 2);
		if (i == 10)
			XE_EQ(xe_sh(&e, false, "ip link del %s", e.a), 0);
	}
	XE_RUN_UNTIL(&e.loop, info_of(a).error != 0, 3000);
	printf("gone: error %d (%s), link %s\n", info_of(a).error,
	       strerror(-info_of(a).error),
	       port_link_ok(&fe.port) ? "up" : "down");
	XE_CHECK(!port_link_ok(&fe.port));
	/* frames sent now are dropped and counted, nothing else happens */
	port_stats_sum(&fe.port, &ps);
	xe_fe_send(&fe, 0, e.bmac, 900000, 10, 100);
	{
		struct port_stats ps2;

		port_stats_sum(&fe.port, &ps2);
		XE_EQ(ps2.drops[PORT_DROP_LINK_DOWN] - ps.drops[PORT_DROP_LINK_DOWN], 10);
	}
	port_disconnect(&fe.port);
	afxdp_close(a);
}

/* Someone removes the program: the next check notices, link down. */
static void test_detached(int sb, enum afxdp_mode mode)
{
	struct afxdp *a = open_netdev(mode);
	uint64_t rx0 = fe.rx;

	send_burst(sb, 0, 10);
	XE_RUN_UNTIL(&e.loop, fe.rx - rx0 == 10, 3000);
	XE_EQ(xe_sh(&e, false, "ip link set dev %s %s off", e.a,
		    mode == AFXDP_MODE_SKB ? "xdpgeneric" : "xdpdrv"), 0);
	XE_RUN_UNTIL(&e.loop, info_of(a).error != 0, 3000);
	XE_EQ(info_of(a).error, -ENOLINK);
	XE_CHECK(!port_link_ok(&fe.port));
	port_disconnect(&fe.port);
	afxdp_close(a);
}

/*
 * The guest keeps every RX frame: the fill ring starves and the kernel
 * drops (and counts); once the frames come back, traffic resumes. Then
 * backpressure: a front-end that takes 8 frames at a time and wakes us.
 */
static void test_starve(int sb)
{
	struct afxdp *a = open_netdev(AFXDP_MODE_NATIVE);
	struct afxdp_stats st;
	uint64_t rx0;

	fe.keep = true;
	send_burst(sb, 0, 400);	/* 128 RX chunks */
	xe_run_for(&e, 200);
	XE_EQ(fe.nkept, 128);
	XE_EQ(afxdp_stats(a, &st), 0);
	printf("starve: kept %u, kernel fill-empty %llu, dropped %llu\n",
	       fe.nkept, (unsigned long long)st.k_fill_empty,
	       (unsigned long long)st.k_rx_dropped);
	XE_CHECK(st.k_fill_empty + st.k_rx_dropped > 0);
	fe.keep = false;
	xe_fe_release(&fe);
	xe_run_for(&e, 10);	/* one iteration refills the fill ring */
	rx0 = fe.rx;
	send_burst(sb, 1000, 100);
	XE_RUN_UNTIL(&e.loop, fe.rx - rx0 == 100, 3000);

	/* backpressure: take 8 per call, hold the netdev, then wake it */
	fe.cap = 8;
	rx0 = fe.rx;
	send_burst(sb, 2000, 100);
	xe_run_for(&e, 100);
	XE_EQ(fe.rx - rx0, 8);
	fe.cap = 0;
	port_wake(&fe.port, 0);
	XE_RUN_UNTIL(&e.loop, fe.rx - rx0 == 100, 3000);

	/* close while the guest still holds RX frames: they stay valid */
	fe.keep = true;
	rx0 = fe.rx;
	send_burst(sb, 3000, 20);
	XE_RUN_UNTIL(&e.loop, fe.rx - rx0 == 20, 3000);
	port_disconnect(&fe.port);
	afxdp_close(a);
	{
		uint32_t seq;
		unsigned int i;

		for (i = 0; i < fe.nkept; i++)	/* still readable, intact */
			XE_EQ(xe_frame_seq(fe.kept[i]->data, fe.kept[i]->len,
					   &seq), 0);
	}
	fe.keep = false;
	xe_fe_release(&fe);	/* the last one frees the UMEM */
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "gone";
	int sb;

	xe_require("af-xdp faults");
	xe_init(&e, 1);
	xe_fe_init(&fe, 1);
	sb = xe_pkt_open(&e, true);
	if (!strcmp(what, "gone")) {
		test_gone(sb);
	} else if (!strcmp(what, "detached")) {
		test_detached(sb, AFXDP_MODE_NATIVE);
		test_detached(sb, AFXDP_MODE_SKB);
	} else {
		test_starve(sb);
	}
	close(sb);
	xe_fe_fini(&fe);
	xe_fini(&e);
	printf("af-xdp fault %s: ok\n", what);
	return 0;
}
