// SPDX-License-Identifier: GPL-2.0-or-later
/* uworker: worker threads running a uloop, fed by an MPSC queue. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/uring/uworker.h"

/* The waiting side of uworker_call(). */
struct uworker_wait {
	sem_t done;
	int ret;
};

/**
 * DOC: command queue
 *
 * A bounded multi-producer, single-consumer ring after Dmitry Vyukov's
 * bounded queue: each cell carries a sequence number. A producer claims
 * position pos when the cell's seq equals pos (CAS on @enq), fills the
 * cell, then publishes it with seq = pos + 1. The worker takes the cell at
 * @deq when its seq is deq + 1 and frees it with seq = deq + size. A cell
 * whose seq lags its position means the queue is full.
 */

/**
 * queue_push() - claim and fill one cell
 * @w:    the worker
 * @post: fire-and-forget function, or NULL
 * @call: waited-for function, or NULL
 * @arg:  argument
 * @wait: completion for @call
 *
 * Return: 0, or -EAGAIN when the queue is full.
 */
static int queue_push(struct uworker *w,
		      void (*post)(struct uloop *loop, void *arg),
		      int (*call)(struct uloop *loop, void *arg), void *arg,
		      struct uworker_wait *wait)
{
	unsigned int pos = atomic_load_explicit(&w->enq, memory_order_relaxed);
	struct uworker_cmd *c;
	unsigned int seq;
	int dif;

	for (;;) {
		c = &w->q[pos & w->qmask];
		seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		dif = (int)(seq - pos);
		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &w->enq, &pos, pos + 1,
				    memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (dif < 0) {
			return -EAGAIN;
		} else {
			pos = atomic_load_explicit(&w->enq,
						   memory_order_relaxed);
		}
	}
	c->post = post;
	c->call = call;
	c->arg = arg;
	c->wait = wait;
	atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
	return 0;
}

/* Take the next published cell, if any (worker thread only). */
static bool queue_pop(struct uworker *w, struct uworker_cmd *out)
{
	struct uworker_cmd *c = &w->q[w->deq & w->qmask];
	unsigned int seq = atomic_load_explicit(&c->seq, memory_order_acquire);

	if (seq != w->deq + 1)
		return false;
	out->post = c->post;
	out->call = c->call;
	out->arg = c->arg;
	out->wait = c->wait;
	atomic_store_explicit(&c->seq, w->deq + w->qmask + 1,
			      memory_order_release);
	w->deq++;
	return true;
}

static bool queue_has_more(struct uworker *w)
{
	const struct uworker_cmd *c = &w->q[w->deq & w->qmask];

	return atomic_load_explicit(&c->seq, memory_order_acquire) ==
	       w->deq + 1;
}

static void run_cmd(struct uworker *w, const struct uworker_cmd *c)
{
	w->cmds_run++;
	if (c->post) {
		c->post(&w->loop, c->arg);
		return;
	}
	c->wait->ret = c->call(&w->loop, c->arg);
	sem_post(&c->wait->done);
}

/* Wake-up callback of the worker's loop: run up to one queue's worth. */
static void worker_wake(struct uloop *loop, void *arg)
{
	struct uworker *w = arg;
	unsigned int budget = w->qmask + 1;
	struct uworker_cmd c;

	/* pairs with the producer's exchange in uloop_wake() */
	atomic_thread_fence(memory_order_seq_cst);
	while (budget-- && queue_pop(w, &c))
		run_cmd(w, &c);
	if (queue_has_more(w))
		(void)uloop_wake(loop);
}

static void *worker_main(void *arg)
{
	struct uworker *w = arg;
	struct uworker_cmd c;

	pthread_setname_np(pthread_self(), w->name);
	w->start_err = uloop_init(&w->loop, &w->cfg);
	if (w->start_err) {
		sem_post(&w->started);
		return NULL;
	}
	uloop_set_wake(&w->loop, worker_wake, w);
	sem_post(&w->started);
	w->run_err = uloop_run(&w->loop);
	atomic_store(&w->closed, true);
	/* the stopper may still be writing our eventfd: wait for it */
	while (sem_wait(&w->stop_ack) && errno == EINTR)
		;
	while (queue_pop(w, &c))
		run_cmd(w, &c);
	uloop_fini(&w->loop);
	return NULL;
}

/**
 * uworker_start() - start a worker thread with its own loop
 * @w:         storage
 * @name:      thread name (15 characters kept), or NULL
 * @cfg:       loop configuration, or NULL for the defaults
 * @queue_len: command queue size, a power of two (0: UWORKER_DEF_QUEUE)
 *
 * The thread blocks all signals. Returns once the loop exists.
 *
 * Return: 0, uloop_init()'s -errno (io_uring unavailable ...), -EINVAL,
 * -ENOMEM, or -errno from pthread_create().
 */
int uworker_start(struct uworker *w, const char *name,
		  const struct uloop_config *cfg, unsigned int queue_len)
{
	unsigned int n = queue_len ? queue_len : UWORKER_DEF_QUEUE, i;
	sigset_t all, old;
	int ret;

	memset(w, 0, sizeof(*w));
	if ((n & (n - 1)) || n > (1u << 20))
		return -EINVAL;
	w->q = calloc(n, sizeof(*w->q));
	if (!w->q)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		atomic_init(&w->q[i].seq, i);
	w->qmask = n - 1;
	atomic_init(&w->enq, 0);
	atomic_init(&w->closed, false);
	if (cfg)
		w->cfg = *cfg;
	snprintf(w->name, sizeof(w->name), "%s", name ? name : "uworker");
	if (sem_init(&w->started, 0, 0)) {
		ret = -errno;
		goto err_queue;
	}
	if (sem_init(&w->stop_ack, 0, 0)) {
		ret = -errno;
		goto err_started;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		goto err_sem;
	while (sem_wait(&w->started) && errno == EINTR)
		;
	ret = w->start_err;
	if (ret) {
		pthread_join(w->thread, NULL);
		goto err_sem;
	}
	return 0;

err_sem:
	sem_destroy(&w->stop_ack);
err_started:
	sem_destroy(&w->started);
err_queue:
	free(w->q);
	w->q = NULL;
	return ret;
}

/**
 * uworker_stop() - stop the worker and join its thread
 * @w: a started worker; not from its own thread
 *
 * Commands already queued run first; the loop is then destroyed. Posting
 * concurrently with uworker_stop() is a caller bug.
 *
 * Return: 0, uloop_run()'s fatal -errno, -EALREADY when not started,
 * -EDEADLK from the worker itself.
 */
int uworker_stop(struct uworker *w)
{
	if (!w->q)
		return -EALREADY;
	if (uworker_is_self(w))
		return -EDEADLK;
	atomic_store(&w->closed, true);
	uloop_stop(&w->loop);
	sem_post(&w->stop_ack);
	pthread_join(w->thread, NULL);
	sem_destroy(&w->stop_ack);
	sem_destroy(&w->started);
	free(w->q);
	w->q = NULL;
	return w->run_err;
}

/**
 * uworker_post() - queue @fn(loop, @arg) to run in the worker; no waiting
 * @w:   the worker
 * @fn:  function run in the worker thread
 * @arg: its argument
 *
 * Return: 0, -EAGAIN when the queue is full (try again later),
 * -ESHUTDOWN when the worker is stopping.
 */
int uworker_post(struct uworker *w, void (*fn)(struct uloop *loop, void *arg),
		 void *arg)
{
	int ret;

	if (atomic_load(&w->closed))
		return -ESHUTDOWN;
	ret = queue_push(w, fn, NULL, arg, NULL);
	if (ret)
		return ret;
	(void)uloop_wake(&w->loop);
	return 0;
}

/**
 * uworker_call() - run @fn(loop, @arg) in the worker and wait for it
 * @w:   the worker
 * @fn:  function run in the worker thread; its result is returned
 * @arg: its argument
 *
 * Called from the worker itself, @fn runs at once.
 *
 * Return: @fn's result, -EAGAIN when the queue is full, -ESHUTDOWN when the
 * worker is stopping, or -errno from sem_init().
 */
int uworker_call(struct uworker *w, int (*fn)(struct uloop *loop, void *arg),
		 void *arg)
{
	struct uworker_wait wait;
	int ret;

	if (uworker_is_self(w))
		return fn(&w->loop, arg);
	if (atomic_load(&w->closed))
		return -ESHUTDOWN;
	if (sem_init(&wait.done, 0, 0))
		return -errno;
	wait.ret = 0;
	ret = queue_push(w, NULL, fn, arg, &wait);
	if (!ret) {
		(void)uloop_wake(&w->loop);
		while (sem_wait(&wait.done) && errno == EINTR)
			;
		ret = wait.ret;
	}
	sem_destroy(&wait.done);
	return ret;
}

/**
 * uworker_loop() - the worker's loop (use it only from the worker's thread)
 * @w: the worker
 *
 * Return: the loop.
 */
struct uloop *uworker_loop(struct uworker *w)
{
	return &w->loop;
}

/**
 * uworker_is_self() - is the caller the worker's own thread?
 * @w: a started worker
 *
 * Return: true inside the worker's thread.
 */
bool uworker_is_self(const struct uworker *w)
{
	return pthread_equal(pthread_self(), w->loop.owner);
}
