// SPDX-License-Identifier: GPL-2.0-or-later
/* qnet: program entry. --dry-run builds and checks the network, no I/O. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ctl/daemon.h"
#include "ctl/netconf.h"

#define PROG "qnet"

/*
 * DOC: qnet --dry-run OPTIONS...
 *
 * Reads a QEMU network command line, builds and validates the network
 * exactly as QEMU 7.2 would, opens nothing, and prints:
 * - on stderr, QEMU's warnings and errors, with "qnet" as program name;
 * - on stdout, "info network" exactly as QEMU's human-monitor-command
 *   returns it (HMP lines end in "\r\n"), or the requested help text.
 * Exit status 0, or 1 on error. Without --dry-run qnet opens the network
 * and serves it (daemon.c); `qnet run ... -- QEMU...` wraps a VMM (run.c).
 */

/**
 * print_diags() - write the collected warnings and errors to stderr
 * @nc:	configuration
 */
static void print_diags(const struct netconf *nc)
{
	struct strbuf sb = STRBUF_INIT;

	diag_format_all(&nc->diag, PROG, &sb);
	fputs(strbuf_str(&sb), stderr);
	strbuf_free(&sb);
}

/**
 * print_hmp() - write monitor text with HMP's "\r\n" line ends
 * @text:	text with "\n" line ends
 */
static void print_hmp(const char *text)
{
	for (; *text; text++) {
		if (*text == '\n')
			putchar('\r');
		putchar(*text);
	}
}

int main(int argc, char **argv)
{
	struct strbuf help = STRBUF_INIT, info = STRBUF_INIT;
	struct netconf *nc = netconf_new();
	int ret, status = 1;

	/* libslirp sends with flags 0: a peer that closes first must not
	 * kill qnet (QEMU ignores SIGPIPE too) */
	signal(SIGPIPE, SIG_IGN);
	if (!nc) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "run")) {
		netconf_free(nc);
		return run_main(argc, argv, PROG);
	}
	ret = netconf_parse_args(nc, argc, argv, &help);
	if (ret == NETCONF_OK)
		ret = netconf_build(nc, &help);
	print_diags(nc);
	if (ret == NETCONF_OK && !nc->dry_run) {
		status = daemon_main(nc, PROG);
		goto out;
	}
	if (ret == NETCONF_HELP) {
		fputs(strbuf_str(&help), stdout);
		status = 0;
	} else if (ret == NETCONF_OK) {
		netconf_info_network(nc, &info);
		print_hmp(strbuf_str(&info));
		status = 0;
	} else if (!diag_last_error(&nc->diag)) {
		fprintf(stderr, PROG ": %s\n", strerror(-ret));
	}
out:
	fflush(stdout);
	strbuf_free(&help);
	strbuf_free(&info);
	netconf_free(nc);
	return status;
}
