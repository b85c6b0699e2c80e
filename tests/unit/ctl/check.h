// SPDX-License-Identifier: GPL-2.0-or-later
/* Minimal test harness for the ctl unit tests: CHECK macros and a runner. */
#ifndef QNET_TESTS_UNIT_CTL_CHECK_H
#define QNET_TESTS_UNIT_CTL_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                       \
	do {                                                              \
		check_count++;                                            \
		if (!(cond)) {                                            \
			check_failures++;                                 \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",      \
				__FILE__, __LINE__, #cond);               \
		}                                                         \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                \
	do {                                                              \
		long long check_a_ = (long long)(a);                      \
		long long check_b_ = (long long)(b);                      \
		check_count++;                                            \
		if (check_a_ != check_b_) {                               \
			check_failures++;                                 \
			fprintf(stderr, "%s:%d: %s == %s failed: "        \
				"%lld != %lld\n", __FILE__, __LINE__, #a, \
				#b, check_a_, check_b_);                  \
		}                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *check_a_ = (a);                               \
		const char *check_b_ = (b);                               \
		check_count++;                                            \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) { \
			check_failures++;                                 \
			fprintf(stderr, "%s:%d: %s == %s failed:\n"       \
				"  got:      [%s]\n  expected: [%s]\n",   \
				__FILE__, __LINE__, #a, #b,               \
				check_a_ ? check_a_ : "(null)",           \
				check_b_ ? check_b_ : "(null)");          \
		}                                                         \
	} while (0)

/* Run one test function and name it in the output. */
#define RUN(fn)                                                           \
	do {                                                              \
		int check_before_ = check_failures;                       \
		fn();                                                     \
		printf("%s %s\n", check_failures == check_before_ ?       \
		       "ok  " : "FAIL", #fn);                             \
	} while (0)

static inline int check_report(void)
{
	printf("%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif /* QNET_TESTS_UNIT_CTL_CHECK_H */
