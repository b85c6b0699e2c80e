// SPDX-License-Identifier: GPL-2.0-or-later
/* qg-udp: UDP echo server and one-shot client for the test guest (busybox nc has no -u). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define QG_UDP_MAX 65536

static unsigned char qg_udp_buf[QG_UDP_MAX];

/**
 * qg_udp_port() - parse a UDP port number
 * @s: decimal text
 *
 * Return: the port (1..65535), or -EINVAL.
 */
static int qg_udp_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
		return -EINVAL;
	return (int)v;
}

/**
 * qg_udp_addr() - fill a socket address from a numeric host and a port
 * @host: IPv4 or IPv6 literal
 * @port: port number
 * @ss: storage to fill
 * @len: set to the address length
 *
 * Return: 0, or -EINVAL if @host is not a literal address.
 */
static int qg_udp_addr(const char *host, int port,
		       struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

/**
 * qg_udp_echo() - echo every datagram on a port back to its sender, forever
 * @port: port to bind on all IPv4 addresses
 *
 * Return: -errno on a setup or socket failure (it does not return otherwise).
 */
static int qg_udp_echo(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_storage peer;
	socklen_t plen;
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -errno;
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, qg_udp_buf, sizeof(qg_udp_buf), 0,
			     (struct sockaddr *)&peer, &plen);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n >= 0)
			sendto(fd, qg_udp_buf, (size_t)n, 0,
			       (struct sockaddr *)&peer, plen);
	}
}

/**
 * qg_udp_send() - send one datagram and print the first reply
 * @host: numeric destination address
 * @port: destination port
 * @msg: payload
 * @timeout_ms: how long to wait for the reply
 *
 * Return: 0 when a reply was printed, -ETIMEDOUT, or another -errno.
 */
static int qg_udp_send(const char *host, int port, const char *msg,
		       int timeout_ms)
{
	struct sockaddr_storage ss;
	struct pollfd pfd;
	socklen_t len;
	ssize_t n;
	int fd, ret;

	ret = qg_udp_addr(host, port, &ss, &len);
	if (ret)
		return ret;
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&ss, len) < 0)
		return -errno;
	pfd.fd = fd;
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	n = recv(fd, qg_udp_buf, sizeof(qg_udp_buf) - 1, 0);
	if (n < 0)
		return -errno;
	fwrite(qg_udp_buf, 1, (size_t)n, stdout);
	fputc('\n', stdout);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int port, ret, timeout_ms = 5000;

	if (argc == 3 && strcmp(argv[1], "echo") == 0) {
		port = qg_udp_port(argv[2]);
		ret = port < 0 ? port : qg_udp_echo(port);
	} else if ((argc == 5 || argc == 6) && strcmp(argv[1], "send") == 0) {
		port = qg_udp_port(argv[3]);
		if (argc == 6)
			timeout_ms = atoi(argv[5]) * 1000;
		ret = port < 0 ? port
			       : qg_udp_send(argv[2], port, argv[4], timeout_ms);
	} else {
		fprintf(stderr, "usage: qg-udp echo PORT\n"
				"       qg-udp send HOST PORT MSG [TIMEOUT_S]\n");
		return 2;
	}
	if (ret < 0) {
		fprintf(stderr, "qg-udp: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
