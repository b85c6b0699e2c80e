/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the io_uring engine unit tests. */
#ifndef QNET_TESTS_URING_UTEST_H
#define QNET_TESTS_URING_UTEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "datapath/uring/ubufring.h"
#include "datapath/uring/uloop.h"

#define UT_SKIP 77
#define UT_MS	1000000ull

#include "tests/lib/tcheck.h"

#define UT_CHECK TC_CHECK
#define UT_EQ TC_EQ
#define UT_RUN_UNTIL TC_RUN_UNTIL

/**
 * struct ut_io - one request's result, for tests that wait on single ops
 * @op:		the op (first: ut_io_cb() casts)
 * @res:	its last result
 * @done:	completions seen
 */
struct ut_io {
	struct uloop_op op;
	int res;
	int done;
};

/* Completion callback of a struct ut_io: record the result, count. */
static inline void ut_io_cb(struct uloop *loop, struct uloop_op *op, int res,
			    uint32_t cqe_flags)
{
	struct ut_io *io = (struct ut_io *)op;

	io->res = res;
	io->done++;
}

/* Make @io ready for one request. */
static inline void ut_io_init(struct ut_io *io)
{
	memset(io, 0, sizeof(*io));
	uloop_op_init(&io->op, ut_io_cb);
}

/* Run @loop for @ms milliseconds. */
static inline void ut_run_for(struct uloop *loop, unsigned int ms)
{
	uint64_t now, end = uloop_now() + (uint64_t)ms * UT_MS;

	while ((now = uloop_now()) < end)
		UT_CHECK(uloop_run_once(loop, (int64_t)(end - now)) >= 0);
}

/*
 * The configuration for a test loop: @cfg (or the defaults), plus
 * ULOOP_CFG_NO_DEFER when UT_ULOOP_NO_DEFER=1 (the *_nodefer test runs).
 */
static inline struct uloop_config ut_config(const struct uloop_config *cfg)
{
	struct uloop_config c = {0};
	const char *e = getenv("UT_ULOOP_NO_DEFER");

	if (cfg)
		c = *cfg;
	if (e && e[0] == '1')
		c.flags |= ULOOP_CFG_NO_DEFER;
	return c;
}

/* uloop_init(), exiting 77 when io_uring is unavailable here. */
static inline void ut_loop_init(struct uloop *loop,
				const struct uloop_config *cfg)
{
	struct uloop_config c = ut_config(cfg);
	int ret = uloop_init(loop, &c);

	if (ret == -ENOSYS || ret == -EPERM || ret == -EOPNOTSUPP) {
		printf("SKIP: io_uring unavailable: %s\n", strerror(-ret));
		exit(UT_SKIP);
	}
	UT_EQ(ret, 0);
	UT_EQ(!!(uloop_features(loop) & ULOOP_F_DEFER_TASKRUN) &&
		      (c.flags & ULOOP_CFG_NO_DEFER),
	      0);
}

/* A buffer ring of @nbufs buffers of @size bytes in its own memory. */
static inline int ut_bufring_init(struct ubufring *br, struct uloop *loop,
				  uint16_t bgid, unsigned int nbufs,
				  unsigned int size)
{
	struct ubufring_config cfg = {
		.bgid = bgid,
		.nbufs = nbufs,
		.buf_size = size,
	};

	return ubufring_init(br, loop, &cfg);
}

/* CPU time (user + system) of @who (RUSAGE_THREAD, RUSAGE_SELF) in ns. */
static inline uint64_t ut_cpu_ns(int who)
{
	struct rusage ru;

	UT_CHECK(getrusage(who, &ru) == 0);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
		       1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

#endif /* QNET_TESTS_URING_UTEST_H */
