/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstest.h: netns suite helpers: namespaces, sockets in them, capture port. */
#ifndef QNET_TESTS_NETNS_NSTEST_H
#define QNET_TESTS_NETNS_NSTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "datapath/port.h"
#include "datapath/uring/uloop.h"

#define NST_SKIP 77
#define NST_MS	 1000000ull

/* The test's own EtherType (IEEE local experimental 1). */
#define NST_ETHERTYPE 0x88b5

#define NST_NS_NAME_MAX 64

#include "tests/lib/tcheck.h"

#define CHECK TC_CHECK
#define CHECK_EQ TC_EQ
#define NST_RUN_UNTIL TC_RUN_UNTIL

/* --- environment, namespaces, commands ------------------------------------ */

void nst_require(void);
void nst_loop_init(struct uloop *loop);
void nst_run_for(struct uloop *loop, unsigned int ms);
void nst_ns_add(char name[NST_NS_NAME_MAX]);
void nst_ns_del(const char *name);
bool nst_ns_exists(const char *name);
int nst_cmd(const char *const argv[]);
int nst_cmd_out(const char *const argv[], char *out, size_t size);
int nst_in_ns(const char *ns, int (*fn)(void *arg), void *arg);
int nst_ns_socket(const char *ns, int domain, int type, int proto);
int nst_ns_sysctl(const char *ns, const char *path, const char *value);
void nst_ns_no_ipv6(const char *ns);

/* --- interfaces seen from inside a namespace (ioctls on @sock) ------------ */

int nst_ifindex(int sock, const char *ifname);
int nst_ifflags(int sock, const char *ifname);
int nst_ifmtu(int sock, const char *ifname);
int nst_ifmac(int sock, const char *ifname, uint8_t mac[6]);
int nst_packet_socket(const char *ns, const char *ifname);

/* --- test frames ---------------------------------------------------------- */

unsigned int nst_frame_len(unsigned int seq);
void nst_frame_fill(uint8_t *buf, unsigned int len, unsigned int seq,
		    const uint8_t dst[6], const uint8_t src[6]);
bool nst_frame_check(const uint8_t *buf, unsigned int len, unsigned int seq,
		     const uint8_t dst[6], const uint8_t src[6]);
int nst_frame_seq(const uint8_t *buf, unsigned int len);
int nst_pkt_send(int sock, const uint8_t *buf, unsigned int len);
int nst_pkt_recv_ours(int sock, uint8_t *buf, unsigned int size,
		      unsigned int ms);

/* --- a capture port: records what it takes, sends test frames ------------- */

#define NCAP_MAX   4096
#define NCAP_ARENA (16u << 20)

/**
 * struct nst_frames - test frames with buffers, released counting
 * @owner:	release hook (counts into @released)
 * @n:		frames
 * @f:		the frames (refs 1: the test's own reference)
 * @ptr:	&f[i]
 * @buf:	buffers, 2048 bytes each
 * @released:	releases seen (frames whose count went back to 0)
 */
struct nst_frames {
	struct frame_owner owner;
	unsigned int n;
	struct frame *f;
	struct frame **ptr;
	uint8_t *buf;
	unsigned int released;
};

/**
 * struct ncap - the peer port of the frontend under test
 * @port:	the port (PORT_NETDEV)
 * @budget:	frames it still takes (UINT32_MAX: no limit; 0 holds senders)
 * @calls:	receive() calls
 * @calls_ours: receive() calls that carried a test frame
 * @max_batch:	largest batch offered
 * @offered:	frames offered in total
 * @others:	frames taken that were not test frames (IPv6 ND, ARP ...)
 * @n:		test frames taken, recorded in order
 * @off, @len:	where frame i's bytes are in @arena
 * @arena:	copies of the frames taken
 * @used:	bytes used in @arena
 * @resumes:	resume hook calls
 * @link_changes: link_changed hook calls
 * @pend:	frames it sends that the peer has not taken yet
 * @npend:	how many
 * @seen_other:	copy of the last non-test frame, @other_len bytes
 * @on_other:	optional: called for each non-test frame taken
 */
struct ncap {
	struct port port;
	uint32_t budget;
	unsigned int calls;
	unsigned int calls_ours;
	unsigned int max_batch;
	uint64_t offered;
	unsigned int others;
	unsigned int n;
	uint32_t off[NCAP_MAX];
	uint32_t len[NCAP_MAX];
	uint8_t *arena;
	size_t used;
	unsigned int resumes;
	unsigned int link_changes;
	struct frame *pend[NCAP_MAX];
	unsigned int npend;
	uint8_t seen_other[2048];
	unsigned int other_len;
	void (*on_other)(struct ncap *c, const struct frame *f);
};

void ncap_init(struct ncap *c, const char *name);
void ncap_fini(struct ncap *c);
void ncap_send(struct ncap *c, struct frame **f, unsigned int n);
void ncap_set_budget(struct ncap *c, uint32_t budget);
void nst_frames_new(struct nst_frames *t, unsigned int n);
void nst_frames_free(struct nst_frames *t);
bool nst_frames_idle(const struct nst_frames *t);

#endif /* QNET_TESTS_NETNS_NSTEST_H */
