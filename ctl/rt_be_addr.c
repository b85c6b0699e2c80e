// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_be_addr.c: socket addresses of stream/dgram/socket netdevs from netconf's options, with QEMU's texts. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/netconf.h"
#include "ctl/rt_be.h"
#include "ctl/rt_be_addr.h"

/** RT_BE_CONNECT_WAIT_MS - how long a start-up connect may take before it goes on in the background */
#define RT_BE_CONNECT_WAIT_MS 2000

/**
 * rt_be_port() - a decimal port number, as QEMU's inet options take it
 * @s:		the text
 * @port:	set to the port
 *
 * Return: 0, or -EINVAL for anything but 0..65535 in decimal
 */
static int rt_be_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	const char *p;

	if (!s || !*s || strlen(s) > 5)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/**
 * rt_be_inet() - addr.type=inet: host and port
 * @a:		the SocketAddress object
 * @opt:	its option name ("addr", "local", "remote")
 * @out:	filled
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_inet(const struct json_value *a, const char *opt,
		      struct stream_addr *out, struct strbuf *err)
{
	const char *host = netconf_opt_str(a, "host");
	const char *port = netconf_opt_str(a, "port");
	uint16_t p;

	if (json_object_get(a, "to")) {
		strbuf_printf(err, "%s.to is not supported by qnet", opt);
		return -EINVAL;
	}
	if (netconf_opt_bool(a, "mptcp", false)) {
		strbuf_printf(err, "%s.mptcp is not supported by qnet", opt);
		return -EINVAL;
	}
	if (rt_be_port(port, &p)) {
		strbuf_printf(err, "port number '%s' is invalid",
			      port ? port : "");
		return -EINVAL;
	}
	if (stream_addr_inet(out, host ? host : "", p)) {
		strbuf_printf(err, "host name '%s' is too long", host);
		return -EINVAL;
	}
	return 0;
}

/**
 * rt_be_sockaddr() - one QAPI SocketAddress option (addr.*, local.*,
 *	remote.*) as a stream_addr
 * @a:		the option's object
 * @opt:	its name, for messages
 * @out:	filled
 * @err:	QEMU's text (or qnet's where QEMU has none) on error
 *
 * Return: 0, or -EINVAL
 */
int rt_be_sockaddr(const struct json_value *a, const char *opt,
		   struct stream_addr *out, struct strbuf *err)
{
	const char *type = netconf_opt_str(a, "type");
	const char *path;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (!type) {
		strbuf_printf(err, "Parameter '%s.type' is missing", opt);
		return -EINVAL;
	}
	if (!strcmp(type, "inet")) {
		out->type = STREAM_ADDR_INET;
		return rt_be_inet(a, opt, out, err);
	}
	if (!strcmp(type, "unix")) {
		path = netconf_opt_str(a, "path");
		if (netconf_opt_bool(a, "abstract", false)) {
			strbuf_puts(err, "abstract unix sockets are not "
				    "supported by qnet");
			return -EINVAL;
		}
		if (stream_addr_unix(out, path ? path : "")) {
			strbuf_printf(err, "UNIX socket path '%s' is %s",
				      path ? path : "", path && *path ?
				      "too long" : "empty");
			return -EINVAL;
		}
		out->type = STREAM_ADDR_UNIX;
		return 0;
	}
	if (!strcmp(type, "fd")) {
		out->type = STREAM_ADDR_FD;
		return rt_be_parse_fd(netconf_opt_str(a, "str"), &out->fd, err);
	}
	strbuf_printf(err, "%s.type=%s is not supported by qnet", opt, type);
	return -EINVAL;
}

/**
 * rt_be_host_port() - QEMU's HOST:PORT option text (socket's listen=,
 *	connect=, udp=, mcast=, localaddr=)
 * @s:		the text ("[V6]:PORT" too; an empty host is every address)
 * @out:	filled
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
int rt_be_host_port(const char *s, struct stream_addr *out,
		    struct strbuf *err)
{
	const char *colon = s[0] == '[' ? strstr(s, "]:") : strrchr(s, ':');
	uint16_t port;
	int ret;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (!colon) {
		strbuf_printf(err, "host address '%s' doesn't contain ':' "
			      "separating host from port", s);
		return -EINVAL;
	}
	colon += s[0] == '[' ? 2 : 1;
	if (rt_be_port(colon, &port)) {
		strbuf_printf(err, "port number '%s' is invalid", colon);
		return -EINVAL;
	}
	ret = stream_addr_parse_inet(out, s);
	if (ret) {
		strbuf_printf(err, "can't resolve host address '%.*s'",
			      (int)(colon - 1 - s), s);
		return -EINVAL;
	}
	return 0;
}

/**
 * rt_be_numeric() - an inet address's host as the kernel will use it
 * @a:		inet address
 * @socktype:	SOCK_STREAM or SOCK_DGRAM
 * @buf:	numeric host ("0.0.0.0" for every address)
 * @size:	its size
 * @gai:	set to the resolver's reason when it fails (may be NULL)
 *
 * Return: 0, or -EHOSTUNREACH when the name does not resolve
 */
int rt_be_numeric(const struct stream_addr *a, int socktype, char *buf,
		  size_t size, const char **gai)
{
	struct addrinfo hints, *res = NULL;
	int ret;

	if (!a->host[0]) {
		snprintf(buf, size, "0.0.0.0");
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	ret = getaddrinfo(a->host, NULL, &hints, &res);
	if (ret || !res) {
		if (gai)
			*gai = gai_strerror(ret ? ret : EAI_NONAME);
		if (res)
			freeaddrinfo(res);
		return -EHOSTUNREACH;
	}
	getnameinfo(res->ai_addr, res->ai_addrlen, buf, (socklen_t)size, NULL,
		    0, NI_NUMERICHOST);
	freeaddrinfo(res);
	return 0;
}

/**
 * rt_be_fd_type() - what kind of socket an inherited fd is
 * @fd:		the fd
 * @listening:	set to whether it listens (may be NULL)
 *
 * Return: SOCK_STREAM, SOCK_DGRAM, another socket type, -EBADF for a
 * closed fd, -ENOTSOCK for a file that is not a socket
 */
int rt_be_fd_type(int fd, bool *listening)
{
	socklen_t len = sizeof(int);
	int type = 0, acc = 0;

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	len = sizeof(int);
	if (listening)
		*listening = !getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc,
					 &len) && acc;
	return type;
}

/**
 * rt_be_connect_now() - connect a stream socket at once, waiting a little
 * @a:		unix or inet address
 * @fdp:	set to the connected socket (blocking, close-on-exec)
 *
 * A connection that fails at once (refused, no such file, unreachable)
 * is an error for the caller to report; one still in progress after
 * RT_BE_CONNECT_WAIT_MS is abandoned, and the caller connects in the
 * background instead, as QEMU does.
 *
 * Return: 0, -EINPROGRESS when it is still pending, or -errno
 */
int rt_be_connect_now(const struct stream_addr *a, int *fdp)
{
	struct sockaddr_storage ss;
	struct pollfd p;
	socklen_t len, elen = sizeof(int);
	int fd, ret, e = 0;

	ret = stream_addr_resolve(a, SOCK_STREAM, false, &ss, &len);
	if (ret)
		return ret;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno != EINPROGRESS) {
			ret = -errno;
			goto err_fd;
		}
		p.fd = fd;
		p.events = POLLOUT;
		ret = poll(&p, 1, RT_BE_CONNECT_WAIT_MS);
		if (ret <= 0) {
			ret = ret ? -errno : -EINPROGRESS;
			goto err_fd;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 || e) {
			ret = e ? -e : -errno;
			goto err_fd;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*fdp = fd;
	return 0;

err_fd:
	close(fd);
	return ret;
}

/**
 * rt_be_addr_json() - a SocketAddress as QMP events carry it
 * @a:		the address
 *
 * Return: {"type": "inet", "host": ..., "port": "N", "ipv4": true},
 * {"type": "unix", "path": ...} or {"type": "fd", "str": "N"}; NULL
 * without memory
 */
struct json_value *rt_be_addr_json(const struct stream_addr *a)
{
	struct json_value *o = json_new_object();
	unsigned char in6[16];
	char num[16];

	if (!o)
		return NULL;
	switch (a->type) {
	case STREAM_ADDR_INET:
		snprintf(num, sizeof(num), "%u", a->port);
		json_object_set(o, "port", json_new_string(num));
		if (inet_pton(AF_INET6, a->host, in6) == 1)
			json_object_set(o, "ipv6", json_new_bool(true));
		else if (inet_pton(AF_INET, a->host, in6) == 1)
			json_object_set(o, "ipv4", json_new_bool(true));
		json_object_set(o, "host", json_new_string(a->host));
		json_object_set(o, "type", json_new_string("inet"));
		break;
	case STREAM_ADDR_UNIX:
		json_object_set(o, "path", json_new_string(a->path));
		json_object_set(o, "type", json_new_string("unix"));
		break;
	default:
		snprintf(num, sizeof(num), "%d", a->fd);
		json_object_set(o, "str", json_new_string(num));
		json_object_set(o, "type", json_new_string("fd"));
		break;
	}
	return o;
}
