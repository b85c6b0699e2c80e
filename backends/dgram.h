/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dgram.h: -netdev dgram: one frame per datagram, unix or UDP, unicast or multicast. */
#ifndef QNET_BACKENDS_DGRAM_H
#define QNET_BACKENDS_DGRAM_H

#include <stdbool.h>
#include <stdint.h>
#include "datapath/port.h"
#include "datapath/stream_addr.h"
#include "datapath/stream_link.h"
#include "datapath/uring/uloop.h"

/**
 * struct dgram_config - -netdev dgram,local.*,remote.*
 * @local:	local.type=unix|inet|fd: the address qnet binds (for
 *		multicast: the interface address, optional); fd: a bound
 *		socket qnet takes over
 * @has_local:	local.* given
 * @remote:	remote.type=unix|inet: where frames go; an IPv4 multicast
 *		group joins it
 * @has_remote:	remote.* given
 * @max_len:	longest frame (0: FRAME_MAX_LEN)
 * @bufsize:	bytes of the send ring (0: STREAM_LINK_BUF_DEFAULT)
 * @bufs:	receive buffers, a power of two (0: STREAM_LINK_DGRAM_BUFS)
 */
struct dgram_config {
	struct stream_addr local;
	bool has_local;
	struct stream_addr remote;
	bool has_remote;
	uint32_t max_len;
	uint32_t bufsize;
	unsigned int bufs;
};

bool dgram_is_mcast(const struct stream_addr *a);
int dgram_check(const struct dgram_config *cfg, const char **why);
int dgram_open(struct stream_link **out, const struct dgram_config *cfg,
	       struct uloop *loop, const char *name,
	       const struct stream_link_notify *notify);
struct port *dgram_port(struct stream_link *l);
void dgram_close(struct stream_link *l);

#endif /* QNET_BACKENDS_DGRAM_H */
