/* SPDX-License-Identifier: GPL-2.0-or-later */
/* btest.h: helpers shared by the bpf suite: checks, skips, crafted frames, test runs. */
#ifndef QNET_TESTS_BPF_BTEST_H
#define QNET_TESTS_BPF_BTEST_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "tests/lib/tcheck.h"

#define BT_SKIP 77
#define BT_CHECK TC_CHECK
#define BT_EQ TC_EQ

static int bt_silent(enum libbpf_print_level level, const char *fmt,
		     va_list ap)
{
	if (getenv("BT_VERBOSE"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* Exit 77 (skip) unless root: loading programs needs CAP_BPF. */
static inline void bt_need_root(const char *what)
{
	libbpf_set_print(bt_silent);
	if (geteuid() != 0) {
		printf("SKIP: %s needs root (CAP_BPF, CAP_NET_ADMIN)\n", what);
		exit(BT_SKIP);
	}
}

/* A guest MAC and a few others used by the crafted frames. */
static const uint8_t bt_guest[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t bt_other[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
static const uint8_t bt_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t bt_mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static const uint8_t bt_mcast6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

/*
 * Fill @buf with a frame of @len bytes to @dst, ethertype @proto, and a
 * payload whose byte i is (i * 7 + seed) & 0xff (so truncation shows).
 */
static inline void bt_frame(uint8_t *buf, uint32_t len, const uint8_t dst[6],
			    uint16_t proto, uint8_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
	if (len >= 6)
		memcpy(buf, dst, 6);
	if (len >= 12)
		memcpy(buf + 6, bt_other, 6);
	if (len >= 14) {
		buf[12] = proto >> 8;
		buf[13] = proto & 0xff;
	}
}

#define BT_RUN_ERR (-0x7fffffff - 1)

/* Run @prog_fd once on @data (@len bytes); its verdict, or BT_RUN_ERR. */
static inline int bt_run(int prog_fd, const void *data, uint32_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data,
		    .data_size_in = len, .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	if (err) {
		fprintf(stderr, "test run of %u bytes: %s\n", len,
			strerror(errno));
		return BT_RUN_ERR;
	}
	return (int)o.retval;
}

#endif /* QNET_TESTS_BPF_BTEST_H */
