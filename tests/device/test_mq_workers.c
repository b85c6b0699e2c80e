// SPDX-License-Identifier: GPL-2.0-or-later
/* test_mq_workers.c: two queue pairs on two workers, control on the test's loop. */
#include <pthread.h>
#include <string.h>

#include "tests/device/vtest.h"

#define BIT(n) (1ull << (n))
#define HL 12

static struct uworker workers[2];
static pthread_t seen[2];	/* thread that delivered to the sink, per queue */
static uint64_t got[2];		/* frames per queue, written by that thread */
static struct venv env;

/* The sink's receive, per queue (each queue is touched by one worker):
 * records the thread and counts. */
static unsigned int spy_receive(struct port *p, unsigned int q,
				struct frame **f, unsigned int n)
{
	seen[q] = pthread_self();
	got[q] += n;
	return n;
}

/* In a worker's thread: its queue's count (synchronised by the call). */
static int read_got(struct uloop *loop, void *arg)
{
	return (int)got[(uintptr_t)arg];
}

static struct port_ops spy_ops;

/* Post one 60-byte frame on TX ring @ring and wait for the sink's queue. */
static void tx_on(unsigned int ring, unsigned int q, uint64_t want)
{
	uint64_t a = vfe_alloc(&env.fe, HL + 60);
	struct vfe_buf b = { a, HL + 60, 0 };

	memset(vfe_ptr(&env.fe, a), 0, HL);
	vt_frame((uint8_t *)vfe_ptr(&env.fe, a) + HL, 60, (uint8_t)ring);
	vfe_post(&env.fe, ring, &b, 1);
	vfe_kick(&env.fe, ring);
	VT_UNTIL(&env, (uint64_t)uworker_call(&workers[q], read_got,
					      (void *)(uintptr_t)q) == want);
}

/* In worker 1's thread: the sink sends one frame on queue 1. */
static int send_q1(struct uloop *loop, void *arg)
{
	static uint8_t f[100];
	struct frame fr = { 0 }, *fp = &fr;

	vt_frame(f, 100, 9);
	fr.data = f;
	fr.len = 100;
	fr.refs = 1;
	return (int)port_send(&env.sink.port, 1, &fp, 1, false);
}

int main(void)
{
	struct virtio_net_params p;
	struct uworker *ws[2] = { &workers[0], &workers[1] };
	struct vfe_buf b;
	uint32_t id, len;
	int i;

	for (i = 0; i < 2; i++)
		VT_EQ(uworker_start(&workers[i], i ? "vnw1" : "vnw0", NULL, 0), 0);
	virtio_net_params_default(&p);
	p.queues = 2;
	vt_start_mq(&env, &p, true, ws);
	spy_ops = *env.sink.port.ops;
	spy_ops.receive = spy_receive;
	env.sink.port.ops = &spy_ops;
	vt_connect_q(&env, vt_features_default() | BIT(VIRTIO_NET_F_MQ), 256, 4);

	/* TX of pair 0 runs on worker 0, pair 1 on worker 1 */
	tx_on(1, 0, 1);
	tx_on(3, 1, 1);
	VT_CHECK(pthread_equal(seen[0], workers[0].thread));
	VT_CHECK(pthread_equal(seen[1], workers[1].thread));
	VT_EQ(uworker_call(&workers[0], read_got, (void *)0), 1);

	/* RX of pair 1, sent by the peer from worker 1's thread */
	b = (struct vfe_buf){ vfe_alloc(&env.fe, 2048), 2048, VRING_DESC_F_WRITE };
	vfe_post(&env.fe, 2, &b, 1);
	vfe_kick(&env.fe, 2);
	for (i = 0; i < 20; i++)
		vt_pump(&env);
	VT_EQ(uworker_call(&workers[1], send_q1, NULL), 1);
	VT_CHECK(vfe_reap(&env.fe, 2, &id, &len));
	VT_EQ(len, HL + 100);

	/* a memory table change while the workers run (they are paused for
	 * it), then traffic on both pairs again */
	VT_EQ(vfe_mem_table(&env.fe), 0);
	for (i = 0; i < 50; i++) {
		tx_on(1, 0, 2 + (uint64_t)i);
		tx_on(3, 1, 2 + (uint64_t)i);
	}

	/* the front-end goes away and comes back */
	vfe_close(&env.fe);
	vfe_forget_rings(&env.fe);
	VT_UNTIL(&env, !virtio_net_port(env.vn)->link_up);
	vt_connect_q(&env, vt_features_default() | BIT(VIRTIO_NET_F_MQ), 128, 4);
	tx_on(3, 1, 52);

	vt_stop(&env);
	for (i = 0; i < 2; i++)
		VT_EQ(uworker_stop(&workers[i]), 0);
	printf("ok\n");
	return 0;
}
