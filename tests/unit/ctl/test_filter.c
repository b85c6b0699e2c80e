// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of -object qnet-filter (qnet's drop/allow filter) and filter=:
 * the three option syntaxes, the errors, info network, help, and qnet
 * run's command-line split. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "ctl/run_argv.h"
#include "tests/unit/ctl/check.h"
#include "tests/unit/ctl/run.h"

#define USER(n) n ": index=0,type=user,net=10.0.2.0,restrict=off\n"
#define NOPEER "qnet: warning: netdev u1 has no peer\n"

/* libpcap's own reason for rejecting @expr ("" if it compiles). */
static const char *pcap_reason(const char *expr)
{
	static char why[PCAP_ERRBUF_SIZE + 64];
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);

	why[0] = 0;
	if (!p)
		return why;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN))
		snprintf(why, sizeof(why), "%s", pcap_geterr(p));
	else
		pcap_freecode(&prog);
	pcap_close(p);
	return why;
}

/* The three syntaxes: QemuOpts with implied type, qom-type=, JSON. */
static void test_good_forms(void)
{
	RUN_CHECK(NETCONF_OK, USER("u1")
		  "filters:\n"
		  "  - f0: type=qnet-filter,action=drop,filter=udp port 5555,"
		  "position=tail,status=on,insert=behind,netdev=u1,queue=all\n",
		  NOPEER, "-netdev", "user,id=u1", "-object",
		  "qnet-filter,id=f0,netdev=u1,action=drop,filter=udp port "
		  "5555");
	RUN_CHECK(NETCONF_OK, USER("u1")
		  "filters:\n"
		  "  - f1: type=qnet-filter,action=allow,filter=arp or icmp,"
		  "position=tail,status=off,insert=behind,netdev=u1,queue=rx\n",
		  NOPEER, "-netdev", "user,id=u1", "-object",
		  "qom-type=qnet-filter,id=f1,netdev=u1,action=allow,"
		  "filter=arp or icmp,queue=rx,status=off");
	RUN_CHECK(NETCONF_OK, USER("u1")
		  "filters:\n"
		  "  - f2: type=qnet-filter,action=allow,filter=tcp,"
		  "position=head,status=on,insert=behind,netdev=u1,queue=tx\n"
		  "  - d0: type=filter-dump,file=/tmp/x,maxlen=65536,"
		  "position=tail,status=on,insert=behind,netdev=u1,queue=all\n",
		  NOPEER, "-netdev", "user,id=u1", "-object",
		  "filter-dump,id=d0,netdev=u1,file=/tmp/x,filter=udp",
		  "-object", "{\"qom-type\":\"qnet-filter\",\"id\":\"f2\","
		  "\"netdev\":\"u1\",\"action\":\"allow\",\"filter\":\"tcp\","
		  "\"queue\":\"tx\",\"position\":\"head\"}");
	/* an expression with brackets and comparisons */
	RUN_CHECK(NETCONF_OK, USER("u1")
		  "filters:\n"
		  "  - f3: type=qnet-filter,action=drop,filter=ip[2:2] > 100,"
		  "position=tail,status=on,insert=behind,netdev=u1,queue=all\n",
		  NOPEER, "-netdev", "user,id=u1", "-object",
		  "qnet-filter,id=f3,netdev=u1,action=drop,filter=ip[2:2] > "
		  "100");
}

/* action= and filter= are required and checked when the option is read. */
static void test_errors(void)
{
	char want[512];

	RUN_ERR("qnet: -object qnet-filter,id=f,netdev=u1,filter=arp: "
		"Parameter 'action' is missing\n", "-netdev", "user,id=u1",
		"-object", "qnet-filter,id=f,netdev=u1,filter=arp");
	RUN_ERR("qnet: -object qnet-filter,id=f,netdev=u1,action=reject,"
		"filter=arp: Parameter 'action' does not accept value "
		"'reject'\n", "-netdev", "user,id=u1", "-object",
		"qnet-filter,id=f,netdev=u1,action=reject,filter=arp");
	RUN_ERR("qnet: -object qnet-filter,id=f,netdev=u1,action=drop: "
		"Parameter 'filter' is missing\n", "-netdev", "user,id=u1",
		"-object", "qnet-filter,id=f,netdev=u1,action=drop");
	RUN_ERR("qnet: -object qnet-filter,id=f,netdev=u1,action=drop,"
		"filter=: Parameter 'filter' must not be empty\n", "-netdev",
		"user,id=u1", "-object",
		"qnet-filter,id=f,netdev=u1,action=drop,filter=");
	/* libpcap's reason, at start-up, before any netdev exists */
	CHECK(pcap_reason("udp prot 5555")[0] != 0);
	snprintf(want, sizeof(want), "qnet: -object qnet-filter,id=f,"
		 "netdev=u1,action=drop,filter=udp prot 5555: Parameter "
		 "'filter' is not a valid tcpdump expression: %s\n",
		 pcap_reason("udp prot 5555"));
	RUN_ERR(want, "-object",
		"qnet-filter,id=f,netdev=u1,action=drop,filter=udp prot 5555",
		"-netdev", "user,id=u1,foo=1");
	snprintf(want, sizeof(want), "qnet: -object {\"qom-type\":"
		 "\"qnet-filter\",\"id\":\"f\",\"netdev\":\"u1\",\"action\":"
		 "\"allow\",\"filter\":\"port 99999\"}: Parameter 'filter' is "
		 "not a valid tcpdump expression: %s\n",
		 pcap_reason("port 99999"));
	RUN_ERR(want, "-netdev", "user,id=u1", "-object",
		"{\"qom-type\":\"qnet-filter\",\"id\":\"f\",\"netdev\":\"u1\","
		"\"action\":\"allow\",\"filter\":\"port 99999\"}");
	/* filter-dump's filter= gets the same check */
	snprintf(want, sizeof(want), "qnet: -object filter-dump,id=d,"
		 "netdev=u1,file=/tmp/x,filter=tcp and: Parameter 'filter' is "
		 "not a valid tcpdump expression: %s\n",
		 pcap_reason("tcp and"));
	RUN_ERR(want, "-netdev", "user,id=u1", "-object",
		"filter-dump,id=d,netdev=u1,file=/tmp/x,filter=tcp and");
	RUN_ERR("qnet: -object {\"qom-type\":\"qnet-filter\",\"id\":\"f\","
		"\"netdev\":\"u1\",\"action\":1,\"filter\":\"arp\"}: Invalid "
		"parameter type for 'action', expected: string\n",
		"-netdev", "user,id=u1", "-object",
		"{\"qom-type\":\"qnet-filter\",\"id\":\"f\",\"netdev\":\"u1\","
		"\"action\":1,\"filter\":\"arp\"}");
	RUN_ERR("qnet: -object {\"qom-type\":\"qnet-filter\",\"id\":\"f\","
		"\"netdev\":\"u1\",\"filter\":\"arp\"}: Parameter 'action' is "
		"missing\n", "-netdev", "user,id=u1", "-object",
		"{\"qom-type\":\"qnet-filter\",\"id\":\"f\",\"netdev\":\"u1\","
		"\"filter\":\"arp\"}");
	/* the common members keep QEMU's checks */
	RUN_ERR("qnet: Invalid value for netfilter status, should be 'on' or "
		"'off'\n", "-netdev", "user,id=u1", "-object",
		"qnet-filter,id=f,netdev=u1,action=drop,filter=arp,status=x");
	RUN_ERR("qnet: Parameter 'netdev' expects a network backend id\n",
		"-netdev", "user,id=u1", "-object",
		"qnet-filter,id=f,netdev=zz,action=drop,filter=arp");
	RUN_ERR("qnet: -object qnet-filter,id=f,netdev=u1,action=drop,"
		"filter=arp,file=/x: Invalid parameter 'file'\n", "-netdev",
		"user,id=u1", "-object",
		"qnet-filter,id=f,netdev=u1,action=drop,filter=arp,file=/x");
}

static void test_help(void)
{
	struct run r = run_argv("-object", "help", NULL);

	CHECK_EQ_INT(r.status, NETCONF_HELP);
	CHECK(strstr(r.out, "\n  qnet-filter\n") != NULL);
	run_free(&r);
	r = run_argv("-object", "qnet-filter,help", NULL);
	CHECK_EQ_INT(r.status, NETCONF_HELP);
	CHECK_STR(r.out, "qnet-filter options:\n  action=<QnetFilterAction>\n"
		  "  filter=<string>\n  insert=<string>\n  netdev=<string>\n"
		  "  position=<string>\n  queue=<NetFilterDirection>\n"
		  "  status=<string>\n");
	run_free(&r);
	/* QEMU's types are unchanged: a misspelt one is still QEMU's error */
	RUN_ERR("qnet: -object qnet-filterx,id=f: Parameter 'qom-type' does "
		"not accept value 'qnet-filterx'\n", "-object",
		"qnet-filterx,id=f");
}

static bool never_nic(const char *driver)
{
	return false;
}

/* qnet run takes qnet-filter out of QEMU's command line, in both forms. */
static void test_run_split(void)
{
	char *argv[] = { "qemu", "-m", "1G", "-object",
			 "qnet-filter,id=f,netdev=n,action=drop,filter=arp",
			 "-object", "memory-backend-ram,id=m,size=1G",
			 "--object={\"qom-type\":\"qnet-filter\",\"id\":\"g\"}",
			 "-object", "qom-type=qnet-filter,id=h", NULL };
	struct run_argv ra;

	CHECK_EQ_INT(run_argv_split(10, argv, never_nic, &ra), 0);
	CHECK_EQ_INT(ra.nnet, 6);
	CHECK_EQ_INT(ra.nvmm, 5);
	if (ra.nnet == 6) {
		CHECK_STR(ra.net[0], "-object");
		CHECK_STR(ra.net[1], argv[4]);
		CHECK_STR(ra.net[3], "{\"qom-type\":\"qnet-filter\","
			  "\"id\":\"g\"}");
		CHECK_STR(ra.net[5], "qom-type=qnet-filter,id=h");
	}
	if (ra.nvmm == 5)
		CHECK_STR(ra.vmm[4], "memory-backend-ram,id=m,size=1G");
	run_argv_free(&ra);
}

int main(void)
{
	RUN(test_good_forms);
	RUN(test_errors);
	RUN(test_help);
	RUN(test_run_split);
	return check_report();
}
