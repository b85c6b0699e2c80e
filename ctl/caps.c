// SPDX-License-Identifier: GPL-2.0-or-later
/* caps.c: capability detection (capget), dropping (capset, bounding set), -runas. */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctl/caps.h"

static const char *const caps_names[] = {
	[CAP_CHOWN] = "CAP_CHOWN",
	[CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
	[CAP_SETGID] = "CAP_SETGID",
	[CAP_SETUID] = "CAP_SETUID",
	[CAP_SETPCAP] = "CAP_SETPCAP",
	[CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
	[CAP_NET_ADMIN] = "CAP_NET_ADMIN",
	[CAP_NET_RAW] = "CAP_NET_RAW",
	[CAP_IPC_LOCK] = "CAP_IPC_LOCK",
	[CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
	[CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
	[CAP_BPF] = "CAP_BPF",
};

/* Read the calling thread's sets (two 32-bit words each). */
static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	memset(d, 0, 2 * sizeof(*d));
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	return 0;
}

/**
 * caps_effective() - the calling thread's effective set as a mask
 *
 * Return: bit c set for each capability c held (0 when capget fails).
 */
uint64_t caps_effective(void)
{
	struct __user_cap_data_struct d[2];

	if (caps_get(d))
		return 0;
	return (uint64_t)d[1].effective << 32 | d[0].effective;
}

/**
 * caps_have() - does the calling thread hold @cap (effective)?
 * @cap: CAP_NET_ADMIN, CAP_BPF, ...
 *
 * Return: 1, 0, or -EINVAL for a number past 63.
 */
int caps_have(unsigned int cap)
{
	if (cap > 63)
		return -EINVAL;
	return (caps_effective() >> cap) & 1;
}

/**
 * caps_name() - "CAP_NET_ADMIN" for CAP_NET_ADMIN
 * @cap: a capability number
 *
 * Return: its name, or "CAP_?" for one qnet does not name.
 */
const char *caps_name(unsigned int cap)
{
	if (cap < sizeof(caps_names) / sizeof(caps_names[0]) && caps_names[cap])
		return caps_names[cap];
	return "CAP_?";
}

/**
 * caps_drop() - keep only @keep in the calling thread's sets
 * @keep: CAPS_BIT() mask of capabilities to keep (0: drop everything)
 *
 * Clears the ambient set, lowers the bounding set (when CAP_SETPCAP is
 * still held), then sets effective and permitted to @keep (intersected
 * with what is held) and inheritable to nothing.
 *
 * Return: 0, or -errno from prctl/capset.
 */
int caps_drop(uint64_t keep)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t perm;
	unsigned int c;
	int ret = caps_get(d);

	if (ret)
		return ret;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (caps_have(CAP_SETPCAP) == 1) {
		for (c = 0; c <= 63; c++) {
			if (keep & CAPS_BIT(c))
				continue;
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
			    errno == EINVAL)
				break;	/* past the kernel's last capability */
		}
	}
	perm = ((uint64_t)d[1].permitted << 32 | d[0].permitted) & keep;
	d[0].permitted = d[0].effective = (uint32_t)perm;
	d[1].permitted = d[1].effective = (uint32_t)(perm >> 32);
	d[0].inheritable = d[1].inheritable = 0;
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}

/**
 * caps_runas() - become @user (QEMU's -runas), keeping @keep
 * @user: a user name or a numeric uid
 * @keep: CAPS_BIT() mask of capabilities to keep across the switch
 *
 * Sets the supplementary groups, the gid, then the uid (all threads), then
 * drops every capability not in @keep.
 *
 * Return: 0, -ENOENT for an unknown user, or -errno.
 */
int caps_runas(const char *user, uint64_t keep)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return -ENOENT;
	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -errno;
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -errno;
	if (keep)
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return caps_drop(keep);
}

/**
 * caps_netdev_message() - the text ctl prints when a netdev lacks a privilege
 * @buf:      output
 * @len:      its size
 * @opt:      the option as given ("-netdev tap,id=t0")
 * @what:     what failed ("cannot open tap 'qtap0'")
 * @err:      the -errno
 * @cap:      the capability that would have allowed it
 * @fallback: true: user networking replaces the netdev; false: an error
 *
 * Example: "qnet: -netdev tap,id=t0: cannot open tap 'qtap0': Operation
 * not permitted (needs CAP_NET_ADMIN); falling back to user networking".
 *
 * Return: the length snprintf() would have written.
 */
int caps_netdev_message(char *buf, size_t len, const char *opt,
			const char *what, int err, unsigned int cap,
			bool fallback)
{
	return snprintf(buf, len, "qnet: %s: %s: %s (needs %s)%s", opt, what,
			strerror(err < 0 ? -err : err), caps_name(cap),
			fallback ? "; falling back to user networking" : "");
}
