// SPDX-License-Identifier: GPL-2.0-or-later
/* ncap.c: netns suite capture port (records, budgets, sends) and test frames.
 */

#include <stdlib.h>
#include <string.h>

#include "datapath/frame_hot.h"
#include "tests/netns/nstest.h"

/* --- capture port --------------------------------------------------------- */

#define ncap_of(p)                                                             \
	((struct ncap *)(void *)((char *)(p)-offsetof(struct ncap, port)))

/**
 * ncap_record() - keep a copy of a test frame, in arrival order
 * @c:	the capture port
 * @f:	the frame
 */
static void ncap_record(struct ncap *c, const struct frame *f)
{
	CHECK(c->n < NCAP_MAX && c->used + f->len <= NCAP_ARENA);
	c->off[c->n] = (uint32_t)c->used;
	c->len[c->n] = f->len;
	memcpy(c->arena + c->used, f->data, f->len);
	c->used += f->len;
	c->n++;
}

/**
 * ncap_receive() - take up to the budget: record test frames, count others
 * @p:		the capture port's port
 * @queue:	0
 * @f:		frames offered
 * @n:		how many
 *
 * Return: how many were taken (fewer than @n holds the sender).
 */
static unsigned int ncap_receive(struct port *p, unsigned int queue,
				 struct frame **f, unsigned int n)
{
	struct ncap *c = ncap_of(p);
	unsigned int i, take = n < c->budget ? n : c->budget;
	bool ours = false;

	c->calls++;
	c->offered += n;
	if (n > c->max_batch)
		c->max_batch = n;
	for (i = 0; i < take; i++) {
		if (nst_frame_seq(f[i]->data, f[i]->len) >= 0) {
			ncap_record(c, f[i]);
			ours = true;
			continue;
		}
		c->others++;
		c->other_len = f[i]->len < sizeof(c->seen_other)
				       ? f[i]->len
				       : (unsigned int)sizeof(c->seen_other);
		memcpy(c->seen_other, f[i]->data, c->other_len);
		if (c->on_other)
			c->on_other(c, f[i]);
	}
	c->calls_ours += ours;
	if (c->budget != UINT32_MAX)
		c->budget -= take;
	return take;
}

/**
 * ncap_flush() - offer the frames not yet taken to the peer again
 * @c:	the capture port
 */
static void ncap_flush(struct ncap *c)
{
	unsigned int done;

	if (!c->npend)
		return;
	done = port_send(&c->port, 0, c->pend, c->npend, true);
	frame_put_n(c->pend, done);
	memmove(c->pend, c->pend + done,
		(c->npend - done) * sizeof(c->pend[0]));
	c->npend -= done;
}

/**
 * ncap_resume() - the peer can take more: count it, send what is pending
 * @p:		the capture port's port
 * @queue:	0
 */
static void ncap_resume(struct port *p, unsigned int queue)
{
	struct ncap *c = ncap_of(p);

	c->resumes++;
	ncap_flush(c);
}

/**
 * ncap_link_changed() - count link changes
 * @p:	the capture port's port
 */
static void ncap_link_changed(struct port *p)
{
	ncap_of(p)->link_changes++;
}

static const struct port_ops ncap_ops = {
	.receive = ncap_receive,
	.resume = ncap_resume,
	.link_changed = ncap_link_changed,
};

/**
 * ncap_init() - a capture port that takes everything
 * @c:		storage
 * @name:	port name
 */
void ncap_init(struct ncap *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->budget = UINT32_MAX;
	c->arena = malloc(NCAP_ARENA);
	CHECK(c->arena);
	CHECK_EQ(port_init(&c->port, &ncap_ops, PORT_NETDEV, name, 1, NULL), 0);
}

/**
 * ncap_fini() - drop pending frames and free the record
 * @c:	the capture port
 */
void ncap_fini(struct ncap *c)
{
	frame_put_n(c->pend, c->npend);
	c->npend = 0;
	free(c->arena);
	c->arena = NULL;
}

/**
 * ncap_send() - send frames to the peer, waiting (held) when it is full
 * @c:	the capture port
 * @f:	the frames (the port takes its own references)
 * @n:	how many
 */
void ncap_send(struct ncap *c, struct frame **f, unsigned int n)
{
	unsigned int i;

	CHECK(c->npend + n <= NCAP_MAX);
	for (i = 0; i < n; i++)
		c->pend[c->npend++] = frame_get(f[i]);
	ncap_flush(c);
}

/**
 * ncap_set_budget() - how many more frames to take, and wake the sender
 * @c:		the capture port
 * @budget:	frames (UINT32_MAX: no limit, 0: hold every sender)
 */
void ncap_set_budget(struct ncap *c, uint32_t budget)
{
	c->budget = budget;
	if (budget)
		port_wake(&c->port, 0);
}

/**
 * nst_frames_release() - count a test frame's release
 * @f:	the frame (its owner is the first member of struct nst_frames)
 */
static void nst_frames_release(struct frame *f)
{
	struct nst_frames *t = (struct nst_frames *)(void *)f->owner;

	t->released++;
}

/**
 * nst_frames_new() - @n test frames with 2048-byte buffers, one reference
 * each (the test's)
 * @t:	storage
 * @n:	how many
 */
void nst_frames_new(struct nst_frames *t, unsigned int n)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->owner.release = nst_frames_release;
	t->n = n;
	t->f = calloc(n, sizeof(*t->f));
	t->ptr = calloc(n, sizeof(*t->ptr));
	t->buf = calloc(n, 2048);
	CHECK(t->f && t->ptr && t->buf);
	for (i = 0; i < n; i++) {
		t->f[i].data = t->buf + (size_t)i * 2048;
		t->f[i].cap = 2048;
		t->f[i].refs = 1;
		t->f[i].owner = &t->owner;
		t->f[i].cookie = i;
		t->ptr[i] = &t->f[i];
	}
}

/**
 * nst_frames_idle() - whether nobody but the test holds any frame
 * @t:	the frames
 *
 * Return: true when every count is back to 1.
 */
bool nst_frames_idle(const struct nst_frames *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		if (t->f[i].refs != 1)
			return false;
	}
	return true;
}

/**
 * nst_frames_free() - drop the test's references and free
 * @t:	the frames (idle)
 */
void nst_frames_free(struct nst_frames *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		frame_put(&t->f[i]);
	CHECK_EQ(t->released, t->n);
	free(t->f);
	free(t->ptr);
	free(t->buf);
}
