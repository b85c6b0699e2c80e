/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_port.c: peers, link state, runts, backpressure and counters. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "datapath/port.h"
#include "tests/unit/datapath/loopback.h"
#include "tests/unit/datapath/tframe.h"

static struct loopback lba, lbb, lbc;

/**
 * drops() - drops of one queue of a port, all reasons
 * @p:	the port
 * @q:	the queue
 *
 * Return: the sum.
 */
static uint64_t drops(const struct port *p, unsigned int q)
{
	return port_stats_drops(&p->stats[q]);
}

/**
 * check_link() - what one end sent on @q is what the other end received
 * @a:	sender
 * @b:	receiver
 * @q:	queue
 */
static void check_link(const struct port *a, const struct port *b,
		       unsigned int q)
{
	CHECK_EQ(a->stats[q].tx_packets, b->stats[q].rx_packets);
	CHECK_EQ(a->stats[q].tx_bytes, b->stats[q].rx_bytes);
}

/**
 * pair() - two fresh loopbacks, connected
 * @nq:	queues
 */
static void pair(unsigned int nq)
{
	CHECK_EQ(loopback_init(&lba, "a", nq), 0);
	CHECK_EQ(loopback_init(&lbb, "b", nq), 0);
	CHECK_EQ(port_connect(&lba.port, &lbb.port), 0);
}

static unsigned int noop_receive(struct port *p, unsigned int q,
				 struct frame **f, unsigned int n)
{
	return 0;
}

static const struct port_ops noop_ops = {.receive = noop_receive};

/**
 * test_init_connect() - argument checks, 1:1 peering, -EBUSY
 */
static void test_init_connect(void)
{
	char longname[PORT_NAME_MAX + 1];
	struct port p, q;

	CHECK_EQ(port_init(&p, NULL, PORT_NIC, "x", 1, NULL), -EINVAL);
	CHECK_EQ(port_init(&p, &noop_ops, PORT_NIC, "x", 0, NULL), -EINVAL);
	CHECK_EQ(port_init(&p, &noop_ops, PORT_NIC, "x", PORT_MAX_QUEUES + 1,
			   NULL),
		 -EINVAL);
	CHECK_EQ(port_init(&p, &noop_ops, PORT_KIND_COUNT, "x", 1, NULL),
		 -EINVAL);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK_EQ(port_init(&p, &noop_ops, PORT_NIC, longname, 1, NULL),
		 -ENAMETOOLONG);
	longname[PORT_NAME_MAX - 1] = 0;
	CHECK_EQ(port_init(&p, &noop_ops, PORT_NIC, longname, 1, &p), 0);
	CHECK(p.priv == &p && p.link_up && !p.peer && p.nqueues == 1);
	CHECK_EQ(strlen(p.name), PORT_NAME_MAX - 1);

	CHECK_EQ(port_init(&q, &noop_ops, PORT_NETDEV, "q", 2, NULL), 0);
	CHECK_EQ(port_connect(&p, &q), -EINVAL); /* queue counts differ */
	CHECK_EQ(port_connect(&p, &p), -EINVAL);
	pair(1);
	CHECK(lba.port.peer == &lbb.port && lbb.port.peer == &lba.port);
	CHECK_EQ(loopback_init(&lbc, "c", 1), 0);
	CHECK_EQ(port_connect(&lba.port, &lbc.port), -EBUSY);
	CHECK_EQ(port_connect(&lbc.port, &lbb.port), -EBUSY);
	CHECK(lba.port.peer == &lbb.port && !lbc.port.peer);
	port_disconnect(&lbb.port);
	CHECK(!lba.port.peer && !lbb.port.peer);
	port_disconnect(&lbb.port);
	CHECK_EQ(port_connect(&lbc.port, &lbb.port), 0);
	CHECK(port_link_ok(&lbc.port) && !port_link_ok(&lba.port));
}

/**
 * test_peer_delivery() - a batch crosses the link in order, both ways
 */
static void test_peer_delivery(void)
{
	struct tframes t;
	unsigned int i;

	CHECK_EQ(tframes_new(&t, 128, 60), 0);
	pair(1);
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 64, false), 64);
	CHECK_EQ(port_send(&lbb.port, 0, t.ptr + 64, 64, true), 64);
	CHECK_EQ(lbb.received[0], 64);
	CHECK_EQ(lba.received[0], 64);
	for (i = 0; i < 64; i++) {
		CHECK_EQ(lbb.log[0][i], i);
		CHECK_EQ(lba.log[0][i], 64 + i);
	}
	CHECK_EQ(lba.port.stats[0].tx_packets, 64);
	CHECK_EQ(lba.port.stats[0].tx_bytes, 64 * 60);
	CHECK_EQ(lba.port.stats[0].rx_packets, 64);
	check_link(&lba.port, &lbb.port, 0);
	check_link(&lbb.port, &lba.port, 0);
	CHECK_EQ(drops(&lba.port, 0) + drops(&lbb.port, 0), 0);
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 0, true), 0);
	/* nothing kept: the sender's reference is the only one */
	CHECK_EQ(tframes_released(&t), 0);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_link_down() - either end down drops as link_down, charged to the sender
 */
static void test_link_down(void)
{
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 16, 100), 0);
	pair(1);
	port_set_link(&lba.port, false);
	CHECK_EQ(lba.link_changes, 1);
	CHECK_EQ(lbb.link_changes, 1);
	port_set_link(&lba.port, false); /* no change, no hook */
	CHECK_EQ(lba.link_changes, 1);
	CHECK(!port_link_ok(&lba.port) && !port_link_ok(&lbb.port));
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 16, true), 16);
	CHECK_EQ(port_send(&lbb.port, 0, t.ptr, 5, true), 5);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_LINK_DOWN], 16);
	CHECK_EQ(lbb.port.stats[0].drops[PORT_DROP_LINK_DOWN], 5);
	CHECK_EQ(lba.received[0] + lbb.received[0], 0);
	port_set_link(&lba.port, true);
	CHECK(port_link_ok(&lba.port));
	CHECK_EQ(lbb.link_changes, 2);

	port_set_link(&lbb.port, false); /* the receiving end */
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 16, false), 16);
	CHECK_EQ(port_send(&lbb.port, 0, t.ptr, 3, false), 3);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_LINK_DOWN], 32);
	CHECK_EQ(lbb.port.stats[0].drops[PORT_DROP_LINK_DOWN], 8);
	CHECK_EQ(lba.received[0] + lbb.received[0], 0);
	port_set_link(&lbb.port, true);
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 16, false), 16);
	CHECK_EQ(lbb.received[0], 16);
	CHECK_EQ(lba.port.stats[0].tx_packets, 16);
	check_link(&lba.port, &lbb.port, 0);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_no_peer() - an unconnected port drops as no_peer
 */
static void test_no_peer(void)
{
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 8, 60), 0);
	CHECK_EQ(loopback_init(&lba, "alone", 1), 0);
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 8, true), 8);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_NO_PEER], 8);
	CHECK_EQ(lba.port.stats[0].tx_packets, 0);
	CHECK(!port_link_ok(&lba.port));
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_runts() - runts and giants are dropped one by one, the rest in order
 */
static void test_runts(void)
{
	static const uint32_t lens[] = {
		60, 13,		  60, 0, FRAME_MIN_LEN, FRAME_MAX_LEN + 1,
		60, FRAME_MAX_LEN};
	struct tframes t;
	unsigned int i;

	CHECK_EQ(tframes_new(&t, 8, 60), 0);
	for (i = 0; i < 8; i++)
		t.f[i].len = lens[i];
	pair(1);
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 8, true), 8);
	CHECK_EQ(lbb.received[0], 5);
	CHECK_EQ(lbb.log[0][0], 0);
	CHECK_EQ(lbb.log[0][1], 2);
	CHECK_EQ(lbb.log[0][2], 4);
	CHECK_EQ(lbb.log[0][3], 6);
	CHECK_EQ(lbb.log[0][4], 7);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_RUNT], 2);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_GIANT], 1);
	CHECK_EQ(lba.port.stats[0].tx_packets, 5);
	CHECK_EQ(lba.port.stats[0].tx_bytes,
		 60 + 60 + FRAME_MIN_LEN + 60 + FRAME_MAX_LEN);
	check_link(&lba.port, &lbb.port, 0);
	/* a batch of runts only never reaches the peer */
	CHECK_EQ(port_send(&lba.port, 0, t.ptr + 1, 1, true), 1);
	CHECK_EQ(lbb.received[0], 5);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_backpressure() - a holdable sender waits and resumes; nothing lost
 */
static void test_backpressure(void)
{
	struct tframes t;
	unsigned int i, rounds = 0;

	CHECK_EQ(tframes_new(&t, 64, 200), 0);
	pair(1);
	loopback_set_capacity(&lbb, 10);
	CHECK_EQ(loopback_send(&lba, 0, t.ptr, 64), 10);
	CHECK(lbb.port.waiting[0] == &lba.port);
	CHECK_EQ(lba.npending[0], 54);
	CHECK_EQ(lbb.nkept[0], 10);
	/* while held, nothing counts as dropped */
	CHECK_EQ(drops(&lba.port, 0), 0);
	tframes_put_all(&t); /* the loopbacks hold their own refs */
	CHECK_EQ(tframes_released(&t), 0);
	while (lbb.nkept[0]) {
		unsigned int want = lbb.nkept[0] < 10 ? lbb.nkept[0] : 10;

		CHECK_EQ(loopback_drain(&lbb, 0, 10), want);
		rounds++;
		CHECK(rounds <= 7);
	}
	CHECK_EQ(rounds, 7);
	CHECK_EQ(lba.resumes[0], 6); /* the 7th drain finds nobody held */
	CHECK(lbb.port.waiting[0] == NULL);
	CHECK_EQ(lba.npending[0], 0);
	CHECK_EQ(lbb.received[0], 64);
	for (i = 0; i < 64; i++)
		CHECK_EQ(lbb.log[0][i], i);
	CHECK_EQ(lba.port.stats[0].tx_packets, 64);
	CHECK_EQ(drops(&lba.port, 0), 0);
	check_link(&lba.port, &lbb.port, 0);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_not_holdable() - a sender that cannot wait drops as queue_full
 */
static void test_not_holdable(void)
{
	static const struct port_ops no_resume = {.receive = noop_receive};
	struct port plain;
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 64, 60), 0);
	pair(1);
	loopback_set_capacity(&lbb, 10);
	lba.holdable = false;
	CHECK_EQ(loopback_send(&lba, 0, t.ptr, 64), 64);
	CHECK_EQ(lba.npending[0], 0);
	CHECK(lbb.port.waiting[0] == NULL);
	CHECK_EQ(lba.port.stats[0].tx_packets, 10);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_QUEUE_FULL], 54);
	CHECK_EQ(loopback_drain(&lbb, 0, 10), 10);
	CHECK_EQ(lba.resumes[0], 0);

	/* asking to be held without a resume hook is the same as not */
	CHECK_EQ(port_init(&plain, &no_resume, PORT_NIC, "plain", 1, NULL), 0);
	port_disconnect(&lbb.port);
	CHECK_EQ(port_connect(&plain, &lbb.port), 0);
	CHECK_EQ(port_send(&plain, 0, t.ptr, 64, true), 64);
	CHECK(lbb.port.waiting[0] == NULL);
	CHECK_EQ(plain.stats[0].tx_packets, 10);
	CHECK_EQ(plain.stats[0].drops[PORT_DROP_QUEUE_FULL], 54);
	CHECK_EQ(lbb.port.stats[0].rx_packets, 20);
	loopback_release(&lbb);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_held_then_gone() - link down or disconnect resumes a held sender,
 * whose frames are then dropped, not stranded
 */
static void test_held_then_gone(void)
{
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 40, 60), 0);
	pair(1);
	loopback_set_capacity(&lbb, 4);
	CHECK_EQ(loopback_send(&lba, 0, t.ptr, 20), 4);
	port_set_link(&lbb.port, false);
	CHECK_EQ(lba.resumes[0], 1);
	CHECK_EQ(lba.npending[0], 0);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_LINK_DOWN], 16);
	port_set_link(&lbb.port, true);
	loopback_release(&lbb);

	CHECK_EQ(loopback_send(&lba, 0, t.ptr + 20, 20), 4);
	port_disconnect(&lba.port);
	CHECK_EQ(lba.resumes[0], 2);
	CHECK_EQ(lba.npending[0], 0);
	CHECK_EQ(lba.port.stats[0].drops[PORT_DROP_NO_PEER], 16);
	CHECK_EQ(lba.port.stats[0].tx_packets, 8);
	CHECK_EQ(lba.port.stats[0].tx_packets + drops(&lba.port, 0), 40);
	loopback_release(&lbb);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_echo() - an echoing peer sends each frame straight back
 */
static void test_echo(void)
{
	struct tframes t;
	unsigned int i;

	CHECK_EQ(tframes_new(&t, 64, 1500), 0);
	pair(1);
	lbb.echo = true;
	CHECK_EQ(port_send(&lba.port, 0, t.ptr, 64, true), 64);
	CHECK_EQ(lba.received[0], 64);
	for (i = 0; i < 64; i++)
		CHECK_EQ(lba.log[0][i], i);
	check_link(&lba.port, &lbb.port, 0);
	check_link(&lbb.port, &lba.port, 0);
	CHECK_EQ(lbb.port.stats[0].tx_bytes, 64 * 1500);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_multiqueue() - every queue counts on its own; sums add them up
 */
static void test_multiqueue(void)
{
	struct port_stats sum;
	struct tframes t;
	unsigned int q;

	CHECK_EQ(tframes_new(&t, 64, 100), 0);
	pair(4);
	loopback_set_capacity(&lbb, 8);
	lba.holdable = false;
	for (q = 0; q < 4; q++)
		CHECK_EQ(loopback_send(&lba, q, t.ptr, 4 * (q + 1)),
			 4 * (q + 1));
	for (q = 0; q < 4; q++) {
		unsigned int sent = 4 * (q + 1), took = sent < 8 ? sent : 8;

		CHECK_EQ(lba.port.stats[q].tx_packets, took);
		CHECK_EQ(lba.port.stats[q].tx_bytes, took * 100);
		CHECK_EQ(lba.port.stats[q].drops[PORT_DROP_QUEUE_FULL],
			 sent - took);
		CHECK_EQ(lbb.port.stats[q].rx_packets, took);
		CHECK_EQ(lbb.received[q], took);
		check_link(&lba.port, &lbb.port, q);
	}
	port_count_drop(&lba.port, 3, PORT_DROP_FILTER, 5);
	port_stats_sum(&lba.port, &sum);
	CHECK_EQ(sum.tx_packets, 4 + 8 + 8 + 8);
	CHECK_EQ(sum.tx_bytes, 28 * 100);
	CHECK_EQ(sum.drops[PORT_DROP_QUEUE_FULL], 4 + 8);
	CHECK_EQ(sum.drops[PORT_DROP_FILTER], 5);
	CHECK_EQ(port_stats_drops(&sum), 17);
	CHECK_EQ(lba.port.stats[2].drops[PORT_DROP_FILTER], 0);
	loopback_release(&lbb);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_balance() - a mixed run: offered = tx + drops + pending, exactly
 */
static void test_balance(void)
{
	unsigned int i, offered = 0;
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 300, 60), 0);
	for (i = 0; i < 300; i += 7)
		t.f[i].len = i % 2 ? 3 : FRAME_MAX_LEN + 9;
	pair(1);
	loopback_set_capacity(&lbb, 50);
	for (i = 0; i < 300; i += 30) {
		if (i == 120)
			port_set_link(&lba.port, false);
		if (i == 180)
			port_set_link(&lba.port, true);
		if (i == 240)
			lba.holdable = false;
		CHECK(loopback_send(&lba, 0, t.ptr + i, 30) <= 30);
		offered += 30;
		CHECK_EQ(lba.port.stats[0].tx_packets + drops(&lba.port, 0) +
				 lba.npending[0],
			 offered);
		check_link(&lba.port, &lbb.port, 0);
		CHECK_EQ(lbb.received[0], lbb.port.stats[0].rx_packets);
		if (i % 60 == 30)
			loopback_drain(&lbb, 0, 50);
	}
	while (lba.npending[0] || lbb.nkept[0])
		loopback_drain(&lbb, 0, 50);
	CHECK_EQ(lba.port.stats[0].tx_packets + drops(&lba.port, 0), 300);
	CHECK(lba.port.stats[0].drops[PORT_DROP_RUNT] > 0);
	CHECK(lba.port.stats[0].drops[PORT_DROP_GIANT] > 0);
	CHECK(lba.port.stats[0].drops[PORT_DROP_LINK_DOWN] > 0);
	CHECK(lba.port.stats[0].drops[PORT_DROP_QUEUE_FULL] > 0);
	check_link(&lba.port, &lbb.port, 0);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

/**
 * test_drop_names() - every reason has a stable, unique snake_case name
 */
static void test_drop_names(void)
{
	unsigned int r, s;
	const char *n;

	CHECK(!strcmp(port_drop_name(PORT_DROP_LINK_DOWN), "link_down"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_NO_PEER), "no_peer"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_QUEUE_FULL), "queue_full"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_RUNT), "runt"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_GIANT), "giant"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_BAD_VNET), "bad_vnet_hdr"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_MALFORMED), "malformed"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_NO_BUFFER), "no_rx_buffer"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_IO_ERROR), "io_error"));
	CHECK(!strcmp(port_drop_name(PORT_DROP_FILTER), "filtered"));
	CHECK(port_drop_name(PORT_DROP_COUNT) == NULL);
	CHECK(port_drop_name((enum port_drop) - 1) == NULL);
	for (r = 0; r < PORT_DROP_COUNT; r++) {
		n = port_drop_name((enum port_drop)r);
		CHECK(n && *n);
		for (; *n; n++)
			CHECK(islower((unsigned char)*n) || *n == '_');
		for (s = 0; s < r; s++)
			CHECK(strcmp(port_drop_name((enum port_drop)r),
				     port_drop_name((enum port_drop)s)));
	}
}

int main(void)
{
	test_init_connect();
	test_peer_delivery();
	test_link_down();
	test_no_peer();
	test_runts();
	test_backpressure();
	test_not_holdable();
	test_held_then_gone();
	test_echo();
	test_multiqueue();
	test_balance();
	test_drop_names();
	return 0;
}
