// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dgramq.c: a datagram link whose peer's queue is full holds its frames and sends them whole, in order. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "datapath/frame.h"
#include "datapath/stream_addr.h"
#include "tests/unit/stream/stest.h"

/* Frames sent in each case: far more than a unix peer's queue (10) and
 * than the link's send slots (64). */
#define DQ_FRAMES 400u

/* sendmsgs a link may submit while its peer reads nothing for this long:
 * a few rounds of refused chains, not a busy loop. */
#define DQ_IDLE_MS 150u
#define DQ_IDLE_WRITES (4u * STREAM_LINK_DGRAM_SLOTS)

static struct uloop loop;
static char dir[64];
static unsigned int qlen; /* net.unix.max_dgram_qlen */
static uint8_t rbuf[FRAME_MAX_LEN + 1];

/**
 * struct dq - one link under test and what it sends
 * @l:		the link
 * @tp:		its peer port, sending @out
 * @ev:		link events
 * @out:	the frames
 * @next:	index of the next frame the socket peer must receive
 */
struct dq {
	struct stream_link *l;
	struct tport tp;
	struct st_events ev;
	struct tbufs out;
	unsigned int next;
};

static const struct stream_link_stats *dq_stats(const struct dq *d)
{
	return stream_link_stats(d->l);
}

/* Open a datagram link from @cfg, connect a test port, queue every frame. */
static void dq_open(struct dq *d, const struct stream_link_config *cfg,
		    unsigned int seed)
{
	struct stream_link_notify n = { st_link_event, &d->ev };

	memset(d, 0, sizeof(*d));
	tport_init(&d->tp, "e1000.0");
	ST_EQ(stream_link_open(&d->l, cfg, &loop, "n0", &n), 0);
	ST_EQ(port_connect(stream_link_port(d->l), &d->tp.port), 0);
	tbufs_new(&d->out, DQ_FRAMES, seed, 1514);
	tport_send(&d->tp, d->out.ptr, DQ_FRAMES);
}

/* Close the link, wait until it is freed, release everything. */
static void dq_close(struct dq *d)
{
	stream_link_close(d->l);
	ST_RUN_UNTIL(&loop, d->ev.count[STREAM_LINK_EV_CLOSED] == 1, 2000);
	tport_fini(&d->tp);
	tbufs_free(&d->out);
}

/**
 * dq_read() - read what @fd holds now; each datagram must be the next
 * frame, whole (an empty or short one fails)
 * @d:	the link
 * @fd:	the receiving socket
 * @max:	datagrams to read at most
 *
 * Return: datagrams read.
 */
static unsigned int dq_read(struct dq *d, int fd, unsigned int max)
{
	unsigned int got = 0;
	const struct frame *f;
	ssize_t r;

	while (got < max) {
		r = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (r < 0) {
			ST_CHECK(errno == EAGAIN);
			break;
		}
		ST_CHECK(d->next < DQ_FRAMES);
		f = &d->out.f[d->next];
		if (r != (ssize_t)f->len)
			fprintf(stderr, "frame %u: a datagram of %zd bytes, "
				"expected %u\n", d->next, r, f->len);
		ST_EQ(r, f->len);
		ST_CHECK(!memcmp(rbuf, f->data, f->len));
		d->next++;
		got++;
	}
	return got;
}

/* Let the link run @ms while nobody reads: it must hold, not spin. */
static void dq_idle(struct dq *d, unsigned int ms)
{
	uint64_t w0 = dq_stats(d)->writes;

	st_pump(&loop, ms);
	ST_CHECK(dq_stats(d)->writes - w0 <= DQ_IDLE_WRITES);
	ST_EQ(dq_stats(d)->tx_lost, 0);
}

/* Read everything, @step datagrams at a time, letting the link run 2 ms
 * in between (time to fill the queue again); then nothing more may come. */
static void dq_drain(struct dq *d, int fd, unsigned int step)
{
	uint64_t end = uloop_now() + 10000 * ST_MS;

	while (d->next < DQ_FRAMES) {
		ST_CHECK(uloop_now() < end);
		dq_read(d, fd, step);
		st_pump(&loop, 2);
	}
	st_pump(&loop, 20);
	ST_EQ(dq_read(d, fd, 1), 0);
	ST_EQ(d->tp.npend, 0);
	ST_EQ(d->tp.frames, 0);
	ST_EQ(dq_stats(d)->tx_lost, 0);
	ST_EQ(stream_link_port(d->l)->stats[0].drops[PORT_DROP_IO_ERROR], 0);
}

/**
 * dq_unix_open() - a link on a unix datagram socket SUFFIX.sock in the test
 * directory, sending to a peer bound at vmSUFFIX.sock
 * @d:		the link under test, opened
 * @suffix:	file name part ("", "2", ...)
 * @seed:	dq_open()'s seed
 * @lpath:	set to the link's path (128 bytes)
 * @rpath:	set to the peer's path (128 bytes)
 *
 * Return: the peer's socket.
 */
static int dq_unix_open(struct dq *d, const char *suffix, unsigned int seed,
			char *lpath, char *rpath)
{
	struct stream_link_config cfg = { .mode = STREAM_LINK_DGRAM,
					  .has_local = true,
					  .has_remote = true };
	int peer;

	snprintf(lpath, 128, "%s/q%s.sock", dir, suffix);
	snprintf(rpath, 128, "%s/vm%s.sock", dir, suffix);
	ST_EQ(stream_addr_unix(&cfg.addr, lpath), 0);
	ST_EQ(stream_addr_unix(&cfg.remote, rpath), 0);
	peer = st_unix_dgram(rpath);
	dq_open(d, &cfg, seed);
	return peer;
}

/* Close the link, then the peer, and remove the peer's path. */
static void dq_unix_close(struct dq *d, int peer, const char *rpath)
{
	dq_close(d);
	close(peer);
	unlink(rpath);
}

/* A unix peer reads nothing: its queue fills, the link holds the rest
 * (the sender too) without spinning; then every datagram is a whole
 * frame, in order, none empty, none lost. */
static void test_unix_full(void)
{
	char lpath[128], rpath[128];
	struct dq d;
	int peer = dq_unix_open(&d, "", 7, lpath, rpath);

	dq_idle(&d, DQ_IDLE_MS);
	ST_CHECK(dq_stats(&d)->tx_frames >= 1);
	ST_CHECK(dq_stats(&d)->tx_frames <= qlen + 1);
	ST_CHECK(dq_stats(&d)->tx_full >= 1);
	ST_CHECK(d.tp.npend > 0);
	/* what the queue holds is whole; the link waits for room again */
	ST_EQ(dq_read(&d, peer, DQ_FRAMES), dq_stats(&d)->tx_frames);
	dq_drain(&d, peer, 3);
	ST_CHECK(dq_stats(&d)->tx_waits >= 1);
	ST_CHECK(dq_stats(&d)->tx_waits >= 10);
	ST_EQ(dq_stats(&d)->tx_frames, DQ_FRAMES);
	dq_unix_close(&d, peer, rpath);
}

/* The full peer goes and another takes its path: the waiting link wakes,
 * finds the new peer (and waits for its queue, not the old one's); the
 * frames the old peer held are gone with it, the rest arrive in order. */
static void test_unix_replaced(void)
{
	char lpath[128], rpath[128];
	uint64_t sent;
	struct dq d;
	int peer = dq_unix_open(&d, "2", 8, lpath, rpath);

	dq_idle(&d, 50);
	sent = dq_stats(&d)->tx_frames;
	ST_CHECK(sent >= 1 && sent < DQ_FRAMES);
	close(peer);
	unlink(rpath);
	peer = st_unix_dgram(rpath);
	d.next = (unsigned int)sent;
	dq_idle(&d, DQ_IDLE_MS);
	ST_CHECK(dq_stats(&d)->tx_frames > sent);
	ST_CHECK(dq_stats(&d)->tx_frames < DQ_FRAMES);
	dq_drain(&d, peer, 5);
	ST_EQ(dq_stats(&d)->tx_frames, DQ_FRAMES);
	dq_unix_close(&d, peer, rpath);
}

/* A link closed while its sends wait for room is freed (nothing of it
 * stays with the kernel), its socket file removed. */
static void test_close_waiting(void)
{
	char lpath[128], rpath[128];
	struct dq d;
	int peer = dq_unix_open(&d, "3", 9, lpath, rpath);

	dq_idle(&d, 50);
	ST_CHECK(dq_stats(&d)->tx_waits >= 1);
	dq_close(&d);
	ST_EQ(access(lpath, F_OK), -1);
	close(peer);
	unlink(rpath);
}

/* A connected socket pair (legacy fd=): no queue limit, but a full send
 * buffer refuses too; the link polls its own socket and loses nothing. */
static void test_fd_pair(void)
{
	struct stream_link_config cfg = { .mode = STREAM_LINK_DGRAM,
					  .has_local = true };
	int sv[2], small = 16384;
	struct dq d;

	ST_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	ST_EQ(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)),
	      0);
	cfg.addr.type = STREAM_ADDR_FD;
	cfg.addr.fd = sv[0];
	dq_open(&d, &cfg, 10);
	dq_idle(&d, DQ_IDLE_MS);
	ST_CHECK(dq_stats(&d)->tx_frames < DQ_FRAMES);
	dq_drain(&d, sv[1], 4);
	ST_EQ(dq_stats(&d)->tx_frames, DQ_FRAMES);
	dq_close(&d);
	close(sv[1]);
}

/* The kernel's unix datagram queue length; skip when it is too long to
 * fill with these frames. */
static void read_qlen(void)
{
	FILE *f = fopen("/proc/sys/net/unix/max_dgram_qlen", "r");

	qlen = 10;
	if (f) {
		ST_EQ(fscanf(f, "%u", &qlen), 1);
		fclose(f);
	}
	if (qlen >= STREAM_LINK_DGRAM_SLOTS / 2) {
		printf("SKIP: net.unix.max_dgram_qlen is %u: too long to fill "
		       "from %u send slots\n", qlen, STREAM_LINK_DGRAM_SLOTS);
		exit(ST_SKIP);
	}
}

int main(void)
{
	read_qlen();
	st_loop_init(&loop);
	st_tmpdir(dir, sizeof(dir));
	test_unix_full();
	test_unix_replaced();
	test_close_waiting();
	test_fd_pair();
	uloop_fini(&loop);
	st_rmdir(dir);
	printf("dgram send queue: ok\n");
	return 0;
}
