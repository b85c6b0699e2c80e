// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop registered files and buffers: fixed I/O and bad slots. */

#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/uring/utest.h"

#define BUF 4096


static int polled;

static void poll_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	polled = revents;
}

static void test_files(struct uloop *loop)
{
	struct uloop_poll p;
	struct ut_io w, r;
	char in[32] = "";
	int sv[2], s0, s1, i, slot;

	UT_EQ(uloop_file_add(loop, 0), -ENXIO); /* no table yet */
	UT_EQ(uloop_files_register(loop, 4), 0);
	UT_EQ(uloop_files_register(loop, 4), -EEXIST);
	UT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	s0 = uloop_file_add(loop, sv[0]);
	s1 = uloop_file_add(loop, sv[1]);
	UT_EQ(s0, 0);
	UT_EQ(s1, 1);
	/* the table holds its own references */
	close(sv[0]);
	close(sv[1]);

	ut_io_init(&w);
	ut_io_init(&r);
	UT_EQ(uloop_write(loop, &w.op, s1, "fixed-file", 10, ULOOP_OFF_CUR,
			  ULOOP_IO_FIXED_FILE),
	      0);
	UT_EQ(uloop_read(loop, &r.op, s0, in, sizeof(in), ULOOP_OFF_CUR,
			 ULOOP_IO_FIXED_FILE),
	      0);
	UT_RUN_UNTIL(loop, w.done && r.done, 1000);
	UT_EQ(w.res, 10);
	UT_EQ(r.res, 10);
	UT_CHECK(!memcmp(in, "fixed-file", 10));

	/* a poll on a registered slot */
	uloop_poll_init(&p, s0, ULOOP_POLL_FIXED_FILE | ULOOP_POLL_ONESHOT,
			poll_cb);
	UT_EQ(uloop_poll_set(loop, &p, POLLOUT), 0);
	UT_RUN_UNTIL(loop, polled, 1000);
	UT_CHECK(polled & POLLOUT);

	/* a cleared slot and a slot past the table fail with -EBADF */
	UT_EQ(uloop_file_remove(loop, s1), 0);
	ut_io_init(&w);
	UT_EQ(uloop_write(loop, &w.op, s1, "x", 1, ULOOP_OFF_CUR,
			  ULOOP_IO_FIXED_FILE),
	      0);
	UT_RUN_UNTIL(loop, w.done, 1000);
	UT_EQ(w.res, -EBADF);
	ut_io_init(&w);
	UT_EQ(uloop_write(loop, &w.op, 3, "x", 1, ULOOP_OFF_CUR,
			  ULOOP_IO_FIXED_FILE),
	      0);
	UT_RUN_UNTIL(loop, w.done, 1000);
	UT_EQ(w.res, -EBADF);
	UT_EQ(uloop_file_set(loop, 4, 0), -ENXIO);

	/* fill the table */
	for (i = 0; i < 3; i++) {
		slot = uloop_file_add(loop, 0);
		UT_CHECK(slot >= 0);
	}
	UT_EQ(uloop_file_add(loop, 0), -ENFILE);
	for (i = 0; i < 4; i++)
		UT_EQ(uloop_file_remove(loop, i), 0);
}

static void test_buffers(struct uloop *loop)
{
	struct iovec iov[2];
	struct ut_io w, r;
	char *mem;
	int sv[2], i;

	mem = mmap(NULL, 2 * BUF, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_CHECK(mem != MAP_FAILED);
	iov[0] = (struct iovec){mem, BUF};
	iov[1] = (struct iovec){mem + BUF, BUF};
	UT_EQ(uloop_buffers_unregister(loop), -ENOENT);
	UT_EQ(uloop_buffers_register(loop, iov, 2), 0);
	UT_EQ(uloop_buffers_register(loop, iov, 2), -EEXIST);
	UT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	UT_EQ(uloop_file_set(loop, 0, sv[0]), 0);
	UT_EQ(uloop_file_set(loop, 1, sv[1]), 0);

	for (i = 0; i < 1500; i++)
		mem[i] = (char)(i * 13);
	ut_io_init(&w);
	ut_io_init(&r);
	UT_EQ(uloop_write_fixed(loop, &w.op, 1, mem, 1500, ULOOP_OFF_CUR, 0,
				ULOOP_IO_FIXED_FILE),
	      0);
	UT_EQ(uloop_read_fixed(loop, &r.op, 0, mem + BUF, BUF, ULOOP_OFF_CUR, 1,
			       ULOOP_IO_FIXED_FILE),
	      0);
	UT_RUN_UNTIL(loop, w.done && r.done, 1000);
	UT_EQ(w.res, 1500);
	UT_EQ(r.res, 1500);
	UT_CHECK(!memcmp(mem, mem + BUF, 1500));

	/* plain fds work with fixed buffers too */
	ut_io_init(&w);
	UT_EQ(uloop_write_fixed(loop, &w.op, sv[1], mem, 64, ULOOP_OFF_CUR, 0,
				0),
	      0);
	UT_RUN_UNTIL(loop, w.done, 1000);
	UT_EQ(w.res, 64);

	/* an address outside the registered buffer, a bad index */
	ut_io_init(&w);
	UT_EQ(uloop_write_fixed(loop, &w.op, sv[1], mem + BUF, 64,
				ULOOP_OFF_CUR, 0, 0),
	      0);
	UT_RUN_UNTIL(loop, w.done, 1000);
	UT_CHECK(w.res == -EFAULT || w.res == -EINVAL);
	ut_io_init(&w);
	UT_EQ(uloop_write_fixed(loop, &w.op, sv[1], mem, 64, ULOOP_OFF_CUR, 7,
				0),
	      0);
	UT_RUN_UNTIL(loop, w.done, 1000);
	UT_CHECK(w.res == -EFAULT || w.res == -EINVAL);

	UT_EQ(uloop_buffers_unregister(loop), 0);
	UT_EQ(uloop_file_remove(loop, 0), 0);
	UT_EQ(uloop_file_remove(loop, 1), 0);
	close(sv[0]);
	close(sv[1]);
	munmap(mem, 2 * BUF);
}

int main(void)
{
	struct uloop loop;

	ut_loop_init(&loop, NULL);
	test_files(&loop);
	test_buffers(&loop);
	uloop_fini(&loop);
	return 0;
}
