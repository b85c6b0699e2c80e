// SPDX-License-Identifier: GPL-2.0-or-later
/* test_user_ackc.c: ACK coalescing toward the guest: crafted frames, then a real upload through libslirp. */

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/user_int.h"
#include "tests/unit/user/uguest.h"

/* --- crafted frames ------------------------------------------------------- */

#define F_ACK 0x10
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_URG 0x20
#define F_ECE 0x40
#define F_CWR 0x80

#define NFR 300

/* TCP options: NOP NOP timestamp */
#define TS(val, ecr)                                                           \
	.opt = {1,                                                             \
		1,                                                             \
		8,                                                             \
		10,                                                            \
		(val) >> 24,                                                   \
		(val) >> 16 & 0xff,                                            \
		(val) >> 8 & 0xff,                                             \
		(val)&0xff,                                                    \
		(ecr) >> 24,                                                   \
		(ecr) >> 16 & 0xff,                                            \
		(ecr) >> 8 & 0xff,                                             \
		(ecr)&0xff},                                                   \
	.optlen = 12

/**
 * struct seg - one crafted frame (zero fields: the common case)
 * @sport:	TCP source port (the "connection"); 0: 5001
 * @ack:	acknowledgement number
 * @flags:	TCP flags; 0: ACK only
 * @win:	window; 0: 65535
 * @plen:	payload bytes
 * @opt:	TCP options, @optlen bytes (a multiple of 4)
 * @optlen:	their length
 * @v6:		IPv6 instead of IPv4
 * @hbh:	IPv6: a hop-by-hop header before TCP
 * @ipopt:	IPv4: 4 bytes of IP options
 * @frag:	IPv4: more fragments follow
 * @mac:	added to the last byte of the Ethernet destination
 * @reserved:	set the TCP header's reserved/AE bit
 * @kind:	'u': a UDP datagram, 'a': an ARP request, else TCP
 * @iplen_extra: IPv4 total length claims this many payload bytes beyond
 *		the TCP header (the frame is padded to 60 bytes anyway)
 */
struct seg {
	uint16_t sport;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	uint16_t plen;
	uint8_t opt[40];
	uint8_t optlen;
	bool v6;
	bool hbh;
	bool ipopt;
	bool frag;
	uint8_t mac;
	bool reserved;
	char kind;
	uint8_t iplen_extra;
};

static uint8_t bufs[NFR][2048];
static struct frame frames[NFR];

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

/* the TCP header and payload of @s at @t; returns its length */
static unsigned int mk_tcp(uint8_t *t, const struct seg *s)
{
	unsigned int hl = 20 + s->optlen;

	wr16(t, s->sport ? s->sport : 5001);
	wr16(t + 2, 40000);
	wr32(t + 4, 7000);
	wr32(t + 8, s->ack);
	t[12] = (uint8_t)((hl / 4) << 4 | (s->reserved ? 1 : 0));
	t[13] = s->flags ? s->flags : F_ACK;
	wr16(t + 14, s->win ? s->win : 65535);
	wr32(t + 16, 0);
	memcpy(t + 20, s->opt, s->optlen);
	memset(t + hl, 'x', s->plen);
	return hl + s->plen;
}

/* the frame of @s in buffer @i, padded to 60 bytes as libslirp's are */
static struct frame *mk(unsigned int i, const struct seg *s)
{
	uint8_t *d = bufs[i], *ip = d + 14;
	unsigned int l4, hl, len;

	memset(d, 0, sizeof(bufs[i]));
	memcpy(d, "\x52\x54\x00\x12\x34\x56", 6);
	d[5] = (uint8_t)(d[5] + s->mac);
	memcpy(d + 6, UG_GW_MAC, 6);
	if (s->kind == 'a') {
		wr16(d + 12, 0x0806);
		len = 60;
	} else if (s->v6) {
		wr16(d + 12, 0x86dd);
		ip[0] = 0x60;
		ip[6] = s->hbh ? 0 : 6;
		ip[7] = 64;
		ip[8] = 0xfe;
		ip[9] = 0xc0;
		ip[23] = 2;
		ip[24] = 0xfe;
		ip[25] = 0xc0;
		ip[39] = 0x15;
		hl = 40;
		if (s->hbh) {
			ip[40] = 6; /* next: TCP; 8 bytes of padding options */
			ip[42] = 1;
			ip[43] = 4;
			hl = 48;
		}
		l4 = mk_tcp(ip + hl, s);
		wr16(ip + 4, hl - 40 + l4);
		len = 14 + hl + l4;
	} else {
		wr16(d + 12, 0x0800);
		hl = s->ipopt ? 24 : 20;
		ip[0] = (uint8_t)(0x40 | hl / 4);
		wr16(ip + 6, s->frag ? 0x2000 : 0x4000);
		ip[8] = 64;
		ip[9] = s->kind == 'u' ? 17 : 6;
		memcpy(ip + 12, "\x0a\x00\x02\x02\x0a\x00\x02\x0f", 8);
		if (s->ipopt)
			memcpy(ip + 20, "\x01\x01\x01\x00", 4);
		if (s->kind == 'u') {
			wr16(ip + hl, 53);
			wr16(ip + hl + 2, 40000);
			wr16(ip + hl + 4, 8 + 4);
			l4 = 12;
		} else {
			l4 = mk_tcp(ip + hl, s);
		}
		wr16(ip + 2, hl + l4 + s->iplen_extra);
		len = 14 + hl + l4;
	}
	frames[i] = (struct frame){.data = d,
				   .len = len < 60 ? 60 : len,
				   .cap = sizeof(bufs[i]),
				   .refs = 1};
	return &frames[i];
}

/**
 * run() - coalesce @n crafted frames and check the outcome
 * @what:	the case, for messages
 * @s:		the frames
 * @n:		how many
 * @expect:	per frame 'k' (kept) or 'd' (dropped); spaces ignored
 * @pure:	pure ACKs the counters must see
 */
static void run(const char *what, const struct seg *s, unsigned int n,
		const char *expect, unsigned int pure)
{
	struct frame *f[NFR];
	struct user_stats st = {0};
	unsigned int i, kept, nk = 0, nd = 0, want_kept = 0;
	char e[NFR];

	for (i = 0; *expect; expect++)
		if (*expect != ' ')
			e[i++] = *expect;
	CHECK_EQ(i, n);
	for (i = 0; i < n; i++) {
		f[i] = mk(i, &s[i]);
		want_kept += e[i] == 'k';
	}
	kept = user_ack_coalesce(f, n, &st);
	if (kept != want_kept)
		fprintf(stderr, "%s: kept %u, expected %u\n", what, kept,
			want_kept);
	CHECK_EQ(kept, want_kept);
	/* kept first, in order, then the dropped ones, in order */
	for (i = 0; i < n; i++) {
		struct frame *want = &frames[i];

		if (e[i] == 'k')
			CHECK(f[nk++] == want);
		else
			CHECK(f[kept + nd++] == want);
	}
	CHECK_EQ(st.ack_coalesced, n - kept);
	CHECK_EQ(st.ack_pure, pure);
	printf("ok %s\n", what);
}

#define RUN(what, expect, pure, ...)                                           \
	do {                                                                   \
		const struct seg s_[] = {__VA_ARGS__};                         \
		run(what, s_, sizeof(s_) / sizeof(s_[0]), expect, pure);       \
	} while (0)

static void test_basic(void)
{
	RUN("one connection: the last ACK stays", "ddk", 3, {.ack = 100},
	    {.ack = 200}, {.ack = 300});
	RUN("a single ACK stays", "k", 1, {.ack = 100});
	RUN("duplicate ACKs before a new one stay", "kkk", 3, {.ack = 100},
	    {.ack = 100}, {.ack = 200});
	RUN("duplicate ACKs after a new one stay", "dkk", 3, {.ack = 100},
	    {.ack = 200}, {.ack = 200});
	RUN("a run of duplicates stays", "kkk", 3, {.ack = 100}, {.ack = 100},
	    {.ack = 100});
	RUN("two connections interleaved", "dddkk", 5, {.ack = 100},
	    {.sport = 5002, .ack = 100}, {.ack = 200},
	    {.sport = 5002, .ack = 200}, {.ack = 300});
	RUN("acknowledgement numbers wrap", "dk", 2, {.ack = 0xfffffff0u},
	    {.ack = 0x10});
	RUN("an older number later: both stay", "kk", 2, {.ack = 200},
	    {.ack = 100});
	RUN("another Ethernet destination is another connection", "kk", 2,
	    {.ack = 100}, {.ack = 200, .mac = 1});
	RUN("the window shrinks: the newer ACK carries it", "dk", 2,
	    {.ack = 100, .win = 60000}, {.ack = 200, .win = 100});
	RUN("a window update with the same number stays", "kk", 2,
	    {.ack = 100, .win = 1}, {.ack = 100, .win = 8000});
	RUN("frames that are not TCP pass, in order", "kdkk", 2, {.kind = 'u'},
	    {.ack = 100}, {.kind = 'a'}, {.ack = 200});
}

static void test_not_pure(void)
{
	static const uint8_t flags[] = {
		F_ACK | F_FIN, F_ACK | F_SYN, F_ACK | F_RST, F_ACK | F_PSH,
		F_ACK | F_URG, F_ACK | F_ECE, F_ACK | F_CWR};
	char what[64];
	unsigned int i;

	for (i = 0; i < sizeof(flags); i++) {
		snprintf(what, sizeof(what), "flags 0x%02x stay and separate",
			 flags[i]);
		RUN(what, "kkk", 2, {.ack = 100},
		    {.ack = 150, .flags = flags[i]}, {.ack = 200});
	}
	RUN("the reserved bit: not pure", "kk", 1, {.ack = 100, .reserved = 1},
	    {.ack = 200});
	RUN("data between two ACKs: nothing compared across", "kkk", 2,
	    {.ack = 100}, {.ack = 150, .plen = 100}, {.ack = 200});
	RUN("coalesced up to the data segment", "dkkk", 3, {.ack = 100},
	    {.ack = 150}, {.ack = 150, .plen = 10}, {.ack = 200});
	RUN("payload by the IP length (padding is not payload)", "kk", 1,
	    {.ack = 100, .iplen_extra = 1}, {.ack = 200});
	RUN("IPv4 options", "kk", 1, {.ack = 100, .ipopt = 1}, {.ack = 200});
	RUN("an IPv4 fragment is not placed", "kk", 1, {.ack = 100, .frag = 1},
	    {.ack = 200});
	RUN("IPv6", "ddk", 3, {.v6 = 1, .ack = 100}, {.v6 = 1, .ack = 200},
	    {.v6 = 1, .ack = 300});
	RUN("IPv4 and IPv6 are different connections", "kk", 2, {.ack = 100},
	    {.v6 = 1, .ack = 200});
	RUN("IPv6 with a hop-by-hop header is not placed", "kk", 1,
	    {.v6 = 1, .hbh = 1, .ack = 100}, {.v6 = 1, .ack = 200});
}

static void test_options(void)
{
	RUN("timestamps moving forward", "dk", 2, {.ack = 100, TS(10, 5)},
	    {.ack = 200, TS(11, 5)});
	RUN("an older TSval stays", "kk", 2, {.ack = 100, TS(12, 5)},
	    {.ack = 200, TS(11, 5)});
	RUN("an older TSecr stays", "kk", 2, {.ack = 100, TS(10, 6)},
	    {.ack = 200, TS(10, 5)});
	RUN("a timestamp on one only", "kk", 2, {.ack = 100},
	    {.ack = 200, TS(10, 5)});
	RUN("timestamp then EOL", "dk", 2,
	    {.ack = 100,
	     .opt = {8, 10, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0},
	     .optlen = 12},
	    {.ack = 200,
	     .opt = {8, 10, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0},
	     .optlen = 12});
	RUN("SACK is never dropped and separates", "kkk", 2, {.ack = 100},
	    {.ack = 100,
	     .opt = {1, 1, 5, 10, 0, 0, 1, 0, 0, 0, 2, 0},
	     .optlen = 12},
	    {.ack = 200});
	RUN("MSS outside a SYN: not pure", "kk", 1,
	    {.ack = 100, .opt = {2, 4, 5, 0xb4}, .optlen = 4}, {.ack = 200});
	RUN("an unknown option: not pure", "kk", 1,
	    {.ack = 100, .opt = {30, 4, 0, 0}, .optlen = 4}, {.ack = 200});
	RUN("two timestamps: not pure", "kk", 1,
	    {.ack = 100,
	     .opt = {8, 10, 0, 0, 0, 1, 0, 0, 0, 1,
		     8, 10, 0, 0, 0, 1, 0, 0, 0, 1},
	     .optlen = 20},
	    {.ack = 200});
	RUN("a timestamp of the wrong length: not pure", "kk", 1,
	    {.ack = 100, .opt = {8, 8, 0, 0, 0, 1, 0, 0}, .optlen = 8},
	    {.ack = 200});
	RUN("an option running past the header: not pure", "kk", 1,
	    {.ack = 100, .opt = {1, 1, 8, 10}, .optlen = 4}, {.ack = 200});
}

/* more connections than the table: the ones found first are coalesced */
static void test_many(void)
{
	struct seg s[2 * (USER_ACKC_FLOWS + 1)];
	char e[2 * (USER_ACKC_FLOWS + 1) + 1];
	unsigned int i, nf = USER_ACKC_FLOWS + 1;

	memset(s, 0, sizeof(s));
	for (i = 0; i < nf; i++) {
		s[i] = (struct seg){.sport = (uint16_t)(6000 + i), .ack = 100};
		s[nf + i] =
			(struct seg){.sport = (uint16_t)(6000 + i), .ack = 200};
		/* from the end the walk meets 6016 ... 6001 first: 6000 is
		 * the one left out */
		e[i] = i == 0 ? 'k' : 'd';
		e[nf + i] = 'k';
	}
	e[2 * nf] = 0;
	run("17 connections, a table of 16", s, 2 * nf, e, 2 * nf);

	for (i = 0; i < USER_TXQ_LEN; i++) {
		s[0] = (struct seg){.ack = 1000 + i};
		mk(i, &s[0]);
	}
	{
		struct frame *f[USER_TXQ_LEN];
		struct user_stats st = {0};

		for (i = 0; i < USER_TXQ_LEN; i++)
			f[i] = &frames[i];
		CHECK_EQ(user_ack_coalesce(f, USER_TXQ_LEN, &st), 1);
		CHECK(f[0] == &frames[USER_TXQ_LEN - 1]);
		CHECK_EQ(st.ack_coalesced, USER_TXQ_LEN - 1);
		printf("ok a full queue of one connection's ACKs: one left\n");
	}
}

/* a pseudo-random number */
static uint32_t rnd(uint32_t *x)
{
	*x = *x * 1103515245 + 12345;
	return *x >> 8;
}

/*
 * Fill @d (@len bytes) with junk, often shaped like a TCP/IPv4 or IPv6
 * segment of one of a few connections, with random options and lengths.
 */
static void junk(uint8_t *d, uint32_t len, uint32_t *x)
{
	uint32_t j, v = rnd(x), doff = 5 + rnd(x) % 4, hl;

	for (j = 0; j < len; j++)
		d[j] = (uint8_t)rnd(x);
	hl = v & 2 ? 40 : 20;
	if (v % 4 == 0 || len < 14 + hl + 21)
		return;
	memset(d, 0, 12);
	d[5] = v & 8 ? 1 : 0;
	d[12] = v & 2 ? 0x86 : 0x08;
	d[13] = v & 2 ? 0xdd : 0x00;
	memset(d + 14, 0, hl);
	if (v & 2) {
		d[14] = 0x60;
		d[20] = 6;
		d[19] = (uint8_t)(doff * 4 + (v & 16 ? 0 : rnd(x) % 8));
	} else {
		d[14] = 0x45;
		d[17] = (uint8_t)(20 + doff * 4 + (v & 16 ? 0 : rnd(x) % 8));
		d[23] = 6;
	}
	memset(d + 14 + hl, 0, 4);
	d[14 + hl + 1] = (uint8_t)(v >> 20 & 3); /* a few connections */
	d[14 + hl + 12] = (uint8_t)(doff << 4 | (v & 32 ? 1 : 0));
	d[14 + hl + 13] = v & 64 ? 0x10 : (uint8_t)rnd(x);
	d[14 + hl + 20] = v & 128 ? 8 : d[14 + hl + 20]; /* timestamp-ish */
}

/*
 * Junk, each frame in a buffer of exactly its length (so the sanitizer
 * sees a read past it): every frame comes back exactly once.
 */
static void test_junk(void)
{
	struct frame fr[64], *f[64];
	struct user_stats st = {0};
	unsigned int round, i, j, n, kept, seen;
	uint32_t x = 12345;

	for (round = 0; round < 3000; round++) {
		n = 1 + round % 64;
		for (i = 0; i < n; i++) {
			uint32_t len = 14 + rnd(&x) % 110;
			uint8_t *d = malloc(len);

			CHECK(d);
			junk(d, len, &x);
			fr[i] = (struct frame){
				.data = d, .len = len, .cap = len, .refs = 1};
			f[i] = &fr[i];
		}
		kept = user_ack_coalesce(f, n, &st);
		CHECK(kept <= n);
		for (i = 0; i < n; i++) {
			for (seen = 0, j = 0; j < n; j++)
				seen += f[j] == &fr[i];
			CHECK_EQ(seen, 1);
		}
		for (i = 0; i < n; i++)
			free(fr[i].data);
	}
	CHECK(st.ack_coalesced > 0 && st.ack_coalesced <= st.ack_pure);
	printf("ok 3000 batches of junk: %llu pure ACKs found, %llu "
	       "coalesced\n",
	       (unsigned long long)st.ack_pure,
	       (unsigned long long)st.ack_coalesced);
}

/* --- through libslirp ----------------------------------------------------- */

#define SEGS	64
#define SEG_LEN 1000

static struct uloop loop;
static struct uguest g;

/**
 * struct conn - the guest's connection to a host server
 * @gport:	guest port
 * @sport:	server port (the host's)
 * @seq:	next sequence number to send
 * @rcv:	next sequence number expected from the host
 * @acks:	pure ACKs from the server's side seen since the last count
 * @last_ack:	the highest acknowledgement number seen
 */
struct conn {
	uint16_t gport;
	uint16_t sport;
	uint32_t seq;
	uint32_t rcv;
	unsigned int acks;
	uint32_t last_ack;
};

/* read the captured frames of @c: SYN-ACK, pure ACKs */
static void conn_scan(struct conn *c)
{
	unsigned int i;

	for (i = 0; i < g.ncap; i++) {
		struct ub_ipv4 ip;
		const uint8_t *t;

		if (!ub_parse_ipv4(g.cap[i], g.caplen[i], &ip) ||
		    ip.proto != 6 || ip.l4len < 20)
			continue;
		t = ip.l4;
		if (ub_rd16(t) != c->sport || ub_rd16(t + 2) != c->gport)
			continue;
		CHECK(ub_l4_csum_ok(&ip));
		if ((t[13] & 0x12) == 0x12) {
			c->rcv = ub_rd32(t + 4) + 1;
			continue;
		}
		if (t[13] == 0x10 && ip.l4len == 20u) {
			c->acks++;
			if ((int32_t)(ub_rd32(t + 8) - c->last_ack) > 0)
				c->last_ack = ub_rd32(t + 8);
		}
	}
	uguest_clear(&g);
}

static bool has_synack(const uint8_t *d, uint32_t len, void *arg)
{
	struct ub_ipv4 ip;

	return ub_parse_ipv4(d, len, &ip) && ip.proto == 6 && ip.l4len >= 20 &&
	       ub_rd16(ip.l4 + 2) == *(uint16_t *)arg &&
	       (ip.l4[13] & 0x12) == 0x12;
}

/* the guest connects to @l (listening on 127.0.0.1) through 10.0.2.2 */
static int conn_open(struct conn *c, int l, uint16_t gport)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct pollfd p = {.fd = l, .events = POLLIN};
	uint8_t f[128];
	int s, i;

	CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	*c = (struct conn){
		.gport = gport, .sport = ntohs(a.sin_port), .seq = 1000};
	uguest_clear(&g);
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, gport, ub_addr("10.0.2.2"), c->sport,
			   c->seq++, 0, 0x02, NULL, 0));
	CHECK(uguest_wait(&g, has_synack, &gport, 2000) >= 0);
	conn_scan(c);
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, gport, ub_addr("10.0.2.2"), c->sport,
			   c->seq, c->rcv, 0x10, NULL, 0));
	for (i = 0; i < 200 && poll(&p, 1, 0) != 1; i++)
		uloop_run_once(&loop, 5000000);
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(s >= 0);
	uguest_run(&loop, 20);
	conn_scan(c);
	c->acks = 0;
	return s;
}

/**
 * upload() - SEGS data segments in one receive() call; count the ACKs
 * @be:		the backend
 * @l:		listening socket
 * @gport:	the guest's port
 *
 * Return: pure ACKs the guest got for them.
 */
static unsigned int upload(struct user_backend *be, int l, uint16_t gport)
{
	static uint8_t fr[SEGS][UGUEST_FRAME];
	uint8_t *d[SEGS], payload[SEG_LEN], got[SEGS * SEG_LEN];
	uint32_t len[SEGS], n = 0;
	struct user_stats st0, st1;
	struct port_stats ps0, ps1;
	struct conn c;
	unsigned int i, k;
	int s, tries;
	ssize_t r;

	s = conn_open(&c, l, gport);
	user_get_stats(be, &st0);
	port_stats_sum(user_port(be), &ps0);
	for (i = 0; i < SEGS; i++) {
		for (k = 0; k < SEG_LEN; k++)
			payload[k] = (uint8_t)(i * 7 + k);
		d[i] = fr[i];
		len[i] = ub_tcp(fr[i], g.ip, gport, ub_addr("10.0.2.2"),
				c.sport, c.seq, c.rcv, 0x10, payload, SEG_LEN);
		c.seq += SEG_LEN;
	}
	CHECK_EQ(uguest_send_batch(&g, d, len, SEGS), SEGS);
	for (tries = 0; tries < 400 && n < sizeof(got); tries++) {
		uloop_run_once(&loop, 5000000);
		r = recv(s, got + n, sizeof(got) - n, MSG_DONTWAIT);
		if (r > 0)
			n += (uint32_t)r;
	}
	uguest_run(&loop, 30);
	conn_scan(&c);
	CHECK_EQ(n, sizeof(got));
	for (i = 0; i < SEGS; i++)
		for (k = 0; k < SEG_LEN; k++)
			CHECK_EQ(got[i * SEG_LEN + k], (uint8_t)(i * 7 + k));
	/* everything was acknowledged, whatever the number of ACKs */
	CHECK_EQ(c.last_ack, c.seq);
	user_get_stats(be, &st1);
	port_stats_sum(user_port(be), &ps1);
	if (st1.ack_pure != st0.ack_pure) /* counted when coalescing */
		CHECK(st1.ack_pure - st0.ack_pure >= c.acks);
	CHECK_EQ(ps1.drops[PORT_DROP_FILTER] - ps0.drops[PORT_DROP_FILTER],
		 st1.ack_coalesced - st0.ack_coalesced);
	/* every frame libslirp made is accounted for */
	CHECK_EQ(st1.out_frames - st1.out_dropped - st1.ack_coalesced,
		 ps1.tx_packets + ps1.drops[PORT_DROP_QUEUE_FULL] +
			 ps1.drops[PORT_DROP_NO_PEER] +
			 ps1.drops[PORT_DROP_LINK_DOWN]);
	printf("upload of %u segments: %u ACKs reached the guest, %llu "
	       "coalesced\n",
	       SEGS, c.acks,
	       (unsigned long long)(st1.ack_coalesced - st0.ack_coalesced));
	close(s);
	return c.acks;
}

/* one backend on the test guest; @off: every ACK sent */
static struct user_backend *backend(bool off)
{
	struct user_backend *be;
	struct user_config c;
	struct user_err err;

	user_config_defaults(&c);
	c.ack_coalesce_off = off;
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), 0);
	user_config_free(&c);
	CHECK_EQ(port_connect(&g.port, user_port(be)), 0);
	return be;
}

static void backend_close(struct user_backend *be)
{
	int ret = user_close(be);

	CHECK(ret == 0 || ret == -EINPROGRESS);
	uguest_run(&loop, 30);
}

static void test_slirp(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct user_backend *be;
	struct user_stats st;
	unsigned int on, off;
	int l;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 4));

	be = backend(true);
	off = upload(be, l, 42000);
	user_get_stats(be, &st);
	CHECK_EQ(st.ack_coalesced, 0);
	backend_close(be);

	be = backend(false);
	on = upload(be, l, 42001);
	user_get_stats(be, &st);
	CHECK(st.ack_coalesced > 0);
	backend_close(be);
	close(l);
	/* libslirp ACKs each segment: with coalescing one batch of
	 * segments brings one ACK back, the one acknowledging them all */
	CHECK(off >= SEGS / 2);
	CHECK_EQ(on, 1);
	printf("ok through libslirp: %u ACKs without coalescing, %u with\n",
	       off, on);
}

int main(void)
{
	int ret;

	test_basic();
	test_not_pure();
	test_options();
	test_many();
	test_junk();

	ret = uloop_init(&loop, NULL);
	if (ret) {
		printf("SKIP: io_uring unavailable (%s)\n", strerror(-ret));
		return 77;
	}
	CHECK_EQ(uguest_init(&g, &loop), 0);
	test_slirp();
	uguest_fini(&g);
	uloop_fini(&loop);
	return 0;
}
