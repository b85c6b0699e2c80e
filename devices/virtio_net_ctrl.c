// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net_ctrl.c: the control queue, for front-ends with no VMM in between. */
#include <errno.h>
#include <string.h>

#include "devices/virtio_net_int.h"

/**
 * DOC: control queue
 *
 * QEMU serves the control queue itself and never hands it to a vhost-user
 * back-end. A front-end with no VMM in between (User-Mode Linux's
 * virtio_uml) drives the device directly, so with the ctrl_vq parameter
 * qnet offers VIRTIO_NET_F_CTRL_VQ and answers the queue after the data
 * queues. Each command is a readable class/cmd header and payload, then
 * one writable ack byte. Every length, count and value is checked before
 * anything changes (HARDENING T-26): MAC tables whose counts exceed the
 * payload, VLAN ids >= 4096, queue-pair counts of 0 or above the maximum,
 * unknown classes or commands, short commands: all get VIRTIO_NET_ERR and
 * change nothing. Accepted commands that need no work here (receive
 * modes, MAC filters, VLAN filters: qnet forwards everything) are
 * acknowledged.
 */

/** VN_CTRL_MAX - longest command accepted (a MAC table of 64 + 64 entries) */
#define VN_CTRL_MAX (2 + 8 + 128 * 6)

/**
 * ctrl_le() - read a little-endian value of @n bytes
 * @p:	first byte
 * @n:	1..8
 *
 * Return: the value.
 */
static uint64_t ctrl_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/**
 * ctrl_mac_table() - check a MAC_TABLE_SET payload (two tables)
 * @d:		payload
 * @len:	its length
 *
 * Return: true when both counts fit the payload exactly.
 */
static bool ctrl_mac_table(const uint8_t *d, uint32_t len)
{
	uint32_t off = 0, t;

	for (t = 0; t < 2; t++) {
		uint64_t n;

		if (len - off < 4)
			return false;
		n = ctrl_le(d + off, 4);
		off += 4;
		if (n > (len - off) / 6)
			return false;
		off += (uint32_t)n * 6;
	}
	return off == len;
}

/**
 * ctrl_cmd() - check and apply one command
 * @vn:		the device
 * @cls:	class
 * @cmd:	command
 * @d:		payload
 * @len:	its length
 *
 * Return: VIRTIO_NET_OK or VIRTIO_NET_ERR.
 */
static uint8_t ctrl_cmd(struct virtio_net *vn, uint8_t cls, uint8_t cmd,
			const uint8_t *d, uint32_t len)
{
	bool ok = false;

	switch (cls) {
	case VIRTIO_NET_CTRL_RX:
		ok = cmd <= VIRTIO_NET_CTRL_RX_NOBCAST && len == 1 && d[0] <= 1;
		break;
	case VIRTIO_NET_CTRL_MAC:
		if (cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET)
			ok = ctrl_mac_table(d, len);
		else if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET && len == 6)
			ok = !(d[0] & 1);	/* not multicast */
		if (ok && cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET)
			memcpy(vn->p.mac, d, 6);
		break;
	case VIRTIO_NET_CTRL_VLAN:
		ok = cmd <= VIRTIO_NET_CTRL_VLAN_DEL && len == 2 &&
		     ctrl_le(d, 2) < 4096;
		break;
	case VIRTIO_NET_CTRL_ANNOUNCE:
		ok = cmd == VIRTIO_NET_CTRL_ANNOUNCE_ACK && len == 0;
		break;
	case VIRTIO_NET_CTRL_MQ:
		ok = cmd == VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET && len == 2 &&
		     ctrl_le(d, 2) >= 1 && ctrl_le(d, 2) <= vn->p.queues;
		break;
	default:
		break;
	}
	vn->cstats.ctrl_cmds++;
	if (!ok)
		vn->cstats.ctrl_errors++;
	return ok ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
}

/**
 * ctrl_chain() - handle one popped control chain
 * @vn:	the device
 * @vq:	the control queue
 * @c:	the chain
 *
 * Return: bytes written into the chain (1: the ack; 0: malformed chain).
 */
static uint32_t ctrl_chain(struct virtio_net *vn, struct virtq *vq,
			   struct virtq_chain *c)
{
	uint8_t buf[VN_CTRL_MAX], ack;

	if (c->nw == 0 || c->rlen < 2) {
		vn->cstats.ctrl_errors++;
		return 0;
	}
	if (c->rlen > VN_CTRL_MAX) {
		ack = VIRTIO_NET_ERR;
		vn->cstats.ctrl_errors++;
	} else {
		vn_iov_from(buf, c->iov, c->nr, 0, c->rlen);
		ack = ctrl_cmd(vn, buf[0], buf[1], buf + 2,
			       (uint32_t)c->rlen - 2);
	}
	vn_iov_to(c->iov + c->nr, c->nw, 0, &ack, 1);
	return 1;
}

/**
 * vn_ctrl_run() - answer the commands on the control queue (bounded by
 * the queue size per kick)
 * @vn:	the device
 */
void vn_ctrl_run(struct virtio_net *vn)
{
	struct virtq *vq = &vn->vu.vq[2 * vn->p.queues];
	struct virtq_chain *c = &vn->ctrl_chain;
	unsigned int budget;

	if (!virtq_ready(vq))
		return;
	for (budget = vq->num; budget; budget--) {
		int ret = virtq_pop(vq, c);

		if (ret == -EAGAIN || ret == -EIO)
			break;
		virtq_push(vq, c->head, c->ndesc, ret ? 0 : ctrl_chain(vn, vq, c));
	}
	virtq_flush(vq);
	virtq_notify(vq);
}
