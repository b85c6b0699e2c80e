// SPDX-License-Identifier: GPL-2.0-or-later
/* End-to-end test of `qnet --dry-run`: exit status, stdout, stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/strbuf.h"
#include "tests/unit/ctl/check.h"

static const char *qnet;

struct result {
	int status;
	struct strbuf out, err;
};

static void drain(int fd, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
}

/* Run qnet with the NULL-terminated arguments. */
static struct result run(const char *first, ...)
{
	struct result r = { -1, STRBUF_INIT, STRBUF_INIT };
	int out[2], err[2], st;
	const char *argv[32];
	va_list ap;
	int argc = 0;
	pid_t pid;

	argv[argc++] = qnet;
	va_start(ap, first);
	for (const char *a = first; a && argc < 31;
	     a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	if (pipe(out) || pipe(err))
		return r;
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(qnet, (char **)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	drain(out[0], &r.out);
	drain(err[0], &r.err);
	close(out[0]);
	close(err[0]);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r.status = WEXITSTATUS(st);
	return r;
}

static void done(struct result *r)
{
	strbuf_free(&r->out);
	strbuf_free(&r->err);
}

static void test_info_network(void)
{
	struct result r = run("--dry-run", "-netdev", "user,id=n0", "-device",
			      "e1000,netdev=n0", NULL);

	CHECK_EQ_INT(r.status, 0);
	/* HMP line ends, as human-monitor-command returns them */
	CHECK_STR(strbuf_str(&r.out),
		  "e1000.0: index=0,type=nic,model=e1000,"
		  "macaddr=52:54:00:12:34:56\r\n"
		  " \\ n0: index=0,type=user,net=10.0.2.0,restrict=off\r\n");
	CHECK_STR(strbuf_str(&r.err), "");
	done(&r);
}

static void test_errors(void)
{
	struct result r = run("--dry-run", "-netdev", "user,id=n0,foo=bar",
			      NULL);

	CHECK_EQ_INT(r.status, 1);
	CHECK_STR(strbuf_str(&r.out), "");
	CHECK_STR(strbuf_str(&r.err), "qnet: -netdev user,id=n0,foo=bar: "
		  "Invalid parameter 'foo'\n");
	done(&r);
	r = run("--dry-run", "-bogus", NULL);
	CHECK_EQ_INT(r.status, 1);
	CHECK_STR(strbuf_str(&r.err), "qnet: -bogus: invalid option\n");
	done(&r);
	/* warnings go to stderr, the exit status stays 0 */
	r = run("--dry-run", "-netdev", "user,id=n0", NULL);
	CHECK_EQ_INT(r.status, 0);
	CHECK_STR(strbuf_str(&r.err), "qnet: warning: netdev n0 has no peer\n");
	done(&r);
}

static void test_help_and_modes(void)
{
	struct result r = run("--dry-run", "-netdev", "help", NULL);

	CHECK_EQ_INT(r.status, 0);
	CHECK(!strncmp(strbuf_str(&r.out), "Available netdev backend types:\n"
		       "socket\n", 39));
	done(&r);
	r = run("--help-netdev", "user", NULL);
	CHECK_EQ_INT(r.status, 0);
	CHECK(strstr(strbuf_str(&r.out), "  hostfwd=<str>") != NULL);
	done(&r);
	r = run("--version", NULL);
	CHECK_EQ_INT(r.status, 0);
	CHECK(!strncmp(strbuf_str(&r.out), "qnet version ", 13));
	done(&r);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s QNET\n", argv[0]);
		return 1;
	}
	qnet = argv[1];
	RUN(test_info_network);
	RUN(test_errors);
	RUN(test_help_and_modes);
	return check_report();
}
