// SPDX-License-Identifier: GPL-2.0-or-later
/* test_steer.c: the af-xdp steering program on crafted frames (bpf_prog_test_run_opts). */

#include <linux/bpf.h>
#include <sys/socket.h>

#include "datapath/bpf/xdp_load.h"
#include "tests/bpf/btest.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

static const uint16_t protos[] = {
	0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x88cc, 0x8847, 0x88b5, 0x0042,
};

static uint8_t buf[9000];

static uint64_t stat_of(const struct xdp_load *x, enum xdp_steer_stat s)
{
	uint64_t st[XDP_STEER_STAT_COUNT];

	BT_EQ(xdp_load_stats(x, st), 0);
	return st[s];
}

/* Verdict for a frame of @len bytes to @dst with ethertype @proto. */
static int verdict(const struct xdp_load *x, const uint8_t dst[6],
		   uint16_t proto, uint32_t len)
{
	bt_frame(buf, len, dst, proto, 3);
	return bt_run(xdp_load_prog_fd(x), buf, len);
}

/* Nothing configured: every frame goes to the host stack. */
static void test_unconfigured(struct xdp_load *x)
{
	unsigned int i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		BT_EQ(verdict(x, bt_guest, protos[i], 60), XDP_PASS);
	BT_EQ(stat_of(x, XDP_STEER_TO_HOST), sizeof(protos) / sizeof(protos[0]));
	BT_EQ(stat_of(x, XDP_STEER_TO_GUEST), 0);
}

/* Guest MAC only: its unicast frames, of every ethertype and size. */
static void test_mac(struct xdp_load *x)
{
	static const uint32_t lens[] = { 14, 15, 60, 64, 1514, 1518, 4000, 9000 };
	unsigned int i, j;
	uint64_t guest0 = stat_of(x, XDP_STEER_TO_GUEST);
	uint64_t n = 0;

	BT_EQ(xdp_load_set_steer(x, bt_guest, XDP_STEER_F_MAC), 0);
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			BT_EQ(verdict(x, bt_guest, protos[i], lens[j]),
			      XDP_REDIRECT);
			BT_EQ(verdict(x, bt_other, protos[i], lens[j]), XDP_PASS);
			n++;
		}
	}
	BT_EQ(stat_of(x, XDP_STEER_TO_GUEST) - guest0, n);
	/* broadcast and multicast stay with the host without MCAST */
	BT_EQ(verdict(x, bt_bcast, 0x0806, 60), XDP_PASS);
	BT_EQ(verdict(x, bt_mcast, 0x0800, 60), XDP_PASS);
	/* one byte off */
	{
		uint8_t near[6];

		memcpy(near, bt_guest, 6);
		near[5] ^= 1;
		BT_EQ(verdict(x, near, 0x0800, 60), XDP_PASS);
		memcpy(near, bt_guest, 6);
		near[0] ^= 2;
		BT_EQ(verdict(x, near, 0x0800, 60), XDP_PASS);
	}
}

static void test_mcast_all(struct xdp_load *x)
{
	BT_EQ(xdp_load_set_steer(x, bt_guest, XDP_STEER_F_MAC | XDP_STEER_F_MCAST), 0);
	BT_EQ(verdict(x, bt_bcast, 0x0806, 60), XDP_REDIRECT);
	BT_EQ(verdict(x, bt_mcast, 0x0800, 60), XDP_REDIRECT);
	BT_EQ(verdict(x, bt_mcast6, 0x86dd, 86), XDP_REDIRECT);
	BT_EQ(verdict(x, bt_other, 0x0800, 60), XDP_PASS);
	BT_EQ(verdict(x, bt_guest, 0x0800, 60), XDP_REDIRECT);

	BT_EQ(xdp_load_set_steer(x, NULL, XDP_STEER_F_ALL), 0);
	BT_EQ(verdict(x, bt_other, 0x0800, 60), XDP_REDIRECT);
	BT_EQ(verdict(x, bt_other, 0x86dd, 9000), XDP_REDIRECT);
	BT_EQ(verdict(x, bt_bcast, 0x0806, 14), XDP_REDIRECT);
	BT_EQ(xdp_load_set_steer(x, NULL, 1u << 7), -EINVAL);
}

/* No socket on the queue: the frame goes to the host and is counted. */
static void test_no_socket(struct xdp_load *x)
{
	uint64_t before = stat_of(x, XDP_STEER_NO_SOCKET);

	BT_EQ(xdp_load_set_steer(x, bt_guest, XDP_STEER_F_MAC), 0);
	BT_EQ(xdp_load_del_socket(x, 0), 0);
	BT_EQ(verdict(x, bt_guest, 0x0800, 60), XDP_PASS);
	BT_EQ(stat_of(x, XDP_STEER_NO_SOCKET) - before, 1);
	BT_EQ(xdp_load_add_socket(x, 100, 0), -E2BIG);
}

/* Runts: the kernel's test runner refuses frames under ETH_HLEN. */
static void test_runts(struct xdp_load *x)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = 13,
		    .repeat = 1);

	bt_frame(buf, 13, bt_guest, 0, 0);
	BT_CHECK(bpf_prog_test_run_opts(xdp_load_prog_fd(x), &o) != 0);
}

/* Capture/filter only (steer off): every frame passes. */
static void test_no_steer(void)
{
	struct xdp_load_config cfg = { .steer = false, .ring_size = 4096 };
	struct xdp_load x;

	BT_EQ(xdp_load_prepare(&x, &cfg), 0);
	BT_EQ(xdp_load_set_steer(&x, NULL, XDP_STEER_F_ALL), 0);
	BT_EQ(verdict(&x, bt_guest, 0x0800, 60), XDP_PASS);
	BT_EQ(verdict(&x, bt_other, 0x86dd, 9000), XDP_PASS);
	BT_EQ(stat_of(&x, XDP_STEER_TO_GUEST), 0);
	xdp_load_close(&x);
}

int main(void)
{
	struct xdp_load_config cfg = { .steer = true, .map_size = 4,
				       .ring_size = 4096 };
	struct xdp_load x;
	int sk;

	bt_need_root("the steering program");
	BT_EQ(xdp_load_prepare(&x, &cfg), 0);
	sk = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	BT_CHECK(sk >= 0);
	BT_EQ(xdp_load_add_socket(&x, 0, sk), 0);

	test_unconfigured(&x);
	test_mac(&x);
	test_mcast_all(&x);
	test_no_socket(&x);
	test_runts(&x);
	xdp_load_close(&x);
	close(sk);
	test_no_steer();
	printf("steer: ok\n");
	return 0;
}
