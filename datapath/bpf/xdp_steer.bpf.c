// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp_steer.bpf.c: XDP program of af-xdp netdevs: steer the guest's frames to qnet's sockets, capture, filter. */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define QCAP_CTX struct xdp_md
#define QCAP_LOAD(ctx, off, buf, len) bpf_xdp_load_bytes(ctx, off, buf, len)
#include "datapath/bpf/qcap.bpf.h"
#include "datapath/bpf/xdp_steer.h"

/* 1: steer frames to the sockets (af-xdp); 0: capture/filter only */
const volatile __u32 qx_steer = 1;

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} qnet_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_steer_cfg);
} qnet_steer_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_STEER_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} qnet_steer_st SEC(".maps");

static __always_inline void xdp_steer_count(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&qnet_steer_st, &what);

	if (c)
		(*c)++;
}

/* Whether the frame is for the guest, from its destination MAC. */
static __always_inline int xdp_steer_match(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	const struct xdp_steer_cfg *cfg;
	const __u8 *d = data;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&qnet_steer_cfg, &zero);
	if (!cfg)
		return 0;
	if (cfg->flags & XDP_STEER_F_ALL)
		return 1;
	if (data + ETH_HLEN > end)
		return 0;
	if ((d[0] & 1) && (cfg->flags & XDP_STEER_F_MCAST))
		return 1;
	return (cfg->flags & XDP_STEER_F_MAC) &&
	       d[0] == cfg->mac[0] && d[1] == cfg->mac[1] &&
	       d[2] == cfg->mac[2] && d[3] == cfg->mac[3] &&
	       d[4] == cfg->mac[4] && d[5] == cfg->mac[5];
}

SEC("xdp.frags")
int qnet_xdp(struct xdp_md *ctx)
{
	long act;

	if (qx_steer && !xdp_steer_match(ctx)) {
		xdp_steer_count(XDP_STEER_TO_HOST);
		return XDP_PASS;
	}
	if (qcap_run(ctx, bpf_xdp_get_buff_len(ctx), QCAP_REC_IN, 0)) {
		xdp_steer_count(XDP_STEER_FILTERED);
		return XDP_DROP;
	}
	if (!qx_steer)
		return XDP_PASS;
	act = bpf_redirect_map(&qnet_xsks, ctx->rx_queue_index, XDP_PASS);
	xdp_steer_count(act == XDP_REDIRECT ? XDP_STEER_TO_GUEST : XDP_STEER_NO_SOCKET);
	return act;
}

char LICENSE[] SEC("license") = "GPL";
