/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uloop_emu.h: io_uring emulated over epoll, for kernels or sandboxes that refuse io_uring (uloop internals). */
#ifndef QNET_URING_ULOOP_EMU_H
#define QNET_URING_ULOOP_EMU_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "datapath/uring/uloop_int.h"

/** EMU_GROUPS - provided-buffer groups one emulated loop can hold */
#define EMU_GROUPS 16

/** EMU_MSHOT_BUDGET - reads one multishot request makes per turn */
#define EMU_MSHOT_BUDGET 1024

/**
 * struct emu_req - one request waiting for its fd (or for the request it
 * is linked behind)
 * @next:	next request waiting on the same fd, or on the free list
 * @link:	the request linked behind this one (IOSQE_IO_LINK): started
 *		when this one ends well, cancelled when it fails
 * @sqe:	a copy of the SQE
 * @fd:		the fd, registered file slots resolved; while the request
 *		waits, a duplicate of it (a request keeps its file open, as
 *		in io_uring, even if the caller closes its fd)
 * @own_fd:	@fd is that duplicate, closed when the request ends
 * @want:	epoll events it waits for
 * @res:	its final result, once it ended
 * @waiting:	it waits on an fd (or is linked behind one that does)
 * @again:	it stopped for its budget with the fd still ready: run it
 *		again without waiting for epoll (which is edge-triggered)
 * @fresh:	to be tried at the next enter whatever epoll says (a poll
 *		just armed, a budget used up); epoll events skip it
 * @connecting:	CONNECT: connect(2) returned EINPROGRESS
 */
struct emu_req {
	struct emu_req *next;
	struct emu_req *link;
	struct io_uring_sqe sqe;
	int fd;
	bool own_fd;
	uint32_t want;
	int32_t res;
	bool waiting;
	bool again;
	bool fresh;
	bool connecting;
};

/**
 * struct emu_fd - the requests waiting on one fd
 * @head:	in arrival order
 * @armed:	epoll events registered for the fd (0: not in the epoll set)
 * @rerun:	a request on it stopped for its budget (emu_req.again)
 */
struct emu_fd {
	struct emu_req *head;
	uint32_t armed;
	bool rerun;
};

/**
 * struct emu_group - a provided-buffer ring (IORING_REGISTER_PBUF_RING)
 * @br:		the ring (user memory, as the kernel would see it)
 * @mask:	entries - 1
 * @head:	next entry to consume (the kernel's private head)
 * @bgid:	group id
 * @last_len:	length of the buffer taken last
 */
struct emu_group {
	struct io_uring_buf_ring *br;
	unsigned int mask;
	uint32_t last_len;
	uint16_t head;
	uint16_t bgid;
};

/**
 * struct emu_cqe - a completion that did not fit in the CQ yet
 * @ud:		user_data
 * @res:	result
 * @flags:	IORING_CQE_F_*
 */
struct emu_cqe {
	uint64_t ud;
	int32_t res;
	uint32_t flags;
};

/**
 * struct uloop_emu - the state behind an emulated ring
 * @epfd:	epoll set of the fds requests wait on
 * @sq_head:	SQ head (what liburing's io_uring_get_sqe() compares with)
 * @sq_tail:	SQ tail (unused: liburing keeps its own)
 * @sq_flags:	IORING_SQ_CQ_OVERFLOW while @ovf holds completions
 * @sq_dropped:	always 0
 * @cq_head:	CQ head (advanced by io_uring_cq_advance())
 * @cq_tail:	CQ tail
 * @cq_overflow: always 0
 * @cq_flags:	always 0
 * @sq_mask:	@sq_entries - 1
 * @cq_mask:	@cq_entries - 1
 * @sq_entries:	SQ size
 * @cq_entries:	CQ size
 * @sq_array:	the SQ index array (unused, liburing fills it on submit)
 * @sqes:	the SQEs
 * @cqes:	the CQEs
 * @ovf:	completions waiting for room in the CQ
 * @novf:	how many
 * @ovf_cap:	room in @ovf
 * @files:	registered file table (-1: empty slot)
 * @nfiles:	its size
 * @groups:	provided-buffer rings
 * @fds:	waiting requests per fd number
 * @nfds:	size of @fds
 * @free:	free requests
 * @nrerun:	fds with @rerun set
 * @bufs:	registered buffers (READ_FIXED / WRITE_FIXED bounds)
 * @nbufs:	how many
 */
struct uloop_emu {
	int epfd;
	unsigned int sq_head;
	unsigned int sq_tail;
	unsigned int sq_flags;
	unsigned int sq_dropped;
	unsigned int cq_head;
	unsigned int cq_tail;
	unsigned int cq_overflow;
	unsigned int cq_flags;
	unsigned int sq_mask;
	unsigned int cq_mask;
	unsigned int sq_entries;
	unsigned int cq_entries;
	unsigned int *sq_array;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	struct emu_cqe *ovf;
	unsigned int novf;
	unsigned int ovf_cap;
	int *files;
	unsigned int nfiles;
	struct emu_group groups[EMU_GROUPS];
	struct emu_fd *fds;
	unsigned int nfds;
	struct emu_req *free;
	unsigned int nrerun;
	struct iovec *bufs;
	unsigned int nbufs;
};

/* uloop_emu.c */
bool uloop_emu_wanted(void);
int uloop_emu_init(struct uloop *loop, unsigned int sq, unsigned int cq,
		   int why);
void uloop_emu_fini(struct uloop *loop);
void uloop_emu_submit(struct uloop *loop);
int uloop_emu_enter(struct uloop *loop, int64_t wait_ns);
int uloop_emu_files(struct uloop *loop, unsigned int nr);
int uloop_emu_file_set(struct uloop *loop, unsigned int slot, int fd);
int uloop_emu_buf_ring(struct uloop *loop, uint16_t bgid,
		       struct io_uring_buf_ring *br, unsigned int entries);
void uloop_emu_buf_ring_del(struct uloop *loop, uint16_t bgid);
int uloop_emu_buffers(struct uloop *loop, const struct iovec *iov,
		      unsigned int nr);
bool uloop_emu_fixed_ok(const struct uloop_emu *e, unsigned int idx,
			const void *addr, uint32_t len);
void uloop_emu_post(struct uloop_emu *e, uint64_t ud, int32_t res,
		    uint32_t flags);

/* uloop_emu_ops.c */
bool uloop_emu_try(struct uloop_emu *e, struct emu_req *r, uint32_t *want,
		   int32_t *res);

#endif /* QNET_URING_ULOOP_EMU_H */
