// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_filter.c: -object filter-dump and qnet-filter on opened netdevs (in the kernel where frames cross an interface), qom-set status, query-filters, bpffs pins. */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/afxdp.h"
#include "backends/tap.h"
#include "ctl/caps.h"
#include "ctl/rt_be.h"
#include "ctl/rt_filter.h"
#include "datapath/bpf/capture.h"
#include "datapath/bpf/qcap.h"
#include "datapath/pcapw.h"

/**
 * DOC: filter objects at run time
 *
 * Every `-object filter-dump` becomes a capture object (datapath/bpf/
 * capture.h) on its netdev once the netdevs are open, and so does every
 * `-object qnet-filter` (CAPTURE_DROP for action=drop, CAPTURE_ALLOW for
 * action=allow: the same object without a file, whose verdicts drop
 * frames). Where the netdev's
 * frames cross a kernel interface the capture runs there:
 *
 * - af-xdp: a slot of the netdev's XDP program sees the frames to the
 *   guest (tx); the frames from the guest leave through the TX ring, which
 *   no kernel hook sees, so the netdev captures them in user space itself
 *   (afxdp_capture_add());
 * - tap and bridge: TC programs on the tap (its ingress carries rx, its
 *   egress tx), attached through tcx links (capture_attach_tc()).
 *
 * Everything else, and whatever the kernel could not take (no privilege,
 * inhibit=on), runs in user space on the netdev's port: a struct
 * port_filter that port_send() runs on the frames the netdev sends (tx)
 * and is sent (rx); frames a filter drops there count as the port's
 * "filtered" drops. A kernel attach that fails is a warning, never an
 * error: the capture or filter goes on in user space. User-space records are
 * written every 100 ms (or when a queue's buffer fills).
 *
 * qnet's extension `filter=EXPR` (a tcpdump expression) keeps only the
 * frames it matches, in the kernel and in user space alike. filter-buffer,
 * filter-mirror and filter-redirector are refused when qnet runs ("not
 * implemented in qnet yet"), never silently ignored.
 *
 * Threads: captures are opened, attached, toggled, read and closed on the
 * data-path worker (uworker_call()), the thread that runs their netdev.
 *
 * Pins: the instance's bpffs directory (BPFPIN_DIR/pid<PID>) is made on
 * first use (bpffs mounted if needed; directories of dead instances,
 * and the XDP programs they left on interfaces, removed first) and removed
 * when qnet exits (rt_filter_fini()). libbpf's and libxdp's own messages
 * are dropped unless QNET_BPF_LOG is set in the environment.
 */

/** RT_FILTER_FLUSH_NS - how often user-space capture records are written */
#define RT_FILTER_FLUSH_NS 100000000ull

/**
 * struct rt_filter - one opened filter object
 * @flush:	timer writing the user-space records (first: the callback
 *		casts)
 * @cap:	the capture object
 * @pf:		its user-space hook on @port
 * @port:	the port @pf is on, or NULL
 * @xdp:	the af-xdp netdev carrying it, or NULL
 * @loop:	the worker loop
 * @nqueues:	queues of the netdev
 * @spread:	the runtime, when the netdev's queues run on queue workers
 *		(they are parked while @pf comes and goes), else NULL
 */
struct rt_filter {
	struct uloop_timer flush;
	struct capture *cap;
	struct port_filter pf;
	struct port *port;
	struct afxdp *xdp;
	struct uloop *loop;
	unsigned int nqueues;
	struct rt *spread;
};

/**
 * struct rt_bpf_state - the process's pin directory
 * @rt:		the runtime that hears libbpf's messages
 * @pins:	the directory
 * @open:	@pins is open
 * @warned:	the failure to open it was reported
 * @log_set:	libbpf's and libxdp's logs are routed
 */
struct rt_bpf_state {
	struct rt *rt;
	struct bpfpin pins;
	bool open;
	bool warned;
	bool log_set;
};

static struct rt_bpf_state rt_bpf;

/**
 * rt_filter_warn() - a warning line for the control thread to print
 *	(worker thread; through ctl/rt_be.h's queue)
 * @rt:		runtime
 * @fmt:	printf format of the whole line, "qnet: " included
 */
void rt_filter_warn(struct rt *rt, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	rt_be_attach(rt);
	rt_be_warn("%s", text);
	free(text);
}

static void rt_filter_log_line(bool warn, const char *line)
{
	if (getenv("QNET_BPF_LOG") && rt_bpf.rt)
		rt_filter_warn(rt_bpf.rt, "qnet: %s: %s",
			       warn ? "warning: libbpf" : "libbpf", line);
}

/**
 * rt_filter_lib_log() - route libbpf's and libxdp's messages (once)
 * @rt:		runtime whose control thread prints them
 *
 * Call before anything loads a program.
 */
void rt_filter_lib_log(struct rt *rt)
{
	rt_bpf.rt = rt;
	if (rt_bpf.log_set)
		return;
	rt_bpf.log_set = true;
	bpfpin_lib_log(rt_filter_log_line);
}

/**
 * rt_filter_pins() - the instance's pin directory, made on first use
 * @rt:		runtime (warnings)
 * @err:	set to the -errno when there is none
 *
 * Worker thread. A failure other than a missing privilege is reported
 * once (programs then run unpinned).
 *
 * Return: the directory, or NULL
 */
const struct bpfpin *rt_filter_pins(struct rt *rt, int *err)
{
	int ret;

	*err = 0;
	if (rt_bpf.open)
		return &rt_bpf.pins;
	if (caps_have(CAP_BPF) != 1) {	/* nothing could be pinned */
		*err = -EPERM;
		return NULL;
	}
	rt_filter_lib_log(rt);
	ret = bpfpin_open(&rt_bpf.pins, NULL);
	if (!ret) {
		rt_bpf.open = true;
		return &rt_bpf.pins;
	}
	*err = ret;
	if (ret != -EPERM && ret != -EACCES && !rt_bpf.warned) {
		rt_bpf.warned = true;
		rt_filter_warn(rt, "qnet: warning: cannot make the BPF pin "
			       "directory under %s: %s; qnet's programs run "
			       "unpinned", BPFPIN_DIR, strerror(-ret));
	}
	return NULL;
}

/**
 * rt_filter_fini() - remove the instance's pin directory
 * @rt:		runtime, every netdev closed (control thread)
 */
void rt_filter_fini(struct rt *rt)
{
	if (!rt_bpf.open)
		return;
	bpfpin_close(&rt_bpf.pins);
	rt_bpf.open = false;
}

/* port_filter.run: the capture in user space, from the netdev's side. */
static uint64_t rt_filter_run(void *arg, enum port_dir dir, unsigned int queue,
			      struct frame *const *f, unsigned int n)
{
	struct rt_filter *rf = arg;

	return capture_user_run(rf->cap, dir == PORT_DIR_IN ? CAPTURE_RX :
							      CAPTURE_TX,
				queue, f, n);
}

/* Every RT_FILTER_FLUSH_NS: write what the queues buffered. */
static void rt_filter_flush_fn(struct uloop *loop, struct uloop_timer *t)
{
	struct rt_filter *rf = (struct rt_filter *)t;
	unsigned int q;

	for (q = 0; q < rf->nqueues; q++)
		capture_user_flush(rf->cap, q);
}

/* enum capture_dir bits that QEMU's queue= selects */
static unsigned int rt_filter_dirs(enum capture_queue q)
{
	return q == CAPTURE_QUEUE_RX ? 1u << CAPTURE_RX :
	       q == CAPTURE_QUEUE_TX ? 1u << CAPTURE_TX :
	       (1u << CAPTURE_RX) | (1u << CAPTURE_TX);
}

/**
 * rt_filter_kind() - what a filter object does
 * @nf:		filter-dump or qnet-filter
 *
 * Return: CAPTURE_DUMP, or CAPTURE_DROP / CAPTURE_ALLOW for qnet-filter's
 * action=drop / action=allow.
 */
static enum capture_kind rt_filter_kind(const struct netconf_filter *nf)
{
	const char *action = netconf_opt_str(nf->props, "action");

	if (strcmp(nf->type->name, "qnet-filter"))
		return CAPTURE_DUMP;
	return action && !strcmp(action, "allow") ? CAPTURE_ALLOW :
						    CAPTURE_DROP;
}

/**
 * rt_filter_config() - a filter object's properties as a capture_config
 * @nf:		the filter
 * @rn:		its netdev (opened)
 * @cfg:	filled (strings point into the properties)
 */
static void rt_filter_config(const struct netconf_filter *nf,
			     const struct rt_netdev *rn,
			     struct capture_config *cfg)
{
	const struct json_value *p = nf->props;
	const char *queue = netconf_opt_str(p, "queue");
	const char *status = netconf_opt_str(p, "status");
	uint64_t maxlen = netconf_opt_uint(p, "maxlen", CAPTURE_MAXLEN_DEFAULT);

	memset(cfg, 0, sizeof(*cfg));
	cfg->id = nf->id;
	cfg->netdev = rn->nd->id;
	cfg->kind = rt_filter_kind(nf);
	cfg->file = netconf_opt_str(p, "file");
	cfg->maxlen = maxlen > PCAPW_SNAP_MAX ? PCAPW_SNAP_MAX :
						(uint32_t)maxlen;
	cfg->queue = !queue || !strcmp(queue, "all") ? CAPTURE_QUEUE_ALL :
		     !strcmp(queue, "rx") ? CAPTURE_QUEUE_RX :
					    CAPTURE_QUEUE_TX;
	cfg->status = !status || strcmp(status, "off");
	cfg->filter = netconf_opt_str(p, "filter");
	cfg->nqueues = rn->port->nqueues;
}

/**
 * rt_filter_kernel_warn() - say that frames the kernel could have
 *	captured or filtered are handled in user space
 * @rt:		runtime
 * @nf:		the filter
 * @ifname:	the interface
 * @why:	the reason (may be NULL)
 */
static void rt_filter_kernel_warn(struct rt *rt,
				  const struct netconf_filter *nf,
				  const char *ifname, const char *why)
{
	bool dump = rt_filter_kind(nf) == CAPTURE_DUMP;

	rt_filter_warn(rt, "qnet: %s: warning: cannot %s on '%s' in the "
		       "kernel%s%s; %s in user space",
		       nf->loc ? nf->loc : nf->id, dump ? "capture" : "filter",
		       ifname, why ? ": " : "", why ? why : "",
		       dump ? "capturing" : "filtering");
}

/**
 * rt_filter_on_afxdp() - run the capture on an af-xdp netdev
 * @rt:		runtime
 * @rn:		the netdev
 * @rf:		the filter
 * @nf:		its configuration
 * @dirs:	enum capture_dir bits it wants
 * @err:	error text
 *
 * Return: 0, or -ENOSPC when the netdev's program has no slot left
 */
static int rt_filter_on_afxdp(struct rt *rt, struct rt_netdev *rn,
			      struct rt_filter *rf,
			      const struct netconf_filter *nf,
			      unsigned int dirs, struct strbuf *err)
{
	struct afxdp_info info = { 0 };
	int ret = afxdp_capture_add(rn->obj, rf->cap);

	if (ret) {
		strbuf_printf(err, "%s: netdev '%s' carries %u filters already",
			      strerror(-ret), rn->nd->id, QCAP_SLOTS);
		return ret;
	}
	rf->xdp = rn->obj;
	afxdp_info(rf->xdp, &info);
	/* frames from the guest are captured in user space by design */
	if ((dirs & (1u << CAPTURE_TX)) &&
	    !(capture_kernel_dirs(rf->cap) & (1u << CAPTURE_TX)))
		rt_filter_kernel_warn(rt, nf,
				      netconf_opt_str(rn->nd->opts, "ifname"),
				      info.program ? NULL :
				      "inhibit=on, no qnet program");
	return 0;
}

/**
 * rt_filter_on_tap() - load TC programs for the capture on a tap's
 *	interface; on failure warn (user space takes over)
 * @rt:		runtime
 * @rn:		the tap or bridge netdev
 * @rf:		the filter
 * @nf:		its configuration
 */
static void rt_filter_on_tap(struct rt *rt, struct rt_netdev *rn,
			     struct rt_filter *rf,
			     const struct netconf_filter *nf)
{
	/* backends/tap.c gives its port the tap as owner state */
	const char *ifname = tap_ifname(rn->port->priv);
	const struct bpfpin *pins;
	char why[128];
	int ifindex = (int)if_nametoindex(ifname), perr, ret;

	pins = rt_filter_pins(rt, &perr);
	ret = ifindex ? capture_attach_tc(rf->cap, rf->loop, ifindex, pins) :
			-ENODEV;
	if (!ret)
		return;
	if (ret == -EPERM || ret == -EACCES)
		snprintf(why, sizeof(why), "%s (needs %s)", strerror(-ret),
			 caps_name(caps_have(CAP_NET_ADMIN) == 1 ? CAP_BPF :
							       CAP_NET_ADMIN));
	else
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	rt_filter_kernel_warn(rt, nf, ifname, why);
}

/**
 * rt_filter_attach() - put an opened capture where its netdev's frames are
 * @rt:		runtime
 * @rn:		the netdev (opened)
 * @rf:		the filter
 * @nf:		its configuration
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_filter_attach(struct rt *rt, struct rt_netdev *rn,
			    struct rt_filter *rf,
			    const struct netconf_filter *nf, struct strbuf *err)
{
	const char *type = rn->be && !rt_be_is_fallback(rn) ? rn->be->type :
							       "";
	struct capture_config cfg;
	unsigned int dirs;
	int ret;

	rt_filter_config(nf, rn, &cfg);
	dirs = rt_filter_dirs(cfg.queue);
	if (!strcmp(type, "af-xdp"))
		return rt_filter_on_afxdp(rt, rn, rf, nf, dirs, err);
	if (!strcmp(type, "tap") || !strcmp(type, "bridge"))
		rt_filter_on_tap(rt, rn, rf, nf);
	if (!(dirs & ~capture_kernel_dirs(rf->cap)))
		return 0;	/* the kernel sees every frame it wants */
	rf->spread = rn->spread ? rt : NULL;
	if (rf->spread)		/* its queues' threads walk the filter list */
		rt_qw_pause(rt);
	ret = port_filter_add(rn->port, &rf->pf);
	if (rf->spread)
		rt_qw_resume(rt);
	if (ret) {
		strbuf_printf(err, "%s: netdev '%s' carries %u filters already",
			      strerror(-ret), rn->nd->id, PORT_MAX_FILTERS);
		return ret;
	}
	rf->port = rn->port;
	return 0;
}

/**
 * rt_filter_close_one() - take a filter off its netdev, write, free
 * @nf:		the filter (not open: nothing happens)
 */
static void rt_filter_close_one(struct netconf_filter *nf)
{
	struct rt_filter *rf = nf->priv;
	unsigned int q;

	if (!rf)
		return;
	uloop_timer_cancel(rf->loop, &rf->flush);
	if (rf->port && rf->spread)
		rt_qw_pause(rf->spread);
	if (rf->port)
		port_filter_del(rf->port, &rf->pf);
	if (rf->port && rf->spread)
		rt_qw_resume(rf->spread);
	if (rf->xdp)
		afxdp_capture_del(rf->xdp, rf->cap);
	for (q = 0; q < rf->nqueues; q++)
		capture_user_flush(rf->cap, q);
	capture_close(rf->cap);
	free(rf);
	nf->priv = NULL;
}

/**
 * rt_filter_open_one() - open one filter object on its opened netdev
 * @rt:		runtime
 * @rn:		the netdev
 * @nf:		the filter
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno
 */
static int rt_filter_open_one(struct rt *rt, struct rt_netdev *rn,
			      struct netconf_filter *nf,
			      struct uloop *loop, struct strbuf *err)
{
	struct capture_config cfg;
	struct rt_filter *rf;
	char why[256];
	int ret;

	if (strcmp(nf->type->name, "filter-dump") &&
	    strcmp(nf->type->name, "qnet-filter")) {
		strbuf_printf(err, "filter type '%s' is not implemented in "
			      "qnet yet", nf->type->name);
		return -ENOSYS;
	}
	rf = calloc(1, sizeof(*rf));
	if (!rf)
		return -ENOMEM;
	rt_filter_config(nf, rn, &cfg);
	ret = capture_open(&rf->cap, &cfg, why, sizeof(why));
	if (ret == -EINVAL && why[0])
		strbuf_printf(err, "invalid filter expression '%s': %s",
			      cfg.filter, why);
	else if (ret && cfg.kind != CAPTURE_DUMP)
		strbuf_printf(err, "cannot open filter '%s': %s", nf->id,
			      strerror(-ret));
	else if (ret)
		strbuf_printf(err, "net dump: can't open %s: %s", cfg.file,
			      strerror(-ret));
	if (ret) {
		free(rf);
		return ret;
	}
	rf->pf.run = rt_filter_run;
	rf->pf.arg = rf;
	rf->loop = loop;
	rf->nqueues = cfg.nqueues;
	uloop_timer_init(&rf->flush, rt_filter_flush_fn);
	nf->priv = rf;
	ret = rt_filter_attach(rt, rn, rf, nf, err);
	if (ret) {
		rt_filter_close_one(nf);
		return ret;
	}
	if (cfg.kind == CAPTURE_DUMP)	/* drop/allow buffer nothing */
		uloop_timer_arm_in(loop, &rf->flush, RT_FILTER_FLUSH_NS,
				   RT_FILTER_FLUSH_NS);
	return 0;
}

/**
 * struct rt_filter_call - arguments of a filter operation on the worker
 * @rt:		runtime
 * @err:	error text
 * @nf:		the filter concerned, if one
 * @on:		qom-set status value
 * @out:	query-filters output
 */
struct rt_filter_call {
	struct rt *rt;
	struct strbuf *err;
	struct netconf_filter *nf;
	bool on;
	struct strbuf *out;
};

static int rt_filter_open_fn(struct uloop *loop, void *arg)
{
	struct rt_filter_call *c = arg;
	struct netconf *nc = c->rt->nc;
	size_t i, j;
	int ret;

	rt_filter_lib_log(c->rt);
	for (i = 0; i < nc->nnetdevs; i++) {
		struct netconf_netdev *nd = nc->netdevs[i];

		for (j = 0; j < nd->nfilters; j++) {
			struct netconf_filter *nf = nd->filters[j];

			if (nf->priv || !nd->priv)
				continue;
			ret = rt_filter_open_one(c->rt, nd->priv, nf, loop,
						 c->err);
			if (ret) {
				c->nf = nf;
				return ret;
			}
		}
	}
	return 0;
}

/**
 * rt_filter_open_all() - open every filter object on its opened netdev
 * @rt:		runtime, netdevs open (control thread)
 * @err:	error text, prefixed by the -object option that failed
 *
 * Directories of dead qnet instances under bpffs are cleaned first. On
 * error the filters opened so far stay open: closing the netdevs closes
 * them (rt_filter_netdev_close()).
 *
 * Return: 0, or -errno
 */
int rt_filter_open_all(struct rt *rt, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct rt_filter_call c = { .rt = rt, .err = &why };
	unsigned int cleaned, detached;
	int ret;

	if (caps_have(CAP_BPF) == 1 && !access(BPFPIN_DIR, F_OK))
		bpfpin_clean_stale(&cleaned, &detached);
	ret = uworker_call(&rt->worker, rt_filter_open_fn, &c);
	if (ret && c.nf)
		strbuf_printf(err, "%s: ", c.nf->loc ? c.nf->loc : c.nf->id);
	if (ret)
		strbuf_puts(err, strbuf_str(&why));
	strbuf_free(&why);
	return ret;
}

/**
 * rt_filter_netdev_close() - close the filters of a netdev about to close
 * @rt:		runtime
 * @rn:		the netdev (worker thread)
 */
void rt_filter_netdev_close(struct rt *rt, struct rt_netdev *rn)
{
	size_t i;

	for (i = 0; i < rn->nd->nfilters; i++)
		rt_filter_close_one(rn->nd->filters[i]);
}

static int rt_filter_status_fn(struct uloop *loop, void *arg)
{
	struct rt_filter_call *c = arg;
	struct rt_filter *rf = c->nf->priv;

	return rf ? capture_set_status(rf->cap, c->on) : 0;
}

/**
 * rt_filter_status_value() - a status value: QEMU's "on"/"off", or a boolean
 * @v:		the JSON value
 * @on:		set to it
 *
 * Return: 0, or -EINVAL
 */
static int rt_filter_status_value(const struct json_value *v, bool *on)
{
	if (v && v->type == JSON_BOOL) {
		*on = v->u.b;
		return 0;
	}
	if (v && v->type == JSON_STRING &&
	    (!strcmp(v->u.s, "on") || !strcmp(v->u.s, "off"))) {
		*on = !strcmp(v->u.s, "on");
		return 0;
	}
	return -EINVAL;
}

/**
 * rt_filter_qom_set() - QMP qom-set on a filter object: status at run time
 * @ctx:	runtime (control thread)
 * @path:	"F" or "/objects/F"
 * @prop:	the property; only "status" changes while qnet runs
 * @value:	"on"/"off" (QEMU's) or true/false
 * @err:	QEMU's text on error
 *
 * Return: 0; -ENOENT for no such object; -EINVAL; -EIO when a write
 * error stopped the capture for good
 */
int rt_filter_qom_set(void *ctx, const char *path, const char *prop,
		      const struct json_value *value, struct strbuf *err)
{
	struct rt *rt = ctx;
	const char *id = strncmp(path, "/objects/", 9) ? path : path + 9;
	struct rt_filter_call c = { .rt = rt };
	int ret;

	c.nf = netconf_find_filter(rt->nc, id);
	if (!c.nf) {
		strbuf_printf(err, "Device '%s' not found", path);
		return -ENOENT;
	}
	if (strcmp(prop, "status")) {
		if (schema_find(c.nf->type->opts, prop) ||
		    !strcmp(prop, "netdev") || !strcmp(prop, "queue") ||
		    !strcmp(prop, "position") || !strcmp(prop, "insert"))
			strbuf_printf(err, "Property '%s.%s' cannot be changed "
				      "while qnet runs", c.nf->type->name,
				      prop);
		else
			strbuf_printf(err, "Property '%s.%s' not found",
				      c.nf->type->name, prop);
		return -EINVAL;
	}
	if (rt_filter_status_value(value, &c.on)) {
		strbuf_puts(err, "Invalid value for netfilter status, should "
			    "be 'on' or 'off'");
		return -EINVAL;
	}
	ret = uworker_call(&rt->worker, rt_filter_status_fn, &c);
	if (ret == -EIO)
		strbuf_printf(err, "filter '%s' stopped after a write error",
			      c.nf->id);
	else if (ret)
		strbuf_puts(err, strerror(-ret));
	if (!ret)
		ret = json_object_set(c.nf->props, "status",
				      json_new_string(c.on ? "on" : "off"));
	return ret;
}

/**
 * rt_filter_json_one() - one filter's entry of query-filters
 * @nf:		the filter
 * @out:	JSON object appended
 */
static void rt_filter_json_one(const struct netconf_filter *nf,
			       struct strbuf *out)
{
	const struct rt_filter *rf = nf->priv;
	const char *status = netconf_opt_str(nf->props, "status");
	const char *queue = netconf_opt_str(nf->props, "queue");
	const char *expr = netconf_opt_str(nf->props, "filter");
	const char *action = netconf_opt_str(nf->props, "action");
	struct capture_stats s = { 0 };

	strbuf_puts(out, "{\"id\":");
	json_write_string(nf->id, out);
	strbuf_puts(out, ",\"type\":");
	json_write_string(nf->type->name, out);
	strbuf_puts(out, ",\"netdev\":");
	json_write_string(nf->nd ? nf->nd->id : "", out);
	strbuf_printf(out, ",\"status\":%s,\"queue\":\"%s\",\"action\":",
		      status && !strcmp(status, "off") ? "false" : "true",
		      queue ? queue : "all");
	if (action)
		json_write_string(action, out);
	else
		strbuf_puts(out, "null");
	strbuf_puts(out, ",\"filter\":");
	if (expr)
		json_write_string(expr, out);
	else
		strbuf_puts(out, "null");
	if (rf)
		capture_stats(rf->cap, &s);
	strbuf_printf(out, ",\"running\":%s,\"kernel\":[%s%s%s]",
		      rf ? "true" : "false",
		      s.kernel_dirs & (1u << CAPTURE_RX) ? "\"rx\"" : "",
		      s.kernel_dirs == 3 ? "," : "",
		      s.kernel_dirs & (1u << CAPTURE_TX) ? "\"tx\"" : "");
	strbuf_printf(out, ",\"seen\":%llu,\"matched\":%llu,\"copied\":%llu,"
		      "\"ring_full\":%llu,\"dropped\":%llu,\"bytes\":%llu,"
		      "\"written\":%llu,\"lost\":%llu,\"error\":",
		      (unsigned long long)s.seen, (unsigned long long)s.matched,
		      (unsigned long long)s.copied,
		      (unsigned long long)s.ring_full,
		      (unsigned long long)s.dropped,
		      (unsigned long long)s.bytes,
		      (unsigned long long)s.written,
		      (unsigned long long)s.lost);
	if (s.error)
		json_write_string(strerror(-s.error), out);
	else
		strbuf_puts(out, "null");
	strbuf_putc(out, '}');
}

static int rt_filter_json_fn(struct uloop *loop, void *arg)
{
	struct rt_filter_call *c = arg;
	size_t i;

	strbuf_putc(c->out, '[');
	for (i = 0; i < c->rt->nc->nfilters; i++) {
		if (i)
			strbuf_putc(c->out, ',');
		rt_filter_json_one(c->rt->nc->filters[i], c->out);
	}
	strbuf_putc(c->out, ']');
	return 0;
}

/**
 * rt_filter_json() - QMP query-filters: every filter object and its
 *	counters (kernel and user space together)
 * @ctx:	runtime (control thread)
 * @out:	a JSON array
 *
 * Return: 0, or -errno
 */
int rt_filter_json(void *ctx, struct strbuf *out)
{
	struct rt_filter_call c = { .rt = ctx, .out = out };

	return uworker_call(&c.rt->worker, rt_filter_json_fn, &c);
}
