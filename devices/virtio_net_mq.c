// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net_mq.c: virtio-net queue pairs on workers: hooks, kicks handed over, quiesce. */
#include <errno.h>
#include <stdio.h>
#include <sched.h>

#include "devices/virtio_net_int.h"

/**
 * vn_hook() - per-iteration work of a queue pair, in its own thread:
 * kicks handed over by the control thread, TX passes that are due
 * @loop:	the pair's loop
 * @h:		&q->hook
 */
static void vn_hook(struct uloop *loop, struct uloop_hook *h)
{
	struct vn_queue *q = (struct vn_queue *)((uint8_t *)h -
						 offsetof(struct vn_queue, hook));

	vn_zc_flush(q);
	if (atomic_exchange(&q->kick_rx, false))
		vn_rx_wake(q);
	vn_rxd_run(q);
	if (atomic_exchange(&q->kick_tx, false))
		q->tx_pending = true;
	if (!q->tx_pending)
		return;
	vn_tx_run(q);
	if (q->tx_pending)	/* more to do: do not sleep */
		uloop_wake(loop);
}

/**
 * vn_watch_cb() - the kick watchdog of a pair, in its own thread
 * @loop:	the pair's loop
 * @t:		&q->watch
 *
 * A guest was seen to stop kicking with TX chains posted past the avail
 * event it had been given (a real Linux guest under a UDP flood, about
 * one run in two; the ring state showed no kick pending and nothing in
 * flight). The cause is on the guest's side: QEMU before 8.1 running a
 * guest under TCG with one possible vCPU drops the guest's memory
 * barriers (no CF_PARALLEL; fixed upstream by "tcg: Do not elide memory
 * barriers for !CF_PARALLEL in system mode"), so the driver's store of
 * the avail index and its load of avail_event may pass each other and
 * both sides go to sleep (docs/vhost-user.md). The chains must not wait
 * for ever: when the avail index stood still ahead of what was consumed
 * for a whole period while the device was not held by its peer or out of
 * frames, run TX as a kick would, count it, and say so once per device.
 * Guests with buffers they wanted received get the same treatment
 * (vn_rx_wake()). Costs a timer per pair per period, no system call when
 * idle.
 */
static void vn_watch_cb(struct uloop *loop, struct uloop_timer *t)
{
	struct vn_queue *q = (struct vn_queue *)((uint8_t *)t -
						 offsetof(struct vn_queue, watch));
	struct virtq *vq;
	uint16_t idx;

	if (!q->vn->vu.vq)
		return;
	vn_rx_wake(q);
	vn_rxd_watch(q);
	vq = &q->vn->vu.vq[2 * q->idx + 1];
	if (!virtq_ready(vq) || vq->packed || q->in_tx || q->held.n ||
	    q->tx_starved)
		return;
	idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (idx != vq->last_avail && idx == q->watch_avail &&
	    port_link_ok(&q->vn->port)) {
		q->stats.tx_kick_missed++;
		if (!atomic_exchange(&q->vn->kick_said, true))
			fprintf(stderr, "qnet: %s: TX queue %u was not kicked "
				"for chains the guest posted; resumed by the "
				"watchdog (QEMU < 8.1 with TCG and one possible "
				"vCPU drops the guest's barriers: use -smp "
				"1,maxcpus=2)\n", q->vn->port.name, q->idx);
		vn_tx_run(q);
	}
	q->watch_avail = idx;
}

/* Start (@on) or stop a pair's watchdog in its own thread. */
static void vn_watch_set(struct vn_queue *q, bool on)
{
	if (on) {
		uloop_timer_init(&q->watch, vn_watch_cb);
		uloop_timer_arm_in(q->loop, &q->watch, VN_WATCH_NS,
				   VN_WATCH_NS);
	} else {
		uloop_timer_cancel(q->loop, &q->watch);
	}
}

/**
 * vn_hook_add_cb() - add a pair's hook in its worker's thread
 * @loop:	the worker's loop
 * @arg:	the pair
 *
 * Return: 0.
 */
static int vn_hook_add_cb(struct uloop *loop, void *arg)
{
	struct vn_queue *q = arg;

	uloop_hook_add(loop, &q->hook);
	uloop_park_hook_add(loop, &q->park);
	vn_watch_set(q, true);
	return 0;
}

/**
 * vn_hook_del_cb() - remove a pair's hook in its worker's thread
 * @loop:	the worker's loop
 * @arg:	the pair
 *
 * Return: 0.
 */
static int vn_hook_del_cb(struct uloop *loop, void *arg)
{
	struct vn_queue *q = arg;

	uloop_hook_del(loop, &q->hook);
	uloop_park_hook_del(loop, &q->park);
	vn_watch_set(q, false);
	return 0;
}

/**
 * vn_park() - a worker parks (a gate of the device's or of the runtime's):
 * the pair's direct reads are cancelled on its own thread, so the thread
 * that changes peers, filters or rings meanwhile finds none that can still
 * write guest memory or keep the tap (virtio_net_rxd.c)
 * @loop:	the worker's loop
 * @h:		&q->park
 */
static void vn_park(struct uloop *loop, struct uloop_hook *h)
{
	(void)loop;
	vn_rxd_cancel((struct vn_queue *)((uint8_t *)h -
					  offsetof(struct vn_queue, park)));
}

/**
 * vn_settle_all() - end every pair's borrows (vn_zc_settle()), their
 * threads parked or this one
 * @vn:	the device
 */
static void vn_settle_all(struct virtio_net *vn)
{
	unsigned int i;

	for (i = 0; i < vn->p.queues; i++) {
		vn_zc_settle(&vn->q[i]);
		vn_rxd_settle(&vn->q[i]);
		vn->q[i].rxd.unfit = false;	/* rings may be new */
	}
}

/* Cancel the direct reads of the pairs on the device's own loop (pairs
 * on workers cancel theirs in their park hook, vn_park()). */
static void vn_rxd_cancel_all(struct virtio_net *vn)
{
	unsigned int i;

	for (i = 0; i < vn->p.queues; i++)
		if (!vn->q[i].w)
			vn_rxd_cancel(&vn->q[i]);
}

/**
 * vn_pause_cb() - a worker parks here while the control thread changes
 * rings, memory or link (vn_quiesce())
 * @loop:	the worker's loop
 * @arg:	its gate
 */
static void vn_pause_cb(struct uloop *loop, void *arg)
{
	struct vn_gate *g = arg;

	/* Direct reads are cancelled (park hooks), and writes of borrowed
	 * frames finish, inside the submit (vn_rxd_settle, vn_zc_settle) */
	uloop_park(loop);
	sem_post(&g->entered);
	while (sem_wait(&g->release) && errno == EINTR)
		;
}

/**
 * vn_quiesce() - stop (or restart) every worker the pairs run on
 * @dev:	the device
 * @stop:	true to stop
 *
 * Nested calls count; only the outermost pair pauses and releases. Each
 * loop submits its queued SQEs before it parks (direct reads cancelled
 * first), then every pair's borrowed TX chains and direct-RX buffers are
 * settled (virtio_net_zc.c, virtio_net_rxd.c); with no workers that is
 * all.
 */
void vn_quiesce(void *dev, bool stop)
{
	struct virtio_net *vn = dev;
	unsigned int i;

	if (!vn->ngates) {
		if (stop) {	/* everything runs on this thread */
			vn_rxd_cancel_all(vn);
			uloop_flush_all(vn->loop);
			vn_settle_all(vn);
		}
		return;
	}
	if (!stop) {
		if (--vn->quiesced)
			return;
		for (i = 0; i < vn->ngates; i++)
			sem_post(&vn->gates[i].release);
		return;
	}
	if (vn->quiesced++)
		return;
	for (i = 0; i < vn->ngates; i++)
		while (uworker_post(vn->gates[i].w, vn_pause_cb, &vn->gates[i]))
			sched_yield();	/* its command queue is full: rare */
	for (i = 0; i < vn->ngates; i++)
		while (sem_wait(&vn->gates[i].entered) && errno == EINTR)
			;
	vn_rxd_cancel_all(vn);
	uloop_flush_all(vn->loop);	/* pairs left on the control loop */
	vn_settle_all(vn);
}

/**
 * vn_threads_init() - bind each pair to its worker (or the device's loop),
 * add its hook there, and set up one gate per distinct worker
 * @vn:		the device
 * @workers:	@p.queues workers, or NULL (all pairs on the device's loop)
 */
void vn_threads_init(struct virtio_net *vn, struct uworker *const *workers)
{
	unsigned int i, g;

	for (i = 0; i < vn->p.queues; i++) {
		struct vn_queue *q = &vn->q[i];

		q->w = workers ? workers[i] : NULL;
		q->loop = q->w ? uworker_loop(q->w) : vn->loop;
		q->hook.fn = vn_hook;
		q->park.fn = vn_park;
		if (!q->w) {
			uloop_hook_add(vn->loop, &q->hook);
			vn_watch_set(q, true);
			continue;
		}
		uworker_call(q->w, vn_hook_add_cb, q);
		for (g = 0; g < vn->ngates && vn->gates[g].w != q->w; g++)
			;
		if (g < vn->ngates)
			continue;
		vn->gates[g].w = q->w;
		sem_init(&vn->gates[g].entered, 0, 0);
		sem_init(&vn->gates[g].release, 0, 0);
		vn->ngates++;
	}
}

/**
 * vn_threads_fini() - remove the pairs' hooks, drop the gates
 * @vn:	the device
 */
void vn_threads_fini(struct virtio_net *vn)
{
	unsigned int i;

	for (i = 0; i < vn->p.queues; i++) {
		struct vn_queue *q = &vn->q[i];

		if (!q->hook.fn)
			continue;
		if (q->w) {
			uworker_call(q->w, vn_hook_del_cb, q);
		} else {
			uloop_hook_del(vn->loop, &q->hook);
			vn_watch_set(q, false);
		}
		q->hook.fn = NULL;
	}
	for (i = 0; i < vn->ngates; i++) {
		sem_destroy(&vn->gates[i].entered);
		sem_destroy(&vn->gates[i].release);
	}
	vn->ngates = 0;
}
