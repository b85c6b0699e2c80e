// SPDX-License-Identifier: GPL-2.0-or-later
/* test_rootless.c: unprivileged qnet serves a rootless namespace by PID. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "devices/netns_tap.h"
#include "tests/netns/nstest.h"

#define NOBODY 65534

static const uint8_t host_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

/* What the unprivileged server reports: after open, and at the end. */
struct report {
	int ret;
	int ifindex;
	char ifname[IFNAMSIZ];
	char msg[NETNS_TAP_ERRMSG_MAX];
	unsigned int frames;
	int close_ret;
	unsigned int released;
};

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(100);
	/* credentials changed: make /proc/self ours again (ns files) */
	prctl(PR_SET_DUMPABLE, 1);
}

/*
 * The "container": an unprivileged process that made a user namespace and
 * a network namespace owned by it (what rootless podman/docker do).
 * Writes 'K' (or 'E' on failure) to @ready, then waits for the write end
 * of the @hold pipe to close.
 */
static pid_t start_container(int ready, const int hold[2])
{
	pid_t pid = fork();
	char c;

	CHECK(pid >= 0);
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(hold[1]);
	become_nobody();
	c = unshare(CLONE_NEWUSER | CLONE_NEWNET) ? 'E' : 'K';
	if (write(ready, &c, 1) != 1)
		_exit(1);
	while (read(hold[0], &c, 1) > 0)
		;
	_exit(0);
}

/*
 * /dev/net/tun must be usable by others, as on most distributions (0666).
 * Where it is 0600 (as on the build machines), give this process a
 * private mount namespace with a 0666 node over it; nothing outside sees.
 */
static int open_up_tun(void)
{
	struct stat st;

	if (stat("/dev/net/tun", &st))
		return -errno;
	if ((st.st_mode & 0006) == 0006)
		return 0;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", "/tmp", "tmpfs", 0, "mode=0755") ||
	    mknod("/tmp/tun", S_IFCHR | 0666, st.st_rdev) ||
	    chmod("/tmp/tun", 0666) ||
	    mount("/tmp/tun", "/dev/net/tun", NULL, MS_BIND, NULL))
		return -errno;
	return 0;
}

static void released_cb(void *arg)
{
	((struct report *)arg)->released++;
}

/*
 * The unprivileged qnet: opens the frontend by PID, reports, waits for
 * @go, takes the frames the namespace sends, closes and reports again.
 */
static void run_server(pid_t target, int out, int go)
{
	struct netns_tap_config cfg = {0};
	struct report r = {0};
	struct netns_tap *nt = NULL;
	struct uloop loop;
	struct ncap cap;
	char spec[16], c;

	if (open_up_tun())
		_exit(101);
	become_nobody();
	if (geteuid() != NOBODY || uloop_init(&loop, NULL))
		_exit(102);
	snprintf(spec, sizeof(spec), "%d", (int)target);
	cfg.netns = spec;
	cfg.configure = true;
	cfg.errmsg = r.msg;
	cfg.errmsg_size = sizeof(r.msg);
	cfg.released = released_cb;
	cfg.released_arg = &r;
	r.ret = netns_tap_open(&nt, &cfg, &loop, "ns0");
	if (!r.ret) {
		r.ifindex = netns_tap_ifindex(nt);
		snprintf(r.ifname, sizeof(r.ifname), "%s",
			 netns_tap_ifname(nt));
	}
	if (write(out, &r, sizeof(r)) != sizeof(r) || r.ret)
		_exit(r.ret ? 0 : 103);
	ncap_init(&cap, "cap");
	if (port_connect(netns_tap_port(nt), &cap.port))
		_exit(104);
	if (read(go, &c, 1) != 1)
		_exit(105);
	for (uint64_t end = uloop_now() + 3000 * NST_MS;
	     cap.n < 3 && uloop_now() < end;)
		uloop_run_once(&loop, 10 * NST_MS);
	r.frames = cap.n;
	r.close_ret = netns_tap_close(nt);
	for (uint64_t end = uloop_now() + 2000 * NST_MS;
	     !r.released && uloop_now() < end;)
		uloop_run_once(&loop, 10 * NST_MS);
	ncap_fini(&cap);
	uloop_fini(&loop);
	_exit(write(out, &r, sizeof(r)) == sizeof(r) ? 0 : 106);
}

/*
 * Root checks the server's work inside the container's namespace, sends
 * three frames there, lets the server take them and close, and checks
 * that the tap is gone.
 */
static void check_served(pid_t target, pid_t server, int rep, int go)
{
	uint8_t buf[2048], mac[6];
	int sock, pkt, status, i;
	struct report r;
	char nspath[64];

	if (read(rep, &r, sizeof(r)) != sizeof(r)) {
		waitpid(server, &status, 0);
		printf("server exited with %d before opening\n",
		       WEXITSTATUS(status));
		CHECK(0);
	}
	if (r.ret)
		fprintf(stderr, "open as nobody: %s (%s)\n", strerror(-r.ret),
			r.msg);
	CHECK_EQ(r.ret, 0);
	CHECK(!strcmp(r.ifname, "tap0"));

	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", (int)target);
	sock = nst_ns_socket(nspath, AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(nst_ifindex(sock, "tap0"), r.ifindex);
	CHECK(nst_ifflags(sock, "tap0") & IFF_UP);
	CHECK(nst_ifflags(sock, "lo") & IFF_UP);
	pkt = nst_packet_socket(nspath, "tap0");
	CHECK_EQ(nst_ifmac(pkt, "tap0", mac), 0);
	for (i = 0; i < 3; i++) {
		nst_frame_fill(buf, nst_frame_len(i), i, host_mac, mac);
		CHECK_EQ(nst_pkt_send(pkt, buf, nst_frame_len(i)), 0);
	}
	CHECK_EQ(write(go, "g", 1), 1);
	CHECK_EQ(read(rep, &r, sizeof(r)), sizeof(r));
	CHECK_EQ(waitpid(server, &status, 0), server);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(r.frames, 3);
	CHECK(r.close_ret == 0 || r.close_ret == -EINPROGRESS);
	CHECK_EQ(r.released, 1);
	CHECK_EQ(nst_ifindex(sock, "tap0"), -ENODEV);
	close(pkt);
	close(sock);
}

int main(void)
{
	int ready[2], hold[2], rep[2], go[2], status;
	pid_t target, server;
	char c;

	nst_require();
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(hold), 0);
	target = start_container(ready[1], hold);
	close(ready[1]);
	close(hold[0]);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	if (c != 'K') {
		printf("SKIP: an unprivileged user cannot create a user "
		       "namespace here\n");
		kill(target, SIGKILL);
		waitpid(target, &status, 0);
		return NST_SKIP;
	}

	CHECK_EQ(pipe(rep), 0);
	CHECK_EQ(pipe(go), 0);
	server = fork();
	CHECK(server >= 0);
	if (server == 0) {
		close(rep[0]);
		close(go[1]);
		run_server(target, rep[1], go[0]);
	}
	close(rep[1]);
	close(go[0]);
	check_served(target, server, rep[0], go[1]);

	close(hold[1]);
	CHECK_EQ(waitpid(target, &status, 0), target);
	printf("netns-tap-rootless: ok\n");
	return 0;
}
