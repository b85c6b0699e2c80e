/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hub.h: hubs (QEMU's net hub): each frame to every port but its source. */
#ifndef QNET_DATAPATH_HUB_H
#define QNET_DATAPATH_HUB_H

#include <stdbool.h>
#include <stdint.h>
#include "datapath/port.h"

/** HUB_MAX_PORTS - most ports on one hub */
#define HUB_MAX_PORTS 64

/** HUB_QUEUE_MAX - largest per-port, per-queue hold queue (frames) */
#define HUB_QUEUE_MAX 65536

/** HUB_QUEUE_DEFAULT - hold queue length when the caller has no opinion */
#define HUB_QUEUE_DEFAULT 256

/**
 * struct hub_queue - frames a hub port's peer could not take yet
 * @slot:	ring of @cap frame references (frame_get), oldest at @head
 * @head:	index of the oldest
 * @count:	frames queued
 * @cap:	ring size, fixed at setup
 * @blocked:	the peer holds this hub port on this queue: new frames join
 *		the queue (in order) until the peer wakes the port
 */
struct hub_queue {
	struct frame **slot;
	unsigned int head;
	unsigned int count;
	unsigned int cap;
	bool blocked;
};

/**
 * struct hub_port - one port of a hub
 * @port:	the port (kind PORT_HUBPORT, @port.hub set); peer it 1:1
 * @hub:	the hub
 * @index:	position in the hub (the N of "hubMportN")
 * @q:		per-queue hold queues
 * @fwd_packets: per queue: frames the hub handed this port for its peer
 *		(= tx_packets + drops + queued; see docs/datapath.md)
 */
struct hub_port {
	struct port port;
	struct hub *hub;
	unsigned int index;
	struct hub_queue q[PORT_MAX_QUEUES];
	uint64_t fwd_packets[PORT_MAX_QUEUES];
};

/**
 * struct hub - N ports; a frame from one goes to all the others
 * @id:		hub id (QEMU's hubid; may be negative)
 * @nports:	ports added so far
 * @max_ports:	ports the hub was sized for
 * @nqueues:	queues on every hub port (QEMU hubs have one)
 * @qlen:	hold queue length per port and queue
 * @ports:	the ports, @max_ports of them allocated at setup
 * @slots:	storage of every hold queue, allocated at setup
 */
struct hub {
	int id;
	unsigned int nports;
	unsigned int max_ports;
	unsigned int nqueues;
	unsigned int qlen;
	struct hub_port *ports;
	struct frame **slots;
};

int hub_init(struct hub *h, int id, unsigned int max_ports,
	     unsigned int nqueues, unsigned int qlen);
void hub_destroy(struct hub *h);
int hub_add_port(struct hub *h, const char *name, struct port **out);
unsigned int hub_deliver(struct hub_port *src, unsigned int queue,
			 struct frame **f, unsigned int n);
struct hub_port *hub_port_of(struct port *p);
unsigned int hub_port_queued(const struct port *p, unsigned int queue);
uint64_t hub_port_forwarded(const struct port *p, unsigned int queue);

#endif /* QNET_DATAPATH_HUB_H */
