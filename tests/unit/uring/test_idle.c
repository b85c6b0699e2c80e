// SPDX-License-Identifier: GPL-2.0-or-later
/* Idle loops block in the kernel: an idle second costs next to no CPU time. */

#include <time.h>

#include "datapath/uring/uworker.h"
#include "tests/unit/uring/utest.h"

/* An idle second may cost at most this much CPU time. */
#define IDLE_CPU_MAX (20 * UT_MS)

static int ticks;

static void tick(struct uloop *loop, struct uloop_timer *t)
{
	if (++ticks == 10)
		uloop_stop(loop);
}

/* Nothing to do: one iteration, one enter, blocked for the whole second. */
static void test_idle_wait(void)
{
	struct uloop loop;
	uint64_t cpu, start;

	ut_loop_init(&loop, NULL);
	UT_EQ(uloop_run_once(&loop, 0), 0);
	start = uloop_now();
	cpu = ut_cpu_ns(RUSAGE_THREAD);
	UT_EQ(uloop_run_once(&loop, 1000 * UT_MS), 0);
	cpu = ut_cpu_ns(RUSAGE_THREAD) - cpu;
	UT_CHECK(uloop_now() - start >= 1000 * UT_MS);
	printf("idle: 1 s wait, %.2f ms CPU\n", cpu / 1e6);
	UT_CHECK(cpu < IDLE_CPU_MAX);
	UT_EQ(loop.stats.iterations, 2);
	uloop_fini(&loop);
}

/* A 100 ms periodic timer: about one iteration per tick. */
static void test_timer_only(void)
{
	struct uloop loop;
	struct uloop_timer t;
	uint64_t cpu;

	ut_loop_init(&loop, NULL);
	uloop_timer_init(&t, tick);
	uloop_timer_arm_in(&loop, &t, 100 * UT_MS, 100 * UT_MS);
	cpu = ut_cpu_ns(RUSAGE_THREAD);
	UT_EQ(uloop_run(&loop), 0);
	cpu = ut_cpu_ns(RUSAGE_THREAD) - cpu;
	UT_EQ(ticks, 10);
	printf("idle: 10 ticks in %llu iterations, %.2f ms CPU\n",
	       (unsigned long long)loop.stats.iterations, cpu / 1e6);
	UT_CHECK(loop.stats.iterations <= 15);
	UT_CHECK(cpu < IDLE_CPU_MAX);
	uloop_fini(&loop);
}

/* An idle worker thread while the main thread sleeps. */
static void test_idle_worker(void)
{
	struct uloop_config cfg = ut_config(NULL);
	struct timespec sec = {1, 0};
	static struct uworker w;
	uint64_t cpu;

	UT_EQ(uworker_start(&w, "uring-idle", &cfg, 0), 0);
	cpu = ut_cpu_ns(RUSAGE_SELF);
	nanosleep(&sec, NULL);
	cpu = ut_cpu_ns(RUSAGE_SELF) - cpu;
	printf("idle: worker idle 1 s, process %.2f ms CPU\n", cpu / 1e6);
	UT_CHECK(cpu < IDLE_CPU_MAX);
	UT_EQ(uworker_stop(&w), 0);
}

int main(void)
{
	test_idle_wait();
	test_timer_only();
	test_idle_worker();
	return 0;
}
