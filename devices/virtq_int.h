/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtq_int.h: helpers shared by the split (virtq.c) and packed (virtq_packed.c) walks. */
#ifndef QNET_DEVICES_VIRTQ_INT_H
#define QNET_DEVICES_VIRTQ_INT_H

#include "devices/virtq.h"

/* Guest-shared fields are read once each, with relaxed atomics, so the
 * compiler never re-reads a value the guest may have changed. */
#define VQ_LOAD(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)

bool virtq_overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl);
int virtq_add_buf(struct virtq *vq, struct virtq_chain *c, uint64_t addr,
		  uint32_t len, bool write);
int virtq_indirect_table(struct virtq *vq, uint64_t addr, uint32_t len,
			 const struct vring_desc **tbl);

int virtq_packed_map(struct virtq *vq);
int virtq_packed_pop(struct virtq *vq, struct virtq_chain *c);
void virtq_packed_unpop(struct virtq *vq, unsigned int descs);
void virtq_packed_push(struct virtq *vq, uint16_t id, uint16_t ndesc,
		       uint32_t len);
void virtq_packed_flush(struct virtq *vq);
bool virtq_packed_need_notify(struct virtq *vq);
bool virtq_packed_enable_notify(struct virtq *vq);
void virtq_packed_disable_notify(struct virtq *vq);

#endif /* QNET_DEVICES_VIRTQ_INT_H */
