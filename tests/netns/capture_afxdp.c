// SPDX-License-Identifier: GPL-2.0-or-later
/* capture_afxdp.c: filter-dump and drop filters on an af-xdp netdev: host-to-guest in the XDP program, guest-to-host in user space, one pcap. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/afxdp.h"
#include "datapath/bpf/bpfpin.h"
#include "datapath/bpf/capture.h"
#include "tests/netns/xdp_env.h"

static struct xe e;
static struct xe_fe fe;
static struct bpfpin pins;
static char dir[] = "/tmp/qnet-capx-XXXXXX";
static char file[PATH_MAX];
static unsigned int nq;

static struct afxdp *open_netdev(void)
{
	struct afxdp_config cfg = {
		.ifname = e.a, .mode = AFXDP_MODE_NATIVE, .queues = nq,
		.has_mac = true, .frames = 1024, .ring_size = 512,
		.pins = &pins,
	};
	struct afxdp *a;

	memcpy(cfg.mac, xe_guest_mac, 6);
	XE_EQ(afxdp_open(&a, &cfg, &e.loop, "x0"), 0);
	XE_EQ(port_connect(afxdp_port(a), &fe.port), 0);
	return a;
}

static struct capture *cap(enum capture_kind kind, const char *filter)
{
	struct capture_config cfg = {
		.id = "f1", .netdev = "x0", .kind = kind, .file = file,
		.queue = CAPTURE_QUEUE_ALL, .status = true, .filter = filter,
		.nqueues = nq,
	};
	struct capture *c;

	XE_EQ(capture_open(&c, &cfg, NULL, 0), 0);
	return c;
}

/* Frames from the peer to the guest and from the guest to the peer. */
static void traffic(int sb, unsigned int in, unsigned int out)
{
	unsigned int i, q;

	for (i = 0; i < in; i++)
		XE_EQ(xe_pkt_send(sb, xe_guest_mac, e.bmac,
				  nq > 1 ? XE_FLOW_SEQ(i) : i, 60 + i * 7), 0);
	for (q = 0; q < nq; q++)
		XE_EQ(xe_fe_send(&fe, q, e.bmac, 50000 + q * 1000, out / nq, 100),
		      out / nq);
}

static void test_dump(int sb)
{
	static struct xe_pcap p;
	struct afxdp *a = open_netdev();
	struct capture *c = cap(CAPTURE_DUMP, NULL);
	struct capture_stats st;
	char out[4096];

	XE_EQ(afxdp_capture_add(a, c), 0);
	XE_EQ(capture_kernel_dirs(c), 1u << CAPTURE_TX);
	traffic(sb, 120, 40 * nq);
	XE_RUN_UNTIL(&e.loop, fe.rx == 120, 3000);
	xe_run_for(&e, 250);
	XE_EQ(capture_stats(c, &st), 0);
	XE_EQ(st.seen, 120 + 40 * nq);
	XE_EQ(st.copied, 120 + 40 * nq);
	XE_EQ(xe_sh_out(&e, false, out, sizeof(out),
			"bpftool map dump pinned %s/qnet_x0_cap_stats", pins.dir), 0);
	XE_CHECK(strstr(out, "\"copied\""));
	afxdp_capture_del(a, c);
	capture_close(c);
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 120 + 40 * nq);
	XE_EQ(p.ours, 120 + 40 * nq);
	XE_EQ(xe_tcpdump_count(file, NULL), (int)(120 + 40 * nq));
	port_disconnect(&fe.port);
	afxdp_close(a);
}

/* A drop filter: odd frames never reach the guest (dropped in XDP), and
 * odd guest frames never leave (dropped in user space). */
static void test_drop(int sb)
{
	struct afxdp *a = open_netdev();
	struct capture *c = cap(CAPTURE_DROP, "ether[21] & 1 = 1");
	struct afxdp_stats ast;
	struct capture_stats st;
	struct port_stats ps;
	unsigned int i, got = 0;

	XE_EQ(afxdp_capture_add(a, c), 0);
	xe_pkt_drain(sb, NULL, 0, NULL);
	traffic(sb, 100, 0);
	XE_RUN_UNTIL(&e.loop, fe.rx == 50, 3000);
	xe_run_for(&e, 50);
	XE_EQ(fe.rx, 50);
	for (i = 0; i < 100; i++)
		if (fe.seen[i])
			XE_EQ(i & 1, 0);
	XE_EQ(afxdp_stats(a, &ast), 0);
	XE_EQ(ast.filtered, 50);
	for (i = 0; i < 20; i++)	/* guest side: seq 0..19 on queue 0 */
		XE_EQ(xe_fe_send(&fe, 0, e.bmac, i, 1, 80), 1);
	for (i = 0; i < 100 && got < 10; i++) {
		xe_run_for(&e, 5);
		got += xe_pkt_drain(sb, NULL, 0, NULL);
	}
	xe_run_for(&e, 30);
	got += xe_pkt_drain(sb, NULL, 0, NULL);
	XE_EQ(got, 10);
	port_stats_sum(afxdp_port(a), &ps);
	XE_EQ(ps.drops[PORT_DROP_FILTER], 10);
	XE_EQ(capture_stats(c, &st), 0);
	XE_EQ(st.dropped, 60);
	afxdp_capture_del(a, c);
	capture_close(c);
	port_disconnect(&fe.port);
	afxdp_close(a);
}

/* T-82: 10^4 attach/detach of a capture and a filter on the netdev under traffic. */
static void test_churn(int sb)
{
	struct afxdp *a = open_netdev();
	struct capture *c = cap(CAPTURE_DUMP, NULL), *f = cap(CAPTURE_DROP,
							     "ether[21] = 3");
	unsigned int i;
	uint64_t rx0;

	for (i = 0; i < 10000; i++) {
		XE_EQ(afxdp_capture_add(a, i & 1 ? c : f), 0);
		if (!(i % 1000)) {
			traffic(sb, 20, 0);
			xe_run_for(&e, 2);
		}
		afxdp_capture_del(a, i & 1 ? c : f);
	}
	/* still exact afterwards */
	XE_EQ(afxdp_capture_add(a, c), 0);
	XE_EQ(capture_kernel_dirs(c), 1u << CAPTURE_TX);
	rx0 = fe.rx;
	traffic(sb, 50, 0);
	XE_RUN_UNTIL(&e.loop, fe.rx - rx0 == 50, 3000);
	afxdp_capture_del(a, c);
	capture_close(c);
	capture_close(f);
	port_disconnect(&fe.port);
	afxdp_close(a);
	printf("churn: 10000 attach/detach\n");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "dump";
	char inst[64];
	int sb;

	nq = !strcmp(what, "mq") ? 4 : 1;
	xe_require("capture on af-xdp");
	xe_init(&e, nq);
	XE_CHECK(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/x.pcap", dir);
	snprintf(inst, sizeof(inst), "capx-%d", (int)getpid());
	XE_EQ(bpfpin_open(&pins, inst), 0);
	xe_fe_init(&fe, nq);
	sb = xe_pkt_open(&e, true);
	if (!strcmp(what, "drop"))
		test_drop(sb);
	else if (!strcmp(what, "churn"))
		test_churn(sb);
	else
		test_dump(sb);
	close(sb);
	xe_fe_fini(&fe);
	bpfpin_close(&pins);
	unlink(file);
	rmdir(dir);
	xe_fini(&e);
	printf("capture af-xdp %s: ok\n", what);
	return 0;
}
