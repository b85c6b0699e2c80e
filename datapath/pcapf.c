// SPDX-License-Identifier: GPL-2.0-or-later
/* pcapf.c: tcpdump expressions compiled by libpcap to classic BPF, and run on frames in user space. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "datapath/pcapf.h"

/**
 * DOC: tcpdump filters
 *
 * libpcap compiles the expression for an Ethernet link (pcap_open_dead, so
 * no Linux-specific extensions: VLAN tags are read from the frame bytes,
 * which is where qnet's programs put them back) to classic BPF. User space
 * runs it with libpcap's own bpf_filter(); the kernel programs run the same
 * instructions through the interpreter in datapath/bpf/qcap.bpf.h. The
 * result is the snapshot length the filter asks for; 0 means no match.
 */

_Static_assert(sizeof(struct pcapf_insn) == sizeof(struct bpf_insn),
	       "classic BPF instruction layout");

/**
 * pcapf_compile() - compile a tcpdump expression
 * @f:		result (free with pcapf_free())
 * @expr:	the expression ("" or NULL: match everything)
 * @snaplen:	snapshot length the program returns on a match
 * @err:	libpcap's message on failure (may be NULL)
 * @errlen:	its size
 *
 * Return: 0, -EINVAL for an expression libpcap rejects, -E2BIG for a
 * program over PCAPF_MAX_INSNS, -ENOMEM.
 */
int pcapf_compile(struct pcapf *f, const char *expr, uint32_t snaplen,
		  char *err, size_t errlen)
{
	struct bpf_program prog;
	pcap_t *p;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	if (err && errlen)
		err[0] = 0;
	p = pcap_open_dead(DLT_EN10MB, (int)(snaplen ? snaplen : 65535));
	if (!p)
		return -ENOMEM;
	if (pcap_compile(p, &prog, expr ? expr : "", 1, PCAP_NETMASK_UNKNOWN)) {
		if (err && errlen)
			snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	if (prog.bf_len == 0 || prog.bf_len > PCAPF_MAX_INSNS) {
		ret = -E2BIG;
		goto out;
	}
	f->insn = calloc(prog.bf_len, sizeof(*f->insn));
	if (!f->insn) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(f->insn, prog.bf_insns, prog.bf_len * sizeof(*f->insn));
	f->len = prog.bf_len;
out:
	if (ret && err && errlen)
		snprintf(err, errlen, "%s", ret == -E2BIG ?
			 "filter program too long" : strerror(-ret));
	pcap_freecode(&prog);
	pcap_close(p);
	return ret;
}

/**
 * pcapf_free() - free a compiled filter
 * @f:		the filter (a zeroed one is ignored)
 */
void pcapf_free(struct pcapf *f)
{
	free(f->insn);
	f->insn = NULL;
	f->len = 0;
}

/**
 * pcapf_run() - run a compiled filter on a whole frame
 * @f:		the filter (no program: everything matches)
 * @pkt:	frame bytes
 * @len:	frame length (all of it is present)
 *
 * Return: 0 for no match, else the bytes the filter asks to keep.
 */
uint32_t pcapf_run(const struct pcapf *f, const uint8_t *pkt, uint32_t len)
{
	if (!f->len)
		return 0xffffffffu;
	return bpf_filter((const struct bpf_insn *)f->insn, pkt, len, len);
}
