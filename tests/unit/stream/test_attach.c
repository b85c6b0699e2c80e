// SPDX-License-Identifier: GPL-2.0-or-later
/* test_attach.c: the attach= grammar, its error reasons, and the QEMU command lines printed for it. */
#include <errno.h>
#include <string.h>
#include "backends/dgram.h"
#include "backends/socket.h"
#include "backends/stream.h"
#include "devices/vmm_stream.h"
#include "tests/unit/stream/stest.h"

/* Each spelling parses, prints back unchanged, and gives these QEMU lines. */
static const struct {
	const char *spec;
	const char *netdev;	/* -netdev value for QEMU 7.2+ */
	const char *legacy;	/* -netdev socket value, NULL: none */
} good[] = {
	{ "stream:unix:/run/qnet/vm0.sock",
	  "stream,id=n0,server=off,addr.type=unix,addr.path=/run/qnet/vm0.sock",
	  NULL },
	{ "stream:unix:/tmp/a,b@c",
	  "stream,id=n0,server=off,addr.type=unix,addr.path=/tmp/a,,b@c",
	  NULL },
	{ "stream:inet:127.0.0.1:5555",
	  "stream,id=n0,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=5555",
	  "socket,id=n0,connect=127.0.0.1:5555" },
	{ "stream:inet::5555",
	  "stream,id=n0,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=5555",
	  "socket,id=n0,connect=127.0.0.1:5555" },
	{ "stream:inet:[::1]:5555",
	  "stream,id=n0,server=off,addr.type=inet,addr.host=::1,addr.port=5555",
	  "socket,id=n0,connect=[::1]:5555" },
	{ "stream:inet:localhost:0",
	  "stream,id=n0,server=off,addr.type=inet,addr.host=localhost,addr.port=0",
	  "socket,id=n0,connect=localhost:0" },
	{ "stream:fd:3",
	  "stream,id=n0,server=off,addr.type=fd,addr.str=9",
	  "socket,id=n0,fd=9" },
	{ "dgram:unix:/run/q.sock@/run/vm.sock",
	  "dgram,id=n0,local.type=unix,local.path=/run/vm.sock,remote.type=unix,remote.path=/run/q.sock",
	  NULL },
	{ "dgram:inet:127.0.0.1:6000@127.0.0.1:6001",
	  "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=6001,remote.type=inet,remote.host=127.0.0.1,remote.port=6000",
	  "socket,id=n0,udp=127.0.0.1:6000,localaddr=127.0.0.1:6001" },
	{ "dgram:fd:4",
	  "dgram,id=n0,local.type=fd,local.str=9",
	  "socket,id=n0,fd=9" },
};

/* Each malformed value is refused with this reason. */
static const struct {
	const char *spec;
	int err;
	const char *why;
} bad[] = {
	{ "", -EINVAL, "attach= must start with stream: or dgram:" },
	{ "socket:unix:/x", -EINVAL, "attach= must start with stream: or dgram:" },
	{ "stream:", -EINVAL, "address type must be unix:, inet: or fd:" },
	{ "stream:tcp:1.2.3.4:5", -EINVAL, "address type must be unix:, inet: or fd:" },
	{ "stream:unix:", -EINVAL, "empty unix path" },
	{ "stream:unix:/0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789/longer",
	  -ENAMETOOLONG, "unix path longer than 107 bytes" },
	{ "stream:inet:127.0.0.1", -EINVAL, "inet address needs HOST:PORT" },
	{ "stream:inet:5555", -EINVAL, "inet address needs HOST:PORT" },
	{ "stream:inet:::1:5555", -EINVAL, "IPv6 address needs brackets, as in inet:[::1]:5555" },
	{ "stream:inet:[::1:5555", -EINVAL, "unclosed bracket in IPv6 address" },
	{ "stream:inet:host:65536", -EINVAL, "port must be a number from 0 to 65535" },
	{ "stream:inet:host:", -EINVAL, "port must be a number from 0 to 65535" },
	{ "stream:inet:host:12a", -EINVAL, "port must be a number from 0 to 65535" },
	{ "stream:fd:", -EINVAL, "fd must be a decimal number" },
	{ "stream:fd:x3", -EINVAL, "fd must be a decimal number" },
	{ "dgram:unix:/a", -EINVAL, "dgram needs QNET_ADDRESS@VMM_ADDRESS" },
	{ "dgram:unix:/a@", -EINVAL, "empty unix path" },
	{ "dgram:unix:@/b", -EINVAL, "empty unix path" },
	{ "dgram:inet:127.0.0.1:6000@127.0.0.1:0", -EINVAL,
	  "the VMM's address needs a host and a port" },
	{ "dgram:inet:127.0.0.1:6000@:6001", -EINVAL,
	  "the VMM's address needs a host and a port" },
	{ "dgram:fd:3@4", -EINVAL, "a dgram fd takes no second address" },
};

/* Compare strings, printing both when they differ. */
static void check_str(const char *got, const char *want)
{
	if (strcmp(got, want))
		fprintf(stderr, "got  %s\nwant %s\n", got, want);
	ST_CHECK(!strcmp(got, want));
}

static void test_good(void)
{
	struct vmm_stream_config cfg;
	char buf[512];
	const char *why = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ret = vmm_stream_parse(good[i].spec, &cfg, &why);
		if (ret)
			fprintf(stderr, "%s: %s\n", good[i].spec, why);
		ST_EQ(ret, 0);
		ST_EQ(vmm_stream_format(&cfg, buf, sizeof(buf)), 0);
		if (strncmp(good[i].spec, "stream:inet::", 13))
			ST_CHECK(!strcmp(buf, good[i].spec));
		ST_EQ(vmm_stream_qemu_netdev(&cfg, VMM_STREAM_QEMU_NETDEV, "n0",
					     9, buf, sizeof(buf)),
		      0);
		check_str(buf, good[i].netdev);
		ret = vmm_stream_qemu_netdev(&cfg, VMM_STREAM_QEMU_SOCKET, "n0",
					     9, buf, sizeof(buf));
		if (!good[i].legacy) {
			ST_EQ(ret, -EAFNOSUPPORT);
			continue;
		}
		ST_EQ(ret, 0);
		check_str(buf, good[i].legacy);
	}
	/* details of the parsed forms */
	ST_EQ(vmm_stream_parse("stream:inet:[::1]:5555", &cfg, &why), 0);
	ST_CHECK(cfg.transport == VMM_STREAM_STREAM);
	ST_CHECK(cfg.addr.type == STREAM_ADDR_INET);
	ST_CHECK(!strcmp(cfg.addr.host, "::1"));
	ST_EQ(cfg.addr.port, 5555);
	ST_EQ(vmm_stream_parse("dgram:unix:/q@/v", &cfg, &why), 0);
	ST_CHECK(cfg.transport == VMM_STREAM_DGRAM && cfg.has_remote);
	ST_CHECK(!strcmp(cfg.addr.path, "/q") && !strcmp(cfg.remote.path, "/v"));
	ST_EQ(vmm_stream_parse("stream:fd:17", &cfg, &why), 0);
	ST_EQ(cfg.addr.fd, 17);
}

static void test_bad(void)
{
	struct vmm_stream_config cfg;
	const char *why;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ret = vmm_stream_parse(bad[i].spec, &cfg, &why);
		if (ret != bad[i].err || !why || strcmp(why, bad[i].why))
			fprintf(stderr, "'%s': %d '%s'\n", bad[i].spec, ret,
				why ? why : "(none)");
		ST_EQ(ret, bad[i].err);
		ST_CHECK(why && !strcmp(why, bad[i].why));
	}
}

static void test_format_errors(void)
{
	struct vmm_stream_config cfg;
	const char *why;
	char small[16];

	ST_EQ(vmm_stream_parse("stream:fd:3", &cfg, &why), 0);
	ST_EQ(vmm_stream_qemu_netdev(&cfg, VMM_STREAM_QEMU_NETDEV, "n0", -1,
				     small, sizeof(small)),
	      -EINVAL);
	ST_EQ(vmm_stream_parse("stream:unix:/run/x", &cfg, &why), 0);
	ST_EQ(vmm_stream_qemu_netdev(&cfg, VMM_STREAM_QEMU_NETDEV, "", 0, small,
				     sizeof(small)),
	      -EINVAL);
	ST_EQ(vmm_stream_qemu_netdev(&cfg, VMM_STREAM_QEMU_NETDEV, "n0", 0,
				     small, sizeof(small)),
	      -ENOSPC);
	ST_EQ(vmm_stream_format(&cfg, small, 8), -ENOSPC);
}

/* The backends' option checks, worded as QEMU words them. */
static void test_backend_checks(void)
{
	struct stream_config sc = { 0 };
	struct dgram_config dc = { 0 };
	struct socket_config kc = { 0 };
	const char *why = NULL;

	ST_EQ(stream_addr_unix(&sc.addr, "/run/s"), 0);
	sc.server = true;
	ST_EQ(stream_check(&sc, &why), 0);
	sc.reconnect_ms = 1000;
	ST_EQ(stream_check(&sc, &why), -EINVAL);
	ST_CHECK(!strcmp(why, "'reconnect' and 'reconnect-ms' options are "
			      "incompatible with socket in server mode"));
	ST_EQ(stream_addr_unix(&dc.local, "/run/l"), 0);
	dc.has_local = true;
	ST_EQ(dgram_check(&dc, &why), -EINVAL);
	ST_CHECK(!strcmp(why, "type=inet or type=unix requires remote parameter"));
	ST_EQ(stream_addr_inet(&dc.remote, "127.0.0.1", 9), 0);
	dc.has_remote = true;
	ST_EQ(dgram_check(&dc, &why), -EINVAL);
	ST_CHECK(!strcmp(why, "remote and local types must be the same"));
	dc.has_local = false;
	ST_EQ(dgram_check(&dc, &why), -EINVAL);
	ST_CHECK(!strcmp(why, "dgram requires local= parameter"));
	ST_EQ(stream_addr_inet(&dc.remote, "230.0.0.1", 9), 0);
	ST_EQ(dgram_check(&dc, &why), 0);
	ST_CHECK(dgram_is_mcast(&dc.remote));
	kc.mode = SOCKET_UDP;
	ST_EQ(stream_addr_parse_inet(&kc.addr, "127.0.0.1:7"), 0);
	ST_EQ(socket_check(&kc, &why), -EINVAL);
	ST_CHECK(!strcmp(why, "localaddr= is mandatory with udp="));
	kc.mode = SOCKET_CONNECT;
	kc.has_localaddr = true;
	ST_EQ(socket_check(&kc, &why), -EINVAL);
	ST_CHECK(!strcmp(why, "localaddr= is only valid with mcast= or udp="));
	kc.mode = SOCKET_LISTEN;
	kc.has_localaddr = false;
	ST_EQ(stream_addr_parse_inet(&kc.addr, ":7"), 0);
	ST_EQ(socket_check(&kc, &why), 0);
}

int main(void)
{
	test_good();
	test_bad();
	test_format_errors();
	test_backend_checks();
	printf("attach grammar: ok\n");
	return 0;
}
