/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uguest.h: a test "guest" port for the user backend: captures frames, answers ARP, builds packets. */
#ifndef QNET_TESTS_UGUEST_H
#define QNET_TESTS_UGUEST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/port.h"
#include "datapath/uring/uloop.h"
#include "tests/lib/tcheck.h"

#define CHECK(c) TC_CHECK(c)
#define CHECK_EQ(a, b) TC_EQ(a, b)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (strcmp(a_, b_)) {                                          \
			fprintf(stderr,                                        \
				"%s:%d: %s is\n  '%s'\nexpected\n  '%s'\n",    \
				__FILE__, __LINE__, #a, a_, b_);               \
			exit(1);                                               \
		}                                                              \
	} while (0)

/** UGUEST_CAP - frames the guest keeps */
#define UGUEST_CAP 2048

/** UGUEST_FRAME - longest frame kept */
#define UGUEST_FRAME 2048

/** UGUEST_PENDING - ARP replies waiting for the hook */
#define UGUEST_PENDING 16

/**
 * struct uguest - the test guest: a NIC-kind port peered with the backend
 * @port:	the port
 * @loop:	the loop the test runs
 * @hook:	sends ARP replies outside receive()
 * @mac:	the guest's MAC (52:54:00:12:34:56)
 * @ip:		the guest's IPv4 address (10.0.2.15)
 * @arp_reply:	answer ARP requests for @ip
 * @cap:	captured frames (copies)
 * @caplen:	their lengths
 * @ncap:	how many
 * @seen:	frames received in all
 * @pend:	ARP replies to send
 * @npend:	how many
 */
struct uguest {
	struct port port;
	struct uloop *loop;
	struct uloop_hook hook;
	uint8_t mac[6];
	struct in_addr ip;
	bool arp_reply;
	uint8_t (*cap)[UGUEST_FRAME];
	uint32_t caplen[UGUEST_CAP];
	unsigned int ncap;
	uint64_t seen;
	uint8_t pend[UGUEST_PENDING][64];
	unsigned int npend;
};

/* guest-side addresses used by the tests */
#define UG_GW_MAC "\x52\x55\x0a\x00\x02\x02"
#define UG_MAC	  "\x52\x54\x00\x12\x34\x56"

int uguest_init(struct uguest *g, struct uloop *loop);
void uguest_fini(struct uguest *g);
void uguest_clear(struct uguest *g);
unsigned int uguest_send(struct uguest *g, const uint8_t *d, uint32_t len);
unsigned int uguest_send_vnet(struct uguest *g, const uint8_t *d, uint32_t len,
			      const void *vnet_hdr);
unsigned int uguest_send_batch(struct uguest *g, uint8_t *const *d,
			       const uint32_t *len, unsigned int n);
void uguest_run(struct uloop *loop, int ms);
void uguest_dump(const struct uguest *g);

typedef bool (*uguest_match)(const uint8_t *d, uint32_t len, void *arg);
int uguest_wait(struct uguest *g, uguest_match m, void *arg, int ms);

/* frame builders: return the frame length written to @buf */
uint32_t ub_eth(uint8_t *buf, const uint8_t *dst, const uint8_t *src,
		uint16_t type);
uint32_t ub_arp_request(uint8_t *buf, struct in_addr sender,
			struct in_addr target);
uint32_t ub_ipv4(uint8_t *buf, uint8_t proto, struct in_addr src,
		 struct in_addr dst, const uint8_t *l4, uint32_t l4len);
uint32_t ub_udp(uint8_t *buf, struct in_addr src, uint16_t sport,
		struct in_addr dst, uint16_t dport, const void *payload,
		uint32_t plen);
uint32_t ub_tcp(uint8_t *buf, struct in_addr src, uint16_t sport,
		struct in_addr dst, uint16_t dport, uint32_t seq, uint32_t ack,
		uint8_t flags, const void *payload, uint32_t plen);
uint32_t ub_icmp_echo(uint8_t *buf, struct in_addr src, struct in_addr dst,
		      uint16_t id, uint16_t seq);
uint32_t ub_dhcp_discover(uint8_t *buf, uint32_t xid);
uint32_t ub_ndp_ns(uint8_t *buf, const struct in6_addr *src,
		   const struct in6_addr *target);
bool ub_parse_ipv6(const uint8_t *d, uint32_t len, uint8_t *next,
		   struct in6_addr *dst, const uint8_t **l4, uint32_t *l4len);
uint16_t ub_csum(const uint8_t *p, uint32_t len, uint32_t sum);

/* frame readers */
struct ub_ipv4 {
	uint8_t proto;
	struct in_addr src;
	struct in_addr dst;
	const uint8_t *l4;
	uint32_t l4len;
};
bool ub_parse_ipv4(const uint8_t *d, uint32_t len, struct ub_ipv4 *out);
uint16_t ub_rd16(const uint8_t *p);
uint32_t ub_rd32(const uint8_t *p);
bool ub_l4_csum_ok(const struct ub_ipv4 *ip);

struct in_addr ub_addr(const char *s);

/* host helpers */
int ub_fd_count(void);
uint64_t ub_cpu_ns(void);

#endif /* QNET_TESTS_UGUEST_H */
