// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_nic.c: open each NIC through its frontend (stream, vhost-user, netns) and tell the user. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/runtime.h"

/**
 * DOC: NICs in the running qnet
 *
 * A NIC is the guest's end of a link. How the guest reaches qnet is the
 * NIC's frontend, chosen per NIC from its model and properties:
 *
 * - netns (`-device netns,netns=...`): a tap inside a network namespace is
 *   the NIC (rt_fe_netns.c, devices/netns_tap.h);
 * - vhost-user (`vhost-user=PATH` on a virtio-net model, and in `qnet run`
 *   every virtio-net NIC without attach=): qnet emulates virtio-net and the
 *   VMM shares guest memory over a vhost-user socket (rt_fe_vhost.c);
 * - stream (everything else): the VMM emulates the NIC and sends its frames
 *   over QEMU's stream/dgram framing, where `attach=` says or on a unix
 *   socket in a private directory (rt_fe_stream.c).
 *
 * Each frontend is an entry of rt_fes[]. Its prepare() runs on the control
 * thread and parses the properties; open(), close() and set_link() run on
 * the data-path worker. qnet prints one line per NIC at start-up with the
 * matching VMM options.
 */

static const struct rt_fe *const rt_fes[RT_FE_COUNT] = {
	[RT_FE_STREAM]		= &rt_fe_stream,
	[RT_FE_VHOST_USER]	= &rt_fe_vhost,
	[RT_FE_NETNS]		= &rt_fe_netns,
};

/**
 * rt_nic_is_virtio() - is the NIC's model a virtio-net PCI device
 * @nic:	the NIC
 *
 * Return: true for virtio-net-pci and its (non-)transitional variants
 */
static bool rt_nic_is_virtio(const struct netconf_nic *nic)
{
	return nic->model->inner &&
	       !strcmp(nic->model->inner, "virtio-net-device");
}

/**
 * rt_nic_has_vhost_prop() - does the NIC name any vhost-user* property
 * @nic:	the NIC
 *
 * Return: the first such property's name, or NULL
 */
static const char *rt_nic_has_vhost_prop(const struct netconf_nic *nic)
{
	size_t i;

	if (!nic->props || nic->props->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < nic->props->u.obj.n; i++)
		if (!strncmp(nic->props->u.obj.m[i].key, "vhost-user", 10))
			return nic->props->u.obj.m[i].key;
	return NULL;
}

/**
 * rt_nic_choose() - the frontend that serves a NIC
 * @rt:		runtime
 * @nic:	the NIC
 * @err:	error text
 *
 * Return: the frontend's kind, or -EINVAL with the reason in @err
 */
static int rt_nic_choose(struct rt *rt, const struct netconf_nic *nic,
			 struct strbuf *err)
{
	const char *vprop = rt_nic_has_vhost_prop(nic);
	const char *attach = netconf_opt_str(nic->props, "attach");

	if (!strcmp(nic->model->name, "netns"))
		return RT_FE_NETNS;
	if (vprop && attach) {
		strbuf_printf(err, "Property '%s.attach' and '%s.%s' exclude "
			      "each other (the VMM emulates the NIC, or qnet "
			      "does over vhost-user)", nic->model->name,
			      nic->model->name, vprop);
		return -EINVAL;
	}
	if (vprop && !netconf_opt_str(nic->props, "vhost-user") &&
	    !rt->run_mode) {
		strbuf_printf(err, "Property '%s.%s' needs vhost-user=PATH",
			      nic->model->name, vprop);
		return -EINVAL;
	}
	if (vprop || (rt->run_mode && !attach && rt_nic_is_virtio(nic)))
		return RT_FE_VHOST_USER;
	if (json_object_get(nic->props, "queues")) {
		strbuf_printf(err, "Property '%s.queues' is for virtio-net "
			      "served over vhost-user", nic->model->name);
		return -EINVAL;
	}
	return RT_FE_STREAM;
}

/**
 * rt_nic_is_vhost() - whether a NIC will be served over vhost-user
 * @rt:		runtime
 * @nic:	the NIC (open or not)
 *
 * Return: true for qnet's virtio-net device (a NIC whose options are in
 * error is not)
 */
bool rt_nic_is_vhost(struct rt *rt, const struct netconf_nic *nic)
{
	struct strbuf err = STRBUF_INIT;
	int kind = rt_nic_choose(rt, nic, &err);

	strbuf_free(&err);
	return kind == RT_FE_VHOST_USER;
}

/**
 * rt_nic_peer() - the netdev a NIC is peered with
 * @nic:	the NIC
 *
 * Return: the netdev (possibly a hub port), or NULL
 */
const struct netconf_netdev *rt_nic_peer(const struct netconf_nic *nic)
{
	return nic->netdev;
}

/**
 * rt_nic_socket_path() - default socket path of a NIC in the private
 * directory: `<rundir>/<nic name><suffix>`
 * @rt:		runtime
 * @rnic:	the NIC
 * @suffix:	".sock", "-vhost.sock", ...
 * @buf:	path output
 * @size:	size of @buf
 *
 * Return: 0, -ENAMETOOLONG, or -errno from creating the directory
 */
int rt_nic_socket_path(struct rt *rt, const struct rt_nic *rnic,
		       const char *suffix, char *buf, size_t size)
{
	const char *dir;
	int ret = rt_rundir(rt, &dir);

	if (ret)
		return ret;
	if ((size_t)snprintf(buf, size, "%s/%s%s", dir, rnic->nic->name,
			     suffix) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * struct rt_nic_call - arguments of a frontend operation on the worker
 * @rt:		runtime
 * @rnic:	the NIC
 * @err:	error text
 */
struct rt_nic_call {
	struct rt *rt;
	struct rt_nic *rnic;
	struct strbuf *err;
};

static int rt_nic_open_fn(struct uloop *loop, void *arg)
{
	struct rt_nic_call *c = arg;

	return c->rnic->fe->open(c->rt, c->rnic, loop, c->err);
}

static int rt_nic_close_fn(struct uloop *loop, void *arg)
{
	struct rt_nic_call *c = arg;

	c->rnic->fe->close(c->rt, c->rnic);
	return 0;
}

/**
 * rt_nic_free() - release a NIC's frontend configuration and record
 * @rnic:	the NIC (not open)
 */
static void rt_nic_free(struct rt_nic *rnic)
{
	if (rnic->fe->release)
		rnic->fe->release(rnic);
	free(rnic);
}

/**
 * rt_nic_open() - open a NIC through its frontend
 * @rt:		runtime
 * @nic:	the NIC
 * @err:	error text
 *
 * Return: 0, or -errno
 */
int rt_nic_open(struct rt *rt, struct netconf_nic *nic, struct strbuf *err)
{
	struct rt_nic_call c = { .rt = rt, .err = err };
	struct rt_nic *rnic;
	size_t i;
	int ret;

	ret = rt_nic_choose(rt, nic, err);
	if (ret < 0)
		return ret;
	rnic = calloc(1, sizeof(*rnic));
	if (!rnic)
		return -ENOMEM;
	rnic->nic = nic;
	rnic->fe = rt_fes[ret];
	for (i = 0; i < rt->nc->nnics && rt->nc->nics[i] != nic; i++)
		;
	rnic->index = (unsigned int)i;
	ret = rnic->fe->prepare(rt, rnic, err);
	if (!ret) {
		c.rnic = rnic;
		ret = uworker_call(&rt->worker, rt_nic_open_fn, &c);
	}
	if (ret) {
		rt_nic_free(rnic);
		return ret;
	}
	nic->priv = rnic;
	return 0;
}

/**
 * rt_nic_close() - close a NIC (no-op if not open)
 * @rt:		runtime
 * @nic:	the NIC
 */
void rt_nic_close(struct rt *rt, struct netconf_nic *nic)
{
	struct rt_nic_call c = { .rt = rt, .rnic = nic->priv };

	if (!c.rnic)
		return;
	uworker_call(&rt->worker, rt_nic_close_fn, &c);
	rt_nic_free(c.rnic);
	nic->priv = NULL;
}

/**
 * rt_nic_set_link() - set_link for a NIC (worker thread)
 * @rnic:	the opened NIC, or NULL
 * @up:		new state
 *
 * A frontend owns its link (down while no VM is connected), so it is told
 * rather than its port.
 */
void rt_nic_set_link(struct rt_nic *rnic, bool up)
{
	if (rnic && rnic->obj)
		rnic->fe->set_link(rnic, up);
}

/**
 * rt_nic_describe() - one line for the user about an opened NIC
 * @rt:		runtime
 * @rnic:	the NIC
 * @out:	text output (no newline)
 *
 * Return: 0, or -errno
 */
int rt_nic_describe(struct rt *rt, const struct rt_nic *rnic,
		    struct strbuf *out)
{
	return rnic->fe->describe(rt, rnic, out);
}

/**
 * rt_nic_qemu_args() - the VMM's arguments for an opened NIC (`qnet run`)
 * @rt:		runtime
 * @rnic:	the NIC
 * @av:		arguments are appended here
 *
 * Return: 0 (nothing appended for NICs that are not the VMM's), or -errno
 */
int rt_nic_qemu_args(struct rt *rt, const struct rt_nic *rnic,
		     struct rt_argv *av)
{
	return rnic->fe->qemu_args ? rnic->fe->qemu_args(rt, rnic, av) : 0;
}

/**
 * rt_print_attach() - tell the user where each VM NIC attaches
 * @rt:		runtime
 * @f:		output stream
 */
void rt_print_attach(struct rt *rt, FILE *f)
{
	struct strbuf line = STRBUF_INIT;
	size_t i;

	for (i = 0; i < rt->nc->nnics; i++) {
		struct rt_nic *rnic = rt->nc->nics[i]->priv;

		if (!rnic)
			continue;
		strbuf_reset(&line);
		if (!rt_nic_describe(rt, rnic, &line))
			fprintf(f, "qnet: %s: %s\n", rnic->nic->name,
				strbuf_str(&line));
	}
	strbuf_free(&line);
	fflush(f);
}
