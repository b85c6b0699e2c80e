// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_fault.c: tap set down and deleted under traffic: link down, counted drops, no busy loop, reattach with a fresh fd (T-51, T-74). */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tests/netns/tapbe.h"

/* CPU time of the process, in ms. */
static uint64_t cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* Run until @cond or 3 s; return whether it held. */
#define RUN_UNTIL(loop, tp, cond)                                              \
	({                                                                     \
		uint64_t end_ = uloop_now() + 3000000000ull;                   \
		while (!(cond) && uloop_now() < end_)                          \
			tb_run(loop, tp, NULL, NULL, 5);                       \
		(cond);                                                        \
	})

/* Traffic both ways: all of it must arrive. */
static void traffic_ok(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		       uint32_t base)
{
	static uint8_t seen[TB_SEQ_MAX];
	uint64_t got = 0, end = uloop_now() + 5000000000ull;
	uint32_t seq = base;

	memset(seen, 0, sizeof(seen));
	memset(e->seen, 0, TB_SEQ_MAX);
	e->next_seq[0] = base;
	tfe_send(e, 0, 500);
	while (uloop_now() < end &&
	       (got < 500 || tfe_seen_count(e, base + 500) < 500)) {
		if (seq < base + 500 && tb_pkt_send(tp, 100, seq) == 0)
			seq++;
		uloop_run_once(loop, 1000000);
		tb_pkt_drain(tp, seen, &got);
	}
	printf("traffic from %u: %lu out, %u in\n", base, (unsigned long)got,
	       tfe_seen_count(e, base + 500));
	TB_CHECK_EQ(got, 500);
	TB_CHECK_EQ(tfe_seen_count(e, base + 500), 500);
}

/* The link is down: the loop stays quiet (no spin on a dead tap). */
static void quiet(struct uloop *loop, struct tb_topo *tp, struct tfe *e)
{
	uint64_t c0 = uloop_stats(loop)->cqes, cpu0;

	e->to_send[0] = 0;
	tb_run(loop, tp, NULL, NULL, 50);
	c0 = uloop_stats(loop)->cqes;
	cpu0 = cpu_ms();
	/* block in the kernel: only the probe timer may wake the loop */
	for (uint64_t end = uloop_now() + 1000000000ull; uloop_now() < end;)
		uloop_run_once(loop, 200000000);
	printf("1 s with the link down: %lu completions, %lu ms CPU\n",
	       (unsigned long)(uloop_stats(loop)->cqes - c0),
	       (unsigned long)(cpu_ms() - cpu0));
	TB_CHECK(uloop_stats(loop)->cqes - c0 < 50);
	TB_CHECK(cpu_ms() - cpu0 < 100);
}

/* Link flap: down under traffic, then up. */
static void flap(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		 struct tap *t)
{
	struct port_stats fs, ts;
	unsigned int lc = e->link_changes;

	e->len = 100;
	tfe_send(e, 0, 1000000);
	tb_run(loop, tp, NULL, NULL, 20);
	TB_CHECK(rtnl_link_set_up(tp->ra, tap_ifname(t), false, NULL, 0) == 0);
	TB_CHECK(RUN_UNTIL(loop, tp, tap_link_state(t) == TAP_LINK_DOWN));
	TB_CHECK(!tap_port(t)->link_up && e->link_changes > lc);
	tb_run(loop, tp, NULL, NULL, 50);
	port_stats_sum(&e->port, &fs);
	port_stats_sum(tap_port(t), &ts);
	printf("down: link_down drops %lu at the front-end, io_error %lu at "
	       "the tap\n", (unsigned long)fs.drops[PORT_DROP_LINK_DOWN],
	       (unsigned long)ts.drops[PORT_DROP_IO_ERROR]);
	TB_CHECK(fs.drops[PORT_DROP_LINK_DOWN] > 0);
	quiet(loop, tp, e);
	TB_CHECK(rtnl_link_set_up(tp->ra, tap_ifname(t), true, NULL, 0) == 0);
	TB_CHECK(RUN_UNTIL(loop, tp, tap_link_state(t) == TAP_LINK_UP));
	TB_CHECK(tap_port(t)->link_up);
	traffic_ok(loop, tp, e, 10000);
}

/* Open a fresh tap fd as a manager would, and bridge it. */
static int fresh_fd(struct tb_topo *tp, char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	TB_CHECK(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, "tbnew0");
	TB_CHECK(ioctl(fd, TUNSETIFF, &ifr) == 0);
	strcpy(name, ifr.ifr_name);
	tb_topo_add_tap(tp, name);
	return fd;
}

/* Deleted under traffic, then a fresh fd. */
static void deleted(struct uloop *loop, struct tb_topo *tp, struct tfe *e,
		    struct tap *t)
{
	char name[IFNAMSIZ];
	struct tap_stats st;
	int fd, ret;

	e->len = 1500;
	tfe_send(e, 0, 1000000);
	tb_run(loop, tp, NULL, NULL, 20);
	TB_CHECK(rtnl_link_del(tp->ra, tap_ifname(t), NULL, 0) == 0);
	TB_CHECK(RUN_UNTIL(loop, tp, tap_link_state(t) == TAP_LINK_GONE));
	TB_CHECK(!tap_port(t)->link_up);
	quiet(loop, tp, e);
	tap_get_stats(t, &st);
	printf("deleted: link %s, carrier lost %lu times, write fails %lu\n",
	       tap_link_name(tap_link_state(t)),
	       (unsigned long)st.carrier_lost, (unsigned long)st.write_fails);
	TB_CHECK(st.carrier_lost >= 2);
	fd = fresh_fd(tp, name);
	do {
		ret = tap_reattach(t, 0, fd);
		if (ret == -EBUSY)
			tb_run(loop, tp, NULL, NULL, 5);
	} while (ret == -EBUSY);
	TB_CHECK_EQ(ret, 0);
	TB_CHECK(!strcmp(tap_ifname(t), name));
	TB_CHECK(tap_link_state(t) == TAP_LINK_UP && tap_port(t)->link_up);
	traffic_ok(loop, tp, e, 20000);
	tap_get_stats(t, &st);
	TB_CHECK_EQ(st.reattached, 1);
}

int main(void)
{
	struct tap_config cfg = { .ifname = "tbtap%d", .script = "no",
				  .downscript = "no" };
	struct tb_topo tp;
	struct uloop loop;
	struct tfe e;
	struct tap *t;

	tb_enter();
	tb_topo_up(&tp, false);
	tb_tap_open(&t, &loop, &cfg, "t0", NULL);
	tb_topo_add_tap(&tp, tap_ifname(t));
	tfe_init(&e, 1, 100);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	tfe_attach(&e, 0, &loop);
	tb_run(&loop, &tp, NULL, NULL, 100);
	traffic_ok(&loop, &tp, &e, 0);

	flap(&loop, &tp, &e, t);
	deleted(&loop, &tp, &e, t);

	tfe_detach(&e, 0, &loop);
	port_disconnect(&e.port);
	tap_close(t);
	tfe_fini(&e);
	tb_topo_down(&tp);
	uloop_fini(&loop);
	printf("ok\n");
	return 0;
}
