/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_core.c: frames/s through a peer hop and a 4-port hub, vs baselines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "datapath/frame_hot.h"
#include "datapath/hub.h"
#include "datapath/pool.h"
#include "datapath/port.h"

#define BATCH	  FRAME_BATCH_MAX
#define HUB_PORTS 4
#define CHUNK	  256 /* batches between clock reads */
#define REPS	  5   /* interleaved repetitions; the best of each is kept */

/**
 * struct sink - a receiving end that reads each frame's length and
 * destination MAC, as a forwarding decision would
 * @port:	the port
 * @sum:	what it read, so the work cannot be optimised away
 */
struct sink {
	struct port port;
	uint64_t sum;
};

/**
 * struct bench - one measured path and its two baselines
 * @f:		the batch sent every round
 * @pf:		the batch allocated and freed every round (MODE_POOL)
 * @src:	the sending port
 * @sinks:	the receiving ends (1 for a peer hop, 3 behind a hub)
 * @nsinks:	how many
 * @scratch:	destination of the memcpy baseline, one slot per frame and
 *		sink, packed
 * @pool:	frames come from here
 * @len:	frame length
 * @stride:	distance between copies in @scratch (@len, cache aligned)
 */
struct bench {
	struct frame *f[BATCH];
	struct frame *pf[BATCH];
	struct port src;
	struct sink sinks[HUB_PORTS - 1];
	unsigned int nsinks;
	uint8_t *scratch;
	struct pool pool;
	uint32_t len;
	uint32_t stride;
};

static double measure_s = 0.3;

/**
 * sink_receive() - take every frame, reading its length and first 8 bytes
 * @p:		the sink's port
 * @queue:	the queue
 * @f:		the frames
 * @n:		how many
 *
 * Return: @n.
 */
__attribute__((noinline)) static unsigned int sink_receive(struct port *p,
							   unsigned int queue,
							   struct frame **f,
							   unsigned int n)
{
	struct sink *s = (struct sink *)p;
	uint64_t sum = 0, mac;
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(&mac, f[i]->data, sizeof(mac));
		sum += mac + f[i]->len;
	}
	s->sum += sum;
	return n;
}

static const struct port_ops sink_ops = {.receive = sink_receive};

/**
 * now_s() - monotonic time in seconds
 *
 * Return: the time.
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/**
 * dmin() - the smaller of two doubles
 * @a:	one
 * @b:	the other
 *
 * Return: the smaller.
 */
static double dmin(double a, double b)
{
	return a < b ? a : b;
}

/**
 * max_rss_kib() - peak resident set size of this process so far
 *
 * Return: KiB (ru_maxrss).
 */
static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

enum bench_mode {
	MODE_PATH,   /* port_send() through the peer hop or hub */
	MODE_POOL,   /* the same, with pool_alloc_bulk()/frame_put_n() */
	MODE_DIRECT, /* baseline: call each sink's receive() directly */
	MODE_MEMCPY, /* baseline: memcpy each frame to each sink's buffer */
	MODE_COUNT
};

/**
 * round_once() - move one batch the way @mode says
 * @b:		the bench
 * @mode:	what to do
 */
static void round_once(struct bench *b, enum bench_mode mode)
{
	unsigned int i, s;

	switch (mode) {
	case MODE_POOL:
		if (pool_alloc_bulk(&b->pool, b->pf, BATCH) != BATCH)
			abort();
		for (i = 0; i < BATCH; i++)
			b->pf[i]->len = b->len;
		port_send(&b->src, 0, b->pf, BATCH, false);
		frame_put_n(b->pf, BATCH);
		break;
	case MODE_PATH:
		port_send(&b->src, 0, b->f, BATCH, false);
		break;
	case MODE_DIRECT:
		for (s = 0; s < b->nsinks; s++)
			sink_receive(&b->sinks[s].port, 0, b->f, BATCH);
		break;
	case MODE_MEMCPY:
		for (s = 0; s < b->nsinks; s++)
			for (i = 0; i < BATCH; i++)
				memcpy(b->scratch + ((size_t)s * BATCH + i) *
							    b->stride,
				       b->f[i]->data, b->f[i]->len);
		__asm__ volatile("" : : "r"(b->scratch) : "memory");
		break;
	default:
		break;
	}
}

/**
 * run() - repeat rounds for about @secs seconds
 * @b:		the bench
 * @mode:	what to do
 * @secs:	how long
 *
 * Return: nanoseconds per frame sent in (not per delivery).
 */
static double run(struct bench *b, enum bench_mode mode, double secs)
{
	uint64_t rounds = 0;
	double t0, t;
	unsigned int i;

	for (i = 0; i < CHUNK; i++) /* warm up */
		round_once(b, mode);
	t0 = now_s();
	do {
		for (i = 0; i < CHUNK; i++)
			round_once(b, mode);
		rounds += CHUNK;
		t = now_s() - t0;
	} while (t < secs);
	return t * 1e9 / ((double)rounds * BATCH);
}

/**
 * setup() - build a peer hop (@hub NULL) or a 4-port hub path
 * @b:		the bench
 * @hub:	a hub to build, or NULL
 * @len:	frame length
 *
 * Return: 0 or -errno.
 */
static int setup(struct bench *b, struct hub *hub, uint32_t len)
{
	struct port *hp[HUB_PORTS];
	unsigned int i;
	int ret;

	memset(b, 0, sizeof(*b));
	b->len = len;
	ret = pool_init(&b->pool, 2 * BATCH, len <= 64 ? 128 : 2048, 0);
	if (ret)
		return ret;
	if (pool_alloc_bulk(&b->pool, b->f, BATCH) != BATCH)
		return -ENOMEM;
	for (i = 0; i < BATCH; i++) {
		b->f[i]->len = len;
		memset(b->f[i]->data, (int)i, len);
	}
	b->nsinks = hub ? HUB_PORTS - 1 : 1;
	b->stride = (len + 63) & ~63u;
	b->scratch = calloc((size_t)b->nsinks * BATCH, b->stride);
	if (!b->scratch)
		return -ENOMEM;
	port_init(&b->src, &sink_ops, PORT_NIC, "src", 1, NULL);
	for (i = 0; i < b->nsinks; i++)
		port_init(&b->sinks[i].port, &sink_ops, PORT_NETDEV, "sink", 1,
			  NULL);
	if (!hub)
		return port_connect(&b->src, &b->sinks[0].port);
	ret = hub_init(hub, 0, HUB_PORTS, 1, HUB_QUEUE_DEFAULT);
	for (i = 0; !ret && i < HUB_PORTS; i++)
		ret = hub_add_port(hub, NULL, &hp[i]);
	for (i = 0; !ret && i < HUB_PORTS; i++)
		ret = port_connect(hp[i], i ? &b->sinks[i - 1].port : &b->src);
	return ret;
}

/**
 * teardown() - undo setup()
 * @b:		the bench
 * @hub:	the hub, or NULL
 */
static void teardown(struct bench *b, struct hub *hub)
{
	if (hub)
		hub_destroy(hub);
	frame_put_n(b->f, BATCH);
	pool_destroy(&b->pool);
	free(b->scratch);
}

/**
 * row() - measure one path and size against both baselines; print a row
 * @name:	path name
 * @hubbed:	through a 4-port hub
 * @len:	frame length
 * @pooled:	allocate and free the frames from the pool every round
 *
 * Return: 0 or -errno.
 */
static int row(const char *name, bool hubbed, uint32_t len, bool pooled)
{
	static struct bench b;
	struct hub hub;
	double path = 1e30, direct = 1e30, copy = 1e30, secs;
	unsigned int i;
	int ret;

	ret = setup(&b, hubbed ? &hub : NULL, len);
	if (ret)
		return ret;
	/* interleaved, best of REPS: noise from other work only slows down */
	secs = measure_s / REPS;
	for (i = 0; i < REPS; i++) {
		path = dmin(path,
			    run(&b, pooled ? MODE_POOL : MODE_PATH, secs));
		direct = dmin(direct, run(&b, MODE_DIRECT, secs));
		copy = dmin(copy, run(&b, MODE_MEMCPY, secs));
	}
	printf("%-22s %5u %9.2f %8.2f %11.2f %6.2fx %11.2f %6.2fx %9ld\n", name,
	       len, 1e3 / path, path, direct, path / direct, copy, path / copy,
	       max_rss_kib());
	fflush(stdout);
	teardown(&b, hubbed ? &hub : NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static const uint32_t lens[] = {64, 1500};
	unsigned int i;
	int ret = 0;

	if (argc > 1) {
		measure_s = atof(argv[1]) / 1e3;
		if (measure_s <= 0 || measure_s > 10) {
			fprintf(stderr,
				"usage: bench-core [ms per measurement]\n");
			return 2;
		}
	}
	printf("bench-core: batch %d, best of %d x %.0f ms per measurement, "
	       "peak RSS at start %ld KiB\n",
	       BATCH, REPS, measure_s * 1e3 / REPS, max_rss_kib());
	printf("ns/frame counts each frame once as it enters the path; through "
	       "the hub each is delivered to %d ports.\n"
	       "direct = the sinks' receive() called directly; memcpy = each "
	       "frame copied once per sink.\n\n",
	       HUB_PORTS - 1);
	printf("%-22s %5s %9s %8s %11s %7s %11s %7s %9s\n", "path", "bytes",
	       "Mframes/s", "ns/frame", "direct ns/f", "x dir", "memcpy ns/f",
	       "x mcpy", "maxrss KiB");
	for (i = 0; i < 2 && !ret; i++)
		ret = row("peer hop", false, lens[i], false);
	for (i = 0; i < 2 && !ret; i++)
		ret = row("hub, 4 ports", true, lens[i], false);
	for (i = 0; i < 2 && !ret; i++)
		ret = row("peer hop + pool", false, lens[i], true);
	if (ret) {
		fprintf(stderr, "bench-core: setup failed: %s\n",
			strerror(-ret));
		return 1;
	}
	return 0;
}
