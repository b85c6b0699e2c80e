// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop timers: one-shot, periodic, cancel, ordering, many timers. */

#include "tests/unit/uring/utest.h"

#define MANY 2000

struct rec {
	struct uloop_timer t;
	uint64_t armed_deadline;
	uint64_t fired_at;
	int fired;
	int id;
	int limit; /* periodic: cancel itself after this many */
};

static int order[16];
static int norder;
static struct rec *victim;

static void rec_cb(struct uloop *loop, struct uloop_timer *t)
{
	struct rec *r = (struct rec *)t;

	r->fired++;
	r->fired_at = uloop_now();
	if (norder < 16)
		order[norder++] = r->id;
	if (r->limit && r->fired >= r->limit)
		uloop_timer_cancel(loop, t);
}

static void test_oneshot(struct uloop *loop)
{
	struct rec r = {.id = 1};
	uint64_t start = uloop_now();

	uloop_timer_init(&r.t, rec_cb);
	uloop_timer_arm_in(loop, &r.t, 20 * UT_MS, 0);
	UT_CHECK(uloop_timer_armed(&r.t));
	UT_RUN_UNTIL(loop, r.fired, 1000);
	UT_CHECK(r.fired_at - start >= 20 * UT_MS);
	UT_CHECK(!uloop_timer_armed(&r.t));
	ut_run_for(loop, 40);
	UT_EQ(r.fired, 1);
}

static void test_periodic(struct uloop *loop)
{
	struct rec r = {.id = 2};
	uint64_t start = uloop_now();
	int n;

	uloop_timer_init(&r.t, rec_cb);
	uloop_timer_arm_in(loop, &r.t, 10 * UT_MS, 10 * UT_MS);
	UT_RUN_UNTIL(loop, r.fired >= 10, 2000);
	UT_CHECK(uloop_now() - start >= 100 * UT_MS);
	UT_CHECK(uloop_timer_armed(&r.t));
	uloop_timer_cancel(loop, &r.t);
	n = r.fired;
	ut_run_for(loop, 40);
	UT_EQ(r.fired, n);

	/* a periodic timer cancelling itself from its callback */
	memset(&r, 0, sizeof(r));
	r.limit = 3;
	uloop_timer_init(&r.t, rec_cb);
	uloop_timer_arm_in(loop, &r.t, 2 * UT_MS, 2 * UT_MS);
	ut_run_for(loop, 60);
	UT_EQ(r.fired, 3);
	UT_CHECK(!uloop_timer_armed(&r.t));
}

static void cancel_victim_cb(struct uloop *loop, struct uloop_timer *t)
{
	rec_cb(loop, t);
	uloop_timer_cancel(loop, &victim->t);
}

static void test_cancel(struct uloop *loop)
{
	struct rec a = {.id = 3}, b = {.id = 4}, c = {.id = 5};

	uloop_timer_init(&a.t, rec_cb);
	uloop_timer_arm_in(loop, &a.t, 10 * UT_MS, 0);
	uloop_timer_cancel(loop, &a.t);
	uloop_timer_cancel(loop, &a.t); /* twice is harmless */

	/* b cancels c from its callback; c was due later */
	uloop_timer_init(&b.t, cancel_victim_cb);
	uloop_timer_init(&c.t, rec_cb);
	victim = &c;
	uloop_timer_arm_in(loop, &b.t, 5 * UT_MS, 0);
	uloop_timer_arm_in(loop, &c.t, 15 * UT_MS, 0);
	ut_run_for(loop, 50);
	UT_EQ(a.fired, 0);
	UT_EQ(b.fired, 1);
	UT_EQ(c.fired, 0);

	/* re-arming moves the deadline */
	uloop_timer_arm_in(loop, &c.t, 500 * UT_MS, 0);
	uloop_timer_arm_in(loop, &c.t, 5 * UT_MS, 0);
	UT_RUN_UNTIL(loop, c.fired, 200);
}

static void test_ordering(struct uloop *loop)
{
	static const int delays[] = {30, 10, 50, 20, 40, 20, 20};
	static const int expect[] = {1, 3, 5, 6, 0, 4, 2};
	struct rec r[7];
	uint64_t base = uloop_now() + 5 * UT_MS;
	int i;

	memset(r, 0, sizeof(r));
	norder = 0;
	for (i = 0; i < 7; i++) {
		r[i].id = i;
		uloop_timer_init(&r[i].t, rec_cb);
		uloop_timer_arm(loop, &r[i].t, base + delays[i] * UT_MS, 0);
	}
	UT_RUN_UNTIL(loop, norder == 7, 2000);
	/* same deadline (ids 3, 5, 6): arming order */
	for (i = 0; i < 7; i++)
		UT_EQ(order[i], expect[i]);
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t last_deadline;
static int many_fired;
static int many_bad;

static void many_cb(struct uloop *loop, struct uloop_timer *t)
{
	struct rec *r = (struct rec *)t;
	uint64_t now = uloop_now();

	r->fired++;
	if (r->armed_deadline < last_deadline || now < r->armed_deadline)
		many_bad++;
	last_deadline = r->armed_deadline;
	many_fired++;
}

static void test_many(struct uloop *loop)
{
	static struct rec r[MANY];
	uint64_t base = uloop_now() + 10 * UT_MS;
	int i, expect = 0;

	for (i = 0; i < MANY; i++) {
		uloop_timer_init(&r[i].t, many_cb);
		r[i].armed_deadline = base + rng() % (100 * UT_MS);
		uloop_timer_arm(loop, &r[i].t, r[i].armed_deadline, 0);
	}
	for (i = 0; i < MANY; i++) {
		if (i % 3 == 0) {
			uloop_timer_cancel(loop, &r[i].t);
		} else if (i % 5 == 0) {
			r[i].armed_deadline = base + rng() % (100 * UT_MS);
			uloop_timer_arm(loop, &r[i].t, r[i].armed_deadline, 0);
			expect++;
		} else {
			expect++;
		}
	}
	UT_RUN_UNTIL(loop, many_fired == expect, 3000);
	ut_run_for(loop, 20);
	UT_EQ(many_fired, expect);
	UT_EQ(many_bad, 0);
	for (i = 0; i < MANY; i++)
		UT_EQ(r[i].fired, i % 3 == 0 ? 0 : 1);
}

static int self_fired;

static void self_rearm_cb(struct uloop *loop, struct uloop_timer *t)
{
	self_fired++;
	uloop_timer_arm(loop, t, 0, 0); /* already due */
}

static void test_self_rearm(struct uloop *loop)
{
	struct uloop_timer t;

	uloop_timer_init(&t, self_rearm_cb);
	uloop_timer_arm(loop, &t, 0, 0);
	/* one pass fires it once, not forever */
	UT_EQ(uloop_run_once(loop, 0), 1);
	UT_EQ(self_fired, 1);
	UT_EQ(uloop_run_once(loop, 0), 1);
	UT_EQ(self_fired, 2);
	uloop_timer_cancel(loop, &t);
	UT_EQ(uloop_run_once(loop, 0), 0);
	UT_EQ(self_fired, 2);
}

int main(void)
{
	struct uloop loop;

	ut_loop_init(&loop, NULL);
	test_oneshot(&loop);
	test_periodic(&loop);
	test_cancel(&loop);
	test_ordering(&loop);
	test_many(&loop);
	test_self_rearm(&loop);
	printf("timers: %llu fired, %llu iterations, %llu enters\n",
	       (unsigned long long)loop.stats.timers_fired,
	       (unsigned long long)loop.stats.iterations,
	       (unsigned long long)loop.stats.enters);
	uloop_fini(&loop);
	return 0;
}
