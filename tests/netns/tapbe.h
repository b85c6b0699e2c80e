/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tapbe.h: netns test support for the tap backend: namespaces, topology, a test front-end. */
#ifndef QNET_TESTS_TAPBE_H
#define QNET_TESTS_TAPBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "backends/tap.h"
#include "ctl/rtnl.h"
#include "datapath/pool.h"
#include "datapath/port.h"
#include "tests/lib/tcheck.h"

#define TB_SKIP 77
#define TB_ETHERTYPE 0x88b5
#define TB_MAGIC 0x71a9e7u
#define TB_SEQ_MAX (1u << 20)

#define TB_CHECK(c) TC_CHECK(c)
#define TB_CHECK_EQ(a, b) TC_EQ(a, b)

/**
 * struct tb_topo - namespace A (the test, qnet) with bridge + veth end
 * "tbva" and the tap; namespace B with "tbvb" and a packet socket on it
 * @nsa:	fd of namespace A
 * @nsb:	fd of namespace B
 * @ra:	rtnl in A
 * @rb:	rtnl in B
 * @pkt:	AF_PACKET socket on tbvb (in B), non-blocking
 * @vb_index:	ifindex of tbvb in B
 * @vnet_pkt:	@pkt uses PACKET_VNET_HDR (10-byte header in front)
 */
struct tb_topo {
	int nsa;
	int nsb;
	struct rtnl *ra;
	struct rtnl *rb;
	int pkt;
	int vb_index;
	bool vnet_pkt;
};

#define TB_BR "tbbr0"
#define TB_VA "tbva"
#define TB_VB "tbvb"

void tb_require_root(void);
void tb_enter(void);
void tb_topo_up(struct tb_topo *tp, bool vnet_pkt);
void tb_topo_add_tap(struct tb_topo *tp, const char *ifname);
void tb_tap_open(struct tap **t, struct uloop *loop,
		 const struct tap_config *cfg, const char *id,
		 struct tap_err *err);
void tb_topo_down(struct tb_topo *tp);
void tb_check_clean(int nsfd);
void tb_setns(int nsfd);
void tb_sh(const char *fmt, ...);

/* Frames: [dst][src][0x88b5][magic u32][seq u32][queue u16][pad] */
unsigned int tb_build(uint8_t *buf, unsigned int len, uint32_t seq,
		      unsigned int queue, const uint8_t *src_mac);
bool tb_parse(const uint8_t *buf, unsigned int len, uint32_t *seq,
	      unsigned int *queue);
int tb_pkt_send(struct tb_topo *tp, unsigned int len, uint32_t seq);
unsigned int tb_pkt_drain(struct tb_topo *tp, uint8_t *seen, uint64_t *frames);
uint32_t tb_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t tb_csum_fold(uint32_t sum);
unsigned int tb_build_tcp(uint8_t *b, unsigned int payload, uint16_t sport,
			  uint16_t dport);
void tb_gso_hdr(struct virtio_net_hdr *h, uint16_t mss);

/**
 * struct tfe - a test front-end port (stands for a NIC)
 * @port:	its port
 * @pool:	frames it sends, one pool per queue (queues may run on
 *		different workers)
 * @len:	length of the frames it sends
 * @to_send:	frames still to send, per queue
 * @next_seq:	next sequence number per queue
 * @held:	frames offered but not taken (held), per queue
 * @nheld:	their count
 * @capacity:	frames it takes per receive() call (0: all); with @stall
 * @stall:	take nothing (hold the tap) until tfe_unstall()
 * @rx:		frames received, per queue
 * @rx_bytes:	their bytes
 * @rx_gso:	frames received with a GSO header
 * @last_len:	length of the last test frame received
 * @last_vnet:	its header
 * @seen:	sequence numbers seen (tb_parse), TB_SEQ_MAX of them
 * @resumes:	resume() calls
 * @link_changes: link_changed() calls
 * @hooks:	per-queue loop hooks that keep sending (tfe_attach())
 */
struct tfe {
	struct port port;
	struct pool pool[PORT_MAX_QUEUES];
	unsigned int len;
	uint64_t to_send[PORT_MAX_QUEUES];
	uint32_t next_seq[PORT_MAX_QUEUES];
	struct frame *held[PORT_MAX_QUEUES][FRAME_BATCH_MAX];
	unsigned int nheld[PORT_MAX_QUEUES];
	unsigned int capacity;
	bool stall;
	uint64_t rx[PORT_MAX_QUEUES];
	uint64_t rx_bytes;
	uint64_t rx_gso;
	uint32_t last_len;
	struct virtio_net_hdr_v1 last_vnet;
	uint8_t *seen;
	uint64_t resumes;
	unsigned int link_changes;
	struct tfe_hook {
		struct uloop_hook h;
		struct tfe *e;
		unsigned int q;
	} hooks[PORT_MAX_QUEUES];
};

void tfe_init(struct tfe *e, unsigned int nqueues, unsigned int len);
void tfe_fini(struct tfe *e);
void tfe_send(struct tfe *e, unsigned int q, uint64_t n);
void tfe_pump(struct tfe *e, unsigned int q);
unsigned int tfe_seen_count(const struct tfe *e, uint32_t n);
void tfe_unstall(struct tfe *e, unsigned int q);
void tfe_attach(struct tfe *e, unsigned int q, struct uloop *loop);
void tfe_detach(struct tfe *e, unsigned int q, struct uloop *loop);
void tb_run(struct uloop *loop, struct tb_topo *tp, uint8_t *seen,
	    uint64_t *frames, unsigned int ms);

#endif /* QNET_TESTS_TAPBE_H */
