// SPDX-License-Identifier: GPL-2.0-or-later
/* user_fwd_parse.c: hostfwd/guestfwd rule grammars with QEMU's reasons, plus IPv6 and unix. */

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/user.h"

/**
 * DOC: forwarding rule grammars
 *
 * hostfwd (QEMU 7.2, plus QEMU 8.0's unix form and qnet's IPv6 form):
 *
 *   [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport
 *   [tcp|udp]:[v6addr]:hostport-[[v6addr]]:guestport   (qnet)
 *   unix:/abs/path-[guestaddr]:guestport                (QEMU 8.0)
 *
 * An IPv6 host address forwards to the guest over IPv6 (libslirp cannot
 * mix families on one connection): to [v6addr] when given, else to the
 * address the guest uses in neighbour discovery.  An IPv4 host address
 * with an IPv6 guest address, or the reverse, is "Bad guest address".
 *
 * Each field is cut at its separator into a 256-byte buffer (longer fields
 * are truncated, as in QEMU).  Addresses are inet_aton() forms (so "1",
 * "0x7f000001" and trailing blanks are accepted); ports are strtol() base 0
 * on the whole field (an empty host port is 0: any port, as in 7.2).  The
 * first failing step names the reason QEMU gives:
 *
 *   "No : separators", "Bad protocol name", "Missing : separator",
 *   "Bad host address", "Bad host port separator", "Bad host port",
 *   "Missing guest address", "Bad guest address", "Bad guest port",
 *   and for unix: "Missing - separator", "Missing unix socket path",
 *   "unix socket path must be absolute", "Unix socket path is too long",
 *   "file exists and it's not unix socket".
 *
 * hostfwd_remove takes [tcp|udp]:[hostaddr]:hostport (port: decimal int,
 * whole field) and, in qnet, unix:/path and tcp:[v6addr]:port; anything
 * else is "invalid format".
 *
 * guestfwd: [tcp]:[server]:port-cmd:command | -unix:/path | -device
 * (port decimal 1..65535, 128-byte fields); QEMU gives no reason, only
 * "Invalid guest forwarding rule 'RULE'".
 */

#define FWD_FIELD  256
#define GFWD_FIELD 128

/**
 * fwd_field() - cut the text up to @sep into @buf, as QEMU's get_str_sep()
 * @buf:	destination (truncated to @size - 1 bytes)
 * @size:	its size
 * @pp:		cursor; moved past the separator on success
 * @sep:	separator
 *
 * Return: 0, or -1 when @sep does not occur (cursor unchanged).
 */
static int fwd_field(char *buf, size_t size, const char **pp, int sep)
{
	const char *p = *pp, *q = strchr(p, sep);
	size_t len;

	if (!q)
		return -1;
	len = (size_t)(q - p);
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	*pp = q + 1;
	return 0;
}

/**
 * fwd_port() - parse a port as strtol(s, &end, base) on the whole string
 * @s:		text
 * @base:	0 (C prefixes) or 10
 * @min:	smallest value accepted
 * @out:	the value
 *
 * Return: 0, or -1 for trailing characters or a value out of range.
 */
static int fwd_port(const char *s, int base, long min, long *out)
{
	char *end;
	long v;

	v = strtol(s, &end, base);
	if (*end != '\0' || v < min || v > 65535)
		return -1;
	*out = v;
	return 0;
}

/**
 * fwd_v6_host() - parse "[v6addr]:" at *pp (qnet's IPv6 extension)
 * @pp:		cursor at '['; moved past the ':' on success
 * @out:	filled with the address (AF_INET6)
 *
 * Return: 0, or -1 when the brackets or the address are bad.
 */
static int fwd_v6_host(const char **pp, struct sockaddr_in6 *out)
{
	const char *p = *pp + 1, *q = strchr(p, ']');
	char buf[INET6_ADDRSTRLEN + 1];
	size_t len;

	if (!q || q[1] != ':')
		return -1;
	len = (size_t)(q - p);
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, &out->sin6_addr) != 1)
		return -1;
	out->sin6_family = AF_INET6;
	*pp = q + 2;
	return 0;
}

/**
 * fwd_unix_host() - parse "/path-" of a unix rule
 * @pp:		cursor after "unix:"; moved past the '-' on success
 * @out:	filled with the path
 * @why:	reason on failure
 *
 * Return: 0 or -EINVAL.
 */
static int fwd_unix_host(const char **pp, struct sockaddr_un *out,
			 const char **why)
{
	char buf[FWD_FIELD];
	struct stat st;
	size_t len;

	if (fwd_field(buf, sizeof(buf), pp, '-') < 0) {
		*why = "Missing - separator";
		return -EINVAL;
	}
	if (buf[0] == '\0') {
		*why = "Missing unix socket path";
		return -EINVAL;
	}
	if (buf[0] != '/') {
		*why = "unix socket path must be absolute";
		return -EINVAL;
	}
	len = strlen(buf);
	if (len > sizeof(out->sun_path) - 1) {
		*why = "Unix socket path is too long";
		return -EINVAL;
	}
	if (stat(buf, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		*why = "file exists and it's not unix socket";
		return -EINVAL;
	}
	out->sun_family = AF_UNIX;
	memcpy(out->sun_path, buf, len + 1);
	return 0;
}

/**
 * fwd_inet_host() - parse "[hostaddr]:hostport-" of a tcp/udp rule
 * @pp:		cursor after the protocol; moved past the '-' on success
 * @r:		rule whose @host/@host_len are filled
 * @why:	reason on failure
 *
 * Return: 0 or -EINVAL.
 */
static int fwd_inet_host(const char **pp, struct user_fwd_rule *r,
			 const char **why)
{
	char buf[FWD_FIELD];
	long port;

	if (**pp == '[') {
		if (fwd_v6_host(pp, &r->host.in6) < 0) {
			*why = "Bad host address";
			return -EINVAL;
		}
		r->host_len = sizeof(r->host.in6);
	} else {
		r->host.in.sin_family = AF_INET;
		r->host.in.sin_addr.s_addr = htonl(INADDR_ANY);
		r->host_len = sizeof(r->host.in);
		if (fwd_field(buf, sizeof(buf), pp, ':') < 0) {
			*why = "Missing : separator";
			return -EINVAL;
		}
		if (buf[0] && !inet_aton(buf, &r->host.in.sin_addr)) {
			*why = "Bad host address";
			return -EINVAL;
		}
	}
	if (fwd_field(buf, sizeof(buf), pp, '-') < 0) {
		*why = "Bad host port separator";
		return -EINVAL;
	}
	if (fwd_port(buf, 0, 0, &port) < 0) {
		*why = "Bad host port";
		return -EINVAL;
	}
	if (r->host.sa.sa_family == AF_INET6)
		r->host.in6.sin6_port = htons((uint16_t)port);
	else
		r->host.in.sin_port = htons((uint16_t)port);
	return 0;
}

/**
 * fwd_guest() - parse "[guestaddr]:" (IPv4, or [v6addr] in qnet)
 * @pp:		cursor; moved past the ':' on success
 * @r:		rule whose guest fields are filled (host already parsed)
 * @why:	reason on failure
 *
 * Return: 0 or -EINVAL.
 */
static int fwd_guest(const char **pp, struct user_fwd_rule *r, const char **why)
{
	bool host6 = r->host.sa.sa_family == AF_INET6;
	struct sockaddr_in6 g6;
	char buf[FWD_FIELD];

	if (**pp == '[') {
		if (fwd_v6_host(pp, &g6) < 0 || !host6) {
			*why = "Bad guest address";
			return -EINVAL;
		}
		r->guest6 = g6.sin6_addr;
		r->guest_v6 = true;
		return 0;
	}
	if (fwd_field(buf, sizeof(buf), pp, ':') < 0) {
		*why = "Missing guest address";
		return -EINVAL;
	}
	if ((buf[0] && !inet_aton(buf, &r->guest)) || (buf[0] && host6)) {
		*why = "Bad guest address";
		return -EINVAL;
	}
	r->guest_v6 = host6;
	return 0;
}

/**
 * fwd_proto() - map a protocol field
 * @s:		the field
 * @unix_ok:	whether "unix" is accepted
 *
 * Return: the protocol, or USER_FWD_PROTO_COUNT when unknown.
 */
static enum user_fwd_proto fwd_proto(const char *s, bool unix_ok)
{
	if (!strcmp(s, "tcp") || s[0] == '\0')
		return USER_FWD_TCP;
	if (!strcmp(s, "udp"))
		return USER_FWD_UDP;
	if (unix_ok && !strcmp(s, "unix"))
		return USER_FWD_UNIX;
	return USER_FWD_PROTO_COUNT;
}

/**
 * user_fwd_parse() - parse a hostfwd rule with QEMU's grammar and reasons
 * @rule:	the rule text
 * @out:	filled on success (zeroed first)
 * @why:	on failure, QEMU's reason ("Bad host port separator", ...);
 *		QEMU prints "Invalid host forwarding rule 'RULE' (REASON)"
 *
 * Extensions over QEMU 7.2: unix:/path-... (QEMU 8.0's text) and an IPv6
 * host address in brackets (tcp:[::1]:8080-:80).  An existing non-socket
 * file at a unix path is refused as in QEMU (a stat, no other effect).
 *
 * Return: 0 or -EINVAL.
 */
int user_fwd_parse(const char *rule, struct user_fwd_rule *out,
		   const char **why)
{
	const char *p = rule, *dummy;
	char buf[FWD_FIELD];
	long port;
	int ret;

	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (!p || fwd_field(buf, sizeof(buf), &p, ':') < 0) {
		*why = "No : separators";
		return -EINVAL;
	}
	out->proto = fwd_proto(buf, true);
	if (out->proto == USER_FWD_PROTO_COUNT) {
		*why = "Bad protocol name";
		return -EINVAL;
	}
	if (out->proto == USER_FWD_UNIX) {
		ret = fwd_unix_host(&p, &out->host.un, why);
		out->host_len = sizeof(out->host.un);
	} else {
		ret = fwd_inet_host(&p, out, why);
	}
	if (ret)
		return ret;
	if (fwd_guest(&p, out, why))
		return -EINVAL;
	if (fwd_port(p, 0, 1, &port) < 0) {
		*why = "Bad guest port";
		return -EINVAL;
	}
	out->guest_port = (uint16_t)port;
	return 0;
}

/**
 * fwd_strtoi() - QEMU's qemu_strtoi(s, NULL, 10, &v): whole string, int
 * @s:		text
 * @out:	the value
 *
 * Return: 0, or -1 (empty, trailing characters, out of int range).
 */
static int fwd_strtoi(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/**
 * fwd_remove_unix() - parse the path of "unix:/path" for hostfwd_remove
 * @p:		text after "unix:"
 * @out:	rule to fill
 *
 * Return: 0 or -EINVAL.
 */
static int fwd_remove_unix(const char *p, struct user_fwd_rule *out)
{
	size_t len = strlen(p);

	if (p[0] != '/' || len > sizeof(out->host.un.sun_path) - 1)
		return -EINVAL;
	out->host.un.sun_family = AF_UNIX;
	memcpy(out->host.un.sun_path, p, len + 1);
	out->host_len = sizeof(out->host.un);
	return 0;
}

/**
 * user_fwd_parse_remove() - parse hostfwd_remove's [tcp|udp]:[addr]:port
 * @spec:	the text
 * @out:	filled with proto and host address (guest fields zero)
 * @why:	"invalid format" on failure (QEMU's monitor reply)
 *
 * qnet also takes unix:/path and tcp:[v6addr]:port.
 *
 * Return: 0 or -EINVAL.
 */
int user_fwd_parse_remove(const char *spec, struct user_fwd_rule *out,
			  const char **why)
{
	const char *p = spec, *dummy;
	char buf[FWD_FIELD];
	int port;

	if (!why)
		why = &dummy;
	*why = "invalid format";
	memset(out, 0, sizeof(*out));
	if (!p || fwd_field(buf, sizeof(buf), &p, ':') < 0)
		return -EINVAL;
	out->proto = fwd_proto(buf, true);
	if (out->proto == USER_FWD_PROTO_COUNT)
		return -EINVAL;
	if (out->proto == USER_FWD_UNIX)
		return fwd_remove_unix(p, out);
	if (*p == '[') {
		if (fwd_v6_host(&p, &out->host.in6) < 0)
			return -EINVAL;
		out->host_len = sizeof(out->host.in6);
	} else {
		out->host.in.sin_family = AF_INET;
		out->host_len = sizeof(out->host.in);
		if (fwd_field(buf, sizeof(buf), &p, ':') < 0)
			return -EINVAL;
		if (buf[0] && !inet_aton(buf, &out->host.in.sin_addr))
			return -EINVAL;
	}
	if (fwd_strtoi(p, &port) < 0)
		return -EINVAL;
	if (out->host.sa.sa_family == AF_INET6)
		out->host.in6.sin6_port = htons((uint16_t)port);
	else
		out->host.in.sin_port = htons((uint16_t)port);
	return 0;
}

/**
 * user_guestfwd_parse() - parse a guestfwd rule as QEMU does
 * @rule:	the rule text; @out->target points into it
 * @out:	filled on success
 * @why:	qnet's reason on failure (QEMU prints only
 *		"Invalid guest forwarding rule 'RULE'")
 *
 * Return: 0 or -EINVAL.
 */
int user_guestfwd_parse(const char *rule, struct user_guestfwd_rule *out,
			const char **why)
{
	const char *p = rule, *dummy;
	char buf[GFWD_FIELD], *end;
	long port;

	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (!p || fwd_field(buf, sizeof(buf), &p, ':') < 0 ||
	    (strcmp(buf, "tcp") && buf[0] != '\0')) {
		*why = "bad protocol (only tcp)";
		return -EINVAL;
	}
	if (fwd_field(buf, sizeof(buf), &p, ':') < 0 ||
	    (buf[0] && !inet_aton(buf, &out->server))) {
		*why = "bad server address";
		return -EINVAL;
	}
	if (fwd_field(buf, sizeof(buf), &p, '-') < 0) {
		*why = "missing - separator";
		return -EINVAL;
	}
	port = strtol(buf, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535) {
		*why = "bad port";
		return -EINVAL;
	}
	out->port = (uint16_t)port;
	if (!strncmp(p, "cmd:", 4)) {
		out->kind = USER_GUESTFWD_CMD;
		out->target = p + 4;
	} else if (!strncmp(p, "unix:", 5) && !strchr(p, ',')) {
		out->kind = USER_GUESTFWD_UNIX;
		out->target = p + 5;
	} else {
		out->kind = USER_GUESTFWD_DEV;
		out->target = p;
	}
	return 0;
}

/**
 * user_fwd_host_port() - the host port a rule asks for
 * @r:	the rule
 *
 * Return: the port in host order (0 for unix rules and "any port").
 */
uint16_t user_fwd_host_port(const struct user_fwd_rule *r)
{
	switch (r->host.sa.sa_family) {
	case AF_INET:
		return ntohs(r->host.in.sin_port);
	case AF_INET6:
		return ntohs(r->host.in6.sin6_port);
	default:
		return 0;
	}
}

/**
 * user_fwd_format() - canonical text of a rule ("tcp:127.0.0.1:80-0.0.0.0:22")
 * @r:		the rule
 * @buf:	destination
 * @len:	its size
 *
 * Return: the length of the full text (as snprintf), or -EINVAL.
 */
int user_fwd_format(const struct user_fwd_rule *r, char *buf, size_t len)
{
	static const char *const proto[] = {
		[USER_FWD_TCP] = "tcp",
		[USER_FWD_UDP] = "udp",
		[USER_FWD_UNIX] = "unix",
	};
	char host[INET6_ADDRSTRLEN + 2], guest[INET6_ADDRSTRLEN + 2];

	if ((unsigned int)r->proto >= USER_FWD_PROTO_COUNT)
		return -EINVAL;
	if (r->guest_v6) {
		guest[0] = '[';
		inet_ntop(AF_INET6, &r->guest6, guest + 1, sizeof(guest) - 2);
		strcat(guest, "]");
	} else {
		inet_ntop(AF_INET, &r->guest, guest, sizeof(guest));
	}
	if (r->proto == USER_FWD_UNIX)
		return snprintf(buf, len, "unix:%s-%s:%u", r->host.un.sun_path,
				guest, r->guest_port);
	if (r->host.sa.sa_family == AF_INET6) {
		host[0] = '[';
		inet_ntop(AF_INET6, &r->host.in6.sin6_addr, host + 1,
			  sizeof(host) - 2);
		strcat(host, "]");
	} else {
		inet_ntop(AF_INET, &r->host.in.sin_addr, host, sizeof(host));
	}
	return snprintf(buf, len, "%s:%s:%u-%s:%u", proto[r->proto], host,
			user_fwd_host_port(r), guest, r->guest_port);
}
