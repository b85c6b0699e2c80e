// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-type netdev checks QEMU makes before opening anything (user, ...). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf_int.h"
#include "ctl/netconf_user.h"

/*
 * DOC: netdev checks
 *
 * QEMU validates some options only when it creates the backend. Those of
 * its checks that need nothing opened are made here, with QEMU's texts and
 * in QEMU's order: the user network's addresses and forwarding rules,
 * vhost-user's chardev. Checks that need the host (binding a forwarded
 * port, opening a tap, finding smbd) belong to the backends and happen
 * when qnet runs, not in --dry-run.
 */

/* QEMU's get_str_sep(): copy up to @sep into @buf and advance *@pp past it. */
static int get_sep(char *buf, size_t size, const char **pp, char sep)
{
	const char *p = strchr(*pp, sep);
	size_t len;

	if (!p)
		return -1;
	len = (size_t)(p - *pp);
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, *pp, len);
	buf[len] = '\0';
	*pp = p + 1;
	return 0;
}

/**
 * nc_user_hostfwd_check() - syntax of one hostfwd rule, QEMU's wording
 * @rule:	[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport
 * @why:	reason on failure ("Bad host port", ...)
 *
 * Return: 0, or -EINVAL
 */
int nc_user_hostfwd_check(const char *rule, const char **why)
{
	const char *p = rule;
	struct in_addr a;
	char buf[256], *end;
	long port;

	if (get_sep(buf, sizeof(buf), &p, ':') < 0)
		return *why = "No : separators", -EINVAL;
	if (strcmp(buf, "tcp") && strcmp(buf, "udp") && buf[0])
		return *why = "Bad protocol name", -EINVAL;
	if (get_sep(buf, sizeof(buf), &p, ':') < 0)
		return *why = "Missing : separator", -EINVAL;
	if (buf[0] && !inet_aton(buf, &a))
		return *why = "Bad host address", -EINVAL;
	if (get_sep(buf, sizeof(buf), &p, '-') < 0)
		return *why = "Bad host port separator", -EINVAL;
	port = strtol(buf, &end, 0);
	if (*end || port < 0 || port > 65535)
		return *why = "Bad host port", -EINVAL;
	if (get_sep(buf, sizeof(buf), &p, ':') < 0)
		return *why = "Missing guest address", -EINVAL;
	if (buf[0] && !inet_aton(buf, &a))
		return *why = "Bad guest address", -EINVAL;
	port = strtol(p, &end, 0);
	if (*end || port < 1 || port > 65535)
		return *why = "Bad guest port", -EINVAL;
	return 0;
}

/* QEMU's guestfwd syntax: [tcp]:server:port-(cmd:CMD|DEV). */
static int guestfwd_check(const char *rule)
{
	const char *p = rule;
	struct in_addr a;
	char buf[256], *end;
	long port;

	if (get_sep(buf, sizeof(buf), &p, ':') < 0 ||
	    (strcmp(buf, "tcp") && buf[0]))
		return -EINVAL;
	if (get_sep(buf, sizeof(buf), &p, ':') < 0 ||
	    (buf[0] && !inet_aton(buf, &a)))
		return -EINVAL;
	if (get_sep(buf, sizeof(buf), &p, '-') < 0)
		return -EINVAL;
	port = strtol(buf, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -EINVAL;
	return 0;
}

/* libslirp's DNS search domain syntax (it warns and ignores bad ones). */
static bool domain_ok(const char *d)
{
	size_t len = strlen(d), label = 0, i;

	if (!len || len > 255)
		return false;
	for (i = 0; i < len; i++) {
		if (d[i] == '.') {
			if (!label && !(i == len - 1 && i > 0))
				return false;
			label = 0;
		} else if (++label > 63) {
			return false;
		}
	}
	return true;
}

/*
 * QEMU prepends each forwarding rule to one list, hostfwd first, then
 * guestfwd, and checks the list from its head: the last guestfwd first,
 * the first hostfwd last.
 */
static int check_lists(struct netconf *nc, const struct json_value *opts)
{
	const struct json_value *l;
	const char *why;
	size_t i;

	l = json_object_get(opts, "dnssearch");
	for (i = 0; l && i < l->u.arr.n; i++)
		if (!domain_ok(l->u.arr.v[i]->u.s))
			diag_warn(&nc->diag, "Slirp: failed to parse domain "
				  "name '%s'\n", l->u.arr.v[i]->u.s);
	l = json_object_get(opts, "guestfwd");
	for (i = l ? l->u.arr.n : 0; i > 0; i--)
		if (guestfwd_check(l->u.arr.v[i - 1]->u.s))
			return diag_error(&nc->diag, "Invalid guest forwarding "
					  "rule '%s'", l->u.arr.v[i - 1]->u.s);
	l = json_object_get(opts, "hostfwd");
	for (i = l ? l->u.arr.n : 0; i > 0; i--)
		if (nc_user_hostfwd_check(l->u.arr.v[i - 1]->u.s, &why))
			return diag_error(&nc->diag, "Invalid host forwarding "
					  "rule '%s' (%s)",
					  l->u.arr.v[i - 1]->u.s, why);
	return 0;
}

static int check_user(struct netconf *nc, const struct json_value *opts)
{
	struct nc_user_net un;
	const char *why;
	int ret;

	ret = nc_user_net(opts, &un, &why);
	if (ret)
		return diag_error(&nc->diag, "%s", why);
	ret = check_lists(nc, opts);
	if (ret)
		return ret;
	if (netconf_opt_uint(opts, "mtu", 1500) < 68 ||
	    netconf_opt_uint(opts, "mtu", 1500) > 65521)
		return diag_error(&nc->diag, "'mtu' must be between 68 and "
				  "65521");
	if (netconf_opt_uint(opts, "mru", 1500) < 68 ||
	    netconf_opt_uint(opts, "mru", 1500) > 65521)
		return diag_error(&nc->diag, "'mru' must be between 68 and "
				  "65521");
	return 0;
}

/* vhost-user: QEMU's net_vhost_chardev_opts() checks. */
static int check_vhost_user(struct netconf *nc, const struct json_value *opts)
{
	const char *id = netconf_opt_str(opts, "chardev");
	struct netconf_chardev *chr = netconf_find_chardev(nc, id);

	if (!chr)
		return diag_error(&nc->diag, "chardev \"%s\" not found", id);
	if (strcmp(chr->backend, "socket"))
		return diag_error(&nc->diag, "chardev \"%s\" is not "
				  "reconnectable", id);
	if (!qopts_get(chr->opts, "path"))
		return diag_error(&nc->diag, "chardev \"%s\" does not support "
				  "FD passing", id);
	if (chr->in_use)
		return diag_error(&nc->diag, "Device '%s' is in use", id);
	chr->in_use = true;
	return 0;
}

/* QEMU's monitor_fd_param() outside a monitor: a decimal number. */
static int fd_param(struct netconf *nc, const char *v)
{
	char *end;
	long fd;

	errno = 0;
	fd = strtol(v, &end, 10);
	if (end == v || *end || errno || fd < 0 || fd > 0x7fffffff)
		return diag_error(&nc->diag, "Invalid file descriptor number "
				  "'%s'", v);
	return 0;
}

/* QEMU's parse_host_port() as far as no name has to be resolved. */
static int host_port(struct netconf *nc, const char *v)
{
	const char *colon = strchr(v, ':');
	char host[256], *end;
	struct in_addr a;
	size_t len;

	if (!colon)
		return diag_error(&nc->diag, "host address '%s' doesn't "
				  "contain ':' separating host from port", v);
	len = (size_t)(colon - v);
	if (len >= sizeof(host))
		len = sizeof(host) - 1;
	memcpy(host, v, len);
	host[len] = '\0';
	if (host[0] >= '0' && host[0] <= '9' && !inet_aton(host, &a))
		return diag_error(&nc->diag, "host address '%s' is not a valid "
				  "IPv4 address", host);
	strtol(colon + 1, &end, 0);
	if (end == colon + 1)
		return diag_error(&nc->diag, "port number '%s' is invalid",
				  colon + 1);
	return 0;
}

/* socket: QEMU's net_init_socket() checks, before any socket exists. */
static int check_socket(struct netconf *nc, const struct json_value *o)
{
	static const char *const modes[] = { "fd", "listen", "connect",
					     "mcast", "udp" };
	const char *local = netconf_opt_str(o, "localaddr");
	const char *v = NULL;
	int n = 0, ret;
	size_t i;

	for (i = 0; i < SCHEMA_ARRAY_SIZE(modes); i++)
		n += netconf_opt_str(o, modes[i]) != NULL;
	if (n != 1)
		return diag_error(&nc->diag, "exactly one of listen=, "
				  "connect=, mcast= or udp= is required");
	if (local && !netconf_opt_str(o, "mcast") && !netconf_opt_str(o, "udp"))
		return diag_error(&nc->diag, "localaddr= is only valid with "
				  "mcast= or udp=");
	if ((v = netconf_opt_str(o, "fd")))
		return fd_param(nc, v);
	if ((v = netconf_opt_str(o, "listen")) ||
	    (v = netconf_opt_str(o, "connect")) ||
	    (v = netconf_opt_str(o, "mcast")))
		return host_port(nc, v);
	if (!local)
		return diag_error(&nc->diag, "localaddr= is mandatory with "
				  "udp=");
	ret = host_port(nc, netconf_opt_str(o, "udp"));
	return ret ? ret : host_port(nc, local);
}

static bool has(const struct json_value *o, const char *const *keys)
{
	for (; *keys; keys++)
		if (json_object_get(o, *keys))
			return true;
	return false;
}

/* tap: QEMU's net_init_tap() checks, before any tap is opened. */
static int check_tap(struct netconf *nc, const struct json_value *o,
		     bool on_hub)
{
	static const char *const mq[] = { "queues", "fds", "vhostfds", NULL };
	static const char *const not_fd[] = { "ifname", "script", "downscript",
		"vnet_hdr", "helper", "queues", "fds", "vhostfds", NULL };
	static const char *const not_fds[] = { "ifname", "script",
		"downscript", "vnet_hdr", "helper", "queues", "vhostfd", NULL };
	static const char *const not_helper[] = { "ifname", "script",
		"downscript", "vnet_hdr", "queues", "vhostfds", NULL };
	const char *v;

	if (on_hub && has(o, mq))
		return diag_error(&nc->diag, "Multiqueue tap cannot be used "
				  "with hubs");
	if ((v = netconf_opt_str(o, "fd"))) {
		if (has(o, not_fd))
			return diag_error(&nc->diag, "ifname=, script=, "
					  "downscript=, vnet_hdr=, helper=, "
					  "queues=, fds=, and vhostfds= are "
					  "invalid with fd=");
		return fd_param(nc, v);
	}
	if (netconf_opt_str(o, "fds")) {
		if (has(o, not_fds))
			return diag_error(&nc->diag, "ifname=, script=, "
					  "downscript=, vnet_hdr=, helper=, "
					  "queues=, and vhostfd= are invalid "
					  "with fds=");
		return 0;
	}
	if (netconf_opt_str(o, "helper")) {
		if (has(o, not_helper))
			return diag_error(&nc->diag, "ifname=, script=, "
					  "downscript=, vnet_hdr=, queues=, "
					  "and vhostfds= are invalid with "
					  "helper=");
		return 0;
	}
	if (netconf_opt_str(o, "vhostfds"))
		return diag_error(&nc->diag, "vhostfds= is invalid if fds= "
				  "wasn't specified");
	/* QEMU 7.2 aborts on queues=0; qnet refuses it */
	if (json_object_get(o, "queues") && !netconf_opt_uint(o, "queues", 1))
		return diag_error(&nc->diag, "'queues' must be at least 1");
	if ((v = netconf_opt_str(o, "vhostfd")))
		return fd_param(nc, v);
	return 0;
}

/* dgram: QEMU's net_init_dgram() checks, before any socket exists. */
static int check_dgram(struct netconf *nc, const struct json_value *opts)
{
	const struct json_value *l = json_object_get(opts, "local");
	const struct json_value *r = json_object_get(opts, "remote");
	const char *lt = netconf_opt_str(l, "type");
	const char *rt = netconf_opt_str(r, "type");
	struct in_addr a;

	if (rt && !strcmp(rt, "inet") &&
	    inet_aton(netconf_opt_str(r, "host"), &a) &&
	    IN_MULTICAST(ntohl(a.s_addr)))
		return 0;
	if (!l)
		return diag_error(&nc->diag, "dgram requires local= parameter");
	if (r) {
		if (!strcmp(lt, "fd"))
			return diag_error(&nc->diag, "don't set remote with "
					  "local.fd");
		if (strcmp(rt, lt))
			return diag_error(&nc->diag, "remote and local types "
					  "must be the same");
	} else if (strcmp(lt, "fd")) {
		return diag_error(&nc->diag, "type=inet or type=unix requires "
				  "remote parameter");
	}
	if (!strcmp(lt, "vsock"))
		return diag_error(&nc->diag, "only support inet or fd type for "
				  "local");
	return 0;
}

/**
 * nc_netdev_validate() - the checks QEMU makes when creating a netdev of
 *	type @t, before it opens anything
 * @nc:		configuration (errors and warnings go to nc->diag)
 * @t:		type
 * @opts:	typed options
 * @on_hub:	the netdev is a -net backend (joins hub 0)
 *
 * Return: 0, or -EINVAL
 */
int nc_netdev_validate(struct netconf *nc, const struct ndtype *t,
		       const struct json_value *opts, bool on_hub)
{
	if (!strcmp(t->name, "user"))
		return check_user(nc, opts);
	if (!strcmp(t->name, "vhost-user"))
		return check_vhost_user(nc, opts);
	if (!strcmp(t->name, "dgram"))
		return check_dgram(nc, opts);
	if (!strcmp(t->name, "socket"))
		return check_socket(nc, opts);
	if (!strcmp(t->name, "tap"))
		return check_tap(nc, opts, on_hub);
	return 0;
}

/**
 * netconf_check_implemented() - refuse netdev types nothing can open yet
 * @nc:		built configuration
 * @implemented: returns whether a backend exists for a netdev type
 * @arg:	passed to @implemented
 *
 * For running mode: the option model knows every type QEMU has, but a
 * type whose backend is not written yet must be a clear error, never a
 * silent no-op. The first such netdev is reported at its option:
 * "qnet: -netdev vde,id=v: netdev type 'vde' is not implemented yet".
 *
 * Return: 0, or -EOPNOTSUPP with the error in nc->diag
 */
int netconf_check_implemented(struct netconf *nc,
			      bool (*implemented)(const char *type, void *arg),
			      void *arg)
{
	size_t i;

	for (i = 0; i < nc->nnetdevs; i++) {
		const struct netconf_netdev *nd = nc->netdevs[i];

		if (nd->hub || implemented(nd->type->name, arg))
			continue;
		diag_set_loc(&nc->diag, nd->loc, NULL);
		diag_error(&nc->diag, "netdev type '%s' is not implemented yet",
			   nd->type->name);
		diag_clear_loc(&nc->diag);
		return -EOPNOTSUPP;
	}
	return 0;
}
