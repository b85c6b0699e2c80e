/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bridge.h: -netdev bridge: a tap qnet creates and ctl enslaves (or a bridge helper's tap). */
#ifndef QNET_BACKENDS_BRIDGE_H
#define QNET_BACKENDS_BRIDGE_H

#include <stddef.h>

#include "backends/tap.h"

/**
 * DOC: bridge netdev
 *
 * -netdev bridge,id=X[,br=NAME][,helper=PATH] is a tap netdev whose tap is
 * a port of bridge NAME (default "br0"). Backends do not speak rtnetlink
 * (ctl does, ctl/rtnl.c), so bridge_open() takes the enslaving step as a
 * callback:
 *
 * - helper= given: QEMU's way. The helper (qnet-bridge-helper, or QEMU's
 *   qemu-bridge-helper) creates the tap, checks its ACL, enslaves the tap
 *   and passes the fd back; no privilege needed in qnet.
 * - no helper, @enslave given (qnet holds CAP_NET_ADMIN): qnet creates the
 *   tap ("qtap%d" unless named), then @enslave (ctl: rtnl_enslave(): the
 *   bridge's MTU, master, up) with the kernel's reason in @why on failure.
 * - no helper and no @enslave: the default helper, BRIDGE_DEFAULT_HELPER.
 *
 * The tap is never persistent: closing the netdev removes it, and the
 * bridge loses the port. The bridge itself is the user's; qnet neither
 * creates nor deletes it.
 */

/** BRIDGE_DEFAULT_HELPER - helper run when none is named and qnet cannot enslave */
#define BRIDGE_DEFAULT_HELPER "qnet-bridge-helper"

/**
 * struct bridge_config - -netdev bridge options, typed
 * @br:		the bridge (NULL: TAP_DEFAULT_BRIDGE)
 * @helper:	helper= (NULL: see DOC)
 * @ifname:	name or pattern for the tap qnet creates (NULL: "qtap%d")
 * @tap:	the rest (vnet_hdr, sndbuf, queues, buffer sizes); its
 *		ifname, fds, script, downscript, helper and br are ignored
 */
struct bridge_config {
	const char *br;
	const char *helper;
	const char *ifname;
	struct tap_config tap;
};

/**
 * struct bridge_ops - what ctl does for the bridge netdev
 * @enslave:	make @ifname a port of @br and bring it up (ctl:
 *		rtnl_enslave()); fill @why with the kernel's reason on
 *		failure; return 0 or -errno
 */
struct bridge_ops {
	int (*enslave)(void *ctx, const char *ifname, const char *br,
		       char *why, size_t whylen);
};

int bridge_open(struct tap **out, const struct bridge_config *cfg,
		const struct bridge_ops *ops, void *ctx, const char *name,
		struct tap_err *err, char *why, size_t whylen);

#endif /* QNET_BACKENDS_BRIDGE_H */
