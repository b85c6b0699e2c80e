// SPDX-License-Identifier: GPL-2.0-or-later
/* Netdev types: one option table per type, and the Netdev union over them. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ctl/ndtypes.h"

/*
 * DOC: netdev tables
 *
 * One table per netdev type, in QEMU 7.2's QAPI member order (which is the
 * order QEMU checks them in), with QEMU's integer widths (hubid is int32,
 * queues uint32, sndbuf a size, ...). Rows flagged SF_QNET are qnet
 * extensions: libslirp features QEMU does not expose (user), stream
 * reconnection from later QEMU releases, and the whole af-xdp type (QEMU
 * 8.2+). "nic" is the -net nic pseudo-type; "none" and "netmap" exist in
 * QEMU's schema but are not usable netdevs (QEMU: "network backend 'x' is
 * not compiled into this binary").
 */

#define STR(n, h)	{ .name = (n), .kind = SK_STR, .help = (h) }
#define STRQ(n, h)	{ .name = (n), .kind = SK_STR, .help = (h), \
			  .flags = SF_QNET }
#define REQ(n, h)	{ .name = (n), .kind = SK_STR, .help = (h), \
			  .flags = SF_REQUIRED }
#define BOOL(n, d, h)	{ .name = (n), .kind = SK_BOOL, .def = (d), \
			  .help = (h) }
#define BOOLQ(n, d, h)	{ .name = (n), .kind = SK_BOOL, .def = (d), \
			  .help = (h), .flags = SF_QNET }
#define UINT(n, w, d, h) { .name = (n), .kind = SK_UINT, .width = (w), \
			   .def = (d), .help = (h) }
#define UINTQ(n, w, d, h) { .name = (n), .kind = SK_UINT, .width = (w), \
			    .def = (d), .help = (h), .flags = SF_QNET }
#define INT(n, w, d, h)	{ .name = (n), .kind = SK_INT, .width = (w), \
			  .def = (d), .help = (h) }
#define LIST(n, h)	{ .name = (n), .kind = SK_STRLIST, .help = (h) }

static const struct schema_field nic_opts[] = {
	STR("netdev", "netdev the NIC connects to instead of hub 0"),
	STR("macaddr", "MAC address"),
	STR("model", "NIC model (see model=help)"),
	STR("addr", "PCI slot[.function]"),
	UINT("vectors", 32, NULL, "number of MSI-X vectors"),
};

static const struct schema_field user_opts[] = {
	STR("hostname", "client hostname reported by the DHCP server"),
	BOOL("restrict", "false", "isolate the guest from the host"),
	BOOL("ipv4", "true", "enable IPv4"),
	BOOL("ipv6", "true", "enable IPv6"),
	STR("ip", "deprecated alias of net"),
	STR("net", "guest network, addr[/mask] (default 10.0.2.0/24)"),
	STR("host", "host address seen by the guest (default x.x.x.2)"),
	STR("tftp", "root directory of the built-in TFTP server"),
	STR("bootfile", "BOOTP filename, for network boot"),
	STR("dhcpstart", "first DHCP address (default x.x.x.15)"),
	STR("dns", "DNS server address seen by the guest (default x.x.x.3)"),
	LIST("dnssearch", "DNS search domain (repeatable)"),
	STR("domainname", "DNS domain name sent by DHCP"),
	STR("ipv6-prefix", "IPv6 prefix (default fec0::)"),
	INT("ipv6-prefixlen", 64, "64", "IPv6 prefix length"),
	STR("ipv6-host", "IPv6 host address (default prefix::2)"),
	STR("ipv6-dns", "IPv6 DNS address (default prefix::3)"),
	STR("smb", "directory shared with the guest by smbd"),
	STR("smbserver", "SMB server address seen by the guest"),
	LIST("hostfwd", "[tcp|udp|unix]:[hostaddr]:hostport-[guestaddr]:"
	     "guestport (repeatable)"),
	LIST("guestfwd", "[tcp]:server:port-cmd:command or -dev (repeatable)"),
	STR("tftp-server-name", "TFTP server name sent by DHCP"),
	UINTQ("mtu", 32, "1500", "interface MTU libslirp uses"),
	UINTQ("mru", 32, "1500", "interface MRU libslirp uses"),
	BOOLQ("host-loopback", "true",
	      "guest may reach the host's loopback through the host address"),
	STRQ("outbound-addr", "host IPv4 address outgoing connections use"),
	STRQ("outbound-addr6", "host IPv6 address outgoing connections use"),
	BOOLQ("dns-forward", "true", "answer DNS at the DNS address"),
	BOOLQ("dhcp", "true", "run the built-in DHCP server"),
};

static const struct schema_field tap_opts[] = {
	STR("ifname", "tap interface name"),
	STR("fd", "file descriptor of an open tap"),
	STR("fds", "colon-separated descriptors of an open multiqueue tap"),
	STR("script", "script run after the tap comes up "
	    "(default /etc/qemu-ifup)"),
	STR("downscript", "script run before the tap goes down "
	    "(default /etc/qemu-ifdown)"),
	STR("br", "bridge the helper adds the tap to"),
	STR("helper", "helper program that creates the tap"),
	{ .name = "sndbuf", .kind = SK_SIZE, .help = "send buffer limit" },
	BOOL("vnet_hdr", NULL, "use the virtio-net header"),
	BOOL("vhost", "false", "use vhost-net"),
	STR("vhostfd", "descriptor of an open vhost-net"),
	STR("vhostfds", "colon-separated vhost-net descriptors"),
	BOOL("vhostforce", "false", "deprecated, no effect"),
	UINT("queues", 32, "1", "number of queue pairs"),
	UINT("poll-us", 32, "0", "busy-poll time in microseconds"),
	BOOLQ("fallback", "true", "without the privileges: user networking "
	      "(on) or an error (off)"),
};

static const struct schema_field l2tpv3_opts[] = {
	REQ("src", "source address"),
	REQ("dst", "destination address"),
	STR("srcport", "source port"),
	STR("dstport", "destination port"),
	BOOL("ipv6", "false", "force IPv6"),
	BOOL("udp", "false", "use UDP encapsulation"),
	BOOL("cookie64", "false", "64-bit cookies"),
	BOOL("counter", "true", "send the sequence counter"),
	BOOL("pincounter", "false", "pin the counter to zero"),
	UINT("txcookie", 64, NULL, "transmit cookie"),
	UINT("rxcookie", 64, NULL, "receive cookie"),
	{ .name = "txsession", .kind = SK_UINT, .width = 32,
	  .flags = SF_REQUIRED, .help = "transmit session id" },
	UINT("rxsession", 32, NULL, "receive session id"),
	UINT("offset", 32, "0", "offset of the payload"),
};

static const struct schema_field socket_opts[] = {
	STR("fd", "file descriptor of an open socket"),
	STR("listen", "[host]:port to listen on"),
	STR("connect", "host:port to connect to"),
	STR("mcast", "maddr:port multicast group"),
	STR("localaddr", "local address for mcast/udp"),
	STR("udp", "host:port of the UDP peer"),
};

static const char *const sockaddr_types[] = { "inet", "unix", "vsock", "fd",
					      NULL };

static const struct schema_field sockaddr_base[] = {
	{ .name = "type", .kind = SK_ENUM, .flags = SF_REQUIRED,
	  .values = sockaddr_types, .help = "address type" },
};

static const struct schema_field inet_opts[] = {
	REQ("host", "host name or address"),
	REQ("port", "port or service name"),
	BOOL("numeric", "false", "host and port are numeric"),
	UINT("to", 16, NULL, "try ports up to this one"),
	BOOL("ipv4", NULL, "use IPv4"),
	BOOL("ipv6", NULL, "use IPv6"),
	BOOL("keep-alive", "false", "enable TCP keep-alive"),
	BOOL("mptcp", "false", "use Multipath TCP"),
};

static const struct schema_field unix_opts[] = {
	REQ("path", "socket path"),
	BOOL("abstract", "false", "abstract socket namespace"),
	BOOL("tight", "true", "abstract address length is the path length"),
};

static const struct schema_field vsock_opts[] = {
	REQ("cid", "context id"),
	REQ("port", "port"),
};

static const struct schema_field fd_opts[] = {
	REQ("str", "file descriptor number or name"),
};

static const struct schema_struct sockaddr_base_s =
	SCHEMA_STRUCT("SocketAddress", sockaddr_base);
static const struct schema_struct inet_s = SCHEMA_STRUCT("inet", inet_opts);
static const struct schema_struct unix_s = SCHEMA_STRUCT("unix", unix_opts);
static const struct schema_struct vsock_s = SCHEMA_STRUCT("vsock", vsock_opts);
static const struct schema_struct fd_s = SCHEMA_STRUCT("fd", fd_opts);
static const struct schema_struct *const sockaddr_variants[] = {
	&inet_s, &unix_s, &vsock_s, &fd_s,
};

const struct schema_union ndtypes_socket_address = {
	.name = "SocketAddress",
	.base = &sockaddr_base_s,
	.tag = "type",
	.variants = sockaddr_variants,
};

static const struct schema_field stream_opts[] = {
	{ .name = "addr", .kind = SK_STRUCT, .flags = SF_REQUIRED,
	  .sub = &ndtypes_socket_address, .help = "socket address" },
	BOOL("server", "false", "listen instead of connecting"),
	UINTQ("reconnect", 32, "0", "seconds between reconnection attempts "
	      "(QEMU 8.0+)"),
	UINTQ("reconnect-ms", 64, "0", "milliseconds between reconnection "
	      "attempts (QEMU 9.2+)"),
};

static const struct schema_field dgram_opts[] = {
	{ .name = "local", .kind = SK_STRUCT, .sub = &ndtypes_socket_address,
	  .help = "local socket address" },
	{ .name = "remote", .kind = SK_STRUCT, .sub = &ndtypes_socket_address,
	  .help = "remote socket address" },
};

static const struct schema_field vde_opts[] = {
	STR("sock", "switch socket directory"),
	UINT("port", 16, NULL, "switch port"),
	STR("group", "group of the switch port"),
	UINT("mode", 16, "0700", "permissions of the switch port"),
};

static const struct schema_field bridge_opts[] = {
	STR("br", "bridge to add the tap to (default br0)"),
	STR("helper", "bridge helper program"),
	BOOLQ("fallback", "true", "without the privileges: user networking "
	      "(on) or an error (off)"),
};

static const struct schema_field hubport_opts[] = {
	{ .name = "hubid", .kind = SK_INT, .width = 32, .flags = SF_REQUIRED,
	  .help = "hub number" },
	STR("netdev", "netdev to connect to the port"),
};

static const struct schema_field netmap_opts[] = {
	REQ("ifname", "netmap port"),
	STR("devname", "netmap device"),
};

static const struct schema_field vhost_user_opts[] = {
	REQ("chardev", "chardev of the vhost-user socket"),
	BOOL("vhostforce", "false", "deprecated, no effect"),
	INT("queues", 64, "1", "number of queue pairs"),
};

static const struct schema_field vhost_vdpa_opts[] = {
	STR("vhostdev", "vhost-vdpa device path"),
	STR("vhostfd", "descriptor of an open vhost-vdpa device"),
	INT("queues", 64, "1", "number of queue pairs"),
	BOOL("x-svq", "false", "shadow virtqueues"),
};

static const char *const afxdp_modes[] = { "native", "skb", NULL };

static const struct schema_field af_xdp_opts[] = {
	REQ("ifname", "network interface to attach to"),
	{ .name = "mode", .kind = SK_ENUM, .values = afxdp_modes,
	  .help = "XDP attach mode: native or skb (default: native, "
	  "falling back to skb)" },
	BOOL("force-copy", "false", "force copy mode"),
	INT("queues", 64, "1", "number of queue pairs"),
	INT("start-queue", 64, "0", "first queue of the interface to use"),
	BOOL("inhibit", "false", "do not load the XDP program (sock-fds "
	     "or map-path give the sockets' place)"),
	STR("sock-fds", "colon-separated descriptors of open AF_XDP sockets"),
	STR("map-path", "pinned XSKMAP the sockets are inserted into "
	    "(QEMU 10.1+)"),
	INT("map-start-index", 32, "0", "first XSKMAP slot to use "
	    "(QEMU 10.1+)"),
	BOOLQ("fallback", "true", "without the privileges: user networking "
	      "(on) or an error (off)"),
};

#define S(n, f) static const struct schema_struct n##_s = \
		SCHEMA_STRUCT(#n, f)
S(nic, nic_opts);
S(user, user_opts);
S(tap, tap_opts);
S(l2tpv3, l2tpv3_opts);
S(socket, socket_opts);
S(stream, stream_opts);
S(dgram, dgram_opts);
S(vde, vde_opts);
S(bridge, bridge_opts);
S(hubport, hubport_opts);
S(netmap, netmap_opts);
S(vhost_user, vhost_user_opts);
S(vhost_vdpa, vhost_vdpa_opts);
S(af_xdp, af_xdp_opts);
#undef S

#define NET_AND_NETDEV (NDT_NETDEV | NDT_NET)

/* Every type, in QEMU's NetClientDriver order, af-xdp last. */
static const struct ndtype types[] = {
	{ "none", "none", 0, NULL, "no network (-net none, -nic none)" },
	{ "nic", "nic", NDT_NET, &nic_s, "a NIC on hub 0 (-net nic)" },
	{ "user", "user", NET_AND_NETDEV | NDT_HOSTNET, &user_s,
	  "user-mode network stack (libslirp), no privileges needed" },
	{ "tap", "tap", NET_AND_NETDEV | NDT_HOSTNET, &tap_s,
	  "host tap interface" },
	{ "l2tpv3", "l2tpv3", NET_AND_NETDEV, &l2tpv3_s,
	  "L2TPv3 pseudowire" },
	{ "socket", "socket", NET_AND_NETDEV | NDT_HOSTNET, &socket_s,
	  "legacy socket transport (TCP or UDP multicast)" },
	{ "stream", "stream", NET_AND_NETDEV | NDT_HOSTNET, &stream_s,
	  "stream socket, 4-byte length + frame (QEMU 7.2+)" },
	{ "dgram", "dgram", NET_AND_NETDEV | NDT_HOSTNET, &dgram_s,
	  "datagram socket, one frame per datagram (QEMU 7.2+)" },
	{ "vde", "vde", NET_AND_NETDEV | NDT_HOSTNET, &vde_s,
	  "VDE switch port" },
	{ "bridge", "tap", NET_AND_NETDEV | NDT_HOSTNET, &bridge_s,
	  "tap interface added to a host bridge" },
	{ "hubport", "hubport", NDT_NETDEV, &hubport_s, "port of a hub" },
	{ "netmap", "netmap", 0, &netmap_s, "netmap port (not available)" },
	{ "vhost-user", "vhost-user", NET_AND_NETDEV | NDT_HOSTNET | NDT_QINDEX,
	  &vhost_user_s, "vhost-user front-end" },
	{ "vhost-vdpa", "vhost-vdpa", NET_AND_NETDEV | NDT_QINDEX,
	  &vhost_vdpa_s,
	  "vhost-vdpa device" },
	{ "af-xdp", "af-xdp",
	  NET_AND_NETDEV | NDT_HOSTNET | NDT_QNET | NDT_QINDEX,
	  &af_xdp_s, "AF_XDP sockets on a host interface (QEMU 8.2+)" },
};

/* The same types as the Netdev discriminator: values and variants. */
static const char *const type_names[] = {
	"none", "nic", "user", "tap", "l2tpv3", "socket", "stream", "dgram",
	"vde", "bridge", "hubport", "netmap", "vhost-user", "vhost-vdpa",
	"af-xdp", NULL,
};

static const struct schema_struct *const type_variants[] = {
	NULL, &nic_s, &user_s, &tap_s, &l2tpv3_s, &socket_s, &stream_s,
	&dgram_s, &vde_s, &bridge_s, &hubport_s, &netmap_s, &vhost_user_s,
	&vhost_vdpa_s, &af_xdp_s,
};

_Static_assert(SCHEMA_ARRAY_SIZE(type_names) == SCHEMA_ARRAY_SIZE(types) + 1,
	       "Netdev discriminator and types[] disagree");
_Static_assert(SCHEMA_ARRAY_SIZE(type_variants) == SCHEMA_ARRAY_SIZE(types),
	       "Netdev variants and types[] disagree");

static const struct schema_field netdev_base[] = {
	{ .name = "id", .kind = SK_STR, .flags = SF_REQUIRED,
	  .help = "netdev id" },
	{ .name = "type", .kind = SK_ENUM, .flags = SF_REQUIRED,
	  .values = type_names, .help = "netdev type" },
};

static const struct schema_struct netdev_base_s =
	SCHEMA_STRUCT("Netdev", netdev_base);

/* The Netdev union: id, type, then the type's own options. */
const struct schema_union ndtypes_netdev = {
	.name = "Netdev",
	.base = &netdev_base_s,
	.tag = "type",
	.variants = type_variants,
};

/**
 * ndtypes_find() - type named @name
 * @name:	type name
 *
 * Return: the type, or NULL
 */
const struct ndtype *ndtypes_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < SCHEMA_ARRAY_SIZE(types); i++)
		if (!strcmp(types[i].name, name))
			return &types[i];
	return NULL;
}

/**
 * ndtypes_help_list() - "-netdev help" output: QEMU 7.2's list, plus
 *	af-xdp where later QEMU releases list it
 * @out:	text is appended here
 */
void ndtypes_help_list(struct strbuf *out)
{
	static const char *const order[] = {
		"socket", "stream", "dgram", "hubport", "tap", "user",
		"l2tpv3", "vde", "bridge", "af-xdp", "vhost-user",
		"vhost-vdpa",
	};
	size_t i;

	strbuf_puts(out, "Available netdev backend types:\n");
	for (i = 0; i < SCHEMA_ARRAY_SIZE(order); i++)
		strbuf_printf(out, "%s\n", order[i]);
}

/**
 * ndtypes_help_type() - the options of one type (qnet's --help-netdev)
 * @name:	type name
 * @out:	text is appended here
 *
 * Return: 0, or -ENOENT for an unknown type
 */
int ndtypes_help_type(const char *name, struct strbuf *out)
{
	const struct ndtype *t = ndtypes_find(name);
	const struct schema_field *f;
	size_t i, start;

	if (!t || !(t->flags & NDT_NETDEV))
		return -ENOENT;
	strbuf_printf(out, "%s: %s\n%s options:\n", t->name, t->help, t->name);
	for (i = 0; t->opts && i < t->opts->nfields; i++) {
		f = &t->opts->fields[i];
		start = out->len;
		strbuf_printf(out, "  %s=<%s>", f->name,
			      f->kind == SK_STRUCT ? "SocketAddress" :
			      schema_type_name(f, false));
		while (out->len - start < 24)
			strbuf_putc(out, ' ');
		strbuf_printf(out, " - %s%s", f->help ? f->help : "",
			      f->flags & SF_REQUIRED ? " (required)" : "");
		if (f->def)
			strbuf_printf(out, " (default: %s)", f->def);
		if (f->flags & SF_QNET)
			strbuf_puts(out, " [qnet]");
		strbuf_putc(out, '\n');
	}
	return 0;
}
