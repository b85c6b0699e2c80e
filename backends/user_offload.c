// SPDX-License-Identifier: GPL-2.0-or-later
/* user_offload.c: frame checks and checksum/GSO completion toward libslirp; ACK coalescing toward the guest. */

#include <arpa/inet.h>
#include <assert.h>
#include <string.h>

#include "backends/user_int.h"
#include "datapath/vnet_check.h"

#define ETH_HLEN_	14u
#define ETHERTYPE_IP_	0x0800
#define ETHERTYPE_ARP_	0x0806
#define ETHERTYPE_IPV6_ 0x86dd
#define PROTO_TCP_	6
#define PROTO_UDP_	17

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * csum_add() - add bytes to a ones' complement sum (big-endian words)
 * @sum:	running sum
 * @p:		bytes; @p[0] is the high byte of the first word
 * @len:	how many (an odd last byte is the high byte of a word)
 *
 * 64-bit words in the machine's byte order with the end-around carry,
 * folded to 16 bits and swapped to big-endian order at the end:
 * a ones' complement sum does not depend on the byte order it is taken in
 * (RFC 1071), and this runs at memory speed on the 64 KiB frames TSO
 * brings, where a loop over 16-bit words was most of the backend's time.
 *
 * Return: the new sum (unfolded).
 */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = 0, acc2 = 0, v, w;

	/* two independent carry chains: twice the speed of one */
	for (; len >= 16; p += 16, len -= 16) {
		memcpy(&v, p, 8);
		memcpy(&w, p + 8, 8);
		acc += v;
		acc += acc < v; /* end-around carry */
		acc2 += w;
		acc2 += acc2 < w;
	}
	acc += acc2;
	acc += acc < acc2;
	if (len >= 8) {
		memcpy(&v, p, 8);
		acc += v;
		acc += acc < v;
		p += 8;
		len -= 8;
	}
	if (len) {
		v = 0;
		memcpy(&v, p, len); /* zero padded, as an odd byte wants */
		acc += v;
		acc += acc < v;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc = (uint16_t)(acc << 8 | acc >> 8);
#endif
	return sum + acc;
}

/* fold a sum to 16 bits and complement it */
static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * v4_spoofed() - an IPv4 source the guest cannot own (T-38)
 * @c:		the config
 * @ip:		the IPv4 header (length checked)
 * @len:	bytes from @ip on
 *
 * Multicast, reserved or broadcast sources, the gateway's and the DNS
 * address, 0.0.0.0 except toward the DHCP server port, and TCP/UDP source
 * port 0 in a first fragment.
 *
 * Return: true to drop.
 */
static bool v4_spoofed(const struct user_config *c, const uint8_t *ip,
		       uint32_t len)
{
	uint32_t src, ihl = (ip[0] & 0xfu) * 4;
	bool first = !(rd16(ip + 6) & 0x1fff);
	bool l4 = first && len >= ihl + 4;

	memcpy(&src, ip + 12, 4);
	if ((ntohl(src) & 0xe0000000u) == 0xe0000000u ||
	    src == c->host.s_addr || src == c->dns.s_addr)
		return true;
	if (src == 0 &&
	    !(ip[9] == PROTO_UDP_ && l4 && rd16(ip + ihl + 2) == 67))
		return true;
	return (ip[9] == PROTO_TCP_ || ip[9] == PROTO_UDP_) && l4 &&
	       rd16(ip + ihl) == 0;
}

/**
 * v6_spoofed() - an IPv6 source the guest cannot own (T-38)
 * @c:		the config
 * @ip:		the IPv6 header (40 bytes present)
 *
 * Return: true for a multicast source or the host's or DNS's address.
 */
static bool v6_spoofed(const struct user_config *c, const uint8_t *ip)
{
	return ip[8] == 0xff || !memcmp(ip + 8, &c->ipv6_host, 16) ||
	       !memcmp(ip + 8, &c->ipv6_dns, 16);
}

/**
 * user_l3_check() - is the frame one libslirp should see?
 * @c:		the backend's config
 * @d:		the frame (at least 14 bytes)
 * @len:	its length
 *
 * Lengths: ARP needs its 28 bytes; IPv4 a version-4 header of IHL >= 5
 * whose total length covers the header and fits the frame, and a fragment
 * that ends within 64 KiB; IPv6 its 40 bytes and a payload that fits.
 * Sources: a multicast source MAC, and the IP sources of v4_spoofed() /
 * v6_spoofed(), are refused.  Other ethertypes pass (libslirp ignores
 * them).
 *
 * Return: 0, -1 for a malformed frame, -2 for a spoofed source.
 */
int user_l3_check(const struct user_config *c, const uint8_t *d, uint32_t len)
{
	uint32_t ihl, tot, off;

	if (d[6] & 1)
		return -2;
	switch (rd16(d + 12)) {
	case ETHERTYPE_ARP_:
		return len >= ETH_HLEN_ + 28 ? 0 : -1;
	case ETHERTYPE_IP_:
		if (len < ETH_HLEN_ + 20 || d[ETH_HLEN_] >> 4 != 4)
			return -1;
		ihl = (d[ETH_HLEN_] & 0xfu) * 4;
		tot = rd16(d + ETH_HLEN_ + 2);
		off = (rd16(d + ETH_HLEN_ + 6) & 0x1fffu) * 8;
		if (ihl < 20 || tot < ihl || ETH_HLEN_ + tot > len ||
		    off + (tot - ihl) > 65535)
			return -1;
		return v4_spoofed(c, d + ETH_HLEN_, tot) ? -2 : 0;
	case ETHERTYPE_IPV6_:
		if (len < ETH_HLEN_ + 40 || d[ETH_HLEN_] >> 4 != 6 ||
		    ETH_HLEN_ + 40u + rd16(d + ETH_HLEN_ + 4) > len)
			return -1;
		return v6_spoofed(c, d + ETH_HLEN_) ? -2 : 0;
	default:
		return 0;
	}
}

/**
 * gso_fix() - rewrite lengths and checksums of a GSO frame as one packet
 * @d:		the frame (a private copy)
 * @n:		its length
 * @gso:	VIRTIO_NET_HDR_GSO_TCPV4, _TCPV6 or _UDP
 *
 * The IPv4 total length (or IPv6 payload length) becomes what the frame
 * holds, the IPv4 header checksum is recomputed, and the TCP/UDP checksum
 * is computed over the whole payload with a pseudo-header built from the
 * addresses (the guest's partial sum is not trusted).  IPv6 extension
 * headers and VLAN tags are not supported.
 *
 * Return: 0, or -1 when the headers do not match @gso or do not fit.
 */
static int gso_fix(uint8_t *d, uint32_t n, uint8_t gso)
{
	uint16_t type = rd16(d + 12);
	uint32_t l3 = ETH_HLEN_, l4, l4len, ihl;
	uint8_t proto = gso == VIRTIO_NET_HDR_GSO_UDP ? PROTO_UDP_ : PROTO_TCP_;
	uint64_t sum;

	if (type == ETHERTYPE_IP_ && gso != VIRTIO_NET_HDR_GSO_TCPV6) {
		ihl = (d[l3] & 0xfu) * 4;
		if (n < l3 + 20 || d[l3] >> 4 != 4 || ihl < 20 ||
		    n < l3 + ihl || n - l3 > 65535 || d[l3 + 9] != proto)
			return -1;
		wr16(d + l3 + 2, (uint16_t)(n - l3));
		wr16(d + l3 + 10, 0);
		wr16(d + l3 + 10, csum_fold(csum_add(0, d + l3, ihl)));
		l4 = l3 + ihl;
		sum = csum_add(0, d + l3 + 12, 8);
	} else if (type == ETHERTYPE_IPV6_ && gso != VIRTIO_NET_HDR_GSO_TCPV4) {
		if (n < l3 + 40 || d[l3] >> 4 != 6 || d[l3 + 6] != proto ||
		    n - l3 - 40 > 65535)
			return -1;
		wr16(d + l3 + 4, (uint16_t)(n - l3 - 40));
		l4 = l3 + 40;
		sum = csum_add(0, d + l3 + 8, 32);
	} else {
		return -1;
	}
	l4len = n - l4;
	if (l4len < (proto == PROTO_TCP_ ? 20u : 8u) || l4len > 65535)
		return -1;
	sum += proto + l4len;
	if (proto == PROTO_UDP_) {
		wr16(d + l4 + 4, (uint16_t)l4len);
		wr16(d + l4 + 6, 0);
		wr16(d + l4 + 6,
		     csum_fold(csum_add(sum, d + l4, l4len)) ?: 0xffff);
	} else {
		wr16(d + l4 + 16, 0);
		wr16(d + l4 + 16, csum_fold(csum_add(sum, d + l4, l4len)));
	}
	return 0;
}

/*
 * What the software path below can finish: partial checksums and TCPv4,
 * TCPv6 and UDP GSO (no USO), GSO only with NEEDS_CSUM; the ECN bit only
 * with TCP GSO, unknown flag bits refused (as the device and the tap do).
 * The frame is not looked into (DEPTH_ETH: a checksum may start anywhere
 * past the Ethernet header), because gso_fix() re-derives and checks every
 * header it rewrites.
 */
static const struct vnet_check_policy user_vnet_policy = {
	.accept = VNET_CHECK_ACCEPT_CSUM | VNET_CHECK_ACCEPT_TCPV4 |
		  VNET_CHECK_ACCEPT_TCPV6 | VNET_CHECK_ACCEPT_UDP |
		  VNET_CHECK_ACCEPT_ECN,
	.rules = VNET_CHECK_RULE_GSO_CSUM | VNET_CHECK_RULE_FLAGS |
		 VNET_CHECK_RULE_ECN_TCP,
	.depth = VNET_CHECK_DEPTH_ETH,
};

/**
 * user_vnet_gso() - validate a frame's virtio-net header
 * @f:	the frame
 *
 * vnet_check() with user_vnet_policy. gso_fix() makes one packet and
 * leaves the TCP flags as the guest wrote them, so an accepted ECN bit
 * needs nothing more and is dropped from the result.
 *
 * Return: the gso type (without the ECN bit), or -1 when the header is
 * unusable.
 */
static int user_vnet_gso(const struct frame *f)
{
	if (vnet_check(&f->vnet, f->data, f->len, &user_vnet_policy))
		return -1;
	return f->vnet.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
}

/**
 * user_offload() - complete a frame's offloads in software, into @scratch
 * @f:		the frame (not modified: other ports may share it)
 * @scratch:	FRAME_MAX_LEN bytes receiving the completed frame
 * @len:	set to its length
 *
 * Return: 2 for a GSO frame made whole, 1 for a completed checksum, 0 for
 * a header that asked for nothing, or -PORT_DROP_BAD_VNET /
 * -PORT_DROP_GIANT.
 */
int user_offload(const struct frame *f, uint8_t *scratch, uint32_t *len)
{
	const struct virtio_net_hdr_v1 *h = &f->vnet;
	int gso = user_vnet_gso(f);
	uint32_t start, at;
	uint16_t c;

	if (f->len > FRAME_MAX_LEN)
		return -PORT_DROP_GIANT;
	if (gso < 0)
		return -PORT_DROP_BAD_VNET;
	memcpy(scratch, f->data, f->len);
	*len = f->len;
	if (gso != VIRTIO_NET_HDR_GSO_NONE)
		return gso_fix(scratch, f->len, (uint8_t)gso)
			       ? -PORT_DROP_BAD_VNET
			       : 2;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	/* the field holds the pseudo-header sum: sum from csum_start on */
	start = h->csum_start;
	at = start + h->csum_offset;
	c = csum_fold(csum_add(0, scratch + start, f->len - start));
	wr16(scratch + at, c ?: 0xffff);
	return 1;
}

/* --- ACK coalescing toward the guest -------------------------------------- */

/**
 * DOC: ACK coalescing
 *
 * libslirp acknowledges every TCP segment it takes at once (no delayed
 * ACK), so a bulk upload from the guest brings one ACK frame back per data
 * frame, and the guest pays a full ACK processing for each (for a network
 * namespace, in the thread writing its tap: the namespace's TCP output
 * runs there).  user_flush() passes the frames libslirp made since the
 * last flush (up to USER_TXQ_LEN, in libslirp's order) to
 * user_ack_coalesce(), which drops a frame A only when all of this holds:
 *
 * - A is a pure ACK: IPv4 without IP options and not a fragment, or IPv6
 *   with TCP as the next header; no payload (by the IP length: Ethernet
 *   padding does not count); the flags are exactly ACK (no SYN, FIN, RST,
 *   PSH, URG, ECE, CWR, nor the reserved bits); options are only NOP, EOL
 *   and at most one timestamp (SACK, or anything else, makes it "other");
 * - B, the next pure ACK of the same connection (Ethernet destination, IP
 *   version, addresses and ports) later in the flush, acknowledges
 *   strictly more (serial arithmetic), and no other TCP segment of that
 *   connection (data, FIN, SACK, ...) lies between A and B;
 * - A and B both carry a timestamp or neither does, and B's TSval and
 *   TSecr are not older than A's;
 * - A is not part of a duplicate-ACK run: when the next pure ACK of the
 *   connection acknowledges the same number, both are kept.
 *
 * Why the guest loses nothing: acknowledgements are cumulative, so B
 * acknowledges all that A did; B's window replaces A's in the guest
 * whichever is larger, because B's acknowledgement number is newer with
 * the same or a newer sequence number (RFC 9293's SND.WL1/SND.WL2 rule);
 * timestamps only move forward.  A and B reach the guest together (one
 * flush), so it could not have acted on A before seeing B: the state it
 * ends in is the same with or without A.  What A could say that B does
 * not - a duplicate ACK counted toward fast retransmit, SACK blocks, a
 * window update with an unchanged acknowledgement number, SYN, FIN, RST,
 * ECN echoes - is never dropped.  The last pure ACK of each connection in
 * a flush is always kept, so the newest window always reaches the guest.
 * Connections beyond USER_ACKC_FLOWS in one flush are left alone.
 */

#define ACKC_TCP_ACK 0x10
#define ACKC_KEY_LEN 44 /* MAC 6, version 1, pad 1, addresses 32, ports 4 */

/* What a frame is to coalescing. */
enum ackc_kind {
	ACKC_NONE,  /* not a TCP segment coalescing can place */
	ACKC_OTHER, /* a TCP segment that is not a pure ACK */
	ACKC_PURE,  /* a pure ACK */
	ACKC_KIND_COUNT
};

/**
 * struct ackc_seg - what coalescing reads of one TCP segment
 * @key:	its connection: Ethernet destination, IP version, addresses,
 *		ports
 * @ack:	acknowledgement number
 * @tsval:	timestamp value (with @ts)
 * @tsecr:	timestamp echo reply (with @ts)
 * @ts:		a timestamp option is present
 */
struct ackc_seg {
	uint8_t key[ACKC_KEY_LEN];
	uint32_t ack;
	uint32_t tsval;
	uint32_t tsecr;
	bool ts;
};

/**
 * struct ackc_flow - one connection of a flush, walked from its end
 * @next:	the nearest later pure ACK of the connection (its key always)
 * @idx:	that ACK's index in the flush, or -1 when there is none or a
 *		segment of the connection that is not a pure ACK came first
 */
struct ackc_flow {
	struct ackc_seg next;
	int idx;
};

/**
 * ackc_opts() - read a pure ACK's options: only NOP, EOL, one timestamp
 * @o:		the options
 * @len:	their length
 * @s:		its timestamp, if any, filled in
 *
 * Return: true when nothing else is present.
 */
static bool ackc_opts(const uint8_t *o, unsigned int len, struct ackc_seg *s)
{
	unsigned int i = 0;

	s->ts = false;
	while (i < len) {
		if (o[i] == 0) /* EOL: the rest is padding */
			return true;
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (o[i] != 8 || s->ts || len - i < 10 || o[i + 1] != 10)
			return false;
		s->ts = true;
		s->tsval = rd32(o + i + 2);
		s->tsecr = rd32(o + i + 6);
		i += 10;
	}
	return true;
}

/**
 * ackc_parse() - place a frame: its connection, and whether it is a pure ACK
 * @f:	the frame
 * @s:	filled for ACKC_OTHER (key, ack) and ACKC_PURE (everything)
 *
 * Return: enum ackc_kind.
 */
static enum ackc_kind ackc_parse(const struct frame *f, struct ackc_seg *s)
{
	const uint8_t *d = f->data, *ip = d + ETH_HLEN_, *tcp;
	uint32_t hl, tot, l4len, doff;
	bool plain = true;

	if (f->len < ETH_HLEN_ + 40)
		return ACKC_NONE;
	memset(s->key, 0, sizeof(s->key));
	memcpy(s->key, d, 6);
	if (rd16(d + 12) == ETHERTYPE_IP_) {
		hl = (ip[0] & 0xfu) * 4;
		tot = rd16(ip + 2);
		/* not a fragment: MF and the offset clear (DF may be set) */
		if (ip[0] >> 4 != 4 || ip[9] != PROTO_TCP_ || hl < 20 ||
		    (rd16(ip + 6) & 0x3fff) || tot < hl + 20 ||
		    ETH_HLEN_ + tot > f->len)
			return ACKC_NONE;
		l4len = tot - hl;
		s->key[6] = 4;
		memcpy(s->key + 8, ip + 12, 8);
		plain = hl == 20;
	} else if (rd16(d + 12) == ETHERTYPE_IPV6_) {
		hl = 40;
		l4len = rd16(ip + 4);
		if (ip[0] >> 4 != 6 || ip[6] != PROTO_TCP_ || l4len < 20 ||
		    ETH_HLEN_ + hl + l4len > f->len)
			return ACKC_NONE;
		s->key[6] = 6;
		memcpy(s->key + 8, ip + 8, 32);
	} else {
		return ACKC_NONE;
	}
	tcp = ip + hl;
	doff = (tcp[12] >> 4) * 4u;
	if (doff < 20 || doff > l4len)
		return ACKC_NONE;
	memcpy(s->key + 40, tcp, 4);
	s->ack = rd32(tcp + 8);
	if (!plain || l4len != doff || (tcp[12] & 0x0f) ||
	    tcp[13] != ACKC_TCP_ACK || !ackc_opts(tcp + 20, doff - 20, s))
		return ACKC_OTHER;
	return ACKC_PURE;
}

/**
 * ackc_supersedes() - does pure ACK @b, later, make pure ACK @a redundant?
 * @b:	the later ACK
 * @a:	the earlier one, same connection
 *
 * Return: true when @b acknowledges strictly more and its timestamps, if
 * any, are not older.
 */
static bool ackc_supersedes(const struct ackc_seg *b, const struct ackc_seg *a)
{
	if ((int32_t)(b->ack - a->ack) <= 0 || b->ts != a->ts)
		return false;
	return !b->ts || ((int32_t)(b->tsval - a->tsval) >= 0 &&
			  (int32_t)(b->tsecr - a->tsecr) >= 0);
}

/**
 * ackc_flow() - the table entry of a segment's connection, added if new
 * @t:		the table
 * @nt:		entries used
 * @s:		the segment
 *
 * Return: the entry (a new one has idx -1), or NULL when the table is full.
 */
static struct ackc_flow *ackc_flow(struct ackc_flow *t, unsigned int *nt,
				   const struct ackc_seg *s)
{
	unsigned int i;

	for (i = 0; i < *nt; i++)
		if (!memcmp(t[i].next.key, s->key, ACKC_KEY_LEN))
			return &t[i];
	if (*nt == USER_ACKC_FLOWS)
		return NULL;
	memcpy(t[*nt].next.key, s->key, ACKC_KEY_LEN);
	t[*nt].idx = -1;
	return &t[(*nt)++];
}

/**
 * user_ack_coalesce() - drop the pure ACKs a later one supersedes (see
 * "ACK coalescing" above)
 * @f:		the frames of one flush, in libslirp's order
 * @n:		how many, at most USER_TXQ_LEN
 * @st:		ack_pure and ack_coalesced are added to
 *
 * One walk from the end with a table of USER_ACKC_FLOWS connections; no
 * allocation.  @f is reordered: the frames kept first, in their order,
 * then the ones dropped (the caller still owns their references).
 *
 * Return: how many are kept.
 */
unsigned int user_ack_coalesce(struct frame **f, unsigned int n,
			       struct user_stats *st)
{
	struct ackc_flow flows[USER_ACKC_FLOWS];
	struct frame *tail[USER_TXQ_LEN];
	bool drop[USER_TXQ_LEN] = {false};
	unsigned int nflows = 0, kept = 0, ndrop = 0, i;
	enum ackc_kind kind;
	struct ackc_flow *fl;
	struct ackc_seg s;

	assert(n <= USER_TXQ_LEN);
	for (i = n; i-- > 0;) {
		kind = ackc_parse(f[i], &s);
		if (kind == ACKC_NONE)
			continue;
		st->ack_pure += kind == ACKC_PURE;
		fl = ackc_flow(flows, &nflows, &s);
		if (!fl)
			continue;
		if (kind == ACKC_OTHER) {
			fl->idx = -1; /* nothing earlier is compared across */
			continue;
		}
		if (fl->idx >= 0 && ackc_supersedes(&fl->next, &s))
			drop[i] = true;
		else if (fl->idx >= 0 && fl->next.ack == s.ack)
			drop[fl->idx] = false; /* a duplicate: keep the run */
		fl->next = s;
		fl->idx = (int)i;
	}
	for (i = 0; i < n; i++) {
		if (drop[i])
			tail[ndrop++] = f[i];
		else
			f[kept++] = f[i];
	}
	memcpy(f + kept, tail, ndrop * sizeof(*f));
	st->ack_coalesced += ndrop;
	return kept;
}
