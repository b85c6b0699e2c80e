// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the netconf model: semantics, names, MACs, hubs, warnings,
 * info network and help, against texts QEMU 7.2 prints for the same
 * command lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ctl/check.h"
#include "tests/unit/ctl/run.h"

#define USER(n) n ": index=0,type=user,net=10.0.2.0,restrict=off\n"
#define E1000(n, mac) n ": index=0,type=nic,model=e1000,macaddr=" mac "\n"
#define MAC(b) "52:54:00:12:34:" b

static void test_default_network(void)
{
	RUN_CHECK(NETCONF_OK,
		  "hub 0\n"
		  " \\ hub0port1: " USER("#netN")
		  " \\ hub0port0: " E1000("e1000.0", MAC("56")),
		  "", NULL);
	/* -device does not replace the default network, and no warnings */
	RUN_CHECK(NETCONF_OK,
		  "hub 0\n"
		  " \\ hub0port1: " USER("#netN")
		  " \\ hub0port0: " E1000("e1000.0", MAC("56"))
		  E1000("e1000.1", MAC("57")),
		  "", "-device", "e1000");
	RUN_CHECK(NETCONF_OK, "", "", "-nodefaults");
	RUN_CHECK(NETCONF_OK, "", "", "-nic", "none");
	RUN_CHECK(NETCONF_OK, "", "", "-net", "none");
	RUN_CHECK(NETCONF_OK, E1000("e1000.0", MAC("56")),
		  "qnet: warning: nic e1000.0 has no peer\n",
		  "-nodefaults", "-device", "e1000");
}

static void test_nic_option(void)
{
	RUN_CHECK(NETCONF_OK,
		  E1000("e1000.0", MAC("56")) " \\ " USER("#netN")
		  "virtio-net-pci.0: index=0,type=nic,model=virtio-net-pci,"
		  "macaddr=" MAC("57") "\n"
		  " \\ x: index=0,type=user,net=10.0.2.0,restrict=off\n",
		  "", "-nic", "user", "-nic", "user,model=virtio,id=x");
	RUN_ERR("qnet: -nic user,mac=01:00:00:00:00:01: NIC cannot have "
		"multicast MAC address\n", "-nic",
		"user,mac=01:00:00:00:00:01");
	RUN_ERR("qnet: -nic user,mac=zz: invalid syntax for ethernet "
		"address\n", "-nic", "user,mac=zz");
	RUN_ERR("qnet: Unsupported NIC model: foo\n", "-nic",
		"user,model=foo");
	RUN_ERR("qnet: -nic nic: network backend 'nic' is not compiled into "
		"this binary\n", "-nic", "nic");
	RUN_ERR("qnet: -nic help: Parameter 'type' does not accept value "
		"'help'\n", "-nic", "help");
	RUN_CHECK(NETCONF_OK,
		  "hub 0\n \\ #netN: " E1000("e1000.0", MAC("56")),
		  "qnet: warning: hub 0 is not connected to host network\n",
		  "-nic", "hubport,hubid=0");
	/* nine NICs: QEMU has eight slots */
	RUN_ERR("qnet: -nic user: no more on-board/default NIC slots "
		"available\n", "-nic", "user", "-nic", "user", "-nic", "user",
		"-nic", "user", "-nic", "user", "-nic", "user", "-nic", "user",
		"-nic", "user", "-nic", "user");
}

static void test_net_option(void)
{
	RUN_CHECK(NETCONF_OK,
		  "hub 0\n"
		  " \\ hub0port2: rtl8139.0: index=0,type=nic,model=rtl8139,"
		  "macaddr=" MAC("57") "\n"
		  " \\ hub0port1: " USER("#netN")
		  " \\ hub0port0: " E1000("e1000.0", MAC("56")),
		  "", "-net", "nic", "-net", "user", "-net",
		  "nic,model=rtl8139");
	RUN_CHECK(NETCONF_OK, "hub 0\n \\ hub0port0: " USER("#netN"),
		  "qnet: warning: hub 0 with no nics\n", "-net", "user");
	RUN_ERR("qnet: -net hubport,hubid=1: network backend 'hubport' is "
		"only supported with -netdev/-nic\n", "-net",
		"hubport,hubid=1");
	RUN_ERR("qnet: -net nic,macaddr=01:00:00:00:00:01: NIC cannot have "
		"multicast MAC address (odd 1st byte)\n",
		"-net", "nic,macaddr=01:00:00:00:00:01");
	RUN_ERR("qnet: -net nic,mac=zz: Invalid parameter 'mac'\n",
		"-net", "nic,mac=zz");
	RUN_ERR("qnet: -net user,id=a: Duplicate ID 'a'\n",
		"-net", "user,id=a", "-netdev", "user,id=a");
	/* QEMU aborts on this one; qnet reports it */
	RUN_ERR("qnet: -net nic,netdev=u1: Property 'e1000.netdev' can't take"
		" value 'u1', it's in use\n",
		"-net", "nic", "-net", "user,id=u1", "-net", "nic,netdev=u1");
}

static void test_macs(void)
{
	/* -nic, then -net, then -device; explicit MACs are skipped only
	 * once they are seen */
	RUN_CHECK(NETCONF_OK,
		  "hub 0\n"
		  " \\ hub0port0: " E1000("e1000.1", MAC("57"))
		  E1000("e1000.0", MAC("56")) " \\ " USER("#netN")
		  E1000("e1000.2", MAC("57"))
		  E1000("e1000.3", MAC("58")),
		  "qnet: warning: hub 0 is not connected to host network\n"
		  "qnet: warning: nic e1000.2 has no peer\n"
		  "qnet: warning: nic e1000.3 has no peer\n",
		  "-device", "e1000,mac=52:54:00:12:34:57", "-nic", "user",
		  "-net", "nic", "-device", "e1000");
	/* -device accepts a multicast MAC (QEMU does) */
	RUN_CHECK(NETCONF_OK, E1000("e1000.0", "01:00:00:00:00:01"),
		  "qnet: warning: nic e1000.0 has no peer\n", "-nodefaults",
		  "-device", "e1000,mac=01:00:00:00:00:01");
	RUN_ERR("qnet: -device e1000,mac=52:54:00:12:34:5: Property "
		"'e1000.mac' doesn't take value '52:54:00:12:34:5'\n",
		"-nodefaults", "-device", "e1000,mac=52:54:00:12:34:5");
	/* -nic takes a short form: a number sets the last three bytes */
	RUN_CHECK(NETCONF_OK, E1000("e1000.0", MAC("05")) " \\ " USER("#netN"),
		  "", "-nodefaults", "-nic", "user,mac=52:54:00:12:34:5");
}

static void test_devices(void)
{
	RUN_CHECK(NETCONF_OK,
		  E1000("e1000.0", MAC("56"))
		  " \\ n0: index=0,type=user,net=10.0.2.0,restrict=off\n",
		  "", "-netdev", "user,id=n0", "-device", "e1000,netdev=n0");
	RUN_ERR("qnet: -device e1000,netdev=missing: Property 'e1000.netdev' "
		"can't find value 'missing'\n", "-device",
		"e1000,netdev=missing");
	RUN_ERR("qnet: -device rtl8139,netdev=n0: Property 'rtl8139.netdev' "
		"can't take value 'n0', it's in use\n", "-netdev", "user,id=n0",
		"-device", "e1000,netdev=n0", "-device", "rtl8139,netdev=n0");
	RUN_ERR("qnet: -device foo: 'foo' is not a valid device model "
		"name\n", "-device", "foo");
	RUN_ERR("qnet: -device e1000,foo=bar: Property 'e1000.foo' not "
		"found\n", "-device", "e1000,foo=bar");
	RUN_ERR("qnet: -device netdev=x: Parameter 'driver' is missing\n",
		"-device", "netdev=x");
	RUN_ERR("qnet: -device e1000,id=nic0: Duplicate ID 'nic0' for "
		"device\n", "-device", "e1000,id=nic0", "-device",
		"e1000,id=nic0");
	/* properties are set in QEMU's QDict order: netdev before mac */
	RUN_ERR("qnet: -device virtio-net-pci,mac=zz,netdev=zz: Property "
		"'virtio-net-device.netdev' can't find value 'zz'\n",
		"-nodefaults", "-device", "virtio-net-pci,mac=zz,netdev=zz");
	RUN_ERR("qnet: -device virtio-net-pci,foo=1,mq=maybe: Parameter 'mq' "
		"expects 'on' or 'off'\n", "-nodefaults", "-device",
		"virtio-net-pci,foo=1,mq=maybe");
	RUN_ERR("qnet: -device virtio-net-pci,rx_queue_size=100: Invalid "
		"rx_queue_size (= 100), must be a power of 2 between 256 and "
		"1024.\n", "-nodefaults", "-device",
		"virtio-net-pci,rx_queue_size=100");
	/* qnet's own: how frames from a tap reach the guest's buffers */
	RUN_ERR("qnet: -device virtio-net-pci,vhost-user-rx=fast: Parameter "
		"'vhost-user-rx' does not accept value 'fast'\n", "-nodefaults",
		"-device", "virtio-net-pci,vhost-user-rx=fast");
	RUN_ERR("qnet: -device {\"driver\":\"virtio-net-pci\",\"mq\":\"on\"}: "
		"Invalid parameter type for 'mq', expected: boolean\n",
		"-nodefaults", "-device",
		"{\"driver\":\"virtio-net-pci\",\"mq\":\"on\"}");
	RUN_CHECK(NETCONF_OK,
		  "x: index=0,type=nic,model=e1000,macaddr=52:54:00:00:00:01\n",
		  "qnet: warning: nic x has no peer\n", "-nodefaults",
		  "-device",
		  "{\"driver\":\"e1000\",\"id\":\"x\",\"mac\":"
		  "\"52:54:00:00:00:01\"}");
	RUN_ERR("qnet: -device virtio: 'virtio' is not a valid device model "
		"name\n", "-device", "virtio-net", "-device", "virtio");
}

static void test_multiqueue(void)
{
	RUN_CHECK(NETCONF_OK,
		  "virtio-net-pci.0: index=0,type=nic,model=virtio-net-pci,"
		  "macaddr=" MAC("56") "\n"
		  " \\ t0: index=0,type=tap,ifname=tap0,script=no,"
		  "downscript=no\n"
		  "virtio-net-pci.1: index=1,type=nic,\n"
		  " \\ t0: index=1,type=tap,ifname=tap0,script=no,"
		  "downscript=no\n",
		  "", "-netdev", "tap,id=t0,queues=2,script=no,downscript=no",
		  "-device", "virtio-net-pci,netdev=t0,mq=on");
	RUN_CHECK(NETCONF_OK,
		  "t: index=0,type=tap,ifname=tap0,script=no,downscript=no\n"
		  "t: index=0,type=tap,ifname=tap0,script=no,downscript=no\n",
		  "qnet: warning: netdev t has no peer\n"
		  "qnet: warning: netdev t has no peer\n",
		  "-netdev", "tap,id=t,queues=2,script=no,downscript=no");
}

static void test_hubs(void)
{
	RUN_CHECK(NETCONF_OK,
		  "hub 2\n \\ p2\nhub 1\n \\ p1\n \\ p0\n",
		  "qnet: warning: hub port p2 has no peer\n"
		  "qnet: warning: hub port p1 has no peer\n"
		  "qnet: warning: hub port p0 has no peer\n"
		  "qnet: warning: netdev p0 has no peer\n"
		  "qnet: warning: netdev p1 has no peer\n"
		  "qnet: warning: netdev p2 has no peer\n",
		  "-netdev", "hubport,id=p0,hubid=1", "-netdev",
		  "hubport,id=p1,hubid=1", "-netdev", "hubport,id=p2,hubid=2");
	RUN_CHECK(NETCONF_OK,
		  "hub 1\n \\ p1\n"
		  " \\ p0: u: index=0,type=user,net=10.0.2.0,restrict=off\n"
		  E1000("e1000.0", MAC("56"))
		  " \\ u2: index=0,type=user,net=10.0.2.0,restrict=off\n",
		  "qnet: warning: hub port p1 has no peer\n"
		  "qnet: warning: hub 1 with no nics\n"
		  "qnet: warning: netdev p1 has no peer\n",
		  "-netdev", "user,id=u", "-netdev", "hubport,id=p0,hubid=1,"
		  "netdev=u", "-netdev", "hubport,id=p1,hubid=1", "-netdev",
		  "user,id=u2", "-device", "e1000,netdev=u2");
	RUN_ERR("qnet: -netdev hubport,id=p0,hubid=1,netdev=u: netdev 'u' not"
		" found\n", "-netdev", "hubport,id=p0,hubid=1,netdev=u",
		"-netdev", "user,id=u");
	RUN_ERR("qnet: -netdev hubport,id=p2,hubid=2,netdev=n0: netdev 'n0' "
		"is already in use\n", "-netdev", "user,id=n0", "-netdev",
		"hubport,id=p1,hubid=1,netdev=n0", "-netdev",
		"hubport,id=p2,hubid=2,netdev=n0");
	/* -netdev hubport and -net share hub 0; port numbers continue */
	RUN_CHECK(NETCONF_OK,
		  "hub 0\n \\ hub0port1: " E1000("e1000.0", MAC("56"))
		  " \\ h0\n",
		  "qnet: warning: hub port h0 has no peer\n"
		  "qnet: warning: hub 0 is not connected to host network\n"
		  "qnet: warning: netdev h0 has no peer\n",
		  "-netdev", "hubport,id=h0,hubid=0", "-net", "nic");
}

static void test_error_order(void)
{
	/* an unknown option is found before anything is read */
	RUN_ERR("qnet: -foo: invalid option\n", "-netdev", "user", "-foo");
	RUN_ERR("qnet: -netdev: requires an argument\n", "-netdev");
	/* parse-time errors come in command-line order */
	RUN_ERR("qnet: -netdev user,id=b: Duplicate ID 'b' for netdev\n",
		"-netdev", "user,id=a,foo=bar", "-netdev", "user,id=b",
		"-netdev", "user,id=b");
	/* JSON and stream/dgram netdevs are created before the others */
	RUN_ERR("qnet: -netdev user,id=a: Duplicate ID 'a'\n",
		"-netdev", "user,id=a", "-netdev", "{\"type\":\"user\","
		"\"id\":\"a\"}");
	RUN_ERR("qnet: -netdev user,id=a,foo=bar: Invalid parameter 'foo'\n",
		"-nic", "model=help", "-netdev", "user,id=a,foo=bar");
	/* filters come before the board's NICs, without location */
	RUN_ERR("qnet: Parameter 'netdev' expects a network backend id\n",
		"-nic", "user,model=help", "-object",
		"filter-dump,id=f,netdev=zz,file=/tmp/x");
	RUN_ERR("qnet: -netdev user,id=a,foo=bar: Invalid parameter 'foo'\n",
		"-netdev", "user,id=a,foo=bar", "-device", "e1000,foo=bar");
	/* warnings of the parse come first, then those of the build */
	RUN_CHECK(NETCONF_OK, USER("a")
		  "a2: index=0,type=user,net=10.0.2.0,restrict=on\n",
		  "qnet: -netdev user,id=a2,restrict: warning: short-form "
		  "boolean option 'restrict' deprecated\n"
		  "Please use restrict=on instead\n"
		  "qnet: warning: netdev a has no peer\n"
		  "qnet: warning: netdev a2 has no peer\n",
		  "-netdev", "user,id=a,restrict=off", "-netdev",
		  "user,id=a2,restrict", "-nodefaults");
}

static void test_user(void)
{
	RUN_CHECK(NETCONF_OK,
		  "u: index=0,type=user,net=10.0.3.0,restrict=on\n",
		  "qnet: warning: netdev u has no peer\n",
		  "-netdev", "user,id=u,net=10.0.3.5/24,restrict=y");
	RUN_ERR("qnet: -netdev user,id=u,hostfwd=tcp::bad: Invalid host "
		"forwarding rule 'tcp::bad' (Bad host port separator)\n",
		"-netdev", "user,id=u,hostfwd=tcp::bad");
	RUN_ERR("qnet: -netdev user,id=u,dns=10.0.2.2: DNS must be different "
		"from host\n", "-netdev", "user,id=u,dns=10.0.2.2");
	RUN_ERR("qnet: -netdev user,id=u,ipv4=off,ipv6=off: IPv4 and IPv6 "
		"disabled\n", "-netdev", "user,id=u,ipv4=off,ipv6=off");
	RUN_ERR("qnet: -netdev user,id=u,net=10.0.3.0/33: Invalid netmask "
		"provided (must be in range 4-32)\n", "-netdev",
		"user,id=u,net=10.0.3.0/33");
	RUN_ERR("qnet: -netdev tap,id=a,ipv6-net=fec0::/48: Invalid parameter "
		"'ipv6-prefixlen'\n", "-netdev", "tap,id=a,ipv6-net=fec0::/48");
	RUN_CHECK(NETCONF_OK, USER("u"),
		  "qnet: -netdev user,id=u,dnssearch=a..b: warning: Slirp: "
		  "failed to parse domain name 'a..b'\n\n"
		  "qnet: warning: netdev u has no peer\n",
		  "-netdev", "user,id=u,dnssearch=a..b");
}

static void test_backend_checks(void)
{
	/* forwarding rules are checked last first, guestfwd before hostfwd */
	RUN_ERR("qnet: -netdev user,id=n0,hostfwd=tcp::bad,hostfwd=tcp::5555-:x"
		": Invalid host forwarding rule 'tcp::5555-:x' (Bad guest "
		"port)\n", "-netdev",
		"user,id=n0,hostfwd=tcp::bad,hostfwd=tcp::5555-:x");
	RUN_ERR("qnet: -netdev user,id=n0,hostfwd=tcp::bad,guestfwd=udp:a:1-b"
		": Invalid guest forwarding rule 'udp:a:1-b'\n", "-netdev",
		"user,id=n0,hostfwd=tcp::bad,guestfwd=udp:a:1-b");
	RUN_ERR("qnet: -netdev socket,id=s0: exactly one of listen=, connect=,"
		" mcast= or udp= is required\n", "-netdev", "socket,id=s0");
	RUN_ERR("qnet: -netdev socket,id=s0,udp=127.0.0.1:1234: localaddr= is "
		"mandatory with udp=\n", "-netdev",
		"socket,id=s0,udp=127.0.0.1:1234");
	RUN_ERR("qnet: -netdev socket,id=s0,listen=bogus: host address 'bogus'"
		" doesn't contain ':' separating host from port\n", "-netdev",
		"socket,id=s0,listen=bogus");
	RUN_ERR("qnet: -netdev socket,id=s0,fd=bogus: Invalid file descriptor "
		"number 'bogus'\n", "-netdev", "socket,id=s0,fd=bogus");
	RUN_ERR("qnet: -netdev tap,id=t0,fd=3,ifname=x: ifname=, script=, "
		"downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= "
		"are invalid with fd=\n", "-netdev", "tap,id=t0,fd=3,ifname=x");
	RUN_ERR("qnet: -net tap,queues=2: Multiqueue tap cannot be used with "
		"hubs\n", "-net", "tap,queues=2", "-net", "nic");
	RUN_ERR("qnet: -netdev dgram,id=d: dgram requires local= parameter\n",
		"-netdev", "dgram,id=d");
	RUN_ERR("qnet: -netdev vhost-user,id=v,chardev=c0: chardev \"c0\" not "
		"found\n", "-netdev", "vhost-user,id=v,chardev=c0");
	/* the scripts run for the first queue only */
	RUN_CHECK(NETCONF_OK,
		  "virtio-net-pci.0: index=0,type=nic,model=virtio-net-pci,"
		  "macaddr=" MAC("56") "\n"
		  " \\ t: index=0,type=tap,ifname=tap0,script=/etc/qemu-ifup,"
		  "downscript=/etc/qemu-ifdown\n"
		  "virtio-net-pci.1: index=1,type=nic,\n"
		  " \\ t: index=1,type=tap,ifname=tap0,script=no,"
		  "downscript=no\n"
		  E1000("e1000.0", MAC("57"))
		  " \\ t2: index=0,type=tap,ifname=tap1,script=no,"
		  "downscript=no\n",
		  "", "-nodefaults", "-netdev", "tap,id=t,queues=2", "-netdev",
		  "tap,id=t2,script=no,downscript=no", "-device",
		  "virtio-net-pci,netdev=t", "-device", "e1000,netdev=t2");
}

static void test_filters(void)
{
	RUN_CHECK(NETCONF_OK,
		  USER("u1")
		  "filters:\n"
		  "  - f2: type=filter-buffer,interval=1000,position=head,"
		  "status=on,insert=behind,netdev=u1,queue=all\n"
		  "  - f3: type=filter-buffer,interval=5,position=id=f1,"
		  "status=on,insert=before,netdev=u1,queue=all\n"
		  "  - f1: type=filter-dump,file=/tmp/d,maxlen=100,"
		  "position=tail,status=off,insert=behind,netdev=u1,queue=rx\n",
		  "qnet: warning: netdev u1 has no peer\n",
		  "-netdev", "user,id=u1", "-object",
		  "filter-dump,id=f1,netdev=u1,file=/tmp/d,maxlen=100,queue=rx,"
		  "status=off", "-object", "filter-buffer,id=f2,netdev=u1,"
		  "interval=1000,position=head", "-object",
		  "filter-buffer,id=f3,netdev=u1,interval=5,position=id=f1,"
		  "insert=before");
	RUN_ERR("qnet: Invalid value for netfilter status, should be 'on' or "
		"'off'\n", "-netdev", "user,id=u1", "-object",
		"filter-dump,id=f,netdev=u1,file=/tmp/x,maxlen=0,status=foo");
	RUN_ERR("qnet: Property 'filter-buffer.interval' requires a positive "
		"value\n", "-netdev", "user,id=u1", "-object",
		"filter-buffer,id=f,netdev=u1,interval=0,position=foo");
	RUN_ERR("qnet: filter 'zz' not found\n", "-netdev", "user,id=u1",
		"-object", "filter-dump,id=f,netdev=u1,file=/x,position=id=zz");
	RUN_ERR("qnet: -object filter-dump,id=f,netdev=n,bad=1: Parameter "
		"'file' is missing\n", "-netdev", "user,id=a", "-object",
		"filter-dump,id=f,netdev=n,bad=1");
	RUN_ERR("qnet: -object filter-bogus,id=f: Parameter 'qom-type' does "
		"not accept value 'filter-bogus'\n", "-object",
		"filter-bogus,id=f");
	RUN_CHECK(-ENOENT, "", "qnet: Device 'c0' not found\n", "-netdev",
		  "user,id=u1", "-object",
		  "filter-mirror,id=m,netdev=u1,outdev=c0");
	RUN_ERR("qnet: Device 'c0' is in use\n", "-chardev",
		"socket,id=c0,path=/tmp/m.sock,server=on,wait=off", "-netdev",
		"user,id=u1", "-object", "filter-mirror,id=m,netdev=u1,"
		"outdev=c0", "-object", "filter-redirector,id=r,netdev=u1,"
		"indev=c0");
	RUN_ERR("qnet: -object memory-backend-ram,id=m,size=1M: object type "
		"'memory-backend-ram' is not supported by qnet (it handles "
		"filter-buffer, filter-dump, filter-mirror, "
		"filter-redirector, qnet-filter)\n", "-object",
		"memory-backend-ram,id=m,size=1M");
}

static void test_help(void)
{
	struct run r = run_argv("-netdev", "help", NULL);

	CHECK_EQ_INT(r.status, NETCONF_HELP);
	CHECK_STR(r.out, "Available netdev backend types:\nsocket\nstream\n"
		  "dgram\nhubport\ntap\nuser\nl2tpv3\nvde\nbridge\naf-xdp\n"
		  "vhost-user\nvhost-vdpa\n");
	run_free(&r);
	r = run_argv("-nic", "model=help", NULL);
	CHECK_EQ_INT(r.status, NETCONF_HELP);
	CHECK(!strncmp(r.out, "Supported NIC models:\ne1000\ne1000-82544gc\n",
		       41));
	CHECK(strstr(r.out, "\nrtl8139\ntulip\nvirtio-net-pci\n") != NULL);
	CHECK(strstr(r.out, "ne2k_isa") == NULL);
	run_free(&r);
	r = run_argv("-device", "rtl8139,help", NULL);
	CHECK_EQ_INT(r.status, NETCONF_HELP);
	CHECK(strstr(r.out, "rtl8139 options:\n"
		     "  acpi-index=<uint32>    -  (default: 0)\n"
		     "  addr=<int32>           - Slot and optional function "
		     "number, example: 06.0 or 06 (default: -1)\n"
		     "  bootindex=<int32>\n") == r.out);
	run_free(&r);
	r = run_argv("-object", "filter-dump,help", NULL);
	CHECK_STR(r.out, "filter-dump options:\n  file=<string>\n"
		  "  insert=<string>\n  maxlen=<uint32>\n  netdev=<string>\n"
		  "  position=<string>\n  queue=<NetFilterDirection>\n"
		  "  status=<string>\n");
	run_free(&r);
	/* help after an error in an earlier option: the error wins */
	RUN_ERR("qnet: -netdev user,id=a,foo=bar: Invalid parameter 'foo'\n",
		"-netdev", "user,id=a,foo=bar", "-netdev", "help");
}

static void test_process_options(void)
{
	struct run r = run_argv("-monitor", "unix:/tmp/m,server=on",
				"-qmp", "stdio", "-qmp", "unix:/tmp/q",
				"-runas", "nobody", "-M", "pc", "-S",
				"-nodefaults", NULL);

	CHECK_EQ_INT(r.status, NETCONF_OK);
	CHECK_EQ_INT(r.nc->nmonitors, 1);
	CHECK_EQ_INT(r.nc->nqmps, 2);
	CHECK_STR(r.nc->qmps[1], "unix:/tmp/q");
	CHECK_STR(r.nc->runas, "nobody");
	CHECK(r.nc->dry_run);
	CHECK(r.nc->nodefaults);
	CHECK_EQ_INT(r.nc->nvmm_args, 3);
	run_free(&r);
	RUN_ERR("qnet: x: unexpected argument (qnet takes options only)\n",
		"x");
}

static void test_model_api(void)
{
	struct run r = run_argv("-netdev", "user,id=n0", "-device",
				"virtio-net-pci,netdev=n0,id=v0,mac="
				"52:54:00:aa:bb:cc,mrg_rxbuf=off", NULL);
	struct netconf_netdev *nd = netconf_find_netdev(r.nc, "n0");
	struct netconf_nic *nic = netconf_find_nic(r.nc, "v0");

	CHECK(nd && nic);
	if (nd && nic) {
		CHECK(nic->netdev == nd);
		CHECK(nic->queues[0]->peer == nd->queues[0]);
		CHECK(nic->mac[3] == 0xaa);
		CHECK(!netconf_opt_bool(nic->props, "mrg_rxbuf", true));
		CHECK(netconf_opt_bool(nic->props, "csum", true));
		CHECK_STR(nd->type->name, "user");
		CHECK(nd->is_netdev);
		CHECK_STR(netconf_opt_str(nd->opts, "id"), "n0");
	}
	CHECK(netconf_find_netdev(r.nc, "v0") == NULL);
	run_free(&r);
}

static bool only_user(const char *type, void *arg)
{
	(void)arg;
	return !strcmp(type, "user");
}

static void test_implemented(void)
{
	struct run r = run_argv("-net", "nic", "-net", "user", "-netdev",
				"vde,id=v", "-netdev", "tap,id=t", NULL);
	struct strbuf sb = STRBUF_INIT;

	CHECK_EQ_INT(r.status, NETCONF_OK);
	diag_reset(&r.nc->diag);
	CHECK_EQ_INT(netconf_check_implemented(r.nc, only_user, NULL),
		     -EOPNOTSUPP);
	diag_format_all(&r.nc->diag, "qnet", &sb);
	CHECK_STR(strbuf_str(&sb), "qnet: -netdev vde,id=v: netdev type 'vde' "
		  "is not implemented yet\n");
	strbuf_free(&sb);
	run_free(&r);
}

int main(void)
{
	RUN(test_default_network);
	RUN(test_nic_option);
	RUN(test_net_option);
	RUN(test_macs);
	RUN(test_devices);
	RUN(test_multiqueue);
	RUN(test_hubs);
	RUN(test_error_order);
	RUN(test_user);
	RUN(test_backend_checks);
	RUN(test_filters);
	RUN(test_help);
	RUN(test_process_options);
	RUN(test_model_api);
	RUN(test_implemented);
	return check_report();
}
