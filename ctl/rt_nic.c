// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_nic.c: open a NIC's transport (how the VM attaches) and tell the user. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/runtime.h"
#include "devices/vmm_stream.h"

/**
 * DOC: NICs in the running qnet
 *
 * A NIC is the guest's end of a link. When the VMM emulates the NIC itself,
 * qnet serves QEMU's stream/dgram framing: the NIC's `attach=` property says
 * where (`stream:unix:PATH`, `stream:inet:HOST:PORT`, `dgram:...`; see
 * docs/transports.md), and without it qnet listens on a unix socket in a
 * private directory. qnet prints the matching QEMU options at start-up.
 */

/**
 * struct rt_nic_call - arguments of rt_nic_attach_fn()
 * @rt:		runtime
 * @rnic:	the NIC being opened
 * @cfg:	parsed attach spec
 * @err:	error text
 */
struct rt_nic_call {
	struct rt *rt;
	struct rt_nic *rnic;
	struct vmm_stream_config *cfg;
	struct strbuf *err;
};

/**
 * rt_nic_attach_fn() - open the NIC's transport (worker side)
 * @loop:	worker loop
 * @arg:	struct rt_nic_call
 *
 * Return: 0, or -errno
 */
static int rt_nic_attach_fn(struct uloop *loop, void *arg)
{
	struct rt_nic_call *c = arg;
	struct vmm_stream *vs;
	int ret;

	ret = vmm_stream_open(&vs, c->cfg, loop, c->rnic->nic->name, NULL);
	if (ret) {
		strbuf_printf(c->err, "cannot listen for the VM on '%s': %s",
			      c->rnic->attach, strerror(-ret));
		return ret;
	}
	c->rnic->obj = vs;
	c->rnic->port = vmm_stream_port(vs);
	return 0;
}

/**
 * rt_nic_attach() - open a NIC where a VM can attach
 * @rt:		runtime
 * @nic:	the NIC
 * @attach:	attach= spec
 * @err:	error text
 *
 * Return: 0, or -errno
 */
int rt_nic_attach(struct rt *rt, struct netconf_nic *nic, const char *attach,
		  struct strbuf *err)
{
	struct vmm_stream_config cfg;
	struct rt_nic_call c = { .rt = rt, .cfg = &cfg, .err = err };
	struct rt_nic *rnic;
	const char *why;
	char mac[18];
	int ret;

	ret = vmm_stream_parse(attach, &cfg, &why);
	if (ret) {
		strbuf_printf(err, "Property '%s.attach' doesn't take value "
			      "'%s' (%s)", nic->model->name, attach, why);
		return ret;
	}
	rnic = calloc(1, sizeof(*rnic));
	if (!rnic)
		return -ENOMEM;
	rnic->nic = nic;
	snprintf(rnic->attach, sizeof(rnic->attach), "%s", attach);
	c.rnic = rnic;
	ret = uworker_call(&rt->worker, rt_nic_attach_fn, &c);
	if (ret) {
		free(rnic);
		return ret;
	}
	netconf_format_mac(nic->mac, mac);
	vmm_stream_qemu_netdev(&cfg, VMM_STREAM_QEMU_NETDEV, nic->name, -1,
			       rnic->qemu, sizeof(rnic->qemu));
	nic->priv = rnic;
	return 0;
}

/**
 * rt_nic_close_fn() - close a NIC's transport (worker side)
 * @loop:	worker loop
 * @arg:	the struct rt_nic
 *
 * Return: 0
 */
static int rt_nic_close_fn(struct uloop *loop, void *arg)
{
	struct rt_nic *rnic = arg;

	if (rnic->port)
		port_disconnect(rnic->port);
	vmm_stream_close(rnic->obj);
	return 0;
}

/**
 * rt_nic_close() - close a NIC (no-op if not open)
 * @rt:		runtime
 * @nic:	the NIC
 */
void rt_nic_close(struct rt *rt, struct netconf_nic *nic)
{
	struct rt_nic *rnic = nic->priv;

	if (!rnic)
		return;
	uworker_call(&rt->worker, rt_nic_close_fn, rnic);
	free(rnic);
	nic->priv = NULL;
}

/**
 * rt_print_attach() - tell the user where each VM NIC attaches
 * @rt:		runtime
 * @f:		output stream
 */
void rt_print_attach(struct rt *rt, FILE *f)
{
	size_t i;

	for (i = 0; i < rt->nc->nnics; i++) {
		struct netconf_nic *nic = rt->nc->nics[i];
		struct rt_nic *rnic = nic->priv;
		char mac[18];

		if (!rnic)
			continue;
		netconf_format_mac(nic->mac, mac);
		fprintf(f, "qnet: %s: attach=%s; QEMU: -netdev %s -device %s,netdev=%s,"
			"mac=%s\n", nic->name, rnic->attach, rnic->qemu,
			nic->model->name, nic->name, mac);
	}
	fflush(f);
}
