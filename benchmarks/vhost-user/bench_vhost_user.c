// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_vhost_user.c: synthetic front-end pushes frames into qnet's virtio-net and into DPDK's vhost PMD. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio_net.h"
#include "tests/device/vfe.h"

#define BIT(n) (1ull << (n))
#define RING 256
#define TXQ 1
#define ROUNDS 3

/**
 * struct result - one measurement
 * @mpps:	million frames per second (completed by the back-end)
 * @gbps:	frame bits per second / 1e9
 * @cpu_ns:	back-end CPU time per frame
 * @frames:	frames in the window
 * @ok:		measured
 */
struct result {
	double mpps;
	double gbps;
	double cpu_ns;
	uint64_t frames;
	bool ok;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

/* CPU time (user + system, all threads) of process @pid, in ns. */
static uint64_t proc_cpu_ns(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	for (i = 0; p && i < 12; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu %llu", &ut, &st) != 2)
		return 0;
	return (ut + st) * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

/* ---- qnet back-end (child process) ---------------------------------- */

static volatile sig_atomic_t stop_flag;
static uint64_t sink_frames;

static void on_term(int sig)
{
	stop_flag = 1;
}

static unsigned int sink_receive(struct port *p, unsigned int q,
				 struct frame **f, unsigned int n)
{
	sink_frames += n;
	return n;
}

static const struct port_ops sink_ops = { .receive = sink_receive };

/* The child: qnet's virtio-net on @path, its peer a sink that counts. */
static int qnet_backend(const char *path, int report_fd)
{
	struct virtio_net_params p;
	struct vhost_user_config vc = { .path = path, .server = true };
	static struct port sink;
	struct virtio_net *vn;
	struct uloop loop;

	pin(1);
	signal(SIGTERM, on_term);
	if (uloop_init(&loop, NULL))
		return 1;
	virtio_net_params_default(&p);
	if (virtio_net_open(&vn, &p, &vc, &loop, "bench"))
		return 1;
	port_init(&sink, &sink_ops, PORT_NETDEV, "sink", 1, NULL);
	port_connect(virtio_net_port(vn), &sink);
	while (!stop_flag)
		uloop_run_once(&loop, 50000000);
	if (write(report_fd, &sink_frames, 8) != 8)
		return 1;
	virtio_net_close(vn);
	uloop_run_once(&loop, 1000000);
	uloop_fini(&loop);
	return 0;
}

static pid_t start_qnet(const char *path, int *report)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		_exit(qnet_backend(path, pfd[1]));
	}
	close(pfd[1]);
	*report = pfd[0];
	return pid;
}

/* DPDK testpmd, vhost PMD as the back-end, rxonly, forwarding on CPU 1. */
static pid_t start_dpdk(const char *path, const char *log, int *stdin_w)
{
	char vdev[200];
	int pfd[2];
	pid_t pid;

	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=1", path);
	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(pfd[0], 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(pfd[1]);
		execlp("dpdk-testpmd", "dpdk-testpmd", "-l", "0,1",
		       "--main-lcore", "0", "--no-huge", "-m", "256", "--no-pci",
		       "--file-prefix=qnetbench", "--log-level=lib.eal:error", "--vdev",
		       vdev, "--", "--total-num-mbufs=16384",
		       "--forward-mode=rxonly", "--auto-start", (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	*stdin_w = pfd[1];
	return pid;
}

/* ---- the front-end ------------------------------------------------------ */

/* Connect (retrying while the back-end starts) and set up the rings. */
static int fe_setup(struct vfe *fe, const char *path, uint32_t size,
		    uint64_t *bufs)
{
	struct vfe_ring *r;
	unsigned int i;
	int tries, ret = -1;

	if (vfe_init(fe, 16 << 20, NULL, NULL))
		return -1;
	for (tries = 0; tries < 300 && (ret = vfe_connect(fe, path)); tries++)
		usleep(50000);
	if (fe->sock < 0) {
		fprintf(stderr, "bench: connect %s: %s\n", path, strerror(-ret));
		return -1;
	}
	ret = vfe_setup(fe, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF),
			2, RING);
	if (ret) {
		fprintf(stderr, "bench: negotiation failed: %d\n", ret);
		return -1;
	}
	r = &fe->ring[TXQ];
	r->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	for (i = 0; i < RING; i++) {
		uint8_t *b;

		bufs[i] = vfe_alloc(fe, 12 + size);
		b = vfe_ptr(fe, bufs[i]);
		memset(b, 0, 12);
		memset(b + 12, 0xff, 6);
		memcpy(b + 18, "\x52\x54\x00\x12\x34\x56\x08\x00", 8);
		memset(b + 26, 0x5a, size - 14);
		r->desc[i] = (struct vring_desc){ bufs[i], 12 + size, 0, 0 };
	}
	return 0;
}

/* Push frames for @ns; count the completed ones. */
static uint64_t fe_run(struct vfe *fe, uint64_t ns)
{
	struct vfe_ring *r = &fe->ring[TXQ];
	uint16_t free_ids[RING];
	unsigned int nfree = RING, i, k = 0;
	uint64_t done = 0, end = now_ns() + ns;
	uint32_t id, len;

	for (i = 0; i < RING; i++)
		free_ids[i] = (uint16_t)i;
	for (;;) {
		unsigned int n = 0;

		while (nfree < RING && vfe_reap(fe, TXQ, &id, &len)) {
			free_ids[nfree++] = (uint16_t)id;
			done++;
		}
		while (nfree) {
			r->avail->ring[r->avail_idx % RING] = free_ids[--nfree];
			r->avail_idx++;
			n++;
		}
		if (n) {
			vfe_publish(fe, TXQ);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (!(__atomic_load_n(&r->used->flags, __ATOMIC_RELAXED) &
			      VRING_USED_F_NO_NOTIFY))
				vfe_kick(fe, TXQ);
		}
		if (++k % 256 == 0 && now_ns() > end)
			break;
	}
	/* let the back-end finish what is posted, so the next run starts
	 * with every descriptor free */
	end = now_ns() + 1000000000ull;
	while (nfree < RING && now_ns() < end) {
		if (!(__atomic_load_n(&r->used->flags, __ATOMIC_RELAXED) &
		      VRING_USED_F_NO_NOTIFY))
			vfe_kick(fe, TXQ);
		while (vfe_reap(fe, TXQ, &id, &len) && nfree < RING)
			free_ids[nfree++] = (uint16_t)id;
		usleep(100);
	}
	return done;
}

/* One back-end, one frame size: warm up, then measure. */
static struct result bench_one(bool dpdk, const char *dir, uint32_t size,
			       uint64_t ns)
{
	char path[128], log[128];
	struct result res = { 0 };
	uint64_t bufs[RING], f0, t0, c0, t1, c1, f1, sunk = 0;
	int report = -1, in_w = -1, st;
	struct vfe fe;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s.sock", dir, dpdk ? "dpdk" : "qnet");
	snprintf(log, sizeof(log), "%s/testpmd.log", dir);
	unlink(path);
	pid = dpdk ? start_dpdk(path, log, &in_w) : start_qnet(path, &report);
	if (pid < 0)
		return res;
	if (fe_setup(&fe, path, size, bufs)) {
		fprintf(stderr, "bench: %s: setup failed\n", dpdk ? "dpdk" : "qnet");
		goto out;
	}
	fe_run(&fe, ns / 5);			/* warm-up */
	f0 = 0;
	t0 = now_ns();
	c0 = proc_cpu_ns(pid);
	f1 = fe_run(&fe, ns);
	t1 = now_ns();
	c1 = proc_cpu_ns(pid);
	res.frames = f1 - f0;
	res.mpps = (double)res.frames * 1e3 / (double)(t1 - t0);
	res.gbps = (double)res.frames * size * 8 / (double)(t1 - t0);
	res.cpu_ns = res.frames ? (double)(c1 - c0) / (double)res.frames : 0;
	res.ok = res.frames > 0;
out:
	vfe_fini(&fe);
	kill(pid, dpdk ? SIGINT : SIGTERM);
	if (report >= 0) {
		if (read(report, &sunk, 8) != 8)
			sunk = 0;
		close(report);
	}
	if (in_w >= 0)
		close(in_w);
	for (st = 0; st < 100 && waitpid(pid, NULL, WNOHANG) == 0; st++)
		usleep(50000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(path);
	if (!dpdk && res.ok)
		fprintf(stderr, "bench: qnet sink counted %llu frames\n",
			(unsigned long long)sunk);
	return res;
}

/* nftw() callback: remove one entry (depth first). */
static int rm_entry(const char *p, const struct stat *st, int type,
		    struct FTW *ftw)
{
	return remove(p);
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 64, 1500 };
	uint64_t ms = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000;
	bool have_dpdk = system("command -v dpdk-testpmd >/dev/null 2>&1") == 0;
	struct result r[2][2];
	char dir[] = "/tmp/qnet-bench-vu.XXXXXX", path[128];
	unsigned int s;

	if (!mkdtemp(dir))
		return 1;
	pin(0);
	printf("vhost-user TX benchmark: synthetic front-end (CPU 0) -> back-end "
	       "(CPU 1), ring %u, best of %u interleaved runs of %llu ms\n",
	       RING, ROUNDS, (unsigned long long)ms);
	if (!have_dpdk)
		printf("dpdk-testpmd not found (apt-get install dpdk-dev): qnet only\n");
	memset(r, 0, sizeof(r));
	for (s = 0; s < 2; s++) {
		unsigned int round, b;

		/* best of ROUNDS, qnet and DPDK interleaved (shared machine) */
		for (round = 0; round < ROUNDS; round++) {
			for (b = 0; b < (have_dpdk ? 2u : 1u); b++) {
				struct result x = bench_one(b, dir, sizes[s],
							    ms * 1000000ull);

				if (x.ok && x.mpps > r[b][s].mpps)
					r[b][s] = x;
			}
		}
	}
	printf("\n| back-end | frame | Mpps | Gbps | back-end CPU ns/frame | qnet/DPDK |\n");
	printf("|---|---|---|---|---|---|\n");
	for (s = 0; s < 2; s++) {
		unsigned int b;

		for (b = 0; b < 2; b++) {
			const struct result *x = &r[b][s];

			if (!x->ok) {
				printf("| %s | %u | - | - | - | |\n",
				       b ? "dpdk vhost PMD" : "qnet virtio-net", sizes[s]);
				continue;
			}
			printf("| %s | %u | %.3f | %.2f | %.1f |", b ? "dpdk vhost PMD"
			       : "qnet virtio-net", sizes[s], x->mpps, x->gbps,
			       x->cpu_ns);
			if (b == 0 && r[1][s].ok)
				printf(" %.2fx |\n", x->mpps / r[1][s].mpps);
			else
				printf(" |\n");
		}
	}
	/* what testpmd and the runs leave behind */
	snprintf(path, sizeof(path), "%s/testpmd.log", dir);
	unlink(path);
	rmdir(dir);
	if (have_dpdk && nftw("/var/run/dpdk/qnetbench", rm_entry, 8,
			      FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		fprintf(stderr, "bench: cannot remove /var/run/dpdk/qnetbench\n");
	return 0;
}
