// SPDX-License-Identifier: GPL-2.0-or-later
/* test_user_tcp.c: bulk TCP through slirp: a host server streams to the guest, byte for byte. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backends/user.h"
#include "tests/unit/user/uguest.h"

#define BULK (4u << 20)

static struct uloop loop;
static struct uguest g;

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)((i * 2654435761u) >> 24);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * struct rcv - the guest's side of the connection
 * @sport:	the server's port
 * @next:	next sequence number expected
 * @got:	bytes received in order
 * @bad:	bytes that differed from the pattern
 * @ooo:	segments out of order (ignored, ACKed at @next)
 * @fin:	the server closed
 * @synack:	SYN-ACK seen
 */
struct rcv {
	uint16_t gport;
	uint16_t sport;
	uint32_t next;
	uint32_t got;
	uint32_t bad;
	uint32_t ooo;
	uint32_t urg;
	bool fin;
	bool synack;
};

/* take the captured frames: in-order data is checked and counted */
static void rcv_frames(struct rcv *r)
{
	unsigned int i;

	for (i = 0; i < g.ncap; i++) {
		struct ub_ipv4 ip;
		const uint8_t *t;
		uint32_t off, len, seq, k;

		if (!ub_parse_ipv4(g.cap[i], g.caplen[i], &ip) ||
		    ip.proto != 6 || ip.l4len < 20)
			continue;
		t = ip.l4;
		if (ub_rd16(t) != r->sport || ub_rd16(t + 2) != r->gport)
			continue;
		CHECK(ub_l4_csum_ok(&ip));
		seq = ub_rd32(t + 4);
		if ((t[13] & 0x12) == 0x12) {
			r->next = seq + 1;
			r->synack = true;
			continue;
		}
		off = (t[12] >> 4) * 4u;
		len = ip.l4len - off;
		if (t[13] & 0x20)
			r->urg++;
		if (len && seq != r->next) {
			r->ooo++;
			continue;
		}
		for (k = 0; k < len; k++)
			if (t[off + k] != pattern(r->got + k))
				r->bad++;
		r->got += len;
		r->next += len;
		if (t[13] & 0x01) {
			r->fin = true;
			r->next++;
		}
	}
	uguest_clear(&g);
}

static void rcv_ack(struct rcv *r)
{
	uint8_t f[128];

	uguest_send(&g, f,
		    ub_tcp(f, g.ip, r->gport, ub_addr("10.0.2.2"), r->sport,
			   1001, r->next, 0x10, NULL, 0));
}

/* the server writes what the socket takes, the guest ACKs what arrived */
static void test_download(uint16_t gport)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static uint8_t chunk[65536];
	socklen_t alen = sizeof(a);
	struct rcv r = {.gport = gport};
	uint32_t sent = 0, k;
	uint64_t t0, end;
	struct pollfd p;
	uint8_t f[128];
	int l, c = -1;
	ssize_t n;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1));
	CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	r.sport = ntohs(a.sin_port);
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, gport, ub_addr("10.0.2.2"), r.sport, 1000,
			   0, 0x02, NULL, 0));
	t0 = now_ms();
	end = t0 + 60000;
	while (!r.fin && now_ms() < end) {
		uloop_run_once(&loop, 1000000);
		rcv_frames(&r);
		if (r.synack)
			rcv_ack(&r);
		if (c < 0) {
			p = (struct pollfd){.fd = l, .events = POLLIN};
			if (poll(&p, 1, 0) == 1)
				c = accept4(l, NULL, NULL,
					    SOCK_NONBLOCK | SOCK_CLOEXEC);
			continue;
		}
		while (sent < BULK) {
			uint32_t m = BULK - sent < sizeof(chunk)
					     ? BULK - sent
					     : (uint32_t)sizeof(chunk);

			for (k = 0; k < m; k++)
				chunk[k] = pattern(sent + k);
			n = send(c, chunk, m, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n <= 0)
				break;
			sent += (uint32_t)n;
		}
		if (sent == BULK && c >= 0) {
			shutdown(c, SHUT_WR);
			sent++;
		}
	}
	printf("download: %u bytes in %llu ms, %u bad, %u out of order, %u "
	       "urgent\n",
	       r.got, (unsigned long long)(now_ms() - t0), r.bad, r.ooo, r.urg);
	CHECK(r.fin);
	CHECK_EQ(r.got, BULK);
	CHECK_EQ(r.bad, 0);
	close(c);
	close(l);
	printf("ok 4 MiB host -> guest, byte for byte\n");
}

/* the server trickles 100-byte writes into an idle, armed poll: each one
 * wakes the poll request (POLLPRI in the wake-up key), none is urgent */
static void test_trickle(uint16_t gport)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct rcv r = {.gport = gport};
	uint8_t f[128], chunk[100];
	uint32_t sent = 0, k;
	struct pollfd p;
	int l, c = -1, i;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1));
	CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	r.sport = ntohs(a.sin_port);
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, gport, ub_addr("10.0.2.2"), r.sport, 1000,
			   0, 0x02, NULL, 0));
	for (i = 0; i < 500 && c < 0; i++) {
		uloop_run_once(&loop, 1000000);
		rcv_frames(&r);
		if (r.synack)
			rcv_ack(&r);
		p = (struct pollfd){.fd = l, .events = POLLIN};
		if (poll(&p, 1, 0) == 1)
			c = accept4(l, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
	CHECK(c >= 0);
	for (i = 0; i < 40; i++) {
		uguest_run(&loop, 5);
		rcv_frames(&r);
		rcv_ack(&r);
		for (k = 0; k < sizeof(chunk); k++)
			chunk[k] = pattern(sent + k);
		CHECK_EQ(send(c, chunk, sizeof(chunk), MSG_NOSIGNAL), 100);
		sent += sizeof(chunk);
	}
	shutdown(c, SHUT_WR);
	for (i = 0; i < 200 && !r.fin; i++) {
		uloop_run_once(&loop, 5000000);
		rcv_frames(&r);
		rcv_ack(&r);
	}
	printf("trickle: %u bytes, %u bad, %u urgent\n", r.got, r.bad, r.urg);
	CHECK(r.fin);
	CHECK_EQ(r.got, sent);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.urg, 0);
	close(c);
	close(l);
	printf("ok 40 trickled writes, none marked urgent\n");
}

int main(void)
{
	struct user_backend *be;
	struct user_config c;
	struct user_err err;
	int ret;

	ret = uloop_init(&loop, NULL);
	if (ret) {
		printf("SKIP: io_uring unavailable (%s)\n", strerror(-ret));
		return 77;
	}
	CHECK_EQ(uguest_init(&g, &loop), 0);
	user_config_defaults(&c);
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), 0);
	CHECK_EQ(port_connect(&g.port, user_port(be)), 0);
	/* three connections in a row: fd numbers and watches get reused */
	test_download(41000);
	test_download(41001);
	test_download(41002);
	test_trickle(41003);
	ret = user_close(be);
	CHECK(ret == 0 || ret == -EINPROGRESS);
	uguest_run(&loop, 30);
	user_config_free(&c);
	uguest_fini(&g);
	uloop_fini(&loop);
	return 0;
}
