// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp_crash.c: a qnet killed with its program attached and pinned: the next start of the instance cleans it all. */

#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/afxdp.h"
#include "datapath/bpf/bpfpin.h"
#include "tests/netns/xdp_env.h"

static struct xe e;

/* The doomed qnet: pins, attaches, then dies without cleaning up. */
static int doomed(const char *inst, int ready)
{
	struct afxdp_config cfg = {
		.ifname = e.a, .mode = AFXDP_MODE_NATIVE, .frames = 256,
		.ring_size = 128,
	};
	static struct bpfpin pins;
	struct uloop loop;
	struct afxdp *a;

	XE_EQ(uloop_init(&loop, NULL), 0);
	XE_EQ(bpfpin_open(&pins, inst), 0);
	cfg.pins = &pins;
	XE_EQ(afxdp_open(&a, &cfg, &loop, "x0"), 0);
	XE_EQ(write(ready, "1", 1), 1);
	pause();
	return 1;
}

int main(void)
{
	char inst[64], dir[PATH_MAX], out[4096], c;
	struct bpfpin pins;
	int p[2], status;
	pid_t pid;

	xe_require("stale pin cleanup");
	xe_init(&e, 1);
	snprintf(inst, sizeof(inst), "crash-%d", (int)getpid());
	XE_EQ(pipe(p), 0);
	fflush(stdout);
	pid = fork();
	XE_CHECK(pid >= 0);
	if (!pid)
		_exit(doomed(inst, p[1]));
	XE_EQ(read(p[0], &c, 1), 1);
	XE_EQ(kill(pid, SIGKILL), 0);
	XE_EQ(waitpid(pid, &status, 0), pid);

	/* what a crash leaves: the pins and the attached program */
	snprintf(dir, sizeof(dir), "%s/%s", BPFPIN_DIR, inst);
	XE_EQ(access(dir, F_OK), 0);
	XE_EQ(xe_sh_out(&e, false, out, sizeof(out), "ip link show %s", e.a), 0);
	XE_CHECK(strstr(out, "xdp"));

	/* the restart cleans its own instance */
	XE_EQ(bpfpin_open(&pins, inst), 0);
	printf("restart: %u stale directories removed, %u programs detached\n",
	       pins.stale_cleaned, pins.detached);
	XE_CHECK(pins.stale_cleaned >= 1);
	XE_EQ(pins.detached, 1);
	XE_EQ(xe_sh_out(&e, false, out, sizeof(out), "ip link show %s", e.a), 0);
	XE_CHECK(!strstr(out, "xdp"));
	/* a live owner is not disturbed: a second open of the name is refused */
	{
		struct bpfpin again;

		XE_EQ(bpfpin_open(&again, inst), -EBUSY);
	}
	bpfpin_close(&pins);
	XE_CHECK(access(dir, F_OK) != 0);
	xe_fini(&e);
	printf("crash cleanup: ok\n");
	return 0;
}
