// SPDX-License-Identifier: GPL-2.0-or-later
/* test_open.c: netns frontend setup, errors and close leave nothing. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "devices/netns_tap.h"
#include "tests/netns/nstest.h"

static unsigned int released;

static void on_released(void *arg)
{
	released++;
}

/* Open file descriptors of this process. */
static unsigned int count_fds(void)
{
	unsigned int n = 0;
	int fd;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Close and wait (running the loop) until the object is freed. */
static void close_and_wait(struct uloop *loop, struct netns_tap *nt)
{
	unsigned int before = released;
	int ret = netns_tap_close(nt);

	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(loop, released == before + 1, 2000);
}

/*
 * Wait for IFF_RUNNING on @ifname to become @on: the kernel applies a
 * carrier change to the operational state asynchronously (linkwatch, up
 * to a second).
 */
static void wait_running(int sock, const char *ifname, bool on)
{
	uint64_t end = uloop_now() + 3000 * NST_MS;

	while (!!(nst_ifflags(sock, ifname) & IFF_RUNNING) != on) {
		CHECK(uloop_now() < end);
		usleep(10000);
	}
	CHECK(nst_ifflags(sock, ifname) & IFF_UP);
}

/* Default configuration named by a bare namespace name: up, tap0, 1500. */
static void test_defaults(struct uloop *loop)
{
	struct netns_tap_config cfg = {.released = on_released};
	struct netns_tap *nt;
	char ns[NST_NS_NAME_MAX];
	unsigned int fds = count_fds();
	int sock, flags;

	nst_ns_add(ns);
	cfg.netns = ns;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "ns0"), 0);
	CHECK_EQ(count_fds(), fds + 2); /* the tap and the rtnetlink socket */
	CHECK(!strcmp(netns_tap_ifname(nt), "tap0"));
	CHECK_EQ(netns_tap_port(nt)->kind, PORT_NIC);
	CHECK(!strcmp(netns_tap_port(nt)->name, "ns0"));
	/* the tap is inside the namespace, up and running */
	sock = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(nst_ifindex(sock, "tap0"), netns_tap_ifindex(nt));
	flags = nst_ifflags(sock, "tap0");
	CHECK(flags > 0 && (flags & IFF_UP));
	wait_running(sock, "tap0", true);
	CHECK_EQ(nst_ifmtu(sock, "tap0"), 1500);
	/* configure=off: lo stays down */
	CHECK_EQ(nst_ifflags(sock, "lo") & IFF_UP, 0);

	close_and_wait(loop, nt);
	/* gone at once, in the namespace the test still holds */
	CHECK_EQ(nst_ifindex(sock, "tap0"), -ENODEV);
	close(sock);
	CHECK_EQ(count_fds(), fds);
	nst_ns_del(ns);
	CHECK(!nst_ns_exists(ns));
}

/* A child process that sits in the namespace, for netns=PID. */
static pid_t park_in_ns(const char *ns)
{
	char path[128];
	int fd, p[2];
	pid_t pid;
	char c;

	CHECK_EQ(pipe(p), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			_exit(1);
		close(p[0]);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

/* netns=PID and netns=PATH; ifname pattern, MTU and MAC set. */
static void test_pid_path(struct uloop *loop)
{
	static const uint8_t mac[6] = {0x02, 0x51, 0x4e, 0x45, 0x54, 0x01};
	struct netns_tap_config cfg = {.released = on_released,
				       .ifname = "qn%d",
				       .mtu = 9000,
				       .has_mac = true,
				       .bgid = 7};
	struct netns_tap *a, *b;
	char ns[NST_NS_NAME_MAX], spec[32], path[128];
	uint8_t got[6];
	pid_t pid;
	int sock, status;

	memcpy(cfg.mac, mac, 6);
	nst_ns_add(ns);
	pid = park_in_ns(ns);
	snprintf(spec, sizeof(spec), "%d", (int)pid);
	cfg.netns = spec;
	CHECK_EQ(netns_tap_open(&a, &cfg, loop, "nsa"), 0);
	CHECK(!strcmp(netns_tap_ifname(a), "qn0"));
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	cfg.netns = path;
	cfg.has_mac = false;
	cfg.mtu = 0;
	cfg.bgid = 8;
	CHECK_EQ(netns_tap_open(&b, &cfg, loop, "nsb"), 0);
	CHECK(!strcmp(netns_tap_ifname(b), "qn1"));

	sock = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(nst_ifmtu(sock, "qn0"), 9000);
	CHECK_EQ(nst_ifmac(sock, "qn0", got), 0);
	CHECK(!memcmp(got, mac, 6));
	CHECK_EQ(nst_ifmtu(sock, "qn1"), 1500);
	CHECK(nst_ifflags(sock, "qn1") & IFF_UP);

	close_and_wait(loop, a);
	close_and_wait(loop, b);
	CHECK_EQ(nst_ifindex(sock, "qn0"), -ENODEV);
	CHECK_EQ(nst_ifindex(sock, "qn1"), -ENODEV);
	close(sock);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	nst_ns_del(ns);
}

/* Errors: named step in errmsg, nothing half-created left behind. */
static void test_errors(struct uloop *loop)
{
	char ns[NST_NS_NAME_MAX], msg[NETNS_TAP_ERRMSG_MAX], gone[96];
	struct netns_tap_config cfg = {.errmsg = msg,
				       .errmsg_size = sizeof(msg),
				       .released = on_released,
				       .bgid = 3};
	struct netns_tap *nt, *nt2;
	int sock;

	nst_ns_add(ns);
	snprintf(gone, sizeof(gone), "%s-missing", ns);
	cfg.netns = gone;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), -ENOENT);
	CHECK(nt == NULL);
	CHECK(strstr(msg, "/run/netns/") != NULL);
	cfg.netns = "/proc/self/ns/uts";
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), -EINVAL);
	CHECK(strstr(msg, "not a network namespace") != NULL);
	cfg.netns = "/etc/hostname";
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), -EINVAL);
	cfg.netns = ns;
	cfg.mtu = 20;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), -EINVAL);
	CHECK(strstr(msg, "mtu") != NULL);
	cfg.mtu = NETNS_TAP_MTU_MAX + 1;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), -EINVAL);
	/* the largest MTU a tap takes works (pasta uses 65520) */
	cfg.mtu = NETNS_TAP_MTU_MAX;
	cfg.rx_bufs = 16;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), 0);
	close_and_wait(loop, nt);
	cfg.mtu = 0;
	cfg.rx_bufs = 100;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), -EINVAL);
	cfg.rx_bufs = 0;
	cfg.ifname = "much-too-long-ifname";
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), -EINVAL);
	cfg.ifname = NULL;

	/* the good one, then a clash on its name */
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "e0"), 0);
	cfg.bgid = 4;
	CHECK_EQ(netns_tap_open(&nt2, &cfg, loop, "e1"), -EBUSY);
	CHECK(strstr(msg, "tap0") != NULL);
	/* a buffer group in use fails after the tap was made: no tap left */
	cfg.bgid = 3;
	cfg.ifname = "tapx";
	CHECK_EQ(netns_tap_open(&nt2, &cfg, loop, "e1"), -EEXIST);
	CHECK(strstr(msg, "buffer group") != NULL);
	sock = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(nst_ifindex(sock, "tapx"), -ENODEV);
	CHECK(nst_ifflags(sock, "tap0") & IFF_UP);

	close_and_wait(loop, nt);
	CHECK_EQ(nst_ifindex(sock, "tap0"), -ENODEV);
	close(sock);
	nst_ns_del(ns);
}

/* The port's link state shows as the tap's carrier inside the namespace. */
static void test_carrier(struct uloop *loop)
{
	struct netns_tap_config cfg = {.released = on_released, .bgid = 5};
	struct netns_tap *nt;
	char ns[NST_NS_NAME_MAX];
	struct ncap cap;
	int sock;

	nst_ns_add(ns);
	cfg.netns = ns;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "c0"), 0);
	ncap_init(&cap, "cap");
	CHECK_EQ(port_connect(netns_tap_port(nt), &cap.port), 0);
	sock = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	wait_running(sock, "tap0", true);
	port_set_link(&cap.port, false);
	wait_running(sock, "tap0", false);
	port_set_link(&cap.port, true);
	wait_running(sock, "tap0", true);
	port_set_link(netns_tap_port(nt), false);
	wait_running(sock, "tap0", false);
	port_set_link(netns_tap_port(nt), true);
	wait_running(sock, "tap0", true);

	close_and_wait(loop, nt);
	CHECK(cap.port.peer == NULL);
	ncap_fini(&cap);
	close(sock);
	nst_ns_del(ns);
}

/* An ethtool on/off setting of @ifname (ETHTOOL_GTSO, ETHTOOL_GTXCSUM). */
static int ethtool_get(int sock, const char *ifname, uint32_t cmd)
{
	struct ethtool_value ev = {.cmd = cmd};
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	CHECK_EQ(ioctl(sock, SIOCETHTOOL, &ifr), 0);
	return (int)ev.data;
}

/* Open a tap with @cfg; check its receive ring and the tap's TSO. */
static void check_ring(struct uloop *loop, struct netns_tap_config *cfg,
		       int sock, unsigned int bufs, unsigned int size,
		       bool tso)
{
	struct netns_tap_stats st;
	struct netns_tap *nt;

	CHECK_EQ(netns_tap_open(&nt, cfg, loop, "r0"), 0);
	netns_tap_stats(nt, &st);
	if (st.rx_bufs != bufs || st.rx_buf_size != size)
		fprintf(stderr, "mtu %u offload %d: %u buffers of %u\n",
			cfg->mtu, cfg->offload, st.rx_bufs, st.rx_buf_size);
	CHECK_EQ(st.rx_bufs, bufs);
	CHECK_EQ(st.rx_buf_size, size);
	CHECK_EQ(ethtool_get(sock, "tap0", ETHTOOL_GTSO), tso);
	CHECK_EQ(ethtool_get(sock, "tap0", ETHTOOL_GTXCSUM), tso);
	close_and_wait(loop, nt);
}

/* Receive rings sized by bytes; offload sets checksum and TSO on the tap. */
static void test_ring(struct uloop *loop)
{
	struct netns_tap_config cfg = {.released = on_released};
	char ns[NST_NS_NAME_MAX];
	int sock;

	nst_ns_add(ns);
	cfg.netns = ns;
	sock = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	/* 12 + 1518 + 1 rounded to 64: 2 MiB would be 1365, at most 256 */
	check_ring(loop, &cfg, sock, 256, 1536, false);
	/* 12 + 9018 + 1 -> 9088: 230 buffers, nearest power of two 256 */
	cfg.mtu = 9000;
	check_ring(loop, &cfg, sock, 256, 9088, false);
	/* 12 + 65538 + 1 -> 65600: 31.97, so 32 (not 256 x 64 KiB) */
	cfg.mtu = 65520;
	check_ring(loop, &cfg, sock, 32, 65600, false);
	/* offload: 64 KiB GSO frames at any MTU up to the limit */
	cfg.mtu = 0;
	cfg.offload = true;
	check_ring(loop, &cfg, sock, 32, 65600, true);
	cfg.mtu = NETNS_TAP_OFFLOAD_MTU_MAX;
	check_ring(loop, &cfg, sock, 32, 65600, true);
	/* above it TSO cannot merge: no offload, MTU-sized buffers */
	cfg.mtu = NETNS_TAP_OFFLOAD_MTU_MAX + 1;
	check_ring(loop, &cfg, sock, 64, 32064, false);
	cfg.mtu = 65520;
	check_ring(loop, &cfg, sock, 32, 65600, false);
	/* an explicit rx-bufs wins */
	cfg.mtu = 0;
	cfg.rx_bufs = 8;
	check_ring(loop, &cfg, sock, 8, 65600, true);
	cfg.offload = false;
	cfg.rx_bufs = 1024;
	check_ring(loop, &cfg, sock, 1024, 1536, false);
	close(sock);
	nst_ns_del(ns);
}

int main(void)
{
	struct uloop loop;

	nst_require();
	nst_loop_init(&loop);
	test_defaults(&loop);
	test_pid_path(&loop);
	test_errors(&loop);
	test_carrier(&loop);
	test_ring(&loop);
	uloop_fini(&loop);
	printf("netns-tap-open: ok\n");
	return 0;
}
