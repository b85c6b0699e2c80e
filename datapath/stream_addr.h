/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream_addr.h: socket addresses in QEMU's addr.* vocabulary, and the sockets behind them. */
#ifndef QNET_DATAPATH_STREAM_ADDR_H
#define QNET_DATAPATH_STREAM_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/** STREAM_ADDR_PATH_MAX - longest unix socket path, with its NUL (sun_path) */
#define STREAM_ADDR_PATH_MAX 108

/** STREAM_ADDR_HOST_MAX - longest host name or literal, with its NUL */
#define STREAM_ADDR_HOST_MAX 256

/** STREAM_ADDR_STR_MAX - room for any formatted address */
#define STREAM_ADDR_STR_MAX (STREAM_ADDR_HOST_MAX + STREAM_ADDR_PATH_MAX + 16)

/**
 * enum stream_addr_type - QEMU's SocketAddress types (addr.type=)
 * @STREAM_ADDR_UNIX:	a unix socket path (addr.path)
 * @STREAM_ADDR_INET:	a host and port (addr.host, addr.port), IPv4 or IPv6
 * @STREAM_ADDR_FD:	an open socket handed to qnet (addr.str)
 */
enum stream_addr_type {
	STREAM_ADDR_UNIX,
	STREAM_ADDR_INET,
	STREAM_ADDR_FD,
	STREAM_ADDR_TYPE_COUNT
};

/**
 * struct stream_addr - one socket address
 * @type:	which of the fields below is meaningful
 * @path:	unix: the path
 * @host:	inet: name or literal ("" = every address, for a listener or a
 *		local address); an IPv6 literal without brackets
 * @port:	inet: port (0 = any, for a listener or a local address)
 * @fd:		fd: the socket
 */
struct stream_addr {
	enum stream_addr_type type;
	char path[STREAM_ADDR_PATH_MAX];
	char host[STREAM_ADDR_HOST_MAX];
	uint16_t port;
	int fd;
};

/**
 * struct stream_unix_file - a unix socket file qnet created (removed on close)
 * @path:	its path ("" when none)
 * @dev:	device of the inode qnet created
 * @ino:	the inode: the file is removed only while it is still this one
 */
struct stream_unix_file {
	char path[STREAM_ADDR_PATH_MAX];
	dev_t dev;
	ino_t ino;
};

int stream_addr_unix(struct stream_addr *a, const char *path);
int stream_addr_inet(struct stream_addr *a, const char *host, uint16_t port);
int stream_addr_parse_inet(struct stream_addr *a, const char *s);
int stream_addr_format(const struct stream_addr *a, char *buf, size_t size);
int stream_addr_uri(const struct stream_addr *a, int socktype, char *buf,
		    size_t size);
int stream_addr_resolve(const struct stream_addr *a, int socktype,
			bool passive, struct sockaddr_storage *ss,
			socklen_t *len);
int stream_addr_from_sockaddr(struct stream_addr *a,
			      const struct sockaddr *sa, socklen_t len);
int stream_addr_listen(const struct stream_addr *a,
		       struct stream_unix_file *uf);
int stream_addr_socket(const struct stream_addr *a, int socktype,
		       struct sockaddr_storage *ss, socklen_t *len);
int stream_addr_bind_dgram(const struct stream_addr *local,
			   const struct stream_addr *remote,
			   struct stream_unix_file *uf,
			   struct sockaddr_storage *dest, socklen_t *dest_len);
int stream_addr_local(int fd, struct stream_addr *a);
void stream_unix_file_remove(struct stream_unix_file *uf);

#endif /* QNET_DATAPATH_STREAM_ADDR_H */
