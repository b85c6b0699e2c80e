// SPDX-License-Identifier: GPL-2.0-or-later
/* T-77: -EBADF, -ECANCELED, -EAGAIN, full SQ, CQ overflow, buffers. */

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datapath/uring/ubufring.h"
#include "tests/unit/uring/utest.h"

#define NOPS 200

struct io {
	struct uloop_op op;
	int res;
	int done;
};

static struct io ops[NOPS];
static int completions;

static void io_cb(struct uloop *loop, struct uloop_op *op, int res,
		  uint32_t cqe_flags)
{
	struct io *io = (struct io *)op;

	io->res = res;
	io->done++;
	completions++;
}

static void ops_reset(void)
{
	int i;

	for (i = 0; i < NOPS; i++) {
		uloop_op_init(&ops[i].op, io_cb);
		ops[i].done = 0;
	}
	completions = 0;
}

/* Every op completed exactly once and nothing is left in flight. */
static void ops_check_once(int n)
{
	int i;

	UT_EQ(completions, n);
	for (i = 0; i < n; i++) {
		UT_EQ(ops[i].done, 1);
		UT_CHECK(!uloop_op_busy(&ops[i].op));
	}
}

static void test_ebadf_ecanceled(struct uloop *loop)
{
	char buf[8];
	int fd = dup(0), pfd[2];

	/* an fd closed before submission */
	ops_reset();
	close(fd);
	UT_EQ(uloop_read(loop, &ops[0].op, fd, buf, sizeof(buf), ULOOP_OFF_CUR,
			 0),
	      0);
	UT_RUN_UNTIL(loop, completions == 1, 1000);
	UT_EQ(ops[0].res, -EBADF);

	/* a read waiting on an empty pipe, cancelled */
	UT_EQ(pipe(pfd), 0);
	UT_EQ(uloop_cancel(loop, &ops[1].op), -ENOENT);
	UT_EQ(uloop_read(loop, &ops[1].op, pfd[0], buf, sizeof(buf),
			 ULOOP_OFF_CUR, 0),
	      0);
	UT_EQ(uloop_run_once(loop, 0), 0);
	UT_CHECK(uloop_op_busy(&ops[1].op));
	UT_EQ(uloop_cancel(loop, &ops[1].op), 0);
	UT_RUN_UNTIL(loop, completions == 2, 1000);
	UT_EQ(ops[1].res, -ECANCELED);

	/* the fd closed while the read waits: the request keeps the file */
	UT_EQ(uloop_read(loop, &ops[2].op, pfd[0], buf, sizeof(buf),
			 ULOOP_OFF_CUR, 0),
	      0);
	UT_EQ(uloop_run_once(loop, 0), 0);
	close(pfd[0]);
	UT_EQ(write(pfd[1], "late", 4), 4);
	UT_RUN_UNTIL(loop, completions == 3, 1000);
	UT_EQ(ops[2].res, 4);
	close(pfd[1]);
	ops_check_once(3);
}

/* A read on an O_NONBLOCK empty pipe completes once (data or -EAGAIN). */
static void test_eagain(struct uloop *loop)
{
	char buf[8];
	int pfd[2];

	ops_reset();
	UT_EQ(pipe2(pfd, O_NONBLOCK), 0);
	UT_EQ(uloop_read(loop, &ops[0].op, pfd[0], buf, sizeof(buf),
			 ULOOP_OFF_CUR, 0),
	      0);
	ut_run_for(loop, 20);
	if (!completions)
		UT_EQ(write(pfd[1], "ok", 2), 2);
	UT_RUN_UNTIL(loop, completions == 1, 1000);
	UT_CHECK(ops[0].res == 2 || ops[0].res == -EAGAIN);
	ut_run_for(loop, 20);
	ops_check_once(1);
	printf("errors: read on O_NONBLOCK empty pipe: %s\n",
	       ops[0].res == 2 ? "waited for data" : "-EAGAIN");
	close(pfd[0]);
	close(pfd[1]);
}

/* 200 ops through an 8-entry SQ and a 16-entry CQ. */
static void test_full_rings(void)
{
	struct uloop_config cfg = {.sq_entries = 8, .cq_entries = 16};
	struct uloop loop;
	char rbuf[NOPS];
	int sv[2], i;

	ut_loop_init(&loop, &cfg);
	UT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ops_reset();
	for (i = 0; i < NOPS; i++)
		UT_EQ(uloop_write(&loop, &ops[i].op, sv[1], "w", 1,
				  ULOOP_OFF_CUR, 0),
		      0);
	UT_CHECK(loop.stats.sq_full >= NOPS / 8 - 1);
	UT_RUN_UNTIL(&loop, completions == NOPS, 2000);
	ops_check_once(NOPS);
	for (i = 0; i < NOPS; i++)
		UT_EQ(ops[i].res, 1);
	UT_EQ(read(sv[0], rbuf, sizeof(rbuf)), NOPS);
	printf("errors: %d writes through SQ 8 / CQ 16: %llu SQ flushes, %llu "
	       "CQ overflows seen\n",
	       NOPS, (unsigned long long)loop.stats.sq_full,
	       (unsigned long long)loop.stats.cq_overflow);
	UT_CHECK(loop.stats.cq_overflow >= 1);
	close(sv[0]);
	close(sv[1]);
	uloop_fini(&loop);
}

struct stream {
	struct ubufring_rx rx;
	unsigned char data[NOPS * 64];
	size_t bytes;
	int end;
};

static void stream_cb(struct uloop *loop, struct ubufring_rx *rx, int res,
		      void *buf, unsigned int bid)
{
	struct stream *s = (struct stream *)rx;

	if (res <= 0) {
		s->end = 1 + res;
		return;
	}
	if (s->bytes + (size_t)res <= sizeof(s->data))
		memcpy(s->data + s->bytes, buf, (size_t)res);
	s->bytes += (size_t)res;
	UT_EQ(ubufring_recycle(rx->br, bid), 0);
}

/*
 * Multishot recv with a CQ far smaller than the burst and a ring smaller
 * than the data: the request ends on overflow and on -ENOBUFS and is
 * re-armed; the stream arrives intact and every buffer comes back once.
 */
static void test_multishot_overflow(void)
{
	struct uloop_config cfg = {.sq_entries = 8, .cq_entries = 16};
	static unsigned char out[NOPS * 64];
	static struct stream s;
	struct ubufring br;
	struct uloop loop;
	int sv[2], i;

	ut_loop_init(&loop, &cfg);
	if (!(uloop_features(&loop) & ULOOP_F_RECV_MULTISHOT)) {
		printf("errors: no multishot recv, overflow part skipped\n");
		uloop_fini(&loop);
		return;
	}
	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + 3);
	UT_EQ(ut_bufring_init(&br, &loop, 1, 32, 64), 0);
	UT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(&s, 0, sizeof(s));
	ubufring_rx_init(&s.rx, stream_cb);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_RECV, sv[0], 0), 0);
	UT_EQ(uloop_run_once(&loop, 0), 0);
	for (i = 0; i < NOPS; i++)
		UT_EQ(write(sv[1], out + i * 64, 64), 64);
	UT_RUN_UNTIL(&loop, s.bytes == sizeof(out), 3000);
	UT_CHECK(!memcmp(s.data, out, sizeof(out)));
	UT_EQ(s.end, 0);
	UT_EQ(br.stats.double_recycle, 0);
	UT_EQ(br.stats.stale, 0);
	UT_EQ(ubufring_avail(&br), 32);
	printf("errors: multishot recv, %zu bytes via 32x64 B ring and CQ 16: "
	       "%llu re-arms, %llu ENOBUFS\n",
	       s.bytes, (unsigned long long)s.rx.stats.rearms,
	       (unsigned long long)s.rx.stats.enobufs);
	UT_CHECK(s.rx.stats.rearms >= 1);
	UT_EQ(ubufring_rx_stop(&s.rx), 0);
	UT_RUN_UNTIL(&loop, !ubufring_rx_busy(&s.rx), 1000);
	UT_EQ(ubufring_avail(&br), 32);
	close(sv[0]);
	close(sv[1]);
	ubufring_fini(&br);
	uloop_fini(&loop);
}

/*
 * Make io_uring_enter(2) calls that only submit (min_complete 0, i.e. the
 * early flush of a full SQ) fail with -EAGAIN; waits still work.
 */
static int refuse_flush(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAGAIN),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}

static int polled;

static void poll_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	char c;

	UT_CHECK(revents & POLLIN);
	UT_EQ(read(p->fd, &c, 1), 1);
	polled++;
}

/*
 * The kernel refuses to take a full SQ early: helpers report -EBUSY, poll
 * watches go on the retry list and are armed at a later iteration.
 */
static void sq_refused_child(void)
{
	struct uloop_config cfg = {.sq_entries = 8, .cq_entries = 64};
	static struct uloop_poll p[20];
	static int pfd[20][2];
	struct uloop loop;
	char buf[1];
	int i, ret, busy = 0;

	ret = refuse_flush();
	if (ret) {
		printf("SKIP: cannot install a seccomp filter: %s\n",
		       strerror(-ret));
		fflush(stdout);
		_exit(UT_SKIP);
	}
	ut_loop_init(&loop, &cfg);
	if (uloop_features(&loop) & ULOOP_F_EMULATED) {
		/* no io_uring_enter() to refuse: the SQ is ours */
		printf("errors: SQ flush refused: not with the epoll fallback\n");
		fflush(stdout);
		_exit(UT_SKIP);
	}
	for (i = 0; i < 20; i++) {
		UT_EQ(pipe(pfd[i]), 0);
		uloop_poll_init(&p[i], pfd[i][0], ULOOP_POLL_ONESHOT, poll_cb);
		UT_EQ(uloop_poll_set(&loop, &p[i], POLLIN), 0);
	}
	UT_CHECK(loop.retry_head != NULL);
	ops_reset();
	ret = uloop_read(&loop, &ops[0].op, pfd[0][0], buf, 1, ULOOP_OFF_CUR,
			 0);
	UT_EQ(ret, -EBUSY);
	UT_EQ(ops[0].op.inflight, 0);
	UT_RUN_UNTIL(&loop, loop.retry_head == NULL, 2000);
	UT_CHECK(loop.stats.retries >= 12);
	for (i = 0; i < 20; i++) {
		UT_CHECK(uloop_poll_busy(&p[i]));
		UT_EQ(write(pfd[i][1], "r", 1), 1);
	}
	UT_RUN_UNTIL(&loop, ({
		int k, all = 1;
		for (k = 0; k < 20; k++)
			all &= !uloop_poll_busy(&p[k]);
		all;
	}),
		     2000);
	for (i = 0; i < 20; i++) {
		close(pfd[i][0]);
		close(pfd[i][1]);
		busy += uloop_poll_busy(&p[i]);
	}
	UT_EQ(busy, 0);
	UT_EQ(polled, 20);
	printf("errors: SQ flush refused: %llu deferred re-submissions\n",
	       (unsigned long long)loop.stats.retries);
	uloop_fini(&loop);
	fflush(stdout);
	_exit(0);
}

static void test_sq_refused(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	UT_CHECK(pid >= 0);
	if (pid == 0)
		sq_refused_child();
	UT_EQ(waitpid(pid, &status, 0), pid);
	UT_CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) != UT_SKIP)
		UT_EQ(WEXITSTATUS(status), 0);
}

int main(void)
{
	struct uloop_config bad = {.sq_entries = 64, .cq_entries = 32};
	struct uloop loop;

	UT_EQ(uloop_init(&loop, &bad), -EINVAL);
	ut_loop_init(&loop, NULL);
	test_ebadf_ecanceled(&loop);
	test_eagain(&loop);
	UT_EQ(loop.stats.enter_errors, 0);
	uloop_fini(&loop);
	test_full_rings();
	test_multishot_overflow();
	test_sq_refused();
	return 0;
}
