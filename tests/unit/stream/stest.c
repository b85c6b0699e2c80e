// SPDX-License-Identifier: GPL-2.0-or-later
/* stest.c: stream tests' helpers: a recording test port, frames, sockets, loop runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "datapath/frame_hot.h"
#include "datapath/stream_codec.h"
#include "tests/unit/stream/stest.h"

#define tport_of(p) ((struct tport *)(void *)(p))

/**
 * st_loop_init() - uloop_init(), exiting 77 when io_uring is unavailable
 * @loop:	the loop
 */
void st_loop_init(struct uloop *loop)
{
	int ret = uloop_init(loop, NULL);

	if (ret == -ENOSYS || ret == -EPERM || ret == -EOPNOTSUPP) {
		printf("SKIP: io_uring unavailable: %s\n", strerror(-ret));
		exit(ST_SKIP);
	}
	ST_EQ(ret, 0);
}

static char st_dir[64];

/* atexit: a failed check still removes the test's directory. */
static void st_cleanup(void)
{
	if (st_dir[0])
		st_rmdir(st_dir);
}

/**
 * st_tmpdir() - make a private directory for socket files, removed at
 * exit even when a check fails
 * @dir:	receives its path
 * @size:	room in @dir
 */
void st_tmpdir(char *dir, size_t size)
{
	ST_CHECK(size > 32);
	strcpy(dir, "/tmp/qnet-stream-XXXXXX");
	ST_CHECK(mkdtemp(dir) != NULL);
	strcpy(st_dir, dir);
	atexit(st_cleanup);
}

/**
 * st_rmdir() - remove a test directory and whatever is left in it
 * @dir:	the directory
 */
void st_rmdir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/**
 * st_pump() - run a loop for a while
 * @loop:	the loop
 * @ms:		milliseconds
 */
void st_pump(struct uloop *loop, unsigned int ms)
{
	uint64_t now, end = uloop_now() + (uint64_t)ms * ST_MS;

	while ((now = uloop_now()) < end)
		ST_CHECK(uloop_run_once(loop, (int64_t)(end - now)) >= 0);
}

/**
 * tp_receive() - take up to the budget, recording bytes, maybe keeping
 * @p:		the test port
 * @queue:	the queue
 * @f:		frames offered
 * @n:		how many
 *
 * Return: frames taken.
 */
static unsigned int tp_receive(struct port *p, unsigned int queue,
			       struct frame **f, unsigned int n)
{
	struct tport *t = tport_of(p);
	unsigned int i, take = n < t->budget ? n : t->budget;

	for (i = 0; i < take; i++) {
		ST_CHECK(t->log_len + 4 + f[i]->len <= ST_LOG_MAX);
		stream_enc_hdr(t->log + t->log_len, f[i]->len);
		memcpy(t->log + t->log_len + 4, f[i]->data, f[i]->len);
		t->log_len += 4 + f[i]->len;
		if (t->keep) {
			ST_CHECK(t->nkept < ST_KEEP_MAX);
			t->kept[t->nkept++] = frame_get(f[i]);
		}
	}
	if (t->budget != UINT32_MAX)
		t->budget -= take;
	t->frames += take;
	if (take)
		t->calls++;
	return take;
}

/**
 * tp_flush() - offer pending frames again
 * @t:	the test port
 *
 * Return: frames done with.
 */
static unsigned int tp_flush(struct tport *t)
{
	unsigned int done;

	if (!t->npend)
		return 0;
	done = port_send(&t->port, 0, t->pend, t->npend, true);
	frame_put_n(t->pend, done);
	memmove(t->pend, t->pend + done, (t->npend - done) * sizeof(t->pend[0]));
	t->npend -= done;
	return done;
}

static void tp_resume(struct port *p, unsigned int queue)
{
	tport_of(p)->resumes++;
	tp_flush(tport_of(p));
}

static void tp_link_changed(struct port *p)
{
	tport_of(p)->links++;
}

static const struct port_ops tp_ops = {
	.receive = tp_receive,
	.resume = tp_resume,
	.link_changed = tp_link_changed,
};

/**
 * tport_init() - a test port that takes everything
 * @t:		the port
 * @name:	its name
 */
void tport_init(struct tport *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->budget = UINT32_MAX;
	t->log = malloc(ST_LOG_MAX);
	ST_CHECK(t->log != NULL);
	ST_EQ(port_init(&t->port, &tp_ops, PORT_NETDEV, name, 1, NULL), 0);
}

/**
 * tport_fini() - release everything a test port holds
 * @t:	the port
 */
void tport_fini(struct tport *t)
{
	frame_put_n(t->kept, t->nkept);
	t->nkept = 0;
	frame_put_n(t->pend, t->npend);
	t->npend = 0;
	free(t->log);
	t->log = NULL;
}

/**
 * tport_send() - send frames to the peer, keeping what it does not take
 * @t:	the port
 * @f:	the frames (the port takes its own references)
 * @n:	how many
 *
 * Return: frames done with now.
 */
unsigned int tport_send(struct tport *t, struct frame **f, unsigned int n)
{
	unsigned int i;

	ST_CHECK(t->npend + n <= ST_PEND_MAX);
	for (i = 0; i < n; i++)
		t->pend[t->npend++] = frame_get(f[i]);
	return tp_flush(t);
}

/**
 * tport_release() - drop the frames kept and wake the sender
 * @t:	the port
 */
void tport_release(struct tport *t)
{
	frame_put_n(t->kept, t->nkept);
	t->nkept = 0;
	port_wake(&t->port, 0);
}

/**
 * tport_set_budget() - frames the port may take from now on; wakes the
 * sender
 * @t:		the port
 * @budget:	frames (UINT32_MAX: no limit)
 */
void tport_set_budget(struct tport *t, uint32_t budget)
{
	t->budget = budget;
	port_wake(&t->port, 0);
}

/**
 * st_frame_len() - a varied but reproducible frame length
 * @i:		frame index
 * @seed:	series
 *
 * Return: 14..1514 mostly, with a 9000 and a 65550 now and then.
 */
uint32_t st_frame_len(unsigned int i, unsigned int seed)
{
	if (i % 97 == 13)
		return 9000;
	if (i % 211 == 17)
		return FRAME_MAX_LEN;
	return 14 + (i * 7919u + seed * 31u) % 1501u;
}

static void tbufs_release(struct frame *f)
{
	((struct tbufs *)(void *)f->owner)->released++;
}

/**
 * tbufs_new() - @n frames with patterned bytes, and their byte stream
 * @b:		filled in
 * @n:		frames
 * @seed:	series
 * @maxlen:	cap on the lengths st_frame_len() gives
 */
void tbufs_new(struct tbufs *b, unsigned int n, unsigned int seed,
	       uint32_t maxlen)
{
	size_t total = 0, at = 0;
	unsigned int i, j;

	memset(b, 0, sizeof(*b));
	b->owner.release = tbufs_release;
	b->n = n;
	b->f = calloc(n, sizeof(*b->f));
	b->ptr = calloc(n, sizeof(*b->ptr));
	for (i = 0; i < n; i++) {
		uint32_t len = st_frame_len(i, seed);

		total += 4 + (len > maxlen ? maxlen : len);
	}
	b->stream = malloc(total);
	ST_CHECK(b->f && b->ptr && b->stream);
	for (i = 0; i < n; i++) {
		struct frame *f = &b->f[i];
		uint32_t len = st_frame_len(i, seed);

		len = len > maxlen ? maxlen : len;
		stream_enc_hdr(b->stream + at, len);
		f->data = b->stream + at + 4;
		for (j = 0; j < len; j++)
			f->data[j] = (uint8_t)(i * 131u + j * 7u + seed);
		f->len = f->cap = len;
		f->refs = 1;
		f->owner = &b->owner;
		f->cookie = i;
		b->ptr[i] = f;
		at += 4 + len;
	}
	b->stream_len = total;
}

/**
 * tbufs_free() - drop the creator's references and free
 * @b:	the frames
 */
void tbufs_free(struct tbufs *b)
{
	frame_put_n(b->ptr, b->n);
	ST_EQ(b->released, b->n);
	free(b->f);
	free(b->ptr);
	free(b->stream);
	memset(b, 0, sizeof(*b));
}

/**
 * st_unix_connect() - connect a stream socket to a unix path
 * @path:	the path
 *
 * Return: the fd, or -errno.
 */
int st_unix_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ST_CHECK(fd >= 0);
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/**
 * st_tcp_connect() - connect to 127.0.0.1:@port
 * @port:	the port
 *
 * Return: the fd, or -errno.
 */
int st_tcp_connect(uint16_t port)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ST_CHECK(fd >= 0);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&in, sizeof(in))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/**
 * st_unix_listen() - a listening unix stream socket
 * @path:	the path (created)
 *
 * Return: the fd.
 */
int st_unix_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ST_CHECK(fd >= 0);
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	ST_EQ(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ST_EQ(listen(fd, 4), 0);
	return fd;
}

/**
 * st_unix_dgram() - a unix datagram socket bound to @path
 * @path:	the path (created)
 *
 * Return: the fd.
 */
int st_unix_dgram(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ST_CHECK(fd >= 0);
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	ST_EQ(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/**
 * st_nonblock() - make an fd non-blocking
 * @fd:	the fd
 */
void st_nonblock(int fd)
{
	ST_CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
}

/**
 * st_read_some() - read what is there now (non-blocking fd), up to @want
 * @fd:		the fd
 * @buf:	destination
 * @want:	most bytes
 *
 * Return: bytes read (0 when nothing was there or at end of stream).
 */
size_t st_read_some(int fd, uint8_t *buf, size_t want)
{
	size_t got = 0;
	ssize_t n;

	while (got < want) {
		n = read(fd, buf + got, want - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/**
 * st_write_some() - write what fits now (non-blocking fd)
 * @fd:		the fd
 * @buf:	source
 * @len:	bytes
 *
 * Return: bytes written.
 */
size_t st_write_some(int fd, const uint8_t *buf, size_t len)
{
	size_t put = 0;
	ssize_t n;

	while (put < len) {
		n = write(fd, buf + put, len - put);
		if (n <= 0)
			break;
		put += (size_t)n;
	}
	return put;
}

/**
 * st_peer_closed() - whether the other end closed or reset the socket
 * @fd:	a stream socket
 *
 * Return: true at end of stream or on a reset.
 */
bool st_peer_closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/**
 * st_link_event() - a notify hook counting events into a struct st_events
 * @l:		the link
 * @ev:		the event
 * @arg:	the struct st_events
 */
void st_link_event(struct stream_link *l, enum stream_link_event ev,
		   void *arg)
{
	struct st_events *e = arg;

	e->count[ev]++;
	e->last = ev;
}
