// SPDX-License-Identifier: GPL-2.0-or-later
/* test_reconnect.c: front-end death, late front-ends, guest reset (T-46/T-47/T-63). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/device/vtest.h"

#define TXQ 1

static void post_tx(struct venv *e, unsigned int n, uint8_t seed)
{
	uint64_t a = vfe_alloc(&e->fe, 12 + 60);
	struct vfe_buf b = { a, 12 + 60, 0 };
	unsigned int i;

	memset(vfe_ptr(&e->fe, a), 0, 12);
	vt_frame((uint8_t *)vfe_ptr(&e->fe, a) + 12, 60, seed);
	for (i = 0; i < n; i++)
		vfe_post(&e->fe, TXQ, &b, 1);
	vfe_kick(&e->fe, TXQ);
}

/* The front-end dies with frames held; link goes down, fds and maps come
 * back to baseline, a new front-end negotiates afresh, and the completed
 * frames still reach the peer. */
static void test_frontend_death(void)
{
	struct venv e;
	struct virtio_net_info info;
	int fds0, maps0, i;

	vt_start(&e, NULL, true);
	vt_pump(&e);	/* the listening socket and the wake-up are armed */
	fds0 = vfe_count_fds();
	maps0 = vfe_count_maps();
	vt_connect(&e, vt_features_default(), 256);
	e.sink.accept = 0;
	post_tx(&e, 100, 1);
	for (i = 0; i < 10; i++)
		vt_pump(&e);
	VT_EQ(e.fe.ring[TXQ].used->idx, 64);	/* completed, held by qnet */
	vfe_close(&e.fe);
	vfe_forget_rings(&e.fe);
	VT_UNTIL(&e, !virtio_net_port(e.vn)->link_up);
	virtio_net_info(e.vn, &info);
	VT_EQ(info.connected, 0);
	VT_EQ(info.queues_started, 0);
	/* the epoll fallback closes its duplicates of the fds requests
	 * waited on when it processes their cancellation: an iteration on */
	VT_UNTIL(&e, vfe_count_fds() == fds0);
	VT_EQ(vfe_count_maps(), maps0);
	/* the peer asks for more while the link is down: nothing is lost */
	e.sink.accept = -1;
	port_wake(&e.sink.port, 0);
	VT_EQ(e.sink.frames, 0);

	/* a new VM: renegotiates, held frames go out, new traffic flows */
	memset(e.fe.mem, 0, e.fe.mem_size);
	vt_connect(&e, vt_features_default(), 128);
	VT_UNTIL(&e, e.sink.frames == 64);
	post_tx(&e, 10, 2);
	VT_UNTIL(&e, e.sink.frames == 74);
	VT_EQ(vt_drops(&e, PORT_DROP_LINK_DOWN), 0);
	virtio_net_info(e.vn, &info);
	VT_EQ(info.vu.connects, 2);
	VT_EQ(info.vu.disconnects, 1);
	vt_stop(&e);
}

/* Guest reset mid-transfer: rings stopped (GET_VRING_BASE) while frames
 * are held, then set up again from scratch: completed frames arrive. */
static void test_guest_reset(void)
{
	struct venv e;
	struct vu_vring_state st = { TXQ, 0 };
	struct vu_msg r;
	int i;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	e.sink.accept = 0;
	post_tx(&e, 100, 3);
	for (i = 0; i < 10; i++)
		vt_pump(&e);
	VT_EQ(vfe_call(&e.fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &r), 0);
	VT_EQ(r.p.state.num, 64);		/* chains consumed so far */
	VT_EQ(e.fe.ring[TXQ].used->idx, 64);	/* all of them completed */
	VT_EQ(virtio_net_vq(e.vn, TXQ)->started, 0);
	memset(vfe_ptr(&e.fe, e.fe.ring[TXQ].desc_gpa), 0, 0x8000);
	VT_EQ(vfe_ring_setup(&e.fe, TXQ, 256), 0);
	e.sink.accept = -1;
	port_wake(&e.sink.port, 0);
	VT_EQ(e.sink.frames, 64);
	post_tx(&e, 5, 4);
	VT_UNTIL(&e, e.sink.frames == 69);
	vt_stop(&e);
}

/* qnet connects (the VMM is the server): retries until the front-end
 * listens, and again after the front-end goes away. */
static void test_client_mode(void)
{
	struct venv e;
	int i;

	vt_start(&e, NULL, false);
	close(e.fe.listen);	/* the VM is not there yet */
	e.fe.listen = -1;
	unlink(e.path);
	for (i = 0; i < 120; i++)	/* ~120 ms: a few failed retries */
		vt_pump(&e);
	VT_CHECK(!virtio_net_port(e.vn)->link_up);
	VT_EQ(vfe_listen(&e.fe, e.path), 0);
	vt_connect(&e, vt_features_default(), 256);
	post_tx(&e, 3, 5);
	VT_UNTIL(&e, e.sink.frames == 3);
	vfe_close(&e.fe);
	vfe_forget_rings(&e.fe);
	VT_UNTIL(&e, !virtio_net_port(e.vn)->link_up);
	vt_connect(&e, vt_features_default(), 256);
	post_tx(&e, 2, 6);
	VT_UNTIL(&e, e.sink.frames == 5);
	vt_stop(&e);
}

/* A second front-end while one is served is refused; the first goes on. */
static void test_second_frontend(void)
{
	struct venv e;
	struct vfe other;
	struct vu_msg r;
	struct virtio_net_info info;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	VT_EQ(vfe_init(&other, 1 << 20, vt_pump, &e), 0);
	VT_EQ(vfe_connect(&other, e.path), 0);
	VT_EQ(vfe_send(&other, VU_GET_FEATURES, VU_VERSION, NULL, 0, NULL, 0), 0);
	VT_EQ(vfe_recv(&other, &r), -ECONNRESET);
	vfe_fini(&other);
	post_tx(&e, 1, 7);
	VT_UNTIL(&e, e.sink.frames == 1);
	virtio_net_info(e.vn, &info);
	VT_EQ(info.vu.busy_rejects, 1);
	vt_stop(&e);
}

/* A socket handed over by a manager (--fd): served at once, no reconnect. */
static void test_passed_fd(void)
{
	struct virtio_net_params p;
	struct vhost_user_config vc = { .use_fd = true };
	struct virtio_net *vn;
	struct venv e;
	int sv[2];

	vt_start(&e, NULL, true);
	VT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	virtio_net_params_default(&p);
	vc.fd = sv[0];
	VT_EQ(virtio_net_open(&vn, &p, &vc, &e.loop, "fdnet"), 0);
	VT_CHECK(virtio_net_port(vn)->link_up);
	e.fe.sock = sv[1];
	VT_EQ(vfe_setup(&e.fe, vt_features_default(), 2, 64), 0);
	VT_EQ(virtio_net_vq(vn, TXQ)->started, 1);
	vfe_close(&e.fe);
	VT_UNTIL(&e, !virtio_net_port(vn)->link_up);
	vc.fd = -1;
	VT_EQ(virtio_net_open(&vn, &p, &vc, &e.loop, "bad"), -EINVAL);
	virtio_net_close(vn);
	vt_stop(&e);
}

int main(void)
{
	test_frontend_death();
	test_guest_reset();
	test_client_mode();
	test_second_frontend();
	test_passed_fd();
	printf("ok\n");
	return 0;
}
