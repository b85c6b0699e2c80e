// SPDX-License-Identifier: GPL-2.0-or-later
/* test_user_oracle.c: QEMU 7.2 itself gives the answers in ucases.h, and the same info usernet. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends/user.h"
#include "tests/unit/user/ucases.h"
#include "tests/unit/user/uguest.h"

#define QEMU "qemu-system-x86_64"

static char qout[1 << 16];

/**
 * run_qemu() - start QEMU paused with one netdev, send QMP, collect output
 * @netdev:	the -netdev value
 * @hmp:	an HMP command to run through QMP
 * @device:	add an e1000 peer
 *
 * Return: 0 with stdout+stderr in qout, or -1.
 */
static int run_qemu(const char *netdev, const char *hmp, bool device)
{
	const char *argv[] = {QEMU,
			      "-M",
			      "pc",
			      "-accel",
			      "tcg",
			      "-S",
			      "-display",
			      "none",
			      "-nodefaults",
			      "-qmp",
			      "stdio",
			      "-netdev",
			      netdev,
			      device ? "-device" : NULL,
			      "e1000,netdev=n0",
			      NULL};
	char cmds[512];
	int in[2], out[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	snprintf(cmds, sizeof(cmds),
		 "{\"execute\":\"qmp_capabilities\"}\n"
		 "{\"execute\":\"human-monitor-command\",\"arguments\":"
		 "{\"command-line\":\"%s\"}}\n{\"execute\":\"quit\"}\n",
		 hmp);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		alarm(20);
		execvp(QEMU, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], cmds, strlen(cmds)) < 0)
		perror("write");
	close(in[1]);
	while (got < sizeof(qout) - 1 &&
	       (n = read(out[0], qout + got, sizeof(qout) - 1 - got)) > 0)
		got += (size_t)n;
	qout[got] = '\0';
	close(out[0]);
	waitpid(pid, &st, 0);
	return 0;
}

/* QEMU's answer in ucases.h form */
static void qemu_answer(const char *netdev, char *ans, size_t len)
{
	char prefix[1400];
	const char *p, *e;

	snprintf(ans, len, "none");
	if (run_qemu(netdev, "info network", false))
		return;
	snprintf(prefix, sizeof(prefix), QEMU ": -netdev %s: ", netdev);
	for (p = qout; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, prefix, strlen(prefix)) &&
		    strncmp(p + strlen(prefix), "warning:", 8)) {
			p += strlen(prefix);
			e = strchr(p, '\n');
			snprintf(ans, len, "err:%.*s",
				 (int)(e ? e - p : (long)strlen(p)), p);
			return;
		}
	}
	p = strstr(qout, "\"n0: index=0,type=user,");
	if (p) {
		p += strlen("\"n0: index=0,type=user,");
		e = strstr(p, "\\r\\n");
		snprintf(ans, len, "info:%.*s", (int)(e ? e - p : 0), p);
	}
}

/* QEMU gives every non-UC_QNET answer of the table */
static void test_cases(void)
{
	char opts[1200], netdev[1300], ans[1600];
	unsigned int i, bad = 0, n = 0;

	for (i = 0; i < UCASES_N; i++) {
		if (ucases[i].flags & UC_QNET)
			continue;
		ucase_expand(ucases[i].opts, opts, sizeof(opts));
		snprintf(netdev, sizeof(netdev), "user,id=n0%s%s",
			 opts[0] ? "," : "", opts);
		qemu_answer(netdev, ans, sizeof(ans));
		n++;
		if (strcmp(ans, ucases[i].want)) {
			fprintf(stderr, "case '%s':\n  qemu %s\n  want %s\n",
				ucases[i].opts, ans, ucases[i].want);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
	printf("ok QEMU agrees on %u cases\n", n);
}

/* undo JSON string escapes and "\r\n", hide the FD column */
static void normalise(const char *in, char *out, size_t len)
{
	size_t o = 0, col = 0;

	for (; *in && *in != '"' && o + 1 < len; in++) {
		char c = *in;

		if (c == '\\') {
			c = *++in;
			if (c == 'r')
				continue;
			c = c == 'n' ? '\n' : c;
		}
		/* rows: "  TCP[STATE]        FD  ..." FD in columns 21..23 */
		if (col >= 20 && col <= 22 &&
		    (c == ' ' || (c >= '0' && c <= '9')) && o >= col &&
		    !strncmp(out + o - col, "  ", 2) &&
		    (out[o - col + 2] == 'T' || out[o - col + 2] == 'U'))
			c = '#';
		out[o++] = c;
		col = c == '\n' ? 0 : col + 1;
	}
	out[o] = '\0';
}

static uint16_t free_port(int type)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	CHECK(!bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK(!getsockname(s, (struct sockaddr *)&a, &alen));
	close(s);
	return ntohs(a.sin_port);
}

/* info usernet: QEMU's text and qnet's, for the same forwards */
static void test_usernet(void)
{
	char netdev[256], rules[3][64], want[4096], got[4096], raw[4096];
	struct user_config c;
	struct user_err err;
	struct user_backend *be;
	struct uloop loop;
	const char *p;
	unsigned int i;

	snprintf(rules[0], 64, "tcp:127.0.0.1:%u-:22", free_port(SOCK_STREAM));
	snprintf(rules[1], 64, "udp:127.0.0.1:%u-10.0.2.16:53",
		 free_port(SOCK_DGRAM));
	snprintf(rules[2], 64, "tcp::%u-10.0.2.20:80", free_port(SOCK_STREAM));
	snprintf(netdev, sizeof(netdev),
		 "user,id=n0,hostfwd=%s,hostfwd=%s,hostfwd=%s", rules[0],
		 rules[1], rules[2]);
	CHECK_EQ(run_qemu(netdev, "info usernet", true), 0);
	p = strstr(qout, "{\"return\": \"Hub");
	CHECK(p);
	normalise(p + strlen("{\"return\": \""), want, sizeof(want));
	CHECK_EQ(uloop_init(&loop, NULL), 0);
	user_config_defaults(&c);
	for (i = 0; i < 3; i++)
		CHECK_EQ(user_config_add_hostfwd(&c, rules[i], &err), 0);
	CHECK_EQ(user_open(&be, &c, &loop, "n0", &err), 0);
	CHECK(user_info_usernet(be, -1, raw, sizeof(raw)) > 0);
	normalise(raw, got, sizeof(got));
	if (strcmp(got, want))
		fprintf(stderr, "qemu:\n%s\nqnet:\n%s\n", want, got);
	CHECK_STR(got, want);
	user_close(be);
	uloop_run_once(&loop, 0);
	user_config_free(&c);
	uloop_fini(&loop);
	printf("ok info usernet matches QEMU:\n%s", got);
}

int main(void)
{
	if (run_qemu("user,id=n0", "info network", false) ||
	    !strstr(qout, "type=user")) {
		printf("SKIP: %s does not run here\n", QEMU);
		return 77;
	}
	test_cases();
	test_usernet();
	return 0;
}
