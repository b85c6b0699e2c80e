/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest_mem.h: the checked guest-memory accessor (regions shared by a VMM). */
#ifndef QNET_DEVICES_GUEST_MEM_H
#define QNET_DEVICES_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/**
 * DOC: guest memory
 *
 * A guest_mem is the table of memory regions a front-end shared with qnet
 * (vhost-user SET_MEM_TABLE / ADD_MEM_REG). Each region has a guest
 * address range (what descriptors carry), a front-end user address range
 * (what ring addresses carry) and the host mapping of its fd at its
 * mmap_offset.
 *
 * Every access to guest memory goes through guest_mem_ptr() (or its
 * user-address twin guest_mem_uptr()): it returns a host pointer to @addr
 * and the number of bytes that are contiguous from there (at most @len),
 * and rejects wrap-around and unmapped addresses. A range that straddles
 * two regions is walked by calling again at @addr + contiguous length;
 * guest_mem_iov() does that walk into an iovec array. Nothing else in qnet
 * does arithmetic on guest pointers.
 *
 * Table updates (guest_mem_add(), guest_mem_remove(), guest_mem_clear())
 * validate before they change anything: a rejected update leaves the
 * previous table intact.
 */

/** GUEST_MEM_MAX_REGIONS - most regions (GET_MAX_MEM_SLOTS answer) */
#define GUEST_MEM_MAX_REGIONS 32

/**
 * struct guest_mem_region - one shared region
 * @gpa:	guest address of its first byte
 * @size:	bytes
 * @uva:	front-end user address of its first byte
 * @mmap_offset: offset of the first byte in the fd
 * @host:	host address of its first byte
 * @map:	the mapping (starts at a page boundary at or below @host)
 * @map_size:	its length
 *
 * The fd is closed once mapped: the mapping keeps the memory.
 */
struct guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
	uint8_t *host;
	void *map;
	size_t map_size;
};

/**
 * struct guest_mem - the region table
 * @r:		regions, @n of them, in no particular order
 * @n:		regions in use
 * @last:	region of the last successful lookup (a hint only)
 * @maps:	mappings made since creation (for leak checks)
 * @unmaps:	mappings removed since creation
 */
struct guest_mem {
	struct guest_mem_region r[GUEST_MEM_MAX_REGIONS];
	unsigned int n;
	unsigned int last;
	uint64_t maps;
	uint64_t unmaps;
};

/**
 * struct guest_mem_desc - a region as a front-end describes it
 * @gpa:	guest address
 * @size:	bytes
 * @uva:	front-end user address
 * @mmap_offset: offset in @fd
 */
struct guest_mem_desc {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

void guest_mem_init(struct guest_mem *m);
void guest_mem_clear(struct guest_mem *m);
int guest_mem_check(const struct guest_mem *m, const struct guest_mem_desc *d,
		    unsigned int nd);
int guest_mem_add(struct guest_mem *m, const struct guest_mem_desc *d, int fd);
int guest_mem_remove(struct guest_mem *m, uint64_t gpa, uint64_t size);
int guest_mem_replace(struct guest_mem *m, const struct guest_mem_desc *d,
		      const int *fds, unsigned int nd);
void *guest_mem_ptr(struct guest_mem *m, uint64_t addr, uint64_t len,
		    uint64_t *contig);
void *guest_mem_uptr(struct guest_mem *m, uint64_t uva, uint64_t len);
int guest_mem_iov(struct guest_mem *m, uint64_t addr, uint64_t len,
		  struct iovec *iov, unsigned int max);

#endif /* QNET_DEVICES_GUEST_MEM_H */
