// SPDX-License-Identifier: GPL-2.0-or-later
/* netns_tap_ns.c: enter the namespace in a child; create, set up the tap. */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/if_tun.h>
#include <linux/nsfs.h>

#include "devices/netns_tap_int.h"

/**
 * DOC: entering the namespace
 *
 * setns(2) into a network namespace only changes the calling thread, but a
 * rootless container's namespace belongs to a user namespace that only a
 * single-threaded process may join.  So the work inside the namespace runs
 * in a child forked for it (qnet's threads are not copied): it joins the
 * namespace (and its owning user namespace when it lacks the privilege
 * otherwise, as slirp4netns does), opens /dev/net/tun there, creates and
 * configures the tap, opens an rtnetlink socket bound to the namespace,
 * passes both fds back over a socketpair with SCM_RIGHTS, and exits.  The
 * caller's own namespaces never change.
 */

/**
 * struct ns_reply - the child's answer (fds travel as SCM_RIGHTS)
 * @err:	0 or -errno of the failed step
 * @ifindex:	the tap's index
 * @ifname:	its name
 * @msg:	the failed step and the kernel's extended-ack text
 */
struct ns_reply {
	int32_t err;
	int32_t ifindex;
	char ifname[IFNAMSIZ];
	char msg[NETNS_TAP_ERRMSG_MAX];
};

/**
 * netns_tap_ns_path() - the namespace file a netns= value names
 * @spec:	all digits: a PID (/proc/PID/ns/net); with a '/': a path;
 *		else a name in /run/netns (as `ip netns` names them)
 * @path:	filled
 * @size:	its size
 *
 * Return: 0, -EINVAL for an empty or unusable value, -ENAMETOOLONG.
 */
int netns_tap_ns_path(const char *spec, char *path, size_t size)
{
	const char *p;
	int n;

	if (!spec || !*spec || !strcmp(spec, ".") || !strcmp(spec, ".."))
		return -EINVAL;
	for (p = spec; isdigit((unsigned char)*p); p++)
		;
	if (!*p)
		n = snprintf(path, size, "/proc/%s/ns/net", spec);
	else if (strchr(spec, '/'))
		n = snprintf(path, size, "%s", spec);
	else
		n = snprintf(path, size, "/run/netns/%s", spec);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * ns_append() - append to a string, cutting it short at @size
 * @dst:	NUL-terminated string in a buffer of @size bytes
 * @size:	the buffer's size
 * @src:	what to append
 */
static void ns_append(char *dst, size_t size, const char *src)
{
	size_t n = strlen(dst);

	while (*src && n + 1 < size)
		dst[n++] = *src++;
	dst[n] = '\0';
}

/**
 * ns_fail() - record the failed step in the reply
 * @r:		the reply; r->msg may hold the kernel's extended-ack text
 * @err:	-errno
 * @fmt:	the step, printf-style
 *
 * r->msg becomes "STEP: strerror" or "STEP: strerror (kernel: text)".
 *
 * Return: @err.
 */
static int __attribute__((format(printf, 3, 4)))
ns_fail(struct ns_reply *r, int err, const char *fmt, ...)
{
	char kern[sizeof(r->msg)];
	va_list ap;

	memcpy(kern, r->msg, sizeof(kern));
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	ns_append(r->msg, sizeof(r->msg), ": ");
	ns_append(r->msg, sizeof(r->msg), strerror(-err));
	if (kern[0]) {
		ns_append(r->msg, sizeof(r->msg), " (kernel: ");
		ns_append(r->msg, sizeof(r->msg), kern);
		ns_append(r->msg, sizeof(r->msg), ")");
	}
	r->err = err;
	return err;
}

/**
 * ns_enter() - join the namespace, through its user namespace if needed
 * @nsfd:	the network namespace
 * @r:		error report
 *
 * Return: 0 or -errno.
 */
static int ns_enter(int nsfd, struct ns_reply *r)
{
	int userfd, err;

	if (setns(nsfd, CLONE_NEWNET) == 0)
		return 0;
	err = -errno;
	if (err != -EPERM)
		return ns_fail(r, err, "setns(network namespace)");
	userfd = ioctl(nsfd, NS_GET_USERNS);
	if (userfd < 0)
		return ns_fail(r, err, "setns(network namespace)");
	if (setns(userfd, CLONE_NEWUSER) < 0) {
		/* already in that user namespace: the plain EPERM stands */
		if (errno != EINVAL)
			err = -errno;
		close(userfd);
		return ns_fail(r, err, "setns(owning user namespace)");
	}
	close(userfd);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return ns_fail(r, -errno, "setns(network namespace)");
	return 0;
}

/**
 * ns_tap_create() - create the tap in the current namespace
 * @ifname:	name or pattern
 * @r:		error report; ifname and ifindex filled
 *
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR with a 12-byte little-endian header
 * (struct virtio_net_hdr_v1, as frames carry it).  Without @offload no
 * offloads, so the kernel hands over complete frames with checksums filled
 * in; with it checksum and TSO4/TSO6, so TCP comes in frames of up to 64
 * KiB with partial checksums, described by the header.
 *
 * Return: the tap's fd, or -errno.
 */
static int ns_tap_create(const char *ifname, bool offload, struct ns_reply *r)
{
	unsigned long tun_f =
		offload ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0;
	struct ifreq ifr;
	int fd, hs = NETNS_TAP_VNET_LEN, le = 1;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ns_fail(r, -errno, "open /dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ns_fail(r, -errno, "create tap '%s'", ifname);
		goto err_fd;
	}
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifr.ifr_name);
	if (ioctl(fd, TUNSETVNETHDRSZ, &hs) < 0 ||
	    ioctl(fd, TUNSETVNETLE, &le) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, tun_f) < 0) {
		ns_fail(r, -errno, "set up tap '%s'", r->ifname);
		goto err_fd;
	}
	r->ifindex = (int)if_nametoindex(r->ifname);
	if (!r->ifindex) {
		ns_fail(r, -errno, "index of '%s'", r->ifname);
		goto err_fd;
	}
	return fd;

err_fd:
	close(fd);
	return r->err;
}

/**
 * ns_configure() - MTU, MAC, up; with cfg->configure lo up, address, route
 * @cfg:	the frontend's configuration
 * @nl:		rtnetlink socket in the namespace
 * @r:		error report
 *
 * Return: 0 or -errno.
 */
static int ns_configure(const struct netns_tap_config *cfg,
			struct netns_tap_nl *nl, struct ns_reply *r)
{
	struct in_addr addr = cfg->addr, gw = cfg->gateway;
	unsigned int plen =
		cfg->prefixlen ? cfg->prefixlen : NETNS_TAP_PREFIX_DEFAULT;
	char a[INET_ADDRSTRLEN];
	int lo, ret;

	ret = netns_tap_nl_link_set(nl, r->ifindex, cfg->mtu,
				    cfg->has_mac ? cfg->mac : NULL, true,
				    r->msg, sizeof(r->msg));
	if (ret)
		return ns_fail(r, ret, "set up link '%s'", r->ifname);
	if (!cfg->configure)
		return 0;
	lo = (int)if_nametoindex("lo");
	ret = lo ? netns_tap_nl_link_set(nl, lo, 0, NULL, true, r->msg,
					 sizeof(r->msg))
		 : -errno;
	if (ret)
		return ns_fail(r, ret, "bring up 'lo'");
	if (addr.s_addr == INADDR_ANY)
		inet_pton(AF_INET, NETNS_TAP_ADDR_DEFAULT, &addr);
	if (gw.s_addr == INADDR_ANY)
		inet_pton(AF_INET, NETNS_TAP_GATEWAY_DEFAULT, &gw);
	ret = netns_tap_nl_addr_add(nl, r->ifindex, addr, plen, r->msg,
				    sizeof(r->msg));
	if (ret)
		return ns_fail(r, ret, "add address %s/%u to '%s'",
			       inet_ntop(AF_INET, &addr, a, sizeof(a)), plen,
			       r->ifname);
	ret = netns_tap_nl_route_default(nl, r->ifindex, gw, r->msg,
					 sizeof(r->msg));
	if (ret)
		return ns_fail(r, ret, "add default route via %s",
			       inet_ntop(AF_INET, &gw, a, sizeof(a)));
	return 0;
}

/**
 * ns_send() - hand the answer and the fds to the parent
 * @sock:	the socketpair end
 * @r:		the answer
 * @fds:	tap fd and rtnetlink fd (only sent when r->err is 0)
 */
static void ns_send(int sock, const struct ns_reply *r, const int fds[2])
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} u;
	struct iovec iov = {.iov_base = (void *)r, .iov_len = sizeof(*r)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (!r->err) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(c), fds, 2 * sizeof(int));
	}
	(void)sendmsg(sock, &mh, MSG_NOSIGNAL);
}

/**
 * ns_child() - the child's work; never returns
 * @cfg:	the configuration
 * @nsfd:	the namespace
 * @sock:	where the answer goes
 */
static void __attribute__((noreturn))
ns_child(const struct netns_tap_config *cfg, int nsfd, int sock)
{
	struct netns_tap_nl nl = {0};
	struct ns_reply r;
	int fds[2] = {-1, -1}, ret;

	memset(&r, 0, sizeof(r));
	if (ns_enter(nsfd, &r))
		goto out;
	fds[0] = ns_tap_create(cfg->ifname, cfg->offload, &r);
	if (fds[0] < 0)
		goto out;
	ret = netns_tap_nl_open(&nl);
	if (ret) {
		ns_fail(&r, ret, "open rtnetlink socket");
		goto out;
	}
	fds[1] = mnl_socket_get_fd(nl.sock);
	ns_configure(cfg, &nl, &r);
out:
	ns_send(sock, &r, fds);
	_exit(0);
}

/**
 * ns_recv() - read the child's answer and fds
 * @sock:	the socketpair end
 * @r:		filled
 * @fds:	filled with the two fds on success
 *
 * Return: 0 (check @r->err), or -errno when no answer came.
 */
static int ns_recv(int sock, struct ns_reply *r, int fds[2])
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} u;
	struct iovec iov = {.iov_base = r, .iov_len = sizeof(*r)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(*r))
		return -EPIPE; /* the child died before answering */
	r->msg[sizeof(r->msg) - 1] = '\0';
	r->ifname[sizeof(r->ifname) - 1] = '\0';
	c = CMSG_FIRSTHDR(&mh);
	if (r->err)
		return 0;
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(2 * sizeof(int)) ||
	    (mh.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	memcpy(fds, CMSG_DATA(c), 2 * sizeof(int));
	return 0;
}

/**
 * ns_msg() - print a message into the caller's buffer, if it gave one
 * @err:	the buffer, or NULL
 * @errlen:	its size
 * @fmt:	printf-style message
 */
static void __attribute__((format(printf, 3, 4)))
ns_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/**
 * ns_open_file() - open and check the namespace file
 * @spec:	the netns= value
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: an fd of a network namespace, or -errno (-EINVAL when the file
 * is some other namespace or not one at all).
 */
static int ns_open_file(const char *spec, char *err, size_t errlen)
{
	char path[256];
	int fd, ret;

	ret = netns_tap_ns_path(spec, path, sizeof(path));
	if (ret) {
		ns_msg(err, errlen, "bad namespace '%s'", spec ? spec : "");
		return ret;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		ns_msg(err, errlen, "open %s: %s", path, strerror(errno));
		return ret;
	}
	ret = ioctl(fd, NS_GET_NSTYPE);
	if (ret != CLONE_NEWNET) {
		ns_msg(err, errlen, "%s is not a network namespace", path);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/**
 * netns_tap_ns_open() - create the tap inside the namespace cfg->netns names
 * @cfg:	the configuration (netns, ifname, mtu, mac, configure, ...)
 * @res:	filled on success: tap fd, rtnetlink fd, index, name
 * @err:	which step failed and why, on failure (may be NULL)
 * @errlen:	its size
 *
 * Blocks until the child is done (it only makes a few system calls).  A
 * failure after the tap was created leaves nothing: the child's fds close
 * with it and a tap nobody holds disappears.
 *
 * Return: 0 or -errno.
 */
int netns_tap_ns_open(const struct netns_tap_config *cfg,
		      struct netns_tap_ns *res, char *err, size_t errlen)
{
	struct ns_reply r;
	int nsfd, sv[2], fds[2], ret, status;
	pid_t pid;

	nsfd = ns_open_file(cfg->netns, err, errlen);
	if (nsfd < 0)
		return nsfd;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		ns_msg(err, errlen, "socketpair: %s", strerror(errno));
		goto err_ns;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		ns_msg(err, errlen, "fork: %s", strerror(errno));
		goto err_sock;
	}
	if (pid == 0) {
		close(sv[0]);
		ns_child(cfg, nsfd, sv[1]);
	}
	close(sv[1]);
	sv[1] = -1;
	memset(&r, 0, sizeof(r));
	ret = ns_recv(sv[0], &r, fds);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret) {
		ns_msg(err, errlen, "namespace helper: %s", strerror(-ret));
		goto err_sock;
	}
	if (r.err) {
		ret = r.err;
		ns_msg(err, errlen, "%s", r.msg);
		goto err_sock;
	}
	res->tapfd = fds[0];
	res->nlfd = fds[1];
	res->ifindex = r.ifindex;
	memcpy(res->ifname, r.ifname, sizeof(res->ifname));
	ret = 0;
err_sock:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
err_ns:
	close(nsfd);
	return ret;
}
