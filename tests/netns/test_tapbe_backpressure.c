// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_backpressure.c: a full tap holds the front-end and nothing is lost (T-52/T-58), both directions, txqueuelen 1. */

#include <errno.h>
#include <string.h>

#include "tests/netns/tapbe.h"

#define N_OUT 4000
#define N_IN 200
#define N_DRY 400

/*
 * Front-end -> tap -> bridge -> tbva, whose egress is a 40 Mbit/s token
 * bucket (the slow reader) and whose txqueuelen is 1; the tap's send
 * buffer is 32 KiB. Writes then wait for buffer space in the kernel, the
 * tap's write slots fill, the front-end is held and resumed: every frame
 * arrives, none is dropped anywhere.
 */
static void slow_egress(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
			struct tap *t)
{
	static uint8_t seen[TB_SEQ_MAX];
	uint64_t got = 0, end = uloop_now() + 30000000000ull;
	struct port_stats fs;
	struct tap_stats st;
	unsigned int i, c = 0;

	e->len = 1000;
	tfe_send(e, 0, N_OUT);
	while (uloop_now() < end && got < N_OUT) {
		uloop_run_once(loop, 1000000);
		tb_pkt_drain(tp, seen, &got);
	}
	for (i = 0; i < N_OUT; i++)
		c += seen[i];
	tap_get_stats(t, &st);
	port_stats_sum(&e->port, &fs);
	printf("slow egress: %u of %u arrived; tap held the sender %lu times, "
	       "woke it %lu times; front-end resumed %lu times\n", c, N_OUT,
	       (unsigned long)st.held, (unsigned long)st.woken,
	       (unsigned long)e->resumes);
	TB_CHECK_EQ(c, N_OUT);
	TB_CHECK(st.held > 0 && e->resumes > 0);
	TB_CHECK_EQ(port_stats_drops(&fs), 0);
	TB_CHECK_EQ(st.write_fails, 0);
	TB_CHECK_EQ(fs.tx_packets, N_OUT);
}

/*
 * tbvb -> tap -> a stalled front-end: the tap is held, keeps reading into
 * its buffer ring (256 buffers; the tap's txqueuelen is 1), and delivers
 * all of it when the front-end takes frames again.
 */
static void stalled_front_end(struct uloop *loop, struct tb_topo *tp,
			      struct tfe *e, struct tap *t)
{
	struct rtnl_link l;
	struct tap_stats st;
	uint32_t seq = 0;
	unsigned int c, k;

	memset(e->seen, 0, TB_SEQ_MAX);
	e->stall = true;
	while (seq < N_IN) {
		/* one frame per loop turn: with txqueuelen 1 the tun's own
		 * ring holds one frame, and the kernel drops (and counts in
		 * tx_dropped) a second one that comes before the read */
		for (k = 0; k < 1 && seq < N_IN; k++)
			if (tb_pkt_send(tp, 100, seq) == 0)
				seq++;
		tb_run(loop, tp, NULL, NULL, 1);
	}
	tb_run(loop, tp, NULL, NULL, 100);
	tap_get_stats(t, &st);
	c = tfe_seen_count(e, N_IN);
	printf("stalled front-end: %u delivered while stalled, tap held %lu "
	       "times\n", c, (unsigned long)st.rx_held);
	TB_CHECK_EQ(c, 0);
	TB_CHECK(st.rx_held > 0);
	tfe_unstall(e, 0);
	tb_run(loop, tp, NULL, NULL, 200);
	c = tfe_seen_count(e, N_IN);
	TB_CHECK(rtnl_link_get(tp->ra, tap_ifname(t), &l, NULL, 0) == 0);
	printf("after resume: %u of %u delivered; tap tx_dropped (kernel) %lu\n",
	       c, N_IN, (unsigned long)l.tx_dropped);
	TB_CHECK_EQ(c, N_IN);
	TB_CHECK_EQ(l.tx_dropped, 0);
}

/*
 * More than the ring holds while stalled: the read ends with -ENOBUFS and
 * is re-armed when buffers come back; what the kernel could not queue
 * (txqueuelen 1) it counts in tx_dropped: delivered + dropped = sent.
 */
static void ring_dry(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		     struct tap *t)
{
	struct rtnl_link l0, l;
	struct tap_stats st;
	uint32_t seq = 0;
	unsigned int c;

	TB_CHECK(rtnl_link_get(tp->ra, tap_ifname(t), &l0, NULL, 0) == 0);
	memset(e->seen, 0, TB_SEQ_MAX);
	e->stall = true;
	while (seq < N_DRY) {
		if (tb_pkt_send(tp, 100, seq) == 0)
			seq++;
		tb_run(loop, tp, NULL, NULL, 1);
	}
	tfe_unstall(e, 0);
	tb_run(loop, tp, NULL, NULL, 200);
	/* the read was re-armed: fresh frames flow again */
	for (seq = N_DRY; seq < N_DRY + 50; seq++) {
		TB_CHECK(tb_pkt_send(tp, 100, seq) == 0);
		tb_run(loop, tp, NULL, NULL, 1);
	}
	tb_run(loop, tp, NULL, NULL, 100);
	tap_get_stats(t, &st);
	TB_CHECK(rtnl_link_get(tp->ra, tap_ifname(t), &l, NULL, 0) == 0);
	c = tfe_seen_count(e, N_DRY);
	printf("ring dry: %u delivered + %lu dropped by the kernel of %u; "
	       "ENOBUFS %lu; after: %u of 50\n", c,
	       (unsigned long)(l.tx_dropped - l0.tx_dropped), N_DRY,
	       (unsigned long)st.rx_enobufs,
	       tfe_seen_count(e, N_DRY + 50) - c);
	TB_CHECK(st.rx_enobufs > 0);
	TB_CHECK_EQ(c + (l.tx_dropped - l0.tx_dropped), N_DRY);
	TB_CHECK_EQ(tfe_seen_count(e, N_DRY + 50) - c, 50);
}

int main(void)
{
	struct tap_config cfg = { .ifname = "tbtap%d", .script = "no",
				  .downscript = "no", .sndbuf = 32768 };
	char err[RTNL_ERR_MAX];
	struct tb_topo tp;
	struct uloop loop;
	struct tfe e;
	struct tap *t;

	tb_enter();
	tb_topo_up(&tp, false);
	tb_tap_open(&t, &loop, &cfg, "t0", NULL);
	tb_topo_add_tap(&tp, tap_ifname(t));
	TB_CHECK(rtnl_link_set_txqlen(tp.ra, tap_ifname(t), 1, err,
				      sizeof(err)) == 0);
	TB_CHECK(rtnl_link_set_txqlen(tp.ra, TB_VA, 1, err, sizeof(err)) == 0);
	tb_sh("tc qdisc add dev " TB_VA
	      " root tbf rate 40mbit burst 4000 limit 8000000");
	tfe_init(&e, 1, 1000);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	tfe_attach(&e, 0, &loop);
	tb_run(&loop, &tp, NULL, NULL, 100);

	slow_egress(&loop, &tp, &e, t);
	stalled_front_end(&loop, &tp, &e, t);
	ring_dry(&loop, &tp, &e, t);

	tfe_detach(&e, 0, &loop);
	port_disconnect(&e.port);
	tap_close(t);
	tfe_fini(&e);
	tb_topo_down(&tp);
	uloop_fini(&loop);
	printf("ok\n");
	return 0;
}
