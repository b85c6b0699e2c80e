/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtime.h: the running network: netconf objects opened as ports on a worker. */
#ifndef QNET_CTL_RUNTIME_H
#define QNET_CTL_RUNTIME_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ctl/mon.h"
#include "ctl/netconf.h"
#include "ctl/signals.h"
#include "datapath/hub.h"
#include "datapath/port.h"
#include "datapath/uring/uworker.h"

#define RT_MONITORS_MAX 8

struct rt;
struct rt_netdev;

/**
 * struct rt_backend - how one netdev type is opened (one entry per type)
 * @type:	netdev type name ("user", "stream", ...)
 * @open:	open it in the worker thread; fill @rn->obj and @rn->port;
 *		on error return -errno with the message in @err
 * @close:	close it in the worker thread
 * @info:	optional: replace the info-network text of the netdev
 */
struct rt_backend {
	const char *type;
	int (*open)(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		    struct strbuf *err);
	void (*close)(struct rt *rt, struct rt_netdev *rn);
};

/**
 * struct rt_netdev - an opened netdev
 * @nd:		its configuration
 * @be:		its backend, NULL for hub ports
 * @obj:	the backend's object
 * @port:	its port
 * @hub:	for a hub port: the hub
 */
struct rt_netdev {
	struct netconf_netdev *nd;
	const struct rt_backend *be;
	void *obj;
	struct port *port;
	struct rt_hub *hub;
};

/**
 * struct rt_nic - an opened NIC (the guest's side of a link)
 * @nic:	its configuration
 * @obj:	the transport's object (vmm_stream, ...)
 * @port:	its port
 * @attach:	how a VM attaches, in qnet's attach= spelling
 * @qemu:	the matching QEMU netdev option, for the user
 */
struct rt_nic {
	struct netconf_nic *nic;
	void *obj;
	struct port *port;
	char attach[PATH_MAX + 64];
	char qemu[PATH_MAX + 256];
};

/**
 * struct rt_hub - an opened hub
 * @cfg:	its configuration
 * @hub:	the datapath hub
 */
struct rt_hub {
	struct netconf_hub *cfg;
	struct hub hub;
};

/**
 * struct rt - the running qnet
 * @nc:		the configuration model
 * @loop:	control thread loop (monitor, signals)
 * @worker:	data-path worker (all ports live on its loop)
 * @worker_up:	@worker was started
 * @sig:	signal watch on @loop
 * @mon:	monitor context handed to both protocols
 * @mons:	monitor servers
 * @nmons:	how many
 * @rundir:	private directory for default sockets ("" if none made)
 * @quit:	stop requested
 * @exit_code:	status to exit with
 * @child:	`qnet run`: the VMM's pid, 0 otherwise
 * @child_status: the VMM's wait status once it ended
 */
struct rt {
	struct netconf *nc;
	struct uloop loop;
	struct uworker worker;
	bool worker_up;
	struct sig_watch sig;
	struct mon_ctx mon;
	struct mon_server *mons[RT_MONITORS_MAX];
	unsigned int nmons;
	char rundir[PATH_MAX];
	bool quit;
	int exit_code;
	pid_t child;
	int child_status;
};

int rt_init(struct rt *rt, struct netconf *nc, struct strbuf *err);
int rt_open_all(struct rt *rt, struct strbuf *err);
void rt_close_all(struct rt *rt);
void rt_fini(struct rt *rt);
int rt_run(struct rt *rt);
void rt_print_attach(struct rt *rt, FILE *f);
int rt_open_monitors(struct rt *rt, struct strbuf *err);

int rt_netdev_open(struct rt *rt, struct netconf_netdev *nd,
		   struct strbuf *err);
void rt_netdev_close(struct rt *rt, struct netconf_netdev *nd);
int rt_connect_clients(struct rt *rt, struct strbuf *err);
const struct rt_backend *rt_backend_find(const char *type);
int rt_nic_attach(struct rt *rt, struct netconf_nic *nic, const char *attach,
		  struct strbuf *err);
void rt_nic_close(struct rt *rt, struct netconf_nic *nic);
struct port *rt_client_port(const struct netconf_client *c);
void rt_client_set_link(const struct netconf_client *c, bool up);

extern const struct mon_ops rt_mon_ops;

#endif /* QNET_CTL_RUNTIME_H */
