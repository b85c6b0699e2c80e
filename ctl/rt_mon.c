// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_mon.c: the monitor's operations on the running network. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

#include "backends/user.h"
#include "ctl/rt_filter.h"
#include "ctl/rt_be.h"
#include "ctl/runtime.h"

/**
 * rt_diag_msg() - move the configuration model's last error into @err
 * @rt:		runtime
 * @err:	error text
 */
static void rt_diag_msg(struct rt *rt, struct strbuf *err)
{
	const struct diag *d = diag_last_error(&rt->nc->diag);

	strbuf_puts(err, d && d->msg ? d->msg : "unknown error");
	diag_reset(&rt->nc->diag);
}

static int rt_info_hook(const struct netconf_netdev *nd, unsigned q,
			const char **type, struct strbuf *out, void *arg)
{
	return rt_be_info(nd->priv, q, type, out);
}

static int rt_info_network_fn(struct uloop *loop, void *arg)
{
	struct strbuf *out = ((void **)arg)[1];

	netconf_info_network_rt(((struct rt *)((void **)arg)[0])->nc, out,
				rt_info_hook, NULL);
	return 0;
}

static int rt_info_network(void *ctx, struct strbuf *out)
{
	void *args[2] = { ctx, out };

	return uworker_call(&((struct rt *)ctx)->worker, rt_info_network_fn,
			    args);
}

/**
 * struct rt_text_call - a text-producing operation run on the worker
 * @rt:		runtime
 * @out:	the text
 * @json:	produce JSON rather than text
 */
struct rt_text_call {
	struct rt *rt;
	struct strbuf *out;
	bool json;
};

/**
 * rt_user_hub_id() - the hub a user netdev sits on, as `info usernet` shows
 * @nd:		the netdev
 *
 * Return: the hub id, or -1 when the netdev is not on a hub
 */
static int rt_user_hub_id(const struct netconf_netdev *nd)
{
	const struct netconf_client *c = nd->nqueues ? nd->queues[0] : NULL;

	if (c && c->peer && c->peer->nd && c->peer->nd->hub)
		return c->peer->nd->hub->id;
	return -1;
}

static int rt_usernet_fn(struct uloop *loop, void *arg)
{
	struct rt_text_call *c = arg;
	size_t i;

	for (i = 0; i < c->rt->nc->nnetdevs; i++) {
		struct netconf_netdev *nd = c->rt->nc->netdevs[i];
		struct rt_netdev *rn = nd->priv;
		char buf[65536];

		if (!rn || !rn->be || strcmp(rn->be->type, "user"))
			continue;
		if (user_info_usernet(rn->obj, rt_user_hub_id(nd), buf,
				      sizeof(buf)) >= 0)
			strbuf_puts(c->out, buf);
	}
	return 0;
}

static int rt_info_usernet(void *ctx, struct strbuf *out)
{
	struct rt_text_call c = { .rt = ctx, .out = out };

	return uworker_call(&c.rt->worker, rt_usernet_fn, &c);
}

/**
 * rt_queue_stats() - `"queues":[...]` of a multiqueue port (JSON), frames
 * and bytes per queue, so a user sees how the load spreads
 * @out:	output (nothing is written for one queue)
 * @p:		the port
 */
static void rt_queue_stats(struct strbuf *out, const struct port *p)
{
	unsigned int q;

	if (p->nqueues < 2)
		return;
	strbuf_puts(out, ",\"queues\":[");
	for (q = 0; q < p->nqueues; q++) {
		const struct port_stats *s = &p->stats[q];

		strbuf_printf(out, "%s{\"rx_packets\":%llu,\"rx_bytes\":%llu,"
			      "\"tx_packets\":%llu,\"tx_bytes\":%llu}",
			      q ? "," : "", (unsigned long long)s->rx_packets,
			      (unsigned long long)s->rx_bytes,
			      (unsigned long long)s->tx_packets,
			      (unsigned long long)s->tx_bytes);
	}
	strbuf_putc(out, ']');
}

/**
 * rt_port_stats() - append one port's counters as text or JSON
 * @out:	output
 * @p:		the port
 * @kind:	"nic", "netdev" or "hubport"
 * @json:	JSON object (with a leading comma when not first) or text
 * @first:	first entry of the list
 * @rnic:	the NIC the port stands for (its frontend may add counters),
 *		or NULL
 */
static void rt_port_stats(struct strbuf *out, const struct port *p,
			  const char *kind, bool json, bool first,
			  const struct rt_nic *rnic)
{
	struct port_stats s;
	unsigned int r;
	bool any = false;

	port_stats_sum(p, &s);
	if (json) {
		strbuf_printf(out, "%s{\"name\":", first ? "" : ",");
		json_write_string(p->name, out);
		strbuf_printf(out, ",\"kind\":\"%s\",\"link\":%s,\"peer\":",
			      kind, port_link_ok(p) ? "true" : "false");
		if (p->peer)
			json_write_string(p->peer->name, out);
		else
			strbuf_puts(out, "null");
		strbuf_printf(out, ",\"rx_packets\":%llu,\"rx_bytes\":%llu,"
			      "\"tx_packets\":%llu,\"tx_bytes\":%llu,\"drops\":{",
			      (unsigned long long)s.rx_packets,
			      (unsigned long long)s.rx_bytes,
			      (unsigned long long)s.tx_packets,
			      (unsigned long long)s.tx_bytes);
		for (r = 0; r < PORT_DROP_COUNT; r++)
			strbuf_printf(out, "%s\"%s\":%llu", r ? "," : "",
				      port_drop_name(r),
				      (unsigned long long)s.drops[r]);
		strbuf_putc(out, '}');
		rt_queue_stats(out, p);
		if (rnic && rnic->fe->stats)
			rnic->fe->stats(rnic, out, true);
		strbuf_putc(out, '}');
		return;
	}
	strbuf_printf(out, "%s (%s%s%s, link %s): rx_packets=%llu rx_bytes=%llu "
		      "tx_packets=%llu tx_bytes=%llu", p->name, kind,
		      p->peer ? ", peer " : "", p->peer ? p->peer->name : "",
		      port_link_ok(p) ? "up" : "down",
		      (unsigned long long)s.rx_packets,
		      (unsigned long long)s.rx_bytes,
		      (unsigned long long)s.tx_packets,
		      (unsigned long long)s.tx_bytes);
	for (r = 0; r < PORT_DROP_COUNT; r++) {
		if (!s.drops[r])
			continue;
		strbuf_printf(out, "%s%s=%llu", any ? " " : " drops: ",
			      port_drop_name(r), (unsigned long long)s.drops[r]);
		any = true;
	}
	if (rnic && rnic->fe->stats)
		rnic->fe->stats(rnic, out, false);
	strbuf_putc(out, '\n');
}

static int rt_netstats_fn(struct uloop *loop, void *arg)
{
	struct rt_text_call *c = arg;
	struct netconf *nc = c->rt->nc;
	bool first = true;
	size_t i;

	if (c->json)
		strbuf_puts(c->out, "{\"ports\":[");
	for (i = 0; i < nc->nnics; i++) {
		struct rt_nic *rnic = nc->nics[i]->priv;

		if (rnic && rnic->port) {
			rt_port_stats(c->out, rnic->port, "nic", c->json, first,
				      rnic);
			first = false;
		}
	}
	for (i = 0; i < nc->nnetdevs; i++) {
		struct rt_netdev *rn = nc->netdevs[i]->priv;

		if (rn && rn->port) {
			rt_port_stats(c->out, rn->port,
				      rn->hub ? "hubport" : "netdev", c->json,
				      first, NULL);
			first = false;
		}
	}
	if (c->json)
		strbuf_puts(c->out, "]}");
	return 0;
}

static int rt_info_netstats(void *ctx, struct strbuf *out)
{
	struct rt_text_call c = { .rt = ctx, .out = out };

	return uworker_call(&c.rt->worker, rt_netstats_fn, &c);
}

static int rt_netstats_json(void *ctx, struct strbuf *out)
{
	struct rt_text_call c = { .rt = ctx, .out = out, .json = true };

	return uworker_call(&c.rt->worker, rt_netstats_fn, &c);
}

/**
 * rt_netdev_add() - netdev_add: configure, open and connect a netdev
 * @ctx:	runtime
 * @opts:	`-netdev` option text, or a JSON object
 * @err:	error text
 *
 * Return: 0, or -errno (the configuration is rolled back on failure)
 */
static int rt_netdev_add(void *ctx, const char *opts, struct strbuf *err)
{
	struct rt *rt = ctx;
	struct strbuf help = STRBUF_INIT, why = STRBUF_INIT;
	struct netconf_netdev *nd;
	struct json_value *args = NULL;
	const char *id = NULL;
	int ret;

	if (opts[0] == '{') {
		ret = json_parse(opts, &args, &why);
		if (ret) {
			strbuf_puts(err, strbuf_str(&why));
			goto out;
		}
		ret = netconf_netdev_add_json(rt->nc, args);
		id = json_object_get_str(args, "id");
	} else {
		ret = netconf_netdev_add_str(rt->nc, opts, &help);
	}
	if (ret) {
		rt_diag_msg(rt, err);
		goto out;
	}
	nd = id ? netconf_find_netdev(rt->nc, id) :
		  rt->nc->netdevs[rt->nc->nnetdevs - 1];
	ret = rt_netdev_open(rt, nd, &why);
	if (!ret)
		ret = rt_connect_clients(rt, &why);
	if (ret) {
		strbuf_puts(err, strbuf_str(&why));
		rt_netdev_close(rt, nd);
		netconf_netdev_del(rt->nc, nd->id);
		diag_reset(&rt->nc->diag);
	}
out:
	json_free(args);
	strbuf_free(&help);
	strbuf_free(&why);
	return ret;
}

static int rt_netdev_del(void *ctx, const char *id, struct strbuf *err)
{
	struct rt *rt = ctx;
	struct netconf_netdev *nd = netconf_find_netdev(rt->nc, id);
	int ret;

	if (!nd || nd->deleted || !nd->is_netdev) {
		strbuf_printf(err, "Device '%s' not found", id);
		return -ENOENT;
	}
	rt_netdev_close(rt, nd);
	ret = netconf_netdev_del(rt->nc, id);
	if (ret)
		rt_diag_msg(rt, err);
	return ret;
}

/**
 * struct rt_link_call - set_link on the worker
 * @rt:		runtime
 * @name:	NIC or netdev name
 * @up:		new state
 */
struct rt_link_call {
	struct rt *rt;
	const char *name;
	bool up;
};

static int rt_set_link_fn(struct uloop *loop, void *arg)
{
	struct rt_link_call *c = arg;
	struct netconf_client *cl;

	for (cl = c->rt->nc->head; cl; cl = cl->next) {
		if (!strcmp(cl->name, c->name))
			rt_client_set_link(c->rt, cl, c->up);
	}
	return 0;
}

static int rt_set_link(void *ctx, const char *name, bool up, struct strbuf *err)
{
	struct rt *rt = ctx;
	struct rt_link_call c = { .rt = rt, .name = name, .up = up };
	int ret;

	ret = netconf_set_link(rt->nc, name, up);
	if (ret) {
		rt_diag_msg(rt, err);
		return ret;
	}
	return uworker_call(&rt->worker, rt_set_link_fn, &c);
}

/**
 * struct rt_fwd_call - a forwarding operation on a user netdev
 * @rt:		runtime
 * @rn:		the user netdev
 * @rule:	rule text
 * @add:	add (else remove)
 * @uerr:	backend error text
 */
struct rt_fwd_call {
	struct rt *rt;
	struct rt_netdev *rn;
	const char *rule;
	bool add;
	struct user_err uerr;
};

static int rt_fwd_fn(struct uloop *loop, void *arg)
{
	struct rt_fwd_call *c = arg;

	if (c->add)
		return user_fwd_add(c->rn->obj, c->rule, &c->uerr);
	return user_fwd_remove(c->rn->obj, c->rule, &c->uerr);
}

/**
 * rt_user_netdev() - the user netdev a forward applies to
 * @rt:		runtime
 * @id:		netdev id, or NULL for the first user netdev
 * @err:	QEMU's error text when there is none
 *
 * Return: the opened netdev, or NULL
 */
static struct rt_netdev *rt_user_netdev(struct rt *rt, const char *id,
					struct strbuf *err)
{
	size_t i;

	for (i = 0; i < rt->nc->nnetdevs; i++) {
		struct rt_netdev *rn = rt->nc->netdevs[i]->priv;

		if (!rn || !rn->be || strcmp(rn->be->type, "user"))
			continue;
		if (!id || !strcmp(rt->nc->netdevs[i]->id, id))
			return rn;
	}
	if (id)
		strbuf_printf(err, "unrecognized netdev id '%s'", id);
	else
		strbuf_puts(err, "No usernet netdev found");
	return NULL;
}

static int rt_hostfwd(struct rt *rt, const char *netdev, const char *rule,
		      bool add, struct strbuf *out, struct strbuf *err)
{
	struct rt_fwd_call c = { .rt = rt, .rule = rule, .add = add };
	int ret;

	c.rn = rt_user_netdev(rt, netdev, err);
	if (!c.rn)
		return -ENOENT;
	ret = uworker_call(&rt->worker, rt_fwd_fn, &c);
	if (ret)
		strbuf_puts(err, c.uerr.msg);
	else if (out && c.uerr.msg[0])
		strbuf_printf(out, "%s\n", c.uerr.msg);
	return ret;
}

static int rt_hostfwd_add(void *ctx, const char *netdev, const char *rule,
			  struct strbuf *err)
{
	return rt_hostfwd(ctx, netdev, rule, true, NULL, err);
}

static int rt_hostfwd_remove(void *ctx, const char *netdev, const char *rule,
			     struct strbuf *out, struct strbuf *err)
{
	return rt_hostfwd(ctx, netdev, rule, false, out, err);
}

static int rt_fwd_list_fn(struct uloop *loop, void *arg)
{
	struct rt_text_call *c = arg;
	struct user_fwd_entry e[256];
	bool first = true;
	size_t i;

	strbuf_putc(c->out, '[');
	for (i = 0; i < c->rt->nc->nnetdevs; i++) {
		struct rt_netdev *rn = c->rt->nc->netdevs[i]->priv;
		unsigned int n, j;

		if (!rn || !rn->be || strcmp(rn->be->type, "user"))
			continue;
		n = user_fwd_list(rn->obj, e, 256);
		for (j = 0; j < n && j < 256; j++) {
			strbuf_puts(c->out, first ? "{\"netdev\":" : ",{\"netdev\":");
			json_write_string(rn->nd->id, c->out);
			strbuf_puts(c->out, ",\"rule\":");
			json_write_string(e[j].text, c->out);
			strbuf_printf(c->out, ",\"port\":%u}", e[j].port);
			first = false;
		}
	}
	strbuf_putc(c->out, ']');
	return 0;
}

static int rt_hostfwd_list_json(void *ctx, struct strbuf *out)
{
	struct rt_text_call c = { .rt = ctx, .out = out, .json = true };

	return uworker_call(&c.rt->worker, rt_fwd_list_fn, &c);
}

static void rt_quit(void *ctx)
{
	struct rt *rt = ctx;

	if (rt->child > 0)
		kill(rt->child, SIGTERM);
	rt->quit = true;
}

const struct mon_ops rt_mon_ops = {
	.info_network = rt_info_network,
	.info_usernet = rt_info_usernet,
	.info_netstats = rt_info_netstats,
	.netstats_json = rt_netstats_json,
	.netdev_add = rt_netdev_add,
	.netdev_del = rt_netdev_del,
	.set_link = rt_set_link,
	.hostfwd_add = rt_hostfwd_add,
	.hostfwd_remove = rt_hostfwd_remove,
	.hostfwd_list_json = rt_hostfwd_list_json,
	.quit = rt_quit,
	.qom_set = rt_filter_qom_set,
	.filters_json = rt_filter_json,
};
