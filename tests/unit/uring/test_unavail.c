// SPDX-License-Identifier: GPL-2.0-or-later
/* T-76: io_uring denied by seccomp: the loop falls back to epoll, says so once, and works. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datapath/uring/uworker.h"
#include "tests/unit/uring/utest.h"

/* Make io_uring_setup(2) fail with @err in this process. */
static int deny_io_uring(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO |
				 ((unsigned int)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]),
		.filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}

/* The loop's job on the fallback: a pipe read that waits, a timer. */
static void check_works(struct uloop *loop)
{
	struct ut_io r;
	char buf[8] = "";
	int pfd[2];

	UT_EQ(pipe(pfd), 0);
	ut_io_init(&r);
	UT_EQ(uloop_read(loop, &r.op, pfd[0], buf, sizeof(buf), ULOOP_OFF_CUR,
			 0), 0);
	UT_EQ(uloop_run_once(loop, 0), 0);
	UT_CHECK(!r.done);		/* it waits for data */
	UT_EQ(write(pfd[1], "denied", 6), 6);
	UT_RUN_UNTIL(loop, r.done, 1000);
	UT_EQ(r.res, 6);
	UT_CHECK(!memcmp(buf, "denied", 6));
	close(pfd[0]);
	close(pfd[1]);
}

static int run_in_worker(struct uloop *loop, void *arg)
{
	check_works(loop);
	return 41;
}

/**
 * in_child() - run @fn(@arg) in a child whose stderr is a pipe
 * @fn:		what the child does (it exits with its status)
 * @arg:	passed to @fn
 * @out:	what the child wrote on stderr, NUL-terminated
 * @cap:	room in @out
 * @n:		set to the bytes read (<= 0: none)
 *
 * Return: the child's exit status (the test fails on a signal).
 */
static int in_child(int (*fn)(const void *arg), const void *arg, char *out,
		    size_t cap, ssize_t *n)
{
	int status, ep[2];
	pid_t pid;

	UT_EQ(pipe(ep), 0);
	pid = fork();
	UT_CHECK(pid >= 0);
	if (pid == 0) {
		dup2(ep[1], 2);
		_exit(fn(arg));
	}
	close(ep[1]);
	UT_EQ(waitpid(pid, &status, 0), pid);
	memset(out, 0, cap);
	*n = read(ep[0], out, cap - 1);
	close(ep[0]);
	fputs(out, stdout);
	UT_CHECK(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Child of check_denied(): deny io_uring with *@arg; a loop and a worker
 * fall back to epoll and work. */
static int denied_child(const void *arg)
{
	static struct uworker w;
	struct uloop loop;
	int ret = deny_io_uring(*(const int *)arg);

	if (ret) {
		printf("SKIP: cannot install a seccomp filter: %s\n",
		       strerror(-ret));
		fflush(stdout);
		return UT_SKIP;
	}
	UT_EQ(uloop_init(&loop, NULL), 0);
	UT_CHECK(uloop_features(&loop) & ULOOP_F_EMULATED);
	check_works(&loop);
	UT_EQ(uworker_start(&w, "denied", NULL, 0), 0);
	UT_EQ(uworker_call(&w, run_in_worker, NULL), 41);
	uworker_stop(&w);
	uloop_fini(&loop);
	return 0;
}

/*
 * In a child whose stderr is a pipe: deny io_uring with @err; uloop and
 * uworker fall back to epoll and work; one line says so.
 */
static void check_denied(int err)
{
	char out[512];
	ssize_t n;
	int st = in_child(denied_child, &err, out, sizeof(out), &n);

	if (st == UT_SKIP)
		exit(UT_SKIP);
	UT_EQ(st, 0);
	/* exactly one line, naming the reason, for two loops */
	UT_CHECK(n > 0 && strchr(out, '\n') == out + n - 1);
	UT_CHECK(strstr(out, "falls back to epoll") != NULL);
	UT_CHECK(strstr(out, strerror(err)) != NULL);
}

/* Child of check_env(): QNET_URING=@arg; two loops on io_uring. */
static int env_child(const void *arg)
{
	struct uloop a, b;

	setenv("QNET_URING", arg, 1);
	UT_EQ(uloop_init(&a, NULL), 0);
	UT_EQ(uloop_init(&b, NULL), 0);
	UT_CHECK(!(uloop_features(&a) & ULOOP_F_EMULATED));
	UT_CHECK(!(uloop_features(&b) & ULOOP_F_EMULATED));
	check_works(&a);
	uloop_fini(&b);
	uloop_fini(&a);
	return 0;
}

/*
 * In a child whose stderr is a pipe, with QNET_URING=@value: io_uring is
 * used (not the fallback); @line (or nothing, when NULL) is printed once
 * for two loops.
 */
static void check_env(const char *value, const char *line)
{
	char out[512];
	ssize_t n;

	UT_EQ(in_child(env_child, value, out, sizeof(out), &n), 0);
	if (!line) {
		UT_CHECK(n <= 0);
		return;
	}
	UT_CHECK(n > 0 && strchr(out, '\n') == out + n - 1);
	UT_CHECK(strstr(out, line) != NULL);
}

int main(void)
{
	struct uloop loop;

	/* only meaningful where io_uring works to begin with */
	ut_loop_init(&loop, NULL);
	if (uloop_features(&loop) & ULOOP_F_EMULATED) {
		printf("SKIP: no io_uring to deny (QNET_URING=epoll)\n");
		uloop_fini(&loop);
		return UT_SKIP;
	}
	uloop_fini(&loop);
	check_denied(EPERM);  /* kernel.io_uring_disabled=2, seccomp */
	check_denied(ENOSYS); /* old kernel, filtered syscall */
	printf("unavail: io_uring denied -> epoll fallback, one line, works\n");
	check_env("io_uring", NULL);
	check_env("", NULL);
	check_env("epol", "QNET_URING='epol' is not understood");
	printf("unavail: QNET_URING=io_uring or empty: io_uring, quietly; "
	       "a value not understood: io_uring, said once\n");
	return 0;
}
