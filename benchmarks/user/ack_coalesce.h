/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ack_coalesce.h: experiment for bench-user: a port pair that drops superseded pure TCP ACKs. */
#ifndef QNET_BENCH_USER_ACK_COALESCE_H
#define QNET_BENCH_USER_ACK_COALESCE_H

#include <stdint.h>

#include "datapath/port.h"

/**
 * DOC: ack coalescing (benchmark experiment)
 *
 * libslirp acknowledges every TCP segment it receives at once (no delayed
 * ACK), so a bulk upload from the guest costs one ACK frame back per data
 * frame, and each ACK written to a tap runs the guest kernel's TCP output
 * in the writer's context.  This pair of ports sits between the user
 * backend (@up's peer) and the frontend (@down's peer) and, in each batch
 * libslirp sends toward the guest, drops a pure IPv4 TCP ACK (ACK flag
 * only, no payload, no options) when a later pure ACK of the same
 * connection in the same batch acknowledges strictly more.  Duplicate
 * ACKs (same number) are kept, so fast retransmit still sees them.
 * Dropped frames are counted as "filtered" on @up.  Frames toward the
 * backend pass unchanged, with the frontend's backpressure carried
 * through.  Used only by qnet-nsuser -a to measure what such a filter
 * would gain; not part of qnet.
 */

/**
 * struct ackc - the coalescing port pair
 * @up:		faces the user backend
 * @down:	faces the namespace's frontend
 * @acks:	pure ACKs seen toward the guest
 * @dropped:	of which were superseded and dropped
 */
struct ackc {
	struct port up;
	struct port down;
	uint64_t acks;
	uint64_t dropped;
};

int ackc_init(struct ackc *a);

#endif /* QNET_BENCH_USER_ACK_COALESCE_H */
