// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_fe_mq.c: join a multiqueue NIC's queue pairs onto a single-queue netdev. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/runtime.h"

/**
 * DOC: queue join
 *
 * A port connects only to a peer with as many queues. When a virtio-net
 * NIC serves more queue pairs (queues=N, mq=on) than its netdev has (one,
 * for -netdev user), qnet puts a join between them: an inner port with N
 * queues peered with the device, and an outer port with one queue that
 * takes the device's place towards the netdev.
 *
 * - Guest TX on any pair goes out on the netdev's one queue, in the order
 *   the device sends it. When the netdev holds the join, every device
 *   queue that offered more is held too and resumed together.
 * - Guest RX all goes to pair 0, the one pair a guest always has enabled.
 *   When the device holds the join, the netdev is held until the device
 *   resumes pair 0.
 * - Links: the outer port's link follows the device's (down while no VMM
 *   is connected), the inner port's follows the netdev's.
 *
 * Nothing is copied or queued: frames pass through within the sender's
 * call, so backpressure and accounting stay those of the two ends (the
 * monitor shows the outer port under the NIC's name). Everything runs on
 * the worker's loop.
 */

/**
 * struct rt_fe_mq - a queue join
 * @inner:	N queues, peered with the device
 * @outer:	one queue, peered with the netdev
 */
struct rt_fe_mq {
	struct port inner;
	struct port outer;
};

static unsigned int rt_fe_mq_inner_receive(struct port *p, unsigned int queue,
					   struct frame **f, unsigned int n)
{
	struct rt_fe_mq *j = p->priv;

	return port_send(&j->outer, 0, f, n, true);
}

static void rt_fe_mq_inner_resume(struct port *p, unsigned int queue)
{
	struct rt_fe_mq *j = p->priv;

	port_wake(&j->outer, 0);
}

static void rt_fe_mq_inner_link(struct port *p)
{
	struct rt_fe_mq *j = p->priv;

	port_set_link(&j->outer, p->peer && p->peer->link_up);
}

static unsigned int rt_fe_mq_outer_receive(struct port *p, unsigned int queue,
					   struct frame **f, unsigned int n)
{
	struct rt_fe_mq *j = p->priv;

	return port_send(&j->inner, 0, f, n, true);
}

static void rt_fe_mq_outer_resume(struct port *p, unsigned int queue)
{
	struct rt_fe_mq *j = p->priv;
	unsigned int q;

	for (q = 0; q < j->inner.nqueues; q++)
		port_wake(&j->inner, q);
}

static void rt_fe_mq_outer_link(struct port *p)
{
	struct rt_fe_mq *j = p->priv;

	port_set_link(&j->inner, p->peer ? p->peer->link_up : true);
}

static const struct port_ops rt_fe_mq_inner_ops = {
	.receive = rt_fe_mq_inner_receive,
	.resume = rt_fe_mq_inner_resume,
	.link_changed = rt_fe_mq_inner_link,
};

static const struct port_ops rt_fe_mq_outer_ops = {
	.receive = rt_fe_mq_outer_receive,
	.resume = rt_fe_mq_outer_resume,
	.link_changed = rt_fe_mq_outer_link,
};

/**
 * rt_fe_mq_open() - put a join in front of a multiqueue device port
 * @out:	set to the join
 * @dev:	the device's port (2..PORT_MAX_QUEUES queues, no peer yet)
 * @name:	name of the outer port (the NIC's)
 *
 * Return: 0; -EINVAL, -ENAMETOOLONG, -ENOMEM
 */
int rt_fe_mq_open(struct rt_fe_mq **out, struct port *dev, const char *name)
{
	struct rt_fe_mq *j = calloc(1, sizeof(*j));
	char inner[PORT_NAME_MAX];
	int ret;

	if (!j)
		return -ENOMEM;
	if ((size_t)snprintf(inner, sizeof(inner), "%s.mq", name) >=
	    sizeof(inner))
		ret = -ENAMETOOLONG;
	else
		ret = port_init(&j->inner, &rt_fe_mq_inner_ops, PORT_NETDEV,
				inner, dev->nqueues, j);
	if (!ret)
		ret = port_init(&j->outer, &rt_fe_mq_outer_ops, PORT_NIC, name,
				1, j);
	if (!ret)
		ret = port_connect(dev, &j->inner);
	if (ret) {
		free(j);
		return ret;
	}
	j->outer.link_up = dev->link_up;
	*out = j;
	return 0;
}

/**
 * rt_fe_mq_port() - the join's port towards the netdev
 * @j:		the join
 *
 * Return: the outer port (one queue)
 */
struct port *rt_fe_mq_port(struct rt_fe_mq *j)
{
	return &j->outer;
}

/**
 * rt_fe_mq_close() - disconnect both sides and free the join
 * @j:		the join (NULL: nothing); the device must be closed (or at
 *		least disconnected) first
 */
void rt_fe_mq_close(struct rt_fe_mq *j)
{
	if (!j)
		return;
	port_disconnect(&j->outer);
	port_disconnect(&j->inner);
	free(j);
}
