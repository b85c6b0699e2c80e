// SPDX-License-Identifier: GPL-2.0-or-later
/* pcapw.c: pcap files written from several sources at once (kernel ring drain, data-path workers). */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "datapath/pcapw.h"

/**
 * DOC: pcap files
 *
 * The classic pcap format (magic 0xa1b2c3d4, version 2.4, microsecond
 * timestamps, link type Ethernet), which tcpdump, Wireshark and QEMU's own
 * filter-dump use. The file is created with O_EXCL|O_NOFOLLOW; an existing
 * regular file of the path is truncated (QEMU does the same), but a
 * symlink, a FIFO or a device is refused. Every source (the kernel ring's
 * drain, each data-path queue) has its own buffer and appends whole records
 * with one write() on an O_APPEND descriptor, so no lock is shared and
 * records never interleave. The first write error (disk full, file removed
 * under us) stops the file: later records are counted as lost.
 */

struct pcapw_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcapw_rec {
	uint32_t sec;
	uint32_t usec;
	uint32_t caplen;
	uint32_t len;
};

_Static_assert(sizeof(struct pcapw_hdr) == 24, "pcap file header");
_Static_assert(sizeof(struct pcapw_rec) == PCAPW_REC_HDR, "pcap record header");

/* Open @path for writing without following a final symlink. */
static int pcapw_create(const char *path)
{
	const int fl = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
	struct stat st;
	int fd;

	fd = open(path, fl | O_CREAT | O_EXCL, 0644);
	if (fd >= 0 || errno != EEXIST)
		return fd >= 0 ? fd : -errno;
	fd = open(path, fl | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? -ELOOP : -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (ftruncate(fd, 0) || fcntl(fd, F_SETFL, O_APPEND)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/**
 * pcapw_open() - create a pcap file and write its header
 * @f:		the file
 * @path:	where (an existing regular file is truncated; a symlink is
 *		refused with -ELOOP, anything else not regular with -EINVAL)
 * @snaplen:	snapshot length for the header (1..PCAPW_SNAP_MAX)
 *
 * Return: 0 or -errno.
 */
int pcapw_open(struct pcapw_file *f, const char *path, uint32_t snaplen)
{
	struct pcapw_hdr h = {
		.magic = 0xa1b2c3d4, .major = 2, .minor = 4,
		.snaplen = snaplen, .linktype = PCAPW_LINKTYPE_ETHERNET,
	};
	ssize_t n;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (!path || !*path || !snaplen || snaplen > PCAPW_SNAP_MAX)
		return -EINVAL;
	f->fd = pcapw_create(path);
	if (f->fd < 0) {
		int err = f->fd;

		f->fd = -1;
		return err;
	}
	f->snaplen = snaplen;
	n = write(f->fd, &h, sizeof(h));
	if (n != (ssize_t)sizeof(h)) {
		int err = n < 0 ? -errno : -ENOSPC;

		close(f->fd);
		f->fd = -1;
		return err;
	}
	atomic_store(&f->bytes, sizeof(h));
	return 0;
}

/**
 * pcapw_close() - close the file (every buffer must be finished first)
 * @f:		the file
 */
void pcapw_close(struct pcapw_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* Stop the file with @err (the first error wins). */
static void pcapw_fail(struct pcapw_file *f, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&f->err, &zero, err);
}

/**
 * pcapw_check() - notice a capture file removed or replaced under us
 * @f:		the file
 *
 * Return: 0, or the error that stopped the file (-ENOENT once removed).
 */
int pcapw_check(struct pcapw_file *f)
{
	struct stat st;

	if (f->fd < 0)
		return -EBADF;
	if (fstat(f->fd, &st))
		pcapw_fail(f, -errno);
	else if (st.st_nlink == 0)
		pcapw_fail(f, -ENOENT);
	return atomic_load(&f->err);
}

/**
 * pcapw_now_mono() - CLOCK_MONOTONIC in ns (vDSO: no system call)
 *
 * Return: the time.
 */
uint64_t pcapw_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * pcapw_buf_init() - a source's buffer
 * @b:		the buffer
 * @f:		the file
 * @cap:	bytes (0: PCAPW_BUF_DEFAULT; at least one largest record)
 *
 * Return: 0 or -ENOMEM.
 */
int pcapw_buf_init(struct pcapw_buf *b, struct pcapw_file *f, size_t cap)
{
	memset(b, 0, sizeof(*b));
	if (!cap)
		cap = PCAPW_BUF_DEFAULT;
	if (cap < f->snaplen + PCAPW_REC_HDR)
		cap = f->snaplen + PCAPW_REC_HDR;
	b->buf = malloc(cap);
	if (!b->buf)
		return -ENOMEM;
	b->f = f;
	b->cap = cap;
	return 0;
}

/**
 * pcapw_buf_fini() - flush and free a buffer
 * @b:		the buffer (a zeroed one is ignored)
 */
void pcapw_buf_fini(struct pcapw_buf *b)
{
	if (!b->buf)
		return;
	pcapw_flush(b);
	free(b->buf);
	b->buf = NULL;
}

/**
 * pcapw_flush() - append the buffered records to the file (one write)
 * @b:		the buffer
 *
 * Return: 0, or the error that stopped the file.
 */
int pcapw_flush(struct pcapw_buf *b)
{
	struct pcapw_file *f = b->f;
	size_t off = 0;
	ssize_t n;
	int err;

	if (!b->len)
		return atomic_load(&f->err);
	err = atomic_load(&f->err);
	while (!err && off < b->len) {
		n = write(f->fd, b->buf + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pcapw_fail(f, n < 0 ? -errno : -ENOSPC);
			break;
		}
		off += (size_t)n;
	}
	err = atomic_load(&f->err);
	if (err)
		atomic_fetch_add(&f->lost, b->nrec);
	else
		atomic_fetch_add(&f->records, b->nrec);
	atomic_fetch_add(&f->bytes, off);
	b->len = 0;
	b->nrec = 0;
	return err;
}

/**
 * pcapw_add2() - buffer one record made of two pieces (@a then @data)
 * @b:		the buffer
 * @ts_ns:	CLOCK_REALTIME of the frame, ns
 * @a:		first piece (may be NULL with @alen 0)
 * @alen:	its length
 * @data:	second piece
 * @caplen:	bytes of the record in total (@alen + bytes of @data used),
 *		cut to the file's snaplen
 * @len:	frame length on the wire
 *
 * Flushes first when the record does not fit.
 *
 * Return: 0, or the error that stopped the file (the record is lost).
 */
int pcapw_add2(struct pcapw_buf *b, uint64_t ts_ns, const void *a,
	       uint32_t alen, const void *data, uint32_t caplen, uint32_t len)
{
	struct pcapw_rec r;
	int err;

	err = atomic_load(&b->f->err);
	if (err) {
		atomic_fetch_add(&b->f->lost, 1);
		return err;
	}
	if (caplen > b->f->snaplen)
		caplen = b->f->snaplen;
	if (caplen > len)
		caplen = len;
	if (alen > caplen)
		alen = caplen;
	if (b->len + PCAPW_REC_HDR + caplen > b->cap) {
		err = pcapw_flush(b);
		if (err) {
			atomic_fetch_add(&b->f->lost, 1);
			return err;
		}
	}
	if (!b->nrec)
		b->oldest_ns = pcapw_now_mono();
	r.sec = (uint32_t)(ts_ns / 1000000000ull);
	r.usec = (uint32_t)(ts_ns % 1000000000ull / 1000u);
	r.caplen = caplen;
	r.len = len;
	memcpy(b->buf + b->len, &r, sizeof(r));
	b->len += sizeof(r);
	if (alen)
		memcpy(b->buf + b->len, a, alen);
	memcpy(b->buf + b->len + alen, data, caplen - alen);
	b->len += caplen;
	b->nrec++;
	return 0;
}

/**
 * pcapw_add() - buffer one record
 * @b:		the buffer
 * @ts_ns:	CLOCK_REALTIME of the frame, ns
 * @data:	frame bytes
 * @caplen:	bytes to keep (cut to the file's snaplen and @len)
 * @len:	frame length on the wire
 *
 * Return: 0, or the error that stopped the file (the record is lost).
 */
int pcapw_add(struct pcapw_buf *b, uint64_t ts_ns, const void *data,
	      uint32_t caplen, uint32_t len)
{
	return pcapw_add2(b, ts_ns, NULL, 0, data, caplen, len);
}
