// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp_inhibit.c: inhibit=on: an unprivileged qnet on sockets a privileged manager made (sock-fds), or in its pinned XSK map (map-path). */

#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/afxdp.h"
#include "datapath/bpf/bpfpin.h"
#include "datapath/bpf/xdp_load.h"
#include "tests/netns/xdp_env.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

static struct xe e;

/* The manager's side: our steering program, everything to the sockets. */
static void manager_prog(struct xdp_load *xl, const struct bpfpin *pins)
{
	struct xdp_load_config xc = {
		.ifindex = e.aidx, .mode = XDP_LOAD_NATIVE, .steer = true,
		.pins = pins, .pin_id = "mgr",
	};

	XE_EQ(xdp_load_open(xl, &xc), 0);
	XE_EQ(xdp_load_set_steer(xl, NULL, XDP_STEER_F_ALL), 0);
}

/* Traffic both ways through @a, with a fresh front-end. */
static void traffic(struct uloop *loop, struct afxdp *a, int sb)
{
	static struct xe_fe fe;
	unsigned int i, got = 0;

	xe_fe_init(&fe, 1);
	XE_EQ(port_connect(afxdp_port(a), &fe.port), 0);
	for (i = 0; i < 50; i++)
		XE_EQ(xe_pkt_send(sb, xe_guest_mac, e.bmac, i, 120), 0);
	XE_RUN_UNTIL(loop, fe.rx == 50, 3000);
	xe_pkt_drain(sb, NULL, 0, NULL);
	XE_EQ(xe_fe_send(&fe, 0, e.bmac, 500, 40, 90), 40);
	for (i = 0; i < 100 && got < 40; i++) {
		uint64_t end = uloop_now() + 5 * XE_MS;

		while (uloop_now() < end)
			uloop_run_once(loop, 1 * XE_MS);
		got += xe_pkt_drain(sb, NULL, 0, NULL);
	}
	XE_EQ(got, 40);
	port_disconnect(&fe.port);
	xe_fe_fini(&fe);
}

/* map-path: qnet puts its own socket in the manager's pinned map. */
static void test_map_path(int sb)
{
	struct afxdp_config cfg = {
		.ifname = e.a, .inhibit = true, .frames = 256, .ring_size = 128,
	};
	struct bpfpin pins;
	struct xdp_load xl;
	struct afxdp *a;
	char path[PATH_MAX], inst[64];

	snprintf(inst, sizeof(inst), "mgr-%d", (int)getpid());
	XE_EQ(bpfpin_open(&pins, inst), 0);
	manager_prog(&xl, &pins);
	XE_EQ(bpfpin_path(&pins, path, sizeof(path), "mgr", "xsks"), 0);
	cfg.map_path = path;
	XE_EQ(afxdp_open(&a, &cfg, &e.loop, "x0"), 0);
	traffic(&e.loop, a, sb);
	afxdp_close(a);
	/* the bad combinations QEMU refuses */
	cfg.inhibit = false;
	XE_EQ(afxdp_open(&a, &cfg, &e.loop, "x0"), -EINVAL);
	cfg.inhibit = true;
	cfg.map_path = NULL;
	XE_EQ(afxdp_open(&a, &cfg, &e.loop, "x0"), -EINVAL);
	cfg.map_start_index = 1;
	XE_EQ(afxdp_open(&a, &cfg, &e.loop, "x0"), -EINVAL);
	xdp_load_close(&xl);
	bpfpin_close(&pins);
}

/* Drop every privilege: nobody, no capabilities. */
static void drop_privileges(void)
{
	struct rlimit rl;

	/* the UMEM is charged to RLIMIT_MEMLOCK without CAP_IPC_LOCK */
	XE_EQ(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	XE_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	XE_EQ(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), 0);
	XE_EQ(setresgid(65534, 65534, 65534), 0);
	XE_EQ(setresuid(65534, 65534, 65534), 0);
	XE_CHECK(geteuid() == 65534);
}

/* In the unprivileged child: use the manager's sockets; nothing else works. */
static int child(const int *fds, int sb)
{
	struct afxdp_config cfg = {
		.ifname = e.a, .inhibit = true, .sock_fds = fds,
		.n_sock_fds = 1, .frames = 256, .ring_size = 128,
	};
	struct uloop loop;
	struct afxdp *a;
	int err;

	drop_privileges();
	XE_EQ(uloop_init(&loop, NULL), 0);
	/* without the manager's fds: no socket, no program (T-56) */
	cfg.inhibit = false;
	cfg.sock_fds = NULL;
	cfg.n_sock_fds = 0;
	err = afxdp_open(&a, &cfg, &loop, "x1");
	printf("unprivileged af-xdp without sock-fds: %s\n", strerror(-err));
	XE_EQ(err, -EPERM);
	cfg.inhibit = true;
	cfg.sock_fds = fds;
	cfg.n_sock_fds = 1;
	XE_EQ(afxdp_open(&a, &cfg, &loop, "x0"), 0);
	traffic(&loop, a, sb);
	afxdp_close(a);
	uloop_fini(&loop);
	return 0;
}

/* sock-fds: the manager makes the socket and maps it; qnet runs unprivileged. */
static void test_sock_fds(int sb)
{
	struct xdp_load xl;
	char out[4096];
	int fd, status;
	pid_t pid;

	manager_prog(&xl, NULL);
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	XE_CHECK(fd >= 0);
	XE_EQ(xdp_load_add_socket(&xl, 0, fd), 0);
	fflush(stdout);
	pid = fork();
	XE_CHECK(pid >= 0);
	if (!pid)
		_exit(child(&fd, sb));
	close(fd);
	XE_EQ(waitpid(pid, &status, 0), pid);
	XE_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	xdp_load_close(&xl);
	/* the failed unprivileged open left no program behind */
	XE_EQ(xe_sh_out(&e, false, out, sizeof(out), "ip link show %s", e.a), 0);
	XE_CHECK(!strstr(out, "xdp"));
}

int main(int argc, char **argv)
{
	int sb;

	xe_require("af-xdp inhibit=on");
	xe_init(&e, 1);
	sb = xe_pkt_open(&e, true);
	if (argc > 1 && !strcmp(argv[1], "sock-fds"))
		test_sock_fds(sb);
	else
		test_map_path(sb);
	close(sb);
	xe_fini(&e);
	printf("af-xdp inhibit: ok\n");
	return 0;
}
