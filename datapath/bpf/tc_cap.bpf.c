// SPDX-License-Identifier: GPL-2.0-or-later
/* tc_cap.bpf.c: TC ingress/egress programs: capture and filter frames crossing a tap or bridge port. */

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define QCAP_CTX struct __sk_buff
#define QCAP_LOAD(ctx, off, buf, len) bpf_skb_load_bytes(ctx, off, buf, len)
#define QCAP_HAVE_VLAN 1
#include "datapath/bpf/qcap.bpf.h"

/* Run the slots on one skb seen at @hook; TC verdict. */
static __always_inline int qtc_run(struct __sk_buff *skb, __u32 hook)
{
	__u32 len = skb->len, vtag = 0;

	if (skb->vlan_present) {
		/* vlan_proto is kept in network order, vlan_tci in host order */
		vtag = (__u32)bpf_ntohs((__u16)skb->vlan_proto) << 16 |
		       (skb->vlan_tci & 0xffff);
		len += 4;
	}
	return qcap_run(skb, len, hook, vtag) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

SEC("tc")
int qnet_tc_in(struct __sk_buff *skb)
{
	return qtc_run(skb, QCAP_REC_IN);
}

SEC("tc")
int qnet_tc_out(struct __sk_buff *skb)
{
	return qtc_run(skb, QCAP_REC_OUT);
}

char LICENSE[] SEC("license") = "GPL";
