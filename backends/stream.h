/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream.h: -netdev stream: QEMU's length-prefixed frames over a unix or TCP socket. */
#ifndef QNET_BACKENDS_STREAM_H
#define QNET_BACKENDS_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include "datapath/port.h"
#include "datapath/stream_addr.h"
#include "datapath/stream_link.h"
#include "datapath/uring/uloop.h"

/**
 * struct stream_config - -netdev stream,addr.*,server=,reconnect=
 * @addr:		addr.type=unix|inet|fd with addr.path, addr.host and
 *			addr.port, or addr.str (an fd: listening with
 *			server=on, connected with server=off)
 * @server:		server=on: listen and serve one client at a time
 *			(later clients wait in the backlog, as in QEMU);
 *			off (QEMU's default): connect
 * @reconnect_ms:	client only: connect again this long after a failure
 *			or a disconnect (reconnect=S is S * 1000); 0: never,
 *			as QEMU 7.2
 * @max_len:		longest frame (0: FRAME_MAX_LEN)
 * @bufsize:		bytes per ring (0: STREAM_LINK_BUF_DEFAULT)
 */
struct stream_config {
	struct stream_addr addr;
	bool server;
	uint32_t reconnect_ms;
	uint32_t max_len;
	uint32_t bufsize;
};

int stream_check(const struct stream_config *cfg, const char **why);
int stream_open(struct stream_link **out, const struct stream_config *cfg,
		struct uloop *loop, const char *name,
		const struct stream_link_notify *notify);
struct port *stream_port(struct stream_link *l);
void stream_close(struct stream_link *l);

#endif /* QNET_BACKENDS_STREAM_H */
