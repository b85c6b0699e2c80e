/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_vnet_check.c: the shared virtio-net header validator: each refusal, each depth and rule, the edges it accepts. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "datapath/vnet_check.h"
#include "tests/lib/tcheck.h"

#define CSUM VIRTIO_NET_HDR_F_NEEDS_CSUM
#define TCPV4 VIRTIO_NET_HDR_GSO_TCPV4
#define TCPV6 VIRTIO_NET_HDR_GSO_TCPV6
#define UDP VIRTIO_NET_HDR_GSO_UDP
#define UDP_L4 VIRTIO_NET_HDR_GSO_UDP_L4
#define ECN VIRTIO_NET_HDR_GSO_ECN

/* The three policies qnet uses (devices/vnet_hdr.c, backends/tap_tx.c,
 * backends/user_offload.c), written out here so a change to one shows. */
static const struct vnet_check_policy dev_all = {
	.accept = VNET_CHECK_ACCEPT_CSUM | VNET_CHECK_ACCEPT_TCPV4 |
		  VNET_CHECK_ACCEPT_TCPV6 | VNET_CHECK_ACCEPT_UDP |
		  VNET_CHECK_ACCEPT_ECN,
	.rules = VNET_CHECK_RULE_FLAGS | VNET_CHECK_RULE_GSO_CSUM,
	.depth = VNET_CHECK_DEPTH_L4,
};
static const struct vnet_check_policy tap = {
	.accept = VNET_CHECK_ACCEPT_CSUM | VNET_CHECK_ACCEPT_TCPV4 |
		  VNET_CHECK_ACCEPT_UDP | VNET_CHECK_ACCEPT_TCPV6 |
		  VNET_CHECK_ACCEPT_UDP_L4 | VNET_CHECK_ACCEPT_ECN,
	.rules = VNET_CHECK_RULE_FLAGS | VNET_CHECK_RULE_ECN_TCP,
	.depth = VNET_CHECK_DEPTH_L3,
};
static const struct vnet_check_policy user = {
	.accept = VNET_CHECK_ACCEPT_CSUM | VNET_CHECK_ACCEPT_TCPV4 |
		  VNET_CHECK_ACCEPT_TCPV6 | VNET_CHECK_ACCEPT_UDP |
		  VNET_CHECK_ACCEPT_ECN,
	.rules = VNET_CHECK_RULE_GSO_CSUM | VNET_CHECK_RULE_FLAGS |
		 VNET_CHECK_RULE_ECN_TCP,
	.depth = VNET_CHECK_DEPTH_ETH,
};

static uint8_t fr[256];

/**
 * mkframe() - an Ethernet frame in fr[]
 * @tags:	VLAN tags before the ethertype (0 to 3)
 * @type:	ethertype
 * @ihl:	IPv4 header words (IPv4 only)
 * @proto:	IPv4 protocol / IPv6 next header
 *
 * Return: offset of the network header.
 */
static uint32_t mkframe(int tags, uint16_t type, unsigned int ihl,
			uint8_t proto)
{
	uint32_t off = 12;
	int i;

	memset(fr, 0, sizeof(fr));
	for (i = 0; i < tags; i++, off += 4) {
		fr[off] = i ? 0x81 : 0x88;
		fr[off + 1] = i ? 0x00 : 0xa8;
	}
	fr[off] = (uint8_t)(type >> 8);
	fr[off + 1] = (uint8_t)type;
	off += 2;
	if (type == 0x0800) {
		fr[off] = (uint8_t)(0x40 | ihl);
		fr[off + 9] = proto;
	} else if (type == 0x86dd) {
		fr[off] = 0x60;
		fr[off + 6] = proto;
	}
	return off;
}

/* a header */
static struct virtio_net_hdr_v1 hdr(uint8_t flags, uint8_t gso,
				    uint16_t hdr_len, uint16_t gso_size,
				    uint16_t start, uint16_t off)
{
	struct virtio_net_hdr_v1 h;

	memset(&h, 0, sizeof(h));
	h.flags = flags;
	h.gso_type = gso;
	h.hdr_len = hdr_len;
	h.gso_size = gso_size;
	h.csum_start = start;
	h.csum_offset = off;
	return h;
}

static enum vnet_check_err chk(struct virtio_net_hdr_v1 h, uint32_t len,
			       const struct vnet_check_policy *p)
{
	return vnet_check(&h, fr, len, p);
}

/**
 * test_parse_l3() - VLAN tags, IPv4 options, IPv6, and what is refused
 */
static void test_parse_l3(void)
{
	struct vnet_check_l3 l3;

	mkframe(0, 0x0800, 6, 6);
	TC_EQ(vnet_check_parse_l3(fr, 100, &l3), 0);
	TC_EQ(l3.l3, 14);
	TC_EQ(l3.l4, 14 + 24);
	TC_EQ(l3.ipv6, 0);
	TC_EQ(l3.proto, 6);
	TC_EQ(vnet_check_parse_l3(fr, 14 + 24, &l3), 0);
	TC_EQ(vnet_check_parse_l3(fr, 14 + 23, &l3), -EINVAL);
	mkframe(2, 0x86dd, 0, 17);
	TC_EQ(vnet_check_parse_l3(fr, 100, &l3), 0);
	TC_EQ(l3.l3, 22);
	TC_EQ(l3.l4, 62);
	TC_EQ(l3.ipv6, 1);
	TC_EQ(l3.proto, 17);
	TC_EQ(vnet_check_parse_l3(fr, 61, &l3), -EINVAL);
	mkframe(3, 0x0800, 5, 6); /* a third tag is not skipped */
	TC_EQ(vnet_check_parse_l3(fr, 100, &l3), -EPROTONOSUPPORT);
	mkframe(0, 0x0806, 0, 0);
	TC_EQ(vnet_check_parse_l3(fr, 60, &l3), -EPROTONOSUPPORT);
	TC_EQ(vnet_check_parse_l3(fr, 13, &l3), -EINVAL);
	mkframe(0, 0x0800, 4, 6); /* IHL below 5 */
	TC_EQ(vnet_check_parse_l3(fr, 100, &l3), -EINVAL);
	mkframe(0, 0x0800, 5, 6);
	fr[14] = 0x65; /* version 6 behind an IPv4 ethertype */
	TC_EQ(vnet_check_parse_l3(fr, 100, &l3), -EINVAL);
}

/**
 * test_plain_and_flags() - no offload is always fine; unknown flags by rule
 */
static void test_plain_and_flags(void)
{
	struct vnet_check_policy noflags = user;

	memset(fr, 0xee, sizeof(fr)); /* not even Ethernet */
	TC_EQ(chk(hdr(0, 0, 999, 999, 999, 999), 20, &dev_all), VNET_CHECK_OK);
	TC_EQ(chk(hdr(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0), 20, &tap),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(0x04, 0, 0, 0, 0, 0), 20, &dev_all), VNET_CHECK_FLAGS);
	TC_EQ(chk(hdr(0x80, 0, 0, 0, 0, 0), 20, &tap), VNET_CHECK_FLAGS);
	TC_EQ(chk(hdr(0x04, 0, 0, 0, 0, 0), 20, &user), VNET_CHECK_FLAGS);
	/* without RULE_FLAGS, unknown bits pass */
	noflags.rules &= ~VNET_CHECK_RULE_FLAGS;
	TC_EQ(chk(hdr(0x04, 0, 0, 0, 0, 0), 20, &noflags), VNET_CHECK_OK);
}

/**
 * test_csum() - NEEDS_CSUM: the feature, the end, the start per depth
 */
static void test_csum(void)
{
	struct vnet_check_policy nocsum = dev_all;
	uint32_t l3 = mkframe(1, 0x0800, 5, 17), l4 = l3 + 20;

	nocsum.accept &= ~VNET_CHECK_ACCEPT_CSUM;
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l4, 6), 60, &nocsum), VNET_CHECK_CSUM_CAP);
	/* end exactly at the frame's end is in; one past is out */
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l4, 6), l4 + 8, &dev_all), VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l4, 7), l4 + 8, &dev_all),
	      VNET_CHECK_CSUM_RANGE);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l4, 7), l4 + 8, &tap),
	      VNET_CHECK_CSUM_RANGE);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l4, 7), l4 + 8, &user),
	      VNET_CHECK_CSUM_RANGE);
	/* the earliest start: L4 header, IP header, end of Ethernet */
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l4 - 1, 6), 60, &dev_all),
	      VNET_CHECK_CSUM_RANGE);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l3, 6), 60, &tap), VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, l3 - 1, 6), 60, &tap),
	      VNET_CHECK_CSUM_RANGE);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 14, 6), 60, &user), VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 13, 6), 60, &user),
	      VNET_CHECK_CSUM_RANGE);
	/* not IP: refused from DEPTH_L3 on */
	mkframe(0, 0x0806, 0, 0);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 20, 6), 60, &dev_all), VNET_CHECK_NOT_IP);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 20, 6), 60, &tap), VNET_CHECK_NOT_IP);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 20, 6), 60, &user), VNET_CHECK_OK);
	/* a truncated IPv4 header: only DEPTH_L4 reads it */
	mkframe(0, 0x0800, 15, 6);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 40, 16), 60, &dev_all), VNET_CHECK_NOT_IP);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 40, 16), 60, &tap), VNET_CHECK_OK);
	/* three VLAN tags: not IP as far as L3 looks */
	mkframe(3, 0x0800, 5, 6);
	TC_EQ(chk(hdr(CSUM, 0, 0, 0, 50, 16), 90, &tap), VNET_CHECK_NOT_IP);
}

/**
 * test_gso_header() - gso_type, features, ECN, gso_size, hdr_len, csum rule
 */
static void test_gso_header(void)
{
	struct vnet_check_policy noecn = dev_all;
	uint32_t l4 = mkframe(0, 0x0800, 5, 6) + 20;

	noecn.accept &= ~VNET_CHECK_ACCEPT_ECN;
	TC_EQ(chk(hdr(CSUM, TCPV4, 54, 1448, l4, 16), 1514, &dev_all),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, 2, 54, 1448, l4, 16), 1514, &tap),
	      VNET_CHECK_GSO_TYPE);
	TC_EQ(chk(hdr(CSUM, ECN, 54, 1448, l4, 16), 1514, &dev_all),
	      VNET_CHECK_GSO_TYPE); /* ECN with no type */
	TC_EQ(chk(hdr(CSUM, UDP_L4, 54, 1448, l4, 16), 1514, &dev_all),
	      VNET_CHECK_GSO_CAP);
	TC_EQ(chk(hdr(CSUM, TCPV4 | ECN, 54, 1448, l4, 16), 1514, &noecn),
	      VNET_CHECK_GSO_CAP);
	TC_EQ(chk(hdr(CSUM, TCPV4 | ECN, 54, 1448, l4, 16), 1514, &dev_all),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, TCPV4 | ECN, 54, 1448, l4, 16), 1514, &tap),
	      VNET_CHECK_OK);
	/* gso_size: 1 and len are in, 0 and len + 1 out */
	TC_EQ(chk(hdr(CSUM, TCPV4, 54, 1, l4, 16), 1514, &dev_all),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, TCPV4, 54, 1514, l4, 16), 1514, &tap),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, TCPV4, 54, 0, l4, 16), 1514, &dev_all),
	      VNET_CHECK_GSO_SIZE);
	TC_EQ(chk(hdr(CSUM, TCPV4, 54, 1515, l4, 16), 1514, &tap),
	      VNET_CHECK_GSO_SIZE);
	TC_EQ(chk(hdr(CSUM, TCPV4, 54, 0, l4, 16), 1514, &user),
	      VNET_CHECK_GSO_SIZE);
	/* hdr_len: len is in, len + 1 out, whatever the type */
	TC_EQ(chk(hdr(CSUM, TCPV4, 1514, 1448, l4, 16), 1514, &dev_all),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, TCPV4, 1515, 1448, l4, 16), 1514, &dev_all),
	      VNET_CHECK_HDR_LEN);
	TC_EQ(chk(hdr(CSUM, TCPV4, 1515, 1448, l4, 16), 1514, &tap),
	      VNET_CHECK_HDR_LEN);
	TC_EQ(chk(hdr(CSUM, TCPV4, 1515, 1448, l4, 16), 1514, &user),
	      VNET_CHECK_HDR_LEN);
	/* GSO without NEEDS_CSUM: by rule */
	TC_EQ(chk(hdr(0, TCPV4, 54, 1448, 0, 0), 1514, &dev_all),
	      VNET_CHECK_GSO_CSUM);
	TC_EQ(chk(hdr(0, TCPV4, 54, 1448, 0, 0), 1514, &user),
	      VNET_CHECK_GSO_CSUM);
	TC_EQ(chk(hdr(0, TCPV4, 54, 1448, 0, 0), 1514, &tap), VNET_CHECK_OK);
}

/**
 * test_head() - a frame in pieces (vnet_check_head()): headers are looked
 * for in the first piece only, sizes are checked against the whole frame
 */
static void test_head(void)
{
	struct virtio_net_hdr_v1 h;
	uint32_t l4 = mkframe(0, 0x0800, 5, 6) + 20;

	h = hdr(CSUM, TCPV4, 54, 1448, l4, 16);
	/* Ethernet + IPv4 + TCP in a 54-byte first piece of a 64 KB frame:
	 * gso_size and hdr_len beyond the piece, within the frame */
	TC_EQ(vnet_check_head(&h, fr, 54, 65000, &dev_all), VNET_CHECK_OK);
	TC_EQ(vnet_check_head(&h, fr, 54, 65000, &tap), VNET_CHECK_OK);
	h.gso_size = 65001;
	TC_EQ(vnet_check_head(&h, fr, 54, 65000, &dev_all),
	      VNET_CHECK_GSO_SIZE);
	h.gso_size = 1448;
	/* the IPv4 header cut: not an IP frame as far as the device looks;
	 * the tap (DEPTH_L3) reads the ethertype only, and refuses when
	 * that is cut */
	TC_EQ(vnet_check_head(&h, fr, 30, 65000, &dev_all), VNET_CHECK_NOT_IP);
	TC_EQ(vnet_check_head(&h, fr, 30, 65000, &tap), VNET_CHECK_OK);
	TC_EQ(vnet_check_head(&h, fr, 13, 65000, &tap), VNET_CHECK_NOT_IP);
	/* the transport header itself is never read: what DEPTH_L4 needs
	 * is the whole IP header (its IHL) */
	TC_EQ(vnet_check_head(&h, fr, l4, 65000, &dev_all), VNET_CHECK_OK);
	TC_EQ(vnet_check_head(&h, fr, l4 - 1, 65000, &dev_all),
	      VNET_CHECK_NOT_IP);
	/* a head longer than the frame counts as the frame */
	TC_EQ(vnet_check_head(&h, fr, 200, 54, &dev_all),
	      vnet_check(&h, fr, 54, &dev_all));
}

/**
 * test_gso_frame() - the frame a GSO type is asked for, per depth
 */
static void test_gso_frame(void)
{
	uint32_t l4 = mkframe(0, 0x86dd, 0, 17) + 40;

	/* UDP on IPv6; ECN on UDP only without RULE_ECN_TCP */
	TC_EQ(chk(hdr(CSUM, UDP, 62, 1400, l4, 6), 1514, &dev_all),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, UDP | ECN, 62, 1400, l4, 6), 1514, &dev_all),
	      VNET_CHECK_OK);
	TC_EQ(chk(hdr(CSUM, UDP | ECN, 62, 1400, l4, 6), 1514, &tap),
	      VNET_CHECK_GSO_CAP);
	TC_EQ(chk(hdr(CSUM, UDP_L4, 62, 1400, l4, 6), 1514, &tap),
	      VNET_CHECK_OK);
	/* the checksum field of the L4 header, only at DEPTH_L4 */
	TC_EQ(chk(hdr(CSUM, UDP, 62, 1400, l4, 16), 1514, &dev_all),
	      VNET_CHECK_GSO_CSUM);
	TC_EQ(chk(hdr(CSUM, UDP, 62, 1400, l4 + 2, 4), 1514, &dev_all),
	      VNET_CHECK_GSO_CSUM);
	TC_EQ(chk(hdr(CSUM, UDP, 62, 1400, l4, 16), 1514, &tap), VNET_CHECK_OK);
	/* the IP family: TCPv4 on IPv6 from DEPTH_L3 on */
	TC_EQ(chk(hdr(CSUM, TCPV4, 62, 1400, l4, 16), 1514, &dev_all),
	      VNET_CHECK_GSO_PROTO);
	TC_EQ(chk(hdr(CSUM, TCPV4, 62, 1400, l4, 16), 1514, &tap),
	      VNET_CHECK_GSO_PROTO);
	TC_EQ(chk(hdr(CSUM, TCPV4, 62, 1400, l4, 16), 1514, &user),
	      VNET_CHECK_OK);
	/* the transport: TCPv6 on a UDP packet only at DEPTH_L4 */
	TC_EQ(chk(hdr(CSUM, TCPV6, 74, 1400, l4, 16), 1514, &dev_all),
	      VNET_CHECK_GSO_PROTO);
	TC_EQ(chk(hdr(CSUM, TCPV6, 74, 1400, l4, 16), 1514, &tap),
	      VNET_CHECK_OK);
	/* not IP at all */
	mkframe(0, 0x0806, 0, 0);
	TC_EQ(chk(hdr(0, UDP_L4, 42, 1400, 0, 0), 1514, &tap),
	      VNET_CHECK_NOT_IP);
	TC_EQ(chk(hdr(CSUM, UDP, 42, 1400, 34, 6), 1514, &dev_all),
	      VNET_CHECK_NOT_IP);
	TC_EQ(chk(hdr(CSUM, UDP, 42, 1400, 34, 6), 1514, &user),
	      VNET_CHECK_OK);
}

/**
 * test_names() - every reason has a distinct name; out of range is NULL
 */
static void test_names(void)
{
	unsigned int i, j;

	for (i = 0; i < VNET_CHECK_ERR_COUNT; i++) {
		TC_CHECK(vnet_check_err_name((enum vnet_check_err)i));
		for (j = 0; j < i; j++)
			TC_CHECK(strcmp(vnet_check_err_name(i),
					vnet_check_err_name(j)));
	}
	TC_CHECK(!strcmp(vnet_check_err_name(VNET_CHECK_OK), "ok"));
	TC_CHECK(!vnet_check_err_name(VNET_CHECK_ERR_COUNT));
}

int main(void)
{
	test_parse_l3();
	test_plain_and_flags();
	test_csum();
	test_gso_header();
	test_gso_frame();
	test_head();
	test_names();
	printf("vnet_check: ok\n");
	return 0;
}
