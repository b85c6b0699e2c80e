// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop_restrict.c: the ring's allowlist of operations (HARDENING T-78). */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "datapath/uring/uloop_int.h"

/**
 * DOC: ring restrictions
 * A loop's ring is created disabled (IORING_SETUP_R_DISABLED), given an
 * allowlist, and enabled: from then on the kernel refuses (-EACCES) every
 * SQE opcode and every io_uring_register() operation qnet's data path does
 * not use, so a bug or a hostile input that managed to steer an SQE could
 * not make the ring open files, create sockets, splice or run commands.
 * Allowed operations are exactly what datapath/uring, the stream links
 * and the backends prepare: reads and writes (plain, vectored, fixed,
 * multishot), polls, cancel, accept, connect, send, sendmsg, recv; and the
 * registrations of files, buffers, buffer rings, the ring fd and the
 * probe. SQE flags are not restricted: libslirp's sockets, eventfds and
 * most of the fds the data path polls are not in the registered file
 * table, so IOSQE_FIXED_FILE cannot be required.
 * A kernel without restrictions (before 5.10) leaves the ring as it was.
 */

static const unsigned char uloop_sqe_ops[] = {
	IORING_OP_NOP,		IORING_OP_READV,	IORING_OP_WRITEV,
	IORING_OP_READ_FIXED,	IORING_OP_WRITE_FIXED,	IORING_OP_POLL_ADD,
	IORING_OP_POLL_REMOVE,	IORING_OP_SENDMSG,	IORING_OP_ASYNC_CANCEL,
	IORING_OP_ACCEPT,	IORING_OP_CONNECT,	IORING_OP_READ,
	IORING_OP_WRITE,	IORING_OP_SEND,		IORING_OP_RECV,
	ULOOP_OP_READ_MULTISHOT,
};

static const unsigned char uloop_register_ops[] = {
	IORING_REGISTER_BUFFERS,	IORING_UNREGISTER_BUFFERS,
	IORING_REGISTER_FILES,		IORING_UNREGISTER_FILES,
	IORING_REGISTER_FILES_UPDATE,	IORING_REGISTER_PROBE,
	IORING_REGISTER_FILES2,		IORING_REGISTER_FILES_UPDATE2,
	IORING_REGISTER_BUFFERS2,	IORING_REGISTER_BUFFERS_UPDATE,
	IORING_REGISTER_RING_FDS,	IORING_UNREGISTER_RING_FDS,
	IORING_REGISTER_PBUF_RING,	IORING_UNREGISTER_PBUF_RING,
};

/**
 * uloop_register() - io_uring_register(2) on the loop's ring (Debian's
 * liburing 2.3 declares io_uring_register_restrictions() and
 * io_uring_enable_rings() but does not export them)
 * @loop:   the loop
 * @opcode: IORING_REGISTER_*
 * @arg:    its argument
 * @nr:     its count
 *
 * Return: >= 0, or -errno.
 */
static int uloop_register(struct uloop *loop, unsigned int opcode,
			  const void *arg, unsigned int nr)
{
	long ret = syscall(__NR_io_uring_register, loop->ring.ring_fd, opcode,
			   arg, nr);

	return ret < 0 ? -errno : (int)ret;
}

/**
 * uloop_restrict() - register the allowlist and enable the ring
 * @loop: loop whose ring was created with IORING_SETUP_R_DISABLED
 *
 * The ring is enabled whatever happens to the allowlist (a ring left
 * disabled takes no SQE at all).
 *
 * Return: 0 with the allowlist in force (ULOOP_F_RESTRICTED set), the
 * -errno of the refused registration otherwise (the ring still works), or
 * the -errno of the enable (the ring is unusable).
 */
int uloop_restrict(struct uloop *loop)
{
	struct io_uring_restriction res[sizeof(uloop_sqe_ops) +
					sizeof(uloop_register_ops) + 1];
	unsigned int n = 0, i;
	int ret, en;

	memset(res, 0, sizeof(res));
	for (i = 0; i < sizeof(uloop_sqe_ops); i++) {
		res[n].opcode = IORING_RESTRICTION_SQE_OP;
		res[n++].sqe_op = uloop_sqe_ops[i];
	}
	for (i = 0; i < sizeof(uloop_register_ops); i++) {
		res[n].opcode = IORING_RESTRICTION_REGISTER_OP;
		res[n++].register_op = uloop_register_ops[i];
	}
	res[n].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[n++].sqe_flags = IOSQE_FIXED_FILE | IOSQE_IO_DRAIN |
			     IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC |
			     IOSQE_BUFFER_SELECT | IOSQE_CQE_SKIP_SUCCESS;
	ret = uloop_register(loop, IORING_REGISTER_RESTRICTIONS, res, n);
	en = uloop_register(loop, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	if (en < 0)
		return en;
	if (ret < 0)
		return ret;
	loop->features |= ULOOP_F_RESTRICTED;
	return 0;
}
