/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.h: filter-dump and qnet's drop/allow filters, in the kernel where frames cross an interface, else in user space. */
#ifndef QNET_BPF_CAPTURE_H
#define QNET_BPF_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/frame.h"
#include "datapath/bpf/bpfpin.h"
#include "datapath/bpf/qhost.h"
#include "datapath/uring/uloop.h"

/**
 * enum capture_kind - what the object does
 * @CAPTURE_DUMP:	filter-dump: write matching frames to a pcap file
 * @CAPTURE_DROP:	drop frames that match the expression
 * @CAPTURE_ALLOW:	drop frames that do not match it
 */
enum capture_kind {
	CAPTURE_DUMP,
	CAPTURE_DROP,
	CAPTURE_ALLOW,
	CAPTURE_KIND_COUNT
};

/**
 * enum capture_queue - QEMU's queue=all|rx|tx
 * @CAPTURE_QUEUE_ALL:	both directions
 * @CAPTURE_QUEUE_RX:	frames sent to the netdev (by its peer, the guest)
 * @CAPTURE_QUEUE_TX:	frames the netdev sends (towards the guest)
 */
enum capture_queue {
	CAPTURE_QUEUE_ALL,
	CAPTURE_QUEUE_RX,
	CAPTURE_QUEUE_TX,
	CAPTURE_QUEUE_COUNT
};

/**
 * enum capture_dir - direction of one frame, from the netdev's side
 * @CAPTURE_RX:	sent to the netdev (guest to host)
 * @CAPTURE_TX:	sent by the netdev (host to guest)
 */
enum capture_dir {
	CAPTURE_RX,
	CAPTURE_TX,
	CAPTURE_DIR_COUNT
};

/** CAPTURE_MAXLEN_DEFAULT - QEMU's filter-dump default maxlen */
#define CAPTURE_MAXLEN_DEFAULT 65536u

/**
 * struct capture_config - one filter-dump (or drop/allow filter) object
 * @id:		object id ("f1"): pin names, errors
 * @netdev:	netdev id it sits on ("n0")
 * @kind:	enum capture_kind
 * @file:	pcap path (CAPTURE_DUMP)
 * @maxlen:	bytes kept per frame (0: CAPTURE_MAXLEN_DEFAULT); the kernel
 *		copies at most 65535
 * @queue:	enum capture_queue
 * @status:	running at start (status=on)
 * @filter:	tcpdump expression, NULL or "": every frame
 * @nqueues:	queues of the netdev whose frames user space may pass
 *		(1..PORT_MAX_QUEUES)
 * @ring_size:	kernel ring buffer bytes (0: the program's default)
 */
struct capture_config {
	const char *id;
	const char *netdev;
	enum capture_kind kind;
	const char *file;
	uint32_t maxlen;
	enum capture_queue queue;
	bool status;
	const char *filter;
	unsigned int nqueues;
	uint32_t ring_size;
};

/**
 * struct capture_stats - what the monitor shows for one object
 * @seen:	frames the object looked at (kernel and user space)
 * @matched:	frames its expression accepted
 * @copied:	frames copied for the file (ring records and user records)
 * @ring_full:	frames lost because the kernel ring buffer was full
 * @dropped:	frames a drop/allow filter dropped
 * @bytes:	bytes copied
 * @written:	records written to the pcap file
 * @lost:	records not written (the file stopped)
 * @error:	-errno that stopped the capture (disk full, file removed), 0
 * @kernel_dirs: bit per enum capture_dir handled by a kernel program
 */
struct capture_stats {
	uint64_t seen;
	uint64_t matched;
	uint64_t copied;
	uint64_t ring_full;
	uint64_t dropped;
	uint64_t bytes;
	uint64_t written;
	uint64_t lost;
	int error;
	unsigned int kernel_dirs;
};

/*
 * Threads: capture_user_run() and capture_user_flush() may be called from
 * several data-path threads at once for one object, even for one queue
 * (its two directions on different workers, a flush timer elsewhere). The
 * state that is shared, a queue's record buffer and counters, is guarded
 * by a per-queue mutex taken once per batch (not per frame) and once per
 * flush. Everything else (open, attach, detach, status, close) runs in the
 * thread of the loop given at attach.
 */
struct capture;

int capture_open(struct capture **out, const struct capture_config *cfg,
		 char *err, size_t errlen);
void capture_close(struct capture *c);
int capture_attach_tc(struct capture *c, struct uloop *loop, int ifindex,
		      const struct bpfpin *pins);
int capture_attach_host(struct capture *c, struct uloop *loop,
			struct qhost *h, unsigned int rx_hook,
			unsigned int tx_hook);
void capture_detach_kernel(struct capture *c);
unsigned int capture_kernel_dirs(const struct capture *c);
uint64_t capture_user_run(struct capture *c, enum capture_dir dir,
			  unsigned int queue, struct frame *const *f,
			  unsigned int n);
int capture_user_flush(struct capture *c, unsigned int queue);
int capture_set_status(struct capture *c, bool on);
bool capture_get_status(const struct capture *c);
int capture_stats(const struct capture *c, struct capture_stats *out);
enum capture_kind capture_kind(const struct capture *c);
const char *capture_id(const struct capture *c);

#endif /* QNET_BPF_CAPTURE_H */
