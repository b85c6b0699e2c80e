// SPDX-License-Identifier: GPL-2.0-or-later
/* socket.c: legacy -netdev socket mapped onto stream links (same framings as stream/dgram). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "backends/dgram.h"
#include "backends/socket.h"

/**
 * socket_check() - the checks QEMU makes on -netdev socket options
 * @cfg:	the options
 * @why:	set to the error text on error
 *
 * Return: 0, or -EINVAL.
 */
int socket_check(const struct socket_config *cfg, const char **why)
{
	bool dgram = cfg->mode == SOCKET_UDP || cfg->mode == SOCKET_MCAST;

	if ((unsigned int)cfg->mode >= SOCKET_MODE_COUNT) {
		*why = "exactly one of listen=, connect=, mcast= or udp= is "
		       "required";
		return -EINVAL;
	}
	if (cfg->has_localaddr && !dgram) {
		*why = "localaddr= is only valid with mcast= or udp=";
		return -EINVAL;
	}
	if (cfg->mode == SOCKET_FD && cfg->fd < 0) {
		*why = "invalid fd";
		return -EINVAL;
	}
	if (cfg->mode == SOCKET_FD)
		return 0;
	if (cfg->addr.type != STREAM_ADDR_INET) {
		*why = "host:port expected";
		return -EINVAL;
	}
	if (cfg->mode == SOCKET_UDP && !cfg->has_localaddr) {
		*why = "localaddr= is mandatory with udp=";
		return -EINVAL;
	}
	if (cfg->mode == SOCKET_MCAST && !dgram_is_mcast(&cfg->addr)) {
		*why = "mcast= needs an IPv4 multicast address";
		return -EINVAL;
	}
	if (cfg->mode != SOCKET_LISTEN && !cfg->addr.host[0]) {
		*why = "a host is needed";
		return -EINVAL;
	}
	return 0;
}

/**
 * socket_link_config() - the stream link configuration for the options
 * @cfg:	checked options
 * @lc:		filled in
 *
 * Return: 0, or -errno when an fd's type cannot be read or is neither
 * stream nor datagram (-EINVAL).
 */
static int socket_link_config(const struct socket_config *cfg,
			      struct stream_link_config *lc)
{
	socklen_t len = sizeof(int);
	int type = 0;

	memset(lc, 0, sizeof(*lc));
	lc->kind = PORT_NETDEV;
	lc->extra = STREAM_LINK_EXTRA_QUEUE;
	lc->max_len = cfg->max_len;
	lc->bufsize = cfg->bufsize;
	lc->addr = cfg->addr;
	switch (cfg->mode) {
	case SOCKET_LISTEN:
		lc->mode = STREAM_LINK_LISTEN;
		return 0;
	case SOCKET_CONNECT:
		lc->mode = STREAM_LINK_CONNECT;
		return 0;
	case SOCKET_UDP:
	case SOCKET_MCAST:
		lc->mode = STREAM_LINK_DGRAM;
		lc->addr = cfg->localaddr;
		lc->has_local = cfg->has_localaddr;
		lc->remote = cfg->addr;
		lc->has_remote = true;
		return 0;
	default:
		break;
	}
	if (getsockopt(cfg->fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return -errno;
	memset(&lc->addr, 0, sizeof(lc->addr));
	lc->addr.type = STREAM_ADDR_FD;
	lc->addr.fd = cfg->fd;
	if (type == SOCK_STREAM) {
		lc->mode = STREAM_LINK_CONNECT;
		return 0;
	}
	if (type != SOCK_DGRAM)
		return -EINVAL;
	lc->mode = STREAM_LINK_DGRAM;
	lc->has_local = true;
	return 0;
}

/**
 * socket_open() - open a socket netdev (a PORT_NETDEV)
 * @out:	set to the link
 * @cfg:	the options (checked with socket_check())
 * @loop:	the loop it runs on (its thread)
 * @name:	the netdev id
 * @notify:	connection events, or NULL
 *
 * listen= serves one client at a time (later ones wait in the backlog,
 * as in QEMU); connect= connects asynchronously (QEMU blocks on it); udp=
 * and mcast= are datagram links, up at once; fd= takes over the socket.
 *
 * Return: 0, -EINVAL for options socket_check() refuses, or
 * stream_link_open()'s error.
 */
int socket_open(struct stream_link **out, const struct socket_config *cfg,
		struct uloop *loop, const char *name,
		const struct stream_link_notify *notify)
{
	struct stream_link_config lc;
	const char *why;
	int ret;

	if (socket_check(cfg, &why))
		return -EINVAL;
	ret = socket_link_config(cfg, &lc);
	if (ret)
		return ret;
	return stream_link_open(out, &lc, loop, name, notify);
}

/**
 * socket_port() - the netdev's port
 * @l:	the link
 *
 * Return: the port, to connect to a NIC's.
 */
struct port *socket_port(struct stream_link *l)
{
	return stream_link_port(l);
}

/**
 * socket_close() - close the netdev (freed asynchronously, see
 * stream_link_close())
 * @l:	the link
 */
void socket_close(struct stream_link *l)
{
	stream_link_close(l);
}

/**
 * socket_info() - QEMU's `info network` text for -netdev socket:
 * "socket: connection from H:P", "socket: connect to H:P",
 * "socket: udp=H:P", "socket: mcast=H:P", "socket: fd=N"; a listener
 * without a client shows nothing, as QEMU 7.2
 * @cfg:	the options it was opened with
 * @l:		the link
 * @buf:	destination
 * @size:	its size
 *
 * Return: 0, or -ENOSPC when truncated.
 */
int socket_info(const struct socket_config *cfg, const struct stream_link *l,
		char *buf, size_t size)
{
	const struct stream_addr *a = &cfg->addr;
	struct stream_addr peer;
	int n;

	switch (cfg->mode) {
	case SOCKET_LISTEN:
		if (stream_link_peer(l, &peer))
			n = snprintf(buf, size, "%s", "");
		else
			n = snprintf(buf, size,
				     "socket: connection from %s:%u",
				     peer.host, peer.port);
		break;
	case SOCKET_CONNECT:
		n = snprintf(buf, size, "socket: connect to %s:%u", a->host,
			     a->port);
		break;
	case SOCKET_UDP:
	case SOCKET_MCAST:
		n = snprintf(buf, size, "socket: %s=%s:%u",
			     cfg->mode == SOCKET_UDP ? "udp" : "mcast", a->host,
			     a->port);
		break;
	default:
		n = snprintf(buf, size, "socket: fd=%d", cfg->fd);
		break;
	}
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}
