/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port.c: ports, 1:1 peers, link state, backpressure and per-queue counters. */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "datapath/port.h"

/* Stable names: the monitor, QMP and tests use them; never rename one. */
/* clang-format off */
static const char *const port_drop_names[] = {
	[PORT_DROP_LINK_DOWN]	= "link_down",
	[PORT_DROP_NO_PEER]	= "no_peer",
	[PORT_DROP_QUEUE_FULL]	= "queue_full",
	[PORT_DROP_RUNT]	= "runt",
	[PORT_DROP_GIANT]	= "giant",
	[PORT_DROP_BAD_VNET]	= "bad_vnet_hdr",
	[PORT_DROP_MALFORMED]	= "malformed",
	[PORT_DROP_NO_BUFFER]	= "no_rx_buffer",
	[PORT_DROP_IO_ERROR]	= "io_error",
	[PORT_DROP_FILTER]	= "filtered",
};
/* clang-format on */

/* Filter verdicts are a bit per frame of a batch; positions fit a byte. */
static_assert(FRAME_BATCH_MAX <= 64, "a batch fits a 64-bit drop mask");

static_assert(sizeof(port_drop_names) / sizeof(port_drop_names[0]) ==
		      PORT_DROP_COUNT,
	      "every drop reason has a name");

/**
 * port_init() - set up a port: no peer, link up, counters at zero
 * @p:		the port
 * @ops:	its operations (@ops->receive is required)
 * @kind:	NIC, netdev or hub port
 * @name:	id shown to the user, shorter than PORT_NAME_MAX
 * @nqueues:	queue pairs, 1..PORT_MAX_QUEUES
 * @priv:	owner's state, left in @p->priv
 *
 * Return: 0, -EINVAL for a bad argument, -ENAMETOOLONG for a long @name.
 */
int port_init(struct port *p, const struct port_ops *ops, enum port_kind kind,
	      const char *name, unsigned int nqueues, void *priv)
{
	if (!p || !ops || !ops->receive || !name ||
	    (unsigned int)kind >= PORT_KIND_COUNT || nqueues == 0 ||
	    nqueues > PORT_MAX_QUEUES)
		return -EINVAL;
	if (strlen(name) >= PORT_NAME_MAX)
		return -ENAMETOOLONG;
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->kind = kind;
	strcpy(p->name, name);
	p->nqueues = nqueues;
	p->link_up = true;
	p->priv = priv;
	return 0;
}

/**
 * port_filt_reset() - forget the filters' verdicts held for @p as a sender
 * @p:	the port (NULL is ignored)
 *
 * Called when what @p offers next is not what its peer held (a new peer,
 * a link going down, a filter added or removed).
 */
static void port_filt_reset(struct port *p)
{
	if (!p)
		return;
	memset(p->filt_ahead, 0, sizeof(p->filt_ahead));
	memset(p->filt_drop, 0, sizeof(p->filt_drop));
}

/**
 * port_connect() - make two ports each other's peer
 * @a:	one port
 * @b:	the other
 *
 * Return: 0; -EINVAL if @a is @b or their queue counts differ; -EBUSY if
 * either already has a peer (nothing changes).
 */
int port_connect(struct port *a, struct port *b)
{
	if (!a || !b || a == b || a->nqueues != b->nqueues)
		return -EINVAL;
	if (a->peer || b->peer)
		return -EBUSY;
	a->peer = b;
	b->peer = a;
	memset(a->waiting, 0, sizeof(a->waiting));
	memset(b->waiting, 0, sizeof(b->waiting));
	port_filt_reset(a);
	port_filt_reset(b);
	return 0;
}

/**
 * port_wake_all() - resume every sender @p holds, on every queue
 * @p:	the port
 */
static void port_wake_all(struct port *p)
{
	unsigned int q;

	for (q = 0; q < p->nqueues; q++)
		port_wake(p, q);
}

/**
 * port_disconnect() - break the link between @p and its peer
 * @p:	the port (nothing happens without a peer)
 *
 * Both ends hear of it (port_ops.peer_lost: a port reading its peer's
 * frames itself stops), then senders held by either end are resumed: what
 * they offer again is dropped as no_peer instead of waiting forever.
 */
void port_disconnect(struct port *p)
{
	struct port *peer = p->peer;

	if (!peer)
		return;
	p->peer = NULL;
	peer->peer = NULL;
	port_filt_reset(p);
	port_filt_reset(peer);
	if (p->ops->peer_lost)
		p->ops->peer_lost(p);
	if (peer->ops->peer_lost)
		peer->ops->peer_lost(peer);
	port_wake_all(p);
	port_wake_all(peer);
}

/**
 * port_count_direct() - count frames that went from @src to @dst: those
 * port_send() handed over, and those a receiver read from its peer itself
 * (port_ops.read_direct)
 * @src:	the port the frames came from
 * @dst:	the port that read them
 * @queue:	the queue
 * @n:		frames
 * @bytes:	their bytes
 */
void port_count_direct(struct port *src, struct port *dst, unsigned int queue,
		       unsigned int n, uint64_t bytes)
{
	src->stats[queue].tx_packets += n;
	src->stats[queue].tx_bytes += bytes;
	dst->stats[queue].rx_packets += n;
	dst->stats[queue].rx_bytes += bytes;
}

/**
 * port_count_bad() - charge a frame of impossible length to its sender
 * @src:	the sender
 * @queue:	its queue
 * @f:		the frame (shorter than FRAME_MIN_LEN or longer than
 *		FRAME_MAX_LEN)
 */
static void port_count_bad(struct port *src, unsigned int queue,
			   const struct frame *f)
{
	enum port_drop why =
		f->len < FRAME_MIN_LEN ? PORT_DROP_RUNT : PORT_DROP_GIANT;

	src->stats[queue].drops[why]++;
}

/**
 * port_good_run() - leading frames whose length a peer may be offered
 * @f:		the frames
 * @n:		how many
 * @bytes:	set to the total length of the run
 *
 * Return: how many frames from @f[0] are FRAME_MIN_LEN..FRAME_MAX_LEN long.
 */
static unsigned int port_good_run(struct frame *const *f, unsigned int n,
				  uint64_t *bytes)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t len = f[i]->len;

		if (len < FRAME_MIN_LEN || len > FRAME_MAX_LEN)
			break;
		sum += len;
	}
	*bytes = sum;
	return i;
}

/**
 * port_offer() - offer a run of well-formed frames to the peer, counting
 * @src:	the sender
 * @dst:	its peer
 * @queue:	the queue
 * @f:		the frames
 * @n:		how many (at least one)
 * @bytes:	their total length
 *
 * Return: how many the peer took (a prefix of @f).
 */
static unsigned int port_offer(struct port *src, struct port *dst,
			       unsigned int queue, struct frame **f,
			       unsigned int n, uint64_t bytes)
{
	unsigned int took = dst->ops->receive(dst, queue, f, n);

	assert(took <= n);
	if (took < n)
		bytes = frame_bytes(f, took);
	port_count_direct(src, dst, queue, took, bytes);
	return took;
}

/**
 * DOC: filters in port_send()
 *
 * A port may carry filters (struct port_filter): qnet's user-space
 * captures and drop/allow filters of the netdev the port stands for.
 * port_send() runs the sender's filters (PORT_DIR_OUT, in list order) and
 * then the receiver's (PORT_DIR_IN, in reverse order, as QEMU runs a
 * netdev's filters), on the well-formed frames of each batch of at most
 * FRAME_BATCH_MAX, before the peer's receive(). A frame a filter drops is
 * not shown to the filters after it, and is charged to the sender as
 * `filtered` (send side). Without any filter on either end the only cost
 * is one predictable branch.
 *
 * Each frame passes the filters once. When the peer holds the sender in
 * the middle of a filtered batch, the verdicts of the frames not yet done
 * are kept (@filt_ahead, @filt_drop) and applied to the front of the
 * sender's next offer, which by the backpressure contract is those same
 * frames, oldest first.
 */

/**
 * port_filter_one() - run one filter on the surviving frames of a batch
 * @pf:		the filter
 * @dir:	direction from the filter's port
 * @queue:	the queue
 * @g:		surviving frames (compacted in place)
 * @idx:	their positions in the batch (compacted alongside)
 * @m:		how many survive
 * @drop:	bit per batch position: gets the frames @pf drops
 *
 * Return: how many survive @pf.
 */
static unsigned int port_filter_one(struct port_filter *pf, enum port_dir dir,
				    unsigned int queue, struct frame **g,
				    uint8_t *idx, unsigned int m,
				    uint64_t *drop)
{
	uint64_t d = pf->run(pf->arg, dir, queue, g, m);
	unsigned int j, k;

	if (!d)
		return m;
	for (j = k = 0; j < m; j++) {
		if (d & (1ull << j)) {
			*drop |= 1ull << idx[j];
		} else {
			g[k] = g[j];
			idx[k++] = idx[j];
		}
	}
	return k;
}

/**
 * port_filter_batch() - the filters' verdicts on one batch
 * @src:	the sender
 * @dst:	its peer
 * @queue:	the queue
 * @f:		the frames
 * @n:		how many (1..FRAME_BATCH_MAX)
 *
 * Runts and giants are not shown to the filters (port_send() drops them).
 *
 * Return: bit i set: a filter dropped f[i].
 */
static uint64_t port_filter_batch(struct port *src, struct port *dst,
				  unsigned int queue, struct frame **f,
				  unsigned int n)
{
	struct frame *g[FRAME_BATCH_MAX];
	uint8_t idx[FRAME_BATCH_MAX];
	uint64_t drop = 0;
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		if (f[i]->len < FRAME_MIN_LEN || f[i]->len > FRAME_MAX_LEN)
			continue;
		g[m] = f[i];
		idx[m++] = (uint8_t)i;
	}
	for (i = 0; i < src->nfilters && m; i++)
		m = port_filter_one(src->filters[i], PORT_DIR_OUT, queue, g,
				    idx, m, &drop);
	for (i = dst->nfilters; i-- > 0 && m;)
		m = port_filter_one(dst->filters[i], PORT_DIR_IN, queue, g, idx,
				    m, &drop);
	return drop;
}

/**
 * port_send_batch() - port_send() of one filtered batch
 * @src:	the sender
 * @dst:	its peer
 * @queue:	the queue
 * @f:		the frames
 * @n:		how many (1..FRAME_BATCH_MAX)
 * @drop:	the filters' verdicts (bit i: drop f[i])
 * @can_hold:	the sender may be held
 *
 * Return: how many frames at the front of @f are done with; fewer than @n
 * only when the sender was held.
 */
static unsigned int port_send_batch(struct port *src, struct port *dst,
				    unsigned int queue, struct frame **f,
				    unsigned int n, uint64_t drop,
				    bool can_hold)
{
	unsigned int i = 0, run, took;
	uint64_t bytes;

	while (i < n) {
		if (drop & (1ull << i)) {
			src->stats[queue].drops[PORT_DROP_FILTER]++;
			i++;
			continue;
		}
		run = port_good_run(f + i, n - i, &bytes);
		if (run == 0) {
			port_count_bad(src, queue, f[i++]);
			continue;
		}
		if (drop >> i) {	/* the run ends at the next drop */
			unsigned int next =
				(unsigned int)__builtin_ctzll(drop >> i);

			if (next < run) {
				run = next;
				bytes = frame_bytes(f + i, run);
			}
		}
		took = port_offer(src, dst, queue, f + i, run, bytes);
		i += took;
		if (took == run)
			continue;
		if (can_hold) {
			dst->waiting[queue] = src;
			return i;
		}
		src->stats[queue].drops[PORT_DROP_QUEUE_FULL] += run - took;
		i += run - took;
	}
	return n;
}

/**
 * port_send_filtered() - port_send() when either end has filters
 * @src:	the sender
 * @dst:	its peer (both links up)
 * @queue:	the queue
 * @f:		the frames
 * @n:		how many (at least one)
 * @can_hold:	the sender may be held (it has a resume hook)
 *
 * Return: as port_send().
 */
static unsigned int port_send_filtered(struct port *src, struct port *dst,
				       unsigned int queue, struct frame **f,
				       unsigned int n, bool can_hold)
{
	unsigned int ahead = src->filt_ahead[queue], done = 0, c, k;
	uint64_t mask = src->filt_drop[queue], drop;

	src->filt_ahead[queue] = 0;
	src->filt_drop[queue] = 0;
	while (done < n) {
		c = n - done < FRAME_BATCH_MAX ? n - done : FRAME_BATCH_MAX;
		if (ahead) {	/* frames the filters saw before a hold */
			c = c < ahead ? c : ahead;
			drop = mask;
			ahead -= c;
			mask = c < 64 ? mask >> c : 0;
		} else {
			drop = port_filter_batch(src, dst, queue, f + done, c);
		}
		k = port_send_batch(src, dst, queue, f + done, c, drop,
				    can_hold);
		done += k;
		if (k == c)
			continue;
		/* held: keep the verdicts of f[done..] for the next offer */
		src->filt_ahead[queue] = (uint8_t)(c - k + ahead);
		src->filt_drop[queue] = (drop >> k) |
					(ahead ? mask << (c - k) : 0);
		return done;
	}
	if (ahead) {	/* the sender offered fewer than it was held with */
		src->filt_ahead[queue] = (uint8_t)ahead;
		src->filt_drop[queue] = mask;
	}
	return done;
}

/**
 * port_send() - offer frames to @src's peer on @queue
 * @src:	the sending port
 * @queue:	queue index, below @src->nqueues
 * @f:		the frames; the caller keeps its reference to each
 * @n:		how many (at most FRAME_BATCH_MAX is typical, any is allowed)
 * @can_hold:	the sender keeps what the peer does not take and offers it
 *		again when its resume hook runs (needs @src->ops->resume)
 *
 * Without a peer every frame is dropped as no_peer; with either end's link
 * down, as link_down.  Frames shorter than FRAME_MIN_LEN (runt) or longer
 * than FRAME_MAX_LEN (giant) are dropped one by one; the rest go to the
 * peer's receive().  When the peer takes fewer than offered, a sender that
 * can be held is recorded as waiting on the peer and the call stops; one
 * that cannot is charged queue_full for each frame not taken.  Every drop
 * is charged to @src on @queue; frames taken count as @src's tx and the
 * peer's rx.  Filters on either end see the well-formed frames first and
 * may drop some (`filtered`, see "filters in port_send()").  Never
 * allocates, never blocks.
 *
 * Return: how many frames at the front of @f are done with (taken or
 * dropped and counted).  Always @n unless the sender was held; then
 * f[ret..n) were neither taken nor counted and are still the sender's.
 */
unsigned int port_send(struct port *src, unsigned int queue, struct frame **f,
		       unsigned int n, bool can_hold)
{
	struct port *dst = src->peer;
	unsigned int done = 0;

	assert(queue < src->nqueues);
	if (n == 0)
		return 0;
	if (!dst) {
		src->stats[queue].drops[PORT_DROP_NO_PEER] += n;
		return n;
	}
	if (!src->link_up || !dst->link_up) {
		src->stats[queue].drops[PORT_DROP_LINK_DOWN] += n;
		return n;
	}
	can_hold = can_hold && src->ops->resume;
	if (__builtin_expect((src->nfilters | dst->nfilters) != 0, 0))
		return port_send_filtered(src, dst, queue, f, n, can_hold);
	while (done < n) {
		uint64_t bytes;
		unsigned int run = port_good_run(f + done, n - done, &bytes);
		unsigned int took;

		if (run == 0) {
			port_count_bad(src, queue, f[done++]);
			continue;
		}
		took = port_offer(src, dst, queue, f + done, run, bytes);
		done += took;
		if (took == run)
			continue;
		if (can_hold) {
			dst->waiting[queue] = src;
			return done;
		}
		src->stats[queue].drops[PORT_DROP_QUEUE_FULL] += run - took;
		done += run - took;
	}
	return done;
}

/**
 * port_wake() - @p can take more on @queue: resume the sender it holds
 * @p:		the receiving port
 * @queue:	the queue
 *
 * Call it outside @p's own receive().  The held sender's resume hook runs
 * now (it typically offers its frames again); without one held, nothing
 * happens.
 */
void port_wake(struct port *p, unsigned int queue)
{
	struct port *s;

	assert(queue < p->nqueues);
	s = p->waiting[queue];
	if (!s)
		return;
	p->waiting[queue] = NULL;
	if (s->ops->resume)
		s->ops->resume(s, queue);
}

/**
 * port_set_link() - set this end's link state
 * @p:	the port
 * @up:	true for up
 *
 * Both ends' link_changed hooks run on a change.  Taking a link down
 * resumes every sender either end holds, so what they offer again is
 * dropped as link_down rather than held forever.  (QEMU's set_link also
 * takes a NIC peer's link down; ctl does that by calling this on both.)
 */
void port_set_link(struct port *p, bool up)
{
	struct port *peer = p->peer;

	if (p->link_up == up)
		return;
	p->link_up = up;
	if (p->ops->link_changed)
		p->ops->link_changed(p);
	if (peer && peer->ops->link_changed)
		peer->ops->link_changed(peer);
	if (up)
		return;
	port_filt_reset(p);
	port_filt_reset(peer);
	port_wake_all(p);
	if (p->peer)
		port_wake_all(p->peer);
}

/**
 * port_link_ok() - whether frames can cross @p's link
 * @p:	the port
 *
 * Return: true if @p has a peer and both ends' links are up.
 */
bool port_link_ok(const struct port *p)
{
	return p->link_up && p->peer && p->peer->link_up;
}

/**
 * port_count_drop() - charge @n dropped frames to @p on @queue
 * @p:		the port
 * @queue:	queue index, below @p->nqueues
 * @why:	the reason
 * @n:		how many frames
 */
void port_count_drop(struct port *p, unsigned int queue, enum port_drop why,
		     unsigned int n)
{
	assert(queue < p->nqueues && (unsigned int)why < PORT_DROP_COUNT);
	p->stats[queue].drops[why] += n;
}

/**
 * port_drop_name() - stable snake_case name of a drop reason
 * @why:	the reason
 *
 * Return: the name ("link_down", "queue_full", ...), or NULL for a value
 * that is not a reason.
 */
const char *port_drop_name(enum port_drop why)
{
	if ((unsigned int)why >= PORT_DROP_COUNT)
		return NULL;
	return port_drop_names[why];
}

/**
 * port_stats_sum() - add up the counters of all of @p's queues
 * @p:		the port
 * @sum:	filled with the totals
 */
void port_stats_sum(const struct port *p, struct port_stats *sum)
{
	unsigned int q, r;

	memset(sum, 0, sizeof(*sum));
	for (q = 0; q < p->nqueues; q++) {
		const struct port_stats *s = &p->stats[q];

		sum->rx_packets += s->rx_packets;
		sum->rx_bytes += s->rx_bytes;
		sum->tx_packets += s->tx_packets;
		sum->tx_bytes += s->tx_bytes;
		for (r = 0; r < PORT_DROP_COUNT; r++)
			sum->drops[r] += s->drops[r];
	}
}

/**
 * port_stats_drops() - all drops in one set of counters
 * @s:	the counters
 *
 * Return: the sum of @s->drops over every reason.
 */
uint64_t port_stats_drops(const struct port_stats *s)
{
	uint64_t sum = 0;
	unsigned int r;

	for (r = 0; r < PORT_DROP_COUNT; r++)
		sum += s->drops[r];
	return sum;
}

/**
 * port_filter_add() - put a filter at the end of @p's list
 * @p:		the port
 * @pf:		the filter (@pf->run set); stays the caller's
 *
 * Call it from the thread that runs @p (no frame in flight).
 *
 * Return: 0; -EINVAL for a filter without @run or already on @p;
 * -ENOSPC when PORT_MAX_FILTERS are on @p.
 */
int port_filter_add(struct port *p, struct port_filter *pf)
{
	unsigned int i;

	if (!pf || !pf->run)
		return -EINVAL;
	for (i = 0; i < p->nfilters; i++)
		if (p->filters[i] == pf)
			return -EINVAL;
	if (p->nfilters == PORT_MAX_FILTERS)
		return -ENOSPC;
	p->filters[p->nfilters++] = pf;
	port_filt_reset(p);
	port_filt_reset(p->peer);
	return 0;
}

/**
 * port_filter_del() - take a filter off @p (not on it: nothing happens)
 * @p:		the port
 * @pf:		the filter
 */
void port_filter_del(struct port *p, struct port_filter *pf)
{
	unsigned int i;

	for (i = 0; i < p->nfilters && p->filters[i] != pf; i++)
		;
	if (i == p->nfilters)
		return;
	memmove(&p->filters[i], &p->filters[i + 1],
		(p->nfilters - i - 1) * sizeof(p->filters[0]));
	p->filters[--p->nfilters] = NULL;
	port_filt_reset(p);
	port_filt_reset(p->peer);
}
