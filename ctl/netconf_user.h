// SPDX-License-Identifier: GPL-2.0-or-later
/* The user (libslirp) netdev's addresses, derived as QEMU derives them. */
#ifndef QNET_CTL_NETCONF_USER_H
#define QNET_CTL_NETCONF_USER_H

#include <netinet/in.h>
#include <stdbool.h>

#include "ctl/json.h"

/**
 * struct nc_user_net - the effective addresses of a user netdev
 * @ipv4:	IPv4 enabled
 * @ipv6:	IPv6 enabled
 * @net:	network address (masked)
 * @mask:	netmask
 * @host:	host address seen by the guest
 * @dhcp:	first DHCP address
 * @dns:	DNS address
 * @smbsrv:	SMB server address (0 when not given)
 * @prefix6:	IPv6 prefix
 * @prefix6_len: IPv6 prefix length
 * @host6:	IPv6 host address
 * @dns6:	IPv6 DNS address
 * @restricted:	restrict=on
 */
struct nc_user_net {
	bool ipv4, ipv6;
	struct in_addr net, mask, host, dhcp, dns, smbsrv;
	struct in6_addr prefix6;
	int prefix6_len;
	struct in6_addr host6, dns6;
	bool restricted;
};

int nc_user_net(const struct json_value *opts, struct nc_user_net *un,
		const char **why);
int nc_user_hostfwd_check(const char *rule, const char **why);

#endif /* QNET_CTL_NETCONF_USER_H */
