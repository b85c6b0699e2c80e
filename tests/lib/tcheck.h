/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcheck.h: the check macros every C test binary shares (fail fast, exit 1). */
#ifndef QNET_TESTS_TCHECK_H
#define QNET_TESTS_TCHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "datapath/uring/uloop.h"

#define TC_MS	1000000ull

#define TC_CHECK(c)                                                            \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: %s: check failed: %s\n",       \
				__FILE__, __LINE__, __func__, #c);             \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define TC_EQ(a, b)                                                            \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_) {                                                \
			fprintf(stderr,                                        \
				"%s:%d: %s: %s = %lld, expected %s = %lld\n",  \
				__FILE__, __LINE__, __func__, #a, a_, #b, b_); \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* Run @loop, @step_ms at most per turn, until @expr holds; fail after @ms
 * milliseconds. */
#define TC_RUN_UNTIL_STEP(loop, expr, ms, step_ms)                             \
	do {                                                                   \
		uint64_t end_ = uloop_now() + (uint64_t)(ms)*TC_MS;            \
		while (!(expr)) {                                              \
			if (uloop_now() > end_) {                              \
				fprintf(stderr,                                \
					"%s:%d: %s: timed out waiting for "    \
					"%s\n",                                \
					__FILE__, __LINE__, __func__, #expr);  \
				exit(1);                                       \
			}                                                      \
			TC_CHECK(uloop_run_once(loop, (step_ms) * TC_MS) >=    \
				 0);                                           \
		}                                                              \
	} while (0)

/* Run @loop until @expr holds; fail after @ms milliseconds. */
#define TC_RUN_UNTIL(loop, expr, ms) TC_RUN_UNTIL_STEP(loop, expr, ms, 10)

#endif /* QNET_TESTS_TCHECK_H */
