/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uloop internals shared by the datapath/uring/ sources only. */
#ifndef QNET_URING_ULOOP_INT_H
#define QNET_URING_ULOOP_INT_H

#include "datapath/uring/uloop.h"

#define ULOOP_CONTAINER_OF(ptr, type, member)                                  \
	((type *)((uintptr_t)(ptr)-offsetof(type, member)))

/* IORING_OP_READ_MULTISHOT (Linux 6.7); liburing 2.3 does not name it. */
#define ULOOP_OP_READ_MULTISHOT 49

/* Longest sleep while a deferred retry waits for an SQE, in ns. */
#define ULOOP_RETRY_NS 1000000LL

void uloop_hook_list_add(struct uloop_hook **list, struct uloop_hook *h);
void uloop_hook_list_del(struct uloop_hook **list, struct uloop_hook *h);
void uloop_hook_list_run(struct uloop *loop, struct uloop_hook *list);
void uloop_op_defer(struct uloop *loop, struct uloop_op *op,
		    void (*retry)(struct uloop *loop, struct uloop_op *op));
void uloop_op_undefer(struct uloop *loop, struct uloop_op *op);
int64_t uloop_timers_wait_ns(struct uloop *loop, uint64_t now);
unsigned int uloop_timers_fire(struct uloop *loop);
int uloop_restrict(struct uloop *loop);

#endif /* QNET_URING_ULOOP_INT_H */
