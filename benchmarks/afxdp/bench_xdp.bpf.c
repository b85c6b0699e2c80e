// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_xdp.bpf.c: the af-xdp benchmark's kernel side: a counting sink and the XDP redirect baseline. */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* interface the baseline redirects to (set before load) */
const volatile __u32 bx_target = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bx_count SEC(".maps");

/*
 * Count every frame and drop it, at TC ingress of the far veth: the sink.
 * Both paths reach it as skbs (an XDP sink would favour redirected
 * xdp_frames over the skbs AF_XDP's copy mode transmits).
 */
SEC("tc")
int bx_sink(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&bx_count, &zero);

	if (c)
		(*c)++;
	return 2;	/* TC_ACT_SHOT */
}

/* The kernel's own forwarding between the two veths: the baseline. */
SEC("xdp")
int bx_redirect(struct xdp_md *ctx)
{
	return bpf_redirect(bx_target, 0);
}

char LICENSE[] SEC("license") = "GPL";
