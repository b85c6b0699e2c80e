// SPDX-License-Identifier: GPL-2.0-or-later
/* uguest.c: the test guest port for user backend tests, and packet builders/readers. */

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>

#include "datapath/frame_hot.h"
#include "tests/unit/user/uguest.h"

uint16_t ub_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t ub_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/**
 * ub_csum() - internet checksum of @p added to @sum
 * @p:		bytes
 * @len:	count
 * @sum:	pseudo-header sum, or 0
 *
 * Return: the folded, complemented checksum.
 */
uint16_t ub_csum(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint64_t s = sum;

	while (len > 1) {
		s += ub_rd16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint64_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

struct in_addr ub_addr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

/* receive: keep a copy; queue ARP replies for the hook */
static unsigned int uguest_receive(struct port *p, unsigned int q,
				   struct frame **f, unsigned int n)
{
	struct uguest *g = p->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const uint8_t *d = f[i]->data;
		uint32_t len = f[i]->len;

		g->seen++;
		if (g->ncap < UGUEST_CAP) {
			memcpy(g->cap[g->ncap], d,
			       len < UGUEST_FRAME ? len : UGUEST_FRAME);
			g->caplen[g->ncap++] = len;
		}
		if (g->arp_reply && len >= 42 && ub_rd16(d + 12) == 0x0806 &&
		    ub_rd16(d + 20) == 1 && !memcmp(d + 38, &g->ip, 4) &&
		    g->npend < UGUEST_PENDING) {
			uint8_t *r = g->pend[g->npend++];

			ub_eth(r, d + 6, g->mac, 0x0806);
			memcpy(r + 14, d + 14, 6);
			wr16(r + 20, 2);
			memcpy(r + 22, g->mac, 6);
			memcpy(r + 28, &g->ip, 4);
			memcpy(r + 32, d + 22, 10);
			memset(r + 42, 0, 18);
		}
	}
	return n;
}

static const struct port_ops uguest_ops = {.receive = uguest_receive};

static void uguest_hook(struct uloop *loop, struct uloop_hook *h)
{
	struct uguest *g =
		(struct uguest *)((char *)h - offsetof(struct uguest, hook));
	unsigned int i, n = g->npend;
	uint8_t pend[UGUEST_PENDING][64];

	memcpy(pend, g->pend, sizeof(pend));
	g->npend = 0;
	for (i = 0; i < n; i++)
		uguest_send(g, pend[i], 60);
}

int uguest_init(struct uguest *g, struct uloop *loop)
{
	memset(g, 0, sizeof(*g));
	g->cap = calloc(UGUEST_CAP, UGUEST_FRAME);
	if (!g->cap)
		return -1;
	g->loop = loop;
	memcpy(g->mac, UG_MAC, 6);
	g->ip = ub_addr("10.0.2.15");
	g->arp_reply = true;
	g->hook.fn = uguest_hook;
	uloop_hook_add(loop, &g->hook);
	return port_init(&g->port, &uguest_ops, PORT_NIC, "guest.0", 1, g);
}

void uguest_fini(struct uguest *g)
{
	port_disconnect(&g->port);
	uloop_hook_del(g->loop, &g->hook);
	free(g->cap);
	g->cap = NULL;
}

void uguest_clear(struct uguest *g)
{
	g->ncap = 0;
}

unsigned int uguest_send_vnet(struct uguest *g, const uint8_t *d, uint32_t len,
			      const void *vnet_hdr)
{
	static uint8_t buf[70000];
	struct frame f = {
		.data = buf, .len = len, .cap = sizeof(buf), .refs = 1};
	struct frame *fp = &f;
	unsigned int done;

	if (len > sizeof(buf))
		len = sizeof(buf);
	memcpy(buf, d, len);
	if (vnet_hdr) {
		memcpy(&f.vnet, vnet_hdr, sizeof(f.vnet));
		f.has_vnet = 1;
	}
	done = port_send(&g->port, 0, &fp, 1, false);
	CHECK_EQ(f.refs, 1);
	return done;
}

unsigned int uguest_send(struct uguest *g, const uint8_t *d, uint32_t len)
{
	return uguest_send_vnet(g, d, len, NULL);
}

/**
 * uguest_send_batch() - send frames to the backend in one receive() call
 * @g:		the guest
 * @d:		the frames
 * @len:	their lengths
 * @n:		how many, at most FRAME_BATCH_MAX
 *
 * Return: how many the backend took.
 */
unsigned int uguest_send_batch(struct uguest *g, uint8_t *const *d,
			       const uint32_t *len, unsigned int n)
{
	struct frame f[FRAME_BATCH_MAX], *fp[FRAME_BATCH_MAX];
	unsigned int i, done;

	CHECK(n <= FRAME_BATCH_MAX);
	for (i = 0; i < n; i++) {
		f[i] = (struct frame){
			.data = d[i], .len = len[i], .cap = len[i], .refs = 1};
		fp[i] = &f[i];
	}
	done = port_send(&g->port, 0, fp, n, false);
	for (i = 0; i < n; i++)
		CHECK_EQ(f[i].refs, 1);
	return done;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void uguest_run(struct uloop *loop, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	uint64_t t;

	while ((t = now_ms()) < end)
		uloop_run_once(loop, (int64_t)(end - t) * 1000000);
}

/**
 * uguest_wait() - run the loop until a captured frame matches
 * @g:		the guest
 * @m:		predicate
 * @arg:	its argument
 * @ms:		deadline
 *
 * Frames are searched in capture order, oldest first.
 *
 * Return: the index of the first match in g->cap, or -1 at the deadline.
 */
int uguest_wait(struct uguest *g, uguest_match m, void *arg, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	unsigned int i = 0;

	for (;;) {
		for (; i < g->ncap; i++)
			if (m(g->cap[i], g->caplen[i], arg))
				return (int)i;
		if (now_ms() >= end)
			return -1;
		uloop_run_once(g->loop, 20 * 1000000);
	}
}

/* print the captured frames (first 80 bytes), for failing tests */
void uguest_dump(const struct uguest *g)
{
	unsigned int i, j;

	for (i = 0; i < g->ncap; i++) {
		fprintf(stderr, "frame %u len %u: ", i, g->caplen[i]);
		for (j = 0; j < g->caplen[i] && j < 80; j++)
			fprintf(stderr, "%02x", g->cap[i][j]);
		fprintf(stderr, "\n");
	}
}

uint32_t ub_eth(uint8_t *buf, const uint8_t *dst, const uint8_t *src,
		uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	wr16(buf + 12, type);
	return 14;
}

uint32_t ub_arp_request(uint8_t *buf, struct in_addr sender,
			struct in_addr target)
{
	ub_eth(buf, (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
	       (const uint8_t *)UG_MAC, 0x0806);
	wr16(buf + 14, 1);
	wr16(buf + 16, 0x0800);
	buf[18] = 6;
	buf[19] = 4;
	wr16(buf + 20, 1);
	memcpy(buf + 22, UG_MAC, 6);
	memcpy(buf + 28, &sender, 4);
	memset(buf + 32, 0, 6);
	memcpy(buf + 38, &target, 4);
	memset(buf + 42, 0, 18);
	return 60;
}

uint32_t ub_ipv4(uint8_t *buf, uint8_t proto, struct in_addr src,
		 struct in_addr dst, const uint8_t *l4, uint32_t l4len)
{
	uint8_t *ip = buf + 14;
	static uint16_t id = 1;

	ub_eth(buf, (const uint8_t *)UG_GW_MAC, (const uint8_t *)UG_MAC,
	       0x0800);
	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)(20 + l4len));
	wr16(ip + 4, id++);
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	wr16(ip + 10, 0);
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	wr16(ip + 10, ub_csum(ip, 20, 0));
	memmove(ip + 20, l4, l4len);
	return 14 + 20 + l4len;
}

/* pseudo-header sum for IPv4 */
static uint32_t pseudo4(struct in_addr src, struct in_addr dst, uint8_t proto,
			uint32_t len)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	wr16(ph + 10, (uint16_t)len);
	return (uint16_t)~ub_csum(ph, 12, 0);
}

uint32_t ub_udp(uint8_t *buf, struct in_addr src, uint16_t sport,
		struct in_addr dst, uint16_t dport, const void *payload,
		uint32_t plen)
{
	uint8_t l4[1600];
	uint16_t c;

	wr16(l4, sport);
	wr16(l4 + 2, dport);
	wr16(l4 + 4, (uint16_t)(8 + plen));
	wr16(l4 + 6, 0);
	memcpy(l4 + 8, payload, plen);
	c = ub_csum(l4, 8 + plen, pseudo4(src, dst, 17, 8 + plen));
	wr16(l4 + 6, c ? c : 0xffff);
	return ub_ipv4(buf, 17, src, dst, l4, 8 + plen);
}

uint32_t ub_tcp(uint8_t *buf, struct in_addr src, uint16_t sport,
		struct in_addr dst, uint16_t dport, uint32_t seq, uint32_t ack,
		uint8_t flags, const void *payload, uint32_t plen)
{
	uint8_t l4[1600];

	wr16(l4, sport);
	wr16(l4 + 2, dport);
	wr32(l4 + 4, seq);
	wr32(l4 + 8, ack);
	l4[12] = 5 << 4;
	l4[13] = flags;
	wr16(l4 + 14, 65535);
	wr16(l4 + 16, 0);
	wr16(l4 + 18, 0);
	if (plen)
		memcpy(l4 + 20, payload, plen);
	wr16(l4 + 16, ub_csum(l4, 20 + plen, pseudo4(src, dst, 6, 20 + plen)));
	return ub_ipv4(buf, 6, src, dst, l4, 20 + plen);
}

uint32_t ub_icmp_echo(uint8_t *buf, struct in_addr src, struct in_addr dst,
		      uint16_t id, uint16_t seq)
{
	uint8_t l4[64];

	l4[0] = 8;
	l4[1] = 0;
	wr16(l4 + 2, 0);
	wr16(l4 + 4, id);
	wr16(l4 + 6, seq);
	memcpy(l4 + 8, "qnet-ping-payload-0123456789abcdef", 32);
	wr16(l4 + 2, ub_csum(l4, 40, 0));
	return ub_ipv4(buf, 1, src, dst, l4, 40);
}

uint32_t ub_dhcp_discover(uint8_t *buf, uint32_t xid)
{
	uint8_t b[300];
	uint32_t n;

	memset(b, 0, sizeof(b));
	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1; /* Ethernet */
	b[2] = 6;
	wr32(b + 4, xid);
	memcpy(b + 28, UG_MAC, 6);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	n = 240;
	b[n++] = 53; /* message type */
	b[n++] = 1;
	b[n++] = 1; /* DISCOVER */
	b[n++] = 255;
	n = ub_udp(buf, ub_addr("0.0.0.0"), 68, ub_addr("255.255.255.255"), 67,
		   b, 300);
	memcpy(buf, "\xff\xff\xff\xff\xff\xff", 6);
	return n;
}

/* a neighbour solicitation for @target from @src, with our MAC */
uint32_t ub_ndp_ns(uint8_t *buf, const struct in6_addr *src,
		   const struct in6_addr *target)
{
	uint8_t *ip = buf + 14, *l4 = ip + 40, ph[40];
	uint8_t mc[6] = {0x33,
			 0x33,
			 0xff,
			 target->s6_addr[13],
			 target->s6_addr[14],
			 target->s6_addr[15]};
	uint32_t sum, i;

	ub_eth(buf, mc, (const uint8_t *)UG_MAC, 0x86dd);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	wr16(ip + 4, 32);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	ip[24] = 0xff;
	ip[25] = 0x02;
	ip[35] = 1;
	ip[36] = 0xff;
	memcpy(ip + 37, target->s6_addr + 13, 3);
	memset(l4, 0, 32);
	l4[0] = 135;
	memcpy(l4 + 8, target, 16);
	l4[24] = 1;
	l4[25] = 1;
	memcpy(l4 + 26, UG_MAC, 6);
	memcpy(ph, ip + 8, 32);
	wr32(ph + 32, 32);
	memset(ph + 36, 0, 3);
	ph[39] = 58;
	sum = 0;
	for (i = 0; i < 40; i += 2)
		sum += ub_rd16(ph + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	wr16(l4 + 2, ub_csum(l4, 32, sum));
	return 14 + 40 + 32;
}

bool ub_parse_ipv6(const uint8_t *d, uint32_t len, uint8_t *next,
		   struct in6_addr *dst, const uint8_t **l4, uint32_t *l4len)
{
	uint32_t plen;

	if (len < 54 || ub_rd16(d + 12) != 0x86dd || d[14] >> 4 != 6)
		return false;
	plen = ub_rd16(d + 18);
	if (54 + plen > len)
		return false;
	*next = d[20];
	memcpy(dst, d + 38, 16);
	*l4 = d + 54;
	*l4len = plen;
	return true;
}

bool ub_parse_ipv4(const uint8_t *d, uint32_t len, struct ub_ipv4 *out)
{
	uint32_t ihl, tot;

	if (len < 34 || ub_rd16(d + 12) != 0x0800 || d[14] >> 4 != 4)
		return false;
	ihl = (d[14] & 0xfu) * 4;
	tot = ub_rd16(d + 16);
	if (ihl < 20 || tot < ihl || 14 + tot > len)
		return false;
	out->proto = d[23];
	memcpy(&out->src, d + 26, 4);
	memcpy(&out->dst, d + 30, 4);
	out->l4 = d + 14 + ihl;
	out->l4len = tot - ihl;
	return true;
}

bool ub_l4_csum_ok(const struct ub_ipv4 *ip)
{
	return ub_csum(ip->l4, ip->l4len,
		       pseudo4(ip->src, ip->dst, ip->proto, ip->l4len)) == 0;
}

int ub_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

uint64_t ub_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) *
		       1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) *
		       1000ull;
}
