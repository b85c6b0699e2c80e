// SPDX-License-Identifier: GPL-2.0-or-later
/* NICs: -device properties, NICs of -nic/-net, names, MACs and queues. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"

/*
 * DOC: NIC creation
 *
 * QEMU creates NICs late: the NICs of -nic and -net nic when the board is
 * built (after every netdev and filter), then the -device NICs in order.
 * A NIC gets one queue per queue of its netdev; each queue is a client
 * named by the device id, or "<model>.<n>" where n counts the NIC clients
 * of that model already present (so the second queue of e1000.0 is
 * e1000.1, as in QEMU).
 *
 * -device properties are applied in the order QEMU's QDict iterates them
 * (bucket order of its hash), which decides which error is reported when
 * several properties are wrong. Then come the model's realize checks
 * (virtio-net queue sizes, speed, duplex), the default MAC, and the NIC.
 */

/* QEMU's tdb_hash() bucket for a QDict key (QDICT_BUCKET_MAX 512). */
static unsigned qdict_bucket(const char *key)
{
	unsigned v = 0x238F13AFu * (unsigned)strlen(key), i;

	for (i = 0; key[i]; i++)
		v += (unsigned)(unsigned char)key[i] << (i * 5 % 24);
	return (1103515243u * v + 12345u) % 512;
}

/**
 * nic_create() - create a NIC and its clients
 * @nc:		configuration
 * @model:	model
 * @id:		device id, or NULL for a generated name
 * @mac:	MAC (already defaulted)
 * @peer:	client of its netdev (queue 0), or NULL
 * @origin:	creating option
 * @loc:	option text
 * @out:	the NIC
 *
 * Return: 0, or -ENOMEM
 */
static int nic_create(struct netconf *nc, const struct nicmodel *model,
		      const char *id, const uint8_t mac[6],
		      struct netconf_client *peer, enum netconf_origin origin,
		      const char *loc, struct netconf_nic **out)
{
	struct netconf_nic *nic = calloc(1, sizeof(*nic));
	struct netconf_netdev *nd = peer ? peer->nd : NULL;
	unsigned n = nd ? nd->nqueues : 1, i;
	char *name;

	if (!nic || !(nic->queues = calloc(n, sizeof(*nic->queues))))
		goto oom;
	nic->model = model;
	nic->origin = origin;
	nic->pci_slot = -1;
	memcpy(nic->mac, mac, 6);
	nic->netdev = nd;
	if ((id && !(nic->id = strdup(id))) ||
	    (loc && !(nic->loc = strdup(loc))))
		goto oom;
	for (i = 0; i < n; i++) {
		name = id ? strdup(id) : nc_nic_name(nc, model->name);
		if (!name)
			goto oom;
		nic->queues[i] = nc_client_new(nc, name, NULL, nic, i,
					       nd ? nd->queues[i] : peer);
		free(name);
		if (!nic->queues[i])
			goto oom;
		/* QEMU's netdev property setter renumbers the peer queues */
		if (nic->queues[i]->peer)
			nic->queues[i]->peer->queue_index = i;
		nic->nqueues++;
	}
	nic->name = strdup(nic->queues[0]->name);
	if (!nic->name || nc_push(&nc->nics, &nc->nnics, nic))
		goto oom;
	*out = nic;
	return 0;
oom:
	if (nic) {
		for (i = 0; i < nic->nqueues; i++) {
			if (nic->queues[i]->peer)
				nic->queues[i]->peer->peer = NULL;
			nc_client_unlist(nc, nic->queues[i]);
		}
		nc_nic_free(nic);
	}
	return -ENOMEM;
}

static int in_use(struct diag_list *dl, const char *owner, const char *prop,
		  const char *val)
{
	return diag_error(dl, "Property '%s.%s' can't take value '%s', it's in "
			  "use", owner, prop, val);
}

/**
 * nc_board_nics() - create the NICs of -nic and -net nic, in order
 * @nc:		configuration
 * @help:	"model=help" output goes here
 *
 * Return: 0, 1 when help was printed, or -errno
 */
int nc_board_nics(struct netconf *nc, struct strbuf *help)
{
	struct netconf_pending *p = nc->pend;
	const struct nicmodel *m;
	struct nc_board_nic *b;
	struct netconf_nic *nic;
	const char *model;
	size_t i;
	int ret;

	for (i = 0; i < p->nboard; i++) {
		b = &p->board[i];
		model = b->model ? b->model : "e1000";
		if (!strcmp(model, "help") || !strcmp(model, "?")) {
			nicmodels_help_list(help);
			return 1;
		}
		m = nicmodels_find_nic(model);
		if (!m) {
			diag_clear_loc(&nc->diag);
			return diag_error(&nc->diag, "Unsupported NIC model: "
					  "%s", model);
		}
		if (b->peer && b->peer->peer) {
			/* QEMU aborts here; qnet reports it cleanly. */
			diag_set_loc(&nc->diag, b->loc, NULL);
			return in_use(&nc->diag, m->name, "netdev",
				      b->peer->name);
		}
		nc_mac_default(nc, b->mac);
		ret = nic_create(nc, m, NULL, b->mac, b->peer, b->origin,
				 b->loc, &nic);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * parse_devfn() - PCI "slot[.function]" (hex), QEMU's pci_parse_devfn
 * @s:		text
 * @slot:	slot 0..0x1f
 * @fn:		function 0..7
 *
 * Return: 0, or -EINVAL
 */
static int parse_devfn(const char *s, int *slot, int *fn)
{
	unsigned long sl, f = 0;
	char *e;

	sl = strtoul(s, &e, 16);
	if (e == s)
		return -EINVAL;
	if (*e == '.') {
		s = e + 1;
		f = strtoul(s, &e, 16);
		if (e == s || f > 7)
			return -EINVAL;
	}
	if (sl > 0x1f || *e)
		return -EINVAL;
	*slot = (int)sl;
	*fn = (int)f;
	return 0;
}

/**
 * struct devstate - a -device NIC being built
 * @model:	its model
 * @props:	typed properties
 * @mac:	MAC from mac=, or zero
 * @peer:	netdev client from netdev=, or NULL
 * @slot:	PCI slot from addr=, or -1
 * @fn:		PCI function
 */
struct devstate {
	const struct nicmodel *model;
	struct json_value *props;
	uint8_t mac[6];
	struct netconf_client *peer;
	int slot, fn;
};

/* One property that needs more than its table row (qdev setters). */
static int set_special(struct netconf *nc, struct devstate *ds,
		       const struct schema_field *f, const struct json_value *v)
{
	const char *owner = nicmodels_prop_owner(ds->model, f);
	struct netconf_client *c;

	switch (f->kind) {
	case SK_MAC:
		if (nc_parse_qdev_mac(v->u.s, ds->mac))
			goto bad_value;
		return 0;
	case SK_NETDEV:
		c = nc_find_netdev_client(nc, v->u.s);
		if (!c)
			return diag_error(&nc->diag, "Property '%s.%s' can't "
					  "find value '%s'", owner, f->name,
					  v->u.s);
		for (; c; c = c->next)
			if (!c->nic && !strcmp(c->name, v->u.s) && c->peer)
				return in_use(&nc->diag, owner, f->name,
					      v->u.s);
		ds->peer = nc_find_netdev_client(nc, v->u.s);
		return 0;
	case SK_PCIADDR:
		if (v->type == JSON_INT) {
			if (v->u.i < -1 || v->u.i > 255)
				return diag_error(&nc->diag, "Parameter '%s' "
						  "expects a value between -1 "
						  "and 255", f->name);
			ds->slot = v->u.i < 0 ? -1 : (int)(v->u.i >> 3);
			ds->fn = v->u.i < 0 ? 0 : (int)(v->u.i & 7);
			return 0;
		}
		if (parse_devfn(v->u.s, &ds->slot, &ds->fn))
			goto bad_value;
		return 0;
	default:
		return 0;
	}
bad_value:
	return diag_error(&nc->diag, "Property '%s.%s' doesn't take value '%s'",
			  owner, f->name, v->u.s);
}

/* Set one property from input value @in. */
static int set_prop(struct netconf *nc, struct devstate *ds, const char *key,
		    const struct json_value *in, bool json)
{
	const struct schema_field *f = schema_find(&ds->model->props, key);
	struct json_value *v = NULL;
	int ret = 0;

	if (!f)
		return diag_error(&nc->diag, "Property '%s.%s' not found",
				  ds->model->name, key);
	if (f->kind == SK_CHILD)
		return diag_error(&nc->diag, "Property '%s.%s' is not writable",
				  ds->model->name, key);
	if (f->kind == SK_PCIADDR && json && in->type == JSON_INT)
		v = json_clone(in);
	else
		ret = schema_convert(f, key, in, json ? SCHEMA_JSON :
				     SCHEMA_KEYVAL, &v, &nc->diag);
	if (!v)
		return ret ? ret : -ENOMEM;
	ret = set_special(nc, ds, f, v);
	if (!ret)
		ret = json_object_set(ds->props, key, v);
	else
		json_free(v);
	return ret;
}

/* Apply every property of @in (an object) in QDict iteration order. */
static int set_props(struct netconf *nc, struct devstate *ds,
		     const struct json_value *in, bool json)
{
	size_t n = in->u.obj.n, i, j, best;
	bool *done = calloc(n + 1, sizeof(*done));
	const char *k;
	int ret = 0;

	if (!done)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		best = n;
		for (j = 0; j < n; j++) {
			if (done[j])
				continue;
			/* same bucket: the later insertion comes first */
			if (best == n || qdict_bucket(in->u.obj.m[j].key) <=
					  qdict_bucket(in->u.obj.m[best].key))
				best = j;
		}
		done[best] = true;
		k = in->u.obj.m[best].key;
		if (!strcmp(k, "driver") || !strcmp(k, "id") ||
		    !strcmp(k, "bus"))
			continue;
		ret = set_prop(nc, ds, k, in->u.obj.m[best].val, json);
	}
	free(done);
	return ret;
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* virtio-net's realize checks, in QEMU's order. */
static int virtio_checks(struct netconf *nc, const struct devstate *ds)
{
	const struct json_value *p = ds->props;
	const char *duplex = netconf_opt_str(p, "duplex");
	const char *tx = netconf_opt_str(p, "tx");
	uint64_t rxq = netconf_opt_uint(p, "rx_queue_size", 256);
	uint64_t txq = netconf_opt_uint(p, "tx_queue_size", 256);

	if (duplex && strcmp(duplex, "half") && strcmp(duplex, "full"))
		return diag_error(&nc->diag, "'duplex' must be 'half' or "
				  "'full'");
	if (netconf_opt_int(p, "speed", -1) < -1)
		return diag_error(&nc->diag, "'speed' must be between 0 and "
				  "INT_MAX");
	if (rxq < 256 || rxq > 1024 || !pow2(rxq))
		return diag_error(&nc->diag, "Invalid rx_queue_size (= %u), "
				  "must be a power of 2 between 256 and 1024.",
				  (unsigned)rxq);
	if (txq < 256 || txq > 1024 || !pow2(txq))
		return diag_error(&nc->diag, "Invalid tx_queue_size (= %u), "
				  "must be a power of 2 between 256 and 1024.",
				  (unsigned)txq);
	if (ds->peer && ds->peer->nd->nqueues > 511)
		return diag_error(&nc->diag, "Invalid number of queue pairs "
				  "(= %u), must be a positive integer less "
				  "than 512.", ds->peer->nd->nqueues);
	if (tx && strcmp(tx, "timer") && strcmp(tx, "bh")) {
		diag_warn(&nc->diag, "virtio-net: Unknown option tx=%s, valid "
			  "options: \"timer\" \"bh\"", tx);
		/* QEMU prints this without a newline. */
		diag_hint(&nc->diag, "Defaulting to \"bh\"");
	}
	return 0;
}

/* PCI slot/function collisions between NICs with explicit addresses. */
static int pci_check(struct netconf *nc, const struct devstate *ds)
{
	size_t i;

	if (ds->slot < 0)
		return 0;
	for (i = 0; i < nc->nnics; i++) {
		if (nc->nics[i]->pci_slot == ds->slot &&
		    nc->nics[i]->pci_fn == ds->fn)
			return diag_error(&nc->diag, "PCI: slot %d function %d "
					  "not available for %s, in use by "
					  "%s,id=%s", ds->slot, ds->fn,
					  ds->model->name,
					  nc->nics[i]->model->name,
					  nc->nics[i]->id ? nc->nics[i]->id :
					  "(null)");
	}
	return 0;
}

/* The -device option as an object: QemuOpts become string members. */
static struct json_value *device_tree(const struct nc_item *it)
{
	struct json_value *o;
	size_t i;

	if (it->tree)
		return json_clone(it->tree);
	o = json_new_object();
	for (i = 0; o && i < it->qo->n; i++) {
		if (json_object_set(o, it->qo->v[i].name,
				    json_new_string(it->qo->v[i].value))) {
			json_free(o);
			return NULL;
		}
	}
	if (o && it->qo->id &&
	    json_object_set(o, "id", json_new_string(it->qo->id))) {
		json_free(o);
		return NULL;
	}
	return o;
}

static bool id_taken(const struct netconf *nc, const char *id)
{
	size_t i;

	for (i = 0; i < nc->nnics; i++)
		if (nc->nics[i]->id && !strcmp(nc->nics[i]->id, id))
			return true;
	return false;
}

static int find_model(struct netconf *nc, const char *driver,
		      const struct nicmodel **m)
{
	*m = nicmodels_find_device(driver);
	if (*m)
		return 0;
	if (nicmodels_qemu_only(driver))
		return diag_error(&nc->diag, "network device '%s' is not "
				  "supported by qnet (PCI NICs only)", driver);
	return diag_error(&nc->diag, "'%s' is not a valid device model name",
			  driver);
}

/**
 * nc_device_add() - create the NIC of one -device option
 * @nc:	configuration (the diag location is set by the caller)
 * @it:	the option
 *
 * Return: 0, or -errno
 */
int nc_device_add(struct netconf *nc, const struct nc_item *it)
{
	struct devstate ds = { .slot = -1 };
	struct json_value *in = device_tree(it);
	struct netconf_nic *nic;
	const char *driver, *id, *bus;
	int ret;

	if (!in)
		return -ENOMEM;
	driver = json_object_get_str(in, "driver");
	id = json_object_get_str(in, "id");
	bus = json_object_get_str(in, "bus");
	ds.props = json_new_object();
	if (!ds.props) {
		ret = -ENOMEM;
		goto out;
	}
	if (!driver) {
		ret = diag_error(&nc->diag, "Parameter 'driver' is missing");
		goto out;
	}
	ret = find_model(nc, driver, &ds.model);
	if (ret)
		goto out;
	if (bus && strcmp(bus, "pci.0")) {
		ret = diag_error(&nc->diag, "Bus '%s' not found", bus);
		goto out;
	}
	if (id && it->tree && id_taken(nc, id)) {
		ret = diag_error(&nc->diag, "Duplicate device ID '%s'", id);
		goto out;
	}
	ret = set_props(nc, &ds, in, it->tree != NULL);
	if (!ret && ds.model->multiqueue)
		ret = virtio_checks(nc, &ds);
	if (!ret)
		ret = pci_check(nc, &ds);
	if (ret)
		goto out;
	nc_mac_default(nc, ds.mac);
	ret = nic_create(nc, ds.model, id, ds.mac, ds.peer,
			 NETCONF_FROM_DEVICE, it->loc, &nic);
	if (ret)
		goto out;
	nic->props = ds.props;
	ds.props = NULL;
	nic->pci_slot = ds.slot;
	nic->pci_fn = ds.fn;
out:
	json_free(ds.props);
	json_free(in);
	return ret;
}

/**
 * nc_device_help() - "-device help" and "-device MODEL,help"
 * @it:		a -device option in QemuOpts form
 * @help:	output
 *
 * Return: 1 when help was printed, 0 when @it asks for none, -ENOENT
 * for help on a model qnet does not have
 */
int nc_device_help(const struct nc_item *it, struct strbuf *help)
{
	const char *driver = it->qo ? qopts_get(it->qo, "driver") : NULL;
	const struct nicmodel *m;

	if (!driver)
		return 0;
	if (!strcmp(driver, "help") || !strcmp(driver, "?")) {
		nicmodels_help_devices(help);
		return 1;
	}
	if (!qopts_has_help(it->qo))
		return 0;
	m = nicmodels_find_device(driver);
	if (!m)
		return -ENOENT;
	schema_help_props(m->name, &m->props, false, help);
	return 1;
}
