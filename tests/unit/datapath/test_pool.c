/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pool.c: buffer pools: sizing, exhaustion, refill, release through refs.
 */
#include <errno.h>
#include <string.h>
#include "datapath/frame_hot.h"
#include "datapath/pool.h"
#include "tests/unit/datapath/tframe.h"

/**
 * test_bad_sizes() - pools refuse sizes they cannot serve
 */
static void test_bad_sizes(void)
{
	struct pool p;

	CHECK_EQ(pool_init(&p, 0, 2048, 0), -EINVAL);
	CHECK_EQ(pool_init(&p, POOL_MAX_FRAMES + 1, 2048, 0), -EINVAL);
	CHECK_EQ(pool_init(&p, 8, POOL_BUF_MAX + 1, 0), -EINVAL);
	CHECK_EQ(pool_init(&p, 8, 2048, 2048), -EINVAL);
	CHECK_EQ(pool_init(&p, 8, 2048, 2048 - FRAME_MIN_LEN + 1), -EINVAL);
	CHECK_EQ(pool_init(&p, 8, FRAME_MIN_LEN - 1, 0), -EINVAL);
	CHECK_EQ(pool_init(&p, 1, FRAME_MIN_LEN, 0), 0);
	CHECK_EQ(pool_destroy(&p), 0);
}

/**
 * test_exhaust_refill() - every frame once, then empty, then refilled
 */
static void test_exhaust_refill(void)
{
	struct frame *f[9], *g;
	struct pool p;
	unsigned int i, j;

	CHECK_EQ(pool_init(&p, 8, 1500, 64), 0);
	CHECK_EQ(pool_avail(&p), 8);
	CHECK_EQ((uintptr_t)p.bufs % 4096, 0);
	for (i = 0; i < 8; i++) {
		f[i] = pool_alloc(&p);
		CHECK(f[i]);
		CHECK(pool_owns(&p, f[i]));
		CHECK_EQ(f[i]->refs, 1);
		CHECK_EQ(f[i]->len, 0);
		CHECK_EQ(f[i]->cap, 1500 - 64);
		CHECK(f[i]->owner == &p.owner);
		CHECK(f[i]->data == p.bufs + f[i]->cookie * p.stride + 64);
		CHECK_EQ((uintptr_t)(f[i]->data - 64) % POOL_BUF_ALIGN, 0);
		CHECK(pool_frame(&p, (unsigned int)f[i]->cookie) == f[i]);
		for (j = 0; j < i; j++)
			CHECK(f[j] != f[i]);
		/* fill the whole buffer: buffers must not overlap */
		memset(f[i]->data - 64, (int)i + 1, 1500);
	}
	for (i = 0; i < 8; i++)
		for (j = 0; j < 1500; j++)
			CHECK_EQ((f[i]->data - 64)[j], i + 1);
	CHECK(pool_frame(&p, 8) == NULL);
	CHECK_EQ(pool_avail(&p), 0);
	CHECK(pool_alloc(&p) == NULL);
	CHECK_EQ(p.empty, 1);
	CHECK_EQ(pool_destroy(&p), -EBUSY);

	/* a second reference delays the release */
	frame_get(f[3]);
	frame_put(f[3]);
	CHECK_EQ(pool_avail(&p), 0);
	frame_put(f[3]);
	CHECK_EQ(pool_avail(&p), 1);
	g = pool_alloc(&p);
	CHECK(g == f[3]);
	CHECK_EQ(g->refs, 1);
	g->len = 60;
	g->has_vnet = 1;
	g->vnet.flags = 1;
	frame_put(g);
	g = pool_alloc(&p);
	CHECK(g == f[3]);
	CHECK_EQ(g->len, 0);
	CHECK_EQ(g->has_vnet, 0);
	CHECK_EQ(g->vnet.flags, 0);
	for (i = 0; i < 8; i++)
		frame_put(f[i]);
	CHECK_EQ(pool_avail(&p), 8);
	CHECK_EQ(pool_destroy(&p), 0);
	CHECK_EQ(pool_destroy(&p), 0);
}

/**
 * test_bulk() - bulk allocation serves what is left and says so
 */
static void test_bulk(void)
{
	struct frame *f[FRAME_BATCH_MAX];
	struct pool p;
	unsigned int round;

	CHECK_EQ(pool_init(&p, 100, 2048, 0), 0);
	for (round = 0; round < 1000; round++) {
		CHECK_EQ(pool_alloc_bulk(&p, f, 64), 64);
		CHECK_EQ(pool_alloc_bulk(&p, f + 0, 0), 0);
		CHECK_EQ(pool_avail(&p), 36);
		frame_put_n(f, 64);
	}
	CHECK_EQ(p.empty, 0);
	CHECK_EQ(pool_alloc_bulk(&p, f, 64), 64);
	{
		struct frame *more[64];

		CHECK_EQ(pool_alloc_bulk(&p, more, 64), 36);
		CHECK_EQ(p.empty, 1);
		CHECK_EQ(pool_avail(&p), 0);
		frame_put_n(more, 36);
	}
	frame_put_n(f, 64);
	CHECK_EQ(pool_avail(&p), 100);
	CHECK_EQ(pool_destroy(&p), 0);
}

/**
 * test_batch_helpers() - batch add, consume and put keep order and refs
 */
static void test_batch_helpers(void)
{
	struct frame_batch b;
	struct tframes t;
	unsigned int i;

	CHECK_EQ(tframes_new(&t, FRAME_BATCH_MAX + 1, 60), 0);
	frame_batch_init(&b);
	for (i = 0; i < FRAME_BATCH_MAX; i++)
		CHECK(frame_batch_add(&b, t.ptr[i]));
	CHECK(frame_batch_full(&b));
	CHECK(!frame_batch_add(&b, t.ptr[FRAME_BATCH_MAX]));
	CHECK_EQ(frame_bytes(b.f, b.n), 60 * FRAME_BATCH_MAX);
	frame_put_n(b.f, 10);
	frame_batch_consume(&b, 10);
	CHECK_EQ(b.n, FRAME_BATCH_MAX - 10);
	CHECK_EQ(b.f[0]->cookie, 10);
	CHECK_EQ(b.f[b.n - 1]->cookie, FRAME_BATCH_MAX - 1);
	frame_batch_put(&b);
	CHECK_EQ(b.n, 0);
	frame_put(t.ptr[FRAME_BATCH_MAX]);
	CHECK(tframes_each_released_once(&t));
	tframes_free(&t);
}

int main(void)
{
	test_bad_sizes();
	test_exhaust_refill();
	test_bulk();
	test_batch_helpers();
	return 0;
}
