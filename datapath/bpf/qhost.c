// SPDX-License-Identifier: GPL-2.0-or-later
/* qhost.c: user side of a program's capture slots: slot table, classic programs, counters, ring drain. */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/bpf/qhost.h"

/* The ring consumer calls this for every record. */
static void qhost_sample(void *ctx, const void *data, uint32_t size)
{
	struct qhost *h = ctx;
	const struct qcap_rec *r = data;

	if (size < sizeof(*r) || r->caplen > size - sizeof(*r) ||
	    r->slot >= QCAP_SLOTS || !h->fn[r->slot]) {
		h->orphans++;
		return;
	}
	h->fn[r->slot](h->arg[r->slot], r, (const uint8_t *)(r + 1));
}

/**
 * qhost_init() - wrap the capture maps of a loaded program
 * @h:		the host
 * @cfg_fd:	slot table map (qnet_cap_cfg)
 * @filt_fd:	classic programs map (qnet_cap_filt)
 * @stats_fd:	counters map (qnet_cap_stats)
 * @ring_fd:	ring buffer (qnet_cap_ring)
 *
 * The fds stay the caller's. Every slot starts unused.
 *
 * Return: 0 or -errno.
 */
int qhost_init(struct qhost *h, int cfg_fd, int filt_fd, int stats_fd,
	       int ring_fd)
{
	uint32_t zero = 0;
	int err;

	memset(h, 0, sizeof(*h));
	h->cfg_fd = cfg_fd;
	h->filt_fd = filt_fd;
	h->stats_fd = stats_fd;
	h->ring_fd = ring_fd;
	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0)
		return h->ncpus ? h->ncpus : -EINVAL;
	if (bpf_map_update_elem(cfg_fd, &zero, &h->cfg, BPF_ANY))
		return -errno;
	err = qring_open(&h->ring, ring_fd);
	h->ring_ok = !err;
	return err;
}

/**
 * qhost_fini() - stop watching and free the consumer (maps are the caller's)
 * @h:		the host
 */
void qhost_fini(struct qhost *h)
{
	qhost_unwatch(h);
	if (h->ring_ok)
		qring_close(&h->ring);
	h->ring_ok = false;
}

/* Write the shadow slot table to the kernel. */
static int qhost_push(struct qhost *h)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(h->cfg_fd, &zero, &h->cfg, BPF_ANY) ?
		-errno : 0;
}

/**
 * qhost_slots_free() - unused slots
 * @h:		the host
 *
 * Return: how many slots are free.
 */
unsigned int qhost_slots_free(const struct qhost *h)
{
	return QCAP_SLOTS - (unsigned int)__builtin_popcount(h->cfg.active);
}

/* Whether @code is a classic BPF opcode (the kernel's accepted set). */
static bool qhost_opcode_ok(uint16_t code)
{
	static const uint16_t ok[] = {
		0x00, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x60, 0x80,	/* ld */
		0x01, 0x61, 0x81, 0xb1,					/* ldx */
		0x02, 0x03,						/* st, stx */
		0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c,		/* alu */
		0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c,
		0x84, 0x94, 0x9c, 0xa4, 0xac,
		0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d,	/* jmp */
		0x06, 0x16,						/* ret */
		0x07, 0x87,						/* tax, txa */
	};
	unsigned int i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == code)
			return true;
	return false;
}

/**
 * qhost_check_filter() - validate a classic program before it reaches a map
 * @insn:	the program
 * @n:		its length
 *
 * The rules of the kernel's classic BPF checker: known opcodes, jumps
 * that land inside the program, scratch indices below 16, no division by
 * a constant zero, a return at the end. The BPF interpreter bounds
 * everything again on its own.
 *
 * Return: 0 or -EINVAL.
 */
int qhost_check_filter(const struct qcap_insn *insn, unsigned int n)
{
	unsigned int pc;

	if (!n || n > QCAP_FILTER_MAX)
		return -EINVAL;
	for (pc = 0; pc < n; pc++) {
		const struct qcap_insn *in = &insn[pc];
		unsigned int cls = in->code & 7, rest = n - pc - 1;

		if (!qhost_opcode_ok(in->code))
			return -EINVAL;
		if (cls == 5 && (in->code == 0x05 ? in->k >= rest :
				 in->jt >= rest || in->jf >= rest))
			return -EINVAL;
		if ((in->code == 0x60 || in->code == 0x61 || cls == 2 ||
		     cls == 3) && in->k >= QCAP_SCRATCH)
			return -EINVAL;
		if ((in->code == 0x34 || in->code == 0x94) && !in->k)
			return -EINVAL;
	}
	return (insn[n - 1].code == 0x06 || insn[n - 1].code == 0x16) ?
		0 : -EINVAL;
}

/**
 * qhost_slot_add() - configure a free slot and start it
 * @h:		the host
 * @slot:	its configuration (@has_filter is set from @ninsn)
 * @insn:	classic program (NULL with @ninsn 0: every frame matches)
 * @ninsn:	its length (at most QCAP_FILTER_MAX)
 * @fn:		where the slot's records go (may be NULL for filters)
 * @arg:	@fn's argument
 *
 * The slot's counters restart from zero. The slot runs after the slots
 * already in use that have lower indices: filters added later see frames
 * after earlier ones (slots are taken lowest first).
 *
 * Return: the slot index, -ENOSPC when none is free, -EINVAL, or -errno.
 */
int qhost_slot_add(struct qhost *h, const struct qcap_slot *slot,
		   const struct qcap_insn *insn, unsigned int ninsn,
		   qhost_rec_fn fn, void *arg)
{
	struct qcap_stats *zero_st;
	struct qcap_filter *f;
	unsigned int s;
	uint32_t key;
	int err = 0;

	if (ninsn > QCAP_FILTER_MAX || (ninsn && !insn) ||
	    (ninsn && qhost_check_filter(insn, ninsn)) ||
	    slot->kind == QCAP_OFF || slot->kind >= QCAP_KIND_COUNT ||
	    (slot->kind == QCAP_DUMP &&
	     (!slot->maxlen || slot->maxlen > QCAP_SNAP_MAX)))
		return -EINVAL;
	for (s = 0; s < QCAP_SLOTS && (h->cfg.active & (1u << s)); s++)
		;
	if (s == QCAP_SLOTS)
		return -ENOSPC;
	key = s;
	zero_st = calloc((size_t)h->ncpus, sizeof(*zero_st));
	f = calloc(1, sizeof(*f));
	if (!zero_st || !f) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_update_elem(h->stats_fd, &key, zero_st, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	if (ninsn) {
		f->len = ninsn;
		memcpy(f->insn, insn, ninsn * sizeof(*insn));
		if (bpf_map_update_elem(h->filt_fd, &key, f, BPF_ANY)) {
			err = -errno;
			goto out;
		}
	}
	h->cfg.slot[s] = *slot;
	h->cfg.slot[s].has_filter = ninsn ? 1 : 0;
	h->fn[s] = fn;
	h->arg[s] = arg;
	h->cfg.active |= 1u << s;
	err = qhost_push(h);
	if (err) {
		h->cfg.active &= ~(1u << s);
		h->fn[s] = NULL;
	}
out:
	free(zero_st);
	free(f);
	return err ? err : (int)s;
}

/**
 * qhost_slot_del() - stop a slot and drain what it already wrote
 * @h:		the host
 * @slot:	slot index
 *
 * Return: 0, -ENOENT for an unused slot, or -errno.
 */
int qhost_slot_del(struct qhost *h, unsigned int slot)
{
	int err;

	if (slot >= QCAP_SLOTS || !(h->cfg.active & (1u << slot)))
		return -ENOENT;
	h->cfg.active &= ~(1u << slot);
	memset(&h->cfg.slot[slot], 0, sizeof(h->cfg.slot[slot]));
	err = qhost_push(h);
	qhost_drain(h);	/* records submitted before the update */
	h->fn[slot] = NULL;
	h->arg[slot] = NULL;
	return err;
}

/**
 * qhost_slot_status() - pause or resume a slot (QEMU's status=on|off)
 * @h:		the host
 * @slot:	slot index
 * @on:		true: running
 *
 * Return: 0, -ENOENT for an unused slot, or -errno.
 */
int qhost_slot_status(struct qhost *h, unsigned int slot, bool on)
{
	if (slot >= QCAP_SLOTS || !(h->cfg.active & (1u << slot)))
		return -ENOENT;
	h->cfg.slot[slot].status = on;
	return qhost_push(h);
}

/**
 * qhost_slot_stats() - a slot's counters, summed over CPUs
 * @h:		the host
 * @slot:	slot index
 * @sum:	result
 *
 * Return: 0 or -errno.
 */
int qhost_slot_stats(const struct qhost *h, unsigned int slot,
		     struct qcap_stats *sum)
{
	struct qcap_stats *v;
	uint32_t key = slot;
	int i, err = 0;

	memset(sum, 0, sizeof(*sum));
	if (slot >= QCAP_SLOTS)
		return -EINVAL;
	v = calloc((size_t)h->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(h->stats_fd, &key, v)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < h->ncpus; i++) {
		sum->seen += v[i].seen;
		sum->matched += v[i].matched;
		sum->copied += v[i].copied;
		sum->ring_full += v[i].ring_full;
		sum->dropped += v[i].dropped;
		sum->bytes += v[i].bytes;
	}
out:
	free(v);
	return err;
}

/**
 * qhost_drain() - hand every record in the ring to its slot's owner
 * @h:		the host
 *
 * Return: records drained, or -errno.
 */
int qhost_drain(struct qhost *h)
{
	if (!h->ring_ok)
		return 0;
	return qring_consume(&h->ring, qhost_sample, h);
}

/**
 * struct qhost_watch - the poll watch of a host, freed when the loop lets go
 * @poll:	the watch
 * @h:		its host; NULL once unwatched
 */
struct qhost_watch {
	struct uloop_poll poll;
	struct qhost *h;
};

static void qhost_ready(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct qhost_watch *w = (struct qhost_watch *)p;

	if (w->h && revents > 0)
		qhost_drain(w->h);
}

static void qhost_watch_release(struct uloop *loop, struct uloop_poll *p)
{
	free(p);
}

/**
 * qhost_watch() - drain the ring from @loop whenever it has records
 * @h:		the host
 * @loop:	the loop (this thread's)
 *
 * Return: 0, -EALREADY when watched by another loop already, or -errno.
 */
int qhost_watch(struct qhost *h, struct uloop *loop)
{
	struct qhost_watch *w;
	int err;

	if (h->loop)
		return h->loop == loop ? 0 : -EALREADY;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	uloop_poll_init(&w->poll, h->ring_fd, 0, qhost_ready);
	w->poll.release = qhost_watch_release;
	w->h = h;
	err = uloop_poll_set(loop, &w->poll, POLLIN);
	if (err) {
		free(w);
		return err;
	}
	h->loop = loop;
	h->watch = w;
	return 0;
}

/**
 * qhost_unwatch() - stop draining from the loop (drains once more); call
 * it in the loop's thread
 * @h:		the host
 */
void qhost_unwatch(struct qhost *h)
{
	if (!h->loop)
		return;
	h->watch->h = NULL;
	uloop_poll_del(h->loop, &h->watch->poll);
	h->watch = NULL;
	h->loop = NULL;
	qhost_drain(h);
}
