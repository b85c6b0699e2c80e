// SPDX-License-Identifier: GPL-2.0-or-later
/* test_rx_kick.c: a held mergeable RX frame must get its EVENT_IDX kick. */
#include <string.h>
#include <unistd.h>

#include "tests/device/vtest.h"

/*
 * The scenario: MRG_RXBUF + EVENT_IDX, 256-byte RX buffers, a 1500-byte
 * frame from the peer (12 + 1500 bytes: 6 buffers, 5 hold only 1268).
 * The guest posts 2, the frame is held; the guest adds more. The test is
 * the driver: when it adds buffers it publishes avail idx, fences, reads
 * avail_event from the used ring and kicks only when
 * vring_need_event(avail_event, new, old) says so, as Linux's
 * virtqueue_kick_prepare() does. A device that leaves avail_event behind
 * the buffers it has already seen (the unused ones) never gets that kick
 * and RX stalls.
 *
 * Not tested: buffers published between the device's failed attempt and
 * its avail_event store (the device must notice them after its fence
 * and retry). In one thread the front-end cannot act inside that window,
 * so the race cannot be staged deterministically.
 */

#define BIT(n) (1ull << (n))
#define HL 12
#define BUF 256
#define FLEN 1500
#define NEED 6		/* buffers FLEN takes: 244 + 5 * 256 >= 1500 */
#define RING 16		/* small, so rounds wrap the ring */

/**
 * struct rxk - the driver's side of one RX ring
 * @e:		the environment
 * @rxq:	RX ring index (2 * pair)
 * @pq:		port queue (pair)
 * @gpa:	buffer address per descriptor head
 * @kicks:	kicks the rule asked for
 */
struct rxk {
	struct venv *e;
	unsigned int rxq;
	unsigned int pq;
	uint64_t gpa[VFE_MAX_NUM];
	unsigned int kicks;
};

/* The device's avail_event for the ring (used->ring[num]). */
static uint16_t avail_event(struct rxk *k)
{
	struct vfe_ring *r = &k->e->fe.ring[k->rxq];

	return __atomic_load_n((uint16_t *)&r->used->ring[r->num],
			       __ATOMIC_ACQUIRE);
}

/* Post @n buffers and kick only if the EVENT_IDX rule says so. Return:
 * whether it kicked. */
static bool drv_add(struct rxk *k, unsigned int n)
{
	struct vfe_ring *r = &k->e->fe.ring[k->rxq];
	uint16_t old = r->avail_idx, ev;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vfe_buf b = { vfe_alloc(&k->e->fe, BUF), BUF,
				     VRING_DESC_F_WRITE };
		int head;

		VT_CHECK(b.addr);
		memset(vfe_ptr(&k->e->fe, b.addr), 0xee, BUF);
		head = vfe_post(&k->e->fe, k->rxq, &b, 1);
		k->gpa[head] = b.addr;
	}
	vfe_publish(&k->e->fe, k->rxq);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* virtio_mb() */
	ev = avail_event(k);
	if (!vring_need_event(ev, r->avail_idx, old))
		return false;
	vfe_kick(&k->e->fe, k->rxq);
	k->kicks++;
	return true;
}

/* The peer offers the frame, holding if the device cannot take it.
 * Return: 1 taken, 0 held. */
static unsigned int peer_send(struct rxk *k, const uint8_t *data)
{
	struct frame f = { 0 }, *fp = &f;

	f.data = (uint8_t *)data;
	f.len = FLEN;
	f.cap = FLEN;
	f.refs = 1;
	return port_send(&k->e->sink.port, k->pq, &fp, 1, true);
}

/* The frame is held: nothing used, the sink waits on the device, and the
 * device asks for a kick when the next buffer comes. */
static void check_held(struct rxk *k)
{
	struct vfe_ring *r = &k->e->fe.ring[k->rxq];

	VT_CHECK(virtio_net_port(k->e->vn)->waiting[k->pq] ==
		 &k->e->sink.port);
	VT_EQ(__atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE), r->last_used);
	VT_CHECK(vring_need_event(avail_event(k), (uint16_t)(r->avail_idx + 1),
				  r->avail_idx));
}

/* After a kick: the device resumes the sink (pump until it does). */
static void wait_resume(struct rxk *k, uint64_t before)
{
	VT_UNTIL(k->e, k->e->sink.resumes > before);
}

/* Reap the frame: NEED buffers in posting order, num_buffers, bytes. */
static void check_frame(struct rxk *k, const uint8_t *want)
{
	uint8_t got[FLEN + BUF];
	struct virtio_net_hdr_v1 h;
	uint32_t id, len, off = 0, first = 0;
	unsigned int i;

	for (i = 0; i < NEED; i++) {
		uint8_t *p;
		uint32_t skip = i == 0 ? HL : 0;

		VT_CHECK(vfe_reap(&k->e->fe, k->rxq, &id, &len));
		if (i == 0)
			first = id;
		VT_EQ(id, (first + i) % RING);
		VT_CHECK(len > skip && len <= BUF);
		p = vfe_ptr(&k->e->fe, k->gpa[id]);
		if (i == 0)
			memcpy(&h, p, HL);
		VT_CHECK(off + len - skip <= FLEN);
		memcpy(got + off, p + skip, len - skip);
		off += len - skip;
	}
	VT_CHECK(!vfe_reap(&k->e->fe, k->rxq, &id, &len));
	VT_EQ(h.num_buffers, NEED);
	VT_EQ(off, FLEN);
	VT_CHECK(!memcmp(got, want, FLEN));
}

/* Device with @pairs pairs, RX ring of pair @pair set up, MRG + EVENT_IDX. */
static void start(struct venv *e, struct rxk *k, unsigned int pairs,
		  unsigned int pair)
{
	struct virtio_net_params p;
	uint64_t feat = vt_features_default();

	virtio_net_params_default(&p);
	p.queues = pairs;
	if (pairs > 1)
		feat |= BIT(VIRTIO_NET_F_MQ);
	vt_start(e, &p, true);
	vt_connect_q(e, feat, RING, 2 * pairs);
	VT_CHECK(e->fe.features & BIT(VIRTIO_NET_F_MRG_RXBUF));
	VT_CHECK(e->fe.features & BIT(VIRTIO_RING_F_EVENT_IDX));
	memset(k, 0, sizeof(*k));
	k->e = e;
	k->rxq = 2 * pair;
	k->pq = pair;
}

/* Post 2 buffers, send: held. Return the resume count. */
static uint64_t hold(struct rxk *k, const uint8_t *f)
{
	drv_add(k, 2);		/* kick or not: the rule decides */
	vt_pump(k->e);
	VT_EQ(peer_send(k, f), 0);
	check_held(k);
	VT_EQ(vt_drops(k->e, PORT_DROP_NO_BUFFER), 0);
	return k->e->sink.resumes;
}

/* The rest in one add: the rule kicks, the sink resumes, the frame goes. */
static void test_bulk(unsigned int pairs, unsigned int pair)
{
	struct venv e;
	struct rxk k;
	uint8_t f[FLEN];
	uint64_t r;

	start(&e, &k, pairs, pair);
	vt_frame(f, FLEN, 1);
	r = hold(&k, f);
	VT_CHECK(drv_add(&k, NEED - 2));	/* must kick */
	wait_resume(&k, r);
	VT_EQ(peer_send(&k, f), 1);
	check_frame(&k, f);
	VT_CHECK(vfe_call_pending(&e.fe, k.rxq));
	VT_EQ(vt_drops(&e, PORT_DROP_NO_BUFFER), 0);
	vt_stop(&e);
}

/* One buffer per add, several rounds (the ring wraps): each add while the
 * frame is held must kick; the frame is held again until it fits. */
static void test_one_by_one(void)
{
	struct venv e;
	struct rxk k;
	uint8_t f[FLEN];
	unsigned int round, n;

	start(&e, &k, 1, 0);
	for (round = 0; round < 5; round++) {
		uint64_t r;

		vt_frame(f, FLEN, (uint8_t)(10 + round));
		r = hold(&k, f);
		for (n = 2; n < NEED; n++) {
			VT_CHECK(drv_add(&k, 1));	/* must kick */
			wait_resume(&k, r);
			r = e.sink.resumes;
			if (n + 1 < NEED) {
				VT_EQ(peer_send(&k, f), 0);
				check_held(&k);
			}
		}
		VT_EQ(peer_send(&k, f), 1);
		check_frame(&k, f);
	}
	VT_CHECK(e.fe.ring[k.rxq].avail_idx > RING);	/* wrapped */
	VT_EQ(vt_drops(&e, PORT_DROP_NO_BUFFER), 0);
	vt_stop(&e);
}

int main(void)
{
	test_bulk(1, 0);
	test_bulk(2, 1);	/* second pair, as seen with a Linux guest */
	test_one_by_one();
	printf("ok\n");
	return 0;
}
