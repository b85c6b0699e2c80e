/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qring.h: a BPF ring buffer consumer that hands the kernel back its space once per batch. */
#ifndef QNET_DATAPATH_BPF_QRING_H
#define QNET_DATAPATH_BPF_QRING_H

#include <stddef.h>
#include <stdint.h>

/**
 * DOC: qring
 * The capture programs write one record per frame into a
 * BPF_MAP_TYPE_RINGBUF. libbpf's consumer publishes its consumer position
 * after every record; the producer reads that position on every
 * reservation, from another CPU, so the cache line moves between the two
 * CPUs once per frame. qring maps the ring itself (the consumer page
 * read-write, the producer page and the data pages read-only, the data
 * mapped twice so that a record crossing the end is contiguous), reads
 * records up to the producer position, and publishes its position once
 * per batch (and every quarter of the ring inside a long batch, so the
 * producer never waits for a whole drain). The map's fd is pollable
 * (readable while records wait), so no epoll instance is needed.
 */

/**
 * typedef qring_fn - called for each committed, non-discarded record
 * @ctx:	the consumer's context
 * @data:	the record
 * @size:	its length
 */
typedef void (*qring_fn)(void *ctx, const void *data, uint32_t size);

/**
 * struct qring - one mapped ring buffer
 * @fd:		the map (the caller's)
 * @page:	page size
 * @size:	data bytes (the map's max_entries, a power of two)
 * @cons:	consumer page mapping (consumer position at offset 0)
 * @prod:	producer page + data mapping
 * @records:	records handed out
 * @batches:	consumer-position publications
 */
struct qring {
	int fd;
	size_t page;
	size_t size;
	void *cons;
	void *prod;
	uint64_t records;
	uint64_t batches;
};

int qring_open(struct qring *r, int map_fd);
void qring_close(struct qring *r);
int qring_consume(struct qring *r, qring_fn fn, void *ctx);

#endif /* QNET_DATAPATH_BPF_QRING_H */
