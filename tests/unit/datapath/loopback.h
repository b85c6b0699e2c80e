/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loopback.h: in-tree loopback backend for tests only: records, keeps, echoes.
 */
#ifndef QNET_TESTS_LOOPBACK_H
#define QNET_TESTS_LOOPBACK_H

#include <stdbool.h>
#include <stdint.h>
#include "datapath/port.h"

/** LOOPBACK_MAX - frames kept or pending per queue */
#define LOOPBACK_MAX 512

/** LOOPBACK_LOG_MAX - received frames whose cookies are logged per queue */
#define LOOPBACK_LOG_MAX 4096

/**
 * struct loopback - a netdev port for tests
 * @port:	the port
 * @keep:	keep taken frames (frame_get) until loopback_drain(), at most
 *		@capacity per queue; false: take everything, finish at once
 * @capacity:	frames kept at once per queue (with @keep)
 * @echo:	send every taken frame straight back (a sender never held)
 * @holdable:	as a sender (loopback_send), wait to be resumed rather than
 *		drop what the peer does not take
 * @kept:	frames kept, oldest first, @nkept of them per queue
 * @pending:	frames offered but not yet taken, @npending per queue
 * @log:	cookies of received frames, in order, @nlog per queue
 * @received:	frames received per queue
 * @resumes:	resume hook calls per queue
 * @link_changes: link_changed hook calls
 */
struct loopback {
	struct port port;
	bool keep;
	unsigned int capacity;
	bool echo;
	bool holdable;
	struct frame *kept[PORT_MAX_QUEUES][LOOPBACK_MAX];
	unsigned int nkept[PORT_MAX_QUEUES];
	struct frame *pending[PORT_MAX_QUEUES][LOOPBACK_MAX];
	unsigned int npending[PORT_MAX_QUEUES];
	uint64_t log[PORT_MAX_QUEUES][LOOPBACK_LOG_MAX];
	unsigned int nlog[PORT_MAX_QUEUES];
	uint64_t received[PORT_MAX_QUEUES];
	uint64_t resumes[PORT_MAX_QUEUES];
	unsigned int link_changes;
};

int loopback_init(struct loopback *lb, const char *name, unsigned int nqueues);
void loopback_set_capacity(struct loopback *lb, unsigned int capacity);
unsigned int loopback_send(struct loopback *lb, unsigned int queue,
			   struct frame **f, unsigned int n);
unsigned int loopback_drain(struct loopback *lb, unsigned int queue,
			    unsigned int n);
void loopback_release(struct loopback *lb);

#endif /* QNET_TESTS_LOOPBACK_H */
