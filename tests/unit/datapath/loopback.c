/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loopback.c: in-tree loopback backend used only by tests. */
#include <errno.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "tests/unit/datapath/loopback.h"

#define lb_of(p)                                                               \
	((struct loopback *)((char *)(p)-offsetof(struct loopback, port)))

/**
 * lb_receive() - take frames: log them, keep or finish them, maybe echo
 * @p:		the loopback's port
 * @queue:	the queue
 * @f:		frames offered
 * @n:		how many
 *
 * Return: how many were taken: all, or with @keep up to the room left.
 */
static unsigned int lb_receive(struct port *p, unsigned int queue,
			       struct frame **f, unsigned int n)
{
	struct loopback *lb = lb_of(p);
	unsigned int i, take = n;

	if (lb->keep) {
		unsigned int room = lb->capacity - lb->nkept[queue];

		take = n < room ? n : room;
	}
	for (i = 0; i < take; i++) {
		if (lb->nlog[queue] < LOOPBACK_LOG_MAX)
			lb->log[queue][lb->nlog[queue]++] = f[i]->cookie;
		if (lb->keep)
			lb->kept[queue][lb->nkept[queue]++] = frame_get(f[i]);
	}
	lb->received[queue] += take;
	if (lb->echo && take)
		port_send(p, queue, f, take, false);
	return take;
}

/**
 * lb_flush() - offer pending frames to the peer again
 * @lb:		the loopback
 * @queue:	the queue
 *
 * Return: how many pending frames are now done with.
 */
static unsigned int lb_flush(struct loopback *lb, unsigned int queue)
{
	unsigned int n = lb->npending[queue], done;
	struct frame **pf = lb->pending[queue];

	if (!n)
		return 0;
	done = port_send(&lb->port, queue, pf, n, lb->holdable);
	frame_put_n(pf, done);
	memmove(pf, pf + done, (n - done) * sizeof(pf[0]));
	lb->npending[queue] = n - done;
	return done;
}

/**
 * lb_resume() - the peer can take more: count it and flush pending frames
 * @p:		the loopback's port
 * @queue:	the queue
 */
static void lb_resume(struct port *p, unsigned int queue)
{
	struct loopback *lb = lb_of(p);

	lb->resumes[queue]++;
	lb_flush(lb, queue);
}

/**
 * lb_link_changed() - count link changes
 * @p:	the loopback's port
 */
static void lb_link_changed(struct port *p)
{
	lb_of(p)->link_changes++;
}

static const struct port_ops lb_ops = {
	.receive = lb_receive,
	.resume = lb_resume,
	.link_changed = lb_link_changed,
};

/**
 * loopback_init() - set up a loopback port that takes everything
 * @lb:		the loopback
 * @name:	port name
 * @nqueues:	queues
 *
 * Return: 0 or port_init()'s error.
 */
int loopback_init(struct loopback *lb, const char *name, unsigned int nqueues)
{
	memset(lb, 0, sizeof(*lb));
	lb->capacity = LOOPBACK_MAX;
	lb->holdable = true;
	return port_init(&lb->port, &lb_ops, PORT_NETDEV, name, nqueues, NULL);
}

/**
 * loopback_set_capacity() - keep frames, at most @capacity per queue
 * @lb:		the loopback
 * @capacity:	frames (capped at LOOPBACK_MAX)
 */
void loopback_set_capacity(struct loopback *lb, unsigned int capacity)
{
	lb->keep = true;
	lb->capacity = capacity < LOOPBACK_MAX ? capacity : LOOPBACK_MAX;
}

/**
 * loopback_send() - send frames to the peer as a backend would
 * @lb:		the loopback
 * @queue:	the queue
 * @f:		the frames; the loopback takes its own reference to each
 * @n:		how many
 *
 * The frames go behind any still pending; with @holdable, what the peer
 * does not take stays pending until the resume hook runs.
 *
 * Return: frames done with in this call, or 0 if @n does not fit.
 */
unsigned int loopback_send(struct loopback *lb, unsigned int queue,
			   struct frame **f, unsigned int n)
{
	unsigned int i;

	if (n > LOOPBACK_MAX - lb->npending[queue])
		return 0;
	for (i = 0; i < n; i++)
		lb->pending[queue][lb->npending[queue]++] = frame_get(f[i]);
	return lb_flush(lb, queue);
}

/**
 * loopback_drain() - finish the oldest kept frames and wake the sender
 * @lb:		the loopback
 * @queue:	the queue
 * @n:		how many to finish (fewer if fewer are kept)
 *
 * Return: how many were finished.
 */
unsigned int loopback_drain(struct loopback *lb, unsigned int queue,
			    unsigned int n)
{
	struct frame **k = lb->kept[queue];

	if (n > lb->nkept[queue])
		n = lb->nkept[queue];
	frame_put_n(k, n);
	memmove(k, k + n, (lb->nkept[queue] - n) * sizeof(k[0]));
	lb->nkept[queue] -= n;
	port_wake(&lb->port, queue);
	return n;
}

/**
 * loopback_release() - drop every frame kept or pending (end of a test)
 * @lb:	the loopback
 */
void loopback_release(struct loopback *lb)
{
	unsigned int q;

	for (q = 0; q < PORT_MAX_QUEUES; q++) {
		frame_put_n(lb->kept[q], lb->nkept[q]);
		lb->nkept[q] = 0;
		frame_put_n(lb->pending[q], lb->npending[q]);
		lb->npending[q] = 0;
	}
}
