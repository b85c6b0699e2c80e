/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ucases.h: -netdev user option cases with QEMU 7.2's answers, shared by the config and oracle tests. */
#ifndef QNET_TESTS_UCASES_H
#define QNET_TESTS_UCASES_H

/*
 * Each case is what follows "user,id=n0," on the command line ("@256" and
 * "@255" stand for that many 'a's).  want is "info:TEXT" (what `info
 * network` shows after "n0: index=0,type=user,") or "err:TEXT" (QEMU's
 * error after "-netdev OPTS: ").  test_user_config checks qnet gives these
 * answers; test_user_oracle checks QEMU 7.2 gives them too, except for
 * UC_QNET cases, where qnet extends or corrects QEMU on purpose.
 * UC_OPEN: the error comes when the netdev starts (user_open), not from
 * the option checks.
 */

#define UC_QNET 1u
#define UC_OPEN 2u

struct ucase {
	const char *opts;
	const char *want;
	unsigned int flags;
};

/* clang-format off */
static const struct ucase ucases[] = {
	{ "", "info:net=10.0.2.0,restrict=off", 0 },
	{ "dns=10.0.2.2", "err:DNS must be different from host", 0 },
	{ "ipv4=off,ipv6=off", "err:IPv4 and IPv6 disabled", 0 },
	{ "ipv4=off,net=10.0.0.0/8", "err:IPv4 disabled but netmask/host/dns provided", 0 },
	{ "ipv4=off,dns=10.0.2.3", "err:IPv4 disabled but netmask/host/dns provided", 0 },
	{ "ipv6=off,ipv6-net=fec0::/64", "err:IPv6 disabled but prefix/host6/dns6 provided", 0 },
	{ "ipv6=on,net=10.0.0.0/8", "err:IPv4 disabled but netmask/host/dns provided", 0 },
	{ "ipv4=on,ipv6-host=fec0::5", "err:IPv6 disabled but prefix/host6/dns6 provided", 0 },
	{ "ipv4=off,ipv6=on", "info:net=10.0.2.0,restrict=off", 0 },
	{ "net=bad", "err:Failed to parse netmask", 0 },
	{ "net=10.0.0.0/33", "err:Invalid netmask provided (must be in range 4-32)", 0 },
	{ "net=10.0.0.0/3", "err:Invalid netmask provided (must be in range 4-32)", 0 },
	{ "net=10.0.0.0/", "err:Invalid netmask provided (must be in range 4-32)", 0 },
	{ "net=10.0.0.0/255.255.0.0", "info:net=10.0.0.0,restrict=off", 0 },
	{ "net=10.0.0.0/255.x", "err:Failed to parse netmask (trailing chars)", 0 },
	{ "net=10.0.0.0/24x", "err:Failed to parse netmask (trailing chars)", 0 },
	{ "net=172.20.0.0", "info:net=172.16.0.0,restrict=off", 0 },
	{ "net=192.168.76.0", "info:net=192.168.0.0,restrict=off", 0 },
	{ "net=10.9.8.7/20", "info:net=10.9.0.0,restrict=off", 0 },
	{ "net=10.0.2.0/30", "err:DHCP must be different from host and DNS", 0 },
	{ "net=10.0.2.0/32", "err:DNS must be different from host", 0 },
	{ "ip=10.1.0.0", "info:net=10.1.0.0,restrict=off", 0 },
	{ "ip=bad", "err:Failed to parse netmask", 0 },
	{ "ip=10.0.0.0,net=10.1.0.0", "info:net=10.0.0.0,restrict=off", 0 },
	{ "host=10.0.3.2", "err:Host doesn't belong to network", 0 },
	{ "host=bad", "err:Failed to parse host", 0 },
	{ "host=10.0.2.9", "info:net=10.0.2.0,restrict=off", 0 },
	{ "dns=bad", "err:Failed to parse DNS", 0 },
	{ "restrict=on,dns=10.0.3.3", "err:DNS doesn't belong to network", 0 },
	{ "dns=10.0.3.3", "info:net=10.0.2.0,restrict=off", 0 },
	{ "dhcpstart=10.0.3.15", "err:DHCP doesn't belong to network", 0 },
	{ "dhcpstart=10.0.2.3", "err:DHCP must be different from host and DNS", 0 },
	{ "dhcpstart=bad", "err:Failed to parse DHCP start address", 0 },
	{ "dns=10.0.2.15", "err:DHCP must be different from host and DNS", 0 },
	{ "smbserver=bad", "err:Failed to parse SMB address", 0 },
	{ "ipv6-net=bad", "err:Failed to parse IPv6 prefix", 0 },
	{ "ipv6-prefix=bad", "err:Failed to parse IPv6 prefix", 0 },
	{ "ipv6-prefixlen=127", "err:Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)", 0 },
	{ "ipv6-prefixlen=-1", "err:Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)", 0 },
	{ "ipv6-prefixlen=0", "info:net=10.0.2.0,restrict=off", 0 },
	{ "ipv6-prefixlen=x", "err:Parameter 'ipv6-prefixlen' expects an int64 value", 0 },
	{ "ipv6-prefixlen=", "err:Parameter 'ipv6-prefixlen' expects an int64 value", 0 },
	{ "ipv6-prefixlen=64 ", "err:Parameter 'ipv6-prefixlen' expects an int64 value", 0 },
	{ "ipv6-prefixlen=0x40", "info:net=10.0.2.0,restrict=off", 0 },
	{ "ipv6-prefixlen=4294967360", "info:net=10.0.2.0,restrict=off", 0 },
	{ "ipv6-net=fec0::/x", "err:Parameter 'ipv6-prefixlen' expects a number", 0 },
	{ "ipv6-net=fec0::/", "err:Parameter 'ipv6-prefixlen' expects a number", 0 },
	{ "ipv6-net=fec0::/0x40", "err:Parameter 'ipv6-prefixlen' expects a number", 0 },
	{ "ipv6-net=fec0::/200", "err:Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)", 0 },
	{ "ipv6-net=fec0::/-1", "err:Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)", 0 },
	{ "ipv6-net=fec1::/48,ipv6-prefixlen=127", "info:net=10.0.2.0,restrict=off", 0 },
	{ "ipv6-net=fec1::/48,ipv6-prefix=fec2::,ipv6-host=fec1::2", "info:net=10.0.2.0,restrict=off", 0 },
	{ "ipv6-host=bad", "err:Failed to parse IPv6 host", 0 },
	{ "ipv6-host=fec1::2", "err:IPv6 Host doesn't belong to network", 0 },
	{ "ipv6-dns=bad", "err:Failed to parse IPv6 DNS", 0 },
	{ "restrict=on,ipv6-dns=fec1::3", "err:IPv6 DNS doesn't belong to network", 0 },
	{ "domainname=", "err:'domainname' parameter cannot be empty", 0 },
	{ "domainname=@256", "err:'domainname' parameter cannot exceed 255 bytes", 0 },
	{ "hostname=@256", "err:'vhostname' parameter cannot exceed 255 bytes", 0 },
	{ "tftp-server-name=@256", "err:'tftp-server-name' parameter cannot exceed 255 bytes", 0 },
	{ "hostname=@255,domainname=@255", "info:net=10.0.2.0,restrict=off", 0 },
	{ "restrict=bogus", "err:Parameter 'restrict' expects 'on' or 'off'", 0 },
	{ "restrict=ON", "err:Parameter 'restrict' expects 'on' or 'off'", 0 },
	{ "restrict=", "err:Parameter 'restrict' expects 'on' or 'off'", 0 },
	{ "restrict=y", "info:net=10.0.2.0,restrict=on", 0 },
	{ "ipv4=bogus,restrict=bogus", "err:Parameter 'restrict' expects 'on' or 'off'", 0 },
	{ "ipv6-prefixlen=x,ipv6=bogus", "err:Parameter 'ipv6' expects 'on' or 'off'", 0 },
	{ "ipv6-net=fec0::/x,restrict=bogus", "err:Parameter 'ipv6-prefixlen' expects a number", 0 },
	{ "net=10.0.0.0/8,restrict=yes", "info:net=10.0.0.0,restrict=on", 0 },
	{ "net=10.0.2.0/24,net=10.9.0.0", "info:net=10.0.0.0,restrict=off", 0 },
	{ "tftp=/nonexist,bootfile=x,dnssearch=a.b,dnssearch=c,domainname=d", "info:net=10.0.2.0,restrict=off", 0 },
	{ "hostfwd=tcp::bad", "err:Invalid host forwarding rule 'tcp::bad' (Bad host port separator)", 0 },
	{ "hostfwd=bad", "err:Invalid host forwarding rule 'bad' (No : separators)", 0 },
	{ "hostfwd=x::1-:2", "err:Invalid host forwarding rule 'x::1-:2' (Bad protocol name)", 0 },
	{ "hostfwd=UDP::5-:6", "err:Invalid host forwarding rule 'UDP::5-:6' (Bad protocol name)", 0 },
	{ "hostfwd=tcp:1.2.3.x:5-:6", "err:Invalid host forwarding rule 'tcp:1.2.3.x:5-:6' (Bad host address)", 0 },
	{ "hostfwd=tcp: 127.0.0.1:5-:6", "err:Invalid host forwarding rule 'tcp: 127.0.0.1:5-:6' (Bad host address)", 0 },
	{ "hostfwd=tcp::x-:6", "err:Invalid host forwarding rule 'tcp::x-:6' (Bad host port)", 0 },
	{ "hostfwd=tcp::70000-:6", "err:Invalid host forwarding rule 'tcp::70000-:6' (Bad host port)", 0 },
	{ "hostfwd=tcp::99999999999999999999-:6", "err:Invalid host forwarding rule 'tcp::99999999999999999999-:6' (Bad host port)", 0 },
	{ "hostfwd=tcp::5 -:6", "err:Invalid host forwarding rule 'tcp::5 -:6' (Bad host port)", 0 },
	{ "hostfwd=tcp:1.2.3.4:5", "err:Invalid host forwarding rule 'tcp:1.2.3.4:5' (Bad host port separator)", 0 },
	{ "hostfwd=tcp::5-6", "err:Invalid host forwarding rule 'tcp::5-6' (Missing guest address)", 0 },
	{ "hostfwd=tcp::5-x:6", "err:Invalid host forwarding rule 'tcp::5-x:6' (Bad guest address)", 0 },
	{ "hostfwd=tcp::-1-:6", "err:Invalid host forwarding rule 'tcp::-1-:6' (Bad guest address)", 0 },
	{ "hostfwd=tcp::5--:6", "err:Invalid host forwarding rule 'tcp::5--:6' (Bad guest address)", 0 },
	{ "hostfwd=tcp::5-:0", "err:Invalid host forwarding rule 'tcp::5-:0' (Bad guest port)", 0 },
	{ "hostfwd=tcp::5-:x", "err:Invalid host forwarding rule 'tcp::5-:x' (Bad guest port)", 0 },
	{ "hostfwd=tcp::5-:70000", "err:Invalid host forwarding rule 'tcp::5-:70000' (Bad guest port)", 0 },
	{ "hostfwd=tcp::5-:6-7", "err:Invalid host forwarding rule 'tcp::5-:6-7' (Bad guest port)", 0 },
	{ "hostfwd=tcp::5-:6 ", "err:Invalid host forwarding rule 'tcp::5-:6 ' (Bad guest port)", 0 },
	{ "hostfwd=tcp::5-:", "err:Invalid host forwarding rule 'tcp::5-:' (Bad guest port)", 0 },
	{ "hostfwd=tcp:127.0.0.1:0-:6,hostfwd=udp:127.0.0.1:0x0-:0x10,hostfwd=:127.0.0.1 : 0-10.0.2.15 :+6", "info:net=10.0.2.0,restrict=off", 0 },
	{ "hostfwd=bad1,hostfwd=bad2", "err:Invalid host forwarding rule 'bad2' (No : separators)", 0 },
	{ "hostfwd=bad1,guestfwd=bad2", "err:Invalid guest forwarding rule 'bad2'", 0 },
	{ "guestfwd=bad2,hostfwd=bad1,dns=10.0.2.2", "err:DNS must be different from host", 0 },
	{ "guestfwd=udp:10.0.2.100:1234-cmd:cat", "err:Invalid guest forwarding rule 'udp:10.0.2.100:1234-cmd:cat'", 0 },
	{ "guestfwd=tcp:10.0.2.100:0-cmd:cat", "err:Invalid guest forwarding rule 'tcp:10.0.2.100:0-cmd:cat'", 0 },
	{ "guestfwd=tcp:10.0.2.100:0x10-cmd:cat", "err:Invalid guest forwarding rule 'tcp:10.0.2.100:0x10-cmd:cat'", 0 },
	{ "guestfwd=tcp:10.0.2.100:1234", "err:Invalid guest forwarding rule 'tcp:10.0.2.100:1234'", 0 },
	{ "guestfwd=tcp:10.0.2.100:1234-cmd:cat", "info:net=10.0.2.0,restrict=off", 0 },
	{ "guestfwd=:10.0.2.100: 1234-cmd:cat,guestfwd=tcp::99-cmd:cat", "info:net=10.0.2.0,restrict=off", 0 },
	{ "guestfwd=tcp:1.2.3.4:1234-cmd:cat", "err:Conflicting/invalid host:port in guest forwarding rule 'tcp:1.2.3.4:1234-cmd:cat'", UC_OPEN },
	{ "guestfwd=tcp:10.0.2.2:1234-cmd:cat", "err:Conflicting/invalid host:port in guest forwarding rule 'tcp:10.0.2.2:1234-cmd:cat'", UC_OPEN },
	{ "hostfwd=tcp:1:5-:6", "err:Could not set up host forwarding rule 'tcp:1:5-:6'", UC_OPEN },
	{ "smb=/tmp", "err:Could not find '/usr/sbin/smbd', please install it", UC_OPEN },
	/* qnet's extensions and corrections */
	{ "hostfwd=unix:rel-:6", "err:Invalid host forwarding rule 'unix:rel-:6' (unix socket path must be absolute)", UC_QNET },
	{ "hostfwd=unix:-:6", "err:Invalid host forwarding rule 'unix:-:6' (Missing unix socket path)", UC_QNET },
	{ "hostfwd=unix:/x", "err:Invalid host forwarding rule 'unix:/x' (Missing - separator)", UC_QNET },
	{ "hostfwd=unix:/etc/passwd-:6", "err:Invalid host forwarding rule 'unix:/etc/passwd-:6' (file exists and it's not unix socket)", UC_QNET },
	{ "hostfwd=tcp:[::1]:0-:6", "info:net=10.0.2.0,restrict=off", UC_QNET },
	{ "hostfwd=udp:[::1]:0-[fec0::15]:6", "info:net=10.0.2.0,restrict=off", UC_QNET },
	{ "hostfwd=tcp:[::1:0-:6", "err:Invalid host forwarding rule 'tcp:[::1:0-:6' (Bad host address)", UC_QNET },
	{ "hostfwd=tcp:[::1]:0-10.0.2.15:6", "err:Invalid host forwarding rule 'tcp:[::1]:0-10.0.2.15:6' (Bad guest address)", UC_QNET },
	{ "hostfwd=tcp:127.0.0.1:0-[fec0::1]:6", "err:Invalid host forwarding rule 'tcp:127.0.0.1:0-[fec0::1]:6' (Bad guest address)", UC_QNET },
	{ "guestfwd=tcp:10.0.2.100:1234-cmd:ca\"t", "err:Invalid guest forwarding command in 'tcp:10.0.2.100:1234-cmd:ca\"t' (empty, or unbalanced quotes)", UC_QNET | UC_OPEN },
	{ "guestfwd=tcp:10.0.2.100:1234-cmd:", "err:Invalid guest forwarding command in 'tcp:10.0.2.100:1234-cmd:' (empty, or unbalanced quotes)", UC_QNET | UC_OPEN },
	{ "mtu=9000,mru=9000", "info:net=10.0.2.0,restrict=off", UC_QNET },
	{ "mtu=20", "err:'mtu' must be between 68 and 65521", UC_QNET },
	{ "mru=65522", "err:'mru' must be between 68 and 65521", UC_QNET },
	{ "mtu=x", "err:Parameter 'mtu' expects an int64 value", UC_QNET },
	{ "dhcp=maybe", "err:Parameter 'dhcp' expects 'on' or 'off'", UC_QNET },
	{ "outbound=bad", "err:Failed to parse outbound address", UC_QNET },
	{ "outbound6=1.2.3.4", "err:Failed to parse outbound IPv6 address", UC_QNET },
	{ "host-loopback=off,dns-proxy=off,dhcp=off,outbound=127.0.0.1,outbound6=::1", "info:net=10.0.2.0,restrict=off", UC_QNET },
};
/* clang-format on */

#define UCASES_N (sizeof(ucases) / sizeof(ucases[0]))

struct uloop;
void ucase_expand(const char *opts, char *out, size_t len);
int ucase_answer(const char *opts, struct uloop *loop, char *out,
		 size_t len);

#endif /* QNET_TESTS_UCASES_H */
