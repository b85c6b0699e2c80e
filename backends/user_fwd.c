// SPDX-License-Identifier: GPL-2.0-or-later
/* user_fwd.c: host and guest forwards of a running user backend: apply, add, remove, list. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/user_int.h"

/**
 * DOC: forwards at run time
 *
 * Every host forward goes through slirp_add_hostxfwd() and is kept in the
 * backend's list (rule, text, bound port) for listing and removal.
 *
 * - A bind failure returns the bind's -errno (-EADDRINUSE when the port is
 *   taken, -EACCES for a privileged port without the capability) with
 *   QEMU's text "Could not set up host forwarding rule 'RULE'"; nothing
 *   else changes and the other forwards keep working.
 * - A rule whose host address equals an active rule's is refused the same
 *   way (-EADDRINUSE) before libslirp is asked (UDP sockets with
 *   SO_REUSEADDR could otherwise bind twice).
 * - Port 0 binds a port the kernel picks; the list reports it (found from
 *   the lowest free fd number, which the new socket takes, and checked
 *   against the rule with getsockname(); 0 when that cannot be confirmed).
 * - A unix forward replaces an existing socket file at its path (QEMU
 *   does the same) and removes its socket file when the forward goes.
 * - Removal takes hostfwd_remove's [tcp|udp]:[addr]:port (and unix:/path,
 *   tcp:[v6]:port); the address matches as QEMU matches it (empty and
 *   0.0.0.0 are the same), the port is the rule's or the bound one.
 * - libslirp removes the first socket of the forward whose local address
 *   equals the rule's, newest first; a connection accepted on a specific
 *   address (127.0.0.1:P, or a unix path) has that same local address, so
 *   libslirp 4.7 (and QEMU with it) closes the newest connection and
 *   leaves the listener.  qnet hides those connections during the call:
 *   each such fd number is pointed at a placeholder socket (dup3) and
 *   restored right after, so only the listener matches.  The kernel's poll
 *   requests hold the files, not the numbers, and are not disturbed.
 * - The listener of a removed TCP or unix forward is shut down before
 *   libslirp closes it: its poll request holds the socket until the loop
 *   next runs, and the shutdown makes the port refuse connections and
 *   take a new listener at once.
 *
 * guestfwd: cmd:COMMAND runs COMMAND per guest connection through
 * libslirp, which splits it with g_shell_parse_argv() and executes it
 * without a shell (";", "|", "$(...)" reach the program as plain
 * arguments); qnet refuses at setup a command that does not parse, where
 * libslirp would only fail at each connection.  unix:PATH connects PATH
 * per connection (QEMU connects a chardev once, at startup; qnet checks at
 * startup that PATH is a socket).  Other chardev specs are refused.
 */

/**
 * fwd_same_host() - do two rules listen on the same address?
 * @a:		one rule
 * @b:		the other
 * @port_b:	@b's bound port (0: use its rule's)
 *
 * Return: true when protocol, family, address and port match.
 */
static bool fwd_same_host(const struct user_fwd_rule *a,
			  const struct user_fwd_rule *b, uint16_t port_b)
{
	uint16_t pa = user_fwd_host_port(a);

	if (a->proto != b->proto ||
	    a->host.sa.sa_family != b->host.sa.sa_family)
		return false;
	switch (a->host.sa.sa_family) {
	case AF_UNIX:
		return !strcmp(a->host.un.sun_path, b->host.un.sun_path);
	case AF_INET:
		if (a->host.in.sin_addr.s_addr != b->host.in.sin_addr.s_addr)
			return false;
		break;
	case AF_INET6:
		if (memcmp(&a->host.in6.sin6_addr, &b->host.in6.sin6_addr,
			   sizeof(struct in6_addr)))
			return false;
		break;
	default:
		return false;
	}
	return pa && (pa == user_fwd_host_port(b) || pa == port_b);
}

/**
 * fwd_find() - index of the active forward listening where @r says
 * @be:	the backend
 * @r:	the rule (host side only)
 *
 * Return: the index, or -1.
 */
static int fwd_find(const struct user_backend *be,
		    const struct user_fwd_rule *r)
{
	unsigned int i;

	for (i = 0; i < be->nfwd; i++)
		if (fwd_same_host(r, &be->fwd[i].rule, be->fwd[i].port))
			return (int)i;
	return -1;
}

/**
 * fwd_lowest_free_fd() - the fd number the next socket() will get
 *
 * Return: the number, or -1.
 */
static int fwd_lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

/**
 * fwd_bound_port() - the port the socket at @fd bound for rule @r
 * @fd:	candidate fd
 * @r:	the rule (port 0)
 *
 * Return: the port, or 0 when @fd is not that socket.
 */
static uint16_t fwd_bound_port(int fd, const struct user_fwd_rule *r)
{
	union user_sockaddr a;
	socklen_t alen = sizeof(a);
	int type = 0, listening = 0;
	socklen_t olen = sizeof(int);

	if (fd < 0 || getsockname(fd, &a.sa, &alen) ||
	    a.sa.sa_family != r->host.sa.sa_family ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &olen))
		return 0;
	if (type != (r->proto == USER_FWD_UDP ? SOCK_DGRAM : SOCK_STREAM))
		return 0;
	olen = sizeof(int);
	if (r->proto == USER_FWD_TCP &&
	    (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &olen) ||
	     !listening))
		return 0;
	if (a.sa.sa_family == AF_INET)
		return a.in.sin_addr.s_addr == r->host.in.sin_addr.s_addr
			       ? ntohs(a.in.sin_port)
			       : 0;
	return memcmp(&a.in6.sin6_addr, &r->host.in6.sin6_addr,
		      sizeof(struct in6_addr))
		       ? 0
		       : ntohs(a.in6.sin6_port);
}

/**
 * fwd_unlink_socket() - remove a socket file (not any other file)
 * @path:	the path
 */
static void fwd_unlink_socket(const char *path)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
}

/**
 * fwd_apply() - ask libslirp to listen for a rule
 * @be:		the backend
 * @r:		the rule
 * @port:	set to the bound port
 *
 * Return: 0 or the -errno of the failed socket/bind/listen.
 */
static int fwd_apply(struct user_backend *be, const struct user_fwd_rule *r,
		     uint16_t *port)
{
	struct sockaddr_in g = {.sin_family = AF_INET,
				.sin_port = htons(r->guest_port),
				.sin_addr = r->guest};
	struct sockaddr_in6 g6 = {.sin6_family = AF_INET6,
				  .sin6_port = htons(r->guest_port),
				  .sin6_addr = r->guest6};
	const struct sockaddr *ga =
		r->guest_v6 ? (struct sockaddr *)&g6 : (struct sockaddr *)&g;
	socklen_t glen = r->guest_v6 ? sizeof(g6) : sizeof(g);
	int flags = r->proto == USER_FWD_UDP ? SLIRP_HOSTFWD_UDP : 0;
	int probe = -1, ret;

	*port = user_fwd_host_port(r);
	if (r->proto == USER_FWD_UNIX)
		fwd_unlink_socket(r->host.un.sun_path);
	else if (!*port)
		probe = fwd_lowest_free_fd();
	errno = 0;
	be->in_slirp++;
	ret = slirp_add_hostxfwd(be->slirp, &r->host.sa, r->host_len, ga, glen,
				 flags);
	be->in_slirp--;
	if (ret < 0)
		return errno ? -errno : -EIO;
	if (probe >= 0)
		*port = fwd_bound_port(probe, r);
	be->dirty = true;
	return 0;
}

/**
 * fwd_add_rule() - apply a parsed rule and record it
 * @be:		the backend
 * @r:		the rule
 * @text:	its text (copied)
 *
 * Return: 0, -EADDRINUSE for an address already forwarded, the bind's
 * -errno, or -ENOMEM.
 */
static int fwd_add_rule(struct user_backend *be, const struct user_fwd_rule *r,
			const char *text)
{
	struct user_fwd_active *v, a = {.rule = *r};
	int ret;

	if (user_fwd_host_port(r) || r->proto == USER_FWD_UNIX)
		if (fwd_find(be, r) >= 0)
			return -EADDRINUSE;
	a.text = strdup(text);
	v = realloc(be->fwd, (be->nfwd + 1) * sizeof(*v));
	if (!a.text || !v) {
		free(a.text);
		if (v)
			be->fwd = v;
		return -ENOMEM;
	}
	be->fwd = v;
	ret = fwd_apply(be, r, &a.port);
	if (ret) {
		free(a.text);
		return ret;
	}
	be->fwd[be->nfwd++] = a;
	return 0;
}

/**
 * guestfwd_apply() - set up one guestfwd rule
 * @be:		the backend
 * @g:		the rule with its text
 * @err:	error text
 *
 * Return: 0 or -EINVAL / -ENOENT.
 */
static int guestfwd_apply(struct user_backend *be,
			  const struct user_guestfwd *g, struct user_err *err)
{
	struct in_addr server = g->rule.server;
	GError *gerr = NULL;
	gchar **argv = NULL;
	struct stat st;
	int ret;

	switch (g->rule.kind) {
	case USER_GUESTFWD_CMD:
		if (!g_shell_parse_argv(g->rule.target, NULL, &argv, &gerr)) {
			g_error_free(gerr);
			return user_err_set(err, -EINVAL,
					    "Invalid guest forwarding command "
					    "in '%s' (empty, or unbalanced "
					    "quotes)",
					    g->text);
		}
		g_strfreev(argv);
		ret = slirp_add_exec(be->slirp, g->rule.target, &server,
				     g->rule.port);
		break;
	case USER_GUESTFWD_UNIX:
		ret = stat(g->rule.target, &st) ? errno
		      : S_ISSOCK(st.st_mode)	? 0
						: ECONNREFUSED;
		if (ret)
			return user_err_set(err, -ENOENT,
					    "Failed to connect to '%s': %s",
					    g->rule.target, strerror(ret));
		ret = slirp_add_unix(be->slirp, g->rule.target, &server,
				     g->rule.port);
		break;
	default:
		return user_err_set(err, -EINVAL,
				    "Could not open guest forwarding device "
				    "'guestfwd.tcp.%u' (qnet supports "
				    "cmd:COMMAND and unix:PATH)",
				    g->rule.port);
	}
	if (ret < 0)
		return user_err_set(err, -EINVAL,
				    "Conflicting/invalid host:port in guest "
				    "forwarding rule '%s'",
				    g->text);
	return 0;
}

/**
 * user_fwd_start() - apply the configured rules in QEMU's order
 * @be:		the backend, libslirp running
 * @err:	the first failure's text
 *
 * Return: 0 or the first failure's code.
 */
int user_fwd_start(struct user_backend *be, struct user_err *err)
{
	const struct user_config *c = &be->cfg;
	unsigned int i;
	int ret;

	for (i = c->nguestfwd; i > 0; i--) {
		ret = guestfwd_apply(be, &c->guestfwd[i - 1], err);
		if (ret)
			return ret;
	}
	for (i = c->nhostfwd; i > 0; i--) {
		const struct user_hostfwd *h = &c->hostfwd[i - 1];

		ret = fwd_add_rule(be, &h->rule, h->text);
		if (ret)
			return user_err_set(err, ret,
					    "Could not set up host forwarding "
					    "rule '%s'",
					    h->text);
	}
	return 0;
}

/**
 * user_fwd_stop() - forget the forwards (libslirp closes the sockets)
 * @be:	the backend, closing
 *
 * Every listening socket libslirp polls is shut down first, so its port
 * refuses connections and can be bound again as soon as this returns.
 */
void user_fwd_stop(struct user_backend *be)
{
	socklen_t olen = sizeof(int);
	int listening;
	unsigned int i;

	/* as for a removal: free the ports now, not when the loop next runs */
	for (i = 0; i < be->nwatch; i++) {
		if (!be->watch[i] || be->watch[i]->state != USER_WATCH_ACTIVE)
			continue;
		listening = 0;
		if (!getsockopt((int)i, SOL_SOCKET, SO_ACCEPTCONN, &listening,
				&olen) &&
		    listening)
			shutdown((int)i, SHUT_RDWR);
		olen = sizeof(int);
	}
	for (i = 0; i < be->nfwd; i++) {
		if (be->fwd[i].rule.proto == USER_FWD_UNIX)
			fwd_unlink_socket(be->fwd[i].rule.host.un.sun_path);
		free(be->fwd[i].text);
	}
	free(be->fwd);
	be->fwd = NULL;
	be->nfwd = 0;
}

/**
 * user_fwd_add() - add a host forward at run time (HMP hostfwd_add, QMP)
 * @be:		the backend
 * @rule:	[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport, or the
 *		unix/IPv6 forms of user_fwd_parse()
 * @err:	"Invalid host forwarding rule 'RULE' (REASON)" or "Could not
 *		set up host forwarding rule 'RULE'"
 *
 * Return: 0; -EINVAL for a bad rule; -EADDRINUSE when the address is taken
 * (by another process or another rule); -EACCES, or another bind -errno;
 * -ENOMEM.  On failure nothing changes.
 */
int user_fwd_add(struct user_backend *be, const char *rule,
		 struct user_err *err)
{
	struct user_fwd_rule r;
	const char *why;
	int ret;

	if (user_fwd_parse(rule, &r, &why))
		return user_err_set(err, -EINVAL,
				    "Invalid host forwarding rule '%s' (%s)",
				    rule, why);
	ret = fwd_add_rule(be, &r, rule);
	if (ret)
		return user_err_set(
			err, ret, "Could not set up host forwarding rule '%s'",
			rule);
	return 0;
}

/** USER_FWD_HIDE_MAX - accepted connections hidden during one removal */
#define USER_FWD_HIDE_MAX 1024

/**
 * struct fwd_hidden - an fd number pointed at a placeholder
 * @fd:		the number
 * @keep:	a duplicate of the real file
 * @flags:	its FD_* flags
 */
struct fwd_hidden {
	int fd;
	int keep;
	int flags;
};

/**
 * fwd_stream_at() - is @fd a stream socket whose local address is @h?
 * @fd:		candidate
 * @h:		the listener's address (with its bound port)
 * @listening:	set to whether @fd listens
 *
 * Return: true for a stream socket whose local address equals @h.
 */
static bool fwd_stream_at(int fd, const union user_sockaddr *h, int *listening)
{
	union user_sockaddr a;
	socklen_t alen = sizeof(a), olen = sizeof(int);
	int type = 0;

	memset(&a, 0, sizeof(a));
	if (getsockname(fd, &a.sa, &alen) ||
	    a.sa.sa_family != h->sa.sa_family ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &olen) ||
	    type != SOCK_STREAM)
		return false;
	olen = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, listening, &olen))
		return false;
	switch (a.sa.sa_family) {
	case AF_INET:
		return a.in.sin_addr.s_addr == h->in.sin_addr.s_addr &&
		       a.in.sin_port == h->in.sin_port;
	case AF_INET6:
		return !memcmp(&a.in6.sin6_addr, &h->in6.sin6_addr,
			       sizeof(struct in6_addr)) &&
		       a.in6.sin6_port == h->in6.sin6_port;
	case AF_UNIX:
		return !strcmp(a.un.sun_path, h->un.sun_path);
	default:
		return false;
	}
}

/**
 * fwd_hide() - point the accepted connections of a listener elsewhere, and
 * stop the listener
 * @h:		the listener's address
 * @hid:	receives what to restore
 *
 * The listener is shut down at once: the kernel's poll request may hold it
 * open until the loop runs again, and until then it would still accept
 * connections and keep a new listener off its port.
 *
 * Return: how many fd numbers were hidden.
 */
static unsigned int fwd_hide(const union user_sockaddr *h,
			     struct fwd_hidden *hid)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;
	struct dirent *e;
	int fd, ph, listening;

	if (!d)
		return 0;
	while (n < USER_FWD_HIDE_MAX && (e = readdir(d))) {
		fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd == dirfd(d) ||
		    !fwd_stream_at(fd, h, &listening))
			continue;
		if (listening) {
			shutdown(fd, SHUT_RDWR);
			continue;
		}
		hid[n].flags = fcntl(fd, F_GETFD);
		hid[n].keep = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		ph = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (hid[n].keep < 0 || ph < 0 || dup3(ph, fd, O_CLOEXEC) < 0) {
			if (hid[n].keep >= 0)
				close(hid[n].keep);
			if (ph >= 0)
				close(ph);
			continue;
		}
		close(ph);
		hid[n++].fd = fd;
	}
	closedir(d);
	return n;
}

/**
 * fwd_unhide() - give the hidden fd numbers their files back
 * @hid:	what fwd_hide() recorded
 * @n:		how many
 */
static void fwd_unhide(const struct fwd_hidden *hid, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		dup3(hid[i].keep, hid[i].fd,
		     hid[i].flags > 0 && (hid[i].flags & FD_CLOEXEC) ? O_CLOEXEC
								     : 0);
		close(hid[i].keep);
	}
}

/**
 * fwd_remove_listener() - have libslirp close the listener at @h
 * @be:		the backend
 * @r:		the rule
 * @h:		its address with the bound port
 *
 * Return: libslirp's result (0, or -1 when nothing matched).
 */
static int fwd_remove_listener(struct user_backend *be,
			       const struct user_fwd_rule *r,
			       const union user_sockaddr *h)
{
	struct fwd_hidden *hid = NULL;
	unsigned int n = 0;
	int ret;

	if (r->proto != USER_FWD_UDP) {
		hid = calloc(USER_FWD_HIDE_MAX, sizeof(*hid));
		if (hid)
			n = fwd_hide(h, hid);
	}
	be->in_slirp++;
	ret = slirp_remove_hostxfwd(be->slirp, &h->sa, r->host_len,
				    r->proto == USER_FWD_UDP ? SLIRP_HOSTFWD_UDP
							     : 0);
	be->in_slirp--;
	fwd_unhide(hid, n);
	free(hid);
	return ret;
}

/**
 * user_fwd_remove() - remove a host forward (HMP hostfwd_remove, QMP)
 * @be:		the backend
 * @spec:	[tcp|udp]:[hostaddr]:hostport (or unix:/path, tcp:[v6]:port)
 * @err:	"invalid format", or "host forwarding rule for SPEC not found"
 *
 * On success QEMU's monitor prints "host forwarding rule for SPEC removed".
 *
 * Return: 0, -EINVAL (bad spec) or -ENOENT (no such forward).
 */
int user_fwd_remove(struct user_backend *be, const char *spec,
		    struct user_err *err)
{
	struct user_fwd_active *a;
	union user_sockaddr h;
	struct user_fwd_rule r;
	int i, ret;

	if (user_fwd_parse_remove(spec, &r, NULL))
		return user_err_set(err, -EINVAL, "invalid format");
	i = fwd_find(be, &r);
	if (i < 0)
		return user_err_set(err, -ENOENT,
				    "host forwarding rule for %s not found",
				    spec);
	a = &be->fwd[i];
	h = a->rule.host;
	if (h.sa.sa_family == AF_INET)
		h.in.sin_port = htons(a->port);
	else if (h.sa.sa_family == AF_INET6)
		h.in6.sin6_port = htons(a->port);
	ret = fwd_remove_listener(be, &a->rule, &h);
	if (a->rule.proto == USER_FWD_UNIX)
		fwd_unlink_socket(a->rule.host.un.sun_path);
	free(a->text);
	memmove(a, a + 1, (be->nfwd - (unsigned int)i - 1) * sizeof(*a));
	be->nfwd--;
	be->dirty = true;
	if (ret < 0)
		return user_err_set(err, -ENOENT,
				    "host forwarding rule for %s not found",
				    spec);
	return 0;
}

/**
 * user_fwd_list() - the active host forwards, in the order added
 * @be:		the backend
 * @out:	filled with up to @max entries (texts stay valid until the
 *		next add/remove)
 * @max:	room in @out
 *
 * Return: how many forwards are active (may exceed @max).
 */
unsigned int user_fwd_list(const struct user_backend *be,
			   struct user_fwd_entry *out, unsigned int max)
{
	unsigned int i;

	for (i = 0; i < be->nfwd && i < max; i++) {
		out[i].rule = be->fwd[i].rule;
		out[i].text = be->fwd[i].text;
		out[i].port = be->fwd[i].port;
	}
	return be->nfwd;
}
