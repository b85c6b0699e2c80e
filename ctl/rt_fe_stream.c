// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_fe_stream.c: NIC frontend: the VMM emulates the NIC, frames come over QEMU's stream/dgram framing. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/rt_be.h"
#include "ctl/rt_be_addr.h"
#include "ctl/runtime.h"
#include "devices/vmm_stream.h"

/**
 * DOC: stream frontend
 *
 * The NIC's `attach=` property says where the VMM's own NIC attaches
 * (`stream:unix:PATH`, `stream:inet:HOST:PORT`, `dgram:...`; see
 * docs/transports.md). Without it qnet listens on `<nic>.sock` in its
 * private directory. The VMM side is `-netdev stream,server=off,...` (or
 * `-netdev dgram`) and the NIC's `-device`.
 *
 * A stream NIC reports the VM's arrival and departure as QEMU's stream
 * netdev does: QMP NETDEV_STREAM_CONNECTED (netdev-id: the NIC's name, the
 * id of the VMM's netdev; addr: vmm_stream_peer(), the listening path for
 * a unix socket) and NETDEV_STREAM_DISCONNECTED, through rt_be_event().
 */

/**
 * struct rt_fe_stream_ev - what the transport's event hook needs; lives
 * until the transport is freed (STREAM_LINK_EV_CLOSED)
 * @id:		the NIC's name
 * @stream:	a stream transport (dgram has no connection events)
 */
struct rt_fe_stream_ev {
	char *id;
	bool stream;
	uint64_t bad_len;
};

/**
 * struct rt_fe_stream_cfg - a stream NIC's parsed attach= and VMM option
 * @cfg:	the transport's configuration
 * @attach:	attach= spec in force (given or default)
 * @qemu:	the VMM's -netdev option for it (once open)
 */
struct rt_fe_stream_cfg {
	struct vmm_stream_config cfg;
	char attach[PATH_MAX + 64];
	char qemu[PATH_MAX + 256];
};

/**
 * rt_fe_stream_prepare() - parse attach= (or pick the default socket)
 * @rt:		runtime
 * @rnic:	the NIC
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_fe_stream_prepare(struct rt *rt, struct rt_nic *rnic,
				struct strbuf *err)
{
	const char *attach = netconf_opt_str(rnic->nic->props, "attach");
	struct rt_fe_stream_cfg *c = calloc(1, sizeof(*c));
	char def[PATH_MAX];
	const char *why;
	int ret;

	if (!c)
		return -ENOMEM;
	rnic->cfg = c;
	if (!attach) {
		ret = rt_nic_socket_path(rt, rnic, ".sock", def, sizeof(def));
		if (ret) {
			strbuf_printf(err, "cannot create a socket directory: "
				      "%s", strerror(-ret));
			return ret;
		}
		snprintf(c->attach, sizeof(c->attach), "stream:unix:%s", def);
	} else {
		snprintf(c->attach, sizeof(c->attach), "%s", attach);
	}
	ret = vmm_stream_parse(c->attach, &c->cfg, &why);
	if (ret)
		strbuf_printf(err, "Property '%s.attach' doesn't take value "
			      "'%s' (%s)", rnic->nic->model->name, c->attach,
			      why);
	return ret;
}

/**
 * rt_fe_stream_event() - the transport's connection events (worker)
 * @vs:		the transport
 * @ev:		what happened
 * @arg:	struct rt_fe_stream_ev
 */
static void rt_fe_stream_event(struct vmm_stream *vs,
			       enum stream_link_event ev, void *arg)
{
	struct rt_fe_stream_ev *e = arg;
	struct json_value *data;
	struct stream_addr peer;

	if (ev == STREAM_LINK_EV_CLOSED) {
		free(e->id);
		free(e);
		rt_be_pending(-1);
		return;
	}
	if (ev == STREAM_LINK_EV_BAD_LENGTH) {
		/* a VM can trigger this at will: log the first, then every
		 * 1000th (the count is in the NIC's malformed drops) */
		if (e->bad_len++ % 1000 == 0)
			rt_be_warn("%s: bogus stream length prefix from the VM; "
				   "connection reset (%llu so far)", e->id,
				   (unsigned long long)e->bad_len);
		return;
	}
	if (!e->stream || (ev != STREAM_LINK_EV_CONNECTED &&
			   ev != STREAM_LINK_EV_DISCONNECTED))
		return;
	data = json_new_object();
	if (!data)
		return;
	json_object_set(data, "netdev-id", json_new_string(e->id));
	if (ev == STREAM_LINK_EV_CONNECTED) {
		if (vmm_stream_peer(vs, &peer))
			memset(&peer, 0, sizeof(peer));
		json_object_set(data, "addr", rt_be_addr_json(&peer));
	}
	rt_be_event(ev == STREAM_LINK_EV_CONNECTED ?
		    "NETDEV_STREAM_CONNECTED" : "NETDEV_STREAM_DISCONNECTED",
		    data);
}

/**
 * rt_fe_stream_open() - listen (or bind) where the VMM attaches (worker)
 * @rt:		runtime
 * @rnic:	the NIC
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_fe_stream_open(struct rt *rt, struct rt_nic *rnic,
			     struct uloop *loop, struct strbuf *err)
{
	struct rt_fe_stream_cfg *c = rnic->cfg;
	struct vmm_stream_notify nt = { .event = rt_fe_stream_event };
	struct rt_fe_stream_ev *e = calloc(1, sizeof(*e));
	struct vmm_stream *vs;
	int ret;

	if (!e || !(e->id = strdup(rnic->nic->name))) {
		free(e);
		return -ENOMEM;
	}
	e->stream = c->cfg.transport == VMM_STREAM_STREAM;
	nt.arg = e;
	rt_be_attach(rt);
	ret = vmm_stream_open(&vs, &c->cfg, loop, rnic->nic->name, &nt);
	if (ret) {
		free(e->id);
		free(e);
		strbuf_printf(err, "cannot listen for the VM on '%s': %s",
			      c->attach, strerror(-ret));
		return ret;
	}
	rt_be_pending(1);
	rnic->obj = vs;
	rnic->port = vmm_stream_port(vs);
	if (vmm_stream_qemu_args(vs, VMM_STREAM_QEMU_NETDEV, rnic->nic->name,
				 -1, c->qemu, sizeof(c->qemu)) < 0)
		vmm_stream_qemu_netdev(&c->cfg, VMM_STREAM_QEMU_NETDEV,
				       rnic->nic->name, -1, c->qemu,
				       sizeof(c->qemu));
	return 0;
}

static void rt_fe_stream_close(struct rt *rt, struct rt_nic *rnic)
{
	if (rnic->port)
		port_disconnect(rnic->port);
	vmm_stream_close(rnic->obj);
	rnic->obj = NULL;
	rnic->port = NULL;
}

static void rt_fe_stream_set_link(struct rt_nic *rnic, bool up)
{
	vmm_stream_set_link(rnic->obj, up);
}

static void rt_fe_stream_release(struct rt_nic *rnic)
{
	free(rnic->cfg);
	rnic->cfg = NULL;
}

/**
 * rt_fe_stream_describe() - `attach=SPEC; QEMU: -netdev ... -device ...`
 * @rt:		runtime
 * @rnic:	the NIC
 * @out:	text output
 *
 * Return: 0, or -errno
 */
static int rt_fe_stream_describe(struct rt *rt, const struct rt_nic *rnic,
				 struct strbuf *out)
{
	const struct rt_fe_stream_cfg *c = rnic->cfg;

	strbuf_printf(out, "attach=%s; QEMU: -netdev %s -device ", c->attach,
		      c->qemu);
	return rt_qemu_device_arg(rnic->nic, rnic->nic->name, out);
}

/**
 * rt_fe_stream_qemu_args() - `-netdev stream,... -device MODEL,...`
 * @rt:		runtime
 * @rnic:	the NIC
 * @av:		arguments are appended here
 *
 * Return: 0, or -errno
 */
static int rt_fe_stream_qemu_args(struct rt *rt, const struct rt_nic *rnic,
				  struct rt_argv *av)
{
	const struct rt_fe_stream_cfg *c = rnic->cfg;
	struct strbuf dev = STRBUF_INIT;
	int ret;

	ret = rt_qemu_device_arg(rnic->nic, rnic->nic->name, &dev);
	if (!ret)
		ret = rt_argv_push(av, "-netdev");
	if (!ret)
		ret = rt_argv_push(av, c->qemu);
	if (!ret)
		ret = rt_argv_push(av, "-device");
	if (!ret)
		ret = rt_argv_push(av, strbuf_str(&dev));
	strbuf_free(&dev);
	return ret;
}

const struct rt_fe rt_fe_stream = {
	.name = "stream",
	.prepare = rt_fe_stream_prepare,
	.open = rt_fe_stream_open,
	.close = rt_fe_stream_close,
	.set_link = rt_fe_stream_set_link,
	.release = rt_fe_stream_release,
	.describe = rt_fe_stream_describe,
	.qemu_args = rt_fe_stream_qemu_args,
};
