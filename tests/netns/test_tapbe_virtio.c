// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tapbe_virtio.c: a vhost-user virtio-net device (synthetic front-end) on a real tap, both ways: guest TX buffers (one piece or scattered) lent to the tap and written in place, completed only after the write, settled when a ring stops; frames from a namespace into the guest's RX buffers. */

#include <errno.h>
#include <string.h>
#include <linux/if_tun.h>
#include <sys/socket.h>

#include "tests/device/vtest.h"
#include "tests/netns/tapbe.h"

#define TXQ 1
#define HDR 12u
#define N_LAYOUT 300
#define BATCH 64
#define SEQ_SMALL3 10000
#define SEQ_FILTER 11000
#define SEQ_RX 20000
#define SEQ_RXSTOP 30000
#define SEQ_FEW 40000
#define SEQ_AUTO 50000
#define RXQ 0
#define RX_BUFS 128
#define N_RX 2000

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static uint8_t seen[TB_SEQ_MAX];

/* Fill a test frame's bytes after its 24-byte header with a pattern of
 * its sequence number (a piece missing or out of order shows). */
static void fill(uint8_t *frame, unsigned int len, uint32_t seq)
{
	unsigned int i;

	for (i = 24; i < len; i++)
		frame[i] = (uint8_t)(seq * 7 + i);
}

/* Post @frame (@len bytes) behind header @h in @pieces descriptors
 * (1: header + frame; 2: header | frame; 3: header | @cut bytes | the
 * rest, the two pieces of the frame in guest memory the other way round
 * with 64 bytes of 0xaa between them, so only a reader that follows the
 * pieces gets the frame). */
static void post_bytes(struct venv *e, const void *h, const uint8_t *frame,
		       unsigned int len, unsigned int pieces, unsigned int cut)
{
	struct vfe_buf b[3];
	uint8_t *m;
	uint64_t a;

	a = vfe_alloc(&e->fe, HDR + len + 64);
	TC_CHECK(a != 0);
	m = vfe_ptr(&e->fe, a);
	memcpy(m, h, HDR);
	if (pieces == 3) {
		uint64_t rest = a + HDR, first = rest + (len - cut) + 64;

		memcpy(m + HDR, frame + cut, len - cut);
		memset(m + HDR + (len - cut), 0xaa, 64);
		memcpy(vfe_ptr(&e->fe, first), frame, cut);
		b[0] = (struct vfe_buf){ a, HDR, 0 };
		b[1] = (struct vfe_buf){ first, cut, 0 };
		b[2] = (struct vfe_buf){ rest, len - cut, 0 };
	} else {
		memcpy(m + HDR, frame, len);
		b[0] = (struct vfe_buf){ a, HDR + len, 0 };
		if (pieces == 2) {
			b[0].len = HDR;
			b[1] = (struct vfe_buf){ a + HDR, len, 0 };
		}
	}
	TC_CHECK(vfe_post(&e->fe, TXQ, b, pieces) >= 0);
}

/* Lay test frame @seq of @len bytes out in guest memory in @pieces
 * descriptors (3: header | half | half), with a header asking nothing. */
static void post_frame(struct venv *e, uint32_t seq, unsigned int len,
		       unsigned int pieces)
{
	static const uint8_t none[HDR];
	uint8_t frame[2048];

	tb_build(frame, len, seq, 0, guest_mac);
	fill(frame, len, seq);
	post_bytes(e, none, frame, len, pieces, len / 2);
}

/* Take what namespace B received: a frame counts as seen only when its
 * length is @len and every byte of it is the one fill() wrote. */
static void drain_exact(struct tb_topo *tp, unsigned int len, uint64_t *got)
{
	static uint8_t buf[70000], want[2048];
	unsigned int off = tp->vnet_pkt ? 10 : 0, q;
	uint32_t seq;
	ssize_t r;

	while ((r = recv(tp->pkt, buf, sizeof(buf), 0)) > 0) {
		if ((size_t)r != off + len ||
		    !tb_parse(buf + off, len, &seq, &q) || seq >= TB_SEQ_MAX)
			continue;
		tb_build(want, len, seq, 0, guest_mac);
		fill(want, len, seq);
		if (memcmp(buf + off, want, len))
			continue;
		seen[seq] = 1;
		(*got)++;
	}
}

/* Reap what the device completed; return how many. */
static unsigned int reap(struct venv *e)
{
	uint32_t id, len;
	unsigned int n = 0;

	while (vfe_reap(&e->fe, TXQ, &id, &len))
		n++;
	return n;
}

/* Send @n frames laid out in @pieces descriptors, @BATCH per kick; every
 * one must complete and reach namespace B. */
static void send_layout(struct venv *e, struct tb_topo *tp, uint32_t base,
			unsigned int n, unsigned int len, unsigned int pieces)
{
	uint64_t got = 0, end = uloop_now() + 10000000000ull;
	unsigned int posted = 0, done = 0, i, c = 0;

	while (uloop_now() < end && (done < n || got < n)) {
		if (posted < n && posted - done < BATCH) {
			for (i = 0; i < BATCH && posted < n; i++)
				post_frame(e, base + posted++, len, pieces);
			vfe_publish(&e->fe, TXQ);
			vfe_kick(&e->fe, TXQ);
		}
		uloop_run_once(&e->loop, 1000000);
		done += reap(e);
		drain_exact(tp, len, &got);
	}
	for (i = base; i < base + n; i++)
		c += seen[i];
	printf("%u-piece chains, %u bytes: %u of %u arrived intact, %u "
	       "completed\n",
	       pieces, len, c, n, done);
	TC_EQ(c, n);
	TC_EQ(done, n);
}

/* Frames are lent, written (in place above 512 bytes), then completed;
 * a frame in two pieces is lent scattered. */
static void test_layouts(struct venv *e, struct tb_topo *tp, struct tap *t)
{
	struct virtio_net_stats vs;
	struct tap_stats st;

	send_layout(e, tp, 0, N_LAYOUT, 64, 1);
	send_layout(e, tp, N_LAYOUT, N_LAYOUT, 1500, 1);
	send_layout(e, tp, 2 * N_LAYOUT, N_LAYOUT, 1500, 2);
	send_layout(e, tp, 3 * N_LAYOUT, N_LAYOUT, 1500, 3);
	send_layout(e, tp, SEQ_SMALL3, N_LAYOUT, 64, 3);
	vs = vt_stats(e);
	tap_get_stats(t, &st);
	printf("device: lent %lu (scattered %lu) unshared %lu settled %lu; "
	       "tap: copied %lu in place %lu fails %lu\n",
	       (unsigned long)vs.tx_lent, (unsigned long)vs.tx_lent_scattered,
	       (unsigned long)vs.tx_unshared, (unsigned long)vs.tx_settled,
	       (unsigned long)st.tx_copied, (unsigned long)st.tx_zerocopy,
	       (unsigned long)st.write_fails);
	/* every chain lent; the 3-piece ones as scattered frames */
	TC_EQ(vs.tx_lent, 5 * N_LAYOUT);
	TC_EQ(vs.tx_lent_scattered, 2 * N_LAYOUT);
	TC_EQ(vs.tx_unshared, 0);
	/* small frames the tap copies into its registered area (gathering
	 * the pieces of the scattered ones); larger ones it writes in place
	 * from the guest's buffers, pieces and all */
	TC_EQ(st.tx_copied, 2 * N_LAYOUT);
	TC_EQ(st.tx_zerocopy, 3 * N_LAYOUT);
	TC_EQ(st.write_fails, 0);
	TC_EQ(vt_drops(e, PORT_DROP_NO_BUFFER), 0);
}

/* An IPv4/UDP frame of @len bytes whose header asks for its checksum. */
static void udp_frame(uint8_t *f, unsigned int len, struct virtio_net_hdr_v1 *h)
{
	unsigned int ip = len - 14, udp = len - 34;

	memset(f, 0, len);
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)(ip >> 8);
	f[17] = (uint8_t)ip;
	f[22] = 64;
	f[23] = 17;
	f[26] = 10, f[27] = 99, f[29] = 1;
	f[30] = 10, f[31] = 99, f[33] = 2;
	f[35] = 9, f[37] = 9;	/* ports 9 -> 9 (discard) */
	f[38] = (uint8_t)(udp >> 8);
	f[39] = (uint8_t)udp;
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = 34;
	h->csum_offset = 6;
}

/* Post @n UDP frames with NEEDS_CSUM, the first @cut bytes in their own
 * piece; wait for every chain to complete. */
static void send_udp(struct venv *e, unsigned int n, unsigned int cut)
{
	uint64_t end = uloop_now() + 10000000000ull;
	unsigned int posted = 0, done = 0, i;
	struct virtio_net_hdr_v1 h;
	uint8_t f[1000];

	udp_frame(f, sizeof(f), &h);
	while (uloop_now() < end && done < n) {
		if (posted < n && posted - done < BATCH) {
			for (i = 0; i < BATCH && posted < n; i++, posted++)
				post_bytes(e, &h, f, sizeof(f), 3, cut);
			vfe_publish(&e->fe, TXQ);
			vfe_kick(&e->fe, TXQ);
		}
		uloop_run_once(&e->loop, 1000000);
		done += reap(e);
	}
	TC_EQ(done, n);
}

/* Offload headers with a scattered frame: lent when the headers the checks
 * read are in the first piece, copied (not dropped) when they straddle
 * two pieces; the tap writes both. */
static void test_offload(struct venv *e, struct tap *t)
{
	struct virtio_net_stats a = vt_stats(e), b, c;
	struct tap_stats s0, s1;
	unsigned int i;

	tap_get_stats(t, &s0);
	send_udp(e, N_LAYOUT, 42);	/* Ethernet + IPv4 + UDP | payload */
	b = vt_stats(e);
	send_udp(e, N_LAYOUT, 30);	/* the IPv4 header cut in two */
	for (i = 0; i < 20; i++)	/* copied chains complete first */
		uloop_run_once(&e->loop, 1000000);
	c = vt_stats(e);
	tap_get_stats(t, &s1);
	printf("NEEDS_CSUM chains: headers in piece 1: %lu lent scattered; "
	       "headers split: %lu lent; tap wrote %lu, refused %lu\n",
	       (unsigned long)(b.tx_lent_scattered - a.tx_lent_scattered),
	       (unsigned long)(c.tx_lent - b.tx_lent),
	       (unsigned long)(s1.tx_frames - s0.tx_frames),
	       (unsigned long)(s1.bad_vnet - s0.bad_vnet));
	TC_EQ(b.tx_lent_scattered - a.tx_lent_scattered, N_LAYOUT);
	TC_EQ(c.tx_lent - b.tx_lent, 0);
	TC_EQ(c.tx_bad_vnet, a.tx_bad_vnet);
	TC_EQ(s1.bad_vnet, s0.bad_vnet);
	TC_EQ(s1.tx_frames - s0.tx_frames, 2 * N_LAYOUT);
	TC_EQ(s1.write_fails, s0.write_fails);
}

/* filter_run: a filter that reads every byte of each frame at frame.data
 * (as captures do) and counts intact test frames. */
static uint64_t filter_run(void *arg, enum port_dir dir, unsigned int queue,
			   struct frame *const *f, unsigned int n)
{
	unsigned int *intact = arg, i, j, q;
	uint32_t seq;

	(void)dir;
	(void)queue;
	for (i = 0; i < n; i++) {
		unsigned int bad = 0;

		if (f[i]->niov || !tb_parse(f[i]->data, f[i]->len, &seq, &q))
			continue;
		for (j = 24; j < f[i]->len; j++)
			bad |= f[i]->data[j] ^ (uint8_t)(seq * 7 + j);
		*intact += !bad;
	}
	return 0;
}

/* With a filter on the device's port, scattered chains are copied: the
 * filter sees each frame whole at frame.data. */
static void test_filter(struct venv *e, struct tb_topo *tp)
{
	unsigned int intact = 0;
	struct port_filter pf = { filter_run, &intact };
	struct virtio_net_stats a = vt_stats(e), b;

	TC_EQ(port_filter_add(virtio_net_port(e->vn), &pf), 0);
	send_layout(e, tp, SEQ_FILTER, N_LAYOUT, 1500, 3);
	port_filter_del(virtio_net_port(e->vn), &pf);
	b = vt_stats(e);
	printf("filter on the NIC: %u intact frames seen; %lu lent, %lu "
	       "of them scattered\n", intact,
	       (unsigned long)(b.tx_lent - a.tx_lent),
	       (unsigned long)(b.tx_lent_scattered - a.tx_lent_scattered));
	TC_EQ(intact, N_LAYOUT);
	TC_EQ(b.tx_lent_scattered, a.tx_lent_scattered);
}


static uint64_t rx_gpa[VFE_MAX_NUM];

/* Whether a direct-RX run reads frames straight into the guest's buffers:
 * not on the epoll fallback (QNET_URING=epoll), where direct RX is not
 * used (devices/virtio_net_rxd.c). */
static bool direct_on;

/* Post @n RX buffers of HDR + 2048 bytes. */
static void rx_post(struct venv *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vfe_buf b = { vfe_alloc(&e->fe, HDR + 2048), HDR + 2048,
				     VRING_DESC_F_WRITE };
		int head = vfe_post(&e->fe, RXQ, &b, 1);

		TC_CHECK(head >= 0 && b.addr);
		rx_gpa[head] = b.addr;
	}
	vfe_publish(&e->fe, RXQ);
	vfe_kick(&e->fe, RXQ);
}

/* Post RX buffer @id again, at the same guest address. */
static void rx_repost(struct venv *e, uint32_t id)
{
	struct vfe_buf b = { rx_gpa[id], HDR + 2048, VRING_DESC_F_WRITE };
	int head = vfe_post(&e->fe, RXQ, &b, 1);

	rx_gpa[head] = b.addr;
}

/* Make the @n buffers posted again visible, and kick. */
static void rx_publish(struct venv *e, unsigned int n)
{
	if (n) {
		vfe_publish(&e->fe, RXQ);
		vfe_kick(&e->fe, RXQ);
	}
}

/* Reap the RX ring: count test frames from @base on in @got, post each
 * buffer again; flag a num_buffers other than 1, an empty buffer or a
 * frame delivered twice in @bad. Return: buffers reaped (frames, test or not). */
static unsigned int rx_reap(struct venv *e, uint32_t base, unsigned int *got,
			    bool *bad)
{
	uint32_t seq, id, len;
	unsigned int n = 0, q;

	while (vfe_reap(&e->fe, RXQ, &id, &len)) {
		uint8_t *h = vfe_ptr(&e->fe, rx_gpa[id]);

		*bad |= len <= HDR || h[10] != 1 || h[11] != 0;
		if (len > HDR && tb_parse(h + HDR, len - HDR, &seq, &q) &&
		    seq >= base && seq < base + N_RX) {
			*bad |= seen[seq];	/* delivered twice */
			seen[seq] = 1;
			(*got)++;
		}
		rx_repost(e, id);
		n++;
	}
	rx_publish(e, n);
	return n;
}

/* Frames from namespace B to the guest, in bursts of 64 the tap's queue
 * (1000) holds while we are away: every one arrives intact, in a buffer
 * of its own (num_buffers 1). With @want_direct (and not on the epoll
 * fallback) every one of ours went straight into the guest's buffers
 * (rx_direct), and so may strays the namespace sent (IGMP reports) but
 * those the tap had read before it handed its reading over come copied;
 * without, none did. Return: rx_direct's increase. */
static uint64_t rx_run(struct venv *e, struct tb_topo *tp, uint32_t base,
		       bool want_direct)
{
	uint64_t end = uloop_now() + 10000000000ull, direct, frames = 0;
	uint32_t sent = 0;
	unsigned int i, n, got = 0, c = 0;
	bool bad = false;

	direct = vt_stats(e).rx_direct;
	while (uloop_now() < end && got < N_RX) {
		for (i = 0; i < 64 && sent < N_RX; i++)
			if (tb_pkt_send(tp, 1000, base + sent) == 0)
				sent++;
		uloop_run_once(&e->loop, 1000000);
		/* until the loop is idle, as a running loop would be */
		while ((n = rx_reap(e, base, &got, &bad)) > 0 ||
		       uloop_run_once(&e->loop, 0) > 0)
			frames += n;
	}
	for (i = base; i < base + N_RX; i++)
		c += seen[i];
	direct = vt_stats(e).rx_direct - direct;
	printf("namespace -> guest RX buffers: %u of %u frames (sent %u), "
	       "%lu frames in all, %lu read straight into them\n", c, N_RX,
	       sent, (unsigned long)frames, (unsigned long)direct);
	TC_EQ(c, N_RX);
	TC_CHECK(!bad);
	if (want_direct && direct_on)	/* a stray the tap read before */
		TC_CHECK(direct >= N_RX && direct <= frames);
	else
		TC_EQ(direct, 0);
	return direct;
}

/* Both ways of RX: the kernel reading the tap straight into the guest's
 * buffers (direct RX), then the device copying (VN_RX_COPY). */
static void test_rx(struct venv *e, struct tb_topo *tp, struct tap *t)
{
	struct tap_stats s0, s1;
	uint64_t direct;

	rx_post(e, RX_BUFS);
	tap_get_stats(t, &s0);
	direct = rx_run(e, tp, SEQ_RX, true);
	tap_get_stats(t, &s1);
	/* the tap counts the device's reads as its own */
	TC_EQ(s1.rx_direct - s0.rx_direct, direct);
	TC_CHECK(s1.rx_frames - s0.rx_frames >= N_RX);
	virtio_net_set_rx_mode(e->vn, VN_RX_COPY);
	rx_run(e, tp, SEQ_RX + N_RX, false);
	virtio_net_set_rx_mode(e->vn, VN_RX_DIRECT);
}

/* Build in @pkt a virtio-net header (TCP GSO, segments of 1448) and a
 * TCP frame to the guest with @payload bytes. Return: the frame's length. */
static unsigned int rx_gso_pkt(uint8_t *pkt, unsigned int payload)
{
	unsigned int len = tb_build_tcp(pkt + 10, payload, 40001, 40002);

	memcpy(pkt + 10, guest_mac, 6);
	memcpy(pkt + 10 + 6, "\x02\x00\x00\x00\x00\x0b", 6);
	tb_gso_hdr((struct virtio_net_hdr *)(void *)pkt, 1448);
	return len;
}

/* A 30000-byte TCP GSO frame sent in namespace B reaches the guest whole,
 * read straight into 15 of its buffers (num_buffers), with the GSO header
 * the kernel wrote. */
static void test_rx_gso(struct venv *e, struct tb_topo *tp, struct tap *t)
{
	static uint8_t pkt[10 + 40000], got[40000];
	unsigned int len = rx_gso_pkt(pkt, 30000);
	uint64_t end = uloop_now() + 5000000000ull;
	uint64_t direct = vt_stats(e).rx_direct;
	unsigned int off = 0, nbuf = 0, want = 0, strays = 0;
	struct virtio_net_hdr_v1 gh = { 0 };
	uint32_t id, l;

	TC_EQ(tap_set_offload(t, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6), 0);
	TC_EQ(send(tp->pkt, pkt, 10 + len, 0), (ssize_t)(10 + len));
	while (uloop_now() < end && (!want || nbuf < want)) {
		uloop_run_once(&e->loop, 1000000);
		while (vfe_reap(&e->fe, RXQ, &id, &l)) {
			uint8_t *b = vfe_ptr(&e->fe, rx_gpa[id]);

			if (!want && l > HDR + 12 &&
			    memcmp(b + HDR + 6, pkt + 10 + 6, 6)) {
				strays++;	/* an IGMP report, say */
			} else if (!want && l > HDR) {	/* our first buffer */
				memcpy(&gh, b, HDR);
				want = gh.num_buffers;
				b += HDR;
				l -= HDR;
			}
			if (want && off + l <= sizeof(got)) {
				memcpy(got + off, b, l);
				off += l;
				nbuf++;
			}
			rx_repost(e, id);
		}
		rx_publish(e, 1);
	}
	printf("GSO frame into the guest: %u bytes in %u buffers "
	       "(num_buffers %u), gso_type %u gso_size %u, %lu read "
	       "straight into them\n", off, nbuf, want, gh.gso_type,
	       gh.gso_size, (unsigned long)(vt_stats(e).rx_direct - direct));
	TC_EQ(off, len);
	TC_EQ(nbuf, want);
	TC_EQ(want, (len + HDR + HDR + 2047) / (HDR + 2048));
	TC_EQ(memcmp(got, pkt + 10, len), 0);
	TC_EQ(gh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	TC_EQ(gh.gso_size, 1448);
	/* strays the namespace sent may have come either way */
	direct = vt_stats(e).rx_direct - direct;
	TC_CHECK(direct_on ? direct >= 1 && direct <= 1 + strays : !direct);
}

/* The RX ring stops (GET_VRING_BASE) while direct reads wait, after a
 * burst, so the buffers they and the spares hold lie between filled ones:
 * every buffer the device took is back in the used ring (filled, or given
 * back empty and counted) or before the base it returns; then the ring is
 * set up again with half the size and frames go straight into the
 * guest's buffers again. */
static void test_rx_stop(struct venv *e, struct tb_topo *tp)
{
	struct vu_vring_state st = { RXQ, 0 };
	struct virtio_net_stats a, b;
	unsigned int got = 0, zeros = 0, i;
	uint64_t end = uloop_now() + 5000000000ull;
	bool bad = false;
	struct vu_msg r;
	uint32_t id, len;
	uint16_t used;

	for (i = 0; i < 10; i++)
		TC_EQ(tb_pkt_send(tp, 1000, SEQ_RXSTOP + i), 0);
	while (uloop_now() < end && got < 10) {
		uloop_run_once(&e->loop, 1000000);
		rx_reap(e, SEQ_RXSTOP, &got, &bad);
	}
	TC_EQ(got, 10);
	a = vt_stats(e);
	TC_EQ(vfe_call(&e->fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &r), 0);
	b = vt_stats(e);
	used = __atomic_load_n(&e->fe.ring[RXQ].used->idx, __ATOMIC_ACQUIRE);
	while (vfe_reap(&e->fe, RXQ, &id, &len))
		zeros += len == 0;
	printf("RX ring stopped with direct reads waiting: base %u, used "
	       "index %u, %u given back empty (rx_direct_returned +%lu)\n",
	       r.p.state.num, used, zeros,
	       (unsigned long)(b.rx_direct_returned - a.rx_direct_returned));
	TC_EQ((uint16_t)r.p.state.num, used);	/* nothing kept */
	TC_EQ(zeros, b.rx_direct_returned - a.rx_direct_returned);
	/* the guest sets the ring up again after its reset, smaller */
	memset(vfe_ptr(&e->fe, e->fe.ring[RXQ].desc_gpa), 0, 0x1000);
	TC_EQ(vfe_ring_setup(&e->fe, RXQ, 128), 0);
	rx_post(e, RX_BUFS);
	rx_run(e, tp, SEQ_RXSTOP + 100, true);
}

/* Set the RX ring up again with @num entries (a guest reset) and post
 * @posted buffers. */
static void rx_ring_again(struct venv *e, unsigned int num,
			  unsigned int posted)
{
	struct vu_vring_state st = { RXQ, 0 };
	struct vu_msg r;
	uint32_t id, len;

	TC_EQ(vfe_call(&e->fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &r), 0);
	while (vfe_reap(&e->fe, RXQ, &id, &len))
		;
	memset(vfe_ptr(&e->fe, e->fe.ring[RXQ].desc_gpa), 0, 0x1000);
	TC_EQ(vfe_ring_setup(&e->fe, RXQ, num), 0);
	rx_post(e, posted);
}

/* A ring of 16 buffers of 2 KiB cannot hold a 64 KiB frame even all
 * together: the device reads nothing directly, every frame still arrives
 * (copied), and a ring of 128 brings direct RX back. */
static void test_rx_small_ring(struct venv *e, struct tb_topo *tp)
{
	rx_ring_again(e, 16, 16);
	rx_run(e, tp, SEQ_RXSTOP + 3000, false);
	rx_ring_again(e, 128, 128);
	rx_run(e, tp, SEQ_RXSTOP + 6000, true);
}

/* A guest that posted 20 buffers, fewer than one read needs, and waits
 * for frames before it posts more: after two watchdog periods direct RX
 * pauses and the frames arrive through the copy path, in those buffers. */
static void test_rx_few_buffers(struct venv *e, struct tb_topo *tp)
{
	uint64_t paused = vt_stats(e).rx_direct_paused;
	uint64_t end = uloop_now() + 3000000000ull;
	unsigned int got = 0, i;
	bool bad = false;

	rx_ring_again(e, 128, 20);
	for (i = 0; i < 10; i++)
		TC_EQ(tb_pkt_send(tp, 1000, SEQ_FEW + i), 0);
	while (uloop_now() < end && got < 10) {
		uloop_run_once(&e->loop, 10000000);
		rx_reap(e, SEQ_FEW, &got, &bad);
	}
	printf("20 buffers posted, 10 frames sent: %u arrived, direct RX "
	       "paused %lu time(s)\n", got,
	       (unsigned long)(vt_stats(e).rx_direct_paused - paused));
	TC_EQ(got, 10);
	TC_CHECK(!bad);
	TC_CHECK(!direct_on || vt_stats(e).rx_direct_paused > paused);
	rx_ring_again(e, 128, 128);
}

/* A tap with 8 write slots holds the device: the lent frames it did not
 * take are copied at once (a held frame keeps no guest buffer), every
 * chain completes and every frame arrives. */
static void test_hold(struct venv *e, struct tb_topo *tp, struct tap *small)
{
	struct virtio_net_stats before = vt_stats(e), after;
	struct tap_stats st;

	port_disconnect(virtio_net_port(e->vn));
	TC_EQ(port_connect(virtio_net_port(e->vn), tap_port(small)), 0);
	send_layout(e, tp, 5 * N_LAYOUT, N_LAYOUT, 1500, 1);
	after = vt_stats(e);
	tap_get_stats(small, &st);
	printf("8-slot tap: lent %lu, copied after all %lu, tap held the "
	       "device %lu times, wrote %lu in place\n",
	       (unsigned long)(after.tx_lent - before.tx_lent),
	       (unsigned long)(after.tx_unshared - before.tx_unshared),
	       (unsigned long)st.held, (unsigned long)st.tx_zerocopy);
	TC_CHECK(st.held > 0);
	TC_CHECK(after.tx_unshared > before.tx_unshared);
	TC_EQ(after.tx_lent - before.tx_lent, N_LAYOUT);
	TC_EQ(st.tx_zerocopy, N_LAYOUT);
	TC_EQ(st.write_fails, 0);
	port_disconnect(virtio_net_port(e->vn));
}

/* Reap the RX ring whatever the frames (a frame's first buffer carries
 * num_buffers) and post each buffer again. Return: frames completed. */
static unsigned int rx_reap_frames(struct venv *e)
{
	static unsigned int left;	/* buffers still due for a frame */
	unsigned int frames = 0, n = 0;
	uint32_t id, len;

	while (vfe_reap(&e->fe, RXQ, &id, &len)) {
		uint8_t *h = vfe_ptr(&e->fe, rx_gpa[id]);

		if (!left && len > HDR)
			left = h[10] | (unsigned int)h[11] << 8;
		if (left && !--left)
			frames++;
		rx_repost(e, id);
		n++;
	}
	rx_publish(e, n);
	return frames;
}

/* For @ms, frames of @len bytes (a TCP GSO frame above 1514) from
 * namespace B to the guest, a few at a time, then until all are in.
 * Return: frames the guest got; @sent: frames sent. */
static unsigned int rx_stream(struct venv *e, struct tb_topo *tp,
			      unsigned int len, unsigned int ms,
			      unsigned int *sent)
{
	static uint8_t pkt[10 + 40000];
	uint64_t end = uloop_now() + ms * 1000000ull;
	unsigned int got = 0, i, l = 0;

	*sent = 0;
	if (len > 1514)
		l = rx_gso_pkt(pkt, len - 54);
	while (uloop_now() < end) {
		for (i = 0; i < (l ? 1u : 8u); i++)
			if (l ? send(tp->pkt, pkt, 10 + l, 0) ==
					(ssize_t)(10 + l)
			      : tb_pkt_send(tp, len, SEQ_AUTO) == 0)
				(*sent)++;
		uloop_run_once(&e->loop, 100000);
		got += rx_reap_frames(e);
	}
	end = uloop_now() + 2000000000ull;
	while (got < *sent && uloop_now() < end) {
		uloop_run_once(&e->loop, 1000000);
		got += rx_reap_frames(e);
	}
	return got;
}

/* VN_RX_AUTO, the default: 1000-byte frames for 350 ms (three watchdog
 * periods) stop direct RX (rx_direct_small) and come copied; 30000-byte
 * GSO frames start it again. Nothing is lost either way. */
static void test_rx_auto(struct venv *e, struct tb_topo *tp)
{
	struct virtio_net_stats a, b, c, d;
	unsigned int got1, sent1, got2, sent2, got3, sent3;

	virtio_net_set_rx_mode(e->vn, VN_RX_AUTO);
	a = vt_stats(e);
	got1 = rx_stream(e, tp, 1000, 350, &sent1);
	b = vt_stats(e);
	rx_run(e, tp, SEQ_AUTO + 1, false);	/* now every one copied */
	got2 = rx_stream(e, tp, 30000, 350, &sent2);
	c = vt_stats(e);
	got3 = rx_stream(e, tp, 30000, 50, &sent3);	/* now direct */
	d = vt_stats(e);
	printf("VN_RX_AUTO: %u of %u small frames (turned to copying %lu "
	       "time(s)), %u of %u GSO frames (%lu read straight into the "
	       "guest), then %u of %u (%lu)\n", got1, sent1,
	       (unsigned long)(b.rx_direct_small - a.rx_direct_small), got2,
	       sent2, (unsigned long)(c.rx_direct - b.rx_direct), got3, sent3,
	       (unsigned long)(d.rx_direct - c.rx_direct));
	/* the namespace's IGMP reports may come too */
	TC_CHECK(got1 >= sent1 && got1 <= sent1 + 4);
	TC_CHECK(got2 >= sent2 && got2 <= sent2 + 4);
	TC_CHECK(got3 >= sent3 && got3 <= sent3 + 4);
	TC_CHECK(sent1 >= 200 && sent2 >= 20 && sent3 >= 1);
	if (direct_on) {
		TC_EQ(b.rx_direct_small, a.rx_direct_small + 1);
		TC_CHECK(c.rx_direct > b.rx_direct);
		TC_CHECK(d.rx_direct - c.rx_direct >= got3);	/* strays too */
	} else {
		TC_EQ(d.rx_direct, a.rx_direct);
	}
	virtio_net_set_rx_mode(e->vn, VN_RX_DIRECT);
}

/* The tap is deleted while the device's direct reads wait on it: the
 * reads end, the device gives the reading back, the tap's link goes down,
 * and the loop does not spin (a timer or two per 100 ms). */
static void test_rx_gone(struct venv *e, struct tap *small)
{
	char cmd[64];
	struct tap_stats st;
	uint64_t it0, end = uloop_now() + 2000000000ull;
	unsigned int i;

	if (!direct_on)
		return;		/* no direct reads on the epoll fallback */
	TC_EQ(port_connect(virtio_net_port(e->vn), tap_port(small)), 0);
	do {
		uloop_run_once(&e->loop, 1000000);
		tap_get_stats(small, &st);
	} while (!st.direct_grants && uloop_now() < end);
	TC_CHECK(st.direct_grants > 0);
	for (i = 0; i < 20; i++)	/* the device posts its reads */
		uloop_run_once(&e->loop, 1000000);
	snprintf(cmd, sizeof(cmd), "ip link del %s", tap_ifname(small));
	TC_EQ(system(cmd), 0);
	it0 = e->loop.stats.iterations;
	end = uloop_now() + 1000000000ull;
	while (uloop_now() < end)
		uloop_run_once(&e->loop, 100000000);
	tap_get_stats(small, &st);
	printf("tap deleted under direct reads: %lu loop iterations in 1 s, "
	       "carrier lost %lu, NIC link %s\n",
	       (unsigned long)(e->loop.stats.iterations - it0),
	       (unsigned long)st.carrier_lost,
	       port_link_ok(virtio_net_port(e->vn)) ? "up" : "down");
	TC_CHECK(e->loop.stats.iterations - it0 < 200);
	TC_CHECK(st.carrier_lost > 0);
	TC_CHECK(!port_link_ok(virtio_net_port(e->vn)));
	port_disconnect(virtio_net_port(e->vn));
}

/* A ring stop (a guest reset) while in-place writes of lent chains are
 * queued:
 * GET_VRING_BASE's reply finds every chain completed exactly once, and
 * the frames still reach the wire. */
static void test_stop(struct venv *e, struct tb_topo *tp)
{
	struct vu_vring_state st = { TXQ, 0 };
	uint16_t before = e->fe.ring[TXQ].used->idx;
	uint64_t got = 0, settled = vt_stats(e).tx_settled;
	uint32_t base = 4 * N_LAYOUT;
	struct vu_msg r;
	unsigned int i, c = 0;

	for (i = 0; i < BATCH; i++)
		post_frame(e, base + i, 1500, 1);
	vfe_publish(&e->fe, TXQ);
	vfe_kick(&e->fe, TXQ);
	TC_EQ(vfe_call(&e->fe, VU_GET_VRING_BASE, &st, 8, NULL, 0, &r), 0);
	TC_EQ((uint16_t)(r.p.state.num - before), BATCH);
	TC_EQ((uint16_t)(e->fe.ring[TXQ].used->idx - before), BATCH);
	for (i = 0; i < 50; i++) {
		uloop_run_once(&e->loop, 1000000);
		tb_pkt_drain(tp, seen, &got);
	}
	/* no chain completed twice when the writes' completions came in */
	TC_EQ((uint16_t)(e->fe.ring[TXQ].used->idx - before), BATCH);
	for (i = base; i < base + BATCH; i++)
		c += seen[i];
	printf("ring stopped with %u lent chains: %lu settled, %u of %u "
	       "arrived\n", BATCH, (unsigned long)(vt_stats(e).tx_settled -
						  settled), c, BATCH);
	TC_EQ(c, BATCH);
	/* the kick and the message came in one loop iteration: every chain
	 * was still lent when the ring stopped */
	TC_EQ(vt_stats(e).tx_settled - settled, BATCH);
	/* the guest sets the ring up again after its reset */
	memset(vfe_ptr(&e->fe, e->fe.ring[TXQ].desc_gpa), 0, 0x8000);
	TC_EQ(vfe_ring_setup(&e->fe, TXQ, 256), 0);
}

/* The device closes while the tap's in-place writes of lent chains are
 * queued: the writes still happen, and the frames' later releases find
 * their table (ASan's run of this test sees no use after free). */
static void test_close(struct venv *e, struct tap *t)
{
	uint64_t lent = vt_stats(e).tx_lent;
	struct tap_stats before, after;
	unsigned int i;

	tap_get_stats(t, &before);
	for (i = 0; i < BATCH; i++)
		post_frame(e, 6 * N_LAYOUT + i, 1500, 1);
	vfe_publish(&e->fe, TXQ);
	vfe_kick(&e->fe, TXQ);
	/* until the kick is seen: the writes are then queued, not submitted */
	for (i = 0; i < 100 && vt_stats(e).tx_lent - lent < BATCH; i++)
		uloop_run_once(&e->loop, 1000000);
	TC_EQ(vt_stats(e).tx_lent - lent, BATCH);
	virtio_net_close(e->vn);
	for (i = 0; i < 20; i++)
		uloop_run_once(&e->loop, 1000000);
	tap_get_stats(t, &after);
	printf("device closed with lent chains queued: the tap wrote %lu\n",
	       (unsigned long)(after.tx_frames - before.tx_frames));
	TC_EQ(after.tx_frames - before.tx_frames, BATCH);
	TC_EQ(after.write_fails, before.write_fails);
}

int main(void)
{
	struct tap_config cfg = { .ifname = "tbtap%d", .script = "no",
				  .downscript = "no" };
	struct tap_config small_cfg = { .ifname = "tbtap%d", .script = "no",
					.downscript = "no", .tx_slots = 8 };
	struct virtio_net_params p;
	struct tap *small;
	struct tb_topo tp;
	struct tap_err err;
	struct venv e;
	struct tap *t;
	int ret;

	tb_enter();
	tb_topo_up(&tp, true);	/* vnet headers: a GSO frame goes in */
	virtio_net_params_default(&p);
	p.peer_vnet = true;
	vt_start(&e, &p, true);
	ret = tap_open(&t, &cfg, &e.loop, "t0", &err);
	if (ret == -EOPNOTSUPP) {
		printf("SKIP: kernel lacks multishot read (6.7)\n");
		return TB_SKIP;
	}
	TC_EQ(ret, 0);
	tb_topo_add_tap(&tp, tap_ifname(t));
	port_disconnect(virtio_net_port(e.vn));
	TC_EQ(port_connect(virtio_net_port(e.vn), tap_port(t)), 0);
	vt_connect(&e, vt_features_default(), 256);
	tb_run(&e.loop, &tp, NULL, NULL, 100);
	direct_on = !(uloop_features(&e.loop) & ULOOP_F_EMULATED);
	/* VN_RX_AUTO would copy the small frames most tests send */
	virtio_net_set_rx_mode(e.vn, VN_RX_DIRECT);

	test_layouts(&e, &tp, t);
	test_offload(&e, t);
	test_filter(&e, &tp);
	test_rx(&e, &tp, t);
	test_rx_gso(&e, &tp, t);
	test_rx_stop(&e, &tp);
	test_rx_small_ring(&e, &tp);
	test_rx_few_buffers(&e, &tp);
	test_rx_auto(&e, &tp);
	ret = tap_open(&small, &small_cfg, &e.loop, "t1", &err);
	TC_EQ(ret, 0);
	tb_topo_add_tap(&tp, tap_ifname(small));
	tb_run(&e.loop, &tp, NULL, NULL, 100);
	test_hold(&e, &tp, small);
	test_rx_gone(&e, small);
	TC_EQ(port_connect(virtio_net_port(e.vn), tap_port(t)), 0);
	test_stop(&e, &tp);

	test_close(&e, t);

	vfe_fini(&e.fe);
	vt_pump(&e);
	tap_close(t);
	tap_close(small);
	vt_pump(&e);
	vt_release(&e);
	tb_topo_down(&tp);
	printf("ok\n");
	return 0;
}
