// SPDX-License-Identifier: GPL-2.0-or-later
/* user.c: the -netdev user port: libslirp instance setup, frames in and out, teardown. */

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/user_int.h"
#include "datapath/frame_hot.h"

/**
 * DOC: frames through the user backend
 *
 * Peer to slirp: receive() checks each frame and hands it to slirp_input(),
 * which copies it.  Frames longer than MRU + 18 bytes without GSO are
 * dropped as giant; frames whose IPv4/IPv6/ARP header lengths do not fit
 * the frame are dropped as malformed (libslirp would drop them too, but
 * silently), and so are frames from a source the guest cannot own (a
 * multicast MAC; a multicast, broadcast, gateway or DNS IP address; 0.0.0.0
 * other than toward DHCP; TCP/UDP port 0; counted in user_stats.in_spoofed
 * too); frames with offload metadata are copied to a scratch buffer
 * where the checksum is completed (NEEDS_CSUM) or, for TCP/UDP GSO, the IP
 * length, IP checksum and L4 checksum of the whole frame are rewritten so
 * libslirp takes it as one large segment (its TCP accepts segments up to
 * 64 KiB; UDP GSO is fragmentation offload, so the datagram is sent whole).
 * A header that fails the checks (unknown gso_type, csum_start/offset
 * beyond the frame, gso_size 0, GSO without NEEDS_CSUM, USO) is dropped as
 * bad_vnet_hdr.  receive() always takes every frame, except when it is
 * re-entered from inside libslirp, where it holds the sender.
 *
 * Slirp to peer: libslirp's send_packet copies the frame into a pool buffer
 * (padded to 60 bytes as QEMU pads for its NICs) and queues it; the queue
 * (USER_TXQ_LEN) is sent with port_send() from the loop hook, never from
 * inside the peer's own send.  Before it goes, pure TCP ACKs that a later
 * ACK of the same connection in the queue supersedes are dropped and
 * counted as filtered (user_ack_coalesce(), "ACK coalescing" in
 * user_offload.c).  libslirp cannot be paused, so frames the peer does not
 * take are dropped as queue_full (port_send), an empty pool counts
 * no_rx_buffer, and a full queue inside receive() counts queue_full; TCP
 * recovers by retransmission.
 *
 * Pools, sized at open: when every frame fits USER_SMALL_BUF (MTU and MRU
 * up to 2030), one pool of USER_POOL_FRAMES buffers; else USER_SMALL_FRAMES
 * small buffers (ACKs and other short frames) and USER_BIG_BYTES of
 * MTU-sized ones, so a large MTU does not make every ACK hold 64 KiB.
 */

static unsigned int user_receive(struct port *p, unsigned int queue,
				 struct frame **f, unsigned int n);

static const struct port_ops user_port_ops = {
	.receive = user_receive,
};

/**
 * user_frame_release() - a frame we sent came back: return it to the pool
 * @f:	the frame
 */
static void user_frame_release(struct frame *f)
{
	struct user_backend *be =
		(struct user_backend *)((char *)f->owner -
					offsetof(struct user_backend, owner));
	struct pool *p = &be->pool;

	if (be->big.nframes && f >= be->big.frames &&
	    f < be->big.frames + be->big.nframes)
		p = &be->big;
	f->owner = &p->owner;
	p->owner.release(f);
	be->frames_out--;
	if (be->closing && !be->frames_out)
		user_try_free(be);
}

/**
 * user_cb_send() - libslirp's send_packet: queue a frame toward the peer
 * @buf:	the frame
 * @len:	its length
 * @opaque:	the backend
 *
 * Return: @len (a drop is counted, never reported to libslirp).
 */
static ssize_t user_cb_send(const void *buf, size_t len, void *opaque)
{
	struct user_backend *be = opaque;
	struct frame *f;

	be->stats.out_frames++;
	if (len > be->buf_size || len < FRAME_MIN_LEN) {
		port_count_drop(&be->port, 0,
				len < FRAME_MIN_LEN ? PORT_DROP_RUNT
						    : PORT_DROP_GIANT,
				1);
		be->stats.out_dropped++;
		return (ssize_t)len;
	}
	if (be->ntxq == USER_TXQ_LEN) {
		if (be->in_input || be->closing) {
			port_count_drop(&be->port, 0, PORT_DROP_QUEUE_FULL, 1);
			be->stats.out_dropped++;
			return (ssize_t)len;
		}
		user_flush(be);
	}
	f = len <= be->pool.buf_size ? pool_alloc(&be->pool) : NULL;
	if (!f && be->big.nframes)
		f = pool_alloc(&be->big);
	if (!f) {
		port_count_drop(&be->port, 0, PORT_DROP_NO_BUFFER, 1);
		be->stats.out_dropped++;
		return (ssize_t)len;
	}
	f->owner = &be->owner;
	be->frames_out++;
	memcpy(f->data, buf, len);
	if (len < USER_ETH_MIN) {
		memset(f->data + len, 0, USER_ETH_MIN - len);
		len = USER_ETH_MIN;
		be->stats.out_padded++;
	}
	f->len = (uint32_t)len;
	be->txq[be->ntxq++] = f;
	return (ssize_t)len;
}

/**
 * user_flush() - send the queued frames to the peer
 * @be:	the backend
 *
 * The queue is emptied first: frames libslirp produces while the peer
 * re-enters receive() are queued anew, for the next flush.  Superseded pure
 * ACKs are dropped (filtered) unless cfg.ack_coalesce_off.
 */
void user_flush(struct user_backend *be)
{
	struct frame *batch[USER_TXQ_LEN];
	unsigned int n = be->ntxq, kept = n, i, k;

	if (!n)
		return;
	memcpy(batch, be->txq, n * sizeof(batch[0]));
	be->ntxq = 0;
	if (!be->cfg.ack_coalesce_off)
		kept = user_ack_coalesce(batch, n, &be->stats);
	if (kept < n)
		port_count_drop(&be->port, 0, PORT_DROP_FILTER, n - kept);
	for (i = 0; i < kept; i += k) {
		k = kept - i < FRAME_BATCH_MAX ? kept - i : FRAME_BATCH_MAX;
		port_send(&be->port, 0, batch + i, k, false);
	}
	frame_put_n(batch, n);
}

/**
 * user_input() - check one frame from the peer and hand it to libslirp
 * @be:	the backend
 * @f:	the frame (not modified)
 */
static void user_input(struct user_backend *be, const struct frame *f)
{
	const uint8_t *d = f->data;
	uint32_t len = f->len;
	int r;

	if (len < FRAME_MIN_LEN) {
		port_count_drop(&be->port, 0, PORT_DROP_RUNT, 1);
		return;
	}
	if (f->has_vnet && (f->vnet.flags || f->vnet.gso_type)) {
		r = user_offload(f, be->scratch, &len);
		if (r < 0) {
			port_count_drop(&be->port, 0, (enum port_drop) - r, 1);
			return;
		}
		d = be->scratch;
	} else {
		r = 0;
	}
	if (r != 2 && len > be->max_in) {
		port_count_drop(&be->port, 0, PORT_DROP_GIANT, 1);
		return;
	}
	if (r == 2)
		be->stats.in_gso++;
	else if (r == 1)
		be->stats.in_csum++;
	r = user_l3_check(&be->cfg, d, len);
	if (r) {
		port_count_drop(&be->port, 0, PORT_DROP_MALFORMED, 1);
		if (r == -2)
			be->stats.in_spoofed++;
		return;
	}
	be->stats.in_frames++;
	be->in_slirp++;
	slirp_input(be->slirp, d, (int)len);
	be->in_slirp--;
}

/**
 * user_receive() - port receive: frames from the peer into libslirp
 * @p:		our port
 * @queue:	queue (0)
 * @f:		the frames
 * @n:		how many
 *
 * Return: @n (every frame is consumed or dropped and counted), or 0 when
 * called from inside libslirp (the sender is held and woken by the hook).
 */
static unsigned int user_receive(struct port *p, unsigned int queue,
				 struct frame **f, unsigned int n)
{
	struct user_backend *be = p->priv;
	unsigned int i;

	if (be->in_slirp) {
		be->held = true;
		be->stats.held++;
		return 0;
	}
	if (be->closing || !be->slirp) {
		port_count_drop(p, queue, PORT_DROP_LINK_DOWN, n);
		return n;
	}
	be->in_input = true;
	for (i = 0; i < n; i++)
		user_input(be, f[i]);
	be->in_input = false;
	be->dirty = true;
	return n;
}

/**
 * user_cb_guest_error() - libslirp's report of guest misbehaviour
 * @msg:	its message
 * @opaque:	the backend
 *
 * Counted, and the last message kept; nothing is printed (a guest could
 * flood the log).
 */
static void user_cb_guest_error(const char *msg, void *opaque)
{
	struct user_backend *be = opaque;

	be->stats.guest_errors++;
	snprintf(be->guest_error, sizeof(be->guest_error), "%s", msg);
}

/**
 * user_cb_init_completed() - libslirp made its state (inside slirp_new(),
 * before its timers are created)
 * @slirp:	the state
 * @opaque:	the backend
 */
static void user_cb_init_completed(Slirp *slirp, void *opaque)
{
	struct user_backend *be = opaque;

	be->slirp = slirp;
}

static const SlirpCb user_slirp_cb = {
	.send_packet = user_cb_send,
	.guest_error = user_cb_guest_error,
	.clock_get_ns = user_cb_clock_ns,
	.timer_free = user_cb_timer_free,
	.timer_mod = user_cb_timer_mod,
	.register_poll_fd = user_cb_register_fd,
	.unregister_poll_fd = user_cb_unregister_fd,
	.notify = user_cb_notify,
	.init_completed = user_cb_init_completed,
	.timer_new_opaque = user_cb_timer_new,
};

/**
 * user_slirp_new() - start libslirp with the backend's config
 * @be:		the backend (config copied in)
 * @err:	error text
 *
 * Return: 0, -ENOMEM or -EINVAL.
 */
static int user_slirp_new(struct user_backend *be, struct user_err *err)
{
	const struct user_config *c = &be->cfg;
	SlirpConfig s = {.version = 4};
	const char **search = NULL;
	unsigned int i;

	if (c->ndnssearch) {
		search = calloc(c->ndnssearch + 1, sizeof(*search));
		if (!search)
			return user_err_set(err, -ENOMEM, "out of memory");
		for (i = 0; i < c->ndnssearch; i++)
			search[i] = c->dnssearch[i];
	}
	s.restricted = c->restricted;
	s.in_enabled = c->ipv4;
	s.vnetwork = c->net;
	s.vnetmask = c->mask;
	s.vhost = c->host;
	s.in6_enabled = c->ipv6;
	s.vprefix_addr6 = c->ipv6_prefix;
	s.vprefix_len = (uint8_t)c->ipv6_prefixlen;
	s.vhost6 = c->ipv6_host;
	s.vhostname = c->hostname;
	s.tftp_server_name = c->tftp_server_name;
	s.tftp_path = c->tftp;
	s.bootfile = c->bootfile;
	s.vdhcp_start = c->dhcp_start;
	s.vnameserver = c->dns;
	s.vnameserver6 = c->ipv6_dns;
	s.vdnssearch = search;
	s.vdomainname = c->domainname;
	s.if_mtu = c->mtu;
	s.if_mru = c->mru;
	s.disable_host_loopback = !c->host_loopback;
	s.enable_emu = false;
	/* libslirp keeps these pointers: they live in the backend */
	be->ob4.sin_family = AF_INET;
	be->ob4.sin_addr = c->outbound;
	be->ob6.sin6_family = AF_INET6;
	be->ob6.sin6_addr = c->outbound6;
	s.outbound_addr = c->has_outbound ? &be->ob4 : NULL;
	s.outbound_addr6 = c->has_outbound6 ? &be->ob6 : NULL;
	s.disable_dns = !c->dns_proxy;
	s.disable_dhcp = !c->dhcp;
	be->in_slirp++;
	if (!slirp_new(&s, &user_slirp_cb, be))
		be->slirp = NULL;
	be->in_slirp--;
	free(search);
	if (!be->slirp)
		return user_err_set(err, -EINVAL,
				    "libslirp refused the configuration");
	return 0;
}

static_assert(USER_POOL_FRAMES * USER_SMALL_BUF <= (1u << 20),
	      "the single pool stays within 1 MiB");
static_assert(USER_SMALL_FRAMES >= USER_TXQ_LEN,
	      "a full queue of ACKs fits the small pool");
static_assert(USER_BIG_BYTES / (FRAME_MAX_LEN + 64) >= USER_BIG_MIN,
	      "USER_BIG_MIN buffers of the largest frame fit USER_BIG_BYTES");

/**
 * user_setup_buffers() - size the send pools and the scratch buffer
 * @be:		the backend (config copied in)
 *
 * Frames up to USER_SMALL_BUF bytes (Ethernet header and a VLAN tag on
 * the MTU): one pool of USER_POOL_FRAMES.  Larger: USER_SMALL_FRAMES of
 * USER_SMALL_BUF for short frames, and USER_BIG_BYTES of full-size ones
 * (31 at MTU 65520); pools are resident from the start (MAP_POPULATE).
 *
 * Return: 0 or -ENOMEM.
 */
static int user_setup_buffers(struct user_backend *be)
{
	unsigned int mtu = be->cfg.mtu ? be->cfg.mtu : USER_MTU_DEFAULT;
	unsigned int mru = be->cfg.mru ? be->cfg.mru : USER_MTU_DEFAULT;
	unsigned int nbig;

	/* Ethernet header, plus room for a VLAN tag */
	be->buf_size = (mtu > mru ? mtu : mru) + 18;
	if (be->buf_size < USER_ETH_MIN)
		be->buf_size = USER_ETH_MIN;
	be->max_in = mru + 18;
	if (be->buf_size <= USER_SMALL_BUF) {
		if (pool_init(&be->pool, USER_POOL_FRAMES, be->buf_size, 0))
			return -ENOMEM;
	} else {
		if (pool_init(&be->pool, USER_SMALL_FRAMES, USER_SMALL_BUF, 0))
			return -ENOMEM;
		nbig = USER_BIG_BYTES / ((be->buf_size + POOL_BUF_ALIGN - 1) &
					 ~(POOL_BUF_ALIGN - 1));
		if (pool_init(&be->big, nbig, be->buf_size, 0))
			return -ENOMEM;
	}
	be->owner.release = user_frame_release;
	be->scratch = malloc(FRAME_MAX_LEN);
	return be->scratch ? 0 : -ENOMEM;
}

/**
 * user_open() - start a user netdev on a loop
 * @out:	the backend, on success
 * @cfg:	its configuration (copied)
 * @loop:	the uloop of the calling thread; sockets and timers live there
 * @name:	port name (the netdev id)
 * @err:	on failure, the text ctl prints after "-netdev ...: "
 *
 * Applies the forwarding rules in QEMU's order (guestfwd, then hostfwd,
 * each last to first) and starts smbd's config when smb= is set.  Checks
 * once whether ICMP datagram sockets work (user_ping_warning()).
 *
 * Return: 0; -EINVAL for a bad config or a refused guestfwd; -EADDRINUSE,
 * -EACCES (or another -errno of bind) for a hostfwd; -ENOENT when smbd is
 * missing; -ENOMEM.
 */
int user_open(struct user_backend **out, const struct user_config *cfg,
	      struct uloop *loop, const char *name, struct user_err *err)
{
	struct user_backend *be;
	int ret;

	*out = NULL;
	ret = user_config_check(cfg, err);
	if (ret)
		return ret;
	be = calloc(1, sizeof(*be));
	if (!be)
		return user_err_set(err, -ENOMEM, "out of memory");
	be->loop = loop;
	user_config_defaults(&be->cfg);
	ret = port_init(&be->port, &user_port_ops, PORT_NETDEV, name, 1, be);
	if (ret) {
		free(be);
		return user_err_set(err, ret, "bad netdev name");
	}
	ret = user_config_copy(&be->cfg, cfg);
	ret = ret ?: user_setup_buffers(be);
	if (ret) {
		user_err_set(err, ret, "out of memory");
		goto err_close;
	}
	user_log_capture();
	user_poll_init(be);
	ret = user_slirp_new(be, err);
	ret = ret ?: user_fwd_start(be, err);
	ret = ret ?: user_smb_start(be, err);
	if (ret)
		goto err_close;
	user_ping_init(be);
	user_poll_clock(be);
	be->dirty = true;
	*out = be;
	return 0;

err_close:
	user_close(be);
	return ret;
}

/**
 * user_port() - the backend's port, to connect to a NIC or hub port
 * @be:	the backend
 *
 * Return: the port.
 */
struct port *user_port(struct user_backend *be)
{
	return &be->port;
}

/**
 * user_backend_config() - the configuration the backend runs with
 * @be:	the backend
 *
 * Return: its config (read only).
 */
const struct user_config *user_backend_config(const struct user_backend *be)
{
	return &be->cfg;
}

/**
 * user_try_free() - free the backend once nothing refers to it any more
 * @be:	a closed backend
 *
 * Waits for the kernel to let go of every poll watch and for the peer to
 * return every frame.
 */
void user_try_free(struct user_backend *be)
{
	unsigned int i;

	if (!be->closing || be->slirp || be->deleting || be->frames_out)
		return;
	for (i = 0; i < be->nwatch; i++)
		free(be->watch[i]);
	free(be->watch);
	free(be->fillv);
	free(be->prevv);
	free(be->pfd);
	pool_destroy(&be->pool);
	pool_destroy(&be->big);
	free(be->scratch);
	user_config_free(&be->cfg);
	free(be);
}

/**
 * user_close() - stop a user netdev
 * @be:	the backend (may be NULL)
 *
 * Disconnects the port, closes every socket and forward, stops smbd's
 * directory, and drops queued frames.  Memory is released when the kernel
 * has let go of the poll requests and the peer of our frames: at once when
 * nothing is pending, else from the loop (keep running it, or destroy it
 * with uloop_fini() after this call).
 *
 * Return: 0 when freed now, -EINPROGRESS when the loop finishes the job.
 */
int user_close(struct user_backend *be)
{
	bool pending;

	if (!be)
		return 0;
	be->closing = true;
	port_disconnect(&be->port);
	user_fwd_stop(be);
	if (be->slirp) {
		be->in_slirp++;
		slirp_cleanup(be->slirp);
		be->in_slirp--;
	}
	user_smb_stop(be);
	user_poll_close(be);
	frame_put_n(be->txq, be->ntxq);
	be->ntxq = 0;
	be->slirp = NULL;
	pending = be->deleting || be->frames_out;
	user_try_free(be);
	return pending ? -EINPROGRESS : 0;
}

/**
 * user_get_stats() - copy the backend's counters
 * @be:		the backend
 * @out:	filled
 */
void user_get_stats(const struct user_backend *be, struct user_stats *out)
{
	*out = be->stats;
}

/**
 * user_last_guest_error() - libslirp's last report of guest misbehaviour
 * @be:	the backend
 *
 * Return: the message, or "" (counted in user_stats.guest_errors).
 */
const char *user_last_guest_error(const struct user_backend *be)
{
	return be->guest_error;
}
