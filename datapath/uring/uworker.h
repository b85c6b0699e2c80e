/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uworker: data-path worker threads, each running one uloop. */
#ifndef QNET_URING_UWORKER_H
#define QNET_URING_UWORKER_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>

#include "datapath/uring/uloop.h"

/**
 * DOC: uworker
 *
 * A worker is a thread that creates its own uloop (so the ring's single
 * issuer is that thread) and runs it until uworker_stop(). Other threads
 * (the control thread) hand it work as commands: a function and an argument,
 * run in the worker's thread with the worker's loop. Commands go through a
 * bounded lock-free multi-producer queue; the producer then calls
 * uloop_wake(), which costs one eventfd write only when the worker has no
 * wake-up pending. The worker drains at most the queue's size per wake-up.
 *
 * uworker_post() returns at once; uworker_call() waits for the command to
 * run and returns its result (the caller blocks, the worker does not). A
 * full queue is reported (-EAGAIN), never waited on. Workers never block on
 * anything but their ring, and never print: uworker_call() is for the
 * control thread; workers talk to each other with uworker_post().
 *
 * Objects a worker's commands set up on its loop must be torn down (by
 * another command) before uworker_stop(); commands still queued at stop run
 * before the loop is destroyed. Stop a worker only with uworker_stop(): the
 * worker keeps its loop (and the eventfd the stopper writes) until the
 * stopper has finished waking it.
 */

#define UWORKER_DEF_QUEUE 256

/**
 * struct uworker_cmd - one queue cell
 * @seq:   Vyukov sequence number (cell state)
 * @post:  fire-and-forget function, or NULL
 * @call:  waited-for function, or NULL
 * @arg:   argument
 * @wait:  the caller's completion, for @call
 */
struct uworker_cmd {
	atomic_uint seq;
	void (*post)(struct uloop *loop, void *arg);
	int (*call)(struct uloop *loop, void *arg);
	void *arg;
	struct uworker_wait *wait;
};

/**
 * struct uworker - one worker thread and its loop
 *
 * All fields are owned by the uworker_* functions; @loop is the worker's
 * loop, to be touched only from commands (its thread).
 */
struct uworker {
	struct uloop loop;
	struct uloop_config cfg;
	pthread_t thread;
	char name[16];
	struct uworker_cmd *q;
	unsigned int qmask;
	atomic_uint enq;
	unsigned int deq;
	atomic_bool closed;
	sem_t started;
	sem_t stop_ack;
	int start_err;
	int run_err;
	uint64_t cmds_run;
};

int uworker_start(struct uworker *w, const char *name,
		  const struct uloop_config *cfg, unsigned int queue_len);
int uworker_stop(struct uworker *w);
int uworker_post(struct uworker *w, void (*fn)(struct uloop *loop, void *arg),
		 void *arg);
int uworker_call(struct uworker *w, int (*fn)(struct uloop *loop, void *arg),
		 void *arg);
struct uloop *uworker_loop(struct uworker *w);
bool uworker_is_self(const struct uworker *w);

#endif /* QNET_URING_UWORKER_H */
