// SPDX-License-Identifier: GPL-2.0-or-later
/* bridge.c: -netdev bridge: create a tap and have ctl enslave it, or take a helper's tap. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backends/bridge.h"

/**
 * bridge_open() - make the tap of a -netdev bridge (control thread)
 * @out:    the tap (start its queues with tap_queue_start())
 * @cfg:    the options
 * @ops:    the enslaving step (ctl's rtnetlink), or NULL to use a helper
 * @ctx:    passed to @ops->enslave
 * @name:   the netdev id
 * @err:    the failed tap step (may be NULL)
 * @why:    the enslaving step's reason on failure (may be NULL)
 * @whylen: its size
 *
 * On failure nothing is left behind: a tap qnet created is closed, which
 * removes it.
 *
 * Return: 0; -errno from tap_create() (@err says which step), or from
 * @ops->enslave (-ENODEV: no such bridge; @why has the kernel's text).
 */
int bridge_open(struct tap **out, const struct bridge_config *cfg,
		const struct bridge_ops *ops, void *ctx, const char *name,
		struct tap_err *err, char *why, size_t whylen)
{
	const char *br = cfg->br ? cfg->br : TAP_DEFAULT_BRIDGE;
	struct tap_config tc = cfg->tap;
	struct tap *t;
	int ret;

	if (why && whylen)
		why[0] = '\0';
	tc.fds = NULL;
	tc.nfds = 0;
	tc.script = "no";
	tc.downscript = "no";
	tc.br = br;
	tc.helper = cfg->helper;
	tc.ifname = cfg->ifname ? cfg->ifname : "qtap%d";
	if (!tc.helper && !(ops && ops->enslave))
		tc.helper = BRIDGE_DEFAULT_HELPER;
	ret = tap_create(&t, &tc, name, err);
	if (ret)
		return ret;
	if (!tc.helper) {
		ret = ops->enslave(ctx, tap_ifname(t), br, why, whylen);
		if (ret) {
			tap_destroy(t);
			return ret;
		}
	}
	*out = t;
	return 0;
}
