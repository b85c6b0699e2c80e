/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user_int.h: internals shared by the backends/user*.c files (not for other layers). */
#ifndef QNET_BACKENDS_USER_INT_H
#define QNET_BACKENDS_USER_INT_H

#include <poll.h>
#include <slirp/libslirp.h>

#include "backends/user.h"
#include "datapath/pool.h"
#include "datapath/uring/uloop.h"

/** USER_TXQ_LEN - frames from libslirp queued toward the peer at most */
#define USER_TXQ_LEN 256

/** USER_SMALL_BUF - largest buffer of the small-frame pool */
#define USER_SMALL_BUF 2048u

/** USER_POOL_FRAMES - frames in the send pool when every frame fits it */
#define USER_POOL_FRAMES 512

/** USER_SMALL_FRAMES - small buffers beside a big pool (ACKs, short frames) */
#define USER_SMALL_FRAMES 256

/** USER_BIG_BYTES - bytes of buffers for frames longer than USER_SMALL_BUF */
#define USER_BIG_BYTES (2u << 20)

/** USER_BIG_MIN - fewest buffers in the big pool */
#define USER_BIG_MIN 16

/** USER_ACKC_FLOWS - connections ACK coalescing tracks in one flush */
#define USER_ACKC_FLOWS 16

/** USER_WATCH_ERRORS - poll errors in a row before an fd is not re-armed */
#define USER_WATCH_ERRORS 4

/** USER_ETH_MIN - frames toward the peer are padded to this length */
#define USER_ETH_MIN 60

/**
 * enum user_watch_state - life of the poll watch of one fd number
 * @USER_WATCH_IDLE:	no kernel request; may be armed
 * @USER_WATCH_ACTIVE:	armed (or disarmed but kept) through uloop_poll_set()
 * @USER_WATCH_DELETING: uloop_poll_del() sent, release pending
 */
enum user_watch_state {
	USER_WATCH_IDLE,
	USER_WATCH_ACTIVE,
	USER_WATCH_DELETING,
	USER_WATCH_STATE_COUNT
};

/**
 * struct user_watch - the poll watch of one fd number slirp uses
 * @poll:	the uloop watch (one-shot, re-armed at each fill)
 * @be:		its backend
 * @fd:		the fd number
 * @state:	see enum user_watch_state
 * @gen:	fill generation that last asked for this fd
 * @revents:	SLIRP_POLL_* seen since the last slirp_pollfds_poll()
 * @errors:	poll errors in a row
 */
struct user_watch {
	struct uloop_poll poll;
	struct user_backend *be;
	int fd;
	enum user_watch_state state;
	uint64_t gen;
	int revents;
	unsigned int errors;
};

/**
 * struct user_timer - one libslirp timer on the uloop
 * @t:		the loop timer
 * @be:		its backend
 * @id:		libslirp's timer id
 * @cb_opaque:	libslirp's argument for slirp_handle_timer()
 * @next:	list of the backend's timers
 * @prev:	list link
 */
struct user_timer {
	struct uloop_timer t;
	struct user_backend *be;
	SlirpTimerId id;
	void *cb_opaque;
	struct user_timer *next;
	struct user_timer *prev;
};

/**
 * struct user_fwd_active - an active host forward
 * @rule:	the rule
 * @text:	its text (owned)
 * @port:	the port bound (0 for unix, or unknown)
 */
struct user_fwd_active {
	struct user_fwd_rule rule;
	char *text;
	uint16_t port;
};

/**
 * struct user_backend - one libslirp instance behind a port
 * @port:	the port (PORT_NETDEV, one queue)
 * @loop:	the uloop its sockets and timers live on
 * @slirp:	libslirp's state
 * @cfg:	its configuration (owned copy)
 * @pool:	frames toward the peer: every frame when they all fit
 *		USER_SMALL_BUF, else the short ones
 * @big:	frames longer than USER_SMALL_BUF (no frames when every frame
 *		fits @pool)
 * @owner:	release hook put in our frames (returns them to their pool)
 * @frames_out:	frames of @pool and @big not yet returned
 * @txq:	frames produced by libslirp, not yet sent to the peer
 * @ntxq:	how many
 * @buf_size:	usable bytes in each @pool buffer
 * @max_in:	longest frame without GSO accepted from the peer
 * @scratch:	buffer for frames whose offloads are completed in software
 * @watch:	watches by fd number (@nwatch slots)
 * @nwatch:	slots in @watch
 * @fillv:	watches asked for at the last fill, by libslirp's index
 * @nfill:	entries in @fillv
 * @fillcap:	room in @fillv
 * @prevv:	@fillv of the fill before (to disarm what is no longer asked)
 * @nprev:	entries in @prevv
 * @prevcap:	room in @prevv
 * @gen:	fill generation
 * @pfd:	poll(2) array for confirming POLLPRI (@pfdcap entries)
 * @pfdcap:	its size
 * @deleting:	watches whose release is pending
 * @hook:	per-iteration hook: poll, fill, flush
 * @tmo:	libslirp's poll timeout
 * @timers:	libslirp's timers
 * @dirty:	something changed since the last fill
 * @fired:	a watched fd reported events
 * @due:	@tmo expired
 * @held:	receive() held its sender: wake it after the hook
 * @in_input:	inside receive() (frames from libslirp are queued)
 * @in_slirp:	inside a libslirp call (receive() holds its sender)
 * @closing:	user_close() ran; memory goes when the kernel lets go
 * @fwd:	active host forwards
 * @nfwd:	how many
 * @ping_ok:	ICMP datagram sockets work for this process
 * @ping_why:	why not (names the sysctl)
 * @ob4:	outbound IPv4 address (libslirp keeps a pointer to it)
 * @ob6:	outbound IPv6 address (likewise)
 * @smb_dir:	temporary smbd directory, or ""
 * @stats:	counters
 * @guest_error: libslirp's last guest_error message
 */
struct user_backend {
	struct port port;
	struct uloop *loop;
	Slirp *slirp;
	struct user_config cfg;
	struct pool pool;
	struct pool big;
	struct frame_owner owner;
	unsigned int frames_out;
	struct frame *txq[USER_TXQ_LEN];
	unsigned int ntxq;
	uint32_t buf_size;
	uint32_t max_in;
	uint8_t *scratch;
	struct user_watch **watch;
	unsigned int nwatch;
	struct user_watch **fillv;
	unsigned int nfill;
	unsigned int fillcap;
	struct user_watch **prevv;
	unsigned int nprev;
	unsigned int prevcap;
	uint64_t gen;
	struct pollfd *pfd;
	unsigned int pfdcap;
	unsigned int deleting;
	struct uloop_hook hook;
	struct uloop_timer tmo;
	struct user_timer *timers;
	bool dirty;
	bool fired;
	bool due;
	bool held;
	bool in_input;
	unsigned int in_slirp;
	bool closing;
	struct user_fwd_active *fwd;
	unsigned int nfwd;
	bool ping_ok;
	char ping_why[320];
	struct sockaddr_in ob4;
	struct sockaddr_in6 ob6;
	char smb_dir[64];
	struct user_stats stats;
	char guest_error[160];
};

/* user_config.c */
int user_err_set(struct user_err *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool user_in6_same_net(const struct in6_addr *a, const struct in6_addr *b,
		       unsigned int len);
int user_check_v4(const struct user_config *c, struct user_err *err);
int user_check_v6(const struct user_config *c, struct user_err *err);
int user_check_names(const struct user_config *c, struct user_err *err);
int user_check_extras(const struct user_config *c, struct user_err *err);

/* user_poll.c */
void user_poll_hook(struct uloop *loop, struct uloop_hook *h);
void user_poll_init(struct user_backend *be);
void user_poll_clock(struct user_backend *be);
void user_poll_close(struct user_backend *be);
void user_cb_register_fd(int fd, void *opaque);
void user_cb_unregister_fd(int fd, void *opaque);
void *user_cb_timer_new(SlirpTimerId id, void *cb_opaque, void *opaque);
void user_cb_timer_free(void *timer, void *opaque);
void user_cb_timer_mod(void *timer, int64_t expire_ms, void *opaque);
int64_t user_cb_clock_ns(void *opaque);
void user_cb_notify(void *opaque);
void user_flush(struct user_backend *be);
void user_try_free(struct user_backend *be);

/* user_offload.c */
int user_offload(const struct frame *f, uint8_t *scratch, uint32_t *len);
int user_l3_check(const struct user_config *c, const uint8_t *d, uint32_t len);
unsigned int user_ack_coalesce(struct frame **f, unsigned int n,
			       struct user_stats *st);

/* user_fwd.c */
int user_fwd_start(struct user_backend *be, struct user_err *err);
void user_fwd_stop(struct user_backend *be);

/* user_smb.c */
int user_smb_start(struct user_backend *be, struct user_err *err);
void user_smb_stop(struct user_backend *be);

/* user_ping.c */
void user_ping_init(struct user_backend *be);

#endif /* QNET_BACKENDS_USER_INT_H */
