// SPDX-License-Identifier: GPL-2.0-or-later
/* Internal helpers shared by the netconf_*.c files. Not for other layers. */
#ifndef QNET_CTL_NETCONF_INT_H
#define QNET_CTL_NETCONF_INT_H

#include "ctl/netconf.h"

/* Index of each QemuOpts id list in struct netconf.lists. */
enum netconf_list {
	NCL_NETDEV,
	NCL_NIC,
	NCL_NET,
	NCL_DEVICE,
	NCL_OBJECT,
	NCL_CHARDEV,
	NCL_COUNT
};

/* QEMU allows this many -nic / -net nic NICs. */
#define NETCONF_MAX_NICS 8

/**
 * struct nc_board_nic - a NIC requested by -nic or -net nic, created when
 *	the board is built (after every netdev and filter)
 * @model:	model= as typed, or NULL for the default (e1000)
 * @mac:	MAC, already assigned
 * @peer:	client it connects to (netdev queue 0 or hub port), or NULL
 * @loc:	the option that asked for it
 * @origin:	NETCONF_FROM_NIC or NETCONF_FROM_NET
 */
struct nc_board_nic {
	char *model;
	uint8_t mac[6];
	struct netconf_client *peer;
	char *loc;
	enum netconf_origin origin;
};

/**
 * struct nc_item - one option waiting for its phase of netconf_build()
 * @loc:	"-netdev user,id=x" (error location)
 * @qo:		QemuOpts form (owned by a netconf list), or NULL
 * @tree:	JSON/typed form (owned here), or NULL
 */
struct nc_item {
	char *loc;
	struct qopts *qo;
	struct json_value *tree;
};

struct nc_items {
	struct nc_item *v;
	size_t n, cap;
};

/**
 * struct netconf_pending - parsed options not yet built, per phase
 * @modern:	-netdev in keyval/JSON form (typed Netdev), built first
 * @legacy:	-netdev in QemuOpts form
 * @nic:	-nic
 * @net:	-net
 * @object:	-object filters (typed ObjectOptions)
 * @device:	-device (QemuOpts or JSON)
 * @chardev:	-chardev (QemuOpts)
 * @board:	NICs requested by -nic/-net nic
 * @nboard:	count
 * @saw_net:	a -netdev, -nic or -net option was given
 */
struct netconf_pending {
	struct nc_items modern, legacy, nic, net, object, device, chardev;
	struct nc_board_nic *board;
	size_t nboard;
	bool saw_net;
};

int nc_push(void *arrp, size_t *n, void *item);
void nc_remove(void *arrp, size_t *n, void *item);
int nc_items_add(struct nc_items *it, const char *loc, struct qopts *qo,
		 struct json_value *tree);
void nc_items_free(struct nc_items *it);

struct netconf_client *nc_client_new(struct netconf *nc, const char *name,
				     struct netconf_netdev *nd,
				     struct netconf_nic *nic, unsigned qidx,
				     struct netconf_client *peer);
void nc_client_unlist(struct netconf *nc, struct netconf_client *c);
struct netconf_client *nc_find_netdev_client(const struct netconf *nc,
					     const char *name);
size_t nc_find_clients(const struct netconf *nc, const char *name,
		       bool nics, struct netconf_client **out, size_t max);
char *nc_nic_name(const struct netconf *nc, const char *model);
char *nc_generate_id(struct netconf *nc);

void nc_mac_default(struct netconf *nc, uint8_t mac[6]);
void nc_mac_release(struct netconf *nc, const uint8_t mac[6]);
int nc_parse_macaddr(const char *s, uint8_t mac[6]);
int nc_parse_qdev_mac(const char *s, uint8_t mac[6]);

struct netconf_netdev *nc_netdev_new(struct netconf *nc, const char *id,
				     const struct ndtype *type,
				     struct json_value *opts,
				     enum netconf_origin origin,
				     const char *loc, unsigned nqueues,
				     struct netconf_client *peer);
struct netconf_netdev *nc_hub_add_port(struct netconf *nc, int hubid,
				       const char *name,
				       struct netconf_client *peer,
				       enum netconf_origin origin,
				       const char *loc);
void nc_netdev_free(struct netconf_netdev *nd);
void nc_nic_free(struct netconf_nic *nic);
void nc_filter_free(struct netconf_filter *f);
void nc_pending_free(struct netconf_pending *p);

int nc_netdev_init(struct netconf *nc, struct json_value *opts,
		   bool is_netdev, enum netconf_origin origin,
		   const char *loc, struct netconf_netdev **out);
int nc_netdev_init_legacy(struct netconf *nc, struct qopts *o,
			  bool is_netdev, enum netconf_origin origin,
			  const char *loc, struct strbuf *help);
int nc_nic_param(struct netconf *nc, struct qopts *o, const char *loc);
int nc_net_param(struct netconf *nc, struct qopts *o, const char *loc);
int nc_netdev_validate(struct netconf *nc, const struct ndtype *t,
		       const struct json_value *opts, bool on_hub);

int nc_board_nics(struct netconf *nc, struct strbuf *help);
int nc_device_add(struct netconf *nc, const struct nc_item *it);
int nc_device_help(const struct nc_item *it, struct strbuf *help);
int nc_object_parse(struct netconf *nc, const char *arg,
		    struct strbuf *help);
int nc_filter_create(struct netconf *nc, const struct nc_item *it);

#endif /* QNET_CTL_NETCONF_INT_H */
