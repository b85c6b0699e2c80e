// SPDX-License-Identifier: GPL-2.0-or-later
/* user_ping.c: can the guest ping? ICMP datagram sockets and net.ipv4.ping_group_range. */

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "backends/user_int.h"

/**
 * DOC: ping from the guest
 *
 * libslirp answers echo requests to its own addresses itself, and relays
 * echo requests to other hosts through an ICMP datagram socket
 * (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)).  The kernel opens one only
 * for a process one of whose groups lies in net.ipv4.ping_group_range (per
 * network namespace; Debian's default "1 0" admits nobody, root included).
 * Without it libslirp cannot relay the echo, and the guest's ping to
 * other hosts times out.
 *
 * user_open() tries such a socket once.  When it fails,
 * user_ping_warning() gives a text naming the sysctl and the command that
 * admits qnet's group, once per process, for ctl to print as a warning.
 */

#define USER_PING_SYSCTL "/proc/sys/net/ipv4/ping_group_range"

static atomic_bool user_ping_warned;

/**
 * ping_range() - read net.ipv4.ping_group_range
 * @lo:		first group admitted
 * @hi:		last group admitted
 *
 * Return: 0 or -errno.
 */
static int ping_range(unsigned long *lo, unsigned long *hi)
{
	FILE *f = fopen(USER_PING_SYSCTL, "re");
	int ret = -EIO;

	if (!f)
		return -errno;
	if (fscanf(f, "%lu %lu", lo, hi) == 2)
		ret = 0;
	fclose(f);
	return ret;
}

/**
 * ping_admitted() - does the range hold one of this process's groups?
 * @lo:	first group admitted
 * @hi:	last group admitted
 *
 * Return: true when the effective group or a supplementary one is in it.
 */
static bool ping_admitted(unsigned long lo, unsigned long hi)
{
	gid_t groups[64];
	int i, n = getgroups(64, groups);

	if (getegid() >= lo && getegid() <= hi)
		return true;
	for (i = 0; i < n; i++)
		if (groups[i] >= lo && groups[i] <= hi)
			return true;
	return false;
}

/**
 * user_ping_check() - can this process open ICMP datagram sockets?
 * @why:	when not, a one-line explanation naming the sysctl
 * @len:	size of @why
 *
 * Return: 1 when it can, 0 when not (@why filled).
 */
int user_ping_check(char *why, size_t len)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	unsigned int gid = (unsigned int)getegid();
	unsigned long lo, hi;
	int err;

	if (s >= 0) {
		close(s);
		return 1;
	}
	err = errno;
	if (ping_range(&lo, &hi))
		snprintf(why, len,
			 "ping from the guest will not work: ICMP datagram "
			 "sockets are refused (%s) and "
			 "net.ipv4.ping_group_range cannot be read",
			 strerror(err));
	else if (ping_admitted(lo, hi))
		snprintf(why, len,
			 "ping from the guest will not work: ICMP datagram "
			 "sockets are refused (%s) although "
			 "net.ipv4.ping_group_range ('%lu %lu') admits qnet's "
			 "groups",
			 strerror(err), lo, hi);
	else
		snprintf(why, len,
			 "ping from the guest will not work: ICMP datagram "
			 "sockets are refused (%s); net.ipv4.ping_group_range "
			 "is '%lu %lu' and must include a group of qnet (gid "
			 "%u): sysctl -w net.ipv4.ping_group_range='%u %u'",
			 strerror(err), lo, hi, gid, gid, gid);
	return 0;
}

/**
 * user_ping_init() - check ping at open
 * @be:	the backend
 */
void user_ping_init(struct user_backend *be)
{
	be->ping_ok = user_ping_check(be->ping_why, sizeof(be->ping_why)) == 1;
}

/**
 * user_ping_available() - whether the guest's pings to other hosts work
 * @be:	the backend
 *
 * Return: true when ICMP datagram sockets could be opened at open time.
 */
bool user_ping_available(const struct user_backend *be)
{
	return be->ping_ok;
}

/**
 * user_ping_warning() - the warning to print once per process
 * @be:	the backend
 *
 * Return: the text (naming net.ipv4.ping_group_range) the first time a
 * backend without ping asks, else NULL.
 */
const char *user_ping_warning(const struct user_backend *be)
{
	if (be->ping_ok || atomic_exchange(&user_ping_warned, true))
		return NULL;
	return be->ping_why;
}
