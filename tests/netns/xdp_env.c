// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp_env.c: af-xdp and capture netns tests: private namespaces, a veth pair, packet sockets, a test front-end port. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "datapath/frame_hot.h"
#include "datapath/bpf/bpfpin.h"
#include "tests/netns/xdp_env.h"

const uint8_t xe_guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static int xe_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return getenv("XE_VERBOSE") ? vfprintf(stderr, fmt, ap) : 0;
}

static int xe_quiet_xdp(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	return getenv("XE_VERBOSE") ? vfprintf(stderr, fmt, ap) : 0;
}

/**
 * xe_require() - exit 77 (skip) unless root with bpffs
 * @what:	what the test needs it for
 */
void xe_require(const char *what)
{
	libbpf_set_print(xe_quiet);
	libxdp_set_print(xe_quiet_xdp);
	if (geteuid() != 0) {
		printf("SKIP: %s needs root (namespaces, CAP_BPF, CAP_NET_ADMIN)\n",
		       what);
		exit(XE_SKIP);
	}
	if (bpfpin_mount()) {
		printf("SKIP: %s needs bpffs at %s\n", what, BPFPIN_ROOT);
		exit(XE_SKIP);
	}
}

/**
 * xe_enter() - switch the test (single-threaded) to a namespace
 * @e:		the world
 * @peer:	true: the peer namespace, false: home
 */
void xe_enter(struct xe *e, bool peer)
{
	XE_CHECK(setns(peer ? e->peer : e->home, CLONE_NEWNET) == 0);
}

static int xe_vsh(struct xe *e, bool peer, char *out, size_t size,
		  const char *fmt, va_list ap)
{
	char cmd[1024];
	size_t n = 0;
	FILE *p;
	int rc;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	xe_enter(e, peer);
	if (!out) {
		rc = system(cmd);
	} else {
		p = popen(cmd, "r");
		XE_CHECK(p);
		while (n + 1 < size && fgets(out + n, (int)(size - n), p))
			n += strlen(out + n);
		out[n] = 0;
		rc = pclose(p);
	}
	xe_enter(e, false);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/**
 * xe_sh() - run a shell command in a namespace
 * @e:		the world
 * @peer:	true: in the peer namespace
 * @fmt:	printf format of the command
 *
 * Return: its exit status.
 */
int xe_sh(struct xe *e, bool peer, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xe_vsh(e, peer, NULL, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/**
 * xe_sh_out() - run a shell command in a namespace, keep its output
 * @e:		the world
 * @peer:	true: in the peer namespace
 * @out:	its standard output
 * @size:	room in @out
 * @fmt:	printf format of the command
 *
 * Return: its exit status.
 */
int xe_sh_out(struct xe *e, bool peer, char *out, size_t size,
	      const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xe_vsh(e, peer, out, size, fmt, ap);
	va_end(ap);
	return rc;
}

static void xe_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;	/* no IPv6 here: nothing to silence */
	XE_CHECK(write(fd, val, strlen(val)) == (ssize_t)strlen(val));
	close(fd);
}

/* No IPv6 (router solicitations, MLD) on the test's links: exact counts. */
static void xe_quiet_ns(void)
{
	xe_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	xe_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
}

static void xe_ifinfo(const char *name, int *idx, uint8_t mac[6])
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	XE_CHECK(s >= 0);
	*idx = (int)if_nametoindex(name);
	XE_CHECK(*idx > 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	XE_CHECK(ioctl(s, SIOCGIFHWADDR, &ifr) == 0);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
}

/**
 * xe_init() - make the world: two private namespaces and a veth pair
 * @e:		the world
 * @queues:	RX/TX queues of each veth end
 *
 * Both namespaces live only as long as the test process: nothing is
 * left behind, even after a crash.
 */
void xe_init(struct xe *e, unsigned int queues)
{
	memset(e, 0, sizeof(*e));
	if (unshare(CLONE_NEWNET)) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		exit(XE_SKIP);
	}
	xe_quiet_ns();
	e->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	XE_CHECK(e->home >= 0);
	XE_CHECK(unshare(CLONE_NEWNET) == 0);
	xe_quiet_ns();
	e->peer = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	XE_CHECK(e->peer >= 0);
	xe_enter(e, false);
	snprintf(e->a, sizeof(e->a), "qxa");
	snprintf(e->b, sizeof(e->b), "qxb");
	XE_EQ(xe_sh(e, false, "ip link add %s numtxqueues %u numrxqueues %u "
		    "type veth peer name %s numtxqueues %u numrxqueues %u",
		    e->a, queues, queues, e->b, queues, queues), 0);
	XE_EQ(xe_sh(e, false, "ip link set %s netns /proc/%d/fd/%d", e->b,
		    (int)getpid(), e->peer), 0);
	XE_EQ(xe_sh(e, true, "ip link set %s up", e->b), 0);
	XE_EQ(xe_sh(e, false, "ip link set %s up", e->a), 0);
	xe_ifinfo(e->a, &e->aidx, e->amac);
	xe_enter(e, true);
	xe_ifinfo(e->b, &e->bidx, e->bmac);
	xe_enter(e, false);
	{
		struct uloop_config lc = { .flags = getenv("XE_NODEFER") ? ULOOP_CFG_NO_DEFER : 0 };

		XE_EQ(uloop_init(&e->loop, &lc), 0);
	}
}

/**
 * xe_fini() - drop the world (the namespaces go with the last fd)
 * @e:		the world
 */
void xe_fini(struct xe *e)
{
	xe_run_for(e, 20);	/* watches deleted last are released by the loop */
	uloop_fini(&e->loop);
	close(e->peer);
	close(e->home);
}

/**
 * xe_run_for() - run the loop for a while
 * @e:		the world
 * @ms:		milliseconds
 */
void xe_run_for(struct xe *e, unsigned int ms)
{
	uint64_t now, end = uloop_now() + (uint64_t)ms * XE_MS;

	while ((now = uloop_now()) < end)
		XE_CHECK(uloop_run_once(&e->loop, (int64_t)(end - now)) >= 0);
}

/**
 * xe_pkt_open() - a packet socket on veth end a (home) or b (peer)
 * @e:		the world
 * @peer:	true: on b, in the peer namespace
 *
 * Non-blocking, big receive buffer, does not see its own sends.
 *
 * Return: the fd.
 */
int xe_pkt_open(struct xe *e, bool peer)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd, one = 1, rcv = 8 << 20;

	xe_enter(e, peer);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    htons(ETH_P_ALL));
	XE_CHECK(fd >= 0);
	sll.sll_ifindex = peer ? e->bidx : e->aidx;
	XE_CHECK(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &rcv, sizeof(rcv));
	xe_enter(e, false);
	return fd;
}

/**
 * xe_frame() - build a test frame: our EtherType, magic, sequence, pattern
 * @buf:	where
 * @len:	frame length (at least 22)
 * @dst:	destination MAC
 * @src:	source MAC
 * @seq:	sequence number
 *
 * Return: @len.
 */
size_t xe_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
		const uint8_t src[6], uint32_t seq)
{
	uint32_t nseq = htonl(seq);
	size_t i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = XE_ETHERTYPE >> 8;
	buf[13] = XE_ETHERTYPE & 0xff;
	memcpy(buf + 14, "QXDP", 4);
	memcpy(buf + 18, &nseq, 4);
	for (i = 22; i < len; i++)
		buf[i] = (uint8_t)(i * 13 + seq);
	return len;
}

/**
 * xe_frame_flow() - a test frame in IPv4/UDP (flow @sport), for hashing
 * @buf:	where
 * @len:	frame length (at least 50)
 * @dst:	destination MAC
 * @src:	source MAC
 * @seq:	sequence number
 * @sport:	UDP source port (the flow)
 *
 * Return: @len.
 */
size_t xe_frame_flow(uint8_t *buf, size_t len, const uint8_t dst[6],
		     const uint8_t src[6], uint32_t seq, uint16_t sport)
{
	uint32_t nseq = htonl(seq);
	uint16_t tot = htons((uint16_t)(len - 14)), ul = htons((uint16_t)(len - 34));
	size_t i;

	memset(buf, 0, 42);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;
	buf[14] = 0x45;
	memcpy(buf + 16, &tot, 2);
	buf[22] = 64;
	buf[23] = 17;
	buf[26] = 10;
	buf[29] = 1;
	buf[30] = 10;
	buf[33] = 2;
	buf[34] = sport >> 8;
	buf[35] = sport & 0xff;
	buf[36] = 0x30;
	buf[37] = 0x39;
	memcpy(buf + 38, &ul, 2);
	memcpy(buf + 42, "QXDP", 4);
	memcpy(buf + 46, &nseq, 4);
	for (i = 50; i < len; i++)
		buf[i] = (uint8_t)(i * 13 + seq);
	return len;
}

/**
 * xe_frame_seq() - check a test frame and read its sequence number
 * @buf:	the frame
 * @len:	its length
 * @seq:	the sequence number
 *
 * Return: 0 for an intact test frame, -1 otherwise.
 */
int xe_frame_seq(const uint8_t *buf, size_t len, uint32_t *seq)
{
	uint32_t nseq;
	size_t i;

	if (len >= 50 && buf[12] == 0x08 && buf[13] == 0 && buf[23] == 17 &&
	    !memcmp(buf + 42, "QXDP", 4)) {
		memcpy(&nseq, buf + 46, 4);
		*seq = ntohl(nseq);
		for (i = 50; i < len; i++)
			if (buf[i] != (uint8_t)(i * 13 + *seq))
				return -1;
		return 0;
	}
	if (len < 22 || buf[12] != (XE_ETHERTYPE >> 8) ||
	    buf[13] != (XE_ETHERTYPE & 0xff) || memcmp(buf + 14, "QXDP", 4))
		return -1;
	memcpy(&nseq, buf + 18, 4);
	*seq = ntohl(nseq);
	for (i = 22; i < len; i++)
		if (buf[i] != (uint8_t)(i * 13 + *seq))
			return -1;
	return 0;
}

/**
 * xe_pkt_send() - send one test frame on a packet socket
 * @fd:		the socket
 * @dst:	destination MAC
 * @src:	source MAC
 * @seq:	sequence number
 * @len:	frame length
 *
 * Return: 0, or -errno (-EAGAIN/-ENOBUFS when the socket is full).
 */
int xe_pkt_send(int fd, const uint8_t dst[6], const uint8_t src[6],
		uint32_t seq, size_t len)
{
	static uint8_t buf[65536];

	if (len >= 64 && (seq >> 24) == 0xf1)	/* flow frames: see xe.h */
		xe_frame_flow(buf, len, dst, src, seq, (uint16_t)(1000 + (seq & 0xff)));
	else
		xe_frame(buf, len, dst, src, seq);
	return send(fd, buf, len, 0) == (ssize_t)len ? 0 : -errno;
}

/**
 * xe_pkt_drain() - read every frame waiting on a packet socket
 * @fd:		the socket
 * @seqs:	sequence numbers of the test frames read (may be NULL)
 * @max:	room in @seqs
 * @bytes:	adds the test frames' bytes (may be NULL)
 *
 * Return: test frames read (others are skipped).
 */
unsigned int xe_pkt_drain(int fd, uint32_t *seqs, unsigned int max,
			  uint64_t *bytes)
{
	static uint8_t buf[65536];
	unsigned int n = 0;
	uint32_t seq;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (xe_frame_seq(buf, (size_t)r, &seq))
			continue;
		if (seqs && n < max)
			seqs[n] = seq;
		if (bytes)
			*bytes += (uint64_t)r;
		n++;
	}
	return n;
}

static unsigned int fe_receive(struct port *p, unsigned int queue,
			       struct frame **f, unsigned int n)
{
	struct xe_fe *fe = p->priv;
	unsigned int i, take = fe->cap && fe->cap < n ? fe->cap : n;
	uint32_t seq;

	for (i = 0; i < take; i++) {
		if (xe_frame_seq(f[i]->data, f[i]->len, &seq)) {
			fe->rx_other++;
			continue;
		}
		fe->rx++;
		fe->rx_bytes += f[i]->len;
		if (fe->keep && fe->nkept < 4096)
			fe->kept[fe->nkept++] = frame_get(f[i]);
		fe->rx_q[queue < PORT_MAX_QUEUES ? queue : 0]++;
		if (fe->seen[seq & 0xffff] < 255)
			fe->seen[seq & 0xffff]++;
	}
	return take;
}

static void fe_resume(struct port *p, unsigned int queue)
{
	((struct xe_fe *)p->priv)->resumed++;
}

static const struct port_ops fe_ops = {
	.receive = fe_receive,
	.resume = fe_resume,
};

/**
 * xe_fe_init() - a test front-end with a pool of 1024 frames of 10 KiB
 * @fe:		the front-end
 * @nqueues:	queues (as the netdev's)
 */
void xe_fe_init(struct xe_fe *fe, unsigned int nqueues)
{
	memset(fe, 0, sizeof(*fe));
	XE_EQ(port_init(&fe->port, &fe_ops, PORT_NIC, "fe.0", nqueues, fe), 0);
	XE_EQ(pool_init(&fe->pool, 1024, 10240, 0), 0);
}

/**
 * xe_fe_fini() - drop the front-end
 * @fe:		the front-end (disconnected)
 */
void xe_fe_fini(struct xe_fe *fe)
{
	XE_EQ(pool_destroy(&fe->pool), 0);
}

/**
 * xe_fe_release() - drop the references kept in keep mode
 * @fe:		the front-end
 */
void xe_fe_release(struct xe_fe *fe)
{
	frame_put_n(fe->kept, fe->nkept);
	fe->nkept = 0;
}

/**
 * xe_fe_send() - send test frames from the front-end (never held)
 * @fe:		the front-end
 * @queue:	queue to send on
 * @dst:	destination MAC
 * @seq0:	first sequence number
 * @n:		frames
 * @len:	their length
 *
 * Return: frames the netdev took (the rest were dropped and counted).
 */
unsigned int xe_fe_send(struct xe_fe *fe, unsigned int queue,
			const uint8_t dst[6], uint32_t seq0, unsigned int n,
			size_t len)
{
	static const uint8_t src[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct frame *f[FRAME_BATCH_MAX];
	unsigned int done = 0, k, i;
	uint64_t tx0 = fe->port.stats[queue].tx_packets;

	while (done < n) {
		k = n - done < FRAME_BATCH_MAX ? n - done : FRAME_BATCH_MAX;
		k = pool_alloc_bulk(&fe->pool, f, k);
		XE_CHECK(k > 0);
		for (i = 0; i < k; i++)
			f[i]->len = (uint32_t)xe_frame(f[i]->data, len, dst, src,
						       seq0 + done + i);
		port_send(&fe->port, queue, f, k, false);
		frame_put_n(f, k);
		done += k;
	}
	return (unsigned int)(fe->port.stats[queue].tx_packets - tx0);
}

/* Whether the captured bytes of a (possibly cut) test frame are intact. */
static bool xe_prefix_ok(const uint8_t *b, uint32_t caplen, uint32_t *seq)
{
	uint32_t nseq, i;

	if (caplen >= 14 && caplen < 22) {	/* cut inside our header */
		*seq = ~0u;
		return b[12] == (XE_ETHERTYPE >> 8) &&
		       b[13] == (XE_ETHERTYPE & 0xff);
	}
	if (caplen < 22 || b[12] != (XE_ETHERTYPE >> 8) ||
	    b[13] != (XE_ETHERTYPE & 0xff) || memcmp(b + 14, "QXDP", 4))
		return xe_frame_seq(b, caplen, seq) == 0;
	memcpy(&nseq, b + 18, 4);
	*seq = ntohl(nseq);
	for (i = 22; i < caplen; i++)
		if (b[i] != (uint8_t)(i * 13 + *seq))
			return false;
	return true;
}

/**
 * xe_pcap_read() - read and check a pcap file written by qnet
 * @path:	the file
 * @p:		what it holds
 *
 * Checks the header (classic, microseconds, Ethernet) and that every
 * record is whole and caplen <= len and caplen <= snaplen.
 */
void xe_pcap_read(const char *path, struct xe_pcap *p)
{
	static uint8_t buf[262144];
	uint32_t h[6], r[4], seq;
	FILE *f = fopen(path, "rb");

	memset(p, 0, sizeof(*p));
	XE_CHECK(f);
	XE_EQ(fread(h, 4, 6, f), 6);
	XE_EQ(h[0], 0xa1b2c3d4);
	XE_EQ(h[1], 2 | 4 << 16);
	XE_EQ(h[5], 1);
	p->snaplen = h[4];
	while (fread(r, 4, 4, f) == 4) {
		XE_CHECK(r[2] <= r[3] && r[2] <= p->snaplen);
		XE_EQ(fread(buf, 1, r[2], f), r[2]);
		if (p->n < 4096) {
			p->rec_caplen[p->n] = r[2];
			p->rec_len[p->n] = r[3];
			memcpy(p->rec_data[p->n], buf, r[2] < 64 ? r[2] : 64);
			p->rec_seq[p->n] = xe_prefix_ok(buf, r[2], &seq) ? seq : ~0u;
		}
		if (xe_prefix_ok(buf, r[2], &seq))
			p->ours++;
		p->n++;
		p->caplen += r[2];
		p->len += r[3];
	}
	XE_CHECK(feof(f));
	fclose(f);
}

/**
 * xe_tcpdump_count() - records tcpdump -r prints for a file and expression
 * @path:	the file
 * @expr:	tcpdump expression (NULL: all)
 *
 * Return: the count, -1 when tcpdump fails to read the file.
 */
int xe_tcpdump_count(const char *path, const char *expr)
{
	char cmd[1024], line[1024];
	int n = 0, rc;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "tcpdump -nn -r '%s' %s%s%s 2>/dev/null",
		 path, expr ? "'" : "", expr ? expr : "", expr ? "'" : "");
	f = popen(cmd, "r");
	XE_CHECK(f);
	while (fgets(line, sizeof(line), f))
		n += line[0] != ' ' && line[0] != '\t';	/* not hex dump lines */
	rc = pclose(f);
	return WIFEXITED(rc) && WEXITSTATUS(rc) == 0 ? n : -1;
}
