// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_afxdp.c: 64-byte frames from a generator through two af-xdp netdevs vs the kernel's XDP redirect, and the cost of filter-dump. */

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include "backends/afxdp.h"
#include "datapath/bpf/capture.h"
#include "tests/netns/xdp_env.h"
#include "benchmarks/afxdp/bench_xdp.skel.h"

/**
 * DOC: bench-afxdp
 *
 * Two veth pairs: qxb (generator, peer namespace) - qxa (home) and
 * qxc (home) - qxd (peer namespace, GRO on, a TC ingress program that
 * counts and drops: the sink). trafgen sends 60-byte frames (64 on the wire) on qxb from
 * CPU 1; everything of qnet runs on CPU 0. Configurations, interleaved
 * over rounds, best round kept:
 *
 * - xdp-redirect: the kernel forwards qxa -> qxc with bpf_redirect() in
 *   XDP (native), no user space at all: the baseline;
 * - af-xdp: qnet's af-xdp netdev on qxa, peered with a second on qxc;
 * - af-xdp + dump (kernel): filter-dump on the first netdev (its frames
 *   to the guest are copied by the XDP program, drained to a pcap file);
 * - af-xdp + dump (user): filter-dump on the second netdev (frames it
 *   sends are captured in user space).
 *
 * The rate is what reaches the sink.
 */

static struct xe e;
static struct bench_xdp_bpf *skel;
static char dir[] = "/tmp/qnet-bench-afxdp-XXXXXX";
static char pcap_path[PATH_MAX];
static int cidx, didx, sink_link = -1;
static pid_t gen;
static uint32_t bench_frames, bench_ring;	/* 0: the defaults */

/* Busy and total jiffies of CPU @cpu from /proc/stat. */
static void cpu_ticks(int cpu, uint64_t *busy, uint64_t *total)
{
	char line[512], name[16];
	unsigned long long v[8];
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (!f)
		return;
	snprintf(name, sizeof(name), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, strlen(name)))
			continue;
		if (sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
			*total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
			*busy = *total - v[3] - v[4];
		}
	}
	fclose(f);
}

static double cpu_load[2];	/* last measure(): busy share of CPU 0 and 1 */

static uint64_t sink_count(void)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t v[256], sum = 0;
	uint32_t zero = 0;

	XE_CHECK(ncpu > 0 && ncpu <= 256);
	XE_EQ(bpf_map_lookup_elem(bpf_map__fd(skel->maps.bx_count), &zero, v), 0);
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

/* The second veth pair, its far end in the peer namespace with the sink. */
static void setup(void)
{
	uint8_t mac[6];
	char cfg[PATH_MAX];
	FILE *f;

	XE_EQ(xe_sh(&e, false, "ip link add qxc type veth peer name qxd"), 0);
	XE_EQ(xe_sh(&e, false, "ip link set qxd netns /proc/%d/fd/%d",
		    (int)getpid(), e.peer), 0);
	XE_EQ(xe_sh(&e, false, "ip link set qxc up"), 0);
	XE_EQ(xe_sh(&e, true, "ip link set qxd up"), 0);
	cidx = (int)if_nametoindex("qxc");
	XE_CHECK(cidx > 0);
	xe_enter(&e, true);
	didx = (int)if_nametoindex("qxd");
	xe_enter(&e, false);
	XE_CHECK(didx > 0);

	skel = bench_xdp_bpf__open();
	XE_CHECK(skel);
	skel->rodata->bx_target = (uint32_t)cidx;
	XE_EQ(bench_xdp_bpf__load(skel), 0);
	/* GRO gives qxd a NAPI context (XDP redirect to qxc needs one) */
	XE_EQ(xe_sh(&e, true, "ethtool -K qxd gro on >/dev/null"), 0);
	xe_enter(&e, true);
	sink_link = bpf_link_create(bpf_program__fd(skel->progs.bx_sink), didx,
				    46 /* BPF_TCX_INGRESS */, NULL);
	xe_enter(&e, false);
	XE_CHECK(sink_link >= 0);

	snprintf(cfg, sizeof(cfg), "%s/gen.cfg", dir);
	f = fopen(cfg, "w");
	XE_CHECK(f);
	memcpy(mac, e.bmac, 6);
	fprintf(f, "cpu(1): { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, "
		"0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, "
		"0x88, 0xb5, fill(0x00, 46) }\n",
		mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	fclose(f);
	snprintf(pcap_path, sizeof(pcap_path), "%s/bench.pcap", dir);
}

/* trafgen on qxb, sending from CPU 1, until killed. */
static void generator_start(void)
{
	char cfg[PATH_MAX];

	snprintf(cfg, sizeof(cfg), "%s/gen.cfg", dir);
	fflush(stdout);
	gen = fork();
	XE_CHECK(gen >= 0);
	if (!gen) {
		setpgid(0, 0);
		xe_enter(&e, true);
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		/* trafgen pins its processes to CPUs 0..P-1 itself: two
		 * processes, the frame only on CPU 1 (cpu(1): in the config) */
		execlp("trafgen", "trafgen", "-o", "qxb", "-i", cfg, "-P", "2",
		       "--no-sock-mem", "--notouch-irq", "-C", (char *)NULL);
		_exit(127);
	}
}

static void generator_stop(void)
{
	int status;

	unsigned int i;

	kill(-gen, SIGINT);
	for (i = 0; i < 50; i++) {
		if (waitpid(gen, &status, WNOHANG) == gen)
			return;
		usleep(20000);
	}
	kill(-gen, SIGKILL);
	waitpid(gen, &status, 0);
}

/* Frames per second at the sink over @ms, running the loop meanwhile. */
static double measure(unsigned int ms)
{
	uint64_t c0, c1, t0, t1;

	uint64_t b0[2], a0[2], b1[2], a1[2];
	int i;

	struct uloop_stats ls0, ls1;

	xe_run_for(&e, 200);	/* settle */
	ls0 = *uloop_stats(&e.loop);
	for (i = 0; i < 2; i++)
		cpu_ticks(i, &b0[i], &a0[i]);
	c0 = sink_count();
	t0 = uloop_now();
	xe_run_for(&e, ms);
	c1 = sink_count();
	t1 = uloop_now();
	for (i = 0; i < 2; i++) {
		cpu_ticks(i, &b1[i], &a1[i]);
		cpu_load[i] = a1[i] > a0[i] ?
			(double)(b1[i] - b0[i]) / (double)(a1[i] - a0[i]) : 0;
	}
	ls1 = *uloop_stats(&e.loop);
	if (getenv("BENCH_VERBOSE"))
		fprintf(stderr, "  cpu0 %.0f%% cpu1 %.0f%% frames %llu iterations %llu enters %llu cqes %llu\n",
			cpu_load[0] * 100, cpu_load[1] * 100,
			(unsigned long long)(c1 - c0),
			(unsigned long long)(ls1.iterations - ls0.iterations),
			(unsigned long long)(ls1.enters - ls0.enters),
			(unsigned long long)(ls1.cqes - ls0.cqes));
	return (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
}

static double run_redirect(unsigned int ms)
{
	double pps;

	XE_EQ(bpf_xdp_attach(e.aidx, bpf_program__fd(skel->progs.bx_redirect),
			     XDP_FLAGS_DRV_MODE, NULL), 0);
	pps = measure(ms);
	XE_EQ(bpf_xdp_detach(e.aidx, XDP_FLAGS_DRV_MODE, NULL), 0);
	return pps;
}

static struct afxdp *open_x(const char *ifname, const char *id)
{
	struct afxdp_config cfg = {
		.ifname = ifname, .mode = AFXDP_MODE_NATIVE, .has_mac = true,
		.frames = bench_frames, .ring_size = bench_ring,
	};
	struct afxdp *a;

	memcpy(cfg.mac, xe_guest_mac, 6);
	XE_EQ(afxdp_open(&a, &cfg, &e.loop, id), 0);
	return a;
}

static void truncate_tick(struct uloop *loop, struct uloop_timer *t)
{
	if (truncate(pcap_path, 24))	/* keep the header: it is a benchmark */
		return;
}

/* af-xdp forwarding, then with filter-dump on each netdev. */
static void run_afxdp(unsigned int ms, double out[3])
{
	struct capture_config cc = {
		.id = "f1", .file = pcap_path, .queue = CAPTURE_QUEUE_ALL,
		.status = true, .nqueues = 1, .kind = CAPTURE_DUMP,
	};
	struct uloop_timer trunc;
	struct afxdp *x1 = open_x("qxa", "x1"), *x2 = open_x("qxc", "x2");
	struct capture *c;

	XE_EQ(port_connect(afxdp_port(x1), afxdp_port(x2)), 0);
	out[0] = measure(ms);
	if (getenv("BENCH_VERBOSE")) {
		struct afxdp_stats st;

		afxdp_stats(x1, &st);
		fprintf(stderr, "x1: rx %llu to_guest %llu kdrop %llu ringfull %llu fillempty %llu\n",
			(unsigned long long)st.rx_frames, (unsigned long long)st.to_guest,
			(unsigned long long)st.k_rx_dropped, (unsigned long long)st.k_rx_ring_full,
			(unsigned long long)st.k_fill_empty);
		afxdp_stats(x2, &st);
		fprintf(stderr, "x2: tx %llu done %llu kicks %llu retries %llu\n",
			(unsigned long long)st.tx_frames, (unsigned long long)st.tx_done,
			(unsigned long long)st.kicks, (unsigned long long)st.kick_retries);
	}

	uloop_timer_init(&trunc, truncate_tick);
	uloop_timer_arm_in(&e.loop, &trunc, 200 * XE_MS, 200 * XE_MS);
	cc.netdev = "x1";
	XE_EQ(capture_open(&c, &cc, NULL, 0), 0);
	XE_EQ(afxdp_capture_add(x1, c), 0);
	XE_EQ(capture_kernel_dirs(c), 1u << CAPTURE_TX);
	out[1] = measure(ms);
	afxdp_capture_del(x1, c);
	capture_close(c);

	cc.netdev = "x2";
	XE_EQ(capture_open(&c, &cc, NULL, 0), 0);
	XE_EQ(afxdp_capture_add(x2, c), 0);
	out[2] = measure(ms);
	afxdp_capture_del(x2, c);
	capture_close(c);
	uloop_timer_cancel(&e.loop, &trunc);

	port_disconnect(afxdp_port(x1));
	afxdp_close(x1);
	afxdp_close(x2);
}

int main(int argc, char **argv)
{
	unsigned int ms = argc > 1 ? (unsigned int)atoi(argv[1]) : 2000;
	unsigned int rounds = argc > 2 ? (unsigned int)atoi(argv[2]) : 3, r;
	double red = 0, fwd = 0, capk = 0, capu = 0, v[3], rr;
	cpu_set_t cpus;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 3)
		bench_frames = (uint32_t)atoi(argv[3]);
	if (argc > 4)
		bench_ring = (uint32_t)atoi(argv[4]);
	xe_require("bench-afxdp");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("SKIP: needs 2 CPUs\n");
		return XE_SKIP;
	}
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	XE_EQ(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
	XE_CHECK(mkdtemp(dir));
	xe_init(&e, 1);
	setup();
	generator_start();
	for (r = 0; r < rounds; r++) {
		rr = run_redirect(ms);
		run_afxdp(ms, v);
		printf("round %u: xdp-redirect %.0f, af-xdp %.0f, +dump(kernel) %.0f, "
		       "+dump(user) %.0f pps\n", r, rr, v[0], v[1], v[2]);
		red = rr > red ? rr : red;
		fwd = v[0] > fwd ? v[0] : fwd;
		capk = v[1] > capk ? v[1] : capk;
		capu = v[2] > capu ? v[2] : capu;
	}
	generator_stop();

	printf("\n64-byte frames, generator on CPU 1, qnet on CPU 0, best of %u x %u ms\n\n",
	       rounds, ms);
	printf("| path | Mpps | x xdp-redirect | capture cost |\n");
	printf("|---|---|---|---|\n");
	printf("| kernel XDP redirect qxa->qxc | %.3f | 1.00 | |\n", red / 1e6);
	printf("| qnet af-xdp -> af-xdp | %.3f | %.2f | |\n", fwd / 1e6, fwd / red);
	printf("| + filter-dump, kernel (XDP ring) | %.3f | %.2f | %.1f%% |\n",
	       capk / 1e6, capk / red, 100.0 * (1 - capk / fwd));
	printf("| + filter-dump, user space | %.3f | %.2f | %.1f%% |\n",
	       capu / 1e6, capu / red, 100.0 * (1 - capu / fwd));

	close(sink_link);
	bench_xdp_bpf__destroy(skel);
	unlink(pcap_path);
	{
		char cfg[PATH_MAX];

		snprintf(cfg, sizeof(cfg), "%s/gen.cfg", dir);
		unlink(cfg);
	}
	rmdir(dir);
	xe_fini(&e);
	return 0;
}
