/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qnet_nsuser.c: benchmark driver: serve a network namespace with qnet's user networking (netns tap + libslirp). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "backends/user.h"
#include "datapath/port.h"
#include "datapath/uring/uloop.h"
#include "devices/netns_tap.h"

/**
 * DOC: qnet-nsuser
 *
 * Plays qnet's role for benchmarks/user/run.sh until qnet's command line
 * serves `-device netns,netdev=u0,netns=...` itself:
 *
 *   qnet-nsuser [-m MTU] [-r RX_BUFS] [-t TX_SLOTS] [-A] [-T] [-s] NETNS
 *
 * opens a user backend (libslirp; its defaults, with MTU and MRU set to
 * MTU when given, as slirp4netns --mtu does) and a netns tap frontend in
 * NETNS (a PID, a path or a name; configure=on: 10.0.2.100/24, default
 * route via 10.0.2.2; offload on, as ctl sets it for a user peer; -r and
 * -t set the frontend's rx-bufs and tx-slots, else its defaults), connects
 * their ports and runs the io_uring loop in this one thread until
 * SIGTERM, SIGINT or SIGHUP (SIGPIPE is ignored, as libslirp needs).
 * Then it closes both, and with -s prints the counters (frames, drops,
 * ACKs coalesced, loop iterations and system calls, peak RSS) to stderr.
 * For A/B measurements, -A sends every ACK libslirp makes (no ACK
 * coalescing) and -T leaves the tap without offloads.  Everything goes
 * through the public APIs of backends/user.h, devices/netns_tap.h and
 * datapath/port.h.
 */

#define NSUSER_BGID	1   /* buffer group of the tap's receive ring */
#define NSUSER_DRAIN_MS 500 /* loop time allowed for the close */

/**
 * struct nsuser_opts - the command line
 * @mtu:	MTU and MRU of both ends (0: their defaults, 1500)
 * @rx_bufs:	the frontend's receive buffers (0: its default)
 * @tx_slots:	the frontend's writes in flight (0: its default)
 * @no_ackc:	send every ACK (user_config.ack_coalesce_off)
 * @no_offload:	no checksum/TSO offloads on the tap
 * @stats:	print the counters on exit
 */
struct nsuser_opts {
	unsigned int mtu;
	unsigned int rx_bufs;
	unsigned int tx_slots;
	bool no_ackc;
	bool no_offload;
	bool stats;
};

/**
 * struct nsuser - the driver's state
 * @loop:	the io_uring loop (this thread)
 * @sig:	signalfd watch that stops the loop
 * @be:		the user backend
 * @nt:		the netns tap frontend
 * @released:	the frontend's memory is gone
 */
struct nsuser {
	struct uloop loop;
	struct uloop_poll sig;
	struct user_backend *be;
	struct netns_tap *nt;
	bool released;
};

static void nsuser_sig_cb(struct uloop *loop, struct uloop_poll *p, int revents)
{
	uloop_stop(loop);
}

static void nsuser_released(void *arg)
{
	struct nsuser *s = arg;

	s->released = true;
}

/**
 * nsuser_vm_hwm() - peak resident set size of this process
 *
 * Return: VmHWM in KiB, or 0 when /proc cannot tell.
 */
static unsigned long nsuser_vm_hwm(void)
{
	unsigned long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/**
 * nsuser_print_drops() - print a port's non-zero drop counters
 * @p:	the port
 */
static void nsuser_print_drops(const struct port *p)
{
	struct port_stats st;
	unsigned int i;

	port_stats_sum(p, &st);
	fprintf(stderr, "port %s: rx %llu tx %llu", p->name,
		(unsigned long long)st.rx_packets,
		(unsigned long long)st.tx_packets);
	for (i = 0; i < PORT_DROP_COUNT; i++)
		if (st.drops[i])
			fprintf(stderr, " %s %llu", port_drop_name(i),
				(unsigned long long)st.drops[i]);
	fputc('\n', stderr);
}

/**
 * nsuser_print_stats() - the counters of a run, to stderr
 * @s:	the driver, both ends still open
 */
static void nsuser_print_stats(struct nsuser *s)
{
	const struct uloop_stats *ls = uloop_stats(&s->loop);
	struct rtnl_link_stats64 lk = {0};
	struct netns_tap_stats ns;
	struct user_stats us;

	netns_tap_stats(s->nt, &ns);
	user_get_stats(s->be, &us);
	netns_tap_link_stats(s->nt, &lk);
	fprintf(stderr,
		"netns_tap: rx %llu frames (gso %llu csum %llu) %llu bytes "
		"%llu batches holds %llu enobufs %llu giants %llu, %u bufs of "
		"%u; tx %llu frames %llu bytes full %llu errors %llu; tap "
		"tx_dropped %llu\n",
		(unsigned long long)ns.rx_frames, (unsigned long long)ns.rx_gso,
		(unsigned long long)ns.rx_csum, (unsigned long long)ns.rx_bytes,
		(unsigned long long)ns.rx_batches,
		(unsigned long long)ns.rx_holds,
		(unsigned long long)ns.rx_enobufs,
		(unsigned long long)ns.rx_giants, ns.rx_bufs, ns.rx_buf_size,
		(unsigned long long)ns.tx_frames,
		(unsigned long long)ns.tx_bytes, (unsigned long long)ns.tx_full,
		(unsigned long long)ns.tx_errors,
		(unsigned long long)lk.tx_dropped);
	fprintf(stderr,
		"user: in %llu (csum %llu gso %llu) out %llu dropped %llu "
		"pure acks %llu coalesced %llu polls %llu fills %llu held "
		"%llu\n",
		(unsigned long long)us.in_frames,
		(unsigned long long)us.in_csum, (unsigned long long)us.in_gso,
		(unsigned long long)us.out_frames,
		(unsigned long long)us.out_dropped,
		(unsigned long long)us.ack_pure,
		(unsigned long long)us.ack_coalesced,
		(unsigned long long)us.polls, (unsigned long long)us.fills,
		(unsigned long long)us.held);
	nsuser_print_drops(netns_tap_port(s->nt));
	nsuser_print_drops(user_port(s->be));
	fprintf(stderr,
		"uloop: iterations %llu enters %llu sqes %llu cqes %llu "
		"rearms %llu timers %llu\n",
		(unsigned long long)ls->iterations,
		(unsigned long long)ls->enters, (unsigned long long)ls->sqes,
		(unsigned long long)ls->cqes, (unsigned long long)ls->rearms,
		(unsigned long long)ls->timers_fired);
	fprintf(stderr, "VmHWM: %lu kB\n", nsuser_vm_hwm());
}

/**
 * nsuser_open() - the user backend and the frontend, connected
 * @s:		the driver, loop initialised
 * @netns:	the namespace
 * @o:		MTU (and MRU) of both, the frontend's buffers; 0: defaults
 *
 * Return: 0 or -errno (the step is printed).
 */
static int nsuser_open(struct nsuser *s, const char *netns,
		       const struct nsuser_opts *o)
{
	char msg[NETNS_TAP_ERRMSG_MAX] = "";
	struct netns_tap_config nc = {
		.netns = netns,
		.mtu = o->mtu,
		.configure = true,
		.offload = !o->no_offload,
		.rx_bufs = o->rx_bufs,
		.tx_slots = o->tx_slots,
		.bgid = NSUSER_BGID,
		.released = nsuser_released,
		.released_arg = s,
		.errmsg = msg,
		.errmsg_size = sizeof(msg),
	};
	struct user_config uc;
	struct user_err err = {""};
	int ret;

	user_config_defaults(&uc);
	uc.mtu = o->mtu;
	uc.mru = o->mtu;
	uc.ack_coalesce_off = o->no_ackc;
	ret = user_open(&s->be, &uc, &s->loop, "u0", &err);
	user_config_free(&uc);
	if (ret) {
		fprintf(stderr, "qnet-nsuser: -netdev user: %s\n", err.msg);
		return ret;
	}
	ret = netns_tap_open(&s->nt, &nc, &s->loop, "netns.0");
	if (ret) {
		fprintf(stderr,
			"qnet-nsuser: -device netns,netns=%s: %s (%s)\n", netns,
			msg, strerror(-ret));
		return ret;
	}
	ret = port_connect(netns_tap_port(s->nt), user_port(s->be));
	if (ret)
		fprintf(stderr, "qnet-nsuser: port_connect: %s\n",
			strerror(-ret));
	return ret;
}

/**
 * nsuser_close() - close both ends and let the loop finish freeing them
 * @s:	the driver
 */
static void nsuser_close(struct nsuser *s)
{
	uint64_t now, end;
	bool pending = false;
	unsigned int i;

	if (s->nt && netns_tap_close(s->nt) == -EINPROGRESS)
		pending = true;
	else
		s->released = true;
	if (s->be && user_close(s->be) == -EINPROGRESS)
		pending = true;
	end = uloop_now() + (uint64_t)NSUSER_DRAIN_MS * 1000000u;
	while (pending && !s->released && (now = uloop_now()) < end)
		if (uloop_run_once(&s->loop, (int64_t)(end - now)) < 0)
			break;
	/* the user backend frees itself on the loop's next iterations */
	for (i = 0; pending && i < 8; i++)
		uloop_run_once(&s->loop, 1000000);
}

/**
 * nsuser_signals() - block the stop signals and watch them on the loop
 * @s:	the driver, loop initialised
 *
 * Return: 0 or -errno.
 */
static int nsuser_signals(struct nsuser *s)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	uloop_poll_init(&s->sig, fd, 0, nsuser_sig_cb);
	return uloop_poll_set(&s->loop, &s->sig, POLLIN);
}

static void nsuser_usage(void)
{
	fprintf(stderr, "usage: qnet-nsuser [-m MTU] [-r RX_BUFS] [-t "
			"TX_SLOTS] [-A] [-T] [-s] NETNS\n"
			"  NETNS: a PID, a path or a name in /run/netns\n"
			"  -m MTU: MTU (and MRU) of the tap and of libslirp "
			"(68..65521)\n"
			"  -r RX_BUFS, -t TX_SLOTS: the tap frontend's "
			"rx-bufs, tx-slots\n"
			"  -A: send every ACK (no ACK coalescing)\n"
			"  -T: no checksum/TSO offloads on the tap\n"
			"  -s: print counters to stderr on exit\n");
}

int main(int argc, char **argv)
{
	struct nsuser_opts o = {0};
	struct nsuser s = {0};
	int opt, ret;

	while ((opt = getopt(argc, argv, "m:r:t:ATsh")) != -1) {
		if (opt == 'm') {
			o.mtu = (unsigned int)strtoul(optarg, NULL, 10);
		} else if (opt == 'r') {
			o.rx_bufs = (unsigned int)strtoul(optarg, NULL, 10);
		} else if (opt == 't') {
			o.tx_slots = (unsigned int)strtoul(optarg, NULL, 10);
		} else if (opt == 'A') {
			o.no_ackc = true;
		} else if (opt == 'T') {
			o.no_offload = true;
		} else if (opt == 's') {
			o.stats = true;
		} else {
			nsuser_usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		nsuser_usage();
		return 2;
	}
	/*
	 * libslirp send()s to host sockets without MSG_NOSIGNAL: a host peer
	 * that closed first would kill us with SIGPIPE (QEMU and slirp4netns
	 * ignore it too).
	 */
	signal(SIGPIPE, SIG_IGN);
	ret = uloop_init(&s.loop, NULL);
	if (ret) {
		fprintf(stderr, "qnet-nsuser: io_uring: %s\n", strerror(-ret));
		return 1;
	}
	ret = nsuser_signals(&s);
	ret = ret ?: nsuser_open(&s, argv[optind], &o);
	if (!ret)
		ret = uloop_run(&s.loop);
	if (o.stats && s.nt && s.be)
		nsuser_print_stats(&s);
	if (s.sig.fd > 0)
		uloop_poll_del(&s.loop, &s.sig);
	nsuser_close(&s);
	uloop_fini(&s.loop);
	if (s.sig.fd > 0)
		close(s.sig.fd);
	return ret ? 1 : 0;
}
