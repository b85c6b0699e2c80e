// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_frames.c: frames both ways between a front-end and a veth peer in another namespace, through the io_uring tap and a bridge. */

#include <errno.h>
#include <string.h>

#include "tests/netns/tapbe.h"

#define N_FRAMES 3000

/* Front-end -> tap -> bridge -> tbva -> tbvb (namespace B). */
static void to_peer(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		    unsigned int len, uint32_t base)
{
	static uint8_t seen[TB_SEQ_MAX];
	uint64_t got = 0, end = uloop_now() + 10000000000ull;
	unsigned int i, c = 0;

	memset(seen, 0, sizeof(seen));
	e->len = len;
	e->next_seq[0] = base;
	tfe_send(e, 0, N_FRAMES);
	while (uloop_now() < end && got < N_FRAMES) {
		uloop_run_once(loop, 1000000);
		tb_pkt_drain(tp, seen, &got);
	}
	for (i = base; i < base + N_FRAMES; i++)
		c += seen[i];
	printf("front-end -> peer, %u bytes: %u of %u\n", len, c, N_FRAMES);
	TB_CHECK_EQ(c, N_FRAMES);
}

/* tbvb -> tbva -> bridge -> tap -> front-end. */
static void from_peer(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		      unsigned int len, uint32_t base)
{
	uint64_t end = uloop_now() + 10000000000ull;
	uint32_t seq = base;
	unsigned int c, burst;

	memset(e->seen, 0, TB_SEQ_MAX);
	while (uloop_now() < end) {
		/* bursts below the tap's txqueuelen (1000): the kernel drops
		 * (and counts) past it while qnet is not reading */
		for (burst = 0; burst < 256 && seq < base + N_FRAMES &&
		     tb_pkt_send(tp, len, seq) == 0; burst++)
			seq++;
		uloop_run_once(loop, 1000000);
		tb_pkt_drain(tp, NULL, NULL);
		if (tfe_seen_count(e, base + N_FRAMES) >= N_FRAMES)
			break;
	}
	c = tfe_seen_count(e, base + N_FRAMES);
	printf("peer -> front-end, %u bytes: %u of %u (last len %u)\n", len, c,
	       N_FRAMES, e->last_len);
	TB_CHECK_EQ(c, N_FRAMES);
	TB_CHECK_EQ(e->last_len, len);
}

int main(void)
{
	struct tap_config cfg = { .ifname = "tbtap%d", .script = "no",
				  .downscript = "no" };
	struct port_stats fs, ts;
	struct tap_stats st;
	struct tb_topo tp;
	struct tap_err err;
	struct uloop loop;
	struct tfe e;
	struct tap *t;

	tb_enter();
	tb_topo_up(&tp, false);
	tb_tap_open(&t, &loop, &cfg, "t0", &err);
	TB_CHECK(!strncmp(tap_ifname(t), "tbtap", 5));
	TB_CHECK(tap_has_vnet_hdr(t) && tap_created(t));
	tb_topo_add_tap(&tp, tap_ifname(t));
	tfe_init(&e, 1, 64);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	tfe_attach(&e, 0, &loop);
	tb_run(&loop, &tp, NULL, NULL, 100);

	to_peer(&loop, &tp, &e, 64, 0);
	to_peer(&loop, &tp, &e, 1500, N_FRAMES);
	from_peer(&loop, &tp, &e, 64, 0);
	from_peer(&loop, &tp, &e, 1500, N_FRAMES);

	tap_get_stats(t, &st);
	port_stats_sum(&e.port, &fs);
	port_stats_sum(tap_port(t), &ts);
	printf("tap: tx %lu (copied %lu, in place %lu), rx %lu, fails %lu\n",
	       (unsigned long)st.tx_frames, (unsigned long)st.tx_copied,
	       (unsigned long)st.tx_zerocopy, (unsigned long)st.rx_frames,
	       (unsigned long)st.write_fails);
	/* every frame the front-end offered was taken and written */
	TB_CHECK_EQ(fs.tx_packets, 2 * N_FRAMES);
	TB_CHECK_EQ(port_stats_drops(&fs), 0);
	TB_CHECK_EQ(ts.rx_packets, fs.tx_packets);
	TB_CHECK_EQ(st.tx_frames, 2 * N_FRAMES);
	TB_CHECK_EQ(st.tx_copied, N_FRAMES);
	TB_CHECK_EQ(st.tx_zerocopy, N_FRAMES);
	TB_CHECK_EQ(st.write_fails, 0);
	/* what the tap read, it delivered (the link counters agree) */
	TB_CHECK_EQ(ts.tx_packets + port_stats_drops(&ts), st.rx_frames);
	TB_CHECK_EQ(fs.rx_packets, ts.tx_packets);
	TB_CHECK(fs.rx_packets >= 2 * N_FRAMES);

	tfe_detach(&e, 0, &loop);
	port_disconnect(&e.port);
	tap_close(t);
	tfe_fini(&e);
	tb_topo_down(&tp);
	uloop_fini(&loop);
	printf("ok\n");
	return 0;
}
