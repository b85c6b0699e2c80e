// SPDX-License-Identifier: GPL-2.0-or-later
/* qring.c: a BPF ring buffer consumer that hands the kernel back its space once per batch. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "datapath/bpf/qring.h"

/** QRING_HDR - bytes of the kernel's record header (length word, page offset) */
#define QRING_HDR 8u

/**
 * qring_open() - map a BPF_MAP_TYPE_RINGBUF for consuming
 * @r:		filled
 * @map_fd:	the map (stays the caller's)
 *
 * Return: 0, -EINVAL for another map type or a size that is not a power
 * of two, or -errno from the kernel.
 */
int qring_open(struct qring *r, int map_fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || page <= 0 ||
	    !info.max_entries || (info.max_entries & (info.max_entries - 1)))
		return -EINVAL;
	r->page = (size_t)page;
	r->size = info.max_entries;
	r->cons = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		       map_fd, 0);
	if (r->cons == MAP_FAILED) {
		r->cons = NULL;
		return -errno;
	}
	r->prod = mmap(NULL, r->page + 2 * r->size, PROT_READ, MAP_SHARED,
		       map_fd, (off_t)r->page);
	if (r->prod == MAP_FAILED) {
		int err = -errno;

		munmap(r->cons, r->page);
		r->cons = r->prod = NULL;
		return err;
	}
	r->fd = map_fd;
	return 0;
}

/**
 * qring_close() - unmap (the map's fd stays open)
 * @r:		the ring (opened or zeroed)
 */
void qring_close(struct qring *r)
{
	if (r->prod)
		munmap(r->prod, r->page + 2 * r->size);
	if (r->cons)
		munmap(r->cons, r->page);
	r->cons = r->prod = NULL;
	r->fd = -1;
}

/**
 * qring_consume() - hand every committed record to @fn, oldest first
 * @r:		the ring
 * @fn:		called per record (discarded records are skipped)
 * @ctx:	its context
 *
 * Takes what the producer had committed when the call began (records
 * that come meanwhile wake the ring's poll again), and stops at a record
 * still being written. The consumer position goes back to the kernel
 * once at the end, and every quarter of the ring on the way.
 *
 * Return: records handed out (>= 0).
 */
int qring_consume(struct qring *r, qring_fn fn, void *ctx)
{
	uint64_t *consp = r->cons, *prodp = r->prod;
	const uint8_t *data = (const uint8_t *)r->prod + r->page;
	uint64_t cons, prod, published, mask = r->size - 1;
	int n = 0;

	if (!consp)
		return 0;
	cons = published = __atomic_load_n(consp, __ATOMIC_RELAXED);
	prod = __atomic_load_n(prodp, __ATOMIC_ACQUIRE);
	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(data + (cons & mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT |
					BPF_RINGBUF_DISCARD_BIT);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			fn(ctx, hdr + 2, size);
			n++;
		}
		cons += (size + QRING_HDR + 7) & ~7ull;
		if (cons - published >= r->size / 4) {
			__atomic_store_n(consp, cons, __ATOMIC_RELEASE);
			published = cons;
			r->batches++;
		}
	}
	if (cons != published) {
		__atomic_store_n(consp, cons, __ATOMIC_RELEASE);
		r->batches++;
	}
	r->records += (uint64_t)n;
	return n;
}
