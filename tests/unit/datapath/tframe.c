/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tframe.c: test frames that count their releases. */
#include <errno.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "tests/unit/datapath/tframe.h"

#define tf_of(o)                                                               \
	((struct tframes *)((char *)(o)-offsetof(struct tframes, owner)))

/**
 * tframes_release() - owner hook: count one release of a frame
 * @f:	the frame
 */
static void tframes_release(struct frame *f)
{
	tf_of(f->owner)->released[f->cookie]++;
}

/**
 * tframes_new() - make @n frames of @len bytes, one reference each
 * @t:		the set
 * @n:		frames
 * @len:	length of each (at most TFRAME_BUF); byte 0 holds the
 *		cookie's low byte, the rest a pattern
 *
 * Return: 0 or -ENOMEM.
 */
int tframes_new(struct tframes *t, unsigned int n, uint32_t len)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->f = calloc(n, sizeof(*t->f));
	t->ptr = calloc(n, sizeof(*t->ptr));
	t->buf = calloc(n, TFRAME_BUF);
	t->released = calloc(n, sizeof(*t->released));
	if (!t->f || !t->ptr || !t->buf || !t->released) {
		tframes_free(t);
		return -ENOMEM;
	}
	t->owner.release = tframes_release;
	t->n = n;
	for (i = 0; i < n; i++) {
		struct frame *f = &t->f[i];

		f->data = t->buf + (size_t)i * TFRAME_BUF;
		f->len = len;
		f->cap = TFRAME_BUF;
		f->refs = 1;
		f->owner = &t->owner;
		f->cookie = i;
		memset(f->data, 0xa5, len);
		f->data[0] = (uint8_t)i;
		t->ptr[i] = f;
	}
	return 0;
}

/**
 * tframes_free() - free a set (frames must not be in use any more)
 * @t:	the set
 */
void tframes_free(struct tframes *t)
{
	free(t->f);
	free(t->ptr);
	free(t->buf);
	free(t->released);
	memset(t, 0, sizeof(*t));
}

/**
 * tframes_released() - releases counted over all frames
 * @t:	the set
 *
 * Return: the total.
 */
unsigned int tframes_released(const struct tframes *t)
{
	unsigned int i, sum = 0;

	for (i = 0; i < t->n; i++)
		sum += t->released[i];
	return sum;
}

/**
 * tframes_each_released_once() - whether every frame was released exactly once
 * @t:	the set
 *
 * Return: true if so (and no reference is left).
 */
bool tframes_each_released_once(const struct tframes *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->released[i] != 1 || t->f[i].refs != 0)
			return false;
	return true;
}

/**
 * tframes_put_all() - drop the creator's reference on every frame
 * @t:	the set
 */
void tframes_put_all(struct tframes *t)
{
	frame_put_n(t->ptr, t->n);
}
