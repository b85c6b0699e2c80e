// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_workers.c: queue workers: one data-path thread per queue pair of a multiqueue tap and its vhost-user NIC, and pausing them. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "ctl/runtime.h"

/**
 * DOC: queue workers
 * Every port lives on the data-path worker (rt->worker), except the queues
 * of a multiqueue link that can run in parallel end to end: a tap (or
 * bridge) netdev with queues=N > 1 whose peer is a virtio-net NIC served
 * over vhost-user. Queue q of the tap and queue pair q of the device then
 * run on queue worker q (thread "qnet-dp-qQ"), so a frame from pair q's TX
 * ring reaches the tap's queue q, and the tap's queue q reaches pair q's RX
 * ring, in one thread with no lock. The device's vhost-user socket, its
 * control queue and everything the monitor does stay on rt->worker.
 *
 * The queue workers start on first use and stop in rt_fini(). There are
 * at most RT_QWORKERS_MAX of them; queue q of any spread netdev runs on
 * worker q % RT_QWORKERS_MAX, so two spread links share their workers.
 *
 * Calls go one way: rt->worker may uworker_call() a queue worker (start
 * or stop a queue, add a device's hook), queue workers never call anyone.
 * Changes to what the queue workers read across ports (peers, filters)
 * happen on rt->worker between rt_qw_pause() and rt_qw_resume(), which
 * park every queue worker at a gate; the device's own quiescing (ring and
 * memory changes) is bracketed inside single calls on rt->worker, so the
 * two never overlap. Counters are per queue and written by one thread;
 * the monitor reads them without a pause (a sum may be a frame behind).
 */

/**
 * rt_qw_get() - the queue worker for queue @q, started on first use
 * @rt:		runtime
 * @q:		queue index
 * @out:	set to the worker
 *
 * Return: 0, or -errno from uworker_start()
 */
int rt_qw_get(struct rt *rt, unsigned int q, struct uworker **out)
{
	unsigned int i = q % RT_QWORKERS_MAX;
	char name[16];
	int ret;

	while (rt->nqw <= i) {
		struct rt_qworker *w = &rt->qw[rt->nqw];

		snprintf(name, sizeof(name), "qnet-dp-q%u", rt->nqw);
		ret = uworker_start(&w->w, name, NULL, 0);
		if (ret)
			return ret;
		sem_init(&w->entered, 0, 0);
		sem_init(&w->release, 0, 0);
		rt->nqw++;
	}
	*out = &rt->qw[i].w;
	return 0;
}

/**
 * rt_qw_stop_all() - stop every queue worker (nothing may live on them)
 * @rt:		runtime
 */
void rt_qw_stop_all(struct rt *rt)
{
	while (rt->nqw) {
		struct rt_qworker *w = &rt->qw[--rt->nqw];

		uworker_stop(&w->w);
		sem_destroy(&w->entered);
		sem_destroy(&w->release);
	}
}

/**
 * rt_qw_gate() - a queue worker parks here during rt_qw_pause()
 * @loop:	its loop
 * @arg:	its struct rt_qworker
 */
static void rt_qw_gate(struct uloop *loop, void *arg)
{
	struct rt_qworker *w = arg;

	uloop_park(loop);	/* e.g. direct reads of a peer: cancelled */
	sem_post(&w->entered);
	while (sem_wait(&w->release) && errno == EINTR)
		;
}

/**
 * rt_qw_pause() - park every queue worker between two loop iterations
 * @rt:		runtime
 *
 * Called on rt->worker (or before any port exists). Returns once every
 * queue worker is parked; rt_qw_resume() lets them go. Not nested.
 */
void rt_qw_pause(struct rt *rt)
{
	unsigned int i;

	for (i = 0; i < rt->nqw; i++)
		while (uworker_post(&rt->qw[i].w, rt_qw_gate, &rt->qw[i]))
			sched_yield();	/* its command queue is full: rare */
	for (i = 0; i < rt->nqw; i++)
		while (sem_wait(&rt->qw[i].entered) && errno == EINTR)
			;
}

/**
 * rt_qw_resume() - release the queue workers rt_qw_pause() parked
 * @rt:		runtime
 */
void rt_qw_resume(struct rt *rt)
{
	unsigned int i;

	for (i = 0; i < rt->nqw; i++)
		sem_post(&rt->qw[i].release);
}

/**
 * rt_nd_vhost_nic() - the vhost-user NIC peered directly with a netdev
 * @rt:		runtime
 * @nd:		the netdev
 *
 * Return: the NIC, or NULL (no NIC, a hub in between, or the NIC is not
 * served over vhost-user)
 */
static struct netconf_nic *rt_nd_vhost_nic(struct rt *rt,
					   const struct netconf_netdev *nd)
{
	size_t i;

	for (i = 0; i < rt->nc->nnics; i++) {
		struct netconf_nic *nic = rt->nc->nics[i];

		if (nic->netdev == nd)
			return rt_nic_is_vhost(rt, nic) ? nic : NULL;
	}
	return NULL;
}

/**
 * rt_qw_spread() - whether a tap netdev should run its queues on queue
 * workers (asked by the tap backend while it opens the netdev)
 * @rt:		runtime
 * @nd:		the netdev (tap or bridge)
 *
 * Return: true when @nd has more than one queue and its peer is a
 * vhost-user NIC, which then runs its pairs on the same workers. The
 * backend records what it did in rt_netdev.spread.
 */
bool rt_qw_spread(struct rt *rt, const struct netconf_netdev *nd)
{
	return nd && !nd->hub && nd->nqueues > 1 && rt_nd_vhost_nic(rt, nd);
}

/**
 * rt_qw_for_nic() - the queue workers of a NIC's pairs, if its netdev
 * is spread
 * @rt:		runtime
 * @nic:	the NIC (vhost-user)
 * @pairs:	queue pairs the device serves
 * @ws:		filled with @pairs workers
 *
 * Return: true when @ws was filled (the netdev's backend spread its
 * queues, and it has exactly @pairs of them), false when the pairs stay
 * on rt->worker
 */
bool rt_qw_for_nic(struct rt *rt, const struct netconf_nic *nic,
		   unsigned int pairs, struct uworker **ws)
{
	const struct rt_netdev *rn = nic->netdev ? nic->netdev->priv : NULL;
	unsigned int q;

	if (!rn || !rn->spread || nic->netdev->nqueues != pairs)
		return false;
	for (q = 0; q < pairs; q++)
		if (rt_qw_get(rt, q, &ws[q]))
			return false;
	return true;
}
