// SPDX-License-Identifier: GPL-2.0-or-later
/* test_user_net.c: a real slirp on a real uloop: ARP, DHCP, ping, UDP to a host socket, idle cost. */

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/user.h"
#include "tests/unit/user/uguest.h"

static struct uloop loop;
static struct uguest g;
static struct user_backend *be;

/* open a backend with @c and peer it with the guest */
static void be_open(const struct user_config *c)
{
	struct user_err err = {""};
	int ret = user_open(&be, c, &loop, "n0", &err);

	if (ret)
		fprintf(stderr, "user_open: %d %s\n", ret, err.msg);
	CHECK_EQ(ret, 0);
	CHECK_EQ(port_connect(&g.port, user_port(be)), 0);
	uguest_clear(&g);
}

/* close it and let the loop finish the teardown */
static void be_close(void)
{
	int ret = user_close(be);

	CHECK(ret == 0 || ret == -EINPROGRESS);
	be = NULL;
	uguest_run(&loop, 30);
}

static bool is_arp_reply(const uint8_t *d, uint32_t len, void *arg)
{
	return len >= 42 && ub_rd16(d + 12) == 0x0806 && ub_rd16(d + 20) == 2 &&
	       !memcmp(d + 28, arg, 4);
}

/* ARP for the gateway is answered with slirp's MAC, padded to 60 bytes */
static void test_arp(void)
{
	struct in_addr gw = ub_addr("10.0.2.2");
	uint8_t f[64];
	int i;

	uguest_send(&g, f, ub_arp_request(f, g.ip, gw));
	i = uguest_wait(&g, is_arp_reply, &gw, 2000);
	CHECK(i >= 0);
	CHECK(!memcmp(g.cap[i] + 22, UG_GW_MAC, 6));
	CHECK(!memcmp(g.cap[i], UG_MAC, 6));
	CHECK(g.caplen[i] >= 60);
	printf("ok arp\n");
}

struct dhcp_match {
	uint32_t xid;
	uint8_t type;
};

static bool is_dhcp(const uint8_t *d, uint32_t len, void *arg)
{
	struct dhcp_match *m = arg;
	struct ub_ipv4 ip;
	const uint8_t *b;
	uint32_t i;

	if (!ub_parse_ipv4(d, len, &ip) || ip.proto != 17 || ip.l4len < 8 + 244)
		return false;
	if (ub_rd16(ip.l4) != 67 || ub_rd16(ip.l4 + 2) != 68)
		return false;
	b = ip.l4 + 8;
	if (b[0] != 2 || ub_rd32(b + 4) != m->xid)
		return false;
	for (i = 240; i + 2 < ip.l4len - 8 && b[i] != 255; i += 2 + b[i + 1])
		if (b[i] == 53)
			return b[i + 2] == m->type;
	return false;
}

/* a DHCP DISCOVER gets an OFFER of 10.0.2.15 from 10.0.2.2 */
static void test_dhcp(void)
{
	struct dhcp_match m = {.xid = 0x1234abcd, .type = 2};
	struct ub_ipv4 ip;
	uint8_t f[400];
	int i;

	uguest_send(&g, f, ub_dhcp_discover(f, m.xid));
	i = uguest_wait(&g, is_dhcp, &m, 2000);
	CHECK(i >= 0);
	CHECK(ub_parse_ipv4(g.cap[i], g.caplen[i], &ip));
	CHECK(!memcmp(ip.l4 + 8 + 16, "\x0a\x00\x02\x0f", 4));
	CHECK_EQ(ip.src.s_addr, ub_addr("10.0.2.2").s_addr);
	CHECK(ub_l4_csum_ok(&ip));
	printf("ok dhcp offer 10.0.2.15\n");
}

/* dhcp=off (qnet): no answer at all */
static void test_dhcp_off(void)
{
	struct dhcp_match m = {.xid = 0x5555, .type = 2};
	struct user_config c;
	uint8_t f[400];

	user_config_defaults(&c);
	c.dhcp = false;
	be_open(&c);
	uguest_send(&g, f, ub_dhcp_discover(f, m.xid));
	CHECK(uguest_wait(&g, is_dhcp, &m, 300) < 0);
	be_close();
	user_config_free(&c);
	printf("ok dhcp=off is silent\n");
}

struct echo_match {
	struct in_addr from;
	uint16_t id;
};

static bool is_echo_reply(const uint8_t *d, uint32_t len, void *arg)
{
	struct echo_match *m = arg;
	struct ub_ipv4 ip;

	return ub_parse_ipv4(d, len, &ip) && ip.proto == 1 && ip.l4len >= 8 &&
	       ip.l4[0] == 0 && ub_rd16(ip.l4 + 4) == m->id &&
	       ip.src.s_addr == m->from.s_addr;
}

/* ICMP echo to the gateway: libslirp answers itself, no socket needed */
static void test_ping_gateway(void)
{
	struct echo_match m = {ub_addr("10.0.2.2"), 0x77};
	uint8_t f[128];

	uguest_send(&g, f, ub_icmp_echo(f, g.ip, m.from, m.id, 1));
	CHECK(uguest_wait(&g, is_echo_reply, &m, 2000) >= 0);
	printf("ok ping 10.0.2.2\n");
}

struct udp_match {
	uint16_t sport;
	uint16_t dport;
	const char *payload;
};

static bool is_udp(const uint8_t *d, uint32_t len, void *arg)
{
	struct udp_match *m = arg;
	struct ub_ipv4 ip;
	size_t n = strlen(m->payload);

	return ub_parse_ipv4(d, len, &ip) && ip.proto == 17 &&
	       ip.l4len == 8 + n && ub_rd16(ip.l4) == m->sport &&
	       ub_rd16(ip.l4 + 2) == m->dport &&
	       !memcmp(ip.l4 + 8, m->payload, n);
}

/**
 * udp_round_trip() - guest -> 10.0.2.2:P reaches a UDP socket on the
 * host's 127.0.0.1:P; after @delay_ms the host answers and the reply must
 * come back as a frame from 10.0.2.2:P
 * @sport:	the guest's source port
 * @arp:	ARP for the gateway first (a fresh backend knows no guest)
 * @delay_ms:	loop time between the host's receipt and its answer
 *
 * Return: the host port used.
 */
static unsigned int udp_round_trip(uint16_t sport, bool arp, int delay_ms)
{
	struct sockaddr_in a = {.sin_family = AF_INET}, from;
	struct in_addr gw = ub_addr("10.0.2.2");
	socklen_t alen = sizeof(a);
	struct udp_match m;
	struct pollfd pfd;
	char buf[64];
	uint8_t f[256];
	int s, i;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	if (arp)
		uguest_send(&g, f, ub_arp_request(f, g.ip, gw));
	uguest_send(&g, f,
		    ub_udp(f, g.ip, sport, gw, ntohs(a.sin_port), "ping", 4));
	pfd = (struct pollfd){.fd = s, .events = POLLIN};
	for (i = 0; i < 100 && poll(&pfd, 1, 0) == 0; i++)
		uguest_run(&loop, 20);
	alen = sizeof(from);
	CHECK_EQ(recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT,
			  (struct sockaddr *)&from, &alen), 4);
	CHECK(!memcmp(buf, "ping", 4));
	CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	if (delay_ms)
		uguest_run(&loop, delay_ms);
	CHECK_EQ(sendto(s, "pong", 4, 0, (struct sockaddr *)&from, alen), 4);
	m = (struct udp_match){ntohs(a.sin_port), sport, "pong"};
	CHECK(uguest_wait(&g, is_udp, &m, 2000) >= 0);
	close(s);
	return ntohs(a.sin_port);
}

/* guest -> host 127.0.0.1 over UDP, and the answer back */
static void test_udp_host(void)
{
	printf("ok udp guest -> host 127.0.0.1:%u and back\n",
	       udp_round_trip(5000, false, 0));
}

/* The first UDP flow of a fresh backend keeps its host socket past
 * libslirp's first poll: the host's reply 1.5 s later still comes back.
 * (libslirp stamps a UDP socket's expiry with its clock as of its last
 * poll; before the first one that clock is 0, and a socket made then
 * looked 4 minutes old at the first poll.) */
static void test_udp_fresh(void)
{
	udp_round_trip(5001, true, 1500);	/* libslirp polls once a second */
	printf("ok first udp flow of a fresh backend answered after 1.5 s\n");
}

/* qnet's outbound=: the host sockets of the guest's connections are bound
 * to that address (127.0.0.2 here, still the loopback) */
static void test_outbound(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET}, from;
	socklen_t alen = sizeof(a);
	struct user_config c;
	struct pollfd pfd;
	uint8_t f[256];
	char buf[16];
	int s, i;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(s >= 0 && !bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_EQ(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	user_config_defaults(&c);
	c.has_outbound = true;
	c.outbound = ub_addr("127.0.0.2");
	be_open(&c);
	uguest_send(&g, f,
		    ub_udp(f, g.ip, 5003, ub_addr("10.0.2.2"),
			   ntohs(a.sin_port), "out", 3));
	pfd = (struct pollfd){.fd = s, .events = POLLIN};
	for (i = 0; i < 100 && poll(&pfd, 1, 0) == 0; i++)
		uguest_run(&loop, 20);
	alen = sizeof(from);
	CHECK_EQ(recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT,
			  (struct sockaddr *)&from, &alen),
		 3);
	CHECK_EQ(from.sin_addr.s_addr, ub_addr("127.0.0.2").s_addr);
	be_close();
	user_config_free(&c);
	close(s);
	printf("ok outbound=127.0.0.2\n");
}

/* an idle backend sleeps: ~1 wake-up per second, CPU near zero */
static void test_idle(void)
{
	uint64_t cpu0, cpu1, it0, it1;

	uguest_run(&loop, 600); /* let TCP/ARP timers settle */
	it0 = uloop_stats(&loop)->iterations;
	cpu0 = ub_cpu_ns();
	uguest_run(&loop, 1000);
	cpu1 = ub_cpu_ns();
	it1 = uloop_stats(&loop)->iterations;
	printf("idle second: %llu us CPU, %llu loop iterations\n",
	       (unsigned long long)(cpu1 - cpu0) / 1000,
	       (unsigned long long)(it1 - it0));
	CHECK(cpu1 - cpu0 < 20000000ull);
	CHECK(it1 - it0 < 20);
	printf("ok idle\n");
}

/* bring lo up in a fresh network namespace */
static int lo_up(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (s < 0)
		return -1;
	ret = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	ret = ret ?: ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return ret;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* enter a private network namespace (as root, or through a user ns) */
static int private_netns(void)
{
	char map[64];
	unsigned int uid = getuid(), gid = getgid();

	if (!unshare(CLONE_NEWNET))
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return -1;
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (write_file("/proc/self/uid_map", map))
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	return write_file("/proc/self/gid_map", map);
}

/*
 * In a private network namespace: the warning while ping_group_range
 * refuses us, then a real echo through an ICMP datagram socket once the
 * namespace's range admits our group.  Exit 0, 1 or 77.
 */
static int ping_child(void)
{
	struct echo_match m = {ub_addr("127.0.0.1"), 0x99};
	struct user_config c;
	char why[512], range[64];
	uint8_t f[128];

	if (private_netns() || lo_up()) {
		printf("SKIP ping through a socket: cannot make a network "
		       "namespace (%s)\n",
		       strerror(errno));
		return 77;
	}
	/* a new namespace starts with "1 0": nobody may ping */
	CHECK_EQ(user_ping_check(why, sizeof(why)), 0);
	CHECK(strstr(why, "net.ipv4.ping_group_range"));
	printf("warning text: %s\n", why);
	snprintf(range, sizeof(range), "%u %u", getegid(), getegid());
	if (write_file("/proc/sys/net/ipv4/ping_group_range", range)) {
		printf("SKIP ping through a socket: cannot set the namespace's "
		       "net.ipv4.ping_group_range (%s)\n",
		       strerror(errno));
		return 77;
	}
	CHECK_EQ(user_ping_check(why, sizeof(why)), 1);
	CHECK_EQ(uloop_init(&loop, NULL), 0);
	CHECK_EQ(uguest_init(&g, &loop), 0);
	user_config_defaults(&c);
	be_open(&c);
	CHECK(user_ping_available(be));
	CHECK(user_ping_warning(be) == NULL);
	uguest_send(&g, f, ub_icmp_echo(f, g.ip, m.from, m.id, 1));
	CHECK(uguest_wait(&g, is_echo_reply, &m, 3000) >= 0);
	be_close();
	user_config_free(&c);
	uguest_fini(&g);
	uloop_fini(&loop);
	printf("ok ping 127.0.0.1 through an ICMP datagram socket\n");
	return 0;
}

static void test_ping_socket(void)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		exit(ping_child());
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 77);
}

int main(void)
{
	struct user_config c;
	int ret;

	test_ping_socket();
	ret = uloop_init(&loop, NULL);
	if (ret) {
		printf("SKIP: io_uring unavailable (%s)\n", strerror(-ret));
		return 77;
	}
	CHECK_EQ(uguest_init(&g, &loop), 0);
	user_config_defaults(&c);
	be_open(&c);
	test_udp_fresh();	/* first: nothing has polled libslirp yet */
	if (!user_ping_available(be))
		printf("(host ping warning: %s)\n", user_ping_warning(be));
	test_arp();
	test_dhcp();
	test_ping_gateway();
	test_udp_host();
	test_idle();
	be_close();
	test_dhcp_off();
	test_outbound();
	user_config_free(&c);
	uguest_fini(&g);
	uloop_fini(&loop);
	return 0;
}
