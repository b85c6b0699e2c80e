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
struct rt_events;
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
 * @spread:	its queues run on the queue workers (rt_workers.c)
 */
struct rt_netdev {
	struct netconf_netdev *nd;
	const struct rt_backend *be;
	void *obj;
	struct port *port;
	struct rt_hub *hub;
	bool spread;
};

struct rt_fe;
struct rt_argv;

/**
 * struct rt_nic - an opened NIC (the guest's side of a link)
 * @nic:	its configuration
 * @fe:		its frontend (stream, vhost-user, netns: ctl/rt_nic.c)
 * @cfg:	the frontend's parsed configuration (ctl thread)
 * @obj:	the frontend's object (vmm_stream, virtio_net, netns_tap, ...)
 * @port:	its port, the one its netdev's port is connected to
 * @index:	position of the NIC in the configuration (ids for the VMM)
 */
struct rt_nic {
	struct netconf_nic *nic;
	const struct rt_fe *fe;
	void *cfg;
	void *obj;
	struct port *port;
	unsigned int index;
};

/**
 * enum rt_fe_kind - the NIC frontends, one adapter file each
 * @RT_FE_STREAM:	the VMM emulates the NIC and sends frames over QEMU's
 *			stream/dgram framing (rt_fe_stream.c, attach=)
 * @RT_FE_VHOST_USER:	qnet emulates virtio-net; the VMM shares guest memory
 *			over vhost-user (rt_fe_vhost.c, vhost-user=)
 * @RT_FE_NETNS:	a tap inside a network namespace is the NIC
 *			(rt_fe_netns.c, -device netns)
 */
enum rt_fe_kind {
	RT_FE_STREAM,
	RT_FE_VHOST_USER,
	RT_FE_NETNS,
	RT_FE_COUNT
};

/**
 * struct rt_fe - how one kind of NIC frontend is opened
 * @name:	"stream", "vhost-user", "netns"
 * @prepare:	ctl thread: check the NIC's properties and keep what @open
 *		needs in @rnic->cfg; on error -errno with the message in @err
 * @open:	worker thread: open it, set @rnic->obj and @rnic->port
 * @close:	worker thread: close it (disconnecting its port)
 * @set_link:	worker thread: set_link on|off for the NIC
 * @release:	ctl thread: free @rnic->cfg (may be NULL)
 * @describe:	one line for the user: where and how a VM attaches
 * @qemu_args:	`qnet run`: the VMM's arguments for this NIC (NULL: none,
 *		the NIC is not the VMM's)
 * @shared_mem:	the VMM must share guest memory with qnet (vhost-user)
 */
struct rt_fe {
	const char *name;
	int (*prepare)(struct rt *rt, struct rt_nic *rnic, struct strbuf *err);
	int (*open)(struct rt *rt, struct rt_nic *rnic, struct uloop *loop,
		    struct strbuf *err);
	void (*close)(struct rt *rt, struct rt_nic *rnic);
	void (*set_link)(struct rt_nic *rnic, bool up);
	void (*release)(struct rt_nic *rnic);
	int (*describe)(struct rt *rt, const struct rt_nic *rnic,
			struct strbuf *out);
	int (*qemu_args)(struct rt *rt, const struct rt_nic *rnic,
			 struct rt_argv *av);
	void (*stats)(const struct rt_nic *rnic, struct strbuf *out, bool json);
	bool shared_mem;
};

extern const struct rt_fe rt_fe_stream;
extern const struct rt_fe rt_fe_vhost;
extern const struct rt_fe rt_fe_netns;

/**
 * struct rt_argv - a growing, NULL-ended argument vector; owns its strings
 * @v:		the vector (NULL until the first push)
 * @n:		entries, without the NULL
 */
struct rt_argv {
	char **v;
	int n;
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

/** RT_QWORKERS_MAX - most queue workers (queue q runs on q % this) */
#define RT_QWORKERS_MAX 8

/**
 * struct rt_qworker - one queue worker (ctl/rt_workers.c)
 * @w:		the worker thread
 * @entered:	posted when it parks at rt_qw_pause()'s gate
 * @release:	posted to let it go
 */
struct rt_qworker {
	struct uworker w;
	sem_t entered;
	sem_t release;
};

/**
 * struct rt - the running qnet
 * @nc:		the configuration model
 * @loop:	control thread loop (monitor, signals)
 * @worker:	data-path worker (all ports live on its loop)
 * @worker_up:	@worker was started
 * @qw:		queue workers of spread multiqueue links (rt_workers.c)
 * @nqw:	how many are running
 * @sig:	signal watch on @loop
 * @mon:	monitor context handed to both protocols
 * @mons:	monitor servers
 * @nmons:	how many
 * @rundir:	private directory for default sockets ("" if none made)
 * @quit:	stop requested
 * @exit_code:	status to exit with
 * @child:	`qnet run`: the VMM's pid, 0 otherwise
 * @child_status: the VMM's wait status once it ended
 * @run_mode:	`qnet run`: virtio-net NICs default to vhost-user
 */
struct rt {
	struct netconf *nc;
	struct uloop loop;
	struct uworker worker;
	bool worker_up;
	struct rt_qworker qw[RT_QWORKERS_MAX];
	unsigned int nqw;
	struct sig_watch sig;
	struct mon_ctx mon;
	struct mon_server *mons[RT_MONITORS_MAX];
	unsigned int nmons;
	char rundir[PATH_MAX];
	bool quit;
	int exit_code;
	pid_t child;
	int child_status;
	struct rt_events *events;
	bool run_mode;
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
int rt_rundir(struct rt *rt, const char **dir);

/* NIC frontends (rt_nic.c, rt_fe_*.c) */
int rt_nic_open(struct rt *rt, struct netconf_nic *nic, struct strbuf *err);
void rt_nic_close(struct rt *rt, struct netconf_nic *nic);
void rt_nic_set_link(struct rt_nic *rnic, bool up);
int rt_nic_describe(struct rt *rt, const struct rt_nic *rnic,
		    struct strbuf *out);
int rt_nic_qemu_args(struct rt *rt, const struct rt_nic *rnic,
		     struct rt_argv *av);
const struct netconf_netdev *rt_nic_peer(const struct netconf_nic *nic);
bool rt_nic_is_vhost(struct rt *rt, const struct netconf_nic *nic);

/* Queue workers (rt_workers.c) */
int rt_qw_get(struct rt *rt, unsigned int q, struct uworker **out);
void rt_qw_stop_all(struct rt *rt);
void rt_qw_pause(struct rt *rt);
void rt_qw_resume(struct rt *rt);
bool rt_qw_spread(struct rt *rt, const struct netconf_netdev *nd);
bool rt_qw_for_nic(struct rt *rt, const struct netconf_nic *nic,
		   unsigned int pairs, struct uworker **ws);
int rt_nic_socket_path(struct rt *rt, const struct rt_nic *rnic,
		       const char *suffix, char *buf, size_t size);

/* Joining a multiqueue NIC onto a single-queue netdev (rt_fe_mq.c) */
struct rt_fe_mq;
int rt_fe_mq_open(struct rt_fe_mq **out, struct port *dev, const char *name);
struct port *rt_fe_mq_port(struct rt_fe_mq *j);
void rt_fe_mq_close(struct rt_fe_mq *j);

/* The VMM's command line for `qnet run` (rt_fe_qemu.c) */
int rt_argv_push(struct rt_argv *a, const char *s);
int rt_argv_pushf(struct rt_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rt_argv_free(struct rt_argv *a);
int rt_qemu_device_arg(const struct netconf_nic *nic, const char *netdev,
		       struct strbuf *out);
int rt_qemu_argv(struct rt *rt, char *const *vmm, int nvmm,
		 struct rt_argv *out, struct strbuf *warn);
struct port *rt_client_port(const struct netconf_client *c);
void rt_client_set_link(struct rt *rt, const struct netconf_client *c,
			bool up);

extern const struct mon_ops rt_mon_ops;

#endif /* QNET_CTL_RUNTIME_H */
