// SPDX-License-Identifier: GPL-2.0-or-later
/* capture_tc.c: filter-dump in the kernel on a tap-like interface (TC ingress/egress): exact pcaps, filters, status, VLAN, queues, churn. */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datapath/bpf/bpfpin.h"
#include "datapath/bpf/capture.h"
#include "tests/netns/xdp_env.h"

static struct xe e;
static struct bpfpin pins;
static char dir[] = "/tmp/qnet-cap-XXXXXX";
static char file[PATH_MAX];
static int sa, sb;

static struct capture *cap_open(enum capture_kind kind, const char *filter,
				uint32_t maxlen, enum capture_queue queue)
{
	struct capture_config cfg = {
		.id = "f1", .netdev = "t0", .kind = kind, .file = file,
		.maxlen = maxlen, .queue = queue, .status = true,
		.filter = filter, .nqueues = 1,
	};
	struct capture *c;
	char err[256];
	int rc;

	rc = capture_open(&c, &cfg, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "capture_open: %s (%s)\n", strerror(-rc), err);
		exit(1);
	}
	rc = capture_attach_tc(c, &e.loop, e.aidx, &pins);
	if (rc) {
		fprintf(stderr, "capture_attach_tc: %s\n", strerror(-rc));
		exit(1);
	}
	return c;
}

static uint64_t copied(const struct capture *c)
{
	struct capture_stats st;

	XE_EQ(capture_stats(c, &st), 0);
	return st.copied + st.ring_full;
}

/*
 * @n frames from the peer into a (ingress), @m from a out (egress). A
 * frame a TC drop filter drops on egress fails its send with ENOBUFS.
 */
static bool egress_drops;

static uint64_t traffic(unsigned int n, unsigned int m, uint32_t seq0)
{
	uint64_t bytes = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t len = 60 + (i * 97) % 1455;

		XE_EQ(xe_pkt_send(sb, e.amac, e.bmac, seq0 + i, len), 0);
		bytes += len;
	}
	for (i = 0; i < m; i++) {
		size_t len = 60 + (i * 31) % 1455;

		int rc = xe_pkt_send(sa, e.bmac, e.amac, seq0 + 10000 + i, len);

		XE_CHECK(!rc || (egress_drops && rc == -ENOBUFS));
		bytes += len;
	}
	return bytes;
}

static void wait_copied(struct capture *c, uint64_t n)
{
	XE_RUN_UNTIL(&e.loop, copied(c) >= n, 3000);
	xe_run_for(&e, 50);
	XE_EQ(copied(c), n);
}

static unsigned int prog_ids[2];

/* bpftool finds the pinned programs and counters; tcx links run them. */
static void check_bpftool(void)
{
	static const char *const roles[] = { "tc_in", "tc_out" };
	char out[8192], want[64];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		XE_EQ(xe_sh_out(&e, false, out, sizeof(out),
				"bpftool prog show pinned %s/qnet_t0_f1_%s",
				pins.dir, roles[i]), 0);
		XE_CHECK(strstr(out, i ? "qnet_tc_out" : "qnet_tc_in"));
		prog_ids[i] = (unsigned int)strtoul(out, NULL, 10);
		XE_CHECK(prog_ids[i] > 0);
	}
	XE_EQ(xe_sh_out(&e, false, out, sizeof(out), "bpftool link show"), 0);
	for (i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "prog %u ", prog_ids[i]);
		XE_CHECK(strstr(out, want));
	}
	XE_EQ(xe_sh_out(&e, false, out, sizeof(out),
			"bpftool map dump pinned %s/qnet_t0_f1_cap_stats", pins.dir), 0);
	XE_CHECK(strstr(out, "\"seen\"") && strstr(out, "\"copied\"") &&
		 strstr(out, "\"ring_full\"") && strstr(out, "\"matched\""));
}

/* After close: no pin, no link, no program of ours. */
static void check_gone(void)
{
	char out[8192], want[64];
	unsigned int i;

	XE_EQ(xe_sh_out(&e, false, out, sizeof(out), "bpftool link show"), 0);
	for (i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "prog %u ", prog_ids[i]);
		XE_CHECK(!strstr(out, want));
		XE_CHECK(xe_sh(&e, false, "bpftool prog show id %u >/dev/null 2>&1",
			       prog_ids[i]) != 0);
	}
	XE_CHECK(xe_sh(&e, false, "bpftool prog show pinned %s/qnet_t0_f1_tc_in "
		       ">/dev/null 2>&1", pins.dir) != 0);
}

/* Every frame both ways, exactly, with its bytes; maxlen cuts. */
static void test_basic(uint32_t maxlen)
{
	static struct xe_pcap p;
	struct capture *c = cap_open(CAPTURE_DUMP, NULL, maxlen, CAPTURE_QUEUE_ALL);
	uint64_t bytes, want_cap = 0;
	unsigned int i;

	XE_EQ(capture_kernel_dirs(c), 3);
	bytes = traffic(100, 50, 0);
	wait_copied(c, 150);
	check_bpftool();
	capture_close(c);
	check_gone();
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 150);
	XE_EQ(p.ours, 150);
	XE_EQ(p.len, bytes);
	for (i = 0; i < 150; i++)
		want_cap += p.rec_len[i] < (maxlen ? maxlen : 65536) ?
			p.rec_len[i] : maxlen;
	XE_EQ(p.caplen, want_cap);
	XE_EQ(xe_tcpdump_count(file, NULL), 150);
	printf("basic maxlen=%u: 150 frames, %llu bytes on the wire, %llu kept\n",
	       maxlen, (unsigned long long)p.len, (unsigned long long)p.caplen);
}

/* queue=rx / queue=tx select one hook each. */
static void test_queue(void)
{
	static struct xe_pcap p;
	struct capture *c = cap_open(CAPTURE_DUMP, NULL, 0, CAPTURE_QUEUE_TX);
	unsigned int i;

	XE_EQ(capture_kernel_dirs(c), 1u << CAPTURE_TX);
	traffic(30, 20, 0);
	wait_copied(c, 20);
	capture_close(c);
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 20);
	for (i = 0; i < p.n; i++)
		XE_CHECK(p.rec_seq[i] >= 10000);	/* a's egress only */
}

/* tcpdump syntax: only matching frames, counters say so; drop filters drop. */
static void test_filter(void)
{
	static struct xe_pcap p;
	struct capture *c = cap_open(CAPTURE_DUMP, "ether[21] & 1 = 1", 0,
				     CAPTURE_QUEUE_ALL);
	struct capture_stats st;
	unsigned int i, got = 0;

	traffic(100, 50, 0);
	wait_copied(c, 75);
	XE_EQ(capture_stats(c, &st), 0);
	XE_EQ(st.seen, 150);
	XE_EQ(st.matched, 75);
	capture_close(c);
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 75);
	for (i = 0; i < p.n; i++)
		XE_EQ(p.rec_seq[i] & 1, 1);
	XE_EQ(xe_tcpdump_count(file, "ether[21] & 1 = 0"), 0);

	/* a filter matching nothing our frames are */
	c = cap_open(CAPTURE_DUMP, "udp port 53", 0, CAPTURE_QUEUE_ALL);
	traffic(20, 20, 0);
	xe_run_for(&e, 200);
	XE_EQ(copied(c), 0);
	capture_close(c);
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 0);

	/* drop filter on egress: the peer receives only even frames */
	c = cap_open(CAPTURE_DROP, "ether[21] & 1 = 1", 0, CAPTURE_QUEUE_TX);
	xe_pkt_drain(sb, NULL, 0, NULL);
	egress_drops = true;
	traffic(0, 100, 0);
	egress_drops = false;
	for (i = 0; i < 100 && got < 50; i++) {
		xe_run_for(&e, 5);
		got += xe_pkt_drain(sb, NULL, 0, NULL);
	}
	xe_run_for(&e, 50);
	got += xe_pkt_drain(sb, NULL, 0, NULL);
	XE_EQ(got, 50);
	XE_EQ(capture_stats(c, &st), 0);
	XE_EQ(st.dropped, 50);
	capture_close(c);
}

/* status=off at run time: frames are seen, not copied; on again. */
static void test_status(void)
{
	static struct xe_pcap p;
	struct capture *c = cap_open(CAPTURE_DUMP, NULL, 0, CAPTURE_QUEUE_ALL);
	struct capture_stats st;

	XE_EQ(capture_set_status(c, false), 0);
	traffic(20, 0, 0);
	xe_run_for(&e, 50);
	XE_EQ(capture_set_status(c, true), 0);
	traffic(20, 0, 100);
	wait_copied(c, 20);
	XE_EQ(capture_stats(c, &st), 0);
	XE_EQ(st.seen, 40);
	capture_close(c);
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 20);
	XE_CHECK(p.rec_seq[0] >= 100);
}

/* A VLAN tag the kernel holds as metadata is put back in the capture. */
static void test_vlan(void)
{
	static struct xe_pcap p;
	struct capture *c = cap_open(CAPTURE_DUMP, "vlan 5", 0, CAPTURE_QUEUE_ALL);
	uint8_t fr[128];
	unsigned int i;

	for (i = 0; i < 10; i++) {
		xe_frame(fr + 4, 100, e.amac, e.bmac, i);
		memmove(fr, fr + 4, 12);
		fr[12] = 0x81;
		fr[13] = 0x00;
		fr[14] = 0x00;
		fr[15] = 0x05;
		XE_EQ(send(sb, fr, 104, 0), 104);
	}
	traffic(10, 0, 500);	/* untagged: not matched */
	wait_copied(c, 10);
	capture_close(c);
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 10);
	for (i = 0; i < p.n; i++) {
		XE_EQ(p.rec_len[i], 104);
		XE_EQ(p.rec_data[i][12], 0x81);
		XE_EQ(p.rec_data[i][15], 0x05);
		XE_EQ(p.rec_data[i][16], XE_ETHERTYPE >> 8);
	}
	XE_EQ(xe_tcpdump_count(file, "vlan 5"), 10);
}

/* Several queues: flows spread over them, every frame captured once. */
static void test_mq(void)
{
	static struct xe_pcap p;
	struct capture *c = cap_open(CAPTURE_DUMP, NULL, 0, CAPTURE_QUEUE_ALL);
	unsigned int i;

	for (i = 0; i < 400; i++)
		XE_EQ(xe_pkt_send(sb, e.amac, e.bmac, XE_FLOW_SEQ(i), 100), 0);
	wait_copied(c, 400);
	capture_close(c);
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 400);
	XE_EQ(p.ours, 400);
}

/* T-82: attach, detach and toggle during traffic; still exact after. */
static void test_churn(void)
{
	struct capture *c;
	unsigned int i;

	for (i = 0; i < 100; i++) {
		c = cap_open(i % 3 ? CAPTURE_DUMP : CAPTURE_DROP,
			     i % 3 ? NULL : "ether[21] = 7", 0, CAPTURE_QUEUE_ALL);
		egress_drops = true;
		traffic(5, 5, i * 10);
		egress_drops = false;
		xe_run_for(&e, 1);
		capture_close(c);
	}
	c = cap_open(CAPTURE_DUMP, NULL, 0, CAPTURE_QUEUE_ALL);
	for (i = 0; i < 10000; i++) {
		XE_EQ(capture_set_status(c, i & 1), 0);
		if (!(i % 500))
			traffic(2, 2, i);
	}
	XE_EQ(capture_set_status(c, true), 0);
	xe_run_for(&e, 50);
	capture_close(c);
	test_basic(0);
	printf("churn: 100 attach/detach, 10000 status changes\n");
}

/* T-81: disk full, then the file removed: the capture stops, traffic goes on. */
static void test_fault(void)
{
	struct capture_stats st;
	struct capture *c;
	char mnt[PATH_MAX / 2];
	unsigned int got;

	snprintf(mnt, sizeof(mnt), "%s/small", dir);
	XE_EQ(mkdir(mnt, 0700), 0);
	XE_EQ(mount("tmpfs", mnt, "tmpfs", 0, "size=64k"), 0);
	snprintf(file, sizeof(file), "%s/full.pcap", mnt);
	c = cap_open(CAPTURE_DUMP, NULL, 0, CAPTURE_QUEUE_ALL);
	xe_pkt_drain(sa, NULL, 0, NULL);
	traffic(300, 0, 0);
	XE_RUN_UNTIL(&e.loop, (capture_stats(c, &st), st.error != 0), 3000);
	printf("disk full: error %d (%s), %llu written, %llu lost\n", st.error,
	       strerror(-st.error), (unsigned long long)st.written,
	       (unsigned long long)st.lost);
	XE_EQ(st.error, -ENOSPC);
	XE_EQ(capture_set_status(c, true), -EIO);
	/* the host still gets every frame */
	got = xe_pkt_drain(sa, NULL, 0, NULL);
	traffic(100, 0, 1000);
	xe_run_for(&e, 100);
	got += xe_pkt_drain(sa, NULL, 0, NULL);
	XE_EQ(got, 400);
	capture_close(c);
	XE_EQ(umount(mnt), 0);
	rmdir(mnt);

	snprintf(file, sizeof(file), "%s/cap.pcap", dir);
	c = cap_open(CAPTURE_DUMP, NULL, 0, CAPTURE_QUEUE_ALL);
	traffic(10, 0, 0);
	wait_copied(c, 10);
	XE_EQ(unlink(file), 0);
	XE_RUN_UNTIL(&e.loop, (capture_stats(c, &st), st.error != 0), 3000);
	XE_EQ(st.error, -ENOENT);
	capture_close(c);
}

/*
 * Without CAP_BPF/CAP_NET_ADMIN the kernel attach fails and leaves
 * nothing; the capture runs in user space instead (ctl warns).
 */
static int priv_child(void)
{
	struct capture_config cfg = {
		.id = "f1", .netdev = "t0", .kind = CAPTURE_DUMP, .file = file,
		.queue = CAPTURE_QUEUE_ALL, .status = true, .nqueues = 1,
	};
	static uint8_t buf[200];
	struct frame fr = { .data = buf, .len = 200, .cap = 200, .refs = 1 };
	struct frame *fp = &fr;
	struct capture_stats st;
	struct capture *c;
	struct uloop loop;
	int err;

	XE_EQ(setresgid(65534, 65534, 65534), 0);
	XE_EQ(setresuid(65534, 65534, 65534), 0);
	XE_EQ(uloop_init(&loop, NULL), 0);
	XE_EQ(capture_open(&c, &cfg, NULL, 0), 0);
	err = capture_attach_tc(c, &loop, e.aidx, NULL);
	printf("unprivileged kernel capture: %s\n", strerror(-err));
	XE_EQ(err, -EPERM);
	XE_EQ(capture_kernel_dirs(c), 0);
	xe_frame(buf, 200, e.bmac, e.amac, 7);
	XE_EQ(capture_user_run(c, CAPTURE_RX, 0, &fp, 1), 0);
	XE_EQ(capture_stats(c, &st), 0);
	XE_EQ(st.copied, 1);
	capture_close(c);
	uloop_fini(&loop);
	fflush(stdout);
	return 0;
}

static void test_priv(void)
{
	static struct xe_pcap p;
	char before[8192], after[8192];
	int status;
	pid_t pid;

	XE_EQ(chmod(dir, 0777), 0);
	XE_EQ(xe_sh_out(&e, false, before, sizeof(before), "bpftool link show"), 0);
	fflush(stdout);
	pid = fork();
	XE_CHECK(pid >= 0);
	if (!pid)
		_exit(priv_child());
	XE_EQ(waitpid(pid, &status, 0), pid);
	XE_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	XE_EQ(xe_sh_out(&e, false, after, sizeof(after), "bpftool link show"), 0);
	XE_CHECK(!strcmp(before, after));
	xe_pcap_read(file, &p);
	XE_EQ(p.n, 1);
	XE_EQ(p.ours, 1);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "basic";
	char inst[64];

	xe_require("kernel capture");
	xe_init(&e, strcmp(what, "mq") ? 1 : 4);
	XE_CHECK(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/cap.pcap", dir);
	snprintf(inst, sizeof(inst), "captest-%d", (int)getpid());
	XE_EQ(bpfpin_open(&pins, inst), 0);
	sa = xe_pkt_open(&e, false);
	sb = xe_pkt_open(&e, true);
	if (!strcmp(what, "basic")) {
		test_basic(0);
		test_basic(64);
		test_basic(14);
		test_queue();
	} else if (!strcmp(what, "filter")) {
		test_filter();
	} else if (!strcmp(what, "status")) {
		test_status();
		test_vlan();
	} else if (!strcmp(what, "mq")) {
		test_mq();
	} else if (!strcmp(what, "fault")) {
		test_fault();
		test_priv();
	} else {
		test_churn();
	}
	close(sa);
	close(sb);
	bpfpin_close(&pins);
	unlink(file);
	rmdir(dir);
	xe_fini(&e);
	printf("capture %s: ok\n", what);
	return 0;
}
