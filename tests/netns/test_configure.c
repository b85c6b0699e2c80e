// SPDX-License-Identifier: GPL-2.0-or-later
/* test_configure.c: configure=on gives address and route that work. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "datapath/frame_hot.h"
#include "devices/netns_tap.h"
#include "tests/netns/nstest.h"

static const uint8_t host_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

/* What the capture port saw of the namespace's IPv4 traffic. */
static struct {
	unsigned int arp_requests;
	uint8_t arp_sha[6];
	unsigned int udp;
	char udp_payload[32];
	unsigned int released;
} seen;

static void on_released(void *arg)
{
	seen.released++;
}

static bool ip_is(const uint8_t *p, const char *dotted)
{
	struct in_addr a;

	inet_pton(AF_INET, dotted, &a);
	return !memcmp(p, &a, 4);
}

/* ARP requests for the gateway and UDP datagrams to it. */
static void on_other(struct ncap *c, const struct frame *f)
{
	const uint8_t *b = f->data;
	unsigned int ihl;

	if (f->len >= 42 && b[12] == 0x08 && b[13] == 0x06 && b[21] == 1 &&
	    ip_is(b + 28, "10.0.2.100") && ip_is(b + 38, "10.0.2.2")) {
		seen.arp_requests++;
		memcpy(seen.arp_sha, b + 22, 6);
		return;
	}
	if (f->len < 34 || b[12] != 0x08 || b[13] != 0x00 || b[23] != 17 ||
	    memcmp(b, host_mac, 6) || !ip_is(b + 26, "10.0.2.100") ||
	    !ip_is(b + 30, "10.0.2.2"))
		return;
	ihl = (b[14] & 0x0f) * 4u;
	if (f->len < 14 + ihl + 8 || b[14 + ihl + 2] != 0 ||
	    b[14 + ihl + 3] != 9)
		return;
	seen.udp++;
	snprintf(seen.udp_payload, sizeof(seen.udp_payload), "%.*s",
		 (int)(f->len - 14 - ihl - 8), (const char *)b + 14 + ihl + 8);
}

/* The gateway's ARP reply, as a user-mode stack would send it. */
static void fill_arp_reply(uint8_t *b, const uint8_t tap_mac[6])
{
	memset(b, 0, 60);
	memcpy(b, tap_mac, 6);
	memcpy(b + 6, host_mac, 6);
	b[12] = 0x08;
	b[13] = 0x06;
	b[15] = 1;    /* Ethernet */
	b[16] = 0x08; /* IPv4 */
	b[18] = 6;
	b[19] = 4;
	b[21] = 2; /* reply */
	memcpy(b + 22, host_mac, 6);
	inet_pton(AF_INET, "10.0.2.2", b + 28);
	memcpy(b + 32, tap_mac, 6);
	inet_pton(AF_INET, "10.0.2.100", b + 38);
}

static bool out_has(const char *const argv[], const char *want)
{
	char out[4096];

	CHECK_EQ(nst_cmd_out(argv, out, sizeof(out)), 0);
	if (strstr(out, want))
		return true;
	fprintf(stderr, "no '%s' in:\n%s", want, out);
	return false;
}

/* Defaults: 10.0.2.100/24, default via 10.0.2.2, lo up; UDP works. */
static void test_default(struct uloop *loop)
{
	struct netns_tap_config cfg = {.configure = true,
				       .released = on_released};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
	char ns[NST_NS_NAME_MAX];
	const char *addr[] = {"ip",   "-n",   ns,    "-4",   "-o",
			      "addr", "show", "dev", "tap0", NULL};
	const char *route[] = {"ip",	"-n",	ns,	   "-4",
			       "route", "show", "default", NULL};
	struct netns_tap *nt;
	struct nst_frames t;
	uint8_t tap_mac[6];
	struct ncap cap;
	char out[1024];
	int sock, udp, ret;

	nst_ns_add(ns);
	nst_ns_no_ipv6(ns);
	cfg.netns = ns;
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "ns0"), 0);
	ncap_init(&cap, "user0");
	cap.on_other = on_other;
	CHECK_EQ(port_connect(netns_tap_port(nt), &cap.port), 0);

	CHECK(out_has(addr, "inet 10.0.2.100/24 "));
	CHECK(out_has(route, "default via 10.0.2.2 dev tap0"));
	sock = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	CHECK(nst_ifflags(sock, "lo") & IFF_UP);
	CHECK_EQ(nst_ifmac(sock, "tap0", tap_mac), 0);

	/* a datagram to the gateway: ARP first, then the datagram */
	udp = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "10.0.2.2", &to.sin_addr);
	CHECK_EQ(sendto(udp, "qnet-udp", 8, 0, (struct sockaddr *)&to,
			sizeof(to)),
		 8);
	NST_RUN_UNTIL(loop, seen.arp_requests >= 1, 3000);
	CHECK(!memcmp(seen.arp_sha, tap_mac, 6));
	nst_frames_new(&t, 1);
	t.f[0].len = 60;
	fill_arp_reply(t.f[0].data, tap_mac);
	ncap_send(&cap, t.ptr, 1);
	NST_RUN_UNTIL(loop, seen.udp == 1, 3000);
	CHECK(!strcmp(seen.udp_payload, "qnet-udp"));
	NST_RUN_UNTIL(loop, nst_frames_idle(&t), 1000);
	nst_frames_free(&t);

	ret = netns_tap_close(nt);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(loop, seen.released == 1, 2000);
	/* the address and route went with the tap */
	CHECK_EQ(nst_ifindex(sock, "tap0"), -ENODEV);
	CHECK_EQ(nst_cmd_out(route, out, sizeof(out)), 0);
	CHECK_EQ(strlen(out), 0);
	close(udp);
	close(sock);
	ncap_fini(&cap);
	nst_ns_del(ns);
}

/* Another address and gateway; then a gateway off the subnet fails. */
static void test_custom_and_failure(struct uloop *loop)
{
	char ns[NST_NS_NAME_MAX], msg[NETNS_TAP_ERRMSG_MAX];
	struct netns_tap_config cfg = {.configure = true,
				       .prefixlen = 26,
				       .ifname = "eth0",
				       .released = on_released,
				       .errmsg = msg,
				       .errmsg_size = sizeof(msg)};
	const char *addr[] = {"ip",   "-n",   ns,    "-4",   "-o",
			      "addr", "show", "dev", "eth0", NULL};
	const char *route[] = {"ip",	"-n",	ns,	   "-4",
			       "route", "show", "default", NULL};
	struct netns_tap *nt;
	unsigned int before = seen.released;
	char out[1024];
	int sock, ret;

	nst_ns_add(ns);
	cfg.netns = ns;
	inet_pton(AF_INET, "192.168.77.5", &cfg.addr);
	inet_pton(AF_INET, "192.168.77.1", &cfg.gateway);
	CHECK_EQ(netns_tap_open(&nt, &cfg, loop, "ns1"), 0);
	CHECK(out_has(addr, "inet 192.168.77.5/26 "));
	CHECK(out_has(route, "default via 192.168.77.1 dev eth0"));
	ret = netns_tap_close(nt);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(loop, seen.released == before + 1, 2000);

	/* the route cannot be added: nothing of the tap stays */
	inet_pton(AF_INET, "10.9.9.9", &cfg.gateway);
	CHECK(netns_tap_open(&nt, &cfg, loop, "ns1") < 0);
	CHECK(nt == NULL);
	CHECK(strstr(msg, "default route via 10.9.9.9") != NULL);
	printf("gateway off the subnet: %s\n", msg);
	sock = nst_ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(nst_ifindex(sock, "eth0"), -ENODEV);
	CHECK_EQ(nst_cmd_out(route, out, sizeof(out)), 0);
	CHECK_EQ(strlen(out), 0);
	close(sock);
	nst_ns_del(ns);
}

int main(void)
{
	struct uloop loop;

	nst_require();
	nst_loop_init(&loop);
	test_default(&loop);
	test_custom_and_failure(&loop);
	uloop_fini(&loop);
	printf("netns-tap-configure: ok\n");
	return 0;
}
