// SPDX-License-Identifier: GPL-2.0-or-later
/* guest_mem.c: the checked guest-memory accessor and its region table. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/guest_mem.h"

#define GM_PAGE 4096ull

/**
 * gm_end() - last byte of [start, start + size), checking for wrap-around
 * @start:	first byte
 * @size:	bytes (non-zero)
 * @last:	set to the last byte
 *
 * Return: true if the range does not wrap past 2^64.
 */
static bool gm_end(uint64_t start, uint64_t size, uint64_t *last)
{
	return size && !__builtin_add_overflow(start, size - 1, last);
}

/**
 * gm_overlap() - whether two non-empty ranges share a byte
 * @a:	first start
 * @al:	first last byte
 * @b:	second start
 * @bl:	second last byte
 *
 * Return: true if they overlap.
 */
static bool gm_overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return a <= bl && b <= al;
}

/**
 * gm_desc_ok() - check one region description on its own
 * @d:	the description
 *
 * Return: 0, or -EINVAL for size 0, a misaligned field or a range that
 * wraps (guest, user or file offset).
 */
static int gm_desc_ok(const struct guest_mem_desc *d)
{
	uint64_t last;

	if (!d->size || (d->gpa | d->size | d->uva | d->mmap_offset) % GM_PAGE)
		return -EINVAL;
	if (!gm_end(d->gpa, d->size, &last) || !gm_end(d->uva, d->size, &last) ||
	    !gm_end(d->mmap_offset, d->size, &last))
		return -EINVAL;
	if (d->size > (uint64_t)SIZE_MAX / 2)
		return -EINVAL;
	return 0;
}

/**
 * gm_conflicts() - whether a description overlaps a region (guest or user)
 * @d:	the description (already checked by gm_desc_ok())
 * @gpa: other region's guest address
 * @uva: other region's user address
 * @size: other region's size
 *
 * Return: true on overlap.
 */
static bool gm_conflicts(const struct guest_mem_desc *d, uint64_t gpa,
			 uint64_t uva, uint64_t size)
{
	return gm_overlap(d->gpa, d->gpa + d->size - 1, gpa, gpa + size - 1) ||
	       gm_overlap(d->uva, d->uva + d->size - 1, uva, uva + size - 1);
}

/**
 * guest_mem_init() - an empty table
 * @m:	the table
 */
void guest_mem_init(struct guest_mem *m)
{
	memset(m, 0, sizeof(*m));
}

/**
 * gm_unmap() - unmap one region
 * @m:	the table (for the counter)
 * @r:	the region
 */
static void gm_unmap(struct guest_mem *m, struct guest_mem_region *r)
{
	if (r->map) {
		munmap(r->map, r->map_size);
		m->unmaps++;
	}
	memset(r, 0, sizeof(*r));
}

/**
 * guest_mem_clear() - unmap every region
 * @m:	the table
 */
void guest_mem_clear(struct guest_mem *m)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		gm_unmap(m, &m->r[i]);
	m->n = 0;
	m->last = 0;
}

/**
 * guest_mem_check() - validate new regions against each other and @m
 * @m:	the table they would join (NULL: they replace everything)
 * @d:	the descriptions
 * @nd:	how many
 *
 * Return: 0; -EINVAL for a bad description or an overlap (guest or user
 * addresses); -ENOSPC when the table would exceed GUEST_MEM_MAX_REGIONS.
 */
int guest_mem_check(const struct guest_mem *m, const struct guest_mem_desc *d,
		    unsigned int nd)
{
	unsigned int i, j, have = m ? m->n : 0;

	if (nd > GUEST_MEM_MAX_REGIONS - have)
		return -ENOSPC;
	for (i = 0; i < nd; i++) {
		if (gm_desc_ok(&d[i]))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (gm_conflicts(&d[i], d[j].gpa, d[j].uva, d[j].size))
				return -EINVAL;
		for (j = 0; j < have; j++)
			if (gm_conflicts(&d[i], m->r[j].gpa, m->r[j].uva,
					 m->r[j].size))
				return -EINVAL;
	}
	return 0;
}

/**
 * gm_map() - map one (checked) region from @fd
 * @r:	filled on success
 * @d:	the description
 * @fd:	the front-end's fd (not taken over)
 *
 * Return: 0; -EINVAL for an fd that is not a regular file (pipe, socket);
 * -ERANGE when mmap_offset + size exceeds the file; -errno from mmap.
 */
static int gm_map(struct guest_mem_region *r, const struct guest_mem_desc *d,
		  int fd)
{
	struct stat st;
	void *p;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -EBADF;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size < 0 || d->mmap_offset > (uint64_t)st.st_size ||
	    d->size > (uint64_t)st.st_size - d->mmap_offset)
		return -ERANGE;
	p = mmap(NULL, d->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_NORESERVE, fd, (off_t)d->mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	r->gpa = d->gpa;
	r->size = d->size;
	r->uva = d->uva;
	r->mmap_offset = d->mmap_offset;
	r->host = p;
	r->map = p;
	r->map_size = d->size;
	return 0;
}

/**
 * guest_mem_add() - add one region (vhost-user ADD_MEM_REG)
 * @m:	the table
 * @d:	the region
 * @fd:	its fd; the caller keeps and closes it
 *
 * Return: 0; -EINVAL/-ENOSPC from guest_mem_check(); an error from the
 * mapping. On error the table is unchanged.
 */
int guest_mem_add(struct guest_mem *m, const struct guest_mem_desc *d, int fd)
{
	int ret = guest_mem_check(m, d, 1);

	if (ret)
		return ret;
	ret = gm_map(&m->r[m->n], d, fd);
	if (ret)
		return ret;
	m->n++;
	m->maps++;
	return 0;
}

/**
 * guest_mem_remove() - remove the region with this guest address and size
 * @m:		the table
 * @gpa:	its guest address
 * @size:	its size
 *
 * Return: 0, or -ENOENT when no region matches (nothing changes).
 */
int guest_mem_remove(struct guest_mem *m, uint64_t gpa, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		if (m->r[i].gpa != gpa || m->r[i].size != size)
			continue;
		gm_unmap(m, &m->r[i]);
		m->r[i] = m->r[--m->n];
		memset(&m->r[m->n], 0, sizeof(m->r[m->n]));
		m->last = 0;
		return 0;
	}
	return -ENOENT;
}

/**
 * guest_mem_replace() - replace the whole table (vhost-user SET_MEM_TABLE)
 * @m:		the table
 * @d:		the new regions
 * @fds:	one fd per region; the caller keeps and closes them
 * @nd:		how many (0 empties the table)
 *
 * Everything is checked and mapped before the old table goes away.
 *
 * Return: 0; -EINVAL/-ENOSPC for bad descriptions; an error from a
 * mapping. On error the previous table is intact.
 */
int guest_mem_replace(struct guest_mem *m, const struct guest_mem_desc *d,
		      const int *fds, unsigned int nd)
{
	struct guest_mem_region nr[GUEST_MEM_MAX_REGIONS];
	unsigned int i;
	int ret = guest_mem_check(NULL, d, nd);

	if (ret)
		return ret;
	memset(nr, 0, sizeof(nr));
	for (i = 0; i < nd; i++) {
		ret = gm_map(&nr[i], &d[i], fds[i]);
		if (ret)
			goto err_map;
	}
	guest_mem_clear(m);
	memcpy(m->r, nr, sizeof(nr[0]) * nd);
	m->n = nd;
	m->maps += nd;
	return 0;

err_map:
	while (i--)
		munmap(nr[i].map, nr[i].map_size);
	return ret;
}

/**
 * guest_mem_ptr() - host pointer to guest address @addr, and how much of
 * [addr, addr + len) is contiguous from there
 * @m:		the table
 * @addr:	guest address
 * @len:	bytes wanted (non-zero)
 * @contig:	set to the contiguous bytes at the result (1..@len)
 *
 * Return: the host pointer, or NULL when @addr is unmapped, @len is 0 or
 * [addr, addr + len) wraps past 2^64.
 */
void *guest_mem_ptr(struct guest_mem *m, uint64_t addr, uint64_t len,
		    uint64_t *contig)
{
	/* @last is a hint shared by every thread walking this table: relaxed
	 * atomics, stored only when it changes (no cache-line ping-pong) */
	unsigned int hint = __atomic_load_n(&m->last, __ATOMIC_RELAXED);
	uint64_t last, off;
	unsigned int i, k;

	if (!gm_end(addr, len, &last))
		return NULL;
	for (k = 0; k < m->n; k++) {
		i = k == 0 ? hint : (k == hint ? 0 : k);
		off = addr - m->r[i].gpa;
		if (addr < m->r[i].gpa || off >= m->r[i].size)
			continue;
		if (i != hint)
			__atomic_store_n(&m->last, i, __ATOMIC_RELAXED);
		*contig = m->r[i].size - off < len ? m->r[i].size - off : len;
		return m->r[i].host + off;
	}
	return NULL;
}

/**
 * guest_mem_uptr() - host pointer to front-end user address range
 * [uva, uva + len), which must lie inside one region (ring addresses)
 * @m:		the table
 * @uva:	front-end user address
 * @len:	bytes (non-zero)
 *
 * Return: the host pointer, or NULL when the range is not entirely inside
 * one region or wraps.
 */
void *guest_mem_uptr(struct guest_mem *m, uint64_t uva, uint64_t len)
{
	uint64_t last;
	unsigned int i;

	if (!gm_end(uva, len, &last))
		return NULL;
	for (i = 0; i < m->n; i++) {
		const struct guest_mem_region *r = &m->r[i];

		if (uva >= r->uva && last - r->uva < r->size)
			return r->host + (uva - r->uva);
	}
	return NULL;
}

/**
 * guest_mem_iov() - split guest range [addr, addr + len) into host iovecs
 * @m:		the table
 * @addr:	guest address
 * @len:	bytes (0 gives no iovec)
 * @iov:	filled with one iovec per contiguous piece
 * @max:	room in @iov
 *
 * Return: iovecs used; -EFAULT when any byte is unmapped or the range
 * wraps; -E2BIG when it needs more than @max pieces.
 */
int guest_mem_iov(struct guest_mem *m, uint64_t addr, uint64_t len,
		  struct iovec *iov, unsigned int max)
{
	unsigned int n = 0;
	uint64_t last;

	if (len && !gm_end(addr, len, &last))
		return -EFAULT;
	while (len) {
		uint64_t c;
		void *p = guest_mem_ptr(m, addr, len, &c);

		if (!p)
			return -EFAULT;
		if (n == max)
			return -E2BIG;
		iov[n].iov_base = p;
		iov[n].iov_len = c;
		n++;
		addr += c;
		len -= c;
	}
	return (int)n;
}
