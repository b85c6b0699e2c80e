// SPDX-License-Identifier: GPL-2.0-or-later
/* tc_cap.c: loader of the TC capture/filter programs (tcx links on ingress and egress). */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/bpf/tc_cap.h"
#include "datapath/bpf/tc_cap.skel.h"

/*
 * tcx attach points (Linux 6.6); the UAPI headers of the build machine may
 * predate them. Links detach by themselves when the process dies.
 */
#define TC_CAP_TCX_INGRESS 46
#define TC_CAP_TCX_EGRESS 47

static const char *const tc_cap_roles[] = {
	"tc_in", "tc_out", "cap_cfg", "cap_filt", "cap_stats", "cap_ring",
};

/* Round up to a power of two of at least a page (ring buffer sizes). */
static uint32_t ring_round(uint32_t v)
{
	uint32_t r = (uint32_t)sysconf(_SC_PAGESIZE);

	while (r < v && r < (1u << 30))
		r <<= 1;
	return r;
}

/**
 * tc_cap_load() - open and load the TC object, attach nothing
 * @t:		the object (zeroed by this call)
 * @ring_size:	ring buffer bytes (0: TC_CAP_RING_DEFAULT), rounded up
 *
 * For tests (bpf_prog_test_run_opts) and for tc_cap_open().
 *
 * Return: 0, -EPERM without CAP_BPF, or -errno.
 */
int tc_cap_load(struct tc_cap *t, uint32_t ring_size)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->link_in = t->link_out = -1;
	t->skel = tc_cap_bpf__open();
	if (!t->skel)
		return errno ? -errno : -ENOMEM;
	err = bpf_map__set_max_entries(t->skel->maps.qnet_cap_ring,
				       ring_round(ring_size ? ring_size :
						  TC_CAP_RING_DEFAULT));
	if (!err)
		err = tc_cap_bpf__load(t->skel);
	if (!err)
		err = qhost_init(&t->host,
				 bpf_map__fd(t->skel->maps.qnet_cap_cfg),
				 bpf_map__fd(t->skel->maps.qnet_cap_filt),
				 bpf_map__fd(t->skel->maps.qnet_cap_stats),
				 bpf_map__fd(t->skel->maps.qnet_cap_ring));
	if (err) {
		tc_cap_bpf__destroy(t->skel);
		t->skel = NULL;
	}
	return err;
}

/**
 * tc_cap_prog_fd() - fd of the ingress or egress program
 * @t:		a loaded object
 * @hook:	QCAP_HOOK_IN or QCAP_HOOK_OUT
 *
 * Return: the fd.
 */
int tc_cap_prog_fd(const struct tc_cap *t, unsigned int hook)
{
	return bpf_program__fd(hook == QCAP_HOOK_OUT ?
			       t->skel->progs.qnet_tc_out :
			       t->skel->progs.qnet_tc_in);
}

/* Pin the programs attached and every map under their stable names. */
static int tc_cap_pin(struct tc_cap *t)
{
	int fds[] = {
		t->link_in >= 0 ? tc_cap_prog_fd(t, QCAP_HOOK_IN) : -1,
		t->link_out >= 0 ? tc_cap_prog_fd(t, QCAP_HOOK_OUT) : -1,
		t->host.cfg_fd, t->host.filt_fd, t->host.stats_fd,
		t->host.ring_fd,
	};
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] < 0)
			continue;
		err = bpfpin_pin(t->pins, fds[i], t->pin_id, tc_cap_roles[i]);
		if (err)
			return err;
	}
	return 0;
}

/**
 * tc_cap_open() - load the TC object and attach it to an interface
 * @t:		the object
 * @ifindex:	interface (a tap, a bridge port)
 * @hooks:	QCAP_HOOK_IN (ingress), QCAP_HOOK_OUT (egress), or both
 * @ring_size:	ring buffer bytes (0: TC_CAP_RING_DEFAULT)
 * @pins:	pin directory (NULL: no pins)
 * @pin_id:	pins are named qnet_<pin_id>_<role>
 *
 * Return: 0; -EPERM without CAP_BPF/CAP_NET_ADMIN; -ENODEV for a gone
 * interface; -EOPNOTSUPP without tcx (Linux < 6.6); -errno.
 */
int tc_cap_open(struct tc_cap *t, int ifindex, unsigned int hooks,
		uint32_t ring_size, const struct bpfpin *pins,
		const char *pin_id)
{
	int err;

	if (!hooks || (hooks & ~(QCAP_HOOK_IN | QCAP_HOOK_OUT)) || !pin_id ||
	    strlen(pin_id) >= sizeof(t->pin_id))
		return -EINVAL;
	err = tc_cap_load(t, ring_size);
	if (err)
		return err;
	t->ifindex = ifindex;
	t->hooks = hooks;
	t->pins = pins;
	strcpy(t->pin_id, pin_id);
	if (hooks & QCAP_HOOK_IN) {
		t->link_in = bpf_link_create(tc_cap_prog_fd(t, QCAP_HOOK_IN),
					     ifindex, TC_CAP_TCX_INGRESS, NULL);
		if (t->link_in < 0)
			goto err_attach;
	}
	if (hooks & QCAP_HOOK_OUT) {
		t->link_out = bpf_link_create(tc_cap_prog_fd(t, QCAP_HOOK_OUT),
					      ifindex, TC_CAP_TCX_EGRESS, NULL);
		if (t->link_out < 0)
			goto err_attach;
	}
	err = tc_cap_pin(t);
	if (err)
		goto err_close;
	return 0;
err_attach:
	err = -errno;
	if (err == -EINVAL)
		err = -EOPNOTSUPP;
err_close:
	tc_cap_close(t);
	return err;
}

/**
 * tc_cap_close() - detach, unpin, unload (the host's watch must be gone)
 * @t:		the object (a zeroed or closed one is ignored)
 */
void tc_cap_close(struct tc_cap *t)
{
	unsigned int i;

	if (!t->skel)
		return;
	for (i = 0; t->pin_id[0] && i < sizeof(tc_cap_roles) / sizeof(tc_cap_roles[0]); i++)
		bpfpin_unpin(t->pins, t->pin_id, tc_cap_roles[i]);
	if (t->link_in >= 0)
		close(t->link_in);
	if (t->link_out >= 0)
		close(t->link_out);
	t->link_in = t->link_out = -1;
	qhost_fini(&t->host);
	tc_cap_bpf__destroy(t->skel);
	t->skel = NULL;
}
