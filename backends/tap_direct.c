// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_direct.c: a peer that reads the tap itself, into its own buffers (port_ops.read_direct): handing the reading over and back, counting the peer's reads. */

#include <errno.h>
#include <linux/if_tun.h>

#include "backends/tap_int.h"
#include "datapath/vnet_check.h"

/*
 * DOC: direct reads by the peer
 *
 * A virtio-net device on the queue's own loop can read the tap's frames
 * straight into the guest's RX buffers (devices/virtio_net_rxd.c). The
 * tap then lends it the fd and stops its own multishot read; frames it
 * had already read are handed over first (through port_send(), so their
 * order is kept), and only when none is left, and the multishot read has
 * ended, is the reading granted. The peer's reads report back through
 * read_done: the tap counts the frames as its own, and an error goes to
 * the carrier logic as for its own read (the peer stops reading on an
 * error; the probe restarts the tap's own read once the peer gave the
 * reading back and the tap is up). Nothing here runs per frame beyond
 * the counters.
 */

/* VNET_CHECK_ACCEPT_* for the TUN_F_* the kernel may use on reads. */
static unsigned int tap_direct_caps(unsigned int tun_f)
{
	unsigned int c = 0;

	if (tun_f & TUN_F_CSUM)
		c |= VNET_CHECK_ACCEPT_CSUM;
	if (tun_f & TUN_F_TSO4)
		c |= VNET_CHECK_ACCEPT_TCPV4;
	if (tun_f & TUN_F_TSO6)
		c |= VNET_CHECK_ACCEPT_TCPV6;
	if (tun_f & TUN_F_TSO_ECN)
		c |= VNET_CHECK_ACCEPT_ECN;
	if (tun_f & TUN_F_UFO)
		c |= VNET_CHECK_ACCEPT_UDP;
#ifdef TUN_F_USO4
	if (tun_f & (TUN_F_USO4 | TUN_F_USO6))
		c |= VNET_CHECK_ACCEPT_UDP_L4;
#endif
	return c;
}

/**
 * tap_rx_direct() - hand the queue's reading to the peer, or take it back
 * @q:		the queue (in its loop's thread)
 * @loop:	the peer's loop (must be the queue's)
 * @on:		true: the peer asks to read; false: it gave the reading back
 *		(none of its reads is in flight)
 * @rd:		filled when granted
 *
 * Return: 1 granted; 0 not yet (frames read before are still being
 * handed over, or the multishot read is still ending); -EOPNOTSUPP (no
 * virtio-net header, another loop, queue not running); 0 for @on false.
 */
int tap_rx_direct(struct tap_queue *q, const void *loop, bool on,
		  struct port_rd *rd)
{
	if (!on) {
		if (q->direct) {
			q->direct = false;
			tap_rx_direct_restart(q);
		}
		return 0;
	}
	if (!q->t->vnet || !q->running || (const void *)q->loop != loop)
		return -EOPNOTSUPP;
	if (!q->direct) {
		q->direct = true;
		if (q->rx_on) {
			q->rx_on = false;
			ubufring_rx_stop(&q->rx);
		}
	}
	if (q->rx_count && !q->rx_held)
		tap_rx_flush(q);
	if (q->rx_count || ubufring_rx_busy(&q->rx))
		return 0;
	rd->fd = tap_io_fd(q);
	rd->fixed = q->slot >= 0;
	rd->hdr_len = q->t->hdr_len;
	rd->offloads = tap_direct_caps(q->t->offload);
	q->stats.direct_grants++;
	return 1;
}

/**
 * tap_rx_direct_done() - one of the peer's reads completed
 * @q:		the queue
 * @res:	bytes read (header included), or -errno
 */
void tap_rx_direct_done(struct tap_queue *q, int res)
{
	if (res > (int)q->t->hdr_len) {
		q->stats.rx_frames++;
		q->stats.rx_direct++;
		q->stats.rx_bytes += (uint64_t)res - q->t->hdr_len;
		return;
	}
	if (res < 0 && res != -ECANCELED)
		tap_carrier_event(q, res);
}

/**
 * tap_rx_direct_lost() - the peer that read the queue went away
 * (port_disconnect(), on the thread that disconnects: the queue's own, or
 * another while the queue's worker is parked and the peer's reads were
 * cancelled there)
 * @q:	the queue
 *
 * The reading comes back to the tap: its hook restarts the multishot read
 * on the queue's thread (tap_rx_direct_restart()).
 */
void tap_rx_direct_lost(struct tap_queue *q)
{
	if (!q->direct)
		return;
	q->direct = false;
	q->direct_restart = true;
}

/**
 * tap_rx_direct_restart() - from the hook: read again after a lost peer
 * @q:	the queue (its thread)
 */
void tap_rx_direct_restart(struct tap_queue *q)
{
	q->direct_restart = false;
	if (q->direct || !q->running)
		return;
	if (atomic_load(&q->t->link) == TAP_LINK_UP)
		tap_rx_start(q);
	else
		tap_carrier_event(q, -EIO);
}
