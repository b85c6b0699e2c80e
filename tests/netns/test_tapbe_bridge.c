// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_bridge.c: -netdev bridge: qnet creates the tap, ctl enslaves it over rtnetlink, errors carry the kernel's reason, nothing is left behind. */

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "backends/bridge.h"
#include "tests/netns/tapbe.h"

static int enslave(void *ctx, const char *ifname, const char *br, char *why,
		   size_t whylen)
{
	return rtnl_enslave(ctx, ifname, br, why, whylen);
}

static const struct bridge_ops ops = { .enslave = enslave };

/* Count links in namespace A. */
static unsigned int nlinks(void)
{
	struct if_nameindex *ni = if_nameindex(), *i;
	unsigned int n = 0;

	for (i = ni; i && i->if_index; i++)
		n++;
	if_freenameindex(ni);
	return n;
}

static void traffic(struct uloop *loop, struct tb_topo *tp, struct tfe *e)
{
	static uint8_t seen[TB_SEQ_MAX];
	uint64_t got = 0, end = uloop_now() + 5000000000ull;
	uint32_t seq = 0;

	tfe_send(e, 0, 300);
	while (uloop_now() < end && (got < 300 || tfe_seen_count(e, 300) < 300)) {
		if (seq < 300 && tb_pkt_send(tp, 80, seq) == 0)
			seq++;
		uloop_run_once(loop, 1000000);
		tb_pkt_drain(tp, seen, &got);
	}
	printf("through the bridge: %lu out, %u in\n", (unsigned long)got,
	       tfe_seen_count(e, 300));
	TB_CHECK_EQ(got, 300);
	TB_CHECK_EQ(tfe_seen_count(e, 300), 300);
}

/* The good path: created, enslaved, up, traffic, removed on close. */
static void good(struct uloop *loop, struct tb_topo *tp)
{
	struct bridge_config cfg = { .br = TB_BR };
	struct rtnl_link l, br;
	char why[RTNL_ERR_MAX], name[IFNAMSIZ];
	unsigned int q, before = nlinks();
	struct tfe e;
	struct tap *t;

	TB_CHECK_EQ(bridge_open(&t, &cfg, &ops, tp->ra, "b0", NULL, why,
				sizeof(why)), 0);
	strcpy(name, tap_ifname(t));
	TB_CHECK(!strncmp(name, "qtap", 4));
	TB_CHECK(rtnl_link_get(tp->ra, name, &l, NULL, 0) == 0);
	TB_CHECK(rtnl_link_get(tp->ra, TB_BR, &br, NULL, 0) == 0);
	TB_CHECK_EQ(l.master, br.index);
	TB_CHECK(l.flags & IFF_UP);
	TB_CHECK_EQ(l.mtu, br.mtu);
	for (q = 0; q < tap_queues(t); q++)
		TB_CHECK(tap_queue_start(t, q, loop) == 0);
	tfe_init(&e, 1, 80);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	tfe_attach(&e, 0, loop);
	tb_run(loop, tp, NULL, NULL, 100);
	traffic(loop, tp, &e);
	tfe_detach(&e, 0, loop);
	port_disconnect(&e.port);
	tap_close(t);
	tfe_fini(&e);
	TB_CHECK_EQ(rtnl_link_exists(tp->ra, name), 0);
	TB_CHECK_EQ(nlinks(), before);
	printf("bridge netdev: %s created, enslaved to %s, removed on close\n",
	       name, TB_BR);
}

/* Failures: the kernel's reason, and no tap left behind. */
static void failures(struct tb_topo *tp)
{
	struct bridge_config cfg = { .br = "nosuchbr" };
	unsigned int before = nlinks();
	char why[RTNL_ERR_MAX];
	struct tap *t;
	int ret;

	ret = bridge_open(&t, &cfg, &ops, tp->ra, "b1", NULL, why, sizeof(why));
	printf("br=nosuchbr: %d (%s)\n", ret, why);
	TB_CHECK_EQ(ret, -ENODEV);
	TB_CHECK(why[0]);
	cfg.br = TB_VA;
	ret = bridge_open(&t, &cfg, &ops, tp->ra, "b2", NULL, why, sizeof(why));
	printf("br=%s: %d (%s)\n", TB_VA, ret, why);
	TB_CHECK_EQ(ret, -EINVAL);
	TB_CHECK(!strcmp(why, "not a bridge"));
	TB_CHECK_EQ(nlinks(), before);
	/* the kernel's extended ack reaches the caller */
	ret = rtnl_link_set_master(tp->ra, TB_BR, TB_BR, why, sizeof(why));
	printf("bridge into itself: %d (%s)\n", ret, why);
	TB_CHECK(ret < 0 && strstr(why, "bridge") && strcmp(why, strerror(-ret)));
}

int main(void)
{
	struct tb_topo tp;
	struct uloop loop;

	tb_enter();
	tb_topo_up(&tp, false);
	TB_CHECK(uloop_init(&loop, NULL) == 0);
	if (!(uloop_features(&loop) & ULOOP_F_READ_MULTISHOT)) {
		printf("SKIP: kernel lacks multishot read (6.7)\n");
		return TB_SKIP;
	}
	good(&loop, &tp);
	failures(&tp);
	tb_topo_down(&tp);
	uloop_fini(&loop);
	printf("ok\n");
	return 0;
}
