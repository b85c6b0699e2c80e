// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop wake-ups from another thread; stop; coalescing. */

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "tests/unit/uring/utest.h"

#define ROUNDS 200

static atomic_int value; /* written by the other thread before waking */
static atomic_int seen;	 /* last value the loop's callback saw */
static int wake_calls;

static void wake_cb(struct uloop *loop, void *arg)
{
	wake_calls++;
	atomic_store(&seen, atomic_load(&value));
}

/* Ping-pong: publish i, wake, wait until the loop saw i. */
static void *pinger(void *arg)
{
	struct uloop *loop = arg;
	int i;

	for (i = 1; i <= ROUNDS; i++) {
		atomic_store(&value, i);
		if (uloop_wake(loop))
			return (void *)1;
		while (atomic_load(&seen) != i)
			sched_yield();
	}
	return NULL;
}

static void test_ping_pong(struct uloop *loop)
{
	uint64_t start = uloop_now(), elapsed;
	pthread_t th;
	void *ret;

	uloop_set_wake(loop, wake_cb, NULL);
	UT_EQ(pthread_create(&th, NULL, pinger, loop), 0);
	UT_RUN_UNTIL(loop, atomic_load(&seen) == ROUNDS, 5000);
	UT_EQ(pthread_join(th, &ret), 0);
	UT_CHECK(ret == NULL);
	elapsed = uloop_now() - start;
	UT_CHECK(wake_calls >= ROUNDS);
	UT_EQ(loop->stats.wakeups, wake_calls);
	printf("wake: %d round trips, %.1f us each\n", ROUNDS,
	       elapsed / 1000.0 / ROUNDS);
}

static void test_coalesce(struct uloop *loop)
{
	int i, before = wake_calls;

	/* many wake-ups before the loop runs: one callback */
	for (i = 0; i < 100; i++)
		UT_EQ(uloop_wake(loop), 0);
	ut_run_for(loop, 20);
	UT_EQ(wake_calls, before + 1);
	/* and the next one is not lost */
	UT_EQ(uloop_wake(loop), 0);
	UT_RUN_UNTIL(loop, wake_calls == before + 2, 1000);
}

static void *stopper(void *arg)
{
	struct timespec ts = {0, 50 * 1000000};

	nanosleep(&ts, NULL);
	uloop_stop(arg);
	return NULL;
}

static void test_stop(struct uloop *loop)
{
	uint64_t start = uloop_now();
	pthread_t th;

	/* no timer, nothing armed but the wake-up: uloop_run blocks */
	UT_EQ(pthread_create(&th, NULL, stopper, loop), 0);
	UT_EQ(uloop_run(loop), 0);
	UT_EQ(pthread_join(th, NULL), 0);
	UT_CHECK(uloop_now() - start >= 50 * UT_MS);
	UT_CHECK(uloop_now() - start < 2000 * UT_MS);

	/* stop from inside the loop thread, before run: returns at once */
	uloop_stop(loop);
	UT_EQ(uloop_run(loop), 0);
}

int main(void)
{
	struct uloop loop;

	ut_loop_init(&loop, NULL);
	test_ping_pong(&loop);
	test_coalesce(&loop);
	test_stop(&loop);
	uloop_fini(&loop);
	return 0;
}
