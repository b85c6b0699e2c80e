/* SPDX-License-Identifier: GPL-2.0-or-later */
/* afxdp_int.h: state shared by the af-xdp backend's files (setup, data path, raw sockets). */
#ifndef QNET_BACKENDS_AFXDP_INT_H
#define QNET_BACKENDS_AFXDP_INT_H

#include <net/if.h>
#include <xdp/xsk.h>

#include "backends/afxdp.h"
#include "datapath/frame.h"
#include "datapath/bpf/xdp_load.h"

/** AFXDP_FRAME_SIZE - UMEM chunk size (aligned mode: a page) */
#define AFXDP_FRAME_SIZE 4096u

/** AFXDP_RX_BUDGET - RX frames handled per event before yielding */
#define AFXDP_RX_BUDGET 256u

/** AFXDP_KICK_TRIES - sendto() calls per kick while the kernel says "again" */
#define AFXDP_KICK_TRIES 64u

/** AFXDP_RETRY_NS - retry delay after a busy driver or a full TX side */
#define AFXDP_RETRY_NS 50000ull

/** AFXDP_CHECK_NS - health check period (program still attached) */
#define AFXDP_CHECK_NS 1000000000ull

/**
 * struct afxdp_umem - one queue's UMEM and the frames describing its RX
 * chunks; outlives the netdev while the peer still holds RX frames
 * @owner:	release hook of every RX frame (first member)
 * @q:		the queue; NULL once the netdev is closed
 * @area:	the UMEM mapping
 * @size:	its size
 * @frames:	one struct frame per RX chunk
 * @nrx:	RX chunks (the first @nrx chunks of @area)
 * @out:	RX frames handed to the peer and not released yet
 */
struct afxdp_umem {
	struct frame_owner owner;
	struct afxdp_q *q;
	uint8_t *area;
	size_t size;
	struct frame *frames;
	uint32_t nrx;
	uint32_t out;
};

/**
 * struct afxdp_raw - rings mapped by hand on a socket we did not create
 * (sock-fds): libxdp 1.3 has no xsk_umem__create_with_fd()
 * @map:	the four ring mappings
 * @len:	their lengths
 */
struct afxdp_raw {
	void *map[4];
	size_t len[4];
};

struct afxdp_watch;

/**
 * struct afxdp_q - one queue pair: a socket, its UMEM and rings
 * @a:		the netdev
 * @qid:	port queue
 * @ifq:	interface queue
 * @fd:		the AF_XDP socket
 * @own_fd:	we created @fd (libxdp) rather than got it (sock-fds)
 * @umem:	libxdp's UMEM, or NULL (raw)
 * @xsk:	libxdp's socket, or NULL (raw)
 * @raw:	hand-made rings (sock-fds)
 * @rx:		RX ring
 * @tx:		TX ring
 * @fill:	fill ring
 * @comp:	completion ring
 * @u:		UMEM and RX frames
 * @fill_stack:	released RX chunk addresses waiting for the fill ring
 * @n_fill:	entries in @fill_stack
 * @tx_free:	free TX chunk addresses
 * @n_tx_free:	entries in @tx_free
 * @ntx:	TX chunks
 * @tx_unkicked: TX descriptors submitted since the last kick
 * @pending:	RX frames the peer did not take (it holds us)
 * @n_pending:	entries in @pending
 * @held:	the peer holds us (waiting for resume)
 * @tx_blocked: we held the sender (no TX room); wake it on completions
 * @rx_more:	the RX ring had more than the budget
 * @zerocopy:	bound in zero-copy mode
 * @st:		counters
 */
struct afxdp_q {
	struct afxdp *a;
	unsigned int qid;
	unsigned int ifq;
	int fd;
	bool own_fd;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct afxdp_raw raw;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct afxdp_umem *u;
	uint64_t *fill_stack;
	uint32_t n_fill;
	uint64_t *tx_free;
	uint32_t n_tx_free;
	uint32_t ntx;
	uint32_t tx_unkicked;
	struct frame *pending[FRAME_BATCH_MAX];
	unsigned int n_pending;
	bool held;
	bool tx_blocked;
	bool rx_more;
	bool zerocopy;
	struct afxdp_stats st;
};

/**
 * struct afxdp - one af-xdp netdev
 * @port:	its port (priv = this)
 * @loop:	the data-path loop all queues run on
 * @hook:	per-iteration work: refill, reap, kick, resume
 * @retry:	timer for leftover RX and busy TX
 * @check:	health check timer
 * @ifname:	interface
 * @ifindex:	its index
 * @cfg:	configuration (pointers not kept)
 * @nq:		queue pairs
 * @q:		the queues
 * @xl:		the steering program (when @have_prog)
 * @have_prog:	we loaded it
 * @map_fd:	map-path's XSK map, or -1
 * @error:	-errno that took the link down, 0
 * @running:	hook and timers are in the loop
 * @epfd:	epoll set of the queues' sockets (the loop polls this one fd:
 *		unlike a poll request on a socket, it does not keep a closed
 *		socket, and so its queue, busy)
 * @watch:	readiness watch on @epfd
 * @caps:	captures attached through afxdp_capture_add()
 * @ncaps:	entries in @caps
 */
struct afxdp {
	struct port port;
	struct uloop *loop;
	struct uloop_hook hook;
	struct uloop_timer retry;
	struct uloop_timer check;
	char ifname[IF_NAMESIZE];
	int ifindex;
	struct afxdp_config cfg;
	unsigned int nq;
	struct afxdp_q q[PORT_MAX_QUEUES];
	struct xdp_load xl;
	bool have_prog;
	int map_fd;
	int error;
	bool running;
	int epfd;
	struct afxdp_watch *watch;
	struct capture *caps[QCAP_SLOTS];
	unsigned int ncaps;
};

/* afxdp.c: setup */
void afxdp_umem_free(struct afxdp_umem *u);

/* afxdp_io.c: the data path */
extern const struct port_ops afxdp_port_ops;
void afxdp_umem_release(struct frame *f);
void afxdp_rx_run(struct afxdp_q *q, unsigned int budget);
void afxdp_refill(struct afxdp_q *q);
void afxdp_service(struct afxdp *a);
void afxdp_fault(struct afxdp *a, int err);
int afxdp_watch_start(struct afxdp *a);
void afxdp_watch_stop(struct afxdp *a);

/* afxdp_raw.c: UMEM and rings on a socket made elsewhere */
int afxdp_raw_setup(struct afxdp_q *q, int ifindex, uint32_t fill_n,
		    uint32_t comp_n, uint32_t ring_n, uint16_t bind_flags);
void afxdp_raw_unmap(struct afxdp_q *q);

#endif /* QNET_BACKENDS_AFXDP_INT_H */
