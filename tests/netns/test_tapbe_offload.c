// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_offload.c: offloads end to end through the tap (TSO out as segments, GSO in whole) and hostile vnet headers dropped (T-20). */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/netns/tapbe.h"

#define TSO_PAYLOAD 64000u
#define MSS 1448u
#define SPORT 40001
#define DPORT 40002

static uint8_t big[70000];

/* Is this IPv4/TCP segment's TCP checksum right? */
static bool tcp_csum_ok(const uint8_t *ip, unsigned int iplen)
{
	uint32_t sum = tb_csum_add(0, ip + 12, 8) + 6 + (iplen - 20);

	return tb_csum_fold(tb_csum_add(sum, ip + 20, iplen - 20)) == 0;
}

static void ethtool_off(const char *ifname, uint32_t cmd)
{
	struct ethtool_value ev = { .cmd = cmd, .data = 0 };
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (void *)&ev;
	TB_CHECK(s >= 0 && ioctl(s, SIOCETHTOOL, &ifr) == 0);
	close(s);
}

/* Send one frame with a header from the front-end; return frames taken. */
static unsigned int send_one(struct tfe *e, uint8_t *buf, unsigned int len,
			     const struct virtio_net_hdr_v1 *h)
{
	/* the tap may keep the frame until its write completes */
	static struct frame fs[16];
	static unsigned int next;
	struct frame *fp = &fs[next++ % 16];

	TB_CHECK(fp->refs == 0);
	memset(fp, 0, sizeof(*fp));
	fp->data = buf;
	fp->len = fp->cap = len;
	fp->refs = 1;
	if (h) {
		fp->vnet = *h;
		fp->has_vnet = 1;
	}
	if (port_send(&e->port, 0, &fp, 1, false) != 1)
		return 0;
	fp->refs--;	/* ours; the tap's own reference, if any, remains */
	return 1;
}

/* Collect TCP segments of our flow at tbvb until @want payload bytes. */
static void collect_segments(struct uloop *loop, struct tb_topo *tp,
			     unsigned int want, unsigned int ms, unsigned int *nseg,
			     unsigned int *bytes, unsigned int *bad)
{
	static uint8_t buf[70000];
	uint64_t end = uloop_now() + (uint64_t)ms * 1000000ull;
	ssize_t r;

	*nseg = *bytes = *bad = 0;
	while (uloop_now() < end && *bytes < want) {
		uloop_run_once(loop, 1000000);
		while ((r = recv(tp->pkt, buf, sizeof(buf), 0)) > 0) {
			uint8_t *eth = buf + 10, *ip = eth + 14;
			unsigned int iplen;

			if (r < 10 + 54 || eth[12] != 0x08 || ip[9] != 6 ||
			    ip[20] != (SPORT >> 8) || ip[21] != (SPORT & 0xff))
				continue;
			iplen = (unsigned int)ip[2] << 8 | ip[3];
			(*nseg)++;
			*bytes += iplen - 40;
			if (iplen - 40 > MSS || !tcp_csum_ok(ip, iplen))
				(*bad)++;
		}
	}
}

/* A 64 KB TSO frame from the front-end leaves tbva as checksummed segments. */
static void tso_out(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		    struct tap *t)
{
	struct virtio_net_hdr_v1 h = { 0 };
	unsigned int len = tb_build_tcp(big, TSO_PAYLOAD, SPORT, DPORT), nseg, bytes, bad;
	struct tap_stats st;

	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = htole16(34);
	h.csum_offset = htole16(16);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = htole16(MSS);
	h.hdr_len = htole16(54);
	TB_CHECK_EQ(send_one(e, big, len, &h), 1);
	collect_segments(loop, tp, TSO_PAYLOAD, 5000, &nseg, &bytes, &bad);
	tap_get_stats(t, &st);
	printf("TSO %u bytes -> %u segments, %u payload bytes, %u bad\n", len,
	       nseg, bytes, bad);
	TB_CHECK_EQ(st.tx_frames, 1);
	TB_CHECK_EQ(bytes, TSO_PAYLOAD);
	TB_CHECK_EQ(nseg, (TSO_PAYLOAD + MSS - 1) / MSS);
	TB_CHECK_EQ(bad, 0);
}

/* A GSO frame sent in namespace B reaches the front-end whole, with its header. */
static void gso_in(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		   struct tap *t)
{
	static uint8_t pkt[10 + 40000];
	struct virtio_net_hdr *h = (struct virtio_net_hdr *)(void *)pkt;
	unsigned int len = tb_build_tcp(pkt + 10, 30000, SPORT, DPORT);
	uint64_t before = e->rx_gso, end = uloop_now() + 5000000000ull;

	TB_CHECK(tap_set_offload(t, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0);
	memcpy(pkt + 10 + 6, "\x02\x00\x00\x00\x00\x0b", 6);
	tb_gso_hdr(h, MSS);
	TB_CHECK(send(tp->pkt, pkt, 10 + len, 0) == (ssize_t)(10 + len));
	while (uloop_now() < end && e->rx_gso == before)
		tb_run(loop, tp, NULL, NULL, 10);
	printf("GSO in: %lu GSO frame(s), last %u bytes, gso_size %u\n",
	       (unsigned long)(e->rx_gso - before), e->last_len,
	       le16toh(e->last_vnet.gso_size));
	TB_CHECK_EQ(e->rx_gso - before, 1);
	TB_CHECK_EQ(e->last_vnet.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	TB_CHECK_EQ(le16toh(e->last_vnet.gso_size), MSS);
}

/* T-20: hostile headers never reach the kernel; each is counted. */
static void hostile(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		    struct tap *t)
{
	struct virtio_net_hdr_v1 base = { 0 }, h[7];
	unsigned int len = tb_build_tcp(big, 3000, SPORT, DPORT), i, nseg, bytes, bad;
	struct port_stats ps;
	struct tap_stats st;
	uint64_t tx0;

	tap_get_stats(t, &st);
	tx0 = st.tx_frames;
	base.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	base.csum_start = htole16(34);
	base.csum_offset = htole16(16);
	base.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	base.gso_size = htole16(MSS);
	base.hdr_len = htole16(54);
	for (i = 0; i < 7; i++)
		h[i] = base;
	h[0].csum_offset = htole16((uint16_t)(len - 34 - 1)); /* past the end */
	h[1].gso_type = 2;				/* unknown */
	h[2].gso_size = 0;				/* GSO without size */
	h[3].gso_size = htole16((uint16_t)(len + 1));	/* larger than frame */
	h[4].hdr_len = htole16((uint16_t)(len + 1));	/* larger than frame */
	h[5].gso_type = VIRTIO_NET_HDR_GSO_TCPV6;	/* on an IPv4 frame */
	h[6].flags = 0x80;				/* unknown flag */
	for (i = 0; i < 7; i++)
		TB_CHECK_EQ(send_one(e, big, len, &h[i]), 1);
	/* on a non-IP frame */
	big[12] = 0x88;
	big[13] = 0xb5;
	TB_CHECK_EQ(send_one(e, big, len, &base), 1);
	collect_segments(loop, tp, 1, 300, &nseg, &bytes, &bad);
	tap_get_stats(t, &st);
	port_stats_sum(tap_port(t), &ps);
	printf("hostile headers: %lu dropped as bad_vnet_hdr, %u segments out\n",
	       (unsigned long)st.bad_vnet, nseg);
	TB_CHECK_EQ(st.bad_vnet, 8);
	TB_CHECK_EQ(ps.drops[PORT_DROP_BAD_VNET], 8);
	TB_CHECK_EQ(st.tx_frames, tx0);
	TB_CHECK_EQ(nseg, 0);
}

int main(void)
{
	struct tap_config cfg = { .ifname = "tbtap%d", .script = "no",
				  .downscript = "no" };
	struct tb_topo tp;
	struct uloop loop;
	struct tfe e;
	struct tap *t;

	tb_enter();
	tb_topo_up(&tp, true);
	/* the bridge's egress port cannot segment or checksum: the kernel
	 * does both in software, so segments arrive complete at tbvb */
	ethtool_off(TB_VA, ETHTOOL_STSO);
	ethtool_off(TB_VA, ETHTOOL_STXCSUM);
	tb_tap_open(&t, &loop, &cfg, "t0", NULL);
	tb_topo_add_tap(&tp, tap_ifname(t));
	tfe_init(&e, 1, 64);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	tb_run(&loop, &tp, NULL, NULL, 100);

	tso_out(&loop, &tp, &e, t);
	gso_in(&loop, &tp, &e, t);
	hostile(&loop, &tp, &e, t);

	port_disconnect(&e.port);
	tap_close(t);
	tfe_fini(&e);
	tb_topo_down(&tp);
	uloop_fini(&loop);
	printf("ok\n");
	return 0;
}
