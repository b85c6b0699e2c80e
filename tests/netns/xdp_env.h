/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xdp_env.h: af-xdp and capture netns tests: private namespaces, a veth pair, packet sockets, a test front-end port. */
#ifndef QNET_TESTS_NETNS_XDP_ENV_H
#define QNET_TESTS_NETNS_XDP_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "datapath/pool.h"
#include "datapath/port.h"
#include "datapath/uring/uloop.h"

#define XE_SKIP 77
#define XE_MS 1000000ull
#define XE_ETHERTYPE 0x88b5	/* IEEE local experimental */

#include "tests/lib/tcheck.h"

#define XE_CHECK TC_CHECK
#define XE_EQ TC_EQ
#define XE_RUN_UNTIL TC_RUN_UNTIL

extern const uint8_t xe_guest_mac[6];

/**
 * struct xe - a test's world: its own network namespace ("home", where
 * qnet runs) and a peer namespace, joined by a veth pair
 * @home:	fd of the home namespace
 * @peer:	fd of the peer namespace (alive while this fd is open)
 * @a:		veth end in home (qnet's interface)
 * @b:		veth end in the peer namespace
 * @aidx:	ifindex of @a (in home)
 * @bidx:	ifindex of @b (in peer)
 * @amac:	MAC of @a
 * @bmac:	MAC of @b
 * @loop:	the loop the test runs qnet's objects on
 */
struct xe {
	int home;
	int peer;
	char a[16];
	char b[16];
	int aidx;
	int bidx;
	uint8_t amac[6];
	uint8_t bmac[6];
	struct uloop loop;
};

void xe_require(const char *what);
void xe_init(struct xe *e, unsigned int queues);
void xe_fini(struct xe *e);
void xe_enter(struct xe *e, bool peer);
int xe_sh(struct xe *e, bool peer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int xe_sh_out(struct xe *e, bool peer, char *out, size_t size,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void xe_run_for(struct xe *e, unsigned int ms);

int xe_pkt_open(struct xe *e, bool peer);
size_t xe_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
		const uint8_t src[6], uint32_t seq);
size_t xe_frame_flow(uint8_t *buf, size_t len, const uint8_t dst[6],
		     const uint8_t src[6], uint32_t seq, uint16_t sport);
int xe_frame_seq(const uint8_t *buf, size_t len, uint32_t *seq);

/* xe_pkt_send() sends IPv4/UDP frames (flow = low byte) for these seqs */
#define XE_FLOW_SEQ(i) (0xf1000000u | (uint32_t)(i))
int xe_pkt_send(int fd, const uint8_t dst[6], const uint8_t src[6],
		uint32_t seq, size_t len);
unsigned int xe_pkt_drain(int fd, uint32_t *seqs, unsigned int max,
			  uint64_t *bytes);

/**
 * struct xe_fe - a test front-end: the NIC side of the netdev under test
 * @port:	its port (connect it to the netdev's)
 * @pool:	frames it sends
 * @rx:		frames of ours (XE_ETHERTYPE) it received
 * @rx_other:	other frames it received
 * @rx_bytes:	bytes of @rx
 * @rx_q:	frames of ours per queue
 * @seen:	per sequence number (below 65536): received how many times
 * @cap:	take at most this many frames per receive() (hold), 0: all
 * @resumed:	resume() calls
 * @keep:	keep a reference to every frame received (until
 *		xe_fe_release()), up to XE_FE_KEEP
 * @kept:	frames kept
 * @nkept:	how many
 */
struct xe_fe {
	struct port port;
	struct pool pool;
	uint64_t rx;
	uint64_t rx_other;
	uint64_t rx_bytes;
	uint64_t rx_q[PORT_MAX_QUEUES];
	uint8_t seen[65536];
	unsigned int cap;
	uint64_t resumed;
	bool keep;
	struct frame *kept[4096];
	unsigned int nkept;
};

void xe_fe_init(struct xe_fe *fe, unsigned int nqueues);
void xe_fe_fini(struct xe_fe *fe);
void xe_fe_release(struct xe_fe *fe);
unsigned int xe_fe_send(struct xe_fe *fe, unsigned int queue,
			const uint8_t dst[6], uint32_t seq0, unsigned int n,
			size_t len);

/**
 * struct xe_pcap - what a pcap file holds (as read by xe_pcap_read())
 * @n:		records
 * @caplen:	sum of captured lengths
 * @len:	sum of wire lengths
 * @ours:	records that are intact test frames (cut ones compared on
 *		their captured bytes)
 * @snaplen:	the header's snapshot length
 * @rec_caplen:	captured length of the first 4096 records
 * @rec_len:	wire length of the first 4096 records
 * @rec_seq:	sequence number of the first 4096 records (or ~0)
 * @rec_data:	first 64 bytes of the first 4096 records
 */
struct xe_pcap {
	unsigned int n;
	uint64_t caplen;
	uint64_t len;
	unsigned int ours;
	uint32_t snaplen;
	uint32_t rec_caplen[4096];
	uint32_t rec_len[4096];
	uint32_t rec_seq[4096];
	uint8_t rec_data[4096][64];
};

void xe_pcap_read(const char *path, struct xe_pcap *p);
int xe_tcpdump_count(const char *path, const char *expr);

#endif /* QNET_TESTS_NETNS_XDP_ENV_H */
