/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ack_coalesce.c: experiment for bench-user: drop pure TCP ACKs that a later ACK in the same batch supersedes. */
#include <stdbool.h>
#include <string.h>

#include "benchmarks/user/ack_coalesce.h"

#define ACKC_ETH_LEN 14
#define ACKC_TCP_ACK 0x10

/**
 * struct ackc_key - one connection's pure ACK, as parsed
 * @addrs:	IPv4 source and destination, as in the frame
 * @ports:	TCP source and destination ports, as in the frame
 * @ack:	acknowledgement number (host order)
 */
struct ackc_key {
	uint32_t addrs[2];
	uint32_t ports;
	uint32_t ack;
};

static uint32_t ackc_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * ackc_parse() - is @f a pure IPv4 TCP ACK without options?
 * @f:	the frame
 * @k:	its connection and acknowledgement number, when it is
 *
 * Return: true for a pure ACK (ACK flag only, no payload, no TCP options,
 * not a fragment).
 */
static bool ackc_parse(const struct frame *f, struct ackc_key *k)
{
	const uint8_t *d = f->data, *ip, *tcp;
	unsigned int ihl, tot;

	if (f->has_vnet || f->len < ACKC_ETH_LEN + 20 + 20 || d[12] != 0x08 ||
	    d[13] != 0x00)
		return false;
	ip = d + ACKC_ETH_LEN;
	ihl = (ip[0] & 0x0f) * 4u;
	tot = (unsigned int)ip[2] << 8 | ip[3];
	if ((ip[0] >> 4) != 4 || ip[9] != 6 || ihl < 20 ||
	    (((ip[6] & 0x3f) << 8) | ip[7]) != 0 || tot != ihl + 20 ||
	    ACKC_ETH_LEN + tot > f->len)
		return false;
	tcp = ip + ihl;
	if ((tcp[12] >> 4) != 5 || tcp[13] != ACKC_TCP_ACK)
		return false;
	memcpy(k->addrs, ip + 12, sizeof(k->addrs));
	memcpy(&k->ports, tcp, sizeof(k->ports));
	k->ack = ackc_be32(tcp + 8);
	return true;
}

/**
 * ackc_filter() - keep, in order, the frames no later ACK supersedes
 * @a:		the pair (counters)
 * @f:		the batch from the backend
 * @n:		its size (at most FRAME_BATCH_MAX)
 * @keep:	the frames to forward
 *
 * Walks the batch from its end, remembering per connection the highest
 * acknowledgement number seen later in the batch.
 *
 * Return: frames in @keep.
 */
static unsigned int ackc_filter(struct ackc *a, struct frame **f,
				unsigned int n, struct frame **keep)
{
	struct ackc_key seen[FRAME_BATCH_MAX], k;
	bool drop[FRAME_BATCH_MAX] = {false};
	unsigned int nseen = 0, i, j, out = 0;

	for (i = n; i-- > 0;) {
		if (!ackc_parse(f[i], &k))
			continue;
		a->acks++;
		for (j = 0; j < nseen; j++)
			if (!memcmp(&seen[j], &k,
				    offsetof(struct ackc_key, ack)))
				break;
		if (j == nseen) {
			seen[nseen++] = k;
		} else if ((int32_t)(seen[j].ack - k.ack) > 0) {
			drop[i] = true;
		} else {
			seen[j].ack = k.ack;
		}
	}
	for (i = 0; i < n; i++)
		if (!drop[i])
			keep[out++] = f[i];
	return out;
}

/**
 * ackc_up_receive() - frames from the backend toward the guest
 * @p:		@up
 * @queue:	the queue (0)
 * @f:		the frames
 * @n:		how many
 *
 * Forwards the frames no later ACK supersedes; what the frontend cannot
 * take is dropped as queue_full on @down, as the backend (never held)
 * would have had it dropped.
 *
 * Return: @n.
 */
static unsigned int ackc_up_receive(struct port *p, unsigned int queue,
				    struct frame **f, unsigned int n)
{
	struct ackc *a = p->priv;
	struct frame *keep[FRAME_BATCH_MAX];
	unsigned int k;

	k = ackc_filter(a, f, n, keep);
	if (k < n) {
		a->dropped += n - k;
		port_count_drop(&a->up, queue, PORT_DROP_FILTER, n - k);
	}
	port_send(&a->down, queue, keep, k, false);
	return n;
}

/**
 * ackc_down_receive() - frames from the guest toward the backend
 * @p:		@down
 * @queue:	the queue (0)
 * @f:		the frames
 * @n:		how many
 *
 * Return: how many the backend took; when fewer, it holds @up and this
 * holds the frontend until ackc_up_resume().
 */
static unsigned int ackc_down_receive(struct port *p, unsigned int queue,
				      struct frame **f, unsigned int n)
{
	struct ackc *a = p->priv;

	return port_send(&a->up, queue, f, n, true);
}

/* the backend takes frames again: so do we */
static void ackc_up_resume(struct port *p, unsigned int queue)
{
	struct ackc *a = p->priv;

	port_wake(&a->down, queue);
}

static const struct port_ops ackc_up_ops = {
	.receive = ackc_up_receive,
	.resume = ackc_up_resume,
};

static const struct port_ops ackc_down_ops = {
	.receive = ackc_down_receive,
};

/**
 * ackc_init() - set up the pair (connect @up to the backend's port and
 * @down to the frontend's)
 * @a:	the pair
 *
 * Return: 0 or -errno from port_init().
 */
int ackc_init(struct ackc *a)
{
	int ret;

	memset(a, 0, sizeof(*a));
	ret = port_init(&a->up, &ackc_up_ops, PORT_NIC, "ackc.up", 1, a);
	return ret
		       ?: port_init(&a->down, &ackc_down_ops, PORT_NETDEV,
				    "ackc.down", 1, a);
}
