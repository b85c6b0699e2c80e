// SPDX-License-Identifier: GPL-2.0-or-later
/* rt_be_stream.c: -netdev stream, dgram and socket opened from netconf's options, with QEMU's texts. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/dgram.h"
#include "backends/socket.h"
#include "backends/stream.h"
#include "ctl/rt_be.h"
#include "ctl/rt_be_addr.h"

/**
 * DOC: stream, dgram and socket netdevs
 *
 * Options come from netconf as QAPI shapes (`addr`, `local`, `remote`
 * are SocketAddress objects; socket's are HOST:PORT strings) and become
 * the backends' typed configurations. What QEMU 7.2 checks when it opens
 * these netdevs is checked here, with its texts: `can't resolve host
 * address 'X'`, `can't bind ip=A to socket: ...`, `port number 'X' is
 * invalid`, `ID: Can't use file descriptor N: ...`, and for stream the
 * texts of QEMU's socket layer (`address resolution failed for H:P: ...`,
 * `Failed to bind socket: ...`, `Failed to connect to 'H:P': ...`).
 *
 * Clients: a stream client without `reconnect` and a socket `connect=`
 * connect while the netdev opens (at most 2 s). A refused or impossible
 * connection is an error naming the option, where QEMU 7.2 starts anyway
 * with a dead link; a connection still pending after 2 s goes on in the
 * background, as in QEMU. With `reconnect` (QEMU 8.0+) the client always
 * connects in the background and retries.
 *
 * Stream netdevs report QMP NETDEV_STREAM_CONNECTED (with the peer's
 * SocketAddress) and NETDEV_STREAM_DISCONNECTED, through rt_be_event().
 * Links free themselves after close (STREAM_LINK_EV_CLOSED); until then
 * they count as pending for rt_be_drain().
 */

/**
 * struct rt_be_link - one opened stream, dgram or socket netdev
 * @link:	the stream link
 * @id:		the netdev id (events outlive the netconf object)
 * @stream:	a -netdev stream (reports NETDEV_STREAM_* events)
 * @is_socket:	a -netdev socket (@sock is its configuration as given)
 * @sock:	socket options, for socket_info()
 * @peer:	a client connected while opening: where it connected
 * @has_peer:	@peer is set
 */
struct rt_be_link {
	struct stream_link *link;
	char *id;
	bool stream;
	bool is_socket;
	struct socket_config sock;
	struct stream_addr peer;
	bool has_peer;
};

/**
 * rt_be_link_event() - a stream link's connection events (worker)
 * @l:		the link
 * @ev:		what happened
 * @arg:	struct rt_be_link
 */
static void rt_be_link_event(struct stream_link *l, enum stream_link_event ev,
			     void *arg)
{
	struct rt_be_link *w = arg;
	struct json_value *data;
	struct stream_addr peer;

	if (ev == STREAM_LINK_EV_CLOSED) {
		free(w->id);
		free(w);
		rt_be_pending(-1);
		return;
	}
	if (!w->stream || (ev != STREAM_LINK_EV_CONNECTED &&
			   ev != STREAM_LINK_EV_DISCONNECTED))
		return;
	data = json_new_object();
	if (!data)
		return;
	json_object_set(data, "netdev-id", json_new_string(w->id));
	if (ev == STREAM_LINK_EV_CONNECTED) {
		if (w->has_peer)
			peer = w->peer;
		else if (stream_link_peer(l, &peer))
			memset(&peer, 0, sizeof(peer));
		json_object_set(data, "addr", rt_be_addr_json(&peer));
	}
	rt_be_event(ev == STREAM_LINK_EV_CONNECTED ?
		    "NETDEV_STREAM_CONNECTED" : "NETDEV_STREAM_DISCONNECTED",
		    data);
}

/**
 * rt_be_link_new() - the adapter object of a netdev being opened
 * @rt:		runtime
 * @rn:		the netdev
 *
 * Return: the object, or NULL without memory
 */
static struct rt_be_link *rt_be_link_new(struct rt *rt,
					 const struct rt_netdev *rn)
{
	struct rt_be_link *w = calloc(1, sizeof(*w));

	if (w && !(w->id = strdup(rn->nd->id))) {
		free(w);
		return NULL;
	}
	rt_be_attach(rt);
	return w;
}

/**
 * rt_be_link_done() - finish opening: keep the link, or undo
 * @rn:		the netdev
 * @w:		its adapter object
 * @ret:	the backend's open result
 * @own_fd:	an fd the adapter connected (closed on failure), or -1
 *
 * Return: @ret
 */
static int rt_be_link_done(struct rt_netdev *rn, struct rt_be_link *w,
			   int ret, int own_fd)
{
	if (ret) {
		if (own_fd >= 0)
			close(own_fd);
		free(w->id);
		free(w);
		return ret;
	}
	rn->obj = w;
	rn->port = stream_link_port(w->link);
	rt_be_pending(1);
	return 0;
}

/**
 * rt_be_addr_text() - an address as QEMU's socket layer quotes it
 * @a:		unix or inet address
 * @buf:	"HOST:PORT" or the path
 * @size:	its size
 */
static void rt_be_addr_text(const struct stream_addr *a, char *buf,
			    size_t size)
{
	if (a->type == STREAM_ADDR_UNIX)
		snprintf(buf, size, "%s", a->path);
	else
		snprintf(buf, size, "%s:%u", a->host, a->port);
}

/**
 * rt_be_stream_reconnect() - reconnect= (seconds) or reconnect-ms=
 * @o:		the netdev's options
 * @ms:		set to the delay in ms (0: never)
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_stream_reconnect(const struct json_value *o, uint32_t *ms,
				  struct strbuf *err)
{
	uint64_t v;

	if (json_object_get(o, "reconnect") &&
	    json_object_get(o, "reconnect-ms")) {
		strbuf_puts(err, "'reconnect' and 'reconnect-ms' are mutually "
			    "exclusive");
		return -EINVAL;
	}
	v = netconf_opt_uint(o, "reconnect", 0) * 1000;
	if (json_object_get(o, "reconnect-ms"))
		v = netconf_opt_uint(o, "reconnect-ms", 0);
	*ms = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	return 0;
}

/**
 * rt_be_stream_check() - what QEMU (or qnet) refuses before opening
 * @cfg:	the configuration
 * @err:	the text
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_stream_check(const struct stream_config *cfg,
			      struct strbuf *err)
{
	const struct stream_addr *a = &cfg->addr;
	const char *why;
	bool listening;
	char host[64];
	int type;

	if (stream_check(cfg, &why)) {
		strbuf_puts(err, why);
		return -EINVAL;
	}
	if (a->type == STREAM_ADDR_INET && (a->host[0] || !cfg->server) &&
	    rt_be_numeric(a, SOCK_STREAM, host, sizeof(host), &why)) {
		strbuf_printf(err, "address resolution failed for %s:%u: %s",
			      a->host, a->port, why);
		return -EINVAL;
	}
	if (a->type != STREAM_ADDR_FD)
		return 0;
	type = rt_be_fd_type(a->fd, &listening);
	if (type != SOCK_STREAM) {
		strbuf_printf(err, "File descriptor '%d' is not a %ssocket",
			      a->fd, type < 0 ? "" : "stream ");
		return -EINVAL;
	}
	if (cfg->server != listening) {
		strbuf_printf(err, "File descriptor '%d' is %s listening "
			      "socket%s", a->fd, listening ? "a" : "not a",
			      listening ? ": use server=on" : "");
		return -EINVAL;
	}
	return 0;
}

/**
 * rt_be_stream_open() - open a -netdev stream (worker)
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno with the text in @err
 */
int rt_be_stream_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		      struct strbuf *err)
{
	const struct json_value *o = rn->nd->opts;
	struct stream_link_notify notify = { .event = rt_be_link_event };
	struct stream_config cfg;
	struct rt_be_link *w;
	char text[STREAM_ADDR_STR_MAX];
	int ret, fd = -1;

	memset(&cfg, 0, sizeof(cfg));
	ret = rt_be_sockaddr(json_object_get(o, "addr"), "addr", &cfg.addr,
			     err);
	cfg.server = netconf_opt_bool(o, "server", false);
	if (!ret)
		ret = rt_be_stream_reconnect(o, &cfg.reconnect_ms, err);
	if (!ret)
		ret = rt_be_stream_check(&cfg, err);
	if (ret)
		return ret;
	w = rt_be_link_new(rt, rn);
	if (!w)
		return -ENOMEM;
	w->stream = true;
	notify.arg = w;
	rt_be_addr_text(&cfg.addr, text, sizeof(text));
	if (!cfg.server && !cfg.reconnect_ms && cfg.addr.type != STREAM_ADDR_FD) {
		ret = rt_be_connect_now(&cfg.addr, &fd);
		if (!ret) {
			w->peer = cfg.addr;
			w->has_peer = true;
			cfg.addr.type = STREAM_ADDR_FD;
			cfg.addr.fd = fd;
		} else if (ret != -EINPROGRESS) {
			strbuf_printf(err, "Failed to connect to '%s': %s",
				      text, strerror(-ret));
			return rt_be_link_done(rn, w, ret, -1);
		}
	}
	ret = stream_open(&w->link, &cfg, loop, rn->nd->id, &notify);
	if (ret && cfg.server && cfg.addr.type == STREAM_ADDR_UNIX)
		strbuf_printf(err, "Failed to bind socket to %s: %s", text,
			      strerror(-ret));
	else if (ret && cfg.server && cfg.addr.type == STREAM_ADDR_INET)
		strbuf_printf(err, "Failed to bind socket: %s", strerror(-ret));
	else if (ret)
		strbuf_puts(err, strerror(-ret));
	return rt_be_link_done(rn, w, ret, fd);
}

/**
 * rt_be_bind_text() - QEMU's text for a datagram socket that failed to
 *	open (dgram, socket udp=/mcast=)
 * @local:	the local address
 * @has_local:	@local is given
 * @remote:	the remote address (a multicast group or the peer)
 * @mcast:	@remote is a multicast group
 * @ret:	the -errno
 * @err:	the text
 */
static void rt_be_bind_text(const struct stream_addr *local, bool has_local,
			    const struct stream_addr *remote, bool mcast,
			    int ret, struct strbuf *err)
{
	char ip[STREAM_ADDR_HOST_MAX];

	if (mcast && (ret == -ENODEV || ret == -EADDRNOTAVAIL)) {
		strbuf_printf(err, "can't add socket to multicast group %s: %s",
			      remote->host, strerror(-ret));
	} else if (has_local && local->type == STREAM_ADDR_UNIX) {
		strbuf_printf(err, "can't bind unix=%s to socket: %s",
			      local->path, strerror(-ret));
	} else if ((has_local && local->type == STREAM_ADDR_INET) || mcast) {
		if (rt_be_numeric(mcast ? remote : local, SOCK_DGRAM, ip,
				  sizeof(ip), NULL))
			snprintf(ip, sizeof(ip), "%s", local->host);
		strbuf_printf(err, "can't bind ip=%s to socket: %s", ip,
			      strerror(-ret));
	} else {
		strbuf_puts(err, strerror(-ret));
	}
}

/**
 * rt_be_resolve_check() - "can't resolve host address" for an inet host
 * @a:		the address
 * @err:	the text
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_resolve_check(const struct stream_addr *a, struct strbuf *err)
{
	char ip[64];

	if (a->type != STREAM_ADDR_INET || !a->host[0] ||
	    !rt_be_numeric(a, SOCK_DGRAM, ip, sizeof(ip), NULL))
		return 0;
	strbuf_printf(err, "can't resolve host address '%s'", a->host);
	return -EINVAL;
}

/**
 * rt_be_dgram_fd_check() - a local.type=fd must be a datagram socket
 * @rn:		the netdev
 * @fd:		the fd
 * @err:	QEMU's text
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_dgram_fd_check(const struct rt_netdev *rn, int fd,
				struct strbuf *err)
{
	int type = rt_be_fd_type(fd, NULL);

	if (type == -EBADF)
		strbuf_printf(err, "%s: Can't use file descriptor %d: %s",
			      rn->nd->id, fd, strerror(EBADF));
	else if (type < 0)
		strbuf_printf(err, "Unable to query local socket address: %s",
			      strerror(-type));
	else if (type != SOCK_DGRAM)
		strbuf_printf(err, "File descriptor '%d' is not a datagram "
			      "socket", fd);
	return type == SOCK_DGRAM ? 0 : -EINVAL;
}

/**
 * rt_be_dgram_config() - local.* and remote.* as a struct dgram_config
 * @rn:		the netdev
 * @cfg:	filled
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_dgram_config(const struct rt_netdev *rn,
			      struct dgram_config *cfg, struct strbuf *err)
{
	const struct json_value *l = json_object_get(rn->nd->opts, "local");
	const struct json_value *r = json_object_get(rn->nd->opts, "remote");
	const char *why;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->local.fd = cfg->remote.fd = -1;
	cfg->has_local = l != NULL;
	cfg->has_remote = r != NULL;
	if (l)
		ret = rt_be_sockaddr(l, "local", &cfg->local, err);
	if (!ret && r)
		ret = rt_be_sockaddr(r, "remote", &cfg->remote, err);
	if (ret)
		return ret;
	if (dgram_check(cfg, &why)) {
		strbuf_puts(err, why);
		return -EINVAL;
	}
	if (cfg->has_local && cfg->local.type == STREAM_ADDR_FD)
		return rt_be_dgram_fd_check(rn, cfg->local.fd, err);
	if (cfg->has_local && rt_be_resolve_check(&cfg->local, err))
		return -EINVAL;
	if (cfg->has_remote && rt_be_resolve_check(&cfg->remote, err))
		return -EINVAL;
	return 0;
}

/**
 * rt_be_dgram_open() - open a -netdev dgram (worker)
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno with the text in @err
 */
int rt_be_dgram_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		     struct strbuf *err)
{
	struct stream_link_notify notify = { .event = rt_be_link_event };
	struct dgram_config cfg;
	struct rt_be_link *w;
	int ret;

	ret = rt_be_dgram_config(rn, &cfg, err);
	if (ret)
		return ret;
	w = rt_be_link_new(rt, rn);
	if (!w)
		return -ENOMEM;
	notify.arg = w;
	ret = dgram_open(&w->link, &cfg, loop, rn->nd->id, &notify);
	if (ret)
		rt_be_bind_text(&cfg.local, cfg.has_local, &cfg.remote,
				cfg.has_remote && dgram_is_mcast(&cfg.remote),
				ret, err);
	return rt_be_link_done(rn, w, ret, -1);
}

/**
 * rt_be_socket_fd() - fd=: what kind of socket QEMU would take it as
 * @rn:		the netdev
 * @s:		the option text
 * @cfg:	set to SOCKET_FD with the fd
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_socket_fd(const struct rt_netdev *rn, const char *s,
			   struct socket_config *cfg, struct strbuf *err)
{
	int type;

	if (rt_be_parse_fd(s, &cfg->fd, err))
		return -EINVAL;
	cfg->mode = SOCKET_FD;
	type = rt_be_fd_type(cfg->fd, NULL);
	if (type == SOCK_STREAM || type == SOCK_DGRAM)
		return 0;
	if (type == -EBADF)
		strbuf_printf(err, "%s: Can't use file descriptor %d: %s",
			      rn->nd->id, cfg->fd, strerror(EBADF));
	else if (type < 0)
		strbuf_puts(err, "can't get socket option SO_TYPE");
	else
		strbuf_printf(err, "socket type=%d for fd=%d must be either "
			      "SOCK_DGRAM or SOCK_STREAM", type, cfg->fd);
	return -EINVAL;
}

/**
 * rt_be_socket_mcast() - mcast=GROUP:PORT[,localaddr=ADDR] checks
 * @cfg:	the configuration, @cfg->addr parsed
 * @local:	localaddr= or NULL
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_socket_mcast(struct socket_config *cfg, const char *local,
			      struct strbuf *err)
{
	struct in_addr in;
	char ip[64];

	if (rt_be_numeric(&cfg->addr, SOCK_DGRAM, ip, sizeof(ip), NULL) ||
	    inet_pton(AF_INET, ip, &in) != 1)
		snprintf(ip, sizeof(ip), "%s", "0.0.0.0");
	inet_pton(AF_INET, ip, &in);
	if (!IN_MULTICAST(ntohl(in.s_addr))) {
		strbuf_printf(err, "specified mcastaddr %s (0x%08x) does not "
			      "contain a multicast address", ip,
			      ntohl(in.s_addr));
		return -EINVAL;
	}
	snprintf(cfg->addr.host, sizeof(cfg->addr.host), "%s", ip);
	if (!local)
		return 0;
	if (inet_pton(AF_INET, local, &in) != 1) {
		strbuf_printf(err, "localaddr '%s' is not a valid IPv4 address",
			      local);
		return -EINVAL;
	}
	cfg->has_localaddr = true;
	return stream_addr_inet(&cfg->localaddr, local, 0);
}

/**
 * rt_be_socket_config() - -netdev socket's options as a struct socket_config
 * @rn:		the netdev
 * @cfg:	filled
 * @err:	QEMU's text on error
 *
 * Return: 0, or -EINVAL
 */
static int rt_be_socket_config(const struct rt_netdev *rn,
			       struct socket_config *cfg, struct strbuf *err)
{
	static const char *const keys[] = { "listen", "connect", "udp",
					    "mcast", "fd" };
	const struct json_value *o = rn->nd->opts;
	const char *local = netconf_opt_str(o, "localaddr"), *v = NULL;
	const char *why;
	unsigned int i, n = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->fd = -1;
	for (i = 0; i < 5; i++) {	/* in enum socket_mode's order */
		if (!netconf_opt_str(o, keys[i]))
			continue;
		cfg->mode = (enum socket_mode)i;
		v = netconf_opt_str(o, keys[i]);
		n++;
	}
	if (n != 1) {
		strbuf_puts(err, "exactly one of listen=, connect=, mcast= or "
			    "udp= is required");
		return -EINVAL;
	}
	if (local && cfg->mode != SOCKET_UDP && cfg->mode != SOCKET_MCAST) {
		strbuf_puts(err, "localaddr= is only valid with mcast= or udp=");
		return -EINVAL;
	}
	if (cfg->mode == SOCKET_FD)
		return rt_be_socket_fd(rn, v, cfg, err);
	if (rt_be_host_port(v, &cfg->addr, err) ||
	    rt_be_resolve_check(&cfg->addr, err))
		return -EINVAL;
	if (cfg->mode == SOCKET_MCAST)
		return rt_be_socket_mcast(cfg, local, err);
	if (cfg->mode == SOCKET_UDP && local) {
		if (rt_be_host_port(local, &cfg->localaddr, err) ||
		    rt_be_resolve_check(&cfg->localaddr, err))
			return -EINVAL;
		cfg->has_localaddr = true;
	}
	if (socket_check(cfg, &why)) {
		strbuf_puts(err, why);
		return -EINVAL;
	}
	return 0;
}

/**
 * rt_be_socket_open() - open a -netdev socket (worker)
 * @rt:		runtime
 * @rn:		the netdev
 * @loop:	worker loop
 * @err:	error text
 *
 * Return: 0, or -errno with the text in @err
 */
int rt_be_socket_open(struct rt *rt, struct rt_netdev *rn, struct uloop *loop,
		      struct strbuf *err)
{
	struct stream_link_notify notify = { .event = rt_be_link_event };
	struct socket_config cfg;
	struct rt_be_link *w;
	int ret, fd = -1;

	ret = rt_be_socket_config(rn, &cfg, err);
	if (ret)
		return ret;
	w = rt_be_link_new(rt, rn);
	if (!w)
		return -ENOMEM;
	w->is_socket = true;
	w->sock = cfg;
	notify.arg = w;
	if (cfg.mode == SOCKET_CONNECT) {
		ret = rt_be_connect_now(&cfg.addr, &fd);
		if (!ret) {
			cfg.mode = SOCKET_FD;
			cfg.fd = fd;
		} else if (ret != -EINPROGRESS) {
			strbuf_printf(err, "can't connect socket: %s",
				      strerror(-ret));
			return rt_be_link_done(rn, w, ret, -1);
		}
	}
	ret = socket_open(&w->link, &cfg, loop, rn->nd->id, &notify);
	if (ret && cfg.mode == SOCKET_LISTEN)
		rt_be_bind_text(&cfg.addr, true, &cfg.addr, false, ret, err);
	else if (ret)
		rt_be_bind_text(&cfg.localaddr, cfg.has_localaddr, &cfg.addr,
				cfg.mode == SOCKET_MCAST, ret, err);
	return rt_be_link_done(rn, w, ret, fd);
}

/**
 * rt_be_link_close() - close a stream, dgram or socket netdev (worker)
 * @rt:		runtime
 * @rn:		the netdev
 *
 * The link frees itself later (STREAM_LINK_EV_CLOSED frees the adapter
 * object too).
 */
void rt_be_link_close(struct rt *rt, struct rt_netdev *rn)
{
	struct rt_be_link *w = rn->obj;

	if (w)
		stream_link_close(w->link);
	rn->obj = NULL;
}

/**
 * rt_be_link_info() - `info network` text of an open stream, dgram or
 *	socket netdev, as QEMU shows it at that moment (worker)
 * @rn:		the netdev
 * @out:	the text is appended
 *
 * Return: 0
 */
int rt_be_link_info(const struct rt_netdev *rn, struct strbuf *out)
{
	const struct rt_be_link *w = rn->obj;
	char buf[STREAM_ADDR_STR_MAX + 64];

	buf[0] = '\0';
	if (!w)
		return -ENOENT;
	if (w->is_socket)
		socket_info(&w->sock, w->link, buf, sizeof(buf));
	else if (w->has_peer && stream_link_connected(w->link))
		stream_addr_uri(&w->peer, SOCK_STREAM, buf, sizeof(buf));
	else
		stream_link_info(w->link, buf, sizeof(buf));
	strbuf_puts(out, buf);
	return 0;
}
