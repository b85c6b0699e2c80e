/* SPDX-License-Identifier: GPL-2.0-or-later */
/* socket.h: legacy -netdev socket (listen, connect, udp, mcast, fd) on stream links. */
#ifndef QNET_BACKENDS_SOCKET_H
#define QNET_BACKENDS_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/port.h"
#include "datapath/stream_addr.h"
#include "datapath/stream_link.h"
#include "datapath/uring/uloop.h"

/**
 * enum socket_mode - which of QEMU's exclusive socket options was given
 * @SOCKET_LISTEN:	listen=[HOST]:PORT (stream framing, server)
 * @SOCKET_CONNECT:	connect=HOST:PORT (stream framing, client)
 * @SOCKET_UDP:		udp=HOST:PORT,localaddr=HOST:PORT (datagrams)
 * @SOCKET_MCAST:	mcast=GROUP:PORT[,localaddr=ADDR] (datagrams)
 * @SOCKET_FD:		fd=N (stream or datagram, by the socket's type)
 */
enum socket_mode {
	SOCKET_LISTEN,
	SOCKET_CONNECT,
	SOCKET_UDP,
	SOCKET_MCAST,
	SOCKET_FD,
	SOCKET_MODE_COUNT
};

/**
 * struct socket_config - -netdev socket options
 * @mode:		which one
 * @addr:		the listen/connect/udp/mcast address (inet)
 * @localaddr:		localaddr= (udp: the address bound; mcast: the
 *			interface address, host only)
 * @has_localaddr:	localaddr= given
 * @fd:			fd= (qnet takes it over)
 * @max_len:		longest frame (0: FRAME_MAX_LEN)
 * @bufsize:		bytes per ring (0: STREAM_LINK_BUF_DEFAULT)
 */
struct socket_config {
	enum socket_mode mode;
	struct stream_addr addr;
	struct stream_addr localaddr;
	bool has_localaddr;
	int fd;
	uint32_t max_len;
	uint32_t bufsize;
};

int socket_check(const struct socket_config *cfg, const char **why);
int socket_open(struct stream_link **out, const struct socket_config *cfg,
		struct uloop *loop, const char *name,
		const struct stream_link_notify *notify);
struct port *socket_port(struct stream_link *l);
void socket_close(struct stream_link *l);
int socket_info(const struct socket_config *cfg, const struct stream_link *l,
		char *buf, size_t size);

#endif /* QNET_BACKENDS_SOCKET_H */
