// SPDX-License-Identifier: GPL-2.0-or-later
/* test_qemu.c: a stock QEMU 7.2 attaches its own e1000 to qnet's attach= transport (stream, socket, dgram, fd). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "datapath/frame_hot.h"
#include "devices/vmm_stream.h"
#include "tests/unit/stream/stest.h"

#define QEMU_BIN "qemu-system-x86_64"
#define VM_MAC "\x52\x54\x00\x12\x34\x99"

static struct uloop loop;
static struct tport tp;
static char dir[64];
static char qemu[256];

/**
 * struct qctx - one attach= transport and the QEMU attached to it
 * @vs:		the transport
 * @ev:		its events
 * @closed:	STREAM_LINK_EV_CLOSED seen
 * @pid:	QEMU
 */
struct qctx {
	struct vmm_stream *vs;
	struct st_events ev;
	bool closed;
	pid_t pid;
};

static void q_event(struct vmm_stream *vs, enum stream_link_event e,
		    void *arg)
{
	struct qctx *c = arg;

	c->ev.count[e]++;
	if (e == STREAM_LINK_EV_CLOSED)
		c->closed = true;
}

static pid_t running = -1;

/* atexit: a failed check must not leave QEMU running. */
static void kill_qemu(void)
{
	if (running > 0) {
		kill(running, SIGKILL);
		waitpid(running, NULL, 0);
	}
}

/* Find QEMU_BIN on PATH; false when it is not installed. */
static bool find_qemu(void)
{
	const char *path = getenv("PATH");
	char copy[1024], *dirp, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", path ? path : "/usr/bin:/bin");
	for (dirp = strtok_r(copy, ":", &save); dirp;
	     dirp = strtok_r(NULL, ":", &save)) {
		snprintf(qemu, sizeof(qemu), "%s/%s", dirp, QEMU_BIN);
		if (!access(qemu, X_OK))
			return true;
	}
	return false;
}

/*
 * Start QEMU with -netdev @netdev and an e1000 on it (no option ROM, so
 * firmware never touches the NIC). @paused adds -S; @keep_fd is handed to
 * QEMU (an fd attachment); a QMP socket is opened at @qmp when given.
 */
static pid_t qemu_start(const char *netdev, bool paused, int keep_fd,
			const char *qmp)
{
	char log[128], qmparg[200];
	const char *argv[24];
	unsigned int n = 0;
	pid_t pid;
	int fd;

	snprintf(log, sizeof(log), "%s/qemu.log", dir);
	argv[n++] = qemu;
	argv[n++] = "-M";
	argv[n++] = "pc";
	argv[n++] = "-accel";
	argv[n++] = "tcg";
	if (paused)
		argv[n++] = "-S";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-nodefaults";
	argv[n++] = "-netdev";
	argv[n++] = netdev;
	argv[n++] = "-device";
	argv[n++] = "e1000,netdev=n0,mac=52:54:00:12:34:99,romfile=";
	if (qmp) {
		snprintf(qmparg, sizeof(qmparg), "unix:%s,server=on,wait=off",
			 qmp);
		argv[n++] = "-qmp";
		argv[n++] = qmparg;
	}
	argv[n] = NULL;
	pid = fork();
	ST_CHECK(pid >= 0);
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (keep_fd >= 0)
			fcntl(keep_fd, F_SETFD, 0);
		execv(qemu, (char *const *)argv);
		_exit(127);
	}
	running = pid;
	return pid;
}

/* Stop QEMU and reap it; print its log if it died on its own. */
static void qemu_stop(struct qctx *c)
{
	char log[128], line[256];
	int status = 0;
	FILE *f;

	if (waitpid(c->pid, &status, WNOHANG) == 0) {
		kill(c->pid, SIGTERM);
		ST_EQ(waitpid(c->pid, &status, 0), c->pid);
		running = -1;
		return;
	}
	running = -1;
	snprintf(log, sizeof(log), "%s/qemu.log", dir);
	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "qemu: %s", line);
	if (f)
		fclose(f);
	ST_CHECK(!"QEMU exited early");
}

/* Open attach=@spec connected to the test port. */
static void q_open(struct qctx *c, const char *spec)
{
	struct vmm_stream_notify n = { q_event, c };
	struct vmm_stream_config cfg;
	const char *why;

	memset(c, 0, sizeof(*c));
	ST_EQ(vmm_stream_parse(spec, &cfg, &why), 0);
	tport_init(&tp, "n0");
	ST_EQ(vmm_stream_open(&c->vs, &cfg, &loop, "e1000.0", &n), 0);
	ST_EQ(port_connect(vmm_stream_port(c->vs), &tp.port), 0);
}

static void q_close(struct qctx *c)
{
	vmm_stream_close(c->vs);
	ST_RUN_UNTIL(&loop, c->closed, 3000);
	tport_fini(&tp);
}

/* Connect to QEMU's QMP socket (retrying while it starts) and ask every
 * NIC to announce itself (RARP frames, sent even with no guest driver). */
static void qmp_announce(const char *path)
{
	static const char cmds[] =
		"{\"execute\":\"qmp_capabilities\"}\n"
		"{\"execute\":\"announce-self\",\"arguments\":{\"initial\":50,"
		"\"max\":550,\"rounds\":3,\"step\":50}}\n";
	uint64_t end = uloop_now() + 20000 * ST_MS;
	int fd;

	while ((fd = st_unix_connect(path)) < 0) {
		ST_CHECK(uloop_now() < end);
		ST_CHECK(uloop_run_once(&loop, 10 * ST_MS) >= 0);
	}
	ST_EQ(write(fd, cmds, sizeof(cmds) - 1), (ssize_t)sizeof(cmds) - 1);
	st_pump(&loop, 100);
	close(fd);
}

/* Whether the test port got the e1000's RARP announcement. */
static bool got_rarp(void)
{
	size_t at = 0;
	uint32_t len;

	while (at + 4 <= tp.log_len) {
		const uint8_t *f = tp.log + at + 4;

		len = (uint32_t)tp.log[at] << 24 | (uint32_t)tp.log[at + 1] << 16 |
		      (uint32_t)tp.log[at + 2] << 8 | tp.log[at + 3];
		if (len >= 42 && !memcmp(f + 6, VM_MAC, 6) && f[12] == 0x80 &&
		    f[13] == 0x35)
			return true;
		at += 4 + len;
	}
	return false;
}

/* The brief's case: a paused QEMU connects with the printed -netdev
 * stream option; qnet sees the connection, writes to it, sees it end. */
static void test_stream_paused(void)
{
	char spec[160], netdev[256], info[160];
	struct stream_addr peer;
	struct tbufs out;
	struct qctx c;

	snprintf(spec, sizeof(spec), "stream:unix:%s/vm.sock", dir);
	q_open(&c, spec);
	ST_EQ(vmm_stream_qemu_args(c.vs, VMM_STREAM_QEMU_NETDEV, "n0", -1,
				   netdev, sizeof(netdev)),
	      0);
	c.pid = qemu_start(netdev, true, -1, NULL);
	ST_RUN_UNTIL(&loop, c.ev.count[STREAM_LINK_EV_CONNECTED] == 1, 20000);
	ST_CHECK(vmm_stream_port(c.vs)->link_up);
	ST_EQ(vmm_stream_peer(c.vs, &peer), 0);
	ST_EQ(vmm_stream_info(c.vs, info, sizeof(info)), 0);
	ST_CHECK(!strcmp(info + 5, spec + 12));
	tbufs_new(&out, 3, 1, 1514);
	ST_EQ(tport_send(&tp, out.ptr, 3), 3);
	ST_RUN_UNTIL(&loop, vmm_stream_stats(c.vs)->tx_frames == 3, 5000);
	qemu_stop(&c);
	ST_RUN_UNTIL(&loop, c.ev.count[STREAM_LINK_EV_DISCONNECTED] == 1,
		     5000);
	ST_CHECK(!vmm_stream_port(c.vs)->link_up);
	q_close(&c);
	tbufs_free(&out);
}

/* A running QEMU's e1000 announces itself: its RARP frames reach qnet's
 * port, through -netdev stream (fd pair), legacy socket and dgram. */
static void test_frames_from_qemu(const char *kind)
{
	char spec[300], netdev[300], qmp[128];
	int sv[2] = { -1, -1 };
	struct qctx c;

	snprintf(qmp, sizeof(qmp), "%s/qmp.sock", dir);
	if (!strcmp(kind, "fd")) {
		ST_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		snprintf(spec, sizeof(spec), "stream:fd:%d", sv[0]);
	} else if (!strcmp(kind, "socket")) {
		snprintf(spec, sizeof(spec), "stream:inet:127.0.0.1:0");
	} else {
		snprintf(spec, sizeof(spec), "dgram:unix:%s/q.sock@%s/qemu.sock",
			 dir, dir);
	}
	q_open(&c, spec);
	ST_EQ(vmm_stream_qemu_args(c.vs,
				   strcmp(kind, "socket")
					   ? VMM_STREAM_QEMU_NETDEV
					   : VMM_STREAM_QEMU_SOCKET,
				   "n0", sv[1], netdev, sizeof(netdev)),
	      0);
	c.pid = qemu_start(netdev, false, sv[1], qmp);
	if (sv[1] >= 0)
		close(sv[1]);
	if (strcmp(kind, "dgram"))
		ST_RUN_UNTIL(&loop, c.ev.count[STREAM_LINK_EV_CONNECTED] == 1,
			     20000);
	qmp_announce(qmp);
	ST_RUN_UNTIL(&loop, got_rarp(), 5000);
	ST_EQ(vmm_stream_bad_length(c.vs), 0);
	qemu_stop(&c);
	q_close(&c);
	unlink(qmp);
	snprintf(qmp, sizeof(qmp), "%s/qemu.sock", dir);
	unlink(qmp); /* QEMU leaves its dgram socket file behind */
}

int main(void)
{
	char log[128];

	signal(SIGPIPE, SIG_IGN);
	if (!find_qemu()) {
		printf("SKIP: %s not installed\n", QEMU_BIN);
		return ST_SKIP;
	}
	st_loop_init(&loop);
	st_tmpdir(dir, sizeof(dir));
	atexit(kill_qemu); /* runs before the directory is removed */
	test_stream_paused();
	test_frames_from_qemu("fd");
	test_frames_from_qemu("socket");
	test_frames_from_qemu("dgram");
	uloop_fini(&loop);
	snprintf(log, sizeof(log), "%s/qemu.log", dir);
	unlink(log);
	st_rmdir(dir);
	printf("QEMU 7.2 attached through stream, fd, socket and dgram: ok\n");
	return 0;
}
