// SPDX-License-Identifier: GPL-2.0-or-later
/* test_packed.c: packed virtqueues: wrap-around, lists, MRG_RXBUF, bad rings. */
#include <string.h>

#include <linux/virtio_config.h>

#include "tests/device/vtest.h"

#define BIT(n) (1ull << (n))
#define HL 12
#define RXQ 0
#define TXQ 1
#define AVAIL (1u << VRING_PACKED_DESC_F_AVAIL)

static uint64_t features(void)
{
	return vt_features_default() | BIT(VIRTIO_F_RING_PACKED);
}

static void start(struct venv *e)
{
	struct virtio_net_params p;

	virtio_net_params_default(&p);
	p.packed = true;
	vt_start(e, &p, true);
	vt_connect(e, features(), 256);
	VT_CHECK(e->fe.features & BIT(VIRTIO_F_RING_PACKED));
	VT_CHECK(virtio_net_vq(e->vn, TXQ)->packed);
}

static void reap(struct venv *e, unsigned int q, unsigned int n)
{
	uint32_t id, len;

	while (n) {
		int tries = 0;

		while (!vfe_reap(&e->fe, q, &id, &len)) {
			VT_CHECK(++tries < 3000);
			vt_pump(e);
		}
		n--;
	}
}

/* TX through a 256-slot ring, 2-descriptor lists, wrapping several times;
 * GET_VRING_BASE reports slot and wrap counter. */
static void test_tx_wrap(void)
{
	struct venv e;
	uint8_t f[300];
	struct vfe_buf b[2];
	struct vu_vring_state st = { TXQ, 0 };
	struct vu_msg r;
	uint64_t a;
	unsigned int i;

	start(&e);
	for (i = 0; i < 700; i++) {
		vt_frame(f, 100 + i % 200, (uint8_t)i);
		a = vfe_alloc(&e.fe, HL + 300);
		memset(vfe_ptr(&e.fe, a), 0, HL);
		memcpy((uint8_t *)vfe_ptr(&e.fe, a) + HL, f, 100 + i % 200);
		b[0] = (struct vfe_buf){ a, HL, 0 };
		b[1] = (struct vfe_buf){ a + HL, 100 + i % 200, 0 };
		vfe_post(&e.fe, TXQ, b, 2);
		if (i % 50 == 49) {
			vfe_kick(&e.fe, TXQ);
			reap(&e, TXQ, 50);
		}
	}
	VT_EQ(e.sink.frames, 700);
	vt_frame(f, 101, 1);
	VT_EQ(e.sink.len[1], 101);
	VT_CHECK(!memcmp(e.sink.data + VSINK_FRAME_MAX, f, 101));
	/* 1400 slots = 5 wraps of 256 + 120: both wrap counters back to 0 */
	VT_EQ(vfe_call(&e.fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &r), 0);
	VT_EQ(r.p.state.num, (1400 % 256) | (1400 % 256) << 16);
	VT_EQ(vfe_ring_setup(&e.fe, TXQ, 256), 0);
	vt_stop(&e);
}

/* Post one 1500-byte RX buffer; remember its address by buffer id. */
static void rx_buf(struct venv *e, uint64_t *by_id)
{
	struct vfe_buf b = { vfe_alloc(&e->fe, 1500), 1500, VRING_DESC_F_WRITE };
	int id = vfe_post(&e->fe, RXQ, &b, 1);

	by_id[id] = b.addr;
}

/* RX with MRG_RXBUF: a frame whose 4 buffers cross the end of the ring
 * (slots 254, 255, 0, 1): num_buffers and content. */
static void test_rx_mrg(void)
{
	struct venv e;
	uint8_t f[5000], got[5000];
	uint64_t by_id[256];
	struct virtio_net_hdr_v1 h;
	uint32_t id, len, off = 0;
	unsigned int i;

	start(&e);
	for (i = 0; i < 256; i++)
		rx_buf(&e, by_id);
	vfe_kick(&e.fe, RXQ);
	vt_pump(&e);
	for (i = 0; i < 254; i++)
		VT_EQ(vt_sink_send(&e, (uint8_t[60]){ 0 }, 60, NULL), 1);
	reap(&e, RXQ, 254);
	for (i = 0; i < 4; i++)		/* slots 0..3 again, wrap counter 0 */
		rx_buf(&e, by_id);
	vfe_kick(&e.fe, RXQ);
	vt_pump(&e);
	vt_frame(f, 5000, 3);
	VT_EQ(vt_sink_send(&e, f, 5000, NULL), 1);
	for (i = 0; i < 4; i++) {
		uint32_t skip = i == 0 ? HL : 0;

		VT_CHECK(vfe_reap(&e.fe, RXQ, &id, &len));
		VT_EQ(id, (254 + i) % 256);
		if (i == 0) {
			memcpy(&h, vfe_ptr(&e.fe, by_id[id]), HL);
			VT_EQ(h.num_buffers, 4);
		}
		memcpy(got + off, (uint8_t *)vfe_ptr(&e.fe, by_id[id]) + skip,
		       len - skip);
		off += len - skip;
	}
	VT_EQ(off, 5000);
	VT_CHECK(!memcmp(got, f, 5000));
	VT_CHECK(!vfe_reap(&e.fe, RXQ, &id, &len));
	vt_stop(&e);
}

/* A list as long as the ring (every slot NEXT): NEEDS_RESET; a buffer id
 * beyond the ring: NEEDS_RESET; indirect with NEXT: NEEDS_RESET. */
static void test_bad_rings(void)
{
	struct venv e;
	struct vring_packed_desc *d;
	uint64_t a;
	unsigned int i, k;

	for (k = 0; k < 3; k++) {
		start(&e);
		d = (struct vring_packed_desc *)e.fe.ring[TXQ].desc;
		a = vfe_alloc(&e.fe, 64);
		for (i = 0; i < 256; i++) {
			d[i].addr = a;
			d[i].len = 64;
			d[i].id = 0;
			d[i].flags = AVAIL | VRING_DESC_F_NEXT;
		}
		if (k == 1) {
			d[0].flags = AVAIL;
			d[0].id = 300;
		}
		if (k == 2)
			d[0].flags = AVAIL | VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT;
		vfe_kick(&e.fe, TXQ);
		vt_pump(&e);
		vt_pump(&e);
		VT_CHECK(virtio_net_vq(e.vn, TXQ)->broken);
		VT_EQ(virtio_net_vq(e.vn, TXQ)->err,
		      k == 0 ? VIRTQ_ERR_LOOP : k == 1 ? VIRTQ_ERR_ID : VIRTQ_ERR_INDIRECT);
		VT_EQ(e.sink.frames, 0);
		vt_stop(&e);
	}
}

/* An indirect list (packed table format) is followed. */
static void test_indirect(void)
{
	struct venv e;
	struct vring_packed_desc *t;
	uint8_t f[100];
	uint64_t tbl, a;
	struct vfe_buf b;

	start(&e);
	vt_frame(f, 100, 8);
	a = vfe_alloc(&e.fe, HL + 100);
	memset(vfe_ptr(&e.fe, a), 0, HL);
	memcpy((uint8_t *)vfe_ptr(&e.fe, a) + HL, f, 100);
	tbl = vfe_alloc(&e.fe, 32);
	t = vfe_ptr(&e.fe, tbl);
	t[0] = (struct vring_packed_desc){ a, HL, 0, 0 };
	t[1] = (struct vring_packed_desc){ a + HL, 100, 0, 0 };
	b = (struct vfe_buf){ tbl, 32, VRING_DESC_F_INDIRECT };
	vfe_post(&e.fe, TXQ, &b, 1);
	vfe_kick(&e.fe, TXQ);
	reap(&e, TXQ, 1);
	VT_EQ(e.sink.frames, 1);
	VT_CHECK(!memcmp(e.sink.data, f, 100));
	vt_stop(&e);
}

int main(void)
{
	test_tx_wrap();
	test_rx_mrg();
	test_bad_rings();
	test_indirect();
	printf("ok\n");
	return 0;
}
