// SPDX-License-Identifier: GPL-2.0-or-later
/* signals.c: SIGINT/SIGTERM/SIGHUP/SIGCHLD delivered through the control loop. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctl/signals.h"

/**
 * sig_set() - the signals qnet handles in its loop
 * @set:	filled with SIGINT, SIGTERM, SIGHUP, SIGCHLD
 */
static void sig_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

/**
 * sig_poll_cb() - the signalfd is readable: dispatch every pending signal
 * @loop:	control loop
 * @p:		the watch
 * @revents:	poll events or -errno
 */
static void sig_poll_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	struct sig_watch *w = (struct sig_watch *)((char *)p -
		offsetof(struct sig_watch, poll));
	struct signalfd_siginfo si;

	if (revents < 0)
		return;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si))
		w->on_signal((int)si.ssi_signo, w->arg);
}

/**
 * sig_watch_start() - block the signals and read them on the loop instead
 * @w:		watch to start
 * @loop:	control loop
 * @on_signal:	handler, run in the loop thread
 * @arg:	its argument
 *
 * Call before starting any thread, so every thread inherits the mask.
 *
 * Return: 0, or -errno
 */
int sig_watch_start(struct sig_watch *w, struct uloop *loop,
		    void (*on_signal)(int signo, void *arg), void *arg)
{
	sigset_t set;
	int ret;

	sig_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	w->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	w->on_signal = on_signal;
	w->arg = arg;
	uloop_poll_init(&w->poll, w->fd, 0, sig_poll_cb);
	ret = uloop_poll_set(loop, &w->poll, POLLIN);
	if (ret < 0) {
		close(w->fd);
		w->fd = -1;
	}
	return ret;
}

/**
 * sig_watch_stop() - stop reading signals (they stay blocked)
 * @w:		the watch
 * @loop:	control loop
 */
void sig_watch_stop(struct sig_watch *w, struct uloop *loop)
{
	if (w->fd < 0)
		return;
	uloop_poll_del(loop, &w->poll);
	close(w->fd);
	w->fd = -1;
}

/**
 * sig_unblock_for_child() - restore the default mask (in a forked child)
 */
void sig_unblock_for_child(void)
{
	sigset_t set;

	sig_set(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}
