// SPDX-License-Identifier: GPL-2.0-or-later
/* dgram.c: -netdev dgram as a qnet netdev: a datagram stream link. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "backends/dgram.h"

/**
 * dgram_is_mcast() - whether an address is an IPv4 multicast literal
 * @a:	the address
 *
 * Return: true for an inet address whose host is 224.0.0.0/4.
 */
bool dgram_is_mcast(const struct stream_addr *a)
{
	struct in_addr in;

	return a->type == STREAM_ADDR_INET &&
	       inet_pton(AF_INET, a->host, &in) == 1 &&
	       IN_MULTICAST(ntohl(in.s_addr));
}

/**
 * dgram_check() - the checks QEMU makes on -netdev dgram options
 * @cfg:	the options
 * @why:	set to QEMU's error text on error
 *
 * Return: 0, or -EINVAL.
 */
int dgram_check(const struct dgram_config *cfg, const char **why)
{
	if (cfg->has_remote && dgram_is_mcast(&cfg->remote)) {
		if (cfg->has_local && cfg->local.type == STREAM_ADDR_UNIX) {
			*why = "only support inet or fd type for local";
			return -EINVAL;
		}
		if (cfg->has_local && cfg->local.type == STREAM_ADDR_FD) {
			*why = "qnet does not clone a multicast fd: give "
			       "local.type=inet";
			return -EINVAL;
		}
		return 0;
	}
	if (!cfg->has_local) {
		*why = "dgram requires local= parameter";
		return -EINVAL;
	}
	if (cfg->has_remote && cfg->local.type == STREAM_ADDR_FD) {
		*why = "don't set remote with local.fd";
		return -EINVAL;
	}
	if (cfg->has_remote && cfg->remote.type != cfg->local.type) {
		*why = "remote and local types must be the same";
		return -EINVAL;
	}
	if (!cfg->has_remote && cfg->local.type != STREAM_ADDR_FD) {
		*why = "type=inet or type=unix requires remote parameter";
		return -EINVAL;
	}
	return 0;
}

/**
 * dgram_open() - open a dgram netdev (a PORT_NETDEV, link up at once)
 * @out:	set to the link
 * @cfg:	the options (checked with dgram_check())
 * @loop:	the loop it runs on (its thread)
 * @name:	the netdev id
 * @notify:	events (only STREAM_LINK_EV_CLOSED for datagrams), or NULL
 *
 * A unix local path holding a stale socket is replaced (a live one is
 * refused with -EADDRINUSE); the file qnet creates is removed on close,
 * where QEMU leaves it behind.
 *
 * Return: 0, -EINVAL for options dgram_check() refuses, or
 * stream_link_open()'s error.
 */
int dgram_open(struct stream_link **out, const struct dgram_config *cfg,
	       struct uloop *loop, const char *name,
	       const struct stream_link_notify *notify)
{
	struct stream_link_config lc;
	const char *why;

	if (dgram_check(cfg, &why))
		return -EINVAL;
	memset(&lc, 0, sizeof(lc));
	lc.mode = STREAM_LINK_DGRAM;
	lc.addr = cfg->local;
	lc.has_local = cfg->has_local;
	lc.remote = cfg->remote;
	lc.has_remote = cfg->has_remote;
	lc.kind = PORT_NETDEV;
	lc.max_len = cfg->max_len;
	lc.bufsize = cfg->bufsize;
	lc.dgram_bufs = cfg->bufs;
	return stream_link_open(out, &lc, loop, name, notify);
}

/**
 * dgram_port() - the netdev's port
 * @l:	the link
 *
 * Return: the port, to connect to a NIC's.
 */
struct port *dgram_port(struct stream_link *l)
{
	return stream_link_port(l);
}

/**
 * dgram_close() - close the netdev (freed asynchronously, see
 * stream_link_close())
 * @l:	the link
 */
void dgram_close(struct stream_link *l)
{
	stream_link_close(l);
}
