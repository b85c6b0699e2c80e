// SPDX-License-Identifier: GPL-2.0-or-later
/* test_frontend.c: attach= over real unix/TCP/dgram sockets on a real uloop, against a test port. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "datapath/frame_hot.h"
#include "datapath/stream_codec.h"
#include "devices/vmm_stream.h"
#include "tests/unit/stream/stest.h"

static struct uloop loop;
static struct tport tp;
static char dir[64];
static char path[128];
static uint8_t rbuf[8u << 20];

/**
 * struct ctx - one open transport and what its notify hook saw
 * @vs:		the transport
 * @ev:		events
 * @closed:	STREAM_LINK_EV_CLOSED seen
 */
struct ctx {
	struct vmm_stream *vs;
	struct st_events ev;
	bool closed;
};

static void ctx_event(struct vmm_stream *vs, enum stream_link_event e,
		      void *arg)
{
	struct ctx *c = arg;

	c->ev.count[e]++;
	c->ev.last = e;
	if (e == STREAM_LINK_EV_CLOSED)
		c->closed = true;
}

/* Open attach=@spec, connected to a fresh test port; return open's result. */
static int ctx_open(struct ctx *c, const char *spec, uint32_t max_len)
{
	struct vmm_stream_notify n = { ctx_event, c };
	struct vmm_stream_config cfg;
	const char *why = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	ST_EQ(vmm_stream_parse(spec, &cfg, &why), 0);
	cfg.max_len = max_len;
	tport_init(&tp, "n0");
	ret = vmm_stream_open(&c->vs, &cfg, &loop, "e1000.0", &n);
	if (ret) {
		tport_fini(&tp);
		return ret;
	}
	ST_EQ(port_connect(vmm_stream_port(c->vs), &tp.port), 0);
	ST_EQ(vmm_stream_port(c->vs)->kind, PORT_NIC);
	return 0;
}

static void ctx_close(struct ctx *c)
{
	vmm_stream_close(c->vs);
	ST_RUN_UNTIL(&loop, c->closed, 3000);
	tport_fini(&tp);
}

static const struct stream_link_stats *stats(struct ctx *c)
{
	return vmm_stream_stats(c->vs);
}

static uint64_t drops(struct ctx *c, enum port_drop why)
{
	return vmm_stream_port(c->vs)->stats[0].drops[why];
}

/* Write @len bytes from a non-blocking socket while the loop runs, until
 * the test port has @frames frames. */
static void feed_until(int fd, const uint8_t *buf, size_t len,
		       unsigned int frames)
{
	uint64_t end = uloop_now() + 10000 * ST_MS;
	size_t put = 0;

	while (tp.frames < frames) {
		ST_CHECK(uloop_now() < end);
		put += st_write_some(fd, buf + put, len - put);
		ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
	}
	ST_EQ(put, len);
}

/* Read @len bytes from a non-blocking socket while the loop runs. */
static void drain_into(int fd, uint8_t *buf, size_t len)
{
	uint64_t end = uloop_now() + 10000 * ST_MS;
	size_t got = 0;

	while (got < len) {
		ST_CHECK(uloop_now() < end);
		got += st_read_some(fd, buf + got, len - got);
		ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
	}
}

static int connect_vm(struct ctx *c)
{
	unsigned int before = c->ev.count[STREAM_LINK_EV_CONNECTED];
	int fd = st_unix_connect(path);

	ST_CHECK(fd >= 0);
	ST_RUN_UNTIL(&loop, c->ev.count[STREAM_LINK_EV_CONNECTED] > before,
		     2000);
	st_nonblock(fd);
	return fd;
}

/* Frames both ways, byte-exact, in batches; events, link, info, cleanup. */
static void test_unix_both_ways(void)
{
	struct tbufs in, out;
	struct stream_addr peer;
	struct port_stats ps;
	struct ctx c;
	char info[256];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/vm.sock", dir);
	snprintf(info, sizeof(info), "stream:unix:%s", path);
	ST_EQ(ctx_open(&c, info, 0), 0);
	ST_EQ(stat(path, &st), 0);
	ST_CHECK(S_ISSOCK(st.st_mode));
	ST_CHECK(!vmm_stream_port(c.vs)->link_up);
	ST_CHECK(!vmm_stream_connected(c.vs));
	ST_EQ(vmm_stream_info(c.vs, info, sizeof(info)), 0);
	ST_CHECK(!strcmp(info, "listening"));
	ST_EQ(vmm_stream_peer(c.vs, &peer), -ENOTCONN);

	fd = connect_vm(&c);
	ST_CHECK(vmm_stream_connected(c.vs));
	ST_CHECK(vmm_stream_port(c.vs)->link_up);
	ST_CHECK(tp.links >= 1);
	ST_EQ(vmm_stream_info(c.vs, info, sizeof(info)), 0);
	ST_CHECK(!strncmp(info, "unix:", 5) && !strcmp(info + 5, path));
	ST_EQ(vmm_stream_peer(c.vs, &peer), 0);
	ST_CHECK(!strcmp(peer.path, path));

	/* VM -> qnet: 300 frames (with 9000 and 65550-byte ones), more than
	 * the ring holds, so reads wrap around it */
	tbufs_new(&in, 300, 1, FRAME_MAX_LEN);
	ST_CHECK(in.stream_len > STREAM_LINK_BUF_DEFAULT);
	feed_until(fd, in.stream, in.stream_len, 300);
	ST_EQ(tp.log_len, in.stream_len);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	ST_EQ(stats(&c)->rx_frames, 300);
	ST_CHECK(stats(&c)->rx_batches < 300 / 4);
	ST_CHECK(tp.calls < 300 / 4);
	port_stats_sum(vmm_stream_port(c.vs), &ps);
	ST_EQ(ps.tx_packets, 300);
	ST_EQ(port_stats_drops(&ps), 0);

	/* qnet -> VM: one batch of 64 frames is one write */
	tbufs_new(&out, 64, 2, 1514);
	ST_EQ(tport_send(&tp, out.ptr, 64), 64);
	ST_EQ(out.released, 0); /* the copy is the link's; ours still held */
	drain_into(fd, rbuf, out.stream_len);
	ST_CHECK(!memcmp(rbuf, out.stream, out.stream_len));
	ST_EQ(stats(&c)->writes, 1);
	ST_RUN_UNTIL(&loop, stats(&c)->tx_frames == 64, 1000);
	ST_EQ(stats(&c)->tx_bytes, out.stream_len - 64 * 4);
	ST_EQ(vmm_stream_port(c.vs)->stats[0].rx_packets, 64);

	close(fd);
	ST_RUN_UNTIL(&loop, c.ev.count[STREAM_LINK_EV_DISCONNECTED] == 1, 2000);
	ST_CHECK(!vmm_stream_port(c.vs)->link_up);
	ST_EQ(vmm_stream_info(c.vs, info, sizeof(info)), 0);
	ST_CHECK(!strcmp(info, "listening"));
	ctx_close(&c);
	ST_EQ(stat(path, &st), -1);
	ST_EQ(errno, ENOENT);
	tbufs_free(&in);
	tbufs_free(&out);
}

/* The stream arrives 1, 2, 3 ... bytes at a time: prefixes split. */
static void test_split(void)
{
	struct tbufs in;
	struct ctx c;
	char spec[160];
	size_t put = 0, chunk = 1;
	uint64_t reads;
	int fd;

	snprintf(spec, sizeof(spec), "stream:unix:%s", path);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	fd = connect_vm(&c);
	tbufs_new(&in, 40, 3, 40);
	while (put < in.stream_len) {
		size_t n = chunk < in.stream_len - put ? chunk : in.stream_len - put;

		reads = stats(&c)->reads;
		ST_EQ(st_write_some(fd, in.stream + put, n), n);
		put += n;
		ST_RUN_UNTIL(&loop, stats(&c)->reads > reads, 1000);
		chunk = chunk % 7 + 1;
	}
	ST_EQ(tp.frames, 40);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	ST_EQ(stats(&c)->bad_length, 0);
	close(fd);
	ctx_close(&c);
	tbufs_free(&in);
}

/* A peer that takes nothing holds the reader: the VM's socket fills up;
 * resuming delivers everything, in order. Then a peer that keeps frames
 * (releasing later) bounds what is read until it lets go. */
static void test_rx_backpressure(void)
{
	struct tbufs in;
	struct ctx c;
	char spec[160];
	size_t put = 0, last;
	uint64_t end;
	int fd;

	snprintf(spec, sizeof(spec), "stream:unix:%s", path);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	fd = connect_vm(&c);
	tbufs_new(&in, 4000, 4, 1514);
	tport_set_budget(&tp, 0);
	/* write until the socket stays full for 200 ms */
	end = uloop_now() + 200 * ST_MS;
	while (uloop_now() < end) {
		last = put;
		put += st_write_some(fd, in.stream + put, in.stream_len - put);
		if (put != last)
			end = uloop_now() + 200 * ST_MS;
		ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
	}
	ST_CHECK(put < in.stream_len); /* the VM is blocked */
	ST_EQ(tp.frames, 0);
	ST_CHECK(stats(&c)->holds >= 1);
	last = stats(&c)->reads; /* and qnet reads no more */
	st_pump(&loop, 50);
	ST_EQ(stats(&c)->reads, last);
	/* take ten, then hold again */
	tport_set_budget(&tp, 10);
	st_pump(&loop, 20);
	ST_EQ(tp.frames, 10);
	tport_set_budget(&tp, UINT32_MAX);
	feed_until(fd, in.stream + put, in.stream_len - put, 4000);
	ST_EQ(tp.log_len, in.stream_len);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));

	/* frames kept by the peer pin ring space: reading stops, then goes
	 * on once they are released */
	tp.log_len = 0;
	tp.frames = 0;
	tp.keep = true;
	put = 0;
	end = uloop_now() + 200 * ST_MS;
	while (uloop_now() < end) {
		last = put;
		put += st_write_some(fd, in.stream + put, in.stream_len - put);
		if (put != last)
			end = uloop_now() + 200 * ST_MS;
		ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
	}
	ST_CHECK(put < in.stream_len);
	ST_CHECK(tp.nkept > 0 && tp.nkept < 4000);
	ST_CHECK(in.stream_len > 2 * STREAM_LINK_BUF_DEFAULT);
	tp.keep = false;
	tport_release(&tp);
	feed_until(fd, in.stream + put, in.stream_len - put, 4000);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	close(fd);
	ctx_close(&c);
	tbufs_free(&in);
}

/* A VM that does not read: the output ring fills, the sender is held,
 * and woken as writes complete; every byte arrives in order. */
static void test_tx_backpressure(void)
{
	struct tbufs out;
	struct ctx c;
	char spec[160];
	unsigned int sent = 0, i;
	size_t got = 0;
	uint64_t end;
	int fd;

	snprintf(spec, sizeof(spec), "stream:unix:%s", path);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	fd = connect_vm(&c);
	tbufs_new(&out, 3000, 5, 1514);
	for (i = 0; i < 3000 && !tp.npend; i += 64) {
		tport_send(&tp, out.ptr + i, 3000 - i < 64 ? 3000 - i : 64);
		sent = i + 64;
		st_pump(&loop, 2);
	}
	ST_CHECK(tp.npend > 0); /* held: the link took fewer */
	ST_CHECK(stats(&c)->tx_full >= 1);
	ST_EQ(tp.resumes, 0);
	end = uloop_now() + 10000 * ST_MS;
	while (got < out.stream_len) {
		ST_CHECK(uloop_now() < end);
		got += st_read_some(fd, rbuf + got, out.stream_len - got);
		if (!tp.npend && sent < 3000) {
			tport_send(&tp, out.ptr + sent,
				   3000 - sent < 64 ? 3000 - sent : 64);
			sent += 64;
		}
		ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
	}
	ST_CHECK(tp.resumes >= 1);
	ST_CHECK(!memcmp(rbuf, out.stream, out.stream_len));
	ST_RUN_UNTIL(&loop, stats(&c)->tx_frames == 3000, 1000);
	ST_CHECK(stats(&c)->writes < 3000 / 8);
	close(fd);
	ctx_close(&c);
	tbufs_free(&out);
}

/* A bogus prefix resets the connection (counted, malformed); the frames
 * before it are delivered; the VM is accepted again when it reconnects. */
static void test_bogus_prefix(void)
{
	static const uint32_t bad[] = { 0, 13, 0xffffffffu, FRAME_MAX_LEN + 1 };
	struct tbufs in;
	struct ctx c;
	char spec[160];
	uint8_t hdr[4];
	unsigned int i;
	int fd;

	snprintf(spec, sizeof(spec), "stream:unix:%s", path);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	tbufs_new(&in, 3, 6, 1514);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = connect_vm(&c);
		tp.log_len = 0;
		tp.frames = 0;
		ST_EQ(st_write_some(fd, in.stream, in.stream_len), in.stream_len);
		stream_enc_hdr(hdr, bad[i]);
		ST_EQ(st_write_some(fd, hdr, 4), 4);
		ST_EQ(st_write_some(fd, in.stream, 64), 64);
		ST_RUN_UNTIL(&loop,
			     c.ev.count[STREAM_LINK_EV_DISCONNECTED] == i + 1,
			     2000);
		ST_EQ(c.ev.count[STREAM_LINK_EV_BAD_LENGTH], i + 1);
		ST_EQ(vmm_stream_bad_length(c.vs), i + 1);
		ST_EQ(drops(&c, PORT_DROP_MALFORMED), i + 1);
		ST_EQ(tp.frames, 3);
		ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
		ST_CHECK(!vmm_stream_port(c.vs)->link_up);
		ST_RUN_UNTIL(&loop, st_peer_closed(fd), 1000);
		close(fd);
	}
	/* and it serves the VM again */
	fd = connect_vm(&c);
	tp.log_len = 0;
	tp.frames = 0;
	feed_until(fd, in.stream, in.stream_len, 3);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	close(fd);
	ctx_close(&c);
	tbufs_free(&in);
}

/* One VM at a time: a second client is refused and counted; a client
 * that comes right after the first leaves is served. */
static void test_second_client(void)
{
	struct tbufs in;
	struct ctx c;
	char spec[160];
	int a, b;

	snprintf(spec, sizeof(spec), "stream:unix:%s", path);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	tbufs_new(&in, 5, 7, 1514);
	a = connect_vm(&c);
	b = st_unix_connect(path);
	ST_CHECK(b >= 0);
	ST_RUN_UNTIL(&loop, vmm_stream_refused(c.vs) == 1, 2000);
	ST_EQ(c.ev.count[STREAM_LINK_EV_REFUSED], 1);
	ST_RUN_UNTIL(&loop, st_peer_closed(b), 1000);
	close(b);
	ST_CHECK(vmm_stream_connected(c.vs));
	feed_until(a, in.stream, in.stream_len, 5);
	/* leave and come back at once */
	close(a);
	a = st_unix_connect(path);
	ST_CHECK(a >= 0);
	ST_RUN_UNTIL(&loop, c.ev.count[STREAM_LINK_EV_CONNECTED] == 2, 2000);
	ST_EQ(c.ev.count[STREAM_LINK_EV_DISCONNECTED], 1);
	ST_EQ(vmm_stream_refused(c.vs), 1);
	st_nonblock(a);
	feed_until(a, in.stream, in.stream_len, 10);
	close(a);
	ctx_close(&c);
	tbufs_free(&in);
}

/* TCP on 127.0.0.1 with a kernel-chosen port, found through the QEMU
 * command line printed for the open transport. */
static void test_tcp(void)
{
	struct tbufs in, out;
	struct ctx c;
	char args[256], info[128];
	const char *p;
	unsigned int port;
	int fd;

	ST_EQ(ctx_open(&c, "stream:inet:127.0.0.1:0", 0), 0);
	ST_EQ(vmm_stream_qemu_args(c.vs, VMM_STREAM_QEMU_NETDEV, "n0", -1, args,
				   sizeof(args)),
	      0);
	p = "stream,id=n0,server=off,addr.type=inet,addr.host=127.0.0.1,"
	    "addr.port=";
	ST_CHECK(!strncmp(args, p, strlen(p)));
	p = args + strlen(p);
	port = (unsigned int)atoi(p);
	ST_CHECK(port > 0 && port < 65536);
	ST_EQ(vmm_stream_qemu_args(c.vs, VMM_STREAM_QEMU_SOCKET, "n0", -1, args,
				   sizeof(args)),
	      0);
	snprintf(info, sizeof(info), "socket,id=n0,connect=127.0.0.1:%u", port);
	ST_CHECK(!strcmp(args, info));
	fd = st_tcp_connect((uint16_t)port);
	ST_CHECK(fd >= 0);
	ST_RUN_UNTIL(&loop, vmm_stream_connected(c.vs), 2000);
	st_nonblock(fd);
	ST_EQ(vmm_stream_info(c.vs, info, sizeof(info)), 0);
	ST_CHECK(!strncmp(info, "tcp:127.0.0.1:", 14));
	tbufs_new(&in, 100, 8, FRAME_MAX_LEN);
	tbufs_new(&out, 64, 9, 9000);
	feed_until(fd, in.stream, in.stream_len, 100);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	ST_EQ(tport_send(&tp, out.ptr, 64), 64);
	drain_into(fd, rbuf, out.stream_len);
	ST_CHECK(!memcmp(rbuf, out.stream, out.stream_len));
	close(fd);
	ctx_close(&c);
	tbufs_free(&in);
	tbufs_free(&out);
}

/* qnet's unix socket file: a regular file or a live socket in the way is
 * refused and left alone; a stale socket is replaced; close removes only
 * the file qnet created. */
static void test_unix_files(void)
{
	struct ctx c;
	char spec[160];
	struct stat st;
	int fd;

	snprintf(spec, sizeof(spec), "stream:unix:%s", path);
	fd = creat(path, 0600);
	ST_CHECK(fd >= 0);
	close(fd);
	ST_EQ(ctx_open(&c, spec, 0), -EEXIST);
	ST_EQ(stat(path, &st), 0);
	ST_CHECK(S_ISREG(st.st_mode));
	unlink(path);
	fd = st_unix_listen(path);
	ST_EQ(ctx_open(&c, spec, 0), -EADDRINUSE);
	close(fd); /* leaves a stale socket file behind */
	ST_EQ(ctx_open(&c, spec, 0), 0);
	ST_EQ(stat(path, &st), 0);
	/* someone replaces the file: close must not remove theirs */
	unlink(path);
	fd = creat(path, 0600);
	close(fd);
	ctx_close(&c);
	ST_EQ(stat(path, &st), 0);
	unlink(path);
}

/* A connected fd handed over (one end of a pair): one connection, no
 * listener, no reconnect. Then a listening fd handed over. */
static void test_fd_pair(void)
{
	struct tbufs in;
	struct ctx c;
	char spec[64], info[64];
	int sv[2];

	ST_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	snprintf(spec, sizeof(spec), "stream:fd:%d", sv[0]);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	ST_CHECK(vmm_stream_connected(c.vs));
	ST_EQ(c.ev.count[STREAM_LINK_EV_CONNECTED], 1);
	st_nonblock(sv[1]);
	tbufs_new(&in, 50, 10, 1514);
	feed_until(sv[1], in.stream, in.stream_len, 50);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	close(sv[1]);
	ST_RUN_UNTIL(&loop, c.ev.count[STREAM_LINK_EV_DISCONNECTED] == 1, 2000);
	st_pump(&loop, 20);
	ST_EQ(vmm_stream_info(c.vs, info, sizeof(info)), 0);
	ST_CHECK(!strcmp(info, "disconnected"));
	ctx_close(&c);

	/* a listening fd handed over: qnet accepts on it; the file is not
	 * qnet's, so close leaves it */
	sv[0] = st_unix_listen(path);
	snprintf(spec, sizeof(spec), "stream:fd:%d", sv[0]);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	ST_CHECK(!vmm_stream_connected(c.vs));
	sv[1] = connect_vm(&c);
	feed_until(sv[1], in.stream, in.stream_len, 50);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	close(sv[1]);
	ctx_close(&c);
	ST_EQ(access(path, F_OK), 0);
	unlink(path);
	tbufs_free(&in);
}

/* set_link off on the VM's port: frames from the VM drop as link_down. */
static void test_set_link(void)
{
	struct tbufs in;
	struct ctx c;
	char spec[160];
	uint64_t end;
	int fd;

	snprintf(spec, sizeof(spec), "stream:unix:%s", path);
	ST_EQ(ctx_open(&c, spec, 0), 0);
	fd = connect_vm(&c);
	tbufs_new(&in, 20, 11, 1514);
	vmm_stream_set_link(c.vs, false);
	ST_CHECK(!vmm_stream_port(c.vs)->link_up);
	ST_EQ(st_write_some(fd, in.stream, in.stream_len), in.stream_len);
	end = uloop_now() + 2000 * ST_MS;
	while (drops(&c, PORT_DROP_LINK_DOWN) < 20 && uloop_now() < end)
		ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
	ST_EQ(drops(&c, PORT_DROP_LINK_DOWN), 20);
	ST_EQ(tp.frames, 0);
	vmm_stream_set_link(c.vs, true);
	ST_CHECK(vmm_stream_port(c.vs)->link_up);
	feed_until(fd, in.stream, in.stream_len, 20);
	close(fd);
	ctx_close(&c);
	tbufs_free(&in);
}

/* Send a datagram from a non-blocking socket, running the loop while the
 * receiver's short queue is full. */
static void send_dgram(int fd, const void *buf, size_t len,
		       const struct sockaddr_un *to)
{
	uint64_t end = uloop_now() + 2000 * ST_MS;
	ssize_t n;

	while ((n = sendto(fd, buf, len, 0, (const struct sockaddr *)to,
			   sizeof(*to))) < 0 && errno == EAGAIN) {
		ST_CHECK(uloop_now() < end);
		ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
	}
	ST_EQ(n, (ssize_t)len);
}

/* dgram:unix: frames both ways as datagrams, in order; runts and giants
 * counted; qnet's socket file removed on close. */
static void test_dgram(void)
{
	char spec[512], want[512], qpath[128], vpath[128];
	struct sockaddr_un q = { .sun_family = AF_UNIX };
	static const size_t runts[] = { 0, 1, 13 };
	uint8_t junk[1600] = { 0 };
	struct tbufs in, out;
	struct ctx c;
	unsigned int i, r;
	uint64_t end;
	struct stat st;
	ssize_t n;
	int vm;

	snprintf(qpath, sizeof(qpath), "%s/q.sock", dir);
	snprintf(vpath, sizeof(vpath), "%s/v.sock", dir);
	snprintf(spec, sizeof(spec), "dgram:unix:%s@%s", qpath, vpath);
	vm = st_unix_dgram(vpath);
	st_nonblock(vm);
	ST_EQ(ctx_open(&c, spec, 1514), 0);
	ST_CHECK(vmm_stream_port(c.vs)->link_up);
	ST_EQ(vmm_stream_info(c.vs, spec, sizeof(spec)), 0);
	snprintf(want, sizeof(want), "udp=%s:%s", qpath, vpath);
	ST_CHECK(!strcmp(spec, want));
	strcpy(q.sun_path, qpath);
	tbufs_new(&in, 100, 12, 1514);
	for (i = 0; i < 100; i++) {
		send_dgram(vm, in.f[i].data, in.f[i].len, &q);
		if (i != 50)
			continue;
		for (r = 0; r < 3; r++)
			send_dgram(vm, junk, runts[r], &q);
		send_dgram(vm, junk, 1515, &q);
	}
	ST_RUN_UNTIL(&loop, tp.frames == 100 && stats(&c)->runts == 3, 2000);
	ST_CHECK(!memcmp(tp.log, in.stream, in.stream_len));
	ST_EQ(stats(&c)->giants, 1);
	ST_EQ(drops(&c, PORT_DROP_RUNT), 3);
	ST_EQ(drops(&c, PORT_DROP_GIANT), 1);
	ST_CHECK(stats(&c)->rx_batches < 100);
	/* qnet -> VM: 64 datagrams through a queue of 10, in order */
	tbufs_new(&out, 64, 13, 1514);
	ST_EQ(tport_send(&tp, out.ptr, 64), 64);
	end = uloop_now() + 2000 * ST_MS;
	for (i = 0; i < 64;) {
		ST_CHECK(uloop_now() < end);
		n = recv(vm, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0) {
			ST_CHECK(uloop_run_once(&loop, 1 * ST_MS) >= 0);
			continue;
		}
		ST_EQ(n, out.f[i].len);
		ST_CHECK(!memcmp(rbuf, out.f[i].data, out.f[i].len));
		i++;
	}
	ST_RUN_UNTIL(&loop, stats(&c)->tx_frames == 64, 1000);
	ST_EQ(stats(&c)->tx_lost, 0);
	ctx_close(&c);
	ST_EQ(stat(qpath, &st), -1);
	close(vm);
	unlink(vpath);
	tbufs_free(&in);
	tbufs_free(&out);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	st_loop_init(&loop);
	st_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/vm.sock", dir);
	test_unix_both_ways();
	test_split();
	test_rx_backpressure();
	test_tx_backpressure();
	test_bogus_prefix();
	test_second_client();
	test_tcp();
	test_unix_files();
	test_fd_pair();
	test_set_link();
	test_dgram();
	uloop_fini(&loop);
	st_rmdir(dir);
	printf("vmm_stream frontend: ok\n");
	return 0;
}
