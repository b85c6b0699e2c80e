// SPDX-License-Identifier: GPL-2.0-or-later
/* T-78: the loop's ring refuses operations qnet does not use (openat, socket, eventfd registration) and takes those it does. */

#include <fcntl.h>
#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/uring/utest.h"

/* Submit one prepared SQE through the loop and return its result. */
static int run_one(struct uloop *loop, struct io_uring_sqe *sqe,
		   struct ut_io *io)
{
	uloop_sqe_bind(loop, sqe, &io->op);
	UT_RUN_UNTIL(loop, io->done == 1, 2000);
	return io->res;
}

/* openat, socket and a pipe read through @loop; returns openat's result. */
static int try_ops(struct uloop *loop, int *sock_res)
{
	struct ut_io open_io, sock_io, read_io;
	struct io_uring_sqe *sqe;
	char buf[4];
	int p[2], ret;

	ut_io_init(&open_io);
	sqe = uloop_sqe_get(loop);
	UT_CHECK(sqe);
	io_uring_prep_openat(sqe, AT_FDCWD, "/proc/self/status", O_RDONLY, 0);
	ret = run_one(loop, sqe, &open_io);
	if (ret >= 0)
		close(ret);

	ut_io_init(&sock_io);
	sqe = uloop_sqe_get(loop);
	UT_CHECK(sqe);
	io_uring_prep_socket(sqe, AF_UNIX, SOCK_DGRAM, 0, 0);
	*sock_res = run_one(loop, sqe, &sock_io);
	if (*sock_res >= 0)
		close(*sock_res);

	/* an allowed operation still works */
	UT_EQ(pipe(p), 0);
	UT_EQ(write(p[1], "abc", 3), 3);
	ut_io_init(&read_io);
	UT_EQ(uloop_read(loop, &read_io.op, p[0], buf, sizeof(buf), 0, 0), 0);
	UT_RUN_UNTIL(loop, read_io.done == 1, 2000);
	UT_EQ(read_io.res, 3);
	close(p[0]);
	close(p[1]);
	return ret;
}

int main(void)
{
	struct uloop_config open = { .flags = ULOOP_CFG_NO_RESTRICT };
	struct uloop loop;
	int ret, sock, efd;

	ut_loop_init(&loop, NULL);
	if (!(uloop_features(&loop) & ULOOP_F_RESTRICTED)) {
		printf("SKIP: this kernel has no io_uring restrictions\n");
		uloop_fini(&loop);
		return UT_SKIP;
	}
	ret = try_ops(&loop, &sock);
	UT_EQ(ret, -EACCES);
	UT_EQ(sock, -EACCES);
	efd = eventfd(0, EFD_CLOEXEC);
	UT_CHECK(efd >= 0);
	UT_EQ(io_uring_register_eventfd(&loop.ring, efd), -EACCES);
	uloop_fini(&loop);
	printf("ok restricted ring: openat, socket and eventfd registration "
	       "refused (-EACCES), read taken\n");

	/* the same without the allowlist: the checks above can fail */
	ut_loop_init(&loop, &open);
	UT_EQ(!!(uloop_features(&loop) & ULOOP_F_RESTRICTED), 0);
	ret = try_ops(&loop, &sock);
	UT_CHECK(ret >= 0);
	UT_CHECK(sock >= 0);
	UT_EQ(io_uring_register_eventfd(&loop.ring, efd), 0);
	uloop_fini(&loop);
	close(efd);
	printf("ok unrestricted ring (ULOOP_CFG_NO_RESTRICT) takes them\n");
	return 0;
}
