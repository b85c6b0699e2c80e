// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop batched I/O on a socketpair: one io_uring_enter per batch. */

#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/uring/utest.h"

#define N   64
#define MSG 100

struct io {
	struct uloop_op op;
	int res;
	int done;
	char buf[MSG];
	struct iovec iov[2];
};

static struct io wr[N], rd[N];
static int completions;

static void io_cb(struct uloop *loop, struct uloop_op *op, int res,
		  uint32_t cqe_flags)
{
	struct io *io = (struct io *)op;

	io->res = res;
	io->done++;
	completions++;
}

static void fill(char *buf, int id)
{
	int i;

	buf[0] = (char)id;
	for (i = 1; i < MSG; i++)
		buf[i] = (char)(id * 7 + i);
}

static void reset(void)
{
	int i;

	for (i = 0; i < N; i++) {
		uloop_op_init(&wr[i].op, io_cb);
		uloop_op_init(&rd[i].op, io_cb);
		wr[i].done = rd[i].done = 0;
	}
	completions = 0;
}

/* Check that the N reads got the N messages, each exactly once. */
static void check_reads(int *in_order)
{
	int seen[N] = {0};
	char expect[MSG];
	int i, id;

	*in_order = 1;
	for (i = 0; i < N; i++) {
		UT_EQ(rd[i].done, 1);
		UT_EQ(rd[i].res, MSG);
		id = (unsigned char)rd[i].buf[0];
		UT_CHECK(id >= 0 && id < N);
		fill(expect, id);
		UT_CHECK(!memcmp(expect, rd[i].buf, MSG));
		seen[id]++;
		if (id != i)
			*in_order = 0;
	}
	for (i = 0; i < N; i++)
		UT_EQ(seen[i], 1);
}

/* Writes first, then reads of what is queued. */
static void test_write_then_read(struct uloop *loop, int sv[2])
{
	uint64_t enters, sqes;
	int i, in_order;

	reset();
	for (i = 0; i < N; i++) {
		fill(wr[i].buf, i);
		UT_EQ(uloop_write(loop, &wr[i].op, sv[1], wr[i].buf, MSG,
				  ULOOP_OFF_CUR, 0),
		      0);
	}
	enters = loop->stats.enters;
	sqes = loop->stats.sqes;
	UT_RUN_UNTIL(loop, completions == N, 2000);
	UT_EQ(loop->stats.sqes - sqes, N);
	UT_EQ(loop->stats.enters - enters, 1);
	for (i = 0; i < N; i++) {
		UT_EQ(wr[i].done, 1);
		UT_EQ(wr[i].res, MSG);
	}

	completions = 0;
	enters = loop->stats.enters;
	for (i = 0; i < N; i++)
		UT_EQ(uloop_read(loop, &rd[i].op, sv[0], rd[i].buf, MSG,
				 ULOOP_OFF_CUR, 0),
		      0);
	UT_RUN_UNTIL(loop, completions == N, 2000);
	UT_EQ(loop->stats.enters - enters, 1);
	check_reads(&in_order);
	UT_CHECK(in_order); /* queued data, reads issued in order */
	printf("batch: %d writes in 1 enter, %d reads in 1 enter\n", N, N);
}

/* Reads wait first; one batch of writes completes reads and writes. */
static void test_pending_reads(struct uloop *loop, int sv[2])
{
	uint64_t enters;
	int i, in_order;

	reset();
	for (i = 0; i < N; i++)
		UT_EQ(uloop_read(loop, &rd[i].op, sv[0], rd[i].buf, MSG,
				 ULOOP_OFF_CUR, 0),
		      0);
	UT_EQ(uloop_run_once(loop, 0), 0); /* submitted, all waiting */
	UT_EQ(completions, 0);
	enters = loop->stats.enters;
	for (i = 0; i < N; i++) {
		fill(wr[i].buf, i);
		UT_EQ(uloop_write(loop, &wr[i].op, sv[1], wr[i].buf, MSG,
				  ULOOP_OFF_CUR, 0),
		      0);
	}
	UT_RUN_UNTIL(loop, completions == 2 * N, 2000);
	check_reads(&in_order);
	printf("batch: %d waiting reads + %d writes in %llu enters%s\n", N, N,
	       (unsigned long long)(loop->stats.enters - enters),
	       in_order ? ", in order" : "");
	UT_CHECK(loop->stats.enters - enters <= 4);
}

/* writev/readv: a 10-byte header plus payload, as a tap with vnet hdr. */
static void test_vectored(struct uloop *loop, int sv[2])
{
	static char hdr_out[N][10], hdr_in[N][10];
	int i;

	reset();
	for (i = 0; i < N; i++) {
		memset(hdr_out[i], i, sizeof(hdr_out[i]));
		fill(wr[i].buf, i);
		wr[i].iov[0] = (struct iovec){hdr_out[i], 10};
		wr[i].iov[1] = (struct iovec){wr[i].buf, MSG};
		rd[i].iov[0] = (struct iovec){hdr_in[i], 10};
		rd[i].iov[1] = (struct iovec){rd[i].buf, MSG};
		UT_EQ(uloop_writev(loop, &wr[i].op, sv[1], wr[i].iov, 2,
				   ULOOP_OFF_CUR, 0),
		      0);
	}
	UT_RUN_UNTIL(loop, completions == N, 2000);
	for (i = 0; i < N; i++)
		UT_EQ(uloop_readv(loop, &rd[i].op, sv[0], rd[i].iov, 2,
				  ULOOP_OFF_CUR, 0),
		      0);
	UT_RUN_UNTIL(loop, completions == 2 * N, 2000);
	for (i = 0; i < N; i++) {
		UT_EQ(wr[i].res, 10 + MSG);
		UT_EQ(rd[i].res, 10 + MSG);
		UT_CHECK(!memcmp(hdr_in[i],
				 hdr_out[(unsigned char)hdr_in[i][0]], 10));
	}
}

/* Linked writes on a stream socket keep their order. */
static void test_linked(struct uloop *loop)
{
	char out[N * MSG], in[N * MSG];
	size_t got = 0;
	ssize_t r;
	int sv[2], i;

	UT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	reset();
	for (i = 0; i < N; i++) {
		fill(out + i * MSG, i);
		UT_EQ(uloop_write(loop, &wr[i].op, sv[1], out + i * MSG, MSG,
				  ULOOP_OFF_CUR, i < N - 1 ? ULOOP_IO_LINK : 0),
		      0);
	}
	UT_RUN_UNTIL(loop, completions == N, 2000);
	while (got < sizeof(in)) {
		r = read(sv[0], in + got, sizeof(in) - got);
		UT_CHECK(r > 0);
		got += (size_t)r;
	}
	UT_CHECK(!memcmp(in, out, sizeof(in)));
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	struct uloop loop;
	int sv[2];

	ut_loop_init(&loop, NULL);
	UT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	UT_EQ(uloop_run_once(&loop, 0), 0); /* wake-up read submitted */
	test_write_then_read(&loop, sv);
	test_pending_reads(&loop, sv);
	test_vectored(&loop, sv);
	test_linked(&loop);
	close(sv[0]);
	close(sv[1]);
	printf("batch: %llu SQEs, %llu enters in all\n",
	       (unsigned long long)loop.stats.sqes,
	       (unsigned long long)loop.stats.enters);
	uloop_fini(&loop);
	return 0;
}
