/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapw.h: pcap files written from several sources at once (kernel ring drain, data-path workers). */
#ifndef QNET_DATAPATH_PCAPW_H
#define QNET_DATAPATH_PCAPW_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/** PCAPW_LINKTYPE_ETHERNET - the only link type qnet writes */
#define PCAPW_LINKTYPE_ETHERNET 1

/** PCAPW_SNAP_MAX - largest snapshot length in a record */
#define PCAPW_SNAP_MAX 262144u

/** PCAPW_BUF_DEFAULT - bytes a source buffers before one write() */
#define PCAPW_BUF_DEFAULT (256u << 10)

/** PCAPW_REC_HDR - bytes of a record header */
#define PCAPW_REC_HDR 16u

/**
 * struct pcapw_file - one pcap file (classic format, microseconds, Ethernet)
 * @fd:		the file, opened O_APPEND: each source appends whole records
 *		with one write(), so sources never interleave inside a record
 * @snaplen:	snapshot length in the file header
 * @err:	first error that stopped writing (-errno), 0 while fine
 * @records:	records written to the file
 * @bytes:	bytes written to the file (headers included)
 * @lost:	records not written because of @err
 */
struct pcapw_file {
	int fd;
	uint32_t snaplen;
	atomic_int err;
	atomic_uint_fast64_t records;
	atomic_uint_fast64_t bytes;
	atomic_uint_fast64_t lost;
};

/**
 * struct pcapw_buf - one source's buffer (used by one thread only)
 * @f:		the file it goes to
 * @buf:	buffered records
 * @cap:	its size
 * @len:	bytes in it
 * @nrec:	records in it
 * @oldest_ns:	CLOCK_MONOTONIC time the oldest buffered record was added
 */
struct pcapw_buf {
	struct pcapw_file *f;
	uint8_t *buf;
	size_t cap;
	size_t len;
	unsigned int nrec;
	uint64_t oldest_ns;
};

int pcapw_open(struct pcapw_file *f, const char *path, uint32_t snaplen);
void pcapw_close(struct pcapw_file *f);
int pcapw_check(struct pcapw_file *f);
int pcapw_buf_init(struct pcapw_buf *b, struct pcapw_file *f, size_t cap);
void pcapw_buf_fini(struct pcapw_buf *b);
int pcapw_add(struct pcapw_buf *b, uint64_t ts_ns, const void *data,
	      uint32_t caplen, uint32_t len);
int pcapw_add2(struct pcapw_buf *b, uint64_t ts_ns, const void *a,
	       uint32_t alen, const void *data, uint32_t caplen, uint32_t len);
int pcapw_flush(struct pcapw_buf *b);
uint64_t pcapw_now_mono(void);

#endif /* QNET_DATAPATH_PCAPW_H */
