// SPDX-License-Identifier: GPL-2.0-or-later
/* user_opts.c: raw -netdev user option strings (QemuOpts level): keys, last-wins, lists. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/user.h"

/* clang-format off */
static const char *const user_opt_names[] = {
	[USER_OPT_HOSTNAME]		= "hostname",
	[USER_OPT_RESTRICT]		= "restrict",
	[USER_OPT_IPV4]			= "ipv4",
	[USER_OPT_IPV6]			= "ipv6",
	[USER_OPT_IP]			= "ip",
	[USER_OPT_NET]			= "net",
	[USER_OPT_HOST]			= "host",
	[USER_OPT_TFTP]			= "tftp",
	[USER_OPT_BOOTFILE]		= "bootfile",
	[USER_OPT_DHCPSTART]		= "dhcpstart",
	[USER_OPT_DNS]			= "dns",
	[USER_OPT_DNSSEARCH]		= "dnssearch",
	[USER_OPT_DOMAINNAME]		= "domainname",
	[USER_OPT_IPV6_PREFIX]		= "ipv6-prefix",
	[USER_OPT_IPV6_PREFIXLEN]	= "ipv6-prefixlen",
	[USER_OPT_IPV6_HOST]		= "ipv6-host",
	[USER_OPT_IPV6_DNS]		= "ipv6-dns",
	[USER_OPT_SMB]			= "smb",
	[USER_OPT_SMBSERVER]		= "smbserver",
	[USER_OPT_HOSTFWD]		= "hostfwd",
	[USER_OPT_GUESTFWD]		= "guestfwd",
	[USER_OPT_TFTP_SERVER_NAME]	= "tftp-server-name",
	[USER_OPT_IPV6_NET]		= "ipv6-net",
	[USER_OPT_MTU]			= "mtu",
	[USER_OPT_MRU]			= "mru",
	[USER_OPT_HOST_LOOPBACK]	= "host-loopback",
	[USER_OPT_OUTBOUND]		= "outbound",
	[USER_OPT_OUTBOUND6]		= "outbound6",
	[USER_OPT_DHCP]			= "dhcp",
	[USER_OPT_DNS_PROXY]		= "dns-proxy",
};
/* clang-format on */

_Static_assert(sizeof(user_opt_names) / sizeof(user_opt_names[0]) ==
		       USER_OPT_COUNT,
	       "every option has a name");

/**
 * user_opt_repeatable() - whether a key accumulates (QEMU's list keys)
 * @opt:	the key
 *
 * Return: true for hostfwd, guestfwd and dnssearch.
 */
static bool user_opt_repeatable(enum user_opt opt)
{
	return opt == USER_OPT_HOSTFWD || opt == USER_OPT_GUESTFWD ||
	       opt == USER_OPT_DNSSEARCH;
}

/**
 * user_opt_name() - the key text of an option
 * @opt:	the option
 *
 * Return: its name ("ipv6-prefixlen"), or NULL for a value out of range.
 */
const char *user_opt_name(enum user_opt opt)
{
	if ((unsigned int)opt >= USER_OPT_COUNT)
		return NULL;
	return user_opt_names[opt];
}

/**
 * user_opt_lookup() - the option a key names
 * @key:	key text ("net", "hostfwd", ...)
 *
 * Return: the enum user_opt value, or -ENOENT when -netdev user has no
 * such key (QEMU: "Invalid parameter 'KEY'").
 */
int user_opt_lookup(const char *key)
{
	unsigned int i;

	for (i = 0; i < USER_OPT_COUNT; i++)
		if (!strcmp(key, user_opt_names[i]))
			return (int)i;
	return -ENOENT;
}

/**
 * user_opts_init() - empty option set
 * @o:	the set
 */
void user_opts_init(struct user_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/**
 * user_opts_free() - free every string of an option set, leaving it empty
 * @o:	the set
 */
void user_opts_free(struct user_opts *o)
{
	unsigned int i, j;

	for (i = 0; i < USER_OPT_COUNT; i++) {
		free(o->val[i]);
		for (j = 0; j < o->list[i].n; j++)
			free(o->list[i].v[j]);
		free(o->list[i].v);
	}
	memset(o, 0, sizeof(*o));
}

/**
 * user_opts_set() - record key=value as QemuOpts does
 * @o:		the set
 * @key:	the key ("restrict", "hostfwd", ...; not "id" or "type")
 * @value:	its value, unparsed
 *
 * A repeated key replaces the earlier value (last wins), except hostfwd,
 * guestfwd and dnssearch, which accumulate in order.  Values are checked
 * later by user_config_from_opts(), in QEMU's order.
 *
 * Return: 0; -ENOENT for a key -netdev user does not have (ctl prints
 * "Invalid parameter 'KEY'"); -ENOMEM.
 */
int user_opts_set(struct user_opts *o, const char *key, const char *value)
{
	int opt = user_opt_lookup(key);
	struct user_opt_list *l;
	char *copy, **v;

	if (opt < 0)
		return opt;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	if (!user_opt_repeatable((enum user_opt)opt)) {
		free(o->val[opt]);
		o->val[opt] = copy;
		return 0;
	}
	l = &o->list[opt];
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = copy;
	return 0;
}
