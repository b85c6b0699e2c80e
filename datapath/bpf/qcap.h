/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qcap.h: capture and filter types shared by the BPF programs and their loaders. */
#ifndef QNET_BPF_QCAP_H
#define QNET_BPF_QCAP_H

#include <linux/types.h>

/**
 * DOC: kernel capture and filter slots
 *
 * Every qnet program that sees frames on a kernel interface (the XDP
 * steering program, the TC programs) carries the same capture machinery:
 * QCAP_SLOTS slots, run in slot order on each frame of the netdev. A slot
 * is a capture (filter-dump: copy up to maxlen bytes with a timestamp into
 * the program's ring buffer), a drop filter (frames that match are dropped)
 * or an allow filter (frames that do not match are dropped). A slot may
 * carry a classic BPF program (what libpcap compiles a tcpdump expression
 * to); the BPF side interprets it, bounded by its length (classic BPF only
 * jumps forward). A dropping slot ends the walk: later slots do not see
 * the frame, as in QEMU's filter chain.
 *
 * User space writes the slots (struct qcap_cfg, one map entry) and the
 * classic programs (struct qcap_filter, one entry per slot) at run time;
 * the programs read them per frame. Counters are per CPU and per slot.
 */

/** QCAP_SLOTS - capture/filter slots per program */
#define QCAP_SLOTS 4

/** QCAP_SNAP_MAX - largest maxlen (bytes copied per frame) */
#define QCAP_SNAP_MAX 65535u

/** QCAP_FILTER_MAX - most classic BPF instructions in one filter */
#define QCAP_FILTER_MAX 4096u

/** QCAP_SCRATCH - classic BPF scratch memory words (BPF_MEMWORDS) */
#define QCAP_SCRATCH 16

/**
 * enum qcap_kind - what a slot does
 * @QCAP_OFF:	unused
 * @QCAP_DUMP:	copy matching frames into the ring buffer
 * @QCAP_DROP:	drop matching frames
 * @QCAP_ALLOW:	drop frames that do not match
 */
enum qcap_kind {
	QCAP_OFF,
	QCAP_DUMP,
	QCAP_DROP,
	QCAP_ALLOW,
	QCAP_KIND_COUNT
};

/* Hooks a slot applies to (struct qcap_slot.hooks). */
#define QCAP_HOOK_IN  (1u << 0)	/* XDP, TC ingress */
#define QCAP_HOOK_OUT (1u << 1)	/* TC egress */

/**
 * struct qcap_slot - one slot's configuration
 * @kind:	enum qcap_kind
 * @status:	1: running, 0: paused (seen is still counted)
 * @hooks:	QCAP_HOOK_* this slot runs on
 * @maxlen:	bytes copied per frame (QCAP_DUMP), 1..QCAP_SNAP_MAX
 * @has_filter:	1: run the slot's classic program; 0: every frame matches
 * @tag:	user space's cookie, copied into each record
 */
struct qcap_slot {
	__u32 kind;
	__u32 status;
	__u32 hooks;
	__u32 maxlen;
	__u32 has_filter;
	__u32 tag;
};

/**
 * struct qcap_cfg - the whole slot table (entry 0 of the cfg map)
 * @active:	bit i set: slot i is configured (fast path: 0 skips all)
 * @pad:	zero
 * @slot:	the slots, run in index order
 */
struct qcap_cfg {
	__u32 active;
	__u32 pad;
	struct qcap_slot slot[QCAP_SLOTS];
};

/**
 * struct qcap_insn - one classic BPF instruction (struct sock_filter layout)
 * @code:	opcode
 * @jt:		jump offset if true
 * @jf:		jump offset if false
 * @k:		operand
 */
struct qcap_insn {
	__u16 code;
	__u8 jt;
	__u8 jf;
	__u32 k;
};

/**
 * struct qcap_filter - one slot's classic program (filter map, key = slot)
 * @len:	instructions in @insn (1..QCAP_FILTER_MAX)
 * @pad:	zero
 * @insn:	the program, as libpcap emits it
 */
struct qcap_filter {
	__u32 len;
	__u32 pad;
	struct qcap_insn insn[QCAP_FILTER_MAX];
};

/**
 * struct qcap_stats - per-slot counters (per-CPU map, key = slot)
 * @seen:	frames the slot looked at (status on or off)
 * @matched:	frames its filter accepted (all, without a filter)
 * @copied:	records written to the ring buffer
 * @ring_full:	matching frames lost because the ring buffer was full
 * @dropped:	frames this slot dropped (drop/allow filters)
 * @bytes:	frame bytes copied (caplen)
 */
struct qcap_stats {
	__u64 seen;
	__u64 matched;
	__u64 copied;
	__u64 ring_full;
	__u64 dropped;
	__u64 bytes;
};

/* Record direction (struct qcap_rec.hook): the hook that saw the frame. */
#define QCAP_REC_IN  0
#define QCAP_REC_OUT 1

/**
 * struct qcap_rec - header of one ring-buffer record; @caplen bytes follow
 * @ts_ns:	bpf_ktime_get_ns() when the frame was seen (CLOCK_MONOTONIC)
 * @len:	frame length on the wire
 * @caplen:	bytes that follow (min(len, maxlen, filter's return))
 * @slot:	slot index
 * @hook:	QCAP_REC_IN or QCAP_REC_OUT
 * @pad:	zero
 * @tag:	the slot's tag
 */
struct qcap_rec {
	__u64 ts_ns;
	__u32 len;
	__u32 caplen;
	__u8 slot;
	__u8 hook;
	__u16 pad;
	__u32 tag;
};

#endif /* QNET_BPF_QCAP_H */
