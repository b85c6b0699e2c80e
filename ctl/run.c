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
 * arguments plus, for each NIC, a `-netdev stream` that connects to the
 * socket qnet already listens on (QEMU 7.2 does not retry a missing
 * socket) and a `-device MODEL,netdev=...,mac=...` keeping the NIC's own
 * properties. Without any network option QEMU's default network applies
 * (`-net nic -net user`), served by qnet. A command line with no NIC gets
 * `-nic none` so QEMU adds no network of its own. SIGINT, SIGTERM and SIGHUP
 * go to QEMU; qnet exits with QEMU's status after removing everything it
 * created.
 */

#define RUN_ARGS_MAX 4096

/**
 * run_is_nic() - is a -device driver a NIC model qnet serves
 * @driver:	driver name
 *
 * Return: true for e1000, rtl8139, virtio-net-pci and their aliases
 */
static bool run_is_nic(const char *driver)
{
	size_t i;

	for (i = 0; nicmodels[i]; i++) {
		const struct nicmodel *m = nicmodels[i];

		if (!strcmp(m->name, driver) ||
		    (m->alias && !strcmp(m->alias, driver)))
			return true;
	}
	return false;
}

/**
 * run_prop_value() - a NIC property's value as QEMU option text
 * @v:		the value
 * @out:	text output (',' doubled)
 *
 * Return: 0, or -EINVAL for values that have no option spelling
 */
static int run_prop_value(const struct json_value *v, struct strbuf *out)
{
	const char *s;

	switch (v->type) {
	case JSON_STRING:
		for (s = v->u.s; *s; s++) {
			if (*s == ',')
				strbuf_putc(out, ',');
			strbuf_putc(out, *s);
		}
		return 0;
	case JSON_BOOL:
		return strbuf_puts(out, v->u.b ? "on" : "off");
	case JSON_INT:
		return strbuf_printf(out, "%lld", (long long)v->u.i);
	case JSON_UINT:
		return strbuf_printf(out, "%llu", (unsigned long long)v->u.u);
	default:
		return -EINVAL;
	}
}

/**
 * run_device_arg() - the QEMU `-device` text for one served NIC
 * @nic:	the NIC
 * @out:	text output
 *
 * Properties the user gave on `-device` travel along, except those qnet
 * now owns (netdev, mac, attach).
 */
static void run_device_arg(const struct netconf_nic *nic, struct strbuf *out)
{
	static const char *const skip[] = { "driver", "netdev", "mac",
					    "attach", "macaddr", "model",
					    "type", NULL };
	char mac[18];
	size_t i, k;

	netconf_format_mac(nic->mac, mac);
	strbuf_printf(out, "%s,netdev=%s,mac=%s", nic->model->name, nic->name,
		      mac);
	if (nic->origin != NETCONF_FROM_DEVICE || !nic->props ||
	    nic->props->type != JSON_OBJECT)
		return;
	for (i = 0; i < nic->props->u.obj.n; i++) {
		const struct json_member *m = &nic->props->u.obj.m[i];

		for (k = 0; skip[k] && strcmp(skip[k], m->key); k++)
			;
		if (skip[k])
			continue;
		strbuf_printf(out, ",%s=", m->key);
		run_prop_value(m->val, out);
	}
}

/**
 * run_vmm_argv() - QEMU's command line: its own arguments plus the NICs
 * @rt:		runtime with every NIC open
 * @ra:		the split command line
 * @args:	text of the added arguments (kept alive by the caller)
 * @argv:	output vector, NULL-ended, at most RUN_ARGS_MAX entries
 *
 * Return: 0, or -E2BIG
 */
static int run_vmm_argv(struct rt *rt, const struct run_argv *ra,
			struct strbuf *args, char **argv)
{
	size_t i, n = 0, nnics = rt->nc->nnics;
	int k;

	if ((size_t)ra->nvmm + 4 * nnics + 3 > RUN_ARGS_MAX)
		return -E2BIG;
	for (k = 0; k < ra->nvmm; k++)
		argv[n++] = ra->vmm[k];
	for (i = 0; i < nnics; i++) {
		struct rt_nic *rnic = rt->nc->nics[i]->priv;

		strbuf_reset(&args[2 * i]);
		strbuf_reset(&args[2 * i + 1]);
		strbuf_puts(&args[2 * i], rnic->qemu);
		run_device_arg(rt->nc->nics[i], &args[2 * i + 1]);
		argv[n++] = "-netdev";
		argv[n++] = (char *)strbuf_str(&args[2 * i]);
		argv[n++] = "-device";
		argv[n++] = (char *)strbuf_str(&args[2 * i + 1]);
	}
	if (!nnics) {
		argv[n++] = "-nic";
		argv[n++] = "none";
	}
	argv[n] = NULL;
	return 0;
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
	struct strbuf help = STRBUF_INIT, *args = NULL;
	char **qargv = NULL, *vargv[RUN_ARGS_MAX + 1];
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
	if (daemon_start(&rt, nc, prog))
		goto out;
	args = calloc(2 * nc->nnics + 1, sizeof(*args));
	if (!args || run_vmm_argv(&rt, &ra, args, vargv) ||
	    run_spawn(vargv, &rt.child)) {
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
	if (args)
		for (dd = 0; dd < (int)(2 * (nc ? nc->nnics : 0)); dd++)
			strbuf_free(&args[dd]);
	free(args);
	free(qargv);
	run_argv_free(&ra);
	strbuf_free(&help);
	netconf_free(nc);
	return status;
}
