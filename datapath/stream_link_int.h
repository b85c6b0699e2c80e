/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream_link_int.h: stream link internals shared by datapath/stream_link*.c only. */
#ifndef QNET_DATAPATH_STREAM_LINK_INT_H
#define QNET_DATAPATH_STREAM_LINK_INT_H

#include <sys/socket.h>
#include "datapath/frame.h"
#include "datapath/stream_codec.h"
#include "datapath/stream_link.h"
#include "datapath/uring/ubufring.h"

#define SL_CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Delay before retrying an accept after EMFILE and the like, in ns. */
#define SL_RETRY_NS (50ull * 1000 * 1000)

/* First buffer group id tried for datagram receive rings. */
#define SL_BGID_BASE 0x5100u
#define SL_BGID_TRIES 256u

/**
 * enum sl_state - where a link's connection is
 * @SL_IDLE:		no connection and none coming (a client without
 *			reconnect, a handed-over fd that ended)
 * @SL_LISTENING:	waiting for a connection
 * @SL_CONNECTING:	a connect is in flight, or its retry timer runs
 * @SL_UP:		connected (a datagram link is always up)
 * @SL_DRAINING:	the connection ended; its reads and writes are
 *			finishing before the fd is closed
 */
enum sl_state {
	SL_IDLE,
	SL_LISTENING,
	SL_CONNECTING,
	SL_UP,
	SL_DRAINING,
	SL_STATE_COUNT
};

/**
 * struct sl_ring - a byte ring mapped twice in a row, so that any
 * [off, off + len) with len <= size is contiguous at base + (off & mask)
 * @base:	first mapping (the second follows it)
 * @size:	bytes, a power of two and a multiple of the page size
 * @mask:	@size - 1
 */
struct sl_ring {
	uint8_t *base;
	uint32_t size;
	uint32_t mask;
};

/**
 * struct sl_slot - one datagram send in flight
 * @op:		its completion
 * @l:		the link
 * @msg:	the sendmsg header
 * @iov:	the frame's bytes in the send ring
 * @end:	send ring offset after this frame
 * @res:	-EAGAIN or -ECANCELED: not sent, its fate is decided when the
 *		chain ends (sent again, or lost after a real error)
 * @done:	completed
 */
struct sl_slot {
	struct uloop_op op;
	struct stream_link *l;
	struct msghdr msg;
	struct iovec iov;
	uint64_t end;
	int res;
	bool done;
};

/**
 * struct stream_link - see stream_link.h; fields grouped by concern
 *
 * Receive (stream): bytes [r_free, r_dec) hold frames peers still
 * reference, [r_dec, r_tail) bytes read but not decoded; offsets only grow.
 * Descriptors d_head..d_tail are the frames handed out, released in any
 * order; r_free moves past a frame once it and all before it are released.
 * Send (stream): [w_head, w_tail) is queued, a write covers its front;
 * w_walk is the first frame not fully written.
 * Send (datagrams): slots s_head..s_sub are in flight as one chain of
 * linked non-blocking sendmsgs (@chain of them not complete), s_sub..s_tail
 * wait for the next chain; their bytes are [t_head, t_tail) of the ring.
 * When the socket refuses (-EAGAIN: a unix peer's queue is full) the rest
 * of the chain waits (@waiting) for @wait_op, a poll for POLLOUT on @fd or,
 * for a unix destination, on @wait_fd (a socket connected to it, whose
 * poll sees the peer's queue), or for @wait_timer when no poll can.
 */
struct stream_link {
	struct port port;
	struct uloop *loop;
	struct stream_link_config cfg;
	struct stream_link_notify notify;
	enum sl_state state;
	bool closing;
	bool admin_down;
	bool conn_error;
	int lfd;
	int fd;
	int next_fd;
	struct stream_unix_file ufile;
	struct stream_addr peer;
	struct stream_addr local;

	struct uloop_op accept_op;
	struct sockaddr_storage accept_ss;
	socklen_t accept_len;
	struct uloop_op connect_op;
	struct sockaddr_storage conn_ss;
	socklen_t conn_len;
	struct uloop_timer retry_timer;
	struct uloop_timer pump_timer;
	struct uloop_timer free_timer;

	/* receive, both framings */
	struct frame_owner rx_owner;
	struct frame *rxd;
	uint32_t nd;
	uint32_t rx_out;
	struct frame **pend;
	uint32_t pend_cap;
	uint32_t pend_head;
	uint32_t pend_n;
	bool rx_held;
	bool in_pump;
	bool pump_again;

	/* receive, stream */
	struct sl_ring rx;
	uint64_t r_free;
	uint64_t r_dec;
	uint64_t r_tail;
	uint64_t *rxd_end;
	uint8_t *rxd_done;
	uint32_t d_head;
	uint32_t d_tail;
	struct uloop_op read_op;
	struct stream_dec dec;
	bool rx_bad;

	/* send, stream */
	struct sl_ring tx;
	uint64_t w_head;
	uint64_t w_tail;
	uint64_t w_walk;
	struct uloop_op write_op;

	/* datagrams */
	struct ubufring br;
	bool br_ready;
	struct ubufring_rx brx;
	struct uloop_hook flush_hook;
	bool hook_added;
	struct sockaddr_storage dest;
	socklen_t dest_len;
	struct sl_slot *slots;
	uint32_t s_head;
	uint32_t s_sub;
	uint32_t s_tail;
	uint32_t chain;
	uint64_t t_head;
	uint64_t t_tail;
	struct uloop_op wait_op;
	struct uloop_timer wait_timer;
	int wait_fd;
	bool waiting;
	bool wait_fired;
	uint64_t wait_mark;

	struct stream_link_stats stats;
};

/* stream_link.c */
void sl_notify(struct stream_link *l, enum stream_link_event ev);
void sl_update_link(struct stream_link *l);
void sl_maybe_free(struct stream_link *l);
void sl_pump_later(struct stream_link *l);
bool sl_pend_flush(struct stream_link *l, bool can_hold);
void sl_conn_ended(struct stream_link *l);
void sl_pend_push(struct stream_link *l, struct frame *f);
void sl_pend_drop(struct stream_link *l);
int sl_ring_map(struct sl_ring *r, uint32_t size);
void sl_ring_unmap(struct sl_ring *r);

/* stream_link_stream.c */
extern const struct port_ops sl_stream_ops;
int sl_stream_setup(struct stream_link *l);
void sl_stream_teardown(struct stream_link *l);
void sl_conn_start(struct stream_link *l, int fd);
void sl_conn_reset(struct stream_link *l, bool bad);
void sl_stream_pump(struct stream_link *l);
bool sl_stream_idle(const struct stream_link *l);

/* stream_link_dgram.c */
extern const struct port_ops sl_dgram_ops;
int sl_dgram_setup(struct stream_link *l);
void sl_dgram_teardown(struct stream_link *l);
void sl_dgram_stop(struct stream_link *l);
void sl_dgram_pump(struct stream_link *l);
bool sl_dgram_idle(const struct stream_link *l);

#endif /* QNET_DATAPATH_STREAM_LINK_INT_H */
