// SPDX-License-Identifier: GPL-2.0-or-later
/* test_user_config.c: -netdev user options, QEMU's texts, rule grammars, typed checks. */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/user.h"
#include "tests/unit/user/ucases.h"
#include "tests/unit/user/uguest.h"

/* every case gives the answer QEMU 7.2 gives (test_user_oracle checks
 * the table against QEMU itself) */
static void test_cases(struct uloop *loop)
{
	char opts[1200], got[1600];
	unsigned int i, bad = 0;

	for (i = 0; i < UCASES_N; i++) {
		ucase_expand(ucases[i].opts, opts, sizeof(opts));
		CHECK_EQ(ucase_answer(opts, loop, got, sizeof(got)), 0);
		if (strcmp(got, ucases[i].want)) {
			fprintf(stderr, "case '%s':\n  got  %s\n  want %s\n",
				ucases[i].opts, got, ucases[i].want);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
	printf("ok %zu option cases\n", UCASES_N);
}

struct fwd_case {
	const char *rule;
	const char *why; /* NULL: valid, then @canon is its canonical text */
	const char *canon;
};

/* hostfwd rules: QEMU's reasons, and what valid ones mean */
static void test_fwd_parse(void)
{
	static const struct fwd_case cases[] = {
		{"tcp::5555-:22", NULL, "tcp:0.0.0.0:5555-0.0.0.0:22"},
		{":127.0.0.1:80-10.0.2.16:8080", NULL,
		 "tcp:127.0.0.1:80-10.0.2.16:8080"},
		{"udp:0x7f000001:0x10-:010", NULL,
		 "udp:127.0.0.1:16-0.0.0.0:8"},
		{"tcp::-:6", NULL, "tcp:0.0.0.0:0-0.0.0.0:6"},
		{"tcp:[::1]:8080-:80", NULL, "tcp:[::1]:8080-[::]:80"},
		{"tcp:[::]:8080-[fec0::15]:80", NULL,
		 "tcp:[::]:8080-[fec0::15]:80"},
		{"unix:/tmp/x.sock-:22", NULL, "unix:/tmp/x.sock-0.0.0.0:22"},
		{"tcp::bad", "Bad host port separator", NULL},
		{"nocolon", "No : separators", NULL},
		{"sctp::1-:2", "Bad protocol name", NULL},
		{"tcp:localhost:1-:2", "Bad host address", NULL},
		{"tcp:[::1]8080-:80", "Bad host address", NULL},
		{"tcp:[zz]:8080-:80", "Bad host address", NULL},
		{"tcp::65536-:2", "Bad host port", NULL},
		{"tcp::1-2", "Missing guest address", NULL},
		{"tcp::1-bad:2", "Bad guest address", NULL},
		{"tcp::1-:65536", "Bad guest port", NULL},
		{"unix:", "Missing - separator", NULL},
		{"unix:tmp/x-:1", "unix socket path must be absolute", NULL},
	};
	struct user_fwd_rule r;
	const char *why;
	char buf[256], path[300];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = user_fwd_parse(cases[i].rule, &r, &why);

		if (!cases[i].why) {
			if (ret)
				fprintf(stderr, "%s: %s\n", cases[i].rule, why);
			CHECK_EQ(ret, 0);
			user_fwd_format(&r, buf, sizeof(buf));
			CHECK_STR(buf, cases[i].canon);
		} else {
			CHECK_EQ(ret, -EINVAL);
			CHECK_STR(why, cases[i].why);
		}
	}
	memset(path, 'a', sizeof(path));
	memcpy(path, "unix:/", 6);
	strcpy(path + 120, "-:1");
	CHECK_EQ(user_fwd_parse(path, &r, &why), -EINVAL);
	CHECK_STR(why, "Unix socket path is too long");
	CHECK_EQ(user_fwd_parse("tcp:127.0.0.1:8080-:22", &r, NULL), 0);
	CHECK_EQ(user_fwd_host_port(&r), 8080);
	CHECK_EQ(r.guest_port, 22);
	CHECK_EQ(r.proto, USER_FWD_TCP);
	printf("ok hostfwd grammar\n");
}

/* hostfwd_remove: [tcp|udp]:[addr]:port, decimal int port */
static void test_remove_parse(void)
{
	static const char *const good[] = {"tcp::5555",	  ":127.0.0.1:1",
					   "udp::010",	  "tcp::-1",
					   "unix:/tmp/x", "tcp:[::1]:80"};
	static const char *const bad[] = {
		"tcp:5555",	    "tcp::",	"tcp::0x10",
		"tcp::1x",	    "xx::1",	":::1",
		"tcp::99999999999", "unix:rel", "tcp:bad"};
	struct user_fwd_rule r;
	const char *why;
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK_EQ(user_fwd_parse_remove(good[i], &r, &why), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(user_fwd_parse_remove(bad[i], &r, &why), -EINVAL);
		CHECK_STR(why, "invalid format");
	}
	CHECK_EQ(user_fwd_parse_remove("udp::010", &r, NULL), 0);
	CHECK_EQ(user_fwd_host_port(&r), 10);
	CHECK_EQ(r.proto, USER_FWD_UDP);
	printf("ok hostfwd_remove grammar\n");
}

static void test_guestfwd_parse(void)
{
	struct user_guestfwd_rule r;

	CHECK_EQ(
		user_guestfwd_parse("tcp:10.0.2.100:1234-cmd:nc x 1", &r, NULL),
		0);
	CHECK_EQ(r.kind, USER_GUESTFWD_CMD);
	CHECK_STR(r.target, "nc x 1");
	CHECK_EQ(r.port, 1234);
	CHECK_EQ(user_guestfwd_parse("::5-unix:/run/s", &r, NULL), 0);
	CHECK_EQ(r.kind, USER_GUESTFWD_UNIX);
	CHECK_STR(r.target, "/run/s");
	CHECK_EQ(r.server.s_addr, 0);
	CHECK_EQ(user_guestfwd_parse("tcp:1.2.3.4:5-tcp:h:1", &r, NULL), 0);
	CHECK_EQ(r.kind, USER_GUESTFWD_DEV);
	CHECK_EQ(user_guestfwd_parse("tcp:1.2.3.4:5", &r, NULL), -EINVAL);
	CHECK_EQ(user_guestfwd_parse("tcp:1.2.3.4:70000-cmd:x", &r, NULL),
		 -EINVAL);
	printf("ok guestfwd grammar\n");
}

/* derived addresses follow QEMU (net | .2/.3/.15, prefix | ::2/::3) */
static void test_derived(void)
{
	struct user_config c;
	struct user_opts o;
	struct user_err err;
	char a[64];

	user_opts_init(&o);
	CHECK_EQ(user_opts_set(&o, "net", "192.168.76.0/24"), 0);
	CHECK_EQ(user_opts_set(&o, "ipv6-net", "fd00:1::/48"), 0);
	CHECK_EQ(user_opts_set(&o, "hostfwd", "tcp::1-:2"), 0);
	CHECK_EQ(user_opts_set(&o, "hostfwd", "udp::3-:4"), 0);
	CHECK_EQ(user_opts_set(&o, "mtu", "9000"), 0);
	CHECK_EQ(user_opts_set(&o, "bogus", "1"), -ENOENT);
	CHECK_EQ(user_opt_lookup("tftp-server-name"),
		 USER_OPT_TFTP_SERVER_NAME);
	CHECK_STR(user_opt_name(USER_OPT_DNS_PROXY), "dns-proxy");
	CHECK_EQ(user_config_from_opts(&c, &o, &err), 0);
	user_opts_free(&o);
	CHECK_STR(inet_ntop(AF_INET, &c.host, a, sizeof(a)), "192.168.76.2");
	CHECK_STR(inet_ntop(AF_INET, &c.dns, a, sizeof(a)), "192.168.76.3");
	CHECK_STR(inet_ntop(AF_INET, &c.dhcp_start, a, sizeof(a)),
		  "192.168.76.15");
	CHECK_STR(inet_ntop(AF_INET, &c.mask, a, sizeof(a)), "255.255.255.0");
	CHECK_STR(inet_ntop(AF_INET6, &c.ipv6_host, a, sizeof(a)), "fd00:1::2");
	CHECK_STR(inet_ntop(AF_INET6, &c.ipv6_dns, a, sizeof(a)), "fd00:1::3");
	CHECK_EQ(c.ipv6_prefixlen, 48);
	CHECK_EQ(c.mtu, 9000);
	CHECK_EQ(c.nhostfwd, 2);
	CHECK_STR(c.hostfwd[1].text, "udp::3-:4");
	CHECK_EQ(c.hostfwd[1].rule.proto, USER_FWD_UDP);
	user_info_network(&c, a, sizeof(a));
	CHECK_STR(a, "net=192.168.76.0,restrict=off");
	user_config_free(&c);
	printf("ok derived addresses\n");
}

/* a config built directly is checked like options */
static void test_typed_check(void)
{
	struct user_config c, d;
	struct user_err err;

	user_config_defaults(&c);
	CHECK_EQ(user_config_check(&c, &err), 0);
	c.dns = c.host;
	CHECK_EQ(user_config_check(&c, &err), -EINVAL);
	CHECK_STR(err.msg, "DNS must be different from host");
	user_config_defaults(&c);
	c.ipv4 = c.ipv6 = false;
	CHECK_EQ(user_config_check(&c, &err), -EINVAL);
	CHECK_STR(err.msg, "IPv4 and IPv6 disabled");
	user_config_defaults(&c);
	c.ipv6_prefixlen = 127;
	CHECK_EQ(user_config_check(&c, &err), -EINVAL);
	user_config_defaults(&c);
	c.mtu = 67;
	CHECK_EQ(user_config_check(&c, &err), -EINVAL);
	CHECK_STR(err.msg, "'mtu' must be between 68 and 65521");
	user_config_defaults(&c);
	CHECK_EQ(user_config_set_str(&c.hostname, "vm"), 0);
	CHECK_EQ(user_config_add_dnssearch(&c, "example.org"), 0);
	CHECK_EQ(user_config_add_hostfwd(&c, "tcp::1-:1", &err), 0);
	CHECK_EQ(user_config_add_guestfwd(&c, "tcp:10.0.2.9:1-cmd:cat", &err),
		 0);
	CHECK_EQ(user_config_add_hostfwd(&c, "tcp::1", &err), -EINVAL);
	CHECK_STR(err.msg, "Invalid host forwarding rule 'tcp::1' (Bad host "
			   "port separator)");
	CHECK_EQ(user_config_copy(&d, &c), 0);
	user_config_free(&c);
	CHECK_STR(d.hostname, "vm");
	CHECK_STR(d.dnssearch[0], "example.org");
	CHECK_STR(d.guestfwd[0].rule.target, "cat");
	CHECK(d.guestfwd[0].rule.target > d.guestfwd[0].text);
	CHECK_EQ(user_config_check(&d, &err), 0);
	user_config_free(&d);
	printf("ok typed checks, copy, free\n");
}

/* libslirp's own glib messages are captured for ctl, not printed */
static void test_log(struct uloop *loop)
{
	struct user_backend *be;
	struct user_config c;
	struct user_err err;
	char msg[300];

	while (user_log_take(msg, sizeof(msg)))
		;
	user_config_defaults(&c);
	CHECK_EQ(user_config_add_dnssearch(&c, ""), 0);
	CHECK_EQ(user_open(&be, &c, loop, "n0", &err), 0);
	CHECK(user_log_take(msg, sizeof(msg)) > 0);
	CHECK_STR(msg, "failed to parse domain name ''");
	CHECK_EQ(user_log_take(msg, sizeof(msg)), 0);
	user_close(be);
	uloop_run_once(loop, 0);
	user_config_free(&c);
	printf("ok libslirp's warning captured\n");
}

/* the one qnet-smb.* directory under @dir, or "" */
static void find_smb_dir(const char *dir, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	out[0] = '\0';
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "qnet-smb.", 9))
			snprintf(out, len, "%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
}

/* smb=: QEMU's errors, a private smb.conf exporting the directory as
 * share "qemu", removed at close (smbd itself is not installed here:
 * /bin/true stands in, the exec happens only when a guest connects) */
static void test_smb(struct uloop *loop)
{
	char tmp[64], share[96], dir[400], conf[512], line[256];
	struct user_backend *be;
	struct user_config c;
	struct user_err err;
	bool found = false;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "/tmp/qnet_user_smb.XXXXXX");
	CHECK(mkdtemp(tmp));
	snprintf(share, sizeof(share), "%s/share", tmp);
	CHECK_EQ(mkdir(share, 0700), 0);
	setenv("TMPDIR", tmp, 1);
	user_config_defaults(&c);
	CHECK_EQ(user_config_set_str(&c.smb, share), 0);
	CHECK_EQ(user_config_set_str(&c.smbd, "/nonexistent/smbd"), 0);
	CHECK_EQ(user_open(&be, &c, loop, "n0", &err), -ENOENT);
	CHECK_STR(err.msg, "Could not find '/nonexistent/smbd', please install "
			   "it");
	CHECK_EQ(user_config_set_str(&c.smbd, "/bin/true"), 0);
	CHECK_EQ(user_config_set_str(&c.smb, "/nonexistent"), 0);
	CHECK_EQ(user_open(&be, &c, loop, "n0", &err), -ENOENT);
	CHECK_STR(err.msg, "Error accessing shared directory '/nonexistent': "
			   "No such file or directory");
	CHECK_EQ(user_config_set_str(&c.smb, share), 0);
	CHECK_EQ(user_open(&be, &c, loop, "n0", &err), 0);
	find_smb_dir(tmp, dir, sizeof(dir));
	CHECK(dir[0]);
	snprintf(conf, sizeof(conf), "%s/smb.conf", dir);
	f = fopen(conf, "r");
	CHECK(f);
	snprintf(line, sizeof(line), "path=%s\n", share);
	while (fgets(conf, sizeof(conf), f))
		found |= !strcmp(conf, line);
	fclose(f);
	CHECK(found);
	user_close(be);
	uloop_run_once(loop, 0);
	find_smb_dir(tmp, dir, sizeof(dir));
	CHECK(!dir[0]);
	unsetenv("TMPDIR");
	CHECK_EQ(rmdir(share), 0);
	CHECK_EQ(rmdir(tmp), 0);
	user_config_free(&c);
	printf("ok smb: errors, private smb.conf, cleanup\n");
}

int main(void)
{
	struct uloop loop;
	int ret;

	test_fwd_parse();
	test_remove_parse();
	test_guestfwd_parse();
	test_derived();
	test_typed_check();
	ret = uloop_init(&loop, NULL);
	if (ret) {
		printf("SKIP option cases: io_uring unavailable (%s)\n",
		       strerror(-ret));
		return 0;
	}
	test_cases(&loop);
	test_log(&loop);
	test_smb(&loop);
	uloop_fini(&loop);
	return 0;
}
