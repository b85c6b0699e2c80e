// SPDX-License-Identifier: GPL-2.0-or-later
/* afxdp_raw.c: UMEM and rings on an AF_XDP socket a privileged manager created (sock-fds=). */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_xdp.h>

#include "backends/afxdp_int.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/**
 * DOC: sockets made elsewhere
 *
 * With inhibit=on,sock-fds=..., a privileged manager has created one
 * AF_XDP socket per queue (and put it in its program's XSK map); qnet,
 * unprivileged, registers its UMEM on that socket, sizes and maps the four
 * rings, and binds it. libxdp 1.4 does the UMEM part with
 * xsk_umem__create_with_fd(); Debian's libxdp 1.3 lacks it, so these steps
 * are done here with the kernel's socket options, filling libxdp's public
 * ring structures so the data path is the same for both kinds of socket.
 */

enum { RAW_FILL, RAW_COMP, RAW_RX, RAW_TX, RAW_COUNT };

/* Map one ring and fill libxdp's ring structure for it. */
static int raw_map(struct afxdp_q *q, int which, uint32_t n, off_t pgoff,
		   const struct xdp_ring_offset *o, size_t desc_size,
		   void *ring, bool producer_side)
{
	struct xsk_ring_prod *r = ring;	/* prod and cons share a layout */
	size_t len = o->desc + n * desc_size;
	uint8_t *m;

	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 q->fd, pgoff);
	if (m == MAP_FAILED)
		return -errno;
	q->raw.map[which] = m;
	q->raw.len[which] = len;
	r->mask = n - 1;
	r->size = n;
	r->producer = (uint32_t *)(m + o->producer);
	r->consumer = (uint32_t *)(m + o->consumer);
	r->flags = (uint32_t *)(m + o->flags);
	r->ring = m + o->desc;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer + (producer_side ? n : 0);
	return 0;
}

/**
 * afxdp_raw_setup() - register the UMEM, make and map the rings, bind
 * @q:		the queue (@fd set, @u->area allocated)
 * @ifindex:	interface
 * @fill_n:	fill ring entries
 * @comp_n:	completion ring entries
 * @ring_n:	RX and TX ring entries
 * @bind_flags:	XDP_COPY, XDP_USE_NEED_WAKEUP, ...
 *
 * Return: 0 or -errno (-EBUSY: the queue was just released; retry).
 */
int afxdp_raw_setup(struct afxdp_q *q, int ifindex, uint32_t fill_n,
		    uint32_t comp_n, uint32_t ring_n, uint16_t bind_flags)
{
	struct xdp_umem_reg mr = {
		.addr = (uint64_t)(uintptr_t)q->u->area,
		.len = q->u->size,
		.chunk_size = AFXDP_FRAME_SIZE,
	};
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = (uint32_t)ifindex,
		.sxdp_queue_id = q->ifq,
		.sxdp_flags = bind_flags,
	};
	struct xdp_mmap_offsets off;
	socklen_t ol = sizeof(off);
	int err;

	if (!q->raw.map[RAW_FILL]) {
		if (setsockopt(q->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) ||
		    setsockopt(q->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill_n,
			       sizeof(fill_n)) ||
		    setsockopt(q->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &comp_n,
			       sizeof(comp_n)) ||
		    setsockopt(q->fd, SOL_XDP, XDP_RX_RING, &ring_n,
			       sizeof(ring_n)) ||
		    setsockopt(q->fd, SOL_XDP, XDP_TX_RING, &ring_n,
			       sizeof(ring_n)) ||
		    getsockopt(q->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol))
			return -errno;
		err = raw_map(q, RAW_FILL, fill_n, XDP_UMEM_PGOFF_FILL_RING,
			      &off.fr, sizeof(uint64_t), &q->fill, true);
		if (!err)
			err = raw_map(q, RAW_COMP, comp_n,
				      XDP_UMEM_PGOFF_COMPLETION_RING, &off.cr,
				      sizeof(uint64_t), &q->comp, false);
		if (!err)
			err = raw_map(q, RAW_RX, ring_n, XDP_PGOFF_RX_RING,
				      &off.rx, sizeof(struct xdp_desc), &q->rx,
				      false);
		if (!err)
			err = raw_map(q, RAW_TX, ring_n, XDP_PGOFF_TX_RING,
				      &off.tx, sizeof(struct xdp_desc), &q->tx,
				      true);
		if (err)
			return err;
	}
	if (bind(q->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		return -errno;
	return 0;
}

/**
 * afxdp_raw_unmap() - unmap the rings of a socket set up by afxdp_raw_setup()
 * @q:		the queue
 */
void afxdp_raw_unmap(struct afxdp_q *q)
{
	unsigned int i;

	for (i = 0; i < RAW_COUNT; i++) {
		if (q->raw.map[i])
			munmap(q->raw.map[i], q->raw.len[i]);
		q->raw.map[i] = NULL;
	}
}
