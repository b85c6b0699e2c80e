// SPDX-License-Identifier: GPL-2.0-or-later
/* mon_qmp.c: the QMP monitor: greeting, negotiation, commands, events. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "ctl/json.h"
#include "ctl/mon.h"
#include "ctl/mon_server.h"

/**
 * DOC: QMP
 *
 * QEMU's protocol: a greeting, `qmp_capabilities` before anything else, one
 * JSON object per command with an optional "id" echoed in the reply, errors
 * as {"error": {"class", "desc"}}. Commands QEMU has (netdev_add,
 * netdev_del, set_link, human-monitor-command, quit) take QEMU's arguments
 * and give QEMU's error classes. qnet adds `query-netstats` (the frame
 * counters), and `hostfwd-add`, `hostfwd-remove`, `query-hostfwd` (QEMU has
 * no QMP command for forwards). `qom-set` changes a filter's status as in
 * QEMU ("on"/"off", or a boolean); `query-filters` (qnet) lists the filter
 * objects with their counters.
 */

/**
 * struct qmp_state - per-client QMP state (lives in mon_client_state())
 * @negotiated:	qmp_capabilities has been accepted
 */
struct qmp_state {
	bool negotiated;
};

/**
 * struct qmp_reply - what a command handler produces
 * @ret:	the "return" value (NULL: an empty object)
 * @class:	error class, NULL on success
 * @desc:	error description
 */
struct qmp_reply {
	struct json_value *ret;
	const char *class;
	struct strbuf desc;
};

/**
 * struct qmp_cmd - one QMP command
 * @name:	"execute" value
 * @run:	handler; @args is the "arguments" object (never NULL)
 */
struct qmp_cmd {
	const char *name;
	void (*run)(const struct mon_ctx *m, struct mon_client *c,
		    const struct json_value *args, struct qmp_reply *r);
};

/**
 * qmp_fail() - set an error reply
 * @r:		reply
 * @class:	QMP error class
 * @fmt:	description format
 */
static void __attribute__((format(printf, 3, 4)))
qmp_fail(struct qmp_reply *r, const char *class, const char *fmt, ...)
{
	va_list ap;

	r->class = class;
	strbuf_reset(&r->desc);
	va_start(ap, fmt);
	strbuf_vprintf(&r->desc, fmt, ap);
	va_end(ap);
}

/**
 * qmp_fail_errno() - turn a runtime error into a reply
 * @r:		reply
 * @ret:	-errno from the runtime
 * @err:	the runtime's message
 */
static void qmp_fail_errno(struct qmp_reply *r, int ret,
			   const struct strbuf *err)
{
	qmp_fail(r, ret == -ENOENT ? "DeviceNotFound" : "GenericError", "%s",
		 strbuf_str(err));
}

/**
 * qmp_arg_str() - a required string argument
 * @args:	arguments object
 * @key:	argument name
 * @r:		reply, set to QEMU's error when missing or mistyped
 *
 * Return: the string, or NULL (with @r set)
 */
static const char *qmp_arg_str(const struct json_value *args, const char *key,
			       struct qmp_reply *r)
{
	const struct json_value *v = json_object_get(args, key);

	if (!v) {
		qmp_fail(r, "GenericError", "Parameter '%s' is missing", key);
		return NULL;
	}
	if (v->type != JSON_STRING) {
		qmp_fail(r, "GenericError",
			 "Invalid parameter type for '%s', expected: string",
			 key);
		return NULL;
	}
	return v->u.s;
}

/**
 * qmp_text_result() - run a text-producing op and return its output
 * @r:		reply
 * @ret:	the op's result
 * @out:	its output
 * @as_json:	@out holds JSON to parse, rather than text to return as a string
 */
static void qmp_text_result(struct qmp_reply *r, int ret, struct strbuf *out,
			    bool as_json)
{
	struct strbuf err = STRBUF_INIT;

	if (ret) {
		qmp_fail_errno(r, ret, out);
	} else if (!as_json) {
		r->ret = json_new_string(strbuf_str(out));
	} else if (json_parse(strbuf_str(out), &r->ret, &err)) {
		qmp_fail(r, "GenericError", "internal error: %s",
			 strbuf_str(&err));
	}
	strbuf_free(&err);
}

static void qmp_capabilities(const struct mon_ctx *m, struct mon_client *c,
			     const struct json_value *args,
			     struct qmp_reply *r)
{
	struct qmp_state *st = mon_client_state(c);

	if (st->negotiated) {
		qmp_fail(r, "CommandNotFound", "Capabilities negotiation is "
			 "already complete, command ignored");
		return;
	}
	st->negotiated = true;
}

static void qmp_netdev_add(const struct mon_ctx *m, struct mon_client *c,
			   const struct json_value *args, struct qmp_reply *r)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	json_write(args, &text);
	ret = m->ops->netdev_add(m->rt, strbuf_str(&text), &err);
	if (ret)
		qmp_fail_errno(r, ret, &err);
	strbuf_free(&text);
	strbuf_free(&err);
}

static void qmp_netdev_del(const struct mon_ctx *m, struct mon_client *c,
			   const struct json_value *args, struct qmp_reply *r)
{
	struct strbuf err = STRBUF_INIT;
	const char *id = qmp_arg_str(args, "id", r);
	int ret;

	if (!id)
		return;
	ret = m->ops->netdev_del(m->rt, id, &err);
	if (ret)
		qmp_fail_errno(r, ret, &err);
	strbuf_free(&err);
}

static void qmp_set_link(const struct mon_ctx *m, struct mon_client *c,
			 const struct json_value *args, struct qmp_reply *r)
{
	struct strbuf err = STRBUF_INIT;
	const char *name = qmp_arg_str(args, "name", r);
	const struct json_value *up = json_object_get(args, "up");
	int ret;

	if (!name)
		return;
	if (!up) {
		qmp_fail(r, "GenericError", "Parameter 'up' is missing");
		return;
	}
	if (up->type != JSON_BOOL) {
		qmp_fail(r, "GenericError",
			 "Invalid parameter type for 'up', expected: boolean");
		return;
	}
	ret = m->ops->set_link(m->rt, name, up->u.b, &err);
	if (ret)
		qmp_fail_errno(r, ret, &err);
	strbuf_free(&err);
}

static void qmp_hmp(const struct mon_ctx *m, struct mon_client *c,
		    const struct json_value *args, struct qmp_reply *r)
{
	struct strbuf out = STRBUF_INIT, crlf = STRBUF_INIT;
	const char *line = qmp_arg_str(args, "command-line", r);
	const char *p;

	if (!line)
		return;
	mon_hmp_exec(m, line, &out);
	for (p = strbuf_str(&out); *p; p++) {	/* QEMU returns HMP's "\r\n" */
		if (*p == '\n')
			strbuf_putc(&crlf, '\r');
		strbuf_putc(&crlf, *p);
	}
	r->ret = json_new_string(strbuf_str(&crlf));
	strbuf_free(&crlf);
	strbuf_free(&out);
}

static void qmp_netstats(const struct mon_ctx *m, struct mon_client *c,
			 const struct json_value *args, struct qmp_reply *r)
{
	struct strbuf out = STRBUF_INIT;

	qmp_text_result(r, m->ops->netstats_json(m->rt, &out), &out, true);
	strbuf_free(&out);
}

static void qmp_hostfwd_add(const struct mon_ctx *m, struct mon_client *c,
			    const struct json_value *args,
			    struct qmp_reply *r)
{
	struct strbuf err = STRBUF_INIT;
	const char *rule = qmp_arg_str(args, "rule", r);
	const char *netdev = json_object_get_str(args, "netdev");
	int ret;

	if (!rule)
		return;
	ret = m->ops->hostfwd_add(m->rt, netdev, rule, &err);
	if (ret)
		qmp_fail_errno(r, ret, &err);
	strbuf_free(&err);
}

static void qmp_hostfwd_remove(const struct mon_ctx *m, struct mon_client *c,
			       const struct json_value *args,
			       struct qmp_reply *r)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	const char *rule = qmp_arg_str(args, "rule", r);
	const char *netdev = json_object_get_str(args, "netdev");
	int ret;

	if (!rule)
		return;
	ret = m->ops->hostfwd_remove(m->rt, netdev, rule, &out, &err);
	if (ret)
		qmp_fail_errno(r, ret, &err);
	strbuf_free(&out);
	strbuf_free(&err);
}

static void qmp_hostfwd_list(const struct mon_ctx *m, struct mon_client *c,
			     const struct json_value *args,
			     struct qmp_reply *r)
{
	struct strbuf out = STRBUF_INIT;

	qmp_text_result(r, m->ops->hostfwd_list_json(m->rt, &out), &out, true);
	strbuf_free(&out);
}

static void qmp_quit(const struct mon_ctx *m, struct mon_client *c,
		     const struct json_value *args, struct qmp_reply *r)
{
	m->ops->quit(m->rt);
}

static void qmp_qom_set(const struct mon_ctx *m, struct mon_client *c,
			const struct json_value *args, struct qmp_reply *r)
{
	struct strbuf err = STRBUF_INIT;
	const char *path = qmp_arg_str(args, "path", r);
	const char *prop = path ? qmp_arg_str(args, "property", r) : NULL;
	const struct json_value *value = json_object_get(args, "value");
	int ret;

	if (!prop)
		return;
	if (!value) {
		qmp_fail(r, "GenericError", "Parameter 'value' is missing");
		return;
	}
	ret = m->ops->qom_set(m->rt, path, prop, value, &err);
	if (ret)
		qmp_fail_errno(r, ret, &err);
	strbuf_free(&err);
}

static void qmp_query_filters(const struct mon_ctx *m, struct mon_client *c,
			      const struct json_value *args,
			      struct qmp_reply *r)
{
	struct strbuf out = STRBUF_INIT;

	qmp_text_result(r, m->ops->filters_json(m->rt, &out), &out, true);
	strbuf_free(&out);
}

static const struct qmp_cmd qmp_cmds[] = {
	{ "qmp_capabilities", qmp_capabilities },
	{ "netdev_add", qmp_netdev_add },
	{ "netdev_del", qmp_netdev_del },
	{ "set_link", qmp_set_link },
	{ "human-monitor-command", qmp_hmp },
	{ "query-netstats", qmp_netstats },
	{ "hostfwd-add", qmp_hostfwd_add },
	{ "hostfwd-remove", qmp_hostfwd_remove },
	{ "query-hostfwd", qmp_hostfwd_list },
	{ "quit", qmp_quit },
	{ "qom-set", qmp_qom_set },
	{ "query-filters", qmp_query_filters },
	{ NULL, NULL },
};

/**
 * qmp_dispatch() - validate one request and run its command
 * @c:		client
 * @req:	the parsed request
 * @r:		reply
 */
static void qmp_dispatch(struct mon_client *c, const struct json_value *req,
			 struct qmp_reply *r)
{
	const struct mon_ctx *m = mon_client_ctx(c);
	struct qmp_state *st = mon_client_state(c);
	const struct json_value *exec, *args;
	struct json_value *empty = NULL;
	const struct qmp_cmd *cmd;

	if (req->type != JSON_OBJECT) {
		qmp_fail(r, "GenericError", "QMP input must be a JSON object");
		return;
	}
	exec = json_object_get(req, "execute");
	if (!exec || exec->type != JSON_STRING) {
		qmp_fail(r, "GenericError", "QMP input lacks member 'execute'");
		return;
	}
	for (cmd = qmp_cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, exec->u.s))
			break;
	if (!cmd->name) {
		qmp_fail(r, "CommandNotFound", "The command %s has not been found",
			 exec->u.s);
		return;
	}
	if (!st->negotiated && cmd->run != qmp_capabilities) {
		qmp_fail(r, "CommandNotFound", "Expecting capabilities "
			 "negotiation with 'qmp_capabilities'");
		return;
	}
	args = json_object_get(req, "arguments");
	if (args && args->type != JSON_OBJECT) {
		qmp_fail(r, "GenericError",
			 "QMP input member 'arguments' must be an object");
		return;
	}
	if (!args)
		args = empty = json_new_object();
	if (!args) {
		qmp_fail(r, "GenericError", "out of memory");
		return;
	}
	cmd->run(m, c, args, r);
	json_free(empty);
}

/**
 * qmp_message() - one JSON text from a client: parse, run, reply
 * @c:		client
 * @msg:	the text
 * @len:	its length
 */
static void qmp_message(struct mon_client *c, char *msg, size_t len)
{
	struct qmp_reply r = { .desc = STRBUF_INIT };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct json_value *req = NULL, *reply, *id = NULL;

	if (json_parse(msg, &req, &err))
		qmp_fail(&r, "GenericError", "JSON parse error, %s",
			 strbuf_str(&err));
	else
		qmp_dispatch(c, req, &r);
	if (req && req->type == JSON_OBJECT)
		id = json_object_take(req, "id");
	reply = json_new_object();
	if (r.class) {
		struct json_value *e = json_new_object();

		json_object_set(e, "class", json_new_string(r.class));
		json_object_set(e, "desc",
				json_new_string(strbuf_str(&r.desc)));
		json_object_set(reply, "error", e);
		json_free(r.ret);
	} else {
		json_object_set(reply, "return",
				r.ret ? r.ret : json_new_object());
	}
	if (id)
		json_object_set(reply, "id", id);
	json_write(reply, &out);
	strbuf_putc(&out, '\n');
	mon_client_write(c, strbuf_str(&out), out.len);
	json_free(reply);
	json_free(req);
	strbuf_free(&out);
	strbuf_free(&err);
	strbuf_free(&r.desc);
}

/**
 * qmp_greet() - send the QMP greeting
 * @c:		the new client
 */
static void qmp_greet(struct mon_client *c)
{
	unsigned int maj = 0, min = 0, mic = 0;

	sscanf(QNET_VERSION, "%u.%u.%u", &maj, &min, &mic);
	mon_client_printf(c, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": %u, "
			  "\"minor\": %u, \"major\": %u}, \"package\": \"qnet "
			  QNET_VERSION "\"}, \"capabilities\": []}}\n",
			  mic, min, maj);
}

/**
 * mon_qmp_event() - format a QMP event for mon_server_broadcast()
 * @out:	the event text, one line
 * @name:	event name (NETDEV_STREAM_CONNECTED, ...)
 * @data:	event data object (consumed; NULL for none)
 *
 * Return: 0, or -ENOMEM
 */
int mon_qmp_event(struct strbuf *out, const char *name, struct json_value *data)
{
	struct json_value *ev = json_new_object(), *ts = json_new_object();
	struct timeval tv;
	int ret;

	gettimeofday(&tv, NULL);
	json_object_set(ts, "seconds", json_new_int(tv.tv_sec));
	json_object_set(ts, "microseconds", json_new_int(tv.tv_usec));
	json_object_set(ev, "timestamp", ts);
	json_object_set(ev, "event", json_new_string(name));
	if (data)
		json_object_set(ev, "data", data);
	ret = json_write(ev, out);
	strbuf_putc(out, '\n');
	json_free(ev);
	return ret;
}

/**
 * struct qmp_bcast - an event on its way to the clients of one server
 * @text:	the event, one line
 * @len:	its length
 */
struct qmp_bcast {
	const char *text;
	size_t len;
};

static void qmp_bcast_one(struct mon_client *c, void *arg)
{
	const struct qmp_bcast *b = arg;
	const struct qmp_state *st = mon_client_state(c);

	if (mon_client_proto(c) == MON_QMP && st->negotiated)
		mon_client_write(c, b->text, b->len);
}

/**
 * mon_qmp_broadcast() - send an event to a server's negotiated QMP clients
 * @s:		a monitor server (HMP servers are skipped)
 * @text:	the event text (from mon_qmp_event())
 * @len:	its length
 */
void mon_qmp_broadcast(struct mon_server *s, const char *text, size_t len)
{
	struct qmp_bcast b = { .text = text, .len = len };

	mon_server_foreach(s, qmp_bcast_one, &b);
}

const struct mon_handler mon_qmp_handler = {
	.greet = qmp_greet,
	.message = qmp_message,
};
