// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the monitor-facing API: netdev_add/del, set_link. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ctl/check.h"
#include "tests/unit/ctl/run.h"

static const char *last_err(const struct netconf *nc)
{
	const struct diag *d = diag_last_error(&nc->diag);

	return d ? d->msg : "";
}

static int add_json(struct netconf *nc, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	struct json_value *v = NULL;
	int ret;

	CHECK(json_parse(text, &v, &err) == 0);
	strbuf_free(&err);
	ret = netconf_netdev_add_json(nc, v);
	json_free(v);
	return ret;
}

static char *info(const struct netconf *nc)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	netconf_info_network(nc, &sb);
	s = strbuf_steal(&sb);
	run_norm(s);
	return s;
}

static void test_qmp_add(void)
{
	struct run r = run_argv("-netdev", "user,id=n0", "-net", "nic", "-net",
				"user", NULL);
	struct netconf *nc = r.nc;
	size_t warnings = diag_count(&nc->diag, DIAG_WARNING);
	char *s;

	CHECK_EQ_INT(add_json(nc, "{\"type\":\"user\",\"id\":\"n0\"}"),
		     -EINVAL);
	CHECK_STR(last_err(nc), "Duplicate ID 'n0'");
	CHECK_EQ_INT(add_json(nc, "{\"type\":\"user\",\"id\":\"1x\"}"),
		     -EINVAL);
	CHECK_STR(last_err(nc), "Parameter 'id' expects an identifier");
	add_json(nc, "{\"type\":\"user\",\"id\":\"n9\",\"foo\":1}");
	CHECK_STR(last_err(nc), "Parameter 'foo' is unexpected");
	add_json(nc, "{\"type\":\"user\"}");
	CHECK_STR(last_err(nc), "Parameter 'id' is missing");
	add_json(nc, "{\"type\":\"nic\",\"id\":\"nn\"}");
	CHECK_STR(last_err(nc), "network backend 'nic' is not compiled into "
		  "this binary");
	CHECK_EQ_INT(add_json(nc, "{\"type\":\"hubport\",\"id\":\"hp\","
			      "\"hubid\":0}"), 0);
	CHECK_EQ_INT(add_json(nc, "{\"type\":\"stream\",\"id\":\"s\","
			      "\"addr\":{\"type\":\"unix\",\"path\":\"/x\"}}"),
		     0);
	s = info(nc);
	CHECK_STR(s, "hub 0\n \\ hp\n"
		  " \\ hub0port1: #netN: index=0,type=user,net=10.0.2.0,"
		  "restrict=off\n"
		  " \\ hub0port0: e1000.0: index=0,type=nic,model=e1000,"
		  "macaddr=52:54:00:12:34:56\n"
		  "n0: index=0,type=user,net=10.0.2.0,restrict=off\n"
		  "s: index=0,type=stream,\n");
	free(s);
	/* nothing is printed when a monitor adds an unpeered netdev */
	CHECK_EQ_INT(diag_count(&nc->diag, DIAG_WARNING), warnings);
	run_free(&r);
}

static void test_del(void)
{
	struct run r = run_argv("-netdev", "user,id=n0", "-net", "nic", "-net",
				"user", "-netdev", "user,id=n1", "-object",
				"filter-dump,id=f,netdev=n1,file=/tmp/x", NULL);
	struct netconf *nc = r.nc;
	char *s;

	CHECK_EQ_INT(netconf_netdev_del(nc, "zz"), -ENOENT);
	CHECK_STR(last_err(nc), "Device 'zz' not found");
	CHECK(diag_last_error(&nc->diag)->cls == DIAG_DEVICE_NOT_FOUND);
	CHECK_EQ_INT(netconf_netdev_del(nc, "hub0port0"), -EINVAL);
	CHECK_STR(last_err(nc), "Device 'hub0port0' is not a netdev");
	CHECK(diag_last_error(&nc->diag)->cls == DIAG_GENERIC_ERROR);
	/* deleting a netdev removes its filters */
	CHECK_EQ_INT(netconf_netdev_del(nc, "n1"), 0);
	CHECK(netconf_find_filter(nc, "f") == NULL);
	CHECK(netconf_find_netdev(nc, "n1") == NULL);
	CHECK_EQ_INT(netconf_netdev_del(nc, "n1"), -ENOENT);
	s = info(nc);
	CHECK(strstr(s, "n1") == NULL);
	free(s);
	run_free(&r);
}

static void test_del_peer_and_readd(void)
{
	struct run r = run_argv("-netdev", "user,id=n0", "-device",
				"e1000,netdev=n0", NULL);
	struct netconf *nc = r.nc;
	struct strbuf help = STRBUF_INIT;
	struct netconf_nic *nic = netconf_find_nic(nc, "e1000.0");
	char *s;

	CHECK_EQ_INT(netconf_netdev_add_str(nc, "user,id=n0", &help),
		     -EBADMSG);
	CHECK_STR(last_err(nc), "Duplicate ID 'n0' for netdev");
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "user,id=n1", &help), 0);
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "user,id=n1", &help),
		     -EBADMSG);
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "user,id=1x", &help),
		     -EBADMSG);
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "user,id=n2,foo=1", &help),
		     -EINVAL);
	CHECK_STR(last_err(nc), "Invalid parameter 'foo'");
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "help", &help), 1);
	CHECK(!strncmp(strbuf_str(&help), "Available netdev backend types:\n",
		       32));
	/* the NIC keeps its deleted peer (and goes link down); the id can
	 * be used again */
	CHECK_EQ_INT(netconf_netdev_del(nc, "n0"), 0);
	CHECK(nic->queues[0]->link_down);
	CHECK_EQ_INT(netconf_set_link(nc, "n0", true), -ENOENT);
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "user,id=n0", &help), 0);
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "stream,id=s,addr.type=unix,"
					    "addr.path=/tmp/hs,server=on",
					    &help), 0);
	s = info(nc);
	CHECK_STR(s, "e1000.0: index=0,type=nic,model=e1000,"
		  "macaddr=52:54:00:12:34:56\n"
		  " \\ n0: index=0,type=user,net=10.0.2.0,restrict=off\n"
		  "n1: index=0,type=user,net=10.0.2.0,restrict=off\n"
		  "n0: index=0,type=user,net=10.0.2.0,restrict=off\n"
		  "s: index=0,type=stream,\n");
	free(s);
	/* the new n0 is not the NIC's peer */
	CHECK(netconf_find_netdev(nc, "n0")->queues[0]->peer == NULL);
	strbuf_free(&help);
	run_free(&r);
}

static void test_set_link(void)
{
	struct run r = run_argv("-netdev", "user,id=n0", "-device",
				"e1000,netdev=n0", "-net", "nic", "-net",
				"user", NULL);
	struct netconf *nc = r.nc;
	/* -net nic's NIC is created first: e1000.0; -device's is e1000.1 */
	struct netconf_nic *nic = netconf_find_nic(nc, "e1000.1");
	struct netconf_nic *hubnic = netconf_find_nic(nc, "e1000.0");
	struct netconf_netdev *nd = netconf_find_netdev(nc, "n0");
	struct netconf_netdev *port = netconf_find_netdev(nc, "hub0port0");
	char *before = info(nc), *after;

	CHECK(nic && nd && port && hubnic);
	CHECK(nic->netdev == nd && hubnic->netdev == port);
	CHECK_EQ_INT(netconf_set_link(nc, "zz", false), -ENOENT);
	CHECK_STR(last_err(nc), "Device 'zz' not found");
	/* a netdev's NIC follows it */
	CHECK_EQ_INT(netconf_set_link(nc, "n0", false), 0);
	CHECK(nd->queues[0]->link_down && nic->queues[0]->link_down);
	CHECK_EQ_INT(netconf_set_link(nc, "n0", true), 0);
	CHECK(!nd->queues[0]->link_down && !nic->queues[0]->link_down);
	/* a NIC's netdev does not */
	CHECK_EQ_INT(netconf_set_link(nc, "e1000.1", false), 0);
	CHECK(nic->queues[0]->link_down && !nd->queues[0]->link_down);
	/* nor a NIC's hub port */
	CHECK_EQ_INT(netconf_set_link(nc, "e1000.0", false), 0);
	CHECK(hubnic->queues[0]->link_down && !port->queues[0]->link_down);
	CHECK_EQ_INT(netconf_set_link(nc, "e1000.0", true), 0);
	/* but a hub port's NIC follows the port (QEMU: the peer is a NIC) */
	CHECK_EQ_INT(netconf_set_link(nc, "hub0port0", false), 0);
	CHECK(port->queues[0]->link_down && hubnic->queues[0]->link_down);
	/* QEMU 7.2's info network does not show link state */
	after = info(nc);
	CHECK_STR(after, before);
	free(before);
	free(after);
	run_free(&r);
}

static void test_empty_model(void)
{
	struct netconf *nc = netconf_new();
	struct strbuf help = STRBUF_INIT;
	char *s;

	/* the API works on a model built from nothing */
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "tap,id=t0,ifname=qt0,"
					    "script=no,downscript=no", &help),
		     0);
	CHECK_EQ_INT(netconf_netdev_add_str(nc, "af-xdp,id=x0,ifname=eth0,"
					    "queues=2", &help), 0);
	s = info(nc);
	CHECK_STR(s, "t0: index=0,type=tap,ifname=qt0,script=no,"
		  "downscript=no\n"
		  "x0: index=0,type=af-xdp,af-xdp0 to eth0\n"
		  "x0: index=1,type=af-xdp,af-xdp1 to eth0\n");
	free(s);
	CHECK_EQ_INT(netconf_netdev_del(nc, "x0"), 0);
	CHECK_EQ_INT(netconf_netdev_del(nc, "t0"), 0);
	CHECK(nc->head == NULL && nc->nnetdevs == 0);
	strbuf_free(&help);
	netconf_free(nc);
}

int main(void)
{
	RUN(test_qmp_add);
	RUN(test_del);
	RUN(test_del_peer_and_readd);
	RUN(test_set_link);
	RUN(test_empty_model);
	return check_report();
}
