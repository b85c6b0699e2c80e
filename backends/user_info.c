// SPDX-License-Identifier: GPL-2.0-or-later
/* user_info.c: monitor text for user netdevs (info network, info usernet) and libslirp's log. */

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backends/user_int.h"

/**
 * user_info_network() - the text `info network` shows after "type=user,"
 * @c:		the config
 * @buf:	destination
 * @len:	its size
 *
 * QEMU 7.2 prints "net=10.0.2.0,restrict=off" (the masked network, even
 * with ipv4=off); ctl adds "NAME: index=0,type=user,".
 *
 * Return: the length of the full text (as snprintf).
 */
int user_info_network(const struct user_config *c, char *buf, size_t len)
{
	char net[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &c->net, net, sizeof(net));
	return snprintf(buf, len, "net=%s,restrict=%s", net,
			c->restricted ? "on" : "off");
}

/**
 * user_info_usernet() - one netdev's block of `info usernet`
 * @be:		the backend
 * @hub_id:	the hub its port is on, or -1 (QEMU prints -1 for a netdev
 *		peered with a NIC)
 * @buf:	destination ("\n" line ends; the monitor adds "\r")
 * @len:	its size
 *
 * "Hub -1 (n0):" and libslirp's own connection table, exactly as QEMU
 * prints them (the FD column shows qnet's fd numbers).
 *
 * Return: the length of the full text (as snprintf), -ENODEV for a closed
 * backend, or -ENOMEM.
 */
int user_info_usernet(struct user_backend *be, int hub_id, char *buf,
		      size_t len)
{
	char *info;
	int n;

	if (!be->slirp)
		return -ENODEV;
	info = slirp_connection_info(be->slirp);
	if (!info)
		return -ENOMEM;
	n = snprintf(buf, len, "Hub %d (%s):\n%s", hub_id, be->port.name, info);
	g_free(info);
	return n;
}

/**
 * DOC: libslirp's messages
 *
 * libslirp reports some problems itself through glib (g_warning,
 * g_critical: "failed to parse domain name ''", "fork_exec: ...").  qnet
 * does not let a library print: user_log_capture() routes the "Slirp" log
 * domain into a small ring, and ctl prints what user_log_take() returns
 * (QEMU prints them as "warning: Slirp: TEXT").  When the ring is full the
 * oldest message is overwritten.
 */

#define USER_LOG_RING 16
#define USER_LOG_LEN  256

static pthread_mutex_t user_log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t user_log_once = PTHREAD_ONCE_INIT;
static char user_log_ring[USER_LOG_RING][USER_LOG_LEN];
static unsigned int user_log_head, user_log_count;

/* glib log handler for the "Slirp" domain */
static void user_log_handler(const gchar *domain, GLogLevelFlags level,
			     const gchar *msg, gpointer data)
{
	unsigned int slot;
	size_t n;

	pthread_mutex_lock(&user_log_lock);
	slot = (user_log_head + user_log_count) % USER_LOG_RING;
	if (user_log_count == USER_LOG_RING)
		user_log_head = (user_log_head + 1) % USER_LOG_RING;
	else
		user_log_count++;
	snprintf(user_log_ring[slot], USER_LOG_LEN, "%s", msg ? msg : "");
	n = strlen(user_log_ring[slot]);
	while (n && user_log_ring[slot][n - 1] == '\n')
		user_log_ring[slot][--n] = '\0';
	pthread_mutex_unlock(&user_log_lock);
}

static void user_log_install(void)
{
	g_log_set_handler("Slirp",
			  G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
				  G_LOG_FLAG_RECURSION,
			  user_log_handler, NULL);
}

/**
 * user_log_capture() - route libslirp's glib messages into the ring
 *
 * Idempotent; user_open() calls it.
 */
void user_log_capture(void)
{
	pthread_once(&user_log_once, user_log_install);
}

/**
 * user_log_take() - the oldest captured libslirp message
 * @buf:	receives it, without trailing newline
 * @len:	its size
 *
 * Return: its length, or 0 when none is pending.
 */
int user_log_take(char *buf, size_t len)
{
	int n = 0;

	pthread_mutex_lock(&user_log_lock);
	if (user_log_count) {
		n = snprintf(buf, len, "%s", user_log_ring[user_log_head]);
		user_log_head = (user_log_head + 1) % USER_LOG_RING;
		user_log_count--;
	}
	pthread_mutex_unlock(&user_log_lock);
	return n;
}
