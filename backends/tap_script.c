// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_script.c: QEMU's ifup/ifdown scripts and the bridge-helper fd protocol. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/tap_int.h"

/* In the child: close every fd from 3 up except @keep. */
static void tap_child_close_fds(int keep)
{
	int max = (int)sysconf(_SC_OPEN_MAX), fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/* Wait for @pid; return its wait status, or -errno. */
static int tap_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return status;
}

/**
 * tap_run_script() - run an ifup/ifdown script as QEMU does: "SCRIPT IFNAME"
 * @script: path of the script
 * @ifname: the tap's name (the script's only argument)
 * @status: set to the wait status when the script ran
 *
 * The child keeps only stdin, stdout and stderr (the script's output goes
 * where qnet's goes).
 *
 * Return: 0 when it exited with 0, -ECHILD when it failed (see @status), or
 * -errno from fork/wait.
 */
int tap_run_script(const char *script, const char *ifname, int *status)
{
	pid_t pid;
	int st;

	*status = 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *argv[] = { (char *)script, (char *)ifname, NULL };

		tap_child_close_fds(-1);
		execv(script, argv);
		_exit(1);
	}
	st = tap_wait(pid);
	if (st < 0)
		return st;
	*status = st;
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : -ECHILD;
}

/* A bridge name the helper may be given: an interface name, no shell text. */
static bool tap_br_name_ok(const char *br)
{
	size_t i, n = strlen(br);

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	for (i = 0; i < n; i++) {
		char c = br[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

/**
 * struct tap_helper_args - the helper's command line, built before fork()
 * @fd_arg: "--fd=N"
 * @br_arg: "--br=BR"
 * @cmd:    the /bin/sh command line when the helper contains blanks
 */
struct tap_helper_args {
	char fd_arg[32];
	char br_arg[IFNAMSIZ + 8];
	char cmd[1024];
};

/* In the child: exec the helper (a path, or a command for /bin/sh). */
static void tap_exec_helper(const char *helper, struct tap_helper_args *a,
			    int sfd)
{
	tap_child_close_fds(sfd);
	fcntl(sfd, F_SETFD, 0);	/* the helper inherits its socket end */
	if (a->cmd[0]) {
		char *argv[] = { "sh", "-c", a->cmd, NULL };

		execv("/bin/sh", argv);
	} else {
		char *argv[] = { (char *)helper, "--use-vnet", a->fd_arg,
				 a->br_arg, NULL };

		execvp(helper, argv);
	}
	_exit(1);
}

/* Build the helper's arguments for socket end @sfd. */
static int tap_helper_args(struct tap_helper_args *a, const char *helper,
			   const char *br, int sfd)
{
	snprintf(a->fd_arg, sizeof(a->fd_arg), "--fd=%d", sfd);
	snprintf(a->br_arg, sizeof(a->br_arg), "--br=%s", br);
	a->cmd[0] = '\0';
	if (!strpbrk(helper, " \t"))
		return 0;
	if ((size_t)snprintf(a->cmd, sizeof(a->cmd), "%s --use-vnet %s %s",
			     helper, a->fd_arg, a->br_arg) >= sizeof(a->cmd))
		return -ENAMETOOLONG;
	return 0;
}

/* Receive one fd over @sfd (one byte of payload, SCM_RIGHTS). */
static int tap_recv_fd(int sfd)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	do {
		n = recvmsg(sfd, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&msg);
	if (n == 0 || !c || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

/**
 * tap_run_helper() - get a tap fd from a bridge helper (QEMU's protocol)
 * @helper: the helper's path, or a command line (run by /bin/sh) when it
 *          contains blanks; it gets "--use-vnet --fd=N --br=BR"
 * @br:     the bridge
 * @fd_out: the tap fd received over the socket pair
 * @status: set to the helper's wait status
 *
 * Return: 0, -EINVAL for a bridge name that is not an interface name,
 * -ECHILD when the helper failed or sent no fd (see @status), or -errno.
 */
int tap_run_helper(const char *helper, const char *br, int *fd_out,
		   int *status)
{
	struct tap_helper_args a;
	int sv[2], fd, st;
	pid_t pid;

	*status = 0;
	if (!tap_br_name_ok(br))
		return -EINVAL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	st = tap_helper_args(&a, helper, br, sv[1]);
	if (st)
		goto err_sock;
	pid = fork();
	if (pid < 0) {
		st = -errno;
		goto err_sock;
	}
	if (pid == 0) {
		close(sv[0]);
		tap_exec_helper(helper, &a, sv[1]);
	}
	close(sv[1]);
	fd = tap_recv_fd(sv[0]);
	close(sv[0]);
	st = tap_wait(pid);
	if (st >= 0)
		*status = st;
	if (fd < 0 || st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (fd >= 0)
			close(fd);
		return st < 0 ? st : -ECHILD;
	}
	*fd_out = fd;
	return 0;

err_sock:
	close(sv[0]);
	close(sv[1]);
	return st;
}
