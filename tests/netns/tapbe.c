// SPDX-License-Identifier: GPL-2.0-or-later
/* tapbe.c: netns test support for the tap backend: namespaces, bridge+veth topology, front-end. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/caps.h"
#include "datapath/frame_hot.h"
#include "tests/netns/tapbe.h"

static int tb_home = -1;

/**
 * tb_require_root() - exit 77 (skip) without CAP_NET_ADMIN or /dev/net/tun
 */
void tb_require_root(void)
{
	if (caps_have(CAP_NET_ADMIN) != 1 || caps_have(CAP_SYS_ADMIN) != 1) {
		printf("SKIP: needs CAP_NET_ADMIN and CAP_SYS_ADMIN (run as root)\n");
		exit(TB_SKIP);
	}
	if (access("/dev/net/tun", R_OK | W_OK)) {
		printf("SKIP: no /dev/net/tun\n");
		exit(TB_SKIP);
	}
}

/* Write @val to a sysctl file of the current namespace (ignore failures). */
static void tb_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		fprintf(stderr, "note: %s: %s\n", path, strerror(errno));
	close(fd);
}

/* A quiet fresh namespace: lo up, no IPv6 chatter, no br_netfilter. */
static void tb_ns_setup(void)
{
	struct rtnl *r;

	TB_CHECK(rtnl_open(&r) == 0);
	TB_CHECK(rtnl_link_set_up(r, "lo", true, NULL, 0) == 0);
	rtnl_close(r);
	tb_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	tb_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	tb_sysctl("/proc/sys/net/bridge/bridge-nf-call-iptables", "0");
	tb_sysctl("/proc/sys/net/bridge/bridge-nf-call-ip6tables", "0");
	tb_sysctl("/proc/sys/net/bridge/bridge-nf-call-arptables", "0");
}

/**
 * tb_enter() - move the test into its own network namespace (A)
 *
 * Everything the test creates lives there; the namespace goes away with
 * the process even if the test dies.
 */
void tb_enter(void)
{
	tb_require_root();
	if (unshare(CLONE_NEWNET)) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		exit(TB_SKIP);
	}
	tb_home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	TB_CHECK(tb_home >= 0);
	tb_ns_setup();
}

/**
 * tb_setns() - switch the calling thread to a namespace
 * @nsfd: its fd, or -1 for namespace A
 */
void tb_setns(int nsfd)
{
	TB_CHECK(setns(nsfd >= 0 ? nsfd : tb_home, CLONE_NEWNET) == 0);
}

/**
 * tb_sh() - run a shell command in namespace A; it must succeed
 * @fmt: printf format
 */
void tb_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret != 0) {
		fprintf(stderr, "command failed (%d): %s\n", ret, cmd);
		exit(1);
	}
}

/* Open the packet socket on tbvb inside namespace B. */
static void tb_pkt_open(struct tb_topo *tp)
{
	struct sockaddr_ll sll = { 0 };
	int one = 1, rcv = 16 << 20;

	tb_setns(tp->nsb);
	tp->vb_index = (int)if_nametoindex(TB_VB);
	tp->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 htons(ETH_P_ALL));
	tb_setns(-1);
	TB_CHECK(tp->vb_index > 0 && tp->pkt >= 0);
	if (tp->vnet_pkt)
		TB_CHECK(setsockopt(tp->pkt, SOL_PACKET, PACKET_VNET_HDR, &one,
				    sizeof(one)) == 0);
	setsockopt(tp->pkt, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = tp->vb_index;
	TB_CHECK(bind(tp->pkt, (struct sockaddr *)&sll, sizeof(sll)) == 0);
}

/**
 * tb_topo_up() - bridge tbbr0 with veth end tbva in A, peer tbvb in a new
 * namespace B, a packet socket on tbvb
 * @tp:       filled
 * @vnet_pkt: give the packet socket PACKET_VNET_HDR
 */
void tb_topo_up(struct tb_topo *tp, bool vnet_pkt)
{
	char err[RTNL_ERR_MAX];

	memset(tp, 0, sizeof(*tp));
	tp->vnet_pkt = vnet_pkt;
	tp->nsa = tb_home;
	TB_CHECK(unshare(CLONE_NEWNET) == 0);
	tp->nsb = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	TB_CHECK(tp->nsb >= 0);
	tb_ns_setup();
	TB_CHECK(rtnl_open(&tp->rb) == 0);
	tb_setns(-1);
	TB_CHECK(rtnl_open(&tp->ra) == 0);
	TB_CHECK(rtnl_bridge_add(tp->ra, TB_BR, err, sizeof(err)) == 0);
	if (rtnl_veth_add(tp->ra, TB_VA, TB_VB, tp->nsb, err, sizeof(err))) {
		fprintf(stderr, "veth: %s\n", err);
		exit(1);
	}
	TB_CHECK(rtnl_link_set_master(tp->ra, TB_VA, TB_BR, err,
				      sizeof(err)) == 0);
	TB_CHECK(rtnl_link_set_up(tp->ra, TB_BR, true, err, sizeof(err)) == 0);
	TB_CHECK(rtnl_link_set_up(tp->ra, TB_VA, true, err, sizeof(err)) == 0);
	TB_CHECK(rtnl_link_set_up(tp->rb, TB_VB, true, err, sizeof(err)) == 0);
	tb_pkt_open(tp);
}

/**
 * tb_topo_add_tap() - enslave a tap to tbbr0 and bring it up
 * @tp:     the topology
 * @ifname: the tap
 */
void tb_topo_add_tap(struct tb_topo *tp, const char *ifname)
{
	char err[RTNL_ERR_MAX];

	if (rtnl_enslave(tp->ra, ifname, TB_BR, err, sizeof(err))) {
		fprintf(stderr, "enslave %s: %s\n", ifname, err);
		exit(1);
	}
}

/**
 * tb_tap_open() - start @loop and open a tap on it; exit 77 when the
 * kernel lacks multishot read (Linux 6.7), fail on any other error
 * @t:      set to the tap
 * @loop:   initialised here
 * @cfg:    the tap's options
 * @id:     netdev id
 * @err:    failure details, or NULL
 */
void tb_tap_open(struct tap **t, struct uloop *loop,
		 const struct tap_config *cfg, const char *id,
		 struct tap_err *err)
{
	int ret;

	TB_CHECK(uloop_init(loop, NULL) == 0);
	ret = tap_open(t, cfg, loop, id, err);
	if (ret == -EOPNOTSUPP) {
		printf("SKIP: kernel lacks multishot read (6.7)\n");
		exit(TB_SKIP);
	}
	TB_CHECK_EQ(ret, 0);
}

/**
 * tb_check_clean() - fail unless only "lo" is left in a namespace
 * @nsfd: the namespace, or -1 for the current one (A; no setns, so it
 *        works without privileges)
 */
void tb_check_clean(int nsfd)
{
	struct if_nameindex *ni, *i;
	bool clean = true;

	if (nsfd >= 0)
		tb_setns(nsfd);
	ni = if_nameindex();
	if (nsfd >= 0)
		tb_setns(-1);
	TB_CHECK(ni != NULL);
	for (i = ni; i->if_index; i++) {
		if (strcmp(i->if_name, "lo")) {
			fprintf(stderr, "left behind: %s\n", i->if_name);
			clean = false;
		}
	}
	if_freenameindex(ni);
	TB_CHECK(clean);
}

/**
 * tb_topo_down() - remove the bridge and the veth pair; check both
 * namespaces hold nothing but lo (close taps first)
 * @tp: the topology
 */
void tb_topo_down(struct tb_topo *tp)
{
	char err[RTNL_ERR_MAX];

	close(tp->pkt);
	TB_CHECK(rtnl_link_del(tp->ra, TB_VA, err, sizeof(err)) == 0);
	TB_CHECK(rtnl_link_del(tp->ra, TB_BR, err, sizeof(err)) == 0);
	tb_check_clean(-1);
	tb_check_clean(tp->nsb);
	rtnl_close(tp->ra);
	rtnl_close(tp->rb);
	close(tp->nsb);
}

static const uint8_t tb_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * tb_build() - write a test frame
 * @buf:     at least @len bytes
 * @len:     frame length (>= 26)
 * @seq:     sequence number
 * @queue:   queue it is sent on
 * @src_mac: source MAC
 *
 * Return: @len.
 */
unsigned int tb_build(uint8_t *buf, unsigned int len, uint32_t seq,
		      unsigned int queue, const uint8_t *src_mac)
{
	uint32_t magic = htonl(TB_MAGIC), s = htonl(seq);
	uint16_t type = htons(TB_ETHERTYPE), qq = htons((uint16_t)queue);

	memset(buf, 0, len);
	memcpy(buf, tb_bcast, 6);
	memcpy(buf + 6, src_mac, 6);
	memcpy(buf + 12, &type, 2);
	memcpy(buf + 14, &magic, 4);
	memcpy(buf + 18, &s, 4);
	memcpy(buf + 22, &qq, 2);
	return len;
}

/**
 * tb_parse() - recognise a test frame
 * @buf:   the frame
 * @len:   its length
 * @seq:   set to its sequence number
 * @queue: set to its queue
 *
 * Return: true for a test frame.
 */
bool tb_parse(const uint8_t *buf, unsigned int len, uint32_t *seq,
	      unsigned int *queue)
{
	uint32_t magic, s;
	uint16_t type, qq;

	if (len < 24)
		return false;
	memcpy(&type, buf + 12, 2);
	memcpy(&magic, buf + 14, 4);
	if (ntohs(type) != TB_ETHERTYPE || ntohl(magic) != TB_MAGIC)
		return false;
	memcpy(&s, buf + 18, 4);
	memcpy(&qq, buf + 22, 2);
	*seq = ntohl(s);
	*queue = ntohs(qq);
	return true;
}

/**
 * tb_pkt_send() - send a test frame from namespace B (tbvb)
 * @tp:  the topology
 * @len: frame length
 * @seq: sequence number
 *
 * Return: 0, or -errno (-EAGAIN when the socket is full).
 */
int tb_pkt_send(struct tb_topo *tp, unsigned int len, uint32_t seq)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	uint8_t buf[10 + 2048] = { 0 };
	unsigned int off = tp->vnet_pkt ? 10 : 0;

	tb_build(buf + off, len, seq, 0, src);
	if (send(tp->pkt, buf, off + len, 0) < 0)
		return -errno;
	return 0;
}

/**
 * tb_pkt_drain() - read every frame waiting on the packet socket
 * @tp:     the topology
 * @seen:   TB_SEQ_MAX flags, set per test frame seen (or NULL)
 * @frames: incremented per test frame
 *
 * Return: test frames read.
 */
unsigned int tb_pkt_drain(struct tb_topo *tp, uint8_t *seen, uint64_t *frames)
{
	static uint8_t buf[70000];
	unsigned int n = 0, off = tp->vnet_pkt ? 10 : 0, q;
	uint32_t seq;
	ssize_t r;

	while ((r = recv(tp->pkt, buf, sizeof(buf), 0)) > 0) {
		if ((size_t)r < off ||
		    !tb_parse(buf + off, (unsigned int)r - off, &seq, &q))
			continue;
		if (seen && seq < TB_SEQ_MAX)
			seen[seq] = 1;
		n++;
	}
	if (frames)
		*frames += n;
	return n;
}

/**
 * tb_run() - run the loop for @ms milliseconds, draining the packet socket
 * @loop:   the loop
 * @tp:     the topology (or NULL)
 * @seen:   as tb_pkt_drain()
 * @frames: as tb_pkt_drain()
 * @ms:     how long
 */
void tb_run(struct uloop *loop, struct tb_topo *tp, uint8_t *seen,
	    uint64_t *frames, unsigned int ms)
{
	uint64_t end = uloop_now() + (uint64_t)ms * 1000000ull;

	while (uloop_now() < end) {
		uloop_run_once(loop, 1000000);
		if (tp)
			tb_pkt_drain(tp, seen, frames);
	}
}

/**
 * tb_csum_add() - add @len bytes to a one's complement sum (not folded)
 * @sum:	the sum so far
 * @p:		the bytes
 * @len:	how many
 *
 * Return: the new sum.
 */
uint32_t tb_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/**
 * tb_csum_fold() - fold a sum into a 16-bit checksum
 * @sum:	the sum
 *
 * Return: its complement, folded.
 */
uint16_t tb_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * tb_build_tcp() - an Ethernet + IPv4 + TCP frame, 10.0.0.1 -> 10.0.0.2,
 * whose TCP checksum field holds the pseudo-header sum (NEEDS_CSUM)
 * @b:		room for 54 + @payload bytes
 * @payload:	payload bytes (byte i is i * 7)
 * @sport:	source port
 * @dport:	destination port
 *
 * Return: the frame's length.
 */
unsigned int tb_build_tcp(uint8_t *b, unsigned int payload, uint16_t sport,
			  uint16_t dport)
{
	unsigned int iplen = 40 + payload, i;
	uint32_t ps;

	memset(b, 0, 54);
	memset(b, 0xff, 6);
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x0a", 6);
	b[12] = 0x08;
	b[14] = 0x45;
	b[16] = (uint8_t)(iplen >> 8);
	b[17] = (uint8_t)iplen;
	b[22] = 64;
	b[23] = 6;
	memcpy(b + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	ps = tb_csum_fold(tb_csum_add(0, b + 14, 20));
	b[24] = (uint8_t)(ps >> 8);
	b[25] = (uint8_t)ps;
	b[34] = (uint8_t)(sport >> 8);
	b[35] = (uint8_t)sport;
	b[36] = (uint8_t)(dport >> 8);
	b[37] = (uint8_t)dport;
	b[46] = 0x50;
	b[47] = 0x18;
	b[48] = 0xff;
	for (i = 0; i < payload; i++)
		b[54 + i] = (uint8_t)(i * 7);
	ps = tb_csum_add(0, b + 26, 8) + 6 + (20 + payload);
	while (ps >> 16)
		ps = (ps & 0xffff) + (ps >> 16);
	b[50] = (uint8_t)(ps >> 8);
	b[51] = (uint8_t)ps;
	return 54 + payload;
}

/**
 * tb_gso_hdr() - the header of a TCPv4 GSO frame built by tb_build_tcp()
 * (NEEDS_CSUM on the TCP checksum), as a packet socket takes it
 * @h:		filled
 * @mss:	gso_size
 */
void tb_gso_hdr(struct virtio_net_hdr *h, uint16_t mss)
{
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = 34;
	h->csum_offset = 16;
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h->gso_size = mss;
	h->hdr_len = 54;
}
