/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vbench.h: what bench-vtap and bench-vtap-rx share: a virtio-net device on a tap in a private namespace, both ways of a case compared round by round. */
#ifndef QNET_BENCHMARKS_TAP_VBENCH_H
#define QNET_BENCHMARKS_TAP_VBENCH_H

#include "backends/tap.h"
#include "tests/device/vtest.h"

/** VBENCH_MS - one measurement; VBENCH_ROUNDS - measurements per way */
#define VBENCH_MS	300
#define VBENCH_ROUNDS	5
/** VBENCH_WAYS - most ways a case compares */
#define VBENCH_WAYS	4

/**
 * vbench_run_fn - measure one way of a case for VBENCH_MS
 * @e:		the device and front-end
 * @way:	index into the bench's ways (the copying baseline last)
 * @arg:	the bench's
 * @mpps:	set to frames per microsecond
 * @cpu_ns:	set to CPU-ns per frame
 */
typedef void (*vbench_run_fn)(struct venv *e, unsigned int way, void *arg,
			      double *mpps, double *cpu_ns);

int vbench_open(struct venv *e, struct tap **t, const char *ifname,
		uint32_t ring);
void vbench_compare(struct venv *e, const char *name,
		    const char *const *ways, unsigned int nways,
		    vbench_run_fn run, void *arg);
long vbench_peak_rss_kib(void);
void vbench_close(struct venv *e, struct tap *t);

#endif /* QNET_BENCHMARKS_TAP_VBENCH_H */
