// SPDX-License-Identifier: GPL-2.0-or-later
/* test_netns_user.c: a namespace served by the netns tap and the user backend: TCP uploads to the host, byte for byte. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "backends/user.h"
#include "devices/netns_tap.h"
#include "tests/netns/nstest.h"

/**
 * DOC: netns-user-tcp
 *
 * What qnet does for a container (and benchmarks/user measures), with its
 * data checked: a namespace with a netns tap (configure=on) connected to
 * a user backend, a TCP client inside the namespace, a server on the
 * host's 127.0.0.1 reached as 10.0.2.2.  BULK bytes go up, byte for byte,
 * at MTU 1500 with the tap's offloads on (TSO frames of up to 64 KiB
 * through libslirp) and off (1448-byte segments), at MTU 9000 with TSO and
 * at MTU 65520 (where the tap takes no offloads); the counters must show
 * the path taken: GSO frames read and handed to
 * libslirp whole, ACKs coalesced, every frame accounted for.
 */

#define BULK	 (24u << 20)
#define CHUNK	 (256u << 10)
#define BGID	 7
#define DEADLINE 20000 /* ms for one upload */

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 21);
}

/**
 * struct run - one namespace, tap, backend and connection
 * @loop:	the loop of both ends
 * @ns:		the namespace
 * @nt:		the netns tap
 * @be:		the user backend
 * @released:	the tap's memory is gone
 */
struct run {
	struct uloop loop;
	char ns[NST_NS_NAME_MAX];
	struct netns_tap *nt;
	struct user_backend *be;
	bool released;
};

static void on_released(void *arg)
{
	((struct run *)arg)->released = true;
}

/* both ends, connected, in a fresh namespace */
static void run_open(struct run *r, unsigned int mtu, bool offload)
{
	char msg[NETNS_TAP_ERRMSG_MAX] = "";
	struct netns_tap_config nc = {.mtu = mtu,
				      .configure = true,
				      .offload = offload,
				      .bgid = BGID,
				      .released = on_released,
				      .released_arg = r,
				      .errmsg = msg,
				      .errmsg_size = sizeof(msg)};
	struct user_config uc;
	struct user_err err = {""};
	int ret;

	memset(r, 0, sizeof(*r));
	nst_loop_init(&r->loop);
	nst_ns_add(r->ns);
	nc.netns = r->ns;
	user_config_defaults(&uc);
	uc.mtu = uc.mru = mtu;
	CHECK_EQ(user_open(&r->be, &uc, &r->loop, "u0", &err), 0);
	user_config_free(&uc);
	ret = netns_tap_open(&r->nt, &nc, &r->loop, "netns.0");
	if (ret)
		fprintf(stderr, "netns_tap_open: %s\n", msg);
	CHECK_EQ(ret, 0);
	CHECK_EQ(port_connect(netns_tap_port(r->nt), user_port(r->be)), 0);
}

static void run_close(struct run *r)
{
	int ret = netns_tap_close(r->nt);

	CHECK(ret == 0 || ret == -EINPROGRESS);
	ret = user_close(r->be);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	NST_RUN_UNTIL(&r->loop, r->released, 2000);
	nst_run_for(&r->loop, 20);
	uloop_fini(&r->loop);
	nst_ns_del(r->ns);
	CHECK(!nst_ns_exists(r->ns));
}

/* a listening socket on the host's 127.0.0.1; its port in @port */
static int listener(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	CHECK(l >= 0);
	CHECK_EQ(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(listen(l, 1), 0);
	CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return l;
}

/* the namespace's client, connecting to 10.0.2.2:@port (non-blocking) */
static int client(struct run *r, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(0x0a000202)};
	int c = nst_ns_socket(r->ns, AF_INET, SOCK_STREAM, 0);

	CHECK_EQ(fcntl(c, F_SETFL, O_NONBLOCK), 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	      errno == EINPROGRESS);
	return c;
}

/**
 * pump() - move BULK bytes from @c to the host's accepted socket
 * @r:	the run (its loop serves both ends)
 * @l:	the listener
 * @c:	the namespace's client
 *
 * Return: milliseconds taken.
 */
static uint64_t pump(struct run *r, int l, int c)
{
	static uint8_t out[CHUNK], in[CHUNK];
	uint64_t sent = 0, got = 0, t0 = uloop_now(), k;
	int s = -1;
	ssize_t n;

	while (got < BULK) {
		CHECK(uloop_now() - t0 < DEADLINE * NST_MS);
		CHECK(uloop_run_once(&r->loop, NST_MS) >= 0);
		if (s < 0) {
			s = accept4(l, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
			CHECK(s >= 0 || errno == EAGAIN);
		}
		while (sent < BULK) {
			size_t m = BULK - sent < CHUNK ? BULK - sent : CHUNK;

			for (k = 0; k < m; k++)
				out[k] = pattern(sent + k);
			n = send(c, out, m, MSG_DONTWAIT);
			if (n <= 0)
				break;
			sent += (uint64_t)n;
		}
		while (s >= 0 && (n = recv(s, in, sizeof(in), 0)) > 0) {
			for (k = 0; k < (uint64_t)n; k++)
				if (in[k] != pattern(got + k)) {
					fprintf(stderr, "byte %llu differs\n",
						(unsigned long long)(got + k));
					CHECK(0);
				}
			got += (uint64_t)n;
		}
	}
	CHECK_EQ(got, BULK);
	close(s);
	return (uloop_now() - t0) / NST_MS;
}

/* one upload; checks the path the frames took */
static void upload(unsigned int mtu, bool offload)
{
	struct netns_tap_stats ns;
	struct port_stats up, tp;
	struct user_stats us;
	struct run r;
	uint16_t port;
	uint64_t ms;
	int l, c;

	run_open(&r, mtu, offload);
	l = listener(&port);
	c = client(&r, port);
	ms = pump(&r, l, c);
	close(c);
	close(l);
	nst_run_for(&r.loop, 50);
	netns_tap_stats(r.nt, &ns);
	user_get_stats(r.be, &us);
	port_stats_sum(user_port(r.be), &up);
	port_stats_sum(netns_tap_port(r.nt), &tp);
	printf("mtu %u offload %s: %u MiB in %llu ms; %llu frames read "
	       "(%llu GSO, %llu partial checksum), %llu handed to libslirp "
	       "whole; %llu pure ACKs, %llu coalesced\n",
	       mtu, offload ? "on" : "off", BULK >> 20, (unsigned long long)ms,
	       (unsigned long long)ns.rx_frames, (unsigned long long)ns.rx_gso,
	       (unsigned long long)ns.rx_csum, (unsigned long long)us.in_gso,
	       (unsigned long long)us.ack_pure,
	       (unsigned long long)us.ack_coalesced);
	if (offload && mtu <= NETNS_TAP_OFFLOAD_MTU_MAX) {
		/* TSO: frames far beyond the MTU, whole into libslirp */
		CHECK(ns.rx_gso > 0);
		CHECK_EQ(us.in_gso, ns.rx_gso);
		CHECK(ns.rx_bytes / ns.rx_frames > 2 * mtu);
	}
	if (!offload || mtu > NETNS_TAP_OFFLOAD_MTU_MAX) {
		CHECK_EQ(ns.rx_gso + ns.rx_csum, 0);
		CHECK_EQ(us.in_gso + us.in_csum, 0);
		CHECK(ns.rx_frames > BULK / (mtu + 18));
	}
	/* frames with an offload header: all completed, none refused */
	CHECK_EQ(us.in_gso + us.in_csum, ns.rx_gso + ns.rx_csum);
	CHECK_EQ(up.drops[PORT_DROP_BAD_VNET] + up.drops[PORT_DROP_GIANT], 0);
	/* everything read went into libslirp */
	CHECK_EQ(tp.tx_packets, ns.rx_frames);
	CHECK_EQ(up.rx_packets, ns.rx_frames);
	/* what libslirp sent back: written, or coalesced (filtered) */
	CHECK_EQ(up.drops[PORT_DROP_FILTER], us.ack_coalesced);
	CHECK_EQ(us.out_frames - us.out_dropped - us.ack_coalesced,
		 up.tx_packets + up.drops[PORT_DROP_QUEUE_FULL] +
			 up.drops[PORT_DROP_NO_PEER] +
			 up.drops[PORT_DROP_LINK_DOWN]);
	CHECK_EQ(ns.tx_frames, up.tx_packets);
	CHECK_EQ(ns.tx_errors + ns.tx_bad_vnet, 0);
	run_close(&r);
}

int main(void)
{
	nst_require();
	upload(1500, true);
	upload(1500, false);
	upload(9000, true);
	upload(65520, true); /* above NETNS_TAP_OFFLOAD_MTU_MAX: no offload */
	printf("netns-user-tcp: ok\n");
	return 0;
}
