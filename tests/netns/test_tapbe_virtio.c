// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_virtio.c: a vhost-user virtio-net device (synthetic front-end) on a real tap, both ways: guest TX buffers lent to the tap and written in place, completed only after the write, settled when a ring stops; frames from a namespace into the guest's RX buffers. */

#include <errno.h>
#include <string.h>

#include "tests/device/vtest.h"
#include "tests/netns/tapbe.h"

#define TXQ 1
#define HDR 12u
#define N_LAYOUT 300
#define BATCH 64

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static uint8_t seen[TB_SEQ_MAX];

/* Lay frame @seq of @len bytes out in guest memory in @pieces descriptors
 * (1: header + frame; 2: header | frame; 3: header | half | half). */
static void post_frame(struct venv *e, uint32_t seq, unsigned int len,
		       unsigned int pieces)
{
	uint8_t frame[2048];
	struct vfe_buf b[3];
	uint64_t a;
	unsigned int half = len / 2;

	tb_build(frame, len, seq, 0, guest_mac);
	a = vfe_alloc(&e->fe, HDR + len);
	TC_CHECK(a != 0);
	memset(vfe_ptr(&e->fe, a), 0, HDR);
	memcpy((uint8_t *)vfe_ptr(&e->fe, a) + HDR, frame, len);
	if (pieces == 1) {
		b[0] = (struct vfe_buf){ a, HDR + len, 0 };
	} else if (pieces == 2) {
		b[0] = (struct vfe_buf){ a, HDR, 0 };
		b[1] = (struct vfe_buf){ a + HDR, len, 0 };
	} else {
		b[0] = (struct vfe_buf){ a, HDR, 0 };
		b[1] = (struct vfe_buf){ a + HDR, half, 0 };
		b[2] = (struct vfe_buf){ a + HDR + half, len - half, 0 };
	}
	TC_CHECK(vfe_post(&e->fe, TXQ, b, pieces) >= 0);
}

/* Reap what the device completed; return how many. */
static unsigned int reap(struct venv *e)
{
	uint32_t id, len;
	unsigned int n = 0;

	while (vfe_reap(&e->fe, TXQ, &id, &len))
		n++;
	return n;
}

/* Send @n frames laid out in @pieces descriptors, @BATCH per kick; every
 * one must complete and reach namespace B. */
static void send_layout(struct venv *e, struct tb_topo *tp, uint32_t base,
			unsigned int n, unsigned int len, unsigned int pieces)
{
	uint64_t got = 0, end = uloop_now() + 10000000000ull;
	unsigned int posted = 0, done = 0, i, c = 0;

	while (uloop_now() < end && (done < n || got < n)) {
		if (posted < n && posted - done < BATCH) {
			for (i = 0; i < BATCH && posted < n; i++)
				post_frame(e, base + posted++, len, pieces);
			vfe_publish(&e->fe, TXQ);
			vfe_kick(&e->fe, TXQ);
		}
		uloop_run_once(&e->loop, 1000000);
		done += reap(e);
		tb_pkt_drain(tp, seen, &got);
	}
	for (i = base; i < base + n; i++)
		c += seen[i];
	printf("%u-piece chains, %u bytes: %u of %u arrived, %u completed\n",
	       pieces, len, c, n, done);
	TC_EQ(c, n);
	TC_EQ(done, n);
}

/* Frames are lent, written (in place above 512 bytes), then completed;
 * the odd layout is copied. */
static void test_layouts(struct venv *e, struct tb_topo *tp, struct tap *t)
{
	struct virtio_net_stats vs;
	struct tap_stats st;

	send_layout(e, tp, 0, N_LAYOUT, 64, 1);
	send_layout(e, tp, N_LAYOUT, N_LAYOUT, 1500, 1);
	send_layout(e, tp, 2 * N_LAYOUT, N_LAYOUT, 1500, 2);
	send_layout(e, tp, 3 * N_LAYOUT, N_LAYOUT, 1500, 3);
	vs = vt_stats(e);
	tap_get_stats(t, &st);
	printf("device: lent %lu unshared %lu settled %lu; tap: copied "
	       "%lu in place %lu fails %lu\n",
	       (unsigned long)vs.tx_lent, (unsigned long)vs.tx_unshared,
	       (unsigned long)vs.tx_settled, (unsigned long)st.tx_copied,
	       (unsigned long)st.tx_zerocopy, (unsigned long)st.write_fails);
	/* lent: the 1- and 2-piece chains; the 3-piece ones are copied */
	TC_EQ(vs.tx_lent, 3 * N_LAYOUT);
	TC_EQ(vs.tx_unshared, 0);
	/* small frames the tap copies into its registered area, lent or
	 * not; larger ones it writes in place: from the guest's buffer for
	 * the lent 1500-byte chains, from a pool frame for the 3-piece ones */
	TC_EQ(st.tx_copied, N_LAYOUT);
	TC_EQ(st.tx_zerocopy, 3 * N_LAYOUT);
	TC_EQ(st.write_fails, 0);
	TC_EQ(vt_drops(e, PORT_DROP_NO_BUFFER), 0);
}

#define RXQ 0
#define RX_BUFS 128
#define N_RX 2000

/* Frames from namespace B to the guest: the tap reads them, the device
 * writes each into one of the guest's RX buffers (MRG_RXBUF: num_buffers
 * 1), and every one arrives intact. */
static void test_rx(struct venv *e, struct tb_topo *tp)
{
	static uint64_t gpa_of[VFE_MAX_NUM];
	uint64_t end = uloop_now() + 10000000000ull;
	uint32_t base = 7 * N_LAYOUT, seq, id, len, sent = 0;
	unsigned int i, got = 0, c = 0, q;
	bool bad_hdr = false;

	for (i = 0; i < RX_BUFS; i++) {
		struct vfe_buf b = { vfe_alloc(&e->fe, HDR + 2048), HDR + 2048,
				     VRING_DESC_F_WRITE };
		int head = vfe_post(&e->fe, RXQ, &b, 1);

		TC_CHECK(head >= 0 && b.addr);
		gpa_of[head] = b.addr;
	}
	vfe_publish(&e->fe, RXQ);
	vfe_kick(&e->fe, RXQ);
	while (uloop_now() < end && got < N_RX) {
		/* bursts the tap's queue (1000) holds while we are away */
		for (i = 0; i < 64 && sent < N_RX; i++)
			if (tb_pkt_send(tp, 1000, base + sent) == 0)
				sent++;
		uloop_run_once(&e->loop, 1000000);
		while (vfe_reap(&e->fe, RXQ, &id, &len)) {
			uint8_t *h = vfe_ptr(&e->fe, gpa_of[id]);
			struct vfe_buf b = { gpa_of[id], HDR + 2048,
					     VRING_DESC_F_WRITE };
			int head;

			bad_hdr |= h[10] != 1 || h[11] != 0;
			if (len > HDR && tb_parse(h + HDR, len - HDR, &seq, &q) &&
			    seq >= base && seq < base + N_RX && !seen[seq]) {
				seen[seq] = 1;
				got++;
			}
			head = vfe_post(&e->fe, RXQ, &b, 1);
			gpa_of[head] = b.addr;
		}
		vfe_publish(&e->fe, RXQ);
		vfe_kick(&e->fe, RXQ);
	}
	for (i = base; i < base + N_RX; i++)
		c += seen[i];
	printf("namespace -> guest RX buffers: %u of %u frames (sent %u)\n",
	       c, N_RX, sent);
	TC_EQ(c, N_RX);
	TC_CHECK(!bad_hdr);
}

/* A tap with 8 write slots holds the device: the lent frames it did not
 * take are copied at once (a held frame keeps no guest buffer), every
 * chain completes and every frame arrives. */
static void test_hold(struct venv *e, struct tb_topo *tp, struct tap *small)
{
	struct virtio_net_stats before = vt_stats(e), after;
	struct tap_stats st;

	port_disconnect(virtio_net_port(e->vn));
	TC_EQ(port_connect(virtio_net_port(e->vn), tap_port(small)), 0);
	send_layout(e, tp, 5 * N_LAYOUT, N_LAYOUT, 1500, 1);
	after = vt_stats(e);
	tap_get_stats(small, &st);
	printf("8-slot tap: lent %lu, copied after all %lu, tap held the "
	       "device %lu times, wrote %lu in place\n",
	       (unsigned long)(after.tx_lent - before.tx_lent),
	       (unsigned long)(after.tx_unshared - before.tx_unshared),
	       (unsigned long)st.held, (unsigned long)st.tx_zerocopy);
	TC_CHECK(st.held > 0);
	TC_CHECK(after.tx_unshared > before.tx_unshared);
	TC_EQ(after.tx_lent - before.tx_lent, N_LAYOUT);
	TC_EQ(st.tx_zerocopy, N_LAYOUT);
	TC_EQ(st.write_fails, 0);
	port_disconnect(virtio_net_port(e->vn));
}

/* A ring stop (a guest reset) while in-place writes of lent chains are
 * queued:
 * GET_VRING_BASE's reply finds every chain completed exactly once, and
 * the frames still reach the wire. */
static void test_stop(struct venv *e, struct tb_topo *tp)
{
	struct vu_vring_state st = { TXQ, 0 };
	uint16_t before = e->fe.ring[TXQ].used->idx;
	uint64_t got = 0, settled = vt_stats(e).tx_settled;
	uint32_t base = 4 * N_LAYOUT;
	struct vu_msg r;
	unsigned int i, c = 0;

	for (i = 0; i < BATCH; i++)
		post_frame(e, base + i, 1500, 1);
	vfe_publish(&e->fe, TXQ);
	vfe_kick(&e->fe, TXQ);
	TC_EQ(vfe_call(&e->fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &r), 0);
	TC_EQ((uint16_t)(r.p.state.num - before), BATCH);
	TC_EQ((uint16_t)(e->fe.ring[TXQ].used->idx - before), BATCH);
	for (i = 0; i < 50; i++) {
		uloop_run_once(&e->loop, 1000000);
		tb_pkt_drain(tp, seen, &got);
	}
	/* no chain completed twice when the writes' completions came in */
	TC_EQ((uint16_t)(e->fe.ring[TXQ].used->idx - before), BATCH);
	for (i = base; i < base + BATCH; i++)
		c += seen[i];
	printf("ring stopped with %u lent chains: %lu settled, %u of %u "
	       "arrived\n", BATCH, (unsigned long)(vt_stats(e).tx_settled -
						  settled), c, BATCH);
	TC_EQ(c, BATCH);
	/* the kick and the message came in one loop iteration: every chain
	 * was still lent when the ring stopped */
	TC_EQ(vt_stats(e).tx_settled - settled, BATCH);
	/* the guest sets the ring up again after its reset */
	memset(vfe_ptr(&e->fe, e->fe.ring[TXQ].desc_gpa), 0, 0x8000);
	TC_EQ(vfe_ring_setup(&e->fe, TXQ, 256), 0);
}

/* The device closes while the tap's in-place writes of lent chains are
 * queued: the writes still happen, and the frames' later releases find
 * their table (ASan's run of this test sees no use after free). */
static void test_close(struct venv *e, struct tap *t)
{
	uint64_t lent = vt_stats(e).tx_lent;
	struct tap_stats before, after;
	unsigned int i;

	tap_get_stats(t, &before);
	for (i = 0; i < BATCH; i++)
		post_frame(e, 6 * N_LAYOUT + i, 1500, 1);
	vfe_publish(&e->fe, TXQ);
	vfe_kick(&e->fe, TXQ);
	/* until the kick is seen: the writes are then queued, not submitted */
	for (i = 0; i < 100 && vt_stats(e).tx_lent - lent < BATCH; i++)
		uloop_run_once(&e->loop, 1000000);
	TC_EQ(vt_stats(e).tx_lent - lent, BATCH);
	virtio_net_close(e->vn);
	for (i = 0; i < 20; i++)
		uloop_run_once(&e->loop, 1000000);
	tap_get_stats(t, &after);
	printf("device closed with lent chains queued: the tap wrote %lu\n",
	       (unsigned long)(after.tx_frames - before.tx_frames));
	TC_EQ(after.tx_frames - before.tx_frames, BATCH);
	TC_EQ(after.write_fails, before.write_fails);
}

int main(void)
{
	struct tap_config cfg = { .ifname = "tbtap%d", .script = "no",
				  .downscript = "no" };
	struct tap_config small_cfg = { .ifname = "tbtap%d", .script = "no",
					.downscript = "no", .tx_slots = 8 };
	struct virtio_net_params p;
	struct tap *small;
	struct tb_topo tp;
	struct tap_err err;
	struct venv e;
	struct tap *t;
	int ret;

	tb_enter();
	tb_topo_up(&tp, false);
	virtio_net_params_default(&p);
	p.peer_vnet = true;
	vt_start(&e, &p, true);
	ret = tap_open(&t, &cfg, &e.loop, "t0", &err);
	if (ret == -EOPNOTSUPP) {
		printf("SKIP: kernel lacks multishot read (6.7)\n");
		return TB_SKIP;
	}
	TC_EQ(ret, 0);
	tb_topo_add_tap(&tp, tap_ifname(t));
	port_disconnect(virtio_net_port(e.vn));
	TC_EQ(port_connect(virtio_net_port(e.vn), tap_port(t)), 0);
	vt_connect(&e, vt_features_default(), 256);
	tb_run(&e.loop, &tp, NULL, NULL, 100);

	test_layouts(&e, &tp, t);
	test_rx(&e, &tp);
	ret = tap_open(&small, &small_cfg, &e.loop, "t1", &err);
	TC_EQ(ret, 0);
	tb_topo_add_tap(&tp, tap_ifname(small));
	tb_run(&e.loop, &tp, NULL, NULL, 100);
	test_hold(&e, &tp, small);
	TC_EQ(port_connect(virtio_net_port(e.vn), tap_port(t)), 0);
	test_stop(&e, &tp);

	test_close(&e, t);

	vfe_fini(&e.fe);
	vt_pump(&e);
	tap_close(t);
	tap_close(small);
	vt_pump(&e);
	vt_release(&e);
	tb_topo_down(&tp);
	printf("ok\n");
	return 0;
}
