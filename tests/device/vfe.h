/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfe.h: synthetic vhost-user front-end (plays the VMM) for device tests and benchmarks. */
#ifndef QNET_TESTS_VFE_H
#define QNET_TESTS_VFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

#include "devices/vhost_user_proto.h"

/**
 * DOC: synthetic front-end
 *
 * A vfe does what QEMU does for a vhost-user-net device: it shares guest
 * memory (one memfd, described as VFE_REGIONS regions so buffers can
 * straddle two of them and every region has a non-zero mmap_offset), sets
 * up split rings in it, negotiates, posts and reaps descriptors, kicks and
 * waits on calls. Every request is sent with NEED_REPLY once REPLY_ACK is
 * negotiated, so each call is synchronous. While it waits, it calls @pump
 * (the test runs the back-end's loop there, in the same thread) or sleeps
 * (the benchmark, back-end in another process).
 *
 * Guest addresses start at VFE_GPA_BASE. The rings of queue i live at
 * fixed places; vfe_alloc() hands out buffer space after them.
 */

#define VFE_GPA_BASE	0x100000ull
#define VFE_REGIONS	2
#define VFE_MAX_Q	4
#define VFE_MAX_NUM	1024
#define VFE_PREFIX	0x10000ull	/* file bytes before region 0 */
#define VFE_RING_SPAN	0x10000ull	/* guest bytes per ring set */

/**
 * struct vfe_ring - the front-end's view of one split ring
 * @num:	size
 * @desc:	descriptor table (front-end pointer)
 * @avail:	avail ring
 * @used:	used ring
 * @desc_gpa:	guest addresses of the three
 * @avail_gpa:	...
 * @used_gpa:	...
 * @kick:	kick eventfd
 * @call:	call eventfd
 * @err:	error eventfd
 * @avail_idx:	next avail index to publish
 * @last_used:	next used entry to reap
 * @next_free:	where the search for a free descriptor starts (round
 *		robin, skipping descriptors still out: a device may complete
 *		chains out of order)
 * @busy:	split: descriptor i is in a chain not yet reaped
 * @freed:	split: heads of the chains reaped, the last on top (tried
 *		before the round-robin search)
 * @nfreed:	how many
 * @chain_len:	descriptors of the chain headed at each index (packed: of
 *		each buffer id)
 * @packed:	packed layout (VIRTIO_F_RING_PACKED acked): @desc is then a
 *		struct vring_packed_desc ring, @avail the driver area, @used
 *		the device area; @avail_idx / @last_used are slots
 * @avail_wrap:	packed: driver wrap counter at @avail_idx
 * @used_wrap:	packed: wrap counter expected at @last_used
 * @npend:	packed: lists whose first descriptor awaits vfe_publish()
 * @pend_slot:	their first slots
 * @pend_flags:	and the flags to store there
 */
struct vfe_ring {
	uint32_t num;
	bool packed;
	bool avail_wrap;
	bool used_wrap;
	unsigned int npend;
	uint16_t pend_slot[VFE_MAX_NUM];
	uint16_t pend_flags[VFE_MAX_NUM];
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;
	int kick;
	int call;
	int err;
	uint16_t avail_idx;
	uint16_t last_used;
	uint32_t next_free;
	uint16_t chain_len[VFE_MAX_NUM];
	uint8_t busy[VFE_MAX_NUM];
	uint16_t freed[VFE_MAX_NUM];
	unsigned int nfreed;
};

/**
 * struct vfe - one synthetic front-end
 * @sock:	connection to the back-end (-1: none)
 * @listen:	listening socket when the front-end is the server
 * @memfd:	guest memory
 * @mem:	its mapping in this process
 * @mem_size:	bytes
 * @brk:	next free guest address for vfe_alloc()
 * @features:	virtio features acked
 * @pf:		protocol features negotiated
 * @nq:		rings set up
 * @ring:	the rings
 * @pump:	called while waiting for a reply (may be NULL)
 * @pump_arg:	its argument
 * @timeout_ms:	how long to wait for a reply
 */
struct vfe {
	int sock;
	int listen;
	int memfd;
	uint8_t *mem;
	size_t mem_size;
	uint64_t brk;
	uint64_t features;
	uint64_t pf;
	unsigned int nq;
	struct vfe_ring ring[VFE_MAX_Q];
	void (*pump)(void *arg);
	void *pump_arg;
	unsigned int timeout_ms;
};

/**
 * struct vfe_buf - one descriptor to post
 * @addr:	guest address
 * @len:	length
 * @flags:	VRING_DESC_F_WRITE and/or VRING_DESC_F_INDIRECT
 */
struct vfe_buf {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
};

int vfe_init(struct vfe *fe, size_t mem_size, void (*pump)(void *),
	     void *arg);
void vfe_fini(struct vfe *fe);
void vfe_forget_rings(struct vfe *fe);
int vfe_connect(struct vfe *fe, const char *path);
int vfe_listen(struct vfe *fe, const char *path);
int vfe_accept(struct vfe *fe);
void vfe_close(struct vfe *fe);
int vfe_send(struct vfe *fe, uint32_t req, uint32_t flags, const void *payload,
	     uint32_t size, const int *fds, unsigned int nfds);
int vfe_recv(struct vfe *fe, struct vu_msg *m);
int vfe_call(struct vfe *fe, uint32_t req, const void *payload, uint32_t size,
	     const int *fds, unsigned int nfds, struct vu_msg *reply);
int vfe_get_u64(struct vfe *fe, uint32_t req, uint64_t *out);
int vfe_mem_table(struct vfe *fe);
int vfe_ring_setup(struct vfe *fe, unsigned int q, uint32_t num);
int vfe_setup(struct vfe *fe, uint64_t features, unsigned int nq,
	      uint32_t num);
uint64_t vfe_alloc(struct vfe *fe, uint64_t len);
void *vfe_ptr(struct vfe *fe, uint64_t gpa);
int vfe_post(struct vfe *fe, unsigned int q, const struct vfe_buf *b,
	     unsigned int n);
void vfe_publish(struct vfe *fe, unsigned int q);
void vfe_kick(struct vfe *fe, unsigned int q);
bool vfe_reap(struct vfe *fe, unsigned int q, uint32_t *id, uint32_t *len);
bool vfe_call_pending(struct vfe *fe, unsigned int q);
int vfe_err_pending(struct vfe *fe, unsigned int q);
int vfe_count_fds(void);
int vfe_count_maps(void);

#endif /* QNET_TESTS_VFE_H */
