// SPDX-License-Identifier: GPL-2.0-or-later
/* The qnet command line: QEMU's option syntax, read in QEMU's two passes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"

#ifndef QNET_VERSION
#define QNET_VERSION "unknown"
#endif

/*
 * DOC: command line
 *
 * Options are spelt as in QEMU, with one or two leading dashes:
 *   -netdev, -nic, -net, -device, -object, -chardev   network options
 *   -nodefaults, -monitor SPEC, -qmp SPEC, -runas USER process options
 *   --dry-run, --help, --version, --help-netdev TYPE   qnet's own
 * A few VMM options (-M/-machine, -accel, -S, -display, -m, -smp, ...) are
 * accepted and recorded for a later run mode, so a QEMU command line's
 * network part can be checked as is. Anything else is "-x: invalid
 * option", an option without its argument "-x: requires an argument";
 * like QEMU, these are found in a first pass before any option is read.
 *
 * The second pass reads the options in order, as QEMU does: -netdev in
 * QemuOpts form (ids checked, flags warned about), in keyval/JSON form
 * (stream, dgram, '{...}': fully validated now), -object (validated now,
 * "-object help" answered now), -chardev, -nic, -net, -device (ids checked
 * now). "-device help" and "-device MODEL,help" are answered after the
 * last option. Everything else happens in netconf_build().
 */

enum arg_kind {
	ARG_NETDEV,
	ARG_NIC,
	ARG_NET,
	ARG_DEVICE,
	ARG_OBJECT,
	ARG_CHARDEV,
	ARG_NODEFAULTS,
	ARG_MONITOR,
	ARG_QMP,
	ARG_RUNAS,
	ARG_DRY_RUN,
	ARG_HELP,
	ARG_VERSION,
	ARG_HELP_NETDEV,
	ARG_VMM,
	ARG_KIND_COUNT
};

struct arg_desc {
	const char *name;
	enum arg_kind kind;
	bool has_arg;
};

static const struct arg_desc args[] = {
	{ "netdev", ARG_NETDEV, true },
	{ "nic", ARG_NIC, true },
	{ "net", ARG_NET, true },
	{ "device", ARG_DEVICE, true },
	{ "object", ARG_OBJECT, true },
	{ "chardev", ARG_CHARDEV, true },
	{ "nodefaults", ARG_NODEFAULTS, false },
	{ "monitor", ARG_MONITOR, true },
	{ "qmp", ARG_QMP, true },
	{ "runas", ARG_RUNAS, true },
	{ "dry-run", ARG_DRY_RUN, false },
	{ "help", ARG_HELP, false },
	{ "h", ARG_HELP, false },
	{ "version", ARG_VERSION, false },
	{ "help-netdev", ARG_HELP_NETDEV, true },
	{ "M", ARG_VMM, true },
	{ "machine", ARG_VMM, true },
	{ "accel", ARG_VMM, true },
	{ "display", ARG_VMM, true },
	{ "m", ARG_VMM, true },
	{ "smp", ARG_VMM, true },
	{ "cpu", ARG_VMM, true },
	{ "name", ARG_VMM, true },
	{ "S", ARG_VMM, false },
	{ "nographic", ARG_VMM, false },
	{ "enable-kvm", ARG_VMM, false },
	{ "no-reboot", ARG_VMM, false },
	{ "no-shutdown", ARG_VMM, false },
};

static const struct arg_desc *lookup(const char *a)
{
	size_t i;

	if (a[0] != '-')
		return NULL;
	a += a[1] == '-' ? 2 : 1;
	for (i = 0; i < SCHEMA_ARRAY_SIZE(args); i++)
		if (!strcmp(args[i].name, a))
			return &args[i];
	return NULL;
}

/* First pass: every option known, every argument present. */
static int check_args(struct netconf *nc, int argc, char **argv)
{
	const struct arg_desc *d;
	int i, ret = 0;

	for (i = 1; i < argc && !ret; i++) {
		diag_set_loc(&nc->diag, argv[i], NULL);
		if (argv[i][0] != '-')
			ret = diag_error(&nc->diag, "unexpected argument (qnet "
					 "takes options only)");
		else if (!(d = lookup(argv[i])))
			ret = diag_error(&nc->diag, "invalid option");
		else if (d->has_arg && ++i >= argc)
			ret = diag_error(&nc->diag, "requires an argument");
	}
	diag_clear_loc(&nc->diag);
	return ret;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char *c = strdup(s);

	if (!c || nc_push(v, n, c)) {
		free(c);
		return -ENOMEM;
	}
	return 0;
}

/* QEMU's netdev_is_modern(): JSON, or type stream/dgram. */
static bool netdev_is_modern(const char *arg)
{
	struct qopts *o;
	const char *t;
	bool modern;

	if (arg[0] == '{')
		return true;
	o = qopts_new();
	if (!o || qopts_parse(o, arg, "type", NULL)) {
		qopts_free(o);
		return false;
	}
	t = qopts_get(o, "type");
	modern = t && (!strcmp(t, "stream") || !strcmp(t, "dgram"));
	qopts_free(o);
	return modern;
}

static int parse_netdev(struct netconf *nc, const char *arg, const char *loc)
{
	struct strbuf err = STRBUF_INIT;
	struct json_value *tree, *v;
	struct qopts *o;
	int ret;

	if (!netdev_is_modern(arg)) {
		ret = qopts_list_parse(&nc->lists[NCL_NETDEV], arg, "type",
				       &nc->diag, &o);
		return ret ? ret :
			     nc_items_add(&nc->pend->legacy, loc, o, NULL);
	}
	if (arg[0] == '{') {
		ret = json_parse(arg, &tree, &err);
		if (ret == -EINVAL)
			diag_error(&nc->diag, "%s", strbuf_str(&err));
		strbuf_free(&err);
	} else {
		ret = keyval_parse(arg, "type", &tree, &nc->diag);
	}
	if (ret)
		return ret;
	ret = schema_visit_tree(&ndtypes_netdev, tree, arg[0] == '{' ?
				SCHEMA_JSON : SCHEMA_KEYVAL, &v, &nc->diag);
	json_free(tree);
	return ret ? ret : nc_items_add(&nc->pend->modern, loc, NULL, v);
}

static int parse_device(struct netconf *nc, const char *arg, const char *loc)
{
	struct strbuf err = STRBUF_INIT;
	struct json_value *tree;
	struct qopts *o;
	int ret;

	if (arg[0] != '{') {
		ret = qopts_list_parse(&nc->lists[NCL_DEVICE], arg, "driver",
				       &nc->diag, &o);
		return ret ? ret :
			     nc_items_add(&nc->pend->device, loc, o, NULL);
	}
	ret = json_parse(arg, &tree, &err);
	if (ret == -EINVAL)
		diag_error(&nc->diag, "%s", strbuf_str(&err));
	strbuf_free(&err);
	return ret ? ret : nc_items_add(&nc->pend->device, loc, NULL, tree);
}

static int parse_list(struct netconf *nc, enum netconf_list l,
		      const char *arg, const char *loc, struct nc_items *it)
{
	struct qopts *o;
	int ret;

	ret = qopts_list_parse(&nc->lists[l], arg, "type", &nc->diag, &o);
	return ret ? ret : nc_items_add(it, loc, o, NULL);
}

/* The keys QEMU 7.2's -chardev accepts (its QemuOpts description). */
static const char *const chardev_keys[] = {
	"backend", "path", "host", "port", "fd", "local", "localaddr",
	"localport", "to", "ipv4", "ipv6", "wait", "server", "delay",
	"nodelay", "reconnect", "telnet", "tn3270", "websocket", "width",
	"height", "cols", "rows", "mux", "signal", "name", "debug", "size",
	"chardev", "append", "logfile", "logappend", "tight", "abstract",
	"tls-creds", "tls-authz", "clipboard", "mouse", "lf", NULL,
};

static int parse_chardev(struct netconf *nc, const char *arg,
			 const char *loc)
{
	struct qopts *o = NULL;
	size_t i, k;
	int ret;

	ret = qopts_list_parse(&nc->lists[NCL_CHARDEV], arg, "backend",
			       &nc->diag, &o);
	for (i = 0; !ret && i < o->n; i++) {
		for (k = 0; chardev_keys[k]; k++)
			if (!strcmp(chardev_keys[k], o->v[i].name))
				break;
		if (!chardev_keys[k])
			ret = diag_error(&nc->diag, "Invalid parameter '%s'",
					 o->v[i].name);
	}
	if (ret) {
		if (o)
			qopts_list_remove(&nc->lists[NCL_CHARDEV], o);
		return ret;
	}
	return nc_items_add(&nc->pend->chardev, loc, o, NULL);
}

/**
 * read_arg() - second pass: one option
 * @nc:		configuration
 * @d:		option
 * @opt:	option as typed
 * @arg:	its argument, or NULL
 * @help:	help output
 *
 * Return: 0, 1 when help was printed, or -errno
 */
static int read_arg(struct netconf *nc, const struct arg_desc *d,
		    const char *opt, const char *arg, struct strbuf *help)
{
	const char *loc = nc->diag.loc;
	struct netconf_pending *p = nc->pend;

	switch (d->kind) {
	case ARG_NETDEV:
		p->saw_net = true;
		return parse_netdev(nc, arg, loc);
	case ARG_NIC:
		p->saw_net = true;
		return parse_list(nc, NCL_NIC, arg, loc, &p->nic);
	case ARG_NET:
		p->saw_net = true;
		return parse_list(nc, NCL_NET, arg, loc, &p->net);
	case ARG_DEVICE:
		return parse_device(nc, arg, loc);
	case ARG_OBJECT:
		return nc_object_parse(nc, arg, help);
	case ARG_CHARDEV:
		return parse_chardev(nc, arg, loc);
	case ARG_NODEFAULTS:
		nc->nodefaults = true;
		return 0;
	case ARG_MONITOR:
		return push_str(&nc->monitors, &nc->nmonitors, arg);
	case ARG_QMP:
		return push_str(&nc->qmps, &nc->nqmps, arg);
	case ARG_RUNAS:
		free(nc->runas);
		nc->runas = strdup(arg);
		return nc->runas ? 0 : -ENOMEM;
	case ARG_DRY_RUN:
		nc->dry_run = true;
		return 0;
	case ARG_HELP:
		strbuf_puts(help, "usage: qnet --dry-run [QEMU network "
			    "options...]\n");
		return 1;
	case ARG_VERSION:
		strbuf_printf(help, "qnet version %s\n", QNET_VERSION);
		return 1;
	case ARG_HELP_NETDEV:
		if (ndtypes_help_type(arg, help))
			return diag_error(&nc->diag, "unknown netdev type '%s'",
					  arg);
		return 1;
	default:
		if (push_str(&nc->vmm_args, &nc->nvmm_args, opt))
			return -ENOMEM;
		return arg ? push_str(&nc->vmm_args, &nc->nvmm_args, arg) : 0;
	}
}

/* After the last option: -device help. */
static int device_help(struct netconf *nc, struct strbuf *help)
{
	struct nc_items *it = &nc->pend->device;
	size_t i;
	int ret;

	for (i = 0; i < it->n; i++) {
		ret = nc_device_help(&it->v[i], help);
		if (ret == -ENOENT) {
			diag_set_loc(&nc->diag, it->v[i].loc, NULL);
			return diag_error(&nc->diag, "'%s' is not a valid "
					  "device model name",
					  qopts_get(it->v[i].qo, "driver"));
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * netconf_parse_args() - read a QEMU-style command line into @nc
 * @nc:		empty configuration
 * @argc:	argument count
 * @argv:	arguments (argv[0] is the program)
 * @help:	help and version text goes here
 *
 * Return: NETCONF_OK (0), NETCONF_HELP when help was printed (exit 0),
 * or -errno with the error in nc->diag
 */
int netconf_parse_args(struct netconf *nc, int argc, char **argv,
		       struct strbuf *help)
{
	const struct arg_desc *d;
	const char *arg;
	int i, ret;

	ret = check_args(nc, argc, argv);
	for (i = 1; i < argc && !ret; i++) {
		d = lookup(argv[i]);
		arg = d->has_arg ? argv[++i] : NULL;
		diag_set_loc(&nc->diag, argv[d->has_arg ? i - 1 : i], arg);
		ret = read_arg(nc, d, argv[d->has_arg ? i - 1 : i], arg, help);
	}
	if (!ret)
		ret = device_help(nc, help);
	diag_clear_loc(&nc->diag);
	return ret > 0 ? NETCONF_HELP : ret;
}
