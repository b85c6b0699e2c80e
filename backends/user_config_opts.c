// SPDX-License-Identifier: GPL-2.0-or-later
/* user_config_opts.c: -netdev user option strings to a typed config, with QEMU 7.2's rules and texts. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/user_int.h"

/**
 * DOC: from options to config
 *
 * user_config_from_opts() reproduces what QEMU 7.2 does between its option
 * parser and slirp_new(), step by step, so the first error found is the one
 * QEMU reports:
 *
 * 1. ipv6-net=PREFIX[/LEN] becomes ipv6-prefix and ipv6-prefixlen (it wins
 *    over both); LEN must be a decimal number ("Parameter 'ipv6-prefixlen'
 *    expects a number").
 * 2. Typed values in schema order: restrict, ipv4, ipv6 ("Parameter 'X'
 *    expects 'on' or 'off'"), ipv6-prefixlen ("expects an int64 value"),
 *    then qnet's mtu, mru (68..65521), host-loopback, dhcp, dns-proxy.
 * 3. ipv4/ipv6: ipv6=on alone turns IPv4 off and vice versa.
 * 4. net (or ip=A as A/24): classful mask without "/", else /N (4..32) or
 *    /dotted-mask; host, DHCP start and DNS follow the network unless given.
 * 5. Addresses and their membership checks, in QEMU's order; IPv6 prefix,
 *    length (0 means 64), host and DNS; name lengths.
 * 6. Rules: guestfwd rules last to first, then hostfwd rules last to first
 *    (QEMU pushes them on a list head); each cut to 1023 bytes.
 * 7. qnet's outbound addresses.
 */

/**
 * struct opts_state - what was given, and intermediate values
 * @o:		the options
 * @v4_net:	text of the network (net, or ip + "/24"), or NULL
 * @v6_prefix:	text of the IPv6 prefix (ipv6-prefix, or from ipv6-net)
 * @has_prefixlen: a prefix length was given
 * @prefixlen:	its value as QEMU keeps it (an int)
 * @netbuf:	storage for ip + "/24"
 * @prefixbuf:	storage for the prefix part of ipv6-net
 */
struct opts_state {
	const struct user_opts *o;
	const char *v4_net;
	const char *v6_prefix;
	bool has_prefixlen;
	int prefixlen;
	char netbuf[128];
	char prefixbuf[128];
};

static const char *opt(const struct opts_state *s, enum user_opt k)
{
	return s->o->val[k];
}

/**
 * parse_bool() - QemuOpts boolean: on/yes/true/y, off/no/false/n
 * @s:		state
 * @k:		key
 * @out:	set when the key was given and is valid
 * @err:	"Parameter 'KEY' expects 'on' or 'off'"
 *
 * Return: 0 or -EINVAL.
 */
static int parse_bool(const struct opts_state *s, enum user_opt k, bool *out,
		      struct user_err *err)
{
	const char *v = opt(s, k);

	if (!v)
		return 0;
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") ||
	    !strcmp(v, "y")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") ||
	    !strcmp(v, "n")) {
		*out = false;
		return 0;
	}
	return user_err_set(err, -EINVAL,
			    "Parameter '%s' expects 'on' or 'off'",
			    user_opt_name(k));
}

/**
 * parse_int64() - QemuOpts integer: strtoll base 0 over the whole text
 * @v:		text
 * @name:	key, for the message
 * @out:	value
 * @err:	"Parameter 'KEY' expects an int64 value"
 *
 * Return: 0 or -EINVAL.
 */
static int parse_int64(const char *v, const char *name, long long *out,
		       struct user_err *err)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 0);
	if (end == v || *end || errno)
		return user_err_set(err, -EINVAL,
				    "Parameter '%s' expects an int64 value",
				    name);
	return 0;
}

/**
 * split_ipv6_net() - step 1: ipv6-net=PREFIX[/LEN]
 * @s:		state
 * @err:	"Parameter 'ipv6-prefixlen' expects a number"
 *
 * Return: 0 or -EINVAL.
 */
static int split_ipv6_net(struct opts_state *s, struct user_err *err)
{
	const char *v = opt(s, USER_OPT_IPV6_NET), *slash;
	unsigned long long len = 64;
	size_t n;
	char *end;

	if (!v)
		return 0;
	slash = strchr(v, '/');
	n = slash ? (size_t)(slash - v) : strlen(v);
	if (n >= sizeof(s->prefixbuf))
		n = sizeof(s->prefixbuf) - 1;
	memcpy(s->prefixbuf, v, n);
	s->prefixbuf[n] = '\0';
	if (slash) {
		errno = 0;
		len = strtoull(slash + 1, &end, 10);
		if (end == slash + 1 || *end || errno)
			return user_err_set(
				err, -EINVAL,
				"Parameter 'ipv6-prefixlen' expects "
				"a number");
	}
	s->v6_prefix = s->prefixbuf;
	s->has_prefixlen = true;
	s->prefixlen = (int)(long long)len;
	return 0;
}

/**
 * parse_typed() - step 2: typed values in schema order
 * @s:		state
 * @c:		config receiving them
 * @b:		ipv4 (b[0]) and ipv6 (b[1]) as given
 * @err:	first error
 *
 * Return: 0 or -EINVAL.
 */
static int parse_typed(struct opts_state *s, struct user_config *c, bool b[2],
		       struct user_err *err)
{
	static const enum user_opt mtus[] = {USER_OPT_MTU, USER_OPT_MRU};
	unsigned int *mtu_out[] = {&c->mtu, &c->mru};
	long long v;
	unsigned int i;

	if (parse_bool(s, USER_OPT_RESTRICT, &c->restricted, err) ||
	    parse_bool(s, USER_OPT_IPV4, &b[0], err) ||
	    parse_bool(s, USER_OPT_IPV6, &b[1], err))
		return -EINVAL;
	if (!s->has_prefixlen && opt(s, USER_OPT_IPV6_PREFIXLEN)) {
		if (parse_int64(opt(s, USER_OPT_IPV6_PREFIXLEN),
				"ipv6-prefixlen", &v, err))
			return -EINVAL;
		s->has_prefixlen = true;
		s->prefixlen = (int)v;
	}
	if (!s->v6_prefix)
		s->v6_prefix = opt(s, USER_OPT_IPV6_PREFIX);
	for (i = 0; i < 2; i++) {
		if (!opt(s, mtus[i]))
			continue;
		if (parse_int64(opt(s, mtus[i]), user_opt_name(mtus[i]), &v,
				err))
			return -EINVAL;
		if (v < USER_MTU_MIN || v > USER_MTU_MAX)
			return user_err_set(err, -EINVAL,
					    "'%s' must be between %d and %d",
					    user_opt_name(mtus[i]),
					    USER_MTU_MIN, USER_MTU_MAX);
		*mtu_out[i] = (unsigned int)v;
	}
	if (parse_bool(s, USER_OPT_HOST_LOOPBACK, &c->host_loopback, err) ||
	    parse_bool(s, USER_OPT_DHCP, &c->dhcp, err) ||
	    parse_bool(s, USER_OPT_DNS_PROXY, &c->dns_proxy, err))
		return -EINVAL;
	return 0;
}

/**
 * pick_families() - step 3, and QEMU's "disabled but provided" checks
 * @s:		state
 * @c:		config (ipv4/ipv6 set here)
 * @b:		ipv4 and ipv6 values as given
 * @err:	first error
 *
 * Return: 0 or -EINVAL.
 */
static int pick_families(struct opts_state *s, struct user_config *c,
			 const bool b[2], struct user_err *err)
{
	bool has4 = opt(s, USER_OPT_IPV4), has6 = opt(s, USER_OPT_IPV6);

	c->ipv4 = !((has6 && b[1] && !has4) || (has4 && !b[0]));
	c->ipv6 = !((has4 && b[0] && !has6) || (has6 && !b[1]));
	s->v4_net = opt(s, USER_OPT_NET);
	if (!s->v4_net && opt(s, USER_OPT_IP)) {
		snprintf(s->netbuf, sizeof(s->netbuf), "%s/24",
			 opt(s, USER_OPT_IP));
		s->v4_net = s->netbuf;
	}
	if (!c->ipv4 &&
	    (s->v4_net || opt(s, USER_OPT_HOST) || opt(s, USER_OPT_DNS)))
		return user_err_set(err, -EINVAL,
				    "IPv4 disabled but netmask/host/dns "
				    "provided");
	if (!c->ipv6 && (s->v6_prefix || opt(s, USER_OPT_IPV6_HOST) ||
			 opt(s, USER_OPT_IPV6_DNS)))
		return user_err_set(err, -EINVAL,
				    "IPv6 disabled but prefix/host6/dns6 "
				    "provided");
	if (!c->ipv4 && !c->ipv6)
		return user_err_set(err, -EINVAL, "IPv4 and IPv6 disabled");
	return 0;
}

/**
 * classful_mask() - the mask QEMU infers for a network given without /
 * @net:	the network (network order)
 *
 * Return: the mask (network order).
 */
static uint32_t classful_mask(struct in_addr net)
{
	uint32_t a = ntohl(net.s_addr);

	if (!(a & 0x80000000))
		return htonl(0xff000000);
	if ((a & 0xfff00000) == 0xac100000)
		return htonl(0xfff00000);
	if ((a & 0xc0000000) == 0x80000000)
		return htonl(0xffff0000);
	if ((a & 0xffff0000) == 0xc0a80000)
		return htonl(0xffff0000);
	if ((a & 0xffff0000) == 0xc6120000)
		return htonl(0xfffe0000);
	if ((a & 0xe0000000) == 0xe0000000)
		return htonl(0xffffff00);
	return htonl(0xfffffff0);
}

/**
 * parse_net() - step 4: the network and what follows from it
 * @s:		state
 * @c:		config
 * @err:	first error
 *
 * Return: 0 or -EINVAL.
 */
static int parse_net(const struct opts_state *s, struct user_config *c,
		     struct user_err *err)
{
	const char *v = s->v4_net, *slash;
	char buf[20], *end;
	size_t n;
	long shift;

	if (!v)
		return 0;
	slash = strchr(v, '/');
	if (!slash) {
		if (!inet_aton(v, &c->net))
			return user_err_set(err, -EINVAL,
					    "Failed to parse netmask");
		c->mask.s_addr = classful_mask(c->net);
	} else {
		n = (size_t)(slash - v);
		if (n > sizeof(buf) - 1)
			n = sizeof(buf) - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
		if (!inet_aton(buf, &c->net))
			return user_err_set(err, -EINVAL,
					    "Failed to parse netmask");
		shift = strtol(slash + 1, &end, 10);
		if (*end) {
			if (!inet_aton(slash + 1, &c->mask))
				return user_err_set(err, -EINVAL,
						    "Failed to parse netmask "
						    "(trailing chars)");
		} else if (shift < 4 || shift > 32) {
			return user_err_set(err, -EINVAL,
					    "Invalid netmask provided (must be "
					    "in range 4-32)");
		} else {
			c->mask.s_addr = htonl(0xffffffffu << (32 - shift));
		}
	}
	c->net.s_addr &= c->mask.s_addr;
	c->host.s_addr = c->net.s_addr | (htonl(0x0202) & ~c->mask.s_addr);
	c->dhcp_start.s_addr =
		c->net.s_addr | (htonl(0x020f) & ~c->mask.s_addr);
	c->dns.s_addr = c->net.s_addr | (htonl(0x0203) & ~c->mask.s_addr);
	return 0;
}

/**
 * parse_addr() - an optional IPv4 address option
 * @s:		state
 * @k:		key
 * @out:	set when given and valid
 * @what:	message on failure ("Failed to parse host")
 * @err:	error
 *
 * Return: 0 or -EINVAL.
 */
static int parse_addr(const struct opts_state *s, enum user_opt k,
		      struct in_addr *out, const char *what,
		      struct user_err *err)
{
	if (opt(s, k) && !inet_aton(opt(s, k), out))
		return user_err_set(err, -EINVAL, "%s", what);
	return 0;
}

/**
 * parse_v4() - step 5 for IPv4: host, DNS, DHCP, SMB, in QEMU's order
 * @s:		state
 * @c:		config
 * @err:	first error
 *
 * Return: 0 or -EINVAL.
 */
static int parse_v4(const struct opts_state *s, struct user_config *c,
		    struct user_err *err)
{
	if (parse_addr(s, USER_OPT_HOST, &c->host, "Failed to parse host", err))
		return -EINVAL;
	if ((c->host.s_addr & c->mask.s_addr) != c->net.s_addr)
		return user_err_set(err, -EINVAL,
				    "Host doesn't belong to network");
	if (parse_addr(s, USER_OPT_DNS, &c->dns, "Failed to parse DNS", err))
		return -EINVAL;
	if (c->restricted && (c->dns.s_addr & c->mask.s_addr) != c->net.s_addr)
		return user_err_set(err, -EINVAL,
				    "DNS doesn't belong to network");
	if (c->dns.s_addr == c->host.s_addr)
		return user_err_set(err, -EINVAL,
				    "DNS must be different from host");
	if (parse_addr(s, USER_OPT_DHCPSTART, &c->dhcp_start,
		       "Failed to parse DHCP start address", err))
		return -EINVAL;
	if (user_check_v4(c, err))
		return -EINVAL;
	return parse_addr(s, USER_OPT_SMBSERVER, &c->smbserver,
			  "Failed to parse SMB address", err);
}

/**
 * parse_v6() - step 5 for IPv6: prefix, length, host, DNS
 * @s:		state
 * @c:		config
 * @err:	first error
 *
 * Return: 0 or -EINVAL.
 */
static int parse_v6(const struct opts_state *s, struct user_config *c,
		    struct user_err *err)
{
	const char *prefix = s->v6_prefix ? s->v6_prefix : "fec0::";
	const char *h = opt(s, USER_OPT_IPV6_HOST),
		   *d = opt(s, USER_OPT_IPV6_DNS);
	int len = s->has_prefixlen ? s->prefixlen : 0;

	if (inet_pton(AF_INET6, prefix, &c->ipv6_prefix) != 1)
		return user_err_set(err, -EINVAL,
				    "Failed to parse IPv6 prefix");
	if (!len)
		len = 64;
	if (len < 0 || len > 126)
		return user_err_set(err, -EINVAL,
				    "Invalid IPv6 prefix provided (IPv6 prefix "
				    "length must be between 0 and 126)");
	c->ipv6_prefixlen = (unsigned int)len;
	c->ipv6_host = c->ipv6_prefix;
	c->ipv6_host.s6_addr[15] |= 2;
	if (h && inet_pton(AF_INET6, h, &c->ipv6_host) != 1)
		return user_err_set(err, -EINVAL, "Failed to parse IPv6 host");
	if (!user_in6_same_net(&c->ipv6_prefix, &c->ipv6_host, (unsigned)len))
		return user_err_set(err, -EINVAL,
				    "IPv6 Host doesn't belong to network");
	c->ipv6_dns = c->ipv6_prefix;
	c->ipv6_dns.s6_addr[15] |= 3;
	if (d && inet_pton(AF_INET6, d, &c->ipv6_dns) != 1)
		return user_err_set(err, -EINVAL, "Failed to parse IPv6 DNS");
	return user_check_v6(c, err);
}

/**
 * copy_strings() - the string options and the DNS search list
 * @s:		state
 * @c:		config
 *
 * Return: 0 or -ENOMEM.
 */
static int copy_strings(const struct opts_state *s, struct user_config *c)
{
	const struct user_opt_list *l = &s->o->list[USER_OPT_DNSSEARCH];
	unsigned int i;
	int ret = 0;

	ret = ret
		      ?: user_config_set_str(&c->hostname,
					     opt(s, USER_OPT_HOSTNAME));
	ret = ret ?: user_config_set_str(&c->tftp, opt(s, USER_OPT_TFTP));
	ret = ret
		      ?: user_config_set_str(&c->tftp_server_name,
					     opt(s, USER_OPT_TFTP_SERVER_NAME));
	ret = ret
		      ?: user_config_set_str(&c->bootfile,
					     opt(s, USER_OPT_BOOTFILE));
	ret = ret ?: user_config_set_str(&c->smb, opt(s, USER_OPT_SMB));
	ret = ret
		      ?: user_config_set_str(&c->domainname,
					     opt(s, USER_OPT_DOMAINNAME));
	for (i = 0; !ret && i < l->n; i++)
		ret = user_config_add_dnssearch(c, l->v[i]);
	return ret;
}

/**
 * check_rules() - step 6: rule syntax in the order QEMU applies rules
 * @s:		state
 * @err:	the first bad rule's message
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
static int check_rules(const struct opts_state *s, struct user_err *err)
{
	const struct user_opt_list *g = &s->o->list[USER_OPT_GUESTFWD];
	const struct user_opt_list *h = &s->o->list[USER_OPT_HOSTFWD];
	struct user_config probe;
	unsigned int i;
	int ret = 0;

	user_config_defaults(&probe);
	for (i = g->n; !ret && i > 0; i--)
		ret = user_config_add_guestfwd(&probe, g->v[i - 1], err);
	for (i = h->n; !ret && i > 0; i--)
		ret = user_config_add_hostfwd(&probe, h->v[i - 1], err);
	user_config_free(&probe);
	return ret;
}

/**
 * add_rules() - append the rules to the config in the order given
 * @s:		state
 * @c:		config
 * @err:	error
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
static int add_rules(const struct opts_state *s, struct user_config *c,
		     struct user_err *err)
{
	const struct user_opt_list *g = &s->o->list[USER_OPT_GUESTFWD];
	const struct user_opt_list *h = &s->o->list[USER_OPT_HOSTFWD];
	unsigned int i;
	int ret = check_rules(s, err);

	for (i = 0; !ret && i < g->n; i++)
		ret = user_config_add_guestfwd(c, g->v[i], err);
	for (i = 0; !ret && i < h->n; i++)
		ret = user_config_add_hostfwd(c, h->v[i], err);
	return ret;
}

/**
 * parse_outbound() - step 7: qnet's outbound addresses
 * @s:		state
 * @c:		config
 * @err:	error
 *
 * Return: 0 or -EINVAL.
 */
static int parse_outbound(const struct opts_state *s, struct user_config *c,
			  struct user_err *err)
{
	const char *v4 = opt(s, USER_OPT_OUTBOUND);
	const char *v6 = opt(s, USER_OPT_OUTBOUND6);

	if (v4) {
		if (inet_pton(AF_INET, v4, &c->outbound) != 1)
			return user_err_set(err, -EINVAL,
					    "Failed to parse outbound address");
		c->has_outbound = true;
	}
	if (v6) {
		if (inet_pton(AF_INET6, v6, &c->outbound6) != 1)
			return user_err_set(err, -EINVAL,
					    "Failed to parse outbound IPv6 "
					    "address");
		c->has_outbound6 = true;
	}
	return 0;
}

/**
 * user_config_from_opts() - build a config from -netdev user options
 * @c:		filled (any previous contents are not freed); left at the
 *		defaults on failure
 * @o:		the options
 * @err:	on failure, QEMU's text for the first problem it would report
 *
 * Return: 0, -EINVAL (text in @err) or -ENOMEM.
 */
int user_config_from_opts(struct user_config *c, const struct user_opts *o,
			  struct user_err *err)
{
	struct opts_state s = {.o = o};
	bool b[2] = {true, true};
	int ret;

	user_config_defaults(c);
	ret = split_ipv6_net(&s, err);
	ret = ret ?: parse_typed(&s, c, b, err);
	ret = ret ?: pick_families(&s, c, b, err);
	ret = ret ?: parse_net(&s, c, err);
	ret = ret ?: parse_v4(&s, c, err);
	ret = ret ?: parse_v6(&s, c, err);
	ret = ret ?: copy_strings(&s, c);
	ret = ret ?: user_check_names(c, err);
	ret = ret ?: add_rules(&s, c, err);
	ret = ret ?: parse_outbound(&s, c, err);
	if (ret == -ENOMEM)
		user_err_set(err, ret, "out of memory");
	if (ret)
		user_config_free(c);
	return ret;
}
