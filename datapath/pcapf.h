/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapf.h: tcpdump expressions compiled by libpcap to classic BPF, and run on frames in user space. */
#ifndef QNET_DATAPATH_PCAPF_H
#define QNET_DATAPATH_PCAPF_H

#include <stddef.h>
#include <stdint.h>

/** PCAPF_MAX_INSNS - longest classic program accepted (BPF_MAXINSNS) */
#define PCAPF_MAX_INSNS 4096u

/**
 * struct pcapf_insn - one classic BPF instruction (struct sock_filter and
 * libpcap's struct bpf_insn layout)
 * @code:	opcode
 * @jt:		jump if true
 * @jf:		jump if false
 * @k:		operand
 */
struct pcapf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/**
 * struct pcapf - a compiled filter
 * @insn:	the program (malloc'd)
 * @len:	its length
 */
struct pcapf {
	struct pcapf_insn *insn;
	unsigned int len;
};

int pcapf_compile(struct pcapf *f, const char *expr, uint32_t snaplen,
		  char *err, size_t errlen);
void pcapf_free(struct pcapf *f);
uint32_t pcapf_run(const struct pcapf *f, const uint8_t *pkt, uint32_t len);

#endif /* QNET_DATAPATH_PCAPF_H */
