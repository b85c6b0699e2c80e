// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c: the tap netdev's life cycle: create/adopt, queues on loops, carrier, reattach. */

#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/tap_int.h"

static const char *const tap_step_names[] = {
	[TAP_STEP_CONFIG]	= "config",
	[TAP_STEP_OPEN]		= "open",
	[TAP_STEP_FD]		= "fd",
	[TAP_STEP_VNET_HDR]	= "vnet_hdr",
	[TAP_STEP_SNDBUF]	= "sndbuf",
	[TAP_STEP_SCRIPT]	= "script",
	[TAP_STEP_HELPER]	= "helper",
	[TAP_STEP_MEMORY]	= "memory",
};

static const char *const tap_link_names[] = {
	[TAP_LINK_UP]	= "up",
	[TAP_LINK_DOWN]	= "down",
	[TAP_LINK_GONE]	= "gone",
};

_Static_assert(sizeof(tap_step_names) / sizeof(tap_step_names[0]) ==
		       TAP_STEP_COUNT, "every step has a name");
_Static_assert(sizeof(tap_link_names) / sizeof(tap_link_names[0]) ==
		       TAP_LINK_COUNT, "every link state has a name");

/* --- port ops ---------------------------------------------------------- */

static unsigned int tap_port_receive(struct port *p, unsigned int queue,
				     struct frame **f, unsigned int n)
{
	struct tap *t = p->priv;

	return tap_tx_receive(&t->q[queue], f, n);
}

static void tap_port_resume(struct port *p, unsigned int queue)
{
	struct tap *t = p->priv;

	tap_rx_resume(&t->q[queue]);
}

/*
 * Borrowed frames (a virtio-net guest's TX buffers) are written in place
 * on the queue's own loop. With sndbuf unlimited (INT_MAX, the default)
 * a write to the O_NONBLOCK tap never waits for room, so io_uring
 * performs it inside io_uring_submit() and uloop_flush() ends every read
 * of the guest's memory; a limited sndbuf could leave a write parked on a
 * poll, so such a tap takes copies only.
 */
static bool tap_port_borrow_ok(struct port *p, unsigned int queue,
			       const void *loop)
{
	struct tap *t = p->priv;

	return queue < t->nqueues && t->sndbuf <= 0 && t->q[queue].running &&
	       (const void *)t->q[queue].loop == loop;
}

static int tap_port_read_direct(struct port *p, unsigned int queue,
				const void *loop, bool on, struct port_rd *rd)
{
	struct tap *t = p->priv;

	if (queue >= t->nqueues)
		return -EINVAL;
	return tap_rx_direct(&t->q[queue], loop, on, rd);
}

static void tap_port_read_done(struct port *p, unsigned int queue, int res)
{
	struct tap *t = p->priv;

	if (queue < t->nqueues)
		tap_rx_direct_done(&t->q[queue], res);
}

static void tap_port_peer_lost(struct port *p)
{
	struct tap *t = p->priv;
	unsigned int q;

	for (q = 0; q < t->nqueues; q++)
		tap_rx_direct_lost(&t->q[q]);
}

static const struct port_ops tap_port_ops = {
	.receive = tap_port_receive,
	.resume = tap_port_resume,
	.borrow_ok = tap_port_borrow_ok,
	.read_direct = tap_port_read_direct,
	.read_done = tap_port_read_done,
	.peer_lost = tap_port_peer_lost,
};

/* --- carrier ----------------------------------------------------------- */

/**
 * tap_io_fd() - what to put in an SQE's fd field for this queue
 * @q: the queue
 *
 * Return: the registered slot, or the plain fd.
 */
int tap_io_fd(const struct tap_queue *q)
{
	return q->slot >= 0 ? q->slot : q->fd;
}

/**
 * tap_io_flags() - ULOOP_IO_* flags matching tap_io_fd()
 * @q: the queue
 *
 * Return: ULOOP_IO_FIXED_FILE for a registered fd, else 0.
 */
unsigned int tap_io_flags(const struct tap_queue *q)
{
	return q->slot >= 0 ? ULOOP_IO_FIXED_FILE : 0;
}

/* Make the port's link follow the carrier (queue 0's loop only). */
static void tap_carrier_apply(struct tap *t, int state)
{
	int old = atomic_load(&t->link);

	if (state == old)
		return;
	atomic_store(&t->link, state);
	if (state != TAP_LINK_UP) {
		t->q[0].stats.carrier_lost++;
		if (t->port.link_up) {
			t->forced_down = true;
			port_set_link(&t->port, false);
		}
	} else if (t->forced_down) {
		t->forced_down = false;
		port_set_link(&t->port, true);
	}
}

/**
 * tap_probe_now() - probe the carrier now and set the timer's next period
 * @q: queue 0 (in its loop's thread)
 */
void tap_probe_now(struct tap_queue *q)
{
	struct tap *t = q->t;
	int state = tap_dev_carrier(q->fd, t->sock, t->ifname);

	atomic_store(&t->hint, false);
	tap_carrier_apply(t, state);
	if (state == TAP_LINK_GONE) {
		/* nothing comes back on this fd: wait for tap_reattach() */
		uloop_timer_cancel(q->loop, &q->probe);
		return;
	}
	if (state == TAP_LINK_UP && q->running && !q->rx_on &&
	    !ubufring_rx_busy(&q->rx))
		tap_rx_start(q);
	uloop_timer_arm_in(q->loop, &q->probe,
			   state == TAP_LINK_UP ? TAP_PROBE_UP_NS :
						  TAP_PROBE_DOWN_NS, 0);
}

/**
 * tap_probe_cb() - the probe timer of a queue
 * @loop: the loop
 * @tm:   &q->probe
 */
void tap_probe_cb(struct uloop *loop, struct uloop_timer *tm)
{
	struct tap_queue *q = TAP_CONTAINER_OF(tm, struct tap_queue, probe);

	if (!q->running)
		return;
	if (q->idx == 0) {
		tap_probe_now(q);
		return;
	}
	/* other queues: restart a read that ended, once the tap is up */
	if (atomic_load(&q->t->link) == TAP_LINK_UP && !q->rx_on &&
	    !ubufring_rx_busy(&q->rx))
		tap_rx_start(q);
	else if (!q->rx_on)
		uloop_timer_arm_in(loop, tm, TAP_PROBE_DOWN_NS, 0);
}

/**
 * tap_carrier_event() - a read or write failed: find out what happened
 * @q:   the queue that saw it (in its loop's thread)
 * @err: the -errno
 *
 * Queue 0 probes at once and drives the port's link; another queue asks
 * queue 0 (through @hint, seen at its next probe) and re-tries its own read
 * later. Never a retry loop: every retry waits for a timer.
 */
void tap_carrier_event(struct tap_queue *q, int err)
{
	if (q->idx == 0) {
		tap_probe_now(q);
		return;
	}
	atomic_store(&q->t->hint, true);
	if (!q->rx_on && !uloop_timer_armed(&q->probe))
		uloop_timer_arm_in(q->loop, &q->probe, TAP_PROBE_DOWN_NS, 0);
}

/**
 * tap_hook() - the loop's per-iteration hook: deliver received frames,
 * wake the sender, act on a carrier hint
 * @loop: the loop
 * @h:    &q->hook
 */
void tap_hook(struct uloop *loop, struct uloop_hook *h)
{
	struct tap_queue *q = TAP_CONTAINER_OF(h, struct tap_queue, hook);

	if (q->direct_restart)
		tap_rx_direct_restart(q);
	if (q->rx_count && !q->rx_held)
		tap_rx_flush(q);
	if (q->wake_due)
		tap_tx_wake(q);
	if (q->idx != 0 || !atomic_load(&q->t->hint))
		return;
	tap_probe_now(q);
}

/* --- create and destroy ------------------------------------------------ */

/* Record the failed step for ctl's message; return @ret. */
static int tap_fail(struct tap_err *err, enum tap_step step, int status,
		    const char *what, int ret)
{
	if (err) {
		err->step = step;
		err->status = status;
		snprintf(err->what, sizeof(err->what), "%s", what ? what : "");
	}
	return ret;
}

/* A script option: NULL means the default, "" and "no" mean none. */
static const char *tap_script_path(const char *opt, const char *def)
{
	if (!opt)
		return def;
	if (!*opt || !strcmp(opt, "no"))
		return NULL;
	return opt;
}

/* Adopt @n fds handed over by fd=/fds= or the helper. */
static int tap_adopt(struct tap *t, const int *fds, unsigned int n,
		     const struct tap_config *cfg, struct tap_err *err)
{
	char name[IFNAMSIZ];
	unsigned int i;
	bool vnet = false;
	int ret;

	for (i = 0; i < n; i++)
		t->q[i].fd = fds[i];
	for (i = 0; i < n; i++) {
		ret = tap_dev_probe_vnet(fds[i], &vnet, name);
		if (ret)
			return tap_fail(err, TAP_STEP_FD, 0, NULL, ret);
		if (i == 0) {
			t->vnet = vnet;
			memcpy(t->ifname, name, IFNAMSIZ);
		} else if (vnet != t->vnet) {
			return tap_fail(err, TAP_STEP_FD, 0, name, -EINVAL);
		}
	}
	if (cfg->vnet_hdr == TAP_VNET_ON && !t->vnet)
		return tap_fail(err, TAP_STEP_VNET_HDR, 0, t->ifname, -EINVAL);
	return 0;
}

/* Open @n queue fds on one new (or existing) interface. */
static int tap_open_fds(struct tap *t, const struct tap_config *cfg,
			unsigned int n, struct tap_err *err)
{
	bool vnet = cfg->vnet_hdr != TAP_VNET_OFF;
	const char *name = cfg->ifname;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = tap_dev_open(i ? t->ifname : name, n > 1, vnet,
				   t->ifname, &t->q[i].fd);
		if (ret == -EINVAL && i == 0 && vnet &&
		    cfg->vnet_hdr == TAP_VNET_AUTO) {
			vnet = false;
			ret = tap_dev_open(name, n > 1, false, t->ifname,
					   &t->q[i].fd);
		}
		if (ret)
			return tap_fail(err, ret == -EINVAL && vnet ?
					TAP_STEP_VNET_HDR : TAP_STEP_OPEN, 0,
					name ? name : "", ret);
	}
	t->vnet = vnet;
	t->created = true;
	return 0;
}

/* Get the fds: adopt, ask the helper, or open. */
static int tap_get_fds(struct tap *t, const struct tap_config *cfg,
		       struct tap_err *err)
{
	int fd = -1, status, ret;

	if (cfg->nfds)
		return tap_adopt(t, cfg->fds, cfg->nfds, cfg, err);
	if (cfg->helper) {
		ret = tap_run_helper(cfg->helper, cfg->br ? cfg->br :
				     TAP_DEFAULT_BRIDGE, &fd, &status);
		if (ret)
			return tap_fail(err, TAP_STEP_HELPER, status,
					cfg->helper, ret);
		ret = tap_adopt(t, &fd, 1, cfg, err);
		if (ret)
			t->q[0].fd = fd;	/* closed by tap_destroy() */
		return ret;
	}
	return tap_open_fds(t, cfg, t->nqueues, err);
}

/* Check the option combinations QEMU refuses, and fill sizes. */
static int tap_check_config(struct tap *t, const struct tap_config *cfg,
			    struct tap_err *err)
{
	unsigned int nq = cfg->queues ? cfg->queues : 1;

	if (cfg->nfds) {
		if (!cfg->fds || cfg->nfds > TAP_MAX_QUEUES ||
		    (cfg->queues && cfg->queues != cfg->nfds) || cfg->helper)
			return tap_fail(err, TAP_STEP_CONFIG, 0, "fds", -EINVAL);
		nq = cfg->nfds;
	}
	if (nq > TAP_MAX_QUEUES || (cfg->helper && nq != 1) ||
	    (unsigned int)cfg->vnet_hdr >= TAP_VNET_COUNT)
		return tap_fail(err, TAP_STEP_CONFIG, 0, "queues", -EINVAL);
	t->nqueues = nq;
	t->rx_bufs = cfg->rx_bufs ? cfg->rx_bufs : TAP_RX_BUFS_DEF;
	t->tx_slots = cfg->tx_slots ? cfg->tx_slots : TAP_TX_SLOTS_DEF;
	if (t->rx_bufs & (t->rx_bufs - 1) || t->rx_bufs > UBUFRING_MAX_BUFS ||
	    t->tx_slots > TAP_TX_SLOTS_MAX)
		return tap_fail(err, TAP_STEP_CONFIG, 0, "rx_bufs", -EINVAL);
	return 0;
}

/* Header size, send buffer and offloads on every fd, then the script. */
static int tap_setup_fds(struct tap *t, const struct tap_config *cfg,
			 struct tap_err *err)
{
	const char *up = tap_script_path(cfg->script, TAP_DEFAULT_SCRIPT);
	const char *down = tap_script_path(cfg->downscript,
					   TAP_DEFAULT_DOWNSCRIPT);
	unsigned int i;
	int status, ret;

	t->hdr_len = t->vnet ? TAP_VNET_HDR_LEN : 0;
	t->sndbuf = cfg->sndbuf;
	for (i = 0; i < t->nqueues; i++) {
		ret = tap_dev_setup(t->q[i].fd, t->vnet, cfg->sndbuf);
		if (ret)
			return tap_fail(err, TAP_STEP_SNDBUF, 0, t->ifname, ret);
	}
	if (cfg->offload) {
		ret = tap_set_offload(t, cfg->offload);
		if (ret)
			return tap_fail(err, TAP_STEP_VNET_HDR, 0, t->ifname,
					ret);
	}
	/* QEMU runs scripts only for a tap it opened itself (not fd=, helper) */
	if (!t->created)
		return 0;
	if (down)
		snprintf(t->downscript, sizeof(t->downscript), "%s", down);
	if (up) {
		ret = tap_run_script(up, t->ifname, &status);
		if (ret)
			return tap_fail(err, TAP_STEP_SCRIPT, status, up, ret);
	}
	return 0;
}

/**
 * tap_create() - open or adopt a tap as -netdev tap asked (control thread)
 * @out:  the new tap
 * @cfg:  the options
 * @name: the netdev id (the port's name)
 * @err:  filled on failure (may be NULL)
 *
 * Return: 0; -EPERM/-EACCES without CAP_NET_ADMIN (opening the tap),
 * -ECHILD when the script or helper failed, -EINVAL for contradicting
 * options or an fd that is not a tap, -ENOMEM, or another -errno.
 */
int tap_create(struct tap **out, const struct tap_config *cfg,
	       const char *name, struct tap_err *err)
{
	struct tap *t = calloc(1, sizeof(*t));
	unsigned int i;
	int ret;

	if (!t)
		return tap_fail(err, TAP_STEP_MEMORY, 0, NULL, -ENOMEM);
	for (i = 0; i < TAP_MAX_QUEUES; i++) {
		t->q[i].t = t;
		t->q[i].idx = i;
		t->q[i].fd = -1;
		t->q[i].slot = -1;
	}
	t->sock = -1;
	t->vhost = cfg->vhost;
	atomic_init(&t->link, TAP_LINK_UP);
	atomic_init(&t->hint, false);
	ret = tap_check_config(t, cfg, err);
	if (!ret)
		ret = port_init(&t->port, &tap_port_ops, PORT_NETDEV, name,
				t->nqueues, t);
	if (!ret)
		ret = tap_get_fds(t, cfg, err);
	if (!ret)
		ret = tap_setup_fds(t, cfg, err);
	if (ret) {
		t->downscript[0] = '\0';
		tap_destroy(t);
		return ret;
	}
	t->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	*out = t;
	return 0;
}

/**
 * tap_destroy() - run the downscript, close the fds, free (control thread)
 * @t: a tap whose queues are all stopped and idle (or never started)
 *
 * A tap qnet created goes away with its last fd, and leaves its bridge.
 */
void tap_destroy(struct tap *t)
{
	unsigned int i;
	int status;

	if (!t)
		return;
	port_disconnect(&t->port);
	if (t->downscript[0] && t->q[0].fd >= 0)
		tap_run_script(t->downscript, t->ifname, &status);
	for (i = 0; i < TAP_MAX_QUEUES; i++)
		if (t->q[i].fd >= 0)
			close(t->q[i].fd);
	if (t->sock >= 0)
		close(t->sock);
	free(t);
}

/**
 * tap_link_name() - "up", "down" or "gone"
 * @l: a link state
 *
 * Return: the name, or NULL out of range.
 */
const char *tap_link_name(enum tap_link l)
{
	return (unsigned int)l < TAP_LINK_COUNT ? tap_link_names[l] : NULL;
}

/**
 * tap_step_name() - stable name of a setup step
 * @s: the step
 *
 * Return: the name, or NULL out of range.
 */
const char *tap_step_name(enum tap_step s)
{
	return (unsigned int)s < TAP_STEP_COUNT ? tap_step_names[s] : NULL;
}
