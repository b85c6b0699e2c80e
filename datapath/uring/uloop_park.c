// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop_park.c: park hooks: what a loop's users must do on the loop's own thread before another thread changes what they share. */

#include "datapath/uring/uloop_int.h"

/**
 * DOC: park hooks
 *
 * A worker's loop is sometimes parked (its thread waits on a gate) while
 * another thread changes what the loop's users share: peers, filters,
 * rings. Some requests must not stay in flight across that, and only the
 * loop's own thread may cancel them (a DEFER_TASKRUN ring takes SQEs from
 * its submitter only): a virtio-net pair's direct reads of a tap, which
 * write guest memory and keep the tap's file. Users register a park hook;
 * whoever parks the loop calls uloop_park() on its thread first, which
 * runs the hooks (they queue their cancels) and submits.
 */

/**
 * uloop_park_hook_add() - run @h in uloop_park()
 * @loop: the loop (its thread)
 * @h:    hook with ->fn set; not already added (to either list)
 */
void uloop_park_hook_add(struct uloop *loop, struct uloop_hook *h)
{
	uloop_hook_list_add(&loop->park_hooks, h);
}

/**
 * uloop_park_hook_del() - remove a park hook
 * @loop: the loop (its thread)
 * @h:    a hook added with uloop_park_hook_add()
 */
void uloop_park_hook_del(struct uloop *loop, struct uloop_hook *h)
{
	uloop_hook_list_del(&loop->park_hooks, h);
}

/**
 * uloop_park() - before the loop parks: run the park hooks, then submit
 * what they and others queued (retrying while the kernel is briefly out
 * of room)
 * @loop: the loop, on its thread
 */
void uloop_park(struct uloop *loop)
{
	uloop_hook_list_run(loop, loop->park_hooks);
	uloop_flush_all(loop);
}
