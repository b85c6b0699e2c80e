// SPDX-License-Identifier: GPL-2.0-or-later
/* uworker: command round trips, full queue, loop work, stop. */

#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "datapath/uring/uworker.h"
#include "tests/unit/uring/utest.h"

#define POSTS 20000
#define CALLS 2000

static int counter; /* touched only by the worker */
static atomic_int polled;
static atomic_int timed;
static struct uloop_poll watch;
static struct uloop_timer timer;
static int pfd[2];
static struct uworker *self_worker;

static int get_tid(struct uloop *loop, void *arg)
{
	return (int)syscall(SYS_gettid);
}

static void incr(struct uloop *loop, void *arg)
{
	counter += (int)(intptr_t)arg;
}

static int read_counter(struct uloop *loop, void *arg)
{
	return counter;
}

static int noop(struct uloop *loop, void *arg)
{
	return 7;
}

static int nested(struct uloop *loop, void *arg)
{
	/* a call from the worker to itself runs inline */
	return uworker_call(self_worker, noop, NULL) + 1;
}

static void watch_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	char c;

	if (revents > 0 && (revents & POLLIN) && read(pfd[0], &c, 1) == 1)
		atomic_fetch_add(&polled, 1);
}

static void timer_cb(struct uloop *loop, struct uloop_timer *t)
{
	atomic_fetch_add(&timed, 1);
}

static int setup_watch(struct uloop *loop, void *arg)
{
	uloop_poll_init(&watch, pfd[0], 0, watch_cb);
	uloop_timer_init(&timer, timer_cb);
	uloop_timer_arm_in(loop, &timer, 5 * UT_MS, 0);
	return uloop_poll_set(loop, &watch, POLLIN);
}

static int teardown_watch(struct uloop *loop, void *arg)
{
	uloop_timer_cancel(loop, &timer);
	return uloop_poll_del(loop, &watch);
}

static int watch_busy(struct uloop *loop, void *arg)
{
	return uloop_poll_busy(&watch);
}

static void wait_for(atomic_int *v, int want)
{
	uint64_t end = uloop_now() + 2000 * UT_MS;

	while (atomic_load(v) != want) {
		UT_CHECK(uloop_now() < end);
		sched_yield();
	}
}

static void test_round_trips(struct uworker *w)
{
	uint64_t start;
	int i, tid;

	tid = uworker_call(w, get_tid, NULL);
	UT_CHECK(tid > 0);
	UT_CHECK(tid != (int)syscall(SYS_gettid));
	UT_EQ(uworker_call(w, get_tid, NULL), tid); /* always the same thread */
	UT_EQ(uworker_call(w, nested, NULL), 8);
	UT_CHECK(!uworker_is_self(w));

	start = uloop_now();
	for (i = 0; i < CALLS; i++)
		UT_EQ(uworker_call(w, noop, NULL), 7);
	printf("worker: %d calls, %.1f us per round trip\n", CALLS,
	       (uloop_now() - start) / 1000.0 / CALLS);
}

/* 20000 posts through a 64-cell queue: -EAGAIN when full, none lost. */
static void test_posts(struct uworker *w)
{
	int i, ret, full = 0;

	for (i = 0; i < POSTS; i++) {
		while ((ret = uworker_post(w, incr, (void *)(intptr_t)1)) ==
		       -EAGAIN) {
			full++;
			sched_yield();
		}
		UT_EQ(ret, 0);
	}
	/* the last posts may still fill the queue: a call is refused the
	 * same way (-EAGAIN) until the worker took some */
	while ((ret = uworker_call(w, read_counter, NULL)) == -EAGAIN)
		sched_yield();
	UT_EQ(ret, POSTS);
	printf("worker: %d posts, queue full %d times\n", POSTS, full);
}

/* The worker's loop serves a poll and a timer set up by commands. */
static void test_loop_work(struct uworker *w)
{
	UT_EQ(pipe(pfd), 0);
	UT_EQ(uworker_call(w, setup_watch, NULL), 0);
	wait_for(&timed, 1);
	UT_EQ(write(pfd[1], "a", 1), 1);
	wait_for(&polled, 1);
	UT_EQ(write(pfd[1], "b", 1), 1);
	wait_for(&polled, 2);
	UT_EQ(uworker_call(w, teardown_watch, NULL), 0);
	while (uworker_call(w, watch_busy, NULL))
		sched_yield();
	close(pfd[0]);
	close(pfd[1]);
}

/* Two workers at once, then stop: queued posts still run. */
static void test_two_and_stop(struct uworker *w1)
{
	struct uloop_config cfg = ut_config(NULL);
	static struct uworker w2;

	UT_EQ(uworker_start(&w2, "uring-test-2", &cfg, 0), 0);
	UT_CHECK(uworker_call(&w2, get_tid, NULL) !=
		 uworker_call(w1, get_tid, NULL));
	UT_EQ(uworker_stop(&w2), 0);
	UT_EQ(uworker_stop(&w2), -EALREADY);
	UT_EQ(uworker_post(&w2, incr, NULL), -ESHUTDOWN);
	UT_EQ(uworker_call(&w2, noop, NULL), -ESHUTDOWN);
}

/* Park hooks (uloop_park.c): a read waiting on a pipe is cancelled by a
 * park hook when the worker parks, and a removed hook runs no more. */
static struct uloop_op park_read;
static struct uloop_hook park_hook;
static atomic_int park_res = 1;
static atomic_int park_runs;
static int park_pfd[2];
static char park_buf[8];

static void park_read_cb(struct uloop *loop, struct uloop_op *op, int res,
			 uint32_t flags)
{
	atomic_store(&park_res, res);
}

static void park_fn(struct uloop *loop, struct uloop_hook *h)
{
	atomic_fetch_add(&park_runs, 1);
	uloop_cancel(loop, &park_read);
}

static int park_setup(struct uloop *loop, void *arg)
{
	uloop_op_init(&park_read, park_read_cb);
	park_hook.fn = park_fn;
	uloop_park_hook_add(loop, &park_hook);
	return uloop_read(loop, &park_read, park_pfd[0], park_buf,
			  sizeof(park_buf), ULOOP_OFF_CUR, 0);
}

static int park_now(struct uloop *loop, void *arg)
{
	uloop_park(loop);
	return atomic_load(&park_runs);
}

static int park_del(struct uloop *loop, void *arg)
{
	uloop_park_hook_del(loop, &park_hook);
	uloop_park(loop);
	return atomic_load(&park_runs);
}

static void test_park(struct uworker *w)
{
	int i;

	UT_EQ(pipe(park_pfd), 0);
	UT_EQ(uworker_call(w, park_setup, NULL), 0);
	UT_EQ(uworker_call(w, park_now, NULL), 1);
	for (i = 0; i < 1000 && atomic_load(&park_res) == 1; i++)
		usleep(1000);
	UT_EQ(atomic_load(&park_res), -ECANCELED);
	UT_EQ(write(park_pfd[1], "x", 1), 1);	/* nobody reads it now */
	UT_EQ(uworker_call(w, park_del, NULL), 1);
	UT_EQ(atomic_load(&park_res), -ECANCELED);
	close(park_pfd[0]);
	close(park_pfd[1]);
	printf("worker: a park hook cancelled a waiting read; removed, it "
	       "runs no more\n");
}

int main(void)
{
	struct uloop_config cfg = ut_config(NULL);
	static struct uworker w;
	int ret;

	UT_EQ(uworker_start(&w, "bad", &cfg, 100), -EINVAL);
	ret = uworker_start(&w, "uring-test", &cfg, 64);
	if (ret == -ENOSYS || ret == -EPERM || ret == -EOPNOTSUPP) {
		printf("SKIP: io_uring unavailable: %s\n", strerror(-ret));
		return UT_SKIP;
	}
	UT_EQ(ret, 0);
	self_worker = &w;
	test_round_trips(&w);
	test_posts(&w);
	test_loop_work(&w);
	test_two_and_stop(&w);
	test_park(&w);
	counter = 0;
	UT_EQ(uworker_post(&w, incr, (void *)(intptr_t)5), 0);
	UT_EQ(uworker_stop(&w), 0);
	UT_EQ(counter, 5); /* queued before stop: ran before the loop went */
	return 0;
}
