/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_port_filter.c: filters on ports: directions, order, drops, backpressure, each frame seen once. */
#include <errno.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "datapath/port.h"
#include "tests/unit/datapath/loopback.h"
#include "tests/unit/datapath/tframe.h"

#define TF_FRAMES 300

static struct loopback lba, lbb;

/**
 * struct tfilt - a test filter: drops cookies that are multiples of @every
 *	(from @from on), and records what it saw
 * @pf:		the port filter
 * @name:	one letter, for the order log
 * @every:	drop cookie c when c % @every == @rem (0: drop nothing)
 * @rem:	see @every
 * @seen:	times each cookie was shown, per direction
 * @calls:	run() calls
 * @max_n:	largest batch shown
 * @dirs:	bit per enum port_dir seen
 * @queues:	bit per queue seen
 */
struct tfilt {
	struct port_filter pf;
	char name;
	unsigned int every;
	unsigned int rem;
	unsigned int seen[PORT_DIR_COUNT][TF_FRAMES];
	unsigned int calls;
	unsigned int max_n;
	unsigned int dirs;
	unsigned int queues;
};

/* Order in which filters ran on the last frame of each call. */
static char order[64];
static unsigned int norder;

static uint64_t tfilt_run(void *arg, enum port_dir dir, unsigned int queue,
			  struct frame *const *f, unsigned int n)
{
	struct tfilt *t = arg;
	uint64_t drop = 0;
	unsigned int i;

	CHECK(n >= 1 && n <= FRAME_BATCH_MAX);
	t->calls++;
	t->max_n = n > t->max_n ? n : t->max_n;
	t->dirs |= 1u << dir;
	t->queues |= 1u << queue;
	if (norder < sizeof(order) - 1)
		order[norder++] = t->name;
	for (i = 0; i < n; i++) {
		uint64_t c = f[i]->cookie;

		CHECK(f[i]->len >= FRAME_MIN_LEN && f[i]->len <= FRAME_MAX_LEN);
		CHECK(c < TF_FRAMES);
		t->seen[dir][c]++;
		if (t->every && c % t->every == t->rem)
			drop |= 1ull << i;
	}
	return drop;
}

static void tfilt_init(struct tfilt *t, char name, unsigned int every,
		       unsigned int rem)
{
	memset(t, 0, sizeof(*t));
	t->pf.run = tfilt_run;
	t->pf.arg = t;
	t->name = name;
	t->every = every;
	t->rem = rem;
}

static void pair(unsigned int nq)
{
	CHECK_EQ(loopback_init(&lba, "a", nq), 0);
	CHECK_EQ(loopback_init(&lbb, "b", nq), 0);
	CHECK_EQ(port_connect(&lba.port, &lbb.port), 0);
	norder = 0;
}

static uint64_t drops(const struct port *p, unsigned int q)
{
	return port_stats_drops(&p->stats[q]);
}

/**
 * test_add_del() - argument checks, the limit, removal stops filtering
 */
static void test_add_del(void)
{
	static struct tfilt t[PORT_MAX_FILTERS + 1];
	struct port_filter bad = { 0 };
	struct tframes tf;
	unsigned int i;

	pair(1);
	CHECK_EQ(port_filter_add(&lba.port, &bad), -EINVAL);
	CHECK_EQ(port_filter_add(&lba.port, NULL), -EINVAL);
	for (i = 0; i <= PORT_MAX_FILTERS; i++)
		tfilt_init(&t[i], (char)('a' + i), 0, 0);
	for (i = 0; i < PORT_MAX_FILTERS; i++)
		CHECK_EQ(port_filter_add(&lba.port, &t[i].pf), 0);
	CHECK_EQ(port_filter_add(&lba.port, &t[0].pf), -EINVAL);
	CHECK_EQ(port_filter_add(&lba.port, &t[PORT_MAX_FILTERS].pf), -ENOSPC);
	for (i = 0; i < PORT_MAX_FILTERS; i++)
		port_filter_del(&lba.port, &t[i].pf);
	port_filter_del(&lba.port, &t[0].pf);	/* not on it: nothing */
	CHECK_EQ(lba.port.nfilters, 0);

	CHECK_EQ(tframes_new(&tf, 10, 60), 0);
	CHECK_EQ(port_filter_add(&lbb.port, &t[0].pf), 0);
	CHECK_EQ(port_send(&lba.port, 0, tf.ptr, 5, true), 5);
	CHECK_EQ(t[0].calls, 1);
	port_filter_del(&lbb.port, &t[0].pf);
	CHECK_EQ(port_send(&lba.port, 0, tf.ptr + 5, 5, true), 5);
	CHECK_EQ(t[0].calls, 1);
	CHECK_EQ(lbb.received[0], 10);
	tframes_put_all(&tf);
	CHECK(tframes_each_released_once(&tf));
	tframes_free(&tf);
}

/**
 * test_dirs_order() - sender's filters OUT in order, receiver's IN in
 * reverse order; a dropped frame is shown to no later filter
 */
static void test_dirs_order(void)
{
	static struct tfilt s1, s2, r1, r2;
	struct tframes tf;
	unsigned int i;

	CHECK_EQ(tframes_new(&tf, 60, 100), 0);
	pair(2);
	tfilt_init(&s1, '1', 5, 0);	/* drops 0, 5, 10, ... */
	tfilt_init(&s2, '2', 0, 0);
	tfilt_init(&r1, '3', 0, 0);
	tfilt_init(&r2, '4', 5, 1);	/* drops 1, 6, 11, ... */
	CHECK_EQ(port_filter_add(&lba.port, &s1.pf), 0);
	CHECK_EQ(port_filter_add(&lba.port, &s2.pf), 0);
	CHECK_EQ(port_filter_add(&lbb.port, &r1.pf), 0);
	CHECK_EQ(port_filter_add(&lbb.port, &r2.pf), 0);
	CHECK_EQ(port_send(&lba.port, 1, tf.ptr, 60, true), 60);
	order[norder] = 0;
	CHECK(!strcmp(order, "1243"));
	CHECK(s1.dirs == 1u << PORT_DIR_OUT && s2.dirs == 1u << PORT_DIR_OUT);
	CHECK(r1.dirs == 1u << PORT_DIR_IN && r2.dirs == 1u << PORT_DIR_IN);
	CHECK(s1.queues == 2 && r1.queues == 2);
	for (i = 0; i < 60; i++) {
		CHECK_EQ(s1.seen[PORT_DIR_OUT][i], 1);
		CHECK_EQ(s2.seen[PORT_DIR_OUT][i], i % 5 != 0);
		CHECK_EQ(r2.seen[PORT_DIR_IN][i], i % 5 != 0);
		CHECK_EQ(r1.seen[PORT_DIR_IN][i], i % 5 > 1);
	}
	CHECK_EQ(lbb.received[1], 36);
	for (i = 0; i < 36; i++)
		CHECK_EQ(lbb.log[1][i] % 5 > 1, 1);
	CHECK_EQ(lba.port.stats[1].drops[PORT_DROP_FILTER], 24);
	CHECK_EQ(lbb.port.stats[1].drops[PORT_DROP_FILTER], 0);
	CHECK_EQ(lba.port.stats[1].tx_packets + drops(&lba.port, 1), 60);
	CHECK_EQ(lba.port.stats[1].tx_packets, lbb.port.stats[1].rx_packets);
	CHECK_EQ(lba.port.stats[1].tx_bytes, 36 * 100);

	/* the other way: lbb's filters now see OUT, lba's IN */
	norder = 0;
	CHECK_EQ(port_send(&lbb.port, 0, tf.ptr, 10, false), 10);
	order[norder] = 0;
	CHECK(!strcmp(order, "3421"));
	CHECK(r1.dirs & (1u << PORT_DIR_OUT));
	CHECK(s1.dirs & (1u << PORT_DIR_IN));
	/* dropped: 1, 6 (lbb's r2) and 0, 5 (lba's s1) */
	CHECK_EQ(lba.received[0], 6);
	CHECK_EQ(lbb.port.stats[0].drops[PORT_DROP_FILTER], 4);
	tframes_put_all(&tf);
	CHECK(tframes_each_released_once(&tf));
	tframes_free(&tf);
}

/**
 * test_runts_batches() - runts and giants are never shown to filters;
 * more than a batch is shown in batches of at most FRAME_BATCH_MAX
 */
static void test_runts_batches(void)
{
	static struct tfilt r;
	struct tframes tf;
	unsigned int i, shown = 0;

	CHECK_EQ(tframes_new(&tf, 200, 60), 0);
	for (i = 0; i < 200; i += 7)
		tf.f[i].len = i % 2 ? FRAME_MAX_LEN + 1 : 10;
	pair(1);
	tfilt_init(&r, 'r', 3, 2);
	CHECK_EQ(port_filter_add(&lbb.port, &r.pf), 0);
	CHECK_EQ(port_send(&lba.port, 0, tf.ptr, 200, true), 200);
	CHECK(r.max_n <= FRAME_BATCH_MAX && r.calls >= 4);
	for (i = 0; i < 200; i++) {
		bool bad = i % 7 == 0;

		CHECK_EQ(r.seen[PORT_DIR_IN][i], !bad);
		shown += !bad;
	}
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_RUNT] +
		 lba.port.stats[0].drops[PORT_DROP_GIANT], 200 - shown);
	for (i = 0; i < lbb.received[0]; i++)
		CHECK(lbb.log[0][i] % 7 && lbb.log[0][i] % 3 != 2);
	CHECK_EQ(lba.port.stats[0].tx_packets + drops(&lba.port, 0), 200);
	CHECK_EQ(lba.port.stats[0].tx_packets, lbb.received[0]);
	/* order kept */
	for (i = 1; i < lbb.received[0]; i++)
		CHECK(lbb.log[0][i] > lbb.log[0][i - 1]);
	tframes_put_all(&tf);
	CHECK(tframes_each_released_once(&tf));
	tframes_free(&tf);
}

/**
 * test_backpressure() - a receiver holding the sender in the middle of a
 * filtered batch: every frame is filtered exactly once, verdicts applied
 * when the held frames are offered again, counters balance at each step
 */
static void test_backpressure(void)
{
	static struct tfilt s, r;
	struct tframes tf;
	unsigned int i, sent = 0, expect = 0, step = 0;

	CHECK_EQ(tframes_new(&tf, TF_FRAMES, 80), 0);
	pair(1);
	loopback_set_capacity(&lbb, 7);
	tfilt_init(&s, 's', 4, 3);
	tfilt_init(&r, 'r', 5, 0);
	CHECK_EQ(port_filter_add(&lba.port, &s.pf), 0);
	CHECK_EQ(port_filter_add(&lbb.port, &r.pf), 0);
	while (sent < TF_FRAMES || lba.npending[0] || lbb.nkept[0]) {
		unsigned int n = TF_FRAMES - sent < 37 ? TF_FRAMES - sent : 37;

		if (n && LOOPBACK_MAX - lba.npending[0] >= n) {
			loopback_send(&lba, 0, tf.ptr + sent, n);
			sent += n;
		}
		loopback_drain(&lbb, 0, 3 + step % 5);
		step++;
		/* handed = tx + drops + pending, at every step */
		CHECK_EQ(lba.port.stats[0].tx_packets + drops(&lba.port, 0) +
			 lba.npending[0], sent);
		CHECK(step < 10000);
	}
	for (i = 0; i < TF_FRAMES; i++) {
		bool sdrop = i % 4 == 3;

		CHECK_EQ(s.seen[PORT_DIR_OUT][i], 1);
		CHECK_EQ(r.seen[PORT_DIR_IN][i], !sdrop);
		expect += !sdrop && i % 5 != 0;
	}
	CHECK(lba.resumes[0] > 10);
	CHECK_EQ(lbb.received[0], expect);
	for (i = 1; i < lbb.received[0]; i++)
		CHECK(lbb.log[0][i] > lbb.log[0][i - 1]);
	for (i = 0; i < lbb.received[0]; i++)
		CHECK(lbb.log[0][i] % 4 != 3 && lbb.log[0][i] % 5 != 0);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_FILTER], TF_FRAMES - expect);
	CHECK_EQ(lba.port.stats[0].tx_packets, lbb.port.stats[0].rx_packets);
	loopback_release(&lba);
	loopback_release(&lbb);
	tframes_put_all(&tf);
	CHECK(tframes_each_released_once(&tf));
	tframes_free(&tf);
}

/**
 * test_not_holdable() - a sender that cannot wait: what the receiver does
 * not take is queue_full, filtered frames are filtered
 */
static void test_not_holdable(void)
{
	static struct tfilt r;
	struct tframes tf;

	CHECK_EQ(tframes_new(&tf, 20, 60), 0);
	pair(1);
	loopback_set_capacity(&lbb, 5);
	tfilt_init(&r, 'r', 2, 0);	/* drops the even cookies */
	CHECK_EQ(port_filter_add(&lbb.port, &r.pf), 0);
	CHECK_EQ(port_send(&lba.port, 0, tf.ptr, 20, false), 20);
	CHECK_EQ(lbb.received[0], 5);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_FILTER], 10);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_QUEUE_FULL], 5);
	CHECK_EQ(lba.port.stats[0].tx_packets, 5);
	CHECK_EQ(lba.port.filt_ahead[0], 0);
	loopback_release(&lbb);
	tframes_put_all(&tf);
	CHECK(tframes_each_released_once(&tf));
	tframes_free(&tf);
}

/**
 * test_hold_then_gone() - held with verdicts pending, then the peer goes
 * away or the link goes down: the verdicts are forgotten, nothing leaks
 */
static void test_hold_then_gone(void)
{
	static struct tfilt r;
	struct tframes tf;

	CHECK_EQ(tframes_new(&tf, 40, 60), 0);
	pair(1);
	loopback_set_capacity(&lbb, 4);
	tfilt_init(&r, 'r', 0, 0);
	CHECK_EQ(port_filter_add(&lbb.port, &r.pf), 0);
	CHECK_EQ(loopback_send(&lba, 0, tf.ptr, 20), 4);
	CHECK_EQ(lba.port.filt_ahead[0], 16);
	CHECK_EQ(lba.npending[0], 16);
	/* the held sender resumes; its frames drop as link_down */
	port_set_link(&lbb.port, false);
	CHECK_EQ(lba.port.filt_ahead[0], 0);
	CHECK_EQ(lba.npending[0], 0);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_LINK_DOWN], 16);
	port_set_link(&lbb.port, true);
	loopback_drain(&lbb, 0, 4);
	CHECK_EQ(loopback_send(&lba, 0, tf.ptr + 20, 20), 4);
	CHECK_EQ(lba.port.filt_ahead[0], 16);
	port_disconnect(&lba.port);
	CHECK_EQ(lba.port.filt_ahead[0], 0);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_NO_PEER], 16);
	CHECK_EQ(r.calls, 2);
	loopback_release(&lbb);
	tframes_put_all(&tf);
	CHECK(tframes_each_released_once(&tf));
	tframes_free(&tf);
}

int main(void)
{
	test_add_del();
	test_dirs_order();
	test_runts_batches();
	test_backpressure();
	test_not_holdable();
	test_hold_then_gone();
	printf("datapath-port-filter: all checks passed\n");
	return 0;
}
