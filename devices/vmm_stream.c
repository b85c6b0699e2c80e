// SPDX-License-Identifier: GPL-2.0-or-later
/* vmm_stream.c: the attach= transport: parse, print the QEMU side, serve one VM connection. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "devices/vmm_stream.h"

/**
 * struct vmm_stream - an open attachment point
 * @link:	the stream link doing the work
 * @cfg:	what it was opened with
 * @notify:	the owner's event callback
 */
struct vmm_stream {
	struct stream_link *link;
	struct vmm_stream_config cfg;
	struct vmm_stream_notify notify;
};

/**
 * parse_fd() - a file descriptor number
 * @s:		decimal digits
 * @fd:		set to the number
 * @why:	set to the reason on error
 *
 * Return: 0, or -EINVAL.
 */
static int parse_fd(const char *s, int *fd, const char **why)
{
	long v = 0;
	const char *p;

	for (p = s; *p && v <= 1000000; p++) {
		if (*p < '0' || *p > '9')
			break;
		v = v * 10 + (*p - '0');
	}
	if (!*s || *p) {
		*why = "fd must be a decimal number";
		return -EINVAL;
	}
	*fd = (int)v;
	return 0;
}

/**
 * parse_inet() - HOST:PORT or [V6]:PORT, with a reason for each failure
 * @s:		the text
 * @a:		filled in
 * @why:	set to the reason on error
 *
 * Return: 0, -EINVAL or -ENAMETOOLONG.
 */
static int parse_inet(const char *s, struct stream_addr *a, const char **why)
{
	const char *colon = strrchr(s, ':');
	int ret;

	if (!colon) {
		*why = "inet address needs HOST:PORT";
		return -EINVAL;
	}
	if (*s != '[' && memchr(s, ':', (size_t)(colon - s))) {
		*why = "IPv6 address needs brackets, as in inet:[::1]:5555";
		return -EINVAL;
	}
	if (*s == '[' && (colon == s || colon[-1] != ']')) {
		*why = "unclosed bracket in IPv6 address";
		return -EINVAL;
	}
	ret = stream_addr_parse_inet(a, s);
	if (ret == -ENAMETOOLONG)
		*why = "host name too long";
	else if (ret)
		*why = "port must be a number from 0 to 65535";
	return ret;
}

/**
 * parse_one() - one address of type @type
 * @type:	"unix", "inet" or "fd" (known to the caller)
 * @s:		the address text after the type
 * @a:		filled in
 * @why:	set to the reason on error
 *
 * Return: 0, -EINVAL or -ENAMETOOLONG.
 */
static int parse_one(enum stream_addr_type type, const char *s,
		     struct stream_addr *a, const char **why)
{
	int ret, fd;

	switch (type) {
	case STREAM_ADDR_UNIX:
		ret = stream_addr_unix(a, s);
		if (ret == -ENAMETOOLONG)
			*why = "unix path longer than 107 bytes";
		else if (ret)
			*why = "empty unix path";
		return ret;
	case STREAM_ADDR_INET:
		return parse_inet(s, a, why);
	default:
		ret = parse_fd(s, &fd, why);
		if (ret)
			return ret;
		memset(a, 0, sizeof(*a));
		a->type = STREAM_ADDR_FD;
		a->fd = fd;
		return 0;
	}
}

/**
 * parse_type() - the address type prefix
 * @s:		text starting with "unix:", "inet:" or "fd:"
 * @type:	set to the type
 * @why:	set to the reason on error
 *
 * Return: the text after the prefix, or NULL.
 */
static const char *parse_type(const char *s, enum stream_addr_type *type,
			      const char **why)
{
	static const char *const names[] = {
		[STREAM_ADDR_UNIX] = "unix:",
		[STREAM_ADDR_INET] = "inet:",
		[STREAM_ADDR_FD] = "fd:",
	};
	unsigned int t;

	for (t = 0; t < STREAM_ADDR_TYPE_COUNT; t++) {
		if (!strncmp(s, names[t], strlen(names[t]))) {
			*type = (enum stream_addr_type)t;
			return s + strlen(names[t]);
		}
	}
	*why = "address type must be unix:, inet: or fd:";
	return NULL;
}

/**
 * parse_dgram() - LOCAL@REMOTE of one type (or an fd alone)
 * @type:	the address type
 * @s:		the text after the type
 * @cfg:	filled in
 * @why:	set to the reason on error
 *
 * Return: 0, -EINVAL or -ENAMETOOLONG.
 */
static int parse_dgram(enum stream_addr_type type, const char *s,
		       struct vmm_stream_config *cfg, const char **why)
{
	char local[STREAM_ADDR_STR_MAX];
	const char *at = strchr(s, '@');
	size_t n = at ? (size_t)(at - s) : strlen(s);
	int ret;

	if (type == STREAM_ADDR_FD && !at)
		return parse_one(type, s, &cfg->addr, why);
	if (!at || type == STREAM_ADDR_FD) {
		*why = at ? "a dgram fd takes no second address"
			  : "dgram needs QNET_ADDRESS@VMM_ADDRESS";
		return -EINVAL;
	}
	if (n >= sizeof(local)) {
		*why = "address too long";
		return -ENAMETOOLONG;
	}
	memcpy(local, s, n);
	local[n] = '\0';
	ret = parse_one(type, local, &cfg->addr, why);
	if (!ret)
		ret = parse_one(type, at + 1, &cfg->remote, why);
	if (ret)
		return ret;
	cfg->has_remote = true;
	if (type == STREAM_ADDR_INET &&
	    (!cfg->remote.host[0] || !cfg->remote.port)) {
		*why = "the VMM's address needs a host and a port";
		return -EINVAL;
	}
	return 0;
}

/**
 * vmm_stream_parse() - parse the value of attach= (see DOC: attach= grammar)
 * @spec:	the value, with ",," already turned into ","
 * @cfg:	filled in (max_len and bufsize at their defaults, 0)
 * @why:	set to a sentence saying what is wrong, on error
 *
 * Pure: no system call, nothing is opened.
 *
 * Return: 0, -EINVAL for a malformed value, -ENAMETOOLONG for a path or
 * host that does not fit.
 */
int vmm_stream_parse(const char *spec, struct vmm_stream_config *cfg,
		     const char **why)
{
	enum stream_addr_type type;
	const char *rest;

	memset(cfg, 0, sizeof(*cfg));
	cfg->addr.fd = cfg->remote.fd = -1;
	if (!strncmp(spec, "stream:", 7)) {
		cfg->transport = VMM_STREAM_STREAM;
		rest = spec + 7;
	} else if (!strncmp(spec, "dgram:", 6)) {
		cfg->transport = VMM_STREAM_DGRAM;
		rest = spec + 6;
	} else {
		*why = "attach= must start with stream: or dgram:";
		return -EINVAL;
	}
	rest = parse_type(rest, &type, why);
	if (!rest)
		return -EINVAL;
	if (cfg->transport == VMM_STREAM_DGRAM)
		return parse_dgram(type, rest, cfg, why);
	return parse_one(type, rest, &cfg->addr, why);
}

/**
 * struct sbuf - a bounded string being built
 * @p:		the buffer
 * @size:	its size
 * @len:	bytes written so far (may exceed @size: truncated)
 */
struct sbuf {
	char *p;
	size_t size;
	size_t len;
};

/**
 * sb_printf() - append formatted text
 * @b:		the buffer
 * @fmt:	printf format
 */
static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->len < b->size ? b->p + b->len : NULL,
		      b->len < b->size ? b->size - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/**
 * sb_opt() - append an option value, doubling commas as QemuOpts wants
 * @b:	the buffer
 * @s:	the value
 */
static void sb_opt(struct sbuf *b, const char *s)
{
	for (; *s; s++)
		sb_printf(b, *s == ',' ? ",," : "%c", *s);
}

/**
 * sb_end() - finish a string
 * @b:	the buffer
 *
 * Return: 0, or -ENOSPC when it was truncated.
 */
static int sb_end(const struct sbuf *b)
{
	return b->len < b->size ? 0 : -ENOSPC;
}

/**
 * sb_inet() - HOST:PORT (IPv6 in brackets)
 * @b:	the buffer
 * @a:	inet address
 */
static void sb_inet(struct sbuf *b, const struct stream_addr *a)
{
	sb_printf(b, strchr(a->host, ':') ? "[%s]:%u" : "%s:%u", a->host,
		  a->port);
}

/**
 * sb_addr() - TYPE:ADDRESS in attach= spelling, or the bare address
 * @b:		the buffer
 * @a:		the address
 * @type:	prefix the type
 */
static void sb_addr(struct sbuf *b, const struct stream_addr *a, bool type)
{
	static const char *const names[] = { "unix:", "inet:", "fd:" };

	if (type)
		sb_printf(b, "%s", names[a->type]);
	if (a->type == STREAM_ADDR_UNIX)
		sb_printf(b, "%s", a->path);
	else if (a->type == STREAM_ADDR_INET)
		sb_inet(b, a);
	else
		sb_printf(b, "%d", a->fd);
}

/**
 * vmm_stream_format() - print a configuration back in attach= spelling
 * @cfg:	the configuration
 * @buf:	destination
 * @size:	its size
 *
 * Return: 0, -EINVAL for a bad configuration, -ENOSPC when truncated.
 */
int vmm_stream_format(const struct vmm_stream_config *cfg, char *buf,
		      size_t size)
{
	struct sbuf b = { buf, size, 0 };

	if ((unsigned int)cfg->transport >= VMM_STREAM_TRANSPORT_COUNT ||
	    (unsigned int)cfg->addr.type >= STREAM_ADDR_TYPE_COUNT)
		return -EINVAL;
	sb_printf(&b, "%s",
		  cfg->transport == VMM_STREAM_STREAM ? "stream:" : "dgram:");
	sb_addr(&b, &cfg->addr, true);
	if (cfg->transport == VMM_STREAM_DGRAM && cfg->has_remote) {
		sb_printf(&b, "@");
		sb_addr(&b, &cfg->remote, false);
	}
	return sb_end(&b);
}

/**
 * reach() - the address a VMM uses to reach a qnet address: a wildcard
 * host becomes the loopback address of its family
 * @a:	qnet's address
 *
 * Return: a copy, with the host filled in.
 */
static struct stream_addr reach(const struct stream_addr *a)
{
	struct stream_addr r = *a;

	if (r.type != STREAM_ADDR_INET)
		return r;
	if (!r.host[0] || !strcmp(r.host, "0.0.0.0"))
		strcpy(r.host, "127.0.0.1");
	else if (!strcmp(r.host, "::"))
		strcpy(r.host, "::1");
	return r;
}

/**
 * sb_saddr() - PREFIX.type=...,PREFIX.path|host|port|str=... (QEMU's
 * SocketAddress as dotted keys)
 * @b:		the buffer
 * @pre:	"addr", "local" or "remote"
 * @a:		the address
 * @vmm_fd:	the VMM's fd, for an fd address
 */
static void sb_saddr(struct sbuf *b, const char *pre,
		     const struct stream_addr *a, int vmm_fd)
{
	if (a->type == STREAM_ADDR_UNIX) {
		sb_printf(b, ",%s.type=unix,%s.path=", pre, pre);
		sb_opt(b, a->path);
	} else if (a->type == STREAM_ADDR_INET) {
		sb_printf(b, ",%s.type=inet,%s.host=", pre, pre);
		sb_opt(b, a->host);
		sb_printf(b, ",%s.port=%u", pre, a->port);
	} else {
		sb_printf(b, ",%s.type=fd,%s.str=%d", pre, pre, vmm_fd);
	}
}

/**
 * qemu_legacy() - the -netdev socket spelling
 * @b:		the buffer, "socket,id=ID" written
 * @cfg:	the configuration
 * @vmm_fd:	the VMM's fd, for an fd address
 *
 * Return: 0, or -EAFNOSUPPORT for unix addresses (socket has none).
 */
static int qemu_legacy(struct sbuf *b, const struct vmm_stream_config *cfg,
		       int vmm_fd)
{
	struct stream_addr local = reach(&cfg->addr);

	if (cfg->addr.type == STREAM_ADDR_UNIX)
		return -EAFNOSUPPORT;
	if (cfg->addr.type == STREAM_ADDR_FD) {
		sb_printf(b, ",fd=%d", vmm_fd);
		return 0;
	}
	sb_printf(b, cfg->transport == VMM_STREAM_STREAM ? ",connect="
							 : ",udp=");
	sb_inet(b, &local);
	if (cfg->transport == VMM_STREAM_DGRAM) {
		sb_printf(b, ",localaddr=");
		sb_inet(b, &cfg->remote);
	}
	return 0;
}

/**
 * vmm_stream_qemu_netdev() - the -netdev option value a VMM needs to
 * attach to this configuration (without "-netdev "; pair it with
 * "-device MODEL,netdev=ID")
 * @cfg:	the configuration (a port of 0 prints as 0: use
 *		vmm_stream_qemu_args() on the open transport instead)
 * @flavour:	-netdev stream/dgram, or legacy -netdev socket
 * @id:		the netdev id to print
 * @vmm_fd:	for an fd configuration, the VMM's end of the socket pair
 * @buf:	destination
 * @size:	its size
 *
 * A wildcard listening host is printed as the loopback address.
 *
 * Return: 0; -EINVAL for a bad argument (an fd configuration needs
 * @vmm_fd >= 0); -EAFNOSUPPORT for unix with the legacy flavour; -ENOSPC
 * when truncated.
 */
int vmm_stream_qemu_netdev(const struct vmm_stream_config *cfg,
			   enum vmm_stream_flavour flavour, const char *id,
			   int vmm_fd, char *buf, size_t size)
{
	struct sbuf b = { buf, size, 0 };
	struct stream_addr local;
	int ret;

	if (!id || !*id || (unsigned int)flavour >= VMM_STREAM_FLAVOUR_COUNT ||
	    (unsigned int)cfg->transport >= VMM_STREAM_TRANSPORT_COUNT ||
	    (cfg->addr.type == STREAM_ADDR_FD && vmm_fd < 0))
		return -EINVAL;
	local = reach(&cfg->addr);
	if (flavour == VMM_STREAM_QEMU_SOCKET) {
		sb_printf(&b, "socket,id=");
		sb_opt(&b, id);
		ret = qemu_legacy(&b, cfg, vmm_fd);
		return ret ? ret : sb_end(&b);
	}
	sb_printf(&b, "%s,id=",
		  cfg->transport == VMM_STREAM_STREAM ? "stream" : "dgram");
	sb_opt(&b, id);
	if (cfg->transport == VMM_STREAM_STREAM) {
		sb_printf(&b, ",server=off");
		sb_saddr(&b, "addr", &local, vmm_fd);
	} else if (cfg->addr.type == STREAM_ADDR_FD) {
		sb_saddr(&b, "local", &local, vmm_fd);
	} else {
		if (!cfg->has_remote)
			return -EINVAL;
		sb_saddr(&b, "local", &cfg->remote, vmm_fd);
		sb_saddr(&b, "remote", &local, vmm_fd);
	}
	return sb_end(&b);
}

/* Forward link events to the owner; free on the last one. */
static void vs_event(struct stream_link *l, enum stream_link_event ev,
		     void *arg)
{
	struct vmm_stream *vs = arg;

	if (vs->notify.event)
		vs->notify.event(vs, ev, vs->notify.arg);
	if (ev == STREAM_LINK_EV_CLOSED)
		free(vs);
}

/**
 * link_config() - the stream link configuration for an attachment
 * @cfg:	the attachment
 * @lc:		filled in
 *
 * Return: 0, or -errno when an inherited fd cannot be inspected.
 */
static int link_config(const struct vmm_stream_config *cfg,
		       struct stream_link_config *lc)
{
	int listening = 0;
	socklen_t len = sizeof(listening);

	memset(lc, 0, sizeof(*lc));
	lc->kind = PORT_NIC;
	lc->extra = STREAM_LINK_EXTRA_REFUSE;
	lc->max_len = cfg->max_len;
	lc->bufsize = cfg->bufsize;
	lc->addr = cfg->addr;
	if (cfg->transport == VMM_STREAM_DGRAM) {
		lc->mode = STREAM_LINK_DGRAM;
		lc->has_local = true;
		lc->remote = cfg->remote;
		lc->has_remote = cfg->has_remote;
		return 0;
	}
	lc->mode = STREAM_LINK_LISTEN;
	if (cfg->addr.type != STREAM_ADDR_FD)
		return 0;
	if (getsockopt(cfg->addr.fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		       &len))
		return -errno;
	if (!listening)
		lc->mode = STREAM_LINK_CONNECT;
	return 0;
}

/**
 * vmm_stream_open() - listen (or bind) where a VMM will attach
 * @out:	set to the transport
 * @cfg:	what attach= said (copied)
 * @loop:	the loop it runs on (its thread)
 * @name:	port name (the NIC's, e.g. "e1000.0")
 * @notify:	event callback, or NULL
 *
 * The port (a PORT_NIC) is link down until a VM connects; one VM at a
 * time, a second connection is refused and counted, and a VM that
 * reconnects is served again. An inherited fd becomes qnet's.
 *
 * Return: 0, or stream_link_open()'s error.
 */
int vmm_stream_open(struct vmm_stream **out,
		    const struct vmm_stream_config *cfg, struct uloop *loop,
		    const char *name, const struct vmm_stream_notify *notify)
{
	struct stream_link_notify ln = { vs_event, NULL };
	struct stream_link_config lc;
	struct vmm_stream *vs;
	int ret;

	if (!out || !cfg || (unsigned int)cfg->transport >=
				     VMM_STREAM_TRANSPORT_COUNT)
		return -EINVAL;
	ret = link_config(cfg, &lc);
	if (ret)
		return ret;
	vs = calloc(1, sizeof(*vs));
	if (!vs)
		return -ENOMEM;
	vs->cfg = *cfg;
	if (notify)
		vs->notify = *notify;
	ln.arg = vs;
	*out = vs;
	ret = stream_link_open(&vs->link, &lc, loop, name, &ln);
	if (ret) {
		free(vs);
		*out = NULL;
	}
	return ret;
}

/**
 * vmm_stream_close() - stop serving: the port is disconnected now, the VM
 * connection shut down, qnet's unix socket file removed; the transport is
 * freed once idle (after STREAM_LINK_EV_CLOSED reaches the notify hook)
 * @vs:	the transport (NULL: nothing)
 */
void vmm_stream_close(struct vmm_stream *vs)
{
	if (vs)
		stream_link_close(vs->link);
}

/**
 * vmm_stream_port() - the port that stands for the VM's NIC
 * @vs:	the transport
 *
 * Return: the port; connect it to a netdev's port.
 */
struct port *vmm_stream_port(struct vmm_stream *vs)
{
	return stream_link_port(vs->link);
}

/**
 * vmm_stream_connected() - whether a VM is attached
 * @vs:	the transport
 *
 * Return: true while a VM connection is up (dgram: always).
 */
bool vmm_stream_connected(const struct vmm_stream *vs)
{
	return stream_link_connected(vs->link);
}

/**
 * vmm_stream_bad_length() - connections reset for a bogus length prefix
 * @vs:	the transport
 *
 * Return: the count.
 */
uint64_t vmm_stream_bad_length(const struct vmm_stream *vs)
{
	return stream_link_stats(vs->link)->bad_length;
}

/**
 * vmm_stream_refused() - second connections refused
 * @vs:	the transport
 *
 * Return: the count.
 */
uint64_t vmm_stream_refused(const struct vmm_stream *vs)
{
	return stream_link_stats(vs->link)->refused;
}

/**
 * vmm_stream_stats() - all counters of the transport
 * @vs:	the transport
 *
 * Return: the live counters (loop thread only).
 */
const struct stream_link_stats *vmm_stream_stats(const struct vmm_stream *vs)
{
	return stream_link_stats(vs->link);
}

/**
 * vmm_stream_info() - `info network` text, QEMU's words (see
 * stream_link_info())
 * @vs:		the transport
 * @buf:	destination
 * @size:	its size
 *
 * Return: 0, or -ENOSPC.
 */
int vmm_stream_info(const struct vmm_stream *vs, char *buf, size_t size)
{
	return stream_link_info(vs->link, buf, size);
}

/**
 * vmm_stream_peer() - the attached VM's address, for
 * NETDEV_STREAM_CONNECTED
 * @vs:		the transport
 * @peer:	filled in
 *
 * Return: 0, or -ENOTCONN.
 */
int vmm_stream_peer(const struct vmm_stream *vs, struct stream_addr *peer)
{
	return stream_link_peer(vs->link, peer);
}

/**
 * vmm_stream_qemu_args() - the -netdev value a VMM needs to attach to this
 * open transport (a port 0 replaced by the port the kernel chose)
 * @vs:		the transport
 * @flavour:	-netdev stream/dgram, or legacy -netdev socket
 * @id:		the netdev id to print
 * @vmm_fd:	for an fd attachment, the VMM's end of the pair
 * @buf:	destination
 * @size:	its size
 *
 * Return: as vmm_stream_qemu_netdev().
 */
int vmm_stream_qemu_args(const struct vmm_stream *vs,
			 enum vmm_stream_flavour flavour, const char *id,
			 int vmm_fd, char *buf, size_t size)
{
	struct vmm_stream_config cfg = vs->cfg;
	struct stream_addr local;

	if (cfg.addr.type == STREAM_ADDR_INET &&
	    !stream_link_local(vs->link, &local))
		cfg.addr.port = local.port;
	return vmm_stream_qemu_netdev(&cfg, flavour, id, vmm_fd, buf, size);
}

/**
 * vmm_stream_set_link() - set_link on the VM's NIC port: kept apart from
 * the connection state (the port is up iff a VM is attached and the user
 * left the link up)
 * @vs:	the transport
 * @up:	true for up
 */
void vmm_stream_set_link(struct vmm_stream *vs, bool up)
{
	stream_link_set_link(vs->link, up);
}
