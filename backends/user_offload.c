// SPDX-License-Identifier: GPL-2.0-or-later
/* user_offload.c: checks of frames for libslirp, and software checksum/GSO completion. */

#include <arpa/inet.h>
#include <string.h>

#include "backends/user_int.h"

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

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * csum_add() - add bytes to a ones' complement sum (big-endian words)
 * @sum:	running sum
 * @p:		bytes
 * @len:	how many
 *
 * Return: the new sum (unfolded).
 */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	while (len > 1) {
		sum += rd16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint64_t)p[0] << 8;
	return sum;
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

/**
 * vnet_check() - validate a frame's virtio-net header
 * @f:	the frame
 *
 * Return: the gso type (without the ECN bit), or -1 when the header is
 * unusable: unknown or unsupported gso_type (USO included), GSO without
 * NEEDS_CSUM, gso_size 0 or beyond the frame, hdr_len beyond the frame,
 * csum_start before the IP header or csum_start + csum_offset + 2 beyond
 * the frame.
 */
static int vnet_check(const struct frame *f)
{
	const struct virtio_net_hdr_v1 *h = &f->vnet;
	uint8_t gso = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	bool csum = h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;

	if (gso != VIRTIO_NET_HDR_GSO_NONE && gso != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    gso != VIRTIO_NET_HDR_GSO_TCPV6 && gso != VIRTIO_NET_HDR_GSO_UDP)
		return -1;
	if (gso != VIRTIO_NET_HDR_GSO_NONE &&
	    (!csum || h->gso_size == 0 || h->gso_size > f->len ||
	     h->hdr_len > f->len))
		return -1;
	if (csum && (h->csum_start < ETH_HLEN_ ||
		     (uint32_t)h->csum_start + h->csum_offset + 2 > f->len))
		return -1;
	return gso;
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
	int gso = vnet_check(f);
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
