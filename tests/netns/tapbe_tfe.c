// SPDX-License-Identifier: GPL-2.0-or-later
/* tapbe_tfe.c: a test front-end port (a stand-in NIC) that streams numbered frames and records what it gets. */

#include <string.h>

#include "datapath/frame_hot.h"
#include "tests/netns/tapbe.h"

static const uint8_t tfe_mac[6] = { 0x02, 0, 0, 0, 0, 0x0a };

static unsigned int tfe_receive(struct port *p, unsigned int q,
				struct frame **f, unsigned int n)
{
	struct tfe *e = p->priv;
	unsigned int i, take = n, qq;
	uint32_t seq;

	if (e->stall)
		return 0;
	if (e->capacity && take > e->capacity)
		take = e->capacity;
	for (i = 0; i < take; i++) {
		e->rx[q]++;
		e->rx_bytes += f[i]->len;
		if (f[i]->has_vnet) {
			e->last_vnet = f[i]->vnet;
			if (f[i]->vnet.gso_type) {
				e->rx_gso++;
				e->last_len = f[i]->len;
			}
		}
		if (tb_parse(f[i]->data, f[i]->len, &seq, &qq) &&
		    seq < TB_SEQ_MAX) {
			e->seen[seq] = 1;
			e->last_len = f[i]->len;
		}
	}
	return take;
}

static void tfe_resume(struct port *p, unsigned int q)
{
	struct tfe *e = p->priv;

	e->resumes++;
	tfe_pump(e, q);
}

static void tfe_link_changed(struct port *p)
{
	struct tfe *e = p->priv;

	e->link_changes++;
}

static const struct port_ops tfe_ops = {
	.receive = tfe_receive,
	.resume = tfe_resume,
	.link_changed = tfe_link_changed,
};

/**
 * tfe_init() - a front-end with @nqueues queues sending @len-byte frames
 * @e:       storage
 * @nqueues: queues
 * @len:     frame length
 */
void tfe_init(struct tfe *e, unsigned int nqueues, unsigned int len)
{
	unsigned int q;

	memset(e, 0, sizeof(*e));
	e->len = len;
	e->seen = calloc(TB_SEQ_MAX, 1);
	TB_CHECK(e->seen);
	for (q = 0; q < nqueues; q++)
		TB_CHECK(pool_init(&e->pool[q], 1024, 2048, 0) == 0);
	TB_CHECK(port_init(&e->port, &tfe_ops, PORT_NIC, "tfe", nqueues, e) ==
		 0);
}

/**
 * tfe_fini() - drop held frames and free the pools
 * @e: the front-end
 */
void tfe_fini(struct tfe *e)
{
	unsigned int q;

	port_disconnect(&e->port);
	for (q = 0; q < e->port.nqueues; q++) {
		frame_put_n(e->held[q], e->nheld[q]);
		e->nheld[q] = 0;
		TB_CHECK(pool_destroy(&e->pool[q]) == 0);
	}
	free(e->seen);
}

/* Offer the held frames again. Return: true when none are left held. */
static bool tfe_offer_held(struct tfe *e, unsigned int q)
{
	unsigned int n = e->nheld[q], done;

	if (!n)
		return true;
	done = port_send(&e->port, q, e->held[q], n, true);
	frame_put_n(e->held[q], done);
	memmove(e->held[q], e->held[q] + done,
		(n - done) * sizeof(e->held[q][0]));
	e->nheld[q] = n - done;
	return e->nheld[q] == 0;
}

/**
 * tfe_pump() - send as much as the peer takes: held frames first, then new
 * numbered frames from the pool, a batch at a time
 * @e: the front-end
 * @q: queue
 */
void tfe_pump(struct tfe *e, unsigned int q)
{
	struct frame *f[FRAME_BATCH_MAX];
	unsigned int n, i, done;

	while (tfe_offer_held(e, q) && e->to_send[q]) {
		n = e->to_send[q] < FRAME_BATCH_MAX ?
			    (unsigned int)e->to_send[q] : FRAME_BATCH_MAX;
		n = pool_alloc_bulk(&e->pool[q], f, n);
		if (!n)
			return;	/* frames come back as writes complete */
		for (i = 0; i < n; i++) {
			f[i]->len = tb_build(f[i]->data, e->len,
					     e->next_seq[q]++, q, tfe_mac);
			f[i]->queue = (uint16_t)q;
		}
		e->to_send[q] -= n;
		done = port_send(&e->port, q, f, n, true);
		frame_put_n(f, done);
		memcpy(e->held[q], f + done, (n - done) * sizeof(f[0]));
		e->nheld[q] = n - done;
	}
}

/**
 * tfe_send() - queue @n more frames on @q and start sending
 * @e: the front-end
 * @q: queue
 * @n: frames
 */
void tfe_send(struct tfe *e, unsigned int q, uint64_t n)
{
	e->to_send[q] += n;
	tfe_pump(e, q);
}

/**
 * tfe_unstall() - take frames again and wake the held tap
 * @e: the front-end
 * @q: queue
 */
void tfe_unstall(struct tfe *e, unsigned int q)
{
	e->stall = false;
	port_wake(&e->port, q);
}

/**
 * tfe_seen_count() - how many of sequence numbers [0, n) were received
 * @e: the front-end
 * @n: bound
 *
 * Return: the count.
 */
unsigned int tfe_seen_count(const struct tfe *e, uint32_t n)
{
	unsigned int c = 0;
	uint32_t i;

	for (i = 0; i < n && i < TB_SEQ_MAX; i++)
		c += e->seen[i];
	return c;
}

static void tfe_hook_fn(struct uloop *loop, struct uloop_hook *h)
{
	struct tfe_hook *th = (struct tfe_hook *)(void *)h;

	if (th->e->to_send[th->q] || th->e->nheld[th->q])
		tfe_pump(th->e, th->q);
}

/**
 * tfe_attach() - keep sending queue @q from @loop's per-iteration hook
 * (pool frames come back as the tap's writes complete)
 * @e:    the front-end
 * @q:    queue
 * @loop: the loop queue @q runs on (its thread)
 */
void tfe_attach(struct tfe *e, unsigned int q, struct uloop *loop)
{
	e->hooks[q].h.fn = tfe_hook_fn;
	e->hooks[q].e = e;
	e->hooks[q].q = q;
	uloop_hook_add(loop, &e->hooks[q].h);
}

/**
 * tfe_detach() - remove the hook of tfe_attach()
 * @e:    the front-end
 * @q:    queue
 * @loop: its loop
 */
void tfe_detach(struct tfe *e, unsigned int q, struct uloop *loop)
{
	uloop_hook_del(loop, &e->hooks[q].h);
}
