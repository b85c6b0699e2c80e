// SPDX-License-Identifier: GPL-2.0-or-later
/* test_virtq_net.c: virtio-net over vhost-user with hostile rings (HARDENING group C). */
#include <errno.h>
#include <string.h>

#include "devices/offload.h"
#include "tests/device/vtest.h"

#define BIT(n) (1ull << (n))
#define HL 12
#define RXQ 0
#define TXQ 1

/* Guest buffer holding a 12-byte header (zero unless @h) and @frame. */
static uint64_t tx_buf(struct venv *e, const uint8_t *frame, uint32_t len,
		       const struct virtio_net_hdr_v1 *h)
{
	uint64_t a = vfe_alloc(&e->fe, HL + len);
	uint8_t *p = vfe_ptr(&e->fe, a);

	VT_CHECK(a);
	memset(p, 0, HL);
	if (h)
		memcpy(p, h, HL);
	memcpy(p + HL, frame, len);
	return a;
}

static int tx_one(struct venv *e, const uint8_t *frame, uint32_t len,
		  const struct virtio_net_hdr_v1 *h)
{
	struct vfe_buf b = { tx_buf(e, frame, len, h), HL + len, 0 };

	return vfe_post(&e->fe, TXQ, &b, 1);
}

/* Reap @n used entries of ring @q (pumping); return the last length. */
static uint32_t reap(struct venv *e, unsigned int q, unsigned int n)
{
	uint32_t id, len = 0;

	while (n) {
		int tries = 0;

		while (!vfe_reap(&e->fe, q, &id, &len)) {
			VT_CHECK(++tries < 3000);
			vt_pump(e);
		}
		n--;
	}
	return len;
}

static const struct virtq *vq(struct venv *e, unsigned int i)
{
	return virtio_net_vq(e->vn, i);
}

/* TX: frames of several sizes arrive at the peer intact, ring wraps. */
static void test_tx_basic(void)
{
	struct venv e;
	uint8_t f[1514];
	unsigned int i;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	for (i = 0; i < 600; i++) {
		uint32_t len = i % 2 ? 1514 : 60;

		vt_frame(f, len, (uint8_t)i);
		tx_one(&e, f, len, NULL);
		if (i % 50 == 49) {
			vfe_kick(&e.fe, TXQ);
			reap(&e, TXQ, 50);
		}
	}
	VT_EQ(e.sink.frames, 600);
	VT_EQ(e.sink.len[0], 60);
	VT_EQ(e.sink.len[1], 1514);
	vt_frame(f, 1514, 1);
	VT_CHECK(!memcmp(e.sink.data + VSINK_FRAME_MAX, f, 1514));
	VT_EQ(virtio_net_port(e.vn)->stats[0].tx_packets, 600);
	VT_EQ(vq(&e, TXQ)->broken, 0);
	vt_stop(&e);
}

/* T-19: the header split over 12 one-byte descriptors, data over three. */
static void test_tx_fragmented(void)
{
	struct venv e;
	struct vfe_buf b[16];
	uint8_t f[200];
	uint64_t a;
	unsigned int i;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	vt_frame(f, sizeof(f), 9);
	a = tx_buf(&e, f, sizeof(f), NULL);
	for (i = 0; i < 12; i++)
		b[i] = (struct vfe_buf){ a + i, 1, 0 };
	b[12] = (struct vfe_buf){ a + 12, 50, 0 };
	b[13] = (struct vfe_buf){ a + 62, 0, 0 };	/* len 0: skipped */
	b[14] = (struct vfe_buf){ a + 62, 150, 0 };
	vfe_post(&e.fe, TXQ, b, 15);
	vfe_kick(&e.fe, TXQ);
	reap(&e, TXQ, 1);
	VT_EQ(e.sink.frames, 1);
	VT_EQ(e.sink.len[0], 200);
	VT_CHECK(!memcmp(e.sink.data, f, 200));
	vt_stop(&e);
}

/* RX with MRG_RXBUF: one and several buffers, num_buffers right. */
static void test_rx_mrg(void)
{
	struct venv e;
	uint8_t f[5000], got[5000];
	struct virtio_net_hdr_v1 h;
	uint64_t a[8];
	unsigned int i, off = 0;
	uint32_t id, len;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	for (i = 0; i < 8; i++) {
		struct vfe_buf b;

		a[i] = vfe_alloc(&e.fe, 1500);
		b = (struct vfe_buf){ a[i], 1500, VRING_DESC_F_WRITE };
		vfe_post(&e.fe, RXQ, &b, 1);
	}
	vfe_kick(&e.fe, RXQ);
	vt_pump(&e);
	vt_frame(f, 100, 3);
	VT_EQ(vt_sink_send(&e, f, 100, NULL), 1);
	VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(id, 0);
	VT_EQ(len, HL + 100);
	memcpy(&h, vfe_ptr(&e.fe, a[0]), HL);
	VT_EQ(h.num_buffers, 1);
	VT_EQ(h.flags, 0);
	VT_CHECK(!memcmp((uint8_t *)vfe_ptr(&e.fe, a[0]) + HL, f, 100));
	VT_CHECK(vfe_call_pending(&e.fe, RXQ) || 1);

	vt_frame(f, 5000, 4);
	VT_EQ(vt_sink_send(&e, f, 5000, NULL), 1);
	memcpy(&h, vfe_ptr(&e.fe, a[1]), HL);
	VT_EQ(h.num_buffers, 4);
	for (i = 0; i < 4; i++) {
		uint32_t skip = i == 0 ? HL : 0;

		VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
		VT_EQ(id, 1 + i);
		memcpy(got + off, (uint8_t *)vfe_ptr(&e.fe, a[1 + i]) + skip,
		       len - skip);
		off += len - skip;
	}
	VT_EQ(off, 5000);
	VT_CHECK(!memcmp(got, f, 5000));
	/* only 3 buffers left: a 5000-byte frame is not taken (held) */
	VT_EQ(vt_sink_send(&e, f, 5000, NULL), 0);
	VT_CHECK(!vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(vt_drops(&e, PORT_DROP_NO_BUFFER), 0);
	/* a small one still fits */
	VT_EQ(vt_sink_send(&e, f, 60, NULL), 1);
	VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(id, 5);
	vt_stop(&e);
}

/* T-23: no MRG_RXBUF, 1526-byte buffers, giant frames dropped and counted
 * without consuming buffers; normal frames keep flowing. */
static void test_rx_too_small(void)
{
	struct venv e;
	uint8_t f[9000];
	uint32_t id, len;
	unsigned int i;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default() & ~BIT(VIRTIO_NET_F_MRG_RXBUF), 256);
	for (i = 0; i < 4; i++) {
		struct vfe_buf b = { vfe_alloc(&e.fe, 1526), 1526, VRING_DESC_F_WRITE };

		vfe_post(&e.fe, RXQ, &b, 1);
	}
	vfe_kick(&e.fe, RXQ);
	vt_pump(&e);
	vt_frame(f, 9000, 1);
	VT_EQ(vt_sink_send(&e, f, 9000, NULL), 1);
	VT_EQ(vt_drops(&e, PORT_DROP_NO_BUFFER), 1);
	VT_CHECK(!vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(vt_sink_send(&e, f, 1514, NULL), 1);
	VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(id, 0);
	VT_EQ(len, HL + 1514);
	VT_EQ(vt_stats(&e).rx_too_big, 1);
	vt_stop(&e);
}

/* Post a TX chain built by the caller on descriptors it writes itself. */
static void raw_head(struct venv *e, unsigned int q, uint16_t head)
{
	struct vfe_ring *r = &e->fe.ring[q];

	r->avail->ring[r->avail_idx % r->num] = head;
	r->avail_idx++;
	vfe_kick(&e->fe, q);
	vt_pump(e);
	vt_pump(e);
}

static void set_desc(struct venv *e, unsigned int q, uint16_t i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = &e->fe.ring[q].desc[i];

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* A queue that must now be in NEEDS_RESET, with its err fd signalled;
 * then a fresh ring setup makes it work again. */
static void expect_dnr(struct venv *e, unsigned int q)
{
	uint8_t f[60];

	VT_CHECK(vq(e, q)->broken);
	VT_EQ(vfe_err_pending(&e->fe, q), 1);
	VT_EQ(e->sink.frames, 0);
	VT_EQ(vfe_ring_setup(&e->fe, q, 256), 0);
	VT_CHECK(!vq(e, q)->broken);
	if (q != TXQ)
		return;
	vt_frame(f, 60, 0);
	tx_one(e, f, 60, NULL);
	vfe_kick(&e->fe, TXQ);
	reap(e, TXQ, 1);
	VT_EQ(e->sink.frames, 1);
}

/* T-14: a descriptor pointing at itself, and a cycle of three. */
static void test_loops(void)
{
	unsigned int q;

	for (q = 0; q < 2; q++) {
		struct venv e;
		uint16_t w = q == RXQ ? VRING_DESC_F_WRITE : 0;
		uint64_t a;

		vt_start(&e, NULL, true);
		vt_connect(&e, vt_features_default(), 256);
		a = vfe_alloc(&e.fe, 4096);
		set_desc(&e, q, 5, a, 100, VRING_DESC_F_NEXT | w, 5);
		raw_head(&e, q, 5);
		if (q == RXQ)
			vt_sink_send(&e, (uint8_t[60]){ 0 }, 60, NULL);
		expect_dnr(&e, q);

		set_desc(&e, q, 7, a, 100, VRING_DESC_F_NEXT | w, 8);
		set_desc(&e, q, 8, a, 100, VRING_DESC_F_NEXT | w, 9);
		set_desc(&e, q, 9, a, 100, VRING_DESC_F_NEXT | w, 7);
		e.fe.ring[q].next_free = 10;
		raw_head(&e, q, 7);
		if (q == RXQ)
			vt_sink_send(&e, (uint8_t[60]){ 0 }, 60, NULL);
		VT_CHECK(vq(&e, q)->broken);
		VT_EQ(vq(&e, q)->err, VIRTQ_ERR_LOOP);
		vt_stop(&e);
	}
}

/* T-15: indirect tables: bad lengths and nesting break the queue; a table
 * straddling two regions is copied and works. */
static void test_indirect(void)
{
	static const uint32_t bad_len[] = { 0, 17, 16 * 257 };
	struct venv e;
	struct vring_desc *t;
	uint8_t f[100];
	uint64_t tbl, a;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		vt_start(&e, NULL, true);
		vt_connect(&e, vt_features_default(), 256);
		tbl = vfe_alloc(&e.fe, 16 * 300);
		t = vfe_ptr(&e.fe, tbl);
		a = tx_buf(&e, f, 60, NULL);
		t[0] = (struct vring_desc){ a, HL + 60, 0, 0 };
		if (i < 3) {
			set_desc(&e, TXQ, 0, tbl, bad_len[i], VRING_DESC_F_INDIRECT, 0);
		} else {	/* indirect inside indirect */
			t[0] = (struct vring_desc){ tbl, 16, VRING_DESC_F_INDIRECT, 0 };
			set_desc(&e, TXQ, 0, tbl, 16, VRING_DESC_F_INDIRECT, 0);
		}
		e.fe.ring[TXQ].next_free = 1;
		raw_head(&e, TXQ, 0);
		VT_CHECK(vq(&e, TXQ)->broken);
		VT_EQ(vq(&e, TXQ)->err, VIRTQ_ERR_INDIRECT);
		expect_dnr(&e, TXQ);
		vt_stop(&e);
	}

	/* a table across the region boundary (region 1 starts at 4 MiB) */
	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	vt_frame(f, 100, 5);
	a = tx_buf(&e, f, 100, NULL);
	tbl = VFE_GPA_BASE + (4 << 20) - 16;
	t = vfe_ptr(&e.fe, tbl);
	t[0] = (struct vring_desc){ a, HL, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ a + HL, 100, 0, 0 };
	set_desc(&e, TXQ, 0, tbl, 32, VRING_DESC_F_INDIRECT, 0);
	e.fe.ring[TXQ].next_free = 1;
	raw_head(&e, TXQ, 0);
	reap(&e, TXQ, 1);
	VT_CHECK(!vq(&e, TXQ)->broken);
	VT_EQ(e.sink.frames, 1);
	VT_CHECK(!memcmp(e.sink.data, f, 100));
	vt_stop(&e);
}

/* T-16: unmapped and wrapping buffers are chain errors (used.len 0, drop);
 * a buffer across two regions and one ending at the end of RAM work. */
static void test_addresses(void)
{
	struct venv e;
	uint8_t f[200];
	uint64_t end = VFE_GPA_BASE + (8 << 20), mid = VFE_GPA_BASE + (4 << 20);
	struct vfe_buf b;
	uint32_t len;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	b = (struct vfe_buf){ 0, 100, 0 };			/* address 0 */
	vfe_post(&e.fe, TXQ, &b, 1);
	b = (struct vfe_buf){ UINT64_MAX - 10, 100, 0 };	/* wraps */
	vfe_post(&e.fe, TXQ, &b, 1);
	b = (struct vfe_buf){ end - 50, 100, 0 };		/* past RAM */
	vfe_post(&e.fe, TXQ, &b, 1);
	vfe_kick(&e.fe, TXQ);
	VT_EQ(reap(&e, TXQ, 3), 0);
	VT_EQ(e.sink.frames, 0);
	VT_EQ(vt_drops(&e, PORT_DROP_MALFORMED), 3);
	VT_CHECK(!vq(&e, TXQ)->broken);

	vt_frame(f, 200, 7);
	memset(vfe_ptr(&e.fe, mid - 100), 0, HL);
	memcpy(vfe_ptr(&e.fe, mid - 100 + HL), f, 200);
	b = (struct vfe_buf){ mid - 100, HL + 200, 0 };		/* straddles */
	vfe_post(&e.fe, TXQ, &b, 1);
	memset(vfe_ptr(&e.fe, end - HL - 200), 0, HL);
	memcpy(vfe_ptr(&e.fe, end - 200), f, 200);
	b = (struct vfe_buf){ end - HL - 200, HL + 200, 0 };	/* ends at end */
	vfe_post(&e.fe, TXQ, &b, 1);
	vfe_kick(&e.fe, TXQ);
	len = reap(&e, TXQ, 2);
	VT_EQ(len, 0);
	VT_EQ(e.sink.frames, 2);
	VT_CHECK(!memcmp(e.sink.data, f, 200));
	VT_CHECK(!memcmp(e.sink.data + VSINK_FRAME_MAX, f, 200));
	vt_stop(&e);
}

/* T-17, T-18: direction flags and short frames; later chains still work. */
static void test_direction_short(void)
{
	struct venv e;
	uint8_t f[100];
	struct vfe_buf b[2];
	uint64_t a, r;
	uint32_t id, len;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	vt_frame(f, 100, 1);
	a = tx_buf(&e, f, 100, NULL);
	b[0] = (struct vfe_buf){ a, HL + 100, VRING_DESC_F_WRITE };
	vfe_post(&e.fe, TXQ, b, 1);				/* write-only */
	b[0] = (struct vfe_buf){ a, HL, VRING_DESC_F_WRITE };
	b[1] = (struct vfe_buf){ a + HL, 100, 0 };		/* W then R */
	vfe_post(&e.fe, TXQ, b, 2);
	b[0] = (struct vfe_buf){ a, 1, 0 };			/* 1 byte */
	vfe_post(&e.fe, TXQ, b, 1);
	b[0] = (struct vfe_buf){ a, HL, 0 };			/* header only */
	vfe_post(&e.fe, TXQ, b, 1);
	b[0] = (struct vfe_buf){ a, HL + 100, 0 };		/* good */
	vfe_post(&e.fe, TXQ, b, 1);
	vfe_kick(&e.fe, TXQ);
	reap(&e, TXQ, 5);
	VT_EQ(e.sink.frames, 1);
	VT_EQ(vt_drops(&e, PORT_DROP_MALFORMED), 4);
	VT_EQ(vt_stats(&e).tx_bad_chain, 4);

	/* RX (T-17, T-24): a read-only chain and a chain into unmapped memory
	 * are returned empty, the frame takes the next */
	r = vfe_alloc(&e.fe, 2048);
	b[0] = (struct vfe_buf){ r, 2048, 0 };
	vfe_post(&e.fe, RXQ, b, 1);
	b[0] = (struct vfe_buf){ 0x10000, 2048, VRING_DESC_F_WRITE };
	vfe_post(&e.fe, RXQ, b, 1);
	b[0] = (struct vfe_buf){ r, 2048, VRING_DESC_F_WRITE };
	vfe_post(&e.fe, RXQ, b, 1);
	vfe_kick(&e.fe, RXQ);
	vt_pump(&e);
	VT_EQ(vt_sink_send(&e, f, 100, NULL), 1);
	VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(len, 0);
	VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(len, 0);
	VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
	VT_EQ(len, HL + 100);
	VT_EQ(vt_stats(&e).rx_bad_chain, 2);
	vt_stop(&e);
}

/* An Ethernet + IPv4 + TCP frame with @payload bytes. */
static uint32_t tcp4(uint8_t *b, uint32_t payload)
{
	uint32_t len = 14 + 20 + 20 + payload, i;

	vt_frame(b, len, 0);
	b[12] = 0x08;
	b[13] = 0x00;
	memset(b + 14, 0, 40);
	b[14] = 0x45;
	b[16] = (uint8_t)((len - 14) >> 8);
	b[17] = (uint8_t)(len - 14);
	b[22] = 64;
	b[23] = 6;
	memcpy(b + 26, (uint8_t[]){ 10, 0, 2, 15, 10, 0, 2, 2 }, 8);
	b[34 + 12] = 0x50;
	b[34 + 13] = 0x18;	/* ACK PSH */
	for (i = 54; i < len; i++)
		b[i] = (uint8_t)i;
	return len;
}

/* Leave the pseudo-header sum in the TCP checksum field (NEEDS_CSUM). */
static void tcp4_partial(uint8_t *b, uint32_t len)
{
	uint16_t c = offload_fold(offload_sum(b + 26, 8, 0) + 6 + (len - 34));

	b[50] = (uint8_t)(c >> 8);
	b[51] = (uint8_t)c;
}

/* One's-complement check of a TCP/IPv4 frame's L4 checksum: 0 when valid. */
static uint16_t tcp4_verify(const uint8_t *b, uint32_t len)
{
	uint32_t sum = offload_sum(b + 26, 8, 0) + 6 + (len - 34);

	return (uint16_t)~offload_fold(offload_sum(b + 34, len - 34, sum));
}

/* T-20: hostile headers are dropped as bad_vnet_hdr; nothing reaches the
 * peer. Valid checksum and GSO requests are done in software. */
static void test_vnet_hdr(void)
{
	struct venv e;
	uint8_t f[4000];
	struct virtio_net_hdr_v1 h[7];
	uint32_t len = tcp4(f, 100), i;

	memset(h, 0, sizeof(h));
	h[0].flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[0].csum_start = 34;
	h[0].csum_offset = (uint16_t)(len - 34 - 1);	/* past the end */
	h[1].flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;	/* on a non-IP frame */
	h[1].csum_start = 14;
	h[1].csum_offset = 16;
	h[2].gso_type = 7;				/* unknown */
	h[3].flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[3].gso_type = VIRTIO_NET_HDR_GSO_TCPV4;	/* gso_size 0 */
	h[3].csum_start = 34;
	h[3].csum_offset = 16;
	h[4] = h[3];
	h[4].gso_size = 5000;				/* > len */
	h[5] = h[3];
	h[5].gso_size = 50;
	h[5].hdr_len = 5000;				/* > len */
	h[6].flags = 0x80;				/* unknown flag */

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	for (i = 0; i < 7; i++) {
		if (i == 1) {
			uint8_t raw[200];

			vt_frame(raw, 200, 0);
			tx_one(&e, raw, 200, &h[i]);
		} else {
			tx_one(&e, f, len, &h[i]);
		}
	}
	vfe_kick(&e.fe, TXQ);
	reap(&e, TXQ, 7);
	VT_EQ(e.sink.frames, 0);
	VT_EQ(vt_drops(&e, PORT_DROP_BAD_VNET), 7);

	vt_stop(&e);
}

/* Valid checksum and GSO requests are carried out in software; a GSO
 * request without HOST_TSO4 negotiated is refused. */
static void test_sw_offload(void)
{
	struct venv e;
	uint8_t f[4000];
	struct virtio_net_hdr_v1 h[2];
	uint32_t len = tcp4(f, 100), i;

	memset(h, 0, sizeof(h));
	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	/* valid: partial checksum completed; GSO cut into 3 valid segments */
	memset(&h[0], 0, sizeof(h[0]));
	h[0].flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[0].csum_start = 34;
	h[0].csum_offset = 16;
	tcp4_partial(f, len);
	tx_one(&e, f, len, &h[0]);
	len = tcp4(f, 3000);
	h[1] = h[0];
	h[1].gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h[1].gso_size = 1000;
	h[1].hdr_len = 54;
	tx_one(&e, f, len, &h[1]);
	vfe_kick(&e.fe, TXQ);
	reap(&e, TXQ, 2);
	VT_EQ(e.sink.frames, 4);
	VT_EQ(e.sink.has_vnet[0], 0);
	VT_EQ(tcp4_verify(e.sink.data, e.sink.len[0]), 0);
	for (i = 1; i < 4; i++) {
		const uint8_t *s = e.sink.data + (size_t)i * VSINK_FRAME_MAX;

		VT_EQ(e.sink.len[i], 54 + 1000);
		VT_EQ(tcp4_verify(s, e.sink.len[i]), 0);
		VT_EQ(s[38] << 24 | s[39] << 16 | s[40] << 8 | s[41],
		      (i - 1) * 1000);
		VT_EQ(s[34 + 13] & 0x08, i == 3 ? 0x08 : 0);	/* PSH last */
		VT_CHECK(!memcmp(s + 54, f + 54 + (i - 1) * 1000, 1000));
	}
	VT_EQ(vt_stats(&e).tx_sw_gso, 1);
	VT_EQ(vt_stats(&e).tx_sw_segs, 3);
	vt_stop(&e);

	/* GSO without HOST_TSO4 negotiated: refused */
	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default() & ~BIT(VIRTIO_NET_F_HOST_TSO4), 256);
	tx_one(&e, f, len, &h[1]);
	vfe_kick(&e.fe, TXQ);
	reap(&e, TXQ, 1);
	VT_EQ(e.sink.frames, 0);
	VT_EQ(vt_drops(&e, PORT_DROP_BAD_VNET), 1);
	vt_stop(&e);
}

/* The peer takes offload metadata (peer_vnet): header passes through. */
static void test_peer_vnet(void)
{
	struct virtio_net_params p;
	struct virtio_net_hdr_v1 h = { 0 };
	struct venv e;
	uint8_t f[4000];
	uint32_t len = tcp4(f, 3000);

	virtio_net_params_default(&p);
	p.peer_vnet = true;
	vt_start(&e, &p, true);
	vt_connect(&e, vt_features_default(), 256);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 16;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1000;
	h.hdr_len = 54;
	tx_one(&e, f, len, &h);
	vfe_kick(&e.fe, TXQ);
	reap(&e, TXQ, 1);
	VT_EQ(e.sink.frames, 1);
	VT_EQ(e.sink.has_vnet[0], 1);
	VT_EQ(e.sink.vnet[0].gso_size, 1000);
	VT_EQ(e.sink.len[0], len);
	vt_stop(&e);
}

/* RX offloads for a guest without GUEST_CSUM: checksum done in software. */
static void test_rx_sw_csum(void)
{
	struct virtio_net_hdr_v1 h = { 0 }, got;
	struct venv e;
	uint8_t f[200];
	uint32_t len = tcp4(f, 100), id, l;
	struct vfe_buf b;
	uint64_t a;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default() & ~(BIT(VIRTIO_NET_F_GUEST_CSUM) |
		   BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6)), 256);
	a = vfe_alloc(&e.fe, 2048);
	b = (struct vfe_buf){ a, 2048, VRING_DESC_F_WRITE };
	vfe_post(&e.fe, RXQ, &b, 1);
	vfe_kick(&e.fe, RXQ);
	vt_pump(&e);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 16;
	tcp4_partial(f, len);
	VT_EQ(vt_sink_send(&e, f, len, &h), 1);
	VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &l));
	VT_EQ(l, HL + len);
	memcpy(&got, vfe_ptr(&e.fe, a), HL);
	VT_EQ(got.flags, 0);
	VT_EQ(tcp4_verify((uint8_t *)vfe_ptr(&e.fe, a) + HL, len), 0);
	VT_EQ(vt_stats(&e).rx_sw_csum, 1);
	vt_stop(&e);
}

/* T-21, T-22: too many heads, a head index out of range. */
static void test_heads(void)
{
	struct venv e;
	unsigned int q;

	for (q = 0; q < 2; q++) {
		vt_start(&e, NULL, true);
		vt_connect(&e, vt_features_default(), 256);
		e.fe.ring[q].avail_idx = 257;
		vfe_kick(&e.fe, q);
		vt_pump(&e);
		if (q == RXQ)
			vt_sink_send(&e, (uint8_t[60]){ 0 }, 60, NULL);
		VT_CHECK(vq(&e, q)->broken);
		VT_EQ(vq(&e, q)->err, VIRTQ_ERR_AVAIL_IDX);
		expect_dnr(&e, q);
		raw_head(&e, q, 256);
		if (q == RXQ)
			vt_sink_send(&e, (uint8_t[60]){ 0 }, 60, NULL);
		VT_CHECK(vq(&e, q)->broken);
		VT_EQ(vq(&e, q)->err, VIRTQ_ERR_HEAD);
		vt_stop(&e);
	}
}

/* T-27: 10^5 invalid chains: counters move, fds and mappings stay flat. */
static void test_leak(void)
{
	struct venv e;
	struct vfe_buf b = { 0, 100, VRING_DESC_F_WRITE };
	int fds, maps;
	unsigned int i;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	b.addr = vfe_alloc(&e.fe, 128);
	fds = vfe_count_fds();
	maps = vfe_count_maps();
	for (i = 0; i < 100000; i++) {
		vfe_post(&e.fe, TXQ, &b, 1);
		if (i % 200 == 199) {
			vfe_kick(&e.fe, TXQ);
			reap(&e, TXQ, 200);
		}
	}
	VT_EQ(vt_stats(&e).tx_bad_chain, 100000);
	VT_EQ(vfe_count_fds(), fds);
	VT_EQ(vfe_count_maps(), maps);
	vt_stop(&e);
}

/* Backpressure: a peer that takes nothing holds TX; the ring is not
 * consumed further; on resume everything flows, nothing is lost. */
static void test_backpressure(void)
{
	struct venv e;
	uint8_t f[60];
	unsigned int i;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	e.sink.accept = 0;
	vt_frame(f, 60, 0);
	for (i = 0; i < 200; i++)
		tx_one(&e, f, 60, NULL);
	vfe_kick(&e.fe, TXQ);
	for (i = 0; i < 10; i++)
		vt_pump(&e);
	/* one batch (64) taken off the ring and completed, held; rest waits */
	VT_EQ(e.fe.ring[TXQ].used->idx, 64);
	VT_EQ(e.sink.frames, 0);
	e.sink.accept = -1;
	port_wake(&e.sink.port, 0);
	reap(&e, TXQ, 200);
	VT_UNTIL(&e, e.sink.frames == 200);
	VT_EQ(vt_drops(&e, PORT_DROP_QUEUE_FULL), 0);
	vt_stop(&e);
}

/* Send one control command; return the ack byte (or 0xee if none). */
static uint8_t ctrl(struct venv *e, uint8_t cls, uint8_t cmd, const void *d,
		    uint32_t len)
{
	uint64_t a = vfe_alloc(&e->fe, 2 + len + 1);
	uint8_t *p = vfe_ptr(&e->fe, a);
	struct vfe_buf b[2] = { { a, 2 + len, 0 },
				{ a + 2 + len, 1, VRING_DESC_F_WRITE } };

	p[0] = cls;
	p[1] = cmd;
	memcpy(p + 2, d, len);
	p[2 + len] = 0xee;
	vfe_post(&e->fe, 2, b, 2);
	vfe_kick(&e->fe, 2);
	reap(e, 2, 1);
	return p[2 + len];
}

/* T-26: control queue fuzz: bad commands get VIRTIO_NET_ERR, no change. */
static void test_ctrl(void)
{
	struct virtio_net_params p;
	struct venv e;
	uint8_t d[64] = { 0 }, mac[6] = { 2, 0, 0, 0, 0, 9 };
	struct vfe_buf b;

	virtio_net_params_default(&p);
	p.ctrl_vq = true;
	vt_start(&e, &p, true);
	vt_connect_q(&e, vt_features_default() | BIT(VIRTIO_NET_F_CTRL_VQ), 256, 3);
	VT_CHECK(e.fe.features & BIT(VIRTIO_NET_F_CTRL_VQ));
	/* MAC_TABLE_SET: 0xffffffff entries; more entries than the payload */
	memset(d, 0xff, 4);
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, d, 8), 1);
	memset(d, 0, 8);
	d[0] = 2;
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, d, 14), 1);
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, d, 20), 0);
	/* VLAN id 4096, queue pairs 0 and 2 (max 1), unknown class/cmd, short */
	d[0] = 0x00;
	d[1] = 0x10;
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, d, 2), 1);
	d[1] = 0x0f;
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, d, 2), 0);
	d[0] = 0;
	d[1] = 0;
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, d, 2), 1);
	d[0] = 2;
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, d, 2), 1);
	d[0] = 1;
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, d, 2), 0);
	VT_EQ(ctrl(&e, 77, 0, d, 1), 1);
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_RX, 99, d, 1), 1);
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, d, 0), 1);
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, d, 1), 0);
	/* MAC_ADDR_SET: multicast refused, unicast taken (config space) */
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
		   "\x01\0\0\0\0\1", 6), 1);
	VT_EQ(ctrl(&e, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6), 0);
	VT_EQ(vt_stats(&e).ctrl_cmds, 14);
	VT_EQ(vt_stats(&e).ctrl_errors, 9);
	/* a chain without a writable ack byte: used.len 0; the queue lives on */
	b = (struct vfe_buf){ vfe_alloc(&e.fe, 8), 8, 0 };
	vfe_post(&e.fe, 2, &b, 1);
	vfe_kick(&e.fe, 2);
	VT_EQ(reap(&e, 2, 1), 0);
	/* a loop in the control queue breaks it (T-14) */
	set_desc(&e, 2, 100, b.addr, 8, VRING_DESC_F_NEXT, 100);
	raw_head(&e, 2, 100);
	VT_CHECK(vq(&e, 2)->broken);
	VT_EQ(vq(&e, 2)->err, VIRTQ_ERR_LOOP);
	vt_stop(&e);
}

/* Two queue pairs on one loop: each ring pair maps to its port queue. */
static void test_mq(void)
{
	struct virtio_net_params p;
	struct venv e;
	uint8_t f[100];
	struct frame fr = { 0 }, *fp = &fr;
	struct vfe_buf b;
	uint64_t n, a;
	uint32_t id, len;

	virtio_net_params_default(&p);
	p.queues = 2;
	vt_start(&e, &p, true);
	vt_connect_q(&e, vt_features_default() | BIT(VIRTIO_NET_F_MQ), 256, 4);
	VT_CHECK(e.fe.features & BIT(VIRTIO_NET_F_MQ));
	VT_EQ(vfe_get_u64(&e.fe, VU_GET_QUEUE_NUM, &n), 0);
	VT_EQ(n, 2);
	vt_frame(f, 100, 1);
	a = tx_buf(&e, f, 100, NULL);
	b = (struct vfe_buf){ a, HL + 100, 0 };
	vfe_post(&e.fe, 3, &b, 1);			/* TX of pair 1 */
	vfe_kick(&e.fe, 3);
	reap(&e, 3, 1);
	VT_EQ(e.sink.port.stats[1].rx_packets, 1);
	VT_EQ(e.sink.port.stats[0].rx_packets, 0);
	b = (struct vfe_buf){ vfe_alloc(&e.fe, 2048), 2048, VRING_DESC_F_WRITE };
	vfe_post(&e.fe, 2, &b, 1);			/* RX of pair 1 */
	vfe_kick(&e.fe, 2);
	vt_pump(&e);
	fr.data = f;
	fr.len = 100;
	fr.refs = 1;
	VT_EQ(port_send(&e.sink.port, 1, &fp, 1, false), 1);
	VT_CHECK(vfe_reap(&e.fe, 2, &id, &len));
	VT_EQ(len, HL + 100);
	VT_CHECK(!vfe_reap(&e.fe, 0, &id, &len));
	vt_stop(&e);
}

int main(void)
{
	test_tx_basic();
	test_tx_fragmented();
	test_rx_mrg();
	test_rx_too_small();
	test_loops();
	test_indirect();
	test_addresses();
	test_direction_short();
	test_vnet_hdr();
	test_sw_offload();
	test_peer_vnet();
	test_rx_sw_csum();
	test_heads();
	test_backpressure();
	test_leak();
	test_ctrl();
	test_mq();
	printf("ok\n");
	return 0;
}
