// SPDX-License-Identifier: GPL-2.0-or-later
/* test_kcap.c: capture and filter slots of the XDP and TC programs on crafted frames. */

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "datapath/bpf/tc_cap.h"
#include "datapath/bpf/xdp_load.h"
#include "tests/bpf/btest.h"

/* Records drained for one slot, checked against the frames sent. */
struct sink {
	unsigned int n;
	uint32_t len[64];
	uint32_t caplen[64];
	uint8_t hook[64];
	uint8_t first[64];
	uint8_t last[64];
	bool bad_bytes;
	unsigned int sent;
	uint8_t seed[64];
};

static void sink_rec(void *arg, const struct qcap_rec *r, const uint8_t *data)
{
	struct sink *s = arg;
	uint32_t i;

	if (s->n >= 64)
		return;
	s->len[s->n] = r->len;
	s->caplen[s->n] = r->caplen;
	s->hook[s->n] = r->hook;
	s->first[s->n] = data[0];
	s->last[s->n] = r->caplen ? data[r->caplen - 1] : 0;
	/* frame bytes after the MACs/ethertype follow bt_frame's pattern */
	for (i = 14; i < r->caplen; i++)
		if (data[i] != (uint8_t)(i * 7 + s->seed[s->n & 63]))
			s->bad_bytes = true;
	s->n++;
}

static uint8_t buf[65536];

/* A program under test: run it, and how it reports a drop. */
struct prog {
	const char *name;
	int fd;
	int drop;	/* verdict of a dropped frame */
	int pass;	/* verdict of a frame let through */
	uint32_t min;	/* shortest frame the test runner takes */
	uint32_t max;	/* largest frame the test runner takes */
	struct qhost *h;
};

static int run(struct prog *p, uint32_t len, uint8_t seed, struct sink *s)
{
	bt_frame(buf, len, bt_guest, 0x0800, seed);
	if (s)
		s->seed[s->sent++ & 63] = seed;
	return bt_run(p->fd, buf, len);
}

static struct qcap_slot dump_slot(uint32_t maxlen, unsigned int hooks)
{
	struct qcap_slot s = { .kind = QCAP_DUMP, .status = 1,
			       .hooks = hooks, .maxlen = maxlen };
	return s;
}

/* maxlen edges: caplen = min(len, maxlen); len is always the frame's. */
static void test_maxlen(struct prog *p)
{
	static const uint32_t maxlens[] = { 1, 13, 14, 15, 63, 64, 65, 128, 129,
					    1514, 2048, 2049, 9000, 65535 };
	static const uint32_t lens[] = { 14, 60, 64, 65, 129, 1514, 3000, 9000,
					 60000 };
	struct qcap_stats st;
	unsigned int i, j;

	for (i = 0; i < sizeof(maxlens) / sizeof(maxlens[0]); i++) {
		struct qcap_slot sl = dump_slot(maxlens[i], QCAP_HOOK_IN);
		struct sink s = {0};
		unsigned int sent = 0;
		int slot;

		slot = qhost_slot_add(p->h, &sl, NULL, 0, sink_rec, &s);
		BT_EQ(slot, 0);
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			if (lens[j] > p->max || lens[j] < p->min)
				continue;
			BT_EQ(run(p, lens[j], (uint8_t)j, &s), p->pass);
			sent++;
		}
		BT_CHECK(qhost_drain(p->h) >= 0);
		BT_EQ(s.n, sent);
		BT_CHECK(!s.bad_bytes);
		for (j = 0; j < s.n; j++) {
			uint32_t l = lens[j + (p->min > lens[0])];
			uint32_t want = l < maxlens[i] ? l : maxlens[i];

			BT_EQ(s.len[j], l);
			BT_EQ(s.caplen[j], want);
			BT_EQ(s.first[j], bt_guest[0]);
			BT_EQ(s.hook[j], QCAP_REC_IN);
		}
		BT_EQ(qhost_slot_stats(p->h, 0, &st), 0);
		BT_EQ(st.seen, sent);
		BT_EQ(st.matched, sent);
		BT_EQ(st.copied, sent);
		BT_EQ(st.ring_full, 0);
		BT_EQ(qhost_slot_del(p->h, 0), 0);
	}
}

/* status=off: frames are seen, nothing else. */
static void test_status(struct prog *p)
{
	struct qcap_slot sl = dump_slot(64, QCAP_HOOK_IN);
	struct qcap_stats st;
	struct sink s = {0};

	BT_EQ(qhost_slot_add(p->h, &sl, NULL, 0, sink_rec, &s), 0);
	BT_EQ(qhost_slot_status(p->h, 0, false), 0);
	BT_EQ(run(p, 100, 1, NULL), p->pass);
	BT_EQ(qhost_slot_status(p->h, 0, true), 0);
	BT_EQ(run(p, 100, 1, &s), p->pass);
	qhost_drain(p->h);
	BT_EQ(s.n, 1);
	BT_EQ(qhost_slot_stats(p->h, 0, &st), 0);
	BT_EQ(st.seen, 2);
	BT_EQ(st.copied, 1);
	BT_EQ(qhost_slot_del(p->h, 0), 0);
	BT_EQ(qhost_slot_del(p->h, 0), -ENOENT);
	BT_EQ(qhost_slot_status(p->h, 0, true), -ENOENT);
}

/* A slot for the other hook never sees these frames. */
static void test_hooks(struct prog *p)
{
	struct qcap_slot sl = dump_slot(64, QCAP_HOOK_OUT);
	struct qcap_stats st;
	struct sink s = {0};

	BT_EQ(qhost_slot_add(p->h, &sl, NULL, 0, sink_rec, &s), 0);
	BT_EQ(run(p, 100, 1, NULL), p->pass);
	qhost_drain(p->h);
	BT_EQ(s.n, 0);
	BT_EQ(qhost_slot_stats(p->h, 0, &st), 0);
	BT_EQ(st.seen, 0);
	BT_EQ(qhost_slot_del(p->h, 0), 0);
}

/* Ring full: no drain while frames come; losses are counted, not hidden. */
static void test_ring_full(struct prog *p)
{
	struct qcap_slot sl = dump_slot(1500, QCAP_HOOK_IN);
	struct qcap_stats st;
	struct sink s = {0};
	unsigned int i, n = 40;

	BT_EQ(qhost_slot_add(p->h, &sl, NULL, 0, sink_rec, &s), 0);
	for (i = 0; i < n; i++)
		BT_EQ(run(p, 1500, (uint8_t)i, &s), p->pass);
	BT_EQ(qhost_slot_stats(p->h, 0, &st), 0);
	BT_EQ(st.seen, n);
	BT_EQ(st.matched, n);
	BT_CHECK(st.ring_full > 0);
	BT_EQ(st.copied + st.ring_full, n);
	qhost_drain(p->h);
	BT_EQ(s.n, st.copied);
	BT_EQ(qhost_slot_del(p->h, 0), 0);
}

/*
 * Slot order: a drop filter in slot 0 hides dropped frames from the
 * capture in slot 1; an allow filter drops what does not match.
 */
static void test_filters(struct prog *p)
{
	/* classic BPF: ret #65535 if frame length > 200, else ret #0 */
	static const struct qcap_insn big[] = {
		{ 0x80, 0, 0, 0 },	/* ld #len */
		{ 0x25, 0, 1, 200 },	/* jgt #200, +0, +1 */
		{ 0x06, 0, 0, 65535 },	/* ret #65535 */
		{ 0x06, 0, 0, 0 },	/* ret #0 */
	};
	struct qcap_slot drop = { .kind = QCAP_DROP, .status = 1,
				  .hooks = QCAP_HOOK_IN };
	struct qcap_slot allow = drop;
	struct qcap_slot dump = dump_slot(65535, QCAP_HOOK_IN);
	struct qcap_stats st;
	struct sink s = {0};

	allow.kind = QCAP_ALLOW;
	BT_EQ(qhost_slot_add(p->h, &drop, big, 4, NULL, NULL), 0);
	BT_EQ(qhost_slot_add(p->h, &dump, NULL, 0, sink_rec, &s), 1);
	BT_EQ(run(p, 300, 1, NULL), p->drop);
	BT_EQ(run(p, 100, 2, &s), p->pass);
	qhost_drain(p->h);
	BT_EQ(s.n, 1);
	BT_EQ(s.len[0], 100);
	BT_EQ(qhost_slot_stats(p->h, 0, &st), 0);
	BT_EQ(st.seen, 2);
	BT_EQ(st.matched, 1);
	BT_EQ(st.dropped, 1);
	BT_EQ(qhost_slot_stats(p->h, 1, &st), 0);
	BT_EQ(st.seen, 1);
	BT_EQ(qhost_slot_del(p->h, 0), 0);

	/* allow (slot 0 again, so it runs first): only big frames pass */
	BT_EQ(qhost_slot_add(p->h, &allow, big, 4, NULL, NULL), 0);
	BT_EQ(run(p, 100, 3, NULL), p->drop);
	BT_EQ(run(p, 300, 4, &s), p->pass);
	qhost_drain(p->h);
	BT_EQ(s.n, 2);
	BT_EQ(s.len[1], 300);
	BT_EQ(qhost_slot_stats(p->h, 0, &st), 0);
	BT_EQ(st.dropped, 1);
	BT_EQ(st.matched, 1);
	BT_EQ(qhost_slot_del(p->h, 0), 0);
	BT_EQ(qhost_slot_del(p->h, 1), 0);

	/* the filter's return value caps the copy (ret #40) */
	{
		static const struct qcap_insn forty[] = { { 0x06, 0, 0, 40 } };
		struct sink s2 = {0};

		BT_EQ(qhost_slot_add(p->h, &dump, forty, 1, sink_rec, &s2), 0);
		BT_EQ(run(p, 100, 5, &s2), p->pass);
		qhost_drain(p->h);
		BT_EQ(s2.n, 1);
		BT_EQ(s2.caplen[0], 40);
		BT_EQ(qhost_slot_del(p->h, 0), 0);
	}
}

/* Four slots at once; a fifth does not fit; bad configurations refused. */
static void test_slots(struct prog *p)
{
	struct qcap_slot sl = dump_slot(64, QCAP_HOOK_IN);
	struct sink s[QCAP_SLOTS] = {0};
	unsigned int i;

	for (i = 0; i < QCAP_SLOTS; i++)
		BT_EQ(qhost_slot_add(p->h, &sl, NULL, 0, sink_rec, &s[i]), (int)i);
	BT_EQ(qhost_slot_add(p->h, &sl, NULL, 0, sink_rec, &s[0]), -ENOSPC);
	BT_EQ(qhost_slots_free(p->h), 0);
	BT_EQ(run(p, 80, 9, NULL), p->pass);
	qhost_drain(p->h);
	for (i = 0; i < QCAP_SLOTS; i++) {
		BT_EQ(s[i].n, 1);
		BT_EQ(s[i].caplen[0], 64);
		BT_EQ(qhost_slot_del(p->h, i), 0);
	}
	sl.maxlen = 0;
	BT_EQ(qhost_slot_add(p->h, &sl, NULL, 0, NULL, NULL), -EINVAL);
	sl.maxlen = QCAP_SNAP_MAX + 1;
	BT_EQ(qhost_slot_add(p->h, &sl, NULL, 0, NULL, NULL), -EINVAL);
	sl.maxlen = 64;
	BT_EQ(qhost_slot_add(p->h, &sl, NULL, QCAP_FILTER_MAX + 1, NULL, NULL),
	      -EINVAL);
}

static void run_all(struct prog *p)
{
	printf("%s: maxlen\n", p->name);
	test_maxlen(p);
	printf("%s: status\n", p->name);
	test_status(p);
	test_hooks(p);
	printf("%s: filters\n", p->name);
	test_filters(p);
	test_slots(p);
}

int main(void)
{
	struct xdp_load_config xc = { .steer = false, .ring_size = 65536 * 4 };
	struct xdp_load x;
	struct tc_cap t;
	struct prog p;

	bt_need_root("capture programs");

	BT_EQ(xdp_load_prepare(&x, &xc), 0);
	p = (struct prog){ .name = "xdp", .fd = xdp_load_prog_fd(&x),
			   .drop = XDP_DROP, .pass = XDP_PASS, .min = 14,
			   .max = 65000,
			   .h = &x.host };
	run_all(&p);
	xdp_load_close(&x);

	/* a small ring for the ring-full case */
	xc.ring_size = 16384;
	BT_EQ(xdp_load_prepare(&x, &xc), 0);
	p.fd = xdp_load_prog_fd(&x);
	p.h = &x.host;
	test_ring_full(&p);
	xdp_load_close(&x);

	BT_EQ(tc_cap_load(&t, 65536 * 4), 0);
	p = (struct prog){ .name = "tc", .fd = tc_cap_prog_fd(&t, QCAP_HOOK_IN),
			   .drop = TC_ACT_SHOT, .pass = TC_ACT_UNSPEC,
			   .min = 15, .max = 3000, .h = &t.host };
	run_all(&p);
	/* the egress program reports its own hook */
	{
		struct qcap_slot sl = dump_slot(64, QCAP_HOOK_OUT);
		struct sink s = {0};

		BT_EQ(qhost_slot_add(&t.host, &sl, NULL, 0, sink_rec, &s), 0);
		p.fd = tc_cap_prog_fd(&t, QCAP_HOOK_OUT);
		BT_EQ(run(&p, 100, 1, &s), TC_ACT_UNSPEC);
		qhost_drain(&t.host);
		BT_EQ(s.n, 1);
		BT_EQ(s.hook[0], QCAP_REC_OUT);
		BT_EQ(qhost_slot_del(&t.host, 0), 0);
	}
	tc_cap_close(&t);
	BT_EQ(tc_cap_load(&t, 16384), 0);
	p.fd = tc_cap_prog_fd(&t, QCAP_HOOK_IN);
	p.h = &t.host;
	test_ring_full(&p);
	tc_cap_close(&t);
	printf("kcap: ok\n");
	return 0;
}
