/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run_argv.h: split a QEMU command line into network options and the rest. */
#ifndef QNET_CTL_RUN_ARGV_H
#define QNET_CTL_RUN_ARGV_H

#include <stdbool.h>

/**
 * struct run_argv - a QEMU command line taken apart for `qnet run`
 * @vmm:	the VMM's arguments qnet leaves alone (argv[0] first), NULL-ended
 * @nvmm:	entries in @vmm (without the NULL)
 * @net:	network options as qnet argv pairs ("-netdev", "user,id=n0"),
 *		in command-line order, NULL-ended
 * @nnet:	entries in @net (without the NULL)
 * @nodefaults:	the command line has -nodefaults (kept in @vmm as well)
 */
struct run_argv {
	char **vmm;
	int nvmm;
	char **net;
	int nnet;
	bool nodefaults;
};

int run_argv_split(int argc, char **argv,
		   bool (*is_nic)(const char *driver), struct run_argv *out);
void run_argv_free(struct run_argv *ra);
int run_argv_device_driver(const char *arg, char *buf, unsigned int size);

#endif /* QNET_CTL_RUN_ARGV_H */
