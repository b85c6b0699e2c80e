// SPDX-License-Identifier: GPL-2.0-or-later
/* run.c: `qnet run [QNET_OPTIONS] -- QEMU_COMMAND...`: qnet serves the VM's network. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/daemon.h"
#include "ctl/run_argv.h"
#include "ctl/runtime.h"

/**
 * DOC: qnet run
 *
 * qnet takes the network options out of a QEMU command line (run_argv.c),
 * builds and opens that network itself, and starts QEMU with the rest of its
 * arguments plus, for each NIC, what its frontend needs (rt_fe_qemu.c): a
 * virtio-net NIC becomes qnet's vhost-user device (`-chardev socket` +
 * `-netdev vhost-user` + `-device ...,vectors=0`, and shared guest memory
 * when the command line has none); other models get a `-netdev stream`
 * that connects to the socket qnet already listens on (QEMU 7.2 does not
 * retry a missing socket). The `-device` keeps the NIC's own properties.
 * Without any network option QEMU's default network applies (`-net nic
 * -net user`), served by qnet. A command line with no NIC for QEMU gets
 * `-nic none` so QEMU adds no network of its own. SIGINT, SIGTERM and SIGHUP
 * go to QEMU; qnet exits with QEMU's status after removing everything it
 * created.
 */

/**
 * run_is_nic() - is a -device driver a NIC model qnet serves
 * @driver:	driver name
 *
 * Return: true for every NIC model qnet knows (QEMU's and qnet's own
 * netns) and their aliases
 */
static bool run_is_nic(const char *driver)
{
	return nicmodels_find_device(driver) != NULL;
}

/**
 * run_spawn() - start the VMM with signals back to their defaults
 * @argv:	its command line
 * @pid:	its process id
 *
 * Return: 0, or -errno
 */
static int run_spawn(char **argv, pid_t *pid)
{
	pid_t p = fork();

	if (p < 0)
		return -errno;
	if (p == 0) {
		sig_unblock_for_child();
		execvp(argv[0], argv);
		fprintf(stderr, "qnet: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	*pid = p;
	return 0;
}

/**
 * run_qnet_argv() - qnet's own argv: options before `--` plus the network
 * options taken from the VMM's command line
 * @argc:	entries in @argv
 * @argv:	`qnet run ... -- VMM...`
 * @ra:		the split VMM command line
 * @out:	output vector (caller frees)
 * @outc:	its length
 *
 * Return: 0, or -errno
 */
static int run_qnet_argv(int argc, char **argv, int dd,
			 const struct run_argv *ra, char ***out, int *outc)
{
	char **v = calloc((size_t)(dd + ra->nnet + 3), sizeof(char *));
	int i, n = 0;

	if (!v)
		return -ENOMEM;
	v[n++] = argv[0];
	for (i = 2; i < dd; i++)
		v[n++] = argv[i];
	if (ra->nodefaults)
		v[n++] = "-nodefaults";
	for (i = 0; i < ra->nnet; i++)
		v[n++] = ra->net[i];
	v[n] = NULL;
	*out = v;
	*outc = n;
	return 0;
}

/**
 * run_main() - `qnet run [QNET_OPTIONS] -- QEMU_COMMAND...`
 * @argc:	argument count
 * @argv:	arguments; argv[1] is "run"
 * @prog:	program name for messages
 *
 * Return: QEMU's exit status (128 + signal if it was killed), or 1 when
 * qnet itself fails
 */
int run_main(int argc, char **argv, const char *prog)
{
	struct strbuf help = STRBUF_INIT, warn = STRBUF_INIT;
	struct rt_argv vargv = { 0 };
	char **qargv = NULL;
	struct netconf *nc = NULL;
	struct run_argv ra = { 0 };
	int dd, qargc, ret, status = 1;
	struct rt rt;

	for (dd = 2; dd < argc && strcmp(argv[dd], "--"); dd++)
		;
	if (dd >= argc - 1) {
		fprintf(stderr, "usage: %s run [QNET_OPTIONS] -- QEMU_COMMAND...\n",
			prog);
		return 1;
	}
	if (run_argv_split(argc - dd - 1, argv + dd + 1, run_is_nic, &ra)) {
		fprintf(stderr, "%s: run: a network option lacks its value\n",
			prog);
		return 1;
	}
	nc = netconf_new();
	if (!nc || run_qnet_argv(argc, argv, dd, &ra, &qargv, &qargc))
		goto out;
	ret = netconf_parse_args(nc, qargc, qargv, &help);
	if (ret == NETCONF_OK)
		ret = netconf_build(nc, &help);
	{
		struct strbuf d = STRBUF_INIT;

		diag_format_all(&nc->diag, prog, &d);
		fputs(strbuf_str(&d), stderr);
		strbuf_free(&d);
	}
	if (ret != NETCONF_OK)
		goto out;
	if (daemon_start(&rt, nc, prog, true))
		goto out;
	ret = rt_qemu_argv(&rt, ra.vmm, ra.nvmm, &vargv, &warn);
	if (warn.len)
		fprintf(stderr, "%s: run: warning: %s\n", prog,
			strbuf_str(&warn));
	if (ret || run_spawn(vargv.v, &rt.child)) {
		fprintf(stderr, "%s: run: cannot start %s\n", prog, ra.vmm[0]);
		rt_fini(&rt);
		goto out;
	}
	if (rt_run(&rt))
		fprintf(stderr, "%s: run: event loop failed\n", prog);
	if (rt.child > 0) {	/* qnet is stopping first: stop the VMM too */
		kill(rt.child, SIGTERM);
		waitpid(rt.child, &rt.child_status, 0);
	}
	rt_fini(&rt);
	if (WIFEXITED(rt.child_status))
		status = WEXITSTATUS(rt.child_status);
	else if (WIFSIGNALED(rt.child_status))
		status = 128 + WTERMSIG(rt.child_status);
out:
	rt_argv_free(&vargv);
	free(qargv);
	run_argv_free(&ra);
	strbuf_free(&help);
	strbuf_free(&warn);
	netconf_free(nc);
	return status;
}
