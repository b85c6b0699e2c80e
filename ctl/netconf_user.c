// SPDX-License-Identifier: GPL-2.0-or-later
/* The user (libslirp) netdev's addresses, derived as QEMU derives them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/netconf.h"
#include "ctl/netconf_user.h"

/* The classful default mask QEMU picks for "net=ADDR" without a length. */
static uint32_t default_mask(uint32_t addr)
{
	if (!(addr & 0x80000000))
		return 0xff000000;
	if ((addr & 0xfff00000) == 0xac100000)
		return 0xfff00000;
	if ((addr & 0xc0000000) == 0x80000000)
		return 0xffff0000;
	if ((addr & 0xffff0000) == 0xc0a80000)
		return 0xffff0000;
	if ((addr & 0xffff0000) == 0xc6120000)
		return 0xfffe0000;
	if ((addr & 0xe0000000) == 0xe0000000)
		return 0xffffff00;
	return 0xfffffff0;
}

/* net=ADDR[/LEN|/MASK] */
static int parse_net(const char *v, struct nc_user_net *un, const char **why)
{
	char buf[20], *end;
	const char *slash = strchr(v, '/');
	size_t len;
	long shift;

	if (!slash) {
		if (!inet_aton(v, &un->net))
			return *why = "Failed to parse netmask", -EINVAL;
		un->mask.s_addr = htonl(default_mask(ntohl(un->net.s_addr)));
		return 0;
	}
	len = (size_t)(slash - v);
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (!inet_aton(buf, &un->net))
		return *why = "Failed to parse netmask", -EINVAL;
	v = slash + 1;
	shift = strtol(v, &end, 10);
	if (*end) {
		if (!inet_aton(v, &un->mask))
			return *why = "Failed to parse netmask (trailing "
				      "chars)", -EINVAL;
	} else if (shift < 4 || shift > 32) {
		return *why = "Invalid netmask provided (must be in range "
			      "4-32)", -EINVAL;
	} else {
		un->mask.s_addr =
			htonl((uint32_t)(0xffffffffULL << (32 - shift)));
	}
	return 0;
}

static bool in6_same_net(const struct in6_addr *a, const struct in6_addr *b,
			 int len)
{
	int i;

	for (i = 0; i < len; i++)
		if (((a->s6_addr[i / 8] ^ b->s6_addr[i / 8]) >>
		     (7 - i % 8)) & 1)
			return false;
	return true;
}

static void ipv4_ipv6(const struct json_value *o, struct nc_user_net *un)
{
	const struct json_value *v4 = json_object_get(o, "ipv4");
	const struct json_value *v6 = json_object_get(o, "ipv6");

	un->ipv4 = un->ipv6 = true;
	if ((v6 && v6->u.b && !v4) || (v4 && !v4->u.b))
		un->ipv4 = false;
	if ((v4 && v4->u.b && !v6) || (v6 && !v6->u.b))
		un->ipv6 = false;
}

static int ipv4_addrs(const struct json_value *o, struct nc_user_net *un,
		      const char **why)
{
	const char *net = netconf_opt_str(o, "net");
	const char *ip = netconf_opt_str(o, "ip");
	const char *host = netconf_opt_str(o, "host");
	const char *dns = netconf_opt_str(o, "dns");
	const char *dhcp = netconf_opt_str(o, "dhcpstart");
	const char *smb = netconf_opt_str(o, "smbserver");
	char ipnet[64];
	uint32_t m;

	if (!net && ip) {
		snprintf(ipnet, sizeof(ipnet), "%s/24", ip);
		net = ipnet;
	}
	if (!un->ipv4 && (net || host || dns))
		return *why = "IPv4 disabled but netmask/host/dns provided",
		       -EINVAL;
	if (!un->ipv6 && (netconf_opt_str(o, "ipv6-prefix") ||
			  netconf_opt_str(o, "ipv6-host") ||
			  netconf_opt_str(o, "ipv6-dns")))
		return *why = "IPv6 disabled but prefix/host6/dns6 provided",
		       -EINVAL;
	if (!un->ipv4 && !un->ipv6)
		return *why = "IPv4 and IPv6 disabled", -EINVAL;
	un->net.s_addr = htonl(0x0a000200);
	un->mask.s_addr = htonl(0xffffff00);
	un->host.s_addr = htonl(0x0a000202);
	un->dhcp.s_addr = htonl(0x0a00020f);
	un->dns.s_addr = htonl(0x0a000203);
	if (net) {
		if (parse_net(net, un, why))
			return -EINVAL;
		un->net.s_addr &= un->mask.s_addr;
		m = un->mask.s_addr;
		un->host.s_addr = un->net.s_addr | (htonl(0x0202) & ~m);
		un->dhcp.s_addr = un->net.s_addr | (htonl(0x020f) & ~m);
		un->dns.s_addr = un->net.s_addr | (htonl(0x0203) & ~m);
	}
	m = un->mask.s_addr;
	if (host && !inet_aton(host, &un->host))
		return *why = "Failed to parse host", -EINVAL;
	if ((un->host.s_addr & m) != un->net.s_addr)
		return *why = "Host doesn't belong to network", -EINVAL;
	if (dns && !inet_aton(dns, &un->dns))
		return *why = "Failed to parse DNS", -EINVAL;
	if (un->restricted && (un->dns.s_addr & m) != un->net.s_addr)
		return *why = "DNS doesn't belong to network", -EINVAL;
	if (un->dns.s_addr == un->host.s_addr)
		return *why = "DNS must be different from host", -EINVAL;
	if (dhcp && !inet_aton(dhcp, &un->dhcp))
		return *why = "Failed to parse DHCP start address", -EINVAL;
	if ((un->dhcp.s_addr & m) != un->net.s_addr)
		return *why = "DHCP doesn't belong to network", -EINVAL;
	if (un->dhcp.s_addr == un->host.s_addr ||
	    un->dhcp.s_addr == un->dns.s_addr)
		return *why = "DHCP must be different from host and DNS",
		       -EINVAL;
	un->smbsrv.s_addr = 0;
	if (smb && !inet_aton(smb, &un->smbsrv))
		return *why = "Failed to parse SMB address", -EINVAL;
	return 0;
}

static int ipv6_addrs(const struct json_value *o, struct nc_user_net *un,
		      const char **why)
{
	const char *prefix = netconf_opt_str(o, "ipv6-prefix");
	const char *host6 = netconf_opt_str(o, "ipv6-host");
	const char *dns6 = netconf_opt_str(o, "ipv6-dns");
	int64_t len = netconf_opt_int(o, "ipv6-prefixlen", 0);

	if (inet_pton(AF_INET6, prefix ? prefix : "fec0::", &un->prefix6) != 1)
		return *why = "Failed to parse IPv6 prefix", -EINVAL;
	if (!len)
		len = 64;
	if (len < 0 || len > 126)
		return *why = "Invalid IPv6 prefix provided (IPv6 prefix "
			      "length must be between 0 and 126)", -EINVAL;
	un->prefix6_len = (int)len;
	if (host6) {
		if (inet_pton(AF_INET6, host6, &un->host6) != 1)
			return *why = "Failed to parse IPv6 host", -EINVAL;
		if (!in6_same_net(&un->prefix6, &un->host6, un->prefix6_len))
			return *why = "IPv6 Host doesn't belong to network",
			       -EINVAL;
	} else {
		un->host6 = un->prefix6;
		un->host6.s6_addr[15] |= 2;
	}
	if (dns6) {
		if (inet_pton(AF_INET6, dns6, &un->dns6) != 1)
			return *why = "Failed to parse IPv6 DNS", -EINVAL;
		if (un->restricted &&
		    !in6_same_net(&un->prefix6, &un->dns6, un->prefix6_len))
			return *why = "IPv6 DNS doesn't belong to network",
			       -EINVAL;
	} else {
		un->dns6 = un->prefix6;
		un->dns6.s6_addr[15] |= 3;
	}
	return 0;
}

static int names(const struct json_value *o, const char **why)
{
	const char *dn = netconf_opt_str(o, "domainname");
	const char *hn = netconf_opt_str(o, "hostname");
	const char *tn = netconf_opt_str(o, "tftp-server-name");

	if (dn && !*dn)
		return *why = "'domainname' parameter cannot be empty", -EINVAL;
	if (dn && strlen(dn) > 255)
		return *why = "'domainname' parameter cannot exceed 255 bytes",
		       -EINVAL;
	if (hn && strlen(hn) > 255)
		return *why = "'vhostname' parameter cannot exceed 255 bytes",
		       -EINVAL;
	if (tn && strlen(tn) > 255)
		return *why = "'tftp-server-name' parameter cannot exceed 255 "
			      "bytes", -EINVAL;
	return 0;
}

/**
 * nc_user_net() - the addresses a user netdev uses, with QEMU's checks
 *	(net_slirp_init) in QEMU's order
 * @opts:	typed options of a user netdev
 * @un:		result
 * @why:	QEMU's error text on failure
 *
 * Return: 0, or -EINVAL
 */
int nc_user_net(const struct json_value *opts, struct nc_user_net *un,
		const char **why)
{
	memset(un, 0, sizeof(*un));
	un->restricted = netconf_opt_bool(opts, "restrict", false);
	ipv4_ipv6(opts, un);
	if (ipv4_addrs(opts, un, why) || ipv6_addrs(opts, un, why))
		return -EINVAL;
	return names(opts, why);
}
