// SPDX-License-Identifier: GPL-2.0-or-later
/* test_vhost_msg.c: hostile vhost-user messages (HARDENING group E). */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/device/vtest.h"

#define BIT(n) (1ull << (n))
#define TXQ 1
#define ACK (VU_VERSION | VU_FLAG_NEED_REPLY)

/* One TX frame through the device: proves the rings and memory still work. */
static void tx_works(struct venv *e)
{
	uint64_t before = e->sink.frames, a = vfe_alloc(&e->fe, 100);
	struct vfe_buf b = { a, 12 + 60, 0 };
	uint32_t id, len;
	int n = 0;

	memset(vfe_ptr(&e->fe, a), 0, 12);
	vt_frame((uint8_t *)vfe_ptr(&e->fe, a) + 12, 60, 1);
	vfe_post(&e->fe, TXQ, &b, 1);
	vfe_kick(&e->fe, TXQ);
	while (!vfe_reap(&e->fe, TXQ, &id, &len)) {
		VT_CHECK(++n < 3000);
		vt_pump(e);
	}
	VT_EQ(e->sink.frames, before + 1);
}

/* Send a raw message with REPLY_ACK asked; return the ack (1 = refused). */
static int raw(struct venv *e, uint32_t req, const void *p, uint32_t size,
	       const int *fds, unsigned int nfds)
{
	struct vu_msg r;

	VT_EQ(vfe_send(&e->fe, req, ACK, p, size, fds, nfds), 0);
	VT_EQ(vfe_recv(&e->fe, &r), 0);
	VT_EQ(r.hdr.request, req);
	if (r.hdr.size != 8)
		return -1;
	return (int)r.p.u64;
}

/* The device must have dropped the connection; a new one must work. */
static void expect_closed_then_reconnect(struct venv *e)
{
	struct vu_msg r;

	VT_CHECK(vfe_recv(&e->fe, &r) == -ECONNRESET);
	VT_UNTIL(e, !virtio_net_port(e->vn)->link_up);
	vfe_close(&e->fe);
	vfe_forget_rings(&e->fe);
	vt_connect(e, vt_features_default(), 256);
	tx_works(e);
}

/* T-40: framing. */
static void test_framing(void)
{
	struct venv e;
	uint64_t v = 0;
	uint8_t big[600] = { 0 };
	struct vu_msg r;
	int fds0, maps0;
	struct virtio_net_info info;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	tx_works(&e);
	fds0 = vfe_count_fds();
	maps0 = vfe_count_maps();
	/* payload shorter than the request needs, unknown request: NACK */
	VT_EQ(raw(&e, VU_SET_FEATURES, &v, 4, NULL, 0), 1);
	VT_EQ(raw(&e, 99, NULL, 0, NULL, 0), 1);
	VT_EQ(raw(&e, VU_SET_VRING_NUM, big, 9, NULL, 0), 1);
	/* a GET with a bad payload size gets an empty reply */
	VT_EQ(vfe_send(&e.fe, VU_GET_VRING_BASE, ACK, &v, 4, NULL, 0), 0);
	VT_EQ(vfe_recv(&e.fe, &r), 0);
	VT_EQ(r.hdr.size, 0);
	/* split across writes: header now, payload later */
	{
		struct vu_hdr h = { VU_GET_QUEUE_NUM, ACK, 0 };
		uint64_t n;

		VT_EQ(write(e.fe.sock, &h, 5), 5);
		vt_pump(&e);
		VT_EQ(write(e.fe.sock, (uint8_t *)&h + 5, 7), 7);
		VT_EQ(vfe_recv(&e.fe, &r), 0);
		VT_EQ(r.hdr.size, 8);
		VT_EQ(r.p.u64, 1);
		VT_EQ(vfe_get_u64(&e.fe, VU_GET_QUEUE_NUM, &n), 0);
		VT_EQ(n, 1);
	}
	tx_works(&e);
	/* size above the maximum: connection closed */
	VT_EQ(vfe_send(&e.fe, VU_SET_FEATURES, ACK, big, sizeof(big), NULL, 0), 0);
	expect_closed_then_reconnect(&e);
	/* version 2 */
	VT_EQ(vfe_send(&e.fe, VU_GET_FEATURES, 2, NULL, 0, NULL, 0), 0);
	expect_closed_then_reconnect(&e);
	/* reply flag from the front-end */
	VT_EQ(vfe_send(&e.fe, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY, NULL,
		       0, NULL, 0), 0);
	expect_closed_then_reconnect(&e);
	/* EOF in the middle of a header */
	VT_EQ(write(e.fe.sock, "\x01\x00\x00", 3), 3);
	vt_pump(&e);
	vfe_close(&e.fe);
	VT_UNTIL(&e, !virtio_net_port(e.vn)->link_up);
	vfe_forget_rings(&e.fe);
	vt_connect(&e, vt_features_default(), 256);
	tx_works(&e);
	virtio_net_info(e.vn, &info);
	VT_EQ(info.vu.fatal, 3);
	VT_EQ(info.vu.connects, 5);
	/* four connections came and went: same fds and mappings as with one */
	VT_EQ(vfe_count_fds(), fds0);
	VT_EQ(vfe_count_maps(), maps0);
	vt_stop(&e);
}

/* T-41: fd counts for each request; extras closed; fd count flat. */
static void test_fds(void)
{
	struct venv e;
	int efd[8], fds0, i, round;
	uint64_t idx = TXQ, nofd = TXQ | (1ull << 8);
	struct vu_mem_single reg = { 0 };

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	for (i = 0; i < 8; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC);
	fds0 = -1;
	for (round = 0; round < 2000; round++) {
		uint64_t f = e.fe.features;

		if (round == 1)	/* the device's err fd is gone after round 0 */
			fds0 = vfe_count_fds();
		VT_EQ(raw(&e, VU_SET_FEATURES, &f, 8, efd, 1), 1);
		VT_EQ(raw(&e, VU_SET_OWNER, NULL, 0, efd, 8), 1);
		VT_EQ(raw(&e, VU_SET_VRING_CALL, &idx, 8, NULL, 0), 1);
		VT_EQ(raw(&e, VU_SET_VRING_CALL, &idx, 8, efd, 2), 1);
		VT_EQ(raw(&e, VU_SET_VRING_ERR, &nofd, 8, efd, 1), 1);
		VT_EQ(raw(&e, VU_SET_VRING_KICK, &idx, 8, efd, 8), 1);
		VT_EQ(raw(&e, VU_SET_MEM_TABLE, &reg, 8 + 32, efd, 2), 1);
		VT_EQ(raw(&e, VU_ADD_MEM_REG, &reg, 40, NULL, 0), 1);
		/* REM_MEM_REG with an fd: the fd is closed (no such region) */
		VT_EQ(raw(&e, VU_REM_MEM_REG, &reg, 40, efd, 1), 1);
		/* the right count works: a new call fd, then none */
		VT_EQ(raw(&e, VU_SET_VRING_CALL, &idx, 8, &e.fe.ring[TXQ].call, 1), 0);
		VT_EQ(raw(&e, VU_SET_VRING_ERR, &nofd, 8, NULL, 0), 0);
	}
	VT_EQ(vfe_count_fds(), fds0);
	tx_works(&e);
	for (i = 0; i < 8; i++)
		close(efd[i]);
	vt_stop(&e);
}

/* T-42: bad memory tables are refused; the previous table stays. */
static void test_mem_table(void)
{
	struct venv e;
	struct vu_mem_table t;
	struct vu_mem_single reg;
	int pfd[2], fds[9], maps0, i;
	uint64_t slots;
	const uint64_t good_gpa = VFE_GPA_BASE, mb4 = 4 << 20;

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	VT_EQ(pipe(pfd), 0);
	for (i = 0; i < 9; i++)
		fds[i] = e.fe.memfd;
	maps0 = vfe_count_maps();
#define REGION(k, g, s, u, o) t.r[k] = (struct vu_mem_region){ g, s, u, o }
	memset(&t, 0, sizeof(t));
	t.nregions = 0;
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 32, fds, 0), 1);
	t.nregions = 9;
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, sizeof(t), fds, 9), 1);
	t.nregions = 2;				/* overlapping guest ranges */
	REGION(0, good_gpa, mb4, 0x10000000, 0x10000);
	REGION(1, good_gpa + 4096, mb4, 0x20000000, 0x10000);
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 64, fds, 2), 1);
	t.nregions = 1;
	REGION(0, good_gpa, 0, 0x10000000, 0x10000);		/* size 0 */
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 32, fds, 1), 1);
	REGION(0, UINT64_MAX - 4095, 8192, 0x10000000, 0x10000); /* wraps */
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 32, fds, 1), 1);
	REGION(0, good_gpa, mb4, 0x10000000, 8 << 20);	/* beyond the file */
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 32, fds, 1), 1);
	REGION(0, good_gpa, mb4, 0x10000000, 0x10000);	/* a pipe */
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 32, pfd, 1), 1);
	REGION(0, good_gpa + 1, mb4, 0x10000000, 0x10000);	/* unaligned */
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 32, fds, 1), 1);
	REGION(0, good_gpa, mb4, 0x10000000, 0x10000);	/* size too small */
	VT_EQ(raw(&e, VU_SET_MEM_TABLE, &t, 8 + 16, fds, 1), 1);
	VT_EQ(vfe_count_maps(), maps0);
	tx_works(&e);

	/* ADD_MEM_REG up to the slot limit, then refused; REM gives back */
	VT_EQ(vfe_get_u64(&e.fe, VU_GET_MAX_MEM_SLOTS, &slots), 0);
	VT_EQ(slots, GUEST_MEM_MAX_REGIONS);
	for (i = 0; i < (int)slots - 2; i++) {
		reg.r = (struct vu_mem_region){ 0x40000000ull + i * 0x10000ull,
						4096, 0x60000000ull + i * 0x10000ull,
						0x10000 };
		VT_EQ(raw(&e, VU_ADD_MEM_REG, &reg, 40, fds, 1), 0);
	}
	reg.r.gpa += 0x10000;
	reg.r.uva += 0x10000;
	VT_EQ(raw(&e, VU_ADD_MEM_REG, &reg, 40, fds, 1), 1);
	VT_EQ(vfe_count_maps(), maps0 + (int)slots - 2);
	for (i = 0; i < (int)slots - 2; i++) {
		reg.r = (struct vu_mem_region){ 0x40000000ull + i * 0x10000ull,
						4096, 0, 0 };
		VT_EQ(raw(&e, VU_REM_MEM_REG, &reg, 40, NULL, 0), 0);
	}
	VT_EQ(vfe_count_maps(), maps0);
	tx_works(&e);
	close(pfd[0]);
	close(pfd[1]);
	vt_stop(&e);
}

/* T-43, T-50: ring messages, protocol-feature consistency. */
static void test_ring_msgs(void)
{
	struct venv e;
	struct vu_vring_state st;
	struct vu_vring_addr a;
	struct vu_msg r;
	uint64_t v;
	int efd = eventfd(0, EFD_CLOEXEC);

	vt_start(&e, NULL, true);
	vt_connect(&e, vt_features_default(), 256);
	st = (struct vu_vring_state){ 0, 0 };
	VT_EQ(vfe_call(&e.fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &r), 0);
	VT_EQ(r.p.state.num, 0);
	st.num = 0;
	VT_EQ(raw(&e, VU_SET_VRING_NUM, &st, 8, NULL, 0), 1);
	st.num = 3;
	VT_EQ(raw(&e, VU_SET_VRING_NUM, &st, 8, NULL, 0), 1);
	st.num = 65536;
	VT_EQ(raw(&e, VU_SET_VRING_NUM, &st, 8, NULL, 0), 1);
	st = (struct vu_vring_state){ 2, 256 };		/* no queue 2 */
	VT_EQ(raw(&e, VU_SET_VRING_NUM, &st, 8, NULL, 0), 1);
	VT_EQ(raw(&e, VU_SET_VRING_ENABLE, &st, 8, NULL, 0), 1);
	st = (struct vu_vring_state){ 0, 0x10000 };
	VT_EQ(raw(&e, VU_SET_VRING_BASE, &st, 8, NULL, 0), 1);
	st = (struct vu_vring_state){ 0, 2 };
	VT_EQ(raw(&e, VU_SET_VRING_ENABLE, &st, 8, NULL, 0), 1);
	memset(&a, 0, sizeof(a));
	a.desc = 0x1000;					/* unmapped */
	a.avail = a.used = (uint64_t)(uintptr_t)e.fe.mem;
	VT_EQ(raw(&e, VU_SET_VRING_ADDR, &a, 40, NULL, 0), 1);
	a.desc = (uint64_t)(uintptr_t)e.fe.mem + 8;		/* misaligned */
	VT_EQ(raw(&e, VU_SET_VRING_ADDR, &a, 40, NULL, 0), 1);
	a.desc = (uint64_t)(uintptr_t)e.fe.mem;		/* rings overlap */
	a.avail = a.desc + 0x100;
	a.used = a.desc + 0x8000;
	VT_EQ(raw(&e, VU_SET_VRING_ADDR, &a, 40, NULL, 0), 1);
	a.index = 7;
	VT_EQ(raw(&e, VU_SET_VRING_ADDR, &a, 40, NULL, 0), 1);
	v = 7;
	VT_EQ(raw(&e, VU_SET_VRING_CALL, &v, 8, &efd, 1), 1);
	v = 0x200;						/* unknown bit */
	VT_EQ(raw(&e, VU_SET_VRING_CALL, &v, 8, &efd, 1), 1);
	v = 0x100;						/* no-fd bit + fd */
	VT_EQ(raw(&e, VU_SET_VRING_KICK, &v, 8, &efd, 1), 1);
	st = (struct vu_vring_state){ 9, 0 };
	VT_EQ(vfe_send(&e.fe, VU_GET_VRING_BASE, ACK, &st, 8, NULL, 0), 0);
	VT_EQ(vfe_recv(&e.fe, &r), 0);
	VT_EQ(r.hdr.size, 0);
	/* ring 0 was stopped above: restart and use the device */
	VT_EQ(vfe_ring_setup(&e.fe, 0, 256), 0);
	tx_works(&e);
	close(efd);
	vt_stop(&e);

	/* T-50: GET_QUEUE_NUM without MQ negotiated: empty reply */
	vt_start(&e, NULL, true);
	VT_EQ(vfe_connect(&e.fe, e.path), 0);
	v = BIT(VU_PF_REPLY_ACK);
	VT_EQ(vfe_call(&e.fe, VU_SET_PROTOCOL_FEATURES, &v, 8, NULL, 0, NULL), 0);
	e.fe.pf = v;
	VT_EQ(vfe_send(&e.fe, VU_GET_QUEUE_NUM, ACK, NULL, 0, NULL, 0), 0);
	VT_EQ(vfe_recv(&e.fe, &r), 0);
	VT_EQ(r.hdr.size, 0);
	vfe_close(&e.fe);
	vt_stop(&e);
}

/* T-49: config space; features, MTU and RARP messages. */
static void test_config_msgs(void)
{
	struct virtio_net_params p;
	struct venv e;
	struct vu_msg r;
	uint64_t v;
	uint8_t cfg[12 + 8] = { 0 };

	virtio_net_params_default(&p);
	p.serve_config = true;
	vt_start(&e, &p, true);
	vt_connect(&e, vt_features_default(), 256);
	/* config: size mismatch gets an empty reply; SET_CONFIG refused */
	cfg[4] = 6;	/* size 6, but 8 bytes follow */
	VT_EQ(vfe_send(&e.fe, VU_GET_CONFIG, ACK, cfg, sizeof(cfg), NULL, 0), 0);
	VT_EQ(vfe_recv(&e.fe, &r), 0);
	VT_EQ(r.hdr.size, 0);
	cfg[4] = 8;
	VT_EQ(vfe_send(&e.fe, VU_GET_CONFIG, ACK, cfg, sizeof(cfg), NULL, 0), 0);
	VT_EQ(vfe_recv(&e.fe, &r), 0);
	VT_EQ(r.hdr.size, 20);
	VT_CHECK(!memcmp(r.p.config.data, "\x52\x54\x00\x12\x34\x56", 6));
	VT_EQ(raw(&e, VU_SET_CONFIG, cfg, sizeof(cfg), NULL, 0), 1);
	/* features beyond the offer refused */
	v = ~0ull;
	VT_EQ(raw(&e, VU_SET_FEATURES, &v, 8, NULL, 0), 1);
	VT_EQ(raw(&e, VU_SET_PROTOCOL_FEATURES, &v, 8, NULL, 0), 1);
	/* MTU range */
	v = 10;
	VT_EQ(raw(&e, VU_NET_SET_MTU, &v, 8, NULL, 0), 1);
	v = 9000;
	VT_EQ(raw(&e, VU_NET_SET_MTU, &v, 8, NULL, 0), 0);
	/* RARP goes out to the peer */
	v = 0x563412005452ull;
	VT_EQ(raw(&e, VU_SEND_RARP, &v, 8, NULL, 0), 0);
	VT_EQ(e.sink.frames, 1);
	VT_EQ(e.sink.data[12], 0x80);
	VT_EQ(e.sink.data[13], 0x35);
	tx_works(&e);
	vt_stop(&e);
}

int main(void)
{
	test_framing();
	test_fds();
	test_mem_table();
	test_ring_msgs();
	test_config_msgs();
	printf("ok\n");
	return 0;
}
