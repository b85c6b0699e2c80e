// SPDX-License-Identifier: GPL-2.0-or-later
/* T-76 (first half): io_uring denied by seccomp is an -errno from init. */

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

/* In a child: deny io_uring with @err, expect uloop and uworker to say so. */
static void check_denied(int err)
{
	static struct uworker w;
	struct uloop loop;
	int status, ret;
	pid_t pid;

	pid = fork();
	UT_CHECK(pid >= 0);
	if (pid == 0) {
		ret = deny_io_uring(err);
		if (ret) {
			printf("SKIP: cannot install a seccomp filter: %s\n",
			       strerror(-ret));
			fflush(stdout);
			_exit(UT_SKIP);
		}
		UT_EQ(uloop_init(&loop, NULL), -err);
		UT_EQ(uworker_start(&w, "denied", NULL, 0), -err);
		_exit(0);
	}
	UT_EQ(waitpid(pid, &status, 0), pid);
	UT_CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) == UT_SKIP)
		exit(UT_SKIP);
	UT_EQ(WEXITSTATUS(status), 0);
}

int main(void)
{
	struct uloop loop;

	/* only meaningful where io_uring works to begin with */
	ut_loop_init(&loop, NULL);
	uloop_fini(&loop);
	check_denied(EPERM);  /* kernel.io_uring_disabled=2, seccomp */
	check_denied(ENOSYS); /* old kernel, filtered syscall */
	printf("unavail: io_uring denied -> uloop_init -EPERM/-ENOSYS\n");
	return 0;
}
