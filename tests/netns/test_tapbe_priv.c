// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_priv.c: privileges: without CAP_NET_ADMIN a tap fails with the fallback text (T-56), -runas, dropping after setup. */

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/caps.h"
#include "datapath/frame_hot.h"
#include "tests/netns/tapbe.h"

#define OPT "-netdev tap,id=t0,ifname=tbpriv0"

/* Run @fn in a child; return its exit status. */
static int in_child(void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	TB_CHECK(pid >= 0);
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	TB_CHECK(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The text ctl prints, for @ret, with and without fallback. */
static void check_messages(int ret)
{
	char msg[512], what[64];

	snprintf(what, sizeof(what), "cannot open tap '%s'", "tbpriv0");
	caps_netdev_message(msg, sizeof(msg), OPT, what, ret, CAP_NET_ADMIN,
			    true);
	printf("fallback=on:  %s\n", msg);
	TB_CHECK(!strcmp(msg, "qnet: " OPT ": cannot open tap 'tbpriv0': "
			      "Operation not permitted (needs CAP_NET_ADMIN); "
			      "falling back to user networking") ||
		 (ret == -EACCES && strstr(msg, "Permission denied (needs "
						"CAP_NET_ADMIN); falling back")));
	caps_netdev_message(msg, sizeof(msg), OPT, what, ret, CAP_NET_ADMIN,
			    false);
	printf("fallback=off: %s\n", msg);
	TB_CHECK(strstr(msg, "(needs CAP_NET_ADMIN)") &&
		 !strstr(msg, "falling back"));
}

/* Capabilities dropped: tap_create fails cleanly, nothing left behind. */
static void unprivileged(void)
{
	struct tap_config cfg = { .ifname = "tbpriv0", .script = "no",
				  .downscript = "no" };
	struct tap_err err;
	struct tap *t;
	int ret;

	TB_CHECK(caps_drop(0) == 0);
	TB_CHECK_EQ(caps_have(CAP_NET_ADMIN), 0);
	TB_CHECK_EQ(caps_have(CAP_BPF), 0);
	TB_CHECK_EQ(caps_effective(), 0);
	ret = tap_create(&t, &cfg, "t0", &err);
	TB_CHECK_EQ(ret, -EPERM);
	TB_CHECK_EQ(err.step, TAP_STEP_OPEN);
	check_messages(ret);
	tb_check_clean(-1);
}

/* -runas nobody: a different user, no capabilities, no tap. */
static void runas(void)
{
	struct tap_config cfg = { .ifname = "tbpriv0", .script = "no",
				  .downscript = "no" };
	struct passwd *pw = getpwnam("nobody");
	struct tap *t;
	int ret;

	TB_CHECK(pw);
	TB_CHECK_EQ(caps_runas("nobody", 0), 0);
	TB_CHECK_EQ(getuid(), pw->pw_uid);
	TB_CHECK_EQ(geteuid(), pw->pw_uid);
	TB_CHECK_EQ(caps_effective(), 0);
	ret = tap_create(&t, &cfg, "t0", NULL);
	printf("-runas nobody: tap_create = %d (%s)\n", ret, strerror(-ret));
	TB_CHECK(ret == -EACCES || ret == -EPERM);
	check_messages(ret);
	tb_check_clean(-1);
}

/* Privileged setup, then drop everything: the tap still works, rtnetlink
 * changes are refused, and closing the tap still removes it. */
static void drop_after_setup(void)
{
	struct tap_config cfg = { .ifname = "tbpriv0", .script = "no",
				  .downscript = "no" };
	static uint8_t buf[64];
	struct frame f = { .data = buf, .len = 64, .cap = 64, .refs = 1 };
	struct frame *fp = &f;
	struct tap_stats st;
	struct uloop loop;
	struct rtnl *r;
	struct tfe e;
	struct tap *t;

	TB_CHECK(uloop_init(&loop, NULL) == 0);
	TB_CHECK(rtnl_open(&r) == 0);
	TB_CHECK_EQ(tap_open(&t, &cfg, &loop, "t0", NULL), 0);
	TB_CHECK(rtnl_link_set_up(r, "tbpriv0", true, NULL, 0) == 0);
	TB_CHECK(caps_drop(0) == 0);
	TB_CHECK_EQ(caps_effective(), 0);
	TB_CHECK_EQ(rtnl_link_set_up(r, "tbpriv0", false, NULL, 0), -EPERM);
	tfe_init(&e, 1, 64);
	TB_CHECK(port_connect(&e.port, tap_port(t)) == 0);
	memset(buf, 0xff, 12);
	TB_CHECK_EQ(port_send(&e.port, 0, &fp, 1, false), 1);
	tb_run(&loop, NULL, NULL, NULL, 50);
	tap_get_stats(t, &st);
	TB_CHECK_EQ(st.tx_frames, 1);
	port_disconnect(&e.port);
	tap_close(t);
	tfe_fini(&e);
	TB_CHECK_EQ(rtnl_link_exists(r, "tbpriv0"), 0);
	rtnl_close(r);
	uloop_fini(&loop);
	tb_check_clean(-1);
	printf("dropped after setup: frame written, tap removed on close\n");
}

int main(void)
{
	tb_enter();
	TB_CHECK_EQ(in_child(unprivileged), 0);
	TB_CHECK_EQ(in_child(runas), 0);
	TB_CHECK_EQ(in_child(drop_after_setup), 0);
	tb_check_clean(-1);
	printf("ok\n");
	return 0;
}
