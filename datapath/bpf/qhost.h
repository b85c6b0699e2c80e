/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qhost.h: user side of a program's capture slots: slot table, classic programs, counters, ring drain. */
#ifndef QNET_BPF_QHOST_H
#define QNET_BPF_QHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/bpf/qcap.h"
#include "datapath/bpf/qring.h"
#include "datapath/uring/uloop.h"

struct ring_buffer;
struct qhost_watch;

/**
 * qhost_rec_fn - where a slot's drained records go (one call per record)
 * @arg:	the slot owner's argument
 * @r:		record header
 * @data:	@r->caplen frame bytes
 */
typedef void (*qhost_rec_fn)(void *arg, const struct qcap_rec *r,
			     const uint8_t *data);

/**
 * struct qhost - the capture slots of one loaded program (XDP or TC)
 * @cfg_fd:	slot table map
 * @filt_fd:	classic programs map
 * @stats_fd:	per-CPU counters map
 * @ring_fd:	ring buffer map
 * @ring:	the ring buffer, mapped (datapath/bpf/qring.h)
 * @ring_ok:	@ring is mapped
 * @cfg:	the slot table as last written to the kernel
 * @fn:		per slot: where its records go
 * @arg:	per slot: @fn's argument
 * @loop:	loop draining the ring (NULL: not watched)
 * @watch:	readiness watch on the ring map's fd (outlives the
 *		host until the loop lets go of it)
 * @orphans:	records drained for a slot with no owner
 * @ncpus:	possible CPUs (per-CPU value count)
 *
 * All functions run in one thread (the one of @loop, when watched).
 */
struct qhost {
	int cfg_fd;
	int filt_fd;
	int stats_fd;
	int ring_fd;
	struct qring ring;
	bool ring_ok;
	struct qcap_cfg cfg;
	qhost_rec_fn fn[QCAP_SLOTS];
	void *arg[QCAP_SLOTS];
	struct uloop *loop;
	struct qhost_watch *watch;
	uint64_t orphans;
	int ncpus;
};

int qhost_init(struct qhost *h, int cfg_fd, int filt_fd, int stats_fd,
	       int ring_fd);
void qhost_fini(struct qhost *h);
int qhost_slot_add(struct qhost *h, const struct qcap_slot *slot,
		   const struct qcap_insn *insn, unsigned int ninsn,
		   qhost_rec_fn fn, void *arg);
int qhost_slot_del(struct qhost *h, unsigned int slot);
int qhost_slot_status(struct qhost *h, unsigned int slot, bool on);
int qhost_slot_stats(const struct qhost *h, unsigned int slot,
		     struct qcap_stats *sum);
unsigned int qhost_slots_free(const struct qhost *h);
int qhost_drain(struct qhost *h);
int qhost_check_filter(const struct qcap_insn *insn, unsigned int n);
int qhost_watch(struct qhost *h, struct uloop *loop);
void qhost_unwatch(struct qhost *h);

#endif /* QNET_BPF_QHOST_H */
