/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mon.h: what the monitor asks of the running qnet (implemented by the runtime). */
#ifndef QNET_CTL_MON_H
#define QNET_CTL_MON_H

#include <stdbool.h>

#include "ctl/strbuf.h"
#include "ctl/mon_server.h"

struct json_value;

/**
 * struct mon_ops - monitor commands' access to the running network
 *
 * Each returns 0 or -errno; on error it puts QEMU's message text (without
 * "Error: ") in @err. Text output goes to @out with '\n' line ends (the HMP
 * layer turns them into "\r\n"). JSON output is one JSON value.
 *
 * @info_network:	QEMU's `info network` text
 * @info_usernet:	QEMU's `info usernet` text
 * @info_netstats:	qnet's counters as text
 * @netstats_json:	qnet's counters as a JSON object
 * @netdev_add:		add a netdev from `-netdev` option text or JSON text
 * @netdev_del:		delete a netdev by id
 * @set_link:		set a NIC's or netdev's link
 * @hostfwd_add:	add a forward to a user netdev (NULL: the first one)
 * @hostfwd_remove:	remove a forward; @out gets QEMU's confirmation text
 * @hostfwd_list_json:	every user netdev's forwards as a JSON array
 * @quit:		stop qnet
 * @qom_set:		set a property of an -object (a filter's status)
 * @filters_json:	every filter object and its counters as a JSON array
 */
struct mon_ops {
	int (*info_network)(void *ctx, struct strbuf *out);
	int (*info_usernet)(void *ctx, struct strbuf *out);
	int (*info_netstats)(void *ctx, struct strbuf *out);
	int (*netstats_json)(void *ctx, struct strbuf *out);
	int (*netdev_add)(void *ctx, const char *opts, struct strbuf *err);
	int (*netdev_del)(void *ctx, const char *id, struct strbuf *err);
	int (*set_link)(void *ctx, const char *name, bool up, struct strbuf *err);
	int (*hostfwd_add)(void *ctx, const char *netdev, const char *rule,
			   struct strbuf *err);
	int (*hostfwd_remove)(void *ctx, const char *netdev, const char *rule,
			      struct strbuf *out, struct strbuf *err);
	int (*hostfwd_list_json)(void *ctx, struct strbuf *out);
	void (*quit)(void *ctx);
	int (*qom_set)(void *ctx, const char *path, const char *prop,
		       const struct json_value *value, struct strbuf *err);
	int (*filters_json)(void *ctx, struct strbuf *out);
};

/**
 * struct mon_ctx - what both monitor protocols are handed
 * @ops:	the runtime's operations
 * @rt:		the runtime, passed back to @ops
 */
struct mon_ctx {
	const struct mon_ops *ops;
	void *rt;
};

extern const struct mon_handler mon_hmp_handler;
extern const struct mon_handler mon_qmp_handler;

int mon_hmp_exec(const struct mon_ctx *m, const char *line, struct strbuf *out);

struct json_value;
int mon_qmp_event(struct strbuf *out, const char *name, struct json_value *data);
void mon_qmp_broadcast(struct mon_server *s, const char *text, size_t len);

#endif /* QNET_CTL_MON_H */
