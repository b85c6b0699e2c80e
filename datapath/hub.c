/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hub.c: hubs; fan-out to every port but the source, per-port hold queues. */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "datapath/hub.h"

/*
 * DOC: hub semantics (QEMU's net hub, with bounded queues of references)
 *
 * A frame a hub port takes from its peer goes to every other port of the
 * hub, on the same queue.  A destination whose peer did not take a frame
 * is "blocked": its peer holds it, and that frame and every later one for
 * that destination wait, in order, in the port's hold queue (a reference
 * each).  When the peer calls port_wake(), the queue is flushed; once it is
 * empty the destination is open again and the hub resumes every source it
 * held.  A full hold queue drops the frame for that destination only,
 * counted as queue_full on the destination hub port.  The hub holds its
 * source (takes nothing) only when every destination is blocked, as QEMU's
 * hub port can_receive does; otherwise it takes the whole batch.
 */

static_assert(HUB_MAX_PORTS * PORT_MAX_QUEUES * (uint64_t)HUB_QUEUE_MAX *
			      sizeof(struct frame *) <=
		      SIZE_MAX / 2,
	      "hold queue storage size fits size_t");

static unsigned int hub_port_receive(struct port *p, unsigned int queue,
				     struct frame **f, unsigned int n);
static void hub_port_resume(struct port *p, unsigned int queue);

static const struct port_ops hub_port_ops = {
	.receive = hub_port_receive,
	.resume = hub_port_resume,
};

/**
 * hub_init() - set up an empty hub with all its memory
 * @h:		the hub
 * @id:		hub id
 * @max_ports:	ports it may get, 1..HUB_MAX_PORTS
 * @nqueues:	queues per hub port, 1..PORT_MAX_QUEUES
 * @qlen:	hold queue length per port and queue, 0..HUB_QUEUE_MAX (0:
 *		a blocked destination drops everything until woken)
 *
 * Return: 0, -EINVAL for a bad size, or -ENOMEM.
 */
int hub_init(struct hub *h, int id, unsigned int max_ports,
	     unsigned int nqueues, unsigned int qlen)
{
	memset(h, 0, sizeof(*h));
	if (max_ports == 0 || max_ports > HUB_MAX_PORTS || nqueues == 0 ||
	    nqueues > PORT_MAX_QUEUES || qlen > HUB_QUEUE_MAX)
		return -EINVAL;
	h->ports = calloc(max_ports, sizeof(*h->ports));
	if (!h->ports)
		return -ENOMEM;
	if (qlen) {
		h->slots = calloc((size_t)max_ports * nqueues * qlen,
				  sizeof(*h->slots));
		if (!h->slots)
			goto err_ports;
	}
	h->id = id;
	h->max_ports = max_ports;
	h->nqueues = nqueues;
	h->qlen = qlen;
	return 0;

err_ports:
	free(h->ports);
	h->ports = NULL;
	return -ENOMEM;
}

/**
 * hub_destroy() - disconnect every hub port, release what is queued, free
 * @h:	the hub (may be one hub_init() failed on, or already destroyed)
 *
 * Disconnecting flushes the hold queues: their frames are dropped as
 * no_peer and their references released.
 */
void hub_destroy(struct hub *h)
{
	unsigned int i, q;

	for (i = 0; i < h->nports; i++)
		port_disconnect(&h->ports[i].port);
	for (i = 0; i < h->nports; i++) {
		for (q = 0; q < h->nqueues; q++) {
			struct hub_queue *hq = &h->ports[i].q[q];

			while (hq->count) {
				struct frame *f = hq->slot[hq->head];

				hq->head = (hq->head + 1) % hq->cap;
				hq->count--;
				frame_put(f);
			}
		}
	}
	free(h->slots);
	free(h->ports);
	memset(h, 0, sizeof(*h));
}

/**
 * hub_add_port() - add a port to a hub
 * @h:		the hub
 * @name:	the port's name, or NULL for QEMU's "hub<id>port<index>"
 * @out:	set to the new port, ready to be connected to a peer
 *
 * Return: 0, -ENOSPC when the hub has @max_ports already, or port_init()'s
 * error for a bad name.
 */
int hub_add_port(struct hub *h, const char *name, struct port **out)
{
	char buf[PORT_NAME_MAX];
	struct hub_port *hp;
	unsigned int q;
	int ret;

	if (h->nports >= h->max_ports)
		return -ENOSPC;
	hp = &h->ports[h->nports];
	if (!name) {
		snprintf(buf, sizeof(buf), "hub%dport%u", h->id, h->nports);
		name = buf;
	}
	ret = port_init(&hp->port, &hub_port_ops, PORT_HUBPORT, name,
			h->nqueues, NULL);
	if (ret)
		return ret;
	hp->port.hub = h;
	hp->hub = h;
	hp->index = h->nports;
	for (q = 0; q < h->nqueues; q++) {
		memset(&hp->q[q], 0, sizeof(hp->q[q]));
		hp->q[q].cap = h->qlen;
		if (h->qlen)
			hp->q[q].slot =
				h->slots +
				((size_t)hp->index * h->nqueues + q) * h->qlen;
		hp->fwd_packets[q] = 0;
	}
	h->nports++;
	*out = &hp->port;
	return 0;
}

/**
 * hub_port_of() - the hub port a port is
 * @p:	a port
 *
 * Return: its hub_port, or NULL if @p is not a hub's port.
 */
struct hub_port *hub_port_of(struct port *p)
{
	if (!p || p->ops != &hub_port_ops)
		return NULL;
	return (struct hub_port *)((char *)p - offsetof(struct hub_port, port));
}

/**
 * hub_enqueue() - queue references to frames for a blocked destination
 * @d:		the destination hub port
 * @queue:	the queue
 * @f:		the frames
 * @n:		how many
 *
 * What does not fit is dropped for this destination and counted as
 * queue_full on it.
 */
static void hub_enqueue(struct hub_port *d, unsigned int queue,
			struct frame **f, unsigned int n)
{
	struct hub_queue *hq = &d->q[queue];
	unsigned int room = hq->cap - hq->count;
	unsigned int i, k = n < room ? n : room;

	for (i = 0; i < k; i++) {
		hq->slot[(hq->head + hq->count) % hq->cap] = frame_get(f[i]);
		hq->count++;
	}
	if (k < n)
		port_count_drop(&d->port, queue, PORT_DROP_QUEUE_FULL, n - k);
}

/**
 * hub_any_open() - whether some destination of @src is not blocked
 * @src:	the source hub port
 * @queue:	the queue
 *
 * Return: true if a port other than @src is open on @queue, or if @src is
 * alone (its frames then go nowhere).
 */
static bool hub_any_open(const struct hub_port *src, unsigned int queue)
{
	const struct hub *h = src->hub;
	unsigned int j;

	if (h->nports <= 1)
		return true;
	for (j = 0; j < h->nports; j++)
		if (j != src->index && !h->ports[j].q[queue].blocked)
			return true;
	return false;
}

/**
 * hub_deliver() - hand frames that @src took to every other hub port
 * @src:	the hub port the frames came in on
 * @queue:	the queue
 * @f:		the frames (the caller keeps its references)
 * @n:		how many
 *
 * An open destination sends them to its peer at once; what the peer does
 * not take is queued and the destination becomes blocked.  A blocked
 * destination queues them behind what it already holds.  Every handed
 * frame counts in the destination's @fwd_packets.
 *
 * Return: @n, or 0 (nothing taken: hold the sender) when every destination
 * is blocked.
 */
unsigned int hub_deliver(struct hub_port *src, unsigned int queue,
			 struct frame **f, unsigned int n)
{
	struct hub *h = src->hub;
	unsigned int j, sent;

	if (!hub_any_open(src, queue))
		return 0;
	for (j = 0; j < h->nports; j++) {
		struct hub_port *d = &h->ports[j];

		if (d == src)
			continue;
		d->fwd_packets[queue] += n;
		if (d->q[queue].blocked) {
			hub_enqueue(d, queue, f, n);
			continue;
		}
		sent = port_send(&d->port, queue, f, n, true);
		if (sent < n) {
			d->q[queue].blocked = true;
			hub_enqueue(d, queue, f + sent, n - sent);
		}
	}
	return n;
}

/**
 * hub_port_receive() - receive() of a hub port: fan out to the others
 * @p:		the hub port
 * @queue:	the queue
 * @f:		the frames its peer offers
 * @n:		how many
 *
 * Return: hub_deliver()'s result.
 */
static unsigned int hub_port_receive(struct port *p, unsigned int queue,
				     struct frame **f, unsigned int n)
{
	return hub_deliver(hub_port_of(p), queue, f, n);
}

/**
 * hub_wake_sources() - a destination opened: resume senders the hub held
 * @h:		the hub
 * @except:	the port that just opened (it is not a held source)
 * @queue:	the queue
 */
static void hub_wake_sources(struct hub *h, const struct hub_port *except,
			     unsigned int queue)
{
	unsigned int j;

	for (j = 0; j < h->nports; j++)
		if (&h->ports[j] != except)
			port_wake(&h->ports[j].port, queue);
}

/**
 * hub_port_resume() - the peer can take more: flush the hold queue
 * @p:		the hub port
 * @queue:	the queue
 *
 * Sends the queue oldest first, a batch at a time; stops (still blocked)
 * when the peer holds the port again.  Once empty, the port is open and
 * the hub's held sources are resumed.
 */
static void hub_port_resume(struct port *p, unsigned int queue)
{
	struct hub_port *hp = hub_port_of(p);
	struct hub_queue *hq = &hp->q[queue];
	struct frame *batch[FRAME_BATCH_MAX];
	unsigned int i, m, done;

	if (!hq->blocked)
		return;
	while (hq->count) {
		m = hq->count < FRAME_BATCH_MAX ? hq->count : FRAME_BATCH_MAX;
		for (i = 0; i < m; i++)
			batch[i] = hq->slot[(hq->head + i) % hq->cap];
		done = port_send(p, queue, batch, m, true);
		hq->head = (hq->head + done) % hq->cap;
		hq->count -= done;
		frame_put_n(batch, done);
		if (done < m)
			return;
	}
	hq->blocked = false;
	hub_wake_sources(hp->hub, hp, queue);
}

/**
 * hub_port_queued() - frames waiting in a hub port's hold queue
 * @p:		a hub port
 * @queue:	the queue
 *
 * Return: how many, or 0 for a port that is not a hub port.
 */
unsigned int hub_port_queued(const struct port *p, unsigned int queue)
{
	const struct hub_port *hp = hub_port_of((struct port *)p);

	if (!hp || queue >= p->nqueues)
		return 0;
	return hp->q[queue].count;
}

/**
 * hub_port_forwarded() - frames the hub handed a port for its peer
 * @p:		a hub port
 * @queue:	the queue
 *
 * Return: the count, or 0 for a port that is not a hub port.
 */
uint64_t hub_port_forwarded(const struct port *p, unsigned int queue)
{
	const struct hub_port *hp = hub_port_of((struct port *)p);

	if (!hp || queue >= p->nqueues)
		return 0;
	return hp->fwd_packets[queue];
}
