// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop batched I/O: reads and writes, registered files and buffers. */

#include <errno.h>
#include <stdlib.h>

#include "datapath/uring/uloop_emu.h"
#include "datapath/uring/uloop_int.h"

/**
 * DOC: batched I/O
 *
 * Each helper fills one SQE and returns; nothing reaches the kernel until
 * the loop's next submit-and-wait (or uloop_flush()), so N operations
 * prepared in one iteration cost one io_uring_enter(). The op's callback
 * receives the byte count or -errno; the buffers must stay valid until then.
 *
 * Several writes to one stream socket in one batch may complete out of order
 * if one of them has to wait for buffer space: chain them with ULOOP_IO_LINK
 * (each but the last) when their order matters. Datagram, packet and tap
 * writes are frames and need no chaining for integrity.
 *
 * Read and write on an fd opened O_NONBLOCK: the kernel either waits (poll
 * armed internally, as on tap and on Linux 6.x generally) or completes with
 * -EAGAIN, which the caller sees and handles; the loop does not resubmit.
 */

/**
 * uloop_prep_io() - fill one read/write SQE
 * @loop:      the loop
 * @op:        completion target
 * @opcode:    IORING_OP_*
 * @fd:        fd, or registered slot with ULOOP_IO_FIXED_FILE
 * @addr:      buffer or iovec array
 * @len:       byte count or iovec count
 * @off:       file offset, or ULOOP_OFF_CUR
 * @buf_index: registered buffer index (fixed opcodes)
 * @flags:     ULOOP_IO_*
 *
 * Return: 0, or -EBUSY when the SQ stays full.
 */
static int uloop_prep_io(struct uloop *loop, struct uloop_op *op, int opcode,
			 int fd, const void *addr, unsigned int len,
			 uint64_t off, unsigned int buf_index,
			 unsigned int flags)
{
	struct io_uring_sqe *sqe = uloop_sqe_get(loop);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_rw(opcode, sqe, fd, addr, len, off);
	sqe->buf_index = (uint16_t)buf_index;
	if (flags & ULOOP_IO_FIXED_FILE)
		sqe->flags |= IOSQE_FIXED_FILE;
	if (flags & ULOOP_IO_LINK)
		sqe->flags |= IOSQE_IO_LINK;
	uloop_sqe_bind(loop, sqe, op);
	return 0;
}

/**
 * uloop_read() - queue a read(2)
 * @loop:  the loop
 * @op:    completion target (res: bytes read, 0 at EOF, or -errno)
 * @fd:    fd, or registered slot with ULOOP_IO_FIXED_FILE
 * @buf:   destination
 * @len:   its size
 * @off:   offset, or ULOOP_OFF_CUR
 * @flags: ULOOP_IO_*
 *
 * Return: 0, or -EBUSY when no SQE is free.
 */
int uloop_read(struct uloop *loop, struct uloop_op *op, int fd, void *buf,
	       unsigned int len, uint64_t off, unsigned int flags)
{
	return uloop_prep_io(loop, op, IORING_OP_READ, fd, buf, len, off, 0,
			     flags);
}

/**
 * uloop_write() - queue a write(2)
 * @loop:  the loop
 * @op:    completion target (res: bytes written or -errno)
 * @fd:    fd, or registered slot with ULOOP_IO_FIXED_FILE
 * @buf:   source
 * @len:   its size
 * @off:   offset, or ULOOP_OFF_CUR
 * @flags: ULOOP_IO_*
 *
 * Return: 0, or -EBUSY when no SQE is free.
 */
int uloop_write(struct uloop *loop, struct uloop_op *op, int fd,
		const void *buf, unsigned int len, uint64_t off,
		unsigned int flags)
{
	return uloop_prep_io(loop, op, IORING_OP_WRITE, fd, buf, len, off, 0,
			     flags);
}

/**
 * uloop_readv() - queue a readv(2)
 * @loop:  the loop
 * @op:    completion target
 * @fd:    fd, or registered slot with ULOOP_IO_FIXED_FILE
 * @iov:   iovec array, valid until the completion
 * @nr:    its length
 * @off:   offset, or ULOOP_OFF_CUR
 * @flags: ULOOP_IO_*
 *
 * Return: 0, or -EBUSY when no SQE is free.
 */
int uloop_readv(struct uloop *loop, struct uloop_op *op, int fd,
		const struct iovec *iov, unsigned int nr, uint64_t off,
		unsigned int flags)
{
	return uloop_prep_io(loop, op, IORING_OP_READV, fd, iov, nr, off, 0,
			     flags);
}

/**
 * uloop_writev() - queue a writev(2) (e.g. virtio-net header + frame on tap)
 * @loop:  the loop
 * @op:    completion target
 * @fd:    fd, or registered slot with ULOOP_IO_FIXED_FILE
 * @iov:   iovec array, valid until the completion
 * @nr:    its length
 * @off:   offset, or ULOOP_OFF_CUR
 * @flags: ULOOP_IO_*
 *
 * Return: 0, or -EBUSY when no SQE is free.
 */
int uloop_writev(struct uloop *loop, struct uloop_op *op, int fd,
		 const struct iovec *iov, unsigned int nr, uint64_t off,
		 unsigned int flags)
{
	return uloop_prep_io(loop, op, IORING_OP_WRITEV, fd, iov, nr, off, 0,
			     flags);
}

/**
 * uloop_read_fixed() - queue a read into a registered buffer
 * @loop:      the loop
 * @op:        completion target
 * @fd:        fd, or registered slot with ULOOP_IO_FIXED_FILE
 * @buf:       destination, inside registered buffer @buf_index
 * @len:       its size
 * @off:       offset, or ULOOP_OFF_CUR
 * @buf_index: index given to uloop_buffers_register()
 * @flags:     ULOOP_IO_*
 *
 * Return: 0, or -EBUSY when no SQE is free (a bad index or range completes
 * with -EFAULT or -EINVAL).
 */
int uloop_read_fixed(struct uloop *loop, struct uloop_op *op, int fd, void *buf,
		     unsigned int len, uint64_t off, unsigned int buf_index,
		     unsigned int flags)
{
	return uloop_prep_io(loop, op, IORING_OP_READ_FIXED, fd, buf, len, off,
			     buf_index, flags);
}

/**
 * uloop_write_fixed() - queue a write from a registered buffer
 * @loop:      the loop
 * @op:        completion target
 * @fd:        fd, or registered slot with ULOOP_IO_FIXED_FILE
 * @buf:       source, inside registered buffer @buf_index
 * @len:       its size
 * @off:       offset, or ULOOP_OFF_CUR
 * @buf_index: index given to uloop_buffers_register()
 * @flags:     ULOOP_IO_*
 *
 * Return: 0, or -EBUSY when no SQE is free.
 */
int uloop_write_fixed(struct uloop *loop, struct uloop_op *op, int fd,
		      const void *buf, unsigned int len, uint64_t off,
		      unsigned int buf_index, unsigned int flags)
{
	return uloop_prep_io(loop, op, IORING_OP_WRITE_FIXED, fd, buf, len, off,
			     buf_index, flags);
}

/**
 * uloop_files_register() - create a sparse registered-file table
 * @loop: the loop
 * @nr:   number of slots
 *
 * Slots are filled with uloop_file_add()/uloop_file_set(); ops then pass the
 * slot as fd with ULOOP_IO_FIXED_FILE, which saves the kernel's per-request
 * file lookup and reference.
 *
 * Return: 0, -EEXIST when a table exists, -EINVAL, -ENOMEM, or -errno from
 * the kernel.
 */
int uloop_files_register(struct uloop *loop, unsigned int nr)
{
	uint8_t *used;
	int ret;

	if (loop->file_used)
		return -EEXIST;
	if (!nr)
		return -EINVAL;
	used = calloc(nr, 1);
	if (!used)
		return -ENOMEM;
	ret = loop->emu ? uloop_emu_files(loop, nr)
			: io_uring_register_files_sparse(&loop->ring, nr);
	if (ret) {
		free(used);
		return ret;
	}
	loop->file_used = used;
	loop->nr_files = nr;
	return 0;
}

/**
 * uloop_file_set() - put an fd into a slot, or clear it with -1
 * @loop: the loop
 * @slot: slot index
 * @fd:   fd (the table takes its own reference; the caller may close it),
 *        or -1
 *
 * Requests already in flight keep the old file; new ones on a cleared slot
 * complete with -EBADF.
 *
 * Return: 0, -ENXIO when there is no such slot, or -errno from the kernel.
 */
int uloop_file_set(struct uloop *loop, unsigned int slot, int fd)
{
	int ret;

	if (!loop->file_used || slot >= loop->nr_files)
		return -ENXIO;
	ret = loop->emu ? (uloop_emu_file_set(loop, slot, fd) ?: 1)
			: io_uring_register_files_update(&loop->ring, slot, &fd, 1);
	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EIO;
	loop->file_used[slot] = fd >= 0;
	return 0;
}

/**
 * uloop_file_add() - put an fd into the first free slot
 * @loop: the loop
 * @fd:   fd to register
 *
 * Return: the slot (>= 0), -ENFILE when the table is full, -ENXIO without
 * a table, or -errno from the kernel.
 */
int uloop_file_add(struct uloop *loop, int fd)
{
	unsigned int slot;
	int ret;

	if (!loop->file_used)
		return -ENXIO;
	for (slot = 0; slot < loop->nr_files; slot++) {
		if (loop->file_used[slot])
			continue;
		ret = uloop_file_set(loop, slot, fd);
		return ret ? ret : (int)slot;
	}
	return -ENFILE;
}

/**
 * uloop_file_remove() - clear a slot
 * @loop: the loop
 * @slot: slot index
 *
 * Return: 0, or -errno as uloop_file_set().
 */
int uloop_file_remove(struct uloop *loop, unsigned int slot)
{
	return uloop_file_set(loop, slot, -1);
}

/**
 * uloop_buffers_register() - register buffers for READ_FIXED/WRITE_FIXED
 * @loop: the loop
 * @iov:  the buffers; index i is the buf_index of @iov[i]
 * @nr:   how many
 *
 * The kernel pins the pages once, instead of mapping them per request.
 *
 * Return: 0, -EEXIST when buffers are registered, or -errno from the kernel.
 */
int uloop_buffers_register(struct uloop *loop, const struct iovec *iov,
			   unsigned int nr)
{
	int ret;

	if (loop->nr_bufs)
		return -EEXIST;
	ret = loop->emu ? uloop_emu_buffers(loop, iov, nr)
			: io_uring_register_buffers(&loop->ring, iov, nr);
	if (ret)
		return ret;
	loop->nr_bufs = nr;
	return 0;
}

/**
 * uloop_buffers_unregister() - drop the registered buffers
 * @loop: the loop
 *
 * Return: 0, -ENOENT when none are registered, or -errno from the kernel.
 */
int uloop_buffers_unregister(struct uloop *loop)
{
	int ret;

	if (!loop->nr_bufs)
		return -ENOENT;
	ret = loop->emu ? uloop_emu_buffers(loop, NULL, 0)
			: io_uring_unregister_buffers(&loop->ring);
	if (ret)
		return ret;
	loop->nr_bufs = 0;
	return 0;
}
