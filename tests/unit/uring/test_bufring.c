// SPDX-License-Identifier: GPL-2.0-or-later
/* ubufring: multishot recv, -ENOBUFS re-arm, stop, EOF, recycling. */

#include <sys/socket.h>
#include <unistd.h>

#include "datapath/uring/ubufring.h"
#include "tests/unit/uring/utest.h"

#define NMSG 100

struct rxstate {
	struct ubufring_rx rx;
	int frames;
	int next; /* expected sequence number */
	int bad;
	int end; /* 1 + res of the end callback, 0 before */
	int released;
	bool hold; /* keep buffers instead of recycling */
	unsigned int held[64];
	int nheld;
	size_t bytes;
};

static void rx_cb(struct uloop *loop, struct ubufring_rx *rx, int res,
		  void *buf, unsigned int bid)
{
	struct rxstate *s = (struct rxstate *)rx;
	int seq;

	if (res <= 0) {
		s->end = 1 + res;
		return;
	}
	s->frames++;
	s->bytes += (size_t)res;
	if (res == (int)sizeof(seq)) {
		memcpy(&seq, buf, sizeof(seq));
		if (seq != s->next)
			s->bad++;
		s->next = seq + 1;
	}
	if (s->hold && s->nheld < 64)
		s->held[s->nheld++] = bid;
	else
		UT_EQ(ubufring_recycle(rx->br, bid), 0);
}

static void rx_release(struct uloop *loop, struct ubufring_rx *rx)
{
	((struct rxstate *)rx)->released++;
}

static void rxstate_init(struct rxstate *s)
{
	memset(s, 0, sizeof(*s));
	ubufring_rx_init(&s->rx, rx_cb);
	s->rx.release = rx_release;
}

static void send_seq(int fd, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		UT_EQ(send(fd, &i, sizeof(i), 0), (ssize_t)sizeof(i));
}

/*
 * Datagrams in order through a 128-buffer ring, recycled at once. The
 * kernel may run a whole burst before the loop sees a completion (during
 * the sender's system calls without DEFER_TASKRUN, inside the loop's wait
 * with it), and recycled buffers are published in batches, so the ring is
 * sized for everything in flight: no -ENOBUFS, one request for it all.
 */
static void test_recv(struct uloop *loop)
{
	struct ubufring br;
	struct rxstate s;
	uint64_t sqes;
	int sv[2];

	UT_EQ(ut_bufring_init(&br, loop, 1, 128, 256), 0);
	UT_EQ(ubufring_avail(&br), 128);
	UT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	rxstate_init(&s);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_RECV, sv[0], 0), 0);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_RECV, sv[0], 0),
	      -EBUSY);
	UT_EQ(uloop_run_once(loop, 0), 0);
	sqes = loop->stats.sqes;
	send_seq(sv[1], 0, NMSG / 2);
	UT_RUN_UNTIL(loop, s.frames == NMSG / 2, 2000);
	send_seq(sv[1], NMSG / 2, NMSG);
	UT_RUN_UNTIL(loop, s.frames == NMSG, 2000);
	UT_EQ(s.bad, 0);
	UT_EQ(s.rx.stats.frames, NMSG);
	UT_EQ(s.rx.stats.enobufs, 0);
	UT_EQ(loop->stats.sqes, sqes); /* one multishot request for all */
	UT_EQ(ubufring_avail(&br), 128);

	/* a double recycle is refused and counted */
	UT_EQ(ubufring_recycle(&br, 3), -EALREADY);
	UT_EQ(br.stats.double_recycle, 1);
	UT_EQ(ubufring_recycle(&br, 128), -EINVAL);

	/* stop: no more data callbacks, release once, buffers all back */
	UT_EQ(ubufring_rx_stop(&s.rx), 0);
	UT_EQ(ubufring_rx_stop(&s.rx), -EALREADY);
	UT_RUN_UNTIL(loop, s.released == 1, 1000);
	UT_CHECK(!ubufring_rx_busy(&s.rx));
	send_seq(sv[1], NMSG, NMSG + 3);
	ut_run_for(loop, 20);
	UT_EQ(s.frames, NMSG);
	UT_EQ(ubufring_avail(&br), 128);
	UT_EQ(br.stats.stale, 0);
	close(sv[0]);
	close(sv[1]);
	ubufring_fini(&br);
}

/* The ring runs dry: -ENOBUFS parks the receiver until buffers return. */
static void test_enobufs(struct uloop *loop)
{
	struct ubufring br;
	struct rxstate s;
	uint64_t it;
	int sv[2], i, round;

	UT_EQ(ut_bufring_init(&br, loop, 2, 4, 64), 0);
	UT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	rxstate_init(&s);
	s.hold = true;
	send_seq(sv[1], 0, 10);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_RECV, sv[0], 0), 0);
	for (round = 1; s.frames < 10; round++) {
		UT_RUN_UNTIL(loop,
			     s.frames == (round * 4 < 10 ? round * 4 : 10),
			     2000);
		if (s.frames == 10)
			break;
		UT_RUN_UNTIL(loop, s.rx.starved, 1000);
		UT_EQ(ubufring_avail(&br), 0);
		/* parked: no progress and no spinning while dry */
		it = loop->stats.iterations;
		ut_run_for(loop, 30);
		UT_EQ(s.frames, round * 4);
		UT_CHECK(loop->stats.iterations - it < 10);
		for (i = 0; i < s.nheld; i++)
			UT_EQ(ubufring_recycle(&br, s.held[i]), 0);
		s.nheld = 0;
	}
	UT_EQ(s.bad, 0);
	UT_CHECK(s.rx.stats.enobufs >= 2);
	UT_CHECK(s.rx.stats.rearms >= 2);
	for (i = 0; i < s.nheld; i++)
		UT_EQ(ubufring_recycle(&br, s.held[i]), 0);
	UT_EQ(ubufring_avail(&br), 4);
	printf("bufring: 10 datagrams through 4 buffers: %llu ENOBUFS, %llu "
	       "re-arms\n",
	       (unsigned long long)s.rx.stats.enobufs,
	       (unsigned long long)s.rx.stats.rearms);

	/* stopping a parked receiver releases it at once */
	s.hold = false;
	UT_EQ(ubufring_rx_stop(&s.rx), 0);
	UT_RUN_UNTIL(loop, s.released == 1, 1000);
	close(sv[0]);
	close(sv[1]);
	ubufring_fini(&br);
}

/* A stream peer shutting down ends the receiver with res 0. */
static void test_eof(struct uloop *loop)
{
	struct ubufring br;
	struct rxstate s;
	int sv[2];

	UT_EQ(ut_bufring_init(&br, loop, 3, 8, 128), 0);
	UT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	rxstate_init(&s);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_RECV, sv[0], 0), 0);
	UT_EQ(write(sv[1], "0123456789", 10), 10);
	UT_RUN_UNTIL(loop, s.bytes == 10, 1000);
	UT_EQ(shutdown(sv[1], SHUT_WR), 0);
	UT_RUN_UNTIL(loop, s.end, 1000);
	UT_EQ(s.end, 1); /* res 0 */
	UT_CHECK(!s.rx.active);
	UT_CHECK(!ubufring_rx_busy(&s.rx));
	UT_EQ(s.released, 0);
	UT_EQ(ubufring_avail(&br), 8);
	close(sv[0]);
	close(sv[1]);
	ubufring_fini(&br);
}

/* Receivers stopped from inside their own data callback. */
static void stop_cb(struct uloop *loop, struct ubufring_rx *rx, int res,
		    void *buf, unsigned int bid)
{
	rx_cb(loop, rx, res, buf, bid);
	if (res > 0)
		UT_EQ(ubufring_rx_stop(rx), 0);
}

static void test_stop_in_callback(struct uloop *loop)
{
	struct ubufring br;
	struct rxstate s;
	int sv[2];

	UT_EQ(ut_bufring_init(&br, loop, 4, 8, 64), 0);
	UT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	rxstate_init(&s);
	s.rx.cb = stop_cb;
	send_seq(sv[1], 0, 5);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_RECV, sv[0], 0), 0);
	UT_RUN_UNTIL(loop, s.released == 1, 1000);
	UT_EQ(s.frames, 1);
	/* datagrams the kernel had already taken went back to the ring */
	UT_EQ(ubufring_avail(&br), 8);
	UT_EQ(br.stats.stale, 0);
	close(sv[0]);
	close(sv[1]);
	ubufring_fini(&br);
}

/* Caller memory with a stride and headroom, as a frame pool lends it. */
static void test_caller_memory(struct uloop *loop)
{
	enum { NB = 8, STRIDE = 256, HEAD = 16, SIZE = 128 };
	static unsigned char mem[NB * STRIDE];
	struct ubufring_config cfg = {
		.bgid = 5,
		.nbufs = NB,
		.buf_size = SIZE,
		.stride = STRIDE,
		.headroom = HEAD,
		.mem = mem,
	};
	unsigned char big[300];
	struct ubufring br;
	struct rxstate s;
	int sv[2], i, b;

	cfg.stride = HEAD + SIZE - 1;
	UT_EQ(ubufring_init(&br, loop, &cfg), -EINVAL);
	cfg.stride = STRIDE;
	memset(mem, 0xa5, sizeof(mem));
	UT_EQ(ubufring_init(&br, loop, &cfg), 0);
	UT_CHECK(ubufring_buf(&br, 3) == mem + 3 * STRIDE + HEAD);
	UT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	rxstate_init(&s);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_RECV, sv[0], 0), 0);
	memset(big, 0x11, sizeof(big));
	for (i = 0; i < 12; i++)
		UT_EQ(send(sv[1], big, sizeof(big), 0), (ssize_t)sizeof(big));
	UT_RUN_UNTIL(loop, s.frames == 12, 2000);
	/* datagrams truncated to the buffer; headroom and tail untouched */
	UT_EQ(s.bytes, 12 * SIZE);
	for (b = 0; b < NB; b++)
		for (i = 0; i < STRIDE; i++)
			UT_EQ(mem[b * STRIDE + i],
			      i >= HEAD && i < HEAD + SIZE ? 0x11 : 0xa5);
	UT_EQ(ubufring_rx_stop(&s.rx), 0);
	UT_RUN_UNTIL(loop, s.released == 1, 1000);
	UT_EQ(ubufring_avail(&br), NB);
	close(sv[0]);
	close(sv[1]);
	ubufring_fini(&br);
}

int main(void)
{
	struct uloop loop;
	struct ubufring br;

	ut_loop_init(&loop, NULL);
	if (!(uloop_features(&loop) & ULOOP_F_BUF_RING) ||
	    !(uloop_features(&loop) & ULOOP_F_RECV_MULTISHOT)) {
		printf("SKIP: kernel lacks buffer rings or multishot recv "
		       "(needs 6.0)\n");
		uloop_fini(&loop);
		return UT_SKIP;
	}
	UT_EQ(ut_bufring_init(&br, &loop, 9, 3, 64), -EINVAL);
	UT_EQ(ut_bufring_init(&br, &loop, 9, 4, 0), -EINVAL);
	test_recv(&loop);
	test_enobufs(&loop);
	test_eof(&loop);
	test_stop_in_callback(&loop);
	test_caller_memory(&loop);
	uloop_fini(&loop);
	return 0;
}
