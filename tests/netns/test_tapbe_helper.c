// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_helper.c: helper= (qnet-bridge-helper, QEMU's protocol): ACL allow/deny, fd passing, traffic, nothing left behind. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/netns/tapbe.h"

static void write_acl(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	TB_CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

int main(void)
{
	struct tap_config cfg = { .br = TB_BR };
	const char *helper = getenv("QNET_BRIDGE_HELPER");
	char dir[] = "/tmp/qnet-helper-XXXXXX", acl[64], inc[64];
	static uint8_t seen[TB_SEQ_MAX];
	struct rtnl_link l, br;
	struct tap_err err;
	struct tb_topo tp;
	struct uloop loop;
	uint64_t got = 0, end;
	uint32_t seq = 0;
	struct tfe e;
	struct tap *t;
	char name[IFNAMSIZ];
	int ret;

	if (!helper || access(helper, X_OK)) {
		printf("SKIP: QNET_BRIDGE_HELPER does not name the built helper\n");
		return TB_SKIP;
	}
	tb_enter();
	tb_topo_up(&tp, false);
	TB_CHECK(mkdtemp(dir));
	snprintf(acl, sizeof(acl), "%s/bridge.conf", dir);
	snprintf(inc, sizeof(inc), "%s/more.conf", dir);
	setenv("QNET_BRIDGE_CONF", acl, 1);
	cfg.helper = helper;

	/* denied: by a deny in an included file, despite "allow all" */
	write_acl(inc, "deny " TB_BR "\n");
	{
		char text[128];

		snprintf(text, sizeof(text), "# test\nallow all\ninclude %s\n", inc);
		write_acl(acl, text);
	}
	ret = tap_create(&t, &cfg, "h0", &err);
	printf("denied: %d, step %s, status %d\n", ret, tap_step_name(err.step),
	       err.status);
	TB_CHECK_EQ(ret, -ECHILD);
	TB_CHECK_EQ(err.step, TAP_STEP_HELPER);
	TB_CHECK(WIFEXITED(err.status) && WEXITSTATUS(err.status) == 1);
	TB_CHECK_EQ(rtnl_link_exists(tp.ra, "tap0"), 0);	/* none left */

	/* allowed */
	write_acl(acl, "allow " TB_BR "\n");
	tb_tap_open(&t, &loop, &cfg, "h0", &err);
	TB_CHECK(tap_has_vnet_hdr(t) && !tap_created(t));
	snprintf(name, sizeof(name), "%s", tap_ifname(t));
	TB_CHECK(rtnl_link_get(tp.ra, name, &l, NULL, 0) == 0);
	TB_CHECK(rtnl_link_get(tp.ra, TB_BR, &br, NULL, 0) == 0);
	TB_CHECK_EQ(l.master, br.index);
	tfe_init(&e, 1, 80);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	tfe_attach(&e, 0, &loop);
	tb_run(&loop, &tp, NULL, NULL, 100);
	tfe_send(&e, 0, 200);
	end = uloop_now() + 5000000000ull;
	while (uloop_now() < end && (got < 200 || tfe_seen_count(&e, 200) < 200)) {
		if (seq < 200 && tb_pkt_send(&tp, 80, seq) == 0)
			seq++;
		uloop_run_once(&loop, 1000000);
		tb_pkt_drain(&tp, seen, &got);
	}
	printf("helper tap %s on %s: %lu out, %u in\n", name, TB_BR,
	       (unsigned long)got, tfe_seen_count(&e, 200));
	TB_CHECK_EQ(got, 200);
	TB_CHECK_EQ(tfe_seen_count(&e, 200), 200);
	tfe_detach(&e, 0, &loop);
	port_disconnect(&e.port);
	tap_close(t);
	tfe_fini(&e);
	TB_CHECK_EQ(rtnl_link_exists(tp.ra, name), 0);
	tb_topo_down(&tp);
	uloop_fini(&loop);
	unlink(acl);
	unlink(inc);
	rmdir(dir);
	printf("ok\n");
	return 0;
}
