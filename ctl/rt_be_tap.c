// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_be_tap.c: -netdev tap and bridge from netconf's options; user networking when CAP_NET_ADMIN is missing. */
#include <errno.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backends/bridge.h"
#include "backends/tap.h"
#include "ctl/caps.h"
#include "ctl/rt_be.h"
#include "ctl/rtnl.h"

/**
 * DOC: tap and bridge netdevs
 *
 * The tap is created (or adopted from fd=/fds=, or made by a helper) on
 * the worker, and its queues run on the worker's loop, or each on its
 * queue worker when the peer is a multiqueue vhost-user NIC (queue q
 * and pair q in one thread, ctl/rt_workers.c). Texts are QEMU
 * 7.2's (`could not configure /dev/net/tun (qtap0): ...`, `network script
 * S failed with status N`, `bridge helper failed`, `Unable to query
 * TUNGETIFF on FD N: ...`), except for missing privileges, which say
 * which capability is missing (docs/tap.md).
 *
 * Privileges. A tap qnet creates itself needs CAP_NET_ADMIN (fd=, fds=
 * and helper= do not). Without it, or when the kernel refuses the open
 * with EPERM/EACCES, the netdev becomes user networking (same id, same
 * peer) and a warning says so:
 *
 *   qnet: -netdev tap,id=t0: cannot open tap 'qtap0': Operation not
 *   permitted (needs CAP_NET_ADMIN); falling back to user networking
 *
 * With fallback=off the same text, without the fallback, is an error.
 * -netdev bridge without helper= enslaves the tap it creates through
 * rtnetlink when qnet holds CAP_NET_ADMIN; without it, the default helper
 * (qnet-bridge-helper) when it is on PATH, as QEMU runs its own, else the
 * fallback. A tap with br= and no helper= is enslaved too (QEMU ignores
 * br= without helper=).
 *
 * vhost=on (and vhostforce, vhostfd(s), poll-us) is accepted with a
 * warning: qnet's data path is io_uring, not vhost-net.
 *
 * Closing stops the queues (their requests leave the kernel
 * asynchronously) and destroys the tap from a timer on the worker; the
 * tap, and with it its bridge port, disappears with its last fd.
 */

/** RT_BE_TAP_REAP_NS - delay between tries to finish a closing tap */
#define RT_BE_TAP_REAP_NS 1000000ull
/** RT_BE_TAP_REAP_MAX - tries before a tap is left to the process exit */
#define RT_BE_TAP_REAP_MAX 5000

/**
 * struct rt_be_tap - one opened tap or bridge netdev
 * @reap:	timer finishing the close (first: the timer callback casts)
 * @tap:	the tap
 * @loop:	the data-path worker's loop (the reap timer's)
 * @qw:		per queue: the queue worker it runs on, or NULL for @loop
 * @rounds:	reaping tries so far
 */
struct rt_be_tap {
	struct uloop_timer reap;
	struct tap *tap;
	struct uloop *loop;
	struct uworker *qw[TAP_MAX_QUEUES];
	unsigned int rounds;
};

/**
 * struct rt_be_tap_q - one queue, for a call on its queue worker
 * @tap:	the tap
 * @q:		the queue
 */
struct rt_be_tap_q {
	struct tap *tap;
	unsigned int q;
};

static int rt_be_tap_q_start(struct uloop *loop, void *arg)
{
	struct rt_be_tap_q *c = arg;

	return tap_queue_start(c->tap, c->q, loop);
}

static int rt_be_tap_q_stop(struct uloop *loop, void *arg)
{
	struct rt_be_tap_q *c = arg;

	return tap_queue_stop(c->tap, c->q);
}

/**
 * rt_be_tap_queue() - start or stop one queue in the thread it runs on
 * @w:		the netdev
 * @q:		the queue
 * @start:	true to start it
 *
 * Return: start: 0 or -errno; stop: non-zero while the queue is busy
 */
static int rt_be_tap_queue(struct rt_be_tap *w, unsigned int q, bool start)
{
	struct rt_be_tap_q c = { w->tap, q };

	if (!w->qw[q])
		return start ? tap_queue_start(w->tap, q, w->loop)
			     : tap_queue_stop(w->tap, q);
	return uworker_call(w->qw[q], start ? rt_be_tap_q_start :
			    rt_be_tap_q_stop, &c);
}

/**
 * rt_be_tap_reap() - finish closing a tap once its queues are idle
 * @loop:	worker loop
 * @t:		&w->reap
 */
static void rt_be_tap_reap(struct uloop *loop, struct uloop_timer *t)
{
	struct rt_be_tap *w = (struct rt_be_tap *)t;
	unsigned int q;
	bool busy = false;

	for (q = 0; q < tap_queues(w->tap); q++)
		if (rt_be_tap_queue(w, q, false))
			busy = true;
	if (busy && ++w->rounds < RT_BE_TAP_REAP_MAX) {
		uloop_timer_arm_in(loop, &w->reap, RT_BE_TAP_REAP_NS, 0);
		return;
	}
	if (!busy)	/* else leaked: never freed under the kernel */
		tap_destroy(w->tap);
	free(w);
	rt_be_pending(-1);
}

/**
 * rt_be_tap_close() - close a tap or bridge netdev (worker)
 * @rt:		runtime
 * @rn:		the netdev
 *
 * The port is already disconnected; the rest happens from a timer, out
 * of the loop's completion handling (rt_be_drain() waits for it).
 */
void rt_be_tap_close(struct rt *rt, struct rt_netdev *rn)
{
	struct rt_be_tap *w = rn->obj;

	if (w)
		uloop_timer_arm_in(w->loop, &w->reap, 0, 0);
	rn->obj = NULL;
}

/**
 * rt_be_tap_fds() - fd= or fds=: the tap fds to adopt, checked as QEMU does
 * @s:		the option text ("N" or "N:M:...")
 * @fds:	filled (TAP_MAX_QUEUES entries)
 * @n:		set to how many
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_tap_fds(const char *s, int *fds, unsigned int *n,
			 struct strbuf *err)
{
	char buf[512], *tok, *save = NULL;
	struct ifreq ifr;

	snprintf(buf, sizeof(buf), "%s", s);
	*n = 0;
	for (tok = strtok_r(buf, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save)) {
		if (*n == TAP_MAX_QUEUES) {
			strbuf_printf(err, "at most %u tap fds are supported",
				      TAP_MAX_QUEUES);
			return -EINVAL;
		}
		if (rt_be_parse_fd(tok, &fds[*n], err))
			return -EINVAL;
		memset(&ifr, 0, sizeof(ifr));
		if (ioctl(fds[*n], TUNGETIFF, &ifr) < 0) {
			strbuf_printf(err, "Unable to query TUNGETIFF on FD %d: "
				      "%s", fds[*n], strerror(errno));
			return -EINVAL;
		}
		(*n)++;
	}
	if (!*n)
		return rt_be_parse_fd("", &fds[0], err);
	return 0;
}

/**
 * rt_be_tap_config() - -netdev tap's options as a struct tap_config
 * @rn:		the netdev
 * @cfg:	filled (its strings point into the options)
 * @fds:	storage for fd=/fds= (TAP_MAX_QUEUES entries)
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_tap_config(const struct rt_netdev *rn, struct tap_config *cfg,
			    int *fds, struct strbuf *err)
{
	const struct json_value *o = rn->nd->opts;
	const char *fd = netconf_opt_str(o, "fd");
	uint64_t v;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ifname = netconf_opt_str(o, "ifname");
	cfg->script = netconf_opt_str(o, "script");
	cfg->downscript = netconf_opt_str(o, "downscript");
	cfg->helper = netconf_opt_str(o, "helper");
	cfg->br = netconf_opt_str(o, "br");
	v = netconf_opt_uint(o, "sndbuf", 0);
	cfg->sndbuf = v > INT_MAX ? INT_MAX : (int)v;
	if (json_object_get(o, "vnet_hdr"))
		cfg->vnet_hdr = netconf_opt_bool(o, "vnet_hdr", true) ?
				TAP_VNET_ON : TAP_VNET_OFF;
	v = netconf_opt_uint(o, "queues", 0);	/* 0: one, or one per fd */
	cfg->queues = v > UINT_MAX ? UINT_MAX : (unsigned int)v;
	cfg->vhost = netconf_opt_bool(o, "vhost", false) ||
		     netconf_opt_bool(o, "vhostforce", false) ||
		     netconf_opt_str(o, "vhostfd") ||
		     netconf_opt_str(o, "vhostfds") ||
		     netconf_opt_uint(o, "poll-us", 0);
	if (!fd)
		fd = netconf_opt_str(o, "fds");
	if (fd) {
		cfg->fds = fds;
		return rt_be_tap_fds(fd, fds, &cfg->nfds, err);
	}
	return 0;
}

/**
 * rt_be_tap_err() - QEMU's text for a failed tap_create()/bridge_open()
 * @e:		the failed step
 * @ret:	the -errno
 * @err:	the text
 */
static void rt_be_tap_err(const struct tap_err *e, int ret, struct strbuf *err)
{
	switch (e->step) {
	case TAP_STEP_OPEN:
		strbuf_printf(err, "could not configure /dev/net/tun%s%s%s: %s",
			      e->what[0] ? " (" : "", e->what,
			      e->what[0] ? ")" : "", strerror(-ret));
		break;
	case TAP_STEP_FD:
		strbuf_puts(err, "vnet_hdr not consistent across given tap fds");
		break;
	case TAP_STEP_VNET_HDR:
		strbuf_puts(err, "vnet_hdr=1 requested, but no kernel support "
			    "for IFF_VNET_HDR available");
		break;
	case TAP_STEP_SNDBUF:
		strbuf_printf(err, "TUNSETSNDBUF ioctl failed: %s",
			      strerror(-ret));
		break;
	case TAP_STEP_SCRIPT:
		strbuf_printf(err, "network script %s failed with status %d",
			      e->what, e->status);
		break;
	case TAP_STEP_HELPER:
		strbuf_puts(err, "bridge helper failed");
		break;
	case TAP_STEP_CONFIG:
		if (!strcmp(e->what, "fds"))
			strbuf_puts(err, "The number of fds passed does not "
				    "match the queues specified");
		else
			strbuf_printf(err, "invalid tap configuration (%s): %s",
				      e->what, strerror(-ret));
		break;
	default:
		strbuf_puts(err, strerror(-ret));
		break;
	}
}

/**
 * rt_be_noperm() - a tap qnet may not create: fall back, or fail
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @what:	what failed ("cannot open tap 'qtap0'")
 * @ret:	the -errno (-EPERM, -EACCES)
 * @err:	error text
 *
 * Return: 0 when user networking took its place, or -errno
 */
static int rt_be_noperm(struct rt *rt, struct rt_netdev *rn,
			struct uloop *loop, const char *what, int ret,
			struct strbuf *err)
{
	char msg[1024];
	int fb;

	if (!netconf_opt_bool(rn->nd->opts, "fallback", true)) {
		strbuf_printf(err, "%s: %s (needs %s)", what, strerror(-ret),
			      caps_name(CAP_NET_ADMIN));
		return ret;
	}
	fb = rt_be_user_fallback(rt, rn, loop, err);
	if (fb)
		return fb;
	rt_be_attach(rt);
	caps_netdev_message(msg, sizeof(msg), rt_be_loc(rn), what, ret,
			    CAP_NET_ADMIN, true);
	rt_be_warn("%s", msg);
	return 0;
}

/**
 * rt_be_enslave() - bridge_ops.enslave: rtnetlink, as the kernel words it
 * @ctx:	unused
 * @ifname:	the tap
 * @br:		the bridge
 * @why:	the kernel's reason on failure
 * @whylen:	its size
 *
 * Return: 0, or -errno
 */
static int rt_be_enslave(void *ctx, const char *ifname, const char *br,
			 char *why, size_t whylen)
{
	struct rtnl *r;
	int ret = rtnl_open(&r);

	if (ret) {
		snprintf(why, whylen, "%s", strerror(-ret));
		return ret;
	}
	ret = rtnl_enslave(r, ifname, br, why, whylen);
	rtnl_close(r);
	return ret;
}

/**
 * rt_be_tap_start() - run the tap's queues on the worker loop and keep it
 * @rt:		runtime
 * @rn:		the netdev
 * @t:		the tap (taken over, also on failure)
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_be_tap_start(struct rt *rt, struct rt_netdev *rn,
			   struct tap *t, struct uloop *loop,
			   struct strbuf *err)
{
	struct rt_be_tap *w = calloc(1, sizeof(*w));
	unsigned int q;
	int ret = 0;

	rt_be_attach(rt);
	if (!w) {
		tap_destroy(t);
		return -ENOMEM;
	}
	w->tap = t;
	w->loop = loop;
	uloop_timer_init(&w->reap, rt_be_tap_reap);
	rt_be_pending(1);
	rn->spread = rt_qw_spread(rt, rn->nd) && tap_queues(t) > 1;
	for (q = 0; q < tap_queues(t) && rn->spread && !ret; q++)
		ret = rt_qw_get(rt, q, &w->qw[q]);
	if (ret) {
		strbuf_printf(err, "cannot start a data-path thread for queue "
			      "%u: %s", q - 1, strerror(-ret));
		memset(w->qw, 0, sizeof(w->qw));
		rn->spread = false;
		uloop_timer_arm_in(loop, &w->reap, 0, 0);
		return ret;
	}
	for (q = 0; q < tap_queues(t) && !ret; q++) {
		ret = rt_be_tap_queue(w, q, true);
		if (ret == -EOPNOTSUPP)
			strbuf_puts(err, "cannot run a tap on this kernel's "
				    "io_uring (multishot read needs Linux 6.7)");
		else if (ret)
			strbuf_printf(err, "cannot start queue %u of tap '%s': "
				      "%s", q, tap_ifname(t), strerror(-ret));
	}
	if (ret) {
		uloop_timer_arm_in(loop, &w->reap, 0, 0);
		return ret;
	}
	rn->obj = w;
	rn->port = tap_port(t);
	if (tap_vhost_ignored(t))
		rt_be_warn("%s: warning: vhost-net is not used by qnet; "
			   "this netdev runs on qnet's io_uring data path",
			   rt_be_loc(rn));
	return 0;
}

/**
 * rt_be_tap_open() - open a -netdev tap (worker)
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0 (also when user networking stands in), or -errno
 */
int rt_be_tap_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		   struct strbuf *err)
{
	int fds[TAP_MAX_QUEUES];
	struct tap_err terr = { 0 };
	struct tap_config cfg;
	char what[IFNAMSIZ + 32], why[RTNL_ERR_MAX];
	bool admin = caps_have(CAP_NET_ADMIN) == 1;
	struct tap *t;
	int ret;

	ret = rt_be_tap_config(rn, &cfg, fds, err);
	if (ret)
		return ret;
	if (cfg.ifname)
		snprintf(what, sizeof(what), "cannot open tap '%s'", cfg.ifname);
	else
		snprintf(what, sizeof(what), "cannot open a tap");
	if (!cfg.nfds && !cfg.helper && !admin)
		return rt_be_noperm(rt, rn, loop, what, -EPERM, err);
	ret = tap_create(&t, &cfg, rn->nd->id, &terr);
	if ((ret == -EPERM || ret == -EACCES) && terr.step == TAP_STEP_OPEN)
		return rt_be_noperm(rt, rn, loop, what, ret, err);
	if (ret) {
		rt_be_tap_err(&terr, ret, err);
		return ret;
	}
	if (cfg.br && !cfg.helper && admin && tap_created(t)) {
		ret = rt_be_enslave(NULL, tap_ifname(t), cfg.br, why,
				    sizeof(why));
		if (ret) {
			strbuf_printf(err, "cannot add tap '%s' to bridge "
				      "'%s': %s", tap_ifname(t), cfg.br, why);
			tap_destroy(t);
			return ret;
		}
	}
	return rt_be_tap_start(rt, rn, t, loop, err);
}

/**
 * rt_be_in_path() - is @prog an executable in $PATH?
 * @prog:	program name
 *
 * Return: true when found
 */
static bool rt_be_in_path(const char *prog)
{
	const char *p = getenv("PATH"), *end;
	char buf[PATH_MAX];

	for (p = p ? p : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if ((size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p),
				     p, prog) < sizeof(buf) &&
		    end > p && !access(buf, X_OK))
			return true;
	}
	return false;
}

/**
 * rt_be_bridge_open() - open a -netdev bridge (worker)
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0 (also when user networking stands in), or -errno
 */
int rt_be_bridge_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		      struct strbuf *err)
{
	static const struct bridge_ops ops = { .enslave = rt_be_enslave };
	const struct json_value *o = rn->nd->opts;
	struct bridge_config bc;
	struct tap_err terr = { 0 };
	bool admin = caps_have(CAP_NET_ADMIN) == 1;
	char what[IFNAMSIZ + 64], why[RTNL_ERR_MAX] = "";
	struct tap *t;
	int ret;

	memset(&bc, 0, sizeof(bc));
	bc.br = netconf_opt_str(o, "br");
	bc.helper = netconf_opt_str(o, "helper");
	snprintf(what, sizeof(what), "cannot create a tap for bridge '%s'",
		 bc.br ? bc.br : TAP_DEFAULT_BRIDGE);
	if (!bc.helper && !admin && !rt_be_in_path(BRIDGE_DEFAULT_HELPER))
		return rt_be_noperm(rt, rn, loop, what, -EPERM, err);
	ret = bridge_open(&t, &bc, admin && !bc.helper ? &ops : NULL, NULL,
			  rn->nd->id, &terr, why, sizeof(why));
	if ((ret == -EPERM || ret == -EACCES) && !why[0] &&
	    terr.step == TAP_STEP_OPEN)
		return rt_be_noperm(rt, rn, loop, what, ret, err);
	if (ret && why[0])
		strbuf_printf(err, "cannot add a tap to bridge '%s': %s",
			      bc.br ? bc.br : TAP_DEFAULT_BRIDGE, why);
	else if (ret)
		rt_be_tap_err(&terr, ret, err);
	if (ret)
		return ret;
	return rt_be_tap_start(rt, rn, t, loop, err);
}

/**
 * rt_be_tap_info() - `info network` text of an open tap: the name the
 *	kernel gave it (the model can only guess "tapN") (worker)
 * @rn:		the netdev
 * @q:		queue index
 * @out:	the text is appended
 *
 * Return: 0, or -ENOENT when the model's text is the right one (fd=,
 * helper=)
 */
int rt_be_tap_info(const struct rt_netdev *rn, unsigned int q,
		   struct strbuf *out)
{
	const struct rt_be_tap *w = rn->obj;
	const struct json_value *o = rn->nd->opts;
	const char *up, *down;

	if (!w || netconf_opt_str(o, "fd") || netconf_opt_str(o, "fds") ||
	    netconf_opt_str(o, "helper"))
		return -ENOENT;
	up = q ? "no" : netconf_opt_str(o, "script");
	down = q ? "no" : netconf_opt_str(o, "downscript");
	strbuf_printf(out, "ifname=%s,script=%s,downscript=%s",
		      tap_ifname(w->tap), up ? up : TAP_DEFAULT_SCRIPT,
		      down ? down : TAP_DEFAULT_DOWNSCRIPT);
	return 0;
}

/**
 * rt_be_tap_set_offload() - TUNSETOFFLOAD on a tap netdev, for a NIC
 *	frontend that negotiated offloads with the guest (QEMU's
 *	tap_set_offload)
 * @rn:		the opened netdev
 * @tun_f:	TUN_F_* flags
 *
 * Return: 0; -EOPNOTSUPP when the netdev is no tap (another type, or user
 * networking standing in); -EINVAL without IFF_VNET_HDR; -errno
 */
int rt_be_tap_set_offload(struct rt_netdev *rn, unsigned int tun_f)
{
	struct rt_be_tap *w;

	if (!rn || !rn->be || rt_be_is_fallback(rn) ||
	    (strcmp(rn->be->type, "tap") && strcmp(rn->be->type, "bridge")))
		return -EOPNOTSUPP;
	w = rn->obj;
	return w ? tap_set_offload(w->tap, tun_f) : -EOPNOTSUPP;
}
