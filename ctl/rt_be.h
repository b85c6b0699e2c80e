/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rt_be.h: the netdev adapters behind rt_backends.c, and what they hand to the control thread. */
#ifndef QNET_CTL_RT_BE_H
#define QNET_CTL_RT_BE_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl/json.h"
#include "ctl/runtime.h"
#include "ctl/strbuf.h"
#include "datapath/uring/uloop.h"

/**
 * DOC: netdev adapters
 *
 * An adapter turns one netdev's parsed options (netconf's JSON, see
 * ctl/schema.h) into its backend's typed configuration and opens it on the
 * worker's loop, through the struct rt_backend table of rt_backends.c:
 *
 * - rt_be_stream.c: stream, dgram and socket (backends/stream.h, dgram.h,
 *   socket.h);
 * - rt_be_tap.c: tap and bridge (backends/tap.h, bridge.h, ctl/rtnl.h),
 *   with the fallback to user networking when CAP_NET_ADMIN is missing;
 * - rt_backends.c: user (libslirp), and the table.
 *
 * Adapters run on the worker and never print. What the user must hear
 * (warnings) and what QMP clients must hear (NETDEV_STREAM_CONNECTED /
 * DISCONNECTED) goes to the control thread through rt_event_post()
 * (ctl/rt_events.c). Objects that close asynchronously (stream links,
 * taps whose queues still have requests in the kernel) are counted until
 * they are freed; rt_be_drain() runs the worker until the count is zero.
 */

/* --- the adapters (rt_backends.c's table) -------------------------------- */

int rt_be_stream_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		      struct strbuf *err);
int rt_be_dgram_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		     struct strbuf *err);
int rt_be_socket_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		      struct strbuf *err);
void rt_be_link_close(struct rt *rt, struct rt_netdev *rn);
int rt_be_link_info(const struct rt_netdev *rn, struct strbuf *out);

int rt_be_tap_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		   struct strbuf *err);
int rt_be_bridge_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		      struct strbuf *err);
void rt_be_tap_close(struct rt *rt, struct rt_netdev *rn);
int rt_be_tap_info(const struct rt_netdev *rn, unsigned int q,
		   struct strbuf *out);
int rt_be_tap_set_offload(struct rt_netdev *rn, unsigned int tun_f);

int rt_be_user_fallback(struct rt *rt, struct rt_netdev *rn,
			struct uloop *loop, struct strbuf *err);

/* --- shared helpers (rt_be.c) --------------------------------------------- */

void rt_be_attach(struct rt *rt);
void rt_be_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_be_event(const char *name, struct json_value *data);
void rt_be_pending(int delta);
int rt_be_parse_fd(const char *s, int *fd, struct strbuf *err);
const char *rt_be_loc(const struct rt_netdev *rn);

/* --- for the control thread (daemon.c, runtime.c, rt_mon.c) ---------------- */

int rt_be_drain(struct rt *rt);
int rt_be_runas(struct rt *rt, struct strbuf *err);
int rt_be_info(const struct rt_netdev *rn, unsigned int q, const char **type,
	       struct strbuf *out);
bool rt_be_is_fallback(const struct rt_netdev *rn);

#endif /* QNET_CTL_RT_BE_H */
