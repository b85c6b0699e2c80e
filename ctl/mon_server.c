// SPDX-License-Identifier: GPL-2.0-or-later
/* mon_server.c: unix-socket monitor servers: accept, frame messages, buffer replies. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/mon_server.h"

/** MON_OUT_MAX - most reply bytes buffered for a slow client before it is dropped */
#define MON_OUT_MAX (4u << 20)

/**
 * struct mon_client - one connected monitor client
 * @srv:	its server
 * @fd:		connected socket
 * @poll:	readiness watch on @fd
 * @in:		bytes received and not yet framed
 * @in_len:	valid bytes in @in
 * @scan:	QMP framer: bytes of @in already scanned
 * @depth:	QMP framer: brace/bracket depth at @scan
 * @in_str:	QMP framer: inside a string
 * @esc:	QMP framer: after a backslash inside a string
 * @out:	reply bytes not yet written
 * @out_len:	valid bytes in @out
 * @out_cap:	allocated size of @out
 * @dead:	closing; freed once the poll watch is released
 * @state:	protocol handler's per-client state, zeroed on connect
 * @all_next:	link in the server's list of every client not yet freed
 * @all_prev:	back link
 */
struct mon_client {
	struct mon_server *srv;
	int fd;
	struct uloop_poll poll;
	char in[MON_IN_MAX + 1];
	size_t in_len;
	size_t scan;
	int depth;
	bool in_str;
	bool esc;
	char *out;
	size_t out_len;
	size_t out_cap;
	bool dead;
	unsigned char state[64];
	struct mon_client *all_next;
	struct mon_client *all_prev;
};

/**
 * struct mon_server - one listening monitor socket
 * @loop:	control loop it runs on
 * @fd:		listening socket
 * @poll:	readiness watch on @fd
 * @proto:	HMP or QMP
 * @h:		protocol handler
 * @ctx:	handler's context (the runtime)
 * @path:	socket path, unlinked on close
 * @clients:	connected clients
 * @all:	every client not yet freed (closed ones wait for their poll
 *		watch to be released)
 */
struct mon_server {
	struct uloop *loop;
	int fd;
	struct uloop_poll poll;
	enum mon_proto proto;
	const struct mon_handler *h;
	void *ctx;
	char path[108];
	struct mon_client *clients[MON_CLIENTS_MAX];
	struct mon_client *all;
};

/**
 * mon_spec_parse() - parse `unix:PATH[,server=on|off][,wait=on|off]`
 * @spec:	the option's argument
 * @out:	parsed result
 * @why:	on error, the reason (static text)
 *
 * QEMU's chardev defaults apply: a unix socket given with server=on waits for
 * a client unless wait=off. qnet only serves (server=on).
 *
 * Return: 0, or -EINVAL with @why set
 */
int mon_spec_parse(const char *spec, struct mon_spec *out, const char **why)
{
	const char *p, *end;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->wait = true;
	if (strncmp(spec, "unix:", 5)) {
		*why = "only 'unix:PATH,server=on,wait=off' monitors are supported";
		return -EINVAL;
	}
	p = spec + 5;
	end = strchr(p, ',');
	n = end ? (size_t)(end - p) : strlen(p);
	if (!n || n >= sizeof(out->path)) {
		*why = "socket path is empty or too long";
		return -EINVAL;
	}
	memcpy(out->path, p, n);
	while (end) {
		const char *opt = end + 1;
		size_t len;
		bool on;

		end = strchr(opt, ',');
		len = end ? (size_t)(end - opt) : strlen(opt);
		if (len == 6 && !strncmp(opt, "server", 6)) {
			out->server = true;
			continue;
		}
		if (len == 6 && !strncmp(opt, "nowait", 6)) {
			out->wait = false;
			continue;
		}
		if (len > 7 && !strncmp(opt, "server=", 7))
			on = !strncmp(opt + 7, "on", len - 7) && len - 7 == 2;
		else if (len > 5 && !strncmp(opt, "wait=", 5))
			on = !strncmp(opt + 5, "on", len - 5) && len - 5 == 2;
		else {
			*why = "unknown monitor socket option";
			return -EINVAL;
		}
		if (opt[0] == 's')
			out->server = on;
		else
			out->wait = on;
	}
	if (!out->server) {
		*why = "qnet only listens: use server=on";
		return -EINVAL;
	}
	return 0;
}

static void client_poll_cb(struct uloop *loop, struct uloop_poll *p,
			   int revents);

/**
 * client_free() - release a client once its poll watch is gone
 * @loop:	control loop
 * @p:		the client's poll watch
 */
static void client_free(struct uloop *loop, struct uloop_poll *p)
{
	struct mon_client *c = (struct mon_client *)((char *)p -
		offsetof(struct mon_client, poll));

	if (c->all_prev)
		c->all_prev->all_next = c->all_next;
	else
		c->srv->all = c->all_next;
	if (c->all_next)
		c->all_next->all_prev = c->all_prev;
	free(c->out);
	free(c);
}

/**
 * mon_client_close() - disconnect a client (safe from its own callback)
 * @c:		the client
 */
void mon_client_close(struct mon_client *c)
{
	struct mon_server *s = c->srv;
	unsigned int i;

	if (c->dead)
		return;
	c->dead = true;
	for (i = 0; i < MON_CLIENTS_MAX; i++)
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	close(c->fd);
	c->fd = -1;
	uloop_poll_del(s->loop, &c->poll);
}

/**
 * client_flush() - write buffered replies without blocking
 * @c:		the client
 *
 * Return: 0, or -errno when the client is gone
 */
static int client_flush(struct mon_client *c)
{
	while (c->out_len) {
		ssize_t w = send(c->fd, c->out, c->out_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	return uloop_poll_set(c->srv->loop, &c->poll,
			      POLLIN | (c->out_len ? POLLOUT : 0));
}

/**
 * mon_client_write() - queue reply bytes and try to send them
 * @c:		the client
 * @buf:	bytes
 * @len:	their length
 *
 * Return: 0, or -errno (the client is closed on error)
 */
int mon_client_write(struct mon_client *c, const char *buf, size_t len)
{
	int ret;

	if (c->dead)
		return -EPIPE;
	if (c->out_len + len > MON_OUT_MAX) {
		mon_client_close(c);
		return -ENOBUFS;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = (c->out_len + len) * 2;
		char *n = realloc(c->out, cap);

		if (!n) {
			mon_client_close(c);
			return -ENOMEM;
		}
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	ret = client_flush(c);
	if (ret < 0)
		mon_client_close(c);
	return ret;
}

/**
 * mon_client_printf() - queue formatted reply text
 * @c:		the client
 * @fmt:	printf format
 *
 * Return: 0, or -errno
 */
int mon_client_printf(struct mon_client *c, const char *fmt, ...)
{
	char small[1024], *big = NULL;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return mon_client_write(c, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ret = mon_client_write(c, big, (size_t)n);
	free(big);
	return ret;
}

/**
 * frame_hmp() - hand every complete line in the input to the handler
 * @c:		the client
 */
static void frame_hmp(struct mon_client *c)
{
	char *nl;

	while (!c->dead && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t len = (size_t)(nl - c->in);

		*nl = '\0';
		if (len && c->in[len - 1] == '\r')
			c->in[--len] = '\0';
		c->srv->h->message(c, c->in, len);
		if (c->dead)
			return;
		c->in_len -= (size_t)(nl - c->in) + 1;
		memmove(c->in, nl + 1, c->in_len);
	}
}

/**
 * frame_qmp() - hand every complete top-level JSON value to the handler
 * @c:		the client
 *
 * A streaming scan tracks nesting outside strings; text between values
 * (white space) is skipped.
 */
static void frame_qmp(struct mon_client *c)
{
	while (!c->dead && c->scan < c->in_len) {
		char ch = c->in[c->scan++];

		if (c->in_str) {
			if (c->esc)
				c->esc = false;
			else if (ch == '\\')
				c->esc = true;
			else if (ch == '"')
				c->in_str = false;
			continue;
		}
		if (ch == '"')
			c->in_str = true;
		else if (ch == '{' || ch == '[')
			c->depth++;
		else if (ch == '}' || ch == ']')
			c->depth--;
		if (c->depth > 0 || ch == ' ' || ch == '\n' || ch == '\r' ||
		    ch == '\t')
			continue;
		/* a complete value (or a stray token) ends at c->scan */
		{
			size_t len = c->scan;
			char save = c->in[len];

			c->in[len] = '\0';
			c->depth = 0;
			c->srv->h->message(c, c->in, len);
			if (c->dead)
				return;
			c->in[len] = save;
			c->in_len -= len;
			memmove(c->in, c->in + len, c->in_len);
			c->scan = 0;
		}
	}
}

/**
 * client_read() - drain the socket into the input buffer and frame it
 * @c:		the client
 *
 * Return: 0, or -errno when the client must be closed
 */
static int client_read(struct mon_client *c)
{
	for (;;) {
		ssize_t r;

		if (c->in_len >= MON_IN_MAX)
			return -EMSGSIZE;	/* message longer than allowed */
		r = recv(c->fd, c->in + c->in_len, MON_IN_MAX - c->in_len,
			 MSG_DONTWAIT);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		c->in_len += (size_t)r;
		c->in[c->in_len] = '\0';
		if (c->srv->proto == MON_HMP)
			frame_hmp(c);
		else
			frame_qmp(c);
		if (c->dead)
			return 0;
	}
}

/**
 * client_poll_cb() - a client's socket is readable, writable or gone
 * @loop:	control loop
 * @p:		the client's watch
 * @revents:	poll events or -errno
 */
static void client_poll_cb(struct uloop *loop, struct uloop_poll *p,
			   int revents)
{
	struct mon_client *c = (struct mon_client *)((char *)p -
		offsetof(struct mon_client, poll));

	if (c->dead)
		return;
	if (revents < 0 || (revents & (POLLERR | POLLNVAL))) {
		mon_client_close(c);
		return;
	}
	if ((revents & (POLLIN | POLLHUP)) && client_read(c) < 0) {
		mon_client_close(c);
		return;
	}
	if (!c->dead && client_flush(c) < 0)
		mon_client_close(c);
}

/**
 * server_accept() - take one pending connection
 * @s:		the server
 *
 * Return: 0, or -errno
 */
static int server_accept(struct mon_server *s)
{
	struct mon_client *c;
	unsigned int i;
	int fd;

	fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < MON_CLIENTS_MAX && s->clients[i]; i++)
		;
	if (i == MON_CLIENTS_MAX) {
		close(fd);
		return -EMFILE;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->srv = s;
	c->fd = fd;
	uloop_poll_init(&c->poll, fd, 0, client_poll_cb);
	c->poll.release = client_free;
	s->clients[i] = c;
	c->all_next = s->all;
	if (s->all)
		s->all->all_prev = c;
	s->all = c;
	if (uloop_poll_set(s->loop, &c->poll, POLLIN) < 0) {
		s->clients[i] = NULL;
		close(fd);
		client_free(s->loop, &c->poll);
		return -EIO;
	}
	s->h->greet(c);
	return 0;
}

/**
 * server_poll_cb() - the listening socket has connections to accept
 * @loop:	control loop
 * @p:		the server's watch
 * @revents:	poll events or -errno
 */
static void server_poll_cb(struct uloop *loop, struct uloop_poll *p,
			   int revents)
{
	struct mon_server *s = (struct mon_server *)((char *)p -
		offsetof(struct mon_server, poll));

	if (revents < 0)
		return;
	while (server_accept(s) == 0)
		;
}

/**
 * mon_server_open() - listen on a monitor socket
 * @out:	the new server
 * @loop:	control loop to run on
 * @spec:	parsed socket specification
 * @proto:	HMP or QMP
 * @h:		protocol handler
 * @ctx:	handler's context
 *
 * A stale socket file at the path is replaced; anything else there is an
 * error (-EEXIST).
 *
 * Return: 0, or -errno
 */
int mon_server_open(struct mon_server **out, struct uloop *loop,
		    const struct mon_spec *spec, enum mon_proto proto,
		    const struct mon_handler *h, void *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct mon_server *s;
	struct stat st;
	int ret;

	if (!lstat(spec->path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(spec->path);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->proto = proto;
	s->h = h;
	s->ctx = ctx;
	snprintf(s->path, sizeof(s->path), "%s", spec->path);
	memcpy(sa.sun_path, spec->path, sizeof(sa.sun_path) - 1);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->fd, 8) < 0) {
		ret = -errno;
		goto err_close;
	}
	uloop_poll_init(&s->poll, s->fd, 0, server_poll_cb);
	ret = uloop_poll_set(loop, &s->poll, POLLIN);
	if (ret < 0)
		goto err_unlink;
	*out = s;
	return 0;

err_unlink:
	unlink(s->path);
err_close:
	close(s->fd);
err_free:
	free(s);
	return ret;
}

/**
 * mon_server_wait_client() - block until a first client connects (wait=on)
 * @s:		the server
 *
 * Return: 0, or -errno
 */
int mon_server_wait_client(struct mon_server *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	while (poll(&pfd, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return server_accept(s);
}

/**
 * mon_server_close() - close every client and the listening socket
 * @s:		the server (may be NULL)
 */
void mon_server_close(struct mon_server *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < MON_CLIENTS_MAX; i++)
		if (s->clients[i])
			mon_client_close(s->clients[i]);
	uloop_poll_del(s->loop, &s->poll);
	/* drain the kernel's cancellations so released clients are freed:
	 * their release callbacks run from these completions */
	for (i = 0; i < 8 && s->all; i++)
		uloop_run_once(s->loop, i < 4 ? 0 : 1000000);
	/* the control loop does not run again after its monitors close, so
	 * no completion can reach a client freed here */
	while (s->all)
		client_free(s->loop, &s->all->poll);
	close(s->fd);
	unlink(s->path);
	free(s);
}

/**
 * mon_server_broadcast() - send bytes to every client (QMP events)
 * @s:		the server
 * @buf:	bytes
 * @len:	their length
 */
void mon_server_broadcast(struct mon_server *s, const char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < MON_CLIENTS_MAX; i++)
		if (s->clients[i])
			mon_client_write(s->clients[i], buf, len);
}

/**
 * mon_client_ctx() - the handler context of a client's server
 * @c:		the client
 *
 * Return: the context given to mon_server_open()
 */
void *mon_client_ctx(const struct mon_client *c)
{
	return c->srv->ctx;
}

/**
 * mon_client_proto() - the protocol a client speaks
 * @c:		the client
 *
 * Return: MON_HMP or MON_QMP
 */
enum mon_proto mon_client_proto(const struct mon_client *c)
{
	return c->srv->proto;
}

/**
 * mon_client_state() - the handler's per-client scratch state (64 bytes)
 * @c:		the client
 *
 * Return: pointer to zero-initialised per-client state
 */
void *mon_client_state(struct mon_client *c)
{
	return c->state;
}

/**
 * mon_server_foreach() - call @fn for every connected client
 * @s:		the server
 * @fn:		callback
 * @arg:	its argument
 */
void mon_server_foreach(struct mon_server *s,
			void (*fn)(struct mon_client *c, void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < MON_CLIENTS_MAX; i++)
		if (s->clients[i])
			fn(s->clients[i], arg);
}
