// SPDX-License-Identifier: GPL-2.0-or-later
/* user_config.c: the typed -netdev user configuration: defaults, ownership, QEMU's semantic checks. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/user_int.h"

/**
 * user_err_set() - format an error text and return a code
 * @err:	destination, or NULL
 * @ret:	the code to return
 * @fmt:	printf format
 *
 * Return: @ret.
 */
int user_err_set(struct user_err *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return ret;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

/**
 * user_config_defaults() - QEMU's -netdev user defaults, plus qnet's
 * @c:	the config (its previous contents are not freed)
 *
 * 10.0.2.0/24, host .2, DNS .3, DHCP from .15, SMB at libslirp's .4,
 * IPv6 fec0::/64 with host ::2 and DNS ::3, both families on, restrict
 * off; qnet's extensions as QEMU behaves (MTU/MRU 1500, host loopback,
 * DHCP and DNS forwarder on).
 */
void user_config_defaults(struct user_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ipv4 = true;
	c->ipv6 = true;
	c->net.s_addr = htonl(0x0a000200);
	c->mask.s_addr = htonl(0xffffff00);
	c->host.s_addr = htonl(0x0a000202);
	c->dhcp_start.s_addr = htonl(0x0a00020f);
	c->dns.s_addr = htonl(0x0a000203);
	inet_pton(AF_INET6, "fec0::", &c->ipv6_prefix);
	c->ipv6_prefixlen = 64;
	c->ipv6_host = c->ipv6_prefix;
	c->ipv6_host.s6_addr[15] |= 2;
	c->ipv6_dns = c->ipv6_prefix;
	c->ipv6_dns.s6_addr[15] |= 3;
	c->host_loopback = true;
	c->dhcp = true;
	c->dns_proxy = true;
}

/**
 * user_config_free() - free what a config owns and reset it to defaults
 * @c:	the config
 */
void user_config_free(struct user_config *c)
{
	unsigned int i;

	free(c->hostname);
	free(c->tftp);
	free(c->tftp_server_name);
	free(c->bootfile);
	free(c->smb);
	free(c->domainname);
	free(c->smbd);
	for (i = 0; i < c->ndnssearch; i++)
		free(c->dnssearch[i]);
	free(c->dnssearch);
	for (i = 0; i < c->nhostfwd; i++)
		free(c->hostfwd[i].text);
	free(c->hostfwd);
	for (i = 0; i < c->nguestfwd; i++)
		free(c->guestfwd[i].text);
	free(c->guestfwd);
	user_config_defaults(c);
}

/**
 * user_config_set_str() - replace an owned string field
 * @field:	the field
 * @value:	new value, or NULL to clear
 *
 * Return: 0 or -ENOMEM (field unchanged).
 */
int user_config_set_str(char **field, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

/**
 * user_config_add_dnssearch() - append a DHCP domain search name
 * @c:		the config
 * @name:	the name
 *
 * Return: 0 or -ENOMEM.
 */
int user_config_add_dnssearch(struct user_config *c, const char *name)
{
	char **v, *copy = strdup(name);

	if (!copy)
		return -ENOMEM;
	v = realloc(c->dnssearch, (c->ndnssearch + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	c->dnssearch = v;
	c->dnssearch[c->ndnssearch++] = copy;
	return 0;
}

/**
 * user_rule_dup() - copy a rule text, cut as QEMU cuts -netdev rules
 * @rule:	the text
 *
 * Return: a copy of at most USER_RULE_MAX - 1 bytes, or NULL.
 */
static char *user_rule_dup(const char *rule)
{
	return strndup(rule, USER_RULE_MAX - 1);
}

/**
 * user_config_add_hostfwd() - parse and append a hostfwd rule
 * @c:		the config
 * @rule:	the rule text
 * @err:	"Invalid host forwarding rule 'RULE' (REASON)" on failure
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int user_config_add_hostfwd(struct user_config *c, const char *rule,
			    struct user_err *err)
{
	struct user_hostfwd *v, h;
	const char *why;

	h.text = user_rule_dup(rule);
	if (!h.text)
		return -ENOMEM;
	if (user_fwd_parse(h.text, &h.rule, &why)) {
		user_err_set(err, -EINVAL,
			     "Invalid host forwarding rule '%s' (%s)", h.text,
			     why);
		free(h.text);
		return -EINVAL;
	}
	v = realloc(c->hostfwd, (c->nhostfwd + 1) * sizeof(*v));
	if (!v) {
		free(h.text);
		return -ENOMEM;
	}
	c->hostfwd = v;
	c->hostfwd[c->nhostfwd++] = h;
	return 0;
}

/**
 * user_config_add_guestfwd() - parse and append a guestfwd rule
 * @c:		the config
 * @rule:	the rule text
 * @err:	"Invalid guest forwarding rule 'RULE'" on failure
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int user_config_add_guestfwd(struct user_config *c, const char *rule,
			     struct user_err *err)
{
	struct user_guestfwd *v, g;

	g.text = user_rule_dup(rule);
	if (!g.text)
		return -ENOMEM;
	if (user_guestfwd_parse(g.text, &g.rule, NULL)) {
		user_err_set(err, -EINVAL, "Invalid guest forwarding rule '%s'",
			     g.text);
		free(g.text);
		return -EINVAL;
	}
	v = realloc(c->guestfwd, (c->nguestfwd + 1) * sizeof(*v));
	if (!v) {
		free(g.text);
		return -ENOMEM;
	}
	c->guestfwd = v;
	c->guestfwd[c->nguestfwd++] = g;
	return 0;
}

/**
 * user_config_copy_lists() - copy the arrays of a config (strings done)
 * @dst:	destination, arrays empty
 * @src:	source
 *
 * Return: 0 or -ENOMEM.
 */
static int user_config_copy_lists(struct user_config *dst,
				  const struct user_config *src)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < src->ndnssearch; i++)
		ret = user_config_add_dnssearch(dst, src->dnssearch[i]);
	for (i = 0; !ret && i < src->nhostfwd; i++)
		ret = user_config_add_hostfwd(dst, src->hostfwd[i].text, NULL);
	for (i = 0; !ret && i < src->nguestfwd; i++)
		ret = user_config_add_guestfwd(dst, src->guestfwd[i].text,
					       NULL);
	return ret;
}

/**
 * user_config_copy() - deep copy of a config
 * @dst:	destination (overwritten, not freed first)
 * @src:	source
 *
 * Rules are re-parsed from their texts, so @dst's pointers are its own.
 *
 * Return: 0, or -ENOMEM / -EINVAL (@dst left at defaults).
 */
int user_config_copy(struct user_config *dst, const struct user_config *src)
{
	int ret = 0;

	*dst = *src;
	dst->hostname = dst->tftp = dst->tftp_server_name = NULL;
	dst->bootfile = dst->smb = dst->domainname = dst->smbd = NULL;
	dst->dnssearch = NULL;
	dst->ndnssearch = 0;
	dst->hostfwd = NULL;
	dst->nhostfwd = 0;
	dst->guestfwd = NULL;
	dst->nguestfwd = 0;
	ret = ret ?: user_config_set_str(&dst->hostname, src->hostname);
	ret = ret ?: user_config_set_str(&dst->tftp, src->tftp);
	ret = ret
		      ?: user_config_set_str(&dst->tftp_server_name,
					     src->tftp_server_name);
	ret = ret ?: user_config_set_str(&dst->bootfile, src->bootfile);
	ret = ret ?: user_config_set_str(&dst->smb, src->smb);
	ret = ret ?: user_config_set_str(&dst->domainname, src->domainname);
	ret = ret ?: user_config_set_str(&dst->smbd, src->smbd);
	ret = ret ?: user_config_copy_lists(dst, src);
	if (ret)
		user_config_free(dst);
	return ret;
}

/**
 * user_in6_same_net() - whether two IPv6 addresses share their first bits
 * @a:		one address
 * @b:		the other
 * @len:	prefix length in bits (0..128)
 *
 * Return: true when the first @len bits are equal.
 */
bool user_in6_same_net(const struct in6_addr *a, const struct in6_addr *b,
		       unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;
	uint8_t m;

	if (len > 128)
		return false;
	if (memcmp(a->s6_addr, b->s6_addr, bytes))
		return false;
	if (!bits)
		return true;
	m = (uint8_t)(0xff << (8 - bits));
	return (a->s6_addr[bytes] & m) == (b->s6_addr[bytes] & m);
}

/* (addr & mask) == net */
static bool user_in_net(const struct user_config *c, struct in_addr a)
{
	return (a.s_addr & c->mask.s_addr) == c->net.s_addr;
}

/**
 * user_check_v4() - QEMU's IPv4 address checks, in QEMU's order
 * @c:		the config
 * @err:	the text of the first failure
 *
 * Return: 0 or -EINVAL.
 */
int user_check_v4(const struct user_config *c, struct user_err *err)
{
	if (!user_in_net(c, c->host))
		return user_err_set(err, -EINVAL,
				    "Host doesn't belong to network");
	if (c->restricted && !user_in_net(c, c->dns))
		return user_err_set(err, -EINVAL,
				    "DNS doesn't belong to network");
	if (c->dns.s_addr == c->host.s_addr)
		return user_err_set(err, -EINVAL,
				    "DNS must be different from host");
	if (!user_in_net(c, c->dhcp_start))
		return user_err_set(err, -EINVAL,
				    "DHCP doesn't belong to network");
	if (c->dhcp_start.s_addr == c->host.s_addr ||
	    c->dhcp_start.s_addr == c->dns.s_addr)
		return user_err_set(err, -EINVAL,
				    "DHCP must be different from host and DNS");
	return 0;
}

/**
 * user_check_v6() - QEMU's IPv6 checks, in QEMU's order
 * @c:		the config
 * @err:	the text of the first failure
 *
 * Return: 0 or -EINVAL.
 */
int user_check_v6(const struct user_config *c, struct user_err *err)
{
	if (c->ipv6_prefixlen > 126)
		return user_err_set(err, -EINVAL,
				    "Invalid IPv6 prefix provided (IPv6 prefix "
				    "length must be between 0 and 126)");
	if (!user_in6_same_net(&c->ipv6_prefix, &c->ipv6_host,
			       c->ipv6_prefixlen))
		return user_err_set(err, -EINVAL,
				    "IPv6 Host doesn't belong to network");
	if (c->restricted && !user_in6_same_net(&c->ipv6_prefix, &c->ipv6_dns,
						c->ipv6_prefixlen))
		return user_err_set(err, -EINVAL,
				    "IPv6 DNS doesn't belong to network");
	return 0;
}

/**
 * user_check_names() - QEMU's length checks of the DHCP strings
 * @c:		the config
 * @err:	the text of the first failure
 *
 * Return: 0 or -EINVAL.
 */
int user_check_names(const struct user_config *c, struct user_err *err)
{
	if (c->domainname && !*c->domainname)
		return user_err_set(err, -EINVAL,
				    "'domainname' parameter cannot be empty");
	if (c->domainname && strlen(c->domainname) > 255)
		return user_err_set(err, -EINVAL,
				    "'domainname' parameter cannot exceed 255 "
				    "bytes");
	if (c->hostname && strlen(c->hostname) > 255)
		return user_err_set(err, -EINVAL,
				    "'vhostname' parameter cannot exceed 255 "
				    "bytes");
	if (c->tftp_server_name && strlen(c->tftp_server_name) > 255)
		return user_err_set(
			err, -EINVAL,
			"'tftp-server-name' parameter cannot exceed "
			"255 bytes");
	return 0;
}

/**
 * user_check_extras() - checks of qnet's extensions (libslirp would
 * abort on an MTU out of range)
 * @c:		the config
 * @err:	the text of the first failure
 *
 * Return: 0 or -EINVAL.
 */
int user_check_extras(const struct user_config *c, struct user_err *err)
{
	if (c->mtu && (c->mtu < USER_MTU_MIN || c->mtu > USER_MTU_MAX))
		return user_err_set(err, -EINVAL,
				    "'mtu' must be between %d and %d",
				    USER_MTU_MIN, USER_MTU_MAX);
	if (c->mru && (c->mru < USER_MTU_MIN || c->mru > USER_MTU_MAX))
		return user_err_set(err, -EINVAL,
				    "'mru' must be between %d and %d",
				    USER_MTU_MIN, USER_MTU_MAX);
	return 0;
}

/**
 * user_config_check() - validate a typed config as QEMU validates options
 * @c:		the config
 * @err:	the text of the first failure (QEMU's wording)
 *
 * The checks that depend on which options were *given* ("IPv4 disabled
 * but netmask/host/dns provided") live in user_config_from_opts(); this
 * covers everything a config built directly (QMP, JSON) can get wrong.
 *
 * Return: 0 or -EINVAL.
 */
int user_config_check(const struct user_config *c, struct user_err *err)
{
	unsigned int i;

	if (!c->ipv4 && !c->ipv6)
		return user_err_set(err, -EINVAL, "IPv4 and IPv6 disabled");
	if (user_check_v4(c, err) || user_check_v6(c, err) ||
	    user_check_names(c, err) || user_check_extras(c, err))
		return -EINVAL;
	for (i = 0; i < c->nhostfwd; i++)
		if (!c->hostfwd[i].text)
			return user_err_set(err, -EINVAL,
					    "host forwarding rule %u has no "
					    "text",
					    i);
	for (i = 0; i < c->nguestfwd; i++)
		if (!c->guestfwd[i].text)
			return user_err_set(err, -EINVAL,
					    "guest forwarding rule %u has no "
					    "text",
					    i);
	return 0;
}
