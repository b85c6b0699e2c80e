// SPDX-License-Identifier: GPL-2.0-or-later
/* ubufring read multishot (opcode 49) on a pipe and an eventfd. */

#include <sys/eventfd.h>
#include <unistd.h>

#include "datapath/uring/ubufring.h"
#include "tests/unit/uring/utest.h"

#define TOTAL 4096

struct rxstate {
	struct ubufring_rx rx;
	unsigned char data[TOTAL];
	size_t bytes;
	int frames;
	int end;
	bool hold;
	unsigned int held[64];
	int nheld;
	uint64_t counter;
};

static void rx_cb(struct uloop *loop, struct ubufring_rx *rx, int res,
		  void *buf, unsigned int bid)
{
	struct rxstate *s = (struct rxstate *)rx;

	if (res <= 0) {
		s->end = 1 + res;
		return;
	}
	s->frames++;
	if (s->bytes + (size_t)res <= TOTAL)
		memcpy(s->data + s->bytes, buf, (size_t)res);
	s->bytes += (size_t)res;
	if (res == 8) {
		uint64_t v;

		memcpy(&v, buf, 8);
		s->counter += v;
	}
	if (s->hold && s->nheld < 64)
		s->held[s->nheld++] = bid;
	else
		UT_EQ(ubufring_recycle(rx->br, bid), 0);
}

static void rxstate_init(struct rxstate *s)
{
	memset(s, 0, sizeof(*s));
	ubufring_rx_init(&s->rx, rx_cb);
}

/* A stream of bytes through 2 small buffers: data intact, -ENOBUFS re-arms. */
static void test_pipe(struct uloop *loop)
{
	static unsigned char out[TOTAL];
	struct ubufring br;
	struct rxstate s;
	size_t sent = 0;
	int pfd[2], i;

	for (i = 0; i < TOTAL; i++)
		out[i] = (unsigned char)(i * 31 + 7);
	UT_EQ(ut_bufring_init(&br, loop, 1, 2, 64), 0);
	UT_EQ(pipe(pfd), 0);
	rxstate_init(&s);
	s.hold = true;
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_READ, pfd[0], 0), 0);
	UT_EQ(uloop_run_once(loop, 0), 0);
	while (s.bytes < TOTAL) {
		if (sent < TOTAL) {
			UT_EQ(write(pfd[1], out + sent, 512), 512);
			sent += 512;
		}
		UT_CHECK(uloop_run_once(loop, 10 * UT_MS) >= 0);
		for (i = 0; i < s.nheld; i++)
			UT_EQ(ubufring_recycle(&br, s.held[i]), 0);
		s.nheld = 0;
	}
	UT_EQ(s.bytes, TOTAL);
	UT_CHECK(!memcmp(s.data, out, TOTAL));
	UT_CHECK(s.rx.stats.enobufs >= 1);
	printf("read multishot: %d bytes in %d completions, %llu ENOBUFS "
	       "re-arms\n",
	       TOTAL, s.frames, (unsigned long long)s.rx.stats.enobufs);

	/* the writer closes: res 0 ends the receiver */
	s.hold = false;
	close(pfd[1]);
	UT_RUN_UNTIL(loop, s.end, 1000);
	UT_EQ(s.end, 1);
	UT_CHECK(!ubufring_rx_busy(&s.rx));
	UT_EQ(ubufring_avail(&br), 2);
	UT_EQ(br.stats.stale, 0);
	UT_EQ(br.stats.double_recycle, 0);
	close(pfd[0]);
	ubufring_fini(&br);
}

/* An eventfd: every completion is one 8-byte counter read. */
static void test_eventfd(struct uloop *loop)
{
	struct ubufring br;
	struct rxstate s;
	uint64_t sum = 0;
	int efd, i;

	UT_EQ(ut_bufring_init(&br, loop, 2, 8, 16), 0);
	efd = eventfd(0, EFD_CLOEXEC);
	UT_CHECK(efd >= 0);
	rxstate_init(&s);
	UT_EQ(ubufring_rx_start(&s.rx, &br, UBUFRING_RX_READ, efd, 0), 0);
	for (i = 1; i <= 20; i++) {
		UT_EQ(eventfd_write(efd, (eventfd_t)i), 0);
		sum += (uint64_t)i;
		if (i % 5 == 0)
			UT_RUN_UNTIL(loop, s.counter == sum, 1000);
	}
	UT_EQ(s.counter, 210);
	UT_CHECK(s.frames >= 4);
	UT_EQ(ubufring_rx_stop(&s.rx), 0);
	UT_RUN_UNTIL(loop, !ubufring_rx_busy(&s.rx), 1000);
	UT_EQ(ubufring_avail(&br), 8);
	close(efd);
	ubufring_fini(&br);
}

int main(void)
{
	struct uloop loop;

	ut_loop_init(&loop, NULL);
	if (!(uloop_features(&loop) & ULOOP_F_BUF_RING) ||
	    !(uloop_features(&loop) & ULOOP_F_READ_MULTISHOT)) {
		printf("SKIP: kernel lacks IORING_OP_READ_MULTISHOT (opcode "
		       "49, Linux 6.7)\n");
		uloop_fini(&loop);
		return UT_SKIP;
	}
	test_pipe(&loop);
	test_eventfd(&loop);
	uloop_fini(&loop);
	return 0;
}
