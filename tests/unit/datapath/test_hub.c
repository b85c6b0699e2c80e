/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hub.c: hubs: fan-out, hold queues, flush on wake, backpressure,
 * counters. */
#include <errno.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "datapath/hub.h"
#include "tests/unit/datapath/loopback.h"
#include "tests/unit/datapath/tframe.h"

#define NLB 4

static struct loopback lb[NLB];
static struct hub hub;

/**
 * check_hub() - the counter invariants of every port and queue of @h
 * @h:	the hub
 *
 * Per hub port and queue: frames the hub handed it = its tx + its drops +
 * frames still in its hold queue; its link balances with its peer; and
 * every frame taken in was handed to each of the other ports.
 */
static void check_hub(const struct hub *h)
{
	uint64_t fwd = 0, in = 0;
	unsigned int j, q;

	for (j = 0; j < h->nports; j++) {
		const struct hub_port *hp = &h->ports[j];

		for (q = 0; q < h->nqueues; q++) {
			const struct port_stats *st = &hp->port.stats[q];
			const struct port *peer = hp->port.peer;

			CHECK_EQ(hp->fwd_packets[q],
				 st->tx_packets + port_stats_drops(st) +
					 hp->q[q].count);
			CHECK_EQ(hub_port_forwarded(&hp->port, q),
				 hp->fwd_packets[q]);
			CHECK_EQ(hub_port_queued(&hp->port, q), hp->q[q].count);
			if (peer) {
				CHECK_EQ(st->tx_packets,
					 peer->stats[q].rx_packets);
				CHECK_EQ(st->tx_bytes, peer->stats[q].rx_bytes);
				CHECK_EQ(st->rx_packets,
					 peer->stats[q].tx_packets);
			}
			fwd += hp->fwd_packets[q];
			in += st->rx_packets;
		}
	}
	CHECK_EQ(fwd, in * (h->nports - 1));
}

/**
 * setup() - a hub of @n ports, port i peered with loopback i
 * @n:		ports (at most NLB)
 * @nq:		queues
 * @qlen:	hold queue length
 */
static void setup(unsigned int n, unsigned int nq, unsigned int qlen)
{
	static const char *const names[NLB] = {"lb0", "lb1", "lb2", "lb3"};
	struct port *p;
	unsigned int i;

	CHECK_EQ(hub_init(&hub, 0, n, nq, qlen), 0);
	for (i = 0; i < n; i++) {
		CHECK_EQ(hub_add_port(&hub, NULL, &p), 0);
		CHECK_EQ(loopback_init(&lb[i], names[i], nq), 0);
		CHECK_EQ(port_connect(p, &lb[i].port), 0);
	}
}

/**
 * teardown() - destroy the hub, release the loopbacks and the frames
 * @t:	the test frames, each of which must end released exactly once
 */
static void teardown(struct tframes *t)
{
	unsigned int i;

	hub_destroy(&hub);
	for (i = 0; i < NLB; i++)
		loopback_release(&lb[i]);
	tframes_put_all(t);
	CHECK(tframes_each_released_once(t));
	tframes_free(t);
}

/**
 * test_setup_errors() - sizes, names, the port limit, foreign ports
 */
static void test_setup_errors(void)
{
	struct port *p[3];
	struct hub h;

	CHECK_EQ(hub_init(&h, 0, 0, 1, 8), -EINVAL);
	CHECK_EQ(hub_init(&h, 0, HUB_MAX_PORTS + 1, 1, 8), -EINVAL);
	CHECK_EQ(hub_init(&h, 0, 2, 0, 8), -EINVAL);
	CHECK_EQ(hub_init(&h, 0, 2, PORT_MAX_QUEUES + 1, 8), -EINVAL);
	CHECK_EQ(hub_init(&h, 0, 2, 1, HUB_QUEUE_MAX + 1), -EINVAL);
	CHECK_EQ(hub_init(&h, -1, 2, 1, HUB_QUEUE_DEFAULT), 0);
	CHECK_EQ(hub_add_port(&h, NULL, &p[0]), 0);
	CHECK_EQ(hub_add_port(&h, "custom", &p[1]), 0);
	CHECK_EQ(hub_add_port(&h, NULL, &p[2]), -ENOSPC);
	CHECK(!strcmp(p[0]->name, "hub-1port0"));
	CHECK(!strcmp(p[1]->name, "custom"));
	CHECK(p[0]->kind == PORT_HUBPORT && p[0]->hub == &h);
	CHECK(hub_port_of(p[1]) == &h.ports[1]);
	CHECK_EQ(h.ports[1].index, 1);
	CHECK_EQ(loopback_init(&lb[0], "x", 1), 0);
	CHECK(hub_port_of(&lb[0].port) == NULL);
	CHECK_EQ(hub_port_queued(&lb[0].port, 0), 0);
	CHECK_EQ(hub_port_forwarded(&lb[0].port, 0), 0);
	hub_destroy(&h);
	hub_destroy(&h);

	CHECK_EQ(hub_init(&h, 7, 1, 1, 0), 0);
	CHECK_EQ(hub_add_port(&h, NULL, &p[0]), 0);
	CHECK(!strcmp(p[0]->name, "hub7port0"));
	hub_destroy(&h);
}

/**
 * test_fanout() - with N = 2, 3, 4 ports, each frame reaches every port
 * but its source, in order
 */
static void test_fanout(void)
{
	unsigned int n, i, j, k;
	struct tframes t;

	for (n = 2; n <= 4; n++) {
		CHECK_EQ(tframes_new(&t, n * 8, 64 * n), 0);
		setup(n, 1, 16);
		for (i = 0; i < n; i++) {
			CHECK_EQ(loopback_send(&lb[i], 0, t.ptr + i * 8, 8), 8);
			check_hub(&hub);
		}
		for (j = 0; j < n; j++) {
			unsigned int at = 0;

			CHECK_EQ(lb[j].received[0], 8 * (n - 1));
			for (i = 0; i < n; i++) {
				if (i == j)
					continue;
				for (k = 0; k < 8; k++)
					CHECK_EQ(lb[j].log[0][at++], i * 8 + k);
			}
			CHECK_EQ(hub.ports[j].port.stats[0].rx_packets, 8);
			CHECK_EQ(hub.ports[j].port.stats[0].tx_packets,
				 8 * (n - 1));
			CHECK_EQ(hub.ports[j].port.stats[0].tx_bytes,
				 8 * (n - 1) * 64 * n);
			CHECK_EQ(port_stats_drops(&hub.ports[j].port.stats[0]),
				 0);
			CHECK_EQ(hub.ports[j].fwd_packets[0], 8 * (n - 1));
		}
		teardown(&t);
	}
}

/**
 * test_full_destination() - a destination that cannot take queues, drops
 * once its queue is full, and is flushed in order when its peer wakes it
 */
static void test_full_destination(void)
{
	const struct hub_port *h1;
	struct tframes t;
	unsigned int i;

	CHECK_EQ(tframes_new(&t, 20, 60), 0);
	setup(3, 1, 8);
	h1 = &hub.ports[1];
	loopback_set_capacity(&lb[1], 5);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr, 10), 10);
	CHECK_EQ(lb[2].received[0], 10);
	CHECK_EQ(lb[1].received[0], 5);
	CHECK_EQ(hub_port_queued(&h1->port, 0), 5);
	CHECK(h1->q[0].blocked);
	CHECK(lb[1].port.waiting[0] == &h1->port);
	check_hub(&hub);

	/* the other destination is open, so the source is not held */
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr + 10, 10), 10);
	CHECK_EQ(lb[2].received[0], 20);
	CHECK_EQ(lb[1].received[0], 5);
	CHECK_EQ(hub_port_queued(&h1->port, 0), 8);
	CHECK_EQ(h1->port.stats[0].drops[PORT_DROP_QUEUE_FULL], 7);
	CHECK_EQ(lb[0].port.stats[0].tx_packets, 20);
	CHECK_EQ(port_stats_drops(&lb[0].port.stats[0]), 0);
	check_hub(&hub);
	/* kept (0-4) and queued (5-12) frames hold a second reference */
	for (i = 0; i < 20; i++)
		CHECK_EQ(t.f[i].refs, i < 13 ? 2 : 1);

	CHECK_EQ(loopback_drain(&lb[1], 0, 5), 5);
	CHECK_EQ(lb[1].received[0], 10);
	CHECK_EQ(hub_port_queued(&h1->port, 0), 3);
	CHECK(h1->q[0].blocked);
	check_hub(&hub);
	CHECK_EQ(loopback_drain(&lb[1], 0, 5), 5);
	CHECK_EQ(lb[1].received[0], 13);
	CHECK_EQ(hub_port_queued(&h1->port, 0), 0);
	CHECK(!h1->q[0].blocked);
	for (i = 0; i < 13; i++)
		CHECK_EQ(lb[1].log[0][i], i);
	check_hub(&hub);
	CHECK_EQ(h1->port.stats[0].tx_packets +
			 port_stats_drops(&h1->port.stats[0]),
		 20);
	teardown(&t);
}

/**
 * test_source_held() - when every destination is blocked the hub holds the
 * source, and resumes it once a destination flushes; nothing is lost
 */
static void test_source_held(void)
{
	struct tframes t;
	unsigned int i;

	CHECK_EQ(tframes_new(&t, 20, 60), 0);
	setup(2, 1, 8);
	loopback_set_capacity(&lb[1], 4);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr, 10), 10);
	CHECK_EQ(hub_port_queued(&hub.ports[1].port, 0), 6);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr + 10, 10), 0);
	CHECK(hub.ports[0].port.waiting[0] == &lb[0].port);
	CHECK_EQ(lb[0].npending[0], 10);
	CHECK_EQ(hub.ports[0].port.stats[0].rx_packets, 10);
	check_hub(&hub);

	CHECK_EQ(loopback_drain(&lb[1], 0, 4), 4); /* flush 4 of 6 */
	CHECK_EQ(hub_port_queued(&hub.ports[1].port, 0), 2);
	CHECK_EQ(lb[0].resumes[0], 0);
	CHECK_EQ(loopback_drain(&lb[1], 0, 4), 4); /* flush 2: open */
	CHECK_EQ(lb[0].resumes[0], 1);
	CHECK_EQ(lb[0].npending[0], 0);
	CHECK_EQ(hub_port_queued(&hub.ports[1].port, 0), 8);
	check_hub(&hub);
	while (lb[1].nkept[0])
		loopback_drain(&lb[1], 0, 4);
	CHECK_EQ(lb[1].received[0], 20);
	for (i = 0; i < 20; i++)
		CHECK_EQ(lb[1].log[0][i], i);
	CHECK_EQ(port_stats_drops(&hub.ports[1].port.stats[0]), 0);
	CHECK_EQ(port_stats_drops(&lb[0].port.stats[0]), 0);
	check_hub(&hub);
	teardown(&t);
}

/**
 * test_unholdable_source() - a source that cannot be held drops as
 * queue_full when every destination is blocked
 */
static void test_unholdable_source(void)
{
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 20, 60), 0);
	setup(2, 1, 4);
	loopback_set_capacity(&lb[1], 4);
	lb[0].holdable = false;
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr, 10), 10);
	CHECK_EQ(hub.ports[1].port.stats[0].drops[PORT_DROP_QUEUE_FULL], 2);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr + 10, 10), 10);
	CHECK_EQ(lb[0].port.stats[0].drops[PORT_DROP_QUEUE_FULL], 10);
	CHECK_EQ(lb[0].port.stats[0].tx_packets, 10);
	check_hub(&hub);
	teardown(&t);
}

/**
 * test_no_queue() - with a hold queue of 0, a blocked destination drops
 */
static void test_no_queue(void)
{
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 30, 60), 0);
	setup(3, 1, 0);
	loopback_set_capacity(&lb[1], 4);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr, 10), 10);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr + 10, 10), 10);
	CHECK_EQ(hub.ports[1].port.stats[0].drops[PORT_DROP_QUEUE_FULL], 16);
	CHECK_EQ(lb[2].received[0], 20);
	check_hub(&hub);
	loopback_drain(&lb[1], 0, 4);
	CHECK(!hub.ports[1].q[0].blocked);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr + 20, 10), 10);
	CHECK_EQ(lb[1].received[0], 8);
	CHECK_EQ(lb[1].log[0][4], 20);
	check_hub(&hub);
	teardown(&t);
}

/**
 * test_destination_link_down() - a queued destination whose link goes
 * down drops its queue as link_down and opens
 */
static void test_destination_link_down(void)
{
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 20, 60), 0);
	setup(3, 1, 16);
	loopback_set_capacity(&lb[1], 2);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr, 10), 10);
	CHECK_EQ(hub_port_queued(&hub.ports[1].port, 0), 8);
	port_set_link(&lb[1].port, false);
	CHECK_EQ(hub_port_queued(&hub.ports[1].port, 0), 0);
	CHECK(!hub.ports[1].q[0].blocked);
	CHECK_EQ(hub.ports[1].port.stats[0].drops[PORT_DROP_LINK_DOWN], 8);
	check_hub(&hub);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr + 10, 10), 10);
	CHECK_EQ(hub.ports[1].port.stats[0].drops[PORT_DROP_LINK_DOWN], 18);
	CHECK_EQ(lb[2].received[0], 20);
	check_hub(&hub);
	port_set_link(&lb[1].port, true);
	teardown(&t);
}

/**
 * test_destroy_queued() - destroying a hub releases what it queued, once
 */
static void test_destroy_queued(void)
{
	struct tframes t;

	CHECK_EQ(tframes_new(&t, 40, 60), 0);
	setup(4, 1, 32);
	loopback_set_capacity(&lb[1], 2);
	loopback_set_capacity(&lb[3], 5);
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr, 40), 40);
	CHECK_EQ(hub_port_queued(&hub.ports[1].port, 0), 32);
	CHECK_EQ(hub_port_queued(&hub.ports[3].port, 0), 32);
	check_hub(&hub);
	teardown(&t); /* checks every frame released exactly once */
}

/**
 * test_multiqueue() - queues block, queue and count independently
 */
static void test_multiqueue(void)
{
	struct tframes t;
	unsigned int j;

	CHECK_EQ(tframes_new(&t, 20, 60), 0);
	setup(3, 2, 8);
	lb[1].keep = true;
	lb[1].capacity = 0; /* takes nothing on any queue */
	CHECK_EQ(loopback_send(&lb[0], 1, t.ptr, 10), 10);
	CHECK(hub.ports[1].q[1].blocked && !hub.ports[1].q[0].blocked);
	lb[1].keep = false; /* queue 0 takes everything */
	CHECK_EQ(loopback_send(&lb[0], 0, t.ptr + 10, 10), 10);
	CHECK_EQ(lb[1].received[0], 10);
	CHECK_EQ(lb[1].received[1], 0);
	CHECK_EQ(hub_port_queued(&hub.ports[1].port, 1), 8);
	CHECK_EQ(hub.ports[1].port.stats[1].drops[PORT_DROP_QUEUE_FULL], 2);
	CHECK_EQ(port_stats_drops(&hub.ports[1].port.stats[0]), 0);
	for (j = 1; j < 3; j++) {
		CHECK_EQ(hub.ports[j].fwd_packets[0], 10);
		CHECK_EQ(hub.ports[j].fwd_packets[1], 10);
	}
	CHECK_EQ(lb[2].received[1], 10);
	check_hub(&hub);
	port_wake(&lb[1].port, 1);
	CHECK_EQ(lb[1].received[1], 8);
	CHECK_EQ(lb[1].log[1][0], 0);
	check_hub(&hub);
	teardown(&t);
}

/**
 * test_hub_to_hub() - backpressure crosses two hubs joined by their ports;
 * every frame is delivered in order or counted
 */
static void test_hub_to_hub(void)
{
	struct port *a0, *a1, *b0, *b1;
	struct hub ha, hb;
	struct tframes t;
	uint64_t dropped;
	unsigned int i, guard = 0;

	CHECK_EQ(tframes_new(&t, 30, 60), 0);
	CHECK_EQ(hub_init(&ha, 1, 2, 1, 4), 0);
	CHECK_EQ(hub_init(&hb, 2, 2, 1, 4), 0);
	CHECK_EQ(hub_add_port(&ha, NULL, &a0), 0);
	CHECK_EQ(hub_add_port(&ha, NULL, &a1), 0);
	CHECK_EQ(hub_add_port(&hb, NULL, &b0), 0);
	CHECK_EQ(hub_add_port(&hb, NULL, &b1), 0);
	CHECK_EQ(loopback_init(&lb[0], "src", 1), 0);
	CHECK_EQ(loopback_init(&lb[1], "dst", 1), 0);
	CHECK_EQ(port_connect(&lb[0].port, a0), 0);
	CHECK_EQ(port_connect(a1, b0), 0);
	CHECK_EQ(port_connect(b1, &lb[1].port), 0);
	loopback_set_capacity(&lb[1], 4);
	for (i = 0; i < 30; i += 10) {
		loopback_send(&lb[0], 0, t.ptr + i, 10);
		check_hub(&ha);
		check_hub(&hb);
	}
	CHECK(lb[0].npending[0] > 0); /* the source ends up held */
	while (lb[0].npending[0] || lb[1].nkept[0] || hub_port_queued(a1, 0) ||
	       hub_port_queued(b1, 0)) {
		loopback_drain(&lb[1], 0, 4);
		check_hub(&ha);
		check_hub(&hb);
		CHECK(++guard < 100);
	}
	for (i = 1; i < lb[1].nlog[0]; i++)
		CHECK(lb[1].log[0][i] > lb[1].log[0][i - 1]);
	dropped = port_stats_drops(&a1->stats[0]) +
		  port_stats_drops(&b1->stats[0]) +
		  port_stats_drops(&lb[0].port.stats[0]);
	CHECK(dropped > 0);
	CHECK_EQ(lb[1].received[0] + dropped, 30);
	hub_destroy(&ha);
	hub_destroy(&hb);
	loopback_release(&lb[0]);
	loopback_release(&lb[1]);
	tframes_put_all(&t);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

int main(void)
{
	test_setup_errors();
	test_fanout();
	test_full_destination();
	test_source_held();
	test_unholdable_source();
	test_no_queue();
	test_destination_link_down();
	test_destroy_queued();
	test_multiqueue();
	test_hub_to_hub();
	return 0;
}
