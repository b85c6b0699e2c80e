// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_tap.c: frames through qnet's io_uring tap path vs a QEMU-style read()/write() loop vs the kernel bridge. */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backends/tap.h"
#include "ctl/rtnl.h"

/*
 * DOC: bench-tap
 *
 * Namespaces: G (generator, veth bg0), F (the forwarder: bridges bbrA and
 * bbrB, veth ends bg1 and bs1, taps), S (sink, veth bs0). A generator
 * thread on CPU 0 floods bg0 (AF_PACKET, sendmmsg, qdisc bypass); the sink
 * counts what reaches bs0 (its rx_packets). Three forwarders, one after the
 * other in the same run, each on CPU 1:
 *
 *   qnet:   bg1 -> bbrA -> tap0 => io_uring (multishot read, batched
 *           writes, tap0's port peered with tap1's) => tap1 -> bbrB -> bs1
 *   qemu:   the same taps, one thread: poll(), then read() one frame and
 *           write() it, until EAGAIN (QEMU's tap_send / tap_receive)
 *   kernel: bg1 and bs1 on one bridge, no tap, no user space
 *
 * Each cell is the best of BENCH_ROUNDS windows of BENCH_MS; the rounds
 * interleave the three paths. The taps' txqueuelen is BENCH_TXQLEN. CPU-ns per frame
 * is the forwarder thread's CPU time (user + system, including the
 * kernel work done in its context) per frame delivered; for the kernel
 * bridge it is all CPUs' busy time from /proc/stat per frame (that path
 * has no thread of its own). "user %" is the share of CPU 1's busy time
 * (from /proc/stat) spent in user space: the forwarder's own code, all
 * that a faster forwarder could save besides its system calls.
 *
 * BENCH_TAP_DEBUG=1 prints the qnet loop's and taps' counters and the
 * kernel's drop counters after each qnet window; BENCH_TAP_NODEFER=1 runs
 * the qnet loop without IORING_SETUP_DEFER_TASKRUN; BENCH_TAP_ONLY=qnet,
 * qemu or kernel runs one path (for profiling).
 */

#define BENCH_MS	1000
#define BENCH_ROUNDS	5
#define GEN_BATCH	64
/* tap txqueuelen: absorbs a forwarder's scheduling hiccups on a busy host */
#define BENCH_TXQLEN	10000

enum path { P_QNET, P_QEMU, P_KERNEL, P_COUNT };
static const char *const path_names[P_COUNT] = { "qnet io_uring", "QEMU-style loop",
						 "kernel bridge" };

static int ns_f, ns_g, ns_s;
static struct rtnl *rf, *rs;
static atomic_bool gen_run, fwd_run;
static atomic_ulong gen_sent;
static unsigned int frame_len;

#define DIE(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)
#define OK(x) do { if ((x) < 0) DIE("%s:%d: %s failed", __FILE__, __LINE__, #x); } while (0)

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

/* The user and busy (user, system, irq, softirq, steal) ticks so far of
 * /proc/stat's line @which ("cpu": all CPUs, "cpu1": CPU 1). */
static void stat_ticks(const char *which, uint64_t *user, uint64_t *busy)
{
	unsigned long long v[8];
	char name[16];
	FILE *f = fopen("/proc/stat", "r");

	while (f && fscanf(f, "%15s %llu %llu %llu %llu %llu %llu %llu %llu%*[^\n]",
			   name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) == 9)
		if (!strcmp(name, which)) {
			*user = v[0] + v[1];
			*busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
			fclose(f);
			return;
		}
	DIE("/proc/stat: no %s", which);
}

/* Busy time of all CPUs (/proc/stat), in ns. */
static uint64_t sys_busy_ns(void)
{
	uint64_t user, busy;

	stat_ticks("cpu", &user, &busy);
	return busy * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

static int new_ns(void)
{
	int fd;

	OK(unshare(CLONE_NEWNET));
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	OK(fd);
	return fd;
}

static void quiet_ns(struct rtnl *r)
{
	int fd = open("/proc/sys/net/ipv6/conf/all/disable_ipv6", O_WRONLY);

	if (fd >= 0 && write(fd, "1", 1) < 0)
		fd = fd + 0;
	if (fd >= 0)
		close(fd);
	fd = open("/proc/sys/net/bridge/bridge-nf-call-iptables", O_WRONLY);
	if (fd >= 0 && write(fd, "0", 1) < 0)
		fd = fd + 0;
	if (fd >= 0)
		close(fd);
	OK(rtnl_link_set_up(r, "lo", true, NULL, 0));
}

/* G: bg0 | F: bg1, bs1, bbrA, bbrB | S: bs0. */
static void topo(void)
{
	struct rtnl *rg;
	char e[RTNL_ERR_MAX];

	ns_f = new_ns();
	OK(rtnl_open(&rf));
	quiet_ns(rf);
	ns_g = new_ns();
	OK(rtnl_open(&rg));
	quiet_ns(rg);
	ns_s = new_ns();
	OK(rtnl_open(&rs));
	quiet_ns(rs);
	OK(setns(ns_f, CLONE_NEWNET));
	if (rtnl_veth_add(rf, "bg1", "bg0", ns_g, e, sizeof(e)) ||
	    rtnl_veth_add(rf, "bs1", "bs0", ns_s, e, sizeof(e)) ||
	    rtnl_bridge_add(rf, "bbrA", e, sizeof(e)) ||
	    rtnl_bridge_add(rf, "bbrB", e, sizeof(e)))
		DIE("topology: %s", e);
	OK(rtnl_link_set_up(rf, "bg1", true, NULL, 0));
	OK(rtnl_link_set_up(rf, "bs1", true, NULL, 0));
	OK(rtnl_link_set_up(rf, "bbrA", true, NULL, 0));
	OK(rtnl_link_set_up(rf, "bbrB", true, NULL, 0));
	OK(rtnl_link_set_up(rg, "bg0", true, NULL, 0));
	OK(rtnl_link_set_up(rs, "bs0", true, NULL, 0));
	rtnl_close(rg);
}

static uint64_t sink_count(void)
{
	struct rtnl_link l;

	OK(rtnl_link_get(rs, "bs0", &l, NULL, 0));
	return l.rx_packets;
}

/* The generator: sendmmsg() bursts on bg0 from CPU 0. */
static void *gen_main(void *arg)
{
	static uint8_t frame[1600];
	struct mmsghdr m[GEN_BATCH];
	struct iovec iov = { frame, 0 };
	struct sockaddr_ll sll = { 0 };
	int s, one = 1, i;

	pin(0);
	OK(setns(ns_g, CLONE_NEWNET));
	s = socket(AF_PACKET, SOCK_RAW, 0);
	OK(s);
	setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex("bg0");
	OK(bind(s, (struct sockaddr *)&sll, sizeof(sll)));
	memcpy(frame, "\x02\x00\x00\x00\x00\x99\x02\x00\x00\x00\x00\x01\x88\xb5", 14);
	iov.iov_len = frame_len;
	memset(m, 0, sizeof(m));
	for (i = 0; i < GEN_BATCH; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (atomic_load(&gen_run)) {
		int n = sendmmsg(s, m, GEN_BATCH, 0);

		if (n > 0)
			atomic_fetch_add(&gen_sent, (unsigned long)n);
	}
	close(s);
	return NULL;
}

/**
 * struct fwd - one forwarder thread
 * @path:  P_QNET or P_QEMU
 * @ready: set when its taps are up and bridged
 * @err:   setup failure (-errno)
 * @drops: frames it could not write (QEMU-style loop only)
 */
struct fwd {
	enum path path;
	atomic_bool ready;
	int err;
	uint64_t drops;
};

static int open_taps(struct tap **t, struct uloop *loop)
{
	struct tap_config cfg = { .script = "no", .downscript = "no" };
	const char *br[2] = { "bbrA", "bbrB" };
	char e[RTNL_ERR_MAX];
	int i, ret;

	for (i = 0; i < 2; i++) {
		cfg.ifname = i ? "btap1" : "btap0";
		ret = loop ? tap_open(&t[i], &cfg, loop, cfg.ifname, NULL) :
			     tap_create(&t[i], &cfg, cfg.ifname, NULL);
		if (ret)
			return ret;
		if (rtnl_enslave(rf, tap_ifname(t[i]), br[i], e, sizeof(e)) ||
		    rtnl_link_set_txqlen(rf, tap_ifname(t[i]), BENCH_TXQLEN, e,
					 sizeof(e)))
			DIE("enslave: %s", e);
	}
	return 0;
}

static void qnet_fwd(struct fwd *f)
{
	struct uloop loop;
	struct tap *t[2];

	struct uloop_config lc = { 0 };

	if (getenv("BENCH_TAP_NODEFER"))
		lc.flags = ULOOP_CFG_NO_DEFER;
	OK(uloop_init(&loop, &lc));
	f->err = open_taps(t, &loop);
	if (f->err) {
		atomic_store(&f->ready, true);
		return;
	}
	OK(port_connect(tap_port(t[0]), tap_port(t[1])));
	atomic_store(&f->ready, true);
	while (atomic_load(&fwd_run))
		uloop_run_once(&loop, 10000000);
	if (getenv("BENCH_TAP_DEBUG")) {
		const struct uloop_stats *us = uloop_stats(&loop);
		struct tap_stats a, b;

		tap_get_stats(t[0], &a);
		tap_get_stats(t[1], &b);
		fprintf(stderr, "loop: iter %lu enters %lu sqes %lu cqes %lu rearms %lu; "
			"tap0 rx %lu enobufs %lu held %lu; tap1 tx %lu fails %lu held %lu\n",
			(unsigned long)us->iterations, (unsigned long)us->enters,
			(unsigned long)us->sqes, (unsigned long)us->cqes,
			(unsigned long)us->rearms, (unsigned long)a.rx_frames,
			(unsigned long)a.rx_enobufs, (unsigned long)a.rx_held,
			(unsigned long)b.tx_frames, (unsigned long)b.write_fails,
			(unsigned long)b.held);
		for (int i = 0; i < 4; i++) {
			static const char *const n[] = { "btap0", "btap1", "bs1", "bg1" };
			struct rtnl_link l;

			if (!rtnl_link_get(rf, n[i], &l, NULL, 0))
				fprintf(stderr, "  %s: rx %lu tx %lu rx_drop %lu tx_drop %lu\n",
					n[i], (unsigned long)l.rx_packets,
					(unsigned long)l.tx_packets,
					(unsigned long)l.rx_dropped,
					(unsigned long)l.tx_dropped);
		}
	}
	port_disconnect(tap_port(t[0]));
	tap_close(t[0]);
	tap_close(t[1]);
	uloop_fini(&loop);
}

/* QEMU's tap loop: poll, then read()/write() one frame at a time. */
static void qemu_fwd(struct fwd *f)
{
	static uint8_t buf[TAP_VNET_HDR_LEN + 65550];
	struct tap *t[2];
	struct pollfd p;
	int in, out, k;
	ssize_t n;

	f->err = open_taps(t, NULL);
	atomic_store(&f->ready, true);
	if (f->err)
		return;
	in = tap_fd(t[0], 0);
	out = tap_fd(t[1], 0);
	p.fd = in;
	p.events = POLLIN;
	while (atomic_load(&fwd_run)) {
		if (poll(&p, 1, 10) <= 0)
			continue;
		for (k = 0; k < 50; k++) {	/* QEMU's tap_send budget */
			n = read(in, buf, sizeof(buf));
			if (n <= 0)
				break;
			if (write(out, buf, (size_t)n) != n)
				f->drops++;
		}
	}
	tap_destroy(t[0]);
	tap_destroy(t[1]);
}

static void *fwd_main(void *arg)
{
	struct fwd *f = arg;

	pin(1);
	OK(setns(ns_f, CLONE_NEWNET));
	if (f->path == P_QNET)
		qnet_fwd(f);
	else
		qemu_fwd(f);
	return NULL;
}

/**
 * struct cell - one measurement
 * @mpps:    frames delivered to the sink, millions per second
 * @cpu_ns:  CPU ns per delivered frame (see DOC)
 * @offered: frames the generator sent, millions per second
 * @user:    share of CPU 1's busy time spent in user space (the
 *           forwarder's own code; the rest is the kernel's)
 */
struct cell {
	double mpps;
	double cpu_ns;
	double offered;
	double user;
};

/* One window of BENCH_MS: sink rate, CPU per frame, offered rate. */
static struct cell window(clockid_t fwd_clock, bool has_fwd)
{
	uint64_t s0 = sink_count(), g0 = atomic_load(&gen_sent);
	uint64_t c0 = has_fwd ? now_ns(fwd_clock) : sys_busy_ns();
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), t1, frames;
	uint64_t u0, b0, u1, b1;
	struct cell c;

	stat_ticks("cpu1", &u0, &b0);
	usleep(BENCH_MS * 1000);
	stat_ticks("cpu1", &u1, &b1);
	t1 = now_ns(CLOCK_MONOTONIC);
	frames = sink_count() - s0;
	c.cpu_ns = (double)((has_fwd ? now_ns(fwd_clock) : sys_busy_ns()) - c0) /
		   (double)(frames ? frames : 1);
	c.mpps = (double)frames * 1e3 / (double)(t1 - t0);
	c.offered = (double)(atomic_load(&gen_sent) - g0) * 1e3 /
		    (double)(t1 - t0);
	c.user = b1 > b0 ? (double)(u1 - u0) / (double)(b1 - b0) : 0;
	return c;
}

/* Bridge the veths for @path: two bridges around the taps, or one. */
static void wire(enum path p)
{
	OK(rtnl_link_set_master(rf, "bg1", "bbrA", NULL, 0));
	OK(rtnl_link_set_master(rf, "bs1", p == P_KERNEL ? "bbrA" : "bbrB",
				NULL, 0));
}

/* Measure one path at the current frame size: one window. */
static struct cell run_path(enum path p)
{
	struct fwd f = { .path = p };
	clockid_t clk = CLOCK_MONOTONIC;
	pthread_t ft, gt;
	struct cell c;

	wire(p);
	atomic_store(&fwd_run, true);
	if (p != P_KERNEL) {
		pthread_create(&ft, NULL, fwd_main, &f);
		while (!atomic_load(&f.ready))
			usleep(1000);
		if (f.err)
			DIE("%s: setup failed: %s", path_names[p], strerror(-f.err));
		pthread_getcpuclockid(ft, &clk);
	}
	usleep(200000);
	atomic_store(&gen_run, true);
	pthread_create(&gt, NULL, gen_main, NULL);
	usleep(300000);
	c = window(clk, p != P_KERNEL);
	atomic_store(&gen_run, false);
	pthread_join(gt, NULL);
	atomic_store(&fwd_run, false);
	if (p != P_KERNEL)
		pthread_join(ft, NULL);
	return c;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 64, 1500 };
	struct cell c[2][P_COUNT] = { 0 }, x;
	const char *only = getenv("BENCH_TAP_ONLY");
	unsigned int s, p, r;

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
		printf("bench-tap needs root and /dev/net/tun\n");
		return 77;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		printf("note: fewer than 2 CPUs, generator and forwarder share one\n");
	topo();
	for (s = 0; s < 2; s++) {
		frame_len = sizes[s];
		/* rounds interleave the paths, so load from elsewhere on the
		 * host hits all of them alike; each keeps its best window */
		for (r = 0; r < BENCH_ROUNDS; r++)
			for (p = 0; p < P_COUNT; p++) {
				if (only && strcmp(only, p == P_QNET ? "qnet" :
						   p == P_QEMU ? "qemu" : "kernel"))
					continue;
				x = run_path((enum path)p);
				if (x.mpps > c[s][p].mpps)
					c[s][p] = x;
			}
	}
	printf("bench-tap: one direction, generator on CPU 0, forwarder on CPU 1, "
	       "best of %d x %d ms\n\n", BENCH_ROUNDS, BENCH_MS);
	printf("%-16s %6s %8s %10s %10s %9s %7s\n", "path", "bytes", "Mpps",
	       "CPU-ns/fr", "offered", "x QEMU", "user %");
	for (s = 0; s < 2; s++)
		for (p = 0; p < P_COUNT; p++)
			printf("%-16s %6u %8.3f %10.0f %10.3f %9.2f %7.1f\n",
			       path_names[p], sizes[s], c[s][p].mpps,
			       c[s][p].cpu_ns, c[s][p].offered,
			       c[s][p].mpps / (c[s][P_QEMU].mpps > 0 ?
					       c[s][P_QEMU].mpps : 1),
			       /* the kernel path has no forwarder on CPU 1 */
			       p == P_KERNEL ? 0.0 : 100 * c[s][p].user);
	printf("\nqnet / QEMU-style: %.2fx at 64 bytes (target >= 2x), %.2fx at "
	       "1500 bytes; CPU per frame %.2fx and %.2fx\n",
	       c[0][P_QNET].mpps / c[0][P_QEMU].mpps,
	       c[1][P_QNET].mpps / c[1][P_QEMU].mpps,
	       c[0][P_QEMU].cpu_ns / c[0][P_QNET].cpu_ns,
	       c[1][P_QEMU].cpu_ns / c[1][P_QNET].cpu_ns);
	/* no forwarder can pass on more than the generator offers it */
	printf("ceiling: the generator offered qnet's path %.3f Mpps at 64 "
	       "bytes, so at most %.2fx the QEMU-style loop here\n",
	       c[0][P_QNET].offered,
	       c[0][P_QNET].offered / c[0][P_QEMU].mpps);
	printf("(kernel bridge CPU-ns is all CPUs' busy time per frame, "
	       "generator included)\n");
	return 0;
}
