/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.h: running modes of qnet (serve, and `qnet run` around a VMM). */
#ifndef QNET_CTL_DAEMON_H
#define QNET_CTL_DAEMON_H

#include <stdbool.h>

#include "ctl/netconf.h"

struct rt;

int daemon_start(struct rt *rt, struct netconf *nc, const char *prog,
		 bool run_mode);
int daemon_main(struct netconf *nc, const char *prog);
int run_main(int argc, char **argv, const char *prog);

#endif /* QNET_CTL_DAEMON_H */
