// SPDX-License-Identifier: GPL-2.0-or-later
/* afxdp.c: -netdev af-xdp setup and teardown: program, UMEMs, sockets, XSK map. */

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_xdp.h>

#include "backends/afxdp_int.h"
#include "datapath/frame_hot.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/**
 * DOC: af-xdp netdev
 *
 * QEMU's -netdev af-xdp, one AF_XDP socket per queue (queues=, from
 * start-queue=), each with its own UMEM, through libxdp's xsk API. Unless
 * inhibit=on, qnet attaches its own XDP program (datapath/bpf/
 * xdp_steer.bpf.c) instead of libxdp's default one: it steers only the
 * guest's frames (its MAC, broadcast and multicast; or everything, which
 * is also what happens when the guest MAC is not known) to the sockets and
 * leaves the rest to the host stack, and it carries the kernel side of
 * filter-dump. With inhibit=on qnet loads nothing: sock-fds= gives it
 * sockets a privileged manager made (and mapped), map-path= a pinned XSK
 * map where qnet puts its own sockets at map-start-index + queue.
 *
 * The driver decides copy or zero-copy unless force-copy=on (veth: copy).
 * Binding a queue that was released a moment ago fails with EBUSY for a
 * while: binding is retried for up to AFXDP_BIND_TRIES x AFXDP_BIND_WAIT.
 * Errors on a socket (interface removed) and a program removed from the
 * interface from outside (checked every second) take the link down and
 * are kept in afxdp_info().error.
 */

#define AFXDP_BIND_TRIES 40
#define AFXDP_BIND_WAIT_NS 50000000L

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int afxdp_check_config(const struct afxdp_config *cfg)
{
	unsigned int nq = cfg->queues ? cfg->queues : 1;

	if (!cfg->ifname || !*cfg->ifname || strlen(cfg->ifname) >= IF_NAMESIZE ||
	    cfg->mode >= AFXDP_MODE_COUNT || nq > PORT_MAX_QUEUES ||
	    (cfg->frames && (!pow2(cfg->frames) || cfg->frames < 64 ||
			     cfg->frames > (1u << 20))) ||
	    (cfg->ring_size && (!pow2(cfg->ring_size) || cfg->ring_size < 64)))
		return -EINVAL;
	/* QEMU's rules: the manager's fds and map only with inhibit=on */
	if (!cfg->inhibit && (cfg->sock_fds || cfg->map_path))
		return -EINVAL;
	if (cfg->inhibit && !cfg->sock_fds && !cfg->map_path)
		return -EINVAL;
	if (cfg->sock_fds && cfg->n_sock_fds != nq)
		return -EINVAL;
	if (cfg->map_start_index && !cfg->map_path)
		return -EINVAL;
	return 0;
}

/**
 * afxdp_umem_free() - free a UMEM and its frames
 * @u:		the UMEM (no frame of it may be out)
 */
void afxdp_umem_free(struct afxdp_umem *u)
{
	if (u->area)
		munmap(u->area, u->size);
	free(u->frames);
	free(u);
}

/* Allocate the UMEM and the queue's chunk lists; all RX chunks to fill. */
static int afxdp_q_alloc(struct afxdp_q *q, uint32_t frames)
{
	struct afxdp_umem *u;
	uint32_t i, nrx = frames / 2;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	q->u = u;
	u->owner.release = afxdp_umem_release;
	u->q = q;
	u->nrx = nrx;
	u->size = (size_t)frames * AFXDP_FRAME_SIZE;
	u->area = mmap(NULL, u->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (u->area == MAP_FAILED) {
		u->area = NULL;
		return -ENOMEM;
	}
	u->frames = calloc(nrx, sizeof(*u->frames));
	q->ntx = frames - nrx;
	q->fill_stack = calloc(nrx, sizeof(*q->fill_stack));
	q->tx_free = calloc(q->ntx, sizeof(*q->tx_free));
	if (!u->frames || !q->fill_stack || !q->tx_free)
		return -ENOMEM;
	for (i = 0; i < nrx; i++)
		q->fill_stack[q->n_fill++] = (uint64_t)(nrx - 1 - i) * AFXDP_FRAME_SIZE;
	for (i = 0; i < q->ntx; i++)
		q->tx_free[q->n_tx_free++] =
			(uint64_t)(frames - 1 - i) * AFXDP_FRAME_SIZE;
	return 0;
}

/* Create the socket through libxdp (UMEM first), retrying EBUSY binds. */
static int afxdp_q_socket(struct afxdp *a, struct afxdp_q *q, uint32_t ring,
			  uint16_t bind_flags)
{
	struct xsk_umem_config uc = {
		.fill_size = q->u->nrx, .comp_size = q->ntx,
		.frame_size = AFXDP_FRAME_SIZE,
	};
	struct xsk_socket_config sc = {
		.rx_size = ring, .tx_size = ring,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = bind_flags,
	};
	struct timespec wait = { 0, AFXDP_BIND_WAIT_NS };
	int err, t;

	if (a->cfg.sock_fds) {
		q->fd = a->cfg.sock_fds[q->qid];
		q->own_fd = true;	/* handed over: closed with the netdev */
		for (t = 0; t < AFXDP_BIND_TRIES; t++) {
			err = afxdp_raw_setup(q, a->ifindex, q->u->nrx, q->ntx,
					      ring, bind_flags);
			if (err != -EBUSY)
				return err;
			nanosleep(&wait, NULL);
		}
		return err;
	}
	err = xsk_umem__create(&q->umem, q->u->area, q->u->size, &q->fill,
			       &q->comp, &uc);
	if (err)
		return err;
	for (t = 0; t < AFXDP_BIND_TRIES; t++) {
		err = xsk_socket__create(&q->xsk, a->ifname, q->ifq, q->umem,
					 &q->rx, &q->tx, &sc);
		if (err != -EBUSY)
			break;
		q->xsk = NULL;
		nanosleep(&wait, NULL);
	}
	if (err) {
		q->xsk = NULL;
		return err;
	}
	q->fd = xsk_socket__fd(q->xsk);
	q->own_fd = true;
	return 0;
}

/* Put the queue's socket where frames for it are redirected from. */
static int afxdp_q_map(struct afxdp *a, struct afxdp_q *q)
{
	uint32_t key;

	if (a->have_prog)
		return xdp_load_add_socket(&a->xl, q->ifq, q->fd);
	if (a->map_fd >= 0) {
		key = a->cfg.map_start_index + q->qid;
		if (bpf_map_update_elem(a->map_fd, &key, &q->fd, BPF_ANY))
			return -errno;
	}
	return 0;	/* sock-fds: the manager did it */
}

/* One queue: UMEM, socket, zero-copy?, fill ring, map entry, watch. */
static int afxdp_q_open(struct afxdp *a, unsigned int i)
{
	struct afxdp_q *q = &a->q[i];
	uint32_t frames = a->cfg.frames ? a->cfg.frames : AFXDP_DEF_FRAMES;
	uint32_t ring = a->cfg.ring_size ? a->cfg.ring_size : AFXDP_DEF_RING;
	uint16_t bind_flags = XDP_USE_NEED_WAKEUP;
	struct xdp_options opt;
	socklen_t ol = sizeof(opt);
	int err;

	q->a = a;
	q->qid = i;
	q->ifq = a->cfg.start_queue + i;
	q->fd = -1;
	if (a->cfg.force_copy)
		bind_flags |= XDP_COPY;
	err = afxdp_q_alloc(q, frames);
	if (!err)
		err = afxdp_q_socket(a, q, ring, bind_flags);
	if (err)
		return err;
	if (!getsockopt(q->fd, SOL_XDP, XDP_OPTIONS, &opt, &ol))
		q->zerocopy = opt.flags & XDP_OPTIONS_ZEROCOPY;
	afxdp_refill(q);
	return afxdp_q_map(a, q);
}

/* Tear a queue down; its UMEM waits for RX frames still out. */
static void afxdp_q_close(struct afxdp *a, struct afxdp_q *q)
{
	uint32_t key;

	if (q->fd >= 0 && a->have_prog)
		xdp_load_del_socket(&a->xl, q->ifq);
	if (q->fd >= 0 && a->map_fd >= 0) {
		key = a->cfg.map_start_index + q->qid;
		bpf_map_delete_elem(a->map_fd, &key);
	}
	frame_put_n(q->pending, q->n_pending);
	q->n_pending = 0;
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	afxdp_raw_unmap(q);
	if (q->fd >= 0 && !q->xsk && q->own_fd)
		close(q->fd);
	q->xsk = NULL;
	q->umem = NULL;
	q->fd = -1;
	if (q->u) {
		q->u->q = NULL;
		if (!q->u->out)
			afxdp_umem_free(q->u);
		q->u = NULL;
	}
	free(q->fill_stack);
	free(q->tx_free);
	q->fill_stack = q->tx_free = NULL;
}

static void afxdp_hook_fn(struct uloop *loop, struct uloop_hook *h)
{
	afxdp_service((struct afxdp *)((char *)h - offsetof(struct afxdp, hook)));
}

static void afxdp_retry_fn(struct uloop *loop, struct uloop_timer *t)
{
	afxdp_service((struct afxdp *)((char *)t - offsetof(struct afxdp, retry)));
}

static void afxdp_check_fn(struct uloop *loop, struct uloop_timer *t)
{
	afxdp_check((struct afxdp *)((char *)t - offsetof(struct afxdp, check)));
}

/* Load and attach the steering program, steering set from the config. */
static int afxdp_prog_open(struct afxdp *a, const char *name)
{
	struct xdp_load_config xc = {
		.ifindex = a->ifindex,
		.mode = a->cfg.mode == AFXDP_MODE_NATIVE ? XDP_LOAD_NATIVE :
			a->cfg.mode == AFXDP_MODE_SKB ? XDP_LOAD_SKB :
							XDP_LOAD_AUTO,
		.steer = true,
		.map_size = a->cfg.start_queue + a->nq > 64 ?
			    a->cfg.start_queue + a->nq : 64,
		.ring_size = a->cfg.capture_ring,
		.pins = a->cfg.pins,
		.pin_id = name,
	};
	int err;

	err = xdp_load_open(&a->xl, &xc);
	if (err)
		return err;
	a->have_prog = true;
	return afxdp_set_mac(a, a->cfg.mac, !a->cfg.has_mac || a->cfg.steer_all);
}

/**
 * afxdp_open() - open an af-xdp netdev
 * @out:	the netdev
 * @cfg:	its options
 * @loop:	data-path loop every queue runs on (this thread's)
 * @name:	netdev id (port name, pin names)
 *
 * Nothing is left behind on failure (no program, no socket). Once the
 * options are valid, @cfg->sock_fds belong to the netdev (closed with it,
 * or at once on failure). @cfg->pins must outlive the netdev.
 *
 * Return: 0; -EINVAL for bad options; -ENODEV for no such interface;
 * -EPERM without CAP_NET_RAW/CAP_BPF/CAP_NET_ADMIN (the caller falls back
 * like tap); -EBUSY when the queue stays busy or another program runs on
 * the interface; -EOPNOTSUPP for a mode the driver lacks; -errno.
 */
int afxdp_open(struct afxdp **out, const struct afxdp_config *cfg,
	       struct uloop *loop, const char *name)
{
	struct afxdp *a;
	unsigned int i;
	int err;

	*out = NULL;
	err = afxdp_check_config(cfg);
	if (err)
		return err;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->cfg = *cfg;
	a->cfg.ifname = NULL;
	a->cfg.map_path = NULL;
	a->map_fd = -1;
	a->loop = loop;
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0) {
		err = -errno;
		free(a);
		return err;
	}
	a->nq = cfg->queues ? cfg->queues : 1;
	strcpy(a->ifname, cfg->ifname);
	for (i = 0; i < a->nq; i++)
		a->q[i].fd = -1;
	uloop_timer_init(&a->retry, afxdp_retry_fn);
	uloop_timer_init(&a->check, afxdp_check_fn);
	a->hook.fn = afxdp_hook_fn;
	err = port_init(&a->port, &afxdp_port_ops, PORT_NETDEV, name, a->nq, a);
	if (err)
		goto err_free;
	a->ifindex = (int)if_nametoindex(a->ifname);
	if (!a->ifindex) {
		err = -ENODEV;
		goto err_free;
	}
	if (!cfg->inhibit)
		err = afxdp_prog_open(a, name);
	else if (cfg->map_path && (a->map_fd = bpf_obj_get(cfg->map_path)) < 0)
		err = -errno;
	for (i = 0; !err && i < a->nq; i++)
		err = afxdp_q_open(a, i);
	if (!err)
		err = afxdp_watch_start(a);
	if (err)
		goto err_close;
	uloop_hook_add(loop, &a->hook);
	uloop_timer_arm_in(loop, &a->check, AFXDP_CHECK_NS, AFXDP_CHECK_NS);
	a->running = true;
	*out = a;
	return 0;
err_close:
	for (i = 0; cfg->sock_fds && i < a->nq; i++)
		if (a->q[i].fd < 0)	/* handed over: ours to close */
			close(cfg->sock_fds[i]);
	afxdp_close(a);
	return err;
err_free:
	for (i = 0; cfg->sock_fds && i < a->nq; i++)
		close(cfg->sock_fds[i]);
	close(a->epfd);
	free(a);
	return err;
}

/**
 * afxdp_port() - the netdev's port
 * @a:		the netdev
 *
 * Return: the port (connect it to the NIC).
 */
struct port *afxdp_port(struct afxdp *a)
{
	return &a->port;
}

/**
 * afxdp_close() - detach captures, remove the program, close the sockets
 * @a:		the netdev (NULL is ignored); in the loop's thread
 *
 * RX frames the peer still holds stay valid: their UMEM is freed with the
 * last of them.
 */
void afxdp_close(struct afxdp *a)
{
	unsigned int i;

	if (!a)
		return;
	while (a->ncaps)
		afxdp_capture_del(a, a->caps[a->ncaps - 1]);
	afxdp_watch_stop(a);
	if (a->running) {
		uloop_hook_del(a->loop, &a->hook);
		uloop_timer_cancel(a->loop, &a->retry);
		uloop_timer_cancel(a->loop, &a->check);
		port_disconnect(&a->port);
	}
	for (i = 0; i < a->nq; i++)
		afxdp_q_close(a, &a->q[i]);
	if (a->have_prog)
		xdp_load_close(&a->xl);
	if (a->map_fd >= 0)
		close(a->map_fd);
	close(a->epfd);
	free(a);
}


/**
 * afxdp_set_mac() - which frames are the guest's (steering program)
 * @a:		the netdev
 * @mac:	the guest NIC's MAC (ignored with @all)
 * @all:	every frame of the queues goes to the guest
 *
 * Return: 0, -EOPNOTSUPP with inhibit=on (the manager's program decides),
 * or -errno.
 */
int afxdp_set_mac(struct afxdp *a, const uint8_t mac[6], bool all)
{
	if (!a->have_prog)
		return -EOPNOTSUPP;
	if (all)
		return xdp_load_set_steer(&a->xl, NULL, XDP_STEER_F_ALL);
	return xdp_load_set_steer(&a->xl, mac, XDP_STEER_F_MAC | XDP_STEER_F_MCAST);
}

/**
 * afxdp_check() - notice an interface or program gone (T-55)
 * @a:		the netdev (in the loop's thread)
 *
 * Runs every second by itself; ctl may call it too.
 *
 * Return: 0 while fine, else the error that took the link down.
 */
int afxdp_check(struct afxdp *a)
{
	int r;

	if (a->error)
		return a->error;
	if ((int)if_nametoindex(a->ifname) != a->ifindex) {
		afxdp_fault(a, -ENODEV);
	} else if (a->have_prog) {
		r = xdp_load_attached(&a->xl);
		if (r == 0)
			afxdp_fault(a, -ENOLINK);
		else if (r == -ENODEV)
			afxdp_fault(a, -ENODEV);
	}
	return a->error;
}

/**
 * afxdp_info() - how the netdev is set up
 * @a:		the netdev
 * @out:	result
 *
 * Return: 0.
 */
int afxdp_info(const struct afxdp *a, struct afxdp_info *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->ifindex = a->ifindex;
	out->queues = a->nq;
	out->program = a->have_prog;
	out->error = a->error;
	if (a->have_prog) {
		out->multiprog = a->xl.multiprog;
		out->mode = a->xl.mode == XDP_LOAD_SKB ? AFXDP_MODE_SKB :
							 AFXDP_MODE_NATIVE;
	}
	out->zerocopy = a->nq > 0;
	for (i = 0; i < a->nq; i++)
		out->zerocopy = out->zerocopy && a->q[i].zerocopy;
	return 0;
}

/**
 * afxdp_stats() - counters of every queue, the kernel's and the program's
 * @a:		the netdev
 * @out:	result
 *
 * Return: 0, or -errno from the program's counters.
 */
int afxdp_stats(const struct afxdp *a, struct afxdp_stats *out)
{
	uint64_t st[XDP_STEER_STAT_COUNT];
	struct xdp_statistics ks;
	unsigned int i;
	socklen_t l;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < a->nq; i++) {
		const struct afxdp_q *q = &a->q[i];

		out->rx_frames += q->st.rx_frames;
		out->tx_frames += q->st.tx_frames;
		out->tx_done += q->st.tx_done;
		out->kicks += q->st.kicks;
		out->kick_retries += q->st.kick_retries;
		out->fill_wakeups += q->st.fill_wakeups;
		out->k_invalid += q->st.k_invalid;
		l = sizeof(ks);
		if (q->fd >= 0 && !getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &ks, &l)) {
			out->k_rx_dropped += ks.rx_dropped;
			out->k_rx_ring_full += ks.rx_ring_full;
			out->k_fill_empty += ks.rx_fill_ring_empty_descs;
			out->k_invalid += ks.rx_invalid_descs + ks.tx_invalid_descs;
		}
	}
	if (!a->have_prog)
		return 0;
	if (xdp_load_stats(&a->xl, st))
		return -EIO;
	out->to_guest = st[XDP_STEER_TO_GUEST];
	out->to_host = st[XDP_STEER_TO_HOST];
	out->no_socket = st[XDP_STEER_NO_SOCKET];
	out->filtered = st[XDP_STEER_FILTERED];
	return 0;
}

/**
 * afxdp_capture_add() - run a capture or filter object on this netdev
 * @a:		the netdev (in the loop's thread; the capture is driven from
 *		this loop from now on)
 * @c:		the object
 *
 * Host-to-guest frames are seen by the steering program when there is one
 * (capture_kernel_dirs() tells); guest-to-host frames leave through the
 * TX ring, which no kernel hook sees, so they are captured in user space.
 * A kernel attach that fails (no slot, no privilege) leaves the object in
 * user space for both directions.
 *
 * Return: 0, or -ENOSPC when QCAP_SLOTS objects are on the netdev already.
 */
int afxdp_capture_add(struct afxdp *a, struct capture *c)
{
	if (a->ncaps >= QCAP_SLOTS)
		return -ENOSPC;
	if (a->have_prog)
		capture_attach_host(c, a->loop, &a->xl.host, 0, QCAP_HOOK_IN);
	a->caps[a->ncaps++] = c;
	return 0;
}

/**
 * afxdp_capture_del() - take an object off the netdev
 * @a:		the netdev
 * @c:		the object (not on it: nothing happens)
 */
void afxdp_capture_del(struct afxdp *a, struct capture *c)
{
	unsigned int i;

	for (i = 0; i < a->ncaps && a->caps[i] != c; i++)
		;
	if (i == a->ncaps)
		return;
	capture_detach_kernel(c);
	memmove(&a->caps[i], &a->caps[i + 1],
		(a->ncaps - i - 1) * sizeof(a->caps[0]));
	a->ncaps--;
}
