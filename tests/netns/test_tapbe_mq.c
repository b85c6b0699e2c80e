// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_mq.c: queues=2 (IFF_MULTI_QUEUE), one queue pair per worker: flows spread over both queues, both queues send. */

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/uring/uworker.h"
#include "tests/netns/tapbe.h"

#define NQ 2
#define N_FLOW_FRAMES 2048
#define N_SEND 500

struct qarg {
	struct tap *t;
	struct tfe *e;
	unsigned int q;
	int ret;
};

static int q_start(struct uloop *loop, void *arg)
{
	struct qarg *a = arg;
	int ret = tap_queue_start(a->t, a->q, loop);

	if (!ret)
		tfe_attach(a->e, a->q, loop);
	return ret;
}

static int q_send(struct uloop *loop, void *arg)
{
	struct qarg *a = arg;

	a->e->next_seq[a->q] = a->q * 100000;
	tfe_send(a->e, a->q, N_SEND);
	return 0;
}

static int q_stop(struct uloop *loop, void *arg)
{
	struct qarg *a = arg;
	int ret = tap_queue_stop(a->t, a->q);

	if (!ret)
		tfe_detach(a->e, a->q, loop);
	return ret;
}

/* A UDP/IPv4 frame from namespace B with source port @sport. */
static void send_flow(struct tb_topo *tp, uint16_t sport)
{
	uint8_t b[64] = { 0 };
	uint16_t p = htons(sport);

	memset(b, 0xff, 6);
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x0b", 6);
	b[12] = 0x08;
	b[14] = 0x45;
	b[17] = 50;
	b[22] = 64;
	b[23] = 17;
	memcpy(b + 26, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	memcpy(b + 34, &p, 2);
	b[36] = 0x13;
	b[37] = 0x88;
	b[39] = 30;
	while (send(tp->pkt, b, sizeof(b), 0) < 0 && errno == EAGAIN)
		usleep(100);
}

int main(void)
{
	struct tap_config cfg = { .ifname = "tbmq%d", .script = "no",
				  .downscript = "no", .queues = NQ };
	static uint8_t seen[TB_SEQ_MAX];
	struct uworker w[NQ];
	struct qarg a[NQ];
	struct tb_topo tp;
	struct tfe e;
	struct tap *t;
	uint64_t got = 0, end;
	unsigned int q, i, c = 0;
	int ret;

	tb_enter();
	tb_topo_up(&tp, false);
	TB_CHECK_EQ(tap_create(&t, &cfg, "t0", NULL), 0);
	TB_CHECK_EQ(tap_queues(t), NQ);
	tb_topo_add_tap(&tp, tap_ifname(t));
	tfe_init(&e, NQ, 100);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	for (q = 0; q < NQ; q++) {
		TB_CHECK(uworker_start(&w[q], q ? "tap-q1" : "tap-q0", NULL, 0) == 0);
		a[q] = (struct qarg){ .t = t, .e = &e, .q = q };
		ret = uworker_call(&w[q], q_start, &a[q]);
		if (ret == -EOPNOTSUPP) {
			printf("SKIP: kernel lacks multishot read (6.7)\n");
			return TB_SKIP;
		}
		TB_CHECK_EQ(ret, 0);
	}
	usleep(100000);

	/* 64 flows from B: the tap's flow hash spreads them over the queues */
	for (i = 0; i < N_FLOW_FRAMES; i++) {
		send_flow(&tp, (uint16_t)(20000 + i % 64));
		if (i % 32 == 31)
			usleep(500);
	}
	end = uloop_now() + 3000000000ull;
	while (uloop_now() < end && e.rx[0] + e.rx[1] < N_FLOW_FRAMES)
		usleep(10000);
	printf("flows in: queue 0 got %lu, queue 1 got %lu\n",
	       (unsigned long)e.rx[0], (unsigned long)e.rx[1]);
	TB_CHECK(e.rx[0] + e.rx[1] >= N_FLOW_FRAMES);
	TB_CHECK(e.rx[0] > N_FLOW_FRAMES / 16 && e.rx[1] > N_FLOW_FRAMES / 16);

	/* both queues send */
	for (q = 0; q < NQ; q++)
		TB_CHECK(uworker_call(&w[q], q_send, &a[q]) == 0);
	end = uloop_now() + 5000000000ull;
	while (uloop_now() < end && got < NQ * N_SEND) {
		tb_pkt_drain(&tp, seen, &got);
		usleep(1000);
	}
	for (q = 0; q < NQ; q++)
		for (i = 0; i < N_SEND; i++)
			c += seen[q * 100000 + i];
	printf("out: %u of %u frames from both queues arrived\n", c,
	       NQ * N_SEND);
	TB_CHECK_EQ(c, NQ * N_SEND);
	TB_CHECK(tap_port(t)->stats[0].rx_packets == N_SEND &&
		 tap_port(t)->stats[1].rx_packets == N_SEND);

	for (q = 0; q < NQ; q++) {
		while ((ret = uworker_call(&w[q], q_stop, &a[q])) == -EINPROGRESS)
			usleep(1000);
		TB_CHECK_EQ(ret, 0);
		TB_CHECK(uworker_stop(&w[q]) == 0);
	}
	port_disconnect(&e.port);
	tap_destroy(t);
	tfe_fini(&e);
	tb_topo_down(&tp);
	printf("ok\n");
	return 0;
}
