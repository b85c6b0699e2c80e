/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tframe.h: test frames that count their releases, and check macros. */
#ifndef QNET_TESTS_TFRAME_H
#define QNET_TESTS_TFRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "datapath/frame.h"
#include "tests/lib/tcheck.h"

/** TFRAME_BUF - buffer bytes behind each test frame */
#define TFRAME_BUF 2048

/**
 * struct tframes - @n frames with cookies 0..n-1 and a release count each
 * @owner:	release hook counting into @released
 * @n:		frames
 * @f:		the frames
 * @ptr:	&f[i], for passing as an array
 * @buf:	their buffers, TFRAME_BUF each
 * @released:	times each frame was released
 */
struct tframes {
	struct frame_owner owner;
	unsigned int n;
	struct frame *f;
	struct frame **ptr;
	uint8_t *buf;
	unsigned int *released;
};

int tframes_new(struct tframes *t, unsigned int n, uint32_t len);
void tframes_free(struct tframes *t);
unsigned int tframes_released(const struct tframes *t);
bool tframes_each_released_once(const struct tframes *t);
void tframes_put_all(struct tframes *t);

/* Test checks: print where and what, and fail the test. */
#define CHECK(c) TC_CHECK(c)
#define CHECK_EQ(a, b) TC_EQ(a, b)

#endif /* QNET_TESTS_TFRAME_H */
