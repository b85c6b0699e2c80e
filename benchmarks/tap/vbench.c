// SPDX-License-Identifier: GPL-2.0-or-later
/* vbench.c: what bench-vtap and bench-vtap-rx share: a virtio-net device on a tap in a private namespace, both ways of a case compared round by round. */

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "benchmarks/tap/vbench.h"

/**
 * vbench_open() - a private network namespace, a tap @ifname (up, no
 * IPv6) and qnet's virtio-net device peered with it, the synthetic
 * front-end connected with rings of @ring
 * @e:		filled
 * @t:		set to the tap
 * @ifname:	the tap's name
 * @ring:	ring size
 *
 * Return: 0; 77 without root or a namespace (printed as SKIP); 1 when the
 * links cannot be set up.
 */
int vbench_open(struct venv *e, struct tap **t, const char *ifname,
		uint32_t ring)
{
	struct tap_config cfg = { .ifname = ifname, .script = "no",
				  .downscript = "no" };
	struct virtio_net_params p;
	struct tap_err err;
	char cmd[160];
	int ret;

	if (geteuid() != 0 || unshare(CLONE_NEWNET)) {
		printf("SKIP: needs root and a private network namespace\n");
		return 77;
	}
	virtio_net_params_default(&p);
	p.peer_vnet = true;
	vt_start(e, &p, true);
	ret = tap_open(t, &cfg, &e->loop, "t0", &err);
	if (ret) {
		printf("SKIP: tap_open: %s\n", strerror(-ret));
		return 77;
	}
	snprintf(cmd, sizeof(cmd), "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1;"
		 " ip link set lo up && ip link set %s up", ifname, ifname);
	if (system(cmd))
		return 1;
	port_disconnect(virtio_net_port(e->vn));
	VT_EQ(port_connect(virtio_net_port(e->vn), tap_port(*t)), 0);
	vt_connect(e, vt_features_default(), ring);
	return 0;
}

/**
 * vbench_compare() - VBENCH_ROUNDS rounds of every way, interleaved;
 * print the best of each and its ratio to the last way's (the copying
 * baseline)
 * @e:		the device and front-end
 * @name:	the case ("64", "gso", ...)
 * @ways:	the ways' names, the baseline last
 * @nways:	how many (2..VBENCH_WAYS)
 * @run:	measures one way
 * @arg:	passed to @run
 */
void vbench_compare(struct venv *e, const char *name,
		    const char *const *ways, unsigned int nways,
		    vbench_run_fn run, void *arg)
{
	double best_mpps[VBENCH_WAYS], best_ns[VBENCH_WAYS];
	unsigned int r, w, b = nways - 1;

	for (w = 0; w < nways; w++) {
		best_mpps[w] = 0;
		best_ns[w] = 1e18;
	}
	for (r = 0; r < VBENCH_ROUNDS; r++) {
		for (w = 0; w < nways; w++) {
			double mpps, ns;

			run(e, w, arg, &mpps, &ns);
			if (mpps > best_mpps[w])
				best_mpps[w] = mpps;
			if (ns < best_ns[w])
				best_ns[w] = ns;
		}
	}
	for (w = 0; w < nways; w++)
		printf("%-8s %-10s %8.3f %12.0f\n", name, ways[w], best_mpps[w],
		       best_ns[w]);
	for (w = 0; w < b; w++)
		printf("%-8s %s / %s: %.2fx throughput, %.2fx CPU per frame "
		       "(above 1: %s is cheaper)\n", name, ways[w], ways[b],
		       best_mpps[w] / best_mpps[b], best_ns[b] / best_ns[w],
		       ways[w]);
}

/**
 * vbench_peak_rss_kib() - the process's peak resident memory
 *
 * Return: KiB.
 */
long vbench_peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/**
 * vbench_close() - undo vbench_open()
 * @e:	the device and front-end
 * @t:	the tap
 */
void vbench_close(struct venv *e, struct tap *t)
{
	vfe_fini(&e->fe);
	vt_pump(e);
	port_disconnect(virtio_net_port(e->vn));
	tap_close(t);
	virtio_net_close(e->vn);
	vt_pump(e);
	vt_release(e);
}
