// SPDX-License-Identifier: GPL-2.0-or-later
/* qnetctl: command-line client for qnet's monitor sockets (HMP or QMP). */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/**
 * DOC: qnetctl
 *
 * `qnetctl -s PATH COMMAND...` connects to a `-monitor` or `-qmp` socket and
 * runs one command. The protocol is recognised from the greeting:
 *
 * - HMP: the words are sent as one command line, the reply is printed
 *   without the prompt;
 * - QMP: capabilities are negotiated, then a COMMAND that starts with '{' is
 *   sent as raw JSON and the reply printed as is; anything else is run as
 *   `human-monitor-command` and its text printed.
 *
 * Exit status: 0, or 1 when the reply is an error (QMP "error", or HMP text
 * starting with "Error:" or "unknown command"), 2 on usage or I/O errors.
 */

#define QNETCTL_TIMEOUT_MS 10000
#define MON_LINE_MAX 65536

/**
 * struct conn - a monitor connection and what has been read from it
 * @fd:		socket
 * @buf:	bytes received and not yet consumed
 * @len:	valid bytes in @buf
 * @cap:	allocated size of @buf
 */
struct conn {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
};

/**
 * conn_fill() - read more bytes, waiting at most the client timeout
 * @c:		connection
 *
 * Return: bytes read (> 0), 0 on EOF, or -errno
 */
static int conn_fill(struct conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t r;
	int ret;

	ret = poll(&pfd, 1, QNETCTL_TIMEOUT_MS);
	if (ret == 0)
		return -ETIMEDOUT;
	if (ret < 0)
		return -errno;
	if (c->len + 4096 + 1 > c->cap) {
		size_t cap = (c->cap ? c->cap : 8192) * 2;
		char *n = realloc(c->buf, cap);

		if (!n)
			return -ENOMEM;
		c->buf = n;
		c->cap = cap;
	}
	r = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
	if (r < 0)
		return -errno;
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	return (int)r;
}

/**
 * conn_consume() - drop @n bytes from the front of the buffer
 * @c:		connection
 * @n:		bytes
 */
static void conn_consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	c->buf[c->len] = '\0';
}

/**
 * conn_send() - write a whole string
 * @c:		connection
 * @s:		text
 *
 * Return: 0, or -errno
 */
static int conn_send(struct conn *c, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t w = send(c->fd, s, len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/**
 * read_json() - read one complete top-level JSON object
 * @c:		connection
 * @out:	set to a malloc'd copy of the object's text
 *
 * Return: 0, or -errno
 */
static int read_json(struct conn *c, char **out)
{
	for (;;) {
		size_t i, start = 0;
		int depth = 0;
		bool in_str = false, esc = false, seen = false;

		for (i = 0; i < c->len; i++) {
			char ch = c->buf[i];

			if (in_str) {
				if (esc)
					esc = false;
				else if (ch == '\\')
					esc = true;
				else if (ch == '"')
					in_str = false;
				continue;
			}
			if (ch == '"')
				in_str = true;
			else if (ch == '{') {
				if (!seen)
					start = i;
				seen = true;
				depth++;
			} else if (ch == '}' && --depth == 0 && seen) {
				*out = strndup(c->buf + start, i + 1 - start);
				conn_consume(c, i + 1);
				return *out ? 0 : -ENOMEM;
			}
		}
		i = (size_t)conn_fill(c);
		if ((int)i <= 0)
			return (int)i ? (int)i : -ECONNRESET;
	}
}

/**
 * json_unescape_return() - extract the string value of "return" from a reply
 * @reply:	a QMP reply object
 *
 * Return: malloc'd decoded text, or NULL when "return" is not a string
 */
static char *json_unescape_return(const char *reply)
{
	const char *p = strstr(reply, "\"return\"");
	char *out, *o;

	if (!p)
		return NULL;
	p += 8;
	p += strspn(p, " \t\r\n");
	if (*p++ != ':')
		return NULL;
	p += strspn(p, " \t\r\n");
	if (*p++ != '"')
		return NULL;
	out = o = malloc(strlen(p) + 1);
	if (!out)
		return NULL;
	for (; *p && *p != '"'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned int cp = 0;

			if (sscanf(p + 1, "%4x", &cp) == 1 && cp < 0x80)
				*o++ = (char)cp;
			else
				*o++ = '?';
			p += 4;
			break;
		}
		case '\0': p--; break;
		default: *o++ = *p; break;
		}
	}
	*o = '\0';
	return out;
}

/**
 * json_quote() - append @s to @dst as a JSON string literal
 * @dst:	destination buffer
 * @size:	its size
 * @s:		text
 *
 * Return: 0, or -ENOSPC
 */
static int json_quote(char *dst, size_t size, const char *s)
{
	size_t n = strlen(dst);

	if (n + 2 >= size)
		return -ENOSPC;
	dst[n++] = '"';
	for (; *s; s++) {
		if (n + 8 >= size)
			return -ENOSPC;
		if (*s == '"' || *s == '\\') {
			dst[n++] = '\\';
			dst[n++] = *s;
		} else if ((unsigned char)*s < 0x20) {
			n += (size_t)snprintf(dst + n, size - n, "\\u%04x",
					      (unsigned char)*s);
		} else {
			dst[n++] = *s;
		}
	}
	dst[n++] = '"';
	dst[n] = '\0';
	return 0;
}

/**
 * run_hmp() - run one HMP command line and print its output
 * @c:		connection (greeting already read)
 * @line:	the command line
 *
 * Return: exit status
 */
static int run_hmp(struct conn *c, const char *line)
{
	char *end, *p, *q;
	int ret;

	conn_consume(c, c->len);
	if (conn_send(c, line) || conn_send(c, "\n"))
		return 2;
	while (!(end = strstr(c->buf ? c->buf : "", "(qemu) ")))
		if (conn_fill(c) <= 0)
			return 2;
	*end = '\0';
	/* QEMU's readline echoes the line with escape codes: skip that line */
	p = strchr(c->buf, '\n');
	if (p && memchr(c->buf, '\033', (size_t)(p - c->buf)))
		conn_consume(c, (size_t)(p + 1 - c->buf));
	for (p = q = c->buf; *p; p++)	/* "\r\n" -> "\n" */
		if (*p != '\r')
			*q++ = *p;
	*q = '\0';
	fputs(c->buf, stdout);
	ret = !strncmp(c->buf, "Error:", 6) ||
	      !strncmp(c->buf, "unknown command", 15);
	return ret;
}

/**
 * run_qmp() - negotiate capabilities, run one command, print the answer
 * @c:		connection (greeting already read)
 * @cmd:	raw JSON, or an HMP command line
 *
 * Return: exit status
 */
static int run_qmp(struct conn *c, const char *cmd)
{
	char req[65536], *reply = NULL, *text;
	int ret = 2;

	if (conn_send(c, "{\"execute\":\"qmp_capabilities\"}\n") ||
	    read_json(c, &reply))
		return 2;
	free(reply);
	reply = NULL;
	if (cmd[0] == '{') {
		snprintf(req, sizeof(req), "%s\n", cmd);
	} else {
		snprintf(req, sizeof(req), "{\"execute\":\"human-monitor-command\","
			 "\"arguments\":{\"command-line\":");
		if (json_quote(req, sizeof(req) - 4, cmd))
			return 2;
		strcat(req, "}}\n");
	}
	if (conn_send(c, req))
		return 2;
	do {			/* skip asynchronous events */
		free(reply);
		reply = NULL;
		if (read_json(c, &reply))
			return 2;
	} while (strstr(reply, "\"event\"") && !strstr(reply, "\"return\"") &&
		 !strstr(reply, "\"error\""));
	if (cmd[0] == '{') {
		printf("%s\n", reply);
		ret = strstr(reply, "\"error\"") ? 1 : 0;
	} else if ((text = json_unescape_return(reply))) {
		fputs(text, stdout);
		ret = !strncmp(text, "Error:", 6) ||
		      !strncmp(text, "unknown command", 15);
		free(text);
	} else {
		printf("%s\n", reply);
		ret = 1;
	}
	free(reply);
	return ret;
}

/**
 * usage() - print how to call qnetctl
 */
static void usage(void)
{
	fprintf(stderr,
		"usage: qnetctl -s SOCKET COMMAND...\n"
		"  SOCKET   a qnet -monitor or -qmp unix socket\n"
		"  COMMAND  an HMP command line (info network, set_link n0 off,\n"
		"           ...) or, on a QMP socket, a raw JSON command\n");
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct conn c = { .fd = -1 };
	char line[MON_LINE_MAX] = "";
	const char *path = NULL;
	int i, ret = 2;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return 0;
		} else
			break;
	}
	if (!path || i >= argc) {
		usage();
		return 2;
	}
	for (; i < argc; i++) {
		if (strlen(line) + strlen(argv[i]) + 2 > sizeof(line)) {
			fprintf(stderr, "qnetctl: command too long\n");
			return 2;
		}
		if (line[0])
			strcat(line, " ");
		strcat(line, argv[i]);
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "qnetctl: socket path too long: %s\n", path);
		return 2;
	}
	strcpy(sa.sun_path, path);
	c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "qnetctl: cannot connect to %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	while (!strstr(c.buf ? c.buf : "", "(qemu) ") &&
	       !strstr(c.buf ? c.buf : "", "\"QMP\"") && conn_fill(&c) > 0)
		;
	if (strstr(c.buf ? c.buf : "", "\"QMP\"")) {
		char *greeting = NULL;

		if (!read_json(&c, &greeting)) {
			free(greeting);
			ret = run_qmp(&c, line);
		}
	} else if (c.buf && strstr(c.buf, "(qemu) ")) {
		ret = run_hmp(&c, line);
	} else {
		fprintf(stderr, "qnetctl: %s: no monitor greeting\n", path);
	}
out:
	if (c.fd >= 0)
		close(c.fd);
	free(c.buf);
	return ret;
}
