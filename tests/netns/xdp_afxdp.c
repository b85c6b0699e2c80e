// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp_afxdp.c: an af-xdp netdev on a veth whose peer is in another namespace: frames both ways, steering, modes, queues, pins. */

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "backends/afxdp.h"
#include "datapath/bpf/bpfpin.h"
#include "tests/netns/xdp_env.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct mode {
	const char *name;
	enum afxdp_mode mode;
	bool force_copy;
	unsigned int queues;
};

static const struct mode modes[] = {
	{ "native", AFXDP_MODE_NATIVE, false, 1 },
	{ "skb", AFXDP_MODE_SKB, false, 1 },
	{ "copy", AFXDP_MODE_AUTO, true, 1 },
	{ "mq", AFXDP_MODE_NATIVE, false, 4 },
	{ "mq-skb", AFXDP_MODE_SKB, false, 4 },
};

static struct xe e;
static struct xe_fe fe;
static struct bpfpin pins;

static struct afxdp *open_netdev(const struct mode *m, bool pinned)
{
	struct afxdp_config cfg = {
		.ifname = e.a, .mode = m->mode, .force_copy = m->force_copy,
		.queues = m->queues, .has_mac = true, .frames = 1024,
		.ring_size = 512, .pins = pinned ? &pins : NULL,
	};
	struct afxdp *a;
	int err;

	memcpy(cfg.mac, xe_guest_mac, 6);
	err = afxdp_open(&a, &cfg, &e.loop, "x0");
	if (err) {
		fprintf(stderr, "afxdp_open: %s\n", strerror(-err));
		exit(1);
	}
	return a;
}

/* Peer to guest: only the guest's frames (and broadcasts) reach qnet. */
static void peer_to_guest(const struct mode *m, int sb, int sa, int round)
{
	unsigned int i, n_guest = 200, n_host = 50, n_bcast = 20;
	uint64_t rx0 = fe.rx;
	bool spread = m->queues > 1;

	for (i = 0; i < n_guest; i++)
		XE_EQ(xe_pkt_send(sb, xe_guest_mac, e.bmac,
				  spread ? XE_FLOW_SEQ(i) : i, 60 + (i % 8) * 180), 0);
	for (i = 0; i < n_host; i++)
		XE_EQ(xe_pkt_send(sb, e.amac, e.bmac, 1000 + i, 100), 0);
	for (i = 0; i < n_bcast; i++)
		XE_EQ(xe_pkt_send(sb, bcast, e.bmac, 2000 + i, 64), 0);
	XE_RUN_UNTIL(&e.loop, fe.rx - rx0 >= n_guest + n_bcast, 5000);
	xe_run_for(&e, 50);
	XE_EQ(fe.rx - rx0, n_guest + n_bcast);
	XE_EQ(fe.rx_other, 0);
	for (i = 0; i < n_guest; i++)
		XE_EQ(fe.seen[i], round);
	/* the host stack saw its own frames, and none of the guest's */
	XE_EQ(xe_pkt_drain(sa, NULL, 0, NULL), n_host);
	if (spread) {
		unsigned int used = 0;

		for (i = 0; i < m->queues; i++)
			used += fe.rx_q[i] != 0;
		printf("%s: frames arrived on %u of %u queues\n", m->name, used,
		       m->queues);
		if (m->mode == AFXDP_MODE_NATIVE)
			XE_CHECK(used > 1);
	}
}

/* Guest to peer: every frame arrives intact, on every queue. */
static void guest_to_peer(const struct mode *m, int sb)
{
	static const size_t lens[] = { 60, 64, 128, 1000, 1514 };
	uint32_t seqs[2048];
	uint64_t bytes = 0, want = 0;
	unsigned int q, i, n = 0, got = 0, per = 300;

	xe_pkt_drain(sb, NULL, 0, NULL);
	for (q = 0; q < m->queues; q++) {
		for (i = 0; i < per; i += 30) {
			XE_EQ(xe_fe_send(&fe, q, e.bmac, 10000 + n, 30,
					 lens[(i / 30) % 5]), 30);
			n += 30;
			want += 30 * lens[(i / 30) % 5];
			xe_run_for(&e, 1);
		}
	}
	for (i = 0; i < 200 && got < n; i++) {
		xe_run_for(&e, 5);
		got += xe_pkt_drain(sb, seqs + got, 2048 - got, &bytes);
	}
	XE_EQ(got, n);
	XE_EQ(bytes, want);
	for (i = 0; i < got; i++)
		XE_CHECK(seqs[i] >= 10000 && seqs[i] < 10000 + n);
}

static void check_pins(bool present)
{
	char out[4096];
	int rc;

	rc = xe_sh_out(&e, false, out, sizeof(out),
		       "bpftool prog show pinned %s/qnet_x0_xdp 2>&1", pins.dir);
	if (present) {
		XE_EQ(rc, 0);
		XE_CHECK(strstr(out, "qnet_xdp"));
		rc = xe_sh_out(&e, false, out, sizeof(out),
			       "bpftool map dump pinned %s/qnet_x0_steer_st 2>&1",
			       pins.dir);
		XE_EQ(rc, 0);
		XE_CHECK(strstr(out, "\"key\": 0") || strstr(out, "key:"));
	} else {
		XE_CHECK(rc != 0);
	}
}

int main(int argc, char **argv)
{
	const struct mode *m = &modes[0];
	struct afxdp_stats st;
	struct afxdp_info info;
	struct afxdp *a;
	char out[4096], inst[64], dir[PATH_MAX];
	unsigned int i;
	int sa, sb;

	for (i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[1], modes[i].name))
			m = &modes[i];
	xe_require("af-xdp");
	xe_init(&e, m->queues);
	snprintf(inst, sizeof(inst), "xdptest-%d", (int)getpid());
	XE_EQ(bpfpin_open(&pins, inst), 0);
	xe_fe_init(&fe, m->queues);
	a = open_netdev(m, true);
	XE_EQ(port_connect(afxdp_port(a), &fe.port), 0);
	XE_EQ(afxdp_info(a, &info), 0);
	XE_EQ(info.program, true);
	XE_EQ(info.zerocopy, false);	/* veth: copy mode */
	XE_EQ(info.mode, m->mode == AFXDP_MODE_SKB ? AFXDP_MODE_SKB :
					       AFXDP_MODE_NATIVE);
	XE_EQ(info.queues, m->queues);
	printf("%s: attached in %s mode, %s\n", m->name,
	       info.mode == AFXDP_MODE_SKB ? "skb" : "native",
	       info.multiprog ? "under libxdp's dispatcher" : "as a single program");
	check_pins(true);

	sb = xe_pkt_open(&e, true);
	sa = xe_pkt_open(&e, false);
	peer_to_guest(m, sb, sa, 1);
	guest_to_peer(m, sb);

	XE_EQ(afxdp_stats(a, &st), 0);
	XE_EQ(st.rx_frames, 220);
	XE_EQ(st.to_guest, 220);
	XE_CHECK(st.to_host >= 50);
	XE_EQ(st.no_socket, 0);
	XE_EQ(st.tx_frames, 300u * m->queues);
	XE_EQ(afxdp_check(a), 0);

	port_disconnect(&fe.port);
	afxdp_close(a);
	check_pins(false);
	XE_EQ(xe_sh_out(&e, false, out, sizeof(out), "ip link show %s", e.a), 0);
	XE_CHECK(!strstr(out, "xdp"));

	/* reopen at once: the queues were just released (EBUSY, retried) */
	a = open_netdev(m, false);
	XE_EQ(port_connect(afxdp_port(a), &fe.port), 0);
	peer_to_guest(m, sb, sa, 2);
	port_disconnect(&fe.port);
	afxdp_close(a);

	close(sa);
	close(sb);
	xe_fe_fini(&fe);
	snprintf(dir, sizeof(dir), "%s", pins.dir);
	bpfpin_close(&pins);
	XE_CHECK(access(dir, F_OK) != 0);
	xe_fini(&e);
	printf("af-xdp %s: ok\n", m->name);
	return 0;
}
