/* SPDX-License-Identifier: GPL-2.0-or-later */
/* signals.h: SIGINT/SIGTERM/SIGHUP/SIGCHLD delivered through the control loop. */
#ifndef QNET_CTL_SIGNALS_H
#define QNET_CTL_SIGNALS_H

#include <sys/types.h>

#include "datapath/uring/uloop.h"

/**
 * struct sig_watch - signals read from a signalfd on the control loop
 * @poll:	readiness watch on @fd
 * @fd:		the signalfd
 * @on_signal:	called in the loop thread for each signal received
 * @arg:	passed to @on_signal
 */
struct sig_watch {
	struct uloop_poll poll;
	int fd;
	void (*on_signal)(int signo, void *arg);
	void *arg;
};

int sig_watch_start(struct sig_watch *w, struct uloop *loop,
		    void (*on_signal)(int signo, void *arg), void *arg);
void sig_watch_stop(struct sig_watch *w, struct uloop *loop);
void sig_unblock_for_child(void);

#endif /* QNET_CTL_SIGNALS_H */
