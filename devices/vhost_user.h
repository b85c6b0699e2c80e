/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_user.h: vhost-user back-end transport: socket, messages, rings, memory. */
#ifndef QNET_DEVICES_VHOST_USER_H
#define QNET_DEVICES_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "datapath/uring/uloop.h"
#include "devices/guest_mem.h"
#include "devices/vhost_user_proto.h"
#include "devices/virtq.h"

/**
 * DOC: vhost-user transport
 *
 * One struct vhost_user serves one vhost-user socket for one device. It
 * listens (the VMM connects: QEMU's plain `-chardev socket,path=P`) or
 * connects (the VMM listens: `server=on`), one front-end at a time. Every
 * message is read whole (header, then exactly its payload, with its fds),
 * validated against the request's entry in a designated-initialiser table
 * (payload size, fd count, protocol feature, then the request's own ranges
 * and indices), and only then applied. A message that fails validation is
 * refused: with REPLY_ACK a non-zero ack, and the fds it brought are
 * closed. A broken header (version, reply flag, size above the maximum)
 * ends the connection.
 *
 * When the front-end goes away (EOF, error, a failed reply), every fd it
 * passed is closed, every mapping is removed, the rings forget their state,
 * the device is told (link down), and the transport waits for the next
 * front-end: a listener keeps listening, a client reconnects every
 * @reconnect_ms. Everything runs on one uloop.
 */

/** VU_MAX_QUEUE_PAIRS - most queue pairs one device offers */
#define VU_MAX_QUEUE_PAIRS 16

/** VU_MAX_VQS - most virtqueues (pairs plus a control queue) */
#define VU_MAX_VQS (2 * VU_MAX_QUEUE_PAIRS + 1)

/** VU_KICK_WATCHES - kick watches per queue (one may still be releasing) */
#define VU_KICK_WATCHES 2

struct vhost_user;

/**
 * struct vu_dev_ops - what the device behind the transport does
 * @features:	  device feature bits to offer (VHOST_USER_F_PROTOCOL_FEATURES
 *		  is added by the transport)
 * @set_features: the front-end acked @features (a subset of the offer);
 *		  return 0 or -errno to refuse
 * @kick:	  queue @idx was kicked or started: process it
 * @stop:	  queue @idx is being stopped (GET_VRING_BASE, reset,
 *		  disconnect): finish and publish what is in progress
 * @state:	  connection or ring state changed (recompute the link)
 * @set_mtu:	  NET_SET_MTU; return 0 or -errno
 * @send_rarp:	  SEND_RARP for @mac
 * @get_config:	  copy @size bytes of the device config at @off to @buf;
 *		  return 0 or -errno
 * @quiesce:	  @stop true: the transport is about to change rings,
 *		  memory or connection state: stop every other thread that
 *		  touches them; false: let them go on (may be NULL)
 */
struct vu_dev_ops {
	uint64_t (*features)(void *dev);
	int (*set_features)(void *dev, uint64_t features);
	void (*kick)(void *dev, unsigned int idx);
	void (*stop)(void *dev, unsigned int idx);
	void (*state)(void *dev);
	int (*set_mtu)(void *dev, uint32_t mtu);
	void (*send_rarp)(void *dev, const uint8_t mac[6]);
	int (*get_config)(void *dev, uint32_t off, uint8_t *buf, uint32_t size);
	void (*quiesce)(void *dev, bool stop);
};

/**
 * struct vu_stats - transport counters
 * @connects:	front-ends that connected
 * @disconnects: connections that ended
 * @msgs:	messages handled
 * @rejected:	messages refused (bad size, fds, ranges, feature)
 * @unknown:	unknown or unsupported requests
 * @fds_closed:	fds closed because a message did not take them
 * @fatal:	connections closed for a broken header
 * @busy_rejects: connections refused while one was served
 */
struct vu_stats {
	uint64_t connects;
	uint64_t disconnects;
	uint64_t msgs;
	uint64_t rejected;
	uint64_t unknown;
	uint64_t fds_closed;
	uint64_t fatal;
	uint64_t busy_rejects;
};

struct vu_kick;

/**
 * struct vu_watch - a poll watch and what it belongs to
 * @p:		the watch
 * @vu:		the transport
 * @kick:	the queue's kick state (kick watches only)
 */
struct vu_watch {
	struct uloop_poll p;
	struct vhost_user *vu;
	struct vu_kick *kick;
};

/**
 * struct vu_kick - one queue's kick watches
 * @w:		the watches; at most one is active
 * @idx:	the queue
 * @cur:	index of the active watch, or -1
 */
struct vu_kick {
	struct vu_watch w[VU_KICK_WATCHES];
	unsigned int idx;
	int cur;
};

/**
 * struct vhost_user - one vhost-user socket and its device
 *
 * Fields are owned by vhost_user_*(); read @vq, @mem, @features from the
 * device's hooks only.
 */
struct vhost_user {
	struct uloop *loop;
	const struct vu_dev_ops *ops;
	void *dev;
	struct sockaddr_un addr;
	bool server;
	bool once;
	uint32_t reconnect_ms;
	uint64_t offered_pf;
	unsigned int pairs;
	unsigned int nvq;

	int listen_fd;
	int conn_fd;
	int backend_fd;
	bool connected;
	bool closing;
	unsigned int pending;
	void (*closed)(void *dev);
	struct vu_watch listen_w;
	struct vu_watch conn_w[2];
	int conn_cur;
	struct uloop_timer retry;

	struct vu_msg msg;
	uint32_t got;
	int fds[VU_MAX_FDS];
	unsigned int nfds;

	uint64_t features;
	uint64_t protocol_features;
	bool features_acked;
	bool owner;

	struct guest_mem mem;
	struct virtq *vq;
	struct vu_kick kick[VU_MAX_VQS];
	struct vu_stats stats;
};

/**
 * struct vhost_user_config - where the socket is and who listens
 * @path:	  socket path
 * @server:	  true: qnet listens (the VMM's `-chardev socket,path=P`);
 *		  false: qnet connects (the VMM's `server=on`)
 * @reconnect_ms: client: retry period after a failed connect or a
 *		  disconnect (0: 1000 ms)
 * @use_fd:	  serve @fd, an already connected socket (a manager's
 *		  `--fd`); @path and @server are ignored and nothing
 *		  reconnects after that front-end goes away
 * @fd:		  the socket (taken over), with @use_fd
 */
struct vhost_user_config {
	const char *path;
	bool server;
	uint32_t reconnect_ms;
	bool use_fd;
	int fd;
};

int vhost_user_open(struct vhost_user *vu, const struct vhost_user_config *cfg,
		    struct uloop *loop, unsigned int pairs, bool ctrl_vq,
		    uint64_t protocol_features, const struct vu_dev_ops *ops,
		    void *dev);
void vhost_user_close(struct vhost_user *vu, void (*closed)(void *dev));
void vhost_user_disconnect(struct vhost_user *vu);
bool vhost_user_connected(const struct vhost_user *vu);
int vhost_user_handle(struct vhost_user *vu, struct vu_msg *m, int *fds,
		      unsigned int nfds, struct vu_msg *reply);

/* Internal, shared by vhost_user.c and vhost_user_msg.c. */
void vu_reset_rings(struct vhost_user *vu);
void vu_remap_rings(struct vhost_user *vu);
int vu_kick_set(struct vhost_user *vu, unsigned int idx, int fd);

#endif /* QNET_DEVICES_VHOST_USER_H */
