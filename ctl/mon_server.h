/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mon_server.h: monitor sockets (HMP text, QMP JSON) on the control loop. */
#ifndef QNET_CTL_MON_SERVER_H
#define QNET_CTL_MON_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "datapath/uring/uloop.h"

/** MON_IN_MAX - longest command line or QMP message a client may send */
#define MON_IN_MAX 65536

/** MON_CLIENTS_MAX - simultaneous clients on one monitor socket */
#define MON_CLIENTS_MAX 16

enum mon_proto {
	MON_HMP,
	MON_QMP,
	MON_PROTO_COUNT
};

struct mon_client;
struct mon_server;

/**
 * struct mon_handler - what a protocol does with a client
 * @greet:	called once when a client connects (write the banner)
 * @message:	called with one complete message (an HMP line without its
 *		newline, or one QMP JSON text), NUL-terminated
 */
struct mon_handler {
	void (*greet)(struct mon_client *c);
	void (*message)(struct mon_client *c, char *msg, size_t len);
};

/**
 * struct mon_spec - a parsed `-monitor`/`-qmp` chardev specification
 * @path:	unix socket path
 * @server:	server=on (the only mode qnet supports)
 * @wait:	wait=on: block start-up until a client connects
 */
struct mon_spec {
	char path[108];
	bool server;
	bool wait;
};

int mon_spec_parse(const char *spec, struct mon_spec *out, const char **why);
int mon_server_open(struct mon_server **out, struct uloop *loop,
		    const struct mon_spec *spec, enum mon_proto proto,
		    const struct mon_handler *h, void *ctx);
void mon_server_close(struct mon_server *s);
int mon_server_wait_client(struct mon_server *s);
void *mon_client_ctx(const struct mon_client *c);
enum mon_proto mon_client_proto(const struct mon_client *c);
void *mon_client_state(struct mon_client *c);
int mon_client_write(struct mon_client *c, const char *buf, size_t len);
int mon_client_printf(struct mon_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mon_client_close(struct mon_client *c);
void mon_server_broadcast(struct mon_server *s, const char *buf, size_t len);
void mon_server_foreach(struct mon_server *s,
			void (*fn)(struct mon_client *c, void *arg), void *arg);

#endif /* QNET_CTL_MON_SERVER_H */
