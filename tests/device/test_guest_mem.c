// SPDX-License-Identifier: GPL-2.0-or-later
/* test_guest_mem.c: the checked guest-memory accessor: ranges, regions, bad tables. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/guest_mem.h"
#include "tests/device/vtest.h"

#define MB (1ull << 20)

static int memfd(size_t size)
{
	int fd = memfd_create("gm", MFD_CLOEXEC);

	VT_CHECK(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
	return fd;
}

/* Two regions from one file at non-zero offsets; lookups and straddles. */
static void test_lookup(void)
{
	struct guest_mem m;
	struct guest_mem_desc d[2] = {
		{ .gpa = 0x100000, .size = MB, .uva = 0x7000000, .mmap_offset = 0x10000 },
		{ .gpa = 0x200000, .size = MB, .uva = 0x8000000, .mmap_offset = 0x10000 + MB },
	};
	int fd = memfd(3 * MB), fds[2] = { fd, fd };
	uint8_t *front = mmap(NULL, 3 * MB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	struct iovec iov[4];
	uint64_t c;
	uint8_t *p;

	VT_CHECK(front != MAP_FAILED);
	guest_mem_init(&m);
	VT_EQ(guest_mem_replace(&m, d, fds, 2), 0);
	close(fd);
	VT_EQ(m.n, 2);
	/* mmap_offset honoured: guest 0x100000 is file byte 0x10000 */
	front[0x10000] = 0xab;
	front[0x10000 + MB + 5] = 0xcd;
	p = guest_mem_ptr(&m, 0x100000, 1, &c);
	VT_CHECK(p && *p == 0xab && c == 1);
	p = guest_mem_ptr(&m, 0x200005, 1, &c);
	VT_CHECK(p && *p == 0xcd);
	/* contiguous length stops at the region end */
	p = guest_mem_ptr(&m, 0x1ffff0, 64, &c);
	VT_CHECK(p);
	VT_EQ(c, 16);
	/* a straddling range splits into two pieces */
	VT_EQ(guest_mem_iov(&m, 0x1ffff0, 64, iov, 4), 2);
	VT_EQ(iov[0].iov_len, 16);
	VT_EQ(iov[1].iov_len, 48);
	VT_EQ(guest_mem_iov(&m, 0x1ffff0, 64, iov, 1), -E2BIG);
	/* ending exactly at the end of RAM works, one byte more does not */
	VT_EQ(guest_mem_iov(&m, 0x300000 - 8, 8, iov, 4), 1);
	VT_EQ(guest_mem_iov(&m, 0x300000 - 8, 9, iov, 4), -EFAULT);
	/* unmapped, zero, wrap-around */
	VT_CHECK(!guest_mem_ptr(&m, 0, 1, &c));
	VT_CHECK(!guest_mem_ptr(&m, 0x100000, 0, &c));
	VT_CHECK(!guest_mem_ptr(&m, 0x100000, UINT64_MAX, &c));
	VT_CHECK(!guest_mem_ptr(&m, UINT64_MAX, 2, &c));
	VT_EQ(guest_mem_iov(&m, UINT64_MAX - 4, 16, iov, 4), -EFAULT);
	/* user addresses: must lie within one region */
	VT_CHECK(guest_mem_uptr(&m, 0x7000000, 4096) == guest_mem_ptr(&m, 0x100000, 1, &c));
	VT_CHECK(!guest_mem_uptr(&m, 0x7000000 + MB - 8, 16));
	VT_CHECK(!guest_mem_uptr(&m, 0x6fffff0, 4));
	guest_mem_clear(&m);
	VT_EQ(m.maps, m.unmaps);
	munmap(front, 3 * MB);
}

/* Bad tables are refused and leave the previous table intact. */
static void test_bad_tables(void)
{
	struct guest_mem m;
	struct guest_mem_desc ok = { 0x100000, MB, 0x7000000, 0 }, d[2];
	int fd = memfd(2 * MB), pfd[2], fds[2] = { fd, fd };
	uint64_t c;

	VT_EQ(pipe(pfd), 0);
	guest_mem_init(&m);
	VT_EQ(guest_mem_replace(&m, &ok, &fd, 1), 0);

	d[0] = ok;
	d[1] = ok;
	d[1].uva += 2 * MB;	/* same guest range: overlap */
	VT_EQ(guest_mem_replace(&m, d, fds, 2), -EINVAL);
	d[1] = ok;
	d[1].gpa += 2 * MB;	/* same user range: overlap */
	VT_EQ(guest_mem_replace(&m, d, fds, 2), -EINVAL);
	d[0] = ok;
	d[0].size = 0;
	VT_EQ(guest_mem_replace(&m, d, fds, 1), -EINVAL);
	d[0] = ok;
	d[0].gpa = UINT64_MAX - 4095;	/* guest range wraps */
	VT_EQ(guest_mem_replace(&m, d, fds, 1), -EINVAL);
	d[0] = ok;
	d[0].gpa += 1;			/* not page aligned */
	VT_EQ(guest_mem_replace(&m, d, fds, 1), -EINVAL);
	d[0] = ok;
	d[0].mmap_offset = 2 * MB;	/* beyond the file */
	VT_EQ(guest_mem_replace(&m, d, fds, 1), -ERANGE);
	d[0] = ok;
	VT_EQ(guest_mem_replace(&m, d, &pfd[0], 1), -EINVAL);	/* a pipe */
	VT_EQ(guest_mem_replace(&m, d, (int[]){ -1 }, 1), -EBADF);
	/* the first table is still there */
	VT_EQ(m.n, 1);
	VT_CHECK(guest_mem_ptr(&m, 0x100000, 1, &c));

	/* add/remove: overlap refused, unknown region refused */
	VT_EQ(guest_mem_add(&m, &ok, fd), -EINVAL);
	d[0] = ok;
	d[0].gpa = 0x300000;
	d[0].uva = 0x9000000;
	VT_EQ(guest_mem_add(&m, &d[0], fd), 0);
	VT_EQ(m.n, 2);
	VT_EQ(guest_mem_remove(&m, 0x300000, 4096), -ENOENT);
	VT_EQ(guest_mem_remove(&m, 0x300000, MB), 0);
	VT_EQ(m.n, 1);
	/* no more than GUEST_MEM_MAX_REGIONS */
	for (unsigned int i = 1; i < GUEST_MEM_MAX_REGIONS; i++) {
		d[0].gpa = 0x10000000ull + i * 0x100000;
		d[0].uva = 0x20000000ull + i * 0x100000;
		d[0].size = 4096;
		VT_EQ(guest_mem_add(&m, &d[0], fd), 0);
	}
	d[0].gpa = 0x40000000ull;
	d[0].uva = 0x50000000ull;
	VT_EQ(guest_mem_add(&m, &d[0], fd), -ENOSPC);
	guest_mem_clear(&m);
	VT_EQ(m.maps, m.unmaps);
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
}

int main(void)
{
	int fds = vfe_count_fds(), maps = vfe_count_maps();

	test_lookup();
	test_bad_tables();
	VT_EQ(vfe_count_fds(), fds);
	VT_EQ(vfe_count_maps(), maps);
	printf("ok\n");
	return 0;
}
