// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_be.c: what the netdev adapters hand to the control thread: warnings, QMP events, drains, -runas. */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/user.h"
#include "ctl/caps.h"
#include "ctl/rt_be.h"
#include "ctl/rt_events.h"

/**
 * DOC: from the worker to the control thread
 *
 * Adapters run on the data-path worker, which never prints and never
 * touches the monitor: warnings and QMP events go through rt_event_post()
 * (ctl/rt_events.c), which wakes the control loop; the control thread
 * prints them and sends the events to the negotiated QMP clients.
 */

/** RT_BE_LOG_PREFIX - what caps_netdev_message() starts with; rt_events adds it */
#define RT_BE_LOG_PREFIX "qnet: "

/**
 * rt_be_pending_count - objects closing asynchronously (worker thread only)
 */
static int rt_be_pending_count;

/**
 * rt_be_rt - the runtime whose control thread hears the adapters (qnet
 *	runs one); set by rt_be_attach()
 */
static struct rt *rt_be_rt;

/**
 * rt_be_attach() - name the runtime that rt_be_warn() and rt_be_event()
 *	report to
 * @rt:		runtime (its events queue is set up by rt_init())
 *
 * Called by every adapter's open.
 */
void rt_be_attach(struct rt *rt)
{
	__atomic_store_n(&rt_be_rt, rt, __ATOMIC_RELEASE);
}

/**
 * rt_be_warn() - queue a warning line for the control thread to print
 * @fmt:	printf format of the line; a leading "qnet: " is dropped
 *		(the control thread prints its own)
 */
void rt_be_warn(const char *fmt, ...)
{
	struct rt *rt = __atomic_load_n(&rt_be_rt, __ATOMIC_ACQUIRE);
	char *text;
	va_list ap;
	int n;

	if (!rt)
		return;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	rt_event_post(rt, NULL, NULL, strncmp(text, RT_BE_LOG_PREFIX,
					      strlen(RT_BE_LOG_PREFIX)) ? text :
		      text + strlen(RT_BE_LOG_PREFIX));
	free(text);
}

/**
 * rt_be_event() - queue a QMP event for the control thread to send
 * @name:	event name ("NETDEV_STREAM_CONNECTED")
 * @data:	its data object (consumed; NULL for none)
 */
void rt_be_event(const char *name, struct json_value *data)
{
	struct rt *rt = __atomic_load_n(&rt_be_rt, __ATOMIC_ACQUIRE);
	struct strbuf sb = STRBUF_INIT;

	if (rt) {
		if (data)
			json_write(data, &sb);
		rt_event_post(rt, name, data ? strbuf_str(&sb) : NULL, NULL);
	}
	strbuf_free(&sb);
	json_free(data);
}

/**
 * rt_be_pending() - count an object that closes asynchronously (worker)
 * @delta:	+1 when one is opened, -1 when one is freed
 */
void rt_be_pending(int delta)
{
	rt_be_pending_count += delta;
}

static int rt_be_pending_fn(struct uloop *loop, void *arg)
{
	return rt_be_pending_count;
}

/**
 * rt_be_drain() - run the worker until every closed object is freed
 * @rt:		runtime (control thread), its netdevs closed
 *
 * Stream links free themselves once the kernel and their peers let go of
 * their buffers; taps finish their queues and run their downscript. Call
 * this after closing the netdevs and before uworker_stop(). Waits at most
 * 5 s.
 *
 * Return: 0, or -ETIMEDOUT when something is still closing
 */
int rt_be_drain(struct rt *rt)
{
	unsigned int i;
	int n = 0;

	for (i = 0; rt->worker_up && i < 5000; i++) {
		n = uworker_call(&rt->worker, rt_be_pending_fn, NULL);
		if (n <= 0)
			break;
		usleep(1000);
	}
	return n > 0 ? -ETIMEDOUT : 0;
}

static int rt_be_caps_fn(struct uloop *loop, void *arg)
{
	return caps_drop(*(const uint64_t *)arg);
}

/**
 * rt_be_runas() - QEMU's -runas USER: become USER in both threads
 * @rt:		runtime, every netdev open (control thread)
 * @err:	error text
 *
 * Capabilities are per thread. The worker first lowers its bounding set,
 * keeping only what the switch needs (glibc applies setgroups/setgid/
 * setuid in every thread, and aborts if one thread refuses); then the
 * control thread switches user, which empties every thread's sets; then
 * the worker drops what is left (ambient). Open taps keep working and
 * are still removed when qnet exits; the private socket directory is
 * handed to the user so qnet can still remove it.
 *
 * QEMU also takes "<uid>:<gid>"; qnet takes user names only.
 *
 * Return: 0 (also without -runas), or -errno with QEMU's text in @err
 */
int rt_be_runas(struct rt *rt, struct strbuf *err)
{
	uint64_t keep = CAPS_BIT(CAP_SETUID) | CAPS_BIT(CAP_SETGID);
	uint64_t none = 0;
	const char *user = rt->nc->runas;
	struct passwd *pw;
	int ret;

	if (!user)
		return 0;
	pw = getpwnam(user);
	if (!pw) {
		strbuf_printf(err, "-runas %s: User \"%s\" doesn't exist (and "
			      "is not <uid>:<gid>)", user, user);
		return -ENOENT;
	}
	/* the private socket directory must stay removable by the new user */
	if (rt->rundir[0] && chown(rt->rundir, pw->pw_uid, pw->pw_gid)) {
		ret = -errno;
		strbuf_printf(err, "cannot hand %s to user \"%s\": %s",
			      rt->rundir, user, strerror(-ret));
		return ret;
	}
	if (rt->worker_up) {
		ret = uworker_call(&rt->worker, rt_be_caps_fn, &keep);
		if (ret) {
			strbuf_printf(err, "cannot drop capabilities in the "
				      "data-path worker: %s", strerror(-ret));
			return ret;
		}
	}
	ret = caps_runas(user, 0);
	if (ret) {
		strbuf_printf(err, "cannot run as user \"%s\": %s", user,
			      strerror(-ret));
		return ret;
	}
	if (rt->worker_up)
		ret = uworker_call(&rt->worker, rt_be_caps_fn, &none);
	if (ret)
		strbuf_printf(err, "cannot drop capabilities in the data-path "
			      "worker: %s", strerror(-ret));
	return ret;
}

/**
 * rt_be_parse_fd() - a file descriptor number option (fd=, addr.str=)
 * @s:		the text
 * @fd:		set to the number
 * @err:	QEMU's text when it is not one
 *
 * Return: 0, or -EINVAL
 */
int rt_be_parse_fd(const char *s, int *fd, struct strbuf *err)
{
	char *end;
	long v;

	errno = 0;
	v = s && *s >= '0' && *s <= '9' ? strtol(s, &end, 10) : -1;
	if (v < 0 || v > 0x7fffffff || errno || *end) {
		strbuf_printf(err, "Invalid file descriptor number '%s'",
			      s ? s : "");
		return -EINVAL;
	}
	*fd = (int)v;
	return 0;
}

/**
 * rt_be_loc() - the option a netdev came from, for messages
 * @rn:		the netdev
 *
 * Return: "-netdev tap,id=t0,..." or, without one, the id
 */
const char *rt_be_loc(const struct rt_netdev *rn)
{
	return rn->nd->loc ? rn->nd->loc : rn->nd->id;
}

/**
 * rt_be_is_fallback() - is this netdev user networking standing in for
 * the type it was configured as (tap or bridge without CAP_NET_ADMIN)?
 * @rn:		the opened netdev
 *
 * Return: true for a fallback
 */
bool rt_be_is_fallback(const struct rt_netdev *rn)
{
	return rn && rn->be && !rn->hub &&
	       strcmp(rn->be->type, rn->nd->type->name) != 0;
}

/**
 * rt_be_info() - the run-time `info network` text of one netdev queue
 * @rn:		the opened netdev (worker thread: link state lives there)
 * @q:		queue index
 * @type:	set to the type to show when it is not the configured one
 *		(a fallback shows "user"); left alone otherwise
 * @out:	the INFO part of the line is appended
 *
 * A fallback shows the user netdev's text and `fallback-from=TYPE`
 * (`t0: index=0,type=user,net=10.0.2.0,restrict=off,fallback-from=tap`);
 * stream, dgram and socket netdevs show their connection as QEMU does
 * (`tcp:127.0.0.1:5555`, `socket: connection from ...`); a tap shows the
 * name the kernel gave it.
 *
 * Return: 0 when @out got the text, -ENOENT when the configuration
 * model's text (netconf_info_network()) is the right one
 */
int rt_be_info(const struct rt_netdev *rn, unsigned int q, const char **type,
	       struct strbuf *out)
{
	char buf[128];

	if (!rn || !rn->be || rn->hub)
		return -ENOENT;
	if (rt_be_is_fallback(rn)) {
		user_info_network(user_backend_config(rn->obj), buf,
				  sizeof(buf));
		*type = "user";
		strbuf_printf(out, "%s,fallback-from=%s", buf,
			      rn->nd->type->name);
		return 0;
	}
	if (!strcmp(rn->be->type, "stream") || !strcmp(rn->be->type, "dgram") ||
	    !strcmp(rn->be->type, "socket"))
		return rt_be_link_info(rn, out);
	if (!strcmp(rn->be->type, "tap"))
		return rt_be_tap_info(rn, q, out);
	return -ENOENT;
}
