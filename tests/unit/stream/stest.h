/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stest.h: stream tests' helpers: a recording test port, loop runs, sockets, checks. */
#ifndef QNET_TESTS_STREAM_STEST_H
#define QNET_TESTS_STREAM_STEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "datapath/port.h"
#include "datapath/stream_link.h"
#include "datapath/uring/uloop.h"

#include "tests/lib/tcheck.h"

#define ST_SKIP 77
#define ST_MS TC_MS
#define ST_CHECK TC_CHECK
#define ST_EQ TC_EQ
/* Run @loop until @expr holds; fail after @ms milliseconds (5 ms turns). */
#define ST_RUN_UNTIL(loop, expr, ms) TC_RUN_UNTIL_STEP(loop, expr, ms, 5)

/** ST_LOG_MAX - bytes of received frames a test port records */
#define ST_LOG_MAX (16u << 20)

/** ST_KEEP_MAX - frames a test port keeps at once */
#define ST_KEEP_MAX 4096

/** ST_PEND_MAX - frames a test port has waiting to be sent */
#define ST_PEND_MAX 4096

/**
 * struct tport - a test peer: records what it receives as a prefixed byte
 * stream, can take a limited number (holding its sender), keep frames
 * (release later), and send frames, waiting when held
 * @port:	the port
 * @log:	every frame taken, as 4-byte big-endian length + bytes
 * @log_len:	bytes in @log
 * @frames:	frames taken
 * @calls:	receive() calls that took at least one frame
 * @budget:	frames it may still take (UINT32_MAX: no limit)
 * @keep:	keep taken frames until tport_release()
 * @kept:	frames kept, @nkept of them
 * @pend:	frames offered but not taken, @npend of them
 * @resumes:	resume hook calls
 * @links:	link_changed hook calls
 */
struct tport {
	struct port port;
	uint8_t *log;
	size_t log_len;
	unsigned int frames;
	unsigned int calls;
	uint32_t budget;
	bool keep;
	struct frame *kept[ST_KEEP_MAX];
	unsigned int nkept;
	struct frame *pend[ST_PEND_MAX];
	unsigned int npend;
	unsigned int resumes;
	unsigned int links;
};

/**
 * struct tbufs - frames to send, each with its own buffer and owner
 * @owner:	release hook counting into @released
 * @n:		frames
 * @f:		the frames
 * @ptr:	&f[i]
 * @released:	releases seen
 * @stream:	the frames as a prefixed byte stream (what a socket must see)
 * @stream_len:	its length
 */
struct tbufs {
	struct frame_owner owner;
	unsigned int n;
	struct frame *f;
	struct frame **ptr;
	unsigned int released;
	uint8_t *stream;
	size_t stream_len;
};

void st_loop_init(struct uloop *loop);
void st_tmpdir(char *dir, size_t size);
void st_rmdir(const char *dir);
void st_pump(struct uloop *loop, unsigned int ms);

void tport_init(struct tport *t, const char *name);
void tport_fini(struct tport *t);
unsigned int tport_send(struct tport *t, struct frame **f, unsigned int n);
void tport_release(struct tport *t);
void tport_set_budget(struct tport *t, uint32_t budget);

uint32_t st_frame_len(unsigned int i, unsigned int seed);
void tbufs_new(struct tbufs *b, unsigned int n, unsigned int seed,
	       uint32_t maxlen);
void tbufs_free(struct tbufs *b);
size_t st_make_stream(uint8_t *out, unsigned int n, unsigned int seed,
		      uint32_t maxlen);

int st_unix_connect(const char *path);
int st_tcp_connect(uint16_t port);
int st_unix_listen(const char *path);
int st_unix_dgram(const char *path);
void st_nonblock(int fd);
size_t st_read_some(int fd, uint8_t *buf, size_t want);
size_t st_write_some(int fd, const uint8_t *buf, size_t len);
bool st_peer_closed(int fd);

/**
 * struct st_events - events seen through a notify hook
 * @count:	per event
 * @last:	the last event
 */
struct st_events {
	unsigned int count[STREAM_LINK_EV_COUNT];
	enum stream_link_event last;
};

void st_link_event(struct stream_link *l, enum stream_link_event ev,
		   void *arg);

#endif /* QNET_TESTS_STREAM_STEST_H */
