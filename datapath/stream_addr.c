// SPDX-License-Identifier: GPL-2.0-or-later
/* stream_addr.c: unix/inet/fd socket addresses: parse, format, resolve, listen, bind. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "datapath/stream_addr.h"

/** STREAM_ADDR_BACKLOG - pending connections a listener queues */
#define STREAM_ADDR_BACKLOG 8

/**
 * stream_addr_unix() - make a unix socket address
 * @a:		the address
 * @path:	its path
 *
 * Return: 0, -EINVAL for an empty path, -ENAMETOOLONG when it does not fit
 * in sun_path.
 */
int stream_addr_unix(struct stream_addr *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->type = STREAM_ADDR_UNIX;
	a->fd = -1;
	if (!path || !*path)
		return -EINVAL;
	if (strlen(path) >= sizeof(a->path))
		return -ENAMETOOLONG;
	strcpy(a->path, path);
	return 0;
}

/**
 * stream_addr_inet() - make an inet address
 * @a:		the address
 * @host:	name or literal ("" or NULL: any address)
 * @port:	the port
 *
 * Return: 0, or -ENAMETOOLONG for a host name that does not fit.
 */
int stream_addr_inet(struct stream_addr *a, const char *host, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->type = STREAM_ADDR_INET;
	a->fd = -1;
	a->port = port;
	if (!host)
		return 0;
	if (strlen(host) >= sizeof(a->host))
		return -ENAMETOOLONG;
	strcpy(a->host, host);
	return 0;
}

/**
 * stream_addr_parse_port() - parse a decimal port number
 * @s:		the digits (the whole string)
 * @port:	set to the port
 *
 * Return: 0, or -EINVAL for anything but 0..65535 in decimal digits.
 */
static int stream_addr_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || strlen(s) > 5)
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
 * stream_addr_parse_inet() - parse HOST:PORT, [V6]:PORT or :PORT
 * @a:	the address
 * @s:	the text
 *
 * Return: 0; -EINVAL without a port separator, with a bad port, or with an
 * unclosed bracket; -ENAMETOOLONG for a host that does not fit.
 */
int stream_addr_parse_inet(struct stream_addr *a, const char *s)
{
	char host[STREAM_ADDR_HOST_MAX];
	const char *colon, *hs = s;
	size_t hlen;
	uint16_t port;
	int ret;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		hs = s + 1;
		hlen = (size_t)(close - hs);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen))
			return -EINVAL; /* IPv6 literals need brackets */
	}
	if (hlen >= sizeof(host))
		return -ENAMETOOLONG;
	ret = stream_addr_parse_port(colon + 1, &port);
	if (ret)
		return ret;
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	return stream_addr_inet(a, host, port);
}

/**
 * stream_addr_print() - format an address with a scheme of the caller's
 * @a:		the address
 * @inet:	scheme for inet ("inet", "tcp", "udp")
 * @buf:	destination
 * @size:	its size
 *
 * Return: 0, -ENOSPC when it does not fit, -EINVAL for a bad type.
 */
static int stream_addr_print(const struct stream_addr *a, const char *inet,
			     char *buf, size_t size)
{
	bool v6 = strchr(a->host, ':') != NULL;
	int n;

	switch (a->type) {
	case STREAM_ADDR_UNIX:
		n = snprintf(buf, size, "unix:%s", a->path);
		break;
	case STREAM_ADDR_INET:
		n = snprintf(buf, size, v6 ? "%s:[%s]:%u" : "%s:%s:%u", inet,
			     a->host, a->port);
		break;
	case STREAM_ADDR_FD:
		n = snprintf(buf, size, "fd:%d", a->fd);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

/**
 * stream_addr_format() - qnet's spelling: unix:PATH, inet:HOST:PORT, fd:N
 * @a:		the address
 * @buf:	destination
 * @size:	its size
 *
 * Return: 0, -ENOSPC when it does not fit, -EINVAL for a bad type.
 */
int stream_addr_format(const struct stream_addr *a, char *buf, size_t size)
{
	return stream_addr_print(a, "inet", buf, size);
}

/**
 * stream_addr_uri() - QEMU's spelling in `info network` and events:
 * unix:PATH, tcp:HOST:PORT (udp: for datagrams), fd:N
 * @a:		the address
 * @socktype:	SOCK_STREAM or SOCK_DGRAM
 * @buf:	destination
 * @size:	its size
 *
 * Return: 0, -ENOSPC when it does not fit, -EINVAL for a bad type.
 */
int stream_addr_uri(const struct stream_addr *a, int socktype, char *buf,
		    size_t size)
{
	return stream_addr_print(a, socktype == SOCK_DGRAM ? "udp" : "tcp", buf,
				 size);
}

static int addr_resolve_family(const struct stream_addr *a, int socktype,
			       bool passive, int family,
			       struct sockaddr_storage *ss, socklen_t *len);

/**
 * stream_addr_resolve() - turn an address into a sockaddr
 * @a:		unix or inet address
 * @socktype:	SOCK_STREAM or SOCK_DGRAM
 * @passive:	for bind(): an empty host means every address
 * @ss:		filled with the first result
 * @len:	its length
 *
 * Name resolution may block: call it at setup, never on the data path.
 *
 * Return: 0, -EINVAL for an fd address, -EHOSTUNREACH when the name does
 * not resolve, -EAFNOSUPPORT when a passive empty host finds nothing.
 */
int stream_addr_resolve(const struct stream_addr *a, int socktype,
			bool passive, struct sockaddr_storage *ss,
			socklen_t *len)
{
	return addr_resolve_family(a, socktype, passive, AF_UNSPEC, ss, len);
}

/**
 * addr_resolve_family() - stream_addr_resolve() restricted to one family
 * @a:		unix or inet address
 * @socktype:	SOCK_STREAM or SOCK_DGRAM
 * @passive:	for bind(): an empty host means every address
 * @family:	AF_INET, AF_INET6, or AF_UNSPEC for the first result
 * @ss:		filled with the first result
 * @len:	its length
 *
 * Return: as stream_addr_resolve().
 */
static int addr_resolve_family(const struct stream_addr *a, int socktype,
			       bool passive, int family,
			       struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int ret;

	memset(ss, 0, sizeof(*ss));
	if (a->type == STREAM_ADDR_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;

		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, a->path, sizeof(a->path));
		*len = (socklen_t)sizeof(*sun);
		return 0;
	}
	if (a->type != STREAM_ADDR_INET)
		return -EINVAL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	snprintf(port, sizeof(port), "%u", a->port);
	ret = getaddrinfo(a->host[0] ? a->host : NULL, port, &hints, &res);
	if (ret || !res) {
		if (res)
			freeaddrinfo(res);
		return a->host[0] ? -EHOSTUNREACH : -EAFNOSUPPORT;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/**
 * stream_addr_from_sockaddr() - describe a sockaddr as an address
 * @a:		filled in
 * @sa:		AF_UNIX, AF_INET or AF_INET6 address
 * @len:	its length
 *
 * Return: 0, or -EAFNOSUPPORT for another family.
 */
int stream_addr_from_sockaddr(struct stream_addr *a,
			      const struct sockaddr *sa, socklen_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
		size_t n = len > offsetof(struct sockaddr_un, sun_path)
				   ? len - offsetof(struct sockaddr_un, sun_path)
				   : 0;

		memset(a, 0, sizeof(*a));
		a->type = STREAM_ADDR_UNIX;
		a->fd = -1;
		if (n > sizeof(a->path) - 1)
			n = sizeof(a->path) - 1;
		memcpy(a->path, sun->sun_path, n);
		a->path[n] = '\0';
		return 0;
	}
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		return stream_addr_inet(a, host, ntohs(in->sin_port));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		return stream_addr_inet(a, host, ntohs(in6->sin6_port));
	}
	return -EAFNOSUPPORT;
}

/**
 * stream_addr_local() - the address a socket is bound to
 * @fd:	the socket
 * @a:	filled in
 *
 * Return: 0, or -errno.
 */
int stream_addr_local(int fd, struct stream_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	return stream_addr_from_sockaddr(a, (struct sockaddr *)&ss, len);
}

/**
 * unix_clear_stale() - make room for a new unix socket at @path
 * @path:	the path
 * @socktype:	SOCK_STREAM or SOCK_DGRAM
 *
 * A socket file nobody serves any more (connect() is refused) is removed;
 * anything else stays.
 *
 * Return: 0 when the path is free; -EADDRINUSE when a live socket is
 * there; -EEXIST when something that is not a socket is there.
 */
static int unix_clear_stale(const char *path, int socktype)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, socktype | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (ret == 0)
		return -EADDRINUSE;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

/**
 * unix_bind() - bind @fd to a unix path qnet creates and remembers
 * @fd:		the socket
 * @a:		unix address
 * @socktype:	SOCK_STREAM or SOCK_DGRAM
 * @uf:		records the file, so close removes it (and only it)
 *
 * Return: 0, or -errno (see unix_clear_stale()).
 */
static int unix_bind(int fd, const struct stream_addr *a, int socktype,
		     struct stream_unix_file *uf)
{
	struct sockaddr_storage ss;
	struct stat st;
	socklen_t len;
	int ret;

	ret = unix_clear_stale(a->path, socktype);
	if (ret)
		return ret;
	stream_addr_resolve(a, socktype, true, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len))
		return -errno;
	if (uf && !stat(a->path, &st)) {
		strcpy(uf->path, a->path);
		uf->dev = st.st_dev;
		uf->ino = st.st_ino;
	}
	return 0;
}

/**
 * stream_unix_file_remove() - remove the socket file qnet created
 * @uf:	the record (cleared afterwards)
 *
 * Nothing happens when no file was created or when the path now names
 * another file (someone replaced it).
 */
void stream_unix_file_remove(struct stream_unix_file *uf)
{
	struct stat st;

	if (!uf->path[0])
		return;
	if (!lstat(uf->path, &st) && st.st_dev == uf->dev &&
	    st.st_ino == uf->ino)
		unlink(uf->path);
	uf->path[0] = '\0';
}

/**
 * stream_addr_listen() - a listening stream socket for @a
 * @a:	unix or inet address; or fd: a listening socket qnet takes over
 * @uf:	records a unix socket file qnet created (may be NULL)
 *
 * A unix path holding a stale socket is replaced; a live one or a file
 * that is not a socket is left alone and reported.
 *
 * Return: the listening fd (blocking, close-on-exec), or -errno;
 * -ENOTSOCK / -EINVAL when an fd is not a listening stream socket.
 */
int stream_addr_listen(const struct stream_addr *a,
		       struct stream_unix_file *uf)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret, one = 1;

	if (a->type == STREAM_ADDR_FD) {
		len = sizeof(one);
		if (getsockopt(a->fd, SOL_SOCKET, SO_ACCEPTCONN, &one, &len))
			return -errno;
		return one ? a->fd : -EINVAL;
	}
	ret = stream_addr_resolve(a, SOCK_STREAM, true, &ss, &len);
	if (ret)
		return ret;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (a->type == STREAM_ADDR_UNIX) {
		ret = unix_bind(fd, a, SOCK_STREAM, uf);
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		ret = bind(fd, (struct sockaddr *)&ss, len) ? -errno : 0;
	}
	if (ret)
		goto err_fd;
	if (listen(fd, STREAM_ADDR_BACKLOG)) {
		ret = -errno;
		goto err_file;
	}
	return fd;

err_file:
	if (uf)
		stream_unix_file_remove(uf);
err_fd:
	close(fd);
	return ret;
}

/**
 * stream_addr_socket() - a stream socket to connect to @a
 * @a:		unix or inet address; or fd: a connected socket qnet takes over
 * @socktype:	SOCK_STREAM
 * @ss:		filled with the address to connect to
 * @len:	its length; 0 for an fd (already connected)
 *
 * Return: the fd (blocking, close-on-exec), or -errno.
 */
int stream_addr_socket(const struct stream_addr *a, int socktype,
		       struct sockaddr_storage *ss, socklen_t *len)
{
	int fd, ret;

	if (a->type == STREAM_ADDR_FD) {
		*len = 0;
		return a->fd;
	}
	ret = stream_addr_resolve(a, socktype, false, ss, len);
	if (ret)
		return ret;
	fd = socket(ss->ss_family, socktype | SOCK_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/**
 * mcast_join() - join the IPv4 group @dest names, on @local's interface
 * @fd:		the socket (bound to the group's port)
 * @dest:	the group address
 * @local:	interface address (inet, host may be ""), or NULL
 *
 * Return: 0, or -errno.
 */
static int mcast_join(int fd, const struct sockaddr_in *dest,
		      const struct stream_addr *local)
{
	struct ip_mreq mreq = { .imr_multiaddr = dest->sin_addr };
	int one = 1;

	mreq.imr_interface.s_addr = htonl(INADDR_ANY);
	if (local && local->host[0] &&
	    inet_pton(AF_INET, local->host, &mreq.imr_interface) != 1)
		return -EINVAL;
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq.imr_interface,
		       sizeof(mreq.imr_interface)))
		return -errno;
	return 0;
}

/**
 * dgram_bind_mcast() - bind a socket for an IPv4 multicast group
 * @fd:		UDP socket
 * @dest:	the group and port
 * @local:	interface address, or NULL
 *
 * As QEMU's socket mcast=: several processes share the group's port.
 *
 * Return: 0, or -errno.
 */
static int dgram_bind_mcast(int fd, const struct sockaddr_in *dest,
			    const struct stream_addr *local)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = dest->sin_port };
	int one = 1;

	any.sin_addr.s_addr = htonl(INADDR_ANY);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&any, sizeof(any)))
		return -errno;
	return mcast_join(fd, dest, local);
}

/**
 * stream_addr_bind_dgram() - a datagram socket bound to @local, sending to
 * @remote
 * @local:	unix or inet address to bind (NULL only for a multicast
 *		@remote, where it names the interface); or fd: a datagram
 *		socket qnet takes over
 * @remote:	where frames go: unix or inet (an IPv4 multicast group joins
 *		it); NULL with an fd @local that is already connected
 * @uf:		records a unix socket file qnet created (may be NULL)
 * @dest:	filled with @remote as a sockaddr
 * @dest_len:	its length (0 without @remote)
 *
 * Return: the fd (blocking, close-on-exec), or -errno; -EINVAL when the
 * two addresses are of different kinds or @remote is missing.
 */
int stream_addr_bind_dgram(const struct stream_addr *local,
			   const struct stream_addr *remote,
			   struct stream_unix_file *uf,
			   struct sockaddr_storage *dest, socklen_t *dest_len)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool mcast = false;
	int fd, ret;

	*dest_len = 0;
	if (remote) {
		ret = stream_addr_resolve(remote, SOCK_DGRAM, false, dest,
					  dest_len);
		if (ret)
			return ret;
		mcast = dest->ss_family == AF_INET &&
			IN_MULTICAST(ntohl(((struct sockaddr_in *)dest)
						   ->sin_addr.s_addr));
	}
	if (local && local->type == STREAM_ADDR_FD)
		return local->fd;
	if (!remote || (!local && !mcast) ||
	    (local && !mcast && (local->type == STREAM_ADDR_UNIX) !=
				       (remote->type == STREAM_ADDR_UNIX)))
		return -EINVAL;
	fd = socket(dest->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (mcast) {
		ret = dgram_bind_mcast(fd, (struct sockaddr_in *)dest, local);
	} else if (local->type == STREAM_ADDR_UNIX) {
		ret = unix_bind(fd, local, SOCK_DGRAM, uf);
	} else {
		ret = addr_resolve_family(local, SOCK_DGRAM, true,
					  dest->ss_family, &ss, &len);
		if (!ret && bind(fd, (struct sockaddr *)&ss, len))
			ret = -errno;
	}
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}
