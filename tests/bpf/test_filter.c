// SPDX-License-Identifier: GPL-2.0-or-later
/* test_filter.c: tcpdump expressions in the kernel programs match exactly what libpcap matches in user space. */

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "datapath/pcapf.h"
#include "datapath/bpf/tc_cap.h"
#include "datapath/bpf/xdp_load.h"
#include "tests/bpf/btest.h"

/* ---- crafted frames ------------------------------------------------------ */

struct tframe {
	const char *name;
	uint8_t b[9100];
	uint32_t len;
};

static uint32_t put_eth(uint8_t *b, const uint8_t dst[6], uint16_t proto)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, bt_other, 6);
	b[12] = proto >> 8;
	b[13] = proto & 0xff;
	return 14;
}

static uint32_t put_vlan(uint8_t *b, uint16_t tpid, uint16_t vid, uint16_t proto)
{
	b[-2] = tpid >> 8;	/* overwrite the ethertype with the TPID */
	b[-1] = tpid & 0xff;
	b[0] = vid >> 8;
	b[1] = vid & 0xff;
	b[2] = proto >> 8;
	b[3] = proto & 0xff;
	return 4;
}

/* IPv4 header + L4 header; returns bytes written. */
static uint32_t put_ip4(uint8_t *b, uint8_t proto, uint16_t totlen,
			uint32_t src, uint32_t dst, uint16_t frag)
{
	b[0] = 0x45;
	b[1] = 0;
	b[2] = totlen >> 8;
	b[3] = totlen & 0xff;
	b[4] = 0x12;
	b[5] = 0x34;
	b[6] = frag >> 8;
	b[7] = frag & 0xff;
	b[8] = 64;
	b[9] = proto;
	b[10] = b[11] = 0;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(b + 12, &src, 4);
	memcpy(b + 16, &dst, 4);
	return 20;
}

static uint32_t put_ip6(uint8_t *b, uint8_t nh, uint16_t plen)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	b[4] = plen >> 8;
	b[5] = plen & 0xff;
	b[6] = nh;
	b[7] = 64;
	b[8] = 0xfe;
	b[9] = 0x80;
	b[23] = 1;
	b[24] = 0xfe;
	b[25] = 0x80;
	b[39] = 2;
	return 40;
}

static uint32_t put_ports(uint8_t *b, uint16_t sp, uint16_t dp, uint8_t flags,
			  bool tcp)
{
	memset(b, 0, tcp ? 20 : 8);
	b[0] = sp >> 8;
	b[1] = sp & 0xff;
	b[2] = dp >> 8;
	b[3] = dp & 0xff;
	if (tcp) {
		b[12] = 0x50;
		b[13] = flags;
	}
	return tcp ? 20 : 8;
}

static struct tframe frames[32];
static unsigned int nframes;

static struct tframe *add(const char *name)
{
	struct tframe *f = &frames[nframes++];

	f->name = name;
	memset(f->b, 0xa5, sizeof(f->b));
	return f;
}

/* ip4/L4 frame of @total bytes to @dst (through an optional VLAN tag). */
static void mk_ip4(const char *name, const uint8_t dst[6], uint16_t vid,
		   uint8_t proto, uint16_t sp, uint16_t dport, uint8_t flags,
		   uint32_t total, uint16_t frag)
{
	struct tframe *f = add(name);
	uint32_t o = put_eth(f->b, dst, 0x0800);

	if (vid)
		o += put_vlan(f->b + o, 0x8100, vid, 0x0800);
	o += put_ip4(f->b + o, proto, (uint16_t)(total - o), 0x0a000001,
		     0xc0a80102, frag);
	if (proto == 6 || proto == 17)
		put_ports(f->b + o, sp, dport, flags, proto == 6);
	else if (proto == 1)
		f->b[o] = 8;	/* echo request */
	f->len = total;
}

static void mk_frames(void)
{
	struct tframe *f;
	uint32_t o;

	mk_ip4("tcp80-syn", bt_guest, 0, 6, 40000, 80, 0x02, 74, 0);
	mk_ip4("tcp22-ack", bt_guest, 0, 6, 22, 50000, 0x10, 1514, 0);
	mk_ip4("udp53", bt_guest, 0, 17, 5353, 53, 0, 80, 0);
	mk_ip4("udp1500-range", bt_guest, 0, 17, 999, 1500, 0, 120, 0);
	mk_ip4("icmp", bt_guest, 0, 1, 0, 0, 0, 98, 0);
	mk_ip4("ip-frag", bt_guest, 0, 17, 1, 53, 0, 600, 0x00b9);
	mk_ip4("vlan100-udp", bt_guest, 100, 17, 1000, 53, 0, 90, 0);
	mk_ip4("vlan7-tcp", bt_bcast, 7, 6, 1000, 80, 0x12, 66, 0);
	mk_ip4("jumbo-udp", bt_guest, 0, 17, 7, 9, 0, 9000, 0);
	mk_ip4("mcast-udp", bt_mcast, 0, 17, 5353, 5353, 0, 200, 0);

	f = add("ip6-tcp443");
	o = put_eth(f->b, bt_guest, 0x86dd);
	o += put_ip6(f->b + o, 6, 20);
	o += put_ports(f->b + o, 51000, 443, 0x02, true);
	f->len = o;

	f = add("ip6-udp-mcast");
	o = put_eth(f->b, bt_mcast6, 0x86dd);
	o += put_ip6(f->b + o, 17, 8);
	o += put_ports(f->b + o, 546, 547, 0, false);
	f->len = o;

	f = add("arp-bcast");
	o = put_eth(f->b, bt_bcast, 0x0806);
	memset(f->b + o, 0, 28);
	f->b[o + 1] = 1;
	f->b[o + 2] = 8;
	f->b[o + 4] = 6;
	f->b[o + 5] = 4;
	f->b[o + 7] = 1;
	f->len = 60;

	f = add("qinq");
	o = put_eth(f->b, bt_guest, 0x88a8);
	o += put_vlan(f->b + o, 0x88a8, 10, 0x8100);
	o += put_vlan(f->b + o, 0x8100, 20, 0x0800);
	o += put_ip4(f->b + o, 17, 28, 1, 2, 0);
	put_ports(f->b + o, 1, 2, 0, false);
	f->len = 64;

	f = add("lldp");
	put_eth(f->b, bt_mcast, 0x88cc);
	f->len = 60;

	f = add("header-only");
	put_eth(f->b, bt_guest, 0x0800);
	f->len = 14;

	f = add("ip4-truncated");
	o = put_eth(f->b, bt_guest, 0x0800);
	put_ip4(f->b + o, 6, 40, 1, 2, 0);
	f->len = 24;
}

/* ---- expressions ---------------------------------------------------------- */

static const char *const exprs[] = {
	"ip", "ip6", "arp", "vlan", "vlan 100", "vlan and ip and udp",
	"tcp port 80", "udp and dst port 53", "port 22", "portrange 1000-2000",
	"ether host 52:54:00:12:34:56", "ether broadcast", "ether multicast",
	"ether proto 0x88cc", "icmp", "ip[8] > 63", "len > 1000",
	"greater 9000", "less 64", "tcp[tcpflags] & tcp-syn != 0",
	"ip6 and tcp", "not ip", "net 10.0.0.0/8", "src host 10.0.0.1",
	"ip host 10.0.0.1 and not port 22", "ip[6:2] & 0x1fff != 0",
	"ip[2:2] / 4 > 10", "ip[2:2] % 7 = 3", "ip[2:2] * 3 > 300",
	"ip[2:2] - 20 > 40", "(ip[2:2] << 1) > 200", "ip[2:2] >> 3 > 5",
	"(ip[2:2] ^ 0xff) > 100", "ip[0] & 0xf0 = 0x40", "ip[0] | 1 = 0x45",
	"udp[8:4] = 0xa5a5a5a5", "ether[8999] = 0xa5", "ether[9000] = 0",
	"ip and tcp[13] = 0x12", "vlan 7 and tcp", "ip6 multicast",
	"ether broadcast or ip multicast", "udp port 5353 or udp port 546",
	"ether[12:2] = 0x88a8 and ether[16:2] = 0x8100",
	"(ip[2:2] - 0) / (ip[9] - 17) > 0",
};

/* ---- hand-written classic programs for the interpreter's edges ------------ */

struct handprog {
	const char *name;
	struct qcap_insn insn[8];
	unsigned int len;
	bool libpcap;	/* compare with libpcap (valid for it) */
};

static const struct handprog hand[] = {
	{ "div by zero X", { { 0x01, 0, 0, 0 }, { 0x00, 0, 0, 5 },
			     { 0x3c, 0, 0, 0 }, { 0x06, 0, 0, 100 } }, 4, true },
	{ "mod by zero X", { { 0x01, 0, 0, 0 }, { 0x00, 0, 0, 5 },
			     { 0x9c, 0, 0, 0 }, { 0x06, 0, 0, 100 } }, 4, true },
	{ "load beyond", { { 0x20, 0, 0, 100000 }, { 0x06, 0, 0, 100 } }, 2, true },
	{ "load ind wrap", { { 0x01, 0, 0, 0xffffffff }, { 0x48, 0, 0, 2 },
			     { 0x06, 0, 0, 100 } }, 3, true },
	{ "scratch", { { 0x00, 0, 0, 77 }, { 0x02, 0, 0, 3 }, { 0x00, 0, 0, 0 },
		       { 0x61, 0, 0, 3 }, { 0x87, 0, 0, 0 }, { 0x16, 0, 0, 0 } },
	  6, true },
	{ "msh+ind", { { 0xb1, 0, 0, 14 }, { 0x50, 0, 0, 14 },
		       { 0x15, 0, 1, 0x00 }, { 0x06, 0, 0, 1 },
		       { 0x06, 0, 0, 2 } }, 5, true },
	{ "shift by X>=32", { { 0x01, 0, 0, 40 }, { 0x00, 0, 0, 1 },
			      { 0x6c, 0, 0, 0 }, { 0x15, 0, 1, 0 },
			      { 0x06, 0, 0, 9 }, { 0x06, 0, 0, 0 } }, 6, true },
	{ "ja past end", { { 0x05, 0, 0, 50 }, { 0x06, 0, 0, 9 } }, 2, false },
	{ "jt past end", { { 0x15, 60, 60, 0 }, { 0x06, 0, 0, 9 } }, 2, false },
	{ "no return", { { 0x00, 0, 0, 5 } }, 1, false },
	{ "bad opcode", { { 0xff, 0, 0, 0 }, { 0x06, 0, 0, 9 } }, 2, false },
	{ "bad alu", { { 0xf4, 0, 0, 0 }, { 0x06, 0, 0, 9 } }, 2, false },
	{ "ret A len", { { 0x80, 0, 0, 0 }, { 0x16, 0, 0, 0 } }, 2, true },
	{ "neg", { { 0x00, 0, 0, 1 }, { 0x84, 0, 0, 0 }, { 0x16, 0, 0, 0 } },
	  3, true },
	{ "jset x", { { 0x01, 0, 0, 0x40 }, { 0x30, 0, 0, 14 },
		      { 0x4d, 0, 1, 0 }, { 0x06, 0, 0, 7 },
		      { 0x06, 0, 0, 0 } }, 5, true },
};

/* ---- the check -------------------------------------------------------------- */

struct got {
	unsigned int n;
	uint32_t caplen[32];
	uint32_t idx[32];
	unsigned int cur;
};

static void got_rec(void *arg, const struct qcap_rec *r, const uint8_t *data)
{
	struct got *g = arg;

	if (g->n < 32) {
		g->caplen[g->n] = r->caplen;
		g->idx[g->n] = g->cur;
		g->n++;
	}
}

static unsigned int checks;
static uint32_t min_len = 14;	/* the TC test runner wants more than a header */

/*
 * Run every frame through a DUMP slot holding @insn and compare each
 * frame's outcome with @want (libpcap's result, or 0).
 */
static void check_prog(int fd, struct qhost *h, uint32_t maxframe,
		       const char *what, const struct qcap_insn *insn,
		       unsigned int len, const uint32_t *want)
{
	struct qcap_slot sl = { .kind = QCAP_DUMP, .status = 1,
				.hooks = QCAP_HOOK_IN, .maxlen = 65535 };
	struct got g = {0};
	unsigned int i, k = 0;

	BT_EQ(qhost_slot_add(h, &sl, insn, len, got_rec, &g), 0);
	for (i = 0; i < nframes; i++) {
		if (frames[i].len > maxframe || frames[i].len < min_len)
			continue;
		g.cur = i;
		BT_CHECK(bt_run(fd, frames[i].b, frames[i].len) != BT_RUN_ERR);
		qhost_drain(h);
	}
	for (i = 0; i < nframes; i++) {
		uint32_t w = want[i], c;

		if (frames[i].len > maxframe || frames[i].len < min_len)
			continue;
		c = frames[i].len < w ? frames[i].len : w;
		if (k < g.n && g.idx[k] == i) {
			if (!w || g.caplen[k] != c) {
				fprintf(stderr, "'%s' on %s: kernel copied %u, "
					"libpcap says %u\n", what,
					frames[i].name, g.caplen[k], c);
				exit(1);
			}
			k++;
		} else if (w) {
			fprintf(stderr, "'%s' on %s: kernel missed, libpcap "
				"matched (%u)\n", what, frames[i].name, w);
			exit(1);
		}
		checks++;
	}
	BT_EQ(k, g.n);
	BT_EQ(qhost_slot_del(h, 0), 0);
}

/*
 * An invalid program is refused in user space; written straight into the
 * map anyway (as a bug or a hostile update would), the BPF interpreter
 * still bounds it: no frame matches, nothing breaks.
 */
static void check_invalid(int fd, struct qhost *h, uint32_t maxframe,
			  const struct handprog *hp)
{
	struct qcap_slot sl = { .kind = QCAP_DUMP, .status = 1,
				.hooks = QCAP_HOOK_IN, .maxlen = 65535 };
	static struct qcap_filter raw;
	struct qcap_stats st;
	struct got g = {0};
	uint32_t key = 0;
	unsigned int i, runs = 0;

	BT_EQ(qhost_check_filter(hp->insn, hp->len), -EINVAL);
	BT_EQ(qhost_slot_add(h, &sl, hp->insn, hp->len, got_rec, &g), -EINVAL);
	/* a slot with a valid program, then the raw overwrite */
	BT_EQ(qhost_slot_add(h, &sl, hand[0].insn, hand[0].len, got_rec, &g), 0);
	memset(&raw, 0, sizeof(raw));
	raw.len = hp->len;
	memcpy(raw.insn, hp->insn, hp->len * sizeof(hp->insn[0]));
	BT_EQ(bpf_map_update_elem(h->filt_fd, &key, &raw, BPF_ANY), 0);
	for (i = 0; i < nframes; i++) {
		if (frames[i].len > maxframe || frames[i].len < min_len)
			continue;
		BT_CHECK(bt_run(fd, frames[i].b, frames[i].len) != BT_RUN_ERR);
		runs++;
	}
	qhost_drain(h);
	BT_EQ(g.n, 0);
	BT_EQ(qhost_slot_stats(h, 0, &st), 0);
	BT_EQ(st.seen, runs);
	BT_EQ(st.matched, 0);
	/* a length beyond the array is bounded too */
	raw.len = 0xffffffffu;
	BT_EQ(bpf_map_update_elem(h->filt_fd, &key, &raw, BPF_ANY), 0);
	BT_CHECK(bt_run(fd, frames[1].b, frames[1].len) != BT_RUN_ERR);
	qhost_drain(h);
	BT_EQ(g.n, 0);
	BT_EQ(qhost_slot_del(h, 0), 0);
	checks += runs;
}

static void check_all(int fd, struct qhost *h, uint32_t maxframe)
{
	uint32_t want[32];
	unsigned int e, i;
	char err[256];

	for (e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
		struct pcapf f;

		if (pcapf_compile(&f, exprs[e], 65535, err, sizeof(err))) {
			fprintf(stderr, "'%s': %s\n", exprs[e], err);
			exit(1);
		}
		for (i = 0; i < nframes; i++) {
			want[i] = pcapf_run(&f, frames[i].b, frames[i].len);
		}
		check_prog(fd, h, maxframe, exprs[e],
			   (const struct qcap_insn *)f.insn, f.len, want);
		pcapf_free(&f);
	}
	for (e = 0; e < sizeof(hand) / sizeof(hand[0]); e++) {
		if (!hand[e].libpcap) {
			check_invalid(fd, h, maxframe, &hand[e]);
			continue;
		}
		for (i = 0; i < nframes; i++)
			want[i] = hand[e].libpcap ?
				pcapf_run(&(struct pcapf){
					(struct pcapf_insn *)hand[e].insn,
					hand[e].len }, frames[i].b,
					frames[i].len) : 0;
		check_prog(fd, h, maxframe, hand[e].name, hand[e].insn,
			   hand[e].len, want);
	}
}

/* Expressions libpcap rejects, and the message it gives. */
static void test_bad_exprs(void)
{
	struct pcapf f;
	char err[256];

	BT_EQ(pcapf_compile(&f, "tcp port", 65535, err, sizeof(err)), -EINVAL);
	BT_CHECK(err[0] != 0);
	BT_EQ(pcapf_compile(&f, "nonsense words", 65535, err, sizeof(err)),
	      -EINVAL);
	BT_EQ(pcapf_compile(&f, "", 65535, err, sizeof(err)), 0);
	BT_CHECK(f.len >= 1);
	BT_EQ(pcapf_run(&f, frames[0].b, frames[0].len), 65535);
	pcapf_free(&f);
}

/* A drop slot with an expression: verdicts follow libpcap frame by frame. */
static void check_drop(int fd, struct qhost *h, int drop, int pass)
{
	struct qcap_slot sl = { .kind = QCAP_DROP, .status = 1,
				.hooks = QCAP_HOOK_IN };
	struct pcapf f;
	unsigned int i;

	BT_EQ(pcapf_compile(&f, "udp and dst port 53", 65535, NULL, 0), 0);
	BT_EQ(qhost_slot_add(h, &sl, (const struct qcap_insn *)f.insn, f.len,
			     NULL, NULL), 0);
	for (i = 0; i < nframes; i++) {
		if (frames[i].len > 3000 || frames[i].len < min_len)
			continue;
		BT_EQ(bt_run(fd, frames[i].b, frames[i].len),
		      pcapf_run(&f, frames[i].b, frames[i].len) ? drop : pass);
	}
	BT_EQ(qhost_slot_del(h, 0), 0);
	pcapf_free(&f);
}

int main(void)
{
	struct xdp_load_config xc = { .steer = false, .ring_size = 1 << 20 };
	struct xdp_load x;
	struct tc_cap t;

	bt_need_root("capture programs");
	mk_frames();
	test_bad_exprs();

	BT_EQ(xdp_load_prepare(&x, &xc), 0);
	check_all(xdp_load_prog_fd(&x), &x.host, 65000);
	check_drop(xdp_load_prog_fd(&x), &x.host, XDP_DROP, XDP_PASS);
	xdp_load_close(&x);
	printf("xdp: %u frame checks\n", checks);

	min_len = 25;	/* it also refuses a truncated IPv4 header */
	BT_EQ(tc_cap_load(&t, 1 << 20), 0);
	check_all(tc_cap_prog_fd(&t, QCAP_HOOK_IN), &t.host, 3000);
	check_drop(tc_cap_prog_fd(&t, QCAP_HOOK_IN), &t.host, TC_ACT_SHOT,
		   TC_ACT_UNSPEC);
	tc_cap_close(&t);
	printf("filter: ok, %u frame checks\n", checks);
	return 0;
}
