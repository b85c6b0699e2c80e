// SPDX-License-Identifier: GPL-2.0-or-later
/* Test helper: run a qnet command line through the option model. */
#ifndef QNET_TESTS_UNIT_CTL_RUN_H
#define QNET_TESTS_UNIT_CTL_RUN_H

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf.h"

/**
 * struct run - what qnet --dry-run would print for one command line
 * @status:	NETCONF_OK, NETCONF_HELP or -errno
 * @out:	stdout: info network ("\n" line ends) or help text
 * @err:	stderr: warnings and errors, program name "qnet"
 * @nc:		the model (freed by run_free)
 */
struct run {
	int status;
	char *out;
	char *err;
	struct netconf *nc;
};

/* Replace every "#net<digits>" by "#netN" in place (ids are generated). */
static inline void run_norm(char *s)
{
	char *p = s, *q;

	while ((p = strstr(p, "#net"))) {
		p += 4;
		q = p;
		while (isdigit((unsigned char)*q))
			q++;
		if (q > p) {
			*p = 'N';
			memmove(p + 1, q, strlen(q) + 1);
		}
	}
}

/* Run the NULL-terminated argument list (without argv[0], --dry-run is
 * added). */
static inline struct run run_argv(const char *first, ...)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *argv[64];
	struct run r = { 0 };
	const char *a;
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"qnet";
	argv[argc++] = (char *)"--dry-run";
	va_start(ap, first);
	for (a = first; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	r.nc = netconf_new();
	r.status = netconf_parse_args(r.nc, argc, argv, &out);
	if (r.status == NETCONF_OK)
		r.status = netconf_build(r.nc, &out);
	if (r.status == NETCONF_OK)
		netconf_info_network(r.nc, &out);
	diag_format_all(&r.nc->diag, "qnet", &err);
	r.out = strbuf_steal(&out);
	r.err = strbuf_steal(&err);
	run_norm(r.out);
	run_norm(r.err);
	return r;
}

static inline void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	netconf_free(r->nc);
}

/* Check one command line: status, stdout and stderr. */
#define RUN_CHECK(status_, out_, err_, ...)                               \
	do {                                                              \
		struct run r_ = run_argv(__VA_ARGS__, NULL);              \
		CHECK_EQ_INT(r_.status, status_);                         \
		CHECK_STR(r_.out, out_);                                  \
		CHECK_STR(r_.err, err_);                                  \
		run_free(&r_);                                            \
	} while (0)

#define RUN_ERR(err_, ...) RUN_CHECK(-EINVAL, "", err_, __VA_ARGS__)

#endif /* QNET_TESTS_UNIT_CTL_RUN_H */
