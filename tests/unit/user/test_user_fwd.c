// SPDX-License-Identifier: GPL-2.0-or-later
/* test_user_fwd.c: host/guest forwards on a real slirp: connect, IPv6, unix, conflicts, churn, restrict. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/user.h"
#include "tests/unit/user/uguest.h"

static struct uloop loop;
static struct uguest g;
static char tmpdir[64];
static pid_t tmp_owner;

static struct user_backend *be_open(const struct user_config *c)
{
	struct user_err err = {""};
	struct user_backend *be;
	int ret = user_open(&be, c, &loop, "n0", &err);

	if (ret)
		fprintf(stderr, "user_open: %d %s\n", ret, err.msg);
	CHECK_EQ(ret, 0);
	CHECK_EQ(port_connect(&g.port, user_port(be)), 0);
	uguest_clear(&g);
	return be;
}

static void be_close(struct user_backend *be)
{
	int ret = user_close(be);

	CHECK(ret == 0 || ret == -EINPROGRESS);
	uguest_run(&loop, 30);
}

struct tcp_match {
	uint16_t dport;
	uint16_t sport; /* 0: any */
	uint8_t mask;
	uint8_t flags;
	uint32_t seq;	   /* out: the segment's seq */
	uint32_t plen;	   /* out: payload length */
	char payload[512]; /* out */
};

static bool is_tcp(const uint8_t *d, uint32_t len, void *arg)
{
	struct tcp_match *m = arg;
	struct ub_ipv4 ip;
	uint32_t off;

	if (!ub_parse_ipv4(d, len, &ip) || ip.proto != 6 || ip.l4len < 20)
		return false;
	if (ub_rd16(ip.l4 + 2) != m->dport ||
	    (m->sport && ub_rd16(ip.l4) != m->sport) ||
	    (ip.l4[13] & m->mask) != m->flags)
		return false;
	CHECK(ub_l4_csum_ok(&ip));
	off = (ip.l4[12] >> 4) * 4u;
	m->seq = ub_rd32(ip.l4 + 4);
	m->plen = ip.l4len - off;
	if (m->plen >= sizeof(m->payload))
		m->plen = sizeof(m->payload) - 1;
	memcpy(m->payload, ip.l4 + off, m->plen);
	m->payload[m->plen] = '\0';
	return true;
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* connect a host socket (non-blocking) to @a */
static int host_connect(const struct sockaddr *a, socklen_t alen)
{
	int s = socket(a->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);

	CHECK(s >= 0);
	if (connect(s, a, alen) && errno != EINPROGRESS)
		CHECK(!"connect");
	return s;
}

static int connect4(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	return host_connect((struct sockaddr *)&a, sizeof(a));
}

/* the port a forward bound */
static uint16_t fwd_port(struct user_backend *be, const char *text)
{
	struct user_fwd_entry e[32];
	unsigned int i, n = user_fwd_list(be, e, 32);

	for (i = 0; i < n && i < 32; i++)
		if (!strcmp(e[i].text, text))
			return e[i].port;
	return 0;
}

/* a host connect to the forward's port brings a SYN to the guest port */
static void expect_syn(uint16_t guest_port)
{
	struct tcp_match m = {
		.dport = guest_port, .mask = TH_SYN | TH_ACK, .flags = TH_SYN};

	CHECK(uguest_wait(&g, is_tcp, &m, 3000) >= 0);
}

static void test_tcp_v4(struct user_backend *be)
{
	uint16_t p = fwd_port(be, "tcp:127.0.0.1:0-:22");
	struct user_stats st;
	int s;

	CHECK(p != 0);
	s = connect4(p);
	expect_syn(22);
	close(s);
	/* libslirp asked who has 10.0.2.15 first: 42 bytes, padded to 60 */
	CHECK_EQ(g.caplen[0], 60);
	CHECK_EQ(ub_rd16(g.cap[0] + 12), 0x0806);
	user_get_stats(be, &st);
	CHECK(st.out_padded > 0);
	printf("ok hostfwd tcp 127.0.0.1:%u -> SYN to :22\n", p);
}

struct tcp6_match {
	uint16_t dport;
	struct in6_addr dst;
};

static bool is_tcp6_syn(const uint8_t *d, uint32_t len, void *arg)
{
	struct tcp6_match *m = arg;
	const uint8_t *l4;
	uint32_t l4len;
	uint8_t next;

	return ub_parse_ipv6(d, len, &next, &m->dst, &l4, &l4len) &&
	       next == 6 && l4len >= 20 && ub_rd16(l4 + 2) == m->dport &&
	       (l4[13] & (TH_SYN | TH_ACK)) == TH_SYN;
}

/* qnet's IPv6 host addresses: [::1]:P forwards to the guest over IPv6, to
 * the address it used in neighbour discovery, or to the one given */
static void test_tcp_v6(struct user_backend *be)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6,
				 .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct in6_addr gw, me;
	struct tcp6_match m = {.dport = 23};
	struct user_err err;
	uint8_t f[128];
	uint16_t p;
	int s, ret;

	ret = user_fwd_add(be, "tcp:[::1]:0-:23", &err);
	if (ret == -EADDRNOTAVAIL || ret == -EAFNOSUPPORT) {
		printf("SKIP hostfwd [::1]: no IPv6 loopback (%s)\n",
		       strerror(-ret));
		return;
	}
	CHECK_EQ(ret, 0);
	CHECK_EQ(user_fwd_add(be, "tcp:[::1]:0-[fec0::99]:24", &err), 0);
	inet_pton(AF_INET6, "fec0::2", &gw);
	inet_pton(AF_INET6, "fec0::15", &me);
	uguest_send(&g, f, ub_ndp_ns(f, &me, &gw));
	uguest_run(&loop, 50);
	p = fwd_port(be, "tcp:[::1]:0-:23");
	CHECK(p != 0);
	a.sin6_port = htons(p);
	s = host_connect((struct sockaddr *)&a, sizeof(a));
	CHECK(uguest_wait(&g, is_tcp6_syn, &m, 3000) >= 0);
	CHECK(!memcmp(&m.dst, &me, 16));
	close(s);
	/* a second guest address, announced the same way */
	inet_pton(AF_INET6, "fec0::99", &me);
	uguest_send(&g, f, ub_ndp_ns(f, &me, &gw));
	a.sin6_port = htons(fwd_port(be, "tcp:[::1]:0-[fec0::99]:24"));
	m.dport = 24;
	s = host_connect((struct sockaddr *)&a, sizeof(a));
	CHECK(uguest_wait(&g, is_tcp6_syn, &m, 3000) >= 0);
	CHECK(!memcmp(&m.dst, &me, 16));
	close(s);
	CHECK_EQ(user_fwd_remove(be, "tcp:[::1]:0", &err), -ENOENT);
	snprintf((char *)f, sizeof(f), "tcp:[::1]:%u", p);
	CHECK_EQ(user_fwd_remove(be, (char *)f, &err), 0);
	printf("ok hostfwd tcp [::1]:%u -> SYN to [fec0::15]:23, and to "
	       "[fec0::99]:24\n",
	       p);
}

static void test_unix(struct user_backend *be)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char rule[160], spec[160];
	struct user_err err;
	struct stat st;
	int s;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/fwd.sock", tmpdir);
	snprintf(rule, sizeof(rule), "unix:%s-:24", a.sun_path);
	snprintf(spec, sizeof(spec), "unix:%s", a.sun_path);
	CHECK_EQ(user_fwd_add(be, rule, &err), 0);
	CHECK(!stat(a.sun_path, &st) && S_ISSOCK(st.st_mode));
	s = host_connect((struct sockaddr *)&a, sizeof(a));
	expect_syn(24);
	close(s);
	CHECK_EQ(user_fwd_remove(be, spec, &err), 0);
	CHECK(stat(a.sun_path, &st) && errno == ENOENT);
	printf("ok hostfwd unix -> SYN to :24, socket file removed\n");
}

/* a port taken by someone else: -EADDRINUSE, the other rules keep working */
static void test_conflict(struct user_backend *be)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct user_err err = {""};
	char rule[64];
	int t, u, s;

	t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!bind(t, (struct sockaddr *)&a, sizeof(a)) && !listen(t, 1));
	CHECK_EQ(getsockname(t, (struct sockaddr *)&a, &alen), 0);
	snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:25", ntohs(a.sin_port));
	CHECK_EQ(user_fwd_add(be, rule, &err), -EADDRINUSE);
	CHECK(strstr(err.msg, "Could not set up host forwarding rule '"));
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_port = 0;
	CHECK_EQ(bind(u, (struct sockaddr *)&a, sizeof(a)), 0);
	alen = sizeof(a);
	CHECK_EQ(getsockname(u, (struct sockaddr *)&a, &alen), 0);
	snprintf(rule, sizeof(rule), "udp:127.0.0.1:%u-:53", ntohs(a.sin_port));
	CHECK_EQ(user_fwd_add(be, rule, &err), -EADDRINUSE);
	/* the same rule twice */
	CHECK_EQ(user_fwd_add(be, "udp:127.0.0.1:0-:54", &err), 0);
	snprintf(rule, sizeof(rule), "udp:127.0.0.1:%u-:54",
		 fwd_port(be, "udp:127.0.0.1:0-:54"));
	CHECK_EQ(user_fwd_add(be, rule, &err), -EADDRINUSE);
	CHECK_EQ(user_fwd_add(be, "tcp::bad", &err), -EINVAL);
	CHECK_STR(err.msg,
		  "Invalid host forwarding rule 'tcp::bad' (Bad host port "
		  "separator)");
	s = connect4(fwd_port(be, "tcp:127.0.0.1:0-:22"));
	expect_syn(22);
	close(s);
	close(t);
	close(u);
	printf("ok taken ports: -EADDRINUSE, other rules still forward\n");
}

static void test_remove(struct user_backend *be)
{
	struct user_err err = {""};
	char spec[64], rule[64];
	uint16_t port;
	char c;
	int s;

	CHECK_EQ(user_fwd_remove(be, "bogus", &err), -EINVAL);
	CHECK_STR(err.msg, "invalid format");
	CHECK_EQ(user_fwd_remove(be, "tcp::1x", &err), -EINVAL);
	CHECK_EQ(user_fwd_remove(be, "tcp::1", &err), -ENOENT);
	CHECK_STR(err.msg, "host forwarding rule for tcp::1 not found");
	CHECK_EQ(user_fwd_add(be, "tcp:127.0.0.1:0-:26", &err), 0);
	port = fwd_port(be, "tcp:127.0.0.1:0-:26");
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", port);
	/* with a connection accepted on the same address */
	s = connect4(port);
	expect_syn(26);
	CHECK_EQ(user_fwd_remove(be, spec, &err), 0);
	/* the connection survives its listener (libslirp alone closes it) */
	CHECK(recv(s, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	CHECK_EQ(user_fwd_remove(be, spec, &err), -ENOENT);
	/* the port refuses connections at once */
	{
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons(port),
					.sin_addr.s_addr =
						htonl(INADDR_LOOPBACK)};
		int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		CHECK(connect(t, (struct sockaddr *)&a, sizeof(a)) &&
		      errno == ECONNREFUSED);
		close(t);
	}
	/* T-69: the same port again at once, while a connection of the old
	 * listener is still open (SO_REUSEADDR) */
	snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:27", port);
	CHECK_EQ(user_fwd_add(be, rule, &err), 0);
	uguest_run(&loop, 20); /* its poll request armed */
	CHECK(recv(s, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	close(s);
	CHECK_EQ(user_fwd_remove(be, spec, &err), 0);
	CHECK_EQ(user_fwd_add(be, rule, &err), 0);
	uguest_run(&loop, 20);
	CHECK_EQ(user_fwd_remove(be, spec, &err), 0);
	printf("ok remove: invalid format, not found, removed, re-added\n");
}

/* T-70: add and remove many times; fd count flat */
static void test_churn(struct user_backend *be)
{
	struct user_err err;
	int fds0, fds1, i;
	char spec[64];

	uguest_run(&loop, 20);
	fds0 = ub_fd_count();
	for (i = 0; i < 10000; i++) {
		const char *rule =
			i & 1 ? "udp:127.0.0.1:0-:60" : "tcp:127.0.0.1:0-:60";

		CHECK_EQ(user_fwd_add(be, rule, &err), 0);
		snprintf(spec, sizeof(spec), "%.3s:127.0.0.1:%u", rule,
			 fwd_port(be, rule));
		CHECK_EQ(user_fwd_remove(be, spec, &err), 0);
		if (i % 256 == 0)
			uloop_run_once(&loop, 0);
	}
	uguest_run(&loop, 50);
	fds1 = ub_fd_count();
	printf("churn: %d fds before, %d after 10000 add/remove\n", fds0, fds1);
	CHECK_EQ(fds1, fds0);
	printf("ok churn\n");
}

static void test_usernet(struct user_backend *be)
{
	char buf[4096], row[64];

	CHECK(user_info_usernet(be, -1, buf, sizeof(buf)) > 0);
	CHECK(!strncmp(buf,
		       "Hub -1 (n0):\n  Protocol[State]    FD  Source "
		       "Address  Port   Dest. Address  Port RecvQ SendQ\n",
		       93));
	snprintf(row, sizeof(row), "127.0.0.1 %5u       10.0.2.15    22",
		 fwd_port(be, "tcp:127.0.0.1:0-:22"));
	CHECK(strstr(buf, "TCP[HOST_FORWARD]"));
	CHECK(strstr(buf, row));
	printf("ok info usernet\n");
}

/* T-69: a privileged port without the capability: -EACCES */
static void test_privileged(void)
{
	struct user_config c;
	struct user_err err;
	struct user_backend *be;
	int st, ret;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			exit(77);
		if (uloop_init(&loop, NULL))
			exit(77);
		user_config_defaults(&c);
		CHECK_EQ(user_config_add_hostfwd(&c, "tcp:127.0.0.1:81-:80",
						 &err),
			 0);
		ret = user_open(&be, &c, &loop, "n0", &err);
		if (ret == 0)
			exit(77); /* ip_unprivileged_port_start lets us */
		CHECK_EQ(ret, -EACCES);
		CHECK_STR(err.msg, "Could not set up host forwarding rule "
				   "'tcp:127.0.0.1:81-:80'");
		exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77) {
		printf("SKIP privileged port: unprivileged binds allowed\n");
		return;
	}
	CHECK_EQ(WEXITSTATUS(st), 0);
	printf("ok privileged port: -EACCES\n");
}

/* user_open with a taken port fails with QEMU's text */
static void test_open_conflict(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct user_config c;
	struct user_err err;
	struct user_backend *be;
	char rule[64], want[128];
	int t;

	t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!bind(t, (struct sockaddr *)&a, sizeof(a)) && !listen(t, 1));
	CHECK_EQ(getsockname(t, (struct sockaddr *)&a, &alen), 0);
	snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:22", ntohs(a.sin_port));
	user_config_defaults(&c);
	CHECK_EQ(user_config_add_hostfwd(&c, "tcp:127.0.0.1:0-:21", &err), 0);
	CHECK_EQ(user_config_add_hostfwd(&c, rule, &err), 0);
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), -EADDRINUSE);
	snprintf(want, sizeof(want),
		 "Could not set up host forwarding rule '%s'", rule);
	CHECK_STR(err.msg, want);
	user_config_free(&c);
	close(t);
	uguest_run(&loop, 20);
	printf("ok user_open with a taken port: -EADDRINUSE\n");
}

/* guest SYN to 10.0.2.2:port where the host listens on 127.0.0.1:port */
static bool guest_connects(struct user_config *c, uint16_t port)
{
	struct tcp_match m = {.dport = 40001,
			      .sport = port,
			      .mask = TH_SYN | TH_ACK | TH_RST,
			      .flags = TH_SYN | TH_ACK};
	struct user_backend *be = be_open(c);
	uint8_t f[128];
	bool ok;

	uguest_send(&g, f,
		    ub_tcp(f, g.ip, 40001, ub_addr("10.0.2.2"), port, 1000, 0,
			   TH_SYN, NULL, 0));
	ok = uguest_wait(&g, is_tcp, &m, 700) >= 0;
	be_close(be);
	return ok;
}

/* restrict=on blocks what the guest starts, not forwards; host-loopback=off
 * (T-72) blocks the host's loopback services */
static void test_restrict(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct user_backend *be;
	struct user_config c;
	struct user_err err;
	int t, s;

	t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!bind(t, (struct sockaddr *)&a, sizeof(a)) && !listen(t, 4));
	CHECK_EQ(getsockname(t, (struct sockaddr *)&a, &alen), 0);
	user_config_defaults(&c);
	CHECK(guest_connects(&c, ntohs(a.sin_port)));
	c.host_loopback = false;
	CHECK(!guest_connects(&c, ntohs(a.sin_port)));
	c.host_loopback = true;
	c.restricted = true;
	CHECK(!guest_connects(&c, ntohs(a.sin_port)));
	CHECK_EQ(user_config_add_hostfwd(&c, "tcp:127.0.0.1:0-:22", &err), 0);
	be = be_open(&c);
	s = connect4(fwd_port(be, "tcp:127.0.0.1:0-:22"));
	expect_syn(22);
	close(s);
	be_close(be);
	user_config_free(&c);
	close(t);
	printf("ok restrict=on and host-loopback=off refuse the guest; "
	       "forwards work\n");
}

/* T-71: guestfwd cmd: runs without a shell; children reaped */
static void test_guestfwd_cmd(void)
{
	struct tcp_match m = {.dport = 40002,
			      .sport = 1234,
			      .mask = TH_SYN | TH_ACK,
			      .flags = TH_SYN | TH_ACK};
	struct tcp_match d = {
		.dport = 40002, .sport = 1234, .mask = 0, .flags = 0};
	struct in_addr srv = ub_addr("10.0.2.100");
	char rule[512], path1[128], path2[128];
	struct user_backend *be;
	struct user_config c;
	struct user_err err;
	uint8_t f[256];
	struct stat st;
	int i, st_;

	snprintf(path1, sizeof(path1), "%s/pwned1", tmpdir);
	snprintf(path2, sizeof(path2), "%s/pwned2", tmpdir);
	snprintf(rule, sizeof(rule),
		 "tcp:10.0.2.100:1234-cmd:/bin/echo a; touch %s | cat "
		 "$(touch %s) `id`",
		 path1, path2);
	user_config_defaults(&c);
	CHECK_EQ(user_config_add_guestfwd(&c, rule, &err), 0);
	be = be_open(&c);
	uguest_send(
		&g, f,
		ub_tcp(f, g.ip, 40002, srv, 1234, 5000, 0, TH_SYN, NULL, 0));
	CHECK(uguest_wait(&g, is_tcp, &m, 3000) >= 0);
	uguest_send(&g, f,
		    ub_tcp(f, g.ip, 40002, srv, 1234, 5001, m.seq + 1, TH_ACK,
			   NULL, 0));
	for (i = 0; i < 50; i++) {
		d.plen = 0;
		uguest_clear(&g);
		if (uguest_wait(&g, is_tcp, &d, 200) >= 0 && d.plen)
			break;
	}
	CHECK(d.plen > 0);
	printf("guestfwd output: %s", d.payload);
	CHECK(strstr(d.payload, "a; touch"));
	CHECK(strstr(d.payload, "$(touch"));
	CHECK(strstr(d.payload, "`id`"));
	CHECK(stat(path1, &st) && stat(path2, &st));
	uguest_send(
		&g, f,
		ub_tcp(f, g.ip, 40002, srv, 1234, 5001, 0, TH_RST, NULL, 0));
	be_close(be);
	user_config_free(&c);
	uguest_run(&loop, 100);
	CHECK(waitpid(-1, &st_, WNOHANG) == -1 && errno == ECHILD);
	printf("ok guestfwd cmd: no shell, no zombie\n");
}

static void test_guestfwd_refused(void)
{
	struct user_backend *be;
	struct user_config c;
	struct user_err err;

	user_config_defaults(&c);
	CHECK_EQ(user_config_add_guestfwd(
			 &c, "tcp:10.0.2.100:1-tcp:127.0.0.1:9", &err),
		 0);
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), -EINVAL);
	CHECK(strstr(err.msg, "Could not open guest forwarding device "
			      "'guestfwd.tcp.1'"));
	user_config_free(&c);
	user_config_defaults(&c);
	CHECK_EQ(user_config_add_guestfwd(&c, "tcp:10.0.2.2:1-cmd:cat", &err),
		 0);
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), -EINVAL);
	CHECK_STR(err.msg, "Conflicting/invalid host:port in guest forwarding "
			   "rule 'tcp:10.0.2.2:1-cmd:cat'");
	user_config_free(&c);
	user_config_defaults(&c);
	CHECK_EQ(user_config_add_guestfwd(&c, "tcp:10.0.2.9:1-cmd:ca\"t", &err),
		 0);
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), -EINVAL);
	CHECK(strstr(err.msg, "Invalid guest forwarding command in"));
	user_config_free(&c);
	uguest_run(&loop, 20);
	printf("ok guestfwd refusals\n");
}

/* remove the scratch directory and what tests left in it, even on failure */
static void rm_tmpdir(void)
{
	static const char *const names[] = { "fwd.sock", "pwned1", "pwned2" };
	char path[128];
	unsigned int i;

	if (!tmpdir[0] || getpid() != tmp_owner)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	struct user_backend *be;
	struct user_config c;
	struct user_err err;
	int ret;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/qnet_user_fwd.XXXXXX");
	CHECK(mkdtemp(tmpdir));
	tmp_owner = getpid();
	atexit(rm_tmpdir);
	test_privileged();
	ret = uloop_init(&loop, NULL);
	if (ret) {
		printf("SKIP: io_uring unavailable (%s)\n", strerror(-ret));
		return 77;
	}
	CHECK_EQ(uguest_init(&g, &loop), 0);
	user_config_defaults(&c);
	CHECK_EQ(user_config_add_hostfwd(&c, "tcp:127.0.0.1:0-:22", &err), 0);
	be = be_open(&c);
	test_tcp_v4(be);
	test_usernet(be);
	test_tcp_v6(be);
	test_unix(be);
	test_conflict(be);
	test_remove(be);
	test_churn(be);
	/* closing frees the ports at once: the same forward opens again */
	{
		struct user_fwd_entry e;
		char rule[64];
		uint16_t p;

		CHECK_EQ(user_fwd_list(be, &e, 1) > 0, 1);
		p = fwd_port(be, "tcp:127.0.0.1:0-:22");
		user_close(be);
		snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:22", p);
		user_config_free(&c);
		user_config_defaults(&c);
		CHECK_EQ(user_config_add_hostfwd(&c, rule, &err), 0);
		be = be_open(&c);
		printf("ok port %u free again right after close\n", p);
	}
	be_close(be);
	user_config_free(&c);
	test_open_conflict();
	test_restrict();
	test_guestfwd_cmd();
	test_guestfwd_refused();
	uguest_fini(&g);
	uloop_fini(&loop);
	return 0;
}
