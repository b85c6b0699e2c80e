// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop poll watches: multishot, masks, one-shot, removal, churn. */

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/uring/utest.h"

#define CHURN 64

struct watch {
	struct uloop_poll p;
	int events;
	int last;
	int released;
	int drain_fd; /* read a byte on POLLIN, or -1 */
	bool del_self;
	struct watch *del_other;
};

static void watch_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct watch *w = (struct watch *)p;
	char c;

	w->events++;
	w->last = revents;
	if (w->drain_fd >= 0 && revents > 0 && (revents & POLLIN))
		UT_EQ(read(w->drain_fd, &c, 1), 1);
	if (w->del_self)
		UT_EQ(uloop_poll_del(loop, p), 0);
	if (w->del_other)
		uloop_poll_del(loop, &w->del_other->p);
}

static void watch_release(struct uloop *loop, struct uloop_poll *p)
{
	((struct watch *)p)->released++;
}

static void watch_init(struct watch *w, int fd, uint32_t flags)
{
	memset(w, 0, sizeof(*w));
	uloop_poll_init(&w->p, fd, flags, watch_cb);
	w->p.release = watch_release;
	w->drain_fd = -1;
}

/* Multishot: one kernel request serves many events. */
static void test_multishot(struct uloop *loop)
{
	struct watch w;
	uint64_t sqes;
	int pfd[2], i;

	UT_EQ(pipe(pfd), 0);
	watch_init(&w, pfd[0], 0);
	w.drain_fd = pfd[0];
	UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
	ut_run_for(loop, 20);
	UT_EQ(w.events, 0);
	sqes = loop->stats.sqes;
	for (i = 1; i <= 5; i++) {
		UT_EQ(write(pfd[1], "x", 1), 1);
		UT_RUN_UNTIL(loop, w.events == i, 1000);
		UT_CHECK(w.last & POLLIN);
	}
	UT_EQ(loop->stats.sqes, sqes); /* no re-arm per event */
	UT_EQ(w.p.op.inflight, 1);

	/* the writer goes away: POLLHUP */
	close(pfd[1]);
	UT_RUN_UNTIL(loop, w.last & POLLHUP, 1000);
	UT_EQ(uloop_poll_del(loop, &w.p), 0);
	UT_RUN_UNTIL(loop, w.released == 1, 1000);
	UT_CHECK(!uloop_poll_busy(&w.p));
	close(pfd[0]);
}

/* Changing the mask in place: POLLIN -> POLLOUT -> POLLIN -> 0 -> POLLIN. */
static void test_modify(struct uloop *loop)
{
	struct watch w;
	uint64_t sqes;
	int sv[2], n;

	UT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	watch_init(&w, sv[0], 0);
	UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
	ut_run_for(loop, 20);
	UT_EQ(w.events, 0);

	sqes = loop->stats.sqes;
	UT_EQ(uloop_poll_set(loop, &w.p, POLLOUT), 0);
	UT_RUN_UNTIL(loop, w.events == 1, 1000);
	UT_CHECK(w.last & POLLOUT);
	UT_EQ(loop->stats.sqes, sqes + 1);	       /* one update SQE */
	UT_EQ(uloop_poll_set(loop, &w.p, POLLOUT), 0); /* unchanged: free */
	UT_EQ(loop->stats.sqes, sqes + 1);

	UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
	ut_run_for(loop, 20);
	n = w.events;
	UT_EQ(write(sv[1], "y", 1), 1);
	UT_RUN_UNTIL(loop, w.events == n + 1, 1000);
	UT_EQ(w.last & (POLLIN | POLLOUT), POLLIN);

	/* mask 0 disarms: data arriving is not reported */
	UT_EQ(uloop_poll_set(loop, &w.p, 0), 0);
	UT_RUN_UNTIL(loop, w.p.op.inflight == 0, 1000);
	n = w.events;
	UT_EQ(write(sv[1], "z", 1), 1);
	ut_run_for(loop, 20);
	UT_EQ(w.events, n);
	/* and arming again reports what is already there */
	UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
	UT_RUN_UNTIL(loop, w.events == n + 1, 1000);
	UT_EQ(w.released, 0);

	UT_EQ(uloop_poll_del(loop, &w.p), 0);
	UT_EQ(uloop_poll_del(loop, &w.p), -EALREADY);
	UT_RUN_UNTIL(loop, w.released == 1, 1000);
	close(sv[0]);
	close(sv[1]);
}

/* One-shot watches fire once and re-arm on demand. */
static void test_oneshot(struct uloop *loop)
{
	struct watch w;
	int pfd[2];

	UT_EQ(pipe(pfd), 0);
	watch_init(&w, pfd[0], ULOOP_POLL_ONESHOT);
	UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
	UT_EQ(write(pfd[1], "ab", 2), 2);
	UT_RUN_UNTIL(loop, w.events == 1, 1000);
	ut_run_for(loop, 20);
	UT_EQ(w.events, 1);
	UT_CHECK(!uloop_poll_busy(&w.p));
	/* same mask, data still there: arming again reports at once */
	UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
	UT_RUN_UNTIL(loop, w.events == 2, 1000);
	/* deleting an idle watch releases it inside the call */
	UT_EQ(uloop_poll_del(loop, &w.p), 0);
	UT_EQ(w.released, 1);
	close(pfd[0]);
	close(pfd[1]);
}

/* A callback deleting its own watch, and one deleting another watch. */
static void test_remove_in_callback(struct uloop *loop)
{
	struct watch a, b;
	int pa[2], pb[2];
	char c[2];

	UT_EQ(pipe(pa), 0);
	UT_EQ(pipe(pb), 0);
	watch_init(&a, pa[0], 0);
	a.del_self = true;
	UT_EQ(uloop_poll_set(loop, &a.p, POLLIN), 0);
	UT_EQ(write(pa[1], "1", 1), 1);
	UT_RUN_UNTIL(loop, a.released == 1, 1000);
	UT_EQ(a.events, 1);
	UT_EQ(write(pa[1], "2", 1), 1);
	ut_run_for(loop, 20);
	UT_EQ(a.events, 1);
	UT_EQ(a.released, 1);
	UT_CHECK(!uloop_poll_busy(&a.p));

	/* both ready in the same batch; each deletes the other: one runs */
	UT_EQ(read(pa[0], c, 2), 2); /* "1" and "2" */
	watch_init(&a, pa[0], 0);
	watch_init(&b, pb[0], 0);
	a.del_other = &b;
	b.del_other = &a;
	UT_EQ(uloop_poll_set(loop, &a.p, POLLIN), 0);
	UT_EQ(uloop_poll_set(loop, &b.p, POLLIN), 0);
	UT_EQ(uloop_run_once(loop, 0), 0); /* both armed */
	UT_EQ(write(pa[1], "3", 1), 1);
	UT_EQ(write(pb[1], "4", 1), 1);
	UT_RUN_UNTIL(loop, a.events + b.events >= 1, 1000);
	ut_run_for(loop, 20);
	UT_EQ(a.events + b.events, 1);
	/* the survivor still works; then delete it */
	if (a.events) {
		UT_EQ(b.released, 1);
		UT_EQ(uloop_poll_del(loop, &a.p), 0);
		UT_RUN_UNTIL(loop, a.released == 1, 1000);
	} else {
		UT_EQ(a.released, 1);
		UT_EQ(uloop_poll_del(loop, &b.p), 0);
		UT_RUN_UNTIL(loop, b.released == 1, 1000);
	}
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
}

/* slirp-like churn: many watches, masks changed every iteration. */
static void test_churn(struct uloop *loop)
{
	static struct watch w[CHURN];
	static int sv[CHURN][2];
	uint64_t enters, ctl_errors = loop->stats.ctl_errors;
	int i, it;

	for (i = 0; i < CHURN; i++) {
		UT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
		watch_init(&w[i], sv[i][0], 0);
		w[i].drain_fd = sv[i][0];
		UT_EQ(uloop_poll_set(loop, &w[i].p, POLLIN), 0);
	}
	UT_EQ(uloop_run_once(loop, 0), 0);
	enters = loop->stats.enters;
	for (it = 0; it < 100; it++) {
		for (i = 0; i < CHURN; i++)
			UT_EQ(uloop_poll_set(loop, &w[i].p,
					     (it + i) & 1 ? POLLIN | POLLPRI
							  : POLLIN),
			      0);
		UT_CHECK(uloop_run_once(loop, 0) >= 0);
	}
	/* 64 mask changes per iteration, one enter per iteration */
	UT_EQ(loop->stats.enters - enters, 100);
	UT_EQ(loop->stats.ctl_errors, ctl_errors);
	for (i = 0; i < CHURN; i++) {
		UT_EQ(w[i].events, 0);
		UT_EQ(write(sv[i][1], "d", 1), 1);
	}
	UT_RUN_UNTIL(loop, ({
			     int k, all = 1;
			     for (k = 0; k < CHURN; k++)
				     all &= w[k].events == 1;
			     all;
		     }),
		     2000);
	for (i = 0; i < CHURN; i++)
		UT_EQ(uloop_poll_del(loop, &w[i].p), 0);
	UT_RUN_UNTIL(loop, ({
			     int k, all = 1;
			     for (k = 0; k < CHURN; k++)
				     all &= w[k].released == 1;
			     all;
		     }),
		     2000);
	for (i = 0; i < CHURN; i++) {
		close(sv[i][0]);
		close(sv[i][1]);
	}
}

/* A bad fd ends the watch with -EBADF once; no spin. */
static void test_bad_fd(struct uloop *loop)
{
	struct watch w;
	uint64_t it;
	int fd = dup(0);

	UT_CHECK(fd >= 0);
	close(fd);
	watch_init(&w, fd, 0);
	UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
	UT_RUN_UNTIL(loop, w.events == 1, 1000);
	UT_EQ(w.last, -EBADF);
	it = loop->stats.iterations;
	ut_run_for(loop, 50);
	UT_EQ(w.events, 1);
	UT_CHECK(loop->stats.iterations - it < 10);
	UT_EQ(uloop_poll_del(loop, &w.p), 0);
	UT_EQ(w.released, 1);
}

/*
 * 64 multishot watches firing at once into a 16-entry CQ: the kernel ends
 * requests whose completion overflowed; the loop re-arms them and no event
 * source is lost.
 */
static void test_overflow_rearm(void)
{
	struct uloop_config cfg = {.sq_entries = 8, .cq_entries = 16};
	static struct watch w[CHURN];
	static int pfd[CHURN][2];
	struct uloop loop;
	int i, round;

	ut_loop_init(&loop, &cfg);
	for (i = 0; i < CHURN; i++) {
		UT_EQ(pipe(pfd[i]), 0);
		watch_init(&w[i], pfd[i][0], 0);
		w[i].drain_fd = pfd[i][0];
		UT_EQ(uloop_poll_set(&loop, &w[i].p, POLLIN), 0);
	}
	UT_EQ(uloop_run_once(&loop, 0), 0);
	for (round = 1; round <= 3; round++) {
		for (i = 0; i < CHURN; i++)
			UT_EQ(write(pfd[i][1], "o", 1), 1);
		UT_RUN_UNTIL(&loop, ({
			int k, all = 1;
			for (k = 0; k < CHURN; k++)
				all &= w[k].events == round;
			all;
		}),
			     2000);
	}
	printf("poll: %d watches into CQ 16: %llu overflows, %llu re-arms\n",
	       CHURN, (unsigned long long)loop.stats.cq_overflow,
	       (unsigned long long)loop.stats.rearms);
	for (i = 0; i < CHURN; i++) {
		UT_EQ(uloop_poll_del(&loop, &w[i].p), 0);
		close(pfd[i][1]);
	}
	UT_RUN_UNTIL(&loop, ({
		int k, all = 1;
		for (k = 0; k < CHURN; k++)
			all &= w[k].released == 1;
		all;
	}),
		     2000);
	for (i = 0; i < CHURN; i++)
		close(pfd[i][0]);
	uloop_fini(&loop);
}

/*
 * Deleted while its wake-up is pending: the fd became ready and the kernel
 * queued the poll's wake-up, which runs only when the loop next enters
 * (DEFER_TASKRUN); a POLL_REMOVE submitted first finds the request busy
 * (-EALREADY) and leaves it armed. The watch must be released anyway.
 * (An af-xdp netdev whose interface vanished leaked its watch this way.)
 */
static void test_del_pending_wakeup(struct uloop *loop)
{
	struct watch w, u;
	int pfd[2], i;

	UT_EQ(pipe(pfd), 0);
	for (i = 0; i < 20; i++) {
		watch_init(&w, pfd[0], 0);
		UT_EQ(uloop_poll_set(loop, &w.p, POLLIN), 0);
		ut_run_for(loop, 2);			/* armed */
		UT_EQ(write(pfd[1], "x", 1), 1);	/* wake-up queued */
		UT_EQ(uloop_poll_del(loop, &w.p), 0);
		UT_RUN_UNTIL(loop, w.released == 1, 1000);
		UT_CHECK(!uloop_poll_busy(&w.p));
		UT_EQ(read(pfd[0], &i, 1), 1);
	}
	/* an update racing a wake-up is not lost either */
	watch_init(&u, pfd[0], 0);
	UT_EQ(uloop_poll_set(loop, &u.p, POLLOUT), 0);	/* never true here */
	ut_run_for(loop, 2);
	UT_EQ(write(pfd[1], "y", 1), 1);
	UT_EQ(uloop_poll_set(loop, &u.p, POLLIN), 0);
	UT_RUN_UNTIL(loop, u.events >= 1 && (u.last & POLLIN), 1000);
	UT_EQ(uloop_poll_del(loop, &u.p), 0);
	UT_RUN_UNTIL(loop, u.released == 1, 1000);
	close(pfd[0]);
	close(pfd[1]);
	printf("poll: deleted or updated while a wake-up was pending\n");
}

int main(void)
{
	struct uloop loop;

	ut_loop_init(&loop, NULL);
	test_multishot(&loop);
	test_modify(&loop);
	test_oneshot(&loop);
	test_remove_in_callback(&loop);
	test_churn(&loop);
	test_bad_fd(&loop);
	test_del_pending_wakeup(&loop);
	uloop_fini(&loop);
	test_overflow_rearm();
	return 0;
}
