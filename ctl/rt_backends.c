// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_backends.c: the table of netdev types qnet opens, and their adapters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/user.h"
#include "ctl/rt_be.h"
#include "ctl/rt_filter.h"
#include "ctl/runtime.h"

/**
 * DOC: opening netdevs
 *
 * The option model (netconf) knows every netdev type QEMU has; this table
 * lists the ones qnet can open. Opening any other type is an error naming
 * the type, never a silent no-op. Each adapter turns the netdev's parsed
 * options into its backend's typed configuration and opens it on the
 * worker's loop: user here, stream/dgram/socket in rt_be_stream.c,
 * tap/bridge in rt_be_tap.c (see rt_be.h). An adapter may put another
 * backend in @rn->be: a tap without CAP_NET_ADMIN becomes "user", and is
 * then closed, listed and forwarded as one.
 */

/**
 * rt_opts_foreach() - call @fn with every option of a netdev as text
 * @opts:	the netdev's options (JSON object)
 * @fn:		called with (key, value); repeatable keys once per value
 * @arg:	passed to @fn
 *
 * Values may be strings, booleans, numbers, or arrays of those or of
 * {"str": ...} objects (QAPI's String lists in JSON netdev_add).
 *
 * Return: 0, or the first non-zero value @fn returned
 */
static int rt_opts_foreach(const struct json_value *opts,
			   int (*fn)(const char *key, const char *val,
				     void *arg),
			   void *arg)
{
	size_t i, j;
	int ret;

	if (!opts || opts->type != JSON_OBJECT)
		return 0;
	for (i = 0; i < opts->u.obj.n; i++) {
		const char *key = opts->u.obj.m[i].key;
		const struct json_value *v = opts->u.obj.m[i].val;
		const struct json_value *items = v;
		size_t n = 1;

		if (v->type == JSON_ARRAY) {
			n = v->u.arr.n;
		}
		for (j = 0; j < n; j++) {
			const struct json_value *e = v->type == JSON_ARRAY ?
				items->u.arr.v[j] : v;
			char num[32];
			const char *s = NULL;

			if (e->type == JSON_OBJECT)
				e = json_object_get(e, "str");
			if (!e)
				continue;
			switch (e->type) {
			case JSON_STRING: s = e->u.s; break;
			case JSON_BOOL: s = e->u.b ? "on" : "off"; break;
			case JSON_INT:
				snprintf(num, sizeof(num), "%lld",
					 (long long)e->u.i);
				s = num;
				break;
			case JSON_UINT:
				snprintf(num, sizeof(num), "%llu",
					 (unsigned long long)e->u.u);
				s = num;
				break;
			default: break;
			}
			if (s && (ret = fn(key, s, arg)))
				return ret;
		}
	}
	return 0;
}

static int user_set_cb(const char *key, const char *val, void *arg)
{
	if (!strcmp(key, "id") || !strcmp(key, "type"))
		return 0;
	return user_opts_set(arg, key, val);
}

/**
 * rt_user_open() - open a -netdev user (libslirp)
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_user_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
			struct strbuf *err)
{
	struct user_opts o;
	struct user_config cfg;
	struct user_err uerr = { 0 };
	struct user_backend *be;
	int ret;

	user_opts_init(&o);
	user_config_defaults(&cfg);
	ret = rt_opts_foreach(rn->nd->opts, user_set_cb, &o);
	if (!ret)
		ret = user_config_from_opts(&cfg, &o, &uerr);
	if (!ret)
		ret = user_open(&be, &cfg, loop, rn->nd->id, &uerr);
	if (ret) {
		strbuf_puts(err, uerr.msg[0] ? uerr.msg : strerror(-ret));
	} else {
		rn->obj = be;
		rn->port = user_port(be);
	}
	user_config_free(&cfg);
	user_opts_free(&o);
	return ret;
}

static void rt_user_close(struct rt *rt, struct rt_netdev *rn)
{
	user_close(rn->obj);
}

static const struct rt_backend rt_backends[] = {
	{ .type = "user", .open = rt_user_open, .close = rt_user_close },
	{ .type = "tap", .open = rt_be_tap_open, .close = rt_be_tap_close },
	{ .type = "socket", .open = rt_be_socket_open,
	  .close = rt_be_link_close },
	{ .type = "stream", .open = rt_be_stream_open,
	  .close = rt_be_link_close },
	{ .type = "dgram", .open = rt_be_dgram_open,
	  .close = rt_be_link_close },
	{ .type = "bridge", .open = rt_be_bridge_open,
	  .close = rt_be_tap_close },
	{ .type = "af-xdp", .open = rt_be_afxdp_open,
	  .close = rt_be_afxdp_close },
};

/**
 * rt_be_user_fallback() - open user networking (QEMU's defaults) in place
 *	of a netdev qnet may not open (tap or bridge without CAP_NET_ADMIN)
 * @rt:		runtime
 * @rn:		the netdev: same id, same peer; its backend becomes "user"
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno
 */
int rt_be_user_fallback(struct rt *rt, struct rt_netdev *rn,
			struct uloop *loop, struct strbuf *err)
{
	struct user_config cfg;
	struct user_err uerr = { 0 };
	struct user_backend *be;
	int ret;

	user_config_defaults(&cfg);
	ret = user_open(&be, &cfg, loop, rn->nd->id, &uerr);
	user_config_free(&cfg);
	if (ret) {
		strbuf_printf(err, "cannot fall back to user networking: %s",
			      uerr.msg[0] ? uerr.msg : strerror(-ret));
		return ret;
	}
	rn->be = &rt_backends[0];
	rn->obj = be;
	rn->port = user_port(be);
	return 0;
}

/**
 * rt_backend_find() - the backend that opens a netdev type
 * @type:	netdev type name
 *
 * Return: the table entry, or NULL when qnet cannot open that type yet
 */
const struct rt_backend *rt_backend_find(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(rt_backends) / sizeof(rt_backends[0]); i++)
		if (!strcmp(rt_backends[i].type, type))
			return &rt_backends[i];
	return NULL;
}
