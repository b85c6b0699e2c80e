// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_events.c: events raised on the worker (connections, bad input) reach
 * the control thread, which sends QMP events and prints rate-limited logs. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/rt_events.h"
#include "ctl/runtime.h"

/**
 * DOC: events
 *
 * Workers never print and never touch monitor sockets. A worker posts an
 * event (a QMP event name with its data, and/or a log line) into a bounded
 * queue and wakes the control loop; the control thread drains the queue,
 * broadcasts QMP events to negotiated QMP clients and prints the log lines.
 * When the queue is full the oldest event is dropped and counted.
 */

#define RT_EVENTS_MAX 128

/**
 * struct rt_event - one queued event
 * @name:	QMP event name, "" for a log line only
 * @data:	QMP event data as JSON text ("" for none)
 * @log:	line for stderr ("" for none)
 */
struct rt_event {
	char name[48];
	char data[512];
	char log[256];
};

/**
 * struct rt_events - the queue between the worker and the control thread
 * @lock:	protects the queue
 * @q:		ring of events
 * @head:	oldest event
 * @n:		events queued
 * @lost:	events dropped because the queue was full
 */
struct rt_events {
	pthread_mutex_t lock;
	struct rt_event q[RT_EVENTS_MAX];
	unsigned int head;
	unsigned int n;
	uint64_t lost;
};

/**
 * rt_events_drain() - control thread: send and print every queued event
 * @loop:	control loop
 * @arg:	runtime
 */
static void rt_events_drain(struct uloop *loop, void *arg)
{
	struct rt *rt = arg;
	struct rt_events *ev = rt->events;
	struct rt_event e;

	for (;;) {
		pthread_mutex_lock(&ev->lock);
		if (!ev->n) {
			pthread_mutex_unlock(&ev->lock);
			return;
		}
		e = ev->q[ev->head];
		ev->head = (ev->head + 1) % RT_EVENTS_MAX;
		ev->n--;
		pthread_mutex_unlock(&ev->lock);
		if (e.log[0])
			fprintf(stderr, "qnet: %s\n", e.log);
		if (e.name[0])
			rt_events_broadcast(rt, e.name, e.data[0] ? e.data : NULL);
	}
}

/**
 * rt_events_broadcast() - send a QMP event to every negotiated QMP client
 * @rt:		runtime
 * @name:	event name
 * @data:	JSON text of the data object, or NULL
 */
void rt_events_broadcast(struct rt *rt, const char *name, const char *data)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct json_value *d = NULL;
	unsigned int i;

	if (data && json_parse(data, &d, &err))
		d = NULL;
	mon_qmp_event(&text, name, d);
	for (i = 0; i < rt->nmons; i++)
		mon_qmp_broadcast(rt->mons[i], strbuf_str(&text), text.len);
	strbuf_free(&text);
	strbuf_free(&err);
}

/**
 * rt_events_init() - set up the queue and the control loop's wake-up
 * @rt:		runtime (control loop initialised)
 *
 * Return: 0, or -ENOMEM
 */
int rt_events_init(struct rt *rt)
{
	rt->events = calloc(1, sizeof(*rt->events));
	if (!rt->events)
		return -ENOMEM;
	pthread_mutex_init(&rt->events->lock, NULL);
	uloop_set_wake(&rt->loop, rt_events_drain, rt);
	return 0;
}

/**
 * rt_events_fini() - deliver what is left and free the queue
 * @rt:		runtime
 */
void rt_events_fini(struct rt *rt)
{
	if (!rt->events)
		return;
	rt_events_drain(&rt->loop, rt);
	pthread_mutex_destroy(&rt->events->lock);
	free(rt->events);
	rt->events = NULL;
}

/**
 * rt_event_post() - queue an event from any thread and wake the control loop
 * @rt:		runtime
 * @name:	QMP event name, or NULL for a log line only
 * @data:	JSON text of the event data, or NULL
 * @log:	line for stderr, or NULL
 */
void rt_event_post(struct rt *rt, const char *name, const char *data,
		   const char *log)
{
	struct rt_events *ev = rt->events;
	struct rt_event *e;

	if (!ev)
		return;
	pthread_mutex_lock(&ev->lock);
	if (ev->n == RT_EVENTS_MAX) {	/* drop the oldest */
		ev->head = (ev->head + 1) % RT_EVENTS_MAX;
		ev->n--;
		ev->lost++;
	}
	e = &ev->q[(ev->head + ev->n) % RT_EVENTS_MAX];
	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	snprintf(e->data, sizeof(e->data), "%s", data ? data : "");
	snprintf(e->log, sizeof(e->log), "%s", log ? log : "");
	ev->n++;
	pthread_mutex_unlock(&ev->lock);
	uloop_wake(&rt->loop);
}
