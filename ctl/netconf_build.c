// SPDX-License-Identifier: GPL-2.0-or-later
/* Building the model from the parsed options, in QEMU's phase order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"

/*
 * DOC: build phases
 *
 * netconf_build() creates what the options describe in the order QEMU
 * does, so that the first error reported, the names generated ("#netNNN",
 * "hubNportM", "e1000.1"), the MACs handed out and the order of "info
 * network" all match:
 *
 *  1. the default network (-net nic -net user) when no -netdev, -nic or
 *     -net was given and -nodefaults was not;
 *  2. chardevs;
 *  3. -netdev in keyval/JSON form, then -netdev in QemuOpts form
 *     ("-netdev help" is answered here);
 *  4. -nic, then -net;
 *  5. filters (errors carry no location, as in QEMU);
 *  6. the NICs of -nic and -net nic ("model=help" is answered here);
 *  7. -device NICs;
 *  8. unless the default network is in use, the no-peer warnings.
 */

static const char *const char_drivers[] = {
	"braille", "dbus", "file", "memory", "msmouse", "null", "parallel",
	"parport", "pipe", "pty", "qemu-vdagent", "ringbuf", "serial",
	"socket", "spiceport", "spicevmc", "stdio", "testdev", "tty", "udp",
	"vc", "wctablet", NULL,
};

static int make_chardev(struct netconf *nc, const struct nc_item *it)
{
	const char *backend = qopts_get(it->qo, "backend");
	struct netconf_chardev *c;
	size_t i;

	if (!it->qo->id)
		return diag_error(&nc->diag, "chardev: no id specified");
	if (!backend)
		return diag_error(&nc->diag, "chardev: \"%s\" missing backend",
				  it->qo->id);
	for (i = 0; char_drivers[i]; i++)
		if (!strcmp(char_drivers[i], backend))
			break;
	if (!char_drivers[i])
		return diag_error(&nc->diag, "'%s' is not a valid char driver "
				  "name", backend);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->id = strdup(it->qo->id);
	c->backend = strdup(backend);
	c->opts = qopts_new();
	for (i = 0; c->opts && i < it->qo->n; i++)
		if (qopts_set(c->opts, it->qo->v[i].name, it->qo->v[i].value))
			break;
	if (!c->id || !c->backend || !c->opts || i < it->qo->n ||
	    nc_push(&nc->chardevs, &nc->nchardevs, c)) {
		free(c->id);
		free(c->backend);
		qopts_free(c->opts);
		free(c);
		return -ENOMEM;
	}
	return 0;
}

static int default_net(struct netconf *nc)
{
	static const char *const defaults[] = { "nic", "user" };
	struct qopts *o;
	size_t i;
	int ret;

	for (i = 0; i < 2; i++) {
		ret = qopts_list_parse(&nc->lists[NCL_NET], defaults[i], "type",
				       &nc->diag, &o);
		if (!ret)
			ret = nc_items_add(&nc->pend->net, "-net", o, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/* Phases 3 and 4: netdevs, -nic, -net. */
static int netdevs(struct netconf *nc, struct strbuf *help)
{
	struct netconf_pending *p = nc->pend;
	struct netconf_netdev *nd;
	size_t i;
	int ret = 0;

	for (i = 0; i < p->modern.n && !ret; i++) {
		diag_set_loc(&nc->diag, p->modern.v[i].loc, NULL);
		ret = nc_netdev_init(nc, p->modern.v[i].tree, true,
				     NETCONF_FROM_NETDEV, p->modern.v[i].loc,
				     &nd);
		p->modern.v[i].tree = NULL;
	}
	for (i = 0; i < p->legacy.n && !ret; i++) {
		diag_set_loc(&nc->diag, p->legacy.v[i].loc, NULL);
		ret = nc_netdev_init_legacy(nc, p->legacy.v[i].qo, true,
					    NETCONF_FROM_NETDEV,
					    p->legacy.v[i].loc, help);
	}
	for (i = 0; i < p->nic.n && !ret; i++) {
		diag_set_loc(&nc->diag, p->nic.v[i].loc, NULL);
		ret = nc_nic_param(nc, p->nic.v[i].qo, p->nic.v[i].loc);
	}
	for (i = 0; i < p->net.n && !ret; i++) {
		diag_set_loc(&nc->diag, p->net.v[i].loc, NULL);
		ret = nc_net_param(nc, p->net.v[i].qo, p->net.v[i].loc);
	}
	return ret;
}

/**
 * netconf_build() - create the configuration the parsed options describe
 * @nc:		configuration filled by netconf_parse_args()
 * @help:	"-netdev help" / "model=help" output goes here
 *
 * Return: NETCONF_OK (0), NETCONF_HELP when help was printed, or -errno
 * with the error (and any earlier warnings) in nc->diag
 */
int netconf_build(struct netconf *nc, struct strbuf *help)
{
	struct netconf_pending *p = nc->pend;
	size_t i;
	int ret = 0;

	nc->default_net = !p->saw_net && !nc->nodefaults;
	if (nc->default_net)
		ret = default_net(nc);
	for (i = 0; i < p->chardev.n && !ret; i++) {
		diag_set_loc(&nc->diag, p->chardev.v[i].loc, NULL);
		ret = make_chardev(nc, &p->chardev.v[i]);
	}
	if (!ret)
		ret = netdevs(nc, help);
	diag_clear_loc(&nc->diag);
	for (i = 0; i < p->object.n && !ret; i++)
		ret = nc_filter_create(nc, &p->object.v[i]);
	if (!ret)
		ret = nc_board_nics(nc, help);
	for (i = 0; i < p->device.n && ret == 0; i++) {
		diag_set_loc(&nc->diag, p->device.v[i].loc, NULL);
		ret = nc_device_add(nc, &p->device.v[i]);
	}
	diag_clear_loc(&nc->diag);
	if (ret == 0 && !nc->default_net)
		netconf_check_clients(nc);
	nc_pending_free(nc->pend);
	nc->pend = calloc(1, sizeof(*nc->pend));
	if (ret > 0)
		return NETCONF_HELP;
	if (!ret && !nc->pend)
		return -ENOMEM;
	return ret;
}
