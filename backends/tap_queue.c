// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_queue.c: tap queues on io_uring loops, start/stop, reattach, queries. */

#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backends/tap_int.h"

/* --- queues on loops --------------------------------------------------- */

/* Put the queue's fd in the loop's registered file table when possible. */
static void tap_queue_register(struct tap_queue *q)
{
	int slot = uloop_file_add(q->loop, q->fd);

	if (slot == -ENXIO && uloop_files_register(q->loop, 64) == 0)
		slot = uloop_file_add(q->loop, q->fd);
	q->slot = slot >= 0 ? slot : -1;
}

/**
 * tap_queue_start() - run queue @q on @loop (in @loop's thread)
 * @t:    the tap
 * @q:    queue index
 * @loop: the loop (a worker's, for multiqueue one per worker)
 *
 * Registers the fd, builds the write slots and the buffer ring, starts the
 * multishot read; queue 0 also starts the carrier probe (once a second
 * while up, every 100 ms while down).
 *
 * Return: 0, -EINVAL, -EBUSY when already started, -ENOMEM, -EOPNOTSUPP
 * when the kernel lacks buffer rings or multishot read (Linux 6.7).
 */
int tap_queue_start(struct tap *t, unsigned int q, struct uloop *loop)
{
	struct tap_queue *tq;
	int ret;

	if (!t || q >= t->nqueues || !loop)
		return -EINVAL;
	tq = &t->q[q];
	if (tq->loop)
		return -EBUSY;
	if (!(uloop_features(loop) & ULOOP_F_READ_MULTISHOT))
		return -EOPNOTSUPP;
	tq->loop = loop;
	tap_queue_register(tq);
	ret = tap_tx_setup(tq);
	if (ret)
		goto err_files;
	ret = tap_rx_setup(tq);
	if (ret)
		goto err_tx;
	tq->hook.fn = tap_hook;
	uloop_hook_add(loop, &tq->hook);
	uloop_timer_init(&tq->probe, tap_probe_cb);
	tq->running = true;
	if (atomic_load(&t->link) != TAP_LINK_GONE)
		tap_rx_start(tq);
	if (q == 0)
		uloop_timer_arm_in(loop, &tq->probe, TAP_PROBE_UP_NS, 0);
	return 0;

err_tx:
	tap_tx_teardown(tq);
err_files:
	if (tq->slot >= 0)
		uloop_file_remove(loop, (unsigned int)tq->slot);
	tq->slot = -1;
	tq->loop = NULL;
	return ret;
}

/**
 * tap_queue_busy() - does queue @q still hold loop resources?
 * @t: the tap
 * @q: queue index
 *
 * Return: true from tap_queue_start() until tap_queue_stop() returned 0.
 */
bool tap_queue_busy(const struct tap *t, unsigned int q)
{
	return q < t->nqueues && t->q[q].loop;
}

/**
 * tap_queue_stop() - stop queue @q and, once idle, free its loop resources
 * @t: the tap
 * @q: queue index
 *
 * Call it in the queue's loop thread, outside the loop's callbacks, again
 * after running the loop, until it returns 0: the first call cancels the
 * read and the writes; the last one, when nothing is in flight and every
 * received frame is back from the peer, unregisters and frees.
 *
 * Return: 0 when the queue is stopped and freed, -EINPROGRESS while
 * requests or frames are still out, -EINVAL.
 */
int tap_queue_stop(struct tap *t, unsigned int q)
{
	struct tap_queue *tq;

	if (!t || q >= t->nqueues)
		return -EINVAL;
	tq = &t->q[q];
	if (!tq->loop)
		return 0;
	if (tq->running) {
		tq->running = false;
		uloop_timer_cancel(tq->loop, &tq->probe);
		tap_rx_stop(tq);
		tap_tx_cancel(tq);
	}
	if (ubufring_rx_busy(&tq->rx) || tap_tx_busy(tq) || tq->rx_out)
		return -EINPROGRESS;
	uloop_hook_del(tq->loop, &tq->hook);
	tap_rx_teardown(tq);
	tap_tx_teardown(tq);
	if (tq->slot >= 0)
		uloop_file_remove(tq->loop, (unsigned int)tq->slot);
	tq->slot = -1;
	tq->loop = NULL;
	return 0;
}

/**
 * tap_open() - tap_create() and every queue started on @loop
 * @out:  the new tap
 * @cfg:  the options
 * @loop: the loop, owned by the calling thread
 * @name: the netdev id
 * @err:  filled on failure (may be NULL)
 *
 * Return: 0 or -errno as tap_create() and tap_queue_start().
 */
int tap_open(struct tap **out, const struct tap_config *cfg,
	     struct uloop *loop, const char *name, struct tap_err *err)
{
	struct tap *t;
	unsigned int q;
	int ret;

	ret = tap_create(&t, cfg, name, err);
	if (ret)
		return ret;
	for (q = 0; q < t->nqueues; q++) {
		ret = tap_queue_start(t, q, loop);
		if (ret) {
			if (err) {
				err->step = TAP_STEP_MEMORY;
				err->status = 0;
				snprintf(err->what, sizeof(err->what), "%s",
					 t->ifname);
			}
			tap_close(t);
			return ret;
		}
	}
	*out = t;
	return 0;
}

/**
 * tap_close() - stop every queue, wait for the kernel, destroy
 * @t: a tap whose queues all run on the calling thread's loop
 *
 * Runs the loop (at most 5 s) until the queues are idle; not from inside
 * one of the loop's callbacks. Disconnect the peer first if it may keep
 * received frames: a tap whose frames are never given back is leaked
 * rather than freed under the peer.
 */
void tap_close(struct tap *t)
{
	struct uloop *loop = NULL;
	unsigned int q, rounds;
	bool busy = true;

	if (!t)
		return;
	for (rounds = 0; busy && rounds < 5000; rounds++) {
		busy = false;
		for (q = 0; q < t->nqueues; q++) {
			if (t->q[q].loop)
				loop = t->q[q].loop;
			if (tap_queue_stop(t, q))
				busy = true;
		}
		if (busy && loop)
			uloop_run_once(loop, 1000000);
	}
	if (busy)
		return;
	tap_destroy(t);
}

/* --- queries and control ----------------------------------------------- */

/**
 * tap_port() - the netdev's port
 * @t: the tap
 *
 * Return: the port (nqueues = tap_queues()).
 */
struct port *tap_port(struct tap *t)
{
	return &t->port;
}

/**
 * tap_ifname() - the interface's name
 * @t: the tap
 *
 * Return: the name ("qtap0").
 */
const char *tap_ifname(const struct tap *t)
{
	return t->ifname;
}

/**
 * tap_queues() - queue pairs
 * @t: the tap
 *
 * Return: the count.
 */
unsigned int tap_queues(const struct tap *t)
{
	return t->nqueues;
}

/**
 * tap_has_vnet_hdr() - does every frame carry a virtio-net header?
 * @t: the tap
 *
 * Return: true with IFF_VNET_HDR.
 */
bool tap_has_vnet_hdr(const struct tap *t)
{
	return t->vnet;
}

/**
 * tap_vhost_ignored() - was vhost asked for (and is not used)?
 * @t: the tap
 *
 * Return: true when ctl should print the vhost warning.
 */
bool tap_vhost_ignored(const struct tap *t)
{
	return t->vhost;
}

/**
 * tap_created() - did qnet create the interface (not fd=, fds=, helper)?
 * @t: the tap
 *
 * Return: true when closing the tap removes the interface.
 */
bool tap_created(const struct tap *t)
{
	return t->created;
}

/**
 * tap_fd() - the fd of a queue (for ctl: rtnl look-ups, tests)
 * @t: the tap
 * @q: queue index
 *
 * Return: the fd, or -1.
 */
int tap_fd(const struct tap *t, unsigned int q)
{
	return q < t->nqueues ? t->q[q].fd : -1;
}

/**
 * tap_link_state() - the carrier as the probe last saw it
 * @t: the tap
 *
 * Return: TAP_LINK_UP, TAP_LINK_DOWN or TAP_LINK_GONE.
 */
enum tap_link tap_link_state(const struct tap *t)
{
	return (enum tap_link)atomic_load(&t->link);
}

/**
 * tap_get_stats() - sum the queues' counters
 * @t: the tap
 * @s: filled
 *
 * Plain reads of counters other threads write: exact when the workers are
 * quiet, approximate (never torn on x86-64) while they run.
 */
void tap_get_stats(const struct tap *t, struct tap_stats *s)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)s;
	unsigned int q, i, n = sizeof(*s) / sizeof(uint64_t);

	memset(s, 0, sizeof(*s));
	for (q = 0; q < t->nqueues; q++) {
		src = (const uint64_t *)&t->q[q].stats;
		for (i = 0; i < n; i++)
			dst[i] += src[i];
		s->rx_enobufs += t->q[q].rx.stats.enobufs;
	}
}

/**
 * tap_set_offload() - TUNSETOFFLOAD on every queue (any thread)
 * @t:     the tap
 * @tun_f: TUN_F_* the peer can take (checksum, TSO4/6, ECN, UFO)
 *
 * Return: 0, -EINVAL without IFF_VNET_HDR (offloads need the header), or
 * -errno from the kernel.
 */
int tap_set_offload(struct tap *t, unsigned int tun_f)
{
	unsigned int q;

	if (!t->vnet && tun_f)
		return -EINVAL;
	for (q = 0; q < t->nqueues; q++)
		if (ioctl(t->q[q].fd, TUNSETOFFLOAD, (unsigned long)tun_f) < 0)
			return -errno;
	t->offload = tun_f;
	return 0;
}

/**
 * tap_reattach() - take a fresh fd for queue @q (QEMU's getfd + fd=)
 * @t:  the tap
 * @q:  queue index
 * @fd: an open tap fd (taken over on success)
 *
 * In the queue's loop thread. The new fd must have the same IFF_VNET_HDR
 * setting. The old fd is closed, the read restarted, the carrier probed
 * (the port's link comes back up when the tap is up). No privilege is
 * used: qnet never reopens /dev/net/tun itself here (HARDENING T-74).
 *
 * Return: 0; -EBUSY while the old read is still being cancelled (run the
 * loop and retry); -EINVAL for an fd that is not a tap or whose header
 * setting differs; -errno.
 */
int tap_reattach(struct tap *t, unsigned int q, int fd)
{
	struct tap_queue *tq;
	char name[IFNAMSIZ];
	bool vnet;
	int ret;

	if (!t || q >= t->nqueues || !t->q[q].loop)
		return -EINVAL;
	tq = &t->q[q];
	ret = tap_dev_probe_vnet(fd, &vnet, name);
	if (ret)
		return ret;
	if (vnet != t->vnet)
		return -EINVAL;
	if (tq->rx_on) {
		tq->rx_on = false;
		ubufring_rx_stop(&tq->rx);
	}
	if (ubufring_rx_busy(&tq->rx))
		return -EBUSY;
	ret = tap_dev_setup(fd, vnet, t->sndbuf);
	if (!ret && t->offload)
		ret = ioctl(fd, TUNSETOFFLOAD, (unsigned long)t->offload) < 0 ?
		      -errno : 0;
	if (ret)
		return ret;
	if (tq->slot >= 0 && uloop_file_set(tq->loop, (unsigned int)tq->slot,
					    fd) < 0)
		return -EIO;
	close(tq->fd);
	tq->fd = fd;
	tq->stats.reattached++;
	if (q == 0) {
		memcpy(t->ifname, name, IFNAMSIZ);
		tap_probe_now(tq);
	}
	if (!tq->rx_on)
		tap_rx_start(tq);
	return 0;
}
