// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp_load.c: loader of the XDP steering program (libxdp: dispatcher when the kernel allows, else a single program). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "datapath/bpf/xdp_load.h"
#include "datapath/bpf/xdp_steer.skel.h"

/**
 * DOC: attaching
 *
 * The program is attached with libxdp's xdp_program__attach(), which
 * builds a multi-program dispatcher when the kernel lets it load extension
 * programs, and otherwise (this build machine: EPERM on
 * BPF_PROG_TYPE_EXT) attaches our program alone. Both are handled the
 * same way here: the interface runs "the main program" (the dispatcher, or
 * ours), whose id is kept to notice a detach from outside. Without a mode,
 * native is tried first, then skb, as QEMU does.
 */

static const char *const xdp_load_roles[] = {
	"xdp", "xsks", "steer_cfg", "steer_st",
	"cap_cfg", "cap_filt", "cap_stats", "cap_ring",
};

/* Round up to a power of two of at least a page (ring buffer sizes). */
static uint32_t ring_round(uint32_t v)
{
	uint32_t r = (uint32_t)sysconf(_SC_PAGESIZE);

	while (r < v && r < (1u << 30))
		r <<= 1;
	return r;
}

/* Open the skeleton and size it; nothing loaded yet. */
static int xdp_load_skel_open(struct xdp_load *x,
			      const struct xdp_load_config *cfg)
{
	int err;

	memset(x, 0, sizeof(*x));
	x->xsks_fd = -1;
	if (cfg->pin_id && strlen(cfg->pin_id) >= sizeof(x->pin_id))
		return -EINVAL;
	x->skel = xdp_steer_bpf__open();
	if (!x->skel)
		return errno ? -errno : -ENOMEM;
	x->skel->rodata->qx_steer = cfg->steer;
	err = bpf_map__set_max_entries(x->skel->maps.qnet_xsks,
				       cfg->map_size ? cfg->map_size : 64);
	if (!err)
		err = bpf_map__set_max_entries(x->skel->maps.qnet_cap_ring,
			ring_round(cfg->ring_size ? cfg->ring_size :
				   XDP_LOAD_RING_DEFAULT));
	if (err) {
		xdp_steer_bpf__destroy(x->skel);
		x->skel = NULL;
	}
	x->pins = cfg->pins;
	if (cfg->pin_id)
		strcpy(x->pin_id, cfg->pin_id);
	return err;
}

/* After load: map fds, capture host, default steering (nothing). */
static int xdp_load_loaded(struct xdp_load *x)
{
	struct xdp_steer_bpf *s = x->skel;

	x->xsks_fd = bpf_map__fd(s->maps.qnet_xsks);
	return qhost_init(&x->host, bpf_map__fd(s->maps.qnet_cap_cfg),
			  bpf_map__fd(s->maps.qnet_cap_filt),
			  bpf_map__fd(s->maps.qnet_cap_stats),
			  bpf_map__fd(s->maps.qnet_cap_ring));
}

/**
 * xdp_load_prepare() - load the program without attaching it
 * @x:		the loader (zeroed by this call)
 * @cfg:	configuration; @ifindex, @mode and @pins are ignored
 *
 * For bpf_prog_test_run_opts() in tests.
 *
 * Return: 0, -EPERM without CAP_BPF, or -errno.
 */
int xdp_load_prepare(struct xdp_load *x, const struct xdp_load_config *cfg)
{
	struct xdp_load_config c = *cfg;
	int err;

	c.pins = NULL;
	c.pin_id = NULL;
	err = xdp_load_skel_open(x, &c);
	if (err)
		return err;
	err = xdp_steer_bpf__load(x->skel);
	if (!err)
		err = xdp_load_loaded(x);
	if (err)
		xdp_load_close(x);
	return err;
}

/* Attach in @mode through libxdp; record what the interface runs. */
static int xdp_load_attach(struct xdp_load *x, enum xdp_load_mode mode)
{
	enum xdp_attach_mode m = mode == XDP_LOAD_SKB ? XDP_MODE_SKB :
						       XDP_MODE_NATIVE;
	struct xdp_multiprog *mp;
	int err;

	err = xdp_program__attach(x->prog, x->ifindex, m, 0);
	if (err)
		return err;
	x->mode = mode;
	mp = xdp_multiprog__get_from_ifindex(x->ifindex);
	if (!mp || libxdp_get_error(mp))
		return 0;
	x->multiprog = !xdp_multiprog__is_legacy(mp);
	if (xdp_multiprog__main_prog(mp))
		x->main_id = xdp_program__id(xdp_multiprog__main_prog(mp));
	xdp_multiprog__close(mp);
	return 0;
}

/* Pin the program and every map under their stable names. */
static int xdp_load_pin(struct xdp_load *x)
{
	struct xdp_steer_bpf *s = x->skel;
	int fds[] = {
		xdp_program__fd(x->prog), x->xsks_fd,
		bpf_map__fd(s->maps.qnet_steer_cfg),
		bpf_map__fd(s->maps.qnet_steer_st),
		x->host.cfg_fd, x->host.filt_fd, x->host.stats_fd,
		x->host.ring_fd,
	};
	unsigned int i;
	int err;

	if (!x->pins || !x->pin_id[0])
		return 0;
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		err = bpfpin_pin(x->pins, fds[i], x->pin_id, xdp_load_roles[i]);
		if (err)
			return err;
	}
	return 0;
}

/**
 * xdp_load_open() - load the program and attach it to an interface
 * @x:		the loader (zeroed by this call)
 * @cfg:	configuration
 *
 * Steering starts with nothing to steer: call xdp_load_set_steer() and
 * xdp_load_add_socket().
 *
 * Return: 0; -EPERM without CAP_BPF/CAP_NET_ADMIN; -EEXIST/-EBUSY when
 * another program runs there; -EOPNOTSUPP for a mode the driver lacks;
 * -ENODEV; -errno.
 */
int xdp_load_open(struct xdp_load *x, const struct xdp_load_config *cfg)
{
	int err;

	if (cfg->ifindex <= 0 || cfg->mode >= XDP_LOAD_MODE_COUNT)
		return -EINVAL;
	err = xdp_load_skel_open(x, cfg);
	if (err)
		return err;
	x->ifindex = cfg->ifindex;
	x->prog = xdp_program__from_bpf_obj(x->skel->obj, NULL);
	err = libxdp_get_error(x->prog);
	if (err) {
		x->prog = NULL;
		goto err_close;
	}
	if (cfg->mode == XDP_LOAD_AUTO) {
		err = xdp_load_attach(x, XDP_LOAD_NATIVE);
		if (err && err != -EEXIST && err != -EBUSY && err != -EPERM)
			err = xdp_load_attach(x, XDP_LOAD_SKB);
	} else {
		err = xdp_load_attach(x, cfg->mode);
	}
	if (err) {
		x->ifindex = 0;
		goto err_close;
	}
	err = xdp_load_loaded(x);
	if (!err)
		err = xdp_load_pin(x);
	if (err)
		goto err_close;
	return 0;
err_close:
	xdp_load_close(x);
	return err;
}

/**
 * xdp_load_close() - detach (when attached), unpin, unload
 * @x:		the loader (a zeroed or closed one is ignored); the capture
 *		host's watch must be gone
 */
void xdp_load_close(struct xdp_load *x)
{
	unsigned int i;

	if (!x->skel)
		return;
	for (i = 0; x->pin_id[0] && i < sizeof(xdp_load_roles) / sizeof(xdp_load_roles[0]); i++)
		bpfpin_unpin(x->pins, x->pin_id, xdp_load_roles[i]);
	if (x->prog && x->ifindex)
		xdp_program__detach(x->prog, x->ifindex,
				    x->mode == XDP_LOAD_SKB ? XDP_MODE_SKB :
							      XDP_MODE_NATIVE, 0);
	qhost_fini(&x->host);
	if (x->prog)
		xdp_program__close(x->prog);
	xdp_steer_bpf__destroy(x->skel);
	memset(x, 0, sizeof(*x));
	x->xsks_fd = -1;
}

/**
 * xdp_load_prog_fd() - fd of the loaded program
 * @x:		the loader
 *
 * Return: the fd.
 */
int xdp_load_prog_fd(const struct xdp_load *x)
{
	return bpf_program__fd(x->skel->progs.qnet_xdp);
}

/**
 * xdp_load_set_steer() - which frames go to the sockets
 * @x:		the loader
 * @mac:	the guest's MAC (used with XDP_STEER_F_MAC)
 * @flags:	XDP_STEER_F_*
 *
 * Return: 0 or -errno.
 */
int xdp_load_set_steer(struct xdp_load *x, const uint8_t mac[6],
		       uint32_t flags)
{
	struct xdp_steer_cfg c = { .flags = flags };
	uint32_t zero = 0;

	if (flags & ~(XDP_STEER_F_MAC | XDP_STEER_F_MCAST | XDP_STEER_F_ALL))
		return -EINVAL;
	if (mac)
		memcpy(c.mac, mac, 6);
	return bpf_map_update_elem(bpf_map__fd(x->skel->maps.qnet_steer_cfg),
				   &zero, &c, BPF_ANY) ? -errno : 0;
}

/**
 * xdp_load_add_socket() - frames for the guest on @queue go to socket @fd
 * @x:		the loader
 * @queue:	the interface's queue id
 * @fd:		an AF_XDP socket
 *
 * Return: 0, -E2BIG for a queue beyond the map, or -errno.
 */
int xdp_load_add_socket(struct xdp_load *x, uint32_t queue, int fd)
{
	if (queue >= bpf_map__max_entries(x->skel->maps.qnet_xsks))
		return -E2BIG;
	return bpf_map_update_elem(x->xsks_fd, &queue, &fd, BPF_ANY) ?
		-errno : 0;
}

/**
 * xdp_load_del_socket() - stop steering @queue (its frames go to the host)
 * @x:		the loader
 * @queue:	the queue id
 *
 * Return: 0 or -errno (-ENOENT when nothing was there).
 */
int xdp_load_del_socket(struct xdp_load *x, uint32_t queue)
{
	return bpf_map_delete_elem(x->xsks_fd, &queue) ? -errno : 0;
}

/**
 * xdp_load_stats() - steering counters, summed over CPUs
 * @x:		the loader
 * @out:	result, indexed by enum xdp_steer_stat
 *
 * Return: 0 or -errno.
 */
int xdp_load_stats(const struct xdp_load *x, uint64_t out[XDP_STEER_STAT_COUNT])
{
	int fd = bpf_map__fd(x->skel->maps.qnet_steer_st);
	int ncpu = x->host.ncpus, i, err = 0;
	uint64_t *v;
	uint32_t k;

	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < XDP_STEER_STAT_COUNT; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, v)) {
			err = -errno;
			break;
		}
		for (i = 0; i < ncpu; i++)
			out[k] += v[i];
	}
	free(v);
	return err;
}

/**
 * xdp_load_attached() - whether the interface still runs our program
 * @x:		the loader
 *
 * Return: 1 yes, 0 when it was detached or replaced from outside,
 * -ENODEV when the interface is gone, or -errno.
 */
int xdp_load_attached(const struct xdp_load *x)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	if (!x->ifindex)
		return 0;
	/* ids only: libxdp 1.3's multiprog lookup leaks a program fd per call */
	err = bpf_xdp_query(x->ifindex, 0, &q);
	if (err)
		return err;
	return q.prog_id == x->main_id || q.drv_prog_id == x->main_id ||
	       q.skb_prog_id == x->main_id;
}
