/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tc_cap.h: loader of the TC capture/filter programs (tcx links on ingress and egress). */
#ifndef QNET_BPF_TC_CAP_H
#define QNET_BPF_TC_CAP_H

#include <stdint.h>

#include "datapath/bpf/bpfpin.h"
#include "datapath/bpf/qhost.h"

struct tc_cap_bpf;

/** TC_CAP_RING_DEFAULT - ring buffer bytes when the caller gives 0 */
#define TC_CAP_RING_DEFAULT (4u << 20)

/**
 * struct tc_cap - one loaded TC object on one interface
 * @skel:	the skeleton
 * @host:	its capture slots
 * @ifindex:	interface
 * @hooks:	QCAP_HOOK_* attached
 * @link_in:	tcx ingress link fd, or -1
 * @link_out:	tcx egress link fd, or -1
 * @pins:	pin directory, or NULL
 * @pin_id:	id its pins are named after (qnet_<pin_id>_<role>)
 */
struct tc_cap {
	struct tc_cap_bpf *skel;
	struct qhost host;
	int ifindex;
	unsigned int hooks;
	int link_in;
	int link_out;
	const struct bpfpin *pins;
	char pin_id[BPFPIN_NAME_MAX * 2];
};

int tc_cap_open(struct tc_cap *t, int ifindex, unsigned int hooks,
		uint32_t ring_size, const struct bpfpin *pins,
		const char *pin_id);
int tc_cap_load(struct tc_cap *t, uint32_t ring_size);
void tc_cap_close(struct tc_cap *t);
int tc_cap_prog_fd(const struct tc_cap *t, unsigned int hook);

#endif /* QNET_BPF_TC_CAP_H */
