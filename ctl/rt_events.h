/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rt_events.h: worker-raised events delivered on the control thread. */
#ifndef QNET_CTL_RT_EVENTS_H
#define QNET_CTL_RT_EVENTS_H

struct rt;

int rt_events_init(struct rt *rt);
void rt_events_fini(struct rt *rt);
void rt_event_post(struct rt *rt, const char *name, const char *data,
		   const char *log);
void rt_events_broadcast(struct rt *rt, const char *name, const char *data);

#endif /* QNET_CTL_RT_EVENTS_H */
