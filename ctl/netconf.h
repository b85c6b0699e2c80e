// SPDX-License-Identifier: GPL-2.0-or-later
/* The network configuration model: netdevs, NICs, hubs, filters (netconf). */
#ifndef QNET_CTL_NETCONF_H
#define QNET_CTL_NETCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/diag.h"
#include "ctl/filtertypes.h"
#include "ctl/json.h"
#include "ctl/ndtypes.h"
#include "ctl/nicmodels.h"
#include "ctl/qopts.h"
#include "ctl/strbuf.h"

/*
 * DOC: the netconf model
 *
 * struct netconf is the validated network configuration, built from a QEMU
 * command line (netconf_parse_args() + netconf_build()) and changed at run
 * time by the monitor (netconf_netdev_add_*(), netconf_netdev_del(),
 * netconf_set_link()). It holds no datapath objects and opens nothing:
 * the layer that brings the configuration to life walks it and stores its
 * own objects in the @priv hooks.
 *
 * Objects:
 * - struct netconf_netdev: a backend (-netdev, -nic, -net TYPE, hub ports,
 *   netdev_add), with its type and typed options (see schema.h);
 * - struct netconf_nic: a guest NIC (-device, -nic, -net nic), its model,
 *   MAC and netdev;
 * - struct netconf_hub: a hub (hub 0 of -net, or -netdev hubport,hubid=N)
 *   and its ports, which are netdevs of type "hubport";
 * - struct netconf_filter: a filter object attached to a netdev;
 * - struct netconf_chardev: a -chardev, only recorded (filters and
 *   vhost-user refer to them).
 *
 * Like QEMU, the model keeps one "client" (struct netconf_client, QEMU's
 * NetClientState) per queue of every NIC and netdev, in creation order,
 * each with at most one peer. That list is what "info network", set_link,
 * name lookups and the no-peer warnings walk, so qnet reproduces QEMU's
 * output order exactly. A netdev with queues=N has N clients with the same
 * name; so does a NIC peered with it.
 *
 * Lifetimes: everything belongs to the struct netconf and is freed by
 * netconf_free(). A netdev deleted while a NIC still uses it stays
 * allocated (as in QEMU, the NIC keeps showing it as its peer) but is no
 * longer listed or findable.
 */

enum netconf_origin {
	NETCONF_FROM_NETDEV,	/* -netdev */
	NETCONF_FROM_NIC,	/* -nic */
	NETCONF_FROM_NET,	/* -net, and the default -net nic -net user */
	NETCONF_FROM_DEVICE,	/* -device */
	NETCONF_FROM_MONITOR,	/* netdev_add (HMP or QMP) */
	NETCONF_FROM_HUB,	/* hub port created for -net */
	NETCONF_ORIGIN_COUNT
};

struct netconf_netdev;
struct netconf_nic;
struct netconf_hub;

/**
 * struct netconf_client - one queue of a NIC or netdev (QEMU's
 *	NetClientState)
 * @name:	client name (netdev id, hub port name, NIC name)
 * @nd:		owning netdev, or NULL for a NIC queue
 * @nic:	owning NIC, or NULL for a netdev queue
 * @queue_index: queue number within the owner
 * @peer:	the client at the other end, or NULL
 * @link_down:	set_link NAME off was applied
 * @listed:	still in the client list (false once deleted)
 * @prev:	previous client in creation order
 * @next:	next client in creation order
 */
struct netconf_client {
	char *name;
	struct netconf_netdev *nd;
	struct netconf_nic *nic;
	unsigned queue_index;
	struct netconf_client *peer;
	bool link_down;
	bool listed;
	struct netconf_client *prev, *next;
};

/**
 * struct netconf_netdev - one backend
 * @id:		name (user's id, generated "#netNNN", or "hubNportM")
 * @type:	netdev type
 * @opts:	typed options, including "id" and "type" (schema.h); for a
 *		hub port created by -net, just those two
 * @origin:	which option created it
 * @is_netdev:	created by -netdev, -nic or netdev_add (netdev_del allowed)
 * @loc:	the option that created it ("-netdev user,id=n0"), or NULL
 * @nqueues:	number of queues (tap queues=N, ...), at least 1
 * @queues:	its clients, @nqueues of them
 * @hub:	for a hub port: its hub
 * @filters:	filters attached to it, in processing order
 * @nfilters:	count
 * @deleted:	removed by netdev_del but still the peer of a NIC
 * @tap_index:	tap without ifname/fd/helper: N of the "tapN" name the
 *		kernel will most likely give it (info network only)
 * @priv:	for the layer that instantiates the model
 */
struct netconf_netdev {
	char *id;
	const struct ndtype *type;
	struct json_value *opts;
	enum netconf_origin origin;
	bool is_netdev;
	char *loc;
	unsigned nqueues;
	struct netconf_client **queues;
	struct netconf_hub *hub;
	struct netconf_filter **filters;
	size_t nfilters;
	bool deleted;
	unsigned tap_index;
	void *priv;
};

/**
 * struct netconf_nic - one guest NIC
 * @name:	NIC name: the device id, or "<model>.<n>"
 * @id:		-device id, or NULL
 * @model:	NIC model
 * @mac:	MAC address
 * @netdev:	backend it is peered with (may be a hub port), or NULL
 * @props:	typed -device properties as given (schema.h), or NULL for
 *		-nic/-net NICs
 * @origin:	which option created it
 * @loc:	the option that created it
 * @nqueues:	number of queues (those of its netdev), at least 1
 * @queues:	its clients
 * @pci_slot:	PCI slot from addr=, or -1
 * @pci_fn:	PCI function from addr=, or 0
 * @priv:	for the layer that instantiates the model
 */
struct netconf_nic {
	char *name;
	char *id;
	const struct nicmodel *model;
	uint8_t mac[6];
	struct netconf_netdev *netdev;
	struct json_value *props;
	enum netconf_origin origin;
	char *loc;
	unsigned nqueues;
	struct netconf_client **queues;
	int pci_slot;
	int pci_fn;
	void *priv;
};

/**
 * struct netconf_hub - an N-port broadcast hub
 * @id:		hub number
 * @num_ports:	ports ever created (names hubNportM count from it)
 * @ports:	hub port netdevs, in creation order
 * @nports:	count
 * @priv:	for the layer that instantiates the model
 */
struct netconf_hub {
	int id;
	unsigned num_ports;
	struct netconf_netdev **ports;
	size_t nports;
	void *priv;
};

/**
 * struct netconf_filter - a filter object on a netdev
 * @id:		object id
 * @type:	filter type
 * @props:	typed options (schema.h)
 * @nd:		the netdev it is attached to
 * @loc:	the option that created it
 * @priv:	for the layer that instantiates the model
 */
struct netconf_filter {
	char *id;
	const struct filtertype *type;
	struct json_value *props;
	struct netconf_netdev *nd;
	char *loc;
	void *priv;
};

/**
 * struct netconf_chardev - a -chardev, recorded for references
 * @id:		chardev id
 * @backend:	backend name (socket, file, ...)
 * @opts:	its options
 * @in_use:	a filter or netdev uses it
 */
struct netconf_chardev {
	char *id;
	char *backend;
	struct qopts *opts;
	bool in_use;
};

struct netconf_pending;

/**
 * struct netconf - the whole network configuration
 * @head:	first client (creation order)
 * @tail:	last client
 * @netdevs:	netdevs in creation order (deleted ones removed)
 * @nnetdevs:	count
 * @nics:	NICs in creation order
 * @nnics:	count
 * @hubs:	hubs in creation order
 * @nhubs:	count
 * @filters:	filters in creation order
 * @nfilters:	count
 * @chardevs:	chardevs in command-line order
 * @nchardevs:	count
 * @dry_run:	--dry-run was given
 * @nodefaults:	-nodefaults was given
 * @monitors:	-monitor SPEC arguments, in order
 * @nmonitors:	count
 * @qmps:	-qmp SPEC arguments, in order
 * @nqmps:	count
 * @runas:	-runas USER, or NULL
 * @vmm_args:	accepted VMM options qnet ignores (-M pc, -S, ...), as
 *		typed, for a later run mode
 * @nvmm_args:	count
 * @default_net: no network option was given: the default network is used
 * @diag:	errors and warnings, in order
 * @pend:	options parsed but not yet built (netconf_build())
 * @zombies:	deleted netdevs still referenced by a NIC
 * @nzombies:	count
 * @mac_used:	QEMU's table of default MACs in use (last byte)
 * @id_counter:	next number for generated "#netNNN" ids
 * @nb_nics:	-nic and -net nic slots used (QEMU allows 8)
 * @lists:	QemuOpts id lists: netdev, nic, net, device, object, chardev
 */
struct netconf {
	struct netconf_client *head, *tail;
	struct netconf_netdev **netdevs;
	size_t nnetdevs;
	struct netconf_nic **nics;
	size_t nnics;
	struct netconf_hub **hubs;
	size_t nhubs;
	struct netconf_filter **filters;
	size_t nfilters;
	struct netconf_chardev **chardevs;
	size_t nchardevs;
	bool dry_run;
	bool nodefaults;
	char **monitors;
	size_t nmonitors;
	char **qmps;
	size_t nqmps;
	char *runas;
	char **vmm_args;
	size_t nvmm_args;
	bool default_net;
	struct diag_list diag;
	struct netconf_pending *pend;
	struct netconf_netdev **zombies;
	size_t nzombies;
	int mac_used[256];
	unsigned id_counter;
	unsigned nb_nics;
	struct qopts_list lists[6];
};

/* Outcome of parsing/building when it is not an error. */
enum netconf_status {
	NETCONF_OK,		/* configuration built */
	NETCONF_HELP,		/* help was printed into the help buffer */
	NETCONF_STATUS_COUNT
};

/* Lifecycle and command line (netconf.c, netconf_args.c, netconf_build.c) */
struct netconf *netconf_new(void);
void netconf_free(struct netconf *nc);
int netconf_parse_args(struct netconf *nc, int argc, char **argv,
		       struct strbuf *help);
int netconf_build(struct netconf *nc, struct strbuf *help);

/* Running mode: refuse types without a backend (netconf_check.c) */
int netconf_check_implemented(struct netconf *nc,
			      bool (*implemented)(const char *type, void *arg),
			      void *arg);

/* Lookups (netconf.c) */
struct netconf_netdev *netconf_find_netdev(const struct netconf *nc,
					   const char *id);
struct netconf_nic *netconf_find_nic(const struct netconf *nc,
				     const char *name);
struct netconf_hub *netconf_find_hub(const struct netconf *nc, int id);
struct netconf_filter *netconf_find_filter(const struct netconf *nc,
					   const char *id);
struct netconf_chardev *netconf_find_chardev(const struct netconf *nc,
					     const char *id);

/* Typed option access (netconf.c) */
const char *netconf_opt_str(const struct json_value *opts, const char *key);
bool netconf_opt_bool(const struct json_value *opts, const char *key,
		      bool def);
uint64_t netconf_opt_uint(const struct json_value *opts, const char *key,
			  uint64_t def);
int64_t netconf_opt_int(const struct json_value *opts, const char *key,
			int64_t def);

/* Monitor API (netconf_monitor.c) */
int netconf_netdev_add_str(struct netconf *nc, const char *optstr,
			   struct strbuf *help);
int netconf_netdev_add_json(struct netconf *nc,
			    const struct json_value *args);
int netconf_netdev_del(struct netconf *nc, const char *id);
int netconf_set_link(struct netconf *nc, const char *name, bool up);

/* Output (netconf_info.c) */
void netconf_info_network(const struct netconf *nc, struct strbuf *out);
void netconf_info_network_rt(const struct netconf *nc, struct strbuf *out,
			     int (*fn)(const struct netconf_netdev *nd,
				       unsigned q, const char **type,
				       struct strbuf *out, void *arg),
			     void *arg);
void netconf_check_clients(struct netconf *nc);
char *netconf_netdev_info(const struct netconf_netdev *nd);
void netconf_format_mac(const uint8_t mac[6], char buf[18]);

#endif /* QNET_CTL_NETCONF_H */
