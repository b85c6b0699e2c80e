// SPDX-License-Identifier: GPL-2.0-or-later
/* stream.c: -netdev stream as a qnet netdev: a stream link in server or client mode. */
#include <errno.h>
#include <string.h>
#include "backends/stream.h"

/**
 * stream_check() - the checks QEMU makes on -netdev stream options
 * @cfg:	the options
 * @why:	set to QEMU's error text on error
 *
 * Return: 0, or -EINVAL.
 */
int stream_check(const struct stream_config *cfg, const char **why)
{
	if ((unsigned int)cfg->addr.type >= STREAM_ADDR_TYPE_COUNT) {
		*why = "invalid addr.type";
		return -EINVAL;
	}
	if (cfg->server && cfg->reconnect_ms) {
		*why = "'reconnect' and 'reconnect-ms' options are incompatible "
		       "with socket in server mode";
		return -EINVAL;
	}
	if (cfg->addr.type == STREAM_ADDR_UNIX && !cfg->addr.path[0]) {
		*why = "addr.path must not be empty";
		return -EINVAL;
	}
	if (cfg->addr.type == STREAM_ADDR_INET && !cfg->server &&
	    !cfg->addr.host[0]) {
		*why = "addr.host is needed to connect";
		return -EINVAL;
	}
	return 0;
}

/**
 * stream_open() - open a stream netdev (a PORT_NETDEV, link down until
 * connected)
 * @out:	set to the link
 * @cfg:	the options (checked with stream_check())
 * @loop:	the loop it runs on (its thread)
 * @name:	the netdev id
 * @notify:	connection events (QMP NETDEV_STREAM_CONNECTED/DISCONNECTED),
 *		or NULL
 *
 * With server=on it is listening on return; with server=off its connect
 * is in flight (a failure is the STREAM_LINK_EV_CONNECT_FAILED event and
 * the text "connection error", not an error here, as in QEMU 7.2).
 * stream_link_info() gives the `info network` text, stream_link_stats()
 * the counters.
 *
 * Return: 0, -EINVAL for options stream_check() refuses, or
 * stream_link_open()'s error.
 */
int stream_open(struct stream_link **out, const struct stream_config *cfg,
		struct uloop *loop, const char *name,
		const struct stream_link_notify *notify)
{
	struct stream_link_config lc;
	const char *why;

	if (stream_check(cfg, &why))
		return -EINVAL;
	memset(&lc, 0, sizeof(lc));
	lc.mode = cfg->server ? STREAM_LINK_LISTEN : STREAM_LINK_CONNECT;
	lc.addr = cfg->addr;
	lc.kind = PORT_NETDEV;
	lc.extra = STREAM_LINK_EXTRA_QUEUE;
	lc.max_len = cfg->max_len;
	lc.bufsize = cfg->bufsize;
	lc.reconnect_ms = cfg->reconnect_ms;
	return stream_link_open(out, &lc, loop, name, notify);
}

/**
 * stream_port() - the netdev's port
 * @l:	the link
 *
 * Return: the port, to connect to a NIC's.
 */
struct port *stream_port(struct stream_link *l)
{
	return stream_link_port(l);
}

/**
 * stream_close() - close the netdev (freed asynchronously, see
 * stream_link_close())
 * @l:	the link
 */
void stream_close(struct stream_link *l)
{
	stream_link_close(l);
}
