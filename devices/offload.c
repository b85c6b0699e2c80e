// SPDX-License-Identifier: GPL-2.0-or-later
/* offload.c: complete partial checksums and segment TCP GSO frames in software. */
#include <errno.h>
#include <string.h>

#include "devices/offload.h"
#include "devices/vnet_hdr.h"

/**
 * offload_sum() - add bytes to a one's-complement sum (network order)
 * @p:		bytes
 * @len:	how many
 * @sum:	running sum
 *
 * Return: the new (unfolded) sum.
 */
uint32_t offload_sum(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint64_t s = sum;

	while (len >= 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		s += (uint64_t)__builtin_bswap32(a) + __builtin_bswap32(b);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/**
 * offload_fold() - fold a sum to 16 bits
 * @sum:	the sum
 *
 * Return: the folded sum (not complemented).
 */
uint16_t offload_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * put16() - store a big-endian 16-bit value
 * @p:	where
 * @v:	the value
 */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * get32() - load a big-endian 32-bit value
 * @p:	where
 *
 * Return: the value.
 */
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * offload_csum() - complete a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM)
 * @frame:	the frame, changed in place
 * @len:	its length
 * @h:		its header (checked by vnet_hdr_check())
 *
 * The field at csum_start + csum_offset holds the pseudo-header sum; the
 * one's-complement sum of [csum_start, len) is folded, complemented and
 * stored there (0xffff for a zero UDP result).
 *
 * Return: 0; -EINVAL when the header asks for nothing or is out of range.
 */
int offload_csum(uint8_t *frame, uint32_t len,
		 const struct virtio_net_hdr_v1 *h)
{
	uint32_t start = h->csum_start, at = start + h->csum_offset;
	uint16_t c;

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || at + 2 > len ||
	    start >= len)
		return -EINVAL;
	c = (uint16_t)~offload_fold(offload_sum(frame + start, len - start, 0));
	if (c == 0 && h->csum_offset == 6)
		c = 0xffff;
	put16(frame + at, c);
	return 0;
}

/**
 * offload_gso_init() - parse a TCP GSO frame for segmentation
 * @g:		filled
 * @frame:	the frame (must outlive the iteration)
 * @len:	its length
 * @h:		its header (checked by vnet_hdr_check())
 *
 * Return: 0; -EOPNOTSUPP for a GSO type other than TCPv4/TCPv6; -EINVAL
 * for headers that do not fit the frame or a zero MSS.
 */
int offload_gso_init(struct offload_gso *g, const uint8_t *frame, uint32_t len,
		     const struct virtio_net_hdr_v1 *h)
{
	uint8_t type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	struct vnet_check_l3 l3;
	uint32_t doff;

	if (type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EOPNOTSUPP;
	if (vnet_check_parse_l3(frame, len, &l3) || l3.proto != 6 ||
	    l3.ipv6 != (type == VIRTIO_NET_HDR_GSO_TCPV6) || len < l3.l4 + 20)
		return -EINVAL;
	doff = (uint32_t)(frame[l3.l4 + 12] >> 4) * 4;
	if (doff < 20 || len < l3.l4 + doff || !h->gso_size)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->frame = frame;
	g->len = len;
	g->l3 = l3.l3;
	g->l4 = l3.l4;
	g->hlen = l3.l4 + doff;
	g->mss = h->gso_size;
	g->seq = get32(frame + l3.l4 + 4);
	g->ipv6 = l3.ipv6;
	if (!g->ipv6)
		g->ip_id = (uint16_t)(frame[l3.l3 + 4] << 8 | frame[l3.l3 + 5]);
	return 0;
}

/**
 * offload_gso_seg_max() - longest segment offload_gso_next() will write
 * @g:	the iteration
 *
 * Return: headers plus one MSS.
 */
uint32_t offload_gso_seg_max(const struct offload_gso *g)
{
	return g->hlen + g->mss;
}

/**
 * gso_fix_l3() - set IP lengths (and the IPv4 id and header checksum)
 * @g:		the iteration
 * @out:	the segment
 * @seglen:	its length
 */
static void gso_fix_l3(const struct offload_gso *g, uint8_t *out,
		       uint32_t seglen)
{
	uint8_t *ip = out + g->l3;

	if (g->ipv6) {
		put16(ip + 4, (uint16_t)(seglen - g->l3 - 40));
		return;
	}
	put16(ip + 2, (uint16_t)(seglen - g->l3));
	put16(ip + 4, (uint16_t)(g->ip_id + g->index));
	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~offload_fold(
			       offload_sum(ip, g->l4 - g->l3, 0)));
}

/**
 * gso_fix_l4() - set the TCP sequence, flags and full checksum
 * @g:		the iteration
 * @out:	the segment
 * @seglen:	its length
 * @last:	it carries the end of the payload
 */
static void gso_fix_l4(const struct offload_gso *g, uint8_t *out,
		       uint32_t seglen, int last)
{
	uint8_t *tcp = out + g->l4, *ip = out + g->l3;
	uint32_t seq = g->seq + g->off, tcplen = seglen - g->l4, sum;

	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	if (!last)
		tcp[13] &= (uint8_t)~0x09;	/* FIN, PSH only on the last */
	if (g->index)
		tcp[13] &= (uint8_t)~0x80;	/* CWR only on the first */
	put16(tcp + 16, 0);
	if (g->ipv6)
		sum = offload_sum(ip + 8, 32, 0);
	else
		sum = offload_sum(ip + 12, 8, 0);
	sum += 6 + tcplen;
	sum = offload_sum(tcp, tcplen, sum);
	put16(tcp + 16, (uint16_t)~offload_fold(sum));
}

/**
 * offload_gso_next() - write the next segment
 * @g:		the iteration
 * @out:	buffer for the segment
 * @cap:	its size (at least offload_gso_seg_max() is always enough)
 *
 * Return: the segment's length; 0 when every segment was written;
 * -ENOSPC when @cap is too small for this segment.
 */
int offload_gso_next(struct offload_gso *g, uint8_t *out, uint32_t cap)
{
	uint32_t payload = g->len - g->hlen, chunk, seglen;

	if (g->off >= payload && !(payload == 0 && g->index == 0))
		return 0;
	chunk = payload - g->off < g->mss ? payload - g->off : g->mss;
	seglen = g->hlen + chunk;
	if (seglen > cap)
		return -ENOSPC;
	memcpy(out, g->frame, g->hlen);
	memcpy(out + g->hlen, g->frame + g->hlen + g->off, chunk);
	gso_fix_l3(g, out, seglen);
	gso_fix_l4(g, out, seglen, g->off + chunk >= payload);
	g->off += chunk;
	g->index++;
	if (payload == 0)
		g->off = 1;	/* a header-only frame is one segment */
	return (int)seglen;
}
