// SPDX-License-Identifier: GPL-2.0-or-later
/* qnet-bridge-helper: create a tap, enslave it to an allowed bridge, pass its fd (qemu-bridge-helper's protocol). */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/rtnl.h"

/*
 * DOC: qnet-bridge-helper
 *
 * Usage: qnet-bridge-helper [--use-vnet] --br=BRIDGE --fd=UNIXFD
 *
 * The way for an unprivileged qnet (or QEMU: the protocol is the same as
 * qemu-bridge-helper's) to get a tap on a bridge. Install it with a file
 * capability instead of setuid root:
 *
 *     setcap cap_net_admin+ep /usr/local/libexec/qnet-bridge-helper
 *
 * It reads the ACL (default /etc/qnet/bridge.conf; QNET_BRIDGE_CONF when it
 * runs without elevated privileges, i.e. AT_SECURE is 0): lines "allow
 * BRIDGE", "deny BRIDGE", "allow all", "deny all", "include FILE", and
 * "#" comments. A deny wins over an allow; nothing allowed means refused.
 * Then it creates "tap%d" (IFF_TAP|IFF_NO_PI, plus IFF_VNET_HDR with
 * --use-vnet), gives it the bridge's MTU, enslaves it, brings it up, and
 * sends the fd over UNIXFD (SCM_RIGHTS, one byte of payload). It exits 0
 * on success; on failure it says why on stderr and exits 1, and the tap
 * (never persistent) disappears with it.
 */

#define HELPER_ACL_DEFAULT "/etc/qnet/bridge.conf"
#define HELPER_ACL_DEPTH 8

/**
 * struct acl - what the ACL files said about one bridge
 * @allow: an "allow BR" or "allow all" matched
 * @deny:  a "deny BR" or "deny all" matched
 */
struct acl {
	bool allow;
	bool deny;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "qnet-bridge-helper: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/* Read one ACL file (and its includes) for bridge @br. */
static int acl_read(const char *path, const char *br, struct acl *a, int depth)
{
	char line[512], word[64], arg[448];
	FILE *f;

	if (depth > HELPER_ACL_DEPTH)
		return -ELOOP;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %447s", word, arg) != 2 || word[0] == '#')
			continue;
		if (!strcmp(word, "include")) {
			if (acl_read(arg, br, a, depth + 1))
				fprintf(stderr, "qnet-bridge-helper: cannot read %s\n",
					arg);
		} else if (!strcmp(word, "allow")) {
			a->allow |= !strcmp(arg, "all") || !strcmp(arg, br);
		} else if (!strcmp(word, "deny")) {
			a->deny |= !strcmp(arg, "all") || !strcmp(arg, br);
		}
	}
	fclose(f);
	return 0;
}

/* A name that can only be an interface name. */
static bool name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("-_.", s[i])))
			return false;
	return true;
}

/* Create the tap; return its fd and fill @name. */
static int tap_make(bool vnet, char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("cannot open /dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	strcpy(ifr.ifr_name, "tap%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("cannot create a tap: %s (needs CAP_NET_ADMIN)",
		    strerror(errno));
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

/* Send @fd over the unix socket @sock. */
static void send_fd(int sock, int fd)
{
	char byte = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sock, &msg, 0) != 1)
		die("cannot send the fd: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *br = NULL, *acl_path = HELPER_ACL_DEFAULT, *env;
	char name[IFNAMSIZ], err[RTNL_ERR_MAX] = "rtnetlink unavailable", *end;
	struct acl a = { false, false };
	bool vnet = false;
	struct rtnl *r;
	int i, sock = -1, fd, type;
	socklen_t tl = sizeof(type);

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--use-vnet"))
			vnet = true;
		else if (!strncmp(argv[i], "--br=", 5))
			br = argv[i] + 5;
		else if (!strncmp(argv[i], "--fd=", 5))
			sock = (int)strtol(argv[i] + 5, &end, 10);
		else
			die("usage: qnet-bridge-helper [--use-vnet] --br=BRIDGE "
			    "--fd=UNIXFD (unknown argument %s)", argv[i]);
	}
	if (!br || sock < 0 || !name_ok(br))
		die("usage: qnet-bridge-helper [--use-vnet] --br=BRIDGE --fd=UNIXFD%s",
		    "");
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
		die("--fd is not a socket: %s", strerror(errno));
	env = getenv("QNET_BRIDGE_CONF");
	if (env && getauxval(AT_SECURE) == 0)
		acl_path = env;
	if (acl_read(acl_path, br, &a, 0))
		die("cannot read the ACL %s", acl_path);
	if (a.deny || !a.allow)
		die("access denied by the ACL to bridge %s", br);
	fd = tap_make(vnet, name);
	if (rtnl_open(&r) || rtnl_enslave(r, name, br, err, sizeof(err))) {
		fprintf(stderr, "qnet-bridge-helper: cannot add %s to %s: %s\n",
			name, br, err);
		return 1;
	}
	rtnl_close(r);
	send_fd(sock, fd);
	return 0;
}
