// SPDX-License-Identifier: GPL-2.0-or-later
/* nstest.c: netns suite helpers: namespaces, sockets in them, capture port. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "tests/netns/nstest.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* Namespaces this process created and has not removed yet. */
#define NST_NS_MAX 16
static char nst_names[NST_NS_MAX][NST_NS_NAME_MAX];
static unsigned int nst_ns_seq;

/* --- environment, namespaces, commands ------------------------------------ */

/* Remove every namespace still registered (exit, or a fatal signal). */
static void nst_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < NST_NS_MAX; i++) {
		if (nst_names[i][0])
			nst_ns_del(nst_names[i]);
	}
}

static void nst_on_signal(int sig)
{
	nst_cleanup();
	_exit(128 + sig);
}

/**
 * nst_require() - skip (exit 77) unless root with tun and `ip`; set up
 * the cleanup of namespaces on exit and on SIGTERM/SIGINT
 */
void nst_require(void)
{
	static const char *const ip_v[] = {"ip", "-V", NULL};
	char out[256];

	if (geteuid() != 0) {
		printf("SKIP: the netns suite needs root (CAP_SYS_ADMIN, "
		       "CAP_NET_ADMIN) to create namespaces and taps\n");
		exit(NST_SKIP);
	}
	if (access("/dev/net/tun", R_OK | W_OK)) {
		printf("SKIP: /dev/net/tun: %s\n", strerror(errno));
		exit(NST_SKIP);
	}
	if (nst_cmd_out(ip_v, out, sizeof(out)) != 0) {
		printf("SKIP: iproute2's `ip` is not installed\n");
		exit(NST_SKIP);
	}
	atexit(nst_cleanup);
	signal(SIGTERM, nst_on_signal);
	signal(SIGINT, nst_on_signal);
	signal(SIGPIPE, SIG_IGN);
}

/**
 * nst_loop_init() - a loop for the test; skip without multishot read
 * @loop:	storage
 */
void nst_loop_init(struct uloop *loop)
{
	unsigned int need = ULOOP_F_BUF_RING | ULOOP_F_READ_MULTISHOT;
	int ret = uloop_init(loop, NULL);

	if (ret == -ENOSYS || ret == -EPERM || ret == -EOPNOTSUPP) {
		printf("SKIP: io_uring unavailable: %s\n", strerror(-ret));
		exit(NST_SKIP);
	}
	CHECK_EQ(ret, 0);
	if ((uloop_features(loop) & need) != need) {
		printf("SKIP: io_uring lacks multishot read (Linux 6.7)\n");
		exit(NST_SKIP);
	}
}

/**
 * nst_run_for() - run the loop for @ms milliseconds
 * @loop:	the loop
 * @ms:		how long
 */
void nst_run_for(struct uloop *loop, unsigned int ms)
{
	uint64_t now, end = uloop_now() + (uint64_t)ms * NST_MS;

	while ((now = uloop_now()) < end)
		CHECK(uloop_run_once(loop, (int64_t)(end - now)) >= 0);
}

/**
 * nst_cmd_out() - run a program (no shell), capturing its stdout
 * @argv:	program and arguments
 * @out:	stdout, NUL-terminated (may be NULL: discarded)
 * @size:	its size
 *
 * Return: the exit status, or -1 when it could not run.
 */
int nst_cmd_out(const char *const argv[], char *out, size_t size)
{
	int pfd[2], status;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(pfd[1], 1);
		if (null >= 0)
			dup2(null, 0);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char sink[256];
		char *dst = out && used + 1 < size ? out + used : sink;
		size_t room =
			out && used + 1 < size ? size - 1 - used : sizeof(sink);

		n = read(pfd[0], dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst != sink)
			used += (size_t)n;
	}
	close(pfd[0]);
	if (out && size)
		out[used] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/**
 * nst_cmd() - run a program (no shell), stdout discarded
 * @argv:	program and arguments
 *
 * Return: the exit status, or -1.
 */
int nst_cmd(const char *const argv[])
{
	return nst_cmd_out(argv, NULL, 0);
}

/**
 * nst_ns_add() - create a namespace with `ip netns add` (a unique name)
 * @name:	filled with the name
 */
void nst_ns_add(char name[NST_NS_NAME_MAX])
{
	const char *argv[] = {"ip", "netns", "add", name, NULL};
	unsigned int i;

	snprintf(name, NST_NS_NAME_MAX, "qnet-nst-%d-%u", (int)getpid(),
		 nst_ns_seq++);
	for (i = 0; i < NST_NS_MAX && nst_names[i][0]; i++)
		;
	CHECK(i < NST_NS_MAX);
	CHECK_EQ(nst_cmd(argv), 0);
	memcpy(nst_names[i], name, NST_NS_NAME_MAX);
}

/**
 * nst_ns_del() - remove a namespace with `ip netns del`
 * @name:	its name
 */
void nst_ns_del(const char *name)
{
	const char *argv[] = {"ip", "netns", "del", name, NULL};
	unsigned int i;

	nst_cmd(argv);
	for (i = 0; i < NST_NS_MAX; i++) {
		if (!strcmp(nst_names[i], name))
			nst_names[i][0] = '\0';
	}
}

/**
 * nst_ns_exists() - whether `ip netns list` shows the namespace
 * @name:	its name
 *
 * Return: true if listed.
 */
bool nst_ns_exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

struct nst_job {
	const char *ns;
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

/**
 * nst_job_thread() - join the job's namespace, run its work
 * @p:	struct nst_job; ->ret gets the result or -errno of joining
 *
 * Return: NULL.
 */
static void *nst_job_thread(void *p)
{
	struct nst_job *j = p;
	char path[128];
	int fd;

	if (j->ns[0] == '/')
		snprintf(path, sizeof(path), "%s", j->ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", j->ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		j->ret = -errno;
		return NULL;
	}
	if (setns(fd, CLONE_NEWNET)) {
		j->ret = -errno;
		close(fd);
		return NULL;
	}
	close(fd);
	j->ret = j->fn(j->arg);
	return NULL;
}

/**
 * nst_in_ns() - run @fn in a thread that joined the namespace
 * @ns:		namespace name, or a path starting with '/'
 * @fn:		the work
 * @arg:	its argument
 *
 * Return: what @fn returned, or -errno of joining.
 */
int nst_in_ns(const char *ns, int (*fn)(void *arg), void *arg)
{
	struct nst_job j = {.ns = ns, .fn = fn, .arg = arg};
	pthread_t t;

	CHECK_EQ(pthread_create(&t, NULL, nst_job_thread, &j), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	return j.ret;
}

struct nst_sock_args {
	int domain, type, proto;
};

/**
 * nst_sock_job() - socket(2) in the namespace
 * @arg:	struct nst_sock_args
 *
 * Return: the fd or -errno.
 */
static int nst_sock_job(void *arg)
{
	struct nst_sock_args *a = arg;
	int fd = socket(a->domain, a->type | SOCK_CLOEXEC, a->proto);

	return fd < 0 ? -errno : fd;
}

/**
 * nst_ns_socket() - a socket that belongs to the namespace
 * @ns:		namespace name
 * @domain:	socket(2) arguments
 * @type:	...
 * @proto:	...
 *
 * Return: the fd (fails the test otherwise).
 */
int nst_ns_socket(const char *ns, int domain, int type, int proto)
{
	struct nst_sock_args a = {domain, type, proto};
	int fd = nst_in_ns(ns, nst_sock_job, &a);

	CHECK(fd >= 0);
	return fd;
}

struct nst_sysctl_args {
	const char *path, *value;
};

/**
 * nst_sysctl_job() - write a /proc/sys file in the namespace
 * @arg:	struct nst_sysctl_args
 *
 * Return: 0 or -errno.
 */
static int nst_sysctl_job(void *arg)
{
	struct nst_sysctl_args *a = arg;
	int fd = open(a->path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, a->value, strlen(a->value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/**
 * nst_ns_sysctl() - write a /proc/sys file as seen inside the namespace
 * @ns:		namespace name
 * @path:	/proc/sys/...
 * @value:	what to write
 *
 * Return: 0 or -errno.
 */
int nst_ns_sysctl(const char *ns, const char *path, const char *value)
{
	struct nst_sysctl_args a = {path, value};

	return nst_in_ns(ns, nst_sysctl_job, &a);
}

/**
 * nst_ns_no_ipv6() - turn IPv6 off for interfaces created from now on, so
 * no neighbour discovery or MLD frames mix with the test's
 * @ns:		namespace name
 */
void nst_ns_no_ipv6(const char *ns)
{
	nst_ns_sysctl(ns, "/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	nst_ns_sysctl(ns, "/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
}

/* --- interfaces ----------------------------------------------------------- */

/**
 * nst_ifreq() - one interface ioctl on @sock
 * @sock:	a socket of the namespace
 * @ifname:	the interface
 * @req:	SIOCGIF*
 * @ifr:	filled
 *
 * Return: 0 or -errno.
 */
static int nst_ifreq(int sock, const char *ifname, unsigned long req,
		     struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	return ioctl(sock, req, ifr) < 0 ? -errno : 0;
}

/**
 * nst_ifindex() - index of an interface in @sock's namespace
 * @sock:	a socket of the namespace
 * @ifname:	the interface
 *
 * Return: the index, or -errno (-ENODEV: no such interface).
 */
int nst_ifindex(int sock, const char *ifname)
{
	struct ifreq ifr;
	int ret = nst_ifreq(sock, ifname, SIOCGIFINDEX, &ifr);

	return ret ? ret : ifr.ifr_ifindex;
}

/**
 * nst_ifflags() - IFF_* flags of an interface
 * @sock:	a socket of the namespace
 * @ifname:	the interface
 *
 * Return: the flags, or -errno.
 */
int nst_ifflags(int sock, const char *ifname)
{
	struct ifreq ifr;
	int ret = nst_ifreq(sock, ifname, SIOCGIFFLAGS, &ifr);

	return ret ? ret : (unsigned short)ifr.ifr_flags;
}

/**
 * nst_ifmtu() - MTU of an interface
 * @sock:	a socket of the namespace
 * @ifname:	the interface
 *
 * Return: the MTU, or -errno.
 */
int nst_ifmtu(int sock, const char *ifname)
{
	struct ifreq ifr;
	int ret = nst_ifreq(sock, ifname, SIOCGIFMTU, &ifr);

	return ret ? ret : ifr.ifr_mtu;
}

/**
 * nst_ifmac() - MAC address of an interface
 * @sock:	a socket of the namespace
 * @ifname:	the interface
 * @mac:	filled
 *
 * Return: 0 or -errno.
 */
int nst_ifmac(int sock, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int ret = nst_ifreq(sock, ifname, SIOCGIFHWADDR, &ifr);

	if (!ret)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return ret;
}

/**
 * nst_packet_socket() - a raw AF_PACKET socket on @ifname inside @ns:
 * non-blocking, large buffers, outgoing frames not looped back to it
 * @ns:		namespace name
 * @ifname:	the interface
 *
 * Return: the fd.
 */
int nst_packet_socket(const char *ns, const char *ifname)
{
	int fd = nst_ns_socket(ns, AF_PACKET, SOCK_RAW | SOCK_NONBLOCK,
			       htons(ETH_P_ALL));
	int big = 16 << 20, one = 1, idx = nst_ifindex(fd, ifname);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL)};

	CHECK(idx > 0);
	sll.sll_ifindex = idx;
	CHECK_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)),
		 0);
	CHECK_EQ(setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)),
		 0);
	CHECK_EQ(setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			    sizeof(one)),
		 0);
	CHECK_EQ(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

/* --- test frames ---------------------------------------------------------- */

/**
 * nst_frame_len() - length of test frame @seq: 60..1514, varied
 * @seq:	sequence number
 *
 * Return: the length.
 */
unsigned int nst_frame_len(unsigned int seq)
{
	return 60 + (seq * 97u) % 1455u;
}

/**
 * nst_byte() - payload byte @i of test frame @seq
 * @seq:	sequence number
 * @i:		offset
 *
 * Return: the byte.
 */
static uint8_t nst_byte(unsigned int seq, unsigned int i)
{
	return (uint8_t)(seq * 7u + i * 13u + (i >> 8));
}

/**
 * nst_frame_fill() - write test frame @seq: addresses, NST_ETHERTYPE, the
 * sequence number (big endian), then a pattern of @seq
 * @buf:	destination, @len bytes
 * @len:	at least 18
 * @seq:	sequence number
 * @dst:	destination MAC
 * @src:	source MAC
 */
void nst_frame_fill(uint8_t *buf, unsigned int len, unsigned int seq,
		    const uint8_t dst[6], const uint8_t src[6])
{
	unsigned int i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = NST_ETHERTYPE >> 8;
	buf[13] = NST_ETHERTYPE & 0xff;
	buf[14] = (uint8_t)(seq >> 24);
	buf[15] = (uint8_t)(seq >> 16);
	buf[16] = (uint8_t)(seq >> 8);
	buf[17] = (uint8_t)seq;
	for (i = 18; i < len; i++)
		buf[i] = nst_byte(seq, i);
}

/**
 * nst_frame_check() - whether @buf is exactly test frame @seq
 * @buf:	the bytes
 * @len:	their length
 * @seq:	expected sequence number
 * @dst:	expected destination MAC
 * @src:	expected source MAC
 *
 * Return: true if byte-exact.
 */
bool nst_frame_check(const uint8_t *buf, unsigned int len, unsigned int seq,
		     const uint8_t dst[6], const uint8_t src[6])
{
	uint8_t want[2048];

	if (len != nst_frame_len(seq) || len > sizeof(want))
		return false;
	nst_frame_fill(want, len, seq, dst, src);
	return !memcmp(buf, want, len);
}

/**
 * nst_frame_seq() - sequence number of a test frame
 * @buf:	the bytes
 * @len:	their length
 *
 * Return: the number, or -1 when it is not a test frame.
 */
int nst_frame_seq(const uint8_t *buf, unsigned int len)
{
	if (len < 18 || buf[12] != (NST_ETHERTYPE >> 8) ||
	    buf[13] != (NST_ETHERTYPE & 0xff))
		return -1;
	return (int)((uint32_t)buf[14] << 24 | (uint32_t)buf[15] << 16 |
		     (uint32_t)buf[16] << 8 | buf[17]);
}

/**
 * nst_pkt_send() - send one frame on a bound packet socket
 * @sock:	from nst_packet_socket()
 * @buf:	the frame
 * @len:	its length
 *
 * Return: 0 or -errno.
 */
int nst_pkt_send(int sock, const uint8_t *buf, unsigned int len)
{
	ssize_t n = send(sock, buf, len, 0);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

/**
 * nst_pkt_recv_ours() - the next test frame the packet socket receives
 * @sock:	from nst_packet_socket()
 * @buf:	destination
 * @size:	its size
 * @ms:		how long to wait
 *
 * Return: its length, or -ETIMEDOUT.
 */
int nst_pkt_recv_ours(int sock, uint8_t *buf, unsigned int size,
		      unsigned int ms)
{
	uint64_t end = uloop_now() + (uint64_t)ms * NST_MS;
	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	ssize_t n;

	for (;;) {
		n = recv(sock, buf, size, MSG_TRUNC);
		if (n >= 0 && nst_frame_seq(buf, (unsigned int)n) >= 0)
			return (int)n;
		/* ENETDOWN is reported once after the interface went down */
		if (n >= 0 || errno == ENETDOWN)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if (uloop_now() >= end)
			return -ETIMEDOUT;
		poll(&pfd, 1, (int)((end - uloop_now()) / NST_MS) + 1);
	}
}
