// SPDX-License-Identifier: GPL-2.0-or-later
/* daemon.c: `qnet OPTIONS` and `qnet run`: open the network, serve, tear down. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/user.h"
#include "ctl/daemon.h"
#include "ctl/rt_be.h"
#include "ctl/runtime.h"

/**
 * daemon_warnings() - print what the opened backends want the user to know
 * @rt:		runtime (opened)
 * @prog:	program name for the messages
 */
static void daemon_warnings(struct rt *rt, const char *prog)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < rt->nc->nnetdevs; i++) {
		struct rt_netdev *rn = rt->nc->netdevs[i]->priv;
		const char *w;

		if (!rn || !rn->be || strcmp(rn->be->type, "user"))
			continue;
		w = user_ping_warning(rn->obj);
		if (w)
			fprintf(stderr, "%s: warning: %s\n", prog, w);
	}
	while (user_log_take(buf, sizeof(buf)) > 0)
		fprintf(stderr, "%s: warning: %s\n", prog, buf);
}

/**
 * daemon_start() - open the network and the monitors
 * @rt:		runtime to start
 * @nc:		built configuration
 * @prog:	program name for messages
 * @run_mode:	`qnet run` (virtio-net NICs default to vhost-user)
 *
 * Return: 0, or -errno after printing the error (everything is closed)
 */
int daemon_start(struct rt *rt, struct netconf *nc, const char *prog,
		 bool run_mode)
{
	struct strbuf err = STRBUF_INIT;
	int ret;

	user_log_capture();
	ret = rt_init(rt, nc, &err);
	if (!ret) {
		rt->run_mode = run_mode;
		ret = rt_open_all(rt, &err);
		if (!ret)
			ret = rt_open_monitors(rt, &err);
		if (!ret)
			ret = rt_be_runas(rt, &err);	/* -runas, both threads */
		if (ret)
			rt_fini(rt);
	}
	if (ret)
		fprintf(stderr, "%s: %s\n", prog, strbuf_str(&err));
	else
		daemon_warnings(rt, prog);
	strbuf_free(&err);
	return ret;
}

/**
 * daemon_main() - `qnet OPTIONS`: serve until SIGINT/SIGTERM or `quit`
 * @nc:		built configuration
 * @prog:	program name for messages
 *
 * Return: the process exit status
 */
int daemon_main(struct netconf *nc, const char *prog)
{
	struct rt rt;
	int ret;

	if (daemon_start(&rt, nc, prog, false))
		return 1;
	rt_print_attach(&rt, stdout);
	ret = rt_run(&rt);
	rt_fini(&rt);
	if (ret) {
		fprintf(stderr, "%s: event loop failed: %s\n", prog,
			strerror(-ret));
		return 1;
	}
	return rt.exit_code;
}
