/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qcap.bpf.h: BPF side of capture and filter slots, shared by the XDP and TC programs. */
#ifndef QNET_BPF_QCAP_BPF_H
#define QNET_BPF_QCAP_BPF_H

/*
 * The including program defines, before including this file:
 *   QCAP_LOAD(ctx, off, buf, len)  its packet load helper
 *                                  (bpf_xdp_load_bytes / bpf_skb_load_bytes)
 *   QCAP_CTX                       its context type
 * and optionally QCAP_HAVE_VLAN when frames may carry an offloaded VLAN tag
 * (TC: the tag is metadata, not bytes; capture and filters see it put back
 * in place, as libpcap does on Linux).
 */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "datapath/bpf/qcap.h"

/* classic BPF opcode fields (linux/filter.h, linux/bpf_common.h) */
#define QC_CLASS(c) ((c) & 0x07)
#define QC_SIZE(c)  ((c) & 0x18)
#define QC_MODE(c)  ((c) & 0xe0)
#define QC_OP(c)    ((c) & 0xf0)
#define QC_SRCX(c)  ((c) & 0x08)

#define QC_LD	0x00
#define QC_LDX	0x01
#define QC_ST	0x02
#define QC_STX	0x03
#define QC_ALU	0x04
#define QC_JMP	0x05
#define QC_RET	0x06
#define QC_MISC 0x07

#define QC_W 0x00
#define QC_H 0x08
#define QC_B 0x10

#define QC_IMM 0x00
#define QC_ABS 0x20
#define QC_IND 0x40
#define QC_MEM 0x60
#define QC_LEN 0x80
#define QC_MSH 0xa0

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct qcap_cfg);
} qnet_cap_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, QCAP_SLOTS);
	__type(key, __u32);
	__type(value, struct qcap_filter);
} qnet_cap_filt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, QCAP_SLOTS);
	__type(key, __u32);
	__type(value, struct qcap_stats);
} qnet_cap_stats SEC(".maps");

/* Size set by the loader before load (bpf_map__set_max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} qnet_cap_ring SEC(".maps");

/**
 * struct qcap_pkt - the frame a program is looking at
 * @ctx:	program context (xdp_md or __sk_buff)
 * @len:	frame length as capture and filters see it (tag included)
 * @hook:	QCAP_REC_IN or QCAP_REC_OUT
 * @vlan:	1: an offloaded tag is put back after the MAC addresses
 * @vtag:	that tag, network order (TPID then TCI)
 */
struct qcap_pkt {
	QCAP_CTX *ctx;
	__u32 len;
	__u32 hook;
	__u32 vlan;
	__u8 vtag[4];
};

/**
 * struct qcap_vm - classic BPF machine state, on the program's stack
 * @pkt:	the frame
 * @f:		the program being run
 * @A:		accumulator
 * @X:		index register
 * @pc:		next instruction
 * @ret:	result: 0 no match, else the snapshot length asked for
 * @M:		scratch memory
 */
struct qcap_vm {
	struct qcap_pkt *pkt;
	const struct qcap_filter *f;
	__u32 A;
	__u32 X;
	__u32 pc;
	__u32 ret;
	__u32 M[QCAP_SCRATCH];
};

/**
 * qcap_load() - load @len (1, 2 or 4) bytes of the frame as seen by capture
 * @p:		the frame
 * @off:	offset in the frame (offloaded VLAN tag included)
 * @val:	result, host order
 * @len:	1, 2 or 4
 *
 * Return: 0, or -1 when the bytes lie beyond the frame.
 */
static __always_inline int qcap_load(struct qcap_pkt *p, __u32 off, __u32 *val,
				     __u32 len)
{
	__u8 b[4] = {};

	if (off >= p->len || len > p->len - off)
		return -1;
#ifdef QCAP_HAVE_VLAN
	if (p->vlan) {
		__u32 i;

		for (i = 0; i < 4; i++) {
			__u32 o = off + i;

			if (i >= len)
				break;
			if (o < 12) {
				if (QCAP_LOAD(p->ctx, o, &b[i], 1))
					return -1;
			} else if (o < 16) {
				b[i] = p->vtag[(o - 12) & 3];
			} else if (QCAP_LOAD(p->ctx, o - 4, &b[i], 1)) {
				return -1;
			}
		}
		goto assemble;
	}
#endif
	if (len == 4) {
		if (QCAP_LOAD(p->ctx, off, b, 4))
			return -1;
	} else if (len == 2) {
		if (QCAP_LOAD(p->ctx, off, b, 2))
			return -1;
	} else {
		if (QCAP_LOAD(p->ctx, off, b, 1))
			return -1;
	}
#ifdef QCAP_HAVE_VLAN
assemble:
#endif
	if (len == 4)
		*val = (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
	else if (len == 2)
		*val = (__u32)b[0] << 8 | b[1];
	else
		*val = b[0];
	return 0;
}

/* Load size of a classic opcode, in bytes. */
static __always_inline __u32 qcap_ld_size(__u16 code)
{
	return QC_SIZE(code) == QC_W ? 4 : QC_SIZE(code) == QC_H ? 2 : 1;
}

/* ALU step: returns 1 when the program must stop (division by zero). */
static __always_inline int qcap_alu(struct qcap_vm *vm, __u16 code, __u32 k)
{
	__u32 v = QC_SRCX(code) ? vm->X : k;

	switch (QC_OP(code)) {
	case 0x00: vm->A += v; break;
	case 0x10: vm->A -= v; break;
	case 0x20: vm->A *= v; break;
	case 0x30:
		if (!v)
			return 1;
		vm->A /= v;
		break;
	case 0x90:
		if (!v)
			return 1;
		vm->A %= v;
		break;
	case 0x40: vm->A |= v; break;
	case 0x50: vm->A &= v; break;
	case 0xa0: vm->A ^= v; break;
	case 0x60: vm->A = v < 32 ? vm->A << (v & 31) : 0; break;
	case 0x70: vm->A = v < 32 ? vm->A >> (v & 31) : 0; break;
	case 0x80: vm->A = -vm->A; break;
	default: return 1;
	}
	return 0;
}

/* Jump step: returns the offset to add to pc (already past this insn). */
static __always_inline __u32 qcap_jmp(struct qcap_vm *vm,
				      const struct qcap_insn *in)
{
	__u32 v = QC_SRCX(in->code) ? vm->X : in->k;
	int t;

	switch (QC_OP(in->code)) {
	case 0x00: return in->k;		/* ja */
	case 0x10: t = vm->A == v; break;	/* jeq */
	case 0x20: t = vm->A > v; break;	/* jgt */
	case 0x30: t = vm->A >= v; break;	/* jge */
	case 0x40: t = (vm->A & v) != 0; break;	/* jset */
	default: return 0xffffffffu;		/* invalid: leave the program */
	}
	return t ? in->jt : in->jf;
}

/* Loads into A or X; returns 1 when the program must stop (out of bounds). */
static __always_inline int qcap_ld(struct qcap_vm *vm, __u16 code, __u32 k,
				   __u32 *dst)
{
	__u32 off;

	switch (QC_MODE(code)) {
	case QC_IMM:
		*dst = k;
		return 0;
	case QC_LEN:
		*dst = vm->pkt->len;
		return 0;
	case QC_MEM:
		*dst = vm->M[k & (QCAP_SCRATCH - 1)];
		return 0;
	case QC_ABS:
		return qcap_load(vm->pkt, k, dst, qcap_ld_size(code)) ? 1 : 0;
	case QC_IND:
		off = vm->X + k;
		if (off < k)
			return 1;
		return qcap_load(vm->pkt, off, dst, qcap_ld_size(code)) ? 1 : 0;
	case QC_MSH:
		if (qcap_load(vm->pkt, k, &off, 1))
			return 1;
		*dst = (off & 0xf) << 2;
		return 0;
	}
	return 1;
}

/**
 * qcap_step() - run one classic instruction (bpf_loop callback)
 * @i:		iteration (unused: the program counter is in @vm)
 * @vm:		machine state
 *
 * Return: 0 to go on, 1 when the program returned or failed (@vm->ret set).
 */
static long qcap_step(__u32 i, struct qcap_vm *vm)
{
	const struct qcap_insn *in;
	__u32 pc = vm->pc, off, len = vm->f->len;

	vm->ret = 0;
	if (pc >= len || pc >= QCAP_FILTER_MAX)
		return 1;
	in = &vm->f->insn[pc & (QCAP_FILTER_MAX - 1)];
	vm->pc = pc + 1;
	switch (QC_CLASS(in->code)) {
	case QC_LD:
		return qcap_ld(vm, in->code, in->k, &vm->A);
	case QC_LDX:
		return qcap_ld(vm, in->code, in->k, &vm->X);
	case QC_ST:
		vm->M[in->k & (QCAP_SCRATCH - 1)] = vm->A;
		return 0;
	case QC_STX:
		vm->M[in->k & (QCAP_SCRATCH - 1)] = vm->X;
		return 0;
	case QC_ALU:
		return qcap_alu(vm, in->code, in->k);
	case QC_JMP:
		off = qcap_jmp(vm, in);
		if (off >= len)
			return 1;
		vm->pc += off;
		return 0;
	case QC_RET:
		vm->ret = QC_SIZE(in->code) == QC_B ? vm->A : in->k;
		return 1;
	case QC_MISC:
		if (in->code == 0x87)
			vm->A = vm->X;	/* txa */
		else if (in->code == 0x07)
			vm->X = vm->A;	/* tax */
		else
			return 1;
		return 0;
	}
	return 1;
}

/**
 * qcap_filter_run() - run slot @slot's classic program on the frame
 * @p:		the frame
 * @slot:	slot index
 *
 * Return: the program's result: 0 no match, else the bytes it asks for.
 */
static __always_inline __u32 qcap_filter_run(struct qcap_pkt *p, __u32 slot)
{
	struct qcap_vm vm = {};

	vm.f = bpf_map_lookup_elem(&qnet_cap_filt, &slot);
	if (!vm.f || !vm.f->len || vm.f->len > QCAP_FILTER_MAX)
		return 0;
	vm.pkt = p;
	bpf_loop(vm.f->len, qcap_step, &vm, 0);
	return vm.ret;
}

#ifdef QCAP_HAVE_VLAN
#define QCAP_SLACK 16	/* room for the tag and the split copy */
#else
#define QCAP_SLACK 0
#endif

/*
 * A length in [1, room] the verifier can see, for @v already in that range
 * (@room a power of two): hide the range from the compiler, then mask.
 */
static __always_inline __u32 qcap_size(__u32 v, const __u32 room)
{
	asm volatile("" : "+r"(v));
	return ((v - 1) & (room - 1)) + 1;
}

/*
 * Copy @caplen (1..@room) bytes of the frame to @dst (@room + QCAP_SLACK
 * bytes), putting an offloaded VLAN tag back in place. Returns 0 or -1.
 */
static __always_inline int qcap_copy(struct qcap_pkt *p, __u8 *dst,
				     __u32 caplen, const __u32 room)
{
#ifdef QCAP_HAVE_VLAN
	if (p->vlan) {
		if (caplen < 16)
			return -1;
		if (QCAP_LOAD(p->ctx, 0, dst, 12))
			return -1;
		__builtin_memcpy(dst + 12, p->vtag, 4);
		if (caplen == 16)
			return 0;
		return QCAP_LOAD(p->ctx, 12, dst + 16,
				 qcap_size(caplen - 16, room)) ? -1 : 0;
	}
#endif
	return QCAP_LOAD(p->ctx, 0, dst, qcap_size(caplen, room)) ? -1 : 0;
}

/*
 * Wake the drain only once a quarter of the ring is used: at high rates a
 * wake-up per batch of records, not per record; the drain's periodic tick
 * collects what a slow trickle leaves below the mark.
 */
static __always_inline __u64 qcap_wakeup(void)
{
	__u64 used = bpf_ringbuf_query(&qnet_cap_ring, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&qnet_cap_ring, BPF_RB_RING_SIZE);

	return used > size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/*
 * Reserve a record with room for ROOM bytes (a constant power of two, as
 * bpf_ringbuf_reserve() wants a constant size), fill it, submit it.
 * Returns 0, -1 when the ring is full, -2 on a copy error.
 */
static __always_inline int qcap_emit(struct qcap_pkt *p, const __u32 room,
				     __u32 slot, __u32 tag, __u32 caplen)
{
	struct qcap_rec *r;

	r = bpf_ringbuf_reserve(&qnet_cap_ring,
				sizeof(*r) + room + QCAP_SLACK, 0);
	if (!r)
		return -1;
	r->ts_ns = bpf_ktime_get_ns();
	r->len = p->len;
	r->caplen = caplen;
	r->slot = slot;
	r->hook = p->hook;
	r->pad = 0;
	r->tag = tag;
	if (qcap_copy(p, (__u8 *)(r + 1), caplen, room)) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return -2;
	}
	bpf_ringbuf_submit(r, qcap_wakeup());
	return 0;
}

/* Records come in power-of-two size classes: the smallest that holds caplen. */
static __always_inline int qcap_dump(struct qcap_pkt *p, __u32 slot, __u32 tag,
				     __u32 caplen)
{
	if (caplen <= 128)
		return qcap_emit(p, 128, slot, tag, caplen);
	if (caplen <= 256)
		return qcap_emit(p, 256, slot, tag, caplen);
	if (caplen <= 512)
		return qcap_emit(p, 512, slot, tag, caplen);
	if (caplen <= 1024)
		return qcap_emit(p, 1024, slot, tag, caplen);
	if (caplen <= 2048)
		return qcap_emit(p, 2048, slot, tag, caplen);
	if (caplen <= 4096)
		return qcap_emit(p, 4096, slot, tag, caplen);
	if (caplen <= 8192)
		return qcap_emit(p, 8192, slot, tag, caplen);
	if (caplen <= 16384)
		return qcap_emit(p, 16384, slot, tag, caplen);
	if (caplen <= 32768)
		return qcap_emit(p, 32768, slot, tag, caplen);
	return qcap_emit(p, 65536, slot, tag, caplen);
}

/**
 * qcap_slot_run() - run slot @s on a frame
 * @ctx:	program context
 * @len:	frame length as capture sees it (tag included)
 * @hook:	QCAP_REC_IN or QCAP_REC_OUT
 * @vtag:	offloaded VLAN tag (TPID << 16 | TCI), 0 for none
 * @s:		slot index
 *
 * A global function: the verifier checks it once, not once per slot.
 *
 * Return: 1 when the slot drops the frame, else 0.
 */
__noinline int qcap_slot_run(QCAP_CTX *ctx, __u32 len, __u32 hook,
			     __u32 vtag, __u32 s)
{
	struct qcap_pkt p = { .ctx = ctx, .len = len, .hook = hook };
	const struct qcap_slot *sl;
	const struct qcap_cfg *cfg;
	struct qcap_stats *st;
	__u32 m = 0xffffffffu, caplen, zero = 0;
	int err;

	if (vtag) {
		p.vlan = 1;
		p.vtag[0] = vtag >> 24;
		p.vtag[1] = vtag >> 16;
		p.vtag[2] = vtag >> 8;
		p.vtag[3] = vtag;
	}
	cfg = bpf_map_lookup_elem(&qnet_cap_cfg, &zero);
	st = bpf_map_lookup_elem(&qnet_cap_stats, &s);
	if (!cfg || !st || s >= QCAP_SLOTS)
		return 0;
	sl = &cfg->slot[s];
	st->seen++;
	if (!sl->status)
		return 0;
	if (sl->has_filter)
		m = qcap_filter_run(&p, s);
	if (sl->kind == QCAP_ALLOW) {
		if (m)
			st->matched++;
		else
			st->dropped++;
		return m ? 0 : 1;
	}
	if (!m)
		return 0;
	st->matched++;
	if (sl->kind == QCAP_DROP) {
		st->dropped++;
		return 1;
	}
	if (sl->kind != QCAP_DUMP)
		return 0;
	caplen = p.len;
	if (caplen > sl->maxlen)
		caplen = sl->maxlen;
	if (caplen > m)
		caplen = m;
	if (caplen > QCAP_SNAP_MAX)
		caplen = QCAP_SNAP_MAX;
	if (!caplen)
		return 0;
	err = qcap_dump(&p, s, sl->tag, caplen);
	if (err == -1) {
		st->ring_full++;
	} else if (!err) {
		st->copied++;
		st->bytes += caplen;
	}
	return 0;
}

/**
 * qcap_run() - run every active slot on a frame, in slot order
 * @ctx:	program context
 * @len:	frame length as capture sees it (tag included)
 * @hook:	QCAP_REC_IN or QCAP_REC_OUT
 * @vtag:	offloaded VLAN tag (TPID << 16 | TCI), 0 for none
 *
 * Return: 1 when a filter slot drops the frame, else 0.
 */
static __always_inline int qcap_run(QCAP_CTX *ctx, __u32 len, __u32 hook,
				    __u32 vtag)
{
	const struct qcap_cfg *cfg;
	__u32 zero = 0, bit = hook == QCAP_REC_IN ? QCAP_HOOK_IN : QCAP_HOOK_OUT;
	__u32 s;

	cfg = bpf_map_lookup_elem(&qnet_cap_cfg, &zero);
	if (!cfg || !cfg->active)
		return 0;
#pragma clang loop unroll(full)
	for (s = 0; s < QCAP_SLOTS; s++) {
		if (!(cfg->active & (1u << s)) || !(cfg->slot[s].hooks & bit))
			continue;
		if (qcap_slot_run(ctx, len, hook, vtag, s))
			return 1;
	}
	return 0;
}

#endif /* QNET_BPF_QCAP_BPF_H */
