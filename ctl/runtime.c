// SPDX-License-Identifier: GPL-2.0-or-later
/* runtime.c: open the configured network on a worker, run until told to stop, tear down. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/rt_events.h"
#include "ctl/rt_filter.h"
#include "ctl/rt_be.h"
#include "ctl/runtime.h"

/**
 * DOC: threads of the running qnet
 *
 * The control thread runs @rt->loop: monitor sockets and signals. Every
 * port lives on one data-path worker (@rt->worker); the control thread opens,
 * changes and closes them with uworker_call(), which runs a function on the
 * worker's loop and waits for its result. Workers never print: errors come
 * back as text in a strbuf and ctl prints them.
 */

/**
 * struct rt_call - arguments of one runtime operation run on the worker
 * @rt:		runtime
 * @nd:		netdev concerned, if any
 * @nic:	NIC concerned, if any
 * @err:	error text
 */
struct rt_call {
	struct rt *rt;
	struct netconf_netdev *nd;
	struct netconf_nic *nic;
	struct strbuf *err;
};

/**
 * rt_hub_get() - the opened hub of a netconf hub, opening it on first use
 * @rt:		runtime
 * @cfg:	the hub's configuration
 *
 * Runs on the worker.
 *
 * Return: the hub, or NULL on allocation failure
 */
static struct rt_hub *rt_hub_get(struct rt *rt, struct netconf_hub *cfg)
{
	struct rt_hub *h = cfg->priv;

	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (hub_init(&h->hub, cfg->id, HUB_MAX_PORTS, 1, HUB_QUEUE_DEFAULT)) {
		free(h);
		return NULL;
	}
	h->cfg = cfg;
	cfg->priv = h;
	return h;
}

/**
 * rt_netdev_open_fn() - open one netdev (worker side)
 * @loop:	worker loop
 * @arg:	struct rt_call
 *
 * Return: 0, or -errno with the message in the call's @err
 */
static int rt_netdev_open_fn(struct uloop *loop, void *arg)
{
	struct rt_call *c = arg;
	struct netconf_netdev *nd = c->nd;
	struct rt_netdev *rn;
	int ret;

	rn = calloc(1, sizeof(*rn));
	if (!rn)
		return -ENOMEM;
	rn->nd = nd;
	if (nd->hub) {
		rn->hub = rt_hub_get(c->rt, nd->hub);
		ret = rn->hub ? hub_add_port(&rn->hub->hub, nd->id, &rn->port)
			      : -ENOMEM;
		if (ret)
			strbuf_printf(c->err, "cannot add port '%s' to hub %d: %s",
				      nd->id, nd->hub->id, strerror(-ret));
	} else {
		rn->be = rt_backend_find(nd->type->name);
		if (!rn->be) {
			strbuf_printf(c->err, "netdev type '%s' is not "
				      "implemented in qnet yet", nd->type->name);
			ret = -ENOSYS;
		} else {
			ret = rn->be->open(c->rt, rn, loop, c->err);
		}
	}
	if (ret) {
		free(rn);
		return ret;
	}
	nd->priv = rn;
	return 0;
}

/**
 * rt_netdev_open() - open a configured netdev on the worker
 * @rt:		runtime
 * @nd:		the netdev
 * @err:	error text
 *
 * Return: 0, or -errno
 */
int rt_netdev_open(struct rt *rt, struct netconf_netdev *nd, struct strbuf *err)
{
	struct rt_call c = { .rt = rt, .nd = nd, .err = err };

	return uworker_call(&rt->worker, rt_netdev_open_fn, &c);
}

/**
 * rt_netdev_close_fn() - close one netdev (worker side)
 * @loop:	worker loop
 * @arg:	struct rt_call
 *
 * Return: 0
 */
static int rt_netdev_close_fn(struct uloop *loop, void *arg)
{
	struct rt_call *c = arg;
	struct rt_netdev *rn = c->nd->priv;

	if (!rn)
		return 0;
	rt_filter_netdev_close(c->rt, rn);	/* filters before their port */
	if (rn->port && rn->spread) {	/* its queues run on queue workers */
		rt_qw_pause(c->rt);
		port_disconnect(rn->port);
		rt_qw_resume(c->rt);
	} else if (rn->port) {
		port_disconnect(rn->port);
	}
	if (rn->be)
		rn->be->close(c->rt, rn);
	free(rn);
	c->nd->priv = NULL;
	return 0;
}

/**
 * rt_netdev_close() - close a netdev on the worker (no-op if not open)
 * @rt:		runtime
 * @nd:		the netdev
 */
void rt_netdev_close(struct rt *rt, struct netconf_netdev *nd)
{
	struct rt_call c = { .rt = rt, .nd = nd };

	if (nd->priv)
		uworker_call(&rt->worker, rt_netdev_close_fn, &c);
}

/**
 * rt_client_port() - the port behind a netconf client
 * @c:		client (a NIC queue or a netdev queue)
 *
 * Return: the port, or NULL when that side is not open
 */
struct port *rt_client_port(const struct netconf_client *c)
{
	if (c->nd && c->nd->priv)
		return ((struct rt_netdev *)c->nd->priv)->port;
	if (c->nic && c->nic->priv)
		return ((struct rt_nic *)c->nic->priv)->port;
	return NULL;
}

/**
 * rt_client_set_link() - apply a client's link state to its port (worker)
 * @rt:		runtime
 * @c:		client
 * @up:		new state
 *
 * A NIC's transport owns its link (down while no VM is connected), so it
 * is told rather than its port.
 */
void rt_client_set_link(struct rt *rt, const struct netconf_client *c,
			bool up)
{
	struct port *p = rt_client_port(c);
	bool spread;

	if (!p)
		return;
	spread = c->nd && ((struct rt_netdev *)c->nd->priv)->spread;
	if (c->nic) {
		rt_nic_set_link(c->nic->priv, up);
		return;
	}
	if (spread)	/* its queues' threads see the link and the wake-ups */
		rt_qw_pause(rt);
	port_set_link(p, up);
	if (spread)
		rt_qw_resume(rt);
}

/**
 * rt_connect_fn() - peer every open port with its configured peer (worker)
 * @loop:	worker loop
 * @arg:	struct rt_call
 *
 * Return: 0, or -errno
 */
static int rt_connect_fn(struct uloop *loop, void *arg)
{
	struct rt_call *call = arg;
	struct netconf_client *c;

	for (c = call->rt->nc->head; c; c = c->next) {
		struct port *a = rt_client_port(c), *b;
		int ret;

		if (!a || !c->peer || c->queue_index)
			continue;
		b = rt_client_port(c->peer);
		if (!b || a->peer == b)
			continue;
		if (a->peer || b->peer)
			continue;
		rt_qw_pause(call->rt);	/* queue workers may send already */
		ret = port_connect(a, b);
		rt_qw_resume(call->rt);
		if (ret) {
			strbuf_printf(call->err, "cannot connect %s to %s: %s",
				      c->name, c->peer->name, strerror(-ret));
			return ret;
		}
		if (c->link_down)
			rt_client_set_link(call->rt, c, false);
		if (c->peer->link_down)
			rt_client_set_link(call->rt, c->peer, false);
	}
	return 0;
}

/**
 * rt_connect_clients() - connect the ports as the configuration pairs them
 * @rt:		runtime
 * @err:	error text
 *
 * Return: 0, or -errno
 */
int rt_connect_clients(struct rt *rt, struct strbuf *err)
{
	struct rt_call c = { .rt = rt, .err = err };

	return uworker_call(&rt->worker, rt_connect_fn, &c);
}

/**
 * rt_on_signal() - SIGINT/SIGTERM/SIGHUP stop qnet (or go to the VMM);
 * SIGCHLD reaps the VMM of `qnet run`
 * @signo:	the signal
 * @arg:	runtime
 */
static void rt_on_signal(int signo, void *arg)
{
	struct rt *rt = arg;
	int status;

	if (signo == SIGCHLD) {
		if (rt->child > 0 && waitpid(rt->child, &status, WNOHANG) ==
		    rt->child) {
			rt->child_status = status;
			rt->child = -1;
			rt->quit = true;
		}
		return;
	}
	if (rt->child > 0) {
		kill(rt->child, signo);	/* the VMM decides; qnet follows it */
		return;
	}
	rt->exit_code = 0;
	rt->quit = true;
}

/**
 * rt_init() - start the control loop and the data-path worker
 * @rt:		runtime to set up
 * @nc:		the built configuration
 * @err:	error text
 *
 * Return: 0, or -errno
 */
int rt_init(struct rt *rt, struct netconf *nc, struct strbuf *err)
{
	int ret;

	memset(rt, 0, sizeof(*rt));
	rt->nc = nc;
	rt->mon.ops = &rt_mon_ops;
	rt->mon.rt = rt;
	rt->sig.fd = -1;
	ret = uloop_init(&rt->loop, NULL);
	if (ret) {
		strbuf_printf(err, "cannot set up io_uring: %s", strerror(-ret));
		return ret;
	}
	ret = rt_events_init(rt);
	if (ret) {
		strbuf_printf(err, "out of memory");
		uloop_fini(&rt->loop);
		return ret;
	}
	/* before any thread or child exists, so the mask is inherited */
	ret = sig_watch_start(&rt->sig, &rt->loop, rt_on_signal, rt);
	if (ret) {
		strbuf_printf(err, "cannot watch signals: %s", strerror(-ret));
		uloop_fini(&rt->loop);
		return ret;
	}
	ret = uworker_start(&rt->worker, "qnet-dp", NULL, 0);
	if (ret) {
		strbuf_printf(err, "cannot start the data-path worker: %s",
			      strerror(-ret));
		sig_watch_stop(&rt->sig, &rt->loop);
		uloop_fini(&rt->loop);
		return ret;
	}
	rt->worker_up = true;
	return 0;
}

/**
 * rt_rundir() - the private directory for default sockets, made on first use
 * @rt:		runtime
 * @dir:	set to its path
 *
 * Return: 0, or -errno
 */
int rt_rundir(struct rt *rt, const char **dir)
{
	const char *base = getenv("XDG_RUNTIME_DIR");

	*dir = rt->rundir;
	if (rt->rundir[0])
		return 0;
	if (!base || access(base, W_OK))
		base = "/tmp";
	snprintf(rt->rundir, sizeof(rt->rundir), "%s/qnet-%d-XXXXXX", base,
		 (int)getpid());
	if (!mkdtemp(rt->rundir)) {
		rt->rundir[0] = '\0';
		return -errno;
	}
	return 0;
}

/**
 * rt_open_all() - open hubs, netdevs and NICs, then connect them
 * @rt:		runtime
 * @err:	error text, prefixed by the option that failed
 *
 * On error everything opened so far is closed again.
 *
 * Return: 0, or -errno
 */
int rt_open_all(struct rt *rt, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < rt->nc->nnetdevs && !ret; i++) {
		struct netconf_netdev *nd = rt->nc->netdevs[i];

		ret = rt_netdev_open(rt, nd, &why);
		if (ret)
			strbuf_printf(err, "%s: %s", nd->loc ? nd->loc : nd->id,
				      strbuf_str(&why));
	}
	if (!ret)	/* -object filter-*: on the netdevs just opened */
		ret = rt_filter_open_all(rt, err);
	for (i = 0; i < rt->nc->nnics && !ret; i++) {
		struct netconf_nic *nic = rt->nc->nics[i];

		if (nic->priv)
			continue;
		strbuf_reset(&why);
		ret = rt_nic_open(rt, nic, &why);
		if (ret)
			strbuf_printf(err, "%s: %s", nic->loc ? nic->loc :
				      nic->name, strbuf_str(&why));
	}
	if (!ret) {
		strbuf_reset(&why);
		ret = rt_connect_clients(rt, &why);
		if (ret)
			strbuf_puts(err, strbuf_str(&why));
	}
	strbuf_free(&why);
	if (ret)
		rt_close_all(rt);
	return ret;
}

/**
 * rt_close_all() - close every NIC, netdev and hub
 * @rt:		runtime
 */
void rt_close_all(struct rt *rt)
{
	size_t i;

	if (!rt->worker_up)
		return;
	for (i = 0; i < rt->nc->nnics; i++)
		rt_nic_close(rt, rt->nc->nics[i]);
	for (i = 0; i < rt->nc->nnetdevs; i++)
		rt_netdev_close(rt, rt->nc->netdevs[i]);
	for (i = 0; i < rt->nc->nzombies; i++)
		rt_netdev_close(rt, rt->nc->zombies[i]);
	rt_be_drain(rt);	/* links and taps finish closing on the worker */
	for (i = 0; i < rt->nc->nhubs; i++) {
		struct rt_hub *h = rt->nc->hubs[i]->priv;

		if (h) {
			hub_destroy(&h->hub);
			free(h);
			rt->nc->hubs[i]->priv = NULL;
		}
	}
}

/**
 * rt_run() - serve until a signal, `quit`, or the end of the VMM
 * @rt:		runtime (opened)
 *
 * Return: 0, or -errno when the loop fails
 */
int rt_run(struct rt *rt)
{
	int ret = 0;

	while (!rt->quit) {
		ret = uloop_run_once(&rt->loop, -1);
		if (ret < 0 && ret != -EINTR && ret != -ETIME)
			break;
		ret = 0;
	}
	return ret;
}

/**
 * rt_fini() - close monitors, ports and threads; remove the run directory
 * @rt:		runtime
 */
void rt_fini(struct rt *rt)
{
	unsigned int i;

	for (i = 0; i < rt->nmons; i++)
		mon_server_close(rt->mons[i]);
	rt->nmons = 0;
	rt_close_all(rt);
	rt_filter_fini(rt);	/* the pins outlive what was pinned */
	rt_qw_stop_all(rt);	/* nothing lives on them any more */
	if (rt->worker_up)
		uworker_stop(&rt->worker);
	rt->worker_up = false;
	rt_events_fini(rt);
	if (rt->sig.fd >= 0)
		sig_watch_stop(&rt->sig, &rt->loop);
	uloop_fini(&rt->loop);
	if (rt->rundir[0]) {
		rmdir(rt->rundir);
		rt->rundir[0] = '\0';
	}
}

/**
 * rt_open_monitors() - listen on every -monitor and -qmp socket
 * @rt:		runtime
 * @err:	error text
 *
 * Return: 0, or -errno
 */
int rt_open_monitors(struct rt *rt, struct strbuf *err)
{
	struct netconf *nc = rt->nc;
	size_t i;

	for (i = 0; i < nc->nmonitors + nc->nqmps; i++) {
		bool qmp = i >= nc->nmonitors;
		const char *spec = qmp ? nc->qmps[i - nc->nmonitors] :
					 nc->monitors[i];
		struct mon_spec ms;
		const char *why;
		int ret;

		if (rt->nmons == RT_MONITORS_MAX) {
			strbuf_printf(err, "%s %s: too many monitors",
				      qmp ? "-qmp" : "-monitor", spec);
			return -E2BIG;
		}
		ret = mon_spec_parse(spec, &ms, &why);
		if (!ret)
			ret = mon_server_open(&rt->mons[rt->nmons], &rt->loop,
					      &ms, qmp ? MON_QMP : MON_HMP,
					      qmp ? &mon_qmp_handler :
						    &mon_hmp_handler,
					      &rt->mon);
		else
			ret = -EINVAL;
		if (ret) {
			strbuf_printf(err, "%s %s: %s", qmp ? "-qmp" : "-monitor",
				      spec, ret == -EINVAL ? why : strerror(-ret));
			return ret;
		}
		rt->nmons++;
		if (ms.wait)
			mon_server_wait_client(rt->mons[rt->nmons - 1]);
	}
	return 0;
}
