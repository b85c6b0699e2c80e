// SPDX-License-Identifier: GPL-2.0-or-later
/* uloop timers: an intrusive pairing heap on monotonic ns. */

#include <string.h>

#include "datapath/uring/uloop_int.h"

/**
 * DOC: timers
 *
 * Timers live in an intrusive pairing heap ordered by (deadline, seq); seq
 * is the arming order, so timers due at the same instant fire in the order
 * they were armed. Arming and cancelling never allocate. The kernel sees no
 * timeout request at all: each iteration's io_uring_enter() waits at most
 * until the earliest deadline (IORING_ENTER_EXT_ARG timeout).
 *
 * Heap links: a node's @child is its first child, @next its right sibling,
 * @prev its left sibling, or its parent when it is a first child. The root
 * has no @prev and no @next.
 */

static bool timer_before(const struct uloop_timer *a,
			 const struct uloop_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

/**
 * timer_meld() - join two heaps whose roots have no siblings
 * @a: root or NULL
 * @b: root or NULL
 *
 * Return: the root of the joined heap.
 */
static struct uloop_timer *timer_meld(struct uloop_timer *a,
				      struct uloop_timer *b)
{
	struct uloop_timer *t;

	if (!a)
		return b;
	if (!b)
		return a;
	if (timer_before(b, a)) {
		t = a;
		a = b;
		b = t;
	}
	b->prev = a;
	b->next = a->child;
	if (a->child)
		a->child->prev = b;
	a->child = b;
	return a;
}

/**
 * timer_merge_pairs() - two-pass merge of a sibling list into one heap
 * @first: first sibling, or NULL
 *
 * Return: the root of the merged heap (no siblings), or NULL.
 */
static struct uloop_timer *timer_merge_pairs(struct uloop_timer *first)
{
	struct uloop_timer *pairs = NULL, *root = NULL, *a, *b, *m;

	while (first) {
		a = first;
		b = a->next;
		first = b ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b)
			b->next = b->prev = NULL;
		m = timer_meld(a, b);
		m->next = pairs; /* reversed list of pair roots */
		pairs = m;
	}
	while (pairs) {
		m = pairs;
		pairs = m->next;
		m->next = NULL;
		root = timer_meld(root, m);
	}
	return root;
}

/* Take an armed timer out of the heap. */
static void timer_unlink(struct uloop *loop, struct uloop_timer *t)
{
	struct uloop_timer *sub;

	if (t == loop->timer_root) {
		loop->timer_root = timer_merge_pairs(t->child);
	} else {
		if (t->prev->child == t)
			t->prev->child = t->next;
		else
			t->prev->next = t->next;
		if (t->next)
			t->next->prev = t->prev;
		sub = timer_merge_pairs(t->child);
		loop->timer_root = timer_meld(loop->timer_root, sub);
	}
	t->child = t->next = t->prev = NULL;
	t->armed = false;
}

/**
 * uloop_timer_init() - prepare a timer (not armed)
 * @t:  the timer
 * @cb: called in the loop thread on expiry; it may re-arm, cancel or free @t
 *      (a periodic timer is already re-armed when @cb runs)
 */
void uloop_timer_init(struct uloop_timer *t,
		      void (*cb)(struct uloop *loop, struct uloop_timer *t))
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
}

/**
 * uloop_timer_arm() - arm (or re-arm) a timer at an absolute deadline
 * @loop:        the loop
 * @t:           the timer, armed or not
 * @deadline_ns: CLOCK_MONOTONIC ns (uloop_now() based); past means now
 * @period_ns:   0 for one-shot, else the period; missed periods are skipped,
 *               keeping the phase
 */
void uloop_timer_arm(struct uloop *loop, struct uloop_timer *t,
		     uint64_t deadline_ns, uint64_t period_ns)
{
	if (t->armed)
		timer_unlink(loop, t);
	t->deadline = deadline_ns;
	t->period = period_ns;
	t->seq = loop->timer_seq++;
	t->child = t->next = t->prev = NULL;
	t->armed = true;
	loop->timer_root = timer_meld(loop->timer_root, t);
}

/**
 * uloop_timer_arm_in() - arm a timer relative to now
 * @loop:      the loop
 * @t:         the timer
 * @delay_ns:  first expiry, ns from now
 * @period_ns: 0 for one-shot, else the period
 */
void uloop_timer_arm_in(struct uloop *loop, struct uloop_timer *t,
			uint64_t delay_ns, uint64_t period_ns)
{
	uint64_t now = uloop_now();
	uint64_t deadline = now + delay_ns;

	if (deadline < now)
		deadline = UINT64_MAX;
	uloop_timer_arm(loop, t, deadline, period_ns);
}

/**
 * uloop_timer_cancel() - disarm a timer; harmless when not armed
 * @loop: the loop
 * @t:    the timer
 */
void uloop_timer_cancel(struct uloop *loop, struct uloop_timer *t)
{
	if (t->armed)
		timer_unlink(loop, t);
}

/**
 * uloop_timer_armed() - is the timer armed?
 * @t: the timer
 *
 * Return: true while armed.
 */
bool uloop_timer_armed(const struct uloop_timer *t)
{
	return t->armed;
}

/**
 * uloop_timers_wait_ns() - time until the earliest deadline
 * @loop: the loop
 * @now:  current monotonic ns
 *
 * Return: ns to wait (0 when a timer is due), or -1 with no timer armed.
 */
int64_t uloop_timers_wait_ns(struct uloop *loop, uint64_t now)
{
	const struct uloop_timer *t = loop->timer_root;
	uint64_t d;

	if (!t)
		return -1;
	if (t->deadline <= now)
		return 0;
	d = t->deadline - now;
	return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

/**
 * uloop_timers_fire() - run the callbacks of the timers that are due
 * @loop: the loop
 *
 * Timers armed during this pass (seq at or past the pass's start) wait for
 * the next iteration, so a callback that re-arms itself at "now" cannot
 * keep the pass going forever.
 *
 * Return: callbacks run.
 */
unsigned int uloop_timers_fire(struct uloop *loop)
{
	uint64_t now = uloop_now(), limit = loop->timer_seq, missed;
	struct uloop_timer *t;
	unsigned int n = 0;

	while ((t = loop->timer_root) && t->deadline <= now && t->seq < limit) {
		timer_unlink(loop, t);
		if (t->period) {
			missed = (now - t->deadline) / t->period;
			uloop_timer_arm(loop, t,
					t->deadline + (missed + 1) * t->period,
					t->period);
		}
		loop->stats.timers_fired++;
		n++;
		t->cb(loop, t);
	}
	return n;
}
