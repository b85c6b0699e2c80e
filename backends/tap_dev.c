// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_dev.c: /dev/net/tun: create or adopt a tap fd, header size, send buffer, carrier. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backends/tap_int.h"

/**
 * tap_dev_open() - create (or attach to) a tap interface and open a queue fd
 * @ifname:   name or pattern ("qtap%d"), or NULL/"" for "tap%d"
 * @mq:       IFF_MULTI_QUEUE (every queue opens the same @ifname)
 * @vnet:     ask for IFF_VNET_HDR
 * @name_out: IFNAMSIZ bytes: the interface's name
 * @fd_out:   the fd (O_NONBLOCK, O_CLOEXEC)
 *
 * Return: 0, or -errno from open(2) or TUNSETIFF (-EPERM without
 * CAP_NET_ADMIN, -EBUSY for a name used by another interface type).
 */
int tap_dev_open(const char *ifname, bool mq, bool vnet, char *name_out,
		 int *fd_out)
{
	struct ifreq ifr;
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (vnet)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (mq)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (ifname && *ifname) {
		if (strlen(ifname) >= IFNAMSIZ) {
			close(fd);
			return -ENAMETOOLONG;
		}
		strcpy(ifr.ifr_name, ifname);
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	memcpy(name_out, ifr.ifr_name, IFNAMSIZ);
	name_out[IFNAMSIZ - 1] = '\0';
	*fd_out = fd;
	return 0;
}

/**
 * tap_dev_setup() - make a queue fd ready for the io_uring data path
 * @fd:     the tap fd
 * @vnet:   IFF_VNET_HDR is on: use a 12-byte (v1) header
 * @sndbuf: TUNSETSNDBUF, 0 for unlimited (INT_MAX, as QEMU)
 *
 * Sets O_NONBLOCK (io_uring then waits with an internal poll instead of
 * tying up a worker thread), the header size and the send buffer.
 *
 * Return: 0, or -errno from fcntl/ioctl.
 */
int tap_dev_setup(int fd, bool vnet, int sndbuf)
{
	int hdr = TAP_VNET_HDR_LEN;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	if (vnet && ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return -errno;
	if (sndbuf <= 0)
		sndbuf = INT_MAX;
	if (ioctl(fd, TUNSETSNDBUF, &sndbuf) < 0)
		return -errno;
	return 0;
}

/**
 * tap_dev_probe_vnet() - inspect an fd handed to qnet (fd=, fds=, helper)
 * @fd:       the fd
 * @vnet:     set to whether IFF_VNET_HDR is on
 * @name_out: IFNAMSIZ bytes: the interface's name
 *
 * Return: 0, -ENOTTY/-EBADFD when @fd is not an attached tap, -EINVAL when
 * it is a tun (layer 3) device, or -errno.
 */
int tap_dev_probe_vnet(int fd, bool *vnet, char *name_out)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return errno == EINVAL ? -ENOTTY : -errno;
	if (!(ifr.ifr_flags & IFF_TAP))
		return -EINVAL;
	*vnet = ifr.ifr_flags & IFF_VNET_HDR;
	memcpy(name_out, ifr.ifr_name, IFNAMSIZ);
	name_out[IFNAMSIZ - 1] = '\0';
	return 0;
}

/**
 * tap_dev_carrier() - is the tap still there, and up?
 * @fd:     a queue fd
 * @sock:   an AF_INET datagram socket in qnet's namespace (or -1)
 * @ifname: the interface's name
 *
 * Two ioctls, run by the carrier probe (at most every 100 ms), never per
 * frame.
 *
 * Return: TAP_LINK_UP, TAP_LINK_DOWN or TAP_LINK_GONE.
 */
int tap_dev_carrier(int fd, int sock, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return TAP_LINK_GONE;
	if (sock < 0)
		return TAP_LINK_UP;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return TAP_LINK_UP;	/* moved to another namespace: trust writes */
	return (ifr.ifr_flags & IFF_UP) ? TAP_LINK_UP : TAP_LINK_DOWN;
}
