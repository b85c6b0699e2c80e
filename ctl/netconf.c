// SPDX-License-Identifier: GPL-2.0-or-later
/* netconf core: object lifetimes, the client list, names, MACs, hubs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"

static const char *const list_names[NCL_COUNT] = {
	[NCL_NETDEV] = "netdev", [NCL_NIC] = "nic", [NCL_NET] = "net",
	[NCL_DEVICE] = "device", [NCL_OBJECT] = "object",
	[NCL_CHARDEV] = "chardev",
};

/**
 * nc_push() - append @item to a growable pointer array
 * @arrp:	address of the array pointer (void ***)
 * @n:		element count, incremented
 * @item:	pointer to store
 *
 * The array grows in powers of two; its capacity is implied by @n.
 *
 * Return: 0, or -ENOMEM
 */
int nc_push(void *arrp, size_t *n, void *item)
{
	void ***arr = arrp;
	void **nv;
	size_t cap;

	if ((*n & (*n - 1)) == 0) {
		cap = *n ? 2 * *n : 4;
		nv = realloc(*arr, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*arr = nv;
	}
	(*arr)[(*n)++] = item;
	return 0;
}

/**
 * nc_remove() - remove @item from a pointer array, keeping the order
 * @arrp:	address of the array pointer
 * @n:		element count, decremented if found
 * @item:	pointer to remove
 */
void nc_remove(void *arrp, size_t *n, void *item)
{
	void **arr = *(void ***)arrp;
	size_t i;

	for (i = 0; i < *n; i++) {
		if (arr[i] == item) {
			memmove(&arr[i], &arr[i + 1],
				(*n - i - 1) * sizeof(*arr));
			(*n)--;
			return;
		}
	}
}

/**
 * nc_items_add() - queue an option for a later build phase
 * @it:		queue
 * @loc:	error location (copied)
 * @qo:		QemuOpts form (not owned), or NULL
 * @tree:	JSON form (owned from now on, also on failure), or NULL
 *
 * Return: 0, or -ENOMEM
 */
int nc_items_add(struct nc_items *it, const char *loc, struct qopts *qo,
		 struct json_value *tree)
{
	struct nc_item *nv;
	size_t cap;

	if (it->n == it->cap) {
		cap = it->cap ? 2 * it->cap : 8;
		nv = realloc(it->v, cap * sizeof(*nv));
		if (!nv)
			goto oom;
		it->v = nv;
		it->cap = cap;
	}
	it->v[it->n].loc = strdup(loc);
	if (!it->v[it->n].loc)
		goto oom;
	it->v[it->n].qo = qo;
	it->v[it->n].tree = tree;
	it->n++;
	return 0;
oom:
	json_free(tree);
	return -ENOMEM;
}

/**
 * nc_items_free() - free a queue
 * @it:	queue, left empty
 */
void nc_items_free(struct nc_items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++) {
		free(it->v[i].loc);
		json_free(it->v[i].tree);
	}
	free(it->v);
	memset(it, 0, sizeof(*it));
}

/**
 * nc_pending_free() - free what netconf_build() has not consumed
 * @p:	pending options, may be NULL
 */
void nc_pending_free(struct netconf_pending *p)
{
	size_t i;

	if (!p)
		return;
	nc_items_free(&p->modern);
	nc_items_free(&p->legacy);
	nc_items_free(&p->nic);
	nc_items_free(&p->net);
	nc_items_free(&p->object);
	nc_items_free(&p->device);
	nc_items_free(&p->chardev);
	for (i = 0; i < p->nboard; i++) {
		free(p->board[i].model);
		free(p->board[i].loc);
	}
	free(p->board);
	free(p);
}

/**
 * netconf_new() - an empty configuration
 *
 * Return: the configuration, or NULL on allocation failure
 */
struct netconf *netconf_new(void)
{
	struct netconf *nc = calloc(1, sizeof(*nc));
	int i;

	if (!nc)
		return NULL;
	nc->pend = calloc(1, sizeof(*nc->pend));
	if (!nc->pend) {
		free(nc);
		return NULL;
	}
	for (i = 0; i < NCL_COUNT; i++)
		nc->lists[i].name = list_names[i];
	return nc;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/**
 * nc_netdev_free() - free a netdev, its clients and its option value
 * @nd:	netdev (filters are freed separately)
 */
void nc_netdev_free(struct netconf_netdev *nd)
{
	unsigned i;

	for (i = 0; i < nd->nqueues; i++) {
		free(nd->queues[i]->name);
		free(nd->queues[i]);
	}
	free(nd->queues);
	free(nd->filters);
	json_free(nd->opts);
	free(nd->id);
	free(nd->loc);
	free(nd);
}

/**
 * nc_nic_free() - free a NIC and its clients
 * @nic:	NIC
 */
void nc_nic_free(struct netconf_nic *nic)
{
	unsigned i;

	for (i = 0; i < nic->nqueues; i++) {
		free(nic->queues[i]->name);
		free(nic->queues[i]);
	}
	free(nic->queues);
	json_free(nic->props);
	free(nic->name);
	free(nic->id);
	free(nic->loc);
	free(nic);
}

/**
 * nc_filter_free() - free a filter
 * @f:	filter
 */
void nc_filter_free(struct netconf_filter *f)
{
	json_free(f->props);
	free(f->id);
	free(f->loc);
	free(f);
}

/**
 * netconf_free() - free the configuration and everything in it
 * @nc:	configuration, may be NULL
 */
void netconf_free(struct netconf *nc)
{
	size_t i;

	if (!nc)
		return;
	for (i = 0; i < nc->nfilters; i++)
		nc_filter_free(nc->filters[i]);
	for (i = 0; i < nc->nnics; i++)
		nc_nic_free(nc->nics[i]);
	for (i = 0; i < nc->nnetdevs; i++)
		nc_netdev_free(nc->netdevs[i]);
	for (i = 0; i < nc->nzombies; i++)
		nc_netdev_free(nc->zombies[i]);
	for (i = 0; i < nc->nhubs; i++) {
		free(nc->hubs[i]->ports);
		free(nc->hubs[i]);
	}
	for (i = 0; i < nc->nchardevs; i++) {
		free(nc->chardevs[i]->id);
		free(nc->chardevs[i]->backend);
		qopts_free(nc->chardevs[i]->opts);
		free(nc->chardevs[i]);
	}
	free(nc->filters);
	free(nc->nics);
	free(nc->netdevs);
	free(nc->zombies);
	free(nc->hubs);
	free(nc->chardevs);
	free_strv(nc->monitors, nc->nmonitors);
	free_strv(nc->qmps, nc->nqmps);
	free_strv(nc->vmm_args, nc->nvmm_args);
	free(nc->runas);
	for (i = 0; i < NCL_COUNT; i++)
		qopts_list_free(&nc->lists[i]);
	nc_pending_free(nc->pend);
	diag_reset(&nc->diag);
	free(nc);
}

/**
 * nc_client_new() - create a client at the end of the client list
 * @nc:		configuration
 * @name:	client name (copied)
 * @nd:		owning netdev, or NULL
 * @nic:	owning NIC, or NULL
 * @qidx:	queue index
 * @peer:	client to pair with (must be unpaired), or NULL
 *
 * Return: the client, or NULL on allocation failure
 */
struct netconf_client *nc_client_new(struct netconf *nc, const char *name,
				     struct netconf_netdev *nd,
				     struct netconf_nic *nic, unsigned qidx,
				     struct netconf_client *peer)
{
	struct netconf_client *c = calloc(1, sizeof(*c));

	if (!c || !(c->name = strdup(name))) {
		free(c);
		return NULL;
	}
	c->nd = nd;
	c->nic = nic;
	c->queue_index = qidx;
	if (peer) {
		c->peer = peer;
		peer->peer = c;
	}
	c->listed = true;
	c->prev = nc->tail;
	if (nc->tail)
		nc->tail->next = c;
	else
		nc->head = c;
	nc->tail = c;
	return c;
}

/**
 * nc_client_unlist() - take a client out of the list (it stays allocated)
 * @nc:	configuration
 * @c:	listed client
 */
void nc_client_unlist(struct netconf *nc, struct netconf_client *c)
{
	if (!c->listed)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		nc->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		nc->tail = c->prev;
	c->prev = c->next = NULL;
	c->listed = false;
}

/**
 * nc_find_netdev_client() - first listed netdev client named @name
 *	(QEMU's qemu_find_netdev: NICs are skipped)
 * @nc:		configuration
 * @name:	name
 *
 * Return: the client, or NULL
 */
struct netconf_client *nc_find_netdev_client(const struct netconf *nc,
					     const char *name)
{
	struct netconf_client *c;

	for (c = nc->head; c; c = c->next)
		if (!c->nic && !strcmp(c->name, name))
			return c;
	return NULL;
}

/**
 * nc_find_clients() - listed clients named @name
 * @nc:		configuration
 * @name:	name
 * @nics:	include NIC clients
 * @out:	up to @max matches, in list order
 * @max:	capacity of @out
 *
 * Return: the number of matches (may exceed @max)
 */
size_t nc_find_clients(const struct netconf *nc, const char *name, bool nics,
		       struct netconf_client **out, size_t max)
{
	struct netconf_client *c;
	size_t n = 0;

	for (c = nc->head; c; c = c->next) {
		if ((c->nic && !nics) || strcmp(c->name, name))
			continue;
		if (n < max)
			out[n] = c;
		n++;
	}
	return n;
}

/**
 * nc_nic_name() - QEMU's generated NIC name "<model>.<n>", n counting the
 *	listed NIC clients of the same model
 * @nc:		configuration
 * @model:	model name
 *
 * Return: malloc'd name, or NULL
 */
char *nc_nic_name(const struct netconf *nc, const char *model)
{
	struct netconf_client *c;
	char *s = NULL;
	int n = 0;

	for (c = nc->head; c; c = c->next)
		if (c->nic && !strcmp(c->nic->model->name, model))
			n++;
	if (asprintf(&s, "%s.%d", model, n) < 0)
		return NULL;
	return s;
}

/**
 * nc_generate_id() - a new "#netNNN" id (QEMU: counter + two digits)
 * @nc:	configuration
 *
 * QEMU appends two random digits; qnet derives them from the counter so
 * runs are reproducible. Tests normalise the number either way.
 *
 * Return: malloc'd id, or NULL
 */
char *nc_generate_id(struct netconf *nc)
{
	unsigned n = nc->id_counter++;
	char *s = NULL;

	if (asprintf(&s, "#net%u%02u", n, (n * 37 + 11) % 100) < 0)
		return NULL;
	return s;
}

static const uint8_t mac_base[5] = { 0x52, 0x54, 0x00, 0x12, 0x34 };

/**
 * nc_mac_default() - QEMU's qemu_macaddr_default_if_unset()
 * @nc:		configuration (table of default MACs in use)
 * @mac:	all zero: gets 52:54:00:12:34:XX with the first free XX from
 *		0x56; a 52:54:00:12:34:XX address: marked in use; other
 *		addresses are left alone
 */
void nc_mac_default(struct netconf *nc, uint8_t mac[6])
{
	static const uint8_t zero[6];
	int i;

	if (memcmp(mac, zero, 6)) {
		if (!memcmp(mac, mac_base, 5) && mac[5] >= 0x56 &&
		    mac[5] < 0xff)
			nc->mac_used[mac[5]]++;
		return;
	}
	memcpy(mac, mac_base, 5);
	for (i = 0x56; i < 0xff && nc->mac_used[i]; i++)
		;
	mac[5] = (uint8_t)i;	/* 0xff when all are taken, as in QEMU */
	if (i < 0xff)
		nc->mac_used[i]++;
}

/**
 * nc_mac_release() - QEMU's qemu_macaddr_set_free()
 * @nc:		configuration
 * @mac:	address no longer in use
 */
void nc_mac_release(struct netconf *nc, const uint8_t mac[6])
{
	if (!memcmp(mac, mac_base, 5) && mac[5] >= 0x56 && mac[5] < 0xff &&
	    nc->mac_used[mac[5]] > 0)
		nc->mac_used[mac[5]]--;
}

/**
 * nc_parse_macaddr() - MAC syntax of -nic mac= and -net nic,macaddr=
 * @s:		text: six hex bytes separated by ':' or '-', or a number
 *		0..0xffffff (base 0) setting the last three bytes
 * @mac:	result
 *
 * Return: 0, or -EINVAL
 */
int nc_parse_macaddr(const char *s, uint8_t mac[6])
{
	char *end;
	long v;
	int i;

	errno = 0;
	v = strtol(s, &end, 0);
	if (!errno && !*end && v >= 0 && v <= 0xffffff) {
		mac[3] = (uint8_t)(v >> 16);
		mac[4] = (uint8_t)(v >> 8);
		mac[5] = (uint8_t)v;
		return 0;
	}
	for (i = 0; i < 6; i++) {
		mac[i] = (uint8_t)strtol(s, &end, 16);
		s = end;
		if (i == 5)
			return *s ? -EINVAL : 0;
		if (*s != ':' && *s != '-')
			return -EINVAL;
		s++;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * nc_parse_qdev_mac() - MAC syntax of the -device mac= property
 * @s:		exactly "XX:XX:XX:XX:XX:XX" (':' or '-' separators)
 * @mac:	result
 *
 * Return: 0, or -EINVAL
 */
int nc_parse_qdev_mac(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return -EINVAL;
		if (i == 5 ? s[2] != '\0' : (s[2] != ':' && s[2] != '-'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/**
 * netconf_format_mac() - "52:54:00:12:34:56"
 * @mac:	address
 * @buf:	result
 */
void netconf_format_mac(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

/**
 * nc_netdev_new() - create a netdev with @nqueues clients
 * @nc:		configuration
 * @id:		name
 * @type:	type
 * @opts:	typed options (owned from now on, also on failure)
 * @origin:	creating option
 * @loc:	creating option text, or NULL
 * @nqueues:	number of queues (0 is taken as 1)
 * @peer:	client queue 0 pairs with (a -net hub port), or NULL
 *
 * Return: the netdev, or NULL on allocation failure
 */
struct netconf_netdev *nc_netdev_new(struct netconf *nc, const char *id,
				     const struct ndtype *type,
				     struct json_value *opts,
				     enum netconf_origin origin,
				     const char *loc, unsigned nqueues,
				     struct netconf_client *peer)
{
	struct netconf_netdev *nd = calloc(1, sizeof(*nd));
	unsigned i;

	if (!nqueues)
		nqueues = 1;
	if (!nd)
		goto oom;
	nd->opts = opts;
	opts = NULL;
	nd->id = strdup(id);
	nd->loc = loc ? strdup(loc) : NULL;
	nd->queues = calloc(nqueues, sizeof(*nd->queues));
	if (!nd->id || (loc && !nd->loc) || !nd->queues)
		goto err;
	nd->type = type;
	nd->origin = origin;
	for (i = 0; i < nqueues; i++) {
		nd->queues[i] = nc_client_new(nc, id, nd, NULL, 0,
					      i == 0 ? peer : NULL);
		if (!nd->queues[i])
			goto err;
		nd->nqueues++;
	}
	if (nc_push(&nc->netdevs, &nc->nnetdevs, nd))
		goto err;
	return nd;
err:
	for (i = 0; i < nd->nqueues; i++)
		nc_client_unlist(nc, nd->queues[i]);
	if (peer)
		peer->peer = NULL;
	nc_netdev_free(nd);
oom:
	json_free(opts);
	return NULL;
}

/**
 * nc_hub_add_port() - QEMU's net_hub_add_port(): a new port on hub @hubid
 *	(created if needed)
 * @nc:		configuration
 * @hubid:	hub number
 * @name:	port name, or NULL for "hub<id>port<n>"
 * @peer:	client to pair the port with, or NULL
 * @origin:	creating option
 * @loc:	creating option text, or NULL
 *
 * Return: the port's netdev, or NULL on allocation failure
 */
struct netconf_netdev *nc_hub_add_port(struct netconf *nc, int hubid,
				       const char *name,
				       struct netconf_client *peer,
				       enum netconf_origin origin,
				       const char *loc)
{
	struct netconf_hub *hub = netconf_find_hub(nc, hubid);
	struct netconf_netdev *nd;
	struct json_value *opts;
	char *gen = NULL;

	if (!hub) {
		hub = calloc(1, sizeof(*hub));
		if (!hub || nc_push(&nc->hubs, &nc->nhubs, hub)) {
			free(hub);
			return NULL;
		}
		hub->id = hubid;
	}
	if (!name) {
		if (asprintf(&gen, "hub%dport%u", hubid, hub->num_ports) < 0)
			return NULL;
		name = gen;
	}
	opts = json_new_object();
	if (opts && (json_object_set(opts, "id", json_new_string(name)) ||
		     json_object_set(opts, "type",
				     json_new_string("hubport")) ||
		     json_object_set(opts, "hubid", json_new_int(hubid)))) {
		json_free(opts);
		opts = NULL;
	}
	nd = opts ? nc_netdev_new(nc, name, ndtypes_find("hubport"), opts,
				  origin, loc, 1, peer) : NULL;
	free(gen);
	if (!nd)
		return NULL;
	nd->hub = hub;
	hub->num_ports++;
	if (nc_push(&hub->ports, &hub->nports, nd))
		return NULL;
	return nd;
}

/**
 * netconf_find_netdev() - listed netdev named @id
 * @nc:	configuration
 * @id:	name
 *
 * Return: the netdev, or NULL
 */
struct netconf_netdev *netconf_find_netdev(const struct netconf *nc,
					   const char *id)
{
	struct netconf_client *c = nc_find_netdev_client(nc, id);

	return c ? c->nd : NULL;
}

/**
 * netconf_find_nic() - NIC named @name
 * @nc:		configuration
 * @name:	NIC name
 *
 * Return: the NIC, or NULL
 */
struct netconf_nic *netconf_find_nic(const struct netconf *nc,
				     const char *name)
{
	size_t i;

	for (i = 0; i < nc->nnics; i++)
		if (!strcmp(nc->nics[i]->name, name))
			return nc->nics[i];
	return NULL;
}

/**
 * netconf_find_hub() - hub number @id
 * @nc:	configuration
 * @id:	hub number
 *
 * Return: the hub, or NULL
 */
struct netconf_hub *netconf_find_hub(const struct netconf *nc, int id)
{
	size_t i;

	for (i = 0; i < nc->nhubs; i++)
		if (nc->hubs[i]->id == id)
			return nc->hubs[i];
	return NULL;
}

/**
 * netconf_find_filter() - filter with object id @id
 * @nc:	configuration
 * @id:	object id
 *
 * Return: the filter, or NULL
 */
struct netconf_filter *netconf_find_filter(const struct netconf *nc,
					   const char *id)
{
	size_t i;

	for (i = 0; i < nc->nfilters; i++)
		if (!strcmp(nc->filters[i]->id, id))
			return nc->filters[i];
	return NULL;
}

/**
 * netconf_find_chardev() - chardev with id @id
 * @nc:	configuration
 * @id:	chardev id
 *
 * Return: the chardev, or NULL
 */
struct netconf_chardev *netconf_find_chardev(const struct netconf *nc,
					     const char *id)
{
	size_t i;

	for (i = 0; i < nc->nchardevs; i++)
		if (!strcmp(nc->chardevs[i]->id, id))
			return nc->chardevs[i];
	return NULL;
}

/**
 * netconf_opt_str() - string option
 * @opts:	typed options
 * @key:	option name
 *
 * Return: the value, or NULL if not given
 */
const char *netconf_opt_str(const struct json_value *opts, const char *key)
{
	return json_object_get_str(opts, key);
}

/**
 * netconf_opt_bool() - boolean option
 * @opts:	typed options
 * @key:	option name
 * @def:	value when not given
 *
 * Return: the value
 */
bool netconf_opt_bool(const struct json_value *opts, const char *key,
		      bool def)
{
	const struct json_value *v = json_object_get(opts, key);

	return v && v->type == JSON_BOOL ? v->u.b : def;
}

/**
 * netconf_opt_uint() - unsigned option (also sizes)
 * @opts:	typed options
 * @key:	option name
 * @def:	value when not given
 *
 * Return: the value
 */
uint64_t netconf_opt_uint(const struct json_value *opts, const char *key,
			  uint64_t def)
{
	const struct json_value *v = json_object_get(opts, key);

	if (v && v->type == JSON_INT)
		return (uint64_t)v->u.i;
	if (v && v->type == JSON_UINT)
		return v->u.u;
	return def;
}

/**
 * netconf_opt_int() - signed option
 * @opts:	typed options
 * @key:	option name
 * @def:	value when not given
 *
 * Return: the value
 */
int64_t netconf_opt_int(const struct json_value *opts, const char *key,
			int64_t def)
{
	const struct json_value *v = json_object_get(opts, key);

	return v && v->type == JSON_INT ? v->u.i : def;
}
